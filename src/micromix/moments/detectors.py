"""Registered burst detectors: Poisson tail, EWMA z-score and CUSUM behind one interface.

A detector is a small class with a ``lookup_name`` and a dict round-trip. It is vectorised over
keys: for the bucket about to be observed it gives the *threshold* — the smallest count that
would be a burst given each key's expected count and its state — and after the bucket closes
it updates its state. Because a count can only grow while its bucket is open, the threshold
lets the streaming detector alert on the very event that crosses it, and the batch mode gets
exactly the same decisions from the closed counts.

Scores
------
Each detector's ``score`` is its own statistic, so scores compare within one detector, never
across detectors (``bursts`` reports ``ratio`` = observed / expected beside it for that):

* ``poisson``: ``-log10`` of the tail probability of the observed count given the expected
  one (3 means 1 in 1,000); the probability is floored at 1e-300, so the score tops out at 300;
* ``ewma``: a z-score, standard deviations of the residual above its EWMA mean;
* ``cusum``: the one-sided CUSUM statistic, standardised excesses summed over the run less the
  allowance ``k`` per bucket (an alarm above ``h``).

Quickstart
----------
>>> import numpy as np
>>> from micromix.moments.detectors import get_detector
>>> det = get_detector("poisson", alpha=1e-4)
>>> state = det.init_state(2)
>>> thr = det.threshold(state, np.array([10.0, 100.0]))
>>> [int(t) for t in thr]
[25, 140]
>>> det.to_dict()
{'lookup_name': 'poisson', 'alpha': 0.0001}
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

import numpy as np
from scipy import special

from micromix.errors import ConfigError
from micromix.registry import Registry

__all__ = [
    "DETECTORS",
    "BurstDetector",
    "CusumDetector",
    "EwmaDetector",
    "PoissonDetector",
    "available_detectors",
    "get_detector",
    "register_detector",
]

#: most thresholds a PoissonDetector keeps solved (then it starts afresh)
_THRESHOLD_CACHE = 200_000


def register_detector(cls: type[BurstDetector]) -> type[BurstDetector]:
    """Class decorator: make ``cls`` available under ``cls.lookup_name`` (:data:`DETECTORS`)."""
    return DETECTORS.register(cls)


def available_detectors() -> list[str]:
    """Names of the registered detectors."""
    return DETECTORS.names()


def get_detector(name: str | dict[str, Any] | BurstDetector, **params: Any) -> BurstDetector:
    """Build a detector from its name (and parameters), a ``to_dict()`` dict, or pass one through."""
    return DETECTORS.create(name, **params)


@dataclass(frozen=True)
class BurstDetector:
    """Base class. Subclasses are frozen dataclasses of their parameters."""

    lookup_name: ClassVar[str] = "base"
    #: False when :meth:`threshold` is costly: the engine then asks only for keys near it
    cheap_threshold: ClassVar[bool] = True

    def to_dict(self) -> dict[str, Any]:
        """Parameters plus ``lookup_name``; :meth:`from_dict` rebuilds the detector."""
        return {"lookup_name": self.lookup_name, **asdict(self)}

    @staticmethod
    def from_dict(d: dict[str, Any]) -> BurstDetector:
        """Inverse of :meth:`to_dict`."""
        return DETECTORS.create(d)

    def _positive(self, **values: float) -> None:
        for k, v in values.items():
            if not (isinstance(v, (int, float)) and v > 0):
                raise ConfigError(f"{type(self).__name__}: {k}={v!r} must be a positive number")

    # --- interface (vectorised over keys)
    def init_state(self, n: int) -> dict[str, np.ndarray]:
        """Fresh state for ``n`` keys (a dict of arrays)."""
        return {}

    def grow_state(self, state: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        """State resized to ``n`` keys; new keys start fresh."""
        fresh = self.init_state(n)
        for k, arr in state.items():
            fresh[k][: len(arr)] = arr
        return fresh

    def threshold(
        self,
        state: dict[str, np.ndarray],
        expected: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> np.ndarray:
        """Smallest observed count that is a burst, per key.

        ``extra_var`` is the variance of the baseline estimate itself (it was learned from a
        few past buckets); it widens the tolerance on top of the Poisson noise.
        """
        raise NotImplementedError

    def score(
        self,
        state: dict[str, np.ndarray],
        observed: np.ndarray,
        expected: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> np.ndarray:
        """Burst score per key (higher = more surprising)."""
        raise NotImplementedError

    def update(
        self,
        state: dict[str, np.ndarray],
        observed: np.ndarray,
        expected: np.ndarray,
        mask: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> None:
        """Update the state in place for the keys where ``mask`` is true."""

    def __repr__(self) -> str:
        args = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))
        return f"{type(self).__name__}({args})"


#: the burst detectors by ``lookup_name`` (join with :func:`register_detector`)
DETECTORS: Registry[BurstDetector] = Registry("burst detector", base=BurstDetector)


@register_detector
@dataclass(frozen=True, repr=False)
class PoissonDetector(BurstDetector):
    """Poisson upper tail against the seasonal baseline: burst when P(X >= observed) < alpha."""

    lookup_name: ClassVar[str] = "poisson"
    cheap_threshold: ClassVar[bool] = False
    alpha: float = 1e-4

    def __post_init__(self) -> None:
        self._positive(alpha=self.alpha)
        if self.alpha >= 0.5:
            raise ConfigError(f"PoissonDetector: alpha={self.alpha!r} must be below 0.5")
        # thresholds solved so far, by (expected + 1j * extra variance): baselines are means
        # of a few counts, so the same pairs come back bucket after bucket
        object.__setattr__(self, "_cache", (np.zeros(0, dtype=complex), np.zeros(0)))

    @staticmethod
    def _tail(k: np.ndarray, expected: np.ndarray, extra_var: np.ndarray | None) -> np.ndarray:
        """P(X >= k): Poisson(expected), or the negative binomial with the extra variance."""
        k = np.maximum(k, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            pois = special.gammainc(np.maximum(k, 1e-300), expected)
            if extra_var is not None:
                ev = np.maximum(extra_var, 0.0)
                nbk = ev > 1e-6 * expected
                if nbk.any():
                    # NB with mean m, variance m + v: r = m^2 / v, success prob p = m / (m + v)
                    r = np.where(nbk, expected**2 / np.where(nbk, ev, 1.0), 1.0)
                    q = np.where(nbk, ev / (expected + ev), 0.5)  # 1 - p
                    nb = special.betainc(np.maximum(k, 1e-300), r, q)
                    pois = np.where(nbk, nb, pois)
        return np.where(k <= 0, 1.0, pois)

    def threshold(
        self,
        state: dict[str, np.ndarray],
        expected: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> np.ndarray:
        """Smallest ``k > floor(expected)`` with ``P(X >= k) < alpha`` (exact tail).

        Keys share few distinct (expected, extra variance) pairs (a floor, means of a few
        counts): each pair is solved once. A skew-corrected normal guess is then walked to the
        exact answer in a step or two; the rare pair it misses goes to a bisection.
        """
        ev = np.zeros_like(expected) if extra_var is None else np.maximum(extra_var, 0.0)
        pairs = expected + 1j * ev  # one sortable value per pair
        known, solved = self._cache  # type: ignore[attr-defined]
        pos = np.searchsorted(known, pairs)
        np.minimum(pos, len(known) - 1, out=pos)
        hit = known[pos] == pairs if len(known) else np.zeros(len(pairs), dtype=bool)
        out = np.empty(len(pairs))
        out[hit] = solved[pos[hit]]
        if not hit.all():
            new, inverse = np.unique(pairs[~hit], return_inverse=True)
            thr = self._solve(new.real.copy(), new.imag.copy())
            out[~hit] = thr[inverse]
            if len(known) > _THRESHOLD_CACHE:
                known, solved = known[:0], solved[:0]
            keys = np.concatenate([known, new])
            order = np.argsort(keys, kind="stable")
            object.__setattr__(self, "_cache", (keys[order], np.concatenate([solved, thr])[order]))
        return out

    def _solve(self, expected: np.ndarray, ev: np.ndarray) -> np.ndarray:
        var = expected + ev
        sd = np.sqrt(var)
        z = float(special.ndtri(1.0 - self.alpha))
        guess = expected + z * sd + (z * z - 1.0) * var / (6.0 * np.maximum(sd, 1e-9)) / sd
        base = np.floor(expected)
        k = np.maximum(base + 1.0, np.round(guess))
        below = self._tail(k, expected, ev) < self.alpha
        # walk up where k is too small, down while k - 1 is still over the threshold
        todo = np.flatnonzero(~below)
        for _ in range(8):
            if not len(todo):
                break
            k[todo] += 1.0
            ok = self._tail(k[todo], expected[todo], ev[todo]) < self.alpha
            todo = todo[~ok]
        down = np.flatnonzero(below & (k - 1.0 > base))
        for _ in range(8):
            if not len(down):
                break
            ok = self._tail(k[down] - 1.0, expected[down], ev[down]) < self.alpha
            k[down[ok]] -= 1.0
            down = down[ok & (k[down] - 1.0 > base[down])]
        rest = np.concatenate([todo, down])
        if len(rest):
            k[rest] = self._bisect(expected[rest], ev[rest])
        return k

    def _bisect(self, expected: np.ndarray, extra_var: np.ndarray) -> np.ndarray:
        # smallest k with P(X >= k) < alpha, by vectorised bisection on the exact tail
        var = expected + (0.0 if extra_var is None else np.maximum(extra_var, 0.0))
        sd = np.sqrt(var)
        # bracket around a normal guess (with a skew allowance), then widen where it fails
        z = float(special.ndtri(1.0 - self.alpha))
        guess = expected + z * sd + (z * z - 1.0) * var / (6.0 * np.maximum(sd, 1e-9)) / sd
        lo = np.maximum(np.floor(expected), np.floor(guess - 0.25 * sd - 3.0))
        hi = np.ceil(guess + 0.5 * sd + 5.0)
        for _ in range(60):
            bad_lo = (lo > np.floor(expected)) & (self._tail(lo, expected, extra_var) < self.alpha)
            bad_hi = self._tail(hi, expected, extra_var) >= self.alpha
            if not (bad_lo.any() or bad_hi.any()):
                break
            width = hi - lo + 1.0
            lo = np.where(bad_lo, np.maximum(np.floor(expected), lo - width), lo)
            hi = np.where(bad_hi, hi + width, hi)
        while True:
            open_ = hi - lo > 1
            if not open_.any():
                return hi
            mid = np.floor((lo + hi) / 2)
            below = self._tail(mid, expected, extra_var) < self.alpha
            hi = np.where(open_ & below, mid, hi)
            lo = np.where(open_ & ~below, mid, lo)

    def score(
        self,
        state: dict[str, np.ndarray],
        observed: np.ndarray,
        expected: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> np.ndarray:
        """``-log10`` of the tail probability (floored at 1e-300: at most 300)."""
        tail = self._tail(observed, expected, extra_var)
        return -np.log10(np.clip(tail, 1e-300, 1.0))


@register_detector
@dataclass(frozen=True, repr=False)
class EwmaDetector(BurstDetector):
    """EWMA z-score of the residual ``observed - expected`` (variance floored at Poisson)."""

    lookup_name: ClassVar[str] = "ewma"
    span: float = 24.0
    z: float = 4.0

    def __post_init__(self) -> None:
        self._positive(span=self.span, z=self.z)

    def init_state(self, n: int) -> dict[str, np.ndarray]:
        return {"mean": np.zeros(n), "var": np.zeros(n)}

    def _sd(
        self, state: dict[str, np.ndarray], expected: np.ndarray, extra_var: np.ndarray | None
    ) -> np.ndarray:
        ev = 0.0 if extra_var is None else extra_var
        return np.sqrt(state["var"] + np.maximum(expected, 1.0) + ev)

    def threshold(
        self,
        state: dict[str, np.ndarray],
        expected: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> np.ndarray:
        return np.ceil(expected + state["mean"] + self.z * self._sd(state, expected, extra_var))

    def score(
        self,
        state: dict[str, np.ndarray],
        observed: np.ndarray,
        expected: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> np.ndarray:
        return (observed - expected - state["mean"]) / self._sd(state, expected, extra_var)

    def update(
        self,
        state: dict[str, np.ndarray],
        observed: np.ndarray,
        expected: np.ndarray,
        mask: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> None:
        a = 2.0 / (self.span + 1.0)
        r = observed - expected
        d = r - state["mean"]
        mean = state["mean"] + a * d
        var = (1 - a) * (state["var"] + a * d * d)
        state["mean"] = np.where(mask, mean, state["mean"])
        state["var"] = np.where(mask, var, state["var"])


@register_detector
@dataclass(frozen=True, repr=False)
class CusumDetector(BurstDetector):
    """One-sided CUSUM of standardised residuals ``(observed - expected) / sqrt(expected)``."""

    lookup_name: ClassVar[str] = "cusum"
    k: float = 1.0
    h: float = 8.0

    def __post_init__(self) -> None:
        self._positive(k=self.k, h=self.h)

    def init_state(self, n: int) -> dict[str, np.ndarray]:
        return {"s": np.zeros(n)}

    @staticmethod
    def _sd(expected: np.ndarray, extra_var: np.ndarray | None) -> np.ndarray:
        return np.sqrt(np.maximum(expected, 1.0) + (0.0 if extra_var is None else extra_var))

    def threshold(
        self,
        state: dict[str, np.ndarray],
        expected: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> np.ndarray:
        sd = self._sd(expected, extra_var)
        return np.floor(expected + (self.h + self.k - state["s"]) * sd) + 1.0

    def score(
        self,
        state: dict[str, np.ndarray],
        observed: np.ndarray,
        expected: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> np.ndarray:
        sd = self._sd(expected, extra_var)
        return np.maximum(0.0, state["s"] + (observed - expected) / sd - self.k)

    def update(
        self,
        state: dict[str, np.ndarray],
        observed: np.ndarray,
        expected: np.ndarray,
        mask: np.ndarray,
        extra_var: np.ndarray | None = None,
    ) -> None:
        s = self.score(state, observed, expected, extra_var)
        # a key stays in alarm while s > h; cap so that a long surge does not mask the next one
        s = np.minimum(s, 2.0 * self.h)
        state["s"] = np.where(mask, s, state["s"])
