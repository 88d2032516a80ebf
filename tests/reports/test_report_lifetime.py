"""The customer-lifetime-value report section renders clv.lifetime_returns tables."""

from __future__ import annotations

import json
import re

import pytest

from micromix.plan import Evidence
from micromix.reports import build_report, get_section


@pytest.fixture(scope="module")
def lifetime_tables():
    from micromix.clv import lifetime_returns
    from micromix.ingest.market import load_market
    from micromix.metrics.compare import DEFAULT_TIERS
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    with Store.open(":memory:") as st:
        load_market(st, simulate(SimConfig(users=20_000, days=28, seed=4, observe_days=140)))
        return {
            by: lifetime_returns(st, by=by, n_draws=40, tiers=DEFAULT_TIERS)
            for by in ("strategy", "targeting")
        }


def _evidence(**parts) -> Evidence:
    ev = Evidence(store_path=":memory:", n_boot=30, level=0.9, seed=0, parts=("lifetime",))
    for k, v in parts.items():
        setattr(ev, k, v)
    return ev


def test_the_section_shows_lifetime_beside_first_purchase_roas(lifetime_tables):
    html = build_report(_evidence(lifetime=lifetime_tables), sections=["lifetime"])
    assert '<h2 id="lifetime">Customer lifetime value by acquisition strategy</h2>' in html
    assert "Lifetime vs first-purchase ROAS by targeting" in html
    for head in ("first-purchase ROAS", "lifetime ROAS", "incremental lifetime ROAS"):
        assert f"<th>{head}</th>" in html
    # one chart per dimension with paid groups, each a Vega-Lite spec holding the lifetime ROAS
    specs = re.findall(
        r'<script type="application/json" data-chart="[^"]+">(.*?)</script>', html, re.S
    )
    assert len(specs) == 2
    t = lifetime_tables["targeting"].set_index("group")
    values = {
        (d["group"], d["series"]): d["value"]
        for spec in specs
        for ds in json.loads(spec)["datasets"].values()
        for d in ds
    }
    assert values[("micro", "lifetime ROAS")] == pytest.approx(t.loc["micro", "lifetime_roas"])


def test_the_section_is_optional_and_explains_a_missing_part():
    sec = get_section("lifetime")
    assert sec.optional and not sec.available(_evidence())
    ev = _evidence()
    ev.note("lifetime", "no repeat purchases in the store")
    assert sec.available(ev)
    html = build_report(ev, sections=["lifetime"])
    assert "no repeat purchases in the store" in html


def test_a_refusal_shared_by_every_group_is_said_once(lifetime_tables):
    from micromix.reports.lifetime import lifetime_section_html

    t = lifetime_tables["targeting"].copy()
    reason = "refused: the purchases cover 4.0 weeks, too short a history for a 52-week forecast"
    t["note"] = reason
    html = lifetime_section_html({"targeting": t}, chart=lambda spec: "<figure>chart</figure>")
    assert html.count(reason) == 1 and "<b>every group</b>" in html
    assert "<figure>chart</figure>" in html  # lifetime ROAS to chart
    refused = t.assign(lifetime_roas=float("nan"))  # none: no chart of first purchases alone
    html = lifetime_section_html({"targeting": refused}, chart=lambda spec: "<figure>c</figure>")
    assert "<figure>c</figure>" not in html and html.count(reason) == 1
    t.loc[t.index[0], "note"] = ""  # reasons that differ stay per group
    html = lifetime_section_html({"targeting": t}, chart=lambda spec: "")
    assert html.count(reason) == len(t) - 1 and "every group" not in html
