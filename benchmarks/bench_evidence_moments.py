"""Surge precision / recall of the report's moments section on simulated markets.

Run ``python benchmarks/bench_evidence_moments.py [--users 100000 --days 56 --seeds 7 8 9]``.

For each seed a market is simulated and stored, then the moments part of the evidence is
computed the way the report does (``plan.gather_evidence(store, parts=("moments",))``) and,
in the same run, the baseline: :func:`micromix.moments.moment_summary` with topics learned from
the queries (what the report did before it passed the simulator's topics). The injected
``surges`` are the truth. Prints precision, recall, bursts found and the time of each.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time

from micromix.ingest.market import load_market
from micromix.moments import moment_summary
from micromix.plan import gather_evidence
from micromix.simulate import SimConfig, simulate
from micromix.store import Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=56)
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    args = ap.parse_args()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, load {os.getloadavg()}")
    rows: dict[str, list[tuple[float, float]]] = {"evidence": [], "learned topics": []}
    for seed in args.seeds:
        st = Store.open(":memory:")
        load_market(st, simulate(SimConfig(users=args.users, days=args.days, seed=seed)))
        t0 = time.perf_counter()
        ev = gather_evidence(st, seed=seed, parts=("moments",))
        t_ev = time.perf_counter() - t0
        assert ev.moments is not None, ev.notes
        t0 = time.perf_counter()
        base = moment_summary(st, seed=seed)
        t_base = time.perf_counter() - t0
        for name, s, secs in (
            ("evidence", ev.moments, t_ev),
            ("learned topics", base, t_base),
        ):
            sc = s.scores
            rows[name].append((sc["precision"], sc["recall"]))
            print(
                f"seed {seed} {name:>15}: precision {sc['precision']:.3f} recall "
                f"{sc['recall']:.3f} ({sc['true_positives']}/{sc['bursts_found']} bursts, "
                f"{sc['surges']} surges) {secs:.1f} s"
            )
        st.close()
    for name, vals in rows.items():
        p = statistics.median(v[0] for v in vals)
        r = statistics.median(v[1] for v in vals)
        print(f"median {name:>15}: precision {p:.3f} recall {r:.3f}")
    evp = statistics.median(v[0] for v in rows["evidence"])
    bp = statistics.median(v[0] for v in rows["learned topics"])
    print(f"precision ratio evidence / learned topics: {evp / bp:.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MiB; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
