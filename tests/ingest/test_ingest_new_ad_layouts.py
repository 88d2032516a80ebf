"""Microsoft Advertising and Amazon Ads layouts, from small fixtures written for these tests that
reproduce each export's quirks (preamble, copyright footer, total row, thousands separators,
currency symbols, API or UI column names, trailing blanks in headers)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from micromix.ingest import ingest_file, prepare_file
from micromix.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


def _ingest(name: str, **kw: object):
    store = Store.open(":memory:")
    rep = ingest_file(store, "ads", FIXTURES / name, **kw)
    return store, rep


def _sum(df: pd.DataFrame, col: str) -> float:
    return float(pd.to_numeric(df[col], errors="coerce").fillna(0).sum())


def test_microsoft_ui_report_preamble_footer_and_total_row():
    store, rep = _ingest("microsoft_ads_campaigns_daily.csv")
    assert rep.layout == "microsoft_ads" and rep.currency == "USD"
    # the copyright footer is neither a row nor a quarantined line; "Total" is set aside
    assert (rep.rows_in_file, rep.accepted, rep.quarantined, rep.summary_rows) == (3, 3, 0, 1)
    assert rep.checks[0]["status"] == "pass"
    ads = store.read("ad_performance").sort_values("source_row")
    assert set(ads["platform"]) == {"microsoft"} and set(ads["level"]) == {"campaign"}
    assert list(ads["date"].dt.strftime("%F")) == ["2026-10-01", "2026-10-02", "2026-10-13"]
    assert list(ads["strategy"]) == ["search", "search", "other"]
    assert _sum(ads, "impressions") == 24990 and _sum(ads, "spend") == pytest.approx(188.70)
    assert _sum(ads, "conversions") == 9 and _sum(ads, "conversion_value") == pytest.approx(712.5)
    # CTR, Avg. CPC, Conv. rate, ROAS are ratios, nothing else unread; the audience campaign
    # filed under "other" is named, with the option that files it otherwise
    assert rep.notes == (
        "1 of 3 rows are filed under strategy 'other' (campaign type Audience): only search and "
        "shopping campaigns and keyword or search-query reports are 'search'; audience (native "
        "and display) campaigns are not search; pass --strategy NAME to file the export's rows "
        "under another strategy (ugc_organic, ugc_amplified, paid_social, influencer, search, "
        "direct, email, other)",
    )


def test_microsoft_api_report_column_names():
    store, rep = _ingest("microsoft_ads_keywords_api.csv")
    assert rep.layout == "microsoft_ads" and rep.currency == "EUR" and rep.accepted == 2
    ads = store.read("ad_performance")
    assert set(ads["level"]) == {"keyword"} and set(ads["strategy"]) == {"search"}
    assert set(ads["account_id"]) == {"1234567"} and set(ads["ad_set"]) == {"Dog food"}
    assert list(ads.sort_values("source_row")["match_type"]) == ["Exact", "Phrase"]
    assert _sum(ads, "conversion_value") == pytest.approx(155.5)


def test_microsoft_footer_alone_is_not_evidence_of_data(tmp_path):
    # a generic header under Microsoft's own preamble lines is Microsoft's
    p = tmp_path / "ms.csv"
    p.write_text(
        '"Report Name: Campaigns"\n"Report Aggregation: Summary"\n\n'
        "Campaign name,Impressions,Clicks,Spend,Conversions,Revenue,Currency code\n"
        "Brand,100,5,2.50,1,10.00,USD\n\n"
        '"©2026 Microsoft Corporation. All rights reserved."\n'
    )
    prep = prepare_file("ads", p)
    assert prep.adapter.lookup_name == "microsoft_ads" and len(prep.result.accepted) == 1
    assert prep.raw.notices and len(prep.result.quarantine) == 0


def test_amazon_sponsored_products_search_term_report():
    store, rep = _ingest("amazon_sp_search_terms.csv")
    assert rep.layout == "amazon_ads" and rep.currency == "USD" and rep.accepted == 3
    assert rep.period == ("2026-05-01", "2026-05-07")
    ads = store.read("ad_performance").sort_values("source_row")
    assert set(ads["platform"]) == {"amazon"} and set(ads["level"]) == {"search_term"}
    assert list(ads["impressions"]) == [1004, 80, 2310]
    assert _sum(ads, "spend") == pytest.approx(58.24)
    assert _sum(ads, "conversions") == 8  # 7 Day Total Orders (#)
    assert _sum(ads, "conversion_value") == pytest.approx(179.57)  # 7 Day Total Sales
    # the SKU split of the sales is not stored, and the note says so
    assert rep.unread_columns == ("7 Day Advertised SKU Sales", "7 Day Other SKU Sales")


def test_kaggle_fb_rows_are_ad_level(tmp_path):
    p = tmp_path / "KAG_conversion_data.csv"
    p.write_text(
        "ad_id,xyz_campaign_id,fb_campaign_id,age,gender,interest,Impressions,Clicks,Spent,"
        "Total_Conversion,Approved_Conversion\n708746,916,103916,30-34,M,15,7350,1,1.43,2,1\n"
    )
    prep = prepare_file("ads", p, currency="USD")
    assert list(prep.result.accepted["level"]) == ["ad"]
