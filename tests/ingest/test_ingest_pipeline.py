"""Ingest safety: quarantine with reasons, accepted + quarantined == rows, idempotence, atomicity."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micromix.errors import ColumnNotFoundError, DataValidationError, InputFileError
from micromix.ingest import IngestReport, ingest_file, ingest_frame, validate_frame
from micromix.ingest.pipeline import prepare_file
from micromix.schema import AD_PERFORMANCE, EVENTS
from micromix.store import Store

HEADER = b"date,platform,campaign_id,ad_id,impressions,clicks,spend,conversions\n"

#: (line content, expected quarantine field or None, words the reason must contain)
BROKEN_LINES: list[tuple[bytes, str | None, str]] = [
    (b"2024-05-01,facebook,c1,a1,1000,10,5.5,1\n", None, ""),  # line 2
    (b"2024-05-01,instagram,c1,a2,2000,25,9.25,2\n", None, ""),  # line 3
    (b"2024-13-45,facebook,c1,a3,1000,10,5.5,1\n", "date", "not a valid date"),  # line 4
    (b"2024-05-01,facebook,c1,a4,1000,10,-3.5,1\n", "spend", "must be >= 0"),  # line 5
    (b"2024-05-01,facebook,c1,,1000,10,5.5,1\n", "ad_id", "required value is missing"),
    (b"2024-05-01,facebook,c1,a6,many,10,5.5,1\n", "impressions", "is not a number"),
    (b"2024-05-01,facebook,c1,a7,1000,1\xff\xfe0,5.5,1\n", "clicks", "not valid UTF-8"),
    (b"2024-05-01,facebook,c1,a1,999,11,5.0,1\n", None, ""),  # line 9: same names, kept
    (b"2024-05-01,facebook,c1,a8,1000,10,5.5,1,extra\n", "", "wrong number of fields"),
    (b"2024-05-02,facebook,c2,a1,500,5,2.75,0\n", None, ""),  # line 11
    (b"2024-05-02,myspace,c2,a1,500,5,2.75,0\n", "platform", "is not one of"),
    (b"2024-05-02,facebook,c2,a1,12.5,5,2.75,0\n", "impressions", "not a whole number"),
    (b"2024-05-03,facebook,c9", "", "truncated last line"),  # line 14
]


def write_broken(path: Path) -> Path:
    path.write_bytes(HEADER + b"".join(line for line, _, _ in BROKEN_LINES))
    return path


def snapshot(store: Store) -> dict[str, pd.DataFrame]:
    """Every contract table plus the quarantine, in a canonical order."""
    out = {}
    for name in ("ad_performance", "events", "posts", "creators", "quarantine"):
        df = store.read(name)
        out[name] = df.sort_values(list(df.columns)).reset_index(drop=True).astype(str)
    return out


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k], obj=k)


@pytest.fixture
def broken_file(tmp_path: Path) -> Path:
    return write_broken(tmp_path / "broken ads.csv")


def test_broken_file_good_rows_in_every_bad_row_quarantined(broken_file):
    store = Store.open(":memory:")
    rep = ingest_file(store, "ads", broken_file, currency="USD")
    data_rows = len(BROKEN_LINES)
    bad = {i + 2: (f, why) for i, (_, f, why) in enumerate(BROKEN_LINES) if f is not None}
    assert rep.rows_in_file == data_rows
    assert rep.accepted == data_rows - len(bad) == 4
    assert rep.quarantined == len(bad)
    assert rep.accepted + rep.quarantined == rep.rows_in_file
    assert rep.source == str(broken_file.resolve()) and rep.layout == "canonical"
    assert (rep.inserted, rep.updated, rep.unchanged) == (4, 0, 0)

    q = store.read("quarantine").set_index("row").sort_index()
    assert list(q.index) == sorted(bad)
    for line, (field, words) in bad.items():
        assert q.loc[line, "field"] == field, line
        assert words in q.loc[line, "reason"], (line, q.loc[line, "reason"])
        assert q.loc[line, "source"] == rep.source and q.loc[line, "kind"] == "ad_performance"
        assert isinstance(json.loads(q.loc[line, "record"]), dict)
    # the record keeps the raw values, so the user sees what was wrong
    assert json.loads(q.loc[5, "record"])["spend"] == "-3.5"
    assert "\ufffd" in json.loads(q.loc[8, "record"])["_line"]  # garbage bytes, made visible
    assert 9 not in q.index  # same names as line 2: rows are kept as the file has them

    ads = store.read("ad_performance").sort_values("source_row")
    assert list(ads["ad_id"]) == ["a1", "a2", "a1", "a1"]
    assert list(ads["source_row"]) == [2, 3, 9, 11]
    assert float(ads["spend"].sum()) == pytest.approx(5.5 + 9.25 + 5.0 + 2.75)
    assert list(ads["platform"]) == ["facebook", "instagram", "facebook", "facebook"]
    assert set(ads["currency"]) == {"USD"}

    # report: sample sorted by line, reasons grouped with their lines
    assert [s["row"] for s in rep.quarantine_sample] == sorted(bad)
    assert sum(r["count"] for r in rep.top_reasons) <= rep.quarantined
    log = store.read("ingest_log")
    assert log[["rows_in_file", "accepted", "quarantined"]].iloc[0].tolist() == [13, 4, 9]


def test_reingest_changes_nothing(broken_file):
    store = Store.open(":memory:")
    first = ingest_file(store, "ads", broken_file, currency="USD")
    before = snapshot(store)
    again = ingest_file(store, "ads", broken_file, currency="USD")
    assert_same(before, snapshot(store))
    assert (again.accepted, again.quarantined) == (first.accepted, first.quarantined)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, first.accepted)
    assert store.count("ad_performance") == first.accepted
    assert store.count("quarantine") == first.quarantined
    assert store.count("ingest_log") == 2  # the log records each attempt


def test_fixed_rows_leave_the_quarantine(tmp_path, broken_file):
    store = Store.open(":memory:")
    ingest_file(store, "ads", broken_file, currency="USD")
    fixed = broken_file.read_bytes().replace(b"c1,a4,1000,10,-3.5", b"c1,a4,1000,10,3.5")
    broken_file.write_bytes(fixed)
    rep = ingest_file(store, "ads", broken_file, currency="USD")
    assert rep.accepted == 5 and rep.inserted == 1 and rep.unchanged == 4
    assert 5 not in set(store.read("quarantine")["row"])
    assert store.count("quarantine") == rep.quarantined == 8


@pytest.mark.parametrize("failing", ["ingest_log", "quarantine"])
def test_failure_half_way_leaves_store_unchanged(monkeypatch, tmp_path, broken_file, failing):
    store = Store.open(str(tmp_path / "atomic.duckdb"))
    good = tmp_path / "good.csv"
    good.write_bytes(HEADER + b"2024-04-01,facebook,c0,a0,10,1,0.5,0\n")
    ingest_file(store, "ads", good, currency="USD")
    before = snapshot(store)
    log_before = store.count("ingest_log")

    impl = type(store)  # the engine's Store implementation (DuckDBStore here)
    original_append, original_upsert = impl.append, impl.upsert
    original_append_row = impl._append_row

    def boom_append(self, name, df):
        if name == failing:
            raise RuntimeError("disk full (injected)")
        return original_append(self, name, df)

    def boom_append_row(self, name, row):  # the ingest log line is one bound INSERT
        if name == failing:
            raise RuntimeError("disk full (injected)")
        return original_append_row(self, name, row)

    def boom_upsert(self, name, df, key):
        if name == failing:
            raise RuntimeError("disk full (injected)")
        return original_upsert(self, name, df, key)

    monkeypatch.setattr(impl, "append", boom_append)
    monkeypatch.setattr(impl, "_append_row", boom_append_row)
    monkeypatch.setattr(impl, "upsert", boom_upsert)
    with pytest.raises(RuntimeError, match="injected"):
        ingest_file(store, "ads", broken_file, currency="USD")
    assert_same(before, snapshot(store))
    assert store.count("ingest_log") == log_before
    monkeypatch.undo()
    # and the store still works afterwards
    assert ingest_file(store, "ads", broken_file, currency="USD").accepted == 4
    store.close()


def test_all_rows_bad_is_recorded_but_not_ok(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(
        "date,platform,campaign_id,impressions,spend\n"
        "x,facebook,c1,1,1\n"
        "2024-01-01,facebook,c1,-1,1\n"
    )
    store = Store.open(":memory:")
    rep = ingest_file(store, "ads", p, currency="USD")
    assert not rep.ok and (rep.accepted, rep.quarantined) == (0, 2)
    assert store.count("quarantine") == 2 and store.count("ad_performance") == 0


def test_only_broken_lines(tmp_path):
    p = tmp_path / "garbage.jsonl"
    p.write_bytes(b"{not json\n\xff\xfe\n[1, 2]\n")
    rep = ingest_file(Store.open(":memory:"), "events", p)
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (3, 0, 3)
    assert [s["row"] for s in rep.quarantine_sample] == [1, 2, 3]


def test_unreadable_or_unfit_files_raise_clear_errors(tmp_path):
    store = Store.open(":memory:")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputFileError, match="empty"):
        ingest_file(store, "ads", empty, currency="USD")
    header_only = tmp_path / "header.csv"
    header_only.write_text("date,platform,campaign_id,impressions,spend\n")
    with pytest.raises(InputFileError, match="no data rows"):
        ingest_file(store, "ads", header_only, currency="USD")
    with pytest.raises(InputFileError, match="not found"):
        ingest_file(store, "ads", tmp_path / "missing.csv")
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(ColumnNotFoundError, match="lacks column"):
        ingest_file(store, "ads", other, currency="USD")
    assert store.count("quarantine") == 0 and store.count("ingest_log") == 0


def test_report_repr_and_dict(broken_file):
    rep = ingest_file(Store.open(":memory:"), "ads", broken_file, currency="USD")
    assert "13 rows, 4 accepted, 9 quarantined" in repr(rep)
    d = rep.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert {
        "accepted",
        "quarantined",
        "inserted",
        "updated",
        "unchanged",
        "quarantine_sample",
    } <= d.keys()
    assert isinstance(rep, IngestReport)


# ---------------------------------------------------------------------- property: any mix
GOOD = "good"
CORRUPTIONS = {
    "bad_date": lambda i: f"2024-02-30,facebook,c{i},a{i},100,1,1.5,0\n".encode(),
    "negative": lambda i: f"2024-05-01,facebook,c{i},a{i},100,1,-1.5,0\n".encode(),
    "missing_id": lambda i: f"2024-05-01,facebook,c{i},,100,1,1.5,0\n".encode(),
    "wrong_type": lambda i: f"2024-05-01,facebook,c{i},a{i},lots,1,1.5,0\n".encode(),
    "garbage": lambda i: f"2024-05-01,facebook,c{i},a{i},100,1,1.5,0".encode() + b"\xc3\x28\n",
    "extra_field": lambda i: f"2024-05-01,facebook,c{i},a{i},100,1,1.5,0,9\n".encode(),
    "few_fields": lambda i: f"2024-05-01,facebook,c{i}\n".encode(),
    "bad_platform": lambda i: f"2024-05-01,orkut,c{i},a{i},100,1,1.5,0\n".encode(),
}


def good_line(i: int) -> bytes:
    return f"2024-05-01,facebook,c{i},a{i},{100 + i},{i % 7},{i * 0.25:.2f},{i % 3}\n".encode()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from([GOOD, GOOD, *CORRUPTIONS]), min_size=1, max_size=40),
    st.booleans(),
)
def test_property_accepted_plus_quarantined_equals_rows(kinds, truncate):
    body = b"".join(good_line(i) if k == GOOD else CORRUPTIONS[k](i) for i, k in enumerate(kinds))
    if truncate:
        body = body.rstrip(b"\n")[:-1]  # cut the last line short
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "mix.csv"
        p.write_bytes(HEADER + body)
        prep = prepare_file("ads", p, currency="USD")
        res, raw = prep.result, prep.raw
    n_rows = len(kinds)
    assert raw.total == n_rows
    assert len(res.accepted) + len(res.quarantine) == n_rows
    assert res.quarantine["row"].is_unique
    bad_lines = {i + 2 for i, k in enumerate(kinds) if k != GOOD}
    assert bad_lines <= set(res.quarantine["row"])
    if not truncate:
        assert set(res.quarantine["row"]) == bad_lines
        assert len(res.accepted) == kinds.count(GOOD)
    assert set(res.rows_accepted).isdisjoint(set(res.quarantine["row"]))


# ---------------------------------------------------------------------- typed frames
def typed_events(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "ts": pd.Timestamp("2024-05-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 86400, n), "s"),
            "user_id": [f"u{i % 50}" for i in range(n)],
            "event_type": rng.choice(["impression", "click", "purchase"], n),
            "platform": rng.choice(["instagram", "TikTok"], n),
            "cost": rng.random(n),
            "revenue": np.where(rng.random(n) < 0.1, 20.0, 0.0),
        }
    )


def test_ingest_frame_typed_events():
    df = typed_events(500)
    df.loc[3, "cost"] = -1.0
    df.loc[7, "event_type"] = "teleport"
    df.loc[9, "user_id"] = None
    df.loc[11, "event_id"] = "e0"
    store = Store.open(":memory:")
    rep = ingest_frame(store, "events", df, source="simulator:events")
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (500, 496, 4)
    q = store.read("quarantine").set_index("row")
    assert list(q.index.sort_values()) == [4, 8, 10, 12]
    assert q.loc[4, "field"] == "cost" and "must be >= 0" in q.loc[4, "reason"]
    assert q.loc[8, "field"] == "event_type" and "'teleport'" in q.loc[8, "reason"]
    assert q.loc[10, "reason"] == "required value is missing"
    assert "duplicate key" in q.loc[12, "reason"] and "line 1" in q.loc[12, "reason"]
    ev = store.read("events")
    assert set(ev["platform"]) == {"instagram", "tiktok"}  # lower-cased like text input
    assert float(ev["revenue"].sum()) == pytest.approx(
        float(df.drop([3, 7, 9, 11])["revenue"].sum())
    )
    again = ingest_frame(store, "events", df, source="simulator:events")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 496)


def test_validate_frame_matches_text_validation():
    """Typed and text paths agree on what is accepted and why rows are quarantined."""
    df = typed_events(200, seed=3)
    df.loc[5, "cost"] = -2.0
    df.loc[6, "platform"] = "myspace"
    typed = validate_frame(EVENTS, df, source="s")
    text = df.astype(object).where(df.notna(), None)
    text["ts"] = df["ts"].map(lambda t: t.isoformat())
    text = text.map(lambda v: None if v is None else str(v))
    via_text = EVENTS.validate(text, rows=list(range(1, 201)), source="s")
    assert typed.rows_accepted == via_text.rows_accepted
    assert list(typed.quarantine["field"]) == list(via_text.quarantine["field"])
    pd.testing.assert_series_equal(typed.accepted["cost"], via_text.accepted["cost"])
    assert list(typed.accepted["event_type"]) == list(via_text.accepted["event_type"])


def test_validate_frame_requires_required_columns():
    with pytest.raises(DataValidationError, match="'platform'"):
        validate_frame(
            AD_PERFORMANCE,
            pd.DataFrame({"campaign_id": ["c"], "impressions": [1], "spend": [1.0]}),
            source="f",
        )


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.sampled_from(["ok", "neg", "null_id", "bad_type", "nan", "dup"]), min_size=1, max_size=60
    )
)
def test_property_typed_frames_conserve_rows(kinds):
    n = len(kinds)
    cost: list[object] = []
    ids = []
    for i, k in enumerate(kinds):
        ids.append(None if k == "null_id" else ("e0" if k == "dup" and i else f"e{i}"))
        cost.append(
            -1.0 if k == "neg" else "x" if k == "bad_type" else np.nan if k == "nan" else 1.0
        )
    df = pd.DataFrame(
        {
            "event_id": ids,
            "ts": pd.Timestamp("2024-01-01", tz="UTC"),
            "user_id": "u",
            "event_type": "click",
            "cost": pd.Series(cost, dtype=object),
        }
    )
    res = validate_frame(EVENTS, df, source="p")
    assert len(res.accepted) + len(res.quarantine) == n
    assert sorted([*res.rows_accepted, *res.quarantine["row"].tolist()]) == list(range(1, n + 1))
    assert res.accepted["event_id"].is_unique


def test_money_cells_naming_another_currency_are_quarantined_never_relabelled(tmp_path):
    # "€12" in a file ingested with --currency USD is 12 euros, not 12 dollars: such a row is
    # set aside with the cell and the currency named; an unmarked amount takes --currency, a
    # "$" amount may be any dollar but never euros, and a row whose own cells disagree is split
    p = tmp_path / "ads.csv"
    p.write_text(
        "date,platform,campaign_id,ad_id,impressions,clicks,spend,conversion_value\n"
        "2024-05-01,facebook,c1,a1,10,5,€12,3\n"
        "2024-05-01,facebook,c1,a2,10,5,12 EUR,4\n"
        "2024-05-01,facebook,c1,a3,10,5,£3,1\n"
        "2024-05-01,facebook,c1,a4,10,5,3,1\n"
        "2024-05-01,facebook,c1,a5,10,5,€3,£1\n"
        "2024-05-01,facebook,c1,a6,10,5,$3,1\n",
        encoding="utf-8",
    )
    with Store.open(":memory:") as store:
        rep = ingest_file(store, "ads", p, currency="USD")
        assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (6, 2, 4)
        kept = store.table("ad_performance").to_pandas().sort_values("ad_id")
        assert list(kept["ad_id"]) == ["a4", "a6"] and set(kept["currency"]) == {"USD"}
        q = store.table("quarantine").to_pandas().set_index("row")
        assert "'€12' is in EUR but the row's currency is USD (--currency USD)" in q.at[2, "reason"]
        assert "'£3' is in GBP" in q.at[4, "reason"] and q.at[4, "field"] == "spend"
        assert "different currencies" in q.at[6, "reason"]
    with Store.open(":memory:") as store:
        rep = ingest_file(store, "ads", p, currency="EUR")
        kept = store.table("ad_performance").to_pandas()
        assert sorted(kept["ad_id"]) == ["a1", "a2", "a4"] and set(kept["currency"]) == {"EUR"}
        q = store.table("quarantine").to_pandas().set_index("row")
        assert "'$3' is not an amount in EUR" in q.at[7, "reason"]


def test_money_cells_give_the_currency_a_file_does_not_state(tmp_path):
    p = tmp_path / "ads.csv"
    p.write_text(
        "date,platform,campaign_id,ad_id,impressions,clicks,spend\n"
        "2024-05-01,facebook,c1,a1,10,5,€12\n"
        "2024-05-01,facebook,c1,a2,10,5,£3\n"
        "2024-05-01,facebook,c1,a3,10,5,0\n",
        encoding="utf-8",
    )
    with Store.open(":memory:") as store:
        rep = ingest_file(store, "ads", p)
        assert rep.accepted == 3
        kept = store.table("ad_performance").to_pandas().set_index("ad_id")
        assert kept.at["a1", "currency"] == "EUR" and kept.at["a2", "currency"] == "GBP"


@pytest.mark.parametrize("tz", ["America/New_York", None])
def test_parquet_times_beyond_year_9999_are_refused_per_row(tmp_path, tz):
    # Parquet holds instants pandas cannot even print once a zone is attached (year 56301):
    # the row is quarantined with the value, the other rows are kept, the store stays usable
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = tmp_path / "far.parquet"
    far_us = 1_714_550_400_000_000_000  # microseconds: the year 56301
    pq.write_table(
        pa.table(
            {
                "event_id": ["e1", "e2"],
                "ts": pa.array([far_us, 1_714_550_400_000_000], type=pa.timestamp("us", tz=tz)),
                "user_id": ["u1", "u2"],
                "event_type": ["click", "click"],
            }
        ),
        p,
    )
    with Store.open(":memory:") as store:
        rep = ingest_file(store, "events", p)
        assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (2, 1, 1)
        q = store.table("quarantine").to_pandas()
        assert q["reason"].iat[0].startswith("'56301-")
        assert store.table("events").to_pandas()["ts"].iat[0] == pd.Timestamp("2024-05-01 08:00")


def test_a_column_named_twice_is_refused_when_micromix_reads_it(tmp_path):
    """`ts` twice: which one is the event time is a guess, and either guess drops the other's
    values. A repeated column micromix does not read is kept out of the way, as before."""
    both = tmp_path / "ts_twice.csv"
    both.write_text(
        "event_id,ts,user_id,event_type,ts\ne1,2026-05-01T00:00:00Z,u1,search,2026-06-01\n"
    )
    store = Store.open(":memory:")
    with pytest.raises(DataValidationError) as err:
        ingest_file(store, "events", both)
    msg = str(err.value)
    assert str(both) in msg and "'ts' (columns 2, 5)" in msg and "rename or remove" in msg
    assert store.count("events") == 0 and store.count("ingest_log") == 0
    notes = tmp_path / "notes_twice.csv"
    notes.write_text(
        "event_id,ts,user_id,event_type,note,note\ne1,2026-05-01T00:00:00Z,u1,search,a,b\n"
    )
    assert ingest_file(store, "events", notes).accepted == 1


def test_repeated_currency_columns_must_agree_and_be_codes(tmp_path):
    """Google Ads names "Currency code" twice: equal copies are one currency; copies that
    disagree, or a currency that is not an ISO code, put the row in quarantine."""
    p = tmp_path / "ga.csv"
    p.write_text(
        "Campaign,Day,Impr.,Clicks,Cost,Currency code,Currency code\n"
        "A,2026-01-01,10,1,2.00,USD,USD\n"
        "B,2026-01-01,10,1,2.00,USD,EUR\n"
        "C,2026-01-01,10,1,2.00,,GBP\n"
        "D,2026-01-01,10,1,2.00,dollars,\n"
    )
    res = prepare_file("ads", p, layout="google_ads").result
    assert dict(zip(res.accepted["campaign_id"], res.accepted["currency"])) == {
        "A": "USD",
        "C": "GBP",
    }
    q = res.quarantine.set_index("row")
    assert set(q.index) == {3, 5} and set(q["field"]) == {"currency"}
    assert "disagree (USD, EUR)" in q.loc[3, "reasons"]
    assert "'DOLLARS' is not a three-letter ISO 4217 code" in q.loc[5, "reasons"]
