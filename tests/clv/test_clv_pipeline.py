"""fit_clv end to end, discounted CLV and its intervals, CLV by group, the tracking plot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.clv import (
    BetaGeoModel,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    clv_by_group,
    customer_value,
    daily_purchases,
    discounted_purchases,
    fit_clv,
    latent_total_draws,
    simulate_transactions,
    summary_from_daily,
    tracking_chart_spec,
)
from micromix.errors import DataValidationError

CAL, HOLD = "1997-09-30", "1998-06-30"


@pytest.fixture(scope="module")
def fitted(cohort):
    return fit_clv(cohort, calibration_end=CAL, holdout_end=HOLD, model="bgnbd", n_draws=60)


def test_fit_clv_recovers_the_truth_and_reports_it(fitted, truths):
    doc = fitted.to_dict()
    assert doc["model"] == "bgnbd"
    for k, v in truths["bgnbd"].items():
        lo, hi = doc["param_intervals"][k]
        assert lo < v < hi or abs(np.log(doc["params"][k] / v)) < 0.35, (k, doc["params"][k])
    assert set(doc["spend_params"]) == {"p", "q", "gamma"}
    assert set(doc["holdout"]) >= {
        "actual_repeat_purchases",
        "predicted_repeat_purchases",
        "mae_per_customer",
    }
    # the forecast of a correctly specified model is close in aggregate
    h = doc["holdout"]
    assert abs(h["predicted_repeat_purchases"] / h["actual_repeat_purchases"] - 1) < 0.1
    assert doc["customers"] == 4000
    lo, hi = doc["total_clv_interval"]
    assert lo < doc["total_clv"] < hi


def test_customer_rows(fitted):
    c = fitted.customers
    want = ["expected_purchases", "probability_alive", "expected_spend", "clv", "clv_low",
            "clv_high", "holdout_actual", "holdout_predicted"]  # fmt: skip
    assert set(want) <= set(c.columns)
    assert len(c) == 4000 and c.index.name == "customer_id"
    assert (c["clv_low"] <= c["clv_high"]).all()
    assert c["probability_alive"].between(0, 1).all()
    assert (c["clv"] >= 0).all()


def test_tracking_is_consistent_with_the_data(fitted, cohort):
    tr = fitted.tracking
    daily = daily_purchases(cohort, customer_col="customer_id", date_col="date", value_col="value")
    daily = daily[daily["date"] <= HOLD]
    repeat_days = len(daily) - daily["customer_id"].nunique()
    assert tr["actual_cumulative"].iloc[-1] == repeat_days
    assert len(tr) == 78 and set(tr["phase"]) == {"calibration", "holdout"}
    # in calibration the model tracks the data it was fitted to
    cal = tr[tr["phase"] == "calibration"].iloc[-1]
    assert cal["predicted_cumulative"] == pytest.approx(cal["actual_cumulative"], rel=0.05)
    spec = fitted.tracking_chart()
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert len(spec["layer"]) == 2


def test_tracking_chart_spec_is_plain_json():
    import json

    tr = pd.DataFrame({"period": [1, 2, 3], "phase": ["calibration"] * 2 + ["holdout"],
                       "actual_cumulative": [1.0, 3.0, np.nan], "predicted_cumulative": [1.5, 2.5, 4.0]})  # fmt: skip
    spec = tracking_chart_spec(tr)
    json.dumps(spec, allow_nan=False)  # NaN became null


def test_auto_keeps_the_more_likely_model(cohort):
    res = fit_clv(cohort, calibration_end=CAL, model="auto", interval="none")
    cands = res.candidates.set_index("model")
    assert list(cands.index) == ["bgnbd", "pareto"]
    best = cands["log_likelihood"].idxmax()
    margin = cands["log_likelihood"].max() - cands.loc["bgnbd", "log_likelihood"]
    assert res.model == (best if margin > 0.5 else "bgnbd")
    assert cands["chosen"].sum() == 1 and cands.loc[res.model, "chosen"]
    assert res.customers["clv_low"].isna().all()  # interval="none": no interval, not a fake one


def test_a_calibration_window_the_data_do_not_match_is_flagged(cohort):
    """An end after the last purchase makes everyone look older and quieter (lower CLV); an
    end before it without a holdout leaves the later purchases unused: both said."""
    last = pd.Timestamp(cohort["date"].max())
    late = fit_clv(
        cohort, calibration_end=last + pd.Timedelta(days=90), model="bgnbd", interval="none"
    )
    check = {c.name: c for c in late.checks}["clv_calibration_window"]
    assert check.status.value == "review" and "90 day(s) after the last purchase" in check.message
    early = fit_clv(cohort, calibration_end=CAL, model="bgnbd", interval="none")
    unused = {c.name: c for c in early.checks}["clv_unused_purchases"]
    after = cohort.loc[pd.to_datetime(cohort["date"]) > pd.Timestamp(CAL)]
    days = after.assign(d=pd.to_datetime(after["date"]).dt.normalize())[["customer_id", "d"]]
    assert unused.details["purchase_days_after_calibration"] == len(days.drop_duplicates())
    assert f"--holdout-end {last.date()}" in unused.recommendation
    held = fit_clv(cohort, calibration_end=CAL, holdout_end=HOLD, model="bgnbd", interval="none")
    names = {c.name for c in held.checks}
    assert not names & {"clv_unused_purchases", "clv_calibration_window"}


def test_no_repeat_purchases_is_one_sentence():
    tx = pd.DataFrame({"c": ["a", "b", "c"], "d": ["2024-01-01", "2024-01-02", "2024-01-05"],
                       "v": [1.0, 2.0, 3.0]})  # fmt: skip
    with pytest.raises(DataValidationError) as exc:
        fit_clv(tx, customer_col="c", date_col="d", value_col="v", source="one-off.csv")
    msg = str(exc.value)
    assert msg.startswith("one-off.csv: no customer bought on two different days")
    assert "field 'd'" in msg and "\n" not in msg


# ------------------------------------------------------------------ value
@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel])
def test_latent_draws_average_to_the_expected_clv(cls, truths, gg_truth, cohort):
    """Drawing each customer's latent state given their history and valuing it at its true
    rates averages to the conditional expected CLV: the closed forms of the posteriors agree
    with the models' expectations (fixed parameters, so only the customer-level draws vary)."""
    summary = summary_from_daily(daily_purchases(cohort), calibration_end=CAL)
    pm = cls.from_params(truths[cls.lookup_name])
    sm = GammaGammaModel.from_params(truths["gg"])
    n = 600
    pm.draws_ = np.tile(pm._p, (n, 1))
    sm.draws_ = np.tile(sm._p, (n, 1))
    want = customer_value(pm, sm, summary, horizon=52, discount_rate=0.1)["clv"].sum()
    got = latent_total_draws(pm, sm, summary, horizon=52, discount_rate=0.1, random_state=3)
    assert got.shape == (n,) and got.std() > 0
    assert abs(got.mean() - want) < 4 * got.std() / np.sqrt(n), (got.mean(), want)
    # no draws, no interval
    assert latent_total_draws(cls.from_params(truths[cls.lookup_name]), sm, summary,
                              horizon=52) is None  # fmt: skip


