"""The evidence: every figure the report, the dashboard and a plan rest on, computed once.

:func:`gather_evidence` runs the analyses of a store — KPIs, weekly trends, the strategy
comparisons with their holdout intervals, the mix model over strategies and the reallocation the
optimizer recommends, user content worth amplifying, creators for a brief like the brand's, the
micro-moments and the data-quality checks — and returns them in one :class:`Evidence`. Renderers
(:mod:`micromix.reports`, the CLI, the API) take an :class:`Evidence` and compute nothing.

Each part is computed when the store holds the data it needs; a part that cannot be computed
(too short a history, no experiments ...) is ``None`` with the one-sentence reason in
:attr:`Evidence.notes`, never a crash.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> from micromix.ingest.market import load_market
>>> from micromix.plan import gather_evidence
>>> st = Store.open(":memory:")
>>> _ = load_market(st, simulate(SimConfig(users=800, days=14, seed=3)))
>>> ev = gather_evidence(st, n_boot=30, parts=("overview", "comparisons"))
>>> sorted(ev.comparisons)
['creator-tiers', 'micro-vs-mass', 'ugc-vs-paid']
>>> ev.kpi_source
'events'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from micromix.clv import lifetime_returns
from micromix.config import ANALYSIS_N_BOOT, ANALYSIS_SEED
from micromix.errors import ConfigError, MicromixError, ModelError
from micromix.influencers import (
    Brief,
    brief_from_data,
    creator_report_tables,
    niche_counts,
    score_creators,
)
from micromix.influencers.discovery import DEFAULT_BRIEF_BUDGET, spend_budget
from micromix.ingest.market import MIXED, market_label, simulated_market
from micromix.measurement import StrategyMix, fit_strategy_mix, strategy_of
from micromix.metrics import compute_kpis, store_currency
from micromix.metrics.compare import (
    COMPARISONS,
    DEFAULT_TIERS,
    ComparisonResult,
    compare_strategies,
    with_lifetime,
)
from micromix.metrics.traffic import TrafficReport, traffic_reports
from micromix.moments.summary import MomentSummary, moment_summary
from micromix.optimize import BudgetRecommendation, recommend_budget
from micromix.plan.build import (
    PLAN_LIFETIME_DIMENSIONS,
    PLAN_PARTS,
    Plan,
    build_plan,
    dated_ad_rows,
    one_level_per_platform,
)
from micromix.plan.trends import trends_without_long_exports
from micromix.simulate import TOPICS
from micromix.social import (
    AdBaseline,
    BrandSpec,
    ad_baseline,
    infer_brand,
    rank_for_amplification,
)
from micromix.store import Store
from micromix.store.quality import QualityReport, empty_columns, quality_report

__all__ = [
    "ADS_SOURCE_COLUMNS",
    "BRAND_NOTE",
    "BRIEF_NOTE",
    "CURRENCY_NOTE",
    "DEFAULT_COMPARISONS",
    "NEEDS_BRAND",
    "PARTS",
    "TRENDS_LEFT_OUT_NOTE",
    "TREND_DIMENSIONS",
    "ContentEvidence",
    "CreatorEvidence",
    "Evidence",
    "MixEvidence",
    "gather_evidence",
    "influencer_spend",
    "make_plan",
]

#: comparisons computed by default
DEFAULT_COMPARISONS: tuple[str, ...] = ("ugc-vs-paid", "micro-vs-mass", "creator-tiers")
#: horizon of the lifetime values beside the comparisons (weeks after the data ends)
LIFETIME_HORIZON_WEEKS = 52
#: note keys (in :attr:`Evidence.notes`): how the brand and the creator brief were chosen,
#: what the store's currency leaves unsaid, and which exports the weekly trends left out
BRAND_NOTE = "content:brand"
BRIEF_NOTE = "content:brief"
CURRENCY_NOTE = "currency"
TRENDS_LEFT_OUT_NOTE = "trends:left_out"
#: what the content part says on real data when no brand was named
NEEDS_BRAND = (
    "This section needs the brand: micromix does not guess it from the posts' mentions (the "
    "most-mentioned account of a trending dump is rarely yours); name it with --brand HANDLE."
)
#: dimensions of the weekly trends
TREND_DIMENSIONS: tuple[str, ...] = ("strategy", "platform")
#: the parts of the evidence, in the order they are computed
PARTS: tuple[str, ...] = (
    "overview",
    "trends",
    "comparisons",
    "lifetime",
    "mix",
    "content",
    "moments",
    "traffic",
    "plan",
    "quality",
)
#: KPI columns that need an ad-report column to be reported at all (when KPIs come from ads)
ADS_SOURCE_COLUMNS: dict[str, str] = {
    "revenue": "conversion_value",
    "roas": "conversion_value",
    "roi": "conversion_value",
    "engagements": "engagements",
    "engagement_rate": "engagements",
    "cost_per_engagement": "engagements",
}

Progress = Callable[[str, float], None]


@dataclass
class MixEvidence:
    """The mix model over strategies, the reallocation of the same spend, and the truth if known.

    ``truth`` is the simulator's true incremental revenue per strategy (``None`` on real data).
    """

    mix: StrategyMix
    #: ``None`` when the model failed its own checks (``refused`` says why in one sentence)
    reallocation: BudgetRecommendation | None
    truth: pd.Series | None = None
    refused: str | None = None

    @property
    def usable(self) -> bool:
        """Whether the model passed its own checks (a failed one is shown, never acted on)."""
        return not getattr(self.mix.model, "failed_checks", None)

    def reallocation_table(self) -> pd.DataFrame:
        """Per paid strategy: current spend, recommended spend and the change (empty without
        a reallocation)."""
        rec = self.reallocation
        if rec is None:
            return pd.DataFrame(
                columns=["strategy", "current_spend", "recommended_spend", "change"]
            )
        cur = rec.current_mix if rec.current_mix is not None else rec.recommended.spend * math.nan
        out = pd.DataFrame(
            {
                "strategy": [strategy_of(c) for c in rec.recommended.channels],
                "current_spend": cur,
                "recommended_spend": rec.recommended.spend,
            }
        )
        out["change"] = out["recommended_spend"] - out["current_spend"]
        return out


@dataclass
class ContentEvidence:
    """User posts worth amplifying for the brand the posts mention most."""

    brand: str
    ranked: pd.DataFrame


@dataclass
class CreatorEvidence:
    """Creators for a brief like the brand's (niche and budget read from the data), with what
    the scoring had to say (a default post spread, authenticity left empty without a following
    count ...: the notes ``micromix creators score`` prints)."""

    brief: Brief
    tables: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)


@dataclass
class Evidence:
    """Everything the report and the plan show, computed from one store (see the module)."""

    store_path: str
    n_boot: int
    level: float
    seed: int
    comparison_names: tuple[str, ...] = DEFAULT_COMPARISONS
    #: dimensions to compute lifetime returns by (``None``: every comparison's dimension)
    lifetime_dimensions: tuple[str, ...] | None = None
    #: overall KPIs (one row), their source (``events`` or ``ads``) and rows read
    kpis: pd.DataFrame | None = None
    kpi_source: str | None = None
    source_rows: int = 0
    #: KPI columns the ad reports cannot support (shown as n/a, not 0)
    unreported: list[str] = field(default_factory=list)
    kpis_by_platform: pd.DataFrame | None = None
    kpis_by_strategy: pd.DataFrame | None = None
    #: weekly KPIs by dimension
    trends: dict[str, pd.DataFrame] = field(default_factory=dict)
    comparisons: dict[str, ComparisonResult] = field(default_factory=dict)
    #: customer lifetime value and lifetime ROAS per acquisition group, by the comparisons'
    #: dimensions (:func:`micromix.clv.lifetime_returns`; ``None`` without repeat buyers)
    lifetime: dict[str, pd.DataFrame] | None = None
    mix: MixEvidence | None = None
    content: ContentEvidence | None = None
    creators: CreatorEvidence | None = None
    moments: MomentSummary | None = None
    #: web and app analytics reports (GA4 / UA downloads) in the store (``None``: none)
    traffic: list[TrafficReport] | None = None
    quality: QualityReport | None = None
    #: the brand named by the caller (``None``: the simulated market's own, else none, see
    #: ``_content``), and the creator brief's niche and US$ budget named by the caller
    brand: str | None = None
    niche: str | None = None
    creator_budget: float | None = None
    #: the recommendation reconciled from the parts above (:mod:`micromix.plan.build`)
    plan: Plan | None = None
    #: whether the store holds a simulated market (its ground truth)
    simulated: bool = False
    #: whether real data was ingested into that simulated market too (``simulated + real``)
    mixed: bool = False
    #: ISO code of the money figures (:func:`micromix.metrics.store_currency`): ``None`` when
    #: the data states no currency (shown without a symbol) or several (figures per currency)
    currency: str | None = None
    #: why a part (or a comparison, ``comparison:<name>``) is missing, one sentence each
    notes: dict[str, str] = field(default_factory=dict)
    #: parts that were asked for
    parts: tuple[str, ...] = PARTS

    def note(self, key: str, message: str) -> None:
        self.notes[key] = message

    def __repr__(self) -> str:
        have = [p for p in self.parts if p not in self.notes]
        return f"Evidence(store={self.store_path!r}, parts={have}, notes={sorted(self.notes)})"


# ------------------------------------------------------------------------------ the parts
def _overview(ev: Evidence, store: Store) -> None:
    try:
        ev.kpis = compute_kpis(store)
    except ConfigError as exc:
        if not (store.has_table("posts") and store.count("posts")):
            ev.note("overview", f"No KPIs: {exc}.")
            return
        # a store of posts alone: their own KPIs (engagement, earned media value)
        ev.kpis = compute_kpis(store, source="posts")
    src = str(ev.kpis.attrs.get("source", "events"))
    ev.kpi_source = src
    table = {"events": "events", "posts": "posts"}.get(src, "ad_performance")
    ev.source_rows = store.count(table)
    if src == "ads":
        empty = set(
            empty_columns(store, "ad_performance", sorted(set(ADS_SOURCE_COLUMNS.values())))
        )
        ev.unreported = [k for k, v in ADS_SOURCE_COLUMNS.items() if v in empty]
    for dim, attr in (("platform", "kpis_by_platform"), ("strategy", "kpis_by_strategy")):
        try:
            setattr(ev, attr, compute_kpis(store, by=[dim], source=src))
        except ConfigError:
            setattr(ev, attr, None)


def _days_covered(store: Store, dim: str) -> list[dict[str, object]]:
    """The first and last day each weekly trend line's ad rows cover (records of ``dim``,
    ``level``, ``currency``, ``first_day``, ``last_day``; rows within one week, as the weekly
    charts draw), so the report can mark a line's first or last week it covers only in part."""
    t = store.table("ad_performance")
    keys = [c for c in (dim, "level", "currency") if c in t.columns]
    if dim not in keys:
        return []
    last = t.date_end.fill_null(t.date) if "date_end" in t.columns else t.date
    one_week = t.date.notnull() & (t.date.truncate("W") == last.truncate("W"))
    days = t.filter(one_week).group_by(keys).aggregate(first_day=t.date.min(), last_day=last.max())
    return list(store.execute(days).to_dict("records"))


