"""Uplift benchmark: micromix vs causalml on real experiments and at Criteo scale.

Sections (``--only`` picks some):

* ``hillstrom`` — average treatment effect per arm (visit) against the published figures, and
  the out-of-fold Qini coefficient on Womens e-mail -> visit of every micromix learner and of
  causalml's meta-learners (S, T, X, R, DR), on the *same* 5 stratified splits, with the same
  LightGBM settings, scored with the same metric (micromix's definition, equal to
  scikit-uplift's ``qini_auc_score``; causalml's own ``qini_score`` is printed alongside).
* ``starbucks`` — the cost-aware targeting policy (promote when predicted uplift x $10 >
  $0.15) cross-validated on the training file: net incremental revenue (NIR) and incremental
  response rate (IRR) per fold over the people the policy targets, summed and scaled to the
  size of the held-out test file (41,650 rows). Baselines: promote everyone; causalml's
  T-learner with the same rule.
* ``scale`` — T-learner training and scoring on 14M x 12 synthetic Criteo-shaped rows on 2
  threads, micromix then causalml's ``BaseTClassifier``, each in its own process so that peak
  memory (max RSS) is measured per library.

Run ``python benchmarks/bench_uplift.py`` (full) or ``--quick`` (1M rows at scale, 3 folds).
Data: ``../shared/data/uplift/{hillstrom,starbucks_training}.csv`` (skipped when absent).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "uplift"
STARBUCKS_TEST_ROWS = 41_650
LGBM = dict(n_estimators=100, learning_rate=0.05, num_leaves=15, min_child_samples=100)


def _lgbm_kwargs(n_jobs: int) -> dict:
    return dict(
        **LGBM,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.9,
        random_state=0,
        verbose=-1,
        n_jobs=n_jobs,
    )


def _linear_classifier():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


def _causalml_learners(n_jobs: int = 1, seed: int = 0) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from causalml.inference.meta import (
            BaseDRLearner,
            BaseRClassifier,
            BaseSClassifier,
            BaseTClassifier,
            BaseXClassifier,
        )
    from lightgbm import LGBMClassifier, LGBMRegressor

    def c():
        return LGBMClassifier(**{**_lgbm_kwargs(n_jobs), "random_state": seed})

    def r():
        return LGBMRegressor(**{**_lgbm_kwargs(n_jobs), "random_state": seed})

    return {
        "causalml S": lambda: BaseSClassifier(learner=c()),
        "causalml T": lambda: BaseTClassifier(learner=c()),
        "causalml X": lambda: BaseXClassifier(outcome_learner=c(), effect_learner=r()),
        "causalml R": lambda: BaseRClassifier(
            outcome_learner=c(), effect_learner=r(), random_state=0
        ),
        "causalml DR": lambda: BaseDRLearner(learner=r()),
        "causalml T (linear)": lambda: BaseTClassifier(learner=_linear_classifier()),
        "causalml S (linear)": lambda: BaseSClassifier(learner=_linear_classifier()),
    }


def _causalml_fit_predict(make, Xtr, ttr, ytr, Xte) -> np.ndarray:
    e = float(ttr.mean())
    model = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(Xtr, ttr, ytr, p=np.full(len(ttr), e))
        try:
            pred = model.predict(Xte, p=np.full(len(Xte), e))
        except TypeError:
            pred = model.predict(Xte)
    return np.asarray(pred, dtype=float).reshape(len(Xte), -1)[:, 0]


def machine() -> str:
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}"
    )


# --------------------------------------------------------------------------- hillstrom
def bench_hillstrom(folds: int, seeds: int = 3) -> dict:
    from micromix.audience._prep import FeatureEncoder
    from micromix.audience.datasets import HILLSTROM_COLUMNS, load_hillstrom
    from micromix.audience.evaluation import qini_coefficient, uplift_splits
    from micromix.audience.learners import get_learner

    path = DATA / "hillstrom.csv"
    if not path.exists():
        print(f"hillstrom: skipped, {path} not found")
        return {}
    df = load_hillstrom(path)
    print("\n== Hillstrom: average treatment effect on visit (treated - control) ==")
    ctrl = df[df["segment"] == "No E-Mail"]["visit"]
    published = {"Mens E-Mail": 7.66, "Womens E-Mail": 4.52}
    ates = {}
    for arm in ("Mens E-Mail", "Womens E-Mail"):
        tr = df[df["segment"] == arm]["visit"]
        ate = tr.mean() - ctrl.mean()
        se = np.sqrt(tr.var() / len(tr) + ctrl.var() / len(ctrl))
        ates[arm] = ate
        print(
            f"{arm:14s} {100 * ate:+.2f} pp (95% CI {100 * (ate - 1.96 * se):+.2f} .. "
            f"{100 * (ate + 1.96 * se):+.2f}); published {published[arm]:+.2f} pp"
        )
    sub = df[df["segment"].isin(["Womens E-Mail", "No E-Mail"])].reset_index(drop=True)
    feats = list(HILLSTROM_COLUMNS[:8])  # the pre-treatment features
    X = FeatureEncoder().fit_transform(sub[feats])
    t = (sub["segment"] == "Womens E-Mail").to_numpy().astype(int)
    y = sub["visit"].to_numpy()
    splits = uplift_splits(t, y, n_splits=folds, seed=0)
    print(
        f"\n== Hillstrom Womens e-mail -> visit: out-of-fold Qini, {folds} shared splits, "
        f"{len(sub):,} rows, LightGBM learners averaged over {seeds} seed(s) =="
    )
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from causalml.metrics import qini_score as cm_qini

    def ours(seed: int) -> dict:
        out = {
            f"micromix {n}": (lambda n=n: get_learner(n, **LGBM, n_jobs=1, random_state=seed))
            for n in ("s", "t", "x", "dr", "ct")
        }
        out["micromix t (linear)"] = lambda: get_learner("t", base="linear")
        out["micromix x (linear)"] = lambda: get_learner("x", base="linear")
        out["micromix s (linear)"] = lambda: get_learner("s", base="linear")
        return out

    scores: dict[str, list[float]] = {}
    cm_scores: dict[str, list[float]] = {}
    secs: dict[str, float] = {}
    for seed in range(seeds):
        try:
            theirs = _causalml_learners(seed=seed)
        except ImportError as exc:
            print(f"causalml not importable ({exc}); only micromix learners are run")
            theirs = {}
        for name, make in {**ours(seed), **theirs}.items():
            if "linear" in name and seed > 0:
                continue  # deterministic: one run is enough
            t0 = time.perf_counter()
            for tr, te in splits:
                if name.startswith("micromix"):
                    pred = make().fit(X[tr], t[tr], y[tr]).predict(X[te])
                else:
                    pred = _causalml_fit_predict(make, X[tr], t[tr], y[tr], X[te])
                scores.setdefault(name, []).append(qini_coefficient(y[te], pred, t[te]))
                frame = pd.DataFrame({"y": y[te], "w": t[te], "m": pred})
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cm_scores.setdefault(name, []).append(
                        float(cm_qini(frame, outcome_col="y", treatment_col="w")["m"])
                    )
            secs[name] = secs.get(name, 0.0) + time.perf_counter() - t0
    for name, q in scores.items():
        qa = np.asarray(q)
        n_runs = len(qa) // folds
        per_seed = qa.reshape(n_runs, folds).mean(axis=1)
        rows.append(
            {
                "learner": name,
                "qini": qa.mean(),
                "fold_sd": qa.std(ddof=1),
                "seed_min": per_seed.min(),
                "seed_max": per_seed.max(),
                "runs": n_runs,
                "causalml_qini_score": float(np.mean(cm_scores[name])),
                "seconds_per_run": secs[name] / n_runs,
            }
        )
    table = pd.DataFrame(rows).sort_values("qini", ascending=False)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    mm = table[table["learner"].str.startswith("micromix")].iloc[0]
    cm = table[table["learner"].str.startswith("causalml")]
    out = {"ate": ates, "table": table.to_dict(orient="records")}
    if len(cm):
        best_cm = cm.iloc[0]
        print(
            f"best micromix: {mm['learner']} Qini {mm['qini']:.4f}; best causalml: "
            f"{best_cm['learner']} Qini {best_cm['qini']:.4f}; ratio "
            f"{mm['qini'] / best_cm['qini']:.3f}"
        )
        out["best"] = {"micromix": mm.to_dict(), "causalml": best_cm.to_dict()}
    return out


# --------------------------------------------------------------------------- starbucks
def bench_starbucks(folds: int, repeats: int = 3) -> dict:
    from micromix.audience.datasets import load_starbucks
    from micromix.audience.evaluation import uplift_splits
    from micromix.audience.learners import get_learner
    from micromix.audience.policy import promotion_metrics

    path = DATA / "starbucks_training.csv"
    if not path.exists():
        print(f"starbucks: skipped, {path} not found")
        return {}
    df = load_starbucks(path)
    X = df[[f"V{i}" for i in range(1, 8)]].to_numpy(dtype=float)
    t = (df["Promotion"] == "Yes").to_numpy().astype(int)
    y = df["purchase"].to_numpy()
    value, cost = 10.0, 0.15
    threshold = cost / value
    scale = STARBUCKS_TEST_ROWS / len(df)
    print(
        f"\n== Starbucks: cost-aware policy (target when uplift x ${value:.0f} > ${cost}), "
        f"{folds}-fold CV on {len(df):,} training rows repeated with {repeats} split seed(s), "
        f"NIR scaled to {STARBUCKS_TEST_ROWS:,} test rows =="
    )
    policies = {
        f"micromix {n}": (lambda n=n: get_learner(n, **LGBM, n_jobs=1))
        for n in ("t", "x", "dr", "s")
    }
    with contextlib.suppress(ImportError):
        policies["causalml T"] = _causalml_learners()["causalml T"]
    rows = []
    for name, make in {"promote everyone": None, **policies}.items():
        nirs, irrs, shares, folds_nir = [], [], [], []
        for rep in range(repeats):
            target = np.zeros(len(df), dtype=bool)
            for tr, te in uplift_splits(t, y, n_splits=folds, seed=rep):
                if make is None:
                    pred = np.ones(len(te))
                elif name.startswith("micromix"):
                    pred = make().fit(X[tr], t[tr], y[tr]).predict(X[te])
                else:
                    pred = _causalml_fit_predict(make, X[tr], t[tr], y[tr], X[te])
                target[te] = pred > threshold
                m = promotion_metrics(target[te], t[te], y[te], value=value, cost=cost)
                folds_nir.append(m["nir"] * STARBUCKS_TEST_ROWS / len(te))
            m = promotion_metrics(target, t, y, value=value, cost=cost)
            nirs.append(m["nir"] * scale)
            irrs.append(m["irr"])
            shares.append(target.mean())
        rows.append(
            {
                "policy": name,
                "targeted_share": float(np.mean(shares)),
                "nir_scaled": float(np.mean(nirs)),
                "nir_repeat_min": min(nirs),
                "nir_repeat_max": max(nirs),
                "nir_fold_min": min(folds_nir),
                "nir_fold_max": max(folds_nir),
                "irr": float(np.mean(irrs)),
            }
        )
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(
        "goal: NIR >= $300 and IRR >= 0.018 on the test file; the published reference "
        "policy reaches NIR $189, IRR 0.0188"
    )
    return {"table": table.to_dict(orient="records")}


# --------------------------------------------------------------------------- scale
_WORKER = r"""
import json, resource, sys, time, warnings
import numpy as np
lib, n, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
from micromix.audience.datasets import make_scale_data
t0 = time.perf_counter()
X, t, y = make_scale_data(n, n_features=12, seed=0)
gen = time.perf_counter() - t0
kw = dict(n_estimators=100, learning_rate=0.05, num_leaves=15, min_child_samples=100)
t0, c0 = time.perf_counter(), time.process_time()
if lib == "micromix":
    from micromix.audience.learners import get_learner
    model = get_learner("t", n_jobs=threads, **kw).fit(X, t, y)
    fit, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    u = model.predict(X)
else:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from causalml.inference.meta import BaseTClassifier
    from lightgbm import LGBMClassifier
    model = BaseTClassifier(learner=LGBMClassifier(subsample=0.8, subsample_freq=1,
        colsample_bytree=0.9, random_state=0, verbose=-1, n_jobs=threads, **kw))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, t, y)
        fit, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        u = np.asarray(model.predict(X, verbose=False)).reshape(-1)
score, score_cpu = time.perf_counter() - t0, time.process_time() - c0
from micromix.audience.evaluation import qini_coefficient
idx = np.random.default_rng(1).choice(n, size=min(n, 2_000_000), replace=False)
q = qini_coefficient(y[idx], u[idx], t[idx])
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
print(json.dumps({"lib": lib, "rows": n, "generate_s": gen, "fit_s": fit, "score_s": score,
                  "fit_cpu_s": fit_cpu, "score_cpu_s": score_cpu, "peak_rss_gb": rss,
                  "qini_sample": q}))
"""


def bench_scale(rows: int, threads: int, libs: tuple[str, ...] = ("micromix", "causalml")) -> dict:
    print(
        f"\n== Scale: T-learner, {rows:,} rows x 12 features, {threads} threads, "
        f"100 trees per model; each library in its own process =="
    )
    # PASSIVE: OpenMP threads sleep instead of spinning while they wait, which keeps LightGBM
    # fast when other processes share the cores
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OMP_WAIT_POLICY": "PASSIVE"}
    results = []
    for lib in libs:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", _WORKER, lib, str(rows), str(threads)],
            capture_output=True,
            text=True,
            env=env,
        )
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            print(f"{lib}: failed ({proc.stderr.strip().splitlines()[-1:]})")
            continue
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        res["train_and_score_s"] = res["fit_s"] + res["score_s"]
        res["process_wall_s"] = wall
        results.append(res)
        cpu = res.get("fit_cpu_s", float("nan")) + res.get("score_cpu_s", float("nan"))
        print(
            f"{lib:9s} fit {res['fit_s']:.1f} s + score {res['score_s']:.1f} s = "
            f"{res['train_and_score_s']:.1f} s wall, {cpu:.1f} CPU-s "
            f"(so {cpu / threads:.0f} to {cpu:.0f} s wall on {threads} dedicated cores; data "
            f"generation {res['generate_s']:.1f} s); peak RSS {res['peak_rss_gb']:.2f} GB; Qini on a 2M "
            f"sample {res['qini_sample']:.4f}"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"load average at the end: {load:.1f} on {os.cpu_count()} CPU(s) (other processes "
        "share the cores when it exceeds the CPU count; wall times then stretch)"
    )
    if len(results) == 2:
        a, b = results
        print(
            f"causalml / micromix: time {b['train_and_score_s'] / a['train_and_score_s']:.2f}x,"
            f" peak memory {b['peak_rss_gb'] / a['peak_rss_gb']:.2f}x"
        )
    return {"results": results}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1M rows at scale, 3 folds")
    ap.add_argument("--only", default="hillstrom,starbucks,scale", help="comma-separated sections")
    ap.add_argument("--rows", type=int, default=None, help="rows for the scale section")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--libs", default="micromix,causalml", help="libraries in the scale section")
    ap.add_argument(
        "--seeds", type=int, default=3, help="LightGBM seeds on Hillstrom, split seeds on Starbucks"
    )
    ap.add_argument("--json", type=Path, default=None, help="also write results here")
    args = ap.parse_args(argv)
    folds = 3 if args.quick else 5
    rows = args.rows or (1_000_000 if args.quick else 14_000_000)
    print(f"machine: {machine()}")
    out: dict = {"machine": machine()}
    sections = {s.strip() for s in args.only.split(",")}
    t0 = time.perf_counter()
    if "hillstrom" in sections:
        out["hillstrom"] = bench_hillstrom(folds, seeds=1 if args.quick else args.seeds)
    if "starbucks" in sections:
        out["starbucks"] = bench_starbucks(folds, repeats=1 if args.quick else args.seeds)
    if "scale" in sections:
        libs = tuple(x.strip() for x in args.libs.split(",") if x.strip())
        out["scale"] = bench_scale(rows, args.threads, libs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"\ntotal {time.perf_counter() - t0:.0f} s; peak RSS of this process {rss:.2f} GB")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=float))


if __name__ == "__main__":
    main()
