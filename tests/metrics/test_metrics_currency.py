"""One rule for the currency of a store's money (:func:`micromix.metrics.store_currency`).

The ad reports state theirs; events state one only in a ``currency`` column of their own (the
contract has none); one currency stated -> that one; none -> None, never a guessed USD;
several -> mixed, refused where one budget is needed. ``micromix kpis`` states the store's
currency for events that record none, as the API's KPI route does.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from _frames import real_events
from micromix.cli.main import app
from micromix.errors import ConfigError
from micromix.metrics import currency_symbol, kpi_currency, store_currency
from micromix.store import Store

runner = CliRunner()


def _ads(*codes: str) -> pd.DataFrame:
    """One ad report row per code (a platform each), with money."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-03-01"] * len(codes)),
            "platform": ["instagram", "tiktok", "facebook"][: len(codes)],
            "strategy": "paid_social",
            "impressions": 1000,
            "clicks": 10,
            "spend": 5.0,
            "currency": list(codes),
        }
    )


def _store(**tables: pd.DataFrame) -> Store:
    st = Store.open(":memory:")
    for name, frame in tables.items():
        st.append(name, frame)
    return st


def test_nothing_stated_is_none_never_usd():
    for st in (_store(), _store(events=real_events())):
        got = store_currency(st)
        assert got.code is None and got.symbol == "" and not got.mixed
        assert got.single() is None
    got = store_currency(_store(events=real_events()))
    assert got.events_unstated and got.events_code is None
    (said,) = got.notes
    assert "states no currency" in said and "--currency" in said and "$" not in said
    assert kpi_currency(_store(events=real_events())) == (None, [])


def test_ad_reports_in_one_currency_give_it_whatever_their_case():
    got = store_currency(_store(ad_performance=_ads("eur", " EUR")))
    assert got.code == "EUR" and got.symbol == "€" and got.ads == ("EUR",)
    assert got.notes == [] and got.single() == "EUR"


def test_real_events_are_taken_to_be_in_the_ads_currency_and_the_answer_says_so():
    st = _store(ad_performance=_ads("EUR"), events=real_events())
    got = store_currency(st)
    assert got.code == "EUR" and got.events_code == "EUR" and not got.simulated
    (said,) = got.notes
    assert "taken to be in EUR" in said
    code, notes = kpi_currency(st, ["strategy"], "auto", option="currency=")
    assert code == "EUR" and "taken to be in EUR" in notes[0] and "currency=" in notes[0]
    # ad reports carry their own: nothing to state for them
    assert kpi_currency(st, [], "ads") == (None, [])


def test_the_simulated_market_is_in_usd():
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate

    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=300, days=7, seed=1)))
    got = store_currency(st)
    assert got.code == "USD" and got.simulated and got.notes == []
    code, notes = kpi_currency(st)
    assert code == "USD" and "simulated market" in notes[0]


def test_several_currencies_are_mixed_and_refused_for_one_budget():
    got = store_currency(_store(ad_performance=_ads("AUD", "GBP")))
    assert got.code is None and got.mixed and got.codes == ("AUD", "GBP")
    assert "per currency" in got.notes[0]
    with pytest.raises(ConfigError, match=r"the ad reports mix currencies \(AUD, GBP\)"):
        got.single()


def _parquet(root, **tables: pd.DataFrame) -> Store:
    """A Parquet folder store: tables keep the columns they are written with (a DuckDB store
    keeps the contract's, and the events contract has no currency)."""
    for name, frame in tables.items():
        (root / name).mkdir(parents=True)
        frame.to_parquet(root / name / "part-0.parquet")
    return Store.open(root, read_only=True)


def test_events_that_record_a_currency_must_agree_with_the_ads(tmp_path):
    with _parquet(
        tmp_path / "a", ad_performance=_ads("EUR"), events=real_events(currency="EUR")
    ) as st:
        got = store_currency(st)
        assert got.code == "EUR" and got.events == ("EUR",) and not got.events_unstated
        assert kpi_currency(st) == (None, [])  # the events state their own
    with _parquet(
        tmp_path / "b", ad_performance=_ads("EUR"), events=real_events(currency="USD")
    ) as st:
        differ = store_currency(st)
    assert differ.mixed and differ.code is None
    with pytest.raises(ConfigError, match="the ad reports state EUR and the events USD"):
        differ.single()
    with _parquet(tmp_path / "c", events=real_events(currency="gbp")) as st:
        alone = store_currency(st)
    assert alone.code == "GBP" and alone.notes == []


def test_currency_symbol_has_none_for_an_unknown_currency():
    assert currency_symbol("USD") == "$" and currency_symbol("AUD") == "AUD"
    assert currency_symbol(None) == "" and currency_symbol("") == ""


def test_cli_kpis_states_the_stores_currency_for_events_like_the_api(tmp_path):
    db = tmp_path / "s.duckdb"
    with Store.open(db) as st:
        st.append("events", real_events())
    res = runner.invoke(app, ["kpis", "--db", str(db), "--json", "--kpis", "cpa"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rows"][0]["currency"] is None  # nothing states one: null
    with Store.open(db) as st:
        st.append("ad_performance", _ads("EUR"))
    res = runner.invoke(app, ["kpis", "--db", str(db), "--json", "--source", "events"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {r["currency"] for r in doc["rows"]} == {"EUR"}
    assert "taken to be in EUR" in res.stderr and "--currency CODE" in res.stderr
    assert any("taken to be in EUR" in n for n in doc["notes"])  # the JSON carries it too
    # a stated currency wins, with no note about the store's
    res = runner.invoke(
        app, ["kpis", "--db", str(db), "--json", "--source", "events", "--currency", "GBP"]
    )
    assert {r["currency"] for r in json.loads(res.stdout)["rows"]} == {"GBP"}
    assert "taken to be" not in res.stderr
