"""Uplift metrics, cross-checked against scikit-uplift and causalml (see the definitions in
micromix.audience.evaluation)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _audience_data import FEATURES
from hypothesis import given, settings
from hypothesis import strategies as st

from micromix.audience.evaluation import (
    auuc,
    bootstrap_scores,
    cross_validate_uplift,
    evaluate_uplift,
    qini_area,
    qini_coefficient,
    qini_curve,
    select_learner,
    uplift_at_k,
    uplift_curve,
)
from micromix.errors import ConfigError, DataValidationError


def _quiet_import(name: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip(name)


def _data(n=3000, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = (rng.random(n) < 0.5).astype(int)
    y = (rng.random(n) < 0.1 + 0.1 * t * (x > 0)).astype(int)
    score = x + rng.normal(scale=0.5, size=n)
    if ties:
        score = np.round(score, 1)
    return y, score, t


# scikit-uplift 0.5.1 calls a helper that scikit-learn 1.8+ deprecates
@pytest.mark.filterwarnings("ignore:Function stable_cumsum is deprecated:FutureWarning")
@pytest.mark.parametrize("ties", [False, True])
def test_matches_scikit_uplift(ties):
    skm = _quiet_import("sklift.metrics")
    y, u, t = _data(ties=ties)
    assert qini_coefficient(y, u, t) == pytest.approx(skm.qini_auc_score(y, u, t), rel=1e-10)
    assert auuc(y, u, t) == pytest.approx(skm.uplift_auc_score(y, u, t), rel=1e-10)
    assert uplift_at_k(y, u, t, 0.3) == pytest.approx(
        skm.uplift_at_k(y, u, t, strategy="overall", k=0.3), rel=1e-10
    )
    x_sk, q_sk = skm.qini_curve(y, u, t)
    curve = qini_curve(y, u, t)
    np.testing.assert_allclose(curve["n"], x_sk)
    np.testing.assert_allclose(curve["qini"], q_sk)
    x_sk, u_sk = skm.uplift_curve(y, u, t)
    np.testing.assert_allclose(uplift_curve(y, u, t)["uplift"], u_sk)


@pytest.mark.slow  # importing causalml alone takes several seconds
def test_relation_to_causalml_qini_score():
    """causalml averages (Q - random) over rows (a Riemann sum without tie groups) and, with
    normalize=True, divides by |Q(N)|: for untied scores this is our qini_area (/ |Q(N)|)."""
    metrics = _quiet_import("causalml.metrics")
    y, u, t = _data(n=4000, seed=3)
    df = pd.DataFrame({"y": y, "w": t, "model": u})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = float(
            metrics.qini_score(df, outcome_col="y", treatment_col="w", normalize=False)["model"]
        )
        norm = float(metrics.qini_score(df, outcome_col="y", treatment_col="w")["model"])
    q_n = abs(qini_curve(y, u, t)["qini"].iloc[-1])
    area = qini_area(y, u, t)
    assert area == pytest.approx(raw, rel=2e-3)
    assert area / q_n == pytest.approx(norm, rel=2e-3)
    # the two normalisations are different numbers: say so, do not pretend they agree
    assert abs(qini_coefficient(y, u, t) - norm) > 0.05


def test_perfect_random_and_reversed_rankings():
    y, _, t = _data(n=2000, seed=5)
    perfect = y * t - y * (1 - t)
    assert qini_coefficient(y, perfect, t) == pytest.approx(1.0)
    assert qini_coefficient(y, -perfect, t) < 0
    rng = np.random.default_rng(1)
    rand = [qini_coefficient(y, rng.normal(size=len(y)), t) for _ in range(20)]
    assert abs(np.mean(rand)) < 0.1
    assert qini_coefficient(y, np.zeros(len(y)), t) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_qini_is_invariant_to_monotone_transforms(seed):
    y, u, t = _data(n=300, seed=seed)
    a = qini_coefficient(y, u, t)
    assert qini_coefficient(y, 3 * u + 7, t) == pytest.approx(a, rel=1e-9, abs=1e-12)
    assert qini_coefficient(y, np.exp(u), t) == pytest.approx(a, rel=1e-9, abs=1e-12)


def test_continuous_outcome_and_validation():
    rng = np.random.default_rng(2)
    n = 1000
    t = (rng.random(n) < 0.5).astype(int)
    x = rng.normal(size=n)
    y = rng.gamma(2, 10, size=n) + 10 * t * (x > 0)
    good, bad = qini_coefficient(y, x, t), qini_coefficient(y, -x, t)
    assert good > 0.03 and bad < 0 and qini_area(y, x, t) > 0
    with pytest.raises(DataValidationError, match="same length"):
        qini_coefficient(y[:5], x, t)
    with pytest.raises(DataValidationError, match="NaN"):
        qini_coefficient(y, np.full(n, np.nan), t)
    with pytest.raises(ConfigError, match="k must be"):
        uplift_at_k(y, x, t, k=1.5)


def test_bootstrap_interval_brackets_the_estimate():
    y, u, t = _data(n=4000, seed=7)
    res = bootstrap_scores(y, u, t, n_bootstrap=100, seed=1).set_index("metric")
    for m in ("qini", "auuc", "uplift_at_k", "qini_area"):
        assert res.loc[m, "low"] < res.loc[m, "estimate"] < res.loc[m, "high"]
    assert res.loc["qini", "estimate"] == pytest.approx(evaluate_uplift(y, u, t)["qini"])
    assert res.loc["qini", "low"] > 0  # a real signal is significant at n = 4000


def test_cross_validation_and_selection(binary_df):
    df = binary_df
    res = cross_validate_uplift(
        "t", df[FEATURES], df["treatment"], df["y"], n_splits=3, n_bootstrap=20, n_estimators=40
    )
    s = res.summary.set_index("metric")
    assert len(res.folds) == 3 and res.oof["uplift"].notna().all()
    assert s.loc["qini", "low"] <= s.loc["qini", "mean"] <= s.loc["qini", "high"]
    assert s.loc["qini", "mean"] > 0.1
    best, table = select_learner(
        df[FEATURES], df["treatment"], df["y"], candidates=["t", "s"], n_splits=2, n_estimators=30
    )
    assert best in {"t", "s"} and table["learner"].iloc[0] == best


def test_cross_validation_several_arms(multiarm_df):
    df = multiarm_df
    res = cross_validate_uplift(
        "t", df[FEATURES], df["treatment"], df["y"], n_splits=2, n_bootstrap=10, n_estimators=30
    )
    assert set(res.summary["arm"]) == {"email", "sms"}
    assert list(res.oof.columns) == ["uplift_email", "uplift_sms"]
