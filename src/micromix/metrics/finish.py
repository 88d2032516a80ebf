"""The pandas finishing of a KPI request, on the engine's small result: currencies, ratios
from summed measures, earned media value, unknown sums and the output's dtypes.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.metrics.finish import price_organic_impressions
>>> df = pd.DataFrame({"platform": ["instagram"], "organic_impressions": [2000],
...                    "_paid_impressions": [1000], "_paid_cost": [5.0]})
>>> price_organic_impressions(df).tolist()
[10.0]
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from micromix.metrics.catalogue import (
    _COUNTS,
    _POST_COUNTS,
    EMV_CURRENCY,
    MEASURES,
    POST_MEASURES,
    RATIOS,
    RATIOS_WITHIN,
    KpiPlan,
    _catalogue,
    restricted,
)
from micromix.metrics.fx import FxRates
from micromix.metrics.notes import (
    _engagement_notes,
    _overlap_notes,
    _ratio_label,
    _unreported_notes,
    _views_notes,
)

__all__ = ["price_organic_impressions"]


def _finish(
    df: pd.DataFrame,
    plan: KpiPlan,
    stated: str | None,
    fx: FxRates | None,
    notes: list[str],
    *,
    spread: bool = False,
) -> pd.DataFrame:
    """Currencies, EMV, unreported sums and ratios on the engine's (small) result."""
    src = plan.source
    df = df.drop(columns=[c for c in ("_crossing",) if c in df.columns])
    keys_now = list(plan.fine_keys)
    values = [c for c in df.columns if c not in keys_now]
    df[values] = df[values].astype("float64")
    if "_rows" in df.columns:
        df = df[df["_rows"] > 0]
    if src == "events":
        for c in ("spend", "_paid_cost", "reach"):
            if c in df.columns:
                # a null cost is no media cost (organic); no impression is nobody reached
                df[c] = df[c].fillna(0.0)
    if plan.currency_mode == "column" and stated is not None:
        notes.append(f"the {src} record their currency, so the stated {stated} was not used")
    if plan.currency_mode == "constant":
        df["currency"] = EMV_CURRENCY if src == "posts" else stated
        keys_now.append("currency")
        if src == "events" and stated is None:
            notes.append(
                "the events record no currency, so money is shown with currency null; state it "
                "with --currency (currency=) when you know it"
            )
    if src == "posts" and "emv" in plan.measures:
        df["emv"] = _posts_emv(df)
    target = [*plan.out_keys]
    if plan.platform_helper:
        target.append("platform")
    if fx is not None and plan.currency_mode != "none":
        money = [c for c in ("spend", "revenue", "_paid_cost", "emv") if c in df.columns]
        df = fx.convert(df, money, day_col="_day" if plan.fx_daily else None)
        notes.append(f"money converted to {fx.to} with rates from {fx.source}")
    if plan.within:
        notes.extend(_restrict(df, plan))
    if plan.attribution_helper:
        notes.extend(_overlap_notes(df, plan, target))
    df = _collapse(df, keys_now, target, sum_reach=src == "ads")
    if src == "events" and "emv" in plan.measures:
        df = _events_emv(df, plan)
    if src == "ads":
        notes.extend(_unreported_notes(df, plan))
    _null_unreported(df, src)
    if src == "posts":
        notes.extend(_engagement_notes(df, plan))
    _, ratios = _catalogue(src)
    for k in plan.kpis:
        if k in ratios:
            df[k] = ratios[k].compute(df)
        elif k not in df.columns:
            df[k] = np.nan  # a measure the table does not have at all: unknown
    out_cols = list(plan.out_keys)
    label_after = next((k for k in ("views", "engagement_rate_per_view") if k in plan.kpis), None)
    if src == "posts" and label_after is not None:
        df["views_measure"] = _views_measure(df)
        notes.extend(_views_notes(df["views_measure"]))
    for k in plan.kpis:
        out_cols.append(k)
        if src == "posts" and k == label_after:
            out_cols.append("views_measure")
        if k == "reach" and src == "ads":
            n = df["_n_reach"] if "_n_reach" in df.columns else pd.Series(0.0, index=df.index)
            # a reach that is unknown is no bound of anything: its flag is empty too
            flag = pd.Series(n > 1, index=df.index, dtype="boolean")
            df["reach_is_upper_bound"] = flag.where(df["reach"].notna(), pd.NA)
            out_cols.append("reach_is_upper_bound")
    summed = df["_n_reach"] > 1 if "_n_reach" in df.columns else pd.Series(False, index=df.index)
    if "reach" in df.columns:
        summed = summed & df["reach"].notna()
    if src == "ads" and "reach" in plan.measures and summed.any():
        notes.append(
            "reach of ad reports is the sum of reported reach: an upper bound for a group of "
            "several rows (reach_is_upper_bound), so frequency is then a lower bound (platforms "
            "do not de-duplicate people across rows)"
        )
    if fx is not None and plan.currency_mode != "none":
        df["currency"] = fx.to
        out_cols.insert(len(plan.out_keys), "currency")
    if (
        "level" in plan.out_keys
        and "level" not in plan.by
        and df["level"].nunique(dropna=False) <= 1
    ):
        # one level only (or none recorded): nothing was kept apart, the column says nothing
        out_cols.remove("level")
        plan = replace(plan, out_keys=tuple(k for k in plan.out_keys if k != "level"))
    df = _drop_empty_unlabelled(df, plan, notes)
    out = df[out_cols]
    if plan.out_keys:
        out = out.sort_values(list(plan.out_keys), na_position="last", kind="stable")
    return _dtypes(out.reset_index(drop=True), plan, spread=spread)


