"""The weekly totals of a daily analytics series are computed with the traffic reports (the
report only renders them)."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.errors import ConfigError
from micromix.metrics.traffic import traffic_reports, weekly_totals
from micromix.store import Store


def test_weekly_totals_sum_each_monday_to_sunday_week_and_count_its_days() -> None:
    s = pd.DataFrame(
        {
            "dimension_value": ["2025-03-02", "2025-03-03", "2025-03-09", "2025-03-10", "bad"],
            "sessions": [1, 2, 3, 4, 100],
            "revenue": [None, 1.5, None, None, 9.0],
        }
    )
    w = weekly_totals(s, ["sessions", "revenue"])
    assert w is not None
    assert list(w.columns) == ["week", "days", "sessions", "revenue"]
    assert w["week"].dt.strftime("%Y-%m-%d").tolist() == ["2025-02-24", "2025-03-03", "2025-03-10"]
    assert w["days"].tolist() == [1, 2, 1]
    assert w["sessions"].tolist() == [1, 5, 4]  # the undated row is left out
    assert w["revenue"].isna().tolist() == [True, False, True]  # no day reports it: empty
    assert w["revenue"][1] == 1.5


def test_no_dates_or_no_measures_give_no_weekly_totals() -> None:
    s = pd.DataFrame({"dimension_value": ["x", "y"], "sessions": [1, 2]})
    assert weekly_totals(s, ["sessions"]) is None
    assert weekly_totals(s.assign(dimension_value="2025-01-01"), []) is None


def _store(dimension: str, values: list[str]) -> Store:
    st = Store.open(":memory:")
    st.append(
        "traffic",
        pd.DataFrame(
            {
                "date": pd.to_datetime(["2025-03-01"] * len(values)),
                "date_end": pd.to_datetime(["2025-03-31"] * len(values)),
                "report": "Traffic acquisition",
                "dimension": dimension,
                "dimension_value": values,
                "sessions": range(1, len(values) + 1),
                "source_id": "f1",
                "source_row": range(1, len(values) + 1),
            }
        ),
    )
    return st


def test_a_daily_series_carries_its_weekly_totals_and_other_reports_none() -> None:
    days = [f"2025-03-{d:02d}" for d in range(1, 16)]  # Sat 1 .. Sat 15
    (r,) = traffic_reports(_store("day", days))
    assert r.series and r.weekly is not None
    assert r.weekly["days"].tolist() == [2, 7, 6]
    assert r.weekly["sessions"].sum() == sum(range(1, 16))
    assert r.to_dict()["weekly"][0]["days"] == 2
    (p,) = traffic_reports(_store("Page path", ["/", "/shop"]))
    assert p.weekly is None and p.to_dict()["weekly"] is None


def test_weekly_totals_never_add_up_users_of_several_days() -> None:
    # a user active on Monday and Tuesday is one user of the week, not two: the daily user
    # counts of a series do not add up to a week's, so no weekly figure of users is given
    days = [f"2025-03-{d:02d}" for d in range(3, 17)]
    st = _store("day", days)
    st.append(
        "traffic",
        pd.DataFrame(
            {
                "date": pd.to_datetime(["2025-03-01"]),
                "date_end": pd.to_datetime(["2025-03-31"]),
                "report": "Traffic acquisition",
                "dimension": "day",
                "dimension_value": ["2025-03-17"],
                "sessions": [1],
                "users": [40],
                "new_users": [9],
                "source_id": "f1",
                "source_row": [99],
            }
        ),
    )
    (r,) = traffic_reports(st)
    assert "users" in r.table.columns  # each day's own count is shown as reported
    assert r.weekly is not None
    assert list(r.weekly.columns) == ["week", "days", "sessions"]
    with pytest.raises(ConfigError, match="users"):
        weekly_totals(r.table, ["sessions", "users"])
