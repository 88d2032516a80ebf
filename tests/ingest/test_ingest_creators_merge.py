"""A second creator list updates the creators it shares with the first: a descriptive field it
does not report keeps what the store holds (it had blanked the first list's niches); its figures
(followers, likes, engagement) replace the stored ones as a whole."""

from __future__ import annotations

from micromix.ingest import ingest_file
from micromix.store import Store


def test_a_second_list_keeps_the_fields_it_does_not_report(tmp_path):
    first = tmp_path / "top1000.csv"
    first.write_text(
        "Country,Rank,insta_id,Title,Category,Followers,Audience Country,Engagement avg\n"
        "All,1,cristiano,Cristiano Ronaldo,Sports with a ball,400100000,India,9500000\n"
        "All,2,kyliejenner,Kylie,Fashion|Beauty,308800000,United States,10100000\n"
    )
    second = tmp_path / "top200.csv"
    second.write_text(
        "rank,channel_info,influence_score,posts,followers,avg_likes,60d_eng_rate,country\n"
        "1,cristiano,92,3.3k,475.8m,8.7m,1.39%,Spain\n"
        "3,newcomer,80,1.1k,12.5m,0.4m,2.10%,Brazil\n"
    )
    st = Store.open(":memory:")
    ingest_file(st, "creators", first)
    rep = ingest_file(st, "creators", second)
    assert (rep.inserted, rep.updated) == (1, 1)
    got = st.read("creators").set_index("creator_id")
    cr = got.loc["cristiano"]
    assert cr["followers"] == 475_800_000  # reported again: the newer file's figure
    assert cr["name"] == "Cristiano Ronaldo" and cr["niche"] == "Sports with a ball"
    assert cr["audience_country"] == "India"
    # the figures are one scrape's: the older list's engagement is not kept beside the newer
    # list's followers (a newer list replaces the figures as a whole)
    assert cr["avg_engagement"] != cr["avg_engagement"] and cr["avg_likes"] == 8_700_000
    assert got.loc["kyliejenner", "niche"] == "Fashion,Beauty"  # untouched (as ingest writes it)
    assert got.loc["newcomer", "followers"] == 12_500_000
