"""The self-contained HTML report: sections, charts, offline, atomic writes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import micromix.reports as reports
from micromix.errors import ConfigError
from micromix.plan import gather_evidence
from micromix.reports import builder
from micromix.reports.assets import script_safe
from micromix.simulate import SimConfig, simulate
from micromix.store import Store

SECTION_TITLES = ("The plan", "KPI overview", "Trends", "Strategy comparisons", "Data quality")
CHART_RE = re.compile(r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', re.S)


def _sim_store(users: int = 800, days: int = 14, seed: int = 5) -> Store:
    st = Store.open(":memory:")
    for name, table in simulate(SimConfig(users=users, days=days, seed=seed)).tables().items():
        st.append(name, table)
    return st


@pytest.fixture(scope="module")
def sim_store() -> Store:
    return _sim_store()


@pytest.fixture(scope="module")
def sim_html(sim_store: Store) -> str:
    return reports.build_report(gather_evidence(sim_store, n_boot=30), title="Pet brand Q1")


def _specs(html: str) -> list[dict]:
    return [json.loads(body) for _, body in CHART_RE.findall(html)]


def test_every_section_heading_and_comparison_present(sim_html: str) -> None:
    for title in SECTION_TITLES:
        assert f">{title}</h2>" in sim_html
    for q in (
        "User-generated micro-moments vs paid social promotion",
        "Microtargeting vs mass targeting (paid messages)",
        "Micro-influencers vs macro and mega creators",
    ):
        assert f">{q}</h3>" in sim_html
    assert sim_html.count("<strong>Conclusion.</strong>") == 3
    assert sim_html.count("<strong>Uncertainty.</strong>") == 3
    assert "<title>Pet brand Q1</title>" in sim_html
    for label in (
        "Spend",
        "Impressions",
        "Reach",
        "Clicks",
        "Conversions (all)",
        "Revenue (all)",
        "Revenue per ad dollar (attributed)",
        "Ad spend per conversion (attributed)",
        "Engagement rate",
        "Earned media value",
    ):
        assert f'<div class="tile-label">{label}</div>' in sim_html


def test_charts_are_embedded_vega_lite_specs(sim_html: str) -> None:
    specs = _specs(sim_html)
    assert len(specs) >= 4
    assert all("vega-lite" in s["$schema"] for s in specs)
    assert len({cid for cid, _ in CHART_RE.findall(sim_html)}) == len(specs)  # unique ids
    for cid, _ in CHART_RE.findall(sim_html):
        assert f'id="{cid}"' in sim_html
    # the comparison charts carry intervals and the simulator's truth
    layered = [s for s in specs if "layer" in s]

    def series_of(spec: dict) -> set:
        return {r.get("series") for rows in spec["datasets"].values() for r in rows}

    # one per comparison; the lifetime section's charts (one per dimension) are layered too
    layered = [s for s in layered if "incremental ROAS (holdout)" in series_of(s)]
    assert len(layered) == 3
    data = [row for s in layered for rows in s["datasets"].values() for row in rows]
    series = {r.get("series") for r in data}
    assert {"incremental ROAS (holdout)", "attributed ROAS", "true incremental ROAS"} <= series
    inc = [r for r in data if r.get("series") == "incremental ROAS (holdout)"]
    assert inc and all(r["low"] <= r["value"] <= r["high"] for r in inc)


def test_javascript_is_inlined_and_nothing_loads_from_the_network(sim_html: str) -> None:
    attrs = re.findall(r'\b(?:src|href)\s*=\s*["\']([^"\']*)["\']', sim_html, re.I)
    assert not [a for a in attrs if re.match(r"\s*(https?:)?//", a, re.I) or "cdn." in a.lower()]
    assert not re.search(r"<script[^>]*\bsrc\s*=", sim_html, re.I)
    assert not re.search(r"<link\b", sim_html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", sim_html, re.I)
    assert "window.vegaEmbed" in sim_html and "vegaEmbed(" in sim_html
    assert len(sim_html) > 500_000  # the Vega bundle itself is inside


def test_specs_render_offline_to_svg(sim_html: str) -> None:
    import vl_convert as vlc

    for spec in _specs(sim_html)[::3]:
        svg = vlc.vegalite_to_svg({**spec, "width": 400}, vl_version=reports.VEGA_LITE_VERSION)
        assert svg.startswith("<svg") and "<path" in svg


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_inlined_bundle_is_valid_javascript(sim_html: str, tmp_path: Path) -> None:
    scripts = re.findall(r'<script type="module">(.*?)</script>', sim_html, re.S)
    assert len(scripts) == 2
    for i, js in enumerate(scripts):
        f = tmp_path / f"s{i}.mjs"
        f.write_text(js, encoding="utf-8")
        res = subprocess.run(
            ["node", "--check", str(f)], capture_output=True, text=True, timeout=60
        )
        assert res.returncode == 0, res.stderr[:500]


def test_ads_only_store_still_gives_a_report() -> None:
    sim = _sim_store(users=300, days=10, seed=9)
    st = Store.open(":memory:")
    st.append("ad_performance", sim.read("ad_performance"))
    html = reports.build_report(gather_evidence(st, n_boot=20))
    for title in SECTION_TITLES:
        assert f">{title}</h2>" in html
    assert "platform ad reports" in html
    assert "No events in the store" in html
    assert "<strong>Conclusion.</strong>" not in html
    assert _specs(html)  # weekly trends from the ad reports


def _mixed_currency_ads() -> Store:
    """Ad reports only, Instagram's in AUD and the rest in GBP (two ad accounts)."""
    ads = _sim_store(users=300, days=10, seed=9).read("ad_performance")
    ads["currency"] = ads["platform"].map(lambda p: "AUD" if p == "instagram" else "GBP")
    st = Store.open(":memory:")
    st.append("ad_performance", ads)
    return st


