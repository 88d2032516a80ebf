"""A failed or repeated ingest leaves the store as it should.

* A file none of whose rows can be accepted keeps its quarantine records (they say what was
  wrong) but is not registered as an ingested export: it replaces nothing (an earlier version
  from the same path keeps its rows) and overlaps nothing (the corrected file under another
  name is not refused).
* A file re-ingested from the same path (fixed in place) has its quarantine replaced.
* The identical file re-ingested after an earlier ``--keep-both`` is "unchanged", not refused.
* An overlap refusal offers ``--replace`` first only where the data shows the same deliveries.
* A newer creator list replaces a creator's figures as a whole, never field by field.
* A Google Ads total row wider than the rows (Performance Max) is noted with the difference.
* ``inspect`` shows a file whose money has no currency, with a note.
"""

from __future__ import annotations

import pytest

from micromix.ingest import OverlapError, ingest_file
from micromix.ingest.inspect import inspect_file
from micromix.ingest.lineage import REGISTRY_TABLE
from micromix.store import Store

HEADER = "date,platform,campaign_id,impressions,spend\n"


def _ads(path, rows):
    path.write_text(HEADER + "".join(f"{d},facebook,{c},{i},{s}\n" for d, c, i, s in rows))
    return path


def _counts(st: Store) -> dict[str, int]:
    return {
        t: st.count(t) if st.has_table(t) else 0
        for t in (REGISTRY_TABLE, "ad_performance", "quarantine")
    }


GOOD = [("2024-05-01", "c1", 100, "5.00"), ("2024-05-02", "c1", 120, "6.00")]
NEGATIVE = [(d, c, i, "-" + s) for d, c, i, s in GOOD]


def test_a_file_with_no_row_accepted_is_not_registered_and_overlaps_nothing(tmp_path):
    st = Store.open(":memory:")
    bad = ingest_file(st, "ads", _ads(tmp_path / "allneg.csv", NEGATIVE), currency="USD")
    assert (bad.accepted, bad.quarantined) == (0, 2) and not bad.ok
    # the reasons are kept, the file is no export of the store
    assert _counts(st) == {REGISTRY_TABLE: 0, "ad_performance": 0, "quarantine": 2}
    # the corrected file under another name is no overlap of the refused one
    fixed = ingest_file(st, "ads", _ads(tmp_path / "fixed.csv", GOOD), currency="USD")
    assert fixed.accepted == 2 and fixed.replaced == () and fixed.overlaps == ()
    assert st.count(REGISTRY_TABLE) == 1


def test_a_broken_version_at_the_same_path_keeps_the_earlier_versions_rows(tmp_path):
    st = Store.open(":memory:")
    p = _ads(tmp_path / "ads.csv", GOOD)
    ingest_file(st, "ads", p, currency="USD")
    before = st.read("ad_performance").sort_values("source_row").reset_index(drop=True)
    registry = st.read(REGISTRY_TABLE)
    rep = ingest_file(st, "ads", _ads(p, NEGATIVE), currency="USD")
    assert rep.accepted == 0 and rep.removed == 0
    after = st.read("ad_performance").sort_values("source_row").reset_index(drop=True)
    assert after.equals(before)
    assert st.read(REGISTRY_TABLE)["source_id"].tolist() == registry["source_id"].tolist()


def test_a_file_fixed_in_place_replaces_its_quarantine(tmp_path):
    st = Store.open(":memory:")
    p = tmp_path / "ads.csv"
    # line 3: a wrong number of fields; line 4: a negative spend
    p.write_text(
        HEADER + "2024-05-01,facebook,c1,100,5.00\n2024-05-02,facebook\n"
        "2024-05-03,facebook,c1,90,-1\n2024-05-04,facebook,c1,80,4.00\n"
    )
    first = ingest_file(st, "ads", p, currency="USD")
    assert first.quarantined == 2 and st.count("quarantine") == 2
    # fixed: the short line removed (the file is one line shorter), the spend corrected
    _ads(p, [*GOOD, ("2024-05-03", "c1", 90, "1.00")])
    again = ingest_file(st, "ads", p, currency="USD")
    assert (again.accepted, again.quarantined) == (3, 0)
    assert st.count("quarantine") == 0
    assert st.count("ad_performance") == 3


def test_a_fix_that_leaves_a_bad_row_keeps_only_that_rows_record(tmp_path):
    st = Store.open(":memory:")
    p = _ads(tmp_path / "ads.csv", [*GOOD, ("2024-05-03", "c1", 90, "-1"), ("x", "c1", 1, "1")])
    assert ingest_file(st, "ads", p, currency="USD").quarantined == 2
    _ads(p, [*GOOD, ("2024-05-03", "c1", 90, "-1")])
    assert ingest_file(st, "ads", p, currency="USD").quarantined == 1
    q = st.read("quarantine")
    assert q["row"].tolist() == [4] and q["field"].tolist() == ["spend"]


