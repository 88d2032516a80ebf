"""User-generated content: separate owned / sponsored / genuine posts, score genuine posts for
amplification, and predict their paid performance if amplified.

Amplification score (0-1, weights overridable in :class:`AmplificationWeights`):

``score = 0.35 * engagement + 0.20 * sentiment + 0.20 * brand_fit + 0.15 * recency +
0.10 * rights`` where

* ``engagement = 1 - exp(-relative_engagement / 2)``, ``relative_engagement`` = the post's
  likes+comments+shares+saves over the author's own median (their baseline; 1.0 = typical for
  them); a post without an author has none (empty, never an invented author): it counts as 1.0
  in the score, gets no predicted CTR/CPA, and its reasons say so;
* ``sentiment = (sentiment_score + 1) / 2`` from :mod:`micromix.social.sentiment`;
* ``brand_fit`` = 1 for an explicit brand mention (name, handle, hashtag), 0.6 for a fuzzy one,
  0.3 otherwise;
* ``recency = 0.5 ** (age_days / half_life_days)``;
* ``rights`` = 1 when rights/permission are recorded, else 0 (and the reasons say to ask).

Predicted paid performance starts from a baseline: the brand's own ads (CTR, CPM, CVR from an
ads table, :func:`ad_baseline`) or, without one, typical paid-social figures (the default
benchmark of :class:`AdBaseline`: CTR 0.9%, CPM $8, CVR 2%, in US dollars), and scales CTR by ``lift = clip(sqrt(relative_engagement) * (1 + 0.2 *
sentiment_score), 0.5, 3)``: ``ctr = base_ctr * lift``, ``cpm = base_cpm``, ``cpc = cpm /
(1000 * ctr)``, ``cpa = cpc / base_cvr``.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.social.listening import BrandSpec
>>> from micromix.social.ugc import rank_for_amplification
>>> posts = pd.DataFrame({"username": ["ann", "ann", "bob", "pawco"],
...     "caption": ["my pup loves @pawco treats", "sunday walk", "#ad try @pawco", "new @pawco bowl"],
...     "likes": [300, 100, 50, 900], "comments": [20, 5, 2, 30]})
>>> ranked = rank_for_amplification(posts, BrandSpec("PawCo", handles=("pawco",)))
>>> ranked[["author_id", "source"]].values.tolist()
[['ann', 'genuine']]
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ColumnNotFoundError, ConfigError
from micromix.social.columns import canonical_posts, engagements_of, to_bool
from micromix.social.disclosure import sponsored_flags
from micromix.social.listening import BrandSpec, brand_pattern, detect_mentions
from micromix.social.organisations import BRAND_NAMED, organisation_authors
from micromix.social.sentiment import score_sentiment

__all__ = [
    "AMPLIFY_COLUMNS",
    "DEFAULT_BASELINE_NOTE",
    "PER_AUTHOR",
    "PER_AUTHOR_NOTE_END",
    "AdBaseline",
    "AmplificationWeights",
    "ad_baseline",
    "brand_focus",
    "classify_sources",
    "rank_for_amplification",
]


@dataclass(frozen=True)
class AmplificationWeights:
    """Weights of the amplification score (must be >= 0 and sum to 1)."""

    engagement: float = 0.35
    sentiment: float = 0.20
    brand_fit: float = 0.20
    recency: float = 0.15
    rights: float = 0.10
    half_life_days: float = 14.0

    def __post_init__(self) -> None:
        w = [self.engagement, self.sentiment, self.brand_fit, self.recency, self.rights]
        if min(w) < 0 or abs(sum(w) - 1.0) > 1e-6:
            raise ConfigError(f"amplification weights {w} must be >= 0 and sum to 1")
        if self.half_life_days <= 0:
            raise ConfigError(f"half_life_days={self.half_life_days!r} must be > 0")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict; ``AmplificationWeights(**d)`` inverts it."""
        return asdict(self)


