"""Niche focus: what a creator posts about, how concentrated it is, and fit to a brief.

Captions and hashtags are matched against a keyword lexicon per niche (English plus common
Instagram hashtags); a profile ``category`` (Kim et al. 2020 style: fashion, travel, pet...)
is used when present.  A category of several values ("Fashion|Modeling|Beauty", as creator
rankings state it) is split on ``|``, ``/``, ``,``, ``;`` and `` & `` and each part mapped
(:func:`category_niches`): the creator's niche is that of the first part that maps, since such
lists put the main category first, and the others count as declared secondary niches.  ``niche_concentration`` is the share of the creator's keyword hits that
fall in the top niche (1.0 = single-topic creator); ``niche_hhi`` is the Herfindahl index of
the niche shares.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.influencers.niche import niche_profile
>>> posts = pd.DataFrame({"author_id": ["a", "a", "b"],
...                       "text": ["#dogsofinstagram walk", "puppy treats", "#ootd look"]})
>>> niche_profile(posts)["niche"].tolist()
['pet', 'fashion']
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import sparse

from micromix.errors import ConfigError

__all__ = [
    "CATEGORY_SYNONYMS",
    "NICHES",
    "NICHE_KEYWORDS",
    "SECONDARY_FIT",
    "brief_fit",
    "canonical_niche",
    "category_niches",
    "niche_profile",
]

#: niche -> keywords and hashtag stems (lower case, matched as whole tokens)
NICHE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "pet": (
        "dog",
        "dogs",
        "puppy",
        "puppies",
        "pup",
        "cat",
        "cats",
        "kitten",
        "kitty",
        "pet",
        "pets",
        "doggo",
        "pupper",
        "dogsofinstagram",
        "catsofinstagram",
        "dogstagram",
        "catstagram",
        "petsofinstagram",
        "instadog",
        "instacat",
        "adoptdontshop",
        "rescuedog",
        "vet",
        "leash",
        "kibble",
        "catlover",
        "doglover",
        "doglovers",
        "catlovers",
        "furbaby",
        "woof",
        "meow",
        "petfood",
        "dogfood",
        "catfood",
        "frenchie",
        "goldenretriever",
        "labrador",
        "paws",
    ),
    "fashion": (
        "ootd",
        "outfit",
        "fashion",
        "style",
        "wiw",
        "whatiwore",
        "streetstyle",
        "lookbook",
        "dress",
        "shoes",
        "sneakers",
        "outfitoftheday",
        "fashionblogger",
        "instafashion",
        "denim",
        "jacket",
        "handbag",
        "fashionista",
        "styleinspo",
        "wearing",
        "jeans",
        "boots",
        "vintage",
        "menswear",
        "womenswear",
        "stylish",
        "fashionstyle",
        "shopping",
        "accessories",
    ),
    "beauty": (
        "makeup",
        "beauty",
        "skincare",
        "lipstick",
        "mua",
        "eyeshadow",
        "foundation",
        "nails",
        "nailart",
        "hair",
        "hairstyle",
        "cosmetics",
        "makeupartist",
        "beautyblogger",
        "glow",
        "serum",
        "lashes",
        "contour",
        "highlighter",
        "skin",
        "motd",
        "makeuplover",
        "brows",
    ),
    "travel": (
        "travel",
        "wanderlust",
        "travelgram",
        "instatravel",
        "vacation",
        "trip",
        "beach",
        "explore",
        "adventure",
        "travelblogger",
        "hotel",
        "flight",
        "island",
        "roadtrip",
        "traveling",
        "travelling",
        "holiday",
        "passport",
        "sunset",
        "mountains",
        "backpacking",
        "tourism",
        "destination",
        "resort",
    ),
    "food": (
        "food",
        "foodie",
        "foodporn",
        "instafood",
        "yummy",
        "delicious",
        "recipe",
        "recipes",
        "dinner",
        "lunch",
        "breakfast",
        "brunch",
        "cooking",
        "homemade",
        "vegan",
        "restaurant",
        "foodstagram",
        "dessert",
        "cake",
        "baking",
        "coffee",
        "pizza",
        "chef",
        "foodblogger",
        "eat",
        "eats",
        "tasty",
        "healthyfood",
        "plantbased",
    ),
    "fitness": (
        "fitness",
        "gym",
        "workout",
        "fit",
        "fitfam",
        "training",
        "fitnessmotivation",
        "yoga",
        "run",
        "running",
        "crossfit",
        "bodybuilding",
        "cardio",
        "squat",
        "gains",
        "health",
        "healthy",
        "athlete",
        "pilates",
        "hiit",
        "protein",
        "marathon",
        "personaltrainer",
        "fitspo",
        "exercise",
        "strength",
    ),
    "family": (
        "family",
        "mom",
        "mum",
        "dad",
        "baby",
        "kids",
        "momlife",
        "motherhood",
        "parenting",
        "toddler",
        "son",
        "daughter",
        "mommy",
        "newborn",
        "pregnancy",
        "pregnant",
        "dadlife",
        "familytime",
        "momblogger",
        "children",
        "kid",
        "boymom",
        "girlmom",
        "mamalife",
    ),
    "interior": (
        "interior",
        "interiordesign",
        "home",
        "homedecor",
        "decor",
        "interiors",
        "livingroom",
        "bedroom",
        "kitchen",
        "furniture",
        "design",
        "architecture",
        "diy",
        "renovation",
        "homesweethome",
        "scandinavian",
        "interiorstyling",
        "plants",
        "houseplants",
        "cozy",
    ),
    "tech": (
        "tech",
        "technology",
        "gadget",
        "gadgets",
        "iphone",
        "android",
        "apple",
        "samsung",
        "laptop",
        "coding",
        "programming",
        "developer",
        "ai",
        "software",
        "setup",
        "pc",
        "smartphone",
        "app",
        "startup",
    ),
    "gaming": (
        "gaming",
        "gamer",
        "games",
        "game",
        "videogames",
        "ps5",
        "xbox",
        "nintendo",
        "twitch",
        "esports",
        "fortnite",
        "minecraft",
        "streamer",
        "gamingcommunity",
        "playstation",
    ),
    "music": (
        "music",
        "musician",
        "singer",
        "song",
        "guitar",
        "concert",
        "band",
        "dj",
        "rap",
        "hiphop",
        "producer",
        "newmusic",
        "livemusic",
        "piano",
        "album",
        "singing",
    ),
    "sports": (
        "football",
        "soccer",
        "basketball",
        "nba",
        "nfl",
        "baseball",
        "tennis",
        "golf",
        "hockey",
        "cycling",
        "surf",
        "surfing",
        "skate",
        "skateboarding",
        "ski",
        "snowboard",
        "rockets",
        "sports",
        "match",
        "team",
        "goal",
    ),
    "lifestyle": (
        "lifestyle",
        "lifestyleblogger",
        "blogger",
        "dailylife",
        "vibes",
        "selfcare",
        "instadaily",
        "goodvibes",
        "everyday",
        "lifestylephotography",
    ),
}
NICHES: tuple[str, ...] = tuple(NICHE_KEYWORDS)
#: fit of a creator to a brief for a niche their category declares after their main one
SECONDARY_FIT = 0.5

#: profile category spellings -> canonical niche
CATEGORY_SYNONYMS: dict[str, str] = {
    "fasion": "fashion",
    "style": "fashion",
    "clothing": "fashion",
    "apparel": "fashion",
    "makeup": "beauty",
    "cosmetics": "beauty",
    "skincare": "beauty",
    "pets": "pet",
    "animals": "pet",
    "animal": "pet",
    "dogs": "pet",
    "cats": "pet",
    "home": "interior",
    "home decor": "interior",
    "interior design": "interior",
    "decor": "interior",
    "parenting": "family",
    "kids": "family",
    "mom": "family",
    "health": "fitness",
    "sport & fitness": "fitness",
    "wellness": "fitness",
    "gym": "fitness",
    "food & drink": "food",
    "cooking": "food",
    "recipes": "food",
    "technology": "tech",
    "games": "gaming",
    "video games": "gaming",
    "sport": "sports",
}


def canonical_niche(value: str | None) -> str | None:
    """Map a free-text category or brief niche onto :data:`NICHES` (``None`` if unknown)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    v = str(value).strip().lower()
    if v in NICHE_KEYWORDS:
        return v
    if v in CATEGORY_SYNONYMS:
        return CATEGORY_SYNONYMS[v]
    for n, words in NICHE_KEYWORDS.items():
        if v in words:
            return n
    head = v.split()[0] if v.split() else v
    return head if head in NICHE_KEYWORDS else CATEGORY_SYNONYMS.get(head)


