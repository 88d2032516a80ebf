"""The brand-ads baseline of user content never adds money across currencies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.errors import ConfigError
from micromix.social import AdBaseline, BrandSpec, ad_baseline, rank_for_amplification


def _ads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "impressions": [100_000, 50_000, 10_000],
            "clicks": [1000, 1000, 200],
            "spend": [9_000_000.0, 500.0, 30.0],
            "conversions": [10, 20, np.nan],
            "currency": ["IDR", "USD", "usd "],
        }
    )


def _posts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "username": ["ann", "ann", "bob"],
            "caption": ["my pup loves @pawco treats", "sunday walk", "@pawco bowl rocks"],
            "likes": [300, 100, 50],
            "comments": [20, 5, 2],
        }
    )


def test_several_currencies_give_counts_but_no_money():
    base = ad_baseline(_ads())
    assert base.cpm is None and base.currency is None
    assert base.ctr == pytest.approx(2200 / 160_000)
    # CVR pools the rows that report conversions (a row without them is not 0 conversions)
    assert base.cvr == pytest.approx(30 / 2000)
    assert "2 currencies (IDR, USD)" in base.source and "no CPM" in base.source
    ranked = rank_for_amplification(_posts(), BrandSpec("PawCo"), baseline=base)
    assert ranked[["predicted_cpm", "predicted_cpc", "predicted_cpa"]].isna().all().all()
    assert all(
        "no predicted CPA: the brand's ads are in 2 currencies" in r for r in ranked["reasons"]
    )
    assert ranked.attrs["baseline"]["cpm"] is None


def test_a_chosen_currency_reads_its_rows_alone():
    usd = ad_baseline(_ads(), currency="usd")
    assert usd.currency == "USD"
    assert usd.cpm == pytest.approx(1000 * 530 / 60_000)
    assert usd.ctr == pytest.approx(1200 / 60_000)
    idr = ad_baseline(_ads(), currency="IDR")
    assert idr.cpm == pytest.approx(90_000.0)
    ranked = rank_for_amplification(_posts(), BrandSpec("PawCo"), baseline=idr)
    assert all(", CPA IDR " in r for r in ranked["reasons"])
    with pytest.raises(ConfigError, match=r"no rows in GBP \(the ads are in IDR, USD\)"):
        ad_baseline(_ads(), currency="GBP")


def test_ratios_pool_only_rows_that_report_both_counts():
    ads = pd.DataFrame(
        {"impressions": [1000, 9000, np.nan], "clicks": [10, np.nan, 50], "spend": [5.0, 9, 1]}
    )
    base = ad_baseline(ads)
    assert base.ctr == pytest.approx(10 / 1000)  # not 60 / 10_000
    assert base.cpm == pytest.approx(1000 * 14 / 10_000)
    assert base.currency == ""  # no currency stated: none is assumed
    assert base.money(2.5) == "2.50 (currency not stated)"
    assert ad_baseline(ads, currency="EUR").money(2.5) == "EUR 2.50"  # the user states it


def test_a_baseline_without_cpm_must_say_why():
    with pytest.raises(ConfigError, match="must say why"):
        AdBaseline(ctr=0.01, cpm=None)
    assert AdBaseline().money(3.5) == "US$3.50"
    assert AdBaseline(ctr=0.01, currency="GBP").money(3.5) == "GBP 3.50"
