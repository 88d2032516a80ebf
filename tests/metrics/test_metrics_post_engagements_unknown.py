"""A post that reports none of likes, comments, shares and saves has unknown engagements."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.metrics import kpis as kpis_module
from micromix.social.columns import ENGAGEMENT_PARTS, engagements_of

runner = CliRunner()


def test_the_parts_are_the_same_everywhere():
    assert kpis_module._POST_COUNTS == ENGAGEMENT_PARTS


def test_posts_with_only_the_platforms_count_have_no_engagement_sum(tmp_path):
    f = tmp_path / "posts.csv"
    pd.DataFrame(
        {
            "post_id": ["a", "b"],
            "platform": ["x", "x"],
            "ts": ["2026-03-01 10:00", "2026-03-02 11:00"],
            "author_id": ["u1", "u2"],
            "text": ["one", "two"],
            "engagements": [120, 80],
            "views": [4000, 3000],
        }
    ).to_csv(f, index=False)
    db = str(tmp_path / "p.duckdb")
    res = runner.invoke(app, ["ingest", "posts", str(f), "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["kpis", "--db", db, "--source", "posts", "--json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)["rows"]
    assert row["engagements"] is None  # unknown, not 0
    assert row["reported_engagements"] == 200
    assert engagements_of(pd.DataFrame({"engagements": [120, 80]})).isna().all()
