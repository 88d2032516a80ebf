"""Benchmark: BudgetOptimizer on 20 known concave response curves vs the analytic optimum.

Run::

    python benchmarks/bench_optimize.py [--quick]

For Hill curves with slope 1, ``f(x) = v x / (x + h)``, the optimum of a fixed budget has a
closed form given the Lagrange multiplier (``x = sqrt(v h / lam) - h``), found here by
bisection to machine precision. Each problem has 20 channels with random curves and a random
budget. Baselines in the same run: SciPy SLSQP from an equal split (what one would write by
hand) and the equal split itself. Also exercises bounds + locks + minimum spends. Prints the
share of the optimum reached, wall time per solve, peak memory and the machine. No asserts.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time

import numpy as np
from scipy import optimize

from micromix.measurement.mmm import single_threaded_blas
from micromix.optimize import BudgetOptimizer, CurveResponse


def true_optimum(vmax: np.ndarray, half: np.ndarray, budget: float) -> np.ndarray:
    def alloc(lam: float) -> np.ndarray:
        return np.maximum(np.sqrt(vmax * half / lam) - half, 0.0)

    lo, hi = 1e-15, 1e9
    for _ in range(500):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if alloc(mid).sum() > budget else (lo, mid)
    return alloc(np.sqrt(lo * hi))


def slsqp_baseline(model: CurveResponse, budget: float, n: int) -> np.ndarray:
    x0 = np.full(n, budget / n)
    res = optimize.minimize(
        lambda x: -float(model.response(x)),
        x0,
        method="SLSQP",
        bounds=[(0, budget)] * n,
        constraints=[{"type": "eq", "fun": lambda x: x.sum() - budget}],
        options={"maxiter": 500},
    )
    return res.x


def simulator_section() -> None:
    """The lead's simulator exposes its true response curves; optimise over them too."""
    try:
        from micromix.simulate import SimConfig, simulate
    except ImportError:
        print("simulator: micromix.simulate not available")
        return
    from micromix.optimize.budget import current_spend

    market = simulate(SimConfig(users=2000, days=28, seed=1))
    tr = market.true_response() if callable(market.true_response) else market.true_response
    cur = current_spend(tr)
    assert cur is not None
    budget = float(cur.sum())
    t0 = time.perf_counter()
    a = BudgetOptimizer(tr).allocate(budget)
    el = time.perf_counter() - t0
    scale = tr.users / 1000 * tr.days
    v = np.array([s.beta for s in tr.specs]) * tr.order_value * scale
    k = np.array([s.k for s in tr.specs]) * scale
    best = float(np.ravel(tr.response(true_optimum(v, k, budget)))[0])
    now = float(np.ravel(tr.response(cur))[0])
    print(
        f"simulator truth ({len(tr.channels)} channels): {100 * a.outcome / best:.4f}% of the "
        f"optimum in {el:.3f} s; current mix reaches {100 * now / best:.2f}%"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10 problems instead of 50")
    args = ap.parse_args(argv)
    n_problems = 10 if args.quick else 50
    n = 20
    rng = np.random.default_rng(2026)
    rows: dict[str, list[tuple[float, float]]] = {"micromix": [], "scipy SLSQP": [], "equal": []}
    BudgetOptimizer(CurveResponse.hill(["a", "b"], vmax=[1, 1], half=[1, 1])).allocate(1.0)
    for _ in range(n_problems):
        vmax = rng.uniform(50, 5000, n)
        half = rng.uniform(100, 20000, n)
        budget = float(rng.uniform(0.2, 3.0) * half.sum())
        model = CurveResponse.hill([f"ch{i}" for i in range(n)], vmax=vmax, half=half)
        best = float(model.response(true_optimum(vmax, half, budget)))
        t0 = time.perf_counter()
        a = BudgetOptimizer(model).allocate(budget)
        rows["micromix"].append((a.outcome / best, time.perf_counter() - t0))
        t0 = time.perf_counter()
        with single_threaded_blas():  # same BLAS setting as micromix, for a fair time
            x = slsqp_baseline(model, budget, n)
        rows["scipy SLSQP"].append((float(model.response(x)) / best, time.perf_counter() - t0))
        rows["equal"].append((float(model.response(np.full(n, budget / n))) / best, 0.0))
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"python {platform.python_version()}"
    )
    print(f"{n_problems} problems x {n} channels (Hill curves, slope 1, analytic optimum)\n")
    print(f"{'method':<14} {'min % opt':>10} {'mean % opt':>11} {'median s':>9} {'max s':>7}")
    for name, vals in rows.items():
        share = [v[0] for v in vals]
        secs = [v[1] for v in vals]
        print(
            f"{name:<14} {100 * min(share):>10.4f} {100 * statistics.mean(share):>11.4f} "
            f"{statistics.median(secs):>9.4f} {max(secs):>7.4f}"
        )
    ratio = statistics.median(v[1] for v in rows["micromix"]) / statistics.median(
        v[1] for v in rows["scipy SLSQP"]
    )
    print(f"\ntime ratio micromix / SLSQP (median): {ratio:.3f}")
    # constrained problem: bounds, locks, minimums
    vmax = rng.uniform(50, 5000, n)
    half = rng.uniform(100, 20000, n)
    model = CurveResponse.hill([f"ch{i}" for i in range(n)], vmax=vmax, half=half)
    budget = float(half.sum())
    opt = BudgetOptimizer(
        model,
        bounds={"ch0": (0, 1000), "ch1": (5000, 50000)},
        locked={"ch2": 3000.0},
        min_spend={"ch3": 8000.0},
    )
    t0 = time.perf_counter()
    a = opt.allocate(budget)
    el = time.perf_counter() - t0
    print(
        f"constrained (bounds, lock, minimum): {el:.4f} s, budget used {a.budget:,.2f} of "
        f"{budget:,.2f}, ch0={a.spend[0]:,.0f} (<=1000) ch1={a.spend[1]:,.0f} (>=5000) "
        f"ch2={a.spend[2]:,.0f} (=3000) ch3={a.spend[3]:,.0f} (>=8000)"
    )
    goal = a.ratio  # the ROAS of the optimal plan at this budget: the search should return it
    t0 = time.perf_counter()
    target = opt.budget_for_target(target_roas=goal, max_budget=budget * 5)
    print(
        f"target ROAS {goal:.4f} (that of the budget {budget:,.0f}): found budget "
        f"{target.budget:,.0f}, ROAS {target.ratio:.4f} in {time.perf_counter() - t0:.3f} s"
    )
    simulator_section()
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
