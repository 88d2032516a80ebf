"""The ``ad_performance`` contract: delivery and results rows from ad-platform exports.

A row is what the export has: one campaign / ad set / ad / keyword / search term (or the
account, for a breakdown-only export) on one day or over a reporting range, possibly broken
down by age, gender, placement, region or device. Rows are kept as the file has them: their
identity is their lineage (``source_id``, the export they came from, and ``source_row``, their
position in it), so rows whose names repeat are never merged or dropped.

Names are kept beside ids: ``campaign_name``, ``ad_set_name`` and ``ad_name`` hold what the
export calls a campaign, ad set or ad, while ``campaign_id``, ``ad_set`` and ``ad_id`` (the id
where the export has one, else the name) identify it. A name is a label, never a breakdown: the
row's level is still told by the ids it has.

Money (``spend``, ``conversion_value``) is in the row's ``currency`` (ISO 4217); a row that
covers a range keeps its first day in ``date`` and its last in ``date_end``.

Quickstart
----------
>>> from micromix.schema.ad_performance import AD_PERFORMANCE
>>> "spend" in AD_PERFORMANCE.columns, AD_PERFORMANCE.field("spend").money
(True, True)
"""

from __future__ import annotations

from micromix.schema.base import EntitySchema, Field
from micromix.schema.vocab import LEVELS, PLATFORMS, STRATEGIES, TARGETING

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
        "placement",
        "region",
        "device",
        "keyword",
        "match_type",
        "search_term",
        "source_id",
        "source_row",
    ),
    description="Delivery and results per ad (and breakdown) from ad-platform exports.",
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
        Field("account_id", description="Ad account id or name, where the export gives it."),
        Field(
            "level",
            allowed=LEVELS,
            description="What a row describes: account, campaign, ad_set, ad, keyword, search_term.",
        ),
        Field("campaign_id", description="Campaign id or name (empty for account-level rows)."),
        Field("campaign_name", description="Campaign name."),
        Field("campaign_type", description="Search, Performance Max, Smart, ... where reported."),
        Field("ad_set", description="Ad set / ad group id or name."),
        Field(
            "ad_set_name",
            description="Ad set / ad group name, where the export gives one (beside its id).",
        ),
        Field("ad_id", description="Ad id or name."),
        Field(
            "ad_name",
            description="Ad name, where the export gives one (beside its id, or as the ad).",
        ),
        Field(
            "strategy", allowed=STRATEGIES, description="paid_social, ugc_amplified, influencer ..."
        ),
        Field("targeting", allowed=TARGETING, description="micro or mass."),
        Field("segment_id", description="Targeted segment."),
        Field("age", description="Age band targeted or broken down."),
        Field("gender", description="Gender targeted or broken down."),
        Field("interest", description="Interest targeted."),
        Field("placement", description="Placement breakdown (Instagram Reels, Feed ...)."),
        Field("region", description="Region / country breakdown."),
        Field("device", description="Device breakdown."),
        Field("keyword", description="Keyword (search keyword reports)."),
        Field("match_type", description="Keyword match type."),
        Field("search_term", description="Search term (search terms reports)."),
        Field("impressions", "int", required=True, minimum=0, description="Impressions."),
        Field("reach", "int", minimum=0, description="Unique people reached (not additive)."),
        Field("clicks", "int", minimum=0, description="Clicks (link clicks where known)."),
        Field("engagements", "int", minimum=0, description="Likes, comments, shares, saves."),
        Field("views", "int", minimum=0, description="Video views / plays, where reported."),
        Field("spend", "float", required=True, minimum=0, money=True, description="Amount spent."),
        Field(
            "conversions",
            "float",
            minimum=0,
            description="Purchase conversions (Meta results only when the result is a purchase).",
        ),
        Field(
            "approved_conversions",
            "float",
            minimum=0,
            description="Confirmed conversions, if reported.",
        ),
        Field(
            "conversion_value",
            "float",
            minimum=0,
            money=True,
            description="Revenue attributed to the ads.",
        ),
        Field("results", "float", minimum=0, description="The export's 'Results' (any type)."),
        Field("result_type", description="What 'results' counts (purchases, link clicks ...)."),
        Field("currency", description="ISO 4217 code of the money columns, upper case."),
        Field("source_id", description="Identity of the export the row came from (lineage)."),
        Field("source_row", "int", minimum=0, description="Position of the row in its export."),
    ),
)
