"""A Parquet lake whose files differ in columns reads with every column, and is unified on write.

A lake table written before a column was added has files without it; DuckDB's folder reader took
the columns of whichever file it read first, so a newer file's ``author_name`` vanished unsaid.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from micromix.errors import StoreError
from micromix.store import Store
from micromix.store.lake import table_schema, widen_files


@pytest.mark.parametrize("older_first", [True, False])
def test_duckdb_reads_every_column_of_a_lake_whose_files_differ(
    tmp_path: Path, older_first: bool
) -> None:
    folder = tmp_path / "lake" / "posts"
    folder.mkdir(parents=True)
    older, newer = ("part-a", "part-b") if older_first else ("part-b", "part-a")
    pq.write_table(pa.table({"post_id": ["p1"]}), folder / f"{older}.parquet")
    pq.write_table(
        pa.table({"post_id": ["p2"], "author_name": ["Ann"]}), folder / f"{newer}.parquet"
    )
    with Store.open(str(tmp_path / "lake")) as st:
        got = st.read("posts").set_index("post_id")
    assert got.loc["p2", "author_name"] == "Ann"
    assert pd.isna(got.loc["p1", "author_name"])  # the older file's row: null, not a guess


def test_widen_files_gives_every_file_the_columns_and_keeps_partitions(tmp_path: Path) -> None:
    folder = tmp_path / "ev"
    ds.write_dataset(
        pa.table({"k": [1, 2], "day": ["d1", "d2"]}),
        folder,
        format="parquet",
        partitioning=["day"],
        partitioning_flavor="hive",
    )
    pq.write_table(pa.table({"k": [3], "note": ["x"]}), folder / "day=d1" / "part-new.parquet")
    schema, same = table_schema(folder, "ev")
    assert schema is not None and schema.names == ["k", "note"] and not same
    widen_files(folder, schema, tmp_path / "staged")
    assert table_schema(tmp_path / "staged", "ev") == (schema, True)
    back = ds.dataset(tmp_path / "staged", partitioning="hive").to_table().to_pylist()
    assert sorted(back, key=lambda r: r["k"]) == [
        {"k": 1, "note": None, "day": "d1"},
        {"k": 2, "note": None, "day": "d2"},
        {"k": 3, "note": "x", "day": "d1"},
    ]


def test_files_disagreeing_on_a_type_are_refused_naming_the_table(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    pq.write_table(pa.table({"likes": [1]}), folder / "a.parquet")
    pq.write_table(pa.table({"likes": ["many"]}), folder / "b.parquet")
    with pytest.raises(StoreError, match=r"table 'posts'.*disagree"):
        table_schema(folder, "posts")
