"""SQL push-down to a warehouse (BigQuery, Snowflake, Databricks) through Ibis.

The warehouse keeps the data; micromix sends the same Ibis expressions it runs on DuckDB, which
Ibis compiles to the warehouse's SQL dialect. Writes are not supported: load the contract
tables (``events``, ``ad_performance`` ...) with the warehouse's own tools.

Quickstart
----------
>>> from micromix.store.backends import parse_backend
>>> from micromix.store.warehouse import WarehouseStore
>>> WarehouseStore.connect(parse_backend("bigquery://p/d"))   # doctest: +SKIP
WarehouseStore(engine='bigquery', url='bigquery://p/d')
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from micromix.errors import StoreError
from micromix.store.backends import BackendSpec, connect_warehouse
from micromix.store.core import Store

__all__ = ["WarehouseStore"]


class WarehouseStore(Store):
    """A read-and-compute store on a warehouse connection (see the module docstring)."""

    @classmethod
    def connect(cls, spec: BackendSpec) -> WarehouseStore:
        """Connect with ``ibis.connect(spec.url)`` (clear install hint when the driver is missing)."""
        backend = connect_warehouse(spec)
        store = cls(backend, backend, spec.url, engine=spec.kind)
        store._read_only = True
        store._ro_reason = (
            f"the {spec.kind} backend is read-only in micromix; load tables with "
            f"the warehouse's tools, or write with --backend duckdb"
        )
        return store

    def __repr__(self) -> str:
        return f"WarehouseStore(engine={self.engine!r}, url={self.path!r})"

    def close(self) -> None:
        disconnect = getattr(self._backend, "disconnect", None)
        if disconnect is not None:
            disconnect()

    def ensure_tables(self) -> None:
        self._check_writable()

    def count(self, name: str) -> int:
        if not self.has_table(name):
            return 0
        return int(self.execute(self.table(name).count()))

    def _columns(self, name: str) -> list[str]:
        return list(self.table(name).columns) if self.has_table(name) else []

    def sql(self, query: str, params: Any = None) -> pd.DataFrame:
        """Run SQL in the warehouse's dialect (no parameters)."""
        if params:
            raise StoreError(f"{self.engine}: Store.sql takes no parameters on a warehouse")
        return self.execute(self._backend.sql(query))

    def transaction(self) -> Any:  # type: ignore[override]
        self._check_writable()
        return super().transaction()

    def append(self, name: str, df: Any) -> Any:
        self._check_writable()

    def replace(self, name: str, df: Any) -> Any:
        self._check_writable()

    def upsert(self, name: str, df: Any, key: Any) -> Any:
        self._check_writable()

    def truncate(self, name: str) -> None:
        self._check_writable()

    def delete_where(self, name: str, column: str, values: Any) -> int:
        self._check_writable()
        return 0
