"""The plan's lifetime check: lifetime ROAS beside the allocation, and a caution where it
clearly ranks a strategy that gives money above one that receives it."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from micromix.plan.allocate import Reallocation
from micromix.plan.build import LIFETIME_ROAS_COLUMNS, _lifetime


def _realloc(current: list[float], recommended: list[float]) -> Reallocation:
    k = len(current)
    z = np.zeros(k)
    return Reallocation(
        strategies=["paid_social", "influencer", "ugc_amplified"][:k],
        budget=float(sum(current)),
        horizon_days=28,
        current=np.array(current, float),
        recommended=np.array(recommended, float),
        expected=z,
        low=z,
        high=z,
        expected_current=z,
        gain=0.0,
        gain_low=0.0,
        gain_high=0.0,
        prob_gain=0.5,
        scaled_back=1.0,
        level=0.95,
    )


def _lifetime_table(rows: list[tuple[str, float, float, float]]) -> dict[str, pd.DataFrame]:
    t = pd.DataFrame(rows, columns=["group", *LIFETIME_ROAS_COLUMNS])
    return {"strategy": t}


def test_no_lifetime_values_no_notes():
    table, notes = _lifetime(SimpleNamespace(lifetime=None), _realloc([100, 100], [100, 100]))
    assert table is None and notes == []


def test_lifetime_roas_listed_and_a_move_against_it_flagged():
    ev = SimpleNamespace(
        lifetime=_lifetime_table(
            [
                ("paid_social", 2.0, 1.5, 2.5),
                ("influencer", 6.0, 5.0, 7.0),
                ("direct", 1.0, 0.5, 1.5),  # not a planned strategy: left out
            ]
        )
    )
    # money moves from influencer (lifetime clearly better) to paid_social
    table, notes = _lifetime(ev, _realloc([100, 100], [150, 50]))
    assert list(table["strategy"]) == ["paid_social", "influencer"]
    assert "paid_social 2.00 (1.50 to 2.50)" in notes[0]
    assert any("influencer clearly beats paid_social" in n for n in notes[1:])
    # the same figures with the move the other way: no caution
    _, notes = _lifetime(ev, _realloc([100, 100], [50, 150]))
    assert len(notes) == 1


def test_overlapping_or_missing_intervals_are_not_a_caution():
    ev = SimpleNamespace(
        lifetime=_lifetime_table(
            [("paid_social", 2.0, 1.0, 6.0), ("influencer", 6.0, np.nan, np.nan)]
        )
    )
    _, notes = _lifetime(ev, _realloc([100, 100], [150, 50]))
    assert len(notes) == 1 and "influencer 6.00 (no interval" in notes[0]


def test_the_plan_computes_lifetime_returns_by_strategy_only():
    # the plan reads lifetime ROAS by strategy; by targeting and creator tier it is not computed
    from micromix.ingest.market import load_market
    from micromix.plan import gather_evidence
    from micromix.plan.build import PLAN_LIFETIME_DIMENSIONS
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    assert PLAN_LIFETIME_DIMENSIONS == ("strategy",)
    with Store.open(":memory:") as st:
        load_market(st, simulate(SimConfig(users=3_000, days=28, seed=4)))
        parts = ("comparisons", "lifetime")
        only = gather_evidence(st, n_boot=20, parts=parts, lifetime_dimensions=("strategy",))
        every = gather_evidence(st, n_boot=20, parts=parts)
    assert only.lifetime is not None and every.lifetime is not None
    assert sorted(only.lifetime) == ["strategy"]
    assert sorted(every.lifetime) == ["creator_tier", "strategy", "targeting"]
    pd.testing.assert_frame_equal(only.lifetime["strategy"], every.lifetime["strategy"])
