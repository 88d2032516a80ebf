"""The seeded market simulator: a pet-products brand's consumers, channels and ground truth.

Everything is vectorised with NumPy; a day-by-channel loop draws counts and assigns them to
users. The simulator emits the same contracts as real data (``events``, ``ad_performance``,
``posts``, ``creators``, ``audience``, ``experiments``) plus the truth no real data set has:

* ``ground_truth`` — spend, impressions, attributed and *incremental* conversions and revenue per
  channel (strategy x platform x targeting / creator tier) and week. Incremental figures are
  expectations under the data-generating process (the estimand a lift test targets).
* ``surges`` — micro-moment surges injected into the search stream.
* :class:`TrueResponse` — the true expected incremental revenue as a function of spend per
  channel, usable by the budget optimizer.

How the market works
--------------------
Each channel ``c`` has a daily budget; realised spend buys impressions at its CPM. Spend is
adstocked (geometric, normalised) and saturates (Hill curve), giving the expected incremental
conversions ``I[c, t]`` for day ``t``. Those conversions are drawn (Poisson) and given to the
channel's *exposed* users in proportion to their responsiveness. A random share of each channel's
eligible users is held out (never exposed): the lift test in ``experiments``. Baseline purchases
happen regardless of marketing. Attribution is last-touch-like: incremental conversions are
credited to their channel with the channel's trackability, and baseline purchases of exposed users
are often credited too — so attributed figures flatter channels, as on real platforms.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> m = simulate(SimConfig(users=2_000, days=14, seed=3))
>>> m.events.num_rows > 0 and set(m.ground_truth["strategy"]) >= {"paid_social", "influencer"}
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time

import numpy as np
import pandas as pd
import pyarrow as pa

from micromix.schema.vocab import EVENT_TYPES, MOMENTS, STRATEGIES
from micromix.simulate.config import CREATOR_TIERS, ChannelSpec, SimConfig
from micromix.simulate.text import QUERY_BANK, TOPICS, UGC_TEMPLATES, make_caption

__all__ = ["Market", "TrueResponse", "hill", "simulate"]

_US_PER_DAY = 86_400_000_000
_AGE_BANDS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")
_AGE_P = (0.03, 0.17, 0.27, 0.22, 0.16, 0.15)
_REGIONS = ("US-CA", "US-NY", "US-TX", "US-FL", "US-IL", "UK", "DE", "FR", "ES", "NL")
_REGION_P = (0.16, 0.12, 0.12, 0.09, 0.06, 0.14, 0.12, 0.08, 0.06, 0.05)
_PETS = ("dog", "cat", "fish", "bird", "small_pets")
_HOUR_P = np.array(
    [
        1,
        0.6,
        0.4,
        0.3,
        0.3,
        0.5,
        1.2,
        2.2,
        3,
        3.2,
        3.3,
        3.5,
        4,
        3.6,
        3.4,
        3.4,
        3.6,
        4.2,
        5,
        5.6,
        5.8,
        5,
        3.5,
        2,
    ]
)
_HOUR_P = _HOUR_P / _HOUR_P.sum()
_ENGAGE_TYPES = ("like", "comment", "share", "save")
_ENGAGE_P = (0.72, 0.1, 0.08, 0.1)


def hill(x: np.ndarray | float, k: float, slope: float) -> np.ndarray:
    """Hill saturation ``x^s / (k^s + x^s)`` (0 at 0, 1/2 at ``k``, 1 at infinity)."""
    x = np.maximum(np.asarray(x, dtype="float64"), 0.0)
    xs = x**slope
    return xs / (k**slope + xs)


@dataclass
class TrueResponse:
    """The simulator's true response: expected incremental revenue of a spend plan.

    Satisfies :class:`micromix.optimize.ResponseModel` structurally. A constant daily spend keeps
    the (normalised) adstock equal to the spend, so over a horizon of ``days`` the expected
    incremental revenue of channel ``c`` given total spend ``s`` is
    ``days * users/1000 * beta * hill(s / days / (users/1000)) * order_value``.

    Parameters
    ----------
    channels : list of str
    specs : list of ChannelSpec
    users : int
    days : int
        Planning horizon in days.
    order_value : float
    """

    channels: list[str]
    specs: list[ChannelSpec]
    users: int
    days: int
    order_value: float
    #: what :meth:`response` returns
    outcome: str = "revenue"

    def curve(self, channel: str, spend: np.ndarray | float) -> np.ndarray:
        """Expected incremental revenue of one ``channel`` for total horizon ``spend``."""
        spec = self.specs[self.channels.index(channel)]
        scale = self.users / 1000.0
        daily = np.asarray(spend, dtype="float64") / self.days / scale
        return self.days * scale * spec.beta * hill(daily, spec.k, spec.slope) * self.order_value

    def channel_response(self, spend: np.ndarray) -> np.ndarray:
        """Per-channel incremental revenue; ``spend`` has shape ``(..., n_channels)``."""
        arr = np.asarray(spend, dtype="float64")
        if arr.shape[-1] != len(self.channels):
            raise ValueError(
                f"spend must end in {len(self.channels)} channels, got shape {arr.shape}"
            )
        return np.stack([self.curve(c, arr[..., i]) for i, c in enumerate(self.channels)], axis=-1)

    def response(self, spend: np.ndarray | dict[str, float]) -> np.ndarray:
        """Total expected incremental revenue; ``spend`` is ``(..., n_channels)`` or a dict."""
        if isinstance(spend, dict):
            spend = np.array([spend.get(c, 0.0) for c in self.channels], dtype="float64")
        return self.channel_response(np.asarray(spend, dtype="float64")).sum(axis=-1)

    @property
    def current_spend(self) -> np.ndarray:
        """Spend per channel over the horizon at the configured daily budgets."""
        scale = self.users / 1000.0
        return np.array([s.daily_budget * scale * self.days for s in self.specs])


@dataclass
class Market:
    """A simulated market: the contract tables plus ground truth.

    Attributes
    ----------
    events : pyarrow.Table
        The ``events`` contract (large; convert with ``.to_pandas()`` if needed).
    ad_performance, posts, creators, audience, experiments : DataFrame
        The other contracts.
    ground_truth : DataFrame
        Per channel and week: spend, impressions, attributed and incremental conversions/revenue.
    surges : DataFrame
        Injected micro-moment surges: key, moment, topic, region, start, end, multiplier.
    config : SimConfig
    """

    events: pa.Table
    ad_performance: pd.DataFrame
    posts: pd.DataFrame
    creators: pd.DataFrame
    audience: pd.DataFrame
    experiments: pd.DataFrame
    ground_truth: pd.DataFrame
    surges: pd.DataFrame
    config: SimConfig

    def true_response(self, days: int | None = None) -> TrueResponse:
        """The true response curves over a horizon (default: the simulated period)."""
        cfg = self.config
        return TrueResponse(
            [c.name for c in cfg.channels],
            list(cfg.channels),
            cfg.users,
            days or cfg.days,
            cfg.order_value,
        )

    def tables(self) -> dict[str, pa.Table | pd.DataFrame]:
        """Every table by its store name."""
        return {
            "events": self.events,
            "ad_performance": self.ad_performance,
            "posts": self.posts,
            "creators": self.creators,
            "audience": self.audience,
            "experiments": self.experiments,
            "ground_truth": self.ground_truth,
            "surges": self.surges,
        }

    def __repr__(self) -> str:
        return (
            f"Market(users={self.config.users:,}, days={self.config.days}, "
            f"events={self.events.num_rows:,}, channels={len(self.config.channels)})"
        )


class _Chunks:
    """Accumulates event columns as arrays and builds one Arrow table at the end."""

    def __init__(self) -> None:
        self.cols: dict[str, list[np.ndarray]] = {
            k: []
            for k in (
                "user",
                "day",
                "us",
                "etype",
                "channel",
                "strategy",
                "platform",
                "post",
                "creator",
                "query",
                "moment",
                "device",
                "cost",
                "revenue",
            )
        }

    def add(self, n: int, **cols: np.ndarray | int | float) -> None:
        if n == 0:
            return
        defaults = {
            "channel": -1,
            "strategy": -1,
            "platform": -1,
            "post": -1,
            "creator": -1,
            "query": -1,
            "moment": -1,
            "device": 0,
            "cost": 0.0,
            "revenue": 0.0,
        }
        for k in self.cols:
            v = cols.get(k, defaults.get(k))
            if v is None:
                raise KeyError(k)
            arr = np.asarray(v)
            if arr.ndim == 0:
                arr = np.full(n, arr)
            self.cols[k].append(arr)

    def cat(self, k: str) -> np.ndarray:
        return np.concatenate(self.cols[k]) if self.cols[k] else np.array([])


def _pick_weighted(
    rng: np.random.Generator, cum: np.ndarray, members: np.ndarray, n: int
) -> np.ndarray:
    if n == 0 or len(members) == 0:
        return np.empty(0, dtype=np.int64)
    idx = np.searchsorted(cum, rng.random(n) * cum[-1], side="right")
    return members[np.minimum(idx, len(members) - 1)]


def _times(rng: np.random.Generator, day: np.ndarray | int, n: int) -> np.ndarray:
    hour = rng.choice(24, size=n, p=_HOUR_P)
    return (
        np.asarray(day, dtype=np.int64) * _US_PER_DAY
        + hour * 3_600_000_000
        + rng.integers(0, 3_600_000_000, size=n)
    )


def simulate(
    config: SimConfig | None = None, *, progress: Callable[[str, float], None] | None = None
) -> Market:
    """Simulate a market.

    Parameters
    ----------
    config : SimConfig, optional
        Defaults to ``SimConfig()``.
    progress : callable, optional
        Called as ``progress(step, fraction_done)``.

    Returns
    -------
    Market
    """
    cfg = config or SimConfig()
    report = progress or (lambda step, frac: None)
    rng = np.random.default_rng(cfg.seed)
    n, days = cfg.users, cfg.days
    scale = n / 1000.0
    channels = list(cfg.channels)
    n_ch = len(channels)
    platforms = list(cfg.platform_share)
    plat_index = {p: i for i, p in enumerate(platforms)}
    strat_index = {s: i for i, s in enumerate(STRATEGIES)}

    report("consumers", 0.02)
    # ---------------------------------------------------------------- consumers
    age = rng.choice(len(_AGE_BANDS), size=n, p=_AGE_P)
    gender = rng.choice(3, size=n, p=(0.52, 0.45, 0.03))
    region = rng.choice(len(_REGIONS), size=n, p=_REGION_P)
    pet = rng.choice(len(_PETS), size=n, p=(0.48, 0.36, 0.06, 0.04, 0.06))
    minor = age == 0
    consent_ads = (rng.random(n) < 0.72) & ~minor
    opt_out = rng.random(n) < 0.09
    gpc = rng.random(n) < 0.05
    targetable = consent_ads & ~opt_out & ~gpc & ~minor
    on_platform = np.stack([rng.random(n) < cfg.platform_share[p] for p in platforms])
    # responsiveness to marketing and baseline propensity to buy (heterogeneous)
    age_mult = np.array([0.6, 1.1, 1.3, 1.1, 0.9, 0.7])[age]
    pet_mult = np.array([1.25, 1.1, 0.7, 0.7, 0.8])[pet]
    resp = rng.lognormal(0.0, 0.6, n) * age_mult * pet_mult
    base = (
        cfg.base_purchase_rate * rng.gamma(2.0, 0.5, n) * np.array([1.2, 1.1, 0.7, 0.6, 0.8])[pet]
    )
    segment_score = np.log(resp) + rng.normal(0, 0.45, n)

    # ---------------------------------------------------------------- eligibility & holdouts
    exposed: list[np.ndarray] = []
    eligible: list[np.ndarray] = []
    held: list[np.ndarray] = []
    for c in channels:
        pool = np.flatnonzero(on_platform[plat_index[c.platform]])
        if c.targeting == "micro":
            pool = pool[targetable[pool]]
            k = round(c.eligible_share * len(np.flatnonzero(on_platform[plat_index[c.platform]])))
            k = min(k, len(pool))
            pool = pool[np.argsort(-segment_score[pool], kind="stable")[:k]]
        elif c.eligible_share < 1:
            pool = pool[rng.random(len(pool)) < c.eligible_share]
        pool = np.sort(pool)
        hold = rng.random(len(pool)) < c.holdout
        eligible.append(pool)
        held.append(hold)
        exposed.append(pool[~hold])
    exposed_cum = [np.cumsum(resp[e]) for e in exposed]
    exposed_mask = np.zeros((n_ch, n), dtype=bool)
    for i, e in enumerate(exposed):
        exposed_mask[i, e] = True

    # ---------------------------------------------------------------- creators
    n_cr = cfg.n_creators
    followers = np.minimum((1_000 * (rng.pareto(0.62, n_cr) + 1)).astype(np.int64), 400_000_000)
    tier_bounds = np.array([b for _, b in CREATOR_TIERS])
    tier = np.clip(
        np.searchsorted(tier_bounds, followers, side="right") - 1, 0, len(CREATOR_TIERS) - 1
    )
    fake = rng.random(n_cr) < cfg.fake_creator_share
    niche = rng.choice(
        ("pet", "lifestyle", "fitness", "beauty", "food", "travel"),
        size=n_cr,
        p=(0.35, 0.2, 0.12, 0.12, 0.11, 0.1),
    )
    creator_platform = rng.choice(("instagram", "tiktok"), size=n_cr, p=(0.65, 0.35))
    rate = np.round(12.0 * (followers / 1000.0) ** 0.85 * rng.lognormal(0, 0.25, n_cr), 2)
    creators = pd.DataFrame(
        {
            "creator_id": [f"c{i:06d}" for i in range(n_cr)],
            "platform": creator_platform,
            "handle": [f"@{n}_{i}" for i, n in enumerate(niche)],
            "followers": followers,
            "following": np.where(
                fake, rng.integers(2_000, 7_500, n_cr), rng.integers(80, 1_500, n_cr)
            ),
            "posts": rng.integers(30, 2_500, n_cr),
            "niche": niche,
            "country": rng.choice(_REGIONS, size=n_cr, p=_REGION_P),
            "rate_per_post": rate,
        }
    )
    creators["tier"] = [CREATOR_TIERS[t][0] for t in tier]
    creators["fake_follower_share"] = np.where(
        fake, rng.uniform(0.3, 0.7, n_cr), rng.uniform(0, 0.08, n_cr)
    )
    tier_names = [t for t, _ in CREATOR_TIERS]
    creators_by_tier = {
        t: np.flatnonzero((creators["tier"].to_numpy() == t) & (niche == "pet")) for t in tier_names
    }
    for t in tier_names:  # every tier needs someone to hire
        if len(creators_by_tier[t]) == 0:
            creators_by_tier[t] = np.flatnonzero(creators["tier"].to_numpy() == t)
        if len(creators_by_tier[t]) == 0:
            creators_by_tier[t] = np.array(
                [int(np.argmin(np.abs(np.log(followers) - np.log(dict(CREATOR_TIERS)[t] * 3))))]
            )

    # ---------------------------------------------------------------- daily loop
    ev = _Chunks()
    dow0 = cfg.start.weekday()
    season = 1 + cfg.weekly_seasonality * np.sin(2 * np.pi * ((np.arange(days) + dow0) % 7) / 7)
    base_cum = np.cumsum(base)
    all_users = np.arange(n)
    adstock = np.zeros(n_ch)
    ugc_adstock = 0.0
    # budget flighting: smooth random multipliers with some dark weeks (identifies the MMM)
    weeks = (days + 6) // 7
    flight = np.exp(rng.normal(0, 0.6, (n_ch, weeks)) - 0.18)
    flight[rng.random((n_ch, weeks)) < 0.12] = 0.0
    spend = np.zeros((n_ch, days))
    impressions = np.zeros((n_ch, days), dtype=np.int64)
    reach_cd = np.zeros((n_ch, days), dtype=np.int64)
    expected_inc = np.zeros((n_ch, days))
    ugc_expected = np.zeros(days)
    ugc_views = np.zeros(days)
    purchase_user: list[np.ndarray] = []
    purchase_day: list[np.ndarray] = []
    purchase_src: list[np.ndarray] = []  # channel index, n_ch = ugc, -1 = baseline
    pending_posts: list[tuple[int, int, int]] = []  # (day, user, platform idx)
    ugc_posts: list[tuple[int, int, int, int]] = []  # (post idx, day, user, platform)
    influencer_posts: list[tuple[int, int, int]] = []  # (day, channel, creator)

    for d in range(days):
        if d % max(1, days // 20) == 0:
            report("simulating days", 0.05 + 0.6 * d / days)
        # paid channels
        for i, c in enumerate(channels):
            plan = c.daily_budget * scale * flight[i, d // 7]
            n_imp = int(rng.poisson(plan / c.cpm * 1000.0)) if len(exposed[i]) else 0
            cost = c.cpm / 1000.0
            spend[i, d] = n_imp * cost
            impressions[i, d] = n_imp
            adstock[i] = (1 - c.adstock) * spend[i, d] + c.adstock * adstock[i]
            expected_inc[i, d] = c.beta * hill(adstock[i] / scale, c.k, c.slope) * scale
            if n_imp == 0:
                continue
            users = exposed[i][rng.integers(0, len(exposed[i]), n_imp)]
            reach_cd[i, d] = np.unique(users).size
            creator = -1
            if c.strategy == "influencer" and c.creator_tier:
                pool = creators_by_tier[c.creator_tier]
                creator = int(pool[rng.integers(0, len(pool))])
                if d % 3 == 0:
                    influencer_posts.append((d, i, creator))
            ev.add(
                n_imp,
                user=users,
                day=d,
                us=_times(rng, d, n_imp),
                etype=EVENT_TYPES.index("impression"),
                channel=i,
                strategy=strat_index[c.strategy],
                platform=plat_index[c.platform],
                creator=creator,
                device=(rng.random(n_imp) >= 0.8).astype(np.int8),
                cost=cost,
            )
            n_click = rng.binomial(n_imp, c.ctr)
            if n_click:
                cu = users[rng.integers(0, n_imp, n_click)]
                ev.add(
                    n_click,
                    user=cu,
                    day=d,
                    us=_times(rng, d, n_click),
                    etype=EVENT_TYPES.index("click"),
                    channel=i,
                    strategy=strat_index[c.strategy],
                    platform=plat_index[c.platform],
                    creator=creator,
                )
            n_eng = rng.binomial(n_imp, c.engagement_rate)
            if n_eng:
                eu = users[rng.integers(0, n_imp, n_eng)]
                et = np.array([EVENT_TYPES.index(t) for t in _ENGAGE_TYPES])[
                    rng.choice(4, size=n_eng, p=_ENGAGE_P)
                ]
                ev.add(
                    n_eng,
                    user=eu,
                    day=d,
                    us=_times(rng, d, n_eng),
                    etype=et,
                    channel=i,
                    strategy=strat_index[c.strategy],
                    platform=plat_index[c.platform],
                    creator=creator,
                )
            n_inc = int(rng.poisson(expected_inc[i, d]))
            if n_inc:
                purchase_user.append(_pick_weighted(rng, exposed_cum[i], exposed[i], n_inc))
                purchase_day.append(np.full(n_inc, d))
                purchase_src.append(np.full(n_inc, i))
        # organic user content: posts from earlier purchases collect views for a week
        views_today = 0
        if pending_posts:
            post_days = np.array([p[0] for p in pending_posts])
            live = (d - post_days >= 0) & (d - post_days < 7)
            n_live = int(live.sum())
            mean_views = cfg.ugc_views_per_post * 0.35 * 0.65 ** (d - post_days[live])
            n_views = int(rng.poisson(mean_views.sum())) if n_live else 0
            views_today = n_views
            if n_views:
                live_idx = np.flatnonzero(live)
                which = live_idx[
                    np.searchsorted(np.cumsum(mean_views), rng.random(n_views) * mean_views.sum())
                ]
                which = np.minimum(which, live_idx[-1])
                post_ids = np.array([ugc_posts[j][0] for j in which])
                post_plat = np.array([ugc_posts[j][3] for j in which])
                vu = rng.integers(0, n, n_views)
                ev.add(
                    n_views,
                    user=vu,
                    day=d,
                    us=_times(rng, d, n_views),
                    etype=EVENT_TYPES.index("impression"),
                    channel=n_ch,
                    strategy=strat_index["ugc_organic"],
                    platform=post_plat,
                    post=post_ids,
                )
                n_eng = rng.binomial(n_views, 0.05)
                if n_eng:
                    sel = rng.integers(0, n_views, n_eng)
                    et = np.array([EVENT_TYPES.index(t) for t in _ENGAGE_TYPES])[
                        rng.choice(4, size=n_eng, p=_ENGAGE_P)
                    ]
                    ev.add(
                        n_eng,
                        user=vu[sel],
                        day=d,
                        us=_times(rng, d, n_eng),
                        etype=et,
                        channel=n_ch,
                        strategy=strat_index["ugc_organic"],
                        platform=post_plat[sel],
                        post=post_ids[sel],
                    )
        ugc_views[d] = views_today
        ugc_adstock = (1 - cfg.ugc_adstock) * views_today + cfg.ugc_adstock * ugc_adstock
        ugc_expected[d] = cfg.ugc_beta * hill(ugc_adstock / scale, cfg.ugc_k, 1.0) * scale
        n_ugc = int(rng.poisson(ugc_expected[d]))
        if n_ugc:
            purchase_user.append(_pick_weighted(rng, np.cumsum(resp), all_users, n_ugc))
            purchase_day.append(np.full(n_ugc, d))
            purchase_src.append(np.full(n_ugc, n_ch))
        # baseline purchases
        n_base = int(rng.poisson(base_cum[-1] * season[d]))
        if n_base:
            purchase_user.append(_pick_weighted(rng, base_cum, all_users, n_base))
            purchase_day.append(np.full(n_base, d))
            purchase_src.append(np.full(n_base, -1))
        # today's purchases may lead to user posts tomorrow
        todays = [
            u for u, dd in zip(purchase_user[-3:], purchase_day[-3:]) if len(dd) and dd[0] == d
        ]
        if todays:
            buyers = np.concatenate(todays)
            posters = buyers[rng.random(len(buyers)) < cfg.ugc_post_rate]
            for u in posters:
                p_idx = len(ugc_posts)
                plat = int(rng.choice(2, p=(0.6, 0.4)))  # instagram / tiktok
                ugc_posts.append((p_idx, d + 1, int(u), plat_index[("instagram", "tiktok")[plat]]))
                pending_posts.append((d + 1, int(u), plat))
            pending_posts = [p for p in pending_posts if d - p[0] < 7]

    report("purchases and attribution", 0.7)
    # ---------------------------------------------------------------- purchases & attribution
    pu = np.concatenate(purchase_user) if purchase_user else np.empty(0, np.int64)
    pday = np.concatenate(purchase_day) if purchase_day else np.empty(0, np.int64)
    psrc = np.concatenate(purchase_src) if purchase_src else np.empty(0, np.int64)
    n_p = len(pu)
    sigma = cfg.order_value_sigma
    value = np.round(cfg.order_value * np.exp(rng.normal(0, sigma, n_p) - sigma**2 / 2), 2)
    attributed = np.full(n_p, -1)
    track = np.array([c.trackability for c in channels] + [0.15])
    is_inc = psrc >= 0
    credited = is_inc & (rng.random(n_p) < track[np.where(is_inc, psrc, 0)])
    attributed[credited] = psrc[credited]
    # view-through credit: a purchase by a user recently reached by a channel is often claimed
    imp_rate = impressions.sum(axis=1) / np.maximum(1, np.array([len(e) for e in exposed])) / days
    p_touch = (1 - np.exp(-7 * imp_rate)) * 0.6
    open_ = np.flatnonzero(attributed < 0)
    if len(open_):
        keys = np.where(exposed_mask[:, pu[open_]].T, rng.random((len(open_), n_ch)), -1.0)
        touched = keys >= (1 - p_touch)[None, :]
        keys = np.where(touched, keys, -1.0)
        best = keys.argmax(axis=1)
        has = keys.max(axis=1) >= 0
        attributed[open_[has]] = best[has]
        ugc_claim = open_[~has][rng.random(int((~has).sum())) < 0.04]
        attributed[ugc_claim] = n_ch  # a few purchases are traced to an organic post
    strat_of = np.array([strat_index[c.strategy] for c in channels] + [strat_index["ugc_organic"]])
    plat_of = np.array([plat_index[c.platform] for c in channels] + [plat_index["instagram"]])
    p_strat = np.where(attributed >= 0, strat_of[np.maximum(attributed, 0)], strat_index["direct"])
    p_plat = np.where(attributed >= 0, plat_of[np.maximum(attributed, 0)], -2)  # -2 = web
    # purchases credited to an influencer channel name one of the tier's hired creators
    p_creator = np.full(n_p, -1)
    for i, c in enumerate(channels):
        if c.strategy == "influencer" and c.creator_tier:
            sel = np.flatnonzero(attributed == i)
            pool = creators_by_tier[c.creator_tier]
            p_creator[sel] = pool[rng.integers(0, len(pool), len(sel))]
    ev.add(
        n_p,
        user=pu,
        day=pday,
        us=_times(rng, pday, n_p),
        etype=EVENT_TYPES.index("purchase"),
        channel=np.where(attributed >= 0, attributed, -1),
        strategy=p_strat,
        platform=p_plat,
        creator=p_creator,
        revenue=value,
        device=(rng.random(n_p) < 0.3).astype(np.int8),
    )
    # a share of buyers add to cart first
    atc = rng.random(n_p) < 0.7
    ev.add(
        int(atc.sum()),
        user=pu[atc],
        day=pday[atc],
        us=_times(rng, pday[atc], int(atc.sum())),
        etype=EVENT_TYPES.index("add_to_cart"),
        platform=-2,
        device=0,
    )

    report("micro-moments", 0.78)
    # ---------------------------------------------------------------- micro-moment searches
    n_s = int(rng.poisson(n * days * cfg.search_rate))
    s_user = rng.integers(0, n, n_s)
    s_day = np.minimum((rng.random(n_s) * days).astype(np.int64), days - 1)
    s_us = _times(rng, s_day, n_s)
    q_moment = np.array([MOMENTS.index(m) for m, _, _ in QUERY_BANK])
    q_weight = np.array([w for _, _, w in QUERY_BANK], dtype="float64")
    s_query = rng.choice(len(QUERY_BANK), size=n_s, p=q_weight / q_weight.sum())
    surge_rows = []
    surge_parts_q, surge_parts_u, surge_parts_us = [], [], []
    for j in range(cfg.surges):
        m_name = ("know", "go", "do", "buy")[j % 4]
        # a surge is about a topic people actually search for with this intent
        topics = [tp for tp in TOPICS if any(m == m_name and tp in q for m, q, _ in QUERY_BANK)]
        topic = topics[int(rng.integers(0, len(topics)))]
        reg = int(rng.choice(len(_REGIONS), p=_REGION_P))
        cands = [qi for qi, (m, q, _) in enumerate(QUERY_BANK) if m == m_name and topic in q]
        start_h = int(rng.integers(24, max(25, days * 24 - 30)))
        dur_h = int(rng.integers(3, 9))
        # baseline volume of this (moment, region) per hour, times a multiplier
        base_rate = (
            n * cfg.search_rate / 24 * (q_weight[cands].sum() / q_weight.sum()) * _REGION_P[reg]
        )
        mult = float(rng.uniform(6, 12))
        k = int(rng.poisson(max(base_rate, 2.0) * mult * dur_h))
        users_r = np.flatnonzero(region == reg)
        su = users_r[rng.integers(0, len(users_r), k)] if len(users_r) else rng.integers(0, n, k)
        surge_parts_q.append(rng.choice(cands, size=k))
        surge_parts_u.append(su)
        surge_parts_us.append(start_h * 3_600_000_000 + rng.integers(0, dur_h * 3_600_000_000, k))
        t0 = datetime.combine(cfg.start, time(), tzinfo=UTC)
        surge_rows.append(
            {
                "key": f"{m_name}|{topic}|{_REGIONS[reg]}",
                "moment": m_name,
                "topic": topic,
                "region": _REGIONS[reg],
                "start": pd.Timestamp(t0) + pd.Timedelta(hours=start_h),
                "end": pd.Timestamp(t0) + pd.Timedelta(hours=start_h + dur_h),
                "multiplier": round(mult, 2),
                "extra_events": k,
            }
        )
    if surge_parts_q:
        s_query = np.concatenate([s_query, *surge_parts_q])
        s_user = np.concatenate([s_user, *surge_parts_u])
        s_us = np.concatenate([s_us, *surge_parts_us])
        s_day = s_us // _US_PER_DAY
    n_s = len(s_query)
    is_mobile = rng.random(n_s) < cfg.mobile_share
    ev.add(
        n_s,
        user=s_user,
        day=s_day,
        us=s_us,
        etype=EVENT_TYPES.index("search"),
        query=s_query,
        moment=q_moment[s_query],
        platform=-2,
        device=np.where(is_mobile, 0, 1),
    )
    go = q_moment[s_query] == MOMENTS.index("go")
    n_go = int((go & (rng.random(n_s) < 0.35)).sum())
    if n_go:
        sel = np.flatnonzero(go)[:n_go]
        ev.add(
            n_go,
            user=s_user[sel],
            day=s_day[sel],
            us=s_us[sel] + 60_000_000,
            etype=EVENT_TYPES.index("store_locator"),
            platform=-2,
            moment=MOMENTS.index("go"),
            device=0,
        )

    report("building tables", 0.85)
    events, cols = _build_events(ev, cfg, channels, platforms, n, region)
    report("reports and truth", 0.92)
    exp = _experiments(cfg, channels, eligible, held, pu, value, base, rng)
    ad_perf = _ad_performance(cfg, channels, spend, impressions, reach_cd, cols)
    posts = _posts(cfg, ugc_posts, influencer_posts, channels, creators, rng)
    truth = _ground_truth(
        cfg, channels, spend, impressions, expected_inc, ugc_expected, ugc_views, cols
    )
    audience = pd.DataFrame(
        {
            "user_id": _user_ids(n),
            "age_band": np.array(_AGE_BANDS)[age],
            "gender": np.array(("female", "male", "other"))[gender],
            "region": np.array(_REGIONS)[region],
            "interests": np.array(_PETS)[pet],
            "consent_ads_personalisation": consent_ads,
            "consent_analytics": consent_ads | (rng.random(n) < 0.5),
            "opt_out_sale": opt_out,
            "gpc": gpc,
            "consent_date": pd.Timestamp(cfg.start)
            - pd.to_timedelta(rng.integers(1, 400, n), unit="D"),
            "is_minor": minor,
        }
    )
    report("done", 1.0)
    return Market(
        events,
        ad_perf,
        posts,
        creators,
        audience,
        exp,
        truth,
        pd.DataFrame(
            surge_rows,
            columns=[
                "key",
                "moment",
                "topic",
                "region",
                "start",
                "end",
                "multiplier",
                "extra_events",
            ],
        ),
        cfg,
    )


def _user_ids(n: int) -> np.ndarray:
    return np.char.add("u", np.char.zfill(np.arange(n).astype(str), 7)).astype(object)


def _dict_array(codes: np.ndarray, labels: Sequence[str | None] | np.ndarray) -> pa.Array:
    """Dictionary-encoded string column (engines read it as VARCHAR).

    ``codes`` index ``labels``; negative codes and codes whose label is None are null. Repeated
    labels share one dictionary entry.
    """
    labels = list(labels)
    uniq: dict[str, int] = {}
    remap = np.full(max(len(labels), 1), -1, dtype=np.int32)
    for i, lab in enumerate(labels):
        if lab is not None:
            remap[i] = uniq.setdefault(str(lab), len(uniq))
    codes = np.asarray(codes, dtype=np.int64)
    mapped = np.where(codes >= 0, remap[np.clip(codes, 0, len(remap) - 1)], -1)
    mask = mapped < 0
    idx = pa.array(np.where(mask, 0, mapped).astype(np.int32), type=pa.int32(), mask=mask)
    dictionary = pa.array(list(uniq) or [""], type=pa.string())
    return pa.DictionaryArray.from_arrays(idx, dictionary)


def _build_events(
    ev: _Chunks,
    cfg: SimConfig,
    channels: list[ChannelSpec],
    platforms: list[str],
    n_users: int,
    user_region: np.ndarray,
) -> tuple[pa.Table, dict[str, np.ndarray]]:
    us = ev.cat("us").astype(np.int64)
    order = np.argsort(us, kind="stable")
    col = {k: ev.cat(k)[order] for k in ev.cols}
    start_us = int(pd.Timestamp(cfg.start).value // 1000)
    n = len(order)
    ch = col["channel"].astype(np.int64)
    n_ch = len(channels)
    # channel-derived labels: campaign, targeting, segment, ad
    camp_labels = [c.name for c in channels] + [None]
    targ_labels = [c.targeting for c in channels] + [None]
    ch_code = np.where((ch >= 0) & (ch < n_ch), ch, np.where(ch == n_ch, n_ch, -1))
    targ_code = np.where(ch_code >= 0, ch_code, -1)
    seg_labels = [f"seg:{c.name}" if c.targeting == "micro" else None for c in channels] + [None]
    plat = col["platform"].astype(np.int64)
    plat_labels = [*platforms, "web"]
    plat_code = np.where(plat == -2, len(platforms), plat)
    user = col["user"].astype(np.int64)
    day = col["day"].astype(np.int64)
    post = col["post"].astype(np.int64)
    creator = col["creator"].astype(np.int64)
    query = col["query"].astype(np.int64)
    moment = col["moment"].astype(np.int64)
    user_dict = pa.array(_user_ids(n_users), type=pa.string())
    table = pa.table(
        {
            "event_id": pa.array(np.arange(n, dtype=np.int64)).cast(pa.string()),
            "ts": pa.array(start_us + col["us"].astype(np.int64), type=pa.timestamp("us")),
            "user_id": pa.DictionaryArray.from_arrays(pa.array(user.astype(np.int32)), user_dict),
            "session_id": pa.array(user * 100_000 + day).cast(pa.string()),
            "event_type": _dict_array(col["etype"], list(EVENT_TYPES)),
            "strategy": _dict_array(col["strategy"], list(STRATEGIES)),
            "targeting": _dict_array(
                np.where(ch_code < n_ch, targ_code, -1) if n else targ_code,
                [t for t in targ_labels],
            ),
            "platform": _dict_array(plat_code, plat_labels),
            "campaign_id": _dict_array(np.where(ch_code < n_ch, ch_code, -1), camp_labels),
            "ad_id": _dict_array(
                np.where(ch_code < n_ch, ch_code, -1), [f"ad:{c.name}" for c in channels] + [None]
            ),
            "post_id": _dict_array(
                np.where(post >= 0, post, -1),
                [f"p{i:07d}" for i in range(int(post.max()) + 1 if n and post.max() >= 0 else 0)]
                or [None],
            ),
            "creator_id": _dict_array(
                np.where(creator >= 0, creator, -1),
                [
                    f"c{i:06d}"
                    for i in range(int(creator.max()) + 1 if n and creator.max() >= 0 else 0)
                ]
                or [None],
            ),
            "segment_id": _dict_array(np.where(ch_code < n_ch, ch_code, -1), seg_labels),
            "device": _dict_array(
                col["device"].astype(np.int64), ["mobile", "desktop", "tablet", "other"]
            ),
            "region": _dict_array(user_region[user], list(_REGIONS)),
            "query": _dict_array(query, [q for _, q, _ in QUERY_BANK]),
            "moment": _dict_array(moment, list(MOMENTS)),
            "cost": pa.array(col["cost"].astype("float64")),
            "revenue": pa.array(col["revenue"].astype("float64")),
        }
    )
    return table, col


def _experiments(
    cfg: SimConfig,
    channels: list[ChannelSpec],
    eligible: list[np.ndarray],
    held: list[np.ndarray],
    pu: np.ndarray,
    value: np.ndarray,
    base: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    n = cfg.users
    conv = np.bincount(pu, minlength=n).astype("float64")
    rev = np.bincount(pu, weights=value, minlength=n)
    pre = rng.poisson(base * cfg.pre_days) * cfg.order_value
    frames = []
    ids = _user_ids(n)
    for c, pool, hold in zip(channels, eligible, held):
        frames.append(
            pd.DataFrame(
                {
                    "experiment_id": f"holdout:{c.name}",
                    "unit_id": ids[pool],
                    "arm": np.where(hold, "control", "treatment"),
                    "strategy": c.strategy,
                    "campaign_id": c.name,
                    "conversions": conv[pool],
                    "revenue": np.round(rev[pool], 2),
                    "pre_period": pre[pool].astype("float64"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _ad_performance(
    cfg: SimConfig,
    channels: list[ChannelSpec],
    spend: np.ndarray,
    impressions: np.ndarray,
    reach_cd: np.ndarray,
    col: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Daily platform reports per channel, from the integer event columns."""
    days, n_ch = cfg.days, len(channels)
    ch = col["channel"].astype(np.int64)
    sel = (ch >= 0) & (ch < n_ch)
    key = ch[sel] * days + col["day"].astype(np.int64)[sel]
    etype = col["etype"].astype(np.int64)[sel]
    size = n_ch * days

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights[mask]
        return np.bincount(key[mask], weights=w, minlength=size)

    engage_codes = [EVENT_TYPES.index(t) for t in _ENGAGE_TYPES]
    purch = etype == EVENT_TYPES.index("purchase")
    names = [c.name for c in channels]
    rows = pd.DataFrame(
        {
            "date": np.tile(pd.date_range(cfg.start, periods=days, freq="D").to_numpy(), n_ch),
            "platform": np.repeat([c.platform for c in channels], days),
            "campaign_id": np.repeat(names, days),
            "campaign_name": np.repeat([nm.replace(":", " / ") for nm in names], days),
            "ad_set": np.repeat([f"{c.name}:set" for c in channels], days),
            "ad_id": np.repeat([f"ad:{c.name}" for c in channels], days),
            "strategy": np.repeat([c.strategy for c in channels], days),
            "targeting": np.repeat([c.targeting for c in channels], days),
            "segment_id": np.repeat(
                [f"seg:{c.name}" if c.targeting == "micro" else None for c in channels], days
            ),
            "impressions": impressions.reshape(-1),
            "reach": reach_cd.reshape(-1),
            "clicks": count(etype == EVENT_TYPES.index("click")).astype(np.int64),
            "engagements": count(np.isin(etype, engage_codes)).astype(np.int64),
            "spend": np.round(spend.reshape(-1), 2),
            "conversions": count(purch).astype("float64"),
            "conversion_value": np.round(count(purch, col["revenue"][sel]), 2),
            "currency": "USD",
        }
    )
    rows["date"] = pd.to_datetime(rows["date"])
    return rows[rows["impressions"] > 0].reset_index(drop=True)


