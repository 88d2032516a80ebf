from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micromix.errors import ConfigError, DataValidationError, InputFileError
from micromix.metrics import (
    KPI_COLUMNS,
    POST_KPI_COLUMNS,
    RATIOS,
    FxRates,
    Ratio,
    clear_query_cache,
    compute_kpis,
    kpi_expr,
    query_cache_info,
    resolve_kpis,
)
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
    assert list(got.columns) == ["strategy", "platform", "currency", *KPI_COLUMNS]
    assert got["currency"].isna().all()  # the events record no currency and none was stated


def test_grain_and_emv(market_store):
    wk = compute_kpis(market_store, by=["platform"], grain="week")
    assert wk["period"].nunique() == 3
    org = compute_kpis(market_store, by=["strategy"])
    ugc = org[org["strategy"] == "ugc_organic"].iloc[0]
    assert ugc["spend"] == 0 and ugc["emv"] > 0
    # no organic impressions: nothing earned (0), not unknown
    assert (org.loc[org["strategy"] == "paid_social", "emv"] == 0).all()


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
        # a cost per result of a group that spent nothing is undefined (null), not $0.00
        cpa = e["spend"] / e["conversions"] if e["conversions"] and e["spend"] else np.nan
        assert (pd.isna(g["cpa"]) and np.isnan(cpa)) or g["cpa"] == pytest.approx(cpa)


# ------------------------------------------------------------------ subsets and the query cache
def test_subset_outputs_only_what_is_asked_and_equals_the_full_set(market_store):
    full = compute_kpis(market_store, by=["platform"], source="events")
    sub = compute_kpis(market_store, by=["platform"], source="events", kpis="ctr,engagement_rate")
    assert list(sub.columns) == ["platform", "ctr", "engagement_rate"]  # no money: no currency
    pd.testing.assert_frame_equal(sub, full[["platform", "ctr", "engagement_rate"]])
    money = compute_kpis(market_store, by=["platform"], source="events", kpis=["CPA", "roas"])
    assert list(money.columns) == ["platform", "currency", "cpa", "roas"]
    pd.testing.assert_frame_equal(money, full[["platform", "currency", "cpa", "roas"]])


def test_subset_query_leaves_out_the_scans_it_does_not_need():
    import ibis

    from micromix.schema import SCHEMAS

    types = {"string": "string", "int": "int64", "float": "float64", "timestamp": "timestamp"}
    ev = ibis.table(
        {f.name: types.get(f.dtype, "string") for f in SCHEMAS["events"].fields}, name="events"
    )
    full = ibis.to_sql(kpi_expr(ev, source="events", by=["platform"]), dialect="duckdb")
    ctr = ibis.to_sql(kpi_expr(ev, source="events", by=["platform"], kpis="ctr"), dialect="duckdb")
    cpa = ibis.to_sql(kpi_expr(ev, source="events", by=["platform"], kpis="cpa"), dialect="duckdb")
    assert "COUNT(DISTINCT" in full and "> 0" in full  # reach and the EMV's paid CPM
    for sub in (ctr, cpa):
        assert "COUNT(DISTINCT" not in sub and "JOIN" not in sub and "> 0" not in sub
    assert "'purchase'" in cpa and "'purchase'" not in ctr
    assert max(len(ctr), len(cpa)) < len(full) / 3


def test_compiled_query_is_cached_per_request_shape(market_store):
    clear_query_cache()
    a = compute_kpis(market_store, by=["platform"], kpis="ctr")
    assert query_cache_info()["misses"] == 1
    b = compute_kpis(market_store, by=["platform"], kpis="ctr")
    assert query_cache_info()["hits"] == 1
    pd.testing.assert_frame_equal(a, b)
    compute_kpis(market_store, by=["platform"], kpis="ctr,cpa")  # another KPI set
    compute_kpis(market_store, by=["platform"], grain="week", kpis="ctr")  # another grain
    compute_kpis(market_store, by=["strategy"], kpis="ctr")  # other dimensions
    assert query_cache_info()["misses"] == 4
    # a write changes what the query returns, never a stale answer
    market_store.append(
        "events",
        pd.DataFrame(
            {
                "event_id": ["x1", "x2"],
                "ts": pd.to_datetime(["2026-03-03", "2026-03-03"]),
                "user_id": ["zz", "zz"],
                "event_type": ["impression", "click"],
                "platform": ["pinterest", "pinterest"],
            }
        ),
    )
    c = compute_kpis(market_store, by=["platform"], kpis="ctr")
    assert c.set_index("platform").loc["pinterest", "ctr"] == 1.0


def test_unknown_kpi_is_one_clear_sentence(market_store):
    with pytest.raises(ConfigError, match=r"unknown KPI 'ctrr' for the events source; choose"):
        compute_kpis(market_store, kpis="ctrr")
    with pytest.raises(ConfigError, match="not defined for ad reports"):
        resolve_kpis("ads", "emv")


