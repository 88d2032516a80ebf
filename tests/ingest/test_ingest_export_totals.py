"""An export's own total rows are set aside as no data, and kept with the export's record in
``ingest_files`` (not lost): a top-10 download states the views of the whole report there."""

from __future__ import annotations

from pathlib import Path

import pytest

from micromix.ingest import ingest_file, prepare_file
from micromix.ingest.lineage import REGISTRY_TABLE, registry_totals
from micromix.store import Store

FIXTURES = Path(__file__).parent / "fixtures"

#: a GA4 download of two of its report's rows and the report's total row
TOP_ROWS = (
    "# Start date: 20260301\n# End date: 20260331\n"
    "Session source / medium,Sessions,Total users,Engagement rate\n"
    "google / organic,1200,950,0.61\n(direct) / (none),640,500,0.47\n"
    'Grand total,"9,380",7100,55.2%\n'
)


def test_a_traffic_total_row_is_kept_with_the_exports_record(tmp_path):
    p = tmp_path / "sessions.csv"
    p.write_text(TOP_ROWS)
    prepared = prepare_file("traffic", p)
    assert prepared.totals == (
        {"label": "Grand total", "values": {"sessions": 9380.0, "users": 7100.0}},
    )
    st = Store.open(":memory:")
    rep = ingest_file(st, "traffic", p)
    assert rep.summary_rows == 1 and rep.accepted == 2
    assert rep.checks[0]["status"] == "review"  # the rows are not the whole report
    assert registry_totals(st, "traffic") == {rep.source_id: list(prepared.totals)}
    assert st.count("traffic") == 2  # the total row is no data row


def test_a_file_without_total_rows_records_none(tmp_path):
    p = tmp_path / "events.csv"
    p.write_text("# Start date: 20260101\n# End date: 20260131\nEvent name,Event count\nx,3\n")
    st = Store.open(":memory:")
    ingest_file(st, "traffic", p)
    assert registry_totals(st, "traffic") == {}
    assert registry_totals(Store.open(":memory:"), "traffic") == {}  # no registry at all


def test_an_ad_exports_total_row_is_kept_too():
    st = Store.open(":memory:")
    rep = ingest_file(st, "ads", FIXTURES / "meta_ads_export.csv")
    (total,) = registry_totals(st, "ad_performance")[rep.source_id]
    assert total["label"] == "total (empty dimensions)"
    assert total["values"]["impressions"] == 10544.0 and total["values"]["spend"] == 81.17
    assert registry_totals(st, "traffic") == {}


def test_a_store_from_before_the_totals_column_gets_it(tmp_path):
    db = str(tmp_path / "old.duckdb")
    p = tmp_path / "sessions.csv"
    p.write_text(TOP_ROWS)
    with Store.open(db) as st:
        ingest_file(st, "ads", FIXTURES / "meta_ads_export.csv")
        st.sql(f'ALTER TABLE "{REGISTRY_TABLE}" DROP COLUMN "totals"')  # as an older micromix
        assert registry_totals(st, "traffic") == {}
        rep = ingest_file(st, "traffic", p)
        assert registry_totals(st, "traffic")[rep.source_id][0]["values"]["sessions"] == 9380.0


@pytest.mark.parametrize("cell", ["n/a", "", "--"])
def test_a_total_cell_that_is_no_number_is_left_out(tmp_path, cell):
    p = tmp_path / "sessions.csv"
    p.write_text(TOP_ROWS.replace('"9,380"', cell))
    (total,) = prepare_file("traffic", p).totals
    assert total["values"] == {"users": 7100.0}


def test_a_store_of_an_older_micromix_takes_the_next_ingest(tmp_path):
    # a store written by an older micromix, opened afresh (as every CLI run does): adding the
    # new column inside the write made DuckDB refuse the commit ("another transaction has
    # altered this table"), so every ingest into an existing store failed after an upgrade
    db = str(tmp_path / "old.duckdb")
    with Store.open(db) as st:
        ingest_file(st, "ads", FIXTURES / "meta_ads_export.csv")
        st.sql(f'ALTER TABLE "{REGISTRY_TABLE}" DROP COLUMN "totals"')
    p = tmp_path / "sessions.csv"
    p.write_text(TOP_ROWS)
    with Store.open(db) as st:  # the same export again (its old record replaced), then another
        again = ingest_file(st, "ads", FIXTURES / "meta_ads_export.csv")
        assert again.accepted > 0 and again.inserted == 0
        rep = ingest_file(st, "traffic", p)
        assert rep.accepted > 0
        assert registry_totals(st, "traffic")[rep.source_id][0]["values"]["sessions"] == 9380.0
