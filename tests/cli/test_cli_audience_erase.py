"""`micromix privacy erase` refuses an id no row holds, is a no-op when repeated, and points
to the server's route when `micromix serve` holds the store."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from micromix.audience.datasets import make_audience
from micromix.cli.main import app

runner = CliRunner()


def _store(tmp_path) -> str:
    from micromix.store import Store

    db = str(tmp_path / "m.duckdb")
    with Store.open(db) as st:
        st.append("audience", make_audience(n=40, seed=2, refusal_rate=0, minor_rate=0))
    return db


def _audit_rows(db: str) -> int:
    from micromix.store import Store

    with Store.open(db, read_only=True) as st:
        return st.count("audit_log") if st.has_table("audit_log") else 0


def test_unknown_id_is_refused_and_a_repeat_writes_nothing(tmp_path):
    db = _store(tmp_path)
    res = runner.invoke(app, ["privacy", "erase", "U000005", "--db", db])
    assert res.exit_code == 2, res.output
    assert "no row in the store holds the id 'U000005'" in res.output
    assert "Traceback" not in res.output and _audit_rows(db) == 0
    assert runner.invoke(app, ["privacy", "erase", "u000005", "--db", db]).exit_code == 0
    res = runner.invoke(app, ["privacy", "erase", "u000005", "--db", db])
    assert res.exit_code == 0 and "already erased" in res.output, res.output
    assert _audit_rows(db) == 1


def test_a_store_held_by_another_process_names_the_servers_route(tmp_path):
    db = _store(tmp_path)
    hold = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({db!r}); "
         "print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert hold.stdout is not None and hold.stdout.readline().strip() == "held"
        time.sleep(0.2)
        res = runner.invoke(app, ["privacy", "erase", "u000005", "--db", db])
    finally:
        hold.kill()
        hold.wait()
        if hold.stdout is not None:
            hold.stdout.close()
    assert res.exit_code != 0 and "Traceback" not in res.output, res.output
    assert "in use by another process" in res.output
    # the route it names is one the server has (it named /api/v1/admin/privacy/erase, a 404)
    said = re.search(r"POST (/\S+) with an admin key", " ".join(res.output.split()))
    assert said is not None, res.output
    assert ("POST", said.group(1)) in _api_routes()


def _api_routes() -> set[tuple[str, str]]:
    """(method, path) of every route of the app ``micromix serve`` runs."""
    pytest.importorskip("fastapi", reason="fastapi is not installed (micromix[serve])")
    from micromix.api import Service, ServiceConfig, create_app
    from micromix.store import Store

    svc = Service(Store.open(":memory:"), ServiceConfig(demo=False))
    try:  # the schema lists every route (app.routes nests the included routers)
        paths = create_app(svc).openapi()["paths"]
        return {(m.upper(), path) for path, ops in paths.items() for m in ops}
    finally:
        svc.close()
        svc.store.close()


def test_the_erasure_docs_name_real_routes():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "audience.md"
    named = set(re.findall(r"`POST (/api/v1/\S+?)`", doc.read_text(encoding="utf-8")))
    assert "/api/v1/privacy/erase" in named
    assert {("POST", p) for p in named} <= _api_routes()
