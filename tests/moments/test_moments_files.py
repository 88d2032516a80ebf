"""`moments bursts / classify / watch` read files like every other command and say what they
did: --no-header through the shared reader, --dayfirst/--monthfirst and --tz, notes for naive
times and too little history, errors naming the file, export cells passed through as text."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.moments import detect_bursts
from micromix.moments.actions import build_action
from micromix.moments.bursts import SCORE_MEANING, BurstSpec

runner = CliRunner()
#: `moments bursts` on a file of ts, key, count
BURSTS = ["moments", "bursts", "--time-col", "ts", "--key-col", "key", "--count-col", "count"]


def _run(args: list[str], code: int = 0):
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output
    return res


def _hourly(n: int = 60, spike: int = 50, base: int = 10) -> pd.DataFrame:
    """``n`` hours of a steady count with one spike at hour ``spike``."""
    ts = pd.date_range("2024-05-01", periods=n, freq="h")
    counts = np.full(n, base)
    counts[spike] = base * 20
    return pd.DataFrame({"ts": ts.strftime("%Y-%m-%d %H:%M:%S"), "count": counts})


# ----------------------------------------------------------------------------- --no-header
def test_no_header_reads_every_line_as_data(tmp_path: Path):
    # review d #1: a first line whose values repeat is data, not "a header naming '5' twice"
    p = tmp_path / "nh2.csv"
    p.write_text("2024-05-01 10:00:00,5,5\n2024-05-01 10:05:00,3,4\n2024-05-01 10:10:00,3,3\n")
    res = _run(
        [
            "moments",
            "bursts",
            "-i",
            p,
            "--time-col",
            "c0",
            "--count-col",
            "c2",
            "--no-header",
            "--freq",
            "5min",
        ]
    )
    assert "add a header line" not in res.output
    assert list(pd.read_csv(io.StringIO(res.stdout)).columns)[:2] == ["key", "start"]


def test_no_header_equal_first_lines_and_leading_zero_keys(tmp_path: Path):
    # two events in one second (equal first two lines) are data; key 007 stays 007
    rows = ["2024-05-01 00:00:00,007", "2024-05-01 00:00:00,007"]
    rows += [
        f"{t:%Y-%m-%d %H:%M:%S},007"
        for t in pd.date_range("2024-05-01 01:00", periods=40, freq="h")
    ]
    rows += ["2024-05-02 17:30:00,007"] * 60
    nh = tmp_path / "codes_nh.csv"
    nh.write_text("\n".join(rows) + "\n")
    h = tmp_path / "codes_h.csv"
    h.write_text("ts,store\n" + "\n".join(rows) + "\n")
    got_nh = _run(
        ["moments", "bursts", "-i", nh, "--time-col", "c0", "--key-col", "c1", "--no-header"]
    )
    got_h = _run(["moments", "bursts", "-i", h, "--time-col", "ts", "--key-col", "store"])
    assert "repeats the header" not in got_nh.output
    a = pd.read_csv(io.StringIO(got_nh.stdout), dtype={"key": str})
    b = pd.read_csv(io.StringIO(got_h.stdout), dtype={"key": str})
    assert a["key"].tolist() == b["key"].tolist() == ["007"]
    pd.testing.assert_frame_equal(a, b)


def test_the_cli_has_no_reader_of_its_own():
    import micromix.cli.moments as m

    for name in ("_maybe_numeric", "_keep_blank_lines"):
        assert not hasattr(m, name)


# ------------------------------------------------------------------------ dates and zones
def test_dayfirst_and_monthfirst_are_options_of_bursts_and_watch(tmp_path: Path):
    p = tmp_path / "ambig.csv"
    p.write_text("ts,key,count\n03/04/2024 10:00,a,5\n03/05/2024 10:00,a,3\n")
    base = ["moments", "bursts", "-i", p, "--time-col", "ts", "--key-col", "key"]
    base += ["--count-col", "count"]
    out = _run(base, 1).output
    assert "--dayfirst" in out and "ambig.csv" in out
    _run([*base, "--dayfirst"])
    _run([*base, "--monthfirst"])
    assert "contradict" in _run([*base, "--dayfirst", "--monthfirst"], 2).output
    watch = ["moments", "watch", "--source", "file", "-i", p, "--no-store", "--freq", "1h"]
    assert "--dayfirst" in _run(watch, 1).output
    _run([*watch, "--dayfirst", "--force-freq"])
    assert (
        "--source file only"
        in _run(["moments", "watch", "--source", "http", "--tz", "UTC", "--no-store"], 2).output
    )


def test_naive_times_are_counted_and_read_in_tz(tmp_path: Path):
    df = _hourly()
    p = tmp_path / "naive.csv"
    df.to_csv(p, index=False)
    base = ["moments", "bursts", "-i", p, "--time-col", "ts", "--count-col", "count"]
    res = _run(base)
    assert "60 of 60 timestamps in column 'ts' carry no time zone; they were read as UTC" in (
        res.stderr
    )
    utc = pd.read_csv(io.StringIO(res.stdout))
    assert utc["start"].tolist() == ["2024-05-03T02:00:00Z"]
    res = _run([*base, "--tz", "Europe/Berlin"])  # CEST = UTC+2 in May
    assert "read as Europe/Berlin times and converted to UTC" in res.stderr
    assert pd.read_csv(io.StringIO(res.stdout))["start"].tolist() == ["2024-05-03T00:00:00Z"]
    assert "not known" in _run([*base, "--tz", "Mars/Olympus"], 2).output
    # times that state their zone need no note and ignore --tz
    zoned = df.assign(ts=df["ts"] + "+00:00")
    zoned.to_csv(p, index=False)
    res = _run([*base, "--tz", "Europe/Berlin"])
    assert "time zone" not in res.stderr
    assert pd.read_csv(io.StringIO(res.stdout))["start"].tolist() == ["2024-05-03T02:00:00Z"]


def test_a_local_time_that_happens_twice_is_refused_not_guessed():
    df = pd.DataFrame({"ts": ["2024-10-27 02:30:00"], "count": [1]})
    with pytest.raises(Exception, match="not one instant in Europe/Berlin"):
        detect_bursts(df, time_col="ts", count_col="count", tz="Europe/Berlin")


# ------------------------------------------------------------------------- output columns
def test_ratio_on_every_row_and_score_documented(tmp_path: Path):
    out = detect_bursts(_hourly(), time_col="ts", count_col="count")
    assert list(out.columns)[-1] == "ratio"
    assert out["ratio"].tolist() == pytest.approx((out["observed"] / out["expected"]).round(3))
    assert set(SCORE_MEANING) == {"poisson", "ewma", "cusum", "level_shift", "gap"}
    res = _run(["moments", "bursts", "--help"])
    for word in ("hours", "ratio", "-log10", "z-score", "CUSUM"):
        assert word in res.output
    doc = (Path(__file__).parents[2] / "docs" / "moments.md").read_text()
    assert "-log10" in doc and "ratio" in doc and "--tz" in doc


# ------------------------------------------------------------------------------ messages
def test_errors_name_the_file_and_show_plain_values(tmp_path: Path):
    cases = {
        "neg.csv": ("ts,key,count\n2024-05-01T10:00:00Z,a,-5\n", "value -5 is not a count"),
        "blank.csv": ("ts,key,count\n2024-05-01T10:00:00Z,a,\n2024-05-01T11:00Z,a,2\n", "empty"),
        "badts.csv": ("ts,key,count\nnot a time,a,1\n", "not a valid date/time"),
    }
    for name, (text, needle) in cases.items():
        p = tmp_path / name
        p.write_text(text)
        out = _run(
            [*BURSTS, "-i", p],
            1,
        ).output
        assert f"{p}:" in out.replace("\n", "") or name in out, out
        assert needle in out and "np." not in out and "row " in out


def test_too_little_history_is_said_not_silent(tmp_path: Path):
    p = tmp_path / "tiny.csv"
    ts = pd.date_range("2024-05-01T10:00Z", periods=5, freq="h").strftime("%Y-%m-%dT%H:%MZ")
    pd.DataFrame({"ts": ts, "key": "a", "count": [50, 52, 49, 600, 51]}).to_csv(p, index=False)
    res = _run([*BURSTS, "-i", p])
    assert pd.read_csv(io.StringIO(res.stdout)).empty
    assert "'a' (5)" in res.stderr and "need 24 buckets of history" in res.stderr
    assert "nothing was judged" in res.stderr
    # a long enough key gets no such note
    out = detect_bursts(_hourly(), time_col="ts", count_col="count", spec=BurstSpec())
    assert not any("history" in n for n in out.attrs["notes"])


# ----------------------------------------------------------------------- webhook payload
def test_a_burst_without_a_store_has_one_honest_note():
    a = build_action(
        key="buy | dog food | north",
        kind="burst",
        bucket_start=pd.Timestamp("2024-05-01T10:00Z"),
        observed=140,
        expected=20,
    )
    assert a.best_content is None and a.best_creator is None and a.audience is None
    assert len(a.notes) == 1 and "run with --db" in a.notes[0]
    assert "suggest_for_moment" not in json.dumps(a.to_dict())


# ------------------------------------------------------------------------------ classify
def test_classify_keeps_export_cells_and_leaves_out_summary_rows(tmp_path: Path):
    p = tmp_path / "search_terms.csv"
    p.write_text(
        "Search terms report\n1 May 2026 - 8 May 2026\n"
        "Search term,Clicks,Impr.,Cost,Store\n"
        'buy dog food,1,"10,708",7.00,007\n'
        "vet near me,0,1,0.50,012\n"
        'Total: Account,1,"10,709",7.50,\n',
        encoding="utf-16",
    )
    res = _run(["moments", "classify", "-i", p, "--text-col", "Search term", "--topics", "none"])
    out = pd.read_csv(io.StringIO(res.stdout), dtype=str, keep_default_na=False)
    assert out["Search term"].tolist() == ["buy dog food", "vet near me"]
    assert out["Impr."].tolist() == ["10,708", "1"]
    assert out["Clicks"].tolist() == ["1", "0"] and out["Cost"].tolist() == ["7.00", "0.50"]
    assert out["Store"].tolist() == ["007", "012"]
    assert "1 summary row(s) left out ('Total: Account')" in res.stderr
    # a bare "total" may be a query: only "Total: what" labels a summary row
    q = tmp_path / "q.csv"
    q.write_text("query,n\ntotal,1\ngrand total,2\n")
    res = _run(["moments", "classify", "-i", q, "--text-col", "query", "--topics", "none"])
    assert len(pd.read_csv(io.StringIO(res.stdout))) == 2 and "summary" not in res.stderr


def test_classify_blank_lines_and_no_topic_note(tmp_path: Path):
    p = tmp_path / "q.csv"
    p.write_text("query\nbuy dog food\n\nvet near me\n")
    res = _run(["moments", "classify", "-i", p, "--text-col", "query", "--topics", "none"])
    out = pd.read_csv(io.StringIO(res.stdout), skip_blank_lines=False)
    assert len(out) == 3 and "topic" not in out.columns
    assert "left empty" in res.stderr and "moment and confidence left empty" in res.stderr
    res = _run(["moments", "classify", "-i", p, "--text-col", "query", "--topics", "dog food"])
    assert "moment, confidence and topic left empty" in res.stderr


def test_classify_keeps_a_query_that_starts_with_total(tmp_path):
    """A text that starts with "Total:" is data, not an export's summary row; a short label
    in the text column ("Total: Search terms") still is (final review r28z #3)."""
    from typer.testing import CliRunner

    from micromix.cli.main import app

    p = tmp_path / "q.csv"
    p.write_text("query,clicks\ndog bed,1\nTotal: 10/10 would buy again,2\nTotal: Search terms,3\n")
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(
        app, ["moments", "classify", "-i", str(p), "--text-col", "query", "--topics", "none",
              "-o", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    kept = out.read_text().splitlines()
    assert len(kept) == 3 and kept[2].startswith("Total: 10/10 would buy again,2,")
    assert "1 summary row(s) left out ('Total: Search terms')" in res.output
