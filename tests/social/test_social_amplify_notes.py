"""``micromix social amplify`` says every note its ranking carries (``attrs["notes"]``), on
stderr and in ``--json``: the default baseline, a cost baseline it cannot give, repeated posts.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.social import BrandSpec, rank_for_amplification
from micromix.social.ugc import ad_baseline

runner = CliRunner()

#: p1 listed twice (a report downloaded twice), one post not about the brand
POSTS = pd.DataFrame(
    [
        ("p1", "a", "love PawCo", 10, "2024-05-01"),
        ("p2", "b", "PawCo again", 5, "2024-05-02"),
        ("p1", "a", "love PawCo", 10, "2024-05-01"),
        ("p3", "c", "nothing here", 1, "2024-05-03"),
    ],
    columns=["post_id", "author_id", "text", "likes", "ts"],
)
#: an ads export in two currencies: CTR and CVR, but no CPM, CPC or CPA baseline
ADS = pd.DataFrame(
    {
        "impressions": [50_000, 40_000],
        "clicks": [600, 500],
        "spend": [300.0, 9_000_000.0],
        "conversions": [10, 8],
        "currency": ["AUD", "IDR"],
    }
)


@pytest.fixture()
def files(tmp_path):
    POSTS.to_csv(tmp_path / "posts.csv", index=False)
    ADS.to_csv(tmp_path / "ads.csv", index=False)
    return tmp_path


def _notes(stderr: str) -> list[str]:
    return [ln[len("note: ") :] for ln in stderr.splitlines() if ln.startswith("note: ")]


def test_every_note_of_the_ranking_is_printed_once_and_in_json(files):
    args = ["social", "amplify", "--input", str(files / "posts.csv"), "--brand", "PawCo"]
    args += ["--ads", str(files / "ads.csv")]
    ranked = rank_for_amplification(
        POSTS,
        BrandSpec("PawCo"),
        baseline=ad_baseline(ADS),
        source=str(files / "posts.csv"),
    )
    want = ranked.attrs["notes"]
    assert any(n.startswith("no predicted CPM, CPC or CPA") for n in want)
    assert any("repeat a post id" in n for n in want)
    res = runner.invoke(app, args, terminal_width=400)
    assert res.exit_code == 0, res.output
    assert _notes(res.stderr) == want  # each once, none left out
    out = runner.invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    obj = json.loads(out.stdout)
    assert obj["brand"] == "PawCo" and obj["notes"] == want
    assert sorted(r["post_id"] for r in obj["rows"]) == ["p1", "p2"]


def test_default_baseline_note_keeps_its_hint_in_json(files):
    args = ["social", "amplify", "--input", str(files / "posts.csv"), "--brand", "PawCo"]
    obj = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert obj["notes"][0].startswith("predicted CTR, CPC and CPA start from typical")
    assert obj["notes"][0].endswith("pass --ads with your ad export to use your own")
    assert any("repeat a post id" in n for n in obj["notes"])


def test_no_ranked_post_still_says_what_reading_found(files):
    args = ["social", "amplify", "--input", str(files / "posts.csv"), "--brand", "BarkBox"]
    res = runner.invoke(app, [*args, "--json"], terminal_width=400)
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["rows"] == []
    assert obj["notes"][0].startswith("no genuine user post mentions BarkBox")
    assert any("repeat a post id" in n for n in obj["notes"])
    ranked = rank_for_amplification(POSTS, BrandSpec("BarkBox"))
    assert ranked.empty and any("repeat a post id" in n for n in ranked.attrs["notes"])