def _trends(ev: Evidence, store: Store) -> None:
    for dim in TREND_DIMENSIONS:
        try:
            df = compute_kpis(store, by=[dim], grain="week")
        except ConfigError as exc:
            n = getattr(exc, "crossing_rows", None)
            why = (
                f"{n:,} ad row(s) cover more than one week{getattr(exc, 'example', '')}, so "
                f"their figures cannot be split by week; 'micromix kpis --by {dim} --grain week "
                "--spread' spreads them evenly over their days (shares, not reported figures)"
                if n
                else str(exc)
            )
            ev.note(f"trends:{dim}", f"No weekly trend by {dim}: {why}.")
            continue
        df = df[df["period"].notna()]
        if df.empty:
            ev.note(f"trends:{dim}", f"No weekly trend by {dim}: the data carries no dates.")
        elif df[dim].isna().all():
            ev.note(f"trends:{dim}", f"No weekly trend by {dim}: the data carries no {dim}.")
        else:
            ev.trends[dim] = df
    refused = [d for d in TREND_DIMENSIONS if d not in ev.trends and f"trends:{d}" in ev.notes]
    if refused:
        drawn, said = trends_without_long_exports(store, refused)
        for dim, df in drawn.items():
            ev.trends[dim] = df
            ev.notes.pop(f"trends:{dim}", None)
        if said:
            ev.note(TRENDS_LEFT_OUT_NOTE, said)
    for dim, df in ev.trends.items():  # the report marks a line's partial first / last week
        df.attrs["days"] = _days_covered(store, dim) if df.attrs.get("source") == "ads" else None


