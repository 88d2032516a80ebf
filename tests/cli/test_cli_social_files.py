"""`micromix social listen / amplify / sentiment` on files with awkward post times and empty
texts: a time that cannot be read is refused naming the file, row and field; an empty time or
text is counted in the output, never dropped or labelled unseen."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()


def _write(tmp_path, dates, texts=None):
    p = tmp_path / "mentions.csv"
    texts = texts or ["love my pawco bowl", "pawco late again", "pawco ok", "pawco great"]
    pd.DataFrame({"tweet": texts[: len(dates)], "posted_at": dates}).to_csv(p, index=False)
    return p


def _refused(res, *parts: str) -> str:
    assert res.exit_code not in (0,), res.output
    assert "bug in micromix" not in res.output and "Traceback" not in res.output
    text = res.output.strip().splitlines()[-1]
    for part in parts:
        assert part in text, text
    return text


def test_listen_refuses_ambiguous_and_unreadable_times(tmp_path):
    p = _write(tmp_path, ["03/04/2024", "04/05/2024", "2024-05-01"])
    res = runner.invoke(app, ["social", "listen", "-i", str(p), "--brand", "PawCo"])
    _refused(res, f"{p}: row 1, field 'posted_at'", "ambiguous", "--dayfirst")
    res = runner.invoke(app, ["social", "listen", "-i", str(p), "--brand", "PawCo", "--dayfirst"])
    assert res.exit_code == 0, res.output
    p = _write(tmp_path, ["2024-05-01", "yesterday", "abc"])
    res = runner.invoke(app, ["social", "listen", "-i", str(p), "--brand", "PawCo", "--json"])
    _refused(res, f"{p}: row 2, field 'posted_at'", "relative date", "(2 such row(s))")
    res = runner.invoke(app, ["social", "amplify", "-i", str(p), "--brand", "PawCo"])
    _refused(res, f"{p}: row 2, field 'posted_at'")


def test_listen_says_how_many_posts_the_trend_leaves_out(tmp_path):
    p = _write(tmp_path, ["2024-05-01", None, "2024-05-02", ""])
    res = runner.invoke(app, ["social", "listen", "-i", str(p), "--brand", "PawCo", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["meta"]["undated_mentions"] == 2
    assert sum(r["mentions"] for r in doc["sentiment_trend"]) == 2
    assert doc["share_of_voice"][0]["mentions"] == 4
    assert any("2 of 4 posts mentioning a brand" in n for n in doc["meta"]["notes"])
    res = runner.invoke(app, ["social", "listen", "-i", str(p), "--brand", "PawCo"])
    assert res.exit_code == 0, res.output
    assert "2 of 4 posts mentioning a brand" in res.stderr and "left out" in res.stderr


def test_sentiment_keeps_empty_texts_without_a_label(tmp_path):
    p = tmp_path / "texts.csv"
    p.write_text('id,text\n1,thanks for the great flight!\n2,""\n3,"   "\n4,on hold for 2 hours\n')
    out = tmp_path / "scored.csv"
    res = runner.invoke(
        app, ["social", "sentiment", "-i", str(p), "--text-col", "text", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "2 of 4 rows have an empty 'text' (first: row 2)" in res.stderr
    got = pd.read_csv(out, keep_default_na=False)
    assert got["id"].tolist() == [1, 2, 3, 4]
    assert got["sentiment"].tolist() == ["positive", "", "", "negative"]
    assert got["sentiment_score"].iloc[[1, 2]].tolist() == ["", ""]
