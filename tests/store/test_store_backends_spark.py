"""The store's write API on Spark behaves as on DuckDB (counts, contents, rollback)."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.errors import StoreError
from micromix.store import Store

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in.*socket:pytest.PytestUnraisableExceptionWarning"
    ),
    pytest.mark.filterwarnings("ignore:unclosed <socket:ResourceWarning"),
]


def _both(spark):
    return Store.open(":memory:"), Store.open(":memory:", backend="pyspark")


def _frame(st, name):
    return st.read(name).sort_values("k").reset_index(drop=True)


def test_writes_match_duckdb(spark):
    duck, sp = _both(spark)
    try:
        first = pd.DataFrame(
            {
                "k": [1, 2, 3],
                "v": ["a", "b", None],
                "ts": pd.to_datetime(["2024-05-01", "2024-05-02", "2024-05-03"], utc=True),
            }
        )
        again = pd.DataFrame(
            {
                "k": [3, 4, 1],
                "v": ["c", "d", "a"],
                "ts": pd.to_datetime(["2024-05-03", "2024-05-04", "2024-05-01"], utc=True),
            }
        )
        for st in (duck, sp):
            assert st.append("t", first).inserted == 3
        ra, rb = duck.upsert("t", again, key=["k"]), sp.upsert("t", again, key=["k"])
        assert (
            (ra.inserted, ra.updated, ra.unchanged)
            == (rb.inserted, rb.updated, rb.unchanged)
            == (1, 1, 1)
        )
        pd.testing.assert_frame_equal(_frame(duck, "t"), _frame(sp, "t"))
        assert duck.delete_where("t", "k", [1, 4]) == sp.delete_where("t", "k", [1, 4]) == 2
        pd.testing.assert_frame_equal(_frame(duck, "t"), _frame(sp, "t"))
        for st in (duck, sp):
            st.truncate("t")
            assert st.count("t") == 0 and "t" in st.tables()
            st.replace("t", first)
        pd.testing.assert_frame_equal(_frame(duck, "t"), _frame(sp, "t"))
        assert sp.has_table("events") and sp.count("events") == 0  # contract tables exist
    finally:
        duck.close()
        sp.close()


def test_transaction_rolls_back_on_spark(spark):
    sp = Store.open(":memory:", backend="pyspark")
    try:
        sp.append("t", pd.DataFrame({"k": [1, 2]}))
        with pytest.raises(RuntimeError), sp.transaction():
            sp.append("t", pd.DataFrame({"k": [3]}))
            sp.upsert("t", pd.DataFrame({"k": [1]}), key=["k"])
            sp.append("new_table", pd.DataFrame({"k": [9]}))
            assert sp.count("t") == 3
            raise RuntimeError("boom")
        assert sorted(sp.read("t")["k"]) == [1, 2]
        assert not sp.has_table("new_table")
    finally:
        sp.close()


def test_ingest_file_on_spark(spark, tmp_path):
    from micromix.ingest import ingest_file

    p = tmp_path / "clicks.csv"
    p.write_text(
        "event_id,timestamp,user,event\ne1,2024-05-01T10:00:00Z,u1,click\ne2,yesterday,u2,click\n"
    )
    sp = Store.open(tmp_path / "lake", backend="pyspark")
    try:
        rep = ingest_file(sp, "events", p)
        assert (rep.accepted, rep.quarantined) == (1, 1)
        assert sp.count("events") == 1 and sp.count("quarantine") == 1
        again = ingest_file(sp, "events", p)
        assert again.accepted == 1 and sp.count("events") == 1  # idempotent
    finally:
        sp.close()
    with Store.open(tmp_path / "lake") as duck:  # the same folder read by DuckDB
        assert duck.count("events") == 1
        with pytest.raises(StoreError, match="read-only"):
            duck.truncate("events")
