"""Cross-fitted (out-of-fold) scores of the training rows, and their predicted value checked
against the lift the experiment shows (calibration)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import StratifiedKFold
from typer.testing import CliRunner

from micromix.audience.learners import get_learner
from micromix.audience.policy import (
    TargetingSpec,
    compare_policies,
    recorded_experiment,
    target,
)
from micromix.audience.privacy import check_min_audience
from micromix.audience.scoring import (
    CONTROL_COLUMN,
    IN_SAMPLE_COLUMN,
    OUT_OF_FOLD_COLUMN,
    TREATMENT_COLUMN,
    score_uplift,
)
from micromix.checks import Status
from micromix.cli.main import app
from micromix.errors import ConfigError

runner = CliRunner()
NOISE = [f"n{i}" for i in range(8)]


def _spend(n: int = 4000, seed: int = 5) -> pd.DataFrame:
    """A spend experiment whose true uplift is 3 (x0 > 0) or 0, buried in noisy spend and
    eight noise features: a boosted model's scores of its own training rows overfit it."""
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    t = rng.integers(0, 2, n)
    tau = np.where(x0 > 0, 3.0, 0.0)
    spend = np.maximum(0.0, 20 + 5 * x0 + tau * t + rng.normal(0, 15, n)).round(2)
    df = pd.DataFrame({"user_id": [f"u{i}" for i in range(n)], "x0": x0.round(4)})
    for c in NOISE:
        df[c] = rng.normal(size=n).round(4)
    return df.assign(promo=np.where(t == 1, "mail", "none"), spend=spend, true_uplift=tau)


FEATS = ["x0", *NOISE]
SPEC = TargetingSpec(
    budget=200.0, cost_per_contact=0.1, value_per_conversion=1.0, outcome_unit="value"
)


@pytest.fixture(scope="module")
def spend_df() -> pd.DataFrame:
    return _spend()


@pytest.fixture(scope="module")
def runs(spend_df):
    kw = {"treatment": "promo", "outcome": "spend", "control": "none", "features": FEATS}
    params = {"n_estimators": 200, "learning_rate": 0.1}  # deep enough to memorise noise
    return (
        score_uplift(spend_df, **kw, **params),
        score_uplift(spend_df, **kw, folds=None, **params),
    )


def test_every_training_row_is_scored_by_a_model_that_did_not_see_it(spend_df):
    run = score_uplift(
        spend_df, treatment="promo", outcome="spend", control="none", features=FEATS,
        base="linear", folds=4, seed=3,
    )  # fmt: skip
    s = run.scored
    assert s[OUT_OF_FOLD_COLUMN].all() and not s[IN_SAMPLE_COLUMN].any()
    assert (s[TREATMENT_COLUMN] == "promo").all() and (s[CONTROL_COLUMN] == "none").all()
    assert run.folds == 4 and run.to_dict()["scores"] == "out_of_fold"
    # by hand: 4 folds stratified by arm, seeded, each fold scored by the other three
    labels = spend_df["promo"].to_numpy()
    expected = np.full(len(spend_df), np.nan)
    skf = StratifiedKFold(n_splits=4, shuffle=True, random_state=3)
    for tr, te in skf.split(np.zeros(len(labels)), labels):
        m = get_learner("t", control="none", base="linear", random_state=3)
        m.fit(spend_df.iloc[tr][FEATS], labels[tr], spend_df["spend"].to_numpy()[tr])
        expected[te] = m.predict(spend_df.iloc[te][FEATS])
    assert s["uplift"].to_numpy() == pytest.approx(expected)
    # the model for new people is fitted on every row
    full = get_learner("t", control="none", base="linear", random_state=3)
    full.fit(spend_df[FEATS], labels, spend_df["spend"].to_numpy())
    new = spend_df.iloc[:50]
    assert run.model.predict(new[FEATS]) == pytest.approx(full.predict(new[FEATS]))
    held = score_uplift(
        spend_df, treatment="promo", outcome="spend", control="none", features=FEATS,
        base="linear", folds=4, seed=3, score=new,
    )  # fmt: skip
    assert held.scored["uplift"].to_numpy() == pytest.approx(full.predict(new[FEATS]))
    assert not held.scored[OUT_OF_FOLD_COLUMN].any() and held.to_dict()["scores"] == "new_rows"


def test_in_sample_scores_overfit_and_out_of_fold_scores_do_not(runs, spend_df):
    oof, ins = runs
    truth_in = compare_policies(ins.scored, SPEC, treatment="promo", outcome="spend",
                                control="none")  # fmt: skip
    truth_oof = compare_policies(oof.scored, SPEC)  # measured on the recorded experiment
    micro_in = truth_in.table.set_index("policy").loc["micro"]
    micro_oof = truth_oof.table.set_index("policy").loc["micro"]
    assert micro_in["source"] == "observed in-sample"
    assert micro_oof["source"] == "observed out-of-fold"
    # the true incremental spend of the people micro picks out of fold
    picked = target(oof.scored, SPEC).audience
    truth = float(spend_df.loc[picked.index, "true_uplift"].sum())
    assert micro_oof["incremental_value_low"] <= truth <= micro_oof["incremental_value_high"]
    # in-sample the ranking has seen the outcomes: the observed lift of its top is inflated
    assert micro_in["incremental_value"] > 1.5 * micro_oof["incremental_value"]
    # and the model's own figure is far above what the experiment shows
    assert micro_oof["predicted_incremental_value"] > micro_oof["incremental_value_high"]


