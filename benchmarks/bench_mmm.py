"""Benchmark: micromix's fast MMM vs pymc-marketing's MMM on pymc-marketing's example data.

Run::

    python benchmarks/bench_mmm.py            # full pymc-marketing NUTS fit (its defaults)
    python benchmarks/bench_mmm.py --quick    # shorter pymc-marketing chains (200 tune/200 draws)
    python benchmarks/bench_mmm.py --skip-pymc

Data: ``../shared/data/mmm/pymc_marketing_mmm_example.csv`` (Apache-2.0, pymc-labs).
Truth: the data-generating process documented in pymc-marketing's MMM example notebook —
geometric adstock (alpha 0.4 / 0.2, l_max 8, normalised weights), logistic saturation
(lam 4 / 3), betas 3 / 2, the whole outcome scaled by 1000 in the published CSV (verified:
re-simulating with the notebook's seed reproduces ``y`` exactly with amplitude 1000). True
contributions are obtained by re-applying those transformations to ``x1`` / ``x2`` from the CSV.

Both models get the same specification: channels x1, x2; controls event_1, event_2; a linear
trend; yearly seasonality of Fourier order 2; geometric adstock (l_max 8) and logistic
saturation. Prints fit times, contribution errors against the truth, the time ratio, peak
memory and the machine. No asserts on time.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mmm"
CSV = DATA / "pymc_marketing_mmm_example.csv"

# documented data-generating process (pymc-marketing MMM example notebook)
ALPHA = {"x1": 0.4, "x2": 0.2}
LAM = {"x1": 4.0, "x2": 3.0}
BETA = {"x1": 3.0, "x2": 2.0}
AMPLITUDE = 1000.0
L_MAX = 8


def true_contributions(df: pd.DataFrame) -> dict[str, float]:
    """Total contribution per channel under the documented DGP, in units of ``y``."""
    out = {}
    for c in ("x1", "x2"):
        x = df[c].to_numpy(float)
        w = ALPHA[c] ** np.arange(L_MAX)
        w = w / w.sum()
        ad = np.zeros_like(x)
        for lag in range(L_MAX):
            ad[lag:] += w[lag] * x[: len(x) - lag]
        sat = (1 - np.exp(-LAM[c] * ad)) / (1 + np.exp(-LAM[c] * ad))
        out[c] = float(AMPLITUDE * BETA[c] * sat.sum())
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_micromix(df: pd.DataFrame, trend: str, repeats: int) -> tuple[float, dict[str, float]]:
    from micromix.measurement import MarketingMixModel, MMMSpec

    spec = MMMSpec(
        date_col="date_week",
        target="y",
        channels=("x1", "x2"),
        controls=("event_1", "event_2"),
        trend=trend,
        yearly_seasonality=2,
    )
    times = []
    model = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        model = MarketingMixModel(spec=spec).fit(df)
        times.append(time.perf_counter() - t0)
    assert model is not None
    s = model.summary().set_index("channel")
    return statistics.median(times), {c: float(s.loc[c, "contribution"]) for c in ("x1", "x2")}


def run_pymc(df: pd.DataFrame, quick: bool) -> tuple[float, dict[str, float], str]:
    import warnings

    warnings.filterwarnings("ignore")
    from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation

    data = df.copy()
    data["date_week"] = pd.to_datetime(data["date_week"])
    X = data.drop(columns=["y"])
    y = data["y"]
    mmm = MMM(
        adstock=GeometricAdstock(l_max=L_MAX),
        saturation=LogisticSaturation(),
        date_column="date_week",
        channel_columns=["x1", "x2"],
        control_columns=["event_1", "event_2", "t"],
        yearly_seasonality=2,
    )
    kw: dict = {"progressbar": False, "random_seed": 42}
    if quick:
        kw.update(tune=200, draws=200)
    t0 = time.perf_counter()
    mmm.fit(X=X, y=y, **kw)
    elapsed = time.perf_counter() - t0
    contrib = mmm.compute_channel_contribution_original_scale()
    means = contrib.mean(dim=("chain", "draw")).sum(dim="date")
    out = {str(c): float(means.sel(channel=c)) for c in ("x1", "x2")}
    post = mmm.idata.posterior
    settings = f"chains={post.sizes['chain']}, draws={post.sizes['draw']}"
    try:
        import arviz as az

        rhat = float(az.rhat(post)["saturation_beta"].max())
        settings += f", max r_hat(saturation_beta)={rhat:.3f}"
    except Exception:
        pass
    return elapsed, out, settings


def simulator_section() -> None:
    """Recover the simulator's ground truth: per-channel holdout tests and the mix model."""
    try:
        from micromix.simulate import SimConfig, simulate
    except ImportError:
        print("simulator: micromix.simulate not available")
        return
    from micromix.measurement import MarketingMixModel, MMMSpec, analyze_experiment

    def frame(x):
        return x.to_pandas() if hasattr(x, "to_pandas") else x

    t0 = time.perf_counter()
    market = simulate(SimConfig(users=20_000, days=56, seed=2))
    print(f"\nsimulator: 20,000 users x 56 days simulated in {time.perf_counter() - t0:.1f} s")
    truth = (
        frame(market.ground_truth)
        .groupby("channel")[["incremental_revenue", "attributed_revenue"]]
        .sum()
    )
    covered, est_total = 0, 0.0
    exp = frame(market.experiments)
    for eid, g in exp.groupby("experiment_id"):
        channel = str(eid).split(":", 1)[1]
        e = analyze_experiment(
            g, arm_col="arm", outcome="revenue", covariate="pre_period", control="control"
        ).effects.iloc[0]
        lo, hi = e["cuped_ci_lo"] * e["n"], e["cuped_ci_hi"] * e["n"]
        covered += lo <= truth.loc[channel, "incremental_revenue"] <= hi
        est_total += e["cuped_diff"] * e["n"]
    n = exp["experiment_id"].nunique()
    print(
        f"holdout tests (CUPED): true incremental revenue inside the 95% CI for {covered}/{n} "
        f"channels; total estimated {est_total:,.0f} vs true "
        f"{truth['incremental_revenue'].sum():,.0f} vs last-touch attributed "
        f"{truth['attributed_revenue'].sum():,.0f}"
    )
    # the mix model on daily aggregates by strategy
    events = frame(market.events)
    ads = frame(market.ad_performance)

    def day(col):
        d = pd.to_datetime(col)
        return (d.dt.tz_localize(None) if d.dt.tz is not None else d).dt.normalize()

    events["day"] = day(events["ts"])
    ads["day"] = day(ads["date"])
    daily = ads.pivot_table(index="day", columns="strategy", values="spend", aggfunc="sum")
    daily = daily.fillna(0).join(events.groupby("day")["revenue"].sum()).fillna(0).reset_index()
    channels = tuple(c for c in daily.columns if c not in ("day", "revenue"))
    spec = MMMSpec(
        date_col="day",
        target="revenue",
        channels=channels,
        yearly_seasonality=0,
        l_max=14,
        n_draws=100,
    )
    m = MarketingMixModel(spec=spec).fit(daily)
    flagged = [c.name for c in m.diagnostics_ if c.status.value != "pass"]
    r2 = next(c for c in m.diagnostics_ if c.name == "in_sample_fit").details["r2"]
    print(
        f"mix model on {len(daily)} daily rows ({', '.join(channels)}): in-sample R2 {r2:.2f}; "
        f"diagnostics asking for review: {flagged or 'none'}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short pymc-marketing chains")
    ap.add_argument("--skip-pymc", action="store_true", help="only run micromix")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-simulator", action="store_true", help="skip the simulator section")
    args = ap.parse_args(argv)
    if not CSV.exists():
        print(f"data file {CSV} not found; this benchmark needs ../shared/data")
        return 0
    df = pd.read_csv(CSV)
    truth = true_contributions(df)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"python {platform.python_version()}"
    )
    print(f"data: {CSV.name}, {len(df)} weeks")
    print(f"truth: x1 {truth['x1']:,.0f}  x2 {truth['x2']:,.0f}")
    rows = []
    for trend in ("linear", "quadratic"):
        secs, est = run_micromix(df, trend, args.repeats)
        rows.append((f"micromix ({trend} trend)", secs, est))
    mm_secs = rows[0][1]
    if not args.skip_pymc:
        try:
            secs, est, settings = run_pymc(df, args.quick)
            rows.append((f"pymc-marketing MMM ({settings})", secs, est))
        except ImportError as exc:
            print(f"pymc-marketing not installed ({exc}); pip install 'micromix[bench]'")
    print()
    print(f"{'model':<70} {'fit s':>9} {'x1':>10} {'err x1':>8} {'x2':>10} {'err x2':>8}")
    for name, secs, est in rows:
        e1 = est["x1"] / truth["x1"] - 1
        e2 = est["x2"] / truth["x2"] - 1
        print(
            f"{name:<70} {secs:>9.3f} {est['x1']:>10,.0f} {e1:>+8.2%} {est['x2']:>10,.0f} "
            f"{e2:>+8.2%}"
        )
    if len(rows) > 2:
        print(
            f"\ntime ratio micromix / pymc-marketing: {mm_secs / rows[-1][1]:.4f} "
            f"(pymc-marketing takes {rows[-1][1] / mm_secs:,.0f}x as long)"
        )
    if not args.skip_simulator:
        simulator_section()
    print(f"peak RSS: {peak_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
