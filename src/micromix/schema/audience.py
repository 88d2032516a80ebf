"""The ``audience`` contract: people with attributes and consent state.

Quickstart
----------
>>> from micromix.schema.audience import AUDIENCE
>>> AUDIENCE.field("is_minor").dtype
'bool'
"""

from __future__ import annotations

from micromix.schema.base import EntitySchema, Field

__all__ = ["AUDIENCE"]

AUDIENCE = EntitySchema(
    name="audience",
    key=("user_id",),
    description="Audience members with attributes and privacy consent (GDPR, CCPA/CPRA, GPC).",
    fields=(
        Field("user_id", required=True, description="Pseudonymous user id."),
        Field("age_band", description="e.g. 18-24."),
        Field("gender"),
        Field("region"),
        Field("interests", description="Comma-separated interests."),
        Field("consent_ads_personalisation", "bool", description="Agreed to personalised ads."),
        Field("consent_analytics", "bool", description="Agreed to analytics."),
        Field("opt_out_sale", "bool", description="Opted out of sale/sharing (CCPA/CPRA)."),
        Field("gpc", "bool", description="Global Privacy Control signal seen."),
        Field("consent_date", "timestamp", description="When consent was last recorded."),
        Field("is_minor", "bool", description="Under 18 (never profiled for ads)."),
    ),
)
