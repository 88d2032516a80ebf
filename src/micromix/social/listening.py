"""Brand listening: mentions (aliases, handles, hashtags, fuzzy), volume, share of voice,
sentiment trend and earned media value.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.social.listening import BrandSpec, listen
>>> posts = pd.DataFrame({"text": ["love my @pawco bowl", "Pawco food made him sick",
...                                "#barkbox is fun", "pawcoo treats!"],
...                       "ts": pd.date_range("2024-01-01", periods=4, freq="D")})
>>> res = listen(posts, BrandSpec("PawCo"), [BrandSpec("BarkBox")])
>>> res.share_of_voice.set_index("brand")["mentions"].to_dict()
{'PawCo': 3, 'BarkBox': 1}
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ColumnNotFoundError, ConfigError
from micromix.social.columns import (
    ENGAGEMENT_LABEL,
    REPORTED_ENGAGEMENTS_LABEL,
    canonical_posts,
    engagements_of,
    reported_below,
)
from micromix.social.emv import DEFAULT_EMV_RATES, earned_media_value
from micromix.social.sentiment import score_sentiment

__all__ = [
    "BRAND_MIN_SHARE",
    "PERIODS",
    "BrandSpec",
    "ListeningResult",
    "brand_pattern",
    "detect_mentions",
    "infer_brand",
    "listen",
]

_TOKEN = re.compile(r"[#@]?[0-9a-z_']+")
#: trend periods accepted by :func:`listen` -> pandas period alias
PERIODS = {"h": "h", "H": "h", "D": "D", "W": "W", "M": "M", "MS": "M", "Q": "Q", "QS": "Q"}


@dataclass(frozen=True)
class BrandSpec:
    """A brand to listen for.

    Parameters
    ----------
    name : str
        Display name ("PawCo").  ``@pawco`` and ``#pawco`` are added automatically.
    aliases : tuple of str
        Other names and product names ("Paw Co", "PawCo Bowl").
    handles, hashtags : tuple of str
        Extra account handles and campaign hashtags.
    fuzzy : float
        Similarity (0-1, ``difflib`` ratio) above which a one-word token counts as a misspelt
        mention; ``1.0`` disables fuzzy matching.  Only names of 5+ letters are matched fuzzily,
        and a name of 5 letters only by a letter typed twice ("pawcoo"): a dropped or changed
        letter in a short name mostly spells another word ("mano", "mago" are not "Mango").
        A fuzzy match keeps the name's first letter ("interest" is not "Pinterest").
    """

    name: str
    aliases: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    fuzzy: float = 0.86

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise ConfigError("brand name must be a non-empty string")
        if not 0.5 <= self.fuzzy <= 1.0:
            raise ConfigError(f"fuzzy={self.fuzzy!r} must be between 0.5 and 1.0")
        for f in ("aliases", "handles", "hashtags"):
            if isinstance(getattr(self, f), str):
                object.__setattr__(
                    self, f, tuple(x.strip() for x in getattr(self, f).split(",") if x.strip())
                )

    @property
    def terms(self) -> list[str]:
        """Lower-case phrases matched exactly (as whole words)."""
        base = [self.name, *self.aliases]
        out = {b.lower().strip() for b in base if b.strip()}
        for b in base:
            squashed = re.sub(r"[^0-9a-z_]", "", b.lower())
            if squashed:
                out |= {squashed, "@" + squashed, "#" + squashed}
        out |= {("@" + h.lower().lstrip("@")) for h in self.handles}
        out |= {("#" + h.lower().lstrip("#")) for h in self.hashtags}
        return sorted(out, key=len, reverse=True)

    @property
    def fuzzy_targets(self) -> list[str]:
        """One-word forms eligible for fuzzy matching."""
        return sorted(
            {re.sub(r"[^0-9a-z]", "", t.lower()) for t in [self.name, *self.aliases]} - {""},
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict; ``BrandSpec(**d)`` inverts it."""
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "handles": list(self.handles),
            "hashtags": list(self.hashtags),
            "fuzzy": self.fuzzy,
        }


def _exact_pattern(terms: Sequence[str]) -> re.Pattern[str]:
    """The terms as whole words; a term that ends in a letter may carry a model number right
    after it ("iPad2", "#iPad2" for iPad): a product and its numbered models are one name."""
    alts = "|".join(
        re.escape(t) + (r"(?:\d{1,4}(?![0-9]))?" if t[-1:].isalpha() else "") for t in terms
    )
    return re.compile(rf"(?<![0-9a-z_])(?:{alts})(?![0-9a-z_])", re.IGNORECASE)


