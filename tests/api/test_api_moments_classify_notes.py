"""The API's classify route says what the CLI says about texts the model has no evidence on
(brief intent29 #2): a text without an English word is ``other`` at the calibrated 0.389, and a
note counts such texts - before, the route returned the bare rows and no note."""

from __future__ import annotations

import pytest

from micromix.moments.classify import classify_texts

TEXTS = ["pawco", "vet near me", "how to clip dog nails"]


@pytest.fixture()
def viewer(fresh_app):
    client, svc = fresh_app()
    key = svc.keys.create("viewer", name="classify-notes")[0]
    return client, {"Authorization": f"Bearer {key}"}


def test_classify_route_gives_the_cli_no_evidence_note(viewer) -> None:
    client, headers = viewer
    r = client.post("/api/v1/moments/classify", json={"texts": TEXTS}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    cli = classify_texts(TEXTS, topics="none")  # what `micromix moments classify` prints
    assert body["notes"] == cli.attrs["notes"]
    assert len(body["notes"]) == 1
    assert body["notes"][0].startswith("1 of 3 texts have too few words")
    assert "'other' with confidence 0.389" in body["notes"][0]
    rows = body["rows"]
    assert [row["text"] for row in rows] == TEXTS
    assert rows[0]["moment"] == "other" and rows[0]["confidence"] == pytest.approx(0.389)
    assert [row["moment"] for row in rows] == cli["moment"].tolist()
    assert [row["confidence"] for row in rows] == pytest.approx(cli["confidence"].tolist())


def test_classify_route_has_no_note_when_every_text_has_evidence(viewer) -> None:
    client, headers = viewer
    r = client.post("/api/v1/moments/classify", json={"texts": TEXTS[1:]}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["notes"] == []
    assert [row["moment"] for row in r.json()["rows"]] == ["go", "do"]
