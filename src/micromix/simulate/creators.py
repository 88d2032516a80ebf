"""Creators: the ``creators`` table (power-law followers, tiers, fake followers, rates) and
the pool each influencer channel hires from (pet creators of its tier)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from micromix.simulate.config import CREATOR_TIERS, SimConfig
from micromix.simulate.consumers import REGION_P, REGIONS

__all__ = ["Creators", "draw_creators"]

_NICHES = ("pet", "lifestyle", "fitness", "beauty", "food", "travel")


@dataclass
class Creators:
    """The ``creators`` contract table and the hiring pools by tier."""

    table: pd.DataFrame
    #: creator numbers an influencer channel of each tier hires (never empty)
    by_tier: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        return len(self.table)


def draw_creators(rng: np.random.Generator, cfg: SimConfig) -> Creators:
    """Draw ``cfg.n_creators`` creators."""
    n_cr = cfg.n_creators
    followers = np.minimum((1_000 * (rng.pareto(0.62, n_cr) + 1)).astype(np.int64), 400_000_000)
    tier_bounds = np.array([b for _, b in CREATOR_TIERS])
    tier = np.clip(
        np.searchsorted(tier_bounds, followers, side="right") - 1, 0, len(CREATOR_TIERS) - 1
    )
    fake = rng.random(n_cr) < cfg.fake_creator_share
    niche = rng.choice(_NICHES, size=n_cr, p=(0.35, 0.2, 0.12, 0.12, 0.11, 0.1))
    creator_platform = rng.choice(("instagram", "tiktok"), size=n_cr, p=(0.65, 0.35))
    rate = np.round(12.0 * (followers / 1000.0) ** 0.85 * rng.lognormal(0, 0.25, n_cr), 2)
    table = pd.DataFrame(
        {
            "creator_id": [f"c{i:06d}" for i in range(n_cr)],
            "platform": creator_platform,
            "handle": [f"@{name}_{i}" for i, name in enumerate(niche)],
            "followers": followers,
            "following": np.where(
                fake, rng.integers(2_000, 7_500, n_cr), rng.integers(80, 1_500, n_cr)
            ),
            "posts": rng.integers(30, 2_500, n_cr),
            "niche": niche,
            "country": rng.choice(REGIONS, size=n_cr, p=REGION_P),
            "rate_per_post": rate,
        }
    )
    table["tier"] = [CREATOR_TIERS[t][0] for t in tier]
    table["fake_follower_share"] = np.where(
        fake, rng.uniform(0.3, 0.7, n_cr), rng.uniform(0, 0.08, n_cr)
    )
    tiers = table["tier"].to_numpy()
    by_tier: dict[str, np.ndarray] = {}
    for name, bound in CREATOR_TIERS:  # every tier needs someone to hire
        pool = np.flatnonzero((tiers == name) & (niche == "pet"))
        if len(pool) == 0:
            pool = np.flatnonzero(tiers == name)
        if len(pool) == 0:
            pool = np.array([int(np.argmin(np.abs(np.log(followers) - np.log(bound * 3))))])
        by_tier[name] = pool
    return Creators(table, by_tier)
