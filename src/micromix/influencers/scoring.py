"""Score creators: tier, engagement, authenticity, niche, cost — one row per creator.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.influencers.scoring import score_creators
>>> profiles = pd.DataFrame({"handle": ["@pawsome", "@bigstar"], "followers": [15_000, 2_500_000],
...                          "following": [600, 300], "posts": [800, 2000], "category": ["pet", "fashion"]})
>>> posts = pd.DataFrame({"handle": ["@pawsome"] * 3, "likes": [700, 900, 800], "comments": [40, 60, 50]})
>>> out = score_creators(profiles, posts)
>>> out[["handle", "tier", "niche"]].values.tolist()
[['@pawsome', 'micro', 'pet'], ['@bigstar', 'mega', 'fashion']]
>>> round(float(out.loc[0, "engagement_rate"]), 4)
0.0567
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from micromix.errors import DataValidationError
from micromix.influencers.authenticity import (
    WHAT_IT_DETECTS,
    FakeFollowerModel,
    score_fake_followers,
)
from micromix.influencers.columns import PROFILE_ALIASES, canonical_profiles
from micromix.influencers.cost import (
    DEFAULT_COST_ASSUMPTIONS,
    CostAssumptions,
    earned_media_value,
    estimate_rate,
)
from micromix.influencers.engagement import EngagementSpec, creator_engagement
from micromix.influencers.niche import category_niches, niche_profile
from micromix.influencers.shrinkage import DEFAULT_POST_CV, DEFAULT_SPREAD, shrink_engagement
from micromix.influencers.tiers import TierScheme, assign_tiers, get_tier_scheme
from micromix.ingest.ads_exports import TOTAL_LABEL
from micromix.social.columns import canonical_posts, identifier_column, normalize_name

__all__ = ["CONTRACT_COLUMNS", "creator_keys", "join_key", "score_creators"]

#: columns every score output carries (after the identifying column)
CONTRACT_COLUMNS: tuple[str, ...] = (
    "tier",
    "engagement_rate",
    "fake_probability",
    "authenticity",
    "niche",
    "est_cost_per_post",
    "cost_per_engagement",
)


def join_key(s: pd.Series) -> pd.Series:
    """Normalise handles for joining posts to profiles: strip, lower-case, drop a leading ``@``."""
    return s.astype("string").str.strip().str.lower().str.lstrip("@")


def _niches_of_category(category: pd.Series) -> pd.Series:
    """:func:`category_niches` per distinct category value, broadcast to all rows, as
    ``"fashion|beauty"`` (main niche first; missing where no part maps)."""
    uniq = category.dropna().unique()
    lookup = {u: "|".join(category_niches(u)) or None for u in uniq}
    return category.map(lookup).astype("string")


def _normalized_authors(author: pd.Series) -> pd.Series:
    """:func:`join_key` applied to each distinct handle once, returned as a categorical."""
    codes, uniq = pd.factorize(author)
    norm = join_key(pd.Series(np.asarray(uniq, dtype=object), dtype="string"))
    ncodes, nuniq = pd.factorize(norm)
    full = np.full(len(codes), -1, dtype=np.int64)
    if len(ncodes):
        full = np.where(codes >= 0, ncodes[np.clip(codes, 0, None)], -1)
    cats = pd.Index(np.asarray(nuniq, dtype=object), dtype="string")
    return pd.Series(pd.Categorical.from_codes(full, categories=cats), index=author.index)


def _from_posts(
    prof: pd.DataFrame,
    posts: pd.DataFrame,
    key: pd.Series,
    followers: pd.Series,
    engagement: EngagementSpec | None,
    step: Callable[[str, float], None],
    source: str = "posts",
) -> tuple[pd.Series, dict[str, pd.Series], pd.Series, pd.Series]:
    """Engagement from the creators' posts, and the niche of their captions where the profile
    states no category: (engagement rate, other engagement columns, niche, concentration)."""
    niche_from_text = pd.Series(pd.NA, index=prof.index, dtype="string")
    conc = pd.Series(np.nan, index=prof.index, dtype=float)
    p = canonical_posts(posts, source=source)
    if "author_id" in p.columns:
        p["author_id"] = _normalized_authors(p["author_id"])
    fol_map = pd.Series(followers.to_numpy(dtype=float), index=key.to_numpy())
    eng = creator_engagement(p, fol_map, spec=engagement, canonical=True)
    pos = eng.index.get_indexer(key.astype("string"))

    def lookup(c: str) -> pd.Series:
        vals = np.append(eng[c].to_numpy(dtype=float, na_value=np.nan), np.nan)
        return pd.Series(vals[pos], index=prof.index)

    er = lookup("engagement_rate_median")
    extra = {
        "engagement_rate_mean": lookup("engagement_rate_mean"),
        "view_engagement_rate": lookup("view_engagement_rate_median"),
        "er_sponsored": lookup("er_sponsored_median"),
        "er_organic": lookup("er_organic_median"),
        "sponsored_share": lookup("sponsored_share"),
        "n_posts_used": lookup("n_posts"),
        "median_views": lookup("median_views"),
        "engagement_rate_var": lookup("engagement_rate_var"),
    }
    if "text" in p.columns:
        step("niche", 0.5)
        have_cat = (
            _niches_of_category(prof["category"]).notna()
            if "category" in prof.columns
            else pd.Series(False, index=prof.index)
        )
        need = set(key[~have_cat].dropna())
        sub = p[p["author_id"].isin(need)]
        if len(sub):
            npf = niche_profile(sub)
            niche_from_text = key.map(npf["niche"]).astype("string")
            conc = key.map(npf["niche_concentration"]).astype(float)
    return er, extra, niche_from_text, conc


def _stated_engagement(prof: pd.DataFrame, followers: pd.Series, er: pd.Series) -> pd.Series:
    """Fill gaps from a stated engagement rate, then from profile-level average likes (and
    comments), then from average engagements per post."""
    if "engagement_rate_input" in prof.columns:
        er = er.fillna(prof["engagement_rate_input"])
    per_follower = followers.where(followers > 0)
    if {"avg_likes", "followers"} <= set(prof.columns):
        avg = prof["avg_likes"] + (
            prof["avg_comments"].fillna(0.0) if "avg_comments" in prof.columns else 0.0
        )
        er = er.fillna(avg / per_follower)
    if {"avg_engagements", "followers"} <= set(prof.columns):
        er = er.fillna(prof["avg_engagements"] / per_follower)
    return er


def score_creators(
    profiles: pd.DataFrame,
    posts: pd.DataFrame | None = None,
    *,
    scheme: TierScheme | str | None = None,
    engagement: EngagementSpec | None = None,
    assumptions: CostAssumptions | None = None,
    model: FakeFollowerModel | None = None,
    progress: Callable[[str, float], None] | None = None,
    source: str = "profiles",
    posts_source: str = "posts",
) -> pd.DataFrame:
    """Score every creator in ``profiles`` (optionally with their ``posts``).

    Parameters
    ----------
    profiles : DataFrame
        One row per creator; column names matched case-insensitively with common aliases
        (see :data:`micromix.influencers.columns.PROFILE_ALIASES`).
    posts : DataFrame, optional
        Posts with an author column matching the profiles' identifier, and likes/comments.
    scheme, engagement, assumptions, model
        Tier scheme, engagement settings, cost assumptions and fake-follower model (defaults:
        the default tiers, last 12 posts, :data:`DEFAULT_COST_ASSUMPTIONS`, the shipped model).
    source, posts_source : str
        Where ``profiles`` and ``posts`` came from (file names), for error messages and notes.

    Returns
    -------
    DataFrame
        The input's identifying column (or ``creator_id``), then :data:`CONTRACT_COLUMNS`, then
        ``followers, platform, country, engagement_rate_mean, view_engagement_rate,
        er_sponsored, er_organic, sponsored_share, niche_concentration, expected_engagements,
        emv_per_post, n_posts_used, declared_niches``; with posts also
        ``engagement_rate_shrunk, engagement_rate_lo, engagement_rate_hi`` (the empirical-Bayes
        rate towards the tier's and its 90% interval, :mod:`~micromix.influencers.shrinkage`;
        ``n_posts_used`` is the number of posts behind the rate), with the prior per tier in
        ``attrs["engagement_prior"]``; then the input columns micromix does not read (a label,
        a rank ...), unchanged (``input_``-prefixed where the name is taken).
        ``fake_probability`` / ``authenticity`` are empty where the follower or following count
        is missing (:func:`~micromix.influencers.authenticity.score_fake_followers`).  ``niche`` is the main niche (of the
        first part of a category such as "Fashion|Modeling|Beauty" that maps to one, else of
        the posts); ``declared_niches`` lists every niche the category names ("fashion|beauty").  Cells are empty (NaN) where an input is missing; the
        frame's ``attrs["notes"]`` says so when creators have no follower count (no tier,
        cost or reach) and when a country such as "All" is read as no country.

    Raises
    ------
    DataValidationError
        A numeric profile cell that is not a number, a negative count, or no creator field.
    """
    step = progress or (lambda s, f: None)
    sch = get_tier_scheme(scheme)
    cost_a = assumptions or DEFAULT_COST_ASSUMPTIONS
    id_col = identifier_column(profiles) or "creator_id"
    prof = canonical_profiles(profiles, source=source).reset_index(drop=True)
    _require_creator_fields(prof, profiles, source)
    prof, profiles, total_note = _set_aside_total_rows(prof, profiles, source)
    key = join_key(prof["creator_id"])
    followers = (
        prof["followers"] if "followers" in prof.columns else pd.Series(np.nan, index=prof.index)
    )
    step("tiers", 0.1)
    out = pd.DataFrame(
        {id_col: prof["creator_id"] if id_col == "creator_id" else profiles[id_col].to_numpy()}
    )
    out["tier"] = assign_tiers(followers, sch)

    er = pd.Series(np.nan, index=prof.index, dtype=float)
    extra: dict[str, pd.Series] = {}
    niche_from_text = pd.Series(pd.NA, index=prof.index, dtype="string")
    conc = pd.Series(np.nan, index=prof.index, dtype=float)
    if posts is not None:
        step("engagement", 0.2)
        er, extra, niche_from_text, conc = _from_posts(
            prof, posts, key, followers, engagement, step, posts_source
        )
    er = _stated_engagement(prof, followers, er)
    out["engagement_rate"] = er.to_numpy()

    step("authenticity", 0.7)
    fp, auth_notes = score_fake_followers(prof, model, source=source)
    out["fake_probability"] = fp
    out["authenticity"] = 1.0 - fp

    declared = (
        _niches_of_category(prof["category"])
        if "category" in prof.columns
        else pd.Series(pd.NA, index=prof.index, dtype="string")
    )
    out["niche"] = declared.str.split("|").str[0].fillna(niche_from_text).to_numpy()

    step("cost", 0.85)
    _add_cost_and_value(out, prof, followers, er, extra, conc, cost_a, sch)
    out["declared_niches"] = declared.to_numpy()
    prior = _shrink(out, extra)
    out = out.drop(columns=[c for c in ("median_views", "engagement_rate_var") if c in out.columns])
    kept = _keep_input_columns(out, profiles, id_col)
    notes = [
        total_note,
        _no_followers_note(prof, followers, source),
        _duplicate_note(prof, key, source),
        _country_scope_note(prof, source),
        *prof.attrs.get("notes", []),
        *auth_notes,
        _label_note(kept, source),
        _default_spread_note(prior, posts_source),
    ]
    out.attrs["source"] = source
    if prior is not None:
        out.attrs["engagement_prior"] = prior
    if any(notes):
        out.attrs["notes"] = [n for n in notes if n]
    step("done", 1.0)
    return out


def _shrink(out: pd.DataFrame, extra: dict[str, pd.Series]) -> list[dict[str, object]] | None:
    """Add ``engagement_rate_shrunk, engagement_rate_lo, engagement_rate_hi`` (the empirical-Bayes
    rate of :mod:`~micromix.influencers.shrinkage`, towards the tier's rate) where the rate
    comes from posts; returns the prior per tier (None without posts).

    What is shrunk is ``engagement_rate``, the median per-post rate shown and ranked, not the
    mean: one viral post among ten must not lift a creator above steadier ones.  The median is
    put on the true median's scale first (the mean of one or two right-skewed posts runs ~15%
    above it), so thin-post creators get no edge over well-sampled ones."""
    if "n_posts_used" not in extra:
        return None
    from_posts = out["engagement_rate_mean"].notna()  # not a stated rate filling a gap
    res, prior = shrink_engagement(
        out["engagement_rate"].where(from_posts),
        out["n_posts_used"],
        out["engagement_rate_var"],
        out["followers"],
        out["tier"],
        statistic="median",
        rate_mean=out["engagement_rate_mean"],
    )
    for c in res.columns:
        out[c] = res[c].to_numpy()
    return [
        {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
        for r in prior.to_dict(orient="records")
    ]


def _default_spread_note(prior: list[dict[str, object]] | None, posts_source: str) -> str | None:
    """Say when no creator has 2+ posts, so the shrinkage assumed how much posts vary."""
    if not prior or not any(p["exposures_from"] == DEFAULT_SPREAD for p in prior):
        return None
    return (
        f"{posts_source}: no creator has 2 or more posts, so how much a creator's posts vary "
        f"cannot be measured; the shrunk engagement rates assume posts vary by "
        f"{DEFAULT_POST_CV:.0%} around the creator's rate (a conservative default), so a "
        "one-post rate is pulled well towards its tier's; pass more posts per creator to "
        "measure it"
    )


def _known_input(name: object) -> bool:
    """Whether an input column is one micromix reads as a profile field."""
    norm = normalize_name(name)
    return any(norm == normalize_name(a) for f, al in PROFILE_ALIASES.items() for a in (f, *al))


def _keep_input_columns(out: pd.DataFrame, profiles: pd.DataFrame, id_col: str) -> list[str]:
    """Append the input columns micromix does not read (a label, a rank...) unchanged, prefixed
    ``input_`` where the name is taken by an output column; returns their output names."""
    kept = []
    for c in profiles.columns:
        if c == id_col or _known_input(c) or normalize_name(c) == "":
            continue
        name = str(c) if str(c) not in out.columns else f"input_{c}"
        if name in out.columns:
            continue
        out[name] = profiles[c].to_numpy()
        kept.append(name)
    return kept


#: input column names that hold a label of the account (fake, spam, bot...)
_LABEL_NAMES = ("fake", "label", "labels", "is_fake", "class", "target", "account_type")


def _label_note(kept: list[str], source: str) -> str | None:
    """Say what ``fake_probability`` detects when the input carries its own account label."""
    labels = [c for c in kept if normalize_name(c.removeprefix("input_")) in _LABEL_NAMES]
    if not labels:
        return None
    return (
        f"{source}: the input's label column{'s' if len(labels) > 1 else ''} "
        f"{', '.join(repr(c) for c in labels)} {'are' if len(labels) > 1 else 'is'} kept as "
        f"given; fake_probability is {WHAT_IT_DETECTS}, so it does not predict other labels "
        "such as spam, scam or bot accounts"
    )


def _no_followers_note(prof: pd.DataFrame, followers: pd.Series, source: str) -> str | None:
    """One sentence on the creators left without a tier for want of a follower count."""
    missing = followers.isna().to_numpy()
    if not missing.any():
        return None
    n, k = len(followers), int(missing.sum())
    empty = (
        "tier and reach" if "rate_per_post" in prof.columns else "tier, reach and estimated cost"
    )
    if "followers" not in prof.columns:
        return (
            f"{source}: no follower column (followers, follower_count, #Followers ...), so "
            f"{empty} are left empty for every creator; add one to score them"
        )
    return (
        f"{source}: {k:,} of {n:,} creator{'s' if n != 1 else ''} "
        f"{'has' if k == 1 else 'have'} no follower count (first: row "
        f"{int(np.flatnonzero(missing)[0]) + 1}), so {empty} are left empty there; fill in "
        "the followers column to score them"
    )


def _set_aside_total_rows(
    prof: pd.DataFrame, profiles: pd.DataFrame, source: str
) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    """Leave out a spreadsheet's total row: handle "Total" / "Grand total" and a follower count
    that is the other rows' sum (within 1%), which would otherwise be scored as one mega
    creator.  A creator who is really called "total" has fewer followers than the whole list."""
    if "followers" not in prof.columns or len(prof) < 3:
        return prof, profiles, None
    label = prof["creator_id"].astype("string").str.strip().str.lstrip("@")
    named = label.str.match(TOTAL_LABEL).fillna(False).astype(bool).to_numpy()
    if not named.any():
        return prof, profiles, None
    fol = prof["followers"].to_numpy(dtype=float)
    rest = float(np.nansum(fol[~named]))
    total = named & (np.abs(fol - rest) <= 0.01 * rest) & (rest > 0)
    if not total.any():
        return prof, profiles, None
    rows = ", ".join(f"{i + 1} '{prof['creator_id'].iloc[i]}'" for i in np.flatnonzero(total))
    note = (
        f"{source}: row {rows} is the list's total ({fol[total][0]:,.0f} followers, the sum of "
        "the other rows), not a creator, so it is left out of the scores"
    )
    keep = ~total
    return (
        prof[keep].reset_index(drop=True),
        profiles[keep].reset_index(drop=True),
        note,
    )


def creator_keys(handles: pd.Series, platform: pd.Series | None = None) -> pd.Series:
    """One key per creator: the :func:`join_key` of its handle, on its platform where the data
    names one (the same handle on Instagram and TikTok is two accounts)."""
    key = join_key(handles)
    if platform is None:
        return key
    return key + "|" + platform.astype("string").str.strip().str.lower().fillna("")


def _duplicate_note(prof: pd.DataFrame, key: pd.Series, source: str) -> str | None:
    """One sentence on rows that name a creator an earlier row already names."""
    keys = creator_keys(key, prof["platform"] if "platform" in prof.columns else None)
    repeat = (keys.duplicated(keep="first") & keys.notna()).to_numpy()
    if not repeat.any():
        return None
    i = int(np.flatnonzero(repeat)[0])
    j = int(np.flatnonzero((keys == keys.iloc[i]).fillna(False).to_numpy())[0])
    k = int(repeat.sum())
    return (
        f"{source}: {k:,} row{'s' if k != 1 else ''} name{'s' if k == 1 else ''} a creator an "
        f"earlier row names too (same handle ignoring @ and case; first: row {i + 1} "
        f"'{prof['creator_id'].iloc[i]}' repeats row {j + 1} '{prof['creator_id'].iloc[j]}'); "
        "every row is scored, but discover picks a creator once, on its best-ranked row - "
        "remove the repeats or check which row is right"
    )


def _country_scope_note(prof: pd.DataFrame, source: str) -> str | None:
    """One sentence on country cells read as no country ("All": a ranking's scope)."""
    scope = prof.attrs.get("country_scope")
    if not scope:
        return None
    k, n = scope["rows"], len(prof)
    said = ", ".join(f"'{v}'" for v in scope["values"])
    return (
        f"{source}: the country of {k:,} of {n:,} creator{'s' if n != 1 else ''} is {said}, "
        "a list's scope rather than a country, so it is left empty (a --country brief will "
        "not pick them)"
    )


def _require_creator_fields(prof: pd.DataFrame, profiles: pd.DataFrame, source: str) -> None:
    """Refuse profiles in which no creator field was recognised (naming the columns found)."""
    known = {"followers", "following", "posts", "engagement_rate_input", "avg_likes", "category"}
    if not known & set(prof.columns):
        raise DataValidationError(
            f"{source}: no creator fields recognised (looked for followers, following, posts, "
            "engagement_rate, avg_likes, category and their common spellings); columns found: "
            + ", ".join(map(str, profiles.columns[:20]))
        )


def _add_cost_and_value(
    out: pd.DataFrame,
    prof: pd.DataFrame,
    followers: pd.Series,
    er: pd.Series,
    extra: dict[str, pd.Series],
    conc: pd.Series,
    cost_a: CostAssumptions,
    sch: TierScheme,
) -> None:
    """Columns of ``out`` from the rate card and the reach: cost per post and per engagement,
    the profile columns carried through, expected engagements and earned media value."""
    platform = prof["platform"] if "platform" in prof.columns else None
    est = estimate_rate(followers, er, platform, assumptions=cost_a, scheme=sch)
    if "rate_per_post" in prof.columns:
        est = prof["rate_per_post"].fillna(pd.Series(est, index=prof.index)).to_numpy(dtype=float)
    out["est_cost_per_post"] = est
    exp_eng = (followers * er).where(followers.notna() & er.notna())
    out["cost_per_engagement"] = (
        pd.Series(est, index=prof.index) / exp_eng.where(exp_eng > 0)
    ).to_numpy()

    out["followers"] = followers.to_numpy(dtype=float)
    out["platform"] = platform.to_numpy() if platform is not None else pd.NA
    out["country"] = prof["country"].to_numpy() if "country" in prof.columns else pd.NA
    for k, v in extra.items():
        out[k] = v.to_numpy()
    out["niche_concentration"] = conc.to_numpy()
    out["expected_engagements"] = exp_eng.to_numpy()
    emv_in = pd.DataFrame({"followers": followers, "likes": exp_eng})
    if "median_views" in extra:
        emv_in["views"] = extra["median_views"]
    out["emv_per_post"] = (
        earned_media_value(emv_in, assumptions=cost_a).where(followers.notna()).to_numpy()
    )
