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
    return clv_by_group(s, pd.Series("g", index=s.index), n_draws=200).iloc[0]


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
