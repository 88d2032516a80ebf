from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.errors import ConfigError
from micromix.metrics.compare import COMPARISONS, Comparison, compare_strategies


def test_compare_tables_have_intervals(market_store):
    res = compare_strategies(market_store, "ugc-vs-paid", n_boot=60)
    t = res.table.set_index("strategy")
    assert {"ugc_organic", "ugc_amplified", "paid_social", "influencer"} <= set(t.index)
    for k in ("ctr", "cpm", "roas", "incremental_roas"):
        ok = t[[k, f"{k}_low", f"{k}_high"]].dropna()
        assert len(ok) > 0
        assert (ok[f"{k}_low"] <= ok[f"{k}_high"]).all()
    assert t.loc["ugc_organic", "spend"] == 0 and t.loc["ugc_organic", "emv"] > 0
    assert np.isnan(t.loc["ugc_organic", "incremental_roas"])
    assert res.conclusion and "incremental" in res.conclusion


def test_unknown_comparison_and_bad_level(market_store):
    with pytest.raises(ConfigError, match="unknown comparison"):
        compare_strategies(market_store, "tv-vs-radio")
    with pytest.raises(ConfigError, match="level"):
        compare_strategies(market_store, "micro-vs-mass", level=1.5)
    c = COMPARISONS["creator-tiers"]
    assert Comparison.from_dict(c.to_dict()) == c


@pytest.mark.slow
def test_incremental_roas_intervals_contain_truth():
    """On a simulated market the lift-test intervals contain the true incremental ROAS."""
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    misses, total = 0, 0
    for seed in (1, 2):
        st = Store.open(":memory:")
        load_market(st, simulate(SimConfig(users=60_000, days=42, seed=seed)))
        for name in COMPARISONS:
            t = compare_strategies(st, name, n_boot=300, seed=seed).table
            t = t.dropna(subset=["true_incremental_roas", "incremental_roas_low"])
            total += len(t)
            misses += int((~t["truth_in_interval"].astype(bool)).sum())
        st.close()
    assert total >= 16
    # 95% intervals: allow the misses chance alone would give (P(>2 of 16+) < 5%)
    assert misses <= 2, f"{misses} of {total} intervals missed the truth"


@pytest.mark.slow
def test_holdout_intervals_cover_the_truth_at_their_level_over_seeds():
    """The demo's holdout design (half held out), 10 seeds x 9 groups: the 90% intervals of
    incremental ROAS cover the simulator's truth about 90% of the time, in no one direction.

    On one seed several groups can miss on the same side by chance (the demo's seed 7 is the
    worst of 100 seeds for its lift tests): only many seeds tell an estimator's bias from luck.
    """
    import dataclasses

    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    rows = []
    for seed in range(10):
        cfg = SimConfig(users=30_000, days=56, seed=seed)
        cfg = cfg.with_(channels=tuple(dataclasses.replace(c, holdout=0.5) for c in cfg.channels))
        with Store.open(":memory:") as st:
            load_market(st, simulate(cfg))
            for name in COMPARISONS:
                t = compare_strategies(st, name, level=0.9, n_boot=200, seed=seed).table
                rows.append(t.dropna(subset=["true_incremental_roas", "incremental_roas_low"]))
    t = pd.concat(rows, ignore_index=True)
    assert len(t) == 10 * 9  # 3 paid strategies, micro / mass, 4 creator tiers
    coverage = t["truth_in_interval"].astype(bool).mean()
    assert 0.8 <= coverage <= 0.98, coverage
    half = (t["incremental_roas_high"] - t["incremental_roas_low"]) / 2 / 1.645
    z = (t["incremental_roas"] - t["true_incremental_roas"]) / half
    assert abs(z.mean()) < 0.4, z.mean()  # sd about 0.13 if unbiased (groups overlap)
    assert 0.3 <= (z < 0).mean() <= 0.7, (z < 0).mean()


