"""The contract tables besides events, and the ground truth, from the generated market.

* ``ad_performance`` — each channel's daily platform report: spend, impressions, reach,
  clicks, engagements, and the conversions and value the platform *attributes* to it.
* ``experiments`` — one row per eligible user and channel: the lift test's arm (held out or
  not) and the user's conversions and revenue over the campaign period, with a pre-period
  covariate for CUPED.
* ``posts`` — organic user posts and sponsored creator posts.
* ``ground_truth`` — per channel and week: spend, impressions, attributed and *incremental*
  conversions and revenue (see :func:`ground_truth_table`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from micromix.simulate.campaign import Campaign
from micromix.simulate.config import SimConfig
from micromix.simulate.creators import Creators
from micromix.simulate.events import user_ids
from micromix.simulate.reach import ChannelReach
from micromix.simulate.text import UGC_TEMPLATES, make_caption

__all__ = [
    "POST_COLUMNS",
    "ad_performance_table",
    "experiments_table",
    "ground_truth_table",
    "posts_table",
]

POST_COLUMNS = [
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


def attributed_by_channel_day(
    cfg: SimConfig, channel: np.ndarray, day: np.ndarray, value: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Attributed conversions and value per (channel incl. user content, campaign day).

    ``channel``, ``day`` and ``value`` describe the purchases in time order (the order the
    value is summed in).
    """
    n_src, days = len(cfg.channels) + 1, cfg.days
    sel = (channel >= 0) & (day < days)
    key = channel[sel] * days + day[sel]
    conv = np.bincount(key, minlength=n_src * days).reshape(n_src, days)
    val = np.bincount(key, weights=value[sel], minlength=n_src * days).reshape(n_src, days)
    return conv.astype("float64"), val


def ad_performance_table(
    cfg: SimConfig, campaign: Campaign, att_conv: np.ndarray, att_value: np.ndarray
) -> pd.DataFrame:
    """Daily platform reports per channel (days with impressions only)."""
    channels, days = list(cfg.channels), cfg.days
    n_ch = len(channels)
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
            "impressions": campaign.impressions.reshape(-1),
            "reach": campaign.reach.reshape(-1),
            "clicks": campaign.clicks.reshape(-1),
            "engagements": campaign.engagements.reshape(-1),
            "spend": np.round(campaign.spend.reshape(-1), 2),
            "conversions": att_conv[:n_ch].reshape(-1),
            "conversion_value": np.round(att_value[:n_ch].reshape(-1), 2),
            "currency": "USD",
        }
    )
    rows["date"] = pd.to_datetime(rows["date"])
    return rows[rows["impressions"] > 0].reset_index(drop=True)


def experiments_table(
    rng: np.random.Generator,
    cfg: SimConfig,
    reach: ChannelReach,
    base: np.ndarray,
    buyer: np.ndarray,
    value: np.ndarray,
) -> pd.DataFrame:
    """The channels' holdout lift tests; outcomes count every purchase of the campaign period.

    ``buyer`` and ``value`` are the campaign period's purchases (first and repeat ones).
    """
    n = cfg.users
    conv = np.bincount(buyer, minlength=n).astype("float64")
    rev = np.round(np.bincount(buyer, weights=value, minlength=n), 2)
    pre = (rng.poisson(base * cfg.pre_days) * cfg.order_value).astype("float64")
    channels = list(cfg.channels)
    sizes = [len(pool) for pool in reach.eligible]
    exp_code = np.repeat(np.arange(len(channels)), sizes)
    unit = np.concatenate(reach.eligible) if channels else np.empty(0, np.int64)
    held = np.concatenate(reach.held) if channels else np.empty(0, bool)
    units, unit_code = np.unique(unit, return_inverse=True)
    strategies = sorted({c.strategy for c in channels})
    strategy_code = np.array([strategies.index(c.strategy) for c in channels], dtype=np.int8)
    # label columns are categoricals (a few distinct values over millions of rows)
    return pd.DataFrame(
        {
            "experiment_id": pd.Categorical.from_codes(
                exp_code, [f"holdout:{c.name}" for c in channels]
            ),
            "unit_id": pd.Categorical.from_codes(
                unit_code.astype(np.int32), user_ids(n).take(pa.array(units)).to_pandas()
            ),
            "arm": pd.Categorical.from_codes(held.astype(np.int8), ["treatment", "control"]),
            "strategy": pd.Categorical.from_codes(strategy_code[exp_code], strategies),
            "campaign_id": pd.Categorical.from_codes(exp_code, [c.name for c in channels]),
            "conversions": conv[unit],
            "revenue": rev[unit],
            "pre_period": pre[unit],
        }
    )


