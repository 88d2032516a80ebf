"""The audience routes never guess an amount: the value of one conversion, the budget and the
cost per contact are the request's, else what the store's own data implies (said in
``value_from``, ``budget_from``, ``cost_from``), else a 422 naming the field to pass.

Before: ``value_per_conversion`` defaulted to 45.0 (the simulator's order value), ``budget`` to
2,000 and ``cost_per_contact`` to 0.5, silently, and the micro rule contacts a person only when
uplift x value - cost > 0, so who was exported rested on invented numbers.
"""

from __future__ import annotations

import pytest

AMOUNTS = ("value_per_conversion", "budget", "cost_per_contact")
FROM = {
    "value_per_conversion": "value_from",
    "budget": "budget_from",
    "cost_per_contact": "cost_from",
}


def _implied(store) -> dict[str, float]:
    """The amounts computed by hand from the store's frames (pandas, not the code under test)."""
    exp = store.read("experiments")
    largest = exp["experiment_id"].value_counts().idxmax()
    e = exp[exp["experiment_id"] == largest]
    converted = e["conversions"].fillna(0) > 0
    ev = store.read("events")
    micro = ev[ev["targeting"] == "micro"]
    spend = float(micro["cost"].sum())
    reach = micro.loc[micro["event_type"] == "impression", "user_id"].nunique()
    return {
        "value_per_conversion": round(
            float(e.loc[converted, "revenue"].sum()) / converted.sum(), 2
        ),
        "budget": round(spend, 2),
        "cost_per_contact": round(spend / reach, 4),
    }


def test_inputs_say_what_the_store_implies_and_where_it_comes_from(client, auth, api_store):
    r = client.get("/api/v1/audience/inputs", headers=auth("analyst"))
    assert r.status_code == 200, r.text
    got = r.json()
    want = _implied(api_store)
    for name in AMOUNTS:
        assert got[name] == pytest.approx(want[name]), (name, got)
        assert got[FROM[name]] == "store", got
    notes = got["input_notes"]
    assert "revenue per converting person in holdout" in notes["value_per_conversion"]
    assert "microtargeted spend" in notes["budget"]
    assert "people it reached" in notes["cost_per_contact"]
    # a viewer builds no audience, so it is not told what one would cost either
    assert client.get("/api/v1/audience/inputs", headers=auth("viewer")).status_code == 403


def test_check_left_without_amounts_uses_the_store_and_says_so(client, auth, api_store):
    a = auth("analyst")
    r = client.post("/api/v1/audience/check", json={}, headers=a)
    assert r.status_code == 200, r.text
    body = r.json()
    want = _implied(api_store)
    assert {body[FROM[n]] for n in AMOUNTS} == {"store"}, body
    assert body["value_per_conversion"] == pytest.approx(want["value_per_conversion"])
    # the micro audience is bought with the store's budget at the store's cost per contact
    assert body["summary"]["cost"] <= want["budget"] + 1e-9, body["summary"]
    given = {"value_per_conversion": 30.0, "budget": 500.0, "cost_per_contact": 0.25}
    r = client.post("/api/v1/audience/check", json={**given, "budget": None}, headers=a)
    body = r.json()
    assert (body["value_from"], body["budget_from"], body["cost_from"]) == (
        "given",
        "store",
        "given",
    ), body
    assert body["value_per_conversion"] == 30.0 and body["cost_per_contact"] == 0.25
    assert body["input_notes"]["value_per_conversion"] == "value_per_conversion 30: given"


@pytest.fixture(scope="module")
def silent_store():
    """A store whose holdout records no revenue and which has no events: it cannot say what a
    conversion is worth, nor a budget or a cost per contact."""
    from micromix.simulate import SimConfig, simulate

    tables = simulate(SimConfig(users=300, days=10, seed=9)).tables()
    return {
        "experiments": tables["experiments"].assign(revenue=None),
        "audience": tables["audience"],
    }


def test_a_store_that_cannot_say_an_amount_is_refused_naming_it(fresh_app, silent_store):
    client, svc = fresh_app()
    for name, frame in silent_store.items():
        svc.store.append(name, frame)
    key, _ = svc.keys.create("analyst")
    h = {"X-API-Key": key}
    got = client.get("/api/v1/audience/inputs", headers=h).json()
    for name in AMOUNTS:
        assert got[name] is None and got[FROM[name]] is None, got
        assert got["input_notes"][name].startswith(f"pass {name}: "), got
    assert (
        "records no revenue for its converting people" in got["input_notes"]["value_per_conversion"]
    )
    assert "the store has no events" in got["input_notes"]["budget"]
    for path in ("/api/v1/audience/check", "/api/v1/audience/export"):
        r = client.post(path, json={}, headers=h)
        assert r.status_code == 422, (path, r.text)
        message = r.json()["message"]
        for name in AMOUNTS:
            assert f"pass {name}: " in message, message
        assert "45" not in message and "Traceback" not in message
    # one amount still missing: only it is named
    r = client.post(
        "/api/v1/audience/check", json={"budget": 300, "cost_per_contact": 0.2}, headers=h
    )
    assert r.status_code == 422, r.text
    message = r.json()["message"]
    assert message.startswith("pass value_per_conversion: the uplift is in 'converted'"), message
    assert "pass budget" not in message
    # all given: built on the user's numbers, and said so
    given = {"value_per_conversion": 20, "budget": 300, "cost_per_contact": 0.2}
    r = client.post("/api/v1/audience/check", json=given, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert {body[FROM[n]] for n in AMOUNTS} == {"given"}, body
    assert body["exportable"], body
    # the export's audit record says where the amounts came from
    r = client.post("/api/v1/audience/export", json=given, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["budget_from"] == "given"
    log = svc.store.read("audit_log")
    assert '"value_from": "given"' in log["details"].iloc[-1], log["details"].iloc[-1]
