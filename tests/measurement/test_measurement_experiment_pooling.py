"""Several experiments in one file are read each on its own, never pooled; repeated units and
arm sizes far from the planned split are flagged; ``experiment plan`` errors name the flags."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.checks import Status
from micromix.cli.main import app
from micromix.errors import ConfigError, DataValidationError, NotFoundError
from micromix.measurement import analyze_experiment, power, sample_size

runner = CliRunner()

#: per experiment: (control units, treatment units, true effect)
DESIGN = {"exp_a": (400, 400, 0.0), "exp_b": (300, 900, 5.0), "exp_c": (500, 500, -3.0)}


def pooled(seed: int = 0) -> pd.DataFrame:
    """Three experiments side by side, like ``micromix export experiments`` writes them."""
    rng = np.random.default_rng(seed)
    parts = []
    for i, (exp, (n0, n1, effect)) in enumerate(DESIGN.items()):
        arm = np.array(["control"] * n0 + ["treatment"] * n1)
        pre = rng.normal(10 + 5 * i, 2, n0 + n1)
        y = pre + (arm == "treatment") * effect + rng.normal(0, 1, n0 + n1)
        units = [f"u{k:05d}" for k in range(n0 + n1)]  # the same users take part in each test
        parts.append(
            pd.DataFrame({"experiment_id": exp, "unit_id": units, "arm": arm, "y": y, "pre": pre})
        )
    return pd.concat(parts, ignore_index=True)


def check(res, name):
    return next(c for c in res.checks if c.name == name)


def test_several_experiments_are_read_each_on_its_own_not_pooled():
    res = analyze_experiment(pooled(), arm_col="arm", outcome="y", covariate="pre")
    assert res.experiments == list(DESIGN) and res.experiment_col == "experiment_id"
    eff = res.effects.set_index("experiment")
    assert list(eff.index) == list(DESIGN)  # one row per experiment and treatment arm
    for exp, (n0, n1, effect) in DESIGN.items():
        assert eff.loc[exp, "n_control"] == n0 and eff.loc[exp, "n"] == n1
        assert eff.loc[exp, "cuped_ci_lo"] < effect < eff.loc[exp, "cuped_ci_hi"]
    assert list(res.arms.columns[:2]) == ["experiment", "arm"] and len(res.arms) == 6
    # a unit id that recurs across experiments (the same user in several tests) is no defect
    assert check(res, "unit_once").status is Status.PASS
    # exp_b is planned 1:3; with no planned split it is flagged for review, by name
    srm = check(res, "sample_ratio")
    assert srm.status is Status.REVIEW and "exp_b" in srm.message and "exp_a" not in srm.message
    assert srm.details["experiments"] == {"exp_a": "pass", "exp_b": "review", "exp_c": "pass"}
    with pytest.raises(ConfigError, match="experiment="):
        res.to_lift_test("tiktok", spend=1.0, delta_spend=1.0)
    lift = res.to_lift_test("tiktok", experiment="exp_b", spend=1.0, delta_spend=1.0)
    assert lift.delta_outcome == pytest.approx(eff.loc["exp_b", "cuped_diff"])


def test_one_experiment_is_picked_by_id_and_an_unknown_id_is_refused():
    res = analyze_experiment(pooled(), arm_col="arm", outcome="y", experiment="exp_c")
    assert res.experiments == [] and len(res.effects) == 1
    assert res.effects.loc[0, "n"] == 500 and res.effects.loc[0, "ci_hi"] < 0
    with pytest.raises(NotFoundError, match="no experiment 'exp_z' in column 'experiment_id'"):
        analyze_experiment(pooled(), arm_col="arm", outcome="y", experiment="exp_z")
    plain = pooled().drop(columns="experiment_id")
    with pytest.raises(ConfigError, match="no experiment id column"):
        analyze_experiment(plain, arm_col="arm", outcome="y", experiment="exp_a")


def test_the_experiment_column_can_be_named():
    df = pooled().rename(columns={"experiment_id": "campaign_test"})
    res = analyze_experiment(df, arm_col="arm", outcome="y", experiment_col="campaign_test")
    assert res.experiments == list(DESIGN)


def test_a_blank_cell_is_reported_at_its_row_in_the_file():
    df = pooled()
    df.loc[1000, "y"] = None  # a row of exp_b
    with pytest.raises(DataValidationError, match=r"row 1001, field 'y' is empty"):
        analyze_experiment(df, arm_col="arm", outcome="y", experiment="exp_b")
    df = pooled()
    df.loc[5, "experiment_id"] = ""
    with pytest.raises(DataValidationError, match=r"row 6, field 'experiment_id' is empty"):
        analyze_experiment(df, arm_col="arm", outcome="y")


def test_a_unit_on_several_rows_of_one_experiment_fails():
    df = pooled()
    a = df[df["experiment_id"] == "exp_a"]
    twice = pd.concat([df, a.head(50), a.head(10).assign(arm="treatment")], ignore_index=True)
    res = analyze_experiment(twice, arm_col="arm", outcome="y", experiment="exp_a")
    c = check(res, "unit_once")
    assert c.status is Status.FAIL
    assert c.details == {"repeated_units": 50, "units_in_several_arms": 10}
    assert "50 units ('unit_id') are on more than one row, 10 of them in more than one arm" in (
        c.message
    )
    res = analyze_experiment(twice.rename(columns={"unit_id": "who"}), arm_col="arm", outcome="y")
    assert "unit_once" not in {c.name for c in res.checks}  # no unit column: nothing claimed
    res = analyze_experiment(
        twice.rename(columns={"unit_id": "who"}), arm_col="arm", outcome="y", unit_col="who"
    )
    assert check(res, "unit_once").status is Status.FAIL


def test_sample_ratio_against_the_planned_split():
    one = pooled()[lambda d: d["experiment_id"] == "exp_b"]
    ok = check(analyze_experiment(one, arm_col="arm", outcome="y", ratio=3.0), "sample_ratio")
    assert ok.status is Status.PASS and "match the planned split" in ok.message
    bad = check(analyze_experiment(one, arm_col="arm", outcome="y", ratio=1.0), "sample_ratio")
    assert bad.status is Status.FAIL and "do not match the planned split" in bad.message
    shares = {"control": 1.0, "treatment": 3.0}
    same = analyze_experiment(one, arm_col="arm", outcome="y", expected_shares=shares)
    assert check(same, "sample_ratio").status is Status.PASS
    with pytest.raises(ConfigError, match="give a share for every arm"):
        analyze_experiment(one, arm_col="arm", outcome="y", expected_shares={"control": 1.0})
    with pytest.raises(ConfigError, match="--ratio"):
        analyze_experiment(one, arm_col="arm", outcome="y", ratio=0.0)


def _analyze(path, *extra: str):
    args = ["experiment", "analyze", "--data", str(path), "--arm-col", "arm", "--outcome", "y"]
    return runner.invoke(app, [*args, *extra])


def test_cli_reads_each_experiment_and_picks_one(tmp_path):
    path = tmp_path / "experiments.csv"
    pooled().to_csv(path, index=False)
    res = _analyze(path, "--covariate", "pre")
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())  # the console may wrap long lines
    assert "3 experiments in column 'experiment_id', each read on its own" in text
    assert all(e in text for e in DESIGN)
    review = "[REVIEW] sample_ratio: 1 of 3 experiments - exp_b: arm sizes (control 300, treatment"
    assert review in text
    res = _analyze(path, "--experiment", "exp_b", "--ratio", "3", "--json")
    doc = json.loads(res.stdout)
    assert [e["n"] for e in doc["effects"]] == [900]
    assert {c["name"]: c["status"] for c in doc["checks"]}["sample_ratio"] == "pass"
    res = _analyze(path, "--experiment", "nope")
    assert res.exit_code != 0 and "no experiment 'nope'" in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize(
    "extra, flag",
    [
        (["--baseline", "1.5", "--mde", "0.01"], "--sd"),
        (
            ["--baseline", "0.1", "--mde", "0.01", "--variance-reduction", "1"],
            "--variance-reduction",
        ),
        (["--baseline", "0.1", "--mde", "0.01", "--ratio", "0"], "--ratio"),
        (["--baseline", "0.1", "--mde", "0"], "--mde"),
        (["--baseline", "5", "--mde", "1", "--sd", "-1"], "--sd"),
    ],
)
def test_plan_errors_name_the_cli_flags(extra, flag):
    res = runner.invoke(app, ["experiment", "plan", *extra])
    assert res.exit_code != 0 and flag in res.output, res.output
    assert "sd=" not in res.output and "Traceback" not in res.output


def test_plan_functions_name_argument_and_flag():
    with pytest.raises(ConfigError, match=r"variance_reduction \(--variance-reduction\) 1"):
        sample_size(0.1, 0.01, variance_reduction=1)
    with pytest.raises(ConfigError, match=r"ratio \(--ratio\)"):
        power(100, 0.1, 0.01, ratio=-1)
    with pytest.raises(ConfigError, match=r"standard deviation \(sd, --sd\)"):
        sample_size(1.5, 0.01)
