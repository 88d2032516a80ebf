"""The KPI engine: every KPI defined once, computed only when asked, never across currencies.

Additive *measures* (impressions, clicks, spend, conversions, revenue, engagements ...) are summed
per group in the engine (one scan, one compiled query); *ratios* (CTR, CPM, CPC, CVR, CPA, ROAS,
ROI, engagement rate, cost per engagement, frequency) are computed from those sums — never as
averages of ratios — and an undefined value is null: a zero denominator, or a sum some rows do
not report (revenue where the ad reports carry no conversion value is null, not 0).

Ask for a subset with ``kpis=["ctr", "cpa"]``: the measures they depend on are computed and
nothing else (no reach scan for CTR, no EMV scan for CPA). On DuckDB the compiled query
is cached per (table schema, source, dimensions, grain, KPI set), so a repeated request only
executes.

Money is never summed across currencies: rows are grouped by ``currency`` (a null currency is
its own group) unless ``fx`` converts them with rates the user supplies
(:class:`~micromix.metrics.fx.FxRates`).

Sources
-------
``events``
    One row per interaction (impressions are rows with ``event_type = 'impression'``); reach is
    the number of distinct users with an impression. The events contract has no currency column
    today: pass ``currency="USD"`` to state the currency of ``cost``/``revenue`` (a ``currency``
    column, when the table has one, is used instead).
``ads``
    The ``ad_performance`` table (platform reports). Reach is the sum of reported reach: exact
    for one row, an *upper bound* for a group of several rows (``reach_is_upper_bound``). A row
    covering a date range (``date_end``) longer than the requested grain is refused unless
    ``spread=True`` spreads it evenly over its days.
``posts``
    Organic posts: posts, likes, comments, shares, saves, views, engagements (likes + comments +
    shares + saves, as ``social listen`` counts them), the engagements the platform reports where
    its export has them (``reported_engagements``: X's count, clicks included), engagement rate
    per view and per follower (of ``engagements``; followers from ``creators`` by ``author_id``
    and platform). Views are each platform's own: plays, and on X its impressions
    (:data:`IMPRESSION_VIEWS`); ``views_measure`` beside them says which a row counts,
    and earned media value as defined in :mod:`micromix.social.emv` (US$).

Quickstart
----------
>>> import pandas as pd
>>> from micromix.store import Store
>>> from micromix.metrics import compute_kpis
>>> st = Store.open(":memory:")
>>> _ = st.append("ad_performance", pd.DataFrame({
...     "platform": ["facebook", "facebook"], "campaign_id": ["a", "b"], "age": ["30-34", "30-34"],
...     "impressions": [1000, 0], "clicks": [10, 0], "spend": [5.0, 0.0], "conversions": [1.0, 0.0],
...     "currency": ["USD", "USD"]}))
>>> compute_kpis(st, by=["age"], source="ads", kpis=["ctr", "cpa"]).to_dict("records")
[{'age': '30-34', 'currency': 'USD', 'ctr': 0.01, 'cpa': 5.0}]
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import ibis
import numpy as np
import pandas as pd

from micromix.errors import ConfigError, DataValidationError
from micromix.metrics.fx import FxRates, normalise_currency
from micromix.schema.display import listed
from micromix.schema.vocab import ENGAGEMENT_EVENTS

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from micromix.store import Store

__all__ = [
    "GRAINS",
    "KPI_COLUMNS",
    "MEASURES",
    "POST_KPI_COLUMNS",
    "RATIOS",
    "SOURCES",
    "KpiPlan",
    "Ratio",
    "clear_query_cache",
    "compute_kpis",
    "get_ratio",
    "kpi_expr",
    "kpi_plan",
    "measure_exprs",
    "price_organic_impressions",
    "query_cache_info",
    "register_ratio",
    "resolve_kpis",
    "resolve_source",
]

#: time grains accepted by ``grain``
GRAINS = ("day", "week", "month")
#: data sources the KPI engine reads
SOURCES = ("events", "ads", "posts")
_SOURCE_TABLE = {"events": "events", "ads": "ad_performance", "posts": "posts"}
_TIME_COLUMN = {"events": "ts", "ads": "date", "posts": "ts"}
_TRUNC = {"day": "D", "week": "W", "month": "M"}
#: the currency of earned media value on posts (the rates of :mod:`micromix.social.emv`)
EMV_CURRENCY = "USD"
#: compiled queries kept per process
QUERY_CACHE_SIZE = 256
#: the events column naming the source (paid or not) of a row: a ratio over spend counts the
#: results of the strategies that carry spend only
UNIT_KEY = "strategy"

#: additive measures of the events and ads sources, in output order
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
#: measures in money (a KPI that depends on one is computed per currency)
_MONEY = frozenset({"spend", "revenue", "emv"})
#: ad_performance column of each ads measure
_ADS_COLUMN = {
    "impressions": "impressions",
    "reach": "reach",
    "clicks": "clicks",
    "spend": "spend",
    "conversions": "conversions",
    "revenue": "conversion_value",
    "engagements": "engagements",
}


# --------------------------------------------------------------------------- query cache
_QUERIES: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_QUERIES_LOCK = threading.Lock()
_STATS = {"hits": 0, "misses": 0}


def query_cache_info() -> dict[str, int]:
    """Hits, misses and size of the compiled-query cache."""
    with _QUERIES_LOCK:
        return {**_STATS, "size": len(_QUERIES)}


def clear_query_cache() -> None:
    """Forget every compiled query (they are rebuilt on the next request)."""
    with _QUERIES_LOCK:
        _QUERIES.clear()
        _STATS.update(hits=0, misses=0)


def _cached(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    with _QUERIES_LOCK:
        if key in _QUERIES:
            _QUERIES.move_to_end(key)
            _STATS["hits"] += 1
            return _QUERIES[key]
        _STATS["misses"] += 1
    value = build()
    with _QUERIES_LOCK:
        _QUERIES[key] = value
        while len(_QUERIES) > QUERY_CACHE_SIZE:
            _QUERIES.popitem(last=False)
    return value


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
    within : str, optional
        One of the inputs (``spend`` for ROAS, ``clicks`` for CVR): the *other* inputs count
        only the rows of the sources (strategies) that carry some of it, so revenue no ad
        dollar was spent on never divides by the ad spend. Where the frame has no restricted
        column (``_<measure>_of_<within>``: ad reports, every row paid) the plain sums are used.
    description : str
    """

    lookup_name: str
    numerator: str
    denominator: str
    scale: float = 1.0
    subtract: str | None = None
    within: str | None = None
    description: str = ""

    @property
    def inputs(self) -> tuple[str, ...]:
        """The measures this ratio is computed from."""
        return tuple(m for m in (self.numerator, self.denominator, self.subtract) if m)

    @property
    def restricted(self) -> tuple[str, ...]:
        """The inputs counted only where ``within`` is carried (none without ``within``)."""
        if self.within is None:
            return ()
        return tuple(m for m in self.inputs if m != self.within)

    def compute(self, frame: pd.DataFrame) -> pd.Series:
        """The ratio on a frame of summed measures (null where undefined)."""

        def col(name: str) -> np.ndarray:
            if self.within is not None and name != self.within:
                alt = restricted(name, self.within)
                name = alt if alt in frame.columns else name
            return pd.to_numeric(frame[name]).to_numpy(dtype=float, na_value=np.nan)

        num = col(self.numerator)
        if self.subtract is not None:
            num = num - col(self.subtract)
        den = col(self.denominator)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = num * self.scale / np.where(den != 0, den, np.nan)
        if self.numerator == "spend" and self.subtract is None:
            # a cost per result of a group that paid nothing (organic posts) is undefined, not
            # $0: free results would read as the cheapest paid ones
            out = np.where(num > 0, out, np.nan)
        return pd.Series(out, index=frame.index, dtype=float)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Ratio:
        return cls(**d)


