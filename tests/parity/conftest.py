"""Fixtures of the DuckDB-vs-PySpark parity suite: one SparkSession, one simulated market.

The whole suite skips (with the reason) when pyspark or a Java runtime is missing.
"""

from __future__ import annotations

import os
import shutil

import pytest

#: Spark settings for tests: 2 local threads, few shuffle partitions, loopback only
TEST_SPARK_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "2g",
    "spark.sql.adaptive.coalescePartitions.initialPartitionNum": "2",
}


def spark_skip_reason() -> str | None:
    """Why Spark tests cannot run here, or None."""
    try:
        import pyspark  # noqa: F401
        from ibis.backends import pyspark as _ibis_pyspark  # noqa: F401
    except ImportError:
        return "pyspark / ibis-framework[pyspark] not installed (pip install 'micromix[spark]')"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "no Java runtime (install Java 17 and set JAVA_HOME)"
    return None


@pytest.fixture(scope="session")
def spark():
    reason = spark_skip_reason()
    if reason:
        pytest.skip(reason)
    from micromix.store.backends import parse_backend, spark_session, stop_spark

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = spark_session(parse_backend("pyspark://local[2]"), conf=TEST_SPARK_CONF)
    yield session
    stop_spark()


@pytest.fixture(scope="session")
def parity_market():
    from micromix.simulate import SimConfig, simulate

    return simulate(SimConfig(users=2_500, days=35, seed=21))


@pytest.fixture(scope="session")
def duck(parity_market):
    from micromix.ingest.market import load_market
    from micromix.store import Store

    st = Store.open(":memory:")
    load_market(st, parity_market)
    yield st
    st.close()


@pytest.fixture(scope="session")
def sparkst(spark, parity_market):
    from micromix.ingest.market import load_market
    from micromix.store import Store

    st = Store.open(":memory:", backend="pyspark")
    load_market(st, parity_market)
    yield st
    st.close()


@pytest.fixture(autouse=True)
def _collect_pyspark_sockets():
    """Finalise pyspark's leaked result sockets inside the test that made them."""
    yield
    import gc

    gc.collect()
