"""What the data cannot show is never called evidenced (review 28 b, findings 1, 2 and 6).

A channel whose spend is constant once the adstock window lies inside the data cannot be told
apart from the baseline: the only variation the fit sees is the ramp-up the adstock invents from
"no spend before the data start". Two channels whose raw spends move together cannot be split.
Both are labelled ``not measurable``, get no ROAS, and the optimizer holds them at their current
share, repeating the fit's reviews; cutting a channel whose effect is unknown is reviewed too.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from micromix.checks import Status
from micromix.measurement import MarketingMixModel, MMMSpec, load_mmm
from micromix.measurement.mmm import NOT_MEASURABLE, _spend_r2
from micromix.optimize import CurveResponse, evidence_check, recommend_budget


def _fit(df, spec_kw, **kw) -> MarketingMixModel:
    spec = MMMSpec(**{**spec_kw, "n_draws": 60, **kw})
    return MarketingMixModel(spec=spec, n_starts=8).fit(df)


def _check(m, name):
    return next(c for c in m.diagnostics_ if c.name == name)


@pytest.fixture(scope="module")
def constant(weekly, spec_kw):
    df = weekly[0].copy()
    df["instagram"] = float(df["instagram"].mean())  # "always on": the same spend every week
    return _fit(df, spec_kw)


@pytest.fixture(scope="module")
def collinear(weekly, spec_kw):
    df = weekly[0].copy()
    df["copy"] = 2 * df["tiktok"]  # the same campaign booked twice
    return _fit(df, spec_kw, channels=("tiktok", "instagram", "copy"))


def test_a_constant_channel_is_not_measurable_and_gets_no_roas(constant):
    s = constant.summary().set_index("channel")
    assert s.loc["instagram", "effect"] == NOT_MEASURABLE
    assert math.isnan(s.loc["instagram", "roas"]) and math.isnan(
        s.loc["instagram", "marginal_roas"]
    )
    assert s.loc["tiktok", "effect"] != NOT_MEASURABLE and s.loc["tiktok", "roas"] > 0
    check = _check(constant, "zero_effect_channels")
    assert check.status is Status.REVIEW
    assert "instagram" in check.details["not_identifiable"]
    assert "constant from period 8 on" in check.message and "baseline" in check.message
    assert _check(constant, "baseline_confounding").status is Status.REVIEW
    assert constant.results_document()["channels"]["instagram"]["effect"] == NOT_MEASURABLE


def test_collinear_spend_is_a_review_and_neither_channel_is_evidenced(collinear):
    check = _check(collinear, "identifiability")
    assert check.status is Status.REVIEW
    assert set(check.details["collinear_spend"]) == {"tiktok", "copy"}
    assert "raw spend moves together" in check.message
    labels = collinear.effect_labels()
    assert labels["tiktok"] == labels["copy"] == NOT_MEASURABLE
    assert labels["instagram"] != NOT_MEASURABLE


def test_spend_r2_reads_a_linear_combination_of_several_channels():
    rng = np.random.default_rng(0)
    a, b = rng.uniform(size=50), rng.uniform(size=50)
    r2 = _spend_r2(np.column_stack([a, b, a + b, np.full(50, 3.0)]))
    assert r2[2] > 0.999 and r2[0] > 0.999 and math.isnan(r2[3])
    assert _spend_r2(np.column_stack([a, b])).max() < 0.2


def test_the_optimizer_holds_a_channel_it_cannot_measure_and_repeats_the_fit_reviews(
    constant, tmp_path
):
    constant.save(tmp_path)
    for model in (constant, load_mmm(tmp_path)):
        rec = recommend_budget(model)
        cur = np.asarray(model.current_spend, float)
        i = model.channels.index("instagram")
        assert rec.recommended.spend[i] == pytest.approx(cur[i])  # its current share, untouched
        names = {c.name: c for c in rec.checks}
        assert names["not_measurable"].status is Status.REVIEW
        assert "instagram" in names["not_measurable"].message
        assert "baseline" in names["not_measurable"].message
        assert names["fit_reviews"].status is Status.REVIEW
        assert "baseline_confounding" in names["fit_reviews"].message
        assert "instagram" not in names["evidence"].details["funded_without_evidence"]
    # the caller may still set its spend: then it is no longer held
    rec = recommend_budget(constant, bounds={"instagram": (0.0, 1.0)})
    assert "not_measurable" not in {c.name for c in rec.checks}
    assert rec.recommended.spend[constant.channels.index("instagram")] <= 1.0 + 1e-9


def test_a_target_search_keeps_the_held_channel_at_its_current_spend(constant):
    rec = recommend_budget(constant, target_roas=0.001)
    i = constant.channels.index("instagram")
    assert rec.recommended.spend[i] == pytest.approx(constant.current_spend[i])


def _curves():
    m = CurveResponse.hill(["a", "b"], vmax=[100.0, 5.0], half=[10.0, 10.0])
    m.current_spend = [10.0, 10.0]
    return m


def test_cutting_a_channel_whose_effect_is_unknown_is_a_review():
    m = _curves()
    m.channel_evidence = ["evidenced", "not evidenced"]
    rec = recommend_budget(m, 20.0)
    b = float(rec.recommended.spend[1])
    assert b < 9.0  # the optimizer moves b's money to a
    check = next(c for c in rec.checks if c.name == "evidence")
    assert check.status is Status.REVIEW
    assert check.details["cut_without_evidence"] == ["b"]
    assert "cuts channels" in check.message and "from 10.00" in check.message
    # a channel shown to have no effect may be cut without a review
    m.channel_evidence = ["evidenced", "no effect"]
    assert evidence_check(m, rec.recommended.spend, [10.0, 10.0]).status is Status.PASS


def test_a_not_measurable_channel_is_held_not_cut():
    m = _curves()
    m.channel_evidence = ["evidenced", NOT_MEASURABLE]
    rec = recommend_budget(m, 30.0)
    assert float(rec.recommended.spend[1]) == pytest.approx(15.0)  # its current half of 30
    assert any(c.name == "not_measurable" for c in rec.checks)


def test_a_hand_edited_unmeasurable_field_is_refused(constant, tmp_path):
    import json

    from micromix.errors import ModelError

    constant.save(tmp_path)
    d = json.loads((tmp_path / "model.json").read_text())
    d["unmeasurable"] = {"nope": "x"}
    (tmp_path / "model.json").write_text(json.dumps(d))
    with pytest.raises(ModelError, match="unmeasurable"):
        load_mmm(tmp_path)


def test_a_model_fitted_before_unmeasurable_existed_still_summarises(fitted) -> None:
    """A model pickled by an earlier micromix has no ``unmeasurable_``: its summary and its
    saved form read it as none, never an AttributeError (final review r28z #5)."""
    import copy
    import pickle

    old = copy.deepcopy(fitted)
    del old.unmeasurable_
    back = pickle.loads(pickle.dumps(old))
    assert len(back.summary()) == len(fitted.summary())
