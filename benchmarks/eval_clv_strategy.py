"""How well ``clv by-strategy`` recovers the simulator's truth (accuracy, not speed).

Usage::

    python benchmarks/eval_clv_strategy.py                # seeds 1-3: auto-bg (default), BG/NBD
    python benchmarks/eval_clv_strategy.py --seeds 4,5,6 --models auto-bg,bgnbd,mbgnbd,pareto

For each seed it simulates a marketing-heavy market (60,000 users, 42 campaign days + 182
observed days, baseline demand 0.0002 a day, every channel's effect x4: the markets of
``tests/clv/test_clv_returns.py``), runs :func:`micromix.clv.lifetime_returns` by strategy and
by targeting, and compares each group's predicted mean CLV over 52 weeks with the truth: the
mean of the simulator's ``expected_clv_52w`` over the same customers. It prints every group,
then per model the median and worst ratio predicted / true, the share of 90% intervals that
contain the truth, the rank correlation and the median time of one ``lifetime_returns`` call.
The intervals are predictive (parameter draws and each customer's latent state given their
history, :func:`micromix.clv.latent_total_draws`), like the truth. Seeds 1-3 were used to
choose the method; seeds 4-6 are held out (evaluate, never tune).

It also prints, on the default market (100,000 users, 56 + 182 days), how often each
acquisition basis (first purchase, first touch) names the strategy that truly acquired the
customer, and the incremental lifetime ROAS from the holdouts against the same estimate made
with the simulator's true CLVs.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import resource
import statistics
import time

import numpy as np
import pandas as pd
from scipy import stats

from micromix.clv import (
    acquisition_groups,
    incremental_lifetime,
    lifetime_returns,
    summary_from_daily,
    transactions_from_store,
)
from micromix.ingest.market import load_market
from micromix.simulate import SimConfig, simulate
from micromix.simulate.config import DEFAULT_CHANNELS
from micromix.store import Store


def _heavy(seed: int) -> Store:
    channels = tuple(dataclasses.replace(c, beta=c.beta * 4) for c in DEFAULT_CHANNELS)
    cfg = SimConfig(
        users=60_000,
        days=42,
        seed=seed,
        observe_days=182,
        base_purchase_rate=0.0002,
        channels=channels,
    )
    st = Store.open(":memory:")
    load_market(st, simulate(cfg))
    return st


def recovery(seeds: list[int], models: list[str]) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        st = _heavy(seed)
        truth = st.read("clv_truth").set_index("user_id")
        for by in ("strategy", "targeting"):
            groups = acquisition_groups(st, by=by)
            true = truth.join(groups.rename("grp")).groupby("grp")["expected_clv_52w"].mean()
            for model in models:
                t0 = time.perf_counter()
                tab = lifetime_returns(st, by=by, model=model, horizon=52)
                secs = time.perf_counter() - t0
                tab["true"] = tab["group"].map(true)
                ok = tab.dropna(subset=["clv_mean"])
                rho = stats.spearmanr(ok["clv_mean"], ok["true"]).statistic
                for _, r in ok.iterrows():
                    rows.append(
                        {
                            "seed": seed, "by": by, "model": model, "chosen": r["model"],
                            "group": r["group"],
                            "customers": r["customers"], "pred": r["clv_mean"],
                            "low": r["clv_mean_low"], "high": r["clv_mean_high"],
                            "true": r["true"], "rho": rho, "secs": secs,
                        }
                    )  # fmt: skip
        st.close()
    df = pd.DataFrame(rows)
    df["ratio"] = df["pred"] / df["true"]
    df["covered"] = (df["low"] <= df["true"]) & (df["true"] <= df["high"])
    return df


def default_market() -> None:
    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=100_000, days=56, seed=1, observe_days=182)))
    truth = st.read("clv_truth").set_index("user_id")
    for basis in ("first-purchase", "first-touch"):
        g = acquisition_groups(st, by="strategy", basis=basis)
        j = truth.join(g.rename("label"))
        won = j[j["strategy"] != "direct"]
        print(
            f"default market, basis {basis}: label = true strategy for "
            f"{(j['label'] == j['strategy']).mean():.1%} of customers, for "
            f"{(won['label'] == won['strategy']).mean():.1%} of those a channel or user "
            "content won"
        )
    by = "targeting"
    t = lifetime_returns(st, by=by, horizon=52, n_draws=50)
    summary = summary_from_daily(transactions_from_store(st))
    plug = incremental_lifetime(st, summary, truth["expected_clv_52w"], by=by).set_index("group")
    est = t.set_index("group").loc[plug.index]
    print("incremental lifetime ROAS by targeting (predicted CLV vs true CLV plug-in):")
    print(
        pd.DataFrame(
            {
                "estimate": est["incremental_lifetime_roas"],
                "low": est["incremental_lifetime_roas_low"],
                "high": est["incremental_lifetime_roas_high"],
                "with_true_clv": plug["incremental_lifetime_roas"],
                "experiments": plug["experiments"],
            }
        ).round(2)
    )
    st.close()


def demo_timing(repeats: int = 3) -> None:
    """One ``lifetime_returns`` call by strategy on the demo's market: the default (``auto-bg``:
    two fits per group and the predictive intervals) against the old default's model (BG/NBD),
    in the same run; medians of ``repeats`` calls."""
    from micromix.plan.demo import demo_config

    st = Store.open(":memory:")
    load_market(st, simulate(demo_config()))
    secs: dict[str, float] = {}
    for model in ("bgnbd", "auto-bg"):
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            lifetime_returns(st, by="strategy", model=model)
            runs.append(time.perf_counter() - t0)
        secs[model] = statistics.median(runs)
    st.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"demo market (100,000 users, 56 days, seed 7), lifetime_returns by strategy, median of "
        f"{repeats}: auto-bg {secs['auto-bg']:.2f} s, bgnbd {secs['bgnbd']:.2f} s, ratio "
        f"{secs['auto-bg'] / secs['bgnbd']:.2f}; peak RSS of the run {peak:.0f} MB; load average "
        f"{os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--models", default="auto-bg,bgnbd,pareto")
    ap.add_argument("--skip-default", action="store_true", help="Skip the default-market part.")
    ap.add_argument("--timing", action="store_true", help="Also time a call on the demo market.")
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]  # --seeds "": timing only
    df = recovery(seeds, args.models.split(",")) if seeds else pd.DataFrame()
    if seeds:
        print(df.round(2).to_string(index=False))
    for model, d in df.groupby("model") if seeds else ():
        print(
            f"{model}: ratio predicted/true median {d['ratio'].median():.2f}, worst "
            f"{d['ratio'].iloc[int(np.argmax(abs(d['ratio'] - 1)))]:.2f}; median |error| "
            f"{(d['ratio'] - 1).abs().median():.1%}; 90% intervals containing the truth "
            f"{d['covered'].mean():.0%} of {len(d)}; rank correlation mean {d['rho'].mean():.2f}"
            f"; median time {statistics.median(d.drop_duplicates(['seed', 'by'])['secs']):.1f} s"
        )
    if not args.skip_default:
        default_market()
    if args.timing:
        demo_timing()
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
