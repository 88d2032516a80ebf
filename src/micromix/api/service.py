"""The service state: the store the server owns, its lock, a result cache and the key ring.

DuckDB connections are not safe to share between threads without care, so every store access
from a request goes through :meth:`Service.read` or :meth:`Service.write`, which hold one lock.
Writes bump :attr:`Service.version`; cached results are keyed by ``(version, query)`` so a write
invalidates them at once.

Quickstart
----------
>>> from micromix.api.service import Service, ServiceConfig
>>> svc = Service.open(":memory:", config=ServiceConfig(demo=False))
>>> svc.cached(("answer",), lambda: b"42")
b'42'
>>> svc.close()
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from micromix.api.keys import KeyRing
from micromix.api.ratelimit import RateLimiter

__all__ = [
    "DEMO_DAYS",
    "DEMO_TABLE",
    "DEMO_USERS",
    "Service",
    "ServiceConfig",
    "seed_demo",
]

T = TypeVar("T")

#: size of the simulated market seeded into an empty store
DEMO_USERS = 20_000
DEMO_DAYS = 56
#: table marking a store whose data is simulated
DEMO_TABLE = "service_meta"


class ServiceConfig(BaseSettings):
    """Limits and switches of ``micromix serve`` (environment prefix ``MICROMIX_SERVE_``).

    Parameters
    ----------
    max_body_bytes : int
        Largest request body accepted (413 above).
    max_rows : int
        Most rows in one ingest batch or file, and most rows one response returns (413 above).
    rate : float
        Sustained requests per second allowed per key (token bucket); 0 disables limiting.
    burst : int
        Requests a key may make at once.
    cache_entries : int
        Results kept in the cache.
    auth_rate, auth_burst : float, int
        Verifications of not-yet-seen keys allowed per client address (per second, at once);
        each costs a scrypt hash, so this bounds guessing and CPU abuse. 0 disables it.
    demo : bool
        Seed an empty store with a small simulated market (labelled as simulated).
    """

    model_config = SettingsConfigDict(env_prefix="MICROMIX_SERVE_", extra="ignore")

    max_body_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    max_rows: int = Field(default=200_000, gt=0)
    rate: float = Field(default=100.0, ge=0)
    burst: int = Field(default=200, gt=0)
    cache_entries: int = Field(default=512, gt=0)
    auth_rate: float = Field(default=5.0, ge=0)
    auth_burst: int = Field(default=30, gt=0)
    demo: bool = True


def seed_demo(
    store: Any,
    *,
    users: int | None = None,
    days: int | None = None,
    seed: int = 7,
    progress: Callable[[str, float], None] | None = None,
) -> int:
    """Fill ``store`` with a simulated market and mark it as simulated; returns events written.

    ``users`` and ``days`` default to :data:`DEMO_USERS` and :data:`DEMO_DAYS`.
    """
    import pandas as pd

    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate

    users = DEMO_USERS if users is None else users
    days = DEMO_DAYS if days is None else days
    market = simulate(SimConfig(users=users, days=days, seed=seed), progress=progress)
    counts = load_market(store, market)
    store.replace(
        DEMO_TABLE,
        pd.DataFrame(
            [
                {
                    "key": "data",
                    "value": f"simulated market (users={users}, days={days}, seed={seed})",
                }
            ]
        ),
    )
    return int(counts.get("events", 0))


class Service:
    """What a running server holds.

    Parameters
    ----------
    store : micromix.store.Store
        Opened read-write; the service owns it until :meth:`close`.
    config : ServiceConfig
    """

    def __init__(self, store: Any, config: ServiceConfig | None = None) -> None:
        self.store = store
        self.config = config or ServiceConfig()
        self.lock = threading.RLock()
        self.version = 0
        self.keys = KeyRing(store, self.lock)
        self.limiter = RateLimiter(rate=self.config.rate, burst=self.config.burst)
        self.auth_limiter = RateLimiter(rate=self.config.auth_rate, burst=self.config.auth_burst)
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._owns_store = False

    @classmethod
    def open(
        cls,
        db: str,
        *,
        config: ServiceConfig | None = None,
        progress: Callable[[str, float], None] | None = None,
    ) -> Service:
        """Open ``db`` read-write (seeding demo data into an empty store when configured)."""
        from micromix.store import Store

        cfg = config or ServiceConfig()
        store = Store.open(db)
        if cfg.demo and store.count("events") == 0 and store.count("ad_performance") == 0:
            seed_demo(store, progress=progress)
        svc = cls(store, cfg)
        svc._owns_store = True
        return svc

    def close(self) -> None:
        if self._owns_store:
            with self.lock:
                self.store.close()

    # ------------------------------------------------------------------ access
    def read(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(store)`` holding the store lock."""
        with self.lock:
            return fn(self.store)

    def write(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(store)`` holding the lock, then invalidate cached results."""
        with self.lock:
            try:
                return fn(self.store)
            finally:
                self.version += 1
                with self._cache_lock:
                    self._cache.clear()

    def cached(self, key: tuple[Any, ...], fn: Callable[[], T]) -> T:
        """``fn()`` computed once per ``(store version, key)``."""
        k = (self.version, *key)
        with self._cache_lock:
            if k in self._cache:
                self._cache.move_to_end(k)
                return self._cache[k]
        with self.lock:
            k = (self.version, *key)
            with self._cache_lock:
                if k in self._cache:
                    return self._cache[k]
            value = fn()
            with self._cache_lock:
                self._cache[k] = value
                while len(self._cache) > self.config.cache_entries:
                    self._cache.popitem(last=False)
        return value

    def peek(self, key: tuple[Any, ...]) -> Any:
        """A cached result for ``key`` at the current version, or None (never computes)."""
        with self._cache_lock:
            return self._cache.get((self.version, *key))

    def data_label(self) -> str:
        """``simulated market (...)`` for demo data, else ``real data``."""

        def label(store: Any) -> str:
            if not store.has_table(DEMO_TABLE):
                return "real data"
            df = store.read(DEMO_TABLE)
            hit = df[df["key"] == "data"]
            return str(hit["value"].iloc[0]) if len(hit) else "real data"

        return self.read(label)
