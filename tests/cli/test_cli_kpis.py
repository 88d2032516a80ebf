"""``micromix kpis``: subsets, currencies, --fx, ranges, posts, nulls in --json, README lines."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def sim_db(tmp_path_factory, small_market):
    from micromix.ingest.market import load_market
    from micromix.store import Store

    db = tmp_path_factory.mktemp("kpis") / "micromix.duckdb"
    with Store.open(db) as st:
        load_market(st, small_market)
    return str(db)


@pytest.fixture()
def ads_db(tmp_path):
    """Ad reports in two currencies, one without revenue, one covering two months."""
    from micromix.store import Store

    db = tmp_path / "ads.duckdb"
    with Store.open(db) as st:
        st.append(
            "ad_performance",
            pd.DataFrame(
                {
                    "date": pd.to_datetime(["2024-01-10", "2024-01-27", "2024-01-12"]),
                    "date_end": pd.to_datetime([None, "2024-02-05", None]),
                    "platform": ["facebook", "facebook", "tiktok"],
                    "campaign_id": ["a", "b", "c"],
                    "impressions": [1000, 2000, 500],
                    "clicks": [10, 20, 5],
                    "spend": [10.0, 20.0, 500.0],
                    "conversions": [1.0, 2.0, 5.0],
                    "currency": ["USD", "USD", "INR"],
                }
            ),
        )
    return str(db)


def _json_out(args: list[str]) -> dict:
    res = runner.invoke(app, ["kpis", *args, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert list(out) == ["source", "by", "grain", "notes", "rows"]
    return out


def _json(args: list[str]) -> list[dict]:
    return _json_out(args)["rows"]


def test_kpis_subset_and_nulls_in_json(ads_db):
    rows = _json(
        ["--db", ads_db, "--source", "ads", "--by", "platform", "--kpis", "spend,roas,roi"]
    )
    assert [set(r) for r in rows] == [{"platform", "currency", "spend", "roas", "roi"}] * 2
    fb = next(r for r in rows if r["platform"] == "facebook")
    # the ad reports carry no conversion value: null, not 0 and not -1.0
    assert fb["roas"] is None and fb["roi"] is None and fb["spend"] == 30.0


def test_kpis_never_sum_two_currencies(ads_db):
    rows = _json(["--db", ads_db, "--source", "ads", "--kpis", "spend,cpc"])
    assert {r["currency"]: r["spend"] for r in rows} == {"INR": 500.0, "USD": 30.0}


def test_kpis_fx_converts_and_refuses_a_missing_rate(ads_db, tmp_path):
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate_to,rate\nINR,USD,0.012\n")
    rows = _json(["--db", ads_db, "--source", "ads", "--kpis", "spend", "--fx", str(rates)])
    assert rows == [{"currency": "USD", "spend": pytest.approx(30.0 + 500 * 0.012)}]
    rates.write_text("currency,rate_to,rate\nGBP,USD,1.27\n")
    res = runner.invoke(
        app, ["kpis", "--db", ads_db, "--source", "ads", "--kpis", "spend", "--fx", str(rates)]
    )
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "no INR->USD rate in rates.csv" in res.output
    rates.write_text("currency,rate_to,rate\nINR,USD,zero\n")
    res = runner.invoke(app, ["kpis", "--db", ads_db, "--source", "ads", "--fx", str(rates)])
    assert res.exit_code != 0 and "rates.csv, row 2, field 'rate'" in res.output


def test_kpis_fx_reads_a_european_or_utf16_rates_file_like_ingest(ads_db, tmp_path):
    # the rates file is read as ingest reads any file: ';' and decimal commas, UTF-16
    semi = tmp_path / "fx_semi.csv"
    semi.write_text("currency;rate_to;rate\nINR;USD;0,012\n")
    u16 = tmp_path / "fx_u16.csv"
    u16.write_bytes("currency,rate_to,rate\nINR,USD,0.012\n".encode("utf-16"))
    for rates in (semi, u16):
        rows = _json(["--db", ads_db, "--source", "ads", "--kpis", "spend", "--fx", str(rates)])
        assert rows == [{"currency": "USD", "spend": pytest.approx(30.0 + 500 * 0.012)}]
    semi.write_text("currency;rate_to;rate\nINR;USD;1,234\n")
    res = runner.invoke(app, ["kpis", "--db", ads_db, "--source", "ads", "--fx", str(semi)])
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert "fx_semi.csv, row 2, field 'rate': '1,234' may be" in res.output


def test_kpis_refuse_a_grain_finer_than_a_range_unless_spread(ads_db):
    args = ["kpis", "--db", ads_db, "--source", "ads", "--grain", "month", "--kpis", "clicks"]
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "--spread" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, [*args, "--spread", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    rows = out["rows"]
    assert any("spread evenly" in n for n in out["notes"])
    # campaign b: 20 clicks over 10 days, 5 of them in January
    assert [r["clicks"] for r in rows] == pytest.approx([10 + 5 + 20 * 5 / 10, 20 * 5 / 10])
    assert "spread evenly" in res.stderr


def test_kpis_posts_source(sim_db):
    rows = _json(["--db", sim_db, "--source", "posts", "--by", "platform"])
    keys = {"platform", "posts", "likes", "engagements", "engagement_rate_per_view", "emv"}
    assert rows and all(keys <= set(r) for r in rows)
    assert all(r["posts"] > 0 and r["emv"] > 0 for r in rows)


def test_kpis_unknown_kpi_is_one_sentence(sim_db):
    res = runner.invoke(app, ["kpis", "--db", sim_db, "--kpis", "ctr,roass"])
    assert res.exit_code == 2 and "unknown KPI 'roass'" in res.output
    assert "Traceback" not in res.output


def _readme_kpis_commands() -> list[str]:
    cmds = []
    for line in README.read_text().splitlines():
        m = re.match(r"^\s*(micromix kpis\b[^#]*)", line)
        if m and "--backend" not in line and "MICROMIX_BACKEND" not in line:
            cmds.append(m.group(1).strip())
    return cmds


def test_readme_kpis_lines_run(sim_db, tmp_path, monkeypatch):
    cmds = _readme_kpis_commands()
    assert len(cmds) >= 4
    monkeypatch.chdir(tmp_path)
    Path("rates.csv").write_text("currency,rate_to,rate\nUSD,EUR,0.92\n")
    monkeypatch.setenv("MICROMIX_DB", sim_db)
    for cmd in cmds:
        args = shlex.split(cmd)[1:]
        res = runner.invoke(app, args)
        assert res.exit_code == 0, (cmd, res.output)


def test_kpis_show_no_row_of_zeros_and_name_an_unlabelled_group(sim_db):
    res = runner.invoke(app, ["kpis", "--db", sim_db, "--by", "strategy"], terminal_width=300)
    assert res.exit_code == 0, res.output
    first_cells = [ln.split("│")[1].strip() for ln in res.stdout.splitlines() if ln.startswith("│")]
    assert "-" not in first_cells and "(no strategy)" not in first_cells
    assert res.stderr.count("events with no strategy carry none of the measures asked") == 1
    res = runner.invoke(app, ["kpis", "--db", sim_db, "--by", "targeting"], terminal_width=300)
    first_cells = [ln.split("│")[1].strip() for ln in res.stdout.splitlines() if ln.startswith("│")]
    assert "(no targeting)" in first_cells
    rows = json.loads(
        runner.invoke(app, ["kpis", "--db", sim_db, "--by", "targeting", "--json"]).stdout
    )["rows"]
    assert [r["targeting"] for r in rows].count(None) == 1  # machine output keeps null


def _stderr_notes(stderr: str) -> list[str]:
    """The ``note: ...`` lines of a run's stderr (a note may wrap onto following lines)."""
    text = " ".join(stderr.split())
    return [n.strip() for n in text.split("note: ")[1:]]


