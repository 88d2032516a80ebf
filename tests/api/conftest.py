"""Fixtures for the service tests: a small seeded simulated market behind the app."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="fastapi is not installed (micromix[serve])")


@pytest.fixture(scope="session")
def api_store():
    from micromix.api import seed_demo
    from micromix.store import Store

    st = Store.open(":memory:")
    seed_demo(st, users=2_500, days=56, seed=4)
    yield st
    st.close()


@pytest.fixture(scope="session")
def service(api_store):
    from micromix.api import Service, ServiceConfig

    svc = Service(api_store, ServiceConfig(demo=False, rate=0))
    yield svc
    svc.batches.close()


@pytest.fixture(scope="session")
def keys(service):
    return {
        role: service.keys.create(role, name=f"test-{role}")[0]
        for role in ("viewer", "analyst", "admin")
    }


@pytest.fixture(scope="session")
def app(service):
    from micromix.api import create_app

    return create_app(service)


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture()
def auth(keys):
    def headers(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[role]}"}

    return headers


@pytest.fixture()
def fresh_app():
    """Factory: ``(client, service)`` over an empty in-memory store with config overrides."""
    from fastapi.testclient import TestClient

    from micromix.api import Service, ServiceConfig, create_app
    from micromix.store import Store

    made = []

    def make(**config):
        svc = Service(Store.open(":memory:"), ServiceConfig(demo=False, **config))
        made.append(svc)
        return TestClient(create_app(svc), raise_server_exceptions=False), svc

    yield make
    for svc in made:
        svc.close()  # its batch worker and refresh threads (the store is the test's)
        svc.store.close()
