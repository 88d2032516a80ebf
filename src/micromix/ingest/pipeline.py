"""Ingest with quarantine: every row of a file is either accepted into the store or quarantined
with its line, field and reason — nothing is dropped silently.

Guarantees
----------
* ``accepted + quarantined == rows_in_file`` (data rows: the header, ``====`` rule lines and
  blank lines are not rows).
* Re-ingesting the same file changes nothing: accepted rows are upserted by the contract key
  (``unchanged == accepted``) and quarantine records keep their first ``ingested_at``.
* Atomic: accepted rows, quarantine records and the ``ingest_log`` line are written in one
  transaction; a failure half-way leaves the store exactly as it was.

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
(1, 1, "'yesterday' is not a valid date/time")
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from micromix.errors import DataValidationError, InputFileError
from micromix.ingest.files import RawTable, read_raw
from micromix.ingest.formats import (
    ERROR_FIELD,
    ERROR_REASON,
    FormatAdapter,
    detect_format,
    get_format,
)
from micromix.schema import (
    QUARANTINE_COLUMNS,
    EntitySchema,
    ValidationResult,
    parse_timestamps,
    schema_for,
)
from micromix.schema.base import _pandas_dtype

__all__ = [
    "QUARANTINE_SAMPLE",
    "IngestReport",
    "PreparedFile",
    "ingest_file",
    "ingest_frame",
    "prepare_file",
    "validate_frame",
    "write_prepared",
]

#: quarantine records listed in a report (``--json``: ``quarantine_sample``)
QUARANTINE_SAMPLE = 20
#: longest raw text kept for a structurally broken line
_MAX_RECORD_CHARS = 4000

Progress = Callable[[str, float], None]


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
        ``accepted + quarantined == rows_in_file``.
    inserted, updated, unchanged : int
        What the accepted rows did to the store (new keys, changed rows, identical rows).
    quarantine_sample : tuple of dict
        The first quarantine records by line: ``row``, ``field``, ``reason``.
    top_reasons : tuple of dict
        Quarantine reasons grouped by field and kind of problem: ``field``, ``reason``,
        ``count``, ``rows`` (first lines).
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
            "rows_in_file": self.rows_in_file,
            "accepted": self.accepted,
            "quarantined": self.quarantined,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
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


def prepare_file(
    kind: str,
    path: str | Path,
    file_format: str | None = None,
    layout: str | FormatAdapter | None = None,
    *,
    ingested_at: pd.Timestamp | None = None,
    progress: Progress | None = None,
) -> PreparedFile:
    """Read, map and validate ``path`` without touching a store (see :func:`ingest_file`).

    Returns
    -------
    PreparedFile
        A named tuple of:
    result : ValidationResult
        Typed accepted rows and every quarantine record (broken lines included), by line.
    raw : RawTable
    adapter : FormatAdapter
    source : str
        The absolute path used as the quarantine ``source``.
    """
    step = progress or (lambda _s, _f: None)
    schema = schema_for(kind)
    p = Path(path).expanduser()
    source = str(p.resolve())
    now = ingested_at if ingested_at is not None else pd.Timestamp.now(tz="UTC")
    step(f"reading {p.name}", 0.05)
    raw = read_raw(p, file_format)
    if raw.total == 0:
        raise InputFileError(
            f"{p}: the file has no data rows (only a header); export the data again"
        )
    if isinstance(layout, FormatAdapter):
        adapter = layout
    elif layout is not None:
        adapter = get_format(layout, kind)
    else:
        adapter = None
    parts: list[pd.DataFrame] = [_broken_records(schema, raw, source, now)]
    accepted = schema.validate(
        pd.DataFrame(columns=schema.columns), rows=[], source=source
    ).accepted
    rows_ok: list[int] = []
    if len(raw.rows):
        if adapter is None:
            adapter = detect_format(raw.frame.columns, kind, source)
        else:
            adapter.check(raw.frame.columns, source)
        step(f"mapping {adapter.lookup_name} layout", 0.25)
        canon = adapter.to_canonical(raw).reset_index(drop=True)
        if len(canon) != len(raw.rows):  # pragma: no cover - adapter contract
            raise AssertionError(f"{adapter.lookup_name} changed the number of rows")
        lines = np.asarray(raw.rows)
        bad = (
            canon[ERROR_REASON].notna().to_numpy()
            if ERROR_REASON in canon.columns
            else np.zeros(len(canon), dtype=bool)
        )
        if bad.any():
            parts.append(_adapter_records(schema, raw, canon, bad, source, now))
        canon = canon.drop(columns=[c for c in (ERROR_FIELD, ERROR_REASON) if c in canon.columns])
        step(f"validating {int((~bad).sum()):,} rows", 0.5)
        res = schema.validate(
            canon.loc[~bad].reset_index(drop=True),
            rows=lines[~bad].tolist(),
            source=source,
            ingested_at=now,
        )
        if len(res.quarantine):
            q = res.quarantine.copy()
            by_line = dict(zip(raw.rows, range(len(raw.rows))))
            q["record"] = [_raw_record(raw, by_line[int(r)]) for r in q["row"]]
            parts.append(q)
        accepted, rows_ok = res.accepted, res.rows_accepted
    elif adapter is None:
        adapter = get_format("canonical", kind)
    quarantine = _concat_quarantine(parts)
    return PreparedFile(ValidationResult(accepted, quarantine, rows_ok), raw, adapter, source)


def _concat_quarantine(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    keep = [p for p in parts if len(p)]
    if not keep:
        return pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    q = pd.concat(keep, ignore_index=True) if len(keep) > 1 else keep[0]
    return q.sort_values("row", kind="stable").reset_index(drop=True)


def _raw_record(raw: RawTable, pos: int) -> str:
    rec = raw.frame.iloc[pos].to_dict()
    clean = {
        str(k): (None if v is None or (isinstance(v, float) and v != v) else _safe_text(v))
        for k, v in rec.items()
    }
    return json.dumps(clean, ensure_ascii=False)


def _safe_text(v: object) -> str:
    return str(v).encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


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
    lines: list[str] = []
    if raw.format in ("csv", "tsv", "jsonl"):
        text = raw.path.read_bytes().decode("utf-8", errors="replace")
        lines = text.removeprefix("\ufeff").splitlines()

    def line_text(n: int) -> str:
        t = lines[n - 1] if 0 < n <= len(lines) else ""
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
    canon: pd.DataFrame,
    bad: np.ndarray,
    source: str,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """Quarantine records for rows the format adapter could not map."""
    pos = np.flatnonzero(bad)
    return _quarantine_frame(
        schema,
        source,
        now,
        rows=[raw.rows[i] for i in pos],
        fields=[str(canon[ERROR_FIELD].iat[i] or "") for i in pos],
        reasons=[str(canon[ERROR_REASON].iat[i]) for i in pos],
        records=[_raw_record(raw, int(i)) for i in pos],
    )


# ====================================================================== writing
def ingest_file(
    store: Any,
    kind: str,
    path: str | Path,
    file_format: str | None = None,
    layout: str | FormatAdapter | None = None,
    *,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest one file into ``store``: accepted rows upserted, bad rows quarantined, atomically.

    Parameters
    ----------
    store : micromix.store.Store
    kind : str
        ``events``, ``ads``, ``posts``, ``creators``, ``audience`` or ``experiments``.
    path : str or Path
    file_format : str, optional
        Container format (``csv``, ``tsv``, ``jsonl``, ``json``, ``parquet``); detected when None.
    layout : str or FormatAdapter, optional
        Input layout (``meta_ads``, ``ga4_bigquery`` ...); detected from the header when None.
    progress : callable, optional
        ``progress(step, fraction)`` callback (the CLI passes a progress bar).

    Returns
    -------
    IngestReport
        Rows in the file, accepted, quarantined, inserted / updated / unchanged and the first
        quarantine reasons. A file whose rows are all quarantined is still recorded (the
        quarantine keeps them); the report then has ``ok == False``.

    Raises
    ------
    InputFileError
        The file is missing, empty or unreadable.
    ColumnNotFoundError
        The header fits no layout (or not the one given), naming the missing columns.
    """
    step = progress or (lambda _s, _f: None)
    prepared = prepare_file(kind, path, file_format, layout, progress=step)
    step("writing to the store", 0.8)
    report = write_prepared(store, kind, prepared)
    step("done", 1.0)
    return report


