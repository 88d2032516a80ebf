"""Data-quality checks rendered in the report."""

from __future__ import annotations

import pandas as pd

from micromix.checks import Status
from micromix.store import Store
from micromix.store.quality import date_gaps, quality_report


def _ads(days: list[str], spend: list[float | None] | None = None) -> pd.DataFrame:
    n = len(days)
    return pd.DataFrame(
        {
            "date": pd.to_datetime(days).date,
            "platform": ["facebook"] * n,
            "campaign_id": ["c1"] * n,
            "impressions": [1000] * n,
            "clicks": [10] * n,
            "spend": spend if spend is not None else [5.0] * n,
            "conversions": [1.0] * n,
        }
    )


def test_date_gaps_groups_consecutive_missing_days() -> None:
    gaps = date_gaps(["2026-03-01", "2026-03-02", "2026-03-05", "2026-03-08", "2026-03-08"])
    assert [(a.strftime("%d"), b.strftime("%d")) for a, b in gaps] == [("03", "04"), ("06", "07")]
    assert date_gaps(["2026-03-01"]) == []
    assert date_gaps([]) == []


def test_coverage_gap_and_nulls_are_flagged() -> None:
    st = Store.open(":memory:")
    days = [f"2026-03-{d:02d}" for d in (1, 2, 3, 6, 7, 8, 9, 10, 11, 12)]
    st.append("ad_performance", _ads(days, spend=[5.0] * 7 + [None, None, None]))
    q = quality_report(st)
    by = {c.name: c for c in q.checks}
    cov = by["coverage:ad_performance"]
    assert cov.status is Status.REVIEW and cov.details["missing_days"] == 2
    assert "2026-03-04 to 2026-03-05" in cov.message
    nul = by["nulls:ad_performance"]
    assert nul.status is Status.FAIL and "spend" in nul.message and "30.0%" in nul.message
    row = q.null_shares.set_index("field").loc["spend"]
    assert row["nulls"] == 3 and row["null_share"] == 0.3
    assert q.row_counts.set_index("table").loc["ad_performance", "rows"] == 10


def test_quarantine_top_reasons_and_share() -> None:
    st = Store.open(":memory:")
    st.append("ad_performance", _ads(["2026-03-01", "2026-03-02"]))
    st.append(
        "quarantine",
        pd.DataFrame(
            {
                "kind": ["ads"] * 5,
                "source": ["f.csv"] * 5,
                "row": [1, 2, 3, 4, 5],
                "field": ["spend"] * 3 + ["date"] * 2,
                "reason": ["negative spend"] * 3 + ["unparseable date"] * 2,
            }
        ),
    )
    st.append(
        "ingest_log",
        pd.DataFrame(
            {
                "ingested_at": [pd.Timestamp("2026-03-03")],
                "kind": ["ads"],
                "source": ["f.csv"],
                "format": ["csv"],
                "rows_in_file": [7],
                "accepted": [2],
                "quarantined": [5],
                "inserted": [2],
                "updated": [0],
                "unchanged": [0],
            }
        ),
    )
    q = quality_report(st)
    by = {c.name: c for c in q.checks}
    assert by["quarantine"].status is Status.FAIL
    assert "5 rows were quarantined (71.4% of ingested rows)" in by["quarantine"].message
    assert q.top_reasons["reason"].tolist() == ["negative spend", "unparseable date"]
    assert q.top_reasons["rows"].tolist() == [3, 2]
    assert by["ingest_log"].status is Status.PASS and len(q.ingest_log) == 1


def test_empty_store_fails_data_present() -> None:
    q = quality_report(Store.open(":memory:"))
    assert q.checks[0].name == "data_present" and q.checks[0].status is Status.FAIL
    assert q.to_dict()["checks"][0]["status"] == "fail"


def test_a_range_row_covers_every_day_of_its_range() -> None:
    # a Google Ads campaign report covers its whole period in one row: not 27 missing days
    st = Store.open(":memory:")
    ads = _ads(["2026-01-27", "2026-06-01", "2026-06-02"])
    ads["date_end"] = pd.to_datetime(["2026-02-23", "2026-06-01", "2026-06-02"]).date
    st.append("ad_performance", ads)
    cov = {c.name: c for c in quality_report(st).checks}["coverage:ad_performance"]
    assert (
        cov.details["missing_days"]
        == (pd.Timestamp("2026-05-31") - pd.Timestamp("2026-02-24")).days + 1
    )
    assert "first gap: 2026-02-24 to 2026-05-31" in cov.message


