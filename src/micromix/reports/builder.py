"""The self-contained HTML report: a pure rendering of :class:`~micromix.plan.Evidence`.

The report computes nothing: :func:`micromix.plan.gather_evidence` runs the analyses (KPIs,
trends, the strategy comparisons, the mix model, user content and creators, micro-moments, data
quality) and :func:`build_report` renders what it found. One HTML file holds everything,
including the Vega, Vega-Lite and vega-embed JavaScript, so it opens offline and can be
forwarded.

Sections are small registered classes (:data:`SECTIONS`, :func:`register_section`), each
rendering one part of the evidence. An optional section is shown when its part was computed or
failed (the reason is shown as a note); a failure inside an optional section's rendering
becomes a note too, never a crash. A section may name a ``module`` it needs; it is left out
when that module is not importable.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> from micromix.ingest.market import load_market
>>> from micromix.plan import gather_evidence
>>> from micromix.reports import build_report
>>> st = Store.open(":memory:")
>>> _ = load_market(st, simulate(SimConfig(users=800, days=14, seed=3)))
>>> html = build_report(gather_evidence(st, n_boot=30))
>>> "<h2 id=\\"quality\\">Data quality</h2>" in html
True
"""

from __future__ import annotations

import importlib.util
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from micromix.errors import ConfigError, MicromixError
from micromix.influencers.hints import BRIEF_HINTS
from micromix.metrics.coverage import uncovered_spend
from micromix.plan import TREND_DIMENSIONS, Evidence, Plan
from micromix.plan.actions import creator_price_symbol, per_money
from micromix.plan.evidence import (
    ADS_SOURCE_COLUMNS,
    BRAND_NOTE,
    BRIEF_NOTE,
    CURRENCY_NOTE,
    NEEDS_BRAND,
    TRENDS_LEFT_OUT_NOTE,
)
from micromix.registry import Registry
from micromix.reports import charts as ch
from micromix.reports.assets import vega_bundle
from micromix.reports.html import (
    banner,
    chart_div,
    checks_html,
    currency_symbol,
    esc,
    fmt_value,
    note,
    page,
    table_html,
    tile,
    with_interval,
)
from micromix.schema.display import format_signed_money

__all__ = [
    "DEFAULT_SECTIONS",
    "HEADLINE_KPIS",
    "MIXED_BANNER",
    "POST_HEADLINE_KPIS",
    "SECTIONS",
    "SIMULATED_BANNER",
    "TREND_KPIS",
    "ComparisonsSection",
    "OverviewSection",
    "PlanSection",
    "QualitySection",
    "ReportContext",
    "Section",
    "TrendsSection",
    "build_report",
    "get_section",
    "register_section",
    "write_report",
]

#: headline tiles: (KPI column, label, format kind)
HEADLINE_KPIS: tuple[tuple[str, str, str], ...] = (
    ("spend", "Spend", "money"),
    ("impressions", "Impressions", "int"),
    ("reach", "Reach", "int"),
    ("clicks", "Clicks", "int"),
    ("conversions", "Conversions (all)", "int"),
    ("revenue", "Revenue (all)", "money"),
    ("roas", "Revenue per ad dollar (attributed)", "ratio"),
    ("cpa", "Ad spend per conversion (attributed)", "money"),
    ("engagement_rate", "Engagement rate", "pct"),
    ("emv", "Earned media value", "money"),
)
#: headline tiles of a store that holds posts alone (their own KPIs)
POST_HEADLINE_KPIS: tuple[tuple[str, str, str], ...] = (
    ("posts", "Posts", "int"),
    ("likes", "Likes", "int"),
    ("comments", "Comments", "int"),
    ("shares", "Shares", "int"),
    ("views", "Views", "int"),
    ("engagements", "Engagements", "int"),
    ("engagement_rate_per_view", "Engagement per view", "pct"),
    ("engagement_rate_per_follower", "Engagement per follower", "pct"),
    ("emv", "Earned media value", "money"),
)
#: weekly trend charts: (KPI column, label); ``{cur}`` is the currency
TREND_KPIS: tuple[tuple[str, str], ...] = (
    ("spend", "Spend ({cur})"),
    ("roas", "ROAS (attributed)"),
    ("ctr", "CTR"),
    ("engagement_rate", "Engagement rate"),
)

Progress = Callable[[str, float], None]

#: the banner over a report of simulated data
SIMULATED_BANNER = (
    "Simulated data: every figure in this report comes from micromix's seeded market "
    "simulator, not from a real brand. The 'true' figures are the simulator's ground truth."
)
#: the banner over a report of a simulated market that real data was ingested into
MIXED_BANNER = (
    "Simulated data mixed with real data (simulated + real, mixed): this store holds "
    "micromix's seeded market simulator and real data ingested into it, so a figure of this "
    "report may add both and none is a real brand's result. Keep real data in a store of its "
    "own (micromix serve --no-demo, or a new --db for micromix ingest)."
)


