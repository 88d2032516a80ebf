"""Numeric profile cells go through the project's number reader: what exports write is read,
a blank or placeholder stays missing, and anything else is refused naming source, row and
column instead of silently becoming an empty tier."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from micromix.errors import DataValidationError
from micromix.influencers import Brief, discover, score_creators
from micromix.influencers.columns import canonical_profiles
from micromix.influencers.discovery import why_none


@pytest.mark.parametrize(
    ("cell", "want"),
    [
        ("12.5K", 12_500.0),
        ("475.8m", 475_800_000.0),
        ("1,234", 1_234.0),
        ("1,234,567", 1_234_567.0),
        (" 300 ", 300.0),
        (300, 300.0),
    ],
)
def test_counts_as_exports_write_them_are_read(cell, want):
    out = canonical_profiles(pd.DataFrame({"username": ["a"], "followers": [cell]}))
    assert out["followers"].iloc[0] == want


@pytest.mark.parametrize("cell", [None, "", "  ", "-", "--", "N/A", "n/a"])
def test_blank_and_placeholder_cells_stay_missing(cell):
    df = pd.DataFrame({"username": ["a", "b"], "followers": [cell, "2K"]}, dtype=object)
    out = canonical_profiles(df)
    assert math.isnan(out["followers"].iloc[0]) and out["followers"].iloc[1] == 2_000.0


@pytest.mark.parametrize("cell", ["12,50", "8,3", "n/a?", "abc", "1.2.3", "5%"])
def test_unreadable_follower_cell_is_refused_with_file_row_and_column(cell):
    df = pd.DataFrame({"username": ["a", "b"], "#Followers": ["9K", cell]})
    with pytest.raises(DataValidationError) as exc:
        canonical_profiles(df, source="cr.csv")
    msg = str(exc.value)
    assert msg.startswith("cr.csv: row 2, field '#Followers'"), msg
    assert repr(cell) in msg and "write it as a number" in msg


def test_rates_keep_percent_and_per_cent_forms_and_refuse_text():
    df = pd.DataFrame({"username": ["a", "b", "c"], "engagement rate": ["1.39%", "3.2", "0.05"]})
    er = canonical_profiles(df)["engagement_rate_input"].tolist()
    # "3.2" makes the column's bare numbers per cent, so "0.05" is 0.05% too (one unit a column)
    assert er == pytest.approx([0.0139, 0.032, 0.0005])
    fractions = pd.DataFrame({"username": ["a", "b"], "engagement rate": ["0.032", "0.8%"]})
    assert canonical_profiles(fractions)["engagement_rate_input"].tolist() == pytest.approx(
        [0.032, 0.008]
    )
    df.loc[1, "engagement rate"] = "high"
    with pytest.raises(DataValidationError, match="row 2, field 'engagement rate'"):
        canonical_profiles(df, source="p.csv")


def test_other_numeric_fields_are_refused_too():
    df = pd.DataFrame({"username": ["a"], "followers": [900], "rate": ["12,50"]})
    with pytest.raises(DataValidationError, match="row 1, field 'rate': '12,50'"):
        score_creators(df, source="cr.csv")


def test_negative_count_still_refused():
    with pytest.raises(DataValidationError, match="negative value at row 2"):
        canonical_profiles(pd.DataFrame({"username": ["a", "b"], "posts": ["3", "(4)"]}))


def test_score_notes_creators_without_follower_count():
    df = pd.DataFrame({"username": ["a", "b", "c"], "followers": ["12.5K", "", "-"]})
    # a full profile otherwise, so the fake-follower model has what it needs (no note of its own)
    df = df.assign(following=300, posts=40, profile_pic=1, bio="dog walks", url="https://x.y")
    out = score_creators(df, source="cr.csv")
    assert out["tier"].isna().tolist() == [False, True, True]
    assert out.attrs["notes"] == [
        "cr.csv: 2 of 3 creators have no follower count (first: row 2), so tier, reach and "
        "estimated cost are left empty there; fill in the followers column to score them"
    ]
    assert "notes" not in score_creators(df.iloc[:1]).attrs


def test_discover_says_all_lack_followers():
    df = pd.DataFrame(
        {
            "username": ["alice", "bob"],
            "followers": ["", "N/A"],
            "engagement_rate": [0.05, 0.04],
            "category": ["beauty", "beauty"],
        }
    )
    picked = discover(score_creators(df), Brief(niche="beauty", budget=1000))
    assert picked.empty
    assert picked.attrs["note"] == (
        "0 of 2 creators fit the brief: 2 have no follower count (fill in the followers column)"
    )


def test_discover_counts_each_reason_with_its_own_grammar():
    scored = pd.DataFrame(
        {
            "creator_id": ["a", "b", "c"],
            "niche": ["pet", "food", None],
            "followers": [20_000.0, None, 5_000.0],
            "engagement_rate": [None, 0.03, 0.02],
            "authenticity": [0.9, 0.9, 0.2],
            "est_cost_per_post": [200.0, None, 0.0],
        }
    )
    note = why_none(scored, Brief(niche="pet", budget=1000))
    assert note.startswith("0 of 3 creators fit the brief: 1 has no follower count"), note
    for part in (
        "1 has no engagement rate",
        "1 has a price per post of 0 or less",
        "1 has no niche",
        "1 has a fit to the 'pet' niche below 30%",
        "1 has an authenticity below 0.5 (lower the minimum authenticity)",
    ):
        assert part in note, note
    assert "--" not in note, note  # the brief's words: the API and the dashboard show it too
    one = why_none(scored.iloc[:1], Brief(niche="pet", budget=1000))
    assert one.startswith("0 of 1 creator fits the brief: 1 has no engagement rate"), one


def test_average_engagements_per_post_give_the_engagement_rate():
    # creator rankings (e.g. a "top 1000 Instagram" list) state "Engagement avg" per post, not a
    # rate: that average over the followers is the rate, as avg likes + comments would be
    prof = pd.DataFrame(
        {
            "insta_id": ["a", "b", "c"],
            "Category": ["Beauty", "Beauty", "Beauty"],
            "Followers": [400_100_000, 6_300_000, 10_000],
            "Engagement avg": ["9.5M", "954K", None],
        }
    )
    out = score_creators(prof).set_index("insta_id")  # the file's own id column
    assert out.loc["a", "engagement_rate"] == pytest.approx(9_500_000 / 400_100_000)
    assert out.loc["b", "engagement_rate"] == pytest.approx(954_000 / 6_300_000)
    assert pd.isna(out.loc["c", "engagement_rate"])  # unknown stays unknown


def test_a_per_cent_column_is_per_cent_in_every_row_and_ranks_nobody_at_80_percent():
    # engagement_rate in per cent: 3.2%, 0.8%, 1.5%.  A per-row rule read 0.8 as 80% and
    # discover ranked that 900K creator first, spending $14,400 of a $20,000 budget on it.
    # Bare 3.2, 0.8, 1.5 cannot say whether 0.8 is 0.8% or 80% (TikTok rates pass 100%), so
    # they are refused naming the cells; one cell written "3.2%" says the column is per cent.
    df = pd.DataFrame(
        {
            "handle": ["a", "b", "c"],
            "followers": [200_000, 900_000, 50_000],
            "following": 300,
            "engagement_rate": [3.2, 0.8, 1.5],
        }
    )
    with pytest.raises(DataValidationError, match=r"er.csv: row 2, field 'engagement_rate'"):
        score_creators(df, source="er.csv")
    df["engagement_rate"] = ["3.2%", "0.8", "1.5"]
    scored = score_creators(df, source="er.csv")
    assert scored["engagement_rate"].tolist() == pytest.approx([0.032, 0.008, 0.015])
    picked = discover(scored, Brief(niche=None, budget=20_000))
    assert picked["handle"].iloc[0] != "b"
    assert (picked["engagement_rate"] < 0.05).all()
