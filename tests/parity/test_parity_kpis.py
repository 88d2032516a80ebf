"""KPI engine: every KPI by several dimension sets and grains, DuckDB vs PySpark."""

from __future__ import annotations

import pytest
from _parity import SPARK_MARKS, assert_same

from micromix.metrics import KPI_COLUMNS, compute_kpis

pytestmark = SPARK_MARKS

EVENT_CUTS = [
    ((), None),
    (("platform",), None),
    (("strategy", "targeting"), "day"),
    (("campaign_id",), "week"),
    (("region", "device"), "month"),
    (("platform", "moment"), "week"),
]


@pytest.mark.parametrize(("by", "grain"), EVENT_CUTS)
def test_event_kpis_equal(duck, sparkst, by, grain):
    a = compute_kpis(duck, by=list(by), grain=grain, source="events")
    b = compute_kpis(sparkst, by=list(by), grain=grain, source="events")
    assert len(a) > 0
    assert [c for c in a.columns if c in KPI_COLUMNS] == list(KPI_COLUMNS)
    assert_same(a, b)
    assert int(a["impressions"].sum()) == int(b["impressions"].sum()) > 0


@pytest.mark.parametrize(("by", "grain"), [(("platform",), "week"), (("campaign_id", "age"), None)])
def test_ad_report_kpis_equal(duck, sparkst, by, grain):
    a = compute_kpis(duck, by=list(by), grain=grain, source="ads")
    b = compute_kpis(sparkst, by=list(by), grain=grain, source="ads")
    assert len(a) > 0
    assert_same(a, b)


def test_filtered_kpis_equal(duck, sparkst):
    def where(t):
        return (t.platform == "instagram") & t.cost.notnull()

    a = compute_kpis(duck, by=["strategy"], source="events", where=where)
    b = compute_kpis(sparkst, by=["strategy"], source="events", where=where)
    assert_same(a, b)


def test_auto_source_and_counts_equal(duck, sparkst):
    for name in ("events", "ad_performance", "experiments", "creators"):
        assert duck.count(name) == sparkst.count(name) > 0
    a = compute_kpis(duck, by=["platform"])
    b = compute_kpis(sparkst, by=["platform"])
    assert a.attrs["source"] == b.attrs["source"] == "events"
    assert_same(a, b)
