"""Organisation authors: a brand's own account, a retailer or a media outlet posting about a
brand is not user-generated content.

Read from what exports carry: the handle (the brand's name with nothing but a region or
``official`` / ``store`` / ``shop`` around it is the brand's; a handle ending in ``shop``,
``store``, ``boutique``, ``magazine``, ``media``, ``news``, ``clothing``, ``agency``, ``inc``...
is a business), and where a file has them the author's display name, bio, category and
business-account columns (``author_name``, ``author_bio``, ``author_category``,
``author_is_business``, see :data:`~micromix.social.columns.POST_ALIASES`). ``official`` alone
is not enough: many people's accounts are ``janedoeofficial``.

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
#: a handle that ends in (or starts with) what businesses call themselves
_BUSINESS_HANDLE = re.compile(
    r"(?:(?<!bi)shop|shops|store|stores|boutique|boutiques|outlet|magazine|mag|media|mediagroup|"
    r"news|clothing|apparel|agency|brands|inc|ltd|llc|gmbh|studios|retail|wholesale)"
    r"(?:[._][a-z]{2})?$|^shop[._]|^the(?:shop|store)",
)
#: a display name that is a business's
_BUSINESS_NAME = re.compile(
    r"\b(?:official|store|shop|boutique|magazine|media|news|ltd|inc|llc|gmbh|s\.?a\.?r\.?l|"
    r"co\.|company|retail|outlet)\b",
    re.IGNORECASE,
)
#: a bio that is a business's
_BUSINESS_BIO = re.compile(
    r"\bofficial (?:account|page|instagram|tiktok|twitter|profile)\b|\bonline (?:store|shop)\b|"
    r"\bshop now\b|\bworldwide shipping\b|\bfree shipping\b|\bcustomer (?:service|care)\b|"
    r"\bdm (?:us )?(?:for|to) order|\border (?:now|online)\b|\bour (?:store|shop|products)\b|"
    r"\bnews (?:outlet|site|agency)\b|\bmagazine\b",
    re.IGNORECASE,
)
#: an account category that is a business's
_BUSINESS_CATEGORY = re.compile(
    r"brand|retail|shopping|store|shop|company|business|media|news|magazine|publisher|"
    r"organi[sz]ation|agency|product/service",
    re.IGNORECASE,
)


def _compact(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", value.lower())


def organisation_authors(posts: pd.DataFrame, brand: BrandSpec) -> pd.Series:
    """Per post, why its author is an organisation (:data:`BRAND_NAMED` for the brand's own
    accounts, ``business handle``, ``business name``, ``business bio``, ``business
    category``, ``business account``), or NA for a person (as far as the file tells).

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
    mark(col("author_category").str.contains(_BUSINESS_CATEGORY), "business category")
    if "author_is_business" in posts.columns:
        mark(to_bool(posts["author_is_business"]).fillna(0.0) > 0, "business account")
    return out
