"""Posterior sampling of log-parameters: adaptive random-walk Metropolis with diagnostics.

The Laplace approximation is a quadratic in log-parameters around the optimum. Where the
likelihood is a curved or flat ridge (Pareto/NBD's dropout heterogeneity ``s``, ``beta``:
many pairs with about the same mean lifetime fit equally well) it is far too narrow. This module
samples the posterior itself with several independent random-walk Metropolis chains, all
advanced together (one vectorised evaluation of every chain's proposal per iteration). The
proposal is a multivariate normal whose covariance is learnt during burn-in (Haario et al.
2001): from the Laplace covariance at the posterior mode, re-estimated every
:data:`ADAPT_EVERY` iterations from the pooled chains and scaled towards an acceptance rate of
about a quarter (Gelman, Roberts & Gilks 1996); after burn-in it is fixed, so the kept
iterations are an ordinary Metropolis chain.

Diagnostics, computed on the kept iterations of the independent chains:

* split R-hat (Gelman et al. 2013): between- against within-chain variance of the first and
  second half of every chain, the largest over parameters;
* effective sample size: kept draws divided by the integrated autocorrelation time, from the
  autocorrelation function averaged over chains with Sokal's automatic window, the smallest
  over parameters.

Private: :class:`micromix.clv._base.LogParamEstimator` (``interval="mcmc"``) is the public face.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "MCMCResult",
    "Posterior",
    "autocorrelation_time",
    "metropolis_sample",
    "sample_posterior",
    "split_rhat",
]

#: iterations between two updates of the proposal during burn-in
ADAPT_EVERY = 100
#: acceptance rate the proposal's scale is steered towards during burn-in
TARGET_ACCEPTANCE = 0.25


@dataclass(frozen=True)
class MCMCResult:
    """Outcome of :func:`metropolis_sample`: the kept chains and their diagnostics."""

    chain: np.ndarray  # (kept steps, chains, dim) log-parameters
    log_post: np.ndarray  # (kept steps, chains)
    acceptance: float  # share of accepted proposals over the kept steps
    rhat: np.ndarray  # split R-hat per parameter
    ess: np.ndarray  # effective sample size per parameter
    n_evaluations: int

    @property
    def flat(self) -> np.ndarray:
        """Kept draws pooled over chains, shape ``(steps * chains, dim)``."""
        return self.chain.reshape(-1, self.chain.shape[-1])


def metropolis_sample(
    log_post: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    proposal_cov: np.ndarray,
    *,
    burn: int,
    steps: int,
    rng: np.random.Generator,
) -> MCMCResult:
    """Sample ``exp(log_post)`` with independent, jointly advanced random-walk Metropolis chains.

    Parameters
    ----------
    log_post : callable
        ``(k, dim) -> (k,)`` log posterior density of ``k`` points (``-inf`` or NaN where the
        density is zero or cannot be evaluated: such proposals are rejected).
    start : ndarray
        ``(chains, dim)`` starting points, over-dispersed around the posterior's bulk; each
        must have a finite density.
    proposal_cov : ndarray
        Initial proposal covariance (adapted during burn-in, then fixed).
    burn, steps : int
        Iterations discarded (and used to adapt the proposal), then kept.
    rng : numpy.random.Generator
        Source of all randomness (so a seed gives identical draws).

    Returns
    -------
    MCMCResult
    """
    x = np.array(start, dtype=float)
    n_c, dim = x.shape
    lp = _clean(log_post(x))
    if not np.isfinite(lp).all():
        raise ValueError("every starting point needs a finite log posterior")
    evaluations = n_c
    cov = np.array(proposal_cov, dtype=float)
    scale = 2.38**2 / dim
    chol = _chol(cov * scale)
    history = np.empty((burn, n_c, dim))
    chain = np.empty((steps, n_c, dim))
    lps = np.empty((steps, n_c))
    window_acc = 0
    accepted = 0
    for it in range(burn + steps):
        prop = x + rng.standard_normal((n_c, dim)) @ chol.T
        lp_new = _clean(log_post(prop))
        evaluations += n_c
        ok = np.log(rng.random(n_c)) < lp_new - lp  # -inf proposals: never accepted
        x[ok] = prop[ok]
        lp[ok] = lp_new[ok]
        if it < burn:
            history[it] = x
            window_acc += int(ok.sum())
            if (it + 1) % ADAPT_EVERY == 0:
                rate = window_acc / (ADAPT_EVERY * n_c)
                scale *= float(np.exp(rate - TARGET_ACCEPTANCE) ** 4)
                recent = history[max(0, it + 1 - 3 * ADAPT_EVERY) : it + 1].reshape(-1, dim)
                emp = np.cov(recent, rowvar=False)
                if np.isfinite(emp).all() and np.linalg.matrix_rank(emp) == dim:
                    cov = emp
                chol = _chol(cov * scale)
                window_acc = 0
        else:
            chain[it - burn] = x
            lps[it - burn] = lp
            accepted += int(ok.sum())
    return MCMCResult(
        chain=chain,
        log_post=lps,
        acceptance=accepted / max(steps * n_c, 1),
        rhat=split_rhat(chain),
        ess=steps * n_c / autocorrelation_time(chain),
        n_evaluations=evaluations,
    )


def _chol(cov: np.ndarray) -> np.ndarray:
    """A Cholesky factor of a covariance, with a small ridge when it is barely definite."""
    c = (cov + cov.T) / 2
    jitter = 1e-10 * max(float(np.max(np.diag(c))), 1e-12)
    for _ in range(12):
        try:
            return np.linalg.cholesky(c + jitter * np.eye(len(c)))
        except np.linalg.LinAlgError:
            jitter *= 10
    return np.eye(len(c)) * 0.1


def _problem(res: MCMCResult) -> str:
    """Why a sample's diagnostics fail, or ``""``."""
    if not np.all(res.rhat <= MAX_RHAT):
        return (
            f"the posterior sampler did not converge (R-hat {np.nanmax(res.rhat):.2f} > {MAX_RHAT})"
        )
    if not np.all(res.ess >= MIN_ESS):
        return (
            f"the posterior sampler mixed too slowly (effective sample size "
            f"{np.min(res.ess):.0f} < {MIN_ESS:.0f})"
        )
    return ""


