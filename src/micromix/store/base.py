"""The store contract: one abstract :class:`Store` that every engine implements side by side.

Code above ``store/`` takes a :class:`Store` and never knows the engine: analytics get portable
:class:`ibis.Table` objects from :meth:`Store.table` and run them with :meth:`Store.execute`;
writes go through :meth:`Store.upsert` / :meth:`Store.append` / :meth:`Store.replace` /
:meth:`Store.delete_where`, each atomic, groupable in one :meth:`Store.transaction`.

Implementations (each in its own module, none subclassing another):

=====================================  ==============================================
:class:`~micromix.store.duckdb_store.DuckDBStore`  a DuckDB file, ``:memory:`` or a Parquet folder
:class:`~micromix.store.spark.SparkStore`          a Parquet lake folder on Apache Spark
:class:`~micromix.store.warehouse.WarehouseStore`  BigQuery / Snowflake / Databricks (read only)
=====================================  ==============================================

:meth:`Store.open` picks one from the backend setting (``--backend`` / ``MICROMIX_BACKEND``).
The implementations are named in :data:`IMPLEMENTATIONS` (``kind -> "module:Class"``) and
imported when first opened, so this module depends on none of them and none of their engines.

Every write bumps a per-table *generation*; :meth:`Store.version` sums them over the tables a
caller cares about, so a cache of results fitted on some tables is invalidated exactly when one
of those tables changes (the service keys its model registry on it).

Quickstart
----------
>>> from micromix.store import Store
>>> st = Store.open(":memory:")
>>> type(st).__name__, st.engine
('DuckDBStore', 'duckdb')
>>> before = st.version(["events"])
>>> _ = st.append("notes", __import__("pandas").DataFrame({"k": [1]}))
>>> st.version(["events"]) == before, st.version(["notes"]) > 0
(True, True)
"""

from __future__ import annotations

import importlib
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from micromix.config import get_settings
from micromix.errors import ConfigError, StoreError
from micromix.schema import QUARANTINE_COLUMNS, EntitySchema
from micromix.store.backends import BackendSpec, parse_backend

__all__ = [
    "BOOKKEEPING_TABLES",
    "ENGINE_TYPES",
    "IMPLEMENTATIONS",
    "SECRET_TABLES",
    "SYSTEM_TABLES",
    "Store",
    "WriteResult",
    "column_names",
    "ident",
    "to_arrow",
    "to_engine_frame",
    "user_tables",
]

#: logical contract type -> DuckDB SQL type
ENGINE_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",  # naive, always UTC: portable to Spark / warehouses
    "date": "DATE",
}

#: tables every writable store has besides the contracts: name -> {column: logical type}
SYSTEM_TABLES: dict[str, dict[str, str]] = {
    "quarantine": {
        "kind": "string",
        "source": "string",
        "row": "int",
        "field": "string",
        "reason": "string",
        "reasons": "string",
        "record": "string",
        "ingested_at": "timestamp",
    },
    "ingest_log": {
        "ingested_at": "timestamp",
        "kind": "string",
        "source": "string",
        "format": "string",
        "rows_in_file": "int",
        "accepted": "int",
        "quarantined": "int",
        "inserted": "int",
        "updated": "int",
        "unchanged": "int",
    },
}

#: backend kind -> ``"module:Class"`` implementing it (imported on first use)
IMPLEMENTATIONS: dict[str, str] = {
    "duckdb": "micromix.store.duckdb_store:DuckDBStore",
    "pyspark": "micromix.store.spark:SparkStore",
    "bigquery": "micromix.store.warehouse:WarehouseStore",
    "snowflake": "micromix.store.warehouse:WarehouseStore",
    "databricks": "micromix.store.warehouse:WarehouseStore",
}

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ident(name: str) -> str:
    """``name`` quoted for SQL, after checking it is a plain identifier."""
    if not _IDENT.match(name):
        raise ConfigError(f"invalid table or column name {name!r}; use letters, digits and _")
    return f'"{name}"'