#: registered ratio KPIs of the events and ads sources, in output order
RATIOS: dict[str, Ratio] = {}


def restricted(measure: str, within: str) -> str:
    """The helper column of ``measure`` summed over the sources that carry ``within``."""
    return f"_{measure}_of_{within}"


def register_ratio(ratio: Ratio) -> Ratio:
    """Register (or replace) a ratio KPI of the events/ads sources."""
    if ratio.within is not None and ratio.within not in ratio.inputs:
        raise ConfigError(
            f"ratio {ratio.lookup_name!r}: within={ratio.within!r} is not one of its inputs"
        )
    for m in ratio.inputs:
        if m not in MEASURES:
            raise ConfigError(
                f"ratio {ratio.lookup_name!r}: {m!r} is not a measure ({', '.join(MEASURES)})"
            )
    RATIOS[ratio.lookup_name] = ratio
    _QUERIES.clear()
    return ratio


def get_ratio(name: str) -> Ratio:
    try:
        return RATIOS[name]
    except KeyError:
        raise ConfigError(f"unknown KPI {name!r}; known: {', '.join(RATIOS)}") from None


for _r in (
    Ratio("frequency", "impressions", "reach", description="Impressions per person reached."),
    Ratio("ctr", "clicks", "impressions", description="Click-through rate: clicks / impressions."),
    Ratio(
        "cpm",
        "spend",
        "impressions",
        1000.0,
        within="spend",
        description="Cost per 1,000 impressions of the strategies with spend.",
    ),
    Ratio(
        "cpc",
        "spend",
        "clicks",
        within="spend",
        description="Cost per click of the strategies with spend.",
    ),
    Ratio(
        "cvr",
        "conversions",
        "clicks",
        within="clicks",
        description="Conversion rate: conversions / clicks, of the strategies with clicks.",
    ),
    Ratio(
        "cpa",
        "spend",
        "conversions",
        within="spend",
        description="Cost per acquisition (conversion) of the strategies with spend; undefined "
        "where nothing was spent.",
    ),
    Ratio(
        "roas",
        "revenue",
        "spend",
        within="spend",
        description="Return on ad spend: revenue of the strategies with spend / spend.",
    ),
    Ratio(
        "roi",
        "revenue",
        "spend",
        subtract="spend",
        within="spend",
        description="(revenue - spend) / spend, revenue of the strategies with spend.",
    ),
    Ratio(
        "engagement_rate", "engagements", "impressions", description="Engagements per impression."
    ),
    Ratio(
        "cost_per_engagement",
        "spend",
        "engagements",
        within="spend",
        description="Spend / engagements of the strategies with spend.",
    ),
):
    register_ratio(_r)

#: every KPI column of the events and ads sources, in order
KPI_COLUMNS = (*MEASURES, *RATIOS, "emv")

#: measures of the posts source, in output order
POST_MEASURES = (
    "posts",
    "likes",
    "comments",
    "shares",
    "saves",
    "views",
    "engagements",
    "reported_engagements",
    "followers",
)
#: ratios of the posts source (hidden measures start with ``_``)
POST_RATIOS: dict[str, Ratio] = {
    r.lookup_name: r
    for r in (
        Ratio(
            "engagement_rate_per_view",
            "_viewed_engagements",
            "_views_known",
            description="Engagements / views, over posts that report views.",
        ),
        Ratio(
            "engagement_rate_per_follower",
            "_followed_engagements",
            "followers",
            description="Engagements / author followers, over posts whose author's following is known.",
        ),
    )
}
#: every KPI column of the posts source, in order
POST_KPI_COLUMNS = (*POST_MEASURES, *POST_RATIOS, "emv")
#: integer-valued measures (nullable Int64 in the output)
_COUNTS = frozenset(MEASURES + POST_MEASURES) - {"spend", "revenue", "conversions"}
#: the counts a post's engagements add up: social.columns.ENGAGEMENT_PARTS (not imported here:
#: importing micromix.social loads its sentiment scorers, 1.5 s; a test keeps the two equal)
_POST_COUNTS = ("likes", "comments", "shares", "saves")
#: platforms whose "views" are impressions: X counts (and shows on every post) a view each time
#: the post is shown, which its tweet-activity export calls ``impressions``; the posts contract's
#: ``views`` there holds only the plays of a post's media. Elsewhere ``views`` are the platform's
#: own views (TikTok and Reels plays), and their ``impressions`` are a measure of their own
IMPRESSION_VIEWS = ("x", "twitter")
#: ``views_measure`` of a posts KPI row: what its views (and engagement per view) count
VIEWS_MEASURES = {
    "views": "views (plays) as the platform reports them",
    "impressions": "impressions: the platform's views (X counts a view each time a post is shown)",
    "views + impressions": "views of platforms that report plays plus impressions of those whose "
    "views are impressions (X)",
}


def _catalogue(source: str) -> tuple[tuple[str, ...], dict[str, Ratio]]:
    if source == "posts":
        return POST_KPI_COLUMNS, POST_RATIOS
    return (*MEASURES, *RATIOS, "emv"), RATIOS


