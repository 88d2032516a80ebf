"""SQL push-down to a warehouse (BigQuery, Snowflake, Databricks) through Ibis.

The warehouse keeps the data; micromix sends the same Ibis expressions it runs on DuckDB, which
Ibis compiles to the warehouse's SQL dialect. Writes are refused: load the contract tables
(``events``, ``ad_performance`` ...) with the warehouse's own tools.

Quickstart
----------
>>> from micromix.store import Store
>>> Store.open(backend="bigquery://p/d")   # doctest: +SKIP
WarehouseStore(engine='bigquery', path='bigquery://p/d')
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import pandas as pd
import pyarrow as pa

from micromix.errors import StoreError
from micromix.store.backends import BackendSpec, connect_warehouse
from micromix.store.base import Store, WriteResult, user_tables

__all__ = ["WarehouseStore"]


class WarehouseStore(Store):
    """A read-and-compute store on a warehouse connection (see the module docstring)."""

    def __init__(self, backend: Any, spec: BackendSpec) -> None:
        super().__init__()
        self._backend = backend
        self._lock = threading.Lock()
        self.engine = spec.kind
        self.path = spec.url
        self._set_read_only(
            f"the {spec.kind} backend is read-only in micromix; load tables with "
            f"the warehouse's tools, or write with --backend duckdb"
        )

    @classmethod
    def connect(
        cls, path: str, spec: BackendSpec, *, read_only: bool = False, create_tables: bool = True
    ) -> WarehouseStore:
        """Connect with ``ibis.connect(spec.url)`` (``path`` is ignored: the URL names the data)."""
        return cls(connect_warehouse(spec), spec)

    def close(self) -> None:
        disconnect = getattr(self._backend, "disconnect", None)
        if disconnect is not None:
            with contextlib.suppress(Exception):  # already disconnected
                disconnect()

    # ------------------------------------------------------------------ reading
    @property
    def ibis(self) -> Any:
        return self._backend

    def ensure_tables(self) -> None:
        self._check_writable()

    def tables(self) -> list[str]:
        return user_tables(self._backend.list_tables())

    def has_table(self, name: str) -> bool:
        return name in self._backend.list_tables()

    def columns(self, name: str) -> list[str]:
        return list(self.table(name).columns) if self.has_table(name) else []

    def count(self, name: str) -> int:
        if not self.has_table(name):
            return 0
        return int(self.execute(self.table(name).count()))

    def execute(self, expr: Any) -> Any:
        try:
            return self._backend.execute(expr)
        except Exception as exc:
            raise StoreError(f"query failed on {self.engine}: {str(exc).splitlines()[0]}") from exc

    def to_arrow(self, expr: Any) -> pa.Table:
        return self._backend.to_pyarrow(expr)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run SQL in the warehouse's dialect (no parameters)."""
        if params:
            raise StoreError(f"{self.engine}: Store.sql takes no parameters on a warehouse")
        return self.execute(self._backend.sql(query))

    # ------------------------------------------------------------------ writing (refused)
    @contextmanager
    def transaction(self) -> Iterator[WarehouseStore]:
        self._check_writable()
        yield self  # pragma: no cover - a warehouse store is always read-only

    def _refuse(self) -> NoReturn:
        self._check_writable()
        raise AssertionError("unreachable")  # pragma: no cover

    def append(self, name: str, df: pd.DataFrame | pa.Table) -> WriteResult:
        self._refuse()

    def replace(self, name: str, df: pd.DataFrame | pa.Table) -> WriteResult:
        self._refuse()

    def upsert(self, name: str, df: pd.DataFrame | pa.Table, key: Sequence[str]) -> WriteResult:
        self._refuse()

    def truncate(self, name: str) -> None:
        self._refuse()

    def delete_where(self, name: str, column: str, values: Sequence[Any]) -> int:
        self._refuse()

    def _delete_quarantined(self, kind: str, source: Any, rows: Sequence[int]) -> None:
        self._refuse()
