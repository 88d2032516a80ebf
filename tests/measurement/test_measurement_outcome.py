"""The mix model knows its outcome, refuses ids as dates, and says MAPE only where it exists."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError, NotFoundError
from micromix.measurement import (
    MarketingMixModel,
    MMMSpec,
    analyze_stored_experiment,
    experiment_arms,
    lift_tests_from_frame,
    load_mmm,
)
from micromix.optimize import compare_scenarios, extrapolation_check, recommend_budget

runner = CliRunner()


@pytest.fixture(scope="module")
def conversions(weekly):
    df, _ = weekly
    df = df.assign(conversions=(df["sales"] / 25.0).round())
    spec = MMMSpec(
        date_col="week", target="conversions", channels=("tiktok", "instagram"), n_draws=60
    )
    return df, MarketingMixModel(spec=spec).fit(df)


def test_outcome_is_read_from_the_target_name_or_given():
    assert MMMSpec(date_col="d", target="conversions", channels=("a",)).outcome == "conversions"
    assert MMMSpec(date_col="d", target="Orders", channels=("a",)).outcome == "conversions"
    assert MMMSpec(date_col="d", target="sales", channels=("a",)).outcome == "revenue"
    assert MMMSpec(date_col="d", target="y", channels=("a",), outcome="conversions").outcome == (
        "conversions"
    )
    with pytest.raises(ConfigError, match="outcome='clicks' is invalid"):
        MMMSpec(date_col="d", target="y", channels=("a",), outcome="clicks")


def test_a_conversions_model_reports_cpa_not_roas(conversions):
    _, m = conversions
    assert m.outcome == "conversions" and m.ratio_name == "cpa"
    s = m.summary()
    assert {"cpa", "cpa_lo", "cpa_hi", "marginal_cpa"} <= set(s.columns)
    assert not any(c.startswith("roas") or c.startswith("marginal_roas") for c in s.columns)
    row = s.set_index("channel").loc["tiktok"]
    assert row["cpa"] == pytest.approx(row["spend"] / row["contribution"])
    assert row["cpa_lo"] <= row["cpa"] <= row["cpa_hi"]
    doc = m.results_document()
    assert doc["outcome"] == "conversions" and "cpa_interval" in doc["channels"]["tiktok"]
    rec = recommend_budget(m, float(m.current_spend.sum()))
    assert "cpa" in rec.scenarios.columns and "roas" not in rec.scenarios.columns
    assert rec.recommended.ratio_name == "cpa"


def test_saved_conversion_models_keep_their_outcome(conversions, tmp_path):
    _, m = conversions
    m.save(tmp_path)
    loaded = load_mmm(tmp_path)
    assert loaded.outcome == "conversions"
    assert list(compare_scenarios(loaded, {"now": loaded.current_spend}).columns).count("cpa") == 1
    assert np.allclose(loaded.observed_spend_max, m.observed_spend_max)
    assert extrapolation_check(loaded, loaded.current_spend).status.value == "pass"


def test_cli_fits_conversions_and_prints_cpa(weekly, tmp_path):
    df, _ = weekly
    path = tmp_path / "w.csv"
    df.assign(conversions=(df["sales"] / 25.0).round()).to_csv(path, index=False)
    args = ["mmm", "fit", "--data", str(path), "--date-col", "week", "--target", "conversions"]
    args += ["--channels", "tiktok,instagram", "--output", str(tmp_path / "o"), "--draws", "20"]
    res = runner.invoke(app, [*args, "--no-holdout"])
    assert res.exit_code == 0, res.output
    assert "cpa" in res.output and "roas" not in res.output.lower().replace("--target-roas", "")
    doc = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert doc["outcome"] == "conversions"
    res = runner.invoke(app, [*args, "--no-holdout", "--outcome", "revenue", "--json"])
    assert json.loads(res.stdout)["outcome"] == "revenue"


def test_an_id_column_is_not_a_date(weekly):
    df, _ = weekly
    df = df.assign(ID=np.arange(len(df)) + 10_000)
    spec = MMMSpec(date_col="ID", target="sales", channels=("tiktok",))
    with pytest.raises(DataValidationError, match=r"holds numbers .* not dates"):
        MarketingMixModel(spec=spec).fit(df)
    ymd = df.assign(day=df["week"].dt.strftime("%Y%m%d").astype(int))
    spec2 = MMMSpec(date_col="day", target="sales", channels=("tiktok",), n_draws=0)
    assert MarketingMixModel(spec=spec2).fit(ymd).data_["day"].iloc[0] == df["week"].iloc[0]


def test_sub_daily_periods_and_too_many_periods_are_refused():
    n = 200
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "ts": pd.date_range("2024-01-01", periods=n, freq="h"),
            "x": rng.uniform(0, 1, n),
            "y": rng.uniform(1, 2, n),
        }
    )
    spec = MMMSpec(date_col="ts", target="y", channels=("x",))
    with pytest.raises(DataValidationError, match=r"apart .* aggregate to one row per day"):
        MarketingMixModel(spec=spec).fit(df)
    big = pd.DataFrame({"ts": pd.date_range("1990-01-01", periods=8000, freq="D"), "x": 1.0})
    with pytest.raises(DataValidationError, match="more than a mix model takes"):
        MarketingMixModel(spec=spec).fit(big.assign(y=1.0))


def test_mape_skips_zero_periods_and_says_when_none_is_left(weekly):
    df, _ = weekly
    spec = MMMSpec(date_col="week", target="sales", channels=("tiktok",), n_draws=0)
    zeroed = df.assign(sales=df["sales"].where(df.index % 5 != 0, 0.0))
    m = MarketingMixModel(spec=spec).fit(zeroed)
    fit = next(c for c in m.diagnostics_ if c.name == "in_sample_fit")
    assert "nan" not in fit.message.lower() and math.isfinite(fit.details["mape"])
    flat = MarketingMixModel(spec=spec).fit(df.assign(sales=0.0))
    msg = next(c for c in flat.diagnostics_ if c.name == "in_sample_fit").message
    assert "MAPE n/a (the target is zero in every period)" in msg


def test_lift_tests_from_a_frame_name_the_bad_cell():
    ok = pd.DataFrame(
        [{"channel": "tv", "spend": 10, "delta_spend": -10, "delta_outcome": -3, "sigma": 1}]
    )
    (lt,) = lift_tests_from_frame(ok)
    assert lt.channel == "tv" and lt.delta_outcome == -3.0
    with pytest.raises(ColumnNotFoundError, match="lacks column"):
        lift_tests_from_frame(ok.drop(columns="sigma"), "lifts.csv")
    with pytest.raises(DataValidationError, match="row 1, column 'sigma' is 'x'"):
        lift_tests_from_frame(ok.assign(sigma="x"), "lifts.csv")


def test_write_results_writes_the_contract_files(fitted, tmp_path):
    doc = fitted.write_results(tmp_path, fitted.review(holdout=False))
    assert {p.name for p in tmp_path.iterdir()} >= {
        "contributions.csv",
        "response_curves.csv",
        "contribution_intervals.csv",
        "model.json",
        "summary.json",
    }
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["outcome"] == doc["outcome"] == "revenue"
    assert set(saved["channels"]) == set(doc["channels"]) == {"tiktok", "instagram", "ugc_posts"}
    assert saved["channels"]["ugc_posts"]["roas"] is None  # organic: no return, null not NaN


def test_stored_experiments(market_store):
    arms = experiment_arms(market_store)
    assert {"experiment_id", "arm", "units", "revenue"} <= set(arms.columns)
    res = analyze_stored_experiment(market_store, str(arms["experiment_id"].iloc[0]))
    assert res.control == "control" and len(res.effects)
    with pytest.raises(NotFoundError, match="no experiment 'nope'"):
        analyze_stored_experiment(market_store, "nope")
    with pytest.raises(ConfigError):
        analyze_stored_experiment(market_store, "x", outcome="clicks")
