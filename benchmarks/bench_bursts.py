"""Batch burst detection vs a naive pandas rolling baseline (issue 17 item 4).

Run ``python benchmarks/bench_bursts.py [--events 2000000] [--repeats 5]``.

The same events (1,000 keys with Zipf-like shares, a daily cycle, 20 injected surges, 48 hours
in 5-minute buckets) go through:

* ``micromix``: :func:`micromix.moments.detect_bursts` with its defaults for this bucket size
  (seasonal baseline machinery, exact Poisson thresholds, global and per-key coverage gaps,
  level shifts, episodes) — the extra work;
* ``micromix (checks off)``: the same without per-key gaps and level shifts (the decisions of
  the engine before issue 14);
* ``pandas``: per-key resample and a rolling mean/std z-score over the past hour — no
  seasonality, no gap guard, no episodes.

Runs are interleaved and the median of ``--repeats`` is reported, with the ratio
micromix / pandas (the issue's goal: within 2x, i.e. a ratio <= 2), the peak traced memory of
each contender (tracemalloc, a separate pass), the machine and its load average.
Timings depend on the machine; nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from micromix.moments import BurstSpec, detect_bursts
from micromix.moments.evaluate import zipf_events

FREQ = "5min"
SPEC = BurstSpec(freq=FREQ, n_weeks=0, n_days=0, min_history=12)
SPEC_OFF = BurstSpec(freq=FREQ, n_weeks=0, n_days=0, min_history=12, key_gaps=False, shift_window=0)


def pandas_baseline(df: pd.DataFrame, window: int = 12, z: float = 4.0) -> int:
    """Naive detector: per-key counts per bucket, rolling mean/std over the past window."""
    counts = (
        df.groupby(["key", pd.Grouper(key="ts", freq=FREQ)])
        .size()
        .unstack(0, fill_value=0)
        .asfreq(FREQ, fill_value=0)
    )
    past = counts.shift(1).rolling(window, min_periods=window)
    zs = (counts - past.mean()) / past.std().clip(lower=1.0)
    return int((zs > z).sum().sum())


def contenders(df: pd.DataFrame) -> dict[str, Callable[[], object]]:
    return {
        "micromix": lambda: detect_bursts(df, time_col="ts", key_col="key", spec=SPEC),
        "micromix (checks off)": lambda: detect_bursts(
            df, time_col="ts", key_col="key", spec=SPEC_OFF
        ),
        "pandas rolling": lambda: pandas_baseline(df),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"python {platform.python_version()}, load average before: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    df = zipf_events(args.events, keys=1000, hours=48)
    print(f"events: {len(df):,} over 48 h, 1,000 keys, {FREQ} buckets, 20 injected surges")
    runs = contenders(df)
    times: dict[str, list[float]] = {k: [] for k in runs}
    results: dict[str, object] = {}
    for _ in range(args.repeats):
        for name, fn in runs.items():
            t = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t)
    peaks: dict[str, float] = {}
    for name, fn in runs.items():
        tracemalloc.start()
        fn()
        peaks[name] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    base = float(np.median(times["pandas rolling"]))
    for name in runs:
        med = float(np.median(times[name]))
        out = results[name]
        what = (
            f"{out['kind'].value_counts().to_dict()}"
            if isinstance(out, pd.DataFrame)
            else f"{out} flags"
        )
        print(
            f"{name:<22} median {med:6.3f} s  ({len(df) / med:>11,.0f} events/s)  "
            f"x{med / base:4.2f} the pandas time  peak traced {peaks[name]:7.1f} MiB  {what}"
        )
    print("load average after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