def _comparisons(ev: Evidence, store: Store, given: Mapping[str, ComparisonResult]) -> None:
    if store.count("events") == 0:
        ev.note(
            "comparisons",
            "No events in the store, so the strategies cannot be compared: the comparisons "
            "need event-level data (and holdout experiments for incremental ROAS). Ingest "
            "events or run 'micromix demo'.",
        )
        return
    for name in ev.comparison_names:
        if name in given:
            ev.comparisons[name] = given[name]
            continue
        try:
            ev.comparisons[name] = compare_strategies(
                store, name, n_boot=ev.n_boot, level=ev.level, seed=ev.seed
            )
        except MicromixError as exc:
            ev.note(f"comparison:{name}", f"Comparison {name} skipped: {exc}")


def _lifetime(ev: Evidence, store: Store) -> None:
    """Lifetime ROAS beside first-purchase ROAS, for each comparison's dimension."""
    if store.count("events") == 0:
        ev.note("lifetime", "No customer lifetime values: the store has no events.")
        return
    dims = dict.fromkeys(
        ev.lifetime_dimensions
        if ev.lifetime_dimensions is not None
        else (COMPARISONS[n].dimension for n in ev.comparison_names)
    )
    tables: dict[str, pd.DataFrame] = {}
    for dim in dims:
        try:
            tables[dim] = lifetime_returns(
                store,
                by=dim,
                horizon=LIFETIME_HORIZON_WEEKS,
                tiers=DEFAULT_TIERS,
                random_state=ev.seed,
            )
        except MicromixError as exc:
            ev.note(f"lifetime:{dim}", f"No lifetime values by {dim}: {exc}")
    if not tables:
        ev.note(
            "lifetime",
            "No customer lifetime values: "
            + " ".join(ev.notes.get(f"lifetime:{d}", "") for d in dims).strip(),
        )
        return
    ev.lifetime = tables
    for name, res in list(ev.comparisons.items()):
        table = tables.get(res.comparison.dimension)
        if table is not None:
            ev.comparisons[name] = with_lifetime(res, table)


