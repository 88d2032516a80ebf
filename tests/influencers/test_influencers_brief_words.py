"""The creator brief on the evidence: notes every caller can show, the niche most creators can
be matched on, and posts read as ``ingest posts`` reads them.

* ``why_none`` spoke the CLI ("1 creators fit ... raise --budget") in a note the API and the
  dashboard show; it speaks the brief's fields now, and ``creators discover`` names its options.
* The most common niche counted each creator once, on its main niche; a category naming several
  niches ("Sports|Music") now counts for each, as discovery matches a brief on any of them.
* ``creators score --posts`` read a TikTok dump through the column aliases, missing its nested
  ``authorMeta.name``.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.influencers import Brief, brief_from_data, niche_counts, score_creators
from micromix.influencers.discovery import BRIEF_HINTS, why_none

runner = CliRunner()


def _scored(n: int, *, followers: float = 2e6, rate: float = 120_000.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": [f"c{i}" for i in range(n)],
            "tier": "mega",
            "niche": "music",
            "followers": followers,
            "engagement_rate": 0.03,
            "authenticity": 0.9,
            "est_cost_per_post": rate,
        }
    )


def test_why_none_counts_one_creator_in_the_singular_and_names_no_cli_option():
    one = why_none(_scored(1), Brief(niche="music", budget=5_000))
    assert one.startswith("1 creator fits the brief but the cheapest costs about US$120,000"), one
    assert one.endswith(BRIEF_HINTS["budget"]) and "--" not in one, one
    two = why_none(_scored(2), Brief(niche="music", budget=5_000))
    assert two.startswith("2 creators fit the brief"), two


def test_the_discover_command_names_its_own_options(tmp_path):
    prof = tmp_path / "cr.csv"
    prof.write_text(
        "username,followers,engagement_rate,category\nalice,2000000,0.03,music\n"
        "bob,9000,0.05,music\n"
    )
    res = runner.invoke(
        app, ["creators", "discover", "-i", str(prof), "--niche", "music", "--budget", "1"]
    )
    assert res.exit_code == 0, res.output
    assert "raise --budget" in res.output and "raise the budget" not in res.output, res.output
    bare = tmp_path / "bare.csv"
    bare.write_text("username,followers,engagement_rate\nalice,5000,0.05\nbob,9000,0.03\n")
    res = runner.invoke(
        app, ["creators", "discover", "-i", str(bare), "--niche", "pet", "--budget", "1000"]
    )
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert "run without --niche to rank them all" in res.output, res.output
    assert "pass their posts with --posts" in res.output, res.output


def test_a_category_naming_several_niches_counts_for_each():
    # main niches: music 3, fitness 2, sports 2; every niche a brief matches: sports 4, music 3
    scored = pd.DataFrame(
        {
            "niche": ["music"] * 3 + ["fitness"] * 2 + ["sports"] * 2 + [None],
            "declared_niches": ["music"] * 3 + ["fitness|sports"] * 2 + ["sports"] * 2 + [None],
        }
    )
    assert niche_counts(scored).to_dict() == {"sports": 4, "music": 3, "fitness": 2}
    assert brief_from_data(scored).niche == "sports"
    # a tie goes to the niche more creators have as their main one
    tie = scored.iloc[:5]  # music 3 (main 3), sports 2 (main 0), fitness 2 (main 2)
    assert list(niche_counts(tie).index) == ["music", "fitness", "sports"]
    assert brief_from_data(pd.DataFrame({"x": [1]})).niche == "lifestyle"


def test_categories_from_a_profile_file_count_each_niche_they_name():
    prof = pd.DataFrame(
        {
            "username": [f"u{i}" for i in range(6)],
            "followers": 50_000,
            "engagement_rate": 0.03,
            # "Cinema" and "Actors" are no niche micromix knows: they count for none
            "category": ["Music"] * 2 + ["Cinema|Actors|Sports with a ball"] * 3 + ["Sports"],
        }
    )
    scored = score_creators(prof)
    counts = niche_counts(scored)
    assert counts.index[0] == "sports" and counts.iloc[0] == 4, counts
    assert brief_from_data(scored).niche == "sports"


def _tiktok_dump(path):
    rows = [
        {
            "id": str(7_000_000_000_000_000_000 + i),
            "text": "morning walk with the pup",
            "createTime": 1_700_000_000 + 3_600 * i,
            "authorMeta": {"name": author, "fans": 20_000},
            "diggCount": 300 + 10 * i,
            "commentCount": 12,
            "shareCount": 1,
            "playCount": 9_000,
        }
        for i, author in enumerate(["ann", "ann", "ann", "bob", "bob"])
    ]
    path.write_text(json.dumps(rows))
    return path


def test_score_reads_a_tiktok_dumps_nested_author(tmp_path):
    prof = tmp_path / "cr.csv"
    prof.write_text("username,followers,category\nann,20000,pet\nbob,20000,pet\n")
    posts = _tiktok_dump(tmp_path / "trending.json")
    out = tmp_path / "scored.csv"
    res = runner.invoke(
        app, ["creators", "score", "-i", str(prof), "--posts", str(posts), "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    scored = pd.read_csv(out).set_index("username")
    assert scored.loc["ann", "n_posts_used"] == 3 and scored.loc["bob", "n_posts_used"] == 2
    assert scored["engagement_rate"].notna().all()


def test_discover_reads_a_tiktok_dumps_nested_author_as_score_does(tmp_path):
    prof = tmp_path / "cr.csv"
    prof.write_text("username,followers,category\nann,20000,pet\nbob,20000,pet\n")
    posts = _tiktok_dump(tmp_path / "trending.json")
    res = runner.invoke(
        app,
        [
            "creators",
            "discover",
            "-i",
            str(prof),
            "--posts",
            str(posts),
            "--budget",
            "5e4",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    picked = {r["username"]: r for r in json.loads(res.stdout)["selected"]}
    assert picked["ann"]["n_posts_used"] == 3 and picked["bob"]["n_posts_used"] == 2


@pytest.mark.parametrize(
    ("spend", "budget"),
    [(5_000.0, 5_000.0), (1.5, 1.5), (0.0, None), (-3.0, None), (float("nan"), None), (None, None)],
)
def test_spend_budget_says_whether_the_events_gave_a_budget(spend, budget) -> None:
    from micromix.influencers.discovery import DEFAULT_BRIEF_BUDGET, spend_budget

    assert spend_budget(spend) == budget
    scored = pd.DataFrame({"x": [1]})
    want = DEFAULT_BRIEF_BUDGET if budget is None else budget
    assert brief_from_data(scored, spend).budget == want