def test_lifetime_roas_beside_first_purchase_roas():
    from micromix.clv import lifetime_returns
    from micromix.ingest.market import load_market
    from micromix.metrics.compare import DEFAULT_TIERS, LIFETIME_COLUMNS, with_lifetime
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    with Store.open(":memory:") as st:
        load_market(st, simulate(SimConfig(users=20_000, days=28, seed=4, observe_days=140)))
        res = compare_strategies(st, "micro-vs-mass", n_boot=50)
        life = lifetime_returns(st, by="targeting", n_draws=50, tiers=DEFAULT_TIERS)
    out = with_lifetime(res, life)
    cols = list(out.table.columns)
    at = cols.index("roas_high")
    assert cols[at + 1 : at + 1 + len(LIFETIME_COLUMNS)] == [
        "acquired_customers" if c == "customers" else c for c in LIFETIME_COLUMNS
    ]
    assert len(out.table) == len(res.table)  # the comparison's rows, nothing added or lost
    got = out.table.set_index("strategy")
    want = life.set_index("group")
    for g in ("micro", "mass"):
        assert got.loc[g, "lifetime_roas"] == pytest.approx(want.loc[g, "lifetime_roas"])
        assert got.loc[g, "acquired_customers"] == want.loc[g, "customers"]
    assert "Over the customers' lifetime" in out.conclusion
    assert out.conclusion.startswith(res.conclusion)
    assert any("lifetime ROAS" in n for n in out.notes)
    assert f"{life.attrs['level']:.0%} interval" in out.conclusion  # the lifetime level
    assert "nan" not in out.conclusion
    unbounded = with_lifetime(res, life.assign(lifetime_roas_low=np.nan, lifetime_roas_high=np.nan))
    assert "no interval: too few repeat buyers" in unbounded.conclusion
    assert "nan" not in unbounded.conclusion
    none = with_lifetime(res, life.assign(lifetime_roas=np.nan))
    assert "No group has a lifetime ROAS yet" in none.conclusion
    with pytest.raises(ConfigError, match="'group' column"):
        with_lifetime(res, life.rename(columns={"group": "g"}))


def test_compare_emv_is_the_kpis_emv(market_store):
    """One earned media value: the comparison prices organic impressions as micromix kpis does."""
    from micromix.metrics import compute_kpis

    t = compare_strategies(market_store, "ugc-vs-paid", n_boot=30).table.set_index("strategy")
    k = compute_kpis(market_store, by=["strategy"], source="events", kpis=["emv"])
    k = k.set_index("strategy")
    assert t.loc["ugc_organic", "emv"] == pytest.approx(k.loc["ugc_organic", "emv"])
    assert t.loc["ugc_organic", "emv"] > 0


@pytest.mark.parametrize(
    ("est", "lo", "hi", "label"),
    [
        (10.94, 0.60, 22.61, "medium"),  # wide, but excludes zero: not "too small"
        (10.0, 8.0, 12.0, "high"),
        (3.0, -1.0, 7.0, "low"),  # includes zero
        (-3.0, -6.0, -0.5, "medium"),  # negative, excludes zero
        (np.nan, np.nan, np.nan, "low"),
    ],
)
def test_measurability_agrees_with_the_interval(est, lo, hi, label):
    from micromix.metrics.compare import _measurability

    row = pd.Series(
        {"incremental_roas": est, "incremental_roas_low": lo, "incremental_roas_high": hi}
    )
    m = _measurability(row, level=0.9)
    assert m.startswith(label)
    if label == "low" and not np.isnan(est):
        assert "90% interval includes 0" in m
    if label != "low":
        assert "separate from zero" not in m


def test_compare_measurability_low_only_when_the_interval_includes_zero(market_store):
    t = compare_strategies(market_store, "micro-vs-mass", n_boot=60).table
    t = t.dropna(subset=["incremental_roas"])
    for _, r in t.iterrows():
        spans = r["incremental_roas_low"] <= 0 <= r["incremental_roas_high"]
        assert r["measurability"].startswith("low") == spans
