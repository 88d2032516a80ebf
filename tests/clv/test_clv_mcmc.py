"""Posterior sampling of the purchase models (``interval="mcmc"``): the sampler on targets
with known answers, its diagnostics, the vectorised likelihoods it uses, parameter recovery,
posterior interval coverage over replicates, determinism and refusal."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

from micromix.clv import (
    GammaGammaModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    _mcmc,
    clv_by_group,
    customer_value,
    fit_clv,
    get_model,
    simulate_transactions,
)
from micromix.clv._mcmc import (
    autocorrelation_time,
    metropolis_sample,
    sample_posterior,
    split_rhat,
)
from micromix.clv.models import (
    BetaGeoModel,
    _pareto_log_integral_gl,
)
from micromix.errors import ConfigError


# ------------------------------------------------------------------ the sampler itself
def _gauss(mean: np.ndarray, cov: np.ndarray):
    prec = np.linalg.inv(cov)

    def log_post(th: np.ndarray) -> np.ndarray:
        d = np.atleast_2d(th) - mean
        return -0.5 * np.einsum("ki,ij,kj->k", d, prec, d)

    return log_post


def test_metropolis_recovers_a_correlated_gaussian():
    mean = np.array([1.0, -2.0, 0.5])
    cov = np.array([[1.0, 0.95, 0.0], [0.95, 1.0, 0.0], [0.0, 0.0, 0.01]])  # a thin ridge
    rng = np.random.default_rng(0)
    start = mean + rng.standard_normal((8, 3)) * 2
    res = metropolis_sample(_gauss(mean, cov), start, np.eye(3), burn=800, steps=2000, rng=rng)
    flat = res.flat
    np.testing.assert_allclose(flat.mean(axis=0), mean, atol=0.1)
    np.testing.assert_allclose(np.cov(flat, rowvar=False), cov, atol=0.12)
    assert np.all(res.rhat < 1.05)
    assert np.all(res.ess > 500)
    assert 0.1 < res.acceptance < 0.45  # adapted towards a quarter


def test_split_rhat_flags_chains_that_disagree():
    rng = np.random.default_rng(1)
    good = rng.standard_normal((500, 6, 2))
    assert np.all(split_rhat(good) < 1.02)
    bad = good.copy()
    bad[:, :3, 0] += 3.0  # half the chains elsewhere
    r = split_rhat(bad)
    assert r[0] > 1.5 and r[1] < 1.02


def test_autocorrelation_time_of_iid_and_ar1_draws():
    rng = np.random.default_rng(2)
    iid = rng.standard_normal((4000, 4, 1))
    assert autocorrelation_time(iid)[0] == pytest.approx(1.0, abs=0.2)
    phi = 0.8  # AR(1): tau = (1 + phi) / (1 - phi) = 9
    y = np.zeros((4000, 4, 1))
    for t in range(1, 4000):
        y[t] = phi * y[t - 1] + rng.standard_normal((4, 1))
    assert autocorrelation_time(y)[0] == pytest.approx(9.0, rel=0.25)


def test_sample_posterior_refuses_when_the_diagnostics_fail(monkeypatch):
    mean, cov = np.zeros(2), np.eye(2)
    post = sample_posterior(
        _gauss(mean, cov), lambda th: np.zeros(len(th)), mean, n_draws=50,
        rng=np.random.default_rng(0), burn=200, steps=300,
    )  # fmt: skip
    assert post.problem == ""
    assert post.draws.shape == (50, 2)
    monkeypatch.setattr(_mcmc, "MIN_ESS", 1e9)  # no sample can pass
    post = sample_posterior(
        _gauss(mean, cov), lambda th: np.zeros(len(th)), mean, n_draws=50,
        rng=np.random.default_rng(0), burn=200, steps=300,
    )  # fmt: skip
    assert post.problem.startswith("the posterior sampler mixed too slowly")


# ------------------------------------------------------------------ vectorised likelihoods
GRID = [
    (0.55, 10.58, 0.61, 11.67),
    (0.55, 11.67, 0.61, 10.58),
    (2.0, 0.5, 3.0, 400.0),
    (0.2, 300.0, 0.05, 0.01),
    (1.0, 4.0, 1.0, 4.0),
    (1.2, 11.6, 168.0, 6770.0),  # far out on the (s, beta) ridge
]


def _pareto_log_integral_quad(p: np.ndarray, x: float, tx: float, T: float) -> float:
    """log ∫_{t_x}^{T} (α+y)^-(r+x) (β+y)^-(s+1) dy by adaptive quadrature: the reference the
    vectorised Gauss-Legendre rule is checked against."""
    r, alpha, s, beta = (float(v) for v in p)
    if tx >= T:
        return -np.inf

    def logg(y: float) -> float:
        return -(r + x) * np.log(alpha + y) - (s + 1) * np.log(beta + y)

    top = logg(tx)  # the integrand decreases in y: scale by its value at t_x
    with warnings.catch_warnings():
        # quad's roundoff notice at extreme parameters is not an error
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        val, _ = integrate.quad(
            lambda y: np.exp(logg(y) - top), tx, T, limit=200, epsabs=0, epsrel=1e-10
        )
    return top + np.log(val) if val > 0 else -np.inf


def test_pareto_many_rows_matches_the_hyp2f1_likelihood_and_the_integral():
    x = np.array([0.0, 1, 3, 12, 40])
    tx = np.array([0.0, 2.0, 15.0, 37.5, 38.9])
    T = np.array([39.0, 39.0, 30.0, 38.0, 39.0])
    P = np.array(GRID)
    many = ParetoNBDModel._loglik_many(P, x, tx, T)
    for k, p in enumerate(P):
        one = ParetoNBDModel._loglik(p, x, tx, T)
        np.testing.assert_allclose(many[k], one, rtol=1e-7, atol=1e-7)
        # the dropout integral alone against adaptive quadrature
        for i in np.flatnonzero(tx < T):
            gl = _pareto_log_integral_gl(*(np.array([v]) for v in (*p, x[i], tx[i], T[i])))
            quad = _pareto_log_integral_quad(p, x[i], tx[i], T[i])
            assert gl[0] == pytest.approx(quad, rel=1e-8, abs=1e-6)


@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel])
def test_bg_family_many_rows_matches_row_by_row(cls):
    x = np.array([0.0, 1, 3, 12])
    tx = np.array([0.0, 2.0, 15.0, 37.5])
    T = np.array([39.0, 39.0, 30.0, 38.0])
    P = np.array([[0.24, 4.4, 0.79, 2.4], [1.5, 12.0, 0.3, 9.0], [0.5, 2.0, 40.0, 80.0]])
    many = cls._loglik_many(P, x, tx, T)
    for k, p in enumerate(P):
        np.testing.assert_allclose(many[k], cls._loglik(p, x, tx, T), rtol=1e-12)


# ------------------------------------------------------------------ models
def _cohort(truth: dict[str, float], cls, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return cls.from_params(truth).sample(rng.uniform(20, 39, n), random_state=seed)


@pytest.fixture(scope="module")
def pareto_fit(truths):
    data = _cohort(truths["pareto"], ParetoNBDModel, 2000, 11)
    return data, ParetoNBDModel(interval="mcmc", n_draws=200, random_state=3).fit(data)


def test_pareto_posterior_recovers_known_parameters(pareto_fit, truths):
    _, m = pareto_fit
    assert m.interval_problem_ == ""
    assert m.draws_.shape == (200, 4)
    for k, v in truths["pareto"].items():
        lo, hi = m.param_intervals_[k]
        assert lo <= v <= hi, (k, v, lo, hi)
    mc = m.posterior_.mcmc
    assert np.all(mc.rhat <= _mcmc.MAX_RHAT) and np.all(mc.ess >= _mcmc.MIN_ESS)
    assert m.params_ == pytest.approx(
        ParetoNBDModel(interval="none").fit(pareto_fit[0]).params_
    )  # the point estimate stays the maximum likelihood one


def test_predictions_under_a_posterior_are_posterior_means(pareto_fit, gg_truth):
    """With posterior draws, purchases, P(alive) and CLV are averages over the draws (not the
    values at the optimum), so each customer's CLV lies inside its own interval."""
    data, m = pareto_fit
    rng = np.random.default_rng(4)
    summary = data.assign(monetary_value=rng.gamma(6.0, 7.5, len(data)))
    sm = GammaGammaModel(n_draws=200).fit(summary)
    vals, draws = customer_value(m, sm, summary, horizon=52, return_draws=True)
    np.testing.assert_allclose(vals["clv"], draws.mean(axis=0))
    x, tx, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    alive = np.mean([m._p_alive(p, x, tx, T) for p in m.draws_], axis=0)
    np.testing.assert_allclose(vals["probability_alive"], alive, rtol=1e-10)
    ahead = np.mean([m._expected(p, x, tx, T, np.full(len(x), 52.0)) for p in m.draws_], axis=0)
    np.testing.assert_allclose(vals["expected_purchases"], ahead, rtol=1e-10)
    assert ((vals["clv_low"] <= vals["clv"]) & (vals["clv"] <= vals["clv_high"])).all()
    # the purchase columns are posterior means without a spend model too
    alone = customer_value(m, None, summary, horizon=52)
    np.testing.assert_allclose(alone["probability_alive"], alive, rtol=1e-10)
    np.testing.assert_allclose(alone["expected_purchases"], ahead, rtol=1e-10)
    # and they differ from the values at the optimum, which a fit without draws reports
    mle = ParetoNBDModel.from_params(m.params_)
    plug = customer_value(mle, None, summary, horizon=52)["probability_alive"]
    np.testing.assert_allclose(plug, mle.probability_alive(summary))
    assert not np.allclose(plug, alive, rtol=1e-3)


