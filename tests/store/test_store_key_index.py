"""The in-memory key index behind DuckDB upserts: it may skip the join, never a replacement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micromix.store import Store
from micromix.store._keys import KeyIndex


def test_key_index_answers_false_only_for_absent_hashes() -> None:
    rng = np.random.default_rng(3)
    stored = rng.integers(0, 2**63, 5_000, dtype=np.uint64)
    ix = KeyIndex(stored[:3_000], rows=3_000)
    for chunk in np.array_split(stored[3_000:], 20):  # folds recent keys into the sorted array
        ix.add(chunk, inserted=len(chunk))
    assert ix.rows == 5_000 and len(ix) == 5_000
    assert ix.may_hold(stored).all()
    fresh = rng.integers(0, 2**63, 2_000, dtype=np.uint64)
    assert not ix.may_hold(np.setdiff1d(fresh, stored)).any()
    assert not KeyIndex(np.array([], dtype=np.uint64), rows=0).may_hold(fresh).any()


def _rows(keys: list[int], value: str) -> pd.DataFrame:
    return pd.DataFrame({"k": [f"id-{k}" for k in keys], "v": [value] * len(keys)})


def _stored(st_: Store) -> dict[str, str]:
    df = st_.read("t")
    assert df["k"].is_unique, "a key is stored twice"
    return dict(zip(df["k"], df["v"]))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["upsert", "upsert", "upsert", "delete", "append", "sql", "fail"]),
            st.lists(st.integers(0, 40), min_size=1, max_size=12, unique=True),
            st.sampled_from(["a", "b"]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_upserts_match_a_dict_whatever_else_writes(ops: list[tuple[str, list[int], str]]) -> None:
    """Any mix of upserts, deletes, plain appends, raw SQL and failed transactions: the table
    and the inserted/updated/unchanged counts are what a dict of key -> value gives."""
    store = Store.open(":memory:")
    model: dict[str, str] = {}
    for op, keys, value in ops:
        frame = _rows(keys, value)
        if op == "upsert":
            got = store.upsert("t", frame, key=["k"])
            ids = list(frame["k"])
            assert got.inserted == sum(k not in model for k in ids)
            assert got.unchanged == sum(model.get(k) == value for k in ids)
            assert got.updated == sum(k in model and model[k] != value for k in ids)
            model.update(dict.fromkeys(ids, value))
        elif op == "delete" and store.has_table("t"):
            store.delete_where("t", "k", list(frame["k"]))
            for k in frame["k"]:
                model.pop(k, None)
        elif op == "append" and store.has_table("t"):
            new = frame[~frame["k"].isin(list(model))]
            store.append("t", new)
            model.update(dict(zip(new["k"], new["v"])))
        elif op == "sql" and store.has_table("t"):
            k = frame["k"].iloc[0]
            if k not in model:
                store.sql("INSERT INTO t VALUES (?, ?)", [k, value])
                model[k] = value
        elif op == "fail":
            with pytest.raises(RuntimeError), store.transaction():
                store.upsert("t", frame, key=["k"])
                raise RuntimeError("rolled back")
        if store.has_table("t"):
            assert _stored(store) == model


def test_a_second_store_on_the_file_turns_the_index_off(tmp_path: Path) -> None:
    """Writes through another connection in this process are invisible to an index: with two
    stores open on one file, upserts go by the join and stay exact."""
    db = str(tmp_path / "k.duckdb")
    a = Store.open(db)
    a.upsert("t", _rows([1, 2], "a"), key=["k"])
    a.upsert("t", _rows([3], "a"), key=["k"])  # the second upsert builds the index
    b = Store.open(db)
    try:
        b.upsert("t", _rows([4, 5], "b"), key=["k"])
        b.upsert("t", _rows([6], "b"), key=["k"])
        got = a.upsert("t", _rows([4, 7], "a"), key=["k"])
        assert (got.inserted, got.updated) == (1, 1)
    finally:
        b.close()
    got = a.upsert("t", _rows([5, 8], "a"), key=["k"])  # alone again: rebuilt, still exact
    assert (got.inserted, got.updated) == (1, 1)
    assert _stored(a) == {f"id-{k}": ("b" if k == 6 else "a") for k in range(1, 9)}
    a.close()


def test_batch_key_types_that_differ_from_the_table_still_match() -> None:
    """A batch whose key arrives as int32 (or as text) hashes as the table's BIGINT does."""
    store = Store.open(":memory:")
    store.upsert("n", pd.DataFrame({"k": np.array([1, 2], dtype="int64"), "v": ["a", "a"]}), ["k"])
    store.upsert("n", pd.DataFrame({"k": np.array([3], dtype="int64"), "v": ["a"]}), ["k"])
    small = pa.table({"k": pa.array([2, 4], pa.int32()), "v": ["b", "b"]})
    got = store.upsert("n", small, key=["k"])
    assert (got.inserted, got.updated) == (1, 1)
    text = pa.table({"k": pa.array(["3", "5"]), "v": ["c", "c"]})
    got = store.upsert("n", text, key=["k"])
    assert (got.inserted, got.updated) == (1, 1)
    df = store.read("n")
    assert sorted(df["k"]) == [1, 2, 3, 4, 5] and df["k"].is_unique


def test_null_and_composite_keys_replace_their_rows() -> None:
    store = Store.open(":memory:")
    frame = pd.DataFrame({"a": ["x", None, "y"], "b": [1, 2, None], "v": [1.0, 2.0, 3.0]})
    store.upsert("c", frame, key=["a", "b"])
    store.upsert("c", frame.assign(v=[1.0, 2.0, 9.0]), key=["a", "b"])
    got = store.upsert("c", frame.assign(v=[5.0, 2.0, 9.0]), key=["a", "b"])
    assert (got.inserted, got.updated, got.unchanged) == (0, 1, 2)
    assert store.count("c") == 3