@dataclass
class ReportContext:
    """What every section gets: the evidence and a chart-id counter."""

    evidence: Evidence
    chart_count: int = 0
    #: how the ingest log names its sources: None prints them as recorded (the CLI: paths on
    #: this machine); a mapping (the REST API) names each by what the client knows it as
    source_names: Mapping[str, str] | None = None

    def source(self, recorded: str) -> str:
        """An ingest-log source as the report shows it: as recorded, or (``source_names``) by
        its mapped name, keeping what follows the mapped part (" [sheet Dataset2]"), else by
        its file's base name: never a path on the server."""
        if self.source_names is None:
            return recorded
        text = str(recorded)
        if text in self.source_names:
            return self.source_names[text]
        for key in sorted(self.source_names, key=len, reverse=True):
            if key and text.startswith(key):
                return self.source_names[key] + text[len(key) :]
        return Path(text.replace("\\", "/")).name or text

    @property
    def symbol(self) -> str:
        """Currency of every money figure (the store's, :func:`micromix.metrics.store_currency`);
        none where the data states no currency or several (each row then shows its own)."""
        return currency_symbol(self.evidence.currency)

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
    part : str or None
        The evidence part it renders (see :data:`micromix.plan.PARTS`); an optional section
        is shown only when that part was asked for and either computed or noted.
    module : str or None
        Optional module the section needs; the section is left out when it is not importable.
    optional : bool
        Optional sections are added after the default ones, and any error inside them becomes a
        note.
    """

    lookup_name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    part: ClassVar[str | None] = None
    module: ClassVar[str | None] = None
    optional: ClassVar[bool] = False

    def available(self, evidence: Evidence) -> bool:
        """Whether the section's module exists and the evidence holds its part (or why not)."""
        if self.module is not None:
            try:
                if importlib.util.find_spec(self.module) is None:
                    return False
            except (ImportError, ValueError):
                return False
        if self.part is None:
            return True
        return self.part in evidence.parts and (
            self.part in evidence.notes or self.has_data(evidence)
        )

    def has_data(self, evidence: Evidence) -> bool:
        """Whether the evidence holds this section's part (override per section)."""
        return getattr(evidence, self.part or "", None) is not None

    def render(self, ctx: ReportContext) -> str:  # pragma: no cover - abstract
        """The section body (HTML, without the heading)."""
        raise NotImplementedError

    def _absent(self, ctx: ReportContext, default: str) -> str:
        """The body when the evidence lacks this section's part: the reason the evidence notes
        for the part, else ``default``."""
        return note(ctx.evidence.notes.get(self.part or self.lookup_name, default))

    def to_dict(self) -> dict[str, Any]:
        return {"lookup_name": self.lookup_name}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Section:
        return get_section(d["lookup_name"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lookup_name={self.lookup_name!r})"


#: registered sections, in registration order (default ones first)
SECTIONS: Registry[Section] = Registry("report section", base=Section)


def register_section(cls: type[Section]) -> type[Section]:
    """Register (or replace) a section class; usable as a decorator."""
    if not cls.title:
        raise ConfigError(f"section {cls.__name__} needs a title")
    return SECTIONS.register(cls)


def get_section(name: str) -> Section:
    """An instance of the registered section ``name``."""
    return SECTIONS.create(name)


# ---------------------------------------------------------------------------------- sections
@register_section
class OverviewSection(Section):
    """Headline KPI tiles and KPIs by platform."""

    lookup_name = "overview"
    title = "KPI overview"
    part = "overview"

    def render(self, ctx: ReportContext) -> str:
        ev = ctx.evidence
        if ev.kpis is None:
            return self._absent(ctx, "No KPIs: the overview was not computed.")
        src = ev.kpi_source or "events"
        missing = list(ev.unreported)
        sym = ctx.symbol
        codes = _currencies(ev.kpis)
        levels = _distinct(ev.kpis, "level")
        blocks = []
        for _, row in ev.kpis.iterrows():
            row = row.copy()
            for col in missing:
                row[col] = None
            here = currency_symbol(str(row["currency"])) if len(codes) > 1 else sym
            if src == "posts":  # earned media value is priced in the EMV rates' currency
                here = currency_symbol(str(row.get("currency") or "USD"))
            tiles = "".join(
                tile(
                    _per_currency(label, row.get("currency") or ev.currency),
                    fmt_value(row.get(col), kind, here),
                )
                for col, label, kind in (POST_HEADLINE_KPIS if src == "posts" else HEADLINE_KPIS)
            )
            parts = [f"In {row['currency']}"] if len(codes) > 1 else []
            if len(levels) > 1:
                level = row.get("level")
                parts.append(f"{level}-level reports" if isinstance(level, str) else "other rows")
            head = f"<h3>{esc(' · '.join(parts))}</h3>" if parts else ""
            blocks.append(f'{head}<div class="tiles">{tiles}</div>')
        if src == "events":
            how = (
                f"Computed from {ev.source_rows:,} events; reach counts distinct "
                "people with an impression; earned media value prices organic impressions at "
                "the paid CPM of their platform. Conversions and revenue include purchases no "
                "channel was credited with (baseline demand, organic content); the ratios over "
                "spend and clicks (ROAS, CPA, CVR ...) count the paid strategies' results only. "
                "Those are attributed, not caused by the ads: see the incremental ROAS in the "
                "strategy comparisons."
            )
        elif src == "posts":
            how = (
                f"Computed from {ev.source_rows:,} posts (the store holds no events and no ad "
                "reports): what the posts earned, not what any spend bought. Earned media value "
                "prices their views (or impressions, else followers x reach rate) and "
                "interactions at the documented default rates (docs/social.md), in US dollars."
            )
        else:
            how = (
                f"Computed from {ev.source_rows:,} rows of platform ad reports "
                "(no events in the store): reach is the sum of reported reach, an upper bound; "
                "earned media value needs events and is not available."
            )
        if missing:
            sources = sorted({ADS_SOURCE_COLUMNS[c] for c in missing})
            how += (
                f" The ad reports carry no {', '.join(sources)}, "
                f"so {', '.join(missing)} are shown as n/a rather than zero."
            )
        if len(codes) > 1:
            how += (
                f" The ad reports are in {len(codes)} currencies ({', '.join(codes)}); money is "
                "never added across currencies, so every figure is per currency (convert with "
                "your own rates: micromix kpis --fx RATES.csv)."
            )
        elif CURRENCY_NOTE in ev.notes:  # no currency stated, or events taken to be in one
            how += f" {ev.notes[CURRENCY_NOTE]}"
        if len(levels) > 1:
            how += (
                f" The ad reports come at {len(levels)} levels ({', '.join(levels)}); they are "
                "shown apart and never added up, because one account exported at two levels "
                "would count its spend twice."
            )
        out = [
            "<p><strong>Attributed figures</strong>: what the platforms and the data record, "
            "not what the marketing caused; the incremental returns are in the plan and the "
            "strategy comparisons above.</p>",
            f'<p class="muted">{esc(how)}</p>',
            *blocks,
        ]
        by = _active_rows(ev.kpis_by_platform, "platform")
        if by is not None and len(by):
            by = by.astype(object)
            cols = [
                "platform",
                *(["currency"] if len(_currencies(by)) > 1 else []),
                *(["level"] if len(_distinct(by, "level")) > 1 else []),
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
            cols = [c for c in cols if c not in missing]  # not reported: said above, once
            out.append("<h3>By platform (attributed)</h3>")
            out.append(table_html(by[cols], _KPI_FORMATS, _KPI_LABELS, symbol=sym))
        return "".join(out)


#: short headers of the KPI table, so it fits a laptop screen (headers wrap, numbers do not)
_KPI_LABELS = {
    "ctr": "CTR",
    "cpm": "CPM",
    "cpa": "CPA",
    "roas": "ROAS",
    "engagement_rate": "eng. rate",
    "impressions": "impres\u00adsions",  # soft hyphens: the header may break there
    "conversions": "conver\u00adsions",
}


def _per_currency(label: str, code: object) -> str:
    """``label`` with "ad dollar" in the block's currency ("per AUD of ad spend" ...; "per unit
    of ad spend" when the data states no currency)."""
    if not code:
        return label.replace("ad dollar", "unit of ad spend")
    code = str(code).upper()
    return label if code == "USD" else label.replace("ad dollar", f"{code} of ad spend")


def _currencies(df: pd.DataFrame | None) -> list[str]:
    """The currencies a KPI table's money is split by (none when it has no currency column)."""
    return _distinct(df, "currency")


def _distinct(df: pd.DataFrame | None, col: str) -> list[str]:
    """The distinct values of a KPI table's ``col`` (none when it has no such column)."""
    if df is None or col not in df.columns:
        return []
    return sorted({str(c) for c in df[col].dropna()})


def _active_rows(df: pd.DataFrame | None, dim: str) -> pd.DataFrame | None:
    """Rows of a KPI table with any activity (spend, impressions or conversions), so a group
    the data does not have is not shown as a row of zeros; a missing label reads "(none)"."""
    if df is None:
        return None
    busy = pd.Series(False, index=df.index)
    for col in ("spend", "impressions", "conversions"):
        if col in df.columns:
            busy |= pd.to_numeric(df[col], errors="coerce").fillna(0) > 0
    out = df[busy].copy()
    if dim in out.columns:
        out[dim] = out[dim].astype(object).where(out[dim].notna(), "(none)")
    return out


@register_section
class PlanSection(Section):
    """The plan first: the budget across strategies, the actions, and on simulated data the truth."""

    lookup_name = "plan"
    title = "The plan"
    part = "plan"

    def render(self, ctx: ReportContext) -> str:
        ev = ctx.evidence
        if ev.plan is None:
            return self._absent(ctx, "No plan: the plan was not computed for this report.")
        p = ev.plan
        sym = ctx.symbol
        r = p.reallocation
        out = ['<div class="plan">', f'<p class="headline">{esc(p.headline())}</p>']
        table = p.allocation
        cells = pd.DataFrame(
            {
                "strategy": [esc(v) for v in table["strategy"]],
                "today": [esc(fmt_value(v, "money0", sym)) for v in table["current_spend"]],
                "plan": [esc(fmt_value(v, "money0", sym)) for v in table["recommended_spend"]],
                "change": [esc(format_signed_money(v, sym)) for v in table["change"]],
                "expected incremental revenue": [
                    with_interval(v, lo, hi, "money0", sym)
                    for v, lo, hi in zip(
                        table["expected_incremental_revenue"], table["low"], table["high"]
                    )
                ],
            }
        )
        out.append(
            f'<p class="muted">Paid budget over the next {r.horizon_days} days (the length of '
            f"the data), in {esc(p.currency or 'a currency the data does not state')}; "
            "expected incremental revenue with its "
            f"{r.level:.0%} interval.</p>"
        )
        out.append(table_html(cells, html_cols=list(cells.columns)))
        out.append('<ol class="actions">')
        for a in p.actions:
            effect = ""
            if a.effect is not None and a.effect_low is not None and a.effect_high is not None:
                effect = (
                    f" Expected {('+' if a.effect >= 0 else '')}"
                    f"{fmt_value(a.effect, 'money0', sym)} ({fmt_value(a.effect_low, 'money0', sym)}"
                    f" to {fmt_value(a.effect_high, 'money0', sym)})."
                )
            out.append(
                f'<li><span class="kind">{esc(a.kind)}</span><strong>{esc(a.what)}.</strong>'
                f'{esc(effect)} <span class="conf {esc(a.confidence)}">{esc(a.confidence)} '
                f'confidence</span><div class="meta">Why: {esc(a.why)} Evidence: '
                f"{esc(a.evidence)}.</div></li>"
            )
        out.append("</ol>")
        if p.truth is not None:
            t = p.truth
            cap = t.captured
            out.append(
                '<p class="truth"><strong>Simulator truth</strong> (true response curves, '
                f"{r.horizon_days} days, same budget): current mix "
                f"{esc(fmt_value(t.current_incremental_revenue, 'money0', sym))}, this plan "
                f"{esc(fmt_value(t.recommended_incremental_revenue, 'money0', sym))}, best "
                f"possible split {esc(fmt_value(t.optimal_incremental_revenue, 'money0', sym))} "
                "of incremental revenue"
                + (
                    f"; the plan captures {cap:.0%} of the possible gain."
                    if cap == cap
                    else "; today's split is already the best one."
                )
                + "</p>"
            )
        out.append("</div>")
        out.append("<h3>The evidence behind the budget</h3>")
        out.append(_evidence_table(p))
        out.extend(f'<p class="note">{esc(n)}</p>' for n in p.notes)
        return "".join(out)


def _evidence_table(p: Plan) -> str:
    """Per strategy: the holdouts' and the mix model's incremental ROAS, agreement, and the
    reconciled figure the plan uses."""
    t = p.returns.table
    level, mix = p.returns.level, p.returns.mix_level or p.returns.level
    cells = pd.DataFrame(
        {
            "strategy": [esc(v) for v in t["strategy"]],
            f"holdouts ({level:.0%})": [
                with_interval(v, lo, hi, "ratio")
                for v, lo, hi in zip(t["holdout_roas"], t["holdout_low"], t["holdout_high"])
            ],
            f"mix model ({mix:.0%})": [
                with_interval(v, lo, hi, "ratio")
                for v, lo, hi in zip(t["mix_roas"], t["mix_low"], t["mix_high"])
            ],
            "agreement": [esc(v) for v in t["agreement"]],
            "used by the plan": [esc(fmt_value(v, "ratio")) for v in t["roas"]],
        }
    )
    return (
        f'<p class="muted">Incremental revenue {per_money(p.symbol, of_spend=True)}. The plan '
        "leads with the "
        "randomised holdouts; the mix model (calibrated with them) fills in where there is no "
        "holdout; each figure is shrunk towards the others as far as its interval is wide.</p>"
        + table_html(cells, html_cols=list(cells.columns))
    )


def _active_groups(df: pd.DataFrame, dim: str) -> pd.DataFrame:
    """Weekly rows of the groups with any spend or impressions (no flat lines at zero)."""
    act = pd.Series(0.0, index=df.index)
    for col in ("spend", "impressions"):
        if col in df.columns:
            act = act + pd.to_numeric(df[col], errors="coerce").fillna(0)
    busy = act.groupby(df[dim].astype(object).fillna("(none)")).transform("sum") > 0
    return df[busy.to_numpy()]


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
    """Weekly KPIs by strategy and by platform, as line charts.

    Money of different currencies never shares an axis: spend is one chart per currency, its
    axis named by the currency; the ratios (ROAS, CTR ...) are unitless and share one chart,
    one line per group and currency. What the charts leave out is said: the exports the
    evidence left out (:data:`~micromix.plan.evidence.TRENDS_LEFT_OUT_NOTE`) and every
    platform, currency and level whose spend the KPI overview counts but no chart draws.
    """

    lookup_name = "trends"
    title = "Trends"
    part = "trends"

    def render(self, ctx: ReportContext) -> str:
        ev = ctx.evidence
        out = []
        if TRENDS_LEFT_OUT_NOTE in ev.notes and ev.trends:
            out.append(note(ev.notes[TRENDS_LEFT_OUT_NOTE]))
        if ev.trends:
            undrawn = _not_drawn(ev.kpis_by_platform, ev.trends.get("platform"))
            if undrawn:
                out.append(note(undrawn))
        for dim in TREND_DIMENSIONS:
            df = ev.trends.get(dim)
            if df is None:
                out.append(note(ev.notes.get(f"trends:{dim}", f"No weekly trend by {dim}.")))
                continue
            src = df.attrs.get("source", "events")
            days = df.attrs.get("days")
            df = _with_week_covered(_active_groups(df, dim), dim, days)
            codes = _currencies(df)
            if len(codes) > 1:  # one line per group and currency, never added up
                df = df.assign(
                    **{dim: df[dim].astype("string").fillna("(none)") + " in " + df["currency"]}
                )
            out.append(f"<h3>Weekly KPIs by {esc(dim)}</h3>")
            out.append(
                f'<p class="muted">Source: {"events" if src == "events" else "ad reports"}; '
                f"{df['period'].nunique()} week(s)"
                + (
                    f"; spend is one chart per currency ({', '.join(codes)})"
                    if len(codes) > 1
                    else ""
                )
                + ". A line breaks at a week with no rows; a week with rows and no spend is "
                "a zero.</p>"
            )
            partial = _partial_weeks(df, dim)
            if partial:
                out.append(note(partial))
            lines = sorted(set(ch.trend_lines(df, dim)))  # one colour per line, every chart
            charts = []
            for kpi, label in TREND_KPIS:
                if not df[kpi].notna().any():
                    continue
                parts = (
                    _by_currency(df, codes, _money_code(ctx)) if kpi in _TREND_MONEY else [("", df)]
                )
                for code, part in parts:
                    if part[kpi].notna().any():
                        spec = ch.trend_chart(
                            part,
                            dim,
                            kpi,
                            label.format(cur=code or "currency not stated"),
                            all_lines=lines,
                        )
                        charts.append(ctx.chart(ch.chart_spec(spec)))
            out.append(f'<div class="charts">{"".join(charts)}</div>')
        return "".join(out)


def _with_week_covered(
    df: pd.DataFrame, dim: str, days: Sequence[Mapping[str, Any]] | None
) -> pd.DataFrame:
    """``df`` with :data:`~micromix.reports.charts.WEEK_COVERED` set on each line's first or
    last week that its data covers only in part (``days``: each line's first and last day,
    from the evidence), e.g. "Jun 22 to Jun 25 only: 4 of 7 days"; unchanged without ``days``."""
    if not days or "period" not in df.columns:
        return df
    keys = [k for k in (dim, "level", "currency") if k in df.columns and k in days[0]]
    span = pd.DataFrame(list(days))

    def key(frame: pd.DataFrame) -> pd.Series:
        return frame[keys].astype("string").fillna("").astype(str).agg("\u0000".join, axis=1)

    first = dict(zip(key(span), pd.to_datetime(span["first_day"])))
    last = dict(zip(key(span), pd.to_datetime(span["last_day"])))
    covered: list[str | None] = []
    for k, monday in zip(key(df), pd.to_datetime(df["period"])):
        if k not in first or pd.isna(monday):
            covered.append(None)
            continue
        sunday = monday + pd.Timedelta(days=6)
        start, end = max(monday, first[k]), min(sunday, last[k])
        n = (end - start).days + 1
        whole = start == monday and end == sunday
        covered.append(
            None
            if whole or n < 1
            else f"{start:%b %d} to {end:%b %d} only: {n} of 7 days"
            if n > 1
            else f"{start:%b %d} only: 1 of 7 days"
        )
    return df.assign(**{ch.WEEK_COVERED: covered})


def _partial_weeks(df: pd.DataFrame, dim: str) -> str:
    """The sentence naming each line's partial first / last week (drawn as a triangle), or ""."""
    if ch.WEEK_COVERED not in df.columns:
        return ""
    part = df[df[ch.WEEK_COVERED].notna()]
    if part.empty:
        return ""
    names = ch.trend_lines(df, dim)[part.index]
    weeks = sorted(set(zip(names, pd.to_datetime(part["period"]), part[ch.WEEK_COVERED])))
    said = [f"{n}, week of {p:%b %d %Y} ({c})" for n, p, c in weeks]
    return (
        "A line's first or last week that its data covers only in part is drawn as a triangle: "
        "its lower figures are fewer days, not a drop. " + "; ".join(said) + "."
    )


#: trend KPIs that are money (one chart per currency; the others are ratios)
_TREND_MONEY = frozenset({"spend"})


def _money_code(ctx: ReportContext) -> str:
    """The currency the report's money is in: the store's (the plan's) ISO code, "" when the
    ad reports mix currencies. The one place the trends read it."""
    return ctx.evidence.currency or ""


def _by_currency(
    df: pd.DataFrame, codes: list[str], store_code: str
) -> list[tuple[str, pd.DataFrame]]:
    """``df`` split by currency (code, rows), one part per currency the rows are in; rows of
    no stated currency are in the store's currency (``store_code``)."""
    if not codes:
        return [(store_code, df)]  # "" when no currency is stated: never a guessed USD
    return [(c, df[df["currency"].astype(str) == c]) for c in codes]


def _not_drawn(overview: pd.DataFrame | None, drawn: pd.DataFrame | None) -> str:
    """The sentence naming the spend the KPI overview counts and the weekly charts do not
    draw, per platform, currency and level (rows with no dates, exports over a week ...), and
    the currencies the charts draw when the store holds others; "" when the charts draw it
    all. The figures are :func:`~micromix.metrics.coverage.uncovered_spend`'s."""
    u = uncovered_spend(overview, drawn)
    if u is None:
        return ""
    parts = []
    for k in u.rows.to_dict("records"):
        value, have = k["spend"], k["covered"]
        who = f"{k['platform']}" + (f" ({k['level']}-level)" if k.get("level") else "")
        cur = f"{k['currency']} " if k.get("currency") else ""
        parts.append(
            f"{who}: none of {cur}{value:,.2f} spend"
            if have <= 0
            else f"{who}: {cur}{have:,.2f} of {value:,.2f} spend"
        )
    all_codes, drawn_codes = u.currencies, u.covered_currencies
    said = ""
    if len(all_codes) > 1 and drawn_codes and set(drawn_codes) != set(all_codes):
        others = [c for c in all_codes if c not in drawn_codes]
        said = (
            f"The charts draw {' and '.join(drawn_codes)} money only; "
            f"the {', '.join(others)} spend is in the KPI overview, not here. "
        )
    return (
        f"{said}Not drawn in the weekly charts (the KPI overview counts it): "
        + "; ".join(parts)
        + ". A row is drawn only when it falls in one week: rows with no dates (an 'All time' "
        "download) and rows over more than one week (a report over a date range) are not."
    )


_DELIVERY_COLUMNS: tuple[tuple[str, str, str], ...] = (  # column, label, kind
    ("impressions", "impressions", "int"),
    ("reach", "reach", "int"),
    ("ctr", "CTR", "pct"),
    ("cpm", "CPM", "money"),
    ("cpa", "CPA (attributed)", "money"),
    ("engagement_rate", "eng. rate", "pct"),
    ("emv", "EMV", "money"),
)


def _interval(row: pd.Series, col: str, kind: str, symbol: str = "$") -> str:
    """``value`` over ``low to high`` (escaped HTML)."""
    return with_interval(row.get(col), row.get(f"{col}_low"), row.get(f"{col}_high"), kind, symbol)


def _returns_table(table: pd.DataFrame, symbol: str) -> str:
    """The key columns: incremental return with its interval, truth, measurability, then the
    attributed ROAS for contrast; narrow enough for a laptop screen."""
    rows = []
    for _, r in table.iterrows():
        d: dict[str, Any] = {
            "strategy": esc(r["strategy"]),
            "spend": esc(fmt_value(r.get("spend"), "money0", symbol)),
            "incremental ROAS": _interval(r, "incremental_roas", "ratio"),
        }
        if "true_incremental_roas" in table.columns:
            t = r.get("truth_in_interval")
            inside = "" if t is None or pd.isna(t) else (" (inside)" if t else " (outside)")
            d["true incremental ROAS"] = esc(
                fmt_value(r.get("true_incremental_roas"), "ratio") + inside
            )
        m = str(r.get("measurability") or "")
        level, _, why = m.partition(":")
        d["measurability"] = f"{esc(level)}<br><small>{esc(why.strip())}</small>" if m else ""
        d["attributed ROAS"] = _interval(r, "roas", "ratio")
        rows.append(d)
    df = pd.DataFrame(rows)
    return table_html(df, html_cols=list(df.columns), wrap=["measurability"], cls="key")


def _delivery_table(table: pd.DataFrame, symbol: str) -> str:
    """Delivery and engagement (attributed counts and ratios), a second, separate table."""
    cols = [c for c, _, _ in _DELIVERY_COLUMNS if c in table.columns]
    df = table[["strategy", *cols]].copy()
    return table_html(
        df,
        formats={c: k for c, _, k in _DELIVERY_COLUMNS},
        labels={c: lab for c, lab, _ in _DELIVERY_COLUMNS},
        symbol=symbol,
    )


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
    part = "comparisons"

    def render(self, ctx: ReportContext) -> str:
        from micromix.metrics.compare import COMPARISONS

        ev = ctx.evidence
        if "comparisons" in ev.notes:
            return note(ev.notes["comparisons"])
        out = []
        for name in ev.comparison_names:
            comp = COMPARISONS.get(name)
            heading = comp.question if comp is not None else name
            out.append(f'<h3 id="cmp-{esc(name)}">{esc(heading)}</h3>')
            res = ev.comparisons.get(name)
            if res is None:
                out.append(note(ev.notes.get(f"comparison:{name}", f"Comparison {name} skipped.")))
                continue
            long = ch.comparison_long(res.table)
            if len(long):
                spec = ch.chart_spec(
                    ch.comparison_chart(
                        res.table,
                        f"Return {per_money(ctx.symbol, of_spend=True)}",
                        res.level,
                        unit=ctx.symbol,
                    )
                )
                out.append(f'<div class="charts">{ctx.chart(spec, wide=True)}</div>')
            out.append(
                f'<p class="muted">Incremental return {per_money(ctx.symbol)} measured by '
                "randomised holdouts "
                f"({res.level:.0%} interval under each figure); the platform-attributed ROAS "
                "is shown last, for contrast.</p>"
            )
            out.append(_returns_table(res.table, ctx.symbol))
            out.append("<h4>Delivery and engagement (attributed)</h4>")
            out.append(_delivery_table(res.table, ctx.symbol))
            out.append(
                f'<p class="conclusion"><strong>Conclusion.</strong> {esc(res.conclusion)}</p>'
            )
            out.append(
                f'<p class="muted"><strong>Uncertainty.</strong> '
                f"{esc(_uncertainty(res, ev.n_boot))}</p>"
            )
        return "".join(out)


@register_section
class MixModelSection(Section):
    """The marketing-mix model over strategies and the recommended reallocation."""

    lookup_name = "mix"
    title = "Mix model and budget"
    part = "mix"
    optional = True

    def render(self, ctx: ReportContext) -> str:
        ev = ctx.evidence
        if ev.mix is None:
            return self._absent(ctx, "The mix model was not fitted.")
        mix = ev.mix.mix
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
                        *(["effect"] if "effect" in s else []),
                    ]
                ],
                formats={
                    "spend": "money0",
                    "contribution": "money0",
                    "contribution_lo": "money0",
                    "contribution_hi": "money0",
                    "roas": "ratio",
                    "marginal_roas": "ratio",
                },
                labels={
                    "contribution": "incremental revenue",
                    "contribution_lo": "low",
                    "contribution_hi": "high",
                    "marginal_roas": "marginal ROAS",
                },
                symbol=ctx.symbol,
            ),
        ]
        if ev.mix.truth is not None:
            out.append(_truth_note(s, ev.mix.truth, ctx.symbol))
        rec = ev.mix.reallocation
        out.append("<h3>Recommended reallocation of the same spend</h3>")
        if rec is None:  # the model failed its own checks: no split is read from it
            out.append(note(f"No reallocation: {ev.mix.refused}."))
        else:
            out.extend(self._reallocation(ev, rec, ctx.symbol))
        if (s["kind"] == "organic").any():
            out.append(
                '<p class="muted"><strong>Caution.</strong> User posts follow purchases, so organic '
                "volume rises with sales for reasons of its own: the organic contribution is an upper "
                "bound unless a holdout (e.g. pausing reposts in some regions) pins it down.</p>"
            )
        return "".join(out)

    @staticmethod
    def _reallocation(ev: Evidence, rec: Any, symbol: str) -> list[str]:
        """The mix model's reallocation table, its conclusion and its checks."""
        assert ev.mix is not None
        out: list[str] = []
        out.append(
            table_html(
                ev.mix.reallocation_table(),
                formats={
                    "current_spend": "money0",
                    "recommended_spend": "money0",
                    "change": "money0",
                },
                symbol=symbol,
            )
        )
        scen = rec.scenarios
        if len(scen) == 2:
            cur, best = scen.iloc[0], scen.iloc[1]
            sym = symbol
            out.append(
                '<p class="conclusion"><strong>Conclusion.</strong> By the mix model alone, '
                "moving spend as shown changes expected incremental revenue from "
                f"{esc(fmt_value(cur['outcome'], 'money0', sym))} to "
                f"{esc(fmt_value(best['outcome'], 'money0', sym))} at the same budget. The plan "
                "at the top does not follow it where the randomised holdouts say otherwise: "
                "the mix model reads the time series, where strategies move together.</p>"
            )
        out.extend(
            note(
                f"To {'review' if c.status.value == 'review' else 'fix'} ({c.name}): "
                f"{c.message}" + (f". What to do: {c.recommendation}." if c.recommendation else ".")
            )
            for c in rec.checks
            if c.status.value != "pass"
        )
        return out


