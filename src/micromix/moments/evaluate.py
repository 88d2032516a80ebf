"""Score detected bursts against known surges (precision, recall, detection delay).

Quickstart
----------
>>> import pandas as pd
>>> from micromix.moments.evaluate import score_bursts
>>> truth = pd.DataFrame({"key": ["buy|dog food|UK"], "start": ["2024-05-01T10:00Z"],
...                       "end": ["2024-05-01T14:00Z"]})
>>> found = pd.DataFrame({"key": ["buy|dog food|UK", "go|vet|NL"], "kind": ["burst", "burst"],
...                       "start": ["2024-05-01T10:00Z", "2024-05-02T10:00Z"],
...                       "end": ["2024-05-01T13:00Z", "2024-05-02T11:00Z"]})
>>> s = score_bursts(found, truth)
>>> s["precision"], s["recall"]
(0.5, 1.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["match_bursts", "score_bursts", "zipf_events"]


def _ts(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, utc=True)


def match_bursts(
    found: pd.DataFrame, truth: pd.DataFrame, *, tolerance: str = "1h"
) -> pd.DataFrame:
    """Mark each found burst with the true surge it overlaps (same key, time overlap).

    Returns ``found`` (bursts only) with a ``truth_index`` column (``-1`` when it matches none).
    A burst overlaps a surge when ``[start, end)`` meets ``[surge start, surge end + tolerance)``.
    """
    f = found[found["kind"] == "burst"].copy() if "kind" in found.columns else found.copy()
    f["start"], f["end"] = _ts(f["start"]), _ts(f["end"])
    t = truth.reset_index(drop=True).copy()
    t["start"], t["end"] = _ts(t["start"]), _ts(t["end"]) + pd.Timedelta(tolerance)
    idx = []
    for _, r in f.iterrows():
        hit = t[(t["key"] == r["key"]) & (t["start"] < r["end"]) & (t["end"] > r["start"])]
        idx.append(int(hit.index[0]) if len(hit) else -1)
    f["truth_index"] = idx
    return f


def score_bursts(
    found: pd.DataFrame, truth: pd.DataFrame, *, tolerance: str = "1h"
) -> dict[str, Any]:
    """Precision (found bursts that are true surges) and recall (surges found at least once)."""
    m = match_bursts(found, truth, tolerance=tolerance)
    n_found = len(m)
    tp = int((m["truth_index"] >= 0).sum())
    hit = set(m.loc[m["truth_index"] >= 0, "truth_index"])
    return {
        "surges": len(truth),
        "bursts_found": n_found,
        "true_positives": tp,
        "precision": tp / n_found if n_found else float("nan"),
        "recall": len(hit) / len(truth) if len(truth) else float("nan"),
    }


def zipf_events(
    n: int, *, keys: int = 1000, hours: int = 48, surges: int = 20, seed: int = 0
) -> pd.DataFrame:
    """Synthetic traffic for tests and benchmarks: events with columns ``ts`` and ``key``.

    ``n`` candidate events over ``keys`` keys with Zipf-like shares (``1 / rank ** 0.8``),
    thinned by a daily cycle (about 60% are kept), plus ``surges`` bursts of 300 events within
    five minutes on random keys in the second half of the ``hours``.
    """
    rng = np.random.default_rng(seed)
    w = 1.0 / np.arange(1, keys + 1) ** 0.8
    k = rng.choice(keys, size=n, p=w / w.sum())
    secs = np.sort(rng.uniform(0, hours * 3600, n))
    keep = rng.random(n) < 0.6 + 0.4 * np.sin(2 * np.pi * (secs / 3600 % 24) / 24)
    parts = [pd.DataFrame({"secs": secs[keep], "key": k[keep]})]
    for _ in range(surges):
        start = rng.uniform(hours * 3600 * 0.5, hours * 3600 * 0.95)
        parts.append(
            pd.DataFrame({"secs": start + rng.uniform(0, 300, 300), "key": rng.integers(0, keys)})
        )
    df = pd.concat(parts).sort_values("secs", kind="stable").reset_index(drop=True)
    df["ts"] = pd.to_datetime(df["secs"] + 1_714_550_400, unit="s", utc=True)
    df["key"] = "k" + df["key"].astype(str)
    return df[["ts", "key"]]
