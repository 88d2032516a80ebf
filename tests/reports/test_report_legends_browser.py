"""The report's chart legends, drawn by headless Chromium at 1280 and 1920 px: every series name
is whole (not run off the chart, not cut short with an ellipsis).

Before: ad reports in two currencies named their trend lines "paid_social in IDR" and the like,
and the three-column legend ran off the right edge of the 347 px chart at both widths.
Screenshots are written to ``test-artifacts/report-legends/``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import micromix.reports as reports
from _browser import BROWSER_MARKS, chromium_path
from micromix.plan import gather_evidence
from micromix.reports import charts, vega_bundle
from micromix.reports.html import chart_div, page
from micromix.simulate import SimConfig, simulate
from micromix.store import Store

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report-legends"
WIDTHS = (1280, 1920)

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright (python package) is not installed"
)

pytestmark = BROWSER_MARKS

#: every legend and axis text of every chart that is clipped: outside its chart's SVG, outside
#: the chart's box on the page, or cut short by Vega's label limit ("…")
CLIPPED = r"""
() => [...document.querySelectorAll('.chart')].flatMap((box) => {
  const svg = box.querySelector('svg.marks');
  if (!svg) return [{chart: box.id, text: '(no chart drawn)'}];
  const s = svg.getBoundingClientRect(), c = box.getBoundingClientRect();
  const texts = svg.querySelectorAll(
    '.role-legend-label text, .role-legend-title text, .role-axis-label text, '
    + '.role-axis-title text, .role-title-text');
  return [...texts].flatMap((t) => {
    const b = t.getBoundingClientRect();
    const out = (r) => b.left < r.left - 0.5 || b.right > r.right + 0.5
      || b.top < r.top - 0.5 || b.bottom > r.bottom + 0.5;
    return out(s) || out(c) || t.textContent.endsWith('…')
      ? [{chart: box.id, text: t.textContent, left: b.left, right: b.right, svg: [s.left, s.right]}]
      : [];
  });
})
"""


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def _clipped(browser, html: str, name: str, width: int) -> tuple[int, list[dict]]:
    """(charts drawn, clipped texts) of ``html`` at ``width`` px; saves a full-page screenshot."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    f = ARTIFACTS / f"{name}.html"
    f.write_text(html, encoding="utf-8")
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f.as_uri())
    n = pg.locator(".chart").count()
    pg.wait_for_function(f"document.querySelectorAll('.chart svg.marks').length >= {n}")
    pg.wait_for_timeout(300)  # legends are laid out after the marks
    bad = pg.evaluate(CLIPPED)
    pg.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    ctx.close()
    f.unlink()
    assert errors == [], errors
    return n, bad


def _ads_in_two_currencies() -> Store:
    """Ad reports like the Meta AUD and IDR exports side by side: every trend line is named
    "<group> in <currency>"."""
    ads = simulate(SimConfig(users=400, days=21, seed=4)).tables()["ad_performance"]
    ads["currency"] = ads["platform"].map(lambda p: "IDR" if p == "facebook" else "AUD")
    st = Store.open(":memory:")
    st.append("ad_performance", ads)
    return st


@pytest.mark.parametrize("width", WIDTHS)
def test_report_legends_are_whole_on_ad_reports_in_two_currencies(browser, width: int) -> None:
    ev = gather_evidence(_ads_in_two_currencies(), n_boot=20, comparisons=(), parts=("trends",))
    html = reports.build_report(ev, sections=["trends"])
    assert " in IDR" in html and " in AUD" in html
    n, bad = _clipped(browser, html, "ads-two-currencies", width)
    assert n >= 4 and bad == [], bad


@pytest.mark.parametrize("width", WIDTHS)
def test_long_series_names_wrap_in_the_legend_and_stay_whole(browser, width: int) -> None:
    names = [
        "paid_social in IDR",
        "ugc_amplified (campaign, AUD)",
        "a custom strategy named at length in the events table",
        "averyveryverylongcampaignidentifierwithnospacesatall_2026",
        "tiktok",
    ]
    rows = [
        {"period": f"2026-03-{d:02d}", "strategy": s, "spend": 10.0 * i + d}
        for i, s in enumerate(names)
        for d in (2, 9, 16)
    ]
    spec = charts.chart_spec(
        charts.trend_chart(pd.DataFrame(rows), "strategy", "spend", "Spend (each line's currency)")
    )
    body = '<div class="charts">' + "".join(chart_div(f"c{i}", spec) for i in range(3)) + "</div>"
    n, bad = _clipped(browser, page("legends", body, bundle=vega_bundle()), "long-names", width)
    assert n == 3 and bad == [], bad


#: the drawn segments ("M" moves) of every line of every chart, by chart id
LINE_SEGMENTS = r"""
() => Object.fromEntries([...document.querySelectorAll('.chart')].map((box) => [box.id,
  [...box.querySelectorAll('.mark-line path')].map((p) => (p.getAttribute('d') || '')
    .split('M').length - 1)]))
"""


def _ads_months_apart() -> Store:
    """Meta daily reports in AUD and IDR, and a second IDR export three months after the first:
    spend is one chart per currency, and the IDR line breaks over the months with no rows."""
    ads = simulate(SimConfig(users=400, days=21, seed=4)).tables()["ad_performance"]
    ads = ads[ads["platform"] == "facebook"].copy()
    late = ads.assign(date=pd.to_datetime(ads["date"]) + pd.Timedelta(days=91))
    ads = pd.concat(
        [ads.assign(currency="AUD"), ads.assign(currency="IDR"), late.assign(currency="IDR")]
    )
    st = Store.open(":memory:")
    st.append("ad_performance", ads)
    return st


@pytest.mark.parametrize("width", WIDTHS)
def test_spend_per_currency_and_lines_break_over_months_without_rows(browser, width) -> None:
    ev = gather_evidence(_ads_months_apart(), n_boot=20, comparisons=(), parts=("trends",))
    html = reports.build_report(ev, sections=["trends"])
    assert "Spend (AUD)" in html and "Spend (IDR)" in html
    n, bad = _clipped(browser, html, "ads-months-apart", width)
    assert n >= 6 and bad == [], bad
    f = ARTIFACTS / "months-apart.html"
    f.write_text(html, encoding="utf-8")
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    pg = ctx.new_page()
    pg.goto(f.as_uri())
    pg.wait_for_function(f"document.querySelectorAll('.chart svg.marks').length >= {n}")
    segments = pg.evaluate(LINE_SEGMENTS)
    ctx.close()
    f.unlink()
    # every chart of the IDR line draws it in two pieces (no line across the months between);
    # the AUD spend charts (one per dimension) draw one unbroken line
    unbroken = [c for c, lines in segments.items() if lines == [1]]
    assert len(unbroken) == 2, segments
    assert all(sorted(lines) == [1, 2] or lines == [2] for c, lines in segments.items()
               if c not in unbroken), segments  # fmt: skip
