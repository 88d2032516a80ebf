"""The upload route is the CLI's ingest (review r28c): the same reading options under the API's
names, unknown query parameters refused, earlier uploads named by their file names, removed rows
said, 413s that say "split the file", and a real file never mixed into the simulated demo store
without the user's say-so (the API's ``mix_with_demo=true``, the CLI's ``--mix-with-demo``)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
META = (FIXTURES / "meta_ads_export.csv").read_text(encoding="utf-8")
ADS = (
    "date,campaign_id,platform,impressions,clicks,spend,currency\n"
    "2024-01-01,c1,facebook,100,5,10.50,EUR\n"
    "2024-01-02,c1,facebook,120,6,11.00,EUR\n"
)


def _up(client, key, name: str, data: str | bytes, kind: str = "ads", **params):
    body = data.encode() if isinstance(data, str) else data
    return client.post(
        f"/api/v1/ingest/{kind}",
        params=params,
        headers={"X-API-Key": key},
        files={"file": (name, io.BytesIO(body), "application/octet-stream")},
    )


@pytest.fixture()
def real(fresh_app):
    """``(client, service, analyst key)`` over an empty real-data store."""
    client, svc = fresh_app()
    return client, svc, svc.keys.create("analyst")[0]


@pytest.fixture()
def demo(fresh_app):
    """``(client, service, analyst key)`` over a store holding a small simulated market."""
    from micromix.api import seed_demo

    client, svc = fresh_app()
    seed_demo(svc.store, users=600, days=7, seed=5)
    return client, svc, svc.keys.create("analyst")[0]


# ------------------------------------------------------------------ the simulated demo store
def test_a_real_upload_into_the_demo_store_is_refused_until_mixed_on_purpose(demo):
    client, svc, key = demo
    before = svc.store.count("ad_performance")
    r = _up(client, key, "my ads.csv", ADS)
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["error"] == "simulated_store"
    assert body["message"].startswith("my ads.csv: this store holds micromix's simulated market")
    assert "--no-demo" in body["message"] and "mix_with_demo=true" in body["message"]
    assert svc.store.count("ad_performance") == before  # nothing written
    # a dry run writes nothing, so it answers, and says the upload would be refused
    r = _up(client, key, "my ads.csv", ADS, dry_run="true")
    assert r.status_code == 200 and r.json()["dry_run"] is True
    assert any("would be refused" in n for n in r.json()["notes"])
    status = client.get("/api/v1/status", headers={"X-API-Key": key}).json()
    assert (status["simulated"], status["mixed"]) == (True, False)
    # on purpose: written, and the store says it is mixed everywhere
    r = _up(client, key, "my ads.csv", ADS, mix_with_demo="true")
    assert r.status_code == 200 and r.json()["accepted"] == 2
    status = client.get("/api/v1/status", headers={"X-API-Key": key}).json()
    assert status["data"].startswith("simulated + real (mixed): simulated market (users=600")
    assert (status["simulated"], status["mixed"]) == (True, True)
    # the store is mixed (and says so): a later file is not asked about again
    r = _up(client, key, "more.csv", ADS.replace("c1", "c2"))
    assert r.status_code == 200, r.text
    html = client.get("/api/v1/report?n_boot=20", headers={"X-API-Key": key}).text
    assert "Simulated data mixed with real data (simulated + real, mixed)" in html


def test_an_event_batch_does_not_open_the_demo_store_to_files(demo):
    """Events posted to the API mark the simulated store mixed, but are not the user's say-so
    that files may be mixed in: the first file upload is still refused (review r28z #1)."""
    client, _, key = demo
    ev = [
        {"event_id": "real-1", "ts": "2024-01-01T10:00:00Z", "user_id": "u1",
         "event_type": "page_view"},
    ]  # fmt: skip
    r = client.post("/api/v1/events", json=ev, headers={"X-API-Key": key})
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    status = client.get("/api/v1/status", headers={"X-API-Key": key}).json()
    assert status["mixed"] is True
    r = _up(client, key, "my ads.csv", ADS)
    assert r.status_code == 409 and r.json()["error"] == "simulated_store", r.text
    assert _up(client, key, "my ads.csv", ADS, mix_with_demo="true").status_code == 200


def test_the_cli_refuses_the_demo_store_the_same_way(tmp_path):
    from typer.testing import CliRunner

    from micromix.api import seed_demo
    from micromix.cli.main import app
    from micromix.ingest.market import market_label
    from micromix.store import Store

    db = tmp_path / "demo.duckdb"
    with Store.open(db) as st:
        seed_demo(st, users=600, days=7, seed=5)
    ads = tmp_path / "ads.csv"
    ads.write_text(ADS, encoding="utf-8")
    run = CliRunner().invoke
    r = run(app, ["ingest", "ads", str(ads), "--db", str(db)])
    assert r.exit_code != 0
    said = " ".join(r.output.split())
    assert "this store holds micromix's simulated market" in said and "--mix-with-demo" in said
    assert "Traceback" not in r.output
    r = run(app, ["ingest", "ads", str(ads), "--db", str(db), "--mix-with-demo", "--json"])
    assert r.exit_code == 0, r.output
    with Store.open(db, read_only=True) as st:
        assert (market_label(st) or "").startswith("simulated + real (mixed)")


def test_a_store_with_real_rows_is_never_seeded_with_the_demo(tmp_path):
    from micromix.api import Service, ServiceConfig
    from micromix.ingest import ingest_file
    from micromix.store import Store

    db = tmp_path / "traffic.duckdb"
    ga4 = FIXTURES / "ga4_events_report.csv"
    with Store.open(db) as st:
        ingest_file(st, "traffic", ga4)  # web analytics only: no events, no ad reports
    svc = Service.open(str(db), config=ServiceConfig(demo=True, rate=0))
    try:
        assert svc.data_label() == "real data"
        assert svc.store.count("events") == 0
    finally:
        svc.close()


# ------------------------------------------------------------------ the CLI's reading options
def test_unknown_query_parameters_are_refused_by_name(real):
    client, _svc, key = real
    r = _up(client, key, "my ads.csv", ADS, sheet_name="Dataset2", foo="1")
    assert r.status_code == 422
    message = r.json()["message"]
    assert message.startswith("unknown query parameter(s) 'foo', 'sheet_name'; this route takes")
    for name in ("sheet", "strategy", "encoding", "window", "dry_run", "decimal_comma"):
        assert name in message


def test_sheet_is_read_and_said(real, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "Totals"
    first.append(["date", "campaign_id", "platform", "impressions", "clicks", "spend", "currency"])
    first.append(["2024-01-01", "c1", "facebook", 100, 5, 10.5, "EUR"])
    daily = wb.create_sheet("Daily")
    daily.append(["date", "campaign_id", "platform", "impressions", "clicks", "spend", "currency"])
    for day in (1, 2, 3):
        daily.append([f"2024-02-0{day}", "c9", "facebook", 100, 5, 1.5, "EUR"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    client, _svc, key = real
    r = _up(client, key, "book.xlsx", path.read_bytes(), dry_run="true")
    assert r.status_code == 200, r.text
    assert (r.json()["sheet"], r.json()["rows_in_file"]) == ("Totals", 1)
    assert r.json()["sheets"] == ["Totals", "Daily"]
    assert any("'Daily'" in n and "sheet=NAME" in n for n in r.json()["notes"])
    r = _up(client, key, "book.xlsx", path.read_bytes(), sheet="Daily")
    assert r.status_code == 200, r.text
    assert (r.json()["sheet"], r.json()["accepted"], r.json()["dry_run"]) == ("Daily", 3, False)
    r = _up(client, key, "book.xlsx", path.read_bytes(), sheet="Nope")
    assert r.status_code == 422 and "no sheet 'Nope'" in r.json()["message"]
    assert "/tmp" not in r.json()["message"]


def test_strategy_encoding_window_and_dry_run(real):
    client, svc, key = real
    spotify = (FIXTURES / "spotify_ads.csv").read_text(encoding="utf-8")
    r = _up(client, key, "spotify.csv", spotify, currency="AUD", dry_run="true")
    (note,) = [n for n in r.json()["notes"] if "strategy" in n]
    assert "pass strategy=NAME" in note and "--strategy" not in note  # the API's words
    assert svc.store.count("ad_performance") == 0  # the dry run wrote nothing
    r = _up(client, key, "spotify.csv", spotify, currency="AUD", strategy="paid_social")
    assert r.status_code == 200 and not [n for n in r.json()["notes"] if "strategy" in n]
    assert set(svc.store.read("ad_performance")["strategy"]) == {"paid_social"}
    r = _up(client, key, "x.csv", ADS, strategy="bogus")
    assert r.status_code == 422 and r.json()["message"].startswith("strategy='bogus' is not")
    latin = ADS.replace("c1", "café").encode("cp1252")
    r = _up(client, key, "latin.csv", latin, encoding="cp1252")
    assert r.status_code == 200, r.text
    assert r.json()["encoding"] == "cp1252"
    assert "café" in set(svc.store.read("ad_performance")["campaign_id"])
    r = _up(client, key, "w.csv", ADS.replace("c1", "c3"), window="2024-01-02..2024-02-01")
    assert (r.json()["accepted"], r.json()["quarantined"]) == (1, 1)
    r = _up(client, key, "w.csv", ADS, window="2024-01-02")
    assert r.status_code == 422 and "window '2024-01-02' must look like" in r.json()["message"]


def test_the_docs_page_lists_every_parameter(real):
    client, _svc, _key = real
    page = client.get("/docs").text
    text = re.sub(r"<[^>]+>", " ", page)
    for name in ("on_overlap", "currency", "layout", "dayfirst", "decimal_comma", "sheet"):
        assert f"{name} " in text
    assert "mix_with_demo" in text and "(body, multipart/form-data, file, required)" in text
    assert "(413 above)" not in page


# ------------------------------------------------------------------ names, notes and limits
def test_earlier_uploads_are_named_by_their_file_names(real):
    client, _svc, key = real
    assert _up(client, key, "meta_may.csv", META).status_code == 200
    part = "\n".join(META.splitlines()[:-1]) + "\n"  # the same report without one campaign
    r = _up(client, key, "meta_may_b.csv", part)
    assert r.status_code == 422
    message = r.json()["message"]
    assert message.startswith("meta_may_b.csv: overlaps meta_may.csv (ingested ")
    assert "upload:" not in message
    r = _up(client, key, "meta_may_b.csv", part, on_overlap="keep")
    assert r.status_code == 200 and r.json()["overlaps"] == ["meta_may.csv"]


def test_a_new_version_that_drops_stored_rows_says_so(real):
    client, svc, key = real
    assert _up(client, key, "meta.csv", META).json()["accepted"] == 6
    bad = META.replace("2.15,Website purchases,11,21.40", "2.15,Website purchases,11,abc")
    r = _up(client, key, "meta_again.csv", bad)
    assert r.status_code == 200, r.text
    assert (r.json()["removed"], r.json()["quarantined"]) == (1, 1)
    (note,) = [n for n in r.json()["notes"] if "removed" in n]
    assert note.startswith("1 row(s) stored from an earlier version of this export")
    assert svc.store.count("ad_performance") == 5


def test_413_says_split_the_file_declared_or_chunked(fresh_app):
    client, svc = fresh_app(max_body_bytes=2_000)
    key = svc.keys.create("analyst")[0]
    big = ADS + "2024-01-03,c1,facebook,1,1,1.00,EUR\n" * 200
    r = _up(client, key, "big.csv", big)
    assert r.status_code == 413
    assert r.json()["error"] == "too_large" and "split the file" in r.json()["message"]

    def chunks():
        body = b'{"events": [' + b",".join([b'{"event_id": "x"}'] * 300) + b"]}"
        for i in range(0, len(body), 500):
            yield body[i : i + 500]

    r = client.post(
        "/api/v1/events",
        content=chunks(),
        headers={"X-API-Key": key, "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"] == "too_large" and "send smaller batches" in r.json()["message"]


def test_the_report_names_no_server_path(tmp_path):
    from fastapi.testclient import TestClient

    from micromix.api import Service, ServiceConfig, create_app

    db = tmp_path / "secret-folder" / "store.duckdb"
    db.parent.mkdir()
    svc = Service.open(str(db), config=ServiceConfig(demo=False, rate=0))
    try:
        key = svc.keys.create("viewer")[0]
        client = TestClient(create_app(svc), raise_server_exceptions=False)
        html = client.get("/api/v1/report?n_boot=20", headers={"X-API-Key": key}).text
        assert "the micromix server&#x27;s store" in html or "the micromix server's store" in html
        assert "secret-folder" not in html
    finally:
        svc.close()
