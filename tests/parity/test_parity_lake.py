"""Date-partitioned Parquet (the streamed simulator's output) read by DuckDB and by Spark."""

from __future__ import annotations

import pyarrow.dataset as ds
import pytest
from _parity import SPARK_MARKS, assert_same

from micromix.metrics import compute_kpis
from micromix.simulate.stream import PARTITION_COLUMN, write_events
from micromix.store import Store

pytestmark = SPARK_MARKS


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    out = tmp_path_factory.mktemp("lake")
    res = write_events(out, events=30_000, days=10, shard_users=3_000, seed=4)
    return out, res


def test_partitioned_lake_same_on_both_engines(spark, lake):
    out, res = lake
    parts = sorted(p.name for p in (out / "events").iterdir())
    assert len(parts) == 10 and parts[0].startswith(f"{PARTITION_COLUMN}=")
    assert ds.dataset(out / "events", partitioning="hive").count_rows() == res.events
    duck = Store.open(out)
    sp = Store.open(out, backend="pyspark", read_only=True)
    try:
        assert duck.count("events") == sp.count("events") == res.events
        a = compute_kpis(duck, by=[PARTITION_COLUMN, "platform"], source="events")
        b = compute_kpis(sp, by=[PARTITION_COLUMN, "platform"], source="events")
        assert a[PARTITION_COLUMN].nunique() == 10
        assert_same(a, b)

        def one_day(t):  # partition pruning on both engines
            return t[PARTITION_COLUMN] == a[PARTITION_COLUMN].iloc[0]

        a1 = compute_kpis(duck, by=["strategy"], source="events", where=one_day)
        b1 = compute_kpis(sp, by=["strategy"], source="events", where=one_day)
        assert_same(a1, b1)
        ids = duck.sql("SELECT count(DISTINCT event_id) AS n FROM events")["n"].iloc[0]
        assert ids == res.events  # shard prefixes keep ids unique
    finally:
        duck.close()
        sp.close()


def test_spark_appends_into_partitions(spark, lake, tmp_path):
    out, _ = lake
    import shutil

    copy = tmp_path / "lake"
    shutil.copytree(out, copy)
    sp = Store.open(copy, backend="pyspark", create_tables=False)
    try:
        before = sp.count("events")
        extra = sp.read("events").head(7).assign(event_id=lambda d: "x" + d["event_id"])
        sp.append("events", extra)
        assert sp.count("events") == before + 7
        assert not list((copy / "events").glob("*.parquet"))  # still only partition folders
    finally:
        sp.close()
    with Store.open(copy) as duck:
        assert duck.count("events") == before + 7
