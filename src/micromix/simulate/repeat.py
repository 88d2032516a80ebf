"""Repeat purchases: every customer buys again until they drop out (buy-till-you-die).

A consumer becomes a *customer* with their first purchase of the campaign period; what caused
that purchase - a channel's ads, organic user content, or baseline demand (``direct``) - is the
customer's acquisition strategy and picks their :class:`~micromix.simulate.config.RepeatProfile`.
From then on the customer follows a Pareto/NBD process: purchases at a Poisson rate ``lambda``
per week while alive, an exponential lifetime of rate ``mu``, and Gamma-Gamma spend per
purchase (``p``, individual ``nu``); ``lambda``, ``mu`` and ``nu`` are drawn per customer from
the profile's gamma distributions. The process runs through the campaign and the observation
period after it (``SimConfig.observe_days``) and is the customer's only way to buy without
marketing: their later *baseline* purchases are replaced by it (ads still cause purchases of
existing customers, and those stay incremental conversions of the ad's channel).

Repeat purchases are ordinary ``purchase`` events of the same user on the web shop, with
strategy ``direct`` and no campaign: platforms do not attribute them; the acquisition strategy
is kept in the truth table. They use a random stream of their own, so the rest of the market is
the same as without them.

Truth
-----
* ``clv_truth`` (one row per customer): the acquisition (when, by which channel / strategy /
  targeting / creator tier, and what the first purchase event was credited to), the customer's
  true ``lambda``, ``mu`` and mean spend, their lifetime and whether they are alive at the end
  of the observed data, the repeat purchases observed, and the true expected number of
  purchases and discounted value in the 52 weeks and 3 years after the observed data, given the
  customer's true rates and whether they are alive (10% a year, continuous discounting).
* The *incremental* effect of a channel includes the repeat purchases, within the campaign, of
  the customers it won, net of what those customers would have bought had the channel not won
  them (their first purchase from another source, which would then have acquired them): see
  :func:`incremental_repeats`. This is exactly what the lift tests in ``experiments`` measure,
  since their outcomes count every purchase in the campaign period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from micromix.errors import ColumnNotFoundError
from micromix.schema.vocab import EVENT_TYPES, STRATEGIES
from micromix.simulate.config import WEEKS_PER_YEAR, RepeatProfile, SimConfig
from micromix.simulate.draws import times_of_day
from micromix.simulate.events import US_PER_DAY, WEB, EventLog, user_ids
from micromix.simulate.purchases import Purchases

__all__ = [
    "ANNUAL_DISCOUNT",
    "CLV_PROFILE_COLUMNS",
    "CLV_TRUTH_COLUMNS",
    "HORIZONS",
    "RepeatPurchases",
    "buy_again",
    "incremental_repeats",
    "profiles_table",
    "summarize_clv_truth",
]

US_PER_WEEK = 7 * US_PER_DAY
#: annual discount rate of the true CLV
ANNUAL_DISCOUNT = 0.10
#: horizons of the true CLV: column suffix -> weeks after the observed data
HORIZONS: dict[str, float] = {"52w": 52.0, "3y": 3 * WEEKS_PER_YEAR}
_PURCHASE = EVENT_TYPES.index("purchase")
_ADD_TO_CART = EVENT_TYPES.index("add_to_cart")
_DIRECT = STRATEGIES.index("direct")
#: columns of ``Market.clv_truth``
CLV_TRUTH_COLUMNS = [
    "user_id",
    "acquired_at",
    "acquisition_date",
    "channel",
    "strategy",
    "platform",
    "targeting",
    "creator_tier",
    "profile",
    "recorded_strategy",
    "recorded_campaign_id",
    "first_order_value",
    "purchase_rate",
    "dropout_rate",
    "mean_spend",
    "lifetime_weeks",
    "alive_at_end",
    "repeat_purchases",
    "repeat_revenue",
    *[f"expected_purchases_{h}" for h in HORIZONS],
    *[f"expected_clv_{h}" for h in HORIZONS],
]


#: label columns of the truth table a summary can group by
_GROUPABLE = (
    "strategy",
    "targeting",
    "creator_tier",
    "channel",
    "platform",
    "profile",
    "recorded_strategy",
    "recorded_campaign_id",
    "acquisition_date",
    "alive_at_end",
)
#: columns of ``Market.clv_profiles``
CLV_PROFILE_COLUMNS = [
    "profile",
    "r",
    "alpha",
    "s",
    "beta",
    "p",
    "q",
    "gamma",
    "mean_purchase_rate",
    "mean_lifetime_weeks",
    "mean_spend",
    *[f"expected_purchases_{h}" for h in HORIZONS],
    *[f"expected_clv_{h}" for h in HORIZONS],
]


def profiles_table(cfg: SimConfig) -> pd.DataFrame:
    """The true population parameters of every repeat profile the market uses.

    One row per profile key: the Pareto/NBD (``r``, ``alpha``, ``s``, ``beta``; weeks) and
    Gamma-Gamma (``p``, ``q``, ``gamma``) parameters, their means, and the expected repeat
    purchases and discounted value (10% a year) of a newly acquired customer over each horizon
    from acquisition.
    """
    if cfg.repeat is None:
        return pd.DataFrame(columns=CLV_PROFILE_COLUMNS)
    prof = _Profiles.of(cfg)
    rows = []
    for key, p in zip(prof.keys, prof.profiles):
        row: dict[str, object] = {"profile": key}
        row.update({k: getattr(p, k) for k in ("r", "alpha", "s", "beta", "p", "q", "gamma")})
        row["mean_purchase_rate"] = p.mean_purchase_rate
        row["mean_lifetime_weeks"] = p.mean_lifetime_weeks
        row["mean_spend"] = p.mean_spend
        for h, weeks in HORIZONS.items():
            row[f"expected_purchases_{h}"] = p.expected_purchases(weeks)
        for h, weeks in HORIZONS.items():
            row[f"expected_clv_{h}"] = p.expected_value(weeks, ANNUAL_DISCOUNT)
        rows.append(row)
    return pd.DataFrame(rows, columns=CLV_PROFILE_COLUMNS)


@dataclass
class RepeatPurchases:
    """The repeat purchases of every customer, and their truth."""

    #: per campaign purchase: False for baseline purchases of someone already a customer
    keep: np.ndarray
    user: np.ndarray
    us: np.ndarray
    value: np.ndarray
    device: np.ndarray
    atc: np.ndarray
    atc_us: np.ndarray
    #: one row per customer (see the module docstring)
    customers: pd.DataFrame
    #: (sources, campaign days): net in-campaign repeat purchases (count, revenue) each source
    #: caused, sources being the channels then organic user content
    inc_conversions: np.ndarray
    inc_revenue: np.ndarray

    def add_events(self, log: EventLog) -> None:
        """Add the repeat purchases and their add_to_cart events to ``log``."""
        day = self.us // US_PER_DAY
        log.add(
            len(self.user),
            user=self.user,
            day=day,
            us=self.us,
            etype=_PURCHASE,
            strategy=_DIRECT,
            platform=WEB,
            revenue=self.value,
            device=self.device,
        )
        log.add(
            int(self.atc.sum()),
            user=self.user[self.atc],
            day=day[self.atc],
            us=self.atc_us,
            etype=_ADD_TO_CART,
            platform=WEB,
            device=0,
        )

    def in_campaign(self, days: int) -> np.ndarray:
        """Mask of the repeat purchases made during the campaign's ``days``."""
        return self.us < days * US_PER_DAY


