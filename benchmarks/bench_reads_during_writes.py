"""Benchmark: KPI reads while events are being ingested — per-thread cursors vs one lock.

Run::

    python benchmarks/bench_reads_during_writes.py [--users 20000] [--days 56] [--seconds 20]

The store (a DuckDB file of a simulated market) is built once. Then, in one process:

1. reads alone: one thread runs the KPI roll-up by platform and strategy again and again;
2. reads during writes: the same, while another thread ingests batches of 20,000 events
   (``--batch``) through the ingest pipeline (validate, upsert, log) back to back.

Each phase runs twice: with the store as it is (every thread reads on its own cursor; writes
take the write lock) and with the natural baseline — the service before this change — where one
lock serialises every read and write. Prints read latency (p50, p99), reads/s and events/s
ingested per phase, the ratio of p99 during writes between the two modes, peak RSS, the machine
and its load average. No asserts.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: events per ingested batch (``--batch``)
BATCH = 20_000


def build(db: Path, users: int, days: int) -> int:
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    with Store.open(db) as st:
        counts = load_market(st, simulate(SimConfig(users=users, days=days, seed=5)))
    return int(counts.get("events", 0))


def batch(run: str, start: int, rng: np.random.Generator) -> pd.DataFrame:
    secs = rng.integers(0, 86_400, BATCH)
    return pd.DataFrame(
        {
            "event_id": [f"rw-{run}-{start + i}" for i in range(BATCH)],
            "ts": pd.Timestamp("2026-06-01", tz="UTC") + pd.to_timedelta(secs, unit="s"),
            "user_id": [f"rw{int(u):07d}" for u in rng.integers(0, 10**6, BATCH)],
            "event_type": "search",
            "platform": np.array(["instagram", "tiktok", "facebook", "web"])[
                rng.integers(0, 4, BATCH)
            ],
            "query": "dog food near me",
        }
    )


def phase(
    read: Callable[[], Any],
    write: Callable[[int], int] | None,
    seconds: float,
) -> dict[str, float]:
    """Reads in this thread for ``seconds``; writes (if any) in another thread meanwhile."""
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        i = 0
        while not stop.is_set():
            written[0] += write(i) if write is not None else 0
            i += 1

    w = threading.Thread(target=writer) if write is not None else None
    if w is not None:
        w.start()
        time.sleep(0.5)  # let the writer get going
    lat = []
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        s = time.perf_counter()
        read()
        lat.append(time.perf_counter() - s)
    elapsed = time.perf_counter() - t0
    stop.set()
    if w is not None:
        w.join()
    q = np.quantile(np.array(lat) * 1000, [0.5, 0.99])
    return {
        "reads": len(lat),
        "reads_per_s": len(lat) / elapsed,
        "p50_ms": float(q[0]),
        "p99_ms": float(q[1]),
        "max_ms": 1000 * max(lat),
        "events_per_s": written[0] / elapsed,
    }


def run_mode(db: Path, one_lock: bool, seconds: float) -> dict[str, dict[str, float]]:
    from micromix.ingest import ingest_frame
    from micromix.metrics import compute_kpis
    from micromix.store import Store

    lock = threading.Lock() if one_lock else None
    guard = (lambda: lock) if lock is not None else contextlib.nullcontext
    rng = np.random.default_rng(2)
    tag = f"{'lock' if one_lock else 'mvcc'}{int(time.time())}"
    ids: list[str] = []
    with Store.open(db) as st:

        def read() -> None:
            with guard():
                compute_kpis(st, by=["platform", "strategy"])

        def write(i: int) -> int:
            frame = batch(tag, i * BATCH, rng)
            ids.extend(frame["event_id"])
            with guard():
                return ingest_frame(st, "events", frame, f"bench:{tag}").accepted

        read()  # compile once
        out = {
            "reads alone": phase(read, None, seconds),
            "reads during writes": phase(read, write, seconds),
        }
        st.delete_where("events", "event_id", ids)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=56)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--batch", type=int, default=20_000, help="events per ingested batch")
    args = ap.parse_args(argv)
    global BATCH
    BATCH = args.batch
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(f"load average before: {os.getloadavg()}")
    folder = Path(tempfile.mkdtemp(prefix="micromix-rw-")) if args.db is None else args.db.parent
    db = args.db or folder / "rw.duckdb"
    if not db.exists():
        t0 = time.perf_counter()
        n = build(db, args.users, args.days)
        print(f"store: {n:,} events in {time.perf_counter() - t0:.0f} s ({db})")
    results = {
        "one lock (baseline)": run_mode(db, True, args.seconds),
        "per-thread cursors": run_mode(db, False, args.seconds),
    }
    print(f"load average after: {os.getloadavg()}")
    print(
        f"\n{'mode':<22} {'phase':<21} {'reads/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'events/s':>9}"
    )
    for mode, phases in results.items():
        for name, r in phases.items():
            print(
                f"{mode:<22} {name:<21} {r['reads_per_s']:>8.1f} {r['p50_ms']:>8.1f} "
                f"{r['p99_ms']:>8.1f} {r['max_ms']:>8.1f} {r['events_per_s']:>9.0f}"
            )
    base = results["one lock (baseline)"]["reads during writes"]["p99_ms"]
    new = results["per-thread cursors"]["reads during writes"]["p99_ms"]
    print(
        f"\np99 of reads during writes: {new:.1f} ms vs {base:.1f} ms with one lock "
        f"(ratio {new / base:.2f})"
    )
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"reads: compute_kpis by platform, strategy; writes: ingest_frame of {BATCH:,} events")


if __name__ == "__main__":
    main()
