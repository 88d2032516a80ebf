"""Hostile uploads over the API: a cut UTF-16 export is a quarantined row (was HTTP 500), an
unknown layout is worded for the API, and two exports in one file are refused (HTTP 422)."""

from __future__ import annotations

import io
from pathlib import Path

META = (Path(__file__).parents[1] / "ingest" / "fixtures" / "meta_ads_export.csv").read_text(
    encoding="utf-8"
)


def _upload(client, key, data: bytes, **params):
    return client.post(
        "/api/v1/ingest/ads",
        params=params,
        headers={"X-API-Key": key},
        files={"file": ("meta.csv", io.BytesIO(data), "text/csv")},
    )


def test_hostile_uploads_are_answered_not_crashed(fresh_app):
    client, svc = fresh_app()
    key, _ = svc.keys.create("analyst")
    r = _upload(client, key, META.encode("utf-16")[:-1])
    assert r.status_code == 200, r.text
    assert (r.json()["accepted"], r.json()["quarantined"]) == (5, 1)
    r = _upload(client, key, (META + META).encode(), on_overlap="replace")
    assert r.status_code == 422 and "export twice" in r.json()["message"]
    r = _upload(client, key, META.encode(), layout="nope")
    assert r.status_code in (400, 422)
    assert "unknown layout 'nope' for the layout parameter" in r.json()["message"]
