"""A group whose likelihood barely bounds its parameters gets its point CLV and no interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.clv.data import rfm_summary
from micromix.clv.models import BetaGeoModel
from micromix.clv.pipeline import MAX_INTERVAL_RATIO, clv_by_group
from micromix.clv.spend import GammaGammaModel
from micromix.clv.synthetic import simulate_transactions

PURCHASES = BetaGeoModel.from_params({"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4})
SPEND = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "gamma": 15.4})


def _group(seed: int, customers: int) -> pd.Series:
    tx = simulate_transactions(
        PURCHASES, SPEND, customers=customers, random_state=seed, observed_days=120
    )
    value = next(c for c in tx.columns if c not in ("customer_id", "date"))
    s = rfm_summary(tx, value_col=value)
    # 40 weeks: within three times the 15-17 weeks of history (52 would be refused as too long)
    return clv_by_group(s, pd.Series("g", index=s.index), n_draws=200, horizon=40).iloc[0]


@pytest.mark.parametrize(("seed", "customers"), [(2, 80), (1, 120)])
def test_an_unbounded_interval_is_refused_with_the_reason(seed, customers):
    row = _group(seed, customers)
    assert np.isfinite(row["clv_mean"]) and row["clv_mean"] > 0
    assert np.isnan(row["clv_mean_high"]) and np.isnan(row["clv_mean_low"])
    assert row["note"].startswith("interval refused: the data cannot bound the group's value")


@pytest.mark.parametrize(("seed", "customers"), [(2, 120), (3, 80)])
def test_a_bounded_interval_is_kept(seed, customers):
    row = _group(seed, customers)
    assert row["note"] == ""
    assert row["clv_mean_low"] <= row["clv_mean"] <= row["clv_mean_high"]
    assert row["clv_mean_high"] <= MAX_INTERVAL_RATIO * row["clv_mean"]


def test_a_forecast_beyond_three_times_the_history_is_refused():
    """Eight weeks of purchases cannot show how long customers stay: a 52-week CLV is refused
    for every group (no point, no interval), a 24-week one is given."""
    tx = simulate_transactions(
        PURCHASES, SPEND, customers=3000, random_state=3, acquisition_days=28, observed_days=56
    )
    s = rfm_summary(tx, value_col="value")
    groups = pd.Series(np.where(np.arange(len(s)) % 2 == 0, "a", "b"), index=s.index)
    span = float(s["T"].max())
    assert span == pytest.approx(8.0, abs=0.2)
    long = clv_by_group(s, groups, n_draws=50, horizon=52)
    assert long[["clv_mean", "clv_mean_low", "clv_mean_high", "clv_total"]].isna().all().all()
    assert long["customers"].sum() == len(s)
    for note in long["note"]:
        assert note.startswith(f"refused: the purchases cover {span:.1f} weeks")
        assert f"at most {3 * span:.1f} weeks" in note
    short = clv_by_group(s, groups, n_draws=50, horizon=3 * span)
    assert short["clv_mean"].notna().all() and (short["note"] == "").all()


def test_fit_clv_refuses_the_same_forecast_and_keeps_the_fit():
    """One cohort, 8 weeks of purchases: the 52-week CLV is refused by the same rule, with a
    failing check that says why; the parameters, P(alive) and spend stay."""
    from micromix.clv import fit_clv

    tx = simulate_transactions(
        PURCHASES, SPEND, customers=3000, random_state=3, acquisition_days=28, observed_days=56
    )
    res = fit_clv(tx, n_draws=50)
    assert res.customers[["expected_purchases", "clv", "clv_low", "clv_high"]].isna().all().all()
    assert res.customers["probability_alive"].notna().all()
    assert res.customers["expected_spend"].notna().all()
    assert res.totals == {} and res.purchase_model.params_
    check = next(c for c in res.checks if c.name == "clv_horizon")
    assert check.status.value == "fail" and check.message.startswith("refused: the purchases cover")
    short = fit_clv(tx, n_draws=50, horizon=20)
    assert short.customers["clv"].notna().all() and short.totals["total_clv"] > 0
    assert not any(c.name == "clv_horizon" for c in short.checks)
