"""``micromix keys ...`` and ``micromix serve`` through the CLI (no traceback on bad input)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()


def test_api_cli_keys_create_list_revoke(tmp_path):
    db = str(tmp_path / "k.duckdb")
    r = runner.invoke(
        app, ["keys", "create", "--role", "viewer", "--name", "laptop", "--db", db, "--json"]
    )
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)
    assert made["key"].startswith("mmx_") and made["role"] == "viewer"
    listed = json.loads(runner.invoke(app, ["keys", "list", "--db", db, "--json"]).stdout)
    assert [k["key_id"] for k in listed] == [made["key_id"]]
    assert made["key"] not in json.dumps(listed)
    assert runner.invoke(app, ["keys", "revoke", made["key_id"], "--db", db]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["keys", "list", "--db", db, "--json"]).stdout)
    assert listed[0]["revoked"] is True


def test_api_cli_bad_input_is_one_clear_line(tmp_path):
    db = str(tmp_path / "k.duckdb")
    r = runner.invoke(app, ["keys", "create", "--role", "root", "--db", db])
    assert r.exit_code != 0
    assert "unknown role 'root'" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["keys", "revoke", "abcdef123456", "--db", db])
    assert r.exit_code != 0 and "no API key" in r.output
    r = runner.invoke(app, ["serve", "--db", str(tmp_path / "missing" / "x.duckdb")])
    assert r.exit_code != 0 and "does not exist" in r.output and "Traceback" not in r.output


def test_api_cli_serve_seeds_demo_and_prints_an_admin_key(tmp_path, monkeypatch):
    import uvicorn

    import micromix.api.service as service_mod

    seen = {}

    def fake_run(app_, host, port, log_level):
        seen.update(app=app_, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setattr(service_mod, "DEMO_USERS", 600)
    monkeypatch.setattr(service_mod, "DEMO_DAYS", 14)
    db = str(tmp_path / "s.duckdb")
    r = runner.invoke(app, ["serve", "--db", db, "--port", "8123", "--no-warm"])
    assert r.exit_code == 0, r.output
    assert "created an admin key" in r.output and "mmx_" in r.output
    assert "simulated market" in r.output
    assert seen["port"] == 8123 and seen["host"] == "127.0.0.1"
    svc = seen["app"].state.service
    assert svc.store.count("events") > 0
    svc.close()


def test_export_never_writes_the_service_credentials(tmp_path):
    db = str(tmp_path / "k.duckdb")
    assert runner.invoke(app, ["keys", "create", "--role", "viewer", "--db", db]).exit_code == 0
    r = runner.invoke(app, ["export", "api_keys", "--db", db])
    assert r.exit_code != 0 and "holds the service's credentials" in r.output
    assert "salt" not in r.stdout
    listed = runner.invoke(app, ["export", "nosuch", "--db", db])
    assert "api_keys" not in listed.output and "audit_log" in listed.output
