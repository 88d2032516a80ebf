"""Every parameter of the market simulator, in one documented, validated place.

Quickstart
----------
>>> from micromix.simulate.config import SimConfig
>>> cfg = SimConfig(users=2_000, days=14, seed=1)
>>> len(cfg.channels) > 5
True
>>> round(cfg.repeat.profile("paid_social", "mass").mean_lifetime_weeks)
16
>>> SimConfig(users=0)
Traceback (most recent call last):
...
micromix.errors.ConfigError: SimConfig.users must be >= 100, got 0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType

from micromix.errors import ConfigError
from micromix.schema.vocab import STRATEGIES, TARGETING

__all__ = [
    "CREATOR_TIERS",
    "DEFAULT_CHANNELS",
    "DEFAULT_REPEAT_PROFILES",
    "SIMULATOR_VERSION",
    "ChannelSpec",
    "RepeatProfile",
    "RepeatSpec",
    "SimConfig",
]

#: version of the data-generating process; bumped whenever the same seed gives other data.
#: 1: the original simulator. 2: customers buy again after their first purchase (Pareto/NBD +
#: Gamma-Gamma, see :class:`RepeatSpec`); ``SimConfig(repeat=None)`` reproduces version 1's
#: tables exactly.
SIMULATOR_VERSION = 2

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

    @property
    def qualifier(self) -> str | None:
        """The creator tier of an influencer channel, else its targeting."""
        return self.creator_tier if self.strategy == "influencer" else self.targeting


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


#: weeks in the year of the CLV horizons and the annual discount rate
WEEKS_PER_YEAR = 52.0


@dataclass(frozen=True)
class RepeatProfile:
    """How the customers one acquisition strategy wins buy again (time unit: weeks).

    After the first purchase a customer buys at rate ``lambda`` per week while alive and stays
    alive for an exponential lifetime of rate ``mu`` (the Pareto/NBD process of Schmittlein,
    Morrison and Colombo, 1987); each repeat purchase spends a Gamma(``p``, ``nu``) amount
    (the Gamma-Gamma model of Fader, Hardie and Lee, 2005). Across customers
    ``lambda ~ Gamma(r, alpha)``, ``mu ~ Gamma(s, beta)`` and ``nu ~ Gamma(q, gamma)`` (shape,
    rate), independently; the parameters are named as in the papers, so a fitted model can be
    compared with them directly.

    Parameters
    ----------
    r, alpha : float
        Shape and rate (weeks) of the purchase rate: mean ``r / alpha`` purchases per week.
    s, beta : float
        Shape and rate (weeks) of the dropout rate: mean lifetime ``beta / (s - 1)`` weeks.
    p, q, gamma : float
        Gamma-Gamma spend: mean spend per repeat purchase ``p * gamma / (q - 1)`` (``q > 1``).

    Examples
    --------
    >>> prof = RepeatProfile.from_means(purchases_per_week=0.1, lifetime_weeks=52, spend=45)
    >>> (round(prof.mean_purchase_rate, 3), round(prof.mean_lifetime_weeks), prof.mean_spend)
    (0.1, 52, 45.0)
    >>> round(prof.expected_purchases(52), 2)  # by a new customer in their first year
    2.6
    """

    r: float
    alpha: float
    s: float
    beta: float
    p: float = 6.0
    q: float = 4.0
    gamma: float = 22.5

    def __post_init__(self) -> None:
        for name in ("r", "alpha", "s", "beta", "p", "q", "gamma"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise ConfigError(f"RepeatProfile.{name} must be a finite number > 0, got {v!r}")
        if self.q <= 1:
            raise ConfigError(
                f"RepeatProfile.q must be > 1 so that the mean spend is finite, got {self.q}"
            )

    @classmethod
    def from_means(
        cls,
        *,
        purchases_per_week: float,
        lifetime_weeks: float,
        spend: float,
        r: float = 1.2,
        s: float = 2.0,
        p: float = 6.0,
        q: float = 4.0,
    ) -> RepeatProfile:
        """A profile from its means; ``r``, ``s``, ``p``, ``q`` set the heterogeneity."""
        for name, v in (
            ("purchases_per_week", purchases_per_week),
            ("lifetime_weeks", lifetime_weeks),
            ("spend", spend),
        ):
            if not v > 0:
                raise ConfigError(f"RepeatProfile.from_means: {name} must be > 0, got {v}")
        if not s > 1:
            raise ConfigError(f"RepeatProfile.from_means: s must be > 1, got {s}")
        return cls(
            r=r,
            alpha=r / purchases_per_week,
            s=s,
            beta=lifetime_weeks * (s - 1),
            p=p,
            q=q,
            gamma=spend * (q - 1) / p,
        )

    @property
    def mean_purchase_rate(self) -> float:
        """Mean purchases per week of a customer who is alive (``r / alpha``)."""
        return self.r / self.alpha

    @property
    def mean_lifetime_weeks(self) -> float:
        """Mean lifetime after the first purchase, in weeks (infinite when ``s <= 1``)."""
        return self.beta / (self.s - 1) if self.s > 1 else math.inf

    @property
    def mean_spend(self) -> float:
        """Mean spend per repeat purchase (``p * gamma / (q - 1)``)."""
        return self.p * self.gamma / (self.q - 1)

    def expected_purchases(self, weeks: float) -> float:
        """Expected repeat purchases of a new customer in their first ``weeks`` weeks.

        ``E[X(t)] = r beta / (alpha (s - 1)) * (1 - (beta / (beta + t))^(s - 1))``
        (``r beta / alpha * log(1 + t / beta)`` when ``s = 1``).
        """
        t = max(float(weeks), 0.0)
        if abs(self.s - 1) < 1e-12:
            return self.mean_purchase_rate * self.beta * math.log1p(t / self.beta)
        return (
            self.mean_purchase_rate
            * self.beta
            / (self.s - 1)
            * (1 - (self.beta / (self.beta + t)) ** (self.s - 1))
        )

    def expected_value(self, weeks: float, annual_discount: float = 0.1) -> float:
        """Expected discounted spend of a new customer's repeat purchases over ``weeks``.

        ``mean_spend * r / alpha * integral_0^weeks exp(-delta t) (beta / (beta + t))^s dt`` with
        continuous weekly discount ``delta = log(1 + annual_discount) / 52``.
        """
        from scipy.integrate import quad

        t = max(float(weeks), 0.0)
        delta = math.log1p(annual_discount) / WEEKS_PER_YEAR
        integral = quad(
            lambda u: math.exp(-delta * u) * (self.beta / (self.beta + u)) ** self.s, 0.0, t
        )[0]
        return self.mean_spend * self.mean_purchase_rate * integral


def _default_profiles() -> dict[str, RepeatProfile]:
    def prof(rate: float, lifetime: float, spend: float) -> RepeatProfile:
        return RepeatProfile.from_means(
            purchases_per_week=rate, lifetime_weeks=lifetime, spend=spend
        )

    return {
        # baseline demand: people who find the brand on their own
        "direct": prof(0.10, 52, 42.0),
        # customers won by genuine user content trust the brand and stay
        "ugc_organic": prof(0.12, 104, 48.0),
        "ugc_amplified": prof(0.11, 78, 46.0),
        # microtargeted ads reach people with a need; broad ads buy cheap one-off customers
        "paid_social:micro": prof(0.10, 52, 44.0),
        "paid_social:mass": prof(0.07, 16, 34.0),
        # small creators bring loyal niche followers; big creators bring curious one-timers
        "influencer:nano": prof(0.12, 96, 46.0),
        "influencer:micro": prof(0.12, 90, 48.0),
        "influencer:macro": prof(0.09, 30, 42.0),
        "influencer:mega": prof(0.07, 18, 38.0),
    }


#: the default repeat-purchase profiles by acquisition strategy (see :class:`RepeatSpec`)
DEFAULT_REPEAT_PROFILES: Mapping[str, RepeatProfile] = MappingProxyType(_default_profiles())


@dataclass(frozen=True)
class RepeatSpec:
    """Repeat purchases after the first one, by the strategy that won the customer.

    A customer is *acquired* by their first purchase in the campaign period; what caused that
    purchase (a channel's ads, organic user content, or baseline demand: ``direct``) picks the
    customer's :class:`RepeatProfile`. Profiles are looked up by ``strategy:targeting`` (paid
    social, amplified user content), ``strategy:creator_tier`` (influencers), then by
    ``strategy`` alone; ``direct`` and ``ugc_organic`` must be present.

    Parameters
    ----------
    profiles : mapping of str to RepeatProfile
        Defaults to :data:`DEFAULT_REPEAT_PROFILES`.
    add_to_cart_share : float
        Share of repeat purchases preceded by an ``add_to_cart`` event the same day (as first
        purchases).
    """

    profiles: Mapping[str, RepeatProfile] = field(default_factory=lambda: DEFAULT_REPEAT_PROFILES)
    add_to_cart_share: float = 0.7

    def __post_init__(self) -> None:
        for key, prof in self.profiles.items():
            if key.split(":", 1)[0] not in STRATEGIES:
                raise ConfigError(
                    f"RepeatSpec.profiles key {key!r} must start with a strategy "
                    f"({', '.join(STRATEGIES)})"
                )
            if not isinstance(prof, RepeatProfile):
                raise ConfigError(f"RepeatSpec.profiles[{key!r}] must be a RepeatProfile")
        for key in ("direct", "ugc_organic"):
            if key not in self.profiles:
                raise ConfigError(f"RepeatSpec.profiles needs a {key!r} profile")
        if not 0 <= self.add_to_cart_share <= 1:
            raise ConfigError(
                f"RepeatSpec.add_to_cart_share must be in [0, 1], got {self.add_to_cart_share}"
            )

    def key(self, strategy: str, qualifier: str | None = None) -> str | None:
        """The profile key for a strategy and its targeting / creator tier (None if absent)."""
        if qualifier is not None and f"{strategy}:{qualifier}" in self.profiles:
            return f"{strategy}:{qualifier}"
        return strategy if strategy in self.profiles else None

    def profile(self, strategy: str, qualifier: str | None = None) -> RepeatProfile:
        """The profile of customers won by ``strategy`` (and targeting or creator tier)."""
        key = self.key(strategy, qualifier)
        if key is None:
            raise ConfigError(
                f"RepeatSpec has no profile for {strategy!r}; add one keyed {strategy!r} or "
                f"'{strategy}:{qualifier}'"
            )
        return self.profiles[key]


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
    platform_share : dict
        Share of consumers on each platform.
    repeat : RepeatSpec or None
        Repeat purchases after a customer's first purchase (None: nobody buys again except by
        chance, as in simulator version 1, whose tables ``repeat=None`` reproduces exactly).
    observe_days : int
        Days observed after the campaign in which the only events are the customers' repeat
        purchases (0: none); gives a buy-till-you-die model enough history to fit.
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
    repeat: RepeatSpec | None = field(default_factory=RepeatSpec)
    observe_days: int = 0

    def __post_init__(self) -> None:
        if self.users < 100:
            raise ConfigError(f"SimConfig.users must be >= 100, got {self.users}")
        if not 7 <= self.days <= 3660:
            raise ConfigError(f"SimConfig.days must be between 7 and 3660, got {self.days}")
        if not 0 < self.base_purchase_rate < 0.5:
            raise ConfigError(
                f"SimConfig.base_purchase_rate must be in (0, 0.5), got {self.base_purchase_rate}"
            )
        if not 0 <= self.observe_days <= 3660:
            raise ConfigError(
                f"SimConfig.observe_days must be between 0 and 3660, got {self.observe_days}"
            )
        if self.observe_days and self.repeat is None:
            raise ConfigError(
                "SimConfig.observe_days needs repeat purchases to observe; set repeat=RepeatSpec()"
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
            if self.repeat is not None and self.repeat.key(c.strategy, c.qualifier) is None:
                raise ConfigError(
                    f"channel {c.name}: SimConfig.repeat has no profile for {c.strategy!r}; "
                    f"add one keyed {c.strategy!r} or '{c.strategy}:{c.qualifier}'"
                )

    @property
    def total_days(self) -> int:
        """Campaign days plus observed days after it."""
        return self.days + self.observe_days

    @property
    def n_creators(self) -> int:
        return self.creators if self.creators is not None else max(300, self.users // 50)

    def with_(self, **changes: object) -> SimConfig:
        """A copy with ``changes`` applied (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]
