"""`moments sessions` says what its KPIs cannot say: on a site's own analytics (every session
has a page view) brand presence is not measured - on stderr, and under "notes" with --json."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()
NOTE = "brand presence is not measured"


def _events(path: Path, *, site: bool) -> Path:
    first = "page_view" if site else "impression"
    pd.DataFrame(
        {
            "session_id": ["s1", "s1", "s1", "s2", "s2", "s3"],
            "ts": [f"2026-03-01T10:0{i}:00Z" for i in range(6)],
            "event_type": [first, "search", "purchase", first, "search", first],
            "query": [None, "buy dog bed", None, None, "how to train a puppy", None],
            "revenue": [None, None, "40", None, None, None],
        }
    ).to_csv(path, index=False)
    return path


def test_ga4_like_events_note_unmeasured_brand_presence(tmp_path):
    f = _events(tmp_path / "ga4.csv", site=True)
    res = runner.invoke(app, ["moments", "sessions", "-i", str(f), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert len(out["notes"]) == 1 and out["notes"][0].startswith(NOTE)
    rows = {r["moment"]: r for r in out["rows"]}
    assert rows["all"]["sessions"] == 3 and rows["all"]["brand_presence"] is None
    assert f"note: {NOTE}" in res.stderr
    table = runner.invoke(app, ["moments", "sessions", "-i", str(f)])
    assert table.exit_code == 0 and f"note: {NOTE}" in table.stderr
    assert NOTE not in table.stdout


def test_events_from_where_the_moment_happens_carry_no_note(tmp_path):
    f = _events(tmp_path / "ev.csv", site=False)
    res = runner.invoke(app, ["moments", "sessions", "-i", str(f), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["notes"] == [] and "note:" not in res.stderr