# -------------------------------------------------------------------------- currencies
def _money_ads():
    return _ads(
        {
            "date": pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-01", "2024-03-01"]),
            "platform": ["facebook"] * 4,
            "campaign_id": ["a", "a", "b", "c"],
            "impressions": [1000, 1000, 500, 100],
            "clicks": [10, 30, 5, 1],
            "spend": [10.0, 20.0, 100.0, 7.0],
            "conversions": [1.0, 1.0, 2.0, 0.0],
            "currency": ["USD", "usd", "GBP", None],
        }
    )


def test_money_is_never_summed_across_currencies():
    got = compute_kpis(_money_ads(), by=["platform"], source="ads", kpis="spend,cpc,ctr")
    assert got["currency"].tolist() == ["GBP", "USD", None]  # null currency is its own group
    assert got["spend"].tolist() == [100.0, 30.0, 7.0]
    assert got["cpc"].tolist() == [20.0, 0.75, 7.0]
    only_ctr = compute_kpis(_money_ads(), by=["platform"], source="ads", kpis="ctr")
    assert len(only_ctr) == 1 and only_ctr["ctr"].iloc[0] == pytest.approx(46 / 2600)


def test_fx_converts_with_user_rates_only(tmp_path):
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate_to,rate\nGBP,USD,1.25\n")
    fx = FxRates.read_csv(rates)
    st_ = _money_ads()
    with pytest.raises(ConfigError, match="some money has no currency recorded"):
        compute_kpis(st_, by=["platform"], source="ads", kpis="spend", fx=fx)
    st_.sql("UPDATE ad_performance SET currency = 'INR' WHERE currency IS NULL")
    with pytest.raises(ConfigError, match=r"no INR->USD rate in rates.csv"):
        compute_kpis(st_, by=["platform"], source="ads", kpis="spend", fx=fx)
    st_.sql("DELETE FROM ad_performance WHERE currency = 'INR'")
    got = compute_kpis(st_, by=["platform"], source="ads", kpis="spend,cpa", fx=fx)
    assert got.to_dict("records") == [
        {"platform": "facebook", "currency": "USD", "spend": 155.0, "cpa": 155.0 / 4}
    ]
    assert any("converted to USD" in n for n in got.attrs["notes"])
    with pytest.raises(ConfigError, match=r"no GBP->USD rate \(no --fx rates file was given\)"):
        compute_kpis(st_, by=["platform"], source="ads", kpis="spend", to="USD")


def test_dated_fx_rates_apply_from_their_date(tmp_path):
    rates = tmp_path / "monthly.csv"
    rates.write_text("date,currency,rate\n2024-03-02,GBP,2.0\n2024-02-01,GBP,1.0\n")
    fx = FxRates.read_csv(rates, to="usd")
    st_ = _ads(
        {
            "date": pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-05"]),
            "platform": ["facebook"] * 3,
            "campaign_id": ["a"] * 3,
            "impressions": [1, 1, 1],
            "spend": [10.0, 10.0, 10.0],
            "currency": ["GBP"] * 3,
        }
    )
    got = compute_kpis(st_, source="ads", kpis="spend", fx=fx)
    assert got["spend"].iloc[0] == pytest.approx(10 * 1.0 + 10 * 2.0 + 10 * 2.0)
    early = FxRates.read_csv(
        _write(tmp_path / "late.csv", "date,currency,rate\n2024-03-02,GBP,2\n"), to="USD"
    )
    with pytest.raises(ConfigError, match=r"no GBP->USD rate on or before 2024-03-01"):
        compute_kpis(st_, source="ads", kpis="spend", fx=early)


def _write(path, text):
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("currency,rate_to,rate\nGBP,USD,1,27\n", r"x.csv, row 2: 4 fields"),
        (
            "currency,rate_to,rate\nGBP,USD,abc\n",
            r"x.csv, row 2, field 'rate': 'abc' is not a positive",
        ),
        ("currency,rate_to,rate\nGBP,USD,-1\n", r"row 2, field 'rate'"),
        ("currency,rate_to,rate\nPOUND,USD,1.2\n", r"row 2, field 'currency': 'POUND'"),
        ("currency,rate_to,rate\nGBP,USD,1.2\nEUR,GBP,0.8\n", r"row 3, field 'rate_to': GBP"),
        ("currency,rate_to,rate\nGBP,USD,1.2\nGBP,USD,1.3\n", r"row 2: GBP has more than one"),
        ("date,currency,rate\n03/01/2024,GBP,1.2\n", r"field 'date': '03/01/2024' is not a date"),
        ("when,currency,rate\n2024-01-01,GBP,1.2\n", r"x.csv: header .* is not a rates file"),
        ("", r"x.csv: the rates file is empty"),
    ],
)
def test_bad_rates_files_are_refused_naming_row_and_field(tmp_path, text, match):
    with pytest.raises((DataValidationError, ConfigError), match=match):
        FxRates.read_csv(_write(tmp_path / "x.csv", text), to="USD")


