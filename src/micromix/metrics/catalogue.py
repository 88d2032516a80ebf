"""The KPI catalogue: the measures of each source, the ratio KPIs computed from them, and the
plan of a request (which measures the KPIs asked need, which keys the engine groups by).

A ratio is a small registered class (:class:`Ratio`, ``lookup_name`` and a dict round-trip);
:func:`register_ratio` adds one and forgets the compiled queries.

Quickstart
----------
>>> from micromix.metrics.catalogue import RATIOS, kpi_plan, resolve_kpis
>>> RATIOS["roas"].inputs
('revenue', 'spend')
>>> resolve_kpis("ads", "CTR, cpa")
('ctr', 'cpa')
>>> sorted(kpi_plan(["impressions", "clicks"], source="ads", kpis=["ctr"]).measures)
['clicks', 'impressions']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError
from micromix.metrics.querycache import _QUERIES

__all__ = [
    "EMV_CURRENCY",
    "GRAINS",
    "IMPRESSION_VIEWS",
    "KPI_COLUMNS",
    "MEASURES",
    "POST_KPI_COLUMNS",
    "POST_MEASURES",
    "POST_RATIOS",
    "RATIOS",
    "RATIOS_WITHIN",
    "SOURCES",
    "UNIT_KEY",
    "VIEWS_MEASURES",
    "KpiPlan",
    "Ratio",
    "get_ratio",
    "kpi_plan",
    "register_ratio",
    "resolve_kpis",
    "restricted",
]

#: time grains accepted by ``grain``
GRAINS = ("day", "week", "month")
#: data sources the KPI engine reads
SOURCES = ("events", "ads", "posts")
#: the currency of earned media value on posts (the rates of :mod:`micromix.social.emv`)
EMV_CURRENCY = "USD"
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


#: the measures a ratio may be restricted by (``Ratio.within``)
RATIOS_WITHIN = ("spend", "clicks")


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
