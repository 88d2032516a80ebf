"""Discovery: rank creators for a brief, pick a set within budget, compare micro vs macro.

Ranking value per creator (documented, all terms in [0, 1] except engagements):

``value = followers * rate * fit * authenticity`` and ``value_per_dollar = value /
est_cost_per_post``, where ``rate`` is the creator's empirical-Bayes engagement rate
(``engagement_rate_shrunk``, :mod:`~micromix.influencers.shrinkage`: the rate pulled towards its
tier's by as much as the posts behind it are few) where it comes from posts, else the stated
``engagement_rate``.  Creators below ``min_authenticity``, off-platform, off-country or with a
fit below ``min_fit`` are excluded; without a niche in the brief every creator fits.  A
creator whose authenticity is unknown (no following count to score it on) neither passes nor
fails ``min_authenticity`` silently: it is left out, and counted in the picks'
``attrs["unknown_authenticity"]`` sentence, unless the brief keeps such creators
(``keep_unknown_authenticity``: then ranked undiscounted, its reasons saying "authenticity
unknown").  The pick is greedy by ``value_per_dollar`` (one post each) until the budget is
spent; every row carries ``n_posts_used`` (the posts behind its rate), a ``reasons`` sentence
and a ``review`` note when its rate rests on fewer than ``min_posts`` posts.

The picks' total expected engagements come with an interval (:func:`pick_total`, in
``attrs["total"]``): each pick's rate is drawn from its posterior (the beta distribution with
its shrunk rate as mean and its 90% interval), the followers times the drawn rates summed per
draw, and the interval read off the sums - not the sum of the picks' low ends, which is far
less likely than 5%.  A rate stated in the profile (no posts) has no interval and counts as
exact; the total says how many did.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.influencers.discovery import Brief, discover
>>> scored = pd.DataFrame({"creator_id": ["a", "b", "c"], "tier": ["micro", "micro", "mega"],
...     "niche": ["pet", "pet", "pet"], "followers": [20_000, 50_000, 2e6],
...     "engagement_rate": [0.05, 0.02, 0.01], "authenticity": [0.95, 0.9, 0.97],
...     "est_cost_per_post": [200.0, 500.0, 15_000.0]})
>>> discover(scored, Brief(niche="pet", budget=1_000))["creator_id"].tolist()
['a', 'b']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from micromix.errors import ConfigError, DataValidationError
from micromix.influencers.hints import BRIEF_HINTS  # re-exported: its home before it moved
from micromix.influencers.niche import NICHES, brief_fit, canonical_niche
from micromix.influencers.scoring import creator_keys
from micromix.influencers.shrinkage import DEFAULT_MIN_POSTS

__all__ = [
    "BRIEF_HINTS",
    "DEFAULT_BRIEF_BUDGET",
    "DEFAULT_NICHE",
    "Brief",
    "brief_from_data",
    "compare_cohorts",
    "creator_report_tables",
    "discover",
    "niche_counts",
    "pick_total",
    "rank_creators",
    "spend_budget",
    "tier_summary",
    "unknown_authenticity_note",
    "why_none",
]


#: niche of a brief built from data whose creators carry no niche
DEFAULT_NICHE = "lifestyle"
#: budget of a brief built from data with no influencer spend
DEFAULT_BRIEF_BUDGET = 5_000.0


@dataclass(frozen=True)
class Brief:
    """What the brand is looking for.

    Parameters
    ----------
    niche : str or None
        One of :data:`micromix.influencers.niche.NICHES` (synonyms such as ``pets`` accepted);
        None ranks every creator whatever its niche.
    budget : float
        Total spend for one post per selected creator (> 0).
    platform, country : str, optional
        Keep only creators on this platform / in this country (when the data says).
    min_authenticity : float
        Exclude creators whose authenticity is below this (0-1).
    min_fit : float
        Exclude creators whose niche fit is below this (0-1).
    top : int
        Maximum rows returned.
    conversion_rate : float
        Expected conversions per engagement (for cohort comparison).
    min_posts : int
        Picks whose engagement rate rests on fewer posts get a ``review`` note.
    keep_unknown_authenticity : bool or None
        What becomes of creators whose authenticity is unknown (no following count to score
        it on); they are counted either way (``attrs["unknown_authenticity"]`` of the picks).
        False: left out. True: kept, ranked without an authenticity discount. None (default):
        left out when the data scores some creators' authenticity (the minimum can be
        checked, and these fail to show it), kept when it scores none (a ranking list with no
        following column: the minimum cannot be checked for anyone, and is not applied).
    """

    niche: str | None
    budget: float
    platform: str | None = None
    country: str | None = None
    min_authenticity: float = 0.5
    min_fit: float = 0.3
    top: int = 20
    conversion_rate: float = 0.01
    min_posts: int = DEFAULT_MIN_POSTS
    keep_unknown_authenticity: bool | None = None

    def __post_init__(self) -> None:
        if self.niche is not None and canonical_niche(self.niche) is None:
            raise ConfigError(f"niche '{self.niche}' is unknown; use one of {', '.join(NICHES)}")
        if not np.isfinite(self.budget) or self.budget <= 0:
            raise ConfigError(f"budget={self.budget!r} must be a positive amount")
        for name in ("min_authenticity", "min_fit", "conversion_rate"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ConfigError(f"{name}={v!r} must be between 0 and 1")
        if self.top < 1:
            raise ConfigError(f"top={self.top!r} must be >= 1")
        if self.min_posts < 1:
            raise ConfigError(f"min_posts={self.min_posts!r} must be >= 1")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict; ``Brief(**d)`` inverts it."""
        return asdict(self)


