"""X tweet activity rows whose engagements are below the interactions X counts in them.

X counts every retweet, reply, like and click (profile, link, hashtag ...) in a post's
engagements, so engagements below the sum of those parts means one of the row's figures is
wrong. The rows are kept as the file has them (the KPIs and social listening show both counts
and correct neither), and the ingest says so: a ``review`` check naming the rows, the field and
the figures.
"""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from micromix.cli.ingest_cmd import register
from micromix.ingest import ingest_file
from micromix.store import Store

HEADER = (
    "Tweet id,Tweet permalink,Tweet text,time,impressions,engagements,engagement rate,"
    "retweets,replies,favorites,user profile clicks,url clicks,hashtag clicks\n"
)


def _row(n: int, when: str, impressions: int, engagements: int, *parts: object) -> str:
    link = f"https://twitter.com/PawCo/status/{649293177409679360 + n}"
    rate = engagements / impressions
    cells = ",".join("" if p is None else str(p) for p in parts)
    return f"6.49E+17,{link},tweet {n} #dogs,{when},{impressions},{engagements},{rate},{cells}\n"


def _export(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "tweet_activity_metrics.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _ingest(path: Path):
    st = Store.open(":memory:")
    return st, ingest_file(st, "posts", path)


def test_engagements_below_their_parts_are_named_with_line_field_and_figures(tmp_path):
    path = _export(
        tmp_path,
        _row(1, "2016-06-20 21:56:23", 500, 20, 3, 1, 5, 2, 1, 0),  # 12 <= 20: adds up
        _row(2, "2016-06-21 9:00:00", 424, 3, 12, 0, 2, 0, 1, 0),  # 3 < 15
        _row(3, "2016-06-22 10:00:00", 411, 8, 3, 0, 1, 1, 4, None),  # 8 < 9, hashtags blank
        _row(4, "2016-06-23 11:00:00", 300, 9, 2, 2, 2, 1, 1, None),  # 8 <= 9
    )
    st, rep = _ingest(path)
    assert (rep.accepted, rep.quarantined) == (4, 0)  # kept as the file has them
    (check,) = rep.checks
    assert check["check"] == "engagement_parts" and check["status"] == "review"
    assert check["message"] == (
        "on 2 of 4 rows the engagements are below the interactions X counts in them (line 3, "
        "field 'engagements': 3 < retweets 12 + favorites 2 + url clicks 1 = 15; line 4, field "
        "'engagements': 8 < retweets 3 + favorites 1 + user profile clicks 1 + url clicks 4 = "
        "9): one of each such row's figures is wrong, so the rows are kept as the file has them "
        "and the KPIs show both counts and correct neither; check those rows (columns shifted "
        "or edited after the export?) or export the file again from X Analytics"
    )
    posts = st.read("posts").set_index("post_id")
    assert posts.loc["649293177409679362", "engagements"] == 3  # the file's figure, not fixed


def test_rows_that_add_up_give_no_check(tmp_path):
    path = _export(
        tmp_path,
        _row(1, "2016-06-20 21:56:23", 500, 20, 3, 1, 5, 2, 1, 0),
        _row(2, "2016-06-21 9:00:00", 500, 12, 3, 1, 5, 2, 1, 0),  # equal: fine
    )
    _st, rep = _ingest(path)
    assert rep.accepted == 2 and rep.checks == ()


def test_quarantined_rows_and_unreadable_parts_are_left_out(tmp_path):
    path = _export(
        tmp_path,
        _row(1, "yesterday", 424, 3, 12, 0, 2, 0, 1, 0),  # quarantined (no day): not counted
        _row(2, "2016-06-21 9:00:00", 424, 3, "n/a", 0, 2, 0, "x", 0),  # 3 >= 2: no guess
        _row(3, "2016-06-22 9:00:00", 424, 3, 2, 0, 2, 0, 0, 0),  # 3 < 4
    )
    _st, rep = _ingest(path)
    assert (rep.accepted, rep.quarantined) == (2, 1)
    (check,) = rep.checks
    assert check["message"].startswith(
        "on 1 of 2 rows the engagements are below the interactions X counts in them (line 4, "
        "field 'engagements': 3 < retweets 2 + favorites 2 = 4):"
    )


def test_cli_prints_the_check(tmp_path):
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)

    @app.command("noop")
    def _noop() -> None:
        """Nothing."""

    path = _export(tmp_path, _row(2, "2016-06-21 9:00:00", 424, 3, 12, 0, 2, 0, 1, 0))
    res = CliRunner().invoke(
        app, ["ingest", "posts", str(path), "--db", str(tmp_path / "mm.duckdb")]
    )
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())
    assert "check review: on 1 of 1 rows the engagements are below" in out
    assert "line 2, field 'engagements': 3 < retweets 12 + favorites 2 + url clicks 1 = 15" in out
