"""Container-format detection edge cases."""

from __future__ import annotations

import json

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
