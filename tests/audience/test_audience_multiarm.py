"""Several treatment arms: compare measures each arm on the people a policy sends it, audit
reports the uplift of the arm each person is sent, target and compare pick the same people."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.audience.fairness import fairness_audit
from micromix.audience.policy import (
    OBSERVED_BASIS_ARMS,
    TargetingSpec,
    compare_policies,
    microtarget,
)
from micromix.audience.workflows import mark_selected
from micromix.checks import Status
from micromix.cli.main import app
from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError

runner = CliRunner()
SPEC = TargetingSpec(
    budget=900, cost_per_contact=0.1, mass_cost_per_contact=0.05, value_per_conversion=5
)


def _experiment(n: int = 12_000, seed: int = 3) -> pd.DataFrame:
    """Three groups at random; 'email' lifts people with x > 0 by 30 pp, 'sms' those with
    x < 0 by 20 pp, nobody else; the scores are the true per-arm uplifts plus a little noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    arm = rng.choice(["none", "email", "sms"], size=n)
    email = np.where(x > 0, 0.30, 0.0)
    sms = np.where(x < 0, 0.20, 0.0)
    effect = np.select([arm == "email", arm == "sms"], [email, sms], 0.0)
    y = (rng.random(n) < 0.10 + effect).astype(int)
    return pd.DataFrame(
        {
            "user_id": [f"u{i}" for i in range(n)],
            "x": x,
            "gender": rng.choice(["f", "m"], size=n),
            "arm_received": arm,
            "y": y,
            "uplift_email": email + rng.normal(0, 0.01, n),
            "uplift_sms": sms + rng.normal(0, 0.01, n),
        }
    )


def _by_hand(df: pd.DataFrame, picked: pd.DataFrame) -> float:
    """The observed lift, with pandas alone: per arm sent, received it minus control."""
    sel = df.loc[picked.index].assign(sent=picked["arm"])
    total = 0.0
    for arm, g in sel.groupby("sent"):
        got = g.loc[g["arm_received"] == arm, "y"].mean()
        ctrl = g.loc[g["arm_received"] == "none", "y"].mean()
        total += len(g) * (got - ctrl)
    return total


def test_compare_measures_each_arm_on_the_people_it_is_sent():
    df = _experiment()
    res = compare_policies(
        df, SPEC, treatment="arm_received", outcome="y", control="none", n_bootstrap=20
    )
    micro = microtarget(df, SPEC).audience
    assert set(micro["arm"]) == {"email", "sms"}
    tab = res.table.set_index("policy")
    assert tab.loc["micro", "incremental_conversions"] == pytest.approx(_by_hand(df, micro))
    # the pooled figure (any e-mail or sms against control) is what it used to report: lower,
    # because half of the 'treated' people got the arm that does nothing for them
    sel = df.loc[micro.index]
    pooled = len(sel) * (
        sel.loc[sel["arm_received"] != "none", "y"].mean()
        - sel.loc[sel["arm_received"] == "none", "y"].mean()
    )
    truth = float(np.where(micro["arm"] == "email", 0.30, 0.20).sum())
    measured = tab.loc["micro", "incremental_conversions"]
    assert abs(measured - truth) < abs(pooled - truth)
    assert abs(measured - truth) < 0.2 * truth
    # each arm's own figures add up to the policy's
    arms = res.arms[res.arms["policy"] == "micro"].set_index("arm")
    assert arms["incremental_conversions"].sum() == pytest.approx(measured)
    assert arms["sent"].sum() == len(micro)
    assert (arms["incremental_conversions_low"] <= arms["incremental_conversions"]).all()
    assert res.basis == OBSERVED_BASIS_ARMS
    assert [c.name for c in res.checks] == ["winner_evidence"]
    assert res.to_dict()["arms"][0]["policy"] == "mass"


def test_an_arm_nobody_received_refuses_the_policy_figure_with_the_reason():
    df = _experiment()
    # the people the scores send 'sms' never got it in this (broken) experiment
    sms_people = df["uplift_sms"] > df["uplift_email"]
    df.loc[sms_people & (df["arm_received"] == "sms"), "arm_received"] = "email"
    res = compare_policies(
        df, SPEC, treatment="arm_received", outcome="y", control="none", n_bootstrap=20
    )
    tab = res.table.set_index("policy")
    assert tab["incremental_conversions"].isna().all()
    assert tab["incremental_conversions_low"].isna().all()
    refused = [c for c in res.checks if c.name == "observed_lift"]
    assert len(refused) == 3 and all(c.status is Status.REVIEW for c in refused)
    assert "micro" in refused[1].message and "none received 'sms'" in refused[1].message
    assert res.winner in {"none", "mass"}
    arms = res.arms.set_index(["policy", "arm"])
    assert np.isfinite(arms.loc[("micro", "email"), "incremental_conversions"])
    assert arms.loc[("micro", "sms"), "received_arm"] == 0


