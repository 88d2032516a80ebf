"""Ingest with quarantine: every row of a file is either accepted into the store or quarantined
with its line, field and reason — nothing is dropped silently, nothing is invented.

Guarantees
----------
* ``accepted + quarantined == rows_in_file``: data rows as RFC 4180 CSV / JSON Lines count
  them; the header, preamble lines, empty lines and the export's own summary ("Total:", "Grand
  total") rows are not data rows (summary rows are reported in ``summary_rows`` and used as a
  cross-check of the sum, in ``checks``; for export tables their measures are kept with the
  export's record in ``ingest_files``, see :func:`micromix.ingest.lineage.registry_totals`).
* Row identity by lineage for export tables (``ad_performance``, ``traffic``): see
  :mod:`micromix.ingest.lineage`. Re-ingesting the same file changes nothing; an updated
  export of the same report replaces its rows; an overlapping different export is refused
  unless the caller says ``on_overlap="replace"`` or ``"keep"``.
* Money is never without its currency: from the file, else ``currency=`` (``--currency``), else
  the ingest is refused with one sentence.
* A layout that maps a required field to nothing usable for most rows is refused with one
  sentence naming the file and the fields (never "accepted" with ids holding JSON objects).
* Atomic: accepted rows, quarantine records, the registry and the ``ingest_log`` line are
  written in one transaction; a failure half-way leaves the store exactly as it was.

Quickstart
----------
>>> import pathlib, tempfile
>>> from micromix.store import Store
>>> from micromix.ingest import ingest_file
>>> p = pathlib.Path(tempfile.mkdtemp()) / "clicks.csv"
>>> _ = p.write_text("event_id,timestamp,user,event\\ne1,2024-05-01T10:00:00Z,u1,click\\n"
...                  "e2,yesterday,u2,click\\n")
>>> rep = ingest_file(Store.open(":memory:"), "events", p)
>>> rep.accepted, rep.quarantined, rep.quarantine_sample[0]["reason"]
(1, 1, "'yesterday' is a relative date; give the calendar date instead")
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

import micromix.ingest.ads_exports
import micromix.ingest.social_exports
import micromix.ingest.traffic_exports  # noqa: F401  (registers the layouts)
from micromix.errors import ConfigError, DataValidationError, InputFileError
from micromix.ingest.files import RawTable, read_raw
from micromix.ingest.formats import (
    ERROR_FIELD,
    ERROR_REASON,
    SUMMARY,
    FormatAdapter,
    detect_format,
    get_format,
)
from micromix.ingest.lineage import (
    LINEAGE_TABLES,
    REGISTRY_TABLE,
    ExportInfo,
    overlap_advice,
    overlaps,
    read_registry,
    registry_frame,
)
from micromix.ingest.strategy import apply_strategy, strategy_note, strategy_option
from micromix.schema import (
    QUARANTINE_COLUMNS,
    EntitySchema,
    TimeWindow,
    ValidationResult,
    read_numbers,
    schema_for,
)
from micromix.schema.display import listed
from micromix.schema.values import (
    currencies_of_symbol,
    currency_code,
    currency_codes,
    currency_problem,
    day_order_conflict,
    day_order_problem,
    decimal_marks,
    detect_dayfirst,
    with_decimal_points,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from micromix.store import Store

__all__ = [
    "JUNK_SHARE",
    "ON_OVERLAP",
    "QUARANTINE_SAMPLE",
    "IngestReport",
    "OverlapError",
    "PreparedFile",
    "ingest_file",
    "ingest_frame",
    "prepare_file",
    "validate_frame",
    "write_prepared",
]

#: quarantine records listed in a report (``--json``: ``quarantine_sample``)
QUARANTINE_SAMPLE = 20
#: share of rows above which a required field mapped to nothing usable refuses the file
JUNK_SHARE = 0.5
#: what to do when an export overlaps one already ingested
ON_OVERLAP = ("refuse", "replace", "keep")
#: longest raw text kept for a structurally broken line
_MAX_RECORD_CHARS = 4000
#: measures summed for the cross-check against an export's own total rows
_ADDITIVE = {
    "ad_performance": ("impressions", "clicks", "spend", "conversions", "conversion_value"),
    "traffic": ("sessions", "views", "event_count", "key_events", "revenue", "new_users"),
}

Progress = Callable[[str, float], None]


class OverlapError(DataValidationError):
    """The file overlaps an export already in the store (its rows would be counted twice).

    ``paths`` are the sources (paths) of the exports already ingested that the message names, so
    a delivery layer can show them by their file names only (the REST API names no server path).
    """

    def __init__(self, message: str, paths: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.paths = tuple(paths)


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did.

    Attributes
    ----------
    kind, table : str
        CLI kind (``ads``) and contract table (``ad_performance``).
    source : str
        Absolute path of the file (or the name given to :func:`ingest_frame`).
    layout, file_format : str
        Format adapter used and container format (``csv``, ``jsonl`` ...).
    rows_in_file, accepted, quarantined : int
        ``accepted + quarantined == rows_in_file`` (data rows; summary rows excluded).
    inserted, updated, unchanged : int
        What the accepted rows did to the store (new keys, changed rows, identical rows).
    quarantine_sample : tuple of dict
        The first quarantine records by line: ``row``, ``field``, ``reason``.
    top_reasons : tuple of dict
        Quarantine reasons grouped by field and kind of problem.
    summary_rows : int
        The export's own total rows, set aside (not data).
    checks : tuple of dict
        Cross-checks (``check``, ``status`` pass/review, ``message``): the sum of the rows
        against the export's total rows.
    encoding, currency, period, source_id : str or None
        How the file was read and what it reports.
    replaced, overlaps : tuple of str
        Exports whose rows this file replaced; overlapping exports kept alongside it.
    removed : int
        Rows of a previous version of the same export that the new version no longer has.
    replaced_rows : int
        Rows of the replaced exports (``replaced``) that were removed with them.
    dry_run : bool
        Nothing was written.
    notes : tuple of str
        What the user should know about the file (its numbers read with decimal commas, measure
        columns the layout does not read).
    unread_columns : tuple of str
        Header columns that look like stored measures and that the layout does not read.
    """

    kind: str
    table: str
    source: str
    layout: str
    file_format: str
    rows_in_file: int
    accepted: int
    quarantined: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantine_sample: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    top_reasons: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    summary_rows: int = 0
    checks: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    encoding: str | None = None
    currency: str | None = None
    period: tuple[str, str] | None = None
    source_id: str | None = None
    replaced: tuple[str, ...] = ()
    overlaps: tuple[str, ...] = ()
    removed: int = 0
    replaced_rows: int = 0
    dry_run: bool = False
    notes: tuple[str, ...] = ()
    unread_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.accepted + self.quarantined != self.rows_in_file:  # pragma: no cover - invariant
            raise AssertionError(
                f"ingest of {self.source}: {self.accepted} accepted + {self.quarantined} "
                f"quarantined != {self.rows_in_file} rows"
            )

    @property
    def ok(self) -> bool:
        """At least one row was accepted."""
        return self.accepted > 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (what ``micromix ingest --json`` prints)."""
        return {
            "kind": self.kind,
            "table": self.table,
            "source": self.source,
            "layout": self.layout,
            "file_format": self.file_format,
            "encoding": self.encoding,
            "rows_in_file": self.rows_in_file,
            "accepted": self.accepted,
            "quarantined": self.quarantined,
            "summary_rows": self.summary_rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "currency": self.currency,
            "period": list(self.period) if self.period else None,
            "source_id": self.source_id,
            "replaced": list(self.replaced),
            "replaced_rows": self.replaced_rows,
            "overlaps": list(self.overlaps),
            "checks": [dict(c) for c in self.checks],
            "dry_run": self.dry_run,
            "notes": list(self.notes),
            "unread_columns": list(self.unread_columns),
            "top_reasons": [dict(r) for r in self.top_reasons],
            "quarantine_sample": [dict(r) for r in self.quarantine_sample],
        }

    def __repr__(self) -> str:
        return (
            f"IngestReport({self.kind} from {Path(self.source).name!r} as {self.layout}: "
            f"{self.rows_in_file} rows, {self.accepted} accepted, {self.quarantined} quarantined; "
            f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged)"
        )


# ====================================================================== preparing a file
class PreparedFile(NamedTuple):
    """A file read, mapped and validated, ready for :func:`write_prepared`."""

    result: ValidationResult
    raw: RawTable
    adapter: FormatAdapter
    source: str
    info: ExportInfo | None = None
    summary_rows: int = 0
    checks: tuple[dict[str, Any], ...] = ()
    mapping: dict[str, str] | None = None
    canonical: pd.DataFrame | None = None
    #: the export's own total rows: ``{"label": ..., "values": {measure: number}}``
    totals: tuple[dict[str, Any], ...] = ()
    #: what the user should know about the file (numbers read with decimal commas, measure
    #: columns the layout does not read)
    notes: tuple[str, ...] = ()
    #: header columns that look like stored measures and that the layout does not read
    unread: tuple[str, ...] = ()


def prepare_file(
    kind: str,
    path: str | Path,
    file_format: str | None = None,
    layout: str | FormatAdapter | None = None,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    currency: str | None = None,
    dayfirst: bool | None = None,
    window: TimeWindow | None = None,
    ingested_at: pd.Timestamp | None = None,
    progress: Progress | None = None,
    source: str | None = None,
    max_rows: int | None = None,
    decimal_comma: bool | None = None,
    strategy: str | None = None,
    need_currency: bool = True,
) -> PreparedFile:
    """Read, map and validate ``path`` without touching a store (see :func:`ingest_file`).

    ``need_currency=False`` (``micromix inspect``) reads a file whose money has no currency
    anyway, with a note that an ingest needs one, instead of refusing it.

    Raises
    ------
    InputFileError
        The file is missing, empty, binary, in an undecidable encoding, or has no data rows.
    ColumnNotFoundError
        The header fits no layout (or not the one given).
    DataValidationError
        Money without a currency, or a layout that maps required fields to nothing usable.
    """
    step = progress or (lambda _s, _f: None)
    schema = schema_for(kind)
    p = Path(path).expanduser()
    source = source if source is not None else str(p.resolve())
    now = ingested_at if ingested_at is not None else pd.Timestamp.now(tz="UTC")
    code = _check_currency_option(currency)
    if code is not None and "currency" not in schema.columns:
        # silently dropping the option would leave the user believing their money is in it
        raise ConfigError(
            f"--currency applies to ad reports and traffic exports; {kind} rows record no "
            "currency, so leave it out: their money is taken to be in the ad reports' one "
            "currency, or state it where it is read (micromix kpis --currency CODE)"
        )
    stated_strategy = strategy_option(strategy, schema)
    step(f"reading {p.name}", 0.05)
    raw = read_raw(p, file_format, encoding=encoding, sheet=sheet, max_rows=max_rows)
    if raw.sheet is not None and len(raw.sheets) > 1:
        # a workbook of several reports: each sheet is an export of its own, so ingesting one
        # sheet never replaces another's rows as "an earlier version from the same path"
        source = f"{source} [sheet {raw.sheet}]"
    if raw.total == 0:
        said = f" (it says {raw.notices[0]!r})" if raw.notices else ""
        raise InputFileError(
            f"{p}: the file has no data rows{said}; export a period or level that has data"
        )
    if isinstance(layout, FormatAdapter):
        adapter = layout
    elif layout is not None:
        adapter = get_format(layout, kind)
    else:
        adapter = None
    parts: list[pd.DataFrame] = [_broken_records(schema, raw, source, now)]
    summary_n = 0
    checks: tuple[dict[str, Any], ...] = ()
    totals: tuple[dict[str, Any], ...] = ()
    canon_all: pd.DataFrame | None = None
    read_notes: tuple[str, ...] = ()
    if len(raw.rows):
        m = _map_and_validate(
            schema,
            kind,
            raw,
            adapter,
            parts,
            p,
            source,
            code,
            now,
            (dayfirst, decimal_comma),
            window,
            step,
            stated_strategy,
            need_currency=need_currency,
        )
        adapter, canon_all, summary_n, checks = m.adapter, m.canon, m.summary_n, m.checks
        totals, read_notes = m.totals, m.notes
        accepted, rows_ok = m.result.accepted, m.result.rows_accepted
    else:
        empty = schema.validate(pd.DataFrame(columns=schema.columns), rows=[], source=source)
        accepted, rows_ok = empty.accepted, []
        adapter = adapter if adapter is not None else get_format("canonical", kind)
    notes, unread = _unread_measures(schema, adapter, raw)
    filed = (
        None
        if stated_strategy
        else strategy_note(
            adapter.other_strategy_why,
            accepted,
            typed="campaign_type" in getattr(adapter, "fields", {}),
        )
    )
    notes = (*raw.notes, *read_notes, *notes, *((filed,) if filed else ()))
    quarantine = _concat_quarantine(parts)
    info = _export_info(schema, adapter, raw, accepted) if schema.name in LINEAGE_TABLES else None
    if info is not None and len(accepted):
        accepted = accepted.copy()
        accepted["source_id"] = info.export_id
    result = ValidationResult(accepted, quarantine, rows_ok)
    return PreparedFile(
        result,
        raw,
        adapter,
        source,
        info,
        summary_n,
        checks,
        _mapping_of(adapter, raw),
        canon_all,
        totals,
        notes,
        unread,
    )


def _unread_measures(
    schema: EntitySchema, adapter: FormatAdapter, raw: RawTable
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The note on ad or traffic measure columns the layout did not read, and those columns."""
    from micromix.ingest.ads_exports import unread_measures, unread_note
    from micromix.ingest.traffic_exports import GaReportFormat
    from micromix.ingest.traffic_exports import unread_note as traffic_note

    if schema.name == "traffic" and isinstance(adapter, GaReportFormat):
        said = traffic_note(adapter.unread)
        return ((said,) if said else ()), tuple(c for c, _ in adapter.unread)
    if schema.name != "ad_performance" or adapter.read_columns is None:
        return (), ()
    measures, ratios = unread_measures([str(c) for c in raw.frame.columns], adapter.read_columns)
    note = unread_note(adapter.lookup_name, measures, ratios)
    return ((note,) if note else ()), tuple(measures)


