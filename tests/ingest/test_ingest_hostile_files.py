"""Hostile files on the shared readers (issue review s27): damaged UTF-16/32, Excel's ``sep=``
line, concatenated exports, files cut inside their last row, ``.xlsx`` formulas without a saved
value, workbooks named ``.csv``, and the wording of a few refusals. Every file is generated
here."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import (
    ConfigError,
    DataValidationError,
    InputFileError,
    StoreError,
)
from micromix.ingest import ingest_file, inspect_file
from micromix.ingest.files import detect_file_format, read_raw, read_table
from micromix.ingest.formats import get_format
from micromix.schema.purchases import read_purchases
from micromix.schema.values import read_numbers
from micromix.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
META = (FIXTURES / "meta_ads_export.csv").read_text(encoding="utf-8")
GA4 = (FIXTURES / "ga4_events_report.csv").read_text(encoding="utf-8")
TABLE = "campaign,day,spend\nDog food,2025-01-01,91260\nCat treats,2025-01-02,120.5\n"


def _store(tmp_path: Path) -> Store:
    return Store.open(str(tmp_path / "w.duckdb"))


# ---------------------------------------------------------------------- 1. damaged UTF-16/32
@pytest.mark.parametrize(
    ("data", "enc"),
    [
        (TABLE.encode("utf-16")[:-1], "utf-16-le"),  # BOM, cut to an odd length
        (TABLE.encode("utf-16-le")[:-1], "utf-16-le"),  # no BOM, odd length
        (TABLE.encode("utf-16-be")[:-1], "utf-16-be"),
        (TABLE.encode("utf-32")[:-3], "utf-32-le"),
    ],
)
def test_cut_wide_text_quarantines_the_last_row(tmp_path, data, enc):
    p = tmp_path / "x.csv"
    p.write_bytes(data)
    assert detect_file_format(p) == "csv"
    raw = read_raw(p)
    assert raw.encoding == enc
    assert raw.rows == [2]  # the first data row is whole
    (line, fld, why), *_ = raw.broken
    assert line == 3 and fld == "spend"
    assert why == f"contains bytes that are not valid {enc.upper()[:6]}"


def test_lone_surrogate_in_utf16_quarantines_its_row(tmp_path):
    data = bytearray(TABLE.encode("utf-16-le"))
    at = TABLE.index("Cat") * 2
    data[at:at] = "\ud800".encode("utf-16-le", "surrogatepass")  # a high surrogate alone
    p = tmp_path / "x.csv"
    p.write_bytes(codecs.BOM_UTF16_LE + bytes(data))
    raw = read_raw(p)
    assert raw.rows == [2]
    assert raw.broken == [(3, "campaign", "contains bytes that are not valid UTF-16")]


def test_cut_utf16_file_for_analysis_commands_is_one_clear_refusal(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes(TABLE.encode("utf-16")[:-1])
    with pytest.raises(DataValidationError) as exc:
        read_table(p)
    msg = str(exc.value)
    assert "line 3, field 'spend'" in msg and "not valid UTF-16" in msg
    assert "export the file again" in msg


def test_cut_utf16_jsonl_quarantines_the_line(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes('{"a": 1}\n{"a": 2}\n'.encode("utf-16")[:-1])
    raw = read_raw(p)
    assert raw.rows == [1]
    assert raw.broken[0][2] == "contains bytes that are not valid UTF-16"


def test_ingest_and_inspect_of_a_cut_utf16_export(tmp_path):
    p = tmp_path / "meta.csv"
    p.write_bytes(META.encode("utf-16")[:-1])
    with _store(tmp_path) as st:
        rep = ingest_file(st, "ads", p)
    assert rep.quarantined == 1 and rep.accepted == 5
    ins = inspect_file("ads", p)
    assert ins.report.quarantined == 1


# ---------------------------------------------------------------------- 3. Excel's sep= line
@pytest.mark.parametrize(("line", "sep"), [("sep=;", ";"), ('"sep=,"', ","), ("sep=\t", "\t")])
def test_excel_separator_line_is_used_and_skipped(tmp_path, line, sep):
    body = TABLE.replace(",", sep)
    p = tmp_path / "x.csv"
    p.write_text(f"{line}\r\n{body}", encoding="utf-8")
    raw = read_raw(p)
    assert list(raw.frame.columns) == ["campaign", "day", "spend"]
    assert raw.rows == [3, 4] and not raw.broken
    assert raw.preamble[0].startswith("sep=")
    df = read_table(p)
    assert df["spend"].tolist() == [91260, 120.5]


def test_excel_separator_line_over_an_export_ingests(tmp_path):
    p = tmp_path / "meta.csv"
    body = io.StringIO()
    csv.writer(body, delimiter=";", lineterminator="\n").writerows(csv.reader(io.StringIO(META)))
    p.write_text("sep=;\n" + body.getvalue(), encoding="utf-8")
    with _store(tmp_path) as st:
        rep = ingest_file(st, "ads", p)
    assert (rep.accepted, rep.quarantined) == (6, 0)


# ---------------------------------------------------------------------- 4. concatenation
def test_an_export_twice_in_one_file_is_refused(tmp_path):
    p = tmp_path / "meta.csv"
    p.write_text(META + META, encoding="utf-8")
    with pytest.raises(InputFileError, match=r"line 9 repeats the header line: .*export twice"):
        read_raw(p)
    with _store(tmp_path) as st, pytest.raises(InputFileError, match="export twice"):
        ingest_file(st, "ads", p)
    with pytest.raises(InputFileError, match="export twice"):
        read_table(p)


def test_two_different_exports_in_one_file_are_refused(tmp_path):
    p = tmp_path / "x.csv"
    other = TABLE.replace("2025", "2024")
    # a second file's byte-order mark where two files were joined with cat
    p.write_bytes(TABLE.encode() + codecs.BOM_UTF8 + other.encode())
    with pytest.raises(InputFileError, match=r"line 4 repeats .*two exports.*split it"):
        read_raw(p)


def test_one_column_list_may_hold_its_header_word(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text("query\ndog food\nquery\n", encoding="utf-8")
    assert read_raw(p).rows == [2, 3]


def test_exact_duplicate_rows_are_named_in_a_note(tmp_path):
    p = tmp_path / "meta.csv"
    lines = META.splitlines(keepends=True)
    p.write_text(META + "".join(lines[2:4]), encoding="utf-8")
    raw = read_raw(p)
    assert raw.notes == [
        f"{p}: 2 row(s) repeat an earlier row cell for cell (line 9 repeats line 3, line 10 "
        "repeats line 4); each is read as a row of its own, so if they were pasted twice they add to every total: remove the "
        "copies and ingest the file again"
    ]
    with _store(tmp_path) as st:
        rep = ingest_file(st, "ads", p)
    assert any("repeat an earlier row" in n for n in rep.notes)


# ---------------------------------------------------------------------- 5. cut files
def test_meta_export_cut_inside_its_last_field_quarantines_that_row(tmp_path):
    p = tmp_path / "meta.csv"
    p.write_text(META.rstrip("\n")[:-3], encoding="utf-8")  # "2024-05-31" -> "2024-05"
    with _store(tmp_path) as st:
        rep = ingest_file(st, "ads", p)
        q = st.read("quarantine")
    assert (rep.accepted, rep.quarantined) == (5, 1)
    assert q["row"].tolist() == [8] and q["field"].tolist() == ["Ends"]
    assert "the file ends mid-row" in q["reason"].iloc[0]
    assert "was the download cut?" in q["reason"].iloc[0]


def test_ga4_report_without_final_newline_is_read_whole(tmp_path):
    p = tmp_path / "ga4.csv"
    p.write_text(GA4.rstrip("\n"), encoding="utf-8")
    with _store(tmp_path) as st:
        rep = ingest_file(st, "traffic", p)
    assert rep.quarantined == 0
    assert not any("line break" in n for n in rep.notes)


def test_other_file_without_final_newline_gets_a_note(tmp_path):
    p = tmp_path / "events.csv"
    p.write_text(
        "event_id,user_id,ts,event_type\ne1,u1,2025-01-01T10:00:00Z,page_view\n"
        "e2,u1,2025-01-01T10:01:00Z,page_view",
        encoding="utf-8",
    )
    with _store(tmp_path) as st:
        rep = ingest_file(st, "events", p)
    assert rep.accepted == 2
    assert any("does not end with a line break" in n and "line 3" in n for n in rep.notes)


# ---------------------------------------------------------------------- 2, 6. Excel
def _workbook(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Day", "Campaign", "Amount spent (USD)", "Impressions", "Link clicks", "Reach"])
    ws.append(["2025-01-01", "Dog food", 10.5, 100, 5, 90])
    ws.append(["2025-01-02", '=HYPERLINK("https://example.com","Cat treats")', 3, 100, 5, 90])
    ws.append(["2025-01-03", "Dog food", "=SUM(1,2)", 100, 5, 90])
    wb.save(path)  # openpyxl saves formulas without a computed value, as tools do


def test_xlsx_formula_without_saved_value_quarantines_its_row(tmp_path):
    p = tmp_path / "meta.xlsx"
    _workbook(p)
    raw = read_raw(p)
    assert raw.rows == [2]
    why = (
        "the cell holds a formula with no saved value: open and save the file in Excel, or "
        "export values"
    )
    assert raw.broken == [(3, "Campaign", why), (4, "Amount spent (USD)", why)]
    with _store(tmp_path) as st:
        rep = ingest_file(st, "ads", p, layout="meta_ads")
    assert (rep.accepted, rep.quarantined, rep.summary_rows) == (1, 2, 0)


def test_xlsx_named_csv_is_read_as_a_workbook(tmp_path):
    p = tmp_path / "meta.csv"
    _workbook(p)
    assert detect_file_format(p) == "xlsx"
    raw = read_raw(p)
    assert raw.rows == [2] and len(raw.broken) == 2
    assert any("Excel workbook named .csv" in n and "rename it to .xlsx" in n for n in raw.notes)


def test_damaged_xlsx_refusal_does_not_quote_the_library(tmp_path):
    p = tmp_path / "x.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("xl/workbook.xml", "<not a workbook")
    with pytest.raises(InputFileError) as exc:
        read_raw(p)
    assert "openpyxl" not in str(exc.value) and "save it again as .xlsx" in str(exc.value)


def test_empty_zip_is_called_a_zip_archive(tmp_path):
    p = tmp_path / "x.csv"
    zipfile.ZipFile(p, "w").close()
    with pytest.raises(InputFileError, match="this is an empty ZIP archive"):
        detect_file_format(p)


# ---------------------------------------------------------------------- 7. wording
def test_too_large_number_is_printed_as_a_number():
    got = read_numbers(pd.Series([np.float64(1e308)], dtype=object))
    assert got.problems.iloc[0].startswith("1e+308 is too large")


def test_unknown_layout_wording():
    with pytest.raises(ConfigError, match=r"^unknown layout 'nope' for --format; use one of"):
        get_format("nope", "ads")


def test_date_outside_the_window_is_not_told_to_use_iso_dates():
    t = pd.DataFrame({"c": ["a"], "d": ["2150-01-01"], "v": [1.0]})
    with pytest.raises(DataValidationError) as exc:
        read_purchases(t, customer_col="c", date_col="d", value_col="v")
    msg = str(exc.value)
    assert "outside the accepted window (1970-01-01..2100-01-01)" in msg
    assert "such as 1997-01-31" not in msg


@pytest.mark.parametrize("content", [b"hello, not a database\n", TABLE.encode()])
def test_db_that_is_not_duckdb_is_refused_with_the_next_step(tmp_path, content):
    db = tmp_path / "w.csv"
    db.write_bytes(content)
    with pytest.raises(StoreError, match=r"not a DuckDB database.*point --db at a new file"):
        Store.open(str(db))
    assert db.read_bytes() == content


def test_excel_reader_warnings_become_notes_not_stderr(tmp_path, monkeypatch):
    import warnings

    import openpyxl

    real = openpyxl.load_workbook

    def noisy(*args, **kwargs):
        warnings.warn("Workbook contains no default style, apply openpyxl's default", stacklevel=1)
        warnings.warn("Data Validation extension is not supported", stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", noisy)
    p = tmp_path / "meta.xlsx"
    _workbook(p)
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        raw = read_raw(p)
    assert leaked == []
    assert raw.notes == [
        f"{p}: the Excel reader noted: Data Validation extension is not supported; check the "
        "values it read"
    ]


def test_a_quarantine_reason_names_the_files_own_column(tmp_path):
    """A NUL in a Meta export's campaign name is the field campaign_id, read from the header
    "Campaign name": the reason names both, so the user finds the cell in their own file."""
    lines = META.splitlines()
    head = next(csv.reader([lines[0]]))
    at = head.index("Campaign name")
    cells = next(csv.reader([lines[2]]))
    cells[at] = cells[at][:3] + "\0" + cells[at][3:]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    lines[2] = buf.getvalue().rstrip("\n")
    p = tmp_path / "meta.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with _store(tmp_path) as st:
        rep = ingest_file(st, "ads", p)
    (reason,) = [r for r in rep.top_reasons if "NUL" in r["reason"]]
    assert (reason["field"], reason["column"], reason["rows"]) == (
        "campaign_id",
        "Campaign name",
        [3],
    )
    res = CliRunner().invoke(
        app, ["ingest", "ads", str(p), "--db", str(tmp_path / "c.duckdb")], terminal_width=200
    )
    assert res.exit_code == 0, res.output
    assert "campaign_id (column 'Campaign" in res.output  # the table may fold the rest


def test_many_duplicate_rows_name_the_first_five_and_count_the_rest(tmp_path):
    p = tmp_path / "t.csv"
    rows = "".join(f"c{i},2025-01-01,{i}\n" for i in range(7))
    p.write_text("campaign,day,spend\n" + rows + rows, encoding="utf-8")
    (note,) = read_raw(p).notes
    assert note.startswith(
        f"{p}: 7 row(s) repeat an earlier row cell for cell (line 9 repeats line 2, line 10 "
        "repeats line 3, line 11 repeats line 4, line 12 repeats line 5, line 13 repeats line 6 "
        "and 2 more); each is read as a row of its own"
    )
