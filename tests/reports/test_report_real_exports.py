"""The report on a store of real-looking exports: long-range rows left out of the trends only,
the brand never guessed, the creator brief said and settable, labels in the block's currency."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import micromix.reports as reports
from micromix.cli.main import app
from micromix.errors import ConfigError
from micromix.plan import gather_evidence
from micromix.plan.build import dated_ad_rows, one_level_per_platform
from micromix.plan.evidence import BRAND_NOTE, NEEDS_BRAND, TRENDS_LEFT_OUT_NOTE
from micromix.simulate import SimConfig, simulate
from micromix.store import Store

CHART_RE = re.compile(r'<script type="application/json" data-chart="([^"]+)">', re.S)


def _sim_ads() -> pd.DataFrame:
    return simulate(SimConfig(users=300, days=14, seed=9)).tables()["ad_performance"]


def _daily_and_long_store() -> Store:
    """A daily AUD export and a 6-month INR age breakdown (one row per age over the period)."""
    daily = _sim_ads()
    daily["currency"] = "AUD"
    daily["date_end"] = pd.NaT
    daily["source_id"] = "exp-daily"
    long = pd.DataFrame(
        {
            "date": pd.Timestamp("2025-02-01"),
            "date_end": pd.Timestamp("2025-08-04"),
            "platform": "facebook",
            "campaign_id": ["Add to Cart_28/06"] * 3,
            "strategy": "paid_social",
            "impressions": [1000, 2000, 3000],
            "clicks": [10, 20, 30],
            "spend": [100.0, 200.0, 300.0],
            "conversions": [1.0, 2.0, 3.0],
            "currency": "INR",
            "source_id": "exp-long",
        }
    )
    st = Store.open(":memory:")
    st.append("ad_performance", pd.concat([daily, long], ignore_index=True))
    st.append(
        "ingest_files",
        pd.DataFrame(
            {
                "source_id": ["exp-daily", "exp-long"],
                "path": ["/data/google_daily_aud.csv", "/data/meta_campaign_age_inr.csv"],
            }
        ),
    )
    return st


def _posts() -> pd.DataFrame:
    """Genuine customer posts (not simulated) that all mention @celebrity."""
    n = 12
    return pd.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(n)],
            "platform": "tiktok",
            "author_id": [f"fan{i % 4}" for i in range(n)],
            "ts": pd.date_range("2026-06-01", periods=n, freq="D"),
            "text": [f"love this workout with @celebrity #{i}" for i in range(n)],
            "likes": [100 + 10 * i for i in range(n)],
            "comments": [5 + i for i in range(n)],
            "shares": [2] * n,
            "views": [2_000 + 100 * i for i in range(n)],
            "is_sponsored": False,
            "is_brand_owned": False,
            "mentions": "@celebrity",
        }
    )


def _real_posts_store() -> Store:
    """Real (not simulated) posts whose most-mentioned account is not the brand."""
    st = Store.open(":memory:")
    st.append("posts", _posts())
    return st


def test_one_long_range_export_leaves_the_daily_series_trends() -> None:
    st = _daily_and_long_store()
    ev = gather_evidence(st, n_boot=20, comparisons=(), parts=("overview", "trends"))
    assert set(ev.trends) == {"strategy", "platform"}
    for df in ev.trends.values():
        assert set(df["currency"].dropna()) == {"AUD"}  # the INR export is out, the AUD in
    said = ev.notes[TRENDS_LEFT_OUT_NOTE]
    assert said == (
        "Left out of the weekly trends: export meta_campaign_age_inr.csv (3 rows, INR, "
        "2025-02-01..2025-08-04), because 3 of its rows cover more than one week each and "
        "cannot be split by week (the KPI overview counts them; 'micromix kpis --grain week "
        "--spread' spreads them evenly over their days)."
    )
    html = reports.build_report(ev)
    trends = html[html.index(">Trends</h2>") :]
    assert "meta_campaign_age_inr.csv (3 rows, INR, 2025-02-01..2025-08-04)" in trends
    assert "No weekly trend" not in trends
    assert CHART_RE.findall(trends)
    assert "Spend (AUD)" in trends and "Spend ()" not in trends  # the currency drawn
    # the overview still counts the long rows (per currency)
    assert "INR" in html[html.index(">KPI overview</h2>") : html.index(">Trends</h2>")]


def test_long_rows_of_no_recorded_export_are_left_out_and_said() -> None:
    st = _daily_and_long_store()
    ads = st.read("ad_performance")
    ads["source_id"] = ads["source_id"].where(ads["source_id"] == "exp-daily", None)
    st = Store.open(":memory:")
    st.append("ad_performance", ads)
    steps: list[tuple[str, float]] = []
    ev = gather_evidence(
        st,
        n_boot=20,
        comparisons=(),
        parts=("trends", "content"),
        progress=lambda s, f: steps.append((s, f)),
    )
    assert set(ev.trends) == {"strategy", "platform"}
    assert ev.notes[TRENDS_LEFT_OUT_NOTE].startswith(
        "Left out of the weekly trends: rows of no recorded export (3 rows, INR, "
        "2025-02-01..2025-08-04), because 3 of its rows"
    )
    fractions = [f for _, f in steps]
    assert fractions == sorted(fractions) and steps[-1] == ("evidence gathered", 1.0)


def test_a_store_of_daily_exports_only_says_nothing_left_out() -> None:
    ads = _sim_ads()
    ads["date_end"] = pd.NaT
    ads["source_id"] = "exp-daily"
    st = Store.open(":memory:")
    st.append("ad_performance", ads)
    ev = gather_evidence(st, n_boot=20, comparisons=(), parts=("trends",))
    assert set(ev.trends) == {"strategy", "platform"}
    assert TRENDS_LEFT_OUT_NOTE not in ev.notes


def test_real_posts_get_no_guessed_brand() -> None:
    st = _real_posts_store()
    ev = gather_evidence(st, n_boot=20, comparisons=(), parts=("content",))
    assert ev.content is None and ev.notes[BRAND_NOTE] == NEEDS_BRAND
    html = reports.build_report(ev, sections=["content"])
    assert "needs the brand" in html and "--brand HANDLE" in html
    assert "@celebrity" not in html


def test_a_given_brand_ranks_its_user_content() -> None:
    st = _real_posts_store()
    ev = gather_evidence(st, brand="@celebrity", n_boot=20, comparisons=(), parts=("content",))
    assert ev.content is not None and ev.content.brand == "celebrity"
    assert len(ev.content.ranked) > 0
    html = reports.build_report(ev, sections=["content"])
    assert "User content to amplify (brand @celebrity)" in html
    assert "Brand @celebrity, as given (--brand)." in html
    with pytest.raises(ConfigError, match="--brand is empty"):
        gather_evidence(st, brand=" @ ", parts=("content",))


def test_brand_baseline_reads_one_level_per_platform_like_the_plan() -> None:
    """Campaign and ad rows of the same days are the same spend: the user content's 'vs brand
    ads' CTR reads one of them, the CTR of exactly the rows the plan keeps."""
    camp = _sim_ads()
    camp["level"] = "campaign"
    ad = camp.copy()
    ad["level"] = "ad"
    ad["impressions"] = ad["impressions"] // 2  # the smaller level is the one left out
    ad["clicks"] = ad["clicks"] * 3
    st = _real_posts_store()
    st.append("ad_performance", pd.concat([camp, ad], ignore_index=True))
    kept, notes = one_level_per_platform(dated_ad_rows(st.read("ad_performance")))
    assert notes and set(kept["level"]) == {"campaign"}
    ctr = kept["clicks"].sum() / kept["impressions"].sum()
    ev = gather_evidence(st, brand="celebrity", n_boot=20, comparisons=(), parts=("content",))
    reasons = " ".join(ev.content.ranked["reasons"])
    assert f"vs {ctr:.2%} brand ads" in reasons
    html = reports.build_report(ev, sections=["content"])
    assert f"one ad level per platform as the plan reads them (CTR {ctr:.2%}" in html


