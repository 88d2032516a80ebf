"""The estimator base shared by the purchase and spend models: hyperparameters, fitted state,
intervals (Laplace or bootstrap) and the dict round-trip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import numpy as np
from scipy.stats import norm

from micromix.clv._mcmc import Posterior
from micromix.clv._mle import MLEResult, laplace_draws
from micromix.errors import ConfigError, NotFittedError
from micromix.estimator import Estimator

__all__ = ["INTERVAL_METHODS", "LogParamEstimator", "check_interval"]

#: how parameter uncertainty is estimated
INTERVAL_METHODS: tuple[str, ...] = ("laplace", "bootstrap", "mcmc", "none")
#: default standard deviation of the weakly informative prior on the log shape parameters
#: (``interval="mcmc"``; see :meth:`micromix.clv.models.PurchaseModel._log_prior`)
DEFAULT_PRIOR_SD = 2.0

E = TypeVar("E", bound="LogParamEstimator")


def check_interval(interval: str) -> None:
    """Raise :class:`ConfigError` unless ``interval`` is one of :data:`INTERVAL_METHODS`."""
    if interval not in INTERVAL_METHODS:
        raise ConfigError(
            f"interval={interval!r} is not supported; choose one of {', '.join(INTERVAL_METHODS)}"
        )


class LogParamEstimator(Estimator):
    """A model with positive parameters fitted by maximum likelihood in log space.

    Parameters
    ----------
    interval : {"laplace", "bootstrap", "mcmc", "none"}
        How parameter uncertainty is estimated: the Laplace approximation (inverse Hessian of
        the log-likelihood in log-parameter space, so intervals are log-normal), a parametric
        bootstrap (``n_draws`` refits on data simulated from the fit), posterior sampling
        (``mcmc``: random-walk Metropolis chains on log-parameters under a weakly informative prior,
        purchase models only; the draws are refused - ``interval_problem_`` says why - when
        its convergence diagnostics fail), or not at all.
    n_draws : int
        Parameter draws kept in ``draws_`` for propagating uncertainty into predictions
        (Laplace draws, or bootstrap replicates).
    level : float
        Interval mass, e.g. 0.9 for 90% intervals.
    random_state : int
        Seed for the draws and the bootstrap.
    max_iter : int
        Iteration cap of the optimiser.
    prior_sd : float
        ``interval="mcmc"`` only: standard deviation of the normal prior on the logarithm of
        every heterogeneity shape parameter (the other parameters get nearly flat priors).
    """

    lookup_name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    param_names: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *,
        interval: str = "laplace",
        n_draws: int = 200,
        level: float = 0.9,
        random_state: int = 0,
        max_iter: int = 1000,
        prior_sd: float = DEFAULT_PRIOR_SD,
    ) -> None:
        self.interval = interval
        self.n_draws = n_draws
        self.level = level
        self.random_state = random_state
        self.max_iter = max_iter
        self.prior_sd = prior_sd

    def _validate_hyper(self) -> None:
        check_interval(self.interval)
        if not 0.5 <= float(self.level) < 1:
            raise ConfigError(f"level={self.level!r} must be in [0.5, 1)")
        if not float(self.prior_sd) > 0:
            raise ConfigError(f"prior_sd={self.prior_sd!r} must be > 0")
        if self.interval != "none" and int(self.n_draws) < 20:
            raise ConfigError(f"n_draws={self.n_draws!r} must be at least 20 for intervals")

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(summary) first"
            )

    @property
    def _p(self) -> np.ndarray:
        self._check_fitted()
        return np.array([self.params_[k] for k in self.param_names], dtype=float)

    def _set_params(self, theta: np.ndarray) -> None:
        self.log_params_ = np.asarray(theta, dtype=float)
        self.params_ = {k: float(v) for k, v in zip(self.param_names, np.exp(self.log_params_))}
        self.covariance_: np.ndarray | None = None
        self.draws_: np.ndarray | None = None
        self.param_intervals_: dict[str, tuple[float, float]] = {}
        self.interval_problem_ = ""

    def _store_fit(
        self,
        res: MLEResult,
        bootstrap: Callable[[np.random.Generator], np.ndarray],
        posterior: Callable[[np.random.Generator], Posterior] | None = None,
    ) -> None:
        """Learned state from an optimum: parameters, covariance, draws and intervals.

        ``posterior`` samples the posterior of the log-parameters (``interval="mcmc"``).
        """
        self._set_params(res.theta)
        self.log_likelihood_ = -res.nll
        self.n_evaluations_ = res.n_evaluations
        self.converged_ = res.converged
        self.hessian_pd_ = res.covariance is not None
        self.covariance_ = res.covariance
        rng = np.random.default_rng(self.random_state)
        q = (1 - float(self.level)) / 2
        if self.interval == "laplace" and res.covariance is not None:
            cov = res.covariance
            self.draws_ = laplace_draws(res.theta, cov, int(self.n_draws), rng)
            z = float(norm.ppf(1 - q)) * np.sqrt(np.diag(cov))  # exact log-normal quantiles
            with np.errstate(over="ignore"):  # a flat direction: the bound is unbounded (inf)
                lo, hi = np.exp(res.theta - z), np.exp(res.theta + z)
        elif self.interval == "mcmc":
            if posterior is None:
                raise ConfigError(
                    f"interval='mcmc' is not available for the {self.label} model; use "
                    "'laplace' or 'bootstrap'"
                )
            post = posterior(rng)
            self.posterior_ = post
            if post.problem:
                self.interval_problem_ = post.problem
                return
            self.draws_ = np.exp(post.draws)
            self.covariance_ = np.cov(post.draws, rowvar=False)
            full = np.exp(post.mcmc.flat)
            lo, hi = np.quantile(full, [q, 1 - q], axis=0)
        elif self.interval == "bootstrap":
            self.draws_ = bootstrap(rng)
            self.covariance_ = np.cov(np.log(self.draws_), rowvar=False)
            lo, hi = np.quantile(self.draws_, [q, 1 - q], axis=0)
        else:
            return
        self.param_intervals_ = {
            k: (float(a), float(b)) for k, a, b in zip(self.param_names, lo, hi)
        }

    @classmethod
    def from_params(cls: type[E], params: dict[str, float], **hyper: Any) -> E:
        """A model with given parameters (e.g. a known truth for simulation), as if fitted."""
        if any(k not in params for k in cls.param_names):
            raise ConfigError(f"{cls.label} needs parameters {', '.join(cls.param_names)}")
        bad = [k for k in cls.param_names if not float(params[k]) > 0]
        if bad:
            raise ConfigError(
                f"{cls.label} parameters must be > 0 (got {bad[0]}={params[bad[0]]!r})"
            )
        m = cls(**hyper)
        m._set_params(np.log([float(params[k]) for k in cls.param_names]))
        return m

    def to_dict(self) -> dict[str, Any]:
        """``{"model": lookup_name, "params": {...}, "hyperparameters": {...}}``."""
        self._check_fitted()
        return {
            "model": self.lookup_name,
            "params": dict(self.params_),
            "hyperparameters": self.get_params(),
        }
