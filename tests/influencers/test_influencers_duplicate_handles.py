"""A creator listed twice (``@Pup_Pal`` and ``pup_pal``) is one creator: discover hires it once
and score says the rows repeat; the same handle on another platform is another account."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.influencers import Brief, discover, score_creators
from micromix.influencers.discovery import compare_cohorts

PROFILES = pd.DataFrame(
    {
        "handle": ["@Pup_Pal", "pup_pal", "@kitten"],
        "followers": ["18.2K", "18200", "7,400"],
        "following": [410, 410, 350],
        "category": ["pet", "pet", "pet"],
    }
)
POSTS = pd.DataFrame(
    {
        "username": ["pup_pal", "PUP_PAL", "kitten"],
        "likes": [800, 900, 400],
        "comments": [20, 30, 10],
    }
)


def test_a_creator_listed_twice_is_hired_once_and_the_budget_counts_it_once():
    scored = score_creators(PROFILES, POSTS, source="p.csv")
    assert len(scored) == 3  # every row scored
    picked = discover(scored, Brief(niche="pet", budget=1_000, min_posts=1))
    keys = picked["handle"].str.lower().str.lstrip("@")
    assert sorted(keys) == ["kitten", "pup_pal"]
    assert picked["cumulative_cost"].iloc[-1] == pytest.approx(picked["est_cost_per_post"].sum())
    assert picked["cumulative_cost"].iloc[-1] < 400  # not $592 with pup_pal paid twice
    cohorts = compare_cohorts(scored, Brief(niche="pet", budget=1_000, min_posts=1))
    assert cohorts.loc[0, "creators"] == 2


def test_score_notes_the_repeat_naming_the_rows():
    notes = score_creators(PROFILES, POSTS, source="p.csv").attrs["notes"]
    said = [n for n in notes if "repeats" in n]
    assert said and "row 2 'pup_pal' repeats row 1 '@Pup_Pal'" in said[0], notes
    assert said[0].startswith("p.csv: 1 row names a creator")


def test_the_same_handle_on_two_platforms_is_two_creators():
    two = PROFILES.iloc[:2].assign(platform=["instagram", "tiktok"])
    scored = score_creators(two, POSTS, source="p.csv")
    assert not any("repeats" in n for n in scored.attrs.get("notes", []))
    picked = discover(scored, Brief(niche="pet", budget=1_000, min_posts=1))
    assert len(picked) == 2


def test_creators_without_a_handle_are_not_merged():
    blank = PROFILES.assign(handle=[None, None, "@kitten"])
    scored = score_creators(blank, None, source="p.csv").assign(engagement_rate=0.04)
    assert len(discover(scored, Brief(niche="pet", budget=5_000))) == 3