def test_discounting_by_quadrature_matches_a_fine_sum(bg_truth, pareto_truth):
    rows = pd.DataFrame({"frequency": [0.0, 2.0, 9.0], "recency": [0.0, 30.43, 36.0],
                         "T": [38.86, 38.86, 38.0]})  # fmt: skip
    for model in (bg_truth, pareto_truth):
        H, d = 104.0, 0.15
        got = discounted_purchases(model, rows, horizon=H, discount_rate=d, time_unit="W")
        delta = np.log1p(d) * 7 / 365.25
        grid = np.linspace(0, H, 4001)
        cum = np.stack([model.expected_purchases(rows, t) if t > 0 else np.zeros(3) for t in grid])
        mid = (grid[1:] + grid[:-1]) / 2
        want = (np.exp(-delta * mid)[:, None] * np.diff(cum, axis=0)).sum(axis=0)
        np.testing.assert_allclose(got, want, rtol=1e-5)
        undiscounted = discounted_purchases(model, rows, horizon=H, discount_rate=0.0)
        np.testing.assert_allclose(undiscounted, model.expected_purchases(rows, H))
        assert np.all(got < undiscounted)


def test_clv_moves_the_right_way(bg_truth, gg_truth):
    rows = pd.DataFrame({"frequency": [1.0, 4.0], "recency": [10.0, 35.0], "T": [38.0, 38.0],
                         "monetary_value": [20.0, 40.0]})  # fmt: skip

    def clv(**kw):
        args = dict(horizon=52, discount_rate=0.1, time_unit="W") | kw
        return customer_value(bg_truth, gg_truth, rows, **args)["clv"].to_numpy()

    assert np.all(clv(horizon=104) > clv())
    assert np.all(clv(discount_rate=0.3) < clv())
    np.testing.assert_allclose(clv(margin=0.25), 0.25 * clv())
    assert clv()[1] > clv()[0]  # the frequent, recent, big spender is worth more