#: separators of a category holding several values ("Fashion|Modeling|Beauty")
_CATEGORY_SPLIT = re.compile(r"\s*[|/,;]\s*|\s+&\s+")


def category_niches(value: object) -> tuple[str, ...]:
    """The niches of a profile category, main one first (``()`` if none maps).

    A whole value that names a niche is kept whole ("Sport & Fitness", "Food & Drink"); any
    other is split on ``|``, ``/``, ``,``, ``;`` and `` & ``, in order; parts that map to no niche
    ("Modeling", "Actors") are skipped and a niche is listed once.

    >>> category_niches("Fashion|Modeling|Beauty"), category_niches("Clothing|Outfits")
    (('fashion', 'beauty'), ('fashion',))
    >>> category_niches("Sport & Fitness"), category_niches("Humor|Fun|Happiness")
    (('fitness',), ())
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ()
    v = str(value).strip().lower()
    if v in NICHE_KEYWORDS or v in CATEGORY_SYNONYMS:
        return (str(canonical_niche(v)),)
    found = (canonical_niche(part) for part in _CATEGORY_SPLIT.split(v))
    return tuple(dict.fromkeys(n for n in found if n is not None))


def _keyword_matrix() -> tuple[dict[str, int], sparse.csr_matrix]:
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for j, words in enumerate(NICHE_KEYWORDS.values()):
        for w in words:
            i = vocab.setdefault(w, len(vocab))
            rows.append(i)
            cols.append(j)
    m = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(vocab), len(NICHE_KEYWORDS))
    )
    return vocab, m


def niche_profile(
    posts: pd.DataFrame, *, text_col: str = "text", author_col: str = "author_id"
) -> pd.DataFrame:
    """Niche hits per creator from captions and hashtags.

    Parameters
    ----------
    posts : DataFrame
        One row per post with an author column and a text column.

    Returns
    -------
    DataFrame indexed by author with one ``hits_<niche>`` column per niche, ``niche`` (the top
    niche, ``None`` when no keyword matched), ``niche_concentration`` and ``niche_hhi``.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    for c in (text_col, author_col):
        if c not in posts.columns:
            raise ConfigError(
                f"niche_profile: column '{c}' not found in posts; pass text_col/author_col"
            )
    text = posts[text_col].astype("string").fillna("")
    docs = text.groupby(posts[author_col].astype("string"), sort=True).agg(" ".join)
    vocab, kw = _keyword_matrix()
    vec = CountVectorizer(vocabulary=vocab, token_pattern=r"(?u)[a-z0-9]+", lowercase=True)
    counts = vec.transform(docs.to_list()) @ kw
    hits = np.asarray(counts.todense(), dtype=float)
    total = hits.sum(axis=1)
    shares = np.divide(hits, total[:, None], out=np.zeros_like(hits), where=total[:, None] > 0)
    out = pd.DataFrame(hits, index=docs.index, columns=[f"hits_{n}" for n in NICHES])
    top = np.asarray(NICHES, dtype=object)[hits.argmax(axis=1)]
    out["niche"] = pd.Series(np.where(total > 0, top, None), index=docs.index, dtype="string")
    out["niche_concentration"] = np.where(total > 0, shares.max(axis=1), np.nan)
    out["niche_hhi"] = np.where(total > 0, (shares**2).sum(axis=1), np.nan)
    out.index.name = author_col
    return out


