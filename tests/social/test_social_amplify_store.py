"""``micromix social amplify --db X`` ranks the posts ``micromix ingest posts FILE --db X`` stored.

A marketer who ingested posts expected ``social amplify --db`` to rank the store's posts, as
``plan --db`` and the API's ``/social/amplify`` do; the command took only ``--input``. Now it
takes exactly one of ``--input FILE`` and ``--db X`` (``--backend``), with the same options and
output: the same picks from the file and from the store it was ingested into.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.store import Store

runner = CliRunner()

#: author, text, likes, hours after the first post: a fan with four posts (one over the cap of
#: three), a comparison, a post without the brand, a complaint, the brand's own account
_POSTS = [
    ("ann", "my pup loves her @pawco bowl, best buy this year", 300, 0),
    ("ann", "second @pawco bowl for the cat, she adores it", 420, 5),
    ("ann", "@pawco treats are a hit at the park", 260, 9),
    ("ann", "thanks @pawco, the harness fits perfectly", 380, 30),
    ("ben", "@pawco is ok but BarkBox is way better than @pawco", 900, 12),
    ("cat", "long walk in the rain today with the dogs", 1200, 15),
    ("dev", "@pawco my order arrived broken and nobody answers", 150, 20),
    ("pawco", "New @pawco beds are here! Shop now", 5000, 22),
    ("eve", "honestly the @pawco kibble changed my old dog's life", 640, 40),
]


def _posts_file(tmp_path: Path) -> Path:
    t0 = pd.Timestamp("2024-05-01 09:00", tz="UTC")
    path = tmp_path / "posts.csv"
    pd.DataFrame(
        {
            "post_id": [f"p{i:03d}" for i in range(len(_POSTS))],
            "author_id": [a for a, *_ in _POSTS],
            "text": [t for _, t, *_ in _POSTS],
            "likes": [n for *_, n, _ in _POSTS],
            "comments": [3] * len(_POSTS),
            "ts": [(t0 + pd.Timedelta(hours=h)).isoformat() for *_, h in _POSTS],
        }
    ).to_csv(path, index=False)
    return path


def _ingested(tmp_path: Path) -> tuple[Path, str]:
    path = _posts_file(tmp_path)
    db = str(tmp_path / "m.duckdb")
    res = runner.invoke(app, ["ingest", "posts", str(path), "--db", db])
    assert res.exit_code == 0, res.output
    return path, db


def _amplify(*args: str) -> dict:
    res = runner.invoke(app, ["social", "amplify", "--brand", "PawCo", "--json", *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


_SAME = ["post_id", "author_id", "amplification_score", "sentiment", "caveats", "predicted_ctr"]


@pytest.mark.parametrize("options", [[], ["--top", "2"], ["--per-author", "0"]])
def test_the_store_gives_the_picks_of_the_file_it_was_ingested_from(
    tmp_path: Path, options: list[str]
) -> None:
    path, db = _ingested(tmp_path)
    from_file = _amplify("--input", str(path), *options)
    from_store = _amplify("--db", db, *options)
    assert from_file["rows"], from_file
    picks = [[r[c] for c in _SAME] for r in from_store["rows"]]
    assert picks == [[r[c] for c in _SAME] for r in from_file["rows"]]
    assert from_store["currency"] == from_file["currency"] == "USD"
    assert from_store["notes"] == from_file["notes"]
    if not options:  # at most three picks per author, as from the file
        assert [r["author_id"] for r in from_store["rows"]].count("ann") == 3


def test_the_store_prints_the_files_table_and_notes(tmp_path: Path) -> None:
    path, db = _ingested(tmp_path)
    args = ["social", "amplify", "--brand", "PawCo", "--top", "3"]
    from_file = runner.invoke(app, [*args, "--input", str(path)])
    from_store = runner.invoke(app, [*args, "--db", db])
    assert from_store.exit_code == from_file.exit_code == 0, from_store.output
    assert from_store.stdout == from_file.stdout
    assert "User content to amplify for PawCo" in from_store.stdout
    assert from_store.stderr == from_file.stderr
    assert "pass --ads with your ad export" in from_store.stderr


def test_a_parquet_lake_ranks_as_the_duckdb_store(tmp_path: Path) -> None:
    _, db = _ingested(tmp_path)
    with Store.open(db, read_only=True) as st:
        posts = st.read("posts")
    (tmp_path / "lake" / "posts").mkdir(parents=True)
    posts.to_parquet(tmp_path / "lake" / "posts" / "part-0.parquet")
    assert _amplify("--db", str(tmp_path / "lake"))["rows"] == _amplify("--db", db)["rows"]


def _fails(*args: str) -> str:
    res = runner.invoke(app, ["social", "amplify", "--brand", "PawCo", *args])
    assert res.exit_code != 0, res.output
    assert "Traceback" not in res.output
    return " ".join(res.stderr.split())


def test_both_or_neither_is_a_clear_error(tmp_path: Path) -> None:
    path, db = _ingested(tmp_path)
    both = _fails("--input", str(path), "--db", db)
    assert "--input and --db exclude each other" in both, both
    with_backend = _fails("--input", str(path), "--backend", "duckdb")
    assert "--input and --backend exclude each other" in with_backend, with_backend
    neither = _fails()
    assert "pass --input FILE" in neither and "--db X" in neither, neither


@pytest.mark.parametrize(
    "option", [["--text-col", "text"], ["--dayfirst"], ["--monthfirst"]], ids=str
)
def test_file_reading_options_are_refused_with_the_store(tmp_path: Path, option: list) -> None:
    _, db = _ingested(tmp_path)
    msg = _fails("--db", db, *option)
    assert f"{option[0]} is how to read a posts file (--input)" in msg, msg


def test_a_store_without_posts_says_how_to_fill_it(tmp_path: Path) -> None:
    db = str(tmp_path / "empty.duckdb")
    Store.open(db).close()
    msg = _fails("--db", db)
    assert "no posts in the store" in msg and "micromix ingest posts FILE" in msg, msg
    missing = _fails("--db", str(tmp_path / "nothere.duckdb"))
    assert "no such database" in missing, missing
