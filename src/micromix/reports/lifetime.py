"""Report section: customer lifetime value by acquisition strategy (self-contained block).

Renders :func:`micromix.clv.lifetime_returns` tables - one per acquisition dimension - and
computes nothing itself. The hook for the report / plan:

* the evidence carries ``lifetime``: a dict ``{dimension: lifetime_returns(store, by=dimension,
  tiers=DEFAULT_TIERS)}`` (e.g. ``strategy``, ``targeting``, ``creator_tier``), and ``"lifetime"``
  is one of the evidence parts; :class:`LifetimeSection` (registered as ``"lifetime"``, optional)
  then renders it;
* or any renderer calls :func:`lifetime_section_html` with the tables and a chart callback.

Quickstart
----------
>>> import pandas as pd
>>> t = pd.DataFrame({"group": ["micro", "mass"], "customers": [900, 1200],
...                   "clv_mean": [80.0, 45.0], "clv_mean_low": [70.0, 40.0],
...                   "clv_mean_high": [90.0, 50.0], "first_purchase_roas": [3.0, 2.5],
...                   "lifetime_roas": [9.0, 5.0], "lifetime_roas_low": [8.0, 4.5],
...                   "lifetime_roas_high": [10.0, 5.5]})
>>> t.attrs.update(horizon=52, time_unit_name="weeks", basis="first-purchase", level=0.9)
>>> html = lifetime_section_html({"targeting": t}, chart=lambda spec: "<div></div>")
>>> "lifetime ROAS" in html and "micro" in html
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from micromix.reports.builder import ReportContext, Section, register_section
from micromix.reports.charts import chart_spec, interval_dots
from micromix.reports.html import esc, note, table_html

__all__ = ["LifetimeSection", "lifetime_chart", "lifetime_section_html"]

_SERIES = (  # (label, value column, interval prefix or None)
    ("incremental lifetime ROAS (holdouts)", "incremental_lifetime_roas", True),
    ("lifetime ROAS", "lifetime_roas", True),
    ("first-purchase ROAS", "first_purchase_roas", False),
)
_COLUMNS = {  # column -> (header, format)
    "group": ("acquired by", ""),
    "customers": ("customers", "int"),
    "clv_mean": ("CLV per customer", "money"),
    "clv_mean_low": ("low", "money"),
    "clv_mean_high": ("high", "money"),
    "first_purchase_roas": ("first-purchase ROAS", "ratio"),
    "lifetime_roas": ("lifetime ROAS", "ratio"),
    "lifetime_roas_low": ("low", "ratio"),
    "lifetime_roas_high": ("high", "ratio"),
    "incremental_lifetime_roas": ("incremental lifetime ROAS", "ratio"),
    "incremental_lifetime_roas_low": ("low", "ratio"),
    "incremental_lifetime_roas_high": ("high", "ratio"),
    "note": ("note", ""),
}


def _num(v: Any) -> float | None:
    return float(v) if v is not None and pd.notna(v) and math.isfinite(float(v)) else None


def lifetime_chart(table: pd.DataFrame, title: str) -> dict[str, Any]:
    """Vega-Lite spec: first-purchase, lifetime and incremental lifetime ROAS per group, with
    the intervals of the last two."""
    level = float(table.attrs.get("level", 0.9))
    rows = []
    for _, r in table.iterrows():
        for label, col, has_interval in _SERIES:
            value = _num(r.get(col))
            if value is None:
                continue
            rows.append(
                {
                    "group": str(r["group"]),
                    "series": label,
                    "value": value,
                    "low": _num(r.get(f"{col}_low")) if has_interval else None,
                    "high": _num(r.get(f"{col}_high")) if has_interval else None,
                }
            )
    long = pd.DataFrame(rows, columns=["group", "series", "value", "low", "high"])
    series = [s for s, _, _ in _SERIES]
    chart = interval_dots(
        long,
        title=title,
        x_title=f"revenue per $1 of spend (bars = {level:.0%} interval)",
        category="group",
        order=None,
        series=series,
        colors=["#1f5fa8", "#2a9d55", "#e08a1e"],
        label_limit=400,
    )
    return chart_spec(chart)


def lifetime_section_html(
    tables: Mapping[str, pd.DataFrame],
    *,
    chart: Callable[[dict[str, Any]], str],
    symbol: str = "$",
) -> str:
    """The section body: per acquisition dimension, the chart and the table.

    Parameters
    ----------
    tables : mapping
        Dimension -> :func:`micromix.clv.lifetime_returns` output.
    chart : callable
        Turns a Vega-Lite spec into HTML (e.g. ``ReportContext.chart``).
    symbol : str
        The store's currency symbol (``""`` when the data states none: no ``$`` is guessed).
    """
    if not tables:
        return note("No customer lifetime values: the store has no repeat purchases to fit.")
    out = []
    first = next(iter(tables.values()))
    a = first.attrs
    per_unit = {"$": "per dollar", "": "per unit"}.get(symbol, f"per {symbol}")
    out.append(
        "<p>"
        + esc(
            f"Customers are grouped by what acquired them ({a.get('basis', 'first-purchase')}: "
            "the campaign their first purchase was credited to). Lifetime ROAS is their revenue "
            f"to date plus their predicted CLV over the next {a.get('horizon', 52):g} "
            f"{a.get('time_unit_name', 'weeks')} (BG/NBD or MBG/NBD purchases, whichever fits "
            f"the group better; Gamma-Gamma spend; 10% a year discounting) {per_unit} of the "
            "group's spend; first-purchase ROAS counts their first purchase only. Both are "
            "attributed figures. The incremental lifetime ROAS compares everyone treated with "
            "everyone held out in the group's randomised holdouts, so it counts only customers "
            "the ads really won; it is wide unless the tests are large."
        )
        + "</p>"
    )
    for dim, table in tables.items():
        title = f"Lifetime vs first-purchase ROAS by {dim.replace('_', ' ')}"
        out.append(f"<h3>{esc(title)}</h3>")
        paid = table[table.get("spend", pd.Series(0.0, index=table.index)).fillna(0) > 0]
        # the chart sets lifetime beside first-purchase ROAS: none when no group has one
        if len(paid) and paid.get("lifetime_roas", pd.Series(dtype=float)).notna().any():
            out.append(chart(lifetime_chart(paid, title)))
        cols = [c for c in _COLUMNS if c in table.columns and c != "note"]
        out.append(
            table_html(
                table[cols],
                {c: _COLUMNS[c][1] for c in cols if _COLUMNS[c][1]},
                {c: _COLUMNS[c][0] for c in cols},
                symbol=symbol,
            )
        )
        # why a figure is n/a, under the table (a sentence does not fit a table column)
        notes = table.get("note", pd.Series("", index=table.index)).fillna("").astype(str)
        if len(notes) > 1 and notes.nunique() == 1 and notes.iloc[0]:
            why = [f"<li><b>every group</b>: {esc(notes.iloc[0])}</li>"]
        else:
            why = [
                f"<li><b>{esc(str(g))}</b>: {esc(n)}</li>"
                for g, n in zip(table["group"], notes)
                if n
            ]
        if why:
            out.append('<ul class="notes">' + "".join(why) + "</ul>")
    return "".join(out)


@register_section
class LifetimeSection(Section):
    """Customer lifetime value and lifetime ROAS by acquisition strategy (optional section)."""

    lookup_name = "lifetime"
    title = "Customer lifetime value by acquisition strategy"
    part = "lifetime"
    optional = True

    def render(self, ctx: ReportContext) -> str:
        tables = getattr(ctx.evidence, "lifetime", None)
        if tables is None:
            return self._absent(ctx, "Customer lifetime values were not computed.")
        return lifetime_section_html(tables, chart=ctx.chart, symbol=ctx.symbol)
