"""Container-format detection edge cases."""

from __future__ import annotations

import json

import pandas as pd

from micromix.ingest.files import detect_file_format, read_table


def test_wrapped_json_object_is_json_not_jsonl(tmp_path):
    rows = [{"handle": "a", "followers": 10}, {"handle": "b", "followers": 20}]
    compact = tmp_path / "c.json"
    compact.write_text(json.dumps({"data": rows}))
    pretty = tmp_path / "p.json"
    pretty.write_text(json.dumps({"items": rows}, indent=2))
    for p in (compact, pretty):
        assert detect_file_format(p) == "json"
        assert read_table(p)["followers"].tolist() == [10, 20]


def test_jsonl_stays_jsonl(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"a": 1}\n{"a": 2}\n')
    assert detect_file_format(p) == "jsonl"
    assert read_table(p)["a"].tolist() == [1, 2]


def test_rule_row_under_header_is_dropped_and_numbers_restored(tmp_path):
    p = tmp_path / "creators.txt"
    p.write_text("Username\tCategory\t#Followers\n=========\t\t\nann\tpet\t1200\nbob\tfood\t5400\n")
    df = read_table(p)
    assert df["Username"].tolist() == ["ann", "bob"]
    assert df["#Followers"].tolist() == [1200, 5400]


# --------------------------------------------------------------- space-aligned text tables
# The layout of CDNOW_master.txt (the full CDNOW cohort in the `lifetimes` package) and of R's
# write.table: columns separated by runs of blanks, leading blanks, CRLF line ends, zero-padded
# ids and compact dates. Our own rows, not CDNOW's.
ALIGNED = (
    " customer_id  date number_of_cds  dollar_value\r\n"
    " 00011 19970101  1   11.77\r\n"
    " 00012 19970112  1   12.00\r\n"
    " 00012 19970112  5   77.00\r\n"
    " 00013 19970102  2   20.76\r\n"
    " 00013 19970315  2   20.76\r\n"
)


def test_space_aligned_table_is_split_on_runs_of_blanks(tmp_path):
    from micromix.ingest.files import read_raw

    p = tmp_path / "purchases.txt"
    p.write_bytes(ALIGNED.encode())
    assert detect_file_format(p) == "csv"
    df = read_table(p)
    assert list(df.columns) == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert df["dollar_value"].tolist() == [11.77, 12.0, 77.0, 20.76, 20.76]
    assert df["date"].tolist()[:2] == [19970101, 19970112]
    raw = read_raw(p)
    assert raw.frame.shape == (5, 4) and raw.rows == [2, 3, 4, 5, 6] and not raw.broken
    assert raw.frame.iloc[2].tolist() == ["00012", "19970112", "5", "77.00"]


def test_space_aligned_table_names_a_broken_line(tmp_path):
    from micromix.ingest.files import read_raw

    p = tmp_path / "purchases.txt"
    lines = ALIGNED.split("\r\n")
    lines[3] = " 00012 19970112  5"  # a cut line
    p.write_text("\r\n".join(lines))
    raw = read_raw(p)
    assert raw.frame.shape == (4, 4)
    assert raw.broken == [(4, "", "wrong number of fields: 3 fields where the header has 4")]


def test_space_aligned_table_keeps_quoted_text_whole(tmp_path):
    p = tmp_path / "table.txt"
    p.write_text('"customer" "city" "spend"\n"a1" "New York" 10.5\n"a2" "Paris" 3\n')
    df = read_table(p)
    assert df["city"].tolist() == ["New York", "Paris"]
    assert df["spend"].tolist() == [10.5, 3.0]


def test_a_list_of_phrases_is_not_split_on_blanks(tmp_path):
    # one column of search queries, each two words: no column of numbers, so one column
    p = tmp_path / "queries.txt"
    p.write_text("search query\nred shoes\nnear me\nbuy tickets\nopen now\n")
    df = read_table(p)
    assert list(df.columns) == ["search query"]
    assert df.iloc[:, 0].tolist() == ["red shoes", "near me", "buy tickets", "open now"]


def test_a_file_without_a_header_row_is_told_to_add_one(tmp_path):
    import pytest

    from micromix.errors import ColumnNotFoundError
    from micromix.ingest.files import require_columns

    p = tmp_path / "orders.csv"
    p.write_text("00004,1997-01-01,2,29.33\n00004,1997-01-18,2,29.73\n00005,1997-01-02,1,9.5\n")
    with pytest.raises(ColumnNotFoundError, match="first line holds values, not column names"):
        require_columns(read_table(p), ["customer_id"], p)
    # a header that names columns gets the plain message
    p.write_text("id,day\n1,1997-01-01\n")
    with pytest.raises(ColumnNotFoundError) as exc:
        require_columns(read_table(p), ["customer_id"], p)
    assert "first line" not in str(exc.value) and "available columns: id, day" in str(exc.value)


# --------------------------------------------------------------- read_table's cell rules
def test_header_blanks_are_dropped_and_a_repeated_name_must_be_copies(tmp_path):
    import pytest

    from micromix.errors import DataValidationError

    p = tmp_path / "t.csv"
    p.write_text("user_id,query  ,rate,rate\nu1,red shoes,1.5,1.5\nu2,near me,2,2\n")
    df = read_table(p)
    assert list(df.columns) == ["user_id", "query", "rate"]  # the copy is read once
    assert df["rate"].tolist() == [1.5, 2.0]
    p.write_text("currency,rate,rate\nEUR,1.1,0.9\nGBP,1.3,0.8\n")
    with pytest.raises(DataValidationError, match=r"names column 'rate' twice \(columns 2 and 3\)"):
        read_table(p)


def test_json_objects_gain_field_columns_and_become_text(tmp_path):
    p = tmp_path / "orders.jsonl"
    p.write_text(
        '{"id": 1, "customer": {"id": 7, "email": "a@x.com"}, "tags": ["a", "b"]}\n'
        '{"id": 2, "customer": {"id": 8, "email": "b@x.com"}, "tags": []}\n'
    )
    df = read_table(p)
    assert list(df.columns) == ["id", "customer", "customer.id", "customer.email", "tags"]
    assert df["customer.email"].tolist() == ["a@x.com", "b@x.com"]
    assert df["customer.id"].tolist() == [7, 8]
    assert df["customer"].iloc[0] == '{"id": 7, "email": "a@x.com"}'
    assert df["tags"].tolist() == ['["a", "b"]', "[]"]


def test_numbers_as_exports_write_them_are_numbers_and_anything_else_stays_text(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(
        'id,revenue,followers,note,mixed\n1,"$1,234.50",48.5K,A1,"1,234.50"\n'
        "2,$12,2M,B2,12 50\n3,,1.2k,,7\n"
    )
    df = read_table(p)
    assert df["revenue"].tolist()[:2] == [1234.5, 12.0] and pd.isna(df["revenue"].iloc[2])
    assert df["followers"].tolist() == [48_500.0, 2_000_000.0, 1_200.0]
    assert df["note"].tolist()[:2] == ["A1", "B2"]
    assert df["mixed"].tolist() == ["1,234.50", "12 50", "7"]  # one value is no number: text
