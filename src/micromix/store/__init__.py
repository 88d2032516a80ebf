"""Storage: the only package that imports a database engine.

Quickstart
----------
>>> from micromix.store import Store
>>> st = Store.open(":memory:")
>>> "events" in st.tables()
True
"""

from __future__ import annotations

from micromix.store.core import BACKENDS, ENGINE_TYPES, Store, WriteResult

__all__ = ["BACKENDS", "ENGINE_TYPES", "Store", "WriteResult"]
