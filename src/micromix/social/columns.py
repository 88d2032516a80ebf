"""Column aliases: map the many spellings of exported social data onto one set of names.

Exports from Instagram, TikTok, CrowdTangle, Kaggle and spreadsheet tools name the same field in
many ways (``followers``, ``userFollowerCount``, ``#Followers``, ``follower_count``...). The
helpers here match column names case-insensitively after removing punctuation, so every
analysis can work on canonical names.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.social.columns import POST_ALIASES, canonicalize
>>> df = pd.DataFrame({"Like_Count": [3], "nb_comments": [1], "post_text": ["hi"]})
>>> canonicalize(df, POST_ALIASES).columns.tolist()
['likes', 'comments', 'text']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from micromix.schema.values import (
    parse_timestamps,
    read_bools,
    read_numbers,
    read_timestamps,
    refuse_first,
)

__all__ = [
    "ENGAGEMENT_LABEL",
    "ENGAGEMENT_PARTS",
    "ID_CANDIDATES",
    "POST_ALIASES",
    "POST_FLAGS",
    "POST_NUMERIC",
    "REPORTED_ENGAGEMENTS_LABEL",
    "canonical_posts",
    "canonicalize",
    "cell_place",
    "check_non_negative",
    "engagements_of",
    "find_column",
    "identifier_column",
    "normalize_name",
    "reported_below",
    "strict_flags",
    "strict_numbers",
    "to_bool",
    "to_number",
    "to_timestamp",
]

#: canonical post field -> accepted spellings (compared after :func:`normalize_name`)
POST_ALIASES: dict[str, tuple[str, ...]] = {
    "post_id": ("post_id", "shortcode", "id", "postid", "media_id", "tweet_id", "video_id"),
    "author_id": (
        "author_id",
        "username",
        "user_name",
        "handle",
        "creator_id",
        "author",
        "screen_name",
        "influencer_profile",
        "owner_username",
        "user",
        "account",
        "creator",
        "user_id",
    ),
    "ts": (
        "ts",
        "taken_at_timestamp",
        "timestamp",
        "created_at",
        "date",
        "time",
        "posted_at",
        "published_at",
        "tweet_created",
        "create_time",
    ),
    "text": (
        "text",
        "caption",
        "post_text",
        "tweet_text",
        "tweet",
        "full_text",
        "message",
        "body",
        "description",
        "content",
        "desc",
        "post",
        "status",
        "comment_text",
        "review",
    ),
    "likes": (
        "likes",
        "like_count",
        "nb_likes",
        "likes_count",
        "digg_count",
        "favorite_count",
        "favourites",
        "favorites",
        "reactions",
        "hearts",
    ),
    "comments": (
        "comments",
        "comment_count",
        "nb_comments",
        "comments_count",
        "replies",
        "reply_count",
    ),
    "shares": ("shares", "share_count", "retweets", "retweet_count", "reposts"),
    "saves": ("saves", "save_count", "saved", "bookmarks", "collect_count"),
    "engagements": ("engagements", "total_engagements", "engagement_count"),
    "views": (
        "views",
        "video_view_count",
        "view_count",
        "play_count",
        "plays",
        "impressions",
        "video_views",
    ),
    "is_video": ("is_video", "video", "media_type_video"),
    "is_sponsored": (
        "is_sponsored",
        "sponsored",
        "is_ad",
        "paid_partnership",
        "is_paid",
        "branded_content",
    ),
    "sponsor_users": ("sponsor_users", "sponsors", "paid_partner", "partnership_with"),
    "platform": ("platform", "network", "channel", "source"),
    "hashtags": ("hashtags", "tags", "hashtag"),
    "mentions": ("mentions", "tagged_users", "user_mentions"),
    "is_owned": ("is_owned", "is_brand_owned", "brand_owned", "owned", "owned_media"),
    "rights_granted": (
        "rights_granted",
        "rights",
        "permission",
        "has_permission",
        "rights_cleared",
        "usage_rights",
    ),
    # who the author is, where a file says (organisation accounts are not user content)
    "author_name": (
        "author_name",
        "nickname",
        "nick_name",
        "display_name",
        "full_name",
        "user_full_name",
    ),
    "author_bio": (
        "author_bio",
        "bio",
        "biography",
        "signature",
        "user_description",
        "author_description",
    ),
    "author_category": (
        "author_category",
        "account_category",
        "business_category",
        "category_name",
    ),
    "author_is_business": (
        "author_is_business",
        "is_business_account",
        "is_business",
        "is_verified_business",
        "business_account",
    ),
    "author_verified": (
        "author_verified",
        "verified",
        "is_verified",
        "user_verified",
        "author_is_verified",
    ),
    "author_followers": (
        "author_followers",
        "followers",
        "follower_count",
        "user_followers",
        "followers_count",
    ),
}

#: identifying columns tried in order when an output must keep the input's key
ID_CANDIDATES: tuple[str, ...] = (
    "creator_id",
    "username",
    "user_name",
    "handle",
    "screen_name",
    "account",
    "account_name",
    "channel_info",
    "channel_name",
    "influencer",
    "influencer_name",
    "instagram_handle",
    "ig_handle",
    "tiktok_handle",
    "user_id",
    "profile",
    "name",
    "id",
)

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
#: a cell of a link flag (``has_external_link``) that is the link itself
_LINK = re.compile(r"[./]")


def normalize_name(name: object) -> str:
    """Lower-case a column name and drop everything but letters and digits.

    ``"#Followers"``, ``"follower count"`` and ``"Follower_Count"`` all become
    ``"followers"`` / ``"followercount"``; a leading ``#`` (as in ``#Posts``) and the word
    ``num``/``number`` are kept as plain text, so aliases list them explicitly.
    """
    return _NON_ALNUM.sub("", str(name).lower())


def find_column(columns: list[str] | pd.Index, aliases: tuple[str, ...]) -> str | None:
    """Return the first column of ``columns`` matching any alias (case/punctuation-insensitive)."""
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(normalize_name(c), str(c))
    for a in aliases:
        hit = by_norm.get(normalize_name(a))
        if hit is not None:
            return hit
    return None


def canonicalize(df: pd.DataFrame, aliases: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """Rename the columns of ``df`` that match an alias to their canonical name.

    Columns that match nothing are kept unchanged; each source column is used at most once and
    an exact canonical name wins over an alias.  When several columns match one field (a JSON
    list whose objects spell it differently), their values are coalesced in alias order.
    """
    used: set[str] = set()
    out = df.copy()
    out.columns = [str(c) for c in out.columns]
    for canon, names in aliases.items():
        cols = [c for c in out.columns if c not in used]
        by_norm: dict[str, list[str]] = {}
        for c in cols:
            by_norm.setdefault(normalize_name(c), []).append(c)
        matches: list[str] = [canon] if canon in cols else []
        for a in (canon, *names):
            for c in by_norm.get(normalize_name(a), []):
                if c not in matches:
                    matches.append(c)
        if not matches:
            continue
        used.update(matches)
        values = out[matches[0]]
        for extra in matches[1:]:
            values = values.where(values.notna(), out[extra])
        if matches[0] != canon:
            if canon in out.columns:  # the canonical name is taken by an earlier field
                continue
            out = out.rename(columns={matches[0]: canon})
            used.add(canon)
        if len(matches) > 1:
            out[canon] = values
    return out


def identifier_column(df: pd.DataFrame) -> str | None:
    """The column that identifies rows (username, handle, id...), or ``None``.

    Known names are tried first (:data:`ID_CANDIDATES`); otherwise the first text column whose
    values are all present and distinct is used.
    """
    hit = find_column(df.columns, ID_CANDIDATES)
    if hit is not None:
        return hit
    for c in df.columns:
        col = df[c]
        is_text = pd.api.types.is_string_dtype(col) or col.dtype == object
        if (
            is_text
            and col.notna().all()
            and pd.to_numeric(col, errors="coerce").notna().mean() < 0.5
            and col.is_unique
        ):
            return str(c)
    return None


def to_bool(s: pd.Series) -> pd.Series:
    """Parse a column of flags (``True``/``yes``/``1``/``N``...) into a float 1/0/NaN series.

    Lenient: a cell that is not a yes/no word is NaN (a free-text ``bio`` that may hold Y/N is
    read this way); fields that must be flags go through :func:`strict_flags`.
    """
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return (pd.to_numeric(s, errors="coerce") > 0).astype(float).where(s.notna())
    return read_bools(s.astype(object)).values.astype("Float64").astype(float)


def to_number(s: pd.Series) -> pd.Series:
    """Parse counts such as ``"475.8m"``, ``"1,234"``, ``"12K"`` or ``"1.39%"`` into floats.

    Percentages become fractions (``"1.39%"`` -> ``0.0139``); anything else unparsable is NaN.
    Lenient; input columns go through :func:`strict_numbers`, which refuses such a cell.
    """
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    vals = read_numbers(s.astype(object), percent=True, abbreviated=True).values
    return vals.astype("Float64").astype(float)


def to_timestamp(s: pd.Series) -> pd.Series:
    """Parse epoch s/ms/µs/ns or date strings into UTC timestamps (NaT where refused)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        ts = pd.to_datetime(s)
        return ts.dt.tz_localize("UTC") if ts.dt.tz is None else ts.dt.tz_convert("UTC")
    return parse_timestamps(s)


