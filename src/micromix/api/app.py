"""The FastAPI application behind ``micromix serve``.

Quickstart
----------
>>> from fastapi.testclient import TestClient
>>> from micromix.api import ServiceConfig, create_app
>>> from micromix.api.service import Service
>>> from micromix.store import Store
>>> svc = Service(Store.open(":memory:"), ServiceConfig(demo=False))
>>> client = TestClient(create_app(svc))
>>> client.get("/health").json()
{'status': 'ok'}
>>> client.get("/api/v1/kpis").status_code
401
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from micromix import __version__
from micromix.api.errors import install_error_handlers
from micromix.api.security import BodyLimitMiddleware
from micromix.api.service import Service, ServiceConfig

__all__ = ["DOMAIN_ROUTERS", "create_app", "create_app_from_db"]

#: ``(router module, library package it needs)``: a router is mounted only when its package exists
DOMAIN_ROUTERS: tuple[tuple[str, str], ...] = (
    ("micromix.api.routers.moments", "micromix.moments"),
    ("micromix.api.routers.social", "micromix.social"),
    ("micromix.api.routers.creators", "micromix.influencers"),
    ("micromix.api.routers.audience", "micromix.audience"),
    ("micromix.api.routers.measurement", "micromix.measurement"),
    ("micromix.api.routers.plan", "micromix.plan"),
)

_DESCRIPTION = """
The micromix service: KPIs, strategy comparisons, micro-moments, listening and user content,
creators, audiences with privacy guardrails, experiments, the mix model and the budget optimizer,
and reports, over one store that the server owns while it runs.

**Keys.** Every route except `/health` needs an API key (`Authorization: Bearer <key>` or
`X-API-Key`). Roles: *viewer* reads; *analyst* also ingests, fits models and builds audiences;
*admin* also manages keys and erases people. Errors are JSON: `{"error", "message", "status"}`.
"""


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def create_app(service: Service, *, close_on_shutdown: bool = False) -> FastAPI:
    """Build the application around ``service``.

    Parameters
    ----------
    service : Service
        The store and its state.
    close_on_shutdown : bool
        Close the store when the application stops.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if close_on_shutdown:
            service.close()

    app = FastAPI(
        title="micromix",
        version=__version__,
        description=_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=service.config.max_body_bytes)

    from micromix.api.routers import admin, core, ui

    app.include_router(core.router)
    app.include_router(admin.router)
    mounted: list[str] = []
    for module, package in DOMAIN_ROUTERS:
        if _available(package) and _available(module):
            app.include_router(importlib.import_module(module).router)
            mounted.append(package.rsplit(".", 1)[-1])
    app.state.mounted = mounted
    if _available("micromix.dashboard"):
        app.include_router(ui.router)
    _document_keys(app)
    return app


def _document_keys(app: FastAPI) -> None:
    """Declare the two ways to send a key in the OpenAPI schema (every path but /health)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
        for path, ops in schema.get("paths", {}).items():
            if path != "/health":
                for op in ops.values():
                    op["security"] = [{"bearer": []}, {"apiKey": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app_from_db(db: str, config: ServiceConfig | None = None) -> FastAPI:
    """Open ``db`` (seeding demo data into an empty store by default) and build the app."""
    service = Service.open(db, config=config)
    return create_app(service, close_on_shutdown=True)
