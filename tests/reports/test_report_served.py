"""Details a marketer notices in the report (review r28c 10, 6): a partial first or last week of
a weekly trend is marked, not drawn as a silent drop; GA4 revenue in no stated currency says so;
the report served over ``GET /api/v1/report`` names ingested files, never a path on the server."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import micromix.reports as reports
from micromix.metrics.traffic import TrafficReport
from micromix.plan import gather_evidence
from micromix.plan.evidence import Evidence
from micromix.store import Store

CHART_RE = re.compile(r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', re.S)


def _specs(html: str) -> list[dict]:
    return [json.loads(body) for _, body in CHART_RE.findall(html)]


def _daily(start: str, days: int, **cols: object) -> pd.DataFrame:
    base = {"platform": "facebook", "strategy": "paid_social", "spend": 10.0, "level": "campaign"}
    base |= {"impressions": 1000, "clicks": 20, "currency": "AUD", "source_id": "aud"}
    return pd.DataFrame({"date": pd.date_range(start, periods=days), **(base | cols)})


def _trends(st: Store) -> str:
    ev = gather_evidence(st, n_boot=20, comparisons=(), parts=("overview", "trends"))
    return reports.build_report(ev, sections=["trends"])


def test_a_partial_last_and_first_week_are_marked_not_drawn_as_a_drop() -> None:
    st = Store.open(":memory:")
    # Wed 2026-06-03 .. Thu 2026-06-25: the first week holds 5 days, the last 4
    st.append("ad_performance", _daily("2026-06-03", 23))
    html = _trends(st)
    text = re.sub(r"\s+", " ", html).replace("&#x27;", "'")
    assert "covers only in part is drawn as a triangle" in text
    assert "facebook, week of Jun 22 2026 (Jun 22 to Jun 25 only: 4 of 7 days)" in text
    assert "facebook, week of Jun 01 2026 (Jun 03 to Jun 07 only: 5 of 7 days)" in text
    spend = [s for s in _specs(html) if s["encoding"]["y"]["field"] == "spend"]
    assert spend
    for spec in spend:
        rows = next(iter(spec["datasets"].values()))
        partial = {r["period"]: r["week_covered"] for r in rows if r["week"] == "partial week"}
        assert set(partial) == {"2026-06-01", "2026-06-22"}, partial
        assert {r["week"] for r in rows if r["period"] not in partial} == {"whole week"}
        shapes = [lay.get("encoding", {}).get("shape") for lay in spec["layer"]]
        assert any(s and s["scale"]["range"] == ["circle", "triangle"] for s in shapes)


def test_whole_weeks_draw_as_before_with_no_note() -> None:
    st = Store.open(":memory:")
    st.append("ad_performance", _daily("2026-06-01", 21))  # Mon .. Sun, three whole weeks
    html = _trends(st)
    assert "covers only in part" not in html
    for spec in _specs(html):
        assert spec["mark"]["type"] == "line" and "layer" not in spec
        rows = next(iter(spec["datasets"].values()))
        assert all("week_covered" not in r for r in rows)


def test_ga4_revenue_in_no_stated_currency_says_so() -> None:
    table = pd.DataFrame(
        {"dimension_value": ["page_view", "scroll"], "event_count": [40, 15], "revenue": [0.0, 0.0]}
    )
    rep = TrafficReport(
        report="Events: Event name",
        property="Ten10 GA4",
        dimension="Event name",
        measure="event_count",
        first_day="2025-10-15",
        last_day="2026-01-12",
        rows=2,
        totals={"event_count": 55, "revenue": 0.0},
        table=table,
        currency=None,
    )
    ev = Evidence(store_path="s.duckdb", n_boot=20, level=0.95, seed=0, traffic=[rep])
    html = reports.build_report(ev, sections=["traffic"])
    assert "revenue (currency not stated) 0.00" in html
    assert "<th" in html and "revenue (currency not stated)</th>" in html
    assert "$" not in re.sub(r"<script.*?</script>", "", html, flags=re.S)


def _ingest_log_evidence(sources: list[str]) -> Evidence:
    from micromix.store.quality import QualityReport

    log = pd.DataFrame(
        {"ingested_at": "2026-12-01 06:08:00", "kind": "ads", "source": sources, "accepted": 1}
    )
    empty = pd.DataFrame()
    q = QualityReport(checks=[], row_counts=empty, top_reasons=empty, ingest_log=log,
                      null_shares=empty, coverage=empty)  # fmt: skip
    return Evidence(store_path="/srv/x/s.duckdb", n_boot=20, level=0.95, seed=0, quality=q)


def test_the_served_ingest_log_names_files_never_server_paths() -> None:
    sources = [
        "/srv/marketing/exports/meta_campaign_daily_aud.csv",
        "/srv/marketing/exports/ua_pages_202207.xlsx [sheet Dataset2]",
        "upload:0782b7f55607df3a",
        "upload:1111111111111111 [sheet Dataset1]",
    ]
    ev = _ingest_log_evidence(sources)
    cli = reports.build_report(ev, sections=["quality"])
    assert "/srv/marketing/exports/meta_campaign_daily_aud.csv" in cli  # the CLI keeps paths
    names = {"upload:0782b7f55607df3a": "pinterest_ads_daily.csv",
             "upload:1111111111111111": "ua.xlsx"}  # fmt: skip
    served = reports.build_report(
        ev, sections=["quality"], source_name="the store", source_names=names
    )
    assert "/srv" not in served and "upload:" not in served
    for shown in ("meta_campaign_daily_aud.csv", "ua_pages_202207.xlsx [sheet Dataset2]",
                  "pinterest_ads_daily.csv", "ua.xlsx [sheet Dataset1]"):  # fmt: skip
        assert shown in served, shown


def test_get_report_shows_upload_names_and_base_names_only(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from micromix.api import Service, ServiceConfig, create_app
    from micromix.ingest import ingest_file

    store = Store.open(":memory:")
    cli_file = tmp_path / "server_side" / "creators_cli.csv"
    cli_file.parent.mkdir()
    cli_file.write_text("username,followers,category\nmia_pets,12000,pet\n")
    ingest_file(store, "creators", cli_file)
    svc = Service(store, ServiceConfig(demo=False, rate=0))
    key, _ = svc.keys.create("admin")
    csv = b"username,followers,category\nbo_dogs,3000,pet\n"
    with TestClient(create_app(svc)) as client:
        r = client.post(
            "/api/v1/ingest/creators",
            headers={"X-API-Key": key},
            files={"file": ("my creators.csv", io.BytesIO(csv), "text/csv")},
        )
        assert r.status_code == 200, r.text
        html = client.get("/api/v1/report?n_boot=20", headers={"X-API-Key": key}).text
    store.close()
    log = html[html.index("Ingest log") :]
    assert "creators_cli.csv" in log and "my creators.csv" in log
    assert str(tmp_path) not in html and "upload:" not in html
