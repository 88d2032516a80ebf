"""Web and app analytics reports (GA4 / Universal Analytics downloads) as the store holds them.

``micromix ingest traffic FILE`` lands a report download ("Events: Event name", "Pages and
screens", "User acquisition" ...) in the ``traffic`` table: one row per value of the report's
dimension over the report's period. :func:`traffic_reports` gives each ingested report back as
one summary: its period, its totals, and its leading rows with their share.

Only what adds up is added up: sessions, views, event counts, key events and revenue are sums
over rows; a user appears under several pages or events, so users are never totalled (a sum
would be an upper bound); averages and rates (engagement time, bounce rate) are shown as the
report gives them.

A download may hold only the leading rows of its report (Universal Analytics saves the top 10
pages) with a total row of the whole report. That total row is kept with the export's record
(:func:`micromix.ingest.lineage.registry_totals`) and given back as ``report_totals``, next to
``totals`` (the sum of the rows ingested); a row's ``share`` is then of the report's total, and
``subset`` with ``note`` says the rows are not the whole report.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.store import Store
>>> from micromix.metrics.traffic import traffic_reports
>>> st = Store.open(":memory:")
>>> _ = st.append("traffic", pd.DataFrame({
...     "date": pd.to_datetime(["2025-01-01"] * 3), "date_end": pd.to_datetime(["2025-01-31"] * 3),
...     "report": "Pages and screens", "dimension": "Page path",
...     "dimension_value": ["/", "/shop", "/blog"], "views": [500, 300, 200],
...     "source_id": "f1", "source_row": [1, 2, 3]}))
>>> r = traffic_reports(st)[0]
>>> r.measure, r.totals["views"], r.table["share"].round(2).tolist()
('views', 1000.0, [0.5, 0.3, 0.2])
>>> r.report_totals, r.subset  # no total row in that report
({}, False)

A download of the top 2 pages of a report of 1,400 sessions, with its total row:

>>> import pathlib, tempfile
>>> from micromix.ingest import ingest_file
>>> p = pathlib.Path(tempfile.mkdtemp()) / "pages.csv"
>>> _ = p.write_text("# Start date: 20250101\\n# End date: 20250131\\n"
...                  "Page path,Views,Sessions\\n/,500,300\\n/shop,300,200\\n"
...                  "Grand total,2000,1400\\n")
>>> st = Store.open(":memory:")
>>> _ = ingest_file(st, "traffic", p)
>>> r = traffic_reports(st)[0]
>>> r.totals["sessions"], r.report_totals["sessions"], r.table["share"].round(4).tolist()
(500.0, 1400.0, [0.2143, 0.1429])
>>> r.subset, r.note
(True, "the rows are part of the report: they hold 500 of the 1,400 sessions in the export's
total row (35.7%); shares are of the report's total")
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from micromix.errors import ConfigError
from micromix.ingest.lineage import registry_totals
from micromix.store import Store

__all__ = [
    "ADDITIVE",
    "AS_REPORTED",
    "NOT_ADDITIVE",
    "RANK_BY",
    "SERIES_DIMENSIONS",
    "TrafficReport",
    "traffic_reports",
    "weekly_totals",
]

#: measures that are sums over rows (a total is exact)
ADDITIVE = (
    "sessions",
    "engaged_sessions",
    "views",
    "unique_views",
    "entrances",
    "event_count",
    "key_events",
    "revenue",
)
#: user counts: one user appears under several rows, so they are never totalled
NOT_ADDITIVE = ("users", "new_users", "returning_users")
#: averages and rates, shown per row as the report gives them
AS_REPORTED = ("avg_engagement_seconds", "avg_time_on_page_seconds", "bounce_rate")
#: the measure a report's rows are ranked by: the first of these it has
RANK_BY = ("sessions", "views", "event_count", "key_events", "users")
#: dimensions that are dates: such a report is a series, shown whole in date order
SERIES_DIMENSIONS = ("day", "week", "month")
#: what identifies one ingested report (its period is that of its rows)
_KEYS = ("source_id", "property", "report", "dimension", "currency")


@dataclass
class TrafficReport:
    """One ingested report: what it is, its period, totals and leading rows."""

    report: str
    dimension: str
    property: str | None
    first_day: str | None
    last_day: str | None
    #: rows in the report (dimension values)
    rows: int
    #: the measure the rows are ranked by (see :data:`RANK_BY`)
    measure: str
    #: sums of the additive measures the report has
    totals: dict[str, float]
    #: the leading rows: ``dimension_value``, the report's measures, ``share`` of ``measure``
    #: (empty where ``measure`` is not additive)
    table: pd.DataFrame
    currency: str | None = None
    #: the export's own total row (all its rows, also those the download left out), by
    #: measure; empty when the export has none
    report_totals: dict[str, float] = field(default_factory=dict)
    #: the rows are only part of the report (their ``measure`` adds up to less than the
    #: export's total row)
    subset: bool = False
    #: a sentence on how the rows relate to the export's total row, None when they agree
    note: str | None = None
    #: the dimension is the date (a daily, weekly or monthly series): ``table`` holds every
    #: row in date order, not the leading ones
    series: bool = False
    #: a daily series' totals per week (:func:`weekly_totals`, of ``table``'s measures), None
    #: for any other report
    weekly: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if self.weekly is None and self.series and self.dimension == "day":
            counts = [c for c in self.table.columns if c in ADDITIVE]
            self.weekly = weekly_totals(self.table, counts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "dimension": self.dimension,
            "property": self.property,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "rows": self.rows,
            "measure": self.measure,
            "totals": dict(self.totals),
            "currency": self.currency,
            "report_totals": dict(self.report_totals),
            "subset": self.subset,
            "note": self.note,
            "series": self.series,
            "table": self.table.to_dict("records"),
            "weekly": None if self.weekly is None else self.weekly.to_dict("records"),
        }


def _text(v: Any) -> str | None:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT else str(v)


def _day(v: Any) -> str | None:
    return None if pd.isna(v) else pd.Timestamp(v).date().isoformat()


def traffic_reports(store: Store, *, top: int = 10) -> list[TrafficReport]:
    """Each report in the store's ``traffic`` table, with its ``top`` leading rows (a report
    whose dimension is the date, a series, with all its rows in date order).

    Reports come in the order the store holds them; a report is the rows of one file with one
    report name, dimension, property and currency, over the period of its rows. A dimension
    value on several rows (a report split by day) is one row of the summary: its additive
    measures added up, its user counts and averages left empty (they do not add up).
    ``share`` is of the export's own total row where the file has one (``report_totals``),
    else of the rows' sum (``totals``). An empty list when the store holds no traffic.
    """
    if not store.has_table("traffic") or store.count("traffic") == 0:
        return []
    df = store.read("traffic")
    keys = [k for k in _KEYS if k in df.columns]
    for k in keys:  # group on missing values too (a UA report names no property)
        df[k] = df[k].astype(object).where(df[k].notna(), None)
    stated = registry_totals(store, "traffic")
    groups = df.groupby(keys, dropna=False, sort=False)
    # a total row is the whole file's: it is a report's total only where the file is one report
    per_file = groups.size().groupby(level="source_id").size() if "source_id" in keys else None
    out: list[TrafficReport] = []
    for key, g in groups:
        info = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        first = pd.to_datetime(g["date"]).min() if "date" in g.columns else pd.NaT
        ends = g["date_end"] if "date_end" in g.columns else pd.Series(dtype="datetime64[ns]")
        last = pd.to_datetime(ends.where(ends.notna(), g.get("date"))).max()
        g = _one_row_per_value(g)
        have = [m for m in (*ADDITIVE, *NOT_ADDITIVE) if m in g.columns and g[m].notna().any()]
        measure = next((m for m in RANK_BY if m in have), None)
        if measure is None:
            continue  # a report with no measure micromix knows: nothing to rank or total
        series = _text(info.get("dimension")) in SERIES_DIMENSIONS
        cols = ["dimension_value", *have]
        cols += [m for m in AS_REPORTED if m in g.columns and g[m].notna().any()]
        if series:
            days = pd.to_datetime(g["dimension_value"], errors="coerce")
            table = g.loc[days.sort_values(kind="stable").index, cols].reset_index(drop=True)
        else:
            values = pd.to_numeric(g[measure], errors="coerce")
            order = values.sort_values(ascending=False, na_position="last").index
            table = g.loc[order[:top], cols].reset_index(drop=True)
        totals = {
            m: float(pd.to_numeric(g[m], errors="coerce").sum()) for m in have if m in ADDITIVE
        }
        sid = _text(info.get("source_id"))
        own = stated.get(sid, []) if sid and per_file is not None and per_file[sid] == 1 else []
        report_totals = _report_totals(own)
        total, subset, note = _share_base(measure, totals.get(measure), report_totals)
        table["share"] = (
            pd.to_numeric(table[measure], errors="coerce") / total if total else float("nan")
        )
        out.append(
            TrafficReport(
                report=_text(info.get("report")) or "(unnamed report)",
                dimension=_text(info.get("dimension")) or "",
                property=_text(info.get("property")),
                first_day=_day(first),
                last_day=_day(last),
                rows=len(g),
                measure=measure,
                totals=totals,
                table=table,
                currency=_text(info.get("currency")),
                report_totals=report_totals,
                subset=subset,
                note=note,
                series=series,
            )
        )
    return out


def weekly_totals(
    table: pd.DataFrame, measures: list[str], *, date_column: str = "dimension_value"
) -> pd.DataFrame | None:
    """The totals of a daily series per week, Monday to Sunday.

    One row per week the series has a day in: ``week`` (its Monday), ``days`` (the rows of the
    series in it: fewer than 7 for a week the series covers in part), then each of
    ``measures`` summed over those days (empty where no day of the week reports it). Rows whose
    date cannot be read are left out; None when no row has a date or no measure is given.

    Only additive measures are summed (:data:`ADDITIVE`): a user active on two days of a week
    is one user of it, so the user counts (:data:`NOT_ADDITIVE`) are refused, never added up.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"dimension_value": ["2025-01-05", "2025-01-06", "2025-01-07"],
    ...                   "sessions": [10, 20, 30]})
    >>> weekly_totals(s, ["sessions"]).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'week': Timestamp('2024-12-30 00:00:00'), 'days': 1, 'sessions': 10},
     {'week': Timestamp('2025-01-06 00:00:00'), 'days': 2, 'sessions': 50}]
    """
    users = [m for m in measures if m in NOT_ADDITIVE]
    if users:
        raise ConfigError(
            f"weekly totals add up each day's figure, and {', '.join(users)} of several days do "
            "not add up (a user of two days is one user of the week); ask for the additive "
            f"measures only ({', '.join(ADDITIVE)})"
        )
    with warnings.catch_warnings():  # values that are no dates at all: none is read
        warnings.filterwarnings("ignore", "Could not infer format", UserWarning)
        when = pd.to_datetime(table[date_column], errors="coerce")
    if not measures or when.isna().all():
        return None
    week = when.dt.to_period("W").dt.start_time
    weekly = table[measures].apply(pd.to_numeric, errors="coerce").groupby(week).sum(min_count=1)
    weekly.insert(0, "days", table.groupby(week)[date_column].size())
    return weekly.reset_index(names="week")


def _report_totals(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The export's total, by measure, from its total rows: a measure whose total rows disagree
    (totals of several segments) is left out, since which one is the report's is a guess."""
    values: dict[str, set[float]] = {}
    for row in rows:
        for m, v in (row.get("values") or {}).items():
            values.setdefault(m, set()).add(float(v))
    return {m: next(iter(v)) for m, v in values.items() if len(v) == 1}


