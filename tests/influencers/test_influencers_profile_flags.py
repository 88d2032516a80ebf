"""Yes/no profile flags (profile picture, private, external link) go through the project's
true/false reader: its words are read, blanks and placeholders stay missing, a link counts as
an external link, and any other word is refused naming source, row and column instead of
silently becoming a missing flag."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from micromix.errors import DataValidationError
from micromix.influencers import score_creators
from micromix.influencers.columns import canonical_profiles


@pytest.mark.parametrize(
    ("cell", "want"),
    [
        *[("yes", 1.0), ("Yes", 1.0), ("Y", 1.0), ("TRUE", 1.0), ("1", 1.0), (1, 1.0), (True, 1.0)],
        *[("no", 0.0), ("N", 0.0), ("false", 0.0), ("0", 0.0), (0, 0.0), (False, 0.0)],
    ],
)
def test_flags_read_the_one_vocabulary(cell, want):
    df = pd.DataFrame({"username": ["a"], "profile pic": [cell], "private": [cell]})
    out = canonical_profiles(df)
    assert out[["has_profile_pic", "is_private"]].iloc[0].tolist() == [want, want]


@pytest.mark.parametrize("cell", [None, "", "  ", "-", "--", "N/A", "n/a", "null"])
def test_blank_and_placeholder_flags_stay_missing(cell):
    df = pd.DataFrame(
        {"username": ["a", "b"], "is_private": [cell, "no"], "website": [cell, "no"]}, dtype=object
    )
    out = canonical_profiles(df)
    assert math.isnan(out["is_private"].iloc[0]) and out["is_private"].iloc[1] == 0.0
    # 'N/A' has a '/' but is a placeholder, not a link
    assert math.isnan(out["has_external_link"].iloc[0])


@pytest.mark.parametrize(
    ("header", "cell"), [("private", "maybe"), ("Profile Picture", "default"), ("avatar", 2)]
)
def test_unreadable_flag_is_refused_with_file_row_and_column(header, cell):
    df = pd.DataFrame({"username": ["a", "b"], "followers": [10, 20], header: [1, cell]})
    with pytest.raises(DataValidationError) as exc:
        canonical_profiles(df, source="cr.csv")
    msg = str(exc.value)
    assert msg.startswith(f"cr.csv: row 2, field {header!r}: {cell!r} is not true/false"), msg
    assert "write yes or no" in msg
    with pytest.raises(DataValidationError, match=f"cr.csv: row 2, field {header!r}"):
        score_creators(df, source="cr.csv")


def test_external_link_column_may_hold_the_link():
    df = pd.DataFrame(
        {
            "username": list("abcde"),
            "external_url": ["https://pawco.example", "linktr.ee/ana", "no", "Y", None],
        }
    )
    assert canonical_profiles(df)["has_external_link"].tolist()[:4] == [1.0, 1.0, 0.0, 1.0]
    df.loc[4, "external_url"] = "ask me"
    with pytest.raises(DataValidationError) as exc:
        canonical_profiles(df, source="cr.csv")
    msg = str(exc.value)
    assert msg.startswith("cr.csv: row 5, field 'external_url': 'ask me'"), msg
    assert "or the link itself" in msg


def test_limfadd_yes_no_columns_and_bio_flags_keep_working():
    df = pd.DataFrame(
        {
            "Followers": [2, 500],
            "Bio": ["N", "yes"],
            "Profile Picture": ["N", "Yes"],
            "External Link": ["N", "Yes"],
        }
    )
    out = canonical_profiles(df)
    assert out["bio_length"].tolist() == [0.0, 1.0]
    assert out["has_profile_pic"].tolist() == [0.0, 1.0]
    assert out["has_external_link"].tolist() == [0.0, 1.0]


def test_free_text_bio_is_not_a_flag():
    df = pd.DataFrame({"username": ["a", "b"], "bio": ["dog mum, maybe", None]})
    out = canonical_profiles(df)
    assert out["bio_length"].iloc[0] == len("dog mum, maybe") and math.isnan(out["bio_length"][1])
