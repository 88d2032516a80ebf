"""Purchases of the campaign period: order values, platform attribution, checkout events.

Attribution is last-touch-like, as on real platforms: an incremental conversion is credited to
the channel that caused it with the channel's trackability; a purchase left uncredited is often
claimed by a channel that recently reached the buyer (view-through), and a few are traced to an
organic post; the rest are ``direct``. So attributed figures flatter channels. Purchases credited
to an influencer channel name one of the tier's hired creators. Seven in ten buyers add to cart
first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from micromix.schema.vocab import EVENT_TYPES, STRATEGIES
from micromix.simulate.campaign import Campaign
from micromix.simulate.config import SimConfig
from micromix.simulate.creators import Creators
from micromix.simulate.draws import times_of_day
from micromix.simulate.events import WEB, EventLog
from micromix.simulate.reach import ChannelReach

__all__ = ["Purchases", "attribute_purchases"]

_PURCHASE = EVENT_TYPES.index("purchase")
_ADD_TO_CART = EVENT_TYPES.index("add_to_cart")


@dataclass
class Purchases:
    """Every purchase of the campaign period (in the order the campaign drew them)."""

    user: np.ndarray
    day: np.ndarray
    #: microseconds since the first midnight
    us: np.ndarray
    #: what caused it: channel index, ``n_channels`` = organic user content, -1 = baseline
    src: np.ndarray
    value: np.ndarray
    #: credited channel (``n_channels`` = an organic post), -1 = not credited
    attributed: np.ndarray
    strategy: np.ndarray
    platform: np.ndarray
    creator: np.ndarray
    device: np.ndarray
    #: preceded by an add_to_cart event, at ``atc_us``
    atc: np.ndarray
    atc_us: np.ndarray

    def __len__(self) -> int:
        return len(self.user)

    def add_events(self, log: EventLog, keep: np.ndarray | None = None) -> None:
        """Add the purchase and add_to_cart events (only the ``keep`` purchases) to ``log``."""
        keep = np.ones(len(self), dtype=bool) if keep is None else keep
        log.add(
            int(keep.sum()),
            user=self.user[keep],
            day=self.day[keep],
            us=self.us[keep],
            etype=_PURCHASE,
            channel=self.attributed[keep],
            strategy=self.strategy[keep],
            platform=self.platform[keep],
            creator=self.creator[keep],
            revenue=self.value[keep],
            device=self.device[keep],
        )
        carts = keep[self.atc]
        log.add(
            int(carts.sum()),
            user=self.user[self.atc][carts],
            day=self.day[self.atc][carts],
            us=self.atc_us[carts],
            etype=_ADD_TO_CART,
            platform=WEB,
            device=0,
        )


def attribute_purchases(
    rng: np.random.Generator,
    cfg: SimConfig,
    campaign: Campaign,
    reach: ChannelReach,
    creators: Creators,
) -> Purchases:
    """Values, attribution, times and checkout events of the campaign's purchases."""
    channels = list(cfg.channels)
    n_ch = len(channels)
    platforms = list(cfg.platform_share)
    pu, pday, psrc = campaign.purchase_user, campaign.purchase_day, campaign.purchase_src
    n_p = len(pu)
    sigma = cfg.order_value_sigma
    value = np.round(cfg.order_value * np.exp(rng.normal(0, sigma, n_p) - sigma**2 / 2), 2)
    attributed = np.full(n_p, -1)
    track = np.array([c.trackability for c in channels] + [0.15])
    is_inc = psrc >= 0
    credited = is_inc & (rng.random(n_p) < track[np.where(is_inc, psrc, 0)])
    attributed[credited] = psrc[credited]
    # view-through credit: a purchase by a user recently reached by a channel is often claimed
    reached = np.maximum(1, np.array([len(e) for e in reach.exposed]))
    imp_rate = campaign.impressions.sum(axis=1) / reached / cfg.days
    p_touch = (1 - np.exp(-7 * imp_rate)) * 0.6
    open_ = np.flatnonzero(attributed < 0)
    if len(open_):
        keys = np.where(reach.exposed_mask[:, pu[open_]].T, rng.random((len(open_), n_ch)), -1.0)
        keys = np.where(keys >= (1 - p_touch)[None, :], keys, -1.0)
        best = keys.argmax(axis=1)
        has = keys.max(axis=1) >= 0
        attributed[open_[has]] = best[has]
        ugc_claim = open_[~has][rng.random(int((~has).sum())) < 0.04]
        attributed[ugc_claim] = n_ch  # a few purchases are traced to an organic post
    strat_of = np.array(
        [STRATEGIES.index(c.strategy) for c in channels] + [STRATEGIES.index("ugc_organic")]
    )
    plat_of = np.array(
        [platforms.index(c.platform) for c in channels] + [platforms.index("instagram")]
    )
    credited_any = attributed >= 0
    p_strat = np.where(
        credited_any, strat_of[np.maximum(attributed, 0)], STRATEGIES.index("direct")
    )
    p_plat = np.where(credited_any, plat_of[np.maximum(attributed, 0)], WEB)
    p_creator = np.full(n_p, -1)
    for i, c in enumerate(channels):
        if c.strategy == "influencer" and c.creator_tier:
            sel = np.flatnonzero(attributed == i)
            pool = creators.by_tier[c.creator_tier]
            p_creator[sel] = pool[rng.integers(0, len(pool), len(sel))]
    us = times_of_day(rng, pday, n_p)
    device = (rng.random(n_p) < 0.3).astype(np.int8)
    atc = rng.random(n_p) < 0.7
    atc_us = times_of_day(rng, pday[atc], int(atc.sum()))
    return Purchases(
        user=pu,
        day=pday,
        us=us,
        src=psrc,
        value=value,
        attributed=attributed,
        strategy=p_strat,
        platform=p_plat,
        creator=p_creator,
        device=device,
        atc=atc,
        atc_us=atc_us,
    )
