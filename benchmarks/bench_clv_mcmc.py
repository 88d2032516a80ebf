"""Posterior sampling (``interval="mcmc"``) against the Laplace approximation on data simulated
from known parameters: coverage of 90% parameter intervals, diagnostics and time per fit.

Usage::

    python benchmarks/bench_clv_mcmc.py                 # 20 replicates per cohort
    python benchmarks/bench_clv_mcmc.py --reps 5

Cohorts (each replicate draws new customers):

* ``cdnow``: 1,500 customers aged 20-39 weeks, the published CDNOW estimates (MBG/NBD and
  Pareto/NBD), the setting of ``tests/clv/test_clv_mcmc.py``;
* ``ridge``: 600 customers aged 26-32 weeks from the simulator's ``ugc_amplified`` profile
  (Pareto/NBD r 1.2, mean purchase rate 0.11 a week, s 2, beta 78): the setting where the
  Laplace approximation was far too narrow along the (s, beta) ridge (docs/clv.md).

For every fit it records whether each parameter's 90% interval contains the truth, whether the
discounted 52-week purchases of the cohort at the true parameters lie inside the interval of
the same quantity over the parameter draws, the time of the fit (Laplace: maximum likelihood +
Hessian; mcmc: maximum likelihood + mode + chains) and, for mcmc, R-hat, effective sample size
and refusals. Prints medians, the ratio of times, peak memory and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time

import numpy as np
import pandas as pd

from micromix.clv import discounted_purchases, get_model
from micromix.errors import MicromixError

COHORTS = {
    "cdnow": [
        ("mbgnbd", {"r": 0.52, "alpha": 6.18, "a": 0.89, "b": 1.61}, 1500, (20.0, 39.0)),
        ("pareto", {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}, 1500, (20.0, 39.0)),
    ],
    "ridge": [
        ("pareto", {"r": 1.2, "alpha": 1.2 / 0.11, "s": 2.0, "beta": 78.0}, 600, (26.0, 32.0)),
    ],
}


def run(reps: int) -> pd.DataFrame:
    rows = []
    for cohort, specs in COHORTS.items():
        for name, truth, n, (lo_T, hi_T) in specs:
            true_model = get_model(name).from_params(truth)
            for rep in range(reps):
                rng = np.random.default_rng(1000 + rep)
                data = true_model.sample(rng.uniform(lo_T, hi_T, n), random_state=rep)
                target = float(discounted_purchases(true_model, data, horizon=52).mean())
                for interval in ("laplace", "mcmc"):
                    t0 = time.perf_counter()
                    try:
                        m = get_model(name, interval=interval, n_draws=200, random_state=rep)
                        m.fit(data)
                    except MicromixError as exc:
                        rows.append({"cohort": cohort, "model": name, "interval": interval,
                                     "rep": rep, "error": str(exc)})  # fmt: skip
                        continue
                    secs = time.perf_counter() - t0
                    row = {
                        "cohort": cohort, "model": name, "interval": interval, "rep": rep,
                        "secs": secs, "refused": m.draws_ is None, "error": "",
                    }  # fmt: skip
                    for k, v in truth.items():
                        lo, hi = m.param_intervals_.get(k, (np.nan, np.nan))
                        row[f"cov_{k}"] = bool(lo <= v <= hi)
                    if m.draws_ is not None:
                        per = [
                            float(discounted_purchases(m, data, horizon=52, params=p).mean())
                            for p in m.draws_
                        ]
                        lo, hi = np.quantile(per, [0.05, 0.95])
                        row["cov_purchases"] = bool(lo <= target <= hi)
                    else:
                        row["cov_purchases"] = False
                    post = getattr(m, "posterior_", None)
                    if post is not None:
                        row["rhat_max"] = float(np.max(post.mcmc.rhat))
                        row["ess_min"] = float(np.min(post.mcmc.ess))
                    rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.2f}"
    )
    df = run(args.reps)
    cov = [c for c in df.columns if c.startswith("cov_")]
    for (cohort, name), d in df.groupby(["cohort", "model"], sort=False):
        secs = {}
        for interval, e in d.groupby("interval", sort=False):
            ok = e[e["error"] == ""]
            rates = ", ".join(
                f"{c[4:]} {ok[c].mean():.2f}" for c in cov if c in ok and ok[c].notna().any()
            )
            secs[interval] = statistics.median(ok["secs"]) if len(ok) else float("nan")
            extra = ""
            if interval == "mcmc" and len(ok):
                extra = (
                    f"; refused {int(ok['refused'].sum())}; R-hat max median "
                    f"{ok['rhat_max'].median():.3f}; ESS min median {ok['ess_min'].median():.0f}"
                )
            print(
                f"{cohort} {name} {interval}: {len(ok)} fits ({len(e) - len(ok)} failed); "
                f"90% intervals containing the truth: {rates}; median time "
                f"{secs[interval]:.2f} s{extra}"
            )
        print(
            f"{cohort} {name}: mcmc / laplace time {secs['mcmc'] / secs['laplace']:.1f}x "
            f"({secs['mcmc']:.2f} s vs {secs['laplace']:.2f} s)"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB; load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
