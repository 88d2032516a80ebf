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


@pytest.mark.skipif(not HILLSTROM.exists(), reason="../shared/data/uplift/hillstrom.csv absent")
def test_hillstrom_compare_measures_each_email_on_the_people_sent_it():
    import pandas as pd

    from micromix.audience.policy import TargetingSpec, compare_policies, microtarget
    from micromix.audience.scoring import score_uplift

    df = load_hillstrom(HILLSTROM)
    train = np.random.default_rng(0).random(len(df)) < 0.7
    run = score_uplift(
        df[train], treatment="segment", control="No E-Mail", outcome="visit",
        base="linear", score=df[~train],
    )  # fmt: skip
    scores = run.scored.reset_index(drop=True)
    spec = TargetingSpec(
        budget=1000, cost_per_contact=0.10, mass_cost_per_contact=0.05, value_per_conversion=3
    )
    res = compare_policies(
        scores, spec, treatment="segment", control="No E-Mail", outcome="visit", n_bootstrap=20
    )
    picked = microtarget(scores, spec).audience
    sel = scores.loc[picked.index].assign(sent=picked["arm"])
    assert set(sel["sent"]) == {"Mens E-Mail", "Womens E-Mail"}
    by_hand = sum(
        len(g)
        * (
            g.loc[g["segment"] == arm, "visit"].mean()
            - g.loc[g["segment"] == "No E-Mail", "visit"].mean()
        )
        for arm, g in sel.groupby("sent")
    )
    micro = res.table.set_index("policy").loc["micro", "incremental_conversions"]
    assert micro == pytest.approx(by_hand)
    pooled = len(sel) * (
        sel.loc[sel["segment"] != "No E-Mail", "visit"].mean()
        - sel.loc[sel["segment"] == "No E-Mail", "visit"].mean()
    )
    assert micro > pooled  # pooling counts the people sent one e-mail who got the other
    arms = pd.DataFrame(res.arms).query("policy == 'micro'")
    assert arms["incremental_conversions"].sum() == pytest.approx(micro)