def _truth_note(summary: pd.DataFrame, truth: pd.Series, symbol: str = "$") -> str:
    """Whether each strategy's true incremental revenue lies inside the model's interval."""
    hits = []
    for _, r in summary.iterrows():
        if r["strategy"] not in truth.index:
            continue
        t = float(truth[r["strategy"]])
        inside = r["contribution_lo"] <= t <= r["contribution_hi"] if math.isfinite(t) else False
        hits.append(
            f"{r['strategy']}: {'inside' if inside else 'outside'} "
            f"(true {fmt_value(t, 'money0', symbol)})"
        )
    return note("Simulator truth vs the mix model's intervals: " + "; ".join(hits) + ".")


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
    "cost_per_conversion": "money",
}
#: the creator columns a reader needs, in order (the rest is in the CLI / API output)
_CREATOR_COLUMNS = (
    "creator_id",
    "tier",
    "platform",
    "followers",
    "engagement_rate",
    "authenticity",
    "est_cost_per_post",
    "value_per_dollar",
    "reasons",
)
_COHORT_COLUMNS = (
    "cohort",
    "creators",
    "reach",
    "expected_engagements",
    "spend",
    "cost_per_engagement",
    "expected_conversions",
    "cost_per_conversion",
)
_CREATOR_LABELS = {
    "engagement_rate": "eng. rate",
    "est_cost_per_post": "cost per post",
    "value_per_dollar": "value per $",
    "expected_engagements": "expected engagements",
    "cost_per_engagement": "cost per engagement",
    "expected_conversions": "expected conversions",
    "cost_per_conversion": "cost per conversion",
}


