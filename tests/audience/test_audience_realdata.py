"""Checks on the public experiments in ../shared/data (skipped when the files are absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from micromix.audience.datasets import load_hillstrom, load_starbucks
from micromix.audience.evaluation import uplift_splits
from micromix.audience.learners import get_learner
from micromix.audience.policy import promotion_metrics

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "uplift"
HILLSTROM = DATA / "hillstrom.csv"
STARBUCKS = DATA / "starbucks_training.csv"

pytestmark = pytest.mark.shared_data


@pytest.mark.skipif(not HILLSTROM.exists(), reason="../shared/data/uplift/hillstrom.csv absent")
def test_hillstrom_average_effects_match_the_published_ones():
    df = load_hillstrom(HILLSTROM)
    rate = df.groupby("segment")["visit"].mean()
    assert round(100 * rate["Mens E-Mail"], 2) == 18.28
    assert round(100 * rate["Womens E-Mail"], 2) == 15.14
    assert round(100 * rate["No E-Mail"], 2) == 10.62
    assert round(100 * (rate["Mens E-Mail"] - rate["No E-Mail"]), 2) == 7.66
    assert round(100 * (rate["Womens E-Mail"] - rate["No E-Mail"]), 2) == 4.52


@pytest.mark.slow
@pytest.mark.skipif(
    not STARBUCKS.exists(), reason="../shared/data/uplift/starbucks_training.csv absent"
)
def test_starbucks_cost_aware_policy_beats_the_reference_in_cross_validation():
    df = load_starbucks(STARBUCKS)
    X = df[[f"V{i}" for i in range(1, 8)]].to_numpy(dtype=float)
    t = (df["Promotion"] == "Yes").to_numpy().astype(int)
    y = df["purchase"].to_numpy()
    target = np.zeros(len(df), dtype=bool)
    for tr, te in uplift_splits(t, y, n_splits=5, seed=0):
        model = get_learner("x", n_jobs=1).fit(X[tr], t[tr], y[tr])
        target[te] = model.predict(X[te]) * 10 > 0.15
    m = promotion_metrics(target, t, y)
    nir_test_size = m["nir"] * 41_650 / len(df)
    assert m["irr"] > 0.018
    assert nir_test_size > 189  # the published reference policy
