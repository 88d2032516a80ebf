"""Buy-till-you-die purchase models: BG/NBD, MBG/NBD and Pareto/NBD.

Each model describes a customer by three numbers from the calibration period (an RFM summary,
see :func:`micromix.clv.rfm_summary`): ``frequency`` *x* (repeat purchases), ``recency`` *t_x*
(time of the last purchase, from the first) and ``T`` (age: time from the first purchase to
the end of calibration). While active, a customer buys as a Poisson process with rate λ
(Gamma(r, α) across customers); they drop out

* **BG/NBD** (Fader, Hardie & Lee 2005): after each *repeat* purchase with probability p
  (Beta(a, b) across customers);
* **MBG/NBD** (Batislam, Denizel & Filiztekin 2007): after *any* purchase, the first included;
* **Pareto/NBD** (Schmittlein, Morrison & Colombo 1987): at an exponential time with rate μ
  (Gamma(s, β) across customers).

The estimators are scikit-learn style: keyword-only hyperparameters, ``fit`` returns ``self``
and learned state ends in ``_`` (``params_`` named as in the papers). Parameters are fitted by
maximum likelihood in log space (vectorised NumPy/SciPy: ``gammaln``, ``betaln``, ``hyp2f1``),
polished by Newton steps; intervals come from the Laplace approximation (the inverse Hessian of
the log-likelihood in log-parameter space, so intervals are log-normal) or from a parametric
bootstrap (``interval="bootstrap"``: simulate from the fit with the customers' own ages, refit).

Numerics: Pareto/NBD's likelihood uses the Fader & Hardie form with the hypergeometric
function argument kept in [0, 1) and the difference of the two terms taken in log space; rows
where ``hyp2f1`` is not finite fall back to Gauss-Legendre quadrature of the underlying integral
(vectorised over those rows).
BG/NBD's conditional expectation uses the closed form, with Gauss quadrature over the Beta
posterior of the dropout probability where ``a`` is near 1 (the closed form divides by
``a - 1``) or the closed form is not finite.

Quickstart
----------
>>> import numpy as np
>>> from micromix.clv.models import BetaGeoModel
>>> truth = BetaGeoModel.from_params({"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5})
>>> data = truth.sample(np.full(3000, 39.0), random_state=1)
>>> model = BetaGeoModel(interval="none").fit(data)
>>> sorted(model.params_)
['a', 'alpha', 'b', 'r']
>>> bool(0.15 < model.params_["r"] < 0.4)
True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.linalg import eigh_tridiagonal
from scipy.special import betaln, expit, gammaln, hyp2f1

from micromix.clv._base import INTERVAL_METHODS, LogParamEstimator
from micromix.clv._mcmc import Posterior, sample_posterior
from micromix.clv._mle import fit_log_params
from micromix.errors import ConfigError, DataValidationError, ModelError

__all__ = [
    "INTERVAL_METHODS",
    "MODELS",
    "BetaGeoModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "PurchaseModel",
    "get_model",
    "model_from_dict",
    "rfm_arrays",
]

#: Gauss-Jacobi nodes of the BG/NBD quadrature path
_JACOBI_NODES = 48
#: |a - 1| below which the BG/NBD closed form is replaced by quadrature
_A_NEAR_ONE = 1e-3
#: Pareto/NBD likelihood rows allowed to fall back to quadrature in one evaluation of the search
_MAX_QUAD_ROWS = 50

ProgressFn = Callable[[str, float], None]


# ---------------------------------------------------------------------------- inputs
def rfm_arrays(X: Any, source: str = "summary") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(frequency, recency, T)`` as float arrays from a summary frame, validated.

    Parameters
    ----------
    X : DataFrame or mapping
        Columns ``frequency``, ``recency`` and ``T`` (as made by
        :func:`micromix.clv.rfm_summary`).
    source : str
        Name used in error messages.

    Raises
    ------
    DataValidationError
        A value is missing, negative, a frequency is not a whole number, a recency exceeds the
        age, or a customer with no repeat purchase has a non-zero recency.
    """
    try:
        cols = [np.asarray(X[c], dtype=float) for c in ("frequency", "recency", "T")]
    except KeyError as exc:
        raise DataValidationError(
            f"{source}: needs columns frequency, recency and T (missing {exc}); build it with "
            "micromix.clv.rfm_summary"
        ) from None
    except (TypeError, ValueError) as exc:
        raise DataValidationError(
            f"{source}: frequency, recency and T must be numbers ({exc})"
        ) from None
    x, tx, T = cols
    if len(x) == 0:
        raise DataValidationError(f"{source}: no customers; the summary is empty")
    checks = [
        (~np.isfinite(x) | ~np.isfinite(tx) | ~np.isfinite(T), "has a missing or infinite value"),
        ((x < 0) | (tx < 0) | (T < 0), "has a negative frequency, recency or T"),
        (x != np.round(x), "has a frequency that is not a whole number"),
        (tx > T * (1 + 1e-9) + 1e-12, "has a recency larger than its age T"),
        ((x == 0) & (tx != 0), "has no repeat purchase but a non-zero recency"),
    ]
    for bad, what in checks:
        if bad.any():
            i = int(np.argmax(bad))
            raise DataValidationError(
                f"{source}: customer at row {i + 1} {what} (frequency={x[i]:g}, recency="
                f"{tx[i]:g}, T={T[i]:g}); rebuild the summary with micromix.clv.rfm_summary"
            )
    return x, tx, np.maximum(T, tx)


