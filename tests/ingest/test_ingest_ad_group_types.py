"""Google Ads ad group reports: the ad group type says whether the spend is search."""

from __future__ import annotations

from micromix.ingest.pipeline import ingest_file
from micromix.store import Store


def test_search_ad_group_types_are_search_and_display_is_not(tmp_path):
    f = tmp_path / "Ad group report.csv"
    f.write_text(
        "Ad group report\n"
        "1 March 2026 - 31 March 2026\n"
        "Ad group,Campaign,Currency code,Ad group type,Impr.,Clicks,Cost,Conversions\n"
        "Brand exact,Brand,EUR,Standard,1000,80,60.00,4\n"
        "DSA all pages,Brand,EUR,Dynamic,500,20,15.00,1\n"
        "Kibble feed,Shopping,EUR,Shopping - Product,800,30,25.00,2\n"
        "Remarketing,Display,EUR,Display,9000,15,12.00,0\n"
        "Bumper,YouTube,EUR,Video,7000,5,9.00,0\n",
        encoding="utf-8",
    )
    with Store.open(tmp_path / "s.duckdb") as st:
        ingest_file(st, "ads", f)
        rows = st.read("ad_performance", columns=["ad_set", "strategy"])
    got = dict(zip(rows["ad_set"], rows["strategy"]))
    assert got == {
        "Brand exact": "search",
        "DSA all pages": "search",
        "Kibble feed": "search",
        "Remarketing": "other",
        "Bumper": "other",
    }