def test_money_in_two_currencies_is_shown_per_currency_never_as_dollars() -> None:
    st = _mixed_currency_ads()
    ev = gather_evidence(st, n_boot=20, comparisons=(), parts=("overview", "trends"))
    html = reports.build_report(ev)
    overview = html[html.index(">KPI overview</h2>") : html.index(">Trends</h2>")]
    assert "<h3>In AUD</h3>" in overview and "<h3>In GBP</h3>" in overview
    assert "2 currencies (AUD, GBP)" in overview
    assert "$" not in overview  # no figure is labelled with a currency it is not in
    aud = ev.kpis.set_index("currency").loc["AUD", "spend"]
    assert f"AUD {aud:,.2f}" in overview
    by = ev.kpis_by_platform.set_index("platform")
    assert f"<td>AUD {by.loc['instagram', 'spend']:,.2f}</td>" in overview
    assert f"<td>£{by.loc['tiktok', 'spend']:,.2f}</td>" in overview
    assert "<th>currency</th>" in overview
    series = {  # weekly lines: one per strategy and currency, never added across them
        row["strategy"]
        for spec in _specs(html)
        for rows in spec.get("datasets", {}).values()
        for row in rows
        if "strategy" in row
    }
    assert {s.rsplit(" in ", 1)[1] for s in series} == {"AUD", "GBP"}
    assert "paid_social in AUD" in series and "paid_social in GBP" in series


def test_empty_store_reports_failing_data_check() -> None:
    html = reports.build_report(gather_evidence(Store.open(":memory:"), n_boot=20))
    assert "No KPIs:" in html
    assert '<span class="badge fail">fail</span><strong>data_present</strong>' in html
    assert not _specs(html)


