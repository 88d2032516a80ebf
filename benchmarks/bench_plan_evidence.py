"""Benchmark: the evidence ``micromix plan`` gathers, with lifetime returns by strategy only.

Run::

    python benchmarks/bench_plan_evidence.py [--users 30000] [--days 56] [--seed 0] [--repeat 3]

Simulates one market, stores it in memory, then times :func:`micromix.plan.gather_evidence` over
the plan's parts (:data:`micromix.plan.build.PLAN_PARTS`) two ways, alternating, ``--repeat``
times each: the baseline computing lifetime returns for every comparison's dimension (strategy,
targeting, creator tier: what ``make_plan`` did before) and the plan's way, by strategy only
(:data:`micromix.plan.build.PLAN_LIFETIME_DIMENSIONS`). Prints the median seconds of each, the
ratio, whether the lifetime table by strategy is the same (to 1e-9), the machine, the load average and
the peak memory. No asserts.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=30_000)
    ap.add_argument("--days", type=int, default=56)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import pandas as pd

    from micromix.ingest.market import load_market
    from micromix.plan import gather_evidence
    from micromix.plan.build import PLAN_LIFETIME_DIMENSIONS, PLAN_PARTS
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    times: dict[str, list[float]] = {"every dimension": [], "by strategy": []}
    tables = {}
    with Store.open(":memory:") as st:
        load_market(st, simulate(SimConfig(users=args.users, days=args.days, seed=args.seed)))
        for _ in range(args.repeat):
            for name, dims in (
                ("every dimension", None),
                ("by strategy", PLAN_LIFETIME_DIMENSIONS),
            ):
                t0 = time.perf_counter()
                ev = gather_evidence(st, seed=args.seed, parts=PLAN_PARTS, lifetime_dimensions=dims)
                times[name].append(time.perf_counter() - t0)
                tables[name] = (ev.lifetime or {}).get("strategy")
    base, new = (statistics.median(times[k]) for k in ("every dimension", "by strategy"))
    a, b = tables["every dimension"], tables["by strategy"]
    try:  # equal up to floating-point summation order (two runs of either way differ by ~1e-12)
        pd.testing.assert_frame_equal(a, b, rtol=1e-9)
        same = True
    except (AssertionError, TypeError):
        same = False
    print(f"market: {args.users:,} users, {args.days} days, seed {args.seed}")
    print(f"evidence for a plan, lifetime by every dimension (baseline): {base:.2f} s (median)")
    print(f"evidence for a plan, lifetime by strategy only:              {new:.2f} s (median)")
    print(f"ratio: {base / new:.2f}x faster; lifetime by strategy equal (rtol 1e-9): {same}")
    print(pd.Series({k: [round(x, 2) for x in v] for k, v in times.items()}).to_string())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cpus, python {sys.version.split()[0]}; "
        f"load average {os.getloadavg()}; peak memory {peak:,.0f} MB"
    )


if __name__ == "__main__":
    main()