@dataclass(frozen=True)
class AdBaseline:
    """The paid-social performance predictions start from: the brand's own ads
    (:func:`ad_baseline`) or, by default, typical paid-social figures in US dollars (a
    benchmark, not the brand's; :attr:`is_default` says which, and reasons word it so).

    ``cpm`` is in ``currency``; both are ``None`` when no CPM can be known (ads in several
    currencies: money is never added across currencies), and ``no_cost`` then says why in one
    sentence, which the reasons of every post repeat instead of a predicted CPA.

    >>> AdBaseline().is_default, AdBaseline(ctr=0.012, source="brand ads (3 rows)").is_default
    (True, False)
    """

    ctr: float = 0.009
    cpm: float | None = 8.0
    cvr: float = 0.02
    source: str = "defaults (CTR 0.9%, CPM $8, CVR 2%)"
    currency: str | None = "USD"
    no_cost: str = ""

    def __post_init__(self) -> None:
        for k in ("ctr", "cvr"):
            v = getattr(self, k)
            if not 0 < v <= 1:
                raise ConfigError(f"baseline {k}={v!r} must be in (0, 1]")
        if self.cpm is None:
            if not self.no_cost:
                raise ConfigError("a baseline without a CPM must say why (no_cost)")
        elif not self.cpm > 0:
            raise ConfigError(f"baseline cpm={self.cpm!r} must be > 0")

    @property
    def is_default(self) -> bool:
        """The built-in benchmark (no ad data of the brand's behind it)."""
        return self == AdBaseline()

    @property
    def label(self) -> str:
        """What the baseline CTR is compared as in reasons."""
        return "typical paid social (default benchmark)" if self.is_default else "brand ads"

    def money(self, amount: float) -> str:
        """An amount in the baseline's currency: ``US$37.56`` for the benchmark, ``$37.56``
        for US dollars, ``AUD 37.56`` for any other currency, ``37.56 (currency not stated)``
        for ads that state none."""
        if self.is_default:
            return f"US${amount:,.2f}"
        if self.currency == "":
            return f"{amount:,.2f} (currency not stated)"
        if self.currency in (None, "USD"):
            return f"${amount:,.2f}"
        return f"{self.currency} {amount:,.2f}"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return asdict(self)


#: said once (CLI note, ``attrs["notes"]``) when predictions start from the default benchmark
DEFAULT_BASELINE_NOTE = (
    "predicted CTR, CPC and CPA start from typical paid-social figures (default benchmark: CTR "
    "0.9%, CPM $8, CVR 2%, in US dollars), not the brand's own ads"
)

#: spellings of the fields :func:`ad_baseline` reads
_AD_FIELDS: dict[str, tuple[str, ...]] = {
    "impressions": ("impressions", "impr", "impression_count"),
    "clicks": ("clicks", "link_clicks", "click_count"),
    "spend": ("spend", "spent", "cost", "amount_spent"),
    "conversions": (
        "conversions",
        "total_conversion",
        "purchases",
        "results",
        "approved_conversion",
    ),
    "currency": ("currency", "currency_code", "account_currency"),
}


def _pooled(a: pd.DataFrame, num: str, den: str) -> tuple[float, float]:
    """Sums of ``num`` and ``den`` over the rows that report both (a row missing one of them
    would count in one sum and not the other)."""
    n = pd.to_numeric(a[num], errors="coerce").astype(float)
    d = pd.to_numeric(a[den], errors="coerce").astype(float)
    both = n.notna() & d.notna()
    return float(n[both].sum()), float(d[both].sum())


