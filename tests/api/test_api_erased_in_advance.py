"""Over the API, a person erased in advance (`record_unknown: true`) stays out of file uploads
and `POST /api/v1/events`, and recording them again writes no second audit record (r30a)."""

from __future__ import annotations

import io

import pytest

LATE = "late_person_1"
ERASE = "/api/v1/privacy/erase"


@pytest.fixture()
def api(fresh_app):
    """(client, service, admin headers, analyst headers) over an empty real store with LATE
    erased in advance."""
    client, svc = fresh_app(rate=0)
    admin = {"X-API-Key": svc.keys.create("admin", name="t-erase")[0]}
    analyst = {"X-API-Key": svc.keys.create("analyst", name="t-ingest")[0]}
    r = client.post(ERASE, json={"user_id": LATE, "record_unknown": True}, headers=admin)
    assert r.status_code == 200 and r.json()["audited"] is True, r.text
    return client, svc, admin, analyst


def _erasures(svc) -> int:
    log = svc.store.read("audit_log")
    return int((log["action"] == "erase").sum())


def _stored_ids(svc) -> set[str]:
    st = svc.store
    return set(st.read("events")["user_id"]) if st.has_table("events") else set()


def test_an_uploaded_file_leaves_the_erased_person_out(api):
    client, svc, _, analyst = api
    csv = (
        "event_id,ts,user_id,event_type,platform,device,cost\n"
        f"e1,2026-03-02 00:00:00,{LATE},impression,tiktok,mobile,0.005\n"
        f"e2,2026-03-02 00:01:00,{LATE},not-a-type,tiktok,mobile,0.005\n"
        "e3,2026-03-02 00:02:00,other,impression,tiktok,mobile,0.005\n"
    )
    r = client.post(
        "/api/v1/ingest/events",
        headers=analyst,
        files={"file": ("late.csv", io.BytesIO(csv.encode()), "text/csv")},
    )
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["rows_in_file"], rep["accepted"], rep["erased"]) == (3, 1, 2), rep
    assert any("2 row(s) of people erased before" in n for n in rep["notes"])
    assert _stored_ids(svc) == {"other"}
    q = svc.store.read("quarantine") if svc.store.has_table("quarantine") else None
    assert q is None or not q["record"].astype(str).str.contains(LATE).any()


def test_posted_events_leave_the_erased_person_out(api):
    client, svc, _, analyst = api
    batch = [
        {"event_id": f"b{i}", "ts": "2026-03-10T12:00:00Z", "user_id": u,
         "event_type": "impression", "platform": "instagram", "device": "tablet", "cost": 0.01}
        for i, u in enumerate([LATE, "x1", LATE, "x2"])
    ]  # fmt: skip
    r = client.post("/api/v1/events", json={"events": batch}, headers=analyst)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["accepted"], rep["erased"], rep["inserted"]) == (2, 2, 2), rep
    assert rep["notes"] and "2 row(s) of people erased before" in rep["notes"][0]
    assert _stored_ids(svc) == {"x1", "x2"}


def test_recording_an_erased_person_again_is_a_no_op(api):
    client, svc, admin, _ = api
    assert _erasures(svc) == 1
    r = client.post(ERASE, json={"user_id": LATE, "record_unknown": True}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["already_erased"] is True and r.json()["audited"] is False
    assert _erasures(svc) == 1