@dataclass
class _Profiles:
    """Profile parameters as arrays indexed by source + 1 (-1 = baseline, then channels, UGC)."""

    keys: list[str]
    index: np.ndarray  # source + 1 -> profile number
    params: dict[str, np.ndarray]  # name -> value per profile number
    profiles: list[RepeatProfile]

    @classmethod
    def of(cls, cfg: SimConfig) -> _Profiles:
        spec = cfg.repeat
        assert spec is not None
        keys: list[str] = []
        index = []
        for strategy, qualifier in [
            ("direct", None),
            *[(c.strategy, c.qualifier) for c in cfg.channels],
            ("ugc_organic", None),
        ]:
            key = spec.key(strategy, qualifier)
            assert key is not None  # SimConfig checked every channel has one
            if key not in keys:
                keys.append(key)
            index.append(keys.index(key))
        profiles = [spec.profiles[k] for k in keys]
        params = {
            name: np.array([getattr(p, name) for p in profiles], dtype="float64")
            for name in ("r", "alpha", "s", "beta", "p", "q", "gamma")
        }
        return cls(keys, np.array(index), params, profiles)

    def of_source(self, src: np.ndarray) -> np.ndarray:
        return self.index[np.asarray(src) + 1]


def buy_again(rng: np.random.Generator, cfg: SimConfig, purchases: Purchases) -> RepeatPurchases:
    """Acquire customers from the campaign's purchases and draw their repeat purchases."""
    n_ch = len(cfg.channels)
    prof = _Profiles.of(cfg)
    # ------------------------------------------------------------------ acquisitions
    order = np.lexsort((np.arange(len(purchases)), purchases.us, purchases.user))
    user_sorted = purchases.user[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = user_sorted[1:] != user_sorted[:-1]
    acq = order[first]  # the acquiring purchase of each customer (customers by user number)
    keep = np.ones(len(purchases), dtype=bool)
    later_baseline = ~first & (purchases.src[order] == -1)
    keep[order[later_baseline]] = False
    n_c = len(acq)
    k = prof.of_source(purchases.src[acq])
    p = {name: v[k] for name, v in prof.params.items()}
    # ------------------------------------------------------------------ latent traits
    lam = rng.gamma(p["r"], 1.0 / p["alpha"])
    mu = rng.gamma(p["s"], 1.0 / p["beta"])
    lifetime = rng.exponential(1.0 / mu)
    nu = rng.gamma(p["q"], 1.0 / p["gamma"])
    # ------------------------------------------------------------------ purchases
    t_a = purchases.us[acq] / US_PER_WEEK
    end = cfg.total_days / 7.0
    active = np.clip(np.minimum(t_a + lifetime, end) - t_a, 0.0, None)
    count = rng.poisson(lam * active)
    who = np.repeat(np.arange(n_c), count)
    t = t_a[who] + rng.random(len(who)) * active[who]
    us = np.minimum(np.round(t * US_PER_WEEK).astype(np.int64), cfg.total_days * US_PER_DAY - 1)
    by_time = np.argsort(us, kind="stable")
    who, us = who[by_time], us[by_time]
    value = np.round(rng.gamma(p["p"][who], 1.0 / nu[who]), 2)
    device = (rng.random(len(who)) < 0.3).astype(np.int8)
    atc = rng.random(len(who)) < cfg.repeat.add_to_cart_share  # type: ignore[union-attr]
    atc_us = times_of_day(rng, us[atc] // US_PER_DAY, int(atc.sum()))
    # ------------------------------------------------------------------ truth
    customers = _truth_table(
        cfg, purchases, acq, prof, k, lam, mu, lifetime, nu, p["p"], who, value
    )
    inc_c, inc_r = incremental_repeats(cfg, purchases, order, first, prof, n_ch)
    return RepeatPurchases(
        keep=keep,
        user=purchases.user[acq][who].astype(np.int64),
        us=us,
        value=value,
        device=device,
        atc=atc,
        atc_us=atc_us,
        customers=customers,
        inc_conversions=inc_c,
        inc_revenue=inc_r,
    )


def _truth_table(
    cfg: SimConfig,
    purchases: Purchases,
    acq: np.ndarray,
    prof: _Profiles,
    k: np.ndarray,
    lam: np.ndarray,
    mu: np.ndarray,
    lifetime: np.ndarray,
    nu: np.ndarray,
    p: np.ndarray,
    who: np.ndarray,
    value: np.ndarray,
) -> pd.DataFrame:
    """One row per customer: acquisition, true traits, observed repeats, expected future."""
    channels = list(cfg.channels)
    n_ch = len(channels)
    src = purchases.src[acq]
    src_row = np.where(src < 0, n_ch + 1, src)  # channels, UGC, then baseline
    name = np.array([c.name for c in channels] + ["ugc_organic", None], dtype=object)
    strategy = np.array([c.strategy for c in channels] + ["ugc_organic", "direct"], dtype=object)
    platform = np.array([c.platform for c in channels] + [None, None], dtype=object)
    targeting = np.array([c.targeting for c in channels] + [None, None], dtype=object)
    tier = np.array([c.creator_tier for c in channels] + [None, None], dtype=object)
    credited = purchases.attributed[acq]
    rec_campaign = np.array([c.name for c in channels] + [None], dtype=object)
    t_a = purchases.us[acq] / US_PER_WEEK
    end = cfg.total_days / 7.0
    alive = t_a + lifetime > end
    mean_spend = p / nu
    delta = math.log1p(ANNUAL_DISCOUNT) / WEEKS_PER_YEAR
    start = pd.Timestamp(cfg.start)
    acquired_at = start + pd.to_timedelta(purchases.us[acq], unit="us")
    out = pd.DataFrame(
        {
            "user_id": user_ids(cfg.users).take(purchases.user[acq]).to_numpy(zero_copy_only=False),
            "acquired_at": acquired_at,
            "acquisition_date": acquired_at.normalize().date,
            "channel": name[src_row],
            "strategy": strategy[src_row],
            "platform": platform[src_row],
            "targeting": targeting[src_row],
            "creator_tier": tier[src_row],
            "profile": np.array(prof.keys, dtype=object)[k],
            "recorded_strategy": np.array(STRATEGIES, dtype=object)[purchases.strategy[acq]],
            "recorded_campaign_id": rec_campaign[np.where(credited >= 0, credited, n_ch)],
            "first_order_value": purchases.value[acq],
            "purchase_rate": lam,
            "dropout_rate": mu,
            "mean_spend": mean_spend,
            "lifetime_weeks": lifetime,
            "alive_at_end": alive,
            "repeat_purchases": np.bincount(who, minlength=len(acq)),
            "repeat_revenue": np.round(np.bincount(who, weights=value, minlength=len(acq)), 2),
        }
    )
    for h, weeks in HORIZONS.items():
        out[f"expected_purchases_{h}"] = np.where(alive, lam / mu * -np.expm1(-mu * weeks), 0.0)
    for h, weeks in HORIZONS.items():
        rate = mu + delta
        out[f"expected_clv_{h}"] = np.where(
            alive, mean_spend * lam / rate * -np.expm1(-rate * weeks), 0.0
        )
    return out


def _expected_count(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Pareto/NBD ``E[X(x)]`` of a new customer after ``x`` weeks (elementwise params)."""
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    x = np.maximum(x, 0.0)
    near_one = np.abs(s - 1) < 1e-12
    s_safe = np.where(near_one, 2.0, s)
    general = beta / (s_safe - 1) * (1 - (beta / (beta + x)) ** (s_safe - 1))
    log_form = beta * np.log1p(x / beta)
    return r / alpha * np.where(near_one, log_form, general)


def incremental_repeats(
    cfg: SimConfig,
    purchases: Purchases,
    order: np.ndarray,
    first: np.ndarray,
    prof: _Profiles,
    n_ch: int,
    block: int = 20_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Net in-campaign repeat purchases and revenue each source caused, per campaign day.

    For every customer a channel (or organic user content) acquired at time ``t``: the
    expected repeat purchases of its profile from ``t`` to the end of the campaign, minus,
    if another source would have made the customer's first purchase at ``t'`` (their first
    purchase not caused by this channel), that purchase when it was a baseline purchase (which
    is replaced by the repeat process once the customer is acquired) and the expected repeat
    purchases of the other source's profile from ``t'``. Expectations are over the repeat
    process given the campaign's draws, whose other purchases do not depend on this channel.

    Returns
    -------
    (conversions, revenue) : ndarray, ndarray
        Shape ``(n_channels + 1, days)``; row ``n_channels`` is organic user content.
    """
    days = cfg.days
    src_sorted = purchases.src[order]
    acq_pos = np.flatnonzero(first)
    acq_src = src_sorted[acq_pos]
    cf_pos = _counterfactual_first(src_sorted, first, acq_src)
    inc_c = np.zeros((n_ch + 1, days))
    inc_r = np.zeros((n_ch + 1, days))
    won = np.flatnonzero(acq_src >= 0)  # customers a channel or user content acquired
    spend = np.array([p.mean_spend for p in prof.profiles])
    lo_day = np.arange(days) / 7.0
    hi_day = (np.arange(days) + 1) / 7.0
    us_sorted = purchases.us[order]
    day_sorted = purchases.day[order]

    def stream(t: np.ndarray, src: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected repeat purchases per campaign day of streams starting at ``t`` weeks."""
        k = prof.of_source(src)
        params = {name: v[k][:, None] for name, v in prof.params.items()}
        t2 = t[:, None]
        cnt = _expected_count(params, hi_day[None, :] - t2) - _expected_count(
            params, np.maximum(lo_day[None, :], t2) - t2
        )
        return cnt, cnt * spend[k][:, None]

    for startb in range(0, len(won), block):
        rows = won[startb : startb + block]
        src = acq_src[rows]
        t = us_sorted[acq_pos[rows]] / US_PER_WEEK
        cnt, rev = stream(t, src)
        has_cf = cf_pos[rows] >= 0
        if has_cf.any():
            cf = cf_pos[rows[has_cf]]
            cf_src = src_sorted[cf]
            cf_t = us_sorted[cf] / US_PER_WEEK
            c2, r2 = stream(cf_t, cf_src)
            cnt[has_cf] -= c2
            rev[has_cf] -= r2
            base = cf_src == -1  # the baseline purchase the acquisition replaced
            if base.any():
                b_rows = np.flatnonzero(has_cf)[base]
                b_day = day_sorted[cf[base]]
                np.subtract.at(cnt, (b_rows, b_day), 1.0)
                np.subtract.at(rev, (b_rows, b_day), cfg.order_value)
        for source in np.unique(src):
            sel = src == source
            inc_c[source] += cnt[sel].sum(axis=0)
            inc_r[source] += rev[sel].sum(axis=0)
    return inc_c, inc_r


def _counterfactual_first(
    src_sorted: np.ndarray, first: np.ndarray, acq_src: np.ndarray
) -> np.ndarray:
    """Per customer, the position of their first purchase not from the acquiring source (-1:
    none); purchases are sorted by customer then time, ``first`` marks acquisitions."""
    cust = np.cumsum(first) - 1  # each purchase's customer
    cand = np.flatnonzero(~first & (src_sorted != acq_src[cust]))
    out = np.full(len(acq_src), -1)
    if len(cand):
        c_of = cust[cand]
        firsts = np.ones(len(cand), dtype=bool)
        firsts[1:] = c_of[1:] != c_of[:-1]
        out[c_of[firsts]] = cand[firsts]
    return out


def summarize_clv_truth(truth: pd.DataFrame, by: str | list[str] = "strategy") -> pd.DataFrame:
    """Per-group summary of the true customer values (``Market.clv_truth``).

    Parameters
    ----------
    truth : DataFrame
        ``Market.clv_truth`` (or the stored ``clv_truth`` table).
    by : str or list of str
        Grouping columns, e.g. ``"strategy"``, ``["strategy", "targeting"]``,
        ``"recorded_strategy"`` (the label the first purchase event carries) or ``"profile"``.

    Returns
    -------
    DataFrame
        Per group: ``customers``, the mean true ``purchase_rate`` (per week), ``dropout_rate``
        and ``mean_spend``, ``alive_share`` at the end of the observed data, mean observed
        ``repeat_purchases`` and ``first_order_value``, and the mean true expected purchases
        and CLV per customer for each horizon.

    Examples
    --------
    >>> from micromix.simulate import SimConfig, simulate
    >>> m = simulate(SimConfig(users=3_000, days=21, seed=2, observe_days=56))
    >>> s = summarize_clv_truth(m.clv_truth)
    >>> int(s["customers"].sum()) == len(m.clv_truth)
    True
    """
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        if key not in truth.columns:
            raise ColumnNotFoundError(
                f"summarize_clv_truth: the truth table has no column {key!r}; group by "
                f"{', '.join(_GROUPABLE)}"
            )
    means = [
        "purchase_rate",
        "dropout_rate",
        "mean_spend",
        "repeat_purchases",
        "first_order_value",
        *[f"expected_purchases_{h}" for h in HORIZONS],
        *[f"expected_clv_{h}" for h in HORIZONS],
    ]
    g = truth.groupby(keys, dropna=False, sort=True)
    out = g[means].mean()
    out.insert(0, "customers", g.size())
    out.insert(4, "alive_share", g["alive_at_end"].mean())
    return out.reset_index()