@pytest.mark.parametrize("by", ["strategy", ""])
def test_kpis_json_carries_the_notes_the_text_output_prints(sim_db, by):
    """--json used to carry the rows only: the dropped unlabelled group, the paid-only ratios
    were said on the terminal and lost to a script reading the JSON."""
    args = ["--db", sim_db, "--by", by]
    text = runner.invoke(app, ["kpis", *args], terminal_width=300)
    assert text.exit_code == 0, text.output
    out = _json_out(args)
    assert out["notes"] and out["notes"] == _stderr_notes(text.stderr)
    assert out["source"] == "events" and out["by"] == ([by] if by else [])
    joined = " ".join(out["notes"])
    if by:  # the searches and carts with no strategy are dropped, and that is said
        assert "events with no strategy carry none of the measures asked" in joined
    else:  # the overall row's ratios over spend count paid strategies only
        assert "count the results of paid strategies (those with spend) only" in joined


@pytest.fixture()
def exports_db(tmp_path):
    """Meta and Google campaign rows in AUD (Google's without reach), a zero-spend EUR export
    without age, an age breakdown of one Meta day."""
    from micromix.store import Store

    db = tmp_path / "exports.duckdb"
    with Store.open(db) as st:
        st.append(
            "ad_performance",
            pd.DataFrame(
                {
                    "date": pd.to_datetime(["2026-05-01", "2026-06-02", "2026-06-01",
                                            "2026-03-27", "2026-06-01"]),
                    "platform": ["facebook", "facebook", "google", "google", "facebook"],
                    "level": ["campaign"] * 5,
                    "campaign_id": ["m1", "m1", "g1", "e1", "m1"],
                    "age": [None, None, None, None, "25-34"],
                    "impressions": [1000, 1000, 2000, 0, 400],
                    "reach": [800, 800, None, None, 300],
                    "clicks": [10, 10, 40, 0, 4],
                    "spend": [50.0, 50.0, 100.0, 0.0, 20.0],
                    "conversions": [1.0, 1.0, 2.0, 0.0, 1.0],
                    "conversion_value": [100.0, 100.0, 300.0, None, 40.0],
                    "currency": ["AUD", "AUD", "AUD", "EUR", "AUD"],
                }
            ),
        )  # fmt: skip
    return str(db)


