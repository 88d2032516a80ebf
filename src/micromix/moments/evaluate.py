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

import pandas as pd

__all__ = ["match_bursts", "score_bursts"]


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
