"""A fast marketing-mix model: adstock + saturation per channel, fitted in well under a second.

The model is additive::

    y_t = intercept + trend + seasonality + controls
          + sum_c beta_c * saturation_c(adstock_c(x_c / scale_c))  +  noise

Paid channels carry spend; organic channels (user-content volume, organic impressions,
earned mentions) enter the same way but get no ROAS. Channel betas are non-negative.

Fitting profiles out the linear coefficients: for given curve parameters the betas,
intercept, trend, Fourier seasonality and control coefficients are a (non-negative) least
squares solve, so the outer search is only over the few curve parameters per channel (grid of
starts, then L-BFGS-B). Lift-test results calibrate the fit as extra weighted observations.
Intervals come from posterior draws: the linear coefficients are drawn exactly given the curve
parameters, which are drawn by adaptive importance sampling. A channel's effect is read one
way everywhere (:func:`posterior_effect`): the posterior median with its central interval, in
the summary, the contribution tables, the response curves, the zero-effect check and the
optimizer's curves, so a point always lies inside its interval and a channel whose median is
zero gets no marginal return. The optimizer's outcome intervals (:meth:`response_draws`) scale
each draw's curves as its point curve is scaled, so its point is the mean of the draws its
interval is read from.

Quickstart
----------
>>> import numpy as np, pandas as pd
>>> from micromix.measurement import MMMSpec, MarketingMixModel
>>> rng = np.random.default_rng(0)
>>> n = 104
>>> df = pd.DataFrame({"week": pd.date_range("2023-01-02", periods=n, freq="W-MON"),
...                    "tv": rng.uniform(0, 100, n), "ugc_posts": rng.poisson(20, n)})
>>> df["sales"] = 500 + 300 * (1 - np.exp(-df.tv / 40)) + 5 * df.ugc_posts + rng.normal(0, 5, n)
>>> spec = MMMSpec(date_col="week", target="sales", channels=("tv",), organic=("ugc_posts",))
>>> mmm = MarketingMixModel(spec=spec).fit(df)
>>> mmm.summary()[["channel", "kind"]].values.tolist()
[['tv', 'paid'], ['ugc_posts', 'organic']]
"""

from __future__ import annotations

import json
import math
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import expit

from micromix.checks import CheckResult, Status
from micromix.errors import (
    DataValidationError,
    InputFileError,
    ModelError,
    NotFittedError,
)
from micromix.estimator import Estimator
from micromix.measurement.data import prepare_mmm_data, spend_column_unit
from micromix.measurement.spec import (
    CONVERSION_NAMES,
    LIFT_TEST_COLUMNS,
    OUTCOMES,
    LiftTest,
    MMMSpec,
    lift_tests_from_frame,
)
from micromix.measurement.transforms import (
    Adstock,
    Saturation,
    get_adstock,
    get_saturation,
)

__all__ = [
    "CONVERSION_NAMES",
    "LIFT_TEST_COLUMNS",
    "NOT_MEASURABLE",
    "NO_EFFECT_SHARE",
    "OUTCOMES",
    "OUTCOME_CHECK",
    "LiftTest",
    "MMMSpec",
    "MarketingMixModel",
    "effect_evidence",
    "lift_tests_from_frame",
    "load_mmm",
    "posterior_effect",
    "prepare_mmm_data",
    "single_threaded_blas",
]

MODEL_FILE = "model.json"
#: proposals drawn per posterior draw kept (importance sampling of the curve parameters)
PROPOSALS_PER_DRAW = 3
#: degrees of freedom of the multivariate-t proposal
PROPOSAL_DOF = 5
#: rounds of proposal refitting at most
IS_ROUNDS = 3
#: effective share of the proposals at which refitting stops
IS_TARGET_SHARE = 0.3
#: effective sample size of the importance weights below which the intervals are flagged
MIN_DRAW_ESS = 30.0


#: the check that refuses a model whose channels absorb more than the outcome
OUTCOME_CHECK = "contributions_within_outcome"
#: what the posterior says of a channel's effect (:func:`effect_evidence`)
EVIDENCED, NOT_EVIDENCED, NO_EFFECT = "evidenced", "not evidenced", "no effect"
#: a median of zero whose interval reaches far above zero: the data cannot tell
NOT_MEASURABLE = "not measurable"
#: "no effect" needs the interval's upper end within this share of the outcome over the data
NO_EFFECT_SHARE = 0.01
#: share of a channel's raw spend variance the other channels explain (R², VIF 10) above
#: which the identifiability check asks for review
COLLINEAR_REVIEW_R2 = 0.9
#: ... and above which the channel's effect is not measurable on its own (VIF 100)
COLLINEAR_R2 = 0.99
#: coefficient of variation below which a transformed series counts as constant
CONSTANT_CV = 1e-6
#: the fit's reviews the budget optimizer repeats (they qualify every figure it gives)
CARRIED_REVIEWS = ("baseline_confounding", "parameters_at_bounds", "identifiability")


