"""Controlled vocabularies shared by the data contracts."""

from __future__ import annotations

__all__ = [
    "BRAND_TOUCH_EVENTS",
    "DEVICES",
    "ENGAGEMENT_EVENTS",
    "EVENT_TYPES",
    "LEVELS",
    "MOMENTS",
    "PLATFORMS",
    "SESSION_ENGAGE_EVENTS",
    "STRATEGIES",
    "TARGETING",
]

#: interaction types an event may have
EVENT_TYPES: tuple[str, ...] = (
    "impression",
    "click",
    "view",
    "page_view",
    "search",
    "like",
    "comment",
    "share",
    "save",
    "follow",
    "add_to_cart",
    "begin_checkout",
    "purchase",
    "store_locator",
    "video_view",
    "session_start",
    "other",
)
#: event types that count as engagements
ENGAGEMENT_EVENTS: tuple[str, ...] = ("like", "comment", "share", "save", "follow")
#: marketing strategies micromix compares
STRATEGIES: tuple[str, ...] = (
    "ugc_organic",
    "ugc_amplified",
    "paid_social",
    "influencer",
    "search",
    "direct",
    "email",
    "other",
)
#: how a paid message was targeted
TARGETING: tuple[str, ...] = ("micro", "mass")
PLATFORMS: tuple[str, ...] = (
    "instagram",
    "tiktok",
    "facebook",
    "linkedin",
    "x",
    "youtube",
    "pinterest",
    "snapchat",
    "spotify",
    "google",
    "microsoft",
    "amazon",
    "reddit",
    "web",
    "app",
    "other",
)
DEVICES: tuple[str, ...] = ("mobile", "desktop", "tablet", "other")
#: micro-moment intents (Google's I-want-to-know / go / do / buy) plus "other"
MOMENTS: tuple[str, ...] = ("know", "go", "do", "buy", "other")
#: events that show the brand was present in a micro-moment session
BRAND_TOUCH_EVENTS: frozenset[str] = frozenset(
    {
        "impression",
        "view",
        "page_view",
        "click",
        "video_view",
        "store_locator",
        "add_to_cart",
        "begin_checkout",
        "purchase",
    }
)
#: events that count as engaging with the brand in a session
SESSION_ENGAGE_EVENTS: frozenset[str] = frozenset(
    {"click", "like", "comment", "share", "save", "follow", "video_view", "add_to_cart"}
)
#: what an ad_performance row describes
LEVELS: tuple[str, ...] = ("account", "campaign", "ad_set", "ad", "keyword", "search_term")
