from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from micromix.checks import CheckResult
from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError, NotFittedError
from micromix.measurement import LiftTest, MarketingMixModel, MMMSpec, load_mmm
from micromix.optimize import ResponseModel

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PYMC_CSV = DATA / "mmm" / "pymc_marketing_mmm_example.csv"


def test_recovers_paid_and_organic_contributions(fitted, weekly):
    _, truth = weekly
    s = fitted.summary().set_index("channel")
    for c, v in truth.items():
        tol = 0.12 if c != "ugc_posts" else 0.3  # the organic channel is small next to the noise
        assert s.loc[c, "contribution"] == pytest.approx(v, rel=tol), c
        assert (
            s.loc[c, "contribution_lo"] <= s.loc[c, "contribution"] <= s.loc[c, "contribution_hi"]
        )
        assert s.loc[c, "contribution_lo"] <= v <= s.loc[c, "contribution_hi"], c
    assert s.loc["ugc_posts", "kind"] == "organic"
    assert np.isnan(s.loc["ugc_posts", "roas"])
    assert s.loc["tiktok", "roas"] > 0
    # diminishing returns: the next dollar earns less than the average dollar
    assert s.loc["tiktok", "marginal_roas"] < s.loc["tiktok", "roas"]


def test_contributions_frame_and_curves(fitted, weekly):
    df, _ = weekly
    c = fitted.contributions_
    assert list(c.columns) == ["week", "tiktok", "instagram", "ugc_posts"]
    assert len(c) == len(df)
    assert (c[["tiktok", "instagram", "ugc_posts"]] >= 0).all().all()
    curves = fitted.response_curves(np.array([0.0, 1.0, 2.0]))
    tk = curves[curves.channel == "tiktok"].set_index("multiplier")["contribution"]
    assert tk[0.0] == pytest.approx(0.0)
    assert tk[0.0] < tk[1.0] < tk[2.0]
    assert tk[2.0] - tk[1.0] < tk[1.0] - tk[0.0]
    assert set(curves.channel) == {"tiktok", "instagram"}
    long = fitted.contribution_intervals()
    assert (long["lo"] <= long["hi"] + 1e-9).all()


def test_diagnostics_are_checks(fitted, weekly):
    names = {c.name for c in fitted.diagnostics_}
    assert {"in_sample_fit", "convergence", "identifiability", "parameters_at_bounds"} <= names
    fit = next(c for c in fitted.diagnostics_ if c.name == "in_sample_fit")
    assert fit.details["r2"] > 0.8
    df, _ = weekly
    ho = fitted.holdout_check(df)
    assert isinstance(ho, CheckResult) and ho.details["mape"] < 10


def test_is_a_response_model_and_save_load_round_trip(fitted, tmp_path):
    assert isinstance(fitted, ResponseModel)
    assert fitted.channels == ["tiktok", "instagram"]
    spend = np.array([[1000.0, 2000.0], [0.0, 0.0]])
    r = fitted.response(spend)
    assert r.shape == (2,) and r[1] == pytest.approx(0.0) and r[0] > 0
    fitted.save(tmp_path)
    loaded = load_mmm(tmp_path)
    np.testing.assert_allclose(loaded.response(spend), r)
    np.testing.assert_allclose(loaded.current_spend, fitted.current_spend)
    assert loaded.response_draws(spend[0]).shape == (100,)


def test_lift_test_calibration_pulls_towards_the_experiment(weekly, spec_kw):
    df, _ = weekly
    base = {**spec_kw, "n_draws": 0}
    plain = MarketingMixModel(spec=MMMSpec(**base)).fit(df)
    scale = df["tiktok"].max()
    # a (deliberately strong) lift test claims tiktok is worth 2x what the model found
    spend = float(df["tiktok"].mean())
    model_delta = (
        float(
            plain.channel_response(np.array([spend * 2 * 52, 0.0]))[0]
            - plain.channel_response(np.array([spend * 52, 0.0]))[0]
        )
        / 52
    )
    lt = LiftTest(
        "tiktok",
        spend=spend,
        delta_spend=spend,
        delta_outcome=2 * model_delta,
        sigma=0.02 * model_delta,
    )
    cal = MarketingMixModel(spec=MMMSpec(**base, lift_tests=(lt,))).fit(df)
    new_delta = (
        float(
            cal.channel_response(np.array([spend * 2 * 52, 0.0]))[0]
            - cal.channel_response(np.array([spend * 52, 0.0]))[0]
        )
        / 52
    )
    assert new_delta > 1.3 * model_delta
    assert scale > 0