def _share_base(
    measure: str, rows_total: float | None, report_totals: dict[str, float]
) -> tuple[float | None, bool, str | None]:
    """What a row's share of ``measure`` is taken of, whether the rows are part of the report,
    and a sentence when they do not add up to the export's total row."""
    stated = report_totals.get(measure)
    if rows_total is None or stated is None or abs(stated - rows_total) <= 0.5:
        return rows_total, False, None
    what = measure.replace("_", " ")
    if stated > rows_total:
        return (
            stated,
            True,
            f"the rows are part of the report: they hold {rows_total:,.0f} of the "
            f"{stated:,.0f} {what} in the export's total row ({rows_total / stated:.1%}); "
            "shares are of the report's total",
        )
    return (
        rows_total,
        False,
        f"the export's total row states {stated:,.0f} {what}, fewer than its rows hold "
        f"({rows_total:,.0f}); shares are of the rows",
    )


def _one_row_per_value(g: pd.DataFrame) -> pd.DataFrame:
    """``g`` with one row per ``dimension_value``: additive measures summed, the rest left empty
    where a value had several rows (user counts and averages do not add up)."""
    if not g["dimension_value"].duplicated().any():
        return g
    value = g["dimension_value"].astype(object).where(g["dimension_value"].notna(), "(not set)")
    sums = {
        m: pd.to_numeric(g[m], errors="coerce").groupby(value, sort=False).sum(min_count=1)
        for m in ADDITIVE
        if m in g.columns
    }
    out = pd.DataFrame(sums)
    out.index.name = "dimension_value"
    return out.reset_index()
