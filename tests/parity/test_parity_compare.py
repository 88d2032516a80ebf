"""Strategy comparison (Ibis aggregations + numpy bootstrap), DuckDB vs PySpark.

The comparison sorts every frame it bootstraps and takes time differences in pandas, so the
intervals are identical on both engines (DuckDB's epoch is fractional, Spark's whole seconds).
"""

from __future__ import annotations

import pytest
from _parity import SPARK_MARKS, assert_same

from micromix.metrics.compare import compare_strategies

pytestmark = SPARK_MARKS


@pytest.mark.parametrize("comparison", ["ugc-vs-paid", "micro-vs-mass", "creator-tiers"])
def test_comparison_equal(duck, sparkst, comparison):
    a = compare_strategies(duck, comparison, n_boot=60, seed=3)
    b = compare_strategies(sparkst, comparison, n_boot=60, seed=3)
    assert len(a.table) >= 2
    assert_same(a.table, b.table)
    assert a.conclusion == b.conclusion
    assert a.table["days_to_conversion"].notna().any()