def write_prepared(store: Any, kind: str, prepared: PreparedFile) -> IngestReport:
    """Write a :func:`prepare_file` result to ``store`` in one transaction."""
    res, raw, adapter, source = prepared
    return _write(
        store, kind, schema_for(kind), res, source, adapter.lookup_name, raw.format, raw.total
    )


def ingest_frame(
    store: Any, kind: str, df: pd.DataFrame, source: str, *, ingested_at: pd.Timestamp | None = None
) -> IngestReport:
    """Ingest an already-typed DataFrame (e.g. from the simulator) with the same guarantees.

    Rows are numbered from 1 in the frame's order; bad rows are quarantined under ``source``.
    Validation is vectorised (see :func:`validate_frame`), so large frames are cheap.
    """
    schema = schema_for(kind)
    res = validate_frame(schema, df, source=source, ingested_at=ingested_at)
    return _write(store, kind, schema, res, source, "frame", "dataframe", len(df))


def _write(
    store: Any,
    kind: str,
    schema: EntitySchema,
    res: ValidationResult,
    source: str,
    layout: str,
    file_format: str,
    total: int,
) -> IngestReport:
    quarantine = _keep_first_seen(store, schema, source, res.quarantine)
    log = {
        "source": source,
        "kind": schema.name,
        "format": f"{file_format}/{layout}",
        "rows_in_file": int(total),
        "accepted": len(res.accepted),
        "quarantined": len(quarantine),
        "_rows": list(res.rows_accepted),
    }
    written = store.write_ingest(schema, res.accepted, quarantine, log)
    return IngestReport(
        kind=kind,
        table=schema.name,
        source=source,
        layout=layout,
        file_format=file_format,
        rows_in_file=int(total),
        accepted=len(res.accepted),
        quarantined=len(quarantine),
        inserted=written.inserted,
        updated=written.updated,
        unchanged=written.unchanged,
        quarantine_sample=_sample(quarantine),
        top_reasons=_top_reasons(quarantine),
    )


