"""Real public files from ../shared/data (skipped when absent): KAG ads, Instagram posts, creators."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from micromix.ingest import ingest_file
from micromix.store import Store

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
KAG = DATA / "ads" / "KAG_conversion_data.csv"
POSTS = DATA / "social" / "kim2020_instagram_posts_sample.csv"
CREATORS = DATA / "influencers" / "kim2020_instagram_influencers.txt"

pytestmark = pytest.mark.shared_data


def _skip_without(path: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not path.exists(), reason=f"{path} not present (../shared/data)")


@_skip_without(KAG)
def test_kaggle_ads_all_rows_and_sums_per_age_gender():
    store = Store.open(":memory:")
    rep = ingest_file(store, "ads", KAG, currency="USD")
    assert rep.layout == "kaggle_fb_ads"
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (1143, 1143, 0)

    raw = pd.read_csv(KAG)
    expected = raw.groupby(["age", "gender"]).agg(
        impressions=("Impressions", "sum"),
        clicks=("Clicks", "sum"),
        spend=("Spent", "sum"),
        conversions=("Total_Conversion", "sum"),
        approved=("Approved_Conversion", "sum"),
        ads=("ad_id", "count"),
    )
    t = store.table("ad_performance")
    expr = t.group_by(["age", "gender"]).aggregate(
        impressions=t.impressions.sum(),
        clicks=t.clicks.sum(),
        spend=t.spend.sum(),
        conversions=t.conversions.sum(),
        approved=t.approved_conversions.sum(),
        ads=t.ad_id.count(),
    )
    got = store.execute(expr).set_index(["age", "gender"]).sort_index()
    assert len(got) == len(expected) == 8
    for col in ("impressions", "clicks", "ads"):
        assert got[col].astype("int64").to_dict() == expected[col].astype("int64").to_dict(), col
    for col in ("spend", "conversions", "approved"):
        pd.testing.assert_series_equal(
            got[col].astype("float64"),
            expected.loc[got.index, col].astype("float64"),
            check_names=False,
            rtol=1e-9,
        )
    ads = store.read("ad_performance")
    assert set(ads["platform"]) == {"facebook"} and ads["date"].isna().all()
    assert set(ads["campaign_id"]) == {"916", "936", "1178"}
    # idempotent: a second ingest leaves everything as it was
    again = ingest_file(store, "ads", KAG, currency="USD")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1143)
    assert store.count("ad_performance") == 1143


@pytest.mark.slow  # ~5-9 s: 40k posts with captions
@_skip_without(POSTS)
def test_instagram_posts_sample():
    store = Store.open(":memory:")
    rep = ingest_file(store, "posts", POSTS)
    assert rep.layout == "instagram_posts"
    assert rep.rows_in_file == 39907
    assert rep.accepted + rep.quarantined == 39907
    raw = pd.read_csv(POSTS, dtype=str, keep_default_na=False)
    dups = int(raw["shortcode"].duplicated().sum())
    assert rep.quarantined == dups  # only repeated shortcodes are quarantined
    q = store.read("quarantine")
    assert q["reason"].str.contains("duplicate key").all()
    posts = store.read("posts")
    sponsored_raw = raw.drop_duplicates("shortcode")
    expect_sponsored = int(
        (
            (sponsored_raw["sponsor_users"] != "") | (sponsored_raw["is_ad"].str.lower() == "true")
        ).sum()
    )
    assert int(posts["is_sponsored"].sum()) == expect_sponsored
    assert int(posts["likes"].sum()) == int(sponsored_raw["likes"].astype("int64").sum())
    assert posts["hashtags"].notna().mean() > 0.5
    assert posts["ts"].min() >= pd.Timestamp("2010-01-01")
    assert set(posts["platform"]) == {"instagram"}


@_skip_without(CREATORS)
def test_creator_list():
    store = Store.open(":memory:")
    rep = ingest_file(store, "creators", CREATORS)
    assert rep.layout == "creator_list" and rep.file_format == "tsv"
    raw = pd.read_csv(CREATORS, sep="\t", skiprows=[1], dtype=str, keep_default_na=False)
    assert rep.rows_in_file == len(raw) == 33935  # the ==== rule line is not a row
    assert rep.accepted + rep.quarantined == rep.rows_in_file
    cr = store.read("creators")
    assert int(cr["followers"].sum()) == int(raw["#Followers"].astype("int64").sum())
    assert cr.loc[cr["niche"] == "pet", "creator_id"].nunique() == int(
        (raw["Category"] == "pet").sum()
    )
