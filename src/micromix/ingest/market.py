"""Load a simulated :class:`~micromix.simulate.Market` into a store.

The simulator emits the same contracts as real data, so its tables go into the same store
tables; ``ground_truth`` and ``surges`` (which real data never has) get tables of their own.

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

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from micromix.schema import SCHEMAS

__all__ = ["load_market"]


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
    report("stored", 1.0)
    return counts