def _keep_first_seen(
    store: Any, schema: EntitySchema, source: str, quarantine: pd.DataFrame
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
    quarantine: pd.DataFrame, n: int = 8, lines: int = 5
) -> tuple[dict[str, Any], ...]:
    """Quarantine reasons grouped by field and kind of problem, most frequent first."""
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
    return tuple(
        {"field": k[0], "reason": example[k], "count": c, "rows": first[k]}
        for k, c in counts.most_common(n)
    )


# ====================================================================== typed frames
_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0"})


def validate_frame(
    schema: EntitySchema,
    df: pd.DataFrame,
    source: str = "frame",
    ingested_at: pd.Timestamp | None = None,
) -> ValidationResult:
    """Vectorised validation of an already-typed frame against ``schema``.

    Same outcome as :meth:`EntitySchema.validate` on text cells (types coerced, required
    values, minimums, allowed values, duplicate keys), without converting every cell to text.
    Rows are numbered from 1.

    Raises
    ------
    DataValidationError
        A required column is absent altogether.
    """
    n = len(df)
    data = df.reset_index(drop=True)
    absent = [f.name for f in schema.fields if f.required and f.name not in data.columns]
    if absent:
        raise DataValidationError(
            f"{source}: required column(s) {', '.join(map(repr, absent))} for {schema.name} not "
            f"found (columns present: {', '.join(map(str, data.columns[:25]))}); add them"
        )
    reasons: dict[int, list[tuple[str, str]]] = {}
    out: dict[str, pd.Series] = {}
    for f in schema.fields:
        col = data[f.name] if f.name in data.columns else None
        typed, bad, why = _coerce_typed(f, col, n)
        out[f.name] = typed
        for i in np.flatnonzero(bad):
            reasons.setdefault(int(i), []).append((f.name, why(int(i))))
    typed_df = pd.DataFrame(out)
    bad_mask = np.zeros(n, dtype=bool)
    if reasons:
        bad_mask[list(reasons)] = True
    keys = typed_df.loc[~bad_mask, list(schema.key)]
    dup = keys.duplicated(keep="first").to_numpy()
    if dup.any():
        involved = keys[keys.duplicated(keep=False).to_numpy()]
        first_row: dict[tuple[Any, ...], int] = {}
        for idx, k in zip(involved.index, map(tuple, involved.astype(object).to_numpy())):
            first_row.setdefault(k, int(idx) + 1)
        for dup_idx in keys.index[dup]:
            k = tuple(keys.loc[dup_idx].astype(object).to_numpy())
            reasons.setdefault(int(dup_idx), []).append(
                (
                    schema.key[0],
                    f"duplicate key {dict(zip(schema.key, map(str, k)))} (same as row {first_row[k]})",
                )
            )
            bad_mask[dup_idx] = True
    accepted = typed_df.loc[~bad_mask].reset_index(drop=True)
    now = ingested_at if ingested_at is not None else pd.Timestamp.now(tz="UTC")
    bad_idx = sorted(reasons)
    records = []
    for pos in bad_idx:
        rec = data.iloc[pos].to_dict()
        records.append(
            json.dumps({str(k): _json_value(v) for k, v in rec.items()}, ensure_ascii=False)
        )
    quarantine = _quarantine_frame(
        schema,
        source,
        now,
        rows=[i + 1 for i in bad_idx],
        fields=[reasons[i][0][0] for i in bad_idx],
        reasons=[reasons[i][0][1] for i in bad_idx],
        records=records,
    )
    quarantine["reasons"] = ["; ".join(f"{f}: {r}" for f, r in reasons[i]) for i in bad_idx]
    return ValidationResult(accepted, quarantine, (np.flatnonzero(~bad_mask) + 1).tolist())


