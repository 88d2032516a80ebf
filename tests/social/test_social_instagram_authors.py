"""An Instagram dump's author profile (display name, bio, verified flag) reaches the
organisation check of ``social amplify``, as a TikTok dump's does: the Instagram layout read
only ``ownerUsername``, so a shop whose handle says nothing (``pawpalace``, bio "Online store,
worldwide shipping") was ranked as a genuine customer. Dumps written for the test in the
layouts of Apify's Instagram scraper (flat ``ownerUsername`` / ``ownerFullName``, profile
fields ``biography`` / ``verified`` where enriched), a CSV of them (``isVerified``) and GraphQL
nodes (``owner{}``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from micromix.ingest import ingest_file
from micromix.social.columns import canonical_posts
from micromix.social.files import read_posts
from micromix.social.listening import BrandSpec
from micromix.social.organisations import organisation_authors
from micromix.social.ugc import rank_for_amplification
from micromix.store import Store

PAWCO = BrandSpec("PawCo", handles=("pawco",))

#: handle, display name, bio, verified, likes, caption
_AUTHORS = [
    ("ann.walks", "Ann", "dog mum, London", False, 300, "my pup loves her @pawco bowl"),
    ("pawpalace", "Paw Palace", "Online store, worldwide shipping", False, 900, "@pawco is back"),
    ("pawdaily", "Paw Daily", "Our team brings you pet news since 2009", True, 800, "@pawco?"),
    ("tay", "Official Taylor Fan", "singer, shop my merch", True, 500, "@pawco leash on tour"),
]
#: the organisations among them (the others are people: a fan's "official" and verified flag
#: are not enough)
_ORGANISATIONS = {"pawpalace": "business bio", "pawdaily": "verified account"}


def _apify_items() -> list[dict]:
    return [
        {
            "inputUrl": "https://www.instagram.com/explore/tags/pawco/",
            "id": str(3_300_000_000_000_000_000 + i),
            "type": "Image",
            "shortCode": f"C{i}xYz",
            "caption": text,
            "hashtags": [],
            "mentions": ["pawco"],
            "url": f"https://www.instagram.com/p/C{i}xYz/",
            "commentsCount": 3,
            "likesCount": likes,
            "timestamp": f"2024-05-0{i + 1}T10:00:00.000Z",
            "ownerFullName": name,
            "ownerUsername": handle,
            "ownerId": str(500 + i),
            "biography": bio,
            "verified": verified,
            "isSponsored": False,
        }
        for i, (handle, name, bio, verified, likes, text) in enumerate(_AUTHORS)
    ]


def _apify_json(path: Path) -> Path:
    path.write_text(json.dumps(_apify_items()))
    return path


def _apify_csv(path: Path) -> Path:
    rows = []
    for item in _apify_items():
        row = {k: v for k, v in item.items() if not isinstance(v, list)}
        row["isVerified"] = str(row.pop("verified")).upper()  # as a spreadsheet writes it
        rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _graphql_nodes(path: Path) -> Path:
    edges = [
        {
            "node": {
                "shortcode": f"G{i}",
                "taken_at_timestamp": 1_714_550_400 + 3_600 * i,
                "owner": {
                    "username": handle,
                    "full_name": name,
                    "biography": bio,
                    "is_verified": verified,
                },
                "edge_liked_by": {"count": likes},
                "edge_media_to_comment": {"count": 2},
                "edge_media_to_caption": {"edges": [{"node": {"text": text}}]},
            }
        }
        for i, (handle, name, bio, verified, likes, text) in enumerate(_AUTHORS)
    ]
    doc = {"graphql": {"hashtag": {"edge_hashtag_to_media": {"edges": edges}}}}
    path.write_text(json.dumps(doc))
    return path


_WRITERS = {"apify.json": _apify_json, "apify.csv": _apify_csv, "graphql.json": _graphql_nodes}


@pytest.mark.parametrize("name", sorted(_WRITERS))
def test_the_authors_name_bio_and_verified_flag_are_read(tmp_path: Path, name: str) -> None:
    posts = read_posts(_WRITERS[name](tmp_path / name))
    assert posts.attrs["layout"] == "Instagram posts dump"
    assert posts["author_id"].tolist() == [h for h, *_ in _AUTHORS]
    assert posts["author_name"].tolist() == [n for _, n, *_ in _AUTHORS]
    assert posts["author_bio"].tolist() == [b for _, _, b, *_ in _AUTHORS]
    assert [bool(v) for v in posts["author_verified"]] == [v for _, _, _, v, *_ in _AUTHORS]
    why = organisation_authors(canonical_posts(posts), PAWCO)
    assert dict(zip(posts.loc[why.notna(), "author_id"], why.dropna())) == _ORGANISATIONS


@pytest.mark.parametrize("name", sorted(_WRITERS))
def test_amplify_leaves_out_the_shop_and_the_news_outlet(tmp_path: Path, name: str) -> None:
    posts = read_posts(_WRITERS[name](tmp_path / name))
    ranked = rank_for_amplification(posts, PAWCO)
    assert sorted(ranked["author_id"]) == ["ann.walks", "tay"]
    note = next(n for n in ranked.attrs["notes"] if "organisation" in n)
    assert note.startswith("2 post(s) by 2 organisation or brand account(s) left out"), note


def test_the_store_keeps_them_and_ranks_as_the_file_does(tmp_path: Path) -> None:
    p = _apify_json(tmp_path / "apify.json")
    st = Store.open(":memory:")
    assert ingest_file(st, "posts", p).accepted == len(_AUTHORS)
    stored = st.read("posts").sort_values("post_id").reset_index(drop=True)
    assert stored["author_bio"].tolist() == [b for _, _, b, *_ in _AUTHORS]
    assert stored["author_verified"].tolist() == [v for _, _, _, v, *_ in _AUTHORS]
    ranked = rank_for_amplification(stored, PAWCO)
    assert sorted(ranked["author_id"]) == ["ann.walks", "tay"]


def test_a_dump_without_profile_fields_has_no_such_columns(tmp_path: Path) -> None:
    # never a column of nulls that would read as "not verified"
    items = [
        {k: v for k, v in item.items() if k not in ("ownerFullName", "biography", "verified")}
        for item in _apify_items()
    ]
    p = tmp_path / "plain.json"
    p.write_text(json.dumps(items))
    posts = read_posts(p)
    assert not {"author_name", "author_bio", "author_verified"} & set(posts.columns)
