"""Transactions -> RFM summaries: the literature's conventions, bad input, the store path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.clv import (
    acquisition_groups,
    acquisition_spend,
    daily_purchases,
    rfm_summary,
    summary_from_daily,
    transactions_from_store,
)
from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError, StoreError
from micromix.schema.purchases import _parse_dates as parse_dates


def _tx(rows):
    return pd.DataFrame(rows, columns=["cust", "day", "amount"])


TX = _tx(
    [
        ("a", "2024-01-01", 10.0),
        ("a", "2024-01-15", 5.0),
        ("a", "2024-01-15", 7.0),  # same day: one transaction of 12
        ("a", "2024-02-12", 30.0),  # holdout
        ("b", "2024-01-08", 20.0),
        ("b", "2024-01-29", 0.0),  # a free repeat purchase
        ("c", "2024-02-05", 9.0),  # first seen after the calibration end
        ("a", "2024-03-30", 99.0),  # after the holdout end
    ]
)
KW = dict(customer_col="cust", date_col="day", value_col="amount")


def test_rfm_follows_the_literature():
    s = rfm_summary(TX, **KW, calibration_end="2024-01-29", holdout_end="2024-02-26")
    assert list(s.index) == ["a", "b"]  # c arrives after calibration
    a, b = s.loc["a"], s.loc["b"]
    assert (a["frequency"], a["recency"], a["T"]) == (1.0, 2.0, 4.0)  # weeks from days
    assert a["monetary_value"] == 12.0  # the repeat day's total; the first purchase left out
    assert a["revenue"] == 22.0
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (1.0, 3.0, 3.0, 0.0)
    assert (a["frequency_holdout"], a["monetary_value_holdout"]) == (1.0, 30.0)
    assert b["frequency_holdout"] == 0.0
    assert a["duration_holdout"] == 4.0
    assert s.attrs["customers_after_calibration"] == 1
    assert s.attrs["purchase_days_after_holdout"] == 1
    assert s.attrs["calibration_end"] == "2024-01-29"


@pytest.mark.parametrize(("unit", "T_a"), [("D", 28.0), ("W", 4.0), ("M", 28 / (365.25 / 12))])
def test_time_units(unit, T_a):
    s = rfm_summary(TX, **KW, calibration_end="2024-01-29", time_unit=unit)
    assert s.loc["a", "T"] == pytest.approx(T_a)


def test_default_calibration_end_is_the_last_purchase():
    s = rfm_summary(TX, **KW)
    assert s.attrs["calibration_end"] == "2024-03-30"
    assert "frequency_holdout" not in s
    assert s.loc["a", "frequency"] == 3.0


def test_daily_rows_are_merged_and_counted():
    d = daily_purchases(TX, **KW)
    row = d[(d["customer_id"] == "a") & (d["date"] == "2024-01-15")]
    assert row["value"].item() == 12.0 and row["transactions"].item() == 2
    assert len(d) == len(TX) - 1


def test_without_a_value_column():
    s = rfm_summary(TX, customer_col="cust", date_col="day", calibration_end="2024-01-29")
    assert s["monetary_value"].eq(0).all()


# ------------------------------------------------------------------ bad input: one sentence each
def _message(exc_info) -> str:
    msg = str(exc_info.value)
    assert "\n" not in msg and "bug" not in msg
    return msg


def test_negative_value_names_file_row_and_field():
    bad = TX.copy()
    bad.loc[4, "amount"] = -20.0
    with pytest.raises(DataValidationError) as exc:
        rfm_summary(bad, **KW, source="orders.csv")
    msg = _message(exc)
    assert msg.startswith("orders.csv: row 5, field 'amount'") and "negative" in msg


def test_all_null_customer_column():
    bad = TX.assign(cust=None)
    with pytest.raises(DataValidationError, match="'cust' is empty in every row") as exc:
        rfm_summary(bad, **KW, source="orders.csv")
    assert "orders.csv" in _message(exc)


def test_one_null_customer_names_the_row():
    bad = TX.copy()
    bad.loc[2, "cust"] = None
    with pytest.raises(DataValidationError, match="row 3, field 'cust' is empty") as exc:
        rfm_summary(bad, **KW, source="orders.csv")
    _message(exc)


@pytest.mark.parametrize(
    ("col", "value", "match"),
    [
        ("day", "2024-13-45", r"row 2, field 'day': '2024-13-45' is not a valid date"),
        ("day", None, r"row 2, field 'day' is empty"),
        ("amount", "ten", r"row 2, field 'amount': 'ten' is not a number"),
        ("amount", None, r"row 2, field 'amount' is empty \(1 such row\(s\)\); every purchase"),
    ],
)
def test_bad_cells_name_row_and_field(col, value, match):
    bad = TX.astype(object).copy()
    bad.loc[1, col] = value
    with pytest.raises(DataValidationError, match=match) as exc:
        rfm_summary(bad, **KW, source="orders.csv")
    _message(exc)


def test_dates_out_of_order():
    with pytest.raises(ConfigError, match="out of order") as exc:
        rfm_summary(TX, **KW, calibration_end="2024-02-01", holdout_end="2024-01-20")
    _message(exc)
    with pytest.raises(ConfigError, match="before the first purchase"):
        rfm_summary(TX, **KW, calibration_end="2023-12-01")
    with pytest.raises(ConfigError, match="needs a calibration end"):
        rfm_summary(TX, **KW, holdout_end="2024-02-26")
    with pytest.raises(ConfigError, match="is not a date"):
        rfm_summary(TX, **KW, calibration_end="next tuesday")


def test_missing_column_lists_the_available_ones():
    with pytest.raises(ColumnNotFoundError, match="'when' not found; available columns: cust"):
        rfm_summary(TX, customer_col="cust", date_col="when", source="orders.csv")


def test_unsorted_rows_are_fine():
    a = rfm_summary(TX, **KW, calibration_end="2024-01-29")
    b = rfm_summary(TX.iloc[::-1], **KW, calibration_end="2024-01-29")
    pd.testing.assert_frame_equal(a, b)


def test_parse_dates_formats():
    vals = pd.Series(["1997-01-01", "19970218", "2026-03-02T10:00:00+02:00", "1997-02-30", None])
    out, why = parse_dates(vals)
    bad = why.notna()
    assert out.iloc[0] == pd.Timestamp("1997-01-01")
    assert out.iloc[1] == pd.Timestamp("1997-02-18")
    assert out.iloc[2] == pd.Timestamp("2026-03-02 10:00")  # the clock it was written in
    assert list(bad) == [False, False, False, True, False]
    assert "1997-02-30" in why.iloc[3] and why.iloc[0] is None
    ints, why = parse_dates(pd.Series([19970101, 19980630]))
    assert not why.notna().any() and ints.iloc[1] == pd.Timestamp("1998-06-30")


# ------------------------------------------------------------------ the store
def _events(rows):
    cols = ["event_id", "ts", "user_id", "event_type", "strategy", "targeting", "cost", "revenue"]
    df = pd.DataFrame(rows, columns=cols)
    df["ts"] = pd.to_datetime(df["ts"])
    return df


@pytest.fixture()
def tiny_store():
    from micromix.store import Store

    st = Store.open(":memory:")
    st.append(
        "events",
        _events(
            [
                ("1", "2026-03-01 09:00", "u1", "impression", "influencer", None, 2.0, 0.0),
                ("2", "2026-03-01 10:00", "u1", "click", "paid_social", "micro", 1.0, 0.0),
                ("3", "2026-03-02 10:00", "u1", "purchase", "paid_social", None, 0.0, 30.0),
                ("4", "2026-03-02 18:00", "u1", "purchase", None, None, 0.0, 5.0),
                ("5", "2026-03-20 08:00", "u1", "purchase", None, None, 0.0, 12.0),
                ("6", "2026-03-03 08:00", "u2", "impression", "ugc_organic", None, 0.0, 0.0),
                ("7", "2026-03-04 08:00", "u2", "purchase", None, None, 0.0, 8.0),
                ("8", "2026-03-09 08:00", "u3", "purchase", None, None, 0.0, 4.0),
                ("9", "2026-03-10 08:00", "u3", "impression", "influencer", None, 3.0, 0.0),
            ]
        ),
    )
    yield st
    st.close()


def test_transactions_from_store_roll_up_by_day(tiny_store):
    d = transactions_from_store(tiny_store)
    u1 = d[d["customer_id"] == "u1"]
    assert u1["value"].tolist() == [35.0, 12.0]  # two purchases on 2 March merged
    assert u1["transactions"].tolist() == [2, 1]
    s = summary_from_daily(d, calibration_end="2026-03-31")
    assert s.loc["u1", "frequency"] == 1 and s.loc["u1", "monetary_value"] == 12.0


def test_acquisition_is_the_first_touch_before_the_first_purchase(tiny_store):
    g = acquisition_groups(tiny_store, by="strategy", basis="first-touch")
    # u1's earliest touch is the influencer impression; u3's influencer touch came after buying
    assert g.to_dict() == {"u1": "influencer", "u2": "ugc_organic", "u3": "none"}
    t = acquisition_groups(tiny_store, by="targeting", basis="first-touch")
    assert t["u1"] == "micro" and t["u2"] == "none"


def test_acquisition_by_default_is_the_credited_first_purchase(tiny_store):
    g = acquisition_groups(tiny_store, by="strategy")
    # u1's first purchase (10:00, before the 18:00 one) is credited to paid social; u2's and
    # u3's first purchases carry no strategy
    assert g.to_dict() == {"u1": "paid_social", "u2": "none", "u3": "none"}
    with pytest.raises(ConfigError, match="basis="):
        acquisition_groups(tiny_store, by="strategy", basis="last-touch")
    with pytest.raises(ConfigError, match="creator tiers"):
        acquisition_groups(tiny_store, by="creator_tier")
    spend = acquisition_spend(tiny_store, by="strategy", until="2026-03-05")
    assert spend.to_dict() == {"influencer": 2.0, "paid_social": 1.0, "ugc_organic": 0.0}
    with pytest.raises(ConfigError, match="by="):
        acquisition_groups(tiny_store, by="device_model")


def test_store_without_purchases():
    from micromix.store import Store

    with Store.open(":memory:") as st, pytest.raises(StoreError, match="no purchase events"):
        transactions_from_store(st)


def test_a_store_of_ad_exports_alone_is_refused_saying_what_it_holds_and_what_to_bring():
    from micromix.store import Store

    ads = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "spend": [5.0, 6.0]})
    with Store.open(":memory:") as st:
        st.append("ad_performance", ads)
        with pytest.raises(StoreError) as exc:
            transactions_from_store(st)
    text = str(exc.value)
    assert "(it holds 2 ad_performance row(s)), so there are no customers to follow" in text
    assert "micromix ingest events FILE" in text and "micromix clv fit --data FILE" in text


def test_store_matches_the_file_path(market_store):
    """The engine's roll-up equals the pandas roll-up of the same purchase events."""
    d = transactions_from_store(market_store)
    ev = market_store.read("events")
    p = ev[ev["event_type"] == "purchase"]
    ref = daily_purchases(
        p.assign(day=p["ts"].dt.normalize()),
        customer_col="user_id",
        date_col="day",
        value_col="revenue",
    )
    assert len(d) == len(ref)
    np.testing.assert_allclose(
        d.sort_values(["customer_id", "date"])["value"].to_numpy(),
        ref.sort_values(["customer_id", "date"])["value"].to_numpy(),
    )