#: the tier summary's columns are medians per tier (:func:`micromix.influencers.tier_summary`)
_TIER_LABELS = {
    "followers": "median followers",
    "engagement_rate": "median eng. rate",
    "authenticity": "median authenticity",
    "est_cost_per_post": "median cost per post",
    "cost_per_engagement": "median cost per engagement",
}


def _creator_table(
    df: pd.DataFrame, columns: Sequence[str], symbol: str, wrap: Sequence[str] = ()
) -> str:
    """The ``columns`` a creator table has, in that order, formatted and labelled alike."""
    return table_html(
        df[[c for c in columns if c in df.columns]],
        formats=_CREATOR_FORMATS,
        labels=_CREATOR_LABELS,
        symbol=symbol,
        wrap=wrap,
    )


def _in_tier_order(df: pd.DataFrame) -> pd.DataFrame:
    """Rows in creator-tier order (nano, micro, macro, mega), not alphabetical."""
    from micromix.metrics.compare import DEFAULT_TIERS

    if "tier" not in df.columns:
        return df
    order = {t: i for i, (t, _) in enumerate(DEFAULT_TIERS)}
    return df.sort_values("tier", key=lambda c: c.map(order).fillna(len(order)), kind="stable")


@register_section
class ContentCreatorsSection(Section):
    """User content worth amplifying and creators worth hiring."""

    lookup_name = "content"
    title = "User content and creators"
    part = "content"
    optional = True

    def has_data(self, evidence: Evidence) -> bool:
        return (
            evidence.content is not None
            or evidence.creators is not None
            or BRAND_NOTE in evidence.notes
        )

    def render(self, ctx: ReportContext) -> str:
        ev = ctx.evidence
        out = []
        if ev.content is None and BRAND_NOTE in ev.notes:
            # real data and no brand given: the section says it needs one
            out.append("<h3>User content to amplify</h3>")
            out.append(note(ev.notes.get(BRAND_NOTE, NEEDS_BRAND)))
        elif ev.content is not None:
            brand, ranked = ev.content.brand, ev.content.ranked
            base = ranked.attrs.get("baseline")
            default = bool(base and base["default"])
            if default:
                start = (
                    "the store has no ad reports, so predicted paid performance starts from "
                    f"typical paid-social figures (default benchmark: CTR {base['ctr']:.1%}, "
                    f"CPM ${base['cpm']:g}, CVR {base['cvr']:.0%}; cost per acquisition in US "
                    "dollars), not the brand's own ads."
                )
            elif base:
                ctr = base.get("ctr")
                start = (
                    "predicted paid performance starts from the brand's own ads, one ad level "
                    "per platform as the plan reads them ("
                    + (f"CTR {ctr:.2%}: " if isinstance(ctr, float) and ctr == ctr else "")
                    + f"{base.get('source') or 'brand ads'})."
                )
            else:
                start = "predicted paid performance starts from a paid-social baseline."
            out.append(f"<h3>User content to amplify (brand @{esc(brand)})</h3>")
            said = ev.notes.get(BRAND_NOTE, f"Brand @{brand}.")
            out.append(
                note(
                    f"{said} Genuine customer posts only (brand-owned and sponsored posts are "
                    f"excluded); {start}"
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
                    labels={"amplification_score": "amplification score"},
                    symbol="US$" if default else ctx.symbol,
                    wrap=["text", "reasons"],
                )
            )
        if ev.creators is not None:
            brief, tables = ev.creators.brief, ev.creators.tables
            # creator prices are the cost model's estimates, in US dollars (influencers.cost),
            # whatever the currency of the store's ads
            sym = creator_price_symbol(ctx.symbol)
            out.append(
                f"<h3>Creators to hire: {esc(brief.niche)} brief, budget "
                f"{esc(fmt_value(brief.budget, 'money0', sym))}</h3>"
            )
            if BRIEF_NOTE in ev.notes:
                out.append(note(ev.notes[BRIEF_NOTE]))
            top = tables["top_creators"]
            if top.empty:  # headers without rows say nothing: the reason instead
                # the domain's advice names 'creators discover' options; here the brief is set
                # with the report's own (--niche, --creator-budget)
                why = str(top.attrs.get("note", "none fits")).replace(
                    BRIEF_HINTS["budget"], "raise --creator-budget"
                )
                out.append(note(f"No creator to hire for this brief: {why}."))
            else:
                out.append(_creator_table(top, _CREATOR_COLUMNS, sym, wrap=["reasons"]))
            out.append("<h3>Micro vs macro creators for the same budget</h3>")
            cohorts = tables["micro_vs_macro"]
            out.append(_creator_table(cohorts, _COHORT_COLUMNS, sym))
            if cohorts.attrs.get("note"):
                out.append(note(cohorts.attrs["note"]))
            out.append("<h3>Engagement by tier</h3>")
            out.append(
                table_html(
                    _in_tier_order(tables["tiers"]),
                    formats=_CREATOR_FORMATS,
                    labels=_TIER_LABELS,
                    symbol=sym,
                )
            )
            out.append(note("Per tier: the number of creators and the median of each figure."))
        if "content" in ev.notes:
            out.append(note(ev.notes["content"]))
        if not out:
            return note("No posts or creator profiles in the store.")
        return "".join(out)