class _Mapped(NamedTuple):
    adapter: FormatAdapter
    canon: pd.DataFrame
    result: ValidationResult
    summary_n: int
    checks: tuple[dict[str, Any], ...]
    totals: tuple[dict[str, Any], ...]
    #: how the file's numbers were read (with decimal commas), when the user should know
    notes: tuple[str, ...] = ()


def _map_and_validate(
    schema: EntitySchema,
    kind: str,
    raw: RawTable,
    adapter: FormatAdapter | None,
    parts: list[pd.DataFrame],
    path: Path,
    source: str,
    code: str | None,
    now: pd.Timestamp,
    stated: tuple[bool | None, bool | None],
    window: TimeWindow | None,
    step: Progress,
    strategy: str | None = None,
    *,
    need_currency: bool = True,
) -> _Mapped:
    """Map the rows of ``raw`` with ``adapter`` (detected when None) and validate them.

    ``stated`` is the user's day order and decimal mark (``dayfirst``, ``decimal_comma``;
    None: detected from the file). Total rows are set aside (and cross-checked), the currency
    applied (and ``strategy``, the user's, to every row); rows the adapter cannot map and rows
    the contract refuses are appended to ``parts`` (the quarantine).
    """
    dayfirst, decimal_comma = stated
    if adapter is None:
        adapter = detect_format(raw.columns, kind, source, [*raw.preamble, *raw.notices])
    else:
        adapter.check(raw.columns, source)
    _refuse_repeated_columns(adapter, raw, path)
    step(f"mapping {adapter.lookup_name} layout", 0.25)
    # the user's --dayfirst/--monthfirst wins over the layout's documented order and detection,
    # in the layout's own reading of days (week ends, report periods) as in the contract's
    order = dayfirst if dayfirst is not None else adapter.dayfirst
    canon = adapter.canonical(raw, dayfirst=order).reset_index(drop=True)
    if len(canon) != len(raw.rows):  # pragma: no cover - adapter contract
        raise AssertionError(f"{adapter.lookup_name} changed the number of rows")
    apply_strategy(canon, strategy)
    notes = _read_decimal_marks(schema, adapter, raw, canon, decimal_comma, source)
    lines = np.asarray(raw.rows)
    is_summary = (
        canon[SUMMARY].notna().to_numpy()
        if SUMMARY in canon.columns
        else np.zeros(len(canon), bool)
    )
    summary_n = int(is_summary.sum())
    summary = canon.loc[is_summary]
    data = canon.loc[~is_summary].reset_index(drop=True)
    data_lines = lines[~is_summary]
    if not len(data) and not raw.broken:
        raise InputFileError(
            f"{path}: the file holds only total rows ({summary_n}), no data rows; export the "
            "report with its rows (campaigns, ad groups, days ...)"
        )
    if schema.name in LINEAGE_TABLES:
        data["source_row"] = data_lines
    if schema.name == "ad_performance":
        _require_level_key(data)
    unpriced = _apply_currency(schema, data, code, source, adapter, need=need_currency)
    bad = (
        data[ERROR_REASON].notna().to_numpy()
        if ERROR_REASON in data.columns
        else np.zeros(len(data), dtype=bool)
    )
    if bad.any():
        parts.append(_adapter_records(schema, raw, data, data_lines, bad, source, now))
    data = data.drop(columns=[c for c in (ERROR_FIELD, ERROR_REASON, SUMMARY) if c in data.columns])
    step(f"validating {int((~bad).sum()):,} rows", 0.5)
    good = data.loc[~bad].reset_index(drop=True)
    if order is not None:
        _refuse_day_order(schema, adapter, raw, good, data_lines[~bad], order, dayfirst, source)
    else:  # the order the file's days show, in whichever of its day columns ("31/10/2026")
        days = [f.name for f in schema.fields if f.dtype in ("date", "timestamp")]
        texts = [
            good[name][good[name].map(lambda v: isinstance(v, str))].unique()
            for name in days
            if name in good.columns
        ]
        order = detect_dayfirst(v for distinct in texts for v in distinct)
    res = schema.validate(
        good,
        rows=data_lines[~bad].tolist(),
        source=source,
        ingested_at=now,
        dayfirst=order,
        window=window,
    )
    _refuse_junk(schema, adapter, res, int((~bad).sum()), source)
    by_line = dict(zip(raw.rows, range(len(raw.rows))))
    if len(res.quarantine):
        q = res.quarantine.copy()
        q["record"] = [_raw_record(raw, by_line[int(r)]) for r in q["row"]]
        parts.append(q)
    checks = _cross_check(schema, summary, res.accepted, int(len(res.quarantine) + bad.sum()))
    # the accepted rows' own figures against each other (X: engagements below their parts)
    if type(adapter).consistency is not FormatAdapter.consistency:  # only layouts that check
        refused = set(res.quarantine["row"].astype(int)) if len(res.quarantine) else set()
        kept = [by_line[int(n)] for n in data_lines[~bad] if int(n) not in refused]
        checks = (*checks, *adapter.consistency(raw, kept, plain_only=bool(notes)))
    if checks and checks[0]["check"] == "total_rows" and checks[0]["status"] == "pass":
        notes = (*notes, *_totals_beyond_rows(schema, summary, res.accepted))
    totals = _summary_totals(schema, summary) if schema.name in LINEAGE_TABLES else ()
    if unpriced:
        notes = (unpriced, *notes)
    return _Mapped(adapter, canon, res, summary_n, checks, totals, notes)