def ad_baseline(ads: pd.DataFrame, *, currency: str | None = None) -> AdBaseline:
    """Pooled CTR, CPM and CVR from an ads table (impressions, clicks, spend, conversions).

    Column names are matched case-insensitively (``Impressions``, ``Clicks``, ``Spent``,
    ``Total_Conversion``...). Each ratio pools the rows that report both its counts. Money is
    never added across currencies: with a ``currency`` column of several codes the CPM is that
    of ``currency`` (its rows alone make the baseline); without ``currency`` it is not
    known, and the baseline says so (CTR and CVR, counts, still pool every row). Ads that
    state no currency are in ``currency`` when given, else in a currency the baseline calls
    "not stated" (``currency=""``): no currency is assumed.

    Raises
    ------
    ColumnNotFoundError
        Without impressions, clicks or spend.
    ConfigError
        No impressions or clicks, or no rows in ``currency``.
    """
    from micromix.social.columns import canonicalize

    a = canonicalize(ads, _AD_FIELDS)
    need = ["impressions", "clicks", "spend"]
    miss = [c for c in need if c not in a.columns]
    if miss:
        raise ColumnNotFoundError(
            f"ads: column(s) {miss} not found; an ads export needs impressions, clicks and spend"
        )
    codes = (
        a["currency"].astype("string").str.strip().str.upper().fillna("")
        if "currency" in a.columns
        else pd.Series("", index=a.index, dtype="string")
    )
    found = sorted(set(codes) - {""})
    cur: str | None = currency.strip().upper() if currency else None
    if cur is not None and found:
        a = a[(codes == cur).to_numpy()]
        if a.empty:
            raise ConfigError(
                f"ads: no rows in {cur} (the ads are in {', '.join(found)}); give ads in {cur} "
                "or choose one of their currencies"
            )
    elif cur is None and len(found) <= 1:
        cur = found[0] if found else ""  # "": the ads state no currency (none is assumed)
    clk, imp = _pooled(a, "clicks", "impressions")
    if imp <= 0 or clk <= 0:
        raise ConfigError("ads: impressions and clicks must be positive to derive a baseline")
    conv, conv_clk = _pooled(a, "conversions", "clicks") if "conversions" in a else (0.0, 0.0)
    cvr = conv / conv_clk if conv > 0 and conv_clk > 0 else AdBaseline.cvr
    said = (
        f" in {cur}"
        if cur
        else " in a currency they do not state"
        if cur == ""
        else f" in {len(found)} currencies ({', '.join(found)})"
    )
    parts = [f"{len(a):,} rows{said}"]
    if conv <= 0:
        parts.append("no conversions: CVR is the default 2%")
    no_cost = ""
    cpm: float | None = None
    if cur is None:
        no_cost = (
            f"the brand's ads are in {len(found)} currencies ({', '.join(found)}) and money is "
            "never added across currencies"
        )
        parts.append("CTR and CVR pool them all; no CPM, as money is never added across them")
    else:
        sp, sp_imp = _pooled(a, "spend", "impressions")
        if sp > 0 and sp_imp > 0:
            cpm = 1000 * sp / sp_imp
        else:
            no_cost = "the brand's ads report no spend with their impressions"
            parts.append("no spend: no CPM")
    return AdBaseline(
        ctr=clk / imp,
        cpm=cpm,
        cvr=min(cvr, 1.0),
        source=f"brand ads ({'; '.join(parts)})",
        currency=cur if cpm is not None else None,
        no_cost=no_cost,
    )


def classify_sources(posts: pd.DataFrame, brand: BrandSpec) -> pd.Series:
    """``owned`` (posted by the brand's handles, an account named as the brand - ``zara_uk``,
    ``gymsharkofficial`` - or flagged ``is_brand_owned``), ``organisation`` (a shop, a
    retailer, a media outlet: :func:`~micromix.social.organisations.organisation_authors`),
    ``sponsored`` (disclosed or tagged paid) or ``genuine``.

    ``posts`` must be canonical (see :func:`~micromix.social.columns.canonical_posts`).
    """
    handles = {h.lower().lstrip("@") for h in (*brand.handles, brand.name.replace(" ", ""))}
    author = (
        posts["author_id"].astype("string").str.lower().str.lstrip("@")
        if "author_id" in posts.columns
        else None
    )
    out = pd.Series("genuine", index=posts.index, dtype="string")
    out[sponsored_flags(posts).to_numpy()] = "sponsored"
    # a retailer's or a media outlet's post is not user content; the brand's own account is owned
    org = organisation_authors(posts, brand)
    out[org.notna().to_numpy(dtype=bool)] = "organisation"
    out[org.eq(BRAND_NAMED).fillna(False).to_numpy(dtype=bool)] = "owned"
    if author is not None:
        out[author.isin(handles).fillna(False).to_numpy(dtype=bool)] = "owned"
    if "is_owned" in posts.columns:
        out[to_bool(posts["is_owned"]).fillna(0.0).to_numpy(dtype=float) > 0] = "owned"
    return out