@dataclass(frozen=True)
class WriteResult:
    """What a write did: rows inserted, rows whose key existed and were replaced, rows identical."""

    table: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        return self.inserted + self.updated


#: what the query engine names its own objects (ibis registers a pandas frame joined in a query
#: as a temporary ``ibis_pandas_memtable_...`` table on the connection): never a user's table
ENGINE_TABLE_PREFIX = "ibis_"


#: tables the service keeps about itself in the store, not the user's data: name -> what it
#: holds. They are no part of a data listing, a row count, the report or the data version. The
#: one list every caller uses (the owning modules name them with constants equal to these keys:
#: ``api.keys.KEY_TABLE``, ``api.audit.AUDIT_TABLE``, ``api.service.DEMO_TABLE``,
#: ``audience.privacy.ERASURE_KEY_TABLE``).
BOOKKEEPING_TABLES: dict[str, str] = {
    "api_keys": "the API's keys (salted hashes)",
    "audit_log": "the audit records of the API and of privacy erasures",
    "service_meta": "the mark of a store whose data is simulated",
    "erasure_key": "the secret key of the erasure audit's hashes",
}
#: bookkeeping tables holding secrets: never listed, counted or exported, even as bookkeeping
SECRET_TABLES: frozenset[str] = frozenset({"api_keys", "erasure_key"})
#: names the lake and Spark backends hide (a leading ``_``): never a table to offer
_HIDDEN_PREFIX = "_"


def user_tables(
    names: Iterable[str], *, without: Literal["engine", "secret", "bookkeeping"] = "engine"
) -> list[str]:
    """``names`` sorted, without the engine's own temporary objects (:data:`ENGINE_TABLE_PREFIX`),
    which otherwise show up in a store's table list, its row counts and the report.

    ``without="secret"`` also leaves out hidden names and :data:`SECRET_TABLES` (what a table
    listing may offer, e.g. to export); ``without="bookkeeping"`` leaves out every
    :data:`BOOKKEEPING_TABLES` too (the user's data: row counts, status, messages).

    >>> names = ["events", "erasure_key", "audit_log", "api_keys", "ibis_pandas_memtable_x"]
    >>> user_tables(names, without="secret")
    ['audit_log', 'events']
    >>> user_tables(names, without="bookkeeping")
    ['events']
    """
    out = [n for n in names if not n.startswith(ENGINE_TABLE_PREFIX)]
    if without != "engine":
        out = [n for n in out if not n.startswith(_HIDDEN_PREFIX) and n not in SECRET_TABLES]
    if without == "bookkeeping":
        out = [n for n in out if n not in BOOKKEEPING_TABLES]
    return sorted(out)


def column_names(df: pd.DataFrame | pa.Table) -> list[str]:
    """Column names of a pandas frame or an Arrow table."""
    return list(df.column_names) if isinstance(df, pa.Table) else [str(c) for c in df.columns]


def to_engine_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Timestamps to naive UTC (the store's convention)."""
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def to_arrow(df: pd.DataFrame | pa.Table) -> pa.Table:
    """An Arrow table in the store's conventions (naive UTC timestamps, no index)."""
    if isinstance(df, pa.Table):
        return df
    return pa.Table.from_pandas(to_engine_frame(df), preserve_index=False)


def _implementation(kind: str) -> type[Store]:
    target = IMPLEMENTATIONS.get(kind)
    if target is None:
        raise ConfigError(
            f"no store implements backend {kind!r}; use one of {sorted(IMPLEMENTATIONS)}"
        )
    module, _, name = target.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, Store)):  # pragma: no cover - config error
        raise ConfigError(f"{target} is not a Store implementation")
    return cls