#: how messages name each way of writing a number's decimals
_MARKS = {"comma": "a decimal comma", "point": "a decimal point"}


def _read_decimal_marks(
    schema: EntitySchema,
    adapter: FormatAdapter,
    raw: RawTable,
    canon: pd.DataFrame,
    flag: bool | None,
    source: str,
) -> tuple[str, ...]:
    """Read the file's numbers in one way of writing decimals (in place: numbers written with a
    decimal comma are rewritten with a decimal point, for the contract to read, as
    :class:`~micromix.schema.values.Rewritten` texts that a problem quotes as written); return the
    note saying the file was read with decimal commas (none when it was not).

    The way is the user's (``flag``: True for --decimal-comma, False for --decimal-point), else
    the one the file's number cells show ("12,5" or "1.234,56": commas; "1,234.5": points). A
    file whose cells show both has each such cell read the one way it reads ("1.234,50" beside
    "99.10"), but is refused when it also has a cell that reads both ways ("1.234": which way
    the file means cannot be told); a cell against the stated way is refused too, and so is a
    file in another interface language whose cells only read both ways. An English (or
    unknown-language) file is read with decimal commas on consistent evidence only (see
    :func:`_commas_consistent`): one stray "1,5" beside thousands like "1,234" refuses it.
    Each refusal names the file, line and column (never a guessed number). An English export
    that shows no decimal comma reads as before.
    """
    fields = [
        f.name for f in schema.fields if f.dtype in ("int", "float") and f.name in canon.columns
    ]
    if not fields:
        return ()
    named = _mapping_of(adapter, raw)
    marks = pd.DataFrame({name: decimal_marks(canon[name]) for name in fields})

    def where(name: str, i: int) -> str:
        return f"line {raw.rows[i]}, field {named.get(name, name)!r}"

    def first(mark: str) -> tuple[int, str] | None:
        """The first cell (row, field) in file order showing ``mark``."""
        hit = (marks == mark).to_numpy()
        if not hit.any():
            return None
        i = int(np.flatnonzero(hit.any(axis=1))[0])
        return i, fields[int(np.flatnonzero(hit[i])[0])]

    def cell(at: tuple[int, str]) -> str:
        i, name = at
        return f"{where(name, i)}: {canon[name].iat[i]!r}"

    order = flag
    comma = first("comma")
    if order is None:
        point, either = first("point"), first("either")
        if comma is not None and point is not None:
            if either is None:
                # "1.234,50" beside "99.10": each number reads one way only, and is read so
                for name in fields:
                    own = (marks[name] == "comma").to_numpy()
                    canon[name] = with_decimal_points(canon[name], own)
                return (
                    f"read with decimal commas where a number is written so ({cell(comma)}) "
                    f"and with decimal points elsewhere ({cell(point)})",
                )
            (i, a), (j, b) = sorted([comma, point])
            k, c = either
            raise DataValidationError(
                f"{source}: {where(c, k)}: {canon[c].iat[k]!r} may be a number with a thousands "
                "separator or with a decimal mark, and the file writes numbers both ways "
                f"({where(a, i)}: {canon[a].iat[i]!r} with {_MARKS[marks[a].iat[i]]}, "
                f"{where(b, j)}: {canon[b].iat[j]!r} with {_MARKS[marks[b].iat[j]]}), so it "
                "cannot be read for sure; export the report again with one number format"
            )
        if comma is None and point is None:
            if either is not None and adapter.language is not None:
                i, name = either
                raise DataValidationError(
                    f"{source}: {where(name, i)}: {canon[name].iat[i]!r} may be a number with a "
                    "thousands separator or with a decimal mark, and no other number of this "
                    f"{adapter.title} (in its {adapter.language!r} interface) tells which; ingest "
                    "it with --decimal-comma (1.234,56) or --decimal-point (1,234.56)"
                )
            return ()
        if (
            comma is not None
            and either is not None
            and adapter.language in (None, "en")
            and not _commas_consistent(marks)
        ):
            raise DataValidationError(
                f"{source}: {cell(comma)} is written with a decimal comma, but {cell(either)} may "
                "be a number with a thousands separator or with a decimal mark, and too few other "
                "numbers of the file are written with a decimal comma to tell which; ingest it "
                "with --decimal-comma (1.234,56) or --decimal-point (1,234.56)"
            )
        order = comma is not None
    against = first("point" if order else "comma")
    if against is not None:  # only with a stated way: a file's own cells never contradict it
        i, name = against
        flag_name = "--decimal-comma" if order else "--decimal-point"
        raise DataValidationError(
            f"{source}: {where(name, i)}: {canon[name].iat[i]!r} is written with "
            f"{_MARKS[marks[name].iat[i]]}, against {flag_name}; check the number format the "
            "report was exported in and pass the other option"
        )
    if not order:
        return ()
    for name in fields:
        canon[name] = with_decimal_points(canon[name])
    if flag or comma is None:
        return ("read with decimal commas, as --decimal-comma states",)
    return (
        f"read with decimal commas, as {cell(comma)} shows; pass --decimal-point to read the "
        "numbers otherwise",
    )


def _commas_consistent(marks: pd.DataFrame) -> bool:
    """Whether the decimal commas of a file's number cells (``marks``: :func:`decimal_marks` of
    each number column) are evidence enough to read its cells that read both ways ("1,234")
    with a decimal comma in an English file: decimal commas in more than one column, or in more
    cells than those that read both ways."""
    comma = (marks == "comma").to_numpy()
    either = int((marks == "either").to_numpy().sum())
    return int(comma.any(axis=0).sum()) > 1 or int(comma.sum()) > either


def _refuse_day_order(
    schema: EntitySchema,
    adapter: FormatAdapter,
    raw: RawTable,
    data: pd.DataFrame,
    lines: np.ndarray,
    order: bool,
    flag: bool | None,
    source: str,
) -> None:
    """Refuse the file when a day reads only against the stated order (``flag``, the user's
    --dayfirst/--monthfirst, else the layout's documented one): the file's other days were read
    in that order too and are as doubtful, so no row of it is taken (never a guessed day)."""
    fields = [f.name for f in schema.fields if f.dtype in ("date", "timestamp")]
    named = _mapping_of(adapter, raw)
    for name in (n for n in fields if n in data.columns):
        i = day_order_conflict(data[name], order)
        if i is None:
            continue
        by = None if flag is not None else f"the {adapter.title} layout"
        raise DataValidationError(
            f"{source}: line {lines[i]}, field {named.get(name, name)!r}: "
            f"{day_order_problem(data[name].iat[i], order, stated_by=by)}"
        )


