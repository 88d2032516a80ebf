"""Affiliate codes and gifted products count as sponsorship, in several word orders and
languages; ordinary prose that only uses the words does not (captions written for the test)."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.social import BrandSpec, is_sponsored_text, rank_for_amplification

SPONSORED = [
    "Get 20% off with the code 'PAWLY' at the shop",
    "use code 'MIMI' for 10% off your first box",
    "Save 15% with my code “TOBI15” this week",
    "nutzt meinen CODE um 10% zu sparen ➡️ HUNDEFREUND",
    "code: KATZ für 15% Rabatt auf alles",
    "Mit dem Code „LENA10“ bekommt ihr 10% Rabatt",
    "-15% avec le code JULIE15 sur le site",
    "avec mon code promo BIBOU vous avez -20%",
    "con il codice SOFI20 avrete il 20% di sconto",
    "con el código ANA10 tienes un 10% de descuento",
    "met de code FENNA krijg je 15% korting",
    "com o meu código RITA10 tens 10% de desconto",
    "kod rabatowy: ola - 15 % na wszystko",
    "クーポンコード【hana】で15％OFF",
    '"WOOF-TEN" will give you 10% off',
    "‘pawtrip’ indirim kodunu kullanarak 10% indirim",
    "These treats were gifted by the shop #gotitforfree",
    "(gifted) new collar for the pup",
    "a PR package arrived today",
    "kindly sent by the team",
    "#werbungunbezahlt neue Leine",
    "#Anzeige neue Leine",
    "#publicité nouvelle laisse",
    "#pawcogiftedme new bowl",
    "so good #ad",
    "use code PUP10",
    "Paid partnership with pawco",
]
GENUINE = [
    "kids learn to code in 10 days at the library",
    "dress code: black tie, 20% chance of rain",
    "zip code 90210 is 20% off the map",
    "Product Code: #DZZ48457 looks great",
    "a gifted pianist played 100% from memory",
    "I had an ad-free day",
    "#adventure time with the dog",
    "we had a pint at the #pub after the walk",
    "the code for the door is on the fridge",
    "got this as a gift from my mum, 50% cuter than the old one",
]


@pytest.mark.parametrize("text", SPONSORED)
def test_codes_and_gifts_are_sponsored(text: str) -> None:
    assert is_sponsored_text(pd.Series([text])).tolist() == [True], text


@pytest.mark.parametrize("text", GENUINE)
def test_prose_is_not_sponsored(text: str) -> None:
    assert is_sponsored_text(pd.Series([text])).tolist() == [False], text


def test_coded_posts_are_not_ranked_as_genuine() -> None:
    posts = pd.DataFrame(
        {
            "username": ["ann", "ann", "bob", "bob", "cy"],
            "caption": [
                "my pup loves @pawco treats",
                "walk in the park",
                "@pawco bowl, get 15% off with the code 'BOBBY'",
                "rainy day",
                "@pawco collar (gifted)",
            ],
            "likes": [300, 100, 900, 100, 500],
        }
    )
    ranked = rank_for_amplification(posts, BrandSpec("PawCo", handles=("pawco",)))
    assert ranked["author_id"].tolist() == ["ann"]
