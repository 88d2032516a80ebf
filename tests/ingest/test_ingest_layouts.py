"""One small fixture file per export layout (written for these tests), reproducing its quirks:
detected layout, exact totals, total rows set aside and cross-checked, currencies, dates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from micromix.errors import DataValidationError
from micromix.ingest import ingest_file, prepare_file
from micromix.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


def _ingest(kind: str, name: str, **kw: object):
    store = Store.open(":memory:")
    rep = ingest_file(store, kind, FIXTURES / name, **kw)
    return store, rep


def _sums(store: Store, table: str, *cols: str) -> list[float]:
    df = store.read(table)
    return [float(pd.to_numeric(df[c], errors="coerce").fillna(0).sum()) for c in cols]


def test_google_ads_keyword_report_utf16_with_totals_in_another_column():
    store, rep = _ingest("ads", "google_ads_keywords_utf16.tsv")
    assert (rep.layout, rep.encoding, rep.file_format) == ("google_ads", "utf-16-le", "tsv")
    assert (rep.rows_in_file, rep.accepted, rep.summary_rows) == (3, 3, 2)
    assert _sums(store, "ad_performance", "impressions", "clicks", "spend") == [
        2394.0,
        70.0,
        pytest.approx(76.15),
    ]
    assert _sums(store, "ad_performance", "conversions")[0] == 4.0  # " --" is empty, not 0
    assert rep.checks[0]["status"] == "pass" and "Total: Keywords" in rep.checks[0]["message"]
    ads = store.read("ad_performance")
    assert set(ads["level"]) == {"keyword"} and set(ads["strategy"]) == {"search"}
    assert rep.period == ("2026-05-01", "2026-05-31") and rep.currency == "EUR"
    # the same keyword twice (two match types) is two rows, never a duplicate
    assert (ads["keyword"] == "dog food").sum() == 2


def test_tiktok_ads_purchases_are_conversions_and_results_are_kept():
    store, rep = _ingest("ads", "tiktok_ads_daily.csv")
    assert rep.layout == "tiktok_ads" and rep.accepted == 3 and rep.currency == "USD"
    spend, conv, value, results = _sums(
        store, "ad_performance", "spend", "conversions", "conversion_value", "results"
    )
    assert spend == pytest.approx(2300.60) and conv == 15 and value == pytest.approx(599.9)
    assert results == 83  # "Conversions" (the optimisation event) kept as results


def test_linkedin_utf16_with_report_preamble_and_month_first_dates():
    store, rep = _ingest("ads", "linkedin_campaigns_utf16.csv")
    assert rep.layout == "linkedin_ads" and rep.accepted == 3 and rep.currency == "GBP"
    ads = store.read("ad_performance").sort_values("source_row")
    assert list(ads["date"].dt.day) == [1, 2, 15]  # 4/15/2026 decides: month-first
    assert _sums(store, "ad_performance", "spend")[0] == pytest.approx(461.10)


def test_snapchat_total_row_excluded_and_cross_checked():
    store, rep = _ingest("ads", "snapchat_ads.csv")
    assert rep.layout == "snapchat_ads" and (rep.accepted, rep.summary_rows) == (2, 1)
    assert rep.checks[0]["status"] == "pass"
    assert _sums(store, "ad_performance", "impressions", "clicks") == [16051.0, 149.0]


def test_x_ads_time_period_ranges_and_currency_symbols():
    store, rep = _ingest("ads", "x_ads_campaigns.csv")
    assert rep.layout == "x_ads" and rep.accepted == 2
    ads = store.read("ad_performance")
    assert set(ads["date"].dt.strftime("%F")) == {"2026-04-01"}
    assert set(ads["date_end"].dt.strftime("%F")) == {"2026-04-30"}
    assert _sums(store, "ad_performance", "spend")[0] == pytest.approx(1660.55)
    assert ads["conversions"].isna().all()  # link-click results are not conversions


def test_meta_cp1252_dayfirst_multiline_header_and_european_decimals():
    store, rep = _ingest("ads", "meta_ads_cp1252_dayfirst.csv")
    assert rep.layout == "meta_ads" and rep.encoding == "cp1252" and rep.currency == "EUR"
    ads = store.read("ad_performance").sort_values("source_row")
    assert list(ads["date"].dt.strftime("%F")) == ["2026-05-25", "2026-05-26"]
    assert list(ads["campaign_id"]) == ["Café pour chiens"] * 2
    assert list(ads["spend"]) == [pytest.approx(1234.50), pytest.approx(99.10)]
    assert list(ads["clicks"]) == [120, 0]  # Meta: blank link clicks are 0
    assert list(ads["conversions"].fillna(-1)) == [4, -1]  # only purchase results count


def test_ga4_exploration_grand_total_and_period():
    store, rep = _ingest("traffic", "ga4_exploration.csv", currency="GBP")
    assert rep.layout == "ga_report" and (rep.accepted, rep.summary_rows) == (2, 1)
    assert rep.checks[0]["status"] == "pass"
    tr = store.read("traffic")
    assert set(tr["property"]) == {"PawCo web"} and set(tr["dimension"]) == {
        "Session source / medium"
    }
    assert _sums(store, "traffic", "sessions", "key_events") == [1840.0, 17.0]


def test_ga4_revenue_without_currency_is_refused_then_accepted_with_one():
    with pytest.raises(DataValidationError, match="--currency"):
        prepare_file("traffic", FIXTURES / "ga4_exploration.csv", currency=None, layout=None)


def test_instagram_content_insights_month_first():
    store, rep = _ingest("posts", "instagram_content_insights.csv")
    assert rep.layout == "meta_content_insights" and rep.accepted == 2
    posts = store.read("posts").sort_values("post_id")
    assert list(posts["ts"].dt.strftime("%F %H:%M")) == ["2026-04-25 10:30", "2026-04-26 18:05"]
    assert _sums(store, "posts", "likes", "saves", "impressions") == [1492.0, 250.0, 17400.0]


def test_influencer_ranking_abbreviations_are_exact():
    store, rep = _ingest("creators", "influencer_ranking.csv")
    assert rep.layout == "influencer_ranking" and rep.accepted == 2
    cr = store.read("creators").set_index("creator_id")
    assert int(cr.loc["mia_pets", "followers"]) == 48_500_000
    assert int(cr.loc["mia_pets", "posts"]) == 1200
    assert cr.loc["mia_pets", "avg_likes"] == 383_100
    assert cr.loc["bo.the.dog", "engagement_rate"] == pytest.approx(0.0894)
    assert pd.isna(cr.loc["bo.the.dog", "country"])  # the literal NaN is empty


def test_tiktok_api_item_list_nested_paths():
    store, rep = _ingest("posts", "tiktok_api_items.json")
    assert rep.layout == "tiktok_posts" and rep.accepted == 2
    posts = store.read("posts").sort_values("post_id")
    assert list(posts["author_id"]) == ["bella_dog", "bo_cat"]
    assert list(posts["author_followers"]) == [12000, 800]
    assert _sums(store, "posts", "likes", "views", "saves") == [453.0, 9700.0, 8.0]
    assert posts["hashtags"].iloc[0] == "dogsoftiktok"


def test_nested_dump_as_canonical_posts_is_refused_not_accepted_with_nulls(tmp_path):
    p = tmp_path / "items.json"
    p.write_text((FIXTURES / "tiktok_api_items.json").read_text().replace('"createTime"', '"ts"'))
    p.write_text(p.read_text().replace('"desc"', '"post_id_x"'))
    with pytest.raises(DataValidationError, match="maps required field"):
        ingest_file(Store.open(":memory:"), "posts", p, layout="canonical")


def test_ga4_flattened_query_output_and_collected_traffic_source(tmp_path):
    p = tmp_path / "ga4_flat.csv"
    p.write_text(
        "event_date,event_timestamp,event_name,client_id,session_id,session_source,"
        "session_medium,session_campaign,device.category\n"
        "20240501,1714550400123456,page_view,c1.1,111,google,cpc,spring,mobile\n"
        "20240501,1714550460000000,purchase,c1.1,111,instagram,paid_social,spring,mobile\n"
    )
    store = Store.open(":memory:")
    rep = ingest_file(store, "events", p)
    assert rep.layout == "ga4_bigquery" and rep.accepted == 2
    ev = store.read("events").sort_values("ts")
    assert list(ev["session_id"]) == ["c1.1.111", "c1.1.111"]
    assert list(ev["strategy"]) == ["search", "paid_social"]
    assert list(ev["campaign_id"]) == ["spring", "spring"]
    assert str(ev["ts"].iloc[0]) == "2024-05-01 08:00:00.123456"
    nested = tmp_path / "ga4.jsonl"
    nested.write_text(
        '{"event_name": "page_view", "event_timestamp": "1714550400000000", '
        '"user_pseudo_id": "u1", "traffic_source": {"source": "(direct)", "medium": "(none)"}, '
        '"collected_traffic_source": {"manual_source": "newsletter", "manual_medium": "email", '
        '"manual_campaign_name": "may"}, "items": [], "user_properties": []}\n'
    )
    store = Store.open(":memory:")
    ingest_file(store, "events", nested)
    ev = store.read("events")
    assert (ev["strategy"].iat[0], ev["campaign_id"].iat[0]) == ("email", "may")


def test_instagram_graphql_nodes_and_scraper_output(tmp_path):
    import json

    doc = {
        "graphql": {
            "user": {
                "edge_owner_to_timeline_media": {
                    "edges": [
                        {
                            "node": {
                                "shortcode": "B1",
                                "taken_at_timestamp": 1714550400,
                                "owner": {"username": "mia_pets"},
                                "edge_liked_by": {"count": 120},
                                "edge_media_to_comment": {"count": 4},
                                "edge_media_to_caption": {
                                    "edges": [{"node": {"text": "walk time #dogs @pawco"}}]
                                },
                            }
                        },
                        {
                            "node": {
                                "shortcode": "B2",
                                "taken_at_timestamp": 1714636800,
                                "owner": {"username": "mia_pets"},
                                "edge_liked_by": {"count": 80},
                                "edge_media_to_comment": {"count": 1},
                                "edge_media_to_caption": {"edges": []},
                            }
                        },
                    ]
                }
            }
        }
    }
    p = tmp_path / "profile.json"
    p.write_text(json.dumps(doc))
    store = Store.open(":memory:")
    rep = ingest_file(store, "posts", p)
    assert rep.layout == "instagram_posts" and rep.accepted == 2
    posts = store.read("posts").sort_values("post_id")
    assert list(posts["likes"]) == [120, 80] and list(posts["comments"]) == [4, 1]
    assert posts["hashtags"].iat[0] == "dogs" and posts["mentions"].iat[0] == "pawco"
    q = tmp_path / "scraper.jsonl"
    q.write_text(
        json.dumps(
            {
                "shortCode": "C1",
                "ownerUsername": "bo",
                "timestamp": "2024-05-01T10:00:00.000Z",
                "likesCount": 9,
                "commentsCount": 2,
                "caption": "hi",
            }
        )
        + "\n"
    )
    store = Store.open(":memory:")
    rep = ingest_file(store, "posts", q)
    assert rep.layout == "instagram_posts" and store.read("posts")["likes"].tolist() == [9]


def test_spotify_key_value_preamble_blank_line_and_dash_placeholders():
    store, rep = _ingest("ads", "spotify_ads.csv", currency="AUD")
    assert rep.layout == "spotify_ads" and rep.accepted == 2
    assert rep.period == ("2026-05-01", "2026-05-02")
    assert _sums(store, "ad_performance", "impressions", "spend", "views") == [
        1210.0,
        pytest.approx(14.72),
        1109.0,
    ]
    assert set(store.read("ad_performance")["platform"]) == {"spotify"}


def test_x_tweet_activity_cp1252_mangled_ids_and_quoted_carriage_return():
    store, rep = _ingest("posts", "x_tweet_activity_cp1252.csv")
    assert (rep.layout, rep.encoding, rep.accepted) == ("x_tweet_activity", "cp1252", 2)
    posts = store.read("posts").sort_values("ts")
    assert list(posts["post_id"]) == ["649293177409679360", "649064976133525504"]
    assert set(posts["author_id"]) == {"PawCo"} and "…" in posts["text"].iat[0]
    assert _sums(store, "posts", "likes", "shares", "impressions") == [3.0, 15.0, 835.0]


def test_universal_analytics_workbook(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Summary"
    for line in ("All Web Site Data", "Pages", "20220701-20220731"):
        summary.append([line])
    ds = wb.create_sheet("Dataset1")
    ds.append(["Page", "Pageviews", "Unique Pageviews", "Avg. Time on Page", "Bounce Rate"])
    ds.append(["/dogs", 120, 100, 33.5, 0.5])
    ds.append(["/cats", 80, 70, 20.0, 0.25])
    ds.append([None, 200, 170, 28.1, 0.41])  # UA's unlabelled total row
    p = tmp_path / "ua.xlsx"
    wb.save(p)
    store = Store.open(":memory:")
    rep = ingest_file(store, "traffic", p)
    assert (rep.layout, rep.file_format, rep.accepted, rep.summary_rows) == (
        "ga_report",
        "xlsx",
        2,
        1,
    )
    assert rep.checks[0]["status"] == "pass" and rep.period == ("2022-07-01", "2022-07-31")
    tr = store.read("traffic")
    assert _sums(store, "traffic", "views", "unique_views") == [200.0, 170.0]
    assert set(tr["dimension"]) == {"Page"} and list(tr["bounce_rate"]) == [0.5, 0.25]


def test_a_report_of_only_total_rows_is_refused(tmp_path):
    from micromix.errors import InputFileError

    p = tmp_path / "totals.csv"
    p.write_text(
        "Campaign report\nAll time\nCampaign,Impr.,Clicks,Cost,Currency code\n"
        "Total: Account,100,5,9.50,EUR\n"
    )
    with pytest.raises(InputFileError, match="only total rows"):
        prepare_file("ads", p)