def resolve_kpis(source: str, kpis: Iterable[str] | str | None = None) -> tuple[str, ...]:
    """The KPI columns to output for ``source``: all of them, or the requested ones validated.

    ``kpis`` may be a comma-separated string (``"ctr,cpa"``); names are case-insensitive and
    kept in the order asked, without repeats.
    """
    if source not in SOURCES:
        raise ConfigError(f"unknown KPI source {source!r}; use one of {', '.join(SOURCES)}")
    cols, _ = _catalogue(source)
    if kpis is None:
        return cols
    names = kpis.split(",") if isinstance(kpis, str) else list(kpis)
    out: list[str] = []
    for n in names:
        k = str(n).strip().lower()
        if not k:
            continue
        if k not in cols:
            raise ConfigError(
                f"unknown KPI {n.strip()!r} for the {source} source; choose from {', '.join(cols)}"
            )
        if source == "ads" and k in ("emv", "organic_impressions"):
            raise ConfigError(
                f"{k} is not defined for ad reports (they carry no organic impressions); "
                "use --source events or posts"
            )
        if k not in out:
            out.append(k)
    if not out:
        raise ConfigError(f"no KPI named; choose from {', '.join(cols)}")
    return tuple(out)


def _dependencies(source: str, kpis: Sequence[str]) -> frozenset[str]:
    """Every measure (public or hidden) needed to compute ``kpis``."""
    _, ratios = _catalogue(source)
    need: set[str] = set()
    for k in kpis:
        if k in ratios:
            need.update(ratios[k].inputs)
        else:
            need.add(k)
    if source == "posts" and {"engagements", "reported_engagements"} <= set(kpis):
        need.add("_reported_below")  # both shown: say where they cannot both be right
    if source == "posts" and {"views", "engagement_rate_per_view"} & set(kpis):
        need.update(("_views_of_views", "_views_of_impressions"))  # views_measure says which
    return frozenset(need)


# ------------------------------------------------------------------------------------ plan
@dataclass(frozen=True)
class KpiPlan:
    """What one KPI request computes: the engine query's keys and measures, and the output.

    Built by :func:`kpi_plan`; the compiled query is cached per plan and table schema.
    """

    source: str
    by: tuple[str, ...]
    grain: str | None
    kpis: tuple[str, ...]
    measures: frozenset[str]
    #: ``"column"``: group by the table's currency; ``"constant"``: one stated currency;
    #: ``"none"``: no money in the KPIs asked
    currency_mode: str
    #: the engine groups by day too (dated exchange rates)
    fx_daily: bool = False
    #: the engine groups by platform too (events EMV prices organic impressions per platform)
    platform_helper: bool = False
    #: the engine groups ad rows by platform too, so a group adding the conversions or revenue
    #: several platforms attribute to their own ads is said (their attributions overlap)
    attribution_helper: bool = False
    #: a separate distinct-user scan for reach (events)
    distinct_reach: bool = False
    has_date_end: bool = False
    followers_from: str | None = None
    #: the column naming an events row's source (``strategy``): ratios with ``within`` count
    #: their other inputs only over the sources that carry the ``within`` measures listed here
    unit_key: str | None = None
    within: tuple[str, ...] = ()
    #: the engine groups by ``unit_key`` too (it is not a dimension asked)
    unit_helper: bool = False
    #: the keys of the output rows
    out_keys: tuple[str, ...] = field(default=())
    #: the keys the engine groups by (finer: currency, day, platform helpers)
    fine_keys: tuple[str, ...] = field(default=())


def kpi_plan(
    columns: Sequence[str],
    *,
    source: str,
    by: Sequence[str] = (),
    grain: str | None = None,
    kpis: Iterable[str] | str | None = None,
    fx_daily: bool = False,
    convert: bool = False,
    followers_from: str | None = None,
) -> KpiPlan:
    """Plan a KPI request on a table with ``columns`` (validates dimensions, grain and KPIs)."""
    if source not in SOURCES:
        raise ConfigError(f"unknown KPI source {source!r}; use one of {', '.join(SOURCES)}")
    if grain is not None and grain not in GRAINS:
        raise ConfigError(f"unknown grain {grain!r}; use one of {', '.join(GRAINS)}")
    by = tuple(b.strip() for b in by if b and b.strip())
    missing = [d for d in by if d not in columns]
    if missing:
        raise ConfigError(
            f"dimension(s) {', '.join(map(repr, missing))} not in the {source} data; "
            f"available: {', '.join(columns)}"
        )
    if len(set(by)) != len(by):
        raise ConfigError(f"a dimension is repeated in {', '.join(by)}; name each once")
    out_kpis = resolve_kpis(source, kpis)
    need = _dependencies(source, out_kpis)
    money = bool(need & _MONEY)
    has_cur = "currency" in columns
    mode = "none"
    if money:
        mode = "column" if has_cur and source != "posts" else "constant"
    period = ("period",) if grain else ()
    # rows of an ad table at several levels (campaign and ad rows of one campaign) describe the
    # same delivery twice: they are kept apart, never summed together
    level = ("level",) if source == "ads" and "level" in columns and "level" not in by else ()
    cur_out = ("currency",) if money and not convert and "currency" not in by else ()
    out_keys = (*by, *period, *level, *cur_out)
    fine: list[str] = [*by, *period, *level]
    if mode == "column" and "currency" not in fine:
        fine.append("currency")
    if fx_daily and money:
        fine.append("_day")
    platform_helper = source == "events" and "emv" in need and "platform" not in by
    if platform_helper:
        fine.append("platform")
    attribution_helper = (
        source == "ads"
        and "platform" in columns
        and "platform" not in by
        and bool(need & {"conversions", "revenue"})
    )
    if attribution_helper:
        fine.append("platform")
    if source == "events" and "emv" in need and "platform" not in columns:
        raise ConfigError("emv needs the events' platform column; it is not in the events data")
    # revenue, conversions, impressions ... of a strategy that spent nothing (direct, organic)
    # never divide by the spend of the others: the events are split by strategy (few values)
    within: tuple[str, ...] = ()
    unit_key = UNIT_KEY if source == "events" and UNIT_KEY in columns else None
    if unit_key is not None:
        within = tuple(
            sorted({w for k in out_kpis if (w := getattr(RATIOS.get(k), "within", None))})
        )
    unit_helper = bool(within) and unit_key not in fine
    if unit_helper:
        fine.append(str(unit_key))
    return KpiPlan(
        source=source,
        by=by,
        grain=grain,
        kpis=out_kpis,
        measures=need,
        currency_mode=mode,
        fx_daily=fx_daily and money,
        platform_helper=platform_helper,
        attribution_helper=attribution_helper,
        distinct_reach=source == "events" and "reach" in need,
        has_date_end=source == "ads" and "date_end" in columns,
        followers_from=followers_from if source == "posts" else None,
        unit_key=unit_key if within else None,
        within=within,
        unit_helper=unit_helper,
        out_keys=out_keys,
        fine_keys=tuple(fine),
    )


