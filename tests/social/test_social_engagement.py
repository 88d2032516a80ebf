"""One meaning of engagement on posts: ``social listen`` and ``kpis --source posts`` both count
likes + comments + shares + saves; the platform's own figure (X's ``engagements``, clicks
included) is shown beside it under its own name, with a note where the two cannot both be right.

On X's tweet-activity export the two commands had given 25,346 (listen, the sum) and 2,677
(kpis, X's own count) for the same tweets; listen also read the 100 tweets whose ids Excel wrote
as ``6.54E+17`` as one post.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from micromix.ingest import ingest_file
from micromix.metrics import compute_kpis
from micromix.social.columns import ENGAGEMENT_LABEL, canonical_posts, engagements_of
from micromix.social.listening import BrandSpec, listen
from micromix.store import Store

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
X_EXPORT = SHARED_DATA / "exports" / "posts" / "x_tweet_activity_metrics.csv"

HEADER = (
    "Tweet id,Tweet permalink,Tweet text,time,impressions,engagements,engagement rate,"
    "retweets,replies,favorites,user profile clicks,url clicks\n"
)


def _x_export(tmp_path, rows: list[str]):
    path = tmp_path / "tweet_activity.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return path


def _tweet(n: int, text: str, eng: int, rt: int, rep: int, fav: int) -> str:
    link = f"https://twitter.com/pawco/status/{649293177409679360 + n}"
    return f"{649293177409679360 + n},{link},{text},2024-05-0{n} 10:00:00,1000,{eng},0.01,{rt},{rep},{fav},1,1"


def test_listen_and_kpis_give_the_same_engagements_on_the_same_tweets(tmp_path):
    path = _x_export(
        tmp_path,
        [
            _tweet(1, "new #pawco bowl", 40, 3, 2, 10),
            _tweet(2, "pawco treats are in", 25, 1, 0, 4),
            _tweet(3, "#pawco walk day", 9, 0, 1, 2),
        ],
    )
    res = listen(pd.read_csv(path), BrandSpec("PawCo"), source=str(path))
    sov = res.share_of_voice.set_index("brand").loc["PawCo"]
    assert sov["engagement"] == 3 + 2 + 10 + 1 + 4 + 1 + 2
    assert sov["reported_engagements"] == 40 + 25 + 9  # X's count, clicks included, beside it
    assert res.meta["engagement"] == ENGAGEMENT_LABEL
    assert "reported by the platform" in res.meta["reported_engagements"]
    assert not any("disagree" in n for n in res.meta["notes"])  # X's count >= the sum here

    st = Store.open(":memory:")
    ingest_file(st, "posts", path)
    k = compute_kpis(st, source="posts").iloc[0]
    assert k["engagements"] == sov["engagement"]
    assert k["reported_engagements"] == sov["reported_engagements"]


def test_a_platform_count_below_the_sum_is_shown_beside_it_with_a_note(tmp_path):
    # X counts every interaction, so 5 engagements with 12 retweets cannot both be right
    path = _x_export(
        tmp_path, [_tweet(1, "#pawco bowl", 5, 12, 0, 2), _tweet(2, "#pawco mat", 30, 1, 1, 1)]
    )
    res = listen(pd.read_csv(path), BrandSpec("PawCo"), source="tweets.csv")
    sov = res.share_of_voice.set_index("brand").loc["PawCo"]
    assert (sov["engagement"], sov["reported_engagements"]) == (17, 35)
    note = next(n for n in res.meta["notes"] if "disagree" in n)
    assert note.startswith("tweets.csv: on 1 of 2 mentioning posts")

    st = Store.open(":memory:")
    ingest_file(st, "posts", path)
    got = compute_kpis(st, source="posts")
    assert got[["engagements", "reported_engagements"]].iloc[0].tolist() == [17, 35]
    assert any("on 1 of 2 posts" in n and "disagree" in n for n in got.attrs["notes"])


def test_posts_without_a_platform_count_have_no_reported_column_in_listen():
    posts = pd.DataFrame(
        {"text": ["love pawco", "pawco again"], "likes": [10, 1], "comments": [2, None]}
    )
    res = listen(posts, BrandSpec("PawCo"))
    assert "reported_engagements" not in res.share_of_voice.columns
    assert "reported_engagements" not in res.meta
    assert res.share_of_voice["engagement"].iloc[0] == 13


def test_saves_count_in_both_and_views_in_neither():
    posts = pd.DataFrame(
        {"likes": [3], "comments": [1], "shares": [2], "saves": [4], "views": [99]}
    )
    assert engagements_of(posts).tolist() == [10.0]
    res = listen(posts.assign(text=["pawco"]), BrandSpec("PawCo"))
    assert res.share_of_voice["engagement"].iloc[0] == 10


def test_spreadsheet_mangled_ids_are_not_one_post(tmp_path):
    rows = [
        "6.54E+17,<a href='http://ifttt.com'>IFTTT</a>,#pawco deal one,2024-05-01 10:00:00,"
        "100,5,0.05,1,0,2,1,1",
        "6.54E+17,<a href='http://ifttt.com'>IFTTT</a>,#pawco deal two,2024-05-02 10:00:00,"
        "100,6,0.06,1,1,2,1,1",
        "6.49E+17,https://twitter.com/pawco/status/649293177409679360,#pawco own,"
        "2024-05-03 10:00:00,100,7,0.07,0,0,3,2,2",
    ]
    path = _x_export(tmp_path, rows)
    raw = pd.read_csv(path, dtype=str)
    p = canonical_posts(raw, source="t.csv")
    assert len(p) == 3 and "repeated_posts" not in p.attrs
    assert p["post_id"].iloc[2] == "649293177409679360"  # read again from its link
    assert (
        "2 of 3 post ids" in p.attrs["mangled_ids"] and "row 1: 6.54E+17" in p.attrs["mangled_ids"]
    )
    res = listen(raw, BrandSpec("PawCo"), source="t.csv")
    assert res.meta["posts"] == 3 and res.share_of_voice["mentions"].iloc[0] == 3
    assert any("scientific notation" in n for n in res.meta["notes"])


@pytest.mark.shared_data
@pytest.mark.skipif(not X_EXPORT.exists(), reason="X tweet activity export not in ../shared/data")
def test_the_real_x_export_recomputed_with_pandas(tmp_path):
    df = pd.read_csv(X_EXPORT, encoding="cp1252")
    summed = df[["retweets", "replies", "favorites"]].sum(axis=1)
    assert len(df) == 103 and int(summed.sum()) == 25_369 and int(df["engagements"].sum()) == 2_677
    below = int((df["engagements"] < summed).sum())

    # kpis on the ingested file: both figures, named, and the posts where they disagree
    st = Store.open(":memory:")
    ingest_file(st, "posts", X_EXPORT)
    got = compute_kpis(st, source="posts")
    row = got.iloc[0]
    assert row["posts"] == 103
    assert row["engagements"] == int(summed.sum())
    assert row["reported_engagements"] == int(df["engagements"].sum())
    assert any(f"on {below} of 103 posts" in n for n in got.attrs["notes"])

    # listen on the file as exported: every tweet is a post, and a brand's engagement is the
    # same sum over the tweets that mention it
    from micromix.ingest.files import read_table

    res = listen(read_table(X_EXPORT), BrandSpec("USA"), source=X_EXPORT.name)
    assert res.meta["posts"] == 103
    usa = df["Tweet text"].str.contains(r"(?<![0-9a-z_])#?usa(?![0-9a-z_])", case=False)
    sov = res.share_of_voice.set_index("brand").loc["USA"]
    assert sov["mentions"] == int(usa.sum()) == 100
    assert sov["engagement"] == int(summed[usa].sum()) == 25_346
    assert sov["reported_engagements"] == int(df.loc[usa, "engagements"].sum())
