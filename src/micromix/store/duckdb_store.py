"""The DuckDB store: one file (ACID), ``:memory:``, or a Parquet folder read-only.

Reads do not wait for writes. Each thread reads through a cursor of its own (a duplicate
connection to the same database), so a query in one thread never shares a connection with a
write in another, and DuckDB's MVCC gives it the last committed snapshot while a write
transaction is open. Writes take one write lock (one writer at a time, as DuckDB allows) and run
on the main connection; a thread inside :meth:`DuckDBStore.transaction` reads through the main
connection too, so it sees its own uncommitted rows.

A DuckDB file opened read-write by one process cannot be opened by another: close the store (or
stop ``micromix serve``) first.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.store import Store
>>> st = Store.open(":memory:")
>>> st.upsert("t", pd.DataFrame({"k": [1, 2], "v": ["a", "b"]}), key=["k"]).inserted
2
>>> st.upsert("t", pd.DataFrame({"k": [2, 3], "v": ["B", "c"]}), key=["k"]).updated
1
>>> st.read("t").sort_values("k")["v"].tolist()
['a', 'B', 'c']
"""

from __future__ import annotations

import contextlib
import re
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from micromix.errors import ConfigError, StoreError
from micromix.schema import SCHEMAS
from micromix.store._keys import KeyIndex
from micromix.store.backends import BackendSpec
from micromix.store.base import (
    ENGINE_TYPES,
    SYSTEM_TABLES,
    Store,
    WriteResult,
    column_names,
    ident,
    to_arrow,
    user_tables,
)
from micromix.store.lake import lake_tables

__all__ = ["DuckDBStore", "held_message"]

#: settings applied to every connection (main and per-thread cursors)
_SESSION_SQL = (
    "SET TimeZone = 'UTC'",
    # DuckDB's own progress bar writes to stdout and would corrupt --json/--csv output
    "SET enable_progress_bar = false",
)


