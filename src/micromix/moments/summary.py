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

import pandas as pd

from micromix.errors import StoreError
from micromix.moments.bursts import BurstSpec, detect_bursts
from micromix.moments.evaluate import score_bursts
from micromix.moments.sessions import moment_kpis, tag_sessions
from micromix.moments.topics import NO_TOPIC, TopicVocabulary

if TYPE_CHECKING:
    from micromix.store import Store

__all__ = [
    "MAX_SESSIONS",
    "MomentSummary",
    "fill_moments",
    "moment_summary",
    "search_bucket_counts",
    "search_counts",
]

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


def fill_moments(
    moment: pd.Series, query: pd.Series, *, classifier: Any = None
) -> tuple[pd.Series, int, str | None]:
    """Each search's stored ``moment``, else the intent classifier's label for its ``query``.

    Every view of the searches (the dashboard's counts, its bursts, its live feed, the report's
    surges) labels a search without a stored moment the same way: by the shipped
    :class:`~micromix.moments.IntentClassifier` (or ``classifier``), each distinct query once.
    An empty query stays without a moment. Returns the moments, how many were classified, and a
    note saying so (None when none were); without a usable model the moments stay empty and the
    note says why.
    """
    out = moment.astype(object).where(moment.notna(), None)
    need = out.isna() & query.notna() & (query.astype("string").str.strip() != "")
    n = int(need.sum())
    if n == 0:
        return out, 0, None
    if classifier is None:
        from micromix.errors import MicromixError
        from micromix.moments.intent import IntentClassifier

        try:
            classifier = IntentClassifier.load_default()
        except MicromixError as exc:
            return (
                out,
                0,
                f"{n:,} searches carry no moment and no intent model could label them: {exc}",
            )
    texts = query[need].astype(str)
    distinct = pd.unique(texts.to_numpy())
    labels = classifier.classify(list(distinct))["moment"].to_numpy()
    out.loc[need] = texts.map(dict(zip(distinct, labels))).to_numpy()
    note = (
        f"{n:,} searches carry no moment: labelled from their query by the intent model "
        "(micromix moments classify), as the live feed labels them"
    )
    return out, n, note


def search_counts(store: Store, by: tuple[str, ...] = ("moment", "device")) -> pd.DataFrame:
    """Search events counted by ``by`` (``searches``), a search without a stored moment labelled
    from its query (:func:`fill_moments`); ``attrs["notes"]`` says how many were.

    The engine groups the searches; only those without a moment are grouped by query too, so
    the classifier sees each distinct query once."""
    t = store.table("events")
    t = t.filter(t.event_type == "search")
    keys = [c for c in by if c in t.columns]
    if "moment" not in keys or "query" not in t.columns:
        out = store.execute(t.group_by(keys).aggregate(searches=t.count()))
        out.attrs["notes"] = []
        return out
    labelled = t.filter(t.moment.notnull())
    known = store.execute(labelled.group_by(keys).aggregate(searches=labelled.count()))
    bare = t.filter(t.moment.isnull())
    rest = store.execute(bare.group_by([*keys, "query"]).aggregate(searches=bare.count()))
    notes: list[str] = []
    if len(rest):
        rest["moment"], _, note = fill_moments(rest["moment"], rest["query"])
        notes += [note] if note else []
        rest = rest.drop(columns="query")
    both = (
        pd.concat([d for d in (known, rest) if len(d)], ignore_index=True)
        if len(known) + len(rest)
        else known
    )
    out = (
        both.groupby(keys, dropna=False, sort=True)["searches"].sum().reset_index()
        if len(both)
        else both
    )
    out["searches"] = out["searches"].astype("int64")
    out.attrs["notes"] = notes
    return out


def search_bucket_counts(store: Store, *, width: int, by: str | None) -> pd.DataFrame:
    """Search events per bucket (``bucket_start`` in epoch seconds, ``key``, ``n``) for
    :func:`~micromix.moments.detect_bursts`, keyed by ``by`` (None: ``all``); by ``moment``, a
    search without a stored moment is labelled from its query (:func:`fill_moments`) and
    ``attrs["notes"]`` says how many were."""
    from micromix.store.portable import bucket_counts_expr

    t = store.table("events")
    search = t.event_type == "search"
    if by != "moment" or "query" not in t.columns:
        out = store.execute(
            bucket_counts_expr(t, width=width, key_cols=[by] if by else [], where=search)
        )
        out.attrs["notes"] = []
        return out
    known = store.execute(
        bucket_counts_expr(t, width=width, key_cols=["moment"], where=search & t.moment.notnull())
    )
    bare = store.execute(
        bucket_counts_expr(t, width=width, key_cols=["query"], where=search & t.moment.isnull())
    )
    notes: list[str] = []
    if len(bare):
        query = bare["key"].where(bare["key"] != "None")  # the expression's text for a null
        moment, _, note = fill_moments(pd.Series(None, index=bare.index, dtype=object), query)
        notes += [note] if note else []
        bare["key"] = moment.fillna("None").astype(str)
    both = pd.concat([d for d in (known, bare) if len(d)] or [known], ignore_index=True)
    if not len(both):  # no searches at all (a store of ad reports): no buckets, not a 500
        out = known
    else:
        out = both.groupby(["bucket_start", "key"], sort=True)["n"].sum().reset_index()
        out["n"] = out["n"].astype("int64")
    out.attrs["notes"] = notes
    return out


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
    cols = ["session_id", "ts", "event_type", "query", "moment", "revenue", "user_id"]
    if sampled:
        from micromix.store.temporary import frame_table

        # in a fixed order: DuckDB returns DISTINCT rows in a varying order (2 orders in 40
        # runs on a 1,418-session store), so the same seed drew a different sample
        ids = store.execute(sess.order_by("session_id"))["session_id"]
        ids = ids.sample(max_sessions, random_state=seed)
        # the sampled ids are a frame on the engine's connection: dropped after the join (a
        # long-running service would otherwise keep one per summary, with its data)
        with frame_table(store, pd.DataFrame({"session_id": ids.to_numpy()})) as picked:
            ev = store.execute(t.semi_join(picked, "session_id").select(*cols))
    else:
        ev = store.execute(t.semi_join(sess, "session_id").select(*cols))
    sessions = tag_sessions(ev)
    kpis = moment_kpis(sessions)
    # surges: hourly counts of searches by moment | topic | region
    s = store.execute(searches.select("ts", "query", "moment", "region"))
    if len(s):
        s["moment"], _, _ = fill_moments(s["moment"], s["query"])  # as every view labels them
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