@pytest.mark.parametrize(
    "mutate, error, match",
    [
        (
            lambda d: d.assign(week=d["week"].astype(object).where(d.index != 5, None)),
            DataValidationError,
            "date column 'week' is missing",
        ),
        (
            lambda d: d.assign(tiktok=d["tiktok"].astype(object).where(d.index != 3, "n/a")),
            DataValidationError,
            "non-numeric value 'n/a'",
        ),
        (
            # an events calendar of labels: one 0/1 column per label, not "clean to a number"
            lambda d: d.assign(promo=np.where(d.index % 5 == 0, "launch", "none")),
            DataValidationError,
            r"holds labels \('launch', 'none'\), not numbers: make one 0/1 column per label",
        ),
        (lambda d: d.head(12), DataValidationError, "too few"),
        (lambda d: d.assign(instagram=-d["instagram"]), DataValidationError, "negative"),
        (lambda d: pd.concat([d, d.head(1)]), DataValidationError, "more than once"),
        (lambda d: d.drop(columns=["promo"]), ColumnNotFoundError, "not found"),
    ],
)
def test_bad_input_raises_one_clear_error(weekly, spec_kw, mutate, error, match):
    df, _ = weekly
    spec = MMMSpec(**spec_kw)
    with pytest.raises(error, match=match):
        MarketingMixModel(spec=spec).fit(mutate(df.copy()))


def test_spec_validation_and_not_fitted():
    with pytest.raises(ConfigError, match="adstock"):
        MMMSpec(date_col="d", target="y", channels=("a",), adstock="exp")
    with pytest.raises(ConfigError, match="listed twice"):
        MMMSpec(date_col="d", target="y", channels=("a",), organic=("a",))
    with pytest.raises(ConfigError, match="lift test channel"):
        MMMSpec(
            date_col="d",
            target="y",
            channels=("a",),
            lift_tests=(LiftTest("b", 1.0, 1.0, 1.0, 1.0),),
        )
    spec = MMMSpec(date_col="d", target="y", channels=("a",))
    assert MMMSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(NotFittedError):
        MarketingMixModel(spec=spec).summary()


@pytest.mark.slow
def test_other_registered_curves_fit(weekly, spec_kw):
    df, truth = weekly
    spec = MMMSpec(
        **spec_kw,
        adstock="weibull",
        saturation="hill",
        n_draws=0,
    )
    m = MarketingMixModel(spec=spec, n_starts=8).fit(df)
    s = m.summary().set_index("channel")
    total = sum(truth.values())
    assert s["contribution"].sum() == pytest.approx(total, rel=0.2)


@pytest.mark.shared_data
@pytest.mark.skipif(
    not PYMC_CSV.exists(), reason="needs ../shared/data/mmm (pymc-marketing example)"
)
def test_pymc_marketing_example_within_five_percent_of_truth():
    df = pd.read_csv(PYMC_CSV)
    spec = MMMSpec(
        date_col="date_week",
        target="y",
        channels=("x1", "x2"),
        controls=("event_1", "event_2"),
        n_draws=50,
    )
    m = MarketingMixModel(spec=spec).fit(df)
    s = m.summary().set_index("channel")
    # truth: documented DGP (alpha .4/.2, lam 4/3, beta 3/2, amplitude 1000) on the CSV's x1/x2
    truth = {"x1": 274848.3, "x2": 65905.98}
    for c, v in truth.items():
        assert abs(s.loc[c, "contribution"] / v - 1) < 0.05, c
