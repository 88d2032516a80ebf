"""Streamed simulation: 100M+ events as date-partitioned Parquet, in bounded memory.

The market is simulated in *user shards*: each shard is an independent
:func:`~micromix.simulate.simulate` run over ``shard_users`` consumers (its own seed, derived
from ``seed`` and the shard number) whose events are written one day at a time, straight from
the simulator's compact event log, to ``OUT/events/event_date=YYYY-MM-DD/part-sNNNNN-0.parquet``
and dropped before the next shard starts, so peak memory is that of one shard's compact log
(about 20 bytes per event) whatever the total. User, session and event ids get
the shard as a prefix (``s0003-u0001234``) and stay unique; channel, campaign and platform
values are shared by every shard, so KPI roll-ups over the whole folder are meaningful. Creator
ids are per shard (each shard draws its own creators), and the smaller tables (ads, creators,
experiments) are not written: this generator is for scale runs over ``events``.

The folder is a micromix lake: ``Store.open(OUT)`` reads it with DuckDB,
``Store.open(OUT, backend="pyspark")`` with Spark.

Quickstart
----------
>>> import tempfile
>>> from micromix.simulate.stream import write_events
>>> out = tempfile.mkdtemp()
>>> res = write_events(out, events=20_000, days=7, shard_users=4_000, seed=1)
>>> res.events >= 20_000 and res.shards >= 2
True
"""

from __future__ import annotations

import json
import math
import shutil
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from micromix.errors import ConfigError
from micromix.simulate.config import SimConfig
from micromix.simulate.market import Market, simulate

__all__ = ["PARTITION_COLUMN", "StreamResult", "shard_seed", "write_events"]

#: Hive partition column of the events folder (the event's UTC date)
PARTITION_COLUMN = "event_date"
_PREFIXED = ("event_id", "user_id", "session_id")
#: events per user per day at the simulator's defaults (measured; used to size the run)
_EVENTS_PER_USER_DAY = 0.42


@dataclass(frozen=True)
class StreamResult:
    """What :func:`write_events` wrote."""

    path: str
    events: int
    shards: int
    files: int
    bytes: int
    seconds: float
    users: int
    days: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __repr__(self) -> str:
        return (
            f"StreamResult({self.events:,} events, {self.shards} shards, {self.files} files, "
            f"{self.bytes / 1e9:.2f} GB in {self.seconds:.0f} s -> {self.path})"
        )


def shard_seed(seed: int, shard: int) -> int:
    """The simulator seed of ``shard`` (independent streams for every (seed, shard))."""
    return int(np.random.SeedSequence([int(seed), int(shard)]).generate_state(1)[0])


def _prefix(col: pa.Array, prefix: str) -> pa.Array:
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    return pc.binary_join_element_wise(pa.scalar(prefix), col.cast(pa.string()), "")


def _for_parquet(batch: pa.RecordBatch, prefix: str) -> pa.Table:
    """Shard-prefixed ids; id dictionaries (int32 indices) as plain strings, which Parquet
    dictionary-encodes per file with only the values used."""
    cols, names = [], []
    for name, col in zip(batch.schema.names, batch.columns):
        if name in _PREFIXED:
            col = _prefix(col, prefix)
        elif pa.types.is_dictionary(col.type) and col.type.index_type == pa.int32():
            col = col.cast(col.type.value_type)
        cols.append(col)
        names.append(name)
    return pa.Table.from_arrays(cols, names=names)


def _check(events: int | None, users: int | None, shard_users: int) -> None:
    if (events is None) == (users is None):
        raise ConfigError("write_events: give exactly one of events= or users=")
    if shard_users < 100:
        raise ConfigError(f"write_events: shard_users must be >= 100, got {shard_users}")
    if events is not None and events < 1:
        raise ConfigError(f"write_events: events must be >= 1, got {events}")
    if users is not None and users < 100:
        raise ConfigError(f"write_events: users must be >= 100, got {users}")


