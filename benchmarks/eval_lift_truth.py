"""Do the holdout estimates of incremental ROAS cover the simulator's truth? (accuracy, not speed)

Usage::

    python benchmarks/eval_lift_truth.py                         # 40,000 users, seeds 0-7
    python benchmarks/eval_lift_truth.py --users 100000 --seeds 7 --level 0.95
    python benchmarks/eval_lift_truth.py --seeds 0-29 --channels-only   # fast: no store

For each seed it simulates the demo's market design (56 days, every channel's lift test holding
out ``--holdout`` of its eligible users, the ``micromix demo`` default 0.5), stores it in an
in-memory DuckDB exactly as ``micromix demo`` does (:func:`micromix.ingest.market.load_market`)
and runs :func:`micromix.metrics.compare.compare_strategies` for every comparison. Per strategy
group it prints the estimate, its interval, the truth (``ground_truth``), whether the interval
covers it and the standardised error ``(estimate - truth) / (half-width / z)``; then, over all
seeds, per comparison and overall: the share of intervals that cover the truth (nominal
``--level``), the mean standardised error (0 if unbiased), and how many estimates fell below
the truth.

It also prints the same check one level down, straight from the simulator's tables without
the store or ``compare_strategies``: per channel, the difference in mean revenue per user
between the arms times the treated users (:func:`micromix.measurement.analyze_experiment`:
CUPED on the pre-period, Welch interval) against the channel's ``incremental_revenue`` in
``ground_truth``. If that check covers at the nominal rate and the estimator does not, the
estimator is wrong; if neither does, the truth and the experiments measure different things;
if both cover over many seeds, a miss on one seed is chance.

Prints the machine, the load average and the peak memory; no asserts (the tests are
``tests/simulate/test_simulate_lift_truth.py`` and ``tests/metrics/test_metrics_compare.py``).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import resource
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats

from micromix.ingest.market import load_market
from micromix.measurement import analyze_experiment
from micromix.metrics.compare import COMPARISONS, compare_strategies
from micromix.simulate import Market, SimConfig, simulate
from micromix.store import Store


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def market_config(users: int, seed: int, holdout: float, days: int = 56) -> SimConfig:
    """The demo's market design at another size and seed."""
    cfg = SimConfig(users=users, days=days, seed=seed)
    return cfg.with_(channels=tuple(dataclasses.replace(c, holdout=holdout) for c in cfg.channels))


def channel_check(market: Market, level: float) -> pd.DataFrame:
    """Per channel: its lift test read by :func:`~micromix.measurement.analyze_experiment`
    (Welch difference in mean revenue per user, CUPED on the pre-period) times the treated
    users, against the channel's ``incremental_revenue`` in ``ground_truth``."""
    truth = market.ground_truth.groupby("channel")["incremental_revenue"].sum()
    rows = []
    for cid, e in market.experiments.groupby("campaign_id", observed=True):
        res = analyze_experiment(
            e.assign(arm=e["arm"].astype(str)),
            arm_col="arm",
            outcome="revenue",
            covariate="pre_period",
            alpha=1 - level,
        )
        r = res.effects.iloc[0]
        nt = float(r["n"])
        est, lo, hi = r["cuped_diff"] * nt, r["cuped_ci_lo"] * nt, r["cuped_ci_hi"] * nt
        tr = float(truth[cid])
        rows.append(
            {
                "channel": cid,
                "estimate": est,
                "low": lo,
                "high": hi,
                "truth": tr,
                "covered": bool(lo <= tr <= hi),
                "z": (est - tr) / (r["cuped_se"] * nt),
            }
        )
    return pd.DataFrame(rows)


