"""Reading tabular files safely: CSV, TSV, JSONL, JSON arrays and Parquet.

Two entry points:

* :func:`read_table` — for analysis commands: a typed pandas DataFrame, or an
  :class:`~micromix.errors.InputFileError` naming the file and what to do.
* :func:`read_raw` — for ingest: every cell as text plus the file's line number of each row and
  the rows that are structurally broken (wrong field count, undecodable bytes), so that nothing
  is dropped silently.

Quickstart
----------
>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "q.csv"
>>> _ = p.write_text("query\\nbuy dog food\\n")
>>> read_table(p)["query"].tolist()
['buy dog food']
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from micromix.errors import ColumnNotFoundError, InputFileError

__all__ = [
    "FILE_FORMATS",
    "RawTable",
    "detect_file_format",
    "read_raw",
    "read_table",
    "require_columns",
]

#: container formats understood by the readers
FILE_FORMATS = ("csv", "tsv", "jsonl", "json", "parquet")

_SNIFF_BYTES = 64 * 1024


def _check_path(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: file not found; check the path and try again")
    if p.is_dir():
        raise InputFileError(f"{p}: is a folder, not a file; pass the path of one data file")
    if p.stat().st_size == 0:
        raise InputFileError(f"{p}: the file is empty; export the data again")
    return p


def detect_file_format(path: str | Path) -> str:
    """Detect the container format of ``path`` from its first bytes.

    Returns one of :data:`FILE_FORMATS`.
    """
    p = _check_path(path)
    with p.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.startswith(b"PAR1"):
        return "parquet"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if text.startswith("["):
        return "json"
    if text.startswith("{") and p.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    if text.startswith("{"):
        # JSON Lines has one complete object per line; a file that is one (wrapped) object,
        # e.g. {"data": [...]}, is JSON
        first_line = text.splitlines()[0].strip()
        try:
            obj = json.loads(first_line)
        except json.JSONDecodeError:
            # a pretty-printed object opens with a bare "{"; anything else is a (broken) JSONL line
            return "json" if not first_line.endswith("}") else "jsonl"
        if (
            isinstance(obj, dict)
            and any(
                isinstance(v, list) and v and all(isinstance(x, dict) for x in v)
                for v in obj.values()
            )
            and len(text.strip().splitlines()) == 1
        ):
            return "json"
        return "jsonl"
    first = text.splitlines()[0] if text else ""
    if first.count("\t") > max(first.count(","), first.count(";")):
        return "tsv"
    return "csv"


@dataclass
class RawTable:
    """Rows of a file as text, with provenance.

    Attributes
    ----------
    frame : DataFrame
        One row per *well-formed* record, every value a ``str`` (or ``None`` for absent).
    rows : list[int]
        For each row of ``frame``, its line number in the file (the header is line 1).
    broken : list[tuple[int, str, str]]
        ``(line, field, reason)`` for every record that could not be split into fields.
    path : Path
    format : str
    """

    frame: pd.DataFrame
    rows: list[int]
    broken: list[tuple[int, str, str]] = field(default_factory=list)
    path: Path = Path()
    format: str = "csv"

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.broken)


def _decode_lines(data: bytes) -> list[str]:
    # surrogateescape keeps undecodable bytes visible (as lone surrogates) so that the
    # row holding them can be quarantined instead of the whole file failing.
    text = data.decode("utf-8", errors="surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.splitlines(keepends=True)


def _has_bad_bytes(s: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in s)


def _read_raw_delimited(p: Path, delimiter: str, skip_rules: bool) -> RawTable:
    lines = _decode_lines(p.read_bytes())
    # csv.reader on the line list keeps quoted newlines together; track line numbers.
    reader = csv.reader(lines, delimiter=delimiter)
    header: list[str] | None = None
    out: list[list[str]] = []
    rows: list[int] = []
    broken: list[tuple[int, str, str]] = []
    truncated_tail = bool(lines) and not lines[-1].endswith(("\n", "\r"))
    try:
        while True:
            start_line = reader.line_num + 1
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                broken.append((start_line, "", f"malformed CSV record ({exc})"))
                continue
            if header is None:
                if not rec or all(not c.strip() for c in rec):
                    continue
                header = [c.strip() for c in rec]
                continue
            if not rec or all(not c.strip() for c in rec):
                continue  # blank line
            if skip_rules and len(rec) == 1 and set(rec[0].strip()) <= set("=-"):
                continue  # a "====" rule under the header (Kim 2020 influencer list)
            if any(_has_bad_bytes(c) for c in rec):
                bad_col = next(
                    (header[i] if i < len(header) else f"column {i + 1}")
                    for i, c in enumerate(rec)
                    if _has_bad_bytes(c)
                )
                broken.append((start_line, bad_col, "contains bytes that are not valid UTF-8"))
                continue
            if len(rec) != len(header):
                is_last = reader.line_num >= len(lines)
                why = (
                    "truncated last line"
                    if is_last and truncated_tail and len(rec) < len(header)
                    else "wrong number of fields"
                )
                broken.append(
                    (start_line, "", f"{why}: {len(rec)} fields where the header has {len(header)}")
                )
                continue
            out.append(rec)
            rows.append(start_line)
    except csv.Error as exc:  # pragma: no cover - reader-level failure
        raise InputFileError(f"{p}: cannot be parsed as delimited text ({exc})") from exc
    if header is None:
        raise InputFileError(f"{p}: no header row found; the first line must name the columns")
    frame = pd.DataFrame(out, columns=_dedupe_header(header), dtype=object)
    frame = frame.where(frame != "", None)
    return RawTable(frame, rows, broken, p, "tsv" if delimiter == "\t" else "csv")


def _dedupe_header(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        name = h or "unnamed"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _stringify(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def _read_raw_jsonl(p: Path) -> RawTable:
    lines = _decode_lines(p.read_bytes())
    recs: list[dict] = []
    rows: list[int] = []
    broken: list[tuple[int, str, str]] = []
    for i, line in enumerate(lines, start=1):
        s = line.strip()
        if not s:
            continue
        if _has_bad_bytes(s):
            broken.append((i, "", "contains bytes that are not valid UTF-8"))
            continue
        try:
            obj = json.loads(s)
        except json.JSONDecodeError as exc:
            why = "truncated last line" if i == len(lines) else "invalid JSON"
            broken.append((i, "", f"{why} ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(obj, dict):
            broken.append((i, "", "each line must be a JSON object"))
            continue
        recs.append({k: _stringify(v) for k, v in obj.items()})
        rows.append(i)
    frame = pd.DataFrame(recs, dtype=object)
    return RawTable(frame, rows, broken, p, "jsonl")


def _read_raw_json(p: Path) -> RawTable:
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(
            f"{p}: not valid JSON ({exc}); export a JSON array of objects or JSON Lines"
        ) from exc
    if isinstance(data, dict):
        # common wrappers: {"data": [...]}, {"items": [...]}
        for k in ("data", "items", "rows", "records", "results"):
            if isinstance(data.get(k), list):
                data = data[k]
                break
        else:
            data = [data]
    if not isinstance(data, list):
        raise InputFileError(f"{p}: expected a JSON array of objects")
    recs, rows, broken = [], [], []
    for i, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            broken.append((i, "", "array element is not a JSON object"))
            continue
        recs.append({k: _stringify(v) for k, v in obj.items()})
        rows.append(i)
    return RawTable(pd.DataFrame(recs, dtype=object), rows, broken, p, "json")


def _read_raw_parquet(p: Path) -> RawTable:
    try:
        df = pd.read_parquet(p)
    except Exception as exc:
        raise InputFileError(f"{p}: cannot be read as Parquet ({exc})") from exc
    frame = df.astype(object).where(df.notna(), None)
    for c in frame.columns:
        frame[c] = frame[c].map(lambda v: None if v is None else str(v))
    return RawTable(frame, list(range(1, len(df) + 1)), [], p, "parquet")


def read_raw(path: str | Path, file_format: str | None = None) -> RawTable:
    """Read ``path`` as text cells with line numbers; see :class:`RawTable`."""
    p = _check_path(path)
    fmt = file_format or detect_file_format(p)
    if fmt not in FILE_FORMATS:
        raise InputFileError(
            f"{p}: unknown file format '{fmt}'; use one of {', '.join(FILE_FORMATS)}"
        )
    if fmt == "parquet":
        return _read_raw_parquet(p)
    if fmt == "jsonl":
        return _read_raw_jsonl(p)
    if fmt == "json":
        return _read_raw_json(p)
    return _read_raw_delimited(p, "\t" if fmt == "tsv" else ",", skip_rules=True)


def _maybe_numeric(s: pd.Series) -> pd.Series:
    conv = pd.to_numeric(s, errors="coerce")
    return conv if conv.notna().sum() == s.notna().sum() else s


def _drop_rule_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Drop "====" rule rows under a header (as ``read_raw`` does) and re-infer numbers that the
    rule row forced to text (the Kim 2020 influencer list has one)."""
    if not len(df) or df.shape[1] < 2:
        return df
    first = df.iloc[:, 0].astype("string").str.strip()
    rule = first.str.fullmatch(r"[=\-]{3,}").fillna(False).astype(bool) & df.iloc[:, 1:].isna().all(
        axis=1
    )
    if not rule.any():
        return df
    df = df[~rule.to_numpy()].reset_index(drop=True)
    return df.apply(lambda c: _maybe_numeric(c) if c.dtype == object else c)


