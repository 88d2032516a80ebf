"""A recommendation below the current mix at the same budget is never presented without a word."""

from __future__ import annotations

import pytest

from micromix.checks import Status
from micromix.optimize import CurveResponse, recommend_budget


def _model(current, seen=None):
    m = CurveResponse.hill(["a", "b"], vmax=[100.0, 50.0], half=[10.0, 5.0])
    m.current_spend = list(current)
    if seen is not None:
        m.observed_spend_max = list(seen)
    return m


def _check(rec):
    return next(c for c in rec.checks if c.name == "current_mix")


def test_caps_that_hold_the_recommendation_below_the_current_mix_are_named():
    # a's cap is 2 x 10 = 20; the current mix at 40 gives it 30 and earns more
    rec = recommend_budget(_model((30.0, 10.0), seen=(10.0, 10.0)), 40.0)
    assert rec.gain < 0
    c = _check(rec)
    assert c.status is Status.REVIEW
    assert "earns less than the current mix" in c.message
    assert "a gets 30.00 there, above its cap of 20.00" in c.message
    assert "extrapolation" in c.message
    assert "--bounds a=0:30.00" in c.recommendation and "--extrapolate" in c.recommendation
    assert c.details["current_mix_beyond_caps"] == ["a"]
    assert c.details["shortfall"] == pytest.approx(-rec.gain)
    # lifting the cap as told closes the gap
    lifted = recommend_budget(_model((30.0, 10.0), seen=(10.0, 10.0)), 40.0, bounds={"a": (0, 30)})
    assert lifted.gain >= -1e-6 and _check(lifted).status is Status.PASS


def test_the_callers_own_limits_are_named_with_the_option_that_lifts_them():
    m = _model((10.0, 10.0))
    c = _check(recommend_budget(m, 20.0, bounds={"a": (1.0, 5.0)}))
    assert c.status is Status.REVIEW
    assert "a gets 10.00 there, above its upper bound of 5.00" in c.message
    assert "--bounds a=1:10.00" in c.recommendation
    assert c.details["current_mix_beyond_caps"] == []
    c = _check(recommend_budget(m, 20.0, locked={"a": 2.0}))
    assert c.status is Status.REVIEW and "not the 2.00 it is locked at" in c.message
    assert "--locked a=10.00" in c.recommendation
    c = _check(recommend_budget(m, 20.0, min_spend={"b": 15.0}))
    assert c.status is Status.REVIEW and "below its minimum of 15.00" in c.message
    assert "--min-spend b=10.00" in c.recommendation


def test_a_recommendation_at_least_as_good_passes_and_says_when_the_mix_is_beyond_the_caps():
    c = _check(recommend_budget(_model((10.0, 10.0), seen=(10.0, 10.0)), 30.0))
    assert c.status is Status.PASS and "beyond the caps" not in c.message
    # the current mix at 32 gives a 24 > its cap of 20, yet the recommendation still wins
    rec = recommend_budget(_model((30.0, 10.0), seen=(10.0, 10.0)), 32.0)
    c = _check(rec)
    assert rec.gain > 0 and c.status is Status.PASS
    assert "itself beyond the caps" in c.message and "a gets 24.00" in c.message
    # without a current mix there is nothing to compare and no check
    m = CurveResponse.hill(["a", "b"], vmax=[100.0, 50.0], half=[10.0, 5.0])
    assert all(c.name != "current_mix" for c in recommend_budget(m, 30.0).checks)
