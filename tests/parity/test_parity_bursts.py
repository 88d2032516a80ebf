"""Burst detector batch mode on counts pushed down to each engine, DuckDB vs PySpark."""

from __future__ import annotations

import pytest
from _parity import SPARK_MARKS, assert_same

from micromix.store.portable import bucket_counts_expr

pytestmark = SPARK_MARKS

bursts = pytest.importorskip("micromix.moments.bursts", reason="moments.bursts not built yet")


def _search(t):
    return (t.event_type == "search") & t.moment.notnull() & t.region.notnull()


@pytest.mark.parametrize(("keys", "freq"), [(("event_type",), "1h"), (("moment", "region"), "1D")])
def test_bucket_counts_equal(duck, sparkst, keys, freq):
    spec = bursts.BurstSpec(freq=freq, min_history=3 if freq == "1D" else 24)

    def counts(st):
        t = st.table("events")
        where = _search(t) if "moment" in keys else None
        return st.execute(bucket_counts_expr(t, width=spec.width, key_cols=list(keys), where=where))

    a, b = counts(duck), counts(sparkst)
    assert int(a["n"].sum()) > 0
    assert_same(a, b)
    # the detector on pushed-down counts gives what it gives on the raw events
    ev = duck.read("events")
    if "moment" in keys:
        ev = ev[(ev["event_type"] == "search") & ev["moment"].notna() & ev["region"].notna()]
    raw = bursts.detect_bursts(
        ev, time_col="ts", key_col=list(keys) if len(keys) > 1 else keys[0], spec=spec
    )
    on_a = bursts.detect_bursts(a, time_col="bucket_start", key_col="key", count_col="n", spec=spec)
    on_b = bursts.detect_bursts(b, time_col="bucket_start", key_col="key", count_col="n", spec=spec)
    assert_same(raw, on_a)
    assert_same(on_a, on_b)


def test_injected_surges_found_on_spark(sparkst, parity_market):
    spec = bursts.BurstSpec(freq="1D", min_history=3)
    t = sparkst.table("events")
    counts = sparkst.execute(
        bucket_counts_expr(t, width=spec.width, key_cols=["moment", "region"], where=_search(t))
    )
    found = bursts.detect_bursts(
        counts, time_col="bucket_start", key_col="key", count_col="n", spec=spec
    )
    assert (found["kind"] == "burst").any()
