"""The upload endpoint's ``dayfirst`` reaches the layout's own reading of days (a Microsoft weekly
report's week ends), as --dayfirst/--monthfirst do on the command line."""

from __future__ import annotations

import io

WEEKLY = (
    '"Report Name: x"\n"Report Time: {time}"\n"Report Aggregation: Weekly"\n\n'
    "Time period,Campaign name,Impr.,Clicks,Spend,Conv.,Revenue,Currency code\n"
    '"{a}",Brand,1000,50,700,5,900,USD\n"{b}",Generic,1000,50,700,5,900,USD\n'
    '\n"©2026 Microsoft Corporation. All rights reserved."\n'
)


def _upload(client, key, data: str, **params):
    return client.post(
        "/api/v1/ingest/ads",
        params=params,
        headers={"X-API-Key": key},
        files={"file": ("weekly.csv", io.BytesIO(data.encode()), "text/csv")},
    )


def test_upload_reads_a_weekly_report_in_the_order_given(fresh_app):
    client, svc = fresh_app()
    key, _ = svc.keys.create("analyst")
    monthfirst = WEEKLY.format(time="3/1/2026 - 3/12/2026", a="3/1/2026", b="3/8/2026")
    r = _upload(client, key, monthfirst)
    assert r.status_code == 422 and "dayfirst=false or dayfirst=true" in r.json()["message"]
    r = _upload(client, key, monthfirst, dayfirst="false")
    assert r.status_code == 200, r.text
    ads = svc.store.read("ad_performance").sort_values("source_row")
    got = [(f"{a:%Y-%m-%d}", f"{b:%Y-%m-%d}") for a, b in zip(ads["date"], ads["date_end"])]
    assert got == [("2026-03-01", "2026-03-07"), ("2026-03-08", "2026-03-12")]
    dayfirst = WEEKLY.format(time="1/3/2026 - 12/3/2026", a="1/3/2026", b="8/3/2026")
    r = _upload(client, key, dayfirst, dayfirst="true", on_overlap="replace")
    assert r.status_code == 200, r.text
    assert r.json()["period"] == ["2026-03-01", "2026-03-12"]


def test_upload_refuses_a_day_against_the_order_given(fresh_app):
    client, svc = fresh_app()
    key, _ = svc.keys.create("analyst")
    data = WEEKLY.format(time="10/4/2026 - 10/31/2026", a="10/4/2026", b="25/10/2026")
    r = _upload(client, key, data, dayfirst="false")
    assert r.status_code == 422
    msg = r.json()["message"]
    assert msg.startswith("weekly.csv: line 7, field 'Time period': '25/10/2026' can only be")
    assert "as dayfirst=false states; pass dayfirst=true" in msg and "--" not in msg
    assert svc.store.count("ad_performance") == 0
