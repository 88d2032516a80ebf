"""Web-analytics reports (GA4 / UA downloads in the traffic table) summarised for the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from micromix.metrics.traffic import traffic_reports
from micromix.store import Store

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _rows(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {
        "date": pd.to_datetime(["2025-03-01"] * n).date,
        "date_end": pd.to_datetime(["2025-03-31"] * n).date,
        "property": "Shop GA4",
        "report": "Pages and screens",
        "dimension": "Page path",
        "source_id": "file-1",
        "source_row": list(range(1, n + 1)),
    }
    return pd.DataFrame({**base, **cols})


def test_totals_shares_and_users_that_do_not_add_up():
    st = Store.open(":memory:")
    st.append(
        "traffic",
        _rows(
            dimension_value=["/shop", "/", "/blog"],
            views=[300, 500, 200],
            users=[120, 400, 90],
            key_events=[6.0, 2.0, 0.0],
            avg_engagement_seconds=[40.0, 12.5, 80.0],
        ),
    )
    (r,) = traffic_reports(st)
    assert (r.report, r.dimension, r.property) == ("Pages and screens", "Page path", "Shop GA4")
    assert (r.first_day, r.last_day, r.rows, r.measure) == ("2025-03-01", "2025-03-31", 3, "views")
    assert r.totals == {"views": 1000.0, "key_events": 8.0}  # users are never totalled
    assert r.table["dimension_value"].tolist() == ["/", "/shop", "/blog"]
    assert r.table["share"].tolist() == pytest.approx([0.5, 0.3, 0.2])
    assert r.table["avg_engagement_seconds"].tolist() == [12.5, 40.0, 80.0]  # as reported
    assert traffic_reports(st, top=2)[0].table["dimension_value"].tolist() == ["/", "/shop"]
    assert r.to_dict()["totals"]["views"] == 1000.0


def test_two_files_are_two_reports_and_a_daily_split_is_added_up():
    st = Store.open(":memory:")
    daily = _rows(
        dimension_value=["page_view", "page_view", "scroll"],
        event_count=[70, 30, 40],
        users=[50, 20, 30],
    ).assign(
        report="Events: Event name",
        dimension="Event name",
        source_id="file-2",
        date=pd.to_datetime(["2025-04-01", "2025-04-02", "2025-04-01"]).date,
        date_end=pd.to_datetime(["2025-04-01", "2025-04-02", "2025-04-01"]).date,
    )
    st.append("traffic", _rows(dimension_value=["/"], sessions=[9]))
    st.append("traffic", daily)
    reports = {r.report: r for r in traffic_reports(st)}
    assert set(reports) == {"Pages and screens", "Events: Event name"}
    ev = reports["Events: Event name"]
    assert (ev.first_day, ev.last_day, ev.rows, ev.measure) == (
        "2025-04-01",
        "2025-04-02",
        2,
        "event_count",
    )
    assert ev.table.set_index("dimension_value")["event_count"].to_dict() == {
        "page_view": 100,
        "scroll": 40,
    }
    assert "users" not in ev.table.columns  # users of two days do not add up
    assert reports["Pages and screens"].measure == "sessions"


def test_no_traffic_no_reports():
    assert traffic_reports(Store.open(":memory:")) == []


@pytest.mark.shared_data
@pytest.mark.skipif(not (DATA / "exports" / "ga4").exists(), reason="../shared/data absent")
def test_real_ga4_and_ua_downloads():
    from micromix.ingest import ingest_file

    st = Store.open(":memory:")
    files = sorted((DATA / "exports" / "ga4").iterdir())
    for f in files:
        ingest_file(st, "traffic", f)
    reports = traffic_reports(st)
    assert len(reports) == len(files)
    for r in reports:
        assert r.rows == len(st.read("traffic").query("report == @r.report"))
        total = r.totals.get(r.measure)
        if total:  # the shares of all rows add up to one
            assert r.table["share"].sum() <= 1.0 + 1e-9
        assert r.first_day is not None and r.first_day <= r.last_day


# ---------------------------------------------------------------------- the export's total row
def _ua_workbook(path: Path, pages: list[tuple[str, int, int]], total: tuple[int, int]) -> Path:
    """A Universal Analytics workbook as UA saves it: a Summary sheet with the period, then
    the top pages and an unlabelled total row of the whole report."""
    import openpyxl

    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Summary"
    for line in ("All Web Site Data", "Pages", "20220701-20220731"):
        summary.append([line])
    ds = wb.create_sheet("Dataset1")
    ds.append(["Page", "Pageviews", "Unique Pageviews", "Avg. Time on Page", "Bounce Rate"])
    for page, views, unique in pages:
        ds.append([page, views, unique, 30.0, 0.5])
    ds.append([None, *total, 58.3, 0.87])
    wb.save(path)
    return path


def _ingest(st: Store, path: Path) -> None:
    from micromix.ingest import ingest_file

    ingest_file(st, "traffic", path)


def test_a_top_rows_download_takes_shares_of_the_reports_own_total(tmp_path):
    st = Store.open(":memory:")
    pages = [("/cod", 1165, 900), ("/gaming", 431, 400), ("/", 225, 200)]
    _ingest(st, _ua_workbook(tmp_path / "ua.xlsx", pages, (9348, 8052)))
    (r,) = traffic_reports(st)
    assert r.measure == "views" and r.rows == 3
    assert r.totals["views"] == 1821.0  # what was ingested
    assert r.report_totals["views"] == 9348.0 and r.report_totals["unique_views"] == 8052.0
    assert r.report_totals["bounce_rate"] == pytest.approx(0.87)  # as the total row says
    assert r.table["share"].tolist() == pytest.approx([1165 / 9348, 431 / 9348, 225 / 9348])
    assert r.subset is True
    assert r.note == (
        "the rows are part of the report: they hold 1,821 of the 9,348 views in the export's "
        "total row (19.5%); shares are of the report's total"
    )
    d = r.to_dict()
    assert d["report_totals"]["views"] == 9348.0 and d["subset"] is True and d["note"] == r.note


def test_a_total_row_the_rows_add_up_to_changes_nothing(tmp_path):
    st = Store.open(":memory:")
    pages = [("/dogs", 120, 100), ("/cats", 80, 70)]
    _ingest(st, _ua_workbook(tmp_path / "ua.xlsx", pages, (200, 170)))
    (r,) = traffic_reports(st)
    assert r.report_totals["views"] == r.totals["views"] == 200.0
    assert (r.subset, r.note) == (False, None)
    assert r.table["share"].tolist() == pytest.approx([0.6, 0.4])


def test_a_total_row_below_the_rows_is_said_and_shares_stay_of_the_rows(tmp_path):
    st = Store.open(":memory:")
    pages = [("/dogs", 120, 100), ("/cats", 80, 70)]
    _ingest(st, _ua_workbook(tmp_path / "ua.xlsx", pages, (150, 170)))
    (r,) = traffic_reports(st)
    assert r.report_totals["views"] == 150.0 and r.subset is False
    assert r.note == (
        "the export's total row states 150 views, fewer than its rows hold (200); shares are "
        "of the rows"
    )
    assert r.table["share"].tolist() == pytest.approx([0.6, 0.4])


def test_a_new_download_of_the_report_replaces_its_total(tmp_path):
    st = Store.open(":memory:")
    pages = [("/dogs", 120, 100), ("/cats", 80, 70)]
    _ingest(st, _ua_workbook(tmp_path / "ua.xlsx", pages, (1000, 900)))
    _ingest(st, _ua_workbook(tmp_path / "ua_again.xlsx", pages, (400, 300)))  # same report
    (r,) = traffic_reports(st)
    assert r.report_totals["views"] == 400.0
    assert r.table["share"].tolist() == pytest.approx([0.3, 0.2])


def test_total_rows_that_disagree_give_no_report_total(tmp_path):
    p = tmp_path / "sessions.csv"
    p.write_text(
        "# Start date: 20260301\n# End date: 20260331\n"
        "Session source / medium,Sessions\ngoogle / organic,1200\n(direct) / (none),640\n"
        "Total,5000\nGrand total,6000\n"
    )
    st = Store.open(":memory:")
    _ingest(st, p)
    (r,) = traffic_reports(st)
    assert r.report_totals == {} and (r.subset, r.note) == (False, None)
    assert r.table["share"].sum() == pytest.approx(1.0)


@pytest.mark.shared_data
@pytest.mark.skipif(not (DATA / "exports" / "ga4").exists(), reason="../shared/data absent")
def test_real_ua_top_10_pages_share_of_all_pages():
    st = Store.open(":memory:")
    _ingest(st, DATA / "exports" / "ga4" / "ua_pages_202207.xlsx")
    (r,) = traffic_reports(st)
    assert (r.totals["views"], r.report_totals["views"]) == (26856.0, 93480.0)
    assert r.table["views"].iat[0] == 11649 and r.subset is True
    assert round(float(r.table["share"].iat[0]), 4) == 0.1246  # of the report, not of the top 10
    assert "26,856 of the 93,480 views" in (r.note or "")


def test_kpis_on_a_store_of_web_analytics_reports_alone_say_what_the_store_holds(tmp_path):
    from typer.testing import CliRunner

    from micromix.cli.main import app
    from micromix.errors import ConfigError
    from micromix.metrics import compute_kpis

    p = tmp_path / "pages.csv"
    p.write_text(
        "# Start date: 20250101\n# End date: 20250131\nPage path,Views,Sessions\n/,500,300\n"
    )
    db = str(tmp_path / "ga.duckdb")
    res = CliRunner().invoke(app, ["ingest", "traffic", str(p), "--db", db])
    assert res.exit_code == 0, res.output
    with Store.open(db, read_only=True) as st, pytest.raises(ConfigError) as err:
        compute_kpis(st)
    msg = str(err.value)
    assert "only 1 row of web analytics reports" in msg and "micromix report" in msg
    assert "run micromix ingest" not in msg  # the user just did
    out = CliRunner().invoke(app, ["kpis", "--db", db])
    assert out.exit_code != 0 and "web analytics reports" in out.output
    assert "Traceback" not in out.output