def test_rates_files_are_read_like_any_file(tmp_path):
    # semicolons and decimal commas (a European Excel CSV), UTF-16, dates through read_timestamps
    semi = tmp_path / "semi.csv"
    semi.write_text("Date;Currency;Rate\n2024-01-01;gbp;1,25\n\n2024-02-01;GBP;1,3\n")
    fx = FxRates.read_csv(semi, to="USD")
    assert fx.rates["rate"].tolist() == [1.25, 1.3] and fx.dated
    assert fx.rates["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-02-01"]
    u16 = tmp_path / "u16.csv"
    u16.write_bytes("currency,rate_to,rate\nEUR,USD,1.08\n".encode("utf-16"))
    assert FxRates.read_csv(u16).rates.to_dict("records") == [{"currency": "EUR", "rate": 1.08}]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("currency;rate_to;rate\nGBP;USD;1,234\n", r"row 2, field 'rate': '1,234' may be"),
        (
            "currency;rate_to;rate\nGBP;USD;1,25\nEUR;USD;1.08\n",
            r"row 3, field 'rate': '1.08' is written with a decimal point",
        ),
        ("currency,rate_to,rate\nGBP,USD,\n", r"row 2, field 'rate': .* is not a positive"),
        ("currency,rate_to,rate\nGBP,,1.2\n", r"row 2, field 'rate_to': is empty"),
        ("date,currency,rate\n2024-02-30,GBP,1.2\n", r"'2024-02-30' is not a date \(not a valid"),
        ("date,currency,rate\n2024-02-01 10:00,GBP,1.2\n", r"is not a date \(a time of day"),
        ("currency,rate_to,rate\nGBP,USD,1.2\n\nGBP,USD,1.3\n", r"row 2: GBP has more than one"),
    ],
)
def test_rates_that_read_two_ways_or_not_at_all_are_refused(tmp_path, text, match):
    with pytest.raises(DataValidationError, match=match):
        FxRates.read_csv(_write(tmp_path / "x.csv", text), to="USD")


def test_rates_from_a_frame_name_the_source_row_and_field():
    df = pd.DataFrame({"Currency": ["GBP", "EUR"], "rate_to": ["USD", "USD"], "rate": [1.2, -1]})
    with pytest.raises(DataValidationError, match=r"api rates, row 3, field 'rate': -1"):
        FxRates.from_frame(df, source="api rates")
    got = FxRates.from_frame(df.iloc[:1], source="api rates")
    assert got.to == "USD" and got.rates.to_dict("records") == [{"currency": "GBP", "rate": 1.2}]


def test_dated_rates_need_a_target(tmp_path):
    with pytest.raises(ConfigError, match="name the target with --to"):
        FxRates.read_csv(_write(tmp_path / "d.csv", "date,currency,rate\n2024-01-01,GBP,1.2\n"))
    with pytest.raises(InputFileError, match="rates file not found"):
        FxRates.read_csv(tmp_path / "missing.csv")


def test_events_state_their_currency_when_told(market_store):
    got = compute_kpis(market_store, by=["platform"], kpis="spend", currency="usd")
    assert (got["currency"] == "USD").all()
    with pytest.raises(ConfigError, match="not an ISO 4217 code"):
        compute_kpis(market_store, kpis="spend", currency="dollars")
    untold = compute_kpis(market_store, kpis="spend")
    assert untold["currency"].isna().all()
    assert any("record no currency" in n for n in untold.attrs["notes"])


# --------------------------------------------------------------------- ranges and reach
def _range_ads():
    return _ads(
        {
            "date": pd.to_datetime(["2024-01-27", "2024-01-10", "2024-02-03"]),
            "date_end": pd.to_datetime(["2024-02-05", None, "2024-02-04"]),
            "platform": ["facebook"] * 3,
            "campaign_id": ["r", "d", "w"],
            "impressions": [1000, 50, 70],
            "reach": [600, 40, 60],
            "clicks": [10, 1, 2],
            "spend": [100.0, 5.0, 7.0],
            "currency": ["EUR"] * 3,
        }
    )


