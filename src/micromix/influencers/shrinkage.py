"""Empirical-Bayes shrinkage of creators' engagement rates (beta-binomial).

A creator's engagement rate measured on one or two posts is mostly luck: one viral post gives a
30% rate.  Ranking on it rewards the luck.  This module pulls each rate towards the rate of its
tier by as much as its evidence is weak, and gives an interval.

Model (per creator *c* with ``n_c`` posts and mean per-post rate ``p_c`` = mean of
``(likes + comments) / followers``):

* post-to-post noise is proportional to the rate: a post's rate varies around the creator's
  true rate ``theta`` with variance ``k2 * theta^2``.  ``k2`` (the squared coefficient of
  variation) is estimated from creators with 2+ posts, ``k2 = sum (n_c - 1) var_c /
  sum (n_c - 1) p_c^2``, per tier where ``min_group`` of its creators have 2+ posts, else
  pooled over all;
* engagements are binomial over *exposures*: ``s_c = p_c * N_c`` engagements out of
  ``N_c = n_c * m_c`` exposures, where one post is worth ``m_c = min((1 - t) / (k2 t),
  followers_c)`` exposures - the binomial trials whose sampling variance ``t (1 - t) / m``
  equals a post's noise ``k2 t^2`` at the creator's rate ``t``.  ``t`` is the creator's own
  shrunk rate (a fixed point, found by bisection: a higher ``t`` means noisier posts, so more
  shrinkage).  Treating every follower as a trial (``m = followers``) would make one post of a
  15K-follower creator count as 15,000 observations; with no creator having 2+ posts that is
  all there is to go on, and the prior table's ``exposures_from`` says so;
* the true rates of a tier follow ``Beta(alpha, beta)``, estimated from the tier's creators by
  the method of moments: ``mu`` = mean of ``p_c``, ``tau^2`` = variance of ``p_c`` minus the
  mean sampling variance ``k2 p_c^2 / n_c`` (floored at 1% of ``mu (1 - mu)``), and
  ``alpha + beta = mu (1 - mu) / tau^2 - 1``.  A tier with fewer than ``min_group`` creators
  with posts uses the prior of the whole cohort;
* the shrunk rate is the posterior mean ``(alpha + s_c) / (alpha + beta + N_c)`` and the
  interval the central ``level`` (default 90%) interval of ``Beta(alpha + s_c, beta + N_c - s_c)``.

Rates above 1 (more likes than followers) are capped at 1 for the model.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.influencers.shrinkage import shrink_engagement
>>> rate = pd.Series([0.30, 0.05, 0.04, 0.06, 0.05])
>>> n = pd.Series([1, 12, 12, 12, 12])
>>> var = pd.Series([float("nan"), 9e-4, 6e-4, 1.3e-3, 9e-4])  # posts vary by about 60%
>>> fol = pd.Series([10_000.0] * 5)
>>> res, prior = shrink_engagement(rate, n, var, fol, pd.Series(["micro"] * 5), min_group=2)
>>> res.round(3).loc[0].tolist()  # one 30% post: shrunk rate and 90% interval
[0.191, 0.081, 0.328]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from micromix.errors import ConfigError

__all__ = ["DEFAULT_MIN_GROUP", "DEFAULT_MIN_POSTS", "shrink_engagement"]

#: creators with posts a tier needs for its own prior (else the cohort's)
DEFAULT_MIN_GROUP = 20
#: picks resting on fewer posts than this are flagged for review
DEFAULT_MIN_POSTS = 3
_TAU_FLOOR = 0.01


def _noise(rate: np.ndarray, n: np.ndarray, var: np.ndarray) -> float | None:
    """Pooled squared coefficient of variation of a post's rate (None: no creator with 2+
    posts, or no spread)."""
    ok = (n >= 2) & np.isfinite(var) & np.isfinite(rate)
    num = float(np.sum((n[ok] - 1) * var[ok]))
    den = float(np.sum((n[ok] - 1) * rate[ok] ** 2))
    if not ok.any() or den <= 0 or num <= 0:
        return None
    return num / den


def _prior(p: np.ndarray, sampling: np.ndarray) -> tuple[float, float]:
    """Method-of-moments Beta(alpha, beta) for rates ``p`` with sampling variances ``sampling``."""
    mu = float(np.mean(p))
    mu = min(max(mu, 1e-6), 1 - 1e-6)
    tau2 = float(np.var(p, ddof=1)) - float(np.mean(sampling)) if len(p) > 1 else 0.0
    tau2 = max(tau2, _TAU_FLOOR * mu * (1 - mu))
    strength = max(mu * (1 - mu) / tau2 - 1.0, 1e-6)
    return mu * strength, (1 - mu) * strength


def _exposures(
    p: np.ndarray, n: np.ndarray, fol: np.ndarray, k2: float | None, a: float, b: float
) -> np.ndarray:
    """Exposures ``N`` behind each rate, with a post's worth taken at the creator's own shrunk
    rate ``t`` (the fixed point of ``t = (a + p N(t)) / (a + b + N(t))``, by bisection)."""
    if k2 is None:
        return n * fol

    def n_at(t: np.ndarray) -> np.ndarray:
        t = np.clip(t, 1e-9, 1 - 1e-9)
        return n * np.minimum((1 - t) / (k2 * t), fol)

    lo = np.minimum(p, a / (a + b))
    hi = np.maximum(p, a / (a + b))
    for _ in range(50):  # the posterior mean falls as t rises: one crossing in [lo, hi]
        mid = (lo + hi) / 2
        big = n_at(mid)
        post = (a + p * big) / (a + b + big)
        above = post < mid
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return n_at((lo + hi) / 2)


def shrink_engagement(
    rate: pd.Series,
    n_posts: pd.Series,
    var_within: pd.Series,
    followers: pd.Series,
    group: pd.Series | None = None,
    *,
    level: float = 0.9,
    min_group: int = DEFAULT_MIN_GROUP,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shrink per-creator engagement rates towards their group's (see the module docstring).

    Parameters
    ----------
    rate, n_posts, var_within, followers : Series
        Per creator: mean per-post engagement rate, the number of posts behind it, the
        variance of the per-post rates (ddof=1; NaN with one post) and the follower count.
    group : Series, optional
        Group of each creator (its tier); the whole cohort when omitted or missing.
    level : float
        Coverage of the interval (0 < level < 1).
    min_group : int
        Creators with posts a group needs for a prior (and a noise level) of its own.

    Returns
    -------
    (DataFrame, DataFrame)
        Per creator (same index): ``engagement_rate_shrunk``, ``engagement_rate_lo``,
        ``engagement_rate_hi`` (NaN where there is no rate from posts); and the prior per
        group: ``group, creators, prior_from`` (own or cohort), ``prior_mean,
        prior_strength`` (alpha + beta, in exposures), ``post_cv`` (sqrt k2) and
        ``exposures_from``.
    """
    if not 0 < level < 1:
        raise ConfigError(f"level={level!r} must be between 0 and 1")
    idx = rate.index
    p_all = np.clip(rate.to_numpy(dtype=float, na_value=np.nan), 0.0, 1.0)
    n_all = n_posts.to_numpy(dtype=float, na_value=np.nan)
    fol = followers.to_numpy(dtype=float, na_value=np.nan)
    var = var_within.to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(p_all) & (n_all >= 1) & (fol > 0)
    grp = (
        group.astype("string").fillna("all").to_numpy(dtype=object)
        if group is not None
        else np.full(len(idx), "all", dtype=object)
    )

    def sampling(rows: np.ndarray, k2: float | None) -> np.ndarray:
        p, n = p_all[rows], n_all[rows]
        return k2 * p**2 / n if k2 is not None else p * (1 - p) / (n * fol[rows])

    k2_all = _noise(p_all, n_all, var)
    cohort = _prior(p_all[ok], sampling(ok, k2_all)) if ok.any() else None
    n_eff = np.full(len(idx), np.nan)
    a = np.full(len(idx), np.nan)
    b = np.full(len(idx), np.nan)
    rows = []
    for g in sorted(set(grp[ok])):
        in_g = ok & (grp == g)
        own = int(in_g.sum()) >= min_group
        k2 = k2_all
        if own and int((in_g & (n_all >= 2)).sum()) >= min_group:
            k2 = _noise(p_all[in_g], n_all[in_g], var[in_g]) or k2_all
        ab = _prior(p_all[in_g], sampling(in_g, k2)) if own else cohort
        assert ab is not None  # ok.any() holds: g came from grp[ok]
        a[in_g], b[in_g] = ab
        n_eff[in_g] = _exposures(p_all[in_g], n_all[in_g], fol[in_g], k2, *ab)
        rows.append(
            {
                "group": g,
                "creators": int(in_g.sum()),
                "prior_from": "own" if own else "cohort",
                "prior_mean": ab[0] / (ab[0] + ab[1]),
                "prior_strength": ab[0] + ab[1],
                "post_cv": float(np.sqrt(k2)) if k2 is not None else np.nan,
                "exposures_from": "post-to-post spread" if k2 is not None else "followers",
            }
        )
    s = p_all * n_eff
    pa, pb = a + s, b + n_eff - s
    with np.errstate(invalid="ignore"):
        mean = pa / (pa + pb)
        lo = stats.beta.ppf((1 - level) / 2, pa, pb)
        hi = stats.beta.ppf((1 + level) / 2, pa, pb)
    res = pd.DataFrame(
        {"engagement_rate_shrunk": mean, "engagement_rate_lo": lo, "engagement_rate_hi": hi},
        index=idx,
    )
    return res, pd.DataFrame(rows)
