"""The mix model tells the truth about itself: points inside their intervals, no overflow,
calibration that binds, and intervals that contain the simulator's truth at their stated rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.errors import ConfigError, DataValidationError
from micromix.measurement import (
    LiftTest,
    MarketingMixModel,
    MMMSpec,
    fit_strategy_mix,
    lift_tests_from_frame,
)
from micromix.metrics.compare import compare_strategies
from micromix.store import Store


def _market_store(users: int, days: int, seed: int):
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate

    m = simulate(SimConfig(users=users, days=days, seed=seed))
    st = Store.open(":memory:")
    load_market(st, m)
    return st, m


@pytest.fixture(scope="module")
def mix_and_truth():
    st, m = _market_store(8_000, 56, 13)
    hold = compare_strategies(st, "ugc-vs-paid", n_boot=100, seed=1)
    mix = fit_strategy_mix(st, holdouts=hold, seed=1)
    plain = fit_strategy_mix(st, calibrate=False, seed=1)
    truth = m.ground_truth.groupby("strategy")["incremental_revenue"].sum()
    yield mix, plain, hold, truth
    st.close()


def _inside(s: pd.DataFrame, col: str, lo: str, hi: str) -> pd.Series:
    ok = s[col].isna() | ((s[lo] <= s[col] + 1e-9) & (s[col] <= s[hi] + 1e-9))
    return ok


def test_every_point_lies_inside_its_own_interval(mix_and_truth, fitted):
    mix, plain, _, _ = mix_and_truth
    for s in (mix.summary, plain.summary, fitted.summary()):
        assert _inside(s, "contribution", "contribution_lo", "contribution_hi").all(), s
        assert _inside(s, "roas", "roas_lo", "roas_hi").all(), s
        assert _inside(s, "marginal_roas", "marginal_roas_lo", "marginal_roas_hi").all(), s
    model = mix.model
    spend = model.current_spend
    draws = model.response_draws(spend)
    lo, hi = np.quantile(draws, [0.05, 0.95])
    assert lo <= float(model.response(spend)) <= hi
    ess = next(c for c in model.diagnostics_ if c.name == "posterior_draws")
    assert ess.details["effective_draws"] > 30


def test_holdouts_calibrate_the_contribution_over_the_same_periods(mix_and_truth):
    mix, plain, hold, _ = mix_and_truth
    assert sorted(mix.calibrated_with) == ["influencer", "paid_social", "ugc_amplified"]
    assert all(t.over_periods for t in mix.model.spec.lift_tests)
    h = hold.table.set_index("strategy")
    s = mix.summary.set_index("strategy")
    p = plain.summary.set_index("strategy")
    closer = 0
    for strat in mix.calibrated_with:
        inc = h.loc[strat, "incremental_revenue"]
        half = (
            h.loc[strat, "incremental_revenue_high"] - h.loc[strat, "incremental_revenue_low"]
        ) / 2
        # the calibrated contribution sits inside the holdout's own interval ...
        assert abs(s.loc[strat, "contribution"] - inc) <= half, strat
        closer += abs(s.loc[strat, "contribution"] - inc) <= abs(p.loc[strat, "contribution"] - inc)
    # ... and nearer the holdouts than the uncalibrated model's
    assert closer >= 2


def test_a_period_lift_test_pins_the_contribution_over_its_periods(weekly, spec_kw):
    df, truth = weekly
    base = {**spec_kw, "n_draws": 0}
    weeks = df["week"]
    claimed = 2.0 * truth["tiktok"] / len(df)
    lt = LiftTest(
        "tiktok",
        spend=float(df["tiktok"].mean()),
        delta_spend=-float(df["tiktok"].mean()),
        delta_outcome=-claimed,
        sigma=0.01 * claimed,
        start=str(weeks.iloc[0].date()),
        end=str(weeks.iloc[-1].date()),
    )
    cal = MarketingMixModel(spec=MMMSpec(**base, lift_tests=(lt,))).fit(df)
    got = cal.summary().set_index("channel").loc["tiktok", "contribution"]
    assert got == pytest.approx(2.0 * truth["tiktok"], rel=0.05)


def test_period_lift_tests_are_validated_in_one_sentence(weekly, spec_kw):
    with pytest.raises(ConfigError, match="both start and end"):
        LiftTest("tiktok", 10.0, -10.0, -5.0, 1.0, start="2021-01-04")
    with pytest.raises(ConfigError, match="go-dark test"):
        LiftTest("tiktok", 10.0, 5.0, 5.0, 1.0, start="2021-01-04", end="2021-06-28")
    with pytest.raises(ConfigError, match="before start"):
        LiftTest("tiktok", 10.0, -10.0, -5.0, 1.0, start="2021-06-28", end="2021-01-04")
    with pytest.raises(ConfigError, match="not dates"):
        LiftTest("tiktok", 10.0, -10.0, -5.0, 1.0, start="soon", end="later")
    df, _ = weekly
    lt = LiftTest("tiktok", 10.0, -10.0, -5.0, 1.0, start="2030-01-01", end="2030-02-01")
    spec = MMMSpec(**{**spec_kw, "n_draws": 0}, lift_tests=(lt,))
    with pytest.raises(DataValidationError, match="no period in that range"):
        MarketingMixModel(spec=spec).fit(df)
    frame = pd.DataFrame(
        {
            "channel": ["tiktok", "instagram"],
            "spend": [10.0, 5.0],
            "delta_spend": [-10.0, 5.0],
            "delta_outcome": [-4.0, 2.0],
            "sigma": [1.0, 1.0],
            "start": ["2021-01-04", None],
            "end": ["2021-06-28", ""],
        }
    )
    tests = lift_tests_from_frame(frame)
    assert tests[0].over_periods and not tests[1].over_periods
    assert "start" not in tests[1].to_dict() and tests[0].to_dict()["end"] == "2021-06-28"
    bad = frame.assign(delta_spend=[-3.0, 5.0])
    with pytest.raises(DataValidationError, match="row 1"):
        lift_tests_from_frame(bad)


def test_saved_models_with_period_tests_load_and_respond(mix_and_truth, tmp_path):
    from micromix.measurement import load_mmm

    mix, *_ = mix_and_truth
    mix.model.save(tmp_path)
    loaded = load_mmm(tmp_path)
    spend = mix.model.current_spend
    assert float(loaded.response(spend)) == pytest.approx(float(mix.model.response(spend)))


@pytest.mark.slow
def test_intervals_contain_the_simulators_truth_at_their_stated_rate():
    """Over eight simulated markets, the calibrated model's 90% intervals for what each paid
    strategy added contain the true value about 90% of the time (at least 75% of 24)."""
    hits, total = 0, 0
    for seed in range(8):
        st, m = _market_store(20_000, 56, 100 + seed)
        hold = compare_strategies(st, "ugc-vs-paid", n_boot=200, seed=seed)
        mix = fit_strategy_mix(st, holdouts=hold, seed=seed)
        truth = m.ground_truth.groupby("strategy")["incremental_revenue"].sum()
        paid = mix.summary[mix.summary["kind"] == "paid"]
        assert mix.model.spec.interval == 0.9
        for _, r in paid.iterrows():
            total += 1
            hits += bool(r["contribution_lo"] <= truth[r["strategy"]] <= r["contribution_hi"])
        st.close()
    assert total == 24
    assert hits >= 18, f"{hits} of {total} intervals contain the truth"
