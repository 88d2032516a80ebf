"""How much of the KPI overview's spend a finer breakdown holds: the spend by platform, currency
and level that the weekly trends do not carry (rows with no dates, rows over more than one
week), so a chart of them never passes for the whole.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.metrics.coverage import uncovered_spend
>>> overview = pd.DataFrame({"platform": ["meta", "google"], "currency": ["AUD", "EUR"],
...                          "spend": [100.0, 50.0]})
>>> weekly = pd.DataFrame({"platform": ["meta"], "currency": ["AUD"], "spend": [100.0]})
>>> u = uncovered_spend(overview, weekly)
>>> u.rows.to_dict("records")
[{'platform': 'google', 'currency': 'EUR', 'spend': 50.0, 'covered': 0.0}]
>>> u.currencies, u.covered_currencies
(['AUD', 'EUR'], ['AUD'])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["UncoveredSpend", "uncovered_spend"]

#: the keys the spend is compared by, those both tables have
COVERAGE_KEYS = ("platform", "currency", "level")


@dataclass(frozen=True)
class UncoveredSpend:
    """The spend of the overview that the breakdown holds less of.

    ``rows`` has the keys compared (``platform``, and ``currency`` and ``level`` where both
    tables have them; a missing value reads ``""``), the overview's ``spend`` and the part of
    it the breakdown holds (``covered``), one row per key short of its spend, in key order.
    ``currencies`` are those of the overview's money, ``covered_currencies`` those the
    breakdown has spend in.
    """

    rows: pd.DataFrame
    currencies: list[str] = field(default_factory=list)
    covered_currencies: list[str] = field(default_factory=list)


def uncovered_spend(
    overview: pd.DataFrame | None, breakdown: pd.DataFrame | None
) -> UncoveredSpend | None:
    """The spend by platform (currency, level) of ``overview`` that ``breakdown`` does not hold.

    ``overview`` is a KPI table by platform (with ``spend``), ``breakdown`` a finer one of the
    same data (the weekly trends by platform), None when it has no rows at all. A key counts as
    held when the breakdown has its spend to within half a cent. None when the overview has no
    spend by platform or the breakdown holds it all.
    """
    if overview is None or not {"spend", "platform"} <= set(overview.columns):
        return None
    keys = [
        c
        for c in COVERAGE_KEYS
        if c in overview.columns and (breakdown is None or c in breakdown.columns)
    ]
    total = _spend_by(overview, keys)
    got = (
        _spend_by(breakdown, keys).reindex(total.index, fill_value=0.0)
        if breakdown is not None and len(breakdown)
        else pd.Series(0.0, index=total.index)
    )
    rows = []
    for key, value in total.items():
        have = float(got.get(key, 0.0))
        if value <= 0 or have >= value * (1 - 1e-9) - 0.005:
            continue
        rows.append(
            {
                **dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
                "spend": float(value),
                "covered": have,
            }
        )
    if not rows:
        return None
    covered = [] if breakdown is None else _distinct(breakdown[breakdown["spend"].fillna(0) > 0])
    return UncoveredSpend(
        rows=pd.DataFrame(rows, columns=[*keys, "spend", "covered"]),
        currencies=_distinct(overview),
        covered_currencies=covered,
    )


def _spend_by(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Spend summed by ``keys`` (a missing key value reads "")."""
    k = df[keys].astype(object).where(df[keys].notna(), "").astype(str)
    spend = pd.to_numeric(df["spend"], errors="coerce").fillna(0.0)
    return spend.groupby([k[c] for c in keys]).sum()


def _distinct(df: pd.DataFrame) -> list[str]:
    """The currencies of a KPI table (none when it has no currency column)."""
    if "currency" not in df.columns:
        return []
    return sorted({str(c) for c in df["currency"].dropna()})
