"""The report's trends on stores of several exports, currencies and accounts.

A reviewer's store of real exports (Meta AUD and IDR, Google Ads AUD, GBP, CAD and an undated
USD ad-group download) showed: spend in IDR and AUD on one axis (the AUD lines flat at zero),
lines joined across months with no data, an undated export neither drawn nor named, "per $"
labels on an AUD store, and a 92-row daily analytics table. Small generated stores here.
"""

from __future__ import annotations

import json
import re

import pandas as pd

import micromix.reports as reports
from micromix.metrics.traffic import TrafficReport
from micromix.plan import gather_evidence
from micromix.plan.evidence import Evidence
from micromix.reports import builder, charts
from micromix.simulate import SimConfig, simulate
from micromix.store import Store

CHART_RE = re.compile(r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', re.S)


def _specs(html: str) -> list[dict]:
    return [json.loads(body) for _, body in CHART_RE.findall(html)]


def _rows(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def _daily(start: str, days: int, **cols: object) -> pd.DataFrame:
    base = {"platform": "facebook", "strategy": "paid_social", "spend": 10.0}
    base |= {"impressions": 1000, "clicks": 20, "level": "campaign"}
    return pd.DataFrame({"date": pd.date_range(start, periods=days), **(base | cols)})


def _mixed_store() -> Store:
    """Daily AUD and IDR exports months apart, an undated USD download ("All time") and a GBP
    report over four weeks."""
    st = Store.open(":memory:")
    aud = _daily("2026-06-01", 21, currency="AUD", spend=40.0, source_id="aud")
    idr = _daily("2025-11-24", 28, currency="IDR", spend=120_000.0, source_id="idr")
    usd = _daily("2026-01-01", 3, currency="USD", spend=100.0, platform="google")
    usd = usd.assign(date=pd.NaT, strategy="search", level="ad_set", source_id="usd")
    gbp = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-27"]),
            "date_end": pd.to_datetime(["2026-02-23"]),
            "platform": "google",
            "strategy": "search",
            "spend": 1164.1,
            "impressions": 9000,
            "clicks": 90,
            "currency": "GBP",
            "level": "campaign",
            "source_id": "gbp",
        }
    )
    st.append("ad_performance", pd.concat([aud, idr, usd, gbp], ignore_index=True))
    return st


def _trends_html(st: Store) -> str:
    ev = gather_evidence(st, n_boot=20, comparisons=(), parts=("overview", "trends"))
    return reports.build_report(ev, sections=["trends"])


def test_spend_in_each_currency_is_a_chart_of_its_own() -> None:
    html = _trends_html(_mixed_store())
    spend = [s for s in _specs(html) if s["encoding"]["y"]["field"] == "spend"]
    titles = sorted(s["encoding"]["y"]["title"] for s in spend)
    assert titles == ["Spend (AUD)", "Spend (AUD)", "Spend (IDR)", "Spend (IDR)"]
    for s in spend:  # one currency per money axis
        code = s["encoding"]["y"]["title"][-4:-1]
        names = {r[s["encoding"]["color"]["field"]] for r in _rows(s)}
        assert names and all(n.endswith(f" in {code}") for n in names), names
    assert "each line&#x27;s currency" not in html and "each line's currency" not in html
    # ratios are unitless: one chart, one line per group and currency
    roas = [s for s in _specs(html) if s["encoding"]["y"]["field"] == "ctr"]
    assert len(roas) == 2
    assert {r["platform"] for r in _rows(roas[1])} == {"facebook in AUD", "facebook in IDR"}


def test_a_line_keeps_its_colour_in_every_chart_of_a_section() -> None:
    html = _trends_html(_mixed_store())
    colours: dict[str, str] = {}
    for s in _specs(html):
        scale = s["encoding"]["color"]["scale"]
        for name, colour in zip(scale["domain"], scale["range"]):
            assert colours.setdefault(name, colour) == colour, name


def test_every_spend_the_charts_leave_out_is_named_with_why() -> None:
    html = _trends_html(_mixed_store())
    text = re.sub(r"\s+", " ", html)
    assert "The charts draw AUD and IDR money only; the GBP, USD spend" in text
    assert "google (ad_set-level): none of USD 300.00 spend" in text
    assert "google (campaign-level): none of GBP 1,164.10 spend" in text
    assert "rows with no dates (an &#x27;All time&#x27; download)" in text
    # the evidence's own note on exports over more than a week stays
    assert "Left out of the weekly trends: export gbp" in text


