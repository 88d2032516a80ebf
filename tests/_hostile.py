"""Hostile files for fuzzing the readers: malformed CSV, TSV, JSON Lines, JSON and Parquet.

:func:`hostile_file` builds one file from a seeded :class:`random.Random`: a table in a
contract's own columns with cells and lines chosen to break naive readers (line separators that
are not CSV/JSONL line breaks, bare ``\\r``, unbalanced quotes, fields over the size limit,
invalid UTF-8 in cells and headers, UTF-16/UTF-32 with BOMs, numbers beyond int64 and 1e30,
4,300-digit JSON integers, deeply nested JSON, objects where ids belong, booleans where money
belongs, impossible and relative timestamps). :func:`expected_rows` counts the file's data rows
the way Python's :mod:`csv` and :mod:`json` modules do, independently of micromix's readers.

The test suite draws from it with hypothesis (``tests/ingest/test_ingest_fuzz.py``) and
``benchmarks/fuzz_ingest.py`` runs the long campaign (10,000+ files). It is a test helper, so
it lives under ``tests/`` and is not in the wheel (it was ``micromix.ingest.hostile`` before).

Quickstart
----------
>>> import random
>>> f = hostile_file(random.Random(7))
>>> f.kind in ("events", "ads", "posts"), f.suffix in (".csv", ".tsv", ".jsonl", ".json", ".parquet")
(True, True)
>>> expected_rows(f) >= 0
True
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass

__all__ = ["HOSTILE_CELLS", "HostileFile", "expected_rows", "hostile_file"]

_SEPARATORS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
#: cell texts that broke readers before (issue 16) or easily could
HOSTILE_CELLS: tuple[str, ...] = (
    *_SEPARATORS,
    "a\rb",
    "line\nbreak",
    'say "hi"',
    "0000-01-01T00:00:00Z",
    "-2024-05-01",
    "today",
    "now",
    "2024-02-30",
    "31/12/2024",
    "03/04/2024",
    "1714550400",
    "1714550400123",
    "1714550400123456",
    "1714550400123456789",
    "1e30",
    str(2**63),
    str(2**64 + 1),
    "9" * 5000,
    "NaN",
    "inf",
    "-0",
    "1,5",
    "$1,234.50",
    "12%",
    "48.5M",
    "\x00",
    "🐶🐱",
    "مرحبا",
    "=cmd|' /C calc'!A0",
    " ",
    "",
)

_KINDS: dict[str, list[str]] = {
    "events": ["event_id", "ts", "user_id", "event_type", "cost", "revenue", "platform"],
    "ads": ["date", "platform", "campaign_id", "ad_id", "impressions", "clicks", "spend"],
    "posts": ["post_id", "author_id", "ts", "likes", "comments", "views", "text"],
}


@dataclass(frozen=True)
class HostileFile:
    """One generated file: its bytes, extension, contract kind and how it was encoded."""

    data: bytes
    suffix: str
    kind: str
    encoding: str
    delimiter: str = ","


def _good_cell(rng: random.Random, column: str, i: int) -> object:
    if column in ("event_id", "post_id", "ad_id"):
        return f"{column[:1]}{i}"
    if column in ("user_id", "author_id", "campaign_id"):
        return f"u{rng.randint(1, 50)}"
    if column in ("ts", "date"):
        return f"2024-05-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"
    if column == "event_type":
        return rng.choice(["click", "view", "purchase", "search"])
    if column == "platform":
        return rng.choice(["facebook", "instagram", "tiktok"])
    if column == "text":
        return rng.choice(["new toy #dogs", "zoomies", "nap time @pawco"])
    return rng.choice([0, 1, 5, 12, 100, 2.5, 19.99])


def _cell(rng: random.Random, column: str, i: int, hostility: float) -> object:
    if rng.random() >= hostility:
        return _good_cell(rng, column, i)
    return rng.choice(HOSTILE_CELLS)


def _rows(rng: random.Random, columns: list[str], n: int, hostility: float) -> list[list[object]]:
    return [[_cell(rng, c, i, hostility) for c in columns] for i in range(n)]


def _text_table(rng: random.Random, columns: list[str], rows: list[list[object]], d: str) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=d, lineterminator=rng.choice(["\n", "\r\n"]))
    w.writerow(columns)
    for r in rows:
        cells = [str(v) for v in r]
        if rng.random() < 0.1:  # a line with the wrong number of fields
            cells = cells[: rng.randint(1, len(cells))] if rng.random() < 0.5 else [*cells, "x"]
        w.writerow(cells)
        if rng.random() < 0.05:
            buf.write(rng.choice(["\n", "   \n", "\r\n"]))  # blank / whitespace lines
    text = buf.getvalue()
    if rng.random() < 0.1:  # an unquoted cell holding a bare \r or a separator
        sep = rng.choice(["\r", *_SEPARATORS])
        text = text.replace(",5,", ",5" + sep + "5,", 1)
    if rng.random() < 0.05:  # an unbalanced quote
        text = text[: len(text) // 2] + '"' + text[len(text) // 2 :]
    if rng.random() < 0.05:  # a quoted field beyond the field-size limit
        text += d.join(['"' + "x" * 1_000_100 + '"'] * 1) + "\n"
    if rng.random() < 0.2:
        text = text.rstrip("\r\n")  # no trailing newline (maybe a truncated last line)
    return text


def _encode(rng: random.Random, text: str) -> tuple[bytes, str]:
    enc = rng.choice(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-32"])
    data = text.encode(enc, errors="surrogatepass")
    if enc == "utf-8" and rng.random() < 0.2:  # invalid UTF-8 bytes, maybe in the header
        pos = rng.randint(0, max(0, min(len(data) - 1, 40 if rng.random() < 0.5 else len(data))))
        data = (
            data[:pos] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x81"]) + data[pos:]
        )
    return data, enc


def _json_value(rng: random.Random, v: object) -> object:
    r = rng.random()
    if r < 0.05:
        return {"nested": {"id": v}}
    if r < 0.08:
        return True
    if r < 0.1:
        return [v, v]
    if isinstance(v, str) and v.strip().lstrip("-").isdigit() and len(v) < 400:
        return int(v)
    return v


def _json_lines(rng: random.Random, columns: list[str], rows: list[list[object]]) -> str:
    out = []
    for r in rows:
        rec = {c: _json_value(rng, v) for c, v in zip(columns, r)}
        line = json.dumps(rec, ensure_ascii=rng.random() < 0.5)
        x = rng.random()
        if x < 0.03:
            line = "[" * 100_000 + "]" * 100_000  # deep nesting
        elif x < 0.05:
            line = line.replace("}", ', "big": ' + "7" * 4400 + "}")
        elif x < 0.08:
            line = line[: len(line) // 2]  # truncated / broken
        elif x < 0.1:
            line = line.replace("}", ', "sep": "a\u2028b\u2029c"}')
        out.append(line)
        if rng.random() < 0.05:
            out.append(rng.choice(["", "   ", "\r"]))
    return "\n".join(out) + ("\n" if rng.random() < 0.7 else "")


def _parquet(rng: random.Random, columns: list[str], rows: list[list[object]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = []
    for j, _c in enumerate(columns):
        vals = [r[j] for r in rows]
        if rng.random() < 0.3:  # invalid UTF-8 in a string column
            raw = [(str(v).encode("utf-8", "surrogatepass") + b"\xff") for v in vals]
            arrays.append(pa.Array.from_buffers(pa.string(), len(raw), pa.array(raw).buffers()))
        elif rng.random() < 0.2:
            arrays.append(pa.array([rng.choice([1e30, 2.0**63, -1.0, 3.5]) for _ in vals]))
        else:
            arrays.append(pa.array([str(v) for v in vals], type=pa.string()))
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=columns), buf)
    return buf.getvalue()


def hostile_file(rng: random.Random, *, max_rows: int = 30) -> HostileFile:
    """One malformed file (see the module docstring); deterministic for a seeded ``rng``."""
    kind = rng.choice(list(_KINDS))
    columns = list(_KINDS[kind])
    rng.shuffle(columns)
    rows = _rows(rng, columns, rng.randint(1, max_rows), rng.choice([0.05, 0.2, 0.5]))
    fmt = rng.choice(["csv", "csv", "tsv", "jsonl", "jsonl", "json", "parquet"])
    if fmt in ("csv", "tsv"):
        d = "," if fmt == "csv" else "\t"
        data, enc = _encode(rng, _text_table(rng, columns, rows, d))
        return HostileFile(data, "." + fmt, kind, enc, d)
    if fmt == "jsonl":
        data, enc = _encode(rng, _json_lines(rng, columns, rows))
        return HostileFile(data, ".jsonl", kind, enc)
    if fmt == "json":
        recs: list[object] = [{c: _json_value(rng, v) for c, v in zip(columns, r)} for r in rows]
        if rng.random() < 0.2:
            recs.append(rng.choice([1, "x", None]))  # not an object
        text = json.dumps(recs if rng.random() < 0.8 else {"data": recs})
        data, enc = _encode(rng, text)
        return HostileFile(data, ".json", kind, enc)
    return HostileFile(_parquet(rng, columns, rows), ".parquet", kind, "binary")


def _decode(f: HostileFile) -> str:
    if f.encoding in ("utf-16", "utf-32", "utf-8-sig"):
        return f.data.decode(f.encoding, errors="surrogateescape")
    return f.data.decode("utf-8", errors="surrogateescape")


def expected_rows(f: HostileFile) -> int:
    """Data rows of ``f`` as Python's csv / json modules count them (-1: not a table at all)."""
    if f.suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.read_metadata(io.BytesIO(f.data)).num_rows)
    text = _decode(f)
    if f.suffix in (".csv", ".tsv"):
        csv.field_size_limit(2**31 - 1)  # count long fields as rows (the reader limits them)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=f.delimiter)
        n = 0
        while True:
            try:
                n += 1 if next(reader) else 0
            except StopIteration:
                break
            except csv.Error:
                n += 1  # a malformed record is still a row (quarantined)
        return max(0, n - 1)
    if f.suffix == ".jsonl":
        return sum(1 for line in text.split("\n") if line.strip())
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return -1
    if isinstance(
        doc, dict
    ):  # the documented rule: a records key, else the largest list of objects
        for key in ("data", "items", "rows", "records", "results", "collector", "posts", "media"):
            v = doc.get(key)
            if isinstance(v, list) and any(isinstance(x, dict) for x in v):
                return len(v)  # the non-objects in it are broken rows
        lists = [
            v
            for v in doc.values()
            if isinstance(v, list) and sum(isinstance(x, dict) for x in v) * 2 > len(v)
        ]
        doc = max(lists, key=len) if lists else [doc]
    return len(doc) if isinstance(doc, list) else -1
