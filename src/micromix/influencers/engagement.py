"""Engagement rates by documented formulas, per creator, with sponsored vs organic splits.

Formulas (per post *p* of creator *c*, over the creator's last ``N`` posts by time):

* follower engagement rate ``ER_p = (likes_p + comments_p) / followers_c``;
  ``engagement_rate_mean`` and ``engagement_rate_median`` are its mean and median;
* view engagement rate (video platforms: TikTok, YouTube, Reels) ``VER_p = (likes_p +
  comments_p + shares_p) / views_p`` over posts with views > 0; ``view_rate_median`` is
  ``median(views_p) / followers_c``;
* sponsored vs organic: the median ER over sponsored posts (``is_sponsored``, a paid-partnership
  tag or a ``#ad``-style disclosure) and over the others, and their ratio.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.influencers.engagement import creator_engagement
>>> posts = pd.DataFrame({"username": ["a", "a", "b"], "likes": [90, 110, 10],
...                       "comments": [10, 10, 0], "taken_at_timestamp": [1, 2, 3]})
>>> er = creator_engagement(posts, followers={"a": 1000, "b": 1000})
>>> float(er.loc["a", "engagement_rate_median"])
0.11
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from micromix.errors import ColumnNotFoundError, ConfigError
from micromix.social.columns import canonical_posts
from micromix.social.disclosure import sponsored_flags

__all__ = [
    "DEFAULT_LAST_N",
    "VIDEO_PLATFORMS",
    "EngagementSpec",
    "creator_engagement",
    "post_engagement",
]

#: number of most recent posts used per creator
DEFAULT_LAST_N = 12
#: platforms whose reach is measured in views
VIDEO_PLATFORMS = ("tiktok", "youtube", "youtube_shorts", "reels", "twitch")


@dataclass(frozen=True)
class EngagementSpec:
    """How engagement is computed.

    Parameters
    ----------
    last_n : int
        Most recent posts per creator to use (>= 1).
    min_posts : int
        Creators with fewer posts get NaN rates (>= 1).
    """

    last_n: int = DEFAULT_LAST_N
    min_posts: int = 1

    def __post_init__(self) -> None:
        if self.last_n < 1:
            raise ConfigError(f"last_n={self.last_n!r} must be an integer >= 1")
        if self.min_posts < 1:
            raise ConfigError(f"min_posts={self.min_posts!r} must be an integer >= 1")


def _followers_series(
    posts: pd.DataFrame, followers: Mapping[str, float] | pd.Series | None
) -> pd.Series:
    f = pd.Series(np.nan, index=posts.index, dtype=float)
    if followers is not None:
        fs = followers if isinstance(followers, pd.Series) else pd.Series(dict(followers))
        fs = pd.to_numeric(fs, errors="coerce").astype(float)
        fs.index = fs.index.astype("string")
        fs = fs[~fs.index.duplicated()]
        vals = np.append(fs.to_numpy(dtype=float), np.nan)
        author = posts["author_id"]
        if isinstance(author.dtype, pd.CategoricalDtype):
            # look each distinct author up once, then broadcast by category code
            per_cat = np.append(
                vals[fs.index.get_indexer(author.cat.categories.astype("string"))], np.nan
            )
            f = pd.Series(per_cat[author.cat.codes.to_numpy()], index=posts.index)
        else:
            # positional lookup: much faster than Series.map on millions of string keys
            f = pd.Series(vals[fs.index.get_indexer(author.astype("string"))], index=posts.index)
    if "author_followers" in posts.columns:
        f = f.fillna(posts["author_followers"].astype(float))
    return f.where(f > 0)


def post_engagement(
    posts: pd.DataFrame,
    followers: Mapping[str, float] | pd.Series | None = None,
    *,
    canonical: bool = False,
) -> pd.DataFrame:
    """Per-post engagement: ``interactions``, ``er`` (per follower), ``ver`` (per view), ``sponsored``.

    Parameters
    ----------
    posts : DataFrame
        Posts with an author column and likes/comments (any common spelling).
    followers : mapping or Series, optional
        Follower count per author id; else a per-post ``followers`` column is used.
    canonical : bool
        Set when ``posts`` already went through :func:`~micromix.social.columns.canonical_posts`.
    """
    p = posts if canonical else canonical_posts(posts)
    if "author_id" not in p.columns:
        raise ColumnNotFoundError(
            "posts: no author column found (looked for username, handle, author_id, creator_id...); "
            "add one so posts can be joined to creators"
        )
    if "likes" not in p.columns and "comments" not in p.columns:
        raise ColumnNotFoundError(
            "posts: neither a likes nor a comments column found; engagement needs at least one"
        )
    zero = pd.Series(0.0, index=p.index)
    likes = p["likes"].fillna(0.0) if "likes" in p.columns else zero
    comments = p["comments"].fillna(0.0) if "comments" in p.columns else zero
    shares = p["shares"].fillna(0.0) if "shares" in p.columns else zero
    inter = likes + comments
    fol = _followers_series(p, followers)
    out = pd.DataFrame(
        {
            "author_id": p["author_id"],
            "interactions": inter,
            "followers": fol,
            "er": inter / fol,
            "sponsored": sponsored_flags(p),
        },
        index=p.index,
    )
    if "views" in p.columns:
        v = p["views"].where(p["views"] > 0)
        out["views"] = v
        out["ver"] = (inter + shares) / v
    else:
        out["views"] = np.nan
        out["ver"] = np.nan
    out["ts"] = p["ts"] if "ts" in p.columns else pd.NaT
    return out


def creator_engagement(
    posts: pd.DataFrame,
    followers: Mapping[str, float] | pd.Series | None = None,
    *,
    spec: EngagementSpec | None = None,
    canonical: bool = False,
) -> pd.DataFrame:
    """Engagement per creator over the last N posts (index ``author_id``).

    Returns columns ``n_posts, engagement_rate_mean, engagement_rate_median,
    engagement_rate_var`` (variance of the per-post rates, ddof=1: NaN with one post),
    ``avg_likes_comments,
    median_views, view_engagement_rate_median, n_sponsored, view_rate_median, sponsored_share,
    er_sponsored_median, er_organic_median, sponsored_vs_organic``.
    """
    sp = spec or EngagementSpec()
    pe = post_engagement(posts, followers, canonical=canonical)
    codes, uniques = pd.factorize(pe["author_id"], sort=True)
    keep = codes >= 0
    if pe["ts"].notna().any():
        ts = pe["ts"]
        key = ts.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).astype("int64")
        key = np.where(ts.isna().to_numpy(), np.iinfo(np.int64).min + 1, key)
        order = np.lexsort((-key, codes))  # by creator, newest first
    else:
        order = np.argsort(codes, kind="stable")
    sc = codes[order]
    # rank of each post within its creator = position - first position of that creator
    first = np.r_[0, np.flatnonzero(np.diff(sc)) + 1]
    starts = np.repeat(first, np.diff(np.r_[first, len(sc)]))
    rank = np.arange(len(sc)) - starts
    sel = order[(rank < sp.last_n) & keep[order]]
    c = codes[sel]

    def col(name: str) -> np.ndarray:
        return pe[name].to_numpy(dtype=float, na_value=np.nan)[sel]

    er, inter, views, ver, fol = (
        col("er"),
        col("interactions"),
        col("views"),
        col("ver"),
        col("followers"),
    )
    spons = pe["sponsored"].to_numpy(dtype=bool)[sel]
    frame = pd.DataFrame(
        {"c": c, "er": er, "inter": inter, "views": views, "ver": ver, "fol": fol, "spons": spons}
    )
    g = frame.groupby("c", sort=True)
    res = pd.DataFrame(
        {
            "n_posts": g.size(),
            "engagement_rate_mean": g["er"].mean(),
            "engagement_rate_median": g["er"].median(),
            "engagement_rate_var": g["er"].var(ddof=1),
            "avg_likes_comments": g["inter"].mean(),
            "median_views": g["views"].median(),
            "view_engagement_rate_median": g["ver"].median(),
            "n_sponsored": g["spons"].sum().astype(int),
        }
    )
    res["view_rate_median"] = res["median_views"] / g["fol"].first()
    res["sponsored_share"] = res["n_sponsored"] / res["n_posts"]
    split = frame.groupby(["c", "spons"])["er"].median().unstack("spons")
    res["er_sponsored_median"] = split[True] if True in split.columns else np.nan
    res["er_organic_median"] = split[False] if False in split.columns else np.nan
    res["sponsored_vs_organic"] = res["er_sponsored_median"] / res["er_organic_median"]
    few = res["n_posts"] < sp.min_posts
    res.loc[few, ["engagement_rate_mean", "engagement_rate_median", "engagement_rate_var"]] = np.nan
    res.index = pd.Index(
        np.asarray(uniques)[res.index.to_numpy()], dtype="string", name="author_id"
    )
    return res