def _id_column(scored: pd.DataFrame) -> str:
    return str(scored.columns[0])


def _where_asked(df: pd.DataFrame, brief: Brief) -> list[tuple[str, pd.Series]]:
    """For the brief's platform and country (when given and the data has them): the field and
    which creators are on/in it."""
    out = []
    for field_ in ("platform", "country"):
        want = getattr(brief, field_)
        if want is not None and field_ in df.columns:
            have = df[field_].astype("string").str.lower()
            out.append((field_, (have == want.lower()).fillna(False).astype(bool)))
    return out


def rank_creators(scored: pd.DataFrame, brief: Brief) -> pd.DataFrame:
    """All eligible creators for ``brief`` ranked by value per dollar, with ``reasons``."""
    need = {"followers", "engagement_rate", "est_cost_per_post"}
    missing = need - set(scored.columns)
    if missing:
        raise DataValidationError(
            f"discovery needs scored creators with {sorted(missing)}; run score_creators first"
        )
    df = scored.copy()
    n = canonical_niche(brief.niche) if brief.niche is not None else None
    _require_niches(scored, n)
    df["fit"] = _fit(df, n)
    auth = df["authenticity"] if "authenticity" in df.columns else pd.Series(np.nan, index=df.index)
    keep = df["fit"].fillna(0.0) >= brief.min_fit
    keep &= df["engagement_rate"].notna() & df["est_cost_per_post"].gt(0) & df["followers"].notna()
    for _, on in _where_asked(df, brief):
        keep &= on
    unknown = keep & auth.isna()
    kept = _keeps_unknown(auth, brief)
    keep &= (auth >= brief.min_authenticity) | (auth.isna() & kept)
    df = df[keep.to_numpy()].copy()
    df.attrs["unknown_authenticity_count"] = int(unknown.sum())
    df.attrs["unknown_authenticity_kept"] = kept
    nan = pd.Series(np.nan, index=df.index, dtype=float)
    shrunk = df["engagement_rate_shrunk"] if "engagement_rate_shrunk" in df.columns else nan
    rate = shrunk.fillna(df["engagement_rate"])
    df["expected_engagements"] = df["followers"] * rate
    df["value"] = df["expected_engagements"] * df["fit"] * auth.reindex(df.index).fillna(1.0)
    df["value_per_dollar"] = df["value"] / df["est_cost_per_post"]
    df = df.sort_values("value_per_dollar", ascending=False, kind="stable")
    # a creator listed twice (@Pup_Pal and pup_pal) is ranked, and hired, once
    plat = df["platform"] if "platform" in df.columns else None
    keys = creator_keys(df[_id_column(scored)], plat)
    df = df[~(keys.duplicated(keep="first") & keys.notna()).to_numpy()]
    posts = df["n_posts_used"] if "n_posts_used" in df.columns else nan.reindex(df.index)
    df["review"] = [
        f"REVIEW: engagement rests on {int(k)} post{'s' if k != 1 else ''} "
        f"(fewer than {brief.min_posts})"
        if np.isfinite(k) and k < brief.min_posts
        else ""
        for k in posts.to_numpy(dtype=float, na_value=np.nan)
    ]
    lo = df.get("engagement_rate_lo", nan.reindex(df.index))
    hi = df.get("engagement_rate_hi", nan.reindex(df.index))
    df["reasons"] = [
        f"{'fits ' + repr(n) + f' ({fit:.0%})' if n else 'no niche asked'}; "
        f"{tier or 'unknown tier'} with {int(fol):,} followers; "
        + _engagement_words(er, k, sh, a, b)
        + f"; authenticity {'unknown' if not np.isfinite(au) else f'{au:.2f}'}; "
        f"est. ${cost:,.0f}/post, ${cost / max(ee, 1e-9):.2f} per expected engagement"
        + (f"; {rv}" if rv else "")
        for fit, tier, fol, er, k, sh, a, b, au, cost, ee, rv in zip(
            df["fit"],
            df.get("tier", pd.Series(None, index=df.index)),
            df["followers"],
            df["engagement_rate"],
            posts.reindex(df.index).to_numpy(dtype=float, na_value=np.nan),
            shrunk.reindex(df.index).to_numpy(dtype=float, na_value=np.nan),
            lo.to_numpy(dtype=float, na_value=np.nan),
            hi.to_numpy(dtype=float, na_value=np.nan),
            auth.reindex(df.index).to_numpy(dtype=float, na_value=np.nan),
            df["est_cost_per_post"],
            df["expected_engagements"],
            df["review"],
        )
    ]
    return df


