"""Review 28 b on the uplift tools: no silent guess of the control among lettered arms, a
negative conversion count refused with its row (refunds kept, and said so), the file named in
errors, the predicted and the observed incremental CPA side by side and named as such, the
scores' id column selectable (--id) and uplift@k printed with its k."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.audience._prep import outcome_sign_note, split_treatment
from micromix.audience.datasets import make_audience, make_uplift_data
from micromix.cli.main import app
from micromix.errors import ConfigError, DataValidationError

runner = CliRunner()


def _ok(res):
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output


def _refused(res, *parts):
    assert res.exit_code != 0, res.output
    assert "Traceback" not in res.output
    line = " ".join(res.output.split())
    for p in parts:
        assert p in line, line
    return line


@pytest.mark.parametrize("arms", [["A", "B", "C"], ["a", "b", "c", "d"], ["C", "F"], ["N", "M"]])
def test_a_lettered_arm_is_not_taken_for_the_control(arms):
    with pytest.raises(ConfigError, match=r"control group.*--control-value"):
        split_treatment(pd.Series(arms * 20), column="segment")
    _, control, rest = split_treatment(pd.Series(arms * 20), control_value=arms[0])
    assert control == arms[0] and len(rest) == len(arms) - 1


@pytest.mark.parametrize("pair, control", [(["N", "Y"], "N"), (["C", "T"], "C"), (["F", "T"], "F")])
def test_a_one_letter_flag_pair_still_finds_its_control(pair, control):
    assert split_treatment(pd.Series(pair * 20))[1] == control


def test_a_negative_conversion_count_is_refused_and_a_refund_noted():
    y = np.array([0.0, 1.0, -1.0, 2.0])
    with pytest.raises(DataValidationError, match=r"row 3, field 'purchase' is -1.*2 such|row 3"):
        outcome_sign_note(y, "purchase", "conversions")
    note = outcome_sign_note(np.array([10.0, -50.0, 0.0]), "spend", "value")
    assert note is not None and "row 2" in note.message and "refunds" in note.message
    assert outcome_sign_note(np.array([0.0, 1.0]), "y", "conversions") is None


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("aud28")
    aud = make_audience(n=3000, seed=5)
    people = make_uplift_data(n=3000, seed=23, effect=0.25).drop(columns=["true_uplift"])
    people.insert(0, "ID", aud["user_id"])  # Starbucks calls its id column ID
    people.to_csv(d / "people.csv", index=False)
    aud.rename(columns={"user_id": "ID"}).to_csv(d / "audience.csv", index=False)
    out = d / "scored.csv"
    args = [
        "audience", "uplift", "--data", str(d / "people.csv"), "--treatment", "treatment",
        "--outcome", "y", "--features", "x0,x1,x2,region", "--output", str(out),
    ]  # fmt: skip
    _ok(runner.invoke(app, args))
    return d


def test_uplift_errors_name_the_file_and_negative_counts_their_row(files, tmp_path):
    df = pd.read_csv(files / "people.csv")
    bad = df.copy()
    bad.loc[[4, 9], "y"] = -1
    bad.to_csv(tmp_path / "neg.csv", index=False)
    base = ["audience", "uplift", "--treatment", "treatment", "--outcome", "y"]
    res = runner.invoke(
        app, [*base, "--data", str(tmp_path / "neg.csv"), "-o", str(tmp_path / "o.csv")]
    )
    _refused(res, "neg.csv: row 5, field 'y' is -1", "2 such row(s)")
    gap = df.copy()
    gap.loc[6, "y"] = np.nan
    gap.to_csv(tmp_path / "gap.csv", index=False)
    res = runner.invoke(
        app, [*base, "--data", str(tmp_path / "gap.csv"), "-o", str(tmp_path / "o.csv")]
    )
    _refused(res, "gap.csv:", "empty value")


def test_uplift_keeps_a_refund_and_says_so(tmp_path):
    df = make_uplift_data(n=1500, seed=3, outcome="continuous", effect=0.25)
    df = df.drop(columns=["true_uplift"])
    df.loc[3, "y"] = -50.5  # a refund
    df.to_csv(tmp_path / "spend.csv", index=False)
    res = runner.invoke(
        app,
        [
            "audience", "uplift", "--data", str(tmp_path / "spend.csv"), "--treatment",
            "treatment", "--outcome", "y", "--output", str(tmp_path / "o.csv"), "--folds", "2",
        ],
    )  # fmt: skip
    _ok(res)
    line = " ".join(res.output.split())
    assert "negative 'y' (first: row 4, -50.5); kept as they are" in line


def _target(files, *extra):
    return runner.invoke(
        app,
        [
            "audience", "target", "--scores", str(files / "scored.csv"), "--budget", "200",
            "--cost-per-contact", "0.5", "--value-per-conversion", "20", *extra,
        ],
        env={"COLUMNS": "600"},
    )  # fmt: skip


def test_target_shows_the_observed_cpa_beside_the_predicted_one(files):
    res = _target(files, "--json")
    _ok(res)
    s = json.loads(res.stdout)
    # the older keys other code reads stay, beside the new names
    assert s["incremental_cpa"] == s["expected_incremental_cpa"]
    assert s["roi"] == s["expected_roi"]
    assert s["observed_incremental_cpa"] == pytest.approx(
        s["cost"] / s["observed_incremental_conversions"]
    )
    assert s["observed_incremental_cpa_low"] == pytest.approx(
        s["cost"] / s["observed_incremental_conversions_high"]
    )
    assert (
        s["observed_incremental_cpa_low"]
        <= s["observed_incremental_cpa"]
        <= s["observed_incremental_cpa_high"]
    )
    res = _target(files)
    _ok(res)
    line = " ".join(res.output.split())
    assert f"observed incremental CPA {s['observed_incremental_cpa']:,.2f} (95% " in line
    assert f"(predicted incremental CPA {s['expected_incremental_cpa']:,.2f})" in line
    # the table's columns say which figure is the model's: no bare 'roi' / 'incremental_cpa'
    assert "predicted_incremental_conversions" in line and " roi," not in line


def test_target_matches_consent_on_the_id_column_given(files):
    line = _refused(_target(files, "--audience", str(files / "audience.csv")), "'user_id'")
    assert "--id" in line
    res = _target(files, "--audience", str(files / "audience.csv"), "--id", "ID", "--json")
    _ok(res)
    assert json.loads(res.stdout)["contacts"] > 0


def test_evaluate_names_uplift_at_k_with_its_k(files):
    res = runner.invoke(
        app,
        [
            "audience", "evaluate", "--scores", str(files / "scored.csv"), "--treatment",
            "treatment", "--outcome", "y", "--bootstrap", "10", "--k", "0.1",
        ],
        env={"COLUMNS": "300"},
    )  # fmt: skip
    _ok(res)
    assert "uplift_at_0.1" in res.output and "uplift_at_k" not in res.output
    assert "top 10%" in " ".join(res.output.split())
