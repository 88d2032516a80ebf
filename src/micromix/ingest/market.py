"""Load a simulated :class:`~micromix.simulate.Market` into a store.

The simulator emits the same contracts as real data, so its tables go into the same store
tables; ``ground_truth``, ``surges``, ``clv_truth`` and ``clv_profiles`` (which real data never
has) get tables of their own. Events are written a few simulated days at a time (about
:data:`ROWS_PER_WRITE` rows), straight from the simulator's compact event log, so loading never
holds a second copy of the events table; fewer, larger writes are much faster on DuckDB than
one per day. ``sim_config`` keeps what is needed to rebuild the simulator's true response
curves (size, order value and every channel's parameters) for judging decisions against the
truth.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> st = Store.open(":memory:")
>>> counts = load_market(st, simulate(SimConfig(users=1_000, days=7, seed=1)))
>>> counts["events"] == st.count("events")
True
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import pandas as pd
import pyarrow as pa

from micromix.errors import DataValidationError
from micromix.schema import SCHEMAS
from micromix.store import Store

__all__ = [
    "MIXED",
    "ROWS_PER_WRITE",
    "SIM_CONFIG_TABLE",
    "demo_mix_refusal",
    "load_market",
    "market_label",
    "simulated_market",
    "simulation_config",
    "simulation_config_frame",
]

#: events per store write (about 160 MB of Arrow data)
ROWS_PER_WRITE = 2_000_000
#: table holding the simulated market's configuration (one row, JSON)
SIM_CONFIG_TABLE = "sim_config"


def simulation_config_frame(config: Any, version: int = 1) -> pd.DataFrame:
    """One row: the simulator version and, as JSON, the size, order value and the channels'
    parameters of a :class:`~micromix.simulate.SimConfig` (what the true curves need)."""
    doc = {
        "users": int(config.users),
        "days": int(config.days),
        "seed": int(config.seed),
        "order_value": float(config.order_value),
        "channels": [dataclasses.asdict(c) for c in config.channels],
    }
    return pd.DataFrame([{"version": int(version), "config": json.dumps(doc, default=str)}])


def simulation_config(store: Store) -> dict[str, Any] | None:
    """The simulated market's configuration :func:`load_market` wrote (its
    :data:`SIM_CONFIG_TABLE`, parsed), or None for real data.

    Raises
    ------
    DataValidationError
        When the table is there but its JSON is unreadable.
    """
    if not store.has_table(SIM_CONFIG_TABLE) or store.count(SIM_CONFIG_TABLE) == 0:
        return None
    raw = store.read(SIM_CONFIG_TABLE)["config"].iloc[0]
    try:
        doc: dict[str, Any] = json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(
            f"table {SIM_CONFIG_TABLE} in {store.path} is unreadable ({exc}); reload the "
            "simulated market (micromix demo)"
        ) from exc
    return doc


def simulated_market(store: Store) -> str | None:
    """``"simulated market (users=..., days=..., seed=...)"`` when ``store`` holds a market
    :func:`load_market` wrote (its :data:`SIM_CONFIG_TABLE`), ``"simulated market"`` when it
    holds the simulator's ground truth without that table (an older store), else None (real
    data). The one test of "is this simulated?" behind the report's banner, the dashboard's and
    the plan's truth."""
    try:
        doc = simulation_config(store)
    except DataValidationError:
        return "simulated market"
    if doc is None:
        held = store.has_table("ground_truth") and store.count("ground_truth") > 0
        return "simulated market" if held else None
    try:
        return (
            f"simulated market (users={int(doc['users'])}, days={int(doc['days'])}, "
            f"seed={int(doc['seed'])})"
        )
    except (ValueError, KeyError, TypeError):
        return "simulated market"


#: what a simulated market that real data was ingested into is (its data label's start)
MIXED = "simulated + real (mixed)"


def market_label(store: Store) -> str | None:
    """:func:`simulated_market`'s label, prefixed with :data:`MIXED` when real rows were
    ingested into the simulated market too (a line with accepted rows in its ``ingest_log``:
    loading a market writes none), else None (real data). The one test behind the API's data
    label and the report's and the dashboard's banners."""
    label = simulated_market(store)
    if label is None or not store.has_table("ingest_log") or store.count("ingest_log") == 0:
        return label
    log = store.read("ingest_log", columns=["accepted"])
    return (
        f"{MIXED}: {label} with real data ingested into it"
        if log["accepted"].gt(0).any()
        else label
    )


