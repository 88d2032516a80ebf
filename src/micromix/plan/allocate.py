"""The budget across strategies: led by the holdouts, cautious where they are not sure.

Each paid strategy gets a response curve **anchored on its reconciled incremental ROAS**
(:mod:`micromix.plan.returns`) at today's spend ``c``: a concave Hill curve
``f(x) = roas * c * (1 + kappa) * x / (x + kappa * c)`` that passes through ``roas * c`` at
``x = c``. ``kappa`` is the half-saturation point as a multiple of today's spend; a holdout
measures the level of the curve, not its bend, so the plan assumes ``kappa = 1`` (the next
dollar earns half the average one) and carries the bend into its intervals: one bend common to
all strategies anywhere in :data:`KAPPA_RANGE`, each strategy's own within a factor
:data:`KAPPA_SPREAD` of it (strategies bought the same way bend alike; nothing in the data
says how much they differ). The optimizer (:class:`micromix.optimize.BudgetOptimizer`) then allocates the
budget over these curves, with three guards:

* a **trust region**: no strategy goes below :data:`TRUST_REGION` ``[0]`` or above ``[1]``
  times its current spend (scaled to the budget), the range the data can speak for;
* **holdout order**: money moves only along what the holdouts settle: a strategy gains only if
  the holdout intervals rank it clearly above another, and gives only if they rank another
  clearly above it; with no separated pair today's split is kept. Where intervals separate two
  strategies, money never moves from the better to the worse (checked and enforced);
* **risk**: the recommendation is drawn from the uncertainty (reconciled ROAS and ``kappa``)
  :data:`N_SIMULATIONS` times; while the chance that it earns less than the current mix exceeds
  :data:`MAX_LOSS_PROBABILITY`, the move is scaled back towards the current mix.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.plan.returns import strategy_returns
>>> h = pd.DataFrame({"strategy": ["a", "b"], "incremental_roas": [8.0, 3.0],
...                   "incremental_roas_low": [7.0, 2.5], "incremental_roas_high": [9.0, 3.5]})
>>> r = strategy_returns(h, None, pd.Series({"a": 100.0, "b": 100.0}))
>>> plan = reallocate(r)
>>> bool(plan.recommended[0] > 100.0 > plan.recommended[1]), round(plan.budget)
(True, 200)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from micromix.errors import ConfigError
from micromix.optimize import BudgetOptimizer, CurveResponse
from micromix.plan.returns import StrategyReturns

__all__ = [
    "DEFAULT_KAPPA",
    "KAPPA_RANGE",
    "KAPPA_SPREAD",
    "MAX_LOSS_PROBABILITY",
    "N_SIMULATIONS",
    "TRUST_REGION",
    "Reallocation",
    "anchored_curve",
    "reallocate",
]

#: half-saturation of the anchored curves, as a multiple of today's spend
DEFAULT_KAPPA = 1.0
#: range of the bend ``kappa`` common to the strategies, carried into the intervals
KAPPA_RANGE = (0.5, 2.0)
#: how far one strategy's ``kappa`` may differ from the common one (a factor either way)
KAPPA_SPREAD = 1.4
#: recommended spend per strategy stays within these multiples of its current spend
TRUST_REGION = (0.75, 1.5)
#: largest accepted chance that the recommendation earns less than the current mix
MAX_LOSS_PROBABILITY = 0.10
#: draws of the uncertainty behind the intervals and the risk guard
N_SIMULATIONS = 4000
#: how far the move is scaled back, step by step, while it is too risky
_BACKOFF = (1.0, 0.75, 0.5, 0.35, 0.25, 0.15, 0.1, 0.0)


def anchored_curve(
    roas: float | np.ndarray, spend: float, kappa: float | np.ndarray = DEFAULT_KAPPA
) -> Callable[[np.ndarray], np.ndarray]:
    """``f(x) = roas * spend * (1 + kappa) * x / (x + kappa * spend)``: ``f(spend) = roas * spend``.

    ``roas`` and ``kappa`` may be arrays (draws); they broadcast against ``x``.

    >>> f = anchored_curve(4.0, 100.0)
    >>> float(f(100.0)), float(f(200.0)) < 800.0
    (400.0, True)
    """

    def f(x: np.ndarray) -> np.ndarray:
        x = np.maximum(np.asarray(x, dtype=float), 0.0)
        return roas * spend * (1 + kappa) * x / (x + kappa * spend)

    return f


@dataclass
class Reallocation:
    """The recommended split of a budget across strategies, with its expected effect.

    Arrays follow ``strategies``. ``current`` is today's mix scaled to ``budget``;
    ``expected`` / ``low`` / ``high`` are each strategy's expected incremental revenue at the
    recommended spend with its interval (``level``); ``gain`` is the expected incremental
    revenue of the recommendation minus the current mix's, ``prob_gain`` the chance it is
    positive, ``scaled_back`` the share of the optimizer's move kept by the risk guard.
    """

    strategies: list[str]
    budget: float
    horizon_days: int
    current: np.ndarray
    recommended: np.ndarray
    expected: np.ndarray
    low: np.ndarray
    high: np.ndarray
    expected_current: np.ndarray
    gain: float
    gain_low: float
    gain_high: float
    prob_gain: float
    scaled_back: float
    level: float
    #: interval of each strategy's change in incremental revenue (recommended - current)
    delta_low: np.ndarray = field(default_factory=lambda: np.zeros(0))
    delta_high: np.ndarray = field(default_factory=lambda: np.zeros(0))
    locked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """One row per strategy: the JSON ``allocation`` rows plus the change."""
        return pd.DataFrame(
            {
                "strategy": self.strategies,
                "current_spend": self.current,
                "recommended_spend": self.recommended,
                "change": self.recommended - self.current,
                "expected_incremental_revenue": self.expected,
                "low": self.low,
                "high": self.high,
            }
        )


def _draws(
    returns: pd.DataFrame, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``(n, k)`` draws of each strategy's ROAS (normal, reconciled) and ``kappa``.

    ``kappa`` is a bend common to all strategies (log-uniform over :data:`KAPPA_RANGE`) times
    each strategy's own factor (log-uniform within :data:`KAPPA_SPREAD`).
    """
    mean = returns["roas"].to_numpy(float)
    sd = np.nan_to_num(returns["roas_sd"].to_numpy(float))
    # no strategy returns less than nothing: a draw below zero is reflected back above it
    r = np.abs(mean + sd * rng.standard_normal((n, len(mean))))
    lo, hi = np.log(KAPPA_RANGE[0]), np.log(KAPPA_RANGE[1])
    common = rng.uniform(lo, hi, (n, 1))
    own = rng.uniform(-np.log(KAPPA_SPREAD), np.log(KAPPA_SPREAD), (n, len(mean)))
    return r, np.exp(common + own)


