from __future__ import annotations

import pandas as pd
import pytest

from micromix.errors import ConfigError, StoreError
from micromix.store import Store


def test_upsert_is_idempotent_and_counts(tmp_path):
    st = Store.open(tmp_path / "m.duckdb")
    df = pd.DataFrame({"k": ["a", "b", None], "v": [1, 2, 3]})
    r1 = st.upsert("t", df, key=["k"])
    assert (r1.inserted, r1.updated, r1.unchanged) == (3, 0, 0)
    r2 = st.upsert("t", df, key=["k"])
    assert (r2.inserted, r2.updated, r2.unchanged) == (0, 0, 3)
    r3 = st.upsert("t", pd.DataFrame({"k": [None, "c"], "v": [30, 4]}), key=["k"])
    assert (r3.inserted, r3.updated) == (1, 1)
    got = st.read("t").sort_values("v").reset_index(drop=True)
    assert got["v"].tolist() == [1, 2, 4, 30]
    st.close()


def test_transaction_rolls_back_everything(tmp_path):
    st = Store.open(tmp_path / "m.duckdb")
    st.append("t", pd.DataFrame({"k": [1]}))
    with pytest.raises(RuntimeError), st.transaction():
        st.append("t", pd.DataFrame({"k": [2]}))
        st.upsert("u", pd.DataFrame({"k": [9]}), key=["k"])
        raise RuntimeError("boom")
    assert st.read("t")["k"].tolist() == [1]
    assert not st.has_table("u")
    st.close()


def test_persistence_and_clear_errors(tmp_path):
    p = tmp_path / "m.duckdb"
    with Store.open(p) as st:
        st.append(
            "events",
            pd.DataFrame(
                {
                    "event_id": ["1"],
                    "ts": [pd.Timestamp("2024-01-01")],
                    "user_id": ["u"],
                    "event_type": ["click"],
                }
            ),
        )
    with Store.open(p, read_only=True) as st:
        assert st.count("events") == 1
        with pytest.raises(StoreError, match="ingest data first"):
            st.table("nope")
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "missing" / "x.duckdb")
    with pytest.raises(StoreError, match="no such database"):
        Store.open(tmp_path / "absent.duckdb", read_only=True)
    with pytest.raises(ConfigError, match="invalid table"):
        Store.open(":memory:").append("bad name;", pd.DataFrame({"a": [1]}))


def test_delete_where_and_contract_tables():
    st = Store.open(":memory:")
    for t in (
        "events",
        "ad_performance",
        "posts",
        "creators",
        "audience",
        "experiments",
        "quarantine",
        "ingest_log",
    ):
        assert st.has_table(t)
    st.append("audience", pd.DataFrame({"user_id": ["a", "b", "c"]}))
    assert st.delete_where("audience", "user_id", ["a", "c"]) == 2
    assert st.read("audience")["user_id"].tolist() == ["b"]
    assert st.delete_where("audience", "no_such_col", ["b"]) == 0


def test_a_frame_joined_in_a_query_is_not_listed_as_a_table_of_the_store():
    """The demo's report listed 'ibis_pandas_memtable_... 50,000 rows' among the store's tables:
    the moments summary semi-joins a sample of session ids held as an in-memory frame, which
    the engine registers as a temporary table on the connection."""
    import ibis

    from micromix.store import Store

    st = Store.open(":memory:")
    st.append("events", pd.DataFrame({"session_id": ["a", "b", "c"], "n": [1, 2, 3]}))
    t = st.table("events")
    ids = ibis.memtable(pd.DataFrame({"session_id": ["a", "c"]}))
    assert len(st.execute(t.semi_join(ids, "session_id"))) == 2
    engine_names = st.ibis.list_tables()  # what the engine itself lists
    assert any(n.startswith("ibis_pandas_memtable_") for n in engine_names)
    assert "events" in st.tables() and not any(n.startswith("ibis_") for n in st.tables())
    st.close()