def test_write_report_is_atomic(sim_store: Store, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "r.html"
    out.write_text("previous report", encoding="utf-8")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    ev = gather_evidence(sim_store, n_boot=20, comparisons=(), parts=("overview", "quality"))
    monkeypatch.setattr(builder.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        reports.write_report(ev, out)
    assert out.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # no temp file left
    monkeypatch.undo()
    with pytest.raises(ConfigError, match="unknown comparison"):
        gather_evidence(sim_store, comparisons=("nope",))
    assert not (tmp_path / "new.html").exists()
    one = gather_evidence(sim_store, n_boot=20, comparisons=("micro-vs-mass",))
    written = reports.write_report(one, out)
    assert written == out and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_write_report_bad_folder_is_one_clear_error(sim_store: Store, tmp_path: Path) -> None:
    ev = gather_evidence(sim_store, n_boot=20, parts=("quality",))
    with pytest.raises(ConfigError, match="does not exist"):
        reports.write_report(ev, tmp_path / "missing" / "r.html")
    with pytest.raises(ConfigError, match="n_boot"):
        gather_evidence(sim_store, n_boot=5)


def test_progress_is_reported(sim_store: Store) -> None:
    seen: list[tuple[str, float]] = []
    ev = gather_evidence(sim_store, n_boot=20, comparisons=(), parts=("overview", "quality"))
    reports.build_report(ev, progress=lambda s, f: seen.append((s, f)))
    fracs = [f for _, f in seen]
    assert fracs == sorted(fracs) and fracs[-1] == 1.0
    assert any("Data quality" in s for s, _ in seen)


class _Broken(builder.Section):
    lookup_name = "zz-broken"
    title = "Broken extra"
    optional = True

    def render(self, ctx: builder.ReportContext) -> str:
        raise RuntimeError("kaput")


class _Absent(builder.Section):
    lookup_name = "zz-absent"
    title = "Needs a missing module"
    module = "micromix.does_not_exist_anywhere"
    optional = True

    def render(self, ctx: builder.ReportContext) -> str:  # pragma: no cover - never called
        return "should not appear"


class _NoData(builder.Section):
    lookup_name = "zz-nodata"
    title = "Needs surges"
    module = "micromix.store"
    part = "moments"
    optional = True

    def render(self, ctx: builder.ReportContext) -> str:  # pragma: no cover - never called
        return "should not appear"


def test_optional_sections_are_guarded(sim_store: Store, monkeypatch) -> None:
    monkeypatch.setattr(builder, "SECTIONS", builder.SECTIONS.copy())
    for cls in (_Broken, _Absent, _NoData):
        builder.register_section(cls)
    ev = gather_evidence(sim_store, n_boot=20, comparisons=(), parts=("overview", "quality"))
    html = reports.build_report(ev)
    assert ">Broken extra</h2>" in html and "RuntimeError: kaput" in html
    assert "Needs a missing module" not in html and "Needs surges" not in html
    sec = builder.get_section("zz-broken")
    assert type(builder.Section.from_dict(sec.to_dict())) is _Broken
    with pytest.raises(ConfigError, match="unknown report section"):
        builder.get_section("nope")


def test_script_safe_keeps_script_open() -> None:
    assert "</script" not in script_safe('x = "</script><!-- y"').lower()
    assert script_safe("a < b && /</g") == "a < b && /</g"  # other '</' left alone


def _isort_key(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_public_surface_is_sorted() -> None:
    assert reports.__all__ == sorted(reports.__all__, key=_isort_key)
    for mod in (builder, reports.assets, reports.charts, reports.html):
        assert mod.__all__ == sorted(mod.__all__, key=_isort_key)
        assert all(hasattr(mod, n) for n in mod.__all__)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium not installed"
)
def test_report_draws_charts_in_headless_chromium(sim_html: str, tmp_path: Path) -> None:
    f = tmp_path / "r.html"
    f.write_text(sim_html, encoding="utf-8")
    res = subprocess.run(
        [
            "/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=10000",
            "--dump-dom",
            f.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "no_proxy": "*"},
    )
    assert res.stdout.count("<svg") >= len(_specs(sim_html))


def test_kpi_overview_figures_match_the_metrics_api(sim_store: Store, sim_html: str) -> None:
    from micromix.metrics import compute_kpis

    k = compute_kpis(sim_store).iloc[0]
    assert f'<div class="tile-value">${k["spend"]:,.2f}</div>' in sim_html
    assert f'<div class="tile-value">{int(k["impressions"]):,}</div>' in sim_html
    assert isinstance(pd.Timestamp.now(), pd.Timestamp)


def test_mix_section_is_a_clear_note_on_short_history(sim_html: str) -> None:
    assert ">Mix model and budget</h2>" in sim_html
    assert "too few" in sim_html  # 14 days cannot identify the model: said, not crashed


def test_mix_section_renders_contributions_and_reallocation() -> None:
    st = _sim_store(users=5_000, days=56, seed=9)
    ev = gather_evidence(st, n_boot=30, parts=("comparisons", "mix"))
    html = reports.build_report(ev, sections=["mix"])
    assert "Recommended reallocation of the same spend" in html
    assert "Mix model: what each strategy adds" in html
    assert "Simulator truth vs the mix model" in html and "Caution." in html


def test_content_section_ranks_user_posts_and_creators(sim_store: Store) -> None:
    ev = gather_evidence(sim_store, n_boot=30, parts=("overview", "content"))
    html = reports.build_report(ev, sections=["content"])
    assert "User content to amplify (brand @pawsome)" in html
    assert "Creators to hire" in html and "Micro vs macro creators" in html
    assert "amplification score" in html


def test_moments_section_shows_kpis_and_surges() -> None:
    st = _sim_store(users=4_000, days=28, seed=2)
    html = reports.build_report(
        gather_evidence(st, n_boot=30, parts=("moments",)), sections=["moments"]
    )
    assert ">Micro-moments</h2>" in html and "brand_presence" in html
    assert "injected surges: precision" in html


def test_written_report_is_readable_by_others_and_quality_is_last(
    sim_store: Store, tmp_path
) -> None:
    import os
    import stat

    path = reports.write_report(gather_evidence(sim_store, n_boot=20), tmp_path / "r.html")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    html = path.read_text()
    assert html.rfind('<h2 id="quality">') > html.rfind('<h2 id="comparisons">')


def test_web_analytics_reports_get_their_own_section_only_when_ingested(sim_html: str) -> None:
    assert ">Web and app analytics</h2>" not in sim_html  # the demo has no GA4 reports
    st = Store.open(":memory:")
    st.append(
        "traffic",
        pd.DataFrame(
            {
                "date": pd.to_datetime(["2025-02-01"] * 3).date,
                "date_end": pd.to_datetime(["2025-08-04"] * 3).date,
                "property": "TeeFusion",
                "report": "User acquisition: First user primary channel group",
                "dimension": "First user primary channel group",
                "dimension_value": ["Direct", "Paid Social", "Organic Social"],
                "users": [1209, 603, 142],
                "event_count": [42651, 9343, 1631],
                "source_id": "f",
                "source_row": [1, 2, 3],
            }
        ),
    )
    html = reports.build_report(gather_evidence(st, n_boot=20))
    sec = html[html.index(">Web and app analytics</h2>") :]
    assert "<h3>User acquisition: First user primary channel group</h3>" in sec
    assert "TeeFusion · 2025-02-01 to 2025-08-04 · 3 rows" in sec
    assert (
        "totals of these rows: event count 53,625" in sec
        and "users 1," not in sec.split("<table")[0]
    )
    assert ">Paid Social</td>" in sec and "17.42%" in sec  # 9,343 of 53,625 events
    assert "data_present</strong>: 0 events, 0 ad-report rows and 3 web-analytics rows" in html


def test_ad_reports_at_two_levels_are_shown_apart_and_labelled() -> None:
    # a Meta campaign-level export and a Pinterest ad-level export, both in AUD
    ads = _sim_store(users=300, days=10, seed=9).read("ad_performance")
    ads["currency"] = "AUD"
    ads["level"] = ads["platform"].map(lambda p: "campaign" if p == "instagram" else "ad")
    st = Store.open(":memory:")
    st.append("ad_performance", ads)
    ev = gather_evidence(st, n_boot=20, comparisons=(), parts=("overview",))
    html = reports.build_report(ev)
    assert "<h3>ad-level reports</h3>" in html and "<h3>campaign-level reports</h3>" in html
    assert "come at 2 levels (ad, campaign)" in html
    assert "<th>level</th>" in html


def test_a_store_of_posts_alone_gets_their_own_kpis() -> None:
    sim = _sim_store(users=300, days=10, seed=9)
    st = Store.open(":memory:")
    st.append("posts", sim.read("posts"))
    html = reports.build_report(gather_evidence(st, n_boot=20, comparisons=(), parts=("overview",)))
    overview = html[html.index(">KPI overview</h2>") :]
    assert f"Computed from {len(sim.read('posts')):,} posts" in overview
    for label in ("Posts", "Likes", "Engagements", "Earned media value"):
        assert f'<div class="tile-label">{label}</div>' in overview
    assert "Spend" not in overview.split("</section>")[0]


def test_a_weekly_trend_never_joins_two_levels_into_one_line() -> None:
    """Meta's campaign-level rows and Pinterest's ad-level rows of one strategy: two lines,
    not one zig-zagging between them; a strategy at one level keeps its plain name."""
    from micromix.reports.charts import trend_chart

    weeks = pd.to_datetime(["2026-06-01", "2026-06-01", "2026-06-08", "2026-06-08", "2026-06-01"])
    df = pd.DataFrame(
        {
            "period": weeks,
            "strategy": ["paid_social"] * 4 + ["influencer"],
            "level": ["campaign", "ad", "campaign", "ad", "campaign"],
            "spend": [1000.0, 5.0, 900.0, 7.0, 50.0],
        }
    )
    values = trend_chart(df, "strategy", "spend", "Spend").to_dict()["datasets"]
    rows = next(iter(values.values()))
    names = {r["strategy"] for r in rows}
    assert names == {"paid_social (campaign)", "paid_social (ad)", "influencer (campaign)"}
    one = trend_chart(df[df["level"] == "campaign"], "strategy", "spend", "Spend").to_dict()
    assert {r["strategy"] for r in next(iter(one["datasets"].values()))} == {
        "paid_social",
        "influencer",
    }


def test_creator_tables_that_hire_no_one_say_why() -> None:
    from micromix.influencers import Brief, creator_report_tables, score_creators
    from micromix.plan.evidence import CreatorEvidence, Evidence

    prof = pd.DataFrame(
        {
            "username": ["a", "b"],
            "followers": [5_000_000, 9_000_000],
            "engagement_rate": [0.02, 0.01],
            "category": ["music", "music"],
        }
    )
    brief = Brief(niche="music", budget=5_000)
    ev = Evidence(store_path=":memory:", n_boot=10, level=0.9, seed=0, parts=("content",))
    ev.currency = "AUD"  # the ads' currency; creators' prices are estimated in US dollars
    ev.creators = CreatorEvidence(brief, creator_report_tables(score_creators(prof), brief))
    html = reports.build_report(ev)
    assert "Creators to hire: music brief, budget US$" in html and "AUD" not in html
    assert "No creator to hire for this brief: 2 creators fit the brief but the cheapest" in html
    assert "raise --creator-budget" in html  # the report's own option, not discover's --budget
    assert "No micro creator fits the brief; the cheapest macro+ creator costs about" in html
