"""Creator cost: estimated rate per post, cost per engagement, earned media value.

The estimates follow published rules of thumb (documented, overridable via
:class:`CostAssumptions`):

* ``rate = max(min_fee, followers / 1000 * rate_per_1k[platform] * tier_multiplier[tier]
  * engagement_multiplier)``, with ``rate_per_1k`` about $10 on Instagram (the "$100 per 10K
  followers" rule), $8 on TikTok, $20 on YouTube, $5 on Facebook and $2 on X/LinkedIn;
  ``tier_multiplier`` discounts large accounts (per-follower prices fall with size);
  ``engagement_multiplier = clip(sqrt(ER / benchmark_ER[tier]), 0.5, 2.0)`` so a creator with
  four times the usual engagement for their tier costs about twice as much;
* ``expected_engagements = followers * ER``; ``cost_per_engagement = rate /
  expected_engagements``;
* earned media value ``EMV = impressions / 1000 * cpm + likes * per_like + comments *
  per_comment + shares * per_share + saves * per_save``, impressions being views when known,
  else ``followers * reach_rate``.

A rate the input already states (``rate_per_post``) always wins over the estimate.

Quickstart
----------
>>> from micromix.influencers.cost import CostAssumptions, estimate_rate
>>> round(float(estimate_rate([20_000], [0.025], ["instagram"])[0]), 2)
200.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError
from micromix.influencers.tiers import TierScheme, assign_tiers, get_tier_scheme
from micromix.social.emv import EMVRates
from micromix.social.emv import earned_media_value as _emv

__all__ = [
    "DEFAULT_COST_ASSUMPTIONS",
    "CostAssumptions",
    "earned_media_value",
    "estimate_rate",
]


def _positive(name: str, value: float) -> None:
    if not np.isfinite(value) or value < 0:
        raise ConfigError(f"cost assumption '{name}'={value!r} must be a finite number >= 0")


@dataclass(frozen=True)
class CostAssumptions:
    """Documented pricing assumptions (US$); override any of them.

    Parameters
    ----------
    rate_per_1k : mapping
        Price per 1,000 followers per post by platform (``default`` for unknown platforms).
    tier_multiplier : mapping
        Multiplier per tier of the default tier scheme.
    benchmark_er : mapping
        Typical median engagement rate per tier, used to scale price by engagement.
    min_fee : float
        Lowest fee per post.
    emv : EMVRates
        Earned media value rates (CPM, value per like/comment/share/save, reach rate).
    """

    rate_per_1k: Mapping[str, float] = field(
        default_factory=lambda: {
            "instagram": 10.0,
            "tiktok": 8.0,
            "youtube": 20.0,
            "facebook": 5.0,
            "x": 2.0,
            "twitter": 2.0,
            "linkedin": 2.0,
            "default": 10.0,
        }
    )
    tier_multiplier: Mapping[str, float] = field(
        default_factory=lambda: {
            "below_nano": 1.0,
            "nano": 1.0,
            "micro": 1.0,
            "macro": 0.8,
            "mega": 0.6,
            "below_micro": 1.0,
        }
    )
    benchmark_er: Mapping[str, float] = field(
        default_factory=lambda: {
            "below_nano": 0.05,
            "nano": 0.04,
            "micro": 0.025,
            "macro": 0.015,
            "mega": 0.01,
            "below_micro": 0.05,
        }
    )
    min_fee: float = 25.0
    emv: EMVRates = field(default_factory=EMVRates)

    def __post_init__(self) -> None:
        _positive("min_fee", float(self.min_fee))
        if isinstance(self.emv, Mapping):
            allowed = set(EMVRates().to_dict())
            if set(self.emv) - allowed:
                raise ConfigError(
                    f"unknown EMV rate(s) {sorted(set(self.emv) - allowed)}; allowed: {', '.join(sorted(allowed))}"
                )
            object.__setattr__(self, "emv", EMVRates(**self.emv))
        for group in ("rate_per_1k", "tier_multiplier", "benchmark_er"):
            for k, v in getattr(self, group).items():
                _positive(f"{group}[{k}]", float(v))
        if "default" not in self.rate_per_1k:
            raise ConfigError("cost assumption 'rate_per_1k' needs a 'default' entry")

    def emv_rates(self) -> EMVRates:
        """The earned-media-value part of these assumptions."""
        return self.emv

    def to_dict(self) -> dict[str, Any]:
        """Plain dict; :meth:`from_dict` inverts it."""
        return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CostAssumptions:
        """Build from a (partial) dict; missing keys keep their defaults."""
        base = cls().to_dict()
        unknown = set(d) - set(base)
        if unknown:
            raise ConfigError(
                f"unknown cost assumption(s) {sorted(unknown)}; allowed: {', '.join(sorted(base))}"
            )
        for k, v in d.items():
            base[k] = {**base[k], **v} if isinstance(base[k], dict) else v
        return cls(**base)


DEFAULT_COST_ASSUMPTIONS = CostAssumptions()


def estimate_rate(
    followers: Sequence[float] | np.ndarray | pd.Series,
    engagement_rate: Sequence[float] | np.ndarray | pd.Series | None = None,
    platform: Sequence[str] | np.ndarray | pd.Series | str | None = None,
    *,
    assumptions: CostAssumptions | None = None,
    scheme: TierScheme | str | None = None,
) -> np.ndarray:
    """Estimated fee per post (NaN where followers are missing); see the module formulas."""
    a = assumptions or DEFAULT_COST_ASSUMPTIONS
    f = pd.to_numeric(pd.Series(np.asarray(followers, dtype=float)), errors="coerce")
    tiers = assign_tiers(f, get_tier_scheme(scheme)).astype("category")
    tmult = tiers.map(dict(a.tier_multiplier)).astype(float).fillna(1.0).where(tiers.notna())
    if platform is None or isinstance(platform, str):
        rate1k = pd.Series(
            float(a.rate_per_1k.get((platform or "default").lower(), a.rate_per_1k["default"])),
            index=f.index,
        )
    else:
        plat = pd.Series(np.asarray(platform, dtype=object)).astype("string").str.lower()
        rate1k = plat.astype("category").map(dict(a.rate_per_1k)).astype(float)
        rate1k = rate1k.fillna(float(a.rate_per_1k["default"]))
    emult = pd.Series(1.0, index=f.index)
    if engagement_rate is not None:
        er = pd.Series(np.asarray(engagement_rate, dtype=float))
        bench = tiers.map(dict(a.benchmark_er)).astype(float)
        ratio = np.sqrt(er / bench)
        emult = ratio.clip(0.5, 2.0).fillna(1.0)
    rate = f / 1000.0 * rate1k * tmult.astype(float) * emult
    return np.fmax(rate.to_numpy(dtype=float), a.min_fee) * np.where(f.notna(), 1.0, np.nan)


def earned_media_value(
    frame: pd.DataFrame,
    *,
    assumptions: CostAssumptions | None = None,
    followers_col: str = "followers",
) -> pd.Series:
    """Earned media value per row with the EMV rates of ``assumptions``.

    See :func:`micromix.social.emv.earned_media_value` for the formula.
    """
    a = assumptions or DEFAULT_COST_ASSUMPTIONS
    return _emv(frame, rates=a.emv_rates(), followers_col=followers_col)
