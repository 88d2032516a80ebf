"""A business word must be a business's, not the end of a person's name (review 30): bare
``inc``, ``llc``, ``brands`` end real Kim 2020 creators' handles (``frncissdominc``, the
Icelandic patronymic ``sigridurgudbrands``, ``jennaleeannllc``), ``chloelovestoshop`` loves to
shop, and a display name with "media" or "shop" inside a person's description is a person's."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.social.listening import BrandSpec
from micromix.social.organisations import organisation_authors

NIKE = BrandSpec("Nike")


def _why(**columns: list[object]) -> list[object]:
    got = organisation_authors(pd.DataFrame(columns), NIKE)
    return [None if pd.isna(v) else v for v in got]


PEOPLE_HANDLES = [
    "frncissdominc",
    "sigridurgudbrands",
    "chloelovestoshop",
    "jennaleeannllc",
    "kevinc",
    "justinc",
    "jasminbrands",
]
BUSINESS_HANDLES = [
    "crunk.inc",
    "megamind_inc",
    "jc_brands73",
    "bitdreams_inc",
    "ecsupplyinc",
    "modelclubinc",
    "whiltonmillltd",
    "onrshop",
    "wallpapermag",
    "instylemagazine",
]


@pytest.mark.parametrize("handle", PEOPLE_HANDLES)
def test_a_name_ending_like_a_business_word_is_a_person(handle: str) -> None:
    assert _why(author_id=[handle]) == [None], handle


@pytest.mark.parametrize("handle", BUSINESS_HANDLES)
def test_a_business_word_after_a_separator_or_a_firms_word_is_a_business(handle: str) -> None:
    assert _why(author_id=[handle]) == ["business handle"], handle


PEOPLE_NAMES = [
    "Jane | social media & lifestyle",
    "Sam - media student",
    "Lucy loves to shop",
    "Mia | shop my looks below",
    "Tom, news junkie and runner",
]
BUSINESS_NAMES = [
    "Acme Media",
    "Pet Shop 🐶",
    "BBC News",
    "Acme Media Group",
    "Zara Official Store",
]


@pytest.mark.parametrize("name", PEOPLE_NAMES)
def test_a_shop_word_in_a_persons_description_is_not_a_business(name: str) -> None:
    assert _why(author_id=["someone"], author_name=[name]) == [None], name
    # beside a business-account flag it is no hint either
    flagged = _why(author_id=["someone"], author_name=[name], author_is_business=[True])
    assert flagged == [None], name


@pytest.mark.parametrize("name", BUSINESS_NAMES)
def test_a_shop_word_ending_the_name_is_a_business(name: str) -> None:
    assert _why(author_id=["someone"], author_name=[name]) == ["business name"], name


def test_a_shop_word_inside_the_name_is_a_hint_beside_a_business_flag() -> None:
    name = "Corner shop & cafe, Leeds"
    assert _why(author_id=["someone"], author_name=[name]) == [None]
    flagged = _why(author_id=["someone"], author_name=[name], author_is_business=[True])
    assert flagged == ["business account"]
