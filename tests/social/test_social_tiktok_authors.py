"""A TikTok dump's author profile (display name, bio, verified flag) reaches the organisation
check of ``social amplify``: the posts reader kept only the handle, so a shop whose handle says
nothing (``pawpalace``, bio "Online store, worldwide shipping") was ranked as a genuine customer.
Dumps written for the test in the layouts of tiktok-scraper (``authorMeta{}``), the web API
(``author{}``, ``stats{}``) and a flattened CSV of the scraper's fields."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from _tiktok import scraper_dump
from micromix.social.columns import canonical_posts
from micromix.social.files import read_posts
from micromix.social.listening import BrandSpec
from micromix.social.organisations import organisation_authors
from micromix.social.ugc import rank_for_amplification

PAWCO = BrandSpec("PawCo", handles=("pawco",))
REAL_DUMP = Path("/work/shared/data/exports/posts/tiktok_scraper_trending.json")

#: handle, display name, bio, verified, likes, text
_AUTHORS = [
    ("ann", "Ann", "dog mum, London", False, 300, "my pup loves her @pawco bowl"),
    (
        "pawpalace",
        "Paw Palace",
        "Online store, worldwide shipping",
        False,
        900,
        "@pawco bowls back",
    ),
    (
        "pawdaily",
        "Paw Daily",
        "Our team brings you pet news since 2009",
        True,
        800,
        "@pawco recall?",
    ),
    ("tay", "Official Taylor Fan", "singer, shop my merch", True, 500, "@pawco leash on tour"),
]
_WHY = {
    "ann": "person",
    "pawpalace": "business bio",
    "pawdaily": "verified account",
    "tay": "person",
}


def _scraper_dump(path: Path) -> Path:
    return scraper_dump(path, _AUTHORS, first_id=7_000_000_000_000_000_000)


def _web_api_dump(path: Path) -> Path:
    rows = [
        {
            "id": str(7_100_000_000_000_000_000 + i),
            "desc": text,
            "createTime": 1_700_000_000 + 3_600 * i,
            "author": {"uniqueId": h, "nickname": n, "signature": b, "verified": v},
            "stats": {"diggCount": likes, "commentCount": 3, "shareCount": 1, "playCount": 99},
        }
        for i, (h, n, b, v, likes, text) in enumerate(_AUTHORS)
    ]
    path.write_text(json.dumps(rows))
    return path


def _flat_csv(path: Path) -> Path:
    pd.DataFrame(
        [
            {
                "id": str(7_200_000_000_000_000_000 + i),
                "text": text,
                "createTime": 1_700_000_000 + 3_600 * i,
                "authorMeta.name": h,
                "authorMeta.nickName": n,
                "authorMeta.signature": b,
                "authorMeta.verified": str(v).lower(),
                "diggCount": likes,
                "commentCount": 3,
            }
            for i, (h, n, b, v, likes, text) in enumerate(_AUTHORS)
        ]
    ).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("write", [_scraper_dump, _web_api_dump, _flat_csv])
def test_the_authors_name_bio_and_verified_flag_are_read(tmp_path: Path, write) -> None:
    posts = read_posts(write(tmp_path / f"dump{'.csv' if write is _flat_csv else '.json'}"))
    assert posts.attrs["layout"] == "TikTok posts dump"
    assert posts["author_name"].tolist() == [n for _, n, *_ in _AUTHORS]
    assert posts["author_bio"].tolist() == [b for _, _, b, *_ in _AUTHORS]
    why = organisation_authors(canonical_posts(posts), PAWCO).fillna("person")
    assert dict(zip(posts["author_id"], why)) == _WHY


def test_amplify_leaves_the_shop_and_the_outlet_out(tmp_path: Path) -> None:
    posts = read_posts(_scraper_dump(tmp_path / "trending.json"))
    ranked = rank_for_amplification(posts, PAWCO)
    assert sorted(ranked["author_id"]) == ["ann", "tay"]
    note = next(n for n in ranked.attrs["notes"] if "organisation" in n)
    assert note.startswith("2 post(s) by 2 organisation or brand account(s) left out")


@pytest.mark.skipif(not REAL_DUMP.exists(), reason=f"{REAL_DUMP} (real tiktok-scraper dump) absent")
def test_the_real_dump_flags_a_club_a_shop_a_news_outlet_and_a_magazine() -> None:
    posts = canonical_posts(read_posts(REAL_DUMP))
    why = organisation_authors(posts, BrandSpec("Nike"))
    flagged = dict(zip(posts.loc[why.notna(), "author_id"], why.dropna()))
    # the handle alone found ootdmagazine; creators with "official" in the handle and a
    # verified flag (ladbabyofficial, theofficialcasper) stay people
    assert flagged == {
        "dopesnowco": "business bio",
        "feyenoord": "business bio",
        "news1st": "verified account",
        "ootdmagazine": "business handle",
    }
