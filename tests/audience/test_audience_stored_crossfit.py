"""Stored-audience scores are never in-sample: the experiment's people are scored out of fold,
everyone else by the model fitted on all of them, and a target list drawn from them is valued
by the observed lift of its people who were in the experiment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import StratifiedKFold

from micromix.audience import TargetingSpec
from micromix.audience.learners import get_learner
from micromix.audience.policy import experiment_rows, recorded_experiment, scored_out_of_fold
from micromix.audience.scoring import IN_SAMPLE_COLUMN, OUT_OF_FOLD_COLUMN, score_uplift
from micromix.audience.workflows import score_stored_audience, target_stored_audience
from micromix.errors import ConfigError
from micromix.store import Store

FEATS = ["region", "interests"]


def _store(
    n_exp: int, n_out: int, *, regions: int, interests: int, seed: int, effect: float = 0.0
) -> Store:
    """An audience of ``n_exp + n_out`` people, the first ``n_exp`` in a randomised holdout
    whose true uplift is ``effect`` for everyone (base conversion rate 0.2)."""
    rng = np.random.default_rng(seed)
    n = n_exp + n_out
    ids = [f"p{i:05d}" for i in range(n)]
    people = pd.DataFrame(
        {
            "user_id": ids,
            "age_band": "25-34",
            "gender": "female",
            "region": [f"r{v}" for v in rng.integers(0, regions, n)],
            "interests": [f"i{v}" for v in rng.integers(0, interests, n)],
            "consent_ads_personalisation": True,
            "consent_analytics": True,
            "opt_out_sale": False,
            "gpc": False,
            "is_minor": False,
        }
    )
    arm = np.where(rng.random(n_exp) < 0.5, "treatment", "control")
    y = (rng.random(n_exp) < 0.2 + effect * (arm == "treatment")).astype(float)
    exp = pd.DataFrame(
        {
            "experiment_id": "holdout:paid_social:instagram:micro",
            "unit_id": ids[:n_exp],
            "arm": arm,
            "strategy": "paid_social",
            "campaign_id": "c1",
            "conversions": y,
            "revenue": y * 30,
            "pre_period": 0.0,
        }
    )
    st = Store.open(":memory:")
    st.append("audience", people)
    st.append("experiments", exp)
    return st


def _train(st: Store) -> pd.DataFrame:
    """The experiment's people with their profile, in the order the workflow reads them."""
    exp = st.read("experiments")
    people = st.read("audience")[["user_id", *FEATS]]
    train = exp.merge(people, left_on="unit_id", right_on="user_id", how="inner")
    return train.assign(converted=(train["conversions"] > 0).astype(int))


@pytest.fixture(scope="module")
def small():
    st = _store(1500, 500, regions=8, interests=5, seed=3, effect=0.05)
    yield st
    st.close()


def test_each_experiment_person_is_scored_by_a_model_that_did_not_see_them(small):
    scores = score_stored_audience(small, FEATS, folds=4, seed=3)
    train = _train(small)
    assert len(scores) == 2000 and not scores[IN_SAMPLE_COLUMN].any()
    in_exp = scores["user_id"].isin(train["user_id"]).to_numpy()
    assert (scores[OUT_OF_FOLD_COLUMN].to_numpy() == in_exp).all() and in_exp.sum() == 1500
    assert scores.attrs["scores"] == {
        "experiment": "holdout:paid_social:instagram:micro",
        "folds": 4,
        "out_of_fold": 1500,
        "not_in_experiment": 500,
        "not_in_experiment_model": "fitted on every person of the experiment",
    }
    by_id = scores.set_index("user_id")
    # by hand: 4 folds stratified by arm, seeded; each fold scored by the other three
    labels, y = train["arm"].to_numpy(), train["converted"].to_numpy()
    skf = StratifiedKFold(n_splits=4, shuffle=True, random_state=3)
    for tr, te in skf.split(np.zeros(len(train)), labels):
        m = get_learner("t", control="control", base="linear", random_state=3)
        m.fit(train.iloc[tr][FEATS], labels[tr], y[tr])
        held = train.iloc[te]
        got = by_id.loc[held["user_id"], "uplift"].to_numpy()
        assert got == pytest.approx(m.predict(held[FEATS]))
    # the people outside the experiment: the model fitted on all of it
    full = get_learner("t", control="control", base="linear", random_state=3)
    full.fit(train[FEATS], labels, y)
    out = scores[~in_exp]
    assert out["uplift"].to_numpy() == pytest.approx(full.predict(out[FEATS]))
    # their experiment columns are empty; the experiment's people keep their arm and outcome
    assert out["experiment_arm"].isna().all() and out["converted"].isna().all()
    mine = by_id.loc[train["user_id"]]
    assert (mine["experiment_arm"].to_numpy() == labels).all()
    assert (mine["converted"].to_numpy() == y).all()


def test_a_persons_own_outcome_does_not_move_their_score(small):
    """Flip one person's conversion: the model that scores them never saw it."""
    before = score_stored_audience(small, FEATS).set_index("user_id")["uplift"]
    exp = small.read("experiments")
    who = exp["unit_id"].iloc[7]
    exp.loc[exp.index[7], "conversions"] = 1.0 - exp["conversions"].iloc[7]
    st = Store.open(":memory:")
    st.append("audience", small.read("audience"))
    st.append("experiments", exp)
    after = score_stored_audience(st, FEATS).set_index("user_id")["uplift"]
    assert after[who] == pytest.approx(before[who])
    assert not np.allclose(after.to_numpy(), before.to_numpy())  # the other folds' models did


