"""Segmentation: RFM scores and clustering (k-means, Gaussian mixture) with readable profiles.

Features may be behavioural (visits, spend, recency), demographic (age band), geographic
(region) or psychographic (interests); text columns are one-hot encoded and every column is
standardised before clustering. :func:`segment_profiles` describes each segment by its size,
the features that distinguish it most (in standard deviations from the overall mean) and its
KPIs.

Quickstart
----------
>>> from micromix.audience.datasets import make_uplift_data
>>> from micromix.audience.segments import ClusterSegmenter
>>> df = make_uplift_data(n=600, seed=0)
>>> seg = ClusterSegmenter(n_segments=3).fit(df, features=["x0", "x1", "region"])
>>> sorted(set(seg.labels_.tolist()))
[0, 1, 2]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from micromix.audience._prep import FeatureEncoder
from micromix.errors import ConfigError, DataValidationError, NotFittedError
from micromix.estimator import Estimator
from micromix.schema.base import require_columns
from micromix.schema.purchases import read_purchases

__all__ = [
    "RFM_SEGMENTS",
    "SEGMENT_METHODS",
    "ClusterSegmenter",
    "rfm_segment",
    "rfm_table",
    "segment_profiles",
]

#: clustering methods of :class:`ClusterSegmenter`
SEGMENT_METHODS: tuple[str, ...] = ("kmeans", "gmm")
#: RFM segment names, in the order their rules are tried
RFM_SEGMENTS: tuple[str, ...] = (
    "champions",
    "loyal",
    "new",
    "promising",
    "at_risk",
    "hibernating",
    "needs_attention",
)


def _need(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    require_columns(df, list(cols), what)


def _score(values: pd.Series, bins: int, higher_is_better: bool) -> np.ndarray:
    """Quantile score 1..bins (ties share a score)."""
    r = values.rank(method="average", pct=True).to_numpy()
    s = np.ceil(r * bins).clip(1, bins).astype(int)
    return s if higher_is_better else bins + 1 - s


def rfm_segment(r: int, f: int) -> str:
    """Name of the RFM segment of one customer from the recency and frequency scores (1..5).

    The name rests on recency and frequency alone (how recently and how often a customer
    buys); the monetary score is reported beside it (``m_score`` of :func:`rfm_table`) and
    names no segment.

    >>> rfm_segment(5, 5), rfm_segment(1, 3)
    ('champions', 'at_risk')
    """
    if r >= 4 and f >= 4:
        return "champions"
    if f >= 4:
        return "loyal"
    if r >= 4 and f <= 1:
        return "new"
    if r >= 4:
        return "promising"
    if r <= 2 and f >= 3:
        return "at_risk"
    if r <= 2:
        return "hibernating"
    return "needs_attention"


def rfm_table(
    transactions: pd.DataFrame,
    *,
    customer: str = "user_id",
    date: str = "ts",
    amount: str = "revenue",
    now: Any = None,
    bins: int = 5,
    source: str = "RFM",
    quantity_col: str | None = None,
    order_col: str | None = None,
    skip_missing_ids: bool = False,
    skip_returns: bool = False,
    order_value: str | None = None,
) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer, scored 1..``bins``, with a segment.

    The purchases are read by :func:`micromix.schema.purchases.read_purchases` (the rules the
    CLV models use): ids as text, amounts as exports write them, the file's own clock; an
    empty, unreadable or negative cell is refused naming ``source``, the row and the field.

    ``recency_days`` counts whole days: from the calendar day of the customer's last purchase
    to the day of ``now`` (both on the file's clock, as the CLV summary counts them), so the
    same purchases written with or without a time of day score the same. ``frequency`` counts
    purchases (orders with ``order_col``), two on one day being two. ``segment`` names the
    customer from the recency and frequency scores (:func:`rfm_segment`); ``m_score`` is beside it.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase (or event with a value).
    customer, date, amount : str
        Column names.
    now : timestamp, optional
        Reference date for recency (default: the last purchase day in the data); its time of
        day is not read, a UTC offset is dropped.
    bins : int
        Number of score levels.
    quantity_col, order_col, order_value, skip_missing_ids, skip_returns
        Line items, how an order's rows make its value (``"sum"`` or ``"total"``), and rows to
        leave out, as in :func:`micromix.schema.purchases.read_purchases`;
        what was read and left out is in ``attrs["orders"]`` and ``attrs["left_out"]``.
    """
    if bins < 2:
        raise ConfigError(f"bins must be >= 2, got {bins}")
    rows = read_purchases(
        transactions,
        customer_col=customer,
        date_col=date,
        value_col=amount,
        source=source,
        quantity_col=quantity_col,
        order_col=order_col,
        order_value=order_value,
        skip_missing_ids=skip_missing_ids,
        skip_returns=skip_returns,
    )
    # whole days on the file's clock: a time of day does not move a purchase's recency
    day = rows["ts"].dt.normalize()
    frame = pd.DataFrame({"customer": rows["customer_id"], "day": day, "amt": rows["value"]})
    if now is None:
        ref = frame["day"].max()
    else:
        ref = pd.Timestamp(now)
        ref = (ref.tz_localize(None) if ref.tzinfo is not None else ref).normalize()
    g = frame.groupby("customer", sort=True)
    out = pd.DataFrame(
        {
            "recency_days": (ref - g["day"].max()).dt.days,
            "frequency": g.size(),
            "monetary": g["amt"].sum(),
        }
    )
    out["r_score"] = _score(out["recency_days"], bins, higher_is_better=False)
    out["f_score"] = _score(out["frequency"], bins, higher_is_better=True)
    out["m_score"] = _score(out["monetary"], bins, higher_is_better=True)
    scale = 5.0 / bins
    out["segment"] = [
        rfm_segment(int(np.ceil(r * scale)), int(np.ceil(f * scale)))
        for r, f in zip(out["r_score"], out["f_score"])
    ]
    out.index.name = customer
    out = out.reset_index()
    out.attrs["left_out"] = dict(rows.attrs.get("left_out", {}))
    out.attrs["orders"] = rows.attrs.get("orders")
    return out


