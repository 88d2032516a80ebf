"""Tuning the plan's decision rule on simulated markets, cheaply: the evidence once, the rule many times.

Run::

    python benchmarks/tune_plan.py cache --users 30000,50000,100000 --seeds 0-9 --holdout d,0.5
    python benchmarks/tune_plan.py sweep --grid '{"RULE": ["separated", "reconciled"]}' [--runs]

``cache`` simulates each market (``SimConfig`` defaults, ``--days`` 56; holdout ``d`` = the
simulator's default, or a share for every channel), stores it in ``CACHE/<tag>.duckdb`` and
keeps the holdout comparison (``compare ugc-vs-paid``, 200 bootstrap draws, seeded like
``micromix plan``). ``sweep`` then sets the plan's module constants (``PRIOR_SPREAD`` of
:mod:`micromix.plan.returns`; ``TRUST_REGION``, ``MAX_LOSS_PROBABILITY`` of
:mod:`micromix.plan.allocate`) and the rule that says which pairs of strategies money may move
along (``RULE``, with ``DECISION_LEVEL``) to each combination of the grid, rebuilds the
reallocation as ``micromix plan`` does from the cached holdouts (all paid strategies have
holdouts, so the mix model does not enter the decision) and prints, per combination, the mean
share of the true optimum's gain captured, the runs that lowered the true revenue, the pairs
whose order contradicts the simulator's true incremental ROAS, and the mean per holdout and size.

Rules (the allocation moves money only along the pairs and never from the better to the worse):

* ``separated`` — what ``micromix plan`` does: pairs whose 95% holdout intervals do not overlap;
* ``raw`` — a one-sided test of the difference of the two holdout estimates at
  ``DECISION_LEVEL``, standard error ``sqrt(se_a**2 + se_b**2)`` read off the intervals;
* ``reconciled`` — the same test on the reconciled (shrunk, non-negative) returns.

Every rule keeps the separated pairs. Tuning only: the figures to report come from
``benchmarks/bench_plan.py`` on other seeds.
"""

from __future__ import annotations

import argparse
import glob
import itertools
import json
import math
import os
import pickle
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def cache(
    folder: Path, users: list[int], seeds: list[int], holdouts: list[str], days: int = 56
) -> None:
    from micromix.ingest.market import load_market
    from micromix.metrics.compare import compare_strategies
    from micromix.plan.build import horizon_days
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    folder.mkdir(parents=True, exist_ok=True)
    for u, h, s in itertools.product(users, holdouts, seeds):
        tag = f"u{u}_s{s}_h{h}" + ("" if days == 56 else f"_d{days}")
        if (folder / f"{tag}.pkl").exists():
            continue
        cfg = SimConfig(users=u, days=days, seed=s)
        if h != "d":
            cfg = cfg.with_(channels=tuple(replace(c, holdout=float(h)) for c in cfg.channels))
        db = folder / f"{tag}.duckdb"
        db.unlink(missing_ok=True)
        with Store.open(db) as st:
            load_market(st, simulate(cfg), consume=True)
            res = compare_strategies(st, "ugc-vs-paid", n_boot=200, level=0.95, seed=s)
            days = horizon_days(st)
        with open(folder / f"{tag}.pkl", "wb") as fh:
            pickle.dump({"table": res.table, "days": days}, fh)
        print(tag, flush=True)


def _tested_pairs(t: pd.DataFrame, est: str, sd: np.ndarray, level: float) -> list[tuple[str, str]]:
    from scipy import stats

    z = float(stats.norm.ppf(level))
    ok = t[est].notna().to_numpy() & np.isfinite(sd)
    names, x, s = list(t["strategy"][ok]), t[est].to_numpy(float)[ok], sd[ok]
    return [
        (a, b)
        for i, a in enumerate(names)
        for j, b in enumerate(names)
        if i != j and x[i] - x[j] > z * math.hypot(s[i], s[j])
    ]


def pairs(ret: Any, rule: str, level: float) -> list[tuple[str, str]]:
    """The (better, worse) pairs money may move along under ``rule`` (see the module)."""
    t = ret.table[ret.table["evidence"] == "holdout"]
    if rule == "separated":
        out = []
    elif rule == "raw":
        se = ((t["holdout_high"] - t["holdout_low"]) / (2 * 1.959963984540054)).to_numpy(float)
        out = _tested_pairs(t, "holdout_roas", se, level)
    elif rule == "reconciled":
        out = _tested_pairs(t, "roas", t["roas_sd"].to_numpy(float), level)
    else:
        raise SystemExit(f"unknown RULE {rule!r}; use separated, raw or reconciled")
    return out + [p for p in ret.separated if p not in out]


