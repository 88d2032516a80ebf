"""`moments watch` says how many entries it rejected, and prints each note as it happens
(brief moments30 #4).

Before: the end-of-run line counted duplicates and dead webhook deliveries but not the poison
entries sent to ``<stream>:dead``, and ``watch --source redis`` passed no ``on_note``, so the
notes went to the ``micromix.moments`` logger (no handler in the CLI: Python's last-resort
handler printed them without the ``note:`` prefix, or they were lost under a logging config).
"""

from __future__ import annotations

import json

import pytest
import test_moments_realtime
from typer.testing import CliRunner

from micromix.cli.main import app

redis_url = test_moments_realtime.redis_url  # the redis-server fixture, shared
runner = CliRunner()
GOOD = {"event_id": "g1", "ts": 1_714_550_400, "query": "buy dog food", "region": "n"}


def _events(n: int) -> list[dict]:
    return [{**GOOD, "event_id": f"e{i}", "ts": GOOD["ts"] + i} for i in range(n)]


def test_file_replay_summary_counts_rejected_entries(tmp_path):
    p = tmp_path / "ev.jsonl"
    p.write_text("\n".join(json.dumps(e) for e in _events(20)))
    res = runner.invoke(
        app, ["moments", "watch", "--source", "file", "-i", str(p), "--no-store", "--freq", "1min"]
    )
    assert res.exit_code == 0, res.output
    # a file with a bad row is refused whole (by row), so a replay rejects nothing
    assert "replayed 20 events (0 duplicates, 0 rejected)" in res.output


@pytest.mark.redis
def test_redis_watch_counts_poison_entries_and_prints_their_notes(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    for e in _events(5):
        client.xadd("ev", {"e": json.dumps(e)})
    bad = client.xadd("ev", {"e": "{not json"}).decode()
    client.xadd("ev", {"e": json.dumps({"query": "no time"})})
    res = runner.invoke(
        app,
        [
            "moments",
            "watch",
            "--source",
            "redis",
            "--redis-url",
            redis_url,
            "--stream",
            "ev",
            "--idle-stop",
            "0.3",
            "--no-store",
            "--freq",
            "1min",
        ],
    )
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())  # the console may wrap long lines
    assert "read 5 events (0 duplicates, 2 rejected)" in out
    note = f"note: stream ev entry {bad} not processed: not JSON"
    assert note in out
    assert out.index(note) < out.index("read 5 events")  # printed as it happened
    assert client.xlen("ev:dead") == 2
    client.close()