def test_a_grain_finer_than_a_range_row_is_refused():
    st_ = _range_ads()
    with pytest.raises(
        ConfigError,
        match=r"1 ad row\(s\) cover a date range longer than one month .*campaign r: 2024-01-27..2024-02-05.*--spread",
    ):
        compute_kpis(st_, source="ads", grain="month")
    # the advice names only grains that exist: month is the coarsest
    with pytest.raises(ConfigError) as month:
        compute_kpis(st_, source="ads", grain="month")
    assert "coarser" not in str(month.value) and "--grain month" not in str(month.value)
    assert "use no --grain, or --spread" in str(month.value)
    with pytest.raises(ConfigError, match=r"use --grain week or month, no --grain, or --spread"):
        compute_kpis(st_, source="ads", grain="day")
    with pytest.raises(ConfigError, match=r"use --grain month, no --grain, or --spread") as week:
        compute_kpis(st_, source="ads", grain="week")
    assert week.value.crossing_rows == 1 and "campaign r" in week.value.example
    whole = compute_kpis(st_, source="ads", by=["campaign_id"], kpis="impressions,spend")
    assert whole["impressions"].tolist() == [50, 1000, 70]
    # 2024-02-03..04 is a Saturday and a Sunday: inside one week, so a week grain is fine for it
    compute_kpis(
        st_, source="ads", grain="week", kpis="spend", where=lambda t: t.campaign_id != "r"
    )


def test_spread_splits_a_range_evenly_over_its_days():
    got = compute_kpis(
        _range_ads(), source="ads", grain="month", kpis="impressions,reach,spend", spread=True
    )
    jan, feb = got.to_dict("records")
    assert jan["period"] == pd.Timestamp("2024-01-01") and feb["period"] == pd.Timestamp(
        "2024-02-01"
    )
    # campaign r: 10 days, 5 in January and 5 in February
    assert jan["impressions"] == pytest.approx(50 + 500) and feb["impressions"] == pytest.approx(
        500 + 70
    )
    assert jan["spend"] == pytest.approx(55.0) and feb["spend"] == pytest.approx(57.0)
    assert pd.isna(jan["reach"]) and pd.isna(feb["reach"])  # spread reach bounds nothing
    assert any("spread evenly" in n for n in got.attrs["notes"])


def test_ads_reach_is_labelled_an_upper_bound_when_summed():
    got = compute_kpis(_range_ads(), source="ads", by=["campaign_id"], kpis="reach,frequency")
    assert got["reach_is_upper_bound"].tolist() == [False, False, False]
    tot = compute_kpis(_range_ads(), source="ads", kpis="reach,frequency")
    assert tot["reach"].iloc[0] == 700 and bool(tot["reach_is_upper_bound"].iloc[0])
    assert any("upper bound" in n for n in tot.attrs["notes"])


# --------------------------------------------------------------- sums a source does not report
def test_revenue_roas_roi_are_null_where_the_data_has_no_revenue():
    s = _ads(
        {
            "platform": ["facebook", "facebook", "tiktok"],
            "campaign_id": ["a", "b", "c"],
            "impressions": [100, 100, 100],
            "spend": [1.0, 2.0, 3.0],
            "conversion_value": [5.0, None, 9.0],
            "currency": ["USD"] * 3,
        }
    )
    got = compute_kpis(s, by=["platform"], source="ads").set_index("platform")
    for k in ("revenue", "roas", "roi", "clicks", "ctr", "engagements"):
        assert pd.isna(got.loc["facebook", k]), k  # one row reports no value: the sum is unknown
    assert got.loc["tiktok", "revenue"] == 9.0 and got.loc["tiktok", "roas"] == 3.0


def test_events_revenue_is_null_when_a_purchase_has_no_amount(market_store):
    market_store.sql(
        "UPDATE events SET revenue = NULL WHERE event_id = (SELECT min(event_id) FROM events "
        "WHERE event_type = 'purchase' AND platform = 'facebook')"
    )
    got = compute_kpis(market_store, by=["platform"], kpis="revenue,roas,conversions")
    got = got.set_index("platform")
    assert pd.isna(got.loc["facebook", "revenue"]) and pd.isna(got.loc["facebook", "roas"])
    assert got.loc["instagram", "revenue"] > 0 and got.loc["facebook", "conversions"] > 0


def test_events_emv_equals_organic_impressions_at_the_paid_cpm(market_store, small_market):
    got = compute_kpis(market_store, by=["strategy"], kpis="emv").set_index("strategy")
    ev = small_market.events.to_pandas()
    imp = ev[ev["event_type"] == "impression"]
    paid = imp[imp["cost"] > 0].groupby("platform")["cost"].agg(["sum", "count"])
    cpm = paid["sum"] * 1000 / paid["count"]
    org = imp[imp["cost"].isna() | (imp["cost"] == 0)]
    want = (org["platform"].map(cpm) / 1000).groupby(org["strategy"]).sum()
    for s, v in want.items():
        assert got.loc[s, "emv"] == pytest.approx(v)
    total = compute_kpis(market_store, kpis="emv")["emv"].iloc[0]
    assert total == pytest.approx(want.sum())


