"""Aggregate files read as web-analytics reports: which columns are measures, which the
dimension, what is left unread (and said), UA's own measures, daily series, and what an
aggregate is when it cannot be read (an event inventory, a daily funnel)."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from micromix.cli.ingest_cmd import register
from micromix.errors import ColumnNotFoundError
from micromix.ingest import ingest_file, prepare_file
from micromix.metrics.traffic import traffic_reports
from micromix.moments.sessions import tag_sessions
from micromix.store import Store


def _inventory(tmp_path: Path) -> Path:
    p = tmp_path / "event_inventory.csv"
    p.write_text(
        "event_name,event_count,user_count\n"
        "page_view,1350,269\nuser_engagement,1058,213\nscroll,493,138\n"
    )
    return p


def _funnel(tmp_path: Path, total: bool = True) -> Path:
    p = tmp_path / "daily_funnel.csv"
    head = (
        "session_date,"
        + ("total_sessions," if total else "")
        + (
            "view_sessions,checkout_sessions,purchase_sessions,session_to_view_rate_pct,"
            "total_sessions_7d_avg"
        )
    )
    days = [
        f"2020-11-{d:02d}," + (f"{100 + d}," if total else "") + f"{20 + d},5,1,20.1,100.0"
        for d in range(1, 4)
    ]
    p.write_text("\n".join([head, *days]) + "\n")
    return p


# ------------------------------------------------------------------ 1. measures, not dimensions
def test_a_numeric_count_column_is_a_measure_not_part_of_the_dimension(tmp_path):
    st = Store.open(":memory:")
    rep = ingest_file(st, "traffic", _inventory(tmp_path))
    tr = st.read("traffic")
    assert set(tr["dimension"]) == {"event_name"}
    assert list(tr["dimension_value"]) == ["page_view", "user_engagement", "scroll"]
    assert list(tr["users"]) == [269, 213, 138] and list(tr["event_count"]) == [1350, 1058, 493]
    assert rep.notes == ()  # every column read
    r = traffic_reports(st)[0]
    assert r.report == "event_inventory.csv" and r.dimension == "event_name"


def test_numbers_micromix_has_no_field_for_are_unread_and_said(tmp_path):
    p = tmp_path / "pages.csv"
    p.write_text(
        "Page path,Hour,Sessions,Scroll depth 90,Sessions per user,Bounce rate\n"
        "/a,9,10,4,1.2,0.5\n/b,10,5,1,1.0,0.2\n"
    )
    prep = prepare_file("traffic", p)
    rows = prep.result.accepted
    # "Hour" is named as a dimension (numbers, but a time part), "Scroll depth 90" is not one
    assert set(rows["dimension"]) == {"Page path | Hour"}
    assert list(rows["dimension_value"]) == ["/a | 9", "/b | 10"]
    assert list(rows["sessions"]) == [10, 5] and list(rows["bounce_rate"]) == [0.5, 0.2]
    assert prep.unread == ("Scroll depth 90", "Sessions per user")
    (note,) = prep.notes
    assert "'Scroll depth 90'" in note and "not stored" in note
    assert "derived from counts are not read either: 'Sessions per user'" in note


def test_inspect_shows_the_note_on_unread_columns(tmp_path):
    app = typer.Typer()
    register(app)
    res = CliRunner().invoke(app, ["inspect", "traffic", str(_funnel(tmp_path))])
    assert res.exit_code == 0, res.output
    assert "note: 3 column(s) of numbers are not read" in res.output
    assert "'view_sessions', 'checkout_sessions', 'purchase_sessions'" in res.output


# ------------------------------------------------------------------ 2. UA time on page
def test_ua_time_on_page_is_its_own_measure_not_ga4_engagement(tmp_path):
    p = tmp_path / "ua.csv"
    p.write_text(
        "Page,Pageviews,Unique Pageviews,Avg. Time on Page,Entrances,Bounce Rate,% Exit\n"
        "/dogs,120,100,33.5,90,0.5,0.4\n/cats,80,70,20.0,60,0.25,0.3\n"
    )
    st = Store.open(":memory:")
    rep = ingest_file(st, "traffic", p)
    tr = st.read("traffic")
    assert list(tr["avg_time_on_page_seconds"]) == [33.5, 20.0]
    assert tr["avg_engagement_seconds"].isna().all()
    assert rep.unread_columns == ("% Exit",)
    from micromix import reports
    from micromix.plan import gather_evidence

    html = reports.build_report(gather_evidence(st, n_boot=20), sections=["traffic"])
    assert "avg. time on page (s)" in html and "avg. engagement" not in html


# ------------------------------------------------------------------ 3. a daily series
def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An .xlsx file of ``sheets`` (name -> rows), in that order."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _ua_daily(path: Path, days: list[int]) -> Path:
    """A UA workbook: Summary (view, report, period), Dataset1 (pages), Dataset2 (one row per
    day, then the unlabelled total)."""
    daily: list[list[object]] = [["Day Index", "Pageviews"]]
    daily += [[pd.Timestamp(2022, 7, d).to_pydatetime(), 100 + d] for d in days]
    daily.append([None, sum(100 + d for d in days)])
    summary: list[list[object]] = [["All Web Site Data"], ["Pages"], ["20220701-20220731"]]
    return _workbook(
        path,
        {"Summary": summary, "Dataset1": [["Page", "Pageviews"], ["/a", 10]], "Dataset2": daily},
    )


def test_a_report_by_day_is_a_series_of_every_day_in_date_order(tmp_path):
    days = list(range(1, 15))
    random.Random(3).shuffle(days)  # more days than a top 10, not in date order
    p = _ua_daily(tmp_path / "ua_daily.xlsx", days)
    st = Store.open(":memory:")
    rep = ingest_file(st, "traffic", p, sheet="Dataset2")
    assert rep.checks[0]["status"] == "pass"
    (r,) = traffic_reports(st)
    assert r.series and r.dimension == "day" and r.rows == 14
    assert r.report == "Pages" and r.property == "All Web Site Data"  # from the Summary sheet
    assert r.table["dimension_value"].tolist() == [f"2022-07-{d:02d}" for d in range(1, 15)]
    from micromix import reports
    from micromix.plan import gather_evidence

    html = reports.build_report(gather_evidence(st, n_boot=20), sections=["traffic"])
    sec = html[html.index(">Web and app analytics</h2>") :].split("<h2")[0].split("<script")[0]
    assert "<h3>Pages</h3>" in sec and "a daily series of 14 days, in date order" in sec
    assert "the first 10" not in sec and "None" not in sec


def test_a_sheet_without_a_named_report_is_titled_by_sheet_and_file(tmp_path):
    notes: list[list[object]] = [["a table follows", "on the next sheet"]]
    rows: list[list[object]] = [["Date", "Sessions"], ["2024-01-02", 5], ["2024-01-01", 7]]
    p = _workbook(tmp_path / "book.xlsx", {"Notes": notes, "Dataset2": rows})
    st = Store.open(":memory:")
    ingest_file(st, "traffic", p, sheet="Dataset2")
    (r,) = traffic_reports(st)
    assert r.report == "Dataset2 of book.xlsx" and r.series
    assert r.table["dimension_value"].tolist() == ["2024-01-01", "2024-01-02"]


# ------------------------------------------------------------------ 4. aggregates
def test_a_daily_funnel_is_read_as_a_daily_sessions_series(tmp_path):
    st = Store.open(":memory:")
    rep = ingest_file(st, "traffic", _funnel(tmp_path))
    assert rep.accepted == 3 and rep.period == ("2020-11-01", "2020-11-03")
    (r,) = traffic_reports(st)
    assert r.series and r.measure == "sessions" and r.totals == {"sessions": 306.0}
    (note,) = rep.notes
    assert "'view_sessions', 'checkout_sessions', 'purchase_sessions'" in note
    assert "'session_to_view_rate_pct', 'total_sessions_7d_avg'" in note


def test_a_funnel_without_a_count_micromix_stores_is_refused_saying_what_it_is(tmp_path):
    with pytest.raises(ColumnNotFoundError) as e:
        prepare_file("traffic", _funnel(tmp_path, total=False))
    msg = str(e.value)
    assert "daily_funnel.csv: the file is a daily funnel" in msg
    assert "view, checkout, purchase" in msg and "'dimension'" not in msg


@pytest.mark.parametrize(
    ("make", "what"),
    [(_inventory, "an event inventory"), (_funnel, "a daily funnel")],
)
def test_moments_sessions_says_an_aggregate_is_not_events(tmp_path, make, what):
    p = make(tmp_path)
    with pytest.raises(ColumnNotFoundError) as e:
        tag_sessions(pd.read_csv(p), source=str(p))
    msg = str(e.value)
    assert f"the file is {what}" in msg and "not one row per event" in msg
    assert f"micromix ingest traffic {p}" in msg


def test_two_sheets_of_one_workbook_are_two_exports_neither_replaces_the_other(tmp_path):
    """Ingesting Dataset1 after Dataset2 of the same workbook used to remove Dataset2's rows as
    an earlier version 'from the same path' (data lost, 'removed (no longer in the export)')."""
    p = _ua_daily(tmp_path / "ua.xlsx", list(range(1, 8)))
    st = Store.open(":memory:")
    first = ingest_file(st, "traffic", p, sheet="Dataset2")
    second = ingest_file(st, "traffic", p, sheet="Dataset1")
    assert second.removed == 0 and first.accepted == 7
    reports_in = {r.dimension: r.rows for r in traffic_reports(st)}
    assert reports_in.get("day") == 7 and sum(reports_in.values()) == 8
    again = ingest_file(st, "traffic", p, sheet="Dataset2")  # the same sheet again: unchanged
    assert again.removed == 0 and again.inserted == 0
    assert sum(r.rows for r in traffic_reports(st)) == 8
