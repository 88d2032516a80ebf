"""Altair charts of the report, as Vega-Lite specs (dicts) ready to embed.

Every builder takes a result DataFrame (from :mod:`micromix.metrics`) and returns an
:class:`altair.Chart`; :func:`chart_spec` turns it into a JSON-safe Vega-Lite dict.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.reports.charts import chart_spec, trend_chart
>>> df = pd.DataFrame({"period": pd.to_datetime(["2026-03-02", "2026-03-09"]),
...                    "strategy": ["paid_social", "paid_social"], "roas": [2.0, 2.5]})
>>> spec = chart_spec(trend_chart(df, "strategy", "roas", "ROAS"))
>>> spec["mark"]["type"]
'line'
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

__all__ = [
    "LEGEND_WIDTH",
    "chart_spec",
    "comparison_chart",
    "comparison_long",
    "interval_dots",
    "series_chart",
    "series_legend",
    "trend_chart",
    "trend_lines",
]

#: series labels in the comparison chart
INCREMENTAL = "incremental ROAS (holdout)"
ATTRIBUTED = "attributed ROAS"
TRUE_VALUE = "true incremental ROAS"


#: the narrowest a report chart gets (``.charts`` grid cells are at least 320 px) less its y axis
LEGEND_WIDTH = 240
#: a generous width of one character of a 10 px legend label (wide sans fonts), and what an
#: entry adds to its label: the symbol, the gap after it and the padding between columns
_LABEL_CHAR_PX = 6.5
_ENTRY_PX = 26


def series_legend(names: list[str], title: str | None) -> alt.Legend:
    """A bottom legend whose every entry fits :data:`LEGEND_WIDTH` pixels, whole.

    As many columns as the longest name allows (one when it is long, at most four); a name too
    long for the width is wrapped onto several lines (never cut short with an ellipsis, as
    Vega's default 160 px label limit does).

    >>> series_legend(["facebook", "tiktok"], "platform").columns
    2
    >>> series_legend(["paid_social in IDR", "search in AUD"], "strategy").columns
    1
    >>> legend = series_legend(["a strategy name far too long for one legend line"], None)
    >>> legend.labelExpr.split("[datum.label]")[0]
    '{"a strategy name far too long for one legend line": ["a strategy name far too long for", "one legend line"]}'
    """
    limit = LEGEND_WIDTH - _ENTRY_PX
    chars = int(limit // _LABEL_CHAR_PX)
    wrapped = {n: textwrap.wrap(n, chars) for n in names if len(n) > chars}
    longest = max((len(n) for n in names), default=1)
    columns = max(
        1, min(len(names), int(LEGEND_WIDTH // (longest * _LABEL_CHAR_PX + _ENTRY_PX)), 4)
    )
    legend = alt.Legend(orient="bottom", title=title, columns=columns, labelLimit=limit)
    if wrapped:
        # a label as lines (Vega draws an array of strings as multi-line text)
        legend.labelExpr = f"{json.dumps(wrapped)}[datum.label] || datum.label"
    return legend


def _clean(obj: Any) -> Any:
    """Replace NaN / infinity by None, recursively (JSON has no NaN)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def chart_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """A chart as a JSON-safe Vega-Lite dict (data inlined, NaN -> null)."""
    return _clean(chart.to_dict())


def trend_chart(
    df: pd.DataFrame, by: str, kpi: str, label: str, *, all_lines: Sequence[str] | None = None
) -> alt.Chart | alt.LayerChart:
    """Weekly line chart of one KPI, one line per value of ``by`` (per value and level, or
    currency, where the KPIs keep those apart within a value).

    A line breaks where its group has no rows: a week between its first and last week that the
    KPIs do not hold is drawn as a gap (``null``), never a straight line across it (two exports
    months apart), and never a zero; a week with rows and no spend is a zero. Where ``df`` has
    a :data:`WEEK_COVERED` column, a line's partial first or last week is a triangle (a layer
    of points shaped by ``week``) whose tooltip names its days.

    Parameters
    ----------
    df : DataFrame
        ``compute_kpis(..., by=[by], grain="week")`` output (``period``, ``by``, ``kpi``).
    by : str
        Grouping column (``strategy``, ``platform`` ...).
    kpi : str
        KPI column.
    label : str
        Axis title.
    all_lines : sequence of str, optional
        Every line of the charts this one sits beside (:func:`trend_lines` of their whole
        table): a line keeps its colour in each of them, where a chart draws only some lines
        (spend, one chart per currency).

    >>> df = pd.DataFrame({"period": pd.to_datetime(["2025-12-01", "2026-03-02"]),
    ...                    "platform": "meta", "spend": [5.0, 7.0]})
    >>> [v["spend"] for v in chart_spec(trend_chart(df, "platform", "spend", "Spend"))
    ...  ["datasets"].popitem()[1]][:3]
    [5.0, None, None]
    """
    partial = WEEK_COVERED in df.columns and bool(df[WEEK_COVERED].notna().any())
    data = df[["period", by, kpi, *([WEEK_COVERED] if partial else [])]].copy()
    data["period"] = pd.to_datetime(data["period"])
    data[by] = trend_lines(df, by)
    data[kpi] = pd.to_numeric(data[kpi], errors="coerce").astype("float64")
    data = _with_gaps(data.replace([np.inf, -np.inf], np.nan), by)
    data["period"] = data["period"].dt.strftime("%Y-%m-%d")
    if partial:
        data["week"] = np.where(data[WEEK_COVERED].notna(), "partial week", "whole week")
        data[WEEK_COVERED] = data[WEEK_COVERED].where(data[WEEK_COVERED].notna(), "whole week")
    data = data.astype(object).where(data.notna(), None)
    names = sorted(set(data[by]))
    every = sorted(set(all_lines or ()) | set(names))
    encoding: dict[str, Any] = {
        "x": alt.X("period:T", title="week", axis=alt.Axis(format="%b %d")),
        "y": alt.Y(f"{kpi}:Q", title=label),
        "color": alt.Color(
            f"{by}:N",
            title=by,
            legend=series_legend(names, by),
            scale=alt.Scale(domain=names, range=[_PALETTE[every.index(n) % 10] for n in names]),
        ),
        "tooltip": [
            alt.Tooltip("period:T", title="week"),
            alt.Tooltip(f"{by}:N"),
            alt.Tooltip(f"{kpi}:Q", title=label, format=",.3~f"),
            *([alt.Tooltip(f"{WEEK_COVERED}:N", title="days")] if partial else []),
        ],
    }
    if not partial:
        return (
            alt.Chart(data, title=label)
            .mark_line(point=True)
            .encode(**encoding)
            .properties(width="container", height=180)
        )
    # a week the line's data covers only in part (its first or last) is a triangle, not a
    # point like the others, and its tooltip names its days: its lower figure is fewer days,
    # not a drop
    base = alt.Chart(data)
    points = base.mark_point(filled=True, size=80).encode(
        shape=alt.Shape(
            "week:N",
            title="week",
            scale=alt.Scale(domain=["whole week", "partial week"], range=["circle", "triangle"]),
        )
    )
    return (
        alt.layer(base.mark_line(), points, title=label)
        .encode(**encoding)
        .properties(width="container", height=180)
    )


#: the column of a weekly KPI table that says which days of a partial week its line's data
#: covers (e.g. "Jun 22 to Jun 25 only: 4 of 7 days"); empty for a whole week
WEEK_COVERED = "week_covered"


def series_chart(long: pd.DataFrame, when: str, title: str) -> alt.Chart:
    """Line chart of a dated series (``when``, ``measure``, ``value``): one line per measure,
    each on its own y scale when they differ (a panel per measure), days with no row a gap.

    >>> long = pd.DataFrame({"day": pd.to_datetime(["2020-11-01", "2020-11-02"]),
    ...                      "measure": "sessions", "value": [2594.0, 3682.0]})
    >>> chart_spec(series_chart(long, "day", "Sessions per day"))["mark"]["type"]
    'line'
    """
    data = long[[when, "measure", "value"]].copy()
    data[when] = pd.to_datetime(data[when]).dt.strftime("%Y-%m-%d")
    data["value"] = pd.to_numeric(data["value"], errors="coerce")
    data = data.astype(object).where(data.notna(), None)
    measures = sorted({str(m) for m in data["measure"]})
    chart = (
        alt.Chart(data, title=title)
        .mark_line()
        .encode(
            x=alt.X(f"{when}:T", title=when, axis=alt.Axis(format="%b %d")),
            y=alt.Y("value:Q", title=measures[0] if len(measures) == 1 else None),
            tooltip=[
                alt.Tooltip(f"{when}:T", title=when),
                alt.Tooltip("measure:N"),
                alt.Tooltip("value:Q", format=",.0f"),
            ],
        )
    )
    if len(measures) == 1:
        return chart.properties(width="container", height=180)
    return (
        chart.properties(width=560, height=120)
        .facet(row=alt.Row("measure:N", title=None))
        .resolve_scale(y="independent")
    )


#: Vega's default categorical colours ("tableau10"), given explicitly so that a line keeps its
#: colour in every chart of a section
_PALETTE = (
    "#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b",
    "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac",
)  # fmt: skip


def trend_lines(df: pd.DataFrame, by: str) -> pd.Series:
    """The line each row of a weekly KPI table is drawn on: its value of ``by``, with its level
    or currency where the KPIs keep those apart within one value (a platform's campaign-level
    report beside another's ad-level one, two currencies): never joined into one line."""
    names = df[by].astype("string").fillna("(none)").astype(str)
    apart = [
        c
        for c in ("level", "currency")
        if c in df.columns and df.groupby([df["period"], names])[c].nunique().max() > 1
    ]
    if apart:
        extra = df[apart].astype("string").fillna("?").astype(str).agg(", ".join, axis=1)
        names = names + " (" + extra + ")"
    return names


def _with_gaps(data: pd.DataFrame, by: str) -> pd.DataFrame:
    """``data`` plus a row with no value for every week a line skips between its first and
    last week, so the line breaks there (Vega-Lite breaks a path at a null)."""
    weeks = data["period"].dt.to_period("W").dt.start_time
    rows = []
    for name, own in weeks.groupby(data[by], sort=False):
        every = pd.date_range(own.min(), own.max(), freq="7D")
        missing = every.difference(pd.DatetimeIndex(own.unique()))
        rows.append(pd.DataFrame({"period": missing, by: name}))
    gaps = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if gaps.empty:
        return data
    return pd.concat([data, gaps], ignore_index=True).sort_values([by, "period"], kind="stable")


def comparison_long(table: pd.DataFrame) -> pd.DataFrame:
    """Comparison table in long form for :func:`comparison_chart`.

    Returns one row per (strategy, series) with ``value``, ``low`` and ``high`` (the interval
    is given for the incremental estimate only).
    """
    series = (  # (label, value column, interval prefix or None)
        (INCREMENTAL, "incremental_roas", "incremental_roas"),
        (ATTRIBUTED, "roas", None),
        (TRUE_VALUE, "true_incremental_roas", None),
    )
    rows: list[dict[str, Any]] = []
    for _, r in table.iterrows():
        for label, col, interval in series:
            value = _num(r.get(col))
            if value is None:
                continue
            low = _num(r.get(f"{interval}_low")) if interval else None
            high = _num(r.get(f"{interval}_high")) if interval else None
            rows.append(
                {
                    "strategy": str(r["strategy"]),
                    "series": label,
                    "value": value,
                    "low": low,
                    "high": high,
                }
            )
    return pd.DataFrame(rows, columns=["strategy", "series", "value", "low", "high"])


def _num(v: Any) -> float | None:
    return float(v) if v is not None and pd.notna(v) and math.isfinite(float(v)) else None


def comparison_chart(
    table: pd.DataFrame, title: str, level: float = 0.95, *, unit: str = "$"
) -> alt.LayerChart | alt.FacetChart:
    """Incremental ROAS with interval error bars, attributed ROAS beside it, truth when known.

    Parameters
    ----------
    table : DataFrame
        ``ComparisonResult.table``.
    title : str
    level : float
        Interval coverage (for the legend).
    unit : str
        What a return is per: the store's currency symbol (``$``, ``AUD``), "" when no
        currency is stated ("per unit of spend", never a guessed ``$``).
    """
    long = comparison_long(table)
    order = [str(s) for s in table["strategy"]]
    return interval_dots(
        long,
        title=title,
        x_title=f"ROAS (revenue per {'$1' if unit == '$' else unit or 'unit of spend'}; bars = "
        f"{level:.0%} interval)",
        category="strategy",
        order=order,
        series=[INCREMENTAL, ATTRIBUTED, TRUE_VALUE],
        colors=["#1f5fa8", "#e08a1e", "#2a9d55"],
        shapes=["circle", "square", "diamond"],
        zero_rule=True,
    )


def interval_dots(
    long: pd.DataFrame,
    *,
    title: str,
    x_title: str,
    category: str,
    order: list[str] | None,
    series: list[str],
    colors: list[str],
    shapes: list[str] | None = None,
    zero_rule: bool = False,
    label_limit: int | None = None,
) -> alt.LayerChart | alt.FacetChart:
    """Dots with interval bars: one row per category, one offset dot per series.

    ``long`` has columns ``category`` (the column's name), ``series``, ``value``, ``low``,
    ``high`` (``low`` null where a series has no interval). Categories run in ``order``, or
    sorted when it is None.
    """
    y = alt.Y(f"{category}:N", title=None)
    if order is not None:
        y = alt.Y(f"{category}:N", sort=order, title=None)
    y_off = alt.YOffset("series:N", sort=series, scale=alt.Scale(domain=series))
    legend = alt.Legend(orient="bottom", direction="vertical")
    if label_limit is not None:
        legend = alt.Legend(orient="bottom", direction="vertical", labelLimit=label_limit)
    color = alt.Color(
        "series:N", title=None, scale=alt.Scale(domain=series, range=colors), legend=legend
    )
    base = alt.Chart(long)
    bars = (
        base.transform_filter("isValid(datum.low)")
        .mark_rule(strokeWidth=2)
        .encode(x=alt.X("low:Q", title=x_title), x2="high:Q", y=y, yOffset=y_off, color=color)
    )
    encoding: dict[str, Any] = {"x": "value:Q", "y": y, "yOffset": y_off, "color": color}
    if shapes is not None:
        encoding["shape"] = alt.Shape(
            "series:N", title=None, scale=alt.Scale(domain=series, range=shapes), legend=legend
        )
    points = base.mark_point(filled=True, size=70).encode(
        **encoding,
        tooltip=[
            alt.Tooltip(f"{category}:N"),
            alt.Tooltip("series:N"),
            alt.Tooltip("value:Q", format=",.2f"),
            alt.Tooltip("low:Q", format=",.2f"),
            alt.Tooltip("high:Q", format=",.2f"),
        ],
    )
    layers: list[alt.Chart] = [bars, points]
    if zero_rule:
        zero = (
            alt.Chart(pd.DataFrame({"x": [0.0]}))
            .mark_rule(strokeDash=[4, 4], color="#888")
            .encode(x="x:Q")
        )
        layers.insert(0, zero)
    # the width follows the page; the height is a number (a discrete "step" height cannot be
    # fitted to a container, which Vega warns about), 14 px per category and series
    n = len(order) if order is not None else long[category].nunique()
    return alt.layer(*layers).properties(
        title=title, width="container", height=max(60, 14 * n * len(series))
    )


def contribution_chart(summary: pd.DataFrame, level: float) -> alt.LayerChart:
    """Estimated incremental revenue per strategy with interval bars (mix model summary)."""
    d = summary[["strategy", "kind", "contribution", "contribution_lo", "contribution_hi"]].copy()
    y = alt.Y("strategy:N", title=None, sort=list(d["strategy"]))
    color = alt.Color(
        "kind:N",
        title=None,
        scale=alt.Scale(domain=["paid", "organic"], range=["#1f5fa8", "#2a9d55"]),
        legend=alt.Legend(orient="bottom"),
    )
    base = alt.Chart(d)
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("contribution_lo:Q", title=f"incremental revenue ({level:.0%} interval)"),
        x2="contribution_hi:Q",
        y=y,
        color=color,
    )
    points = base.mark_point(filled=True, size=80).encode(
        x="contribution:Q",
        y=y,
        color=color,
        tooltip=[
            alt.Tooltip("strategy:N"),
            alt.Tooltip("contribution:Q", format=",.0f", title="incremental revenue"),
            alt.Tooltip("contribution_lo:Q", format=",.0f", title="low"),
            alt.Tooltip("contribution_hi:Q", format=",.0f", title="high"),
        ],
    )
    return (bars + points).properties(
        title="Mix model: what each strategy adds", width="container", height=max(60, 30 * len(d))
    )
