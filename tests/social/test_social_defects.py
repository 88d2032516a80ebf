"""README defects in social and creators: an absent brand is said, not a crash or silent zeros."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.influencers import Brief, discover, score_creators
from micromix.influencers.discovery import why_none
from micromix.social import BrandSpec, infer_brand, listen, rank_for_amplification
from micromix.social.ugc import AMPLIFY_COLUMNS

runner = CliRunner()

POSTS = pd.DataFrame(
    {
        "post_id": ["1", "2", "3"],
        "author_id": ["a", "b", "c"],
        "text": ["love my new leash from pawsome", "walk in the park", "@pawsome treats!"],
        "likes": [10, 3, 8],
        "mentions": ["@pawsome", None, "pawsome,@vet"],
    }
)


def test_amplify_with_no_mention_returns_every_column_and_a_note():
    res = rank_for_amplification(POSTS, BrandSpec("PawCo"))
    assert res.empty and list(res.columns) == list(AMPLIFY_COLUMNS)
    assert "no genuine user post mentions PawCo" in res.attrs["note"]


def test_listen_says_when_no_post_mentions_a_brand():
    res = listen(POSTS, BrandSpec("PawCo"), [BrandSpec("pawsome")])
    assert any("no post mentions PawCo (0 of 3 posts)" in n for n in res.meta["notes"])
    assert not any("pawsome" in n for n in res.meta["notes"])


def test_cli_amplify_and_listen_for_an_absent_brand(tmp_path):
    f = tmp_path / "posts.csv"
    POSTS.to_csv(f, index=False)
    amp = runner.invoke(app, ["social", "amplify", "--input", str(f), "--brand", "PawCo"])
    assert amp.exit_code == 0, amp.output
    assert "no genuine user post mentions PawCo" in amp.output and "bug" not in amp.output
    js = runner.invoke(app, ["social", "amplify", "--input", str(f), "--brand", "PawCo", "--json"])
    assert js.exit_code == 0 and json.loads(js.stdout)["rows"] == []
    assert json.loads(js.stdout)["notes"][0].startswith("no genuine user post mentions PawCo")
    lis = runner.invoke(app, ["social", "listen", "--input", str(f), "--brand", "PawCo"])
    assert lis.exit_code == 0 and "no post mentions PawCo" in lis.output


def test_infer_brand_reads_mentions():
    assert infer_brand(POSTS) == "pawsome"
    assert infer_brand(POSTS.drop(columns="mentions")) is None


def test_discover_without_posts_names_the_missing_engagement():
    profiles = pd.DataFrame(
        {"handle": ["@a", "@b"], "followers": [12_000, 40_000], "category": ["pet", "pet"]}
    )
    scored = score_creators(profiles)
    picked = discover(scored, Brief(niche="pet", budget=1500))
    assert picked.empty
    # the domain speaks the brief's words (the CLI adds its --posts flag: cli/social.py)
    assert "engagement rate" in picked.attrs["note"] and "pass their posts" in picked.attrs["note"]
    assert "budget" not in picked.attrs["note"]
    assert why_none(scored.iloc[:0], Brief(niche="pet", budget=1)).startswith("no creators")


def test_infer_brand_needs_posts_clearly_about_one_account():
    # a trending dump: the most-mentioned account is named in 2 posts of 1,000
    mentions = [None] * 994 + ["@star", "@star", "@gym", "@gym,@x", "@x", "@other"]
    dump = pd.DataFrame({"mentions": mentions})
    assert infer_brand(dump) is None
    # a brand's listening export: most posts name it (a post naming it twice counts once)
    export = pd.DataFrame({"mentions": ["@acme", "acme,@acme", "@acme,@vet", None, "@vet"]})
    assert infer_brand(export) == "acme"
    # two accounts named equally often: no one brand
    tie = pd.DataFrame({"mentions": ["@a", "@b", "@a,@b"]})
    assert infer_brand(tie) is None
