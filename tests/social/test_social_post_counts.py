"""Post counts and yes/no post flags go through the project's readers: what exports write is
read, a blank or placeholder stays missing, and anything else is refused naming the source, the
row and the user's column instead of silently becoming a missing count or flag."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from micromix.errors import DataValidationError
from micromix.influencers import score_creators
from micromix.social import BrandSpec, listen, rank_for_amplification, sponsored_flags
from micromix.social.columns import canonical_posts


@pytest.mark.parametrize(
    ("cell", "want"),
    [
        ("12.5K", 12_500.0),
        ("1.2M", 1_200_000.0),
        ("475.8m", 475_800_000.0),
        ("1,234", 1_234.0),
        (" 300 ", 300.0),
        (300, 300.0),
    ],
)
def test_counts_as_exports_write_them_are_read(cell, want):
    out = canonical_posts(pd.DataFrame({"likes": [cell]}, dtype=object))
    assert out["likes"].iloc[0] == want


@pytest.mark.parametrize("cell", [None, "", "  ", "-", "--", "N/A", "n/a", "null"])
def test_blank_and_placeholder_counts_stay_missing(cell):
    out = canonical_posts(pd.DataFrame({"views": [cell, "2K"]}, dtype=object))
    assert math.isnan(out["views"].iloc[0]) and out["views"].iloc[1] == 2_000.0


@pytest.mark.parametrize("cell", ["12,50", "abc", "1.2.3", "5%", "[1, 2]"])
def test_unreadable_count_is_refused_with_source_row_and_header(cell):
    df = pd.DataFrame({"Username": ["a", "b"], "Like Count": ["9", cell]})
    with pytest.raises(DataValidationError) as exc:
        canonical_posts(df, source="p.csv")
    msg = str(exc.value)
    assert msg.startswith("p.csv: row 2, field 'Like Count': "), msg
    assert repr(cell) in msg and "(1 such row(s))" in msg and "write it as a number" in msg


def test_every_count_field_is_read_strictly():
    for field in ("nb_comments", "retweets", "saves", "play_count", "followers_count"):
        df = pd.DataFrame({field: ["1", "2", "x"]})
        with pytest.raises(DataValidationError, match=f"row 3, field '{field}': 'x'"):
            canonical_posts(df, source="p.csv")


def test_row_is_the_data_row_whatever_the_index():
    df = pd.DataFrame({"likes": ["1", "2", "oops"]}, index=[10, 20, 30])
    with pytest.raises(DataValidationError, match=r"p\.csv: row 3, field 'likes'"):
        canonical_posts(df, source="p.csv")


def test_merged_spellings_name_the_column_that_holds_the_cell():
    # a JSON list whose objects spell the field differently becomes one 'likes' field
    df = pd.DataFrame({"likes": ["4", None], "digg_count": [None, "lots"]}, dtype=object)
    with pytest.raises(DataValidationError, match="row 2, field 'digg_count': 'lots'"):
        canonical_posts(df, source="t.json")


def test_negative_count_still_refused():
    with pytest.raises(
        DataValidationError, match="column 'comments' has a negative value at row 2"
    ):
        canonical_posts(pd.DataFrame({"comments": ["3", "-4"]}))


@pytest.mark.parametrize(
    ("cell", "want"),
    [("yes", 1.0), ("Y", 1.0), ("true", 1.0), ("1", 1.0), ("no", 0.0), ("N", 0.0), ("0", 0.0)],
)
def test_post_flags_read_the_one_vocabulary(cell, want):
    out = canonical_posts(pd.DataFrame({"is_ad": [cell], "rights": [cell], "is_owned": [cell]}))
    assert out[["is_sponsored", "rights_granted", "is_owned"]].iloc[0].tolist() == [want] * 3


@pytest.mark.parametrize("cell", [None, "", "-", "N/A"])
def test_blank_post_flag_stays_missing(cell):
    out = canonical_posts(pd.DataFrame({"sponsored": [cell, "yes"]}, dtype=object))
    assert math.isnan(out["is_sponsored"].iloc[0]) and out["is_sponsored"].iloc[1] == 1.0
    assert sponsored_flags(out).tolist() == [False, True]


@pytest.mark.parametrize(("header", "cell"), [("Sponsored", "maybe"), ("usage_rights", "pending")])
def test_unreadable_post_flag_is_refused(header, cell):
    df = pd.DataFrame({"caption": ["a", "b"], header: ["no", cell]})
    with pytest.raises(DataValidationError) as exc:
        canonical_posts(df, source="p.csv")
    msg = str(exc.value)
    assert msg.startswith(f"p.csv: row 2, field {header!r}: {cell!r} is not true/false"), msg
    assert "write yes or no" in msg


def test_typed_flags_keep_what_sources_and_rights_were():
    df = pd.DataFrame(
        {
            "author": ["u1", "u2", "u3"],
            "text": ["love pawco", "pawco is great #ad", "pawco bowl"],
            "is_sponsored": [False, True, False],
            "rights": ["yes", "no", None],
            "likes": [10, 20, 30],
        }
    )
    assert sponsored_flags(canonical_posts(df)).tolist() == [False, True, False]
    ranked = rank_for_amplification(df, BrandSpec("PawCo"), require_mention=False)
    assert dict(zip(ranked["author_id"], ranked["rights"])) == {"u1": 1.0, "u3": 0.0}


def test_listen_amplify_and_score_refuse_an_unreadable_count():
    posts = pd.DataFrame(
        {
            "username": ["a", "b"],
            "text": ["pawco yes", "pawco no"],
            "ts": ["2024-05-01", "2024-05-02"],
            "likes": ["12", "12,50"],
        }
    )
    where = "m.csv: row 2, field 'likes': '12,50' is not a number"
    with pytest.raises(DataValidationError, match=where):
        listen(posts, BrandSpec("PawCo"), source="m.csv")
    with pytest.raises(DataValidationError, match=where):
        rank_for_amplification(posts, BrandSpec("PawCo"), source="m.csv")
    prof = pd.DataFrame({"username": ["a", "b"], "followers": [1000, 2000]})
    with pytest.raises(DataValidationError, match="row 2, field 'likes': '12,50'"):
        score_creators(prof, posts)
