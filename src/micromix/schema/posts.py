"""The ``posts`` contract: social posts by users, creators and the brand.

Quickstart
----------
>>> from micromix.schema.posts import POSTS
>>> POSTS.key
('post_id',)
"""

from __future__ import annotations

from micromix.schema.base import EntitySchema, Field
from micromix.schema.vocab import PLATFORMS

__all__ = ["POSTS"]

POSTS = EntitySchema(
    name="posts",
    key=("post_id",),
    description=(
        "Posts with their engagement, disclosure flags, mentions and hashtags, and the "
        "author's display name, bio and verified flag where the export has them (read by the "
        "organisation check of the user content to amplify)."
    ),
    fields=(
        Field("post_id", required=True, description="Post id / shortcode."),
        Field("platform", allowed=PLATFORMS, description="Platform."),
        Field("author_id", required=True, description="Author (user or creator) id / username."),
        Field("ts", "timestamp", description="When it was posted (UTC)."),
        Field("text", description="Caption or text."),
        Field("likes", "int", minimum=0),
        Field("comments", "int", minimum=0),
        Field("shares", "int", minimum=0),
        Field("saves", "int", minimum=0),
        Field("views", "int", minimum=0, description="Video views / plays where known."),
        Field("impressions", "int", minimum=0, description="Times the post was shown."),
        Field(
            "engagements", "int", minimum=0, description="Engagements as the platform counts them."
        ),
        Field("author_followers", "int", minimum=0, description="Author's followers, if known."),
        Field("author_name", description="Author's display name, where the export has it."),
        Field("author_bio", description="Author's bio, where the export has it."),
        Field("author_verified", "bool", description="Author's account is verified."),
        Field("is_sponsored", "bool", description="Paid partnership / sponsored disclosure."),
        Field("is_brand_owned", "bool", description="Posted by the brand itself."),
        Field("rights_granted", "bool", description="Author granted usage rights."),
        Field("mentions", description="Mentioned accounts, comma-separated."),
        Field("hashtags", description="Hashtags, comma-separated."),
    ),
)
