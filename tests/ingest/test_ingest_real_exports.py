"""Every real export in ../shared/data/exports: detected layout and totals equal to a computation
straight from the raw file.

The expected totals are computed here with pandas / csv / json and the quirks of each layout
handled explicitly (preamble lines, encodings, "Total:" rows, " --", thousands separators,
blank-means-zero), independently of micromix's readers, so that a reader bug cannot hide.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from micromix.errors import InputFileError
from micromix.ingest import ingest_file
from micromix.store import Store

EXPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "exports"

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not EXPORTS.exists(), reason=f"{EXPORTS} not present (../shared/data)"),
]


def _num(v: object) -> float:
    s = str(v).strip().strip("[]").replace(",", "")
    if s in ("", "--", "-", "nan"):
        return 0.0
    return float(s)


def _sum(col: pd.Series) -> float:
    return float(sum(Decimal(str(_num(v))) for v in col))


def _raw_csv(path: Path, *, encoding: str, sep: str, skip: int) -> pd.DataFrame:
    text = path.read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))[skip:]
    rows = [r for r in rows if r]
    return pd.DataFrame(rows[1:], columns=rows[0])


def _store_sums(store: Store, table: str, cols: list[str]) -> dict[str, float]:
    df = store.read(table)
    return {c: float(pd.to_numeric(df[c], errors="coerce").fillna(0).sum()) for c in cols}


def _ingest(kind: str, path: Path, **kw: object):
    store = Store.open(":memory:")
    rep = ingest_file(store, kind, path, **kw)
    return store, rep


# ---------------------------------------------------------------------- Meta Ads Manager
META = {
    # file: (data rows, total rows, currency, spend column, clicks column, purchases column)
    "meta_age_gender_idr.csv": (20, 1, "IDR", "Amount spent (IDR)", "Link clicks", None),
    "meta_placement_idr.csv": (12, 1, "IDR", "Amount spent (IDR)", "Link clicks", None),
    "meta_ad_level_ids_idr.csv": (92, 1, "IDR", "Amount spent (IDR)", "Link clicks", None),
    "meta_campaign_daily_idr.csv": (
        23,
        0,
        "IDR",
        "Amount spent (IDR)",
        "Link clicks",
        "Purchases with shared items",
    ),
    "meta_campaign_day_region_idr.csv": (
        2022,
        1,
        "IDR",
        "Amount spent (IDR)",
        "Link clicks",
        None,
    ),
    "meta_campaign_daily_aud.csv": (88, 0, "AUD", "Amount spent (AUD)", "Link clicks", "Purchases"),
    "meta_campaign_age_inr.csv": (91, 1, "INR", "Amount spent (INR)", "Link clicks", "Purchases"),
}


@pytest.mark.parametrize("name", sorted(META))
def test_meta_exports_totals_match_the_raw_file(name):
    n_rows, n_total, cur, spend_col, click_col, purchase_col = META[name]
    path = EXPORTS / "meta_ads" / name
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    dims = [
        c
        for c in ("Campaign name", "Ads", "Age", "Gender", "Placement", "Platform", "Day")
        if c in raw.columns
    ]
    total = raw[dims].eq("").all(axis=1)  # Meta's account-total row: every dimension empty
    data = raw[~total]
    assert (len(data), int(total.sum())) == (n_rows, n_total)
    store, rep = _ingest("ads", path)
    assert rep.layout == "meta_ads"
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (n_rows, n_rows, 0)
    assert rep.summary_rows == n_total and rep.currency == cur
    got = _store_sums(store, "ad_performance", ["impressions", "spend", "clicks", "conversions"])
    assert got["impressions"] == _sum(data["Impressions"])
    assert got["spend"] == pytest.approx(_sum(data[spend_col]), rel=1e-12)
    assert got["clicks"] == _sum(data[click_col])  # Meta: blank link clicks are 0
    if purchase_col is not None:
        assert got["conversions"] == pytest.approx(_sum(data[purchase_col]))
    if n_total:
        assert rep.checks and rep.checks[0]["check"] == "total_rows"


def test_meta_results_of_other_types_are_not_conversions():
    store, _rep = _ingest("ads", EXPORTS / "meta_ads" / "meta_ad_level_ids_idr.csv")
    ads = store.read("ad_performance")
    # "Messaging conversations started" results are kept as results, never as conversions
    assert ads["conversions"].isna().all()
    raw = pd.read_csv(
        EXPORTS / "meta_ads" / "meta_ad_level_ids_idr.csv", encoding="utf-8-sig", dtype=str
    )
    assert float(ads["results"].sum()) == pytest.approx(_sum(raw["Results"].iloc[1:].fillna("")))
    assert ads["ad_id"].str.fullmatch(r"\d{18}").all()  # 18-digit ids kept exactly as text
    assert set(ads["ad_id"]) == set(raw["Ad ID"].iloc[1:])


def test_meta_ad_level_export_keeps_the_ad_names():
    path = EXPORTS / "meta_ads" / "meta_ad_level_ids_idr.csv"
    store, _rep = _ingest("ads", path)
    ads = store.read("ad_performance").sort_values("source_row")
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype=str).iloc[1:]  # after the total row
    # 92 ads, 41 names: several ads share a name, the id stays the key
    assert list(ads["ad_name"]) == list(raw["Ads"]) and ads["ad_name"].nunique() == 41
    assert list(ads["ad_id"]) == list(raw["Ad ID"]) and set(ads["level"]) == {"ad"}


def test_meta_range_rows_keep_start_and_end():
    store, rep = _ingest("ads", EXPORTS / "meta_ads" / "meta_campaign_age_inr.csv")
    ads = store.read("ad_performance")
    assert set(ads["date"].dt.strftime("%Y-%m-%d")) == {"2025-02-01"}
    assert set(ads["date_end"].dt.strftime("%Y-%m-%d")) == {"2025-08-04"}
    assert rep.period == ("2025-02-01", "2025-08-04")
    # boosted posts with the same truncated name are all kept (identity by lineage)
    raw = pd.read_csv(EXPORTS / "meta_ads" / "meta_campaign_age_inr.csv", encoding="utf-8-sig")
    assert len(ads) == len(raw) - 1 and ads["source_row"].is_unique


def test_meta_region_purchases_are_unknown_by_row_not_zero():
    store, rep = _ingest("ads", EXPORTS / "meta_ads" / "meta_campaign_day_region_idr.csv")
    ads = store.read("ad_performance")
    assert ads["conversions"].isna().all()  # Meta reports no purchases by region
    (check,) = rep.checks
    assert check["status"] == "review" and "not reported by row" in check["message"]


def test_meta_no_data_export_is_refused_in_one_sentence():
    with pytest.raises(InputFileError, match=r"has no data rows .*No data available"):
        _ingest("ads", EXPORTS / "meta_ads" / "meta_campaigns_no_data_usd.csv")


# ---------------------------------------------------------------------- Google Ads
GOOGLE = {
    # file: (encoding, separator, data rows, total rows, currency)
    "campaign_report_utf16_gbp.csv": ("utf-16", "\t", 1, 2, "GBP"),
    "campaign_report_gbp.csv": ("utf-8-sig", ",", 2, 5, "GBP"),
    "campaign_report_eur.csv": ("utf-8-sig", ",", 3, 3, "EUR"),
    "campaign_daily_saved_report_aud.csv": ("utf-8-sig", ",", 258, 0, "AUD"),
    "ad_group_report_utf16_usd.csv": ("utf-16", "\t", 8, 4, "USD"),
    "search_keyword_report_utf16_usd.csv": ("utf-16", "\t", 230, 9, "USD"),
    "search_terms_report_utf16_cad.csv": ("utf-16", "\t", 18, 5, "CAD"),
}


@pytest.mark.parametrize("name", sorted(GOOGLE))
def test_google_ads_reports_totals_match_the_raw_file(name):
    enc, sep, n_rows, n_total, cur = GOOGLE[name]
    path = EXPORTS / "google_ads" / name
    raw = _raw_csv(path, encoding=enc, sep=sep, skip=2)  # title + period lines
    total = raw.apply(lambda r: any(str(v).startswith("Total:") for v in r), axis=1)
    data = raw[~total]
    assert (len(data), int(total.sum())) == (n_rows, n_total)
    store, rep = _ingest("ads", path)
    assert rep.layout == "google_ads"
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (n_rows, n_rows, 0)
    assert rep.summary_rows == n_total and rep.currency == cur
    got = _store_sums(store, "ad_performance", ["impressions", "spend", "clicks", "conversions"])
    assert got["impressions"] == _sum(data["Impr."])
    assert got["spend"] == pytest.approx(_sum(data["Cost"]), abs=1e-9)
    assert got["clicks"] == _sum(data["Clicks"])
    assert got["conversions"] == pytest.approx(_sum(data["Conversions"]), abs=1e-9)
    if n_total:
        assert rep.checks[0]["status"] == "pass", rep.checks


def test_google_ads_period_comes_from_the_preamble():
    store, rep = _ingest("ads", EXPORTS / "google_ads" / "campaign_report_eur.csv")
    assert rep.period == ("2026-03-27", "2026-04-23")
    ads = store.read("ad_performance")
    assert "Οδοντικά Εμφυτεύματα Αθήνα" in set(ads["campaign_id"])
    # "All time" reports have no period: their rows carry no date rather than an invented one
    store, rep = _ingest("ads", EXPORTS / "google_ads" / "ad_group_report_utf16_usd.csv")
    assert rep.period is None and store.read("ad_performance")["date"].isna().all()


# ---------------------------------------------------------------------- other ad platforms
def test_pinterest_export_needs_a_currency_and_then_matches():
    path = EXPORTS / "other_ads" / "pinterest_ads_daily.csv"
    from micromix.errors import DataValidationError

    with pytest.raises(DataValidationError, match="pass --currency"):
        _ingest("ads", path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    store, rep = _ingest("ads", path, currency="AUD")
    assert rep.layout == "pinterest_ads" and rep.accepted == len(raw) == 220
    got = _store_sums(store, "ad_performance", ["impressions", "spend", "clicks", "results"])
    assert got["impressions"] == _sum(raw["Impressions"])
    assert got["spend"] == pytest.approx(_sum(raw["Spend in account currency"]))
    assert got["clicks"] == _sum(raw["Pin clicks"])
    assert got["results"] == pytest.approx(_sum(raw["Result"]))  # "[0]" brackets


def test_spotify_export_with_key_value_preamble():
    path = EXPORTS / "other_ads" / "spotify_ads_daily.csv"
    raw = pd.read_csv(path, skiprows=6, dtype=str, keep_default_na=False)
    store, rep = _ingest("ads", path, currency="AUD")
    assert rep.layout == "spotify_ads" and rep.accepted == len(raw) == 62
    got = _store_sums(store, "ad_performance", ["impressions", "spend", "clicks"])
    assert got["impressions"] == _sum(raw["Impressions"])
    assert got["spend"] == pytest.approx(_sum(raw["Spend"]))
    assert got["clicks"] == _sum(raw["Clicks"])
    ads = store.read("ad_performance")
    assert ads["date"].min() == pd.Timestamp("2026-05-27")  # 2026/05/27
    # audio ads: not paid social, and the ingest says so
    assert set(ads["strategy"]) == {"other"}
    assert any(n.startswith("62 of 62 rows are filed under strategy 'other'") for n in rep.notes)
    assert set(ads["ad_name"]) == {n.strip() for n in raw["Ad name"]}


def test_google_performance_max_is_not_credited_to_search():
    store, rep = _ingest("ads", EXPORTS / "google_ads" / "campaign_daily_saved_report_aud.csv")
    ads = store.read("ad_performance")
    kinds = ads.groupby("campaign_type")["strategy"].agg(set).to_dict()
    assert kinds == {
        "Search": {"search"},
        "Shopping": {"search"},
        "Performance Max": {"other"},
        "Demand Gen": {"other"},
        "In-stream video": {"other"},
    }
    assert any(
        n.startswith(
            "153 of 258 rows are filed under strategy 'other' (campaign type Demand Gen, "
            "In-stream video, Performance Max)"
        )
        for n in rep.notes
    )


# ---------------------------------------------------------------------- GA4 / UA
GA = {
    "ga4_events_event_name.csv": (21, "Event count", "event_count"),
    "ga4_pages_and_screens.csv": (16, "Views", "views"),
    "ga4_user_acquisition_crlf.csv": (8, "Event count", "event_count"),
}


@pytest.mark.parametrize("name", sorted(GA))
def test_ga4_reports_land_in_traffic_with_exact_totals(name):
    n, col, field = GA[name]
    path = EXPORTS / "ga4" / name
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [ln for ln in lines if not ln.startswith("#")]
    raw = pd.read_csv(io.StringIO("\n".join(body)), dtype=str)
    store, rep = _ingest("traffic", path)
    assert rep.layout == "ga_report" and rep.accepted == len(raw) == n
    assert _store_sums(store, "traffic", [field])[field] == _sum(raw[col])
    tr = store.read("traffic")
    start = next(ln for ln in lines if ln.startswith("# Start date:")).split(":")[1].strip()
    assert set(tr["date"].dt.strftime("%Y%m%d")) == {start}


def test_ua_workbook_first_dataset_and_its_total_row():
    path = EXPORTS / "ga4" / "ua_pages_202207.xlsx"
    store, rep = _ingest("traffic", path)
    assert rep.accepted == 10 and rep.summary_rows == 1
    tr = store.read("traffic")
    assert set(tr["date"].dt.strftime("%Y-%m-%d")) == {"2022-07-01"}
    assert set(tr["date_end"].dt.strftime("%Y-%m-%d")) == {"2022-07-31"}
    # the workbook lists the top 10 pages; its total row is all pages: reported, not hidden
    assert rep.checks[0]["status"] == "review" and "93,480" in rep.checks[0]["message"]
    store, rep = _ingest("traffic", path, sheet="Dataset2")
    assert rep.accepted == 31 and _store_sums(store, "traffic", ["views"])["views"] == 93480
    assert rep.checks[0]["status"] == "pass"


# ---------------------------------------------------------------------- posts and creators
def test_tiktok_scraper_dump_maps_nested_fields():
    path = EXPORTS / "posts" / "tiktok_scraper_trending.json"
    items = json.loads(path.read_text(encoding="utf-8"))["collector"]
    store, rep = _ingest("posts", path)
    assert rep.layout == "tiktok_posts" and rep.accepted == len(items) == 1000
    posts = store.read("posts")
    assert int(posts["likes"].sum()) == sum(i["diggCount"] for i in items)
    assert int(posts["views"].sum()) == sum(i["playCount"] for i in items)
    assert set(posts["author_id"]) == {i["authorMeta"]["name"] for i in items}
    assert posts["post_id"].str.fullmatch(r"\d+").all()


def test_x_tweet_activity_cp1252_with_mangled_ids():
    path = EXPORTS / "posts" / "x_tweet_activity_metrics.csv"
    raw = pd.read_csv(path, encoding="cp1252", dtype=str, keep_default_na=False)
    store, rep = _ingest("posts", path)
    assert rep.layout == "x_tweet_activity" and rep.encoding == "cp1252"
    assert rep.accepted == len(raw) == 103
    posts = store.read("posts")
    assert int(posts["likes"].sum()) == int(_sum(raw["favorites"]))
    assert int(posts["impressions"].sum()) == int(_sum(raw["impressions"]))
    assert not posts["post_id"].str.contains("E+", regex=False).any()  # never the mangled id
    assert posts["post_id"].is_unique
    # every row's engagements are below the retweets, replies, favorites and clicks X counts
    # in them (100 rows hold a client link where the permalink belongs): said, row and field
    (check,) = rep.checks
    assert check["status"] == "review" and check["message"].startswith(
        "on 103 of 103 rows the engagements are below the interactions X counts in them (line "
        "2, field 'engagements': 3 < retweets 12 + favorites 2 + url clicks 1 = 15;"
    )


def test_influencer_rankings_with_abbreviated_counts():
    path = EXPORTS / "creators" / "instagram_top_influencers.csv"
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    store, rep = _ingest("creators", path)
    assert rep.layout == "influencer_ranking" and rep.accepted == 200
    cr = store.read("creators").set_index("creator_id")
    scale = {"k": Decimal(1000), "m": Decimal(10**6), "b": Decimal(10**9)}
    expect = {
        u: int(Decimal(f[:-1]) * scale[f[-1]])
        for u, f in zip(raw["channel_info"], raw["followers"])
    }
    assert cr["followers"].astype("int64").to_dict() == expect  # 475.8m -> 475,800,000 exactly
    assert cr.loc["cristiano", "engagement_rate"] == pytest.approx(0.0139)
    path = EXPORTS / "creators" / "instagram_global_top_1000.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    store, rep = _ingest("creators", path)
    assert rep.accepted == 1000
    assert int(store.read("creators")["followers"].sum()) == int(_sum(raw["Followers"]))


def test_every_export_is_handled():
    names = sorted(p.name for p in EXPORTS.rglob("*") if p.is_file() and p.name != "README.md")
    covered = (
        set(META)
        | set(GOOGLE)
        | set(GA)
        | {
            "meta_campaigns_no_data_usd.csv",
            "pinterest_ads_daily.csv",
            "spotify_ads_daily.csv",
            "ua_pages_202207.xlsx",
            "tiktok_scraper_trending.json",
            "x_tweet_activity_metrics.csv",
            "instagram_top_influencers.csv",
            "instagram_global_top_1000.csv",
        }
    )
    assert set(names) == covered and len(names) == 25