# ------------------------------------------------------------------------------- posts
def test_posts_kpis_match_a_computation_from_the_rows(market_store, small_market):
    from micromix.social.emv import earned_media_value

    got = compute_kpis(market_store, by=["platform"], source="posts").set_index("platform")
    # the label of what the views count follows them
    cols = list(POST_KPI_COLUMNS)
    cols.insert(cols.index("views") + 1, "views_measure")
    assert list(got.columns) == ["currency", *cols]
    posts = small_market.posts.copy()
    # an author's following from their profile on the post's own platform
    prof = small_market.creators.rename(columns={"creator_id": "author_id"})
    posts = posts.merge(
        prof[["author_id", "platform", "followers"]], on=["author_id", "platform"], how="left"
    )
    posts["emv"] = earned_media_value(posts)
    posts["eng"] = posts[["likes", "comments", "shares", "saves"]].fillna(0).sum(axis=1)
    for p, g in posts.groupby("platform"):
        row = got.loc[p]
        assert row["posts"] == len(g) and row["likes"] == g["likes"].sum()
        assert row["views"] == g["views"].sum() and row["engagements"] == g["eng"].sum()
        assert row["views_measure"] == "views"  # the simulator's posts report plays
        viewed = g[g["views"] > 0]
        assert row["engagement_rate_per_view"] == pytest.approx(
            viewed["eng"].sum() / viewed["views"].sum()
        )
        known = g[g["followers"] > 0]
        if len(known):
            assert row["followers"] == known["followers"].sum()
            assert row["engagement_rate_per_follower"] == pytest.approx(
                known["eng"].sum() / known["followers"].sum()
            )
        assert row["emv"] == pytest.approx(g["emv"].sum())
        assert row["currency"] == "USD"  # the EMV rates are US$


def test_posts_without_views_or_followers():
    st_ = Store.open(":memory:")
    st_.append(
        "posts",
        pd.DataFrame(
            {
                "post_id": ["a", "b", "c"],
                "platform": ["instagram"] * 3,
                "author_id": ["x", "y", "z"],
                "likes": [10, None, 5],
                "comments": [1, 2, 3],
                "views": [None, 100, 0],
            }
        ),
    )
    st_.append("creators", pd.DataFrame({"creator_id": ["x", "z"], "followers": [1000, 0]}))
    got = compute_kpis(st_, source="posts", by=["author_id"]).set_index("author_id")
    assert pd.isna(got.loc["y", "likes"])  # not reported: unknown, not 0
    assert got.loc["y", "engagements"] == 2  # the interactions it does report
    assert got.loc["x", "engagement_rate_per_follower"] == pytest.approx(11 / 1000)
    assert pd.isna(got.loc["x", "engagement_rate_per_view"])  # no views reported
    assert pd.isna(got.loc["z", "engagement_rate_per_follower"])  # 0 followers: undefined
    by_all = compute_kpis(st_, source="posts", kpis="posts,likes,emv")
    assert by_all["posts"].iloc[0] == 3 and pd.isna(by_all["likes"].iloc[0])


def test_posts_reporting_nothing_to_price_have_no_emv_not_zero():
    st_ = Store.open(":memory:")
    st_.append(
        "posts",
        pd.DataFrame(
            {
                "post_id": ["a", "b", "c"],
                "platform": ["x", "x", "instagram"],
                "author_id": ["u", "v", "w"],
                "likes": [None, None, 10],
            }
        ),
    )
    got = compute_kpis(st_, source="posts", by=["platform"]).set_index("platform")
    assert pd.isna(got.loc["x", "engagements"]) and pd.isna(got.loc["x", "emv"])
    assert got.loc["instagram", "emv"] > 0


def test_followers_come_from_the_authors_profile_on_the_same_platform(tmp_path):
    """An Instagram profile's following is not a TikTok author's of the same name; a profile
    without a platform (the user's own creator list) matches by id."""
    st_ = Store.open(tmp_path / "p.duckdb")
    st_.append(
        "posts",
        pd.DataFrame(
            {
                "post_id": ["a", "b", "c"],
                "platform": ["tiktok", "instagram", "tiktok"],
                "author_id": ["star", "star", "own"],
                "likes": [100, 100, 30],
            }
        ),
    )
    st_.append(
        "creators",
        pd.DataFrame(
            {
                "creator_id": ["star", "own"],
                "platform": ["instagram", None],
                "followers": [1_000_000, 300],
            }
        ),
    )
    got = compute_kpis(st_, source="posts", by=["platform", "author_id"])
    rate = got.set_index(["platform", "author_id"])["engagement_rate_per_follower"]
    assert pd.isna(rate[("tiktok", "star")])  # no TikTok profile: unknown, not Instagram's
    assert rate[("instagram", "star")] == pytest.approx(100 / 1_000_000)
    assert rate[("tiktok", "own")] == pytest.approx(30 / 300)
    assert compute_kpis(st_, source="posts")["posts"].iloc[0] == 3  # the join adds no rows