def brand_pattern(brand: BrandSpec) -> re.Pattern[str]:
    """What counts as an exact mention of ``brand``: its name, aliases, handles and hashtags as
    whole words (case-insensitive), each optionally followed by a model number.

    >>> [bool(brand_pattern(BrandSpec("iPad")).search(t)) for t in ("#iPad2 rocks", "ipads")]
    [True, False]
    """
    return _exact_pattern(brand.terms)


_INFLECTIONS = ("s", "es", "ed", "ing", "er", "ers", "'s")
#: names (one-word forms) shorter than this are never matched fuzzily
_FUZZY_MIN_LEN = 5
#: names shorter than this are matched fuzzily only by a letter typed twice
_FUZZY_FREE_LEN = 6


def _doubled_letter(word: str, target: str) -> bool:
    """``word`` is ``target`` with one letter typed twice ("pawcoo" for "pawco").

    >>> _doubled_letter("pawcoo", "pawco"), _doubled_letter("mangio", "mango")
    (True, False)
    """
    return len(word) == len(target) + 1 and any(
        word[i] == word[i - 1] and word[:i] + word[i + 1 :] == target for i in range(1, len(word))
    )


def _fuzzy_match(word: str, target: str, threshold: float) -> bool:
    """A misspelling of ``target``, but not an ordinary inflection ("apples" is not "Apple").

    A name shorter than six letters is one edit away from many ordinary words of many
    languages (Mango: "mano", "mago", "mangio", "manga"), so for it only a letter typed twice
    counts; longer names keep the similarity rule (a dropped, added or changed letter).

    The first letter must be the name's: people rarely mistype the first letter of a word
    (spelling-error studies find it wrong in a few percent of misspellings), while a name with
    its first letter dropped, changed or prefixed is mostly another word or another account
    ("interest" for Pinterest, "evolve" for Revolve, "rimark" - the brand RIM.ARK - for Primark).

    >>> _fuzzy_match("mano", "mango", 0.86), _fuzzy_match("mangoo", "mango", 0.86)
    (False, True)
    >>> _fuzzy_match("primak", "primark", 0.86), _fuzzy_match("primarks", "primark", 0.86)
    (True, False)
    >>> _fuzzy_match("rimark", "primark", 0.86), _fuzzy_match("interest", "pinterest", 0.86)
    (False, False)
    """
    if abs(len(word) - len(target)) > 2 or word[:1] != target[:1]:
        return False
    if word.startswith(target) and word[len(target) :] in _INFLECTIONS:
        return False
    if len(target) < _FUZZY_FREE_LEN and not _doubled_letter(word, target):
        return False
    return difflib.SequenceMatcher(None, word, target).ratio() >= threshold


def detect_mentions(texts: pd.Series, brands: Sequence[BrandSpec]) -> pd.DataFrame:
    """One boolean column per brand (and ``<brand>_fuzzy`` for fuzzy-only hits).

    Exact matches use word boundaries on the name, aliases, handles and hashtags; fuzzy matches
    compare each distinct token of the corpus with the brand's one-word forms.
    """
    s = texts.astype("string").fillna("").str.lower()
    out = pd.DataFrame(index=texts.index)
    tokens: pd.Series | None = None
    vocab: list[str] = []
    for b in brands:
        exact = s.str.contains(_exact_pattern(b.terms), regex=True).fillna(False).astype(bool)
        fuzzy_hit = pd.Series(False, index=texts.index)
        targets = [t for t in b.fuzzy_targets if len(t) >= _FUZZY_MIN_LEN]
        if b.fuzzy < 1.0 and targets:
            if tokens is None:
                tokens = s.str.findall(_TOKEN)
                vocab = sorted({w.lstrip("#@") for ws in tokens for w in ws})
            close = {
                w
                for w in vocab
                if len(w) >= 4
                and w not in targets
                and any(_fuzzy_match(w, t, b.fuzzy) for t in targets)
            }
            if close:
                fuzzy_hit = tokens.map(
                    lambda ws, c=close: any(w.lstrip("#@") in c for w in ws)
                ).astype(bool)
        out[b.name] = exact | fuzzy_hit
        out[f"{b.name}_fuzzy"] = fuzzy_hit & ~exact
    return out


