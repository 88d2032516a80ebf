from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.audience.policy import (
    TargetingSpec,
    compare_policies,
    hybrid_target,
    mass_target,
    microtarget,
    promotion_metrics,
    resolve_uplift,
)
from micromix.errors import ConfigError, DataValidationError


def _scores(n=5000, seed=0, hetero=True):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    tau = np.where(x > 1, 0.15, 0.005) if hetero else np.full(n, 0.02)
    t = (rng.random(n) < 0.5).astype(int)
    y = (rng.random(n) < 0.05 + tau * t).astype(int)
    return pd.DataFrame({"user_id": [f"u{i}" for i in range(n)], "uplift": tau, "treat": t, "y": y})


def test_spec_validates_itself():
    with pytest.raises(ConfigError, match="--budget must be a positive"):
        TargetingSpec(budget=0, cost_per_contact=1, value_per_conversion=1)
    with pytest.raises(ConfigError, match="--cost-per-contact"):
        TargetingSpec(budget=1, cost_per_contact=-1, value_per_conversion=1)
    with pytest.raises(ConfigError, match="goal"):
        TargetingSpec(budget=1, cost_per_contact=1, value_per_conversion=1, goal="fame")
    spec = TargetingSpec(budget=5, cost_per_contact=1, value_per_conversion=3)
    assert TargetingSpec.from_dict(spec.to_dict()) == spec


def test_micro_stops_where_the_marginal_return_ends():
    scores = pd.DataFrame({"uplift": [0.3, 0.2, 0.11, 0.09, 0.01]})
    res = microtarget(
        scores, TargetingSpec(budget=100, cost_per_contact=1, value_per_conversion=10)
    )
    assert res.summary["contacts"] == 3  # 0.09 * 10 < 1
    assert res.audience["contact_rank"].tolist() == [1, 2, 3]
    assert res.summary["expected_incremental_conversions"] == pytest.approx(0.61)
    assert res.summary["roi"] == pytest.approx((6.1 - 3) / 3)


def test_micro_respects_the_budget():
    scores = pd.DataFrame({"uplift": np.linspace(0.5, 0.2, 100)})
    res = microtarget(
        scores, TargetingSpec(budget=25.5, cost_per_contact=1, value_per_conversion=10)
    )
    assert res.summary["contacts"] == 25 and res.summary["cost"] <= 25.5
    assert res.audience["expected_uplift"].is_monotonic_decreasing


def test_mass_and_hybrid():
    scores = _scores()
    spec = TargetingSpec(
        budget=300, cost_per_contact=0.2, mass_cost_per_contact=0.1, value_per_conversion=10
    )
    mass = mass_target(scores, spec)
    assert mass.summary["contacts"] == 3000 and mass.summary["cost"] == pytest.approx(300)
    hyb = hybrid_target(scores, spec)
    ch = hyb.audience["contact_channel"].value_counts()
    assert ch["micro"] * 0.2 <= 150 + 1e-9 and hyb.summary["cost"] <= 300 + 1e-9
    assert not hyb.audience["user_id"].duplicated().any()


def test_compare_observed_micro_wins_when_uplift_is_concentrated():
    scores = _scores(n=20000, seed=1)
    spec = TargetingSpec(
        budget=400, cost_per_contact=0.2, mass_cost_per_contact=0.1, value_per_conversion=10
    )
    res = compare_policies(scores, spec, treatment="treat", outcome="y", n_bootstrap=100)
    tab = res.table.set_index("policy")
    assert list(res.table["policy"]) == ["mass", "micro", "hybrid"]
    assert (tab["source"] == "observed").all()
    for p in tab.index:
        assert tab.loc[p, "incremental_conversions_low"] <= tab.loc[p, "incremental_conversions"]
        assert tab.loc[p, "incremental_conversions"] <= tab.loc[p, "incremental_conversions_high"]
    assert tab.loc["micro", "incremental_conversions"] > tab.loc["mass", "incremental_conversions"]
    assert res.winner == "micro" and res.heterogeneity > 2


