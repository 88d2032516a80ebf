"""`read_table`'s options for commands that read a file their own way: no header line, blank
lines of a list of texts, cells as text, an export's summary rows left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from micromix.errors import MicromixError
from micromix.ingest.files import read_table


def test_header_false_reads_every_line_as_data(tmp_path: Path):
    p = tmp_path / "nh.csv"
    p.write_text(
        "2024-05-01 10:00:00,5,5,007\n2024-05-01 10:00:00,5,5,007\n2024-05-01 10:05:00,3,4,012\n"
    )
    df = read_table(p, header=False)
    assert list(df.columns) == ["c0", "c1", "c2", "c3"] and len(df) == 3
    assert df["c1"].tolist() == [5, 5, 3]  # numbers as any file's numbers
    assert df["c3"].tolist() == ["007", "007", "012"]  # codes keep their zeros
    assert not df.attrs["notes"]  # repeated lines of a log are rows, not a "pasted twice" note


def test_header_false_names_the_line_with_a_wrong_width(tmp_path: Path):
    p = tmp_path / "nh.csv"
    p.write_text("a,1\nb,2,3\n")
    with pytest.raises(
        MicromixError, match=r"line 2: wrong number of fields: 3 fields where the first row has 2"
    ):
        read_table(p, header=False)


def test_header_false_applies_to_delimited_text_only(tmp_path: Path):
    p = tmp_path / "e.jsonl"
    p.write_text('{"a": 1}\n')
    with pytest.raises(MicromixError, match="CSV and TSV files only"):
        read_table(p, header=False)


def test_blank_lines_as_rows_only_in_a_list_of_texts(tmp_path: Path):
    one = tmp_path / "q.csv"
    one.write_text("query\nbuy dog food\n\nvet near me\n")
    assert read_table(one)["query"].tolist() == ["buy dog food", "vet near me"]
    got = read_table(one, blank_lines="rows")["query"].tolist()
    assert got == ["buy dog food", None, "vet near me"]
    wide = tmp_path / "w.csv"
    wide.write_text("query,n\nbuy dog food,1\n\nvet near me,2\n")
    assert len(read_table(wide, blank_lines="rows")) == 2


def test_as_text_keeps_cells_as_the_file_writes_them(tmp_path: Path):
    p = tmp_path / "terms.csv"
    p.write_text('Search term,Impr.,Cost,Store\nbuy dog food,"10,708",7.00,007\nvet,1,0.50,012\n')
    assert read_table(p)["Impr."].tolist() == [10708.0, 1.0]
    df = read_table(p, as_text=True)
    assert df.to_dict("list") == {
        "Search term": ["buy dog food", "vet"],
        "Impr.": ["10,708", "1"],
        "Cost": ["7.00", "0.50"],
        "Store": ["007", "012"],
    }
