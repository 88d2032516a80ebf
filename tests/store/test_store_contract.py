"""The Store contract: engines side by side, data versions, reads that do not wait for writes."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from micromix.errors import ConfigError, StoreError
from micromix.store import Store
from micromix.store.base import IMPLEMENTATIONS, column_names, ident, to_arrow
from micromix.store.duckdb_store import DuckDBStore


def test_implementations_stand_side_by_side():
    import importlib

    classes = []
    for target in set(IMPLEMENTATIONS.values()):
        module, _, name = target.partition(":")
        try:
            cls = getattr(importlib.import_module(module), name)
        except ImportError:  # pragma: no cover - an optional engine missing
            continue
        classes.append(cls)
        assert issubclass(cls, Store)
        # each implements the contract directly: no store subclasses another store
        assert [b for b in cls.__mro__[1:] if b is not Store and issubclass(b, Store)] == []
    assert DuckDBStore in classes
    abstract = Store.__abstractmethods__
    assert {"execute", "upsert", "transaction", "connect", "version"} - {"version"} <= abstract
    with pytest.raises(TypeError):
        Store()  # type: ignore[abstract]


def test_open_picks_the_engine_and_refuses_a_mismatched_subclass():
    st = DuckDBStore.open(":memory:")
    assert type(st) is DuckDBStore and st.engine == "duckdb" and "DuckDBStore" in repr(st)
    with pytest.raises(ConfigError, match="cannot open a pyspark store"):
        DuckDBStore.open(":memory:", backend="pyspark")
    st.close()


def test_helpers():
    assert ident("events") == '"events"'
    with pytest.raises(ConfigError):
        ident("x; drop table y")
    df = pd.DataFrame({"a": [1], "ts": pd.to_datetime(["2024-01-01"], utc=True)})
    tbl = to_arrow(df)
    assert column_names(tbl) == column_names(df) == ["a", "ts"]
    assert tbl.schema.field("ts").type.tz is None


def test_versions_count_writes_per_table():
    st = Store.open(":memory:")
    assert st.version() == 0
    st.append(
        "events", pd.DataFrame({"event_id": ["1"], "user_id": ["u"], "event_type": ["click"]})
    )
    st.upsert("notes", pd.DataFrame({"k": [1]}), key=["k"])
    v = st.version()
    assert st.version(["events"]) == 1 and st.version(["notes"]) == 1 and v == 2
    assert st.version(exclude=["notes"]) == 1
    assert st.delete_where("notes", "k", [99]) == 0  # nothing deleted: nothing written
    assert st.version() == v
    st.truncate("notes")
    assert st.version(["notes"]) == 2
    st.close()


def test_a_read_during_a_write_transaction_sees_the_last_commit(tmp_path):
    st = Store.open(tmp_path / "c.duckdb")
    st.append("t", pd.DataFrame({"k": [1]}))
    inside, release = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def writer():
        with st.transaction():
            st.append("t", pd.DataFrame({"k": [2]}))
            seen["writer"] = st.count("t")  # the writer sees its own row
            inside.set()
            release.wait(10)

    w = threading.Thread(target=writer)
    w.start()
    assert inside.wait(10)
    t0 = time.perf_counter()
    seen["reader"] = st.count("t")
    seen["reader_rows"] = st.read("t")["k"].tolist()
    seen["waited"] = time.perf_counter() - t0
    release.set()
    w.join()
    assert seen["writer"] == 2 and seen["reader"] == 1 and seen["reader_rows"] == [1]
    assert seen["waited"] < 5
    assert sorted(st.read("t")["k"]) == [1, 2]
    st.close()
    with pytest.raises(StoreError, match="closed"):
        threading.Thread(target=lambda: st.count("t")).run()


def test_raw_sql_writes_wait_for_the_writer_and_reads_do_not(tmp_path):
    st = Store.open(tmp_path / "s.duckdb")
    st.sql("CREATE TABLE z AS SELECT 1 AS k")
    assert st.sql("SELECT count(*) AS n FROM z")["n"].iloc[0] == 1
    st.close()


def test_many_threads_read_while_one_writes(tmp_path):
    st = Store.open(tmp_path / "m.duckdb")
    st.append("t", pd.DataFrame({"k": range(100)}))
    errors: list[BaseException] = []

    def read_many():
        try:
            for _ in range(20):
                n = st.count("t")
                assert n >= 100 and n % 100 == 0
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    readers = [threading.Thread(target=read_many) for _ in range(4)]
    for r in readers:
        r.start()
    for i in range(5):
        st.append("t", pd.DataFrame({"k": range(100 * (i + 1), 100 * (i + 2))}))
    for r in readers:
        r.join()
    assert not errors and st.count("t") == 600
    st.close()
