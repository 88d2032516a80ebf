"""Sessionisation and session moments, DuckDB vs PySpark (and pushed down vs pandas)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _parity import SPARK_MARKS, assert_same

from micromix.store.portable import session_summary_expr, sessionize_expr

pytestmark = SPARK_MARKS

sessions = pytest.importorskip("micromix.moments.sessions", reason="moments.sessions not built yet")


def test_session_summary_equal(duck, sparkst):
    a = duck.execute(session_summary_expr(duck.table("events")))
    b = sparkst.execute(session_summary_expr(sparkst.table("events")))
    assert len(a) > 1000
    assert_same(a, b)


def test_gap_sessionisation_equal(duck, sparkst):
    def per_session(st):
        s = sessionize_expr(st.table("events"), gap_minutes=30)
        agg = s.group_by("session_key").aggregate(n=s.count(), first=s.ts.min(), last=s.ts.max())
        return st.execute(agg.order_by("session_key"))

    a, b = per_session(duck), per_session(sparkst)
    assert a["n"].sum() == duck.count("events")
    assert_same(a, b)


def test_gap_sessionisation_matches_pandas(duck):
    ev = duck.read("events", columns=["event_id", "user_id", "ts"])
    ev = ev.sort_values(["user_id", "ts", "event_id"], kind="stable")
    gap = ev.groupby("user_id")["ts"].diff() > pd.Timedelta(minutes=30)
    expected = (gap | ev["user_id"].ne(ev["user_id"].shift())).groupby(ev["user_id"]).cumsum()
    got = duck.execute(sessionize_expr(duck.table("events")).select("event_id", "session_seq"))
    got = got.set_index("event_id")["session_seq"].reindex(ev["event_id"]).to_numpy()
    np.testing.assert_array_equal(got, expected.to_numpy())


def _tagged(st):
    ev = st.read("events").sort_values("event_id", kind="stable").reset_index(drop=True)
    return sessions.tag_sessions(ev)


def test_tag_sessions_and_moment_kpis_equal(duck, sparkst):
    a, b = _tagged(duck), _tagged(sparkst)
    assert_same(a, b)
    ka, kb = sessions.moment_kpis(a), sessions.moment_kpis(b)
    assert_same(ka.reset_index(), kb.reset_index())
    assert ka.loc["all", "sessions"] == len(a) > 0


def test_pushed_down_summary_matches_tag_sessions(duck, sparkst):
    tagged = _tagged(duck).set_index("session_id").sort_index()
    pushed = sparkst.execute(session_summary_expr(sparkst.table("events"))).set_index("session_id")
    pushed = pushed.sort_index()
    assert list(tagged.index) == list(pushed.index)
    for c in (
        "n_events",
        "impressions",
        "clicks",
        "brand_present",
        "clicked",
        "engaged",
        "converted",
    ):
        np.testing.assert_array_equal(tagged[c].to_numpy(), pushed[c].to_numpy(), err_msg=c)
    for c in ("revenue", "cost"):
        np.testing.assert_allclose(
            tagged[c].to_numpy(dtype=float),
            pushed[c].to_numpy(dtype=float),
            rtol=1e-9,
            atol=1e-9,
            err_msg=c,
        )
    start = pd.to_datetime(tagged["start"], utc=True).dt.tz_localize(None).astype("datetime64[us]")
    assert (start.to_numpy() == pushed["start"].to_numpy()).all()
