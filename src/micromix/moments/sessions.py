"""Session micro-moments and their KPIs.

:func:`tag_sessions` turns an event stream (the ``events`` contract, or GA4-style event names)
into one row per session tagged with its micro-moment and its outcome: did the brand show up
(an impression, view or click of the brand's content), was there a click, an engagement, a
conversion, and how much revenue. :func:`moment_kpis` cuts CTR, conversion rate, engagement
and brand presence by moment type; :func:`time_to_action` measures how fast detected surges
were acted on.

Moment of a session, first rule that applies: the ``moment`` column of its events (the most
frequent non-null value); else the intent of its first search ``query`` (classified); else its
events (``purchase``/``add_to_cart``/``begin_checkout`` -> buy, ``store_locator`` -> go,
``video_view`` of how-to content -> do); else ``other``.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.moments.sessions import moment_kpis, tag_sessions
>>> ev = pd.DataFrame({
...     "session_id": ["s1", "s1", "s1", "s2", "s2", "s3"],
...     "ts": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 10:01", "2024-05-01 10:05",
...                           "2024-05-01 11:00", "2024-05-01 11:02", "2024-05-01 12:00"],
...                          utc=True),
...     "event_type": ["search", "impression", "purchase", "search", "store_locator", "search"],
...     "query": ["buy dog food", None, None, "pet store near me", None, "how to clip dog nails"],
... })
>>> s = tag_sessions(ev)
>>> s[["session_id", "moment", "brand_present", "converted"]].values.tolist()
[['s1', 'buy', True, True], ['s2', 'go', True, False], ['s3', 'do', False, False]]
>>> float(moment_kpis(s).loc["buy", "conversion_rate"])
1.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from micromix.errors import ColumnNotFoundError
from micromix.moments.intent import IntentClassifier
from micromix.moments.rules import MOMENTS
from micromix.schema.base import require_columns
from micromix.schema.purchases import read_ids
from micromix.schema.traffic import describe_aggregate
from micromix.schema.values import read_numbers, read_timestamps, refuse_first
from micromix.schema.vocab import BRAND_TOUCH_EVENTS as _BRAND_TOUCH
from micromix.schema.vocab import SESSION_ENGAGE_EVENTS

__all__ = [
    "BRAND_TOUCH_EVENTS",
    "GA4_EVENT_MAP",
    "QUERY_COLUMNS",
    "SESSION_COLUMNS",
    "moment_kpis",
    "normalize_event_types",
    "tag_sessions",
    "time_to_action",
]

#: GA4 event names -> the micromix ``event_type`` vocabulary
GA4_EVENT_MAP = {
    "view_search_results": "search",
    "search": "search",
    "view_item": "view",
    "view_item_list": "view",
    "select_item": "click",
    "select_promotion": "click",
    "view_promotion": "impression",
    "page_view": "page_view",
    "add_to_cart": "add_to_cart",
    "begin_checkout": "begin_checkout",
    "add_payment_info": "begin_checkout",
    "add_shipping_info": "begin_checkout",
    "purchase": "purchase",
    "session_start": "session_start",
    "first_visit": "session_start",
    "user_engagement": "other",
    "scroll": "other",
    "click": "click",
    "video_start": "video_view",
    "video_progress": "video_view",
    "video_complete": "video_view",
    "store_locator": "store_locator",
    "find_location": "store_locator",
    "share": "share",
    "sign_up": "other",
    "login": "other",
}
#: events of a visit to the brand's own site: sessions that all have one are site analytics
_SITE_EVENTS = frozenset({"page_view", "session_start"})
#: events that show the brand was present in the moment (defined in schema.vocab)
BRAND_TOUCH_EVENTS = _BRAND_TOUCH
_ENGAGE = SESSION_ENGAGE_EVENTS
#: columns of :func:`tag_sessions` output
SESSION_COLUMNS = [
    "session_id",
    "user_id",
    "start",
    "end",
    "moment",
    "moment_source",
    "n_events",
    "impressions",
    "clicks",
    "brand_present",
    "clicked",
    "engaged",
    "converted",
    "revenue",
    "cost",
]


#: names of the search text in event exports, first found wins (GA4 sends ``search_term``)
QUERY_COLUMNS = ("query", "search_term", "search_query", "searchterm")


def normalize_event_types(
    events: pd.DataFrame, column: str = "event_type", *, source: str = "events"
) -> pd.DataFrame:
    """Map GA4 event names (in ``event_type`` or ``event_name``) onto micromix ``event_type``
    values (``view_search_results`` -> ``search``; micromix's own values are kept), and GA4's
    ``search_term`` (or another name of :data:`QUERY_COLUMNS`) onto ``query``."""
    src = column if column in events.columns else "event_name"
    if src not in events.columns:
        raise ColumnNotFoundError(
            f"{source}: neither {column!r} nor 'event_name' found; columns are "
            f"{list(events.columns)}; name the column holding each event's type 'event_type'"
        )
    types = events[src].astype(str)
    ga4 = types.isin(GA4_EVENT_MAP.keys()) & (types.map(GA4_EVENT_MAP) != types)
    alias = (
        None if "query" in events.columns else next((c for c in QUERY_COLUMNS if c in events), None)
    )
    if src == "event_type" and not ga4.any() and alias is None:
        return events  # micromix's own vocabulary already (the store's events): nothing to copy
    df = events.copy()
    df["event_type"] = types.where(~ga4, types.map(GA4_EVENT_MAP))
    if alias is not None:
        df["query"] = df[alias]
    return df


def _refuse_aggregate(events: pd.DataFrame, source: str) -> None:
    """Refuse a file of counts (a daily funnel, an event inventory) saying what it is."""
    if {"session_id", "ts"} <= set(events.columns):
        return
    what = describe_aggregate(events.columns)
    if what is not None:
        raise ColumnNotFoundError(
            f"{source}: the file is {what}, not one row per event (available columns: "
            f"{', '.join(map(str, events.columns[:30]))}): sessions need each event "
            "with its 'session_id' and 'ts' (a GA4 BigQuery export, or the events contract); "
            "counts like these are a web-analytics report, which 'micromix ingest traffic "
            f"{source}' reads when it holds sessions, users, views or event counts"
        )


def tag_sessions(
    events: pd.DataFrame,
    *,
    classifier: IntentClassifier | None = None,
    source: str = "events",
) -> pd.DataFrame:
    """One row per session with its micro-moment and outcome (see module docstring).

    Session ids are text; times are read like every timestamp in micromix (an unreadable or
    empty one is refused naming ``source``, the row and the field); ``revenue`` and ``cost``
    are read as exports write numbers, empty meaning 0.
    """
    _refuse_aggregate(events, source)
    require_columns(events, ["session_id", "ts"], source)  # the caller's own columns
    events = normalize_event_types(events, source=source)
    events = events.reset_index(drop=True).assign(
        session_id=read_ids(events["session_id"], "session_id", source, option="name it 'session_id'",
                            who="event"),
        ts=_times(events["ts"], source),
    )  # fmt: skip
    for c in ("revenue", "cost"):
        if c in events.columns:
            events[c] = _amounts(events[c], c, source)
    df = events.sort_values(["session_id", "ts"], kind="stable").reset_index(drop=True)
    et = df["event_type"].astype(str)
    df["_imp"] = (et == "impression").astype(int)
    df["_clk"] = (et == "click").astype(int)
    df["_touch"] = et.isin(BRAND_TOUCH_EVENTS)
    df["_eng"] = et.isin(_ENGAGE)
    df["_conv"] = et == "purchase"
    for c in ("revenue", "cost"):
        if c not in df.columns:
            df[c] = 0.0
    if "user_id" not in df.columns:
        df["user_id"] = None
    g = df.groupby("session_id", sort=True)
    out = pd.DataFrame(
        {
            "user_id": g["user_id"].first(),
            "start": g["ts"].min(),
            "end": g["ts"].max(),
            "n_events": g.size(),
            "impressions": g["_imp"].sum(),
            "clicks": g["_clk"].sum(),
            "brand_present": g["_touch"].any(),
            "clicked": g["_clk"].sum() > 0,
            "engaged": g["_eng"].any(),
            "converted": g["_conv"].any(),
            "revenue": g["revenue"].sum(),
            "cost": g["cost"].sum(),
        }
    )
    moment = pd.Series(pd.NA, index=out.index, dtype=object)
    how = pd.Series(pd.NA, index=out.index, dtype=object)
    if "moment" in df.columns:
        m = df.dropna(subset=["moment"])
        m = m[m["moment"].isin(MOMENTS)]
        if len(m):
            mode = m.groupby("session_id")["moment"].agg(lambda s: s.value_counts().index[0])
            moment.loc[mode.index] = mode
            how.loc[mode.index] = "column"
    if "query" in df.columns:
        need = moment.isna()
        q = df[(et == "search") & df["query"].notna()]
        q = q[q["session_id"].isin(out.index[need.to_numpy()])]
        first_q = q.groupby("session_id")["query"].first()
        if len(first_q):
            clf = classifier or IntentClassifier.load_default()
            pred = clf.predict(first_q.tolist())
            moment.loc[first_q.index] = pred
            how.loc[first_q.index] = "query"
    need = moment.isna()
    if need.any():
        ev_moment = g["event_type"].agg(_moment_from_events)
        fill = ev_moment[need.to_numpy()]
        moment.loc[fill.index] = fill
        how.loc[fill.index] = "events"
    out["moment"] = moment
    out["moment_source"] = how
    notes: list[str] = []
    on_site = df.assign(_site=et.isin(_SITE_EVENTS)).groupby("session_id", sort=True)["_site"]
    if len(out) and bool(on_site.any().all()):
        # a site's own analytics: every session is on the brand's site, so "did the brand show
        # up" is yes by construction - not a measure of presence in the moment
        out["brand_present"] = pd.Series(pd.NA, index=out.index, dtype="boolean")
        notes.append(
            "brand presence is not measured: every session has a page view or session start, "
            "so these are the brand's own site analytics, where the brand is present in every "
            "session by construction; presence in a moment needs events from where the moment "
            "happens (search or social impressions, views and clicks of the brand)"
        )
    out = out.reset_index()[SESSION_COLUMNS]
    out.attrs["notes"] = notes
    return out


def _moment_from_events(types: pd.Series) -> str:
    s = set(types.astype(str))
    if s & {"purchase", "add_to_cart", "begin_checkout"}:
        return "buy"
    if "store_locator" in s:
        return "go"
    if "video_view" in s:
        return "do"
    return "other"


def _share(flags: pd.Series) -> float:
    """Share of True among the known flags (NaN when none is known)."""
    known = flags.dropna()
    return float(known.astype(bool).mean()) if len(known) else np.nan


def moment_kpis(sessions: pd.DataFrame) -> pd.DataFrame:
    """CTR, conversion rate, engagement and brand presence per moment type.

    Returns a frame indexed by ``moment`` with ``sessions, brand_presence, ctr,
    conversion_rate, engagement_rate, revenue, revenue_per_session``; the ``all`` row pools
    every session.
    """

    def _agg(d: pd.DataFrame) -> dict[str, float]:
        imps = float(d["impressions"].sum())
        return {
            "sessions": len(d),
            "brand_presence": _share(d["brand_present"]),
            "ctr": float(d["clicks"].sum()) / imps if imps else np.nan,
            "conversion_rate": float(d["converted"].mean()) if len(d) else np.nan,
            "engagement_rate": float(d["engaged"].mean()) if len(d) else np.nan,
            "revenue": float(d["revenue"].sum()),
            "revenue_per_session": float(d["revenue"].mean()) if len(d) else np.nan,
        }

    rows = {m: _agg(d) for m, d in sessions.groupby("moment", sort=True)}
    rows["all"] = _agg(sessions)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "moment"
    out.attrs["notes"] = list(sessions.attrs.get("notes", []))
    return out


def time_to_action(moments: pd.DataFrame, truth: pd.DataFrame | None = None) -> pd.DataFrame:
    """Seconds from surge start to action, per detected moment.

    ``moments`` needs ``start`` (bucket start of the burst) and ``acted_at``; with ``truth``
    (``key, start, end`` of injected surges) the true surge start of the matching key is used.
    """
    m = moments.copy()
    m["acted_at"] = pd.to_datetime(m["acted_at"], utc=True)
    m["surge_start"] = pd.to_datetime(m["start"], utc=True)
    if truth is not None and len(truth):
        t = truth.copy()
        t["start"] = pd.to_datetime(t["start"], utc=True)
        t["end"] = pd.to_datetime(t["end"], utc=True)
        for i, r in m.iterrows():
            hit = t[
                (t["key"] == r["key"])
                & (t["start"] <= r["acted_at"])
                & (t["end"] >= r["surge_start"])
            ]
            if len(hit):
                m.loc[i, "surge_start"] = hit["start"].min()
    m["seconds_to_action"] = (m["acted_at"] - m["surge_start"]).dt.total_seconds()
    return m


def _times(values: pd.Series, source: str) -> pd.Series:
    """Event times (UTC), refusing an empty or unreadable one with its row."""
    got = read_timestamps(values.reset_index(drop=True))
    refuse_first(
        (got.problems.notna() | got.values.isna()).to_numpy(),
        lambda row: f"{source}: row {row}, field 'ts'",
        got.problems,
        "every event needs a time such as 2024-05-01T10:00:00Z - fix or remove those rows",
    )
    return got.values


def _amounts(values: pd.Series, col: str, source: str) -> pd.Series:
    """Money per event as exports write it (``$1,234.50``); empty is 0."""
    got = read_numbers(values.reset_index(drop=True))
    refuse_first(
        got.problems.notna().to_numpy(),
        lambda row: f"{source}: row {row}, field {col!r}",
        got.problems,
        "write plain numbers such as 12.50",
    )
    return got.values.astype("Float64").fillna(0.0).astype(float)