def test_creator_brief_is_said_and_settable() -> None:
    prof = pd.DataFrame(
        {
            "creator_id": ["a", "b", "c"],
            "platform": "instagram",
            "followers": [5_000_000, 9_000_000, 40_000],
            "engagement_rate": [0.02, 0.01, 0.05],
            "niche": ["music", "music", "pets"],
        }
    )
    st = Store.open(":memory:")
    st.append("creators", prof)
    ev = gather_evidence(st, n_boot=20, comparisons=(), parts=("content",))
    html = reports.build_report(ev, sections=["content"])
    assert "The brief: niche music (the most common niche of the creators in the store)" in html
    assert "budget US$5,000 (the default: no influencer spend" in html
    assert "<th>median followers</th>" in html and "<th>followers</th>" not in html
    ev = gather_evidence(
        st, niche="pets", creator_budget=20_000, n_boot=20, comparisons=(), parts=("content",)
    )
    assert (ev.creators.brief.niche, ev.creators.brief.budget) == ("pets", 20_000)
    html = reports.build_report(ev, sections=["content"])
    assert "Creators to hire: pets brief, budget" in html
    assert "niche pets (given with --niche), budget US$20,000 (given with --creator-budget)" in html
    for bad in ({"niche": "basket weaving"}, {"creator_budget": -5.0}, {"creator_budget": 0.0}):
        with pytest.raises(ConfigError):
            gather_evidence(st, parts=("content",), **bad)


def test_report_command_takes_brand_and_brief(tmp_path: Path) -> None:
    db = str(tmp_path / "m.duckdb")
    with Store.open(db) as st:
        st.append("posts", _posts())
    out = tmp_path / "r.html"
    runner = CliRunner()
    res = runner.invoke(
        app, ["report", "--out", str(out), "--db", db, "--n-boot", "20", "--brand", "celebrity"]
    )
    assert res.exit_code == 0, res.output
    assert "User content to amplify (brand @celebrity)" in out.read_text(encoding="utf-8")
    res = runner.invoke(app, ["report", "--out", str(out), "--db", db, "--niche", "nope"])
    assert res.exit_code != 0
    assert "niche 'nope' is unknown" in res.output and "Traceback" not in res.output


def test_roas_label_is_in_each_blocks_currency_and_kpi_table_headers_are_short() -> None:
    ads = _sim_ads()
    ads["currency"] = ads["platform"].map(lambda p: "AUD" if p == "instagram" else "GBP")
    st = Store.open(":memory:")
    st.append("ad_performance", ads)
    html = reports.build_report(gather_evidence(st, n_boot=20, comparisons=(), parts=("overview",)))
    assert "Revenue per AUD of ad spend (attributed)" in html
    assert "Revenue per GBP of ad spend (attributed)" in html
    assert "ad dollar" not in html
    assert "<th>eng. rate</th>" in html and "<th>engagement_rate</th>" not in html
    usd = _sim_ads()
    st = Store.open(":memory:")
    st.append("ad_performance", usd)
    html = reports.build_report(gather_evidence(st, n_boot=20, comparisons=(), parts=("overview",)))
    assert "Revenue per ad dollar (attributed)" in html
