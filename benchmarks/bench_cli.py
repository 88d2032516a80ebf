"""Benchmark: how long ``micromix --version`` and ``micromix --help`` take to start.

Run::

    python benchmarks/bench_cli.py [--baseline /work/main/src] [--runs 15]

Each command runs in a fresh Python process (``python -m micromix.cli.main ...``) ``--runs``
times; the median wall time and the peak RSS of one run are printed for this checkout and, in
the same run, for a baseline checkout (``--baseline``: the ``src`` folder of another checkout,
e.g. ``main`` before the lazy command loading), with the ratio. The target of issue 17 is under
0.3 s. Prints the machine and its load average; no asserts.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "src"
COMMANDS = (["--version"], ["--help"])


def run_once(src: Path, args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``micromix ARGS`` started from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "micromix.cli.main", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"micromix {' '.join(args)} exited {proc.returncode} from {src}")
    return wall, usage.ru_maxrss / 1024.0


def measure(src: Path, args: list[str], runs: int) -> tuple[float, float]:
    run_once(src, args)  # warm the file cache
    walls, peaks = [], []
    for _ in range(runs):
        w, p = run_once(src, args)
        walls.append(w)
        peaks.append(p)
    return statistics.median(walls), max(peaks)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, default=Path("/work/main/src"))
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args(argv)
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(f"load average before: {os.getloadavg()}")
    rows = []
    for cmd in COMMANDS:
        new, new_rss = measure(HERE, cmd, args.runs)
        if (args.baseline / "micromix").is_dir():
            old, old_rss = measure(args.baseline, cmd, args.runs)
        else:
            old = old_rss = float("nan")
        rows.append((" ".join(cmd), new, old, new_rss, old_rss))
    print(f"load average after: {os.getloadavg()}")
    print(f"\n{'command':<12} {'this (s)':>9} {'baseline (s)':>13} {'ratio':>7} {'RSS MiB':>9}")
    for name, new, old, rss, old_rss in rows:
        ratio = new / old if old == old else float("nan")
        print(f"{name:<12} {new:>9.3f} {old:>13.3f} {ratio:>7.2f} {rss:>5.0f}/{old_rss:.0f}")
    print(f"\nmedian of {args.runs} runs each; baseline: {args.baseline}; target < 0.3 s")


if __name__ == "__main__":
    main()
