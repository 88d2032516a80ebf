from __future__ import annotations

import numpy as np
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
    none = with_lifetime(res, life.assign(lifetime_roas=np.nan))
    assert "No group has a lifetime ROAS yet" in none.conclusion
    with pytest.raises(ConfigError, match="'group' column"):
        with_lifetime(res, life.rename(columns={"group": "g"}))
