"""The real-time detector over file replay, HTTP ingest and Redis Streams."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request

import numpy as np
import pandas as pd
import pytest

from _serve import free_port
from micromix.moments import (
    MOMENTS_TABLE,
    ActionDispatcher,
    BurstSpec,
    MomentDetector,
    consume_redis,
    detect_bursts,
    replay_file,
    serve_http,
)
from micromix.store import Store

SPEC = BurstSpec(freq="1min", min_history=5, n_days=0, n_weeks=0)


def make_events(seed: int = 0) -> pd.DataFrame:
    """~2 hours of searches: steady traffic, one 'buy dog food' surge at minute 90."""
    rng = np.random.default_rng(seed)
    texts = ["how to groom a poodle", "dog food price", "vet near me", "what is parvo"]
    rows = []
    for minute in range(120):
        n = rng.poisson(8)
        for _ in range(n):
            rows.append((minute * 60 + rng.uniform(0, 60), texts[rng.integers(0, 4)]))
        if 90 <= minute < 93:
            rows += [(minute * 60 + rng.uniform(0, 60), "buy dog food") for _ in range(60)]
    df = pd.DataFrame(rows, columns=["ts", "query"]).sort_values("ts", kind="stable")
    df["ts"] = 1_714_550_400 + df["ts"]
    df["event_id"] = [f"e{i}" for i in range(len(df))]
    df["region"] = "north"
    return df.reset_index(drop=True)


def detector(store=None) -> MomentDetector:
    return MomentDetector(
        spec=SPEC,
        topics=["dog food", "vet", "parvo", "poodle"],
        dispatcher=ActionDispatcher(store, enrich=False),
        enrich=False,
    )


def test_process_keys_dedups_and_alerts():
    det = detector()
    df = make_events()
    recs = df.to_dict("records")
    acts = det.process_many(recs)
    acts += det.process_many(recs[:50])  # redelivered events are ignored
    assert det.duplicates == 50
    assert [(a.kind, a.key) for a in acts] == [("burst", "buy | dog food | north")]
    ep = det.flush()
    assert ep.loc[ep["kind"] == "burst", "key"].tolist() == ["buy | dog food | north"]


def test_file_replay_jsonl_and_csv_match_batch(tmp_path):
    df = make_events(1)
    jl = tmp_path / "ev.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in df.to_dict("records")) + "\n")
    csv = tmp_path / "ev.csv"
    df.sample(frac=1, random_state=2).to_csv(csv, index=False)  # unsorted on disk
    st = Store.open(":memory:")
    a = replay_file(jl, detector(st))
    b = replay_file(csv, detector())
    pd.testing.assert_frame_equal(a, b)
    assert st.read(MOMENTS_TABLE)["key"].tolist() == ["buy | dog food | north"]
    # batch over the same events, keyed the same way, gives the same bursts
    det = detector()
    keyed = df.assign(
        key=[
            det._key(r, str(m))
            for r, m in zip(df.to_dict("records"), det.classifier.predict(df["query"]))
        ]
    )
    batch = detect_bursts(
        keyed.assign(ts=pd.to_datetime(keyed["ts"], unit="s", utc=True)),
        time_col="ts",
        key_col="key",
        spec=SPEC,
    )
    pd.testing.assert_frame_equal(a, batch)
    st.close()


def test_file_replay_with_speed_paces_events(tmp_path):
    df = make_events(2).head(30)
    p = tmp_path / "ev.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in df.to_dict("records")))
    waits: list[float] = []
    replay_file(p, detector(), speed=1e9, sleep=waits.append)
    assert all(w >= 0 for w in waits)


def test_http_ingest():
    det = detector()
    box: dict = {}
    ready = threading.Event()

    def on_ready(server):
        box["server"] = server
        ready.set()

    t = threading.Thread(
        target=serve_http, args=(det,), kwargs={"port": 0, "ready": on_ready}, daemon=True
    )
    t.start()
    assert ready.wait(5)
    server = box["server"]
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        recs = make_events(3).to_dict("records")
        moments = []
        for i in range(0, len(recs), 400):
            body = "\n".join(json.dumps(r) for r in recs[i : i + 400]).encode()
            req = urllib.request.Request(base + "/events", data=body, method="POST")
            with urllib.request.urlopen(req) as resp:
                out = json.loads(resp.read())
                assert resp.status == 202
                moments += out["moments"]
        assert [m["key"] for m in moments] == ["buy | dog food | north"]
        with urllib.request.urlopen(base + "/moments") as resp:
            assert len(json.loads(resp.read())) == 1
        bad = urllib.request.Request(base + "/events", data=b"{not json", method="POST")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(bad)
        err.value.close()  # an HTTPError holds the open response: close it, or it leaks
        assert err.value.code == 400
    finally:
        server.shutdown()
        t.join(5)


@pytest.fixture()
def redis_url():
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server not installed (apt-get install -y redis-server)")
    redis = pytest.importorskip("redis", reason="the redis package is in micromix[redis]")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.terminate()
        pytest.skip("redis-server did not start")
    yield url
    client.close()
    proc.terminate()
    proc.wait(5)


@pytest.mark.redis
def test_redis_consumer_group_at_least_once(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    recs = make_events(4).to_dict("records")
    pipe = client.pipeline()
    for r in recs:
        pipe.xadd("ev", {"e": json.dumps(r)})
    pipe.execute()
    st = Store.open(":memory:")
    # first consumer reads a batch but "crashes" before acknowledging it
    client.xgroup_create("ev", "g", id="0")
    client.xreadgroup("g", "c1", {"ev": ">"}, count=200)
    det = detector(st)
    n = consume_redis(
        det,
        client=client,
        stream="ev",
        group="g",
        consumer="c1",
        count=300,
        block_ms=100,
        idle_stop_s=0.3,
    )
    assert n == len(recs)  # the 200 pending entries were re-read, then the rest
    assert det.processed == len(recs)
    assert client.xpending("ev", "g")["pending"] == 0
    assert [a.key for a in det.actions] == ["buy | dog food | north"]
    # replaying the whole stream to a fresh detector on the same store acts on nothing new
    client.xgroup_create("ev", "g2", id="0")
    det2 = detector(st)
    consume_redis(
        det2, client=client, stream="ev", group="g2", consumer="c1", block_ms=100, idle_stop_s=0.3
    )
    assert det2.actions == []
    assert len(st.read(MOMENTS_TABLE)) == 1
    st.close()
    client.close()
