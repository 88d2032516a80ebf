"""Organisation authors: a brand's own account, a retailer or a media outlet posting about a
brand is not user-generated content.

Read from what exports carry: the handle (the brand's name with nothing but a region or
``official`` / ``store`` / ``shop`` around it is the brand's; a handle ending in ``shop``,
``store``, ``boutique``, ``magazine``, ``mag``, ``media``, ``news``, ``clothing``, ``agency``...
is a business, ``inc``, ``llc``, ``brands`` only after ``_`` / ``.`` or a firm's word such as
``supply`` or ``club``: bare, they end people's names, "frncissdominc", "sigridurgudbrands"),
and where a file has them the author's display name (``shop``, ``media``, ``news`` ending it:
"Acme Media", not "Sam - media student"), bio, category,
business-account and verified columns (``author_name``, ``author_bio``, ``author_category``,
``author_is_business``, ``author_verified``, see :data:`~micromix.social.columns.POST_ALIASES`;
a TikTok dump's ``authorMeta.nickName`` / ``signature`` / ``verified``). ``official`` alone is
not enough: many people's accounts are ``janedoeofficial`` and fans name themselves "Official
Taylor Fan"; nor is ``magazine`` outside a publisher's phrase ("magazine collector"). Creators
use business accounts and people are verified: those flags count only beside another sign of
a business (a handle with ``shop`` / ``studio`` / ``news`` in it, ``shipping``, ``est. 2015``,
``our team`` in the name or bio, a category that is not a creator's).

Quickstart
----------
>>> import pandas as pd
>>> from micromix.social.listening import BrandSpec
>>> posts = pd.DataFrame({"author_id": ["gymshark_uk", "petstore", "mia", "gymsharklover"]})
>>> organisation_authors(posts, BrandSpec("Gymshark")).tolist()
['brand-named account', 'business handle', <NA>, <NA>]
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from micromix.social.columns import to_bool
from micromix.social.listening import BrandSpec

__all__ = ["BRAND_NAMED", "organisation_authors"]

#: the reason given for the brand's own accounts (classified ``owned``)
BRAND_NAMED = "brand-named account"
#: what may stand around the brand's name in its own handles
_AROUND_BRAND = (
    r"(?:official|officiel|offiziell|oficial|ufficiale|store|stores|shop|shops|hq|global|team|"
    r"brand|world|worldwide|usa|us|uk|eu|de|fr|it|es|nl|pl|au|ca|in|jp|br|mx|se|dk|no|"
    r"women|men|kids|baby|beauty|pets|outlet|online|inc|co)"
)
#: what may stand before it ("theofficialgymshark", "shopgymshark")
_BEFORE_BRAND = r"(?:the|get|shop|official|theofficial)"
#: a handle that ends in (or starts with) what businesses call themselves; ``shop`` not as a
#: verb ("chloelovestoshop"); ``inc``, ``llc``, ``brands`` only after a separator
#: (``crunk.inc``, ``jc_brands``) or a firm's word (``ecsupplyinc``): bare, they end people's
#: names ("frncissdominc", "kevinc", the patronymic "sigridurgudbrands", "jennaleeannllc")
_BUSINESS_HANDLE = re.compile(
    r"(?:(?<!bi)(?<!to)shop|shops|store|stores|boutique|boutiques|outlet|magazine|mag|media|"
    r"mediagroup|news|clothing|apparel|agency|ltd|gmbh|studios|retail|wholesale|"
    r"[._](?:inc|llc|brands)|(?:supply|supplies|club|group|company|enterprises?|industries|"
    r"holdings|designs?|creative|productions?|records|labs?|solutions|services|works|goods|"
    r"trading|collective|ventures)(?:inc|llc|brands))"
    r"(?:[._][a-z]{2})?$|^shop[._]|^the(?:shop|store)",
)
#: a magazine as a publisher or a shop names it ("Lovechild Magazine", "an independent
#: magazine", "magazine shop"); "magazine collector" or "fashion magazine lover" is a person
_MAGAZINE = (
    r"(?:\bmagazines?\s+(?:shop|store|stand|publisher|publishing|subscriptions?|media|group)\b|"
    r"(?:^|\b(?:an?|the)\s+)magazine\s+(?:for|about|of|dedicated|celebrating)\b|"
    r"\b(?:online|digital|print|independent|indie|quarterly|monthly|weekly|bi-?annual|annual|"
    r"biannual)\s+magazine\b(?!\s+(?:collector|lover|addict|fan|reader|junkie|hoarder|nerd|"
    r"enthusiast|editor|writer|journalist|contributor|photographer|stylist|intern)s?\b)|"
    r"\b(?:we are|we're)\s+an?\s+(?:\w+\s+){0,3}magazine\b)"
)
#: "official" with what it is official of ("Official account of Zara", "Zara Official Store");
#: "official" alone is what fans write too ("Official Taylor Fan")
_OFFICIAL_OF = r"\bofficial\s+(?:account|page|store|shop|profile|site|channel|instagram|tiktok)\b"
#: a shop's or an outlet's word in a display name, not as a person uses it ("loves to shop",
#: "social media", "media student", "shop my looks")
_SHOP_WORD = (
    r"(?<!\bto\s)(?<!\bsocial\s)\b(?:store|shop|boutique|media|news)\b"
    r"(?!\s+(?:student|lover|addict|junkie|fan|enthusiast|manager|strategist|consultant|coach|"
    r"creator|specialist|marketer|influencer|major|graduate|personality|girl|guy|queen|king)s?\b"
    r"|\s+(?:my|the|this|these|her|his|our)\b)"
)
#: a display name that is a business's: the shop's word ends the name ("Acme Media", "Pet
#: Shop 🐶", "Zara Store"); elsewhere in it ("Jane | media & lifestyle") it is only a hint
_BUSINESS_NAME = re.compile(
    rf"{_OFFICIAL_OF}|\b(?:ltd|inc|llc|gmbh|s\.?a\.?r\.?l|co\.|company|retail|outlet)\b|"
    rf"{_SHOP_WORD}(?:\s+(?:group|network|ltd|inc|llc|co\.?))?[\W_]*$|\bmagazine\s*$|{_MAGAZINE}",
    re.IGNORECASE,
)
_HINT_NAME = re.compile(_SHOP_WORD, re.IGNORECASE)
#: a bio that is a business's
_BUSINESS_BIO = re.compile(
    r"\bofficial (?:account|page|instagram|tiktok|twitter|profile)\b|\bonline (?:store|shop)\b|"
    r"\bshop now\b|\bworldwide shipping\b|\bfree shipping\b|\bcustomer (?:service|care)\b|"
    r"\bdm (?:us )?(?:for|to) order|\border (?:now|online)\b|\bour (?:store|shop|products)\b|"
    rf"\bnews (?:outlet|site|agency)\b|{_MAGAZINE}",
    re.IGNORECASE,
)
#: an account category that is a business's
_BUSINESS_CATEGORY = re.compile(
    r"brand|retail|shopping|store|shop|company|business|media|news|magazine|publisher|"
    r"organi[sz]ation|agency|product/service",
    re.IGNORECASE,
)
#: what a person's (creator's) account names as its category
_PERSON_CATEGORY = re.compile(
    r"creator|blog|public figure|artist|musician|band|athlete|actor|actress|writer|author|"
    r"photographer|videographer|gamer|comedian|model|influencer|personal|dancer|chef|coach|"
    r"journalist|editor|designer|entrepreneur|fan page|sports person|teacher|scientist|doctor",
    re.IGNORECASE,
)
#: weaker signs of a business that, beside a business-account or verified flag, make the
#: account an organisation (creators use business accounts: the flag alone is not enough;
#: "official" and "pre-order my book" are what people write too)
_HINT_HANDLE = re.compile(
    r"shop|store|boutique|outlet|magazine|media|news|clothing|apparel|agency|studio|salon|cafe|"
    r"bakery|restaurant|clinic|hotel|brewery|wholesale|retail"
)
_HINT_TEXT = re.compile(
    r"\b(?:shipping|ships (?:to|worldwide|from)|deliver(?:y|ies|ing)|wholesale|"
    r"retailers?|stockists?|est\.?\s?\d{4}|since \d{4}|established|opening hours|open daily|"
    r"book (?:now|online|an appointment)|bookings|reservations|handmade|"
    r"(?:we|our team) (?:make|makes|sell|design|create|offer|deliver|ship|are an?)|"
    r"our (?:team|products?|collections?|stores?|shops?|clients|customers|menu)|"
    r"studio|salon|cafe|café|bakery|restaurant|clinic|hotel|brewery|company|co\.)\b",
    re.IGNORECASE,
)


def _compact(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", value.lower())


def organisation_authors(posts: pd.DataFrame, brand: BrandSpec) -> pd.Series:
    """Per post, why its author is an organisation (:data:`BRAND_NAMED` for the brand's own
    accounts, ``business handle``, ``business name``, ``business bio``, ``business
    category``, ``business account``, ``verified account``: a flag with another sign of a
    business), or NA for a person (as far as the file tells).

    ``posts`` is canonical (:func:`~micromix.social.columns.canonical_posts`).
    """
    out = pd.Series(pd.NA, index=posts.index, dtype="string")

    def col(name: str) -> pd.Series:
        if name not in posts.columns:
            return pd.Series(pd.NA, index=posts.index, dtype="string")
        return posts[name].astype("string").str.strip()

    def mark(hit: pd.Series, why: str) -> None:
        hit = hit.astype("boolean").fillna(False).to_numpy(dtype=bool) & out.isna().to_numpy(
            dtype=bool
        )
        out[hit] = why

    handle = (
        col("author_id").str.lower().str.lstrip("@").astype(object).where(lambda h: h.notna(), None)
    )
    names = [_compact(n) for n in (brand.name, *brand.aliases, *brand.handles) if n]
    names = sorted({n for n in names if len(n) >= 4}, key=len, reverse=True)
    if names:
        own = re.compile(
            rf"^{_BEFORE_BRAND}?(?:{'|'.join(map(re.escape, names))}){_AROUND_BRAND}{{0,2}}$"
        )
        mark(
            pd.Series([isinstance(h, str) and bool(own.match(_compact(h))) for h in handle]),
            BRAND_NAMED,
        )
    mark(
        handle.str.replace(r"\d+$", "", regex=True).str.contains(_BUSINESS_HANDLE),
        "business handle",
    )
    mark(col("author_name").str.contains(_BUSINESS_NAME), "business name")
    mark(col("author_bio").str.contains(_BUSINESS_BIO), "business bio")
    category = col("author_category")
    mark(category.str.contains(_BUSINESS_CATEGORY), "business category")

    def has(values: pd.Series, pattern: re.Pattern[str]) -> np.ndarray:
        return values.fillna("").astype(str).str.contains(pattern).to_numpy(dtype=bool)

    named = category.fillna("").astype(str).str.len().to_numpy() > 0
    hint = (
        has(handle, _HINT_HANDLE)
        | has(col("author_name"), _HINT_TEXT)
        | has(col("author_name"), _HINT_NAME)
        | has(col("author_bio"), _HINT_TEXT)
        | (named & ~has(category, _PERSON_CATEGORY))
    )
    for flag, why in (
        ("author_is_business", "business account"),
        ("author_verified", "verified account"),
    ):
        if flag in posts.columns:
            mark(pd.Series((to_bool(posts[flag]).fillna(0.0) > 0).to_numpy() & hint), why)
    return out
