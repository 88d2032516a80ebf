"""The dashboard's HTML and assets, without a browser."""

from __future__ import annotations

import re

import pytest

from micromix.dashboard import PAGES, render_api_docs, render_login, render_page, static_asset


@pytest.mark.parametrize("slug", list(PAGES))
def test_dashboard_pages_are_local_and_responsive(slug):
    page = render_page(slug)
    assert '<meta name="viewport"' in page
    assert f'data-page="{slug}"' in page
    srcs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert srcs and all(s.startswith(("/", "data:")) for s in srcs), srcs  # nothing remote
    for other in PAGES:
        assert f'href="/ui/{other}"' in page  # navigation to every page


def test_dashboard_unknown_page_raises():
    with pytest.raises(KeyError, match="no dashboard page"):
        render_page("nope")


def test_dashboard_login_never_sends_the_key_in_a_url():
    page = render_login()
    assert 'type="password"' in page and "sessionStorage" not in page  # JS handles storage
    js, media = static_asset("app.js")
    assert media.startswith("text/javascript")
    text = js.decode()
    assert "sessionStorage" in text and "Authorization" in text
    assert "?key=" not in text and "api_key=" not in text
    assert "http://" not in text and "https://" not in text.replace(
        "https://vega.github.io/schema", ""
    )


def test_dashboard_vega_bundle_is_served_from_the_package():
    js, media = static_asset("vega.js")
    assert media.startswith("text/javascript")
    assert b"vegaEmbed" in js and len(js) > 100_000
    assert static_asset("../pages.py") is None and static_asset("nope.js") is None


def test_dashboard_api_docs_lists_paths_and_escapes():
    spec = {
        "info": {"title": "micromix", "version": "1"},
        "paths": {
            "/api/v1/kpis": {"get": {"summary": "KPIs <by>", "tags": ["kpis"]}},
            "/api/v1/events": {"post": {"summary": "Ingest", "description": "Body.\n\nMore."}},
        },
    }
    html = render_api_docs(spec)
    assert "/api/v1/kpis" in html and "/api/v1/events" in html
    assert "KPIs &lt;by&gt;" in html and "<by>" not in html
    assert html.count("<tr>") == 3


def test_login_and_401_name_the_servers_own_way_to_a_key():
    """'micromix keys create' cannot open a store that 'micromix serve' holds: the login page
    and the 401 answer name POST /api/v1/keys (an admin key) first."""
    from fastapi.testclient import TestClient

    from micromix.api import Service, ServiceConfig, create_app
    from micromix.store import Store

    assert "POST /api/v1/keys" in render_login()
    store = Store.open(":memory:")
    try:
        with TestClient(create_app(Service(store, ServiceConfig(demo=False, rate=0)))) as client:
            r = client.get("/api/v1/status")
        assert r.status_code == 401
        message = r.json()["message"]
        assert "POST /api/v1/keys" in message and "admin key" in message, message
        assert "micromix keys create" not in message
    finally:
        store.close()
