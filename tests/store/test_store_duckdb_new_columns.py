"""On a DuckDB store, appending or upserting rows with columns the table lacks keeps them.

Before, the extra columns were dropped without a word (appending {k, v} to a table of only k
kept k), while the Spark/lake store adds them. Now the columns are added in the write's own
transaction (older rows null; the contract's type on a contract table), so a failing write
leaves the table as it was. DuckDB refuses to commit a table altered after rows of it were
deleted in the same transaction: such a table is rebuilt with the columns instead, and a raw
statement's delete the store cannot see is a StoreError naming the table and columns.
"""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.errors import StoreError
from micromix.store import Store

NEW = ["author_name", "author_verified", "author_followers"]


@pytest.fixture
def store(tmp_path):
    st = Store.open(str(tmp_path / "mm.duckdb"))
    st.append("t", pd.DataFrame({"k": [1, 2]}))
    yield st
    st.close()


def _types(st: Store, name: str) -> dict[str, str]:
    return dict(st.sql(f"SELECT name, type FROM pragma_table_info('{name}')").values.tolist())


def _rows(st: Store, name: str) -> list[tuple]:
    df = st.read(name).sort_values("k")
    return [tuple(None if pd.isna(x) else x for x in r) for r in df.itertuples(index=False)]


def test_append_keeps_a_new_column_older_rows_null(store, tmp_path):
    res = store.append("t", pd.DataFrame({"k": [3], "v": ["c"]}))
    assert res.inserted == 1
    assert store.columns("t") == ["k", "v"]
    assert _rows(store, "t") == [(1, None), (2, None), (3, "c")]
    store.close()
    with Store.open(str(tmp_path / "mm.duckdb")) as again:  # committed, not just in memory
        assert _rows(again, "t") == [(1, None), (2, None), (3, "c")]


def test_upsert_keeps_a_new_column(store):
    res = store.upsert("t", pd.DataFrame({"k": [2, 3], "v": [2.5, 3.5]}), key=["k"])
    assert (res.inserted, res.updated) == (1, 1)
    assert _types(store, "t")["v"] == "DOUBLE"  # the rows' type: t is no contract table
    assert _rows(store, "t") == [(1, None), (2, 2.5), (3, 3.5)]
    # the next upsert (through the in-memory key index) matches on the widened table
    res = store.upsert("t", pd.DataFrame({"k": [3], "v": [3.5], "w": ["x"]}), key=["k"])
    assert (res.inserted, res.updated, res.unchanged) == (0, 1, 0)
    assert _rows(store, "t") == [(1, None, None), (2, 2.5, None), (3, 3.5, "x")]


def test_a_contract_table_gains_the_contract_type(store):
    # a posts table as an older micromix made it: without the author fields
    for c in NEW:
        store.sql(f'ALTER TABLE posts DROP COLUMN "{c}"')
    old = pd.DataFrame({"post_id": ["p1"], "platform": ["tiktok"]})
    store.upsert("posts", old, key=["post_id"])
    new = pd.DataFrame(
        {
            "post_id": ["p1", "p2"],
            "platform": ["tiktok", "tiktok"],
            "author_name": ["Ann", "Paw Daily"],
            "author_verified": [False, True],
            "author_followers": [300.0, 800.0],  # floats in the rows, an int in the contract
            "note": [1.5, None],  # no contract column: the rows' type
        }
    )
    store.upsert("posts", pd.DataFrame(new.iloc[[1]]), key=["post_id"])
    types = _types(store, "posts")
    assert (types["author_name"], types["author_verified"]) == ("VARCHAR", "BOOLEAN")
    assert (types["author_followers"], types["note"]) == ("BIGINT", "DOUBLE")
    got = store.read("posts").set_index("post_id")
    assert got.loc["p2", "author_name"] == "Paw Daily" and got.loc["p2", "author_followers"] == 800
    assert got.loc["p1", NEW].isna().all()  # the older row: nulls


def test_a_failing_write_leaves_the_table_unchanged(store):
    with pytest.raises(Exception, match=r"(?i)conver|cast"):  # 'x' is no BIGINT for k
        store.append("t", pd.DataFrame({"k": ["x"], "v": ["c"]}))
    assert store.columns("t") == ["k"]
    with pytest.raises(RuntimeError, match="later step"), store.transaction():
        store.upsert("t", pd.DataFrame({"k": [2, 3], "v": ["b", "c"]}), key=["k"])
        assert store.columns("t") == ["k", "v"]  # seen inside the transaction
        raise RuntimeError("a later step of the same write failed")
    assert store.columns("t") == ["k"]
    assert _rows(store, "t") == [(1,), (2,)]


def test_a_column_added_after_a_delete_in_one_transaction_commits(store):
    # DuckDB refuses to commit a table ALTERed after rows of it were deleted in the same
    # transaction ("another transaction has altered this table"): such a table is rebuilt
    with store.transaction():
        store.delete_where("t", "k", [1])
        store.append("t", pd.DataFrame({"k": [3], "v": ["c"], "w": [1]}))
    assert store.columns("t") == ["k", "v", "w"]
    assert _rows(store, "t") == [(2, None, None), (3, "c", 1)]
    # an upsert that replaced rows, then one with a new column; truncate, then an append
    with store.transaction():
        store.upsert("t", pd.DataFrame({"k": [2]}), key=["k"])
        store.upsert("t", pd.DataFrame({"k": [4], "x": [0.5]}), key=["k"])
    assert _rows(store, "t") == [(2, None, None, None), (3, "c", 1, None), (4, None, None, 0.5)]
    with store.transaction():
        store.truncate("t")
        store.append("t", pd.DataFrame({"k": [5], "y": [True]}))
    assert _rows(store, "t") == [(5, None, None, None, True)]


def test_a_rebuilt_table_is_rolled_back_with_its_write(store):
    with pytest.raises(RuntimeError, match="later step"), store.transaction():
        store.delete_where("t", "k", [1])
        store.append("t", pd.DataFrame({"k": [3], "v": ["c"]}))
        raise RuntimeError("a later step of the same write failed")
    assert store.columns("t") == ["k"] and _rows(store, "t") == [(1,), (2,)]


def test_a_delete_by_raw_sql_before_the_column_is_added_fails_at_commit_clearly(store):
    with pytest.raises(StoreError, match=r"nothing was written.*\(t: v\)"), store.transaction():
        store.sql("DELETE FROM t WHERE k = 1")
        store.append("t", pd.DataFrame({"k": [3], "v": ["c"]}))
    assert store.columns("t") == ["k"] and _rows(store, "t") == [(1,), (2,)]
    store.append("t", pd.DataFrame({"k": [3], "v": ["c"]}))  # the store still writes
    assert _rows(store, "t") == [(1, None), (2, None), (3, "c")]


def test_writes_before_the_new_column_in_one_transaction_are_kept(store):
    with store.transaction():
        store.append("t", pd.DataFrame({"k": [3]}))
        store.upsert("t", pd.DataFrame({"k": [4], "v": ["d"]}), key=["k"])
    assert _rows(store, "t") == [(1, None), (2, None), (3, None), (4, "d")]