def _clean(v: np.ndarray) -> np.ndarray:
    out = np.asarray(v, dtype=float)
    return np.where(np.isnan(out) | np.isposinf(out), -np.inf, out)


def split_rhat(chain: np.ndarray) -> np.ndarray:
    """Split R-hat per parameter of a ``(steps, chains, dim)`` array (each chain cut in two)."""
    n = chain.shape[0] // 2
    if n < 2:
        return np.full(chain.shape[-1], np.nan)
    parts = np.concatenate([chain[:n], chain[n : 2 * n]], axis=1)  # (n, 2 * chains, dim)
    means = parts.mean(axis=0)
    within = parts.var(axis=0, ddof=1).mean(axis=0)
    between = n * means.var(axis=0, ddof=1)
    var_plus = (n - 1) / n * within + between / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(var_plus / within)


def autocorrelation_time(chain: np.ndarray, window: float = 5.0) -> np.ndarray:
    """Integrated autocorrelation time per parameter of a ``(steps, chains, dim)`` array.

    The autocorrelation function of every chain (by FFT), averaged over chains, summed up to
    the smallest lag ``M`` with ``M >= window * tau(M)`` (Sokal). At least 1.
    """
    n, _, dim = chain.shape
    out = np.empty(dim)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    for d in range(dim):
        y = chain[:, :, d] - chain[:, :, d].mean(axis=0)
        f = np.fft.rfft(y, n=size, axis=0)
        acf = np.fft.irfft(f * np.conj(f), n=size, axis=0)[:n].real
        var0 = acf[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.where(var0 > 0, acf / var0, 0.0).mean(axis=1)
        taus = 2.0 * np.cumsum(rho) - 1.0
        ok = np.arange(n) >= window * taus
        m = int(np.argmax(ok)) if ok.any() else n - 1
        out[d] = max(float(taus[m]), 1.0)
    return out


#: chains, discarded and kept iterations of :func:`sample_posterior`
CHAINS = 4
BURN = 500
STEPS = 1000
#: diagnostics a posterior sample must pass before its draws are used
MAX_RHAT = 1.1
MIN_ESS = 100.0


@dataclass(frozen=True)
class Posterior:
    """Outcome of :func:`sample_posterior`."""

    draws: np.ndarray  # (n_draws, dim) log-parameters from the kept chain
    mode: np.ndarray  # posterior mode (log-parameters) the chains started around
    mcmc: MCMCResult
    problem: str  # "" when the diagnostics pass, else why the draws should not be used


def sample_posterior(
    log_lik: Callable[[np.ndarray], np.ndarray],
    log_prior: Callable[[np.ndarray], np.ndarray],
    theta_hat: np.ndarray,
    *,
    n_draws: int,
    rng: np.random.Generator,
    chains: int = CHAINS,
    burn: int = BURN,
    steps: int = STEPS,
) -> Posterior:
    """Posterior draws of log-parameters: the mode, over-dispersed starts, Metropolis chains.

    Parameters
    ----------
    log_lik, log_prior : callable
        ``(k, dim) -> (k,)`` log-likelihood and log prior density of ``k`` log-parameter
        vectors (the prior is a density in log-parameter space, so no Jacobian is added).
    theta_hat : ndarray
        Maximum likelihood log-parameters (where the search for the mode starts).
    n_draws : int
        Draws returned, taken at random without replacement from the kept iterations of all
        chains.
    rng : numpy.random.Generator
    chains, burn, steps : int
        Independent chains, discarded (adaptation) and kept iterations.

    Returns
    -------
    Posterior
        ``problem`` names the failed diagnostic (R-hat above :data:`MAX_RHAT`, effective
        sample size below :data:`MIN_ESS`) or is empty. When the first run fails them, the
        chains continue once for twice as long (a new burn-in with the proposal they learnt)
        and that run is judged instead.
    """
    from micromix.clv._mle import LOG_BOUND, fit_log_params

    def log_post(th: np.ndarray) -> np.ndarray:
        th = np.atleast_2d(th)
        out = np.full(len(th), -np.inf)
        inside = (np.abs(th) <= LOG_BOUND).all(axis=1)
        if inside.any():
            lp = log_prior(th[inside])
            with np.errstate(all="ignore"):
                out[inside] = _clean(lp + log_lik(th[inside]))
        return out

    theta_hat = np.clip(np.asarray(theta_hat, dtype=float), -LOG_BOUND + 1, LOG_BOUND - 1)
    found = fit_log_params(lambda th: -float(log_post(th)[0]), [theta_hat], scale=1.0)
    mode = found.theta if np.isfinite(found.nll) else theta_hat
    cov = found.covariance
    dim = len(mode)
    if cov is None or not np.isfinite(cov).all():
        cov = np.eye(dim) * 0.01
    start = np.empty((chains, dim))
    filled = 0
    spread = 4.0 * cov  # over-dispersed (twice the Laplace standard deviations), so R-hat
    for _ in range(50):  # can see chains that have not forgotten where they started
        cand = rng.multivariate_normal(mode, spread, size=chains, method="eigh")
        good = cand[np.isfinite(log_post(cand))]
        take = min(len(good), chains - filled)
        start[filled : filled + take] = good[:take]
        filled += take
        if filled == chains:
            break
        spread = spread / 4
    if filled < chains:
        start[filled:] = mode + 1e-4 * rng.standard_normal((chains - filled, dim))
    res = metropolis_sample(log_post, start, cov, burn=burn, steps=steps, rng=rng)
    if _problem(res):  # one longer run from where the chains are, with what they learnt
        learnt = np.cov(res.flat, rowvar=False)
        res = metropolis_sample(
            log_post, res.chain[-1], learnt, burn=burn, steps=2 * steps, rng=rng
        )
    flat = res.flat
    pick = rng.choice(len(flat), size=min(int(n_draws), len(flat)), replace=False)
    problem = _problem(res)
    return Posterior(draws=flat[pick], mode=mode, mcmc=res, problem=problem)