# ------------------------------------------------------------------ engines and invariants
class _OtherEngine:
    """The same DuckDB store seen as an engine without the compiled-SQL cache (Spark, warehouses)."""

    def __init__(self, store):
        self._store = store
        self.engine = "other"

    def __getattr__(self, name):
        if name == "sql":
            raise AttributeError(name)
        return getattr(self._store, name)


@pytest.mark.parametrize(
    ("source", "by", "grain"),
    [
        ("events", ["strategy", "platform"], "week"),
        ("events", [], None),
        ("posts", ["platform"], None),
    ],
)
def test_ibis_path_equals_the_compiled_sql_path(market_store, source, by, grain):
    a = compute_kpis(market_store, by=by, grain=grain, source=source)
    b = compute_kpis(_OtherEngine(market_store), by=by, grain=grain, source=source)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["USD", "EUR", "eur", None]),
            st.sampled_from(["a", "b"]),
            st.floats(0, 1e4),
            st.integers(0, 1000),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_money_per_currency_equals_pandas(rows):
    df = pd.DataFrame(
        {
            "platform": "facebook",
            "currency": [r[0] for r in rows],
            "campaign_id": [r[1] for r in rows],
            "spend": [r[2] for r in rows],
            "impressions": [r[3] for r in rows],
        }
    )
    got = compute_kpis(_ads(df), by=["campaign_id"], source="ads", kpis="spend,cpm,impressions")
    want = (
        df.assign(currency=df["currency"].str.upper().fillna("-"))
        .groupby(["campaign_id", "currency"])[["spend", "impressions"]]
        .sum()
    )
    assert len(got) == len(want)
    for _, g in got.iterrows():
        e = want.loc[(g["campaign_id"], g["currency"] or "-")]  # null currency: its own group
        assert g["spend"] == pytest.approx(e["spend"]) and g["impressions"] == e["impressions"]
        # a cost per result of a group that spent nothing is undefined (null), not $0.00
        cpm = e["spend"] * 1000 / e["impressions"] if e["impressions"] and e["spend"] else np.nan
        assert (pd.isna(g["cpm"]) and np.isnan(cpm)) or g["cpm"] == pytest.approx(cpm)


def test_ad_rows_of_different_levels_are_never_summed_together():
    st_ = Store.open(":memory:")
    st_.sql(
        "ALTER TABLE ad_performance ADD COLUMN IF NOT EXISTS level VARCHAR"
    )  # the ingest contract's level
    st_.append(
        "ad_performance",
        pd.DataFrame(
            {
                "platform": ["google"] * 3,
                "campaign_id": ["c1", "c1", "c1"],
                "ad_id": [None, "k1", "k2"],
                "level": ["campaign", "keyword", "keyword"],
                "impressions": [300, 100, 200],
                "clicks": [30, 10, 20],
                "spend": [3.0, 1.0, 2.0],
                "currency": ["EUR"] * 3,
            }
        ),
    )
    got = compute_kpis(st_, by=["campaign_id"], source="ads", kpis="impressions,spend")
    assert got[["level", "impressions", "spend"]].to_dict("records") == [
        {"level": "campaign", "impressions": 300, "spend": 3.0},
        {"level": "keyword", "impressions": 300, "spend": 3.0},
    ]
    assert list(got.columns) == ["campaign_id", "level", "currency", "impressions", "spend"]


def test_posts_keep_the_platforms_engagement_count_beside_the_sum_never_instead():
    """One meaning of engagements on every post (likes + comments + shares + saves); the
    platform's own count is its own column, summed only over rows that all report it (it was
    mixed in where reported: 50 + 11, a figure of two definitions)."""
    st_ = Store.open(":memory:")
    st_.sql("ALTER TABLE posts ADD COLUMN IF NOT EXISTS engagements BIGINT")
    st_.sql("ALTER TABLE posts ADD COLUMN IF NOT EXISTS author_followers BIGINT")
    st_.append(
        "posts",
        pd.DataFrame(
            {
                "post_id": ["a", "b"],
                "platform": ["instagram", "instagram"],
                "author_id": ["x", "y"],
                "likes": [10, 10],
                "comments": [1, 1],
                "engagements": [50, None],
                "author_followers": [1000, None],
            }
        ),
    )
    kpis = "engagements,reported_engagements,engagement_rate_per_follower"
    got = compute_kpis(st_, source="posts", kpis=kpis)
    assert got["engagements"].iloc[0] == 11 + 11
    assert pd.isna(got["reported_engagements"].iloc[0])  # post b reports none: no total
    assert got["engagement_rate_per_follower"].iloc[0] == pytest.approx(11 / 1000)
    per_post = compute_kpis(st_, source="posts", by=["post_id"], kpis=kpis).set_index("post_id")
    assert per_post.loc["a", ["engagements", "reported_engagements"]].tolist() == [11, 50]
    assert pd.isna(per_post.loc["b", "reported_engagements"])
    assert any("likes + comments + shares + saves" in n for n in got.attrs["notes"])


