"""Row identity by lineage: same file, moved file, updated export, overlapping exports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from micromix.ingest import OverlapError, ingest_file
from micromix.ingest.lineage import REGISTRY_TABLE
from micromix.store import Store

#: a Meta daily export (Ads Manager writes the report range beside the day of each row)
HEADER = (
    "Campaign name,Ad name,Day,Impressions,Link clicks,Amount spent (EUR),"
    "Reporting starts,Reporting ends\n"
)


def meta_daily(path: Path, days: list[str], *, spend: float = 10.0, names=("A", "B")) -> Path:
    lines = [HEADER]
    for d in days:
        for n in names:
            # both ads share one truncated name: identity must come from lineage
            lines.append(f"Spring,Reel - Bella...,{d},1000,10,{spend},{d},{d}\n")
            del n
    path.write_text("".join(lines))
    return path


@pytest.fixture
def store():
    st = Store.open(":memory:")
    yield st
    st.close()


def _spend(store: Store) -> float:
    return float(store.read("ad_performance")["spend"].sum())


def test_rows_with_repeating_names_are_all_kept(store, tmp_path):
    p = meta_daily(tmp_path / "may.csv", ["2026-05-01", "2026-05-02"])
    rep = ingest_file(store, "ads", p)
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (4, 4, 0)
    assert store.count("ad_performance") == 4 and _spend(store) == 40.0


def test_same_file_twice_and_from_another_path_adds_nothing(store, tmp_path):
    p = meta_daily(tmp_path / "may.csv", ["2026-05-01", "2026-05-02"])
    first = ingest_file(store, "ads", p)
    again = ingest_file(store, "ads", p)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    moved = tmp_path / "downloads" / "may (1).csv"
    moved.parent.mkdir()
    moved.write_bytes(p.read_bytes())
    third = ingest_file(store, "ads", moved)
    assert third.source_id == first.source_id and third.unchanged == 4
    assert store.count("ad_performance") == 4 and _spend(store) == 40.0
    assert store.count(REGISTRY_TABLE) == 1


def test_updated_export_of_the_same_report_replaces_its_rows(store, tmp_path):
    p = meta_daily(tmp_path / "may.csv", ["2026-05-01", "2026-05-02"])
    ingest_file(store, "ads", p)
    restated = meta_daily(tmp_path / "may-restated.csv", ["2026-05-01", "2026-05-02"], spend=12.5)
    rep = ingest_file(store, "ads", restated)
    assert (rep.inserted, rep.updated, rep.unchanged, rep.removed) == (0, 4, 0, 0)
    assert store.count("ad_performance") == 4 and _spend(store) == 50.0


def test_overlapping_export_is_refused_then_replaced_or_kept(store, tmp_path):
    ingest_file(store, "ads", meta_daily(tmp_path / "a.csv", ["2026-05-01", "2026-05-02"]))
    b = meta_daily(tmp_path / "b.csv", ["2026-05-02", "2026-05-03"])
    with pytest.raises(OverlapError, match=r"overlaps .*a\.csv.*--replace.*--keep-both"):
        ingest_file(store, "ads", b)
    assert store.count("ad_performance") == 4  # nothing written by the refused ingest
    rep = ingest_file(store, "ads", b, on_overlap="replace")
    assert rep.replaced == (str((tmp_path / "a.csv").resolve()),)
    assert rep.replaced_rows == 4 and rep.to_dict()["replaced_rows"] == 4  # said, not silent
    assert store.count("ad_performance") == 4 and store.count(REGISTRY_TABLE) == 1
    days = set(store.read("ad_performance")["date"].dt.strftime("%F"))
    assert days == {"2026-05-02", "2026-05-03"}
    c = meta_daily(tmp_path / "c.csv", ["2026-05-03", "2026-05-04"])
    kept = ingest_file(store, "ads", c, on_overlap="keep")
    assert kept.overlaps == (str(b.resolve()),) and store.count("ad_performance") == 8


def test_disjoint_periods_and_campaigns_do_not_overlap(store, tmp_path):
    ingest_file(store, "ads", meta_daily(tmp_path / "may.csv", ["2026-05-01"]))
    ingest_file(store, "ads", meta_daily(tmp_path / "june.csv", ["2026-06-01"]))
    other = tmp_path / "other.csv"
    other.write_text(HEADER + "Autumn,Studio,2026-05-01,500,5,3.0,2026-05-01,2026-05-01\n")
    ingest_file(store, "ads", other)
    assert store.count("ad_performance") == 5


def test_another_breakdown_of_the_same_period_overlaps(store, tmp_path):
    age = tmp_path / "age.csv"
    age.write_text(
        "Campaign name,Age,Impressions,Amount spent (EUR),Reporting starts,Reporting ends\n"
        ",,300,30,2026-05-01,2026-05-31\n"
        "Spring,18-24,100,10,2026-05-01,2026-05-31\nSpring,25-34,200,20,2026-05-01,2026-05-31\n"
    )
    placement = tmp_path / "placement.csv"
    placement.write_text(
        "Campaign name,Placement,Impressions,Amount spent (EUR),Reporting starts,Reporting ends\n"
        "Spring,Feed,250,25,2026-05-01,2026-05-31\nSpring,Reels,50,5,2026-05-01,2026-05-31\n"
    )
    rep = ingest_file(store, "ads", age)
    assert rep.summary_rows == 1 and rep.checks[0]["status"] == "pass"
    with pytest.raises(OverlapError):
        ingest_file(store, "ads", placement)  # summing both would count May's spend twice


def test_kaggle_row_without_ad_id_is_quarantined(store, tmp_path):
    p = tmp_path / "kag.csv"
    p.write_text(
        "ad_id,xyz_campaign_id,fb_campaign_id,age,gender,interest,Impressions,Clicks,Spent,"
        "Total_Conversion,Approved_Conversion\n"
        "708746,916,103916,30-34,M,15,7350,1,1.43,2,1\n"
        ",916,103917,30-34,M,16,17861,2,1.82,2,0\n"
    )
    rep = ingest_file(store, "ads", p, currency="USD")
    assert (rep.accepted, rep.quarantined) == (1, 1)
    assert rep.quarantine_sample[0]["field"] == "ad_id"


def test_old_store_without_lineage_columns_is_migrated(tmp_path):
    db = tmp_path / "old.duckdb"
    with Store.open(str(db)) as st:
        st.sql('ALTER TABLE ad_performance DROP COLUMN "source_row"')
    with Store.open(str(db)) as st:
        rep = ingest_file(st, "ads", meta_daily(tmp_path / "may.csv", ["2026-05-01"]))
        assert rep.accepted == 2 and "source_row" in st.read("ad_performance").columns
        assert st.read("ad_performance")["source_row"].tolist() == [2, 3]


def test_spend_by_day_equals_the_file(store, tmp_path):
    p = meta_daily(tmp_path / "may.csv", ["2026-05-01", "2026-05-02", "2026-05-03"])
    ingest_file(store, "ads", p)
    raw = pd.read_csv(p)
    by_day = store.read("ad_performance").groupby(store.read("ad_performance")["date"].dt.day)[
        "spend"
    ]
    assert by_day.sum().tolist() == raw.groupby("Day")["Amount spent (EUR)"].sum().tolist()


def test_ga4_reports_by_different_dimensions_do_not_overlap(store, tmp_path):
    head = "# Start date: 20260101\n# End date: 20260131\n"
    a = tmp_path / "events.csv"
    a.write_text(head + "Event name,Event count\npage_view,10\nscroll,4\n")
    b = tmp_path / "pages.csv"
    b.write_text(head + "Page path,Views,Event count\n/,7,9\n/about,3,5\n")
    c = tmp_path / "events_again.csv"
    c.write_text(head + "Event name,Event count\npage_view,11\nclick,4\n")
    ingest_file(store, "traffic", a)
    ingest_file(store, "traffic", b)  # another dimension of the same month: kept apart
    assert store.count("traffic") == 4
    with pytest.raises(OverlapError):
        ingest_file(store, "traffic", c)  # the same dimension and month again
