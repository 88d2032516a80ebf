"""A post listed twice in a file is one post: listening and amplification count it once and
say so (the Kim 2020 sample lists 177 posts twice; ingest keeps the first of each too)."""

from __future__ import annotations

import pandas as pd

from micromix.social import BrandSpec, listen, rank_for_amplification
from micromix.social.columns import canonical_posts

POSTS = pd.DataFrame(
    {
        "post_id": ["p1", "p2", "p1", "p3"],
        "author_id": ["a", "b", "a", "c"],
        "text": ["love PawCo", "PawCo again", "love PawCo", "nothing here"],
        "likes": [10, 5, 10, 1],
        "ts": ["2024-05-01", "2024-05-02", "2024-05-01", "2024-05-03"],
    }
)


def test_a_repeated_post_id_counts_once_and_is_said():
    p = canonical_posts(POSTS, source="posts.csv")
    assert p["post_id"].tolist() == ["p1", "p2", "p3"]
    assert p.attrs["repeated_posts"].startswith("posts.csv: 1 row(s) repeat a post id")
    res = listen(POSTS, BrandSpec("PawCo"), source="posts.csv")
    sov = res.share_of_voice.set_index("brand")
    assert sov.loc["PawCo", "mentions"] == 2 and res.meta["posts"] == 3
    assert any("(first: row 3)" in n for n in res.meta["notes"])
    ranked = rank_for_amplification(POSTS, BrandSpec("PawCo"), source="posts.csv")
    assert sorted(ranked["post_id"]) == ["p1", "p2"]
    assert "repeat a post id" in ranked.attrs["repeated_posts"]