def _oracle(t: pd.DataFrame) -> pd.DataFrame:
    """The table with every holdout estimate replaced by the simulator's truth (+-0.01)."""
    t = t.copy()
    ok = t["true_incremental_roas"].notna() & t["incremental_roas"].notna()
    truth = t.loc[ok, "true_incremental_roas"].astype(float)
    t.loc[ok, "incremental_roas"] = truth
    t.loc[ok, "incremental_roas_low"] = truth - 0.01
    t.loc[ok, "incremental_roas_high"] = truth + 0.01
    return t


def evaluate(
    folder: Path, tag: str, rule: str = "separated", level: float = 0.9, oracle: bool = False
) -> dict:
    import micromix.plan.allocate as A
    import micromix.plan.returns as R
    from micromix.plan.truth import simulated_truth
    from micromix.store import Store

    seed = int(tag.split("_s")[1].split("_")[0])
    with open(folder / f"{tag}.pkl", "rb") as fh:
        d = pickle.load(fh)
    t = _oracle(d["table"]) if oracle else d["table"]
    ret = R.strategy_returns(t, None, t.set_index("strategy")["spend"].astype(float), level=0.95)
    moves = pairs(ret, rule, level)
    # the allocation moves money along ``separated`` and enforces their order: give it the pairs
    plan = A.reallocate(replace(ret, separated=moves), None, horizon_days=d["days"], seed=seed)
    with Store.open(folder / f"{tag}.duckdb", read_only=True) as st:
        tr = simulated_truth(
            st, plan.strategies, plan.current, plan.recommended, horizon_days=d["days"]
        )
    assert tr is not None
    cur, rec, opt = (
        tr.current_incremental_revenue,
        tr.recommended_incremental_revenue,
        tr.optimal_incremental_revenue,
    )
    true = t.set_index("strategy")["true_incremental_roas"]
    return {
        "tag": tag,
        "current": cur,
        "plan": rec,
        "optimum": opt,
        "captured": (rec - cur) / (opt - cur) if opt - cur > 1e-9 else math.nan,
        "lowered": bool(rec < cur - 1e-6 * abs(cur)),
        "pairs": len(moves),
        "wrong": sum(bool(true.get(a, np.nan) < true.get(b, np.nan)) for a, b in moves),
        "kept": plan.scaled_back,
    }


def sweep(
    folder: Path, grid: dict[str, list], pattern: str, show_runs: bool, oracle: bool = False
) -> None:
    import micromix.plan.allocate as A
    import micromix.plan.returns as R

    tags = sorted(Path(p).stem for p in glob.glob(str(folder / f"{pattern}.pkl")))
    for combo in itertools.product(*grid.values()):
        params = dict(zip(grid, combo))
        rule, level = str(params.get("RULE", "separated")), float(params.get("DECISION_LEVEL", 0.9))
        for k, v in params.items():
            if k not in ("RULE", "DECISION_LEVEL"):
                setattr(R if hasattr(R, k) else A, k, tuple(v) if isinstance(v, list) else v)
        df = pd.DataFrame([evaluate(folder, tag, rule, level, oracle) for tag in tags])
        if show_runs:
            print(df.to_string())
        parts = df["tag"].str.split("_")
        by = df.groupby([parts.str[2], parts.str[0]])["captured"].mean()
        cells = " ".join(f"{h}/{u}:{v:.2f}" for (h, u), v in by.items())
        print(
            f"{params} mean captured {df['captured'].mean():.1%}, lowered "
            f"{int(df['lowered'].sum())}/{len(df)}, wrong pairs "
            f"{int(df['wrong'].sum())}/{int(df['pairs'].sum())} | {cells}",
            flush=True,
        )
    print(f"load average {os.getloadavg()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["cache", "sweep"])
    ap.add_argument("--cache", default="/tmp/micromix_tune_plan")
    ap.add_argument("--users", default="30000")
    ap.add_argument("--seeds", default="0-9")
    ap.add_argument("--days", type=int, default=56)
    ap.add_argument(
        "--holdout", default="d", help="d (simulator default) or shares, comma-separated"
    )
    ap.add_argument("--grid", default='{"RULE": ["separated"]}')
    ap.add_argument("--pattern", default="*", help="glob over cached tags, e.g. 'u100000_*'")
    ap.add_argument("--runs", action="store_true", help="print every run")
    ap.add_argument(
        "--oracle",
        action="store_true",
        help="feed the rule the simulator's true incremental ROAS instead of the holdouts' "
        "(what the decision machinery could capture with perfect evidence)",
    )
    args = ap.parse_args()
    folder = Path(args.cache)
    if args.what == "cache":
        users = [int(u) for u in args.users.split(",")]
        cache(folder, users, _seeds(args.seeds), args.holdout.split(","), args.days)
    else:
        sweep(folder, json.loads(args.grid), args.pattern, args.runs, args.oracle)


if __name__ == "__main__":
    main()
