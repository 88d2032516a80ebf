"""Backend selection without Spark: URL parsing, warehouse install hints, Parquet lakes on DuckDB."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import ConfigError, MissingDependencyError, StoreError
from micromix.store import BACKENDS, Store
from micromix.store.backends import BackendSpec, parse_backend
from micromix.store.lake import lake_tables, write_parquet


@pytest.mark.parametrize(
    ("value", "kind", "master", "remote"),
    [
        (None, "duckdb", None, None),
        ("duckdb", "duckdb", None, None),
        ("pyspark", "pyspark", "local[*]", None),
        ("PySpark", "pyspark", "local[*]", None),
        ("pyspark://local[2]", "pyspark", "local[2]", None),
        ("local[4]", "pyspark", "local[4]", None),
        ("spark://10.1.2.3:7077", "pyspark", "spark://10.1.2.3:7077", None),
        ("k8s://https://k8s.example:443", "pyspark", "k8s://https://k8s.example:443", None),
        ("yarn", "pyspark", "yarn", None),
        ("sc://spark.example:15002", "pyspark", None, "sc://spark.example:15002"),
        ("bigquery://proj/dataset", "bigquery", None, None),
        ("snowflake://u:p@acct/db/schema?warehouse=WH", "snowflake", None, None),
        ("databricks://token:x@host/path", "databricks", None, None),
    ],
)
def test_parse_backend(value, kind, master, remote):
    spec = parse_backend(value)
    assert (spec.kind, spec.master, spec.remote) == (kind, master, remote)
    assert spec.kind in BACKENDS
    assert BackendSpec.from_dict(spec.to_dict()) == spec


def test_spark_url_options_become_spark_settings():
    spec = parse_backend("spark://h:7077?spark.executor.memory=8g&spark.sql.shuffle.partitions=64")
    assert spec.options == {"spark.executor.memory": "8g", "spark.sql.shuffle.partitions": "64"}
    assert spec.extra == "spark" and not spec.is_warehouse


@pytest.mark.parametrize("bad", ["oracle", "postgres://h/db", "sqlite:///x.db"])
def test_unknown_backend_named_with_allowed_values(bad):
    with pytest.raises(ConfigError, match="unknown backend") as err:
        parse_backend(bad)
    assert "pyspark" in str(err.value) and "bigquery" in str(err.value)


def test_missing_warehouse_driver_gives_install_hint():
    pytest.importorskip("ibis")
    try:
        import google.cloud.bigquery  # noqa: F401
    except ImportError:
        with pytest.raises(
            MissingDependencyError, match=r"pip install 'ibis-framework\[bigquery\]"
        ):
            Store.open(backend="bigquery://my-project/marketing")
    else:  # pragma: no cover
        pytest.skip("BigQuery driver installed; no BigQuery project is reachable from tests")


def test_settings_backend_env(monkeypatch):
    monkeypatch.setenv("MICROMIX_BACKEND", "oracle://x")
    with pytest.raises(ConfigError, match="unknown backend scheme 'oracle'"):
        Store.open(":memory:")


@pytest.fixture()
def lake(tmp_path):
    ev = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "user_id": ["u1", "u1", "u2"],
            "ts": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 11:00", "2024-05-02 09:00"]),
            "event_type": ["impression", "click", "impression"],
            "cost": [0.01, None, 0.02],
        }
    )
    import pyarrow as pa
    import pyarrow.dataset as ds

    tbl = pa.Table.from_pandas(ev.assign(event_date=ev["ts"].dt.date), preserve_index=False)
    ds.write_dataset(
        tbl,
        tmp_path / "events",
        format="parquet",
        partitioning=["event_date"],
        partitioning_flavor="hive",
    )
    write_parquet(pa.table({"k": [1, 2]}), tmp_path / "other")
    return tmp_path


def test_duckdb_reads_partitioned_lake(lake):
    assert lake_tables(lake) == ["events", "other"]
    with Store.open(lake) as st:
        assert st.tables() == ["events", "other"]
        assert st.count("events") == 3
        df = st.read("events").sort_values("event_id")
        assert df["event_date"].astype(str).tolist() == ["2024-05-01", "2024-05-01", "2024-05-02"]
        t = st.table("events")
        assert st.execute(t.filter(t.event_type == "impression").count()) == 2


def test_duckdb_lake_is_read_only(lake):
    with Store.open(lake) as st, pytest.raises(StoreError, match="read-only"):
        st.append("other", pd.DataFrame({"k": [3]}))


def test_empty_folder_is_refused(tmp_path):
    with pytest.raises(StoreError, match="no table folders"):
        Store.open(tmp_path)


def test_cli_bad_backend_is_one_clear_line(tmp_path):
    res = CliRunner().invoke(
        app, ["kpis", "--db", str(tmp_path / "x.duckdb"), "--backend", "oracle://db"]
    )
    assert res.exit_code != 0
    assert "unknown backend scheme 'oracle'" in res.output
    assert "Traceback" not in res.output


def test_streamed_events_form_a_partitioned_lake(tmp_path):
    from micromix.simulate.stream import PARTITION_COLUMN, shard_seed, write_events

    res = write_events(tmp_path, events=15_000, days=7, shard_users=2_500, seed=3)
    assert res.events >= 15_000 and res.shards >= 2 and res.days == 7
    parts = sorted(p.name for p in (tmp_path / "events").iterdir())
    assert len(parts) == 7 and all(p.startswith(f"{PARTITION_COLUMN}=2026-03-") for p in parts)
    with Store.open(tmp_path) as st:
        got = st.sql(
            "SELECT count(*) AS n, count(DISTINCT event_id) AS ids, "
            "count(DISTINCT substr(user_id, 1, 5)) AS shards, "
            "count(*) FILTER (WHERE CAST(ts AS DATE) <> event_date) AS misplaced FROM events"
        ).iloc[0]
    assert (got["n"], got["ids"], got["shards"], got["misplaced"]) == (
        res.events,
        res.events,
        res.shards,
        0,
    )
    assert shard_seed(3, 0) != shard_seed(3, 1) != shard_seed(4, 0)


def test_streamed_events_refuse_bad_arguments(tmp_path):
    from micromix.simulate.stream import write_events

    with pytest.raises(ConfigError, match="exactly one of events= or users="):
        write_events(tmp_path, days=7)
    write_events(tmp_path, users=200, days=7, shard_users=200)
    with pytest.raises(ConfigError, match="exists; pass overwrite=True"):
        write_events(tmp_path, users=200, days=7, shard_users=200)
    again = write_events(tmp_path, users=400, days=7, shard_users=200, overwrite=True)
    assert again.shards == 2