@dataclass
class ListeningResult:
    """Everything :func:`listen` measured.

    Attributes
    ----------
    mentions : DataFrame
        One row per post and brand it mentions (a post naming two brands appears once for
        each, under its own index), with ``brand``, ``brands`` (every brand the post names,
        ``"; "``-joined), sentiment, engagement and EMV: ``mentions[mentions.brand == b]``
        counts what the share of voice counts for ``b``.
    volume : DataFrame
        Mentions per period and brand.
    share_of_voice : DataFrame
        Per brand: mentions, share, engagement, engagement share, mean sentiment, EMV.
    sentiment_trend : DataFrame
        Per period for the focal brand: mentions, mean score, share negative/positive.
    """

    brand: str
    mentions: pd.DataFrame
    volume: pd.DataFrame
    share_of_voice: pd.DataFrame
    sentiment_trend: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (tables as lists of records)."""
        return {
            "brand": self.brand,
            "share_of_voice": self.share_of_voice.to_dict(orient="records"),
            "sentiment_trend": self.sentiment_trend.assign(
                period=self.sentiment_trend["period"].astype(str)
            ).to_dict(orient="records"),
            "volume": self.volume.assign(period=self.volume["period"].astype(str)).to_dict(
                orient="records"
            ),
            "meta": self.meta,
        }

    def __repr__(self) -> str:
        sov = ", ".join(
            f"{r.brand}: {r.mentions} ({r.share:.0%})" for r in self.share_of_voice.itertuples()
        )
        return f"ListeningResult(brand={self.brand!r}, posts={self.meta.get('posts')}, share_of_voice=[{sov}])"


def listen(
    posts: pd.DataFrame,
    brand: BrandSpec,
    competitors: Sequence[BrandSpec] = (),
    *,
    freq: str = "D",
    sentiment: str = "service",
    dayfirst: bool | None = None,
    source: str = "posts",
) -> ListeningResult:
    """Detect mentions of ``brand`` and ``competitors`` and summarise them.

    Parameters
    ----------
    posts : DataFrame
        Posts with a text column (``text``, ``caption``, ``tweet_text``...); an optional time
        column enables trends, and likes/comments/shares/views enable EMV.
    freq : str
        Trend period: ``h``, ``D``, ``W``, ``M`` (or ``MS``), ``Q``.
    dayfirst : bool, optional
        Order of ``d/m/y`` post times; None decides it from the column and refuses a date
        nothing decides (``03/04/2024``).
    source : str
        Name of the posts in messages (the file).

    Raises
    ------
    DataValidationError
        When a post time is present but unreadable or ambiguous (the file, row and field are
        named): a post with a made-up or guessed date would move the trend.

    Notes
    -----
    A brand no post mentions gets zeros, and ``meta["notes"]`` says so in one sentence (a
    misspelt name or a missing alias looks exactly like silence).  A mentioning post with an
    empty time counts in the share of voice but cannot be placed in a period: when other posts
    have times, ``meta["undated_mentions"]`` counts those left out of the volume and the trend
    and a note says so.
    """
    p = canonical_posts(posts, source=source, strict_times=True, dayfirst=dayfirst)
    repeated = p.attrs.get("repeated_posts")
    if "text" not in p.columns:
        raise ColumnNotFoundError(
            "posts: no text column found (looked for text, caption, tweet_text, message...); "
            "name the column holding the post text 'text'"
        )
    if freq not in PERIODS:
        raise ConfigError(
            f"freq '{freq}' is not supported; use one of {', '.join(sorted(PERIODS))}"
        )
    names = [brand.name, *[c.name for c in competitors]]
    if len(set(names)) != len(names):
        raise ConfigError(f"brand and competitor names must be distinct, got {names}")
    flags = detect_mentions(p["text"], [brand, *competitors])
    any_hit = flags[names].any(axis=1)
    m = _scored_mentions(p[any_hit].copy(), flags.loc[any_hit, names], sentiment, freq)
    long = flags.loc[any_hit, names].stack()
    long = long[long].reset_index().rename(columns={"level_1": "brand"})
    long = long.rename(columns={long.columns[0]: "row"})
    reported = "engagements" in m.columns and bool(m["engagements"].notna().any())
    per_post = ["period", "engagement", "sentiment_score", "emv"]
    long = long.merge(
        m[[*per_post, "engagements"] if reported else per_post], left_on="row", right_index=True
    )
    sov = _share_of_voice(long, names)
    own = m[flags.loc[any_hit, brand.name].to_numpy()]
    has_ts = bool(m["period"].notna().any())
    vol, trend = _volume_and_trend(long, own, sov, names, has_ts=has_ts)
    silent = [n for n in names if int(sov.set_index("brand").loc[n, "mentions"]) == 0]
    notes = [
        f"no post mentions {n} (0 of {len(p):,} posts); check the spelling and add its "
        "aliases, handles or hashtags"
        for n in silent
    ]
    if repeated:
        notes.append(repeated)
    if p.attrs.get("mangled_ids"):
        notes.append(p.attrs["mangled_ids"])
    below = reported_below(m) if reported else pd.Series(False, index=m.index)
    if below.any():
        notes.append(
            f"{source}: on {int(below.sum()):,} of {len(m):,} mentioning posts the engagements "
            f"the platform reports ({int(m['engagements'].sum()):,} in all) are below the "
            f"likes + comments + shares + saves it reports ({int(m['engagement'].sum()):,}), "
            "though its count includes them: the file's figures disagree, so both are shown "
            "(engagement, reported_engagements) and neither is corrected"
        )
    emv_note = _emv_note(m, source)
    if emv_note:
        notes.append(emv_note)
    undated = int(m["period"].isna().sum()) if has_ts else 0
    if undated:
        own_undated = int(own["period"].isna().sum())
        notes.append(
            f"{undated:,} of {len(m):,} posts mentioning a brand ({own_undated:,} of "
            f"{len(own):,} for {brand.name}) have an empty time: they count in the share of "
            "voice but are left out of the volume and the sentiment trend"
        )
    hits = flags.loc[any_hit, names]
    matched = pd.Series(
        ["; ".join(n for n, hit in zip(names, row) if hit) for row in hits.to_numpy()],
        index=hits.index,
    )
    # one row per post and brand it mentions: filtering by brand gives the share of voice's count
    mentions = m.drop(columns=["brand"]).loc[long["row"].to_numpy()]
    mentions.insert(0, "brand", long["brand"].to_numpy())
    mentions.insert(1, "brands", matched.loc[long["row"].to_numpy()].to_numpy())
    return ListeningResult(
        brand=brand.name,
        mentions=mentions,
        volume=vol,
        share_of_voice=sov,
        sentiment_trend=trend,
        meta={
            "posts": len(p),
            "posts_with_mentions": int(any_hit.sum()),
            "fuzzy_only": int(flags[[f"{n}_fuzzy" for n in names]].any(axis=1).sum()),
            "undated_mentions": undated,
            "engagement": ENGAGEMENT_LABEL,
            # the EMV is priced at the default benchmark's rates, in their currency
            "emv_currency": DEFAULT_EMV_RATES.currency,
            **({"reported_engagements": REPORTED_ENGAGEMENTS_LABEL} if reported else {}),
            "notes": notes,
        },
    )


def _scored_mentions(
    m: pd.DataFrame, hits: pd.DataFrame, sentiment: str, freq: str
) -> pd.DataFrame:
    """Mentioning posts with brand (first match, for the per-post sums), sentiment,
    engagement, EMV and period."""
    m["brand"] = hits.idxmax(axis=1) if len(m) else pd.Series(dtype="string")
    sent = score_sentiment(m["text"], scorer=sentiment)
    m["sentiment"], m["sentiment_score"] = sent["sentiment"], sent["sentiment_score"]
    m["engagement"] = engagements_of(m)
    m["emv"] = earned_media_value(m, followers_col="author_followers")
    has_ts = "ts" in m.columns and m["ts"].notna().any()
    m["period"] = (
        m["ts"].dt.tz_localize(None).dt.to_period(PERIODS[freq]).dt.start_time if has_ts else pd.NaT
    )
    return m


def _known_sum(v: pd.Series) -> float:
    """The sum of the known values; NaN when none is known (unknown, not 0)."""
    return float(v.sum(min_count=1))


def _emv_note(m: pd.DataFrame, source: str) -> str | None:
    """What the EMV of the mentioning posts rests on when some or all of it is unknown."""
    unknown = int(m["emv"].isna().sum())
    if not unknown:
        return None
    inputs = "likes, comments, shares, saves, views or author followers"
    if unknown == len(m):
        return (
            f"{source}: none of the {len(m):,} posts mentioning a brand reports engagement "
            f"counts ({inputs}), so their earned media value is unknown (n/a), not 0"
        )
    return (
        f"{source}: {unknown:,} of {len(m):,} mentioning posts report none of {inputs}; their "
        "earned media value is unknown and left out of the EMV sums, as their engagement is"
    )


def _share_of_voice(long: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Per brand: mentions, share, engagement, engagement share, mean sentiment, EMV."""
    sov = (
        long.groupby("brand")
        .agg(
            mentions=("row", "size"),
            engagement=("engagement", lambda v: v.sum(min_count=1)),
            mean_sentiment=("sentiment_score", "mean"),
            emv=("emv", _known_sum),
        )
        .reindex(names)
    )
    sov["mentions"] = sov["mentions"].fillna(0).astype(int)
    sov["share"] = sov["mentions"] / max(int(sov["mentions"].sum()), 1)
    tot_eng = float(sov["engagement"].sum())
    sov["engagement_share"] = sov["engagement"] / tot_eng if tot_eng > 0 else np.nan
    cols = ["brand", "mentions", "share", "engagement", "engagement_share", "mean_sentiment", "emv"]
    if "engagements" in long.columns:
        # the platform's own count, beside the engagement micromix defines: a brand some of
        # whose posts do not report it has no such total (a partial sum is no platform figure)
        g = long.groupby("brand")["engagements"]
        whole = g.count() == g.size()
        sov["reported_engagements"] = g.sum().where(whole).reindex(sov.index)
        cols.insert(4, "reported_engagements")
    sov = sov.reset_index().rename(columns={"index": "brand"})
    return sov[cols]


