"""The service's bookkeeping tables (API keys, audit log, demo mark, the erasure key) are one
list in the store, and no listing of the user's data shows them - least of all the secret
erasure key, which a right-to-erasure request writes into the store."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.store import BOOKKEEPING_TABLES, SECRET_TABLES, Store, user_tables

runner = CliRunner()


def _erased_store(path: str) -> Store:
    """A store with a little audience and one person erased (so ``erasure_key`` exists)."""
    from micromix.audience.privacy import ERASURE_KEY_TABLE, erase_user

    st = Store.open(path)
    st.append("audience", pd.DataFrame({"user_id": ["u1", "u2", "u3"], "age": [30, 41, 52]}))
    erase_user(st, "u2")
    assert st.has_table(ERASURE_KEY_TABLE) and st.count(ERASURE_KEY_TABLE) == 1
    return st


def test_the_owning_modules_name_the_stores_bookkeeping_tables():
    from micromix.api.audit import AUDIT_TABLE as API_AUDIT
    from micromix.api.keys import KEY_TABLE
    from micromix.api.service import DEMO_TABLE, SERVICE_TABLES
    from micromix.audience.privacy import AUDIT_TABLE, ERASURE_KEY_TABLE

    assert {KEY_TABLE, API_AUDIT, AUDIT_TABLE, DEMO_TABLE, ERASURE_KEY_TABLE} == set(
        BOOKKEEPING_TABLES
    )
    assert set(SERVICE_TABLES) == set(BOOKKEEPING_TABLES)
    assert {KEY_TABLE, ERASURE_KEY_TABLE} == SECRET_TABLES


def test_user_tables_leaves_out_secrets_then_all_bookkeeping():
    names = ["events", "erasure_key", "api_keys", "audit_log", "service_meta", "_hidden"]
    assert user_tables(names) == sorted(names)  # a store's own table list keeps them all
    assert user_tables(names, without="secret") == ["audit_log", "events", "service_meta"]
    assert user_tables(names, without="bookkeeping") == ["events"]


def test_quality_row_counts_leave_out_the_erasure_key():
    from micromix.store.quality import quality_report

    st = _erased_store(":memory:")
    counts = quality_report(st).row_counts
    assert "audience" in set(counts["table"])
    assert not set(counts["table"]) & set(BOOKKEEPING_TABLES), counts
    st.close()


def test_clv_message_lists_data_tables_not_the_erasure_key():
    from micromix.clv.data import transactions_from_store
    from micromix.errors import StoreError

    st = _erased_store(":memory:")
    with pytest.raises(StoreError) as err:
        transactions_from_store(st)
    msg = str(err.value)
    assert "audience row(s)" in msg
    assert "erasure_key" not in msg and "audit_log" not in msg
    st.close()


def test_export_refuses_the_erasure_key_and_lists_no_secret(tmp_path):
    db = str(tmp_path / "e.duckdb")
    _erased_store(db).close()
    r = runner.invoke(app, ["export", "erasure_key", "--db", db])
    assert r.exit_code != 0 and "secret key of the erasure audit" in r.output
    assert "Traceback" not in r.output
    listed = runner.invoke(app, ["export", "nosuch", "--db", db])
    assert listed.exit_code != 0 and "export one of" in listed.output
    assert "erasure_key" not in listed.output and "audience" in listed.output
    assert "audit_log" in listed.output  # the erasure records themselves may be exported


def test_api_status_counts_no_bookkeeping_table():
    pytest.importorskip("fastapi", reason="fastapi is not installed (micromix[serve])")
    from fastapi.testclient import TestClient

    from micromix.api import Service, ServiceConfig, create_app

    st = _erased_store(":memory:")
    st.replace("service_meta", pd.DataFrame([{"key": "note", "value": "kept by the service"}]))
    svc = Service(st, ServiceConfig(demo=False, rate=0))
    key = svc.keys.create("viewer", name="status")[0]
    try:
        with TestClient(create_app(svc), raise_server_exceptions=False) as client:
            body = client.get("/api/v1/status", headers={"Authorization": f"Bearer {key}"})
            assert body.status_code == 200, body.text
            tables = body.json()["tables"]
        assert tables.get("audience") == 2
        assert not set(tables) & set(BOOKKEEPING_TABLES), tables
        assert "erasure_key" not in body.text
        # the fitted-model stamp counts data tables only
        assert not set(svc.data_fingerprint()) & set(BOOKKEEPING_TABLES)
    finally:
        svc.close()
        st.close()