# ---------------------------------------------------------------------------- engine part
def measure_exprs(t: ir.Table, source: str, need: Iterable[str] | None = None) -> dict[str, Any]:
    """Aggregation expressions of the measures ``need`` (default: every public one).

    Names starting with ``_`` are helpers (non-null counts, EMV parts) that
    :func:`compute_kpis` uses to finish the KPIs; they never reach the output.
    """
    if source == "events":
        return _events_measures(t, set(need if need is not None else (*MEASURES, "emv")))
    if source == "ads":
        return _ads_measures(t, set(need if need is not None else MEASURES))
    if source == "posts":
        return _posts_measures(t, set(need if need is not None else (*POST_MEASURES, "emv")))
    raise ConfigError(f"unknown KPI source {source!r}; use one of {', '.join(SOURCES)}")


def _events_measures(t: ir.Table, need: set[str]) -> dict[str, Any]:
    et = t.event_type
    is_imp = et == "impression"
    out: dict[str, Any] = {}
    if "impressions" in need:
        out["impressions"] = t.count(where=is_imp)
    if "clicks" in need:
        out["clicks"] = t.count(where=et == "click")
    if "spend" in need:
        out["spend"] = t.cost.sum()  # a null cost is no media cost (organic); filled with 0 later
    if "conversions" in need:
        out["conversions"] = t.count(where=et == "purchase")
    if "revenue" in need:
        out["revenue"] = t.revenue.sum(where=et == "purchase")
        out["_revenue_missing"] = t.count(where=(et == "purchase") & t.revenue.isnull())
    if "engagements" in need:
        out["engagements"] = t.count(where=et.isin(list(ENGAGEMENT_EVENTS)))
    if "organic_impressions" in need or "emv" in need:
        organic = is_imp & (t.cost.isnull() | (t.cost == 0))
        out["organic_impressions"] = t.count(where=organic)
    if "emv" in need:
        paid = is_imp & (t.cost > 0)
        out["_paid_impressions"] = t.count(where=paid)
        out["_paid_cost"] = t.cost.sum(where=paid)
    if "reach" in need and "user_id" in t.columns:
        out["reach"] = t.user_id.nunique(where=is_imp)
    return out


def _ads_measures(t: ir.Table, need: set[str], where: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"_rows": t.count(where=where)}
    for m in MEASURES:
        if m not in need or m == "organic_impressions":
            continue
        col = _ADS_COLUMN[m]
        if col in t.columns:
            out[m] = t[col].sum(where=where)
            out[f"_n_{m}"] = t[col].count(where=where)
    return out


def _posts_measures(t: ir.Table, need: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"_rows": t.count()}
    if "posts" in need:
        out["posts"] = t.count()
    for m in _POST_COUNTS:
        if m in need and m in t.columns:
            out[m] = t[m].sum()
            out[f"_n_{m}"] = t[m].count()
    view, by_impressions = _post_views(t)
    if view is not None:
        if "views" in need:
            out["views"] = view.sum()
            out["_n_views"] = view.count()
        if "_views_of_views" in need:
            out["_views_of_impressions"] = t.count(where=by_impressions & view.notnull())
            out["_views_of_views"] = t.count(where=~by_impressions & view.notnull())
    # engagements are the sum of the counts on every post, as social.columns.engagements_of
    # adds them; the platform's own count (X's, clicks included) is its own measure, never
    # mixed in
    parts = [c for c in _POST_COUNTS if c in t.columns]
    present = [t[c].fill_null(0) for c in parts]
    eng = sum(present[1:], present[0]) if present else None
    if eng is not None and "engagements" in need:
        # a post reporting none of the parts has unknown engagements: a group with such posts
        # has no total (null), as every other measure a row does not report
        reports = t[parts[0]].notnull()
        for c in parts[1:]:
            reports = reports | t[c].notnull()
        out["_n_engagements"] = t.count(where=reports)
    if "engagements" in t.columns:
        if "reported_engagements" in need:
            out["reported_engagements"] = t.engagements.sum()
            out["_n_reported_engagements"] = t.engagements.count()
        if "_reported_below" in need and eng is not None:
            # posts where the platform's count, which includes them, is below the sum: one of
            # the export's figures is wrong
            out["_reported_below"] = t.count(where=(t.engagements < eng).fill_null(False))
    viewed = (view > 0).fill_null(False) if view is not None else None
    fol = t.followers if "followers" in t.columns else None
    followed = (fol > 0).fill_null(False) if fol is not None else None
    if eng is not None:
        if "engagements" in need:
            out["engagements"] = eng.sum()
        if "_viewed_engagements" in need and viewed is not None:
            out["_viewed_engagements"] = eng.sum(where=viewed)
        if "_followed_engagements" in need and followed is not None:
            out["_followed_engagements"] = eng.sum(where=followed)
    if "_views_known" in need and view is not None and viewed is not None:
        out["_views_known"] = view.sum(where=viewed)
    if "followers" in need and fol is not None:
        out["followers"] = fol.sum(where=followed)
    if "emv" in need:
        # EMV is linear in the counts: summing its inputs per group and pricing the sums with
        # social.emv gives exactly the sum of per-post EMV (a post's impressions are its views,
        # else the impressions it reports - X's tweet activity -, else followers x reach rate,
        # as social.emv prices a file's posts)
        shown = None
        for c in ("views", "impressions"):
            if c in t.columns:
                seen_c = t[c].nullif(0)
                shown = seen_c if shown is None else shown.fill_null(seen_c)
        if shown is not None:
            out["_emv_views"] = shown.sum()
        if fol is not None:
            out["_emv_followers"] = fol.sum(
                where=followed & shown.isnull() if shown is not None else followed
            )
        for c in _POST_COUNTS:
            if c in t.columns:
                out[f"_emv_{c}"] = t[c].sum()
    return out


def _post_views(t: ir.Table) -> tuple[Any, Any]:
    """Each post's views as its platform counts them, and whether they are its impressions.

    A post of a platform whose views are impressions (:data:`IMPRESSION_VIEWS`: X) that
    reports impressions has them as its views; any other post has the ``views`` it reports.
    ``(None, None)`` when the table has neither column.
    """
    views = t.views if "views" in t.columns else None
    impressions = t.impressions if "impressions" in t.columns else None
    if impressions is None or "platform" not in t.columns:
        return views, (ibis.literal(False) if views is not None else None)
    on_impressions = (t.platform.lower().isin(IMPRESSION_VIEWS) & impressions.notnull()).fill_null(
        False
    )
    other = views if views is not None else ibis.null(impressions.type())
    return on_impressions.ifelse(impressions, other), on_impressions


