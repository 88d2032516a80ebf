"""`read_table` reads "$1,234.50" columns as numbers; a euro, pound or yen sign is not dropped
silently: the column's currency is kept (``attrs["currencies"]`` and a note), and a column mixing
signs is refused naming the file, the row and the field (its amounts cannot be added up)."""

from __future__ import annotations

import pytest

from micromix.errors import DataValidationError
from micromix.ingest.files import read_table


def test_a_euro_column_is_read_with_its_currency_kept_and_said(tmp_path):
    p = tmp_path / "spend.csv"
    p.write_text("week,tv,search\n1,€1200,$300\n2,€900,$250\n")
    df = read_table(p)
    assert df["tv"].tolist() == [1200.0, 900.0] and df["search"].tolist() == [300.0, 250.0]
    assert df.attrs["currencies"] == {"tv": "EUR"}  # "$" alone is US dollars: nothing to say
    (note,) = df.attrs["notes"]
    assert "column 'tv' holds amounts in EUR" in note and "not US dollars" in note


@pytest.mark.parametrize(("cell", "code"), [("£300", "GBP"), ("¥3000", "JPY")])
def test_pounds_and_yen_keep_their_currency(tmp_path, cell, code):
    p = tmp_path / "e.csv"
    p.write_text(f"id,cost\n1,{cell}\n2,12\n")
    df = read_table(p)
    assert df.attrs["currencies"] == {"cost": code}


def test_dollars_only_give_no_currency_note(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text('id,cost\n1,"$1,200.50"\n2,$3\n')
    df = read_table(p)
    assert df["cost"].tolist() == [1200.5, 3.0]
    assert "currencies" not in df.attrs and df.attrs["notes"] == []


def test_a_column_mixing_currency_signs_is_refused_naming_row_and_field(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_text("id,cost\n1,$250\n2,$300\n3,€300\n")
    with pytest.raises(DataValidationError) as err:
        read_table(p)
    said = str(err.value)
    assert "mixed.csv: row 3, field 'cost': '€300' is in EUR but row 1 ('$250') is in USD" in said
    assert "never converts" in said


def test_read_as_text_keeps_the_signs(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,cost\n1,€250\n2,€3\n")
    df = read_table(p, as_text=True)
    assert df["cost"].tolist() == ["€250", "€3"] and "currencies" not in df.attrs