def brief_fit(profile: pd.DataFrame, niche: str) -> pd.Series:
    """Fit of each creator to a brief's niche, in [0, 1].

    Uses the share of the creator's niche keyword hits in the brief's niche when hits are
    available, and 1.0 / 0.0 for a matching / non-matching ``niche`` label otherwise.  A niche
    the profile declares besides its main one (``declared_niches``, "fashion|beauty" from a category
    "Fashion|Modeling|Beauty") fits :data:`SECONDARY_FIT`: above the default minimum fit of a
    brief, below a creator whose main niche it is.
    """
    n = canonical_niche(niche)
    if n is None:
        raise ConfigError(f"niche '{niche}' is unknown; use one of {', '.join(NICHES)}")
    label = profile["niche"].astype("string") if "niche" in profile.columns else None
    fit = pd.Series(np.nan, index=profile.index, dtype=float)
    col = f"hits_{n}"
    if col in profile.columns:
        hit_cols = [f"hits_{x}" for x in NICHES if f"hits_{x}" in profile.columns]
        tot = profile[hit_cols].sum(axis=1)
        fit = (profile[col] / tot).where(tot > 0)
    if label is not None:
        by_label = (label == n).astype(float).where(label.notna())
        if "declared_niches" in profile.columns:
            declared = profile["declared_niches"].astype("string").str.split("|")
            second = declared.map(lambda d: isinstance(d, list) and n in d[1:]).astype(bool)
            by_label = by_label.mask(second & (by_label == 0.0), SECONDARY_FIT)
        # a declared category counts at least as much as keyword share
        fit = np.fmax(fit, by_label)
    return fit.astype(float)
