"""Social post and creator layouts: TikTok dumps, X tweet activity, Instagram/Facebook content
insights, influencer rankings.

Nested JSON dumps are read through documented field paths (``authorMeta.name``,
``stats.diggCount``, ``author.uniqueId``): an object is never stored as an id, and a dump whose
required fields map to nothing is refused by the pipeline rather than "accepted" with nulls.

Quickstart
----------
>>> from micromix.ingest.formats import detect_format
>>> detect_format(["id", "createTime", "diggCount", "authorMeta.name"], "posts").lookup_name
'tiktok_posts'
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from micromix.ingest.files import RawTable
from micromix.ingest.formats import (
    ColumnLookup,
    FormatAdapter,
    _blank,
    _const,
    _unique_join,
    hashtags_of,
    register_format,
)
from micromix.schema.values import decimal_marks, read_numbers

__all__ = [
    "X_ENGAGEMENT_PARTS",
    "InfluencerRankingFormat",
    "InstagramInsightsFormat",
    "TikTokPostsFormat",
    "XTweetActivityFormat",
    "mangled_id",
    "status_of",
]

_STATUS = re.compile(r"(?:twitter|x)\.com/([A-Za-z0-9_]{1,15})/status(?:es)?/(\d+)")
_MANGLED_ID = re.compile(r"^\s*\d+(?:\.\d+)?[eE][+-]?\d+\s*$")


def mangled_id(v: object) -> bool:
    """A long id a spreadsheet wrote in scientific notation (``6.49E+17``): it names no post.

    >>> mangled_id("6.49E+17"), mangled_id("649293177409679360"), mangled_id(6.49e17)
    (True, False, True)
    """
    if isinstance(v, float):
        return v == v and abs(v) >= 1e15  # read as a number: digits beyond 15 are lost
    return isinstance(v, str) and bool(_MANGLED_ID.match(v))


def status_of(link: object) -> tuple[str, str] | None:
    """``(account, post id)`` of an X/Twitter status link, else None.

    >>> status_of("https://twitter.com/USCTrials/status/649293177409679360")
    ('USCTrials', '649293177409679360')
    """
    m = _STATUS.search(str(link)) if not _blank(link) else None
    return (m.group(1), m.group(2)) if m else None


def _names(v: object, key: str = "name") -> list[str]:
    """Names out of a list of tags / mentions (strings or ``{"name": ...}`` objects)."""
    if isinstance(v, str):
        text = v
        try:
            v = json.loads(text) if text.strip()[:1] in "[{" else [text]
        except ValueError:
            return [text]
    if not isinstance(v, list):
        return []
    out = []
    for x in v:
        if isinstance(x, dict):
            x = x.get(key) or x.get("title") or x.get("hashtagName")
        if isinstance(x, str) and x.strip():
            out.append(x.strip().lstrip("#@"))
    return out


@register_format
class TikTokPostsFormat(FormatAdapter):
    """TikTok post dumps: tiktok-scraper output (``authorMeta{}``, ``diggCount``...) and TikTok
    web/API item lists (``author{uniqueId}``, ``stats{diggCount, playCount ...}``).

    ``id`` -> ``post_id``; ``authorMeta.name`` / ``author.uniqueId`` -> ``author_id``;
    ``createTime`` (epoch seconds) -> ``ts``; ``text``/``desc`` -> ``text``; likes
    (``diggCount``), comments, shares, plays (views), saves (``collectCount``); the author's
    followers where the dump has them (``authorMeta.fans``, ``authorStats.followerCount``);
    hashtags and mentions from their lists (else from the text). Platform ``tiktok``.

    Where the dump has them, the author's display name (``authorMeta.nickName``,
    ``author.nickname``) -> ``author_name``, bio (``authorMeta.signature``,
    ``author.signature``) -> ``author_bio`` and verified flag (``authorMeta.verified``) ->
    ``author_verified``: kept in the posts store, read by the organisation check of the user
    content to amplify (:mod:`micromix.social.organisations`), from a file or from the store.
    """

    #: the author's profile fields a dump may carry (canonical name, its spellings)
    AUTHOR_PROFILE: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("author_name", ("authorMeta.nickName", "author.nickname", "author_name", "nickname")),
        ("author_bio", ("authorMeta.signature", "author.signature", "author_bio", "signature")),
        (
            "author_verified",
            ("authorMeta.verified", "author.verified", "author_verified", "verified"),
        ),
    )

    lookup_name = "tiktok_posts"
    kinds = ("posts",)
    title = "TikTok posts dump"
    signature = (
        ("id",),
        ("createTime", "create_time"),
        ("diggCount", "stats.diggCount", "statistics.digg_count"),
    )

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        f = raw.frame.reset_index(drop=True)
        c = ColumnLookup(f)
        text = c.get("text", "desc")
        tags = c.get("hashtags", "challenges", "textExtra")
        mentions = c.get("mentions")
        return pd.DataFrame(
            {
                "post_id": c.get("id"),
                "platform": _const(f, "tiktok"),
                "author_id": c.get("authorMeta.name", "author.uniqueId", "author.unique_id"),
                "ts": c.get("createTime", "create_time"),
                "text": text,
                "likes": c.get("diggCount", "stats.diggCount", "statistics.digg_count"),
                "comments": c.get("commentCount", "stats.commentCount"),
                "shares": c.get("shareCount", "stats.shareCount"),
                "saves": c.get("collectCount", "stats.collectCount"),
                "views": c.get("playCount", "stats.playCount"),
                "author_followers": c.get(
                    "authorMeta.fans", "authorStats.followerCount", "author.followerCount"
                ),
                "is_sponsored": c.get("isAd", "is_ad"),
                "hashtags": [
                    _unique_join(t.casefold() for t in _names(tg)) or hashtags_of(tx)
                    for tg, tx in zip(tags.tolist(), text.tolist())
                ],
                "mentions": [_unique_join(_names(m)) for m in mentions.tolist()],
                **c.present(self.AUTHOR_PROFILE),
            }
        )


#: the columns of a tweet activity export whose interactions X counts in "engagements" (each
#: with its other names); media views and media engagements are left out, as X's help does not
#: say they are inside it
X_ENGAGEMENT_PARTS: tuple[tuple[str, ...], ...] = (
    ("retweets", "reposts"),
    ("replies",),
    ("likes", "favorites"),
    ("user profile clicks",),
    ("url clicks",),
    ("hashtag clicks",),
    ("detail expands",),
    ("permalink clicks",),
    ("app opens",),
    ("app install attempts", "app installs"),
    ("follows",),
    ("email tweet", "email post"),
    ("dial phone",),
)


@register_format
class XTweetActivityFormat(FormatAdapter):
    """X (Twitter) Analytics tweet-activity exports (organic posts).

    ``Tweet id`` -> ``post_id`` unless Excel mangled it (``6.49E+17``): then the id in the
    ``Tweet permalink`` (``.../status/649293177409679360``), else a lineage id (file content +
    line) — never the mangled number. ``time`` -> ``ts``; ``impressions``, ``engagements``,
    ``retweets``/``reposts`` -> shares, ``replies`` -> comments, ``likes``/``favorites`` ->
    likes; the author from the permalink. Platform ``x``.

    X counts every interaction with a post in its engagements (retweets, replies, likes and
    clicks on the profile, links, hashtags ...): a row whose engagements are below the sum of
    the parts the export gives is named in a ``review`` check of the ingest (see
    :meth:`consistency`).
    """

    lookup_name = "x_tweet_activity"
    kinds = ("posts",)
    title = "X (Twitter) tweet activity export"
    signature = (
        ("Tweet id", "Post id"),
        ("Tweet permalink", "Post permalink"),
        ("impressions",),
    )

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        f = raw.frame.reset_index(drop=True)
        c = ColumnLookup(f)
        ids = c.get("Tweet id", "Post id").tolist()
        links = c.get("Tweet permalink", "Post permalink").tolist()
        digest = (raw.digest or "")[:12]
        post_ids, authors = [], []
        for i, (tid, link) in enumerate(zip(ids, links)):
            status = status_of(link)
            if not _blank(tid) and not mangled_id(tid) and "." not in str(tid):
                post_ids.append(str(tid).strip())
            elif status:
                post_ids.append(status[1])
            else:
                post_ids.append(f"x-{digest}-{raw.rows[i]}")
            authors.append(status[0] if status else None)
        text = c.get("Tweet text", "Post text")
        return pd.DataFrame(
            {
                "post_id": post_ids,
                "platform": _const(f, "x"),
                "author_id": pd.Series(authors, dtype=object).where(
                    pd.Series(authors, dtype=object).notna(), "(account)"
                ),
                "ts": c.get("time", "Date", "Time"),
                "text": text,
                "impressions": c.get("impressions"),
                "engagements": c.get("engagements"),
                "likes": c.get("likes", "favorites"),
                "shares": c.get("retweets", "reposts"),
                "comments": c.get("replies"),
                "views": c.get("media views", "video views"),
                "hashtags": text.map(hashtags_of),
            }
        )

    def consistency(
        self, raw: RawTable, positions: Sequence[int], *, plain_only: bool = False
    ) -> tuple[dict[str, Any], ...]:
        """A ``review`` check naming the rows whose engagements are below the sum of the
        interactions X counts in them (:data:`X_ENGAGEMENT_PARTS`), with the first rows' lines
        and figures; none when every row adds up. A part the row leaves blank, or a cell that is
        not a whole number, is left out of the sum (never guessed); ``plain_only`` reads only
        cells of plain digits (a file read with decimal commas)."""
        f = raw.frame.reset_index(drop=True)
        c = ColumnLookup(f)
        eng_col = c.name("engagements")
        parts = [col for alts in X_ENGAGEMENT_PARTS if (col := c.name(*alts)) is not None]
        if eng_col is None or not parts or not len(positions):
            return ()
        rows = f.iloc[list(positions)]

        def counts(col: str) -> pd.Series:
            cells = rows[col].astype(object)
            got = read_numbers(cells, integer=True)
            ok = got.problems.isna() & got.values.notna()
            if plain_only:  # "1.234" means 1234 there: only digits are read for sure
                ok &= decimal_marks(cells).isna()
            return got.values.where(ok)

        eng = counts(eng_col)
        values = {col: counts(col) for col in parts}
        total = sum((v.fillna(0) for v in values.values()), pd.Series(0, index=rows.index))
        below = (eng.notna() & (eng < total)).fillna(False).to_numpy(dtype=bool)
        if not below.any():
            return ()
        shown = []
        for k in [int(i) for i in below.nonzero()[0][:3]]:
            idx = rows.index[k]
            terms = " + ".join(
                f"{col} {int(v[idx])}" for col, v in values.items() if pd.notna(v[idx]) and v[idx]
            )
            shown.append(
                f"line {raw.rows[positions[k]]}, field {eng_col!r}: {int(eng[idx])} < {terms} = "
                f"{int(total[idx])}"
            )
        more = " ..." if below.sum() > len(shown) else ""
        return (
            {
                "check": "engagement_parts",
                "status": "review",
                "message": (
                    f"on {int(below.sum()):,} of {len(rows):,} rows the engagements are below the "
                    f"interactions X counts in them ({'; '.join(shown)}{more}): one of each such "
                    "row's figures is wrong, so the rows are kept as the file has them and the "
                    "KPIs show both counts and correct neither; check those rows (columns shifted "
                    "or edited after the export?) or export the file again from X Analytics"
                ),
            },
        )


@register_format
class InstagramInsightsFormat(FormatAdapter):
    """Meta Business Suite content exports (Instagram or Facebook post insights CSV).

    "Post ID", "Account username" (or "Page name"), "Publish time" (month-first, as Meta writes
    it), "Description", "Permalink", "Impressions"/"Views", "Reach", "Likes" (or "Reactions"),
    "Comments", "Shares", "Saves", "Plays". Platform ``instagram`` (``facebook`` for a Page
    export).
    """

    lookup_name = "meta_content_insights"
    kinds = ("posts",)
    title = "Meta Business Suite content insights"
    dayfirst = False
    signature = (("Post ID",), ("Publish time",), ("Permalink", "Post type"))

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        f = raw.frame.reset_index(drop=True)
        c = ColumnLookup(f)
        facebook = c.name("Page ID", "Page name") is not None and c.name("Account username") is None
        text = c.get("Description", "Title", "Caption")
        return pd.DataFrame(
            {
                "post_id": c.get("Post ID"),
                "platform": _const(f, "facebook" if facebook else "instagram"),
                "author_id": c.get("Account username", "Account name", "Page name", "Page ID"),
                "ts": c.get("Publish time"),
                "text": text,
                "impressions": c.get("Impressions"),
                "views": c.get("Plays", "Views", "Video views"),
                "likes": c.get("Likes", "Reactions"),
                "comments": c.get("Comments"),
                "shares": c.get("Shares"),
                "saves": c.get("Saves"),
                "hashtags": text.map(hashtags_of),
            }
        )


#: values of a ranking's ``Country`` column that are its scope, not a creator's country
_WORLDWIDE = frozenset({"all", "all countries", "worldwide", "global", "world"})


def _a_country(v: object) -> object:
    """A creator's country, or None for a ranking's scope ("All": HypeAuditor's top 1000 lists
    every creator under ``Country`` = ``All``, which would overwrite a known country).

    >>> _a_country("All"), _a_country("Spain")
    (None, 'Spain')
    """
    return None if _blank(v) or str(v).strip().casefold() in _WORLDWIDE else v


@register_format
class InfluencerRankingFormat(FormatAdapter):
    """Influencer ranking lists as scraped or downloaded (Kaggle "top Instagram influencers",
    HypeAuditor-style top lists).

    ``channel_info`` / ``insta_id`` / ``Instagram username`` -> ``creator_id`` and ``handle``;
    ``followers`` with abbreviations (``475.8m``, ``3.3k`` - exact decimal scaling); ``posts``;
    ``avg_likes``; ``60d_eng_rate`` (``1.39%`` -> 0.0139); ``total_likes``; ``country``;
    ``Title`` -> ``name``; ``Category`` -> ``niche``; ``Audience Country``; ``Engagement avg``.
    The literal ``NaN`` is empty, and so is a ``Country`` of ``All`` (the ranking's scope).
    Platform ``instagram``.
    """

    lookup_name = "influencer_ranking"
    kinds = ("creators",)
    title = "influencer ranking list"
    signature = (
        ("channel_info", "insta_id", "Instagram username", "Influencer insta name"),
        ("followers", "Followers"),
        (
            "60d_eng_rate",
            "avg_likes",
            "influence_score",
            "Engagement avg",
            "Authentic engagement",
            "Audience Country",
            "Engagement rate",
        ),
    )

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        f = raw.frame.reset_index(drop=True)
        c = ColumnLookup(f)
        user = c.get("channel_info", "insta_id", "Instagram username", "Influencer insta name")
        niche = c.get("Category", "category", "category_1").map(
            lambda v: None if _blank(v) else ",".join(p.strip() for p in str(v).split("|"))
        )
        return pd.DataFrame(
            {
                "creator_id": user,
                "platform": _const(f, "instagram"),
                "handle": user,
                "name": c.get("Title", "Name", "Influencer name"),
                "followers": c.get("followers", "Followers"),
                "posts": c.get("posts", "Posts"),
                "niche": niche,
                "country": c.get("country").map(_a_country),
                "audience_country": c.get("Audience Country", "Audience country(mostly)"),
                "avg_likes": c.get("avg_likes", "Avg. likes"),
                "avg_engagement": c.get("Engagement avg", "Authentic engagement"),
                "engagement_rate": c.get("60d_eng_rate", "Engagement rate"),
                "total_likes": c.get("total_likes"),
            }
        )
