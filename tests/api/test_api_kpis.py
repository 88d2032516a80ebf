"""``GET /api/v1/kpis``: KPI subsets, a stated currency, posts, notes and clear refusals."""

from __future__ import annotations

import pandas as pd
import pytest


def test_api_kpi_subset_matches_the_library(client, auth, service):
    from micromix.metrics import compute_kpis

    r = client.get("/api/v1/kpis?by=platform&kpis=ctr,cpa&currency=usd", headers=auth("viewer"))
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    assert set(rows[0]) == {"platform", "currency", "ctr", "cpa"}
    assert {row["currency"] for row in rows} == {"USD"}
    want = compute_kpis(service.store, by=["platform"], kpis="ctr,cpa", currency="USD")
    got = pd.DataFrame(rows)
    assert got["ctr"].tolist() == pytest.approx(want["ctr"].tolist(), nan_ok=True)


def test_api_kpis_for_posts_and_notes(client, auth):
    r = client.get("/api/v1/kpis?source=posts&by=platform", headers=auth("viewer"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"] == "posts" and {"emv", "engagement_rate_per_view"} <= set(body["rows"][0])
    r = client.get("/api/v1/kpis?source=ads&kpis=reach", headers=auth("viewer"))
    assert any("upper bound" in n for n in r.json()["notes"])


def test_api_unknown_kpi_is_a_422_with_one_sentence(client, auth):
    r = client.get("/api/v1/kpis?kpis=ctr,bogus", headers=auth("viewer"))
    assert r.status_code == 422 and "unknown KPI 'bogus'" in r.text
