"""Benchmark: micromix.clv against the `lifetimes` package on CDNOW (sample and full cohort).

Run::

    pip install -e ".[bench]"                  # lifetimes 0.11.3 is in the bench extra
    python benchmarks/bench_clv.py             # both cohorts, 3 repeats, plots in ./clv-bench-out
    python benchmarks/bench_clv.py --repeats 5 --plot-dir /tmp/clv-plots
    python benchmarks/bench_clv.py --skip-lifetimes
    python benchmarks/bench_clv.py --coverage 200   # + interval coverage on simulated data

Data:

* the CDNOW sample, ``../shared/data/clv/cdnow_sample_transactions.csv`` (2,357 customers);
* the full CDNOW cohort (23,570 customers), ``CDNOW_master.txt`` read from the *installed*
  ``lifetimes`` package (never copied into the project).

Both tools get the same split: 39-week calibration to 1997-09-30, holdout to 1998-06-30,
recency and age in weeks computed from days (``lifetimes``: ``freq="D", freq_multiplier=7``),
same-day purchases merged. For each model the script prints the fit time (median of
``--repeats``), the parameters, the holdout forecast of repeat purchases against the actual
count (aggregate error and per-customer MAE), the time ratio lifetimes / micromix, micromix's
end-to-end ``fit_clv`` time (summary, purchase and spend models, CLV with Laplace intervals from
200 draws, holdout, tracking plot data), peak memory, the machine and the load average. It
writes the tracking plot of micromix's default model (PNG and self-contained HTML) per cohort.
No asserts: figures are printed for docs/clv.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SAMPLE = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "clv"
    / "cdnow_sample_transactions.csv"
)  # fmt: skip
CAL, HOLD = "1997-09-30", "1998-06-30"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def load_cohorts() -> dict[str, pd.DataFrame]:
    cohorts: dict[str, pd.DataFrame] = {}
    if SAMPLE.exists():
        df = pd.read_csv(SAMPLE, dtype={"customer_id": str})
        cohorts["CDNOW sample"] = df[["customer_id", "date", "value"]]
    else:
        print(f"skipping the CDNOW sample: {SAMPLE} not found")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import lifetimes
        master = Path(lifetimes.__file__).parent / "datasets" / "CDNOW_master.txt"
        df = pd.read_csv(master, sep=r"\s+", header=0, names=["customer_id", "date", "cds", "value"],
                         dtype={"customer_id": str, "date": str})  # fmt: skip
        cohorts["CDNOW full cohort"] = df[["customer_id", "date", "value"]]
    except ImportError:
        print("skipping the full CDNOW cohort: install lifetimes (pip install -e '.[bench]')")
    return cohorts


def holdout_scores(pred: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    return {
        "predicted": float(pred.sum()),
        "actual": float(actual.sum()),
        "error_pct": 100 * (float(pred.sum()) / float(actual.sum()) - 1),
        "mae": float(np.mean(np.abs(pred - actual))),
    }


def run_micromix(df: pd.DataFrame, repeats: int) -> tuple[list[dict[str, Any]], Any]:
    from micromix.clv import fit_clv, fit_purchase_model, holdout_metrics, rfm_summary

    rows = []
    t_sum, summary = timed(
        lambda: rfm_summary(df, value_col="value", calibration_end=CAL, holdout_end=HOLD), repeats
    )
    for name in ("bgnbd", "pareto", "auto"):
        t_fit, (model, _) = timed(
            lambda name=name: fit_purchase_model(summary, model=name, interval="none"), repeats
        )
        h = holdout_metrics(model, summary)
        rows.append(
            {
                "tool": "micromix",
                "model": name if name != "auto" else f"auto ({model.lookup_name})",
                "summary_s": t_sum,
                "fit_s": t_fit,
                "params": model.params_,
                "log_lik": model.log_likelihood_,
                "predicted": h["predicted_repeat_purchases"],
                "actual": h["actual_repeat_purchases"],
                "error_pct": h["error_pct"],
                "mae": h["mae_per_customer"],
            }
        )
    t_e2e, res = timed(
        lambda: fit_clv(df, calibration_end=CAL, holdout_end=HOLD, source="bench"), repeats
    )
    rows.append({"tool": "micromix", "model": "fit_clv end to end (default)", "fit_s": t_e2e})
    return rows, res


def run_lifetimes(df: pd.DataFrame, repeats: int) -> list[dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
        from lifetimes.utils import calibration_and_holdout_data

        tx = df.assign(date=pd.to_datetime(df["date"]))

        def summarise() -> pd.DataFrame:
            return calibration_and_holdout_data(
                tx, "customer_id", "date", calibration_period_end=CAL, observation_period_end=HOLD,
                freq="D", freq_multiplier=7, monetary_value_col="value",
            )  # fmt: skip

        t_sum, s = timed(summarise, repeats)
        rows = []
        duration = float(s["duration_holdout"].iloc[0])
        for name, cls in (("bgnbd", BetaGeoFitter), ("pareto", ParetoNBDFitter)):

            def fit(cls=cls) -> Any:
                return cls().fit(s["frequency_cal"], s["recency_cal"], s["T_cal"])

            t_fit, m = timed(fit, repeats)
            pred = m.conditional_expected_number_of_purchases_up_to_time(
                duration, s["frequency_cal"], s["recency_cal"], s["T_cal"]
            ).to_numpy(dtype=float)
            sc = holdout_scores(pred, s["frequency_holdout"].to_numpy(dtype=float))
            rows.append(
                {
                    "tool": "lifetimes",
                    "model": name,
                    "summary_s": t_sum,
                    "fit_s": t_fit,
                    "params": {k: float(v) for k, v in m.params_.items()},
                    "log_lik": float(-m._negative_log_likelihood_ * len(s))
                    if name == "bgnbd"
                    else float("nan"),
                    **sc,
                }
            )
        # lifetimes refuses zero average spend (the full cohort has free repeat purchases);
        # micromix leaves those customers out of the spend fit too
        rep = s[(s["frequency_cal"] > 0) & (s["monetary_value_cal"] > 0)]
        t_gg, gg = timed(
            lambda: GammaGammaFitter().fit(rep["frequency_cal"], rep["monetary_value_cal"]),
            repeats,
        )
        rows.append(
            {"tool": "lifetimes", "model": "gamma-gamma", "fit_s": t_gg,
             "params": {k: float(v) for k, v in gg.params_.items()}}
        )  # fmt: skip
    return rows


def write_plots(res: Any, folder: Path, stem: str) -> None:
    import vl_convert as vlc

    from micromix.reports import vega_bundle
    from micromix.reports.html import chart_div, page

    folder.mkdir(parents=True, exist_ok=True)
    spec = res.tracking_chart()
    version = next(
        v
        for v in reversed(vlc.get_vegalite_versions())
        if f"/v{v.split('.')[0]}" in spec["$schema"]
    )
    (folder / f"{stem}.png").write_bytes(vlc.vegalite_to_png(spec, vl_version=version, scale=2))
    (folder / f"{stem}.html").write_text(
        page(stem, chart_div("tracking", spec, wide=True), bundle=vega_bundle())
    )
    print(f"  tracking plot: {folder / (stem + '.png')} and .html")


def coverage_section(reps: int) -> None:
    """Empirical coverage of the 90% intervals on data simulated from known parameters."""
    from micromix.clv import GammaGammaModel, customer_value, get_model

    truths = {
        "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
        "pareto": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    }
    gg_truth = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "gamma": 15.44})
    print(f"\n=== interval coverage, {reps} datasets of 2,000 customers (ages 20-39 weeks)")
    for name, interval, n in (("bgnbd", "laplace", reps), ("pareto", "laplace", reps),
                              ("bgnbd", "bootstrap", max(reps // 4, 10))):  # fmt: skip
        truth = get_model(name).from_params(truths[name])
        hits: dict[str, list[bool]] = {k: [] for k in truths[name]}
        clv_rates, total_hits = [], []
        rng = np.random.default_rng(1)
        t0 = time.perf_counter()
        for rep in range(n):
            s = truth.sample(rng.integers(20 * 7, 39 * 7, 2000) / 7, random_state=1000 + rep)
            m = get_model(name, interval=interval, n_draws=100, random_state=rep).fit(s)
            for k, (lo, hi) in m.param_intervals_.items():
                hits[k].append(lo <= truths[name][k] <= hi)
            if interval == "laplace" and name == "bgnbd":
                rep_rows = s["frequency"] > 0
                s["monetary_value"] = 0.0
                s.loc[rep_rows, "monetary_value"] = gg_truth.sample(
                    s.loc[rep_rows, "frequency"], random_state=5000 + rep
                )["monetary_value"].to_numpy()
                sm = GammaGammaModel(n_draws=100, random_state=rep).fit(s)
                est, draws = customer_value(m, sm, s, horizon=52, return_draws=True)
                true = customer_value(truth, gg_truth, s, horizon=52)["clv"]
                clv_rates.append(np.mean((est["clv_low"] <= true) & (true <= est["clv_high"])))
                lo, hi = np.quantile(draws.sum(axis=1), [0.05, 0.95])
                total_hits.append(lo <= true.sum() <= hi)
        rates = ", ".join(f"{k} {np.mean(v):.2f}" for k, v in hits.items())
        print(f"  {name} {interval:<9} ({n} fits, {time.perf_counter() - t0:.0f} s): {rates}")
        if clv_rates:
            print(
                f"  per-customer expected CLV (52 weeks) inside its 90% interval: "
                f"{np.mean(clv_rates):.2f} on average; total CLV: {np.mean(total_hits):.2f}"
            )


def fmt_params(p: dict[str, float] | None) -> str:
    return ", ".join(f"{k} {v:.4g}" for k, v in (p or {}).items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-lifetimes", action="store_true")
    ap.add_argument("--plot-dir", type=Path, default=Path("clv-bench-out"))
    ap.add_argument(
        "--coverage", type=int, default=0, metavar="N",
        help="also measure interval coverage on N simulated datasets (about 1 s each)",
    )  # fmt: skip
    args = ap.parse_args(argv)

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"python {platform.python_version()}; load average at start "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for cohort, df in load_cohorts().items():
        n = df["customer_id"].nunique()
        print(f"\n=== {cohort}: {len(df):,} rows, {n:,} customers (median of {args.repeats})")
        rows, res = run_micromix(df, args.repeats)
        if not args.skip_lifetimes:
            try:
                rows += run_lifetimes(df, args.repeats)
            except ImportError:
                print("  lifetimes is not installed: pip install -e '.[bench]'")
        table = pd.DataFrame(rows)
        for r in table.to_dict("records"):
            line = f"  {r['tool']:<9} {r['model']:<30} fit {r['fit_s']:8.3f} s"
            if isinstance(r.get("summary_s"), float) and not np.isnan(r["summary_s"]):
                line += f"  (summary {r['summary_s']:.3f} s)"
            print(line)
            if isinstance(r.get("params"), dict):
                print(f"            params: {fmt_params(r['params'])}")
            if isinstance(r.get("predicted"), float) and not np.isnan(r["predicted"]):
                print(
                    f"            holdout: predicted {r['predicted']:,.1f} vs actual "
                    f"{r['actual']:,.0f} ({r['error_pct']:+.2f}%), MAE {r['mae']:.4f} per customer"
                )
        sm = res.spend_model.params_
        print(f"  micromix  gamma-gamma params: {fmt_params(sm)}")
        mine = table[(table["tool"] == "micromix") & table["model"].str.startswith("auto")].iloc[0]
        bg = table[(table["tool"] == "micromix") & (table["model"] == "bgnbd")].iloc[0]
        print(
            f"  default (auto -> {res.model}) vs BG/NBD: |aggregate error| "
            f"{abs(mine['error_pct']):.2f}% vs {abs(bg['error_pct']):.2f}%, MAE {mine['mae']:.4f} "
            f"vs {bg['mae']:.4f} -> "
            + (
                "at least as accurate"
                if abs(mine["error_pct"]) <= abs(bg["error_pct"]) + 1e-9
                and mine["mae"] <= bg["mae"] + 1e-9
                else "LESS accurate"
            )
        )
        if "lifetimes" in set(table["tool"]):
            for name in ("bgnbd", "pareto"):
                a = table[(table["tool"] == "micromix") & (table["model"] == name)].iloc[0]
                b = table[(table["tool"] == "lifetimes") & (table["model"] == name)].iloc[0]
                print(
                    f"  {name}: lifetimes / micromix fit time = {b['fit_s'] / a['fit_s']:.1f}x "
                    f"({b['fit_s']:.3f} s vs {a['fit_s']:.3f} s); summary "
                    f"{b['summary_s'] / a['summary_s']:.1f}x"
                )
        write_plots(res, args.plot_dir, cohort.lower().replace(" ", "_"))
    if args.coverage:
        coverage_section(args.coverage)
    print(
        f"\npeak RSS: {peak_rss_mb():,.0f} MB; load average at end "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
