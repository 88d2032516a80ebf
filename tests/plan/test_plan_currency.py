"""The plan's currency is the store's (:func:`micromix.metrics.store_currency`), never a guess.

A real store of events alone states no currency: the plan's text, JSON and report show money
without a symbol (never "$") and say why; events beside ad reports in one currency are taken to
be in it, and the plan says so; events that record a currency other than the ads' are refused
as ads in two currencies are.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import ConfigError
from micromix.plan import make_plan
from micromix.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def market_tables() -> dict[str, pd.DataFrame]:
    from micromix.simulate import SimConfig, simulate

    tables = simulate(SimConfig(users=1_500, days=28, seed=3)).tables()
    return {k: v if isinstance(v, pd.DataFrame) else v.to_pandas() for k, v in tables.items()}


@pytest.fixture(scope="module")
def events_db(market_tables, tmp_path_factory):
    """Events alone, as a real store has them: no currency recorded, no simulator tables."""
    path = tmp_path_factory.mktemp("events_only") / "events.duckdb"
    with Store.open(path) as st:
        st.append("events", market_tables["events"])
    return path


def _no_dollar(text: str) -> list[str]:
    return re.findall(r".{0,40}\$.{0,20}", text)


def test_events_only_plan_prints_no_dollar_and_says_the_currency_is_not_stated(events_db):
    res = runner.invoke(app, ["plan", "--db", str(events_db), "--n-boot", "20"])
    assert res.exit_code == 0, res.output
    assert _no_dollar(res.stdout) == []
    assert "currency not stated" in res.stdout
    assert "states no currency" in " ".join(res.stdout.split())
    res = runner.invoke(app, ["plan", "--db", str(events_db), "--n-boot", "20", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["currency"] is None
    assert _no_dollar(res.stdout) == []
    assert any("states no currency" in n for n in d["notes"])


def test_events_only_report_shows_money_without_a_symbol(events_db, tmp_path):
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["report", "--db", str(events_db), "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text()
    body = re.sub(r"<script.*?</script>", "", html, flags=re.S)  # the chart data and library
    assert _no_dollar(body) == []
    assert "a currency the data does not state" in body
    assert "Spend (currency not stated)" in html and "Spend ()" not in html


def test_events_beside_ad_reports_in_eur_are_planned_in_eur_and_the_plan_says_so(
    market_tables, tmp_path
):
    ads = market_tables["ad_performance"].assign(currency="EUR")
    with Store.open(tmp_path / "eur.duckdb") as st:
        st.append("events", market_tables["events"])
        st.append("ad_performance", ads)
        plan = make_plan(st, n_boot=20)
    d = plan.to_dict()
    assert d["currency"] == "EUR" and plan.symbol == "€"
    assert any("taken to be in EUR" in n for n in d["notes"])
    assert "€" in plan.headline() and _no_dollar(plan.headline()) == []


def test_events_in_another_currency_than_the_ads_are_refused(market_tables, tmp_path):
    # a Parquet store keeps the events' own currency column (the contract has none)
    for name, frame in (
        ("events", market_tables["events"].assign(currency="USD")),
        ("ad_performance", market_tables["ad_performance"].assign(currency="EUR")),
    ):
        (tmp_path / name).mkdir()
        frame.to_parquet(tmp_path / name / "part-0.parquet")
    refused = pytest.raises(ConfigError, match="the ad reports state EUR and the events USD")
    with Store.open(tmp_path, read_only=True) as st, refused:
        make_plan(st, n_boot=20)