def _write(tbl: pa.Table, path: Path) -> None:
    pq.write_table(tbl, path, row_group_size=1 << 20)


def _write_shard(
    market: Market,
    shard: int,
    target: Path,
    writers: ThreadPoolExecutor,
    pending: deque[Future[None]],
) -> int:
    """Queue one Parquet file per day of ``market``'s events; returns the events queued."""
    n = 0
    for batch in market.event_batches(consume=True):
        tbl = _for_parquet(batch, f"s{shard:04d}-")
        day = tbl.column("ts")[0].as_py().date()
        folder = target / f"{PARTITION_COLUMN}={day.isoformat()}"
        folder.mkdir(exist_ok=True)
        pending.append(writers.submit(_write, tbl, folder / f"part-s{shard:05d}-0.parquet"))
        n += tbl.num_rows
        del tbl
        while len(pending) >= 2:
            pending.popleft().result()
    return n


def write_events(
    out: str | Path,
    *,
    events: int | None = None,
    users: int | None = None,
    days: int = 28,
    shard_users: int = 200_000,
    seed: int = 7,
    config: SimConfig | None = None,
    overwrite: bool = False,
    progress: Callable[[str, float], None] | None = None,
) -> StreamResult:
    """Simulate events shard by shard into a date-partitioned Parquet folder.

    Parameters
    ----------
    out : str or Path
        Lake folder; events go to ``out/events/``.
    events : int, optional
        Target number of events: shards are added until at least this many are written.
    users : int, optional
        Total consumers instead of ``events`` (rounded up to whole shards).
    days : int
        Simulated days (one partition per day).
    shard_users : int
        Consumers per shard: bounds peak memory (about 1.4 GB for 1,000,000 users x 90 days,
        measured; see docs/simulate.md).
    seed : int
    config : SimConfig, optional
        Base configuration (``users``, ``days`` and ``seed`` are set per shard).
    overwrite : bool
        Remove an existing ``out/events`` first (otherwise it is an error).
    progress : callable, optional
        ``progress(step, fraction)``.

    Returns
    -------
    StreamResult
    """
    _check(events, users, shard_users)
    base = (config or SimConfig()).with_(days=days)
    root = Path(out).expanduser()
    target = root / "events"
    if target.exists():
        if not overwrite:
            raise ConfigError(
                f"{target} exists; pass overwrite=True (--overwrite) or another folder"
            )
        shutil.rmtree(target)
    target.mkdir(parents=True)
    report = progress or (lambda step, frac: None)
    if users is not None:
        n_shards = math.ceil(users / shard_users)
    else:
        n_shards = max(1, math.ceil(events / (_EVENTS_PER_USER_DAY * days * shard_users)))  # type: ignore[operator]
    t0 = time.perf_counter()
    total, shard = 0, 0
    # Parquet encoding releases the GIL: files are written by two threads while the next day
    # is encoded (at most two days in flight)
    with ThreadPoolExecutor(max_workers=2) as writers:
        pending: deque[Future[None]] = deque()
        while shard < n_shards or (events is not None and total < events):
            planned = max(n_shards, shard + 1)
            report(f"shard {shard + 1}/{planned}", min(shard / planned, 0.99))
            market = simulate(base.with_(users=shard_users, seed=shard_seed(seed, shard)))
            total += _write_shard(market, shard, target, writers, pending)
            del market
            shard += 1
        while pending:
            pending.popleft().result()
    files = list(target.rglob("*.parquet"))
    res = StreamResult(
        path=str(root),
        events=total,
        shards=shard,
        files=len(files),
        bytes=sum(f.stat().st_size for f in files),
        seconds=round(time.perf_counter() - t0, 2),
        users=shard * shard_users,
        days=days,
    )
    (root / "_micromix_stream.json").write_text(
        json.dumps(
            {
                **res.to_dict(),
                "seed": seed,
                "shard_users": shard_users,
                "partition": PARTITION_COLUMN,
            },
            indent=2,
        )
    )
    report("done", 1.0)
    return res
