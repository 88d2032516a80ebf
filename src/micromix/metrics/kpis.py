"""The KPI engine: every KPI defined once, computed as portable Ibis expressions.

Additive *measures* (impressions, clicks, spend, conversions, revenue, engagements, ...) are summed
per group; *ratios* (CTR, CPM, CPC, CVR, CPA, ROAS, ROI, engagement rate, cost per engagement,
frequency) are computed from those sums — never as averages of ratios — and a zero denominator
gives null. Earned media value values organic impressions at the paid CPM of their platform.

Sources
-------
``events``
    One row per interaction (impressions are rows with ``event_type = 'impression'``); reach is
    the number of distinct users with an impression.
``ads``
    The ``ad_performance`` table (daily platform reports). Reach is the sum of reported reach,
    an upper bound when a group spans several days or ads (platforms do not report de-duplicated
    reach across rows).

Quickstart
----------
>>> import pandas as pd
>>> from micromix.store import Store
>>> from micromix.metrics import compute_kpis
>>> st = Store.open(":memory:")
>>> _ = st.append("ad_performance", pd.DataFrame({
...     "platform": ["facebook", "facebook"], "campaign_id": ["a", "b"], "age": ["30-34", "30-34"],
...     "impressions": [1000, 0], "clicks": [10, 0], "spend": [5.0, 0.0], "conversions": [1.0, 0.0]}))
>>> compute_kpis(st, by=["age"], source="ads")[["age", "ctr", "cpa"]].to_dict("records")
[{'age': '30-34', 'ctr': 0.01, 'cpa': 5.0}]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from micromix.errors import ConfigError
from micromix.schema.vocab import ENGAGEMENT_EVENTS

__all__ = [
    "GRAINS",
    "KPI_COLUMNS",
    "MEASURES",
    "RATIOS",
    "SOURCES",
    "Ratio",
    "compute_kpis",
    "get_ratio",
    "kpi_expr",
    "measure_exprs",
    "register_ratio",
    "resolve_source",
]

#: time grains accepted by ``grain``
GRAINS = ("day", "week", "month")
#: data sources the KPI engine reads
SOURCES = ("events", "ads")
_SOURCE_TABLE = {"events": "events", "ads": "ad_performance"}
_TRUNC = {"day": "D", "week": "W", "month": "M"}

#: additive measures, in output order
MEASURES = (
    "impressions",
    "reach",
    "clicks",
    "spend",
    "conversions",
    "revenue",
    "engagements",
    "organic_impressions",
)


@dataclass(frozen=True)
class Ratio:
    """A ratio KPI: ``scale * (numerator - subtract) / denominator`` over summed measures.

    Parameters
    ----------
    lookup_name : str
        Column name of the KPI (``ctr``, ``cpa`` ...).
    numerator, denominator : str
        Measure names.
    scale : float
        Multiplier (1000 for CPM).
    subtract : str, optional
        Measure subtracted from the numerator (ROI = (revenue - spend) / spend).
    description : str
    """

    lookup_name: str
    numerator: str
    denominator: str
    scale: float = 1.0
    subtract: str | None = None
    description: str = ""

    def expr(self, t: ir.Table) -> ir.Value:
        num = t[self.numerator]
        if self.subtract is not None:
            num = num - t[self.subtract]
        den = t[self.denominator]
        return (num.cast("float64") * self.scale) / den.cast("float64").nullif(0.0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Ratio:
        return cls(**d)


#: registered ratio KPIs, in output order
RATIOS: dict[str, Ratio] = {}


def register_ratio(ratio: Ratio) -> Ratio:
    """Register (or replace) a ratio KPI so every output includes it."""
    for m in (ratio.numerator, ratio.denominator, ratio.subtract):
        if m is not None and m not in MEASURES:
            raise ConfigError(
                f"ratio {ratio.lookup_name!r}: {m!r} is not a measure ({', '.join(MEASURES)})"
            )
    RATIOS[ratio.lookup_name] = ratio
    return ratio


def get_ratio(name: str) -> Ratio:
    try:
        return RATIOS[name]
    except KeyError:
        raise ConfigError(f"unknown KPI {name!r}; known: {', '.join(RATIOS)}") from None


for _r in (
    Ratio("frequency", "impressions", "reach", description="Impressions per person reached."),
    Ratio("ctr", "clicks", "impressions", description="Click-through rate: clicks / impressions."),
    Ratio("cpm", "spend", "impressions", 1000.0, description="Cost per 1,000 impressions."),
    Ratio("cpc", "spend", "clicks", description="Cost per click."),
    Ratio("cvr", "conversions", "clicks", description="Conversion rate: conversions / clicks."),
    Ratio("cpa", "spend", "conversions", description="Cost per acquisition (conversion)."),
    Ratio("roas", "revenue", "spend", description="Return on ad spend: revenue / spend."),
    Ratio("roi", "revenue", "spend", subtract="spend", description="(revenue - spend) / spend."),
    Ratio(
        "engagement_rate", "engagements", "impressions", description="Engagements per impression."
    ),
    Ratio("cost_per_engagement", "spend", "engagements", description="Spend / engagements."),
):
    register_ratio(_r)

#: every KPI column the engine outputs, in order
KPI_COLUMNS = (*MEASURES, *RATIOS, "emv")


def _count_if(cond: ir.BooleanValue) -> ir.IntegerScalar:
    return ibis.ifelse(cond, 1, 0).sum()


def measure_exprs(t: ir.Table, source: str) -> dict[str, ir.Scalar]:
    """Aggregation expressions of every measure for ``source`` (``events`` or ``ads``)."""
    if source == "events":
        et = t.event_type
        is_imp = et == "impression"
        organic = is_imp & (t.cost.isnull() | (t.cost == 0))
        return {
            "impressions": _count_if(is_imp),
            "reach": t.user_id.nunique(where=is_imp),
            "clicks": _count_if(et == "click"),
            "spend": t.cost.sum().fill_null(0.0),
            "conversions": _count_if(et == "purchase"),
            "revenue": t.revenue.sum(where=et == "purchase").fill_null(0.0),
            "engagements": _count_if(et.isin(list(ENGAGEMENT_EVENTS))),
            "organic_impressions": _count_if(organic),
        }
    if source == "ads":
        return {
            "impressions": t.impressions.sum().fill_null(0),
            "reach": t.reach.sum(),
            "clicks": t.clicks.sum().fill_null(0),
            "spend": t.spend.sum().fill_null(0.0),
            "conversions": t.conversions.sum().fill_null(0.0),
            "revenue": t.conversion_value.sum().fill_null(0.0),
            "engagements": t.engagements.sum().fill_null(0),
            "organic_impressions": ibis.literal(0, type="int64"),
        }
    raise ConfigError(f"unknown KPI source {source!r}; use one of {', '.join(SOURCES)}")


def _period(t: ir.Table, source: str, grain: str) -> ir.Value:
    if grain not in GRAINS:
        raise ConfigError(f"unknown grain {grain!r}; use one of {', '.join(GRAINS)}")
    col = t.ts if source == "events" else t.date
    return col.truncate(_TRUNC[grain]).cast("date")


def kpi_expr(
    t: ir.Table,
    *,
    source: str,
    by: Sequence[str] = (),
    grain: str | None = None,
    filters: Sequence[ir.BooleanValue] = (),
) -> ir.Table:
    """The KPI table as an (unexecuted) Ibis expression.

    Parameters
    ----------
    t : ibis.Table
        The source table.
    source : {"events", "ads"}
    by : sequence of str
        Dimensions to group by (any columns of ``t``).
    grain : {"day", "week", "month"}, optional
        Adds a ``period`` column truncated to this grain.
    filters : sequence of boolean expressions on ``t``
    """
    missing = [d for d in by if d not in t.columns]
    if missing:
        raise ConfigError(
            f"dimension(s) {', '.join(map(repr, missing))} not in the {source} data; "
            f"available: {', '.join(t.columns)}"
        )
    for f in filters:
        t = t.filter(f)
    keys: list[Any] = [t[d] for d in by]
    if grain:
        t = t.mutate(period=_period(t, source, grain))
        keys.append(t.period)
    measures = measure_exprs(t, source)
    if source == "events":
        # distinct users are counted on the impressions alone and joined back: a filtered
        # scan before the distinct count is ~2.5x faster than count(DISTINCT) FILTER (...)
        measures.pop("reach")
    agg = t.group_by(keys).aggregate(**measures) if keys else t.aggregate(**measures)
    if source == "events":
        imp = t.filter(t.event_type == "impression")
        names = [*by, *(["period"] if grain else [])]
        if names:
            r = imp.group_by([imp[k] for k in names]).aggregate(reach=imp.user_id.nunique())
            pred = [agg[k].identical_to(r[k]) for k in names]
            agg = agg.left_join(r, pred).select(*agg.columns, "reach")
            agg = agg.mutate(reach=agg.reach.fill_null(0))
        else:
            agg = agg.cross_join(imp.aggregate(reach=imp.user_id.nunique()))
    agg = agg.mutate(**{name: r.expr(agg) for name, r in RATIOS.items()})
    key_names = [*by, *(["period"] if grain else [])]
    emv = _emv_expr(t, source, key_names)
    if emv is not None:
        if key_names:
            pred = [agg[k].identical_to(emv[k]) for k in key_names]
            agg = agg.left_join(emv, pred).select(*agg.columns, "emv")
        else:
            agg = agg.cross_join(emv)
    else:
        agg = agg.mutate(emv=ibis.null("float64"))
    keys_out = [*by, *(["period"] if grain else [])]
    out = agg.select(*keys_out, *KPI_COLUMNS)
    return out.order_by(keys_out) if keys_out else out


def _emv_expr(t: ir.Table, source: str, keys: list[str]) -> ir.Table | None:
    """Earned media value per group: organic impressions x paid CPM of their platform / 1000."""
    if source != "events" or "platform" not in t.columns:
        return None
    paid = t.filter((t.event_type == "impression") & (t.cost > 0))
    cpm = paid.group_by("platform").aggregate(paid_cpm=(paid.cost.sum() * 1000.0) / paid.count())
    org = t.filter((t.event_type == "impression") & (t.cost.isnull() | (t.cost == 0)))
    per = org.group_by([*keys, "platform"] if "platform" not in keys else keys).aggregate(
        n=org.count()
    )
    j = per.left_join(cpm, per.platform.identical_to(cpm.platform))
    j = j.mutate(v=j.n.cast("float64") * j.paid_cpm / 1000.0)
    if keys:
        return j.group_by(keys).aggregate(emv=j.v.sum())
    return j.aggregate(emv=j.v.sum())


def resolve_source(store: Any, by: Sequence[str], source: str = "auto") -> str:
    """Pick the source for ``by``: events if it has rows and all dimensions, else ads."""
    if source != "auto":
        if source not in SOURCES:
            raise ConfigError(f"unknown source {source!r}; use auto or one of {', '.join(SOURCES)}")
        return source
    candidates = []
    for s in SOURCES:
        name = _SOURCE_TABLE[s]
        if store.has_table(name) and store.count(name) > 0:
            cols = store.table(name).columns
            if all(d in cols for d in by):
                candidates.append(s)
    if not candidates:
        have = [
            s
            for s in SOURCES
            if store.has_table(_SOURCE_TABLE[s]) and store.count(_SOURCE_TABLE[s])
        ]
        if not have:
            raise ConfigError(
                "the store has no events or ad data yet; run micromix ingest or micromix demo first"
            )
        raise ConfigError(
            f"no data source has all of {', '.join(by)}; events columns: "
            f"{', '.join(store.table('events').columns)}; ads columns: "
            f"{', '.join(store.table('ad_performance').columns)}"
        )
    return candidates[0]


def compute_kpis(
    store: Any,
    *,
    by: Sequence[str] = (),
    grain: str | None = None,
    source: str = "auto",
    where: Callable[[ir.Table], ir.BooleanValue] | None = None,
) -> pd.DataFrame:
    """Compute every KPI by ``by`` (and ``grain``) on the store.

    Parameters
    ----------
    store : micromix.store.Store
    by : sequence of str
        Dimensions (columns of the source table), e.g. ``["platform", "campaign_id"]``.
    grain : {"day", "week", "month"}, optional
    source : {"auto", "events", "ads"}
        ``auto`` uses events when they exist and have every dimension, else ad reports.
    where : callable, optional
        ``where(table) -> boolean expression`` filter.

    Returns
    -------
    DataFrame
        One row per group: the dimensions, ``period`` (with a grain), then
        :data:`KPI_COLUMNS`.
    """
    by = [b.strip() for b in by if b and b.strip()]
    src = resolve_source(store, by, source)
    t = store.table(_SOURCE_TABLE[src])
    expr = kpi_expr(
        t, source=src, by=by, grain=grain, filters=[where(t)] if where is not None else []
    )
    df = store.execute(expr)
    for c in df.columns:
        if c in ("impressions", "clicks", "engagements", "organic_impressions", "reach"):
            df[c] = pd.to_numeric(df[c]).astype("Int64")
    df.attrs["source"] = src
    return df
