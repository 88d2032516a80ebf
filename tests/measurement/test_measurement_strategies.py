from __future__ import annotations

import numpy as np
import pytest

from micromix.errors import DataValidationError
from micromix.measurement import fit_strategy_mix, strategy_of, strategy_panel


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


def test_mix_summary_names_strategies_and_kinds(store56):
    mix = fit_strategy_mix(store56)
    kinds = dict(zip(mix.summary["strategy"], mix.summary["kind"]))
    assert kinds["ugc_organic"] == "organic" and kinds["paid_social"] == "paid"
    assert np.isnan(mix.summary.loc[mix.summary["kind"] == "organic", "roas"]).all()
    assert set(mix.current_spend) == set(mix.model.channels)
    assert mix.model.outcome == "revenue"
    assert strategy_of("spend_paid_social") == "paid_social"
    assert strategy_of("organic_ugc_organic") == "ugc_organic"


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


def test_a_store_with_events_but_no_purchase_and_no_media_has_an_empty_panel():
    """Not a bare ValueError from an empty date range: the panel is empty, as callers expect."""
    import pandas as pd

    from micromix.measurement.strategies import strategy_panel
    from micromix.store import Store

    with Store.open(":memory:") as st:
        st.append(
            "events",
            pd.DataFrame(
                {
                    "event_id": ["a", "b"],
                    "user_id": ["u", "u"],
                    "ts": pd.to_datetime(["2026-01-01", "2026-01-02"]),
                    "event_type": ["page_view", "page_view"],
                }
            ),
        )
        panel = strategy_panel(st)
    assert panel.empty and {"date", "revenue"} <= set(panel.columns)