def _keeps_unknown(auth: pd.Series, brief: Brief) -> bool:
    """Whether creators of unknown authenticity stay in (see :class:`Brief`)."""
    if brief.keep_unknown_authenticity is not None:
        return brief.keep_unknown_authenticity
    return not bool(auth.notna().any())


def _engagement_words(er: float, k: float, shrunk: float, lo: float, hi: float) -> str:
    """``engagement 31.12% on 1 post, 8.40% after shrinkage (90% interval 6.1%-11.2%)``."""
    if not np.isfinite(k):
        return f"engagement {er:.2%} (stated, no posts)"
    words = f"engagement {er:.2%} on {int(k)} post{'s' if k != 1 else ''}"
    if np.isfinite(shrunk):
        words += f", {shrunk:.2%} after shrinkage (90% interval {lo:.2%}-{hi:.2%})"
    return words


def _fit(df: pd.DataFrame, niche: str | None) -> pd.Series:
    """Fit of each creator to the brief's niche (1 for all when the brief names none)."""
    if niche is None:
        return pd.Series(1.0, index=df.index)
    if "niche" not in df.columns:
        return pd.Series(np.nan, index=df.index)
    return brief_fit(df, niche)


def _require_niches(scored: pd.DataFrame, niche: str | None) -> None:
    """Refuse a niche brief on creators none of whom has a niche, saying what to do."""
    if niche is None or len(scored) == 0:
        return
    if "niche" in scored.columns and scored["niche"].notna().any():
        return
    source = scored.attrs.get("source", "the profiles")
    raise DataValidationError(
        f"{source}: none of the {len(scored):,} creators has a niche - the file has no "
        "category/niche column (category, niche, topic, genre ...) and no posts with captions "
        f"to read one from - so none can fit '{niche}'; {BRIEF_HINTS['any_niche']}, add a "
        f"category column, or {BRIEF_HINTS['posts']}"
    )


def _greedy(df: pd.DataFrame, budget: float) -> pd.DataFrame:
    cost = df["est_cost_per_post"].to_numpy(dtype=float)
    take = np.zeros(len(df), dtype=bool)
    left = budget
    for i, c in enumerate(cost):
        if c <= left:
            take[i] = True
            left -= c
    return df[take]