_LEVEL_KEYS = ("search_term", "keyword", "ad_id", "ad_set", "campaign_id")


def _require_level_key(data: pd.DataFrame) -> None:
    """A data row lacking the key of the export's level (its ad, keyword ...) is quarantined."""
    key = next((k for k in _LEVEL_KEYS if k in data.columns), None)
    if key is None:
        return
    blank = data[key].map(
        lambda v: v is None or (isinstance(v, float) and v != v) or str(v).strip() == ""
    )
    if not blank.any():
        return
    _mark_row_error(
        data,
        blank,
        pd.Series(key, index=data.index),
        pd.Series(
            f"required value is missing (the rows of this export are identified by {key})",
            index=data.index,
        ),
    )


def _check_currency_option(currency: str | None) -> str | None:
    return None if currency is None else currency_code(currency, what="--currency")


def _apply_currency(
    schema: EntitySchema,
    data: pd.DataFrame,
    code: str | None,
    source: str,
    adapter: FormatAdapter,
    *,
    need: bool = True,
) -> str | None:
    """Fill and check the currency of money rows (in place); refuse money without one (with
    ``need=False``: return the refusal as a note and leave those rows without a currency)."""
    if "currency" not in schema.columns:
        return None
    money = [f.name for f in schema.fields if f.money and f.name in data.columns]
    cur = (
        data["currency"].map(
            lambda v: None if v is None or str(v).strip() == "" else str(v).strip().upper()
        )
        if "currency" in data.columns
        else pd.Series([None] * len(data), index=data.index, dtype=object)
    )
    if code is not None:
        stated = {c for c in cur.dropna().unique() if c != code}
        if stated:
            raise DataValidationError(
                f"{source}: the file states its currency as {', '.join(sorted(stated))} but "
                f"--currency says {code}; leave out --currency (micromix never converts)"
            )
    problems = currency_codes(cur).problems
    odd = problems.notna()
    if bool(odd.any()):
        _mark_row_error(
            data,
            odd,
            pd.Series("currency", index=data.index),
            pd.Series([_odd_currency(v, why) for v, why in zip(cur, problems)], index=data.index),
        )
    cur = _cells_currency(data, money, cur, code)
    if code is not None:
        cur = cur.where(cur.notna(), code)
    # rows already quarantined (a cell naming no currency, "12 GPB") ask for no --currency
    unset = cur.isna() & (data[ERROR_REASON].isna() if ERROR_REASON in data.columns else True)
    if money and unset.any():
        amounts = pd.concat([read_numbers(data[m].where(unset)).values for m in money], axis=1)
        nonzero = (amounts.fillna(0) != 0).any(axis=1)
        if bool(nonzero.any()):
            said = (
                f"the file gives no currency for its money columns ({', '.join(money)}) and "
                f"the {adapter.lookup_name} layout does not state one"
            )
            if not need:
                data["currency"] = cur
                return (
                    f"{said}: an ingest needs --currency with the account's ISO code (e.g. "
                    "--currency EUR)"
                )
            raise DataValidationError(
                f"{source}: {said}; pass --currency with the account's ISO code (e.g. "
                "--currency EUR)"
            )
    data["currency"] = cur
    return None


def _odd_currency(v: object, problem: str | None) -> str | None:
    """Why a currency cell is not one currency (``problem``: what
    :func:`~micromix.schema.values.currency_codes` says of it)."""
    if problem is not None and "/" in str(v):  # the copies of a repeated currency column
        return f"the header's currency columns disagree ({str(v).replace('/', ', ')})"
    return problem


def _mark_row_error(
    data: pd.DataFrame, rows: pd.Series, field: pd.Series, reason: pd.Series
) -> None:
    """Quarantine ``rows`` (a boolean mask) with their field and reason, unless already bad."""
    if ERROR_REASON not in data.columns:
        data[ERROR_FIELD] = None
        data[ERROR_REASON] = None
    todo = rows & data[ERROR_REASON].isna()
    data.loc[todo, ERROR_FIELD] = field[todo]
    data.loc[todo, ERROR_REASON] = reason[todo]


def _cells_currency(
    data: pd.DataFrame, money: list[str], cur: pd.Series, code: str | None
) -> pd.Series:
    """Currencies the money cells name themselves (``"€12"``, ``"12 GBP"``, ``"$3"``).

    A row without a stated currency takes the one its cells name (when the symbol names one
    currency, not ``$`` or ``¥``); a cell that cannot be in the row's currency (its currency
    column, else ``--currency``) puts the row in quarantine: micromix never converts, and never
    books euros as dollars. The currencies cells name are checked against each other too.
    """
    allowed: list[frozenset[str] | None] = [None] * len(data)
    first: list[tuple[str, str] | None] = [None] * len(data)
    clash = np.zeros(len(data), dtype=bool)
    unknown: dict[int, tuple[str, str]] = {}  # row -> (column, why) of a cell naming no currency
    for m in money:
        col = data[m]
        if col.dtype != object:  # numbers already: no cell names a currency
            continue
        is_text = col.map(lambda v: isinstance(v, str)).to_numpy(bool)
        if not is_text.any():
            continue
        text = col[is_text]
        marked = text.str.contains(r"[^\d\s.,+\-()%'\u00a0\u202f]", regex=True)
        cells = text[marked.to_numpy(bool)]
        lookup = {v: currencies_of_symbol(v) for v in cells.unique()}
        for i, v in zip(np.flatnonzero(is_text)[marked.to_numpy(bool)], cells):
            names = lookup[v]
            if not names:
                continue
            if len(names) == 1 and (problem := currency_problem(next(iter(names)))):
                unknown.setdefault(i, (m, f"{v!r} names a currency: {problem}"))
                continue
            prev = allowed[i]
            now = names if prev is None else prev & names
            allowed[i] = now
            if first[i] is None:
                first[i] = (m, v)
            if not now:
                clash[i] = True
    if unknown:
        at = pd.Series(False, index=data.index)
        at.iloc[list(unknown)] = True
        field = pd.Series([None] * len(data), index=data.index, dtype=object)
        reason = field.copy()
        for i, (col, why) in unknown.items():
            field.iat[i], reason.iat[i] = col, why
        _mark_row_error(data, at, field, reason)
    if all(a is None for a in allowed):
        return cur
    row_cur = cur if code is None else cur.where(cur.notna(), code)
    bad = np.zeros(len(data), dtype=bool)
    field = pd.Series([None] * len(data), index=data.index, dtype=object)
    reason = field.copy()
    named = cur.copy()
    origin = "its currency column" if code is None else f"--currency {code}"
    for i, (ok, c) in enumerate(zip(allowed, row_cur)):
        if ok is None:
            continue
        c = None if pd.isna(c) else c  # Series.map gives NaN for the None of an empty cell
        col, value = first[i] or ("currency", "")
        if clash[i]:
            bad[i] = True
            field.iat[i] = col
            reason.iat[i] = (
                f"{value!r} and another money cell of the row are in different currencies; "
                "split the row by currency"
            )
        elif c is not None and c not in ok:
            bad[i] = True
            field.iat[i] = col
            what = (
                f"is in {next(iter(ok))} but the row's currency is {c}"
                if len(ok) == 1
                else f"is not an amount in {c}"
            )
            reason.iat[i] = (
                f"{value!r} {what} ({origin}); micromix never converts: fix the cell or "
                "ingest those rows with their own currency"
            )
        elif c is None and len(ok) == 1:
            named.iat[i] = next(iter(ok))
    if bad.any():
        _mark_row_error(data, pd.Series(bad, index=data.index), field, reason)
    return named


def _refuse_junk(
    schema: EntitySchema, adapter: FormatAdapter, res: ValidationResult, n: int, source: str
) -> None:
    """Refuse a layout that maps required fields to nothing usable for most rows."""
    if n < 2 or not len(res.quarantine):
        return
    q = res.quarantine
    unusable: list[str] = []
    for f in schema.fields:
        if not f.required:
            continue
        pat = re.escape(f.name) + r": (?:required value is missing|a JSON (?:object|array))"
        hit = q["reasons"].str.contains(pat, regex=True).sum()
        if hit > JUNK_SHARE * n:
            unusable.append(f"{f.name} ({hit} of {n} rows)")
    if unusable:
        raise DataValidationError(
            f"{source}: the {adapter.lookup_name} layout ({adapter.title}) maps required "
            f"field(s) {', '.join(unusable)} to nothing usable, so this is not a file of that "
            "layout; check the kind, or pass --format with the file's real layout"
        )


