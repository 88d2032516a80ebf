"""The notes on ad KPIs by a fine dimension: built in one pass over the groups (the text for the
first three only), with the same words as before, and never quoting a partial sum as a figure.
"""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.metrics import compute_kpis
from micromix.store import Store


@pytest.fixture()
def ads() -> Store:
    """Six ads on Meta and Google in USD; some rows report no conversions or no revenue."""
    st = Store.open(":memory:")
    st.append(
        "ad_performance",
        pd.DataFrame(
            {
                "date": pd.to_datetime(["2026-01-01"] * 13),
                "platform": ["facebook", "google"] * 6 + ["google"],
                "ad_id": ["a1", "a1", "a2", "a2", "a3", "a3", "a4", "a4", "a5", "a5",
                          "a6", "a6", "a6"],
                "impressions": [100] * 13,
                "spend": [1.0] * 13,
                "conversions": [1.0, 2.0, 3.0, 0.5, None, 1.0, 2.0, 2.0, 0.0, 1.0,
                                4.0, 1.0, None],
                "conversion_value": [10.0, 20.0, None, 5.0, 7.5, None, 1.0, 2.0, 3.0, 4.0,
                                     40.0, 10.0, 5.0],
                "currency": ["USD"] * 13,
            }
        ),
    )  # fmt: skip
    return st


def _three_rows(**cols: list) -> Store:
    """Two Meta rows and one Google row of a day in USD."""
    st = Store.open(":memory:")
    base = {
        "date": pd.to_datetime(["2026-01-01"] * 3),
        "platform": ["facebook", "facebook", "google"],
        "impressions": [100, 100, 100],
        "spend": [1.0, 1.0, 1.0],
        "currency": ["USD"] * 3,
    }
    st.append("ad_performance", pd.DataFrame({**base, **cols}))
    return st


def _notes(df: pd.DataFrame, word: str) -> str:
    (note,) = [n for n in df.attrs["notes"] if word in n]
    return note


def test_notes_by_ad_are_the_same_words_as_before(ads) -> None:
    """The texts the per-group loops wrote (main f1d848e) for the same store."""
    df = compute_kpis(ads, by=["ad_id"], source="ads")
    assert _notes(df, "attributions overlap") == (
        "revenue and conversions of 6 groups add what several platforms each attribute to their "
        "own ads (ad_id a1 (USD): facebook USD 10 revenue, 1 conversions + google USD 20 revenue, "
        "2 conversions; ad_id a2 (USD): facebook 3 conversions + google USD 5 revenue, 0.50 "
        "conversions; ad_id a3 (USD): facebook USD 7.50 revenue + google 1 conversions; and 3 "
        "more groups): the platforms' attributions overlap (each claims the purchases its ads "
        "touched), so the sum may count a purchase twice and ROAS and CPA on it may look better "
        "than they are; see each platform apart with --by ad_id,platform"
    )
    assert _notes(df, "empty (unknown)") == (
        "revenue, conversions of 3 groups are empty (unknown): some of their rows report no such "
        "figure (an export without that column, or empty cells), and a sum without them would "
        "understate it; the rows that report it give ad_id a2 (USD): revenue at least USD 5 (1 of "
        "its 2 rows report none); ad_id a3 (USD): conversions at least 1, revenue at least USD "
        "7.50 (1 of its 2 rows report none of them); ad_id a6 (USD): conversions at least 5 (1 of "
        "its 3 rows report none); CVR, CPA, ROAS, ROI on them are empty too"
    )