def discover(scored: pd.DataFrame, brief: Brief) -> pd.DataFrame:
    """Creators to hire for ``brief``: greedy pick by value per dollar within the budget.

    Returns at most ``brief.top`` rows with ``cumulative_cost`` and ``reasons``.
    """
    ranked = rank_creators(scored, brief)
    picked = _greedy(ranked, brief.budget).head(brief.top).copy()
    picked["cumulative_cost"] = picked["est_cost_per_post"].cumsum()
    cols = [_id_column(scored)] + [
        c
        for c in (
            "tier",
            "niche",
            "platform",
            "country",
            "followers",
            "n_posts_used",
            "engagement_rate",
            "engagement_rate_shrunk",
            "engagement_rate_lo",
            "engagement_rate_hi",
            "authenticity",
            "fit",
            "est_cost_per_post",
            "expected_engagements",
            "value_per_dollar",
            "cumulative_cost",
            "review",
            "reasons",
        )
        if c in picked.columns
    ]
    out = picked[cols].reset_index(drop=True)
    if out.empty:
        out.attrs["note"] = why_none(scored, brief, ranked)
    out.attrs["total"] = pick_total(out)
    unknown = unknown_authenticity_note(
        ranked.attrs.get("unknown_authenticity_count", 0),
        brief,
        kept=bool(ranked.attrs.get("unknown_authenticity_kept")),
    )
    if unknown:
        out.attrs["unknown_authenticity"] = unknown
    return out


def unknown_authenticity_note(count: int, brief: Brief, *, kept: bool) -> str:
    """What became of the ``count`` creators who fit ``brief`` but whose authenticity is unknown
    (no following count to score it on): ``kept`` or left out; empty when there are none."""
    if not count:
        return ""
    many = count != 1
    who = (
        f"{count:,} creator{'s' if many else ''} fitting the brief ha{'ve' if many else 's'} "
        "no authenticity score (no following count to score it on)"
    )
    if kept and brief.keep_unknown_authenticity:
        return f"{who}: kept as asked, ranked without an authenticity discount; check them"
    if kept:
        return (
            f"{who}: kept, as no creator in the data has one - the minimum authenticity of "
            f"{brief.min_authenticity:g} was not applied; add a following column to check it"
        )
    return (
        f"{who}: left out, as they cannot be shown to reach {brief.min_authenticity:g}; "
        f"add a following column, or {BRIEF_HINTS['unknown_authenticity']}"
    )


def _beta_of(mean: float, lo: float, hi: float, level: float) -> tuple[float, float] | None:
    """The beta distribution with ``mean`` whose central ``level`` interval is ``lo``-``hi``
    (the shrunk rate and its interval, :mod:`~micromix.influencers.shrinkage`), or None."""
    if not (0 < lo <= mean <= hi < 1) or hi - lo <= 0:
        return None
    q = ((1 - level) / 2, (1 + level) / 2)

    def gap(log_k: float) -> float:
        k = float(np.exp(log_k))
        a, b = stats.beta.ppf(q, mean * k, (1 - mean) * k)
        return float(b - a) - (hi - lo)

    # the width shrinks as the beta grows concentrated; below a strength of about 1 it is
    # U-shaped and the width is no guide: from the concentrated end, the first grid point
    # whose interval is wider than asked brackets the strength
    grid = np.linspace(np.log(1e12), np.log(1e-2), 57)
    wide = next((i for i, g in enumerate(grid) if gap(g) > 0), None)
    if not wide:  # no point, or the most concentrated one is wider: no beta's interval
        return None
    log_k = optimize.brentq(gap, grid[wide], grid[wide - 1], xtol=1e-12)
    k = float(np.exp(log_k))
    return mean * k, (1 - mean) * k


