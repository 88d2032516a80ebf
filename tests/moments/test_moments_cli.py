"""The `micromix moments` CLI contract."""

from __future__ import annotations

import io
import json
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()
QUERIES = [
    "vet near me",
    "how to clip dog nails",
    "buy grain free dog food",
    "facebook login",
    "why do cats purr",
]


def _ok(args: list[str]):
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return res


def _fails(args: list[str], code: int, *needles: str) -> str:
    res = runner.invoke(app, args)
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output
    for n in needles:
        assert n in res.output, res.output
    return res.output


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_classify_any_format(tmp_path, fmt):
    df = pd.DataFrame({"id": range(5), "q": QUERIES})
    p = tmp_path / f"in.{fmt}"
    if fmt == "csv":
        df.to_csv(p, index=False)
    elif fmt == "tsv":
        df.to_csv(p, index=False, sep="\t")
    else:
        p.write_text("\n".join(json.dumps(r) for r in df.to_dict("records")))
    out = tmp_path / "out.csv"
    _ok(["moments", "classify", "--input", str(p), "--text-col", "q", "--output", str(out)])
    res = pd.read_csv(out)
    assert list(res.columns) == ["id", "q", "moment", "confidence", "topic"]
    assert res["moment"].tolist() == ["go", "do", "buy", "other", "know"]
    assert res["confidence"].between(0, 1).all()


def test_classify_to_stdout_and_errors(tmp_path):
    p = tmp_path / "in.csv"
    pd.DataFrame({"q": QUERIES}).to_csv(p, index=False)
    res = _ok(["moments", "classify", "--input", str(p), "--text-col", "q"])
    assert pd.read_csv(io.StringIO(res.stdout))["moment"].iloc[0] == "go"
    _fails(
        ["moments", "classify", "--input", str(p), "--text-col", "query"],
        2,
        "'query' not found",
        "available columns: q",
    )
    _fails(
        ["moments", "classify", "--input", str(tmp_path / "nope.csv"), "--text-col", "q"],
        2,
        "file not found",
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    _fails(["moments", "classify", "--input", str(empty), "--text-col", "q"], 2, "empty")


def _events_file(tmp_path, gap: bool) -> str:
    rng = np.random.default_rng(0)
    hours = 24 * 14
    counts = rng.poisson(25, hours)
    counts[24 * 12 + 4] += 150
    if gap:
        counts[24 * 10 : 24 * 10 + 8] = 0
    h = np.repeat(np.arange(hours), counts)
    ts = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        h * 3600 + rng.integers(0, 3600, len(h)), unit="s"
    )
    df = pd.DataFrame({"when": ts.strftime("%Y-%m-%dT%H:%M:%SZ"), "topic": "dog food"})
    p = tmp_path / "events.csv"
    df.to_csv(p, index=False)
    return str(p)


def test_bursts_events_with_gap(tmp_path):
    p = _events_file(tmp_path, gap=True)
    out = tmp_path / "b.csv"
    _ok(
        [
            "moments",
            "bursts",
            "--input",
            p,
            "--time-col",
            "when",
            "--key-col",
            "topic",
            "--output",
            str(out),
        ]
    )
    res = pd.read_csv(out)
    assert list(res.columns) == [
        "key",
        "start",
        "end",
        "hours",
        "observed",
        "expected",
        "score",
        "kind",
        "ratio",
    ]
    assert res.loc[res["kind"] == "gap", "start"].tolist() == ["2024-01-11T00:00:00Z"]
    bursts = res[res["kind"] == "burst"]
    assert bursts["start"].tolist() == ["2024-01-13T04:00:00Z"]
    assert bursts["key"].tolist() == ["dog food"]


def test_bursts_counts_and_errors(tmp_path):
    df = pd.DataFrame(
        {"t": pd.date_range("2024-01-01", periods=24 * 10, freq="h"), "n": 40, "k": "a"}
    )
    df.loc[24 * 9, "n"] = 200
    p = tmp_path / "c.tsv"
    df.to_csv(p, index=False, sep="\t")
    res = _ok(
        [
            "moments",
            "bursts",
            "-i",
            str(p),
            "--time-col",
            "t",
            "--count-col",
            "n",
            "--key-col",
            "k",
            "--detector",
            "ewma",
        ]
    )
    out = pd.read_csv(io.StringIO(res.stdout))
    assert out["kind"].tolist() == ["burst"] and out["observed"].tolist() == [200.0]
    _fails(["moments", "bursts", "-i", str(p), "--time-col", "time"], 2, "'time' not found")
    _fails(
        ["moments", "bursts", "-i", str(p), "--time-col", "t", "--freq", "often"], 2, "freq='often'"
    )
    _fails(
        ["moments", "bursts", "-i", str(p), "--time-col", "t", "--detector", "magic"],
        2,
        "unknown burst detector 'magic'",
    )
    _fails(["moments", "bursts", "-i", str(p), "--time-col", "k"], 1, "not a valid date/time")
    _fails(["moments", "bursts", "-i", str(p), "--time-col", "n"], 1, "not timestamps")
    noheader = tmp_path / "nh.csv"
    df.to_csv(noheader, index=False, header=False)
    _fails(["moments", "bursts", "-i", str(noheader), "--time-col", "t"], 2, "--no-header")
    res = _ok(
        [
            "moments",
            "bursts",
            "-i",
            str(noheader),
            "--no-header",
            "--time-col",
            "c0",
            "--count-col",
            "c1",
        ]
    )
    assert pd.read_csv(io.StringIO(res.stdout))["kind"].tolist() == ["burst"]