def read_table(path: str | Path, file_format: str | None = None) -> pd.DataFrame:
    """Read a data file into a DataFrame with inferred types.

    Raises
    ------
    InputFileError
        The file is missing, empty, not a table, or has no rows.
    """
    p = _check_path(path)
    fmt = file_format or detect_file_format(p)
    try:
        if fmt == "parquet":
            df = pd.read_parquet(p)
        elif fmt in ("jsonl", "json"):
            raw = read_raw(p, fmt)
            df = raw.frame
            df = df.apply(_maybe_numeric)
        else:
            sep = "\t" if fmt == "tsv" else ","
            try:
                df = pd.read_csv(p, sep=sep, low_memory=False)
            except UnicodeDecodeError:
                df = pd.read_csv(p, sep=sep, low_memory=False, encoding="latin-1")
            df = _drop_rule_rows(df)
    except InputFileError:
        raise
    except Exception as exc:
        raise InputFileError(
            f"{p}: cannot be read as {fmt} ({exc}); check the file format"
        ) from exc
    if df.shape[1] == 0:
        raise InputFileError(f"{p}: no columns found; the first line must name the columns")
    return df


def require_columns(df: pd.DataFrame, columns: list[str], source: str | Path = "input") -> None:
    """Raise :class:`ColumnNotFoundError` naming the missing columns and the ones available."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        avail = ", ".join(map(str, df.columns[:30]))
        raise ColumnNotFoundError(
            f"{source}: column(s) {', '.join(repr(m) for m in missing)} not found; "
            f"available columns: {avail}"
        )
