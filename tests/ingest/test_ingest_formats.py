"""Format adapters: registry, header detection, clear errors, and each layout's mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import micromix.ingest as ingest_pkg
import micromix.ingest.formats as formats_mod
from micromix.errors import ColumnNotFoundError, ConfigError
from micromix.ingest import (
    FormatAdapter,
    detect_format,
    get_format,
    ingest_file,
    list_formats,
    read_raw,
)
from micromix.ingest.formats import hashtags_of, normalize_name, registered_formats
from micromix.ingest.pipeline import prepare_file
from micromix.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
KAG_COLUMNS = [
    "ad_id",
    "xyz_campaign_id",
    "fb_campaign_id",
    "age",
    "gender",
    "interest",
    "Impressions",
    "Clicks",
    "Spent",
    "Total_Conversion",
    "Approved_Conversion",
]


def _isort_key(name: str) -> tuple[int, str]:
    # ruff RUF022 order: CONSTANTS, then Classes, then functions
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_public_surface_is_sorted_and_complete():
    for mod in (ingest_pkg, formats_mod):
        assert list(mod.__all__) == sorted(mod.__all__, key=_isort_key)
        for name in mod.__all__:
            assert hasattr(mod, name), name


def test_registry_lists_every_layout_by_kind():
    assert set(registered_formats()) == {
        "canonical",
        "meta_ads",
        "google_ads",
        "tiktok_ads",
        "linkedin_ads",
        "pinterest_ads",
        "snapchat_ads",
        "x_ads",
        "spotify_ads",
        "microsoft_ads",
        "amazon_ads",
        "kaggle_fb_ads",
        "ga4_bigquery",
        "ga_report",
        "instagram_posts",
        "tiktok_posts",
        "x_tweet_activity",
        "meta_content_insights",
        "creator_list",
        "influencer_ranking",
    }
    assert list_formats("ads") == [
        "amazon_ads",
        "canonical",
        "google_ads",
        "kaggle_fb_ads",
        "linkedin_ads",
        "meta_ads",
        "microsoft_ads",
        "pinterest_ads",
        "snapchat_ads",
        "spotify_ads",
        "tiktok_ads",
        "x_ads",
    ]
    assert list_formats("events") == ["canonical", "ga4_bigquery"]
    assert list_formats("traffic") == ["canonical", "ga_report"]
    assert list_formats("posts") == [
        "canonical",
        "instagram_posts",
        "meta_content_insights",
        "tiktok_posts",
        "x_tweet_activity",
    ]
    assert list_formats("creators") == ["canonical", "creator_list", "influencer_ranking"]
    assert list_formats("audience") == ["canonical"]


@pytest.mark.parametrize("name", sorted(registered_formats()))
def test_to_dict_round_trip(name):
    adapter = get_format(name)
    again = FormatAdapter.from_dict(adapter.to_dict())
    assert again == adapter and type(again) is type(adapter)
    assert again.to_dict() == {"lookup_name": name, "kind": adapter.kind}


def test_get_format_rejects_unknown_names_and_wrong_kinds():
    with pytest.raises(ConfigError, match=r"unknown layout 'tiktok' for --format.*canonical"):
        get_format("tiktok", "ads")
    with pytest.raises(ConfigError, match="kaggle_fb_ads holds ads rows, not events"):
        get_format("kaggle_fb_ads", "events")
    with pytest.raises(ConfigError, match="unknown data kind"):
        get_format("canonical", "tweets")
    assert get_format("Meta-Ads", "ads").lookup_name == "meta_ads"  # normalised names


def test_adapters_live_in_the_shared_registry():
    from micromix.registry import Registry

    assert isinstance(formats_mod.FORMATS, Registry)
    assert formats_mod.FORMATS.names() == sorted(registered_formats())
    assert formats_mod.FORMATS.get("meta_ads") is type(get_format("meta_ads", "ads"))

    class NotAnAdapter:
        lookup_name = "stray"

    with pytest.raises(ConfigError, match="NotAnAdapter is not a FormatAdapter"):
        formats_mod.register_format(NotAnAdapter)  # type: ignore[arg-type]

    class Nameless(FormatAdapter):
        pass

    with pytest.raises(ConfigError, match="needs a non-empty string lookup_name"):
        formats_mod.register_format(Nameless)
    assert "stray" not in formats_mod.FORMATS and len(formats_mod.FORMATS) == 20


def test_normalize_name():
    assert normalize_name(" Amount spent (USD) ") == "amount_spent_usd"
    assert normalize_name("#Followees") == "followees"
    assert normalize_name("CTR (link click-through rate)") == "ctr_link_click_through_rate"


@pytest.mark.parametrize(
    ("columns", "kind", "expected"),
    [
        (KAG_COLUMNS, "ads", "kaggle_fb_ads"),
        (
            ["Campaign name", "Ad set name", "Day", "Impressions", "Amount spent (GBP)"],
            "ads",
            "meta_ads",
        ),
        (["date", "platform", "campaign_id", "impressions", "spend"], "ads", "canonical"),
        (
            ["event_name", "event_timestamp", "user_pseudo_id", "event_params"],
            "events",
            "ga4_bigquery",
        ),
        (["Timestamp", "User", "event_type", "event_id"], "events", "canonical"),
        (["shortcode", "username", "taken_at_timestamp", "caption"], "posts", "instagram_posts"),
        (["post_id", "author_id", "likes"], "posts", "canonical"),
        (
            ["Username", "Category", "#Followers", "#Followees", "#Posts"],
            "creators",
            "creator_list",
        ),
        (["creator_id", "followers"], "creators", "canonical"),
    ],
)
def test_detects_layout_from_header(columns, kind, expected):
    assert detect_format(columns, kind).lookup_name == expected


def test_detection_failure_names_missing_columns():
    with pytest.raises(ColumnNotFoundError) as err:
        detect_format(["a", "b", "campaign"], "ads", source="x.csv")
    msg = str(err.value)
    assert msg.startswith("x.csv: no known ads layout matches the header")
    # the closest layout (Google Ads: it has a campaign) names what it lacks
    assert "google_ads" in msg and "'Impr. or Impressions'" in msg and "'Cost'" in msg
    assert "\n" not in msg


def test_wrong_format_gives_one_sentence_with_missing_columns():
    adapter = get_format("meta_ads", "ads")
    with pytest.raises(ColumnNotFoundError) as err:
        adapter.check(KAG_COLUMNS, source="kag.csv")
    msg = str(err.value)
    assert "does not match --format meta_ads" in msg
    assert "'Amount spent (...) or Amount spent'" in msg
    assert "'Impressions'" not in msg.split("not found")[0]  # present, so not listed missing


def test_canonical_aliases_and_case(tmp_path):
    p = tmp_path / "ev.csv"
    p.write_text(
        "Event_ID,Timestamp,user_pseudo_id,EVENT,Campaign,value,ts\n"
        "e1,2024-05-01 10:00,u1,click,c1,3.5,2024-05-01T09:00:00Z\n"
    )
    res, _raw, adapter, _ = prepare_file("events", p)[:4]
    assert adapter.lookup_name == "canonical"
    row = res.accepted.iloc[0]
    assert row["event_id"] == "e1" and row["user_id"] == "u1" and row["event_type"] == "click"
    assert row["campaign_id"] == "c1" and row["revenue"] == 3.5
    # the exact contract name 'ts' wins over the alias 'Timestamp'
    assert row["ts"] == pd.Timestamp("2024-05-01T09:00:00Z")


def test_meta_ads_export_fixture():
    prep = prepare_file("ads", FIXTURES / "meta_ads_export.csv")
    res, raw, adapter = prep.result, prep.raw, prep.adapter
    assert adapter.lookup_name == "meta_ads"
    # the account-total row (line 2, empty dimensions) is set aside, not a data row
    assert raw.total == 7 and prep.summary_rows == 1
    assert len(res.accepted) == 6 and len(res.quarantine) == 0
    (check,) = prep.checks
    # the fixture's total row says 1,893.40 of purchase value; the ads add up to 1,593.40
    assert check["status"] == "review" and "conversion_value 1,893.40" in check["message"]
    acc = res.accepted
    assert set(acc["currency"]) == {"EUR"}
    assert set(acc["platform"]) == {"facebook"}
    assert acc["campaign_name"].iloc[0] == "Spring Kibble - Conversions"
    assert acc["ad_set"].iloc[0] == "Dog owners 25-44 - Lookalike 1%"
    assert acc["date"].min() == pd.Timestamp("2024-05-01")
    assert int(acc["impressions"].sum()) == 3120 + 2210 + 2804 + 1410 + 0 + 1000
    assert int(acc["reach"].iloc[3]) == 1240  # "1,240" with a thousands separator
    assert int(acc["clicks"].sum()) == 97 + 61 + 88 + 45 + 0 + 33  # Link clicks
    assert float(acc["spend"].sum()) == pytest.approx(21.40 + 16.05 + 19.88 + 9.71 + 0 + 14.13)
    assert float(acc["conversions"].sum()) == 11 + 6 + 9 + 11  # Purchases (blank = 0)
    assert list(acc["conversions"]) == [11, 6, 9, 0, 0, 11]
    assert float(acc["conversion_value"].sum()) == pytest.approx(561 + 302.4 + 455.1 + 274.9)
    assert list(acc["age"]) == ["25-34", "35-44", "25-34", "18-24", "65+", "45-54"]
    assert acc["engagements"].iloc[0] == 266
    # the totals row of the export agrees with the ad rows it summarises (it is not double counted)
    assert int(raw.frame["Impressions"].iloc[0].replace(",", "")) == int(acc["impressions"].sum())


def test_meta_platform_breakdown_and_currency(tmp_path):
    p = tmp_path / "meta.csv"
    p.write_text(
        "Campaign ID,Campaign name,Ad ID,Day,Platform,Impressions,Amount spent (JPY),Clicks (all),"
        "Reporting starts,Reporting ends\n"
        "2384,Kibble,99,2024-06-01,instagram,100,500,7,2024-06-01,2024-06-01\n"
        "2384,Kibble,99,2024-06-01,audience_network,40,120,1,2024-06-01,2024-06-01\n"
    )
    res, *_ = prepare_file("ads", p, currency="JPY")[:4]
    acc = res.accepted
    assert list(acc["platform"]) == ["instagram", "other"]
    assert list(acc["campaign_id"]) == ["2384", "2384"] and list(acc["ad_id"]) == ["99", "99"]
    assert list(acc["currency"]) == ["JPY", "JPY"] and list(acc["clicks"]) == [7, 1]


def test_ga4_bigquery_fixture():
    res, raw, adapter, _ = prepare_file("events", FIXTURES / "ga4_events.jsonl")[:4]
    assert adapter.lookup_name == "ga4_bigquery"
    assert raw.total == 10 and len(res.accepted) == 10 and len(res.quarantine) == 0
    ev = res.accepted
    assert list(ev["event_type"]) == [
        "session_start",
        "page_view",
        "search",
        "view",
        "add_to_cart",
        "begin_checkout",
        "purchase",
        "page_view",
        "other",
        "page_view",
    ]
    # microseconds since the epoch, kept to the microsecond
    assert ev["ts"].iloc[0] == pd.Timestamp("2020-12-01 08:00:00.123456", tz="UTC")
    assert ev["user_id"].iloc[0] == "1026454.4271112504"
    assert ev["session_id"].iloc[0] == "1026454.4271112504.1606809600"
    assert ev["query"].iloc[2] == "grain free dog food"
    assert ev["revenue"].iloc[6] == pytest.approx(24.99) and ev["revenue"].iloc[:6].isna().all()
    assert list(ev["device"].iloc[[0, 7]]) == ["mobile", "tablet"]
    assert ev["region"].iloc[0] == "United States/California" and ev["region"].iloc[7] == "Germany"
    assert ev["campaign_id"].iloc[7] == "spring_kibble_ugc" and pd.isna(ev["campaign_id"].iloc[9])
    assert list(ev["strategy"].iloc[[0, 7, 9]]) == ["direct", "paid_social", "search"]
    assert list(ev["platform"].iloc[[0, 9]]) == ["web", "app"]
    assert ev["event_id"].is_unique and ev["event_id"].str.startswith("ga4-").all()


def test_ga4_event_ids_are_stable_and_content_based(tmp_path):
    a, *_ = prepare_file("events", FIXTURES / "ga4_events.jsonl")[:4]
    b, *_ = prepare_file("events", FIXTURES / "ga4_events.jsonl")[:4]
    assert list(a.accepted["event_id"]) == list(b.accepted["event_id"])
    # the same event name/user/time with different content is a different event
    lines = (FIXTURES / "ga4_events.jsonl").read_text().splitlines()
    rec = json.loads(lines[1])
    rec["event_params"].append({"key": "page_title", "value": {"string_value": "Other"}})
    p = tmp_path / "two.jsonl"
    p.write_text(lines[1] + "\n" + json.dumps(rec) + "\n")
    res, *_ = prepare_file("events", p)[:4]
    assert len(res.accepted) == 2 and res.accepted["event_id"].is_unique


def test_ga4_bad_rows_are_quarantined(tmp_path):
    good = json.loads((FIXTURES / "ga4_events.jsonl").read_text().splitlines()[1])
    bad_ts = dict(good, event_timestamp="soon")
    bad_params = dict(good, event_params={"key": "x"})
    no_user = dict(good, user_pseudo_id=None, event_timestamp="1606809600999999")
    p = tmp_path / "ga4.jsonl"
    p.write_text(
        "\n".join(json.dumps(r) for r in (good, bad_ts, bad_params, no_user)) + '\n{"event'
    )
    res, raw, *_ = prepare_file("events", p, layout="ga4_bigquery")[:4]
    assert raw.total == 5 and len(res.accepted) == 1
    q = res.quarantine.set_index("row")
    assert q.loc[2, "field"] == "ts" and "'soon' is not a valid date/time" in q.loc[2, "reason"]
    assert q.loc[3, "field"] == "event_params" and "list of {key, value}" in q.loc[3, "reason"]
    assert q.loc[4, "field"] == "user_id" and q.loc[4, "reason"] == "required value is missing"
    assert "truncated last line" in q.loc[5, "reason"]


def test_instagram_posts_mapping(tmp_path):
    p = tmp_path / "posts.csv"
    p.write_text(
        "shortcode,username,taken_at_timestamp,is_video,video_view_count,likes,comments,is_ad,"
        "sponsor_users,tagged_users,has_location,caption\n"
        'AAA,mia_pets,1547701417,True,5120,87,4,False,purina,bo|kim,False,"New #Kibble day! '
        '#DogsOfInstagram #kibble thanks @purina"\n'
        "BBB,bo,1547701418,False,,12,0,False,,,False,no tags here\n"
        "CCC,kim,1547701419,False,,3,1,True,,,False,#ad\n"
    )
    res, _raw, adapter, _ = prepare_file("posts", p)[:4]
    assert adapter.lookup_name == "instagram_posts"
    acc = res.accepted.set_index("post_id")
    assert acc.loc["AAA", "author_id"] == "mia_pets" and acc.loc["AAA", "platform"] == "instagram"
    assert acc.loc["AAA", "ts"] == pd.Timestamp(1547701417, unit="s", tz="UTC")
    assert acc.loc["AAA", "views"] == 5120 and acc.loc["AAA", "likes"] == 87
    assert acc.loc["AAA", "hashtags"] == "kibble,dogsofinstagram"
    assert acc.loc["AAA", "mentions"] == "bo,kim,purina"
    assert list(acc["is_sponsored"]) == [True, False, True]  # sponsor tag, nothing, is_ad
    assert pd.isna(acc.loc["BBB", "hashtags"]) and pd.isna(acc.loc["BBB", "views"])


def test_hashtags_of_handles_unicode_and_duplicates():
    assert hashtags_of("요즘 #필러 #Dogs #dogs") == "필러,dogs"
    assert hashtags_of(None) is None and hashtags_of("no tags") is None


def test_creator_list_mapping(tmp_path):
    p = tmp_path / "influencers.txt"
    p.write_text(
        "Username\tCategory\t#Followers\t#Followees\t#Posts\n"
        "=================================================\n"
        "mia_pets\tpet\t12000\t310\t455\n"
        "bo_travels\ttravel\t1500000\t12\t1200\n"
    )
    res, raw, adapter, _ = prepare_file("creators", p)[:4]
    assert adapter.lookup_name == "creator_list" and raw.total == 2
    acc = res.accepted
    assert list(acc["creator_id"]) == ["mia_pets", "bo_travels"]
    assert list(acc["handle"]) == ["mia_pets", "bo_travels"]
    assert list(acc["followers"]) == [12000, 1500000]
    assert list(acc["following"]) == [310, 12] and list(acc["posts"]) == [455, 1200]
    assert list(acc["niche"]) == ["pet", "travel"] and set(acc["platform"]) == {"instagram"}


def test_parquet_canonical_file(tmp_path):
    df = pd.DataFrame(
        {
            "user_id": ["u1", "u2"],
            "age_band": ["18-24", "25-34"],
            "consent_analytics": [True, False],
        }
    )
    p = tmp_path / "aud.parquet"
    df.to_parquet(p)
    rep = ingest_file(Store.open(":memory:"), "audience", p)
    assert (rep.accepted, rep.quarantined, rep.file_format) == (2, 0, "parquet")


def test_raw_rows_are_kept_in_order():
    raw = read_raw(FIXTURES / "meta_ads_export.csv")
    canon = get_format("meta_ads", "ads").to_canonical(raw)
    assert len(canon) == len(raw.frame)
    assert list(canon["ad_id"].iloc[1:3]) == list(raw.frame["Ad name"].iloc[1:3])