def _drop_empty_unlabelled(df: pd.DataFrame, plan: KpiPlan, notes: list[str]) -> pd.DataFrame:
    """Leave out the rows of a group with no value in a dimension asked (events with no
    strategy: searches, add-to-carts) when they carry none of the measures asked, and say so.

    Such a row is no group of the KPIs; a row without a value that carries a measure (an ad
    row with spend and no strategy) is kept, and so is one whose rows *report* a measure as 0
    (an ad export of campaigns that spent nothing): a real zero is a row of zeros, never
    dropped. The notes say exactly which groups are shown or left out.
    """
    keys = [k for k in plan.by if k in df.columns]
    measures = [m for m in df.columns if m in plan.measures and not m.startswith("_")]
    if not keys or df.empty:
        return df
    unlabelled = df[keys].isna()
    has = df[measures].apply(pd.to_numeric, errors="coerce").fillna(0.0).ne(0.0).any(axis=1)
    reported = [f"_n_{m}" for m in measures if f"_n_{m}" in df.columns]
    if reported:  # ad reports: a measure a row reports (0 included) is carried
        has |= df[reported].apply(pd.to_numeric, errors="coerce").fillna(0.0).gt(0.0).any(axis=1)
    drop = unlabelled.any(axis=1) & ~has
    rows = {"events": "events", "ads": "ad rows", "posts": "posts"}.get(plan.source, "rows")
    kept = unlabelled.any(axis=1) & ~drop
    if plan.source == "ads" and kept.any() and "_rows" in df.columns:
        dims = [k for k in keys if unlabelled.loc[kept, k].any()]
        n = int(pd.to_numeric(df.loc[kept, "_rows"]).fillna(0).sum())
        g = int(kept.sum())
        notes.append(
            f"{n:,} {rows} have no {' or '.join(dims)} (their export gives none): "
            f"they are shown as {g:,} group{'' if g == 1 else 's'} of their own with the "
            f"{' and '.join(dims)} empty"
        )
    if not drop.any():
        return df
    dims = [k for k in keys if unlabelled.loc[drop, k].any()]
    if plan.source == "ads":
        g = int(drop.sum())
        n = int(pd.to_numeric(df.loc[drop, "_rows"]).fillna(0).sum()) if "_rows" in df else 0
        notes.append(
            f"{n:,} {rows} with no {' or '.join(dims)} report none of the measures asked "
            f"({', '.join(measures)}: every cell empty), so their {g:,} "
            f"group{' has' if g == 1 else 's have'} no row here (unknown, not zeros)"
        )
    else:
        notes.append(
            f"{rows} with no {' or '.join(dims)} carry none of the measures asked "
            f"({', '.join(measures)}), so they have no row here (an empty group, not zeros)"
        )
    return df[~drop]


