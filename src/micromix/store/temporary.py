"""A pandas frame joined in a query, dropped from the engine's connection afterwards.

Ibis registers a frame used in an expression (``ibis.memtable``) on the connection that runs
the query, as ``ibis_pandas_memtable_...`` (DuckDB: a view over the frame's Arrow data; Spark:
a temporary view), and leaves it there until the process exits. A long-running service that
joins a frame per request piles them up, with their data. :func:`frame_table` drops it when
the ``with`` block ends.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.store import Store
>>> from micromix.store.temporary import frame_table
>>> st = Store.open(":memory:")
>>> with frame_table(st, pd.DataFrame({"x": [1, 2]})) as t:
...     int(st.execute(t.x.sum()))
3
>>> [n for n in st.ibis.list_tables() if n.startswith("ibis_")]
[]
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pandas as pd

from micromix.store.base import Store

__all__ = ["drop_frame_table", "frame_table"]


@contextlib.contextmanager
def frame_table(store: Store, df: pd.DataFrame) -> Iterator[Any]:
    """An Ibis table of ``df`` for expressions run on ``store`` in this thread, dropped from the
    connection when the block ends (also on an error)."""
    import ibis

    table = ibis.memtable(df)
    try:
        yield table
    finally:
        drop_frame_table(store, table)


def drop_frame_table(store: Store, table: Any) -> bool:
    """Drop the frame ``table`` (an ``ibis.memtable``) from the connection of ``store`` that ran
    it (this thread's). Returns whether it was there; a frame never run is left alone."""
    backend = store.ibis
    op = table.op()
    registered = getattr(backend, "_memtables", None)  # ibis 12: the frames it registered
    if registered is None or op not in registered:
        return False
    registered.discard(op)  # run again, it would be registered again
    finalizer = backend._make_memtable_finalizer(op.name)  # Spark and others: drop the view
    if finalizer is not None:
        finalizer()
        return True
    # DuckDB has none ("cleaned up" when the connection closes): unregister the Arrow view
    unregister = getattr(getattr(backend, "con", None), "unregister", None)
    if unregister is not None:
        unregister(op.name)
    else:
        backend.drop_view(op.name, force=True)
    return True
