"""Small HTML helpers for the report: escaping, tiles, tables, check lists, the page shell.

Quickstart
----------
>>> from micromix.reports.html import tile
>>> tile("Spend", "$1,234")
'<div class="tile"><div class="tile-label">Spend</div><div class="tile-value">$1,234</div></div>'
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from micromix.checks import CheckResult, summarize
from micromix.metrics.currency import currency_symbol
from micromix.reports.assets import script_safe
from micromix.schema.display import MISSING, format_money

__all__ = [
    "CSS",
    "banner",
    "chart_div",
    "checks_html",
    "currency_symbol",
    "esc",
    "fmt_value",
    "note",
    "page",
    "table_html",
    "tile",
    "with_interval",
]

#: stylesheet: system fonts only, responsive grid, print rules
CSS = """
:root{--fg:#1d2430;--muted:#5b6573;--line:#d9dee5;--bg:#fff;--soft:#f4f6f9;--pass:#1e7b45;
--review:#a86400;--fail:#b3261e;--accent:#1f5fa8}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:var(--fg);background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:16px}
header.report{border-bottom:2px solid var(--accent);margin-bottom:12px}
h1{font-size:1.6rem;margin:.4em 0 .1em}h2{font-size:1.3rem;margin:1.6em 0 .4em;
border-bottom:1px solid var(--line);padding-bottom:.2em}h3{font-size:1.1rem;margin:1.2em 0 .3em}
.meta,.note,.muted{color:var(--muted);font-size:.9rem}
.note{background:var(--soft);border-left:4px solid var(--line);padding:.5em .8em;margin:.6em 0}
nav.toc{font-size:.9rem}nav.toc ol{margin:.2em 0;padding:0}
nav.toc li{display:inline-block;list-style:none;margin:0 1.3em .1em 0}nav.toc a{color:var(--accent)}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:.6em 0}
.tile{border:1px solid var(--line);border-radius:8px;padding:.5em .7em;background:var(--soft)}
.tile-label{font-size:.8rem;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.tile-value{font-size:1.3rem;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:14px}
.chart{width:100%;min-height:60px}.chart.wide{grid-column:1/-1}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table.data{border-collapse:collapse;font-size:.85rem;margin:.5em 0;min-width:50%}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:.25em .55em;text-align:right;
white-space:nowrap}table.data th{background:var(--soft);font-weight:600}
table.data td:first-child,table.data th:first-child{text-align:left}
table.data td.wrap{white-space:normal;overflow-wrap:anywhere;text-align:left;min-width:12em;max-width:32em}
table.data small{color:var(--muted);font-size:.8em}table.data th{white-space:normal}
table.data.key td,table.data.key th{text-align:left}
.banner{background:#fff4d6;border:1px solid #e0b54a;border-left:6px solid #c98a00;color:#5a3d00;
padding:.6em .9em;margin:.6em 0 1em;border-radius:6px;font-weight:600}
.plan{border:2px solid var(--accent);border-radius:10px;padding:.4em 1em 1em;margin:.6em 0}
.plan .headline{font-size:1.1rem;font-weight:600;margin:.5em 0}
ol.actions{padding-left:1.4em;margin:.4em 0}ol.actions li{margin:.45em 0}
ol.actions .meta{color:var(--muted);font-size:.86rem}
.kind{display:inline-block;min-width:6.5em;text-align:center;border-radius:4px;font-size:.72rem;
font-weight:700;text-transform:uppercase;padding:.05em .4em;margin-right:.45em;color:#fff;
background:var(--accent)}.conf{font-size:.8rem;font-weight:600}
.conf.high{color:var(--pass)}.conf.medium{color:var(--review)}.conf.low{color:var(--fail)}
.truth{background:var(--soft);border-radius:6px;padding:.5em .8em;margin:.6em 0}
.conclusion{border-left:4px solid var(--accent);padding:.3em .8em;margin:.6em 0}
ul.checks{list-style:none;padding:0}ul.checks li{border:1px solid var(--line);border-radius:6px;
margin:.4em 0;padding:.45em .7em}
.badge{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;color:#fff;
font-size:.75rem;font-weight:700;padding:.05em .4em;margin-right:.5em;text-transform:uppercase}
.badge.pass{background:var(--pass)}.badge.review{background:var(--review)}.badge.fail{background:var(--fail)}
.rec{color:var(--muted);font-size:.9rem;margin-top:.15em}
footer{margin-top:2em;border-top:1px solid var(--line);padding-top:.5em}
@media (max-width:600px){body{font-size:14px}main{padding:10px}.charts{grid-template-columns:1fr}
.tile-value{font-size:1.1rem}}
@media print{main{max-width:none;padding:0}nav.toc{display:none}section{break-inside:auto}
.chart,.tile,ul.checks li,table.data{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""

#: runs after the bundle: embeds every spec found in <script type="application/json" data-chart>
_EMBED_JS = """
const opts = {actions: false, renderer: "svg"};
for (const el of document.querySelectorAll("script[data-chart]")) {
  const target = document.getElementById(el.dataset.chart);
  try {
    window.vegaEmbed(target, JSON.parse(el.textContent), opts).catch((e) => {
      target.textContent = "chart could not be drawn: " + e;
    });
  } catch (e) { target.textContent = "chart could not be drawn: " + e; }
}
"""


def esc(value: Any) -> str:
    """HTML-escape ``value`` (after ``str``)."""
    return html.escape(str(value), quote=True)


def fmt_value(value: Any, kind: str = "number", symbol: str = "$") -> str:
    """Format a figure for display.

    Parameters
    ----------
    value : Any
        The figure (None / NaN give :data:`~micromix.schema.display.MISSING`, ``"n/a"``).
    kind : {"number", "int", "money", "money0", "pct", "ratio"}
        ``money`` has cents, ``money0`` whole units; both put the sign before the currency.
    symbol : str
        Currency symbol (or code) of money figures.

    Examples
    --------
    >>> fmt_value(1234.5, "money"), fmt_value(-885.58, "money"), fmt_value(0.0123, "pct")
    ('$1,234.50', '-$885.58', '1.23%')
    >>> fmt_value(None), fmt_value(1234.6, "money0", "€")
    ('n/a', '€1,235')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    try:
        if pd.isna(value):
            return MISSING
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return str(value)
    v = float(value)
    if not math.isfinite(v):
        return MISSING
    if kind == "int":
        return f"{v:,.0f}"
    if kind in ("money", "money0"):
        return format_money(v, symbol, 2 if kind == "money" else 0)
    if kind == "pct":
        return f"{v:.2%}"
    if kind == "ratio":
        return f"{v:,.2f}"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}"


def _row_symbol(code: Any, default: str) -> str:
    """The symbol of a row's own ``currency`` cell, else ``default``."""
    if isinstance(code, str) and code.strip():
        return currency_symbol(code.strip().upper())
    return default


def tile(label: str, value: str) -> str:
    """One headline tile (label and an already formatted value)."""
    return (
        f'<div class="tile"><div class="tile-label">{esc(label)}</div>'
        f'<div class="tile-value">{esc(value)}</div></div>'
    )


def note(text: str) -> str:
    """A short note (used when a section is skipped)."""
    return f'<p class="note">{esc(text)}</p>'


def table_html(
    df: pd.DataFrame,
    formats: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    *,
    symbol: str = "$",
    wrap: Sequence[str] = (),
    html_cols: Sequence[str] = (),
    cls: str = "",
) -> str:
    """A compact HTML table (horizontally scrollable only as a last resort).

    Parameters
    ----------
    df : DataFrame
    formats : dict, optional
        Column -> kind for :func:`fmt_value`; other columns are shown as text.
    labels : dict, optional
        Column -> header label.
    symbol : str
        Currency of the money columns; a row with a ``currency`` column of its own (money
        split by currency) shows its own.
    wrap : sequence of str
        Columns whose text may wrap over lines (long text such as reasons or post captions).
    html_cols : sequence of str
        Columns that already hold escaped HTML (e.g. a figure over its interval).
    cls : str
        Extra CSS class of the table.
    """
    formats, labels = formats or {}, labels or {}
    head = "".join(f"<th>{esc(labels.get(c, c))}</th>" for c in df.columns)
    body = []
    codes = list(df["currency"]) if "currency" in df.columns else [None] * len(df)
    for row, code in zip(df.itertuples(index=False), codes):
        cells = []
        sym = _row_symbol(code, symbol)
        for c, v in zip(df.columns, row):
            kind = formats.get(c)
            attr = ' class="wrap"' if c in wrap else ""
            if c in html_cols:
                cells.append(f"<td{attr}>{v}</td>")
                continue
            text = (
                fmt_value(v, kind, sym)
                if kind
                else ("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
            )
            cells.append(f"<td{attr}>{esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    extra = f" {cls}" if cls else ""
    return (
        f'<div class="scroll"><table class="data{extra}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def with_interval(value: Any, low: Any, high: Any, kind: str, symbol: str = "$") -> str:
    """A figure with its interval on a second, smaller line (escaped HTML for a table cell).

    >>> with_interval(5.7, 2.1, 9.3, "ratio")
    '5.70<br><small>2.10 to 9.30</small>'
    """
    v = fmt_value(value, kind, symbol)
    if v == MISSING or low is None or high is None or pd.isna(low) or pd.isna(high):
        return esc(v)
    iv = f"{fmt_value(low, kind, symbol)} to {fmt_value(high, kind, symbol)}"
    return f"{esc(v)}<br><small>{esc(iv)}</small>"


def banner(text: str) -> str:
    """A prominent banner (e.g. that the data is simulated)."""
    return f'<div class="banner" role="note">{esc(text)}</div>'


def checks_html(results: Sequence[CheckResult]) -> str:
    """Check results as a list with pass / review / fail badges and recommendations."""
    items = []
    for r in results:
        rec = (
            f'<div class="rec">Recommendation: {esc(r.recommendation)}</div>'
            if r.recommendation
            else ""
        )
        items.append(
            f'<li class="check {r.status.value}"><span class="badge {r.status.value}">'
            f"{esc(r.status.value)}</span><strong>{esc(r.name)}</strong>: "
            f"{esc(r.message)}{rec}</li>"
        )
    worst = summarize(results).value
    return (
        f'<p>Overall: <span class="badge {worst}">{worst}</span></p>'
        f'<ul class="checks">{"".join(items)}</ul>'
    )


def chart_div(chart_id: str, spec: dict[str, Any], wide: bool = False) -> str:
    """A chart placeholder plus its Vega-Lite spec in a JSON script element."""
    payload = script_safe(json.dumps(spec, allow_nan=False, default=str))
    cls = "chart wide" if wide else "chart"
    return (
        f'<div class="{cls}" id="{esc(chart_id)}" role="img"></div>'
        f'<script type="application/json" data-chart="{esc(chart_id)}">{payload}</script>'
    )


def page(title: str, body: str, *, bundle: str, meta: str = "", notice: str = "") -> str:
    """The full self-contained HTML page; ``notice`` (HTML) goes right under the header."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>"
        f'<header class="report"><h1>{esc(title)}</h1><p class="meta">{meta}</p></header>'
        f"{notice}{body}"
        '<footer class="muted">Made with micromix. Charts: Vega-Lite, drawn offline from the '
        "JavaScript inlined in this file.</footer></main>"
        f'<script type="module">{bundle}</script>'
        f'<script type="module">{_EMBED_JS}</script>'
        "</body></html>\n"
    )
