"""Posts KPIs: X's views are its impressions, labelled, never mixed with plays unsaid.

X counts a view each time a post is shown (its tweet-activity export calls them impressions);
the store keeps them in ``posts.impressions``, so ``views`` and ``engagement_rate_per_view`` of X
were null although 278,540 impressions were known.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from micromix.ingest import ingest_file, read_table
from micromix.metrics import compute_kpis
from micromix.store import Store


def _store(posts: dict[str, list[object]]) -> Store:
    st = Store.open(":memory:")
    st.append("posts", pd.DataFrame(posts))
    return st


MIXED = {
    "post_id": ["t1", "t2", "x1", "x2", "i1"],
    "platform": ["tiktok", "tiktok", "x", "x", "instagram"],
    "author_id": ["a", "b", "c", "c", "d"],
    "likes": [50, 30, 4, 6, 20],
    "comments": [5, 5, 1, 0, 2],
    "views": [1_000, 500, 40, None, 400],  # X: plays of the post's media only
    "impressions": [None, None, 900, 1_100, 3_000],  # Instagram: a measure of its own
}


def test_x_views_are_its_impressions_and_say_so():
    got = compute_kpis(_store(MIXED), source="posts", by=["platform"]).set_index("platform")
    x = got.loc["x"]
    assert x["views"] == 2_000 and x["views_measure"] == "impressions"
    assert x["engagement_rate_per_view"] == pytest.approx(11 / 2_000)
    tiktok, insta = got.loc["tiktok"], got.loc["instagram"]
    assert tiktok["views"] == 1_500 and tiktok["views_measure"] == "views"
    # Instagram's impressions are not its views: its plays are
    assert insta["views"] == 400 and insta["views_measure"] == "views"
    assert insta["engagement_rate_per_view"] == pytest.approx(22 / 400)
    cols = list(got.columns)
    assert cols[cols.index("views") + 1] == "views_measure"
    assert any("'impressions' = impressions" in n for n in got.attrs["notes"])


def test_a_row_over_both_measures_is_labelled_as_both():
    got = compute_kpis(_store(MIXED), source="posts", kpis="posts,views,engagement_rate_per_view")
    row = got.iloc[0]
    assert row["views"] == 1_500 + 2_000 + 400
    assert row["views_measure"] == "views + impressions"
    assert row["engagement_rate_per_view"] == pytest.approx((55 + 35 + 5 + 6 + 22) / 3_900)
    assert any("'views + impressions' = views of platforms" in n for n in got.attrs["notes"])


def test_the_label_follows_the_per_view_rate_when_views_are_not_asked():
    got = compute_kpis(
        _store(MIXED), source="posts", by=["platform"], kpis="engagement_rate_per_view"
    )
    assert list(got.columns) == ["platform", "engagement_rate_per_view", "views_measure"]


def test_plays_alone_need_no_note_and_posts_without_a_view_count_have_none():
    st = _store(
        {
            "post_id": ["t1", "x1", "n1"],
            "platform": ["tiktok", "x", "tiktok"],
            "author_id": ["a", "b", "c"],
            "likes": [5, 1, 2],
            "views": [100, 70, None],  # a scraper's X view count (= impressions) when alone
        }
    )
    got = compute_kpis(st, source="posts", by=["author_id"], kpis="views").set_index("author_id")
    assert got.loc["b", "views"] == 70 and got.loc["b", "views_measure"] == "views"
    assert pd.isna(got.loc["c", "views"]) and got.loc["c", "views_measure"] is None
    assert not any("views_measure" in n for n in got.attrs["notes"])


def test_a_store_of_x_posts_alone_has_views():
    st = _store(
        {
            "post_id": ["x1", "x2"],
            "platform": ["x", "x"],
            "author_id": ["c", "c"],
            "likes": [4, 6],
            "impressions": [900, 1_100],
        }
    )
    row = compute_kpis(st, source="posts", kpis="views,engagement_rate_per_view").iloc[0]
    assert row["views"] == 2_000 and row["views_measure"] == "impressions"
    assert row["engagement_rate_per_view"] == pytest.approx(10 / 2_000)


SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
X_EXPORT = SHARED / "exports" / "posts" / "x_tweet_activity_metrics.csv"


@pytest.mark.shared_data
@pytest.mark.skipif(not X_EXPORT.exists(), reason="X tweet activity export not in ../shared")
def test_real_x_export_has_its_impressions_as_views():
    st = Store.open(":memory:")
    ingest_file(st, "posts", X_EXPORT)
    want = read_table(X_EXPORT)["impressions"].sum()
    got = compute_kpis(st, source="posts", by=["platform"]).set_index("platform").loc["x"]
    assert got["views"] == want and got["views_measure"] == "impressions"
    assert got["engagement_rate_per_view"] == pytest.approx(got["engagements"] / want)
