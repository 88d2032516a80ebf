from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()


def fit_args(data, output, *extra: str) -> list[str]:
    """``micromix mmm fit`` arguments for the weekly test data."""
    return [
        "mmm", "fit", "--data", str(data), "--date-col", "week", "--target", "sales",
        "--channels", "tiktok,instagram", "--output", str(output), *extra,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def csv_and_model(tmp_path_factory, weekly):
    df, _ = weekly
    folder = tmp_path_factory.mktemp("mmm")
    path = folder / "weekly.csv"
    df.to_csv(path, index=False)
    out = folder / "out"
    extra = ("--organic", "ugc_posts", "--controls", "promo", "--draws", "50", "--no-holdout")
    res = runner.invoke(app, fit_args(path, out, *extra))
    assert res.exit_code == 0, res.output
    return path, out


def test_mmm_fit_writes_the_contract_files(csv_and_model):
    _, out = csv_and_model
    contrib = pd.read_csv(out / "contributions.csv")
    assert list(contrib.columns) == ["week", "tiktok", "instagram", "ugc_posts"]
    summary = json.loads((out / "summary.json").read_text())
    ch = summary["channels"]
    assert set(ch) == {"tiktok", "instagram", "ugc_posts"}
    assert ch["tiktok"]["roas"] > 0 and ch["ugc_posts"]["roas"] is None
    lo, hi = ch["tiktok"]["contribution_interval"]
    assert lo <= ch["tiktok"]["total_contribution"] <= hi
    assert ch["tiktok"]["total_contribution"] == pytest.approx(contrib["tiktok"].sum())
    assert "marginal_roas" in ch["instagram"]


def test_optimize_reads_the_model_folder(csv_and_model, tmp_path):
    _, out = csv_and_model
    plan = tmp_path / "plan.json"
    res = runner.invoke(
        app,
        [
            "optimize",
            "--model",
            str(out),
            "--budget",
            "100000",
            "--bounds",
            "tiktok=10000:60000",
            "--output",
            str(plan),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    alloc = doc["recommended"]["allocation"]
    assert sum(alloc.values()) == pytest.approx(100000)
    assert 10000 - 1e-6 <= alloc["tiktok"] <= 60000 + 1e-6
    assert json.loads(plan.read_text())["recommended"]["allocation"] == alloc
    names = [s["scenario"] for s in doc["scenarios"]]
    assert names == ["current_mix", "recommended"]
    assert doc["scenarios"][1]["outcome"] >= doc["scenarios"][0]["outcome"] - 1e-6


def test_experiment_analyze_json(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"arm": ["control", "treatment"] * 200, "pre": rng.normal(0, 1, 400)})
    df["y"] = df["pre"] + (df["arm"] == "treatment") * 1.0 + rng.normal(0, 0.5, 400)
    path = tmp_path / "exp.csv"
    df.to_csv(path, index=False)
    res = runner.invoke(
        app,
        [
            "experiment",
            "analyze",
            "--data",
            str(path),
            "--arm-col",
            "arm",
            "--outcome",
            "y",
            "--covariate",
            "pre",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    eff = json.loads(res.stdout)["effects"][0]
    assert eff["arm"] == "treatment"
    assert eff["cuped_ci_lo"] < 1.0 < eff["cuped_ci_hi"]
    res = runner.invoke(app, ["experiment", "plan", "--baseline", "0.1", "--mde", "0.01", "--json"])
    assert json.loads(res.stdout)["n_control"] == 14749


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            lambda d: d.assign(week=d["week"].astype(str).where(d.index != 4, "")),
            "missing or unparseable",
        ),
        (
            lambda d: d.assign(tiktok=d["tiktok"].astype(str).where(d.index != 2, "ten")),
            "non-numeric value 'ten'",
        ),
        (lambda d: d.head(10), "too few"),
    ],
)
def test_mmm_fit_bad_input_is_one_clear_line(csv_and_model, tmp_path, mutate, message):
    path, _ = csv_and_model
    bad = mutate(pd.read_csv(path))
    p = tmp_path / "bad.csv"
    bad.to_csv(p, index=False)
    res = runner.invoke(app, fit_args(p, tmp_path / "o"))
    assert res.exit_code != 0
    assert message in res.output
    assert "Traceback" not in res.output


def test_cli_errors_for_missing_model_and_columns(tmp_path, csv_and_model):
    res = runner.invoke(app, ["optimize", "--model", str(tmp_path / "nope"), "--budget", "10"])
    assert res.exit_code != 0 and "mmm fit" in res.output and "Traceback" not in res.output
    path, _ = csv_and_model
    res = runner.invoke(
        app,
        ["experiment", "analyze", "--data", str(path), "--arm-col", "nope", "--outcome", "sales"],
    )
    assert res.exit_code != 0 and "not found" in res.output


def test_fit_with_lift_tests_json_and_target_roas(csv_and_model, tmp_path):
    path, _ = csv_and_model
    lifts = tmp_path / "lifts.csv"
    pd.DataFrame(
        [{"channel": "tiktok", "spend": 800.0, "delta_spend": -800.0, "delta_outcome": -90.0,
          "sigma": 20.0}]
    ).to_csv(lifts, index=False)  # fmt: skip
    out = tmp_path / "cal"
    extra = ("--lift-tests", str(lifts), "--draws", "20", "--no-holdout", "--json")
    res = runner.invoke(app, fit_args(path, out, *extra))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc["channels"]) == {"tiktok", "instagram"}
    assert {d["name"] for d in doc["diagnostics"]} >= {"in_sample_fit", "identifiability"}
    res = runner.invoke(
        app, ["optimize", "--model", str(out), "--target-roas", "0.1", "--locked",
              "instagram=20000", "--json"]
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)["recommended"]
    assert rec["roas"] >= 0.1 - 1e-9
    assert rec["allocation"]["instagram"] == pytest.approx(20000)
    bad = tmp_path / "badlifts.csv"
    pd.DataFrame([{"channel": "tiktok", "spend": 1.0}]).to_csv(bad, index=False)
    res = runner.invoke(app, fit_args(path, tmp_path / "x", "--lift-tests", str(bad)))
    assert res.exit_code != 0 and "lacks column" in res.output


def test_optimize_says_when_the_caps_hold_the_recommendation_below_the_current_mix(
    csv_and_model,
):
    _, out = csv_and_model
    doc = json.loads((out / "model.json").read_text())
    seen = dict(zip(["tiktok", "instagram"], doc["observed_spend_max"]))
    cur = dict(zip(["tiktok", "instagram"], doc["current_spend"]))
    # a budget the current mix spreads beyond tiktok's cap (2x the most it was ever given)
    budget = 4 * seen["tiktok"] * sum(cur.values()) / cur["tiktok"]
    args = ["optimize", "--model", str(out), "--budget", f"{budget:.2f}", "--bounds",
            f"instagram=0:{budget:.2f}"]  # fmt: skip
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    check = next(c for c in d["checks"] if c["name"] == "current_mix")
    assert check["details"]["current_mix_beyond_caps"] == ["tiktok"]
    below = d["scenarios"][1]["outcome"] < d["scenarios"][0]["outcome"]
    assert (check["status"] == "review") == below
    assert below, "this budget should hold the recommendation below the current mix"
    assert "--bounds instagram=0:" in check["recommendation"]
    assert ",tiktok=0:" in check["recommendation"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "REVIEW current_mix" in " ".join(res.output.split())
