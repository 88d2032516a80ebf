"""Dashboard routes: the HTML pages, their static assets (served locally) and the API docs page.

The pages are shells without data: they ask for an API key on ``/login`` (kept in the tab's
``sessionStorage``) and fetch everything from ``/api/v1`` with it, so the same key rules apply.

Quickstart
----------
>>> from micromix.api.routers.ui import router
>>> "/login" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from micromix.api.errors import ApiError

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_CACHE = {"Cache-Control": "public, max-age=3600"}
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@router.get("/")
def index() -> RedirectResponse:
    return RedirectResponse("/ui/overview", status_code=307)


@router.get("/login")
def login() -> HTMLResponse:
    from micromix.dashboard import render_login

    return HTMLResponse(render_login(), headers=_PAGE_HEADERS)


@router.get("/ui/{page}")
def page(page: str) -> HTMLResponse:
    from micromix.dashboard import PAGES, render_page

    if page not in PAGES:
        raise ApiError(404, "not_found", f"no dashboard page {page!r}; pages: {', '.join(PAGES)}")
    return HTMLResponse(render_page(page), headers=_PAGE_HEADERS)


@router.get("/static/{name}")
def static(name: str) -> Response:
    from micromix.dashboard import static_asset

    found = static_asset(name)
    if found is None:
        raise ApiError(404, "not_found", f"no static asset {name!r}")
    body, media = found
    return Response(body, media_type=media, headers={**_CACHE, "X-Content-Type-Options": "nosniff"})


@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    """Every endpoint of the OpenAPI schema, rendered locally (no CDN)."""
    from micromix.dashboard import render_api_docs

    return HTMLResponse(render_api_docs(request.app.openapi()), headers=_PAGE_HEADERS)