class Store(ABC):
    """What every micromix store does, whatever the engine (see the module docstring).

    Use :meth:`Store.open` rather than a constructor. Subclasses implement the abstract
    methods and call :meth:`_touch` after every write.
    """

    #: engine name (``duckdb``, ``pyspark``, ``bigquery`` ...)
    engine: str = ""
    #: what was opened (a file, a folder, ``:memory:`` or a URL)
    path: str = ""

    def __init__(self) -> None:
        self._read_only = False
        self._ro_reason = ""
        self._generations: dict[str, int] = {}
        self._gen_lock = threading.Lock()

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        *,
        backend: str | None = None,
        read_only: bool = False,
        create_tables: bool = True,
    ) -> Store:
        """Open (or create) a store on the engine the backend setting names.

        Parameters
        ----------
        path : str or Path, optional
            DuckDB file; ``":memory:"`` for an in-memory store; or a folder of Parquet tables
            (one sub-folder per table, Hive partitions allowed: read-only on DuckDB, read-write
            on Spark). Default: ``MICROMIX_DB`` or ``./micromix.duckdb``.
        backend : str, optional
            Engine name or connection URL (default ``MICROMIX_BACKEND``, else ``duckdb``):
            ``duckdb``, ``pyspark``, ``spark://host:7077``, ``sc://host:15002``,
            ``bigquery://project/dataset``, ``snowflake://...``, ``databricks://...`` (see
            :mod:`micromix.store.backends`). Warehouses ignore ``path``.
        read_only : bool
            Open read-only (several readers may share a DuckDB file).
        create_tables : bool
            Create the contract tables if they do not exist.
        """
        spec = parse_backend(backend or get_settings().backend)
        impl = _implementation(spec.kind)
        if cls is not Store and not issubclass(impl, cls):
            raise ConfigError(
                f"{cls.__name__}.open cannot open a {spec.kind} store; use Store.open"
            )
        db = str(path) if path is not None else get_settings().db
        return impl.connect(db, spec, read_only=read_only, create_tables=create_tables)

    @classmethod
    @abstractmethod
    def connect(
        cls, path: str, spec: BackendSpec, *, read_only: bool = False, create_tables: bool = True
    ) -> Store:
        """Open ``path`` on this engine (called by :meth:`open` with a parsed backend)."""

    @abstractmethod
    def close(self) -> None:
        """Release the engine's resources (a DuckDB file is unlocked)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(engine={self.engine!r}, path={self.path!r})"

    # ------------------------------------------------------------------ state
    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        return self._read_only

    def _set_read_only(self, reason: str) -> None:
        self._read_only = True
        self._ro_reason = reason

    def _check_writable(self) -> None:
        if self._read_only:
            raise StoreError(self._ro_reason or f"{self.path} is open read-only")

    def _append_row(self, name: str, row: dict[str, Any]) -> None:
        """Append one row (e.g. an ingest log line); engines may do it without a frame."""
        self.append(name, pd.DataFrame([row]))

    def _touch(self, name: str) -> None:
        """Record a write to ``name`` (see :meth:`version`)."""
        with self._gen_lock:
            self._generations[name] = self._generations.get(name, 0) + 1

    def version(self, tables: Iterable[str] | None = None, *, exclude: Iterable[str] = ()) -> int:
        """A number that changes whenever one of ``tables`` (default: all) is written.

        Writes made by this object only; it starts at 0 when the store is opened. ``exclude``
        leaves tables out (e.g. the service's key and audit tables).
        """
        skip = set(exclude)
        with self._gen_lock:
            if tables is None:
                return sum(n for t, n in self._generations.items() if t not in skip)
            return sum(self._generations.get(t, 0) for t in set(tables) - skip)

    # ------------------------------------------------------------------ schema
    @abstractmethod
    def ensure_tables(self) -> None:
        """Create every contract table, the quarantine table and the ingest log if absent."""

    # ------------------------------------------------------------------ reading
    @property
    @abstractmethod
    def ibis(self) -> Any:
        """The Ibis backend to build portable expressions with (for the calling thread)."""

    @abstractmethod
    def tables(self) -> list[str]:
        """Names of the tables in the store, sorted."""

    @abstractmethod
    def has_table(self, name: str) -> bool:
        """Whether ``name`` exists."""

    def table(self, name: str) -> Any:
        """An :class:`ibis.Table` for ``name``."""
        if not self.has_table(name):
            raise StoreError(
                f"table {name!r} is not in {self.path}; ingest data first (micromix ingest ...) "
                f"or run micromix demo"
            )
        return self.ibis.table(name)

    @abstractmethod
    def columns(self, name: str) -> list[str]:
        """Column names of ``name`` in order ([] when it does not exist)."""

    @abstractmethod
    def count(self, name: str) -> int:
        """Rows in ``name`` (0 when it does not exist)."""

    @abstractmethod
    def execute(self, expr: Any) -> Any:
        """Execute an Ibis expression: a DataFrame for a table, a scalar for a scalar."""

    @abstractmethod
    def to_arrow(self, expr: Any) -> pa.Table:
        """Execute an Ibis table expression into Arrow."""

    @abstractmethod
    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Raw SQL in the engine's dialect (benchmarks and admin tasks; analytics use Ibis)."""

    def read(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Read a whole table into pandas."""
        t = self.table(name)
        if columns is not None:
            t = t.select(*columns)
        return self.execute(t)

    # ------------------------------------------------------------------ writing
    @abstractmethod
    def transaction(self) -> AbstractContextManager[Store]:
        """Group writes atomically: all of them land, or none (re-entrant)."""

    @abstractmethod
    def append(self, name: str, df: pd.DataFrame | pa.Table) -> WriteResult:
        """Append rows (creating the table from ``df`` if it does not exist)."""

    @abstractmethod
    def truncate(self, name: str) -> None:
        """Delete every row of ``name`` (keeping its columns and types)."""

    @abstractmethod
    def replace(self, name: str, df: pd.DataFrame | pa.Table) -> WriteResult:
        """Replace the whole table with ``df``."""

    @abstractmethod
    def upsert(self, name: str, df: pd.DataFrame | pa.Table, key: Sequence[str]) -> WriteResult:
        """Insert rows, replacing existing rows with the same ``key`` (null-safe), atomically.

        Rows identical to what is stored count as ``unchanged``; re-ingesting a file is a no-op.
        """

    @abstractmethod
    def delete_where(self, name: str, column: str, values: Sequence[Any]) -> int:
        """Delete rows whose ``column`` is in ``values``; returns the number deleted."""

    @abstractmethod
    def _delete_quarantined(self, kind: str, source: Any, rows: Sequence[int]) -> None:
        """Remove quarantine records of ``rows`` of ``source`` (they are now accepted)."""

    def write_ingest(
        self,
        schema: EntitySchema,
        accepted: pd.DataFrame | pa.Table,
        quarantine: pd.DataFrame,
        log: dict[str, Any],
    ) -> WriteResult:
        """Write one ingest (accepted rows, quarantine records, log line) in one transaction.

        ``accepted`` may already be in the store's Arrow form (:func:`to_arrow`).
        """
        self._check_writable()
        rows = accepted if isinstance(accepted, pa.Table) else to_engine_frame(accepted)
        with self.transaction():
            res = self.upsert(schema.name, rows, key=list(schema.key))
            if len(quarantine):
                q = quarantine[list(QUARANTINE_COLUMNS)].copy()
                q["ingested_at"] = pd.to_datetime(q["ingested_at"], utc=True).dt.tz_localize(None)
                self.upsert("quarantine", q, key=["kind", "source", "row"])
            # a row that is now accepted is no longer quarantined for this file
            src = log.get("source")
            if src is not None and len(accepted) and "_rows" in log:
                self._delete_quarantined(schema.name, src, list(log["_rows"]))
            entry = {k: v for k, v in log.items() if not k.startswith("_")}
            entry.update(inserted=res.inserted, updated=res.updated, unchanged=res.unchanged)
            entry["ingested_at"] = pd.Timestamp.now(tz="UTC").tz_localize(None)
            self._append_row("ingest_log", entry)
        return res
