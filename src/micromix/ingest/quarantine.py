"""Quarantine records: the rows of a file micromix could not take, with their line, field,
reason and raw record, and how a report lists them (a sample, the top reasons)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from micromix.ingest.files import RawTable
from micromix.ingest.formats import (
    ERROR_FIELD,
    ERROR_REASON,
    FormatAdapter,
)
from micromix.schema import (
    QUARANTINE_COLUMNS,
    EntitySchema,
)

__all__ = [
    "QUARANTINE_SAMPLE",
]

#: quarantine records listed in a report (``--json``: ``quarantine_sample``)
QUARANTINE_SAMPLE = 20

#: longest raw text kept for a structurally broken line
_MAX_RECORD_CHARS = 4000


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
