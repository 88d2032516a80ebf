"""Empirical-Bayes shrinkage of creators' engagement rates (beta-binomial).

A creator's engagement rate measured on one or two posts is mostly luck: one viral post gives a
30% rate.  Ranking on it rewards the luck.  This module pulls each rate towards the rate of its
tier by as much as its evidence is weak, and gives an interval.

Model (per creator *c* with ``n_c`` posts and per-post rate ``p_c`` = the mean of
``(likes + comments) / followers`` over its posts, or with ``statistic="median"`` their median -
what micromix shows and ranks, so that one viral post cannot lift a well-sampled creator):

* post-to-post noise is proportional to the rate: a post's rate varies around the creator's
  true rate ``theta`` with variance ``k2 * theta^2``.  ``k2`` (the squared coefficient of
  variation, relative to the mean) is estimated from creators with 2+ posts, ``k2 = sum
  (n_c - 1) var_c / sum (n_c - 1) m_c^2`` with ``m_c`` the creator's mean rate, per tier where ``min_group`` of its creators have 2+ posts, else
  pooled over all.  With no creator having 2+ posts (no post-to-post spread to estimate) a
  conservative default ``cv = 0.6`` (:data:`DEFAULT_POST_CV`; Kim et al. 2020 showed 0.52-0.61
  by tier) is used, never the followers as trials; the prior table's ``exposures_from`` says so;
* a median of ``n_c >= 3`` posts is worth ``1 + 2 (n_c - 1) / pi`` posts' mean (tending to
  the median's efficiency ``2 / pi`` under normal noise; by simulation within 2% above and up
  to 13% below the exact worth for 3-20 posts); the median of one or two posts is their mean;
* with ``statistic="median"`` the rate is first put on the scale of the true median: a post's
  rate is right-skewed, taken as log-normal around the creator's median ``theta`` with
  ``sigma^2 = log(1 + k2)``, so the median-of-n statistic (the mean of one or two posts)
  averages ``b_n theta`` with ``b_n = E exp(sigma Z_med:n)`` over the middle order
  statistic(s) of ``n`` standard normals (:func:`skew_bias`): ``exp(sigma^2 / 2)`` = 1.17 for
  one or two posts at cv 0.6, 1.07 for three or four, 1.02 for twelve.  ``p_c / b_n`` is
  unbiased for ``theta``, so a creator with one lucky-skewed post no longer enters the
  shrinkage ~15% above one with twelve posts and the same median; its noise around ``theta``
  is ``k2 theta^2 / n`` (a mean of ``n`` posts, each ``Var = k2 (b_1 theta)^2``, over
  ``b_1^2``), as the exposures below assume;
* engagements are binomial over *exposures*: ``s_c = p_c * N_c`` engagements out of
  ``N_c = n_c * m_c`` exposures, where one post is worth ``m_c = min((1 - t) / (k2 t),
  followers_c)`` exposures - the binomial trials whose sampling variance ``t (1 - t) / m``
  equals a post's noise ``k2 t^2`` at the creator's rate ``t``.  ``t`` is the creator's own
  shrunk rate (a fixed point, found by bisection: a higher ``t`` means noisier posts, so more
  shrinkage).  Treating every follower as a trial (``m = followers``) would make one post of a
  15K-follower creator count as 15,000 observations;
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

__all__ = [
    "DEFAULT_MIN_GROUP",
    "DEFAULT_MIN_POSTS",
    "DEFAULT_POST_CV",
    "DEFAULT_SPREAD",
    "shrink_engagement",
    "skew_bias",
]

#: creators with posts a tier needs for its own prior (else the cohort's)
DEFAULT_MIN_GROUP = 20
#: picks resting on fewer posts than this are flagged for review
DEFAULT_MIN_POSTS = 3
#: post-to-post coefficient of variation assumed when no creator has 2+ posts (Kim et al.
#: 2020 measured 0.52-0.61 by tier; the upper end, so one post is not over-trusted)
DEFAULT_POST_CV = 0.6
_TAU_FLOOR = 0.01
#: exposures_from when the post-to-post spread could not be estimated
DEFAULT_SPREAD = f"default post cv {DEFAULT_POST_CV} (no creator with 2+ posts)"


def _noise(mean: np.ndarray, n: np.ndarray, var: np.ndarray) -> float | None:
    """Pooled squared coefficient of variation of a post's rate around the creator's mean rate
    ``mean`` (None: no creator with 2+ posts, or no spread)."""
    ok = (n >= 2) & np.isfinite(var) & np.isfinite(mean)
    num = float(np.sum((n[ok] - 1) * var[ok]))
    den = float(np.sum((n[ok] - 1) * mean[ok] ** 2))
    if not ok.any() or den <= 0 or num <= 0:
        return None
    return num / den


def skew_bias(n_posts: np.ndarray, k2: float) -> np.ndarray:
    """``E[statistic] / theta`` for the median of ``n_posts`` log-normal posts (the mean of one
    or two) with median ``theta`` and squared coefficient of variation ``k2``.

    The median of ``n`` log-normals is ``theta exp(sigma Z)`` of the middle order statistic(s)
    ``Z`` of ``n`` standard normals (the mean of the two middle ones for even ``n``), with
    ``sigma^2 = log(1 + k2)``; ``E exp(sigma Z_(j:n))`` is integrated against the order
    statistic's density ``Beta(j, n + 1 - j).pdf(Phi(z)) phi(z)``.  One or two posts give
    ``exp(sigma^2 / 2)`` exactly.

    >>> skew_bias(np.array([1, 2, 3, 12]), 0.36).round(3).tolist()
    [1.166, 1.166, 1.071, 1.021]
    """
    n_arr = np.asarray(n_posts, dtype=float)
    sigma = float(np.sqrt(np.log1p(k2)))
    out = np.full(n_arr.shape, np.nan)
    for n in np.unique(n_arr[np.isfinite(n_arr) & (n_arr >= 1)]):
        k = int(n)
        if k <= 2:
            out[n_arr == n] = np.exp(sigma**2 / 2)
            continue
        middle = [(k + 1) // 2] if k % 2 else [k // 2, k // 2 + 1]
        half = min(10.0, 1.0 + 15.0 / np.sqrt(k))  # the order statistic's sd is ~ 1.25 / sqrt(n)
        z = np.linspace(-half, half, 4001)
        dens = [
            np.exp(stats.beta.logpdf(stats.norm.cdf(z), j, k + 1 - j) + stats.norm.logpdf(z))
            for j in middle
        ]
        out[n_arr == n] = np.mean([np.trapezoid(np.exp(sigma * z) * d, z) for d in dens])
    return out


def _prior(p: np.ndarray, sampling: np.ndarray) -> tuple[float, float]:
    """Method-of-moments Beta(alpha, beta) for rates ``p`` with sampling variances ``sampling``."""
    mu = float(np.mean(p))
    mu = min(max(mu, 1e-6), 1 - 1e-6)
    tau2 = float(np.var(p, ddof=1)) - float(np.mean(sampling)) if len(p) > 1 else 0.0
    tau2 = max(tau2, _TAU_FLOOR * mu * (1 - mu))
    strength = max(mu * (1 - mu) / tau2 - 1.0, 1e-6)
    return mu * strength, (1 - mu) * strength


def _exposures(
    p: np.ndarray, n: np.ndarray, fol: np.ndarray, k2: float, a: float, b: float
) -> np.ndarray:
    """Exposures ``N`` behind each rate, with a post's worth taken at the creator's own shrunk
    rate ``t`` (the fixed point of ``t = (a + p N(t)) / (a + b + N(t))``, by bisection)."""

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
    statistic: str = "mean",
    rate_mean: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shrink per-creator engagement rates towards their group's (see the module docstring).

    Parameters
    ----------
    rate, n_posts, var_within, followers : Series
        Per creator: the mean (or median, see ``statistic``) per-post engagement rate, the
        number of posts behind it, the variance of the per-post rates (ddof=1; NaN with one
        post) and the follower count.
    group : Series, optional
        Group of each creator (its tier); the whole cohort when omitted or missing.
    level : float
        Coverage of the interval (0 < level < 1).
    min_group : int
        Creators with posts a group needs for a prior (and a noise level) of its own.
    statistic : {"mean", "median"}
        What ``rate`` is: a median of ``n >= 3`` posts counts as ``1 + 2 (n - 1) / pi`` posts,
        and a median (or the mean of one or two posts) is divided by :func:`skew_bias` so that
        it is unbiased for the creator's true median.
    rate_mean : Series, optional
        With ``statistic="median"``: each creator's mean per-post rate, which the spread
        ``var_within`` is measured around (without it, ``rate``: a median below the mean
        overstates the spread, so shrinks more).

    Returns
    -------
    (DataFrame, DataFrame)
        Per creator (same index): ``engagement_rate_shrunk``, ``engagement_rate_lo``,
        ``engagement_rate_hi`` (NaN where there is no rate from posts); and the prior per
        group: ``group, creators, prior_from`` (own or cohort), ``prior_mean,
        prior_strength`` (alpha + beta, in exposures), ``post_cv`` (sqrt k2) and
        ``exposures_from`` (``post-to-post spread``, or :data:`DEFAULT_SPREAD` when no creator
        has 2+ posts).  The shrunk rate and its interval are of the true median with
        ``statistic="median"`` (so below ``rate`` even with no shrinkage), of the true mean
        otherwise.
    """
    if not 0 < level < 1:
        raise ConfigError(f"level={level!r} must be between 0 and 1")
    if statistic not in ("mean", "median"):
        raise ConfigError(f"statistic={statistic!r} must be 'mean' or 'median'")
    idx = rate.index
    p_all = np.clip(rate.to_numpy(dtype=float, na_value=np.nan), 0.0, 1.0)
    n_all = n_posts.to_numpy(dtype=float, na_value=np.nan)
    fol = followers.to_numpy(dtype=float, na_value=np.nan)
    var = var_within.to_numpy(dtype=float, na_value=np.nan)
    m_all = (
        np.clip(rate_mean.to_numpy(dtype=float, na_value=np.nan), 0.0, 1.0)
        if rate_mean is not None and statistic == "median"
        else p_all
    )
    ok = np.isfinite(p_all) & (n_all >= 1) & (fol > 0)
    grp = (
        group.astype("string").fillna("all").to_numpy(dtype=object)
        if group is not None
        else np.full(len(idx), "all", dtype=object)
    )

    # posts' worth of the rate: a median of 3+ posts is about as precise as a mean of fewer
    n_worth = n_all
    if statistic == "median":
        n_worth = np.where(n_all >= 3, 1 + (n_all - 1) * 2 / np.pi, n_all)

    def scaled(rows: np.ndarray, k2: float) -> np.ndarray:
        """The rates of ``rows`` on the true median's scale (as given for a mean)."""
        if statistic == "mean":
            return p_all[rows]
        return np.asarray(p_all[rows] / skew_bias(n_all[rows], k2))

    def sampling(rows: np.ndarray, k2: float) -> np.ndarray:
        return k2 * scaled(rows, k2) ** 2 / n_worth[rows]

    k2_est = _noise(m_all, n_all, var)
    k2_all = k2_est if k2_est is not None else DEFAULT_POST_CV**2
    cohort = _prior(scaled(ok, k2_all), sampling(ok, k2_all)) if ok.any() else None
    p_fit = np.full(len(idx), np.nan)
    n_eff = np.full(len(idx), np.nan)
    a = np.full(len(idx), np.nan)
    b = np.full(len(idx), np.nan)
    rows = []
    for g in sorted(set(grp[ok])):
        in_g = ok & (grp == g)
        own = int(in_g.sum()) >= min_group
        k2 = k2_all
        if own and int((in_g & (n_all >= 2)).sum()) >= min_group:
            k2 = _noise(m_all[in_g], n_all[in_g], var[in_g]) or k2_all
        p_fit[in_g] = scaled(in_g, k2)
        ab = _prior(p_fit[in_g], sampling(in_g, k2)) if own else cohort
        assert ab is not None  # ok.any() holds: g came from grp[ok]
        a[in_g], b[in_g] = ab
        n_eff[in_g] = _exposures(p_fit[in_g], n_worth[in_g], fol[in_g], k2, *ab)
        rows.append(
            {
                "group": g,
                "creators": int(in_g.sum()),
                "prior_from": "own" if own else "cohort",
                "prior_mean": ab[0] / (ab[0] + ab[1]),
                "prior_strength": ab[0] + ab[1],
                "post_cv": float(np.sqrt(k2)),
                "exposures_from": "post-to-post spread" if k2_est is not None else DEFAULT_SPREAD,
            }
        )
    s = p_fit * n_eff
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
