"""Appending rows with columns an older lake table lacks keeps them (older rows get nulls).

The posts contract gained ``author_name``, ``author_bio`` and ``author_verified``. A DuckDB file
store gains them at ingest; a Parquet lake written on Spark by an older micromix dropped them
unsaid on every append or ingest, so the store's amplify ranking lost the organisation check.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from _tiktok import scraper_dump
from micromix.errors import StoreError
from micromix.ingest import ingest_file
from micromix.store import Store

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in.*socket:pytest.PytestUnraisableExceptionWarning"
    ),
    pytest.mark.filterwarnings("ignore:unclosed <socket:ResourceWarning"),
]

NEW = ["author_name", "author_bio", "author_verified"]
_AUTHORS = [
    ("ann", "Ann", "dog mum, London", False, 300, "my pup loves her @pawco bowl"),
    ("pawdaily", "Paw Daily", "Our team brings you pet news since 2009", True, 800, "@pawco?"),
]


def _older_lake(root: Path) -> Store:
    """A lake whose posts table is as an older micromix wrote it (without the author fields)."""
    st = Store.open(str(root), backend="pyspark")
    cur = pq.read_schema(next((root / "posts").rglob("*.parquet")))
    st.replace("posts", pa.schema([f for f in cur if f.name not in NEW]).empty_table())
    assert not set(NEW) & set(st.columns("posts"))
    return st


def _schemas(folder: Path) -> set[pa.Schema]:
    return {pq.read_schema(f) for f in folder.rglob("*.parquet")}


def test_append_to_an_older_lake_table_keeps_the_new_columns(spark, tmp_path: Path) -> None:
    root = tmp_path / "lake"
    st = _older_lake(root)
    try:
        st.append("posts", pd.DataFrame({"post_id": ["p1"], "author_id": ["a1"]}))
        st.append(
            "posts",
            pd.DataFrame(
                {
                    "post_id": ["p2"],
                    "author_id": ["a2"],
                    "author_name": ["Ann"],
                    "author_bio": ["dog mum"],
                    "author_verified": [True],
                }
            ),
        )
        got = st.read("posts").set_index("post_id")
        assert got.loc["p2", NEW].tolist() == ["Ann", "dog mum", True]
        assert got.loc["p1", NEW].isna().all()  # the older row: nulls, not guesses
    finally:
        st.close()
    # every file has the one wider schema, with the contract's types (bool, not string)
    (schema,) = _schemas(root / "posts")
    assert schema.field("author_verified").type == pa.bool_()
    # the lake opened with DuckDB (read-only) sees the same
    with Store.open(str(root)) as duck:
        d = duck.read("posts").set_index("post_id")
        assert d.loc["p2", "author_name"] == "Ann" and pd.isna(d.loc["p1", "author_name"])


def test_ingest_into_an_older_lake_keeps_the_authors(spark, tmp_path: Path) -> None:
    dump = scraper_dump(tmp_path / "trending.json", _AUTHORS, first_id=7_300_000_000_000_000_000)
    st = _older_lake(tmp_path / "lake")
    try:
        assert ingest_file(st, "posts", dump).accepted == len(_AUTHORS)
        assert ingest_file(st, "posts", dump).accepted == len(_AUTHORS)  # upsert of same rows
        got = st.read("posts").sort_values("author_id")
        assert len(got) == len(_AUTHORS)
        assert got["author_name"].tolist() == [a[1] for a in _AUTHORS]
        assert got["author_bio"].tolist() == [a[2] for a in _AUTHORS]
        assert got["author_verified"].tolist() == [a[3] for a in _AUTHORS]
    finally:
        st.close()


def test_partitioned_table_gains_the_column_in_every_partition(spark, tmp_path: Path) -> None:
    root = tmp_path / "lake"
    old = pa.table({"k": [1, 2], "day": ["2024-05-01", "2024-05-02"]})
    ds.write_dataset(
        old, root / "ev", format="parquet", partitioning=["day"], partitioning_flavor="hive"
    )
    st = Store.open(str(root), backend="pyspark")
    try:
        st.append("ev", pd.DataFrame({"k": [3], "day": ["2024-05-01"], "note": ["new"]}))
        got = st.read("ev").sort_values("k").reset_index(drop=True)
        assert got["k"].tolist() == [1, 2, 3]
        assert got["note"][:2].isna().all() and got["note"][2] == "new"
        assert got["day"].astype(str).tolist() == ["2024-05-01", "2024-05-02", "2024-05-01"]
    finally:
        st.close()
    assert sorted(p.name for p in (root / "ev").iterdir()) == ["day=2024-05-01", "day=2024-05-02"]
    assert len(_schemas(root / "ev")) == 1


def test_a_new_column_that_cannot_be_stored_is_refused_and_nothing_changes(
    spark, tmp_path: Path
) -> None:
    root = tmp_path / "lake"
    st = _older_lake(root)
    try:
        st.append("posts", pd.DataFrame({"post_id": ["p1"], "author_id": ["a1"]}))
        bad = pd.DataFrame({"post_id": ["p2"], "author_id": ["a2"], "author_verified": ["maybe"]})
        with pytest.raises(StoreError, match=r"'posts'.*'author_verified'"):
            st.append("posts", bad)
        assert st.read("posts")["post_id"].tolist() == ["p1"]
        assert not set(NEW) & set(st.columns("posts"))
    finally:
        st.close()


def test_a_lake_whose_files_differ_shows_every_column_and_is_unified_on_append(
    spark, tmp_path: Path
) -> None:
    folder = tmp_path / "lake" / "posts"
    folder.mkdir(parents=True)
    # written by two writers, the newer with a column the older lacked
    pq.write_table(pa.table({"post_id": ["p2"], "author_name": ["Ann"]}), folder / "a.parquet")
    pq.write_table(pa.table({"post_id": ["p1"]}), folder / "b.parquet")
    st = Store.open(str(tmp_path / "lake"), backend="pyspark", create_tables=False)
    try:
        assert "author_name" in st.columns("posts")
        st.append("posts", pd.DataFrame({"post_id": ["p3"], "author_name": ["Bo"]}))
        got = st.read("posts").set_index("post_id")
        assert got.loc[["p2", "p3"], "author_name"].tolist() == ["Ann", "Bo"]
        assert pd.isna(got.loc["p1", "author_name"])
    finally:
        st.close()
    assert len(_schemas(folder)) == 1
