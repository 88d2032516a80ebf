"""An export's own total rows: the cross-check of the rows against them, and the refusal of
a layout that maps required fields to nothing usable (junk)."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from micromix.errors import DataValidationError
from micromix.ingest.formats import (
    SUMMARY,
    FormatAdapter,
)
from micromix.schema import (
    EntitySchema,
    ValidationResult,
    read_numbers,
)

__all__ = [
    "JUNK_SHARE",
]

#: share of rows above which a required field mapped to nothing usable refuses the file
JUNK_SHARE = 0.5

#: measures summed for the cross-check against an export's own total rows
_ADDITIVE = {
    "ad_performance": ("impressions", "clicks", "spend", "conversions", "conversion_value"),
    "traffic": ("sessions", "views", "event_count", "key_events", "revenue", "new_users"),
}


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