def _mix(ev: Evidence, store: Store) -> None:
    if store.count("events") == 0:
        return
    mix = fit_strategy_mix(store, seed=ev.seed, holdouts=ev.comparisons.get("ugc-vs-paid"))
    truth = None
    if store.has_table("ground_truth") and store.count("ground_truth"):
        gt = store.read("ground_truth", columns=["strategy", "incremental_revenue"])
        truth = gt.groupby("strategy")["incremental_revenue"].sum()
    try:
        rec: BudgetRecommendation | None = recommend_budget(mix.model)
        refused = None
    except ModelError as exc:  # failed its own checks: shown with them, no split read from it
        rec, refused = None, str(exc)
    ev.mix = MixEvidence(mix, rec, truth, refused)


def _content(ev: Evidence, store: Store) -> None:
    posts = store.read("posts") if store.count("posts") else None
    brand = ev.brand
    if posts is not None:
        if brand is not None:
            ev.note(BRAND_NOTE, f"Brand @{brand}, as given (--brand).")
        elif ev.simulated and (brand := infer_brand(posts)) is not None:
            ev.note(BRAND_NOTE, f"Brand @{brand}: the simulated market's brand.")
        else:  # real data: a brand guessed from mentions may be anyone's
            ev.note(BRAND_NOTE, NEEDS_BRAND)
    if posts is not None and brand:
        ads = store.read("ad_performance") if store.count("ad_performance") else None
        base = _brand_baseline(ads, ev.currency) if ads is not None else None
        ranked = rank_for_amplification(
            posts, BrandSpec(brand, handles=(brand,)), baseline=base, top=10
        )
        ev.content = ContentEvidence(brand, ranked)
    if store.count("creators"):
        scored = score_creators(store.read("creators"), posts)
        spend = influencer_spend(
            store,
            currency=ev.currency or "",
            kpis_by_strategy=ev.kpis_by_strategy if ev.kpi_source == "events" else None,
        )
        found = brief_from_data(scored, spend)
        brief = Brief(
            niche=found.niche if ev.niche is None else ev.niche,
            budget=found.budget if ev.creator_budget is None else ev.creator_budget,
            top=found.top,
        )
        ev.creators = CreatorEvidence(
            brief,
            creator_report_tables(scored, brief),
            [str(n) for n in scored.attrs.get("notes", [])],
        )
        ev.note(BRIEF_NOTE, _brief_sentence(ev, brief, spend_budget(spend), scored))