def test_one_uplift_column_with_several_arms_names_the_arm_or_is_refused():
    df = _experiment()
    one = df.drop(columns=["uplift_sms"]).rename(columns={"uplift_email": "uplift"})
    with pytest.raises(ConfigError, match="--uplift-col uplift_<arm>"):
        compare_policies(one, SPEC, treatment="arm_received", outcome="y", control="none")
    res = compare_policies(
        df,
        SPEC,
        treatment="arm_received",
        outcome="y",
        control="none",
        uplift_col="uplift_email",
        n_bootstrap=20,
    )
    sel = df.loc[microtarget(df, SPEC, uplift_col="uplift_email").audience.index]
    by_hand = len(sel) * (
        sel.loc[sel["arm_received"] == "email", "y"].mean()
        - sel.loc[sel["arm_received"] == "none", "y"].mean()
    )
    micro = res.table.set_index("policy").loc["micro", "incremental_conversions"]
    assert micro == pytest.approx(by_hand)
    with pytest.raises(DataValidationError, match="has no arm 'push'"):
        compare_policies(
            df.rename(columns={"uplift_sms": "uplift_push"}),
            SPEC,
            treatment="arm_received",
            outcome="y",
            control="none",
        )


def test_audit_reports_the_uplift_of_the_arm_each_person_is_sent():
    df = _experiment(n=2000).assign(selected=lambda d: d["x"] > 0)
    rep = fairness_audit(df, "gender")
    best = df[["uplift_email", "uplift_sms"]].max(axis=1)
    want = best.groupby(df["gender"]).mean()
    got = rep.groups.set_index("group")["mean_uplift"]
    assert got.to_numpy() == pytest.approx(want.to_numpy())
    assert "arm each person would be sent" in rep.uplift_note
    assert "--uplift-col" in rep.to_dict()["uplift_note"]
    one = fairness_audit(df, "gender", uplift="uplift_sms").groups["mean_uplift"]
    assert one.to_numpy() == pytest.approx(df.groupby("gender")["uplift_sms"].mean().to_numpy())
    bare = fairness_audit(df.drop(columns=["uplift_email", "uplift_sms"]), "gender")
    assert "mean_uplift" not in bare.groups and "--uplift-col" in bare.uplift_note
    with pytest.raises(ColumnNotFoundError, match="'nope' \\(--uplift-col\\)"):
        fairness_audit(df, "gender", uplift="nope")


def test_audit_ids_are_refused_in_one_sentence_naming_the_file_and_column():
    data = pd.DataFrame({"user_id": ["a", "b", "c", "d"], "g": ["f", "m", "f", "m"]})
    names = {"data_source": "the data (d.csv)", "targets_source": "the targets (t.csv)"}
    # 17 and 17.0 are one person; the match is on text
    num = pd.DataFrame({"user_id": [17, 18]})
    got = mark_selected(num, pd.DataFrame({"user_id": [17.0]}))["selected"].tolist()
    assert got == [True, False]
    with pytest.raises(ColumnNotFoundError, match=r"the targets \(t.csv\) have no 'user_id'"):
        mark_selected(data, pd.DataFrame({"id": ["a"]}), **names)
    with pytest.raises(ColumnNotFoundError, match=r"the data \(d.csv\) have no 'cid'.*--id"):
        mark_selected(data, pd.DataFrame({"cid": ["a"]}), id_column="cid", **names)
    dup = pd.concat([data, data.iloc[[1]]], ignore_index=True)
    with pytest.raises(DataValidationError, match=r"the data \(d.csv\): id 'b' .* rows 2 and 5"):
        mark_selected(dup, pd.DataFrame({"user_id": ["a"]}), **names)
    with pytest.raises(DataValidationError, match=r"the targets \(t.csv\): id 'a'"):
        mark_selected(data, pd.DataFrame({"user_id": ["a", "a"]}), **names)
    with pytest.raises(DataValidationError, match="none of the 2 ids in column 'user_id'"):
        mark_selected(data, pd.DataFrame({"user_id": ["x", "y"]}), **names)
    with pytest.raises(DataValidationError, match=r"1 of the 2 ids .* do not occur .*'y'"):
        mark_selected(data, pd.DataFrame({"user_id": ["a", "y"]}), **names)
    with pytest.raises(DataValidationError, match=r"row 2, field 'user_id' is empty"):
        mark_selected(data, pd.DataFrame({"user_id": ["a", None]}), **names)