def _views_measure(df: pd.DataFrame) -> pd.Series:
    """The ``views_measure`` of each row (a key of :data:`VIEWS_MEASURES`, None: no views)."""
    none = pd.Series(0.0, index=df.index)
    own = pd.to_numeric(df.get("_views_of_views", none)).fillna(0) > 0
    impr = pd.to_numeric(df.get("_views_of_impressions", none)).fillna(0) > 0
    label = np.select([own & impr, impr, own], ["views + impressions", "impressions", "views"], "")
    return pd.Series(label, index=df.index, dtype=object).replace("", None)


def _prepare(
    t: ir.Table, plan: KpiPlan, filters: Sequence[Any] = (), followers: ir.Table | None = None
) -> ir.Table:
    """The source table filtered, joined to followers, with ``period``/``_day``/currency keys."""
    for f in filters:
        t = t.filter(f)
    if plan.source == "posts" and "followers" not in t.columns:
        # the count the export reports beside the post, else the author's creator profile
        own = t.author_followers if "author_followers" in t.columns else None
        if followers is not None:
            # a profile counts for the posts of its own platform only (an Instagram following
            # is not a TikTok author's); a profile or post without a platform matches by id
            f = followers.select(
                _creator=followers.creator_id,
                _profile=followers.followers,
                _cplatform=followers.platform,
            )
            same = f._cplatform.isnull() | t.platform.isnull() | (f._cplatform == t.platform)
            t = t.left_join(f, [t.author_id == f._creator, same]).drop("_creator", "_cplatform")
            t = t.mutate(followers=t._profile if own is None else own.coalesce(t._profile))
            t = t.drop("_profile")
        elif own is not None:
            t = t.mutate(followers=own)
    time_col = t[_TIME_COLUMN[plan.source]]
    extra: dict[str, Any] = {}
    if plan.grain:
        extra["period"] = time_col.truncate(_TRUNC[plan.grain]).cast("date")
    if plan.fx_daily:
        extra["_day"] = time_col.cast("date") if plan.source != "ads" else t.date
    if plan.currency_mode == "column":
        extra["currency"] = t.currency.upper()
    if plan.has_date_end and plan.grain:
        extra["_crosses"] = _crosses_period(t, plan.grain)
    return t.mutate(**extra) if extra else t


def kpi_expr(
    t: ir.Table,
    *,
    source: str,
    by: Sequence[str] = (),
    grain: str | None = None,
    filters: Sequence[Any] = (),
    kpis: Iterable[str] | str | None = None,
    plan: KpiPlan | None = None,
    followers: ir.Table | None = None,
) -> ir.Table:
    """The engine part of a KPI request as an (unexecuted) Ibis expression.

    One row per group with the additive measures the requested KPIs need (helper columns start
    with ``_``); :func:`compute_kpis` executes it and finishes ratios, EMV and currencies on the
    small result.

    Parameters
    ----------
    t : ibis.Table
        The source table.
    source : {"events", "ads", "posts"}
    by : sequence of str
        Dimensions to group by (any columns of ``t``).
    grain : {"day", "week", "month"}, optional
        Adds a ``period`` column truncated to this grain.
    filters : sequence of boolean expressions on ``t``
    kpis : sequence of str, optional
        The KPIs wanted (default: all of the source's).
    plan : KpiPlan, optional
        A plan from :func:`kpi_plan` (overrides ``by``/``grain``/``kpis``).
    followers : ibis.Table, optional
        ``creators`` (``creator_id``, ``followers``) for the posts source.
    """
    if plan is None:
        plan = kpi_plan(t.columns, source=source, by=by, grain=grain, kpis=kpis)
    base = _prepare(t, plan, filters, followers)
    need = set(plan.measures)
    if plan.distinct_reach:
        need.discard("reach")
    if plan.has_date_end and plan.grain:
        # rows covering more than one period are left out of the sums and counted: the
        # request is refused, or they are spread over their days (compute_kpis)
        measures = _ads_measures(base, need, where=~base._crosses)
        measures["_crossing"] = base.count(where=base._crosses)
    else:
        measures = measure_exprs(base, plan.source, need)
    agg = _group(base, plan.fine_keys, measures)
    if plan.distinct_reach:
        # distinct users are counted on the impressions alone and joined back: a filtered scan
        # before the distinct count is ~2.5x faster than count(DISTINCT) FILTER (...)
        imp = base.filter(base.event_type == "impression")
        rkeys = [k for k in plan.out_keys if k in plan.fine_keys]
        r = _group(imp, rkeys, {"reach": imp.user_id.nunique()})
        if rkeys:
            pred = [agg[k].identical_to(r[k]) for k in rkeys]
            agg = agg.left_join(r, pred).select(*agg.columns, "reach")
        else:
            agg = agg.cross_join(r)
    return agg


def _group(t: ir.Table, keys: Sequence[str], measures: dict[str, Any]) -> ir.Table:
    return t.group_by(list(keys)).aggregate(**measures) if keys else t.aggregate(**measures)


def _crosses_period(t: ir.Table, grain: str) -> Any:
    unit = _TRUNC[grain]
    crosses = t.date_end.notnull() & (t.date.truncate(unit) != t.date_end.truncate(unit))
    return crosses.fill_null(False)


# ---------------------------------------------------------------------------- the request
def resolve_source(store: Store, by: Sequence[str], source: str = "auto") -> str:
    """Pick the source for ``by``: events if it has rows and all dimensions, else ads.

    ``posts`` is never picked automatically (its KPIs differ); ask for it with
    ``source="posts"``.
    """
    return _resolve(store, by, source)[0]


def _resolve(store: Store, by: Sequence[str], source: str) -> tuple[str, ir.Table]:
    """The source and its table (counts only to choose ``auto``)."""
    if source != "auto":
        if source not in SOURCES:
            raise ConfigError(f"unknown source {source!r}; use auto or one of {', '.join(SOURCES)}")
        if not store.has_table(_SOURCE_TABLE[source]):
            raise ConfigError(
                f"the store has no {_SOURCE_TABLE[source]} table; ingest {source} first "
                f"(micromix ingest {source} FILE)"
            )
        return source, store.table(_SOURCE_TABLE[source])
    cols: dict[str, list[str]] = {}
    for s in ("events", "ads"):
        if store.count(_SOURCE_TABLE[s]) == 0:  # 0 also when the table does not exist
            continue
        t = store.table(_SOURCE_TABLE[s])
        if all(d in t.columns for d in by):
            return s, t
        cols[s] = list(t.columns)
    posts = 0 if cols else store.count(_SOURCE_TABLE["posts"])
    if posts:
        raise ConfigError(
            f"the store has no events or ad data, only {posts:,} posts, whose KPIs are of their "
            "own kind (engagement, earned media value); ask for them with --source posts "
            "(source='posts')"
        )
    traffic = 0 if cols else store.count("traffic")
    if traffic:
        raise ConfigError(
            f"the store has no events or ad data, only {traffic:,} "
            f"row{'' if traffic == 1 else 's'} of web analytics reports "
            "(GA4 / UA downloads): each is an aggregate over its own period and dimension, not "
            "campaign data, so they have no CTR, CPA or ROAS here; 'micromix report' shows them "
            "(Web and app analytics) and 'micromix export traffic' writes them, and ingesting "
            "ad exports or events gives KPIs"
        )
    if not cols:
        raise ConfigError(
            "the store has no events or ad data yet; run micromix ingest or micromix demo first"
        )
    raise ConfigError(
        f"no data source has all of {', '.join(by)}; "
        + "; ".join(f"{s} columns: {', '.join(c)}" for s, c in cols.items())
    )


