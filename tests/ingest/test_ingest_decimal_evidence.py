"""Decimal commas need evidence in an English (or unknown-language) file: one stray "1,5" must
not turn the file's "1,234" spend into 1.234. Files read with decimal commas say so in a note,
and a quarantine reason quotes the cell as the file wrote it, never its rewritten text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import typer
from typer.testing import CliRunner

from _ingest_refusals import refused
from micromix.cli.ingest_cmd import register
from micromix.ingest import ingest_file
from micromix.schema.values import read_numbers, with_decimal_point, with_decimal_points
from micromix.store import Store

HEADER = "Campaign,Impr.,Clicks,Cost,Conversions,Currency code\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _ingest(path: Path, **kw: object) -> tuple[pd.DataFrame, object]:
    store = Store.open(":memory:")
    # the campaigns' strategy stated: a report with no campaign type has them filed under
    # "other" with a note, and the notes here are the number format's alone
    kw.setdefault("strategy", "search")
    rep = ingest_file(store, "ads", path, **kw)
    return store.read("ad_performance").sort_values("source_row"), rep


def test_one_decimal_comma_cell_does_not_flip_an_english_file(tmp_path):
    """The reviewer's file: USD spend "1,234" and "2,000" (thousands) and one conversions cell
    "1,5". Read with decimal commas, spend became 1.234 and 2.0, silently; now refused in one
    sentence naming both cells and both options."""
    p = _write(
        tmp_path / "google_en.csv",
        HEADER + 'Brand,100,20,"1,234",3,USD\nGeneric,200,30,"2,000","1,5",USD\n',
    )
    msg = refused(p)
    assert "line 3, field 'Conversions': '1,5'" in msg
    assert "line 2, field 'Cost': '1,234'" in msg
    assert "--decimal-comma" in msg and "--decimal-point" in msg
    got, _ = _ingest(p, decimal_comma=True)  # the user says commas: read so
    assert got["spend"].astype(float).tolist() == [1.234, 2.0]


def test_integer_cells_are_quoted_as_written(tmp_path):
    """Impressions "5,678" beside one "1,5": refused the same way (before, every row was
    quarantined with "'5.678' is not a whole number", a value not in the file); read with
    --decimal-comma, the reason quotes the cell the file holds."""
    p = _write(
        tmp_path / "google_int.csv",
        HEADER + 'Brand,"5,678",20,10,3,USD\nGeneric,"1,234",30,12,"1,5",USD\n',
    )
    msg = refused(p)
    assert "line 2, field 'Impr.': '5,678'" in msg and "'1,5'" in msg
    _, rep = _ingest(p, decimal_comma=True)
    reasons = " ".join(str(r) for r in rep.to_dict()["quarantine_sample"])
    assert "'5,678' is not a whole number" in reasons
    assert "5.678" not in reasons and "1.234" not in reasons


def test_a_lone_decimal_comma_reads_and_says_so(tmp_path):
    """Only "1,5", nothing that reads both ways: read with a decimal comma, and the result says
    which cell decided it and how to read the file otherwise."""
    p = _write(
        tmp_path / "lone.csv", HEADER + 'Brand,100,20,10,3,USD\nGeneric,200,30,12,"1,5",USD\n'
    )
    got, rep = _ingest(p)
    assert got["conversions"].astype(float).tolist() == [3.0, 1.5]
    assert rep.notes == (
        "read with decimal commas, as line 3, field 'Conversions': '1,5' shows; "
        "pass --decimal-point to read the numbers otherwise",
    )


def test_consistent_evidence_reads_an_english_file_with_decimal_commas(tmp_path):
    """Decimal commas in two columns: evidence enough, "1,234" is then 1.234 (and said)."""
    p = _write(
        tmp_path / "consistent.csv",
        HEADER + 'Brand,100,20,"1,234","2,5",USD\nGeneric,200,30,"12,50","1,5",USD\n',
    )
    got, rep = _ingest(p)
    assert got["spend"].astype(float).tolist() == [1.234, 12.5]
    assert got["conversions"].astype(float).tolist() == [2.5, 1.5]
    assert len(rep.notes) == 1 and "line 2, field 'Conversions': '2,5' shows" in rep.notes[0]


def test_english_files_without_decimal_commas_have_no_note(tmp_path):
    p = _write(tmp_path / "points.csv", HEADER + 'Brand,"1,234",20,"1,234.50",3,USD\n')
    got, rep = _ingest(p)
    assert got["spend"].astype(float).tolist() == [1234.5] and rep.notes == ()


def test_a_localized_file_reads_as_before_and_says_so(tmp_path):
    """A German export with one "12,5" and thousands "1.234": read with decimal commas as
    before (its interface language is evidence enough), now with the note."""
    p = _write(
        tmp_path / "de.csv",
        "Tag;Kampagne;Währungscode;Kosten;Impressionen;Klicks\n"
        "2026-10-01;Marke;EUR;12,5;1.234;500\n"
        "2026-10-02;Marke;EUR;1.234;900;45\n",
    )
    got, rep = _ingest(p)
    assert got["spend"].astype(float).tolist() == [12.5, 1234.0]
    assert got["impressions"].astype(int).tolist() == [1234, 900]
    assert len(rep.notes) == 1 and "field 'Kosten': '12,5' shows" in rep.notes[0]


def test_cli_prints_the_decimal_comma_note(tmp_path):
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)
    app.command("noop")(lambda: None)
    p = _write(tmp_path / "lone.csv", HEADER + 'Generic,200,30,12,"1,5",USD\n')
    res = CliRunner().invoke(app, ["ingest", "ads", str(p), "--dry-run"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "note: read with decimal commas, as line 2, field 'Conversions': '1,5' shows" in out


def test_with_decimal_points_keeps_what_each_cell_held():
    """The vectorised rewrite gives the texts :func:`with_decimal_point` gives, each quoting the
    cell as written; missing and untouched cells stay as they were."""
    cells = ["1.234,56 €", "12,5", None, "1 234,5", "7", "1.234.567", "abc", float("nan")]
    got = with_decimal_points(pd.Series(cells, dtype=object))
    assert [str(g) for g in got] == [str(with_decimal_point(v)) for v in cells]
    assert [repr(g) for g in got[:2]] == ["'1.234,56 €'", "'12,5'"]
    only = with_decimal_points(pd.Series(["1,5", "2,5"], dtype="str"), np.array([False, True]))
    assert [str(v) for v in only] == ["1,5", "2.5"]
    assert (
        read_numbers(only).problems.iat[0]
        == "'1,5' is not a number (a decimal comma or a stray separator)"
    )