def test_web_analytics_rows_are_data_to_analyse() -> None:
    st = Store.open(":memory:")
    st.append(
        "traffic",
        pd.DataFrame(
            {"date": pd.to_datetime(["2025-01-01"]).date, "date_end": pd.to_datetime(["2025-12-31"]).date,
             "report": ["Pages"], "dimension": ["Page path"], "dimension_value": ["/"],
             "views": [10], "source_id": ["f"], "source_row": [1]}
        ),
    )  # fmt: skip
    q = quality_report(st)
    present = q.checks[0]
    assert present.status is Status.PASS and "1 web-analytics rows" in present.message
    assert "nulls:traffic" in {c.name for c in q.checks}
    assert not any(c.name == "coverage:traffic" for c in q.checks)  # periods the user chose


def test_a_store_of_posts_alone_has_data_and_kpis_say_how_to_ask_for_them() -> None:
    import pytest

    from micromix.errors import ConfigError
    from micromix.metrics import compute_kpis

    st = Store.open(":memory:")
    st.append(
        "posts",
        pd.DataFrame(
            {"post_id": ["p1", "p2"], "ts": pd.to_datetime(["2024-05-01", "2024-05-02"]),
             "platform": ["tiktok", "tiktok"], "text": ["a", "b"], "likes": [10, 20]}
        ),
    )  # fmt: skip
    present = quality_report(st).checks[0]
    assert present.status is Status.PASS and "2 posts to analyse" in present.message
    with pytest.raises(ConfigError, match=r"only 2 posts.*--source posts"):
        compute_kpis(st)
    assert len(compute_kpis(st, source="posts")) == 1


def _export(days: list[str], source_id: str) -> pd.DataFrame:
    out = _ads(days)
    out["source_id"] = source_id
    out["source_row"] = range(1, len(days) + 1)
    return out


def _registry(st: Store, rows: dict[str, tuple[str, str, str]]) -> None:
    """Ingest-registry rows: source id -> (platform, account, currency)."""
    st.append(
        "ingest_files",
        pd.DataFrame(
            [
                {"source_id": k, "platforms": f'["{p}"]', "account": a, "currency": c,
                 "path": f"{k}.csv"}
                for k, (p, a, c) in rows.items()
            ]
        ),
    )  # fmt: skip


def _coverage_check(st: Store):
    return {c.name: c for c in quality_report(st).checks}["coverage:ad_performance"]


def test_accounts_reported_over_different_periods_are_not_missing_days() -> None:
    """Two accounts' complete reports of different months leave days between them that no
    report covers: said, never failed."""
    st = Store.open(":memory:")
    st.append("ad_performance", _export([f"2026-03-{d:02d}" for d in range(1, 11)], "exp-a"))
    st.append("ad_performance", _export([f"2026-06-{d:02d}" for d in range(1, 11)], "exp-b"))
    _registry(st, {"exp-a": ("facebook", "1", "IDR"), "exp-b": ("google", "2", "AUD")})
    cov = _coverage_check(st)
    assert cov.status is Status.REVIEW
    assert cov.message.startswith("the 2 export series cover different periods")
    assert (
        "none covers 82 day(s)" in cov.message and "first: 2026-03-11 to 2026-05-31" in cov.message
    )
    assert cov.details == {"missing_days": 0, "days_without_any_report": 82, "streams": 2}


def test_a_gap_in_one_accounts_reports_is_missing_whichever_file_it_was_in() -> None:
    """One account's reports are one stream: a day none of its files has is missing (daily
    files with days left out fail), a day one file lacks and another has is not."""
    st = Store.open(":memory:")
    march = [f"2026-03-{d:02d}" for d in range(1, 32)]
    holed = [d for d in march if not "2026-03-10" <= d <= "2026-03-20"]
    st.append("ad_performance", _export(holed, "exp-a"))
    st.append("ad_performance", _export(march, "exp-b"))  # a full re-download of March
    st.append("ad_performance", _export([f"2026-05-{d:02d}" for d in range(1, 11)], "exp-c"))
    _registry(
        st,
        {"exp-a": ("facebook", "1", "EUR"), "exp-b": ("facebook", "1", "EUR"),
         "exp-c": ("google", "9", "EUR")},
    )  # fmt: skip
    cov = _coverage_check(st)
    assert cov.status is Status.REVIEW and cov.details["missing_days"] == 0
    daily = Store.open(":memory:")
    for i, d in enumerate(march[::2]):  # one file a day, every other day missing
        daily.append("ad_performance", _export([d], f"day-{i}"))
    _registry(daily, {f"day-{i}": ("facebook", "1", "EUR") for i in range(len(march[::2]))})
    cov = _coverage_check(daily)
    assert cov.status is Status.FAIL and cov.details["missing_days"] == 15
    assert "15 of the 31 days inside each export series' own period" in cov.message


