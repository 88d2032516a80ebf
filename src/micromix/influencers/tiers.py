"""Creator tiers by follower count, with configurable thresholds.

Default scheme (the industry convention): nano 1K-10K, micro 10K-100K, macro 100K-1M,
mega 1M+; accounts under 1K are ``below_nano``.  The marketing preset ``"marketing"`` uses the
broad definition micro = 1K-100K.

Quickstart
----------
>>> from micromix.influencers.tiers import assign_tiers, get_tier_scheme
>>> assign_tiers([500, 5_000, 50_000, 500_000, 5_000_000]).tolist()
['below_nano', 'nano', 'micro', 'macro', 'mega']
>>> assign_tiers([5_000, 50_000], get_tier_scheme("marketing")).tolist()
['micro', 'micro']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError

__all__ = [
    "DEFAULT_TIER_SCHEME",
    "MARKETING_TIER_SCHEME",
    "TIER_PRESETS",
    "TierScheme",
    "assign_tiers",
    "get_tier_scheme",
]


@dataclass(frozen=True)
class TierScheme:
    """Named tiers with lower follower bounds.

    Parameters
    ----------
    names : tuple of str
        Tier names from smallest to largest, e.g. ``("nano", "micro", "macro", "mega")``.
    lower_bounds : tuple of float
        Follower count at which each tier starts (strictly increasing, same length as
        ``names``).  Accounts below the first bound get ``below_label``.
    below_label : str
        Label for accounts smaller than the first tier.
    """

    names: tuple[str, ...] = ("nano", "micro", "macro", "mega")
    lower_bounds: tuple[float, ...] = (1_000.0, 10_000.0, 100_000.0, 1_000_000.0)
    below_label: str = "below_nano"
    lookup_name: str = field(default="custom", compare=False)

    def __post_init__(self) -> None:
        if len(self.names) == 0 or len(self.names) != len(self.lower_bounds):
            raise ConfigError(
                f"tier scheme: names {self.names!r} and lower_bounds {self.lower_bounds!r} must be "
                "non-empty and of the same length"
            )
        b = np.asarray(self.lower_bounds, dtype=float)
        if (b < 0).any() or (np.diff(b) <= 0).any():
            raise ConfigError(
                f"tier scheme: lower_bounds {self.lower_bounds!r} must be >= 0 and strictly increasing"
            )
        if len(set(self.names)) != len(self.names):
            raise ConfigError(f"tier scheme: tier names {self.names!r} must be unique")

    @property
    def labels(self) -> list[str]:
        """All labels in size order, the below-first-tier label first."""
        return [self.below_label, *self.names]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict; :meth:`from_dict` inverts it."""
        return {
            "lookup_name": self.lookup_name,
            "names": list(self.names),
            "lower_bounds": list(self.lower_bounds),
            "below_label": self.below_label,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TierScheme:
        """Build a scheme from :meth:`to_dict` output."""
        return cls(
            names=tuple(d["names"]),
            lower_bounds=tuple(float(x) for x in d["lower_bounds"]),
            below_label=d.get("below_label", "below_nano"),
            lookup_name=d.get("lookup_name", "custom"),
        )


DEFAULT_TIER_SCHEME = TierScheme(lookup_name="default")
#: "micro" in the broad marketing sense: 1K-100K followers
MARKETING_TIER_SCHEME = TierScheme(
    names=("micro", "macro", "mega"),
    lower_bounds=(1_000.0, 100_000.0, 1_000_000.0),
    below_label="below_micro",
    lookup_name="marketing",
)
TIER_PRESETS: dict[str, TierScheme] = {
    "default": DEFAULT_TIER_SCHEME,
    "marketing": MARKETING_TIER_SCHEME,
}


def get_tier_scheme(name: str | TierScheme | None = None) -> TierScheme:
    """Return a preset by name (``default`` or ``marketing``) or pass a scheme through."""
    if name is None:
        return DEFAULT_TIER_SCHEME
    if isinstance(name, TierScheme):
        return name
    try:
        return TIER_PRESETS[name]
    except KeyError:
        raise ConfigError(
            f"tier scheme '{name}' is unknown; use one of {', '.join(sorted(TIER_PRESETS))}"
        ) from None


def assign_tiers(
    followers: Sequence[float] | np.ndarray | pd.Series, scheme: TierScheme | str | None = None
) -> pd.Series:
    """Tier label per follower count (missing counts give ``<NA>``).

    Vectorised with :func:`numpy.searchsorted`; runs on millions of rows in milliseconds.
    """
    sch = get_tier_scheme(scheme)
    f = np.asarray(pd.to_numeric(pd.Series(followers), errors="coerce"), dtype=float)
    idx = np.searchsorted(np.asarray(sch.lower_bounds, dtype=float), f, side="right")
    labels = np.asarray(sch.labels, dtype=object)
    out = labels[np.clip(idx, 0, len(labels) - 1)]
    index = followers.index if isinstance(followers, pd.Series) else None
    res = pd.Series(out, index=index, dtype="string")
    res[np.isnan(f)] = pd.NA
    return res