def test_target_leads_with_the_observed_lift_and_says_when_the_prediction_is_off(runs):
    oof, ins = runs
    res = target(oof.scored, SPEC)
    keys = list(res.summary)
    assert keys.index("observed_incremental_value") < keys.index("expected_incremental_value")
    s = res.summary
    assert s["observed_incremental_value_low"] <= s["observed_incremental_value"]
    assert s["observed_on"] == "promo / spend"
    assert s["observed_roi"] == pytest.approx((s["observed_incremental_value"] - 200) / 200)
    cal = {c.name: c for c in res.checks}["calibration"]
    assert cal.status is Status.REVIEW and "outside the interval" in cal.message
    assert cal.details["predicted"] == pytest.approx(s["expected_incremental_value"])
    # in-sample scores are never "measured" on their own training rows
    assert "observed_incremental_value" not in target(ins.scored, SPEC).summary
    assert recorded_experiment(ins.scored) is None


def test_a_well_calibrated_prediction_passes():
    rng = np.random.default_rng(1)
    n = 6000
    x = rng.normal(size=n)
    t = rng.integers(0, 2, n)
    y = (rng.random(n) < 0.1 + t * np.where(x > 0, 0.2, 0.0)).astype(int)
    df = pd.DataFrame({"x": x, "t": t, "y": y})
    run = score_uplift(df, treatment="t", outcome="y", features=["x"], base="linear")
    spec = TargetingSpec(budget=100.0, cost_per_contact=0.05, value_per_conversion=10.0)
    res = target(run.scored, spec)
    cal = {c.name: c for c in res.checks}["calibration"]
    assert cal.status is Status.PASS, cal.message
    assert "observed_incremental_conversions" in res.summary
    comp = compare_policies(run.scored, spec)
    assert "calibration" not in {c.name for c in comp.checks}
    assert comp.checks[0].status is Status.PASS and "out-of-fold" in comp.checks[0].message


def test_folds_are_checked(spend_df):
    kw = {"treatment": "promo", "outcome": "spend", "control": "none", "features": FEATS}
    with pytest.raises(ConfigError, match="--folds must be a whole number of at least 2"):
        score_uplift(spend_df, **kw, folds=1)
    few = pd.concat([spend_df[spend_df["promo"] == "none"], spend_df[spend_df["promo"] == "mail"]
                     .iloc[:15]])  # fmt: skip
    with pytest.raises(ConfigError, match="'mail' has only 15 row"):
        score_uplift(few, **kw, folds=10)


def test_money_spec_json_says_the_outcome_is_money():
    spec = TargetingSpec(
        budget=10.0, cost_per_contact=0.1, value_per_conversion=1.0, outcome_unit="value",
        outcome="spend", currency="EUR",
    )  # fmt: skip
    d = spec.to_dict()
    assert d["goal"] == "incremental_value" and d["value_per_conversion"] is None
    assert d["currency"] == "EUR" and TargetingSpec.from_dict(d) == spec
    conv = TargetingSpec(budget=10.0, cost_per_contact=0.1, value_per_conversion=5.0)
    assert (
        conv.to_dict()["goal"] == "conversions" and TargetingSpec.from_dict(conv.to_dict()) == conv
    )
    assert spec.amounts == "EUR" and "the unit of 'spend'" in TargetingSpec(
        budget=10.0, cost_per_contact=0.1, value_per_conversion=1.0, outcome_unit="value",
        outcome="spend",
    ).amounts  # fmt: skip


def test_guardrail_sentences_read():
    msg = check_min_audience(10000, None).message
    assert msg == "10,000 people, at least the minimum of 100 for any platform"
    assert "for meta" in check_min_audience(500, "meta").message


def test_cli_cross_fits_and_target_compare_report_observed_beside_predicted(tmp_path, spend_df):
    data = tmp_path / "exp.csv"
    spend_df.drop(columns="true_uplift").to_csv(data, index=False)
    scores = tmp_path / "scores.csv"
    res = runner.invoke(app, ["audience", "uplift", "--data", str(data), "--treatment", "promo",
                              "--outcome", "spend", "--control-value", "none", "--features",
                              ",".join(FEATS), "--folds", "3", "-o", str(scores)])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "out-of-fold (3-fold cross-fitting)" in res.output
    back = pd.read_csv(scores)
    assert back[OUT_OF_FOLD_COLUMN].all() and recorded_experiment(back) == (
        "promo",
        "spend",
        "none",
    )
    res = runner.invoke(app, ["audience", "target", "--scores", str(scores), "--budget", "200",
                              "--cost-per-contact", "0.1", "--currency", "EUR"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert out.index("observed incremental spend of this audience") < out.index("micro targeting")
    assert out.count("are in EUR") == 1 and "calibration" in out
    assert "10000 people" not in out
    res = runner.invoke(app, ["audience", "compare", "--scores", str(scores), "--budget", "200",
                              "--cost-per-contact", "0.1", "--json", "--bootstrap", "50"])  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["spec"]["goal"] == "incremental_value"
    assert doc["spec"]["value_per_conversion"] is None and doc["spec"]["outcome"] == "spend"
    assert {r["source"] for r in doc["table"]} == {"observed out-of-fold"}
    assert all("predicted_incremental_value" in r for r in doc["table"])
    res = runner.invoke(app, ["audience", "compare", "--scores", str(scores), "--budget", "200",
                              "--cost-per-contact", "0.1", "--bootstrap", "20"])  # fmt: skip
    assert res.exit_code == 0 and "the unit of 'spend'" in res.output
    res = runner.invoke(app, ["audience", "uplift", "--data", str(data), "--treatment", "promo",
                              "--outcome", "spend", "--folds", "1", "-o", str(scores)])  # fmt: skip
    assert res.exit_code != 0 and "--folds must be" in res.output
    assert "Traceback" not in res.output