#: numeric post fields parsed by :func:`canonical_posts`
POST_NUMERIC = (
    "likes",
    "comments",
    "shares",
    "saves",
    "views",
    "engagements",
    "author_followers",
)

#: what micromix calls a post's engagements: the interactions with a post that platforms count
#: on it (the ad reports' engagements are the same four), so that posts of every platform, own
#: and anyone else's, add up; a count a post does not report adds nothing. Views and clicks are
#: their own measures (docs/social.md, "Engagement")
ENGAGEMENT_PARTS = ("likes", "comments", "shares", "saves")
ENGAGEMENT_LABEL = "likes + comments + shares + saves (those the post reports)"
#: the platform's own count where an export carries one (X's tweet activity "engagements":
#: every interaction, clicks included); shown beside :data:`ENGAGEMENT_LABEL`, never instead
REPORTED_ENGAGEMENTS_LABEL = (
    "engagements as reported by the platform (X counts every interaction, clicks included)"
)


def engagements_of(posts: pd.DataFrame) -> pd.Series:
    """Each post's engagements as micromix defines them (:data:`ENGAGEMENT_LABEL`): a count
    the post does not report adds nothing; a post that reports none of them has unknown (NaN)
    engagements, never 0 (a file of the platform's own totals alone has no parts to add).

    >>> engagements_of(pd.DataFrame({"likes": [10, None, None], "comments": [2, 1, None]}))
    0    12.0
    1     1.0
    2     NaN
    dtype: float64
    """
    total = pd.Series(0.0, index=posts.index)
    known = pd.Series(False, index=posts.index)
    for c in ENGAGEMENT_PARTS:
        if c in posts.columns:
            part = pd.to_numeric(posts[c], errors="coerce").astype(float)
            known |= part.notna()
            total = total + part.fillna(0.0)
    return total.where(known)