def _brief_sentence(
    ev: Evidence, brief: Brief, from_events: float | None, scored: pd.DataFrame
) -> str:
    """Where the creator brief's niche and budget came from, in one sentence."""
    share = ""
    if ev.niche is not None:
        why_niche = "given with --niche"
    elif len(counts := niche_counts(scored)):
        why_niche = "the most common niche of the creators in the store"
        share = (
            f" {int(counts.iloc[0]):,} of the {len(scored):,} creators have "
            f"{counts.index[0]} among their niches (a category naming several counts for each)."
        )
    else:
        why_niche = "the default: the creators carry no niche"
    if ev.creator_budget is not None:
        why_budget = "given with --creator-budget"
    elif from_events is not None:
        why_budget = "the influencer spend in the events"
    else:
        why_budget = "the default: no influencer spend in US dollars in the store"
    return (
        f"The brief: niche {brief.niche} ({why_niche}), budget US${brief.budget:,.0f} "
        f"({why_budget}); set them with --niche NICHE and --creator-budget AMOUNT.{share}"
    )


#: the ad report fields the brand's paid-social baseline reads
BASELINE_FIELDS: tuple[str, ...] = ("impressions", "clicks", "spend", "conversions", "currency")


def _brand_baseline(ads: pd.DataFrame, currency: str | None) -> AdBaseline:
    """The brand's own ads as the baseline of user content's predicted paid performance.

    One level per platform (campaign and ad rows of the same days are the same spend), in the
    plan's currency; with reports in several currencies (``currency`` None) the baseline has
    CTR and CVR but no money figures (:func:`micromix.social.ad_baseline`).
    """
    rows, notes = one_level_per_platform(dated_ad_rows(ads))
    base = ad_baseline(rows[[c for c in BASELINE_FIELDS if c in rows]], currency=currency)
    if not notes:
        return base
    return replace(base, source=f"{base.source}; {'; '.join(notes)}")


