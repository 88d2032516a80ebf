"""Session moments, KPIs, actions, webhooks and dead letters."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from micromix.errors import DeliveryError
from micromix.moments import (
    DEAD_LETTER_TABLE,
    MOMENTS_TABLE,
    ActionDispatcher,
    WebhookSink,
    build_action,
    moment_kpis,
    tag_sessions,
    time_to_action,
)
from micromix.moments.actions import moment_id
from micromix.moments.sessions import normalize_event_types
from micromix.store import Store


class _Hook:
    """A local webhook receiver that fails the first ``fail`` requests."""

    def __init__(self, fail: int = 0, code: int = 503) -> None:
        self.received: list[dict] = []
        self.keys: list[str] = []
        self.fail = fail
        hook = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.fail > 0:
                    hook.fail -= 1
                    self.send_response(code)
                    self.end_headers()
                    return
                hook.received.append(json.loads(body))
                hook.keys.append(self.headers["Idempotency-Key"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def hook():
    h = _Hook(fail=2)
    yield h
    h.close()


def _events() -> pd.DataFrame:
    rows = [
        ("s1", "u1", "2024-05-01 10:00", "search", "buy grain free dog food", None, 0.0),
        ("s1", "u1", "2024-05-01 10:01", "impression", None, None, 0.0),
        ("s1", "u1", "2024-05-01 10:02", "click", None, None, 0.0),
        ("s1", "u1", "2024-05-01 10:09", "purchase", None, None, 42.5),
        ("s2", "u2", "2024-05-01 11:00", "search", "emergency vet near me", None, 0.0),
        ("s3", "u3", "2024-05-01 12:00", "impression", None, "do", 0.0),
        ("s3", "u3", "2024-05-01 12:01", "video_view", None, "do", 0.0),
        ("s4", "u4", "2024-05-01 13:00", "add_to_cart", None, None, 0.0),
    ]
    df = pd.DataFrame(
        rows, columns=["session_id", "user_id", "ts", "event_type", "query", "moment", "revenue"]
    )
    df["ts"] = pd.to_datetime(df["ts"], utc=True)
    return df


def test_tag_sessions_and_kpis():
    s = tag_sessions(_events()).set_index("session_id")
    assert s["moment"].to_dict() == {"s1": "buy", "s2": "go", "s3": "do", "s4": "buy"}
    assert s["moment_source"].to_dict() == {
        "s1": "query",
        "s2": "query",
        "s3": "column",
        "s4": "events",
    }
    assert s.loc["s1", "converted"] and s.loc["s1", "revenue"] == 42.5
    assert not s.loc["s2", "brand_present"] and s.loc["s3", "engaged"]
    k = moment_kpis(s.reset_index())
    assert k.loc["buy", "sessions"] == 2
    assert k.loc["buy", "conversion_rate"] == 0.5
    assert k.loc["buy", "ctr"] == 1.0
    assert k.loc["go", "brand_presence"] == 0.0
    assert k.loc["all", "sessions"] == 4


def test_ga4_event_names_are_mapped():
    ga = pd.DataFrame(
        {
            "session_id": ["a", "a"],
            "ts": pd.to_datetime(["2024-01-01"] * 2),
            "event_name": ["view_item", "purchase"],
        }
    )
    assert normalize_event_types(ga)["event_type"].tolist() == ["view", "purchase"]
    assert tag_sessions(ga)["moment"].tolist() == ["buy"]


def test_time_to_action_uses_the_true_surge_start():
    m = pd.DataFrame(
        {
            "key": ["buy | dog food"],
            "start": ["2024-05-01T10:00Z"],
            "acted_at": ["2024-05-01T10:12Z"],
        }
    )
    truth = pd.DataFrame(
        {"key": ["buy | dog food"], "start": ["2024-05-01T09:55Z"], "end": ["2024-05-01T12:00Z"]}
    )
    assert time_to_action(m)["seconds_to_action"].iloc[0] == 720
    assert time_to_action(m, truth)["seconds_to_action"].iloc[0] == 1020


def test_action_payload():
    a = build_action(
        key="do | dog nails | west",
        kind="burst",
        bucket_start=pd.Timestamp("2024-05-01T10:00Z"),
        observed=50,
        expected=5,
        threshold=20,
    )
    d = a.to_dict()
    assert (d["intent"], d["topic"], d["region"]) == ("do", "dog nails", "west")
    assert "how-to" in d["recommendation"]
    assert d["moment_id"] == moment_id("do | dog nails | west", "burst", "2024-05-01T10:00Z")
    assert all("suggest" in n or "not installed" in n for n in d["notes"])
    json.dumps(d)  # serialisable


def test_webhook_retries_then_delivers_once_per_moment(hook):
    sleeps: list[float] = []
    st = Store.open(":memory:")
    sink = WebhookSink(hook.url, retries=3, backoff=0.5, sleep=sleeps.append)
    d = ActionDispatcher(st, [sink], enrich=False)
    a = build_action(
        key="buy | dog food",
        kind="burst",
        bucket_start=pd.Timestamp("2024-05-01T10:00Z"),
        observed=9,
        expected=1,
    )
    assert d.dispatch(a) is True
    assert d.dispatch(a) is False  # redelivery of the same moment is a no-op
    assert sleeps == [0.5, 1.0]  # two failures, exponential back-off
    assert len(hook.received) == 1 and hook.keys == [a.moment_id]
    assert st.read(MOMENTS_TABLE)["moment_id"].tolist() == [a.moment_id]
    # a new dispatcher on the same store (a restart) does not act again
    assert ActionDispatcher(st, [sink]).dispatch(a) is False
    st.close()


def test_failed_delivery_goes_to_dead_letters(hook):
    hook.fail = 100
    st = Store.open(":memory:")
    sink = WebhookSink(hook.url, retries=2, backoff=0.0, sleep=lambda s: None)
    d = ActionDispatcher(st, [sink], enrich=False)
    a = build_action(
        key="go | vet",
        kind="burst",
        bucket_start=pd.Timestamp("2024-05-01T10:00Z"),
        observed=9,
        expected=1,
    )
    d.dispatch(a)
    dl = st.read(DEAD_LETTER_TABLE)
    assert dl["moment_id"].tolist() == [a.moment_id]
    assert "after 3 attempt(s)" in dl["error"].iloc[0]
    assert json.loads(dl["payload"].iloc[0])["key"] == "go | vet"
    assert d.dead_letters == 1
    st.close()


def test_webhook_rejects_bad_url_and_client_errors_are_not_retried():
    with pytest.raises(DeliveryError, match="must start with http"):
        WebhookSink("ftp://x")
    h = _Hook(fail=100, code=400)
    try:
        sleeps: list[float] = []
        with pytest.raises(DeliveryError, match="after 1 attempt"):
            WebhookSink(h.url, sleep=sleeps.append).deliver({"moment_id": "x"})
        assert sleeps == []
    finally:
        h.close()


@pytest.mark.slow
def test_store_enricher_suggests_content_creator_and_audience(market_store):
    from micromix.moments.actions import StoreEnricher

    enrich = StoreEnricher(market_store)
    region = market_store.read("audience")["region"].iloc[0]
    content, creator, audience, notes = enrich("buy", "dog food", region)
    assert audience["region"] == region and audience["reachable_users"] > 0
    aud = market_store.read("audience")
    aud = aud[aud["region"] == region]
    assert audience["reachable_users"] <= int(aud["consent_ads_personalisation"].sum())
    assert creator is None or 1_000 <= creator["followers"] <= 100_000
    assert content is None or "dog" in content["text"].lower()
    a = build_action(
        key=f"buy | dog food | {region}",
        kind="burst",
        bucket_start=pd.Timestamp("2024-05-01T10:00Z"),
        observed=9,
        expected=1,
        enricher=enrich,
    )
    assert a.audience == audience and a.notes == notes
    empty = StoreEnricher(Store.open(":memory:"))
    c, cr, au, n = empty("buy", "dog food", None)
    assert (c, cr, au) == (None, None, None) and len(n) == 3
