"""CLV by acquisition strategy on simulated markets: the simulator's truth is recovered.

The markets are marketing-heavy (baseline demand 0.0002 a day, every channel's effect x4,
60,000 users, 42 campaign days + 182 observed days), so that most customers are won by a
channel and the groups differ; with the default market, 70% of every group's customers are
baseline demand and the true group means differ by little (docs/clv.md).

The truth of a group is the mean of the simulator's ``expected_clv_52w`` (discounted value of
the 52 weeks after the data, given each customer's true rates and state) over the customers the
data assigns to the group, i.e. the same customers the estimate is about.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from micromix.clv import (
    GROUP_MODEL,
    acquisition_groups,
    conversion_values,
    incremental_lifetime,
    lifetime_returns,
    new_customer_values,
    summary_from_daily,
    transactions_from_store,
)
from micromix.errors import ColumnNotFoundError

#: relative error allowed on a group's mean CLV (BG/NBD on Pareto/NBD data runs high: 1.17x
#: median, 1.38x worst over seeds 1-3; MBG/NBD, which the default auto-bg chooses there:
#: 1.06x median, 1.30x worst;
#: Pareto/NBD: 1.04x median, 0.73x worst; docs/clv.md)
TOLERANCE = {"bgnbd": 0.40, "mbgnbd": 0.35, "auto-bg": 0.35, "pareto": 0.30}


def _market_store(seed: int):
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate
    from micromix.simulate.config import DEFAULT_CHANNELS
    from micromix.store import Store

    channels = tuple(dataclasses.replace(c, beta=c.beta * 4) for c in DEFAULT_CHANNELS)
    cfg = SimConfig(
        users=60_000,
        days=42,
        seed=seed,
        observe_days=182,
        base_purchase_rate=0.0002,
        channels=channels,
    )
    st = Store.open(":memory:")
    load_market(st, simulate(cfg))
    return st


@pytest.fixture(scope="module")
def heavy_store():
    st = _market_store(1)
    yield st
    st.close()


def _truth_by_group(store, by: str) -> pd.Series:
    truth = store.read("clv_truth").set_index("user_id")
    groups = acquisition_groups(store, by=by)
    return truth.join(groups.rename("grp")).groupby("grp")["expected_clv_52w"].mean()


def _check_recovery(store, by: str, model: str) -> pd.DataFrame:
    table = lifetime_returns(store, by=by, model=model, horizon=52, n_draws=100)
    table["truth"] = table["group"].map(_truth_by_group(store, by))
    fitted = table.dropna(subset=["clv_mean"])
    assert len(fitted) >= 3, table
    # the ranking: the estimate orders the groups exactly as the truth does
    assert stats.spearmanr(fitted["clv_mean"], fitted["truth"]).statistic == 1.0, fitted
    ratio = fitted["clv_mean"] / fitted["truth"]
    assert (abs(ratio - 1) < TOLERANCE[model]).all(), fitted[["group", "clv_mean", "truth"]]
    return table


@pytest.mark.parametrize("model", [GROUP_MODEL, "bgnbd"])
@pytest.mark.parametrize("by", ["strategy", "targeting"])
def test_clv_by_strategy_recovers_the_truth(heavy_store, by, model):
    table = _check_recovery(heavy_store, by, model)
    # refused groups say why; they are never given a number
    for _, r in table[table["clv_mean"].isna()].iterrows():
        assert r["note"].startswith("refused"), r
    # every customer is in exactly one group
    assert table["customers"].sum() == len(heavy_store.read("clv_truth"))


def test_lifetime_roas_is_revenue_to_date_plus_future_over_spend(heavy_store):
    t = lifetime_returns(heavy_store, by="targeting", horizon=52, n_draws=100)
    paid = t[t["spend"] > 0].set_index("group")
    assert set(paid.index) == {"micro", "mass"}
    life = (paid["revenue_to_date"] + paid["clv_total"]) / paid["spend"]
    np.testing.assert_allclose(paid["lifetime_roas"], life)
    assert (paid["first_purchase_roas"] < paid["lifetime_roas"]).all()
    assert (paid["lifetime_roas_low"] <= paid["lifetime_roas"]).all()
    assert (paid["lifetime_roas"] <= paid["lifetime_roas_high"]).all()
    # micro customers are worth more per dollar over their lifetime than at first purchase
    gain = paid["lifetime_roas"] / paid["first_purchase_roas"]
    assert gain["micro"] > gain["mass"]
    # unpaid groups have no ROAS, rather than an infinite one
    assert t.loc[t["group"] == "none", "lifetime_roas"].isna().all()
    assert t.attrs["basis"] == "first-purchase" and t.attrs["horizon"] == 52


def test_incremental_lifetime_matches_the_true_clv_plug_in(heavy_store):
    """The holdout estimate with predicted CLVs contains, in its interval, the same estimate made
    with the simulator's true CLVs (seed 1, default model: gaps 5.1 and 9.0 ROAS units against
    half-widths 28 and 39; with BG/NBD, the old default, 0.9 and 23 against 30 and 41, the micro
    gap being its upward bias on that group, 1.38x)."""
    t = lifetime_returns(heavy_store, by="targeting", horizon=52, n_draws=50)
    summary = summary_from_daily(transactions_from_store(heavy_store))
    truth = heavy_store.read("clv_truth").set_index("user_id")["expected_clv_52w"]
    plug = incremental_lifetime(heavy_store, summary, truth, by="targeting").set_index("group")
    est = t.set_index("group").loc[plug.index]
    assert (est["experiments"] == plug["experiments"]).all() and plug["experiments"].sum() == 8
    half = (est["incremental_lifetime_roas_high"] - est["incremental_lifetime_roas_low"]) / 2
    gap = (est["incremental_lifetime_roas"] - plug["incremental_lifetime_roas"]).abs()
    assert (gap < half).all(), pd.DataFrame({"gap": gap, "half": half})


def test_new_customer_value_recovers_the_profiles(heavy_store):
    """A new customer's value per true profile equals the simulator's ex-ante value."""
    truth = heavy_store.read("clv_truth").set_index("user_id")
    profiles = heavy_store.read("clv_profiles").set_index("profile")
    summary = summary_from_daily(transactions_from_store(heavy_store))
    table = new_customer_values(summary, truth["profile"], horizon=52, n_draws=100)
    fitted = table[(table["basis"] == "segment") & (table["repeat_buyers"] >= 150)]
    assert len(fitted) >= 3
    want = profiles.loc[fitted.index, "expected_clv_52w"]
    assert stats.spearmanr(fitted["future_value"], want).statistic >= 0.8, fitted
    # the default purchase model (GROUP_MODEL) values new customers: 1.00-1.09x the truth on
    # seed 1 (BG/NBD, the default before: 1.03-1.17x)
    assert (abs(fitted["future_value"] / want - 1) < TOLERANCE[GROUP_MODEL]).all()
    assert (table["value"] > table["future_value"]).all()  # the first purchase is added


def test_conversion_values_per_segment(heavy_store):
    people = heavy_store.read("audience")[["user_id", "region"]].head(5000)
    people.loc[0, "region"] = "nowhere"  # a segment without customers: the pooled value
    values, table = conversion_values(heavy_store, people, segment_col="region", n_draws=30)
    assert values.index.equals(people.index) and (values > 0).all()
    assert values.iloc[0] == pytest.approx(table.attrs["pooled_value"])
    by_region = people.assign(v=values).groupby("region")["v"].first().drop("nowhere")
    np.testing.assert_allclose(by_region, table.loc[by_region.index, "value"])
    with pytest.raises(ColumnNotFoundError, match="no column 'segment'"):
        conversion_values(heavy_store, people, segment_col="segment")


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3])
@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "pareto"])
def test_clv_by_strategy_recovers_the_truth_over_seeds(seed, model):
    st = _market_store(seed)
    try:
        for by in ("strategy", "targeting"):
            _check_recovery(st, by, model)
    finally:
        st.close()


def test_too_few_repeat_buyers_are_refused_not_guessed(market_store):
    """A 21-day market of 4,000 users: every group is refused with its reason, no number (a
    6-week horizon, within three times the three weeks of history)."""
    t = lifetime_returns(market_store, by="strategy", n_draws=30, horizon=6)
    assert len(t) >= 3 and t["clv_mean"].isna().all() and t["lifetime_roas"].isna().all()
    assert t["note"].str.contains("repeat buyer").all()


def test_a_year_from_three_weeks_of_history_is_refused_with_every_figure_built_on_it(
    market_store,
):
    t = lifetime_returns(market_store, by="targeting", n_draws=30)
    assert t.attrs["horizon"] == 52
    assert t["note"].str.startswith("refused: the purchases cover").all()
    for col in ("clv_mean", "clv_total", "lifetime_roas", "incremental_lifetime_roas"):
        assert t[col].isna().all(), col


def _coverage(seeds) -> tuple[list[bool], list[float]]:
    """Per fitted group of the markets of ``seeds`` (by strategy and by targeting): whether the
    default model's 90% interval contains the true group mean, and its relative half-width."""
    covered: list[bool] = []
    widths: list[float] = []
    for seed in seeds:
        st = _market_store(seed)
        try:
            for by in ("strategy", "targeting"):
                t = lifetime_returns(st, by=by, horizon=52, level=0.9)
                t["truth"] = t["group"].map(_truth_by_group(st, by))
                t = t.dropna(subset=["clv_mean_low"])
                covered += list(
                    (t["clv_mean_low"] <= t["truth"]) & (t["truth"] <= t["clv_mean_high"])
                )
                widths += list((t["clv_mean_high"] - t["clv_mean_low"]) / 2 / t["clv_mean"])
        finally:
            st.close()
    return covered, widths


