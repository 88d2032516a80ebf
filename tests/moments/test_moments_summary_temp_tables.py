"""The moments summary leaves no temporary table behind (brief moments30 #3).

Before: a sampled summary semi-joined the events against an ``ibis.memtable`` of the sampled
session ids, which ibis registered on the DuckDB connection and never dropped: each summary
left an ``ibis_pandas_memtable_...`` view (with its ids) on the connection of a long-running
service (``Store.tables()`` hides them since session 29, the connection still held them).
"""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.ingest.market import load_market
from micromix.moments import moment_summary
from micromix.simulate import SimConfig, simulate
from micromix.store import Store
from micromix.store.temporary import drop_frame_table, frame_table


def _engine_objects(st: Store) -> list[str]:
    listed = st.ibis.list_tables()
    shown = st.sql("SHOW ALL TABLES")["name"].tolist()
    return sorted({n for n in [*listed, *shown] if n.startswith("ibis_")})


@pytest.fixture(scope="module")
def store() -> Store:
    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=2_000, days=10, seed=4)))
    return st


def test_a_sampled_summary_drops_its_session_sample(store: Store) -> None:
    first = moment_summary(store, max_sessions=100)
    second = moment_summary(store, max_sessions=100)
    assert first.sampled and first.sessions_tagged == 100
    assert _engine_objects(store) == []
    pd.testing.assert_frame_equal(first.kpis, second.kpis)  # the same seeded sample


def test_the_frame_is_dropped_after_an_error_too(store: Store) -> None:
    with pytest.raises(RuntimeError), frame_table(store, pd.DataFrame({"x": [1, 2]})) as t:
        assert int(store.execute(t.x.sum())) == 3
        assert len(_engine_objects(store)) == 1
        raise RuntimeError("boom")
    assert _engine_objects(store) == []


def test_a_frame_never_run_is_left_alone(store: Store) -> None:
    import ibis

    assert drop_frame_table(store, ibis.memtable(pd.DataFrame({"x": [1]}))) is False
    with frame_table(store, pd.DataFrame({"x": [1]})) as t:  # used twice: registered once
        store.execute(t.x.sum())
        store.execute(t.count())
    assert _engine_objects(store) == []


def test_the_seeded_sample_does_not_depend_on_the_engine_row_order(store: Store) -> None:
    # DuckDB returns DISTINCT session ids in a varying order; the sample was drawn from that
    # order, so the same seed tagged other sessions from run to run. The same events stored
    # in the opposite order must give the same sample.
    events = store.read("events")
    kpis = []
    for df in (events, events.iloc[::-1]):
        st = Store.open(":memory:")
        st.append("events", df.reset_index(drop=True))
        kpis.append(moment_summary(st, max_sessions=100).kpis)
        st.close()
    pd.testing.assert_frame_equal(kpis[0], kpis[1])
