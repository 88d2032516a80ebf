"""The ``traffic`` contract: aggregated web/app analytics rows (GA4 and Universal Analytics UI
reports).

A GA4 report download ("Events: Event name", "Pages and screens", "User acquisition" ...) or a
Universal Analytics export holds one row per value of a dimension (an event name, a page path,
a channel group, a day) over the report's date range, with aggregated measures. Those rows are
not events and not ad deliveries, so they land here: ``dimension`` names the report's dimension
column(s), ``dimension_value`` the row's value, ``date``/``date_end`` the day or range.

Sums of ``sessions``, ``views``, ``event_count``, ``key_events`` and ``revenue`` over rows are
exact; user counts are not additive across rows (one user appears under several pages), so a
sum of ``users`` is an upper bound. Averages and rates are kept as reported, never summed.

Quickstart
----------
>>> from micromix.schema.traffic import TRAFFIC
>>> TRAFFIC.key[:2]
('source_id', 'source_row')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from micromix.schema.base import EntitySchema, Field

__all__ = ["TRAFFIC", "describe_aggregate"]

#: a count column's name (``total_sessions``, ``user_count``, ``Pageviews``)
_COUNT = re.compile(
    r"(^|_)(count|counts|users|sessions|views|pageviews|events|conversions|clicks)($|_)"
)
#: funnel steps a session count is named by (``view_sessions``, ``checkout_sessions``)
_STEP = re.compile(r"(^|_)(view|cart|add_to_cart|checkout|purchase|begin_checkout)_sessions$")
#: a date column's name
_DATE = re.compile(r"(^|_)(date|day|day_index|week|month)$")

TRAFFIC = EntitySchema(
    name="traffic",
    key=("source_id", "source_row", "date", "dimension", "dimension_value"),
    description="Aggregated sessions, users, views and events by date and dimension (GA4/UA).",
    fields=(
        Field("date", "date", description="Day of the row, or the first day of its range."),
        Field("date_end", "date", description="Last day (inclusive) of a range row."),
        Field("property", description="Analytics property / account the report is from."),
        Field("report", description="Report name (e.g. 'Events: Event name')."),
        Field("dimension", required=True, description="Dimension column(s) of the report."),
        Field("dimension_value", description="The row's value of the dimension."),
        Field("sessions", "int", minimum=0),
        Field("engaged_sessions", "int", minimum=0),
        Field("users", "int", minimum=0, description="Total / active users (not additive)."),
        Field("new_users", "int", minimum=0),
        Field("returning_users", "int", minimum=0),
        Field("views", "int", minimum=0, description="Page / screen views."),
        Field("unique_views", "int", minimum=0, description="Unique page views (UA)."),
        Field("entrances", "int", minimum=0),
        Field("event_count", "int", minimum=0),
        Field("key_events", "float", minimum=0, description="Key events (GA4 conversions)."),
        Field("revenue", "float", minimum=0, money=True),
        Field(
            "avg_engagement_seconds",
            "float",
            minimum=0,
            description="GA4 average engagement time, as reported (average).",
        ),
        Field(
            "avg_time_on_page_seconds",
            "float",
            minimum=0,
            description="UA average time on page, as reported: not GA4 engagement time.",
        ),
        Field(
            "bounce_rate", "float", minimum=0, percent=True, description="Fraction, as reported."
        ),
        Field("currency", description="ISO 4217 code of revenue."),
        Field("source_id", description="Identity of the export the row came from (lineage)."),
        Field("source_row", "int", minimum=0, description="Position of the row in its export."),
    ),
)


def describe_aggregate(columns: Iterable[object]) -> str | None:
    """What an aggregate file is, from its header (None when it does not look like one): a
    daily funnel, an event inventory, a daily or per-value aggregate. Used to say why a file of
    counts is not one row per event, and which command reads it.

    >>> describe_aggregate(["session_date", "total_sessions", "view_sessions", "purchase_sessions"])
    'a daily funnel (sessions per day at each step: view, purchase)'
    >>> describe_aggregate(["event_name", "event_count", "user_count"])
    'an event inventory (one row per event name with its counts)'
    >>> describe_aggregate(["session_id", "ts", "event_type"]) is None
    True
    """
    names = [re.sub(r"[^a-z0-9]+", "_", str(c).strip().lower()).strip("_") for c in columns]
    counts = [n for n in names if _COUNT.search(n)]
    if not counts or any(n in ("session_id", "ts", "timestamp", "event_timestamp") for n in names):
        return None
    steps = [m.group(2) for n in names if (m := _STEP.search(n))]
    dated = any(_DATE.search(n) for n in names)
    if dated and steps:
        return f"a daily funnel (sessions per day at each step: {', '.join(steps)})"
    if "event_name" in names:
        return "an event inventory (one row per event name with its counts)"
    if dated:
        return "a daily aggregate (one row per day with its counts)"
    return "an aggregate (one row per value of a dimension with its counts)"
