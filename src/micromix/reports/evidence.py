"""The report's own choices over :func:`micromix.plan.gather_evidence`.

:func:`report_evidence` gathers the evidence as :func:`~micromix.plan.gather_evidence` does,
with three things the report's reader sets or needs:

- **the brand** whose user content is ranked for amplification: given (``--brand``), or on a
  simulated market the simulator's own brand (the account its posts mention); on real data it
  is never guessed from mentions (the most-mentioned account of a trending dump is rarely the
  reader's brand), so the section says it needs ``--brand``;
- **the creator brief** (niche and budget): given (``--niche``, ``--creator-budget``) or read
  from the data, and said in the section either way;
- **weekly trends of the series that are daily or weekly**: when some exports report rows over
  more than one week (a 6-month breakdown), those exports are left out of the trend, said in
  one sentence (export, currency, period), instead of removing every trend chart.

Everything is computed by the domain functions; this module only picks what they are asked.
The plan is built after the content part, so its amplify actions use the same brand.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

import pandas as pd

from micromix.errors import ConfigError
from micromix.influencers import Brief, brief_from_data, creator_report_tables, score_creators
from micromix.influencers.discovery import DEFAULT_BRIEF_BUDGET
from micromix.metrics import compute_kpis
from micromix.plan import TREND_DIMENSIONS, Evidence, gather_evidence
from micromix.plan.evidence import (
    PARTS,
    ContentEvidence,
    CreatorEvidence,
    _brand_baseline,
    _guarded,
    _influencer_spend,
    _plan,
)
from micromix.social import BrandSpec, infer_brand, rank_for_amplification
from micromix.store import Store

__all__ = [
    "BRAND_NOTE",
    "BRIEF_NOTE",
    "NEEDS_BRAND",
    "TRENDS_LEFT_OUT_NOTE",
    "report_evidence",
]

#: note keys (in :attr:`Evidence.notes`) of the sentences this module adds
BRAND_NOTE = "content:brand"
BRIEF_NOTE = "content:brief"
TRENDS_LEFT_OUT_NOTE = "trends:left_out"
#: what the content section says when the brand was not given on real data
NEEDS_BRAND = (
    "This section needs the brand: the report does not guess it from the posts' mentions (the "
    "most-mentioned account of a trending dump is rarely yours); give it with "
    "'micromix report --brand HANDLE'."
)


def report_evidence(
    store: Store,
    *,
    brand: str | None = None,
    niche: str | None = None,
    creator_budget: float | None = None,
    parts: Sequence[str] | None = None,
    **gather: Any,
) -> Evidence:
    """The evidence of ``store`` for the report (see the module docstring).

    Parameters
    ----------
    store : Store
    brand : str, optional
        The brand's account handle (``@`` optional) or name; without it, real data gets no
        user-content ranking (a simulated market uses its own brand).
    niche, creator_budget : optional
        The creator brief (default: the creators' most common niche, the influencer spend in
        the events, else US$ 5,000).
    parts : sequence of str, optional
        As :func:`~micromix.plan.gather_evidence`.
    **gather
        Passed on to :func:`~micromix.plan.gather_evidence` (``n_boot``, ``seed``, ``progress``
        ...).

    Raises
    ------
    ConfigError
        For an empty brand, an unknown niche or a budget that is not a positive amount (before
        anything is computed), and as :func:`~micromix.plan.gather_evidence`.
    """
    handle = _brand_handle(brand)
    if niche is not None or creator_budget is not None:  # a bad brief fails before any work
        Brief(
            niche="lifestyle" if niche is None else niche,
            budget=DEFAULT_BRIEF_BUDGET if creator_budget is None else creator_budget,
        )
    wanted = tuple(PARTS if parts is None else parts)
    early = tuple(p for p in wanted if p not in ("content", "plan"))
    progress = gather.pop("progress", None) or (lambda step, frac: None)
    ev = gather_evidence(store, parts=early, progress=lambda s, f: progress(s, 0.8 * f), **gather)
    ev.parts = wanted
    if "trends" in wanted:
        _daily_trends(ev, store)
    if "content" in wanted:
        progress("content", 0.8)
        _guarded(
            ev,
            "content",
            lambda: _content(ev, store, handle, niche, creator_budget),
            optional=True,
        )
    if "plan" in wanted:
        progress("plan", 0.9)
        _guarded(ev, "plan", lambda: _plan(ev, store, gather.get("budget")), optional=False)
    progress("evidence gathered", 1.0)
    return ev


def _brand_handle(brand: str | None) -> str | None:
    if brand is None:
        return None
    handle = brand.strip().lstrip("@").strip()
    if not handle:
        raise ConfigError("--brand is empty; give the brand's account handle, e.g. --brand pawco")
    return handle


# ------------------------------------------------------------------------------ content
def _content(
    ev: Evidence,
    store: Store,
    brand: str | None,
    niche: str | None,
    creator_budget: float | None,
) -> None:
    posts = store.read("posts") if store.count("posts") else None
    if posts is not None:
        if brand is not None:
            ev.note(BRAND_NOTE, f"Brand @{brand}, as given (--brand).")
        elif ev.simulated and (brand := infer_brand(posts)) is not None:
            ev.note(BRAND_NOTE, f"Brand @{brand}: the simulated market's brand.")
        if brand is None:
            ev.note(BRAND_NOTE, NEEDS_BRAND)
        else:
            ads = store.read("ad_performance") if store.count("ad_performance") else None
            base = _brand_baseline(ads, ev.currency) if ads is not None else None
            ranked = rank_for_amplification(
                posts, BrandSpec(brand, handles=(brand,)), baseline=base, top=10
            )
            ev.content = ContentEvidence(brand, ranked)
    if store.count("creators"):
        scored = score_creators(store.read("creators"), posts)
        found = brief_from_data(scored, _influencer_spend(ev, store))
        brief = Brief(
            niche=found.niche if niche is None else niche,
            budget=found.budget if creator_budget is None else creator_budget,
            top=found.top,
        )
        ev.creators = CreatorEvidence(brief, creator_report_tables(scored, brief))
        ev.note(BRIEF_NOTE, _brief_sentence(brief, niche, creator_budget, found, scored))


def _brief_sentence(
    brief: Brief,
    niche: str | None,
    budget: float | None,
    found: Brief,
    scored: pd.DataFrame,
) -> str:
    if niche is not None:
        why_niche = "given with --niche"
    elif "niche" in scored.columns and scored["niche"].notna().any():
        why_niche = "the most common niche of the creators in the store"
    else:
        why_niche = "the default: the creators carry no niche"
    if budget is not None:
        why_budget = "given with --creator-budget"
    elif found.budget != DEFAULT_BRIEF_BUDGET:
        why_budget = "the influencer spend in the events"
    else:
        why_budget = "the default: no influencer spend in US dollars in the store"
    return (
        f"The brief: niche {brief.niche} ({why_niche}), budget US${brief.budget:,.0f} "
        f"({why_budget}); set them with 'micromix report --niche NICHE --creator-budget "
        "AMOUNT'."
    )


# ------------------------------------------------------------------------------- trends
def _daily_trends(ev: Evidence, store: Store) -> None:
    """Weekly trends of the exports whose rows each fall in one week, when others do not."""
    missing = [d for d in TREND_DIMENSIONS if d not in ev.trends and f"trends:{d}" in ev.notes]
    if not missing or not store.count("ad_performance"):
        return
    long = _long_exports(store)
    if long.empty:
        return
    ids = [i for i in long["source_id"] if isinstance(i, str)]
    unrecorded = long["source_id"].isna().any()

    def keep(t: Any) -> Any:  # rows of the other exports (and of no export, unless those cross)
        known = t.source_id.notnull()
        kept = known & ~t.source_id.isin(ids) if ids else known
        return kept if unrecorded else kept | ~known

    drawn = False
    for dim in missing:
        try:
            df = compute_kpis(store, by=[dim], grain="week", where=keep)
        except ConfigError:
            continue
        df = df[df["period"].notna()]
        if df.empty or df[dim].isna().all():
            continue
        ev.trends[dim] = df
        ev.notes.pop(f"trends:{dim}", None)
        drawn = True
    if drawn:
        ev.note(TRENDS_LEFT_OUT_NOTE, _left_out_sentence(long, _export_files(store)))


def _long_exports(store: Store) -> pd.DataFrame:
    """One row per export (``source_id``; ``None`` for rows of no recorded export) holding a
    row that spans more than one week: rows, rows over a week, currency, first and last day."""
    cols = [c for c in ("source_id", "date", "date_end", "currency") if c in _columns(store)]
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


def _columns(store: Store) -> list[str]:
    return list(store.table("ad_performance").columns)


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
