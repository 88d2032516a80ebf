from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micromix.errors import ConfigError
from micromix.metrics import KPI_COLUMNS, RATIOS, Ratio, compute_kpis
from micromix.store import Store


def _ads(rows):
    st_ = Store.open(":memory:")
    st_.append("ad_performance", pd.DataFrame(rows))
    return st_


def test_ratios_from_sums_not_average_of_ratios():
    s = _ads(
        {
            "platform": ["facebook"] * 2,
            "campaign_id": ["a", "a"],
            "age": ["x", "x"],
            "impressions": [100, 900],
            "clicks": [10, 9],
            "spend": [1.0, 9.0],
            "conversions": [1.0, 1.0],
            "conversion_value": [5.0, 15.0],
        }
    )
    r = compute_kpis(s, by=["age"], source="ads").iloc[0]
    assert r["ctr"] == pytest.approx(19 / 1000)  # not mean(0.1, 0.01)
    assert r["cpm"] == pytest.approx(10.0)
    assert r["cpc"] == pytest.approx(10 / 19)
    assert r["cpa"] == pytest.approx(5.0)
    assert r["roas"] == pytest.approx(2.0)
    assert r["roi"] == pytest.approx(1.0)


def test_zero_denominators_are_null_not_inf():
    s = _ads(
        {
            "platform": ["facebook"],
            "campaign_id": ["a"],
            "impressions": [0],
            "clicks": [0],
            "spend": [0.0],
            "conversions": [0.0],
        }
    )
    r = compute_kpis(s, source="ads").iloc[0]
    for k in ("ctr", "cpm", "cpc", "cvr", "cpa", "roas", "roi", "engagement_rate"):
        assert pd.isna(r[k]), k


def test_unknown_dimension_and_grain_are_clear():
    s = _ads({"platform": ["facebook"], "campaign_id": ["a"], "impressions": [1], "spend": [1.0]})
    with pytest.raises(ConfigError, match="not in the ads data"):
        compute_kpis(s, by=["colour"], source="ads")
    with pytest.raises(ConfigError, match="grain"):
        compute_kpis(s, by=["platform"], grain="fortnight", source="ads")


def test_events_kpis_match_pandas(market_store, small_market):
    got = compute_kpis(market_store, by=["strategy", "platform"], source="events")
    ev = small_market.events.to_pandas()
    ev = ev[ev["strategy"].notna()]
    for (s, p), g in ev.groupby(["strategy", "platform"]):
        row = got[(got["strategy"] == s) & (got["platform"] == p)].iloc[0]
        imp = (g["event_type"] == "impression").sum()
        assert row["impressions"] == imp
        assert row["clicks"] == (g["event_type"] == "click").sum()
        assert row["reach"] == g.loc[g["event_type"] == "impression", "user_id"].nunique()
        assert row["spend"] == pytest.approx(g["cost"].sum())
        assert row["revenue"] == pytest.approx(
            g.loc[g["event_type"] == "purchase", "revenue"].sum()
        )
        if imp:
            assert row["ctr"] == pytest.approx((g["event_type"] == "click").sum() / imp)
    assert list(got.columns) == ["strategy", "platform", *KPI_COLUMNS]


def test_grain_and_emv(market_store):
    wk = compute_kpis(market_store, by=["platform"], grain="week")
    assert wk["period"].nunique() == 3
    org = compute_kpis(market_store, by=["strategy"])
    ugc = org[org["strategy"] == "ugc_organic"].iloc[0]
    assert ugc["spend"] == 0 and ugc["emv"] > 0
    assert org.loc[org["strategy"] == "paid_social", "emv"].isna().all()


def test_ratio_registry_round_trip():
    r = RATIOS["cpm"]
    assert Ratio.from_dict(r.to_dict()) == r


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10_000), st.integers(0, 500), st.floats(0, 1e4), st.integers(0, 50)
        ),
        min_size=1,
        max_size=30,
    )
)
def test_kpis_equal_pandas_for_random_ads(rows):
    df = pd.DataFrame(
        {
            "platform": "facebook",
            "campaign_id": [f"c{i % 3}" for i in range(len(rows))],
            "impressions": [r[0] for r in rows],
            "clicks": [r[1] for r in rows],
            "spend": [r[2] for r in rows],
            "conversions": [float(r[3]) for r in rows],
        }
    )
    got = compute_kpis(_ads(df), by=["campaign_id"], source="ads").set_index("campaign_id")
    exp = df.groupby("campaign_id")[["impressions", "clicks", "spend", "conversions"]].sum()
    for c, e in exp.iterrows():
        g = got.loc[c]
        assert g["impressions"] == e["impressions"]
        assert g["spend"] == pytest.approx(e["spend"])
        ctr = e["clicks"] / e["impressions"] if e["impressions"] else np.nan
        assert (pd.isna(g["ctr"]) and np.isnan(ctr)) or g["ctr"] == pytest.approx(ctr)
        cpa = e["spend"] / e["conversions"] if e["conversions"] else np.nan
        assert (pd.isna(g["cpa"]) and np.isnan(cpa)) or g["cpa"] == pytest.approx(cpa)