def _cross_check(
    schema: EntitySchema, summary: pd.DataFrame, accepted: pd.DataFrame, not_accepted: int
) -> tuple[dict[str, Any], ...]:
    """Compare the sum of the accepted rows with the export's own total rows."""
    measures = [m for m in _ADDITIVE.get(schema.name, ()) if m in summary.columns]
    if not len(summary) or not measures:
        return ()
    sums = {m: float(pd.to_numeric(accepted[m], errors="coerce").fillna(0).sum()) for m in measures}
    reported = {m: bool(accepted[m].notna().any()) for m in measures}
    best: tuple[int, str, list[str]] | None = None
    for _, row in summary.iterrows():
        label = str(row.get(SUMMARY))
        diffs = []
        matched = 0
        compared: list[str] = []
        for m in measures:
            val = read_numbers(pd.Series([row.get(m)], dtype=object)).values.iat[0]
            if val is pd.NA or val is None or (isinstance(val, float) and math.isnan(val)):
                continue
            # rounding of the rows (2 decimals in most exports) may add up, but never past 0.1%
            total = abs(float(val))
            tol = (
                0.5
                if schema.field(m).dtype == "int"
                else min(0.006 * (len(accepted) + 1), 1e-3 * total)
            )
            compared.append(m)
            if abs(float(val) - sums[m]) <= max(tol, 1e-6 * total, 1e-9):
                matched += 1
            elif not reported[m]:
                diffs.append(f"{m} {float(val):,.2f} in the total row, not reported by row")
            else:
                diffs.append(
                    f"{m} {float(val):,.2f} in the total row vs {sums[m]:,.2f} in the rows"
                )
        if not diffs and compared:
            return (
                {
                    "check": "total_rows",
                    "status": "pass",
                    "message": f"the rows add up to the export's total row {label!r} "
                    f"({', '.join(compared)})",
                },
            )
        if diffs and (best is None or matched > best[0]):
            best = (matched, label, diffs)
    if best is None:
        return ()  # the total rows state none of the measures the rows have
    extra = (
        f"; {not_accepted} row(s) were quarantined, which explains a shortfall"
        if not_accepted
        else ""
    )
    return (
        {
            "check": "total_rows",
            "status": "review",
            "message": f"the rows do not add up to any total row of the export (closest "
            f"{best[1]!r}: {'; '.join(best[2])}){extra}",
        },
    )


def _totals_beyond_rows(
    schema: EntitySchema, summary: pd.DataFrame, accepted: pd.DataFrame
) -> tuple[str, ...]:
    """The note on a wider total row than the rows add up to (once they add up to one).

    A Google Ads ad-group report totals its ad groups ("Total: Ad groups") and the account
    ("Total: Account"), which also holds the campaign types that have no ad groups in it
    (Performance Max, its own "Total: Performance Max" row): that spend is in no row of the
    file, and the note says how much and which total row states it.
    """
    measures = [m for m in _ADDITIVE.get(schema.name, ()) if m in summary.columns]
    sums = {m: float(pd.to_numeric(accepted[m], errors="coerce").fillna(0).sum()) for m in measures}
    stated: list[tuple[str, dict[str, float]]] = []
    for _, row in summary.iterrows():
        vals = {}
        for m in measures:
            cell = read_numbers(pd.Series([row.get(m)], dtype=object)).values.iat[0]
            if not pd.isna(cell):
                vals[m] = float(cell)
        if vals:
            stated.append((str(row.get(SUMMARY)), vals))

    def tol(m: str, v: float) -> float:
        return 0.5 if schema.field(m).dtype == "int" else max(0.01, 1e-3 * abs(v))

    over = []
    for label, vals in stated:
        diff = {m: v - sums[m] for m, v in vals.items()}
        if all(d >= -tol(m, vals[m]) for m, d in diff.items()) and any(
            d > tol(m, vals[m]) for m, d in diff.items()
        ):
            over.append((label, diff))
    if not over:
        return ()
    label, diff = max(over, key=lambda o: sum(abs(d) for d in o[1].values()))
    parts = [
        f"{m} {diff[m]:,.0f}" if schema.field(m).dtype == "int" else f"{m} {diff[m]:,.2f}"
        for m in dict.fromkeys(("spend", *measures))
        if m in diff and diff[m] > tol(m, diff[m])
    ]
    states = [
        other
        for other, vals in stated
        if other != label
        and all(m in vals and abs(vals[m] - d) <= tol(m, d) for m, d in diff.items())
    ]
    where = (
        f"{' and '.join(repr(x) for x in states)} states exactly that: a campaign type the "
        "report does not break down"
        if states
        else "rows the report's filter leaves out, or campaign types it does not break down, "
        "such as Performance Max"
    )
    return (
        f"the export's total row {label!r} exceeds its rows by {', '.join(parts)}: deliveries "
        f"no row of the file lists ({where}), which are not in the store from this file",
    )


def _summary_totals(schema: EntitySchema, summary: pd.DataFrame) -> tuple[dict[str, Any], ...]:
    """The measures of the export's own total rows, read as the contract reads them; a cell
    that is not a number is left out (it is no total micromix can use)."""
    measures = [
        f
        for f in schema.fields
        if f.dtype in ("int", "float") and f.name != "source_row" and f.name in summary.columns
    ]
    out = []
    for _, row in summary.iterrows():
        values = {}
        for f in measures:
            cell = read_numbers(pd.Series([row[f.name]], dtype=object), percent=f.percent)
            v = cell.values.iat[0]
            if cell.problems.iat[0] is None and not pd.isna(v):
                values[f.name] = float(v)
        if values:
            out.append({"label": str(row[SUMMARY]), "values": values})
    return tuple(out)


#: contract columns that are no dimension of an export's identity
_NOT_DIMENSIONS = (
    "source_id",
    "source_row",
    "date_end",
    "currency",
    "strategy",
    "level",
    "ad_set_name",
    "ad_name",
)


def _export_info(
    schema: EntitySchema, adapter: FormatAdapter, raw: RawTable, accepted: pd.DataFrame
) -> ExportInfo:
    def uniq(col: str) -> tuple[str, ...]:
        if col not in accepted.columns:
            return ()
        return tuple(sorted({str(v) for v in accepted[col].dropna().unique()}))

    period = None
    if "date" in accepted.columns and accepted["date"].notna().any():
        first = accepted["date"].min()
        ends = (
            accepted["date_end"].where(accepted["date_end"].notna(), accepted["date"])
            if "date_end" in accepted.columns
            else accepted["date"]
        )
        period = (first.strftime("%Y-%m-%d"), ends.max().strftime("%Y-%m-%d"))
    dims = tuple(
        sorted(
            c
            for c in accepted.columns
            # (a name beside an id labels the row, it breaks nothing down: the same report)
            if c not in _NOT_DIMENSIONS
            and schema.field(c).dtype == "string"
            and accepted[c].notna().any()
        )
    )
    accounts = uniq("account_id") or uniq("property")
    currencies = uniq("currency")
    members = hashlib.sha256(
        json.dumps(
            [uniq(c) for c in ("ad_set", "ad_id", "keyword", "search_term", "dimension_value")],
            ensure_ascii=True,
        ).encode()
    ).hexdigest()[:16]
    return ExportInfo(
        scope=",".join(uniq("dimension")),
        members=members,
        table=schema.name,
        layout=adapter.lookup_name,
        platforms=uniq("platform"),
        account=",".join(accounts) if accounts else None,
        currency=",".join(currencies) if currencies else None,
        dims=dims,
        period=period,
        campaigns=uniq("campaign_id"),
        digest=raw.digest,
    )


def _refuse_repeated_columns(adapter: FormatAdapter, raw: RawTable, path: Path) -> None:
    """A column micromix reads whose name the header gives twice: which one holds the field
    is a guess, and taking either would silently drop the other's values."""
    if not raw.repeated:
        return
    for target, name in sorted(_mapping_of(adapter, raw).items()):
        cols = raw.repeated.get(name)
        if cols:
            where = ", ".join(str(c) for c in cols)
            raise DataValidationError(
                f"{path}: the header names {len(cols)} columns {name!r} (columns {where}) and "
                f"micromix reads {name!r} for the field {target}; rename or remove all but one "
                "of them and ingest again"
            )


def _mapping_of(adapter: FormatAdapter, raw: RawTable) -> dict[str, str]:
    """Which header each contract field comes from (for inspect / dry-run)."""
    from micromix.ingest.formats import ColumnLookup

    out: dict[str, str] = {}
    fields = getattr(adapter, "fields", None)
    if isinstance(fields, dict):
        c = ColumnLookup(raw.frame)
        for canon, alts in fields.items():
            name = c.name(*alts)
            if name is not None:
                out[canon] = name
    elif hasattr(adapter, "_mapping"):
        out = {v: k for k, v in adapter._mapping(raw.frame.columns).items()}
    return out