def _top_decile_lift(scores: pd.DataFrame, train: pd.DataFrame) -> float:
    """Observed uplift (treated minus control conversion rate) of the experiment's people
    whose scores are in the top decile."""
    d = train.merge(scores[["user_id", "uplift"]], on="user_id")
    top = d[d["uplift"] >= d["uplift"].quantile(0.9)]
    y, t = top["converted"], top["arm"] == "treatment"
    return float(y[t].mean() - y[~t].mean())


def test_in_sample_scores_overstate_the_top_decile_and_out_of_fold_ones_do_not():
    """Few people, many feature levels, no true uplift at all: the full-data model's scores of
    its own training people pick those who converted when treated (or did not in control),
    so their top decile 'shows' a large lift; the out-of-fold scores' top decile does not."""
    st = _store(1000, 500, regions=40, interests=25, seed=0, effect=0.0)
    train = _train(st)
    # what score_stored_audience did before: the model fitted on everyone scored them too
    run = score_uplift(
        train[[*FEATS, "arm", "converted"]], treatment="arm", outcome="converted",
        control="control", features=FEATS, base="linear", folds=None,
    )  # fmt: skip
    in_sample = run.scored.assign(user_id=train["user_id"].to_numpy())
    honest = score_stored_audience(st, FEATS)
    truth = 0.0
    over_in = _top_decile_lift(in_sample, train) - truth
    over_oof = _top_decile_lift(honest, train) - truth
    assert over_in > 0.25  # measured 0.30: a 'lift' of 30 points where there is none
    assert abs(over_oof) < 0.1  # measured -0.03
    st.close()


def test_a_target_list_is_valued_by_the_observed_lift_of_its_experiment_people(small):
    scores = score_stored_audience(small, FEATS)
    assert recorded_experiment(scores) == ("experiment_arm", "converted", "control")
    assert scored_out_of_fold(scores) and experiment_rows(scores).sum() == 1500
    spec = TargetingSpec(budget=300.0, cost_per_contact=0.5, value_per_conversion=45.0)
    res = target_stored_audience(small, spec, scores=scores, platform=None)
    s = res.summary
    chosen = res.audience
    in_exp = chosen[chosen[OUT_OF_FOLD_COLUMN]]
    assert 0 < len(in_exp) < len(chosen) and s["observed_people"] == len(in_exp)
    # by hand: the chosen experiment people's treated minus control rate, times the contacts
    y, t = in_exp["converted"].astype(float), in_exp["experiment_arm"] == "treatment"
    lift = (y[t].mean() - y[~t].mean()) * len(chosen)
    assert s["observed_incremental_conversions"] == pytest.approx(lift)
    assert s["observed_incremental_conversions_low"] <= lift
    assert s["observed_on"] == "experiment_arm / converted"
    cal = {c.name: c for c in res.checks}["calibration"]
    assert f"{len(in_exp):,} of them in the experiment" in cal.message


def test_folds_are_checked_for_stored_audiences(small):
    with pytest.raises(ConfigError, match="--folds must be a whole number of at least 2"):
        score_stored_audience(small, FEATS, folds=1)
    with pytest.raises(ConfigError, match="too few to put some in every fold"):
        score_stored_audience(small, FEATS, folds=500)


def test_people_who_may_not_be_profiled_stay_unscored_outside_the_experiment(small):
    people = small.read("audience")
    people.loc[people.index[-3:], "age_band"] = "13-17"  # three minors outside the experiment
    st = Store.open(":memory:")
    st.append("audience", people)
    st.append("experiments", small.read("experiments"))
    scores = score_stored_audience(st, ["age_band", *FEATS]).set_index("user_id")
    minors = people["user_id"].iloc[-3:]
    assert scores.loc[minors, "uplift"].isna().all()
    assert scores.drop(minors.to_list())["uplift"].notna().all()


def test_minors_and_people_without_ad_consent_in_the_experiment_are_not_learnt_from(small):
    """As `audience uplift` does with a file: their outcomes train no model and they get no
    score (the stored path read only the features, so it learnt from everyone)."""
    people = small.read("audience")
    exp = small.read("experiments")
    barred = exp["unit_id"].iloc[:40].to_list()
    mask = people["user_id"].isin(barred)
    people.loc[mask & (people.index % 2 == 0), "is_minor"] = True
    people.loc[mask & (people.index % 2 == 1), "consent_ads_personalisation"] = False

    def scores(conversions: pd.Series) -> pd.Series:
        st = Store.open(":memory:")
        st.append("audience", people)
        st.append("experiments", exp.assign(conversions=conversions))
        try:
            return score_stored_audience(st, FEATS).set_index("user_id")["uplift"]
        finally:
            st.close()

    before = scores(exp["conversions"])
    flipped = exp["conversions"].where(~exp["unit_id"].isin(barred), 1.0 - exp["conversions"])
    after = scores(flipped)
    assert before[barred].isna().all()
    # nobody's score moved: the barred people's outcomes were never read
    assert after.to_numpy() == pytest.approx(before.to_numpy(), nan_ok=True)


def test_people_outside_the_experiment_who_may_not_be_profiled_get_no_score(small):
    """Consent and age are read on the people themselves, not on the features scored: a minor
    or a refusal outside the experiment is not profiled even when neither is a feature."""
    people = small.read("audience")
    outside = people.index[-10:]  # the fixture's last 500 people are not in the experiment
    people.loc[outside[:5], "is_minor"] = True
    people.loc[outside[5:], "consent_ads_personalisation"] = False
    st = Store.open(":memory:")
    st.append("audience", people)
    st.append("experiments", small.read("experiments"))
    scores = score_stored_audience(st, FEATS).set_index("user_id")
    barred = people.loc[outside, "user_id"]
    assert scores.loc[barred, "uplift"].isna().all()
    assert scores.drop(barred.to_list())["uplift"].notna().all()