def test_exports_without_a_registry_are_each_their_own_stream() -> None:
    st = Store.open(":memory:")
    st.append("ad_performance", _export(["2026-03-01", "2026-03-02"], "exp-a"))
    st.append("ad_performance", _export(["2026-03-05", "2026-03-06"], "exp-b"))
    assert _coverage_check(st).details["days_without_any_report"] == 2


def test_a_gap_inside_most_of_an_export_fails() -> None:
    st = Store.open(":memory:")
    st.append("ad_performance", _export(["2026-03-01", "2026-03-20"], "exp-a"))
    cov = _coverage_check(st)
    assert cov.status is Status.FAIL and cov.details["missing_days"] == 18


def _registry_of(st: Store, rows: list[dict]) -> None:
    """Ingest-registry rows as the ingest writes them (lists as JSON text, account unknown)."""
    st.append("ingest_files", pd.DataFrame(rows))


def _idr_exports(st: Store, *exports: tuple[list[str], str, str, str]) -> None:
    """Facebook IDR exports with no account: (days, dims, campaigns, path) each."""
    rows = []
    for i, (days, dims, campaigns, path) in enumerate(exports):
        st.append("ad_performance", _export(days, f"exp-{i}"))
        rows.append(
            {"source_id": f"exp-{i}", "platforms": '["facebook"]', "account": None,
             "currency": "IDR", "dims": dims, "campaigns": campaigns, "path": path}
        )  # fmt: skip
    _registry_of(st, rows)


def test_exports_of_different_reports_leave_days_between_exports_not_missing() -> None:
    """A campaign-daily export of December and a region export of March, same platform and
    currency, no account named: two series; the winter between them is between exports, and
    no label reads 'nan'."""
    st = Store.open(":memory:")
    _idr_exports(
        st,
        ([f"2025-12-{d:02d}" for d in range(1, 25)], '["campaign_id", "platform"]', '["c1"]',
         "/x/meta_campaign_daily_idr.csv"),
        ([f"2026-03-{d:02d}" for d in range(1, 31)], '["campaign_id", "platform", "region"]',
         '["c1"]', "/x/meta_campaign_day_region_idr.csv"),
    )  # fmt: skip
    cov = _coverage_check(st)
    assert cov.status is Status.REVIEW and cov.details["missing_days"] == 0
    assert "between exports" in cov.message and "nan" not in cov.message
    assert cov.details["days_without_any_report"] == 7 + 31 + 28
    # the same report again, of other campaigns: a series of its own too
    st2 = Store.open(":memory:")
    st2.append("ad_performance", _export(["2026-01-01", "2026-01-02"], "exp-a"))
    st2.append("ad_performance", _export(["2026-01-09", "2026-01-10"], "exp-b"))
    rows = [
        {"source_id": s, "platforms": '["google"]', "account": float("nan"), "currency": "AUD",
         "dims": '["campaign_id"]', "campaigns": c, "path": f"{s}.csv"}
        for s, c in (("exp-a", '["Brand"]'), ("exp-b", '["Shopping"]'))
    ]  # fmt: skip
    _registry_of(st2, rows)
    cov = _coverage_check(st2)
    assert cov.details == {"missing_days": 0, "days_without_any_report": 6, "streams": 2}


def test_a_series_gap_and_days_between_exports_are_said_apart() -> None:
    st = Store.open(":memory:")
    dec = [f"2025-12-{d:02d}" for d in range(1, 25) if not 4 <= d <= 9]
    march = [f"2026-03-{d:02d}" for d in range(1, 11)]
    _idr_exports(
        st,
        (dec, '["campaign_id"]', '["c1"]', "/x/daily.csv"),
        (march, '["ad_id"]', "[]", "/x/ads.csv"),
    )
    cov = _coverage_check(st)
    assert cov.status is Status.REVIEW and cov.details["missing_days"] == 6
    assert "(facebook / IDR: daily.csv; first gap: 2025-12-04 to 2025-12-09)" in cov.message
    assert "the 66 day(s) between exports (first: 2025-12-25 to 2026-02-28)" in cov.message
    assert "missing from no series" in cov.message
