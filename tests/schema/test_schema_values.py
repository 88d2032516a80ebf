"""The one way to read a value: timestamps, numbers, true/false words, text."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micromix.errors import ConfigError
from micromix.schema.values import (
    MAX_COUNT,
    TimeWindow,
    currency_of_symbol,
    day_order_conflict,
    detect_dayfirst,
    epoch_seconds,
    read_bools,
    read_numbers,
    read_text,
    read_timestamps,
    truthy,
)


def _ts(values, **kw):
    ts, why = read_timestamps(pd.Series(values, dtype=object), **kw)
    return [None if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in ts], list(why)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01", "2024-05-01 00:00:00.000000"),
        ("2024-05-01T10:00:00+02:00", "2024-05-01 08:00:00.000000"),
        ("2024-05-01T10:00:00.5Z", "2024-05-01 10:00:00.500000"),
        ("2024-05-01 10:00", "2024-05-01 10:00:00.000000"),
        ("2016-07-09 3:21:58", "2016-07-09 03:21:58.000000"),
        ("2016-11-26 5:8:54", "2016-11-26 05:08:54.000000"),
        ("20251015", "2025-10-15 00:00:00.000000"),
        ("2026/05/27", "2026-05-27 00:00:00.000000"),
        ("27 January 2026", "2026-01-27 00:00:00.000000"),
        ("March 27, 2026", "2026-03-27 00:00:00.000000"),
        ("Apr 1, 2026", "2026-04-01 00:00:00.000000"),
        ("4/15/2026, 11:59 PM", "2026-04-15 23:59:00.000000"),
        ("1714550400", "2024-05-01 08:00:00.000000"),
        ("1714550400123", "2024-05-01 08:00:00.123000"),
        ("1714550400123456", "2024-05-01 08:00:00.123456"),
        ("1714550400123456789", "2024-05-01 08:00:00.123457"),  # ns, rounded to the µs
    ],
)
def test_timestamp_forms(text, expected):
    got, why = _ts([text])
    assert got == [expected] and why == [None]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("today", "relative date"),
        ("now", "relative date"),
        ("yesterday 10:00", "relative date"),
        ("0000-01-01T00:00:00Z", "outside the accepted time window"),
        ("-2024-05-01", "not a valid date"),
        ("1969-12-31", "outside the accepted time window"),
        ("2100-01-01", "outside the accepted time window"),
        ("2024-02-30", "no such day"),
        ("May 5", "not a valid date"),
        ("9" * 30, "too large"),
    ],
)
def test_refused_timestamps(text, words):
    got, why = _ts([text])
    assert got == [None] and words in why[0]


def test_typed_and_json_timestamp_cells():
    got, why = _ts([1714550400, 1714550400123.0, True, {"a": 1}, None, float("nan")])
    assert got[:2] == ["2024-05-01 08:00:00.000000", "2024-05-01 08:00:00.123000"]
    assert "boolean" in why[2] and "JSON object" in why[3] and got[4:] == [None, None]


def test_day_first_detection_and_ambiguity():
    assert detect_dayfirst(["25/05/2026", "01/06/2026"]) is True
    assert detect_dayfirst(["05/25/2026", "06/01/2026"]) is False
    assert detect_dayfirst(["05/06/2026"]) is None
    assert detect_dayfirst(["25/05/2026", "05/25/2026"]) is None  # mixed: nothing decided
    got, _ = _ts(["25/05/2026", "01/06/2026"])
    assert got == ["2026-05-25 00:00:00.000000", "2026-06-01 00:00:00.000000"]
    got, why = _ts(["03/04/2024"])
    assert got == [None] and "--dayfirst" in why[0]
    assert _ts(["03/04/2024"], dayfirst=True)[0] == ["2024-04-03 00:00:00.000000"]
    assert _ts(["03/04/2024"], dayfirst=False)[0] == ["2024-03-04 00:00:00.000000"]


def test_a_day_against_the_stated_order_is_refused_not_read_the_other_way():
    # 25/04/2024 cannot be month-first: under --monthfirst it is a problem, not 25 April
    got, why = _ts(["03/04/2024", "25/04/2024"], dayfirst=False)
    assert got == ["2024-03-04 00:00:00.000000", None]
    assert why[1] == (
        "'25/04/2024' can only be day/month (there is no month 25), not month/day as "
        "--monthfirst states; pass --dayfirst if the file's dates are in that order, or neither "
        "to have the order detected"
    )
    got, why = _ts(["04/25/2024 10:00"], dayfirst=True)
    assert got == [None] and "not day/month as --dayfirst states; pass --monthfirst" in why[0]
    assert day_order_conflict(["2024-05-25", 20240525, None, "04/25/2024"], True) == 3
    assert day_order_conflict(["04/25/2024"], None) is None  # no order stated: nothing against


def test_configurable_window():
    win = TimeWindow.of("2020-01-01", "2030-01-01")
    got, why = _ts(["2019-12-31", "2024-05-01"], window=win)
    assert got[0] is None and "2020-01-01..2030-01-01" in why[0] and got[1] is not None
    with pytest.raises(ConfigError):
        TimeWindow.of("2030-01-01", "2020-01-01")


def test_epoch_seconds_for_hot_paths():
    assert epoch_seconds(1714550400) == 1714550400.0
    assert epoch_seconds(1714550400123) == pytest.approx(1714550400.123)
    assert epoch_seconds(1714550400123456) == pytest.approx(1714550400.123456)
    assert epoch_seconds("2024-05-01T08:00:00Z") == 1714550400.0
    for bad in ("today", -1e12, float("inf"), True):
        with pytest.raises(ValueError):
            epoch_seconds(bad)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("9,380", 9380.0),
        ("1,234,567.25", 1234567.25),
        ("1.234,50", 1234.5),
        ("1 234", 1234.0),
        ("$1,250.00", 1250.0),
        ("€9.71", 9.71),
        ("12 GBP", 12.0),
        ("[0.93]", 0.93),
        ("(12.50)", -12.5),
        (" --", None),
        ("-", None),
        ("n/a", None),
        (".22", 0.22),
        ("10.00", 10.0),
    ],
)
def test_number_forms(text, value):
    got, why = read_numbers(pd.Series([text], dtype=object))
    assert why.iat[0] is None
    assert (pd.isna(got.iat[0]) and value is None) or got.iat[0] == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("9,71", "decimal comma"),
        ("< 10%", "a bound"),
        ("12%", "percentage"),
        ("48.5M", "abbreviated"),
        ("1e30", "too large"),
        ("9" * 5000, "too many digits"),
        ("lots", "not a number"),
        ("inf", "not finite"),
    ],
)
def test_refused_numbers(text, words):
    got, why = read_numbers(pd.Series([text], dtype=object))
    assert pd.isna(got.iat[0]) and words in why.iat[0]


def test_rates_abbreviations_and_integer_limits():
    got, _ = read_numbers(pd.Series(["1.39%", "0.0139", "NaN%"], dtype=object), percent=True)
    assert got.iat[0] == pytest.approx(0.0139) and got.iat[1] == pytest.approx(0.0139)
    assert pd.isna(got.iat[2])
    got, _ = read_numbers(
        pd.Series(["475.8m", "3.3k", "0.89k", "29.0b"], dtype=object),
        integer=True,
        abbreviated=True,
    )
    assert got.tolist() == [475_800_000, 3_300, 890, 29_000_000_000]
    got, why = read_numbers(
        pd.Series([str(MAX_COUNT + 2), "12.5", True], dtype=object), integer=True
    )
    assert "too large" in why.iat[0] and "whole number" in why.iat[1] and "boolean" in why.iat[2]


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False))
def test_thousands_formatting_round_trips_exactly(d):
    text = f"{d:,}"
    got, why = read_numbers(pd.Series([text], dtype=object))
    assert why.iat[0] is None
    assert Decimal(repr(float(got.iat[0]))) == pytest.approx(d, abs=Decimal("1e-4"))


def test_bools_and_truthy():
    vals, why = read_bools(
        pd.Series(["Yes", "n", "TRUE", "0", "on", "maybe", None, True, {"a": 1}])
    )
    assert vals.tolist()[:5] == [True, False, True, False, True]
    assert "not true/false" in why.iat[5] and pd.isna(vals.iat[6]) and vals.iat[7]
    assert "JSON object" in why.iat[8]
    assert truthy(["yes", "0", None, 1, "TRUE", "maybe", np.float64(0.0)]).tolist() == [
        True,
        False,
        False,
        True,
        True,
        False,
        False,
    ]


def test_text_refuses_objects_nul_and_bad_bytes():
    vals, why = read_text(
        pd.Series(["a", {"x": 1}, [1], "b\x00", "c\udcff", 12, 1.0, True], dtype=object),
        strict=True,
    )
    assert vals.iat[0] == "a" and vals.iat[5] == "12" and vals.iat[6] == "1"
    assert "JSON object" in why.iat[1] and "JSON array" in why.iat[2]
    assert "NUL" in why.iat[3] and "UTF-8" in why.iat[4] and "boolean" in why.iat[7]


def test_currency_symbols():
    assert currency_of_symbol("€9.71") == "EUR" and currency_of_symbol("£3") == "GBP"
    assert currency_of_symbol("$5") is None and currency_of_symbol("A$5") == "AUD"


def test_utc_offsets_no_clock_uses_are_refused_not_shifted():
    from micromix.schema.values import read_timestamps

    cells = pd.Series(
        [
            "2024-05-01T00:00:00+25:00",
            "2024-05-01 00:00:00 +0590",
            "2024-05-01T00:00:00-13:00",
            "2024-05-01T00:00:00+14:00",
            "2024-05-01T00:00:00-12:00",
            "2024-05-01T00:00:00+05:30",
        ]
    )
    r = read_timestamps(cells)
    assert r.values.isna().tolist() == [True, True, True, False, False, False]
    assert all("UTC offset no clock uses" in r.problems.iat[i] for i in range(3))
    assert r.values.iat[5] == pd.Timestamp("2024-04-30T18:30:00Z")


def test_money_cell_currencies_by_symbol_or_code():
    from micromix.schema.values import currencies_of_symbol

    assert currencies_of_symbol("€9.71") == {"EUR"}
    assert currencies_of_symbol("12 GBP") == {"GBP"}
    assert {"USD", "CAD", "AUD"} <= currencies_of_symbol("$5") and "EUR" not in (
        currencies_of_symbol("$5")
    )
    assert currencies_of_symbol("¥500") == {"JPY", "CNY"}
    assert currencies_of_symbol("1,234.50") == frozenset() == currencies_of_symbol(3.5)


def test_small_bare_numbers_are_not_read_as_1970():
    # 45413 in a date column is Excel's serial day for 2024-05-01, "0" a placeholder: read as
    # seconds since 1970 they would invent dates in 1970; YYYYMMDD and real epochs still read
    from micromix.schema.values import read_timestamps

    r = read_timestamps(
        pd.Series([45413, "0", 20240501, 1714550400, "1714550400000"], dtype=object)
    )
    assert r.values.isna().tolist() == [True, True, False, False, False]
    assert "Excel serial day number" in r.problems.iat[0]
    assert r.values.iat[2] == pd.Timestamp("2024-05-01", tz="UTC")
