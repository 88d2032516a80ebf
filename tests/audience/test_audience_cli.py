"""The CLI contract on files the code has never seen, and clear errors without tracebacks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.audience.datasets import make_audience, make_uplift_data
from micromix.cli.main import app

runner = CliRunner()


def _ok(res):
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output


def _refused(res, text, code=None):
    assert res.exit_code != 0, res.output
    if code is not None:
        assert res.exit_code == code, res.output
    assert "Traceback" not in res.output
    assert text in res.output, res.output
    assert res.output.strip().startswith("error:") or "error:" in res.output


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("aud")
    df = make_uplift_data(n=3000, seed=21, effect=0.25)
    df["Promo"] = np.where(df["treatment"] == "1", "Yes", "No")
    df = df.drop(columns=["treatment", "true_uplift"])
    df.insert(0, "customer_id", [f"c{i}" for i in range(len(df))])
    df.to_csv(d / "exp.csv", index=False)
    multi = make_uplift_data(
        n=3000, seed=22, arms=("Mens", "Womens"), control="Nothing", effect=0.25
    )
    multi.drop(columns=[c for c in multi.columns if c.startswith("true")]).to_csv(
        d / "multi.csv", index=False
    )
    aud = make_audience(n=3000, seed=5)
    people = make_uplift_data(n=3000, seed=23, effect=0.25).drop(columns=["true_uplift"])
    people.insert(0, "user_id", aud["user_id"])
    people["gender"] = aud["gender"]
    people.to_csv(d / "people.csv", index=False)
    aud.to_csv(d / "audience.csv", index=False)
    return d


def _promo(files, *extra):
    """``audience uplift`` on the Yes/No experiment file, plus ``extra`` options."""
    base = ["audience", "uplift", "--data", str(files / "exp.csv"), "--treatment", "Promo"]
    return [*base, "--outcome", "y", *extra]


def test_uplift_binary_yes_no(files):
    out = files / "scored.csv"
    res = runner.invoke(app, _promo(files, "--output", str(out)))
    _ok(res)
    scored = pd.read_csv(out)
    assert "uplift" in scored.columns and len(scored) == 3000
    assert scored["uplift"].notna().all()
    assert "customer_id" not in res.output.split("feature(s)")[1].split(")")[0]
    # people with high x0 benefit more (planted effect)
    assert (
        scored.loc[scored["x0"] > 1, "uplift"].mean()
        > scored.loc[scored["x0"] < -1, "uplift"].mean()
    )


@pytest.mark.parametrize("learner", ["s", "x", "dr", "ct"])
def test_uplift_every_learner_and_score_file(files, learner, tmp_path):
    score = tmp_path / "new.csv"
    pd.read_csv(files / "exp.csv").head(50).drop(columns=["Promo", "y"]).to_csv(score, index=False)
    out = tmp_path / "o.csv"
    res = runner.invoke(
        app,
        [
            "audience",
            "uplift",
            "--data",
            str(files / "exp.csv"),
            "--treatment",
            "Promo",
            "--control-value",
            "No",
            "--outcome",
            "y",
            "--features",
            "x0,x1,x2,region",
            "--learner",
            learner,
            "--score",
            str(score),
            "--output",
            str(out),
            "--json",
        ],
    )
    _ok(res)
    info = json.loads(res.stdout)
    assert info["learner"] == learner and info["features"] == ["x0", "x1", "x2", "region"]
    assert len(pd.read_csv(out)) == 50


@pytest.mark.slow  # auto = 5 learners x 3 folds x 2 arms
def test_uplift_several_arms_and_auto_learner(files, tmp_path):
    out = tmp_path / "m.csv"
    res = runner.invoke(
        app,
        [
            "audience",
            "uplift",
            "--data",
            str(files / "multi.csv"),
            "--treatment",
            "treatment",
            "--control-value",
            "Nothing",
            "--outcome",
            "y",
            "--learner",
            "auto",
            "--output",
            str(out),
        ],
    )
    _ok(res)
    cols = pd.read_csv(out).columns
    assert "uplift_Mens" in cols and "uplift_Womens" in cols and "uplift" not in cols


def test_uplift_writes_csv_to_stdout(files):
    res = runner.invoke(app, _promo(files, "--features", "x0,x1"))
    _ok(res)
    assert res.stdout.splitlines()[0].endswith(",uplift")


@pytest.mark.parametrize(
    "args, text",
    [
        (["--data", "nope.csv", "--treatment", "Promo", "--outcome", "y"], "file not found"),
        (["--treatment", "Promotion", "--outcome", "y"], "--treatment column 'Promotion' not"),
        (["--treatment", "Promo", "--outcome", "purchase"], "--outcome column 'purchase'"),
        (["--treatment", "Promo", "--outcome", "y", "--control-value", "Maybe"], "does not occur"),
        (["--treatment", "Promo", "--outcome", "y", "--learner", "magic"], "--learner 'magic'"),
        (["--treatment", "Promo", "--outcome", "y", "--features", "x0,zz"], "'zz'"),
        (["--treatment", "region", "--outcome", "y"], "pass --control-value"),
        (["--treatment", "Promo", "--outcome", "region"], "'region', row 1: 'south' is not"),
    ],
)
def test_uplift_bad_input_is_one_clear_sentence(files, args, text):
    if "--data" not in args:
        args = ["--data", str(files / "exp.csv"), *args]
    res = runner.invoke(app, ["audience", "uplift", *args])
    _refused(res, text)


def test_uplift_refuses_special_category_features(files, tmp_path):
    df = pd.read_csv(files / "exp.csv").assign(religion=lambda d: np.where(d["x3"] > 0, "a", "b"))
    df.to_csv(tmp_path / "r.csv", index=False)
    res = runner.invoke(
        app,
        [
            "audience",
            "uplift",
            "--data",
            str(tmp_path / "r.csv"),
            "--treatment",
            "Promo",
            "--outcome",
            "y",
            "--features",
            "x0,religion",
        ],
    )
    _refused(res, "special-category", code=3)


@pytest.fixture(scope="module")
def scored_people(files):
    out = files / "people_scored.csv"
    res = runner.invoke(
        app,
        [
            "audience",
            "uplift",
            "--data",
            str(files / "people.csv"),
            "--treatment",
            "treatment",
            "--outcome",
            "y",
            "--features",
            "x0,x1,x2,region",
            "--output",
            str(out),
        ],
    )
    _ok(res)
    return out


def test_target_contract(scored_people, files, tmp_path):
    out = tmp_path / "contacts.csv"
    res = runner.invoke(
        app,
        [
            "audience",
            "target",
            "--scores",
            str(scored_people),
            "--budget",
            "200",
            "--cost-per-contact",
            "0.5",
            "--value-per-conversion",
            "20",
            "--platform",
            "meta",
            "--audience",
            str(files / "audience.csv"),
            "--output",
            str(out),
            "--json",
        ],
    )
    _ok(res)
    summary = json.loads(res.stdout)
    for key in ("contacts", "expected_incremental_conversions", "cost", "roi"):
        assert key in summary
    assert summary["cost"] <= 200 and summary["contacts"] >= 100
    contacts = pd.read_csv(out)
    assert len(contacts) == summary["contacts"]
    aud = pd.read_csv(files / "audience.csv")
    refused = set(
        aud.loc[
            ~aud["consent_ads_personalisation"]
            | aud["is_minor"]
            | aud["opt_out_sale"]
            | aud["gpc"],
            "user_id",
        ]
    )
    assert not refused & set(contacts["user_id"])


def test_target_guardrail_refusals(scored_people):
    base = [
        "audience",
        "target",
        "--scores",
        str(scored_people),
        "--cost-per-contact",
        "0.5",
        "--value-per-conversion",
        "20",
    ]
    res = runner.invoke(app, [*base, "--budget", "200", "--special-ad-category", "housing"])
    _refused(res, "microtargeting is disabled", code=3)
    res = runner.invoke(app, [*base, "--budget", "20", "--platform", "linkedin"])
    _refused(res, "linkedin needs at least 300", code=3)
    res = runner.invoke(
        app, [*base, "--budget", "20", "--platform", "linkedin", "--min-audience", "10"]
    )
    _ok(res)
    res = runner.invoke(app, [*base, "--budget", "-5"])
    _refused(res, "--budget must be a positive")
    res = runner.invoke(app, [*base, "--budget", "5", "--platform", "myspace"])
    _refused(res, "platform 'myspace' is not known")
    res = runner.invoke(app, [*base, "--budget", "500", "--features", "x0,ethnicity"])
    _refused(res, "special-category", code=3)


def test_compare_and_audit(scored_people, files, tmp_path):
    res = runner.invoke(
        app,
        [
            "audience",
            "compare",
            "--scores",
            str(scored_people),
            "--budget",
            "200",
            "--cost-per-contact",
            "0.5",
            "--mass-cost-per-contact",
            "0.2",
            "--value-per-conversion",
            "20",
            "--treatment",
            "treatment",
            "--outcome",
            "y",
            "--bootstrap",
            "50",
            "--json",
        ],
    )
    _ok(res)
    comp = json.loads(res.stdout)
    assert [r["policy"] for r in comp["table"]] == ["mass", "micro", "hybrid"]
    assert comp["winner"] in {"mass", "micro", "hybrid"} and comp["reason"]
    out = tmp_path / "c.csv"
    _ok(
        runner.invoke(
            app,
            [
                "audience",
                "target",
                "--scores",
                str(scored_people),
                "--budget",
                "300",
                "--cost-per-contact",
                "0.5",
                "--value-per-conversion",
                "20",
                "--output",
                str(out),
            ],
        )
    )
    res = runner.invoke(
        app,
        [
            "audience",
            "audit",
            "--data",
            str(scored_people),
            "--attribute",
            "gender",
            "--targets",
            str(out),
            "--json",
        ],
    )
    _ok(res)
    audit = json.loads(res.stdout)
    assert {g["group"] for g in audit["groups"]} == {"female", "male", "other"}
    assert 0 <= audit["disparate_impact"] <= 1
    res = runner.invoke(
        app, ["audience", "audit", "--data", str(scored_people), "--attribute", "gender"]
    )
    _refused(res, "--selected")


def test_evaluate_and_segment(scored_people, tmp_path):
    res = runner.invoke(
        app,
        [
            "audience",
            "evaluate",
            "--scores",
            str(scored_people),
            "--treatment",
            "treatment",
            "--outcome",
            "y",
            "--bootstrap",
            "20",
            "--json",
        ],
    )
    _ok(res)
    rows = {r["metric"]: r for r in json.loads(res.stdout)}
    assert rows["qini"]["low"] <= rows["qini"]["estimate"] <= rows["qini"]["high"]
    out = tmp_path / "seg.csv"
    segment = ["audience", "segment", "--data", str(scored_people), "--k", "3"]
    res = runner.invoke(
        app, [*segment, "--features", "x0,x1,region", "--kpis", "y", "--output", str(out), "--json"]
    )
    _ok(res)
    prof = json.loads(res.stdout)["profiles"]
    assert sum(p["size"] for p in prof) == 3000 and all(p["size"] >= 10 for p in prof)
    assert "segment" in pd.read_csv(out).columns
    res = runner.invoke(app, [*segment, "--features", "x0,health"])
    assert res.exit_code != 0 and "Traceback" not in res.output


def test_privacy_erase_and_check(tmp_path, files):
    from micromix.store import Store

    db = str(tmp_path / "m.duckdb")
    st = Store.open(db)
    st.append("audience", make_audience(n=300, seed=2, refusal_rate=0, minor_rate=0))
    st.close()
    res = runner.invoke(app, ["privacy", "erase", "u000005", "--db", db, "--json"])
    _ok(res)
    info = json.loads(res.stdout)
    assert info["deleted"]["audience"] == 1 and info["audited"]
    st = Store.open(db, read_only=True)
    assert "u000005" not in set(st.read("audience")["user_id"])
    assert len(st.read("audit_log")) == 1
    st.close()
    aud = make_audience(n=300, seed=2, refusal_rate=0, minor_rate=0)
    aud.to_csv(tmp_path / "a.csv", index=False)
    res = runner.invoke(
        app,
        [
            "privacy",
            "check",
            "--audience",
            str(tmp_path / "a.csv"),
            "--platform",
            "meta",
            "--db",
            db,
        ],
    )
    _refused(res, "asked to be erased", code=3)
    res = runner.invoke(
        app, ["privacy", "check", "--audience", str(files / "audience.csv"), "--platform", "meta"]
    )
    _refused(res, "refused ad personalisation", code=3)
    res = runner.invoke(app, ["privacy", "erase", "x", "--db", str(tmp_path / "no" / "x.db")])
    _refused(res, "does not exist")


@pytest.fixture(scope="module")
def clv_store(tmp_path_factory):
    """A store with purchases and an audience, and uplift scores of its people."""
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    d = tmp_path_factory.mktemp("clvaud")
    with Store.open(d / "m.duckdb") as st:
        load_market(st, simulate(SimConfig(users=20_000, days=28, seed=4, observe_days=140)))
        people = st.read("audience")
    people[["user_id", "region"]].assign(uplift=0.05).to_csv(d / "scores.csv", index=False)
    return d


def test_target_values_a_conversion_at_the_segments_clv(clv_store, tmp_path):
    out = tmp_path / "contacts.csv"
    args = ["audience", "target", "--scores", str(clv_store / "scores.csv"), "--budget", "300",
            "--cost-per-contact", "1", "--db", str(clv_store / "m.duckdb"), "--output", str(out),
            "--json"]  # fmt: skip
    res = runner.invoke(app, [*args, "--value-per-conversion", "clv", "--clv-segment", "region"])
    _ok(res)
    doc = json.loads(res.stdout)
    assert doc["value_per_conversion"] == "clv" and len(doc["clv_segments"]) >= 5
    seg = pd.DataFrame(doc["clv_segments"]).set_index("segment")
    assert (seg["value"] > seg["first_purchase_value"]).all()
    contacts = pd.read_csv(out)
    assert 0 < len(contacts) <= 300
    # equal uplift everywhere: the regions whose customers are worth most are contacted first
    best = seg["value"].idxmax()
    assert contacts["region"].iloc[0] == best
    assert contacts["conversion_value"].is_monotonic_decreasing
    value = (contacts["expected_uplift"] * contacts["conversion_value"]).sum()
    assert doc["expected_incremental_value"] == pytest.approx(value)
    flat = runner.invoke(app, [*args, "--value-per-conversion", "30"])
    _ok(flat)
    assert json.loads(flat.stdout)["clv_segments"] is None


def test_target_clv_value_needs_a_store(clv_store):
    base = ["audience", "target", "--scores", str(clv_store / "scores.csv"), "--budget", "300",
            "--cost-per-contact", "1"]  # fmt: skip
    _refused(runner.invoke(app, [*base, "--value-per-conversion", "clv"]), "needs --db")
    _refused(runner.invoke(app, [*base, "--value-per-conversion", "lots"]), "neither an amount")