@register_section
class TrafficSection(Section):
    """Web and app analytics reports (GA4 / UA downloads): each report's period, totals and
    leading rows."""

    lookup_name = "traffic"
    title = "Web and app analytics"
    part = "traffic"
    optional = True

    def render(self, ctx: ReportContext) -> str:
        reports = ctx.evidence.traffic
        if not reports:
            return self._absent(ctx, "No web-analytics reports.")
        out = [
            '<p class="muted">The analytics reports ingested with <code>micromix ingest '
            "traffic</code>, as the analytics tool counted them (not what the marketing caused). "
            "Totals are sums over the rows ingested (a report downloaded with only its top rows "
            "totals less than the tool shows); users are not added up, because one user appears "
            "under several rows.</p>"
        ]
        for r in reports:
            period = (
                "no dates"
                if not r.first_day
                else r.first_day
                if r.first_day == r.last_day
                else f"{r.first_day} to {r.last_day}"
            )
            sym = currency_symbol(r.currency) if r.currency else ""  # the report states none
            # revenue of a report that states no currency (GA4 downloads name none) is a bare
            # amount labelled so, never given a symbol
            revenue = "revenue" if r.currency else "revenue (currency not stated)"
            totals = ", ".join(
                f"{revenue if m == 'revenue' else m.replace('_', ' ')} "
                f"{fmt_value(v, 'money' if m == 'revenue' else 'int', sym)}"
                for m, v in r.totals.items()
            )
            where = f"{r.property} · " if r.property else ""
            out.append(f"<h3>{esc(r.report)}</h3>")
            if r.note:  # the rows are only part of the report (a top-rows download)
                out.append(note(r.note[0].upper() + r.note[1:] + "."))
            shown = (
                f"a {_SERIES_WORD.get(r.dimension, 'dated')} series of {r.rows:,} "
                f"{r.dimension}{'s' if r.rows != 1 else ''}, in date order"
                if r.series
                else f"{r.rows:,} rows by {r.dimension}, the first {len(r.table)} by "
                f"{r.measure.replace('_', ' ')}"
            )
            out.append(
                f'<p class="muted">{esc(where)}{esc(period)} · {esc(shown)}'
                + (f"; totals of these rows: {esc(totals)}" if totals else "")
                + ".</p>"
            )
            table = r.table.rename(columns={"dimension_value": r.dimension or "value"})
            formats = {
                **{m: "int" for m in (*_TRAFFIC_COUNTS, "key_events")},
                "revenue": "money",
                "bounce_rate": "pct",
                "avg_engagement_seconds": "ratio",
                "avg_time_on_page_seconds": "ratio",
                "share": "pct",
            }
            labels = {
                "revenue": revenue,
                "share": f"share of {r.measure.replace('_', ' ')}",
                "avg_engagement_seconds": "avg. engagement (s)",
                "avg_time_on_page_seconds": "avg. time on page (s)",
            }
            heads = {c: labels.get(c, c.replace("_", " ")) for c in table.columns}
            full = table_html(table, formats, heads, symbol=sym, wrap=[table.columns[0]])
            if not r.series or len(table) <= _SERIES_ROWS_SHOWN:
                out.append(full)
                continue
            # a long dated series: its chart and weekly totals, every row one click away
            out.append(_series_view(ctx, r.dimension, table, r.weekly, formats, heads, sym))
            out.append(
                f"<details><summary>All {len(table):,} {esc(r.dimension)}s</summary>"
                f"{full}</details>"
            )
        return "".join(out)


