"""A code given with no code word ("save 20% with BELLA20") must look like a code: an
all-capitals brand name after "with" beside a sale word ("20% off with NIKE") is a shop's sale,
not the author's affiliate code, unless a code word is near it (captions written for the test)."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.social import is_sponsored_text

BRAND_SALES = [
    "20% off with NIKE this weekend only",
    "Save 30% with ZARA in the winter sale",
    "-15% mit ADIDAS im Sale, endlich neue Schuhe",
    "20% de réduction avec SEPHORA pour les soldes",
    "15% korting met HEMA deze week",
    "-30% z RESERVED na całą kolekcję, biegnę",
    "20% off with NIKE at the outlet, zip code 90210",
]
CODES = [
    "20% off with SAVE20 at checkout",
    "-15% mit LENA10 im Shop",
    "20% off with SUNNY, my coupon for you",
    "save 15% with LUNA (promo valid till Sunday)",
    "-20% z ANIA, kod ważny do niedzieli",
    "-10% avec JULIE, code valable sur tout le site",
]


@pytest.mark.parametrize("text", BRAND_SALES)
def test_a_brand_in_capitals_beside_a_sale_is_not_a_code(text: str) -> None:
    assert is_sponsored_text(pd.Series([text])).tolist() == [False], text


@pytest.mark.parametrize("text", CODES)
def test_a_token_with_a_digit_or_a_code_word_near_it_is_a_code(text: str) -> None:
    assert is_sponsored_text(pd.Series([text])).tolist() == [True], text


def test_a_capitals_code_entered_at_checkout_is_a_code() -> None:
    # the one such code in the Kim 2020 Instagram sample (caption shortened)
    text = "get your own bottle using WINSWPNK at checkout for 30% off a single bottle purchase"
    assert is_sponsored_text(pd.Series([text])).tolist() == [True]
