"""Browser tests: headless Debian Chromium driven by Playwright against a live server.

Each page loads with data, its charts render (SVG present), the browser console stays free of
errors, and the audience builder refuses a forbidden audience. Screenshots go to
``test-artifacts/dashboard/`` (laptop and phone sizes). Skipped, with the reason, when Chromium
or Playwright is absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from _browser import BROWSER_MARKS, chromium
from _serve import serving

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"

pytest.importorskip("playwright.sync_api", reason="playwright (python package) is not installed")
pytest.importorskip("uvicorn", reason="uvicorn is not installed (micromix[serve])")

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server():
    """A live server on 127.0.0.1 over a small seeded simulated market; yields (url, keys)."""
    from micromix.api import Service, ServiceConfig, create_app, seed_demo
    from micromix.dashboard import static_asset
    from micromix.store import Store

    static_asset("vega.js")  # build the chart bundle once, before the first page asks for it
    store = Store.open(":memory:")
    seed_demo(store, users=4_000, days=56, seed=5)
    svc = Service(store, ServiceConfig(demo=False, rate=0))
    keys = {
        role: svc.keys.create(role, name=f"browser-{role}")[0] for role in ("viewer", "analyst")
    }
    with serving(create_app(svc)) as base:
        yield base, keys
    store.close()


@contextmanager
def serving_tables(tables: dict, name: str, role: str = "viewer") -> Iterator[tuple[str, str]]:
    """A live server over a store holding just ``tables`` (table name to frame); yields
    (url, key of ``role``)."""
    from micromix.api import Service, ServiceConfig, create_app
    from micromix.store import Store

    store = Store.open(":memory:")
    for table_name, frame in tables.items():
        store.append(table_name, frame)
    svc = Service(store, ServiceConfig(demo=False, rate=0))
    key = svc.keys.create(role, name=name)[0]
    try:
        with serving(create_app(svc)) as base:
            yield base, key
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


class Session:
    """A browser page that records console errors and page errors."""

    def __init__(
        self,
        browser,
        base: str,
        key: str,
        *,
        width: int = 1366,
        height: int = 900,
        timezone: str | None = None,
    ):
        self.base = base
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, timezone_id=timezone
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(120_000)  # a busy CI machine
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(f"{base}/login")
        self.page.fill("#api-key", key)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url("**/ui/overview")
        # let the overview finish, so its late answers are not counted against the next page
        self.page.wait_for_function("document.body.dataset.ready !== undefined")

    def _console(self, m) -> None:
        if m.type == "error":
            self.errors.append(m.text)
        elif m.type == "warning":
            self.warnings.append(m.text)

    def open(self, slug: str, timeout: float = 120_000) -> None:
        self.errors.clear()
        self.warnings.clear()
        self.page.goto(f"{self.base}/ui/{slug}")
        self.page.wait_for_function("document.body.dataset.ready !== undefined", timeout=timeout)
        assert self.page.evaluate("document.body.dataset.ready") == "1", self.page.inner_text(
            "#error"
        )

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def svg_count(self, selector: str) -> int:
        return int(self.page.locator(f"{selector} svg").count())

    def x_labels(self, selector: str) -> list[str]:
        """The x-axis labels drawn (not hidden for overlap) on the charts in ``selector``."""
        return list(
            self.page.evaluate(
                """(sel) => [...document.querySelectorAll(sel + " svg .role-axis")]
                  .filter((a) => (a.getAttribute("aria-label") || "").startsWith("X-axis"))
                  .flatMap((a) => [...a.querySelectorAll(".role-axis-label text")])
                  .filter((t) => getComputedStyle(t).opacity !== "0")
                  .map((t) => t.textContent)""",
                selector,
            )
        )

    def overlapping_x_labels(self, selector: str) -> list[str]:
        """The x-axis labels of the chart in ``selector`` that touch their right neighbour."""
        return list(
            self.page.evaluate(
                """(sel) => {
                  const axes = [...document.querySelectorAll(sel + " svg .role-axis")]
                    .filter((a) => (a.getAttribute("aria-label") || "").startsWith("X-axis"));
                  const out = [];
                  for (const a of axes) {
                    const boxes = [...a.querySelectorAll(".role-axis-label text")]
                      .map((t) => ({ el: t, text: t.textContent, r: t.getBoundingClientRect() }))
                      .filter((b) => b.r.width > 0 && getComputedStyle(b.el).opacity !== "0")
                      .sort((p, q) => p.r.left - q.r.left);
                    for (let i = 1; i < boxes.length; i++) {
                      if (boxes[i].r.left < boxes[i - 1].r.right + 2) {
                        out.push(boxes[i - 1].text + boxes[i].text);
                      }
                    }
                  }
                  return out;
                }""",
                selector,
            )
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def analyst(server, browser):
    base, keys = server
    s = Session(browser, base, keys["analyst"])
    yield s
    s.close()


# chart containers that must hold an SVG once the page is ready
PAGE_CHARTS = {
    "overview": ["#trend-chart", "#platform-chart"],
    "compare": ["#cmp-0-chart", "#cmp-1-chart", "#cmp-2-chart"],
    "moments": ["#moment-chart"],
    "content": ["#ugc-chart"],
    "creators": ["#creator-chart"],
    "audience": [],
    "mix": ["#contrib-chart", "#scenario-chart"],
}


@pytest.mark.parametrize("slug", list(PAGE_CHARTS))
def test_dashboard_page_loads_with_data_and_charts(analyst, slug):
    analyst.open(slug)
    for sel in PAGE_CHARTS[slug]:
        assert analyst.svg_count(sel) >= 1, f"{slug}: no chart drawn in {sel}"
        marks = analyst.page.locator(
            f"{sel} svg .mark-symbol path, {sel} svg .mark-rect path, "
            f"{sel} svg .mark-line path, {sel} svg .mark-rule line"
        )
        assert marks.count() >= 1, f"{slug}: the chart in {sel} has no marks"
    assert analyst.page.locator("table tbody tr, #tiles .tile, #checks li").count() > 0
    # the badge is short (the nav keeps to one line); its tooltip and the banner say "simulated"
    assert analyst.page.inner_text("#data-label") == "Demo data"
    assert "simulated market" in (analyst.page.get_attribute("#data-label", "title") or "")
    assert "Simulated data" in analyst.page.inner_text("#sim-banner")
    analyst.shot(f"{slug}-laptop")
    assert analyst.errors == [], f"{slug}: console errors {analyst.errors}"


def test_dashboard_live_feed_shows_moments(analyst):
    analyst.open("moments")
    analyst.page.wait_for_function(
        "document.querySelectorAll('#feed li').length >= 5", timeout=20_000
    )
    first = analyst.page.locator("#feed li .pill").first.inner_text()
    assert first in {"know", "go", "do", "buy", "other"}
    analyst.page.fill("#classify-text", "where can i buy dog food near me")
    analyst.page.click("#classify-form button")
    analyst.page.wait_for_selector("#classify-out td")
    assert analyst.page.locator("#classify-out td").nth(1).inner_text() in {"go", "buy"}


def test_dashboard_classify_shows_the_note_on_a_text_without_evidence(analyst):
    page = analyst.page
    analyst.open("moments")
    hostile = "<b>zqxv</b> blorptang"  # no word the model learnt, and markup to stay text
    page.fill("#classify-text", hostile)
    page.click("#classify-form button")
    page.wait_for_selector("#classify-notes li")
    note = page.inner_text("#classify-notes")
    assert "too few words the intent model learnt" in note, note
    assert page.locator("#classify-out td").nth(1).inner_text() == "other"
    assert page.locator("#classify-out td").first.inner_text() == hostile  # shown as text
    assert page.locator("#classify-out b, #classify-notes b").count() == 0
    # a text the model knows has no note: the last answer's notes do not linger
    page.fill("#classify-text", "where can i buy dog food near me")
    page.click("#classify-form button")
    page.wait_for_function(
        "document.querySelector('#classify-out td').textContent.startsWith('where')"
    )
    assert page.locator("#classify-notes li").count() == 0
    analyst.shot("moments-classify-note")
    assert analyst.errors == [], analyst.errors


def test_dashboard_audience_builder_refuses_forbidden_audience(analyst):
    page = analyst.page
    analyst.open("audience")
    assert page.get_attribute("#export-btn", "disabled") is None  # the default audience passes
    assert page.locator("#checks .pill.fail").count() == 0
    page.select_option("select[name=special_ad_category]", "housing")
    page.click("#check-btn")
    page.wait_for_function("document.getElementById('verdict').className === 'refused'")
    assert page.inner_text("#verdict").startswith("Refused")
    assert "special ad category" in page.inner_text("#verdict")
    assert page.locator("#checks .pill.fail").count() >= 1
    assert page.get_attribute("#export-btn", "disabled") is not None
    analyst.shot("audience-refused")
    page.select_option("select[name=special_ad_category]", "")
    page.click("#check-btn")
    page.wait_for_function("document.getElementById('verdict').className === 'ok'")
    page.click("#export-btn")
    page.wait_for_selector("#export-out p.ok")
    assert "audit log" in page.inner_text("#export-out")
    assert analyst.errors == [], analyst.errors


def test_dashboard_budget_sliders_update_the_scenario(analyst):
    page = analyst.page
    analyst.open("mix")
    before = page.inner_text("#scenario-table")
    slider = page.locator("#sliders input[type=range]").first
    slider.evaluate("(el) => { el.value = el.max; el.dispatchEvent(new Event('input')); }")
    page.wait_for_function(
        "(b) => document.getElementById('scenario-table').innerText !== b",
        arg=before,
        timeout=15_000,
    )
    assert analyst.svg_count("#scenario-chart") >= 1
    assert analyst.errors == [], analyst.errors


def test_dashboard_phone_layout_and_viewer_limits(server, browser):
    base, keys = server
    s = Session(browser, base, keys["viewer"], width=390, height=844)
    try:
        s.open("overview")
        width = s.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the page scrolls sideways on a phone ({width}px)"
        assert s.svg_count("#trend-chart") == 1
        s.shot("overview-phone")
        s.open("audience")
        assert "analyst" in s.page.inner_text("#verdict")
        assert s.page.get_attribute("#check-btn", "disabled") is not None
        assert s.errors == [], s.errors
    finally:
        s.close()


def test_dashboard_without_key_goes_to_login(server, browser):
    base, _ = server
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(f"{base}/ui/compare")
        page.wait_for_url("**/login?next=*")
        assert page.locator("#api-key").count() == 1
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def ads_server():
    """A live server over ad reports only (no events), in two currencies, one row covering ten
    days: what a marketer has after ingesting a Meta export in AUD and a Google Ads campaign
    report in GBP."""
    import pandas as pd

    from micromix.simulate import SimConfig, simulate

    ads = simulate(SimConfig(users=300, days=10, seed=9)).tables()["ad_performance"]
    ads["currency"] = ads["platform"].map(lambda p: "AUD" if p == "instagram" else "GBP")
    ads["date_end"] = ads["date"]
    ads.loc[ads.index[-1], "date_end"] = ads["date"].iloc[-1] + pd.Timedelta(days=9)
    traffic = pd.DataFrame(  # and a GA4 "Pages and screens" download
        {
            "date": pd.to_datetime(["2025-01-01"] * 2).date,
            "date_end": pd.to_datetime(["2025-12-31"] * 2).date,
            "property": "Shop GA4",
            "report": "Pages and screens: Page path",
            "dimension": "Page path",
            "dimension_value": ["/awnings-sussex/", "/awnings-essex/"],
            "views": [146, 91],
            "users": [103, 63],
            "source_id": "ga4",
            "source_row": [1, 2],
        }
    )
    with serving_tables({"ad_performance": ads, "traffic": traffic}, "browser-ads") as served:
        yield served


def test_dashboard_overview_on_ad_reports_in_two_currencies(ads_server, browser):
    base, key = ads_server
    s = Session(browser, base, key, width=1280)
    try:
        s.open("overview")
        tiles = s.page.inner_text("#tiles")
        assert "spend · aud" in tiles.lower() and "spend · gbp" in tiles.lower()
        assert "$" not in tiles  # no money labelled with a currency it is not in
        # the daily trend cannot be drawn (a row covers ten days): it says why, in its place,
        # and the other blocks still show
        assert "No daily trend" in s.page.inner_text("#trend-chart")
        assert "No incremental returns" in s.page.inner_text("#incr-chart")
        table = s.page.inner_text("#strategy-table")
        assert "currency" in table and "AUD" in table and "£" in table
        assert s.svg_count("#platform-chart") == 1
        assert s.overlapping_x_labels("#platform-chart") == []
        s.page.wait_for_selector("#traffic-card:not([hidden]) table")
        ga = s.page.inner_text("#traffic-card")
        assert "Pages and screens: Page path" in ga and "2025-01-01 to 2025-12-31" in ga
        assert "totals: views 237" in ga and "61.60%" in ga  # 146 of 237 views
        # the only console errors are the refused requests themselves (409 and 422)
        assert all("Failed to load resource" in e for e in s.errors), s.errors
        s.shot("overview-ads-two-currencies")
    finally:
        s.close()


@pytest.fixture(scope="module")
def aud_ads_server():
    """A live server over ad reports in one currency (AUD), no events: the first store of a
    marketer who ingested a Meta and a Google Ads export of one account."""
    from micromix.simulate import SimConfig, simulate

    ads = simulate(SimConfig(users=300, days=10, seed=9)).tables()["ad_performance"]
    ads["currency"] = "AUD"
    with serving_tables({"ad_performance": ads}, "browser-aud") as served:
        yield served


def test_dashboard_overview_on_ad_reports_in_one_currency(aud_ads_server, browser):
    base, key = aud_ads_server
    s = Session(browser, base, key, width=1280)
    try:
        s.open("overview")
        s.page.wait_for_selector("#plan-table table")
        # the plan of ad reports alone: keep today's split, nothing measured
        assert "no randomised holdout" in s.page.inner_text("#plan-headline")
        assert "Attributed ROAS by strategy" in s.page.inner_text("#plan-notes")
        s.page.wait_for_selector("#trend-chart svg")
        chart = s.page.inner_text("#trend-chart") + s.page.inner_html("#trend-chart")
        assert "per day (AUD)" in chart and "per day ($)" not in chart
        assert "$" not in s.page.inner_text("#tiles")
        s.shot("overview-ads-one-currency")
    finally:
        s.close()


@pytest.fixture(scope="module")
def no_events_server():
    """A live server over ad reports without revenue and user posts but no events, and none of
    the posts mentions the brand: a fresh store after ``ingest ads`` and an unrelated
    ``ingest posts``."""
    from micromix.simulate import SimConfig, simulate

    tables = simulate(SimConfig(users=300, days=10, seed=9)).tables()
    posts = tables["posts"].head(40).copy()
    posts["text"] = "a long walk on the beach this morning"
    posts["mentions"] = ""
    posts["hashtags"] = "beach,morning"
    ads = tables["ad_performance"]
    ads["conversion_value"] = None  # an export without a conversion value: no ROAS to draw
    with serving_tables({"ad_performance": ads, "posts": posts}, "browser-no-events") as served:
        yield served


def test_dashboard_comparisons_without_events_say_why_in_each_card(no_events_server, browser):
    base, key = no_events_server
    s = Session(browser, base, key, width=1280)
    try:
        s.open("compare")
        cards = s.page.locator("#comparisons section.card")
        assert cards.count() >= 3
        for k in range(cards.count()):
            text = s.page.inner_text(f"#cmp-{k}-text")
            assert "computing" not in text
            assert "no events in the store" in text, text  # the API's own sentence
        assert s.page.locator("#error").is_hidden()
        assert all("Failed to load resource" in e for e in s.errors), s.errors
        s.shot("compare-no-events")
    finally:
        s.close()


def test_dashboard_content_without_matching_posts_says_so(no_events_server, browser):
    base, key = no_events_server
    s = Session(browser, base, key, width=1280)
    try:
        s.open("content")
        assert s.svg_count("#ugc-chart") == 0  # no empty chart with a lone 0 axis
        assert "does not guess the brand" in s.page.inner_text("#ugc-chart")
        assert "does not guess the brand" in s.page.inner_text("#ugc-table")
        assert s.errors == [] and s.warnings == [], (s.errors, s.warnings)
        s.shot("content-no-matching-posts")
    finally:
        s.close()


def test_dashboard_content_and_creators_on_a_store_without_them(aud_ads_server, browser):
    base, key = aud_ads_server
    s = Session(browser, base, key, width=1280)
    try:
        s.open("content")
        assert "no posts in the store" in s.page.inner_text("#ugc-chart")
        assert s.page.locator("#error").is_hidden()
        s.open("creators")  # no creator profiles: each block says so, no error banner
        for sel in ("#cohort-table", "#creator-chart", "#creator-table"):
            assert "no creator profiles in the store" in s.page.inner_text(sel)
        assert s.page.locator("#error").is_hidden()
    finally:
        s.close()


def test_dashboard_creators_cohort_table_fits_a_laptop(server, browser):
    base, keys = server
    s = Session(browser, base, keys["viewer"], width=1280)
    try:
        s.open("creators")
        box = s.page.locator("#cohort-table .scroll")
        assert box.evaluate("(el) => el.scrollWidth <= el.clientWidth"), (
            "the cohort table is clipped"
        )
        text = s.page.inner_text("#cohort-table")
        assert "micro (<100K)" in text and "spend" in text and "$" in text
        assert s.overlapping_x_labels("#creator-chart") == []
        # the recommended creators: the rate ranked on (shrunk) and the posts behind it, with
        # the reasons on a line of their own, all inside the card without scrolling
        s.page.wait_for_selector("#creator-table td.detail")
        picks = s.page.locator("#creator-table .scroll")
        assert picks.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "picks clipped"
        head = s.page.inner_text("#creator-table thead")
        assert "shrunk eng." in head and "posts" in head and "reasons" not in head
        assert "after shrinkage" in s.page.inner_text("#creator-table td.detail >> nth=0")
        assert s.errors == [], s.errors
        s.shot("creators-1280")
    finally:
        s.close()


def test_dashboard_overview_on_ad_reports_without_revenue(no_events_server, browser):
    base, key = no_events_server
    s = Session(browser, base, key, width=1280)
    try:
        s.open("overview")
        assert s.svg_count("#platform-chart") == 0  # no empty chart
        assert "No ROAS by platform" in s.page.inner_text("#platform-chart")
        assert s.warnings == [], s.warnings
    finally:
        s.close()


# ------------------------------------------------------------------ store defaults (session 26)
@contextmanager
def session(browser, base: str, key: str, **size) -> Iterator[Session]:
    """A :class:`Session` closed on leaving the block."""
    s = Session(browser, base, key, **size)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def real_events_server():
    """A live server over events only, as a real store has them: no currency recorded, no
    simulator tables."""
    from micromix.simulate import SimConfig, simulate

    tables = simulate(SimConfig(users=300, days=10, seed=9)).tables()
    events = tables["events"].to_pandas()
    with serving_tables({"events": events}, "browser-real-events") as served:
        yield served


def test_dashboard_money_symbol_is_the_stores_currency(server, real_events_server, browser):
    base, keys = server
    with session(browser, base, keys["viewer"], width=1280) as s:
        s.open("overview")
        assert "$" in s.page.inner_text("#tiles")  # the simulated market is in USD
        assert s.page.locator("#money-note").is_hidden()
    base, key = real_events_server
    with session(browser, base, key, width=1280) as s:
        s.open("overview")
        tiles = s.page.inner_text("#tiles")
        assert "$" not in tiles and any(ch.isdigit() for ch in tiles)  # never a guessed $
        note = s.page.locator("#money-note")
        assert note.is_visible() and "does not state" in note.inner_text()
        chart = s.page.inner_html("#trend-chart")
        assert "currency not stated" in chart and "per day ($)" not in chart
        assert s.errors == [], s.errors
        s.shot("s26b-overview-unknown-currency")


def test_dashboard_refused_daily_trend_speaks_the_dashboards_terms(ads_server, browser):
    base, key = ads_server
    with session(browser, base, key, width=1280) as s:
        s.open("overview")
        text = s.page.inner_text("#trend-chart")
        assert "No daily trend: 1 ad row(s) cover more than one day" in text, text
        assert "--" not in text and "micromix kpis" not in text, text
        s.shot("s26b-overview-trend-refused")
        s.page.click("#spread-btn")
        s.page.wait_for_selector("#trend-chart svg")
        assert "spread evenly over their days" in s.page.inner_text("#spread-note")
        s.shot("s26b-overview-trend-spread")


def test_dashboard_budget_planner_sends_the_amounts_it_shows(analyst):
    page = analyst.page
    analyst.open("mix")
    boxes = page.locator("#sliders input.amount")
    shown = [float(boxes.nth(i).input_value()) for i in range(boxes.count())]
    assert all(round(v, 2) == v for v in shown)
    with page.expect_request("**/api/v1/mmm/scenario") as req:
        boxes.first.fill("1234.56")
    sent = req.value.post_data_json["spend"]
    assert next(iter(sent.values())) == 1234.56
    assert list(sent.values())[1:] == shown[1:]  # the others exactly as shown, not rounded
    total = 1234.56 + sum(shown[1:])
    page.wait_for_function(
        "(t) => document.getElementById('scenario-table').innerText.includes(t)",
        arg=f"{total:,.2f}",
    )
    # the current mix's total is today's spend to the cent, not a rounded slider position
    assert f"{sum(shown):,.2f}" in page.inner_text("#scenario-table")
    slider = page.locator("#sliders input[type=range]").nth(1)
    with page.expect_request("**/api/v1/mmm/scenario") as req:
        slider.evaluate("(el) => { el.value = el.max; el.dispatchEvent(new Event('input')); }")
    moved = list(req.value.post_data_json["spend"].values())[1]
    assert float(boxes.nth(1).input_value()) == moved  # the label is the value sent
    analyst.shot("s26b-mix-exact-amounts")
    assert analyst.errors == [], analyst.errors


def test_dashboard_content_asks_for_the_brand_when_the_store_has_none(no_events_server, browser):
    base, key = no_events_server
    with session(browser, base, key, width=1280) as s:
        s.open("content")
        assert s.page.input_value("#brand-input") == ""
        assert "Enter your brand" in s.page.inner_text("#ugc-table")
        assert "Pawsome" not in s.page.inner_text("main")
        s.shot("s26b-content-brand-asked")
        with s.page.expect_request("**/api/v1/social/amplify*") as req:
            s.page.fill("#brand-input", "PawCo")
            s.page.click("#brand-form button")
        assert "brand=PawCo" in req.value.url
        s.page.wait_for_function("document.getElementById('ugc-table').innerText.includes('PawCo')")
        assert "No user posts mention PawCo" in s.page.inner_text("#ugc-table")
        assert s.errors == [], s.errors


def test_dashboard_content_starts_with_the_stores_brand(server, browser):
    base, keys = server
    with session(browser, base, keys["viewer"], width=1280) as s:
        s.open("content")
        assert s.page.input_value("#brand-input") == "Pawsome"
        assert s.svg_count("#ugc-chart") == 1


def test_dashboard_creators_show_why_a_cohort_hires_no_one(server, browser):
    base, keys = server
    with session(browser, base, keys["viewer"], width=1280) as s:
        s.open("creators")
        s.page.fill("#brief-form input[name=budget]", "50")
        # the page's first brief already lists notes (the scoring notes): wait for this one's
        with s.page.expect_response("**/api/v1/creators/discover"):
            s.page.click("#brief-form button[type=submit]")
        s.page.wait_for_function(
            "document.querySelector('#cohort-notes').innerText.includes('US$50')"
        )
        assert "over the budget of US$50" in s.page.inner_text("#cohort-notes")
        s.shot("s26b-creators-cohort-note")
        assert s.errors == [], s.errors


# ------------------------------------------------------------------ a real store (session 27)
#: the dashboard's strategy colours (app.js STRATEGY_COLORS) and sentiment colours
PAID_SOCIAL_BLUE = "#0072b2"
SENTIMENT_COLOURS = {"#0072b2", "#999999", "#d55e00"}


def small_market(table: str):
    """Table ``table`` of the small simulated market the real-store fixtures start from."""
    from micromix.simulate import SimConfig, simulate

    return simulate(SimConfig(users=300, days=10, seed=9)).tables()[table]


@pytest.fixture(scope="module")
def levels_server():
    """A live server over ad reports of one account at two levels (campaign and ad, the same
    deliveries), in AUD: a Meta export at campaign level and one at ad level, ingested with
    --keep-both."""
    import pandas as pd

    ads = small_market("ad_performance").assign(currency="AUD")
    both = pd.concat([ads.assign(level="campaign"), ads.assign(level="ad")], ignore_index=True)
    with serving_tables({"ad_performance": both}, "browser-levels") as served:
        yield served


def test_dashboard_overview_tells_report_levels_apart(levels_server, browser):
    base, key = levels_server
    with session(browser, base, key, width=1280) as s:
        s.open("overview")
        head = s.page.locator("#strategy-table thead th").all_inner_texts()
        assert "level" in head, head
        rows = s.page.locator("#strategy-table tbody tr")
        cells = [
            tuple(rows.nth(i).locator("td").all_inner_texts()[:2]) for i in range(rows.count())
        ]
        assert len(cells) == len(set(cells)), cells  # no two rows alike: strategy and level
        bars = s.page.inner_text("#platform-chart")
        assert "(campaign level)" in bars and "(ad level)" in bars
        # the daily trend: straight lines from day to day (no smoothing curves), one colour per
        # strategy from the dashboard's palette, and the levels' points told apart by shape
        s.page.wait_for_selector("#trend-chart svg")
        paths = s.page.locator("#trend-chart svg .mark-line path")
        assert paths.count() >= 2
        ds = [paths.nth(i).get_attribute("d") or "" for i in range(paths.count())]
        assert not any("C" in d for d in ds), "the daily lines are smoothed curves"
        strokes = {
            (paths.nth(i).get_attribute("stroke") or "").lower() for i in range(paths.count())
        }
        assert PAID_SOCIAL_BLUE in strokes, strokes
        assert "report level" in s.page.inner_text("#trend-chart")
        # the only console errors are the refused requests themselves (no events: 409, 422)
        assert all("Failed to load resource" in e for e in s.errors), s.errors
        s.shot("s27h-overview-levels")


def test_dashboard_content_fits_a_laptop_with_rights_in_words(server, browser):
    base, keys = server
    with session(browser, base, keys["viewer"], width=1280) as s:
        s.open("content")
        s.page.wait_for_selector("#ugc-table td.detail")
        box = s.page.locator("#ugc-table .scroll")
        assert box.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "the posts are clipped"
        head = s.page.locator("#ugc-table thead th").all_inner_texts()
        assert "reasons" not in head and "predicted CPA" in head, head
        k = head.index("rights")
        rights = set(
            s.page.locator(f"#ugc-table tr.has-detail td:nth-child({k + 1})").all_inner_texts()
        )
        assert rights and rights <= {"recorded", "none recorded"}, rights
        fills = s.page.eval_on_selector_all(
            "#ugc-chart svg .mark-rect path",
            "(ps) => ps.map((p) => (p.getAttribute('fill') || '').toLowerCase())",
        )
        assert fills and set(fills) <= SENTIMENT_COLOURS, set(fills)
        assert PAID_SOCIAL_BLUE in fills  # positive posts are blue, never red
        assert s.errors == [], s.errors
        s.shot("s27h-content-1280")


@pytest.fixture(scope="module")
def fitness_creators_server():
    """A live server over creator profiles whose most common niche is fitness, nothing else."""
    creators = small_market("creators")
    creators["niche"] = ["fitness" if i % 3 else "pet" for i in range(len(creators))]
    with serving_tables({"creators": creators}, "browser-fitness") as served:
        yield served


def test_dashboard_creators_brief_starts_from_the_creators_niche(fitness_creators_server, browser):
    base, key = fitness_creators_server
    with session(browser, base, key, width=1280) as s:
        s.open("creators")
        assert s.page.input_value("#brief-form input[name=niche]") == "fitness"
        assert "most common niche" in s.page.inner_text("#brief-note")
        # no budget typed: the API's (no influencer spend in events here: the default, said so)
        assert s.page.input_value("#brief-form input[name=budget]") == "5000"
        assert "a default" in s.page.inner_text("#brief-note")
        s.page.fill("#brief-form input[name=budget]", "1")
        with s.page.expect_request("**/api/v1/creators/discover") as req:
            s.page.click("#brief-form button[type=submit]")
        assert req.value.post_data_json["niche"] == "fitness"
        s.page.wait_for_selector("#cohort-notes li")
        notes = s.page.inner_text("#cohort-notes") + s.page.inner_text("#creator-table")
        picks = s.page.inner_text("#creator-table")
        assert picks.startswith("0 of ") and "creators fit the brief" in picks, picks  # why
        assert "No creator has" in s.page.inner_text("#creator-chart")  # no empty chart
        assert "--" not in notes and "1 creators fit" not in notes, notes
        assert s.errors == [], s.errors
        s.shot("s27h-creators-fitness")


@pytest.fixture(scope="module")
def no_events_analyst_server():
    """The store of ``no_events_server`` (ad reports and posts, no events), for an analyst."""
    ads = small_market("ad_performance")
    with serving_tables({"ad_performance": ads}, "browser-no-events-analyst", "analyst") as served:
        yield served


def test_dashboard_mix_and_audiences_say_why_in_place_of_the_placeholder(
    no_events_analyst_server, browser
):
    base, key = no_events_analyst_server
    with session(browser, base, key, width=1280) as s:
        s.open("mix")
        state = s.page.inner_text("#mmm-state")
        assert "fitting" not in state and state.startswith("No mix model: "), state
        assert "no events" in state
        assert "No budget planner" in s.page.inner_text("#sliders")
        assert s.page.get_attribute("#optimize-btn", "disabled") is not None
        assert s.page.locator("#error").is_hidden()
        s.shot("s27h-mix-no-events")
        s.open("audience")
        verdict = s.page.inner_text("#verdict")
        assert "checking" not in verdict and verdict.startswith("Not checked: "), verdict
        assert s.page.locator("#error").is_hidden()
        s.shot("s27h-audience-no-rows")


def test_dashboard_audience_verdict_leads_with_the_observed_lift(analyst):
    # before: "expected incremental conversions 67.7" alone, the model's prediction as the figure
    analyst.open("audience")
    analyst.page.wait_for_function("document.getElementById('verdict').className === 'ok'")
    verdict = analyst.page.inner_text("#verdict")
    observed = verdict.find("Observed incremental conversions")
    predicted = verdict.find("Predicted by the model:")
    assert 0 <= observed < predicted, verdict
    assert re.search(
        r"Observed incremental conversions -?[\d,.]+ \(95% -?[\d,.]+ to -?[\d,.]+\)", verdict
    ), verdict
    assert re.search(r"measured on the [\d,]+ chosen people who were in the experiment", verdict)
    assert "expected incremental conversions" not in verdict
    analyst.shot("s27q-audience-verdict")
    assert analyst.errors == [], analyst.errors


def test_dashboard_navigation_fits_one_line_at_1280(server, browser):
    # before: the badge "Demo data: simulated market (users=..., days=..., seed=...)" pushed the
    # key's role and Log out to a second header line at 1280 px
    base, keys = server
    with session(browser, base, keys["analyst"], width=1280) as s:
        s.open("overview")
        tops = s.page.evaluate(
            """() => [...document.querySelectorAll(
                "header .brand, header nav a, header .who > *")]
              .map((e) => e.getBoundingClientRect()).map((r) => r.top + r.height / 2)"""
        )
        assert max(tops) - min(tops) < 8, f"the header wraps: row middles {tops}"
        badge = s.page.locator("#data-label")
        assert badge.inner_text() == "Demo data"
        assert (badge.get_attribute("title") or "").startswith("Demo data: simulated market (")
        s.shot("s27q-header-1280")


@pytest.fixture(scope="module")
def few_days_server():
    """A live server over a three-day daily ad export (a short CAD report)."""
    import pandas as pd

    ads = small_market("ad_performance").assign(currency="CAD")
    first = ads["date"].min()
    ads = ads[ads["date"] < first + pd.Timedelta(days=3)]
    with serving_tables({"ad_performance": ads}, "browser-few-days") as served:
        yield served


@pytest.mark.parametrize("timezone", ["UTC", "America/Toronto"])
def test_dashboard_daily_chart_of_a_few_days_has_day_ticks_only(few_days_server, browser, timezone):
    # before: ticks every 6 hours ("06 AM", "12 PM", "06 PM") between the three days
    base, key = few_days_server
    with session(browser, base, key, width=1280, timezone=timezone) as s:
        s.open("overview")
        s.page.wait_for_selector("#trend-chart svg")
        labels = s.x_labels("#trend-chart")
        assert labels, "no x-axis labels"
        assert not [t for t in labels if re.search(r"AM|PM|\d:\d\d", t)], labels
        assert len(labels) == len(set(labels)) == 3, labels
        s.shot(f"s27q-trend-few-days-{timezone.replace('/', '-')}")


def test_dashboard_audience_form_prefills_the_amounts_the_store_implies(analyst):
    # before: no field for the value of a conversion (the API used 45, the simulator's order
    # value), and budget 2000 / cost 0.5 written into the form whatever the store held
    page = analyst.page
    analyst.open("audience")
    page.wait_for_function("document.getElementById('verdict').className === 'ok'")
    implied = page.evaluate(
        "fetch('/api/v1/audience/inputs', {headers: {Authorization: 'Bearer ' + "
        "sessionStorage.getItem('micromix.key')}}).then((r) => r.json())"
    )
    for name in ("value_per_conversion", "budget", "cost_per_contact"):
        assert implied[name] is not None, implied
        assert float(page.input_value(f"input[name={name}]")) == implied[name], name
        note = page.inner_text(f"#inputs-notes li[data-field={name}]")
        assert note == implied["input_notes"][name], note
    assert "revenue per converting person" in page.inner_text("#inputs-notes")
    analyst.shot("s28c-audience-amounts")
    # a changed amount is sent as given, and the notes say so
    page.fill("input[name=value_per_conversion]", "12.5")
    page.click("#check-btn")
    page.wait_for_function(
        "document.querySelector('#inputs-notes li[data-field=value_per_conversion]')"
        ".textContent.endsWith('given')"
    )
    page.wait_for_function("document.getElementById('verdict').className === 'ok'")
    assert "microtargeted spend" in page.inner_text("#inputs-notes li[data-field=budget]")
    assert analyst.errors == [], analyst.errors


@pytest.fixture(scope="module")
def silent_audience_server():
    """A store whose holdout records no revenue and which has no events, for an analyst: it
    cannot say what a conversion is worth, nor a budget or a cost per contact."""
    tables = {
        "experiments": small_market("experiments").assign(revenue=None),
        "audience": small_market("audience"),
    }
    with serving_tables(tables, "browser-silent-audience", "analyst") as served:
        yield served


def test_dashboard_audience_form_shows_why_the_store_cannot_say_an_amount(
    silent_audience_server, browser
):
    base, key = silent_audience_server
    with session(browser, base, key, width=1280) as s:
        page = s.page
        s.open("audience")
        for name in ("value_per_conversion", "budget", "cost_per_contact"):
            assert page.input_value(f"input[name={name}]") == "", name
        verdict = page.inner_text("#verdict")
        assert verdict.startswith("Not checked: pass value_per_conversion: "), verdict
        assert "records no revenue for its converting people" in verdict
        notes = page.inner_text("#inputs-notes")
        assert "pass budget: " in notes and "the store has no events" in notes, notes
        assert page.get_attribute("#export-btn", "disabled") is not None
        assert page.locator("#error").is_hidden()
        s.shot("s28c-audience-cannot-say")
        page.fill("input[name=value_per_conversion]", "20")
        page.fill("input[name=budget]", "300")
        page.fill("input[name=cost_per_contact]", "0.2")
        page.click("#check-btn")
        page.wait_for_function("document.getElementById('verdict').className === 'ok'")
        assert page.inner_text("#inputs-notes li[data-field=budget]") == "budget 300: given"


# ------------------------------------------------------------------ a marketer's details (s28j)
@pytest.fixture(scope="module")
def ga4_ads_server():
    """A live server over daily AUD ad reports (reach summed over days: an upper bound) and a
    GA4 User acquisition download with a long dimension name and revenue in no stated
    currency: a real store after ``ingest ads`` and ``ingest traffic``, no events."""
    import pandas as pd

    ads = small_market("ad_performance").assign(currency="AUD", reach=500)
    channels = ["Direct", "Paid Social", "Organic Search", "Organic Social", "Referral"]
    traffic = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-02-01"] * 5).date,
            "date_end": pd.to_datetime(["2025-08-04"] * 5).date,
            "property": "TeeFusion Wordpress",
            "report": "User acquisition: First user primary channel group (Default Channel Group)",
            "dimension": "First user primary channel group (Default Channel Group)",
            "dimension_value": channels,
            "event_count": [42651, 9343, 2551, 1631, 306],
            "key_events": [22, 0, 2, 0, 0],
            "users": [1209, 603, 78, 142, 7],
            "new_users": [1171, 602, 77, 125, 7],
            "returning_users": [58, 20, 14, 4, 2],
            "avg_engagement_seconds": [52.0, 23.5, 94.9, 17.5, 65.4],
            "revenue": [0.0] * 5,
            "source_id": "ga4",
            "source_row": range(1, 6),
        }
    )
    with serving_tables({"ad_performance": ads, "traffic": traffic}, "browser-ga4") as served:
        yield served


def test_dashboard_reach_tiles_say_upper_bound_and_ga4_revenue_states_no_currency(
    ga4_ads_server, browser
):
    base, key = ga4_ads_server
    with session(browser, base, key, width=1280) as s:
        s.open("overview")
        tiles = s.page.inner_text("#tiles")
        # reach summed over days counts a person once a day: at most, as the API flags it
        assert re.search(r"reach[^\n]*\(upper bound\)\s*≤\s*[\d,]+", tiles, re.I), tiles
        s.page.wait_for_selector("#traffic-card:not([hidden]) table")
        ga = s.page.inner_text("#traffic-card")
        assert "revenue (currency not stated) 0.00" in ga, ga
        assert "revenue (currency not stated)" in s.page.inner_text("#traffic-card thead")
        # every amount on the page states its currency or says it is not stated: no banner
        assert s.page.locator("#money-note").is_hidden()
        # the acquisition table shows every column at 1280px: nothing scrolls out of the card
        widths = s.page.evaluate(
            "[...document.querySelectorAll('#traffic-card .scroll')]"
            ".map((d) => [d.scrollWidth, d.clientWidth])"
        )
        assert widths and all(sw <= cw for sw, cw in widths), widths
        assert "share" in s.page.inner_text("#traffic-card thead")
        s.shot("s28j-overview-reach-ga4")


def test_dashboard_empty_views_name_the_upload_route_never_the_cli_or_the_demo(
    no_events_analyst_server, no_events_server, browser
):
    """While 'micromix serve' holds the store the CLI cannot open it, and the demo would mix
    invented rows into real data: the advice names the API's upload route instead."""
    base, key = no_events_analyst_server
    with session(browser, base, key, width=1280) as s:
        s.open("mix")
        state = s.page.inner_text("#mmm-state")
        assert "POST /api/v1/ingest/events" in state, state
        # no model fitted: no empty "Diagnostics" heading
        assert s.page.locator("#mmm-diagnostics").is_hidden()
        s.open("audience")
        verdict = s.page.inner_text("#verdict")
        assert "POST /api/v1/ingest/experiments" in verdict, verdict
        s.open("moments")
        moments = s.page.inner_text("#moment-chart")
        texts = [state, verdict, moments, s.page.inner_text("#error")]
    base, key = no_events_server
    with session(browser, base, key, width=1280) as s:
        s.open("compare")
        texts += [s.page.inner_text("#comparisons")]
        s.open("overview")
        texts += [s.page.inner_text("#incr-chart")]
    for text in texts:
        assert "micromix demo" not in text and "micromix ingest" not in text, text


