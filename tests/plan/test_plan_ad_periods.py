"""The period of a platform's ad reports is the days its rows cover, not its days with spend.

A report of 31 days with spend on one day covers 31 days: measured by its days with spend, the
plan counted that day's spend 25 times over (a Spotify export of 62 rows, AUD 0.44 on one
day, became AUD 11.00) and took 25 days for the horizon instead of 31. A row without a spend
figure is not spend 0: its spend is unknown and it does not stretch the period.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from micromix.errors import ConfigError
from micromix.plan import make_plan
from micromix.store import Store

EXPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "exports"


def _rows(platform: str, strategy: str, start: str, days: int, spend: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.date_range(start, periods=days),
            "platform": platform,
            "level": "campaign",
            "strategy": strategy,
            "spend": spend,
            "impressions": 1000,
            "clicks": 10,
            "currency": "AUD",
        }
    )


def _plan(ads: pd.DataFrame):
    st = Store.open(":memory:")
    st.append("ad_performance", ads.reset_index(drop=True))
    try:
        return make_plan(st, n_boot=20)
    finally:
        st.close()


def test_zero_spend_days_are_in_the_platforms_period():
    search = _rows("google", "search", "2026-06-01", 10, 10.0)  # AUD 100 over 10 days
    audio = _rows("spotify", "other", "2026-05-27", 20, 0.0)  # 20 days, spend on one
    audio.loc[audio.index[12], "spend"] = 4.0
    plan = _plan(pd.concat([search, audio]))
    r = plan.reallocation
    assert r.horizon_days == 20  # the longest period one platform's rows cover
    current = plan.allocation.set_index("strategy")["current_spend"]
    assert current["other"] == pytest.approx(4.0)  # its own 20 days: not 4.0 * 20
    assert current["search"] == pytest.approx(100.0 * 20 / 10)  # daily rate over 20 days
    notes = " ".join(plan.notes)
    assert "The google reports cover 10 days" in notes
    assert "spotify reports cover" not in notes  # it covers the whole horizon


def test_a_platform_without_any_spend_on_its_days_is_not_planned_but_stretches_nothing_else():
    search = _rows("google", "search", "2026-06-01", 10, 10.0)
    idle = _rows("pinterest", "other", "2026-01-01", 365, 0.0)  # a paused account's year
    plan = _plan(pd.concat([search, idle]))
    assert plan.reallocation.horizon_days == 10  # not the idle report's 365 days
    assert set(plan.allocation["strategy"]) == {"search"}  # no spend, nothing to plan
    current = plan.allocation.set_index("strategy")["current_spend"]
    assert current["search"] == pytest.approx(100.0)  # unscaled
    assert any("The pinterest reports show no spend" in n for n in plan.notes)


def test_rows_without_a_spend_figure_are_unknown_not_zero():
    search = _rows("google", "search", "2026-06-01", 10, 10.0)
    audio = _rows("spotify", "other", "2026-06-01", 5, 2.0)
    unknown = _rows("spotify", "other", "2026-06-06", 25, float("nan"))  # days 6-30: no figure
    plan = _plan(pd.concat([search, audio, unknown]))
    # the rows without a figure neither count as spend 0 nor stretch spotify's period: its
    # AUD 10 over its 5 known days is counted at that rate over the 10-day horizon
    assert plan.reallocation.horizon_days == 10
    current = plan.allocation.set_index("strategy")["current_spend"]
    assert current["other"] == pytest.approx(10.0 * 10 / 5)
    notes = " ".join(plan.notes)
    assert (
        "25 rows of the spotify reports (2026-06-06 to 2026-06-30) give no spend figure: that "
        "spend is unknown (not 0) and is not in the plan's budget." in notes
    )


def test_a_platform_stating_no_spend_figure_at_all_is_said_to_be_left_out():
    search = _rows("google", "search", "2026-06-01", 10, 10.0)
    blank = _rows("spotify", "other", "2026-06-01", 1, float("nan"))
    plan = _plan(pd.concat([search, blank]))
    assert set(plan.allocation["strategy"]) == {"search"}
    assert any(
        "1 row of the spotify reports (2026-06-01) gives no spend figure" in n
        and "nor is the platform, which states none" in n
        for n in plan.notes
    ), plan.notes


def test_undated_rows_without_spend_are_not_refused_but_undated_spend_is():
    search = _rows("google", "search", "2026-06-01", 10, 10.0)
    undated = _rows("google", "search", "2026-06-01", 2, 0.0).assign(date=pd.NaT)
    plan = _plan(pd.concat([search, undated]))
    assert plan.reallocation.horizon_days == 10
    with pytest.raises(ConfigError, match="rows with spend have no date"):
        _plan(pd.concat([search, undated.assign(spend=1.0)]))


@pytest.mark.shared_data
@pytest.mark.skipif(not EXPORTS.exists(), reason=f"{EXPORTS} not present (../shared/data)")
def test_real_aud_exports_spotify_covers_31_days(tmp_path):
    from typer.testing import CliRunner

    from micromix.cli.main import app

    db = str(tmp_path / "aud.duckdb")
    runner = CliRunner()
    for args in (
        ["google_ads/campaign_daily_saved_report_aud.csv"],
        ["meta_ads/meta_campaign_daily_aud.csv"],
        ["other_ads/pinterest_ads_daily.csv", "--currency", "AUD"],
        ["other_ads/spotify_ads_daily.csv", "--currency", "AUD"],
    ):
        res = runner.invoke(app, ["ingest", "ads", str(EXPORTS / args[0]), *args[1:], "--db", db])
        assert res.exit_code == 0, res.output
    with Store.open(db, read_only=True) as st:
        spotify = st.read("ad_performance", columns=["platform", "date", "spend"])
        plan = make_plan(st, n_boot=20)
    spotify = spotify[spotify["platform"] == "spotify"]
    days = (spotify["date"].max() - spotify["date"].min()).days + 1
    assert days == 31 and len(spotify) == 62
    assert plan.reallocation.horizon_days == 31
    notes = " ".join(plan.notes)
    assert "spotify reports cover" not in notes  # AUD 0.44 over its 31 days, not 25x
    assert "The google reports cover 25 days" in notes
    total = spotify["spend"].sum()
    assert total == pytest.approx(0.44)