def _json_value(v: object) -> object:
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, np.generic):
        return v.item()
    return str(v)


def _coerce_typed(
    f: Any, col: pd.Series | None, n: int
) -> tuple[pd.Series, np.ndarray, Callable[[int], str]]:
    """Typed column, bad-row mask and a reason builder for one contract field."""
    if col is None:
        empty = pd.Series([None] * n, dtype=object).astype(_pandas_dtype(f.dtype))
        bad = np.full(n, f.required)
        return empty, bad, lambda i: "required value is missing"
    why: dict[int, str] = {}

    def flag(mask: np.ndarray, message: Callable[[int], str]) -> None:
        for i in np.flatnonzero(mask):
            why.setdefault(int(i), message(int(i)))

    if f.dtype == "string":
        typed = col if isinstance(col.dtype, pd.StringDtype) else col.astype("string")
        typed = typed.where((typed.str.strip() != "").fillna(False).to_numpy(dtype=bool))
        if f.allowed is not None:
            vals = typed.dropna().unique()
            lower = {v: v.lower() for v in vals}
            if any(k != v for k, v in lower.items()):
                typed = typed.str.lower()
            bad_vals = [v for v in set(lower.values()) if v not in f.allowed]
            if bad_vals:
                flag(
                    typed.isin(bad_vals).to_numpy(dtype=bool),
                    lambda i: f"{typed.iat[i]!r} is not one of {', '.join(f.allowed)}",
                )
    elif f.dtype in ("int", "float"):
        num = (
            col
            if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
            else pd.to_numeric(col, errors="coerce")
        )
        flag(
            (col.notna() & num.isna()).to_numpy(dtype=bool),
            lambda i: f"{col.iat[i]!r} is not a number",
        )
        asf = num.astype("Float64")
        flag(
            (asf.notna() & ~np.isfinite(asf.fillna(0.0).astype("float64"))).to_numpy(dtype=bool),
            lambda i: "value is not finite",
        )
        if f.dtype == "int":
            flag(
                (asf.notna() & (asf % 1 != 0)).fillna(False).to_numpy(dtype=bool),
                lambda i: f"{col.iat[i]!r} is not a whole number",
            )
        if f.minimum is not None:
            flag(
                (asf < f.minimum).fillna(False).to_numpy(dtype=bool),
                lambda i: f"must be >= {f.minimum:g}, got {col.iat[i]}",
            )
        finite = asf.where(np.isfinite(asf.fillna(0.0).astype("float64")))
        typed = (
            finite.where(finite % 1 == 0).round().astype("Int64") if f.dtype == "int" else finite
        )
    elif f.dtype == "bool":
        if pd.api.types.is_bool_dtype(col):
            typed = col.astype("boolean")
        else:
            low = col.astype("string").str.strip().str.lower()
            typed = pd.Series(pd.NA, index=col.index, dtype="boolean")
            typed[low.isin(_TRUE).fillna(False).to_numpy(dtype=bool)] = True
            typed[low.isin(_FALSE).fillna(False).to_numpy(dtype=bool)] = False
            flag(
                (low.notna() & (low != "") & typed.isna()).to_numpy(dtype=bool),
                lambda i: f"{col.iat[i]!r} is not true/false",
            )
    else:
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            ts = col.dt.tz_convert("UTC")
        elif pd.api.types.is_datetime64_dtype(col):
            ts = col.dt.tz_localize("UTC")
        else:
            ts = parse_timestamps(col)
            flag(
                (col.notna() & ts.isna()).to_numpy(dtype=bool),
                lambda i: (
                    f"{col.iat[i]!r} is not a valid {'date' if f.dtype == 'date' else 'date/time'}"
                ),
            )
        ts = ts.astype("datetime64[us, UTC]")
        typed = ts.dt.tz_localize(None).dt.normalize() if f.dtype == "date" else ts
    if f.required:
        flag(typed.isna().to_numpy(dtype=bool), lambda i: "required value is missing")
    bad = np.zeros(n, dtype=bool)
    if why:
        bad[list(why)] = True
        typed = typed.where(~bad)
    return typed.reset_index(drop=True), bad, lambda i: why[i]
