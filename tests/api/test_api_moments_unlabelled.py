"""Searches stored without a moment are labelled from their query in every view of them: the
counts by moment, the bursts by moment and the live feed agree (review r28a: the feed labelled
them while the counts showed one "unknown" bar and the bursts a key "None")."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from micromix.moments import IntentClassifier
from micromix.moments.summary import fill_moments, search_counts

QUERIES = ["buy dog harness", "dog park near me", "how to groom a poodle", "", None]


def _searches(n_hours: int = 60) -> pd.DataFrame:
    rows = []
    for h in range(n_hours):
        for i, q in enumerate(QUERIES):
            for k in range(3 + (30 if (q == "buy dog harness" and h == 50) else 0)):
                rows.append((f"e{h}-{i}-{k}", h, q))
    ts = pd.Timestamp("2026-03-01", tz="UTC") + pd.to_timedelta([r[1] for r in rows], unit="h")
    return pd.DataFrame(
        {
            "event_id": [r[0] for r in rows],
            "ts": ts,
            "user_id": "u1",
            "event_type": "search",
            "device": "mobile",
            "query": [r[2] for r in rows],
        }
    )


@pytest.fixture()
def app(fresh_app):
    client, svc = fresh_app()
    svc.store.append("events", _searches())
    key = svc.keys.create("viewer", name="moments")[0]
    return client, {"Authorization": f"Bearer {key}"}


def _labels() -> dict[str, str]:
    got = IntentClassifier.load_default().classify(QUERIES[:3])["moment"]
    return dict(zip(QUERIES[:3], got))


def test_fill_moments_keeps_stored_ones_and_labels_the_rest_once() -> None:
    stored = pd.Series(["go", None, None, None], dtype=object)
    query = pd.Series(["buy dog harness", "buy dog harness", "", None])
    calls: list[list[str]] = []

    class Counting:
        def classify(self, texts):
            calls.append(list(texts))
            return IntentClassifier.load_default().classify(texts)

    out, n, note = fill_moments(stored, query, classifier=Counting())
    assert out.iloc[0] == "go" and out.iloc[1] == _labels()["buy dog harness"]
    assert out.iloc[2] is None and out.iloc[3] is None  # no query: no moment, never invented
    assert n == 1 and calls == [["buy dog harness"]] and "1 searches carry no moment" in note


def test_counts_bursts_and_feed_label_unlabelled_searches_alike(app) -> None:
    client, h = app
    labels = _labels()
    summary = client.get("/api/v1/moments/summary", headers=h).json()
    by_moment = {r["moment"]: r["searches"] for r in summary["rows"]}
    want: dict[str | None, int] = {}
    for q, m in labels.items():
        want[m] = want.get(m, 0) + 60 * 3 + (30 if q == "buy dog harness" else 0)
    want[None] = 2 * 60 * 3  # the empty and the missing query
    assert by_moment == want, summary
    assert any("labelled from their query" in n for n in summary["notes"])

    bursts = client.get("/api/v1/moments/bursts?freq=1h&by=moment", headers=h).json()
    keys = {r["key"] for r in bursts["series"]}
    assert set(labels.values()) <= keys
    surge = [b for b in bursts["bursts"] if b["kind"] == "burst"]
    assert surge and {b["key"] for b in surge} == {labels["buy dog harness"]}, surge
    assert any("labelled from their query" in n for n in bursts["notes"])

    with client.stream(
        "GET", "/api/v1/moments/feed?backlog=20&max_seconds=1&interval=0.5", headers=h
    ) as res:
        events = [
            json.loads(line[len("data: ") :])
            for line in res.iter_lines()
            if line.startswith("data: {") and '"event_id"' in line
        ]
    assert events
    for e in events:
        assert e["moment"] == (labels.get(e["query"]) if e["query"] else None), e


def test_search_counts_on_a_store_whose_searches_all_carry_a_moment(fresh_app) -> None:
    _, svc = fresh_app()
    df = _searches(2).assign(moment="know")
    svc.store.append("events", df)
    out = search_counts(svc.store)
    assert out.to_dict("records") == [{"moment": "know", "device": "mobile", "searches": len(df)}]
    assert out.attrs["notes"] == []
