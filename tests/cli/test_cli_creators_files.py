"""`creators score` and `creators discover` on profile files whose numbers cannot be read:
refused in one sentence naming the file, the row and the column, never emptied silently."""

from __future__ import annotations

from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()

DECIMAL_COMMA = (
    'username,followers,engagement_rate,category\nalice,12.5K,0.05,beauty\nbob,"8,3",0.04,beauty\n'
)


def test_decimal_comma_followers_refused_by_score_and_discover(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_text(DECIMAL_COMMA)
    for args in (["score"], ["discover", "--niche", "beauty", "--budget", "1000"]):
        res = runner.invoke(app, ["creators", *args, "-i", str(path)])
        assert res.exit_code != 0, res.output
        assert "bug in micromix" not in res.output and "Traceback" not in res.output
        last = res.output.strip().splitlines()[-1]
        assert "cr.csv: row 2, field 'followers': '8,3' is not a number" in last, last


def test_score_says_how_many_have_no_follower_count(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_text('username,followers,category\nalice,"1,234",beauty\nbob,,beauty\n')
    res = runner.invoke(app, ["creators", "score", "-i", str(path)])
    assert res.exit_code == 0, res.output
    assert "1 of 2 creators has no follower count (first: row 2)" in res.output
    assert "alice,nano," in res.output
