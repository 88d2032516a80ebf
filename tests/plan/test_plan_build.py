"""The plan from a store: its JSON contract, the truth on simulated data, the CLI and the API."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.plan import ACTION_KINDS, Plan, make_plan
from micromix.plan.truth import true_strategy_response
from micromix.store import Store

runner = CliRunner()
ALLOCATION_KEYS = {
    "strategy",
    "current_spend",
    "recommended_spend",
    "expected_incremental_revenue",
    "low",
    "high",
}
ACTION_KEYS = {"kind", "what", "why", "evidence", "confidence"}
TRUTH_KEYS = {
    "current_incremental_revenue",
    "recommended_incremental_revenue",
    "optimal_incremental_revenue",
}


@pytest.fixture(scope="module")
def market():
    from micromix.simulate import SimConfig, simulate

    return simulate(SimConfig(users=6_000, days=42, seed=21))


@pytest.fixture(scope="module")
def db(market, tmp_path_factory):
    from micromix.ingest.market import load_market

    path = tmp_path_factory.mktemp("plan") / "m.duckdb"
    with Store.open(path) as st:
        load_market(st, market)
    return path


@pytest.fixture(scope="module")
def plan(db) -> Plan:
    with Store.open(db, read_only=True) as st:
        return make_plan(st, n_boot=40, seed=3)


def test_the_json_object_has_the_contract_shape(plan):
    d = plan.to_dict()
    assert {"allocation", "expected_gain", "expected_gain_low", "expected_gain_high"} <= set(d)
    assert {"actions", "truth"} <= set(d)
    assert {r["strategy"] for r in d["allocation"]} == {
        "paid_social",
        "ugc_amplified",
        "influencer",
    }
    for row in d["allocation"]:
        assert set(row) >= ALLOCATION_KEYS
        assert row["low"] <= row["expected_incremental_revenue"] <= row["high"]
    total = sum(r["recommended_spend"] for r in d["allocation"])
    assert total == pytest.approx(sum(r["current_spend"] for r in d["allocation"]))
    kinds = {a["kind"] for a in d["actions"]}
    assert kinds <= set(ACTION_KINDS) and {"reallocate", "respond"} <= kinds
    for a in d["actions"]:
        assert set(a) >= ACTION_KEYS and a["confidence"] in {"high", "medium", "low"}
        assert a["what"] and a["why"] and a["evidence"]
    assert set(d["truth"]) >= TRUTH_KEYS
    # JSON without NaN: an undefined figure is null
    text = json.dumps(d, allow_nan=False)
    assert "NaN" not in text
    assert d["expected_gain_low"] <= d["expected_gain"] <= d["expected_gain_high"]


def test_the_truth_is_the_simulators_and_the_plan_does_not_lose_revenue(plan, db):
    t = plan.truth
    assert t is not None
    tol = 1e-6 * t.current_incremental_revenue
    assert t.optimal_incremental_revenue >= t.current_incremental_revenue - tol
    assert t.optimal_incremental_revenue >= t.recommended_incremental_revenue - tol
    assert t.recommended_incremental_revenue >= t.current_incremental_revenue - tol
    r = plan.reallocation
    with Store.open(db, read_only=True) as st:
        true = true_strategy_response(st, horizon_days=r.horizon_days)
    assert true is not None
    x = [r.current[r.strategies.index(s)] for s in true.channels]
    assert float(true.response(x)) == pytest.approx(t.current_incremental_revenue)
    assert r.horizon_days == 42


def test_real_data_has_no_truth(market):
    st = Store.open(":memory:")
    for name, table in market.tables().items():  # everything but the simulator's config
        st.append(name, table)
    p = make_plan(st, n_boot=20)
    assert p.truth is None and "truth" not in p.to_dict()
    assert "Simulated data" not in p.headline()


def test_cli_prints_the_plan_and_the_same_json(db, plan):
    res = runner.invoke(app, ["plan", "--db", str(db), "--json", "--n-boot", "40", "--seed", "3"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["allocation"] == json.loads(json.dumps(plan.to_dict()["allocation"]))
    res = runner.invoke(app, ["plan", "--db", str(db), "--n-boot", "40", "--seed", "3"])
    assert res.exit_code == 0, res.output
    assert "Plan" in res.stdout and "simulator truth" in res.stdout
    assert "Simulated data" in res.stdout


def test_cli_budget_is_planned_and_bad_input_is_one_sentence(db, tmp_path):
    res = runner.invoke(
        app, ["plan", "--db", str(db), "--json", "--budget", "2000", "--n-boot", "20"]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["budget"] == pytest.approx(2000.0)
    assert sum(r["recommended_spend"] for r in d["allocation"]) == pytest.approx(2000.0)
    res = runner.invoke(app, ["plan", "--db", str(db), "--budget", "-5"])
    assert res.exit_code != 0 and "Traceback" not in res.output and "budget" in res.output
    empty = tmp_path / "empty.duckdb"
    Store.open(empty).close()
    res = runner.invoke(app, ["plan", "--db", str(empty)])
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert "no events" in res.output


def test_api_serves_the_plan(db):
    pytest.importorskip("fastapi", reason="fastapi is not installed (micromix[serve])")
    from fastapi.testclient import TestClient

    from micromix.api import Service, ServiceConfig, create_app

    svc = Service(Store.open(db, read_only=True), ServiceConfig(demo=False, rate=0))
    key = svc.keys.create("viewer", name="plan-test")[0] if not svc.store.read_only else None
    client = TestClient(create_app(svc), raise_server_exceptions=False)
    assert client.get("/api/v1/plan").status_code == 401
    if key is None:  # a read-only store cannot hold keys: plan over a writable copy instead
        st = Store.open(":memory:")
        with Store.open(db, read_only=True) as src:
            for name in src.tables():
                st.append(name, src.read(name))
        svc = Service(st, ServiceConfig(demo=False, rate=0))
        key = svc.keys.create("viewer", name="plan-test")[0]
        client = TestClient(create_app(svc), raise_server_exceptions=False)
    res = client.get("/api/v1/plan?n_boot=20", headers={"Authorization": f"Bearer {key}"})
    assert res.status_code == 200, res.text
    d = res.json()
    assert set(d["allocation"][0]) >= ALLOCATION_KEYS and set(d["truth"]) >= TRUTH_KEYS
    assert not math.isnan(d["expected_gain"])
    bad = client.get("/api/v1/plan?budget=-1", headers={"Authorization": f"Bearer {key}"})
    assert bad.status_code == 422


def test_an_actions_why_reads_as_sentences_before_its_evidence():
    """The report and the dashboard print "Why: <why> Evidence: <evidence>."."""
    from micromix.plan import Action

    bare = Action(
        kind="respond", what="x", why="92 searches (score 15.4)", evidence="e", confidence="high"
    )
    assert bare.why == "92 searches (score 15.4)."
    done = Action(
        kind="respond", what="x", why="Already a sentence. ", evidence="e", confidence="high"
    )
    assert done.why == "Already a sentence."
