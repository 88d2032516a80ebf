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

import re
from collections.abc import Iterable
from typing import ClassVar

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

__all__ = ["GA_DIMENSIONS", "GA_MEASURES", "GA_SHARED_MEASURES", "GaReportFormat"]

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
    "avg_time_on_page": "avg_engagement_seconds",
    "bounce_rate": "bounce_rate",
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
#: derived columns (ratios, averages, per-user rates) that are not dimensions and not summed
_DERIVED = re.compile(r"(rate|per_|average|avg|_exit|exit$|value$|percent|ratio|duration)")


@register_format
class GaReportFormat(FormatAdapter):
    """GA4 report / exploration downloads (CSV with a ``#`` preamble) and Universal Analytics
    exports (XLSX or CSV): one row per dimension value over the report period (or per day)."""

    lookup_name = "ga_report"
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
        ),
    )
    measures: ClassVar[dict[str, str]] = GA_MEASURES

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
            return None
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
        dims: list[str] = []
        date_col: tuple[str, str] | None = None
        for col in f.columns:
            n = normalize_name(col)
            if n in self.measures:
                target = self.measures[n]
                if target not in out.columns:
                    out[target] = f[col]
            elif n in _DATE_DIMS and date_col is None:
                date_col = (col, _DATE_DIMS[n])
            elif not _DERIVED.search(n):
                dims.append(col)
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
        out["report"] = _const(f, info.get("report"))
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
            out["dimension_value"] = f[date_col[0]].map(lambda v: None if _blank(v) else str(v))
            out[SUMMARY] = [
                "total (empty dimensions)" if _blank(v) else None for v in f[date_col[0]]
            ]
        return out


def _ga_signs(cols: Iterable[str]) -> bool:
    """Whether normalised header names show a GA4/UA report: a measure only GA names, or a
    shared measure (Views, Users ...) next to a dimension GA names."""
    cols = list(cols)
    measures = [c for c in cols if c in GA_MEASURES]
    if any(c not in GA_SHARED_MEASURES for c in measures):
        return True
    return bool(measures) and any(
        c == d or (d.endswith("_") and c.startswith(d)) or c == d.rstrip("_")
        for c in cols
        for d in GA_DIMENSIONS
    )


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
    """
    out: dict[str, str] = {}
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