def pick_total(
    picked: pd.DataFrame, *, level: float = 0.9, draws: int = 4_000, seed: int = 0
) -> dict[str, float | int]:
    """The picks' total expected engagements with its central ``level`` interval.

    Each pick's rate with an interval (``engagement_rate_shrunk`` between
    ``engagement_rate_lo`` and ``engagement_rate_hi``, a 90% posterior interval) is drawn
    ``draws`` times from that beta posterior, independently across creators; a draw's total is
    the sum of followers times rate, and the interval is read off the totals (the seed makes
    it repeatable). A stated rate (no posts) counts as exact: ``stated`` says how many.

    >>> picks = pd.DataFrame({"followers": [10_000.0, 20_000.0],
    ...     "engagement_rate": [0.05, 0.03], "expected_engagements": [500.0, 600.0]})
    >>> pick_total(picks)["expected_engagements"], pick_total(picks)["stated"]
    (1100.0, 2)
    """
    total = float(picked["expected_engagements"].sum()) if len(picked) else 0.0
    out: dict[str, float | int] = {
        "expected_engagements": total,
        "lo": total,
        "hi": total,
        "level": level,
        "creators": len(picked),
        "stated": 0,
    }
    if not len(picked):
        return out
    nan = pd.Series(np.nan, index=picked.index)
    cols = ("engagement_rate_shrunk", "engagement_rate_lo", "engagement_rate_hi")
    mean, lo, hi = (picked.get(c, nan).to_numpy(dtype=float, na_value=np.nan) for c in cols)
    followers = picked["followers"].to_numpy(dtype=float)
    fixed = picked["expected_engagements"].to_numpy(dtype=float).copy()
    rng = np.random.default_rng(seed)
    sums = np.zeros(draws)
    stated = 0
    for i in range(len(picked)):
        ab = _beta_of(mean[i], lo[i], hi[i], 0.9) if np.isfinite(mean[i]) else None
        if ab is None:
            stated += 1
            sums += fixed[i]
            continue
        sums += followers[i] * rng.beta(ab[0], ab[1], size=draws)
    q = np.quantile(sums, [(1 - level) / 2, (1 + level) / 2])
    out.update(lo=float(q[0]), hi=float(q[1]), stated=stated)
    return out


def why_none(scored: pd.DataFrame, brief: Brief, ranked: pd.DataFrame | None = None) -> str:
    """One sentence on why no creator fits ``brief``: how many each filter removed (a creator
    may fail several), most first, each with what to do."""
    if len(scored) == 0:
        return "no creators in the input; give a file of creator profiles"
    ranked = rank_creators(scored, brief) if ranked is None else ranked
    if len(ranked):
        cheapest = float(ranked["est_cost_per_post"].min())
        k = len(ranked)
        return (
            f"{k:,} creator{'s' if k != 1 else ''} fit{'s' if k == 1 else ''} the brief but "
            f"the cheapest costs about US${cheapest:,.0f} a post, over the budget of "
            f"US${brief.budget:,.0f}; {BRIEF_HINTS['budget']}"
        )
    n = len(scored)
    df = scored
    nan = pd.Series(np.nan, index=df.index, dtype=float)
    followers = df["followers"]
    er = df["engagement_rate"]
    cost = df["est_cost_per_post"]
    auth = df["authenticity"] if "authenticity" in df.columns else nan
    niche = canonical_niche(brief.niche) if brief.niche is not None else None
    fit = _fit(df, niche)
    counts = [
        (
            followers.isna(),
            "no follower count",
            "fill in the followers column",
        ),
        (
            er.isna(),
            "no engagement rate",
            f"the profiles carry no likes or comments; {BRIEF_HINTS['posts']}, or an "
            "engagement_rate or avg_likes column",
        ),
        (
            followers.notna() & ~cost.gt(0),
            "a price per post of 0 or less",
            "fix their rate_per_post",
        ),
        (fit.isna(), "no niche", f"add a category column or {BRIEF_HINTS['posts']}"),
        (
            fit.notna() & (fit < brief.min_fit),
            f"a fit to the '{niche}' niche below {brief.min_fit:.0%}",
            f"their category or posts are about another niche; {BRIEF_HINTS['niche']}",
        ),
        (
            auth.notna() & (auth < brief.min_authenticity),
            f"an authenticity below {brief.min_authenticity:g}",
            BRIEF_HINTS["min_authenticity"],
        ),
        (
            auth.isna() & followers.notna() & (not _keeps_unknown(auth, brief)),
            "no authenticity score (no following count to score it on)",
            f"add a following column, or {BRIEF_HINTS['unknown_authenticity']}",
        ),
    ]
    for field_, on in _where_asked(df, brief):
        want = getattr(brief, field_)
        counts.append((~on, f"no {field_} or one other than '{want}'", BRIEF_HINTS[field_]))
    reasons = sorted(
        ((int(mask.sum()), what, hint) for mask, what, hint in counts if mask.any()),
        key=lambda r: -r[0],
    )
    head = f"0 of {n:,} creator{'s' if n != 1 else ''} fit{'s' if n == 1 else ''} the brief"
    if not reasons:
        return head
    return f"{head}: " + "; ".join(
        f"{k:,} {'has' if k == 1 else 'have'} {what} ({hint})" for k, what, hint in reasons
    )


