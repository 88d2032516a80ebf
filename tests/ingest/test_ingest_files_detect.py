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