class ClusterSegmenter(Estimator):
    """k-means or Gaussian-mixture segmentation on standardised, one-hot encoded features.

    Parameters
    ----------
    method : {"kmeans", "gmm"}
    n_segments : int or "auto"
        Number of segments; ``auto`` tries 2..8 and keeps the best silhouette (k-means) or
        BIC (Gaussian mixture), on a sample of at most 5,000 rows.
    random_state : int
    """

    lookup_name = "cluster"

    def __init__(
        self, *, method: str = "kmeans", n_segments: int | str = 4, random_state: int = 0
    ) -> None:
        self.method = method
        self.n_segments = n_segments
        self.random_state = random_state

    def to_dict(self) -> dict[str, Any]:
        return {"segmenter": self.lookup_name, "params": self.get_params()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClusterSegmenter:
        return cls(**d.get("params", {}))

    def __repr__(self) -> str:
        return (
            f"ClusterSegmenter(method={self.method!r}, n_segments={self.n_segments!r}, "
            f"random_state={self.random_state})"
        )

    def _make(self, k: int) -> Any:
        if self.method == "kmeans":
            from sklearn.cluster import KMeans

            return KMeans(n_clusters=k, n_init=4, random_state=self.random_state)
        from sklearn.mixture import GaussianMixture

        return GaussianMixture(
            n_components=k, covariance_type="diag", random_state=self.random_state
        )

    def _choose_k(self, Z: np.ndarray) -> int:
        from sklearn.metrics import silhouette_score

        rng = np.random.default_rng(self.random_state)
        sample = Z if len(Z) <= 5000 else Z[rng.choice(len(Z), 5000, replace=False)]
        best_k, best = 2, -np.inf
        for k in range(2, min(8, len(sample) - 1) + 1):
            model = self._make(k).fit(sample)
            if self.method == "kmeans":
                score = silhouette_score(sample, model.labels_, random_state=self.random_state)
            else:
                score = -model.bic(sample)
            if score > best:
                best_k, best = k, score
        return best_k

    def fit(self, df: pd.DataFrame, features: Sequence[str]) -> ClusterSegmenter:
        """Learn segments from ``features`` of ``df``; labels are in ``labels_``."""
        if self.method not in SEGMENT_METHODS:
            raise ConfigError(
                f"method={self.method!r} is not known; choose one of {', '.join(SEGMENT_METHODS)}"
            )
        feats = list(features)
        if not feats:
            raise ConfigError("segmentation needs at least one feature column")
        _need(df, feats, "segmentation")
        if len(df) < 10:
            raise DataValidationError(f"segmentation needs at least 10 rows, got {len(df)}")
        self.encoder_ = FeatureEncoder().fit(df[feats])
        Z = self.encoder_.transform(df[feats]).astype(float)
        self.mean_ = Z.mean(axis=0)
        self.scale_ = Z.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        Z = (Z - self.mean_) / self.scale_
        if self.n_segments == "auto":
            k = self._choose_k(Z)
        else:
            k = int(self.n_segments)
            if not 2 <= k <= len(df):
                raise ConfigError(f"n_segments must be between 2 and the number of rows, got {k}")
        self.model_ = self._make(k).fit(Z)
        self.n_segments_ = k
        self.features_ = feats
        self.labels_ = self._predict_z(Z)
        return self

    def _predict_z(self, Z: np.ndarray) -> np.ndarray:
        return np.asarray(self.model_.predict(Z), dtype=int)

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """Segment of each row of ``df``."""
        if not hasattr(self, "model_"):
            raise NotFittedError("ClusterSegmenter is not fitted; call fit(df, features) first")
        Z = (self.encoder_.transform(df[self.features_]).astype(float) - self.mean_) / self.scale_
        return self._predict_z(Z)


def segment_profiles(
    df: pd.DataFrame,
    labels: Sequence[Any] | np.ndarray,
    *,
    features: Sequence[str],
    kpis: Sequence[str] = (),
    top: int = 3,
) -> pd.DataFrame:
    """One readable row per segment: size, share, what distinguishes it, and KPI means.

    ``distinguishing`` lists the ``top`` encoded features whose segment mean is furthest from
    the overall mean, in overall standard deviations (e.g. ``"recency high (+1.3 sd)"``).
    """
    _need(df, [*features, *kpis], "segment profiles")
    lab = np.asarray(labels)
    if len(lab) != len(df):
        raise DataValidationError(f"labels ({len(lab)}) and rows ({len(df)}) differ in length")
    enc = FeatureEncoder().fit(df[list(features)])
    Z = enc.transform(df[list(features)]).astype(float)
    mu, sd = Z.mean(axis=0), Z.std(axis=0)
    sd[sd == 0] = 1.0
    names = enc.names_
    rows = []
    for seg in sorted(pd.unique(lab), key=lambda v: str(v)):
        m = lab == seg
        z = (Z[m].mean(axis=0) - mu) / sd
        idx = np.argsort(-np.abs(z))[:top]
        desc = [f"{names[i]} {'high' if z[i] > 0 else 'low'} ({z[i]:+.1f} sd)" for i in idx]
        row: dict[str, Any] = {
            "segment": seg,
            "size": int(m.sum()),
            "share": float(m.mean()),
            "distinguishing": "; ".join(desc),
        }
        for k in kpis:
            row[k] = float(pd.to_numeric(df.loc[m, k], errors="coerce").mean())
        rows.append(row)
    return pd.DataFrame(rows).sort_values("size", ascending=False, ignore_index=True)