def _revenue(roas: np.ndarray, kappa: np.ndarray, anchor: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Anchored-curve revenue per draw and strategy at spend ``x``."""
    x = np.maximum(x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = roas * anchor * (1 + kappa) * x / (x + kappa * anchor)
    return np.nan_to_num(out)


def _violations(
    pairs: list[tuple[str, str]], names: list[str], cur: np.ndarray, rec: np.ndarray
) -> list[tuple[str, str]]:
    """Separated pairs (better, worse) where the better loses money and the worse gains it."""
    tol = 1e-6 * max(float(cur.sum()), 1.0)
    pos = {s: i for i, s in enumerate(names)}
    return [
        (a, b)
        for a, b in pairs
        if a in pos
        and b in pos
        and rec[pos[a]] < cur[pos[a]] - tol
        and rec[pos[b]] > cur[pos[b]] + tol
    ]


def reallocate(
    returns: StrategyReturns,
    budget: float | None = None,
    *,
    horizon_days: int = 0,
    seed: int = 0,
    n_simulations: int = N_SIMULATIONS,
) -> Reallocation:
    """Allocate ``budget`` (default: today's total) across the strategies (see the module).

    Strategies without incremental evidence keep their (scaled) spend.

    Raises
    ------
    ConfigError
        For a budget that is not a positive amount, or no strategy with spend.
    """
    t = returns.table.reset_index(drop=True)
    if t.empty or not (t["current_spend"] > 0).any():
        raise ConfigError(
            "no paid strategy has spend in the store, so there is no budget to plan; ingest "
            "events with costs (or run micromix demo)"
        )
    anchor = t["current_spend"].to_numpy(float)
    total = float(anchor.sum())
    budget = total if budget is None else float(budget)
    if not math.isfinite(budget) or budget <= 0:
        raise ConfigError(f"budget {budget!r} must be a positive amount")
    names = [str(s) for s in t["strategy"]]
    cur = anchor * budget / total
    roas = t["roas"].to_numpy(float)
    known = np.isfinite(roas)
    locked = {names[i]: float(cur[i]) for i in range(len(names)) if not known[i]}
    notes: list[str] = []
    if budget > TRUST_REGION[1] * total or budget < TRUST_REGION[0] * total:
        notes.append(
            f"The budget is {budget / total:.1f}x today's spend: every strategy's return at that "
            "level is read off curves fitted at today's spend, an assumption, not evidence."
        )
    curves = [
        anchored_curve(float(roas[i]) if known[i] else 0.0, float(anchor[i]))
        for i in range(len(names))
    ]
    model = CurveResponse(names, curves, current_spend=cur)
    # money flows only along what the holdouts settle: a strategy gains only if they rank it
    # clearly above another, and gives only if they rank another clearly above it
    better = {a for a, _b in returns.separated}
    worse = {b for _a, b in returns.separated}
    bounds = {
        n: (TRUST_REGION[0] * c if n in worse else c, TRUST_REGION[1] * c if n in better else c)
        for n, c in zip(names, cur)
    }
    best = cur.copy()
    for _ in range(len(returns.separated) + 1 if returns.separated else 0):
        free = {n: b for n, b in bounds.items() if n not in locked}
        if len(free) < 2:
            break
        best = BudgetOptimizer(model, bounds=free, locked=locked).allocate(budget).spend
        bad = _violations(returns.separated, names, cur, best)
        if not bad:
            break
        for _a, b in bad:  # the worse one of the pair may not gain: cap it at its current spend
            lo, _hi = bounds[b]
            bounds[b] = (lo, cur[names.index(b)])
    rng = np.random.default_rng(seed)
    r_d, k_d = _draws(t.assign(roas=np.where(known, roas, 0.0)), n_simulations, rng)
    base = _revenue(r_d, k_d, anchor, cur).sum(axis=1)
    rec, kept = cur, 0.0
    for alpha in _BACKOFF:
        x = cur + alpha * (best - cur)
        gain_d = _revenue(r_d, k_d, anchor, x).sum(axis=1) - base
        if alpha == 0.0 or float(np.mean(gain_d < 0)) <= MAX_LOSS_PROBABILITY:
            rec, kept = x, alpha
            break
    if 0.0 < kept < 1.0:
        notes.append(
            f"The move is {kept:.0%} of what the evidence's best guess would make: the rest "
            f"carried more than a {MAX_LOSS_PROBABILITY:.0%} chance of earning less than today."
        )
    level = returns.level
    a = (1 - level) / 2
    per_d = _revenue(r_d, k_d, anchor, rec)
    delta_d = per_d - _revenue(r_d, k_d, anchor, cur)
    gain_d = per_d.sum(axis=1) - base
    point = np.array([float(f(x)) for f, x in zip(curves, rec)])
    point_cur = np.array([float(f(x)) for f, x in zip(curves, cur)])
    gain = float(point.sum() - point_cur.sum())
    low = np.where(known, np.quantile(per_d, a, axis=0), math.nan)
    high = np.where(known, np.quantile(per_d, 1 - a, axis=0), math.nan)
    point[~known] = point_cur[~known] = math.nan
    return Reallocation(
        strategies=names,
        budget=budget,
        horizon_days=horizon_days,
        current=cur,
        recommended=rec,
        expected=point,
        low=low,
        high=high,
        expected_current=point_cur,
        gain=gain,
        gain_low=float(np.quantile(gain_d, a)),
        gain_high=float(np.quantile(gain_d, 1 - a)),
        prob_gain=float(np.mean(gain_d > 0)) if kept > 0 else 0.0,
        scaled_back=kept,
        level=level,
        delta_low=np.where(known, np.quantile(delta_d, a, axis=0), math.nan),
        delta_high=np.where(known, np.quantile(delta_d, 1 - a, axis=0), math.nan),
        locked=sorted(locked),
        notes=notes,
    )