def _concat_quarantine(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    keep = [p for p in parts if len(p)]
    if not keep:
        return pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    q = pd.concat(keep, ignore_index=True) if len(keep) > 1 else keep[0]
    return q.sort_values("row", kind="stable").reset_index(drop=True)


def _raw_record(raw: RawTable, pos: int) -> str:
    from micromix.schema.base import _json_safe

    rec = raw.frame.iloc[pos].to_dict()
    return json.dumps(_json_safe(rec), ensure_ascii=False)


def _quarantine_frame(
    schema: EntitySchema,
    source: str,
    now: pd.Timestamp,
    rows: Sequence[int],
    fields: Sequence[str],
    reasons: Sequence[str],
    records: Sequence[str],
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": schema.name,
            "source": source,
            "row": [int(r) for r in rows],
            "field": list(fields),
            "reason": list(reasons),
            "reasons": [f"{f}: {r}" if f else r for f, r in zip(fields, reasons)],
            "record": list(records),
            "ingested_at": now,
        },
        columns=list(QUARANTINE_COLUMNS),
    )


def _broken_records(
    schema: EntitySchema, raw: RawTable, source: str, now: pd.Timestamp
) -> pd.DataFrame:
    """Quarantine records for lines the reader could not split into fields."""
    if not raw.broken:
        return pd.DataFrame(columns=list(QUARANTINE_COLUMNS))

    def line_text(n: int) -> str:
        t = raw.line_text(n)
        t = t.encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")
        return json.dumps({"_line": t[:_MAX_RECORD_CHARS]}, ensure_ascii=False)

    return _quarantine_frame(
        schema,
        source,
        now,
        rows=[b[0] for b in raw.broken],
        fields=[b[1] for b in raw.broken],
        reasons=[b[2] for b in raw.broken],
        records=[line_text(b[0]) for b in raw.broken],
    )


def _adapter_records(
    schema: EntitySchema,
    raw: RawTable,
    data: pd.DataFrame,
    lines: np.ndarray,
    bad: np.ndarray,
    source: str,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """Quarantine records for rows the format adapter could not map."""
    pos = np.flatnonzero(bad)
    by_line = dict(zip(raw.rows, range(len(raw.rows))))
    return _quarantine_frame(
        schema,
        source,
        now,
        rows=[int(lines[i]) for i in pos],
        fields=[str(data[ERROR_FIELD].iat[i] or "") for i in pos],
        reasons=[str(data[ERROR_REASON].iat[i]) for i in pos],
        records=[_raw_record(raw, by_line[int(lines[i])]) for i in pos],
    )


# ====================================================================== writing
def ingest_file(
    store: Store,
    kind: str,
    path: str | Path,
    file_format: str | None = None,
    layout: str | FormatAdapter | None = None,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    currency: str | None = None,
    dayfirst: bool | None = None,
    window: TimeWindow | None = None,
    on_overlap: str = "refuse",
    progress: Progress | None = None,
    source: str | None = None,
    max_rows: int | None = None,
    decimal_comma: bool | None = None,
    strategy: str | None = None,
) -> IngestReport:
    """Ingest one file into ``store``: accepted rows written, bad rows quarantined, atomically.

    Parameters
    ----------
    store : micromix.store.Store
    kind : str
        ``events``, ``ads``, ``posts``, ``creators``, ``audience``, ``experiments`` or
        ``traffic``.
    path : str or Path
    file_format : str, optional
        Container format (``csv``, ``tsv``, ``jsonl``, ``json``, ``parquet``, ``xlsx``).
    layout : str or FormatAdapter, optional
        Input layout (``meta_ads``, ``google_ads`` ...); detected from the header when None.
    encoding, sheet : str, optional
        Text encoding (detected when None) and ``.xlsx`` worksheet.
    currency : str, optional
        ISO 4217 code of the money columns when the file does not state it.
    dayfirst : bool, optional
        Order of ``d/m/y`` dates (detected from the file when None).
    decimal_comma : bool, optional
        Numbers are written with a decimal comma ("1.234,56"; False: a decimal point); None:
        told by the file's cells (a file whose cells show both is refused).
    window : TimeWindow, optional
        Accepted timestamps (default 1970-01-01..2100-01-01).
    on_overlap : {"refuse", "replace", "keep"}
        What to do when the file overlaps a different export already ingested.
    progress : callable, optional
        ``progress(step, fraction)`` callback (the CLI passes a progress bar).
    source : str, optional
        The name the quarantine and the ingest log record the file under (default: its
        resolved path; the service passes one derived from the uploaded bytes).
    max_rows : int, optional
        Most rows the file may hold (:class:`~micromix.ingest.files.RowLimitError` above).
    strategy : str, optional
        File every row under this strategy (``search``, ``paid_social``, ``other`` ...)
        instead of the layout's mapping (ads and events only; see
        :mod:`micromix.ingest.strategy`).

    Returns
    -------
    IngestReport

    Raises
    ------
    InputFileError, ColumnNotFoundError, DataValidationError, OverlapError
        One sentence naming the file and what to do.
    """
    step = progress or (lambda _s, _f: None)
    prepared = prepare_file(
        kind,
        path,
        file_format,
        layout,
        encoding=encoding,
        sheet=sheet,
        currency=currency,
        dayfirst=dayfirst,
        window=window,
        progress=step,
        source=source,
        max_rows=max_rows,
        decimal_comma=decimal_comma,
        strategy=strategy,
    )
    step("writing to the store", 0.8)
    report = write_prepared(store, kind, prepared, on_overlap=on_overlap)
    step("done", 1.0)
    return report


def dry_run_report(kind: str, prepared: PreparedFile) -> IngestReport:
    """The report an ingest of ``prepared`` would give, without a store."""
    res = prepared.result
    return _report(
        kind, schema_for(kind), prepared, len(res.accepted), res.quarantine, dry_run=True
    )


def _report(
    kind: str,
    schema: EntitySchema,
    prepared: PreparedFile,
    accepted: int,
    quarantine: pd.DataFrame,
    *,
    dry_run: bool = False,
    written: Any = None,
    replaced: tuple[str, ...] = (),
    overlapping: tuple[str, ...] = (),
    removed: int = 0,
    replaced_rows: int = 0,
    inserted: int | None = None,
    updated: int | None = None,
    unchanged: int | None = None,
) -> IngestReport:
    res, raw, adapter, source, info = prepared[:5]
    currencies = (
        sorted({str(c) for c in res.accepted["currency"].dropna().unique()})
        if "currency" in res.accepted.columns
        else []
    )
    return IngestReport(
        kind=kind,
        table=schema.name,
        source=source,
        layout=adapter.lookup_name,
        file_format=raw.format,
        rows_in_file=accepted + len(quarantine),
        accepted=accepted,
        quarantined=len(quarantine),
        inserted=inserted if inserted is not None else (written.inserted if written else 0),
        updated=updated if updated is not None else (written.updated if written else 0),
        unchanged=unchanged if unchanged is not None else (written.unchanged if written else 0),
        quarantine_sample=_sample(quarantine),
        top_reasons=_top_reasons(quarantine, columns=_mapping_of(adapter, raw)),
        summary_rows=prepared.summary_rows,
        checks=tuple(prepared.checks),
        encoding=raw.encoding,
        currency=",".join(currencies) if currencies else None,
        period=info.period if info is not None else None,
        source_id=info.export_id if info is not None else None,
        replaced=replaced,
        overlaps=overlapping,
        removed=removed,
        replaced_rows=replaced_rows,
        dry_run=dry_run,
        notes=prepared.notes,
        unread_columns=prepared.unread,
    )


def write_prepared(
    store: Store, kind: str, prepared: PreparedFile, *, on_overlap: str = "refuse"
) -> IngestReport:
    """Write a :func:`prepare_file` result to ``store`` in one transaction."""
    if on_overlap not in ON_OVERLAP:
        raise ConfigError(f"on_overlap {on_overlap!r} is not one of {', '.join(ON_OVERLAP)}")
    res, raw, adapter, source, info = prepared[:5]
    schema = schema_for(kind)
    notes = prepared.notes
    if info is None or not len(res.accepted):
        # a file none of whose rows could be accepted is no export: it is not registered, so it
        # neither replaces an earlier version of itself nor overlaps anything; its quarantine
        # records and log line say what was wrong (the CLI refuses such a file and writes nothing)
        replaced = 0
        if schema.name in KEEP_UNREPORTED:
            kept, replaced = _keep_unreported(store, schema, res.accepted)
            res = dataclasses.replace(res, accepted=kept)
        with store.transaction():
            report = _write(store, kind, schema, res, source, adapter.lookup_name, raw.format)
            if len(res.accepted):
                _drop_stale_quarantine(store, schema.name, source, res.quarantine)
        if replaced:
            notes = (*notes, _replaced_note(replaced))
        return _report(
            kind,
            schema,
            prepared._replace(notes=notes),
            report.accepted,
            res.quarantine,
            inserted=report.inserted,
            updated=report.updated,
            unchanged=report.unchanged,
        )
    now = pd.Timestamp.now(tz="UTC")
    # a store made by an older micromix gains the newer (empty) columns first, outside the
    # write: DuckDB refuses to commit rows into a table altered within the same write
    _ensure_columns(store, schema)
    _ensure_registry_columns(store)
    with store.transaction():
        registry = read_registry(store, schema.name)
        export_id = info.export_id
        # earlier versions of this export: the same report, or whatever was ingested from this
        # very path before (a file fixed or re-downloaded in place)
        prev_ids = [export_id] + [r[1] for r in registry if r[2] == source and r[1] != export_id]
        others = [r for r in registry if r[1] not in prev_ids and overlaps(info, r[0])]
        if on_overlap == "refuse":
            # an export kept beside an earlier version of this one (--keep-both) already lives
            # beside it by the user's choice: re-ingesting this export asks nothing again
            prev = [r[0] for r in registry if r[1] in prev_ids]
            others = [r for r in others if not any(overlaps(p, r[0]) for p in prev)]
        if others and on_overlap == "refuse":
            o_info, _oid, o_path, o_at = others[0]
            raise OverlapError(
                f"{source}: overlaps {o_path} (ingested {o_at:%Y-%m-%d %H:%M}): both hold "
                f"{info.describe()} vs {o_info.describe()}, whose rows would be counted twice"
                + overlap_advice(info, o_info, source, o_path),
                paths=[o_path],
            )
        old_rows = _rows_of(store, schema.name, prev_ids)
        drop_ids = prev_ids + ([r[1] for r in others] if on_overlap == "replace" else [])
        gone = (
            _count_of(store, schema.name, [r[1] for r in others])
            if on_overlap == "replace" and others
            else 0
        )
        old_paths = [r[2] for r in registry if r[1] in drop_ids]
        if store.has_table(schema.name):
            store.delete_where(schema.name, "source_id", drop_ids)
        stale_paths = sorted(set(old_paths) - {source})
        if stale_paths and store.has_table("quarantine"):
            store.delete_where("quarantine", "source", stale_paths)
        if store.has_table(REGISTRY_TABLE):
            store.delete_where(REGISTRY_TABLE, "source_id", drop_ids)
        _write(store, kind, schema, res, source, adapter.lookup_name, raw.format)
        _drop_stale_quarantine(store, schema.name, source, res.quarantine)
        store.append(
            REGISTRY_TABLE,
            registry_frame(info, source, len(res.accepted), now, totals=prepared.totals),
        )
    ins, upd, unch, removed = _diff(old_rows, res.accepted, schema)
    moved = _currency_change_note(old_rows, res.accepted)
    return _report(
        kind,
        schema,
        prepared._replace(notes=(*notes, moved)) if moved else prepared,
        len(res.accepted),
        res.quarantine,
        replaced=tuple(r[2] for r in others) if on_overlap == "replace" else (),
        overlapping=tuple(r[2] for r in others) if on_overlap == "keep" else (),
        removed=removed,
        replaced_rows=gone,
        inserted=ins,
        updated=upd,
        unchanged=unch,
    )


_ENGINE_TYPES = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
}


