"""Earned media value is unknown (null), never 0, when a post reports nothing to price.

Seen on the SXSW tweets (text and labels, no counts): every brand and period of
``social listen`` had ``"emv": 0.0`` beside ``"engagement": null``. EMV follows engagement:
a count a post does not report adds nothing; a post that reports none has an unknown EMV.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.social.emv import DEFAULT_EMV_RATES as R
from micromix.social.emv import earned_media_value
from micromix.social.listening import BrandSpec, listen

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SXSW = SHARED / "social" / "sxsw_brand_product_emotion_tweets.csv"


def test_a_row_reporting_nothing_has_an_unknown_emv_and_missing_counts_add_nothing():
    frame = pd.DataFrame(
        {
            "likes": [100, np.nan, np.nan, 0],
            "comments": [np.nan, np.nan, 3, 0],
            "views": [np.nan, np.nan, 2000, np.nan],
            "followers": [np.nan, np.nan, np.nan, np.nan],
        }
    )
    v = earned_media_value(frame)
    assert v[0] == pytest.approx(100 * R.per_like)
    assert np.isnan(v[1])  # nothing reported: unknown, not 0
    assert v[2] == pytest.approx(2000 / 1000 * R.cpm + 3 * R.per_comment)
    assert v[3] == 0.0  # reported zeros are zero
    # no column to price at all: every row unknown
    assert earned_media_value(pd.DataFrame({"text": ["a", "b"]})).isna().all()
    # followers alone price the reach
    only = earned_media_value(pd.DataFrame({"followers": [10_000]}))
    assert only[0] == pytest.approx(10_000 * R.reach_rate / 1000 * R.cpm)


def _mentions(**counts: list[object]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": ["@pawco bowl is great", "pawco late again", "#barkbox fun", "@pawco yes"],
            "created_at": ["2024-05-01", "2024-05-01", "2024-05-02", "2024-05-02"],
            **counts,
        }
    )


def test_listen_without_engagement_counts_shows_null_emv_and_says_why():
    res = listen(_mentions(), BrandSpec("PawCo"), [BrandSpec("BarkBox")], source="m.csv")
    sov = res.share_of_voice.set_index("brand")
    assert sov["emv"].isna().all() and sov["engagement"].isna().all()
    assert res.sentiment_trend["emv"].isna().all()
    d = res.to_dict()  # NaN here; null in --json (see the CLI test)
    assert all(pd.isna(r["emv"]) for r in d["share_of_voice"])
    assert all(pd.isna(r["emv"]) for r in d["sentiment_trend"])
    assert (
        "m.csv: none of the 4 posts mentioning a brand reports engagement counts (likes, "
        "comments, shares, saves, views or author followers), so their earned media value is "
        "unknown (n/a), not 0" in res.meta["notes"]
    )
    # without times too (one undated trend row)
    flat = listen(_mentions().drop(columns="created_at"), BrandSpec("PawCo"))
    assert flat.sentiment_trend["emv"].isna().all()


def test_listen_with_some_posts_reporting_counts_sums_what_is_known_like_engagement():
    res = listen(
        _mentions(likes=[100, None, None, 50]),
        BrandSpec("PawCo"),
        [BrandSpec("BarkBox")],
        source="m.csv",
    )
    sov = res.share_of_voice.set_index("brand")
    assert sov.loc["PawCo", "emv"] == pytest.approx(150 * R.per_like)
    assert sov.loc["PawCo", "engagement"] == 150
    assert np.isnan(sov.loc["BarkBox", "emv"]) and np.isnan(sov.loc["BarkBox", "engagement"])
    trend = res.sentiment_trend.set_index("period")["emv"]
    assert trend.tolist() == pytest.approx([100 * R.per_like, 50 * R.per_like])
    assert any("2 of 4 mentioning posts report none of" in n for n in res.meta["notes"])


def test_cli_listen_prints_the_note_and_null_emv(tmp_path):
    path = tmp_path / "m.csv"
    _mentions().to_csv(path, index=False)
    res = CliRunner().invoke(
        app, ["social", "listen", "--input", str(path), "--brand", "PawCo", "--json"]
    )
    assert res.exit_code == 0, res.output
    assert "earned media value is unknown (n/a), not 0" in res.stderr
    d = json.loads(res.stdout)
    assert d["share_of_voice"][0]["emv"] is None


@pytest.mark.shared_data
@pytest.mark.skipif(not SXSW.exists(), reason=f"{SXSW} not present (../shared/data)")
def test_real_sxsw_tweets_have_no_emv_rather_than_zero():
    res = CliRunner().invoke(
        app,
        [
            "social",
            "listen",
            "--input",
            str(SXSW),
            "--brand",
            "Apple",
            "--competitors",
            "Google,Android",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert [r["emv"] for r in d["share_of_voice"]] == [None, None, None]
    assert all(r["emv"] is None for r in d["sentiment_trend"])
    assert any("earned media value is unknown (n/a), not 0" in n for n in d["meta"]["notes"])
