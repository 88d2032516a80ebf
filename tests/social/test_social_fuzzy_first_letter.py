"""A fuzzy brand mention keeps the name's first letter: "#RIMARK" (the Japanese label RIM.ARK)
was counted as Primark, "interest" as Pinterest, "evolve" as Revolve. Swapped letters in a
short name are still no mention (such tokens were ordinary words: "clues" for Cluse)."""

from __future__ import annotations

import pandas as pd

from micromix.social.listening import BrandSpec, detect_mentions


def test_a_different_first_letter_is_no_fuzzy_mention():
    texts = pd.Series(
        ["#RIMARK staff snap", "my interest board", "evolve daily", "primak haul", "pinterst"]
    )
    m = detect_mentions(texts, [BrandSpec("Primark"), BrandSpec("Pinterest"), BrandSpec("Revolve")])
    assert m["Primark"].tolist() == [False, False, False, True, False]
    assert m["Pinterest"].tolist() == [False, False, False, False, True]  # a dropped letter
    assert not m["Revolve"].any()


def test_swapped_letters_in_a_short_name_are_not_a_mention():
    texts = pd.Series(["pawoc bowl", "clues everywhere", "pawcoo treats"])
    m = detect_mentions(texts, [BrandSpec("PawCo"), BrandSpec("Cluse")])
    assert m["PawCo"].tolist() == [False, False, True]
    assert not m["Cluse"].any()