def posterior_effect(
    values: np.ndarray, interval: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A channel's effect from its posterior draws (axis 0): the median and the central interval.

    The one definition every consumer of the mix model reads: the summary, the contribution
    table, the response curves, the zero-effect check, the optimizer's curves and marginal
    returns (:meth:`MarketingMixModel.channel_response`) and the JSON. Without posterior draws
    (``n_draws=0``) the single draw is the fitted point, which is then also the median.
    """
    v = np.asarray(values, dtype=float)
    a = (1 - interval) / 2
    return np.median(v, axis=0), np.quantile(v, a, axis=0), np.quantile(v, 1 - a, axis=0)


def effect_evidence(mid: float, lo: float, hi: float = 0.0, tight: float = 0.0) -> str:
    """What :func:`posterior_effect`'s figures show of a channel's effect.

    ``evidenced`` when the interval lies above zero, ``not evidenced`` when it reaches zero
    around a positive median; a median of zero is ``no effect`` only when the interval is tight
    around zero (its upper end ``hi`` at most ``tight``, :data:`NO_EFFECT_SHARE` of the
    outcome), else ``not measurable``: an interval of 0 to 34.6M is not evidence of no effect.

    >>> effect_evidence(0.0, 0.0), effect_evidence(5.0, 0.0), effect_evidence(5.0, 1.0)
    ('no effect', 'not evidenced', 'evidenced')
    >>> effect_evidence(0.0, 0.0, hi=34.6e6, tight=3.8e6)
    'not measurable'
    """
    if not mid > 0:
        return NO_EFFECT if hi <= tight else NOT_MEASURABLE
    return EVIDENCED if lo > 0 else NOT_EVIDENCED


def _spend_r2(media: np.ndarray) -> np.ndarray:
    """Per column of raw spend, the share of its variance the other columns explain (R² of a
    least-squares fit on them with an intercept; ``VIF = 1 / (1 - R²)``); NaN for a constant
    column, 0 with a single column.

    >>> x = np.arange(10.0)
    >>> _spend_r2(np.column_stack([x, 2 * x, np.sin(x)])).round(2).tolist()
    [1.0, 1.0, 0.0]
    """
    n, m = media.shape
    out = np.zeros(m)
    for j in range(m):
        y = media[:, j] - media[:, j].mean()
        ss = float(y @ y)
        if not ss > 1e-12 * max(float(np.abs(media[:, j]).max()) ** 2 * n, 1e-300):
            out[j] = math.nan
            continue
        if m == 1:
            continue
        A = np.column_stack([np.ones(n), np.delete(media, j, axis=1)])
        r = media[:, j] - A @ np.linalg.lstsq(A, media[:, j], rcond=None)[0]
        out[j] = max(0.0, 1.0 - float(r @ r) / ss)
    return out


def _vif(r2: float) -> str:
    """The variance inflation factor ``1 / (1 - R²)`` as text (``over 1,000`` past that)."""
    return f"{1 / (1 - r2):,.0f}" if r2 < 0.999 else "over 1,000"


def _partners(media: np.ndarray, j: int, names: list[str]) -> str:
    """The channels whose raw spend moves with channel ``j``'s (most correlated first)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.nan_to_num(np.corrcoef(media.T)[j]) if media.shape[1] > 1 else np.zeros(1)
    order = [i for i in np.argsort(-np.abs(corr)) if i != j and abs(corr[i]) >= 0.3]
    return ", ".join(names[i] for i in order) if order else "the other channels together"


def _bounded_lstsq(X: np.ndarray, y: np.ndarray, nb: int) -> tuple[np.ndarray, float]:
    """Least squares with column 0 (the intercept) and the columns from ``nb`` on (the channel
    betas) kept >= 0 (an active-set solve: the most negative bounded coefficient is fixed at 0
    and the rest refitted); returns the coefficients and the sum of squared residuals."""
    bounded = np.zeros(X.shape[1], dtype=bool)
    bounded[0] = True
    bounded[nb:] = True
    active = np.ones(X.shape[1], dtype=bool)
    coef = np.zeros(X.shape[1])
    for _ in range(X.shape[1] + 1):
        sol, *_ = np.linalg.lstsq(X[:, active], y, rcond=None)
        coef[:] = 0.0
        coef[active] = sol
        neg = np.flatnonzero(bounded & (coef < 0))
        if len(neg) == 0:
            break
        active[neg[np.argmin(coef[neg])]] = False
    resid = y - X @ coef
    return coef, _sse(resid)


def _share(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole`` ("n/a" when the whole is not positive)."""
    return f"{part / whole:.0%}" if whole > 0 else "n/a"


def _systematic(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` indices drawn in proportion to ``weights`` (systematic resampling)."""
    c = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(c, (rng.random() + np.arange(n)) / n), len(c) - 1)


def _sse(r: np.ndarray) -> float:
    """Sum of squared residuals, ``inf`` when any residual is not finite (never a warning)."""
    if not np.isfinite(r).all():
        return math.inf
    m = float(np.abs(r).max()) if len(r) else 0.0
    if m > 1e150:  # squaring would overflow; such a draw has no weight
        return math.inf
    return float(r @ r)


def single_threaded_blas() -> AbstractContextManager[Any]:
    """Limit BLAS to one thread for a block (no-op without ``threadpoolctl``)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - ships with scikit-learn
        return nullcontext()
    return threadpool_limits(1)


def _mape(y: np.ndarray, yhat: np.ndarray) -> float | None:
    """Mean absolute percentage error over the periods with a non-zero target (None if none)."""
    keep = np.asarray(y) != 0
    if not keep.any():
        return None
    return float(np.mean(np.abs((y[keep] - yhat[keep]) / y[keep])) * 100)


def _fmt_mape(mape: float | None) -> str:
    return "MAPE n/a (the target is zero in every period)" if mape is None else f"MAPE {mape:.1f}%"


def _returns(
    ratio: str, prefix: str, spend: float, effect: tuple[float, float, float], paid: bool
) -> dict[str, float]:
    """``roas`` (effect / spend) or ``cpa`` (spend / effect) with its interval, NaN if unpaid."""
    keys = [f"{prefix}{ratio}", f"{prefix}{ratio}_lo", f"{prefix}{ratio}_hi"]
    if not paid:
        return dict.fromkeys(keys, math.nan)
    mid, lo, hi = (float(v) for v in effect)
    if ratio == "roas":
        return dict(zip(keys, (mid / spend, lo / spend, hi / spend)))

    def per(e: float) -> float:
        return spend / e if e > 0 else math.inf

    # a CPA interval runs the other way: the largest effect gives the lowest cost
    return dict(zip(keys, (per(mid) if mid > 0 else math.nan, per(hi), per(lo))))


@dataclass
class _Design:
    y: np.ndarray  # scaled target
    base: np.ndarray  # fixed columns (intercept, trend, fourier, controls)
    base_names: list[str]
    media: np.ndarray  # (n, n_media) scaled media
    calib_x: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # lift spend pairs
    calib_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    calib_y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    calib_w: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: per lift test, the rows of a go-dark holdout over periods (all False: a steady test)
    calib_rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))


class _SteadyStateResponse:
    """ResponseModel members shared by a fitted and a loaded mix model.

    Needs ``spec``, ``horizon_``, ``y_scale_``, ``scales_``, ``_draws`` (row 0 = point
    estimate), ``_n_theta`` and ``_n_base``.
    """

    spec: MMMSpec
    horizon_: int
    y_scale_: float
    scales_: np.ndarray
    _draws: np.ndarray
    _n_theta: int
    _n_base: int
    #: per paid channel, posterior median / mean at the reference spend (see channel_response)
    _curve_scale: np.ndarray | None = None

    @property
    def channels(self) -> list[str]:
        """Paid channels (the ResponseModel decision variables)."""
        return list(self.spec.channels)

    @property
    def outcome(self) -> str:
        """``revenue`` (reported as ROAS) or ``conversions`` (reported as CPA)."""
        return self.spec.outcome

    @property
    def ratio_name(self) -> str:
        """``roas`` for revenue models, ``cpa`` for conversion models."""
        return "cpa" if self.outcome == "conversions" else "roas"

    def _check_fitted(self) -> None:
        """Overridden by estimators that can be unfitted."""

    def _paid_response(self, spend: np.ndarray, draw: np.ndarray) -> np.ndarray:
        """Steady-state contribution per paid channel over the horizon for one draw."""
        m = len(self.spec.media)
        th = draw[: self._n_theta].reshape(m, self._n_theta // m)
        betas = draw[self._n_theta + self._n_base : self._n_theta + self._n_base + m]
        sat = get_saturation(self.spec.saturation)
        names = list(sat.param_bounds)
        s = np.asarray(spend, dtype=float)
        out = np.zeros(s.shape)
        H = self.horizon_
        for j, c in enumerate(self.spec.channels):
            i = self.spec.media.index(c)
            level = np.maximum(s[..., j], 0.0) / H / self.scales_[i]
            ps = dict(zip(names, map(float, th[i, -len(names) :])))
            out[..., j] = H * betas[i] * sat.apply(level, **ps) * self.y_scale_
        return out

    @property
    def _posterior(self) -> np.ndarray:
        """The posterior draws (the point estimate alone when the model kept none)."""
        return self._draws[1:] if len(self._draws) > 1 else self._draws

    def channel_response(self, spend: np.ndarray) -> np.ndarray:
        """Steady-state contribution per paid channel over the horizon for ``spend``.

        Each channel's posterior mean curve, scaled so that at the reference spend
        (:meth:`_reference_spend`, the current one) it is the channel's posterior median there
        (:func:`posterior_effect`): the figure the summary reports, and zero at every spend for
        a channel whose median effect is zero, so the optimizer gives such a channel no marginal
        return. (The plain posterior mean funds it on the strength of the minority of draws in
        which it works; a pointwise median jumps between draws as the spend changes, so its
        slopes, the marginal returns, are noise.)
        """
        self._check_fitted()
        return self._mean_response(spend) * self._median_scale()

    def _mean_response(self, spend: np.ndarray) -> np.ndarray:
        draws = self._posterior
        out = self._paid_response(spend, draws[0])
        for dr in draws[1:]:
            out = out + self._paid_response(spend, dr)
        return out / len(draws)

    @property
    def current_spend(self) -> np.ndarray:  # pragma: no cover - both subclasses define it
        """Spend per paid channel over the last horizon."""
        raise NotImplementedError

    @property
    def observed_spend_max(self) -> np.ndarray:  # pragma: no cover - both subclasses define it
        """The most spend per paid channel over one horizon of the data."""
        raise NotImplementedError

    def _reference_spend(self) -> np.ndarray:
        """Per paid channel, the spend at which its curve is the posterior median: the current
        spend, or the most it ever got over one horizon where it has none now."""
        cur = np.asarray(self.current_spend, dtype=np.float64)
        return np.where(cur > 0, cur, np.asarray(self.observed_spend_max, dtype=np.float64))

    def _median_scale(self) -> np.ndarray:
        """Posterior median over posterior mean of each channel's response at the reference."""
        if self._curve_scale is None:
            ref = self._reference_spend()
            at = np.stack([self._paid_response(ref, dr) for dr in self._posterior])
            mid = posterior_effect(at, self.spec.interval)[0]
            mean = at.mean(axis=0)
            self._curve_scale = np.divide(mid, mean, out=np.zeros_like(mean), where=mean > 0)
        return self._curve_scale

    @property
    def channel_evidence(self) -> list[str]:
        """Per paid channel (in :attr:`channels` order), what the posterior says of its effect:
        ``evidenced``, ``not evidenced`` (its interval reaches zero), ``no effect`` (median and
        interval at zero) or ``not measurable`` (median zero, interval far above), as in the
        summary's ``effect`` column (:func:`effect_evidence`).

        The labels the fit gave its contributions (:meth:`MarketingMixModel.effect_labels`,
        kept in ``model.json``); for a model saved before they were kept, read from the channel
        betas (a channel's contribution at any positive spend is zero exactly when its beta is;
        a beta is the per-period effect at saturation in units of the mean outcome).
        """
        self._check_fitted()
        labels = self.effect_labels()
        return [labels[c] for c in self.spec.channels]

    def effect_labels(self) -> dict[str, str]:
        """Per modelled channel, :func:`effect_evidence` of its effect (from the betas here)."""
        m = len(self.spec.media)
        start = self._n_theta + self._n_base
        mid, lo, hi = posterior_effect(self._posterior[:, start : start + m], self.spec.interval)
        return {
            c: effect_evidence(float(mid[i]), float(lo[i]), float(hi[i]), NO_EFFECT_SHARE)
            for i, c in enumerate(self.spec.media)
        }

    def response(self, spend: np.ndarray) -> np.ndarray:
        """Expected incremental outcome over the horizon (ResponseModel protocol)."""
        return self.channel_response(spend).sum(axis=-1)

    def response_draws(self, spend: np.ndarray) -> np.ndarray:
        """Outcome draws from the parameter uncertainty, shape ``(n_draws, ...)``.

        Each draw's channel curves are scaled as :meth:`channel_response` scales the mean curve
        (:meth:`_median_scale`), so :meth:`response` is the mean of these very draws and the
        optimizer's point and its interval come from one definition. (Unscaled draws put the
        interval of the total around the posterior *mean* curve while the point was rescaled to
        the channels' medians: a point of 205,511 with an interval of [206,127, 232,210].)
        """
        self._check_fitted()
        scale = self._median_scale()
        return np.stack(
            [(self._paid_response(spend, dr) * scale).sum(axis=-1) for dr in self._posterior]
        )


class MarketingMixModel(_SteadyStateResponse, Estimator):
    """Additive marketing-mix model with registered adstock and saturation curves.

    Parameters
    ----------
    spec : MMMSpec
        Columns, curves and options.
    n_starts : int
        Number of start points for the curve-parameter search.
    horizon : int or None
        Planning horizon in periods for :meth:`response` (the budget optimizer's unit);
        ``None`` uses ``min(52, n_rows)``.

    Attributes
    ----------
    params_ : dict
        Fitted curve parameters per channel.
    coef_ : dict
        Fitted linear coefficients in target units (channels: effect at saturation 1).
    contributions_ : DataFrame
        Contribution per channel and period (date column first), in target units.
    diagnostics_ : list of CheckResult
        In-sample fit, convergence and identifiability checks.
    """

    def __init__(self, *, spec: MMMSpec, n_starts: int = 24, horizon: int | None = None) -> None:
        self.spec = spec
        self.n_starts = n_starts
        self.horizon = horizon

    # ------------------------------------------------------------------ curves
    @property
    def _adstock(self) -> Adstock:
        return get_adstock(self.spec.adstock, l_max=self.spec.l_max)

    @property
    def _saturation(self) -> Saturation:
        return get_saturation(self.spec.saturation)

    def _theta_layout(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        ad, sat = self._adstock, self._saturation
        names, lo, hi, start = [], [], [], []
        for bounds in (ad.param_bounds, sat.param_bounds):
            for k, (a, b, s) in bounds.items():
                names.append(k)
                lo.append(a)
                hi.append(b)
                start.append(s)
        return names, np.array(lo), np.array(hi), np.array(start)

    def _split(self, theta_c: np.ndarray) -> tuple[dict[str, float], dict[str, float]]:
        ad, sat = self._adstock, self._saturation
        k = len(ad.param_bounds)
        pa = dict(zip(ad.param_bounds, map(float, theta_c[:k])))
        ps = dict(zip(sat.param_bounds, map(float, theta_c[k:])))
        return pa, ps

    def _transform(self, x: np.ndarray, theta_c: np.ndarray) -> np.ndarray:
        pa, ps = self._split(theta_c)
        return self._saturation.apply(self._adstock.apply(x, **pa), **ps)

    def _steady(self, level: np.ndarray, theta_c: np.ndarray) -> np.ndarray:
        """Saturation at a constant scaled level (normalised adstock keeps the level)."""
        _, ps = self._split(theta_c)
        return self._saturation.apply(level, **ps)

    # ------------------------------------------------------------------ design
    def _base_columns(self, dates: pd.Series, controls: np.ndarray) -> tuple[np.ndarray, list[str]]:
        n = len(dates)
        cols = [np.ones(n)]
        names = ["intercept"]
        if self.spec.trend in ("linear", "quadratic"):
            t = np.arange(n, dtype=float) / max(n - 1, 1)
            cols.append(t)
            names.append("trend")
            if self.spec.trend == "quadratic":
                cols.append(t**2)
                names.append("trend_2")
        if self.spec.yearly_seasonality:
            doy = dates.dt.day_of_year.to_numpy(dtype=float)
            for k in range(1, self.spec.yearly_seasonality + 1):
                ang = 2 * np.pi * k * doy / 365.25
                cols += [np.sin(ang), np.cos(ang)]
                names += [f"sin_{k}", f"cos_{k}"]
        if controls.size:
            sd = controls.std(axis=0)
            sd[sd == 0] = 1.0
            self._control_scale = sd
            cols += list((controls / sd).T)
            names += list(self.spec.controls)
        return np.column_stack(cols), names

    def _design(self, data: pd.DataFrame) -> _Design:
        spec = self.spec
        y = data[spec.target].to_numpy(dtype=float)
        self.y_scale_ = float(np.abs(y).mean()) or 1.0
        media = data[list(spec.media)].to_numpy(dtype=float)
        self.scales_ = media.max(axis=0)
        controls = data[list(spec.controls)].to_numpy(dtype=float) if spec.controls else np.zeros(0)
        base, names = self._base_columns(data[spec.date_col], controls)
        # every baseline column but the intercept is centred on the data, so the intercept is
        # the baseline's mean over the period and "the baseline is not negative over the period"
        # is the sign constraint intercept >= 0 that :meth:`_solve` keeps
        self._base_mean = base[:, 1:].mean(axis=0)
        base[:, 1:] -= self._base_mean
        d = _Design(y / self.y_scale_, base, names, media / self.scales_)
        if spec.lift_tests:
            media_idx = {c: i for i, c in enumerate(spec.media)}
            d.calib_idx = np.array([media_idx[lt.channel] for lt in spec.lift_tests])
            d.calib_x = np.array(
                [
                    [lt.spend, lt.spend + lt.delta_spend] / self.scales_[media_idx[lt.channel]]
                    for lt in spec.lift_tests
                ]
            )
            d.calib_y = np.array([lt.delta_outcome for lt in spec.lift_tests]) / self.y_scale_
            d.calib_w = np.array([1.0 / (lt.sigma / self.y_scale_) for lt in spec.lift_tests])
            d.calib_rows = np.array(
                [self._test_rows(data[spec.date_col], lt) for lt in spec.lift_tests], dtype=bool
            ).reshape(len(spec.lift_tests), len(data))
        return d

    @staticmethod
    def _test_rows(dates: pd.Series, lt: LiftTest) -> np.ndarray:
        """The rows a go-dark holdout covered (none for a steady-state test)."""
        if not lt.over_periods:
            return np.zeros(len(dates), dtype=bool)
        d = pd.to_datetime(dates)
        rows = ((d >= pd.Timestamp(lt.start)) & (d <= pd.Timestamp(lt.end))).to_numpy()
        if not rows.any():
            raise DataValidationError(
                f"lift test on {lt.channel!r} covers {lt.start} to {lt.end}, but the data has no "
                f"period in that range ({d.min():%Y-%m-%d} to {d.max():%Y-%m-%d}); fix its dates"
            )
        return rows

    def _media_matrix(self, d: _Design, theta: np.ndarray) -> np.ndarray:
        k = theta.shape[0] // d.media.shape[1]
        th = theta.reshape(d.media.shape[1], k)
        return np.column_stack([self._transform(d.media[:, i], th[i]) for i in range(len(th))])

    def _calib_rows(
        self, d: _Design, theta: np.ndarray, media: np.ndarray | None = None
    ) -> np.ndarray:
        """One design row per lift test: the change in the transformed channel it measured.

        A steady-state test compares the saturation at two constant spend levels; a go-dark
        holdout over periods removes the channel's actual (adstocked, varying) contribution
        over those periods, so its row is minus the mean of the transformed channel there.
        """
        k = theta.shape[0] // d.media.shape[1]
        th = theta.reshape(d.media.shape[1], k)
        rows = np.zeros((len(d.calib_idx), d.base.shape[1] + d.media.shape[1]))
        for r, (i, (x0, x1)) in enumerate(zip(d.calib_idx, d.calib_x)):
            if d.calib_rows.size and d.calib_rows[r].any():
                col = media[:, i] if media is not None else self._transform(d.media[:, i], th[i])
                rows[r, d.base.shape[1] + i] = -float(col[d.calib_rows[r]].mean())
            else:
                s = self._steady(np.array([x0, x1]), th[i])
                rows[r, d.base.shape[1] + i] = s[1] - s[0]
        return rows

    def _solve(self, d: _Design, theta: np.ndarray, sigma: float) -> tuple[np.ndarray, float]:
        """Least squares of the linear part with the channel betas and the intercept (the
        baseline's mean over the period, the other baseline columns being centred) kept
        non-negative; returns coef and loss.

        Without the intercept's bound a channel whose transformed series is nearly constant
        (always on, saturated) stands in for the baseline: on Meridian's national sample the
        intercept went to -380M a week and Channel4_spend was credited with 118B conversions,
        1.8 times the outcome (as Robyn, the intercept is kept non-negative).
        """
        M = self._media_matrix(d, theta)
        X = np.column_stack([d.base, M])
        y = d.y
        if len(d.calib_idx):
            C = self._calib_rows(d, theta, M) * (d.calib_w * sigma)[:, None]
            X = np.vstack([X, C])
            y = np.r_[y, d.calib_y * d.calib_w * sigma]
        return _bounded_lstsq(X, y, d.base.shape[1])

    # ------------------------------------------------------------------ fit
    def fit(
        self, df: pd.DataFrame, source: str = "data", *, dayfirst: bool | None = None
    ) -> MarketingMixModel:
        """Fit the model to a frame with one row per period; returns ``self``.

        The frame is validated first (:func:`prepare_mmm_data`: ``source`` names it in an
        error, ``dayfirst`` gives the order of ``d/m/y`` dates, None detects it).
        """
        # many tiny matrix operations: a multi-threaded BLAS only spins (3x slower when busy)
        with single_threaded_blas():
            return self._fit(df, source, dayfirst)

    def _fit(self, df: pd.DataFrame, source: str, dayfirst: bool | None) -> MarketingMixModel:
        t0 = time.perf_counter()
        self._curve_scale = None
        data = prepare_mmm_data(df, self.spec, source, dayfirst=dayfirst)
        self.data_ = data
        self.spend_units_ = self._spend_units(list(df.columns))
        d = self._design(data)
        self._d = d
        names, lo, hi, start = self._theta_layout()
        m = d.media.shape[1]
        k = len(names)
        LO, HI = np.tile(lo, m), np.tile(hi, m)
        rng = np.random.default_rng(self.spec.seed)

        # residual scale for weighting lift tests: from an uncalibrated pass
        sigma = 1.0

        def loss(u: np.ndarray) -> float:
            return self._solve(d, LO + (HI - LO) * u, sigma)[1]

        u_start = (np.tile(start, m) - LO) / (HI - LO)
        starts = [u_start]
        # the default start plus random points in the unit box of the curve parameters
        for _ in range(max(self.n_starts - 1, 0)):
            starts.append(rng.uniform(0.02, 0.98, size=m * k))
        if d.calib_idx.size:
            sigma = self._uncalibrated_sigma(d, LO, HI, starts)
        scored = sorted(((loss(u), i) for i, u in enumerate(starts)))
        best = None
        results = []
        for _, i in scored[: min(4, len(scored))]:
            res = optimize.minimize(
                loss,
                starts[i],
                method="L-BFGS-B",
                bounds=[(0.0, 1.0)] * (m * k),
                options={"maxiter": 300},
            )
            results.append(res)
            if best is None or res.fun < best.fun:
                best = res
        assert best is not None
        theta = LO + (HI - LO) * best.x
        coef, sse = self._solve(d, theta, sigma)
        n = len(d.y)
        # residual standard deviation in target units
        self.sigma_ = math.sqrt(sse / max(n - (m * k + len(coef)), 1)) * self.y_scale_
        self._theta = theta
        self._coef = coef
        self._n_theta = len(theta)
        self._n_base = d.base.shape[1]
        self._bounds = (LO, HI)
        self._opt_results = results
        self._calib_sigma = sigma
        self.theta_names_ = names
        self.params_ = {
            c: dict(zip(names, map(float, theta.reshape(m, k)[i])))
            for i, c in enumerate(self.spec.media)
        }
        nb = d.base.shape[1]
        self.coef_ = {nm: float(coef[j] * self.y_scale_) for j, nm in enumerate(d.base_names)}
        for i, c in enumerate(self.spec.media):
            self.coef_[c] = float(coef[nb + i] * self.y_scale_)
        self.horizon_ = int(self.horizon or min(52, n))
        self._draws = self._posterior_draws(d, theta, coef, rng)
        C = self._contribution_draws()
        #: total contribution per posterior draw and channel: what every effect figure reads
        self._totals = C.sum(axis=1)
        self.contributions_ = self._contributions_frame(C)
        self.spend_r2_ = _spend_r2(d.media)
        self.unmeasurable_ = self._unidentified(d, theta)
        self.diagnostics_ = self._diagnostics(d, theta, coef, results)
        self.fit_seconds_ = time.perf_counter() - t0
        return self

    def _uncalibrated_sigma(self, d: _Design, LO, HI, starts) -> float:
        saved = (d.calib_idx, d.calib_x, d.calib_y, d.calib_w, d.calib_rows)
        d.calib_idx = np.zeros(0, dtype=int)
        d.calib_rows = np.zeros((0, 0), dtype=bool)
        try:
            best = min(starts, key=lambda u: self._solve(d, LO + (HI - LO) * u, 1.0)[1])
            res = optimize.minimize(
                lambda u: self._solve(d, LO + (HI - LO) * u, 1.0)[1],
                best,
                method="L-BFGS-B",
                bounds=[(0.0, 1.0)] * len(best),
            )
            sse = self._solve(d, LO + (HI - LO) * res.x, 1.0)[1]
        finally:
            d.calib_idx, d.calib_x, d.calib_y, d.calib_w, d.calib_rows = saved
        return math.sqrt(sse / max(len(d.y) - len(best) - d.base.shape[1] - d.media.shape[1], 1))

    def _augmented(self, d: _Design, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The linear problem for given curve parameters: design and target, with the lift
        tests as extra rows weighted to the residual scale (what :meth:`_solve` solves)."""
        M = self._media_matrix(d, theta)
        X = np.column_stack([d.base, M])
        y = d.y
        if len(d.calib_idx):
            w = d.calib_w * self._calib_sigma
            X = np.vstack([X, self._calib_rows(d, theta, M) * w[:, None]])
            y = np.r_[y, d.calib_y * w]
        return X, y

    def _log_marginal(self, d: _Design, theta: np.ndarray, s2: float) -> float:
        """Log posterior of the curve parameters with the linear coefficients integrated out
        (flat prior on them): ``-SSE_min / (2 s2) - log|X'X| / 2``, the SSE of the bounded
        solve the point fit makes (:func:`_bounded_lstsq`)."""
        X, y = self._augmented(d, theta)
        sse = _bounded_lstsq(X, y, d.base.shape[1])[1]
        sign, logdet = np.linalg.slogdet(X.T @ X)
        if sign <= 0 or not np.isfinite(logdet):
            return -math.inf
        return -sse / (2 * s2) - 0.5 * logdet

    def _posterior_draws(self, d: _Design, theta, coef, rng) -> np.ndarray:
        """Posterior draws of (theta, coef); row 0 is the point (maximum-likelihood) estimate.

        The linear coefficients (betas, intercept, trend, seasonality, controls) are
        conditionally Gaussian given the curve parameters, so they are integrated out exactly
        and drawn exactly; only the few curve parameters are sampled, by adaptive importance
        sampling in logit coordinates (their position between the bounds, under a uniform
        prior there): a multivariate t proposal from the curvature at the estimate, refitted
        :data:`IS_ROUNDS` times to the weighted draws. Betas drawn below zero are set to zero
        (the model's channels cannot hurt). Curve parameters stuck at a bound are held there
        (the diagnostics flag them). ``draw_ess_`` is the effective sample size of the final
        weights; a small one is flagged by the diagnostics.
        """
        n_draws = self.spec.n_draws
        p = np.r_[theta, coef]
        self.draw_ess_ = math.nan
        self._cov_ok = True
        if n_draws == 0 or not self.y_scale_ > 0 or not self.sigma_ > 0:
            # (an exact fit, a target zero in every period: there is no uncertainty to draw)
            return p[None, :]
        LO, HI = self._bounds
        s2 = (self.sigma_ / self.y_scale_) ** 2
        rel = np.clip((theta - LO) / (HI - LO), 1e-9, 1 - 1e-9)
        free = np.flatnonzero((rel > 1e-3) & (rel < 1 - 1e-3))
        v0 = np.log(rel[free] / (1 - rel[free]))

        def theta_of(v: np.ndarray) -> np.ndarray:
            th = theta.copy()
            th[free] = LO[free] + (HI[free] - LO[free]) * expit(v)
            return th

        def log_post(v: np.ndarray) -> float:
            prior = -float((np.logaddexp(0.0, v) + np.logaddexp(0.0, -v)).sum())
            return self._log_marginal(d, theta_of(v), s2) + prior

        k = len(free)
        if k:
            mean, cov = v0, self._curvature(log_post, v0)
            V = np.empty((0, k))
            lw = np.empty(0)
            for _ in range(IS_ROUNDS):
                V, lw = self._importance(log_post, mean, cov, rng, PROPOSALS_PER_DRAW * n_draws)
                if not np.isfinite(lw).any():
                    return p[None, :]
                wts = np.exp(lw - lw.max())
                wts /= wts.sum()
                self.draw_ess_ = float(1.0 / (wts**2).sum())
                if self.draw_ess_ >= IS_TARGET_SHARE * len(lw):
                    break
                # refit the proposal to the weighted draws (kept wide enough to cover them)
                mean = wts @ V
                dev = V - mean
                cov = (dev * wts[:, None]).T @ dev + 1e-6 * np.eye(k)
            picks = _systematic(np.exp(lw - lw.max()), n_draws, rng)
            thetas = np.array([theta_of(v) for v in V[picks]])
        else:
            thetas = np.repeat(theta[None, :], n_draws, axis=0)
            self.draw_ess_ = float(n_draws)
        return np.vstack([p[None, :], self._coef_draws(d, thetas, s2, rng)])

    def _curvature(self, log_post: Any, v0: np.ndarray) -> np.ndarray:
        """Covariance from the numerical curvature of ``log_post`` at ``v0`` (its inverse
        negative Hessian), or a unit covariance where that is not positive definite."""
        k = len(v0)
        h = 1e-3
        f0 = log_post(v0)
        H = np.empty((k, k))
        e = np.eye(k) * h
        for i in range(k):
            for j in range(i, k):
                fpp = log_post(v0 + e[i] + e[j])
                fpm = log_post(v0 + e[i] - e[j])
                fmp = log_post(v0 - e[i] + e[j])
                fmm = log_post(v0 - e[i] - e[j])
                H[i, j] = H[j, i] = (fpp - fpm - fmp + fmm) / (4 * h * h)
        if not np.isfinite(f0) or not np.isfinite(H).all():
            self._cov_ok = False
            return np.eye(k)
        w, Q = np.linalg.eigh(-H)
        self._cov_ok = bool(w.min() > 0)
        # directions the data do not pin down get the prior's spread (logit sd ~ 2)
        w = np.maximum(w, 0.25)
        return (Q / w) @ Q.T

    @staticmethod
    def _importance(
        log_post: Any, mean: np.ndarray, cov: np.ndarray, rng: np.random.Generator, n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` draws from a multivariate t around ``mean`` and their log importance weights."""
        k = len(mean)
        nu = PROPOSAL_DOF
        w, Q = np.linalg.eigh((cov + cov.T) / 2)
        L = Q * np.sqrt(np.maximum(w, 1e-12))
        z = rng.standard_normal((n, k)) / np.sqrt(rng.chisquare(nu, (n, 1)) / nu)
        V = mean + z @ L.T
        log_q = -(nu + k) / 2 * np.log1p((z * z).sum(axis=1) / nu)
        lp = np.array([log_post(v) for v in V])
        lw = np.where(np.isfinite(lp), lp - log_q, -np.inf)
        return V, lw

    def _coef_draws(
        self, d: _Design, thetas: np.ndarray, s2: float, rng: np.random.Generator
    ) -> np.ndarray:
        """For each drawn curve-parameter vector, the linear coefficients: the bounded solve
        (:func:`_bounded_lstsq`) of the least-squares fitted values plus one draw of the
        residual noise.

        Without bounds that is exactly a draw from their conditional Gaussian; with them every
        draw keeps the intercept (the baseline's mean) and the betas non-negative and refits
        the rest, so no draw lets a channel stand in for the baseline. (Gaussian draws around
        the unbounded solution, with negative betas then cut to zero, credited an always-on
        channel of Meridian's sample with 1.8 times the outcome beside a negative baseline.)
        """
        nb = d.base.shape[1]
        sd = math.sqrt(s2)
        rows = []
        for th in thetas:
            X, y = self._augmented(d, th)
            XtX = X.T @ X
            try:
                np.linalg.cholesky(XtX + 1e-10 * np.trace(XtX) * np.eye(len(XtX)))
            except np.linalg.LinAlgError:
                self._cov_ok = False
            fitted = X @ np.linalg.lstsq(X, y, rcond=None)[0]
            c = _bounded_lstsq(X, fitted + sd * rng.standard_normal(len(y)), nb)[0]
            rows.append(np.r_[th, c])
        return np.array(rows)

    # ------------------------------------------------------------------ outputs
    def _check_fitted(self) -> None:
        if not hasattr(self, "_theta"):
            raise NotFittedError("this MarketingMixModel is not fitted yet; call fit(df) first")

    def _media_contrib(self, media_scaled: np.ndarray, draw: np.ndarray) -> np.ndarray:
        """Contribution per period and channel (target units) for one parameter draw."""
        d = self._d
        m = d.media.shape[1]
        nt = len(self._theta)
        theta = draw[:nt]
        betas = draw[nt + d.base.shape[1] : nt + d.base.shape[1] + m]
        k = nt // m
        th = theta.reshape(m, k)
        cols = [self._transform(media_scaled[:, i], th[i]) for i in range(m)]
        return np.column_stack(cols) * betas * self.y_scale_

    def _scaled_total(self, i: int, factor: float, draw: np.ndarray) -> float:
        """Total contribution of media channel ``i`` over the data with its spend scaled by
        ``factor``, for one draw (one channel's column of :meth:`_media_contrib`)."""
        d = self._d
        m = d.media.shape[1]
        nt = len(self._theta)
        th = draw[:nt].reshape(m, nt // m)[i]
        beta = draw[nt + d.base.shape[1] + i]
        return float(self._transform(d.media[:, i] * factor, th).sum() * beta * self.y_scale_)

    def _contribution_draws(self) -> np.ndarray:
        """Contribution per posterior draw, period and channel, shape (draws, periods, media)."""
        return np.array([self._media_contrib(self._d.media, dr) for dr in self._posterior])

    def _contributions_frame(self, C: np.ndarray) -> pd.DataFrame:
        """Contribution per period and channel: the posterior mean path of each channel,
        scaled so that it sums to the channel's posterior median total (the summary's point,
        so a channel with no effect is zero in every period)."""
        mean = C.mean(axis=0)
        tot = mean.sum(axis=0)
        med = posterior_effect(C.sum(axis=1), self.spec.interval)[0]
        scale = np.divide(med, tot, out=np.zeros_like(tot), where=tot > 0)
        out = pd.DataFrame(mean * scale, columns=list(self.spec.media))
        out.insert(0, self.spec.date_col, self.data_[self.spec.date_col].to_numpy())
        return out

    def predict(self, df: pd.DataFrame | None = None) -> np.ndarray:
        """Predicted target for ``df`` (default: the training data)."""
        self._check_fitted()
        if df is None:
            d = self._d
            X = np.column_stack([d.base, self._media_matrix(d, self._theta)])
            return X @ self._coef * self.y_scale_
        spec = self.spec
        data = df.copy()
        if spec.target not in data.columns:
            data[spec.target] = 0.0
        data = prepare_mmm_data(data, spec, "prediction data", check_rows=False)
        media = data[list(spec.media)].to_numpy(dtype=float) / self.scales_
        n = len(data)
        cols = [np.ones(n)]
        if spec.trend in ("linear", "quadratic"):
            n_train = len(self._d.y)
            t = (np.arange(n, dtype=float) + self._t_offset(data)) / max(n_train - 1, 1)
            cols.append(t)
            if spec.trend == "quadratic":
                cols.append(t**2)
        if spec.yearly_seasonality:
            doy = pd.to_datetime(data[spec.date_col]).dt.day_of_year.to_numpy(dtype=float)
            for k in range(1, spec.yearly_seasonality + 1):
                ang = 2 * np.pi * k * doy / 365.25
                cols += [np.sin(ang), np.cos(ang)]
        if spec.controls:
            cols += list((data[list(spec.controls)].to_numpy(dtype=float) / self._control_scale).T)
        base = np.column_stack(cols)
        base[:, 1:] -= self._base_mean
        m = len(spec.media)
        k = len(self._theta) // m
        th = self._theta.reshape(m, k)
        X = np.column_stack([base, *[self._transform(media[:, i], th[i]) for i in range(m)]])
        return X @ self._coef * self.y_scale_

    def _t_offset(self, data: pd.DataFrame) -> int:
        """Index of the first row of ``data`` on the training time axis (by period count)."""
        train = self.data_[self.spec.date_col]
        first = pd.to_datetime(data[self.spec.date_col]).iloc[0]
        step = (train.iloc[-1] - train.iloc[0]) / max(len(train) - 1, 1)
        return round((first - train.iloc[0]) / step) if step.total_seconds() > 0 else 0

    def summary(self) -> pd.DataFrame:
        """Per channel: contribution and share, with intervals; for paid channels the return.

        Points are posterior medians and intervals central posterior intervals of the same
        draws (:attr:`MMMSpec.interval`, :func:`posterior_effect`), so a point always lies
        inside its interval. ``effect`` says what they show (:func:`effect_evidence`):
        ``evidenced``, ``not evidenced`` (the interval reaches zero), ``no effect`` (the median
        is zero and the interval tight around it) or ``not measurable`` (median zero, interval
        reaching far above); the ``zero_effect_channels`` check and the optimizer read the same.

        Revenue models report ``roas`` and ``marginal_roas`` (outcome per unit of spend);
        conversion models report ``cpa`` and ``marginal_cpa`` (spend per conversion), each with
        ``_lo`` / ``_hi`` interval columns (a CPA interval is unbounded above, ``inf``, when the
        contribution's interval reaches zero).
        """
        self._check_fitted()
        spec = self.spec
        mroas = []
        bump = 1.01
        T = self._totals
        for draw, c in zip(self._posterior, T):
            c_up = np.array([self._scaled_total(i, bump, draw) for i in range(len(spec.media))])
            mroas.append(c_up - c)
        # points are posterior medians, so every point lies inside its own interval
        t_mid, lo, hi = posterior_effect(T, spec.interval)
        m_mid, mlo, mhi = posterior_effect(np.array(mroas), spec.interval)
        spend = self.data_[list(spec.media)].sum().to_numpy()
        pred_total = float(self.predict().sum())
        labels = self.effect_labels()
        rows = []
        for i, c in enumerate(spec.media):
            # a channel the data cannot identify gets no return: its figures are not evidence
            paid = (
                c in spec.channels and spend[i] > 0 and c not in getattr(self, "unmeasurable_", {})
            )
            row: dict[str, Any] = {
                "channel": c,
                "kind": "paid" if c in spec.channels else "organic",
                "spend": float(spend[i]) if c in spec.channels else np.nan,
                "contribution": float(t_mid[i]),
                "contribution_lo": float(lo[i]),
                "contribution_hi": float(hi[i]),
                "effect": labels[c],
                "share_of_outcome": float(t_mid[i] / pred_total) if pred_total else np.nan,
            }
            dspend = spend[i] * (bump - 1)
            row.update(_returns(self.ratio_name, "", spend[i], (t_mid[i], lo[i], hi[i]), paid))
            row.update(
                _returns(self.ratio_name, "marginal_", dspend, (m_mid[i], mlo[i], mhi[i]), paid)
            )
            rows.append(row)
        return pd.DataFrame(rows)

    def contribution_intervals(self) -> pd.DataFrame:
        """Long frame: date, channel, contribution, lo, hi per period."""
        self._check_fitted()
        mid, lo, hi = posterior_effect(self._contribution_draws(), self.spec.interval)
        frames = []
        dates = self.data_[self.spec.date_col].to_numpy()
        for i, c in enumerate(self.spec.media):
            frames.append(
                pd.DataFrame(
                    {
                        self.spec.date_col: dates,
                        "channel": c,
                        "contribution": mid[:, i],
                        "lo": lo[:, i],
                        "hi": hi[:, i],
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def response_curves(self, multipliers: np.ndarray | None = None) -> pd.DataFrame:
        """Total contribution when each paid channel's historical spend is scaled, with intervals."""
        self._check_fitted()
        mult = np.linspace(0, 2, 21) if multipliers is None else np.asarray(multipliers, float)
        rows = []
        spend = self.data_[list(self.spec.media)].sum().to_numpy()
        for i, c in enumerate(self.spec.media):
            if c not in self.spec.channels:
                continue
            for f in mult:
                vals = np.array([self._scaled_total(i, f, dr) for dr in self._posterior])
                mid, lo, hi = posterior_effect(vals, self.spec.interval)
                rows.append(
                    {
                        "channel": c,
                        "multiplier": float(f),
                        "spend": float(spend[i] * f),
                        "contribution": float(mid),
                        "lo": float(lo),
                        "hi": float(hi),
                    }
                )
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ ResponseModel
    @property
    def current_spend(self) -> np.ndarray:
        """Spend per paid channel over the last ``horizon_`` periods."""
        self._check_fitted()
        return self.data_[list(self.spec.channels)].tail(self.horizon_).sum().to_numpy(float)

    @property
    def observed_spend_max(self) -> np.ndarray:
        """The most spend per paid channel over any ``horizon_`` consecutive periods of the data.

        Allocations beyond it are extrapolations of the fitted curves
        (:func:`micromix.optimize.extrapolation_check`).
        """
        self._check_fitted()
        paid = self.data_[list(self.spec.channels)]
        window = min(self.horizon_, len(paid))
        return paid.rolling(window).sum().max().to_numpy(float)

    # ------------------------------------------------------------------ diagnostics
    def _diagnostics(self, d: _Design, theta, coef, results) -> list[CheckResult]:
        """In-sample fit, convergence and bounds, then identification checks."""
        return [*self._fit_checks(d, theta, coef, results), *self._identification(d, theta, coef)]

    def _fit_checks(self, d: _Design, theta, coef, results) -> list[CheckResult]:
        """In-sample fit, convergence from every start, parameters at their bounds."""
        checks: list[CheckResult] = []
        yhat = np.column_stack([d.base, self._media_matrix(d, theta)]) @ coef
        y = d.y
        ss_tot = float(((y - y.mean()) ** 2).sum())
        r2 = 1 - float(((y - yhat) ** 2).sum()) / ss_tot if ss_tot > 0 else math.nan
        mape = _mape(y, yhat)
        checks.append(
            CheckResult(
                "in_sample_fit",
                Status.PASS if r2 >= 0.7 else Status.REVIEW,
                f"in-sample R² {r2:.3f}, {_fmt_mape(mape)}",
                "" if r2 >= 0.7 else "add missing drivers (controls, events, seasonality)",
                {"r2": r2, "mape": mape},
            )
        )
        ok = all(r.success for r in results)
        funs = sorted(r.fun for r in results)
        spread = (funs[-1] - funs[0]) / max(funs[0], 1e-12) if len(funs) > 1 else 0.0
        checks.append(
            CheckResult(
                "convergence",
                Status.PASS if ok else Status.REVIEW,
                "the curve-parameter search converged from every start"
                if ok
                else "the curve-parameter search stopped early from some starts",
                "" if ok else "refit with more starts (n_starts) or simpler curves",
                {"loss_spread_between_starts": spread},
            )
        )
        LO, HI = self._bounds
        at_bound = [
            f"{self.spec.media[j // len(self.theta_names_)]}.{self.theta_names_[j % len(self.theta_names_)]}"
            for j in range(len(theta))
            if min(theta[j] - LO[j], HI[j] - theta[j]) < 1e-3 * (HI[j] - LO[j])
        ]
        checks.append(
            CheckResult(
                "parameters_at_bounds",
                Status.REVIEW if at_bound else Status.PASS,
                f"curve parameters at a bound: {at_bound}"
                if at_bound
                else "no curve parameter sits at a bound",
                "the data do not pin these down; add lift tests or longer history"
                if at_bound
                else "",
                {"at_bound": at_bound},
            )
        )
        return checks

    def _identification(self, d: _Design, theta, coef) -> list[CheckResult]:
        """Baseline confounding, identifiability and channels without a detectable effect."""
        checks: list[CheckResult] = []
        M = self._media_matrix(d, theta)
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.corrcoef(M.T) if M.shape[1] > 1 else np.ones((1, 1))
        np.fill_diagonal(corr, 0)
        worst = (
            float(np.nanmax(np.abs(corr))) if M.shape[1] > 1 and np.isfinite(corr).any() else 0.0
        )
        # past the adstock warm-up: the ramp-up from "no spend before the data" is no variation
        warm = min(max(self.spec.l_max - 1, 0), max(len(d.y) - 2, 0))
        cv = M[warm:].std(axis=0) / np.maximum(M[warm:].mean(axis=0), 1e-12)
        flat = [c for i, c in enumerate(self.spec.media) if cv[i] < 0.15]
        checks.append(
            CheckResult(
                "baseline_confounding",
                Status.REVIEW if flat else Status.PASS,
                f"channels that barely vary over time: {flat}; their effect is confounded with "
                "the baseline"
                if flat
                else "every channel varies enough to separate it from the baseline",
                "vary these channels (on/off periods, geo tests) or calibrate them with a lift test"
                if flat
                else "",
                {"coefficient_of_variation": dict(zip(self.spec.media, map(float, cv)))},
            )
        )
        r2 = np.nan_to_num(self.spend_r2_, nan=0.0)
        names = list(self.spec.media)
        collinear = {c: float(r2[i]) for i, c in enumerate(names) if r2[i] > COLLINEAR_REVIEW_R2}
        ident_bad = worst > 0.9 or not getattr(self, "_cov_ok", True) or bool(collinear)
        raw = (
            "; raw spend moves together: "
            + ", ".join(
                f"{c} is explained by {_partners(d.media, names.index(c), names)} "
                f"(R² {v:.3f}, VIF {_vif(v)})"
                for c, v in collinear.items()
            )
            if collinear
            else f"; the largest share of a channel's raw spend the others explain is R² "
            f"{float(r2.max()) if len(r2) else 0.0:.2f}"
        )
        checks.append(
            CheckResult(
                "identifiability",
                Status.REVIEW if ident_bad else Status.PASS,
                f"largest correlation between transformed channels is {worst:.2f}"
                + raw
                + (
                    ""
                    if getattr(self, "_cov_ok", True)
                    else "; the parameter covariance is singular"
                ),
                "channels move together, so their split is uncertain; vary them independently "
                "or calibrate with lift tests"
                if ident_bad
                else "",
                {
                    "max_abs_corr": worst,
                    "spend_r2": dict(zip(names, map(float, self.spend_r2_))),
                    "collinear_spend": collinear,
                },
            )
        )
        ess = getattr(self, "draw_ess_", math.nan)
        if math.isfinite(ess):
            few = ess < MIN_DRAW_ESS
            checks.append(
                CheckResult(
                    "posterior_draws",
                    Status.REVIEW if few else Status.PASS,
                    f"the intervals rest on an effective {ess:,.0f} posterior draws"
                    + (", too few for reliable interval ends" if few else ""),
                    "the likelihood is far from the Laplace approximation; simplify the model "
                    "(fewer channels, fixed curves) or add lift tests"
                    if few
                    else "",
                    {"effective_draws": ess},
                )
            )
        checks.append(self._effect_check())
        checks.append(self._outcome_check(d, coef))
        checks.append(self._spend_columns_check())
        return checks

    @property
    def failed_checks(self) -> list[dict[str, Any]]:
        """The fit's failed diagnostics: a model that has any is not one to act on, and the
        budget optimizer refuses it (:func:`micromix.optimize.recommend.refuse_failed_model`)."""
        self._check_fitted()
        return [c.to_dict() for c in self.diagnostics_ if c.status is Status.FAIL]

    def _spend_units(self, columns: list[str]) -> dict[str, dict[str, str | None]]:
        """Per paid channel whose column name says it counts exposure (impressions, clicks,
        GRPs), its unit and the same channel's spend column in the data, if any."""
        out = {}
        for c in self.spec.channels:
            found = spend_column_unit(c, columns)
            if found is not None:
                out[c] = {"unit": found[0], "spend_column": found[1]}
        return out

    def _spend_columns_check(self) -> CheckResult:
        """Review paid channels whose column is not money: their spend, ROAS / CPA and any
        budget are then in impressions (or clicks ...), not in money."""
        units = self.spend_units_
        if not units:
            return CheckResult(
                "spend_columns",
                Status.PASS,
                "every paid channel's column is read as money (no name says impressions, "
                "clicks or GRPs)",
            )
        named = "; ".join(
            f"{c} counts {u['unit']}"
            + (f" (the spend column is {u['spend_column']})" if u["spend_column"] else "")
            for c, u in units.items()
        )
        return CheckResult(
            "spend_columns",
            Status.REVIEW,
            f"{named}: its 'spend', {self.ratio_name.upper()} and any budget for it are in "
            f"those units, not money",
            "pass each channel's spend column to --channels (and the exposure column to "
            "--organic if it adds information)",
            {"not_money": units},
        )

    def _outcome_check(self, d: _Design, coef: np.ndarray) -> CheckResult:
        """Fail a model whose channels are credited with more than the outcome (one channel's
        point or their sum) or whose baseline is negative over the period: not a model to act
        on. Review one whose baseline the fit held at its bound, zero."""
        total = float(self.data_[self.spec.target].sum())
        mid = posterior_effect(self._totals, self.spec.interval)[0]
        credited = float(mid.sum())
        baseline = float((d.base @ coef[: d.base.shape[1]]).sum() * self.y_scale_)
        over = [c for i, c in enumerate(self.spec.media) if mid[i] > total]
        details = {
            "outcome_total": total,
            "channels_total": credited,
            "baseline_total": baseline,
            "over_outcome": over,
        }
        # the baseline's columns are centred, so a zero intercept sums to a rounding residue
        negative = baseline < -1e-9 * max(abs(total), 1.0)
        if over or credited > total or negative:
            what = (
                f"{', '.join(over)} credited with more than the outcome"
                if over
                else f"the channels credited with {credited:,.0f}, more than the outcome"
                if credited > total
                else f"the baseline is negative over the period ({baseline:,.0f})"
            )
            return CheckResult(
                OUTCOME_CHECK,
                Status.FAIL,
                f"{what} ({total:,.0f} over the data): the channels absorb more than there is, "
                "so no figure of this model is one to act on",
                "drop or merge channels that are always on, add the missing controls, or "
                "calibrate the channels with lift tests, then refit",
                details,
            )
        if coef[0] <= 0:
            return CheckResult(
                OUTCOME_CHECK,
                Status.REVIEW,
                "the fit wanted a negative baseline and was held at zero, so channels may stand "
                "in for part of the baseline (their medians add up to "
                f"{_share(credited, total)} of the outcome)",
                "do not read the channels that are always on as effects; calibrate them with "
                "lift tests or model fewer channels",
                details,
            )
        return CheckResult(
            OUTCOME_CHECK,
            Status.PASS,
            f"the channels are credited with {_share(credited, total)} of the outcome and the "
            "baseline is positive",
            details=details,
        )

    def effect_labels(self) -> dict[str, str]:
        """Per modelled channel, :func:`effect_evidence` of its total contribution: ``no
        effect`` needs the interval's upper end within :data:`NO_EFFECT_SHARE` of the outcome."""
        self._check_fitted()
        mid, lo, hi = posterior_effect(self._totals, self.spec.interval)
        tight = NO_EFFECT_SHARE * float(np.abs(self.data_[self.spec.target]).sum())
        unknown = getattr(self, "unmeasurable_", {})
        return {
            c: NOT_MEASURABLE
            if c in unknown
            else effect_evidence(float(mid[i]), float(lo[i]), float(hi[i]), tight)
            for i, c in enumerate(self.spec.media)
        }

    def _unidentified(self, d: _Design, theta: np.ndarray) -> dict[str, str]:
        """Per channel whose effect the data cannot identify apart from the baseline or from
        other channels, why: its transformed series is constant once the adstock window lies
        inside the data (after the first ``l_max - 1`` periods; before that the carry-over
        assumes no spend before the data start, and a constant channel's only variation is
        that invented ramp-up), or its raw spend is (nearly) a linear function of the other
        channels' (R² >= :data:`COLLINEAR_R2`), so the split between them is arbitrary.

        Such a channel is labelled ``not measurable`` whatever its interval, gets no ROAS / CPA,
        and the budget optimizer holds it at its current share. (Robyn, for comparison, feeds
        the periods before its modelling window only into the carry-over.)
        """
        names = list(self.spec.media)
        warm = min(max(self.spec.l_max - 1, 0), max(len(d.y) - 2, 0))
        M = self._media_matrix(d, theta)[warm:]
        out: dict[str, str] = {}
        for i, c in enumerate(names):
            col = M[:, i]
            if float(col.std()) <= CONSTANT_CV * max(abs(float(col.mean())), 1e-300):
                out[c] = (
                    f"its series is constant from period {warm + 1} on, once the "
                    f"{self.spec.l_max}-period adstock window lies inside the data, so its "
                    "effect cannot be told apart from the baseline: what the fit credits it "
                    "with comes only from the warm-up, which assumes no spend before the data"
                )
        r2 = getattr(self, "spend_r2_", np.zeros(len(names)))
        for i, c in enumerate(names):
            if c not in out and r2[i] >= COLLINEAR_R2:
                out[c] = (
                    f"its spend moves with {_partners(d.media, i, names)}, which explain "
                    f"R² {r2[i]:.3f} of it, so the split of their effect between them is "
                    "arbitrary"
                )
        return out

    @property
    def fit_reviews(self) -> list[dict[str, Any]]:
        """The fit's reviews that qualify any budget read from it (:data:`CARRIED_REVIEWS`:
        confounding with the baseline, curve parameters at their bounds, identifiability); the
        budget optimizer repeats them."""
        self._check_fitted()
        return [
            c.to_dict()
            for c in self.diagnostics_
            if c.status is Status.REVIEW and c.name in CARRIED_REVIEWS
        ]

    def _effect_check(self) -> CheckResult:
        """Review channels whose posterior median contribution is zero or whose interval
        reaches zero: the summary's ``effect`` column, from the same draws."""
        label = self.effect_labels()
        why = getattr(self, "unmeasurable_", {})  # a model fitted before it existed: {}
        none = [c for c, v in label.items() if v == NO_EFFECT]
        unknown = [c for c, v in label.items() if v == NOT_MEASURABLE and c not in why]
        weak = [c for c, v in label.items() if v == NOT_EVIDENCED]
        level = f"{self.spec.interval:.0%}"
        parts = [f"effect not measurable for {c}: {r}" for c, r in why.items()]
        if none:
            parts.append(f"no detectable effect for {none} (posterior median contribution 0)")
        if unknown:
            parts.append(
                f"effect not measurable for {unknown} (median 0, but the {level} interval "
                "reaches far above 0)"
            )
        if weak:
            parts.append(f"no evidence of an effect for {weak} (their {level} intervals reach 0)")
        return CheckResult(
            "zero_effect_channels",
            Status.REVIEW if parts else Status.PASS,
            "; ".join(parts)
            if parts
            else f"every channel's {level} interval of contribution lies above zero",
            "do not move budget into these channels on this model's word; check their data or "
            "test them with a holdout experiment and pass it as a lift test"
            if parts
            else "",
            {
                "channels": none + list(why) + unknown + weak,
                "no_effect": none,
                "not_measurable": list(why) + unknown,
                "not_identifiable": dict(why),
                "not_evidenced": weak,
                "effect": label,
            },
        )

    def review(self, *, holdout: bool = True) -> list[CheckResult]:
        """The fit's diagnostics plus, with ``holdout``, the out-of-sample check on its data."""
        self._check_fitted()
        checks = list(self.diagnostics_)
        if holdout:
            checks.append(self.holdout_check(self.data_))
        return checks

    def holdout_check(self, df: pd.DataFrame, test_fraction: float = 0.2) -> CheckResult:
        """Out-of-sample error on a time split: fit on the first part, score the last part."""
        data = prepare_mmm_data(df, self.spec)
        n_test = max(round(len(data) * test_fraction), 1)
        train, test = data.iloc[:-n_test], data.iloc[-n_test:]
        spec = MMMSpec.from_dict({**self.spec.to_dict(), "n_draws": 0})
        m = MarketingMixModel(spec=spec, n_starts=self.n_starts).fit(train, "training part")
        pred = m.predict(test)
        y = test[self.spec.target].to_numpy()
        mape = _mape(y, pred)
        status = Status.PASS if mape is not None and mape < 15 else Status.REVIEW
        return CheckResult(
            "out_of_sample",
            status,
            f"{_fmt_mape(mape)} on the last {n_test} periods (fit on the first {len(train)})",
            "" if status is Status.PASS else "the model forecasts poorly; review drivers and trend",
            {"mape": mape, "n_test": n_test},
        )

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        self._check_fitted()
        d = self._d
        return {
            "spec": self.spec.to_dict(),
            "n_starts": self.n_starts,
            "horizon": self.horizon_,
            "y_scale": self.y_scale_,
            "scales": self.scales_.tolist(),
            "sigma": self.sigma_,
            "n_base": d.base.shape[1],
            "n_theta": len(self._theta),
            "draws": self._draws.tolist(),
            "params": self.params_,
            "coef": self.coef_,
            "current_spend": self.current_spend.tolist(),
            "observed_spend_max": self.observed_spend_max.tolist(),
            "effect": self.effect_labels(),
            "spend_units": self.spend_units_,
            # what makes the model unfit to act on: ``micromix optimize`` refuses it
            "failed_checks": self.failed_checks,
            # what qualifies it: ``micromix optimize`` repeats these reviews
            "fit_reviews": self.fit_reviews,
            # channels the data cannot identify, and why: the optimizer holds them
            "unmeasurable": dict(getattr(self, "unmeasurable_", {})),
        }

    def save(self, folder: str | Path) -> Path:
        """Write ``model.json`` into ``folder`` (what ``micromix optimize --model`` reads)."""
        p = Path(folder)
        p.mkdir(parents=True, exist_ok=True)
        path = p / MODEL_FILE
        path.write_text(json.dumps(self.to_dict()))
        return path

    def results_document(self, checks: list[CheckResult] | None = None) -> dict[str, Any]:
        """The fit's summary as one JSON-ready dict (what ``summary.json`` holds).

        Per channel: kind, spend, contribution with interval and what it shows (``effect``,
        :func:`effect_evidence`), share, the return (``roas`` or ``cpa``, per :attr:`outcome`)
        and its marginal value with intervals (all posterior medians and central intervals,
        :func:`posterior_effect`), and the fitted (maximum-likelihood) curve parameters; then
        ``checks`` (default: :attr:`diagnostics_`).
        """
        self._check_fitted()
        r = self.ratio_name
        channels = {}
        for row in self.summary().to_dict(orient="records"):
            channels[row["channel"]] = {
                "kind": row["kind"],
                "spend": row["spend"],
                "total_contribution": row["contribution"],
                "contribution_interval": [row["contribution_lo"], row["contribution_hi"]],
                "effect": row["effect"],
                "share_of_outcome": row["share_of_outcome"],
                r: row[r],
                f"{r}_interval": [row[f"{r}_lo"], row[f"{r}_hi"]],
                f"marginal_{r}": row[f"marginal_{r}"],
                f"marginal_{r}_interval": [row[f"marginal_{r}_lo"], row[f"marginal_{r}_hi"]],
                "params": self.params_[row["channel"]],
            }
        units = self.spend_units_
        for c, row in channels.items():
            if c in self.spec.channels:
                row["spend_unit"] = units[c]["unit"] if c in units else self.spec.money_unit
        return {
            "target": self.spec.target,
            "outcome": self.outcome,
            "currency": self.spec.currency,
            "money_unit": self.spec.money_unit,
            "date_col": self.spec.date_col,
            "interval": self.spec.interval,
            "fit_seconds": self.fit_seconds_,
            "horizon_periods": self.horizon_,
            "channels": channels,
            "diagnostics": [c.to_dict() for c in (self.diagnostics_ if checks is None else checks)],
        }

    def write_results(
        self, folder: str | Path, checks: list[CheckResult] | None = None
    ) -> dict[str, Any]:
        """Write ``contributions.csv``, ``response_curves.csv``, ``contribution_intervals.csv``,
        ``model.json`` and ``summary.json`` into ``folder``; returns the summary document."""
        from micromix.jsonutil import dumps

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        self.contributions_.to_csv(out / "contributions.csv", index=False)
        self.response_curves().to_csv(out / "response_curves.csv", index=False)
        self.contribution_intervals().to_csv(out / "contribution_intervals.csv", index=False)
        self.save(out)
        doc = self.results_document(checks)
        (out / "summary.json").write_text(dumps(doc, indent=2))
        return doc


class _LoadedMMM(_SteadyStateResponse):
    """A saved mix model, enough to act as a ResponseModel (curves, betas, draws)."""

    def __init__(self, d: dict[str, Any]) -> None:
        self.spec = MMMSpec.from_dict(d["spec"])
        self.horizon_ = int(d["horizon"])
        self.y_scale_ = float(d["y_scale"])
        self.scales_ = np.asarray(d["scales"], float)
        self._n_base = int(d["n_base"])
        self._n_theta = int(d["n_theta"])
        self._draws = np.asarray(d["draws"], float)
        self.params_ = d["params"]
        self.coef_ = d["coef"]
        self._current = np.asarray(d["current_spend"], float)
        # models saved before observed_spend_max existed: the current spend is what is known
        self._seen = np.asarray(d.get("observed_spend_max", d["current_spend"]), float)
        self._labels: dict[str, str] | None = d.get("effect")
        self.spend_units_: dict[str, dict[str, str | None]] = d.get("spend_units", {})
        self.failed_checks: list[dict[str, Any]] = d.get("failed_checks", [])
        self.fit_reviews: list[dict[str, Any]] = d.get("fit_reviews", [])
        self.unmeasurable_: dict[str, str] = d.get("unmeasurable", {})

    def effect_labels(self) -> dict[str, str]:
        """The labels the fit gave (the betas' for a model saved before they were kept)."""
        return dict(self._labels) if self._labels is not None else super().effect_labels()

    @property
    def current_spend(self) -> np.ndarray:
        return self._current.copy()

    @property
    def observed_spend_max(self) -> np.ndarray:
        """The most spend per paid channel over one horizon in the data the model was fitted on."""
        return self._seen.copy()

    def __repr__(self) -> str:
        return f"SavedMMM(channels={self.channels}, horizon={self.horizon_})"


def _saved_number(d: dict[str, Any], key: str, *, whole: bool = False, low: float = 0.0) -> str:
    """Why ``d[key]`` is not a finite number above ``low`` (a whole one if ``whole``), or ''."""
    v = d.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return f"field {key!r} is {v!r}, not a finite number"
    if whole and v != int(v):
        return f"field {key!r} is {v!r}, not a whole number"
    if not v > low:
        return f"field {key!r} is {v!r}; it must be above {low:g}"
    return ""


def _saved_numbers(d: dict[str, Any], key: str, n: int, *, positive: bool = False) -> str:
    """Why ``d[key]`` is not a list of ``n`` finite numbers >= 0 (> 0 if ``positive``), or ''."""
    v = d.get(key)
    if not isinstance(v, list) or len(v) != n:
        return f"field {key!r} must hold {n} number(s), one per channel, not {_short(v)}"
    for i, x in enumerate(v):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            return f"field {key!r}, item {i + 1} is {x!r}, not a finite number"
        if x < 0 or (positive and x == 0):
            return f"field {key!r}, item {i + 1} is {x!r}; it must be {'>' if positive else '>='} 0"
    return ""


def _short(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 40 else s[:37] + "..."


def _saved_model_problem(d: Any) -> str:
    """What makes a saved model (``model.json`` as read) unusable, or '' when it is whole:
    every field the response curves read present, of its type and shape, finite and in range
    (a file edited by hand, or cut short, is refused rather than optimised over)."""
    if not isinstance(d, dict):
        return f"it holds {type(d).__name__}, not the model's fields"
    need = ("spec", "horizon", "y_scale", "scales", "n_base", "n_theta", "draws", "current_spend")
    missing = [k for k in need if k not in d]
    if missing:
        return f"field(s) {', '.join(map(repr, missing))} are missing"
    if not isinstance(d["spec"], dict):
        return f"field 'spec' is {_short(d['spec'])}, not the model's specification"
    for key in ("channels", "organic", "controls"):
        names = d["spec"].get(key, [])
        if not isinstance(names, list) or not all(isinstance(c, str) for c in names):
            return f"field 'spec', {key!r} is {_short(names)}, not a list of column names"
    try:
        spec = MMMSpec.from_dict(d["spec"])
    except (ValueError, TypeError, KeyError) as exc:
        return f"field 'spec' is not a valid specification ({exc})"
    m, paid = len(spec.media), len(spec.channels)
    k = len(get_adstock(spec.adstock).param_bounds) + len(
        get_saturation(spec.saturation).param_bounds
    )
    problem = (
        _saved_number(d, "horizon", whole=True)
        or _saved_number(d, "y_scale")
        or _saved_numbers(d, "scales", m, positive=True)
        or _saved_numbers(d, "current_spend", paid)
        or (_saved_numbers(d, "observed_spend_max", paid) if "observed_spend_max" in d else "")
        or _saved_number(d, "n_base", whole=True)
    )
    if problem:
        return problem
    if d["n_theta"] != m * k or isinstance(d["n_theta"], bool):
        return (
            f"field 'n_theta' is {_short(d['n_theta'])}; {m} channel(s) with these curves have "
            f"{m * k} curve parameters"
        )
    width = m * k + int(d["n_base"]) + m
    draws = d["draws"]
    if (
        not isinstance(draws, list)
        or not draws
        or not all(isinstance(r, list) and len(r) == width for r in draws)
    ):
        return f"field 'draws' must be a non-empty list of rows of {width} numbers"
    try:
        arr = np.asarray(draws, dtype=float)
    except (TypeError, ValueError):
        return "field 'draws' holds a value that is not a number"
    if not np.isfinite(arr).all():
        i, j = (int(x[0]) for x in np.nonzero(~np.isfinite(arr)))
        return (
            f"field 'draws', row {i + 1}, item {j + 1} is {float(arr[i, j])!r}, not a finite number"
        )
    lo = np.tile([b[0] for b in _curve_bounds(spec)], m)
    hi = np.tile([b[1] for b in _curve_bounds(spec)], m)
    out = (arr[:, : m * k] < lo - 1e-9) | (arr[:, : m * k] > hi + 1e-9)
    if out.any():
        i, j = (int(x[0]) for x in np.nonzero(out))
        return (
            f"field 'draws', row {i + 1}, item {j + 1} is {float(arr[i, j])!r}, outside its curve "
            f"parameter's range {lo[j]:g}..{hi[j]:g}"
        )
    effect = d.get("effect")
    if effect is not None and not (
        isinstance(effect, dict) and all(isinstance(effect.get(c), str) for c in spec.media)
    ):
        return f"field 'effect' must give each channel's label ({', '.join(spec.media)})"
    units = d.get("spend_units", {})
    if not isinstance(units, dict) or not all(
        c in spec.channels and isinstance(u, dict) and isinstance(u.get("unit"), str)
        for c, u in units.items()
    ):
        return "field 'spend_units' must map paid channels to their unit"
    for key in ("failed_checks", "fit_reviews"):
        got = d.get(key, [])
        if not isinstance(got, list) or not all(isinstance(f, dict) for f in got):
            return f"field {key!r} must be a list of checks"
    why = d.get("unmeasurable", {})
    if not isinstance(why, dict) or not all(
        c in spec.media and isinstance(r, str) for c, r in why.items()
    ):
        return "field 'unmeasurable' must map modelled channels to the reason"
    return ""


def _curve_bounds(spec: MMMSpec) -> list[tuple[float, float, float]]:
    """(low, high, start) of each curve parameter of one channel, adstock first."""
    ad, sat = get_adstock(spec.adstock), get_saturation(spec.saturation)
    return [*ad.param_bounds.values(), *sat.param_bounds.values()]


def load_mmm(folder: str | Path) -> _LoadedMMM:
    """Load a model saved by :meth:`MarketingMixModel.save` (or ``micromix mmm fit``).

    Raises
    ------
    InputFileError
        No saved model there.
    ModelError
        The file is not a whole model (cut short, or edited by hand: a field missing, not a
        number, not finite or of the wrong shape), naming the field.
    """
    p = Path(folder)
    path = p / MODEL_FILE if p.is_dir() else p
    if not path.exists():
        raise InputFileError(
            f"{path}: no saved model found; run 'micromix mmm fit --output {p}' first"
        )
    refit = "refit it with 'micromix mmm fit' (the file was edited or damaged)"
    try:
        d = json.loads(path.read_text())
    except (ValueError, OSError) as exc:
        raise ModelError(f"{path}: the saved model is not readable JSON ({exc}); {refit}") from exc
    problem = _saved_model_problem(d)
    if problem:
        raise ModelError(f"{path}: the saved model is unusable: {problem}; {refit}")
    return _LoadedMMM(d)