def reported_below(posts: pd.DataFrame) -> pd.Series:
    """Posts whose platform-reported ``engagements`` are below :func:`engagements_of`.

    The platform's count includes every interaction, so it cannot be lower on the same post:
    one of the two figures of such a post is wrong, and micromix does not know which.
    """
    if "engagements" not in posts.columns:
        return pd.Series(False, index=posts.index)
    own = pd.to_numeric(posts["engagements"], errors="coerce").astype(float)
    return (own < engagements_of(posts)).fillna(False).astype(bool)


#: yes/no post fields parsed by :func:`canonical_posts` (those the analyses read)
POST_FLAGS = ("is_sponsored", "is_owned", "rights_granted")


def cell_place(
    df: pd.DataFrame, names: tuple[str, ...], source: str, values: pd.Series
) -> Callable[[int], str]:
    """Name a field's cell as the user wrote it: ``where(3)`` -> ``"p.csv: row 3, field 'Likes'"``.

    ``names`` are the field's spellings (compared after :func:`normalize_name`), ``values`` the
    field as :func:`canonicalize` made it from ``df`` (rows in the same order); rows are 1-based
    data rows.  When several input columns were merged into the field, the one holding the cell
    is named.
    """
    wanted = {normalize_name(a) for a in names}
    cols = [j for j, c in enumerate(df.columns) if normalize_name(c) in wanted]

    def where(row: int) -> str:
        header = str(df.columns[cols[0]]) if cols else names[0]
        for j in cols:
            if str(df.iat[row - 1, j]) == str(values.iat[row - 1]):
                header = str(df.columns[j])
                break
        return f"{source}: row {row}, field {header!r}"

    return where


