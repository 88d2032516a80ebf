"""The campaign period, day by day: paid channels, organic user content and baseline demand.

Each day every channel spends (its budget times a flighting multiplier, with dark weeks that
identify a mix model) and buys impressions at its CPM; exposed users click and engage; spend is
adstocked and saturates (Hill), which gives the channel's expected *incremental* conversions,
drawn (Poisson) and given to exposed users in proportion to their responsiveness. Customers post
about their purchases; the posts collect organic views for a week, and those views drive
incremental conversions of their own (``ugc_organic``). Baseline purchases happen regardless of
marketing, with a weekly cycle. Impressions, clicks, engagements and organic views go straight
into the :class:`~micromix.simulate.events.EventLog`; purchases are returned, to be attributed
by :mod:`micromix.simulate.purchases`.

Two behaviours of simulator version 1 are kept so that the same seed gives the same events:
only the last three purchase groups of a day (usually user-content and baseline purchases) can
lead to posts, and a day's organic views go to posts by their position in the list of posts
still collecting views, which after a week names older posts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from micromix.schema.vocab import EVENT_TYPES, STRATEGIES
from micromix.simulate.config import ChannelSpec, SimConfig
from micromix.simulate.consumers import Consumers
from micromix.simulate.creators import Creators
from micromix.simulate.draws import hill, pick_weighted, times_of_day
from micromix.simulate.events import EventLog
from micromix.simulate.reach import ChannelReach

__all__ = ["ENGAGE_CODES", "Campaign", "run_campaign"]

_ENGAGE_TYPES = ("like", "comment", "share", "save")
#: event type codes of engagements and their shares
ENGAGE_CODES = np.array([EVENT_TYPES.index(t) for t in _ENGAGE_TYPES])
_ENGAGE_P = (0.72, 0.1, 0.08, 0.1)
_IMPRESSION = EVENT_TYPES.index("impression")
_CLICK = EVENT_TYPES.index("click")
_UGC = STRATEGIES.index("ugc_organic")


@dataclass
class Campaign:
    """What the campaign period produced besides its events (arrays are channel x day)."""

    spend: np.ndarray
    impressions: np.ndarray
    #: distinct users reached per channel and day
    reach: np.ndarray
    clicks: np.ndarray
    engagements: np.ndarray
    #: expected incremental conversions per channel and day (the truth of the lift tests)
    expected_inc: np.ndarray
    #: expected incremental conversions from organic user content, per day
    ugc_expected: np.ndarray
    #: organic views of user posts, per day
    ugc_views: np.ndarray
    #: purchases: user, day, and source (channel index; ``n_channels`` = organic user
    #: content; -1 = baseline demand)
    purchase_user: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    purchase_day: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    purchase_src: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    #: (post number, day, author, platform index) of organic user posts
    ugc_posts: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: (day, channel, creator) of sponsored creator posts
    influencer_posts: list[tuple[int, int, int]] = field(default_factory=list)


@dataclass
class _State:
    """What carries over from one day to the next."""

    adstock: np.ndarray
    ugc_adstock: float = 0.0
    #: (day, author, platform 0 = instagram / 1 = tiktok) of posts still collecting views
    pending_posts: list[tuple[int, int, int]] = field(default_factory=list)
    #: purchase groups (users, day, source) in the order they were drawn
    purchases: list[tuple[np.ndarray, int, int]] = field(default_factory=list)


def run_campaign(
    rng: np.random.Generator,
    cfg: SimConfig,
    people: Consumers,
    reach: ChannelReach,
    creators: Creators,
    log: EventLog,
    report: Callable[[str, float], None],
) -> Campaign:
    """Simulate the ``cfg.days`` campaign days, adding their ad and organic events to ``log``."""
    days, n_ch = cfg.days, len(cfg.channels)
    weeks = (days + 6) // 7
    # budget flighting: smooth random multipliers with some dark weeks (identifies the MMM)
    flight = np.exp(rng.normal(0, 0.6, (n_ch, weeks)) - 0.18)
    flight[rng.random((n_ch, weeks)) < 0.12] = 0.0
    dow0 = cfg.start.weekday()
    season = 1 + cfg.weekly_seasonality * np.sin(2 * np.pi * ((np.arange(days) + dow0) % 7) / 7)
    out = Campaign(
        spend=np.zeros((n_ch, days)),
        impressions=np.zeros((n_ch, days), dtype=np.int64),
        reach=np.zeros((n_ch, days), dtype=np.int64),
        clicks=np.zeros((n_ch, days), dtype=np.int64),
        engagements=np.zeros((n_ch, days), dtype=np.int64),
        expected_inc=np.zeros((n_ch, days)),
        ugc_expected=np.zeros(days),
        ugc_views=np.zeros(days),
    )
    state = _State(adstock=np.zeros(n_ch))
    base_cum = np.cumsum(people.base)
    resp_cum = np.cumsum(people.resp)
    everyone = np.arange(people.n)
    for d in range(days):
        if d % max(1, days // 20) == 0:
            report("simulating days", 0.05 + 0.6 * d / days)
        for i, c in enumerate(cfg.channels):
            _paid_day(rng, cfg, i, c, d, flight[i, d // 7], reach, creators, log, state, out)
        _organic_views_day(rng, cfg, d, log, state, out)
        n_ugc = int(rng.poisson(out.ugc_expected[d]))
        if n_ugc:
            state.purchases.append((pick_weighted(rng, resp_cum, everyone, n_ugc), d, n_ch))
        n_base = int(rng.poisson(base_cum[-1] * season[d]))
        if n_base:
            state.purchases.append((pick_weighted(rng, base_cum, everyone, n_base), d, -1))
        _new_posts(rng, cfg, d, state, out)
    if state.purchases:
        out.purchase_user = np.concatenate([u for u, _, _ in state.purchases])
        out.purchase_day = np.concatenate([np.full(len(u), d) for u, d, _ in state.purchases])
        out.purchase_src = np.concatenate([np.full(len(u), s) for u, _, s in state.purchases])
    return out


def _paid_day(
    rng: np.random.Generator,
    cfg: SimConfig,
    i: int,
    c: ChannelSpec,
    d: int,
    flight: float,
    reach: ChannelReach,
    creators: Creators,
    log: EventLog,
    state: _State,
    out: Campaign,
) -> None:
    """One channel's day: spend, impressions, clicks, engagements, incremental conversions."""
    scale = cfg.users / 1000.0
    exposed = reach.exposed[i]
    plan = c.daily_budget * scale * flight
    n_imp = int(rng.poisson(plan / c.cpm * 1000.0)) if len(exposed) else 0
    out.spend[i, d] = n_imp * (c.cpm / 1000.0)
    out.impressions[i, d] = n_imp
    state.adstock[i] = (1 - c.adstock) * out.spend[i, d] + c.adstock * state.adstock[i]
    out.expected_inc[i, d] = c.beta * hill(state.adstock[i] / scale, c.k, c.slope) * scale
    if n_imp == 0:
        return
    which = rng.integers(0, len(exposed), n_imp)
    users = exposed[which]
    out.reach[i, d] = _distinct(which, len(exposed))
    creator = -1
    if c.strategy == "influencer" and c.creator_tier:
        pool = creators.by_tier[c.creator_tier]
        creator = int(pool[rng.integers(0, len(pool))])
        if d % 3 == 0:
            out.influencer_posts.append((d, i, creator))
    labels = {
        "channel": i,
        "strategy": STRATEGIES.index(c.strategy),
        "platform": list(cfg.platform_share).index(c.platform),
        "creator": creator,
    }
    log.add(
        n_imp,
        bucket=d,
        user=users,
        day=d,
        us=times_of_day(rng, d, n_imp),
        etype=_IMPRESSION,
        device=(rng.random(n_imp) >= 0.8).astype(np.int8),
        **labels,
    )
    out.clicks[i, d] = rng.binomial(n_imp, c.ctr)
    _interactions(rng, log, d, users, int(out.clicks[i, d]), labels, click=True)
    out.engagements[i, d] = rng.binomial(n_imp, c.engagement_rate)
    _interactions(rng, log, d, users, int(out.engagements[i, d]), labels, click=False)
    n_inc = int(rng.poisson(out.expected_inc[i, d]))
    if n_inc:
        state.purchases.append((pick_weighted(rng, reach.exposed_cum[i], exposed, n_inc), d, i))


