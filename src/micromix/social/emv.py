"""Earned media value (EMV): what organic reach and engagement would have cost as paid media.

``EMV = impressions / 1000 * cpm + likes * per_like + comments * per_comment + shares *
per_share + saves * per_save``; impressions are views when known, else ``followers *
reach_rate``.  The default rates are documented assumptions in US dollars (``EMVRates.currency``,
which listening states beside every EMV), overridable.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.social.emv import earned_media_value
>>> float(earned_media_value(pd.DataFrame({"followers": [10_000], "likes": [500], "comments": [20]}))[0])
32.0
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError

__all__ = ["DEFAULT_EMV_RATES", "EMVRates", "earned_media_value"]


@dataclass(frozen=True)
class EMVRates:
    """Money value of one impression (via CPM) and of each interaction, in ``currency``
    (the default benchmark's: US dollars); an EMV is in the currency of its rates."""

    cpm: float = 7.0
    per_like: float = 0.02
    per_comment: float = 0.40
    per_share: float = 0.40
    per_save: float = 0.40
    reach_rate: float = 0.2
    currency: str = "USD"

    def __post_init__(self) -> None:
        for k, v in asdict(self).items():
            if k == "currency":
                if not str(v).strip():
                    raise ConfigError("EMV rates need a currency (an ISO code such as USD)")
                continue
            if not np.isfinite(v) or v < 0:
                raise ConfigError(f"EMV rate '{k}'={v!r} must be a finite number >= 0")
        if not 0 < self.reach_rate <= 1:
            raise ConfigError(f"EMV rate 'reach_rate'={self.reach_rate!r} must be in (0, 1]")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict; ``EMVRates(**d)`` inverts it."""
        return asdict(self)


DEFAULT_EMV_RATES = EMVRates()


def earned_media_value(
    frame: pd.DataFrame, *, rates: EMVRates | None = None, followers_col: str = "followers"
) -> pd.Series:
    """EMV per row from whichever of ``likes, comments, shares, saves, views`` and
    ``followers_col`` the row reports.

    Like a post's engagements (:func:`micromix.social.columns.engagements_of`), a count the
    row does not report adds nothing, and a row that reports none of them has an unknown
    (NaN) EMV, never 0: a file without engagement counts has earned nothing micromix can
    price, which is not the same as having earned nothing.

    >>> earned_media_value(pd.DataFrame({"likes": [100, None], "views": [None, None]})).tolist()
    [2.0, nan]
    """
    r = rates or DEFAULT_EMV_RATES

    def col(c: str) -> pd.Series:
        if c in frame.columns:
            return pd.to_numeric(frame[c], errors="coerce").astype(float)
        return pd.Series(np.nan, index=frame.index)

    views, followers = col("views"), col(followers_col)
    counts = {c: col(c) for c in ("likes", "comments", "shares", "saves")}
    known = pd.concat([views, followers, *counts.values()], axis=1).notna().any(axis=1)
    impressions = views.where(views > 0, followers * r.reach_rate).fillna(0.0)
    value = (
        impressions / 1000.0 * r.cpm
        + counts["likes"].fillna(0.0) * r.per_like
        + counts["comments"].fillna(0.0) * r.per_comment
        + counts["shares"].fillna(0.0) * r.per_share
        + counts["saves"].fillna(0.0) * r.per_save
    )
    return value.where(known)
