from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    res = runner.invoke(
        app, ["demo", "--out", str(out), "--users", "3000", "--days", "14", "--seed", "3", "--json"]
    )
    assert res.exit_code == 0, res.output
    return out


def test_demo_writes_outputs(demo_dir):
    assert (demo_dir / "report.html").stat().st_size > 10_000
    assert (demo_dir / "micromix.duckdb").exists()
    header = (demo_dir / "ground_truth.csv").read_text().splitlines()[0]
    for col in ("strategy", "spend", "incremental_revenue", "incremental_conversions"):
        assert col in header


def test_kpis_json_and_csv(demo_dir):
    db = str(demo_dir / "micromix.duckdb")
    res = runner.invoke(app, ["kpis", "--by", "platform", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert list(out) == ["source", "by", "grain", "notes", "rows"]  # as GET /api/v1/kpis
    assert out["source"] == "events" and out["by"] == ["platform"] and out["grain"] is None
    assert isinstance(out["notes"], list) and all(isinstance(n, str) for n in out["notes"])
    rows = out["rows"]
    assert isinstance(rows, list) and {"platform", "ctr", "cpm", "cpa", "roas"} <= set(rows[0])
    res = runner.invoke(app, ["kpis", "--by", "strategy", "--grain", "week", "--db", db, "--csv"])
    assert res.exit_code == 0 and res.stdout.startswith("strategy,period,currency,impressions")


def test_compare_json_contract(demo_dir):
    res = runner.invoke(
        app,
        [
            "compare",
            "micro-vs-mass",
            "--db",
            str(demo_dir / "micromix.duckdb"),
            "--json",
            "--n-boot",
            "50",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["strategy"] for r in rows} == {"micro", "mass"}
    for r in rows:
        assert (
            r["incremental_roas_low"] <= r["incremental_roas"] <= r["incremental_roas_high"]
            or r["incremental_roas"] is None
        )


def test_errors_are_one_sentence_no_traceback(tmp_path):
    res = runner.invoke(app, ["kpis", "--by", "platform", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code != 0
    assert "Traceback" not in res.output and "no such database" in res.output
    res = runner.invoke(app, ["compare", "nope", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code != 0 and "Traceback" not in res.output


def test_error_messages_keep_brackets():
    from micromix.errors import MissingDependencyError

    def boom() -> None:
        raise MissingDependencyError("install it with: pip install 'micromix[serve]'")

    import typer

    from micromix.cli._common import run_command

    app2 = typer.Typer()
    app2.command()(lambda: run_command(boom))
    res = runner.invoke(app2, [])
    assert res.exit_code == 2 and "micromix[serve]" in res.output
