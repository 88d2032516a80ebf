"""Maximum likelihood in log-parameter space, with a Laplace approximation.

Every CLV model has positive parameters; we optimise ``theta = log(params)`` so the search is
unconstrained (BFGS from a few starting points), then polish the best with Newton steps on a finite-difference Hessian (the same Hessian
gives the Laplace covariance). Private: the estimators in :mod:`micromix.clv.models` and
:mod:`micromix.clv.spend` are the public face.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize

__all__ = ["MLEResult", "fit_log_params", "hessian", "laplace_draws"]

#: bounds on every log-parameter: exp(+-25) covers any sensible rate, shape or scale
LOG_BOUND = 25.0
#: finite-difference steps (log-parameter units) for the gradient and the Hessian
GRAD_STEP = 1e-5
HESS_STEP = 1e-3


@dataclass(frozen=True)
class MLEResult:
    """Outcome of :func:`fit_log_params`."""

    theta: np.ndarray  # log-parameters at the optimum
    nll: float  # negative log-likelihood there
    hessian: np.ndarray  # of the NLL in log-parameter space
    gradient: np.ndarray
    converged: bool
    message: str
    n_evaluations: int

    @property
    def covariance(self) -> np.ndarray | None:
        """Inverse Hessian, or ``None`` when the Hessian is not positive definite."""
        try:
            np.linalg.cholesky(self.hessian)
        except np.linalg.LinAlgError:
            return None
        cov = np.linalg.inv(self.hessian)
        return (cov + cov.T) / 2


def _safe(f: Callable[[np.ndarray], float]) -> Callable[[np.ndarray], float]:
    def g(theta: np.ndarray) -> float:
        v = float(f(np.asarray(theta, dtype=float)))
        return v if np.isfinite(v) else 1e300

    return g


def gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = GRAD_STEP) -> np.ndarray:
    """Central-difference gradient."""
    g = np.empty(len(x))
    for i in range(len(x)):
        e = np.zeros(len(x))
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def hessian(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = HESS_STEP) -> np.ndarray:
    """Central-difference Hessian (symmetric)."""
    n = len(x)
    f0 = f(x)
    H = np.empty((n, n))
    eye = np.eye(n) * h
    for i in range(n):
        H[i, i] = (f(x + eye[i]) - 2 * f0 + f(x - eye[i])) / h**2
        for j in range(i + 1, n):
            H[i, j] = H[j, i] = (
                f(x + eye[i] + eye[j])
                - f(x + eye[i] - eye[j])
                - f(x - eye[i] + eye[j])
                + f(x - eye[i] - eye[j])
            ) / (4 * h**2)
    return H


def _newton_step(g: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Newton step restricted to directions of positive curvature.

    Returns ``(step, gain, flat_gradient)``: the step to *subtract*, the log-likelihood gain the
    quadratic model predicts for it, and the largest gradient component along directions with
    no positive curvature (flat ridges, where the parameters are not identified).
    """
    w, V = np.linalg.eigh((H + H.T) / 2)
    gv = V.T @ g
    pos = w > 1e-9 * max(1.0, float(np.max(np.abs(w))))
    step = V[:, pos] @ (gv[pos] / w[pos])
    gain = 0.5 * float(np.sum(gv[pos] ** 2 / w[pos]))
    flat = float(np.max(np.abs(gv[~pos]))) if (~pos).any() else 0.0
    return step, gain, flat


def _newton_polish(
    f: Callable[[np.ndarray], float], x: np.ndarray, fx: float, steps: int = 8
) -> tuple[np.ndarray, float]:
    """A few damped Newton steps (in the positively curved subspace); stops when a step no
    longer lowers ``f``."""
    for _ in range(steps):
        g = gradient(f, x)
        if np.max(np.abs(g)) < 1e-10:
            break
        step, _, _ = _newton_step(g, hessian(f, x))
        t = 1.0
        improved = False
        for _ in range(20):
            cand = np.clip(x - t * step, -LOG_BOUND, LOG_BOUND)
            fc = f(cand)
            if fc <= fx:
                improved = fc < fx
                x, fx = cand, fc
                break
            t /= 2
        if not improved:
            break
    return x, fx


