"""The budget across strategies: reconciled returns, anchored curves, the guards."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micromix.errors import ConfigError
from micromix.plan.allocate import (
    MAX_LOSS_PROBABILITY,
    TRUST_REGION,
    anchored_curve,
    reallocate,
)
from micromix.plan.returns import separated_pairs, shrink, strategy_returns


def _holdouts(rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=["strategy", "incremental_roas", "incremental_roas_low", "incremental_roas_high"],
    )


def test_anchored_curve_passes_through_the_measured_return_and_is_concave():
    f = anchored_curve(5.0, 200.0)
    assert float(f(200.0)) == pytest.approx(1000.0)
    assert float(f(0.0)) == 0.0
    x = np.linspace(0, 800, 9)
    d = np.diff(f(x))
    assert (d > 0).all() and (np.diff(d) < 0).all()


def test_shrinkage_pulls_loose_estimates_harder_and_keeps_tight_ones():
    est = pd.Series([10.0, 5.0, 5.0], index=list("abc"))
    post, _sd = shrink(est, pd.Series([0.1, 0.1, 0.1], index=list("abc")))
    assert post["a"] == pytest.approx(10.0, rel=0.01)  # tight: believed
    post2, sd2 = shrink(est, pd.Series([8.0, 0.1, 0.1], index=list("abc")))
    assert post2["a"] < 7.0  # loose: pulled towards the others
    assert (sd2 <= pd.Series([8.0, 0.1, 0.1], index=list("abc")) + 1e-12).all()
    one, _ = shrink(pd.Series([3.0]), pd.Series([1.0]))
    assert one.iloc[0] == 3.0


def test_returns_say_agreement_and_which_pairs_holdouts_separate():
    h = _holdouts([("a", 9.0, 8.0, 10.0), ("b", 4.0, 3.0, 5.0), ("c", 6.0, 2.0, 10.0)])
    mix = pd.DataFrame(
        {
            "strategy": ["a", "b", "c"],
            "kind": "paid",
            "roas": [8.5, 12.0, 6.0],
            "roas_lo": [7.0, 11.0, 4.0],
            "roas_hi": [9.5, 13.0, 8.0],
        }
    )
    r = strategy_returns(h, mix, pd.Series({"a": 100.0, "b": 300.0, "c": 100.0}), mix_level=0.9)
    t = r.table.set_index("strategy")
    assert t.loc["a", "agreement"] == "agree" and t.loc["b", "agreement"] == "disagree"
    assert set(t["evidence"]) == {"holdout"}
    assert r.separated == [("a", "b")]
    assert separated_pairs(r.table) == r.separated


def test_money_moves_towards_the_clearly_better_strategy_and_the_budget_is_kept():
    h = _holdouts([("a", 9.0, 8.0, 10.0), ("b", 4.0, 3.5, 4.5)])
    r = strategy_returns(h, None, pd.Series({"a": 100.0, "b": 300.0}))
    plan = reallocate(r, horizon_days=28)
    a, b = plan.recommended
    assert a > 100.0 and b < 300.0
    assert plan.recommended.sum() == pytest.approx(400.0)
    assert plan.gain > 0 and plan.gain_low <= plan.gain <= plan.gain_high
    assert plan.prob_gain >= 0.95
    # trust region: never beyond 2x or below 0.5x today's spend
    assert a <= TRUST_REGION[1] * 100.0 + 1e-6 and b >= TRUST_REGION[0] * 300.0 - 1e-6
    t = plan.table()
    assert list(t.columns)[:3] == ["strategy", "current_spend", "recommended_spend"]
    assert (t["low"] <= t["expected_incremental_revenue"] + 1e-9).all()
    assert (t["expected_incremental_revenue"] <= t["high"] + 1e-9).all()


def test_overlapping_wide_intervals_keep_todays_split():
    h = _holdouts([("a", 6.0, -4.0, 16.0), ("b", 4.0, -6.0, 14.0)])
    r = strategy_returns(h, None, pd.Series({"a": 100.0, "b": 100.0}))
    plan = reallocate(r)
    np.testing.assert_allclose(plan.recommended, plan.current)
    assert plan.gain == pytest.approx(0.0)


def test_a_strategy_without_evidence_keeps_its_spend_and_a_new_budget_scales_the_mix():
    h = _holdouts([("a", 9.0, 8.0, 10.0), ("b", 4.0, 3.5, 4.5)])
    r = strategy_returns(h, None, pd.Series({"a": 100.0, "b": 300.0, "c": 100.0}))
    assert r.row("c")["evidence"] == "none" and math.isnan(r.row("c")["roas"])
    plan = reallocate(r, budget=1250.0)
    assert plan.locked == ["c"]
    assert plan.current.tolist() == pytest.approx([250.0, 750.0, 250.0])
    assert plan.recommended[2] == pytest.approx(250.0)
    assert math.isnan(plan.expected[2])
    assert plan.notes and "2.5x today's spend" in plan.notes[0]


@pytest.mark.parametrize("budget", [0.0, -5.0, math.inf])
def test_a_budget_that_is_not_a_positive_amount_is_refused(budget):
    r = strategy_returns(_holdouts([("a", 2.0, 1.0, 3.0)]), None, pd.Series({"a": 10.0}))
    with pytest.raises(ConfigError, match="positive amount"):
        reallocate(r, budget=budget)


def test_no_spend_is_refused_in_one_sentence():
    r = strategy_returns(None, None, pd.Series({"a": 0.0}))
    with pytest.raises(ConfigError, match="no paid strategy has spend"):
        reallocate(r)


@settings(max_examples=40, deadline=None)
@given(
    roas=st.lists(st.floats(0.5, 15.0), min_size=3, max_size=3),
    width=st.lists(st.floats(0.05, 6.0), min_size=3, max_size=3),
    spend=st.lists(st.floats(50.0, 5000.0), min_size=3, max_size=3),
)
def test_money_never_moves_from_a_clearly_better_strategy_to_a_worse_one(roas, width, spend):
    names = ["a", "b", "c"]
    h = _holdouts([(n, r, r - w, r + w) for n, r, w in zip(names, roas, width)])
    ret = strategy_returns(h, None, pd.Series(dict(zip(names, spend))))
    plan = reallocate(ret, n_simulations=400)
    pos = {n: i for i, n in enumerate(names)}
    for better, worse in ret.separated:
        i, j = pos[better], pos[worse]
        assert not (
            plan.recommended[i] < plan.current[i] - 1e-6
            and plan.recommended[j] > plan.current[j] + 1e-6
        ), (better, worse, plan.recommended, plan.current)
    assert plan.recommended.sum() == pytest.approx(sum(spend))
    assert plan.prob_gain == 0.0 or plan.prob_gain >= 1 - MAX_LOSS_PROBABILITY - 1e-9


def test_a_strategy_the_mix_model_finds_no_effect_in_has_no_mix_figure():
    import pandas as pd

    from micromix.plan.returns import strategy_returns

    mix = pd.DataFrame(
        {
            "strategy": ["a", "b"],
            "kind": ["paid", "paid"],
            "roas": [0.0, 3.0],
            "roas_lo": [0.0, 2.0],
            "roas_hi": [9.0, 4.0],
            "effect": ["no effect", "evidenced"],
        }
    )
    r = strategy_returns(None, mix, pd.Series({"a": 100.0, "b": 100.0}))
    t = r.table.set_index("strategy")
    assert t.loc["a", "evidence"] == "none" and pd.isna(t.loc["a", "roas"])
    assert t.loc["b", "evidence"] == "mix model"
