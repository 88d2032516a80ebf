"""``micromix ingest`` through typer's CliRunner (registered on a fresh app and, once wired, the
real one)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from micromix.cli.ingest_cmd import register
from micromix.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def app() -> typer.Typer:
    a = typer.Typer(pretty_exceptions_enable=False)
    register(a)

    @a.command("noop")  # a second command keeps typer from collapsing 'ingest' into the root
    def _noop() -> None:
        """Nothing."""

    return a


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_ingest_json_output(app, runner, tmp_path):
    db = tmp_path / "mm.duckdb"
    res = runner.invoke(
        app, ["ingest", "ads", str(FIXTURES / "meta_ads_export.csv"), "--db", str(db), "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["layout"] == "meta_ads" and out["kind"] == "ads" and out["table"] == "ad_performance"
    # the account-total row is set aside (summary_rows) and used as a cross-check
    assert (out["rows_in_file"], out["accepted"], out["quarantined"]) == (6, 6, 0)
    assert out["summary_rows"] == 1 and out["checks"][0]["check"] == "total_rows"
    assert (out["inserted"], out["updated"], out["unchanged"]) == (6, 0, 0)
    assert out["currency"] == "EUR" and out["period"] == ["2024-05-01", "2024-05-02"]
    assert out["quarantine_sample"] == []
    with Store.open(str(db), read_only=True) as st:
        assert st.count("ad_performance") == 6 and st.count("quarantine") == 0
    again = json.loads(
        runner.invoke(
            app, ["ingest", "ads", str(FIXTURES / "meta_ads_export.csv"), "--db", str(db), "--json"]
        ).stdout
    )
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 6)


def test_ingest_human_summary_and_env_db(app, runner, tmp_path, monkeypatch):
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("MICROMIX_DB", str(db))
    p = tmp_path / "creators.csv"
    p.write_text("username,followers,category\nmia_pets,12000,pet\nbo,-5,pet\nkim,lots,pet\n")
    res = runner.invoke(app, ["ingest", "creators", str(p)])
    assert res.exit_code == 0, res.output
    text = res.stdout
    for word in (
        "accepted",
        "quarantined",
        "inserted",
        "updated",
        "unchanged",
        "top quarantine reasons",
    ):
        assert word in text
    assert "must be >= 0" in text and "is not a number" in text
    assert db.exists()
    with Store.open(str(db), read_only=True) as st:
        assert st.count("creators") == 1 and st.count("quarantine") == 2


def test_ingest_format_override(app, runner, tmp_path):
    res = runner.invoke(
        app,
        [
            "ingest",
            "events",
            str(FIXTURES / "ga4_events.jsonl"),
            "--format",
            "ga4_bigquery",
            "--db",
            str(tmp_path / "g.duckdb"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["accepted"] == 10


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["ingest", "tweets", "{meta}"], 2, "unknown data kind 'tweets'"),
        (["ingest", "ads", "{missing}"], 2, "file not found"),
        (
            ["ingest", "ads", "{meta}", "--format", "kaggle_fb_ads"],
            2,
            "does not match --format kaggle_fb_ads",
        ),
        (
            ["ingest", "ads", "{meta}", "--format", "tiktok"],
            2,
            "unknown layout 'tiktok' for --format",
        ),
        (["ingest", "events", "{meta}", "--format", "meta_ads"], 2, "holds ads rows, not events"),
        (["ingest", "events", "{meta}"], 2, "no known events layout matches the header"),
        (["ingest", "ads", "{allbad}", "--currency", "USD"], 1, "none of the 2 rows could be"),
        (["ingest", "ads", "{allbad}"], 1, "gives no currency for its money columns"),
    ],
)
def test_ingest_errors_are_one_sentence(app, runner, tmp_path, args, code, needle):
    allbad = tmp_path / "allbad.csv"
    allbad.write_text(
        "date,platform,campaign_id,impressions,spend\nx,facebook,c,1,1\n"
        "2024-01-01,facebook,c,1,-2\n"
    )
    paths = {
        "meta": str(FIXTURES / "meta_ads_export.csv"),
        "missing": str(tmp_path / "no.csv"),
        "allbad": str(allbad),
    }
    argv = [a.format(**paths) for a in args] + ["--db", str(tmp_path / "e.duckdb")]
    res = runner.invoke(app, argv)
    assert res.exit_code == code, res.output
    assert needle in res.stderr
    assert "Traceback" not in res.output
    assert res.stderr.strip().startswith("error:")
    assert len(res.stderr.strip().splitlines()) <= 3  # one sentence (Rich may wrap it)
    if code == 2:  # nothing ingestible: no database is created as a side effect
        assert not (tmp_path / "e.duckdb").exists()


def test_all_bad_file_still_prints_json_and_keeps_quarantine(app, runner, tmp_path):
    p = tmp_path / "allbad.csv"
    p.write_text("date,platform,campaign_id,impressions,spend\nx,facebook,c,1,1\n")
    db = tmp_path / "q.duckdb"
    res = runner.invoke(
        app, ["ingest", "ads", str(p), "--db", str(db), "--json", "--currency", "USD"]
    )
    assert res.exit_code == 1
    out = json.loads(res.stdout)
    assert (out["accepted"], out["quarantined"]) == (0, 1)
    assert "line 2, field 'date'" in res.stderr
    with Store.open(str(db), read_only=True) as st:
        assert st.count("quarantine") == 1


def test_registered_on_main_app_when_wired(runner, tmp_path):
    from micromix.cli import main

    if "micromix.cli.ingest_cmd" not in main.COMMAND_MODULES:
        pytest.skip("micromix.cli.ingest_cmd is not in COMMAND_MODULES yet (the lead wires it)")
    res = runner.invoke(
        main.app,
        [
            "ingest",
            "ads",
            str(FIXTURES / "meta_ads_export.csv"),
            "--db",
            str(tmp_path / "m.duckdb"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["accepted"] == 6


def test_inspect_shows_layout_mapping_and_writes_nothing(app, runner, tmp_path):
    db = tmp_path / "none.duckdb"
    res = runner.invoke(
        app,
        ["inspect", "ads", str(FIXTURES / "tiktok_ads_daily.csv"), "--json"],
        env={"MICROMIX_DB": str(db)},
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["layout"] == "tiktok_ads" and out["mapping"]["spend"] == "Cost"
    assert len(out["sample"]) == 3 and out["report"]["dry_run"] is True
    assert not db.exists()
    human = runner.invoke(app, ["inspect", "ads", str(FIXTURES / "tiktok_ads_daily.csv")])
    assert "column mapping" in human.stdout and "dry run, nothing written" in human.stdout


def test_dry_run_and_overlap_flags(app, runner, tmp_path):
    db = tmp_path / "o.duckdb"
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    head = "Campaign name,Day,Impressions,Amount spent (EUR),Reporting starts,Reporting ends\n"
    a.write_text(
        head + "Spring,2026-05-01,100,10,2026-05-01,2026-05-02\n"
        "Spring,2026-05-02,100,10,2026-05-01,2026-05-02\n"
    )
    b.write_text(
        head + "Spring,2026-05-02,100,10,2026-05-02,2026-05-03\n"
        "Spring,2026-05-03,100,10,2026-05-02,2026-05-03\n"
    )
    dry = runner.invoke(app, ["ingest", "ads", str(a), "--db", str(db), "--dry-run", "--json"])
    assert dry.exit_code == 0 and json.loads(dry.stdout)["dry_run"] is True and not db.exists()
    assert runner.invoke(app, ["ingest", "ads", str(a), "--db", str(db)]).exit_code == 0
    refused = runner.invoke(app, ["ingest", "ads", str(b), "--db", str(db)])
    assert refused.exit_code == 1 and "overlaps" in refused.stderr and "--replace" in refused.stderr
    both = runner.invoke(
        app, ["ingest", "ads", str(b), "--db", str(db), "--replace", "--keep-both"]
    )
    assert both.exit_code == 2 and "exclude each other" in both.stderr
    ok = runner.invoke(app, ["ingest", "ads", str(b), "--db", str(db), "--replace", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["replaced"] == [str(a.resolve())]
