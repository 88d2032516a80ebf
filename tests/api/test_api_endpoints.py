"""Every capability through the REST API: same numbers as the library, clear shapes."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest


def test_api_kpis_match_the_library(client, auth, service):
    from micromix.metrics import compute_kpis

    r = client.get("/api/v1/kpis?by=platform,strategy&grain=week", headers=auth("viewer"))
    assert r.status_code == 200
    body = r.json()
    assert body["source"] == "events" and body["by"] == ["platform", "strategy"]
    got = pd.DataFrame(body["rows"])
    want = compute_kpis(service.store, by=["platform", "strategy"], grain="week")
    assert len(got) == len(want)
    assert got["spend"].sum() == pytest.approx(want["spend"].sum())
    assert got["impressions"].sum() == int(want["impressions"].sum())
    assert set(got.columns) >= {"ctr", "cpm", "cpa", "roas", "roi", "engagement_rate", "emv"}


def test_api_event_ingest_is_seen_by_the_next_kpi_request(client, auth):
    h = auth("analyst")
    before = client.get("/api/v1/kpis?by=device", headers=h).json()["rows"]
    batch = [
        {
            "event_id": f"api-test-{i}",
            "ts": "2026-03-10T12:00:00Z",
            "user_id": f"x{i}",
            "event_type": "impression",
            "platform": "instagram",
            "device": "tablet",
            "cost": 0.01,
        }
        for i in range(40)
    ]
    batch.append(
        {"event_id": "api-test-bad", "ts": "not a time", "user_id": "x", "event_type": "impression"}
    )
    r = client.post("/api/v1/events", json={"events": batch}, headers=h)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["accepted"], rep["quarantined"], rep["inserted"]) == (40, 1, 40)
    after = client.get("/api/v1/kpis?by=device", headers=h).json()["rows"]
    imp = {row["device"]: row["impressions"] for row in after}
    old = {row["device"]: row["impressions"] for row in before}
    assert imp["tablet"] == old.get("tablet", 0) + 40  # the cache was invalidated by the write
    again = client.post("/api/v1/events", json=batch[:40], headers=h).json()
    assert again["unchanged"] == 40  # idempotent re-send


def test_api_file_ingest(client, auth):
    csv = "username,followers,category\nmia_pets,12000,pet\nbo,-5,pet\n"
    # the session's store holds the simulated market: real files join it only on purpose
    r = client.post(
        "/api/v1/ingest/creators",
        params={"mix_with_demo": "true"},
        headers=auth("analyst"),
        files={"file": ("creators.csv", io.BytesIO(csv.encode()), "text/csv")},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["accepted"], r.json()["quarantined"]) == (1, 1)
    r = client.post(
        "/api/v1/ingest/rockets",
        headers=auth("analyst"),
        files={"file": ("x.csv", io.BytesIO(b"a\n1\n"), "text/csv")},
    )
    assert r.status_code == 422


def test_api_comparison_has_intervals_and_a_conclusion(client, auth):
    listed = client.get("/api/v1/comparisons", headers=auth("viewer")).json()
    assert {c["lookup_name"] for c in listed} == {"ugc-vs-paid", "micro-vs-mass", "creator-tiers"}
    r = client.get("/api/v1/comparisons/micro-vs-mass?n_boot=30", headers=auth("viewer"))
    body = r.json()
    assert r.status_code == 200 and body["conclusion"]
    rows = pd.DataFrame(body["rows"])
    assert {"incremental_roas", "incremental_roas_low", "incremental_roas_high"} <= set(
        rows.columns
    )
    ok = rows.dropna(subset=["incremental_roas"])
    assert (ok["incremental_roas_low"] <= ok["incremental_roas_high"]).all()


def test_api_moments_classify_bursts_and_feed(client, auth):
    h = auth("viewer")
    r = client.post(
        "/api/v1/moments/classify",
        json={"texts": ["pet store open now near me", "how often should i feed a kitten"]},
        headers=h,
    )
    moments = [row["moment"] for row in r.json()["rows"]]
    assert moments[0] == "go" and moments[1] == "know"
    b = client.get("/api/v1/moments/bursts?freq=1h&by=moment", headers=h).json()
    assert b["series"] and {"key", "bucket", "count"} <= set(b["series"][0])
    assert all(x["kind"] in {"burst", "gap"} for x in b["bursts"])
    with client.stream(
        "GET", "/api/v1/moments/feed?backlog=5&interval=0.1&max_seconds=1", headers=h
    ) as s:
        assert s.headers["content-type"].startswith("text/event-stream")
        text = "".join(s.iter_text())
    events = [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")]
    moments = [e for e in events if e]
    assert len(moments) == 5 and all(m["moment"] for m in moments)
    assert "event: end" in text


def test_api_social_and_creators(client, auth):
    h = auth("viewer")
    amp = client.get("/api/v1/social/amplify?top=5", headers=h).json()
    assert 0 < len(amp["rows"]) <= 5
    scores = [row["amplification_score"] for row in amp["rows"]]
    assert scores == sorted(scores, reverse=True)
    # the store has no ad reports of the brand: the ranking says its CTR/CPA start elsewhere
    assert any("default" in n or "ads" in n for n in amp["notes"]), amp["notes"]
    assert amp["currency"] == "USD"  # the default benchmark's, as the CLI's "CPA US$..."
    lis = client.get("/api/v1/social/listening", headers=h).json()
    assert lis["share_of_voice"][0]["brand"] == "Pawsome"
    d = client.post("/api/v1/creators/discover", json={"niche": "pet", "budget": 2000}, headers=h)
    body = d.json()
    assert d.status_code == 200 and body["picked"]
    assert body["picked"][-1]["cumulative_cost"] <= 2000 + 1e-6
    assert {c["cohort"][:5] for c in body["cohorts"]} == {"micro", "macro"}
    bad = client.post("/api/v1/creators/discover", json={"budget": 10, "min_fit": 3}, headers=h)
    assert bad.status_code == 422 and "min_fit" in bad.json()["message"]


def test_api_audience_check_shows_guardrails_before_export(client, auth):
    a = auth("analyst")
    ok = client.post("/api/v1/audience/check", json={"policy": "micro"}, headers=a).json()
    assert ok["exportable"] is True and ok["summary"]["contacts"] > 0
    assert {c["name"] for c in ok["checks"]} >= {"consent", "special_ad_category"}
    bad = client.post(
        "/api/v1/audience/check", json={"features": ["religion", "region"]}, headers=a
    ).json()
    assert bad["exportable"] is False
    assert any(c["status"] == "fail" for c in bad["checks"])
    r = client.post("/api/v1/audience/export", json={"features": ["religion"]}, headers=a)
    assert r.status_code == 422 and r.json()["error"] == "guardrail"


def test_api_experiments_mmm_and_optimizer(client, auth):
    v, a = auth("viewer"), auth("analyst")
    exps = client.get("/api/v1/experiments", headers=v).json()["rows"]
    first = exps[0]["experiment_id"]
    res = client.get(f"/api/v1/experiments/{first}", headers=v)
    assert res.status_code == 200 and res.json()
    assert client.get("/api/v1/experiments/nope", headers=v).status_code == 404
    fit = client.post("/api/v1/mmm/fit", headers=a)
    assert fit.status_code == 200, fit.text
    info = client.get("/api/v1/mmm", headers=v).json()
    assert info["fitted"] and len(info["channels"]) >= 2
    spend = {c: 2 * s for c, s in info["current_spend"].items()}
    sc = client.post("/api/v1/mmm/scenario", json={"spend": spend}, headers=v).json()["rows"]
    assert [r["scenario"] for r in sc] == ["current", "scenario"]
    assert sc[1]["spend"] == pytest.approx(2 * sc[0]["spend"], rel=1e-6)
    bad = client.post("/api/v1/mmm/scenario", json={"spend": {"tv": 1}}, headers=v)
    assert bad.status_code == 422
    budget = sum(info["current_spend"].values())
    opt = client.post("/api/v1/optimize", json={"budget": budget}, headers=a).json()
    assert opt["recommended"]["budget"] == pytest.approx(budget, rel=1e-3)
    assert client.post("/api/v1/optimize", json={"budget": budget}, headers=v).status_code == 403


def test_api_openapi_and_docs_list_every_endpoint(client):
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    for p in (
        "/api/v1/kpis",
        "/api/v1/events",
        "/api/v1/moments/feed",
        "/api/v1/social/amplify",
        "/api/v1/creators/discover",
        "/api/v1/audience/export",
        "/api/v1/privacy/erase",
        "/api/v1/experiments",
        "/api/v1/mmm",
        "/api/v1/optimize",
        "/api/v1/report",
        "/api/v1/keys",
        "/api/v1/audit",
    ):
        assert p in paths, p
    assert set(schema["components"]["securitySchemes"]) == {"bearer", "apiKey"}
    assert schema["paths"]["/api/v1/kpis"]["get"]["security"]
    assert "security" not in schema["paths"]["/health"]["get"]
    docs = client.get("/docs").text
    for p in paths:
        assert p in docs


def test_api_dashboard_pages_and_assets_are_local(client):
    from micromix.dashboard import PAGES

    for slug in PAGES:
        page = client.get(f"/ui/{slug}")
        assert page.status_code == 200
        assert "http://" not in page.text and "https://" not in page.text  # no CDN, no remote
        assert "/static/vega.js" in page.text
    js = client.get("/static/vega.js")
    assert js.status_code == 200 and "vegaEmbed" in js.text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/../pages.py").status_code == 404
    assert client.get("/ui/nope").status_code == 404
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/overview"


def test_api_report_is_the_offline_html_report(client, auth):
    r = client.get("/api/v1/report?n_boot=20", headers=auth("viewer"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<script" in r.text and "cdn." not in r.text


def test_api_warm_cache_precomputes_the_dashboard_kpis(fresh_app):
    from micromix.api import seed_demo
    from micromix.api.routers.core import DASHBOARD_KPIS, _kpi_key, warm_cache

    client, svc = fresh_app()
    warm_cache(svc)  # an empty store: nothing to warm, no error
    assert svc.peek(_kpi_key([], None, "auto")) is None
    seed_demo(svc.store, users=600, days=14, seed=2)
    warm_cache(svc)
    for dims, grain in DASHBOARD_KPIS:
        assert svc.peek(_kpi_key(list(dims), grain, "auto")) is not None
    key, _ = svc.keys.create("viewer")
    r = client.get("/api/v1/kpis?by=strategy&grain=day", headers={"X-API-Key": key})
    assert r.content == svc.peek(_kpi_key(["strategy"], "day", "auto"))


def test_api_warm_cache_skips_a_refused_query_and_warms_the_others(fresh_app, caplog):
    # a real store of monthly ad rows: the daily KPIs are refused; that query is skipped with
    # one log line (no traceback out of the warm-up thread) and the others are still warmed
    import logging

    import pandas as pd

    from micromix.api.routers.core import DASHBOARD_KPIS, _kpi_key, warm_cache
    from micromix.simulate import SimConfig, simulate

    ads = simulate(SimConfig(users=300, days=10, seed=9)).tables()["ad_performance"]
    ads["date_end"] = ads["date"]
    ads.loc[ads.index[0], "date_end"] = ads["date"].iloc[0] + pd.Timedelta(days=30)
    _, svc = fresh_app()
    svc.store.append("ad_performance", ads)
    with caplog.at_level(logging.INFO, logger="micromix.api"):
        warm_cache(svc)
    for dims, grain in DASHBOARD_KPIS:
        warmed = svc.peek(_kpi_key(list(dims), grain, "auto")) is not None
        assert warmed is (grain != "day"), (dims, grain)
    skipped = [r.getMessage() for r in caplog.records if "not computed ahead" in r.getMessage()]
    assert len(skipped) == 1 and "KPIs by strategy per day" in skipped[0], skipped
    assert "\n" not in skipped[0] and "longer than one day" in skipped[0]
    assert all(r.exc_info is None for r in caplog.records)


def test_a_market_loaded_by_demo_or_simulate_is_labelled_simulated(fresh_app):
    # micromix demo / simulate stores are simulated too, not only the server's own demo seed:
    # the dashboard's badge and /status must not call them "real data"
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate

    client, svc = fresh_app()
    assert svc.data_label() == "real data"
    load_market(svc.store, simulate(SimConfig(users=800, days=7, seed=3)))
    assert svc.data_label() == "simulated market (users=800, days=7, seed=3)"
    viewer = svc.keys.create("viewer", name="label")[0]
    status = client.get("/api/v1/status", headers={"X-API-Key": viewer}).json()
    assert status["simulated"] is True and status["data"].startswith("simulated market")


def test_an_empty_store_says_what_to_ingest_for_posts_and_creators(fresh_app):
    # nothing ingested yet is a state of the store (409 with what to do), not a bad request
    client, svc = fresh_app()
    key, _ = svc.keys.create("viewer")
    h = {"X-API-Key": key}
    for path, what in (
        ("/api/v1/social/amplify", "micromix ingest posts"),
        ("/api/v1/social/listening", "micromix ingest posts"),
        ("/api/v1/creators", "micromix ingest creators"),
    ):
        r = client.get(path, headers=h)
        assert r.status_code == 409, (path, r.text)
        assert what in r.json()["message"], r.text
    r = client.post("/api/v1/creators/discover", json={"niche": "pet"}, headers=h)
    assert r.status_code == 409 and "micromix ingest creators" in r.text


def test_audiences_on_a_store_without_audience_rows_answer_409_with_what_to_ingest(fresh_app):
    # before: 422 invalid_data, as if the request were bad; the other empty-store answers are 409
    import pandas as pd

    client, svc = fresh_app()
    key, _ = svc.keys.create("analyst")
    h = {"X-API-Key": key}
    for path in ("/api/v1/audience/check", "/api/v1/audience/export"):
        r = client.post(path, json={}, headers=h)
        assert r.status_code == 409, (path, r.text)
        body = r.json()
        assert body["error"] == "store", body
        assert "micromix ingest experiments" in body["message"], body
        assert "micromix ingest audience" in body["message"], body
    # experiments but no audience rows: it names only what is missing
    svc.store.append(
        "experiments",
        pd.DataFrame(
            {"experiment_id": ["e1"], "unit_id": ["u1"], "arm": ["treatment"], "conversions": [1]}
        ),
    )
    r = client.post("/api/v1/audience/check", json={}, headers=h)
    assert r.status_code == 409 and "no audience rows" in r.json()["message"], r.text
    assert "ingest experiments" not in r.json()["message"], r.text


def test_web_analytics_reports_are_served(fresh_app):
    import pandas as pd

    client, svc = fresh_app()
    key, _ = svc.keys.create("viewer")
    h = {"X-API-Key": key}
    assert client.get("/api/v1/traffic", headers=h).json() == {"reports": []}
    rows = pd.DataFrame(
        {"date": pd.to_datetime(["2025-01-01"] * 2).date, "report": "Events: Event name",
         "dimension": "Event name", "dimension_value": ["page_view", "scroll"],
         "event_count": [300, 100], "source_id": "f", "source_row": [1, 2]}
    )  # fmt: skip
    svc.write(lambda st: st.append("traffic", rows))  # a new data version: no stale answer
    assert len(client.get("/api/v1/traffic", headers=h).json()["reports"]) == 1
    (r,) = client.get("/api/v1/traffic?top=1", headers=h).json()["reports"]
    assert r["totals"] == {"event_count": 400.0} and r["measure"] == "event_count"
    assert [row["dimension_value"] for row in r["table"]] == ["page_view"]
    assert r["table"][0]["share"] == 0.75
