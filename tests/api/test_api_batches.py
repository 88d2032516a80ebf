"""Event batches validated in the worker process give the same answers as in the server.

``POST /api/v1/events`` parses and validates a large batch in a worker process
(:mod:`micromix.api.batches`); ``ingest_process_bytes=0`` sends every batch there and
``ingest_workers=0`` none, so the same requests can be compared on both paths.
"""

from __future__ import annotations

import os
import signal

import pytest

from micromix.api.batches import BatchValidator


def _mixed_batch(prefix: str) -> list[dict]:
    """Good rows and every kind of bad row the validator quarantines."""
    good = [
        {
            "event_id": f"{prefix}{i}",
            "ts": f"2026-04-0{1 + i % 9}T10:00:00Z",
            "user_id": f"u{i}",
            "event_type": "search",
            "query": "dog food near me",
            "cost": 0.5,
        }
        for i in range(40)
    ]
    bad = [
        {"event_id": {"a": 1}, "ts": "2026-04-01T00:00:00Z", "user_id": "u", "event_type": "x"},
        {"event_id": f"{prefix}b1", "ts": "today", "user_id": "u", "event_type": "search"},
        {"event_id": f"{prefix}b2", "ts": "0000-01-01T00:00:00Z", "user_id": "u"},
        {"event_id": f"{prefix}b3", "ts": "2026-04-01", "user_id": ["u"], "event_type": "search"},
        {
            "event_id": f"{prefix}b4",
            "ts": "2026-04-01",
            "user_id": "u",
            "event_type": "search",
            "cost": True,
        },
        {"event_id": f"{prefix}0", "ts": "2026-04-02", "user_id": "u", "event_type": "search"},
    ]
    return good[:20] + bad + good[20:]


def _post(client, key, body):
    return client.post(
        "/api/v1/events",
        content=body if isinstance(body, bytes) else None,
        json=None if isinstance(body, bytes) else body,
        headers={"X-API-Key": key, "Content-Type": "application/json"},
    )


def _stored(svc):
    events = svc.store.read("events").sort_values("event_id").reset_index(drop=True)
    q = svc.store.read("quarantine").sort_values("row").reset_index(drop=True)
    return events.drop(columns=["ingested_at"], errors="ignore"), q.drop(
        columns=["source", "ingested_at"]
    )


def test_the_worker_answers_and_stores_exactly_what_the_server_thread_does(fresh_app):
    answers, stores = [], []
    for config in ({"ingest_process_bytes": 0}, {"ingest_workers": 0}):
        client, svc = fresh_app(**config)
        key, _ = svc.keys.create("analyst")
        r = _post(client, key, _mixed_batch("m"))
        assert r.status_code == 200, r.text
        again = _post(client, key, _mixed_batch("m"))  # re-sending is a no-op
        assert again.json()["unchanged"] == again.json()["accepted"] == r.json()["accepted"]
        assert svc.batches.in_worker == (2 if config.get("ingest_process_bytes") == 0 else 0)
        answers.append({k: v for k, v in r.json().items() if k != "source"})
        stores.append(_stored(svc))
    assert answers[0] == answers[1]
    assert (answers[0]["accepted"], answers[0]["quarantined"]) == (40, 6)
    assert {t["field"] for t in answers[0]["top_reasons"]} >= {"event_id", "ts", "cost"}
    for a, b in zip(stores[0], stores[1]):
        assert a.equals(b)
    assert stores[0][0]["event_id"].is_unique and len(stores[0][0]) == 40


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        (b"[" * 100_000, 422, "nested deeper than 64 levels"),
        (b'{"events": 3}', 422, "send a JSON array of event objects"),
        (b"[]", 422, "the batch has no events"),
        (
            b'[{"event_id": "x"}, '
            + b'{"event_id": "y", "query": '
            + b"[" * 80
            + b"]" * 80
            + b"}]",
            422,
            "event 2, field 'query': nested deeper than 64",
        ),
        (
            b"[" + b", ".join(b'{"event_id": "r%d"}' % i for i in range(6)) + b"]",
            413,
            "the batch has 6 rows, over the limit of 5",
        ),
        (b'[{"event_id": "e", "ts": 1e400}', 422, "the body is not valid JSON"),
    ],
)
def test_a_refused_batch_gets_the_same_error_from_the_worker(fresh_app, body, status, needle):
    client, svc = fresh_app(ingest_process_bytes=0, max_rows=5)
    key, _ = svc.keys.create("analyst")
    r = _post(client, key, body)
    assert r.status_code == status, r.text
    assert needle in r.json()["message"]
    assert svc.batches.in_worker == 1
    assert svc.store.count("events") == 0


def test_a_dead_worker_is_replaced_and_no_batch_is_lost(fresh_app):
    client, svc = fresh_app(ingest_process_bytes=0)
    key, _ = svc.keys.create("analyst")
    assert _post(client, key, _mixed_batch("a")).status_code == 200
    pool = svc.batches._pool
    assert pool is not None
    for pid in list(pool._processes):  # the worker dies (OOM killer, kill -9)
        os.kill(pid, signal.SIGKILL)
    r = _post(client, key, _mixed_batch("b"))  # validated in the server thread meanwhile
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 40
    r = _post(client, key, _mixed_batch("c"))  # and a new worker takes the next one
    assert r.status_code == 200, r.text
    assert svc.batches._pool is not None and svc.batches._pool is not pool
    events = svc.store.read("events")
    assert len(events) == events["event_id"].nunique() == 120


def test_small_bodies_stay_in_the_calling_thread():
    v = BatchValidator(workers=1, min_bytes=1000)
    try:
        body = b'[{"event_id": "e", "ts": "2026-04-01", "user_id": "u", "event_type": ""}]'
        assert v.submit(body, max_rows=10, source="t") is None
        got = v.validate(body, max_rows=10, source="t")
        assert got.accepted is None and v.in_worker == 0 and v._pool is None
        assert got.result.quarantine["field"].tolist() == ["event_type"]
    finally:
        v.close()
    closed = BatchValidator(workers=1, min_bytes=0)
    closed.close()
    assert closed.submit(b"[]" * 10, max_rows=10, source="t") is None
