"""Hostile input (issue 16): the reproducers one by one, and generated malformed files.

Invariants for every file: no internal error (only a MicromixError, one sentence), rows counted
exactly as Python's csv / json modules count them, accepted + quarantined = rows, and the store
stays queryable by day.
"""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _hostile import HOSTILE_CELLS, expected_rows, hostile_file
from micromix.errors import MicromixError
from micromix.ingest import ingest_file, prepare_file
from micromix.store import Store

EVENTS_HEADER = "event_id,ts,user_id,event_type,cost\n"


def _events(tmp_path: Path, body: str | bytes, name: str = "e.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return p


def _by_day(store: Store, table: str = "events", col: str = "ts") -> None:
    t = store.table(table)
    store.execute(t.group_by(day=t[col].truncate("D")).aggregate(n=t.count()))


def test_impossible_and_relative_timestamps_are_quarantined(tmp_path):
    p = _events(
        tmp_path,
        EVENTS_HEADER
        + "e1,0000-01-01T00:00:00Z,u,click,1\ne2,-2024-05-01,u,click,1\ne3,today,u,click,1\n"
        + "e4,now,u,click,1\ne5,2101-01-01,u,click,1\ne6,1714550400123456,u,click,1\n",
    )
    store = Store.open(":memory:")
    rep = ingest_file(store, "events", p)
    assert (rep.accepted, rep.quarantined) == (1, 5)
    reasons = {r["row"]: r["reason"] for r in rep.quarantine_sample}
    assert "relative date" in reasons[4] and "outside the accepted time window" in reasons[6]
    _by_day(store)  # never "year -2024 is out of range"
    ev = store.read("events")
    assert str(ev["ts"].iloc[0]) == "2024-05-01 08:00:00.123456"  # µs epoch, not seconds
    again = ingest_file(store, "events", p)
    assert again.unchanged == 1  # nothing depends on the wall clock


@pytest.mark.parametrize(
    "sep", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
def test_line_separators_inside_cells_are_not_row_breaks(tmp_path, sep):
    p = _events(
        tmp_path, EVENTS_HEADER + f"e1,2024-05-01,u{sep}x,click,1\ne2,2024-05-01,u,view,2\n"
    )
    rep = ingest_file(Store.open(":memory:"), "events", p)
    assert (rep.rows_in_file, rep.accepted) == (2, 2)
    jl = _events(
        tmp_path,
        json.dumps(
            {"event_id": "e1", "ts": "2024-05-01", "user_id": f"a{sep}b", "event_type": "click"}
        )
        + "\n",
        "e.jsonl",
    )
    assert ingest_file(Store.open(":memory:"), "events", jl).accepted == 1


def test_bare_cr_in_jsonl_and_unquoted_csv_cells(tmp_path):
    line = json.dumps({"event_id": "e1", "ts": "2024-05-01", "user_id": "u", "event_type": "view"})
    jl = _events(tmp_path, line + "\r\n" + line.replace("e1", "e2") + "\r", "e.jsonl")
    rep = ingest_file(Store.open(":memory:"), "events", jl)
    assert (rep.rows_in_file, rep.accepted) == (2, 2)
    # a bare CR ends a CSV record (as the csv module reads it): two short records, quarantined
    p = _events(tmp_path, EVENTS_HEADER + "e1,2024-05-01,u\rx,click,1\n")
    rep = ingest_file(Store.open(":memory:"), "events", p)
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (2, 0, 2)


def test_quoted_field_over_the_csv_limit_keeps_the_parser_in_step(tmp_path):
    rows = [f"e{i},2024-05-01,u,click,1" for i in range(10)]
    rows[3] = 'e3,2024-05-01,"' + "x" * 200_000 + '",click,1'
    p = _events(tmp_path, EVENTS_HEADER + "\n".join(rows) + "\n")
    rep = ingest_file(Store.open(":memory:"), "events", p)
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (10, 10, 0)
    rows[3] = 'e3,2024-05-01,"' + "x" * 1_000_001 + '",click,1'
    p = _events(tmp_path, EVENTS_HEADER + "\n".join(rows) + "\n")
    rep = ingest_file(Store.open(":memory:"), "events", p)
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (10, 9, 1)
    assert "longer than 1,000,000 characters" in rep.quarantine_sample[0]["reason"]


@pytest.mark.parametrize(
    ("value", "words"),
    [("1e30", "too large"), (str(2**63), "too large"), ("9" * 5000, "too many digits")],
)
def test_huge_numbers_are_quarantined_without_warnings(tmp_path, value, words):
    p = tmp_path / "ads.csv"
    p.write_text(
        "date,platform,campaign_id,ad_id,impressions,spend,currency\n"
        f"2024-05-01,facebook,c,a,{value},1,USD\n2024-05-01,facebook,c,b,5,1,USD\n"
    )
    store = Store.open(":memory:")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rep = ingest_file(store, "ads", p)
    shown = [w for w in caught if issubclass(w.category, (RuntimeWarning, UserWarning))]
    assert shown == []  # no "overflow encountered" printed to the user
    assert (rep.accepted, rep.quarantined) == (1, 1)
    assert words in rep.quarantine_sample[0]["reason"]


def test_invalid_utf8_in_the_header_and_wide_encodings(tmp_path):
    p = _events(
        tmp_path,
        EVENTS_HEADER.replace("cost", "co\xffst").encode("latin-1") + b"e1,2024-05-01,u,click,1\n",
    )
    assert ingest_file(Store.open(":memory:"), "events", p).accepted == 1
    for enc in ("utf-16", "utf-32", "utf-16-be", "utf-8-sig"):
        body = (EVENTS_HEADER + "e1,2024-05-01,ü,click,1\n").encode(enc)
        rep = ingest_file(Store.open(":memory:"), "events", _events(tmp_path, body, f"{enc}.csv"))
        assert rep.accepted == 1 and rep.encoding.startswith(enc.replace("-sig", "")[:6])


def test_deep_nesting_big_integers_and_wrong_json_types(tmp_path):
    good = {"event_id": "e1", "ts": "2024-05-01", "user_id": "u", "event_type": "click"}
    lines = [
        json.dumps(good),
        "[" * 100_000 + "]" * 100_000,
        json.dumps({**good, "event_id": "e2"}).replace("}", ', "n": ' + "7" * 4400 + "}"),
        json.dumps({**good, "event_id": {"nested": 1}}),
        json.dumps({**good, "event_id": "e4", "cost": True}),
        json.dumps({**good, "event_id": "e5", "cost": "7" * 4400}),
    ]
    p = _events(tmp_path, "\n".join(lines) + "\n", "e.jsonl")
    store = Store.open(":memory:")
    rep = ingest_file(store, "events", p)
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (6, 2, 4)
    why = {r["row"]: r["reason"] for r in rep.quarantine_sample}
    assert "nested deeper" in why[2] and "JSON object" in why[4]
    assert "boolean true is not a number" in why[5] and "too many digits" in why[6]
    assert set(store.read("events")["event_id"]) == {"e1", "e2"}  # never a repr of an object
    deep = _events(tmp_path, "[" * 100_000 + "]" * 100_000, "deep.json")
    with pytest.raises(MicromixError, match="nested too deeply"):
        prepare_file("events", deep)


def test_invalid_utf8_in_a_parquet_string_column(tmp_path):
    raw = [b"e1", b"e2\xff"]
    ids = pa.Array.from_buffers(pa.string(), 2, pa.array(raw).buffers())
    tbl = pa.table(
        {
            "event_id": ids,
            "ts": pa.array(["2024-05-01", "2024-05-02"]),
            "user_id": pa.array(["u", "u"]),
            "event_type": pa.array(["click", "view"]),
        }
    )
    p = tmp_path / "e.parquet"
    pq.write_table(tbl, p)
    rep = ingest_file(Store.open(":memory:"), "events", p)
    assert (rep.rows_in_file, rep.accepted, rep.quarantined) == (2, 1, 1)


def test_picture_is_refused_in_one_sentence(tmp_path):
    p = tmp_path / "picture.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(MicromixError, match="PNG image, not a data table"):
        prepare_file("ads", p)


def _check(f, tmp_path: Path, store: Store | None = None) -> None:
    path = tmp_path / f"h{f.suffix}"
    path.write_bytes(f.data)
    expect = expected_rows(f)
    try:
        if store is None:
            prep = prepare_file(f.kind, path, currency="USD")
            n = len(prep.result.accepted) + len(prep.result.quarantine)
            assert expect < 0 or n == expect
            return
        rep = ingest_file(store, f.kind, path, currency="USD", on_overlap="keep")
    except MicromixError as exc:
        assert "\n" not in str(exc) and "bug in micromix" not in str(exc)
        return
    assert rep.accepted + rep.quarantined == rep.rows_in_file
    assert expect < 0 or rep.rows_in_file == expect
    table = {"events": "events", "ads": "ad_performance", "posts": "posts"}[f.kind]
    _by_day(store, table, "date" if f.kind == "ads" else "ts")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_generated_hostile_files_keep_the_invariants(tmp_path, seed):
    _check(hostile_file(random.Random(seed), max_rows=12), tmp_path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.lists(
            st.one_of(st.text(max_size=12), st.sampled_from(HOSTILE_CELLS)), min_size=4, max_size=4
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_text_cells_are_counted_as_the_csv_module_counts(tmp_path, cells):
    import csv
    import io

    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(["event_id", "ts", "user_id", "event_type"])
    w.writerows(cells)
    p = tmp_path / "t.csv"
    p.write_bytes(buf.getvalue().encode("utf-8", errors="surrogatepass"))
    expect = sum(1 for r in csv.reader(io.StringIO(buf.getvalue(), newline="")) if r) - 1
    try:
        prep = prepare_file("events", p)
    except MicromixError as exc:
        assert "\n" not in str(exc)
        return
    assert len(prep.result.accepted) + len(prep.result.quarantine) == expect


@pytest.mark.slow
def test_long_fuzz_campaign_into_stores(tmp_path):
    store = Store.open(":memory:")
    for i in range(400):
        if i % 25 == 0:
            store.close()
            store = Store.open(":memory:")
        _check(hostile_file(random.Random(10_000 + i)), tmp_path, store)
    store.close()


def test_api_style_batches_read_epochs_and_refuse_wrong_json_types():
    from micromix.ingest import ingest_frame

    records = [
        {"event_id": "e1", "ts": 1714550400123, "user_id": "u", "event_type": "click"},
        {"event_id": "e2", "ts": "2024-05-01T10:00:00Z", "user_id": "u", "event_type": "view"},
        {"event_id": {"a": 1}, "ts": 1714550400, "user_id": "u", "event_type": "click"},
        {"event_id": "e4", "ts": 1714550400, "user_id": "u", "event_type": "click", "cost": True},
        {"event_id": "e5", "ts": "today", "user_id": "u", "event_type": "click"},
    ]
    import pandas as pd

    cols = {k for r in records for k in r}
    frame = pd.DataFrame({k: pd.Series([r.get(k) for r in records], dtype=object) for k in cols})
    store = Store.open(":memory:")
    rep = ingest_frame(store, "events", frame, "api:test")
    assert (rep.accepted, rep.quarantined) == (2, 3)
    ev = store.read("events").sort_values("event_id")
    assert str(ev["ts"].iloc[0]) == "2024-05-01 08:00:00.123000"  # epoch ms, not quarantined
    assert store.read("quarantine")["record"].str.contains('"a": 1').any()


def test_jsonl_with_a_damaged_first_line_is_still_json_lines(tmp_path):
    # found by the fuzz campaign (seed 11, file 3369): bytes that are not UTF-8 before the "{"
    good = json.dumps({"event_id": "e1", "ts": "2024-05-01", "user_id": "u", "event_type": "view"})
    p = _events(
        tmp_path,
        b"\xc3(" + good.encode() + b"\n" + good.replace("e1", "e2").encode() + b"\n",
        "e.jsonl",
    )
    rep = ingest_file(Store.open(":memory:"), "events", p)
    assert (rep.file_format, rep.rows_in_file, rep.accepted, rep.quarantined) == ("jsonl", 2, 1, 1)