def test_sessions_command(tmp_path):
    ev = pd.DataFrame(
        {
            "session_id": ["a", "a", "b"],
            "ts": ["2024-01-01T10:00Z"] * 3,
            "event_type": ["search", "purchase", "search"],
            "query": ["buy cat litter", None, "vet near me"],
        }
    )
    p = tmp_path / "ev.csv"
    ev.to_csv(p, index=False)
    res = _ok(["moments", "sessions", "-i", str(p), "--json"])
    rows = {r["moment"]: r for r in json.loads(res.stdout)["rows"]}
    assert rows["buy"]["conversion_rate"] == 1.0 and rows["go"]["sessions"] == 1


def test_watch_file_source(tmp_path):
    rng = np.random.default_rng(1)
    rows = []
    for m in range(90):
        rows += [
            {
                "event_id": f"{m}-{i}",
                "ts": 1_700_000_000 + m * 60 + i,
                "query": "dog food price",
                "region": "west",
            }
            for i in range(rng.poisson(6))
        ]
        if m == 70:
            rows += [
                {
                    "event_id": f"s{i}",
                    "ts": 1_700_000_000 + m * 60 + i % 60,
                    "query": "buy dog food",
                    "region": "west",
                }
                for i in range(80)
            ]
    p = tmp_path / "ev.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows))
    db = tmp_path / "m.duckdb"
    res = _ok(
        [
            "moments",
            "watch",
            "--source",
            "file",
            "--input",
            str(p),
            "--freq",
            "1min",
            "--topics",
            "dog food",
            "--db",
            str(db),
            "--backend",
            "duckdb",
        ]
    )
    assert "1 bursts" in res.output
    from micromix.store import Store

    st = Store.open(str(db))
    assert st.read("moments")["key"].tolist() == ["buy | dog food | west"]
    st.close()
    _fails(["moments", "watch", "--source", "kafka"], 2, "not one of http, file, redis")
    _fails(["moments", "watch", "--source", "file", "--no-store"], 2, "needs --input")
    _fails(
        ["moments", "watch", "--source", "file", "-i", str(p), "--db", str(db), "--backend", "x"],
        2,
        "unknown backend 'x'",
    )


README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_moments_commands() -> list[list[str]]:
    """The commands of the README's Micro-moments block, as argument lists."""
    text = README.read_text(encoding="utf-8")
    block = text.split("### Micro-moments", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    cmds = []
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("micromix moments"):
            cmds.append(shlex.split(line)[1:])
    return cmds


def test_readme_micro_moments_tour_runs_as_written(tmp_path, monkeypatch):
    """Every command of the README's Micro-moments block, in order, on files named as there."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(3)
    hours = 24 * 10
    base = ["dog food near me", "buy dog food", "how to groom a puppy", "why do cats purr"]
    rows = []
    for h in range(hours):
        for _ in range(rng.poisson(12)):
            rows.append((h * 3600 + rng.integers(0, 3600), base[rng.integers(0, 4)]))
        if h == 24 * 8 + 5:  # a surge of one moment, topic and region
            rows += [(h * 3600 + rng.integers(0, 3600), "buy dog food") for _ in range(80)]
    t0 = pd.Timestamp("2024-05-01", tz="UTC")
    df = pd.DataFrame(rows, columns=["s", "query"]).sort_values("s")
    df["ts"] = (t0 + pd.to_timedelta(df["s"], unit="s")).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    df["region"] = "north"
    df[["ts", "query", "region"]].to_csv("searches.csv", index=False)
    ev = pd.DataFrame(
        {
            "session_id": ["s1", "s1", "s2"],
            "ts": ["2024-05-01T10:00:00Z", "2024-05-01T10:02:00Z", "2024-05-01T11:00:00Z"],
            "event_type": ["search", "purchase", "search"],
            "query": ["buy dog food", None, "vet near me"],
        }
    )
    ev.to_csv("events.csv", index=False)
    cmds = _readme_moments_commands()
    assert [c[1] for c in cmds] == ["classify", "bursts", "sessions", "watch"]
    for args in cmds[:3]:  # watch serves until stopped: tested in test_moments_realtime
        _ok(args)
    tagged = pd.read_csv("tagged.csv")
    assert {"moment", "confidence", "topic"} <= set(tagged.columns)
    assert set(tagged["topic"]) == {"dog food", "groom", "cats purr"}
    # the README's bursts command wrote to stdout; rerun it to a file to read it
    _ok([*cmds[1], "--output", "bursts.csv"])
    out = pd.read_csv("bursts.csv")
    hit = out[(out["kind"] == "burst") & out["key"].str.startswith("buy | dog food | north")]
    assert hit["start"].tolist() == ["2024-05-09T05:00:00Z"]
    assert pd.read_csv("sessions.csv")["moment"].tolist() == ["buy", "go"]
