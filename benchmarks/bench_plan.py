"""Benchmark: the decision quality of ``micromix plan`` on simulated markets with known truth.

Run::

    python benchmarks/bench_plan.py [--seeds 0-9] [--users 30000,100000] [--days 56]
                                    [--n-boot 200] [--budget-scale 1.0] [--holdout SHARE]

For every seed and size, simulate a market (``SimConfig`` defaults otherwise), store it, build
the plan exactly as ``micromix plan`` does, and read off the simulator's true incremental revenue
(its true response curves over the plan's horizon) of the current mix, of the plan's
recommendation and of the true optimum over the same decision space (spend per strategy, the
same budget). Prints, per run: those three figures, the plan's gain, the optimum's gain, the
share captured, whether the plan lowered the true revenue, whether it moved money against a
pair of strategies its holdouts separate, and the seconds taken. The natural baseline is
"keep the current mix" (gain 0, captured 0%) and, beside it, the mix model's own reallocation
of the same budget judged against the same truth. Ends with the mean share captured, the
machine, the load average and the peak memory. No asserts.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import replace

import numpy as np


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += list(range(int(a), int(b) + 1))
        elif part.strip():
            out.append(int(part))
    return out


def one_run(
    users: int, days: int, seed: int, n_boot: int, budget_scale: float, holdout: float | None
) -> dict:
    from micromix.ingest.market import load_market
    from micromix.plan import make_plan
    from micromix.plan.truth import true_strategy_response
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    t0 = time.perf_counter()
    cfg = SimConfig(users=users, days=days, seed=seed)
    if holdout is not None:
        cfg = cfg.with_(channels=tuple(replace(c, holdout=holdout) for c in cfg.channels))
    market = simulate(cfg)
    with Store.open(":memory:") as st:
        load_market(st, market)
        del market
        cur_total = None
        plan = None
        if budget_scale != 1.0:
            probe = make_plan(st, n_boot=20, seed=seed)
            cur_total = probe.reallocation.budget * budget_scale
        plan = make_plan(st, budget=cur_total, n_boot=n_boot, seed=seed)
        r = plan.reallocation
        truth = plan.truth
        assert truth is not None
        model = true_strategy_response(st, horizon_days=r.horizon_days)
        assert model is not None
        pos = {s: i for i, s in enumerate(model.channels)}
        mix_rev = math.nan
        if plan.mix_only:
            x = np.zeros(len(pos))
            for s, v in plan.mix_only.items():
                if s in pos:
                    x[pos[s]] = v
            mix_rev = float(model.response(x))
    sep = plan.returns.separated
    moved_against = [
        (a, b)
        for a, b in sep
        if r.recommended[r.strategies.index(a)] < r.current[r.strategies.index(a)] - 1e-6
        and r.recommended[r.strategies.index(b)] > r.current[r.strategies.index(b)] + 1e-6
    ]
    cur, rec, opt = (
        truth.current_incremental_revenue,
        truth.recommended_incremental_revenue,
        truth.optimal_incremental_revenue,
    )
    return {
        "users": users,
        "seed": seed,
        "budget": r.budget,
        "current": cur,
        "plan": rec,
        "optimum": opt,
        "mix_model": mix_rev,
        "plan_gain": rec - cur,
        "optimal_gain": opt - cur,
        "captured": (rec - cur) / (opt - cur) if opt - cur > 1e-9 else math.nan,
        "expected_gain": r.gain,
        "lowered": rec < cur - 1e-6,
        "against_holdouts": len(moved_against),
        "separated_pairs": len(sep),
        "seconds": time.perf_counter() - t0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--users", default="30000")
    ap.add_argument("--days", type=int, default=56)
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--budget-scale", type=float, default=1.0)
    ap.add_argument(
        "--holdout", type=float, default=None, help="Override every channel's holdout share."
    )
    args = ap.parse_args()
    rows = []
    head = (
        f"{'users':>7} {'seed':>4} {'budget':>9} {'current':>10} {'plan':>10} {'optimum':>10} "
        f"{'mix only':>10} {'plan gain':>9} {'opt gain':>9} {'captured':>8} {'lowered':>7} "
        f"{'against':>7} {'sep':>3} {'secs':>5}"
    )
    print(head, flush=True)
    for users in (int(u) for u in args.users.split(",")):
        for seed in _seeds(args.seeds):
            row = one_run(users, args.days, seed, args.n_boot, args.budget_scale, args.holdout)
            rows.append(row)
            cap = "n/a" if math.isnan(row["captured"]) else f"{row['captured']:.0%}"
            print(
                f"{users:>7} {seed:>4} {row['budget']:>9,.0f} {row['current']:>10,.0f} "
                f"{row['plan']:>10,.0f} {row['optimum']:>10,.0f} {row['mix_model']:>10,.0f} "
                f"{row['plan_gain']:>+9,.0f} {row['optimal_gain']:>+9,.0f} {cap:>8} "
                f"{'YES' if row['lowered'] else 'no':>7} {row['against_holdouts']:>7} "
                f"{row['separated_pairs']:>3} {row['seconds']:>5.0f}",
                flush=True,
            )
    caps = [r["captured"] for r in rows if not math.isnan(r["captured"])]
    mix_caps = [
        (r["mix_model"] - r["current"]) / r["optimal_gain"]
        for r in rows
        if r["optimal_gain"] > 1e-9 and not math.isnan(r["mix_model"])
    ]
    print()
    print(f"runs: {len(rows)}; plan lowered the true revenue in {sum(r['lowered'] for r in rows)}")
    print(f"moves against separating holdouts: {sum(r['against_holdouts'] for r in rows)}")
    if caps:
        print(
            f"share of the optimum's gain captured: mean {statistics.mean(caps):.1%}, "
            f"median {statistics.median(caps):.1%}, min {min(caps):.1%}, max {max(caps):.1%}"
        )
    if mix_caps:
        print(
            f"baseline, the mix model's own reallocation: mean {statistics.mean(mix_caps):.1%} "
            f"of the optimum's gain (min {min(mix_caps):.1%}); keeping the current mix: 0%"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cpus, "
        f"python {sys.version.split()[0]}; load average {os.getloadavg()}; "
        f"peak memory {peak:,.0f} MB"
    )


if __name__ == "__main__":
    main()
