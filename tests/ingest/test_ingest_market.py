"""One test of "is this store simulated?" (:func:`micromix.ingest.market.simulated_market`)."""

from __future__ import annotations

from micromix.ingest.market import load_market, simulated_market
from micromix.plan import gather_evidence
from micromix.simulate import SimConfig, simulate
from micromix.store import Store


def test_simulated_market_names_the_market_and_agrees_with_the_report():
    market = simulate(SimConfig(users=800, days=14, seed=4))
    loaded = Store.open(":memory:")
    load_market(loaded, market)
    assert simulated_market(loaded) == "simulated market (users=800, days=14, seed=4)"
    # an older store: the simulator's ground truth without the configuration table
    older = Store.open(":memory:")
    older.append("ground_truth", market.ground_truth)
    assert simulated_market(older) == "simulated market"
    real = Store.open(":memory:")
    assert simulated_market(real) is None
    # the report's banner reads the same test
    for store, simulated in ((loaded, True), (older, True), (real, False)):
        assert gather_evidence(store, n_boot=20, parts=("overview",)).simulated is simulated
