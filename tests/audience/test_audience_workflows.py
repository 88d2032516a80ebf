"""Audience workflows over a store and files (what the CLI and API used to assemble)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.audience import TargetingSpec, compare_policies, score_uplift, target
from micromix.audience.datasets import make_uplift_data
from micromix.audience.scoring import IN_SAMPLE_COLUMN
from micromix.audience.workflows import (
    PROFILE_FEATURES,
    mark_selected,
    platform_name,
    privacy_policy,
    score_stored_audience,
    segment_people,
    target_stored_audience,
    with_consent,
)
from micromix.checks import Status
from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError, GuardrailError


def test_platform_and_policy_helpers():
    assert platform_name(" Meta ") == "meta" and platform_name(None) is None
    with pytest.raises(ConfigError, match="platform 'myspace' is not known"):
        platform_name("myspace")
    pol = privacy_policy(500, "meta", k_anonymity=20)
    assert pol.min_audience["meta"] == 500 and pol.k_anonymity == 20
    assert privacy_policy(50).default_min_audience == 50


def test_mark_selected_needs_the_id_on_both_sides():
    data = pd.DataFrame({"user_id": ["a", "b", "c"]})
    assert mark_selected(data, pd.DataFrame({"user_id": ["c"]}))["selected"].tolist() == [
        False,
        False,
        True,
    ]
    with pytest.raises(ColumnNotFoundError, match="the targets have no 'user_id'"):
        mark_selected(data, pd.DataFrame({"id": ["c"]}))


def test_scores_and_targeting_from_the_store(market_store):
    scores = score_stored_audience(market_store, ("region", "nope"))
    assert "uplift" in scores and "consent_ads_personalisation" in scores
    assert len(scores) == market_store.count("audience")
    assert set(PROFILE_FEATURES) >= {"region"}
    spec = TargetingSpec(budget=500.0, cost_per_contact=0.5, value_per_conversion=45.0)
    res = target_stored_audience(market_store, spec, scores=scores, policy="micro", platform=None)
    assert res.summary["contacts"] > 0
    with pytest.raises(GuardrailError):
        target_stored_audience(
            market_store, spec, scores=scores, features=("religion", "region"), platform=None
        )


def test_an_empty_store_is_one_sentence():
    from micromix.store import Store

    with pytest.raises(DataValidationError, match="no experiments or audience rows"):
        score_stored_audience(Store.open(":memory:"))


def test_consent_comes_from_the_file_or_the_store(market_store):
    people = market_store.read("audience")
    df = people[["user_id"]].head(20)
    from_store, erased = with_consent(df, store=market_store)
    from_file, none = with_consent(df, audience=people)
    assert erased == set() and none == set()
    assert (
        from_store["consent_ads_personalisation"].tolist()
        == from_file["consent_ads_personalisation"].tolist()
    )


def test_segments_are_k_anonymous():
    df = make_uplift_data(n=800, seed=2)
    run = segment_people(df, features=["x0", "x1", "region"], n_segments=3, k_anonymity=400)
    assert "segment" in run.rows and run.features == ["x0", "x1", "region"]
    assert run.suppressed >= 1 and run.to_dict()["suppressed_segments"] == run.suppressed
    with pytest.raises(GuardrailError):
        segment_people(df.assign(religion="x"), features=["religion"])


def test_policy_comparison_warns_when_the_winner_rests_on_in_sample_scores():
    df = make_uplift_data(n=3000, seed=4, effect=0.2)
    # folds=None: the training rows scored by the model fitted on them (in-sample)
    run = score_uplift(
        df, treatment="treatment", outcome="y", learner="t", base="linear", folds=None
    )
    assert run.scored[IN_SAMPLE_COLUMN].all()
    spec = TargetingSpec(budget=300.0, cost_per_contact=0.2, value_per_conversion=10.0)
    predicted = compare_policies(run.scored, spec)
    (check,) = predicted.checks
    assert check.status is Status.REVIEW and "in-sample" in check.message
    assert predicted.to_dict()["checks"][0]["name"] == "winner_evidence"
    held_out = score_uplift(
        df.iloc[:2000], treatment="treatment", outcome="y", learner="t", score=df.iloc[2000:]
    ).scored
    assert not held_out[IN_SAMPLE_COLUMN].any()
    # scores of people without the experiment's columns rest on the prediction alone
    unmeasured = held_out.drop(columns=["treatment", "y"])
    assert "not a measurement" in compare_policies(unmeasured, spec).checks[0].message
    # with them, the experiment the scores record is measured without being named
    assert compare_policies(held_out, spec).checks[0].status is Status.PASS
    observed = compare_policies(held_out, spec, treatment="treatment", outcome="y")
    assert observed.checks[0].status is Status.PASS


def test_clustering_never_overwrites_the_datas_own_segment_column():
    # Hillstrom's `segment` is the treatment arm: the labels go beside it, not over it
    import numpy as np

    from micromix.audience.workflows import segment_people

    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "recency": rng.integers(1, 12, 300),
            "history": rng.gamma(2.0, 100.0, 300),
            "segment": rng.choice(["Mens E-Mail", "Womens E-Mail", "No E-Mail"], 300),
        }
    )
    run = segment_people(df, features=["recency", "history"], n_segments=3, k_anonymity=5)
    assert run.label_column == "audience_segment"
    assert run.rows["segment"].tolist() == df["segment"].tolist()
    assert run.rows["audience_segment"].nunique() == 3
    with pytest.raises(DataValidationError, match="'segment' and 'audience_segment'"):
        segment_people(df.assign(audience_segment=1), features=["recency", "history"], n_segments=3)


def test_an_unreadable_outcome_names_its_row():
    from micromix.audience._prep import coerce_outcome

    with pytest.raises(
        DataValidationError, match=r"'visit', row 3: 'yes\?' is not a number \(1 such"
    ):
        coerce_outcome(pd.Series([0, 1, "yes?", 0]), column="visit")
    with pytest.raises(DataValidationError, match=r"1 empty value\(s\) \(first: row 2\)"):
        coerce_outcome(pd.Series([0.0, None, 1.0]), column="visit")


def test_observed_lift_on_training_rows_is_flagged_not_passed():
    """Lift observed on the rows the model was trained on flatters the policies that use its
    scores (they pick people whose outcomes it has seen): review, and said in the table."""
    df = make_uplift_data(n=3000, seed=4, effect=0.2)
    spec = TargetingSpec(budget=300.0, cost_per_contact=0.2, value_per_conversion=10.0)
    in_sample = score_uplift(df, treatment="treatment", outcome="y", learner="t", folds=None).scored
    res = compare_policies(in_sample, spec, treatment="treatment", outcome="y")
    check = res.checks[0]
    assert check.name == "winner_evidence" and check.status is Status.REVIEW
    assert "in-sample" in check.message and check.details == {"in_sample": True}
    assert set(res.table["source"]) == {"observed in-sample"}
    held_out = score_uplift(
        df.iloc[:2000], treatment="treatment", outcome="y", learner="t", score=df.iloc[2000:]
    ).scored
    res = compare_policies(held_out, spec, treatment="treatment", outcome="y")
    assert res.checks[0].status is Status.PASS
    assert set(res.table["source"]) == {"observed"}


def test_targeting_on_training_rows_says_the_figures_are_in_sample():
    df = make_uplift_data(n=3000, seed=4, effect=0.2)
    spec = TargetingSpec(budget=300.0, cost_per_contact=0.2, value_per_conversion=10.0)
    scored = score_uplift(df, treatment="treatment", outcome="y", learner="t", folds=None).scored
    checks = {c.name: c for c in target(scored, spec).checks}
    assert checks["scores_in_sample"].status is Status.REVIEW
    held_out = score_uplift(
        df.iloc[:2000], treatment="treatment", outcome="y", learner="t", score=df.iloc[2000:]
    ).scored
    assert "scores_in_sample" not in {c.name for c in target(held_out, spec).checks}


def test_automatic_segments_leave_out_an_experiments_arm():
    """A randomised arm (Hillstrom's 'segment', Starbucks' 'Promotion') describes no one:
    clustering on it would only find the experiment's arms."""
    rng = np.random.default_rng(0)
    n = 600
    df = pd.DataFrame(
        {
            "recency": rng.integers(1, 12, n),
            "history": rng.gamma(2.0, 100.0, n),
            "channel": rng.choice(["Web", "Phone"], n),
            "segment": rng.choice(["Mens E-Mail", "Womens E-Mail", "No E-Mail"], n),
            "Promotion": rng.choice(["Yes", "No"], n),
            "tier": rng.choice(["gold", "none"], n),  # "none" alone marks no experiment
        }
    )
    run = segment_people(df, n_segments=3)
    assert run.features == ["recency", "history", "channel", "tier"]
    assert len(run.notes) == 2 and "'segment'" in run.notes[0] and "'no e-mail'" in run.notes[0]
    assert "'Promotion'" in run.notes[1] and run.to_dict()["notes"] == run.notes
    named = segment_people(df, features=["history", "segment"], n_segments=3)
    assert named.features == ["history", "segment"] and named.notes == []
    with pytest.raises(DataValidationError, match="experiment's assignment is left out"):
        segment_people(df[["segment", "Promotion"]], n_segments=2)
