"""`social listen`, `social amplify` and `creators score/discover` on files whose post counts or
yes/no flags cannot be read: refused in one sentence naming the file, the row and the column,
instead of scoring on a count or flag that silently went missing."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()

POSTS = (
    "username,caption,Like Count,comments,posted_at,sponsored\n"
    "ana,love my pawco bowl,12.5K,3,2024-05-01,no\n"
    'ben,pawco late again,"12,50",1,2024-05-02,yes\n'
    "cat,pawco ok,1.2.3,2,2024-05-03,\n"
)
READABLE = POSTS.replace('"12,50"', '"1,250"').replace("1.2.3", "-")
CREATORS = "username,followers,category,private\nana,20K,pets,no\nben,9K,pets,N/A\n"


def _refused(res, *parts: str) -> str:
    assert res.exit_code != 0, res.output
    assert "bug in micromix" not in res.output and "Traceback" not in res.output
    last = res.output.strip().splitlines()[-1]
    for part in parts:
        assert part in last, last
    return last


def _files(tmp_path, posts: str = POSTS, creators: str = CREATORS):
    p, c = tmp_path / "posts.csv", tmp_path / "creators.csv"
    p.write_text(posts)
    c.write_text(creators)
    return p, c


def test_listen_and_amplify_refuse_an_unreadable_like_count(tmp_path):
    p, _ = _files(tmp_path)
    for cmd in ("listen", "amplify"):
        res = runner.invoke(app, ["social", cmd, "-i", str(p), "--brand", "PawCo"])
        _refused(
            res,
            f"{p}: row 2, field 'Like Count': '12,50' is not a number",
            "(2 such row(s))",
            "write it as a number such as 12500, 12.5K or 12,500",
        )


def test_creators_score_and_discover_refuse_an_unreadable_post_count(tmp_path):
    p, c = _files(tmp_path)
    for args in (["score"], ["discover", "--niche", "pets", "--budget", "1000"]):
        res = runner.invoke(app, ["creators", *args, "-i", str(c), "--posts", str(p)])
        _refused(res, f"{p}: row 2, field 'Like Count': '12,50' is not a number")


def test_readable_counts_and_blank_flags_still_score(tmp_path):
    p, c = _files(tmp_path, READABLE)
    res = runner.invoke(app, ["social", "amplify", "-i", str(p), "--brand", "PawCo"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["creators", "score", "-i", str(c), "--posts", str(p)])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.stdout)).set_index("username")
    assert got.loc["ana", "tier"] == "micro" and got.loc["ben", "tier"] == "nano"
    # 1,250 likes and 1 comment on 9K followers: the count is read, not left out
    assert got.loc["ben", "engagement_rate"] == pytest.approx(1_251 / 9_000)


def test_unreadable_flags_are_refused(tmp_path):
    p, c = _files(tmp_path, READABLE.replace("2024-05-02,yes", "2024-05-02,maybe"))
    res = runner.invoke(app, ["social", "amplify", "-i", str(p), "--brand", "PawCo"])
    _refused(res, f"{p}: row 2, field 'sponsored': 'maybe' is not true/false", "write yes or no")
    c.write_text(CREATORS.replace("pets,no", "pets,sometimes"))
    res = runner.invoke(app, ["creators", "score", "-i", str(c)])
    _refused(res, f"{c}: row 1, field 'private': 'sometimes' is not true/false")
