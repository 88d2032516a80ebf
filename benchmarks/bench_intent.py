"""Intent latency on the live path and ``micromix moments classify`` throughput (issue 14 item 4).

Run ``python benchmarks/bench_intent.py [--queries 5000] [--zipf 200000]``, pinned to one core.

1. **One new query** (no cache hit), p50 / p99 over distinct queries:

   * ``MomentDetector.process``: classify, key and count one event (the live path);
   * ``IntentClassifier.predict_one``: the classifier alone;
   * baseline, the featuriser micromix used before (scikit-learn ``HashingVectorizer`` word
     1-2-grams and character 3-5-grams in 2^18 buckets each, the rule matrix, a sparse product
     with a 5-class weight matrix of the same shape), rebuilt here on the same queries.

2. **Throughput** of ``micromix moments classify`` (the CLI, reading and writing CSV) on Zipf
   traffic: queries drawn with P(rank r) ~ 1 / r^1.1 from a pool of distinct queries.

Prints the machine and its load average; nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn import config_context
from sklearn.feature_extraction.text import HashingVectorizer
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.moments import BurstSpec, IntentClassifier, MomentDetector
from micromix.moments.actions import ActionDispatcher
from micromix.moments.corpus import template_corpus
from micromix.moments.rules import normalize_text, rule_matrix


def distinct_queries(n: int) -> list[str]:
    """``n`` distinct query texts: the template corpus, each with a distinct suffix."""
    base = template_corpus(max(200, n // 5 + 1), seed=11)["text"].tolist()
    extra = ["near", "best", "cheap", "2024", "for dogs", "online", "uk", "today", "review"]
    rng = np.random.default_rng(0)
    out = [f"{t} {extra[rng.integers(0, len(extra))]} {i}" for i, t in enumerate(base * 6)]
    return list(dict.fromkeys(out))[:n]


def percentiles(wall: list[float], cpu: list[float]) -> str:
    w50, w99 = np.percentile(np.asarray(wall) * 1e6, [50, 99])
    c50, c99 = np.percentile(np.asarray(cpu) * 1e6, [50, 99])
    return (
        f"wall p50 {w50:7.1f} us p99 {w99:8.1f} us | cpu p50 {c50:7.1f} us p99 {c99:7.1f} us"
        f"  (n={len(wall):,})"
    )


def timed(fn, items) -> tuple[list[float], list[float]]:
    """Wall and thread-CPU seconds per call (CPU time leaves out preemption on a busy box)."""
    wall, cpu = [], []
    for x in items:
        c, t = time.thread_time(), time.perf_counter()
        fn(x)
        wall.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
    return wall, cpu


class OldFeaturiser:
    """The pre-issue-14 featuriser: hashed n-grams (scikit-learn) + rules, sparse product."""

    def __init__(self, n_classes: int = 5, n_features: int = 2**18) -> None:
        kw = {"n_features": n_features, "alternate_sign": False, "norm": "l2", "lowercase": False}
        self.vecs = [
            HashingVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", **kw),
            HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), **kw),
        ]
        width = 2 * n_features + rule_matrix([""]).shape[1]
        rng = np.random.default_rng(0)
        self.coef_t = sp.random(width, n_classes, density=0.05, random_state=rng, format="csr")

    def proba(self, text: str) -> np.ndarray:
        t = [normalize_text(text)]
        with config_context(skip_parameter_validation=True, assume_finite=True):
            blocks = [v.transform(t) for v in self.vecs]
        blocks.append(rule_matrix(t))
        z = np.asarray((sp.hstack(blocks, format="csr") @ self.coef_t).todense())
        e = np.exp(z - z.max())
        return e / e.sum()


def bench_latency(n: int) -> None:
    print(f"\n== 1. one new query (no cache hit), {n:,} distinct queries, one core ==")
    qs = distinct_queries(n)
    clf = IntentClassifier.load_default()
    clf.predict_one("warm up")
    det = MomentDetector(
        spec=BurstSpec(freq="1min", n_weeks=0, n_days=0, min_history=5),
        classifier=clf,
        dispatcher=ActionDispatcher(enrich=False),
        enrich=False,
    )
    t0 = 1_714_550_400.0
    events = [
        {"event_id": i, "ts": t0 + i * 0.01, "query": q, "region": "north"}
        for i, q in enumerate(qs)
    ]
    lat_det = timed(det.process, events)
    fresh = IntentClassifier.load_default()
    lat_clf = timed(fresh.predict_one, qs)
    old = OldFeaturiser()
    old.proba("warm up")
    lat_old = timed(old.proba, qs[: min(n, 2000)])
    print(f"MomentDetector.process (live path) : {percentiles(*lat_det)}")
    print(f"IntentClassifier.predict_one       : {percentiles(*lat_clf)}")
    print(f"baseline: hashed sklearn featuriser: {percentiles(*lat_old)}")
    ratio = np.percentile(lat_old[1], 99) / np.percentile(lat_det[1], 99)
    print(f"ratio baseline / live path, cpu p99 : x{ratio:.1f}")


def bench_cli(n_zipf: int, pool: int) -> None:
    print(f"\n== 2. micromix moments classify on Zipf(1.1) traffic ({n_zipf:,} queries) ==")
    qs = distinct_queries(pool)
    rng = np.random.default_rng(1)
    ranks = np.minimum(rng.zipf(1.1, n_zipf), len(qs)) - 1
    df = pd.DataFrame({"query": [qs[r] for r in ranks]})
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "q.csv", Path(tmp) / "out.csv"
        df.to_csv(src, index=False)
        runner = CliRunner()
        args = ["moments", "classify", "--input", str(src), "--text-col", "query"]
        t = time.perf_counter()
        res = runner.invoke(app, [*args, "--output", str(dst)])
        dt = time.perf_counter() - t
        assert res.exit_code == 0, res.output
        out = pd.read_csv(dst)
    print(
        f"end to end (read CSV, classify, write CSV): {n_zipf / dt:>9,.0f} queries/s "
        f"({dt:.2f} s, {len(set(ranks.tolist())):,} distinct; "
        f"moments {out['moment'].value_counts().to_dict()})"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=5000)
    ap.add_argument("--zipf", type=int, default=200_000)
    ap.add_argument("--pool", type=int, default=20_000)
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus "
        f"(pinned to one), python {platform.python_version()}, load average: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    bench_latency(args.queries)
    bench_cli(args.zipf, args.pool)
    print("load average after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
