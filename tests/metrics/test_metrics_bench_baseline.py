"""The KPI benchmark's hand-written baselines compute what micromix computes.

``benchmarks/bench_kpis.py`` compares micromix against one DuckDB SQL statement and a Polars
query; a ratio is only worth printing if the three compute the same KPIs. When a KPI's
definition changes (e.g. ratios of spend counting the strategies with spend only) this test
fails until the baselines follow, instead of the benchmark quietly timing different work.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from micromix.ingest.market import load_market
from micromix.metrics import compute_kpis
from micromix.simulate import SimConfig, simulate
from micromix.store import Store

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_kpis.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_kpis", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_kpis"] = mod
    spec.loader.exec_module(mod)
    yield mod
    sys.modules.pop("bench_kpis", None)


@pytest.fixture(scope="module")
def store():
    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=6_000, days=21, seed=5)))
    yield st
    st.close()


def _same(a: pd.DataFrame, b: pd.DataFrame, cols: list[str]) -> None:
    a = a.reset_index(drop=True)
    b = b.reset_index(drop=True)
    assert len(a) == len(b)
    for c in cols:
        x = pd.to_numeric(a[c], errors="coerce").to_numpy(dtype="float64")
        y = pd.to_numeric(b[c], errors="coerce").to_numpy(dtype="float64")
        assert np.array_equal(np.isnan(x), np.isnan(y)), c
        ok = ~np.isnan(x)
        np.testing.assert_allclose(x[ok], y[ok], rtol=1e-9, err_msg=c)


@pytest.mark.parametrize("subset", [False, True])
def test_sql_baseline_equals_micromix(bench, store, subset):
    kpis = bench.SUBSET if subset else None
    ours = compute_kpis(store, by=bench.BY, source="events", kpis=kpis)
    sql = (bench.SUBSET_SQL if subset else bench.FULL_SQL).format(events="events")
    theirs = store.sql(sql)
    ours = ours.sort_values(bench.BY, na_position="last", kind="stable")
    theirs = theirs.sort_values(bench.BY, na_position="last", kind="stable")
    for k in bench.BY:
        keys = ours[k].astype(object).where(ours[k].notna(), None).tolist()
        assert keys == theirs[k].astype(object).where(theirs[k].notna(), None).tolist()
    cols = bench.SUBSET if subset else bench.FULL
    _same(ours, theirs, cols)
    # the store has strategies without spend, so the paid-only definitions are exercised
    assert theirs["cpa"].isna().any() or subset
