"""micromix.influencers: tiers, engagement, niche, authenticity, cost and discovery of creators.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.influencers import Brief, discover, score_creators
>>> profiles = pd.DataFrame({"username": ["pup_pal", "megastar"], "followers": [18_000, 3e6],
...                          "following": [500, 200], "posts": [700, 3000],
...                          "engagement_rate": [0.045, 0.01], "category": ["pet", "pet"]})
>>> scored = score_creators(profiles)
>>> discover(scored, Brief(niche="pet", budget=500))["username"].tolist()
['pup_pal']
"""

from __future__ import annotations

from micromix.influencers.authenticity import (
    FakeFollowerModel,
    evaluate_authenticity,
    load_default_model,
    train_default_model,
)
from micromix.influencers.columns import PROFILE_ALIASES, canonical_profiles
from micromix.influencers.cost import CostAssumptions, estimate_rate
from micromix.influencers.discovery import (
    Brief,
    brief_from_data,
    compare_cohorts,
    creator_report_tables,
    discover,
    niche_counts,
    rank_creators,
    tier_summary,
)
from micromix.influencers.engagement import EngagementSpec, creator_engagement, post_engagement
from micromix.influencers.niche import NICHES, brief_fit, niche_profile
from micromix.influencers.scoring import CONTRACT_COLUMNS, score_creators
from micromix.influencers.tiers import TierScheme, assign_tiers, get_tier_scheme
from micromix.influencers.validation import size_engagement_table, sponsored_gap

__all__ = [
    "CONTRACT_COLUMNS",
    "NICHES",
    "PROFILE_ALIASES",
    "Brief",
    "CostAssumptions",
    "EngagementSpec",
    "FakeFollowerModel",
    "TierScheme",
    "assign_tiers",
    "brief_fit",
    "brief_from_data",
    "canonical_profiles",
    "compare_cohorts",
    "creator_engagement",
    "creator_report_tables",
    "discover",
    "estimate_rate",
    "evaluate_authenticity",
    "get_tier_scheme",
    "load_default_model",
    "niche_counts",
    "niche_profile",
    "post_engagement",
    "rank_creators",
    "score_creators",
    "size_engagement_table",
    "sponsored_gap",
    "tier_summary",
    "train_default_model",
]