def compute_kpis(
    store: Store,
    *,
    by: Sequence[str] = (),
    grain: str | None = None,
    source: str = "auto",
    where: Callable[[ir.Table], Any] | None = None,
    kpis: Iterable[str] | str | None = None,
    currency: str | None = None,
    fx: FxRates | None = None,
    to: str | None = None,
    spread: bool = False,
) -> pd.DataFrame:
    """Compute KPIs by ``by`` (and ``grain``) on the store.

    Parameters
    ----------
    store : micromix.store.Store
    by : sequence of str
        Dimensions (columns of the source table), e.g. ``["platform", "campaign_id"]``.
    grain : {"day", "week", "month"}, optional
    source : {"auto", "events", "ads", "posts"}
        ``auto`` uses events when they exist and have every dimension, else ad reports.
    where : callable, optional
        ``where(table) -> boolean expression`` filter (such requests are not cached).
    kpis : sequence of str or comma-separated str, optional
        The KPIs to output (default: all of the source's); the measures they depend on are
        computed and nothing else.
    currency : str, optional
        ISO code of the money in a table that records no currency (the events today). Never
        used to convert.
    fx : FxRates, optional
        Convert money to ``fx.to`` with these user-supplied rates before summing; a missing
        rate is refused.
    to : str, optional
        Target currency without rates: refused unless all money is already in it.
    spread : bool
        With a ``grain``, spread ad rows covering a longer range evenly over their days
        (otherwise such rows are refused).

    Returns
    -------
    DataFrame
        One row per group: the dimensions, ``period`` (with a grain), ``currency`` (when money
        KPIs are asked and not converted), then the KPI columns; ``reach_is_upper_bound`` follows
        ``reach`` for ad reports. ``attrs`` holds ``source`` and ``notes`` (what the figures
        are: summed reach is an upper bound, rows were spread, money was converted ...).
    """
    by = [b.strip() for b in by if b and b.strip()]
    src, t = _resolve(store, by, source)
    if fx is None and to is not None:
        fx = FxRates.identity(to)
    followers_from = None
    if src == "posts" and store.has_table("creators"):
        followers_from = "creators"
    plan = kpi_plan(
        t.columns,
        source=src,
        by=by,
        grain=grain,
        kpis=kpis,
        fx_daily=bool(fx is not None and fx.dated),
        convert=fx is not None,
        followers_from=followers_from,
    )
    stated = normalise_currency(currency, what="--currency") if currency else None
    fol = store.table("creators") if followers_from else None
    if where is None and getattr(store, "engine", None) == "duckdb" and hasattr(store, "sql"):
        # DuckDB: the compiled SQL names tables only, so it serves any store whose table has
        # the same schema; a repeated request only executes
        schema = tuple((k, str(v)) for k, v in t.schema().items())
        fschema = tuple(fol.columns) if fol is not None else ()
        key = ("duckdb", plan, schema, fschema)
        sql = _cached(key, lambda: str(kpi_expr(t, source=src, plan=plan, followers=fol).compile()))
        df = store.sql(sql)
    else:
        # other engines (and filtered requests): the expression is bound to this store's
        # connection, and building it is small next to running it on Spark or a warehouse
        filters = [where(t)] if where is not None else []
        df = store.execute(kpi_expr(t, source=src, plan=plan, filters=filters, followers=fol))
    notes: list[str] = []
    spread_rows = 0
    if plan.has_date_end and plan.grain and "_crossing" in df.columns:
        spread_rows = int(pd.to_numeric(df["_crossing"]).fillna(0).sum())
        if spread_rows:
            if not spread:
                raise _range_refusal(store, t, plan, spread_rows)
            df = _add_spread_rows(store, t, plan, df, where)
            notes.append(
                f"{spread_rows:,} ad row(s) covering more than one {plan.grain} were spread "
                "evenly over their days; their values are shares, not reported figures"
            )
    out = _finish(df, plan, stated, fx, notes, spread=spread_rows > 0)
    out.attrs["source"] = src
    out.attrs["notes"] = notes
    return out


# ------------------------------------------------------------------------- finishing
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


#: the measures a ratio may be restricted by (``Ratio.within``)
RATIOS_WITHIN = ("spend", "clicks")


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


def _group_label(row: pd.Series, keys: Sequence[str], dims: Sequence[str]) -> str:
    """A group of the output named by its key values: the dimensions asked by name
    (``campaign_id X, no age``), then period, level and currency (``(campaign AUD)``)."""
    named: list[str] = []
    rest: list[str] = []
    for k in keys:
        v = row.get(k)
        if v is None or (not isinstance(v, str) and bool(pd.isna(v))):
            if k == "level":
                continue  # a table that records no level: the output has no level column
            text = f"no {k}"
        elif isinstance(v, pd.Timestamp | np.datetime64):
            text = pd.Timestamp(v).date().isoformat()
        else:
            text = f"{k} {v}" if k in dims else str(v)
        (named if k in dims else rest).append(text)
    head, tail = ", ".join(named), " ".join(rest)
    if head and tail:
        return f"{head} ({tail})"
    return head or tail or "all rows"


def _ratio_label(k: str) -> str:
    """``ROAS``, ``CPA`` ... (acronyms) and ``engagement rate`` (words)."""
    return k.upper() if "_" not in k else k.replace("_", " ")


