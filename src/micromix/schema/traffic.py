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

from micromix.schema.base import EntitySchema, Field

__all__ = ["TRAFFIC"]

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
        Field("avg_engagement_seconds", "float", minimum=0, description="As reported (average)."),
        Field(
            "bounce_rate", "float", minimum=0, percent=True, description="Fraction, as reported."
        ),
        Field("currency", description="ISO 4217 code of revenue."),
        Field("source_id", description="Identity of the export the row came from (lineage)."),
        Field("source_row", "int", minimum=0, description="Position of the row in its export."),
    ),
)
