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
        Field("followers", "int", minimum=0),
        Field("following", "int", minimum=0),
        Field("posts", "int", minimum=0, description="Number of posts on the profile."),
        Field("niche", description="Main category (pet, beauty, fitness ...)."),
        Field("country"),
        Field("rate_per_post", "float", minimum=0, description="Known fee per post."),
    ),
)
