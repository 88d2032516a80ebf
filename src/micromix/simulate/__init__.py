"""The seeded market simulator with ground truth (depends only on ``schema``).

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate, summarize_clv_truth
>>> market = simulate(SimConfig(users=1_000, days=14, seed=1))
>>> {"events", "ground_truth", "clv_truth"} <= set(market.tables())
True
>>> int(summarize_clv_truth(market.clv_truth)["customers"].sum()) == len(market.clv_truth)
True
"""

from __future__ import annotations

from micromix.simulate.config import (
    CREATOR_TIERS,
    DEFAULT_CHANNELS,
    DEFAULT_REPEAT_PROFILES,
    SIMULATOR_VERSION,
    ChannelSpec,
    RepeatProfile,
    RepeatSpec,
    SimConfig,
)
from micromix.simulate.market import Market, TrueResponse, hill, simulate
from micromix.simulate.repeat import summarize_clv_truth
from micromix.simulate.text import QUERY_BANK, TOPICS

__all__ = [
    "CREATOR_TIERS",
    "DEFAULT_CHANNELS",
    "DEFAULT_REPEAT_PROFILES",
    "QUERY_BANK",
    "SIMULATOR_VERSION",
    "TOPICS",
    "ChannelSpec",
    "Market",
    "RepeatProfile",
    "RepeatSpec",
    "SimConfig",
    "TrueResponse",
    "hill",
    "simulate",
    "summarize_clv_truth",
]
