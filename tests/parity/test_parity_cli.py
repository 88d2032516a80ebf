"""``micromix kpis --backend pyspark`` prints the same table as the default backend."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from _parity import SPARK_MARKS, assert_same
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.ingest.market import load_market
from micromix.store import Store

pytestmark = SPARK_MARKS


@pytest.fixture(scope="module")
def db_file(tmp_path_factory, parity_market):
    path = tmp_path_factory.mktemp("cli") / "m.duckdb"
    with Store.open(path) as st:
        load_market(st, parity_market)
    return path


@pytest.mark.parametrize(
    "args",
    [["--by", "platform,strategy", "--grain", "week"], ["--by", "campaign_id", "--source", "ads"]],
)
def test_kpis_cli_same_table(spark, db_file, args):
    runner = CliRunner()
    outs = {}
    for backend in ("duckdb", "pyspark"):
        res = runner.invoke(
            app, ["kpis", "--db", str(db_file), "--backend", backend, "--json", *args]
        )
        assert res.exit_code == 0, res.output
        outs[backend] = json.loads(res.stdout)
    assert outs["duckdb"]["notes"] == outs["pyspark"]["notes"]
    assert len(outs["duckdb"]["rows"]) > 0
    a, b = pd.DataFrame(outs["duckdb"]["rows"]), pd.DataFrame(outs["pyspark"]["rows"])
    assert_same(a, b)  # identical up to float summation order (rtol 1e-9)


def test_kpis_cli_writes_refused_clearly(spark, db_file):
    st = Store.open(db_file, backend="pyspark", read_only=True)
    try:
        from micromix.errors import StoreError

        with pytest.raises(StoreError, match="read-only copy"):
            st.append("events", st.read("events").head(1))
    finally:
        st.close()
