"""The posts store keeps the author's display name, bio and verified flag.

``social amplify`` on a TikTok dump left out a shop and a news outlet by their bio and verified
flag, but ``micromix ingest posts`` of the same dump dropped those fields (not in the posts
contract): the store's ranking (``plan --db``, the API's ``/social/amplify``) kept the
organisations the file's ranking left out. Dumps written for the test; the real trending dump
is read where it is present.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from _tiktok import scraper_dump
from micromix.cli.main import app
from micromix.ingest import ingest_file
from micromix.social.columns import canonical_posts
from micromix.social.files import read_posts
from micromix.social.listening import BrandSpec
from micromix.social.organisations import organisation_authors
from micromix.social.ugc import rank_for_amplification
from micromix.store import Store

runner = CliRunner()
PAWCO = BrandSpec("PawCo", handles=("pawco",))
REAL_DUMP = Path("/work/shared/data/exports/posts/tiktok_scraper_trending.json")

#: handle, display name, bio, verified, likes, text: a shop and a news outlet whose handles say
#: nothing, a person with "official" and a verified flag, and a person
_AUTHORS = [
    ("ann", "Ann", "dog mum, London", False, 300, "my pup loves her @pawco bowl"),
    ("pawpalace", "Paw Palace", "Online store, worldwide shipping", False, 900, "@pawco is back"),
    ("pawdaily", "Paw Daily", "Our team brings you pet news since 2009", True, 800, "@pawco?"),
    ("tay", "Official Taylor Fan", '=HYPERLINK("x") shop my merch', True, 500, "@pawco tour"),
]
ORGANISATIONS = {"pawpalace": "business bio", "pawdaily": "verified account"}


def _dump(path: Path, authors=_AUTHORS) -> Path:
    return scraper_dump(path, authors, first_id=7_300_000_000_000_000_000)


def _flagged(posts: pd.DataFrame, brand: BrandSpec) -> dict[str, str]:
    posts = canonical_posts(posts)
    why = organisation_authors(posts, brand)
    return dict(zip(posts.loc[why.notna(), "author_id"], why.dropna()))


def test_the_store_keeps_the_authors_name_bio_and_verified_flag(tmp_path: Path) -> None:
    p = _dump(tmp_path / "trending.json")
    st = Store.open(":memory:")
    assert ingest_file(st, "posts", p).accepted == len(_AUTHORS)
    stored = st.read("posts").sort_values("post_id").reset_index(drop=True)
    assert stored["author_name"].tolist() == [n for _, n, *_ in _AUTHORS]
    assert stored["author_bio"].tolist() == [b for _, _, b, *_ in _AUTHORS]
    assert stored["author_verified"].tolist() == [v for _, _, _, v, *_ in _AUTHORS]
    # the file's reader gives the same typed values as the store
    cols = ["post_id", "author_id", "author_name", "author_bio", "author_verified"]
    pd.testing.assert_frame_equal(read_posts(p)[cols], stored[cols], check_dtype=False)


def test_the_file_and_the_store_leave_out_the_same_organisations(tmp_path: Path) -> None:
    p = _dump(tmp_path / "trending.json")
    st = Store.open(":memory:")
    ingest_file(st, "posts", p)
    from_file = rank_for_amplification(read_posts(p), PAWCO, source=str(p))
    from_store = rank_for_amplification(st.read("posts"), PAWCO)
    assert sorted(from_file["author_id"]) == sorted(from_store["author_id"]) == ["ann", "tay"]
    cols = ["post_id", "author_id", "amplification_score"]
    pd.testing.assert_frame_equal(
        from_file[cols].reset_index(drop=True),
        from_store[cols].reset_index(drop=True),
        check_dtype=False,
    )
    for ranked in (from_file, from_store):
        note = next(n for n in ranked.attrs["notes"] if "organisation" in n)
        assert note.startswith("2 post(s) by 2 organisation or brand account(s) left out"), note
    assert _flagged(st.read("posts"), PAWCO) == _flagged(read_posts(p), PAWCO) == ORGANISATIONS


def test_the_api_ranking_of_an_ingested_dump_leaves_them_out(tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="fastapi is not installed (micromix[serve])")
    from fastapi.testclient import TestClient

    from micromix.api import Service, ServiceConfig, create_app

    st = Store.open(":memory:")
    ingest_file(st, "posts", _dump(tmp_path / "trending.json"))
    svc = Service(st, ServiceConfig(demo=False, rate=0))
    try:
        key = svc.keys.create("viewer", name="test-viewer")[0]
        with TestClient(create_app(svc), raise_server_exceptions=False) as client:
            r = client.get(
                "/api/v1/social/amplify?brand=PawCo",
                headers={"Authorization": f"Bearer {key}"},
            )
        body = r.json()
        assert r.status_code == 200, body
        assert sorted(row["author_id"] for row in body["rows"]) == ["ann", "tay"]
        assert any("2 organisation or brand account(s) left out" in n for n in body["notes"])
    finally:
        svc.close()
        st.close()


def test_a_posts_file_without_them_ingests_as_before(tmp_path: Path) -> None:
    p = tmp_path / "posts.csv"
    pd.DataFrame(
        {"post_id": ["a", "b"], "author_id": ["ann", "pawpalace"], "text": ["@pawco", "@pawco"]}
    ).to_csv(p, index=False)
    st = Store.open(":memory:")
    assert ingest_file(st, "posts", p).accepted == 2
    stored = st.read("posts")
    assert stored[["author_name", "author_bio", "author_verified"]].isna().all().all()
    assert _flagged(stored, PAWCO) == {}


def test_an_old_store_without_the_columns_still_reads_and_takes_them(tmp_path: Path) -> None:
    db = str(tmp_path / "old.duckdb")
    with Store.open(db) as st:
        ingest_file(st, "posts", _dump(tmp_path / "first.json", _AUTHORS[:2]))
        for c in ("author_name", "author_bio", "author_verified"):  # as an older micromix made it
            st.sql(f'ALTER TABLE posts DROP COLUMN "{c}"')
    with Store.open(db, read_only=True) as st:
        old = st.read("posts")
        assert "author_bio" not in old.columns
        # an old store ranks as before: the handle alone is all it knows
        assert sorted(rank_for_amplification(old, PAWCO)["author_id"]) == ["ann", "pawpalace"]
    with Store.open(db) as st:
        assert ingest_file(st, "posts", _dump(tmp_path / "again.json")).accepted == len(_AUTHORS)
        assert _flagged(st.read("posts"), PAWCO) == ORGANISATIONS


@pytest.mark.parametrize("old", [False, True])
def test_a_parquet_lake_reads_with_and_without_them(tmp_path: Path, old: bool) -> None:
    st = Store.open(":memory:")
    ingest_file(st, "posts", _dump(tmp_path / "trending.json"))
    posts = st.read("posts")
    if old:  # a lake written before the contract had them
        posts = posts.drop(columns=["author_name", "author_bio", "author_verified"])
    (tmp_path / "lake" / "posts").mkdir(parents=True)
    posts.to_parquet(tmp_path / "lake" / "posts" / "part-0.parquet")
    with Store.open(tmp_path / "lake") as lake:
        read = lake.read("posts")
    assert ("author_bio" in read.columns) is not old
    assert _flagged(read, PAWCO) == ({} if old else ORGANISATIONS)
    ranked = sorted(rank_for_amplification(read, PAWCO)["author_id"])
    assert ranked == (["ann", "pawdaily", "pawpalace", "tay"] if old else ["ann", "tay"])


def test_erase_deletes_the_authors_bio_and_export_escapes_it(tmp_path: Path) -> None:
    db = str(tmp_path / "m.duckdb")
    res = runner.invoke(app, ["ingest", "posts", str(_dump(tmp_path / "t.json")), "--db", db])
    assert res.exit_code == 0, res.output
    out = tmp_path / "posts.csv"
    res = runner.invoke(app, ["export", "posts", "--db", db, "--output", str(out)])
    assert res.exit_code == 0, res.output
    rows = {r["author_id"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert rows["pawdaily"]["author_bio"] == "Our team brings you pet news since 2009"
    # a bio is a cell like the caption: one that looks like a formula is escaped
    assert rows["tay"]["author_bio"] == '\'=HYPERLINK("x") shop my merch'
    res = runner.invoke(app, ["privacy", "erase", "pawpalace", "--db", db])
    assert res.exit_code == 0, res.output
    with Store.open(db, read_only=True) as st:
        left = st.read("posts")
    assert "pawpalace" not in set(left["author_id"])
    assert not left["author_bio"].str.contains("worldwide shipping").any()


@pytest.mark.skipif(not REAL_DUMP.exists(), reason=f"{REAL_DUMP} (real tiktok-scraper dump) absent")
def test_the_real_dump_flags_the_same_accounts_from_the_file_and_the_store() -> None:
    st = Store.open(":memory:")
    assert ingest_file(st, "posts", REAL_DUMP).accepted == 1_000
    nike = BrandSpec("Nike")
    from_store = _flagged(st.read("posts"), nike)
    assert from_store == _flagged(read_posts(REAL_DUMP), nike)
    assert from_store == {
        "dopesnowco": "business bio",
        "feyenoord": "business bio",
        "news1st": "verified account",
        "ootdmagazine": "business handle",
    }
