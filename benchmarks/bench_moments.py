"""Micro-moment benchmarks: classifier throughput, detector core, end to end through Redis.

Run ``python benchmarks/bench_moments.py [--quick] [--skip-redis]``. Each part runs its natural
baseline in the same run and prints absolute figures and ratios:

1. classifier: unique queries (no repeats) and Zipf-distributed traffic (cache on) vs the same
   Zipf traffic with the cache off;
2. detector core: events/s of the streaming detector (``BurstStream.add``) and of batch
   ``detect_bursts`` vs a naive pandas baseline (per-key resample + rolling-window z-scores)
   over the same events;
3. end to end: a producer process writes events to a Redis stream at a fixed rate, the
   ``consume_redis`` consumer group detects moments; throughput and event-to-alert latency
   (``sent_at`` stamped by the producer -> action built by the detector).

Timings depend on the machine; nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import socket
import subprocess
import time

import numpy as np
import pandas as pd

from micromix.moments import BurstSpec, BurstStream, IntentClassifier, MomentDetector, detect_bursts
from micromix.moments.actions import ActionDispatcher
from micromix.moments.corpus import template_corpus
from micromix.moments.evaluate import zipf_events
from micromix.moments.realtime import consume_redis


def header() -> None:
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"python {platform.python_version()}"
    )


# ---------------------------------------------------------------------- 1. classifier
def bench_classifier(quick: bool) -> None:
    print("\n== 1. intent classifier (shipped model) ==")
    base = template_corpus(3000 if not quick else 800, seed=11)["text"].tolist()
    rng = np.random.default_rng(0)
    extra = ["near", "best", "cheap", "2024", "for dogs", "online", "uk", "today", "review"]
    unique = list(
        dict.fromkeys(
            f"{t} {extra[rng.integers(0, len(extra))]} {i}" for i, t in enumerate(base * 4)
        )
    )
    n_unique = len(unique)
    clf = IntentClassifier.load_default()
    clf.set_params(cache_size=0)
    t = time.perf_counter()
    for i in range(0, n_unique, 1000):
        clf.predict(unique[i : i + 1000])
    qps_unique = n_unique / (time.perf_counter() - t)
    t = time.perf_counter()
    for q in unique[:2000]:
        clf.predict([q])
    qps_single = 2000 / (time.perf_counter() - t)
    # Zipf traffic: queries drawn from the unique pool with P(rank r) ~ 1 / r^1.1
    n_zipf = 100_000 if quick else 400_000
    ranks = np.minimum(rng.zipf(1.1, n_zipf), n_unique) - 1
    stream = [unique[r] for r in ranks]
    clf_c = IntentClassifier.load_default()
    t = time.perf_counter()
    for i in range(0, n_zipf, 1000):
        clf_c.predict(stream[i : i + 1000])
    qps_zipf = n_zipf / (time.perf_counter() - t)
    sub = stream[: n_zipf // 10]
    t = time.perf_counter()
    for i in range(0, len(sub), 1000):
        clf.predict(sub[i : i + 1000])
    qps_zipf_nocache = len(sub) / (time.perf_counter() - t)
    distinct = len(set(ranks.tolist()))
    print(f"unique queries, batches of 1000 : {qps_unique:>10,.0f} q/s  ({n_unique:,} queries)")
    print(f"unique queries, one at a time   : {qps_single:>10,.0f} q/s")
    print(
        f"Zipf(1.1) traffic, cache on     : {qps_zipf:>10,.0f} q/s  ({n_zipf:,} queries, "
        f"{distinct:,} distinct)"
    )
    print(
        f"Zipf(1.1) traffic, cache off    : {qps_zipf_nocache:>10,.0f} q/s  "
        f"-> cache speed-up x{qps_zipf / qps_zipf_nocache:.1f}"
    )


# ---------------------------------------------------------------------- 2. detector core
def make_events(n: int, keys: int, hours: int, seed: int = 0) -> pd.DataFrame:
    """The shared synthetic traffic, with epoch seconds in ``secs``."""
    df = zipf_events(n, keys=keys, hours=hours, seed=seed)
    return pd.DataFrame(
        {"secs": (df["ts"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds(), "key": df["key"]}
    )


def pandas_baseline(df: pd.DataFrame, freq: str, window: int, z: float = 4.0) -> int:
    """Naive detector: per-key counts per bucket, rolling mean/std over the past window."""
    ts = pd.to_datetime(df["secs"], unit="s", utc=True)
    counts = (
        df.assign(ts=ts)
        .groupby(["key", pd.Grouper(key="ts", freq=freq)])
        .size()
        .unstack(0, fill_value=0)
        .asfreq(freq, fill_value=0)
    )
    past = counts.shift(1).rolling(window, min_periods=window)
    zs = (counts - past.mean()) / past.std().clip(lower=1.0)
    return int((zs > z).sum().sum())


def bench_detector(quick: bool) -> None:
    print("\n== 2. detector core (one process, one core) ==")
    n = 300_000 if quick else 2_000_000
    df = make_events(n, keys=1000, hours=48)
    secs = df["secs"].to_numpy().tolist()
    keys = df["key"].to_numpy().tolist()
    spec = BurstSpec(freq="5min", n_weeks=0, n_days=0, min_history=12)
    s = BurstStream(spec)
    t = time.perf_counter()
    n_alerts = 0
    for ts, k in zip(secs, keys):
        if s.add(ts, k):
            n_alerts += 1
    ep = s.flush()
    dt_stream = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    batch = detect_bursts(
        df.assign(ts=pd.to_datetime(df["secs"], unit="s", utc=True)),
        time_col="ts",
        key_col="key",
        spec=spec,
    )
    dt_batch = time.perf_counter() - t
    t = time.perf_counter()
    n_naive = pandas_baseline(df, "5min", window=12)
    dt_pd = time.perf_counter() - t
    same = ep.reset_index(drop=True).equals(batch.reset_index(drop=True))
    ev = len(df)
    print(f"events: {ev:,} over 48 h, 1,000 keys, 5-min buckets, 20 injected surges")
    print(
        f"streaming BurstStream.add : {ev / dt_stream:>12,.0f} events/s "
        f"({n_alerts} early alerts, {int((ep['kind'] == 'burst').sum())} burst episodes, "
        f"process peak RSS {peak:.0f} MiB)"
    )
    print(
        f"batch detect_bursts       : {ev / dt_batch:>12,.0f} events/s "
        f"(same episodes as streaming: {same})"
    )
    print(
        f"naive pandas rolling      : {ev / dt_pd:>12,.0f} events/s "
        f"({n_naive} bucket flags, no seasonality, no gap guard)"
    )
    print(
        f"ratio streaming / pandas  : x{dt_pd / dt_stream:.2f};  batch / pandas: "
        f"x{dt_pd / dt_batch:.2f}"
    )


# ---------------------------------------------------------------------- 3. redis end to end
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _producer(url: str, stream: str, rate: float, seconds: float, keys: int, batch: int, q) -> None:
    """Write ``rate`` events/s for ``seconds``: one entry per event, or JSON arrays of ``batch``."""
    import redis

    r = redis.Redis.from_url(url)
    rng = np.random.default_rng(1)
    chunk = 250
    n_total = int(rate * seconds)
    t_event0 = 1_714_550_400.0
    t0 = time.perf_counter()
    sent = 0
    hot_all = np.arange(0, keys, max(1, keys // 50))
    while sent < n_total:
        due = t0 + sent / rate
        now = time.perf_counter()
        if due > now:
            time.sleep(due - now)
        wall = time.time()
        elapsed = sent / rate  # the schedule, so that the volume per bucket stays constant
        # event time runs 60x faster than wall time: one 1-minute bucket per wall second
        ev_t = round(t_event0 + elapsed * 60.0, 3)
        ks = rng.integers(0, keys, chunk)
        second = int(elapsed)
        if second >= 12 and second % 3 == 0:  # surges: a few keys get ~10x their traffic
            hot = hot_all[(second // 3) % 5 :: 5]
            ks[: len(hot) * 6] = np.repeat(hot, 6)[:chunk]
        evs = [
            {"event_id": sent + i, "ts": ev_t, "key": f"k{k}", "sent_at": wall}
            for i, k in enumerate(ks.tolist())
        ]
        pipe = r.pipeline(transaction=False)
        if batch > 1:
            for i in range(0, chunk, batch):
                pipe.xadd(stream, {"b": json.dumps(evs[i : i + batch])})
        else:
            for e in evs:
                pipe.xadd(stream, {"e": json.dumps(e)})
        pipe.execute()
        sent += chunk
    q.put(sent)


def bench_redis(quick: bool) -> None:
    print("\n== 3. end to end through Redis Streams (producer process + consumer group) ==")
    exe = shutil.which("redis-server")
    try:
        import redis
    except ImportError:
        redis = None
    if exe is None or redis is None:
        print(
            "skipped: needs redis-server (apt-get install -y redis-server) and `pip install redis`"
        )
        return
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        seconds = 15 if quick else 40
        for rate, batch in ((20_000, 1), (50_000, 1), (50_000, 250), (100_000, 250)):
            stream = f"ev{rate}-{batch}"
            det = MomentDetector(
                spec=BurstSpec(freq="1min", n_weeks=0, n_days=0, min_history=10, min_ratio=1.8),
                dispatcher=ActionDispatcher(enrich=False),
                enrich=False,
                key_fields=("key",),
            )
            client.xgroup_create(stream, "g", id="0", mkstream=True)
            q: mp.Queue = mp.Queue()
            prod = mp.Process(target=_producer, args=(url, stream, rate, seconds, 400, batch, q))
            t0 = time.perf_counter()
            prod.start()
            n = consume_redis(
                det,
                client=client,
                stream=stream,
                group="g",
                consumer="c",
                count=2000 if batch == 1 else 8,
                block_ms=5,
                idle_stop_s=1.0,
            )
            dt = time.perf_counter() - t0 - 1.0  # minus the idle wait at the end
            prod.join()
            lat = np.array(det.latencies) * 1000
            p50, p99 = np.percentile(lat, [50, 99]) if len(lat) else (np.nan, np.nan)
            how = "1 event per entry" if batch == 1 else f"{batch} events per entry"
            print(
                f"offered {rate:>7,} ev/s ({how}) for {seconds}s: consumed {n:,} events at "
                f"{n / dt:,.0f} ev/s; {len(lat)} alerts, event-to-alert latency "
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
            )
            client.delete(stream)
    finally:
        client.close()
        proc.terminate()
        proc.wait(5)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-redis", action="store_true")
    ap.add_argument("--only", choices=["classifier", "detector", "redis"])
    args = ap.parse_args()
    header()
    if args.only in (None, "classifier"):
        bench_classifier(args.quick)
    if args.only in (None, "detector"):
        bench_detector(args.quick)
    if args.only in (None, "redis") and not args.skip_redis:
        bench_redis(args.quick)


if __name__ == "__main__":
    main()
