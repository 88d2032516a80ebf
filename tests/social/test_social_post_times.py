"""Post times in listening and amplification: an unreadable or ambiguous time is refused with its
row and field, an empty one is counted and said to be left out of the trend, never dropped
unseen."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.errors import DataValidationError
from micromix.social.columns import canonical_posts
from micromix.social.listening import BrandSpec, listen
from micromix.social.ugc import rank_for_amplification

TEXTS = ["love my pawco bowl", "pawco delivery late again", "pawco is fine", "pawco rocks"]


def _posts(dates: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"text": TEXTS[: len(dates)], "created_at": dates})


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("03/04/2024", "ambiguous"),
        ("yesterday", "relative date"),
        ("abc", "not a valid date"),
    ],
)
def test_listen_refuses_an_unreadable_time_with_row_and_field(bad, why):
    posts = _posts(["2024-05-01", "2024-05-02", bad, "2024-05-03"])
    with pytest.raises(DataValidationError) as e:
        listen(posts, BrandSpec("PawCo"), source="mentions.csv")
    msg = str(e.value)
    assert "mentions.csv: row 3, field 'created_at'" in msg and why in msg
    assert "(1 such row(s))" in msg


def test_listen_reads_ambiguous_dates_in_the_order_given():
    posts = _posts(["03/04/2024", "04/05/2024", "03/04/2024"])
    day = listen(posts, BrandSpec("PawCo"), dayfirst=True)
    month = listen(posts, BrandSpec("PawCo"), dayfirst=False)
    assert day.sentiment_trend["period"].dt.strftime("%m-%d").tolist() == ["04-03", "05-04"]
    assert month.sentiment_trend["period"].dt.strftime("%m-%d").tolist() == ["03-04", "04-05"]
    assert day.sentiment_trend["mentions"].sum() == 3 and day.meta["undated_mentions"] == 0
    # one day > 12 decides the order for the whole column, as the other date readers do
    told = listen(_posts(["03/04/2024", "25/04/2024"]), BrandSpec("PawCo"))
    assert told.sentiment_trend["period"].dt.strftime("%m-%d").tolist() == ["04-03", "04-25"]


def test_listen_counts_posts_with_an_empty_time():
    posts = _posts(["2024-05-01", None, "  ", "2024-05-02"])
    posts["text"] = ["pawco yes", "pawco late", "barkbox fine", "pawco good"]
    res = listen(posts, BrandSpec("PawCo"), [BrandSpec("BarkBox")])
    # all four posts are in the share of voice ...
    assert res.share_of_voice.set_index("brand")["mentions"].to_dict() == {
        "PawCo": 3,
        "BarkBox": 1,
    }
    # ... two have no time: the trend holds the other two, and the result says so
    assert res.meta["undated_mentions"] == 2
    assert int(res.volume[["PawCo", "BarkBox"]].to_numpy().sum()) == 2
    assert res.sentiment_trend["mentions"].sum() == 2
    note = res.meta["notes"][-1]
    assert "2 of 4 posts mentioning a brand (1 of 3 for PawCo) have an empty time" in note
    assert "left out of the volume and the sentiment trend" in note
    assert res.to_dict()["meta"]["undated_mentions"] == 2


def test_listen_without_any_time_leaves_nothing_out():
    # (with likes: posts without any engagement count get a note of their own)
    res = listen(_posts([None, None]).assign(likes=[3, 4]), BrandSpec("PawCo"))
    assert res.meta["undated_mentions"] == 0 and res.meta["notes"] == []
    assert res.sentiment_trend["mentions"].tolist() == [2]


def test_amplify_refuses_an_unreadable_time_and_reads_the_given_order():
    posts = _posts(["2024-05-01", "last week", "2024-05-03"])
    with pytest.raises(DataValidationError, match=r"ugc.csv: row 2, field 'created_at'"):
        rank_for_amplification(posts, BrandSpec("PawCo"), source="ugc.csv")
    amb = _posts(["03/04/2024", "04/05/2024"])
    with pytest.raises(DataValidationError, match="ambiguous"):
        rank_for_amplification(amb, BrandSpec("PawCo"))
    ok = rank_for_amplification(amb, BrandSpec("PawCo"), dayfirst=True)
    assert len(ok) == 2


def test_canonical_posts_stays_lenient_unless_asked():
    posts = _posts(["2024-05-01", "abc"])
    assert canonical_posts(posts)["ts"].isna().tolist() == [False, True]
    with pytest.raises(DataValidationError, match="row 2, field 'created_at'"):
        canonical_posts(posts, strict_times=True)
