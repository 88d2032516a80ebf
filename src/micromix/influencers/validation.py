"""Validation on real data: the inverse size-engagement curve and the sponsored-organic gap.

Uses the Kim et al. (WWW 2020) Instagram influencer list (``kim2020_instagram_influencers.txt``:
``Username, Category, #Followers, #Followees, #Posts``, tab-separated with a ``====`` rule under
the header) joined by username to a sample of their posts
(``kim2020_instagram_posts_sample.csv``).

Quickstart
----------
>>> from pathlib import Path
>>> from micromix.influencers.validation import size_engagement_table
>>> # size_engagement_table(Path("../shared/data/influencers/kim2020_instagram_influencers.txt"),
>>> #                       Path("../shared/data/social/kim2020_instagram_posts_sample.csv"))
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from micromix.influencers.columns import canonical_profiles
from micromix.influencers.engagement import post_engagement
from micromix.influencers.scoring import join_key
from micromix.influencers.tiers import TierScheme, assign_tiers, get_tier_scheme
from micromix.ingest.files import read_raw, read_table
from micromix.social.columns import canonical_posts

__all__ = ["load_kim2020", "size_engagement_table", "sponsored_gap"]


def load_kim2020(influencers_path: str | Path, posts_path: str | Path) -> pd.DataFrame:
    """Post-level engagement joined to creator follower counts (one row per matched post)."""
    prof = canonical_profiles(read_raw(influencers_path).frame, source=str(influencers_path))
    posts = canonical_posts(read_table(posts_path), source=str(posts_path))
    posts["author_id"] = join_key(posts["author_id"])
    fol = pd.Series(
        prof["followers"].to_numpy(dtype=float), index=join_key(prof["creator_id"]).to_numpy()
    )
    fol = fol[~fol.index.duplicated()]
    pe = post_engagement(posts, fol, canonical=True)
    if "sponsor_users" in posts.columns:
        su = posts["sponsor_users"].astype("string").str.strip()
        pe["partner_tag"] = (su.notna() & (su != "") & (su != "[]")).fillna(False).astype(bool)
    else:
        pe["partner_tag"] = False
    pe = pe[pe["followers"].notna()].copy()
    cat = pd.Series(prof["category"].to_numpy(), index=join_key(prof["creator_id"]).to_numpy())
    pe["category"] = pe["author_id"].map(cat[~cat.index.duplicated()])
    return pe


def size_engagement_table(
    influencers_path: str | Path,
    posts_path: str | Path,
    *,
    scheme: TierScheme | str | None = None,
) -> pd.DataFrame:
    """Median engagement by tier: per creator (median of their posts) and per post.

    Returns one row per tier (size order) with ``creators, posts, median_er`` (median over
    creators of each creator's median post ER), ``p25_er, p75_er, post_median_er`` and
    ``median_followers``.
    """
    sch = get_tier_scheme(scheme)
    pe = load_kim2020(influencers_path, posts_path)
    per_creator = pe.groupby("author_id").agg(er=("er", "median"), followers=("followers", "first"))
    per_creator["tier"] = assign_tiers(per_creator["followers"], sch)
    pe["tier"] = assign_tiers(pe["followers"], sch)
    g = per_creator.groupby("tier", observed=True)
    out = pd.DataFrame(
        {
            "creators": g.size(),
            "posts": pe.groupby("tier").size(),
            "median_er": g["er"].median(),
            "p25_er": g["er"].quantile(0.25),
            "p75_er": g["er"].quantile(0.75),
            "post_median_er": pe.groupby("tier")["er"].median(),
            "median_followers": g["followers"].median(),
        }
    )
    order = [t for t in sch.labels if t in out.index]
    return out.loc[order].reset_index(names="tier")


def sponsored_gap(influencers_path: str | Path, posts_path: str | Path) -> pd.DataFrame:
    """Sponsored vs organic engagement: all posts, and within creators who have both.

    Returns rows ``all_posts`` (median ER of sponsored posts, by paid-partnership tag or
    caption disclosure, vs organic posts, and their ratio), ``partner_tag_only`` (only posts
    with Instagram's paid-partnership tag count as sponsored) and ``within_creator`` (median
    over creators with both kinds of the ratio of their medians).
    """
    pe = load_kim2020(influencers_path, posts_path)
    rows = []
    for name, flag in (("all_posts", pe["sponsored"]), ("partner_tag_only", pe["partner_tag"])):
        s, o = pe.loc[flag, "er"], pe.loc[~pe["sponsored"], "er"]
        rows.append(
            {
                "comparison": name,
                "n_sponsored": len(s),
                "n_organic": len(o),
                "sponsored_median_er": float(s.median()),
                "organic_median_er": float(o.median()),
                "ratio": float(s.median() / o.median()),
            }
        )
    by = pe.groupby(["author_id", "sponsored"])["er"].median().unstack("sponsored")
    both = by.dropna()
    if len(both) and True in both.columns and False in both.columns:
        r = both[True] / both[False]
        rows.append(
            {
                "comparison": "within_creator",
                "n_sponsored": len(both),
                "n_organic": len(both),
                "sponsored_median_er": float(both[True].median()),
                "organic_median_er": float(both[False].median()),
                "ratio": float(np.median(r)),
            }
        )
    return pd.DataFrame(rows)
