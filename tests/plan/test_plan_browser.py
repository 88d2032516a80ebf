"""In a real browser: the plan opens the report and the dashboard, and no key column of a
comparison table needs horizontal scrolling on a 1280-pixel screen.

Headless Debian Chromium driven by Playwright. Screenshots go to the test's tmp folder (the path
is printed). Skipped, with the reason, when Chromium or Playwright is absent.
"""

from __future__ import annotations

import pytest

from _browser import BROWSER_MARKS, chromium
from _serve import serving

WIDTH, HEIGHT = 1280, 900

pytest.importorskip("playwright.sync_api", reason="playwright (python package) is not installed")

pytestmark = BROWSER_MARKS

#: JavaScript: every table container that scrolls sideways, with its widths
OVERFLOWING = """(sel) => [...document.querySelectorAll(sel)]
  .map((d) => ({w: d.scrollWidth, c: d.clientWidth, head: d.querySelector('th') ?
    d.querySelector('th').textContent : ''}))
  .filter((d) => d.w > d.c + 1)"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def store():
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=6_000, days=42, seed=8)))
    yield st
    st.close()


def _page(browser):
    ctx = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = ctx.new_page()
    page.set_default_timeout(180_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return ctx, page, errors


def test_the_report_opens_with_the_plan_and_fits_a_laptop_screen(browser, store, tmp_path):
    from micromix.plan import gather_evidence
    from micromix.reports import write_report

    path = write_report(gather_evidence(store, n_boot=40, seed=2), tmp_path / "report.html")
    ctx, page, errors = _page(browser)
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelectorAll('.chart svg').length >= 3")
    first_h2 = page.eval_on_selector("main h2", "e => e.textContent")
    assert first_h2 == "The plan"
    box = page.eval_on_selector(".plan", "e => e.getBoundingClientRect().top")
    assert box < HEIGHT / 2, "the plan starts in the upper half of the first screen"
    assert page.is_visible(".banner") and "Simulated data" in page.inner_text(".banner")
    for shot in ("top", "full"):
        page.screenshot(path=str(tmp_path / f"report-{shot}.png"), full_page=shot == "full")
    # the comparisons' key tables and the plan's table: no horizontal scrolling
    assert page.evaluate(OVERFLOWING, "#sec-comparisons .scroll, #sec-plan .scroll") == []
    assert page.locator("#sec-comparisons table.key").count() == 3
    assert errors == [], errors  # no Vega warning (a dropped tooltip field, a conflict) or error
    print(f"report screenshots: {tmp_path}")
    ctx.close()


@pytest.fixture(scope="module")
def server():
    pytest.importorskip("uvicorn", reason="uvicorn is not installed (micromix[serve])")
    from micromix.api import Service, ServiceConfig, create_app, seed_demo
    from micromix.dashboard import static_asset
    from micromix.store import Store

    static_asset("vega.js")
    st = Store.open(":memory:")
    seed_demo(st, users=6_000, days=42, seed=5)
    svc = Service(st, ServiceConfig(demo=False, rate=0))
    key = svc.keys.create("viewer", name="browser-plan")[0]
    with serving(create_app(svc)) as base:
        yield base, key
    st.close()


def _login(page, base: str, key: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#api-key", key)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/ui/overview")


def _ready(page) -> None:
    page.wait_for_function("document.body.dataset.ready !== undefined", timeout=300_000)
    assert page.evaluate("document.body.dataset.ready") == "1", page.inner_text("#error")


def test_the_dashboard_overview_leads_with_the_plan(browser, server, tmp_path):
    base, key = server
    ctx, page, errors = _page(browser)
    _login(page, base, key)
    _ready(page)
    cards = page.eval_on_selector_all("main section.card", "els => els.map(e => e.id)")
    assert cards[0] == "plan-card"
    top = page.eval_on_selector("#plan-card", "e => e.getBoundingClientRect().top")
    assert top < HEIGHT / 2
    headline = page.inner_text("#plan-headline")
    assert headline and not headline.startswith(("No plan", "Working out")), headline
    assert page.locator("#plan-actions li").count() >= 3
    assert page.is_visible("#sim-banner") and "Simulated data" in page.inner_text("#sim-banner")
    page.screenshot(path=str(tmp_path / "dashboard-overview.png"))
    page.screenshot(path=str(tmp_path / "dashboard-overview-full.png"), full_page=True)
    # every table of the overview (the plan's, the attributed KPIs by strategy) fits
    assert page.evaluate(OVERFLOWING, "main .scroll") == []
    page.goto(f"{base}/ui/compare")
    _ready(page)
    page.wait_for_function("document.querySelectorAll('#comparisons table').length >= 3")
    assert page.evaluate(OVERFLOWING, "#comparisons .scroll") == []
    page.screenshot(path=str(tmp_path / "dashboard-compare.png"), full_page=True)
    assert not [e for e in errors if "Dropping" in e], errors
    print(f"dashboard screenshots: {tmp_path}")
    ctx.close()
