"""The web dashboard served by ``micromix serve``: pages, styles and JavaScript, all local.

The pages are server-rendered HTML shells with small vanilla JavaScript; data comes from the
REST API with the key entered on the login page (kept in the tab's ``sessionStorage``). Charts
are Vega-Lite, drawn by the Vega / Vega-Lite / vega-embed bundle shipped with
``vl-convert-python`` and served from ``/static/vega.js`` — nothing loads from a CDN.

Quickstart
----------
>>> from micromix.dashboard import PAGES, render_page
>>> "overview" in PAGES
True
>>> "<nav" in render_page("overview")
True
"""

from __future__ import annotations

from micromix.dashboard.pages import (
    PAGES,
    render_api_docs,
    render_login,
    render_page,
    static_asset,
)

__all__ = ["PAGES", "render_api_docs", "render_login", "render_page", "static_asset"]