def _terminal(monkeypatch, width: int) -> None:
    """The table console as wide as a terminal of ``width`` columns."""
    from rich.console import Console

    from micromix.cli import _common

    key = ("console", os.environ.get("COLUMNS"))  # one console per COLUMNS value
    monkeypatch.setitem(_common._CONSOLES, key, Console(width=width, markup=False))


def test_kpis_text_shows_what_a_marketer_needs_first_at_80_columns(exports_db, monkeypatch):
    _terminal(monkeypatch, 80)
    res = runner.invoke(app, ["kpis", "--db", exports_db])
    assert res.exit_code == 0, res.output
    header = next(ln for ln in res.stdout.splitlines() if ln.startswith("┃"))
    cols = [c.strip() for c in header.strip("┃").split("┃")]
    assert cols[:6] == ["currency", "spend", "revenue", "conversions", "roas", "cpa"]
    assert all(len(ln) <= 80 for ln in res.stdout.splitlines())
    text = " ".join(res.stdout.split())
    assert "use --json or --csv for everything, or a wider terminal" in text
    _terminal(monkeypatch, 400)
    wide = runner.invoke(app, ["kpis", "--db", exports_db])
    assert "more columns" not in wide.stdout and "reach_is_upper_bound" in wide.stdout
    # --json keeps every column, in the library's order
    rows = _json(["--db", exports_db])
    assert list(rows[0])[:4] == ["currency", "impressions", "reach", "reach_is_upper_bound"]


def test_kpis_text_prints_periods_as_dates_and_no_flag_for_unknown_reach(exports_db):
    res = runner.invoke(
        app, ["kpis", "--db", exports_db, "--grain", "month", "--kpis", "spend,reach"],
        terminal_width=200,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "2026-06-01" in res.stdout and "T00:00:00" not in res.stdout
    rows = _json(["--db", exports_db, "--grain", "month", "--kpis", "spend,reach"])
    june = next(r for r in rows if r["period"].startswith("2026-06") and r["currency"] == "AUD")
    assert june["reach"] is None and june["reach_is_upper_bound"] is None
    may = next(r for r in rows if r["period"].startswith("2026-05"))
    assert may["reach"] == 800 and may["reach_is_upper_bound"] is False


@pytest.mark.parametrize("by", ["age", ""])
def test_kpis_json_notes_equal_the_text_notes_on_ad_exports(exports_db, by):
    args = ["--db", exports_db, "--by", by]
    text = runner.invoke(app, ["kpis", *args], terminal_width=300)
    assert text.exit_code == 0, text.output
    out = _json_out(args)
    assert out["notes"] == _stderr_notes(text.stderr)
    joined = " ".join(out["notes"])
    assert "attributions overlap" in joined and "see each platform apart with --by" in joined
    if by:  # the EUR campaigns spent nothing: a row of zeros, said as shown, never dropped
        assert "no row here" not in joined and "have no age (their export gives none)" in joined
        eur = next(r for r in out["rows"] if r["currency"] == "EUR")
        assert eur["age"] is None and eur["spend"] == 0.0
        assert "(no age)" in text.stdout