def test_mass_wins_for_awareness_and_flat_uplift():
    scores = _scores(hetero=False)
    spec = TargetingSpec(
        budget=300, cost_per_contact=0.2, mass_cost_per_contact=0.1, value_per_conversion=10
    )
    res = compare_policies(scores, spec)
    assert res.winner == "mass" and "heterogeneity is small" in res.reason
    assert (res.table["source"] == "predicted").all()
    aware = TargetingSpec(
        budget=300,
        cost_per_contact=0.2,
        mass_cost_per_contact=0.1,
        value_per_conversion=10,
        goal="awareness",
    )
    assert compare_policies(_scores(), aware).winner == "mass"


def test_several_arms_pick_the_best_arm():
    scores = pd.DataFrame({"uplift_email": [0.1, 0.3, np.nan], "uplift_sms": [0.2, 0.1, 0.4]})
    u, arms = resolve_uplift(scores)
    assert arms.tolist() == ["sms", "email", "sms"] and u.tolist() == [0.2, 0.3, 0.4]
    with pytest.raises(DataValidationError, match="no 'uplift'"):
        resolve_uplift(pd.DataFrame({"score": [1]}))


def test_promotion_metrics_by_hand():
    targeted = np.array([1, 1, 1, 1, 0, 0], dtype=bool)
    treat = np.array(["Yes", "Yes", "No", "No", "Yes", "No"])
    purchase = np.array([1, 0, 0, 0, 1, 1])
    m = promotion_metrics(targeted, treat, purchase)
    assert m["nir"] == pytest.approx(10 * 1 - 0.15 * 2 - 10 * 0)
    assert m["irr"] == pytest.approx(0.5 - 0.0)
    assert m["n_targeted"] == 4


def test_a_conversion_can_be_worth_each_persons_own_value():
    """With a ``conversion_value`` column (e.g. the segment's CLV) the micro rule ranks by
    ``uplift * value - cost``, not by uplift alone, and the summary values conversions so."""
    from micromix.audience.policy import VALUE_COLUMN

    scores = pd.DataFrame({"uplift": [0.20, 0.10, 0.05], VALUE_COLUMN: [10.0, 50.0, 10.0]})
    spec = TargetingSpec(budget=2, cost_per_contact=1, value_per_conversion=10)
    res = microtarget(scores, spec)
    # net: 0.2*10-1 = 1.0, 0.1*50-1 = 4.0, 0.05*10-1 = -0.5: the second person first, third never
    assert res.audience.index.tolist() == [1, 0]
    assert res.summary["expected_incremental_value"] == pytest.approx(0.1 * 50 + 0.2 * 10)
    assert res.summary["roi"] == pytest.approx((7.0 - 2.0) / 2.0)
    # the constant is what every row is worth without the column
    flat = microtarget(scores.drop(columns=VALUE_COLUMN), spec)
    assert flat.audience.index.tolist() == [0]  # 0.1 * 10 - 1 = 0 does not pay
    assert flat.summary["expected_incremental_value"] == pytest.approx(0.2 * 10)
    bad = scores.assign(**{VALUE_COLUMN: [10.0, -1.0, None]})
    with pytest.raises(DataValidationError, match=r"row 2, field 'conversion_value'.*2 such"):
        microtarget(bad, spec)


def test_the_contact_list_keeps_the_files_own_columns():
    # Hillstrom's scores carry the customers' own `channel` (Web / Phone / Multichannel)
    from micromix.errors import DataValidationError

    scores = pd.DataFrame(
        {"user_id": ["a", "b", "c"], "channel": ["Web", "Phone", "Multichannel"],
         "rank": [3, 1, 2], "uplift": [0.30, 0.20, 0.10]}
    )  # fmt: skip
    spec = TargetingSpec(budget=10.0, cost_per_contact=1.0, value_per_conversion=20.0)
    res = microtarget(scores, spec)
    aud = res.audience.set_index("user_id")
    assert aud["channel"].to_dict() == {"a": "Web", "b": "Phone", "c": "Multichannel"}
    assert aud["rank"].to_dict() == {"a": 3, "b": 1, "c": 2}
    assert aud["contact_rank"].to_dict() == {"a": 1, "b": 2, "c": 3}
    assert set(aud["contact_channel"]) == {"micro"}
    with pytest.raises(DataValidationError, match="already has a column 'contact_rank'"):
        microtarget(scores.assign(contact_rank=1), spec)
