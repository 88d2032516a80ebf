"""A post that puts another brand above the brand ("BarkBox is way better than PawCo") is no
praise to amplify: its sentence reads warm (+0.44 for PawCo before), and naming the brand a
second time ("@pawco is ok but BarkBox is way better than @pawco") hid even the comparison
flag, so it ranked third as positive. Posts written for the test."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.social import BrandSpec, rank_for_amplification
from micromix.social.ugc import brand_focus

OUTRANKED = [
    "BarkBox is way better than PawCo",
    "@pawco is ok but BarkBox is way better than @pawco",
    "I prefer BarkBox over PawCo for treats",
    "honestly this new brand beats @pawco hands down",
    "BarkBox blows away PawCo, love it",
]
KEPT = [
    "PawCo beats everything else we tried",
    "Love my PawCo bed, better than any other",
    "H&M is the biggest producer (after PawCo). Love it!",
    "my pup adores her @pawco bowl, best buy this year",
]


@pytest.mark.parametrize("text", OUTRANKED)
def test_another_brand_above_the_brand_is_outranked(text):
    assert brand_focus(pd.Series([text]), BrandSpec("PawCo"))["outranked"].iloc[0], text


@pytest.mark.parametrize("text", KEPT)
def test_praise_of_the_brand_or_a_plain_comparison_is_not(text):
    assert not brand_focus(pd.Series([text]), BrandSpec("PawCo"))["outranked"].iloc[0], text


def test_amplify_leaves_outranked_posts_out_and_says_so():
    texts = [*OUTRANKED, KEPT[3], KEPT[1]]
    posts = pd.DataFrame(
        {
            "username": [f"u{i}" for i in range(len(texts))],
            "caption": texts,
            "likes": [900] * len(texts),
        }
    )
    ranked = rank_for_amplification(posts, BrandSpec("PawCo"))
    assert set(ranked["author_id"]) == {"u5", "u6"}, ranked[["author_id", "text"]]
    note = " ".join(ranked.attrs.get("notes", []))
    assert "5 post(s) put another brand above PawCo" in note


def test_a_store_of_only_outranked_posts_ranks_nothing_and_says_why():
    posts = pd.DataFrame({"username": ["a", "b"], "caption": OUTRANKED[:2], "likes": [5, 6]})
    ranked = rank_for_amplification(posts, BrandSpec("PawCo"))
    assert ranked.empty
    assert "2 post(s) put another brand above PawCo" in " ".join(ranked.attrs.get("notes", []))
