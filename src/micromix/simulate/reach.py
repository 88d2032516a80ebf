"""Who each channel may reach, and the randomised holdout of its lift test.

A mass channel may reach a random ``eligible_share`` of its platform's users; a microtargeted
channel reaches the top of its platform's *targetable* users (consented, no opt-out, no GPC,
adults) ranked by a segment score. A random ``holdout`` share of the eligible users is never
exposed: the channel's lift test in the ``experiments`` table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from micromix.simulate.config import SimConfig
from micromix.simulate.consumers import Consumers

__all__ = ["ChannelReach", "draw_reach"]


@dataclass
class ChannelReach:
    """Eligible, held-out and exposed users of every channel (channel order of the config)."""

    #: sorted user numbers each channel may reach
    eligible: list[np.ndarray]
    #: per eligible user: held out of the channel's ads (the lift test's control arm)
    held: list[np.ndarray]
    #: eligible users not held out
    exposed: list[np.ndarray]
    #: cumulative responsiveness over ``exposed`` (draws who converts)
    exposed_cum: list[np.ndarray]
    #: (channels, users) exposure matrix
    exposed_mask: np.ndarray


def draw_reach(rng: np.random.Generator, cfg: SimConfig, people: Consumers) -> ChannelReach:
    """Draw every channel's eligible pool and holdout."""
    plat_index = {p: i for i, p in enumerate(cfg.platform_share)}
    eligible: list[np.ndarray] = []
    held: list[np.ndarray] = []
    exposed: list[np.ndarray] = []
    for c in cfg.channels:
        on = np.flatnonzero(people.on_platform[plat_index[c.platform]])
        pool = on
        if c.targeting == "micro":
            pool = pool[people.targetable[pool]]
            k = min(round(c.eligible_share * len(on)), len(pool))
            pool = pool[np.argsort(-people.segment_score[pool], kind="stable")[:k]]
        elif c.eligible_share < 1:
            pool = pool[rng.random(len(pool)) < c.eligible_share]
        pool = np.sort(pool)
        hold = rng.random(len(pool)) < c.holdout
        eligible.append(pool)
        held.append(hold)
        exposed.append(pool[~hold])
    mask = np.zeros((len(cfg.channels), people.n), dtype=bool)
    for i, e in enumerate(exposed):
        mask[i, e] = True
    return ChannelReach(
        eligible=eligible,
        held=held,
        exposed=exposed,
        exposed_cum=[np.cumsum(people.resp[e]) for e in exposed],
        exposed_mask=mask,
    )
