"""Profile column aliases for creator exports (Instagram, TikTok, Kaggle, CRM sheets).

Quickstart
----------
>>> import pandas as pd
>>> from micromix.influencers.columns import canonical_profiles
>>> df = pd.DataFrame({"Username": ["a"], "#Followers": ["12.5K"], "#Followees": [300]})
>>> row = canonical_profiles(df).iloc[0]
>>> row["creator_id"], float(row["followers"]), float(row["following"])
('a', 12500.0, 300.0)
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from micromix.errors import DataValidationError
from micromix.schema.values import CURRENCY_SIGNS, ISO_4217_CODES, currencies_of_symbol
from micromix.social.columns import (
    canonicalize,
    cell_place,
    check_non_negative,
    identifier_column,
    normalize_name,
    strict_flags,
    strict_numbers,
    to_bool,
)

__all__ = [
    "FLAG_FIELDS",
    "NO_COUNTRY",
    "NUMERIC_FIELDS",
    "PROFILE_ALIASES",
    "canonical_profiles",
]

#: canonical profile field -> accepted spellings (matched case- and punctuation-insensitively)
PROFILE_ALIASES: dict[str, tuple[str, ...]] = {
    "followers": (
        "followers",
        "userFollowerCount",
        "#Followers",
        "followers_count",
        "follower_count",
        "num_followers",
        "nb_followers",
        "n_followers",
        "followerCount",
        "fans",
        "fans_count",
        "subscribers",
        "subscriber_count",
        "audience_size",
        "Followers count",
        "edge_followed_by",
    ),
    "following": (
        "following",
        "#Followees",
        "followees",
        "#follows",
        "follows",
        "following_count",
        "userFollowingCount",
        "follows_count",
        "friends_count",
        "num_following",
        "followingCount",
        "edge_follow",
    ),
    "posts": (
        "posts",
        "#posts",
        "media_count",
        "post_count",
        "posts_count",
        "num_posts",
        "nb_posts",
        "userMediaCount",
        "mediaCount",
        "videoCount",
        "video_count",
        "statuses_count",
        "uploads",
    ),
    "bio_length": ("bio_length", "description length", "biography_length", "desc_length"),
    "bio": ("bio", "biography", "description", "about", "signature"),
    "has_profile_pic": (
        "has_profile_pic",
        "profile pic",
        "profile_pic",
        "profile picture",
        "has_profile_picture",
        "profilepic",
        "avatar",
        "has_avatar",
    ),
    "is_private": ("is_private", "private", "private_account"),
    "has_external_link": (
        "has_external_link",
        "external URL",
        "external_url",
        "external link",
        "website",
        "url",
        "link_in_bio",
        "bio_link",
    ),
    "username_digit_ratio": ("username_digit_ratio", "nums/length username"),
    "category": (
        "category",
        "categories",
        "niche",
        "topic",
        "vertical",
        "genre",
        "business_category",
        "category_name",
    ),
    "platform": ("platform", "network", "social_network", "channel"),
    "country": ("country", "country_code", "location", "region", "market"),
    "rate_per_post": ("rate_per_post", "rate", "price", "price_per_post", "fee", "cost_per_post"),
    "avg_likes": ("avg_likes", "average_likes", "mean_likes", "likes_avg", "avg likes"),
    "avg_comments": ("avg_comments", "average_comments", "mean_comments", "comments_avg"),
    "avg_views": ("avg_views", "average_views", "mean_views", "views_avg"),
    #: likes + comments (+ shares) per post, as creator rankings state it ("Engagement avg")
    "avg_engagements": (
        "avg_engagements",
        "avg_engagement",
        "average_engagements",
        "average_engagement",
        "engagement_avg",
        "engagements_avg",
        "mean_engagements",
    ),
    "engagement_rate_input": (
        "engagement_rate",
        "engagement rate",
        "er",
        "60_day_eng_rate",
        "60d_eng_rate",
        "eng_rate",
    ),
}

#: fields parsed as numbers (``"12.5K"`` and ``"1,234"`` accepted; see
#: :func:`~micromix.social.columns.strict_numbers`)
NUMERIC_FIELDS = (
    "followers",
    "following",
    "posts",
    "bio_length",
    "username_digit_ratio",
    "rate_per_post",
    "avg_likes",
    "avg_comments",
    "avg_views",
    "avg_engagements",
    "engagement_rate_input",
)
#: numeric fields that are rates: ``"1.39%"`` reads as 0.0139, no ``K``/``M`` abbreviations
RATE_FIELDS = ("engagement_rate_input", "username_digit_ratio")
#: fields that are counts (refused when negative)
COUNT_FIELDS = ("followers", "following", "posts")
#: country cells that name a list's scope, not a country (a ranking's "All"): read as no country
NO_COUNTRY = ("all", "global", "worldwide", "international")
#: fields parsed as yes/no flags
FLAG_FIELDS = ("has_profile_pic", "is_private", "has_external_link")


def canonical_profiles(df: pd.DataFrame, *, source: str = "input") -> pd.DataFrame:
    """Return a copy of ``df`` with canonical profile columns added and typed.

    The identifying column of the input (``username``, ``handle``, ``id``...) is copied to
    ``creator_id``; if there is none, the row number is used.  Numeric fields accept strings
    such as ``"475.8m"``; flags accept yes/no, true/false and 1/0; a free-text ``bio`` and a
    ``url`` column are turned into ``bio_length`` and ``has_external_link`` (a link means yes).
    A country of "All", "Global", "Worldwide" or "International" (:data:`NO_COUNTRY`; a
    ranking list's scope, as in a "top 1000, All countries" export) is no country: left empty,
    with ``attrs["country_scope"]`` counting the rows and their values.

    Raises
    ------
    DataValidationError
        When ``df`` has no rows, a numeric cell is not blank and cannot be read as a number
        (``"12,50"``, ``"abc"``; placeholders such as ``-`` or ``N/A`` count as blank), a flag
        cell is not blank and not a yes/no word (``"maybe"``), or a count column holds
        negative numbers.  The message names the file, the row and the input's column.
    """
    if len(df) == 0:
        raise DataValidationError(
            f"{source}: the profile table has no rows; pass at least one creator"
        )
    id_col = identifier_column(df)
    out = canonicalize(df, PROFILE_ALIASES)
    if id_col is not None:
        out["creator_id"] = df[id_col].astype("string").to_numpy()
    else:
        out["creator_id"] = pd.Series(range(1, len(df) + 1), index=df.index).astype("string")

    def place(f: str) -> Callable[[int], str]:
        return cell_place(df, (f, *PROFILE_ALIASES[f]), source, out[f])

    # cells of the engagement rate written with a per-cent sign ("1.39%") are fractions once read
    er_pct = (
        out["engagement_rate_input"].astype("string").str.contains("%", regex=False)
        if "engagement_rate_input" in out.columns
        else None
    )
    if er_pct is not None:  # the cells as written, to name them when the unit is unclear
        er_raw = out["engagement_rate_input"].astype("string")
        er_where = place("engagement_rate_input")
    if "rate_per_post" in out.columns:
        _require_us_dollars(df, out["rate_per_post"], place("rate_per_post"), source)
        out["rate_per_post"] = _rate_cells(out["rate_per_post"])
    for f in NUMERIC_FIELDS:
        if f in out.columns:
            out[f] = strict_numbers(out[f], place(f), rate=f in RATE_FIELDS)
            if f in COUNT_FIELDS:
                check_non_negative(out[f], f, source)
    if er_pct is not None:
        out["engagement_rate_input"], unit_note = _rate_as_fraction(
            out["engagement_rate_input"], er_pct.fillna(False).astype(bool), er_raw, er_where
        )
        if unit_note is not None:
            out.attrs.setdefault("notes", []).append(unit_note)
    for f in FLAG_FIELDS:
        if f in out.columns:
            # a website / external URL column holds the link itself: a link means yes
            out[f] = strict_flags(out[f], place(f), url=f == "has_external_link")
    if "bio_length" not in out.columns and "bio" in out.columns:
        bio = out["bio"].astype("string")
        flag = to_bool(out["bio"])
        # LIMFADD-style Y/N bio flags become 1-character / 0-character stand-ins
        out["bio_length"] = bio.str.len().astype(float).where(flag.isna(), flag)
        out["bio_length"] = out["bio_length"].fillna(0.0).where(out["bio"].notna())
    for c in ("category", "platform"):
        if c in out.columns:
            out[c] = out[c].astype("string").str.strip().str.lower()
    if "country" in out.columns:
        country = out["country"].astype("string").str.strip()
        scope = country.str.lower().isin(NO_COUNTRY).fillna(False).astype(bool)
        if scope.any():
            out.attrs["country_scope"] = {
                "rows": int(scope.sum()),
                "values": sorted(set(country[scope].dropna())),
            }
        out["country"] = country.mask(scope)
    return out


#: a rate card's unit after the price ("$500 per post", "400 EUR / video"): said, not a number
_PER_POST = re.compile(
    r"\s*(?:/|\bper\b|\ba\b|\beach\b)\s*(?:sponsored\s+)?"
    r"(?:post|video|reel|story|stories|short|tweet|upload)s?\s*\.?\s*$",
    re.IGNORECASE,
)
#: the one-character signs that name one currency other than the dollar (``€``, ``£``, ``₹``
#: ...), from the project's symbol table; ``¥`` (JPY or CNY) is added for the refusal
_OTHER_SIGNS = {s: c for c, s in CURRENCY_SIGNS.items() if c != "USD"}
_WORD = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})(?![A-Za-z])")
#: an amount alone, as beside a currency code ("300" of "300 eur")
_AMOUNT = re.compile(r"\s*[\d.,]*\d[\d.,]*\s*[kKmMbB]?\s*")
#: a currency sign of any kind (``$``, ``€``, ``R$`` ...): what is not a letter, digit,
#: blank or number punctuation
_SIGN = re.compile(r"[^\w\s.,/'+\-()]")
_USD_WORD = re.compile(r"(?<![A-Za-z])usd(?![A-Za-z])", re.IGNORECASE)
#: columns that state the currency of a row's rate
_CURRENCY_COLUMNS = ("currency", "currency_code", "rate_currency", "price_currency")


def _rate_cells(rate: pd.Series) -> pd.Series:
    """A rate column with a rate card's unit after the price dropped ("$500 per post" ->
    "$500": the price is per post already) and ``usd`` written ``USD``, as the number reader
    reads it. Other words stay, for the reader to refuse."""
    is_text = rate.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if not is_text.any():
        return rate
    out = rate.astype(object).copy()
    out[is_text] = [_USD_WORD.sub("USD", _PER_POST.sub("", v)) for v in out[is_text]]
    return out


def _cell_currency(cell: str) -> str | None:
    """The currency other than US dollars a rate cell states, or None (dollars or none said).

    A sign naming one currency (``€``, ``£``, ``C$``, ``R$``), ``¥``, or an ISO 4217 code
    (:data:`~micromix.schema.values.ISO_4217_CODES`) other than USD; any other three letters
    ("per", "fee") are words, not a currency. A code in lower case counts only next to the
    amount ("300 eur"), so a word that happens to be a code ("all in", "try") stays a word.
    ``$`` alone is US dollars, as everywhere in micromix.
    """
    cell = _PER_POST.sub("", cell)
    names = currencies_of_symbol(cell)
    if not names and not _SIGN.search(cell):  # "300 eur": a code in lower case
        names = currencies_of_symbol(cell.upper())
    names &= ISO_4217_CODES  # "500 XYZ": three capitals in a code's place are no currency yet
    if names and "USD" not in names:
        return " or ".join(sorted(names))
    sign = next((c for s, c in _OTHER_SIGNS.items() if s in cell), None)
    if sign is not None:
        return "CNY or JPY" if sign == "JPY" else sign
    for m in _WORD.finditer(cell):
        word = m.group(1)
        code = word.upper()
        if code == "USD" or code not in ISO_4217_CODES:
            continue
        near = _AMOUNT.fullmatch(cell[: m.start()]) or _AMOUNT.fullmatch(cell[m.end() :])
        if word.isupper() or near:
            return code
    return None


def _unread_code(cell: str) -> str | None:
    """Three capital letters where a currency code goes ("500 XYZ", "XYZ 500", "$500 FEE")
    that are no ISO 4217 code, or None. The number reader takes them for a code and reads the
    amount, so such a rate would be read in no known currency unless refused."""
    names = currencies_of_symbol(_PER_POST.sub("", cell))
    code = next(iter(names)) if len(names) == 1 else None
    if code is None or code in ISO_4217_CODES or not re.fullmatch(r"[A-Z]{3}", code):
        return None
    return code


def _require_us_dollars(
    df: pd.DataFrame, rate: pd.Series, where: Callable[[int], str], source: str
) -> None:
    """Refuse a stated rate per post in another currency than US dollars.

    Costs, budgets and cost per engagement are in US dollars; "€250" read as 250 would be
    compared with a dollar budget and summed with "£1,200" as if both were dollars.
    """
    fix = (
        "creator costs and budgets are in US dollars; convert the rates to USD (or remove the "
        "column to use micromix's estimate) and run the command again"
    )
    for i, cell in enumerate(rate.astype("string").to_numpy(dtype=object, na_value=None)):
        if cell is None:
            continue
        other = _cell_currency(cell)
        if other is not None:
            raise DataValidationError(f"{where(i + 1)}: {cell!r} is in {other}; {fix}")
        unread = _unread_code(cell)
        if unread is not None:
            raise DataValidationError(
                f"{where(i + 1)}: {cell!r} is not in a currency micromix reads - {unread!r} is "
                "no ISO 4217 code (micromix reads a currency by its ISO 4217 code, such as USD "
                f"or EUR, or its sign, such as $ or €); {fix}"
            )
    named = [c for c in df.columns if normalize_name(c) in _CURRENCY_COLUMNS]
    for c in named:
        for i, cell in enumerate(df[c].astype("string").to_numpy(dtype=object, na_value=None)):
            said = _currency_column_cell(cell)
            if said is not None:
                raise DataValidationError(f"{source}: row {i + 1}, field {c!r}: {said}; {fix}")


#: a currency column's ways of saying US dollars: ``$``, ``US$``, ``USD``, ``US dollars``
_USD_NAME = re.compile(
    r"(?:u\.?s\.?\s*)?\$|usd|(?:(?:u\.?s\.?|united\s+states)\s*)?dollars?", re.IGNORECASE
)


def _currency_column_cell(cell: str | None) -> str | None:
    """What is wrong with a currency column's cell, or None when it says US dollars or is blank.

    The cell is read with the rate cells' rules (:func:`_cell_currency`) as if beside an
    amount, so a code in lower case ("eur") and a sign alone ("C$") count; ``$``, ``US$``,
    ``USD`` and "US dollars" are US dollars.  Anything else is refused rather than taken for
    dollars ("xyz" could be any currency).
    """
    text = (cell or "").strip()
    if not text or _USD_NAME.fullmatch(text):
        return None
    other = _cell_currency(f"1 {text}") or _cell_currency(f"{text}1")
    if other is not None and all(c in ISO_4217_CODES for c in other.split(" or ")):
        return f"the rates are in {other} ({text!r})"
    return f"{text!r} is not a currency micromix reads (US dollars are $, US$ or USD)"


def _rate_as_fraction(
    er: pd.Series, pct_sign: pd.Series, raw: pd.Series, where: Callable[[int], str]
) -> tuple[pd.Series, str | None]:
    """An engagement-rate column as fractions, its unit decided once for the whole column,
    with a note when a cell's ``%`` sign decided it (None otherwise).

    Cells written with ``%`` were read as fractions already.  Bare numbers (no ``%``) all at
    most 1 are fractions (0.031); all above 1 are per cent (3.2).  Bare numbers on both sides
    of 1 (0.031, 1.4) cannot be told apart - 1.4 may be 1.4% or a TikTok rate of 140%, and
    0.8 beside 3.2 may be 0.8% or 80% - so the column is refused naming both cells, unless a
    cell written with ``%`` says the column is in per cent: then the bare numbers are per cent
    and the note names that cell.  A bare 0 is 0 in either unit and decides nothing.
    """
    bare = er.where(~pct_sign).to_numpy(dtype=float, na_value=float("nan"))
    small = ((bare > 0.0) & (bare <= 1.0)).nonzero()[0]
    big = (bare > 1.0).nonzero()[0]
    if len(big) == 0:
        return er, None
    as_per_cent = er.where(pct_sign, er / 100.0)
    if len(small) == 0:
        return as_per_cent, None
    pct = pct_sign.to_numpy(dtype=bool).nonzero()[0]
    s, b = int(small[0]), int(big[0])
    if len(pct) == 0:
        raise DataValidationError(
            f"{where(s + 1)}: the engagement rates mix fractions and per cent - {raw.iat[s]!r} "
            f"here is at most 1 (a fraction, or under 1%) while row {b + 1} has "
            f"{raw.iat[b]!r} (per cent, or a rate above 100%); write the rates with % signs "
            "('3.1%') or all as fractions (0.031) and run the command again"
        )
    d = int(pct[0])
    n = len(small) + len(big)
    return as_per_cent, (
        f"{where(d + 1)}: {raw.iat[d]!r} is written with a % sign, so the column's {n:,} bare "
        f"engagement rate{'s are' if n != 1 else ' is'} read as per cent too (row {s + 1}'s "
        f"{raw.iat[s]!r} as {float(bare[s]):g}%, not {float(bare[s]) * 100:g}%); write them with % "
        "signs or as fractions if that is wrong"
    )