def compare_cohorts(
    scored: pd.DataFrame, brief: Brief, *, boundary: float = 100_000.0
) -> pd.DataFrame:
    """Spend the whole budget on micro (< ``boundary`` followers) vs macro creators.

    For each cohort the same greedy pick is made; returns creators, reach (followers),
    expected engagements, spend, cost per engagement and expected conversions
    (``engagements * brief.conversion_rate``). ``attrs["note"]`` says why a cohort hires no one.

    Each cohort's expected engagements carry the 90% interval of :func:`pick_total` (its picks'
    rates drawn from their posteriors, the followers times the drawn rates summed per draw):
    ``expected_engagements_lo`` / ``_hi``, and the cost per engagement's from them
    (``cost_per_engagement_lo`` = spend / the engagements' high end, ``_hi`` = spend / the low
    end). ``stated_rates`` counts the picks whose rate is stated in the profile (no posts):
    taken as exact, so a cohort of only such picks has an interval of one point.
    """
    ranked = rank_creators(scored, brief)
    rows = []
    empty: list[str] = []  # why a cohort hires no one, said beside the table
    for name, mask in (
        (
            "micro (<100K)" if boundary == 100_000.0 else f"micro (<{boundary:,.0f})",
            ranked["followers"] < boundary,
        ),
        (
            "macro+ (>=100K)" if boundary == 100_000.0 else f"macro+ (>={boundary:,.0f})",
            ranked["followers"] >= boundary,
        ),
    ):
        pick = _greedy(ranked[mask.to_numpy()], brief.budget)
        spend = float(pick["est_cost_per_post"].sum())
        total = pick_total(pick)
        eng, lo, hi = (float(total[k]) for k in ("expected_engagements", "lo", "hi"))
        rows.append(
            {
                "cohort": name,
                "eligible": int(mask.sum()),
                "creators": len(pick),
                "reach": float(pick["followers"].sum()),
                "expected_engagements": eng,
                "expected_engagements_lo": lo,
                "expected_engagements_hi": hi,
                "stated_rates": int(total["stated"]),
                "spend": spend,
                "cost_per_engagement": spend / eng if eng > 0 else np.nan,
                "cost_per_engagement_lo": spend / hi if hi > 0 else np.nan,
                "cost_per_engagement_hi": spend / lo if lo > 0 else np.nan,
                "expected_conversions": eng * brief.conversion_rate,
                "cost_per_conversion": spend / (eng * brief.conversion_rate) if eng > 0 else np.nan,
                "median_engagement_rate": float(pick["engagement_rate"].median())
                if len(pick)
                else np.nan,
            }
        )
        if not len(pick):
            cohort = ranked[mask.to_numpy()]
            empty.append(
                f"no {name.split(' ')[0]} creator fits the brief"
                if cohort.empty
                else f"the cheapest {name.split(' ')[0]} creator costs about "
                f"US${float(cohort['est_cost_per_post'].min()):,.0f} a post, over the budget of "
                f"US${brief.budget:,.0f} (creator prices are estimated in US dollars)"
            )
    out = pd.DataFrame(rows)
    if empty:
        text = "; ".join(empty)
        out.attrs["note"] = text[0].upper() + text[1:] + "."
    return out


