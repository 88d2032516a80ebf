"""Strategy comparison: user content vs paid, microtargeting vs mass, creator tiers.

Every figure is computed from the store and carries an interval:

* **Observed totals** (spend, impressions, reach, clicks, conversions, revenue) are exact counts.
* **Ratio KPIs** (CTR, CPM, CPA, attributed ROAS, engagement rate, cost per engagement) get a
  percentile interval from a *day-block bootstrap*: days are resampled with replacement and the
  ratio is recomputed from the resampled sums.
* **Incremental figures** come from randomised holdouts in the ``experiments`` table (one
  experiment per campaign, ``arm`` treatment / control). Each campaign's incremental revenue is
  the CUPED-adjusted difference in means times the number of treated units; a group's
  incremental ROAS is the sum over its campaigns divided by their spend. The interval is a
  *Poisson bootstrap over units* drawn jointly for all experiments, so a person who appears in
  several tests is resampled once and correlations are kept.
* **Speed of impact**: median days from a person's last impression of the group to their
  attributed purchase (with a bootstrap interval), and the lag in days at which daily conversions
  correlate most with daily impressions (time to peak response).
* **Ground truth**: where the store holds the simulator's ``ground_truth``, the true incremental
  ROAS is shown beside the estimate, with whether the interval contains it.
* **Lifetime ROAS** (:func:`with_lifetime`): the customer-lifetime-value view from
  :func:`micromix.clv.lifetime_returns` placed beside the first-purchase ROAS.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> from micromix.metrics.compare import compare_strategies
>>> st = Store.open(":memory:")
>>> m = simulate(SimConfig(users=3_000, days=14, seed=2))
>>> for name in ("events", "experiments", "ground_truth"):
...     _ = st.append(name, m.tables()[name])
>>> res = compare_strategies(st, "ugc-vs-paid", n_boot=50)
>>> "incremental_roas_low" in res.table.columns
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy import stats

from micromix.errors import ConfigError, StoreError
from micromix.metrics.currency import currency_symbol, store_currency
from micromix.metrics.kpis import RATIOS, measure_exprs, price_organic_impressions
from micromix.schema.display import format_money
from micromix.store import Store

__all__ = [
    "COMPARISONS",
    "DEFAULT_TIERS",
    "LIFETIME_COLUMNS",
    "Comparison",
    "ComparisonResult",
    "compare_strategies",
    "tier_expr",
    "with_lifetime",
]

#: creator tiers by follower count (lower bounds); the "micro = 1K-100K" marketing preset merges
#: nano into micro
DEFAULT_TIERS: tuple[tuple[str, int], ...] = (
    ("nano", 1_000),
    ("micro", 10_000),
    ("macro", 100_000),
    ("mega", 1_000_000),
)


@dataclass(frozen=True)
class Comparison:
    """A registered comparison: which column defines the groups and which groups to show."""

    lookup_name: str
    dimension: str
    groups: tuple[str, ...]
    question: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "lookup_name": self.lookup_name,
            "dimension": self.dimension,
            "groups": list(self.groups),
            "question": self.question,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Comparison:
        return cls(d["lookup_name"], d["dimension"], tuple(d["groups"]), d["question"])


COMPARISONS: dict[str, Comparison] = {
    c.lookup_name: c
    for c in (
        Comparison(
            "ugc-vs-paid",
            "strategy",
            ("ugc_organic", "ugc_amplified", "paid_social", "influencer"),
            "User-generated micro-moments vs paid social promotion",
        ),
        Comparison(
            "micro-vs-mass",
            "targeting",
            ("micro", "mass"),
            "Microtargeting vs mass targeting (paid messages)",
        ),
        Comparison(
            "creator-tiers",
            "creator_tier",
            tuple(t for t, _ in DEFAULT_TIERS),
            "Micro-influencers vs macro and mega creators",
        ),
    )
}

#: the KPI engine's ratios a comparison shows, with day-bootstrap intervals (the same
#: definitions as ``micromix kpis``: a cost per result is undefined where nothing was spent)
_RATIOS = tuple(
    RATIOS[k] for k in ("ctr", "cpm", "cpa", "roas", "engagement_rate", "cost_per_engagement")
)


@dataclass
class ComparisonResult:
    """A comparison table with its plain-language conclusion."""

    comparison: Comparison
    table: pd.DataFrame
    conclusion: str
    level: float
    notes: list[str] = field(default_factory=list)

    def to_records(self) -> list[dict[str, Any]]:
        return self.table.to_dict(orient="records")

    def __repr__(self) -> str:
        cols = [
            c
            for c in (
                "strategy",
                "spend",
                "roas",
                "incremental_roas",
                "incremental_roas_low",
                "incremental_roas_high",
            )
            if c in self.table.columns
        ]
        return (
            f"ComparisonResult({self.comparison.lookup_name})\n"
            f"{self.table[cols].to_string(index=False)}\n{self.conclusion}"
        )

    def _repr_html_(self) -> str:
        return f"<h4>{self.comparison.question}</h4>{self.table.to_html(index=False)}<p>{self.conclusion}</p>"


def tier_expr(
    followers: ir.IntegerValue, tiers: tuple[tuple[str, int], ...] = DEFAULT_TIERS
) -> ir.StringValue:
    """Creator tier of a follower count as an Ibis expression (below the first bound: null)."""
    expr: Any = ibis.null("string")
    for name, lower in tiers:
        expr = ibis.ifelse(followers >= lower, ibis.literal(name), expr)
    return expr


def _grouped_events(store: Store, comp: Comparison, tiers: tuple[tuple[str, int], ...]) -> ir.Table:
    t = store.table("events")
    if comp.dimension == "creator_tier":
        if not store.has_table("creators") or store.count("creators") == 0:
            raise StoreError(
                "creator-tiers needs creator profiles; ingest them with "
                "'micromix ingest creators FILE' (or run micromix demo)"
            )
        cr = store.table("creators")
        cr = cr.select(cid=cr.creator_id, creator_tier=tier_expr(cr.followers, tiers))
        t = t.left_join(cr, t.creator_id == cr.cid).drop("cid")
        return t.mutate(grp=t.creator_tier)
    return t.mutate(grp=t[comp.dimension])


def _bootstrap_days(
    daily: pd.DataFrame, groups: list[str], n_boot: int, level: float, rng: np.random.Generator
) -> dict[str, dict[str, tuple[float, float]]]:
    """Percentile intervals of ratio KPIs per group by resampling days."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    for g in groups:
        d = daily[daily["grp"] == g]
        if d.empty:
            continue
        n = len(d)
        w = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype("float64")  # (B, n)
        sums = {
            m: w @ d[m].to_numpy(dtype="float64")
            for m in ("impressions", "clicks", "spend", "conversions", "revenue", "engagements")
        }
        res = {}
        frame = pd.DataFrame(sums)
        for ratio in _RATIOS:
            r = ratio.compute(frame).to_numpy()
            r = r[np.isfinite(r)]
            res[ratio.lookup_name] = (
                (float(np.quantile(r, lo_q)), float(np.quantile(r, hi_q)))
                if len(r)
                else (np.nan, np.nan)
            )
        out[g] = res
    return out


