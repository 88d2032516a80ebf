"""Amplify picks posts a brand can run: sentiment toward the brand (not the whole post), a
comparison or a passing mention flagged and scored down, like-for-like bait flagged, at most a
few picks per author; listening's mentions frame counts co-mentions for each brand; EMV and
the predicted CPA carry their currency; evaluate prints the majority-class baseline.
All posts are written for the test."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import ConfigError
from micromix.social import BrandSpec, listen, rank_for_amplification
from micromix.social.files import read_posts
from micromix.social.sentiment import evaluate_sentiment
from micromix.social.ugc import brand_focus

runner = CliRunner()

ESSAY = (
    "Cheap outfits look wonderful and feel fantastic for a week, and we love how happy they "
    "make shoppers feel. "
    + "Our team rates brands on people, planet and animals, and this one does well. "
    * 4
    + "It is the world's second-biggest producer (after PawCo) of fast treats, made to be "
    "thrown away. "
    + "Great targets, brilliant progress, amazing transparency, a lovely future. "
    * 3
)


def _posts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "username": ["rater", "rater", "ann", "ann", "bob", "bob", "cy", "cy"],
            "caption": [
                ESSAY,
                "weekly update",
                "my pup adores her @pawco bowl, best buy this year",
                "sunday walk",
                "new @pawco lead #like4like #follow4follow #likeforlikes",
                "rainy",
                "PawCo treats are ok I guess",
                "nap",
            ],
            "likes": [5000, 100, 300, 100, 900, 100, 120, 100],
        }
    )


def test_comparison_in_a_long_text_is_flagged_and_not_the_top_pick():
    ranked = rank_for_amplification(_posts(), BrandSpec("PawCo"))
    top = ranked.iloc[0]
    assert top["author_id"] == "ann" and top["caveats"] == ""
    rater = ranked.set_index("author_id").loc["rater"]
    assert rater["caveats"] == "comparison; passing"
    assert "named only as a point of comparison" in rater["reasons"]
    # the sentence naming the brand is negative, whatever the rest of the essay says
    assert rater["sentiment"] != "positive"
    assert "in the sentences naming the brand" in rater["reasons"]
    bob = ranked.set_index("author_id").loc["bob"]
    assert bob["caveats"] == "hashtag bait" and "follow-for-follow" in bob["reasons"]


def test_brand_focus_reads_the_sentences_naming_the_brand():
    f = brand_focus(
        pd.Series(
            [
                "The weather was awful. Love my PawCo bowl!",
                "Awful day, but here we are #pawco",
                "PawCo is cheaper than BarkBox",
                "BarkBox is cheaper than PawCo",
            ]
        ),
        BrandSpec("PawCo"),
    )
    assert f["directed"].tolist()[:2] == [
        "Love my PawCo bowl!",
        "Awful day, but here we are #pawco",  # named only in a tag: the whole post
    ]
    assert f["comparison"].tolist() == [False, False, False, True]


def test_at_most_three_picks_per_author_by_default_and_a_note():
    posts = pd.DataFrame(
        {
            "username": ["dump"] * 6 + ["ann", "ann"],
            "caption": [f"@pawco day {i}" for i in range(6)] + ["@pawco is lovely", "walk"],
            "likes": [100, 200, 300, 400, 500, 600, 300, 100],
        }
    )
    ranked = rank_for_amplification(posts, BrandSpec("PawCo"))
    assert ranked["author_id"].value_counts().to_dict() == {"dump": 3, "ann": 1}
    assert ranked.attrs["capped_posts"] == 3
    assert any("3 more post(s) by 1 author(s) left out" in n for n in ranked.attrs["notes"])
    everything = rank_for_amplification(posts, BrandSpec("PawCo"), per_author=None)
    assert len(everything) == 7 and everything.attrs["capped_posts"] == 0
    with pytest.raises(ConfigError, match="per_author"):
        rank_for_amplification(posts, BrandSpec("PawCo"), per_author=0)


def test_cli_amplify_per_author_option_and_currency(tmp_path):
    f = tmp_path / "posts.csv"
    pd.DataFrame(
        {
            "username": ["dump"] * 5 + ["ann", "ann"],
            "caption": [f"@pawco day {i}" for i in range(5)] + ["@pawco is lovely", "walk"],
            "likes": [100, 200, 300, 400, 500, 300, 100],
        }
    ).to_csv(f, index=False)
    res = runner.invoke(app, ["social", "amplify", "-i", str(f), "--brand", "PawCo", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["currency"] == "USD" and len(out["rows"]) == 4
    assert any("--per-author changes the cap" in n for n in out["notes"])
    res = runner.invoke(
        app, ["social", "amplify", "-i", str(f), "--brand", "PawCo", "--per-author", "0", "--json"]
    )
    assert res.exit_code == 0 and len(json.loads(res.stdout)["rows"]) == 6


def test_mentions_frame_counts_every_brand_a_post_names():
    posts = pd.DataFrame(
        {"text": ["PawCo or BarkBox?", "PawCo again", "BarkBox!", "my #iPad2 and my ipad"]}
    )
    res = listen(posts, BrandSpec("PawCo"), [BrandSpec("BarkBox"), BrandSpec("iPad")])
    sov = res.share_of_voice.set_index("brand")["mentions"].to_dict()
    assert sov == {"PawCo": 2, "BarkBox": 2, "iPad": 1}
    assert res.mentions["brand"].value_counts().to_dict() == sov
    both = res.mentions[res.mentions["brands"] == "PawCo; BarkBox"]
    assert both["brand"].tolist() == ["PawCo", "BarkBox"] and both.index.tolist() == [0, 0]
    assert res.meta["emv_currency"] == "USD"


def test_model_numbers_match_but_other_words_do_not():
    posts = pd.DataFrame({"text": ["iPad2 is here", "#ipad3 launch", "ipads", "ipadx", "x"]})
    res = listen(posts, BrandSpec("iPad"))
    assert int(res.share_of_voice["mentions"].iloc[0]) == 2


def test_listen_cli_states_the_emv_currency(tmp_path):
    f = tmp_path / "p.csv"
    pd.DataFrame({"text": ["love PawCo"], "likes": [10]}).to_csv(f, index=False)
    res = runner.invoke(app, ["social", "listen", "-i", str(f), "--brand", "PawCo"])
    assert res.exit_code == 0 and "emv in USD" in " ".join(res.stdout.split())
    res = runner.invoke(app, ["social", "listen", "-i", str(f), "--brand", "PawCo", "--json"])
    assert json.loads(res.stdout)["meta"]["emv_currency"] == "USD"


def test_evaluate_prints_the_majority_baseline_and_precision():
    texts = pd.Series(["great, love it", "awful", "ok", "fine", "it is a bowl"])
    labels = pd.Series(["positive", "negative", "neutral", "neutral", "neutral"])
    res = evaluate_sentiment(texts, labels, scorers=("service",))
    base = res.iloc[-1]
    assert base["scorer"] == "majority ('neutral')" and base["accuracy"] == pytest.approx(0.6)
    assert base["precision_neutral"] == pytest.approx(0.6)
    assert pd.isna(base["precision_negative"])  # never says negative: no precision
    assert {"precision_negative", "precision_neutral", "precision_positive"} <= set(res.columns)


def test_a_post_repeated_cell_for_cell_gets_one_true_note(tmp_path):
    f = tmp_path / "insta.csv"
    rows = [
        "shortcode,username,taken_at_timestamp,likes,comments,caption",
        "A1,ann,1700000000,10,1,love PawCo",
        "B2,bob,1700000100,5,0,PawCo again",
        "A1,ann,1700000000,10,1,love PawCo",
    ]
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    notes = read_posts(f).attrs["notes"]
    said = [n for n in notes if "repeat" in n]
    assert len(said) == 1 and "each post counts once" in said[0], notes
