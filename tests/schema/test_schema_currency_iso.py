"""A currency is a real ISO 4217 code, not any three letters: a typo (GPB, AUS) is refused
with the code it is most likely a typo of, by the one check ingest, KPIs and the MMM use."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.errors import ConfigError
from micromix.schema.values import (
    CURRENCY_SIGNS,
    ISO_4217_CODES,
    currency_code,
    currency_codes,
    currency_problem,
)


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("GPB", "GBP"), ("gpb", "GBP"), ("AUS", "AUD"), ("ERU", "EUR"), ("USS", "USD"),
     ("IRN", "INR"), ("UDS", "USD")],
)  # fmt: skip
def test_a_typo_is_refused_naming_the_code_meant(typo, meant):
    with pytest.raises(ConfigError) as exc:
        currency_code(typo, what="--currency")
    assert str(exc.value) == f"--currency {typo!r} is not an ISO 4217 code; did you mean {meant}?"


@pytest.mark.parametrize("bad", ["XYZ", "QQQ", "XXX", "XTS"])
def test_three_letters_that_are_no_currency_are_refused(bad):
    with pytest.raises(ConfigError, match="is not an ISO 4217 code; use the three-letter code"):
        currency_code(bad, what="currency=")


@pytest.mark.parametrize("code", ["USD", "EUR", "GBP", "IDR", "INR", "XOF", "ZWG", "XCG", "VED"])
def test_active_codes_pass(code):
    assert currency_code(code.lower()) == code


def test_codes_withdrawn_since_2020_that_exports_carry_pass():
    # Croatia's kuna until 2023, the old leone, the Bulgarian lev until 2026
    assert {"HRK", "SLL", "BGN", "ANG", "ZWL"} <= ISO_4217_CODES


def test_the_list_is_well_formed_and_covers_every_currency_shown_with_a_symbol():
    assert 170 < len(ISO_4217_CODES) < 200
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in ISO_4217_CODES)
    assert set(CURRENCY_SIGNS) <= ISO_4217_CODES


def test_cells_get_the_same_check():
    codes, why = currency_codes(pd.Series(["gbp", "GPB", "", None, "dollars", "XYZ"]))
    assert codes.tolist() == ["GBP", None, None, None, None, None]
    assert why.tolist() == [
        None,
        "'GPB' is not an ISO 4217 code; did you mean GBP?",
        None,
        None,
        "'DOLLARS' is not a three-letter ISO 4217 code (USD, EUR ...)",
        "'XYZ' is not an ISO 4217 code; use the three-letter code, like USD, EUR or GBP",
    ]
    assert currency_problem("EUR") is None