#: columns of :func:`rank_for_amplification`
AMPLIFY_COLUMNS: tuple[str, ...] = (
    "post_id",
    "author_id",
    "source",
    "text",
    "relative_engagement",
    "sentiment",
    "sentiment_score",
    "brand_fit",
    "recency",
    "rights",
    "caveats",
    "amplification_score",
    "predicted_ctr",
    "predicted_cpm",
    "predicted_cpc",
    "predicted_cpa",
    "reasons",
)


#: picks per author by default: one author's many posts would fill the list (a creator's dump)
PER_AUTHOR = 3
#: how the note on posts the per-author cap left out ends
PER_AUTHOR_NOTE_END = ", so one author's many posts do not fill the list"
#: what a flag multiplies the amplification score by
FLAG_PENALTY = {"comparison": 0.6, "passing": 0.7, "hashtag bait": 0.8}

_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*", re.UNICODE)
_TAG_ONLY = re.compile(r"^(?:\s|[#@][\w.]+|[^\w\s])*$", re.UNICODE)
#: words right before a brand name that make it a point of comparison, not the subject
_COMPARISON = re.compile(
    r"(?:\(\s*after|\bafter|\bthan|\bunlike|\bvs\.?|\bversus|\bcompared (?:to|with)|"
    r"\binstead of|\brather than|\bother than|\bexcept(?: for)?|\bbehind|\bjust like|"
    r"\blooks like|\bsuch as|\bsimilar to|\bcheaper than|\bbetter than|\bworse than|"
    r"\boutperform(?:s|ed)?|\bbeat(?:s|ing)?)\s+(?:the\s+|@|#)?$",
    re.IGNORECASE,
)
#: words right before a brand name that put another brand above it ("BarkBox is way better
#: than PawCo", "beats @pawco"): a post saying so is no praise of the brand to amplify, however
#: warm its sentence reads
_OUTRANKED = re.compile(
    r"(?:\b(?:better|cheaper|nicer|superior|preferable|tastier|softer|comfier|stronger|faster)"
    r"\s+(?:than|to)|\boutperform(?:s|ed|ing)?|\bbeat(?:s|ing)?|\bblows\s+away|"
    r"\bprefer(?:red)?\s+(?:it|them|this|that|[@#]?[\w.&'-]+)\s+(?:to|over))\s+(?:the\s+|@|#)?$",
    re.IGNORECASE,
)
#: engagement-bait hashtags (like-for-like, follow-for-follow ...)
_BAIT = re.compile(
    r"#(?:(?:like|likes|follow|follows|comment|tag|share|spam|lik|fol)"
    r"(?:4|for|to|x)(?:like|likes|follow|follows|followers|comment|comments|tag|spam|lik|fol)\w*"
    r"|l4l|f4f|s4s|c4c|lfl|fff|followback|followbackalways|tagsforlikes|likeback|instalikes"
    r"|teamfollowback|gainpost|gaintrain)(?![\w])",
    re.IGNORECASE,
)
#: a text this long (words) that names the brand once, in a small part of it, is about
#: something else
_PASSING_WORDS = 60
_PASSING_SHARE = 0.25


