"""Every parameter of the market simulator, in one documented, validated place.

Quickstart
----------
>>> from micromix.simulate.config import SimConfig
>>> cfg = SimConfig(users=2_000, days=14, seed=1)
>>> len(cfg.channels) > 5
True
>>> SimConfig(users=0)
Traceback (most recent call last):
...
micromix.errors.ConfigError: SimConfig.users must be >= 100, got 0
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from micromix.errors import ConfigError
from micromix.schema.vocab import STRATEGIES, TARGETING

__all__ = ["CREATOR_TIERS", "DEFAULT_CHANNELS", "ChannelSpec", "SimConfig"]

#: default creator tiers by followers (lower bound inclusive)
CREATOR_TIERS: tuple[tuple[str, int], ...] = (
    ("nano", 1_000),
    ("micro", 10_000),
    ("macro", 100_000),
    ("mega", 1_000_000),
)


def _check_in(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


@dataclass(frozen=True)
class ChannelSpec:
    """One paid (or amplified) channel of the simulated market.

    Budgets and response are expressed per 1,000 simulated users so that the market keeps its
    shape at any size. Incremental conversions per day are
    ``beta * hill(adstock(spend); k, slope)`` per 1,000 users, with geometric adstock
    normalised so that a constant spend ``x`` has adstock ``x``.

    Parameters
    ----------
    name : str
        Unique channel name, e.g. ``paid_social:instagram:micro``.
    strategy : str
        One of the contract's strategies (paid_social, ugc_amplified, influencer).
    platform : str
    targeting : str or None
        ``micro`` or ``mass`` for paid messages.
    creator_tier : str or None
        nano / micro / macro / mega for influencer channels.
    daily_budget : float
        Spend per day per 1,000 users (currency units).
    cpm : float
        Cost per 1,000 impressions.
    ctr : float
        Click-through rate of an impression.
    engagement_rate : float
        Engagements (likes, comments, shares, saves) per impression.
    beta : float
        Maximum incremental conversions per day per 1,000 users.
    k : float
        Daily spend per 1,000 users at which half of ``beta`` is reached.
    slope : float
        Hill slope (> 0); 1 is concave from the first dollar.
    adstock : float
        Geometric carry-over per day, in [0, 1).
    eligible_share : float
        Share of the platform's users this channel may reach.
    holdout : float
        Share of eligible users randomly held out (the lift test).
    trackability : float
        Share of incremental conversions the platform can attribute (click / pixel).
    """

    name: str
    strategy: str
    platform: str
    targeting: str | None = None
    creator_tier: str | None = None
    daily_budget: float = 1.0
    cpm: float = 8.0
    ctr: float = 0.01
    engagement_rate: float = 0.01
    beta: float = 0.05
    k: float = 1.0
    slope: float = 1.0
    adstock: float = 0.3
    eligible_share: float = 1.0
    holdout: float = 0.3
    trackability: float = 0.85

    def __post_init__(self) -> None:
        _check_in(f"ChannelSpec({self.name}).strategy", self.strategy, STRATEGIES)
        if self.targeting is not None:
            _check_in(f"ChannelSpec({self.name}).targeting", self.targeting, TARGETING)
        for name in ("daily_budget", "cpm", "beta", "k", "slope"):
            if getattr(self, name) <= 0:
                raise ConfigError(
                    f"ChannelSpec({self.name}).{name} must be > 0, got {getattr(self, name)}"
                )
        for name in ("ctr", "engagement_rate", "eligible_share", "holdout", "trackability"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ConfigError(f"ChannelSpec({self.name}).{name} must be in [0, 1], got {v}")
        if not 0 <= self.adstock < 1:
            raise ConfigError(
                f"ChannelSpec({self.name}).adstock must be in [0, 1), got {self.adstock}"
            )


def _ch(name: str, **kw: object) -> ChannelSpec:
    strategy, platform, *rest = name.split(":")
    extra = rest[0] if rest else None
    if strategy == "influencer":
        kw.setdefault("creator_tier", extra)
    elif extra:
        kw.setdefault("targeting", extra)
    return ChannelSpec(name=name, strategy=strategy, platform=platform, **kw)  # type: ignore[arg-type]


#: the default pet-brand market: paid social micro/mass per platform, amplified user content,
#: and influencer marketing by creator tier
DEFAULT_CHANNELS: tuple[ChannelSpec, ...] = (
    _ch(
        "paid_social:instagram:mass",
        daily_budget=0.4,
        cpm=6.0,
        ctr=0.008,
        engagement_rate=0.006,
        beta=0.075,
        k=0.4,
        adstock=0.35,
        eligible_share=1.0,
        trackability=0.8,
    ),
    _ch(
        "paid_social:instagram:micro",
        daily_budget=0.225,
        cpm=13.0,
        ctr=0.018,
        engagement_rate=0.012,
        beta=0.075,
        k=0.125,
        adstock=0.3,
        eligible_share=0.25,
        trackability=0.9,
    ),
    _ch(
        "paid_social:tiktok:mass",
        daily_budget=0.3,
        cpm=5.0,
        ctr=0.007,
        engagement_rate=0.01,
        beta=0.0525,
        k=0.35,
        adstock=0.25,
        eligible_share=1.0,
        trackability=0.75,
    ),
    _ch(
        "paid_social:tiktok:micro",
        daily_budget=0.15,
        cpm=11.0,
        ctr=0.015,
        engagement_rate=0.016,
        beta=0.0525,
        k=0.1125,
        adstock=0.2,
        eligible_share=0.25,
        trackability=0.85,
    ),
    _ch(
        "paid_social:facebook:mass",
        daily_budget=0.3,
        cpm=7.0,
        ctr=0.009,
        engagement_rate=0.004,
        beta=0.045,
        k=0.45,
        adstock=0.4,
        eligible_share=1.0,
        trackability=0.85,
    ),
    _ch(
        "paid_social:facebook:micro",
        daily_budget=0.15,
        cpm=14.0,
        ctr=0.016,
        engagement_rate=0.007,
        beta=0.045,
        k=0.1375,
        adstock=0.35,
        eligible_share=0.25,
        trackability=0.9,
    ),
    _ch(
        "ugc_amplified:instagram:micro",
        daily_budget=0.175,
        cpm=9.0,
        ctr=0.016,
        engagement_rate=0.025,
        beta=0.075,
        k=0.1375,
        adstock=0.4,
        eligible_share=0.3,
        trackability=0.85,
    ),
    _ch(
        "ugc_amplified:tiktok:mass",
        daily_budget=0.2,
        cpm=6.0,
        ctr=0.012,
        engagement_rate=0.03,
        beta=0.075,
        k=0.225,
        adstock=0.35,
        eligible_share=1.0,
        trackability=0.8,
    ),
    _ch(
        "influencer:instagram:nano",
        daily_budget=0.0875,
        cpm=10.0,
        ctr=0.012,
        engagement_rate=0.06,
        beta=0.033,
        k=0.075,
        adstock=0.5,
        eligible_share=0.2,
        trackability=0.4,
    ),
    _ch(
        "influencer:instagram:micro",
        daily_budget=0.15,
        cpm=11.0,
        ctr=0.011,
        engagement_rate=0.04,
        beta=0.0525,
        k=0.15,
        adstock=0.5,
        eligible_share=0.35,
        trackability=0.4,
    ),
    _ch(
        "influencer:tiktok:macro",
        daily_budget=0.225,
        cpm=16.0,
        ctr=0.007,
        engagement_rate=0.025,
        beta=0.045,
        k=0.325,
        adstock=0.45,
        eligible_share=0.6,
        trackability=0.35,
    ),
    _ch(
        "influencer:instagram:mega",
        daily_budget=0.3,
        cpm=22.0,
        ctr=0.004,
        engagement_rate=0.015,
        beta=0.0375,
        k=0.45,
        adstock=0.4,
        eligible_share=0.8,
        trackability=0.3,
    ),
)


@dataclass(frozen=True)
class SimConfig:
    """Configuration of the simulated market (all rates per user per day unless stated).

    Parameters
    ----------
    users : int
        Simulated consumers.
    days : int
        Length of the campaign period.
    seed : int
        Random seed; the same config and seed give the same market.
    start : date
        First day (UTC).
    channels : tuple of ChannelSpec
        Paid / amplified / influencer channels.
    base_purchase_rate : float
        Mean daily purchase probability without any marketing.
    order_value : float
        Mean order value (log-normal, sigma ``order_value_sigma``).
    weekly_seasonality : float
        Relative amplitude of the weekly cycle in baseline demand.
    search_rate : float
        Mean searches (micro-moments) per user per day.
    mobile_share : float
        Share of micro-moment searches made on a phone.
    ugc_post_rate : float
        Probability that a purchase leads to an organic user post.
    ugc_views_per_post : float
        Mean organic views of a user post (heavy-tailed).
    ugc_beta, ugc_k : float
        Incremental conversions per day per 1,000 users from organic user content, as a Hill
        function of adstocked organic views per 1,000 users.
    ugc_adstock : float
    surges : int
        Micro-moment surges injected into the search stream (ground truth in ``surges``).
    creators : int or None
        Creators in the market (default ``max(300, users // 50)``).
    fake_creator_share : float
        Share of creators with a large share of fake followers.
    pre_days : int
        Pre-period length used for the experiments' CUPED covariate.
    """

    users: int = 50_000
    days: int = 56
    seed: int = 7
    start: date = date(2026, 3, 2)
    channels: tuple[ChannelSpec, ...] = DEFAULT_CHANNELS
    base_purchase_rate: float = 0.0008
    order_value: float = 45.0
    order_value_sigma: float = 0.5
    weekly_seasonality: float = 0.15
    search_rate: float = 0.06
    mobile_share: float = 0.68
    ugc_post_rate: float = 0.08
    ugc_views_per_post: float = 400.0
    ugc_beta: float = 0.03
    ugc_k: float = 20.0
    ugc_adstock: float = 0.6
    surges: int = 4
    creators: int | None = None
    fake_creator_share: float = 0.15
    pre_days: int = 28
    platform_share: dict[str, float] = field(
        default_factory=lambda: {"instagram": 0.62, "tiktok": 0.45, "facebook": 0.55}
    )

    def __post_init__(self) -> None:
        if self.users < 100:
            raise ConfigError(f"SimConfig.users must be >= 100, got {self.users}")
        if not 7 <= self.days <= 3660:
            raise ConfigError(f"SimConfig.days must be between 7 and 3660, got {self.days}")
        if not 0 < self.base_purchase_rate < 0.5:
            raise ConfigError(
                f"SimConfig.base_purchase_rate must be in (0, 0.5), got {self.base_purchase_rate}"
            )
        names = [c.name for c in self.channels]
        if len(set(names)) != len(names):
            raise ConfigError("SimConfig.channels must have unique names")
        for c in self.channels:
            if c.platform not in self.platform_share:
                raise ConfigError(
                    f"channel {c.name}: platform {c.platform!r} has no entry in platform_share "
                    f"({', '.join(self.platform_share)})"
                )

    @property
    def n_creators(self) -> int:
        return self.creators if self.creators is not None else max(300, self.users // 50)

    def with_(self, **changes: object) -> SimConfig:
        """A copy with ``changes`` applied (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]
