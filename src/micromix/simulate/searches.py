"""Micro-moment searches: the everyday query stream plus injected surges (with their truth).

Consumers search (mostly on phones) with queries from :data:`~micromix.simulate.text.QUERY_BANK`
(I-want-to-know / go / do / buy); some "go" searches lead to a store-locator visit a minute
later. A few *surges* - a burst of one intent about one topic in one region, 6-12x the usual
hourly volume for 3-8 hours - are injected; the ``surges`` table is their ground truth.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import numpy as np
import pandas as pd

from micromix.schema.vocab import EVENT_TYPES, MOMENTS
from micromix.simulate.config import SimConfig
from micromix.simulate.consumers import REGION_P, REGIONS, Consumers
from micromix.simulate.draws import US_PER_HOUR, times_of_day
from micromix.simulate.events import US_PER_DAY, WEB, EventLog
from micromix.simulate.text import QUERY_BANK, TOPICS

__all__ = ["SURGE_COLUMNS", "draw_searches"]

SURGE_COLUMNS = ["key", "moment", "topic", "region", "start", "end", "multiplier", "extra_events"]
_Q_MOMENT = np.array([MOMENTS.index(m) for m, _, _ in QUERY_BANK])
_Q_WEIGHT = np.array([w for _, _, w in QUERY_BANK], dtype="float64")


def draw_searches(
    rng: np.random.Generator, cfg: SimConfig, people: Consumers, log: EventLog
) -> pd.DataFrame:
    """Add the searches and store-locator visits to ``log``; returns the ``surges`` table."""
    n, days = cfg.users, cfg.days
    n_s = int(rng.poisson(n * days * cfg.search_rate))
    s_user = rng.integers(0, n, n_s)
    s_day = np.minimum((rng.random(n_s) * days).astype(np.int64), days - 1)
    s_us = times_of_day(rng, s_day, n_s)
    s_query = rng.choice(len(QUERY_BANK), size=n_s, p=_Q_WEIGHT / _Q_WEIGHT.sum())
    rows: list[dict[str, object]] = []
    extra_q, extra_u, extra_us = [], [], []
    for j in range(cfg.surges):
        q, u, us, row = _surge(rng, cfg, people, j)
        extra_q.append(q)
        extra_u.append(u)
        extra_us.append(us)
        rows.append(row)
    if extra_q:
        s_query = np.concatenate([s_query, *extra_q])
        s_user = np.concatenate([s_user, *extra_u])
        s_us = np.concatenate([s_us, *extra_us])
        s_day = s_us // US_PER_DAY
    n_s = len(s_query)
    is_mobile = rng.random(n_s) < cfg.mobile_share
    log.add(
        n_s,
        user=s_user,
        day=s_day,
        us=s_us,
        etype=EVENT_TYPES.index("search"),
        query=s_query,
        moment=_Q_MOMENT[s_query],
        platform=WEB,
        device=np.where(is_mobile, 0, 1),
    )
    go = _Q_MOMENT[s_query] == MOMENTS.index("go")
    n_go = int((go & (rng.random(n_s) < 0.35)).sum())
    if n_go:
        sel = np.flatnonzero(go)[:n_go]
        log.add(
            n_go,
            user=s_user[sel],
            day=s_day[sel],
            us=s_us[sel] + 60_000_000,
            etype=EVENT_TYPES.index("store_locator"),
            platform=WEB,
            moment=MOMENTS.index("go"),
            device=0,
        )
    return pd.DataFrame(rows, columns=SURGE_COLUMNS)


def _surge(
    rng: np.random.Generator, cfg: SimConfig, people: Consumers, j: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, object]]:
    """The extra searches of surge ``j``: queries, users, times, and its truth row."""
    n, days = cfg.users, cfg.days
    m_name = ("know", "go", "do", "buy")[j % 4]
    # a surge is about a topic people actually search for with this intent
    topics = [tp for tp in TOPICS if any(m == m_name and tp in q for m, q, _ in QUERY_BANK)]
    topic = topics[int(rng.integers(0, len(topics)))]
    reg = int(rng.choice(len(REGIONS), p=REGION_P))
    cands = [qi for qi, (m, q, _) in enumerate(QUERY_BANK) if m == m_name and topic in q]
    start_h = int(rng.integers(24, max(25, days * 24 - 30)))
    dur_h = int(rng.integers(3, 9))
    # baseline volume of this (moment, region) per hour, times a multiplier
    base_rate = (
        n * cfg.search_rate / 24 * (_Q_WEIGHT[cands].sum() / _Q_WEIGHT.sum()) * REGION_P[reg]
    )
    mult = float(rng.uniform(6, 12))
    k = int(rng.poisson(max(base_rate, 2.0) * mult * dur_h))
    users_r = np.flatnonzero(people.region == reg)
    su = users_r[rng.integers(0, len(users_r), k)] if len(users_r) else rng.integers(0, n, k)
    queries = rng.choice(cands, size=k)
    us = start_h * US_PER_HOUR + rng.integers(0, dur_h * US_PER_HOUR, k)
    t0 = pd.Timestamp(datetime.combine(cfg.start, time(), tzinfo=UTC))
    row = {
        "key": f"{m_name}|{topic}|{REGIONS[reg]}",
        "moment": m_name,
        "topic": topic,
        "region": REGIONS[reg],
        "start": t0 + pd.Timedelta(hours=start_h),
        "end": t0 + pd.Timedelta(hours=start_h + dur_h),
        "multiplier": round(mult, 2),
        "extra_events": k,
    }
    return queries, su, us, row