def brand_focus(texts: pd.Series, brand: BrandSpec) -> pd.DataFrame:
    """How each text speaks of ``brand``: the text its sentiment is read from and its flags.

    ``directed``: the sentences that name the brand (with words besides tags), else the whole
    text (a brand named only in a tag line is what the post shows); ``comparison``: every
    mention is a point of comparison ("(after Zara)", "cheaper than Zara"); ``outranked``: a
    mention puts another brand above it ("way better than Zara", "beats @zara"); ``passing``: one
    mention, a plain word (not a tag or handle crediting the product) outside the first
    sentence, in a long text (60+ words) of which the sentences naming the brand are under a
    quarter; ``bait``: like-for-like / follow-for-follow hashtags.

    >>> f = brand_focus(pd.Series(["H&M is the biggest producer (after Zara). Love it!"]),
    ...                 BrandSpec("Zara"))
    >>> f[["directed", "comparison", "passing", "bait"]].values.tolist()
    [['H&M is the biggest producer (after Zara).', True, False, False]]
    """
    pat = brand_pattern(brand)
    rows = []
    for raw in texts.astype("string").fillna(""):
        text = str(raw)
        hits = list(pat.finditer(text))
        sentences = [m for m in _SENTENCE.finditer(text) if m.group().strip()]
        naming = [
            m.group().strip()
            for m in sentences
            if any(m.start() <= h.start() < m.end() for h in hits)
        ]
        worded = [t for t in naming if not _TAG_ONLY.match(pat.sub("", t))]
        words = len(text.split())
        named_words = sum(len(t.split()) for t in naming)
        rows.append(
            {
                "directed": " ".join(worded) if worded else text,
                "comparison": bool(hits)
                and all(_COMPARISON.search(text[max(0, h.start() - 25) : h.start()]) for h in hits),
                "outranked": any(
                    _OUTRANKED.search(text[max(0, h.start() - 30) : h.start()]) for h in hits
                ),
                "passing": len(hits) == 1
                and hits[0].group()[:1] not in "@#"
                and not (sentences and sentences[0].start() <= hits[0].start() < sentences[0].end())
                and words >= _PASSING_WORDS
                and named_words <= _PASSING_SHARE * words,
                "bait": bool(_BAIT.search(text)),
            }
        )
    return pd.DataFrame(rows, index=texts.index)


def _amplification_scores(
    g: pd.DataFrame, w: AmplificationWeights, base: AdBaseline, now: pd.Timestamp | None
) -> pd.DataFrame:
    """Sentiment, recency, rights, the weighted score and predicted paid performance."""
    s = score_sentiment(g["_directed"])
    g["sentiment"], g["sentiment_score"] = (
        s["sentiment"].to_numpy(),
        s["sentiment_score"].to_numpy(),
    )
    if "ts" in g.columns and g["ts"].notna().any():
        ref = now if now is not None else g["ts"].max()
        ref = (
            pd.Timestamp(ref).tz_localize("UTC")
            if pd.Timestamp(ref).tzinfo is None
            else pd.Timestamp(ref)
        )
        age = ((ref - g["ts"]).dt.total_seconds() / 86400.0).clip(lower=0)
        g["recency"] = (0.5 ** (age / w.half_life_days)).fillna(0.5)
    else:
        g["recency"] = 0.5
    g["rights"] = to_bool(g["rights_granted"]).fillna(0.0) if "rights_granted" in g.columns else 0.0
    # a post without an author counts as typical for its author (1.0x) in the score, as a post
    # without a time gets the middle recency; its reasons say so and it gets no prediction
    eng = 1.0 - np.exp(-g["relative_engagement"].fillna(1.0) / 2.0)
    g["amplification_score"] = (
        w.engagement * eng
        + w.sentiment * (g["sentiment_score"] + 1) / 2
        + w.brand_fit * g["brand_fit"]
        + w.recency * g["recency"]
        + w.rights * g["rights"]
    ) * g["_penalty"]
    lift = (np.sqrt(g["relative_engagement"]) * (1 + 0.2 * g["sentiment_score"])).clip(0.5, 3.0)
    g["predicted_ctr"] = base.ctr * lift
    g["predicted_cpm"] = base.cpm if base.cpm is not None else np.nan
    g["predicted_cpc"] = g["predicted_cpm"] / (1000.0 * g["predicted_ctr"])
    g["predicted_cpa"] = g["predicted_cpc"] / base.cvr
    return g