#: tables whose rows a later file updates: a descriptive cell the file leaves empty (a ranking
#: without niches, a creator whose country this list does not know) keeps what the store holds
#: for that key; a filled cell replaces it
KEEP_UNREPORTED = ("creators",)
#: a creator's measured figures: one scrape's, taken on one day. A newer list reporting any of
#: them replaces them as a whole (never followers from one scrape beside engagement of another)
SCRAPE_FIELDS = (
    "followers",
    "following",
    "posts",
    "avg_likes",
    "avg_engagement",
    "engagement_rate",
    "total_likes",
)


def _keep_unreported(
    store: Store, schema: EntitySchema, rows: pd.DataFrame
) -> tuple[pd.DataFrame, int]:
    """``rows`` with their empty cells filled from the store's row of the same key (a second
    creator list must not blank what the first one said about a creator), and how many rows
    dropped stored figures.

    Descriptive fields (name, niche, country ...) are filled cell by cell. The measured figures
    (:data:`SCRAPE_FIELDS`) go together: a row reporting any of them brings all of its own
    (its blanks included) and keeps none of the stored ones; a row reporting none keeps the
    stored figures. The count returned is the rows whose stored figures this file's replaced
    and left without a figure the earlier list gave (a note says so).
    """
    key = list(schema.key)
    if not len(rows) or not store.has_table(schema.name) or not store.count(schema.name):
        return rows, 0
    have = set(store.columns(schema.name))
    fields = [c for c in schema.columns if c not in key and c in have]
    if not fields or not all(k in rows for k in key):
        return rows, 0
    stored = store.read(schema.name, columns=[*key, *fields]).drop_duplicates(key, keep="last")
    if not len(stored):
        return rows, 0
    merged = rows[key].merge(stored, on=key, how="left")
    out = rows.copy()
    counts = [c for c in SCRAPE_FIELDS if c in fields]
    own = [c for c in counts if c in out]
    reports = (
        out[own].notna().any(axis=1).to_numpy(dtype=bool) if own else np.zeros(len(out), dtype=bool)
    )
    dropped = np.zeros(len(out), dtype=bool)
    for c in fields:
        kept = merged[c].to_numpy()
        if c in counts:
            had = merged[c].notna().to_numpy(dtype=bool)
            new = out[c].notna().to_numpy(dtype=bool) if c in out else np.zeros(len(out), bool)
            dropped |= reports & had & ~new
            keep = ~reports
        else:
            keep = np.ones(len(out), dtype=bool)
        if c not in out:
            out[c] = pd.Series(kept, index=out.index).where(keep)
        else:
            out[c] = out[c].where(out[c].notna() | ~keep, kept)
    return out, int(dropped.sum())


def _replaced_note(n: int) -> str:
    """The note on creators whose stored figures a newer list replaced as a whole."""
    return (
        f"{n} creator(s) already stored take this file's figures as a whole (followers, "
        "posts, likes, engagement are one scrape's, never blended with another list's): the "
        "figures the earlier list gave and this one leaves empty are no longer stored for them"
    )


def _drop_stale_quarantine(store: Store, table: str, source: str, quarantine: pd.DataFrame) -> None:
    """Remove the quarantine records of ``source`` that this ingest of it did not make: a file
    re-ingested (fixed in place) has its quarantine replaced, not added to."""
    if not store.has_table("quarantine"):
        return
    t = store.table("quarantine")
    old = store.execute(t.filter((t.kind == table) & (t.source == source)).select("row"))
    keep = {int(r) for r in quarantine["row"]} if len(quarantine) else set()
    stale = sorted({int(r) for r in old["row"]} - keep)
    if stale:
        store._delete_quarantined(table, source, stale)


def _ensure_columns(store: Store, schema: EntitySchema) -> None:
    """Add contract columns a store created by an older micromix lacks (DuckDB stores)."""
    if not store.has_table(schema.name) or store.engine != "duckdb":
        return
    have = set(store.table(schema.name).columns)
    for f in schema.fields:
        if f.name not in have:
            store.sql(f'ALTER TABLE "{schema.name}" ADD COLUMN "{f.name}" {_ENGINE_TYPES[f.dtype]}')


def _ensure_registry_columns(store: Store) -> None:
    """Add the registry columns a store created by an older micromix lacks (DuckDB stores)."""
    if not store.has_table(REGISTRY_TABLE) or store.engine != "duckdb":
        return
    if "totals" not in store.table(REGISTRY_TABLE).columns:
        store.sql(f'ALTER TABLE "{REGISTRY_TABLE}" ADD COLUMN "totals" VARCHAR')


def _count_of(store: Store, table: str, ids: list[str]) -> int:
    """Rows of the exports ``ids`` in ``table``, counted in the engine (not read)."""
    if not store.has_table(table) or "source_id" not in store.columns(table):
        return 0
    t = store.table(table)
    return int(store.execute(t.filter(t.source_id.isin(ids)).count()))


def _rows_of(store: Store, table: str, ids: list[str]) -> pd.DataFrame:
    if not store.has_table(table):
        return pd.DataFrame()
    t = store.table(table)
    if "source_id" not in t.columns:
        return pd.DataFrame()
    return store.execute(t.filter(t.source_id.isin(ids)))


