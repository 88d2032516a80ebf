"""Malformed live events, poison stream entries and a Redis outage (review stream29).

Before: one bad Redis entry (not JSON, no ``ts``, ``count: "many"``) stopped
``consume_redis`` with a traceback and stayed pending, so every restart crashed on it again;
a bad event in the middle of a batch left the events before it counted; the HTTP ingest read
non-UTF-8 bodies with replacement characters and any body size.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import urllib.error
import urllib.request

import pytest
import test_moments_realtime

from micromix.errors import DataValidationError, DeliveryError
from micromix.moments import ActionDispatcher, BurstSpec, MomentDetector
from micromix.moments.realtime import consume_redis, event_problem, replay_file, serve_http

redis_url = test_moments_realtime.redis_url  # the redis-server fixture, shared
SPEC = BurstSpec(freq="1min", min_history=5, n_days=0, n_weeks=0)
GOOD = {"event_id": "g1", "ts": 1_714_550_400, "query": "buy dog food", "region": "n"}


def detector() -> MomentDetector:
    return MomentDetector(
        spec=SPEC, topics=["dog food"], dispatcher=ActionDispatcher(enrich=False), enrich=False
    )


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ([1, 2], "not an object"),
        ({"query": "x"}, "'ts' is missing"),
        ({"ts": "yesterday"}, "'ts' 'yesterday'"),
        ({"ts": True}, "'ts' is a JSON boolean"),
        ({"ts": 1_714_550_400, "count": "many"}, "'count' 'many'"),
        ({"ts": 1_714_550_400, "count": float("nan")}, "'count' nan"),
        ({"ts": 1_714_550_400, "region": {"a": 1}}, "'region' is a JSON object"),
        ({"ts": 1_714_550_400, "query": ["buy"]}, "'query' is a JSON array"),
    ],
)
def test_event_problem_names_the_field(event, field):
    assert field in event_problem(event)


def test_event_problem_accepts_good_events():
    assert event_problem(GOOD) is None
    assert event_problem({"ts": "2024-05-01T08:00:00Z", "count": "3", "key": "k"}) is None


def test_a_bad_event_leaves_the_batch_unprocessed():
    det = detector()
    bad = {"event_id": "b1", "query": "buy dog food"}
    with pytest.raises(DataValidationError, match=r"event 2 of 2 \('b1'\): 'ts' is missing"):
        det.process_many([GOOD, bad])
    assert det.processed == 0
    det.process_many([GOOD])  # the good event was not remembered as seen
    assert (det.processed, det.duplicates) == (1, 0)


def _post(base: str, body: bytes, headers: dict | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(base + "/events", data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.loads(err.read())


def test_http_refuses_bad_bodies_clearly():
    det = detector()
    box: dict = {}
    ready = threading.Event()

    def on_ready(server):
        box["server"] = server
        ready.set()

    t = threading.Thread(
        target=serve_http,
        args=(det,),
        kwargs={"port": 0, "ready": on_ready, "max_body_bytes": 1000},
        daemon=True,
    )
    t.start()
    assert ready.wait(5)
    base = f"http://127.0.0.1:{box['server'].server_address[1]}"
    try:
        code, out = _post(base, b'{"ts": 1714550400, "query": "caf\xe9"}')
        assert code == 400 and "not UTF-8" in out["error"]
        code, out = _post(base, b"x" * 2000)
        assert code == 413 and "1,000-byte limit" in out["error"]
        lines = json.dumps(GOOD) + "\n" + json.dumps({"event_id": "b", "ts": "soon"})
        code, out = _post(base, lines.encode())
        assert code == 400 and "event 2 of 2" in out["error"]
        code, out = _post(base, (json.dumps(GOOD) + "\n{oops").encode())
        assert code == 400 and "line 2" in out["error"]
        assert det.processed == 0
        pretty = json.dumps(GOOD, indent=2).encode()  # one object over several lines
        code, out = _post(base, pretty)
        assert (code, out["accepted"], det.processed) == (202, 1, 1)
    finally:
        box["server"].shutdown()
        t.join(5)


@pytest.mark.redis
def test_poison_entries_are_dead_lettered_not_fatal(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    ev = {**GOOD}
    client.xadd("ev", {"e": json.dumps(ev)})
    client.xadd("ev", {"e": "{not json"})
    client.xadd("ev", {"e": b"\xff\xfe"})
    client.xadd("ev", {"e": json.dumps({"event_id": "n", "query": "x"})})
    client.xadd("ev", {"b": json.dumps([{**GOOD, "event_id": "g2"}, "str"])})
    client.xadd("ev", {"e": json.dumps({**GOOD, "event_id": "g3", "count": "many"})})
    client.xadd("ev", {"e": "x" * 5000})
    gone = client.xadd("ev", {"e": json.dumps({**GOOD, "event_id": "gone"})})
    client.xgroup_create("ev", "g", id="0")
    client.xreadgroup("g", "c1", {"ev": ">"})  # read, then "crash" before acking ...
    client.xdel("ev", gone)  # ... and the stream was trimmed meanwhile
    notes: list[str] = []
    det = detector()
    n = consume_redis(
        det,
        client=client,
        stream="ev",
        group="g",
        consumer="c1",
        block_ms=50,
        idle_stop_s=0.2,
        max_entry_bytes=1000,
        on_note=notes.append,
    )
    assert n == det.processed == 2  # g1 and g2
    assert det.rejected == 7 and len(notes) == 7
    assert client.xpending("ev", "g")["pending"] == 0
    dead = client.xrange("ev:dead")
    reasons = [f[b"dead_reason"].decode() for _, f in dead]
    assert len(dead) == 7
    assert reasons[0].startswith("not JSON") and "not UTF-8" in reasons[1]
    assert "'ts' is missing" in reasons[2] and "not an object" in reasons[3]
    assert dead[3][1][b"dead_index"] == b"1"
    assert "'count' 'many'" in reasons[4] and "5,001 bytes" in reasons[5]
    assert "deleted" in reasons[6]
    assert dead[0][1][b"e"] == b"{not json"  # the payload is kept as it was
    assert any("kept in stream ev:dead" in n for n in notes)
    client.close()


class _Flaky:
    """A client whose first ``fails`` reads raise a lost connection."""

    def __init__(self, client, fails: int) -> None:
        self.client, self.fails = client, fails

    def __getattr__(self, name):
        return getattr(self.client, name)

    def xreadgroup(self, *args, **kwargs):
        if self.fails:
            self.fails -= 1
            import redis

            raise redis.ConnectionError("Connection refused")
        return self.client.xreadgroup(*args, **kwargs)


@pytest.mark.redis
def test_redis_outage_is_waited_out_then_pending_reread(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    for i in range(5):
        client.xadd("ev", {"e": json.dumps({**GOOD, "event_id": f"e{i}", "ts": GOOD["ts"] + i})})
    notes: list[str] = []
    waits: list[float] = []
    det = detector()
    n = consume_redis(
        det,
        client=_Flaky(client, 3),
        stream="ev",
        group="g",
        consumer="c1",
        block_ms=50,
        idle_stop_s=0.2,
        on_note=notes.append,
        sleep=waits.append,
    )
    assert n == det.processed == 5
    assert waits == [0.5, 1.0, 2.0]
    assert "unreachable" in notes[0] and "is back" in notes[1]
    with pytest.raises(DeliveryError, match="unreachable for"):
        consume_redis(
            detector(),
            client=_Flaky(client, 100),
            stream="ev",
            group="g",
            consumer="c1",
            reconnect_s=3,
            on_note=notes.append,
            sleep=waits.append,
        )
    client.close()


class _Wiped(_Flaky):
    """A client whose Redis loses the stream (and its group) before the first read."""

    def xreadgroup(self, *args, **kwargs):
        if self.fails:
            self.fails -= 1
            self.client.delete("ev")
            self.client.xadd("ev", {"e": json.dumps({**GOOD, "event_id": "after"})})
        return self.client.xreadgroup(*args, **kwargs)


@pytest.mark.redis
def test_a_lost_consumer_group_is_created_again(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    notes: list[str] = []
    det = detector()
    n = consume_redis(
        det,
        client=_Wiped(client, 1),
        stream="ev",
        group="g",
        block_ms=50,
        idle_stop_s=0.2,
        on_note=notes.append,
    )
    assert n == 1 and "is gone" in notes[0]
    assert client.xpending("ev", "g")["pending"] == 0
    client.close()


class _Terminated(_Flaky):
    """A client whose Redis hands out one batch, during which SIGTERM arrives."""

    def xreadgroup(self, *args, **kwargs):
        resp = self.client.xreadgroup(*args, **kwargs)
        if resp and resp[0][1] and self.fails:
            self.fails -= 1
            os.kill(os.getpid(), signal.SIGTERM)
        return resp


@pytest.mark.redis
def test_sigterm_stops_cleanly_after_acking_the_batch(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    for i in range(30):
        client.xadd("ev", {"e": json.dumps({**GOOD, "event_id": f"e{i}", "ts": GOOD["ts"] + i})})
    notes: list[str] = []
    before = signal.getsignal(signal.SIGTERM)
    det = detector()
    n = consume_redis(
        det, client=_Terminated(client, 1), stream="ev", group="g", count=10, on_note=notes.append
    )
    assert n == det.processed == 10  # the batch in hand, then a clean stop (no idle_stop)
    assert client.xpending("ev", "g")["pending"] == 0
    assert "SIGTERM: stopping" in notes[0]
    assert signal.getsignal(signal.SIGTERM) is before
    client.close()


def test_file_replay_names_the_bad_row(tmp_path):
    p = tmp_path / "ev.csv"
    p.write_text(
        "event_id,ts,query,count\n"
        "b,2024-05-01T08:01:00Z,buy dog food,many\n"
        "a,2024-05-01T08:00:00Z,buy dog food,1\n"
    )
    det = detector()
    with pytest.raises(
        DataValidationError, match=r"ev.csv: row 1 \(event_id 'b'\): 'count' 'many'"
    ):
        replay_file(p, det)
    assert det.processed == 0