#: what the reasons of a post without an author say in place of its relative engagement
NO_AUTHOR_REASON = (
    "author unknown: no usual engagement of theirs to compare with (counted as typical, 1.0x, "
    "in the score)"
)
#: ... of a post that is its author's only one in the posts (its own "usual": 1.0x)
ONLY_POST_REASON = (
    "1.0x: the author's only post here, so no usual engagement of theirs to compare with"
)
#: ... and in place of its predicted CTR and CPA
NO_AUTHOR_PREDICTION = (
    "no predicted CTR or CPA: they scale with the post's engagement against its author's usual"
)


#: what each flag's reason says (the brand's name in place of {brand})
FLAG_REASONS = {
    "comparison": "{brand} is named only as a point of comparison",
    "passing": "{brand} is named once in a long text about something else",
    "hashtag bait": "like-for-like / follow-for-follow hashtags",
}


def _reasons(g: pd.DataFrame, base: AdBaseline, brand: str) -> list[str]:
    """One sentence per post saying why it scores as it does."""
    return [
        (
            NO_AUTHOR_REASON
            if re_ != re_
            else ONLY_POST_REASON
            if n == 1
            else f"{re_:.1f}x the author's usual engagement"
        )
        + f"; {sent} sentiment ({ss:+.2f}"
        + (", in the sentences naming the brand)" if d != t else ")")
        + f"; {'explicit' if bf == 1.0 else 'fuzzy'} brand mention; recency {rc:.2f}; "
        + ("rights recorded" if rt else "no rights recorded: ask the author before amplifying")
        + "".join(
            f"; FLAG: {FLAG_REASONS[f].format(brand=brand)} (score x{FLAG_PENALTY[f]})"
            for f in fl.split("; ")
            if f
        )
        + (
            f"; {NO_AUTHOR_PREDICTION}"
            if ctr != ctr
            else f"; predicted CTR {ctr:.2%} vs {base.ctr:.2%} {base.label}"
            + (
                f", CPA {base.money(cpa)}"
                if base.cpm is not None
                else f"; no predicted CPA: {base.no_cost}"
            )
        )
        for re_, n, sent, ss, d, t, bf, rc, rt, fl, ctr, cpa in zip(
            g["relative_engagement"],
            g["_author_posts"],
            g["sentiment"],
            g["sentiment_score"],
            g["_directed"],
            g["text"],
            g["brand_fit"],
            g["recency"],
            g["rights"],
            g["caveats"],
            g["predicted_ctr"],
            g["predicted_cpa"],
        )
    ]


def _organisation_note(p: pd.DataFrame, require_mention: bool) -> str | None:
    """How many posts about the brand organisation accounts made, and why they are not user
    content (``None`` when there are none)."""
    seen = p[p["brand_fit"] > 0.3] if require_mention else p
    left = seen[seen["source"].isin(["organisation", "owned"]).to_numpy(dtype=bool)]
    left = left[left["_org"].notna().to_numpy(dtype=bool)]
    if left.empty:
        return None
    counts = left["_org"].value_counts()
    kinds = ", ".join(f"{n:,} {k}" for k, n in counts.items())
    names = ", ".join(f"@{a}" for a in left["author_id"].drop_duplicates().head(5))
    more = left["author_id"].nunique() - min(5, left["author_id"].nunique())
    return (
        f"{len(left):,} post(s) by {left['author_id'].nunique():,} organisation or brand "
        f"account(s) left out of the user content ({kinds}): {names}"
        + (f" and {more:,} more" if more else "")
        + "; they are the brand's, a shop's or a media outlet's posts, not customers'"
    )