def _dedupe(
    x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unique (x, t_x, T) rows with summed weights: the likelihood only needs those."""
    w = np.ones(len(x)) if w is None else np.asarray(w, dtype=float)
    if w.shape != x.shape or (w < 0).any() or not np.isfinite(w).all():
        raise DataValidationError("sample_weight must be one finite, non-negative number per row")
    keys = np.stack([x, tx, T], axis=1)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    ww = np.bincount(inv.ravel(), weights=w, minlength=len(uniq))
    keep = ww > 0
    return uniq[keep, 0], uniq[keep, 1], uniq[keep, 2], ww[keep]


# ---------------------------------------------------------------------------- base class
class PurchaseModel(LogParamEstimator):
    """Base class of the purchase (transaction-count) models; see the module docstring.

    Hyperparameters (keyword-only): ``interval`` (``laplace``, ``bootstrap`` or ``none``),
    ``n_draws``, ``level``, ``random_state``, ``max_iter``; see
    :class:`micromix.clv._base.LogParamEstimator`.

    Attributes
    ----------
    params_ : dict
        Fitted parameters, named as in the papers.
    param_intervals_ : dict
        ``name -> (low, high)`` at ``level`` (empty when intervals are off or refused).
    covariance_ : ndarray or None
        Covariance of the log-parameters (None when the Hessian is not positive definite).
    draws_ : ndarray or None
        ``(n_draws, n_params)`` parameter draws on the natural scale.
    log_likelihood_ : float
    n_customers_, n_repeat_buyers_ : int
    fit_seconds_ : float
    """

    # -- model-specific pieces (vectorised over customers; ``p`` is the natural-scale params)
    @staticmethod
    def _loglik(p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def _p_alive(p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @classmethod
    def _loglik_many(
        cls, P: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        """Log-likelihood of every customer under each of ``k`` parameter rows, ``(k, n)``
        (the posterior sampler's vectorised evaluation; rows ``P`` on the natural scale)."""
        cols = [c[:, None] for c in np.asarray(P, dtype=float).T]
        return np.broadcast_to(cls._loglik(np.array(cols), x, tx, T), (len(P), len(x)))

    #: positions of the heterogeneity shape parameters, and of (shape, scale) pairs whose
    #: ratio is a mean rate (see :meth:`_log_prior`)
    _shapes: tuple[int, ...] = ()
    _rates: tuple[tuple[int, int], ...] = ()

    def _log_prior(self, theta: np.ndarray, timescale: float) -> np.ndarray:
        """Weakly informative log prior density of ``(k, d)`` log-parameter rows.

        Independent normals in log space: every heterogeneity shape (r and s of the gamma
        laws, a and b of the beta law) ``log shape ~ N(0, prior_sd^2)``, which bounds the
        ridges where the data cannot tell heterogeneity from none; every gamma law's mean
        waiting time (scale / shape: ``alpha / r`` between purchases, ``beta / s`` to dropout)
        ``log ~ N(log timescale, 3^2)``, nearly flat around the customers' mean age.
        Normalising constants are left out (they do not change the posterior).
        """
        th = np.atleast_2d(theta)
        sd = float(self.prior_sd)
        out = -0.5 * np.sum((th[:, list(self._shapes)] / sd) ** 2, axis=1)
        for shape, scale in self._rates:
            z = (th[:, scale] - th[:, shape] - np.log(timescale)) / 3.0
            out = out - 0.5 * z**2
        return out

    def _posterior(
        self,
        x: np.ndarray,
        tx: np.ndarray,
        T: np.ndarray,
        w: np.ndarray,
        theta_hat: np.ndarray,
        rng: np.random.Generator,
    ) -> Posterior:
        timescale = max(float(np.average(T, weights=w)), 1e-3)

        def log_lik(th: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                return self._loglik_many(np.exp(th), x, tx, T) @ w

        return sample_posterior(
            log_lik,
            lambda th: self._log_prior(th, timescale),
            theta_hat,
            n_draws=int(self.n_draws),
            rng=rng,
        )

    @staticmethod
    def _expected_alive(
        p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: np.ndarray
    ) -> np.ndarray:
        """Expected purchases in the next ``t`` periods of a customer who is still active.

        Depends on ``x`` and ``T`` only (``t_x`` matters through P(alive) alone), which
        :func:`micromix.clv.value.discounted_purchases` uses to evaluate it once per (x, T).
        """
        raise NotImplementedError

    @classmethod
    def _expected(
        cls, p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: np.ndarray
    ) -> np.ndarray:
        return cls._p_alive(p, x, tx, T) * cls._expected_alive(p, x, tx, T, t)

    @staticmethod
    def _sample_active(
        p: np.ndarray, x: np.ndarray, T: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw each *active* customer's latent ``(purchase rate, dropout rate)`` per period
        from their posterior given ``x`` repeat purchases by age ``T`` (exact: the posterior of
        an active customer is a product of conjugate gamma / beta laws)."""
        raise NotImplementedError

    @staticmethod
    def _events(
        p: np.ndarray, horizon: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Simulated repeat-purchase times ``(customer index, time since first purchase)``."""
        raise NotImplementedError

    @classmethod
    def _simulate(
        cls, p: np.ndarray, T: np.ndarray, t_future: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(x, t_x, x_holdout)`` of customers of age ``T`` followed ``t_future`` further."""
        who, when = cls._events(p, T + t_future, rng)
        n = len(T)
        cal = when <= T[who]
        x = np.bincount(who[cal], minlength=n).astype(float)
        tx = np.zeros(n)
        np.maximum.at(tx, who[cal], when[cal])
        xh = np.bincount(who[~cal], minlength=n).astype(float)
        return x, tx, xh

    def _starts(self, x: np.ndarray, T: np.ndarray, w: np.ndarray) -> list[np.ndarray]:
        scale = max(float(np.average(T, weights=w)), 1e-3)
        return [
            np.log([1.0, scale / 4, 1.0, 1.0]),
            np.log([0.5, scale / 10, 0.5, 3.0]),
            np.log([2.0, scale, 2.0, 2.0 * scale if self.lookup_name == "pareto" else 5.0]),
        ]

    # -- fitting ---------------------------------------------------------------------
    def _mle(
        self,
        x: np.ndarray,
        tx: np.ndarray,
        T: np.ndarray,
        w: np.ndarray,
        starts: list[np.ndarray],
        *,
        sampler_form: bool = False,
    ) -> Any:
        def nll(theta: np.ndarray) -> float:
            if sampler_form:  # the sampler's likelihood: uniform cost on ridges
                with np.errstate(all="ignore"):
                    return -float(self._loglik_many(np.exp(theta)[None, :], x, tx, T)[0] @ w)
            ll = self._loglik(np.exp(theta), x, tx, T)
            return -float(np.dot(w, ll))

        return fit_log_params(nll, starts, scale=float(w.sum()), max_iter=int(self.max_iter))

    def fit(
        self,
        X: Any,
        y: Any = None,
        *,
        sample_weight: Any = None,
        progress: ProgressFn | None = None,
    ) -> PurchaseModel:
        """Fit the model to an RFM summary by maximum likelihood.

        Parameters
        ----------
        X : DataFrame
            Columns ``frequency``, ``recency``, ``T`` (one row per customer).
        y : ignored
        sample_weight : array-like, optional
            Customers each row stands for (default 1).
        progress : callable, optional
            ``progress(step, fraction)`` for long bootstraps.

        Returns
        -------
        self

        Raises
        ------
        DataValidationError
            No customer made a repeat purchase, or the summary is malformed.
        ModelError
            The optimiser did not converge.
        """
        self._validate_hyper()
        started = time.perf_counter()
        x, tx, T = rfm_arrays(X)
        xu, txu, Tu, w = _dedupe(x, tx, T, sample_weight)
        if not (xu > 0).any():
            raise DataValidationError(
                "no customer made a repeat purchase in the calibration period, so the "
                f"{self.label} model cannot learn purchase rates or dropout; use a longer "
                "calibration period or more customers"
            )
        starts = self._starts(xu, Tu, w)
        if self.interval == "mcmc":
            # the sampler's form first (fast on ridges); if its search runs off along a ridge
            # without converging, the exact form, whose search backs off where hyp2f1 fails
            res = self._mle(xu, txu, Tu, w, starts, sampler_form=True)
            if not res.converged:
                res = self._mle(xu, txu, Tu, w, starts)
        else:
            res = self._mle(xu, txu, Tu, w, starts)
        if not res.converged:
            raise ModelError(
                f"the {self.label} fit did not converge (largest gradient "
                f"{np.max(np.abs(res.gradient)):.3g}, {res.message}); the data may not identify "
                "the model: try another model or a longer calibration period"
            )
        T_all = np.repeat(Tu, np.round(w).astype(int))
        self._store_fit(
            res,
            lambda rng: self._bootstrap(T_all, rng, progress),
            lambda rng: self._posterior(xu, txu, Tu, w, res.theta, rng),
        )
        self.n_customers_ = int(np.round(w.sum()))
        self.n_repeat_buyers_ = int(np.round(w[xu > 0].sum()))
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def _bootstrap(
        self, T: np.ndarray, rng: np.random.Generator, progress: ProgressFn | None
    ) -> np.ndarray:
        n = int(self.n_draws)
        out = np.empty((n, len(self.param_names)))
        p = self._p
        for i in range(n):
            xs, txs, _ = self._simulate(p, T, 0.0, rng)
            xu, txu, Tu, w = _dedupe(xs, txs, T, None)
            res = self._mle(xu, txu, Tu, w, [self.log_params_])
            if not res.converged:
                raise ModelError(
                    f"a bootstrap refit of the {self.label} model did not converge (replicate "
                    f"{i + 1} of {n}); the fit is fragile - use interval='laplace' or more data"
                )
            out[i] = np.exp(res.theta)
            if progress is not None:
                progress(f"bootstrap {self.label}", (i + 1) / n)
        return out

    # -- predictions -----------------------------------------------------------------
    def log_likelihood(self, X: Any) -> np.ndarray:
        """Per-customer log-likelihood at the fitted parameters."""
        x, tx, T = rfm_arrays(X)
        return self._loglik(self._p, x, tx, T)

    def probability_alive(self, X: Any) -> np.ndarray:
        """P(still active at the end of calibration | x, t_x, T), one per customer."""
        x, tx, T = rfm_arrays(X)
        return self._p_alive(self._p, x, tx, T)

    def expected_purchases(self, X: Any, t: float, *, params: Any = None) -> np.ndarray:
        """Conditional expected purchases in the next ``t`` periods, one per customer.

        Parameters
        ----------
        X : DataFrame
            RFM summary (``frequency``, ``recency``, ``T``).
        t : float
            Length of the future window, in the summary's time unit.
        params : array-like, optional
            Parameters to use instead of the fitted ones (natural scale, in
            ``param_names`` order), e.g. a row of ``draws_``.
        """
        x, tx, T = rfm_arrays(X)
        p = self._p if params is None else np.asarray(params, dtype=float)
        return self._expected(p, x, tx, T, np.full(len(x), float(t)))

    def predict(self, X: Any, t: float = 1.0) -> np.ndarray:
        """Alias of :meth:`expected_purchases` (scikit-learn naming)."""
        return self.expected_purchases(X, t)

    def expected_purchases_new(self, t: Any, *, params: Any = None) -> np.ndarray:
        """Expected repeat purchases by time ``t`` after a customer's first purchase (unconditional)."""
        tt = np.atleast_1d(np.asarray(t, dtype=float))
        z = np.zeros(len(tt))
        p = self._p if params is None else np.asarray(params, dtype=float)
        return self._expected(p, z, z, z, tt)

    def sample(
        self, T: Any, t_future: float = 0.0, *, random_state: int | None = None
    ) -> pd.DataFrame:
        """Simulate customers from the fitted model.

        Parameters
        ----------
        T : array-like
            Age of each simulated customer at the end of calibration.
        t_future : float
            Length of a holdout period after calibration.
        random_state : int, optional

        Returns
        -------
        DataFrame
            ``frequency``, ``recency``, ``T`` and ``frequency_holdout``.
        """
        TT = np.asarray(T, dtype=float)
        rng = np.random.default_rng(random_state)
        x, tx, xh = self._simulate(self._p, TT, float(t_future), rng)
        return pd.DataFrame({"frequency": x, "recency": tx, "T": TT, "frequency_holdout": xh})


# ---------------------------------------------------------------------------- BG family
def _beta_nodes(a: float, b: float, n: int = _JACOBI_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Gauss quadrature nodes and normalised weights for p ~ Beta(a, b) (Golub-Welsch).

    Built from the Jacobi recurrence directly, so huge ``b`` (a model with almost no dropout)
    does not overflow the normalising constant that ``scipy.special.roots_jacobi`` computes.
    """
    al, be = b - 1.0, a - 1.0  # weight (1-u)^al (1+u)^be on [-1, 1], with p = (1 + u) / 2
    k = np.arange(n, dtype=float)
    s2 = 2 * k + al + be
    diag = np.empty(n)
    diag[0] = (be - al) / (al + be + 2)
    diag[1:] = (be**2 - al**2) / (s2[1:] * (s2[1:] + 2))
    kk = k[1:]
    s = s2[1:]
    # (k + al + be) / (s - 1) is exactly 1 at k = 1 (and 0/0 when a + b = 1)
    ratio = np.where(kk == 1, 1.0, (kk + al + be) / np.where(kk == 1, 1.0, s - 1))
    off = np.sqrt(4 * kk * (kk + al) * (kk + be) * ratio / (s**2 * (s + 1)))
    u, vec = eigh_tridiagonal(diag, off)
    w = vec[0] ** 2
    return (1.0 + u) / 2.0, w / w.sum()


def _jacobi_expect(
    r: float,
    alpha: float,
    a: float,
    bpost: np.ndarray,
    x: np.ndarray,
    T: np.ndarray,
    t: np.ndarray,
) -> np.ndarray:
    """E_p[(1 - ((α+T)/(α+T+p t))^(r+x)) / p] with p ~ Beta(a, bpost), by Gauss quadrature."""
    out = np.empty(len(x))
    for bb in np.unique(bpost):
        rows = bpost == bb
        pk, wk = _beta_nodes(a, float(bb))
        pk = np.maximum(pk, 1e-300)
        c = (t[rows] / (alpha + T[rows]))[:, None]
        k = (r + x[rows])[:, None]
        f = -np.expm1(-k * np.log1p(pk[None, :] * c)) / pk[None, :]
        out[rows] = f @ wk
    return out


def _bg_expected_alive(
    p: np.ndarray, x: np.ndarray, T: np.ndarray, t: np.ndarray, extra: float
) -> np.ndarray:
    """Expected purchases in ``t`` for an *active* customer (BG: extra=0, MBG: extra=1)."""
    r, alpha, a, b = (float(v) for v in p)
    bpost = b + x + extra
    if abs(a - 1.0) < _A_NEAR_ONE:
        return _jacobi_expect(r, alpha, a, bpost, x, T, t)
    c = a + bpost - 1.0
    z = t / (alpha + T + t)
    lead = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    with np.errstate(all="ignore"):
        val = c / (a - 1.0) * (1.0 - lead * hyp2f1(r + x, bpost, c, z))
    bad = ~np.isfinite(val) | (val < 0)
    if bad.any():
        val[bad] = _jacobi_expect(r, alpha, a, bpost[bad], x[bad], T[bad], t[bad])
    return val


def _bg_sample_active(
    p: np.ndarray, x: np.ndarray, T: np.ndarray, rng: np.random.Generator, extra: float
) -> tuple[np.ndarray, np.ndarray]:
    """Latent rates of an active (M)BG/NBD customer: lambda ~ Gamma(r + x, alpha + T) and the
    dropout probability per purchase p ~ Beta(a, b + x + extra), independent; dropping out at a
    purchase with probability p while buying at rate lambda is dropping out at rate lambda p."""
    r, alpha, a, b = (float(v) for v in p)
    lam = rng.gamma(r + x, 1.0 / (alpha + T))
    drop = rng.beta(a, b + x + extra)
    return lam, lam * drop


def _purchase_events(
    p: np.ndarray,
    horizon: np.ndarray,
    rng: np.random.Generator,
    *,
    die_at_first: bool,
    pareto: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Repeat-purchase times of simulated customers: ``(customer index, time)`` arrays.

    Each customer made a first purchase at time 0 and is followed to ``horizon[i]``.
    """
    n = len(horizon)
    if pareto:
        r, alpha, s, beta = p
        lam = rng.gamma(r, 1.0 / alpha, n)
        death = rng.exponential(1.0 / np.maximum(rng.gamma(s, 1.0 / beta, n), 1e-300))
        end = np.minimum(horizon, death)
        drop = np.zeros(n)
    else:
        r, alpha, a, b = p
        lam = rng.gamma(r, 1.0 / alpha, n)
        drop = rng.beta(a, b, n)
        end = np.asarray(horizon, dtype=float).copy()
    lam = np.maximum(lam, 1e-300)
    alive = np.ones(n, dtype=bool)
    if die_at_first:
        alive &= rng.random(n) >= drop
    now = np.zeros(n)
    who: list[np.ndarray] = []
    when: list[np.ndarray] = []
    while alive.any():
        nxt = now + rng.exponential(1.0 / lam)
        ok = alive & (nxt <= end)
        who.append(np.flatnonzero(ok))
        when.append(nxt[ok])
        now = np.where(ok, nxt, now)
        alive = ok & (rng.random(n) >= drop)
    if not who:
        return np.zeros(0, dtype=int), np.zeros(0)
    return np.concatenate(who), np.concatenate(when)


class _BetaGeoFamily(PurchaseModel):
    """What BG/NBD and MBG/NBD share: parameters ``r``, ``alpha``, ``a``, ``b``, and an active
    customer's expected purchases, latent rates and simulated purchases, which differ only in
    whether a customer may drop out right after the first purchase (:attr:`_first_dropout`)."""

    param_names = ("r", "alpha", "a", "b")
    _shapes = (0, 2, 3)
    _rates = ((0, 1),)
    #: 1.0 when a customer may drop out at the first purchase too (MBG/NBD), else 0.0 (BG/NBD)
    _first_dropout: ClassVar[float] = 0.0

    @classmethod
    def _expected_alive(
        cls, p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: np.ndarray
    ) -> np.ndarray:
        return _bg_expected_alive(p, x, T, t, cls._first_dropout)

    @classmethod
    def _sample_active(
        cls, p: np.ndarray, x: np.ndarray, T: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        return _bg_sample_active(p, x, T, rng, cls._first_dropout)

    @classmethod
    def _events(
        cls, p: np.ndarray, horizon: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        return _purchase_events(p, horizon, rng, die_at_first=bool(cls._first_dropout))


class BetaGeoModel(_BetaGeoFamily):
    """BG/NBD (Fader, Hardie & Lee 2005): parameters ``r``, ``alpha``, ``a``, ``b``.

    See :class:`PurchaseModel` for the hyperparameters.

    Examples
    --------
    >>> import pandas as pd
    >>> from micromix.clv.models import BetaGeoModel
    >>> m = BetaGeoModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> one = pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86]})
    >>> round(float(m.expected_purchases(one, 39)[0]), 3)
    1.226
    """

    lookup_name = "bgnbd"
    label = "BG/NBD"

    @staticmethod
    def _loglik(p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        b1 = betaln(a, b + x) - (r + x) * np.log(alpha + T)
        b2 = np.where(
            x > 0,
            betaln(a + 1, b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + tx),
            -np.inf,
        )
        return common + np.logaddexp(b1, b2)

    @staticmethod
    def _p_alive(p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        log_odds_dead = (
            np.log(a)
            - np.log(b + np.maximum(x, 1) - 1)
            + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        )
        return np.where(x > 0, expit(-log_odds_dead), 1.0)


class ModifiedBetaGeoModel(_BetaGeoFamily):
    """MBG/NBD (Batislam et al. 2007): like BG/NBD, but a customer may also drop out right after
    the first purchase. Parameters ``r``, ``alpha``, ``a``, ``b``."""

    lookup_name = "mbgnbd"
    label = "MBG/NBD"
    _first_dropout = 1.0

    @staticmethod
    def _loglik(p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        b1 = betaln(a, b + x + 1) - (r + x) * np.log(alpha + T)
        b2 = betaln(a + 1, b + x) - (r + x) * np.log(alpha + tx)
        return common + np.logaddexp(b1, b2)

    @staticmethod
    def _p_alive(p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        log_odds_dead = (
            np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        )
        return expit(-log_odds_dead)


# ---------------------------------------------------------------------------- Pareto/NBD
def _log1mexp(d: np.ndarray) -> np.ndarray:
    """log(1 - exp(d)) for d <= 0 (stable on both ends)."""
    d = np.minimum(d, 0.0)
    with np.errstate(divide="ignore"):
        return np.where(d > -0.6931, np.log(-np.expm1(d)), np.log1p(-np.exp(d)))


#: r + s above which the Pareto/NBD likelihood takes its dropout integral by quadrature rather
#: than ``hyp2f1``: a fit to data with no heterogeneity in purchase rates runs r into the
#: thousands, where one ``hyp2f1`` evaluation of 60 customers took 0.1-0.6 s (a 60-customer
#: ``clv fit`` took minutes) against 0.1 ms by quadrature, equal to 1e-12 in the log
_HYP2F1_MAX_SHAPE = 250.0


def _pareto_parts(
    p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, max_quad: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log constant, log alive term, log bracket) of the Pareto/NBD likelihood."""
    r, alpha, s, beta = (float(v) for v in p)
    rsx = r + s + x
    const = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    if r + s > _HYP2F1_MAX_SHAPE:  # hyp2f1 crawls: the same value by quadrature, at once
        with np.errstate(all="ignore"):
            n = len(x)
            gl = _pareto_log_integral_gl(
                np.full(n, r), np.full(n, alpha), np.full(n, s), np.full(n, beta), x, tx, T
            )
        log_dead = np.where(tx < T, np.log(s) + gl, -np.inf)
        return const, log_alive, np.logaddexp(log_alive, log_dead)
    if alpha >= beta:
        m, bp = alpha, np.full(len(x), s + 1.0)
    else:
        m, bp = beta, r + x
    gap = abs(alpha - beta)
    with np.errstate(all="ignore"):
        lf_tx = np.log(hyp2f1(rsx, bp, rsx + 1.0, gap / (m + tx))) - rsx * np.log(m + tx)
        lf_T = np.log(hyp2f1(rsx, bp, rsx + 1.0, gap / (m + T))) - rsx * np.log(m + T)
        log_diff = lf_tx + _log1mexp(lf_T - lf_tx)
        log_dead = np.log(s) - np.log(rsx) + log_diff
    log_dead = np.where(tx >= T, -np.inf, log_dead)
    bad = np.isnan(log_dead) | np.isposinf(log_dead) | ~np.isfinite(lf_tx) | ~np.isfinite(lf_T)
    bad &= tx < T
    if max_quad is not None and bad.sum() > max_quad:
        # far out on a ridge of the search (e.g. s and beta in the hundreds) hyp2f1 fails for
        # most customers: the point is reported as unusable and the search backs off
        out = np.logaddexp(log_alive, np.where(bad, -np.inf, log_dead))
        return const, log_alive, np.where(bad, np.nan, out)
    idx = np.flatnonzero(bad)
    if len(idx):  # where hyp2f1 fails: the vectorised quadrature of the integral itself
        k = len(idx)
        log_dead[idx] = np.log(s) + _pareto_log_integral_gl(
            np.full(k, r), np.full(k, alpha), np.full(k, s), np.full(k, beta),
            x[idx], tx[idx], T[idx],
        )  # fmt: skip
    return const, log_alive, np.logaddexp(log_alive, log_dead)


#: Gauss-Legendre nodes of the vectorised fallback for the Pareto/NBD integral
_GL_X, _GL_W = np.polynomial.legendre.leggauss(32)


def _pareto_log_integral_gl(
    r: np.ndarray,
    alpha: np.ndarray,
    s: np.ndarray,
    beta: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """log ∫_{t_x}^{T} (α+y)^-(r+x) (β+y)^-(s+1) dy for many (parameter, customer) pairs.

    Gauss-Legendre in ``u = log(c + y)`` with ``c = min(α, β)``: the factor with the smaller
    offset, the steeper one, becomes an exponential in ``u`` and the other varies slowly, so a
    fixed rule is accurate (about 1e-7 in the log; tests compare it with adaptive quadrature).
    All arguments have one shape.
    """
    a_small = alpha <= beta
    c = np.where(a_small, alpha, beta)
    # one offset is c itself, so its factor is exp(-k u) exactly: (c + y)^-k = e^(-k u)
    k_exact = np.where(a_small, r + x, s + 1.0)
    k_other = np.where(a_small, s + 1.0, r + x)
    gap = np.abs(alpha - beta)
    lo, hi = np.log(c + tx), np.log(c + T)
    half = (hi - lo) / 2
    u = (lo + half)[..., None] + half[..., None] * _GL_X
    logf = (1.0 - k_exact)[..., None] * u - k_other[..., None] * np.log(gap[..., None] + np.exp(u))
    top = logf.max(axis=-1)
    with np.errstate(divide="ignore"):
        return top + np.log(np.exp(logf - top[..., None]) @ _GL_W) + np.log(half)


def _pareto_loglik_many(P: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Pareto/NBD log-likelihood, ``(k, n)`` for ``k`` parameter rows (natural scale).

    The posterior sampler's path: the dropout integral by Gauss-Legendre quadrature
    (:func:`_pareto_log_integral_gl`) for every customer, which is uniform in cost (``hyp2f1``
    slows down by an order of magnitude in parts of the (s, β) ridge and fails far out on it)
    and agrees with the ``hyp2f1`` form to about 1e-7 (tests compare the two).
    """
    r, alpha, s, beta = (c[:, None] for c in P.T)
    const = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    shape = np.broadcast_shapes(r.shape, x.shape)
    args = [np.broadcast_to(v, shape) for v in (r, alpha, s, beta, x, tx, T)]
    with np.errstate(all="ignore"):
        log_dead = np.log(s) + _pareto_log_integral_gl(*args)
    log_dead = np.where(tx < T, log_dead, -np.inf)
    return const + np.logaddexp(log_alive, log_dead)


class ParetoNBDModel(PurchaseModel):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987): parameters ``r``, ``alpha``, ``s``,
    ``beta``. See :class:`PurchaseModel` for the hyperparameters and the numerics."""

    lookup_name = "pareto"
    label = "Pareto/NBD"
    param_names = ("r", "alpha", "s", "beta")
    _shapes = (0, 2)
    _rates = ((0, 1), (2, 3))

    @staticmethod
    def _loglik(p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        const, _, bracket = _pareto_parts(p, x, tx, T, max_quad=_MAX_QUAD_ROWS)
        return const + bracket

    @classmethod
    def _loglik_many(
        cls, P: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        return _pareto_loglik_many(np.asarray(P, dtype=float), x, tx, T)

    @staticmethod
    def _p_alive(p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        _, log_alive, bracket = _pareto_parts(p, x, tx, T)
        return np.exp(log_alive - bracket)

    @staticmethod
    def _expected_alive(
        p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: np.ndarray
    ) -> np.ndarray:
        r, alpha, s, beta = (float(v) for v in p)
        lnq = np.log(beta + T) - np.log(beta + T + t)
        k = s - 1.0
        frac = -lnq if abs(k) < 1e-10 else -np.expm1(k * lnq) / k  # (1 - q^(s-1)) / (s-1)
        return (r + x) * (beta + T) / (alpha + T) * frac

    @staticmethod
    def _sample_active(
        p: np.ndarray, x: np.ndarray, T: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        # alive at T: the likelihood is lambda^x e^(-lambda T) e^(-mu T), so lambda and mu are
        # independent gammas a posteriori
        r, alpha, s, beta = (float(v) for v in p)
        lam = rng.gamma(r + x, 1.0 / (alpha + T))
        mu = rng.gamma(s, 1.0 / (beta + T), len(x))
        return lam, mu

    @staticmethod
    def _events(
        p: np.ndarray, horizon: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        return _purchase_events(p, horizon, rng, die_at_first=False, pareto=True)


# ---------------------------------------------------------------------------- registry
#: purchase models by lookup name
MODELS: dict[str, type[PurchaseModel]] = {
    cls.lookup_name: cls for cls in (BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel)
}


def get_model(name: str, **hyper: Any) -> PurchaseModel:
    """A fresh purchase model by lookup name (``bgnbd``, ``mbgnbd``, ``pareto``)."""
    if name not in MODELS:
        raise ConfigError(f"model={name!r} is not known; choose one of {', '.join(MODELS)}")
    return MODELS[name](**hyper)


def model_from_dict(d: dict[str, Any]) -> PurchaseModel:
    """Inverse of :meth:`PurchaseModel.to_dict` (parameters only; no intervals)."""
    name = d.get("model")
    if name not in MODELS:
        raise ConfigError(f"model={name!r} is not known; choose one of {', '.join(MODELS)}")
    return MODELS[name].from_params(d["params"], **d.get("hyperparameters", {}))
