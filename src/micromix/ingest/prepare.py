"""Preparing a file: read, map onto the contract, validate, quarantine - without a store
(:func:`prepare_file`, :func:`dry_run_report`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

import micromix.ingest.ads_exports
import micromix.ingest.social_exports
import micromix.ingest.traffic_exports  # noqa: F401  (registers the layouts)
from micromix.errors import ConfigError, DataValidationError, InputFileError
from micromix.ingest.currency import _apply_currency, _check_currency_option, _mark_row_error
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
    ExportInfo,
)
from micromix.ingest.marks import _read_decimal_marks, _refuse_day_order
from micromix.ingest.quarantine import (
    _adapter_records,
    _broken_records,
    _concat_quarantine,
    _mapping_of,
    _raw_record,
    _sample,
    _top_reasons,
)
from micromix.ingest.report import IngestReport, Progress
from micromix.ingest.strategy import (
    apply_strategy,
    override_note,
    strategy_note,
    strategy_option,
)
from micromix.ingest.totals import _cross_check, _refuse_junk, _summary_totals, _totals_beyond_rows
from micromix.schema import (
    EntitySchema,
    TimeWindow,
    ValidationResult,
    schema_for,
)
from micromix.schema.values import (
    detect_dayfirst,
)

__all__ = [
    "PreparedFile",
    "dry_run_report",
    "prepare_file",
]


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
    before = canon["strategy"].copy() if strategy and "strategy" in canon.columns else None
    apply_strategy(canon, strategy)
    notes = _read_decimal_marks(schema, adapter, raw, canon, decimal_comma, source)
    lines = np.asarray(raw.rows)
    is_summary = (
        canon[SUMMARY].notna().to_numpy()
        if SUMMARY in canon.columns
        else np.zeros(len(canon), bool)
    )
    if before is not None and strategy is not None:
        said = override_note(
            before[~is_summary], strategy, column=_mapping_of(adapter, raw).get("strategy")
        )
        notes = (*notes, *((said,) if said else ()))
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
    erased: int = 0,
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
        rows_in_file=accepted + len(quarantine) + erased,
        accepted=accepted,
        quarantined=len(quarantine),
        erased=erased,
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