def _amount(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def _overlap_notes(df: pd.DataFrame, plan: KpiPlan, target: Sequence[str]) -> list[str]:
    """Say where a group adds the conversions or revenue several ad platforms attribute to
    their own ads (``df`` is keyed by platform too): each platform claims the purchases its
    ads touched, so the same purchase can be in the sum twice.

    Platforms are counted per group in one pass; the text is built for the first groups only.
    A platform's figure that some of its rows in the group do not report is quoted as
    "at least" (the table shows the group's sum as unknown), never as a plain partial sum.
    """
    shown = [m for m in ("revenue", "conversions") if m in df.columns and m in plan.measures]
    keys = [k for k in target if k in df.columns and k != "platform"]
    if not shown or "platform" not in df.columns:
        return []
    cand = df[df["platform"].notna()]
    if cand.empty:
        return []
    claims = cand[shown].apply(pd.to_numeric, errors="coerce").fillna(0.0).gt(0).any(axis=1)
    codes = (
        cand.groupby([cand[k].astype(object).fillna("\0") for k in keys], sort=True).ngroup()
        if keys
        else pd.Series(0, index=cand.index)
    )
    platforms = cand.loc[claims, "platform"].groupby(codes[claims]).nunique()
    overlapping = platforms.index[platforms >= 2]  # ascending codes: the groups' sorted order
    n = len(overlapping)
    if n == 0:
        return []
    counts = [c for c in ("_rows", *(f"_n_{m}" for m in shown)) if c in cand.columns]
    details = []
    for code in overlapping[:3]:
        part = cand[codes == code]
        per = part[[*shown, *counts]].apply(pd.to_numeric, errors="coerce")
        per = per.groupby(part["platform"], sort=True).sum(min_count=1)
        per = per[per.index.isin(part.loc[claims[part.index], "platform"])]
        first = part[claims[part.index]].iloc[0]
        cur = first.get("currency") if "currency" in keys else None
        unit = f"{cur} " if isinstance(cur, str) else ""
        bits = []
        for name, r in per.iterrows():
            xs = []
            for m, what, u in (("revenue", "revenue", unit), ("conversions", "conversions", "")):
                if m not in shown or pd.isna(r[m]):
                    continue
                rows, known = r.get("_rows"), r.get(f"_n_{m}")
                partial = rows is not None and known is not None and known < rows
                if not partial:
                    xs.append(f"{u}{_amount(r[m])} {what}")
                elif r[m] > 0:  # "at least 0" says nothing: left out
                    xs.append(f"at least {u}{_amount(r[m])} {what}")
            bits.append(f"{name} {', '.join(xs)}".rstrip())
        details.append(f"{_group_label(first, keys, plan.by)}: {' + '.join(bits)}")
    what = " and ".join(shown)
    groups = listed(details, sep="; ", what="groups", total=n)
    return [
        f"{what} of {n:,} group{'' if n == 1 else 's'} add what several platforms each attribute "
        f"to their own ads ({groups}): the platforms' attributions overlap "
        "(each claims the purchases its ads touched), so the sum may count a purchase twice and "
        "ROAS and CPA on it may look better than they are; see each platform apart with "
        f"--by {','.join([*plan.by, 'platform'])}"
    ]


def _unreported_notes(df: pd.DataFrame, plan: KpiPlan) -> list[str]:
    """Name the groups whose sum of a measure is left empty because some of their rows do not
    report it (:func:`_null_unreported`), with the part that is known as "at least".

    One mask per measure over all groups; the text is built for the first 3 flagged groups."""
    if "_rows" not in df.columns or df.empty:
        return []
    keys = [k for k in plan.out_keys if k in df.columns]
    if keys:  # the groups in the table's order, whatever order the engine returned them in
        df = df.sort_values(keys, na_position="last", kind="stable")
    rows = np.trunc(pd.to_numeric(df["_rows"]).fillna(0.0))
    checked = [
        m
        for m in MEASURES
        if m != "reach" and m in plan.measures and m in df.columns and f"_n_{m}" in df.columns
    ]
    known = {m: pd.to_numeric(df[f"_n_{m}"]).fillna(0.0) for m in checked}
    gaps = {m: (known[m] > 0) & (known[m] < rows) for m in checked}
    gaps = {m: g for m, g in gaps.items() if g.any()}
    if not gaps:
        return []
    flagged = np.logical_or.reduce([g.to_numpy() for g in gaps.values()])
    # in the order the groups first show them (then the catalogue's)
    first_at = {m: int(np.argmax(g.to_numpy())) for m, g in gaps.items()}
    unknown = sorted(gaps, key=lambda m: (first_at[m], checked.index(m)))
    details: list[str] = []
    for i in df.index[flagged][:3]:
        total = int(rows[i])
        by_gap: dict[int, list[str]] = {}  # rows without the figure -> the figures' known parts
        for m in checked:
            if m not in gaps or not gaps[m][i]:
                continue
            cur = df.at[i, "currency"] if m in _MONEY and "currency" in df.columns else None
            unit = f"{cur} " if isinstance(cur, str) else ""
            by_gap.setdefault(total - int(known[m][i]), []).append(
                f"{m} at least {unit}{_amount(float(df.at[i, m]))}"
            )
        parts = [
            f"{', '.join(ms)} ({gap:,} of its {total:,} rows report "
            f"{'none' if len(ms) == 1 else 'none of them'})"
            for gap, ms in by_gap.items()
        ]
        details.append(f"{_group_label(df.loc[i], keys, plan.by)}: {'; '.join(parts)}")
    ratios = [
        _ratio_label(k) for k in plan.kpis if k in RATIOS and set(RATIOS[k].inputs) & {*unknown}
    ]
    n = int(flagged.sum())
    groups = listed(details, sep="; ", what="groups", total=n)
    return [
        f"{', '.join(unknown)} of {n:,} group{'' if n == 1 else 's'} "
        f"{'is' if len(unknown) == 1 else 'are'} empty (unknown): some of their rows report no "
        "such figure (an export without that column, or empty cells), and a sum without them "
        f"would understate it; the rows that report it give {groups}"
        + (f"; {', '.join(ratios)} on them are empty too" if ratios else "")
    ]


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


def _engagement_notes(df: pd.DataFrame, plan: KpiPlan) -> list[str]:
    """What the two engagement figures of posts are, and where they cannot both be right."""
    from micromix.social.columns import ENGAGEMENT_LABEL, REPORTED_ENGAGEMENTS_LABEL

    notes = []
    if "engagements" in plan.kpis:
        notes.append(f"engagements = {ENGAGEMENT_LABEL}, on every platform")
    if "reported_engagements" in plan.kpis:
        shown = "reported_engagements" in df.columns and bool(
            df["reported_engagements"].notna().any()
        )
        if shown:
            notes.append(
                f"reported_engagements = {REPORTED_ENGAGEMENTS_LABEL}; empty for a row some of "
                "whose posts do not report one"
            )
    below = int(df["_reported_below"].fillna(0).sum()) if "_reported_below" in df else 0
    if below:
        rows = int(df["_rows"].fillna(0).sum()) if "_rows" in df else 0
        notes.append(
            f"on {below:,} of {rows:,} posts the engagements the platform reports are below the "
            "likes + comments + shares + saves it reports, though its count includes them: the "
            "export's figures disagree, so both are shown and neither is corrected"
        )
    return notes


def _views_notes(measure: pd.Series) -> list[str]:
    """What the ``views`` of the rows count, said once per kind shown."""
    shown = [m for m in VIEWS_MEASURES if (measure == m).any()]
    if shown in ([], ["views"]):
        return []  # plays alone: the column means what it says
    said = "; ".join(f"'{m}' = {VIEWS_MEASURES[m]}" for m in shown)
    return [f"views_measure says what each row's views and engagement per view count: {said}"]


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


# ------------------------------------------------------------------------- date ranges
def _range_refusal(store: Store, t: ir.Table, plan: KpiPlan, n: int) -> ConfigError:
    """The refusal of rows that span more than one period; ``crossing_rows`` and ``example``
    on the error let a caller without these options (the report) word its own advice."""
    grain = plan.grain or "day"
    cross = t.filter(_crosses_period(t, grain))
    names = [c for c in ("campaign_name", "campaign_id", "ad_id") if c in t.columns]
    ex = store.execute(cross.select(*names, "date", "date_end").limit(1))
    example = ""
    if len(ex):
        r = ex.iloc[0]
        example = (
            f" (e.g. {_row_name(r)}: "
            f"{pd.Timestamp(r['date']).date()}..{pd.Timestamp(r['date_end']).date()})"
        )
    grains = list(_TRUNC)
    coarser = grains[grains.index(grain) + 1 :]
    options = [f"--grain {' or '.join(coarser)}"] if coarser else []
    err = ConfigError(
        f"{n:,} ad row(s) cover a date range longer than one {grain}{example}, so their "
        f"figures cannot be split by {grain}; use {', '.join([*options, 'no --grain'])}, or "
        "--spread to spread them evenly over their days"
    )
    err.crossing_rows = n  # type: ignore[attr-defined]
    err.example = example  # type: ignore[attr-defined]
    return err


def _row_name(r: pd.Series) -> str:
    """An ad row named as its export names it: ``campaign NAME`` (else its id), else
    ``ad ID (no campaign name)``, else ``(no campaign name)``; never ``nan``."""

    def text(c: str) -> str | None:
        v = r.get(c)
        return None if v is None or (not isinstance(v, str) and bool(pd.isna(v))) else str(v)

    campaign = text("campaign_name") or text("campaign_id")
    if campaign:
        return f"campaign {campaign}"
    ad = text("ad_id")
    return f"ad {ad} (no campaign name)" if ad else "(no campaign name)"


def _add_spread_rows(
    store: Store,
    t: ir.Table,
    plan: KpiPlan,
    df: pd.DataFrame,
    where: Callable[[ir.Table], Any] | None,
) -> pd.DataFrame:
    """Add the range rows, spread evenly over their days, to the engine's aggregate."""
    grain = plan.grain or "day"
    base = t.filter(where(t)) if where is not None else t
    cross = base.filter(_crosses_period(base, grain))
    cols = [
        c
        for c in (
            *plan.by,
            "level",
            "platform",
            "campaign_id",
            "campaign_name",
            "ad_id",
            "currency",
            "date",
            "date_end",
        )
        if c in t.columns
    ]
    cols += [_ADS_COLUMN[m] for m in MEASURES if m in _ADS_COLUMN and _ADS_COLUMN[m] in t.columns]
    raw = store.execute(cross.select(*dict.fromkeys(cols)))
    start = pd.to_datetime(raw["date"]).dt.normalize()
    end = pd.to_datetime(raw["date_end"]).dt.normalize()
    ndays = ((end - start).dt.days + 1).astype(int)
    if (ndays < 1).any():
        i = int((ndays < 1).idxmax())
        raise DataValidationError(
            f"ad_performance: a row of {_row_name(raw.loc[i])} ends "
            f"({end[i].date()}) before it starts ({start[i].date()}); fix the export and re-ingest"
        )
    rep = raw.loc[raw.index.repeat(ndays)].copy()
    offset = rep.groupby(level=0).cumcount().to_numpy()
    day = start.loc[rep.index].to_numpy() + pd.to_timedelta(offset, unit="D").to_numpy()
    share = 1.0 / ndays.loc[rep.index].to_numpy()
    parts = pd.DataFrame(
        {k: rep[k].to_numpy() for k in (*plan.by, "level", "platform") if k in plan.fine_keys}
    )
    if plan.grain:
        parts["period"] = _truncate_days(pd.Series(day), plan.grain).to_numpy()
    if "currency" in plan.fine_keys:
        parts["currency"] = rep["currency"].astype(object).str.upper().to_numpy()
    if "_day" in plan.fine_keys:
        parts["_day"] = day
    parts["_rows"] = 1.0
    for m in MEASURES:
        col = _ADS_COLUMN.get(m)
        if m not in df.columns or col is None:
            continue
        v = pd.to_numeric(rep[col]).astype(float).to_numpy()
        if m == "reach":
            # spreading reach over days would not bound the daily reach: unknown
            parts[m] = np.nan
            parts[f"_n_{m}"] = 0.0
        else:
            parts[m] = v * share
            parts[f"_n_{m}"] = (~np.isnan(v)).astype(float)
    keys = list(plan.fine_keys)
    spread_agg = parts.groupby(keys, dropna=False, sort=False).sum(min_count=1).reset_index()
    base_df = df.drop(columns="_crossing")
    for c in ("period", "_day"):
        if c in base_df.columns:
            base_df[c] = pd.to_datetime(base_df[c]).astype("datetime64[ns]")
            spread_agg[c] = pd.to_datetime(spread_agg[c]).astype("datetime64[ns]")
    spread_agg = spread_agg[[c for c in base_df.columns if c in spread_agg.columns]]
    both = pd.concat([base_df, spread_agg], ignore_index=True)
    values = [c for c in both.columns if c not in keys]
    both[values] = both[values].apply(pd.to_numeric, errors="coerce")
    return both.groupby(keys, dropna=False, sort=False)[values].sum(min_count=1).reset_index()


def _truncate_days(day: pd.Series, grain: str) -> pd.Series:
    d = pd.to_datetime(day)
    if grain == "day":
        return d.dt.normalize()
    if grain == "week":  # ISO weeks start on Monday, as DATE_TRUNC('week') does
        return d.dt.normalize() - pd.to_timedelta(d.dt.weekday, unit="D")
    return d.dt.to_period("M").dt.start_time
