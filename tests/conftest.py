"""Shared fixtures: a small seeded simulated market in an in-memory store."""

from __future__ import annotations

from pathlib import Path

import pytest

#: real public datasets (beside the checkout); tests that need them skip when absent
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def small_market():
    from micromix.simulate import SimConfig, simulate

    return simulate(SimConfig(users=4_000, days=21, seed=11))


@pytest.fixture()
def market_store(small_market):
    from micromix.ingest.market import load_market
    from micromix.store import Store

    st = Store.open(":memory:")
    load_market(st, small_market)
    yield st
    st.close()
