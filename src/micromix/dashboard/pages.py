"""Dashboard pages as HTML strings, the static assets, and the local API docs page.

Quickstart
----------
>>> from micromix.dashboard.pages import render_login, static_asset
>>> "api-key" in render_login()
True
>>> static_asset("style.css")[1]
'text/css; charset=utf-8'
"""

from __future__ import annotations

import functools
import html
import json
import re
from importlib import resources
from typing import Any

__all__ = ["PAGES", "render_api_docs", "render_login", "render_page", "static_asset"]

#: dashboard pages: slug -> (navigation title, page heading)
PAGES: dict[str, tuple[str, str]] = {
    "overview": ("Overview", "The plan, then the evidence"),
    "compare": ("Comparisons", "Strategy comparisons on incremental outcomes"),
    "moments": ("Micro-moments", "Live micro-moment feed"),
    "content": ("User content", "User content to amplify"),
    "creators": ("Creators", "Creator discovery"),
    "audience": ("Audiences", "Audience builder"),
    "mix": ("Mix & budget", "Mix model and budget planner"),
}

_ROLE = re.compile(r":\w+:`~?([^`]+)`")  # Sphinx roles in docstrings -> plain names

_STATIC: dict[str, str] = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}

_BODIES: dict[str, str] = {
    "overview": """
<section class="card plan" id="plan-card" aria-live="polite"><h2>The plan</h2>
  <p class="headline" id="plan-headline">Working out the plan from all the evidence&hellip;</p>
  <div class="table" id="plan-table"></div>
  <ol class="actions" id="plan-actions"></ol>
  <p class="truth" id="plan-truth" hidden></p>
  <ul class="notes" id="plan-notes"></ul></section>
<section class="card"><h2>Incremental return per unit of spend by strategy (randomised holdouts)</h2>
  <p class="hint">Revenue each strategy caused per unit of spend, with its interval; the
  platform-attributed ROAS is shown beside it for contrast (it overstates the return).</p>
  <div class="chart" id="incr-chart"></div></section>
<h2 class="sub">Attributed KPIs (what the platforms report, not what the ads caused)</h2>
<section class="tiles" id="tiles" aria-live="polite"></section>
<section class="card"><h2>Daily spend and revenue by strategy (attributed)</h2>
  <div class="chart" id="trend-chart"></div></section>
<section class="card"><h2>KPIs by strategy (attributed)</h2><div class="table" id="strategy-table"></div></section>
<section class="card"><h2>ROAS by platform (attributed)</h2><div class="chart" id="platform-chart"></div></section>
<section class="card" id="traffic-card" hidden><h2>Web and app analytics (GA4 / UA reports)</h2>
  <p class="hint">As the analytics tool counted them; users are not added up across rows.</p>
  <div id="traffic-reports"></div></section>""",
    "compare": """
<p class="lead">Each strategy on the same KPIs, and on <b>incremental</b> return measured by
randomised holdouts, with intervals.</p>
<div id="comparisons"></div>""",
    "moments": """
<div class="grid2">
  <section class="card"><h2>Live feed <span class="pill" id="feed-state">connecting</span></h2>
    <ol class="feed" id="feed" aria-live="polite"></ol></section>
  <section class="card"><h2>Searches by micro-moment</h2><div class="chart" id="moment-chart"></div>
    <h2>Bursts detected</h2><div class="table" id="burst-table"></div></section>
</div>
<section class="card"><h2>Classify a query</h2>
  <form id="classify-form" class="row"><input id="classify-text" name="text"
    placeholder="where can I buy grain-free dog food near me" required maxlength="300">
    <button type="submit">Classify</button></form>
  <div id="classify-out"></div>
  <ul class="notes" id="classify-notes" aria-live="polite"></ul></section>""",
    "content": """
<p class="lead">Genuine user posts about the brand, ranked by how well they would work as paid
ads (partnership ads, Spark Ads) — rights, sentiment, engagement and brand fit.</p>
<section class="card"><form id="brand-form" class="row">
  <label>Brand <input id="brand-input" name="brand" required minlength="2" maxlength="60"
    placeholder="your brand, e.g. PawCo"></label>
  <button type="submit">Rank posts</button></form></section>
<section class="card"><h2>Amplification score</h2><div class="chart" id="ugc-chart"></div></section>
<section class="card"><h2>Posts to amplify</h2><div class="table" id="ugc-table"></div>
  <ul class="notes" id="ugc-notes"></ul></section>""",
    "creators": """
<section class="card"><h2>Brief</h2>
<form id="brief-form" class="form-grid">
  <label>Niche <input name="niche" maxlength="40" list="niches"
    placeholder="the creators' most common" title="a niche, or any to rank every creator"></label>
  <datalist id="niches">{niches}</datalist>
  <label>Budget (US$) <input name="budget" type="number" min="1" step="1"
    placeholder="the influencer spend" title="empty: the influencer spend in the events, as in the report and the plan"></label>
  <label>Platform <select name="platform"><option value="">any</option>
    <option>instagram</option><option>tiktok</option><option>youtube</option></select></label>
  <label>Min. authenticity <input name="min_authenticity" type="number" min="0" max="1"
    step="0.05" value="0.5"></label>
  <label>Creators <input name="top" type="number" min="1" max="200" value="20"></label>
  <button type="submit">Find creators</button>
</form><p class="hint" id="brief-note"></p></section>
<div class="grid2">
  <section class="card"><h2>Same budget: micro vs macro</h2><div class="table" id="cohort-table"></div>
    <ul class="notes" id="cohort-notes"></ul></section>
  <section class="card"><h2>Followers vs engagement</h2><div class="chart" id="creator-chart"></div></section>
</div>
<section class="card"><h2>Recommended creators</h2><div class="table" id="creator-table"></div></section>""",
    "audience": """
<section class="card"><h2>Audience</h2>
<form id="audience-form" class="form-grid">
  <label>Targeting <select name="policy"><option value="micro">microtargeting</option>
    <option value="mass">mass</option><option value="hybrid">hybrid</option></select></label>
  <label>Platform <select name="platform"><option>meta</option><option>google</option>
    <option>tiktok</option><option>linkedin</option></select></label>
  <label>Special ad category <select name="special_ad_category"><option value="">none</option>
    <option>housing</option><option>employment</option><option>credit</option>
    <option>financial_services</option></select></label>
  <label>Features (comma-separated) <input name="features" value="region,interests"
    maxlength="200"></label>
  <label>Value of one conversion <input name="value_per_conversion" type="number" min="0.01"
    step="0.01"></label>
  <label>Budget <input name="budget" type="number" min="0.01" step="0.01"></label>
  <label>Cost per contact <input name="cost_per_contact" type="number" min="0" step="0.0001">
    </label>
  <button type="submit" id="check-btn">Check guardrails</button>
  <button type="button" id="export-btn" disabled>Export audience</button>
</form><ul class="notes" id="inputs-notes"></ul></section>
<section class="card"><h2>Guardrail checks</h2><div id="verdict" role="status"></div>
  <ul class="checks" id="checks"></ul></section>
<section class="card"><h2>Export</h2><div id="export-out"></div></section>""",
    "mix": """
<section class="card"><h2>Incremental contribution by strategy</h2>
  <div id="mmm-state" role="status"></div><div class="chart" id="contrib-chart"></div>
  <div class="table" id="mmm-table"></div>
  <div id="mmm-diagnostics" hidden><h2>Diagnostics</h2><ul class="checks" id="mmm-checks"></ul>
  </div></section>
<section class="card"><h2>Budget planner</h2>
  <p class="lead">Move the sliders (spend over the planning horizon per channel) to see the
  expected revenue with its interval.</p>
  <div id="sliders" class="sliders"></div>
  <div class="row"><button type="button" id="optimize-btn">Recommend an allocation</button></div>
  <div class="chart" id="scenario-chart"></div><div class="table" id="scenario-table"></div>
</section>""",
}


