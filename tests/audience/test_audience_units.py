"""A money outcome (spend) travels with the scores: target and compare count it as money.

Until 2026-11-30, ``audience compare`` on Hillstrom's ``spend`` printed 7,886 dollars as
``incremental_conversions`` and multiplied them by ``--value-per-conversion 3`` (ROI 23.6
instead of 7.22), and ``audience target --value-per-conversion 100`` reported ROI 2,615x.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.audience.policy import TargetingSpec, compare_policies, microtarget
from micromix.audience.units import OUTCOME_COLUMN, UNIT_COLUMN, outcome_unit, resolve_unit
from micromix.cli.main import app
from micromix.errors import ConfigError, DataValidationError

runner = CliRunner()
EFFECT = 4.0  # dollars of spend an e-mail adds, for everyone


def _ok(res):
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    return res


def _refused(res, text):
    assert res.exit_code in (1, 2), res.output  # bad data (1) or a bad option (2), no crash
    assert "Traceback" not in res.output
    assert "error:" in res.output and text in res.output, res.output


def _experiment(n: int, seed: int) -> pd.DataFrame:
    """A randomised e-mail test whose spend (in dollars and cents) rises by EFFECT when mailed;
    ``orders`` is a whole-number count and ``visit`` a 0/1 flag."""
    rng = np.random.default_rng(seed)
    x0, x1 = rng.normal(size=n), rng.normal(size=n)
    t = rng.random(n) < 0.5
    spend = np.maximum(0, 10 + 2 * x0 + EFFECT * t + rng.normal(0, 3, n)).round(2)
    return pd.DataFrame(
        {
            "user_id": [f"u{seed}_{i}" for i in range(n)],
            "x0": x0,
            "x1": x1,
            "mailed": np.where(t, "Yes", "No"),
            "spend": spend,
            "orders": rng.poisson(1 + t),
            "visit": (rng.random(n) < 0.2 + 0.1 * t).astype(int),
        }
    )


@pytest.fixture(scope="module")
def money(tmp_path_factory):
    """Scores of a held-out half, from ``audience uplift --outcome spend``."""
    d = tmp_path_factory.mktemp("money")
    _experiment(3000, 1).to_csv(d / "train.csv", index=False)
    _experiment(3000, 2).to_csv(d / "test.csv", index=False)
    res = _ok(runner.invoke(app, [*_uplift(d, "spend"), "--output", str(d / "scores.csv")]))
    return d, res.output


def _uplift(d: Path, outcome: str, *extra: str) -> list[str]:
    return ["audience", "uplift", "--data", str(d / "train.csv"), "--score", str(d / "test.csv"),
            "--treatment", "mailed", "--outcome", outcome, "--features", "x0,x1",
            "--base", "linear", *extra]  # fmt: skip


def _money_args(d: Path, *extra: str) -> list[str]:
    return ["--scores", str(d / "scores.csv"), "--budget", "100", "--cost-per-contact", "0.1",
            *extra]  # fmt: skip


def _observed(contacts: pd.DataFrame) -> float:
    """Observed incremental spend of a contact list: its size times treated minus control."""
    by = contacts.groupby("mailed")["spend"].mean()
    return len(contacts) * (by["Yes"] - by["No"])


def test_uplift_records_the_outcome_and_its_unit(money):
    d, out = money
    scores = pd.read_csv(d / "scores.csv")
    assert set(scores[OUTCOME_COLUMN]) == {"spend"} and set(scores[UNIT_COLUMN]) == {"value"}
    assert "outcome 'spend' is an amount of money" in out


def test_target_counts_money_as_money_and_roi_is_value_minus_cost(money, tmp_path):
    d, _ = money
    out = tmp_path / "contacts.csv"
    args = ["audience", "target", *_money_args(d, "--policy", "mass"), "-o", str(out), "--json"]
    doc = json.loads(_ok(runner.invoke(app, args)).output)
    assert "expected_incremental_conversions" not in doc and "incremental_cpa" not in doc
    assert doc["outcome"] == "spend" and doc["outcome_unit"] == "value"
    contacts = pd.read_csv(out)
    # the predicted incremental spend is the contacted people's uplift, near EFFECT each
    assert doc["expected_incremental_value"] == pytest.approx(contacts["expected_uplift"].sum())
    assert doc["expected_incremental_value"] == pytest.approx(len(contacts) * EFFECT, rel=0.2)
    assert doc["roi"] == pytest.approx(
        (doc["expected_incremental_value"] - doc["cost"]) / doc["cost"]
    )
    text = _ok(runner.invoke(app, ["audience", "target", *_money_args(d)])).output
    assert "expected_incremental_value is the incremental spend (revenue)" in text


def test_compare_observes_incremental_spend_and_recomputes_with_pandas(money, tmp_path):
    d, _ = money
    exp = ["--treatment", "mailed", "--outcome", "spend", "--bootstrap", "30"]
    doc = json.loads(
        _ok(runner.invoke(app, ["audience", "compare", *_money_args(d, *exp), "--json"])).output
    )
    table = pd.DataFrame(doc["table"]).set_index("policy")
    assert "incremental_conversions" not in table.columns and "incremental_cpa" not in table
    # nor the model's: cost / predicted money is no cost per conversion (review r29z #2)
    assert not [c for c in table.columns if c.endswith("_cpa")], list(table.columns)
    assert {"incremental_value", "incremental_value_low", "incremental_value_high"} <= set(table)
    assert "incremental_conversions" not in pd.DataFrame(doc["arms"]).columns
    roi = (table["incremental_value"] - table["cost"]) / table["cost"]
    pd.testing.assert_series_equal(table["roi"], roi, check_names=False)
    # micro's figure is the contact list of 'audience target', measured by hand
    out = tmp_path / "micro.csv"
    _ok(runner.invoke(app, ["audience", "target", *_money_args(d), "-o", str(out)]))
    assert table.loc["micro", "incremental_value"] == pytest.approx(_observed(pd.read_csv(out)))
    mass = table.loc["mass"]
    assert mass["incremental_value_low"] <= mass["reach"] * EFFECT <= mass["incremental_value_high"]
    text = _ok(runner.invoke(app, ["audience", "compare", *_money_args(d, *exp)])).output
    assert "incremental_value is the incremental spend (revenue), not conversions" in text


@pytest.mark.parametrize("command", ["target", "compare"])
def test_a_value_per_conversion_for_money_is_refused_and_1_is_accepted(money, command):
    d, _ = money
    res = runner.invoke(app, ["audience", command, *_money_args(d, "--value-per-conversion", "3")])
    _refused(res, "--value-per-conversion 3 would multiply money: the uplift is in 'spend'")
    assert len(res.output.strip().splitlines()) == 1
    one = _ok(runner.invoke(app, ["audience", command, *_money_args(d, "--value-per-conversion", "1", "--json")]))  # fmt: skip
    left_out = _ok(runner.invoke(app, ["audience", command, *_money_args(d, "--json")]))
    assert json.loads(one.output)["checks"] == json.loads(left_out.output)["checks"]
    assert json.loads(one.output).get("roi") == json.loads(left_out.output).get("roi")


def test_clv_for_money_is_refused(money):
    d, _ = money
    res = runner.invoke(app, ["audience", "target", *_money_args(d, "--value-per-conversion", "clv")])  # fmt: skip
    _refused(res, "--value-per-conversion clv would multiply money")


def test_a_conversion_outcome_is_unchanged(money, tmp_path):
    d, _ = money
    scores = tmp_path / "visit.csv"
    out = _ok(runner.invoke(app, [*_uplift(d, "visit"), "--output", str(scores)])).output
    assert "outcome 'visit' counts conversions" in out
    assert set(pd.read_csv(scores)[UNIT_COLUMN]) == {"conversions"}
    base = ["audience", "target", "--scores", str(scores), "--budget", "100",
            "--cost-per-contact", "0.1"]  # fmt: skip
    _refused(runner.invoke(app, base), "pass --value-per-conversion: the uplift is in 'visit'")
    doc = json.loads(
        _ok(runner.invoke(app, [*base, "--value-per-conversion", "20", "--json"])).output
    )
    assert doc["expected_incremental_value"] == pytest.approx(
        20 * doc["expected_incremental_conversions"]
    )
    assert doc["roi"] == pytest.approx(
        (doc["expected_incremental_value"] - doc["cost"]) / doc["cost"]
    )
    assert "outcome_unit" not in doc
    cmp = ["audience", "compare", "--scores", str(scores), "--budget", "100", "--cost-per-contact",
           "0.1", "--value-per-conversion", "20", "--treatment", "mailed", "--outcome", "visit",
           "--bootstrap", "20", "--json"]  # fmt: skip
    table = pd.DataFrame(json.loads(_ok(runner.invoke(app, cmp)).output)["table"])
    assert {"incremental_conversions", "incremental_cpa"} <= set(table.columns)
    roi = (table["incremental_conversions"] * 20 - table["cost"]) / table["cost"]
    np.testing.assert_allclose(table["roi"], roi)


def test_whole_number_outcomes_are_counts_unless_the_user_says_money(money, tmp_path):
    d, _ = money
    out = _ok(runner.invoke(app, [*_uplift(d, "orders"), "-o", str(tmp_path / "a.csv")])).output
    assert "counts conversions" in out and "rerun with --outcome-unit value" in out
    assert set(pd.read_csv(tmp_path / "a.csv")[UNIT_COLUMN]) == {"conversions"}
    args = [*_uplift(d, "orders", "--outcome-unit", "value"), "-o", str(tmp_path / "b.csv")]
    _ok(runner.invoke(app, args))
    assert set(pd.read_csv(tmp_path / "b.csv")[UNIT_COLUMN]) == {"value"}


def test_fractional_outcome_stated_as_conversions_is_refused(money):
    d, _ = money
    res = runner.invoke(app, _uplift(d, "spend", "--outcome-unit", "conversions"))
    _refused(res, "so 'spend' is not a count of conversions; pass --outcome-unit value")
    _refused(runner.invoke(app, _uplift(d, "spend", "--outcome-unit", "dollars")),
             "--outcome-unit 'dollars' is not known")  # fmt: skip


def test_scores_without_a_unit(money, tmp_path):
    """Scores written before the unit was recorded: the held-out outcome says it, or the
    user does; with neither they are read as conversions, as before."""
    d, _ = money
    old = tmp_path / "old.csv"
    pd.read_csv(d / "scores.csv").drop(columns=[OUTCOME_COLUMN, UNIT_COLUMN]).to_csv(old, index=False)  # fmt: skip
    base = ["--scores", str(old), "--budget", "100", "--cost-per-contact", "0.1"]
    exp = ["--treatment", "mailed", "--outcome", "spend", "--bootstrap", "20"]
    _refused(
        runner.invoke(app, ["audience", "compare", *base, *exp, "--value-per-conversion", "3"]),
        "would multiply money: the uplift is in 'spend'",
    )
    doc = json.loads(_ok(runner.invoke(app, ["audience", "compare", *base, *exp, "--json"])).output)
    assert "incremental_value" in doc["table"][0]
    tgt = ["audience", "target", *base, "--json"]
    assert "expected_incremental_conversions" in json.loads(
        _ok(runner.invoke(app, [*tgt, "--value-per-conversion", "3"])).output
    )
    doc = json.loads(_ok(runner.invoke(app, [*tgt, "--outcome-unit", "value"])).output)
    assert doc["outcome_unit"] == "value" and doc["outcome"] is None


def test_units_that_disagree_are_refused(money, tmp_path):
    d, _ = money
    base = _money_args(d, "--bootstrap", "20")
    visit = ["audience", "compare", *base, "--treatment", "mailed", "--outcome", "visit"]
    _refused(runner.invoke(app, visit), "--outcome 'visit' holds a 0/1 flag but the uplift of")
    stated = ["audience", "target", *_money_args(d, "--outcome-unit", "conversions")]
    _refused(runner.invoke(app, stated), "--outcome-unit conversions contradicts")
    bad = pd.read_csv(d / "scores.csv")
    bad.loc[4, UNIT_COLUMN] = "dollars"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    args = ["audience", "target", "--scores", str(tmp_path / "bad.csv"), "--budget", "100",
            "--cost-per-contact", "0.1"]  # fmt: skip
    _refused(runner.invoke(app, args), f"bad.csv row 5, field '{UNIT_COLUMN}': 'dollars' is not")


def test_library_respects_the_unit():
    scores = pd.DataFrame({"uplift": [5.0, 3.0, 0.01], UNIT_COLUMN: "value", OUTCOME_COLUMN: "spend"})  # fmt: skip
    with pytest.raises(ConfigError, match="would multiply money"):
        TargetingSpec(budget=10, cost_per_contact=1, value_per_conversion=3, outcome_unit="value")
    with pytest.raises(ConfigError, match="contradicts"):
        microtarget(scores, TargetingSpec(budget=10, cost_per_contact=1, value_per_conversion=3))
    spec = TargetingSpec(budget=10, cost_per_contact=1, value_per_conversion=1, outcome_unit="value")  # fmt: skip
    res = microtarget(scores, spec)
    assert res.summary["contacts"] == 2  # 0.01 dollars does not pay for a 1-dollar contact
    assert res.summary["expected_incremental_value"] == pytest.approx(8.0)
    assert res.summary["roi"] == pytest.approx((8.0 - 2) / 2)
    cmp = compare_policies(scores, spec)
    assert "incremental_value" in cmp.table.columns and cmp.spec.outcome == "spend"
    with pytest.raises(DataValidationError, match="already money"):
        microtarget(scores.assign(conversion_value=10.0), spec)
    assert outcome_unit(np.array([0.0, 2.0, 3.0]), "orders") == "conversions"
    assert resolve_unit(pd.DataFrame({"uplift": [0.1]})) == (None, "conversions")


HILLSTROM = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "uplift" / "hillstrom.csv"  # fmt: skip


@pytest.mark.shared_data
@pytest.mark.skipif(not HILLSTROM.exists(), reason="../shared/data/uplift/hillstrom.csv absent")
def test_hillstrom_spend_flow(tmp_path):
    """The reviewer's flow: uplift on spend, then compare and target on its scores."""
    df = pd.read_csv(HILLSTROM)
    held = np.random.default_rng(0).random(len(df)) >= 0.7
    df[~held].to_csv(tmp_path / "train.csv", index=False)
    df[held].to_csv(tmp_path / "test.csv", index=False)
    scores = tmp_path / "scores.csv"
    _ok(runner.invoke(app, ["audience", "uplift", "--data", str(tmp_path / "train.csv"),
                            "--score", str(tmp_path / "test.csv"), "--treatment", "segment",
                            "--control-value", "No E-Mail", "--outcome", "spend", "--base",
                            "linear", "--output", str(scores)]))  # fmt: skip
    base = ["--scores", str(scores), "--budget", "1000", "--cost-per-contact", "0.1"]
    exp = ["--treatment", "segment", "--control-value", "No E-Mail", "--outcome", "spend"]
    _refused(
        runner.invoke(app, ["audience", "compare", *base, "--value-per-conversion", "3", *exp]),
        "--value-per-conversion 3 would multiply money",
    )
    _refused(
        runner.invoke(app, ["audience", "target", *base, "--value-per-conversion", "100"]),
        "--value-per-conversion 100 would multiply money",
    )
    doc = json.loads(
        _ok(
            runner.invoke(app, ["audience", "compare", *base, *exp, "--bootstrap", "20", "--json"])
        ).output
    )
    table = pd.DataFrame(doc["table"]).set_index("policy")
    np.testing.assert_allclose(
        table["roi"], (table["incremental_value"] - table["cost"]) / table["cost"]
    )
    # micro's observed incremental spend, by hand from the contact list: per arm sent, the
    # people who received it against the control people, times the number sent it
    out = tmp_path / "contacts.csv"
    _ok(runner.invoke(app, ["audience", "target", *base, "-o", str(out)]))
    contacts = pd.read_csv(out)
    by_hand = 0.0
    for arm, g in contacts.groupby("arm"):
        means = g.groupby("segment")["spend"].mean()
        by_hand += len(g) * (means[arm] - means["No E-Mail"])
    assert table.loc["micro", "incremental_value"] == pytest.approx(by_hand)
    assert table.loc["micro", "roi"] == pytest.approx((by_hand - 1000) / 1000, rel=1e-6)
