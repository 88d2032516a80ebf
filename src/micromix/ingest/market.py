"""Load a simulated :class:`~micromix.simulate.Market` into a store.

The simulator emits the same contracts as real data, so its tables go into the same store
tables; ``ground_truth`` and ``surges`` (which real data never has) get tables of their own, and
``sim_config`` keeps what is needed to rebuild the simulator's true response curves (size,
order value and every channel's parameters) for judging decisions against the truth.

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
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa

from micromix.schema import SCHEMAS

__all__ = ["SIM_CONFIG_TABLE", "load_market", "simulation_config_frame"]

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


def load_market(
    store: Any,
    market: Any,
    *,
    replace: bool = True,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, int]:
    """Write every table of ``market`` into ``store`` in one transaction.

    Parameters
    ----------
    store : micromix.store.Store
    market : micromix.simulate.Market
    replace : bool
        Empty the contract tables first (a fresh simulated market), instead of upserting.
    progress : callable, optional
        ``progress(step, fraction)``.

    Returns
    -------
    dict
        Rows written per table.
    """
    report = progress or (lambda step, frac: None)
    tables = market.tables()
    counts: dict[str, int] = {}
    with store.transaction():
        for i, (name, data) in enumerate(tables.items()):
            report(f"storing {name}", i / len(tables))
            if name in SCHEMAS:
                schema = SCHEMAS[name]
                frame = data if isinstance(data, pa.Table) else schema.coerce_frame(data)
                if isinstance(frame, pa.Table):
                    frame = frame.select([c for c in schema.columns if c in frame.column_names])
                if replace:
                    store.truncate(name)
                    store.append(name, frame)
                else:
                    store.upsert(name, frame, key=list(schema.key))
            else:
                store.replace(name, data)
            counts[name] = data.num_rows if isinstance(data, pa.Table) else len(data)
        if getattr(market, "config", None) is not None:
            frame = simulation_config_frame(market.config, getattr(market, "version", 1))
            store.replace(SIM_CONFIG_TABLE, frame)
            counts[SIM_CONFIG_TABLE] = 1
    report("stored", 1.0)
    return counts