@functools.lru_cache(maxsize=8)
def _read_static(name: str) -> bytes:
    return resources.files("micromix.dashboard").joinpath("static", name).read_bytes()


@functools.lru_cache(maxsize=1)
def _vega_js() -> bytes:
    from micromix.reports.assets import vega_bundle

    return vega_bundle().encode()


def static_asset(name: str) -> tuple[bytes, str] | None:
    """``(content, media type)`` of a static asset, or None when there is no such asset.

    ``vega.js`` is the Vega + Vega-Lite + vega-embed bundle from ``vl-convert-python``.
    """
    if name == "vega.js":
        return _vega_js(), "text/javascript; charset=utf-8"
    if name not in _STATIC:
        return None
    return _read_static(name), _STATIC[name]


def _shell(slug: str, title: str, body: str, *, nav: bool = True, who: bool = True) -> str:
    links = "".join(
        f'<a href="/ui/{s}"{" aria-current=page" if s == slug else ""}>{html.escape(t)}</a>'
        for s, (t, _) in PAGES.items()
    )
    box = (
        '<div class="who"><span class="pill" id="data-label"></span><span class="pill" '
        'id="role"></span><button type="button" id="logout">Log out</button></div>'
        if who
        else ""
    )
    header = (
        f'<header><a class="brand" href="/ui/overview">micromix</a>'
        f'<nav aria-label="pages">{links}</nav>{box}</header>'
        if nav
        else '<header><span class="brand">micromix</span></header>'
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - micromix</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/style.css">
<script type="module" src="/static/vega.js"></script>
<script type="module" src="/static/app.js"></script>
</head><body data-page="{slug}">
{header}
<main><div id="sim-banner" class="banner" role="note" hidden></div>
<div id="money-note" class="banner note" role="note" hidden></div>
<h1>{html.escape(title)}</h1><div id="error" class="error" role="alert" hidden></div>
{body}
</main>
<footer>micromix dashboard &middot; <a href="/docs">API</a></footer>
</body></html>"""


def render_page(slug: str) -> str:
    """The HTML of dashboard page ``slug`` (one of :data:`PAGES`)."""
    if slug not in PAGES:
        raise KeyError(f"no dashboard page {slug!r}; pages: {', '.join(PAGES)}")
    body = _BODIES[slug]
    if slug == "creators":
        body = body.replace("{niches}", _niche_options())
    return _shell(slug, PAGES[slug][1], body)


@functools.lru_cache(maxsize=1)
def _niche_options() -> str:
    """The niches a creator brief takes, and ``any`` (the API's brief without a niche: every
    creator), as datalist options."""
    from micromix.influencers.niche import NICHES

    return "".join(f'<option value="{html.escape(n)}">' for n in (*NICHES, "any"))


def render_login() -> str:
    """The login page: the API key is kept in ``sessionStorage`` for this tab only."""
    body = """
<section class="card narrow"><form id="login-form">
  <label for="api-key">API key</label>
  <input id="api-key" name="key" type="password" autocomplete="off" required
    placeholder="mmx_..." maxlength="120">
  <button type="submit">Open the dashboard</button>
  <p class="hint">The first start of <code>micromix serve</code> prints an admin key; an admin
  key creates more (<code>POST /api/v1/keys</code>, e.g. a viewer key), and so does
  <code>micromix keys create --role viewer</code> while no server holds the store. The key
  stays in this browser tab only.</p>
</form></section>"""
    return _shell("login", "Sign in", body, nav=False)


def _resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with a ``$ref`` into ``components`` followed (one level at a time)."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 8:
        node: Any = openapi
        for part in str(schema["$ref"]).lstrip("#/").split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema, seen = node, seen + 1
    return schema if isinstance(schema, dict) else {}


def _type_of(openapi: dict[str, Any], schema: dict[str, Any]) -> str:
    """A short type: ``string``, ``integer 20..2000``, ``one of refuse, replace, keep`` ..."""
    schema = _resolve(openapi, schema)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        kinds = [
            _type_of(openapi, o) for o in options if _resolve(openapi, o).get("type") != "null"
        ]
        return " or ".join(dict.fromkeys(k for k in kinds if k)) or "any"
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = str(schema.get("type", ""))
    if kind == "array":
        return f"array of {_type_of(openapi, schema.get('items', {})) or 'values'}"
    if schema.get("format") == "binary" or "contentMediaType" in schema:
        return "file"
    low, high = (
        schema.get("minimum", schema.get("exclusiveMinimum")),
        schema.get("maximum", schema.get("exclusiveMaximum")),
    )
    if low is not None or high is not None:
        kind += f" {'' if low is None else low}..{'' if high is None else high}"
    if "pattern" in schema:
        kind += f" matching {schema['pattern']}"
    return kind


def _field(name: str, where: str, kind: str, required: bool, default: Any, text: str) -> str:
    """One parameter or body field as a list item."""
    facts = [where, kind] if kind else [where]
    if required or default is not None:
        facts.append("required" if required else f"default {json.dumps(default)}")
    fact = ", ".join(f for f in facts if f)
    text = _ROLE.sub(r"\1", text or "").replace("``", "")
    return (
        f"<li><code>{html.escape(name)}</code> <i>({html.escape(fact)})</i>"
        + (f" {html.escape(text)}" if text else "")
        + "</li>"
    )


def _api_fields(openapi: dict[str, Any], op: dict[str, Any]) -> str:
    """The route's parameters (path, query, header) and body fields, from its schema."""
    items = []
    for p in op.get("parameters", []):
        p = _resolve(openapi, p)
        schema = _resolve(openapi, p.get("schema", {}))
        items.append(
            _field(
                str(p.get("name", "")),
                str(p.get("in", "")),
                _type_of(openapi, schema),
                bool(p.get("required")),
                schema.get("default"),
                str(p.get("description") or schema.get("description") or ""),
            )
        )
    for media, content in op.get("requestBody", {}).get("content", {}).items():
        schema = _resolve(openapi, content.get("schema", {}))
        props = schema.get("properties") or {}
        if not props:
            items.append(_field("body", media, _type_of(openapi, schema), True, None, ""))
        for name, prop in props.items():
            prop = _resolve(openapi, prop)
            items.append(
                _field(
                    name,
                    f"body, {media}",
                    _type_of(openapi, prop),
                    name in schema.get("required", []),
                    prop.get("default"),
                    str(prop.get("description") or ""),
                )
            )
    return f"<ul class='params'>{''.join(items)}</ul>" if items else ""


def render_api_docs(openapi: dict[str, Any]) -> str:
    """A page listing every endpoint of ``openapi`` (method, path, summary, tag) with its
    parameters and body fields (name, where, type, required or default, description),
    offline."""
    rows = []
    for path, ops in sorted(openapi.get("paths", {}).items()):
        for method, op in ops.items():
            tag = ", ".join(op.get("tags", []))
            summary = op.get("summary") or ""
            desc = (op.get("description") or "").strip().split("\n\n")[0]
            desc = _ROLE.sub(r"\1", desc).replace("``", "")
            rows.append(
                f"<tr><td><code class='m-{html.escape(method)}'>{html.escape(method.upper())}"
                f"</code></td><td><code>{html.escape(path)}</code></td><td>{html.escape(tag)}"
                f"</td><td><b>{html.escape(summary)}</b><br><small>{html.escape(desc)}</small>"
                f"{_api_fields(openapi, op)}</td></tr>"
            )
    info = openapi.get("info", {})
    body = (
        f"<p class='lead'>{html.escape(info.get('title', 'micromix'))} "
        f"{html.escape(str(info.get('version', '')))} &middot; the machine-readable schema is "
        f"at <a href='/openapi.json'>/openapi.json</a>. Send the key as "
        f"<code>Authorization: Bearer &lt;key&gt;</code> or <code>X-API-Key</code>.</p>"
        f"<section class='card'><table class='api'><thead><tr><th>Method</th><th>Path</th>"
        f"<th>Tag</th><th>What it does</th></tr></thead><tbody>{''.join(rows)}</tbody>"
        f"</table></section>"
    )
    return _shell("docs", "API reference", body, who=False)
