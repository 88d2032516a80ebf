"""An empty query has no intent: classify keeps its row with no moment, confidence or topic,
in the Python API, the CLI and the REST API."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.moments import MOMENTS
from micromix.moments.classify import classify_texts
from micromix.moments.intent import empty_texts

TEXTS = ["buy dog food", "", None, "   ", "vet near me", np.nan, "\t"]
EMPTY = [1, 2, 3, 5, 6]


def test_empty_texts_mask():
    assert empty_texts(TEXTS).tolist() == [i in EMPTY for i in range(len(TEXTS))]


@pytest.mark.parametrize("topics", ["auto", "dog food", "none"])
def test_classify_texts_gives_empty_texts_no_class(topics):
    out = classify_texts(TEXTS, topics=topics)
    assert len(out) == len(TEXTS)
    assert out["moment"].iloc[EMPTY].isna().all() and out["confidence"].iloc[EMPTY].isna().all()
    assert out["moment"].iloc[[0, 4]].tolist() == ["buy", "go"]
    assert out["confidence"].iloc[[0, 4]].between(0, 1).all()
    if topics != "none":
        assert out["topic"].iloc[EMPTY].isna().all()
        assert out["topic"].iloc[[0, 4]].notna().all()


def test_cli_classify_keeps_rows_and_counts_the_empty_ones(tmp_path):
    src = tmp_path / "q.csv"
    src.write_text('id,query\n1,buy dog food\n2,""\n3,"   "\n4,vet near me\n5,\n')
    out = tmp_path / "tagged.csv"
    res = CliRunner().invoke(
        app, ["moments", "classify", "-i", str(src), "--text-col", "query", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "3 of 5 rows have an empty 'query' (first: row 2)" in res.stderr
    got = pd.read_csv(out, keep_default_na=False)
    assert got["id"].tolist() == [1, 2, 3, 4, 5]
    assert got["moment"].tolist() == ["buy", "", "", "go", ""]
    assert got["confidence"].iloc[[1, 2, 4]].tolist() == ["", "", ""]
    assert got["topic"].iloc[[1, 2, 4]].tolist() == ["", "", ""]
    full = tmp_path / "full.csv"
    full.write_text("query\nbuy dog food\n")
    res = CliRunner().invoke(app, ["moments", "classify", "-i", str(full), "--text-col", "query"])
    assert res.exit_code == 0 and "empty" not in res.stderr


def test_api_classify_returns_null_for_empty_texts():
    pytest.importorskip("fastapi", reason="fastapi is not installed (micromix[serve])")
    from fastapi.testclient import TestClient

    from micromix.api import Service, ServiceConfig, create_app
    from micromix.store import Store

    svc = Service(Store.open(":memory:"), ServiceConfig(demo=False, rate=0))
    try:
        key = svc.keys.create("viewer", name="test-empty-texts")[0]
        with TestClient(create_app(svc), raise_server_exceptions=False) as client:
            r = client.post(
                "/api/v1/moments/classify",
                json={"texts": ["vet near me", "", "  "]},
                headers={"Authorization": f"Bearer {key}"},
            )
        assert r.status_code == 200, r.text
        rows = r.json()["rows"]
        assert [row["text"] for row in rows] == ["vet near me", "", "  "]
        assert rows[0]["moment"] in MOMENTS and 0 <= rows[0]["confidence"] <= 1
        assert all(row["moment"] is None and row["confidence"] is None for row in rows[1:])
        assert not any(isinstance(v, float) and math.isnan(v) for row in rows for v in row.values())
    finally:
        svc.close()
        svc.store.close()


def test_ga4_search_events_reach_their_moment():
    # a GA4 export: event_type 'view_search_results' and the query in 'search_term'
    from micromix.moments.sessions import tag_sessions

    ev = pd.DataFrame(
        {
            "session_id": ["s1", "s1", "s2"],
            "ts": ["2024-05-01T10:00:00Z", "2024-05-01T10:01:00Z", "2024-05-01T11:00:00Z"],
            "event_type": ["view_search_results", "page_view", "view_search_results"],
            "search_term": ["buy dog food online", None, "vet near me"],
        }
    )
    out = tag_sessions(ev, source="ga4.csv").set_index("session_id")
    assert out["moment_source"].tolist() == ["query", "query"]
    assert out.loc["s2", "moment"] == "go" and out.loc["s1", "moment"] == "buy"