def test_posterior_sampling_is_deterministic_with_a_seed(truths):
    data = _cohort(truths["mbgnbd"], ModifiedBetaGeoModel, 800, 12)
    first, again, other = (
        ModifiedBetaGeoModel(interval="mcmc", n_draws=100, random_state=seed).fit(data)
        for seed in (3, 3, 4)
    )
    np.testing.assert_array_equal(again.draws_, first.draws_)
    assert not np.array_equal(other.draws_, first.draws_)


def _coverage(name: str, truth: dict[str, float], reps: int, n: int) -> np.ndarray:
    cls = type(get_model(name))
    hits = []
    for rep in range(reps):
        data = _cohort(truth, cls, n, 100 + rep)
        m = cls(interval="mcmc", n_draws=100, random_state=rep).fit(data)
        assert m.interval_problem_ == ""
        hits.append([lo <= truth[k] <= hi for k, (lo, hi) in m.param_intervals_.items()])
    return np.array(hits)


def test_posterior_intervals_cover_over_a_few_replicates(truths):
    hits = _coverage("mbgnbd", truths["mbgnbd"], reps=4, n=1500)
    # 16 intervals at 90%: 12 or more with probability 0.98
    assert hits.sum() >= 12, hits


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mbgnbd", "pareto"])
def test_posterior_intervals_cover_at_the_stated_rate(name, truths):
    hits = _coverage(name, truths[name], reps=25, n=1500)
    assert 0.8 <= hits.mean() <= 0.98, hits.mean(axis=0)


