"""A bare code (no code word) is an affiliate code only after an amount off in the same clause:
"save", "saving" or "discount" alone, or an offer in another sentence, do not make a product
name, an OS version or a flight number a code (review 30; captions written for the test)."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.social import is_sponsored_text

NOT_CODES = [
    "Shot with iPhone12 - saving so much time on editing",
    "Save battery life with iOS14",
    "Discount on flights with BA2490 today",
    "20% off everything in store! Shot with iPhone12",
    "Saving up for a trip, flying with BA2490 next week",
]
CODES = [
    "save 20% with BELLA20",
    "Saving 15% with LUNA15 today",
    "Save $10 with MIA10 on your first order",
    "15% sparen mit LENA10",
    "Remise de 15% avec CAMILLE15",
    "10% discount with ROSE10 this week",
    "Get a discount with ANNA10, code valid all week",
]


@pytest.mark.parametrize("text", NOT_CODES)
def test_no_amount_off_before_it_no_code(text: str) -> None:
    assert is_sponsored_text(pd.Series([text])).tolist() == [False], text


@pytest.mark.parametrize("text", CODES)
def test_an_amount_off_before_it_or_a_code_word_beside_it_is_a_code(text: str) -> None:
    assert is_sponsored_text(pd.Series([text])).tolist() == [True], text
