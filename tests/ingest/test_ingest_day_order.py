"""--dayfirst / --monthfirst reach every layout that reads days itself (a Microsoft weekly or
monthly row's end, a "Report Time:" range, a week or month column's end, a report period in a
preamble or a "Time period" cell), not only the contract: the user's order wins over detection,
and a day that reads only against it is refused with the file, naming the file, line and field.

Every file here is written by the test from real days, in the order under test, with every day
and month at most 12 so that nothing in the file tells the order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from micromix.cli.ingest_cmd import register
from micromix.errors import DataValidationError, InputFileError
from micromix.ingest import ingest_file, prepare_file
from micromix.store import Store

ORDERS = {"--monthfirst": False, "--dayfirst": True}


def _day(iso: str, dayfirst: bool) -> str:
    """``iso`` written as a Microsoft / US / UK export writes it (no leading zeros)."""
    d = dt.date.fromisoformat(iso)
    return f"{d.day}/{d.month}/{d.year}" if dayfirst else f"{d.month}/{d.day}/{d.year}"


def _ms(path: Path, aggregation: str, cells: list[str], time: str | None) -> Path:
    """A Microsoft Advertising report as the Reports page downloads it."""
    lines = ['"Report Name: x"\n']
    if time is not None:
        lines.append(f'"Report Time: {time}"\n')
    lines += [f'"Report Aggregation: {aggregation}"\n', "\n"]
    lines.append("Time period,Campaign name,Impr.,Clicks,Spend,Conv.,Revenue,Currency code\n")
    lines += [f'"{c}",Brand {i},1000,50,700,5,900,USD\n' for i, c in enumerate(cells)]
    n = len(cells)
    lines.append(f'"Total",,{1000 * n},{50 * n},{700 * n},{5 * n},{900 * n},USD\n')
    lines.append('\n"©2026 Microsoft Corporation. All rights reserved."\n')
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _ms_summary(path: Path, time: str) -> Path:
    path.write_text(
        f'"Report Name: x"\n"Report Time: {time}"\n"Report Aggregation: Summary"\n\n'
        "Campaign name,Impr.,Clicks,Spend,Currency code\nBrand,100,5,2.50,USD\n"
        "Generic,200,9,4.00,USD\n",
        encoding="utf-8",
    )
    return path


def _rows(store: Store, table: str = "ad_performance") -> list[tuple[str, str | None]]:
    got = store.read(table).sort_values("source_row")
    ends = [None if pd.isna(e) else f"{e:%Y-%m-%d}" for e in got["date_end"]]
    starts = [None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in got["date"]]
    return list(zip(starts, ends))


def _ingest(path: Path, kind: str = "ads", **kw: object) -> tuple[list, object]:
    store = Store.open(":memory:")
    rep = ingest_file(store, kind, path, **kw)
    return _rows(store, "traffic" if kind == "traffic" else "ad_performance"), rep


def _refused(path: Path, kind: str = "ads", **kw: object) -> str:
    store = Store.open(":memory:")
    with pytest.raises(DataValidationError) as e:
        ingest_file(store, kind, path, **kw)
    assert store.count("ad_performance") == 0  # nothing half-written
    msg = str(e.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg and "Traceback" not in msg
    return msg


# the three Microsoft layouts whose rows' periods the layout works out from ambiguous days
WEEKS = ["2026-03-01", "2026-03-08"]
WEEKS_TIME = ("2026-03-01", "2026-03-12")
WEEK_ROWS = [("2026-03-01", "2026-03-07"), ("2026-03-08", "2026-03-12")]
MONTHS = ["2026-10-01", "2026-11-01", "2026-12-01"]
MONTHS_TIME = ("2026-10-01", "2026-12-07")
MONTH_ROWS = [
    ("2026-10-01", "2026-10-31"),
    ("2026-11-01", "2026-11-30"),
    ("2026-12-01", "2026-12-07"),
]
SUMMARY_TIME = ("2026-10-01", "2026-10-07")


def _weekly(tmp_path: Path, dayfirst: bool) -> Path:
    cells = [_day(d, dayfirst) for d in WEEKS]
    time = " - ".join(_day(d, dayfirst) for d in WEEKS_TIME)
    return _ms(tmp_path / f"weekly_{dayfirst}.csv", "Weekly", cells, time)


def _monthly(tmp_path: Path, dayfirst: bool) -> Path:
    cells = [_day(d, dayfirst) for d in MONTHS]
    time = " - ".join(_day(d, dayfirst) for d in MONTHS_TIME)
    return _ms(tmp_path / f"monthly_{dayfirst}.csv", "Monthly", cells, time)


def _summary(tmp_path: Path, dayfirst: bool) -> Path:
    time = " - ".join(_day(d, dayfirst) for d in SUMMARY_TIME)
    return _ms_summary(tmp_path / f"summary_{dayfirst}.csv", time)


@pytest.mark.parametrize("dayfirst", [False, True])
@pytest.mark.parametrize(
    ("write", "rows", "period"),
    [(_weekly, WEEK_ROWS, WEEKS_TIME), (_monthly, MONTH_ROWS, MONTHS_TIME)],
)
def test_microsoft_periods_of_ambiguous_days_follow_the_flag(
    tmp_path, write, rows, period, dayfirst
):
    p = write(tmp_path, dayfirst)
    with pytest.raises(InputFileError, match=r"month/day or day/month.*--monthfirst or --dayfirst"):
        ingest_file(Store.open(":memory:"), "ads", p)  # without a flag: refused, not guessed
    got, rep = _ingest(p, dayfirst=dayfirst)
    assert got == rows and rep.period == period and rep.accepted == len(rows)
    assert rep.checks[0]["status"] == "pass"  # the Total row is still set aside and checked


@pytest.mark.parametrize("dayfirst", [False, True])
def test_microsoft_report_time_range_follows_the_flag(tmp_path, dayfirst):
    p = _summary(tmp_path, dayfirst)
    got, _ = _ingest(p)  # without a flag the range reads two ways: the rows stay undated
    assert got == [(None, None), (None, None)]
    got, rep = _ingest(p, dayfirst=dayfirst)
    assert got == [SUMMARY_TIME, SUMMARY_TIME] and rep.period == SUMMARY_TIME


def test_the_other_flag_reads_the_same_file_the_other_way(tmp_path):
    # the flag decides, as the user says: 3/1/2026 is 1 March month-first, 3 January day-first
    got, _ = _ingest(_weekly(tmp_path, False), dayfirst=True)
    assert got[0] == ("2026-01-03", "2026-01-09")


@pytest.mark.parametrize(("flag", "dayfirst"), ORDERS.items())
def test_a_microsoft_cell_against_the_flag_is_refused(tmp_path, flag, dayfirst):
    # a week that reads only the other way (25/10/2026 is no month/day day)
    other = _day("2026-10-25", not dayfirst)
    p = _ms(tmp_path / "w.csv", "Weekly", [_day("2026-10-04", dayfirst), other], None)
    msg = _refused(p, dayfirst=dayfirst)
    assert f"line 6, field 'Time period': '{other}' can only be" in msg
    assert f"as {flag} states" in msg


@pytest.mark.parametrize(("flag", "dayfirst"), ORDERS.items())
def test_a_report_time_against_the_flag_is_refused(tmp_path, flag, dayfirst):
    time = f"{_day('2026-10-01', not dayfirst)} - {_day('2026-10-25', not dayfirst)}"
    for p in (
        _ms_summary(tmp_path / "s.csv", time),
        _ms(tmp_path / "w.csv", "Weekly", [_day("2026-10-04", not dayfirst)], time),
    ):
        msg = _refused(p, dayfirst=dayfirst)
        assert f"the preamble line 'Report Time: {time}'" in msg and f"as {flag} states" in msg


def test_cli_microsoft_weekly_with_either_flag(tmp_path):
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)
    app.command("noop")(lambda: None)
    runner = CliRunner()
    for flag, dayfirst in ORDERS.items():
        p = _weekly(tmp_path, dayfirst)
        db = tmp_path / f"mm{dayfirst}.duckdb"
        res = runner.invoke(app, ["ingest", "ads", str(p), "--db", str(db)])
        assert res.exit_code == 2 and "--monthfirst or --dayfirst" in res.output
        assert not db.exists()
        res = runner.invoke(app, ["ingest", "ads", str(p), "--db", str(db), flag])
        assert res.exit_code == 0, res.output
        assert "period 2026-03-01..2026-03-12" in res.output
        with Store.open(str(db)) as store:
            assert _rows(store) == WEEK_ROWS
        # the summary report, through --dry-run
        s = _summary(tmp_path, dayfirst)
        res = runner.invoke(app, ["ingest", "ads", str(s), "--dry-run", "--json", flag])
        assert res.exit_code == 0 and '"2026-10-01"' in res.output and '"2026-10-07"' in res.output
    bad = _ms(tmp_path / "bad.csv", "Weekly", ["10/4/2026", "25/10/2026"], None)
    res = runner.invoke(
        app, ["ingest", "ads", str(bad), "--db", str(tmp_path / "x.duckdb"), "--monthfirst"]
    )
    assert res.exit_code == 1 and "Traceback" not in res.output  # a data error
    out = " ".join(res.output.split())
    assert "line 6, field 'Time period': '25/10/2026' can only be day/month" in out
    assert "as --monthfirst states; pass --dayfirst" in out


def test_prepare_file_takes_the_order_too(tmp_path):
    prepared = prepare_file("ads", _monthly(tmp_path, True), dayfirst=True)
    days = prepared.result.accepted
    starts, ends = days["date"].dt.strftime("%Y-%m-%d"), days["date_end"].dt.strftime("%Y-%m-%d")
    assert list(zip(starts, ends)) == MONTH_ROWS


# ---------------------------------------------------------------------- the other layouts
def _google(path: Path, period: str | None, column: str | None, cells: list[str]) -> Path:
    """A Google Ads campaign report; with a "Week"/"Month" column or a period line above."""
    head = ["Campaign report\n"] + ([f"{period}\n"] if period else [])
    cols = ([column] if column else []) + ["Campaign", "Impr.", "Clicks", "Currency code", "Cost"]
    body = [
        ",".join(([c] if column else []) + [f"Brand {i}", "100", "5", "EUR", "2.50"]) + "\n"
        for i, c in enumerate(cells)
    ]
    path.write_text("".join([*head, ",".join(cols) + "\n", *body]), encoding="utf-8")
    return path


@pytest.mark.parametrize(("flag", "dayfirst"), ORDERS.items())
def test_a_week_column_ends_its_week_in_the_flags_order(tmp_path, flag, dayfirst):
    p = _google(tmp_path / "g.csv", None, "Week", [_day(d, dayfirst) for d in WEEKS])
    _, rep = _ingest(p)  # no flag: the days are quarantined as ambiguous (no week of one day)
    assert rep.accepted == 0 and "ambiguous" in rep.quarantine_sample[0]["reason"]
    got, _ = _ingest(p, dayfirst=dayfirst)
    assert got == [("2026-03-01", "2026-03-07"), ("2026-03-08", "2026-03-14")]
    bad = _google(tmp_path / "b.csv", None, "Week", [_day("2026-03-13", not dayfirst)])
    assert f"line 3, field 'Week': '{_day('2026-03-13', not dayfirst)}'" in _refused(
        bad, dayfirst=dayfirst
    )


@pytest.mark.parametrize("dayfirst", [False, True])
def test_a_month_column_ends_its_month_in_the_flags_order(tmp_path, dayfirst):
    p = _google(tmp_path / "g.csv", None, "Month", [_day(d, dayfirst) for d in MONTHS[:2]])
    got, _ = _ingest(p, dayfirst=dayfirst)
    assert got == [("2026-10-01", "2026-10-31"), ("2026-11-01", "2026-11-30")]


@pytest.mark.parametrize(("flag", "dayfirst"), ORDERS.items())
def test_a_preamble_period_is_read_in_the_flags_order(tmp_path, flag, dayfirst):
    period = " - ".join(_day(d, dayfirst) for d in SUMMARY_TIME)
    p = _google(tmp_path / "g.csv", period, None, ["x", "y"])
    got, _ = _ingest(p)  # no flag: the period reads two ways, the rows stay undated
    assert got == [(None, None), (None, None)]
    got, rep = _ingest(p, dayfirst=dayfirst)
    assert got == [SUMMARY_TIME] * 2 and rep.period == SUMMARY_TIME
    against = f"{_day('2026-10-01', not dayfirst)} - {_day('2026-10-13', not dayfirst)}"
    msg = _refused(_google(tmp_path / "b.csv", against, None, ["x"]), dayfirst=dayfirst)
    assert f"the preamble line '{against}'" in msg and f"as {flag} states" in msg


def test_a_preamble_period_shows_its_own_order():
    from micromix.ingest.ads_exports import preamble_period

    # one end decides the order of the other (10/4 is 4 October beside 10/25)
    assert preamble_period(["10/4/2026 - 10/25/2026"]) == ("2026-10-04", "2026-10-25")
    assert preamble_period(["Start date: 4/10/2026", "End date: 25/10/2026"]) == (
        "2026-10-04",
        "2026-10-25",
    )
    # a "Name - 25/10/2026" title is no period: nothing to refuse under --monthfirst
    assert preamble_period(["Brand - 25/10/2026"], False) is None


@pytest.mark.parametrize(("flag", "dayfirst"), ORDERS.items())
def test_a_time_period_range_cell_is_read_in_the_flags_order(tmp_path, flag, dayfirst):
    # X Ads writes each row's range in a "Time period" cell
    rng = " - ".join(_day(d, dayfirst) for d in SUMMARY_TIME)
    p = tmp_path / "x.csv"
    p.write_text(
        "Time period,Campaign name,Campaign ID,Currency,Spend,Impressions,Link clicks,Engagements,"
        f'Results,Result type\n"{rng}",Pet day,abc1,USD,12.50,3000,22,51,22,Link clicks\n',
        encoding="utf-8",
    )
    _, rep = _ingest(p)  # no flag: the range reads two ways, the row is quarantined
    assert rep.accepted == 0
    got, _ = _ingest(p, dayfirst=dayfirst)
    assert got == [SUMMARY_TIME]
    against = f"{_day('2026-10-01', not dayfirst)} - {_day('2026-10-13', not dayfirst)}"
    p.write_text(p.read_text().replace(rng, against), encoding="utf-8")
    assert f"line 2, field 'Time period': '{_day('2026-10-13', not dayfirst)}'" in _refused(
        p, dayfirst=dayfirst
    )


def test_an_amazon_range_against_the_flag_is_refused(tmp_path):
    p = tmp_path / "amazon.csv"
    p.write_text(
        "Start Date,End Date,Currency,Campaign Name,Impressions,Clicks,Spend,"
        "7 Day Total Sales,7 Day Total Orders (#)\n"
        "10/1/2026,10/7/2026,USD,Brand,100,5,2.50,10.00,1\n"
        "10/1/2026,25/10/2026,USD,Generic,100,5,2.50,10.00,1\n",
        encoding="utf-8",
    )
    got, _ = _ingest(p, dayfirst=True)
    assert got == [("2026-01-10", "2026-07-10"), ("2026-01-10", "2026-10-25")]
    assert "line 3, field 'End Date': '25/10/2026'" in _refused(p, dayfirst=False)


def test_a_traffic_week_column_ends_its_week_in_the_flags_order(tmp_path):
    p = tmp_path / "ga.csv"
    p.write_text(
        "# Sessions by week\n# Account: PawCo\nWeek,Sessions,Total users\n"
        "3/1/2026,120,100\n3/8/2026,130,110\n",
        encoding="utf-8",
    )
    got, _ = _ingest(p, "traffic", dayfirst=False)
    assert got == [("2026-03-01", "2026-03-07"), ("2026-03-08", "2026-03-14")]
    bad = tmp_path / "ga2.csv"
    bad.write_text(p.read_text() + "3/13/2026,1,1\n", encoding="utf-8")
    assert "line 6, field 'Week': '3/13/2026'" in _refused(bad, "traffic", dayfirst=True)


def test_a_canonical_day_against_the_flag_is_refused_with_the_file(tmp_path):
    # the contract's own columns: refused, not one row quarantined while 03/04 is read as the
    # flag says (the file is day-first, so every other day of it would be wrong)
    p = tmp_path / "ads.csv"
    p.write_text(
        "date,platform,campaign_id,impressions,clicks,spend,currency\n"
        "03/04/2026,facebook,c1,100,3,2.5,USD\n25/04/2026,facebook,c2,120,4,3.5,USD\n",
        encoding="utf-8",
    )
    msg = _refused(p, dayfirst=False)
    assert "line 3, field 'date': '25/04/2026' can only be day/month" in msg
    got, _ = _ingest(p, dayfirst=True)
    assert got == [("2026-04-03", None), ("2026-04-25", None)]


def test_a_layouts_documented_order_is_named_when_the_file_contradicts_it(tmp_path):
    # Meta Business Suite writes "Publish time" month-first; --dayfirst still wins
    p = tmp_path / "ig.csv"
    p.write_text(
        "Post ID,Account username,Description,Publish time,Permalink,Impressions,Likes\n"
        "1,pawco,a,04/05/2026 10:30,https://www.instagram.com/p/A/,10,1\n"
        "2,pawco,b,25/05/2026 10:30,https://www.instagram.com/p/B/,10,1\n",
        encoding="utf-8",
    )
    store = Store.open(":memory:")
    with pytest.raises(DataValidationError) as e:
        ingest_file(store, "posts", p)
    assert "line 3, field 'ts': '25/05/2026 10:30' can only be day/month" in str(e.value)
    assert "as the Meta Business Suite content insights layout states; pass --dayfirst" in str(
        e.value
    )
    ingest_file(store, "posts", p, dayfirst=True)
    ts = store.read("posts").sort_values("post_id")["ts"]
    assert [f"{t:%Y-%m-%d}" for t in ts] == ["2026-05-04", "2026-05-25"]
