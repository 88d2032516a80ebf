"""KPIs on stores of real-looking ad exports: the notes say exactly what the table does.

Small generated stores in the shape a reviewer found in the real exports: a zero-spend group
with no age, Meta and Google claiming revenue in one AUD group, a campaign whose region rows
carry no conversions, range rows of ads with no campaign name, reach some rows do not report.
"""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.errors import ConfigError
from micromix.metrics import compute_kpis
from micromix.store import Store


def _rows(**cols: list) -> pd.DataFrame:
    return pd.DataFrame(cols)


@pytest.fixture()
def exports() -> Store:
    """Campaign rows of Meta (with reach) and Google (without) in AUD, a Google EUR export of
    campaigns that spent nothing, and an IDR campaign whose region rows report no conversions;
    an age breakdown for one Meta AUD day."""
    st = Store.open(":memory:")
    st.append(
        "ad_performance",
        _rows(
            date=pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-01", "2026-06-02",
                                 "2026-03-27", "2026-03-27", "2026-03-27",
                                 "2025-12-01", "2025-12-02", "2026-03-27", "2026-03-27",
                                 "2026-06-01", "2026-06-01"]),
            platform=["facebook", "facebook", "google", "google", "google", "google", "google",
                      "facebook", "facebook", "facebook", "facebook", "facebook", "facebook"],
            level=["campaign"] * 13,
            campaign_id=["m1", "m1", "g1", "g1", "e1", "e2", "e3",
                         "X", "X", "X", "X", "m1", "m1"],
            age=[None] * 11 + ["18-24", "25-34"],
            impressions=[1000, 1000, 2000, 2000, 0, 0, 0, 500, 500, 300, 300, 400, 600],
            reach=[800, 800, None, None, None, None, None, 400, 400, 200, 200, 300, 500],
            clicks=[10, 10, 40, 40, 0, 0, 0, 5, 5, 3, 3, 4, 6],
            spend=[50.0, 50.0, 100.0, 100.0, 0.0, 0.0, 0.0,
                   1e5, 1e5, 5e4, 5e4, 20.0, 30.0],
            conversions=[1.0, 1.0, 2.5, 2.5, 0.0, 0.0, 0.0, 3.0, 4.0, None, None, 0.0, 1.0],
            conversion_value=[100.0, 100.0, 300.0, 300.0, None, None, None,
                              2e5, 3e5, None, None, 0.0, 50.0],
            currency=["AUD"] * 4 + ["EUR"] * 3 + ["IDR"] * 4 + ["AUD"] * 2,
        ),
    )  # fmt: skip
    return st


def test_a_group_of_real_zeros_is_a_row_and_the_note_says_what_is_shown(exports) -> None:
    """The EUR export of campaigns that spent nothing has no age: a row of zeros, never dropped
    with a note claiming every group with no age was left out."""
    df = compute_kpis(exports, by=["age"], source="ads", kpis=["spend", "conversions"])
    eur = df[df["currency"] == "EUR"]
    assert len(eur) == 1 and eur["age"].isna().all()
    assert eur["spend"].iloc[0] == 0.0 and eur["conversions"].iloc[0] == 0.0
    notes = " ".join(df.attrs["notes"])
    assert "no row here" not in notes
    # 4 AUD + 3 EUR + 4 IDR rows have no age, in one group per currency
    assert "11 ad rows have no age (their export gives none): they are shown as 3 groups" in notes
    assert df["age"].isna().sum() == 3


def test_ad_rows_reporting_nothing_asked_are_the_only_ones_left_out() -> None:
    st = Store.open(":memory:")
    st.append(
        "ad_performance",
        _rows(
            date=pd.to_datetime(["2026-01-01", "2026-01-01"]),
            platform=["google", "google"],
            campaign_id=["a", "b"],
            age=["18-24", None],
            impressions=[100, 0],
            clicks=[1, None],
            spend=[1.0, 0.0],
            currency=["USD", "USD"],
        ),
    )
    df = compute_kpis(st, by=["age"], source="ads", kpis=["clicks"])
    assert df["age"].tolist() == ["18-24"]
    assert df.attrs["notes"] == [
        "1 ad rows with no age report none of the measures asked (clicks: every cell empty), "
        "so their 1 group has no row here (unknown, not zeros)"
    ]


