"""Bursts, level shifts and coverage gaps over counts per key, in batch and in streaming mode.

Events are counted per key (any key: intent x topic x region, a brand, a hashtag, a product)
in fixed time buckets. For each bucket a seasonal baseline is estimated from *past* buckets
only: the same hour of the same weekday in earlier weeks when there are enough of them, else
the same hour on earlier days, else the trailing mean — so the baseline knows daily and weekly
seasonality. A registered detector (:mod:`micromix.moments.detectors`) turns observed vs
expected into a burst decision and a score.

What is reported (``kind``):

* ``burst`` — a **transient** excess over the key's current level: consecutive buckets at or
  over the detector's threshold (``hours`` says how long it lasted);
* ``level_shift`` — a key whose volume **steps up and stays up**: in the last
  ``shift_window`` buckets at least ``shift_share`` of them are elevated and their sum is far
  above the baseline. The rising edge is reported once, as a level shift from the bucket the
  elevation began (any burst rows it had produced are folded into it), and the key's baseline
  restarts at the new level, so a spike on top of it is still a burst of hours;
* ``gap`` — a **coverage** change. Globally (key ``*``): a run of buckets whose total over all
  keys stays far below its usual level for long enough to be no accident, a collection outage
  of everything. The usual level is robust (a trimmed mean of the same slot on past days and
  weeks, so an earlier burst does not inflate it) and the test allows for the series' own
  day-to-day swing (negative binomial). Per key: a key whose volume falls far below its own
  level for long enough to be no accident while the total keeps flowing (its collection
  stopped). Both are dated from their first quiet bucket. Gap buckets are kept out of every
  baseline and detector state, so normal volume after a gap is not mistaken for a burst.

Guards: the expected count is floored at ``min_baseline``; a burst needs at least ``min_count``
events and ``min_ratio`` times the baseline; a key needs ``min_history`` covered buckets before
it can burst.

Batch (:func:`detect_bursts`) and streaming (:class:`BurstStream`) feed the same
:class:`BurstEngine`, bucket by bucket, so they give the same table on the same data; the
stream also alerts *early*, on the event whose arrival pushes a count over its threshold (and
alerts again when a surge turns out to be a level shift).

Quickstart
----------
>>> import numpy as np, pandas as pd
>>> from micromix.moments.bursts import BurstSpec, detect_bursts
>>> rng = np.random.default_rng(0)
>>> hours = pd.date_range("2024-01-01", periods=24 * 21, freq="h", tz="UTC")
>>> counts = rng.poisson(20, len(hours)); counts[400] = 90
>>> df = pd.DataFrame({"ts": hours, "n": counts, "key": "dog food"})
>>> out = detect_bursts(df, time_col="ts", key_col="key", count_col="n")
>>> out[["key", "start", "hours", "kind"]].to_dict("records")
[{'key': 'dog food', 'start': Timestamp('2024-01-17 16:00:00+0000', tz='UTC'), 'hours': 1.0, 'kind': 'burst'}]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from micromix.errors import ConfigError, DataValidationError
from micromix.moments.detectors import BurstDetector, get_detector
from micromix.schema.values import blank_cells, read_timestamps, refuse_first

__all__ = [
    "ACTED_COLUMNS",
    "ALL_KEYS",
    "BURST_COLUMNS",
    "KINDS",
    "SCORE_MEANING",
    "Alert",
    "BucketResult",
    "BurstEngine",
    "BurstSpec",
    "BurstStream",
    "CoarseTimesError",
    "Episode",
    "check_time_resolution",
    "detect_bursts",
    "freq_seconds",
    "span_text",
    "time_zone",
]

#: the key used for global gap rows (a collection gap of everything)
ALL_KEYS = "*"
#: columns of a burst / level-shift / gap table
BURST_COLUMNS = ["key", "start", "end", "hours", "observed", "expected", "score", "kind", "ratio"]
#: what ``score`` is, per detector (bursts) and per kind (level shifts, gaps): each detector's
#: own statistic, so scores compare within a detector and kind, not across them
SCORE_MEANING = {
    "poisson": "-log10 of the Poisson tail probability of the observed count given the "
    "expected one (3 = 1 in 1,000; capped at 300)",
    "ewma": "z-score: standard deviations of the observed count above the EWMA baseline",
    "cusum": "the CUSUM statistic at the burst's peak: standardised excesses over the "
    "expected count summed over the run, less the allowance k per bucket",
    "level_shift": "observed / expected over the shift (the same as ratio)",
    "gap": "observed / expected over the gap: the share of the expected volume that arrived "
    "(0 = nothing)",
}
#: the kinds of row
KINDS = ("burst", "level_shift", "gap")

_EPOCH = pd.Timestamp(0, tz="UTC")
#: share of its recent buckets in which a key must have had events to be judged for gaps
_STEADY_SHARE = 0.75
_DAY = 86_400
_WEEK = 7 * _DAY


#: a --freq of digits only (pandas would read "10" as 10 nanoseconds)
_NO_UNIT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)\s*")


def freq_seconds(freq: str) -> int:
    """Width of a bucket in whole seconds, e.g. ``"1h"`` -> 3600."""
    if isinstance(freq, (int, float)) or _NO_UNIT.fullmatch(str(freq)):
        n = str(freq).strip()
        raise ConfigError(f"freq {n} has no unit; use e.g. {n}min, 1h, 1D")
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


def _poisson_cdf(k: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """P(X <= k) for X ~ Poisson(mu) (``k >= 0`` whole)."""
    return special.gammaincc(np.floor(k) + 1.0, mu)


def _count_cdf(k: float, mu: float, var: float) -> float:
    """P(X <= k) for a count of mean ``mu`` and variance ``var``: negative binomial (moments
    matched) when ``var`` exceeds ``mu``, else Poisson."""
    if var <= mu * (1.0 + 1e-9):
        return float(_poisson_cdf(np.array(k), np.array(mu)))
    size = mu * mu / (var - mu)
    return float(special.betainc(size, np.floor(k) + 1.0, size / (size + mu)))


def _poisson_sf(k: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """P(X >= k) for X ~ Poisson(mu)."""
    return np.where(k <= 0, 1.0, special.gammainc(np.maximum(k, 1e-300), mu))


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
        A bucket whose total is below ``gap_ratio`` x its expected total is low (a run of low
        buckets is a collection outage once confirmed); a key below ``gap_ratio`` x its own
        expected count is quiet (a gap once confirmed).
    min_gap_expected : float
        A run of low totals, or a key's quiet run, must have been expected to hold at least
        this many events to be confirmed ...
    gap_alpha : float
        ... and so low a count must have probability below ``gap_alpha`` (Poisson for a key;
        for the total, negative binomial with the variance of its recent same-slot values).
        The expected total is a trimmed mean of the total in the same slot on past days and
        weeks (after 3 days or 2 weeks of history), so a quiet night is not a gap and an
        earlier burst does not make ordinary traffic look like one.
    min_history : int
        Non-gap past buckets a key needs before it can burst.
    lateness : int
        Streaming only: buckets an open bucket waits for late events before it closes.
    key_gaps : bool
        Judge coverage per key as well as in total.
    shift_window : int
        Buckets over which a level shift is judged (0 turns level shifts off): a shift needs
        this long an elevation, so a burst can last up to about ``shift_share`` of it.
    shift_share : float
        Share of the window's buckets that must be elevated (over the baseline by more than
        one standard deviation) for a level shift.
    shift_alpha : float
        The window's total must also have Poisson probability below this under the baseline.
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
    key_gaps: bool = True
    shift_window: int = 24
    shift_share: float = 0.75
    shift_alpha: float = 1e-6

    def __post_init__(self) -> None:
        freq_seconds(self.freq)
        self.make_detector()
        for name in ("n_weeks", "n_days", "min_count", "min_history", "lateness", "shift_window"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < 0:
                raise ConfigError(f"BurstSpec: {name}={v!r} must be a whole number >= 0")
        for name in ("min_baseline", "min_ratio", "min_gap_expected", "gap_alpha", "shift_alpha"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or v <= 0:
                raise ConfigError(f"BurstSpec: {name}={v!r} must be a positive number")
        if not (0 <= self.gap_ratio < 1):
            raise ConfigError(f"BurstSpec: gap_ratio={self.gap_ratio!r} must be in [0, 1)")
        if not (0 < self.shift_share <= 1):
            raise ConfigError(f"BurstSpec: shift_share={self.shift_share!r} must be in (0, 1]")
        if self.shift_window == 1:
            raise ConfigError(
                "BurstSpec: shift_window=1 cannot tell a shift from a burst; use 0 or >= 2"
            )

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
    """Decisions for one closed bucket, one entry per known key (arrays aligned with ``keys``).

    ``key_gap`` marks keys in a confirmed per-key gap, ``gap_start`` the first bucket of each
    such gap; ``shifts`` lists the level shifts confirmed at this bucket as
    ``(key index, first bucket, observed, expected, spikes)`` where ``spikes`` are the bursts
    over the new level inside the shift, ``(first, last, observed, expected, score)``.
    """

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
    key_gap: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    gap_start: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    gap_observed: np.ndarray = field(default_factory=lambda: np.zeros(0))
    gap_expected: np.ndarray = field(default_factory=lambda: np.zeros(0))
    shifts: list[tuple[int, int, float, float, list[tuple[int, int, float, float, float]]]] = field(
        default_factory=list
    )
    #: for each entry of ``shifts``: (bucket, count) of the largest bucket of the shift
    shift_peaks: list[tuple[int, float]] = field(default_factory=list)
    #: while ``gap``: the outage's first bucket, its observed and expected totals so far and
    #: its lowest coverage (observed / expected of one bucket)
    total_gap_start: int = -1
    total_gap_observed: float = 0.0
    total_gap_expected: float = 0.0
    total_gap_cover: float = 1.0


class BurstEngine:
    """The shared core: seasonal baselines, detector state and decisions, bucket by bucket.

    Feed closed buckets in order with :meth:`close`; :attr:`thresholds` holds, for the bucket
    currently open, the count per key at which it becomes a burst.
    """

    #: per-key float arrays (grown together)
    _FLOATS = (
        "expected",
        "extra_var",
        "thresholds",
        "_n_hist",
        "_exp_raw",
        "_s_obs",
        "_s_exp",
        "_s_elev",
        "_q_obs",
        "_q_exp",
        "_q_level",
        "_q_learned",
    )
    _BOOLS = ("_eligible", "_exact", "_q_conf", "_steady")

    expected: np.ndarray
    extra_var: np.ndarray
    thresholds: np.ndarray
    _n_hist: np.ndarray
    _exp_raw: np.ndarray
    _s_obs: np.ndarray
    _s_exp: np.ndarray
    _s_elev: np.ndarray
    _q_obs: np.ndarray
    _q_exp: np.ndarray
    _q_level: np.ndarray
    _q_learned: np.ndarray
    _eligible: np.ndarray
    _exact: np.ndarray
    _q_conf: np.ndarray
    _steady: np.ndarray

    def __init__(self, spec: BurstSpec | None = None) -> None:
        self.spec = spec or BurstSpec()
        self.detector = self.spec.make_detector()
        w = self.spec.width
        self._per_day = max(1, _DAY // w) if w <= _DAY else 0
        self._per_week = max(1, _WEEK // w) if w <= _WEEK else 0
        lags_w = (
            [k * self._per_week for k in range(1, self.spec.n_weeks + 1)] if self._per_week else []
        )
        lags_d = (
            [k * self._per_day for k in range(1, self.spec.n_days + 1)] if self._per_day else []
        )
        n_trail = max(3, min(self._per_day, 24))
        self._lags_w = np.asarray(lags_w, dtype=np.int64)
        self._lags_d = np.asarray(lags_d, dtype=np.int64)
        self._lags_t = np.arange(1, n_trail + 1, dtype=np.int64)
        # the outage test's level pools every same-slot bucket (days and weeks back)
        self._lags_tot = (
            np.union1d(self._lags_d, self._lags_w) if lags_w or lags_d else self._lags_t
        )
        self._H = int(max([n_trail, *lags_w, *lags_d])) + 1
        self._SW = int(self.spec.shift_window)
        self._need_elev = int(np.ceil(self.spec.shift_share * self._SW)) if self._SW else 0
        self.keys: list[str] = []
        self.index: dict[str, int] = {}
        self._cap = 0
        self._n = 0
        self._hist = np.full((0, self._H), np.nan)
        self._win = np.zeros((3, max(self._SW, 1), 0))  # obs, expected, elevated by slot
        self._slot_bucket = np.full(self._H, -1, dtype=np.int64)
        self._slot_gap = np.zeros(self._H, dtype=bool)
        self._tot_hist = np.full((1, self._H), np.nan)
        self.total_expected = 0.0
        self.total_var = 0.0
        # the current run of low totals: first bucket (-1: none), observed, expected, variance
        self._g_start = -1
        self._g_sums = np.zeros(3)
        self._g_cover = 1.0
        self._g_state: dict[str, np.ndarray] = {}  # detector state before the run
        self._state = self.detector.init_state(0)
        self.start: int | None = None
        self.open_bucket: int | None = None
        for name in self._FLOATS:
            setattr(self, name, np.zeros(0))
        for name in self._BOOLS:
            setattr(self, name, np.zeros(0, dtype=bool))
        self._q_start = np.zeros(0, dtype=np.int64)
        self._in_gap = False
        self._shift_peaks: list[tuple[int, float]] = []

    # ------------------------------------------------------------------ keys
    def key_index(self, key: str) -> int:
        """Index of ``key``, adding it (with a zero history since the start) if new."""
        i = self.index.get(key)
        if i is not None:
            return i
        self.add_keys([key])
        return self._n - 1

    def add_keys(self, names: list[str]) -> None:
        """Register new keys (not yet known) in order, each with a zero history so far."""
        if not names:
            return
        first = self._n
        need = first + len(names)
        if need > self._cap:
            self._grow(max(16, 2 * self._cap, need))
        for j, key in enumerate(names):
            self.index[key] = first + j
            self.keys.append(key)
        self._n = need
        rows = np.arange(first, need)
        valid = (self._slot_bucket >= 0) & ~self._slot_gap
        self._hist[first:need] = np.where(valid, 0.0, np.nan)
        self._n_hist[first:need] = int(valid.sum())
        self._win[1, :, first:need] = self.spec.min_baseline
        self._s_exp[first:need] = self.spec.min_baseline * self._SW
        if self.open_bucket is not None:
            self._prepare_rows(rows)

    def _grow(self, cap: int) -> None:
        hist = np.full((cap, self._H), np.nan)
        hist[: self._n] = self._hist[: self._n]
        self._hist = hist
        win = np.zeros((3, self._win.shape[1], cap))
        win[:, :, : self._n] = self._win[:, :, : self._n]
        self._win = win
        self._state = self.detector.grow_state(self._state, cap)
        for name in self._FLOATS:
            arr = np.zeros(cap)
            arr[: self._n] = getattr(self, name)[: self._n]
            setattr(self, name, arr)
        for name in self._BOOLS:
            flags = np.zeros(cap, dtype=bool)
            flags[: self._n] = getattr(self, name)[: self._n]
            setattr(self, name, flags)
        q = np.full(cap, -1, dtype=np.int64)
        q[: self._n] = self._q_start[: self._n]
        self._q_start = q
        self._cap = cap

    # ------------------------------------------------------------------ baseline
    def _lag_values(
        self, hist: np.ndarray, rows: np.ndarray | slice, bucket: int, lags: np.ndarray
    ) -> np.ndarray:
        target = bucket - lags
        slots = target % self._H
        vals = hist[rows][:, slots]
        stale = self._slot_bucket[slots] != target
        if stale.any():
            vals[:, stale] = np.nan
        return vals

    @staticmethod
    def _mean(vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if vals.shape[1] == 0:
            return np.zeros(vals.shape[0]), np.zeros(vals.shape[0], dtype=np.int64)
        ok = ~np.isnan(vals)
        n = ok.sum(axis=1)
        return np.where(ok, vals, 0.0).sum(axis=1) / np.maximum(n, 1), n

    def _seasonal(
        self, hist: np.ndarray, rows: np.ndarray | slice, bucket: int
    ) -> tuple[np.ndarray, ...]:
        """Raw baseline of ``hist[rows]``: (expected, n values used, seasonal?, n trail, trail).

        ``trail`` holds the trailing values themselves (NaN where not covered).
        """
        vt = self._lag_values(hist, rows, bucket, self._lags_t)
        mt, nt = self._mean(vt)
        if len(self._lags_w) + len(self._lags_d) == 0:
            return mt, nt, np.ones(len(mt), dtype=bool), nt, vt
        mw, nw = self._mean(self._lag_values(hist, rows, bucket, self._lags_w))
        md, nd = self._mean(self._lag_values(hist, rows, bucket, self._lags_d))
        use_w, use_d = nw >= 2, nd >= 3
        exp = np.where(use_w, mw, np.where(use_d, md, mt))
        n_used = np.where(use_w, nw, np.where(use_d, nd, nt))
        return exp, n_used, use_w | use_d, nt, vt

    def _prepare_rows(self, rows: np.ndarray | slice) -> None:
        assert self.open_bucket is not None
        raw, n_used, seasonal, nt, vt = self._seasonal(self._hist, rows, self.open_bucket)
        elig = (nt >= 1) & (self._n_hist[rows] >= self.spec.min_history)
        # coverage is judged for a key with a seasonal baseline (a quiet night is not a gap)
        # that flows in (nearly) every bucket (a sparse key's silence is no evidence)
        self._steady[rows] = seasonal & ((vt > 0).sum(axis=1) >= _STEADY_SHARE * np.maximum(nt, 1))
        exp = np.maximum(raw, self.spec.min_baseline)
        # the baseline is a mean of n_used Poisson counts: its own variance is exp / n_used
        xvar = exp / np.maximum(n_used, 1)
        floor = np.maximum(float(self.spec.min_count), np.ceil(self.spec.min_ratio * exp))
        self._exp_raw[rows] = raw
        self.expected[rows] = exp
        self.extra_var[rows] = xvar
        self._eligible[rows] = elig
        idx = np.arange(self._n)[rows] if isinstance(rows, slice) else rows
        if self.detector.cheap_threshold:
            self.thresholds[idx] = floor
            self._exact[idx] = False
            self.refine(idx)
        else:
            # a lower bound now; the exact threshold only for keys likely to reach it
            self.thresholds[idx] = np.where(elig, floor, np.inf)
            self._exact[idx] = ~elig
            busy = idx[elig & (exp * self.spec.min_ratio >= 0.5 * self.spec.min_count)]
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
        self.total_expected, self.total_var = self._total_level(bucket)
        if self._n:
            self._prepare_rows(slice(0, self._n))

    # ------------------------------------------------------------------ coverage in total
    def _total_level(self, bucket: int) -> tuple[float, float]:
        """Expected total over all keys in ``bucket`` for the outage test, and its variance.

        The level is the mean of the total in the same slot on each of the last ``n_days``
        days and ``n_weeks`` weeks, leaving out values more than 3 robust standard deviations
        (1.4826 x MAD, at least Poisson's) from their median: a burst, or the passing high of a
        level that has since come down, does not inflate it. The variance is that of the
        values kept (at least the level: Poisson), so a series that swings from day to day
        needs a deeper fall to be an outage. (0, 0) until the total has a seasonal history
        (3 days or 2 weeks), as for the keys.
        """
        _, _, seasonal, _, _ = self._seasonal(self._tot_hist, slice(0, 1), bucket)
        vals = self._lag_values(self._tot_hist, slice(0, 1), bucket, self._lags_tot)[0]
        vals = vals[~np.isnan(vals)]
        if not seasonal[0] or not len(vals):
            return 0.0, 0.0
        med = float(np.median(vals))
        spread = max(1.4826 * float(np.median(np.abs(vals - med))), float(np.sqrt(med)))
        kept = vals[np.abs(vals - med) <= 3.0 * spread]
        level = float(kept.mean())
        var = max(level, float(kept.var(ddof=1)) if len(kept) > 1 else 0.0)
        # the level is itself a mean of len(kept) values: a new bucket varies around it more
        return level, var * (1.0 + 1.0 / len(kept))

    def _outage(self, low: bool, total: float, b: int) -> bool:
        """Follow the run of low totals; True while it is a confirmed collection outage.

        A run is confirmed once it was expected to hold ``min_gap_expected`` events and so
        low a sum has probability below ``gap_alpha`` (negative binomial with the run's
        summed level and variance); it is dated from its first low bucket, whose buckets are
        then forgotten by every baseline, and goes on while the total stays low.
        """
        if not low:
            self._g_start = -1
            self._in_gap = False
            return False
        if self._g_start < 0:
            self._g_start = b
            self._g_sums[:] = 0.0
            self._g_cover = np.inf
            self._g_state = {k: v[: self._n].copy() for k, v in self._state.items()}
        self._g_sums += (total, self.total_expected, self.total_var)
        self._g_cover = min(self._g_cover, total / max(self.total_expected, 1e-9))
        o, e, v = self._g_sums
        if (
            not self._in_gap
            and e >= self.spec.min_gap_expected
            and _count_cdf(o, e, v) < self.spec.gap_alpha
        ):
            self._in_gap = True
            self._unlearn_total(self._g_start, b - 1)
        return self._in_gap

    def _unlearn_total(self, first: int, last: int) -> None:
        """Forget buckets ``first..last`` in every key and the total (an outage's start).

        The detector state goes back to what it was before ``first`` (keys met since then
        start afresh); the current bucket, an outage bucket, is not learned either.
        """
        n = self._n
        fresh = self.detector.init_state(n)
        for k, v in self._g_state.items():
            fresh[k][: len(v)] = v
        for k, v in fresh.items():
            self._state[k][:n] = v  # in place: close() holds views of these arrays
        for bk in range(max(first, last - self._H + 1), last + 1):
            slot = bk % self._H
            if self._slot_bucket[slot] != bk:
                continue
            self._n_hist[:n] = np.maximum(self._n_hist[:n] - ~np.isnan(self._hist[:n, slot]), 0)
            self._hist[:n, slot] = np.nan
            self._tot_hist[0, slot] = np.nan
            self._slot_gap[slot] = True

    # ------------------------------------------------------------------ coverage per key
    def _unlearn(self, i: int, first: int, last: int) -> None:
        """Forget key ``i``'s history for buckets ``first..last`` (they were a gap)."""
        for bk in range(max(first, last - self._H + 1), last + 1):
            slot = bk % self._H
            if self._slot_bucket[slot] == bk:
                self._hist[i, slot] = np.nan

    def _key_gaps(self, obs: np.ndarray, low_total: bool, b: int) -> np.ndarray:
        """Update the quiet runs of every key; returns the keys in a confirmed gap now.

        Nothing is judged while the total is low (``low_total``: an outage, confirmed or not,
        is everyone's silence, not one key's).
        """
        n = self._n
        conf = self._q_conf[:n]
        if not self.spec.key_gaps or low_total or n < 2:  # one key: its coverage is the total's
            return conf.copy()
        start = self._q_start[:n]
        ref = np.where(conf, self._q_level[:n], self._exp_raw[:n])
        quiet = (obs < self.spec.gap_ratio * ref) & (ref >= self.spec.min_baseline)
        quiet &= self._steady[:n] | (start >= 0)  # a confirmed gap has a start too
        ended = np.flatnonzero(~quiet & (start >= 0))
        if len(ended):
            start[ended] = -1
            conf[ended] = False
            for name in ("_q_obs", "_q_exp", "_q_learned"):
                getattr(self, name)[ended] = 0.0
        q = np.flatnonzero(quiet)
        if len(q):
            fresh = q[start[q] < 0]
            start[fresh] = b
            self._q_obs[q] += obs[q]
            self._q_exp[q] += ref[q]
            new = q[~conf[q]]
            self._q_learned[new] += 1.0
            cand = new[self._q_exp[new] >= self.spec.min_gap_expected]
            if len(cand):
                p = _poisson_cdf(self._q_obs[cand], self._q_exp[cand])
                for i in cand[p < self.spec.gap_alpha]:
                    conf[i] = True
                    self._q_level[i] = self._q_exp[i] / (b - start[i] + 1)
                    # the run's buckets before this one were learned as if covered: forget them
                    self._unlearn(int(i), int(start[i]), b - 1)
                    self._n_hist[i] -= self._q_learned[i] - 1.0
        return conf.copy()

    # ------------------------------------------------------------------ level shifts
    def _level_shifts(
        self, obs: np.ndarray, exp: np.ndarray, xvar: np.ndarray, elevated: np.ndarray, b: int
    ) -> list[tuple[int, int, float, float, list[tuple[int, int, float, float, float]]]]:
        """Shifts confirmed at bucket ``b`` (their peaks go to :attr:`_shift_peaks`)."""
        self._shift_peaks = []
        n, W = self._n, self._SW
        if not W:
            return []
        pos = b % W
        win = self._win
        new = (obs, exp, elevated.astype(np.float64))
        for j, s in enumerate((self._s_obs, self._s_exp, self._s_elev)):
            s[:n] += new[j] - win[j, pos, :n]
            win[j, pos, :n] = new[j]
        s_obs, s_exp = self._s_obs[:n], self._s_exp[:n]
        cand = np.flatnonzero(
            elevated
            & (self._s_elev[:n] >= self._need_elev - 0.5)
            & (s_obs >= self.spec.min_ratio * s_exp)
            & (s_obs >= self.spec.min_count)
        )
        if not len(cand):
            return []
        sig = cand[_poisson_sf(s_obs[cand], s_exp[cand]) < self.spec.shift_alpha]
        out = []
        order = (np.arange(b - W + 1, b + 1)) % W  # window positions, oldest first
        for i in sig:
            el = win[2, order, i] > 0.5
            # the change point: the start maximising (elevated - quiet) buckets after it, so a
            # stray elevated bucket before the step does not pull the start back
            gain = np.cumsum(np.where(el, 1, -1)[::-1])[::-1]
            k0 = int(np.argmax(np.where(el, gain, -W - 1)))
            first = b - W + 1 + k0
            vals = win[0, order[k0:], i].copy()
            level, thr = self._new_level(vals)
            inner = self._inner_bursts(vals, level, thr, first)
            out.append(
                (int(i), first, float(vals.sum()), float(win[1, order[k0:], i].sum()), inner)
            )
            top = int(np.argmax(vals))
            self._shift_peaks.append((first + top, float(vals[top])))
            # the key's baseline restarts at the new level: only the shifted buckets count,
            # the spikes on top of it clipped as in any burst
            self._hist[i] = np.nan
            for k, bk in enumerate(range(first, b + 1)):
                self._hist[i, bk % self._H] = min(vals[k], thr)
            self._n_hist[i] = max(float(self.spec.min_history), float(b - first + 1))
            fresh = self.detector.init_state(1)
            for name, v in fresh.items():
                self._state[name][i] = v[0]
            win[:, :, i] = 0.0
            self._s_obs[i] = self._s_exp[i] = self._s_elev[i] = 0.0
        return out

    def _new_level(self, vals: np.ndarray) -> tuple[float, float]:
        """A shifted key's new level (the median, robust to a spike) and its burst threshold."""
        level = max(float(np.median(vals)), self.spec.min_baseline)
        st = self.detector.init_state(1)
        lv = np.array([level])
        thr = float(self.detector.threshold(st, lv, lv / len(vals))[0])
        floor = max(float(self.spec.min_count), float(np.ceil(self.spec.min_ratio * level)))
        return level, max(thr, floor)

    def _inner_bursts(
        self, vals: np.ndarray, level: float, thr: float, first: int
    ) -> list[tuple[int, int, float, float, float]]:
        """Spikes over the new level inside a shift: ``(first, last, observed, expected, score)``."""
        hot = vals >= thr
        if not hot.any():
            return []
        st = self.detector.init_state(int(hot.sum()))
        lv = np.full(int(hot.sum()), level)
        scores = np.full(len(vals), np.nan)
        scores[hot] = self.detector.score(st, vals[hot], lv, lv / len(vals))
        runs: list[tuple[int, int, float, float, float]] = []
        k = 0
        while k < len(vals):
            if not hot[k]:
                k += 1
                continue
            j = k
            while j + 1 < len(vals) and hot[j + 1]:
                j += 1
            seg = slice(k, j + 1)
            runs.append(
                (
                    first + k,
                    first + j,
                    float(vals[seg].sum()),
                    level * (j - k + 1),
                    float(np.nanmax(scores[seg])),
                )
            )
            k = j + 1
        return runs

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
        low = bool(total_obs < self.spec.gap_ratio * total_exp)
        gap = self._outage(low, total_obs, b)
        # a key's own coverage is judged only while the total flows
        key_gap = self._key_gaps(obs, low, b)
        burst &= ~key_gap
        # state and history learn only from normal, covered buckets
        learn = ~burst & ~gap & ~key_gap
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
            self._hist[:n, slot] = np.where(key_gap, np.nan, kept)
            self._n_hist[:n] += ~key_gap
            self._tot_hist[0, slot] = kept.sum()
        elevated = (
            self._eligible[:n]
            & ~key_gap
            & (not gap)
            & (obs > exp + np.maximum(1.0, np.sqrt(exp + xvar)))
        )
        shifts = self._level_shifts(obs, exp, xvar, elevated, b)
        res = BucketResult(
            b,
            self.keys[:n],
            obs,
            exp,
            thr,
            score,
            burst,
            gap,
            total_obs,
            total_exp,
            key_gap,
            self._q_start[:n].copy(),
            self._q_obs[:n].copy(),
            self._q_exp[:n].copy(),
            shifts,
            self._shift_peaks,
        )
        if gap:
            res.total_gap_start = self._g_start
            res.total_gap_observed = float(self._g_sums[0])
            res.total_gap_expected = float(self._g_sums[1])
            res.total_gap_cover = float(self._g_cover)
        self.open(b + 1)
        return res


#: an episode in progress: [first bucket, last bucket, observed, expected, score]
_Episode = list


class _Episodes:
    """Merge bucket decisions into rows: bursts and gaps per key, global gaps, level shifts."""

    _GAP = "\x00gap"

    def __init__(self, width: int) -> None:
        self.width = width
        self.open: dict[tuple[str, str], _Episode] = {}
        self.rows: list[tuple] = []

    def _emit(self, key: str, kind: str, ep: _Episode) -> None:
        first, last, o, e, s = ep
        self.rows.append((key, first, last + 1, o, e, s, kind))

    def feed(self, res: BucketResult) -> list[tuple[str, str, int, float, float]]:
        """Take one bucket's decisions; returns the episodes it started (for alerts)."""
        started: list[tuple[str, str, int, float, float]] = []
        b = res.bucket
        active: set[tuple[str, str]] = set()
        shifted: set[int] = set()
        for i, first, o, e, spikes in res.shifts:
            key = res.keys[i]
            shifted.add(i)
            self.open.pop((key, "burst"), None)
            # the rising edge of a shift is not a burst: its burst rows give way to the shift
            # and to the spikes over the new level
            self.rows = [
                r for r in self.rows if not (r[0] == key and r[6] == "burst" and r[1] >= first)
            ]
            self._emit(key, "level_shift", [first, b, o, e, o / max(e, 1e-9)])
            started.append((key, "level_shift", first, o, e))
            for f, last, so, se, sc in spikes:
                if last == b and res.burst[i]:  # still going on: keep it open
                    self.open[(key, "burst")] = [f, last, so, se, sc]
                    active.add((key, "burst"))
                else:
                    self._emit(key, "burst", [f, last, so, se, sc])
        for i in np.flatnonzero(res.burst).tolist():
            if i in shifted:
                continue
            key = res.keys[i]
            active.add((key, "burst"))
            ep = self.open.get((key, "burst"))
            if ep is None:
                self.open[(key, "burst")] = [b, b, res.observed[i], res.expected[i], res.score[i]]
                started.append((key, "burst", b, res.observed[i], res.expected[i]))
            else:
                ep[1] = b
                ep[2] += res.observed[i]
                ep[3] += res.expected[i]
                ep[4] = max(ep[4], res.score[i])
        for i in np.flatnonzero(res.key_gap).tolist():
            key = res.keys[i]
            active.add((key, "gap"))
            o, e = float(res.gap_observed[i]), float(res.gap_expected[i])
            ep = self.open.get((key, "gap"))
            if ep is None:
                first = int(res.gap_start[i])
                self.open[(key, "gap")] = [first, b, o, e, o / max(e, 1e-9)]
                started.append((key, "gap", first, o, e))
            else:
                ep[1], ep[2], ep[3], ep[4] = b, o, e, o / max(e, 1e-9)
        if res.gap:
            gk = (ALL_KEYS, self._GAP)
            active.add(gk)
            ep = self.open.get(gk)
            first, o, e = res.total_gap_start, res.total_gap_observed, res.total_gap_expected
            if ep is None:
                self.open[gk] = [first, b, o, e, res.total_gap_cover]
                started.append((ALL_KEYS, "gap", first, o, e))
            else:
                ep[1], ep[2], ep[3], ep[4] = b, o, e, res.total_gap_cover
        for k in [k for k in self.open if k not in active]:
            self._close(k)
        return started

    def _close(self, k: tuple[str, str]) -> None:
        ep = self.open.pop(k)
        key, kind = k
        self._emit(key, "gap" if kind == self._GAP else kind, ep)

    def finish(self) -> None:
        for k in list(self.open):
            self._close(k)

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=[c for c in BURST_COLUMNS if c not in _DERIVED])
        df.insert(3, "hours", (df["end"] - df["start"]).astype(float) * self.width / 3600.0)
        for c in ("start", "end"):
            df[c] = pd.to_datetime(df[c].astype("int64") * self.width, unit="s", utc=True)
        df["hours"] = df["hours"].round(3)
        df["observed"] = df["observed"].astype(float)
        df["expected"] = df["expected"].astype(float).round(3)
        df["score"] = df["score"].astype(float).round(3)
        df["ratio"] = (df["observed"] / df["expected"].where(df["expected"] > 0)).round(3)
        return df.sort_values(["start", "kind", "key"], kind="stable").reset_index(drop=True)


#: columns of :data:`BURST_COLUMNS` computed from the others
_DERIVED = ("hours", "ratio")


#: columns of the table of episodes acted on live (:meth:`BurstStream.acted`)
ACTED_COLUMNS = [
    "kind",
    "key",
    "start",
    "end",
    "hours",
    "observed",
    "expected",
    "score",
    "peak_at",
    "peak",
    "alerted_at",
    "first_kind",
    "status",
]


@dataclass
class Episode:
    """One episode as the live path acts on it: opened at its rising edge, then updated.

    Buckets are whole bucket numbers (epoch seconds // width); ``last`` is inclusive.
    ``first_kind`` and ``first_start`` are the kind and start the episode had when it was
    first acted on (its id is made of them, so it never changes); ``opened`` is the bucket in
    which that happened. ``peak`` / ``peak_observed`` are the bucket with the largest count
    and that count (``None`` for gaps).
    """

    key: str
    kind: str
    start: int
    last: int
    opened: int
    first_kind: str
    first_start: int
    observed: float
    expected: float
    score: float
    threshold: float = float("nan")
    peak: int | None = None
    peak_observed: float | None = None
    open: bool = True
    event_ts: float | None = None
    notes: list[str] = field(default_factory=list)
    #: the last closed bucket counted in ``observed`` (the open bucket's count is partial)
    through: int = -1


class _Ledger:
    """The episodes acted on live, kept consistent with what they turn out to be.

    Contract: one episode per surge, opened (acted on) at its rising edge and from then on
    only updated: it grows while its buckets stay hot, its peak is the largest bucket in it,
    and a burst that turns out to be the rising edge of a level shift *becomes* that level
    shift (same episode, kind changed, dated from the change point). Every change is appended
    to :attr:`changes` as ``(episode, what)``, ``what`` in ``open``, ``grow``,
    ``reclassify``, ``close``.
    """

    def __init__(self, window: int, width: int, *, record: bool = False) -> None:
        self.window = window
        self.width = width
        self.record = record
        self.episodes: list[Episode] = []
        self.open_bursts: dict[str, Episode] = {}
        self._open_gaps: dict[str, Episode] = {}
        self._recent: dict[str, list[Episode]] = {}  # burst episodes a shift may still take
        self.changes: list[tuple[Episode, str]] = []

    def _iso(self, bucket: int) -> str:
        return pd.Timestamp(bucket * self.width, unit="s", tz="UTC").isoformat()

    def _note(self, ep: Episode, what: str) -> None:
        if self.record:
            self.changes.append((ep, what))

    def _new(self, ep: Episode) -> Episode:
        self.episodes.append(ep)
        self._note(ep, "open")
        if ep.kind == "burst":
            self.open_bursts[ep.key] = ep
            keep = [e for e in self._recent.get(ep.key, ()) if e.last >= ep.start - self.window]
            self._recent[ep.key] = [*keep, ep]
        return ep

    def crossing(
        self, key: str, b: int, count: float, expected: float, threshold: float, ts: float | None
    ) -> Episode:
        """A burst's rising edge: the event that pushed the open bucket ``b`` over threshold."""
        return self._new(
            Episode(
                key,
                "burst",
                b,
                b,
                b,
                "burst",
                b,
                count,
                expected,
                float("nan"),
                threshold,
                b,
                count,
                True,
                ts,
                [],
                b - 1,
            )
        )

    def _grow(self, ep: Episode, b: int, o: float, e: float, sc: float) -> None:
        if ep.through < b:
            if ep.start == b:  # the bucket it opened in: its final count replaces the partial one
                ep.observed, ep.expected, ep.score = o, e, sc
            else:
                ep.observed += o
                ep.expected += e
                ep.score = sc if ep.score != ep.score else max(ep.score, sc)
            ep.last, ep.through = b, b
            if ep.peak_observed is None or o > ep.peak_observed:
                ep.peak, ep.peak_observed = b, o
            self._note(ep, "grow")

    def feed(self, res: BucketResult) -> None:
        """Take one closed bucket's decisions (after the batch episodes took them)."""
        b = res.bucket
        hot = np.flatnonzero(res.burst).tolist()
        for i in hot:
            key = res.keys[i]
            o, e, sc = float(res.observed[i]), float(res.expected[i]), float(res.score[i])
            ep = self.open_bursts.get(key)
            if ep is None:  # hot without a live alert (a threshold refined at closing)
                ep = self._new(
                    Episode(
                        key,
                        "burst",
                        b,
                        b,
                        b,
                        "burst",
                        b,
                        o,
                        e,
                        sc,
                        float(res.threshold[i]),
                        b,
                        o,
                        True,
                        None,
                        [],
                        b - 1,
                    )
                )
            self._grow(ep, b, o, e, sc)
        for key, ep in list(self.open_bursts.items()):
            if ep.through < b:  # not hot in this bucket: the surge is over
                if ep.start == b:  # alerted early but under threshold once closed
                    i = res.keys.index(key)
                    ep.observed, ep.expected = float(res.observed[i]), float(res.expected[i])
                    ep.through = b
                self._close(ep)
        for (i, first, o, e, spikes), (pk, pv) in zip(res.shifts, res.shift_peaks):
            self._shift(res.keys[i], b, first, o, e, spikes, pk, pv)
        self._gaps(res)

    def _close(self, ep: Episode) -> None:
        ep.open = False
        if self.open_bursts.get(ep.key) is ep:
            del self.open_bursts[ep.key]
        if self._open_gaps.get(ep.key) is ep:
            del self._open_gaps[ep.key]
        self._note(ep, "close")

    def _shift(
        self,
        key: str,
        b: int,
        first: int,
        o: float,
        e: float,
        spikes: list[tuple[int, int, float, float, float]],
        peak: int,
        peak_observed: float,
    ) -> None:
        cands = [ep for ep in self._recent.get(key, ()) if ep.kind == "burst" and ep.start >= first]
        # a burst that covers a spike over the *new* level stays a burst: it is a surge still
        free = [
            ep for ep in cands if not any(ep.start <= sl and ep.last >= sf for sf, sl, *_ in spikes)
        ]
        if free:
            ep = free[0]  # the rising edge: the surge first acted on becomes the level shift
            ep.notes.append(
                f"first alerted as a burst at {self._iso(ep.first_start)}; the volume stayed up, "
                f"so it is a level shift from its change point {self._iso(first)}"
            )
            ep.kind, ep.start, ep.last, ep.through = "level_shift", first, b, b
            ep.observed, ep.expected, ep.score = o, e, o / max(e, 1e-9)
            ep.peak, ep.peak_observed = peak, peak_observed
            ep.threshold = float("nan")
            self._note(ep, "reclassify")
            if ep.open:
                self._close(ep)
        else:
            ep = self._new(
                Episode(
                    key,
                    "level_shift",
                    first,
                    b,
                    b,
                    "level_shift",
                    first,
                    o,
                    e,
                    o / max(e, 1e-9),
                    float("nan"),
                    peak,
                    peak_observed,
                    True,
                    None,
                    [],
                    b,
                )
            )
            self._close(ep)
        self._recent[key] = [x for x in self._recent.get(key, ()) if x.kind == "burst"]

    def _gaps(self, res: BucketResult) -> None:
        b = res.bucket
        active: set[str] = set()
        for i in np.flatnonzero(res.key_gap).tolist():
            key = res.keys[i]
            o, e = float(res.gap_observed[i]), float(res.gap_expected[i])
            self._gap(key, int(res.gap_start[i]), b, o, e, o / max(e, 1e-9))
            active.add(key)
        if res.gap:
            o, e = res.total_gap_observed, res.total_gap_expected
            self._gap(ALL_KEYS, res.total_gap_start, b, o, e, res.total_gap_cover)
            active.add(ALL_KEYS)
        for key, ep in list(self._open_gaps.items()):
            if key not in active:
                self._close(ep)

    def _gap(self, key: str, first: int, b: int, o: float, e: float, sc: float) -> None:
        """Open or grow ``key``'s gap with its run's totals so far and its score ``sc``."""
        ep = self._open_gaps.get(key)
        if ep is None:
            ep = self._new(
                Episode(
                    key,
                    "gap",
                    first,
                    b,
                    b,
                    "gap",
                    first,
                    o,
                    e,
                    sc,
                    float("nan"),
                    None,
                    None,
                    True,
                    None,
                    [],
                    b,
                )
            )
            self._open_gaps[key] = ep
            return
        ep.observed, ep.expected, ep.score = o, e, sc
        ep.last = ep.through = b
        self._note(ep, "grow")

    def finish(self) -> None:
        """Close every open episode (the end of the stream)."""
        for ep in [*self.open_bursts.values(), *self._open_gaps.values()]:
            self._close(ep)

    def frame(self, ids: list[str] | None = None) -> pd.DataFrame:
        """One row per episode acted on, by start: ``moment_id`` (when ``ids``, one per
        episode in :attr:`episodes` order) and :data:`ACTED_COLUMNS`."""

        def ts(bk: int | None) -> pd.Timestamp | None:
            return None if bk is None else pd.Timestamp(bk * self.width, unit="s", tz="UTC")

        rows = [
            (
                ep.kind,
                ep.key,
                ts(ep.start),
                ts(ep.last + 1),
                round((ep.last + 1 - ep.start) * self.width / 3600.0, 3),
                float(ep.observed),
                round(float(ep.expected), 3),
                round(float(ep.score), 3),
                ts(ep.peak),
                ep.peak_observed,
                ts(ep.opened),
                ep.first_kind,
                "open" if ep.open else "closed",
            )
            for ep in self.episodes
        ]
        df = pd.DataFrame(rows, columns=ACTED_COLUMNS)
        if ids is not None:
            df.insert(0, "moment_id", ids)
        return df.sort_values(["start", "kind", "key"], kind="stable").reset_index(drop=True)


#: a timestamp text that states its zone: ``Z``, ``+02:00``/``+0200``/``-05`` after a time,
#: ``UTC``/``GMT`` (a date alone, ``2024-05-01``, states none)
_ZONED = re.compile(
    r"(?:\d\s*(?:z|utc|gmt)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?"
    r"|\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*[+-]\d{2}(?::?\d{2})?)\s*$",
    re.IGNORECASE,
)


def time_zone(tz: str) -> Any:
    """The IANA time zone named ``tz`` (``Europe/Berlin``), or a :class:`ConfigError`."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(tz.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"time zone {tz!r} is not known; use an IANA name such as Europe/Berlin, "
            "America/New_York or UTC"
        ) from None


def _to_epoch_seconds(
    values: pd.Series,
    column: str,
    *,
    dayfirst: bool | None = None,
    tz: str | None = None,
    notes: list[str] | None = None,
) -> np.ndarray:
    """Epoch seconds of ``values``; times that state no zone are in ``tz`` (default UTC),
    counted in ``notes``."""
    zone = None if tz is None else time_zone(tz)
    secs, naive = _epoch_and_naive(values, column, dayfirst)
    n = int(naive.sum())
    if not n:
        return secs
    if zone is not None and zone.key != "UTC":
        secs = secs.copy()
        wall = pd.to_datetime(secs[naive], unit="s")
        local = pd.DatetimeIndex(wall).tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
        odd = np.asarray(local.isna())
        if odd.any():
            row = int(np.flatnonzero(naive)[np.flatnonzero(odd)[0]])
            raise DataValidationError(
                f"column {column!r}, row {row + 1}: {_shown(values.iloc[row])} is not one "
                f"instant in {tz} (the clocks change then: it happens twice or never) "
                f"({int(odd.sum())} such row(s)); write those times with their UTC offset"
            )
        secs[naive] = (local.tz_convert("UTC") - _EPOCH).total_seconds().to_numpy()
        if notes is not None:
            notes.append(
                f"{n:,} of {len(values):,} timestamps in column {column!r} carry no time "
                f"zone; they were read as {tz} times and converted to UTC"
            )
    elif notes is not None and zone is None:
        notes.append(
            f"{n:,} of {len(values):,} timestamps in column {column!r} carry no time zone; "
            "they were read as UTC (if they are local times, give their zone: --tz ZONE, "
            "e.g. Europe/Berlin)"
        )
    return secs


def _shown(v: Any) -> str:
    """A cell for a message: ``-5``, ``'abc'`` (never ``np.int64(-5)``)."""
    v = v.item() if isinstance(v, np.generic) else v
    return repr(v) if isinstance(v, str) else str(v)


def _epoch_and_naive(
    values: pd.Series, column: str, dayfirst: bool | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Epoch seconds (as UTC) of ``values`` and which of them stated no time zone."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return _plain_epoch(values, column, dayfirst), np.zeros(len(values), dtype=bool)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return _plain_epoch(values, column, dayfirst), values.notna().to_numpy()
    secs = _plain_epoch(values, column, dayfirst)
    if pd.api.types.is_numeric_dtype(values):
        v = values.to_numpy(dtype=np.float64)
        lo, hi = (np.nanmin(v), np.nanmax(v)) if len(v) else (0.0, 0.0)
        compact = any(a <= lo and hi < b for _, a, b in _COMPACT)
        return secs, (~np.isnan(secs)) & compact  # 20140824130000 states no zone; epochs do
    naive = np.array(
        [
            _ZONED.search(t) is None
            if isinstance(t, str)
            else isinstance(t, datetime) and t.tzinfo is None
            for t in values.astype(object)
        ],
        dtype=bool,
    )
    return secs, naive & ~np.isnan(secs)


#: compact numeric timestamps (20140824130000) by format and value range
_COMPACT = (
    ("%Y%m%d%H%M%S", 1.9e13, 2.2e13),
    ("%Y%m%d%H%M", 1.9e11, 2.2e11),
    ("%Y%m%d", 1.9e7, 2.2e7),
)


def _plain_epoch(values: pd.Series, column: str, dayfirst: bool | None = None) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values):
        v = values.to_numpy(dtype=np.float64)
        lo, hi = np.nanmin(v) if len(v) else 0.0, np.nanmax(v) if len(v) else 0.0
        for fmt, a, b in _COMPACT:
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
    # the project's one timestamp reader: an ambiguous 03/04/2024 is refused, not guessed
    got = read_timestamps(values.reset_index(drop=True), dayfirst=dayfirst)
    refuse_first(
        got.problems.notna().to_numpy(),
        lambda row: f"column {column!r}, row {row}",
        got.problems,
        "use ISO 8601 such as 2024-05-01T10:00:00Z",
    )
    ts = got.values
    if not len(ts):
        return np.zeros(0)
    return (ts - _EPOCH).dt.total_seconds().to_numpy(dtype=np.float64)


#: largest (buckets x keys) grid counted densely; sparser data is counted by sorting
_DENSE_CELLS = 1 << 23


def _aggregate(
    buckets: np.ndarray, keys: pd.Series, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Sum counts per (bucket, key), ordered by bucket then key (as text).

    Returns bucket offsets from the first bucket, key codes numbered in order of first
    appearance in that order (the order in which the engine meets the keys), the sums, and
    the key names by code. A (bucket, key) with rows whose counts sum to 0 is kept: the key
    was seen.
    """
    kcodes, names = pd.factorize(keys, sort=True)
    kcodes = np.asarray(kcodes, dtype=np.int64)
    rel = buckets - buckets.min()
    n_keys = len(names)
    n_cells = (int(rel.max()) + 1) * n_keys
    cell = rel * n_keys + kcodes
    if n_cells <= _DENSE_CELLS:
        present = np.flatnonzero(np.bincount(cell, minlength=n_cells))
        sums = np.bincount(cell, weights=counts, minlength=n_cells)[present]
    else:
        present, inverse = np.unique(cell, return_inverse=True)
        sums = np.bincount(inverse.ravel(), weights=counts)
    codes, order = pd.factorize(present % n_keys, sort=False)
    return present // n_keys, codes, sums, [str(names[c]) for c in order]


def _refuse_empty(df: pd.DataFrame, cols: list[str], why: str) -> None:
    """One sentence for the first row where any of ``cols`` is empty (nothing is skipped)."""
    for c in cols:
        empty = blank_cells(df[c])
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise DataValidationError(
                f"row {i + 1}, field {c!r} is empty ({int(empty.sum())} such row(s)); {why} - "
                "fill it in or remove those rows"
            )


def span_text(seconds: int) -> str:
    """A whole number of seconds as a bucket width: 86400 -> ``1D``, 7200 -> ``2h``."""
    for unit, size in (("D", _DAY), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class CoarseTimesError(ConfigError):
    """The timestamps are spaced more widely than the bucket width (daily dates bucketed by
    the hour): every filled bucket would read as a burst and the empty ones as gaps.

    ``column`` names the time column, ``resolution`` is the finest spacing of the distinct
    timestamps in seconds, ``width`` the bucket width asked for, ``midnight`` whether every
    timestamp falls at midnight UTC (dates).
    """

    def __init__(self, column: str, resolution: int, width: int, midnight: bool) -> None:
        self.column, self.resolution, self.width, self.midnight = (
            column,
            resolution,
            width,
            midnight,
        )
        super().__init__(self.describe("freq", "allow_coarse=True"))

    def describe(self, freq_name: str, force: str) -> str:
        """The sentence, naming the bucket-width setting and the way to force it."""
        got, want = span_text(self.width), span_text(self.resolution)
        what = (
            "holds dates (every timestamp at midnight)"
            if self.midnight
            else f"holds times {want} apart (or multiples of it)"
        )
        return (
            f"column {self.column!r} {what}, coarser than {freq_name} {got}: each {want}'s "
            f"count would fill one {got} bucket and read as a burst; pass {freq_name} {want} "
            f"(or {force} to bucket by {got} anyway)"
        )


#: fewest distinct timestamps from which the data's spacing is judged
_MIN_DISTINCT_TIMES = 3


def check_time_resolution(secs: np.ndarray, width: int, column: str) -> None:
    """Refuse (:class:`CoarseTimesError`) timestamps spaced more widely than ``width``.

    The spacing is the greatest common divisor of the gaps between the distinct timestamps
    (whole seconds; any fraction of a second means fine-grained data): dates give a multiple
    of a day, hourly counts 3600. At least three distinct timestamps are needed to judge.
    """
    v = secs[~np.isnan(secs)]
    if not len(v) or np.any(v != np.floor(v)):
        return
    distinct = np.unique(v.astype(np.int64))
    if len(distinct) < _MIN_DISTINCT_TIMES:
        return
    step = int(np.gcd.reduce(np.diff(distinct)))
    if step > width:
        midnight = bool(np.all(distinct % _DAY == 0))
        raise CoarseTimesError(column, step, width, midnight)


def detect_bursts(
    df: pd.DataFrame,
    *,
    time_col: str,
    key_col: str | Iterable[str] | None = None,
    count_col: str | None = None,
    spec: BurstSpec | None = None,
    allow_coarse: bool = False,
    dayfirst: bool | None = None,
    tz: str | None = None,
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
    allow_coarse : bool
        Bucket timestamps spaced more widely than ``spec.freq`` anyway (daily dates by the
        hour); by default they are refused with :class:`CoarseTimesError`, since every filled
        bucket would read as a burst.
    dayfirst : bool, optional
        Order of ``d/m/y`` dates; None detects it and refuses dates it cannot decide.
    tz : str, optional
        IANA zone of the times that state none (``2024-05-01 10:00``, ``20140824130000``);
        default UTC. They are converted to UTC; ``attrs["notes"]`` counts them.

    Returns
    -------
    DataFrame
        Columns :data:`BURST_COLUMNS`; ``kind`` is ``burst``, ``level_shift`` or ``gap``;
        ``hours`` is ``end - start`` in hours; ``ratio`` is ``observed / expected``;
        ``score`` is the detector's own statistic (see :data:`SCORE_MEANING`).
        ``attrs["notes"]`` holds sentences for the user (times read as UTC, keys with too
        little history to be judged).
    """
    spec = spec or BurstSpec()
    width = spec.width
    notes: list[str] = []
    if tz is not None:
        time_zone(tz)  # an unknown zone is refused even when every time states its own
    if len(df) == 0:
        return _with_notes(pd.DataFrame(columns=BURST_COLUMNS), notes)
    _refuse_empty(df, [time_col], "every event needs a time")
    secs = _to_epoch_seconds(df[time_col], time_col, dayfirst=dayfirst, tz=tz, notes=notes)
    if not allow_coarse:
        check_time_resolution(secs, width, time_col)
    keep = ~np.isnan(secs)
    if isinstance(key_col, str):
        _refuse_empty(df, [key_col], "every row needs a key (write 'unknown' where none fits)")
        keys = df[key_col].astype(str)
    elif key_col is not None:
        cols = list(key_col)
        _refuse_empty(df, cols, "every row needs a key (write 'unknown' where none fits)")
        keys = df[cols].astype(str).agg(" | ".join, axis=1) if cols else None
    else:
        keys = None
    if keys is None:
        keys = pd.Series("all", index=df.index)
    if count_col is not None:
        _refuse_empty(df, [count_col], "every row needs a count")
        cnt = pd.to_numeric(df[count_col], errors="coerce")
        if cnt.isna().any() or (cnt < 0).any():
            i = int(np.flatnonzero((cnt.isna() | (cnt < 0)).to_numpy())[0])
            raise DataValidationError(
                f"column {count_col!r}, row {i + 1}: value {_shown(df[count_col].iloc[i])} "
                "is not a count >= 0; fix the value or drop the row"
            )
        counts = cnt.to_numpy(dtype=np.float64)
    else:
        counts = np.ones(len(df))
    buckets = np.floor(secs[keep] / width).astype(np.int64)
    if not len(buckets):
        return _with_notes(pd.DataFrame(columns=BURST_COLUMNS), notes)
    b_rel, codes, c_values, names_list = _aggregate(
        buckets, keys[keep] if not keep.all() else keys, counts[keep]
    )
    notes += _short_history(b_rel, codes, names_list, spec)
    engine = BurstEngine(spec)
    eps = _Episodes(width)
    first = int(buckets.min())
    bounds = np.searchsorted(b_rel, np.arange(0, int(b_rel[-1]) + 2))
    engine.open(first)
    counts_vec = np.zeros(max(16, len(names_list)))
    for j in range(len(bounds) - 1):
        lo, hi = bounds[j], bounds[j + 1]
        idx = codes[lo:hi]
        if hi > lo:
            top = int(idx.max()) + 1
            if top > engine._n:
                engine.add_keys(names_list[engine._n : top])
        counts_vec[: engine._n] = 0.0
        counts_vec[idx] = c_values[lo:hi]
        eps.feed(engine.close(counts_vec[: engine._n]))
    eps.finish()
    return _with_notes(eps.frame(), notes)


def _with_notes(df: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    df.attrs["notes"] = notes
    return df


def _short_history(
    b_rel: np.ndarray, codes: np.ndarray, names: list[str], spec: BurstSpec
) -> list[str]:
    """A note for the keys whose series is too short to judge any bucket (``min_history``
    buckets of history before the one judged): silence there is no "no burst"."""
    if not len(b_rel):
        return []
    first = np.full(len(names), np.iinfo(np.int64).max)
    np.minimum.at(first, codes, b_rel)
    span = int(b_rel.max()) - first + 1  # buckets each key is followed for
    short = np.flatnonzero(span <= spec.min_history)
    if not len(short):
        return []
    unit = span_text(spec.width)
    shown = ", ".join(f"{names[i]!r} ({int(span[i])})" for i in short[:3])
    more = f" and {len(short) - 3:,} more" if len(short) > 3 else ""
    return [
        f"{len(short):,} of {len(names):,} key(s) span too few {unit} buckets to judge: "
        f"{shown}{more}; bursts need {spec.min_history} buckets of history before the one "
        "judged, so nothing was judged for them (a longer file, or a smaller min_history)"
    ]


@dataclass
class Alert:
    """A burst, level shift or gap as the stream sees it start (``bucket_start``: its start)."""

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

    def __init__(self, spec: BurstSpec | None = None, *, record_changes: bool = False) -> None:
        self.spec = spec or BurstSpec()
        self.engine = BurstEngine(self.spec)
        self.width = self.spec.width
        self._eps = _Episodes(self.width)
        self.ledger = _Ledger(self.spec.shift_window, self.width, record=record_changes)
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
            for key, kind, first, o, e in self._eps.feed(res):
                if kind != "burst":  # bursts were alerted early, on the crossing event
                    alerts.append(Alert(key, kind, self._bucket_start(first), o, e, np.nan))
            self.ledger.feed(res)
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
        key = eng.keys[i]
        if key in self.ledger.open_bursts:  # the surge goes on: alerted at its start
            return []
        self.ledger.crossing(key, b, c, float(eng.expected[i]), float(eng.thresholds[i]), ts)
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
        self.ledger.finish()
        return self._eps.frame()

    def acted(self, ids: list[str] | None = None) -> pd.DataFrame:
        """The episodes the live path acted on, in the order it did, as they stand now.

        Unlike :meth:`flush` (the batch table, cut in hindsight), every row here was alerted
        at its rising edge and has kept its identity since: a burst that turned out to be the
        rising edge of a level shift is that level shift's row, and a surge's largest bucket
        is its ``peak_at`` / ``peak``. Columns :data:`ACTED_COLUMNS`.
        """
        return self.ledger.frame(ids)

    def take_changes(self) -> list[tuple[Episode, str]]:
        """Episode changes since the last call (``record_changes=True``): ``(episode, what)``."""
        out, self.ledger.changes = self.ledger.changes, []
        return out

    def episodes(self) -> pd.DataFrame:
        """Episodes finished so far (without closing open buckets)."""
        return self._eps.frame()