def test_events_with_a_currency_column_are_split_by_it(market_store, small_market):
    market_store.sql("ALTER TABLE events ADD COLUMN currency VARCHAR")  # a later contract
    market_store.sql(
        "UPDATE events SET currency = CASE WHEN platform = 'tiktok' THEN 'eur' ELSE 'USD' END"
    )
    got = compute_kpis(market_store, by=["strategy"], kpis="spend,reach,emv")
    ev = small_market.events.to_pandas()
    ev["currency"] = np.where(ev["platform"] == "tiktok", "EUR", "USD")
    for (s, c), g in ev.groupby(["strategy", "currency"]):
        row = got[(got["strategy"] == s) & (got["currency"] == c)].iloc[0]
        assert row["spend"] == pytest.approx(g["cost"].sum())
        assert row["reach"] == g.loc[g["event_type"] == "impression", "user_id"].nunique()
    assert set(got["currency"]) == {"EUR", "USD"}
    stated = compute_kpis(market_store, kpis="spend", currency="GBP")
    assert stated["currency"].tolist() == ["EUR", "USD"]  # a recorded currency wins, and it says so
    assert any("GBP was not used" in n for n in stated.attrs["notes"])


def test_cost_per_result_is_undefined_where_nothing_was_spent(market_store):
    """Organic posts cost nothing: their CPA, CPM, CPC are n/a, not $0.00 (which reads as the
    cheapest paid results), in the KPI engine and in the strategy comparison alike."""
    from micromix.metrics.compare import compare_strategies

    kpis = compute_kpis(market_store, by=["strategy"]).set_index("strategy")
    organic = kpis.loc["ugc_organic"]
    assert organic["spend"] == 0 and organic["impressions"] > 0  # cpm was 0.0 before
    assert all(pd.isna(organic[k]) for k in ("cpa", "cpm", "cpc", "cost_per_engagement"))
    assert kpis.loc["paid_social", "cpa"] > 0
    table = compare_strategies(market_store, "ugc-vs-paid", n_boot=30).table.set_index("strategy")
    assert pd.isna(table.loc["ugc_organic", "cpa"])
    assert pd.isna(table.loc["ugc_organic", "cpa_low"]) and pd.isna(
        table.loc["ugc_organic", "cpa_high"]
    )
    assert (
        table.loc["paid_social", "cpa_low"]
        <= table.loc["paid_social", "cpa"]
        <= table.loc["paid_social", "cpa_high"]
    )


def test_fx_rates_with_a_repeated_column_are_refused(tmp_path):
    rates = _write(tmp_path / "fx.csv", "currency,rate_to,rate,rate\nGBP,USD,1.25,0.8\n")
    with pytest.raises(DataValidationError, match=r"fx.csv: the header names 'rate' more than"):
        FxRates.read_csv(rates)


def test_posts_emv_prices_reported_impressions_like_a_files_posts():
    # X's tweet activity reports impressions, not views: EMV prices them (as social listen does
    # for the same file) instead of falling back to followers x reach rate or to nothing
    from micromix.social.emv import earned_media_value

    st_ = Store.open(":memory:")
    posts = pd.DataFrame(
        {
            "post_id": ["a", "b", "c"],
            "platform": ["x", "x", "instagram"],
            "author_id": ["u", "u", "v"],
            "likes": [10, 4, 5],
            "comments": [1, 0, 3],
            "impressions": [2_000, 500, None],
            "views": [None, None, 300],
        }
    )
    st_.append("posts", posts)
    got = compute_kpis(st_, source="posts", kpis="emv")["emv"].iloc[0]
    as_file = posts.assign(views=posts["views"].fillna(posts["impressions"]))
    assert got == pytest.approx(earned_media_value(as_file).sum())
    assert got == pytest.approx(2.8 * 7 + 19 * 0.02 + 4 * 0.40)  # 2,800 impressions, 19 likes


