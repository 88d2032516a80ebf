"""How good a plan really is, on simulated data: the simulator's true response curves.

A store loaded from the simulator (:func:`micromix.ingest.market.load_market`) keeps the
market's configuration in ``sim_config``; :func:`simulated_truth` rebuilds the true response
curves from it (:class:`micromix.simulate.TrueResponse`) over the plan's horizon and evaluates,
in the plan's decision space (spend per strategy, each strategy's channels kept in today's
proportions, the same budget):

* the true incremental revenue of the **current mix** (scaled to the budget),
* of the **recommendation**,
* and of the **true optimum** of that space (the optimizer run on the true curves).

Real data has no ``sim_config``: the truth is then ``None``.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> from micromix.ingest.market import load_market
>>> st = Store.open(":memory:")
>>> _ = load_market(st, simulate(SimConfig(users=1_000, days=14, seed=1)))
>>> model = true_strategy_response(st, horizon_days=14)
>>> sorted(model.channels)
['influencer', 'paid_social', 'ugc_amplified']
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import DataValidationError
from micromix.ingest.market import simulation_config
from micromix.optimize import BudgetOptimizer, CurveResponse
from micromix.simulate import ChannelSpec, TrueResponse
from micromix.store import Store

__all__ = ["PlanTruth", "simulated_truth", "true_strategy_response"]


@dataclass
class PlanTruth:
    """The simulator's true incremental revenue of the current mix, the plan and the optimum."""

    current_incremental_revenue: float
    recommended_incremental_revenue: float
    optimal_incremental_revenue: float
    optimal_spend: dict[str, float]

    @property
    def captured(self) -> float:
        """Share of the optimum's gain over the current mix that the plan captures (NaN when
        the current mix is already optimal)."""
        room = self.optimal_incremental_revenue - self.current_incremental_revenue
        if room <= 1e-9 * max(abs(self.current_incremental_revenue), 1.0):
            return math.nan
        return (self.recommended_incremental_revenue - self.current_incremental_revenue) / room

    def to_dict(self) -> dict[str, Any]:
        return {
            "current_incremental_revenue": self.current_incremental_revenue,
            "recommended_incremental_revenue": self.recommended_incremental_revenue,
            "optimal_incremental_revenue": self.optimal_incremental_revenue,
            "optimal_spend": self.optimal_spend,
            "captured_share_of_optimal_gain": None if math.isnan(self.captured) else self.captured,
        }


def true_strategy_response(
    store: Store, *, horizon_days: int, shares: pd.Series | None = None
) -> CurveResponse | None:
    """The true response per strategy over ``horizon_days``, or ``None`` on real data.

    Each strategy's curve spreads its spend over its channels in ``shares`` (channel ->
    share of its strategy's spend; default: the channels' spend in ``ground_truth``).
    """
    doc = simulation_config(store)
    if doc is None:
        return None
    specs = [ChannelSpec(**c) for c in doc["channels"]]
    names = [c.name for c in specs]
    true = TrueResponse(
        names, specs, int(doc["users"]), int(horizon_days), float(doc["order_value"])
    )
    if shares is None:
        gt = store.read("ground_truth", columns=["channel", "spend"])
        spent = gt.groupby("channel")["spend"].sum().reindex(names).fillna(0.0)
    else:
        spent = shares.reindex(names).fillna(0.0)
    strategy = pd.Series([c.strategy for c in specs], index=names)
    curves: list[Callable[[np.ndarray], np.ndarray]] = []
    order: list[str] = []
    for s in sorted(set(strategy[spent > 0])):
        idx = np.flatnonzero((strategy == s).to_numpy() & (spent > 0).to_numpy())
        w = spent.to_numpy()[idx] / spent.to_numpy()[idx].sum()

        def curve(x: np.ndarray, idx: np.ndarray = idx, w: np.ndarray = w) -> np.ndarray:
            x = np.asarray(x, dtype=float)
            full = np.zeros((*x.shape, len(names)))
            full[..., idx] = x[..., None] * w
            return np.asarray(true.response(full), dtype=float)

        curves.append(curve)
        order.append(s)
    return CurveResponse(order, curves)


def simulated_truth(
    store: Store,
    strategies: list[str],
    current: np.ndarray,
    recommended: np.ndarray,
    *,
    horizon_days: int,
) -> PlanTruth | None:
    """True incremental revenue of ``current``, ``recommended`` and the optimum (see module).

    ``current`` and ``recommended`` are spends per strategy (in ``strategies`` order) over
    ``horizon_days``, with the same total (the budget). ``None`` on real data.
    """
    model = true_strategy_response(store, horizon_days=horizon_days)
    if model is None:
        return None
    pos = {s: i for i, s in enumerate(model.channels)}
    missing = [s for s in strategies if s not in pos]
    if missing:
        raise DataValidationError(
            f"the simulated market has no channels of strategy {missing}; the store mixes data "
            "from another source with the simulation"
        )

    def full(x: np.ndarray) -> np.ndarray:
        out = np.zeros(len(pos))
        for s, v in zip(strategies, x):
            out[pos[s]] = v
        return out

    budget = float(np.sum(recommended))
    # the same decision space: the plan's strategies, the others held where they are
    others = {s: 0.0 for s in model.channels if s not in strategies}
    best = BudgetOptimizer(model, locked=others).allocate(budget)
    return PlanTruth(
        current_incremental_revenue=float(model.response(full(np.asarray(current, float)))),
        recommended_incremental_revenue=float(model.response(full(np.asarray(recommended, float)))),
        optimal_incremental_revenue=float(best.outcome),
        optimal_spend={s: float(v) for s, v in zip(model.channels, best.spend) if s in strategies},
    )
