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