def test_the_spend_model_refuses_posterior_sampling(gg_truth):
    data = pd.DataFrame({"frequency": [1.0, 2, 3] * 10, "monetary_value": [10.0, 20, 35] * 10})
    with pytest.raises(ConfigError, match="interval='mcmc' is not available"):
        GammaGammaModel(interval="mcmc").fit(data)


def test_prior_sd_must_be_positive(truths):
    with pytest.raises(ConfigError, match="prior_sd"):
        ModifiedBetaGeoModel(interval="mcmc", prior_sd=0).fit(
            _cohort(truths["mbgnbd"], ModifiedBetaGeoModel, 200, 1)
        )


# ------------------------------------------------------------------ pipeline
@pytest.fixture(scope="module")
def transactions(bg_truth, gg_truth):
    return simulate_transactions(bg_truth, gg_truth, customers=1500, random_state=5)


def test_fit_clv_with_posterior_sampling(transactions):
    res = fit_clv(
        transactions, calibration_end="1997-09-30", model="mbgnbd", interval="mcmc", n_draws=60
    )
    assert res.purchase_model.draws_ is not None
    assert res.spend_model is not None and res.spend_model.interval == "laplace"
    lo, hi = res.totals["total_clv_interval"]
    assert lo < res.totals["total_clv"] < hi