#: WAL size that makes DuckDB checkpoint (its default is 16 MB). A stream of small writes
#: checkpoints less often and spends less CPU on it: 2,000-event batches into a 0.4-2.8 M row
#: events table cost 28.1 ms of CPU each at 16 MB, 24.0 at 64 MB (p99 wall 300 -> 68 ms, the
#: longest checkpoint 1.2 s either way); 256 MB saves a little more but stalls 2.2 s at once
CHECKPOINT_THRESHOLD = "64MB"
#: the largest table whose keys an upsert keeps in memory (8 bytes a row, see :mod:`._keys`)
KEY_INDEX_MAX_ROWS = 50_000_000
#: key column types whose equal values have equal ``hash()`` (no float: -0.0 = 0.0)
_HASHABLE_KEY_TYPES = frozenset(
    {"VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "DATE"}
)
#: the DuckDB stores open in this process on each database file (see ``DuckDBStore._shared``)
_OPEN: dict[str, weakref.WeakSet[DuckDBStore]] = {}
_OPEN_LOCK = threading.Lock()

_HOLDER = re.compile(r"held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")


def held_message(db: str, engine_message: str) -> str:
    """One sentence for a DuckDB file another process holds, naming that process.

    DuckDB's lock error names the holder's PID; its command line (read from ``/proc`` where
    there is one) tells a running server from another command, so the advice fits: a server is
    queried through its API, another command is waited for.
    """
    m = _HOLDER.search(engine_message)
    pid = m.group("pid") if m else None
    cmd = ""
    if pid is not None:
        with contextlib.suppress(OSError):
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            cmd = " ".join(a for a in raw.decode("utf-8", "replace").split("\x00") if a)
    if " serve" in f" {cmd}" and "micromix" in cmd:
        return (
            f"{db}: the database is held by 'micromix serve' (PID {pid}); send data and queries "
            "through its API, or stop it first"
        )
    words = cmd.split()
    short = " ".join(Path(words[0]).name if i == 0 else w for i, w in enumerate(words[:6]))
    who = f"process {pid} ({short[:120]})" if short else f"process {pid}" if pid else "process"
    return (
        f"{db}: the database is in use by another {who}, e.g. another micromix command; wait "
        "for it to finish and run this again"
    )


class _HeldKeys(NamedTuple):
    """A table's key columns, the SQL of their hash, and the index of the stored hashes."""

    key: tuple[str, ...]
    hash_sql: str
    stored: KeyIndex


class _Reader:
    """A thread's cursor and the Ibis backend over it."""

    def __init__(self, cursor: Any, backend: Any, thread: threading.Thread) -> None:
        self.cursor = cursor
        self.backend = backend
        self.thread = weakref.ref(thread)


#: what to do about a --db that is not a DuckDB database
_NEXT_STEP = "point --db at a new file (it is created) or at your micromix database"


def _refuse_not_duckdb(db: str) -> None:
    """Refuse an existing --db file that is not a DuckDB database. DuckDB itself opens a CSV,
    Parquet or JSON file as a temporary database of one view, so an ingest "into" a data file
    would report success and keep nothing."""
    p = Path(db).expanduser()
    if not p.is_file() or p.stat().st_size == 0:
        return
    with p.open("rb") as fh:
        head = fh.read(16)
    if head[8:12] != b"DUCK":
        raise StoreError(f"{db}: not a DuckDB database (the file holds other data); {_NEXT_STEP}")


def _alive(thread: threading.Thread | None) -> bool:
    """Whether a reader's thread still runs (its object may outlive it, or be gone)."""
    return thread is not None and thread.is_alive()


class DuckDBStore(Store):
    """A store on DuckDB (see the module docstring). Open it with :meth:`Store.open`."""

    engine = "duckdb"

    def __init__(self, raw: Any, path: str) -> None:
        import ibis

        super().__init__()
        self._raw = raw
        self._backend = ibis.duckdb.from_connection(raw)
        self.path = path
        self._wlock = threading.RLock()
        self._tx_depth = 0
        self._tx_owner: int | None = None
        self._readers: dict[int, _Reader] = {}
        self._readers_lock = threading.Lock()
        self._closed = False
        # per table: its key columns and the in-memory index of their hashes (see _key_index)
        self._keys: dict[str, _HeldKeys] = {}
        self._upserts: dict[str, int] = {}
        # in the open write transaction: tables rows were deleted from, and columns added
        # (DuckDB refuses to commit a table altered after rows of it were deleted in the same
        # transaction: _widen rebuilds those, _commit names the columns if it still refuses)
        self._cut: set[str] = set()
        self._widened: dict[str, list[str]] = {}
        self._file = "" if path == ":memory:" else str(Path(path).expanduser().resolve())
        if self._file:
            with _OPEN_LOCK:
                _OPEN.setdefault(self._file, weakref.WeakSet()).add(self)

    # ------------------------------------------------------------------ opening
    @classmethod
    def connect(
        cls, path: str, spec: BackendSpec, *, read_only: bool = False, create_tables: bool = True
    ) -> DuckDBStore:
        """Open a DuckDB file, ``:memory:`` or (read-only) a Parquet folder."""
        import duckdb

        db = path
        if db != ":memory:" and Path(db).expanduser().is_dir():
            return cls._open_lake(db)
        if db != ":memory:":
            parent = Path(db).expanduser().resolve().parent
            if not parent.exists():
                raise StoreError(
                    f"{db}: folder {parent} does not exist; create it or choose another --db"
                )
            if read_only and not Path(db).exists():
                raise StoreError(
                    f"{db}: no such database; run 'micromix ingest' or 'micromix demo' first"
                )
            _refuse_not_duckdb(db)
        try:
            raw = duckdb.connect(db, read_only=read_only)
        except duckdb.IOException as exc:
            msg = str(exc)
            if "lock" in msg.lower():
                raise StoreError(held_message(db, msg)) from exc
            raise StoreError(
                f"{db}: cannot open the database ({msg.splitlines()[0]}); {_NEXT_STEP}"
            ) from exc
        except duckdb.Error as exc:
            raise StoreError(
                f"{db}: not a micromix/DuckDB database ({str(exc).splitlines()[0]}); {_NEXT_STEP}"
            ) from exc
        for stmt in _SESSION_SQL:
            raw.execute(stmt)
        if not read_only and db != ":memory:":
            raw.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        store = cls(raw, db)
        if read_only:
            store._set_read_only(f"{db} is open read-only")
        elif create_tables:
            store.ensure_tables()
        return store

    @classmethod
    def _open_lake(cls, folder: str) -> DuckDBStore:
        """A read-only store over a Parquet folder: one view per table sub-folder.

        Hive-style partition folders (``event_date=2026-03-02/``) become columns, as on Spark.
        """
        import duckdb

        root = Path(folder).expanduser().resolve()
        names = lake_tables(root)
        if not names:
            raise StoreError(
                f"{folder}: no table folders of Parquet files in it; write one with "
                "micromix.simulate.stream.write_events or Store.append"
            )
        raw = duckdb.connect(":memory:")
        for stmt in _SESSION_SQL:
            raw.execute(stmt)
        for name in names:
            glob = str(root / name / "**" / "*.parquet").replace("'", "''")
            raw.execute(
                f"CREATE VIEW {ident(name)} AS SELECT * FROM read_parquet('{glob}', "
                "hive_partitioning = true, union_by_name = true)"
            )
        store = cls(raw, folder)
        store._set_read_only(
            f"{folder} is a Parquet folder opened with DuckDB, read-only; write to "
            "it with --backend pyspark or micromix.simulate.stream"
        )
        return store

    def close(self) -> None:
        """Close every connection (the DuckDB file is released)."""
        with self._wlock, self._readers_lock:
            for r in self._readers.values():
                with contextlib.suppress(Exception):  # already closed
                    r.cursor.close()
            self._readers.clear()
            self._closed = True
            self._keys.clear()
            with _OPEN_LOCK:
                _OPEN.get(self._file, weakref.WeakSet()).discard(self)
            with contextlib.suppress(Exception):
                self._raw.close()

    # ------------------------------------------------------------------ connections
    def _owns_transaction(self) -> bool:
        return self._tx_owner == threading.get_ident()

    def _reader(self) -> _Reader | None:
        """This thread's cursor (None inside this thread's write transaction: use the main one)."""
        if self._owns_transaction():
            return None
        tid = threading.get_ident()
        r = self._readers.get(tid)
        # a finished thread's id is reused by new threads: its reader is not this thread's (it
        # is closed below, as every finished thread's is, and this thread gets its own)
        if r is not None and r.thread() is threading.current_thread():
            return r
        import ibis

        with self._readers_lock:
            if self._closed:
                raise StoreError(f"{self.path}: the store is closed; open it again")
            for k in [k for k, v in self._readers.items() if not _alive(v.thread())]:
                with contextlib.suppress(Exception):  # a finished thread's cursor
                    self._readers.pop(k).cursor.close()
            cur = self._raw.cursor()
            for stmt in _SESSION_SQL:
                cur.execute(stmt)
            r = _Reader(cur, ibis.duckdb.from_connection(cur), threading.current_thread())
            self._readers[tid] = r
        return r

    def _con(self) -> Any:
        """The DuckDB connection for a read in this thread."""
        r = self._reader()
        return self._raw if r is None else r.cursor

    @property
    def ibis(self) -> Any:
        """The Ibis backend for building expressions in this thread."""
        r = self._reader()
        return self._backend if r is None else r.backend

    # ------------------------------------------------------------------ schema
    def ensure_tables(self) -> None:
        """Create every contract table, the quarantine table and the ingest log if absent."""
        self._check_writable()
        with self._wlock:
            for schema in SCHEMAS.values():
                self._create(schema.name, {f.name: f.dtype for f in schema.fields})
            for name, cols in SYSTEM_TABLES.items():
                self._create(name, cols)

    def _create(self, name: str, columns: dict[str, str]) -> None:
        cols = ", ".join(f"{ident(c)} {ENGINE_TYPES[t]}" for c, t in columns.items())
        self._raw.execute(f"CREATE TABLE IF NOT EXISTS {ident(name)} ({cols})")

    # ------------------------------------------------------------------ reading
    def tables(self) -> list[str]:
        return user_tables(self.ibis.list_tables())

    def has_table(self, name: str) -> bool:
        # what ibis' list_tables lists (tables and views of the current schema, temporary ones
        # too), in one query on this thread's connection instead of three and a SQL build: it
        # runs on every read and write
        row = (
            self._con()
            .execute(
                "SELECT 1 FROM information_schema.tables WHERE table_name = ? "
                "AND table_catalog IN (current_database(), 'temp') "
                "AND table_schema = current_schema() LIMIT 1",
                [name],
            )
            .fetchone()
        )
        return row is not None

    def columns(self, name: str) -> list[str]:
        # the table's own catalog entry (0.4 ms) rather than information_schema (2.5 ms, over
        # every catalog): it runs twice per write
        import duckdb

        try:
            rows = self._con().execute("SELECT name FROM pragma_table_info(?)", [name]).fetchall()
        except duckdb.CatalogException:
            return []
        return [r[0] for r in rows]

    def count(self, name: str) -> int:
        if not self.has_table(name):
            return 0
        row = self._con().execute(f"SELECT count(*) FROM {ident(name)}").fetchone()
        return int(row[0]) if row else 0

    def execute(self, expr: Any) -> Any:
        """Execute an Ibis expression on this thread's connection."""
        try:
            return self.ibis.execute(expr)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"query failed on duckdb: {str(exc).splitlines()[0]}") from exc

    def to_arrow(self, expr: Any) -> pa.Table:
        return self.ibis.to_pyarrow(expr)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run raw SQL (for benchmarks and admin tasks only; analytics use Ibis)."""
        con = self._con()
        if self._owns_transaction():
            return con.execute(query, params or []).df()
        # a statement that writes must not run beside the writer: take the write lock for it
        head = query.lstrip().split(None, 1)[0].upper() if query.strip() else ""
        if head in ("SELECT", "WITH", "DESCRIBE", "SHOW", "EXPLAIN", "PRAGMA", "SUMMARIZE"):
            return con.execute(query, params or []).df()
        self._check_writable()
        with self._wlock:
            self._keys.clear()  # the statement may write any table
            return self._raw.execute(query, params or []).df()

    # ------------------------------------------------------------------ writing
    @contextmanager
    def transaction(self) -> Iterator[DuckDBStore]:
        """Group writes atomically: all of them land, or none (re-entrant)."""
        with self._wlock:
            outer = self._tx_depth == 0
            if outer:
                self._raw.execute("BEGIN TRANSACTION")
                self._tx_owner = threading.get_ident()
                self._cut.clear()
                self._widened.clear()
            self._tx_depth += 1
            try:
                yield self
            except BaseException:
                self._tx_depth -= 1
                if outer:
                    self._tx_owner = None
                    self._keys.clear()  # they may hold keys the rollback takes back
                    self._raw.execute("ROLLBACK")
                raise
            else:
                self._tx_depth -= 1
                if outer:
                    self._tx_owner = None
                    self._commit()

    def _commit(self) -> None:
        """Commit the open transaction; a commit DuckDB refuses after columns were added in it
        (rows of the table deleted by a raw statement first) is a StoreError naming them."""
        import duckdb

        try:
            self._raw.execute("COMMIT")
        except duckdb.TransactionException as exc:  # DuckDB has rolled it back
            self._keys.clear()
            if not self._widened:
                raise
            added = "; ".join(f"{t}: {', '.join(c)}" for t, c in self._widened.items())
            raise StoreError(
                f"nothing was written: DuckDB refused to commit the write that added column(s) "
                f"({added}) ({str(exc).splitlines()[0]}); add the columns in a write of their "
                "own before this one"
            ) from exc

    def _register(self, df: pd.DataFrame | pa.Table) -> str:
        name = f"_mm_in_{threading.get_ident()}"
        self._raw.register(name, to_arrow(df))
        return name

    def _ensure_for(self, name: str, view: str, given: Sequence[str]) -> list[str]:
        """Create ``name`` from the registered ``view`` (of columns ``given``), or add to it the
        columns of ``view`` it lacks (see :meth:`_widen`); the columns of both, in table order."""
        if not self.has_table(name):
            self._raw.execute(f"CREATE TABLE {ident(name)} AS SELECT * FROM {view} LIMIT 0")
            return list(given)
        have = self.columns(name)
        if any(c not in have for c in given):
            have += self._widen(name, view, set(have))
        return [c for c in have if c in given]

    def _widen(self, name: str, view: str, have: set[str]) -> list[str]:
        """Add to ``name`` (of columns ``have``) the columns of the registered ``view`` it lacks
        (returned); the rows already stored get nulls. Runs in the write's transaction, so a
        write that fails adds nothing.

        A store written by an older micromix lacks the contract's newer optional columns (e.g.
        ``posts.author_name``); without this an append or upsert dropped them unsaid (as the
        Spark store's ``_widen`` does for a lake). New columns take their contract type where
        ``name`` is a contract table, else the type DuckDB gives ``view``'s column (as when a
        table is created from rows). DuckDB (1.5) refuses to commit a table altered by ALTER
        TABLE after rows of it were deleted in the same transaction (``truncate``,
        ``delete_where``, an upsert that replaced rows): such a table is rebuilt with the new
        columns instead (a copy of its rows, within the transaction; the store makes its tables
        without indexes or constraints, so none is lost).
        """
        given = self._raw.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
        contract = {f.name: f.dtype for f in SCHEMAS[name].fields} if name in SCHEMAS else {}
        new = {r[0]: ENGINE_TYPES[contract[r[0]]] if r[0] in contract else r[1] for r in given}
        new = {c: t for c, t in new.items() if c not in have}
        t = ident(name)
        if name in self._cut:
            nulls = ", ".join(f"CAST(NULL AS {typ}) AS {ident(c)}" for c, typ in new.items())
            self._raw.execute(f"CREATE OR REPLACE TABLE {t} AS SELECT *, {nulls} FROM {t}")
        else:
            for col, typ in new.items():
                self._raw.execute(f"ALTER TABLE {t} ADD COLUMN {ident(col)} {typ}")
        self._widened.setdefault(name, []).extend(new)
        return list(new)

    def append(self, name: str, df: pd.DataFrame | pa.Table) -> WriteResult:
        """Append rows (creating the table from ``df`` if it does not exist)."""
        self._check_writable()
        n = df.num_rows if isinstance(df, pa.Table) else len(df)
        with self.transaction():
            view = self._register(df)
            try:
                cols = self._ensure_for(name, view, column_names(df))
                sel = ", ".join(ident(c) for c in cols)
                self._raw.execute(f"INSERT INTO {ident(name)} ({sel}) SELECT {sel} FROM {view}")
            finally:
                self._raw.unregister(view)
            self._keys.pop(name, None)
            self._touch(name)
        return WriteResult(name, inserted=n)

    def truncate(self, name: str) -> None:
        """Delete every row of ``name`` (keeping its columns and types)."""
        self._check_writable()
        with self.transaction():
            if self.has_table(name):
                self._raw.execute(f"DELETE FROM {ident(name)}")
                self._cut.add(name)
                self._keys.pop(name, None)
                self._touch(name)

    def replace(self, name: str, df: pd.DataFrame | pa.Table) -> WriteResult:
        """Replace the whole table with ``df``."""
        self._check_writable()
        n = df.num_rows if isinstance(df, pa.Table) else len(df)
        with self.transaction():
            view = self._register(df)
            try:
                self._raw.execute(f"CREATE OR REPLACE TABLE {ident(name)} AS SELECT * FROM {view}")
            finally:
                self._raw.unregister(view)
            self._keys.pop(name, None)
            self._touch(name)
        return WriteResult(name, inserted=n)

    def upsert(self, name: str, df: pd.DataFrame | pa.Table, key: Sequence[str]) -> WriteResult:
        """Insert rows, replacing existing rows with the same ``key`` (null-safe), atomically.

        Rows identical to what is stored count as ``unchanged``; re-ingesting a file is a no-op.
        """
        self._check_writable()
        if not key:
            raise ConfigError("upsert needs at least one key column")
        n = df.num_rows if isinstance(df, pa.Table) else len(df)
        if n == 0:
            if not self.has_table(name) and isinstance(df, pd.DataFrame) and len(df.columns):
                self.append(name, df)
            return WriteResult(name)
        rows = to_arrow(df)
        with self.transaction():
            view = self._register(rows)
            try:
                cols = self._ensure_for(name, view, rows.column_names)
                matched, unchanged = self._merge(name, view, rows, key, cols)
            finally:
                self._raw.unregister(view)
            self._touch(name)
        return WriteResult(
            name, inserted=n - matched, updated=matched - unchanged, unchanged=unchanged
        )

    def _merge(
        self, name: str, v: str, rows: pa.Table, key: Sequence[str], cols: list[str]
    ) -> tuple[int, int]:
        """Delete the rows of ``name`` that ``v`` (registered ``rows``, of which ``name`` has
        the columns ``cols``) replaces, insert ``v``; (matched, unchanged)."""
        t = ident(name)
        held = self._key_index(name, key)
        if held is None:
            matched, unchanged = self._replace_matches(t, v, rows, key, cols)
        else:
            got = self._raw.execute(f"SELECT {held.hash_sql} AS h FROM {v}").fetchnumpy()
            hashes = np.asarray(got["h"], dtype=np.uint64)
            # every key new (the rule for a stream of events): nothing to replace, no join
            may_be_stored = bool(held.stored.may_hold(hashes).any())
            matched, unchanged = (
                self._replace_matches(t, v, rows, key, cols) if may_be_stored else (0, 0)
            )
            # if the INSERT below fails, extra hashes only cause false alarms (a join) and a
            # rollback drops the index
            held.stored.add(hashes, inserted=rows.num_rows - matched)
        if matched:
            self._cut.add(name)
        sel = ", ".join(ident(c) for c in cols)
        self._raw.execute(f"INSERT INTO {t} ({sel}) SELECT {sel} FROM {v}")
        return matched, unchanged

    def _replace_matches(
        self, t: str, v: str, rows: pa.Table, key: Sequence[str], cols: list[str]
    ) -> tuple[int, int]:
        """Delete the rows of table ``t`` (an identifier) whose key ``v`` holds, by a join with
        the whole table; (matched, unchanged)."""
        # plain equality lets DuckDB hash-join (13x faster on 10M rows); the null-safe form is
        # kept only for key columns that hold nulls in this batch (Arrow counts them)
        nulls = [rows.column(k).null_count for k in key]
        on = " AND ".join(
            f"t.{ident(k)} IS NOT DISTINCT FROM v.{ident(k)}"
            if n_null
            else f"t.{ident(k)} = v.{ident(k)}"
            for k, n_null in zip(key, nulls or [0] * len(key))
        )
        same = " AND ".join(f"t.{ident(c)} IS NOT DISTINCT FROM v.{ident(c)}" for c in cols)
        row = self._raw.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {same}) FROM {t} t JOIN {v} v ON {on}"
        ).fetchone()
        matched, unchanged = (int(row[0]), int(row[1])) if row else (0, 0)
        if matched:
            self._raw.execute(f"DELETE FROM {t} t USING {v} v WHERE {on}")
        return matched, unchanged

    def _key_index(self, name: str, key: Sequence[str]) -> _HeldKeys | None:
        """The in-memory index of ``name``'s keys (:class:`KeyIndex`), built on the second upsert
        into ``name`` in this store's life (one ingest of one file does not pay for it); None
        where it cannot be trusted or would not pay.

        Every key this store writes to ``name`` is added to the index, and any other write to
        ``name`` by this store drops it. Writes it cannot see make it untrustworthy: another
        store open on the same file in this process (then there is no index), and anything that
        changes the table's row count behind its back (checked on every use: it is rebuilt).
        Another process cannot write while this one holds the file (DuckDB's lock).
        """
        calls = self._upserts[name] = self._upserts.get(name, 0) + 1
        if calls < 2 or self._shared():
            return None
        row = self._raw.execute(f"SELECT count(*) FROM {ident(name)}").fetchone()
        n = int(row[0]) if row else 0
        held = self._keys.get(name)
        if held is not None and held.key == tuple(key) and held.stored.rows == n:
            return held
        self._keys.pop(name, None)
        types = dict(
            self._raw.execute("SELECT name, type FROM pragma_table_info(?)", [name]).fetchall()
        )
        if n > KEY_INDEX_MAX_ROWS or any(types.get(k) not in _HASHABLE_KEY_TYPES for k in key):
            return None
        # each key column cast to its type in the table: a batch's Arrow types can differ,
        # and equal values must hash alike
        hash_sql = "hash(" + ", ".join(f"CAST({ident(k)} AS {types[k]})" for k in key) + ")"
        got = self._raw.execute(f"SELECT {hash_sql} AS h FROM {ident(name)}").fetchnumpy()
        held = _HeldKeys(tuple(key), hash_sql, KeyIndex(got["h"], rows=n))
        self._keys[name] = held
        return held

    def _shared(self) -> bool:
        """Whether another store in this process has this database file open."""
        if not self._file:
            return False
        with _OPEN_LOCK:
            return sum(1 for s in _OPEN.get(self._file, ()) if not s._closed) > 1

    def delete_where(self, name: str, column: str, values: Sequence[Any]) -> int:
        """Delete rows whose ``column`` is in ``values``; returns the number deleted."""
        self._check_writable()
        vals = list(values)
        if not vals:
            return 0
        with self.transaction():
            if not self.has_table(name) or column not in self.columns(name):
                return 0
            before = self.count(name)
            self._raw.execute(
                f"DELETE FROM {ident(name)} WHERE {ident(column)} IN (SELECT unnest(?))", [vals]
            )
            gone = before - self.count(name)
            if gone:
                self._cut.add(name)
                held = self._keys.get(name)
                if held is not None:  # the deleted keys' hashes stay: false alarms only
                    held.stored.rows -= gone
                self._touch(name)
            return gone

    def _append_row(self, name: str, row: dict[str, Any]) -> None:
        cols = self.columns(name)
        if not cols or not set(row) <= set(cols):  # a new table, or columns append adds
            super()._append_row(name, row)
            return
        # one bound INSERT per ingest log line instead of a registered one-row frame
        sel = ", ".join(ident(c) for c in row)
        marks = ", ".join("?" for _ in row)
        with self.transaction():
            self._raw.execute(
                f"INSERT INTO {ident(name)} ({sel}) VALUES ({marks})", list(row.values())
            )
            self._keys.pop(name, None)
            self._touch(name)

    def _delete_quarantined(self, kind: str, source: Any, rows: Sequence[int]) -> None:
        with self.transaction():
            held = self._raw.execute(
                "SELECT 1 FROM quarantine WHERE kind = ? AND source = ? LIMIT 1", [kind, source]
            ).fetchone()
            if held is None:  # nothing of this source quarantined (an API batch's new source)
                return
            self._raw.execute(
                "DELETE FROM quarantine WHERE kind = ? AND source = ? AND row IN (SELECT unnest(?))",
                [kind, source, list(rows)],
            )
            self._cut.add("quarantine")
            self._keys.pop("quarantine", None)
            self._touch("quarantine")
