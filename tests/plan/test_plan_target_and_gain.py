"""The plan's target and reallocate figures on the evidence there is.

* The audience to target used to quote the model's *predicted* incremental conversions and be
  rated "low" whatever the holdout showed. A stored audience is scored out of fold, so the
  holdout measures the list's own lift: the action leads with that figure and its interval, and
  its confidence follows the interval (above 0: high; holding 0: low; below 0: do not reach).
* ``expected_gain`` and ``probability_of_gain`` were 0.0 on a store no holdout measures: they
  are ``null`` there (undefined), and 0 only for a measured keep.
* The creator scoring's notes (no following count, a default post spread ...) reach the plan.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from micromix.plan import Plan, influencer_spend, make_plan, reallocate, strategy_returns
from micromix.plan.actions import reallocate_actions, reallocation_measured, target_actions

#: a stored audience's targeting summary, as target_stored_audience gives it (+ the plan's value)
SUMMARY = {
    "policy": "micro",
    "eligible": 30_000,
    "excluded": 20_000,
    "contacts": 11_000,
    "cost": 1_800.0,
    "observed_incremental_conversions": 120.0,
    "observed_incremental_conversions_low": 40.0,
    "observed_incremental_conversions_high": 210.0,
    "expected_incremental_conversions": 198.0,
    "expected_incremental_value": 8_700.0,
    "incremental_cpa": 9.0,
    "observed_on": "experiment_arm / converted",
    "observed_people": 7_000,
    "value_per_conversion": 44.0,
}


def _target(**change):
    (action,) = target_actions(None, horizon_days=28, audience={**SUMMARY, **change})
    return action


def test_the_audience_action_leads_with_the_observed_lift_out_of_sample():
    a = _target()
    assert a.kind == "target" and a.what.startswith("Reach the 11,000 consented people")
    assert a.why.startswith(
        "The randomised holdout shows 120 incremental conversions among the 7,000 of them who "
        "were in it (95% interval 40 to 210), out of sample"
    ), a.why
    assert "the model predicts 198 incremental conversions for the whole list" in a.why
    assert a.confidence == "high"  # the interval is above 0
    assert a.amount == 1_800.0
    assert (a.effect, a.effect_low, a.effect_high) == (120 * 44.0, 40 * 44.0, 210 * 44.0)


def test_an_interval_holding_0_is_low_confidence_and_says_so():
    a = _target(
        observed_incremental_conversions=-70.0,
        observed_incremental_conversions_low=-217.0,
        observed_incremental_conversions_high=75.0,
    )
    assert a.confidence == "low" and a.what.startswith("Reach")
    assert "-70 incremental conversions" in a.why and "(95% interval -217 to 75)" in a.why
    assert "the interval holds 0" in a.why and "with a holdout" in a.why
    assert a.effect == pytest.approx(-70 * 44.0) and a.effect_low == pytest.approx(-217 * 44.0)


def test_a_list_the_holdout_shows_converting_less_is_not_reached():
    a = _target(
        observed_incremental_conversions=-150.0,
        observed_incremental_conversions_low=-240.0,
        observed_incremental_conversions_high=-60.0,
    )
    assert a.what.startswith("Do not reach the 11,000 people") and a.confidence == "high"
    assert a.amount == 0.0 and a.effect is None
    assert "contradicts" in a.why


def test_without_an_observed_lift_the_prediction_is_labelled_and_low():
    s = {k: v for k, v in SUMMARY.items() if not k.startswith("observed_")}
    (a,) = target_actions(None, horizon_days=28, audience=s)
    assert a.confidence == "low" and "the model predicts 198" in a.why
    assert "not a measurement" in a.why and a.effect == 8_700.0
    nan = {**SUMMARY, "observed_incremental_conversions": math.nan}
    (b,) = target_actions(None, horizon_days=28, audience=nan)
    assert b.confidence == "low" and "not a measurement" in b.why


def _returns(holdouts: pd.DataFrame | None):
    spend = pd.Series({"a": 1_000.0, "b": 1_000.0, "c": 500.0})
    return strategy_returns(holdouts, None, spend)


def _plan(returns) -> Plan:
    r = reallocate(returns, horizon_days=28, n_simulations=400)
    return Plan(r, returns, reallocate_actions(r, returns), None, "USD")


def test_the_gain_is_null_where_no_holdout_measures_it_and_0_for_a_measured_keep():
    unmeasured = _plan(_returns(None))
    assert not reallocation_measured(unmeasured.returns) and not unmeasured.measured
    d = unmeasured.to_dict()
    for key in ("expected_gain", "expected_gain_low", "expected_gain_high", "probability_of_gain"):
        assert d[key] is None, (key, d[key])
    (keep,) = d["actions"]
    assert keep["effect"] is None and keep["amount"] == 0.0
    assert "randomised holdouts do not yet measure" in d["headline"]

    overlapping = pd.DataFrame(
        {
            "strategy": ["a", "b", "c"],
            "incremental_roas": [3.0, 2.8, 2.9],
            "incremental_roas_low": [1.0, 0.9, 0.8],
            "incremental_roas_high": [5.0, 4.7, 5.1],
        }
    )
    kept = _plan(_returns(overlapping))
    assert kept.measured
    d = kept.to_dict()
    assert d["expected_gain"] == 0.0 and d["probability_of_gain"] == 0.0
    assert d["actions"][0]["effect"] == 0.0
    assert "do not yet separate" in d["headline"] or "does not yet separate" in d["headline"]


def test_one_holdout_alone_measures_no_reallocation():
    one = pd.DataFrame(
        {
            "strategy": ["a"],
            "incremental_roas": [3.0],
            "incremental_roas_low": [1.0],
            "incremental_roas_high": [5.0],
        }
    )
    assert _plan(_returns(one)).to_dict()["expected_gain"] is None


def test_the_influencer_spend_is_the_creator_budget(market_store):
    from micromix.metrics import compute_kpis
    from micromix.store import Store

    k = compute_kpis(market_store, by=["strategy"]).set_index("strategy")
    assert influencer_spend(market_store) == pytest.approx(float(k.loc["influencer", "spend"]))
    assert influencer_spend(market_store, currency="EUR") is None  # prices are in US dollars
    assert influencer_spend(Store.open(":memory:")) is None


def test_the_plan_carries_the_creator_scoring_notes_and_the_observed_audience(market_store):
    # a following count is what the fake-follower model needs: without it, said in the plan
    profiles = market_store.read("creators")
    market_store.replace("creators", profiles.assign(following=None))
    plan = make_plan(market_store, n_boot=20)
    said = [n for n in plan.notes if n.startswith("Creator scoring: ")]
    assert any("following" in n for n in said), plan.notes
    audience = [a for a in plan.actions if a.kind == "target" and "people" in a.what]
    for a in audience:  # scored out of fold: led by the observed lift, never "expected" alone
        assert "The randomised holdout shows" in a.why or "not a measurement" in a.why, a.why
