"""The store on Apache Spark: tables are Parquet folders, queries run on a SparkSession.

A Spark store is a *lake folder*: one sub-folder of Parquet files per table (Hive-style
``key=value`` partition folders are read too, e.g. ``events/event_date=2026-03-02/``). The same
folder opens with DuckDB (``Store.open(folder)``), so one dataset is read by both engines.

Writes never modify a Parquet file in place: ``append`` adds a file, ``replace`` / ``upsert`` /
``delete_where`` write the new table into a staging folder and swap it in with a rename.
:meth:`SparkStore.transaction` snapshots (hard links) every table it touches first and puts
them back if the block raises, so a failed ingest leaves the lake as it was. There is one
writer per lake at a time (as with a DuckDB file).

``Store.open(":memory:", backend="pyspark")`` keeps the lake in a temporary folder removed on
:meth:`close`; ``Store.open("file.duckdb", backend="pyspark")`` copies the DuckDB tables into a
temporary lake once (streamed as Arrow batches) and opens it read-only: the analytics then run
on Spark.

Quickstart
----------
>>> import pandas as pd                                        # doctest: +SKIP
>>> from micromix.store import Store                           # doctest: +SKIP
>>> st = Store.open(":memory:", backend="pyspark")             # doctest: +SKIP
>>> st.append("t", pd.DataFrame({"k": [1, 2]})).inserted       # doctest: +SKIP
2
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import reduce
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from micromix.errors import ConfigError, StoreError
from micromix.schema import SCHEMAS
from micromix.store.backends import BackendSpec, spark_session
from micromix.store.base import SYSTEM_TABLES, Store, WriteResult, column_names, ident, to_arrow
from micromix.store.lake import (
    arrow_schema,
    lake_tables,
    partition_columns,
    spark_safe,
    table_schema,
    widen_files,
    write_parquet,
)

__all__ = ["SparkStore"]


class SparkStore(Store):
    """A :class:`~micromix.store.Store` whose engine is Spark (see the module docstring).

    Use ``Store.open(path, backend="pyspark")`` rather than the constructor. Spark refreshes a
    table's temporary view when it is rewritten, so reads and writes share one lock here.
    """

    engine = "pyspark"

    def __init__(
        self,
        session: Any,
        backend: Any,
        root: Path,
        path: str,
        *,
        temporary: bool = False,
        read_only: bool = False,
        reason: str = "",
    ) -> None:
        super().__init__()
        self._backend = backend
        self._session = session
        self.path = path
        self.root = root
        self._lock = threading.RLock()
        self._tx_depth = 0
        self._temporary = temporary
        if read_only:
            self._set_read_only(reason)
        self._snapshots: dict[str, Path | None] = {}
        self._views: set[str] = set()
        for name in lake_tables(root):
            self._refresh(name)

    # ------------------------------------------------------------------ opening
    @classmethod
    def connect(
        cls, path: str, spec: BackendSpec, *, read_only: bool = False, create_tables: bool = True
    ) -> SparkStore:
        """Open a lake folder, ``":memory:"`` or a DuckDB file on Spark (see module docstring)."""
        import ibis

        session = _own_session(spark_session(spec))
        backend = ibis.pyspark.connect(session)
        db = str(path)
        p = Path(db).expanduser()
        if db == ":memory:":
            root = Path(tempfile.mkdtemp(prefix="micromix-spark-"))
            store = cls(session, backend, root, db, temporary=True, read_only=read_only)
        elif p.is_file():
            root = Path(tempfile.mkdtemp(prefix="micromix-spark-"))
            _export_duckdb(p, root)
            store = cls(
                session,
                backend,
                root,
                db,
                temporary=True,
                read_only=True,
                reason=f"{db} is a DuckDB file opened on Spark as a read-only copy; "
                "write with --backend duckdb, or use a Parquet folder",
            )
        else:
            if p.suffix == ".duckdb":
                raise StoreError(
                    f"{db}: no such database; run 'micromix ingest' or "
                    "'micromix demo' first, or pass a Parquet folder"
                )
            if not p.exists():
                if read_only:
                    raise StoreError(f"{db}: no such folder; point --db at a Parquet folder")
                if not p.resolve().parent.exists():
                    raise StoreError(
                        f"{db}: folder {p.resolve().parent} does not exist; create it "
                        "or choose another --db"
                    )
                p.mkdir()
            store = cls(session, backend, p.resolve(), db, read_only=read_only)
        if create_tables and not store._read_only:
            store.ensure_tables()
        return store

    def close(self) -> None:
        """Drop this store's views (and its temporary folder); the SparkSession stays up."""
        with self._lock:
            for v in list(self._views):
                with contextlib.suppress(Exception):  # the session may be stopped already
                    self._session.catalog.dropTempView(v)
            self._views.clear()
            if self._temporary:
                shutil.rmtree(self.root, ignore_errors=True)

    def __repr__(self) -> str:
        return f"SparkStore(path={self.path!r}, root={str(self.root)!r})"

    # ------------------------------------------------------------------ schema
    def ensure_tables(self) -> None:
        """Create every contract table, the quarantine table and the ingest log if absent."""
        self._check_writable()
        for schema in SCHEMAS.values():
            self._create(schema.name, {f.name: f.dtype for f in schema.fields})
        for name, cols in SYSTEM_TABLES.items():
            self._create(name, cols)

    def _create(self, name: str, columns: dict[str, str]) -> None:
        ident(name)
        if not self.has_table(name):
            write_parquet(arrow_schema(columns).empty_table(), self.root / name)
            self._refresh(name)

    def _refresh(self, name: str) -> None:
        folder = self.root / name
        if not folder.exists():
            self._session.catalog.dropTempView(name)
            self._views.discard(name)
            return
        # mergeSchema: a lake whose files differ (written before a column was added) shows every
        # column, as DuckDB's union_by_name does, instead of the columns of whichever file
        df = (
            self._session.read.option("basePath", str(folder))
            .option("mergeSchema", "true")
            .parquet(str(folder))
        )
        df.createOrReplaceTempView(name)
        self._views.add(name)

    # ------------------------------------------------------------------ reading
    def tables(self) -> list[str]:
        return lake_tables(self.root)

    def has_table(self, name: str) -> bool:
        return (self.root / name).is_dir() and name[:1] not in "._"

    def count(self, name: str) -> int:
        if not self.has_table(name):
            return 0
        with self._lock:
            return int(self._session.table(name).count())

    def columns(self, name: str) -> list[str]:
        return list(self._session.table(name).columns) if self.has_table(name) else []

    @property
    def ibis(self) -> Any:
        """The Ibis pyspark backend."""
        return self._backend

    def execute(self, expr: Any) -> Any:
        """Execute an Ibis expression on Spark; timestamps come back as on DuckDB (``[us]``)."""
        with self._lock, _quiet():
            try:
                out = expr.execute()
            except Exception as exc:
                raise StoreError(f"query failed on pyspark: {str(exc).splitlines()[0]}") from exc
        if isinstance(out, pd.DataFrame):
            for c in out.columns:
                out[c] = _us(out[c])
        elif isinstance(out, pd.Series):
            out = _us(out)
        return out

    def to_arrow(self, expr: Any) -> pa.Table:
        with self._lock, _quiet():
            return expr.to_pyarrow()

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run Spark SQL (``?`` placeholders take ``params``)."""
        with self._lock, _quiet():
            df = self._session.sql(query, args=list(params)) if params else self._session.sql(query)
            return df.toPandas()

    # ------------------------------------------------------------------ writing
    @contextmanager
    def transaction(self) -> Iterator[SparkStore]:
        """Group writes: if the block raises, every table it touched is put back."""
        with self._lock:
            outer = self._tx_depth == 0
            self._tx_depth += 1
            try:
                yield self
            except BaseException:
                self._tx_depth -= 1
                if outer:
                    self._rollback()
                raise
            else:
                self._tx_depth -= 1
                if outer:
                    self._commit()

    def _snapshot(self, name: str) -> None:
        if self._tx_depth == 0 or name in self._snapshots:
            return
        src = self.root / name
        if not src.exists():
            self._snapshots[name] = None
            return
        dst = self.root / ".tx" / f"{name}-{uuid.uuid4().hex}"
        dst.parent.mkdir(exist_ok=True)
        shutil.copytree(src, dst, copy_function=_link_or_copy)
        self._snapshots[name] = dst

    def _rollback(self) -> None:
        for name, snap in self._snapshots.items():
            shutil.rmtree(self.root / name, ignore_errors=True)
            if snap is not None:
                os.rename(snap, self.root / name)
            self._refresh(name)
        self._snapshots.clear()
        shutil.rmtree(self.root / ".tx", ignore_errors=True)

    def _commit(self) -> None:
        self._snapshots.clear()
        shutil.rmtree(self.root / ".tx", ignore_errors=True)

    def _swap(self, name: str, staged: Path) -> None:
        """Make ``staged`` the folder of ``name`` (rename; the old folder is removed)."""
        self._snapshot(name)
        target = self.root / name
        trash = self.root / f".trash-{uuid.uuid4().hex}"
        if target.exists():
            os.rename(target, trash)
        os.rename(staged, target)
        self._refresh(name)
        self._touch(name)
        shutil.rmtree(trash, ignore_errors=True)

    def _staging(self) -> Path:
        return self.root / f".stage-{uuid.uuid4().hex}"

    def _conform(self, name: str, tbl: pa.Table) -> pa.Table:
        """``tbl`` with the table's columns, order and types (missing columns are null).

        A column of ``tbl`` the table lacks is added to the table first, the rows already stored
        getting nulls: a lake written by an older micromix lacks the contract's newer optional
        columns (e.g. ``posts.author_name``), and appending must not drop them unsaid. Every file
        lacking a column is rewritten with it in a staging folder swapped in (partition folders
        kept), so all files share one schema and any reader (Spark, DuckDB, pyarrow) sees the new
        columns. New columns take their contract type in a contract table, else the rows' type.
        """
        folder = self.root / name
        target, same = table_schema(folder, name)
        if target is None:
            return spark_safe(tbl)
        parts = partition_columns(folder)
        new = [c for c in tbl.column_names if c not in target.names and c not in parts]
        if new or not same:
            contract = {f.name: f.dtype for f in SCHEMAS[name].fields} if name in SCHEMAS else {}
            given = spark_safe(tbl.select(new)).schema
            for c in new:
                typ = arrow_schema({c: contract[c]}).field(c).type if c in contract else None
                target = target.append(pa.field(c, typ or given.field(c).type))
            staged = self._staging()
            widen_files(folder, target, staged)
            self._swap(name, staged)
        cols, fields = [], []
        for f in target:
            if f.name in parts:
                continue
            if f.name in tbl.column_names:
                col = spark_safe(tbl.select([f.name])).column(0)
                try:
                    col = col.cast(f.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise StoreError(
                        f"table {name!r}, column {f.name!r}: cannot store "
                        f"{col.type} values as {f.type} ({exc})"
                    ) from exc
            else:
                col = pa.nulls(tbl.num_rows, type=f.type)
            cols.append(col)
            fields.append(pa.field(f.name, f.type))
        for p in parts:
            if p not in tbl.column_names:
                raise StoreError(f"table {name!r} is partitioned by {p!r}; rows need that column")
            cols.append(tbl.column(p))
            fields.append(pa.field(p, tbl.schema.field(p).type))
        return pa.Table.from_arrays(cols, schema=pa.schema(fields))

    def _write_rows(self, name: str, tbl: pa.Table, folder: Path) -> None:
        parts = partition_columns(self.root / name) if self.has_table(name) else []
        if parts:
            import pyarrow.dataset as ds

            ds.write_dataset(
                tbl,
                folder,
                format="parquet",
                partitioning=parts,
                partitioning_flavor="hive",
                existing_data_behavior="overwrite_or_ignore",
                basename_template=f"part-{uuid.uuid4().hex}-{{i}}.parquet",
            )
        else:
            write_parquet(tbl, folder)
        self._touch(name)

    def append(self, name: str, df: pd.DataFrame | pa.Table) -> WriteResult:
        """Append rows (creating the table from ``df`` if it does not exist)."""
        self._check_writable()
        ident(name)
        tbl = df if isinstance(df, pa.Table) else to_arrow(df)
        with self.transaction():
            self._snapshot(name)
            tbl = self._conform(name, tbl) if self.has_table(name) else spark_safe(tbl)
            self._write_rows(name, tbl, self.root / name)
            self._refresh(name)
        return WriteResult(name, inserted=tbl.num_rows)

    def truncate(self, name: str) -> None:
        """Delete every row of ``name`` (keeping its columns and types)."""
        self._check_writable()
        if self.has_table(name):
            staged = self._staging()
            schema = self._session.table(name).limit(0).toArrow().schema
            write_parquet(schema.empty_table(), staged)
            with self.transaction():
                self._swap(name, staged)

    def replace(self, name: str, df: pd.DataFrame | pa.Table) -> WriteResult:
        """Replace the whole table with ``df``."""
        self._check_writable()
        ident(name)
        tbl = spark_safe(df if isinstance(df, pa.Table) else to_arrow(df))
        staged = self._staging()
        write_parquet(tbl, staged)
        with self.transaction():
            self._swap(name, staged)
        return WriteResult(name, inserted=tbl.num_rows)

    def _rewrite(self, name: str, sdf: Any) -> None:
        staged = self._staging()
        parts = partition_columns(self.root / name)
        w = sdf.write.mode("overwrite")
        if parts:
            w = w.partitionBy(*parts)
        w.parquet(str(staged))
        self._swap(name, staged)

    def upsert(self, name: str, df: pd.DataFrame | pa.Table, key: Sequence[str]) -> WriteResult:
        """Insert rows, replacing existing rows with the same ``key`` (null-safe).

        Rows identical to what is stored count as ``unchanged``.
        """
        self._check_writable()
        if not key:
            raise ConfigError("upsert needs at least one key column")
        tbl = df if isinstance(df, pa.Table) else to_arrow(df)
        n = tbl.num_rows
        if n == 0:
            if not self.has_table(name) and tbl.num_columns:
                self.append(name, tbl)
            return WriteResult(name)
        if not self.has_table(name) or self.count(name) == 0:
            self.append(name, tbl)
            return WriteResult(name, inserted=n)
        from pyspark.sql import functions as F

        with self.transaction():
            rows = self._conform(name, tbl)
            staged_in = self._staging()
            write_parquet(rows, staged_in)
            try:
                inc = self._session.read.parquet(str(staged_in))
                cur = self._session.table(name)
                cols = [c for c in cur.columns if c in column_names(tbl)]
                a, b = cur.alias("a"), inc.alias("b")
                on = reduce(
                    lambda x, y: x & y, [F.col(f"a.{k}").eqNullSafe(F.col(f"b.{k}")) for k in key]
                )
                same = reduce(
                    lambda x, y: x & y, [F.col(f"a.{c}").eqNullSafe(F.col(f"b.{c}")) for c in cols]
                )
                j = a.join(b, on, "inner").select(same.alias("same"))
                row = j.agg(
                    F.count(F.lit(1)).alias("m"),
                    F.sum(F.when(F.col("same"), 1).otherwise(0)).alias("u"),
                ).collect()[0]
                matched, unchanged = int(row["m"]), int(row["u"] or 0)
                if matched:
                    kept = a.join(b, on, "left_anti").select(
                        *[F.col(f"a.{c}") for c in cur.columns]
                    )
                    self._rewrite(name, kept.unionByName(inc.select(*cur.columns)))
                else:
                    self._write_rows(name, rows, self.root / name)
                    self._refresh(name)
            finally:
                shutil.rmtree(staged_in, ignore_errors=True)
        return WriteResult(
            name, inserted=n - matched, updated=matched - unchanged, unchanged=unchanged
        )

    def _delete(self, name: str, cond: Any) -> int:
        """Delete the rows matching a Spark column condition; returns the number deleted."""
        cur = self._session.table(name)
        gone = int(cur.filter(cond).count())
        if gone:
            with self.transaction():
                self._rewrite(name, cur.filter(~cond | cond.isNull()))
        return gone

    def delete_where(self, name: str, column: str, values: Sequence[Any]) -> int:
        """Delete rows whose ``column`` is in ``values``; returns the number deleted."""
        self._check_writable()
        vals = list(values)
        if not vals or not self.has_table(name) or column not in self.columns(name):
            return 0
        from pyspark.sql import functions as F

        return self._delete(name, F.col(column).isin(vals))

    def _delete_quarantined(self, kind: str, source: Any, rows: Sequence[int]) -> None:
        from pyspark.sql import functions as F

        if self.has_table("quarantine") and len(rows):
            cond = (
                (F.col("kind") == kind)
                & (F.col("source") == source)
                & F.col("row").isin([int(r) for r in rows])
            )
            self._delete("quarantine", cond)


def _own_session(base: Any) -> Any:
    """A session of its own (same SparkContext): every store has its own table names."""
    try:
        session = base.newSession()
    except Exception:  # Spark Connect sessions cannot fork; share the base session
        return base
    for k in (
        "spark.sql.session.timeZone",
        "spark.sql.ansi.enabled",
        "spark.sql.shuffle.partitions",
        "spark.sql.execution.arrow.pyspark.enabled",
        "spark.sql.parquet.inferTimestampNTZ.enabled",
    ):
        v = base.conf.get(k, None)
        if v is not None:
            session.conf.set(k, v)
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session


@contextmanager
def _quiet() -> Iterator[None]:
    """Hide pyspark 4.0's pandas-3 deprecation noise (``toPandas`` passes ``copy=``)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
        yield