#: a dated analytics series longer than this is drawn and summarised, its table collapsed
_SERIES_ROWS_SHOWN = 14


def _series_view(
    ctx: ReportContext,
    dim: str,
    table: pd.DataFrame,
    weekly: pd.DataFrame | None,
    formats: dict[str, str],
    heads: dict[str, str],
    sym: str,
) -> str:
    """A dated analytics series (one row per day, week or month): a line chart of its counts,
    and for a daily series its weekly totals (Monday to Sunday; a week the series covers only
    in part says how many days it holds), as :func:`~micromix.metrics.traffic.weekly_totals`
    gives them."""
    col = str(table.columns[0])  # the dates
    counts = [c for c in table.columns[1:] if formats.get(c) in ("int", "money")]
    when = pd.to_datetime(table[col], errors="coerce")
    if not counts or when.isna().all():
        return ""
    long = table.assign(**{col: when}).melt(id_vars=[col], value_vars=counts, var_name="measure")
    long["measure"] = long["measure"].map(heads)
    spec = ch.series_chart(
        long, col, f"{heads[counts[0]]} per {dim}" if len(counts) == 1 else f"per {dim}"
    )
    out = [f'<div class="charts">{ctx.chart(ch.chart_spec(spec), wide=True)}</div>']
    if weekly is not None:
        weekly = weekly.assign(week=weekly["week"].dt.strftime("%Y-%m-%d"))
        out.append("<h4>Weekly totals</h4>")
        out.append(
            table_html(
                weekly,
                {**formats, "days": "int"},
                {**heads, "week": "week of (Monday)"},
                symbol=sym,
            )
        )
    return "".join(out)


