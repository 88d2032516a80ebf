"""The self-contained HTML report: KPI overview, trends, strategy comparisons, data quality.

The report is a pure function of results: every figure comes from :mod:`micromix.metrics`
(and the data-quality checks), then is rendered. One HTML file holds everything, including
the Vega, Vega-Lite and vega-embed JavaScript, so it opens offline and can be forwarded.

Sections are small registered classes (:data:`SECTIONS`, :func:`register_section`). A section
may name an optional ``module`` (used only when it is importable) and the store ``tables`` it
needs (used only when one of them holds rows); a failure inside an optional section becomes a
note in the report, never a crash.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> from micromix.reports import build_report
>>> st = Store.open(":memory:")
>>> for name, table in simulate(SimConfig(users=800, days=14, seed=3)).tables().items():
...     _ = st.append(name, table)
>>> html = build_report(st, n_boot=30)
>>> "<h2 id=\\"quality\\">Data quality</h2>" in html
True
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from micromix.errors import ConfigError, MicromixError
from micromix.reports import charts as ch
from micromix.reports.assets import vega_bundle
from micromix.reports.html import (
    chart_div,
    checks_html,
    esc,
    fmt_value,
    note,
    page,
    table_html,
    tile,
)
from micromix.reports.quality import quality_report

__all__ = [
    "DEFAULT_COMPARISONS",
    "DEFAULT_SECTIONS",
    "HEADLINE_KPIS",
    "SECTIONS",
    "TREND_DIMENSIONS",
    "TREND_KPIS",
    "ComparisonsSection",
    "OverviewSection",
    "QualitySection",
    "ReportContext",
    "Section",
    "TrendsSection",
    "build_report",
    "get_section",
    "register_section",
    "write_report",
]

#: comparisons shown by default
DEFAULT_COMPARISONS = ("ugc-vs-paid", "micro-vs-mass", "creator-tiers")
#: headline tiles: (KPI column, label, format kind)
HEADLINE_KPIS: tuple[tuple[str, str, str], ...] = (
    ("spend", "Spend", "money"),
    ("impressions", "Impressions", "int"),
    ("reach", "Reach", "int"),
    ("clicks", "Clicks", "int"),
    ("conversions", "Conversions (all)", "int"),
    ("revenue", "Revenue (all)", "money"),
    ("roas", "Revenue per $ of ad spend", "ratio"),
    ("cpa", "Ad spend per conversion", "money"),
    ("engagement_rate", "Engagement rate", "pct"),
    ("emv", "Earned media value", "money"),
)
#: weekly trend charts: (KPI column, label)
TREND_KPIS: tuple[tuple[str, str], ...] = (
    ("spend", "Spend ($)"),
    ("roas", "ROAS (attributed)"),
    ("ctr", "CTR"),
    ("engagement_rate", "Engagement rate"),
)
#: dimensions of the trend charts
TREND_DIMENSIONS = ("strategy", "platform")

Progress = Callable[[str, float], None]


@dataclass
class ReportContext:
    """What every section gets: the store, the options and a chart-id counter."""

    store: Any
    n_boot: int = 200
    comparisons: tuple[str, ...] = DEFAULT_COMPARISONS
    level: float = 0.95
    seed: int = 0
    chart_count: int = 0
    notes: list[str] = field(default_factory=list)
    #: comparison results computed by the caller (name -> ComparisonResult), reused as is
    results: dict[str, Any] = field(default_factory=dict)

    def chart(self, spec: dict[str, Any], *, wide: bool = False) -> str:
        """Placeholder ``div`` plus embedded spec for one chart; ids are unique in the report."""
        self.chart_count += 1
        return chart_div(f"chart-{self.chart_count}", spec, wide=wide)


class Section:
    """A report section: subclass, set the class attributes, implement :meth:`render`.

    Attributes
    ----------
    lookup_name : str
        Registry key and HTML anchor.
    title : str
        Heading.
    module : str or None
        Optional module the section needs; the section is left out when it is not importable.
    tables : tuple of str
        Store tables the section reads; when given, at least one must hold rows.
    optional : bool
        Optional sections are added after the default ones, and any error inside them becomes a
        note.
    """

    lookup_name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    module: ClassVar[str | None] = None
    tables: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[bool] = False

    def available(self, store: Any) -> bool:
        """Whether the section's module exists and the store holds its data."""
        if self.module is not None:
            try:
                if importlib.util.find_spec(self.module) is None:
                    return False
            except (ImportError, ValueError):
                return False
        return not self.tables or any(store.count(t) > 0 for t in self.tables)

    def render(self, ctx: ReportContext) -> str:  # pragma: no cover - abstract
        """The section body (HTML, without the heading)."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"lookup_name": self.lookup_name}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Section:
        return get_section(d["lookup_name"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lookup_name={self.lookup_name!r})"


#: registered sections, in registration order (default ones first)
SECTIONS: dict[str, type[Section]] = {}


def register_section(cls: type[Section]) -> type[Section]:
    """Register (or replace) a section class; usable as a decorator."""
    if not cls.lookup_name or not cls.title:
        raise ConfigError(f"section {cls.__name__} needs a lookup_name and a title")
    SECTIONS[cls.lookup_name] = cls
    return cls


def get_section(name: str) -> Section:
    """An instance of the registered section ``name``."""
    try:
        return SECTIONS[name]()
    except KeyError:
        raise ConfigError(
            f"unknown report section {name!r}; known: {', '.join(SECTIONS)}"
        ) from None


# ---------------------------------------------------------------------------------- sections
@register_section
class OverviewSection(Section):
    """Headline KPI tiles and KPIs by platform."""

    lookup_name = "overview"
    title = "KPI overview"

    def render(self, ctx: ReportContext) -> str:
        from micromix.metrics import compute_kpis

        try:
            kpis = compute_kpis(ctx.store)
        except ConfigError as exc:
            return note(f"No KPIs: {exc}.")
        src = kpis.attrs.get("source", "events")
        row = kpis.iloc[0].copy()
        missing = _unreported(ctx.store) if src == "ads" else []
        for col in missing:
            row[col] = None
        tiles = "".join(
            tile(label, fmt_value(row.get(col), kind)) for col, label, kind in HEADLINE_KPIS
        )
        if src == "events":
            how = (
                f"Computed from {ctx.store.count('events'):,} events; reach counts distinct "
                "people with an impression; earned media value prices organic impressions at "
                "the paid CPM of their platform. Conversions and revenue include purchases no "
                "channel caused (baseline demand), so revenue per ad dollar here is not a return "
                "on the ads: see the incremental ROAS in the strategy comparisons."
            )
        else:
            how = (
                f"Computed from {ctx.store.count('ad_performance'):,} rows of platform ad reports "
                "(no events in the store): reach is the sum of reported reach, an upper bound; "
                "earned media value needs events and is not available."
            )
        if missing:
            how += (
                f" The ad reports carry no {', '.join(sorted({_ADS_SOURCE[c] for c in missing}))}, "
                f"so {', '.join(missing)} are shown as n/a rather than zero."
            )
        out = [f'<p class="muted">{esc(how)}</p>', f'<div class="tiles">{tiles}</div>']
        try:
            by = compute_kpis(ctx.store, by=["platform"], source=src)
        except ConfigError:
            by = None
        if by is not None and len(by):
            by = by.astype(object)
            for col in missing:
                by[col] = None
            cols = [
                "platform",
                "spend",
                "impressions",
                "clicks",
                "conversions",
                "revenue",
                "ctr",
                "cpm",
                "cpa",
                "roas",
                "engagement_rate",
            ]
            out.append("<h3>By platform</h3>")
            out.append(table_html(by[cols], _KPI_FORMATS))
        return "".join(out)


#: KPI columns that need an ad-report column to be reported at all
_ADS_SOURCE = {
    "revenue": "conversion_value",
    "roas": "conversion_value",
    "roi": "conversion_value",
    "engagements": "engagements",
    "engagement_rate": "engagements",
    "cost_per_engagement": "engagements",
}


def _unreported(store: Any) -> list[str]:
    """KPI columns whose ad-report source column holds no value at all (shown as n/a, not 0)."""
    t = store.table("ad_performance")
    cols = sorted({c for c in _ADS_SOURCE.values() if c in t.columns})
    if not cols:
        return list(_ADS_SOURCE)
    n = store.execute(t.aggregate(**{c: t[c].notnull().cast("int64").sum() for c in cols}))
    empty = {c for c in cols if int(n[c].fillna(0).iloc[0]) == 0}
    empty |= {c for c in _ADS_SOURCE.values() if c not in t.columns}
    return [k for k, v in _ADS_SOURCE.items() if v in empty]


_KPI_FORMATS = {
    "spend": "money",
    "impressions": "int",
    "reach": "int",
    "clicks": "int",
    "conversions": "int",
    "revenue": "money",
    "ctr": "pct",
    "cpm": "money",
    "cpa": "money",
    "roas": "ratio",
    "engagement_rate": "pct",
    "emv": "money",
    "cost_per_engagement": "money",
}


@register_section
class TrendsSection(Section):
    """Weekly KPIs by strategy and by platform, as line charts."""

    lookup_name = "trends"
    title = "Trends"

    def render(self, ctx: ReportContext) -> str:
        from micromix.metrics import compute_kpis

        out = []
        for dim in TREND_DIMENSIONS:
            try:
                df = compute_kpis(ctx.store, by=[dim], grain="week")
            except ConfigError as exc:
                out.append(note(f"No weekly trend by {dim}: {exc}."))
                continue
            df = df[df["period"].notna()]
            if df.empty:
                out.append(note(f"No weekly trend by {dim}: the data carries no dates."))
                continue
            if df[dim].isna().all():
                out.append(note(f"No weekly trend by {dim}: the data carries no {dim}."))
                continue
            src = df.attrs.get("source", "events")
            out.append(f"<h3>Weekly KPIs by {esc(dim)}</h3>")
            out.append(
                f'<p class="muted">Source: {"events" if src == "events" else "ad reports"}; '
                f"{df['period'].nunique()} week(s).</p>"
            )
            charts = [
                ctx.chart(ch.chart_spec(ch.trend_chart(df, dim, kpi, label)))
                for kpi, label in TREND_KPIS
                if df[kpi].notna().any()
            ]
            out.append(f'<div class="charts">{"".join(charts)}</div>')
        return "".join(out)


_COMPARE_COLUMNS: tuple[tuple[str, str, str], ...] = (  # column, label, kind
    ("spend", "spend", "money"),
    ("impressions", "impressions", "int"),
    ("reach", "reach", "int"),
    ("cpm", "CPM", "money"),
    ("cpa", "CPA", "money"),
    ("engagement_rate", "eng. rate", "pct"),
    ("emv", "EMV", "money"),
)


def _interval(row: pd.Series, col: str, kind: str) -> str:
    v = fmt_value(row.get(col), kind)
    lo, hi = row.get(f"{col}_low"), row.get(f"{col}_high")
    if v == "n/a" or lo is None or pd.isna(lo) or hi is None or pd.isna(hi):
        return v
    return f"{v} ({fmt_value(lo, kind)} to {fmt_value(hi, kind)})"


def _compare_table(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for _, r in table.iterrows():
        d: dict[str, Any] = {"strategy": r["strategy"]}
        for col, label, kind in _COMPARE_COLUMNS:
            if col in table.columns:
                d[label] = fmt_value(r.get(col), kind)
        d["CTR"] = _interval(r, "ctr", "pct")
        d["attributed ROAS"] = _interval(r, "roas", "ratio")
        d["incremental ROAS"] = _interval(r, "incremental_roas", "ratio")
        if "true_incremental_roas" in table.columns:
            d["true incr. ROAS"] = fmt_value(r.get("true_incremental_roas"), "ratio")
            t = r.get("truth_in_interval")
            d["truth in interval"] = "n/a" if t is None or pd.isna(t) else ("yes" if t else "no")
        d["measurability"] = r.get("measurability", "")
        rows.append(d)
    return pd.DataFrame(rows)


def _uncertainty(res: Any, n_boot: int) -> str:
    t = res.table
    parts = [
        f"Intervals are {res.level:.0%} bootstrap intervals from {n_boot} replicates: ratio "
        "KPIs resample days, incremental figures resample people across the randomised "
        "holdout experiments."
    ]
    meas = [
        f"{r['strategy']}: {r['measurability']}"
        for _, r in t.iterrows()
        if isinstance(r.get("measurability"), str)
    ]
    if meas:
        parts.append("Measurability - " + "; ".join(meas) + ".")
    if "truth_in_interval" in t.columns:
        known = [v for v in t["truth_in_interval"] if v is not None and not pd.isna(v)]
        if known:
            parts.append(
                f"The simulator's true incremental ROAS lies inside the interval for "
                f"{sum(bool(v) for v in known)} of {len(known)} groups."
            )
    parts += [f"Note: {n}." for n in res.notes]
    return " ".join(parts)


@register_section
class ComparisonsSection(Section):
    """The strategy comparisons with intervals, truth (when simulated) and conclusions."""

    lookup_name = "comparisons"
    title = "Strategy comparisons"

    def render(self, ctx: ReportContext) -> str:
        from micromix.metrics.compare import COMPARISONS, compare_strategies

        if ctx.store.count("events") == 0:
            return note(
                "No events in the store, so the strategies cannot be compared: the "
                "comparisons need event-level data (and holdout experiments for "
                "incremental ROAS). Ingest events or run 'micromix demo'."
            )
        out = []
        for name in ctx.comparisons:
            comp = COMPARISONS.get(name)
            heading = comp.question if comp is not None else name
            out.append(f'<h3 id="cmp-{esc(name)}">{esc(heading)}</h3>')
            try:
                res = ctx.results.get(name) or compare_strategies(
                    ctx.store, name, n_boot=ctx.n_boot, level=ctx.level, seed=ctx.seed
                )
            except MicromixError as exc:
                out.append(note(f"Comparison {name} skipped: {exc}"))
                continue
            ctx.results[name] = res
            long = ch.comparison_long(res.table)
            if len(long):
                spec = ch.chart_spec(
                    ch.comparison_chart(res.table, "Return per $1 of spend", res.level)
                )
                out.append(f'<div class="charts">{ctx.chart(spec, wide=True)}</div>')
            out.append(table_html(_compare_table(res.table)))
            out.append(
                f'<p class="conclusion"><strong>Conclusion.</strong> {esc(res.conclusion)}</p>'
            )
            out.append(
                f'<p class="muted"><strong>Uncertainty.</strong> '
                f"{esc(_uncertainty(res, ctx.n_boot))}</p>"
            )
        return "".join(out)


@register_section
class MixModelSection(Section):
    """The marketing-mix model over strategies and the recommended reallocation."""

    lookup_name = "mix"
    title = "Mix model and budget"
    module = "micromix.measurement.strategies"
    tables = ("events",)
    optional = True

    def render(self, ctx: ReportContext) -> str:
        from micromix.measurement.strategies import fit_strategy_mix

        mix = fit_strategy_mix(ctx.store, seed=ctx.seed, holdouts=ctx.results.get("ugc-vs-paid"))
        level = mix.model.spec.interval
        s = mix.summary
        out = [
            "<p>A marketing-mix model over the daily series of revenue, spend per paid strategy "
            "and organic impressions of user content"
            + (
                f", calibrated with the holdout results of {esc(', '.join(mix.calibrated_with))}"
                if mix.calibrated_with
                else " (no holdout results to calibrate with)"
            )
            + ". It estimates what each strategy adds, including the organic one that has no "
            "spend, and where the same budget would earn more.</p>",
            f'<div class="charts">{ctx.chart(ch.chart_spec(ch.contribution_chart(s, level)), wide=True)}</div>',
            table_html(
                s[
                    [
                        "strategy",
                        "kind",
                        "spend",
                        "contribution",
                        "contribution_lo",
                        "contribution_hi",
                        "roas",
                        "marginal_roas",
                    ]
                ],
                formats={
                    "spend": "money",
                    "contribution": "money",
                    "contribution_lo": "money",
                    "contribution_hi": "money",
                    "roas": "ratio",
                    "marginal_roas": "ratio",
                },
                labels={
                    "contribution": "incremental revenue",
                    "contribution_lo": "low",
                    "contribution_hi": "high",
                    "marginal_roas": "marginal ROAS",
                },
            ),
        ]
        if ctx.store.has_table("ground_truth") and ctx.store.count("ground_truth"):
            gt = ctx.store.read("ground_truth").groupby("strategy")["incremental_revenue"].sum()
            hits = [
                f"{r['strategy']}: {'inside' if r['contribution_lo'] <= gt.get(r['strategy'], np.nan) <= r['contribution_hi'] else 'outside'}"
                f" (true {fmt_value(gt.get(r['strategy']), 'money')})"
                for _, r in s.iterrows()
                if r["strategy"] in gt.index
            ]
            out.append(
                note("Simulator truth vs the mix model's intervals: " + "; ".join(hits) + ".")
            )
        scen = mix.reallocation.attrs.get("scenarios")
        out.append("<h3>Recommended reallocation of the same spend</h3>")
        out.append(
            table_html(
                mix.reallocation,
                formats={"current_spend": "money", "recommended_spend": "money", "change": "money"},
            )
        )
        if scen is not None and len(scen) == 2:
            cur, rec = scen.iloc[0], scen.iloc[1]
            out.append(
                f'<p class="conclusion"><strong>Conclusion.</strong> Moving spend as shown changes '
                f"expected incremental revenue from {esc(fmt_value(cur['outcome'], 'money'))} to "
                f"{esc(fmt_value(rec['outcome'], 'money'))} at the same budget (model estimate; "
                "the per-strategy intervals above show how sure it is).</p>"
            )
        organic = s[s["kind"] == "organic"]
        if len(organic):
            out.append(
                '<p class="muted"><strong>Caution.</strong> User posts follow purchases, so organic '
                "volume rises with sales for reasons of its own: the organic contribution is an upper "
                "bound unless a holdout (e.g. pausing reposts in some regions) pins it down.</p>"
            )
        return "".join(out)


#: how creator table columns are shown
_CREATOR_FORMATS = {
    "followers": "int",
    "reach": "int",
    "creators": "int",
    "expected_engagements": "int",
    "engagement_rate": "pct",
    "median_engagement_rate": "pct",
    "mean_engagement_rate": "pct",
    "authenticity": "ratio",
    "fit": "ratio",
    "value_per_dollar": "ratio",
    "est_cost_per_post": "money",
    "cumulative_cost": "money",
    "spend": "money",
    "cost_per_engagement": "money",
    "expected_conversions": "ratio",
}


def _infer_brand(posts: pd.DataFrame) -> str | None:
    """The most-mentioned account in the posts (the brand a store is about), if any."""
    if "mentions" not in posts.columns:
        return None
    m = posts["mentions"].dropna().astype(str).str.split(",").explode().str.strip().str.lstrip("@")
    m = m[m != ""]
    return str(m.value_counts().index[0]) if len(m) else None


@register_section
class ContentCreatorsSection(Section):
    """User content worth amplifying and creators worth hiring."""

    lookup_name = "content"
    title = "User content and creators"
    module = "micromix.influencers"
    tables = ("posts", "creators")
    optional = True

    def render(self, ctx: ReportContext) -> str:
        from micromix.influencers import Brief, creator_report_tables, score_creators
        from micromix.social.listening import BrandSpec
        from micromix.social.ugc import ad_baseline, rank_for_amplification

        out = []
        posts = ctx.store.read("posts")
        brand = _infer_brand(posts)
        if brand and len(posts):
            ads = ctx.store.read("ad_performance") if ctx.store.count("ad_performance") else None
            base = ad_baseline(ads) if ads is not None and len(ads) else None
            ranked = rank_for_amplification(
                posts, BrandSpec(brand, handles=(brand,)), baseline=base, top=10
            )
            out.append(f"<h3>User content to amplify (brand @{esc(brand)})</h3>")
            out.append(
                note(
                    f"Brand inferred as the most-mentioned account, @{brand}. Genuine customer "
                    "posts only (brand-owned and sponsored posts are excluded); predicted paid "
                    "performance starts from the brand's own ads."
                )
            )
            cols = [
                c
                for c in (
                    "post_id",
                    "author_id",
                    "text",
                    "amplification_score",
                    "predicted_ctr",
                    "predicted_cpa",
                    "reasons",
                )
                if c in ranked.columns
            ]
            out.append(
                table_html(
                    ranked[cols],
                    formats={
                        "amplification_score": "ratio",
                        "predicted_ctr": "pct",
                        "predicted_cpa": "money",
                    },
                )
            )
        if ctx.store.count("creators"):
            scored = score_creators(ctx.store.read("creators"), posts if len(posts) else None)
            niche = (
                scored["niche"].dropna().value_counts().index[0]
                if "niche" in scored and scored["niche"].notna().any()
                else "lifestyle"
            )
            spend = (
                ctx.store.execute(
                    ctx.store.table("events")
                    .filter(lambda t: t.strategy == "influencer")
                    .aggregate(s=lambda t: t.cost.sum())
                )["s"].iloc[0]
                if ctx.store.count("events")
                else None
            )
            budget = (
                float(spend) if spend is not None and not pd.isna(spend) and spend > 0 else 5_000.0
            )
            tables = creator_report_tables(scored, Brief(niche=niche, budget=budget, top=10))
            out.append(
                f"<h3>Creators to hire: {esc(niche)} brief, budget {esc(fmt_value(budget, 'money'))}</h3>"
            )
            out.append(table_html(tables["top_creators"], formats=_CREATOR_FORMATS))
            out.append("<h3>Micro vs macro creators for the same budget</h3>")
            out.append(table_html(tables["micro_vs_macro"], formats=_CREATOR_FORMATS))
            out.append("<h3>Engagement by tier</h3>")
            out.append(table_html(tables["tiers"], formats=_CREATOR_FORMATS))
        if not out:
            return note("No posts or creator profiles in the store.")
        return "".join(out)


@register_section
class MomentsSection(Section):
    """Micro-moments: KPIs per moment type and the surges found in the search stream."""

    lookup_name = "moments"
    title = "Micro-moments"
    module = "micromix.moments.summary"
    tables = ("events",)
    optional = True

    def render(self, ctx: ReportContext) -> str:
        from micromix.moments.summary import moment_summary

        s = moment_summary(ctx.store, seed=ctx.seed)
        k = s.kpis.reset_index()
        out = [
            "<p>Sessions with a search, tagged with their micro-moment (I-want-to-know, -go, -do, "
            f"-buy); {s.sessions_tagged:,} sessions"
            + (" (a random sample)" if s.sampled else "")
            + ". Brand presence is the share of those sessions in which the brand showed up.</p>",
            table_html(
                k,
                formats={
                    "sessions": "int",
                    "brand_presence": "pct",
                    "ctr": "pct",
                    "conversion_rate": "pct",
                    "engagement_rate": "pct",
                    "revenue": "money",
                    "revenue_per_session": "money",
                },
            ),
        ]
        bursts = s.bursts[s.bursts["kind"] == "burst"] if len(s.bursts) else s.bursts
        gaps = s.bursts[s.bursts["kind"] == "gap"] if len(s.bursts) else s.bursts
        out.append(f"<h3>Surges found ({len(bursts)}) and collection gaps ({len(gaps)})</h3>")
        if len(s.bursts):
            out.append(
                table_html(
                    s.bursts.sort_values("score", ascending=False).head(15),
                    formats={"observed": "int", "expected": "ratio", "score": "ratio"},
                )
            )
        if s.scores:
            out.append(
                note(
                    f"Against the simulator's {s.scores['surges']} injected surges: precision "
                    f"{s.scores['precision']:.0%}, recall {s.scores['recall']:.0%} "
                    "(key = moment | topic | region, hourly buckets)."
                )
            )
        return "".join(out)


@register_section
class QualitySection(Section):
    """Data-quality checks with pass / review / fail and what to do."""

    lookup_name = "quality"
    title = "Data quality"

    def render(self, ctx: ReportContext) -> str:
        q = quality_report(ctx.store)
        out = [
            checks_html(q.checks),
            "<h3>Rows per table</h3>",
            table_html(q.row_counts, {"rows": "int"}),
        ]
        out.append("<h3>Quarantined rows: top reasons</h3>")
        out.append(
            table_html(q.top_reasons, {"rows": "int"})
            if len(q.top_reasons)
            else note("No quarantined rows.")
        )
        out.append("<h3>Ingest log (latest runs)</h3>")
        if len(q.ingest_log):
            cols = [
                c
                for c in (
                    "ingested_at",
                    "kind",
                    "source",
                    "format",
                    "rows_in_file",
                    "accepted",
                    "quarantined",
                    "inserted",
                    "updated",
                )
                if c in q.ingest_log.columns
            ]
            out.append(table_html(q.ingest_log[cols], {c: "int" for c in cols[4:]}))
        else:
            out.append(note("No ingest runs recorded."))
        out.append("<h3>Null shares of key fields</h3>")
        out.append(
            table_html(q.null_shares, {"rows": "int", "nulls": "int", "null_share": "pct"})
            if len(q.null_shares)
            else note("No key fields to check.")
        )
        out.append("<h3>Date coverage</h3>")
        out.append(
            table_html(
                q.coverage, {"days_spanned": "int", "days_with_data": "int", "missing_days": "int"}
            )
            if len(q.coverage)
            else note("No dated rows.")
        )
        return "".join(out)


#: sections every report has, in order
DEFAULT_SECTIONS = ("overview", "trends", "comparisons", "quality")


def _render_section(sec: Section, ctx: ReportContext) -> str:
    head = f'<section id="sec-{esc(sec.lookup_name)}"><h2 id="{esc(sec.lookup_name)}">{esc(sec.title)}</h2>'
    try:
        body = sec.render(ctx)
    except MicromixError as exc:
        body = note(f"This section could not be built: {exc}")
    except Exception as exc:
        if not sec.optional:
            raise
        body = note(f"This optional section could not be built ({type(exc).__name__}: {exc}).")
    return f"{head}{body}</section>"


def build_report(
    store: Any,
    *,
    title: str = "micromix report",
    comparisons: Sequence[str] = DEFAULT_COMPARISONS,
    n_boot: int = 200,
    progress: Progress | None = None,
    sections: Sequence[str] | None = None,
    level: float = 0.95,
    seed: int = 0,
    generated_at: datetime | None = None,
    results: dict[str, Any] | None = None,
) -> str:
    """Build the self-contained HTML report.

    Parameters
    ----------
    store : micromix.store.Store
    title : str
    comparisons : sequence of str
        Comparisons to show (see :data:`micromix.metrics.compare.COMPARISONS`).
    n_boot : int
        Bootstrap replicates for the comparison intervals (at least 20).
    progress : callable, optional
        ``progress(step_name, fraction_done)``, e.g. from ``micromix.cli._common.progress_bar``.
    sections : sequence of str, optional
        Section names in order; default: the default sections, then every registered optional
        section whose module exists and whose data is in the store.
    level : float
        Interval coverage.
    seed : int
        Seed of the bootstrap (pass the one used elsewhere to reproduce its intervals).
    generated_at : datetime, optional
        Timestamp printed in the header (default: now, UTC).
    results : dict, optional
        Comparison results already computed (name -> ``ComparisonResult``); they are shown as
        given instead of being recomputed, so a caller's printed figures match the report.

    Returns
    -------
    str
        One HTML document with every script and chart spec inlined.
    """
    if n_boot < 20:
        raise ConfigError(f"n_boot must be at least 20, got {n_boot}")
    from micromix.metrics.compare import COMPARISONS

    unknown = [c for c in comparisons if c not in COMPARISONS]
    if unknown:
        raise ConfigError(
            f"unknown comparison(s) {', '.join(map(repr, unknown))}; "
            f"use any of {', '.join(COMPARISONS)}"
        )
    names = (
        list(sections)
        if sections is not None
        else [
            *(n for n in DEFAULT_SECTIONS if n != "quality"),
            *(n for n, c in SECTIONS.items() if c.optional and n not in DEFAULT_SECTIONS),
            "quality",  # data quality closes the report
        ]
    )
    chosen = [get_section(n) for n in names]
    chosen = [s for s in chosen if not s.optional or s.available(store)]
    ctx = ReportContext(
        store,
        n_boot=n_boot,
        comparisons=tuple(comparisons),
        level=level,
        seed=seed,
        results=dict(results or {}),
    )
    report = progress or (lambda step, frac: None)
    parts = []
    for i, sec in enumerate(chosen):
        report(sec.title, i / (len(chosen) + 1))
        parts.append(_render_section(sec, ctx))
    report("inlining the chart library", len(chosen) / (len(chosen) + 1))
    toc = "".join(f'<li><a href="#{esc(s.lookup_name)}">{esc(s.title)}</a></li>' for s in chosen)
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    meta = (
        f"Generated {esc(when)} from {esc(getattr(store, 'path', 'a store'))}; "
        f"{ctx.chart_count} charts; intervals at {level:.0%}."
    )
    body = f'<nav class="toc"><strong>Contents</strong><ol>{toc}</ol></nav>{"".join(parts)}'
    html = page(title, body, bundle=vega_bundle(), meta=meta)
    report("done", 1.0)
    return html


def write_report(store: Any, path: str | Path, **kw: Any) -> Path:
    """Build the report and write it to ``path`` atomically (temporary file, then rename).

    Parameters
    ----------
    store : micromix.store.Store
    path : str or Path
        Output file (its folder must exist).
    **kw
        Passed to :func:`build_report`.

    Returns
    -------
    Path
        The written file.
    """
    out = Path(path)
    if not out.parent.exists():
        raise ConfigError(
            f"{out}: folder {out.parent} does not exist; create it or choose another path"
        )
    if out.is_dir():
        raise ConfigError(f"{out} is a folder; give a file name such as {out / 'report.html'}")
    html = build_report(store, **kw)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(html)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); a report is meant to be shared, so follow umask
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