def test_platforms_attributions_added_in_one_group_are_said(exports) -> None:
    df = compute_kpis(exports, source="ads", kpis=["spend", "revenue", "roas"])
    aud = df[df["currency"] == "AUD"].iloc[0]
    assert aud["revenue"] == pytest.approx(200 + 600 + 50)
    overlap = [n for n in df.attrs["notes"] if "attributions overlap" in n]
    assert len(overlap) == 1
    assert "campaign AUD: facebook AUD 250 revenue + google AUD 600 revenue" in overlap[0]
    assert "may count a purchase twice" in overlap[0] and "--by platform" in overlap[0]
    # the IDR group is Meta's alone, the EUR one claims nothing: no note for them
    assert "IDR" not in overlap[0] and "EUR" not in overlap[0]
    apart = compute_kpis(exports, by=["platform"], source="ads", kpis=["revenue"])
    assert not any("attributions overlap" in n for n in apart.attrs["notes"])
    by_campaign = compute_kpis(exports, by=["campaign_id"], source="ads", kpis=["conversions"])
    assert not any("attributions overlap" in n for n in by_campaign.attrs["notes"])


def test_reach_summed_over_platforms_stays_a_sum(exports) -> None:
    """The platform helper of the overlap note must not turn summed ad reach into a max."""
    df = compute_kpis(exports, source="ads", kpis=["reach", "revenue"])
    idr = df[df["currency"] == "IDR"].iloc[0]
    assert idr["reach"] == 1200 and bool(idr["reach_is_upper_bound"])


def test_a_sum_some_rows_do_not_report_is_null_and_named_with_the_known_part(exports) -> None:
    df = compute_kpis(
        exports, by=["platform", "campaign_id"], source="ads", kpis=["conversions", "roas"]
    )
    x = df[df["campaign_id"] == "X"].iloc[0]
    assert pd.isna(x["conversions"]) and pd.isna(x["roas"])
    note = next(n for n in df.attrs["notes"] if "empty (unknown)" in n)
    assert note.startswith("conversions, revenue of 1 group are empty (unknown)")
    assert (
        "platform facebook, campaign_id X (campaign IDR): conversions at least 7, revenue at "
        "least IDR 500,000 (2 of its 4 rows report none of them)" in note
    )
    assert note.endswith("ROAS on them are empty too")


def test_unknown_reach_has_no_upper_bound_flag(exports) -> None:
    df = compute_kpis(exports, source="ads", kpis=["reach", "spend"])
    aud = df[df["currency"] == "AUD"].iloc[0]
    assert pd.isna(aud["reach"]) and pd.isna(aud["reach_is_upper_bound"])
    idr = df[df["currency"] == "IDR"].iloc[0]
    assert bool(idr["reach_is_upper_bound"]) is True
    assert str(df["reach_is_upper_bound"].dtype) == "boolean"


@pytest.mark.parametrize(
    ("names", "said"),
    [
        ({"campaign_id": [None], "campaign_name": [None], "ad_id": ["1202"]},
         "e.g. ad 1202 (no campaign name): 2026-03-26..2026-04-25"),
        ({"campaign_id": [None], "campaign_name": ["Brand | Q1"], "ad_id": [None]},
         "e.g. campaign Brand | Q1: 2026-03-26..2026-04-25"),
        ({"campaign_id": [None], "campaign_name": [None], "ad_id": [None]},
         "e.g. (no campaign name): 2026-03-26..2026-04-25"),
    ],
)  # fmt: skip
def test_a_range_refusal_names_the_campaign_as_the_export_does(names, said) -> None:
    st = Store.open(":memory:")
    st.append(
        "ad_performance",
        _rows(
            date=pd.to_datetime(["2026-03-26"]),
            date_end=pd.to_datetime(["2026-04-25"]),
            platform=["facebook"],
            impressions=[100],
            spend=[1.0],
            currency=["IDR"],
            **names,
        ),
    )
    with pytest.raises(ConfigError) as exc:
        compute_kpis(st, source="ads", grain="month", kpis=["spend"])
    assert said in str(exc.value) and "nan" not in str(exc.value)
    assert exc.value.example == f" ({said})"  # type: ignore[attr-defined]


def test_spread_ranges_of_two_platforms_keep_their_overlap_note() -> None:
    st = Store.open(":memory:")
    st.append(
        "ad_performance",
        _rows(
            date=pd.to_datetime(["2026-01-27", "2026-02-01"]),
            date_end=pd.to_datetime(["2026-02-05", None]),
            platform=["google", "facebook"],
            campaign_id=["g", "m"],
            impressions=[100, 100],
            spend=[10.0, 10.0],
            conversions=[10.0, 2.0],
            currency=["GBP", "GBP"],
        ),
    )
    df = compute_kpis(st, source="ads", grain="month", spread=True, kpis=["conversions"])
    assert df["conversions"].tolist() == pytest.approx([5.0, 7.0])
    notes = " ".join(df.attrs["notes"])
    assert "2026-02-01: facebook 2 conversions + google 5 conversions" in notes