def posts_table(
    rng: np.random.Generator, cfg: SimConfig, campaign: Campaign, creators: Creators
) -> pd.DataFrame:
    """Organic user posts (heavy-tailed views) and sponsored creator posts."""
    t0 = pd.Timestamp(cfg.start, tz="UTC")
    plats = list(cfg.platform_share)
    rows = []
    for p_idx, d, u, pl in campaign.ugc_posts:
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
    table = creators.table
    for j, (d, ch, cr) in enumerate(campaign.influencer_posts):
        c = table.iloc[cr]
        real = c["followers"] * (1 - c["fake_follower_share"])
        er = 0.09 * (max(c["followers"], 1000) / 1000) ** -0.22
        likes = int(real * er * rng.lognormal(0, 0.3))
        text, tags, mentions = make_caption(rng, UGC_TEMPLATES)
        rows.append(
            {
                "post_id": f"sp{j:06d}",
                "platform": cfg.channels[ch].platform,
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
    return pd.DataFrame(rows, columns=POST_COLUMNS)


def ground_truth_table(
    cfg: SimConfig,
    campaign: Campaign,
    att_conv: np.ndarray,
    att_value: np.ndarray,
    repeat_conv: np.ndarray | None,
    repeat_rev: np.ndarray | None,
) -> pd.DataFrame:
    """Per channel (and organic user content) and week: spend, impressions, attributed and
    incremental conversions and revenue.

    ``incremental_conversions`` are expected under the data-generating process given the
    realised spend: the conversions the channel's ads cause directly, plus the net repeat
    purchases within the campaign of the customers it won (``incremental_repeat_*``, see
    :func:`micromix.simulate.repeat.incremental_repeats`). ``incremental_revenue`` values the
    direct conversions at the mean order value and the repeat purchases at their profile's mean
    spend. This is the estimand of the lift tests in ``experiments``.
    """
    channels, days = list(cfg.channels), cfg.days
    n_ch = len(channels)
    week = np.arange(days) // 7
    week_start = pd.Timestamp(cfg.start) + pd.to_timedelta(week * 7, unit="D")
    rep_c = np.zeros((n_ch + 1, days)) if repeat_conv is None else repeat_conv
    rep_r = np.zeros((n_ch + 1, days)) if repeat_rev is None else repeat_rev
    labels: list[tuple[str, str, str, str | None, str | None]] = [
        (c.name, c.strategy, c.platform, c.targeting, c.creator_tier) for c in channels
    ]
    labels.append(("ugc_organic", "ugc_organic", "instagram", None, None))
    rows = []
    for i, (name, strategy, platform, targeting, tier) in enumerate(labels):
        if i < n_ch:
            sp, im, inc = campaign.spend[i], campaign.impressions[i], campaign.expected_inc[i]
        else:
            sp, im, inc = np.zeros(days), campaign.ugc_views.astype(np.int64), campaign.ugc_expected
        df = pd.DataFrame(
            {
                "week": week,
                "spend": sp,
                "impressions": im,
                "inc": inc,
                "att_c": att_conv[i],
                "att_r": att_value[i],
                "rep_c": rep_c[i],
                "rep_r": rep_r[i],
            }
        )
        g = df.groupby("week").sum()
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
                    "incremental_conversions": float(r["inc"]) + float(r["rep_c"]),
                    "incremental_revenue": float(r["inc"]) * cfg.order_value + float(r["rep_r"]),
                    "incremental_repeat_conversions": float(r["rep_c"]),
                    "incremental_repeat_revenue": float(r["rep_r"]),
                }
            )
    out = pd.DataFrame(rows)
    out["week"] = pd.to_datetime(out["week"]).dt.date
    return out
