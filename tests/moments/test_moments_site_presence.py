"""Brand presence is not claimed from a site's own analytics: there every session has a page
view, so "the brand showed up" is true by construction (review r28a #12)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from micromix.moments.sessions import moment_kpis, tag_sessions


def _events(types_by_session: dict[str, list[str]]) -> pd.DataFrame:
    rows = [
        (sid, i, t, "buy dog food" if t == "search" else None)
        for sid, types in types_by_session.items()
        for i, t in enumerate(types)
    ]
    return pd.DataFrame(
        {
            "session_id": [r[0] for r in rows],
            "ts": pd.Timestamp("2024-05-01", tz="UTC")
            + pd.to_timedelta([r[1] for r in rows], "min"),
            "event_type": [r[2] for r in rows],
            "query": [r[3] for r in rows],
        }
    )


def test_site_analytics_leave_brand_presence_unmeasured_with_a_note() -> None:
    ev = _events(
        {
            "s1": ["session_start", "page_view", "search"],
            "s2": ["page_view", "purchase"],
            "s3": ["page_view"],
        }
    )
    s = tag_sessions(ev)
    assert s["brand_present"].isna().all()
    (note,) = s.attrs["notes"]
    assert "brand presence is not measured" in note and "by construction" in note
    k = moment_kpis(s)
    assert np.isnan(k.loc["all", "brand_presence"]) and k.attrs["notes"] == [note]
    assert k.loc["all", "conversion_rate"] == 1 / 3  # the other KPIs stand


def test_search_sessions_keep_their_measured_presence() -> None:
    ev = _events({"s1": ["search", "impression", "page_view"], "s2": ["search"]})
    s = tag_sessions(ev)
    assert s["brand_present"].tolist() == [True, False] and s.attrs["notes"] == []
    assert moment_kpis(s).loc["all", "brand_presence"] == 0.5