def _diff(old: pd.DataFrame, new: pd.DataFrame, schema: EntitySchema) -> tuple[int, int, int, int]:
    """inserted, updated, unchanged, removed between a previous version of an export and this."""
    if not len(old):
        return len(new), 0, 0, 0
    key = ["source_row"]
    cols = [c for c in schema.columns if c in old.columns and c in new.columns and c != "source_id"]
    o = old[cols].astype("string").fillna("\x00")
    n = new[cols].astype("string").fillna("\x00")
    o_keys = set(o["source_row"])
    n_keys = set(n["source_row"])
    both = o_keys & n_keys
    merged = n[n["source_row"].isin(both)].merge(
        o[o["source_row"].isin(both)], on=key, suffixes=("", "_old")
    )
    same = np.ones(len(merged), dtype=bool)
    for c in cols:
        if c not in key:
            same &= (merged[c] == merged[c + "_old"]).to_numpy(dtype=bool)
    unchanged = int(same.sum())
    return len(n_keys - o_keys), len(merged) - unchanged, unchanged, len(o_keys - n_keys)


def _currency_change_note(old: pd.DataFrame, new: pd.DataFrame) -> str | None:
    """A note when this version of an export books stored rows in another currency than the
    previous one did (the same file ingested again with another ``--currency``): how many
    stored rows changed currency, from what to what. micromix never converts: the amounts
    stay, only the currency they are read in changes."""
    if not len(old) or "currency" not in old.columns or "currency" not in new.columns:
        return None
    # the same row is the same content (every field but its currency), wherever its line: a
    # re-download with one more row at the top moves every line number by one
    skip = {"currency", "source_row", "source_id", "ingested_at"}
    key = [c for c in new.columns if c in old.columns and c not in skip]
    if not key:
        return None
    n = new[[*key, "currency"]].astype("string").fillna("\x00")
    o = old[[*key, "currency"]].astype("string").fillna("\x00")
    n = n.drop_duplicates(key, keep=False)  # a row repeated in a file matches nothing surely
    o = o.drop_duplicates(key, keep=False)
    both = n.merge(o, on=key, suffixes=("", "_old")).replace("\x00", pd.NA)
    was = both["currency_old"].astype("string").fillna("no currency")
    now = both["currency"].astype("string").fillna("no currency")
    changed = both[(was != now).to_numpy(dtype=bool)]
    if not len(changed):
        return None
    pairs = Counter(zip(was[changed.index], now[changed.index]))
    said = listed(
        [f"{n:,} from {a} to {b}" for (a, b), n in pairs.most_common()], what="currency changes"
    )
    return (
        f"{len(changed):,} stored row(s) of this export changed currency ({said}): their amounts "
        "are unchanged, only read in the new currency (micromix never converts); if the earlier "
        "currency was right, ingest the file again with it"
    )


def ingest_frame(
    store: Store,
    kind: str,
    df: pd.DataFrame,
    source: str,
    *,
    ingested_at: pd.Timestamp | None = None,
) -> IngestReport:
    """Ingest a DataFrame (e.g. an API batch or the simulator's) with the same guarantees.

    Rows are numbered from 1 in the frame's order; bad rows are quarantined under ``source``.
    The one contract validator reads typed columns without converting them to text.
    """
    schema = schema_for(kind)
    res = validate_frame(schema, df, source=source, ingested_at=ingested_at)
    return write_validated(store, kind, res, source)


def write_validated(
    store: Store,
    kind: str,
    res: ValidationResult,
    source: str,
    *,
    accepted: pa.Table | None = None,
) -> IngestReport:
    """Write a :func:`validate_frame` result of ``kind`` to ``store`` in one transaction.

    :func:`ingest_frame` is ``validate_frame`` then this; the two halves apart let a caller
    validate elsewhere (the API validates large event batches in a worker process) and write
    here, under its write lock.

    Parameters
    ----------
    accepted : pyarrow.Table, optional
        ``res.accepted`` already in the store's Arrow form
        (:func:`micromix.store.base.to_arrow`), written instead of ``res.accepted``: a worker
        process that validated the rows converts them too.
    """
    return _write(
        store, kind, schema_for(kind), res, source, "frame", "dataframe", accepted=accepted
    )


def validate_frame(
    schema: EntitySchema,
    df: pd.DataFrame,
    source: str = "frame",
    ingested_at: pd.Timestamp | None = None,
) -> ValidationResult:
    """Validate a frame against ``schema`` (rows numbered from 1): :meth:`EntitySchema.validate`.

    Raises
    ------
    DataValidationError
        A required column is absent altogether.
    """
    data = df.reset_index(drop=True)
    return schema.validate(
        data, rows=list(range(1, len(data) + 1)), source=source, ingested_at=ingested_at
    )


def _write(
    store: Store,
    kind: str,
    schema: EntitySchema,
    res: ValidationResult,
    source: str,
    layout: str,
    file_format: str,
    *,
    accepted: pa.Table | None = None,
) -> IngestReport:
    rows: pd.DataFrame | pa.Table = res.accepted if accepted is None else accepted
    quarantine = _keep_first_seen(store, schema, source, res.quarantine)
    log = {
        "source": source,
        "kind": schema.name,
        "format": f"{file_format}/{layout}",
        "rows_in_file": len(rows) + len(quarantine),
        "accepted": len(rows),
        "quarantined": len(quarantine),
        "_rows": list(res.rows_accepted),
    }
    written = store.write_ingest(schema, rows, quarantine, log)
    return IngestReport(
        kind=kind,
        table=schema.name,
        source=source,
        layout=layout,
        file_format=file_format,
        rows_in_file=len(rows) + len(quarantine),
        accepted=len(rows),
        quarantined=len(quarantine),
        inserted=written.inserted,
        updated=written.updated,
        unchanged=written.unchanged,
        quarantine_sample=_sample(quarantine),
        top_reasons=_top_reasons(quarantine),
    )


def _keep_first_seen(
    store: Store, schema: EntitySchema, source: str, quarantine: pd.DataFrame
) -> pd.DataFrame:
    """Give records identical to stored ones their stored ``ingested_at`` (re-ingest = no-op)."""
    if not len(quarantine) or not store.has_table("quarantine"):
        return quarantine
    t = store.table("quarantine")
    old = store.execute(
        t.filter((t.kind == schema.name) & (t.source == source)).select(
            "row", "field", "reasons", "record", "ingested_at"
        )
    )
    if not len(old):
        return quarantine
    old = old.drop_duplicates("row")
    merged = quarantine[["row", "field", "reasons", "record"]].merge(
        old, on="row", how="left", suffixes=("", "_old")
    )
    same = (
        (
            (merged["field"] == merged["field_old"])
            & (merged["reasons"] == merged["reasons_old"])
            & (merged["record"] == merged["record_old"])
        )
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    if not same.any():
        return quarantine
    out = quarantine.copy()
    stamps = pd.to_datetime(out["ingested_at"], utc=True)
    prev = pd.to_datetime(merged["ingested_at"], utc=True)
    stamps = stamps.where(~same, prev.to_numpy())
    out["ingested_at"] = stamps
    return out


def _sample(quarantine: pd.DataFrame, n: int = QUARANTINE_SAMPLE) -> tuple[dict[str, Any], ...]:
    head = quarantine.head(n)
    return tuple(
        {"row": int(r), "field": str(f or ""), "reason": str(why)}
        for r, f, why in zip(head["row"], head["field"], head["reason"])
    )


_VALUE_PATTERNS = (
    (re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""), "<value>"),
    (re.compile(r"\{[^}]*\}"), "<key>"),
    (re.compile(r"(got|line|column) -?[0-9][0-9.eE+-]*"), r"\1 <n>"),
    (re.compile(r"\b[0-9]+ fields\b"), "<n> fields"),
    (re.compile(r"\(.*\)$"), ""),
)


def _reason_kind(reason: str) -> str:
    out = reason
    for pat, rep in _VALUE_PATTERNS:
        out = pat.sub(rep, out)
    return out.strip()


def _top_reasons(
    quarantine: pd.DataFrame, n: int = 8, lines: int = 5, columns: dict[str, str] | None = None
) -> tuple[dict[str, Any], ...]:
    """Quarantine reasons grouped by field and kind of problem, most frequent first.

    ``columns`` maps a contract field to the file's header it was read from: each reason then
    names that ``column`` too (a Meta export's "Campaign name" is the field ``campaign_id``), so
    the user finds the cell in their own file."""
    if not len(quarantine):
        return ()
    kinds = [
        (str(f or ""), _reason_kind(str(r)))
        for f, r in zip(quarantine["field"], quarantine["reason"])
    ]
    counts = Counter(kinds)
    first: dict[tuple[str, str], list[int]] = {}
    example: dict[tuple[str, str], str] = {}
    for k, row, why in zip(kinds, quarantine["row"], quarantine["reason"]):
        rows = first.setdefault(k, [])
        example.setdefault(k, str(why))
        if len(rows) < lines:
            rows.append(int(row))
    named = columns or {}
    return tuple(
        {
            "field": k[0],
            "column": named.get(k[0]),
            "reason": example[k],
            "count": c,
            "rows": first[k],
        }
        for k, c in counts.most_common(n)
    )
