"""A posts file read for listening and amplification the way ``micromix ingest posts`` reads it.

A platform's export (a TikTok dump whose author is the nested ``authorMeta.name``, X's tweet
activity whose author is in the permalink, Instagram dumps, Meta content insights) is mapped by
the same layout adapter as ingest's (:mod:`micromix.ingest.social_exports`), so a file and the
store hold the same authors, counts and times. Any other table is read as it is and its columns
matched by the spellings of :data:`~micromix.social.columns.POST_ALIASES` (a file of texts and
counts need not name an author or a post id, as the store's posts must).

Quickstart
----------
>>> import json, pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "trending.json"
>>> _ = p.write_text(json.dumps([{"id": "1", "createTime": 1700000000, "diggCount": 5,
...     "text": "hi", "authorMeta": {"name": "mia"}}]))
>>> posts = read_posts(p)
>>> posts[["post_id", "author_id", "likes"]].values.tolist(), posts.attrs["layout"]
([['1', 'mia', 5]], 'TikTok posts dump')
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pandas as pd

from micromix.errors import ColumnNotFoundError, DataValidationError, InputFileError, StoreError

if TYPE_CHECKING:
    from micromix.ingest.files import RawTable
    from micromix.ingest.formats import FormatAdapter
    from micromix.store import Store

__all__ = ["read_posts", "read_store_posts"]

#: words of ingest's note on rows that repeat an earlier row cell for cell
_CELL_FOR_CELL = "repeat an earlier row cell for cell"
#: what the posts contract says of a required cell left empty
_NO_VALUE = "required value is missing"
#: who the author is, where a layout reads it, kept for the organisation check: the display
#: name, bio and verified flag (a TikTok dump's nickname, signature, verified) are fields of the
#: posts store, read as ingest reads them; the others are kept as the file has them
_AUTHOR_PROFILE = (
    "author_name",
    "author_bio",
    "author_category",
    "author_is_business",
    "author_verified",
)


def read_posts(
    path: str | Path, *, text_col: str | None = None, dayfirst: bool | None = None
) -> pd.DataFrame:
    """The posts of the file at ``path``, for :func:`~micromix.social.listening.listen` and
    :func:`~micromix.social.ugc.rank_for_amplification`.

    A file in a platform layout that ``micromix ingest posts`` recognises is mapped by that
    layout (canonical names: ``post_id``, ``author_id``, ``ts``, ``text``, ``likes`` ...), one
    row per record, before the store's checks: a post whose author the export does not give has
    none (empty), never a made-up one. Any other table comes back as
    :func:`~micromix.ingest.files.read_table` reads it. ``attrs["layout"]`` names the layout
    (None for a plain table) and ``attrs["notes"]`` holds what the reader had to say.

    ``text_col`` names the file's column (or nested path, ``video.desc``) holding the text,
    instead of the one the layout or the aliases pick.

    Raises
    ------
    InputFileError
        The file is missing, unreadable, or has a header but no data rows.
    DataValidationError
        A record of a platform export cannot be split into fields (its line is named).
    ColumnNotFoundError
        ``text_col`` is not a column of the file.
    """
    from micromix.ingest.files import read_raw, read_table
    from micromix.ingest.formats import CanonicalFormat, detect_format

    p = Path(path)
    raw = read_raw(p)
    if raw.total == 0:
        raise InputFileError(f"{p}: the file has a header but no data rows; export it again")
    try:
        adapter = detect_format(raw.columns, "posts", str(p), [*raw.preamble, *raw.notices])
    except ColumnNotFoundError:
        adapter = None  # a table of no platform's layout: its own column names are read
    if adapter is None or isinstance(adapter, CanonicalFormat):
        df = read_table(p)
        if len(df) == 0:
            raise InputFileError(f"{p}: the file has a header but no data rows; export it again")
        df.attrs["layout"] = None
        return _with_text(df, df, text_col, p)
    if raw.broken:
        line, field, reason = raw.broken[0]
        raise DataValidationError(
            f"{p}: line {line}, field {field!r}: {reason} ({len(raw.broken):,} such record(s)); "
            "export the file again (no post is read with part of it left out)"
        )
    return _read_as_ingest(p, adapter, raw, text_col, dayfirst)


def read_store_posts(store: Store) -> pd.DataFrame:
    """The posts ``micromix ingest posts`` put in ``store``, as :func:`read_posts` gives a
    file's (same canonical columns, already typed and checked by the posts contract); a store
    with no posts is a :class:`~micromix.errors.StoreError` saying how to fill it."""
    if not (store.has_table("posts") and store.count("posts")):
        raise StoreError(
            f"no posts in the store {store.path}; ingest posts (micromix ingest posts FILE) "
            "or run micromix demo first"
        )
    return store.read("posts")


def _read_as_ingest(
    p: Path, adapter: FormatAdapter, raw: RawTable, text_col: str | None, dayfirst: bool | None
) -> pd.DataFrame:
    """The export's posts with their values read by ``micromix ingest posts``'s own step
    (:func:`~micromix.ingest.pipeline.prepare_file`: decimal marks, counts, times), so the
    file and the store hold the same counts and times.

    A post the store would refuse only for having no author keeps its values with none; a post
    listed again is left out (as ingest keeps the first) and said; any other cell ingest would
    quarantine is refused here, naming its line and field (a count micromix cannot read is
    never guessed).
    """
    from dataclasses import replace

    from micromix.ingest.formats import ColumnLookup
    from micromix.ingest.pipeline import prepare_file
    from micromix.schema import schema_for
    from micromix.schema.values import detect_dayfirst

    prepared = prepare_file("posts", p, layout=adapter, dayfirst=dayfirst)
    canon = prepared.canonical
    assert canon is not None  # a file with data rows is always mapped
    at_line = {int(n): i for i, n in enumerate(raw.rows)}
    q = prepared.result.quarantine
    authorless: list[int] = []
    repeated: list[int] = []
    refused: list[tuple[int, str, str]] = []
    for row, reasons in zip(q["row"], q["reasons"]):
        parts = [r.split(": ", 1) for r in str(reasons).split("; ")]
        others = [(f, why) for f, why in parts if (f, why) != ("author_id", _NO_VALUE)]
        if not others:
            authorless.append(int(row))
        elif len(parts) == 1 and parts[0][1].startswith("duplicate key"):
            repeated.append(int(row))
        else:  # the cell that is wrong, not the author the row also lacks
            refused.append((int(row), *others[0]))
    if refused:
        row, field, why = refused[0]
        raise DataValidationError(
            f"{p}: line {row}, field {field!r}: {why} ({len(refused):,} row(s) ingest would "
            "quarantine); correct the cell or export the file again (no post is read with part "
            "of it left out)"
        )
    schema = schema_for("posts")
    kept = [c for c in schema.columns if c in canon.columns]
    typed = prepared.result.accepted.assign(_line=prepared.result.rows_accepted)
    if authorless:
        # the store's contract needs an author; a file read for listening keeps the post
        anyone = replace(
            schema,
            fields=tuple(
                replace(f, required=False) if f.name == "author_id" else f for f in schema.fields
            ),
        )
        at = [at_line[n] for n in authorless]
        days = canon["ts"].dropna().astype(str) if "ts" in canon.columns else pd.Series()
        order = dayfirst if dayfirst is not None else adapter.dayfirst
        more = anyone.validate(
            canon.iloc[at][kept],
            rows=authorless,
            source=str(p),
            dayfirst=order if order is not None else detect_dayfirst(days),
        )
        if len(more.quarantine):  # pragma: no cover - ingest read these rows' other cells
            r = more.quarantine.iloc[0]
            raise DataValidationError(f"{p}: line {r['row']}, field {r['field']!r}: {r['reason']}")
        typed = pd.concat([typed, more.accepted.assign(_line=authorless)], ignore_index=True)
    typed = typed.sort_values("_line", kind="stable").reset_index(drop=True)
    out = typed[kept].copy()
    for name in _AUTHOR_PROFILE:
        if name in canon.columns and name not in out.columns:
            values = canon[name].to_numpy()
            out[name] = pd.Series([values[at_line[int(n)]] for n in typed["_line"]], dtype=object)
    if text_col is not None:
        lookup = ColumnLookup(raw.frame.reset_index(drop=True))
        if not lookup.has(text_col):
            _missing(text_col, raw.frame.columns, p)
        texts = lookup.get(text_col).to_numpy()
        out["text"] = [texts[at_line[int(n)]] for n in typed["_line"]]
    notes = list(prepared.notes)
    if repeated:
        # a row that repeats another cell for cell repeats its post id too: ingest's note that
        # such rows "add to every total" is not what happens here (each post counts once)
        notes = [n for n in notes if _CELL_FOR_CELL not in n]
        notes.append(
            f"{p}: {len(repeated):,} row(s) repeat a post id read earlier (first: line "
            f"{min(repeated)}); each post counts once, as first listed (as ingest keeps it)"
        )
    out.attrs["layout"] = adapter.title
    out.attrs["notes"] = notes
    return out


def _with_text(df: pd.DataFrame, raw: pd.DataFrame, text_col: str | None, p: Path) -> pd.DataFrame:
    """``df`` with the column ``text_col`` (matched case-insensitively) as its ``text``."""
    from micromix.social.columns import find_column

    if text_col is None:
        return df
    col = text_col if text_col in raw.columns else find_column(raw.columns, (text_col,))
    if col is None:
        _missing(text_col, raw.columns, p)
    attrs = dict(df.attrs)
    out = df.drop(columns=[c for c in ("text",) if c in df.columns and c != col]).rename(
        columns={col: "text"}
    )
    out.attrs = attrs
    return out


def _missing(name: str, columns: pd.Index, p: Path) -> NoReturn:
    raise ColumnNotFoundError(
        f"{p}: column '{name}' not found; available columns: "
        f"{', '.join(map(str, list(columns)[:30]))}"
    )
