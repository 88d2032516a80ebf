"""Storage: the only package that imports a database engine.

One :class:`Store` contract (an abstract base class) implemented side by side by DuckDB
(default), Apache Spark (``backend="pyspark"`` or a cluster URL) and warehouses reached through
Ibis (``bigquery://``, ``snowflake://``, ``databricks://``); see :mod:`micromix.store.base`,
:mod:`micromix.store.backends` and ``docs/scale.md``. Code above this package types its
arguments as :class:`Store` and never names an engine.

Quickstart
----------
>>> from micromix.store import Store
>>> st = Store.open(":memory:")
>>> "events" in st.tables()
True
>>> from micromix.store import parse_backend
>>> parse_backend("spark://10.0.0.5:7077").kind
'pyspark'
"""

from __future__ import annotations

from micromix.store.backends import BACKENDS, BackendSpec, parse_backend
from micromix.store.base import (
    BOOKKEEPING_TABLES,
    ENGINE_TYPES,
    SECRET_TABLES,
    Store,
    WriteResult,
    user_tables,
)

__all__ = [
    "BACKENDS",
    "BOOKKEEPING_TABLES",
    "ENGINE_TYPES",
    "SECRET_TABLES",
    "BackendSpec",
    "Store",
    "WriteResult",
    "parse_backend",
    "user_tables",
]
