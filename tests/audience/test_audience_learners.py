from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _audience_data import FEATURES

from micromix.audience.learners import get_learner, learner_from_dict, learner_names
from micromix.errors import ConfigError, DataValidationError, NotFittedError

ALL = ["s", "t", "x", "dr", "ct"]


def test_registry_lists_every_learner():
    assert learner_names() == sorted(ALL)
    with pytest.raises(ConfigError, match="unknown uplift learner 'zz'"):
        get_learner("zz")


@pytest.mark.parametrize("name", ALL)
def test_binary_learners_recover_the_true_uplift(binary_df, name):
    df = binary_df
    model = get_learner(name, n_estimators=60).fit(df[FEATURES], df["treatment"], df["y"])
    u = model.predict(df[FEATURES])
    assert u.shape == (len(df),)
    truth = 1 / (1 + np.exp(-(2.5 * df["x0"] + df["x1"]))) - 0.25
    assert np.corrcoef(u, truth)[0, 1] > 0.3
    assert model.outcome_kind_ == "binary" and model.arms_ == ["1"] and model.control_ == "0"


@pytest.mark.parametrize("name", ALL)
def test_continuous_outcome(spend_df, name):
    df = spend_df
    model = get_learner(name, n_estimators=60).fit(df[FEATURES], df["treatment"], df["y"])
    assert model.outcome_kind_ == "continuous"
    u = model.predict(df[FEATURES])
    truth = 1 / (1 + np.exp(-(2.5 * df["x0"] + df["x1"]))) - 0.25
    assert np.corrcoef(u, truth)[0, 1] > 0.3


@pytest.mark.parametrize("name", ["t", "x", "s"])
def test_linear_base(binary_df, name):
    df = binary_df
    model = get_learner(name, base="linear").fit(df[FEATURES], df["treatment"], df["y"])
    u = model.predict(df[FEATURES])
    # the effect rises with x0: a linear model must find the sign
    assert np.corrcoef(u, df["x0"])[0, 1] > 0.5


def test_several_arms_give_one_uplift_per_arm(multiarm_df):
    df = multiarm_df
    model = get_learner("t", n_estimators=60).fit(df[FEATURES], df["treatment"], df["y"])
    assert model.control_ == "none" and model.arms_ == ["email", "sms"]
    frame = model.predict_frame(df[FEATURES])
    assert list(frame.columns) == ["uplift_email", "uplift_sms"]
    # the two arms have opposite effect patterns in x0
    assert np.corrcoef(frame["uplift_email"], df["true_uplift_email"])[0, 1] > 0.3
    assert np.corrcoef(frame["uplift_sms"], df["true_uplift_sms"])[0, 1] > 0.3


def test_yes_no_treatment_and_outcome():
    rng = np.random.default_rng(0)
    n = 800
    X = pd.DataFrame({"a": rng.normal(size=n)})
    t = np.where(rng.random(n) < 0.5, "Yes", "No")
    y = np.where(rng.random(n) < 0.2 + 0.2 * (t == "Yes") * (X["a"] > 0), "yes", "no")
    model = get_learner("t", n_estimators=30).fit(X, t, y)
    assert model.control_ == "No" and model.arms_ == ["Yes"]
    u = model.predict(X)
    assert u[X["a"] > 0].mean() > u[X["a"] <= 0].mean()


def test_not_fitted_and_bad_inputs(binary_df):
    with pytest.raises(NotFittedError, match="call fit"):
        get_learner("x").predict(binary_df[FEATURES])
    with pytest.raises(DataValidationError, match="same length"):
        get_learner("t").fit(binary_df[FEATURES], binary_df["treatment"][:10], binary_df["y"])
    with pytest.raises(ConfigError, match="base='tree'"):
        get_learner("t", base="tree").fit(
            binary_df[FEATURES], binary_df["treatment"], binary_df["y"]
        )
    with pytest.raises(ConfigError, match="control-value"):
        get_learner("t").fit(
            binary_df[FEATURES], binary_df["treatment"].map({"0": "a", "1": "b"}), binary_df["y"]
        )


def test_dict_round_trip_and_repr():
    m = get_learner("dr", base="linear", n_estimators=10, control="No")
    d = m.to_dict()
    assert d["learner"] == "dr" and d["params"]["base"] == "linear"
    back = learner_from_dict(d)
    assert type(back) is type(m) and back.get_params() == m.get_params()
    assert "base='linear'" in repr(m)


def test_numpy_fast_path_matches_frame(binary_df):
    df = binary_df
    X = df[["x0", "x1", "x2"]].to_numpy()
    t = (df["treatment"] == "1").to_numpy().astype(int)
    a = get_learner("t", n_estimators=20).fit(X, t, df["y"].to_numpy()).predict(X)
    b = (
        get_learner("t", n_estimators=20)
        .fit(df[["x0", "x1", "x2"]], df["treatment"], df["y"])
        .predict(df[["x0", "x1", "x2"]])
    )
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