def test_notes_on_conversions_alone_are_the_same_words_as_before(ads) -> None:
    df = compute_kpis(ads, by=["ad_id"], source="ads", kpis=["conversions", "cpa"])
    assert _notes(df, "attributions overlap") == (
        "conversions of 4 groups add what several platforms each attribute to their own ads "
        "(ad_id a1 (USD): facebook 1 conversions + google 2 conversions; ad_id a2 (USD): facebook "
        "3 conversions + google 0.50 conversions; ad_id a4 (USD): facebook 2 conversions + google "
        "2 conversions; and 1 more groups): the platforms' attributions overlap (each claims the "
        "purchases its ads touched), so the sum may count a purchase twice and ROAS and CPA on it "
        "may look better than they are; see each platform apart with --by ad_id,platform"
    )
    assert _notes(df, "empty (unknown)") == (
        "conversions of 2 groups is empty (unknown): some of their rows report no such figure (an "
        "export without that column, or empty cells), and a sum without them would understate "
        "it; the rows that report it give ad_id a3 (USD): conversions at least 1 (1 of its 2 rows "
        "report none); ad_id a6 (USD): conversions at least 5 (1 of its 3 rows report none); CPA "
        "on them are empty too"
    )


def test_a_platform_figure_some_rows_do_not_report_is_at_least_never_a_sum() -> None:
    """Meta's two rows, one without a conversion value: the table's revenue is unknown, so the
    overlap note says "at least USD 5", never "USD 5 revenue" as if it were the figure."""
    st = _three_rows(
        campaign_id=["c", "c", "c"], conversions=[1.0, 1.0, 2.0], conversion_value=[5.0, None, 8.0]
    )
    df = compute_kpis(st, by=["campaign_id"], source="ads", kpis=["revenue", "conversions"])
    assert pd.isna(df["revenue"].iloc[0]) and df["conversions"].iloc[0] == 4.0
    overlap = _notes(df, "attributions overlap")
    assert (
        "(campaign_id c (USD): facebook at least USD 5 revenue, 2 conversions + "
        "google USD 8 revenue, 2 conversions)" in overlap
    )
    assert "facebook USD 5 revenue" not in overlap
    # the part the rows give is the unreported note's "at least" too
    assert "revenue at least USD 13 (1 of its 3 rows report none)" in _notes(df, "empty (unknown)")


def test_a_platform_figure_whose_only_known_part_is_zero_is_left_out() -> None:
    """ "At least 0" says nothing: Meta's revenue (0 on one row, none on the other) is left out
    while its conversions are named."""
    st = _three_rows(conversions=[1.0, 0.0, 2.0], conversion_value=[None, 0.0, 8.0])
    overlap = _notes(compute_kpis(st, source="ads"), "attributions overlap")
    assert "(USD: facebook 1 conversions + google USD 8 revenue, 2 conversions)" in overlap


def test_groups_of_one_platform_make_no_overlap_note(ads) -> None:
    df = compute_kpis(ads, by=["ad_id", "platform"], source="ads")
    assert not any("attributions overlap" in n for n in df.attrs["notes"])


def test_the_unreported_note_names_the_first_groups_in_the_tables_order() -> None:
    """The groups the note quotes are the table's first (sorted by the keys), whatever order the
    rows were stored in or the engine returned the groups in."""
    ids = [f"c{i:02d}" for i in range(12)]
    order = [7, 2, 11, 0, 9, 4, 1, 10, 5, 3, 8, 6]  # stored out of order
    st = Store.open(":memory:")
    st.append(
        "ad_performance",
        pd.DataFrame(
            {
                "date": pd.to_datetime(["2026-01-01"] * 24),
                "platform": ["facebook"] * 24,
                "campaign_id": [ids[i] for i in order for _ in range(2)],
                "impressions": [100] * 24,
                "spend": [1.0] * 24,
                "conversions": [1.0, None] * 12,
                "currency": ["USD"] * 24,
            }
        ),
    )
    note = _notes(compute_kpis(st, by=["campaign_id"], source="ads"), "empty (unknown)")
    assert "campaign_id c00 (USD)" in note and "campaign_id c02 (USD)" in note
    assert note.index("c00") < note.index("c01") < note.index("c02")
    assert "and 9 more groups" in note
    assert not any(f"campaign_id {c} " in note for c in ids[3:])
