"""Per-key rate limiting with token buckets.

Each key gets a bucket of ``burst`` tokens refilled at ``rate`` tokens per second; a request
takes one token or is refused with the seconds to wait.

Quickstart
----------
>>> from micromix.api.ratelimit import RateLimiter
>>> rl = RateLimiter(rate=1.0, burst=2)
>>> [rl.take("k", now=0.0)[0] for _ in range(3)]
[True, True, False]
>>> rl.take("k", now=1.0)[0]
True
"""

from __future__ import annotations

import threading
import time

__all__ = ["RateLimiter"]


class RateLimiter:
    """Token buckets keyed by API key id.

    Parameters
    ----------
    rate : float
        Tokens added per second (sustained requests per second); ``<= 0`` disables limiting.
    burst : int
        Bucket size (requests allowed at once).
    """

    def __init__(self, *, rate: float, burst: int) -> None:
        self.rate = float(rate)
        self.burst = int(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, *, now: float | None = None) -> tuple[bool, float]:
        """Take a token for ``key``: ``(allowed, seconds to wait when refused)``."""
        if self.rate <= 0:
            return True, 0.0
        t = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), t))
            tokens = min(float(self.burst), tokens + (t - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, t)
                return True, 0.0
            self._buckets[key] = (tokens, t)
            return False, (1.0 - tokens) / self.rate