def one_seed(
    users: int, seed: int, holdout: float, level: float, n_boot: int, channels_only: bool
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    t0 = time.perf_counter()
    market = simulate(market_config(users, seed, holdout))
    raw = channel_check(market, level)
    raw.insert(0, "seed", seed)
    rows = []
    if not channels_only:
        z = stats.norm.ppf(0.5 + level / 2)
        with Store.open(":memory:") as st:
            load_market(st, market)
            for name in COMPARISONS:
                tab = compare_strategies(st, name, level=level, n_boot=n_boot, seed=seed).table
                tab = tab.dropna(subset=["incremental_roas", "true_incremental_roas"])
                for _, r in tab.iterrows():
                    half = (r["incremental_roas_high"] - r["incremental_roas_low"]) / 2
                    rows.append(
                        {
                            "seed": seed,
                            "comparison": name,
                            "group": r["strategy"],
                            "spend": r["experiment_spend"],
                            "estimate": r["incremental_roas"],
                            "low": r["incremental_roas_low"],
                            "high": r["incremental_roas_high"],
                            "truth": r["true_incremental_roas"],
                            "covered": bool(r["truth_in_interval"]),
                            "z": (r["incremental_roas"] - r["true_incremental_roas"]) / (half / z)
                            if half > 0
                            else np.nan,
                        }
                    )
    return pd.DataFrame(rows), raw, time.perf_counter() - t0


def _summary(df: pd.DataFrame, by: str | None) -> pd.DataFrame:
    g = df.groupby(by) if by else df.groupby(lambda _: "all")
    out = pd.DataFrame(
        {
            "n": g.size(),
            "coverage": g["covered"].mean(),
            "mean_z": g["z"].mean(),
            "sd_z": g["z"].std(),
            "below_truth": g.apply(lambda d: int((d["estimate"] < d["truth"]).sum())),
        }
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=40_000)
    ap.add_argument("--seeds", default="0-7")
    ap.add_argument("--holdout", type=float, default=0.5)
    ap.add_argument("--level", type=float, default=0.9)
    ap.add_argument("--n-boot", type=int, default=400)
    ap.add_argument("--channels-only", action="store_true", help="skip the store and estimator")
    ap.add_argument("--quiet", action="store_true", help="summaries only")
    args = ap.parse_args()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 500)
    groups, raws, secs = [], [], []
    for seed in _seeds(args.seeds):
        g, raw, s = one_seed(
            args.users, seed, args.holdout, args.level, args.n_boot, args.channels_only
        )
        groups.append(g)
        raws.append(raw)
        secs.append(s)
        if not args.quiet:
            if len(g):
                print(g.round(3).to_string(index=False))
            print(raw.round(2).to_string(index=False), flush=True)
    print(
        f"\n{args.users:,} users x 56 days, holdout {args.holdout}, seeds {args.seeds}, "
        f"{args.level:.0%} intervals, {np.median(secs):.1f} s per seed (median)"
    )
    raw_all = pd.concat(raws, ignore_index=True)
    if not args.channels_only:
        g_all = pd.concat(groups, ignore_index=True)
        print("\nestimator (compare_strategies), per comparison:")
        print(_summary(g_all, "comparison").round(3).to_string())
        print("\nestimator, per group:")
        print(_summary(g_all, "group").round(3).to_string())
        print("\nestimator, all groups:")
        print(_summary(g_all, None).round(3).to_string())
    print("\nper channel, without the store (analyze_experiment, CUPED, Welch interval):")
    print(_summary(raw_all, None).round(3).to_string())
    by_seed = raw_all.groupby("seed")["z"].mean()
    worst = int(by_seed.idxmin())
    print(
        f"mean standardised error per seed: sd {by_seed.std():.3f} (independent channels: "
        f"{1 / np.sqrt(raw_all['channel'].nunique()):.3f}); lowest {by_seed.min():.3f} "
        f"(seed {worst}); highest {by_seed.max():.3f} (seed {int(by_seed.idxmax())})"
    )
    tot = raw_all.groupby("seed")[["estimate", "truth"]].sum()
    ratio = tot["estimate"] / tot["truth"]
    print(
        f"all channels' estimate / truth per seed: median {ratio.median():.2f}, 5-95% "
        f"{ratio.quantile(0.05):.2f} to {ratio.quantile(0.95):.2f}"
    )
    if len(by_seed) >= 10:
        corr = raw_all.pivot(index="seed", columns="channel", values="z").corr().to_numpy()
        k = len(corr)
        print(
            "mean correlation of two channels' errors over seeds: "
            f"{(corr.sum() - k) / (k * (k - 1)):.3f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n{platform.machine()} {platform.system()}, {os.cpu_count()} cores, "
        f"python {sys.version.split()[0]}; load average {os.getloadavg()}; "
        f"peak memory {peak:,.0f} MB"
    )


if __name__ == "__main__":
    main()
