"""Offline SQL compilation: the KPI and sessionisation expressions as BigQuery / Snowflake SQL.

No warehouse is contacted: the expressions are built on unbound tables (``ibis.table``) with the
contract schemas and compiled with ``ibis.to_sql``. The SQL is compared with the snapshots in
``tests/sql/snapshots/``; regenerate them after an intended change with::

    MICROMIX_UPDATE_SQL_SNAPSHOTS=1 pytest tests/sql
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from pathlib import Path

import ibis
import pytest
import sqlglot

from micromix.errors import ConfigError, MissingDependencyError
from micromix.metrics.kpis import kpi_expr
from micromix.schema import SCHEMAS
from micromix.store import Store
from micromix.store.backends import parse_backend
from micromix.store.portable import bucket_counts_expr, session_summary_expr, sessionize_expr

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("MICROMIX_UPDATE_SQL_SNAPSHOTS") == "1"
DIALECTS = ("bigquery", "snowflake")
_DRIVERS = {
    "bigquery": "google.cloud.bigquery",
    "snowflake": "snowflake.connector",
    "databricks": "databricks.sql",
}
_IBIS_TYPES = {
    "string": "string",
    "int": "int64",
    "float": "float64",
    "bool": "boolean",
    "timestamp": "timestamp",
    "date": "date",
}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def unbound(name: str) -> ibis.Table:
    """An unbound Ibis table with the contract schema of ``name``."""
    schema = SCHEMAS[name]
    return ibis.table({f.name: _IBIS_TYPES[f.dtype] for f in schema.fields}, name=name)


def _exprs() -> dict[str, ibis.Table]:
    ev, ads = unbound("events"), unbound("ad_performance")
    out = {
        "kpis_events_total": kpi_expr(ev, source="events"),
        "kpis_events_platform_week": kpi_expr(ev, source="events", by=["platform"], grain="week"),
        "kpis_events_strategy_targeting_day": kpi_expr(
            ev, source="events", by=["strategy", "targeting"], grain="day"
        ),
        "kpis_ads_campaign_month": kpi_expr(ads, source="ads", by=["campaign_id"], grain="month"),
        "sessionize_30min": sessionize_expr(ev, gap_minutes=30),
        "bucket_counts_moment_region_1h": bucket_counts_expr(
            ev, width=3600, key_cols=["moment", "region"]
        ),
    }
    with contextlib.suppress(ImportError):  # moments package absent
        out["session_summary"] = session_summary_expr(ev)
    return out


EXPRS = _exprs()


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(EXPRS))
def test_sql_snapshot(name, dialect):
    sql = ibis.to_sql(EXPRS[name], dialect=dialect).strip() + "\n"
    sqlglot.parse_one(sql, read=dialect)  # valid in the target dialect
    path = SNAPSHOTS / f"{name}.{dialect}.sql"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(
                f"no snapshot {path.name}; run MICROMIX_UPDATE_SQL_SNAPSHOTS=1 pytest tests/sql"
            )
        path.write_text(sql)
    assert sql == path.read_text(), (
        f"{name} compiles to different {dialect} SQL than {path.name}; if intended, regenerate "
        "with MICROMIX_UPDATE_SQL_SNAPSHOTS=1 pytest tests/sql"
    )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_kpi_sql_reads_the_contract_tables(dialect):
    sql = ibis.to_sql(EXPRS["kpis_events_platform_week"], dialect=dialect)
    assert "events" in sql and "impression" in sql
    assert sql.upper().count("COUNT(DISTINCT") >= 1  # reach is a distinct count


def test_databricks_dialect_compiles():
    sql = ibis.to_sql(EXPRS["kpis_events_total"], dialect="databricks")
    assert "SELECT" in sql.upper()


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("bigquery://my-project/marketing", "bigquery"),
        ("snowflake://me:pw@acct/db/schema?warehouse=WH", "snowflake"),
        ("databricks://token:x@host/sql/1.0/warehouses/abc", "databricks"),
    ],
)
def test_warehouse_url_gives_install_hint_or_connects_lazily(url, extra):
    spec = parse_backend(url)
    assert spec.is_warehouse and spec.extra == extra
    if _installed(_DRIVERS[extra]):  # pragma: no cover
        pytest.skip(f"{_DRIVERS[extra]} installed; no {extra} warehouse is reachable from tests")
    with pytest.raises(MissingDependencyError, match=rf"pip install 'ibis-framework\[{extra}\]"):
        Store.open(backend=url)


def test_warehouse_url_without_location_is_refused():
    with pytest.raises(ConfigError, match="names no bigquery location"):
        parse_backend("bigquery://")
