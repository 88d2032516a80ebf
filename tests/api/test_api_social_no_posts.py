"""The API's social routes on a store without posts say what the CLI says
(:func:`micromix.social.files.read_store_posts`: how to fill the store), not a message of their
own, and never the server's path to its store."""

from __future__ import annotations

from pathlib import Path

import pytest

from micromix.errors import StoreError
from micromix.social.files import read_store_posts
from micromix.store import Store

ROUTES = ("/api/v1/social/amplify", "/api/v1/social/listening")


def _cli_message(store: Store) -> str:
    with pytest.raises(StoreError) as err:
        read_store_posts(store)
    return str(err.value)


def test_an_empty_store_answers_409_with_the_clis_words(fresh_app) -> None:
    client, svc = fresh_app(rate=0)
    h = {"X-API-Key": svc.keys.create("viewer")[0]}
    said = _cli_message(svc.store).replace(f" {svc.store.path}", "")
    for route in ROUTES:
        for query in ("", "?brand=PawCo"):  # with a brand the ranking itself reads the posts
            r = client.get(route + query, headers=h)
            body = r.json()
            assert r.status_code == 409 and body["error"] == "store", body
            assert body["message"] == said, body
            assert "micromix ingest posts FILE" in said and "micromix demo" in said


def test_a_file_stores_path_is_not_told_to_the_client(tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="fastapi is not installed (micromix[serve])")
    from fastapi.testclient import TestClient

    from micromix.api import Service, ServiceConfig, create_app

    path = tmp_path / "secret_folder" / "mm.duckdb"
    path.parent.mkdir()
    st = Store.open(str(path))
    svc = Service(st, ServiceConfig(demo=False, rate=0))
    try:
        assert str(path) in _cli_message(st)  # the CLI names the file it opened
        h = {"X-API-Key": svc.keys.create("viewer")[0]}
        with TestClient(create_app(svc), raise_server_exceptions=False) as client:
            r = client.get("/api/v1/social/amplify?brand=PawCo", headers=h)
        body = r.json()
        assert r.status_code == 409, body
        assert "secret_folder" not in r.text and str(tmp_path) not in r.text, body
        assert body["message"].startswith("no posts in the store; ingest posts"), body
    finally:
        svc.close()
        st.close()


def test_the_message_is_the_one_the_cli_reads_from(fresh_app, monkeypatch) -> None:
    # one source for the words: a change to read_store_posts's message reaches the API
    import micromix.social.files as files

    def reworded(store: Store):
        raise StoreError(f"reworded: the store {store.path} holds no posts yet")

    monkeypatch.setattr(files, "read_store_posts", reworded)
    client, svc = fresh_app(rate=0)
    h = {"X-API-Key": svc.keys.create("viewer")[0]}
    body = client.get("/api/v1/social/amplify?brand=PawCo", headers=h).json()
    assert body["message"] == "reworded: the store holds no posts yet", body