def _file_ingested(store: Store) -> bool:
    """Whether a file (an upload, a CLI ingest) put rows into the store: a batch of events
    posted to the API (source ``api:...``) marks a simulated store mixed, but does not stand
    for the user's say-so that files may be mixed in."""
    if not store.has_table("ingest_log") or store.count("ingest_log") == 0:
        return False
    log = store.read("ingest_log", columns=["source", "accepted"])
    files = ~log["source"].astype(str).str.startswith("api:")
    return bool((log["accepted"].gt(0) & files).any())


def demo_mix_refusal(store: Store, source: str) -> str | None:
    """Why ``source`` may not be ingested into ``store`` without the user's say-so: the store
    holds a simulated market and no real data yet (the first real file would mix real rows
    with invented ones, every figure adding both), else None. The delivery layers add how to
    say so (a store of its own, or an option to mix on purpose)."""
    label = simulated_market(store)
    if label is None or _file_ingested(store):
        return None
    return (
        f"{source}: this store holds micromix's {label}, not real data; ingesting real rows "
        "into it would mix them with invented ones, and every figure, banner and report would "
        "add both"
    )


class _Simulated(Protocol):
    """What loading needs of a market (:class:`micromix.simulate.Market`; ingest does not
    import the simulator, its sibling layer)."""

    @property
    def n_events(self) -> int: ...
    def tables(self, *, events: bool = True) -> dict[str, pa.Table | pd.DataFrame]: ...
    def event_batches(self, *, consume: bool = False) -> Iterator[pa.RecordBatch]: ...


def load_market(
    store: Store,
    market: _Simulated,
    *,
    replace: bool = True,
    consume: bool = False,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, int]:
    """Write every table of ``market`` into ``store`` in one transaction.

    Parameters
    ----------
    store : micromix.store.Store
    market : micromix.simulate.Market
    replace : bool
        Empty the contract tables first (a fresh simulated market), instead of upserting.
    consume : bool
        Free the market's compact events as they are written (lowest peak memory; the
        market's ``events`` cannot be read afterwards).
    progress : callable, optional
        ``progress(step, fraction)``.

    Returns
    -------
    dict
        Rows written per table.
    """
    report = progress or (lambda step, frac: None)
    tables = market.tables(events=False)
    counts: dict[str, int] = {}
    total = max(market.n_events, 1)
    with store.transaction():
        schema = SCHEMAS["events"]
        if replace:
            store.truncate("events")
        written = 0
        for days in _grouped(market.event_batches(consume=consume), ROWS_PER_WRITE):
            report(f"storing events ({written:,})", 0.8 * written / total)
            days = days.select([c for c in schema.columns if c in days.column_names])
            if replace:
                store.append("events", days)
            else:
                store.upsert("events", days, key=list(schema.key))
            written += days.num_rows
            del days
        counts["events"] = written
        for i, (name, data) in enumerate(tables.items()):
            report(f"storing {name}", 0.8 + 0.2 * i / len(tables))
            if name in SCHEMAS:
                contract = SCHEMAS[name]
                frame = data if isinstance(data, pa.Table) else contract.coerce_frame(data)
                if isinstance(frame, pa.Table):
                    frame = frame.select([c for c in contract.columns if c in frame.column_names])
                if replace:
                    store.truncate(name)
                    store.append(name, frame)
                else:
                    store.upsert(name, frame, key=list(contract.key))
            else:
                store.replace(name, data)
            counts[name] = data.num_rows if isinstance(data, pa.Table) else len(data)
        config = getattr(market, "config", None)
        if config is not None:
            frame = simulation_config_frame(config, getattr(market, "version", 1))
            store.replace(SIM_CONFIG_TABLE, frame)
            counts[SIM_CONFIG_TABLE] = 1
    report("stored", 1.0)
    return counts


def _grouped(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """Consecutive batches as one-chunk tables of at least ``rows`` rows (the last may be
    smaller): DuckDB inserts one chunk of 2M rows 1.6x faster than 56 daily chunks."""
    group: list[pa.RecordBatch] = []
    n = 0
    for batch in batches:
        group.append(batch)
        n += batch.num_rows
        if n >= rows:
            yield pa.Table.from_batches(group).combine_chunks()
            group, n = [], 0
    if group:
        yield pa.Table.from_batches(group).combine_chunks()