def test_clv_by_group_notes_a_sampler_that_fails_its_diagnostics(transactions, monkeypatch):
    from micromix.clv.data import rfm_summary

    value = next(c for c in transactions.columns if c not in ("customer_id", "date"))
    s = rfm_summary(transactions, value_col=value, calibration_end="1997-09-30")
    groups = pd.Series("g", index=s.index)
    ok = clv_by_group(s, groups, model="mbgnbd", interval="mcmc", n_draws=60).iloc[0]
    assert ok["note"] == "" and ok["clv_mean_low"] < ok["clv_mean"] < ok["clv_mean_high"]
    monkeypatch.setattr(_mcmc, "MIN_ESS", 1e9)
    row = clv_by_group(s, groups, model="mbgnbd", interval="mcmc", n_draws=60).iloc[0]
    assert np.isfinite(row["clv_mean"]) and np.isnan(row["clv_mean_low"])
    assert row["note"].startswith("interval refused: the posterior sampler mixed too slowly")


def test_clv_by_group_average_mixes_the_families_by_likelihood(transactions):
    from micromix.clv.data import rfm_summary

    value = next(c for c in transactions.columns if c not in ("customer_id", "date"))
    s = rfm_summary(transactions, value_col=value, calibration_end="1997-09-30")
    groups = pd.Series("g", index=s.index)
    hyper = dict(interval="mcmc", n_draws=60, horizon=52)
    avg = clv_by_group(s, groups, model="average", **hyper).iloc[0]
    one = {m: clv_by_group(s, groups, model=m, **hyper).iloc[0] for m in ("mbgnbd", "pareto")}
    ll = {m: get_model(m, interval="none").fit(s).log_likelihood_ for m in ("mbgnbd", "pareto")}
    w = 1.0 / (1.0 + np.exp(ll["mbgnbd"] - ll["pareto"]))  # Pareto/NBD's weight
    assert avg["note"] == ""
    parts = dict(p.split() for p in avg["model"].removeprefix("average: ").split(", "))
    if 0.01 <= w <= 0.99:
        assert set(parts) == {"mbgnbd", "pareto"}
        assert float(parts["pareto"]) == pytest.approx(w, abs=0.02)
        want = (1 - w) * one["mbgnbd"]["clv_mean"] + w * one["pareto"]["clv_mean"]
        assert avg["clv_mean"] == pytest.approx(want, rel=0.01)
        lo, hi = sorted(one[m]["clv_mean"] for m in one)
        assert lo <= avg["clv_mean"] <= hi
    else:  # one family carries (almost) all the weight: it alone
        best = "pareto" if w > 0.99 else "mbgnbd"
        assert parts == {best: "1.00"}
        assert avg["clv_mean"] == pytest.approx(one[best]["clv_mean"], rel=1e-6)
    assert avg["clv_mean_low"] < avg["clv_mean"] < avg["clv_mean_high"]


@pytest.mark.slow
def test_a_ridge_that_runs_the_search_off_still_gets_a_posterior():
    """600 customers aged 26-32 weeks from the simulator's ugc_amplified profile (true s 2,
    beta 78): the sampler-form search runs off along the (s, beta) ridge without converging
    (seed 1), the exact form's search stops out there (s ~ 170), and the posterior, which the
    prior keeps proper, still contains the truth where a Laplace interval around s ~ 170 would
    not."""
    truth = {"r": 1.2, "alpha": 1.2 / 0.11, "s": 2.0, "beta": 78.0}
    rng = np.random.default_rng(1001)
    data = ParetoNBDModel.from_params(truth).sample(rng.uniform(26, 32, 600), random_state=1)
    m = ParetoNBDModel(interval="mcmc", random_state=1).fit(data)
    assert m.params_["s"] > 50  # the maximum likelihood point is far out on the ridge
    assert m.interval_problem_ == ""
    for k in ("s", "beta"):
        lo, hi = m.param_intervals_[k]
        assert lo <= truth[k] <= hi, (k, lo, hi)
