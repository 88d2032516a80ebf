"""The mix model over strategies: what user content, influencers and paid social each add.

:func:`strategy_panel` turns the store's events into a daily (or weekly) panel — revenue, spend
per paid strategy, organic impressions of user content — and :func:`fit_strategy_mix` fits the
marketing-mix model to it, calibrated with the holdout experiments where they exist. The best
reallocation of the same spend is the optimizer's job
(``micromix.optimize.recommend_budget(mix.model)``), one layer up.

User-generated content is an *organic* channel: its contribution is estimated, but it gets no
ROAS and no budget.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> from micromix.ingest.market import load_market
>>> st = Store.open(":memory:")
>>> _ = load_market(st, simulate(SimConfig(users=3_000, days=42, seed=4)))
>>> panel = strategy_panel(st)
>>> sorted(c for c in panel.columns if c.startswith("spend_"))[:2]
['spend_influencer', 'spend_paid_social']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from micromix.errors import DataValidationError, MicromixError, StoreError
from micromix.measurement.mmm import LiftTest, MarketingMixModel, MMMSpec
from micromix.metrics.compare import ComparisonResult, compare_strategies
from micromix.store import Store

__all__ = [
    "ORGANIC_STRATEGIES",
    "StrategyMix",
    "fit_strategy_mix",
    "strategy_of",
    "strategy_panel",
]

#: strategies whose effect comes without media spend
ORGANIC_STRATEGIES = ("ugc_organic",)
#: share of a strategy's spend its holdouts must cover to calibrate its whole contribution
FULL_COVERAGE = 0.95
_GRAIN = {"day": "D", "week": "W"}


def strategy_panel(store: Store, *, grain: str = "day") -> pd.DataFrame:
    """Revenue and media per period: ``spend_<strategy>`` for paid strategies,
    ``organic_<strategy>`` (impressions) for organic ones, and day-of-week dummies for daily data.

    Raises
    ------
    StoreError
        When the store has no events.
    """
    if grain not in _GRAIN:
        raise DataValidationError(f"grain={grain!r} must be one of {', '.join(_GRAIN)}")
    if store.count("events") == 0:
        raise StoreError("no events in the store; ingest events or run micromix demo first")
    t = store.table("events")
    period = t.ts.truncate(_GRAIN[grain]).cast("date").name("date")
    rev = store.execute(
        t.filter(t.event_type == "purchase").group_by(period).aggregate(revenue=t.revenue.sum())
    )
    media = store.execute(
        t.filter(t.strategy.notnull())
        .group_by([period, t.strategy])
        .aggregate(
            spend=t.cost.sum().fill_null(0.0),
            impressions=ibis.ifelse(t.event_type == "impression", 1, 0).sum(),
        )
    )
    spend = media.pivot_table(index="date", columns="strategy", values="spend", aggfunc="sum")
    imps = media.pivot_table(index="date", columns="strategy", values="impressions", aggfunc="sum")
    # every period from the first to the last, a period without purchases or media at zero:
    # the carry-over runs period by period, and media on a day without a purchase count too
    seen = pd.to_datetime(pd.Index(rev["date"]).union(pd.Index(media["date"])))
    if seen.empty:  # events, but no purchase and no media: an empty panel, as before
        seen = pd.DatetimeIndex([])
        periods = seen
    else:
        periods = pd.date_range(seen.min(), seen.max(), freq="D" if grain == "day" else "7D")
    panel = rev.assign(date=pd.to_datetime(rev["date"])).set_index("date").reindex(periods)
    panel.index.name = "date"
    spend.index, imps.index = pd.to_datetime(spend.index), pd.to_datetime(imps.index)
    for s in spend.columns:
        if s in ORGANIC_STRATEGIES:
            if imps[s].fillna(0).sum() > 0:
                panel[f"organic_{s}"] = imps[s]
        elif spend[s].fillna(0).sum() > 0:
            panel[f"spend_{s}"] = spend[s]
    panel = panel.fillna(0.0).reset_index()
    panel["date"] = pd.to_datetime(panel["date"])
    # drop a last partial period (a week that has not ended, or the day being ingested)
    if grain == "week" and len(panel) > 2:
        last = store.execute(t.aggregate(m=t.ts.max()))["m"].iloc[0]
        if pd.Timestamp(last) < panel["date"].iloc[-1] + pd.Timedelta(days=6):
            panel = panel.iloc[:-1]
    if grain == "day":
        for d in range(1, 7):
            panel[f"dow_{d}"] = (panel["date"].dt.day_of_week == d).astype(float)
    return panel


def strategy_of(channel: str) -> str:
    """The strategy a panel column measures: ``spend_paid_social`` -> ``paid_social``."""
    return re.sub(r"^(spend|organic)_", "", channel)


@dataclass
class StrategyMix:
    """A fitted strategy mix model, its panel and its per-strategy summary.

    ``summary`` is :meth:`MarketingMixModel.summary` with a ``strategy`` column first;
    ``calibrated_with`` names the strategies whose holdouts calibrated it.
    """

    model: MarketingMixModel
    panel: pd.DataFrame
    summary: pd.DataFrame
    calibrated_with: list[str]

    @property
    def current_spend(self) -> dict[str, float]:
        """Spend per paid channel over the planning horizon."""
        return dict(zip(self.model.channels, np.asarray(self.model.current_spend, float).tolist()))

    def __repr__(self) -> str:
        return f"StrategyMix(calibrated_with={self.calibrated_with})\n{self.summary.to_string(index=False)}"


def _lift_tests(
    store: Store, panel: pd.DataFrame, paid: list[str], holdouts: ComparisonResult | None = None
) -> list[LiftTest]:
    """Holdout results per strategy as lift tests (per-period incremental revenue).

    A strategy whose every campaign ran a holdout over the data is a go-dark test of the whole
    strategy over the panel's periods: it calibrates the model's contribution over those
    periods, with the real (varying) spend. When only some of its campaigns ran one, the test
    is the steady-state removal of their share of the spend.
    """
    try:
        res = (
            holdouts
            if holdouts is not None
            else compare_strategies(store, "ugc-vs-paid", n_boot=200)
        )
    except MicromixError:  # no experiments or no strategies: fit uncalibrated
        return []
    n = len(panel)
    first = pd.Timestamp(panel["date"].iloc[0]).strftime("%Y-%m-%d")
    last = pd.Timestamp(panel["date"].iloc[-1]).strftime("%Y-%m-%d")
    tests = []
    for _, r in res.table.iterrows():
        col = f"spend_{r['strategy']}"
        if col not in paid or pd.isna(r.get("incremental_revenue_low")):
            continue
        spend = float(r["experiment_spend"]) / n
        sigma = (
            (float(r["incremental_revenue_high"]) - float(r["incremental_revenue_low"])) / 3.92 / n
        )
        if spend <= 0 or sigma <= 0:
            continue
        whole = float(r["experiment_spend"]) >= FULL_COVERAGE * float(panel[col].sum())
        # a holdout is a go-dark test on the held-out share: removing the spend removes the effect
        tests.append(
            LiftTest(
                channel=col,
                spend=float(panel[col].mean()) if whole else spend,
                delta_spend=-float(panel[col].mean()) if whole else -spend,
                delta_outcome=-float(r["incremental_revenue"]) / n,
                sigma=sigma,
                start=first if whole else None,
                end=last if whole else None,
            )
        )
    return tests


def fit_strategy_mix(
    store: Store,
    *,
    grain: str = "day",
    calibrate: bool = True,
    seed: int = 0,
    holdouts: ComparisonResult | None = None,
) -> StrategyMix:
    """Fit the mix model over strategies (the reallocation is :func:`micromix.optimize.recommend_budget`).

    Parameters
    ----------
    store : micromix.store.Store
    grain : {"day", "week"}
    calibrate : bool
        Calibrate with the holdout experiments in the store (when there are any).
    seed : int
    holdouts : ComparisonResult, optional
        A ``ugc-vs-paid`` comparison already computed (reused for calibration).

    Returns
    -------
    StrategyMix
    """
    panel = strategy_panel(store, grain=grain)
    paid = [c for c in panel.columns if c.startswith("spend_")]
    organic = [c for c in panel.columns if c.startswith("organic_")]
    controls = [c for c in panel.columns if c.startswith("dow_")]
    if not paid:
        raise DataValidationError(
            "no strategy has spend in the store; the mix model needs paid media"
        )
    tests = _lift_tests(store, panel, paid, holdouts) if calibrate else []
    spec = MMMSpec(
        date_col="date",
        target="revenue",
        outcome="revenue",
        channels=tuple(paid),
        organic=tuple(organic),
        controls=tuple(controls),
        yearly_seasonality=0,
        l_max=14 if grain == "day" else 4,
        lift_tests=tuple(tests),
        seed=seed,
    )
    mmm = MarketingMixModel(spec=spec, horizon=len(panel)).fit(panel, source="events")
    summary = mmm.summary()
    summary.insert(0, "strategy", summary["channel"].map(strategy_of))
    return StrategyMix(mmm, panel, summary, [strategy_of(t.channel) for t in tests])
