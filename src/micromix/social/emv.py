"""Earned media value (EMV): what organic reach and engagement would have cost as paid media.

``EMV = impressions / 1000 * cpm + likes * per_like + comments * per_comment + shares *
per_share + saves * per_save``; impressions are views when known, else ``followers *
reach_rate``.  The default rates are documented assumptions (US$), overridable.

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
    """Money value of one impression (via CPM) and of each interaction, US$."""

    cpm: float = 7.0
    per_like: float = 0.02
    per_comment: float = 0.40
    per_share: float = 0.40
    per_save: float = 0.40
    reach_rate: float = 0.2

    def __post_init__(self) -> None:
        for k, v in asdict(self).items():
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
    ``followers_col`` exist (missing counts count as 0)."""
    r = rates or DEFAULT_EMV_RATES

    def col(c: str) -> pd.Series:
        if c in frame.columns:
            return pd.to_numeric(frame[c], errors="coerce").astype(float).fillna(0.0)
        return pd.Series(0.0, index=frame.index)

    views = (
        pd.to_numeric(frame["views"], errors="coerce").astype(float)
        if "views" in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )
    impressions = views.where(views > 0, col(followers_col) * r.reach_rate)
    return (
        impressions / 1000.0 * r.cpm
        + col("likes") * r.per_like
        + col("comments") * r.per_comment
        + col("shares") * r.per_share
        + col("saves") * r.per_save
    )
