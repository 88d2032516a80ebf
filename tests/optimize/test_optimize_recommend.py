"""Budget recommendations: the current mix at the same budget, extrapolation, the strategy mix."""

from __future__ import annotations

import math

import numpy as np
import pytest

from micromix.checks import Status
from micromix.errors import ConfigError
from micromix.optimize import (
    CurveResponse,
    compare_with_current,
    extrapolation_check,
    recommend_budget,
    scale_to_budget,
)


def _model(current=(10.0, 10.0), seen=None):
    m = CurveResponse.hill(["a", "b"], vmax=[100.0, 50.0], half=[10.0, 5.0])
    m.current_spend = list(current)
    if seen is not None:
        m.observed_spend_max = list(seen)
    return m


def test_scale_to_budget_keeps_shares_and_refuses_to_invent_a_mix():
    assert scale_to_budget([10.0, 30.0], 80.0).tolist() == [20.0, 60.0]
    assert scale_to_budget([0.0, 0.0], 80.0) is None
    assert scale_to_budget(None, 80.0) is None
    assert scale_to_budget([-1.0, 5.0], 10.0) is None
    with pytest.raises(ConfigError, match="finite"):
        scale_to_budget([1.0, 1.0], math.inf)


def test_recommendation_compares_with_the_current_mix_at_the_same_budget():
    rec = recommend_budget(_model(), 40.0)
    assert rec.budget == pytest.approx(40.0)
    assert rec.current_mix.tolist() == [20.0, 20.0]
    assert rec.scenarios["scenario"].tolist() == ["current_mix", "recommended"]
    assert rec.scenarios["spend"].tolist() == pytest.approx([40.0, 40.0])
    assert rec.gain >= -1e-9
    d = rec.to_dict()
    assert d["current_mix"] == [20.0, 20.0] and d["checks"][0]["name"] == "extrapolation"


def test_without_a_budget_the_current_total_is_reallocated():
    rec = recommend_budget(_model((5.0, 15.0)))
    assert rec.budget == pytest.approx(20.0)
    with pytest.raises(ConfigError, match="no current spend"):
        recommend_budget(_model((0.0, 0.0)))
    with pytest.raises(ConfigError, match="not several"):
        recommend_budget(_model(), 10.0, target_roas=2.0)


def test_no_current_mix_means_no_invented_comparison():
    m = CurveResponse.hill(["a", "b"], vmax=[100.0, 50.0], half=[10.0, 5.0])
    rec = recommend_budget(m, 30.0)
    assert rec.current_mix is None and math.isnan(rec.gain)
    assert rec.scenarios["scenario"].tolist() == ["recommended"]


def test_extrapolation_is_flagged_with_the_factor():
    ok = extrapolation_check(_model(seen=(100.0, 100.0)), [150.0, 50.0])
    assert ok.status is Status.PASS
    far = extrapolation_check(_model(seen=(10.0, 10.0)), [5400.0, 5.0])
    assert far.status is Status.REVIEW
    assert "540x the most it ever got" in far.message and "a gets" in far.message
    assert far.details["channels"]["a"]["ratio"] == pytest.approx(540.0)
    never = extrapolation_check(_model(seen=(0.0, 10.0)), [1.0, 1.0])
    assert "never funded" in never.message and never.details["channels"]["a"]["ratio"] is None
    # a model without any spend reference cannot be checked: it says so
    bare = CurveResponse.hill(["a"], vmax=[1.0], half=[1.0])
    assert extrapolation_check(bare, [1.0]).status is Status.REVIEW


def test_the_recommendation_carries_the_extrapolation_check():
    model = _model(current=(1.0, 1.0), seen=(1.0, 1.0))
    rec = recommend_budget(model, 1000.0, extrapolate=True)
    assert rec.checks[0].status is Status.REVIEW


def test_by_default_no_channel_gets_more_than_twice_what_it_was_ever_given():
    model = _model(current=(1.0, 1.0), seen=(1.0, 3.0))
    with pytest.raises(ConfigError, match="more than the channels can take"):
        recommend_budget(model, 1000.0)
    rec = recommend_budget(model, 6.0)
    assert rec.recommended.spend.tolist() == pytest.approx([2.0, 4.0], abs=1e-6)
    assert rec.checks[0].status is Status.PASS  # within 2x: the extrapolation check passes
    held = next(c for c in rec.checks if c.name == "bounds")
    assert held.status is Status.REVIEW and "a at 2.00" in held.message
    # a channel's own bounds replace its cap
    own = recommend_budget(model, 8.0, bounds={"a": (0.0, 5.0)})
    assert own.recommended.spend.sum() == pytest.approx(8.0)
    assert own.recommended.spend[0] > 2.0


def test_compare_with_current_fills_unnamed_channels_and_validates():
    rows = compare_with_current(_model((10.0, 20.0)), {"a": 30.0})
    assert rows["scenario"].tolist() == ["current", "scenario"]
    assert rows.loc[1, "spend_b"] == 20.0 and rows.loc[1, "spend_a"] == 30.0
    with pytest.raises(ConfigError, match="unknown channel"):
        compare_with_current(_model(), {"zz": 1.0})
    with pytest.raises(ConfigError, match="finite and >= 0"):
        compare_with_current(_model(), {"a": -1.0})


def test_strategy_mix_reallocation_keeps_the_budget():
    from micromix.ingest.market import load_market
    from micromix.measurement import fit_strategy_mix
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=6_000, days=56, seed=8)))
    mix = fit_strategy_mix(st)
    rec = recommend_budget(mix.model)
    assert rec.recommended.spend.sum() == pytest.approx(rec.current_mix.sum(), rel=1e-6)
    assert rec.scenarios.loc[1, "outcome"] >= rec.scenarios.loc[0, "outcome"] - 1e-6
    assert np.all(mix.model.observed_spend_max >= mix.model.current_spend - 1e-9)
