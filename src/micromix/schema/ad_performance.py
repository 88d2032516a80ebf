"""The ``ad_performance`` contract: daily rows from ad platforms (Meta, TikTok, Google ...).

Quickstart
----------
>>> from micromix.schema.ad_performance import AD_PERFORMANCE
>>> "spend" in AD_PERFORMANCE.columns
True
"""

from __future__ import annotations

from micromix.schema.base import EntitySchema, Field
from micromix.schema.vocab import PLATFORMS, STRATEGIES, TARGETING

__all__ = ["AD_PERFORMANCE"]

AD_PERFORMANCE = EntitySchema(
    name="ad_performance",
    key=(
        "date",
        "platform",
        "campaign_id",
        "ad_set",
        "ad_id",
        "age",
        "gender",
        "interest",
        "segment_id",
    ),
    description="Daily delivery and results per ad (and breakdown) from ad-platform exports.",
    fields=(
        Field(
            "date",
            "date",
            description="Reporting day; for a row that covers a range, its first day.",
        ),
        Field(
            "date_end",
            "date",
            description="Last day (inclusive) of a row that covers a range; empty for a one-day row.",
        ),
        Field("platform", required=True, allowed=PLATFORMS, description="Ad platform."),
        Field("campaign_id", required=True, description="Campaign id or name."),
        Field("campaign_name", description="Campaign name."),
        Field("ad_set", description="Ad set / ad group id or name."),
        Field("ad_id", description="Ad id or name."),
        Field(
            "strategy", allowed=STRATEGIES, description="paid_social, ugc_amplified, influencer ..."
        ),
        Field("targeting", allowed=TARGETING, description="micro or mass."),
        Field("segment_id", description="Targeted segment."),
        Field("age", description="Age band targeted or broken down."),
        Field("gender", description="Gender targeted or broken down."),
        Field("interest", description="Interest targeted."),
        Field("impressions", "int", required=True, minimum=0, description="Impressions."),
        Field("reach", "int", minimum=0, description="Unique people reached."),
        Field("clicks", "int", minimum=0, description="Clicks (link clicks where known)."),
        Field("engagements", "int", minimum=0, description="Likes, comments, shares, saves."),
        Field("spend", "float", required=True, minimum=0, description="Amount spent."),
        Field("conversions", "float", minimum=0, description="Conversions (results)."),
        Field(
            "approved_conversions",
            "float",
            minimum=0,
            description="Confirmed conversions, if reported.",
        ),
        Field("conversion_value", "float", minimum=0, description="Revenue attributed to the ads."),
        Field("currency", description="ISO currency code."),
    ),
)
