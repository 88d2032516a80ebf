"""Micro-moments in a store: KPIs per moment type and the surges found in the search stream.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> from micromix.ingest.market import load_market
>>> st = Store.open(":memory:")
>>> _ = load_market(st, simulate(SimConfig(users=2_000, days=28, seed=1)))
>>> s = moment_summary(st)
>>> sorted(s.kpis.index)[:2]
['all', 'buy']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis
import pandas as pd

from micromix.errors import StoreError
from micromix.moments.bursts import BurstSpec, detect_bursts
from micromix.moments.evaluate import score_bursts
from micromix.moments.sessions import moment_kpis, tag_sessions
from micromix.moments.topics import NO_TOPIC, TopicVocabulary

if TYPE_CHECKING:
    from micromix.store import Store

__all__ = ["MAX_SESSIONS", "MomentSummary", "moment_summary"]

#: sessions with a search that are tagged at most (a random, seeded sample beyond that)
MAX_SESSIONS = 50_000


@dataclass
class MomentSummary:
    """KPIs per moment type, surges found, and (with simulator truth) their scores."""

    kpis: pd.DataFrame
    bursts: pd.DataFrame
    scores: dict[str, Any] = field(default_factory=dict)
    sessions_tagged: int = 0
    sampled: bool = False

    def __repr__(self) -> str:
        return f"MomentSummary(sessions={self.sessions_tagged:,}, bursts={len(self.bursts)})\n{self.kpis}"


def _topic_of(queries: pd.Series, topics: tuple[str, ...] | None) -> pd.Series:
    if topics is None:  # learned from the queries themselves
        return pd.Series(TopicVocabulary().fit_transform(queries), index=queries.index)
    if not topics:
        return pd.Series(NO_TOPIC, index=queries.index, dtype="string")
    pattern = "(" + "|".join(re.escape(t) for t in sorted(topics, key=len, reverse=True)) + ")"
    return queries.astype("string").str.extract(pattern, expand=False).fillna(NO_TOPIC)


def moment_summary(
    store: Store,
    *,
    freq: str = "1h",
    detector: str = "poisson",
    topics: tuple[str, ...] | None = None,
    max_sessions: int = MAX_SESSIONS,
    seed: int = 0,
) -> MomentSummary:
    """Tag search sessions with their micro-moment and find surges by moment, topic and region.

    Parameters
    ----------
    store : micromix.store.Store
    freq : str
        Bucket size for burst detection.
    detector : str
        Registered burst detector (``poisson``, ``ewma``, ``cusum``).
    topics : tuple of str, optional
        Topic vocabulary matched in the queries (longest first). Default: the topics learned
        from the queries themselves (:class:`~micromix.moments.topics.TopicVocabulary`).
    max_sessions : int
        Tag at most this many sessions (a seeded random sample beyond that).
    seed : int
    """
    if store.count("events") == 0:
        raise StoreError("no events in the store; ingest events or run micromix demo first")
    t = store.table("events")
    searches = t.filter((t.event_type == "search") & t.session_id.notnull())
    sess = searches.select("session_id").distinct()
    n_sess = int(store.execute(sess.count().name("n").as_table())["n"].iloc[0])
    sampled = n_sess > max_sessions
    if sampled:
        ids = store.execute(sess)["session_id"].sample(max_sessions, random_state=seed)
        sess = ibis.memtable(pd.DataFrame({"session_id": ids.to_numpy()}))
    cols = ["session_id", "ts", "event_type", "query", "moment", "revenue", "user_id"]
    ev = store.execute(t.semi_join(sess, "session_id").select(*cols))
    sessions = tag_sessions(ev)
    kpis = moment_kpis(sessions)
    # surges: hourly counts of searches by moment | topic | region
    s = store.execute(searches.select("ts", "query", "moment", "region"))
    if len(s):
        s["key"] = (
            s["moment"].astype("string").fillna("other")
            + "|"
            + _topic_of(s["query"], topics)
            + "|"
            + s["region"].astype("string").fillna("unknown")
        )
        found = detect_bursts(
            s, time_col="ts", key_col="key", spec=BurstSpec(freq=freq, detector=detector)
        )
    else:
        found = pd.DataFrame(
            columns=["key", "start", "end", "observed", "expected", "score", "kind"]
        )
    scores: dict[str, Any] = {}
    if store.has_table("surges") and store.count("surges"):
        scores = score_bursts(found, store.read("surges"))
    return MomentSummary(kpis, found, scores, len(sessions), sampled)