# ------------------------------------------------------------------ session 29
@pytest.fixture(scope="module")
def caveats_server():
    """A live server over posts about PawCo: a comparison, one with like-for-like tags, a plain
    one, a pet shop's post (an organisation, not user content) and one that puts another bowl
    above PawCo ("cheaper than PawCo": nothing to amplify, left out with a note)."""
    import pandas as pd

    posts = small_market("posts").head(5).copy()
    posts["author_id"] = ["mia", "tom", "lea", "happypetstore", "max"]
    posts["text"] = [
        "my dog loves her new bowl, it looks just like PawCo and she eats every meal",
        "PawCo treats are the best, my pup goes wild #like4like #follow4follow",
        "PawCo harness fits perfectly, no more pulling on walks",
        "PawCo harnesses back in stock at our shop",
        "switched to this bowl, so much cheaper than PawCo and my dog loves it",
    ]
    posts["is_sponsored"] = False
    posts["is_brand_owned"] = False
    posts["mentions"] = ""
    posts["hashtags"] = ""
    posts["ts"] = pd.Timestamp.now(tz="UTC").floor("s")
    with serving_tables({"posts": posts}, "browser-caveats") as served:
        yield served


def test_dashboard_content_shows_caveats_and_notes_at_1280(caveats_server, browser):
    base, key = caveats_server
    with session(browser, base, key, width=1280) as s:
        s.open("content")
        s.page.fill("#brand-input", "PawCo")
        s.page.click("#brand-form button[type=submit]")
        s.page.wait_for_selector("#ugc-table td.caveats")
        head = s.page.locator("#ugc-table thead th").all_inner_texts()
        assert "caveats" in head, head
        k = head.index("caveats")
        caveats = s.page.locator(
            f"#ugc-table tr.has-detail td:nth-child({k + 1})"
        ).all_inner_texts()
        assert sorted(caveats) == ["comparison", "hashtag bait", "none"], caveats
        authors = s.page.locator("#ugc-table tr.has-detail td:nth-child(2)").all_inner_texts()
        assert "happypetstore" not in authors
        notes = s.page.inner_text("#ugc-notes")
        assert "@happypetstore" in notes
        assert "max" not in authors and "put another brand above PawCo" in notes, notes
        box = s.page.locator("#ugc-table .scroll")
        assert box.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "the posts are clipped"
        assert s.errors == [], s.errors
        s.shot("s29-content-caveats-1280")