@pytest.mark.slow
def test_clv_by_strategy_intervals_contain_the_truth_at_the_stated_rate():
    """90% intervals of the default model contain the true group mean in about 90% of groups.

    The intervals are predictive (parameter draws and each customer's latent state given their
    history), like the truth, which is the value given each customer's true rates. Seeds 1-3
    chose the method (19 of 21 covered); seeds 4-6 were evaluated once afterwards (17 of 21).
    Over the 42 groups, 34 or more are covered with probability about 0.98 at a true rate of
    90%; at the old parameter-only intervals (BG/NBD) 38% and 67% were covered.
    """
    covered, widths = _coverage(range(1, 7))
    assert len(covered) >= 40
    rate = float(np.mean(covered))
    assert rate >= 0.8, f"{rate:.0%} of {len(covered)} intervals contain the truth"
    # and not by being uninformative: half-widths were 12-24% of the estimate, median 14%
    assert float(np.median(widths)) < 0.2, np.median(widths)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="not reached: 32 of the 42 groups with an interval (76%) on seeds 40-45, evaluated "
    "once; MBG/NBD over-predicts long-lived groups (docs/clv.md, 'Why intervals still miss'). "
    "Posterior sampling did not move the default: on fresh seeds 70-75 the MBG/NBD + "
    "Pareto/NBD posterior average covered 36 of 42 at 60,000 users, as many as the default "
    "(36), with a worse ranking (docs/clv.md, 'Intervals that follow the likelihood'). On "
    "fresh seeds 80-85 the default covered 29 and 33 of 42 (60,000 and 30,000 users), "
    "Pareto/NBD with posterior sampling 38 and 40, with wider intervals (docs/clv.md, "
    "'Posterior means, fresh held-out seeds')",
)
def test_clv_by_strategy_coverage_on_seeds_never_used_to_choose():
    """The stated rate on markets nobody tuned on: seeds 40-45 (43 groups).

    At a true rate of 90%, 34 or more of 42 intervals contain the truth with probability about
    0.98, so this asserts 80%. It is a strict xfail while the measured rate is short of it: the
    day a change reaches the stated rate here, the test fails until the mark is removed.
    """
    covered, widths = _coverage(range(40, 46))
    assert len(covered) >= 40
    rate = float(np.mean(covered))
    assert rate >= 0.8, f"{rate:.0%} of {len(covered)} intervals contain the truth"
    assert float(np.median(widths)) < 0.2, np.median(widths)