def strict_numbers(
    values: pd.Series, where: Callable[[int], str], *, rate: bool = False
) -> pd.Series:
    """One numeric input field through the project's number reader, as floats.

    Counts and prices accept what exports write (``"12.5K"``, ``"475.8m"``, ``"1,234"``,
    ``"$1,200"``); a ``rate`` accepts ``"1.39%"`` (-> 0.0139) and no abbreviations.  Blank cells
    and placeholders (``-``, ``--``, ``N/A``) stay missing.

    Raises
    ------
    DataValidationError
        For the first other cell that is not a number, placed by ``where`` (see
        :func:`cell_place`), with how many such cells there are and what to write instead.
    """
    got = read_numbers(values, percent=rate, abbreviated=not rate)
    example = "0.035 or 3.5%" if rate else "12500, 12.5K or 12,500"
    refuse_first(
        got.problems.notna().to_numpy(),
        where,
        got.problems,
        f"write it as a number such as {example} (decimals with a point), or leave the cell "
        "empty where it is unknown",
    )
    return got.values.astype("Float64").astype(float)


def strict_flags(values: pd.Series, where: Callable[[int], str], *, url: bool = False) -> pd.Series:
    """One yes/no input field through the project's true/false reader, as a float 1/0/NaN series.

    The words are :data:`~micromix.schema.values.TRUE_WORDS` / ``FALSE_WORDS`` (``yes``/``no``,
    ``y``/``n``, ``true``/``false``, ``1``/``0``...); blank cells and the placeholders numbers
    allow (``-``, ``N/A``) stay missing; with ``url`` a cell that looks like a link (has a ``.``
    or ``/``) means yes.

    Raises
    ------
    DataValidationError
        For the first other cell, placed by ``where`` (see :func:`cell_place`).
    """
    got = read_bools(values.astype(object))
    problems = got.problems.copy()
    out = got.values.astype("Float64").astype(float)
    bad = problems.notna().to_numpy()
    if bad.any():
        # the placeholders of number columns ("-", "--", "N/A") mean no value here too
        as_number = read_numbers(values.astype(object))
        placeholder = (as_number.values.isna() & as_number.problems.isna()).to_numpy(bool)
        problems[placeholder] = None
        if url:
            is_link = values.astype(object).map(
                lambda v: isinstance(v, str) and bool(_LINK.search(v))
            )
            link = is_link.to_numpy(dtype=bool) & bad & ~placeholder
            out[link] = 1.0
            problems[link] = None
    refuse_first(
        problems.notna().to_numpy(),
        where,
        problems,
        "write yes or no (or true/false, 1/0)"
        + (", or the link itself," if url else "")
        + " or leave the cell empty where it is unknown",
    )
    return out


def check_non_negative(values: pd.Series, name: str, source: str) -> None:
    """Raise :class:`~micromix.errors.DataValidationError` naming the first negative count."""
    from micromix.errors import DataValidationError

    neg = (values < 0).fillna(False).to_numpy(dtype=bool)
    if neg.any():
        row = int(neg.argmax())
        raise DataValidationError(
            f"{source}: column '{name}' has a negative value at row {row + 1}; counts must be >= 0"
        )