def _restrict(df: pd.DataFrame, plan: KpiPlan) -> list[str]:
    """Add the inputs of ``within`` ratios summed over the sources that carry ``within``.

    A source (strategy) carries spend when it has any spend in the data asked about (all the
    groups and periods of the request), so a purchase a day after its impressions still counts;
    the other sources' rows add 0 to the restricted columns. Returns the notes saying what was
    left out of which ratios.
    """
    key = str(plan.unit_key)
    unit = df[key].astype(object).where(df[key].notna(), None)
    label = unit.map(lambda u: "events without a strategy" if u is None else str(u))
    notes = []
    for w in plan.within:
        ratios = [RATIOS[k] for k in plan.kpis if k in RATIOS and RATIOS[k].within == w]
        measures = list(dict.fromkeys(m for r in ratios for m in r.restricted))
        carries = df[w].fillna(0.0).groupby(label, sort=False).transform("sum") > 0
        for m in measures:
            df[restricted(m, w)] = df[m].where(carries, 0.0)
            if m == "revenue" and "_revenue_missing" in df.columns:
                miss = restricted("_revenue_missing", w)
                df[miss] = df["_revenue_missing"].where(carries, 0.0)
        # what left the ratio of a group that also has sources with spend (a group with none has
        # no ratio at all, so nothing was left out of it)
        keys = [k for k in plan.out_keys if k in df.columns]
        mixed = (
            carries.groupby([df[k].astype(object).fillna("\0") for k in keys]).transform("any")
            if keys
            else pd.Series(bool(carries.any()), index=df.index)
        )
        out = ~carries & mixed
        shown = [m for m in ("conversions", "revenue") if m in measures] or measures
        left = df.loc[out, shown].apply(pd.to_numeric).fillna(0.0)
        if not left.to_numpy().any():
            continue
        names = sorted(set(label[out][left.gt(0).any(axis=1)]))
        parts = []
        for m in shown:
            v = float(left[m].sum())
            if m != "revenue":
                parts.append(f"{v:,.0f} {m}")
            elif "currency" in df.columns and df["currency"].nunique(dropna=False) > 1:
                parts.append("their revenue")
            else:
                cur = df["currency"].iloc[0] if "currency" in df.columns else None
                parts.append(f"{v:,.0f}{f' {cur}' if isinstance(cur, str) else ''} of revenue")
        kpis = [_ratio_label(r.lookup_name) for r in ratios]
        paid = "paid strategies (those with spend)" if w == "spend" else f"strategies with {w}"
        notes.append(
            f"{', '.join(kpis)} {'counts' if len(kpis) == 1 else 'count'} the results of {paid} "
            f"only; {' and '.join(parts)} came from strategies without {w} ({', '.join(names)}): "
            f"they are in the totals, not in {'this ratio' if len(kpis) == 1 else 'these ratios'}"
        )
    return notes


def _collapse(
    df: pd.DataFrame, keys_now: list[str], target: list[str], *, sum_reach: bool = False
) -> pd.DataFrame:
    """Sum rows keyed by ``keys_now`` into rows keyed by ``target``.

    Reach of events is counted per output row already (every finer row holds it: max); reach
    of ad reports is a sum of reported reach (``sum_reach``), as every other measure.
    """
    values = [c for c in df.columns if c not in keys_now]
    if sorted(keys_now) == sorted(target):
        return df

    def most(c: str) -> bool:
        return c == "reach" and not sum_reach

    if not target:
        return pd.DataFrame([{c: _reduce(df[c], "max" if most(c) else "sum") for c in values}])
    g = df.groupby(target, dropna=False, sort=False)
    parts = {c: (g[c].max() if most(c) else g[c].sum(min_count=1)) for c in values}
    return pd.DataFrame(parts).reset_index()


def _reduce(s: pd.Series, how: str) -> float:
    if s.notna().sum() == 0:
        return np.nan
    return float(s.max() if how == "max" else s.sum())


def price_organic_impressions(df: pd.DataFrame, cpm_from: pd.DataFrame | None = None) -> pd.Series:
    """Earned media value of each row of events measures: its organic impressions priced at the
    paid CPM of their platform (and currency), the one EMV definition of the events.

    ``df`` has ``platform``, ``organic_impressions`` (and ``currency``); the CPM of a platform
    is ``_paid_cost * 1000 / _paid_impressions`` summed over the rows of ``cpm_from`` (default
    ``df``) of that platform — the measures :func:`measure_exprs` gives for ``emv``. A row
    without organic impressions earned nothing (0); organic impressions on a platform with no
    paid impressions to price them are unknown (null).
    """
    base = df if cpm_from is None else cpm_from
    keys = ["platform", *(["currency"] if "currency" in df.columns else [])]

    def key(frame: pd.DataFrame) -> pd.Series:
        # one text key whatever the dtype (a currency column of nulls only is float)
        cols = [frame[k].astype(object).where(frame[k].notna(), "\0") for k in keys]
        return pd.Series(list(zip(*cols, strict=True)), index=frame.index)

    g = base.groupby(key(base), sort=False)
    n = g["_paid_impressions"].sum()
    cpm = g["_paid_cost"].sum() * 1000.0 / n.where(n > 0)
    priced = key(df).map(cpm).astype(float)
    org = pd.to_numeric(df["organic_impressions"])
    return (org * priced / 1000.0).where(org > 0, 0.0)


