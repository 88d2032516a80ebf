"""Evaluate burst detection: simulator surges (precision / recall / time to detect) and Gnip.

Run ``python benchmarks/bench_moments_eval.py [--quick]``.

1. For several simulator seeds, the search events are keyed ``moment|topic|region`` (moment
   from the shipped intent classifier on the query text, and, for comparison, from the
   simulator's own label), bursts are detected with each registered detector, and compared
   with the injected ``surges`` (same key, overlapping time). The streaming detector's early
   alerts give the time from surge start to alert.
2. The bursts and gaps found on Twitter's #scotus hourly example series
   (``../shared/data/social/gnip_trend_example_scotus_hourly.csv``) are printed.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from micromix.moments import BurstSpec, BurstStream, IntentClassifier, detect_bursts
from micromix.moments.evaluate import score_bursts

GNIP = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "social"
    / "gnip_trend_example_scotus_hourly.csv"
)


def keyed_searches(market, clf: IntentClassifier, topics: tuple[str, ...], use_sim_label: bool):
    ev = market.events
    ev = ev.to_pandas() if hasattr(ev, "to_pandas") else ev
    s = ev[ev["event_type"] == "search"][["ts", "query", "moment", "region"]].copy()
    q = s["query"].astype(str).str.lower()
    topic = pd.Series("other", index=s.index)
    for t in sorted(topics, key=len, reverse=True):
        topic = topic.where(~(q.str.contains(t, regex=False) & (topic == "other")), t)
    moment = s["moment"] if use_sim_label else pd.Series(clf.predict(s["query"]), index=s.index)
    s["key"] = moment.astype(str) + "|" + topic + "|" + s["region"].astype(str)
    s["ts"] = pd.to_datetime(s["ts"], utc=True)
    return s.sort_values("ts", kind="stable")


def observable(s: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    """Surges whose key occurs in the data during the surge.

    When no query of the bank mentions the surge topic, the simulator injects queries of the
    right moment without the topic, so the surge's key never appears in the text.
    """
    out = []
    for _, r in truth.iterrows():
        st, en = pd.Timestamp(r["start"]), pd.Timestamp(r["end"])
        st = st if st.tzinfo else st.tz_localize("UTC")
        en = en if en.tzinfo else en.tz_localize("UTC")
        out.append(bool(((s["key"] == r["key"]) & (s["ts"] >= st) & (s["ts"] < en)).any()))
    return np.array(out, dtype=bool)


def time_to_alert(s: pd.DataFrame, truth: pd.DataFrame, spec: BurstSpec) -> list[float]:
    stream = BurstStream(spec)
    secs = (s["ts"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
    first: dict[str, float] = {}
    for t, k in zip(secs, s["key"].to_numpy()):
        for a in stream.add(float(t), k):
            if a.kind == "burst":
                first.setdefault(f"{a.key}@{a.bucket_start.isoformat()}", float(a.event_ts))
    stream.flush()
    delays = []
    for _, r in truth.iterrows():
        st = (
            pd.Timestamp(r["start"]).tz_convert("UTC")
            if pd.Timestamp(r["start"]).tzinfo
            else pd.Timestamp(r["start"], tz="UTC")
        )
        cands = [
            ts - st.timestamp()
            for key, ts in first.items()
            if key.split("@")[0] == r["key"]
            and st.timestamp() - 3600 <= ts <= pd.Timestamp(r["end"]).timestamp() + 3600
        ]
        if cands:
            delays.append(min(cands))
    return delays


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    from micromix.simulate import TOPICS, SimConfig, simulate

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus")
    seeds = [1, 2] if args.quick else [1, 2, 3, 4, 5, 6]
    clf = IntentClassifier.load_default()
    rows = []
    delays: list[float] = []
    t0 = time.perf_counter()
    for seed in seeds:
        market = simulate(SimConfig(users=20_000, days=28, seed=seed, surges=4))
        truth = market.surges
        for label in ("classifier", "simulator"):
            s = keyed_searches(market, clf, TOPICS, use_sim_label=label == "simulator")
            for det in ("poisson", "ewma", "cusum"):
                spec = BurstSpec(freq="1h", detector=det)
                found = detect_bursts(s, time_col="ts", key_col="key", spec=spec)
                sc = score_bursts(found, truth)
                seen = truth[observable(s, truth)]
                sc_seen = score_bursts(found, seen)
                rows.append(
                    {
                        "seed": seed,
                        "moment_from": label,
                        "detector": det,
                        **sc,
                        "observable": len(seen),
                        "found_observable": round(sc_seen["recall"] * len(seen)),
                        "gaps": int((found["kind"] == "gap").sum()),
                    }
                )
                if label == "classifier" and det == "poisson":
                    delays += time_to_alert(s, truth, spec)
    res = pd.DataFrame(rows)
    agg = res.groupby(["moment_from", "detector"]).agg(
        surges=("surges", "sum"),
        bursts_found=("bursts_found", "sum"),
        true_positives=("true_positives", "sum"),
        gaps=("gaps", "sum"),
        found=("found_observable", "sum"),
        observable=("observable", "sum"),
    )
    agg["precision"] = agg["true_positives"] / agg["bursts_found"]
    agg["recall"] = agg["found"] / agg["surges"]
    agg["recall_observable"] = agg["found"] / agg["observable"]
    print(f"\nSimulator surges: {len(seeds)} seeds x 4 surges (20k users, 28 days, hourly buckets)")
    print(agg.round(3).to_string())
    if delays:
        d = np.array(delays) / 60
        print(
            f"\ntime from surge start to streaming alert (poisson, classifier keys): "
            f"median {np.median(d):.1f} min, p90 {np.percentile(d, 90):.1f} min, "
            f"n={len(d)}"
        )
    print(f"(evaluation took {time.perf_counter() - t0:.1f}s)")

    if GNIP.exists():
        g = pd.read_csv(
            GNIP, header=None, names=["interval_start", "duration_s", "count", "counter_name"]
        )
        print(f"\nGnip #scotus hourly series ({len(g)} hours): bursts and gaps per detector")
        for det in ("poisson", "ewma", "cusum"):
            out = detect_bursts(
                g,
                time_col="interval_start",
                key_col="counter_name",
                count_col="count",
                spec=BurstSpec(detector=det),
            )
            print(
                f"  {det}: {int((out['kind'] == 'burst').sum())} bursts, "
                f"{int((out['kind'] == 'gap').sum())} gaps"
            )
        out = detect_bursts(
            g,
            time_col="interval_start",
            key_col="counter_name",
            count_col="count",
            spec=BurstSpec(detector="cusum"),
        )
        top = out[out["kind"] == "burst"].sort_values("score", ascending=False).head(8)
        print("  strongest CUSUM bursts:")
        print(top.to_string(index=False))
    else:
        print(f"\n{GNIP} not found: Gnip evaluation skipped")


if __name__ == "__main__":
    main()
