"""Purchase and spend models: likelihoods against independent formulas, expectations against
simulation, parameter recovery, interval coverage, and the estimator contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import beta as beta_fn
from scipy.special import gamma as gamma_fn
from sklearn.base import clone

from micromix.clv import (
    BetaGeoModel,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    get_model,
    model_from_dict,
)
from micromix.clv.models import _bg_expected_alive, _jacobi_expect
from micromix.errors import ConfigError, DataValidationError, ModelError, NotFittedError


def _rows(x, tx, T):
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T})


# ------------------------------------------------------------------ likelihoods
def test_bgnbd_loglik_is_the_papers_formula():
    r, alpha, a, b = 0.3, 5.0, 0.9, 2.2
    x = np.array([0, 1, 2, 7])
    tx = np.array([0.0, 3.5, 20.0, 30.0])
    T = np.array([38.0, 38.0, 30.0, 31.0])
    # Fader, Hardie & Lee (2005), eq. (6), on the natural scale
    A = gamma_fn(r + x) * alpha**r / gamma_fn(r)
    L = A * beta_fn(a, b + x) / beta_fn(a, b) / (alpha + T) ** (r + x) + np.where(
        x > 0,
        A * beta_fn(a + 1, b + x - 1) / beta_fn(a, b) / (alpha + tx) ** (r + x),
        0.0,
    )
    got = BetaGeoModel.from_params(dict(r=r, alpha=alpha, a=a, b=b)).log_likelihood(_rows(x, tx, T))
    np.testing.assert_allclose(got, np.log(L), rtol=1e-12)


PARETO_GRID = [
    (0.55, 10.58, 0.61, 11.67),  # alpha < beta
    (0.55, 11.67, 0.61, 10.58),  # alpha > beta
    (2.0, 0.5, 3.0, 400.0),  # beta >> alpha: hyp2f1 argument near 1
    (0.2, 300.0, 0.05, 0.01),  # alpha >> beta
    (1.0, 4.0, 1.0, 4.0),  # alpha == beta
]


@pytest.mark.parametrize("params", PARETO_GRID)
def test_pareto_loglik_matches_quadrature_of_its_integral(params):
    r, alpha, s, beta = params
    x = np.array([0, 1, 3, 12, 40])
    tx = np.array([0.0, 2.0, 15.0, 37.5, 38.9])
    T = np.full(5, 39.0)
    got = ParetoNBDModel.from_params(dict(r=r, alpha=alpha, s=s, beta=beta)).log_likelihood(
        _rows(x, tx, T)
    )
    for i in range(5):
        # L = Γ(r+x)α^r β^s / Γ(r) [ (α+T)^-(r+x) (β+T)^-s + s ∫_tx^T (α+y)^-(r+x) (β+y)^-(s+1) dy ]
        k = r + x[i]

        def g(y, k=k):
            return (alpha + y) ** -k * (beta + y) ** -(s + 1)

        integral, _ = integrate.quad(g, tx[i], T[i], epsabs=0, epsrel=1e-12, limit=200)
        inner = (alpha + T[i]) ** -k * (beta + T[i]) ** -s + s * integral
        want = (
            np.log(gamma_fn(k) / gamma_fn(r)) + r * np.log(alpha) + s * np.log(beta) + np.log(inner)
        )
        assert got[i] == pytest.approx(want, rel=1e-8, abs=1e-8), (params, i)


def test_gamma_gamma_loglik_is_the_papers_formula():
    p, q, g = 6.25, 3.74, 15.44
    x = np.array([1.0, 2.0, 5.0])
    m = np.array([20.0, 35.5, 12.0])
    # Fader & Hardie (2013): f(m_x | p, q, γ, x)
    dens = (
        gamma_fn(p * x + q)
        / (gamma_fn(p * x) * gamma_fn(q))
        * g**q
        * m ** (p * x - 1)
        * x ** (p * x)
        / (g + m * x) ** (p * x + q)
    )
    got = GammaGammaModel._loglik(np.array([p, q, g]), x, m)
    np.testing.assert_allclose(got, np.log(dens), rtol=1e-10)


# ------------------------------------------------------------------ expectations
@pytest.mark.parametrize("a", [0.3, 0.793, 1.0005, 2.5])
def test_bg_closed_form_agrees_with_quadrature(a):
    p = np.array([0.243, 4.414, a, 2.426])
    x = np.array([0, 1, 2, 5, 20, 60], dtype=float)
    T = np.array([38.0, 30.0, 12.0, 38.0, 38.0, 25.0])
    t = np.full(6, 39.0)
    closed = _bg_expected_alive(p, x, T, t, 0.0)
    quad = _jacobi_expect(0.243, 4.414, a, 2.426 + x, x, T, t)
    np.testing.assert_allclose(closed, quad, rtol=1e-8)


def test_bg_expectation_is_smooth_through_a_equal_one():
    """At a = 1 the closed form divides by zero; the quadrature path must continue the curve."""
    rows = _rows([3.0], [20.0], [38.0])

    def at(a: float) -> float:
        m = BetaGeoModel.from_params(dict(r=0.5, alpha=5.0, a=a, b=2.0))
        return float(m.expected_purchases(rows, 30)[0])

    for h in (5e-4, 2e-3):  # 1 +- h: one side quadrature (|a-1| < 1e-3), other closed form
        mid = (at(1 - h) + at(1 + h)) / 2
        assert at(1.0) == pytest.approx(mid, rel=1e-5)
    assert at(1 - 2e-3) > at(1.0) > at(1 + 2e-3)  # more dropout-prone customers buy less


def test_bgnbd_published_customer_forecast(bg_truth):
    # Fader, Hardie & Lee (2005): x=2, t_x=30.43, T=38.86 -> 1.226 purchases in 39 weeks
    one = _rows([2], [30.43], [38.86])
    assert bg_truth.expected_purchases(one, 39)[0] == pytest.approx(1.226, abs=5e-4)


@pytest.mark.parametrize("name", ["bgnbd", "pareto", "mbgnbd"])
def test_expectations_match_simulation(name, truths):
    """E[X(t)] and the conditional E[Y(t) | x, t_x, T] against 60,000 simulated customers."""
    truth = get_model(name).from_params(truths[name])
    sim = truth.sample(np.full(60_000, 39.0), 39.0, random_state=3)
    # unconditional: mean repeat purchases by age 39
    mean_x = sim["frequency"].mean()
    se = sim["frequency"].std() / np.sqrt(len(sim))
    assert abs(truth.expected_purchases_new(39.0)[0] - mean_x) < 4 * se
    # conditional: the forecast of the holdout, in total and within calibration frequencies
    pred = truth.expected_purchases(sim, 39.0)
    for mask in (np.ones(len(sim), bool), sim["frequency"] == 0, sim["frequency"] == 1,
                 sim["frequency"].between(2, 4)):  # fmt: skip
        mask = np.asarray(mask)
        act = sim.loc[mask, "frequency_holdout"]
        se = act.std() / np.sqrt(len(act))
        assert abs(pred[mask].mean() - act.mean()) < 4 * se + 1e-3, name


def test_probability_alive_is_one_without_repeat_purchases_for_bgnbd_only(
    bg_truth, pareto_truth, truths
):
    rows = _rows([0, 0], [0.0, 0.0], [5.0, 39.0])
    assert np.all(bg_truth.probability_alive(rows) == 1.0)
    p = pareto_truth.probability_alive(rows)
    assert 0 < p[1] < p[0] < 1  # an older customer with no repeat purchase is less likely alive
    mbg = ModifiedBetaGeoModel.from_params(truths["mbgnbd"]).probability_alive(rows)
    assert np.all(mbg < 1)


# ------------------------------------------------------------------ fitting
@pytest.mark.parametrize("name", ["bgnbd", "pareto", "mbgnbd"])
def test_fit_recovers_the_truth_within_its_interval(name, truths):
    truth = get_model(name).from_params(truths[name])
    T = np.random.default_rng(1).integers(26 * 7, 39 * 7, 12_000) / 7  # ages in whole days
    data = truth.sample(T, random_state=11)
    model = get_model(name, n_draws=50).fit(data)
    assert model.converged_ and model.hessian_pd_
    sd = np.sqrt(np.diag(model.covariance_))
    z = (model.log_params_ - truth.log_params_) / sd
    assert np.all(np.abs(z) < 4), dict(zip(model.param_names, z))
    assert model.n_customers_ == 12_000
    for k, (lo, hi) in model.param_intervals_.items():
        assert lo < model.params_[k] < hi
    assert model.draws_.shape == (50, 4)


def test_sample_weights_equal_repeated_rows(bg_truth):
    data = bg_truth.sample(np.full(3000, 39.0), random_state=5)
    counts = data.groupby(["frequency", "recency", "T"]).size().reset_index(name="w")
    a = BetaGeoModel(interval="none").fit(data)
    b = BetaGeoModel(interval="none").fit(counts, sample_weight=counts["w"])
    for k in a.params_:
        assert a.params_[k] == pytest.approx(b.params_[k], rel=1e-6)


def test_laplace_intervals_cover_the_truth_at_the_stated_rate(bg_truth, truths):
    """30 datasets from known parameters: the 90% intervals of all four contain the truth
    about 90% of the time (pooled; the slow test runs more replicates and a tighter band)."""
    hits = []
    rng = np.random.default_rng(0)
    for rep in range(30):
        data = bg_truth.sample(rng.integers(20 * 7, 39 * 7, 1500) / 7, random_state=100 + rep)
        m = BetaGeoModel(level=0.9, n_draws=20, random_state=rep).fit(data)
        hits += [lo <= truths["bgnbd"][k] <= hi for k, (lo, hi) in m.param_intervals_.items()]
    assert 0.78 <= np.mean(hits) <= 0.99, np.mean(hits)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "interval"), [("bgnbd", "laplace"), ("pareto", "laplace"), ("bgnbd", "bootstrap")]
)
def test_interval_coverage_slow(name, interval, truths):
    truth = get_model(name).from_params(truths[name])
    reps = 100 if interval == "laplace" else 25
    hits = []
    rng = np.random.default_rng(1)
    for rep in range(reps):
        data = truth.sample(rng.integers(20 * 7, 39 * 7, 2000) / 7, random_state=1000 + rep)
        m = get_model(name, interval=interval, n_draws=60 if interval == "bootstrap" else 20,
                      random_state=rep).fit(data)  # fmt: skip
        hits += [lo <= truths[name][k] <= hi for k, (lo, hi) in m.param_intervals_.items()]
    cover = np.mean(hits)
    low, high = (0.84, 0.96) if interval == "laplace" else (0.78, 0.98)  # 400 vs 100 intervals
    assert low <= cover <= high, (name, interval, cover)


def test_bootstrap_intervals_and_progress(bg_truth):
    data = bg_truth.sample(np.full(1500, 39.0), random_state=2)
    seen: list[float] = []
    m = BetaGeoModel(interval="bootstrap", n_draws=20).fit(
        data, progress=lambda step, frac: seen.append(frac)
    )
    assert len(seen) == 20 and seen[-1] == 1.0
    assert m.draws_.shape == (20, 4)
    assert m.covariance_.shape == (4, 4)
    for k, (lo, hi) in m.param_intervals_.items():
        assert lo < hi
        assert lo / 3 < m.params_[k] < hi * 3  # the estimate sits near its bootstrap interval


def test_flat_likelihood_is_accepted_but_laplace_intervals_are_refused():
    """Customers who all buy at one rate and never leave: the dropout parameters run off to an
    extreme, predictions stay usable, and intervals are refused rather than invented."""
    rng = np.random.default_rng(4)
    T = np.full(800, 39.0)
    n = rng.poisson(0.3 * 39, 800)
    tx = np.array([np.max(rng.uniform(0, 39, k)) if k else 0.0 for k in n])
    data = _rows(n.astype(float), tx, T)
    m = BetaGeoModel().fit(data)
    assert not m.hessian_pd_ and m.draws_ is None and m.param_intervals_ == {}
    pred = m.expected_purchases(_rows([12.0], [38.0], [39.0]), 10)[0]
    assert pred == pytest.approx(3.0, rel=0.1)  # the common rate, 0.3 a week


# ------------------------------------------------------------------ spend
def test_gamma_gamma_recovers_the_truth(gg_truth):
    x = np.random.default_rng(0).integers(1, 8, 6000)
    data = gg_truth.sample(x, random_state=1)
    m = GammaGammaModel(n_draws=30).fit(data)
    z = (m.log_params_ - gg_truth.log_params_) / np.sqrt(np.diag(m.covariance_))
    assert np.all(np.abs(z) < 4)
    assert m.mean_spend() == pytest.approx(6.25 * 15.44 / 2.74, rel=0.1)


def test_gamma_gamma_shrinks_towards_the_population_mean(gg_truth):
    rows = pd.DataFrame({"frequency": [0.0, 1.0, 20.0], "monetary_value": [0.0, 100.0, 100.0]})
    e = gg_truth.expected_spend(rows)
    mean = gg_truth.mean_spend()
    assert e[0] == pytest.approx(mean)
    assert mean < e[1] < e[2] < 100  # more purchases: closer to the customer's own average


def test_gamma_gamma_refuses_heavy_tailed_values():
    rng = np.random.default_rng(2)
    x = rng.integers(1, 3, 4000).astype(float)
    m = (rng.pareto(0.5, 4000) + 1) * 10  # Pareto values with an infinite mean
    with pytest.raises(ModelError, match="q="):
        GammaGammaModel(interval="none").fit(pd.DataFrame({"frequency": x, "monetary_value": m}))


def test_gamma_gamma_needs_repeat_buyers():
    rows = pd.DataFrame(
        {"frequency": [0.0] * 20 + [1.0] * 3, "monetary_value": [0.0] * 20 + [5.0] * 3}
    )
    with pytest.raises(DataValidationError, match="only 3 customer"):
        GammaGammaModel().fit(rows)


# ------------------------------------------------------------------ estimator contract
def test_estimator_contract(bg_truth):
    m = BetaGeoModel(interval="none", level=0.8)
    assert m.get_params()["level"] == 0.8
    assert clone(m).get_params() == m.get_params()
    with pytest.raises(TypeError):
        BetaGeoModel("laplace")  # hyperparameters are keyword-only
    with pytest.raises(NotFittedError, match="not fitted"):
        m.expected_purchases(_rows([1], [1.0], [2.0]), 10)
    with pytest.raises(ConfigError, match="interval="):
        BetaGeoModel(interval="magic").fit(bg_truth.sample(np.full(50, 10.0), random_state=1))
    with pytest.raises(ConfigError, match="model="):
        get_model("nbd")


def test_to_dict_round_trip(bg_truth):
    back = model_from_dict(bg_truth.to_dict())
    assert isinstance(back, BetaGeoModel) and back.params_ == bg_truth.params_
    rows = _rows([2], [10.0], [30.0])
    assert back.expected_purchases(rows, 20)[0] == bg_truth.expected_purchases(rows, 20)[0]


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        (_rows([1], [5.0], [4.0]), "recency larger than its age"),
        (_rows([0], [2.0], [4.0]), "no repeat purchase but a non-zero recency"),
        (_rows([1.5], [2.0], [4.0]), "not a whole number"),
        (_rows([-1], [0.0], [4.0]), "negative"),
        (_rows([np.nan], [0.0], [4.0]), "missing"),
    ],
)
def test_bad_summary_rows_are_named(rows, match):
    with pytest.raises(DataValidationError, match=match) as exc:
        BetaGeoModel().fit(rows)
    assert "row 1" in str(exc.value)


def test_no_repeat_buyers_is_refused():
    with pytest.raises(DataValidationError, match="no customer made a repeat purchase"):
        ParetoNBDModel().fit(_rows([0, 0, 0], [0.0, 0.0, 0.0], [3.0, 4.0, 5.0]))


def test_pareto_loglik_without_rate_heterogeneity_skips_the_slow_hyp2f1(monkeypatch):
    # data with no heterogeneity in purchase rates run r into the thousands, where hyp2f1 took
    # 0.1-0.6 s per evaluation of 60 customers: a 60-customer `clv fit` took minutes
    from micromix.clv import models

    x = np.array([0, 1, 3, 12, 40])
    tx = np.array([0.0, 2.0, 15.0, 37.5, 38.9])
    T = np.full(5, 39.0)
    p = dict(r=5000.0, alpha=73000.0, s=0.01, beta=45.0)
    monkeypatch.setattr(models, "_HYP2F1_MAX_SHAPE", np.inf)
    want = ParetoNBDModel.from_params(p).log_likelihood(_rows(x, tx, T))
    monkeypatch.undo()

    def no_hyp2f1(*args):
        raise AssertionError("hyp2f1 evaluated for r + s in the thousands")

    monkeypatch.setattr(models, "hyp2f1", no_hyp2f1)
    got = ParetoNBDModel.from_params(p).log_likelihood(_rows(x, tx, T))
    np.testing.assert_allclose(got, want, rtol=1e-9)
