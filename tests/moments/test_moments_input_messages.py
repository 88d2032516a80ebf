"""What the moments commands say about their input: timestamps coarser than the buckets, a
--freq with no unit, the columns a file really has, blank lines of a one-column file."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import ConfigError
from micromix.moments.bursts import (
    BurstSpec,
    CoarseTimesError,
    check_time_resolution,
    detect_bursts,
    freq_seconds,
    span_text,
)
from micromix.moments.realtime import MomentDetector, replay_file
from micromix.moments.sessions import tag_sessions

runner = CliRunner()


def _run(args: list[str], code: int = 0) -> str:
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output
    return res.output


def _daily(tmp_path, days: int = 20, *, col: str = "session_date"):
    rng = np.random.default_rng(3)
    dates = pd.date_range("2024-03-01", periods=days, freq="D").strftime("%Y-%m-%d")
    p = tmp_path / "daily_funnel.csv"
    pd.DataFrame({col: dates, "total_sessions": rng.integers(2000, 5000, days)}).to_csv(
        p, index=False
    )
    return p


# ------------------------------------------------------------ 1. coarse timestamps


def test_daily_dates_at_1h_are_refused_with_the_width_to_use(tmp_path, monkeypatch):
    p = _daily(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = _run(
        ["moments", "bursts", "-i", p.name, "--time-col", "session_date", "--count-col",
         "total_sessions"],
        2,
    )  # fmt: skip
    # the sentence docs/moments.md shows
    assert out.strip() == (
        "error: daily_funnel.csv: column 'session_date' holds dates (every timestamp at "
        "midnight), coarser than --freq 1h: each 1D's count would fill one 1h bucket and read "
        "as a burst; pass --freq 1D (or --force-freq to bucket by 1h anyway)"
    )


def test_daily_dates_run_at_1d_and_when_forced(tmp_path):
    p = _daily(tmp_path)
    args = ["moments", "bursts", "-i", p, "--time-col", "session_date", "--count-col",
            "total_sessions"]  # fmt: skip
    daily = pd.read_csv(io.StringIO(runner.invoke(app, [*map(str, args), "--freq", "1D"]).stdout))
    assert list(daily.columns)[:3] == ["key", "start", "end"]
    assert (daily["hours"] % 24 == 0).all()  # whole days, never one-hour slices
    assert "carry no time zone" in _run([*args, "--freq", "1D"])  # dates: a note on stderr
    forced = pd.read_csv(io.StringIO(runner.invoke(app, [*map(str, args), "--force-freq"]).stdout))
    assert len(forced) > 0 and (forced["hours"] == 1.0).all()  # what was refused by default


def test_hourly_counts_at_5min_and_non_midnight_days_are_refused():
    hours = pd.date_range("2024-03-01", periods=48, freq="h", tz="UTC")
    df = pd.DataFrame({"ts": hours.strftime("%Y-%m-%dT%H:%M:%SZ"), "n": 10})
    with pytest.raises(CoarseTimesError) as exc:
        detect_bursts(df, time_col="ts", count_col="n", spec=BurstSpec(freq="5min"))
    assert exc.value.resolution == 3600 and not exc.value.midnight
    assert "holds times 1h apart" in str(exc.value) and "freq 1h" in str(exc.value)
    assert "allow_coarse=True" in str(exc.value)
    detect_bursts(df, time_col="ts", count_col="n", spec=BurstSpec(freq="1h"))  # fine
    # dates stamped at local midnight (05:00 UTC) are daily data too
    days = pd.date_range("2024-03-01 05:00", periods=10, freq="D", tz="UTC")
    with pytest.raises(CoarseTimesError, match="1D"):
        check_time_resolution((days - pd.Timestamp(0, tz="UTC")).total_seconds().to_numpy(),
                              3600, "day")  # fmt: skip


def test_fine_or_too_few_timestamps_are_not_judged():
    width = 3600
    # event times to the second, even if a few fall on the hour
    secs = np.array([0.0, 3600.0, 7200.0, 7201.0, 9000.5])
    check_time_resolution(secs, width, "ts")
    check_time_resolution(np.array([0.0, 86_400.0]), width, "ts")  # two dates: too few
    check_time_resolution(np.array([0.0, 86_400.0, 86_400.0, np.nan]), width, "ts")
    with pytest.raises(CoarseTimesError):
        check_time_resolution(np.array([0.0, 86_400.0, 2 * 86_400.0, np.nan]), width, "ts")


def test_span_text():
    assert [span_text(s) for s in (86_400, 7 * 86_400, 7200, 300, 90)] == [
        "1D", "7D", "2h", "5min", "90s",
    ]  # fmt: skip


def test_watch_file_refuses_daily_events_unless_forced(tmp_path):
    p = tmp_path / "events.jsonl"
    days = pd.date_range("2024-03-01", periods=10, freq="D").strftime("%Y-%m-%d")
    p.write_text("".join(json.dumps({"ts": d, "key": "dog food"}) + "\n" for d in days))
    out = _run(["moments", "watch", "--source", "file", "-i", p, "--no-store"], 2)
    assert "holds dates" in out and "--freq 1D" in out and "--force-freq" in out
    assert str(p.name) in out
    out = _run(["moments", "watch", "--source", "file", "-i", p, "--no-store", "--freq", "1D"])
    assert "replayed 10 events" in out
    _run(["moments", "watch", "--source", "file", "-i", p, "--no-store", "--force-freq"])
    with pytest.raises(CoarseTimesError):
        replay_file(p, MomentDetector(spec=BurstSpec(freq="1h")))
    replay_file(p, MomentDetector(spec=BurstSpec(freq="1h")), allow_coarse=True)


# ------------------------------------------------------------ 2. --freq with no unit


@pytest.mark.parametrize("freq", ["10", "1.5", " 30 "])
def test_freq_without_unit(tmp_path, freq):
    p = _daily(tmp_path)
    out = _run(["moments", "bursts", "-i", p, "--time-col", "session_date", "--freq", freq], 2)
    n = freq.strip()
    assert out.strip() == f"error: --freq {n} has no unit; use e.g. {n}min, 1h, 1D"
    with pytest.raises(ConfigError, match=f"^freq {n} has no unit"):
        freq_seconds(freq)
    with pytest.raises(ConfigError, match="has no unit"):
        BurstSpec(freq=freq)


def test_freq_without_unit_in_watch(tmp_path):
    out = _run(["moments", "watch", "--source", "file", "-i", tmp_path / "x.jsonl",
                "--no-store", "--freq", "10"], 2)  # fmt: skip
    assert "--freq 10 has no unit; use e.g. 10min, 1h, 1D" in out


# ------------------------------------------------------------ 3. the file's own columns


def test_sessions_lists_the_files_own_columns(tmp_path):
    p = tmp_path / "inventory.csv"
    p.write_text("event_name,event_count,user_count\npage_view,10,4\nsession_start,5,3\n")
    out = _run(["moments", "sessions", "-i", p], 2)
    assert "available columns: event_name, event_count, user_count" in out
    assert "event_type" not in out
    with pytest.raises(Exception, match="available columns: event_name, event_count, user") as e:
        tag_sessions(pd.read_csv(p))
    assert "event_type" not in str(e.value)


# ------------------------------------------------------------ 4. blank lines, one column


def test_one_column_file_keeps_blank_rows_like_a_wider_one(tmp_path):
    one = tmp_path / "q.csv"
    one.write_text("query\ndog food near me\n   \nbest cat litter\n\n")
    wide = tmp_path / "q2.csv"
    wide.write_text("query,x\ndog food near me,1\n   ,2\nbest cat litter,3\n,4\n")
    res = runner.invoke(app, ["moments", "classify", "--input", str(one), "--text-col", "query"])
    assert res.exit_code == 0, res.output
    res2 = runner.invoke(app, ["moments", "classify", "--input", str(wide), "--text-col", "query"])
    assert res2.exit_code == 0, res2.output
    for r in (res, res2):
        assert "note: 2 of 4 rows have an empty 'query' (first: row 2)" in r.output
    got = pd.read_csv(io.StringIO(res.stdout), keep_default_na=False)
    got2 = pd.read_csv(io.StringIO(res2.stdout), keep_default_na=False)
    assert got["query"].str.strip().tolist() == ["dog food near me", "", "best cat litter", ""]
    assert got["moment"].tolist() == got2["moment"].tolist()
    assert got["moment"].tolist()[1::2] == ["", ""]


def test_one_column_file_with_quoted_blank_line_and_tsv(tmp_path):
    q = tmp_path / "q.csv"
    q.write_text('query\n"how to\n\nclip nails"\nvet near me\n\nbuy dog food\n')
    res = runner.invoke(app, ["moments", "classify", "-i", str(q), "--text-col", "query"])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.stdout), keep_default_na=False)
    assert got["query"].tolist() == ["how to\n\nclip nails", "vet near me", "", "buy dog food"]
    assert "1 of 4 rows" in res.output
    t = tmp_path / "q.tsv"
    t.write_text("query\nvet near me\n\nbuy dog food\n")
    res = runner.invoke(app, ["moments", "classify", "-i", str(t), "--text-col", "query"])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(io.StringIO(res.stdout))) == 3
    # no blank line: read as before
    n = tmp_path / "n.csv"
    n.write_text("query\nvet near me\nbuy dog food\n")
    res = runner.invoke(app, ["moments", "classify", "-i", str(n), "--text-col", "query"])
    assert res.exit_code == 0 and "note" not in res.output, res.output
