"""The seeded market simulator with ground truth (depends only on ``schema``).

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> market = simulate(SimConfig(users=1_000, days=14, seed=1))
>>> sorted(market.tables())[:3]
['ad_performance', 'audience', 'creators']
"""

from __future__ import annotations

from micromix.simulate.config import CREATOR_TIERS, DEFAULT_CHANNELS, ChannelSpec, SimConfig
from micromix.simulate.market import Market, TrueResponse, hill, simulate
from micromix.simulate.text import QUERY_BANK, TOPICS

__all__ = [
    "CREATOR_TIERS",
    "DEFAULT_CHANNELS",
    "QUERY_BANK",
    "TOPICS",
    "ChannelSpec",
    "Market",
    "SimConfig",
    "TrueResponse",
    "hill",
    "simulate",
]
