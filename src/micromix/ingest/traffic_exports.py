"""Web-analytics report layouts: GA4 report downloads and Universal Analytics exports.

These are aggregated rows (one per event name, page, channel group or day over the report's
period), so they land in the ``traffic`` contract (:mod:`micromix.schema.traffic`), not in
``events``. The layout reads the ``#`` comment preamble of a GA4 download ("Account:",
"Property:", "Start date: 20251015", "End date: 20260112") or a UA workbook's summary sheet
("20220701-20220731") for the property and the period; every column that is not a known measure
is a dimension. "Grand total"/"Total" rows and rows whose dimensions are all empty (UA's
unlabelled total) are set aside and used as a cross-check of the sum.

A header is detected as such a report only on signs that are GA's own: a measure only GA4/UA
reports name (Sessions, Total users, Event count, Key events, Pageviews ...), or a measure other
exports share (Views, Users, Conversions, Revenue ...) next to a dimension GA names (Page path,
Event name, Session source / medium ...). An ad platform's export with a "Views" column is not
one: it is refused, naming the layout it is and the command that reads it.

Quickstart
----------
>>> from micromix.ingest.formats import detect_format
>>> detect_format(["Event name", "Event count", "Total users"], "traffic").lookup_name
'ga_report'
>>> meta = ["Reporting starts", "Day", "Campaign name", "Reach", "Impressions", "Views",
...         "Amount spent (AUD)"]
>>> detect_format(meta, "traffic", "meta.csv")
Traceback (most recent call last):
...
micromix.errors.ColumnNotFoundError: meta.csv: not a web-analytics report: the header is that of an ad report (Meta Ads Manager export), whose 'Views' column is the ad platform's own count, not what an analytics tool measured; ingest it with 'micromix ingest ads'
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar, NamedTuple

import pandas as pd

from micromix.errors import ColumnNotFoundError
from micromix.ingest.ads_exports import TOTAL_LABEL, preamble_period, refuse_day_order
from micromix.ingest.files import RawTable
from micromix.ingest.formats import (
    SUMMARY,
    FormatAdapter,
    _blank,
    _const,
    detect_format,
    normalize_name,
    register_format,
)
from micromix.schema.display import listed
from micromix.schema.traffic import describe_aggregate
from micromix.schema.values import blank_cells, read_numbers

__all__ = [
    "GA_DIMENSIONS",
    "GA_MEASURES",
    "GA_SHARED_MEASURES",
    "ColumnRoles",
    "GaReportFormat",
    "classify_columns",
    "report_name",
    "unread_note",
]

#: measure columns (GA4 and UA names) -> traffic fields
GA_MEASURES: dict[str, str] = {
    "sessions": "sessions",
    "engaged_sessions": "engaged_sessions",
    "total_users": "users",
    "active_users": "users",
    "users": "users",
    "new_users": "new_users",
    "returning_users": "returning_users",
    "views": "views",
    "pageviews": "views",
    "page_views": "views",
    "screen_page_views": "views",
    "unique_pageviews": "unique_views",
    "entrances": "entrances",
    "event_count": "event_count",
    "key_events": "key_events",
    "conversions": "key_events",
    "total_revenue": "revenue",
    "revenue": "revenue",
    "purchase_revenue": "revenue",
    "average_engagement_time_per_active_user": "avg_engagement_seconds",
    "average_engagement_time": "avg_engagement_seconds",
    # UA's time on page is not GA4's engagement time: a measure of its own
    "avg_time_on_page": "avg_time_on_page_seconds",
    "average_time_on_page": "avg_time_on_page_seconds",
    "bounce_rate": "bounce_rate",
    # plain count names of aggregates (a BigQuery query's columns, a dashboard's download)
    "user_count": "users",
    "users_count": "users",
    "total_user_count": "users",
    "active_user_count": "users",
    "new_user_count": "new_users",
    "session_count": "sessions",
    "sessions_count": "sessions",
    "total_sessions": "sessions",
    "engaged_session_count": "engaged_sessions",
    "view_count": "views",
    "views_count": "views",
    "page_view_count": "views",
    "pageview_count": "views",
    "total_views": "views",
    "total_pageviews": "views",
    "total_page_views": "views",
    "total_events": "event_count",
    "key_event_count": "key_events",
    "conversion_count": "key_events",
}
#: measure names other exports use too (Meta and Google Ads "Views", any tool's "Users",
#: "Conversions", "Revenue"): alone they are no sign of a GA4/UA report
GA_SHARED_MEASURES = frozenset(
    {
        "users",
        "views",
        "page_views",
        "conversions",
        "revenue",
        "total_revenue",
        "purchase_revenue",
        "bounce_rate",
        "user_count",
        "users_count",
        "total_user_count",
        "view_count",
        "views_count",
        "total_views",
        "conversion_count",
    }
)
#: dimension names GA4/UA reports use (normalised; a trailing ``_`` matches any continuation)
GA_DIMENSIONS = (
    "event_name",
    "page",
    "page_path_",
    "page_title_",
    "page_location",
    "page_referrer",
    "landing_page_",
    "screen_class",
    "hostname",
    "session_",
    "first_user_",
    "default_channel_group",
    "channel_grouping",
    "source_medium",
    "day_index",
    "content_group_",
)
_DATE_DIMS = {"date": "day", "day": "day", "day_index": "day", "week": "week", "month": "month"}
#: names of dimensions that hold numbers (a time part, an id, a code): never a measure
_NAMED_DIM = re.compile(
    r"(^|_)(hour|year|nth_[a-z_]+|day_of_week|week_of_year|month_of_year|id|code|zip|postcode"
    r"|postal_code)$"
)
#: derived columns (ratios, averages, per-user rates) that are not dimensions and not summed
_DERIVED = re.compile(
    r"(rate|per_|average|avg|_exit|exit$|value$|percent|pct|ratio|duration|share)"
)


@register_format
class GaReportFormat(FormatAdapter):
    """GA4 report / exploration downloads (CSV with a ``#`` preamble) and Universal Analytics
    exports (XLSX or CSV): one row per dimension value over the report period (or per day)."""

    lookup_name = "ga_report"
    final_newline = False  # GA4 downloads end without a line break
    kinds = ("traffic",)
    title = "GA4 / Universal Analytics report"
    signature = (
        (
            "Event count",
            "Total users",
            "Active users",
            "Views",
            "Sessions",
            "New users",
            "Pageviews",
            "Key events",
            "Engaged sessions",
            "Unique Pageviews",
            "Users",
            "Total sessions",
            "Session count",
            "User count",
            "View count",
            "Total events",
        ),
    )
    measures: ClassVar[dict[str, str]] = GA_MEASURES

    def __init__(self, *, kind: str) -> None:
        super().__init__(kind=kind)
        #: columns the last :meth:`to_canonical` left unread, with why (see
        #: :class:`ColumnRoles`)
        self.unread: list[tuple[str, str]] = []

    def detect(self, columns: object) -> float:
        cols = [normalize_name(c) for c in columns]  # type: ignore[attr-defined]
        if not _ga_signs(cols):
            return 0.0
        hits = sum(1 for c in cols if c in self.measures)
        return min(1.0, 0.5 + 0.25 * hits)

    def missing(self, columns: Iterable[object]) -> list[str]:
        """The GA measures, when the header has none, or only shared ones (Views, Users ...) in
        an ad platform's export; ``--format ga_report`` still reads a header whose only sign
        is a shared measure (the user says it is a GA report)."""
        cols = [str(c) for c in columns]
        miss = super().missing(cols)
        if miss or _ga_signs([normalize_name(c) for c in cols]):
            return miss
        return [" or ".join(g) for g in self.signature] if _ads_layout(cols) is not None else []

    def mismatch(self, columns: Iterable[object]) -> str | None:
        """Why a header with a measure name GA uses too is not read as a GA4/UA report."""
        cols = [str(c) for c in columns]
        norm = [normalize_name(c) for c in cols]
        if _ga_signs(norm):
            return None
        shared = [c for c, n in zip(cols, norm) if n in self.measures]
        ads = _ads_layout(cols)
        if ads is not None:
            n = len(shared)
            whose = (
                f", whose {', '.join(map(repr, shared))} "
                f"{'column is' if n == 1 else 'columns are'} the ad platform's own "
                f"count{'s' if n > 1 else ''}, not what an analytics tool measured"
                if shared
                else ""
            )
            return (
                f"not a web-analytics report: the header is that of an ad report ({ads.title})"
                f"{whose}; ingest it with 'micromix ingest ads'"
            )
        if not shared:
            what = describe_aggregate(cols)
            if what is None:
                return None
            return (
                f"the file is {what}, but none of its columns is a count the traffic table "
                "holds (sessions, users, views, event count, key events, revenue ...; rates and "
                "funnel steps are not stored): name the column that holds one as GA does "
                "(e.g. 'Sessions', 'Total users', 'Event count') to read it as a web-analytics "
                "report"
            )
        return (
            f"not recognisably a web-analytics report: of the measures of GA4/UA reports the "
            f"header has only {', '.join(map(repr, shared))}, which other exports name too, "
            "and no measure only GA names (Sessions, Total users, Active users, Event count, "
            "Key events, Pageviews ...) nor a dimension GA names (Page path, Event name, "
            "Session source / medium ...); if it is a GA4 or Universal Analytics download, "
            "pass --format ga_report"
        )

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        f = raw.frame.reset_index(drop=True)
        out = pd.DataFrame(index=f.index)
        roles = classify_columns(f)
        dims = roles.dimensions
        date_col = roles.date
        for col, target in roles.measures.items():
            out[target] = f[col]
        self.read_columns = {*roles.measures, *dims, *([date_col[0]] if date_col else [])}
        self.unread = roles.unread
        info = preamble_info(raw.preamble)
        if date_col is not None:
            col, unit = date_col
            refuse_day_order(raw, col, f[col], dayfirst)
            out["date"] = f[col]
            if unit == "week":
                from micromix.ingest.ads_exports import _shift

                out["date_end"] = _shift(f[col], days=6, dayfirst=dayfirst)
        else:
            period = preamble_period(raw.preamble, dayfirst, source=raw.path)
            if period is not None:
                out["date"] = _const(f, period[0])
                out["date_end"] = _const(f, period[1])
        out["dimension"] = _const(f, " | ".join(dims) if dims else "(none)")
        out["dimension_value"] = (
            f[dims].apply(lambda r: " | ".join("" if _blank(v) else str(v) for v in r), axis=1)
            if dims
            else _const(f, None)
        )
        out["property"] = _const(f, info.get("property") or info.get("account"))
        out["report"] = _const(f, info.get("report") or report_name(raw))
        labels: list[str | None] = []
        for i in range(len(f)):
            vals = [f.iat[i, f.columns.get_loc(d)] for d in dims]
            label = next(
                (str(v).strip() for v in vals if isinstance(v, str) and TOTAL_LABEL.match(v)),
                None,
            )
            if label is None and dims and all(_blank(v) for v in vals):
                label = "total (empty dimensions)"
            labels.append(label)
        out[SUMMARY] = labels
        if date_col is not None and not dims:
            out["dimension"] = _const(f, date_col[1])
            out["dimension_value"] = f[date_col[0]].map(_day_text)
            out[SUMMARY] = [
                "total (empty dimensions)" if _blank(v) else None for v in f[date_col[0]]
            ]
        return out


class ColumnRoles(NamedTuple):
    """How a report's columns are read (see :func:`classify_columns`)."""

    #: header column -> traffic field
    measures: dict[str, str]
    #: the dimension columns, in header order
    dimensions: list[str]
    #: the date column and its unit (``day``, ``week``, ``month``), or None
    date: tuple[str, str] | None
    #: columns not read, with why (``measure``: a count micromix has no field for, or a second
    #: column of a field; ``derived``: a rate, average or ratio of stored counts)
    unread: list[tuple[str, str]]


def classify_columns(frame: pd.DataFrame) -> ColumnRoles:
    """The measures, dimensions, date and unread columns of a report's rows.

    A column GA names as a measure (or a plain count name: ``user_count``, ``total_sessions``)
    is a measure; a column named as a date (``Date``, ``Day Index``, ``session_date``) is the
    date; a column named as a dimension (``Event name``, ``Page path``, ``Hour``, ``..._id``) is
    a dimension. Any other column is a dimension only when it holds text: a column of numbers
    is a measure, and one micromix has no field for (``checkout_sessions``, ``Administrative``)
    or a rate/average derived from counts is left unread (and named in the ingest note), never
    joined into the dimension.

    >>> df = pd.DataFrame({"event_name": ["page_view", "scroll"], "event_count": ["10", "4"],
    ...                    "user_count": ["7", "3"], "events_per_user": ["1.4", "1.3"]})
    >>> r = classify_columns(df)
    >>> r.measures, r.dimensions, r.unread
    ({'event_count': 'event_count', 'user_count': 'users'}, ['event_name'], \
[('events_per_user', 'derived')])
    """
    measures: dict[str, str] = {}
    dims: list[str] = []
    date: tuple[str, str] | None = None
    unread: list[tuple[str, str]] = []
    for col in frame.columns:
        n = normalize_name(col)
        target = GA_MEASURES.get(n)
        if target is not None:
            if target in measures.values():
                unread.append((str(col), "measure"))  # "Total users" and "Active users"
            else:
                measures[col] = target
        elif date is None and _date_unit(n) is not None:
            date = (col, _date_unit(n) or "day")
        elif _named_dimension(n) and not (_DERIVED.search(n) and _numeric(frame[col])):
            dims.append(col)  # "Hour", "Session source" (not "session_to_view_rate_pct")
        elif _numeric(frame[col]):
            unread.append((str(col), "derived" if _DERIVED.search(n) else "measure"))
        elif _DERIVED.search(n):
            unread.append((str(col), "derived"))  # "12.5%" cells, a rate column
        elif not all(_blank(v) for v in frame[col]):
            dims.append(col)
    return ColumnRoles(measures, dims, date, unread)


def unread_note(unread: list[tuple[str, str]]) -> str | None:
    """The ingest note naming the columns a report's rows were read without (None: none).

    >>> unread_note([("checkout_sessions", "measure"), ("view_rate_pct", "derived")])
    "1 column(s) of numbers are not read (no traffic field holds them) and are not stored: \
'checkout_sessions'; rates and averages derived from counts are not read either: 'view_rate_pct'"
    """
    counts = [c for c, why in unread if why == "measure"]
    derived = [c for c, why in unread if why == "derived"]
    if not counts and not derived:
        return None

    def names(cols: list[str]) -> str:
        return listed(map(repr, cols), top=6)

    parts = []
    if counts:
        parts.append(
            f"{len(counts)} column(s) of numbers are not read (no traffic field holds them) and "
            f"are not stored: {names(counts)}"
        )
    if derived:
        parts.append(
            (
                "rates and averages derived from counts are not read either: "
                if counts
                else f"{len(derived)} rate/average column(s) derived from counts are not read: "
            )
            + names(derived)
        )
    return "; ".join(parts)


def report_name(raw: RawTable) -> str:
    """A report's name when its file states none: the sheet and the file of a workbook with
    several sheets ("Dataset2 of ua_pages_202207.xlsx"), else the file's name."""
    name = Path(raw.path).name
    if raw.sheet and len(raw.sheets) > 1:
        return f"{raw.sheet} of {name}"
    return name


def _day_text(v: object) -> str | None:
    """A date cell as the row's dimension value: a workbook's date (a datetime at midnight) as
    ``2022-07-01``, text as written."""
    if _blank(v):
        return None
    if isinstance(v, (datetime.datetime, pd.Timestamp)) and v == pd.Timestamp(v).normalize():
        return pd.Timestamp(v).date().isoformat()
    return str(v)


def _date_unit(n: str) -> str | None:
    """``day``/``week``/``month`` when a normalised name is that of a date column."""
    if n in _DATE_DIMS:
        return _DATE_DIMS[n]
    if re.fullmatch(r"(?!nth_)[a-z0-9_]*_(date|day)", n):
        return "day"  # session_date, event_date
    return None


def _named_dimension(n: str) -> bool:
    """Whether a normalised name is a dimension's (GA's, or a time part / id / code)."""
    return _ga_dimension(n) or bool(_NAMED_DIM.search(n))


def _ga_dimension(n: str) -> bool:
    return any(n == d or (d.endswith("_") and n.startswith(d)) or n == d.rstrip("_")
               for d in GA_DIMENSIONS)  # fmt: skip


def _numeric(cells: pd.Series) -> bool:
    """Whether every filled cell of a column is a number (and one is)."""
    filled = ~blank_cells(cells)
    if not filled.any():
        return False
    return bool(read_numbers(cells[filled]).problems.isna().all())


def _ga_signs(cols: Iterable[str]) -> bool:
    """Whether normalised header names show a GA4/UA report: a measure only GA names, or a
    shared measure (Views, Users ...) next to a dimension GA names."""
    cols = list(cols)
    measures = [c for c in cols if c in GA_MEASURES]
    if any(c not in GA_SHARED_MEASURES for c in measures):
        return True
    return bool(measures) and any(_ga_dimension(c) for c in cols)


def _ads_layout(cols: list[str]) -> FormatAdapter | None:
    """The ad-export layout ``cols`` match completely, or None."""
    try:
        return detect_format(cols, "ads")
    except ColumnNotFoundError:
        return None


def preamble_info(preamble: list[str]) -> dict[str, str]:
    """Report name, account and property from a GA4/UA preamble.

    >>> preamble_info(["----", "Events: Event name", "Account: Ten10", "Property: Ten10 GA4"])
    {'report': 'Events: Event name', 'account': 'Ten10', 'property': 'Ten10 GA4'}

    A Universal Analytics workbook's Summary sheet names the view, then the report:

    >>> preamble_info(["All Web Site Data", "Pages", "20220701-20220731", "Links to data:"])
    {'report': 'Pages', 'property': 'All Web Site Data'}
    """
    out: dict[str, str] = {}
    plain = [s for s in (line.strip() for line in preamble) if s and not s.startswith("#")]
    ranged = next((i for i, s in enumerate(plain) if re.fullmatch(r"\d{8}\s*-\s*\d{8}", s)), 0)
    if ranged >= 2 and not any(":" in s for s in plain[:ranged]):
        # a UA workbook's Summary sheet: the view, the report's name, the period
        return {"report": plain[ranged - 1], "property": plain[ranged - 2]}
    for line in preamble:
        s = line.strip().strip("#").strip()
        if not s or set(s) <= set("-="):
            continue
        key, sep, val = s.partition(":")
        k = key.strip().lower()
        if sep and k in ("account", "property"):
            out[k] = val.strip()
        elif sep and k in ("start date", "end date", "report date range", "report data as of"):
            continue
        elif "report" not in out and not re.search(r"\d{8}", s) and k != "all users":
            out["report"] = s
    return out