# ------------------------------------------------ ratios over spend count paid strategies only
def _mixed_events() -> Store:
    """Paid social (spend 10, 2 purchases worth 30) beside direct and organic (no spend) sales."""
    rows = []

    def ev(i, et, strategy, platform, cost=None, revenue=None):
        rows.append(
            {
                "event_id": f"e{i}",
                "ts": pd.Timestamp("2024-01-01") + pd.Timedelta(hours=i),
                "user_id": f"u{i % 5}",
                "event_type": et,
                "strategy": strategy,
                "platform": platform,
                "cost": cost,
                "revenue": revenue,
            }
        )

    for i in range(10):
        ev(i, "impression", "paid_social", "instagram", cost=1.0)
    for i in range(10, 14):
        ev(i, "click", "paid_social", "instagram")
    ev(14, "purchase", "paid_social", "instagram", revenue=10.0)
    ev(15, "purchase", "paid_social", "instagram", revenue=20.0)
    for i in range(16, 21):
        ev(i, "impression", "ugc_organic", "instagram")
    ev(21, "purchase", "ugc_organic", "instagram", revenue=50.0)
    ev(22, "purchase", "direct", "web", revenue=500.0)
    ev(23, "purchase", "direct", "web", revenue=400.0)
    st_ = Store.open(":memory:")
    st_.append("events", pd.DataFrame(rows))
    return st_


def test_headline_ratios_over_spend_count_only_paid_strategies():
    s = _mixed_events()
    r = compute_kpis(s, source="events")
    row = r.iloc[0]
    assert row["revenue"] == pytest.approx(980.0)  # every sale stays in revenue
    assert row["conversions"] == 5
    assert row["roas"] == pytest.approx(30.0 / 10.0)  # not 980 / 10
    assert row["roi"] == pytest.approx(2.0)
    assert row["cpa"] == pytest.approx(10.0 / 2)
    assert row["cvr"] == pytest.approx(2 / 4)  # conversions of the strategies with clicks
    assert row["cpm"] == pytest.approx(10.0 * 1000 / 10)  # organic impressions left out
    notes = " ".join(r.attrs["notes"])
    assert "ROAS" in notes and "direct, ugc_organic" in notes and "950 of revenue" in notes
    # the headline never exceeds every group's
    by = compute_kpis(s, by=["strategy"], source="events").set_index("strategy")
    assert by.loc["paid_social", "roas"] == pytest.approx(row["roas"])
    assert pd.isna(by.loc["direct", "roas"]) and pd.isna(by.loc["ugc_organic", "cpa"])


def test_a_grouping_mixing_paid_and_unpaid_strategies_counts_the_paid_only():
    s = _mixed_events()
    r = compute_kpis(s, by=["platform"], source="events").set_index("platform")
    assert r.loc["instagram", "revenue"] == pytest.approx(80.0)
    assert r.loc["instagram", "roas"] == pytest.approx(3.0)  # not 80 / 10
    assert r.loc["instagram", "cpa"] == pytest.approx(5.0)
    assert pd.isna(r.loc["web", "roas"])  # nothing spent there
    notes = " ".join(r.attrs["notes"])
    assert "(ugc_organic)" in notes and "direct" not in notes  # only what left a mixed group
    sub = compute_kpis(s, by=["platform"], source="events", kpis=["roas"]).set_index("platform")
    assert sub.loc["instagram", "roas"] == pytest.approx(3.0)  # the same with a KPI subset


def test_events_without_strategies_are_one_source():
    s = _mixed_events()
    df = s.execute(s.table("events"))
    df["strategy"] = None  # no source recorded: all rows are one source, which has spend
    s2 = Store.open(":memory:")
    s2.append("events", df)
    assert compute_kpis(s2, source="events").iloc[0]["roas"] == pytest.approx(98.0)


def test_a_dimension_group_with_no_value_and_no_measure_is_no_row(market_store):
    """Events with no strategy (searches, add-to-carts) carry no KPI measure: no row of zeros,
    one note; the totals are those of the whole store."""
    df = compute_kpis(market_store, by=["strategy"])
    assert df["strategy"].notna().all()
    notes = [n for n in df.attrs["notes"] if n.startswith("events with no strategy")]
    assert len(notes) == 1 and "an empty group, not zeros" in notes[0]
    total = compute_kpis(market_store).iloc[0]
    for m in ("impressions", "clicks", "spend", "conversions", "revenue"):
        assert df[m].sum() == pytest.approx(total[m])
    # a group with no value that does carry a measure keeps its row
    by_target = compute_kpis(market_store, by=["targeting"])
    unlabelled = by_target[by_target["targeting"].isna()]
    assert len(unlabelled) == 1 and unlabelled["conversions"].iloc[0] > 0
    assert not any(n.startswith("events with no") for n in by_target.attrs["notes"])


def test_an_ad_row_without_a_strategy_that_has_spend_keeps_its_row():
    s = _ads(
        {
            "platform": ["facebook", "facebook"],
            "campaign_id": ["a", "b"],
            "strategy": ["paid_social", None],
            "impressions": [100, 50],
            "clicks": [10, 0],
            "spend": [5.0, 2.0],
        }
    )
    df = compute_kpis(s, by=["strategy"], source="ads", kpis="impressions,spend")
    assert df["spend"].tolist() == [5.0, 2.0] and df["strategy"].isna().tolist() == [False, True]
    assert not any("no row here" in n for n in df.attrs["notes"])
