"""A brand's own account, a shop or a media outlet posting about the brand is not user content:
``social amplify`` kept them among the genuine picks (captions and handles written for the test,
shaped like the Kim 2020 Instagram sample's)."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.social import BrandSpec, rank_for_amplification
from micromix.social.columns import canonical_posts
from micromix.social.organisations import BRAND_NAMED, organisation_authors

ZARA = BrandSpec("Zara")


@pytest.mark.parametrize("handle", ["zara", "zara_uk", "zaraofficial", "thezarastore", "shopzara"])
def test_the_brands_own_accounts_are_brand_named(handle: str) -> None:
    posts = pd.DataFrame({"author_id": [handle]})
    assert organisation_authors(posts, ZARA).tolist() == [BRAND_NAMED]


@pytest.mark.parametrize(
    "handle", ["lovechildmag", "jwongboutique", "petstore", "krispclothing", "6abcactionnews"]
)
def test_shops_and_media_handles_are_businesses(handle: str) -> None:
    posts = pd.DataFrame({"author_id": [handle]})
    assert organisation_authors(posts, ZARA).tolist() == ["business handle"]


@pytest.mark.parametrize(
    "handle",
    [
        "zarabyrd",
        "zaramartin",
        "zaralover",
        "lora.bishop",
        "emilyblincoe",
        "janedoeofficial",
        "johannamaggy",
        "estoreta",
        "official_jmoneykix",
        "mia",
    ],
)
def test_people_are_not_organisations(handle: str) -> None:
    posts = pd.DataFrame({"author_id": [handle]})
    assert organisation_authors(posts, ZARA).isna().tolist() == [True]


def test_bio_category_and_business_columns_are_read_where_a_file_has_them() -> None:
    raw = pd.DataFrame(
        {
            "username": ["anna", "ben", "cleo", "dan", "eve"],
            "bio": [
                "Online store for pet lovers, worldwide shipping",
                "dog mum",
                "",
                "hi",
                "Handmade collars, est. 2015",
            ],
            "category_name": ["", "", "Retail company", "", ""],
            "is_business_account": ["false", "false", "false", "true", "true"],
            "caption": ["x", "y", "z", "w", "v"],
        }
    )
    got = organisation_authors(canonical_posts(raw), ZARA).fillna("person").tolist()
    # a business account is a hint, not proof (creators use them): dan is a person, eve a shop
    assert got == ["business bio", "person", "business category", "person", "business account"]


def test_amplify_keeps_organisations_out_and_says_how_many_and_why() -> None:
    posts = pd.DataFrame(
        {
            "username": ["mia", "zara_uk", "lovechildmag", "jwongboutique", "tom"],
            "caption": [
                "my new Zara coat is so warm, love it",
                "New in at Zara: the winter coat",
                "Our editors pick the Zara coat of the season",
                "Zara coats back in stock, DM to order",
                "Zara jeans fit perfectly",
            ],
            "likes": [40, 900, 300, 50, 20],
            "comments": [3, 40, 10, 2, 1],
        }
    )
    ranked = rank_for_amplification(posts, ZARA)
    assert sorted(ranked["author_id"]) == ["mia", "tom"]
    note = next(n for n in ranked.attrs["notes"] if "organisation" in n)
    assert note.startswith("3 post(s) by 3 organisation or brand account(s) left out")
    assert "1 brand-named account" in note and "2 business handle" in note
    assert "@zara_uk" in note and "@lovechildmag" in note
