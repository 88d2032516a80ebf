"""Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005; Fader & Hardie 2013).

A customer's transaction values are Gamma(p, ν) around their own mean p/ν, and ν is
Gamma(q, γ) across customers. Fitted on customers with at least one repeat purchase, from
their number of repeat transactions *x* and the average value *m_x* of those repeat
transactions (the first purchase is left out, as in the papers). The model assumes spend per
transaction is independent of purchase frequency; :func:`micromix.clv.diagnostics.spend_checks`
measures that.

Quickstart
----------
>>> import numpy as np, pandas as pd
>>> from micromix.clv.spend import GammaGammaModel
>>> truth = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "gamma": 15.44})
>>> data = truth.sample(np.random.default_rng(0).integers(1, 6, 4000), random_state=0)
>>> model = GammaGammaModel(interval="none").fit(data)
>>> bool(abs(model.params_["p"] - 6.25) < 1.5)
True
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.special import gammaln

from micromix.clv._base import LogParamEstimator
from micromix.clv._mle import fit_log_params
from micromix.errors import ConfigError, DataValidationError, ModelError

__all__ = ["GammaGammaModel", "spend_arrays"]


def spend_arrays(X: Any, source: str = "summary") -> tuple[np.ndarray, np.ndarray]:
    """``(frequency, monetary_value)`` as float arrays, validated (any customer, any x)."""
    try:
        x = np.asarray(X["frequency"], dtype=float)
        m = np.asarray(X["monetary_value"], dtype=float)
    except KeyError as exc:
        raise DataValidationError(
            f"{source}: needs columns frequency and monetary_value (missing {exc}); build it "
            "with micromix.clv.rfm_summary and a value column"
        ) from None
    bad = ~np.isfinite(x) | ~np.isfinite(m) | (m < 0) | (x < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataValidationError(
            f"{source}: customer at row {i + 1} has frequency={x[i]:g}, monetary_value="
            f"{m[i]:g}; both must be present and >= 0"
        )
    return x, m


class GammaGammaModel(LogParamEstimator):
    """Gamma-Gamma spend model: parameters ``p``, ``q``, ``gamma`` (γ in the papers).

    Parameters
    ----------
    interval, n_draws, level, random_state, max_iter
        As for :class:`micromix.clv.models.PurchaseModel`.

    Attributes
    ----------
    params_ : dict
        ``{"p", "q", "gamma"}``.
    param_intervals_, covariance_, draws_, log_likelihood_
        As for the purchase models.
    n_customers_ : int
        Repeat buyers with a positive average spend the model was fitted on.
    n_excluded_ : int
        Repeat buyers left out because their average repeat spend is 0.
    """

    lookup_name: ClassVar[str] = "gamma_gamma"
    label: ClassVar[str] = "Gamma-Gamma"
    param_names: ClassVar[tuple[str, ...]] = ("p", "q", "gamma")

    @staticmethod
    def _loglik(p: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        pp, q, g = p
        px = pp * x
        return (
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(g)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * np.log(g + m * x)
        )

    def _fit_arrays(self, x: np.ndarray, m: np.ndarray, start: np.ndarray | None = None) -> Any:
        def nll(theta: np.ndarray) -> float:
            return -float(np.sum(self._loglik(np.exp(theta), x, m)))

        mean = float(np.mean(m))
        starts = (
            [start]
            if start is not None
            else [np.log([1.0, 2.0, mean]), np.log([5.0, 4.0, mean * 2]), np.log([0.5, 1.5, 1.0])]
        )
        return fit_log_params(nll, starts, scale=float(len(x)), max_iter=int(self.max_iter))

    def fit(self, X: Any, y: Any = None, *, progress: Any = None) -> GammaGammaModel:
        """Fit on an RFM summary with ``frequency`` and ``monetary_value`` columns.

        Only customers with ``frequency > 0`` and a positive ``monetary_value`` are used.

        Raises
        ------
        DataValidationError
            Fewer than 10 repeat buyers with positive spend.
        ModelError
            The fit did not converge, or ``q <= 1`` (mean spend would be infinite).
        """
        self._validate_hyper()
        started = time.perf_counter()
        x_all, m_all = spend_arrays(X)
        repeat = x_all > 0
        use = repeat & (m_all > 0)
        x, m = x_all[use], m_all[use]
        if len(x) < 10:
            raise DataValidationError(
                f"only {len(x)} customer(s) made a repeat purchase with a positive value; the "
                "Gamma-Gamma spend model needs at least 10 - use a longer calibration period"
            )
        if float(np.ptp(m)) <= 1e-9 * float(np.max(m)):
            raise DataValidationError(
                f"every repeat buyer's average purchase value is the same ({float(m[0]):.6g}), "
                "so spend does not vary between customers and the Gamma-Gamma spend model has "
                "nothing to fit; check the value column (a constant or a placeholder?)"
            )
        res = self._fit_arrays(x, m)
        q = float(np.exp(res.theta[1]))
        if q <= 1:  # heavy tails: checked first, it is also why such fits fail to converge
            raise ModelError(
                f"the Gamma-Gamma fit gives q={q:.3g} <= 1, so mean spend per transaction is "
                "not finite; the values are too heavy-tailed - cap outliers or check the value "
                "column"
            )
        if not res.converged:
            raise ModelError(
                "the Gamma-Gamma spend fit did not converge (largest gradient "
                f"{np.max(np.abs(res.gradient)):.3g}); check the value column for outliers"
            )
        self._store_fit(res, lambda rng: self._bootstrap(x, rng, progress))
        self.n_customers_ = len(x)
        self.n_excluded_ = int((repeat & ~use).sum())
        if self.draws_ is not None:
            # a draw with q <= 1 has no finite mean spend: keep it just above 1
            self.draws_[:, 1] = np.maximum(self.draws_[:, 1], 1.0 + 1e-6)
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def _bootstrap(self, x: np.ndarray, rng: np.random.Generator, progress: Any) -> np.ndarray:
        n = int(self.n_draws)
        out = np.empty((n, 3))
        for i in range(n):
            m = self._simulate(self._p, x, rng)
            res = self._fit_arrays(x, m, start=self.log_params_)
            if not res.converged:
                raise ModelError(
                    f"a bootstrap refit of the Gamma-Gamma model did not converge (replicate "
                    f"{i + 1} of {n}); use interval='laplace'"
                )
            out[i] = np.exp(res.theta)
            if progress is not None:
                progress("bootstrap Gamma-Gamma", (i + 1) / n)
        return out

    @staticmethod
    def _expected(p: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        pp, q, g = (float(v) for v in p)
        # E[M | x, m_x] = p (γ + x m_x) / (p x + q - 1); x = 0 gives the mean p γ / (q - 1)
        return pp * (g + x * m) / (pp * x + q - 1)

    def expected_spend(self, X: Any, *, params: Any = None) -> np.ndarray:
        """Conditional expected value of a future transaction, one per customer.

        Customers without repeat purchases get the population mean ``p γ / (q - 1)``.
        """
        x, m = spend_arrays(X)
        m = np.where(x > 0, m, 0.0)
        p = self._p if params is None else np.asarray(params, dtype=float)
        return self._expected(p, x, m)

    def mean_spend(self) -> float:
        """Population mean spend per transaction, ``p γ / (q - 1)``."""
        pp, q, g = self._p
        return float(pp * g / (q - 1))

    @staticmethod
    def _simulate(p: np.ndarray, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        pp, q, g = p
        nu = rng.gamma(q, 1.0 / g, len(x))
        # the mean of x Gamma(p, ν) values is Gamma(p x, x ν)
        return rng.gamma(pp * x, 1.0 / (x * nu))

    def sample(self, frequency: Any, *, random_state: int | None = None) -> pd.DataFrame:
        """Simulate average repeat spend for customers with the given repeat counts (>= 1)."""
        x = np.asarray(frequency, dtype=float)
        if (x < 1).any():
            raise ConfigError("sample() needs frequency >= 1 for every customer")
        m = self._simulate(self._p, x, np.random.default_rng(random_state))
        return pd.DataFrame({"frequency": x, "monetary_value": m})