def canonical_posts(
    df: pd.DataFrame,
    *,
    source: str = "posts",
    strict_times: bool = False,
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Return a copy of ``df`` with canonical post columns (see :data:`POST_ALIASES`) typed.

    Counts become floats (``"1.2K"``, ``"1,234"`` accepted; blanks and ``-``/``N/A`` stay
    missing), the flags of :data:`POST_FLAGS` float 1/0/NaN, ``ts`` a UTC timestamp, ``text``
    a string, ``platform`` lower-case.  Missing count columns are left absent.

    Parameters
    ----------
    strict_times : bool
        Refuse a post time that is present but unreadable or ambiguous (``03/04/2024`` with
        nothing in the column to tell the order, ``yesterday``) instead of leaving it ``NaT``;
        blank times stay ``NaT``.
    dayfirst : bool, optional
        Order of ``d/m/y`` times (None: decided from the column, see
        :func:`~micromix.schema.values.read_timestamps`).

    A row that repeats an earlier row's ``post_id`` is left out (each post counts once) and
    ``attrs["repeated_posts"]`` says how many, in one sentence.

    Raises
    ------
    DataValidationError
        When the table is empty, a count or flag cell is not blank and cannot be read
        (``"12,50"`` likes, ``"maybe"`` sponsored: file, row and the input's column are named),
        a count column has negative values or (``strict_times``) a time cannot be read.
    """
    from micromix.errors import DataValidationError

    if len(df) == 0:
        raise DataValidationError(f"{source}: the posts table has no rows; pass at least one post")
    out = canonicalize(df, POST_ALIASES)
    for f in POST_NUMERIC:
        if f in out.columns:
            out[f] = strict_numbers(out[f], cell_place(df, (f, *POST_ALIASES[f]), source, out[f]))
            check_non_negative(out[f], f, source)
    for f in POST_FLAGS:
        if f in out.columns:
            out[f] = strict_flags(out[f], cell_place(df, (f, *POST_ALIASES[f]), source, out[f]))
    if "ts" in out.columns and strict_times:
        field = find_column(df.columns, ("ts", *POST_ALIASES["ts"])) or "ts"
        got = read_timestamps(out["ts"].reset_index(drop=True), dayfirst=dayfirst)
        refuse_first(
            got.problems.notna().to_numpy(),
            lambda row: f"{source}: row {row}, field {field!r}",
            got.problems,
            "write the post time as a date such as 2024-05-01 or 2024-05-01T10:00:00Z, "
            "or leave it empty",
        )
        out["ts"] = got.values.set_axis(out.index)
    elif "ts" in out.columns:
        out["ts"] = to_timestamp(out["ts"])
    if "text" in out.columns:
        out["text"] = out["text"].astype("string")
    if "author_id" in out.columns:
        out["author_id"] = out["author_id"].astype("string")
    if "platform" in out.columns:
        out["platform"] = out["platform"].astype("string").str.strip().str.lower()
    if "post_id" in out.columns:  # a post listed twice is one post (ingest keeps the first too)
        ids, mangled = _readable_ids(df, out, source)
        if mangled is not None:
            out["post_id"] = ids.to_numpy()
        again = (ids.notna() & (ids != "") & ids.duplicated()).to_numpy(dtype=bool)
        if again.any():
            first = int(again.argmax()) + 1
            out = out[~again].copy()
            out.attrs["repeated_posts"] = (
                f"{source}: {int(again.sum()):,} row(s) repeat a post id read earlier (first: "
                f"row {first}); each post counts once, as first listed"
            )
        if mangled:
            out.attrs["mangled_ids"] = mangled
    return out


#: columns holding a post's link, where an id a spreadsheet mangled can be read again
_LINK_NAMES = ("tweet_permalink", "post_permalink", "permalink", "post_url", "url", "link")


def _readable_ids(df: pd.DataFrame, out: pd.DataFrame, source: str) -> tuple[pd.Series, str | None]:
    """``out["post_id"]`` as text, where an id a spreadsheet wrote as ``6.49E+17`` is taken
    from the post's link (``.../status/649293177409679360``), else left empty: many posts
    share such a number, and reading it as an id would count them as one post.

    Also returns None when no id was mangled, else a note ("" when every one was read again
    from its link) saying how many ids could not be read again.
    """
    from micromix.ingest.social_exports import mangled_id, status_of

    raw = out["post_id"]
    ids = raw.astype("string").str.strip()
    bad = raw.map(mangled_id).to_numpy(dtype=bool)
    if not bad.any():
        return ids, None
    link_col = find_column(df.columns, _LINK_NAMES)
    links = df[link_col].tolist() if link_col is not None else [None] * len(df)
    lost = []
    for i in np.flatnonzero(bad):
        status = status_of(links[i])
        ids.iat[i] = status[1] if status else pd.NA
        if status is None:
            lost.append(int(i))
    if not lost:
        return ids, ""
    return ids, (
        f"{source}: {len(lost):,} of {len(ids):,} post ids were written by a spreadsheet in "
        f"scientific notation (row {lost[0] + 1}: {str(raw.iloc[lost[0]]).strip()}) and no "
        "link gives them back; each of those rows counts as its own post (export the ids as "
        "text to let repeats be found)"
    )
