from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError
from micromix.measurement import (
    analyze_experiment,
    minimum_detectable_effect,
    power,
    sample_size,
)


def _test_frame(n: int = 2000, effect: float = 0.3, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = rng.choice(["holdout", "exposed"], size=n)
    pre = rng.normal(5, 2, n)
    y = 0.8 * pre + (arm == "exposed") * effect + rng.normal(0, 1, n)
    return pd.DataFrame({"arm": arm, "pre": pre, "revenue": y})


def test_difference_in_means_matches_hand_computation():
    df = _test_frame()
    res = analyze_experiment(df, arm_col="arm", outcome="revenue")
    assert res.control == "holdout"
    e = res.effects.iloc[0]
    a = df[df.arm == "exposed"].revenue
    b = df[df.arm == "holdout"].revenue
    assert e["diff"] == pytest.approx(a.mean() - b.mean())
    se = np.sqrt(a.var() / len(a) + b.var() / len(b))
    assert e["se"] == pytest.approx(se)
    assert e["ci_lo"] < e["diff"] < e["ci_hi"]
    assert e["relative_lift"] == pytest.approx(e["diff"] / b.mean())


def test_cuped_reduces_variance_and_keeps_the_effect():
    df = _test_frame()
    e = analyze_experiment(df, arm_col="arm", outcome="revenue", covariate="pre").effects.iloc[0]
    assert e["cuped_se"] < 0.7 * e["se"]
    assert e["variance_reduction"] > 0.5
    assert e["cuped_ci_lo"] < 0.3 < e["cuped_ci_hi"]


def test_always_valid_interval_is_wider_and_covers():
    df = _test_frame()
    e = analyze_experiment(df, arm_col="arm", outcome="revenue").effects.iloc[0]
    assert e["seq_ci_lo"] < e["ci_lo"] and e["seq_ci_hi"] > e["ci_hi"]
    assert e["seq_p_value"] >= e["p_value"]
    assert 0 <= e["seq_p_value"] <= 1


def test_always_valid_reading_controls_peeking_under_the_null():
    rng = np.random.default_rng(3)
    false_alarms = 0
    for _ in range(60):
        y = rng.normal(0, 1, 2000)
        arm = np.where(rng.uniform(size=2000) < 0.5, "control", "treatment")
        df = pd.DataFrame({"arm": arm, "y": y})
        for n in (200, 500, 1000, 2000):  # peek four times
            e = analyze_experiment(df.head(n), arm_col="arm", outcome="y", tau=0.2).effects.iloc[0]
            if e["seq_p_value"] < 0.05:
                false_alarms += 1
                break
    assert false_alarms <= 6  # <= 10% even with peeking (nominal 5%)


def test_yes_no_outcomes_and_explicit_control():
    df = pd.DataFrame(
        {"Promotion": ["Yes", "No"] * 100, "purchase": ["yes", "no", "no", "no"] * 50}
    )
    res = analyze_experiment(df, arm_col="Promotion", outcome="purchase")
    assert res.control == "No"
    assert res.effects.iloc[0]["diff"] == pytest.approx(0.5)
    res2 = analyze_experiment(df, arm_col="Promotion", outcome="purchase", control="Yes")
    assert res2.effects.iloc[0]["diff"] == pytest.approx(-0.5)


def test_bad_experiment_input():
    df = _test_frame(100)
    with pytest.raises(ColumnNotFoundError, match="not found"):
        analyze_experiment(df, arm_col="group", outcome="revenue")
    with pytest.raises(DataValidationError, match="at least one treatment"):
        analyze_experiment(df.assign(arm="holdout"), arm_col="arm", outcome="revenue")
    with pytest.raises(DataValidationError, match="non-numeric"):
        analyze_experiment(df.assign(revenue="abc"), arm_col="arm", outcome="revenue")
    with pytest.raises(ConfigError, match="control"):
        analyze_experiment(
            df.assign(arm=np.where(df.arm == "holdout", "a", "b")), arm_col="arm", outcome="revenue"
        )


def test_lift_test_from_result():
    res = analyze_experiment(_test_frame(), arm_col="arm", outcome="revenue", covariate="pre")
    lt = res.to_lift_test("tiktok", spend=100.0, delta_spend=-100.0, units_per_period=1000)
    e = res.effects.iloc[0]
    assert lt.delta_outcome == pytest.approx(e["cuped_diff"] * 1000)
    assert lt.sigma == pytest.approx(e["cuped_se"] * 1000)


def test_sample_size_power_and_mde_agree():
    n = sample_size(0.10, 0.01)
    assert n["n_control"] == n["n_treatment"] == 14749
    assert power(n["n_control"], 0.10, 0.01) == pytest.approx(0.80, abs=0.01)
    mde = minimum_detectable_effect(n["n_control"], 0.10)
    assert 0.0095 < mde < 0.0105
    # CUPED with rho^2 = 0.5 halves the sample
    half = sample_size(50.0, 2.0, sd=20.0, variance_reduction=0.5)
    full = sample_size(50.0, 2.0, sd=20.0)
    assert half["n_control"] == pytest.approx(full["n_control"] / 2, rel=0.01)
    assert sample_size(0.1, 0.1, relative=True)["effect"] == pytest.approx(0.01)
    with pytest.raises(ConfigError, match="rate"):
        sample_size(5.0, 1.0)


def test_experiment_analyze_names_the_file_the_control_flag_and_keeps_refunds(tmp_path):
    """Review 28 b: errors name the file; lettered arms ask for --control; refunds are noted."""
    from typer.testing import CliRunner

    from micromix.cli.main import app

    runner = CliRunner()
    rng = np.random.default_rng(4)
    df = pd.DataFrame(
        {"arm": np.repeat(["A", "B", "C"], 200), "spend": rng.gamma(2.0, 10.0, 600).round(2)}
    )
    df.loc[7, "spend"] = -50.0  # a refund
    df.to_csv(tmp_path / "abc.csv", index=False)
    base = ["experiment", "analyze", "--arm-col", "arm", "--outcome", "spend"]
    res = runner.invoke(app, [*base, "--data", str(tmp_path / "abc.csv")])
    assert res.exit_code != 0 and "Traceback" not in res.output
    line = " ".join(res.output.split())
    assert "--control <arm>" in line and "control=<arm>" not in line
    res = runner.invoke(app, [*base, "--data", str(tmp_path / "abc.csv"), "--control", "A"])
    assert res.exit_code == 0, res.output
    assert "negative 'spend' (first: row 8, -50); kept as they are" in " ".join(res.output.split())
    df.loc[10, "spend"] = np.nan
    df.to_csv(tmp_path / "gap.csv", index=False)
    res = runner.invoke(app, [*base, "--data", str(tmp_path / "gap.csv"), "--control", "A"])
    assert res.exit_code != 0
    assert f"{tmp_path / 'gap.csv'}: row 11, field 'spend' is empty" in " ".join(res.output.split())
