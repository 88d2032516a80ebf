"""Portable Ibis expressions that push sessionisation and burst counting down to any engine.

The moments package works on pandas frames; at warehouse or Spark scale the heavy part (one
pass over billions of events) must run where the data is. These expressions compile unchanged
to DuckDB, Spark SQL, BigQuery and Snowflake and give identical results on every engine:

* :func:`sessionize_expr` — gap-based sessions (a new session after ``gap_minutes`` without an
  event of the same user), numbered per user with window functions. Gaps are compared as
  timestamps (``ts > previous + interval``), never as epoch seconds, because DuckDB's epoch is
  fractional and Spark's is whole seconds.
* :func:`session_summary_expr` — one row per session with the outcome columns of
  :func:`micromix.moments.sessions.tag_sessions` (``user_id`` is the smallest id in the session;
  the moment label itself is assigned in pandas on the much smaller result).
* :func:`bucket_counts_expr` — events per (time bucket, key) for the burst detector's batch mode
  (``detect_bursts(..., count_col="n")``). ``floor(epoch / width)`` is the same on every engine
  for a whole-second ``width``, so the fractional / whole epoch difference cannot change a bucket.
* :func:`epoch_seconds_expr` — whole epoch seconds on every engine (``floor``), for code that
  must compare seconds across engines.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.store import Store
>>> from micromix.store.portable import sessionize_expr
>>> st = Store.open(":memory:")
>>> _ = st.replace("ev", pd.DataFrame({
...     "event_id": ["a", "b", "c"], "user_id": ["u", "u", "u"], "event_type": ["click"] * 3,
...     "ts": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 10:20", "2024-05-01 11:30"])}))
>>> st.execute(sessionize_expr(st.table("ev")).order_by("ts"))["session_seq"].tolist()
[1, 1, 2]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from micromix.errors import ConfigError
from micromix.schema.vocab import BRAND_TOUCH_EVENTS, SESSION_ENGAGE_EVENTS

__all__ = [
    "bucket_counts_expr",
    "epoch_seconds_expr",
    "session_summary_expr",
    "sessionize_expr",
]


def _need(t: ir.Table, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in t.columns]
    if missing:
        raise ConfigError(
            f"{what}: column(s) {', '.join(map(repr, missing))} not in the table; "
            f"columns are {', '.join(t.columns)}"
        )


def _count_if(cond: ir.BooleanValue) -> ir.IntegerScalar:
    return ibis.ifelse(cond, 1, 0).sum()


def epoch_seconds_expr(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Whole seconds since 1970 (``floor``), identical on DuckDB, Spark and warehouses."""
    return ts.epoch_seconds().floor().cast("int64")


def sessionize_expr(
    t: ir.Table,
    *,
    gap_minutes: float = 30.0,
    user_col: str = "user_id",
    time_col: str = "ts",
    tiebreak: str | None = "event_id",
) -> ir.Table:
    """Add gap-based session columns: ``session_seq`` (1, 2, ... per user) and ``session_key``.

    Parameters
    ----------
    t : ibis.Table
        Events with ``user_col`` and ``time_col``.
    gap_minutes : float
        Inactivity that starts a new session (> 0).
    user_col, time_col : str
    tiebreak : str, optional
        Column ordering events with the same timestamp (deterministic windows).
    """
    if not gap_minutes > 0:
        raise ConfigError(f"gap_minutes must be > 0, got {gap_minutes!r}")
    _need(t, [user_col, time_col, *([tiebreak] if tiebreak else [])], "sessionize_expr")
    order = [t[time_col], *([t[tiebreak]] if tiebreak else [])]
    w = ibis.window(group_by=t[user_col], order_by=order)
    prev = t[time_col].lag().over(w)
    gap = ibis.interval(seconds=round(gap_minutes * 60))
    new = ibis.ifelse(prev.isnull() | (t[time_col] > prev + gap), 1, 0)
    t2 = t.mutate(_mm_new=new)
    w2 = ibis.window(
        group_by=t2[user_col],
        order_by=[t2[c] for c in [time_col, *([tiebreak] if tiebreak else [])]],
        rows=(None, 0),
    )
    t3 = t2.mutate(session_seq=t2._mm_new.sum().over(w2).cast("int64"))
    key = t3[user_col].cast("string").concat(ibis.literal("#"), t3.session_seq.cast("string"))
    return t3.mutate(session_key=key).drop("_mm_new")


def session_summary_expr(
    t: ir.Table,
    *,
    session_col: str = "session_id",
    touch_events: Sequence[str] | None = None,
    engage_events: Sequence[str] | None = None,
) -> ir.Table:
    """One row per session: start, end, events, impressions, clicks, outcome flags, revenue, cost.

    The columns match :func:`micromix.moments.sessions.tag_sessions` except ``moment``; the
    default event sets are :data:`micromix.schema.vocab.BRAND_TOUCH_EVENTS` and
    :data:`~micromix.schema.vocab.SESSION_ENGAGE_EVENTS`, which that function uses too.
    """
    _need(t, [session_col, "ts", "event_type"], "session_summary_expr")
    if touch_events is None:
        touch_events = sorted(BRAND_TOUCH_EVENTS)
    if engage_events is None:
        engage_events = sorted(SESSION_ENGAGE_EVENTS)
    et = t.event_type
    zero = ibis.literal(0.0)
    money = {
        c: (t[c].sum().fill_null(zero) if c in t.columns else zero) for c in ("revenue", "cost")
    }
    agg = t.group_by(t[session_col].name("session_id")).aggregate(
        user_id=t.user_id.min() if "user_id" in t.columns else ibis.null("string"),
        start=t.ts.min(),
        end=t.ts.max(),
        n_events=t.count(),
        impressions=_count_if(et == "impression"),
        clicks=_count_if(et == "click"),
        _touch=_count_if(et.isin(list(touch_events))),
        _eng=_count_if(et.isin(list(engage_events))),
        _conv=_count_if(et == "purchase"),
        **money,
    )
    return agg.select(
        "session_id",
        "user_id",
        "start",
        "end",
        "n_events",
        "impressions",
        "clicks",
        brand_present=agg._touch > 0,
        clicked=agg.clicks > 0,
        engaged=agg._eng > 0,
        converted=agg._conv > 0,
        revenue=agg.revenue,
        cost=agg.cost,
    ).order_by("session_id")


def bucket_counts_expr(
    t: ir.Table,
    *,
    width: int,
    key_cols: Sequence[str] = (),
    time_col: str = "ts",
    where: Any = None,
) -> ir.Table:
    """Events per (bucket start in epoch seconds, key) for ``detect_bursts(count_col="n")``.

    Several key columns are joined with ``" | "`` (as the burst detector does); without key
    columns every row has the key ``all``.
    """
    if int(width) != width or width < 1:
        raise ConfigError(f"width must be a whole number of seconds >= 1, got {width!r}")
    _need(t, [time_col, *key_cols], "bucket_counts_expr")
    if where is not None:
        t = t.filter(where)
    t = t.filter(t[time_col].notnull())
    bucket = (t[time_col].epoch_seconds() / int(width)).floor().cast("int64") * int(width)
    if key_cols:
        parts = [t[c].cast("string").fill_null("None") for c in key_cols]
        key: Any = (
            parts[0]
            if len(parts) == 1
            else parts[0].concat(*[x for p in parts[1:] for x in (ibis.literal(" | "), p)])
        )
    else:
        key = ibis.literal("all")
    g = t.mutate(bucket_start=bucket, key=key)
    return (
        g.group_by(["bucket_start", "key"]).aggregate(n=g.count()).order_by(["bucket_start", "key"])
    )
