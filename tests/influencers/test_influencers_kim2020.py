"""Validation on Kim et al. (2020) Instagram data: inverse size-engagement curve, sponsored gap."""

from __future__ import annotations

from pathlib import Path

import pytest

from micromix.influencers.validation import size_engagement_table, sponsored_gap

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
INFL = DATA / "influencers" / "kim2020_instagram_influencers.txt"
POSTS = DATA / "social" / "kim2020_instagram_posts_sample.csv"

pytestmark = pytest.mark.skipif(
    not (INFL.exists() and POSTS.exists()), reason="Kim 2020 files not in ../shared/data"
)


@pytest.fixture(scope="module")
def table():
    return size_engagement_table(INFL, POSTS)


def test_median_engagement_falls_from_nano_to_mega(table):
    t = table.set_index("tier")
    assert list(t.index) == ["nano", "micro", "macro", "mega"]
    med = t["median_er"].to_numpy()
    assert (med[:-1] > med[1:]).all(), med
    assert med[0] > 1.5 * med[-1]
    assert (t["creators"] > 100).all()


def test_sponsored_vs_organic_gap_is_measured():
    gap = sponsored_gap(INFL, POSTS).set_index("comparison")
    assert gap.loc["all_posts", "n_sponsored"] > 100
    assert 0 < gap.loc["all_posts", "ratio"] < 1  # sponsored posts engage less than organic ones
    assert "within_creator" in gap.index