def fit_log_params(
    nll: Callable[[np.ndarray], float],
    starts: Sequence[np.ndarray],
    *,
    scale: float = 1.0,
    max_iter: int = 1000,
    tol: float = 0.5,
) -> MLEResult:
    """Minimise ``nll(theta)`` over log-parameters from several starting points.

    Parameters
    ----------
    nll : callable
        Negative log-likelihood of the log-parameters (a float; inf/NaN count as very bad).
    starts : sequence of arrays
        Starting log-parameters. When the first reaches a converged optimum with a positive
        definite Hessian the others are skipped; otherwise all run and the best optimum wins.
    scale : float
        The search minimises ``nll / scale`` (pass the number of customers): gradients of order
        one keep the quasi-Newton search's first steps from jumping to extreme values.
    max_iter : int
        Iteration cap of each BFGS run.
    tol : float
        Convergence, in units of the *total* log-likelihood (so it means the same whatever the
        number of customers): a Newton step in the directions of positive curvature would gain
        less than ``tol / 50``, and along directions without curvature (a flat ridge: parameters
        running to extreme values because the data show no dropout or no heterogeneity) moving
        a log-parameter by one unit gains less than ``tol``. Both are statistically nothing. On
        a flat ridge the Hessian is not positive definite and Laplace intervals are refused.
    """
    count = [0]
    safe = _safe(nll)

    def f(theta: np.ndarray) -> float:
        count[0] += 1
        return safe(theta) / scale

    def penalised(theta: np.ndarray) -> float:
        # BFGS is unbounded: evaluate inside the box, and pull back from outside it
        inside = np.clip(theta, -LOG_BOUND, LOG_BOUND)
        return f(inside) + float(np.sum((theta - inside) ** 2))

    def run(x0: np.ndarray) -> tuple[np.ndarray, float, str]:
        res = optimize.minimize(
            penalised,
            np.asarray(x0, dtype=float),
            method="BFGS",
            options={"maxiter": max_iter, "gtol": 1e-7},
        )
        x = np.clip(np.asarray(res.x, dtype=float), -LOG_BOUND, LOG_BOUND)
        x, fx = _newton_polish(f, x, f(x))
        return x, fx, str(res.message)

    def judge(x: np.ndarray, fx: float) -> tuple[np.ndarray, np.ndarray, bool, bool]:
        g, H = gradient(f, x), hessian(f, x)
        _, gain, flat = _newton_step(g * scale, H * scale)
        ok = bool(np.isfinite(fx) and fx * scale < 1e299 and gain <= tol / 50 and flat <= tol)
        try:
            np.linalg.cholesky(H)
            curved = True
        except np.linalg.LinAlgError:
            curved = False
        return g, H, ok, curved

    # the first start usually lands on the (interior, curved) optimum: then the others are
    # skipped; otherwise every start runs and the best optimum wins
    x, fx, message = run(starts[0])
    g, H, converged, curved = judge(x, fx)
    if not (converged and curved) and len(starts) > 1:
        runs = [(x, fx, message)] + [run(x0) for x0 in starts[1:]]
        x, fx, message = min(runs, key=lambda r: r[1])
        g, H, converged, _ = judge(x, fx)
    return MLEResult(x, fx * scale, H * scale, g * scale, converged, message, count[0])


def laplace_draws(
    theta: np.ndarray, cov: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` parameter draws (natural scale) from the log-normal Laplace approximation."""
    # eigh tolerates the round-off of an ill-conditioned (but positive definite) covariance
    z = rng.multivariate_normal(np.asarray(theta, float), cov, size=n, method="eigh")
    return np.exp(np.clip(z, -LOG_BOUND, LOG_BOUND))
