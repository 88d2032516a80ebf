"""A second creator list merges into the store cell by cell: a blank cell never erases what the
store holds for that creator, a filled cell updates it (a field filled for some creators and
blank for others used to blank the first list's values for the others)."""

from __future__ import annotations

import pandas as pd

from micromix.ingest import ingest_file
from micromix.store import Store

FIRST = (
    "creator_id,name,followers,niche,country\n"
    "ana,Ana A,1000,beauty,ES\n"
    "ben,Ben B,2000,fitness,US\n"
    "cy,Cy C,3000,food,FR\n"
)


def _store_with_first(tmp_path) -> Store:
    first = tmp_path / "first.csv"
    first.write_text(FIRST)
    st = Store.open(":memory:")
    ingest_file(st, "creators", first)
    return st


def test_blank_cells_keep_the_stored_values_and_filled_ones_update(tmp_path):
    st = _store_with_first(tmp_path)
    second = tmp_path / "second.csv"
    # niche filled for ana only, country for ben only, name blank for everyone but cy,
    # followers blank for ben; cy repeats the first list exactly
    second.write_text(
        "creator_id,name,followers,niche,country\n"
        "ana,,1500,skincare,\n"
        "ben,,,,CA\n"
        "cy,Cy C,3000,food,FR\n"
        "dee,Dee D,400,,\n"
    )
    rep = ingest_file(st, "creators", second)
    assert (rep.inserted, rep.updated, rep.unchanged) == (1, 2, 1)
    got = st.read("creators").set_index("creator_id")
    assert got.loc["ana", ["name", "followers", "niche", "country"]].tolist() == [
        "Ana A",
        1500,
        "skincare",
        "ES",
    ]
    assert got.loc["ben", ["name", "followers", "niche", "country"]].tolist() == [
        "Ben B",
        2000,
        "fitness",
        "CA",
    ]
    assert got.loc["cy", ["name", "followers", "niche", "country"]].tolist() == [
        "Cy C",
        3000,
        "food",
        "FR",
    ]
    assert got.loc["dee", "followers"] == 400 and got.loc["dee", ["niche", "country"]].isna().all()
    assert len(got) == 4


def test_a_list_of_blanks_and_placeholders_changes_nothing(tmp_path):
    st = _store_with_first(tmp_path)
    before = st.read("creators").set_index("creator_id").sort_index()
    second = tmp_path / "second.csv"
    second.write_text("creator_id,name,followers,niche,country\nana,,,NaN,\nben,NaN,,,\ncy,,-,,\n")
    rep = ingest_file(st, "creators", second)
    assert (rep.inserted, rep.updated, rep.unchanged) == (0, 0, 3)
    after = st.read("creators").set_index("creator_id").sort_index()
    cols = ["name", "followers", "niche", "country"]
    assert after[cols].equals(before[cols])


def test_a_rankings_scope_is_no_country_and_keeps_the_known_one(tmp_path):
    """HypeAuditor's top 1000 lists every creator under Country = All: the ranking's scope, not
    where the creator is; it had replaced the country another list gave (Spain -> All)."""
    first = tmp_path / "top200.csv"
    first.write_text(
        "rank,channel_info,influence_score,posts,followers,avg_likes,60d_eng_rate,country\n"
        "1,cristiano,92,3.3k,475.8m,8.7m,1.39%,Spain\n"
    )
    second = tmp_path / "top1000.csv"
    second.write_text(
        "Country,Rank,insta_id,Title,Category,Followers,Audience Country,Engagement avg\n"
        "All,1,cristiano,Cristiano Ronaldo,Sports with a ball,400100000,India,9500000\n"
        "All,2,kyliejenner,Kylie,Fashion|Beauty,308800000,United States,10100000\n"
    )
    st = Store.open(":memory:")
    ingest_file(st, "creators", first)
    ingest_file(st, "creators", second)
    got = st.read("creators").set_index("creator_id")
    assert got.loc["cristiano", "country"] == "Spain"
    assert pd.isna(got.loc["kyliejenner", "country"])
    assert got.loc["cristiano", "audience_country"] == "India"
