"""``social amplify`` / ``social listen`` read a posts file as ``micromix ingest posts`` does.

A TikTok dump names its author in the nested ``authorMeta.name``; the social aliases alone did
not reach it, so every post got a made-up author (``user172``), was "1.0x its author's usual
engagement", and the ranking differed from the one of the same posts ingested.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import ColumnNotFoundError
from micromix.ingest import ingest_file
from micromix.social.files import read_posts
from micromix.social.listening import BrandSpec
from micromix.social.ugc import (
    NO_AUTHOR_PREDICTION,
    NO_AUTHOR_REASON,
    ONLY_POST_REASON,
    rank_for_amplification,
)
from micromix.store import Store

runner = CliRunner()

#: (author, likes, comments, text) of a small trending dump: ann's third post is far above her
#: usual, bob's posts are alike
_POSTS = [
    ("ann", 100, 5, "morning run in my @pawco gear"),
    ("ann", 120, 4, "rest day"),
    ("ann", 2_000, 90, "@pawco leash review, love it"),
    ("bob", 400, 20, "new @pawco bowl for the pup"),
    ("bob", 380, 25, "pawco treats again #pawco"),
    ("cy", 50, 1, "@pawco is ok i guess"),
]


def _tiktok_dump(path, posts=_POSTS):
    rows = [
        {
            "id": str(7_000_000_000_000_000_000 + i),
            "text": text,
            "createTime": 1_700_000_000 + 3_600 * i,
            "authorMeta": {"name": author, "fans": 1_000 * (i + 1)},
            "diggCount": likes,
            "commentCount": comments,
            "shareCount": 1,
            "playCount": 10 * likes,
        }
        for i, (author, likes, comments, text) in enumerate(posts)
    ]
    path.write_text(json.dumps(rows))
    return path


def test_a_nested_author_is_read_as_ingest_reads_it(tmp_path):
    p = _tiktok_dump(tmp_path / "trending.json")
    posts = read_posts(p)
    assert posts.attrs["layout"] == "TikTok posts dump"
    assert posts["author_id"].tolist() == [a for a, *_ in _POSTS]
    st = Store.open(":memory:")
    assert ingest_file(st, "posts", p).accepted == len(_POSTS)
    stored = st.read("posts").sort_values("post_id")
    assert stored["author_id"].tolist() == posts["author_id"].tolist()


def test_the_file_and_the_store_rank_the_same_posts(tmp_path):
    p = _tiktok_dump(tmp_path / "trending.json")
    brand = BrandSpec("PawCo", handles=("pawco",))
    from_file = rank_for_amplification(read_posts(p), brand, source=str(p))
    st = Store.open(":memory:")
    ingest_file(st, "posts", p)
    from_store = rank_for_amplification(st.read("posts"), brand)
    cols = ["post_id", "author_id", "relative_engagement", "amplification_score"]
    pd.testing.assert_frame_equal(from_file[cols], from_store[cols], check_dtype=False)
    top = from_file.iloc[0]
    assert top["author_id"] == "ann" and top["relative_engagement"] > 10
    assert not from_file["author_id"].str.fullmatch(r"user\d+").any()
    # cy's one post is its own "usual": the reasons say there is nothing to compare with
    (cy,) = from_file.loc[from_file["author_id"] == "cy", "reasons"]
    assert cy.startswith(ONLY_POST_REASON)
    assert (
        from_file.loc[from_file["author_id"] == "ann", "reasons"]
        .str.contains("x the author's usual")
        .all()
    )


def test_cli_amplify_shows_the_real_authors(tmp_path):
    p = _tiktok_dump(tmp_path / "trending.json")
    res = runner.invoke(
        app, ["social", "amplify", "--input", str(p), "--brand", "pawco", "--top", "3", "--json"]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert [r["author_id"] for r in rows][:1] == ["ann"]
    assert {r["author_id"] for r in rows} <= {"ann", "bob", "cy"}


def test_a_post_without_an_author_has_none_and_says_so(tmp_path):
    p = tmp_path / "posts.csv"
    pd.DataFrame(
        {
            "username": ["ann", "ann", "", None],
            "caption": ["my pup loves @pawco", "walk with @pawco", "@pawco rocks", "love @pawco"],
            "likes": [300, 100, 900, 50],
        }
    ).to_csv(p, index=False)
    res = runner.invoke(app, ["social", "amplify", "--input", str(p), "--brand", "pawco", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    anonymous = [r for r in out["rows"] if r["author_id"] is None]
    assert len(anonymous) == 2 and len(out["rows"]) == 4
    for r in anonymous:
        assert r["relative_engagement"] is None and r["predicted_ctr"] is None
        assert r["reasons"].startswith(NO_AUTHOR_REASON) and NO_AUTHOR_PREDICTION in r["reasons"]
    assert any("2 of the 4 posts ranked have no author" in n for n in out["notes"])
    # the authored posts compare with their author's usual as before
    ann = sorted(r["relative_engagement"] for r in out["rows"] if r["author_id"] == "ann")
    assert ann == pytest.approx([0.5, 1.5])


def test_a_file_with_no_author_column_invents_none():
    posts = pd.DataFrame({"text": ["@pawco yes", "@pawco no"], "likes": [5, 500]})
    ranked = rank_for_amplification(posts, BrandSpec("PawCo"))
    assert ranked["author_id"].isna().all() and ranked["relative_engagement"].isna().all()
    assert ranked["predicted_cpa"].isna().all()


def test_text_col_names_a_nested_field_of_a_platform_export(tmp_path):
    p = _tiktok_dump(tmp_path / "trending.json")
    rows = json.loads(p.read_text())
    for r in rows:
        r["video"] = {"desc": r.pop("text") + " (desc)"}
    p.write_text(json.dumps(rows))
    posts = read_posts(p, text_col="video.desc")
    assert posts["text"].str.endswith("(desc)").all()
    with pytest.raises(ColumnNotFoundError, match=r"trending.json: column 'caption' not found"):
        read_posts(p, text_col="caption")


def test_listen_reads_an_x_export_with_its_authors(tmp_path):
    p = tmp_path / "tweet_activity.csv"
    p.write_text(
        "Tweet id,Tweet permalink,Tweet text,time,impressions,engagements,retweets,replies,"
        "favorites\n"
        "111,https://twitter.com/pawco_fan/status/111,love @pawco,2024-05-01 10:00,900,12,1,2,3\n"
        "112,https://twitter.com/other/status/112,meh,2024-05-02 10:00,400,5,0,1,1\n"
    )
    posts = read_posts(p)
    assert posts["author_id"].tolist() == ["pawco_fan", "other"]
    res = runner.invoke(app, ["social", "listen", "--input", str(p), "--brand", "pawco", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["meta"]["posts"] == 2


SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
TRENDING = SHARED_DATA / "exports" / "posts" / "tiktok_scraper_trending.json"


@pytest.mark.shared_data
@pytest.mark.skipif(not TRENDING.exists(), reason="tiktok_scraper_trending.json not in ../shared")
def test_real_trending_dump_ranks_as_the_dashboard():
    res = runner.invoke(
        app,
        ["social", "amplify", "--input", str(TRENDING), "--brand", "gymshark", "--json"],
    )
    assert res.exit_code == 0, res.output
    authors = [r["author_id"] for r in json.loads(res.stdout)["rows"]][:5]
    assert not any(re.fullmatch(r"user\d+", a or "") for a in authors)
    assert authors[1] == authors[4] == "evan_holmes_"


def _x_activity(path, likes=('"1,045"', "12")):
    path.write_text(
        "Tweet id,Tweet permalink,Tweet text,time,impressions,engagements,retweets,replies,likes\n"
        f"111,https://twitter.com/a/status/111,love @pawco,2026-01-01 10:00 +0000,900,1100,1,4,"
        f"{likes[0]}\n"
        f"112,https://twitter.com/b/status/112,meh,2026-01-02 10:00 +0000,400,20,0,2,{likes[1]}\n"
    )
    return path


def test_an_x_export_has_the_counts_and_times_ingest_stores(tmp_path):
    from micromix.social.columns import engagements_of

    p = _x_activity(tmp_path / "tweet_activity.csv")
    posts = read_posts(p)
    assert engagements_of(posts).tolist() == [1050, 14]  # "1,045" likes read, never 0
    st = Store.open(":memory:")
    assert ingest_file(st, "posts", p).accepted == 2
    stored = st.read("posts").sort_values("post_id").reset_index(drop=True)
    for c in ("likes", "comments", "shares", "impressions", "engagements"):
        assert posts[c].tolist() == stored[c].tolist(), c
    assert list(posts["ts"]) == list(pd.to_datetime(stored["ts"], utc=True))
    assert str(posts["ts"].iat[0]) == "2026-01-01 10:00:00+00:00"


def test_a_count_ingest_would_quarantine_is_refused_naming_line_and_field(tmp_path):
    from micromix.errors import DataValidationError

    p = _x_activity(tmp_path / "tweet_activity.csv", likes=("5", "lots"))
    with pytest.raises(DataValidationError, match=r"tweet_activity.csv: line 3, field 'likes'"):
        read_posts(p)
    res = runner.invoke(app, ["social", "listen", "--input", str(p), "--brand", "pawco"])
    assert res.exit_code != 0 and "line 3, field 'likes'" in res.output
    assert "Traceback" not in res.output


def test_an_export_post_without_an_author_keeps_its_read_values(tmp_path):
    p = _tiktok_dump(tmp_path / "trending.json")
    rows = json.loads(p.read_text())
    del rows[1]["authorMeta"]
    rows[2]["diggCount"] = "2,000"
    rows.append(dict(rows[0]))  # listed twice: counted once, as ingest keeps the first
    p.write_text(json.dumps(rows))
    posts = read_posts(p)
    assert len(posts) == len(_POSTS) and pd.isna(posts["author_id"].iat[1])
    assert posts["likes"].tolist() == [likes for _, likes, *_ in _POSTS]
    assert posts["ts"].iat[1] == pd.Timestamp(1_700_003_600, unit="s", tz="UTC")
    assert any("1 row(s) repeat a post id" in n for n in posts.attrs["notes"])


def test_a_bad_count_is_named_before_the_author_the_row_also_lacks(tmp_path):
    from micromix.errors import DataValidationError

    p = _tiktok_dump(tmp_path / "trending.json")
    rows = json.loads(p.read_text())
    del rows[3]["authorMeta"]
    rows[3]["diggCount"] = "-4"
    p.write_text(json.dumps(rows))
    with pytest.raises(DataValidationError, match=r"trending.json: line \d+, field 'likes'"):
        read_posts(p)
