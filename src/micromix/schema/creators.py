"""The ``creators`` contract: creator / influencer profiles.

Quickstart
----------
>>> from micromix.schema.creators import CREATORS
>>> CREATORS.field("followers").dtype
'int'
"""

from __future__ import annotations

from micromix.schema.base import EntitySchema, Field
from micromix.schema.vocab import PLATFORMS

__all__ = ["CREATORS"]

CREATORS = EntitySchema(
    name="creators",
    key=("creator_id",),
    description="Creator profiles: audience size, activity, niche and known rates.",
    fields=(
        Field("creator_id", required=True, description="Creator id (or username)."),
        Field("platform", allowed=PLATFORMS),
        Field("handle", description="@handle / username."),
        Field("name", description="Display name."),
        Field("followers", "int", minimum=0, abbreviated=True),
        Field("following", "int", minimum=0, abbreviated=True),
        Field(
            "posts",
            "int",
            minimum=0,
            abbreviated=True,
            description="Number of posts on the profile.",
        ),
        Field("niche", description="Main category (pet, beauty, fitness ...)."),
        Field("country"),
        Field("audience_country", description="Main country of the audience."),
        Field("avg_likes", "float", minimum=0, abbreviated=True, description="Likes per post."),
        Field(
            "avg_engagement",
            "float",
            minimum=0,
            abbreviated=True,
            description="Engagements (likes + comments ...) per post.",
        ),
        Field(
            "engagement_rate",
            "float",
            minimum=0,
            percent=True,
            description="Engagements per post / followers, as a fraction (1.39% -> 0.0139).",
        ),
        Field("total_likes", "int", minimum=0, abbreviated=True, description="Likes, all posts."),
        Field("rate_per_post", "float", minimum=0, description="Known fee per post."),
    ),
)
