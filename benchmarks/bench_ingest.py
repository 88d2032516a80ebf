"""Ingest speed: this micromix against micromix at a baseline git revision and raw DuckDB.

Generates a canonical events CSV (``--rows``, default 500,000) and a typed events frame
(``--frame-rows``, default 1,000,000), then, each contender in its own process, ``--repeats``
times:

* ``micromix``        — this checkout: ``ingest_file(store, "events", csv)`` into a DuckDB file;
* ``micromix@REV``    — the same call with the package exported from git revision ``--baseline``
  (default ``main``), i.e. the code before this change;
* ``duckdb``          — the floor: DuckDB's own ``read_csv`` into a table (no validation);
* ``frame``/``frame@REV`` — ``ingest_frame`` of the typed frame (the simulator / API path).

Prints medians of wall time, peak RSS, rows/s and the ratios, with the machine and load.

    python benchmarks/bench_ingest.py --rows 500000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _write_data(folder: Path, rows: int, frame_rows: int) -> tuple[Path, Path]:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    start = np.datetime64("2024-05-01T00:00:00")

    def frame(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "event_id": [f"e{i}" for i in range(n)],
                "ts": (start + rng.integers(0, 86400 * 60, n).astype("timedelta64[s]")).astype(
                    "datetime64[us]"
                ),
                "user_id": [f"u{i}" for i in rng.integers(0, n // 5 + 1, n)],
                "event_type": rng.choice(["click", "view", "purchase", "search"], n),
                "platform": rng.choice(["facebook", "instagram", "tiktok", "web"], n),
                "cost": np.round(rng.gamma(2.0, 0.3, n), 4),
                "revenue": np.where(rng.random(n) < 0.02, np.round(rng.gamma(3, 10, n), 2), np.nan),
            }
        )

    csv_path = folder / "events.csv"
    df = frame(rows)
    df["ts"] = df["ts"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    df.to_csv(csv_path, index=False)
    pq_path = folder / "frame.parquet"
    f = frame(frame_rows)
    f["ts"] = f["ts"].dt.tz_localize("UTC")
    f.to_parquet(pq_path)
    return csv_path, pq_path


def _child(mode: str, data: str, db: str) -> None:
    t0 = time.perf_counter()
    if mode == "duckdb":
        import duckdb

        con = duckdb.connect(db)
        con.execute(f"CREATE TABLE events AS SELECT * FROM read_csv('{data}')")
        n = con.execute("SELECT count(*) FROM events").fetchone()[0]
    else:
        import pandas as pd

        from micromix.ingest import ingest_file, ingest_frame
        from micromix.store import Store

        with Store.open(db) as st:
            if mode == "csv":
                rep = ingest_file(st, "events", data)
            else:
                rep = ingest_frame(st, "events", pd.read_parquet(data), source="bench:frame")
            n = rep.accepted
            assert rep.quarantined == 0, rep
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "peak_mb": peak, "rows": int(n)}))


def _baseline_tree(rev: str, folder: Path) -> Path:
    out = folder / f"src-{rev}"
    out.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out / "src"


def _run(mode: str, data: Path, folder: Path, src: Path, repeats: int) -> dict[str, float]:
    walls, peaks, rows = [], [], 0
    for i in range(repeats):
        db = folder / f"{mode}-{src.parent.name}-{i}.duckdb"
        env = {**os.environ, "PYTHONPATH": str(src)}
        res = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(data), str(db)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        got = json.loads(res.stdout.strip().splitlines()[-1])
        walls.append(got["wall"])
        peaks.append(got["peak_mb"])
        rows = got["rows"]
        db.unlink(missing_ok=True)
    return {"wall": statistics.median(walls), "peak_mb": statistics.median(peaks), "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--frame-rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--baseline", default="main", help="git revision of the 'before' code")
    ap.add_argument("--child", nargs=3, metavar=("MODE", "DATA", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        csv_path, pq_path = _write_data(folder, args.rows, args.frame_rows)
        here = ROOT / "src"
        base = _baseline_tree(args.baseline, folder)
        results = {
            "micromix": _run("csv", csv_path, folder, here, args.repeats),
            f"micromix@{args.baseline}": _run("csv", csv_path, folder, base, args.repeats),
            "duckdb read_csv": _run("duckdb", csv_path, folder, here, args.repeats),
            "frame": _run("frame", pq_path, folder, here, args.repeats),
            f"frame@{args.baseline}": _run("frame", pq_path, folder, base, args.repeats),
        }
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"{'contender':<22}{'rows':>10}{'wall s':>9}{'rows/s':>11}{'peak MB':>9}")
    for name, r in results.items():
        print(
            f"{name:<22}{r['rows']:>10,}{r['wall']:>9.2f}{r['rows'] / r['wall']:>11,.0f}"
            f"{r['peak_mb']:>9.0f}"
        )
    new, old = results["micromix"]["wall"], results[f"micromix@{args.baseline}"]["wall"]
    print(
        f"CSV ingest: this / {args.baseline} = {new / old:.2f}x (wall, medians of {args.repeats})"
    )
    print(f"CSV ingest: this / duckdb read_csv = {new / results['duckdb read_csv']['wall']:.1f}x")
    fn, fo = results["frame"]["wall"], results[f"frame@{args.baseline}"]["wall"]
    print(f"frame ingest: this / {args.baseline} = {fn / fo:.2f}x")


if __name__ == "__main__":
    main()
