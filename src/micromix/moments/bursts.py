"""Burst and gap detection over counts per key, in batch and in streaming mode.

Events are counted per key (any key: intent x topic x region, a hashtag, a product) in fixed
time buckets. For each bucket a seasonal baseline is estimated from *past* buckets only: the
same hour of the same weekday in earlier weeks when there are enough of them, else the same
hour on earlier days, else the trailing mean — so the baseline knows daily and weekly
seasonality. A registered detector (:mod:`micromix.moments.detectors`) turns observed vs
expected into a burst decision and a score.

Guards:

* **minimum baseline** — the expected count is floored at ``min_baseline`` and a burst needs at
  least ``min_count`` events and ``min_ratio`` times the baseline;
* **coverage** — a bucket whose total over all keys falls below ``gap_ratio`` of its expected
  total is a collection **gap**: it is reported with ``kind="gap"``, kept out of every baseline
  and detector state, so that normal volume after a gap is not mistaken for a burst; a key
  needs enough non-gap history before it can burst at all.

Batch (:func:`detect_bursts`) and streaming (:class:`BurstStream`) feed the same
:class:`BurstEngine`, bucket by bucket, so they give the same bursts on the same data; the
stream also alerts *early*, on the event whose arrival pushes a count over its threshold.

Quickstart
----------
>>> import numpy as np, pandas as pd
>>> from micromix.moments.bursts import BurstSpec, detect_bursts
>>> rng = np.random.default_rng(0)
>>> hours = pd.date_range("2024-01-01", periods=24 * 21, freq="h", tz="UTC")
>>> counts = rng.poisson(20, len(hours)); counts[400] = 90
>>> df = pd.DataFrame({"ts": hours, "n": counts, "key": "dog food"})
>>> out = detect_bursts(df, time_col="ts", key_col="key", count_col="n")
>>> out[["key", "start", "kind"]].to_dict("records")
[{'key': 'dog food', 'start': Timestamp('2024-01-17 16:00:00+0000', tz='UTC'), 'kind': 'burst'}]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from micromix.errors import ConfigError, DataValidationError
from micromix.moments.detectors import BurstDetector, get_detector

__all__ = [
    "ALL_KEYS",
    "BURST_COLUMNS",
    "Alert",
    "BucketResult",
    "BurstEngine",
    "BurstSpec",
    "BurstStream",
    "detect_bursts",
    "freq_seconds",
]

#: the key used for gap rows (a collection gap concerns every key)
ALL_KEYS = "*"
#: columns of a burst / gap table
BURST_COLUMNS = ["key", "start", "end", "observed", "expected", "score", "kind"]

_EPOCH = pd.Timestamp(0, tz="UTC")
_DAY = 86_400
_WEEK = 7 * _DAY


def freq_seconds(freq: str) -> int:
    """Width of a bucket in whole seconds, e.g. ``"1h"`` -> 3600."""
    try:
        td = pd.Timedelta(freq)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"freq={freq!r} is not a time span; use e.g. '1min', '15min', '1h' or '1D'"
        ) from exc
    s = int(td.total_seconds())
    if s < 1 or s != td.total_seconds():
        raise ConfigError(f"freq={freq!r} must be a whole number of seconds >= 1")
    return s


@dataclass(frozen=True)
class BurstSpec:
    """Everything that defines burst detection; validated on construction.

    Parameters
    ----------
    freq : str
        Bucket width (pandas offset such as ``"5min"``, ``"1h"``, ``"1D"``).
    detector : str or dict
        Registered detector name (``poisson``, ``ewma``, ``cusum``) or a ``to_dict()`` dict.
    detector_params : dict
        Parameters of the detector when ``detector`` is a name.
    n_weeks, n_days : int
        How many same-slot weeks / days back the seasonal baseline looks.
    min_baseline : float
        Floor of the expected count (a never-seen key is compared with this).
    min_count : int
        Fewest events a burst bucket must hold.
    min_ratio : float
        A burst must also be at least this multiple of the expected count.
    gap_ratio : float
        A bucket whose total is below ``gap_ratio`` x its expected total is a collection gap.
    min_gap_expected : float
        Only buckets expected to hold at least this many events in total can be gaps.
    gap_alpha : float
        ... and only when so low a total has Poisson probability below ``gap_alpha``. The
        expected total comes from the seasonal baseline of the total volume (after 3 days or
        2 weeks of history), so a quiet night is not a gap.
    min_history : int
        Non-gap past buckets a key needs before it can burst.
    lateness : int
        Streaming only: buckets an open bucket waits for late events before it closes.
    """

    freq: str = "1h"
    detector: str | dict[str, Any] = "poisson"
    detector_params: dict[str, Any] = field(default_factory=dict)
    n_weeks: int = 4
    n_days: int = 7
    min_baseline: float = 1.0
    min_count: int = 5
    min_ratio: float = 1.5
    gap_ratio: float = 0.2
    min_gap_expected: float = 10.0
    gap_alpha: float = 1e-6
    min_history: int = 24
    lateness: int = 0

    def __post_init__(self) -> None:
        freq_seconds(self.freq)
        self.make_detector()
        for name in ("n_weeks", "n_days", "min_count", "min_history", "lateness"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < 0:
                raise ConfigError(f"BurstSpec: {name}={v!r} must be a whole number >= 0")
        for name in ("min_baseline", "min_ratio", "min_gap_expected", "gap_alpha"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or v <= 0:
                raise ConfigError(f"BurstSpec: {name}={v!r} must be a positive number")
        if not (0 <= self.gap_ratio < 1):
            raise ConfigError(f"BurstSpec: gap_ratio={self.gap_ratio!r} must be in [0, 1)")

    @property
    def width(self) -> int:
        """Bucket width in seconds."""
        return freq_seconds(self.freq)

    def make_detector(self) -> BurstDetector:
        """The configured detector instance."""
        return get_detector(self.detector, **(self.detector_params or {}))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict; ``BurstSpec(**d)`` rebuilds it."""
        return asdict(self)


