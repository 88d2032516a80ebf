"""What a backend cannot do, said by markers, and the dialect differences that are handled."""

from __future__ import annotations

import ibis.common.exceptions as ibis_exc
import pytest
from _parity import SPARK_MARKS

from micromix.errors import StoreError
from micromix.store.portable import epoch_seconds_expr

pytestmark = SPARK_MARKS


def test_epoch_seconds_differ_but_portable_form_agrees(duck, sparkst):
    """DuckDB's epoch is fractional, Spark's whole seconds; ``epoch_seconds_expr`` floors both.

    (Ibis types ``epoch_seconds()`` as int32, so DuckDB's fraction shows only inside arithmetic
    or a cast, e.g. a difference of two epochs: exactly what the comparison used to do.)
    """

    def run(st, portable):
        t = st.table("events")
        e = epoch_seconds_expr(t.ts) if portable else t.ts.epoch_seconds().cast("float64")
        return st.execute(t.select(t.event_id, e=e).order_by("event_id").limit(200))["e"]

    raw_d, raw_s = run(duck, False), run(sparkst, False)
    assert (raw_d % 1 != 0).any() and (raw_s % 1 == 0).all()
    assert (run(duck, True).to_numpy() == run(sparkst, True).to_numpy()).all()


@pytest.mark.xfail(
    raises=StoreError,
    strict=True,
    reason="ibis' pyspark compiler has no ExtractMicrosecond: Store.execute raises "
    "StoreError wrapping UnsupportedOperationError",
)
def test_microsecond_extraction_unsupported_on_spark(sparkst):
    t = sparkst.table("events")
    sparkst.execute(t.select(us=t.ts.microsecond()).limit(1))


@pytest.mark.xfail(
    raises=ibis_exc.UnsupportedOperationError,
    strict=True,
    reason="ibis' pyspark compiler cannot compile ExtractMicrosecond",
)
def test_microsecond_sql_does_not_compile_for_spark(sparkst):
    t = sparkst.table("events")
    sparkst.ibis.compile(t.select(us=t.ts.microsecond()))


def test_distinct_window_count_fails_on_spark_not_duckdb(duck, sparkst):
    """Spark rejects COUNT(DISTINCT ...) OVER (...); the KPI engine never uses it."""

    def q(st):
        t = st.table("events")
        return st.execute(t.select(n=t.user_id.nunique().over(group_by=t.platform)).limit(1))

    assert len(q(duck)) == 1
    with pytest.raises(StoreError, match="query failed on pyspark"):
        q(sparkst)
