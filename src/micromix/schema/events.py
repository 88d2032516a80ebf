"""The ``events`` contract: one row per user interaction (impression, click, search, purchase ...).

Quickstart
----------
>>> from micromix.schema.events import EVENTS
>>> EVENTS.key
('event_id',)
"""

from __future__ import annotations

from micromix.schema.base import EntitySchema, Field
from micromix.schema.vocab import DEVICES, EVENT_TYPES, MOMENTS, PLATFORMS, STRATEGIES, TARGETING

__all__ = ["EVENTS"]

EVENTS = EntitySchema(
    name="events",
    key=("event_id",),
    description="User-level interactions from ad platforms, social platforms, web and app.",
    fields=(
        Field("event_id", required=True, description="Unique id of the event."),
        Field("ts", "timestamp", required=True, description="When it happened (UTC)."),
        Field("user_id", required=True, description="Pseudonymous user id."),
        Field("session_id", description="Session the event belongs to."),
        Field("event_type", required=True, allowed=EVENT_TYPES, description="Interaction type."),
        Field(
            "strategy", allowed=STRATEGIES, description="Marketing strategy that drove the touch."
        ),
        Field("targeting", allowed=TARGETING, description="micro or mass, for paid messages."),
        Field("platform", allowed=PLATFORMS, description="Where it happened."),
        Field("campaign_id", description="Paid campaign id."),
        Field("ad_id", description="Ad id."),
        Field("post_id", description="Organic or amplified post id."),
        Field("creator_id", description="Creator behind the content."),
        Field("segment_id", description="Audience segment targeted."),
        Field("device", allowed=DEVICES, description="mobile, desktop, tablet."),
        Field("region", description="Region or country code."),
        Field("query", description="Search query or text typed / posted."),
        Field("moment", allowed=MOMENTS, description="Micro-moment intent, if known."),
        Field("cost", "float", minimum=0, description="Media cost of this event (currency units)."),
        Field("revenue", "float", minimum=0, description="Revenue (purchases)."),
    ),
)
