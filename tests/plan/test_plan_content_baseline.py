"""The baseline of "User content to amplify": the brand's own ads, in one currency, one level.

Seen on real exports: the predicted CPA of user posts was built from a CPM that added spend in
seven currencies (IDR + INR + AUD + GBP + USD ...) and counted campaign and ad rows of the same
spend twice. Money is never added across currencies: the baseline is in the plan's currency,
and with reports in several currencies the money figures are refused with a sentence; a
platform's reports at two levels over the same days are read at one level.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from micromix.plan import gather_evidence
from micromix.plan.evidence import BRAND_NOTE, NEEDS_BRAND
from micromix.store import Store

EXPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "exports"


def _ads(platform: str, level: str, currency: str, *, spend: float, imps: int, clicks: int):
    days = pd.date_range("2026-06-01", periods=10)
    return pd.DataFrame(
        {
            "date": days,
            "platform": platform,
            "level": level,
            "strategy": "paid_social",
            "spend": spend / len(days),
            "impressions": imps // len(days),
            "clicks": clicks // len(days),
            "conversions": np.nan,
            "currency": currency,
        }
    )


def _posts() -> pd.DataFrame:
    texts = ["love my @pawco bowl", "@pawco treats are great", "sunday walk", "@pawco again"]
    return pd.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(4)],
            "author_id": ["ann", "bob", "ann", "cat"],
            "text": texts,
            "likes": [120, 40, 10, 30],
            "comments": [5, 2, 1, 3],
            "mentions": ["pawco", "pawco", None, "pawco"],
            "ts": pd.date_range("2026-06-01", periods=4, freq="D", tz="UTC"),
        }
    )


def _content(ads: pd.DataFrame):
    st = Store.open(":memory:")
    st.append("ad_performance", ads.reset_index(drop=True))
    st.append("posts", _posts())
    try:
        ev = gather_evidence(st, n_boot=20, parts=("overview", "content"), brand="pawco")
    finally:
        st.close()
    assert ev.content is not None, ev.notes
    return ev, ev.content.ranked


def test_one_currency_the_baseline_is_in_it_and_the_reasons_say_so():
    ev, ranked = _content(_ads("facebook", "campaign", "AUD", spend=500, imps=100_000, clicks=1000))
    base = ranked.attrs["baseline"]
    assert base["currency"] == "AUD" and base["cpm"] == pytest.approx(5.0)
    assert ev.currency == "AUD"
    assert ranked["predicted_cpm"].eq(5.0).all()
    for r in ranked["reasons"]:
        assert ", CPA AUD " in r and "$" not in r


def test_several_currencies_refuse_the_money_figures_with_a_sentence():
    ads = pd.concat(
        [
            _ads("facebook", "campaign", "IDR", spend=9_000_000, imps=100_000, clicks=1000),
            _ads("google", "campaign", "USD", spend=500, imps=50_000, clicks=1000),
        ]
    )
    ev, ranked = _content(ads)
    assert ev.currency is None  # the store's money has no single currency
    base = ranked.attrs["baseline"]
    assert base["cpm"] is None and base["currency"] is None
    # CTR is counts: both currencies' rows pool into it
    assert base["ctr"] == pytest.approx(2000 / 150_000)
    for col in ("predicted_cpm", "predicted_cpc", "predicted_cpa"):
        assert ranked[col].isna().all(), col
    why = "the brand's ads are in 2 currencies (IDR, USD) and money is never added across"
    for r in ranked["reasons"]:
        assert f"; no predicted CPA: {why}" in r and "CPA $" not in r
    assert any(why in n for n in ranked.attrs["notes"])


def test_two_levels_of_one_platform_over_the_same_days_are_read_once():
    campaign = _ads("facebook", "campaign", "AUD", spend=1000, imps=200_000, clicks=2000)
    ad = _ads("facebook", "ad", "AUD", spend=900, imps=150_000, clicks=3000)  # same spend, less
    other = _ads("google", "ad", "AUD", spend=100, imps=50_000, clicks=500)  # its own level
    _, ranked = _content(pd.concat([campaign, ad, other]))
    base = ranked.attrs["baseline"]
    # facebook at campaign level (more impressions) plus google: never campaign + ad
    assert base["cpm"] == pytest.approx(1000 * 1100 / 250_000)
    assert base["ctr"] == pytest.approx(2500 / 250_000)
    assert (
        "the facebook reports in AUD at ad level cover the same days as its campaign level"
        in base["source"]
    )


def test_levels_in_two_currencies_are_two_accounts_not_one_spend():
    aud = _ads("facebook", "campaign", "AUD", spend=1000, imps=200_000, clicks=2000)
    idr = _ads("facebook", "ad", "IDR", spend=9_000_000, imps=100_000, clicks=1000)
    _, ranked = _content(pd.concat([aud, idr]))
    base = ranked.attrs["baseline"]
    assert base["ctr"] == pytest.approx(3000 / 300_000)  # both read
    assert "level" not in base["source"]


@pytest.mark.shared_data
@pytest.mark.skipif(not EXPORTS.exists(), reason=f"{EXPORTS} not present (../shared/data)")
def test_real_exports_in_seven_currencies_give_no_cpa_and_aud_alone_gives_aud(tmp_path):
    from typer.testing import CliRunner

    from micromix.cli.main import app

    runner = CliRunner()

    def ingest(db: str, *args: str) -> None:
        res = runner.invoke(app, ["ingest", *args, "--db", db])
        assert res.exit_code == 0, res.output

    mixed = str(tmp_path / "mixed.duckdb")
    for f in (
        "meta_ads/meta_campaign_daily_idr.csv",
        "meta_ads/meta_ad_level_ids_idr.csv",
        "meta_ads/meta_campaign_age_inr.csv",
        "meta_ads/meta_campaign_daily_aud.csv",
        "google_ads/campaign_report_gbp.csv",
        "google_ads/campaign_daily_saved_report_aud.csv",
        "google_ads/ad_group_report_utf16_usd.csv",
    ):
        ingest(mixed, "ads", str(EXPORTS / f))
    ingest(mixed, "ads", str(EXPORTS / "meta_ads/meta_campaign_day_region_idr.csv"), "--keep-both")
    ingest(mixed, "posts", str(EXPORTS / "posts/tiktok_scraper_trending.json"))
    with Store.open(mixed, read_only=True) as st:
        # real data: no brand is guessed from the posts' mentions
        guessed = gather_evidence(st, n_boot=20, parts=("overview", "content"))
        # the account two of its posts mention, named as the brand
        ev = gather_evidence(st, n_boot=20, parts=("overview", "content"), brand="@mikeohearn")
    assert guessed.content is None
    assert guessed.notes[BRAND_NOTE] == NEEDS_BRAND
    ranked = ev.content.ranked
    assert len(ranked) > 0
    assert ranked["predicted_cpa"].isna().all()
    assert all(
        "no predicted CPA: the brand's ads are in 5 currencies" in r for r in ranked["reasons"]
    )
    assert "facebook reports in IDR at campaign level" in ranked.attrs["baseline"]["source"]

    aud = str(tmp_path / "aud.duckdb")
    ingest(aud, "ads", str(EXPORTS / "google_ads/campaign_daily_saved_report_aud.csv"))
    ingest(aud, "ads", str(EXPORTS / "meta_ads/meta_campaign_daily_aud.csv"))
    ingest(aud, "posts", str(EXPORTS / "posts/tiktok_scraper_trending.json"))
    with Store.open(aud, read_only=True) as st:
        ads = st.read("ad_performance", columns=["spend", "impressions"])
        ev = gather_evidence(st, n_boot=20, parts=("overview", "content"), brand="mikeohearn")
    assert len(ev.content.ranked) > 0
    base = ev.content.ranked.attrs["baseline"]
    assert base["currency"] == "AUD"
    assert base["cpm"] == pytest.approx(1000 * ads["spend"].sum() / ads["impressions"].sum())
    assert all(", CPA AUD " in r for r in ev.content.ranked["reasons"])