def test_the_identical_file_after_keep_both_is_unchanged(tmp_path):
    st = Store.open(":memory:")
    ingest_file(st, "ads", _ads(tmp_path / "may.csv", GOOD), currency="USD")
    later = _ads(tmp_path / "may_again.csv", [("2024-05-02", "c1", 120, "6.00")])
    with pytest.raises(OverlapError):
        ingest_file(st, "ads", later, currency="USD")
    kept = ingest_file(st, "ads", later, currency="USD", on_overlap="keep")
    assert kept.overlaps and kept.inserted == 1
    again = ingest_file(st, "ads", later, currency="USD")  # no flag needed: nothing new
    assert (again.unchanged, again.inserted, again.updated) == (1, 0, 0)
    assert st.count("ad_performance") == 3 and st.count(REGISTRY_TABLE) == 2


def test_a_version_that_newly_overlaps_another_export_is_still_refused(tmp_path):
    st = Store.open(":memory:")
    june = _ads(tmp_path / "june.csv", [("2024-06-05", "c1", 1, "1")])
    ingest_file(st, "ads", june, currency="USD")
    p = _ads(tmp_path / "may.csv", GOOD)
    ingest_file(st, "ads", p, currency="USD")
    # the May file re-downloaded in place now reaches into June
    _ads(p, [*GOOD, ("2024-06-05", "c1", 1, "1")])
    with pytest.raises(OverlapError, match=r"june\.csv"):
        ingest_file(st, "ads", p, currency="USD")


META_ADS = (
    "Ad name,Ad ID,Impressions,Amount spent (IDR),Reporting starts,Reporting ends\n"
    "sppf (mu),120242075202220007,1000,15000,2026-03-26,2026-04-25\n"
)
META_REGION = (
    "Campaign name,Day,Region,Impressions,Amount spent (IDR),Reporting starts,Reporting ends\n"
    "TAPEKETAN181 || TOF,2026-04-25,West Java,741,9672,2026-04-25,2026-04-25\n"
)


def test_an_overlap_of_files_nothing_ties_together_offers_keep_both_first(tmp_path):
    st = Store.open(":memory:")
    region = tmp_path / "region.csv"
    region.write_text(META_REGION)
    ingest_file(st, "ads", region)
    ads = tmp_path / "ads.csv"
    ads.write_text(META_ADS)
    with pytest.raises(OverlapError) as err:
        ingest_file(st, "ads", ads)
    msg = str(err.value)
    assert "nothing in the data shows the same account or campaigns" in msg
    assert "ads.csv names no account and no campaign" in msg
    assert "region.csv names no account and campaign(s) TAPEKETAN181 || TOF" in msg
    assert msg.index("--keep-both") < msg.index("--replace")
    assert "--replace only if this file re-exports the same deliveries" in msg
    assert err.value.paths == (str(region.resolve()),)
    assert ingest_file(st, "ads", ads, on_overlap="keep").accepted == 1


def test_an_overlap_of_the_same_report_offers_replace_first(tmp_path):
    st = Store.open(":memory:")
    ingest_file(st, "ads", _ads(tmp_path / "a.csv", GOOD), currency="USD")
    other = _ads(tmp_path / "b.csv", [("2024-05-02", "c2", 1, "1"), ("2024-05-02", "c1", 1, "1")])
    with pytest.raises(OverlapError) as err:
        ingest_file(st, "ads", other, currency="USD")
    msg = str(err.value)
    assert msg.index("--replace") < msg.index("--keep-both")
    assert "(the same report)" in msg


def test_another_breakdown_of_the_same_campaigns_offers_replace_first(tmp_path):
    st = Store.open(":memory:")
    ingest_file(st, "ads", _ads(tmp_path / "a.csv", GOOD), currency="USD")
    by_region = tmp_path / "region.csv"
    by_region.write_text(
        "date,platform,campaign_id,region,impressions,spend\n2024-05-02,facebook,c1,Java,1,1\n"
    )
    with pytest.raises(OverlapError) as err:
        ingest_file(st, "ads", by_region, currency="USD")
    msg = str(err.value)
    assert msg.index("--replace") < msg.index("--keep-both")
    assert "(1 campaign(s) in both)" in msg


