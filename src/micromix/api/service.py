"""The service state: the store the server owns, the data version, a result cache, the model
registry and the key ring.

Reads do not wait for writes: the store gives every thread its own read connection (see
:mod:`micromix.store.duckdb_store`), so :meth:`Service.read` takes no lock, and long
computations (KPIs, comparisons, model fits) run outside any lock. :meth:`Service.write` takes
the service's write lock so multi-step writes (a key and its audit record) do not interleave.

The **data version** (:meth:`Service.data_version`) counts writes to data tables: the API's
own key and audit tables (:data:`SERVICE_TABLES`) are left out, so creating a key or exporting
an audience neither clears cached results nor makes a fitted model stale. Results are cached
per ``(data version, query)``; fitted models live in :attr:`Service.models`
(:class:`~micromix.api.models.ModelRegistry`), saved beside a file-backed store.

Quickstart
----------
>>> from micromix.api.service import Service, ServiceConfig
>>> svc = Service.open(":memory:", config=ServiceConfig(demo=False))
>>> svc.cached(("answer",), lambda: b"42")
b'42'
>>> v = svc.data_version()
>>> _ = svc.keys.create("viewer")     # a key is not data
>>> svc.data_version() == v
True
>>> svc.close()
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from micromix.api.batches import BatchValidator
from micromix.api.keys import KeyRing
from micromix.api.models import ModelRegistry
from micromix.api.ratelimit import RateLimiter
from micromix.ingest.market import market_label, simulated_market
from micromix.metrics.currency import StoreCurrency, store_currency
from micromix.store import BOOKKEEPING_TABLES, Store

__all__ = [
    "DEMO_DAYS",
    "DEMO_TABLE",
    "DEMO_USERS",
    "SERVICE_TABLES",
    "SIMULATED_BRAND",
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
#: tables the service writes about itself, not data: writing them leaves the data version alone
#: (the store's one list, :data:`~micromix.store.base.BOOKKEEPING_TABLES`)
SERVICE_TABLES: tuple[str, ...] = tuple(BOOKKEEPING_TABLES)
#: the brand of the simulated market (its posts mention @pawsome); never a default on real data
SIMULATED_BRAND = "Pawsome"


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
    stale_seconds : float
        How old a KPI result may be when newer data is being computed: a KPI read that finds
        no result for the newest data is answered with the newest earlier result computed from
        data read at most this many seconds ago (and never older than the caller's own last
        write), while the new result is computed in the background; so a steady stream of
        writes does not make reads wait for recomputations. 0 makes every read wait for the
        newest data.
    refresh_seconds : float
        How old that recent result must be before a newer one is computed in the background
        (reads are answered from it meanwhile; capped at ``stale_seconds``): under a stream of
        writes, KPIs are recomputed at most about once per ``refresh_seconds`` instead of back
        to back, which leaves the cores to the writes. 0 recomputes as soon as data changes.
    ingest_workers : int
        Worker processes that parse and validate event batches (``POST /api/v1/events``) off
        the server's interpreter, on another core (:mod:`micromix.api.batches`); 0 validates
        them in the server's threads.
    ingest_process_bytes : int
        Batches smaller than this are validated in the server's threads (the trip to the
        worker would cost more than it saves).
    switch_interval_ms : float
        Python's thread switch interval while ``micromix serve`` runs (``sys.setswitchinterval``;
        Python's default is 5 ms). Every read is answered on the event loop thread, which
        waits up to this long for the interpreter lock whenever a write thread holds it.
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
    stale_seconds: float = Field(default=2.0, ge=0)
    refresh_seconds: float = Field(default=1.0, ge=0)
    ingest_workers: int = Field(default=1, ge=0, le=8)
    ingest_process_bytes: int = Field(default=64 * 1024, ge=0)
    switch_interval_ms: float = Field(default=1.0, gt=0)


def seed_demo(
    store: Store,
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
    models_folder : Path, optional
        Where the model registry saves fitted models (default: beside a file-backed store,
        ``<db>.models``; in memory for ``:memory:``).
    clock : callable, optional
        Seconds on a monotonic clock (default :func:`time.monotonic`): what the result cache
        measures a result's age with (``refresh_seconds``, ``stale_seconds``); tests pass a
        clock they move by hand.
    """

    def __init__(
        self,
        store: Store,
        config: ServiceConfig | None = None,
        *,
        models_folder: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.config = config or ServiceConfig()
        self._clock = clock
        #: held by :meth:`write` (readers never take it)
        self.write_lock = threading.RLock()
        self.keys = KeyRing(store, self.write_lock)
        self.limiter = RateLimiter(rate=self.config.rate, burst=self.config.burst)
        self.auth_limiter = RateLimiter(rate=self.config.auth_rate, burst=self.config.auth_burst)
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._inflight: dict[tuple[Any, ...], Future[Any]] = {}
        #: the newest result of each key (any data version): ``(version, started at, value)``
        self._latest: OrderedDict[tuple[Any, ...], tuple[int, float, Any]] = OrderedDict()
        #: data version after each API key's last write (its reads see at least that)
        self._written: dict[str, int] = {}
        #: keys whose newer result is being computed in the background
        self._refreshing: set[tuple[Any, ...]] = set()
        #: computes newer results while reads take a recent one (created on first use)
        self._refresh: ThreadPoolExecutor | None = None
        self._cache_lock = threading.Lock()
        #: parses and validates event batches (in a worker process when they are large)
        self.batches = BatchValidator(
            workers=self.config.ingest_workers, min_bytes=self.config.ingest_process_bytes
        )
        self._owns_store = False
        if models_folder is None and store.path not in ("", ":memory:") and not store.read_only:
            models_folder = Path(str(store.path) + ".models")
        self.models = ModelRegistry(self.data_version, self.data_fingerprint, models_folder)
        self.models.load_saved()

    @classmethod
    def open(
        cls,
        db: str,
        *,
        backend: str | None = None,
        config: ServiceConfig | None = None,
        progress: Callable[[str, float], None] | None = None,
    ) -> Service:
        """Open ``db`` read-write (seeding demo data into an empty store when configured)."""
        cfg = config or ServiceConfig()
        store = Store.open(db, backend=backend)
        # a store anything was ingested into (e.g. traffic only) is real data: never seeded
        empty = all(store.count(t) == 0 for t in ("events", "ad_performance", "ingest_log"))
        if cfg.demo and empty:
            seed_demo(store, progress=progress)
        svc = cls(store, cfg)
        svc._owns_store = True
        return svc

    def close(self) -> None:
        self.batches.close()
        if self._refresh is not None:
            self._refresh.shutdown(wait=True)
        if self._owns_store:
            with self.write_lock:
                self.store.close()

    # ------------------------------------------------------------------ data version
    def data_version(self) -> int:
        """Changes exactly when a data table is written (not the key, audit or meta tables)."""
        return self.store.version(exclude=SERVICE_TABLES)

    def data_fingerprint(self) -> dict[str, int]:
        """Rows per data table: a durable stamp for saved models (see the model registry)."""
        return {t: self.store.count(t) for t in self.store.tables() if t not in SERVICE_TABLES}

    # ------------------------------------------------------------------ access
    def read(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn(store)``; reads take no lock (each thread reads on its own connection)."""
        return fn(self.store)

    def write(self, fn: Callable[[Store], T], *, by: str | None = None) -> T:
        """Run ``fn(store)`` under the write lock; the data version moves if data was written.

        ``by`` (an API key id) records the data version after the write, so that key's later
        reads never take a result older than its own write (see :meth:`cached`).
        """
        with self.write_lock:
            out = fn(self.store)
            if by is not None:
                with self._cache_lock:
                    self._written[by] = self.data_version()
            return out

    def written_version(self, by: str) -> int:
        """The data version after the last write made by API key ``by`` (0 if none)."""
        with self._cache_lock:
            return self._written.get(by, 0)

    def cached(
        self,
        key: tuple[Any, ...],
        fn: Callable[[], T],
        *,
        stale_ok: bool = False,
        at_least: int = 0,
    ) -> T:
        """``fn()`` computed once per ``(data version, key)``, outside any store lock.

        Concurrent requests for the same key wait for the one computation in flight. With
        ``stale_ok``, a request for data newer than the cached result is answered with the
        newest earlier result of ``key`` instead, while the new one is computed in the
        background, when that result was computed from data read at most
        :attr:`ServiceConfig.stale_seconds` ago and from data version ``at_least`` or later
        (pass the caller's :meth:`written_version`: a key always sees its own writes).
        """
        version = self.data_version()
        k = (version, *key)
        with self._cache_lock:
            if k in self._cache:
                self._cache.move_to_end(k)
                return self._cache[k]
            recent = self._recent(key, at_least) if stale_ok else None
            if recent is not None and self._answers_now(k, key, recent[1]):
                return recent[0]
            fut = self._inflight.get(k)
            owner = fut is None
            if owner:
                fut = self._inflight[k] = Future()
            if recent is not None:
                self._refreshing.add(key)
        assert fut is not None
        if owner:
            if recent is not None:
                if self._refresh is None:
                    self._refresh = ThreadPoolExecutor(2, thread_name_prefix="micromix-refresh")
                self._refresh.submit(self._compute, k, key, fn, fut)
                return recent[0]
            self._compute(k, key, fn, fut)
        return fut.result()

    def _refresh_after(self) -> float:
        return min(self.config.refresh_seconds, self.config.stale_seconds)

    def _answers_now(self, k: tuple[Any, ...], key: tuple[Any, ...], age: float) -> bool:
        """Whether a recent result of ``key`` (:meth:`_recent`, ``age`` seconds old) answers a
        read for cache entry ``k`` without a recomputation: a newer result is on its way (one
        background computation per key at a time: under a stream of writes the next one
        starts when it is done), or it is younger than ``refresh_seconds`` (cache lock held)."""
        return k in self._inflight or key in self._refreshing or age < self._refresh_after()

    def _recent(self, key: tuple[Any, ...], at_least: int) -> tuple[Any, float] | None:
        """``(value, age in seconds)`` of the newest result of ``key`` if recent enough (the
        age counts from when its data was read; cache lock held)."""
        if key not in self._latest:
            return None
        version, started, value = self._latest[key]
        age = self._clock() - started
        if version < at_least or age > self.config.stale_seconds:
            return None
        return (value, age)

    def _compute(
        self, k: tuple[Any, ...], key: tuple[Any, ...], fn: Callable[[], Any], fut: Future[Any]
    ) -> None:
        """Run ``fn`` for cache entry ``k`` and settle ``fut`` with its value or exception."""
        started = self._clock()
        try:
            value = fn()
        except BaseException as exc:
            with self._cache_lock:
                self._inflight.pop(k, None)
                self._refreshing.discard(key)
            fut.set_exception(exc)
            return
        with self._cache_lock:
            self._inflight.pop(k, None)
            self._refreshing.discard(key)
            self._cache[k] = value
            while len(self._cache) > self.config.cache_entries:
                self._cache.popitem(last=False)
            if key not in self._latest or self._latest[key][0] <= k[0]:
                self._latest[key] = (k[0], started, value)
                self._latest.move_to_end(key)
                while len(self._latest) > self.config.cache_entries:
                    self._latest.popitem(last=False)
        fut.set_result(value)

    def peek(self, key: tuple[Any, ...], *, stale_ok: bool = False, at_least: int = 0) -> Any:
        """A cached result for ``key`` at the current data version, or None (never computes).

        With ``stale_ok``, also the recent result :meth:`cached` would answer with (while a newer
        one is being computed, or while it is younger than ``refresh_seconds``; cheap enough
        for the event loop).
        """
        k = (self.data_version(), *key)
        with self._cache_lock:
            hit = self._cache.get(k)
            if hit is None and stale_ok:
                recent = self._recent(key, at_least)
                if recent is not None and self._answers_now(k, key, recent[1]):
                    hit = recent[0]
            return hit

    def money_currency(self) -> StoreCurrency:
        """What the store's data states about the currency of its money
        (:func:`micromix.metrics.store_currency`, the rule the plan and the report use).

        Cached per data version: the KPI route, the status and so the dashboard read this one
        answer.
        """
        return self.cached(("store-currency",), lambda: self.read(store_currency))

    def currency(self) -> str | None:
        """The one currency of the store's money, else None (nothing states one, or several
        do): money is then shown without a symbol, never a guessed ``$``."""
        return self.money_currency().code

    def brand(self) -> str | None:
        """The store's own brand: the simulator's on a simulated market, else None (the
        caller must name it: a brand guessed from the posts' mentions may be anyone's, as the
        plan and the report also refuse to guess)."""

        def find(store: Store) -> str | None:
            return SIMULATED_BRAND if simulated_market(store) else None

        return self.cached(("store-brand",), lambda: self.read(find))

    def data_label(self) -> str:
        """``simulated market (...)`` for demo data, ``simulated + real (mixed): ...`` when
        real data was ingested into it on purpose, else ``real data``
        (:func:`~micromix.ingest.market.market_label`)."""

        def label(store: Store) -> str:
            # a market loaded by micromix demo / simulate is simulated too
            known = market_label(store)
            if known is not None:
                return known
            if store.has_table(DEMO_TABLE):
                df = store.read(DEMO_TABLE)
                hit = df[df["key"] == "data"]
                if len(hit):
                    return str(hit["value"].iloc[0])
            return "real data"

        return self.read(label)
