from __future__ import annotations

import numpy as np
import pytest

from micromix.errors import DataValidationError
from micromix.measurement import fit_strategy_mix, strategy_panel


@pytest.fixture(scope="module")
def store56():
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=6_000, days=56, seed=8)))
    yield st
    st.close()


def test_panel_has_spend_organic_and_weekday_columns(market_store):
    panel = strategy_panel(market_store)
    assert len(panel) == 21
    assert {"spend_paid_social", "spend_influencer", "spend_ugc_amplified"} <= set(panel.columns)
    assert "organic_ugc_organic" in panel.columns
    assert sum(c.startswith("dow_") for c in panel.columns) == 6
    ev = market_store.read("events")
    assert panel["revenue"].sum() == pytest.approx(
        ev.loc[ev["event_type"] == "purchase", "revenue"].sum()
    )


def test_too_short_a_history_is_refused_clearly(market_store):
    with pytest.raises(DataValidationError, match="too few"):
        fit_strategy_mix(market_store)


def test_mix_reallocates_the_same_budget(store56):
    mix = fit_strategy_mix(store56)
    r = mix.reallocation
    assert r["recommended_spend"].sum() == pytest.approx(r["current_spend"].sum(), rel=1e-6)
    kinds = dict(zip(mix.summary["strategy"], mix.summary["kind"]))
    assert kinds["ugc_organic"] == "organic" and kinds["paid_social"] == "paid"
    assert np.isnan(mix.summary.loc[mix.summary["kind"] == "organic", "roas"]).all()
    scen = r.attrs["scenarios"]
    assert scen.loc[1, "outcome"] >= scen.loc[0, "outcome"] - 1e-6


@pytest.mark.slow
def test_calibrated_mix_recovers_paid_truth():
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    st = Store.open(":memory:")
    m = simulate(SimConfig(users=80_000, days=56, seed=3))
    load_market(st, m)
    mix = fit_strategy_mix(st)
    truth = m.ground_truth.groupby("strategy")["incremental_revenue"].sum()
    paid = mix.summary[mix.summary["kind"] == "paid"]
    inside = [
        lo <= truth[s] <= hi
        for s, lo, hi in zip(paid["strategy"], paid["contribution_lo"], paid["contribution_hi"])
    ]
    assert mix.calibrated_with, "holdouts should calibrate the model"
    assert sum(inside) >= 2, paid[
        ["strategy", "contribution_lo", "contribution", "contribution_hi"]
    ]
