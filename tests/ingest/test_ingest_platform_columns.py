"""Layouts need their platform's own columns, and a few columns real exports have.

* Meta is chosen only on a column only Ads Manager writes: a Reddit-like export ("Amount Spent
  (USD)" beside "Campaign Name") is refused, not stored as facebook.
* Amazon Sponsored Brands reports' click-attributed totals are read as conversions and value.
* A bare "Total" is a total row only with no other label beside it, and never in an export
  that labels its totals "Total: ..." (a Google Ads campaign may be named "Total").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from micromix.errors import ColumnNotFoundError
from micromix.ingest import ingest_file, prepare_file
from micromix.ingest.formats import detect_format
from micromix.store import Store

FIXTURES = Path(__file__).parent / "fixtures"

#: a Reddit Ads-like report (no reliable source documents its download's columns): Meta's
#: "Amount spent (...)" and "Campaign name" in other capitals, and nothing only Meta writes
REDDIT_LIKE = (
    "Date,Campaign Name,Ad Group Name,Ad Name,Impressions,Clicks,Amount Spent (USD),"
    "Conversions,CTR,CPC (USD),eCPM (USD)\n"
    "2026-05-01,Spring launch,r/dogs,Bella video,12000,96,48.10,3,0.80%,0.50,4.01\n"
)


@pytest.mark.parametrize(
    "text",
    [
        REDDIT_LIKE,
        "Date,Campaign Name,Amount Spent (USD)\n2026-05-01,Spring launch,48.10\n",
        "Date,Campaign Name,Impressions,Amount Spent (USD)\n2026-05-01,Spring launch,12000,48.10\n",
    ],
    ids=["reddit_like", "three_columns", "four_columns"],
)
def test_amount_spent_and_campaign_name_are_no_proof_of_meta(tmp_path, text):
    # (the three-column file, without impressions, was refused before too: no layout fits)
    p = tmp_path / "reddit.csv"
    p.write_text(text)
    with pytest.raises(ColumnNotFoundError) as exc:
        prepare_file("ads", p)
    msg = str(exc.value)
    assert str(p) in msg and "--format" in msg
    assert "facebook" not in msg
    if "Impressions" in text:
        # the full signature fits: refused as a header many platforms share, Meta the closest
        assert "no platform could be recognised" in msg and "meta_ads" in msg


def test_reddit_like_export_in_the_cli_is_refused_and_writes_nothing(tmp_path):
    from typer.testing import CliRunner

    from micromix.cli.main import app

    p = tmp_path / "reddit.csv"
    p.write_text(REDDIT_LIKE)
    db = tmp_path / "a.duckdb"
    res = CliRunner().invoke(app, ["ingest", "ads", str(p), "--db", str(db)])
    assert res.exit_code != 0 and "no platform could be recognised" in res.output
    assert "Traceback" not in res.output and "bug in micromix" not in res.output


@pytest.mark.parametrize(
    "column",
    [
        "Reporting starts",
        "Reporting ends",
        "Ad set name",
        "Ad set ID",
        "Result type",
        "Result indicator",
        "Delivery status",
        "Delivery level",
        "Attribution setting",
        "Campaign delivery",
    ],
)
def test_one_column_only_meta_writes_is_evidence_enough(column):
    cols = ["Campaign name", "Impressions", "Amount spent (USD)", column]
    assert detect_format(cols, "ads").lookup_name == "meta_ads"


@pytest.mark.parametrize("name", ["meta_ads_export.csv", "meta_ads_cp1252_dayfirst.csv"])
def test_meta_fixtures_are_still_meta(name):
    prep = prepare_file("ads", FIXTURES / name)
    assert prep.adapter.lookup_name == "meta_ads"
    assert set(prep.result.accepted["platform"]) == {"facebook"}


def test_reddit_rows_with_a_platform_column_are_read_as_canonical(tmp_path):
    p = tmp_path / "reddit.csv"
    p.write_text(
        "date,platform,campaign_id,impressions,clicks,spend,currency\n"
        "2026-05-01,reddit,Spring launch,12000,96,48.10,USD\n"
    )
    with Store.open(":memory:") as st:
        rep = ingest_file(st, "ads", p, layout="canonical")
        assert (rep.accepted, rep.quarantined) == (1, 0)
        assert st.read("ad_performance")["platform"].tolist() == ["reddit"]


# ---------------------------------------------------------------- Amazon Sponsored Brands
SB_HEAD = (
    "Date,Portfolio name,Currency,Campaign Name,Ad Group Name,Targeting,Match Type,Impressions,"
    "Clicks,Click-Thru Rate (CTR),Cost Per Click (CPC),Spend,"
    "Total Advertising Cost of Sales (ACOS) - (Click),"
    "Total Return on Advertising Spend (ROAS) - (Click),14 Day Total Sales - (Click),"
    "14 Day Total Orders (#) - (Click),14 Day Total Units (#) - (Click),"
    "14 Day New-to-brand Orders (#),14 Day New-to-brand Sales,14 Day % of Orders New-to-brand\n"
)
SB_ROWS = (
    "2026-05-01,,USD,SB - Kibble - Video,Video,grain free,BROAD,4000,40,1.00%,$0.80,$32.00,"
    "25.00%,4.00,$128.00,4,5,2,$64.00,50.00%\n"
    "2026-05-02,,USD,SB - Kibble - Video,Video,grain free,BROAD,3000,20,0.67%,$0.90,$18.00,"
    ",0.00,$0.00,0,0,0,$0.00,0.00%\n"
)


def test_sponsored_brands_click_totals_are_conversions_and_value(tmp_path):
    p = tmp_path / "sb.csv"
    p.write_text(SB_HEAD + SB_ROWS)
    prep = prepare_file("ads", p)
    assert prep.adapter.lookup_name == "amazon_ads"
    acc = prep.result.accepted
    assert acc["conversions"].tolist() == [4, 0]
    assert acc["conversion_value"].tolist() == [128.0, 0.0]
    assert acc["spend"].tolist() == [32.0, 18.0] and set(acc["currency"]) == {"USD"}
    # new-to-brand orders and sales are a part of the totals: named as not read, not stored
    assert prep.unread == (
        "14 Day Total Units (#) - (Click)",
        "14 Day New-to-brand Orders (#)",
        "14 Day New-to-brand Sales",
    )
    (note,) = prep.notes
    assert "'14 Day New-to-brand Sales'" in note and "amazon_ads" in note


def test_all_attribution_totals_win_over_the_click_totals_which_are_named(tmp_path):
    p = tmp_path / "sb.csv"
    head = SB_HEAD.replace("Spend,", "Spend,14 Day Total Sales,14 Day Total Orders (#),", 1)
    rows = SB_ROWS.replace("$32.00,", "$32.00,$150.00,5,").replace("$18.00,", "$18.00,$0.00,0,")
    p.write_text(head + rows)
    prep = prepare_file("ads", p)
    acc = prep.result.accepted
    assert acc["conversions"].tolist() == [5, 0] and acc["conversion_value"].tolist() == [150, 0]
    assert "14 Day Total Sales - (Click)" in prep.unread
    assert "14 Day Total Orders (#) - (Click)" in prep.unread


# ---------------------------------------------------------------- total rows
GOOGLE_TOTAL_CAMPAIGN = (
    "Campaign report\n"
    "1 May 2026 - 31 May 2026\n"
    "Campaign status,Campaign,Campaign type,Currency code,Impr.,Clicks,Cost,Conversions\n"
    "Enabled,Brand,Search,EUR,1000,50,40.00,4.00\n"
    "Enabled,Total,Search,EUR,500,20,10.00,1.00\n"
    "Paused,Shopping,Shopping,EUR,300,10,5.00,0.00\n"
    "Total: Campaigns, --, --,EUR,1800,80,55.00,5.00\n"
    "Total: Account,,,EUR,1800,80,55.00,5.00\n"
    "Total: Search,,Search,EUR,1500,70,50.00,5.00\n"
)


def test_google_campaign_named_total_is_a_campaign(tmp_path):
    p = tmp_path / "campaigns.csv"
    p.write_text(GOOGLE_TOTAL_CAMPAIGN)
    with Store.open(":memory:") as st:
        rep = ingest_file(st, "ads", p)
        assert (rep.accepted, rep.quarantined, rep.summary_rows) == (3, 0, 3)
        (check,) = rep.checks
        assert check["status"] == "pass" and "'Total: Campaigns'" in check["message"]
        rows = st.read("ad_performance").set_index("campaign_name")
        assert sorted(rows.index) == ["Brand", "Shopping", "Total"]
        assert rows.loc["Total", "spend"] == 10.0 and rows.loc["Total", "impressions"] == 500


def test_campaign_named_total_beside_its_labels_is_a_row(tmp_path):
    p = tmp_path / "snap.csv"
    p.write_text(
        "Campaign Name,Ad Squad Name,Ad Name,Day,Currency,Spend,Paid Impressions,Swipe Ups\n"
        "Summer,Cat lovers,Story 1,2026-06-01,CAD,55.10,9001,88\n"
        "Total,Dog lovers,Story 2,2026-06-01,CAD,44.90,7050,61\n"
        "Total,,,,CAD,100.00,16051,149\n"
    )
    prep = prepare_file("ads", p)
    assert prep.adapter.lookup_name == "snapchat_ads"
    acc = prep.result.accepted
    assert acc["campaign_name"].tolist() == ["Summer", "Total"]
    assert prep.summary_rows == 1 and prep.checks[0]["status"] == "pass"