def _posts(
    cfg: SimConfig,
    ugc_posts: list[tuple[int, int, int, int]],
    influencer_posts: list[tuple[int, int, int]],
    channels: list[ChannelSpec],
    creators: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    t0 = pd.Timestamp(cfg.start, tz="UTC")
    plats = list(cfg.platform_share)
    rows = []
    for p_idx, d, u, pl in ugc_posts:
        views = int(rng.pareto(1.8) * cfg.ugc_views_per_post * 0.5 + 20)
        likes = int(rng.binomial(views, 0.06))
        text, tags, mentions = make_caption(rng, UGC_TEMPLATES)
        rows.append(
            {
                "post_id": f"p{p_idx:07d}",
                "platform": plats[pl],
                "author_id": f"u{u:07d}",
                "ts": t0 + pd.Timedelta(days=d, hours=int(rng.integers(7, 23))),
                "text": text,
                "likes": likes,
                "comments": int(rng.binomial(likes, 0.08)),
                "shares": int(rng.binomial(likes, 0.05)),
                "saves": int(rng.binomial(likes, 0.06)),
                "views": views,
                "is_sponsored": False,
                "is_brand_owned": False,
                "rights_granted": bool(rng.random() < 0.3),
                "mentions": mentions,
                "hashtags": tags,
            }
        )
    for j, (d, ch, cr) in enumerate(influencer_posts):
        c = creators.iloc[cr]
        real = c["followers"] * (1 - c["fake_follower_share"])
        er = 0.09 * (max(c["followers"], 1000) / 1000) ** -0.22
        likes = int(real * er * rng.lognormal(0, 0.3))
        text, tags, mentions = make_caption(rng, UGC_TEMPLATES)
        rows.append(
            {
                "post_id": f"sp{j:06d}",
                "platform": channels[ch].platform,
                "author_id": c["creator_id"],
                "ts": t0 + pd.Timedelta(days=d, hours=18),
                "text": text + " #ad #sponsored",
                "likes": likes,
                "comments": int(likes * 0.04),
                "shares": int(likes * 0.02),
                "saves": int(likes * 0.03),
                "views": int(real * 0.3),
                "is_sponsored": True,
                "is_brand_owned": False,
                "rights_granted": True,
                "mentions": "@pawsome",
                "hashtags": tags + ",ad,sponsored",
            }
        )
    cols = [
        "post_id",
        "platform",
        "author_id",
        "ts",
        "text",
        "likes",
        "comments",
        "shares",
        "saves",
        "views",
        "is_sponsored",
        "is_brand_owned",
        "rights_granted",
        "mentions",
        "hashtags",
    ]
    return pd.DataFrame(rows, columns=cols)


def _ground_truth(
    cfg: SimConfig,
    channels: list[ChannelSpec],
    spend: np.ndarray,
    impressions: np.ndarray,
    expected_inc: np.ndarray,
    ugc_expected: np.ndarray,
    ugc_views: np.ndarray,
    col: dict[str, np.ndarray],
) -> pd.DataFrame:
    days = cfg.days
    week = np.arange(days) // 7
    week_start = pd.Timestamp(cfg.start) + pd.to_timedelta(week * 7, unit="D")
    purch = col["etype"].astype(np.int64) == EVENT_TYPES.index("purchase")
    p_day = col["day"].astype(np.int64)[purch]
    p_ch = col["channel"].astype(np.int64)[purch]
    p_rev = col["revenue"][purch]
    rows = []
    labels = [(c.name, c.strategy, c.platform, c.targeting, c.creator_tier) for c in channels]
    labels.append(("ugc_organic", "ugc_organic", "instagram", None, None))
    for i, (name, strategy, platform, targeting, tier) in enumerate(labels):
        if i < len(channels):
            sp, im, inc = spend[i], impressions[i], expected_inc[i]
        else:
            sp, im, inc = np.zeros(days), ugc_views.astype(np.int64), ugc_expected
        m = p_ch == i
        att_c = np.bincount(p_day[m], minlength=days)[:days]
        att_r = np.bincount(p_day[m], weights=p_rev[m], minlength=days)[:days]
        df = pd.DataFrame(
            {
                "day": np.arange(days),
                "week": week,
                "spend": sp,
                "impressions": im,
                "inc": inc,
                "att_c": att_c,
                "att_r": att_r,
            }
        )
        g = df.groupby("week").agg(
            spend=("spend", "sum"),
            impressions=("impressions", "sum"),
            inc=("inc", "sum"),
            att_c=("att_c", "sum"),
            att_r=("att_r", "sum"),
        )
        for w, r in g.iterrows():
            rows.append(
                {
                    "week": week_start[int(w) * 7] if int(w) * 7 < days else week_start[-1],
                    "channel": name,
                    "strategy": strategy,
                    "platform": platform,
                    "targeting": targeting,
                    "creator_tier": tier,
                    "spend": round(float(r["spend"]), 2),
                    "impressions": int(r["impressions"]),
                    "attributed_conversions": float(r["att_c"]),
                    "attributed_revenue": round(float(r["att_r"]), 2),
                    "incremental_conversions": float(r["inc"]),
                    "incremental_revenue": float(r["inc"]) * cfg.order_value,
                }
            )
    out = pd.DataFrame(rows)
    out["week"] = pd.to_datetime(out["week"]).dt.date
    return out
