"""A stream of small upserts into a large events table: micromix's store against raw DuckDB.

What ``micromix serve`` does with every ``POST /api/v1/events`` batch: replace the stored rows
whose ``event_id`` the batch holds, insert the rest, count inserted / updated / unchanged. The
events table starts at ``--rows`` rows with random UUID ids (the worst case for DuckDB's
min/max pruning, and what many clients send) and grows by every batch.

Modes (each in its own process, on its own copy of the start file):

* ``micromix`` - :meth:`micromix.store.Store.upsert` (its in-memory key index answers "is any
  key of this batch stored?" without a join; a join only when one may be).
* ``join`` - the natural SQL: ``SELECT count(*) ... FROM events JOIN batch`` for the counts,
  ``DELETE ... USING batch``, ``INSERT``; what micromix did before the key index.
* ``primary-key`` - DuckDB's own upsert: a ``PRIMARY KEY`` on ``event_id`` (an ART index) and
  ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (``--skip-pk`` leaves it out: building the
  index takes a while).

Each mode commits every batch (one transaction, as the service does) with micromix's checkpoint
threshold, and prints the CPU per batch of its process (DuckDB's threads included) over the
first and the last tenth of the batches, the mean, and the longest batch.

    python benchmarks/bench_upsert_stream.py                  # 2M rows, 600 batches of 2,000
    python benchmarks/bench_upsert_stream.py --rows 500000 --batches 200 --skip-pk
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa

MODES = ("micromix", "join", "primary-key")


def _batch(rng: np.random.Generator, k: int, n: int) -> pa.Table:
    secs = rng.integers(0, 86_400 * 56, n)
    return pa.table(
        {
            "event_id": [str(uuid.UUID(int=int(x))) for x in rng.integers(0, 2**63, n)],
            "ts": pa.array((1_780_000_000 + secs) * 1_000_000, pa.timestamp("us")),
            "user_id": [f"u{int(u):07d}" for u in rng.integers(0, 10**6, n)],
            "session_id": [f"s{k}-{i}" for i in range(n)],
            "event_type": ["search"] * n,
            "platform": ["instagram"] * n,
        }
    )


def build(db: Path, rows: int) -> None:
    """The start file: micromix's events table holding ``rows`` random-id events."""
    from micromix.store import Store

    with Store.open(str(db)) as st:
        st.sql(
            "INSERT INTO events (event_id, ts, user_id, session_id, event_type, platform) "
            "SELECT uuid()::VARCHAR, TIMESTAMP '2026-06-01' + to_seconds(i % 4838400), "
            f"'u' || (i % 1000000)::VARCHAR, 's' || i::VARCHAR, 'search', 'instagram' "
            f"FROM range({rows}) r(i)"
        )
        st.sql("CHECKPOINT")


def run_mode(mode: str, db: Path, batches: int, size: int) -> dict[str, float]:
    """Stream ``batches`` batches into ``db`` the ``mode`` way; CPU seconds per batch."""
    rng = np.random.default_rng(7)
    data = [_batch(rng, k, size) for k in range(batches)]
    cpu: list[float] = []
    if mode == "micromix":
        from micromix.store import Store

        st = Store.open(str(db))
        for b in data:
            c0 = time.process_time()
            st.upsert("events", b, key=["event_id"])
            cpu.append(time.process_time() - c0)
        st.close()
    else:
        import duckdb

        from micromix.store.duckdb_store import CHECKPOINT_THRESHOLD

        con = duckdb.connect(str(db))
        con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        cols = ", ".join(data[0].column_names)
        if mode == "primary-key":
            t0 = time.perf_counter()
            con.execute("ALTER TABLE events ADD PRIMARY KEY (event_id)")
            print(f"  primary key built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        for b in data:
            con.register("batch", b)
            c0 = time.process_time()
            con.execute("BEGIN")
            if mode == "join":
                con.execute(
                    "SELECT count(*) FROM events t JOIN batch v ON t.event_id = v.event_id"
                ).fetchone()
                con.execute("DELETE FROM events t USING batch v WHERE t.event_id = v.event_id")
                con.execute(f"INSERT INTO events ({cols}) SELECT {cols} FROM batch")
            else:
                con.execute(
                    f"INSERT INTO events ({cols}) SELECT {cols} FROM batch "
                    "ON CONFLICT DO NOTHING RETURNING event_id"
                ).fetchall()
            con.execute("COMMIT")
            cpu.append(time.process_time() - c0)
            con.unregister("batch")
        con.close()
    tenth = max(1, len(cpu) // 10)
    return {
        "first_ms": 1000 * float(np.mean(cpu[:tenth])),
        "last_ms": 1000 * float(np.mean(cpu[-tenth:])),
        "mean_ms": 1000 * float(np.mean(cpu)),
        "max_ms": 1000 * float(np.max(cpu)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=2_000_000, help="events stored at the start")
    ap.add_argument("--batches", type=int, default=600)
    ap.add_argument("--batch", type=int, default=2_000, help="events per batch")
    ap.add_argument("--skip-pk", action="store_true", help="leave out the primary-key mode")
    ap.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)  # one mode, in a child
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.mode:
        print(json.dumps(run_mode(a.mode, a.db, a.batches, a.batch)))
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, python "
        f"{platform.python_version()}; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = Path(tmp) / "start.duckdb"
        t0 = time.perf_counter()
        build(start, a.rows)
        print(f"start table: {a.rows:,} events with random ids ({time.perf_counter() - t0:.1f} s)")
        print(f"{a.batches} batches of {a.batch:,} new events, one transaction each")
        got: dict[str, dict[str, float]] = {}
        for mode in MODES:
            if mode == "primary-key" and a.skip_pk:
                continue
            db = Path(tmp) / f"{mode}.duckdb"
            shutil.copy(start, db)
            cmd = [sys.executable, __file__, "--mode", mode, "--db", str(db)]
            out = subprocess.run(
                [*cmd, "--batches", str(a.batches), "--batch", str(a.batch)],
                check=True,
                capture_output=True,
                text=True,
            )
            sys.stderr.write(out.stderr)
            got[mode] = json.loads(out.stdout.strip().splitlines()[-1])
            db.unlink()
    print(
        f"\n{'mode':<12} {'CPU ms/batch':>13} {'first 10%':>10} {'last 10%':>9} "
        f"{'longest':>8} {'peak RSS':>9}  vs micromix"
    )
    base = got["micromix"]["mean_ms"]
    for mode, r in got.items():
        print(
            f"{mode:<12} {r['mean_ms']:>13.1f} {r['first_ms']:>10.1f} {r['last_ms']:>9.1f} "
            f"{r['max_ms']:>8.0f} {r['peak_rss_mb']:>7.0f} MB  {r['mean_ms'] / base:.2f}x"
        )
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