def rank_for_amplification(
    posts: pd.DataFrame,
    brand: BrandSpec,
    *,
    weights: AmplificationWeights | None = None,
    baseline: AdBaseline | None = None,
    now: pd.Timestamp | None = None,
    top: int | None = None,
    require_mention: bool = True,
    dayfirst: bool | None = None,
    source: str = "posts",
    per_author: int | None = PER_AUTHOR,
) -> pd.DataFrame:
    """Genuine user posts about ``brand``, ranked by amplification score, with reasons.

    Returns one row per genuine post: ``post_id, author_id, source, text, relative_engagement,
    sentiment, sentiment_score, brand_fit, recency, rights, amplification_score,
    predicted_ctr, predicted_cpm, predicted_cpc, predicted_cpa, reasons``
    (:data:`AMPLIFY_COLUMNS`). When no genuine post mentions the brand the frame is empty and
    ``attrs["note"]`` says so in one sentence (``attrs["notes"]`` then holds only what reading the
    posts found: repeated posts, mangled ids). ``attrs["baseline"]`` is the baseline used
    (:meth:`AdBaseline.to_dict` plus ``default``); without ``baseline`` the predictions start
    from the default benchmark, the reasons say "typical paid social (default benchmark)" and
    ``attrs["notes"]`` says so (:data:`DEFAULT_BASELINE_NOTE`). A post time that is present but unreadable or
    ambiguous is refused with its row (``dayfirst`` sets the order of ``03/04/2024``); a post
    with no time gets the middle recency 0.5, which its reasons show.

    Sentiment is read from the sentences that name the brand (:func:`brand_focus`), not the
    whole post, and ``caveats`` says when the brand is only a point of comparison
    (``comparison``), named once in a long text about something else (``passing``) or the post
    carries like-for-like hashtags (``hashtag bait``); each flag multiplies the score by its
    :data:`FLAG_PENALTY` and the reasons say so. At most ``per_author`` posts per author are
    kept (None: all); ``attrs["capped_posts"]`` counts those left out and a note says so.
    """
    if per_author is not None and per_author < 1:
        raise ConfigError(f"per_author={per_author!r} must be >= 1 (or None for no cap)")
    w = weights or AmplificationWeights()
    base = baseline or AdBaseline()
    p = canonical_posts(posts, source=source, strict_times=True, dayfirst=dayfirst)
    repeated = p.attrs.get("repeated_posts")
    mangled = p.attrs.get("mangled_ids")
    p = p.reset_index(drop=True)
    if "text" not in p.columns:
        raise ColumnNotFoundError(
            "posts: no text/caption column found; user content needs its text"
        )
    # a post whose author the file does not give has none: never a made-up one, which would
    # make the post its own author's "usual" (1.0x) and move it in the ranking
    author = (
        p["author_id"].astype("string").str.strip()
        if "author_id" in p.columns
        else pd.Series(pd.NA, index=p.index, dtype="string")
    )
    p["author_id"] = author.mask(author.eq("").fillna(False).to_numpy(dtype=bool))
    if "post_id" not in p.columns:
        p["post_id"] = pd.Series([str(i + 1) for i in range(len(p))], dtype="string")
    p["source"] = classify_sources(p, brand)
    # the brand's declared handles are its own, said by the user: only found ones are noted
    declared = {h.lower().lstrip("@") for h in (*brand.handles, brand.name.replace(" ", ""))}
    said = p["author_id"].str.lower().str.lstrip("@").isin(declared).fillna(False)
    p["_org"] = organisation_authors(p, brand).mask(said.to_numpy(dtype=bool))
    p["interactions"] = engagements_of(p).fillna(0.0)  # ranking: nothing reported, nothing seen
    by_author = p.groupby("author_id", dropna=True)["interactions"]
    baseline_author = by_author.transform("median")
    p["_author_posts"] = by_author.transform("size")  # 1: the post is its author's "usual"
    known = p["author_id"].notna().to_numpy(dtype=bool)
    # unknown (NaN) without an author: no usual engagement to compare with
    p["relative_engagement"] = (
        (p["interactions"] / baseline_author.where(baseline_author > 0)).fillna(1.0).where(known)
    )
    ment = detect_mentions(p["text"], [brand])
    fit = np.where(
        ment[brand.name] & ~ment[f"{brand.name}_fuzzy"], 1.0, np.where(ment[brand.name], 0.6, 0.3)
    )
    p["brand_fit"] = fit
    g = p[p["source"] == "genuine"].copy()
    genuine = len(g)
    if require_mention:
        g = g[g["brand_fit"] > 0.3]
    # what reading the posts had to say holds whether or not a post is ranked
    read_notes = [n for n in (repeated, mangled) if n]
    orgs = _organisation_note(p, require_mention)
    if orgs:
        read_notes.append(orgs)
    focus = brand_focus(g["text"], brand)
    outranked = focus["outranked"].to_numpy(dtype=bool) if len(g) else np.zeros(0, dtype=bool)
    if outranked.any():  # praise of another brand over this one is nothing to amplify
        read_notes.append(
            f"{int(outranked.sum()):,} post(s) put another brand above {brand.name} ('better "
            f"than {brand.name}', 'beats {brand.name}') and are left out of the picks"
        )
        g, focus = g[~outranked], focus[~outranked]
    if g.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in AMPLIFY_COLUMNS})
        empty.attrs["note"] = (
            f"no genuine user post mentions {brand.name} ({len(p):,} posts, {genuine:,} "
            "genuine); check the brand name, its aliases and handles"
        )
        empty.attrs["baseline"] = {**base.to_dict(), "default": base.is_default}
        if repeated:
            empty.attrs["repeated_posts"] = repeated
        if read_notes:
            empty.attrs["notes"] = read_notes
        return empty
    g["_directed"] = focus["directed"].to_numpy()
    named = {"comparison": "comparison", "passing": "passing", "bait": "hashtag bait"}
    g["caveats"] = [
        "; ".join(named[k] for k in named if row[k])
        for row in focus[list(named)].to_dict(orient="records")
    ]
    g["_penalty"] = [
        float(np.prod([FLAG_PENALTY[f] for f in fl.split("; ") if f])) for fl in g["caveats"]
    ]
    g = _amplification_scores(g, w, base, now)
    anonymous = int(g["author_id"].isna().sum())
    if anonymous:
        read_notes.append(
            f"{source}: {anonymous:,} of the {len(g):,} posts ranked have no author; each is "
            "scored as typical for its author (1.0x) and has no predicted CTR or CPA (their "
            "reasons say so)"
        )
    g["reasons"] = _reasons(g, base, brand.name)
    g = g.sort_values("amplification_score", ascending=False, kind="stable")
    capped = 0
    if per_author is not None:
        rank = g.groupby("author_id", dropna=True).cumcount()
        over = (rank >= per_author).to_numpy(dtype=bool) & g["author_id"].notna().to_numpy(
            dtype=bool
        )
        capped, authors = int(over.sum()), g.loc[over, "author_id"].nunique()
        g = g[~over]
        if capped:
            read_notes.append(
                f"{capped:,} more post(s) by {authors:,} author(s) left out: at most "
                f"{per_author} picks per author{PER_AUTHOR_NOTE_END}"
            )
    out = g[list(AMPLIFY_COLUMNS)].reset_index(drop=True)
    out.attrs["capped_posts"] = capped
    out.attrs["baseline"] = {**base.to_dict(), "default": base.is_default}
    notes = [DEFAULT_BASELINE_NOTE] if base.is_default else []
    if base.cpm is None:
        notes.append(f"no predicted CPM, CPC or CPA: {base.no_cost}")
    notes.extend(read_notes)
    if repeated:
        out.attrs["repeated_posts"] = repeated
    if notes:
        out.attrs["notes"] = notes
    return out.head(top) if top else out
