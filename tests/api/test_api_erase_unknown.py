"""`POST /api/v1/privacy/erase` treats an id no row holds as `micromix privacy erase` does:
refused (422, nothing written) unless `record_unknown` is true, and a repeat is a no-op
answered with `already_erased`."""

from __future__ import annotations

import pytest

from micromix.audience.datasets import make_audience

ROUTE = "/api/v1/privacy/erase"


@pytest.fixture()
def admin(fresh_app):
    """(client, admin headers, service) over a store holding a small audience."""
    client, svc = fresh_app(rate=0)
    svc.store.append("audience", make_audience(n=40, seed=2, refusal_rate=0, minor_rate=0))
    key = svc.keys.create("admin", name="test-erase")[0]
    return client, {"X-API-Key": key}, svc


def _erasures(svc) -> int:
    st = svc.store
    if not st.has_table("audit_log"):
        return 0
    return int((st.read("audit_log")["action"] == "erase").sum())


def test_api_refuses_an_unknown_id_naming_the_body_field(admin):
    client, h, svc = admin
    uid = str(svc.store.read("audience")["user_id"].iloc[0])
    r = client.post(ROUTE, json={"user_id": uid.upper()}, headers=h)  # ids match case included
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "invalid_parameter"
    assert f"no row in the store holds the id {uid.upper()!r}" in body["message"]
    assert "record_unknown=true" in body["message"]
    assert "--record-unknown" not in body["message"]  # the API's field, never the CLI's flag
    assert _erasures(svc) == 0


def test_api_records_an_unknown_id_when_asked_and_a_repeat_is_a_no_op(admin):
    client, h, svc = admin
    r = client.post(ROUTE, json={"user_id": "u-not-yet", "record_unknown": True}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["audited"] is True and r.json()["total"] == 0
    assert r.json()["already_erased"] is False
    assert _erasures(svc) == 1
    again = client.post(ROUTE, json={"user_id": "u-not-yet"}, headers=h)
    assert again.status_code == 200, again.text
    assert again.json()["already_erased"] is True and again.json()["audited"] is False
    assert _erasures(svc) == 1


def test_api_erases_a_known_id_once(admin):
    client, h, svc = admin
    uid = str(svc.store.read("audience")["user_id"].iloc[3])
    r = client.post(ROUTE, json={"user_id": uid}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["deleted"]["audience"] == 1 and r.json()["already_erased"] is False
    again = client.post(ROUTE, json={"user_id": uid}, headers=h)
    assert again.status_code == 200 and again.json()["already_erased"] is True
    assert _erasures(svc) == 1


def test_api_refuses_a_blank_id_in_the_apis_terms(admin):
    client, h, svc = admin
    r = client.post(ROUTE, json={"user_id": "   "}, headers=h)
    assert r.status_code == 422, r.text
    assert "user_id" in r.json()["message"] and "USER_ID" not in r.json()["message"]
    assert _erasures(svc) == 0


def test_api_schema_documents_record_unknown(admin):
    client, _, _ = admin
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ErasureRequest"]
    field = schema["properties"]["record_unknown"]
    assert field["type"] == "boolean" and field["default"] is False
    assert "422" in field["description"]