def _cli(*args: str) -> dict:
    res = runner.invoke(app, ["audience", *args])
    assert res.exit_code == 0, res.output
    return res


def test_target_and_compare_select_the_same_people_with_the_same_figures(tmp_path):
    df = _experiment(n=4000)
    scores = tmp_path / "scores.csv"
    df.to_csv(scores, index=False)
    money = ["--budget", "300", "--cost-per-contact", "0.1", "--value-per-conversion", "5"]
    money += ["--mass-cost-per-contact", "0.05"]
    comp = json.loads(_cli("compare", "--scores", str(scores), *money, "--json").stdout)
    table = {r["policy"]: r for r in comp["table"]}
    for policy in ("micro", "mass", "hybrid"):
        out = tmp_path / f"{policy}.csv"
        res = _cli(
            "target", "--scores", str(scores), *money, "--policy", policy, "--json",
            "--output", str(out),
        )  # fmt: skip
        summary = json.loads(res.stdout)
        assert summary["contacts"] == table[policy]["reach"]
        assert summary["cost"] == pytest.approx(table[policy]["cost"])
        assert summary["expected_incremental_conversions"] == pytest.approx(
            table[policy]["incremental_conversions"]
        )
    # the same people as compare's own micro pick, each with the arm compare measures
    listed = pd.read_csv(tmp_path / "micro.csv")
    spec = TargetingSpec(
        budget=300, cost_per_contact=0.1, mass_cost_per_contact=0.05, value_per_conversion=5
    )
    picked = microtarget(df, spec).audience
    assert listed["user_id"].tolist() == picked["user_id"].tolist()
    assert listed["arm"].tolist() == picked["arm"].tolist()
    # observed: the CLI says what the figure means and shows each arm
    res = _cli(
        "compare", "--scores", str(scores), *money, "--treatment", "arm_received",
        "--outcome", "y", "--control-value", "none", "--bootstrap", "20",
    )  # fmt: skip
    assert "each contacted person is sent the arm with the highest" in res.stdout
    assert "observed lift per arm sent" in res.stdout
    # audit on the contact list: the arm-sent uplift, said in a sentence
    res = _cli(
        "audit", "--data", str(scores), "--attribute", "gender", "--targets",
        str(tmp_path / "micro.csv"),
    )  # fmt: skip
    assert "arm each person would be sent" in res.stdout


def test_audit_cli_names_the_file_when_the_id_column_is_missing(tmp_path):
    df = _experiment(n=500)
    data, targets = tmp_path / "scores.csv", tmp_path / "contacts.csv"
    df.drop(columns=["user_id"]).to_csv(data, index=False)
    df.head(50).to_csv(targets, index=False)
    res = runner.invoke(
        app,
        [
            "audience",
            "audit",
            "--data",
            str(data),
            "--attribute",
            "gender",
            "--targets",
            str(targets),
        ],
    )
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"the data ({data}) have no 'user_id' column" in " ".join(res.output.split())
    assert "--id" in res.output


def test_compare_reads_consent_and_erasures_from_the_store_as_target_does(tmp_path):
    from micromix.audience.datasets import make_audience
    from micromix.store import Store

    people = make_audience(n=400, seed=2, refusal_rate=0, minor_rate=0)
    df = _experiment(n=400).assign(user_id=people["user_id"])
    scores = tmp_path / "scores.csv"
    df.to_csv(scores, index=False)
    db = str(tmp_path / "m.duckdb")
    st = Store.open(db)
    st.append("audience", people)
    st.close()
    top = df.loc[(df[["uplift_email", "uplift_sms"]].max(axis=1)).idxmax(), "user_id"]
    _cli_privacy = runner.invoke(app, ["privacy", "erase", top, "--db", db])
    assert _cli_privacy.exit_code == 0, _cli_privacy.output
    money = ["--budget", "10", "--cost-per-contact", "0.1", "--value-per-conversion", "5"]
    out = tmp_path / "c.csv"
    target = json.loads(
        _cli("target", "--scores", str(scores), *money, "--db", db, "--json", "-o", str(out)).stdout
    )
    assert top not in set(pd.read_csv(out)["user_id"])
    with_db = json.loads(
        _cli("compare", "--scores", str(scores), *money, "--db", db, "--json").stdout
    )
    micro = {r["policy"]: r for r in with_db["table"]}["micro"]
    assert micro["reach"] == target["contacts"] == 100
    assert micro["incremental_conversions"] == pytest.approx(
        target["expected_incremental_conversions"]
    )