def _interactions(
    rng: np.random.Generator,
    log: EventLog,
    d: int,
    users: np.ndarray,
    n: int,
    labels: dict[str, int],
    *,
    click: bool,
) -> None:
    """``n`` clicks or engagements by users drawn from the day's impressions ``users``."""
    if n == 0:
        return
    who = users[rng.integers(0, len(users), n)]
    kind = _CLICK if click else ENGAGE_CODES[rng.choice(4, size=n, p=_ENGAGE_P)]
    log.add(n, bucket=d, user=who, day=d, us=times_of_day(rng, d, n), etype=kind, **labels)


def _distinct(idx: np.ndarray, size: int) -> int:
    """Number of distinct values of ``idx`` (all in ``range(size)``)."""
    if size > 64 * len(idx) and size > 1_000_000:  # a few draws from a huge pool
        return int(np.unique(idx).size)
    seen = np.zeros(size, dtype=bool)
    seen[idx] = True
    return int(np.count_nonzero(seen))


def _organic_views_day(
    rng: np.random.Generator,
    cfg: SimConfig,
    d: int,
    log: EventLog,
    state: _State,
    out: Campaign,
) -> None:
    """Organic views (and engagements) of the week's user posts; their incremental effect."""
    n_ch = len(cfg.channels)
    scale = cfg.users / 1000.0
    views_today = 0
    if state.pending_posts:
        post_days = np.array([p[0] for p in state.pending_posts])
        live = (d - post_days >= 0) & (d - post_days < 7)
        mean_views = cfg.ugc_views_per_post * 0.35 * 0.65 ** (d - post_days[live])
        n_views = int(rng.poisson(mean_views.sum())) if live.any() else 0
        views_today = n_views
        if n_views:
            live_idx = np.flatnonzero(live)
            which = live_idx[
                np.searchsorted(np.cumsum(mean_views), rng.random(n_views) * mean_views.sum())
            ]
            which = np.minimum(which, live_idx[-1])
            post_ids = np.array([out.ugc_posts[j][0] for j in which])
            post_plat = np.array([out.ugc_posts[j][3] for j in which])
            viewers = rng.integers(0, cfg.users, n_views)
            log.add(
                n_views,
                bucket=d,
                user=viewers,
                day=d,
                us=times_of_day(rng, d, n_views),
                etype=_IMPRESSION,
                channel=n_ch,
                strategy=_UGC,
                platform=post_plat,
                post=post_ids,
            )
            n_eng = rng.binomial(n_views, 0.05)
            if n_eng:
                sel = rng.integers(0, n_views, n_eng)
                kind = ENGAGE_CODES[rng.choice(4, size=n_eng, p=_ENGAGE_P)]
                log.add(
                    n_eng,
                    bucket=d,
                    user=viewers[sel],
                    day=d,
                    us=times_of_day(rng, d, n_eng),
                    etype=kind,
                    channel=n_ch,
                    strategy=_UGC,
                    platform=post_plat[sel],
                    post=post_ids[sel],
                )
    out.ugc_views[d] = views_today
    state.ugc_adstock = (1 - cfg.ugc_adstock) * views_today + cfg.ugc_adstock * state.ugc_adstock
    out.ugc_expected[d] = cfg.ugc_beta * hill(state.ugc_adstock / scale, cfg.ugc_k, 1.0) * scale


def _new_posts(
    rng: np.random.Generator, cfg: SimConfig, d: int, state: _State, out: Campaign
) -> None:
    """Some of today's buyers post about it tomorrow (version 1: the last three groups)."""
    todays = [u for u, day, _ in state.purchases[-3:] if day == d]
    if not todays:
        return
    plat_index = {p: i for i, p in enumerate(cfg.platform_share)}
    buyers = np.concatenate(todays)
    posters = buyers[rng.random(len(buyers)) < cfg.ugc_post_rate]
    for u in posters:
        plat = int(rng.choice(2, p=(0.6, 0.4)))  # instagram / tiktok
        out.ugc_posts.append(
            (len(out.ugc_posts), d + 1, int(u), plat_index[("instagram", "tiktok")[plat]])
        )
        state.pending_posts.append((d + 1, int(u), plat))
    state.pending_posts = [p for p in state.pending_posts if d - p[0] < 7]
