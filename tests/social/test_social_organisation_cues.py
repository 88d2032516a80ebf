"""Display names, bios and account flags that people use too must not make them organisations:
fans write "official" ("Official Taylor Fan"), a person collects magazines, creators use
business accounts (names and bios written for the test)."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.social import BrandSpec
from micromix.social.columns import canonical_posts
from micromix.social.organisations import organisation_authors

ZARA = BrandSpec("Zara")


def _why(**author: str) -> str:
    cols = {"username": "mia_k", "caption": "love my new coat", **author}
    got = organisation_authors(
        canonical_posts(pd.DataFrame({k: [v] for k, v in cols.items()})), ZARA
    )
    return "person" if pd.isna(got.iloc[0]) else str(got.iloc[0])


@pytest.mark.parametrize(
    "name",
    [
        "Official Taylor Fan",
        "Mia | official swiftie",
        "Magazine collector Mia",
        "Mia - fashion magazine lover",
    ],
)
def test_fans_and_magazine_readers_are_people_by_name(name: str) -> None:
    assert _why(display_name=name) == "person"


@pytest.mark.parametrize(
    "name",
    [
        "Lovechild Magazine",
        "Official Store of Zara fans",
        "Zara Official Account",
        "Kiosk Magazine Shop",
    ],
)
def test_publishers_and_official_pages_are_businesses_by_name(name: str) -> None:
    assert _why(display_name=name) == "business name"


@pytest.mark.parametrize(
    "bio",
    [
        "magazine collector, cat mum, London",
        "I read every fashion magazine there is",
        "digital magazine editor by day, runner by night",
    ],
)
def test_a_person_naming_magazines_in_a_bio_is_a_person(bio: str) -> None:
    assert _why(bio=bio) == "person"


@pytest.mark.parametrize(
    "bio",
    [
        "An independent magazine about slow fashion",
        "We are a quarterly print magazine",
        "The magazine for modern knitters",
        "magazine shop in Leeds, since 1990",
    ],
)
def test_a_magazine_describing_itself_is_a_business(bio: str) -> None:
    assert _why(bio=bio) == "business bio"


@pytest.mark.parametrize(
    "author",
    [
        {"is_business_account": "true"},
        {"is_business_account": "true", "bio": "fitness creator, collabs via email"},
        {"is_business_account": "true", "display_name": "Official Taylor Fan"},
        {"is_business_account": "true", "category_name": "Digital creator"},
        {"verified": "true", "bio": "singer, shop my merch"},
    ],
)
def test_a_business_or_verified_flag_alone_is_not_proof(author: dict[str, str]) -> None:
    assert _why(**author) == "person"


@pytest.mark.parametrize(
    ("author", "why"),
    [
        (
            {"is_business_account": "true", "bio": "Handmade candles, shipping across the EU"},
            "business account",
        ),
        ({"is_business_account": "true", "category_name": "Bakery"}, "business account"),
        ({"is_business_account": "true", "username": "mias_studio_ldn"}, "business account"),
        ({"verified": "true", "bio": "Our team makes coats since 1975"}, "verified account"),
    ],
)
def test_a_business_or_verified_flag_with_another_cue_is_an_organisation(
    author: dict[str, str], why: str
) -> None:
    assert _why(**author) == why
