"""CLI contract of ``micromix social ...`` and ``micromix creators ...`` on unseen-style files."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()


def _ok(args: list[str]):
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return res


def _bad(args: list[str], needle: str):
    res = runner.invoke(app, args)
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    assert needle.lower() in res.output.lower(), res.output
    assert len([ln for ln in res.output.strip().splitlines() if ln.strip()]) <= 3
    return res


@pytest.fixture()
def files(tmp_path):
    prof = pd.DataFrame(
        {
            "Handle": ["@pup_pal", "@glowup", "@mega", "@bot123"],
            "userFollowerCount": ["18.2K", "45,000", "2.1M", "12"],
            "userFollowingCount": [410, 900, 300, 5200],
            "userMediaCount": [820, 1200, 4000, 0],
            "Category": ["Pets", "beauty", "pet", None],
            "Country": ["US", "US", "UK", "US"],
        }
    )
    prof.to_csv(tmp_path / "profiles.csv", index=False)
    (tmp_path / "profiles.json").write_text(
        json.dumps(
            [
                {"username": "a", "#Followers": 5000, "#Followees": 300, "#Posts": 400},
                {"username": "b", "followers_count": 250000},
            ]
        )
    )
    posts = pd.DataFrame(
        {
            "handle": ["pup_pal"] * 3 + ["glowup"] * 2,
            "caption": [
                "my dog loves @pawco",
                "#dogsofinstagram walk",
                "#ad @pawco treats",
                "skincare",
                "glow",
            ],
            "likes": [900, 700, 800, 1500, 1200],
            "comments": [30, 20, 25, 40, 30],
        }
    )
    posts.to_csv(tmp_path / "posts.csv", index=False)
    tweets = pd.DataFrame(
        {
            "Tweet": [
                "@united late flight again",
                "@united thanks, great crew!",
                "@united what gate for UA12?",
                "#barkbox rocks",
                "pawco bowl broke",
            ]
        }
    )
    tweets.to_csv(tmp_path / "tweets.csv", index=False)
    return tmp_path


def test_creators_score_aliases_and_identifier(files):
    out = files / "scored.csv"
    _ok(
        [
            "creators",
            "score",
            "--input",
            str(files / "profiles.csv"),
            "--posts",
            str(files / "posts.csv"),
            "--output",
            str(out),
        ]
    )
    df = pd.read_csv(out)
    assert df.columns[0] == "Handle"
    for c in [
        "tier",
        "engagement_rate",
        "fake_probability",
        "authenticity",
        "niche",
        "est_cost_per_post",
        "cost_per_engagement",
    ]:
        assert c in df.columns
    d = df.set_index("Handle")
    assert d.loc["@pup_pal", "tier"] == "micro" and d.loc["@mega", "tier"] == "mega"
    assert d.loc["@pup_pal", "niche"] == "pet"
    assert d.loc["@pup_pal", "engagement_rate"] == pytest.approx(
        825 / 18_200
    )  # median of 930, 720, 825
    assert pd.isna(d.loc["@mega", "engagement_rate"])  # no posts and no stated rate: empty
    assert d.loc["@bot123", "fake_probability"] > 0.5 > d.loc["@pup_pal", "fake_probability"]


def test_creators_score_json_input_to_stdout(files):
    res = _ok(["creators", "score", "--input", str(files / "profiles.json")])
    from io import StringIO

    df = pd.read_csv(StringIO(res.stdout))
    assert df["username"].tolist() == ["a", "b"]
    assert df["tier"].tolist() == ["nano", "macro"]


def test_creators_discover_json_and_compare(files):
    res = _ok(
        [
            "creators",
            "discover",
            "--input",
            str(files / "profiles.csv"),
            "--posts",
            str(files / "posts.csv"),
            "--niche",
            "pet",
            "--budget",
            "1000",
            "--json",
            "--compare",
        ]
    )
    obj = json.loads(res.stdout)
    assert [r["Handle"] for r in obj["selected"]] == ["@pup_pal"]
    assert obj["total_cost"] <= 1000
    assert {c["cohort"] for c in obj["cohorts"]} == {"micro (<100K)", "macro+ (>=100K)"}


def test_social_sentiment_adds_columns(files):
    out = files / "s.csv"
    _ok(
        [
            "social",
            "sentiment",
            "--input",
            str(files / "tweets.csv"),
            "--text-col",
            "tweet",
            "--output",
            str(out),
        ]
    )
    df = pd.read_csv(out)
    assert df["sentiment"].tolist()[:3] == ["negative", "positive", "neutral"]
    assert df["sentiment_score"].between(-1, 1).all()


def test_social_listen_json(files):
    res = _ok(
        [
            "social",
            "listen",
            "--input",
            str(files / "tweets.csv"),
            "--brand",
            "PawCo",
            "--competitors",
            "BarkBox",
            "--json",
        ]
    )
    obj = json.loads(res.stdout)
    sov = {r["brand"]: r["mentions"] for r in obj["share_of_voice"]}
    assert sov == {"PawCo": 1, "BarkBox": 1}


def test_social_amplify(files):
    res = _ok(
        ["social", "amplify", "--input", str(files / "posts.csv"), "--brand", "PawCo", "--json"]
    )
    rows = json.loads(res.stdout)["rows"]
    assert [r["author_id"] for r in rows] == ["pup_pal"]
    assert rows[0]["reasons"]


def test_social_amplify_says_when_predictions_use_the_default_benchmark(files):
    args = ["social", "amplify", "--input", str(files / "posts.csv"), "--brand", "PawCo"]
    res = _ok(args)
    notes = [ln for ln in res.stderr.splitlines() if ln.startswith("note:")]
    assert len(notes) == 1
    assert "default benchmark" in notes[0] and "pass --ads with your ad export" in notes[0]
    assert "typical paid social (default benchmark), CPA US$" in res.stdout
    assert "brand ads" not in res.output
    rows = json.loads(_ok([*args, "--json"]).stdout)["rows"]
    assert "typical paid social (default benchmark)" in rows[0]["reasons"]
    pd.DataFrame(
        {"Impressions": [100_000], "Clicks": [1500], "Spent": [900.0], "Total_Conversion": [30]}
    ).to_csv(files / "ads.csv", index=False)
    own = _ok([*args, "--ads", str(files / "ads.csv")])
    assert "note:" not in own.stderr and "default benchmark" not in own.output
    # the export states no currency: none is assumed, and the user can state it
    assert "1.50% brand ads, CPA 25.36 (currency not stated)" in " ".join(own.stdout.split())
    eur = _ok([*args, "--ads", str(files / "ads.csv"), "--currency", "EUR"])
    assert "1.50% brand ads, CPA EUR 25.36" in " ".join(eur.stdout.split())
    bad = runner.invoke(app, [*args, "--currency", "EUR"])
    assert bad.exit_code != 0 and "--currency is the currency of --ads" in bad.output


def test_wrapped_json_profiles_and_jsonl_posts(files):
    prof = pd.read_csv(files / "profiles.csv")
    (files / "wrapped.json").write_text(json.dumps({"data": prof.to_dict(orient="records")}))
    pd.read_csv(files / "posts.csv").to_json(files / "posts.jsonl", orient="records", lines=True)
    res = _ok(
        [
            "creators",
            "score",
            "--input",
            str(files / "wrapped.json"),
            "--posts",
            str(files / "posts.jsonl"),
        ]
    )
    from io import StringIO

    df = pd.read_csv(StringIO(res.stdout)).set_index("Handle")
    assert len(df) == 4
    assert df.loc["@pup_pal", "engagement_rate"] == pytest.approx(825 / 18_200)


def test_kim_style_tsv_with_rule_line(tmp_path):
    p = tmp_path / "influencers.txt"
    p.write_text(
        "Username\tCategory\t#Followers\t#Followees\t#Posts\n"
        + "=" * 40
        + "\nmakeupbynvs\tbeauty\t1432\t1089\t363\nbig_trip\ttravel\t250000\t800\t2100\n"
    )
    res = _ok(["creators", "score", "--input", str(p)])
    from io import StringIO

    df = pd.read_csv(StringIO(res.stdout))
    assert df["Username"].tolist() == ["makeupbynvs", "big_trip"]
    assert df["tier"].tolist() == ["nano", "macro"]
    assert df["niche"].tolist() == ["beauty", "travel"]


def test_clear_errors_on_bad_input(files, tmp_path):
    _bad(["creators", "score", "--input", str(tmp_path / "nope.csv")], "not found")
    (tmp_path / "empty.csv").write_text("")
    _bad(["creators", "score", "--input", str(tmp_path / "empty.csv")], "empty")
    _bad(
        ["social", "sentiment", "--input", str(files / "tweets.csv"), "--text-col", "body"],
        "'body' not found",
    )
    _bad(
        [
            "creators",
            "discover",
            "--input",
            str(files / "profiles.csv"),
            "--niche",
            "pet",
            "--budget",
            "-5",
        ],
        "budget",
    )
    _bad(
        [
            "creators",
            "discover",
            "--input",
            str(files / "profiles.csv"),
            "--niche",
            "knitting",
            "--budget",
            "100",
        ],
        "niche",
    )
    _bad(
        ["creators", "score", "--input", str(files / "profiles.csv"), "--tiers", "huge"],
        "tier scheme",
    )
    (tmp_path / "neg.csv").write_text("username,followers\nx,-3\n")
    _bad(["creators", "score", "--input", str(tmp_path / "neg.csv")], "negative")
    _bad(["social", "listen", "--input", str(files / "posts.csv"), "--brand", " "], "brand")
    (tmp_path / "other.csv").write_text("colour,size\nred,3\n")
    _bad(["creators", "score", "--input", str(tmp_path / "other.csv")], "no creator fields")
