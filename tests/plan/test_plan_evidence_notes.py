"""Sentences the report shows where a part of the evidence is missing."""

from __future__ import annotations

import pandas as pd

from micromix.plan.evidence import Evidence, _trends
from micromix.store import Store


def test_no_weekly_trend_names_what_a_report_reader_can_run():
    """The report has no --grain or --spread: its note says which command gives the trend."""
    st = Store.open(":memory:")
    st.append(
        "ad_performance",
        pd.DataFrame(
            {
                "date": pd.to_datetime(["2024-01-01", "2024-01-10"]),
                "date_end": pd.to_datetime(["2024-01-31", None]),
                "platform": ["facebook", "facebook"],
                "strategy": ["paid_social", "paid_social"],
                "campaign_id": ["m", "d"],
                "impressions": [1000, 50],
                "clicks": [10, 1],
                "spend": [100.0, 5.0],
                "currency": ["EUR", "EUR"],
            }
        ),
    )
    ev = Evidence(store_path=":memory:", n_boot=10, level=0.9, seed=0)
    _trends(ev, st)
    note = ev.notes["trends:strategy"]
    assert note.startswith("No weekly trend by strategy: 1 ad row(s) cover more than one week")
    assert "campaign m: 2024-01-01..2024-01-31" in note
    assert "'micromix kpis --by strategy --grain week --spread'" in note
    assert "coarser" not in note and "use no --grain" not in note