TOP_1000 = (
    "Country,Rank,insta_id,Title,Category,Followers,Audience Country,Engagement avg\n"
    "All,1,cristiano,Cristiano Ronaldo,Sports with a ball,400100000,India,9500000\n"
    "All,2,kyliejenner,Kylie,Fashion|Beauty,308800000,United States,10100000\n"
)
TOP_200 = (
    "rank,channel_info,influence_score,posts,followers,avg_likes,60d_eng_rate,country\n"
    "1,cristiano,92,3.3k,475.8m,8.7m,1.39%,Spain\n"
)


def test_a_newer_creator_list_replaces_the_figures_as_a_whole(tmp_path):
    st = Store.open(":memory:")
    (tmp_path / "top1000.csv").write_text(TOP_1000)
    (tmp_path / "top200.csv").write_text(TOP_200)
    ingest_file(st, "creators", tmp_path / "top1000.csv")
    rep = ingest_file(st, "creators", tmp_path / "top200.csv")
    got = st.read("creators").set_index("creator_id")
    cr = got.loc["cristiano"]
    # one scrape's figures: followers and likes from the top-200 list, no engagement of the other
    assert cr["followers"] == 475_800_000 and cr["avg_likes"] == 8_700_000
    assert cr["avg_engagement"] != cr["avg_engagement"]  # NaN: the newer list gives none
    # descriptive fields the newer list leaves empty keep the stored ones
    assert cr["name"] == "Cristiano Ronaldo" and cr["audience_country"] == "India"
    assert got.loc["kyliejenner", "avg_engagement"] == 10_100_000  # not in the newer list
    assert any(
        "1 creator(s) already stored take this file's figures as a whole" in n for n in rep.notes
    )


def test_a_creator_list_without_figures_keeps_the_stored_ones(tmp_path):
    st = Store.open(":memory:")
    (tmp_path / "top1000.csv").write_text(TOP_1000)
    (tmp_path / "names.csv").write_text("creator_id,name,niche\ncristiano,CR7,football\n")
    ingest_file(st, "creators", tmp_path / "top1000.csv")
    rep = ingest_file(st, "creators", tmp_path / "names.csv")
    cr = st.read("creators").set_index("creator_id").loc["cristiano"]
    assert cr["followers"] == 400_100_000 and cr["avg_engagement"] == 9_500_000
    assert cr["name"] == "CR7" and cr["niche"] == "football"
    assert not any("as a whole" in n for n in rep.notes)


AD_GROUPS = (
    "Ad group report\nAll time\n"
    "Ad group,Campaign,Currency code,Impr.,Clicks,Cost,Conversions\n"
    "Treatment,CPR,USD,100,10,40.00,2.00\n"
    "Control,CPR,USD,50,5,10.00,1.00\n"
    "Total: Ad groups,,USD,150,15,50.00,3.00\n"
    "Total: Account,,USD,1150,35,74.50,13.00\n"
    "Total: Search,,USD,150,15,50.00,3.00\n"
    "Total: Performance Max,,USD,1000,20,24.50,10.00\n"
)


def test_an_account_total_wider_than_the_rows_is_noted(tmp_path):
    p = tmp_path / "ad_groups.csv"
    p.write_text(AD_GROUPS)
    rep = ingest_file(Store.open(":memory:"), "ads", p)
    assert rep.checks[0]["status"] == "pass" and "'Total: Ad groups'" in rep.checks[0]["message"]
    (note,) = [n for n in rep.notes if "exceeds its rows" in n]
    assert note.startswith(
        "the export's total row 'Total: Account' exceeds its rows by spend 24.50, "
        "impressions 1,000, clicks 20, conversions 10.00"
    )
    assert "'Total: Performance Max' states exactly that" in note


def test_rows_that_add_up_to_every_total_get_no_note(tmp_path):
    p = tmp_path / "ad_groups.csv"
    p.write_text(AD_GROUPS.split("Total: Account")[0])
    rep = ingest_file(Store.open(":memory:"), "ads", p)
    assert rep.checks[0]["status"] == "pass"
    assert not any("exceeds its rows" in n for n in rep.notes)


def test_inspect_shows_a_file_without_currency_and_says_ingest_needs_one(tmp_path):
    p = tmp_path / "ads.csv"
    p.write_text(HEADER + "2024-05-01,facebook,c1,100,5.00\n")
    ins = inspect_file("ads", p)
    assert ins.report.accepted == 1 and ins.mapping
    assert any("an ingest needs --currency" in n for n in ins.report.notes)
    with pytest.raises(Exception, match="pass --currency"):
        ingest_file(Store.open(":memory:"), "ads", p)
