"""Ad and ad set names are kept beside their ids (``ad_name``, ``ad_set_name``).

A Meta ad-level export with "Ads" (the names) and "Ad ID" stored only the ids: a marketer who
exports at ad level could not see the ads by name. Names repeat (several ads share one name),
so the id stays the ad's key and the level is still told by the ids; the name is a label, so a
re-download that adds the names column is the same report (it replaces, never double counts).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from micromix.ingest import ingest_file
from micromix.metrics import compute_kpis
from micromix.store import Store

FIXTURES = Path(__file__).parent / "fixtures"

#: a Meta ad-level export as Ads Manager writes it: the account-total row first (every
#: dimension empty), ads that share a name, 18-digit ids, blanks for zero
META_ADS = (
    '"Ads","Ad ID","Delivery status","Delivery level","Reach","Impressions","Link clicks",'
    '"Result type","Results","Amount spent (IDR)","Reporting starts","Reporting ends"\n'
    ",,,,5000,9000,70,mixed,,600000,2026-03-26,2026-04-25\n"
    '"PPF 5",120242075202220007,active,ad,2000,4000,40,"Messaging conversations started",4,'
    "300000,2026-03-26,2026-04-25\n"
    '"PPF 5",120242075202220008,active,ad,1500,3000,,"Messaging conversations started",2,'
    "200000,2026-03-26,2026-04-25\n"
    '"SPPF || Ads 1 || 15/12/25",120240829066400007,not_delivering,ad,1500,2000,30,,,'
    "100000,2026-03-26,2026-04-25\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_meta_ad_level_export_keeps_the_ad_names(tmp_path):
    st = Store.open(":memory:")
    rep = ingest_file(st, "ads", _write(tmp_path, "ads.csv", META_ADS))
    assert (rep.layout, rep.accepted, rep.quarantined, rep.summary_rows) == ("meta_ads", 3, 0, 1)
    assert rep.checks[0]["status"] == "pass"  # the ads still add up to the account total
    ads = st.read("ad_performance").sort_values("source_row")
    assert list(ads["ad_id"]) == ["120242075202220007", "120242075202220008", "120240829066400007"]
    assert list(ads["ad_name"]) == ["PPF 5", "PPF 5", "SPPF || Ads 1 || 15/12/25"]
    assert set(ads["level"]) == {"ad"}  # the names do not make it another level
    assert rep.to_dict()["accepted"] == 3
    # by name: the two "PPF 5" ads together, every ad counted once
    by_name = compute_kpis(st, by=["ad_name"], source="ads").set_index("ad_name")
    assert by_name.loc["PPF 5", "spend"] == pytest.approx(500000.0)
    assert by_name.loc["PPF 5", "impressions"] == 7000
    assert by_name["spend"].sum() == pytest.approx(600000.0)


def test_a_redownload_with_the_names_column_replaces_rather_than_double_counts(tmp_path):
    """The same ads, period and account with and without "Ads": one report, not two."""
    ids_only = pd.read_csv(_write(tmp_path, "a.csv", META_ADS), dtype=str).drop(columns=["Ads"])
    without = tmp_path / "ids_only.csv"
    ids_only.to_csv(without, index=False)
    st = Store.open(":memory:")
    first = ingest_file(st, "ads", without)
    assert first.accepted == 3 and st.read("ad_performance")["ad_name"].isna().all()
    second = ingest_file(st, "ads", tmp_path / "a.csv")
    ads = st.read("ad_performance")
    # the same report: its rows updated with their names, never summed twice
    assert len(ads) == 3 and (second.inserted, second.updated) == (0, 3)
    assert ads["source_id"].nunique() == 1
    assert ads["spend"].sum() == pytest.approx(600000.0)
    assert sorted(ads["ad_name"]) == ["PPF 5", "PPF 5", "SPPF || Ads 1 || 15/12/25"]


def test_campaign_level_exports_read_as_before(tmp_path):
    text = (
        '"Campaign name","Reach","Impressions","Amount spent (USD)","Reporting starts",'
        '"Reporting ends"\n'
        "Spring,100,1000,50.5,2026-03-01,2026-03-31\nSummer,80,900,40,2026-03-01,2026-03-31\n"
    )
    st = Store.open(":memory:")
    rep = ingest_file(st, "ads", _write(tmp_path, "campaigns.csv", text))
    ads = st.read("ad_performance")
    assert rep.accepted == 2 and set(ads["level"]) == {"campaign"}
    assert list(ads["campaign_id"]) == ["Spring", "Summer"]
    assert ads["ad_name"].isna().all() and ads["ad_set_name"].isna().all()


def test_names_beside_ids_in_other_layouts():
    st = Store.open(":memory:")
    ingest_file(st, "ads", FIXTURES / "spotify_ads.csv", currency="AUD")
    ads = st.read("ad_performance")
    assert ads["ad_name"].notna().all() and ads["ad_set_name"].notna().all()
    assert not set(ads["ad_name"]) & set(ads["ad_id"])  # the ids stay the keys


def test_canonical_files_with_a_name_and_no_id(tmp_path):
    """``ad_name`` alone still identifies the ad (as it did when it was an alias of ad_id)."""
    text = (
        "date,platform,campaign_id,ad_set_name,ad_name,impressions,spend,currency\n"
        "2026-05-01,reddit,c1,Set A,Ad one,100,5,USD\n"
        "2026-05-01,reddit,c1,Set A,Ad two,200,7,USD\n"
    )
    st = Store.open(":memory:")
    rep = ingest_file(st, "ads", _write(tmp_path, "canon.csv", text), layout="canonical")
    ads = st.read("ad_performance").sort_values("source_row")
    assert rep.accepted == 2
    assert list(ads["ad_id"]) == ["Ad one", "Ad two"] == list(ads["ad_name"])
    assert list(ads["ad_set"]) == ["Set A", "Set A"] == list(ads["ad_set_name"])
    both = text.replace("ad_name,", "ad_id,ad_name,").replace(",Ad ", ",a-1,Ad ", 1)
    both = both.replace("Set A,Ad two", "Set A,a-2,Ad two")
    st2 = Store.open(":memory:")
    ingest_file(st2, "ads", _write(tmp_path, "canon2.csv", both), layout="canonical")
    ads = st2.read("ad_performance").sort_values("source_row")
    assert list(ads["ad_id"]) == ["a-1", "a-2"] and list(ads["ad_name"]) == ["Ad one", "Ad two"]


def test_a_store_made_before_the_name_columns_gains_them(tmp_path):
    db = str(tmp_path / "old.duckdb")
    with Store.open(db) as st:
        ingest_file(st, "ads", FIXTURES / "spotify_ads.csv", currency="AUD")
        st.sql('ALTER TABLE "ad_performance" DROP COLUMN "ad_name"')
        st.sql('ALTER TABLE "ad_performance" DROP COLUMN "ad_set_name"')
    with Store.open(db) as st:
        rep = ingest_file(st, "ads", _write(tmp_path, "ads.csv", META_ADS))
        assert rep.accepted == 3
        ads = st.read("ad_performance")
        assert set(ads.loc[ads["platform"] == "facebook", "ad_name"]) == {
            "PPF 5",
            "SPPF || Ads 1 || 15/12/25",
        }
