"""The plan of a store of ad platform reports alone: keep today's split, say which tests to run.

A marketer's first store is usually a few ad exports: spend and what each platform attributes
to itself, no events, no holdout. The plan must not refuse them, and must not move money on
the platforms' own ROAS either.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import ConfigError
from micromix.plan import make_plan
from micromix.store import Store

runner = CliRunner()


def _ads(currency: str = "EUR") -> pd.DataFrame:
    from micromix.simulate import SimConfig, simulate

    ads = simulate(SimConfig(users=400, days=14, seed=5)).tables()["ad_performance"]
    ads["currency"] = currency
    return ads


@pytest.fixture(scope="module")
def ads() -> pd.DataFrame:
    return _ads()


@pytest.fixture(scope="module")
def db(ads, tmp_path_factory):
    path = tmp_path_factory.mktemp("ads_plan") / "ads.duckdb"
    with Store.open(path) as st:
        st.append("ad_performance", ads)
    return path


@pytest.fixture(scope="module")
def plan(db):
    with Store.open(db, read_only=True) as st:
        return make_plan(st, n_boot=20)


def test_keeps_todays_split_and_measures_nothing_it_has_no_evidence_for(plan, ads):
    spend = ads.groupby("strategy")["spend"].sum()
    spend = spend[spend > 0]
    d = plan.to_dict()
    rows = {r["strategy"]: r for r in d["allocation"]}
    assert set(rows) == set(spend.index)
    for s, v in spend.items():
        assert rows[s]["current_spend"] == pytest.approx(v)
        assert rows[s]["recommended_spend"] == pytest.approx(v)
        # no holdout: what the spend adds is unknown, so null, never 0 or the attributed figure
        assert rows[s]["expected_incremental_revenue"] is None
        assert rows[s]["low"] is None and rows[s]["high"] is None
    assert d["budget"] == pytest.approx(spend.sum())
    days = (ads["date"].max() - ads["date"].min()).days + 1
    assert d["horizon_days"] == days
    assert d["currency"] == "EUR"
    # nothing measures what a move would change: the gain is undefined (null), not 0
    assert d["expected_gain"] is None and d["probability_of_gain"] is None
    assert "truth" not in d  # ad reports carry no simulator truth
    (action,) = [a for a in d["actions"] if a["kind"] == "reallocate"]
    assert action["amount"] == 0.0 and action["effect"] is None
    assert action["confidence"] == "low"
    assert "randomised holdout" in action["what"]
    assert "attributed" in action["evidence"]
    assert "no randomised holdout" in d["headline"]


def test_the_notes_give_the_platforms_own_roas_recomputed(plan, ads):
    notes = " ".join(plan.notes)
    assert "not what the spend added" in notes
    for dim in ("strategy", "platform"):
        g = ads.groupby(dim)[["spend", "conversion_value"]].sum()
        for name, r in g[g["spend"] > 0].iterrows():
            assert f"{name} {r['conversion_value'] / r['spend']:.2f} on €" in notes, (name, notes)


def test_a_budget_is_split_like_today(db, ads):
    with Store.open(db, read_only=True) as st:
        d = make_plan(st, budget=1000.0, n_boot=20).to_dict()
    spend = ads.groupby("strategy")["spend"].sum()
    spend = spend[spend > 0]
    for r in d["allocation"]:
        share = spend[r["strategy"]] / spend.sum()
        assert r["recommended_spend"] == pytest.approx(1000.0 * share)


def test_cli_prints_the_plan_and_its_confidence(db):
    res = runner.invoke(app, ["plan", "--db", str(db), "--n-boot", "20"])
    assert res.exit_code == 0, res.output
    assert "not measured" in res.output
    # a bracketed label is text, not console markup that swallows it
    assert "[low confidence]" in res.output
    # no change is no change: "$0", never "+$0"
    assert "+€0" not in res.output and "€0" in res.output, res.output
    res = runner.invoke(app, ["plan", "--db", str(db), "--n-boot", "20", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert all(r["expected_incremental_revenue"] is None for r in d["allocation"])


def test_ad_reports_in_two_currencies_are_refused_in_one_sentence(tmp_path):
    ads = _ads()
    ads.loc[ads["platform"] == ads["platform"].iloc[0], "currency"] = "GBP"
    with Store.open(tmp_path / "two.duckdb") as st:
        st.append("ad_performance", ads)
        with pytest.raises(ConfigError, match="mix currencies"):
            make_plan(st, n_boot=20)


def test_ad_reports_without_spend_are_refused(tmp_path):
    ads = _ads()
    ads["spend"] = 0.0
    with Store.open(tmp_path / "free.duckdb") as st:
        st.append("ad_performance", ads)
        with pytest.raises(ConfigError, match="no spend"):
            make_plan(st, n_boot=20)


def test_the_report_opens_with_the_plan(db, tmp_path):
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["report", "--db", str(db), "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text()
    plan_at = html.index('class="plan"')
    assert "no randomised holdout measures yet" in html[plan_at:]
    assert "+€0<" not in html and "€0<" in html


def _plan_of(tmp_path, ads, name="s.duckdb", **kw):
    with Store.open(tmp_path / name) as st:
        st.append("ad_performance", ads)
        return make_plan(st, n_boot=20, **kw)


def test_a_platform_reporting_fewer_days_is_counted_at_its_daily_rate(tmp_path):
    ads = _ads()
    platform = sorted(ads["platform"].unique())[0]
    first = ads["date"].min()
    short = (ads["platform"] == platform) & (ads["date"] >= first + pd.Timedelta(days=7))
    ads = ads[~short].reset_index(drop=True)  # its report covers the first 7 of 14 days
    plan = _plan_of(tmp_path, ads)
    days = 14
    assert plan.reallocation.horizon_days == days
    own = ads.assign(
        rate=ads["spend"] * ads["platform"].map(lambda p: days / 7 if p == platform else 1.0)
    )
    want = own.groupby("strategy")["rate"].sum()
    got = plan.allocation.set_index("strategy")["current_spend"]
    for s, v in want[want > 0].items():
        assert got[s] == pytest.approx(v)
    assert any(f"The {platform} reports cover 7 days" in n for n in plan.notes), plan.notes


def test_reports_of_one_platform_at_two_levels_are_refused(tmp_path):
    ads = _ads()
    platform = ads["platform"].iloc[0]
    extra = ads[ads["platform"] == platform].assign(level="ad")
    ads = pd.concat([ads.assign(level="campaign"), extra], ignore_index=True)
    with pytest.raises(ConfigError, match=f"the {platform} reports are at two levels"):
        _plan_of(tmp_path, ads)


def test_levels_over_days_that_do_not_overlap_are_added(tmp_path):
    ads = _ads()
    platform = ads["platform"].iloc[0]
    later = ads[ads["platform"] == platform].assign(
        level="ad", date=lambda d: d["date"] + pd.Timedelta(days=14)
    )
    ads = pd.concat([ads.assign(level="campaign"), later], ignore_index=True)
    plan = _plan_of(tmp_path, ads)
    # both levels of that platform are its spend over its 28 days (the horizon); the others
    # report 14 days and count at their daily rate
    assert plan.reallocation.horizon_days == 28
    mine = ads["platform"] == platform
    want = ads.loc[mine, "spend"].sum() + 2 * ads.loc[~mine, "spend"].sum()
    assert plan.reallocation.budget == pytest.approx(want)


def test_spend_without_a_strategy_is_planned_not_dropped(tmp_path):
    ads = _ads()
    rows = ads.index[:3]
    ads.loc[rows, "strategy"] = None
    plan = _plan_of(tmp_path, ads)
    alloc = plan.allocation.set_index("strategy")["current_spend"]
    assert alloc["unassigned"] == pytest.approx(ads.loc[rows, "spend"].sum())
    assert plan.reallocation.budget == pytest.approx(ads["spend"].sum())
    assert any("'unassigned'" in n for n in plan.notes)


def test_spend_rows_without_a_date_are_refused(tmp_path):
    ads = _ads()
    ads["date"] = pd.NaT
    with pytest.raises(ConfigError, match="no date"):
        _plan_of(tmp_path, ads)