def _events_emv(df: pd.DataFrame, plan: KpiPlan) -> pd.DataFrame:
    """EMV = organic impressions x paid CPM of their platform (and currency) / 1000.

    A group without organic impressions earned nothing (0); organic impressions on a platform
    with no paid impressions to price them make the group's EMV unknown (null).
    """
    df["emv"] = price_organic_impressions(df)
    if not plan.platform_helper:
        return df
    keys = list(plan.out_keys)
    values = [c for c in df.columns if c not in keys and c != "platform"]
    if not keys:
        row = {c: _reduce(df[c], "max" if c == "reach" else "sum") for c in values}
        if df["emv"].isna().any():
            row["emv"] = np.nan
        return pd.DataFrame([row])
    df = df.assign(_emv_unknown=df["emv"].isna().astype(float))
    g = df.groupby(keys, dropna=False, sort=False)
    parts = {c: (g[c].max() if c == "reach" else g[c].sum(min_count=1)) for c in values}
    res = pd.DataFrame(parts)
    res["emv"] = res["emv"].where(g["_emv_unknown"].sum() == 0)
    return res.reset_index()


def _posts_emv(df: pd.DataFrame) -> pd.Series:
    """EMV per group from the summed inputs, priced by :func:`micromix.social.emv`."""
    from micromix.social.emv import earned_media_value

    none = pd.Series(np.nan, index=df.index)
    viewed = pd.DataFrame(
        {
            "views": df.get("_emv_views", none),
            **{c: df.get(f"_emv_{c}", none) for c in _POST_COUNTS},
        }
    )
    unviewed = pd.DataFrame({"followers": df.get("_emv_followers", none)})
    # a group whose posts report nothing to price has no EMV (unknown), never 0
    parts = pd.concat([earned_media_value(viewed), earned_media_value(unviewed)], axis=1)
    return parts.sum(axis=1, min_count=1)


def _views_measure(df: pd.DataFrame) -> pd.Series:
    """The ``views_measure`` of each row (a key of :data:`VIEWS_MEASURES`, None: no views)."""
    none = pd.Series(0.0, index=df.index)
    own = pd.to_numeric(df.get("_views_of_views", none)).fillna(0) > 0
    impr = pd.to_numeric(df.get("_views_of_impressions", none)).fillna(0) > 0
    label = np.select([own & impr, impr, own], ["views + impressions", "impressions", "views"], "")
    return pd.Series(label, index=df.index, dtype=object).replace("", None)


def _null_unreported(df: pd.DataFrame, src: str) -> None:
    """A sum that some rows of its group do not report is unknown (null), never a partial sum."""
    if src == "events":
        for rev, miss in [("revenue", "_revenue_missing")] + [
            (restricted("revenue", w), restricted("_revenue_missing", w)) for w in RATIOS_WITHIN
        ]:
            if rev in df.columns:
                missing = df[miss].fillna(0) if miss in df else 0
                df[rev] = df[rev].fillna(0.0).where(missing == 0)
        return
    if "_rows" not in df.columns:
        return
    for m in (*MEASURES, *POST_MEASURES):
        n = f"_n_{m}"
        if m in df.columns and n in df.columns:
            df[m] = df[m].where(df[n] >= df["_rows"])


def _dtypes(out: pd.DataFrame, plan: KpiPlan, *, spread: bool) -> pd.DataFrame:
    if "period" in out.columns:
        out["period"] = pd.to_datetime(out["period"]).astype("datetime64[s]")
    whole = plan.source != "ads" or not spread
    for c in out.columns:
        if c in plan.out_keys and c != "currency":
            # the same dtype on every engine: dates to seconds, text as objects with None
            if pd.api.types.is_datetime64_any_dtype(out[c]) and out[c].dt.tz is None:
                out[c] = out[c].astype("datetime64[s]")
            elif (
                isinstance(out[c].dtype, pd.StringDtype)
                or out[c].dtype == object
                or bool(out[c].isna().all())  # a key no row has (NaN after the collapse)
            ):
                out[c] = out[c].astype(object).where(out[c].notna(), None)
            continue
        if whole and (c in _COUNTS or (c == "conversions" and plan.source == "events")):
            out[c] = pd.to_numeric(out[c]).round().astype("Int64")
        elif c == "currency":
            out[c] = out[c].astype(object).where(out[c].notna(), None)
        elif c == "reach_is_upper_bound":
            out[c] = out[c].astype("boolean")
    return out