#: what a series by each date dimension is called
_SERIES_WORD = {"day": "daily", "week": "weekly", "month": "monthly"}

_TRAFFIC_COUNTS = (
    "sessions",
    "engaged_sessions",
    "users",
    "new_users",
    "returning_users",
    "views",
    "unique_views",
    "entrances",
    "event_count",
)


@register_section
class MomentsSection(Section):
    """Micro-moments: KPIs per moment type and the surges found in the search stream."""

    lookup_name = "moments"
    title = "Micro-moments"
    part = "moments"
    optional = True

    def render(self, ctx: ReportContext) -> str:
        s = ctx.evidence.moments
        if s is None:
            return self._absent(ctx, "No micro-moments were computed.")
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
                symbol=ctx.symbol,
            ),
        ]
        bursts = s.bursts[s.bursts["kind"] == "burst"] if len(s.bursts) else s.bursts
        gaps = s.bursts[s.bursts["kind"] == "gap"] if len(s.bursts) else s.bursts
        out.append(f"<h3>Surges found ({len(bursts)}) and collection gaps ({len(gaps)})</h3>")
        if len(s.bursts):
            top = s.bursts.sort_values("score", ascending=False).head(15).copy()
            for col in ("start", "end"):
                if col in top.columns:
                    top[col] = pd.to_datetime(top[col]).dt.strftime("%b %d %H:%M")
            out.append(
                table_html(
                    top,
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
    part = "quality"

    def render(self, ctx: ReportContext) -> str:
        q = ctx.evidence.quality
        if q is None:
            return self._absent(ctx, "The data-quality checks were not run.")
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
            log = q.ingest_log[cols].copy()
            if "source" in log.columns:
                log["source"] = [ctx.source(str(v)) if pd.notna(v) else v for v in log["source"]]
            if "ingested_at" in log.columns:  # to the second: the run, not the microsecond
                stamps = pd.to_datetime(log["ingested_at"], errors="coerce")
                log["ingested_at"] = stamps.dt.strftime("%Y-%m-%d %H:%M:%S").where(
                    stamps.notna(), log["ingested_at"].astype("string")
                )
            out.append(
                table_html(
                    log,
                    {c: "int" for c in cols[4:]},
                    {"rows_in_file": "rows in file"},
                    wrap=["source"],
                )
            )
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
DEFAULT_SECTIONS = ("plan", "comparisons", "overview", "trends", "quality")


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
    evidence: Evidence,
    *,
    title: str = "micromix report",
    progress: Progress | None = None,
    sections: Sequence[str] | None = None,
    generated_at: datetime | None = None,
    source_name: str | None = None,
    source_names: Mapping[str, str] | None = None,
) -> str:
    """Render the self-contained HTML report of ``evidence``.

    Parameters
    ----------
    evidence : micromix.plan.Evidence
        From :func:`micromix.plan.gather_evidence`.
    title : str
    progress : callable, optional
        ``progress(step_name, fraction_done)``, e.g. from ``micromix.cli._common.progress_bar``.
    sections : sequence of str, optional
        Section names in order; default: the default sections, then every registered optional
        section whose evidence part is there, then data quality.
    generated_at : datetime, optional
        Timestamp printed in the header (default: now, UTC).
    source_name : str, optional
        What the header says the report was made from (default: the store's path; the REST
        API passes a name that shows no path on the server).
    source_names : mapping, optional
        How the ingest log names each recorded source (default: as recorded, the CLI's paths);
        given, a source it does not map is named by its file's base name. The REST API passes
        each upload's file name, so the report it serves shows no path on the server.

    Returns
    -------
    str
        One HTML document with every script and chart spec inlined.
    """
    names = (
        list(sections)
        if sections is not None
        else [
            *(n for n in DEFAULT_SECTIONS if n != "quality"),
            *(n for n, c in SECTIONS.as_dict().items() if c.optional and n not in DEFAULT_SECTIONS),
            "quality",  # data quality closes the report
        ]
    )
    chosen = [get_section(n) for n in names]
    chosen = [s for s in chosen if not s.optional or s.available(evidence)]
    ctx = ReportContext(evidence, source_names=source_names)
    report = progress or (lambda step, frac: None)
    parts = []
    for i, sec in enumerate(chosen):
        report(sec.title, i / (len(chosen) + 1))
        parts.append(_render_section(sec, ctx))
    report("inlining the chart library", len(chosen) / (len(chosen) + 1))
    toc = "".join(f'<li><a href="#{esc(s.lookup_name)}">{esc(s.title)}</a></li>' for s in chosen)
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    meta = (
        f"Generated {esc(when)} from {esc(source_name or evidence.store_path)}; "
        f"{ctx.chart_count} charts; intervals at {evidence.level:.0%}."
    )
    body = f'<nav class="toc"><strong>Contents</strong><ol>{toc}</ol></nav>{"".join(parts)}'
    notice = (
        banner(MIXED_BANNER if evidence.mixed else SIMULATED_BANNER) if evidence.simulated else ""
    )
    html = page(title, body, bundle=vega_bundle(), meta=meta, notice=notice)
    report("done", 1.0)
    return html


def write_report(evidence: Evidence, path: str | Path, **kw: Any) -> Path:
    """Render the report and write it to ``path`` atomically (temporary file, then rename).

    Parameters
    ----------
    evidence : micromix.plan.Evidence
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
    html = build_report(evidence, **kw)
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
