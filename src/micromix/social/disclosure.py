"""Sponsorship disclosure detection: #ad, #sponsored, paid-partnership tags and the like.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.social.disclosure import is_sponsored_text
>>> is_sponsored_text(pd.Series(["Love this! #ad", "my dog loves it", "#Werbung neu"])).tolist()
[True, False, True]
"""

from __future__ import annotations

import re

import pandas as pd

from micromix.social.columns import to_bool

__all__ = ["DISCLOSURE_PATTERN", "is_sponsored_text", "sponsored_flags"]

#: disclosure hashtags and phrases (FTC/ASA wording and common non-English equivalents)
DISCLOSURE_PATTERN = re.compile(
    r"#(?:ad|ads|advert|advertisement|sponsored|sponsor|spon|paidpartnership|paidpartner|"
    r"partner|brandpartner|gifted|giftedby|prsample|pr|werbung|anzeige|publicidad|publi|"
    r"sponsorisé|sponsorizzato|samarbete|reklama|adv|affiliate|affiliatelink|collab)(?![\w])"
    r"|paid partnership|sponsored by|in partnership with|"
    r"thanks to @\w+ for (?:sponsoring|partnering)|use (?:my )?code \w+|discount code|"
    r"promo code|affiliate link",
    re.IGNORECASE,
)


def is_sponsored_text(text: pd.Series) -> pd.Series:
    """True where a caption carries a disclosure (``#ad``, ``paid partnership``, promo code...).

    Bare words are only counted as hashtags or clear phrases, so "ad" inside ordinary prose
    ("I had an ad-free day") is not flagged.
    """
    s = text.astype("string").fillna("")
    return s.str.contains(DISCLOSURE_PATTERN, regex=True).fillna(False).astype(bool)


def sponsored_flags(posts: pd.DataFrame) -> pd.Series:
    """Combine an explicit flag, sponsor tags and caption disclosures into one boolean series.

    Uses, when present: ``is_sponsored`` (any truthy value), ``sponsor_users`` (non-empty:
    the Instagram paid-partnership tag) and ``text`` (disclosure hashtags and phrases).
    """
    flag = pd.Series(False, index=posts.index)
    if "is_sponsored" in posts.columns:
        flag |= to_bool(posts["is_sponsored"]).fillna(0.0).astype(bool)
    if "sponsor_users" in posts.columns:
        su = posts["sponsor_users"].astype("string").str.strip()
        flag |= (su.notna() & (su != "") & (su != "[]")).fillna(False).astype(bool)
    if "text" in posts.columns:
        flag |= is_sponsored_text(posts["text"])
    return flag