def tier_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Per tier: creators, median followers, engagement rate, authenticity, cost and CPE."""
    if "tier" not in scored.columns:
        raise DataValidationError("tier_summary needs scored creators with a 'tier' column")
    g = scored.groupby("tier", observed=True, sort=False)
    agg = {
        c: "median"
        for c in (
            "followers",
            "engagement_rate",
            "authenticity",
            "est_cost_per_post",
            "cost_per_engagement",
        )
        if c in scored.columns
    }
    out = g.agg(agg)
    out.insert(0, "creators", g.size())
    order = ["below_nano", "below_micro", "nano", "micro", "macro", "mega"]
    out = out.reindex(
        [t for t in order if t in out.index] + [t for t in out.index if t not in order]
    )
    return out.reset_index()


def creator_report_tables(scored: pd.DataFrame, brief: Brief) -> dict[str, pd.DataFrame]:
    """The creator tables the HTML report and strategy comparison show.

    Returns ``{"top_creators": discover(...), "micro_vs_macro": compare_cohorts(...),
    "tiers": tier_summary(...)}``.
    """
    return {
        "top_creators": discover(scored, brief),
        "micro_vs_macro": compare_cohorts(scored, brief),
        "tiers": tier_summary(scored),
    }


def niche_counts(scored: pd.DataFrame) -> pd.Series:
    """Creators per niche, counting a creator once for every niche a brief can match it on.

    A category naming several niches ("Music|Cinema", scored as ``declared_niches``
    ``music|...``) counts for each of them, as :func:`brief_fit` matches a brief on any of a
    creator's declared niches; a creator with no declared niche counts for its ``niche`` (read
    from its posts). Parts of a category that are no niche micromix knows ("Cinema",
    "Actors") count for none: no brief can ask for them. Most creators first; a tie goes to
    the niche more creators have as their main one, then to the order of :data:`NICHES`.

    >>> scored = pd.DataFrame({"niche": ["music", "sports", "sports", None],
    ...     "declared_niches": ["music", "sports|music", "sports", None]})
    >>> niche_counts(scored).to_dict()
    {'sports': 2, 'music': 2}
    """
    empty = pd.Series(dtype="int64", name="creators")
    if "niche" not in scored.columns and "declared_niches" not in scored.columns:
        return empty
    main = (
        scored["niche"].astype("string")
        if "niche" in scored.columns
        else pd.Series(pd.NA, index=scored.index, dtype="string")
    )
    declared = (
        scored["declared_niches"].astype("string")
        if "declared_niches" in scored.columns
        else pd.Series(pd.NA, index=scored.index, dtype="string")
    )
    each = declared.fillna(main).reset_index(drop=True).str.split("|").explode().str.strip()
    each = each[each.notna() & each.map(lambda v: pd.notna(v) and canonical_niche(v) == v)]
    if each.empty:
        return empty
    counts = each.groupby(level=0).unique().explode().value_counts()
    firsts = main.value_counts()
    order = {n: i for i, n in enumerate(NICHES)}
    ranked = sorted(
        counts.index, key=lambda n: (-counts[n], -int(firsts.get(n, 0)), order.get(n, len(order)))
    )
    return pd.Series([int(counts[n]) for n in ranked], index=ranked, name="creators")


def brief_from_data(
    scored: pd.DataFrame, influencer_spend: float | None = None, *, top: int = 10
) -> Brief:
    """A brief matching what the data shows: its most common niche, the influencer spend so far.

    The niche is the one most creators can be matched on (:func:`niche_counts`: a category
    naming several niches counts for each; :data:`DEFAULT_NICHE` when none has one); the budget
    is ``influencer_spend`` when positive, else :data:`DEFAULT_BRIEF_BUDGET`. Used by the report,
    the plan and ``POST /api/v1/creators/discover`` for creators "for a brief like yours".
    """
    counts = niche_counts(scored)
    niche = str(counts.index[0]) if len(counts) else DEFAULT_NICHE
    budget = spend_budget(influencer_spend)
    return Brief(niche=niche, budget=DEFAULT_BRIEF_BUDGET if budget is None else budget, top=top)


def spend_budget(influencer_spend: float | None) -> float | None:
    """The influencer spend as a brief's budget, or None where it cannot be one (unknown, not
    finite, zero): then :func:`brief_from_data` takes :data:`DEFAULT_BRIEF_BUDGET`, and callers
    say the budget is the default (never by comparing an amount with the default's)."""
    s = influencer_spend
    return float(s) if s is not None and np.isfinite(s) and s > 0 else None
