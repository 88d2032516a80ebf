"""Repeat purchases: the buy-till-you-die process recovers its parameters, the lift tests measure
the truth that includes repeats, and the truth table is what the process implies."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from micromix.errors import ColumnNotFoundError, ConfigError
from micromix.simulate import (
    DEFAULT_REPEAT_PROFILES,
    ChannelSpec,
    RepeatProfile,
    RepeatSpec,
    SimConfig,
    simulate,
    summarize_clv_truth,
)
from micromix.simulate.repeat import HORIZONS


@pytest.fixture(scope="module")
def observed():
    """A market with half a year of repeat purchases observed after the campaign."""
    return simulate(SimConfig(users=30_000, days=28, seed=12, observe_days=182))


def test_customers_and_their_repeat_purchases_are_events(observed):
    m, cfg = observed, observed.config
    ev = m.events.to_pandas()
    end = pd.Timestamp(cfg.start) + pd.Timedelta(days=cfg.days)
    after = ev[ev["ts"] >= end]
    assert len(after) > 0
    assert set(after["event_type"]) == {"purchase", "add_to_cart"}
    buys = after[after["event_type"] == "purchase"]
    assert set(buys["strategy"].astype(str)) == {"direct"}
    assert buys["campaign_id"].isna().all() and (buys["platform"] == "web").all()
    assert ev["ts"].max() < end + pd.Timedelta(days=cfg.observe_days)
    truth = m.clv_truth
    assert set(buys["user_id"].astype(str)) <= set(truth["user_id"])
    # every repeat purchase of the truth is in the events, with its revenue
    assert truth["repeat_purchases"].sum() >= len(buys)
    assert buys["revenue"].sum() <= truth["repeat_revenue"].sum() + 0.01


def _profile_of(row: pd.Series) -> RepeatProfile:
    return DEFAULT_REPEAT_PROFILES[row["profile"]]


def test_latent_traits_follow_the_profiles(observed):
    truth = observed.clv_truth
    for key, g in truth.groupby("profile"):
        if len(g) < 150:
            continue
        prof = DEFAULT_REPEAT_PROFILES[key]
        # Gamma(shape, rate): mean shape / rate, sd sqrt(shape) / rate
        for col, shape, rate in (
            ("purchase_rate", prof.r, prof.alpha),
            ("dropout_rate", prof.s, prof.beta),
        ):
            se = math.sqrt(shape) / rate / math.sqrt(len(g))
            assert abs(g[col].mean() - shape / rate) < 4 * se, (key, col)
        assert g["mean_spend"].mean() == pytest.approx(prof.mean_spend, rel=0.12), key


def test_repeat_purchases_and_alive_share_match_the_process(observed):
    m, cfg = observed, observed.config
    truth = m.clv_truth
    start = pd.Timestamp(cfg.start)
    age = (start + pd.Timedelta(days=cfg.total_days) - truth["acquired_at"]).dt.total_seconds()
    age_weeks = age.to_numpy() / (7 * 86_400)
    # given the true rates: purchases ~ Poisson(lambda * time alive and observed)
    active = np.minimum(truth["lifetime_weeks"].to_numpy(), age_weeks)
    expected = float((truth["purchase_rate"] * active).sum())
    assert truth["repeat_purchases"].sum() == pytest.approx(expected, abs=4 * math.sqrt(expected))
    # ex ante, by strategy: alive share and purchases follow the Pareto/NBD formulas
    for key, g in truth.assign(age=age_weeks).groupby("profile"):
        if len(g) < 150:
            continue
        prof = DEFAULT_REPEAT_PROFILES[key]
        p_alive = (prof.beta / (prof.beta + g["age"])) ** prof.s
        se = math.sqrt(float((p_alive * (1 - p_alive)).sum())) / len(g)
        assert abs(g["alive_at_end"].mean() - p_alive.mean()) < 4 * se, key
        ex = np.array([prof.expected_purchases(a) for a in g["age"]])
        assert g["repeat_purchases"].sum() == pytest.approx(ex.sum(), rel=0.2), key


def test_expected_future_values_follow_from_the_true_rates(observed):
    truth = observed.clv_truth
    alive = truth[truth["alive_at_end"]]
    dead = truth[~truth["alive_at_end"]]
    assert len(alive) > 100 and len(dead) > 100
    assert (dead[[f"expected_clv_{h}" for h in HORIZONS]] == 0).all().all()
    # Monte Carlo of the next year of each alive customer, from their true rates
    rng = np.random.default_rng(0)
    lam, mu = alive["purchase_rate"].to_numpy(), alive["dropout_rate"].to_numpy()
    sims = []
    for _ in range(200):
        life = np.minimum(rng.exponential(1 / mu), 52.0)
        sims.append(rng.poisson(lam * life).sum())
    assert np.mean(sims) == pytest.approx(alive["expected_purchases_52w"].sum(), rel=0.02)
    assert (alive["expected_purchases_3y"] > alive["expected_purchases_52w"]).all()
    assert (alive["expected_clv_52w"] < alive["expected_purchases_52w"] * alive["mean_spend"]).all()


def test_strategies_differ_as_configured(observed):
    s = summarize_clv_truth(observed.clv_truth, ["strategy", "targeting"]).set_index(
        ["strategy", "targeting"]
    )
    mass = s.loc[("paid_social", "mass")]
    micro = s.loc[("paid_social", "micro")]
    # paid mass targeting buys cheaper one-off customers
    assert mass["dropout_rate"] > 2 * micro["dropout_rate"]
    assert mass["expected_clv_3y"] < micro["expected_clv_3y"]
    assert s["customers"].sum() == len(observed.clv_truth)
    by_label = summarize_clv_truth(observed.clv_truth, "recorded_strategy")
    assert set(by_label["recorded_strategy"]) >= {"direct", "paid_social"}
    with pytest.raises(ColumnNotFoundError, match="no column 'tier'; group by strategy"):
        summarize_clv_truth(observed.clv_truth, "tier")


def test_profiles_table_has_the_true_parameters(observed):
    prof = observed.clv_profiles.set_index("profile")
    assert set(prof.index) == set(observed.clv_truth["profile"]) | set(prof.index)
    assert {"direct", "ugc_organic", "paid_social:mass", "influencer:nano"} <= set(prof.index)
    mass = DEFAULT_REPEAT_PROFILES["paid_social:mass"]
    assert prof.loc["paid_social:mass", "alpha"] == mass.alpha
    assert prof.loc["paid_social:mass", "expected_clv_3y"] == pytest.approx(
        mass.expected_value(156)
    )
    assert prof["expected_purchases_3y"].gt(prof["expected_purchases_52w"]).all()
    # the mean over customers of their 3-year value at acquisition is the profile's ex-ante value
    t = observed.clv_truth
    rate = t["dropout_rate"] + math.log(1.1) / 52
    at_acquisition = t["mean_spend"] * t["purchase_rate"] / rate * -np.expm1(-rate * 156)
    checked = 0
    for key, v in at_acquisition.groupby(t["profile"]):
        if len(v) >= 500:
            se = v.std() / math.sqrt(len(v))
            assert abs(v.mean() - prof.loc[key, "expected_clv_3y"]) < 4 * se, key
            checked += 1
    assert checked >= 1


def test_profile_expectations_match_simulation():
    prof = RepeatProfile.from_means(purchases_per_week=0.2, lifetime_weeks=40, spend=50.0)
    rng = np.random.default_rng(1)
    n = 400_000
    lam = rng.gamma(prof.r, 1 / prof.alpha, n)
    mu = rng.gamma(prof.s, 1 / prof.beta, n)
    life = np.minimum(rng.exponential(1 / mu), 52.0)
    assert rng.poisson(lam * life).mean() == pytest.approx(prof.expected_purchases(52), rel=0.01)
    delta = math.log(1.1) / 52
    rate = mu + delta
    # given the rates, E[discounted spend] = spend * lambda * integral_0^52 exp(-(mu + delta) t) dt
    value = prof.mean_spend * lam * -np.expm1(-rate * 52.0) / rate
    assert value.mean() == pytest.approx(prof.expected_value(52), rel=0.01)
    one = RepeatProfile(r=1.0, alpha=5.0, s=1.0, beta=10.0)
    assert one.expected_purchases(10) == pytest.approx(0.2 * 10 * math.log(2))
    assert one.mean_lifetime_weeks == math.inf


def _strong_channel_market(seed: int, base: float) -> tuple:
    """One mass channel with a large effect and loyal customers: a precise lift test."""
    ch = ChannelSpec(
        name="paid_social:instagram:mass",
        strategy="paid_social",
        platform="instagram",
        targeting="mass",
        daily_budget=2.0,
        cpm=6.0,
        beta=1.0,
        k=0.2,
        holdout=0.5,
    )
    profiles = dict(DEFAULT_REPEAT_PROFILES)
    profiles["paid_social:mass"] = RepeatProfile.from_means(
        purchases_per_week=0.5, lifetime_weeks=30, spend=40.0
    )
    cfg = SimConfig(
        users=40_000,
        days=42,
        seed=seed,
        channels=(ch,),
        base_purchase_rate=base,
        repeat=RepeatSpec(profiles=profiles),
    )
    return simulate(cfg), ch.name


@pytest.mark.parametrize(("seed", "base"), [(0, 0.0003), (1, 0.004), (2, 0.004)])
def test_lift_tests_measure_the_incremental_truth_with_repeats(seed, base):
    m, name = _strong_channel_market(seed, base)
    ex = m.experiments
    treated, control = ex[ex["arm"] == "treatment"], ex[ex["arm"] == "control"]
    gt = m.ground_truth[m.ground_truth["channel"] == name]
    for y in ("conversions", "revenue"):
        lift = (treated[y].mean() - control[y].mean()) * len(treated)
        se = math.sqrt(treated[y].var() / len(treated) + control[y].var() / len(control))
        se *= len(treated)
        truth = gt[f"incremental_{y}"].sum()
        repeat = gt[f"incremental_repeat_{y}"].sum()
        assert abs(lift - truth) < 3.5 * se, (y, lift, truth, se)
        # without the repeat purchases the truth would be far off
        assert lift - (truth - repeat) > 5 * se, (y, lift, truth - repeat, se)


def test_same_seed_same_repeat_purchases():
    cfg = SimConfig(users=2_000, days=14, seed=9, observe_days=28)
    a, b = simulate(cfg), simulate(cfg)
    assert a.events.equals(b.events)
    pd.testing.assert_frame_equal(a.clv_truth, b.clv_truth)
    pd.testing.assert_frame_equal(a.ground_truth, b.ground_truth)
    c = simulate(cfg.with_(seed=10))
    assert not a.clv_truth["purchase_rate"].equals(c.clv_truth["purchase_rate"])


def test_repeat_config_is_validated_with_the_parameter_named():
    with pytest.raises(ConfigError, match=r"RepeatProfile\.alpha must be a finite number > 0"):
        RepeatProfile(r=1.0, alpha=0.0, s=2.0, beta=10.0)
    with pytest.raises(ConfigError, match=r"RepeatProfile\.q must be > 1"):
        RepeatProfile(r=1.0, alpha=1.0, s=2.0, beta=10.0, q=1.0)
    with pytest.raises(ConfigError, match="needs a 'direct' profile"):
        RepeatSpec(profiles={"ugc_organic": DEFAULT_REPEAT_PROFILES["ugc_organic"]})
    with pytest.raises(ConfigError, match="must start with a strategy"):
        RepeatSpec(
            profiles={**DEFAULT_REPEAT_PROFILES, "tv:mass": DEFAULT_REPEAT_PROFILES["direct"]}
        )
    only = {k: v for k, v in DEFAULT_REPEAT_PROFILES.items() if not k.startswith("influencer")}
    with pytest.raises(ConfigError, match=r"influencer:instagram:nano: SimConfig\.repeat has no"):
        SimConfig(repeat=RepeatSpec(profiles=only))
    with pytest.raises(ConfigError, match="observe_days needs repeat purchases"):
        SimConfig(repeat=None, observe_days=30)
    with pytest.raises(ConfigError, match="observe_days must be between 0 and 3660"):
        SimConfig(observe_days=-1)
    with pytest.raises(ConfigError, match="lifetime_weeks must be > 0"):
        RepeatProfile.from_means(purchases_per_week=0.1, lifetime_weeks=0, spend=10)
    assert (
        RepeatSpec().profile("influencer", "micro") is DEFAULT_REPEAT_PROFILES["influencer:micro"]
    )
    assert RepeatSpec().key("email") is None


def test_incremental_repeats_net_of_what_customers_would_have_bought():
    """Three customers by hand: won by the channel then a baseline purchase, a customer the
    channel only re-engages, and one won with nothing else bought."""
    from micromix.simulate.purchases import Purchases
    from micromix.simulate.repeat import _Profiles, incremental_repeats

    ch = ChannelSpec(
        name="paid_social:instagram:mass",
        strategy="paid_social",
        platform="instagram",
        targeting="mass",
    )
    cfg = SimConfig(users=100, days=21, channels=(ch,))
    day = 86_400_000_000
    user = np.array([0, 0, 1, 1, 2])
    when = np.array([1, 10, 2, 5, 3])  # days
    src = np.array([0, -1, -1, 0, 0])  # channel 0, baseline
    n = len(user)
    p = Purchases(
        user=user,
        day=when,
        us=when * day,
        src=src,
        value=np.full(n, 45.0),
        attributed=np.full(n, -1),
        strategy=np.zeros(n, np.int8),
        platform=np.zeros(n, np.int8),
        creator=np.full(n, -1),
        device=np.zeros(n, np.int8),
        atc=np.zeros(n, bool),
        atc_us=np.empty(0, np.int64),
    )
    order = np.lexsort((np.arange(n), p.us, p.user))
    first = np.r_[True, p.user[order][1:] != p.user[order][:-1]]
    conv, rev = incremental_repeats(cfg, p, order, first, _Profiles.of(cfg), 1)
    assert conv.shape == (2, 21) and not conv[1].any()
    mass, direct = cfg.repeat.profile("paid_social", "mass"), cfg.repeat.profile("direct")

    def between(prof, start, a, b):  # expected purchases in days [a, b) of a stream from start
        return prof.expected_purchases((b - start) / 7) - prof.expected_purchases((a - start) / 7)

    want = np.zeros(21)
    for d in range(21):
        if d >= 1:
            want[d] += between(mass, 1, max(d, 1), d + 1)  # customer 0, won on day 1
        if d >= 3:
            want[d] += between(mass, 3, max(d, 3), d + 1)  # customer 2, won on day 3
        if d >= 10:
            want[d] -= between(direct, 10, max(d, 10), d + 1)  # customer 0 without the channel
    want[10] -= 1  # ... whose baseline purchase on day 10 the repeat process replaced
    np.testing.assert_allclose(conv[0], want, atol=1e-12)
    rev_want = np.zeros(21)
    for d in range(21):
        if d >= 1:
            rev_want[d] += between(mass, 1, max(d, 1), d + 1) * mass.mean_spend
        if d >= 3:
            rev_want[d] += between(mass, 3, max(d, 3), d + 1) * mass.mean_spend
        if d >= 10:
            rev_want[d] -= between(direct, 10, max(d, 10), d + 1) * direct.mean_spend
    rev_want[10] -= cfg.order_value
    np.testing.assert_allclose(rev[0], rev_want, atol=1e-9)
