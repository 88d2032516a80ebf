"""The micromix REST API (FastAPI): ``micromix serve`` runs it with the dashboard.

Quickstart
----------
>>> from fastapi.testclient import TestClient
>>> from micromix.api import Service, ServiceConfig, create_app
>>> from micromix.store import Store
>>> client = TestClient(create_app(Service(Store.open(":memory:"), ServiceConfig(demo=False))))
>>> client.get("/health").status_code
200
"""

from __future__ import annotations

from micromix.errors import require

require("fastapi", "serve")

from micromix.api.app import DOMAIN_ROUTERS, create_app, create_app_from_db  # noqa: E402
from micromix.api.keys import ROLES, KeyRecord, create_key, list_keys, revoke_key  # noqa: E402
from micromix.api.service import Service, ServiceConfig, seed_demo  # noqa: E402

__all__ = [
    "DOMAIN_ROUTERS",
    "ROLES",
    "KeyRecord",
    "Service",
    "ServiceConfig",
    "create_app",
    "create_app_from_db",
    "create_key",
    "list_keys",
    "revoke_key",
    "seed_demo",
]
