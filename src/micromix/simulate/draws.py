"""Small random draws every generator shares: times of day and weighted picks of users."""

from __future__ import annotations

import numpy as np

from micromix.simulate.events import US_PER_DAY

__all__ = ["HOUR_P", "US_PER_HOUR", "hill", "pick_weighted", "times_of_day"]

US_PER_HOUR = 3_600_000_000
#: share of the day's activity in each UTC hour
_NIGHT = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.2, 3, 3.2, 3.3, 3.5]
_DAY = [4, 3.6, 3.4, 3.4, 3.6, 4.2, 5, 5.6, 5.8, 5, 3.5, 2]
HOUR_P = np.array([*_NIGHT, *_DAY])
HOUR_P = HOUR_P / HOUR_P.sum()


def hill(x: np.ndarray | float, k: float, slope: float) -> np.ndarray:
    """Hill saturation ``x^s / (k^s + x^s)`` (0 at 0, 1/2 at ``k``, 1 at infinity)."""
    x = np.maximum(np.asarray(x, dtype="float64"), 0.0)
    xs = x**slope
    return xs / (k**slope + xs)


def times_of_day(rng: np.random.Generator, day: np.ndarray | int, n: int) -> np.ndarray:
    """Microseconds since the first midnight of ``n`` events on ``day`` (hour profile)."""
    hour = rng.choice(24, size=n, p=HOUR_P)
    return (
        np.asarray(day, dtype=np.int64) * US_PER_DAY
        + hour * US_PER_HOUR
        + rng.integers(0, US_PER_HOUR, size=n)
    )


def pick_weighted(
    rng: np.random.Generator, cum: np.ndarray, members: np.ndarray, n: int
) -> np.ndarray:
    """``n`` draws from ``members`` with probability proportional to the weights ``cum`` sums."""
    if n == 0 or len(members) == 0:
        return np.empty(0, dtype=np.int64)
    idx = np.searchsorted(cum, rng.random(n) * cum[-1], side="right")
    return members[np.minimum(idx, len(members) - 1)]
