"""Benchmark: the simulator against the one it replaced, in memory, into DuckDB and to Parquet.

Run::

    python benchmarks/bench_simulate.py                     # 1M users x 90 days (baseline 200k)
    python benchmarks/bench_simulate.py --quick             # 100k users x 28 days
    python benchmarks/bench_simulate.py --baseline-users 1000000 --max-gb 16   # v1 at 1M too
    python benchmarks/bench_simulate.py --only stream --stream-users 10000000 \\
        --shard-users 1000000                               # 10M users x 90 days to Parquet

Contenders (each run in a fresh child process; medians of ``--repeat`` runs):

* **v1** — the simulator before the rewrite (``--baseline-ref``, default the main commit the
  rewrite started from), extracted with ``git show`` into a temporary package: ``simulate()``
  building its events table. Run at ``--baseline-users`` (its memory grows ~1.75 GB per 9M
  user-days, 13.4 GB for 1M x 90 days) and compared with **v2 table** at the same size.
* **v2 table** — this checkout's ``simulate()`` plus ``Market.events`` (the whole table in
  memory).
* **v2 duckdb** — ``simulate()`` then ``load_market(consume=True)`` into a DuckDB file: events
  go to the store one day at a time.
* **v2 parquet** — ``write_events`` (one shard of all users) to date-partitioned Parquet.
* **v2 stream** (``--stream-users``) — ``write_events`` in shards of ``--shard-users``.

Peak memory is the peak resident set of the child (sampled every 0.1 s by the parent with
psutil, and the child's own ``ru_maxrss``; the larger is reported); a child above ``--max-gb``
is killed and reported. The load average is printed beside every figure (the machine may be
shared). A run also checks that this checkout with ``SimConfig(repeat=None)`` gives exactly the
baseline's events (same seed, 20k users x 28 days). No asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
#: the main commit the v2 rewrite started from
BASELINE_REF = "455f474"
_V1_FILES = ("__init__.py", "config.py", "market.py", "text.py")
#: v1 peak memory per user-day (1.73 GB measured for 100k users x 90 days)
_V1_GB_PER_USER_DAY = 1.75 / 9e6

_PRELUDE = """
import json, resource, sys, time
t0 = time.perf_counter()
"""
_EPILOGUE = """
out["seconds"] = round(time.perf_counter() - t0, 2)
out["ru_maxrss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
print("RESULT " + json.dumps(out))
"""
JOBS: dict[str, str] = {
    "v1": """
sys.path.insert(0, {v1dir!r})
from mmv1 import SimConfig, simulate
m = simulate(SimConfig(users={users}, days={days}, seed={seed}))
out = {{"events": m.events.num_rows}}
""",
    "v1 duckdb": """
sys.path.insert(0, {v1dir!r})
from pathlib import Path
from mmv1 import SimConfig, simulate
from mmv1.load import load_market
from micromix.store import Store
m = simulate(SimConfig(users={users}, days={days}, seed={seed}))
Path({work!r}).mkdir(parents=True, exist_ok=True)
with Store.open({work!r} + "/bench-v1.duckdb") as st:
    if {duck_limit!r}:
        st.sql("SET memory_limit = '{duck_limit}'")
    counts = load_market(st, m)
out = {{"events": counts["events"]}}
""",
    "v2 table": """
from micromix.simulate import SimConfig, simulate
m = simulate(SimConfig(users={users}, days={days}, seed={seed}))
out = {{"events": m.events.num_rows}}
""",
    "v2 duckdb": """
from micromix.ingest.market import load_market
from micromix.simulate import SimConfig, simulate
from micromix.store import Store
from pathlib import Path
m = simulate(SimConfig(users={users}, days={days}, seed={seed}))
Path({work!r}).mkdir(parents=True, exist_ok=True)
with Store.open({work!r} + "/bench.duckdb") as st:
    if {duck_limit!r}:
        st.sql("SET memory_limit = '{duck_limit}'")
    counts = load_market(st, m, consume=True)
out = {{"events": counts["events"]}}
""",
    "v2 parquet": """
from micromix.simulate.stream import write_events
res = write_events({work!r}, users={users}, days={days}, shard_users={users}, seed={seed},
                   overwrite=True)
out = {{"events": res.events, "files": res.files, "gb_on_disk": round(res.bytes / 1e9, 2)}}
""",
    "v2 stream": """
from micromix.simulate.stream import write_events
res = write_events({work!r}, users={users}, days={days}, shard_users={shard}, seed={seed},
                   overwrite=True)
out = {{"events": res.events, "files": res.files, "shards": res.shards,
        "gb_on_disk": round(res.bytes / 1e9, 2)}}
""",
    "identity": """
sys.path.insert(0, {v1dir!r})
import mmv1
from micromix.simulate import SimConfig, simulate
a = mmv1.simulate(mmv1.SimConfig(users={users}, days={days}, seed={seed})).events
b = simulate(SimConfig(users={users}, days={days}, seed={seed}, repeat=None)).events
import pyarrow as pa
def plain(t):
    return t.cast(pa.schema([pa.field(f.name, f.type.value_type)
        if pa.types.is_dictionary(f.type) else f for f in t.schema]))
out = {{"events": a.num_rows, "identical": bool(plain(a).equals(plain(b)))}}
""",
}


def extract_v1(ref: str, into: Path) -> Path:
    """Write the simulator package of git ``ref`` as the package ``mmv1`` below ``into``."""
    pkg = into / "mmv1"
    pkg.mkdir(parents=True)
    for name in _V1_FILES:
        src = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{ref}:src/micromix/simulate/{name}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if src.returncode != 0:
            raise SystemExit(f"cannot read the baseline from git ref {ref!r}: {src.stderr.strip()}")
        (pkg / name).write_text(src.stdout.replace("micromix.simulate.", "mmv1."))
    load = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:src/micromix/ingest/market.py"],
        capture_output=True,
        text=True,
        check=True,
    )
    (pkg / "load.py").write_text(load.stdout)
    return into


def run_child(code: str, max_gb: float) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; its result, wall time and peak memory."""
    script = _PRELUDE + textwrap.dedent(code) + _EPILOGUE
    load = os.getloadavg()[0]
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    ps = psutil.Process(proc.pid)
    peak, killed = 0, False
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(True))
        except psutil.Error:
            rss = 0
        peak = max(peak, rss)
        if rss > max_gb * 1e9:
            proc.kill()
            killed = True
        time.sleep(0.1)
    stdout, stderr = proc.communicate()
    result: dict[str, Any] = {"load_before": round(load, 2), "load_after": os.getloadavg()[0]}
    if killed:
        return {**result, "error": f"killed above --max-gb {max_gb}"}
    lines = [ln for ln in stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        return {**result, "error": (stderr.strip().splitlines() or ["no output"])[-1]}
    out = json.loads(lines[-1][len("RESULT ") :])
    out["peak_gb"] = round(max(peak / 1e9, out.pop("ru_maxrss_gb")), 2)
    return {**result, **out}


def measure(job: str, repeat: int, max_gb: float, **fmt: Any) -> dict[str, Any]:
    runs = [run_child(JOBS[job].format(**fmt), max_gb) for _ in range(repeat)]
    ok = [r for r in runs if "error" not in r]
    row: dict[str, Any] = {
        "job": job,
        "users": fmt["users"],
        "days": fmt["days"],
        "runs": len(ok),
        "load": [r["load_before"] for r in runs],
    }
    if not ok:
        row["error"] = runs[-1]["error"]
        return row
    row["seconds"] = statistics.median(r["seconds"] for r in ok)
    row["seconds_range"] = (min(r["seconds"] for r in ok), max(r["seconds"] for r in ok))
    row["peak_gb"] = statistics.median(r["peak_gb"] for r in ok)
    for k in ("events", "files", "shards", "gb_on_disk", "identical"):
        if k in ok[-1]:
            row[k] = ok[-1][k]
    return row


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import duckdb
    import numpy
    import pyarrow

    return (
        f"{cpu}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM; "
        f"Python {platform.python_version()}, NumPy {numpy.__version__}, "
        f"pyarrow {pyarrow.__version__}, DuckDB {duckdb.__version__}"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--baseline-users", type=int, default=200_000)
    ap.add_argument("--baseline-ref", default=BASELINE_REF)
    ap.add_argument("--stream-users", type=int, default=0, help="0: no sharded stream run")
    ap.add_argument("--shard-users", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--max-gb", type=float, default=8.0, help="kill a child above this RSS")
    ap.add_argument(
        "--duckdb-memory-limit",
        default="",
        help="DuckDB memory_limit for the duckdb job, e.g. 2GB (default: DuckDB's, 80%% of RAM)",
    )
    ap.add_argument("--only", choices=("all", "baseline", "target", "stream"), default="all")
    ap.add_argument(
        "--target-jobs",
        default="v2 table,v2 duckdb,v2 parquet",
        help="comma-separated jobs to run at --users (v2 table, v2 duckdb, v2 parquet)",
    )
    ap.add_argument("--quick", action="store_true", help="100k users x 28 days, baseline 100k")
    args = ap.parse_args(argv)
    if args.quick:
        args.users, args.days, args.baseline_users = 100_000, 28, 100_000
    print(f"machine: {machine()}")
    print(f"load average at start: {os.getloadavg()}")
    work = Path(tempfile.mkdtemp(prefix="bench-sim-"))
    rows: list[dict[str, Any]] = []
    try:
        v1dir = str(extract_v1(args.baseline_ref, work / "v1"))
        common = {
            "seed": args.seed,
            "v1dir": v1dir,
            "work": str(work / "out"),
            "duck_limit": args.duckdb_memory_limit,
        }
        if args.only in ("all", "baseline"):
            rows.append(measure("identity", 1, args.max_gb, users=20_000, days=28, **common))
            need = _V1_GB_PER_USER_DAY * args.baseline_users * args.days
            avail = psutil.virtual_memory().available / 1e9
            if need > min(args.max_gb, 0.8 * avail):
                print(
                    f"skipping v1 at {args.baseline_users:,} users: it needs ~{need:.1f} GB "
                    f"(--max-gb {args.max_gb}, {avail:.1f} GB available)"
                )
            else:
                for job in ("v1", "v2 table", "v1 duckdb", "v2 duckdb"):
                    rows.append(
                        measure(
                            job,
                            args.repeat,
                            args.max_gb,
                            users=args.baseline_users,
                            days=args.days,
                            **common,
                        )
                    )
        if args.only in ("all", "target"):
            for job in [j.strip() for j in args.target_jobs.split(",") if j.strip()]:
                rows.append(
                    measure(
                        job, args.repeat, args.max_gb, users=args.users, days=args.days, **common
                    )
                )
        if args.stream_users and args.only in ("all", "stream"):
            rows.append(
                measure(
                    "v2 stream",
                    1,
                    args.max_gb,
                    users=args.stream_users,
                    days=args.days,
                    shard=args.shard_users,
                    **common,
                )
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(rows)


def report(rows: list[dict[str, Any]]) -> None:
    print()
    print(
        f"{'job':11s} {'users':>10s} {'days':>4s} {'events':>12s} {'wall s':>8s} "
        f"{'(min-max)':>13s} {'peak GB':>8s}  load averages"
    )
    for r in rows:
        if "error" in r:
            print(f"{r['job']:11s} {r['users']:>10,} {r['days']:>4} error: {r['error']}")
            continue
        lo, hi = r["seconds_range"]
        extra = "".join(
            f"  {k}={r[k]}" for k in ("identical", "files", "shards", "gb_on_disk") if k in r
        )
        print(
            f"{r['job']:11s} {r['users']:>10,} {r['days']:>4} {r['events']:>12,} "
            f"{r['seconds']:>8.1f} {f'({lo:.1f}-{hi:.1f})':>13s} {r['peak_gb']:>8.2f}  "
            f"{r['load']}{extra}"
        )
    by = {(r["job"], r["users"]): r for r in rows if "error" not in r}
    pairs = {"v1": "v2 table", "v1 duckdb": "v2 duckdb"}
    for (job, users), r in by.items():
        if job not in pairs or (pairs[job], users) not in by:
            continue
        v2 = by[(pairs[job], users)]
        print(
            f"\n{v2['job']} / {job} at {users:,} users x {r['days']} days: wall "
            f"{v2['seconds'] / r['seconds']:.2f}x, peak memory {v2['peak_gb'] / r['peak_gb']:.2f}x"
        )
    for (job, users), r in by.items():
        if (
            job in ("v2 table", "v2 duckdb", "v2 parquet")
            and users == 1_000_000
            and r["days"] == 90
        ):
            verdict = "yes" if r["seconds"] <= 60 and r["peak_gb"] <= 4 else "no"
            print(
                f"target 1M users x 90 days within 60 s and 4 GB ({job}): {verdict} "
                f"({r['seconds']:.1f} s, {r['peak_gb']:.2f} GB)"
            )


if __name__ == "__main__":
    main()
