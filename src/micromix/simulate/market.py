"""The seeded market simulator: a pet-products brand's consumers, channels and ground truth.

Everything is vectorised with NumPy; a day-by-channel loop draws counts and assigns them to
users. The simulator emits the same contracts as real data (``events``, ``ad_performance``,
``posts``, ``creators``, ``audience``, ``experiments``) plus the truth no real data set has:

* ``ground_truth`` — spend, impressions, attributed and *incremental* conversions and revenue per
  channel (strategy x platform x targeting / creator tier) and week. Incremental figures are
  expectations under the data-generating process (the estimand a lift test targets).
* ``surges`` — micro-moment surges injected into the search stream.
* ``clv_truth`` — every customer's acquisition strategy and true repeat-purchase behaviour,
  with their true expected future purchases and value.
* :class:`TrueResponse` — the true expected incremental revenue as a function of spend per
  channel, usable by the budget optimizer.

How the market works
--------------------
Each entity has a generator of its own, called in this order (they share one random stream,
so the order is part of what a seed means):

1. :mod:`~micromix.simulate.consumers` — traits, consent, platforms, responsiveness, baseline;
2. :mod:`~micromix.simulate.reach` — who each channel may reach, and its randomised holdout;
3. :mod:`~micromix.simulate.creators` — the creators and the pools influencer channels hire;
4. :mod:`~micromix.simulate.campaign` — the campaign day by day: spend, impressions, clicks,
   engagements, adstocked and saturating incremental conversions, organic user posts and their
   views, baseline purchases;
5. :mod:`~micromix.simulate.purchases` — order values and (flattering) platform attribution;
6. :mod:`~micromix.simulate.repeat` — customers buy again until they drop out (a random
   stream of its own, so turning it off leaves everything else unchanged);
7. :mod:`~micromix.simulate.searches` — micro-moment searches and injected surges;
8. :mod:`~micromix.simulate.tables` — experiments, ad reports, posts and the ground truth;
   :func:`~micromix.simulate.consumers.audience_table` last.

Events are collected compactly in an :class:`~micromix.simulate.events.EventLog` and emitted
one day at a time (:meth:`Market.event_batches`), so a market can be written to a store or to
Parquet without ever holding its whole events table; :attr:`Market.events` builds the table
on first use.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> m = simulate(SimConfig(users=2_000, days=14, seed=3))
>>> m.events.num_rows > 0 and set(m.ground_truth["strategy"]) >= {"paid_social", "influencer"}
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from micromix.simulate.campaign import run_campaign
from micromix.simulate.config import SIMULATOR_VERSION, SimConfig
from micromix.simulate.consumers import REGIONS, audience_table, draw_consumers
from micromix.simulate.creators import draw_creators
from micromix.simulate.draws import hill
from micromix.simulate.events import EventEncoder, EventLog
from micromix.simulate.purchases import Purchases, attribute_purchases
from micromix.simulate.reach import draw_reach
from micromix.simulate.repeat import (
    CLV_TRUTH_COLUMNS,
    RepeatPurchases,
    buy_again,
    profiles_table,
)
from micromix.simulate.response import TrueResponse
from micromix.simulate.searches import draw_searches
from micromix.simulate.tables import (
    ad_performance_table,
    attributed_by_channel_day,
    experiments_table,
    ground_truth_table,
    posts_table,
)
from micromix.simulate.text import QUERY_BANK

__all__ = ["Market", "TrueResponse", "hill", "simulate", "stream_rng"]

#: independent random streams besides the main one (``default_rng(seed)``), by name
_STREAMS = {"repeat": 1}


def stream_rng(seed: int, name: str) -> np.random.Generator:
    """The random stream ``name`` of a simulation seeded ``seed`` (independent of the main one)."""
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(_STREAMS[name],)))


@dataclass(eq=False)
class Market:
    """A simulated market: the contract tables plus ground truth.

    Attributes
    ----------
    events : pyarrow.Table
        The ``events`` contract, built on first use (large: 34M rows for 1M users x 90 days;
        :meth:`event_batches` yields it one day at a time instead).
    ad_performance, posts, creators, audience, experiments : DataFrame
        The other contracts.
    ground_truth : DataFrame
        Per channel and week: spend, impressions, attributed and incremental
        conversions/revenue; incremental figures include the campaign-period repeat purchases
        of the customers each channel won, net of what they would have bought otherwise
        (``incremental_repeat_conversions`` / ``incremental_repeat_revenue``).
    surges : DataFrame
        Injected micro-moment surges: key, moment, topic, region, start, end, multiplier.
    clv_truth : DataFrame
        One row per customer: ``user_id``, ``acquired_at`` / ``acquisition_date`` (first
        purchase), the acquiring ``channel``, ``strategy``, ``platform``, ``targeting`` and
        ``creator_tier`` (the true cause; ``direct`` for baseline demand), the repeat
        ``profile`` used, ``recorded_strategy`` / ``recorded_campaign_id`` (what the first
        purchase event is credited to), ``first_order_value``, the true ``purchase_rate``
        and ``dropout_rate`` (per week) and ``mean_spend`` per repeat purchase,
        ``lifetime_weeks`` and ``alive_at_end`` (of the observed data), the observed
        ``repeat_purchases`` / ``repeat_revenue``, and ``expected_purchases_52w`` / ``_3y``
        and ``expected_clv_52w`` / ``_3y``: true expected repeat purchases and their value
        discounted at 10% a year over the 52 weeks / 3 years after the observed data, given the
        customer's true rates and whether they are alive. Empty when ``config.repeat`` is None.
        :func:`~micromix.simulate.summarize_clv_truth` summarises it by strategy.
    config : SimConfig
    version : int
        :data:`~micromix.simulate.SIMULATOR_VERSION` of the process that made it.
    """

    ad_performance: pd.DataFrame
    posts: pd.DataFrame
    creators: pd.DataFrame
    audience: pd.DataFrame
    experiments: pd.DataFrame
    ground_truth: pd.DataFrame
    surges: pd.DataFrame
    clv_truth: pd.DataFrame
    clv_profiles: pd.DataFrame
    config: SimConfig
    _log: EventLog = field(repr=False)
    _encoder: EventEncoder = field(repr=False)
    version: int = SIMULATOR_VERSION
    _events: pa.Table | None = field(default=None, repr=False)

    @property
    def n_events(self) -> int:
        """Rows of the events table (without building it)."""
        return self._log.n_events if self._events is None else self._events.num_rows

    @property
    def events_schema(self) -> pa.Schema:
        """The Arrow schema of the events table."""
        return self._encoder.schema

    @property
    def events(self) -> pa.Table:
        """The ``events`` contract as one Arrow table (built once, then kept)."""
        if self._events is None:  # the compact log is freed day by day as the table grows
            batches = list(self._log.batches(self._encoder, consume=True))
            self._events = pa.Table.from_batches(batches, schema=self._encoder.schema)
        return self._events

    def event_batches(self, *, consume: bool = False) -> Iterator[pa.RecordBatch]:
        """The events one UTC day at a time, in time order.

        Parameters
        ----------
        consume : bool
            Free each day's compact columns once emitted: the lowest peak memory, but the
            events can then not be read again (:attr:`events` raises).
        """
        if self._events is not None:
            yield from self._events.to_batches()
            return
        yield from self._log.batches(self._encoder, consume=consume)

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

    def tables(self, *, events: bool = True) -> dict[str, pa.Table | pd.DataFrame]:
        """Every table by its store name (``events=False`` leaves out the events table)."""
        out: dict[str, pa.Table | pd.DataFrame] = {"events": self.events} if events else {}
        out.update(
            {
                "ad_performance": self.ad_performance,
                "posts": self.posts,
                "creators": self.creators,
                "audience": self.audience,
                "experiments": self.experiments,
                "ground_truth": self.ground_truth,
                "surges": self.surges,
                "clv_truth": self.clv_truth,
                "clv_profiles": self.clv_profiles,
            }
        )
        return out

    def __repr__(self) -> str:
        return (
            f"Market(users={self.config.users:,}, days={self.config.days}, "
            f"observe_days={self.config.observe_days}, events={self.n_events:,}, "
            f"customers={len(self.clv_truth):,}, channels={len(self.config.channels)})"
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
    report("consumers", 0.02)
    people = draw_consumers(rng, cfg)
    reach = draw_reach(rng, cfg, people)
    creators = draw_creators(rng, cfg)
    log = EventLog()
    campaign = run_campaign(rng, cfg, people, reach, creators, log, report)
    report("purchases and attribution", 0.7)
    purchases = attribute_purchases(rng, cfg, campaign, reach, creators)
    repeat = buy_again(stream_rng(cfg.seed, "repeat"), cfg, purchases) if cfg.repeat else None
    keep = np.ones(len(purchases), dtype=bool) if repeat is None else repeat.keep
    purchases.add_events(log, keep)
    report("micro-moments", 0.78)
    surges = draw_searches(rng, cfg, people, log)
    if repeat is not None:
        report("repeat purchases", 0.82)
        repeat.add_events(log)
    report("reports and truth", 0.88)
    buyer, value = _campaign_purchases(cfg, purchases, keep, repeat)
    experiments = experiments_table(rng, cfg, reach, people.base, buyer, value)
    by_time = np.flatnonzero(keep)[np.argsort(purchases.us[keep], kind="stable")]
    att_conv, att_value = attributed_by_channel_day(
        cfg, purchases.attributed[by_time], purchases.day[by_time], purchases.value[by_time]
    )
    ad_performance = ad_performance_table(cfg, campaign, att_conv, att_value)
    posts = posts_table(rng, cfg, campaign, creators)
    ground_truth = ground_truth_table(
        cfg,
        campaign,
        att_conv,
        att_value,
        None if repeat is None else repeat.inc_conversions,
        None if repeat is None else repeat.inc_revenue,
    )
    audience = audience_table(rng, cfg, people)
    report("done", 1.0)
    return Market(
        ad_performance=ad_performance,
        posts=posts,
        creators=creators.table,
        audience=audience,
        experiments=experiments,
        ground_truth=ground_truth,
        surges=surges,
        clv_truth=pd.DataFrame(columns=CLV_TRUTH_COLUMNS) if repeat is None else repeat.customers,
        clv_profiles=profiles_table(cfg),
        config=cfg,
        _log=log,
        _encoder=EventEncoder(
            start_us=int(pd.Timestamp(cfg.start).value // 1000),
            n_users=cfg.users,
            n_posts=len(campaign.ugc_posts),
            n_creators=creators.n,
            channels=[(c.name, c.targeting, c.cpm / 1000.0) for c in cfg.channels],
            platforms=list(cfg.platform_share),
            user_region=people.region,
            regions=REGIONS,
            queries=[q for _, q, _ in QUERY_BANK],
        ),
    )


def _campaign_purchases(
    cfg: SimConfig, purchases: Purchases, keep: np.ndarray, repeat: RepeatPurchases | None
) -> tuple[np.ndarray, np.ndarray]:
    """Buyer and value of every purchase of the campaign period, first or repeat (the lift
    tests' outcomes)."""
    buyer, value = purchases.user[keep], purchases.value[keep]
    if repeat is None:
        return buyer, value
    during = repeat.in_campaign(cfg.days)
    return (
        np.concatenate([buyer, repeat.user[during]]),
        np.concatenate([value, repeat.value[during]]),
    )
