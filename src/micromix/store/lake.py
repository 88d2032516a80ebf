"""Lake folders: one sub-folder of Parquet files per table, readable by every engine.

A lake is what :class:`~micromix.store.spark.SparkStore` writes and what
:class:`~micromix.store.duckdb_store.DuckDBStore` opens read-only when ``--db`` is a folder
(Hive-style ``key=value`` partition folders become columns on both engines). These helpers need
only Arrow, so either store can use them without importing the other.

Quickstart
----------
>>> import tempfile, pyarrow as pa
>>> from micromix.store.lake import lake_tables, write_parquet
>>> root = tempfile.mkdtemp()
>>> _ = write_parquet(pa.table({"k": [1, 2]}), f"{root}/events")
>>> lake_tables(root)
['events']
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from micromix.errors import StoreError

__all__ = [
    "ARROW_TYPES",
    "arrow_schema",
    "lake_tables",
    "partition_columns",
    "spark_safe",
    "table_schema",
    "widen_files",
    "write_parquet",
]

#: logical contract type / DuckDB SQL type -> Arrow type of the Parquet files
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "VARCHAR": pa.string(),
    "int": pa.int64(),
    "BIGINT": pa.int64(),
    "float": pa.float64(),
    "DOUBLE": pa.float64(),
    "bool": pa.bool_(),
    "BOOLEAN": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "TIMESTAMP": pa.timestamp("us"),
    "date": pa.date32(),
    "DATE": pa.date32(),
}


def arrow_schema(columns: dict[str, str]) -> pa.Schema:
    """Arrow schema of a table from ``{column: logical or DuckDB type}``."""
    return pa.schema([(c, ARROW_TYPES[t]) for c, t in columns.items()])


def lake_tables(root: str | Path) -> list[str]:
    """Table names of a lake folder (sub-folders not starting with ``.`` or ``_``)."""
    p = Path(root)
    if not p.is_dir():
        return []
    return sorted(d.name for d in p.iterdir() if d.is_dir() and d.name[:1] not in "._")


def spark_safe(tbl: pa.Table) -> pa.Table:
    """Types Spark reads from Parquet: no dictionaries, microsecond naive timestamps."""
    fields = []
    for f in tbl.schema:
        t = f.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_large_string(t):
            t = pa.string()
        if pa.types.is_timestamp(t):
            t = pa.timestamp("us")
        if pa.types.is_null(t):
            t = pa.string()
        fields.append(pa.field(f.name, t))
    schema = pa.schema(fields)
    if schema.equals(tbl.schema):
        return tbl
    cols = []
    for f, col in zip(schema, tbl.columns):
        if pa.types.is_timestamp(col.type) and col.type.tz is not None:
            col = col.cast(pa.timestamp(col.type.unit, tz="UTC")).cast(pa.timestamp(col.type.unit))
        cols.append(
            col.cast(f.type, safe=False) if pa.types.is_timestamp(f.type) else col.cast(f.type)
        )
    return pa.Table.from_arrays(cols, schema=schema)


def write_parquet(tbl: pa.Table, folder: str | Path) -> Path:
    """Write ``tbl`` as one new Parquet file in ``folder`` (created); returns the file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"part-{uuid.uuid4().hex}.parquet"
    pq.write_table(spark_safe(tbl), out, compression="snappy")
    return out


def partition_columns(folder: Path) -> list[str]:
    """Hive partition columns of a table folder, outermost first (``[]`` when unpartitioned)."""
    cols: list[str] = []
    d = folder
    while True:
        sub = [p for p in d.iterdir() if p.is_dir() and "=" in p.name and p.name[:1] not in "._"]
        if not sub:
            return cols
        cols.append(sub[0].name.split("=", 1)[0])
        d = sub[0]


def table_schema(folder: Path, name: str) -> tuple[pa.Schema | None, bool]:
    """The columns of table ``name``'s Parquet files, unified, and whether the files all agree.

    A lake written by several writers (an older micromix, Spark with ``mergeSchema``) can have
    files with fewer columns; the table has every column any file has (partition columns are
    folder names, not in the files). ``(None, True)`` for a folder without Parquet files.

    Raises
    ------
    StoreError
        When two files give one column different types.
    """
    schemas = [pq.read_schema(f) for f in sorted(folder.rglob("*.parquet"))]
    if not schemas:
        return None, True
    try:
        unified = pa.unify_schemas(schemas)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise StoreError(
            f"table {name!r} ({folder}): its Parquet files disagree on a column's type ({exc}); "
            "rewrite the table with one type per column"
        ) from exc
    same = all(s.names == unified.names for s in schemas)
    return unified.remove_metadata(), same


def widen_files(folder: Path, schema: pa.Schema, staged: Path) -> None:
    """Copy table ``folder`` to ``staged`` with every file holding ``schema``'s columns.

    A column a file lacks is written as nulls (its rows never had it); files already holding
    exactly ``schema`` are hard-linked (Parquet files are never modified in place). Partition
    folders are kept.
    """
    for f in sorted(folder.rglob("*.parquet")):
        out = staged / f.relative_to(folder)
        out.parent.mkdir(parents=True, exist_ok=True)
        if pq.read_schema(f).remove_metadata().equals(schema):
            try:
                os.link(f, out)
            except OSError:
                shutil.copy2(f, out)
            continue
        t = pq.ParquetFile(f).read()
        cols = [
            t.column(c.name).cast(c.type) if c.name in t.column_names else pa.nulls(len(t), c.type)
            for c in schema
        ]
        pq.write_table(pa.Table.from_arrays(cols, schema=schema), out, compression="snappy")
