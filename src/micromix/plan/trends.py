"""Weekly trends of the exports that can be split by week, when other exports cannot.

A weekly trend refuses rows that cover more than one week (a 6-month age breakdown cannot be
cut into weeks without inventing shares). One such export used to remove every trend chart of a
store, the daily exports' too. :func:`trends_without_long_exports` leaves out the exports that
hold such rows (every row of them, so no export is drawn in part), draws the others, and says in
one sentence which exports, currencies and periods were left out and why.

>>> import pandas as pd
>>> from micromix.store import Store
>>> st = Store.open(":memory:")
>>> daily = pd.DataFrame({"date": pd.date_range("2025-03-03", periods=14), "platform": "meta",
...     "strategy": "paid_social", "spend": 10.0, "impressions": 1000, "clicks": 20,
...     "currency": "AUD", "source_id": "daily"})
>>> long = pd.DataFrame({"date": pd.to_datetime(["2025-02-01"]), "date_end":
...     pd.to_datetime(["2025-08-04"]), "platform": "meta", "strategy": "paid_social",
...     "spend": 500.0, "impressions": 90000, "clicks": 900, "currency": "INR",
...     "source_id": "age"})
>>> _ = st.append("ad_performance", pd.concat([daily, long]))
>>> trends, said = trends_without_long_exports(st, ["platform"])
>>> sorted(trends["platform"]["currency"].unique()), said.split(":")[0]
(['AUD'], 'Left out of the weekly trends')
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

import pandas as pd

from micromix.errors import ConfigError
from micromix.metrics import compute_kpis
from micromix.store import Store

__all__ = ["trends_without_long_exports"]


def trends_without_long_exports(
    store: Store, dims: Sequence[str]
) -> tuple[dict[str, pd.DataFrame], str | None]:
    """Weekly KPIs by each of ``dims`` over the ad exports whose rows each fall in one week.

    Returns the trends drawn (dimension -> weekly KPI table; a dimension the kept rows cannot
    give is absent) and the sentence naming what was left out, or ``({}, None)`` when no ad
    export holds a row over more than one week (nothing to leave out) or nothing could be drawn.
    Rows of no recorded export are left out together when any of them crosses a week.
    """
    if not dims or not store.count("ad_performance"):
        return {}, None
    long = _long_exports(store)
    if long.empty:
        return {}, None
    ids = [i for i in long["source_id"] if isinstance(i, str)]
    unrecorded = bool(long["source_id"].isna().any())

    def keep(t: Any) -> Any:  # rows of the other exports (and of no export, unless those cross)
        known = t.source_id.notnull()
        kept = known & ~t.source_id.isin(ids) if ids else known
        return kept if unrecorded else kept | ~known

    drawn: dict[str, pd.DataFrame] = {}
    for dim in dims:
        try:
            df = compute_kpis(store, by=[dim], grain="week", where=keep)
        except ConfigError:
            continue
        df = df[df["period"].notna()]
        if df.empty or df[dim].isna().all():
            continue
        drawn[dim] = df
    if not drawn:
        return {}, None
    return drawn, _left_out_sentence(long, _export_files(store))


def _long_exports(store: Store) -> pd.DataFrame:
    """One row per export (``source_id``; ``None`` for rows of no recorded export) holding a
    row that spans more than one week: rows, rows over a week, currency, first and last day."""
    have = set(store.columns("ad_performance"))
    cols = [c for c in ("source_id", "date", "date_end", "currency") if c in have]
    if "date_end" not in cols or "source_id" not in cols:
        return pd.DataFrame(columns=["source_id"])
    ads = store.read("ad_performance", columns=cols)
    start = pd.to_datetime(ads["date"])
    end = pd.to_datetime(ads["date_end"])
    # a row crosses a week when its first and last day are in different Monday-Sunday weeks
    crosses = end.notna() & start.notna() & (start.dt.to_period("W") != end.dt.to_period("W"))
    ads = ads.assign(
        _crosses=crosses,
        _start=start,
        _end=end.fillna(start),
        source_id=ads["source_id"].astype(object).where(ads["source_id"].notna(), None),
    )
    bad = ads.loc[ads["_crosses"], "source_id"].drop_duplicates()
    rows = ads[ads["source_id"].isin(bad) | (ads["source_id"].isna() & bad.isna().any())]
    out = rows.groupby("source_id", dropna=False).agg(
        rows=("_crosses", "size"),
        crossing=("_crosses", "sum"),
        currency=("currency", _codes) if "currency" in rows else ("_crosses", lambda s: ""),
        first=("_start", "min"),
        last=("_end", "max"),
    )
    return out.reset_index()


def _codes(s: pd.Series) -> str:
    return ", ".join(sorted({str(c).upper() for c in s.dropna() if str(c).strip()}))


def _export_files(store: Store) -> dict[str, str]:
    """Export id -> its file name, from the ingest registry (empty without one)."""
    if not store.has_table("ingest_files"):
        return {}
    files = store.read("ingest_files", columns=["source_id", "path"]).dropna()
    return {str(r.source_id): PurePath(str(r.path)).name for r in files.itertuples(index=False)}


def _left_out_sentence(long: pd.DataFrame, files: dict[str, str]) -> str:
    parts = []
    for r in long.itertuples(index=False):
        if isinstance(r.source_id, str):
            what = f"export {files.get(r.source_id, r.source_id)}"
        else:
            what = "rows of no recorded export"
        when = "undated" if pd.isna(r.first) else f"{r.first.date()}..{r.last.date()}"
        cur = f", {r.currency}" if r.currency else ""
        parts.append(f"{what} ({int(r.rows):,} rows{cur}, {when})")
    n = int(long["crossing"].sum())
    its = "its" if len(long) == 1 else "their"
    return (
        f"Left out of the weekly trends: {'; '.join(parts)}, because {n:,} of {its} rows cover "
        "more than one week each and cannot be split by week (the KPI overview counts them; "
        "'micromix kpis --grain week --spread' spreads them evenly over their days)."
    )