def _volume_and_trend(
    long: pd.DataFrame, own: pd.DataFrame, sov: pd.DataFrame, names: list[str], *, has_ts: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mentions per period and brand, and the focal brand's sentiment per period."""
    if has_ts:
        vol = (
            long.groupby(["period", "brand"])
            .size()
            .unstack("brand")
            .reindex(columns=names)
            .fillna(0)
        )
        trend = (
            own.groupby("period")
            .agg(
                mentions=("text", "size"),
                mean_sentiment=("sentiment_score", "mean"),
                share_negative=("sentiment", lambda x: float((x == "negative").mean())),
                share_positive=("sentiment", lambda x: float((x == "positive").mean())),
                emv=("emv", _known_sum),
            )
            .reset_index()
        )
        return vol.astype(int).reset_index(), trend
    vol = pd.DataFrame(
        {
            "period": [pd.NaT],
            **{n: [int(sov.set_index("brand").loc[n, "mentions"])] for n in names},
        }
    )
    trend = pd.DataFrame(
        {
            "period": [pd.NaT],
            "mentions": [len(own)],
            "mean_sentiment": [float(own["sentiment_score"].mean()) if len(own) else np.nan],
            "share_negative": [
                float((own["sentiment"] == "negative").mean()) if len(own) else np.nan
            ],
            "share_positive": [
                float((own["sentiment"] == "positive").mean()) if len(own) else np.nan
            ],
            "emv": [_known_sum(own["emv"])],
        }
    )
    return vol, trend


#: the share of posts that must mention an account for it to be taken as the brand
BRAND_MIN_SHARE = 0.10
#: ... and the fewest such posts
BRAND_MIN_POSTS = 2


def infer_brand(posts: pd.DataFrame) -> str | None:
    """The account the posts are about (a brand's listening export), if they clearly are.

    Reads the ``mentions`` column (comma-separated handles, ``@`` optional). The most-mentioned
    account is the brand only when at least :data:`BRAND_MIN_SHARE` of the posts (and
    :data:`BRAND_MIN_POSTS`) mention it and it is mentioned by more posts than any other
    account; otherwise ``None`` (a trending dump or a mixed export is about no one brand, and
    its most-mentioned account, named in 2 posts of 1,000, is not the user's brand). Callers
    then ask for the brand.

    >>> infer_brand(pd.DataFrame({"mentions": ["@pawco,@vet", "pawco", "@pawco", None]}))
    'pawco'
    >>> infer_brand(pd.DataFrame({"mentions": ["@a", "@b", "@a,@b", None]})) is None
    True
    """
    if "mentions" not in posts.columns or posts.empty:
        return None
    per_post = posts["mentions"].dropna().astype(str).str.split(",")
    m = per_post.explode().str.strip().str.lstrip("@")
    m = m[m != ""]
    if m.empty:
        return None
    # posts (not mentions) per account: a post naming an account twice counts once
    counts = m.groupby(level=0).unique().explode().value_counts()
    top, n = str(counts.index[0]), int(counts.iloc[0])
    if len(counts) > 1 and int(counts.iloc[1]) == n:
        return None
    if n < max(BRAND_MIN_POSTS, BRAND_MIN_SHARE * len(posts)):
        return None
    return top
