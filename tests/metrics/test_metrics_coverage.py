"""The spend of the KPI overview that the weekly trends do not hold, computed in the domain
(the report only words it)."""

from __future__ import annotations

import pandas as pd

from micromix.metrics.coverage import UncoveredSpend, uncovered_spend


def _overview() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "platform": ["facebook", "google", "google", "tiktok"],
            "currency": ["AUD", "GBP", "USD", "AUD"],
            "level": ["campaign", "campaign", "ad_set", None],
            "spend": [200.0, 1164.1, 300.0, 0.0],
        }
    )


def test_each_key_short_of_its_spend_is_a_row_with_the_part_held() -> None:
    weekly = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-06-01", "2026-06-08"]),
            "platform": ["facebook", "facebook"],
            "currency": ["AUD", "AUD"],
            "level": ["campaign", "campaign"],
            "spend": [100.0, 50.0],
        }
    )
    u = uncovered_spend(_overview(), weekly)
    assert isinstance(u, UncoveredSpend)
    assert u.rows.to_dict("records") == [
        {"platform": "facebook", "currency": "AUD", "level": "campaign", "spend": 200.0,
         "covered": 150.0},
        {"platform": "google", "currency": "GBP", "level": "campaign", "spend": 1164.1,
         "covered": 0.0},
        {"platform": "google", "currency": "USD", "level": "ad_set", "spend": 300.0,
         "covered": 0.0},
    ]  # fmt: skip
    # tiktok spent nothing: nothing to hold
    assert u.currencies == ["AUD", "GBP", "USD"]
    assert u.covered_currencies == ["AUD"]


def test_a_breakdown_holding_all_the_spend_leaves_nothing_uncovered() -> None:
    ov = _overview()
    # within half a cent is held
    held = ov.assign(spend=ov["spend"] - 0.004)
    assert uncovered_spend(ov, held) is None


def test_keys_the_breakdown_lacks_are_not_compared() -> None:
    weekly = pd.DataFrame({"platform": ["facebook", "google"], "spend": [200.0, 1464.1]})
    assert uncovered_spend(_overview(), weekly) is None  # no currency/level: platform only


def test_no_breakdown_leaves_all_the_spend_uncovered() -> None:
    u = uncovered_spend(_overview(), None)
    assert u is not None
    assert u.rows["covered"].tolist() == [0.0, 0.0, 0.0]
    assert u.covered_currencies == []
    empty = uncovered_spend(_overview(), _overview().iloc[:0])
    assert empty is not None and empty.rows["spend"].sum() == 200.0 + 1164.1 + 300.0


def test_an_overview_without_spend_by_platform_has_nothing_to_say() -> None:
    assert uncovered_spend(None, None) is None
    assert uncovered_spend(pd.DataFrame({"platform": ["x"], "clicks": [3]}), None) is None
