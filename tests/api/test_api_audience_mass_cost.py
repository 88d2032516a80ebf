"""The API prices mass reach on its own, as the CLI does (``--mass-cost-per-contact``).

Before: ``AudienceRequest`` had no ``mass_cost_per_contact``; a mass or hybrid audience was
bought at the microtargeted cost per contact (the field was ignored when sent), so the API
bought ten times fewer mass contacts than ``audience target --policy mass`` for the same budget.
"""

from __future__ import annotations

import pytest


def _mass_cost_by_hand(store) -> float:
    """Mass spend over the people it reached, from the store's frames (pandas)."""
    ev = store.read("events")
    mass = ev[ev["targeting"] == "mass"]
    reach = mass.loc[mass["event_type"] == "impression", "user_id"].nunique()
    return round(float(mass["cost"].sum()) / reach, 4)


def test_a_given_mass_cost_buys_the_mass_contacts(client, auth):
    a = auth("analyst")
    base = {"value_per_conversion": 30.0, "budget": 20.0, "cost_per_contact": 0.5}
    r = client.post(
        "/api/v1/audience/check",
        json={**base, "policy": "mass", "mass_cost_per_contact": 0.05},
        headers=a,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["exportable"], body
    assert body["mass_cost_per_contact"] == 0.05 and body["mass_cost_from"] == "given"
    # 20 / 0.05 = 400 mass contacts (at the micro price of 0.5 it would be 40)
    assert body["summary"]["contacts"] == 400, body["summary"]
    assert body["summary"]["cost"] == pytest.approx(20.0)


def test_mass_cost_left_out_is_the_stores_and_says_so(client, auth, api_store):
    r = client.get("/api/v1/audience/inputs", headers=auth("analyst"))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["mass_cost_from"] == "store", got
    assert got["mass_cost_per_contact"] == pytest.approx(_mass_cost_by_hand(api_store))
    assert "mass-targeted spend" in got["input_notes"]["mass_cost_per_contact"]


def test_mass_cost_of_a_negative_amount_is_refused(client, auth):
    r = client.post(
        "/api/v1/audience/check",
        json={"policy": "mass", "mass_cost_per_contact": -1},
        headers=auth("analyst"),
    )
    assert r.status_code == 422, r.text
    assert "mass_cost_per_contact" in r.text