def test_nothing_left_out_says_nothing() -> None:
    st = Store.open(":memory:")
    st.append("ad_performance", _daily("2026-06-01", 14, currency="AUD", source_id="aud"))
    html = _trends_html(st)
    assert "Not drawn in the weekly charts" not in html
    assert "money only" not in html


def test_a_line_breaks_where_no_week_has_rows_and_a_week_without_spend_is_zero() -> None:
    df = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-12-01", "2025-12-08", "2026-03-02", "2026-03-09"]),
            "platform": "facebook",
            "spend": [5.0, 0.0, 7.0, 8.0],
        }
    )
    rows = _rows(charts.chart_spec(charts.trend_chart(df, "platform", "spend", "Spend (AUD)")))
    by_week = {r["period"]: r["spend"] for r in rows}
    assert by_week["2025-12-08"] == 0.0  # rows with no spend: a zero
    gaps = [w for w, v in by_week.items() if v is None]
    assert len(gaps) == 11 and min(gaps) == "2025-12-15" and max(gaps) == "2026-02-23"
    assert [r["period"] for r in rows] == sorted(r["period"] for r in rows)


def test_lines_of_one_week_each_or_no_gap_get_no_filler_rows() -> None:
    df = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-02"]),
            "strategy": ["search", "search", "display"],
            "ctr": [0.01, 0.02, 0.03],
        }
    )
    rows = _rows(charts.chart_spec(charts.trend_chart(df, "strategy", "ctr", "CTR")))
    assert len(rows) == 3 and all(r["ctr"] is not None for r in rows)


def test_money_labels_use_the_store_currency() -> None:
    sim = simulate(SimConfig(users=600, days=14, seed=3))
    st = Store.open(":memory:")
    for name, table in sim.tables().items():
        st.append(name, table)
    ev = gather_evidence(st, n_boot=20, parts=("plan", "comparisons", "overview"))
    usd = reports.build_report(ev, sections=["plan", "comparisons"])
    assert "Incremental revenue per $ of spend" in usd and "Return per $ of spend" in usd
    ev.currency = "AUD"
    assert ev.plan is not None
    ev.plan.currency = "AUD"  # the plan's figures are in the store's currency too
    aud = reports.build_report(ev, sections=["plan", "comparisons"])
    # the report's own labels (the plan's action texts are the plan's: plan/actions.py)
    assert '"muted">Incremental revenue per $' not in aud
    assert '"muted">Incremental return per $' not in aud
    assert "Incremental revenue per AUD of spend" in aud
    assert "Incremental return per AUD measured" in aud
    titles = {json.dumps(s.get("title")) for s in _specs(aud)}
    assert any("Return per AUD of spend" in t for t in titles), titles


def _traffic_evidence(days: int) -> Evidence:
    day = pd.date_range("2020-11-01", periods=days)
    table = pd.DataFrame(
        {
            "dimension_value": day.strftime("%Y-%m-%d").astype("string"),
            "sessions": [float(1000 + 10 * i) for i in range(days)],
            "share": 1.0 / days,
        }
    )
    rep = TrafficReport(
        report="daily_funnel.csv",
        dimension="day",
        property=None,
        first_day=str(day[0].date()),
        last_day=str(day[-1].date()),
        rows=days,
        measure="sessions",
        totals={"sessions": float(table["sessions"].sum())},
        table=table,
        series=True,
    )
    return Evidence(store_path=":memory:", n_boot=10, level=0.9, seed=0, traffic=[rep])


def test_a_long_daily_series_is_a_chart_and_weekly_totals_its_rows_collapsed() -> None:
    html = builder.build_report(_traffic_evidence(92), sections=["traffic"])
    section = html[html.index(">Web and app analytics</h2>") :]
    assert "<details><summary>All 92 days</summary>" in section
    visible = section.split("<details>")[0]
    assert visible.count("<tr>") <= 16  # 14 weeks (one of them partial) and the header
    assert "<h4>Weekly totals</h4>" in visible and "week of (Monday)" in visible
    # 2020-11-01 is a Sunday: its week holds one day of the series, and says so
    assert re.search(r"2020-10-26</td><td[^>]*>1</td><td[^>]*>1,000</td>", visible)
    (spec,) = _specs(html)
    assert spec["encoding"]["x"]["field"] == "day" and len(_rows(spec)) == 92


def test_a_short_series_stays_a_table() -> None:
    html = builder.build_report(_traffic_evidence(7), sections=["traffic"])
    assert "<details>" not in html and "Weekly totals" not in html
    assert html.count("2020-11-0") >= 7
