"""What a dollar returns in each strategy: the holdouts, the mix model, and one reconciled figure.

:func:`strategy_returns` puts, per paid strategy, the incremental ROAS measured by randomised
holdouts beside the mix model's estimate, says whether they agree, and reconciles them into one
figure the plan acts on:

* the **holdouts lead**: where a strategy has a randomised holdout, its incremental ROAS is the
  evidence; the mix model (calibrated with those same holdouts, so not independent evidence)
  only fills in strategies without one, and a disagreement is said, never averaged away;
* every figure is **shrunk** towards the others (a normal hierarchical model, :func:`shrink`):
  a strategy measured loosely is not believed to be far from the others until its interval
  says so. How far true returns differ between strategies is learnt from the data, with a
  half-normal prior of scale :data:`PRIOR_SPREAD` times their mean, and integrated over;
* where holdout intervals **clearly separate** two strategies (no overlap), the reconciled
  figures keep that order (pooled where shrinkage would reverse it).

Quickstart
----------
>>> import pandas as pd
>>> from micromix.plan.returns import shrink
>>> post, sd = shrink(pd.Series([9.0, 5.0, 4.5]), pd.Series([1.0, 0.5, 1.5]))
>>> bool(post.iloc[0] > post.iloc[1] > 0)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from micromix.measurement import ORGANIC_STRATEGIES
from micromix.measurement.mmm import NO_EFFECT, NOT_MEASURABLE

__all__ = [
    "PRIOR_SPREAD",
    "RETURN_COLUMNS",
    "StrategyReturns",
    "separated_pairs",
    "shrink",
    "strategy_returns",
]

#: prior scale of the spread of true returns between strategies, as a share of their mean
PRIOR_SPREAD = 1.0
#: columns of :attr:`StrategyReturns.table`
RETURN_COLUMNS: tuple[str, ...] = (
    "strategy",
    "current_spend",
    "holdout_roas",
    "holdout_low",
    "holdout_high",
    "mix_roas",
    "mix_low",
    "mix_high",
    "evidence",
    "agreement",
    "roas",
    "roas_sd",
)


@dataclass
class StrategyReturns:
    """Per paid strategy: holdout and mix-model returns, their agreement, the reconciled ROAS.

    ``table`` has :data:`RETURN_COLUMNS`; ``evidence`` is ``holdout``, ``mix model`` or
    ``none`` (no incremental evidence: the plan keeps such a strategy's spend);
    ``agreement`` is ``agree``, ``disagree`` or ``n/a``. ``level`` is the holdouts' interval
    coverage; ``separated`` lists (better, worse) pairs whose holdout intervals do not overlap.
    """

    table: pd.DataFrame
    level: float
    mix_level: float | None
    separated: list[tuple[str, str]]

    def row(self, strategy: str) -> pd.Series:
        return self.table.set_index("strategy").loc[strategy]


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _truncated_moments(m: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of ``N(m, var)`` truncated to ``[0, inf)``."""
    sd = np.sqrt(np.maximum(var, 1e-300))
    a = -m / sd
    lam = np.exp(stats.norm.logpdf(a) - stats.norm.logsf(a))  # inverse Mills ratio
    mean = m + sd * lam
    new_var = var * np.maximum(1 + a * lam - lam**2, 0.0)
    return mean, new_var


def shrink(
    est: pd.Series, se: pd.Series, *, nonnegative: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Posterior means and sds of each group's true return under a normal hierarchical model.

    ``est[s] ~ N(theta[s], se[s]**2)``, ``theta[s] ~ N(mu, tau**2)``, flat prior on ``mu`` and
    a half-normal prior on ``tau`` with scale ``PRIOR_SPREAD * |pooled mean|`` (returns of
    different strategies typically differ by tens of percent, rarely by multiples), ``tau``
    integrated out on a grid. With few groups the data cannot pin ``tau`` down, and
    integrating over it (rather than plugging in a point estimate) keeps the uncertainty
    honest. With ``nonnegative`` a true return cannot be below zero (marketing does not destroy
    the revenue it is measured on), so each posterior is truncated there. With one group, or
    none with a finite standard error, the estimates come back as they are.
    """
    ok = est.notna() & se.notna() & (se > 0) & np.isfinite(se)
    post, sd = est.astype(float).copy(), se.astype(float).copy()
    if ok.sum() < 2:
        return post, sd
    y, s = est[ok].to_numpy(float), se[ok].to_numpy(float)
    w0 = 1.0 / s**2
    pooled = float((w0 * y).sum() / w0.sum())
    scale = max(PRIOR_SPREAD * abs(pooled), 1e-6 * float(s.max()), 1e-12)
    top = max(6.0 * scale, 3.0 * float(np.ptp(y)), 3.0 * float(s.max()))
    taus = np.linspace(top / 400, top, 400)
    v = s[None, :] ** 2 + taus[:, None] ** 2  # (T, k)
    wt = 1.0 / v
    v_mu = 1.0 / wt.sum(axis=1)
    mu = (wt * y).sum(axis=1) * v_mu
    log_like = 0.5 * np.log(v_mu) - 0.5 * (np.log(v) + (y - mu[:, None]) ** 2 / v).sum(axis=1)
    log_post = log_like - 0.5 * (taus / scale) ** 2
    p_tau = np.exp(log_post - log_post.max())
    p_tau /= p_tau.sum()
    b = taus[:, None] ** 2 / v  # weight on the group's own estimate, given tau
    m = b * y + (1 - b) * mu[:, None]
    var = b * s**2 + (1 - b) ** 2 * v_mu[:, None]
    if nonnegative:
        m, var = _truncated_moments(m, var)
    mean = (p_tau[:, None] * m).sum(axis=0)
    var_total = (p_tau[:, None] * (var + m**2)).sum(axis=0) - mean**2
    post[ok] = mean
    sd[ok] = np.sqrt(np.maximum(var_total, 0.0))
    return post, sd


def separated_pairs(table: pd.DataFrame) -> list[tuple[str, str]]:
    """(better, worse) strategy pairs whose holdout intervals do not overlap."""
    h = table.dropna(subset=["holdout_low", "holdout_high"])
    out = []
    for _, a in h.iterrows():
        for _, b in h.iterrows():
            if a["strategy"] != b["strategy"] and a["holdout_low"] > b["holdout_high"]:
                out.append((str(a["strategy"]), str(b["strategy"])))
    return out


def _keep_order(post: pd.Series, pairs: list[tuple[str, str]]) -> pd.Series:
    """Pool the reconciled figures of a separated pair that shrinkage put in the wrong order."""
    post = post.copy()
    for _ in range(len(pairs) + 1):
        bad = [(a, b) for a, b in pairs if post[a] < post[b]]
        if not bad:
            break
        a, b = bad[0]
        post[a] = post[b] = (post[a] + post[b]) / 2
    return post


def strategy_returns(
    holdouts: pd.DataFrame | None,
    mix_summary: pd.DataFrame | None,
    current_spend: pd.Series,
    *,
    level: float = 0.95,
    mix_level: float | None = None,
) -> StrategyReturns:
    """Reconcile the holdout and mix-model returns of each paid strategy (see the module).

    Parameters
    ----------
    holdouts : DataFrame, optional
        The ``ugc-vs-paid`` comparison table (``strategy``, ``incremental_roas`` with
        ``_low`` / ``_high``).
    mix_summary : DataFrame, optional
        The strategy mix model's summary (``strategy``, ``kind``, ``roas``, ``roas_lo``,
        ``roas_hi``, and ``effect``: a strategy whose effect is ``no effect`` has no mix-model
        figure).
    current_spend : Series
        Spend per paid strategy over the horizon (index: strategy); strategies without spend
        are left out.
    level, mix_level : float
        Interval coverage of the holdouts and of the mix model.
    """
    spend = current_spend[current_spend > 0].astype(float)
    spend = spend[[s for s in spend.index if s not in ORGANIC_STRATEGIES]]
    t = pd.DataFrame({"strategy": list(spend.index), "current_spend": spend.to_numpy()})
    for col in RETURN_COLUMNS[2:8]:
        t[col] = math.nan
    if holdouts is not None and len(holdouts):
        h = holdouts.set_index("strategy")
        for src, dst in (
            ("incremental_roas", "holdout_roas"),
            ("incremental_roas_low", "holdout_low"),
            ("incremental_roas_high", "holdout_high"),
        ):
            if src in h.columns:
                t[dst] = t["strategy"].map(h[src]).astype(float)
    if mix_summary is not None and len(mix_summary):
        m = mix_summary[mix_summary["kind"] == "paid"].set_index("strategy")
        for src, dst in (("roas", "mix_roas"), ("roas_lo", "mix_low"), ("roas_hi", "mix_high")):
            t[dst] = t["strategy"].map(m[src]).astype(float)
    has_h = t["holdout_low"].notna() & t["holdout_roas"].notna()
    has_m = t["mix_low"].notna() & t["mix_roas"].notna() & t["mix_high"].gt(t["mix_low"])
    if mix_summary is not None and "effect" in mix_summary:
        # a posterior median of zero is no measurement of the strategy's return (no effect, or
        # an interval too wide to say): the mix model neither fills in nor checks it
        paid = mix_summary[mix_summary["kind"] == "paid"].set_index("strategy")["effect"]
        has_m &= ~t["strategy"].map(paid).isin([NO_EFFECT, NOT_MEASURABLE]).to_numpy()
    t["evidence"] = np.where(has_h, "holdout", np.where(has_m, "mix model", "none"))
    overlap = (t["holdout_low"] <= t["mix_high"]) & (t["mix_low"] <= t["holdout_high"])
    t["agreement"] = np.where(has_h & has_m, np.where(overlap, "agree", "disagree"), "n/a")
    z_h = _z(level)
    z_m = _z(mix_level) if mix_level else z_h
    est = pd.Series(np.where(has_h, t["holdout_roas"], t["mix_roas"]), index=t["strategy"])
    se = pd.Series(
        np.where(
            has_h,
            (t["holdout_high"] - t["holdout_low"]) / (2 * z_h),
            (t["mix_high"] - t["mix_low"]) / (2 * z_m),
        ),
        index=t["strategy"],
    )
    est[~(has_h | has_m).to_numpy()] = math.nan
    post, sd = shrink(est, se, nonnegative=True)
    pairs = separated_pairs(t)
    post = _keep_order(post, pairs)
    t["roas"] = post.to_numpy()
    t["roas_sd"] = sd.to_numpy()
    return StrategyReturns(t[list(RETURN_COLUMNS)], level, mix_level, pairs)