@dataclass
class BucketResult:
    """Decisions for one closed bucket, one entry per known key (arrays aligned with ``keys``)."""

    bucket: int
    keys: list[str]
    observed: np.ndarray
    expected: np.ndarray
    threshold: np.ndarray
    score: np.ndarray
    burst: np.ndarray
    gap: bool
    total_observed: float
    total_expected: float


class BurstEngine:
    """The shared core: seasonal baselines, detector state and decisions, bucket by bucket.

    Feed closed buckets in order with :meth:`close`; :attr:`thresholds` holds, for the bucket
    currently open, the count per key at which it becomes a burst.
    """

    def __init__(self, spec: BurstSpec | None = None) -> None:
        self.spec = spec or BurstSpec()
        self.detector = self.spec.make_detector()
        w = self.spec.width
        self._D = max(1, _DAY // w) if w <= _DAY else 0
        self._W = max(1, _WEEK // w) if w <= _WEEK else 0
        lags_w = [k * self._W for k in range(1, self.spec.n_weeks + 1)] if self._W else []
        lags_d = [k * self._D for k in range(1, self.spec.n_days + 1)] if self._D else []
        n_trail = max(3, min(self._D, 24))
        self._lags_w = np.asarray(lags_w, dtype=np.int64)
        self._lags_d = np.asarray(lags_d, dtype=np.int64)
        self._lags_t = np.arange(1, n_trail + 1, dtype=np.int64)
        self._H = int(max([n_trail, *lags_w, *lags_d])) + 1
        self.keys: list[str] = []
        self.index: dict[str, int] = {}
        self._cap = 0
        self._n = 0
        self._hist = np.full((0, self._H), np.nan)
        self._slot_bucket = np.full(self._H, -1, dtype=np.int64)
        self._slot_gap = np.zeros(self._H, dtype=bool)
        self._tot_hist = np.full((1, self._H), np.nan)
        self.total_expected = 0.0
        self._state = self.detector.init_state(0)
        self.start: int | None = None
        self.open_bucket: int | None = None
        self.expected = np.zeros(0)
        self.extra_var = np.zeros(0)
        self._n_hist = np.zeros(0)
        self.thresholds = np.zeros(0)
        self._eligible = np.zeros(0, dtype=bool)
        self._exact = np.zeros(0, dtype=bool)

    # ------------------------------------------------------------------ keys
    def key_index(self, key: str) -> int:
        """Index of ``key``, adding it (with a zero history since the start) if new."""
        i = self.index.get(key)
        if i is not None:
            return i
        i = self._n
        if i >= self._cap:
            self._grow(max(16, 2 * self._cap))
        self.index[key] = i
        self.keys.append(key)
        self._n += 1
        valid = (self._slot_bucket >= 0) & ~self._slot_gap
        self._hist[i] = np.where(valid, 0.0, np.nan)
        self._n_hist[i] = int(valid.sum())
        if self.open_bucket is not None:
            self._prepare_rows(np.array([i]))
        return i

    def _grow(self, cap: int) -> None:
        hist = np.full((cap, self._H), np.nan)
        hist[: self._n] = self._hist[: self._n]
        self._hist = hist
        self._state = self.detector.grow_state(self._state, cap)
        for name in ("expected", "extra_var", "thresholds", "_n_hist"):
            arr = np.zeros(cap)
            arr[: self._n] = getattr(self, name)[: self._n]
            setattr(self, name, arr)
        for name in ("_eligible", "_exact"):
            flags = np.zeros(cap, dtype=bool)
            flags[: self._n] = getattr(self, name)[: self._n]
            setattr(self, name, flags)
        self._cap = cap

    # ------------------------------------------------------------------ baseline
    def _lag_values(
        self, hist: np.ndarray, rows: np.ndarray, bucket: int, lags: np.ndarray
    ) -> np.ndarray:
        if len(lags) == 0:
            return np.full((len(rows), 0), np.nan)
        target = bucket - lags
        slots = target % self._H
        vals = hist[np.ix_(rows, slots)]
        vals[:, self._slot_bucket[slots] != target] = np.nan
        return vals

    def _seasonal(self, hist: np.ndarray, rows: np.ndarray, bucket: int) -> tuple[np.ndarray, ...]:
        """Raw baseline of ``hist[rows]``: (expected, n values used, seasonal?, n trail)."""
        vw = self._lag_values(hist, rows, bucket, self._lags_w)
        vd = self._lag_values(hist, rows, bucket, self._lags_d)
        vt = self._lag_values(hist, rows, bucket, self._lags_t)
        nw, nd, nt = (np.sum(~np.isnan(v), axis=1) for v in (vw, vd, vt))
        mw = np.nansum(vw, axis=1) / np.maximum(nw, 1)
        md = np.nansum(vd, axis=1) / np.maximum(nd, 1)
        mt = np.nansum(vt, axis=1) / np.maximum(nt, 1)
        use_w, use_d = nw >= 2, nd >= 3
        exp = np.where(use_w, mw, np.where(use_d, md, mt))
        n_used = np.where(use_w, nw, np.where(use_d, nd, nt))
        seasonal = use_w | use_d | (len(self._lags_w) + len(self._lags_d) == 0)
        return exp, n_used, seasonal, nt

    def _baseline(self, rows: np.ndarray, bucket: int) -> tuple[np.ndarray, ...]:
        exp, n_used, _, nt = self._seasonal(self._hist, rows, bucket)
        eligible = (nt >= 1) & (self._n_hist[rows] >= self.spec.min_history)
        exp = np.maximum(exp, self.spec.min_baseline)
        # the baseline is a mean of n_used Poisson counts: its own variance is exp / n_used
        extra_var = exp / np.maximum(n_used, 1)
        return exp, extra_var, eligible

    def _prepare_rows(self, rows: np.ndarray) -> None:
        assert self.open_bucket is not None
        exp, xvar, elig = self._baseline(rows, self.open_bucket)
        floor = np.maximum(float(self.spec.min_count), np.ceil(self.spec.min_ratio * exp))
        self.expected[rows] = exp
        self.extra_var[rows] = xvar
        self._eligible[rows] = elig
        if self.detector.cheap_threshold:
            self.thresholds[rows] = floor
            self._exact[rows] = False
            self.refine(rows)
        else:
            # a lower bound now; the exact threshold only for keys likely to reach it
            self.thresholds[rows] = np.where(elig, floor, np.inf)
            self._exact[rows] = ~elig
            busy = rows[elig & (exp * self.spec.min_ratio >= 0.5 * self.spec.min_count)]
            if len(busy):
                self.refine(busy)

    def refine(self, rows: np.ndarray) -> None:
        """Replace the lower-bound thresholds of ``rows`` by the detector's exact ones."""
        rows = rows[~self._exact[rows]]
        if not len(rows):
            return
        st = {k: v[rows] for k, v in self._state.items()}
        thr = self.detector.threshold(st, self.expected[rows], self.extra_var[rows])
        thr = np.maximum(thr, self.thresholds[rows])
        self.thresholds[rows] = np.where(self._eligible[rows], thr, np.inf)
        self._exact[rows] = True

    def open(self, bucket: int) -> None:
        """Start bucket ``bucket``: compute every key's expected count and burst threshold."""
        if self.start is None:
            self.start = bucket
        self.open_bucket = bucket
        exp, _, seasonal, _ = self._seasonal(self._tot_hist, np.zeros(1, dtype=np.int64), bucket)
        self.total_expected = float(exp[0]) if seasonal[0] and not np.isnan(exp[0]) else 0.0
        if self._n:
            self._prepare_rows(np.arange(self._n))

    # ------------------------------------------------------------------ close
    def close(self, counts: np.ndarray) -> BucketResult:
        """Close the open bucket with observed ``counts`` (aligned with :attr:`keys`)."""
        if self.open_bucket is None:
            raise ConfigError("BurstEngine.close called before open(bucket)")
        b = self.open_bucket
        n = self._n
        obs = np.zeros(n)
        obs[: len(counts)] = counts[:n]
        exp = self.expected[:n].copy()
        xvar = self.extra_var[:n].copy()
        near = np.flatnonzero((obs >= self.thresholds[:n]) & ~self._exact[:n])
        if len(near):
            self.refine(near)
        thr = self.thresholds[:n].copy()
        st = {k: v[:n] for k, v in self._state.items()}
        burst = obs >= thr
        score = np.full(n, np.nan)  # scored where it is reported: the burst buckets
        if burst.any():
            sub = {k: v[burst] for k, v in st.items()}
            score[burst] = self.detector.score(sub, obs[burst], exp[burst], xvar[burst])
        total_obs = float(obs.sum())
        total_exp = self.total_expected
        gap = bool(
            total_exp >= self.spec.min_gap_expected
            and total_obs < self.spec.gap_ratio * total_exp
            and stats.poisson.cdf(total_obs, total_exp) < self.spec.gap_alpha
        )
        # state and history learn only from normal, covered buckets
        learn = ~burst & ~gap
        if n:
            self.detector.update(st, obs, exp, learn, xvar)
            for k, v in st.items():
                self._state[k][:n] = v
        slot = b % self._H
        self._slot_bucket[slot] = b
        self._slot_gap[slot] = gap
        if gap:
            self._hist[:n, slot] = np.nan
            self._tot_hist[0, slot] = np.nan
        else:
            kept = np.where(burst, np.minimum(obs, np.maximum(thr, exp)), obs)
            self._hist[:n, slot] = kept
            self._n_hist[:n] += 1
            self._tot_hist[0, slot] = kept.sum()
        res = BucketResult(b, self.keys[:n], obs, exp, thr, score, burst, gap, total_obs, total_exp)
        self.open(b + 1)
        return res


class _Episodes:
    """Merge consecutive burst (per key) and gap (global) buckets into rows."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.open: dict[str, list[Any]] = {}
        self.rows: list[tuple] = []

    def _emit(self, key: str, ep: list[Any], kind: str) -> None:
        first, last, o, e, s = ep
        self.rows.append((key, first, last + 1, o, e, s, kind))

    def feed(self, res: BucketResult) -> list[tuple[str, str]]:
        started: list[tuple[str, str]] = []
        b = res.bucket
        active: set[str] = set()
        for i in np.flatnonzero(res.burst):
            key = res.keys[i]
            active.add(key)
            ep = self.open.get(key)
            if ep is None:
                self.open[key] = [b, b, res.observed[i], res.expected[i], res.score[i]]
                started.append((key, "burst"))
            else:
                ep[1] = b
                ep[2] += res.observed[i]
                ep[3] += res.expected[i]
                ep[4] = max(ep[4], res.score[i])
        gkey = "\x00gap"
        if res.gap:
            active.add(gkey)
            ep = self.open.get(gkey)
            cover = res.total_observed / max(res.total_expected, 1e-9)
            if ep is None:
                self.open[gkey] = [b, b, res.total_observed, res.total_expected, cover]
                started.append((ALL_KEYS, "gap"))
            else:
                ep[1] = b
                ep[2] += res.total_observed
                ep[3] += res.total_expected
                ep[4] = min(ep[4], cover)
        for key in [k for k in self.open if k not in active]:
            ep = self.open.pop(key)
            if key == gkey:
                self._emit(ALL_KEYS, ep, "gap")
            else:
                self._emit(key, ep, "burst")
        return started

    def finish(self) -> None:
        for key, ep in list(self.open.items()):
            self._emit(
                ALL_KEYS if key == "\x00gap" else key, ep, "gap" if key == "\x00gap" else "burst"
            )
        self.open.clear()

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=BURST_COLUMNS)
        for c in ("start", "end"):
            df[c] = pd.to_datetime(df[c].astype("int64") * self.width, unit="s", utc=True)
        df["observed"] = df["observed"].astype(float)
        df["expected"] = df["expected"].astype(float).round(3)
        df["score"] = df["score"].astype(float).round(3)
        return df.sort_values(["start", "kind", "key"], kind="stable").reset_index(drop=True)


def _to_epoch_seconds(values: pd.Series, column: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values):
        v = values.to_numpy(dtype=np.float64)
        lo, hi = np.nanmin(v) if len(v) else 0.0, np.nanmax(v) if len(v) else 0.0
        for fmt, a, b in (
            ("%Y%m%d%H%M%S", 1.9e13, 2.2e13),
            ("%Y%m%d%H%M", 1.9e11, 2.2e11),
            ("%Y%m%d", 1.9e7, 2.2e7),
        ):
            if a <= lo and hi < b:  # compact timestamps such as 20140824130000
                values = values.astype("Int64").astype(str)
                ts = pd.to_datetime(values, format=fmt, utc=True, errors="coerce")
                return (ts - _EPOCH).dt.total_seconds().to_numpy(dtype=np.float64)
        for scale, bound in ((1e9, 1e17), (1e6, 1e14), (1e3, 1e11)):
            if hi > bound:  # epoch nanoseconds / microseconds / milliseconds
                return v / scale
        if len(v) and hi < 1e8:
            raise DataValidationError(
                f"column {column!r} holds numbers up to {hi:g}, which are not timestamps "
                "(as epoch seconds they fall before 1973); pass the time column instead"
            )
        return v
    ts = pd.to_datetime(values, utc=True, errors="coerce", format="mixed")
    bad = ts.isna() & values.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(
            f"column {column!r}: value {values.iloc[i]!r} (row {i + 1}) is not a timestamp; "
            "use ISO 8601 such as 2024-05-01T10:00:00Z"
        )
    if not len(ts):
        return np.zeros(0)
    return (ts - _EPOCH).dt.total_seconds().to_numpy(dtype=np.float64)


def detect_bursts(
    df: pd.DataFrame,
    *,
    time_col: str,
    key_col: str | Iterable[str] | None = None,
    count_col: str | None = None,
    spec: BurstSpec | None = None,
) -> pd.DataFrame:
    """Batch mode: bursts and gaps in a table of events or pre-aggregated counts.

    Parameters
    ----------
    df : DataFrame
        One row per event, or per (time, key) count when ``count_col`` is given.
    time_col : str
        Timestamp column (ISO strings, datetimes, or epoch seconds).
    key_col : str or list of str, optional
        Column(s) whose values form the key; several are joined with ``" | "``. Without it,
        every row belongs to the key ``"all"``.
    count_col : str, optional
        Column with pre-aggregated counts.
    spec : BurstSpec, optional

    Returns
    -------
    DataFrame
        Columns :data:`BURST_COLUMNS`; ``kind`` is ``burst`` or ``gap``.
    """
    spec = spec or BurstSpec()
    width = spec.width
    if len(df) == 0:
        return pd.DataFrame(columns=BURST_COLUMNS)
    secs = _to_epoch_seconds(df[time_col], time_col)
    keep = ~np.isnan(secs)
    if isinstance(key_col, str):
        keys = df[key_col].astype(str)
    elif key_col is not None:
        cols = list(key_col)
        keys = df[cols].astype(str).agg(" | ".join, axis=1) if cols else None
    else:
        keys = None
    if keys is None:
        keys = pd.Series("all", index=df.index)
    if count_col is not None:
        cnt = pd.to_numeric(df[count_col], errors="coerce")
        if cnt.isna().any() or (cnt < 0).any():
            i = int(np.flatnonzero((cnt.isna() | (cnt < 0)).to_numpy())[0])
            raise DataValidationError(
                f"column {count_col!r}: value {df[count_col].iloc[i]!r} (row {i + 1}) is not a "
                "count >= 0; fix the value or drop the row"
            )
        counts = cnt.to_numpy(dtype=np.float64)
    else:
        counts = np.ones(len(df))
    buckets = np.floor(secs[keep] / width).astype(np.int64)
    agg = (
        pd.DataFrame({"b": buckets, "k": keys.to_numpy()[keep], "c": counts[keep]})
        .groupby(["b", "k"], sort=True)["c"]
        .sum()
    )
    engine = BurstEngine(spec)
    eps = _Episodes(width)
    b_values = agg.index.get_level_values(0).to_numpy()
    k_values = agg.index.get_level_values(1).to_numpy()
    c_values = agg.to_numpy()
    first, last = int(b_values.min()), int(b_values.max())
    bounds = np.searchsorted(b_values, np.arange(first, last + 2))
    engine.open(first)
    counts_vec = np.zeros(16)
    for j, b in enumerate(range(first, last + 1)):
        lo, hi = bounds[j], bounds[j + 1]
        idx = [engine.key_index(k) for k in k_values[lo:hi]]
        if len(counts_vec) < engine._n:
            counts_vec = np.zeros(max(engine._n, 2 * len(counts_vec)))
        counts_vec[: engine._n] = 0.0
        counts_vec[idx] = c_values[lo:hi]
        eps.feed(engine.close(counts_vec[: engine._n]))
        assert engine.open_bucket == b + 1
    eps.finish()
    return eps.frame()


@dataclass
class Alert:
    """A burst or gap as the stream sees it start."""

    key: str
    kind: str
    bucket_start: pd.Timestamp
    observed: float
    expected: float
    threshold: float
    event_ts: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["bucket_start"] = self.bucket_start.isoformat()
        return d


class BurstStream:
    """Streaming mode: feed events one by one; get early alerts; same bursts as batch.

    Events of bucket ``b`` are counted while ``b`` is open. A bucket closes when an event at
    least ``lateness + 1`` buckets later arrives (or at :meth:`flush`); events for an already
    closed bucket are counted in :attr:`late` and otherwise ignored.

    Examples
    --------
    >>> s = BurstStream(BurstSpec(freq="1min", min_history=1))
    >>> alerts = [a for t in range(0, 600, 10) for a in s.add(t, "x")]
    >>> alerts += [a for t in range(600, 660) for a in s.add(t, "x")]
    >>> [(a.key, a.kind) for a in alerts]
    [('x', 'burst')]
    >>> s.flush()["kind"].tolist()
    ['burst']
    """

    def __init__(self, spec: BurstSpec | None = None) -> None:
        self.spec = spec or BurstSpec()
        self.engine = BurstEngine(self.spec)
        self.width = self.spec.width
        self._eps = _Episodes(self.width)
        self._open: dict[int, dict[int, float]] = {}
        self._alerted: set[tuple[int, int]] = set()
        self._latest: int | None = None
        self._fast_b: int | None = None
        self._fast_counts: dict[int, float] = {}
        self.late = 0
        self.n_events = 0

    def _bucket_start(self, b: int) -> pd.Timestamp:
        return pd.Timestamp(b * self.width, unit="s", tz="UTC")

    def _close_until(self, b_max: int, ts: float | None = None) -> list[Alert]:
        """Close every bucket < ``b_max`` (in order)."""
        alerts: list[Alert] = []
        eng = self.engine
        while eng.open_bucket is not None and eng.open_bucket < b_max:
            b = eng.open_bucket
            counts = self._open.pop(b, {})
            vec = np.zeros(eng._n)
            for i, c in counts.items():
                vec[i] = c
            res = eng.close(vec)
            for _key, kind in self._eps.feed(res):
                if kind == "gap":
                    alerts.append(
                        Alert(
                            ALL_KEYS,
                            "gap",
                            self._bucket_start(b),
                            res.total_observed,
                            res.total_expected,
                            np.nan,
                        )
                    )
            self._alerted = {x for x in self._alerted if x[0] > b}
            # counts already collected for the new open bucket may cross its thresholds
            nb = eng.open_bucket
            assert nb is not None
            for i, c in self._open.get(nb, {}).items():
                alerts.extend(self._check(nb, i, c, ts))
        return alerts

    def _check(self, b: int, i: int, c: float, ts: float | None) -> list[Alert]:
        eng = self.engine
        if b != eng.open_bucket or c < eng.thresholds[i] or (b, i) in self._alerted:
            return []
        if not eng._exact[i]:
            eng.refine(np.array([i]))
            if c < eng.thresholds[i]:
                return []
        self._alerted.add((b, i))
        if eng.keys[i] in self._eps.open:  # the surge goes on: alerted when it started
            return []
        return [
            Alert(
                eng.keys[i],
                "burst",
                self._bucket_start(b),
                c,
                float(eng.expected[i]),
                float(eng.thresholds[i]),
                ts,
            )
        ]

    def add(self, ts: float, key: str, count: float = 1.0) -> list[Alert]:
        """Count one event (``ts`` in epoch seconds) and return the alerts it triggers."""
        b = int(ts // self.width)
        if b == self._fast_b:  # hot path: the open bucket, a known key
            i = self.engine.index.get(key)
            if i is not None:
                self.n_events += 1
                counts = self._fast_counts
                c = counts.get(i, 0.0) + count
                counts[i] = c
                if c >= self.engine.thresholds[i]:
                    return self._check(b, i, c, ts)
                return []
        alerts = self._add_slow(ts, key, count, b)
        ob = self.engine.open_bucket
        if ob is not None and ob == self._latest:
            self._fast_b = ob
            self._fast_counts = self._open.setdefault(ob, {})
        else:
            self._fast_b = None
        return alerts

    def _add_slow(self, ts: float, key: str, count: float, b: int) -> list[Alert]:
        eng = self.engine
        alerts: list[Alert] = []
        if eng.open_bucket is None:
            eng.open(b)
            self._latest = b
        elif b < eng.open_bucket:
            self.late += 1
            return alerts
        self.n_events += 1
        i = eng.key_index(key)
        bucket_counts = self._open.get(b)
        if bucket_counts is None:
            bucket_counts = self._open[b] = {}
        c = bucket_counts.get(i, 0.0) + count
        bucket_counts[i] = c
        assert self._latest is not None
        if b > self._latest:
            self._latest = b
            alerts.extend(self._close_until(b - self.spec.lateness, ts))
        if b == eng.open_bucket and c >= eng.thresholds[i]:
            alerts.extend(self._check(b, i, c, ts))
        return alerts

    def flush(self) -> pd.DataFrame:
        """Close every open bucket and return all burst and gap episodes seen so far."""
        self._fast_b = None
        if self._latest is not None:
            self._close_until(self._latest + 1)
        self._eps.finish()
        return self._eps.frame()

    def episodes(self) -> pd.DataFrame:
        """Episodes finished so far (without closing open buckets)."""
        return self._eps.frame()