def _us(col: pd.Series) -> pd.Series:
    """Spark's pandas timestamps are nanoseconds; DuckDB's (and the Parquet files') microseconds."""
    dt = col.dtype
    if isinstance(dt, pd.DatetimeTZDtype) and dt.unit == "ns":
        return col.astype(pd.DatetimeTZDtype("us", dt.tz))
    if pd.api.types.is_datetime64_dtype(dt) and str(dt) == "datetime64[ns]":
        return col.astype("datetime64[us]")
    return col


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


_EXPORT_LOCK = threading.Lock()


def _export_duckdb(db: Path, root: Path) -> None:
    """Copy every table of a DuckDB file into ``root`` as Parquet (streamed Arrow batches)."""
    import duckdb

    with _EXPORT_LOCK:
        try:
            con = duckdb.connect(str(db), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(
                f"{db}: cannot open the DuckDB file ({str(exc).splitlines()[0]}); "
                "is another process writing it?"
            ) from exc
        try:
            con.execute("SET TimeZone = 'UTC'")
            names = [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
                ).fetchall()
            ]
            for name in names:
                res = con.execute(f"SELECT * FROM {ident(name)}")
                reader = (
                    res.to_arrow_reader(500_000)
                    if hasattr(res, "to_arrow_reader")
                    else res.fetch_record_batch(500_000)
                )
                folder = root / name
                folder.mkdir(parents=True)
                wrote = False
                for batch in reader:
                    write_parquet(pa.Table.from_batches([batch]), folder)
                    wrote = True
                if not wrote:
                    write_parquet(reader.schema.empty_table(), folder)
        finally:
            con.close()