def test_clv_intervals_cover_the_true_expected_clv(bg_truth, gg_truth):
    """Per-customer 90% CLV intervals contain the CLV computed with the true parameters about
    90% of the time (averaged over datasets simulated from those parameters)."""
    rates, totals = [], []
    rng = np.random.default_rng(5)
    for rep in range(12):
        s = bg_truth.sample(rng.integers(20 * 7, 39 * 7, 2000) / 7, random_state=200 + rep)
        rep_rows = s[s["frequency"] > 0]
        s["monetary_value"] = 0.0
        s.loc[rep_rows.index, "monetary_value"] = gg_truth.sample(
            rep_rows["frequency"], random_state=300 + rep
        )["monetary_value"].to_numpy()
        pm = BetaGeoModel(n_draws=100, random_state=rep).fit(s)
        sm = GammaGammaModel(n_draws=100, random_state=rep + 50).fit(s)
        est = customer_value(pm, sm, s, horizon=52, time_unit="W")
        true = customer_value(bg_truth, gg_truth, s, horizon=52, time_unit="W")["clv"]
        rates.append(np.mean((est["clv_low"] <= true) & (true <= est["clv_high"])))
        totals.append(true.sum())
    assert 0.75 <= np.mean(rates) <= 0.99, rates


# ------------------------------------------------------------------ by group
def test_clv_by_group_recovers_the_ranking(gg_truth):
    """Customers won by one strategy churn less: their group CLV must come out higher, each
    interval must contain the group's CLV under the true parameters, and a tiny group is
    refused rather than guessed."""
    loyal = BetaGeoModel.from_params({"r": 0.3, "alpha": 4.0, "a": 0.5, "b": 6.0})
    fickle = BetaGeoModel.from_params({"r": 0.3, "alpha": 4.0, "a": 1.5, "b": 1.0})
    parts, groups = [], {}
    for name, truth, n, seed in (("ugc", loyal, 2500, 1), ("paid", fickle, 2500, 2),
                                 ("tiny", loyal, 15, 3)):  # fmt: skip
        tx = simulate_transactions(truth, gg_truth, customers=n, random_state=seed)
        tx["customer_id"] = name + tx["customer_id"]
        parts.append(tx)
        groups.update(dict.fromkeys(tx["customer_id"].unique(), name))
    tx = pd.concat(parts, ignore_index=True)
    daily = daily_purchases(tx, value_col="value")
    summary = summary_from_daily(daily, calibration_end=CAL)
    spend = pd.Series({"ugc": 1000.0, "paid": 1000.0})
    out = clv_by_group(summary, pd.Series(groups), n_draws=100, spend=spend).set_index("group")
    assert out.loc["ugc", "clv_mean"] > out.loc["paid", "clv_mean"]
    assert out.loc["ugc", "clv_mean_low"] > out.loc["paid", "clv_mean_high"]
    assert out.loc["tiny", "note"].startswith("refused") and np.isnan(out.loc["tiny", "clv_mean"])
    for name, truth in (("ugc", loyal), ("paid", fickle)):
        sub = summary[summary.index.str.startswith(name)]
        true_mean = customer_value(truth, gg_truth, sub, horizon=52)["clv"].mean()
        assert out.loc[name, "clv_mean_low"] <= true_mean <= out.loc[name, "clv_mean_high"], name
        roas = (out.loc[name, "revenue_to_date"] + out.loc[name, "clv_total"]) / 1000.0
        assert out.loc[name, "lifetime_roas"] == pytest.approx(roas)


def test_pareto_model_in_the_pipeline(cohort):
    res = fit_clv(cohort, calibration_end=CAL, holdout_end=HOLD, model="pareto", n_draws=40)
    assert isinstance(res.purchase_model, ParetoNBDModel)
    assert set(res.to_dict()["params"]) == {"r", "alpha", "s", "beta"}
    assert "Pareto/NBD" in repr(res) and "<pre>" in res._repr_html_()