def _incrementality(
    store: Store,
    camp_group: pd.DataFrame,
    spend_by_campaign: pd.Series,
    groups: list[str],
    n_boot: int,
    level: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Incremental conversions / revenue / ROAS per group from holdout experiments."""
    cols = [
        "grp",
        "incremental_conversions",
        "incremental_conversions_low",
        "incremental_conversions_high",
        "incremental_revenue",
        "incremental_revenue_low",
        "incremental_revenue_high",
        "incremental_roas",
        "incremental_roas_low",
        "incremental_roas_high",
        "experiment_spend",
    ]
    if not store.has_table("experiments") or store.count("experiments") == 0:
        return pd.DataFrame(columns=cols)
    ex = store.table("experiments")
    exp = store.execute(
        ex.select(
            "experiment_id", "unit_id", "arm", "campaign_id", "conversions", "revenue", "pre_period"
        )
    )
    exp = exp[exp["campaign_id"].isin(camp_group["campaign_id"])]
    exp = exp.sort_values(["experiment_id", "unit_id", "arm"], kind="stable")  # any engine's order
    if exp.empty:
        return pd.DataFrame(columns=cols)
    exp = exp.merge(camp_group, on="campaign_id")
    arm = exp["arm"].astype(str).str.lower()
    exp["treated"] = ~arm.isin(["control", "holdout", "ctrl", "0", "false", "no"])
    exp["unit_code"] = pd.factorize(exp["unit_id"])[0]
    n_units = int(exp["unit_code"].max()) + 1
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    exps = _experiment_arrays(exp)
    point = _estimate(exps, None)
    boots = _poisson_bootstrap(exps, n_units, n_boot, rng)
    rows = []
    for g in groups:
        if g not in point:
            continue
        camps = {e["campaign"] for e in exps if e["grp"] == g}
        spend = float(spend_by_campaign.reindex(list(camps)).fillna(0).sum())
        rev, conv = point[g][0]
        rev_b, conv_b = boots[g][:, 0], boots[g][:, 1]
        rev_b, conv_b = rev_b[np.isfinite(rev_b)], conv_b[np.isfinite(conv_b)]
        roas_b = rev_b / spend if spend > 0 else np.array([np.nan])
        rows.append(
            {
                "grp": g,
                "incremental_conversions": float(conv),
                "incremental_conversions_low": float(np.quantile(conv_b, lo_q)),
                "incremental_conversions_high": float(np.quantile(conv_b, hi_q)),
                "incremental_revenue": float(rev),
                "incremental_revenue_low": float(np.quantile(rev_b, lo_q)),
                "incremental_revenue_high": float(np.quantile(rev_b, hi_q)),
                "incremental_roas": float(rev / spend) if spend > 0 else np.nan,
                "incremental_roas_low": float(np.nanquantile(roas_b, lo_q))
                if spend > 0
                else np.nan,
                "incremental_roas_high": float(np.nanquantile(roas_b, hi_q))
                if spend > 0
                else np.nan,
                "experiment_spend": spend,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def _experiment_arrays(exp: pd.DataFrame) -> list[dict[str, Any]]:
    """Per randomised experiment: group, campaign, unit codes, treated flags and CUPED outcomes.

    CUPED adjusts each outcome with the experiment's pre-period (pooled theta); experiments
    with one arm only are left out.
    """
    exps = []
    for _eid, e in exp.groupby("experiment_id", sort=True):
        t = e["treated"].to_numpy()
        if t.all() or (~t).all():
            continue
        x = e["pre_period"].fillna(0.0).to_numpy(dtype="float64")
        ys = {}
        for outcome in ("revenue", "conversions"):
            y = e[outcome].fillna(0.0).to_numpy(dtype="float64")
            vx = x.var()
            theta = np.cov(y, x)[0, 1] / vx if vx > 0 else 0.0
            ys[outcome] = y - theta * (x - x.mean())
        exps.append(
            {
                "grp": e["grp"].iloc[0],
                "campaign": e["campaign_id"].iloc[0],
                "units": e["unit_code"].to_numpy(),
                "t": t,
                **ys,
            }
        )
    return exps


def _estimate(exps: list[dict[str, Any]], weights: np.ndarray | None) -> dict[str, np.ndarray]:
    """Per-group incremental (revenue, conversions); weights shape (B, n_units) or None."""
    acc: dict[str, np.ndarray] = {}
    for e in exps:
        w = np.ones((1, len(e["units"]))) if weights is None else weights[:, e["units"]]
        wt, wc = w * e["t"], w * ~e["t"]
        nt, nc = wt.sum(1), wc.sum(1)
        vals = []
        for outcome in ("revenue", "conversions"):
            y = e[outcome]
            with np.errstate(divide="ignore", invalid="ignore"):
                diff = (wt @ y) / nt - (wc @ y) / nc
            vals.append(diff * nt)
        inc = np.stack(vals, axis=1)  # (B, 2)
        acc[e["grp"]] = acc.get(e["grp"], 0) + inc
    return acc


def _poisson_bootstrap(
    exps: list[dict[str, Any]], n_units: int, n_boot: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """``n_boot`` Poisson-weighted replicates of :func:`_estimate`, drawn jointly over people.

    One weight per person for all experiments keeps people who are in several holdouts
    consistent across them; draws go in chunks to bound memory.
    """
    boots: dict[str, list[np.ndarray]] = {}
    chunk = max(1, min(n_boot, int(2e7 // max(n_units, 1))))
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        w = rng.poisson(1.0, size=(b, n_units)).astype("float32")
        for g, v in _estimate(exps, w).items():
            boots.setdefault(g, []).append(v)
        done += b
    return {g: np.concatenate(v, axis=0) for g, v in boots.items()}


def _speed(
    store: Store,
    t: ir.Table,
    groups: list[str],
    n_boot: int,
    level: float,
    rng: np.random.Generator,
) -> dict[str, tuple[float, float, float]]:
    """Median days from the last impression of the group before an attributed purchase."""
    imp = t.filter((t.event_type == "impression") & t.grp.notnull()).select(
        iu=t.user_id, ig=t.grp, its=t.ts
    )
    pur = t.filter((t.event_type == "purchase") & t.grp.notnull()).select(
        pid=t.event_id, pu=t.user_id, pg=t.grp, pts=t.ts
    )
    j = pur.inner_join(imp, [pur.pu == imp.iu, pur.pg == imp.ig, imp.its <= pur.pts])
    last = j.group_by([j.pid, j.pg]).aggregate(pts=j.pts.max(), last_ts=j.its.max())
    # subtract in pandas: epoch_seconds() is fractional on DuckDB but whole seconds on Spark;
    # sort so the bootstrap below draws the same rows on every engine
    df = store.execute(last.select(grp=last.pg, pts=last.pts, last_ts=last.last_ts))
    df["secs"] = (pd.to_datetime(df["pts"]) - pd.to_datetime(df["last_ts"])).dt.total_seconds()
    df = df.sort_values(["grp", "secs"], kind="stable").reset_index(drop=True)
    out = {}
    for g in groups:
        v = df.loc[df["grp"] == g, "secs"].to_numpy(dtype="float64") / 86400.0
        if len(v) < 5:
            continue
        ci = stats.bootstrap(
            (v,),
            np.median,
            n_resamples=min(n_boot, 300),
            confidence_level=level,
            method="percentile",
            vectorized=True,
            rng=rng,
        ).confidence_interval
        out[g] = (float(np.median(v)), float(ci.low), float(ci.high))
    return out


def _peak_lag(daily: pd.DataFrame, groups: list[str], max_lag: int = 14) -> dict[str, float]:
    """Lag (days) at which daily conversions correlate most with daily impressions."""
    out = {}
    for g in groups:
        d = daily[daily["grp"] == g].sort_values("day")
        x = d["impressions"].to_numpy(dtype="float64")
        y = d["conversions"].to_numpy(dtype="float64")
        if len(x) < max_lag + 7 or x.std() == 0 or y.std() == 0:
            continue
        best, best_r = 0, -np.inf
        for lag in range(0, max_lag + 1):
            a, b = x[: len(x) - lag], y[lag:]
            if a.std() == 0 or b.std() == 0:
                continue
            r = float(np.corrcoef(a, b)[0, 1])
            if r > best_r:
                best, best_r = lag, r
        out[g] = float(best)
    return out


def _measurability(row: pd.Series, level: float = 0.95) -> str:
    """How well the holdouts measure the incremental ROAS, in agreement with its interval.

    "low" only when there is no holdout or the ``level`` interval shown includes zero (the test
    cannot separate the effect from none); an interval that excludes zero is "high" when it is
    tight (half-width under 35% of the estimate), else "medium".
    """
    est, lo, hi = (
        row.get("incremental_roas"),
        row.get("incremental_roas_low"),
        row.get("incremental_roas_high"),
    )
    if pd.isna(est):
        return "low: no randomised holdout; attributed figures only"
    pct = f"{level:.0%}"
    if pd.isna(lo) or pd.isna(hi) or lo <= 0 <= hi:
        return f"low: holdout test too small to separate from zero (the {pct} interval includes 0)"
    width = (hi - lo) / 2
    rel = width / abs(est) if est else np.inf
    if rel < 0.35:
        return f"high: holdout test, tight {pct} interval"
    return f"medium: holdout test, wide {pct} interval that excludes 0"


def compare_strategies(
    store: Store,
    comparison: str,
    *,
    level: float = 0.95,
    n_boot: int = 400,
    seed: int = 0,
    tiers: tuple[tuple[str, int], ...] = DEFAULT_TIERS,
) -> ComparisonResult:
    """Compare strategies on the same KPIs and on incremental outcomes.

    Parameters
    ----------
    store : micromix.store.Store
    comparison : {"ugc-vs-paid", "micro-vs-mass", "creator-tiers"}
    level : float
        Interval coverage, in (0.5, 1).
    n_boot : int
        Bootstrap replicates.
    seed : int
    tiers : tuple of (name, lower bound)
        Creator tiers by followers (for ``creator-tiers``).

    Returns
    -------
    ComparisonResult
        ``table`` has one row per group with ``strategy`` (the group), observed totals, ratio
        KPIs with ``_low`` / ``_high`` bounds, incremental figures and, with simulator truth,
        ``true_incremental_roas`` and ``truth_in_interval``.
    """
    if comparison not in COMPARISONS:
        raise ConfigError(f"unknown comparison {comparison!r}; use one of {', '.join(COMPARISONS)}")
    if not 0.5 < level < 1:
        raise ConfigError(f"level must be in (0.5, 1), got {level}")
    if n_boot < 20:
        raise ConfigError(f"n_boot must be >= 20, got {n_boot}")
    comp = COMPARISONS[comparison]
    if store.count("events") == 0:
        raise StoreError("no events in the store; ingest events or run micromix demo first")
    rng = np.random.default_rng(seed)
    t = _grouped_events(store, comp, tiers)
    t = t.filter(t.grp.notnull())
    # the draws happen in a fixed order (days, timing, holdouts): same seed, same intervals
    totals, daily, present = _observed(store, t, comp, comparison, n_boot, level, rng)
    _add_timing(totals, store, t, daily, present, n_boot, level, rng)
    table = totals.merge(_holdouts(store, t, present, n_boot, level, rng), on="grp", how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        table["incremental_cpa"] = table["experiment_spend"] / table[
            "incremental_conversions"
        ].where(table["incremental_conversions"] > 0)
    table["measurability"] = table.apply(_measurability, axis=1, level=level)
    notes = _add_truth(table, store, comp)
    table.insert(0, "dimension", comp.dimension)
    table = table.rename(columns={"grp": "strategy"})
    table.insert(0, "strategy", table.pop("strategy"))
    # events record no currency: their money is in the store's, if the data states one
    symbol = currency_symbol(store_currency(store).events_code)
    return ComparisonResult(comp, table, _conclude(comp, table, level, symbol), level, notes)


def _observed(
    store: Store,
    t: ir.Table,
    comp: Comparison,
    comparison: str,
    n_boot: int,
    level: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Totals per group with ratio KPIs and their day-bootstrap bounds, EMV; daily; groups."""
    et = t.event_type
    is_imp = et == "impression"

    def cnt(c: ir.BooleanValue) -> ir.IntegerScalar:
        return ibis.ifelse(c, 1, 0).sum()

    measures = dict(
        impressions=cnt(is_imp),
        clicks=cnt(et == "click"),
        spend=t.cost.sum().fill_null(0.0),
        conversions=cnt(et == "purchase"),
        revenue=t.revenue.sum(where=et == "purchase").fill_null(0.0),
        engagements=cnt(et.isin(["like", "comment", "share", "save", "follow"])),
    )
    daily = store.execute(t.group_by([t.grp, t.ts.truncate("D").name("day")]).aggregate(**measures))
    # sorted: the day bootstrap then draws the same rows on every engine
    daily = daily.sort_values(["grp", "day"], kind="stable").reset_index(drop=True)
    totals = store.execute(
        t.group_by(t.grp).aggregate(reach=t.user_id.nunique(where=is_imp), **measures)
    )
    active = set(totals.loc[(totals["spend"] > 0) | (totals["impressions"] > 0), "grp"])
    present = [g for g in comp.groups if g in set(totals["grp"])]
    present += sorted(active - set(comp.groups))
    if not present:
        raise StoreError(
            f"no events carry a {comp.dimension}; {comparison} needs events tagged with it"
        )
    totals = totals.set_index("grp").reindex(present).reset_index()
    for ratio in _RATIOS:
        totals[ratio.lookup_name] = ratio.compute(totals)
    boot = _bootstrap_days(daily, present, n_boot, level, rng)
    for name in (ratio.lookup_name for ratio in _RATIOS):
        totals[f"{name}_low"] = [
            boot.get(g, {}).get(name, (np.nan, np.nan))[0] for g in totals["grp"]
        ]
        totals[f"{name}_high"] = [
            boot.get(g, {}).get(name, (np.nan, np.nan))[1] for g in totals["grp"]
        ]
    totals["emv"] = _emv(store, t, totals["grp"])
    return totals, daily, present


def _emv(store: Store, t: ir.Table, groups: pd.Series) -> list[float]:
    """Earned media value per group, as ``micromix kpis`` computes it: organic impressions priced
    at the paid CPM of their platform over all the store's events
    (:func:`~micromix.metrics.kpis.price_organic_impressions`)."""
    if "platform" not in t.columns:
        return [np.nan] * len(groups)
    ev = store.table("events")
    cpm = store.execute(ev.group_by("platform").aggregate(**measure_exprs(ev, "events", {"emv"})))
    org = store.execute(
        t.group_by(["grp", "platform"]).aggregate(**measure_exprs(t, "events", {"emv"}))
    )
    org["emv"] = price_organic_impressions(org, cpm_from=cpm)
    by = org.groupby("grp", dropna=False)["emv"]
    # a group with organic impressions on a platform no paid impression prices: unknown
    emv = by.sum().where(by.count() == by.size())
    return [float(emv.get(g, 0.0)) for g in groups]


def _add_timing(
    totals: pd.DataFrame,
    store: Store,
    t: ir.Table,
    daily: pd.DataFrame,
    present: list[str],
    n_boot: int,
    level: float,
    rng: np.random.Generator,
) -> None:
    """Days to conversion (with a bootstrap interval) and the lag of the peak response."""
    speed = _speed(store, t, present, n_boot, level, rng)
    totals["days_to_conversion"] = [speed.get(g, (np.nan,) * 3)[0] for g in totals["grp"]]
    totals["days_to_conversion_low"] = [speed.get(g, (np.nan,) * 3)[1] for g in totals["grp"]]
    totals["days_to_conversion_high"] = [speed.get(g, (np.nan,) * 3)[2] for g in totals["grp"]]
    peak = _peak_lag(daily, present)
    totals["days_to_peak_response"] = [peak.get(g, np.nan) for g in totals["grp"]]


def _holdouts(
    store: Store,
    t: ir.Table,
    present: list[str],
    n_boot: int,
    level: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Incremental figures per group from the randomised holdouts of its campaigns."""
    camp = store.execute(
        t.filter(t.campaign_id.notnull())
        .group_by([t.campaign_id, t.grp])
        .aggregate(spend=t.cost.sum().fill_null(0.0))
    )
    spend_by_campaign = camp.groupby("campaign_id")["spend"].sum()
    return _incrementality(
        store,
        camp[["campaign_id", "grp"]].drop_duplicates("campaign_id"),
        spend_by_campaign,
        present,
        n_boot,
        level,
        rng,
    )


def _add_truth(table: pd.DataFrame, store: Store, comp: Comparison) -> list[str]:
    """The simulator's true incremental figures beside the estimates (when the store has them)."""
    if not (store.has_table("ground_truth") and store.count("ground_truth") > 0):
        return []
    gt = store.read("ground_truth")
    if comp.dimension not in gt.columns:
        return []
    g = gt.groupby(comp.dimension)[
        ["spend", "incremental_revenue", "incremental_conversions"]
    ].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        true_roas = g["incremental_revenue"] / g["spend"].replace(0, np.nan)
    table["true_incremental_roas"] = table["grp"].map(true_roas)
    table["true_incremental_conversions"] = table["grp"].map(g["incremental_conversions"])
    table["truth_in_interval"] = [
        (bool(lo <= tr <= hi) if not (pd.isna(tr) or pd.isna(lo)) else None)
        for tr, lo, hi in zip(
            table["true_incremental_roas"],
            table["incremental_roas_low"],
            table["incremental_roas_high"],
        )
    ]
    return ["true_* columns come from the simulator's ground truth"]


def _fmt_money(v: float, symbol: str = "$") -> str:
    """``$8.53``, ``-$8.53``, ``AUD 8.53``, ``8.53`` (no currency stated); ``n/a`` when
    undefined (:func:`~micromix.schema.display.format_money` with cents)."""
    return format_money(v, symbol, 2)


def _conclude(comp: Comparison, table: pd.DataFrame, level: float, symbol: str = "$") -> str:
    """Plain-language conclusion drawn from the table (never asserted a priori)."""
    pct = f"{level:.0%}"
    parts = []
    inc = table.dropna(subset=["incremental_roas"])
    if len(inc):
        best = inc.sort_values("incremental_roas", ascending=False).iloc[0]
        parts.append(
            f"Per {'dollar' if symbol == '$' else 'unit of spend'}, {best['strategy']} returns the most incremental revenue: incremental ROAS "
            f"{best['incremental_roas']:.2f} ({pct} interval {best['incremental_roas_low']:.2f} to "
            f"{best['incremental_roas_high']:.2f})."
        )
        if len(inc) > 1:
            worst = inc.sort_values("incremental_roas").iloc[0]
            overlap = best["incremental_roas_low"] <= worst["incremental_roas_high"]
            parts.append(
                f"The lowest is {worst['strategy']} at {worst['incremental_roas']:.2f} "
                f"({worst['incremental_roas_low']:.2f} to {worst['incremental_roas_high']:.2f})"
                + (
                    "; the intervals overlap, so the ranking is not yet certain."
                    if overlap
                    else "; the intervals do not overlap, so the difference is clear."
                )
            )
        att = inc.dropna(subset=["roas"])
        att = att[att["incremental_roas"] > 0]
        if len(att):
            ratio = float((att["roas"] / att["incremental_roas"]).median())
            if ratio > 1.2:
                parts.append(
                    f"Platform-attributed ROAS overstates incremental ROAS by about {ratio:.1f}x "
                    "(median across groups): budget on attributed numbers would be misallocated."
                )
    no_spend = table[(table["spend"] == 0) & table["impressions"].gt(0)]
    for _, r in no_spend.iterrows():
        parts.append(
            f"{r['strategy']} costs no media spend; its {int(r['impressions']):,} organic "
            f"impressions are worth {_fmt_money(r['emv'], symbol)} at paid CPMs (earned media value)"
            + (
                "; its incremental effect is not measured by a holdout."
                if pd.isna(r.get("incremental_roas"))
                else "."
            )
        )
    if table["engagement_rate"].notna().any():
        e = (
            table.dropna(subset=["engagement_rate"])
            .sort_values("engagement_rate", ascending=False)
            .iloc[0]
        )
        parts.append(
            f"Highest engagement rate: {e['strategy']} ({e['engagement_rate']:.2%} of impressions)."
        )
    speed = table.dropna(subset=["days_to_conversion"])
    if len(speed):
        f = speed.sort_values("days_to_conversion").iloc[0]
        parts.append(
            f"Fastest to convert: {f['strategy']} (median {f['days_to_conversion']:.1f} days from "
            "last impression to purchase)."
        )
    if not parts:
        parts.append("Not enough data to compare these groups yet.")
    return " ".join(parts)


#: lifetime columns :func:`with_lifetime` takes from a lifetime table (``customers`` is shown as
#: ``acquired_customers``), placed beside the first-purchase ROAS
LIFETIME_COLUMNS: tuple[str, ...] = (
    "customers",
    "clv_mean",
    "clv_mean_low",
    "clv_mean_high",
    "first_purchase_roas",
    "lifetime_roas",
    "lifetime_roas_low",
    "lifetime_roas_high",
    "incremental_lifetime_roas",
    "incremental_lifetime_roas_low",
    "incremental_lifetime_roas_high",
)


def with_lifetime(result: ComparisonResult, lifetime: pd.DataFrame) -> ComparisonResult:
    """The comparison with lifetime ROAS beside first-purchase ROAS.

    Parameters
    ----------
    result : ComparisonResult
        From :func:`compare_strategies`.
    lifetime : DataFrame
        One row per group of the comparison's dimension, column ``group`` and any of
        :data:`LIFETIME_COLUMNS`: :func:`micromix.clv.lifetime_returns` output (grouped by
        ``result.comparison.dimension``, with the same creator tiers).

    Returns
    -------
    ComparisonResult
        The table gains the lifetime columns right after ``roas_high`` (groups without a
        lifetime figure get NaN), and the conclusion a sentence on lifetime ROAS.
    """
    if "group" not in lifetime.columns:
        raise ConfigError("the lifetime table needs a 'group' column (clv.lifetime_returns)")
    cols = [c for c in LIFETIME_COLUMNS if c in lifetime.columns]
    lt = lifetime.set_index("group")[cols].rename(columns={"customers": "acquired_customers"})
    table = result.table.drop(columns=[c for c in lt.columns if c in result.table.columns])
    merged = table.merge(lt, left_on="strategy", right_index=True, how="left")
    anchor = list(table.columns).index("roas_high") + 1 if "roas_high" in table else len(table)
    order = [*table.columns[:anchor], *lt.columns, *table.columns[anchor:]]
    merged = merged[order]
    notes = [*result.notes]
    h = lifetime.attrs.get("horizon")
    if h is not None:
        notes.append(
            f"lifetime ROAS: revenue of the customers each group acquired "
            f"({lifetime.attrs.get('basis', 'first-purchase')}) to date plus their predicted "
            f"CLV over {h:g} {lifetime.attrs.get('time_unit_name', 'weeks')}, per dollar of "
            "the group's spend"
        )
    text = _conclude_lifetime(merged, float(lifetime.attrs.get("level", result.level)))
    conclusion = f"{result.conclusion} {text}".strip() if text else result.conclusion
    return ComparisonResult(result.comparison, merged, conclusion, result.level, notes)


def _conclude_lifetime(table: pd.DataFrame, level: float) -> str:
    if "lifetime_roas" not in table.columns:
        return ""
    life = table.dropna(subset=["lifetime_roas", "first_purchase_roas"])
    if life.empty:
        return (
            "No group has a lifetime ROAS yet: too few customers bought again to fit their "
            "lifetime value (see micromix clv by-strategy for each group's reason)."
        )
    best = life.sort_values("lifetime_roas", ascending=False).iloc[0]
    first = life.sort_values("first_purchase_roas", ascending=False).iloc[0]
    lo, hi = best.get("lifetime_roas_low", np.nan), best.get("lifetime_roas_high", np.nan)
    interval = (
        f"{level:.0%} interval {lo:.2f} to {hi:.2f}"
        if np.isfinite([lo, hi]).all()
        else "no interval: too few repeat buyers to bound it"
    )
    text = (
        f"Over the customers' lifetime, {best['strategy']} has the highest return per dollar: "
        f"lifetime ROAS {best['lifetime_roas']:.2f} ({interval}) against "
        f"{best['first_purchase_roas']:.2f} at the first purchase"
    )
    if first["strategy"] != best["strategy"]:
        text += (
            f"; on first purchases alone {first['strategy']} would look best "
            f"({first['first_purchase_roas']:.2f})"
        )
    return text + "."
