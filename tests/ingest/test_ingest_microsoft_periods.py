"""Microsoft Advertising reports by week, month, year or as one summary: each row covers the
period its "Report Aggregation:" preamble line names, not only the first day its "Time period"
cell gives (files written here, in the layout the Reports page downloads)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from micromix.cli.ingest_cmd import register
from micromix.errors import InputFileError
from micromix.ingest import ingest_file
from micromix.store import Store

HEADER = "Time period,Campaign name,Impr.,Clicks,Spend,Conv.,Revenue,Currency code\n"


def _report(path: Path, aggregation: str, days: list[str], time: str | None) -> Path:
    lines = ['"Report Name: x"\n']
    if time is not None:
        lines.append(f'"Report Time: {time}"\n')
    lines += [f'"Report Aggregation: {aggregation}"\n', "\n", HEADER]
    lines += [f'"{d}",Brand,1000,50,700,5,900,USD\n' for d in days]
    lines.append('"Total",,4000,200,2800,20,3600,USD\n')
    lines.append('\n"©2026 Microsoft Corporation. All rights reserved."\n')
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _periods(path: Path, **kw: object) -> tuple[list[tuple[str, str | None]], object]:
    store = Store.open(":memory:")
    rep = ingest_file(store, "ads", path, **kw)
    ads = store.read("ad_performance").sort_values("source_row")
    ends = [None if pd.isna(e) else e.strftime("%F") for e in ads["date_end"]]
    return list(zip(ads["date"].dt.strftime("%F"), ends)), rep


WEEKS = ["10/4/2026", "10/11/2026", "10/18/2026", "10/25/2026"]


@pytest.mark.parametrize("kw", [{}, {"dayfirst": False}])
def test_weekly_rows_cover_their_week(tmp_path, kw):
    p = _report(tmp_path / "w.csv", "Weekly", WEEKS, "10/4/2026 - 10/31/2026")
    rows, rep = _periods(p, **kw)
    assert rows == [
        ("2026-10-04", "2026-10-10"),
        ("2026-10-11", "2026-10-17"),
        ("2026-10-18", "2026-10-24"),
        ("2026-10-25", "2026-10-31"),
    ]
    assert rep.period == ("2026-10-04", "2026-10-31") and rep.accepted == 4
    assert rep.checks[0]["status"] == "pass"  # the Total row is still set aside and checked


def test_weekly_rows_are_clipped_to_the_report_time(tmp_path):
    # a report of 10/4 - 10/20: its last week holds three days
    p = _report(tmp_path / "w.csv", "Weekly", WEEKS[:3], "10/4/2026 - 10/20/2026")
    rows, _ = _periods(p)
    assert rows[-1] == ("2026-10-18", "2026-10-20")


def test_monthly_rows_cover_their_month_clipped_to_the_report_time(tmp_path):
    p = _report(
        tmp_path / "m.csv",
        "Monthly",
        ["10/1/2026", "11/1/2026", "12/1/2026"],
        "10/15/2026 - 12/10/2026",
    )
    rows, _ = _periods(p)
    assert rows == [
        ("2026-10-15", "2026-10-31"),
        ("2026-11-01", "2026-11-30"),
        ("2026-12-01", "2026-12-10"),
    ]


def test_monthly_and_yearly_iso_days_need_no_report_time(tmp_path):
    rows, _ = _periods(_report(tmp_path / "m.csv", "Monthly", ["2026-02-01"], None))
    assert rows == [("2026-02-01", "2026-02-28")]
    rows, _ = _periods(_report(tmp_path / "y.csv", "Yearly", ["2025-01-01"], None))
    assert rows == [("2025-01-01", "2025-12-31")]


def test_summary_rows_cover_the_report_time(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(
        '"Report Name: x"\n"Report Time: 10/1/2026 - 10/31/2026"\n"Report Aggregation: Summary"\n'
        "\nCampaign name,Impr.,Clicks,Spend,Currency code\nBrand,100,5,2.50,USD\n"
        "Generic,200,9,4.00,USD\n",
        encoding="utf-8",
    )
    rows, rep = _periods(p)
    assert rows == [("2026-10-01", "2026-10-31")] * 2 and rep.period == ("2026-10-01", "2026-10-31")


def test_daily_rows_and_range_cells_are_kept_as_they_are(tmp_path):
    rows, _ = _periods(
        _report(tmp_path / "d.csv", "Daily", ["10/1/2026", "10/13/2026"], "10/1/2026 - 10/31/2026")
    )
    assert rows == [("2026-10-01", None), ("2026-10-13", None)]
    rows, _ = _periods(
        _report(tmp_path / "r.csv", "Weekly", ["10/13/2026 - 10/19/2026"], "10/1/2026 - 10/31/2026")
    )
    assert rows == [("2026-10-13", "2026-10-19")]


@pytest.mark.parametrize("aggregation", ["Day of week", "Hour of day", "HourOfDay"])
def test_rows_that_are_not_periods_of_time_are_refused(tmp_path, aggregation):
    p = _report(tmp_path / "dow.csv", aggregation, ["Monday", "Tuesday"], "10/1/2026 - 10/31/2026")
    store = Store.open(":memory:")
    with pytest.raises(InputFileError) as e:
        ingest_file(store, "ads", p)
    msg = str(e.value)
    assert str(p) in msg and f'"Report Aggregation: {aggregation}"' in msg
    assert "download the report by day, week or month" in msg
    assert store.count("ad_performance") == 0


def test_an_aggregation_the_layout_cannot_date_is_refused(tmp_path):
    p = _report(tmp_path / "f.csv", "Fortnightly", ["10/4/2026"], "10/4/2026 - 10/17/2026")
    with pytest.raises(InputFileError, match=r'"Report Aggregation: Fortnightly" names an aggre'):
        ingest_file(Store.open(":memory:"), "ads", p)


def test_weekly_days_the_file_cannot_order_are_refused_not_guessed(tmp_path):
    # 10/4/2026 may be 4 October or 10 April, and so may the end of its week: without
    # --monthfirst/--dayfirst nothing tells (with one, see test_ingest_day_order.py)
    p = _report(tmp_path / "a.csv", "Weekly", ["10/4/2026"], "10/4/2026 - 10/10/2026")
    with pytest.raises(InputFileError, match=r"month/day or day/month.*--monthfirst or --dayf"):
        ingest_file(Store.open(":memory:"), "ads", p)


def test_cli_weekly_report_period(tmp_path):
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)
    app.command("noop")(lambda: None)
    p = _report(tmp_path / "w.csv", "Weekly", WEEKS, "10/4/2026 - 10/31/2026")
    db = tmp_path / "mm.duckdb"
    res = CliRunner().invoke(app, ["ingest", "ads", str(p), "--db", str(db), "--monthfirst"])
    assert res.exit_code == 0, res.output
    assert "period 2026-10-04..2026-10-31" in res.output
    bad = _report(tmp_path / "dow.csv", "Day of week", ["Monday"], None)
    res = CliRunner().invoke(app, ["ingest", "ads", str(bad), "--db", str(db)])
    assert res.exit_code == 2 and "Report Aggregation: Day of week" in res.output