def influencer_spend(
    store: Store, *, currency: str | None = None, kpis_by_strategy: pd.DataFrame | None = None
) -> float | None:
    """The spend on the influencer strategy in the store's events: the creator budget the
    report, the plan and ``POST /api/v1/creators/discover`` start from.

    ``None`` without events, without influencer spend, or when the events' money is not in US
    dollars (the creators' prices it is a budget for are estimated in US dollars,
    :mod:`micromix.influencers.cost`). ``currency`` is the store's
    (:func:`micromix.metrics.store_currency`, read when not given) and ``kpis_by_strategy`` the
    events' KPIs by strategy when already computed.
    """
    if not store.count("events"):
        return None
    code = currency if currency is not None else store_currency(store).code
    if code != "USD":
        return None
    k = kpis_by_strategy
    if k is None:
        try:
            k = compute_kpis(store, by=["strategy"], source="events")
        except ConfigError:  # events without a strategy or a cost: no influencer spend in them
            return None
    if "strategy" not in k.columns or "spend" not in k.columns:
        return None
    hit = k.loc[k["strategy"] == "influencer", "spend"]
    spend = float(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else None
    return spend if spend is not None and spend > 0 else None


def _moments(ev: Evidence, store: Store) -> None:
    if store.count("events"):
        # a simulated market's surges are keyed by the simulator's topics: tag with them
        simulated = store.has_table("surges") and store.count("surges") > 0
        ev.moments = moment_summary(store, seed=ev.seed, topics=TOPICS if simulated else None)


def _traffic(ev: Evidence, store: Store) -> None:
    ev.traffic = traffic_reports(store) or None


def _plan(ev: Evidence, store: Store, budget: float | None) -> None:
    if store.count("events") == 0 and ev.kpi_source != "ads":
        ev.note(
            "plan",
            "No plan: the store has no events and no ad reports, so there is no spend per "
            "strategy to plan from; ingest events (with strategy and cost) or ad platform "
            "reports, or run 'micromix demo'.",
        )
        return
    ev.plan = build_plan(ev, store, budget=budget, seed=ev.seed)


def _guarded(ev: Evidence, part: str, fn: Callable[[], None], *, optional: bool) -> None:
    """Run one part; its failure becomes a note (any error for optional parts)."""
    try:
        fn()
    except MicromixError as exc:
        ev.note(part, f"This section could not be built: {exc}")
    except Exception as exc:
        if not optional:
            raise
        ev.note(part, f"This optional section could not be built ({type(exc).__name__}: {exc}).")


def gather_evidence(
    store: Store,
    *,
    comparisons: Sequence[str] = DEFAULT_COMPARISONS,
    n_boot: int = ANALYSIS_N_BOOT,
    level: float = 0.95,
    seed: int = ANALYSIS_SEED,
    parts: Sequence[str] | None = None,
    results: Mapping[str, ComparisonResult] | None = None,
    budget: float | None = None,
    lifetime_dimensions: Sequence[str] | None = None,
    brand: str | None = None,
    niche: str | None = None,
    creator_budget: float | None = None,
    progress: Progress | None = None,
) -> Evidence:
    """Compute the evidence of ``store`` (see the module docstring).

    Parameters
    ----------
    store : Store
    comparisons : sequence of str
        Strategy comparisons to run (see :data:`micromix.metrics.compare.COMPARISONS`).
    n_boot : int
        Bootstrap replicates for the comparison intervals (at least 20).
    level : float
        Interval coverage.
    seed : int
        Seed of the bootstraps and the mix model.
    parts : sequence of str, optional
        Which of :data:`PARTS` to compute (default all). ``mix`` and ``content`` use the
        ``comparisons`` and ``overview`` parts when they are computed too.
    results : mapping, optional
        Comparison results already computed (name -> ``ComparisonResult``), used as given.
    budget : float, optional
        The paid budget the plan allocates over its horizon (default: today's spend).
    lifetime_dimensions : sequence of str, optional
        Dimensions of the ``lifetime`` part (default: every comparison's dimension).
    brand : str, optional
        The brand's account handle (``@`` optional) whose customers' posts to amplify
        (``content``). Default: on a simulated market its own brand; on real data none - the
        content part then says it needs the brand (:data:`NEEDS_BRAND`), never a brand guessed
        from mentions.
    niche, creator_budget : optional
        The creator brief (default: the creators' most common niche; the influencer spend in
        the events, else US$ 5,000), said in :data:`BRIEF_NOTE`.
    progress : callable, optional
        ``progress(step, fraction_done)``.

    Raises
    ------
    ConfigError
        For an unknown comparison or part, ``n_boot`` below 20, an empty brand, or a creator
        brief that is not valid (an unknown niche, a budget that is not a positive amount):
        before anything is computed.
    """
    handle = None if brand is None else brand.strip().lstrip("@").strip()
    if handle is not None and not handle:
        raise ConfigError("--brand is empty; give the brand's account handle, e.g. --brand pawco")
    if niche is not None or creator_budget is not None:  # a bad brief fails before any work
        Brief(
            niche="lifestyle" if niche is None else niche,
            budget=DEFAULT_BRIEF_BUDGET if creator_budget is None else creator_budget,
        )
    if n_boot < 20:
        raise ConfigError(f"n_boot must be at least 20, got {n_boot}")
    unknown = [c for c in comparisons if c not in COMPARISONS]
    if unknown:
        raise ConfigError(
            f"unknown comparison(s) {', '.join(map(repr, unknown))}; "
            f"use any of {', '.join(COMPARISONS)}"
        )
    wanted = tuple(PARTS if parts is None else parts)
    bad = [p for p in wanted if p not in PARTS]
    if bad:
        raise ConfigError(f"unknown evidence part(s) {bad}; use any of {', '.join(PARTS)}")
    ev = Evidence(
        store.path,
        n_boot,
        level,
        seed,
        comparison_names=tuple(comparisons),
        lifetime_dimensions=None if lifetime_dimensions is None else tuple(lifetime_dimensions),
        parts=wanted,
        simulated=simulated_market(store) is not None,
        mixed=(market_label(store) or "").startswith(MIXED),
        brand=handle,
        niche=niche,
        creator_budget=creator_budget,
    )
    money_in = store_currency(store)
    ev.currency = money_in.code
    if money_in.notes:
        ev.note(CURRENCY_NOTE, " ".join(money_in.notes))
    steps: list[tuple[str, Callable[[], None], bool]] = [
        ("overview", lambda: _overview(ev, store), False),
        ("trends", lambda: _trends(ev, store), False),
        ("comparisons", lambda: _comparisons(ev, store, dict(results or {})), False),
        ("lifetime", lambda: _lifetime(ev, store), True),
        ("mix", lambda: _mix(ev, store), True),
        ("content", lambda: _content(ev, store), True),
        ("moments", lambda: _moments(ev, store), True),
        ("traffic", lambda: _traffic(ev, store), True),
        ("plan", lambda: _plan(ev, store, budget), False),
        ("quality", lambda: setattr(ev, "quality", quality_report(store)), False),
    ]
    report = progress or (lambda step, frac: None)
    chosen = [s for s in steps if s[0] in wanted]
    for i, (name, fn, optional) in enumerate(chosen):
        report(name, i / len(chosen))
        _guarded(ev, name, fn, optional=optional)
    report("evidence gathered", 1.0)
    return ev


def make_plan(
    store: Store,
    *,
    budget: float | None = None,
    n_boot: int = ANALYSIS_N_BOOT,
    seed: int = ANALYSIS_SEED,
    brand: str | None = None,
    niche: str | None = None,
    creator_budget: float | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Gather the evidence a plan reads (:data:`~micromix.plan.build.PLAN_PARTS`) and build it.

    What ``micromix plan`` and ``GET /api/v1/plan`` do. ``brand``, ``niche`` and
    ``creator_budget``: see :func:`gather_evidence`.

    Raises
    ------
    ConfigError
        When the store cannot support a plan (no events, no spend, a bad budget), with the
        reason.
    """
    ev = gather_evidence(
        store,
        n_boot=n_boot,
        seed=seed,
        parts=PLAN_PARTS,
        lifetime_dimensions=PLAN_LIFETIME_DIMENSIONS,
        brand=brand,
        niche=niche,
        creator_budget=creator_budget,
        progress=progress,
    )
    return build_plan(ev, store, budget=budget, seed=seed)
