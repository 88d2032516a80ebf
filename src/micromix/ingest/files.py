"""Reading tabular files safely: CSV, TSV, JSON Lines, JSON, Parquet and Excel ``.xlsx``.

Two entry points:

* :func:`read_table` — for analysis commands: a typed pandas DataFrame, or an
  :class:`~micromix.errors.InputFileError` naming the file and what to do.
* :func:`read_raw` — for ingest: every cell as the file has it (text from CSV, JSON values from
  JSON), the file's line number of each row and the rows that are structurally broken, so that
  nothing is dropped silently.

How a file is read
------------------
* **Container** from the first bytes (``PAR1``, a ZIP holding ``xl/workbook.xml``, ``[``/``{``)
  and the extension; images, PDFs, archives and other binary files are refused in one sentence.
* **Encoding** from the byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE), else UTF-8, else
  Windows-1252 (what Excel writes) when the bytes fit it and hold no valid UTF-8 sequence;
  otherwise the file is refused (pass ``encoding=`` to say). Bytes that are not valid UTF-8 in an
  otherwise UTF-8 file (or not valid UTF-16/32 in such a file: a lone surrogate, the half
  character a cut download ends with) quarantine only the rows that hold them.
* **Rows** exactly as RFC 4180 CSV and JSON Lines define them: records are split by Python's
  :mod:`csv` module (quoted fields may hold line breaks; ``\\x0b``, ``\\x0c``, ``\\x1c``-``\\x1e``,
  ``\\x85``, U+2028 and U+2029 are ordinary characters) and JSON Lines on ``\\n`` only. Empty
  lines are not rows.
* **Limits** that quarantine a row instead of failing: fields over :data:`MAX_FIELD_CHARS`
  characters, JSON nested deeper than :data:`MAX_JSON_DEPTH`, JSON numbers with more than
  :data:`MAX_NUMBER_DIGITS` digits (kept as text, refused as numbers by the contract).
* **A row limit** when the caller sets one (``read_raw(..., max_rows=N)``, the service's upload
  limit): rows are counted as parsed (well-formed plus broken), not as bytes or line breaks, and
  the reader stops with a :class:`RowLimitError` as soon as the count passes ``N`` (a Parquet
  file's row count is read from its footer before any data).
* **Preambles**: ``#`` comment lines (GA4 downloads), title and date-range lines above the
  header (Google Ads, Spotify, LinkedIn), a ``====`` rule under the header, and an Excel
  workbook's summary sheet are recognised and kept in :attr:`RawTable.preamble`, not counted as
  rows. Header cells with line breaks are joined into one line. Excel's ``sep=;`` first line
  declares the separator.
* **Hostile structure**: the header line again below the rows (two exports, or one twice, in
  one file) is refused; rows repeating an earlier row are counted in :attr:`RawTable.notes`;
  a text that ends inside its last row sets :attr:`RawTable.cut`; an ``.xlsx`` formula cell
  with no saved value quarantines its row; a workbook is told by content, whatever its name.

Quickstart
----------
>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "q.csv"
>>> _ = p.write_text("query\\nbuy dog food\\n")
>>> read_table(p)["query"].tolist()
['buy dog food']
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import re
import sys
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from micromix.errors import DataValidationError, InputFileError
from micromix.jsonutil import value_at
from micromix.schema.base import NUMBER_TEXT, looks_like_a_value, require_columns
from micromix.schema.values import read_numbers

__all__ = [
    "FILE_FORMATS",
    "MAX_FIELD_CHARS",
    "MAX_JSON_DEPTH",
    "MAX_NUMBER_DIGITS",
    "STRAY_AS_CP1252",
    "BigNumber",
    "RawTable",
    "RowLimitError",
    "decode_text",
    "detect_file_format",
    "read_raw",
    "read_table",
    "require_columns",
]

#: container formats understood by the readers
FILE_FORMATS = ("csv", "tsv", "jsonl", "json", "parquet", "xlsx")
#: longest field accepted; a longer one quarantines its row
MAX_FIELD_CHARS = 1_000_000
#: deepest JSON nesting accepted; a deeper record is quarantined
MAX_JSON_DEPTH = 64
#: JSON integers with more digits are kept as text (and refused where a number is expected)
MAX_NUMBER_DIGITS = 30

_SNIFF_BYTES = 64 * 1024
_PREAMBLE_SCAN = 60
#: a one-cell line that is not a row: Meta's "No data available.", a copyright footer
#: ("©2026 Microsoft Corporation. All rights reserved.", "@2020 ..." as some tools write ©)
_NOTICE = re.compile(
    r"^\s*(no data( available)?\.?|(?:Â?©|@|\(c\)|copyright)\s*\d{4}\s.*"
    r"\b(all rights reserved|corporation)\b.*)\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[=\-]{3,}$")

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive (decompress it first)"),
    (b"BZh", "a bzip2 archive (decompress it first)"),
    (b"7z\xbc\xaf", "a 7-Zip archive (extract it first)"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office file (.xls); save it as .xlsx or CSV"),
    (b"RIFF", "a media file"),
    (b"ID3", "an audio file"),
    (b"\x00\x00\x00\x18ftyp", "a video file"),
    (b"\x00\x00\x00\x20ftyp", "a video file"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
)

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class RowLimitError(InputFileError):
    """A file holds more rows than the caller's limit (``read_raw(..., max_rows=N)``)."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(
            f"{path}: more than {limit:,} rows, over the limit of {limit:,}; split it into files "
            f"of at most {limit:,} rows"
        )
        self.limit = limit


def _over(path: Path, n: int, limit: int | None) -> None:
    if limit is not None and n > limit:
        raise RowLimitError(path, limit)


class BigNumber(str):
    """A JSON integer with more than :data:`MAX_NUMBER_DIGITS` digits, kept as its text."""

    __slots__ = ()


def _check_path(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: file not found; check the path and try again")
    if p.is_dir():
        raise InputFileError(f"{p}: is a folder, not a file; pass the path of one data file")
    if p.stat().st_size == 0:
        raise InputFileError(f"{p}: the file is empty; export the data again")
    return p


# ====================================================================== encodings
def _bom(data: bytes) -> tuple[str, int] | None:
    if data.startswith(codecs.BOM_UTF32_LE):
        return "utf-32-le", 4
    if data.startswith(codecs.BOM_UTF32_BE):
        return "utf-32-be", 4
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return None


def _bomless_wide(head: bytes) -> str | None:
    """UTF-16/32 without a BOM, told by where the zero bytes of ASCII text fall."""
    n = len(head) - len(head) % 4
    if n < 8:
        return None
    h = head[:n]
    zeros = h.count(0)
    if zeros < n // 3:
        return None
    pos = [h[i::4].count(0) for i in range(4)]
    quarter = n // 4
    if pos[1] >= 0.9 * quarter and pos[2] >= 0.9 * quarter and pos[3] >= 0.9 * quarter:
        return "utf-32-le"
    if pos[0] >= 0.9 * quarter and pos[1] >= 0.9 * quarter and pos[2] >= 0.9 * quarter:
        return "utf-32-be"
    even, odd = h[0::2].count(0), h[1::2].count(0)
    half = n // 2
    if odd >= 0.9 * half and even < 0.5 * half:
        return "utf-16-le"
    if even >= 0.9 * half and odd < 0.5 * half:
        return "utf-16-be"
    return None


def decode_text(
    data: bytes, source: str | Path = "input", encoding: str | None = None
) -> tuple[str, str]:
    """Decode a text file's bytes: ``(text, encoding name)``; see the module docstring.

    Bytes that are not valid in the detected encoding become lone surrogates (``\\udcXX``), so
    that the rows holding them can be quarantined.

    Raises
    ------
    InputFileError
        The encoding cannot be told (or ``encoding`` is unknown).
    """
    if encoding == STRAY_AS_CP1252:
        text = data.decode("utf-8", errors=_CP1252_ERRORS).removeprefix("\ufeff")
        return text, encoding
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InputFileError(
                f"{source}: unknown encoding {encoding!r}; use e.g. utf-8, utf-16, cp1252"
            ) from exc
        text = data.decode(encoding, errors=_ESCAPE)
        return text.removeprefix("\ufeff"), encoding
    bom = _bom(data)
    if bom is not None:
        name, skip = bom
        return data[skip:].decode(name, errors=_ESCAPE), name + ("-sig" if name == "utf-8" else "")
    wide = _bomless_wide(data[:_SNIFF_BYTES])
    if wide is not None:
        return data.decode(wide, errors=_ESCAPE), wide
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    if any(ch > "\x7f" and not "\udc80" <= ch <= "\udcff" for ch in text) or re.search(
        rb"\d[\x80-\xff]+\d", data
    ):
        # valid UTF-8 sequences elsewhere, or stray bytes inside a number: UTF-8 with some
        # corrupt bytes (quarantine those rows), not a Windows-1252 text
        return text, "utf-8"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise InputFileError(
            f"{source}: cannot tell the text encoding (it is not UTF-8, UTF-16/32 or "
            "Windows-1252); save the file as UTF-8 CSV, or pass --encoding"
        ) from None


def _sanitize(name: object) -> str:
    """A header name as clean text: bad bytes replaced, line breaks and runs of spaces joined."""
    s = str(name).encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")
    return " ".join(s.replace("\x00", "").split())


_BAD_BYTES = re.compile("[\udc80-\udcff]")

#: the encoding :func:`read_table` reads a UTF-8 file with stray single-byte characters in:
#: valid UTF-8 as UTF-8, every other byte as Windows-1252 (a ``’`` or ``é`` pasted from a
#: Windows program), so no row is lost to a character
STRAY_AS_CP1252 = "utf-8+cp1252"
_CP1252_ERRORS = "micromix-cp1252"


def _cp1252_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    # the five bytes Windows-1252 leaves undefined keep their Latin-1 meaning
    text = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad)
    return text, exc.end


codecs.register_error(_CP1252_ERRORS, _cp1252_bytes)


#: the decode error handler of :func:`decode_text`: every byte the encoding cannot decode becomes
#: one lone surrogate in ``\udc80``-``\udcff`` (what ``surrogateescape`` does for bytes >= 0x80;
#: it fails on the ASCII bytes of a cut or damaged UTF-16/32 text, which here land in the same
#: range), so the rows holding them are quarantined instead of the whole read failing
_ESCAPE = "micromix-escape"


def _escape_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(chr(0xDC80 | b) for b in bad), exc.end


codecs.register_error(_ESCAPE, _escape_bytes)


def _not_valid(enc: str) -> str:
    """The quarantine reason for a row holding bytes ``enc`` cannot decode."""
    name = {"utf-8-sig": "UTF-8", STRAY_AS_CP1252: "UTF-8"}.get(enc, enc.upper())
    name = re.sub(r"-(LE|BE)$", "", name)
    return f"contains bytes that are not valid {name}"


def _has_bad_bytes(s: str) -> bool:
    return _BAD_BYTES.search(s) is not None


# ====================================================================== container detection
def _refuse_binary(p: Path, head: bytes) -> None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise InputFileError(
                f"{p}: this is {what}, not a data table; export the data as CSV, TSV, JSON, "
                "JSON Lines, Parquet or Excel .xlsx"
            )


def _zip_kind(p: Path) -> str:
    try:
        with zipfile.ZipFile(p) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"{p}: a damaged ZIP/XLSX file ({exc}); export it again") from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if not names:
        raise InputFileError(
            f"{p}: this is an empty ZIP archive, not a data table; export the data again"
        )
    raise InputFileError(
        f"{p}: this is a ZIP archive, not a data table; extract the CSV/XLSX inside it first"
    )


def detect_file_format(path: str | Path, encoding: str | None = None) -> str:
    """Detect the container format of ``path`` from its first bytes.

    Returns one of :data:`FILE_FORMATS`.

    Raises
    ------
    InputFileError
        The file is missing, empty, binary (an image, a PDF, an archive) or not text.
    """
    p = _check_path(path)
    with p.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_kind(p)
    if _bom(head) is None and _bomless_wide(head) is None:
        _refuse_binary(p, head)
    text, _enc = decode_text(head, p, encoding)
    sample = text[:8192]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\x0b\x0c\x1b")
    if sample and controls > max(8, len(sample) // 20):
        raise InputFileError(
            f"{p}: does not look like a text table (binary content); export the data as CSV, "
            "TSV, JSON, JSON Lines, Parquet or Excel .xlsx"
        )
    stripped = text.lstrip("\ufeff").lstrip()
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"  # the extension says so, even when the first line is damaged
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        if suffix in (".jsonl", ".ndjson"):
            return "jsonl"
        first_line = stripped.split("\n", 1)[0].strip()
        if suffix == ".json" and "\n" not in stripped.strip():
            return "json"
        try:
            json.loads(first_line)
        except (json.JSONDecodeError, RecursionError, ValueError):
            # a pretty-printed object opens with a bare "{"; anything else is a (broken) JSONL line
            return "json" if not first_line.endswith("}") else "jsonl"
        return "json" if suffix == ".json" and len(stripped.split("\n")) == 1 else "jsonl"
    return "tsv" if _delimiter(text, suffix) == "\t" else "csv"


def _delimiter(text: str, suffix: str = "") -> str:
    """Tab, semicolon or comma: the one that splits the table part of the file consistently.

    For each candidate the first lines are split as CSV; the delimiter whose most common width
    (over 1 field) holds for most records wins, so a title line above the header or a quoted
    cell full of tabs does not decide it. Ties go to the extension's (``.tsv``: tab) else comma.
    """
    declared = _declared_sep(text)
    if declared is not None:
        return declared
    head = text[:_SNIFF_BYTES]
    cut = head.rfind("\n")
    if cut > 0 and len(text) > len(head):
        head = head[:cut]
    lines = [ln for ln in head.split("\n")[:200] if ln.strip() and not ln.lstrip().startswith("#")]
    prefer = "\t" if suffix == ".tsv" else ","
    best, best_score = prefer, 0.0
    for d in (prefer, *[x for x in (",", "\t", ";") if x != prefer]):
        try:
            widths = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=d) if r]
        except csv.Error:
            continue
        if not widths:
            continue
        counts: dict[int, int] = {}
        for w in widths:
            counts[w] = counts.get(w, 0) + 1
        width, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if width < 2:
            continue
        score = n / len(widths) + 0.01 * min(width, 50) / 50
        if score > best_score + 1e-9:
            best, best_score = d, score
    if (
        best_score == 0.0
        and lines
        and not set(lines[0]) & {",", "\t", ";"}
        and _space_aligned(lines)
    ):
        return WHITESPACE
    return best


#: Excel's first line naming the separator (``sep=;``, ``"sep=,"``, ``sep=<tab>``)
_SEP_LINE = re.compile(r'^\ufeff?"?sep=([,;\t|])"?[;,\t|]*\r?(?:\n|$)', re.IGNORECASE)


def _declared_sep(text: str) -> str | None:
    """The separator an Excel ``sep=`` first line declares (None: the file has none)."""
    m = _SEP_LINE.match(text[:16])
    return m.group(1) if m else None


#: the delimiter :func:`_delimiter` returns for a table whose columns are separated by runs of
#: spaces (CDNOW's ``CDNOW_master.txt``, R's ``write.table``, column-aligned text exports)
WHITESPACE = " "


def _space_split(text: str) -> Iterator[list[str]]:
    """Records of a space-aligned table: runs of blanks separate fields, quotes group them."""
    for line in text.splitlines():
        cleaned = line.replace("\t", " ").strip()
        yield (
            next(csv.reader([cleaned], delimiter=" ", skipinitialspace=True), []) if cleaned else []
        )


def _space_aligned(lines: list[str]) -> bool:
    """Whether ``lines`` form a table whose columns runs of blanks separate (the caller has
    checked that no comma, tab or semicolon does, and that the header holds none): the header
    and at least 95% of the lines (all but one in a short sample) split into the same number (2
    or more) of fields, and some column other than the first holds a number in every such line.
    The number rule keeps a one-column list of phrases (search queries, names) whole."""
    try:
        recs = [r for r in _space_split("\n".join(lines)) if r]
    except csv.Error:
        return False
    if len(recs) < 2:
        return False
    width = len(recs[0])
    body = recs[1:]
    rows = [r for r in body if len(r) == width]
    if width < 2 or not rows or len(body) - len(rows) > max(1, 0.05 * len(body)):
        return False
    return any(all(NUMBER_TEXT.fullmatch(r[c]) for r in rows) for c in range(1, width))


# ====================================================================== raw tables
@dataclass
class RawTable:
    """Rows of a file as the file has them, with provenance.

    Attributes
    ----------
    frame : DataFrame
        One row per well-formed record (``object`` cells: text from CSV/XLSX, JSON values from
        JSON; ``None`` for absent).
    rows : list[int]
        For each row of ``frame``, its line number in the file (the header's line is the first
        line of the table; JSON: the record's position).
    broken : list[tuple[int, str, str]]
        ``(line, field, reason)`` for every record that could not be split into fields.
    path : Path
    format : str
    encoding : str
        Text encoding used (``utf-8``, ``utf-16-le``, ``cp1252`` ...; ``binary`` for Parquet/XLSX).
    preamble : list[str]
        Lines above the header (titles, ``# key: value`` comments, date ranges).
    notices : list[str]
        Lines that are not rows (``"No data available."``).
    paths : list[str]
        Dotted paths of nested JSON values seen in the first records (``author.uniqueId``).
    sheet : str or None
        The worksheet read, for ``.xlsx``; ``sheets`` lists every sheet.
    """

    frame: pd.DataFrame
    rows: list[int]
    broken: list[tuple[int, str, str]] = field(default_factory=list)
    path: Path = Path()
    format: str = "csv"
    encoding: str = "utf-8"
    preamble: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    text: str = field(default="", repr=False)
    digest: str = ""
    #: header names the file gives to more than one column, with their positions (1-based);
    #: the later ones are renamed ``name.1``, ``name.2`` ... in ``frame``
    repeated: dict[str, list[int]] = field(default_factory=dict)
    #: sentences for the user about how the file was read (exact duplicate rows, a missing
    #: final line break, a library's warning); they do not change any row
    notes: list[str] = field(default_factory=list)
    #: the line of the last row when the text ends inside it (no final line break): a layout
    #: whose exports always end with one quarantines that row, as a download may have been cut
    cut: int | None = None

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.broken)

    @property
    def columns(self) -> list[str]:
        """Header names plus nested JSON paths (what layout detection looks at)."""
        cols = [str(c) for c in self.frame.columns]
        return cols + [p for p in self.paths if p not in set(cols)]

    def line_text(self, line: int) -> str:
        """The text of line ``line`` as the readers number lines (for quarantine records of
        broken lines): CSV lines end at ``\\n``, ``\\r`` or ``\\r\\n``, JSON Lines at ``\\n``."""
        if line < 1 or not self.text:
            return ""
        if self.format == "jsonl":
            parts = self.text.split("\n", line)
            return parts[line - 1].rstrip("\r") if len(parts) >= line else ""
        for i, ln in enumerate(io.StringIO(self.text, newline=""), start=1):
            if i == line:
                return ln.rstrip("\r\n")
        return ""


def _repeated(header: list[str]) -> dict[str, list[int]]:
    """Names given to more than one column of ``header``, with their 1-based positions."""
    at: dict[str, list[int]] = {}
    for i, h in enumerate(header, start=1):
        at.setdefault(h or "unnamed", []).append(i)
    return {name: cols for name, cols in at.items() if len(cols) > 1}


def _dedupe_header(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        name = h or "unnamed"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _find_header(records: list[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """Index of the header record and the preamble lines above it."""
    preamble: list[str] = []
    i = 0
    # leading comment lines ("# Start date: 20251015") and blank records
    while i < len(records) and (
        not records[i][1] or (records[i][1][0].lstrip().startswith("#") and i < _PREAMBLE_SCAN)
    ):
        if records[i][1]:
            preamble.append(",".join(records[i][1]).lstrip("# ").strip())
        i += 1
    # a title block of one-cell lines above a wider header (Google Ads, Spotify, LinkedIn)
    if i < len(records) and len(records[i][1]) <= 1:
        j = i
        while j < len(records) and j - i < _PREAMBLE_SCAN and len(records[j][1]) <= 1:
            j += 1
        if j < len(records) and j - i < _PREAMBLE_SCAN and len(records[j][1]) > 1:
            # the wider record must be the shape of what follows (not one stray wide row)
            nxt = [len(r) for _, r in records[j + 1 : j + 6] if r]
            if not nxt or sum(n == len(records[j][1]) for n in nxt) * 2 >= len(nxt):
                preamble += [",".join(r).strip() for _, r in records[i:j] if r]
                i = j
    return i, preamble


def _records(reader: Any, broken: list[tuple[int, str, str]]) -> Iterator[tuple[int, list[str]]]:
    """``(first line, record)`` as the csv module splits them; a malformed one goes to broken."""
    while True:
        start = reader.line_num + 1
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            broken.append((start, "", f"malformed CSV record ({exc})"))
            continue
        yield start, rec


def _read_delimited(
    p: Path,
    text: str,
    enc: str,
    delimiter: str,
    fmt: str,
    max_rows: int | None = None,
    *,
    header: bool = True,
    blank_rows: bool = False,
) -> RawTable:
    broken: list[tuple[int, str, str]] = []
    if delimiter == WHITESPACE:
        stream: Iterator[tuple[int, list[str]]] = (
            (line, rec) for line, rec in enumerate(_space_split(text), start=1)
        )
    else:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        stream = _records(reader, broken)
    declared: list[str] = []
    if _declared_sep(text) is not None:
        first = next(stream, None)  # Excel's "sep=;" line: how to read the file, not a row
        declared = ["".join(first[1]).strip('"') if first else ""]
    head = list(itertools.islice(stream, _PREAMBLE_SCAN + 6))
    if header:
        h, preamble = _find_header(head)
        if h >= len(head):
            raise InputFileError(f"{p}: no header row found; the first line must name the columns")
        bare = _bare(head[h][1])
        first_header: list[str] | None = bare
        header_end = head[h][1][-1] if head[h][1] else None
        named = [_sanitize(c) for c in bare]
        start = h + 1
    else:  # every line is data: the columns are c0, c1, ... as wide as the first row
        h = next((i for i, (_, rec) in enumerate(head) if rec), len(head))
        if h >= len(head):
            raise InputFileError(f"{p}: the file holds no rows")
        preamble, first_header, header_end, start = [], None, None, h
        named = [f"c{i}" for i in range(len(head[h][1]))]
    preamble = declared + preamble
    names = _dedupe_header(named)
    width = len(names)
    has = "the header has" if header else "the first row has"
    out: list[list[str]] = []
    rows: list[int] = []
    notices: list[str] = []
    # per-cell checks only when the text could fail them at all (keeps big clean files fast)
    may_be_long = len(text) > MAX_FIELD_CHARS
    may_be_bad = _BAD_BYTES.search(text) is not None
    last: tuple[int, int] | None = None  # (line, fields) of the last record with a wrong width
    records = itertools.chain(head[start:], stream)
    for k, (line, rec) in enumerate(records):
        if max_rows is not None:
            _over(p, len(rows) + len(broken), max_rows)
        if not rec:
            if blank_rows and width == 1:  # a list of texts: an empty line is an empty text
                out.append([""])
                rows.append(line)
            continue  # an empty line is not a row
        last = None
        if header and k == 0 and len(rec) == 1 and _RULE.match(rec[0].strip()):
            notices.append(rec[0].strip())  # a "====" rule under the header (Kim 2020 list)
            continue
        if len(rec) == 1 and width > 1 and _NOTICE.match(rec[0]):
            notices.append(rec[0].strip())  # Meta's "No data available."
            continue
        long = (
            next((i for i, c in enumerate(rec) if len(c) > MAX_FIELD_CHARS), None)
            if may_be_long
            else None
        )
        if long is not None:
            name = names[long] if long < width else f"column {long + 1}"
            broken.append((line, name, f"field longer than {MAX_FIELD_CHARS:,} characters"))
            continue
        bad = (
            next((i for i, c in enumerate(rec) if _has_bad_bytes(c)), None) if may_be_bad else None
        )
        if bad is not None:
            name = names[bad] if bad < width else f"column {bad + 1}"
            broken.append((line, name, _not_valid(enc)))
            continue
        if len(rec) != width:
            broken.append(
                (
                    line,
                    "",
                    f"wrong number of fields: {len(rec)} fields where {has} {width}",
                )
            )
            last = (line, len(rec))
            continue
        if header and rec[-1] == header_end and width > 1 and _bare(rec) == first_header:
            _refuse_concatenated(p, line, out, records, rec)
        out.append(rec)
        rows.append(line)
    _over(p, len(rows) + len(broken), max_rows)
    if last is not None and last[1] < width and not text.endswith(("\n", "\r")):
        broken[-1] = (
            last[0],
            "",
            f"truncated last line: {last[1]} fields where {has} {width}",
        )
    frame = pd.DataFrame(out, columns=names, dtype=object)
    frame = frame.where(frame != "", None)
    cut = (
        rows[-1]
        if rows and not text.endswith(("\n", "\r")) and rows[-1] > (broken[-1][0] if broken else 0)
        else None
    )
    return RawTable(
        frame,
        rows,
        sorted(broken),
        p,
        fmt,
        encoding=enc,
        preamble=preamble,
        notices=notices,
        text=text,
        repeated=_repeated(named),
        notes=_duplicate_note(p, out, rows),
        cut=cut,
    )


def _bare(rec: list[str]) -> list[str]:
    """Cells without byte-order marks (a second file's BOM where two files were joined)."""
    return [c.replace("\ufeff", "").strip() for c in rec]


def _refuse_concatenated(
    p: Path,
    line: int,
    above: list[list[str]],
    rest: Iterator[tuple[int, list[str]]],
    header: list[str],
) -> None:
    """The header line again at ``line``: two exports (or one twice) in one file; refused, as
    reading both parts would count their rows twice or mix two reports."""
    below = [r for _, r in rest if len(r) == len(header) and _bare(r) != header]
    if sorted(map(tuple, below)) == sorted(map(tuple, above)):
        what = (
            "this file holds the export twice (the rows after it repeat the rows above); keep "
            "one copy and ingest that"
        )
    else:
        what = (
            "this file holds two exports one after the other; split it at that line and "
            "ingest each part"
        )
    raise InputFileError(f"{p}: line {line} repeats the header line: {what}")


def _duplicate_note(p: Path, out: list[list[Any]], rows: list[int]) -> list[str]:
    """A note naming the rows that repeat an earlier row cell for cell (a file pasted twice
    without its header, or a platform writing a row twice), each with the line it repeats
    (the first five; then how many more)."""
    if len(set(map(tuple, out))) == len(out):
        return []
    seen: dict[tuple[Any, ...], int] = {}
    pairs: list[tuple[int, int]] = []
    for rec, line in zip(out, rows):
        key = tuple(rec)
        if key in seen:
            pairs.append((line, seen[key]))
        else:
            seen[key] = line
    if not pairs:
        return []
    shown = ", ".join(f"line {a} repeats line {b}" for a, b in pairs[:5])
    more = f" and {len(pairs) - 5:,} more" if len(pairs) > 5 else ""
    return [
        f"{p}: {len(pairs):,} row(s) repeat an earlier row cell for cell ({shown}{more}); "
        "each is read as a row of its own, so if they were pasted twice they add to every "
        "total: remove the copies and ingest the file again"
    ]


# ---------------------------------------------------------------------- JSON
def _big_int(s: str) -> int | BigNumber:
    return BigNumber(s) if len(s.lstrip("-")) > MAX_NUMBER_DIGITS else int(s)


def _json_loads(s: str) -> Any:
    return json.loads(s, parse_int=_big_int)  # NaN / Infinity read as Python's json reads them


def _depth(obj: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of ``obj`` (stops counting past ``limit``)."""
    best = 0
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        cur, d = stack.pop()
        if isinstance(cur, dict):
            best = max(best, d)
            if d <= limit:
                stack.extend((v, d + 1) for v in cur.values())
        elif isinstance(cur, list):
            best = max(best, d)
            if d <= limit:
                stack.extend((v, d + 1) for v in cur)
    return best


def _clean_keys(obj: dict[str, Any]) -> dict[str, Any]:
    return {(_sanitize(k) if _has_bad_bytes(k) else k): v for k, v in obj.items()}


def _paths_of(records: list[dict[str, Any]], n: int = 200, depth: int = 4) -> list[str]:
    seen: dict[str, None] = {}

    def walk(obj: dict[str, Any], prefix: str, d: int) -> None:
        for k, v in obj.items():
            path = f"{prefix}{k}"
            if prefix:
                seen.setdefault(path, None)
            if isinstance(v, dict) and d < depth:
                walk(v, path + ".", d + 1)

    for rec in records[:n]:
        walk(rec, "", 1)
    return list(seen)


def _json_record(obj: Any, where: int, broken: list[tuple[int, str, str]]) -> dict | None:
    if not isinstance(obj, dict):
        broken.append((where, "", "each record must be a JSON object"))
        return None
    if _depth(obj) > MAX_JSON_DEPTH:
        broken.append((where, "", f"nested deeper than {MAX_JSON_DEPTH} levels"))
        return None
    return _clean_keys(obj)


def _frame_of(recs: list[dict[str, Any]]) -> pd.DataFrame:
    if not recs:
        return pd.DataFrame()
    cols: dict[str, None] = {}
    for r in recs:
        for k in r:
            cols.setdefault(k, None)
    data = {c: [r.get(c) for r in recs] for c in cols}
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()})


def _read_jsonl(p: Path, text: str, enc: str, max_rows: int | None = None) -> RawTable:
    recs: list[dict] = []
    rows: list[int] = []
    broken: list[tuple[int, str, str]] = []
    lines = text.split("\n")
    for i, line in enumerate(lines, start=1):
        s = line[:-1] if line.endswith("\r") else line
        if not s.strip():
            continue
        _over(p, len(rows) + len(broken) + 1, max_rows)
        if len(s) > MAX_FIELD_CHARS:
            broken.append((i, "", f"line longer than {MAX_FIELD_CHARS:,} characters"))
            continue
        if _has_bad_bytes(s):
            broken.append((i, "", _not_valid(enc)))
            continue
        try:
            obj = _json_loads(s)
        except RecursionError:
            broken.append((i, "", f"nested deeper than {MAX_JSON_DEPTH} levels"))
            continue
        except ValueError as exc:  # JSONDecodeError is a ValueError
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            col = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            why = (
                "truncated last line"
                if i >= len(lines) - 1 and not s.rstrip().endswith("}")
                else "invalid JSON"
            )
            broken.append((i, "", f"{why} ({msg}{col})"))
            continue
        rec = _json_record(obj, i, broken)
        if rec is not None:
            recs.append(rec)
            rows.append(i)
    return RawTable(
        _frame_of(recs),
        rows,
        broken,
        p,
        "jsonl",
        encoding=enc,
        paths=_paths_of(recs),
        text=text,
    )


_WRAPPERS = ("data", "items", "rows", "records", "results", "collector", "posts", "media")


def _records_in(doc: Any) -> tuple[list[Any], list[str]] | None:
    """The list of records in a JSON document and where it was found."""
    if isinstance(doc, list):
        return doc, []
    if not isinstance(doc, dict):
        return None
    for k in _WRAPPERS:
        v = doc.get(k)
        if isinstance(v, list) and v and any(isinstance(x, dict) for x in v):
            return v, [k]
    best: tuple[list[Any], list[str]] | None = None
    stack: list[tuple[Any, list[str]]] = [(doc, [])]
    while stack:
        cur, path = stack.pop()
        if isinstance(cur, dict) and len(path) < 5:
            for k, v in cur.items():
                if isinstance(v, list) and v and _mostly_objects(v):
                    if best is None or len(v) > len(best[0]):
                        best = (v, [*path, str(k)])
                elif isinstance(v, dict):
                    stack.append((v, [*path, str(k)]))
    if best is None:
        return [doc], []
    recs, where = best
    # GraphQL connections: {"edges": [{"node": {...}}]}
    if all(
        isinstance(x, dict) and set(x) == {"node"} and isinstance(x["node"], dict) for x in recs
    ):
        recs = [x["node"] for x in recs]
    return recs, where


def _mostly_objects(v: list[Any]) -> bool:
    """A list whose elements are mostly JSON objects: records (the others are broken rows)."""
    return sum(isinstance(x, dict) for x in v) * 2 > len(v)


def _read_json(p: Path, text: str, enc: str, max_rows: int | None = None) -> RawTable:
    try:
        doc = _json_loads(text)
    except RecursionError:
        raise InputFileError(
            f"{p}: JSON nested too deeply to read (over {MAX_JSON_DEPTH} levels); export flatter "
            "records or JSON Lines"
        ) from None
    except ValueError as exc:
        where = (
            f" at line {exc.lineno}, column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise InputFileError(
            f"{p}: not valid JSON ({msg}{where}); export a JSON array of objects or JSON Lines"
        ) from None
    found = _records_in(doc)
    if found is None:
        raise InputFileError(f"{p}: expected a JSON array of objects (or an object holding one)")
    data, where_path = found
    _over(p, len(data), max_rows)
    recs: list[dict[str, Any]] = []
    rows: list[int] = []
    broken: list[tuple[int, str, str]] = []
    for i, obj in enumerate(data, start=1):
        rec = _json_record(obj, i, broken)
        if rec is not None:
            recs.append(rec)
            rows.append(i)
    pre = [f"records under {'.'.join(where_path)}"] if where_path else []
    return RawTable(
        _frame_of(recs), rows, broken, p, "json", encoding=enc, preamble=pre, paths=_paths_of(recs)
    )


# ---------------------------------------------------------------------- Parquet
#: the span Python's datetime (and so a zone-aware pandas Timestamp) can hold
_PY_SPAN = (np.datetime64("0001-01-01", "us"), np.datetime64("9999-12-31T23:59:59", "us"))


def _far_times_as_text(col: Any) -> pd.Series | None:
    """A Parquet timestamp/date column holding instants beyond the years 1-9999, as ISO text.

    pandas cannot even print such a zone-aware value, so the column is handed on as text
    (``"56301-10-13T00:00:00Z"``) for the timestamp reader to refuse row by row; None when the
    column is within range (the usual case) or is not a time column.
    """
    import pyarrow as pa

    if pa.types.is_timestamp(col.type):
        unit, utc = col.type.unit, col.type.tz is not None
    elif pa.types.is_date32(col.type):
        unit, utc = "D", False
    elif pa.types.is_date64(col.type):
        unit, utc = "ms", False
    else:
        return None
    ints = np.asarray(col.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype="float64")
    present = ~np.isnan(ints)
    if not present.any():
        return None
    vals = ints[present].astype("int64").astype(f"datetime64[{unit}]")
    lo, hi = vals.min(), vals.max()
    if lo >= _PY_SPAN[0] and hi <= _PY_SPAN[1]:
        return None
    text = np.datetime_as_string(vals) if unit != "D" else vals.astype(str)
    out: list[str | None] = [None] * len(ints)
    suffix = "Z" if utc else ""
    for i, t in zip(np.flatnonzero(present), text):
        out[i] = f"{t}{suffix}"
    return pd.Series(out, dtype=object)


def _read_parquet(p: Path, max_rows: int | None = None) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if max_rows is not None:
            _over(p, pq.ParquetFile(p).metadata.num_rows, max_rows)
        tbl = pq.read_table(p)
    except RowLimitError:
        raise
    except Exception as exc:
        raise InputFileError(
            f"{p}: cannot be read as Parquet ({str(exc).splitlines()[0][:200]}); export it again"
        ) from None
    cols: dict[str, pd.Series] = {}
    broken_rows: dict[int, str] = {}
    for name, col in zip(tbl.column_names, tbl.columns):
        clean = _sanitize(name)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            try:
                cols[clean] = pd.Series(col.to_pylist(), dtype=object)
            except UnicodeDecodeError:
                raw = col.cast(pa.large_binary()).to_pylist()
                vals: list[str | None] = []
                for i, b in enumerate(raw):
                    if b is None:
                        vals.append(None)
                        continue
                    try:
                        vals.append(b.decode("utf-8"))
                    except UnicodeDecodeError:
                        vals.append(None)
                        broken_rows.setdefault(i, clean)
                cols[clean] = pd.Series(vals, dtype=object)
            continue
        if pa.types.is_nested(col.type) or pa.types.is_dictionary(col.type):
            cols[clean] = pd.Series(col.to_pylist(), dtype=object)
            continue
        far = _far_times_as_text(col)
        if far is not None:
            cols[clean] = far
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cols[clean] = col.to_pandas()
        except Exception:
            cols[clean] = pd.Series(col.to_pylist(), dtype=object)
    frame = pd.DataFrame(cols)
    frame.columns = _dedupe_header([str(c) for c in frame.columns])
    n = len(frame)
    broken = [
        (i + 1, f, "contains bytes that are not valid UTF-8")
        for i, f in sorted(broken_rows.items())
    ]
    keep = [i for i in range(n) if i not in broken_rows]
    if broken_rows:
        frame = frame.iloc[keep].reset_index(drop=True)
    return RawTable(frame, [i + 1 for i in keep], broken, p, "parquet", encoding="binary")


# ---------------------------------------------------------------------- Excel
def _read_xlsx(p: Path, sheet: str | None, max_rows: int | None = None) -> RawTable:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise InputFileError(f"{p}: reading .xlsx needs openpyxl (pip install openpyxl)") from exc
    notes: list[str] = []
    if p.suffix.lower() not in (".xlsx", ".xlsm", ".xltx", ".xltm"):
        notes.append(
            f"{p}: this file is an Excel workbook named {p.suffix or 'without an extension'}; "
            "it was read as .xlsx - rename it to .xlsx"
        )
    said: list[warnings.WarningMessage] = []
    data = p.read_bytes()  # a file object: openpyxl judges a path by its extension
    try:
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise InputFileError(
            f"{p}: cannot be read as an Excel workbook (it is damaged or not a workbook); open "
            "it in Excel and save it again as .xlsx"
        ) from None
    try:
        names = list(wb.sheetnames)
        chosen: tuple[str, list[tuple[int, list[Any]]], int, list[str]] | None = None
        summary: list[str] = []
        if sheet is not None and sheet not in names:
            raise InputFileError(
                f"{p}: no sheet {sheet!r}; the workbook has {', '.join(map(repr, names))}"
            )
        # a named sheet keeps the text of the sheets before it that hold no table (a UA
        # workbook's Summary: view, report, period), as when the sheet is found by itself
        for name in names if sheet is None else names[: names.index(sheet) + 1]:
            with warnings.catch_warnings(record=True) as more:
                warnings.simplefilter("always")
                recs = [
                    (i, list(r))
                    for i, r in enumerate(wb[name].iter_rows(values_only=True), start=1)
                ]
            said += more
            recs = [(i, _trim(r)) for i, r in recs]
            as_text = [(i, [("" if v is None else str(v)) for v in r]) for i, r in recs]
            h, preamble = _find_header(as_text)
            table = h < len(recs) and sum(1 for v in recs[h][1] if v not in (None, "")) >= 2
            if sheet is not None and name != sheet:
                if not table:
                    summary += [" ".join(r).strip() for _, r in as_text if any(r)][:20]
                continue
            if table:
                chosen = (name, recs, h, summary + preamble)
                break
            summary += [" ".join(r).strip() for _, r in as_text if any(r)][:20]
            if sheet is not None:
                chosen = (name, recs, h, preamble)
        if chosen is None:
            raise InputFileError(
                f"{p}: no sheet of the workbook holds a table with a header row; sheets: "
                f"{', '.join(map(repr, names))}"
            )
    finally:
        wb.close()
    name, recs, h, preamble = chosen
    if h >= len(recs):
        raise InputFileError(f"{p}: sheet {name!r} has no header row")
    for msg in dict.fromkeys(str(w.message).strip() for w in said):
        if "style" not in msg.lower():  # cell formatting only ("no default style"): no value
            notes.append(f"{p}: the Excel reader noted: {msg}; check the values it read")
    named = [_sanitize("" if v is None else v) for v in recs[h][1]]
    header = _dedupe_header(named)
    width = len(header)
    unsaved = _unsaved_formulas(data, name, h + 1, dict(recs))
    out, rows, broken = [], [], []
    for line, r in recs[h + 1 :]:
        if line in unsaved:
            col = unsaved[line]
            where = header[col] if col < width else f"column {col + 1}"
            broken.append((line, where, _NO_SAVED_VALUE))
            continue
        if not r or all(v is None or (isinstance(v, str) and not v.strip()) for v in r):
            continue
        cells = [v.strip() if isinstance(v, str) else v for v in r]
        if len(cells) > width:
            if any(v not in (None, "") for v in cells[width:]):
                broken.append((line, "", f"cells beyond the {width} header columns"))
                continue
            cells = cells[:width]
        cells += [None] * (width - len(cells))
        out.append([None if v == "" else v for v in cells])
        rows.append(line)
    _over(p, len(rows) + len(broken), max_rows)
    frame = pd.DataFrame(out, columns=header, dtype=object)
    return RawTable(
        frame,
        rows,
        broken,
        p,
        "xlsx",
        encoding="binary",
        preamble=preamble,
        sheet=name,
        sheets=names,
        repeated=_repeated(named),
        notes=notes + _duplicate_note(p, out, rows),
    )


_NO_SAVED_VALUE = (
    "the cell holds a formula with no saved value: open and save the file in Excel, or export "
    "values"
)


def _unsaved_formulas(
    data: bytes, sheet: str, below: int, values: dict[int, list[Any]]
) -> dict[int, int]:
    """Rows under line ``below`` of ``sheet`` with a formula cell that has no saved value (a
    workbook a program wrote and Excel never computed): row -> first such column (0-based).
    Reading such a cell gives nothing, so its row would be read with a blank (0 spend, a row
    without a campaign taken for a total). ``values`` are the sheet's rows as already read
    (line -> saved values): the workbook is opened once more, for its formulas only."""
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if not any(n.startswith("xl/worksheets/") and b"<f" in z.read(n) for n in z.namelist()):
                return {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            found: dict[int, int] = {}
            rows = formulas[sheet].iter_rows(min_row=below + 1, values_only=True)
            for line, f in enumerate(rows, start=below + 1):
                v = values.get(line, [])  # trimmed: a missing trailing cell holds no value
                for col, fc in enumerate(f):
                    vc = v[col] if col < len(v) else None
                    if vc is None and isinstance(fc, str) and fc.startswith("="):
                        found[line] = col
                        break
            formulas.close()
    except (zipfile.BadZipFile, OSError, KeyError):
        return {}
    return found


def _trim(r: list[Any]) -> list[Any]:
    while r and (r[-1] is None or (isinstance(r[-1], str) and not r[-1].strip())):
        r = r[:-1]
    return r


# ---------------------------------------------------------------------- entry points
def read_raw(
    path: str | Path,
    file_format: str | None = None,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    max_rows: int | None = None,
    header: bool = True,
    blank_lines: str = "skip",
) -> RawTable:
    """Read ``path`` as cells with line numbers; see :class:`RawTable`.

    Parameters
    ----------
    file_format : str, optional
        One of :data:`FILE_FORMATS`; detected when None.
    encoding : str, optional
        Text encoding (detected when None; see :func:`decode_text`).
    sheet : str, optional
        Worksheet of an ``.xlsx`` file (default: the first sheet holding a table).
    max_rows : int, optional
        Most rows (well-formed plus broken) the file may hold; reading stops with a
        :class:`RowLimitError` as soon as it holds more.
    header : bool
        False: a CSV/TSV file has no header line; every line is a row and the columns are
        named ``c0``, ``c1``, ... (no preamble, repeated-header or duplicate-name checks).
    blank_lines : {"skip", "rows"}
        "rows": in a one-column CSV/TSV (a list of texts) an empty line is a row with an
        empty cell; in a wider file an empty line is never a row.
    """
    p = _check_path(path)
    fmt = file_format or detect_file_format(p, encoding)
    if fmt not in FILE_FORMATS:
        raise InputFileError(
            f"{p}: unknown file format '{fmt}'; use one of {', '.join(FILE_FORMATS)}"
        )
    data = p.read_bytes()
    if fmt == "parquet":
        raw = _read_parquet(p, max_rows)
    elif fmt == "xlsx":
        raw = _read_xlsx(p, sheet, max_rows)
    else:
        text, enc = decode_text(data, p, encoding)
        if fmt == "jsonl":
            raw = _read_jsonl(p, text, enc, max_rows)
        elif fmt == "json":
            raw = _read_json(p, text, enc, max_rows)
        else:
            delim = "\t" if fmt == "tsv" else _delimiter(text, p.suffix.lower())
            kind = "tsv" if delim == "\t" else "csv"
            raw = _read_delimited(
                p,
                text,
                enc,
                delim,
                kind,
                max_rows,
                header=header,
                blank_rows=blank_lines == "rows",
            )
    raw.digest = hashlib.sha256(data).hexdigest()
    return raw


_CODE = re.compile(r"^\s*0\d")


def _leading_zero(sep: str) -> re.Pattern[str]:
    """A field of a ``sep``-separated text that starts with a zero followed by a digit
    (``00004``, ``02134``); the time in ``2024-03-01 08:00`` is not a field start."""
    start = r"\s" if sep == r"\s+" else re.escape(sep)
    return re.compile(rf"(?:^|{start}|\")0\d", re.MULTILINE)


def _codes_as_text(df: pd.DataFrame, text: str, sep: str) -> pd.DataFrame:
    """``df`` with the columns pandas read as numbers but whose text has a leading zero
    (``00004``, a ZIP code ``02134``) back as text: they are codes, and ``00004`` and ``4``
    are not the same customer."""
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    if not numeric:
        return df
    raw = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    if list(raw.columns) != list(df.columns) or len(raw) != len(df):
        return df
    out = df
    for c in numeric:
        if raw[c].str.match(_CODE).any():
            out = out.assign(**{c: raw[c].where(raw[c].str.strip() != "", None)})
    return out


def _maybe_numeric(s: pd.Series) -> pd.Series:
    if s.dtype != object:
        return s
    if s.map(lambda v: isinstance(v, (dict, list))).any():
        return s
    if s.map(lambda v: isinstance(v, str) and bool(_CODE.match(v))).any():
        return s  # a code with a leading zero stays text
    conv = pd.to_numeric(s, errors="coerce")
    return conv if conv.notna().sum() == s.notna().sum() else s


def read_table(
    path: str | Path,
    file_format: str | None = None,
    *,
    header: bool = True,
    blank_lines: Literal["skip", "rows"] = "skip",
    as_text: bool = False,
) -> pd.DataFrame:
    """Read a data file into a DataFrame with inferred types.

    Besides the format's own rules (see the module): header names lose surrounding blanks;
    a name the header gives twice is refused when its columns hold different values (which one
    a command reads would be a guess) and read once when they are copies; stray bytes that are
    not UTF-8 in a UTF-8 text file are read as Windows-1252 and counted in ``attrs["notes"]``
    (sentences for the user, also empty); a column of JSON
    objects gains one column per field (``customer.email``) and its objects, like lists,
    become JSON text; a text column whose every value is a number as exports write them
    (``$1,234.50``, ``48.5K``, ``1.234,50``) becomes numbers (a euro, pound or yen sign's
    currency kept in ``attrs["currencies"]`` with a note; signs mixed in a column refused).

    Parameters
    ----------
    header : bool
        False: a CSV/TSV file has no header line; every line is a row, with the same value
        rules, and the columns are named ``c0``, ``c1``, ... (refused for other formats).
    blank_lines : {"skip", "rows"}
        "rows": in a one-column CSV/TSV (a list of texts) an empty line is a row whose text
        is empty; in a wider file, and by default, an empty line is not a row.
    as_text : bool
        Every cell as the file writes it (``"10,708"``, ``"7.00"``, ``"007"``), no number typing:
        for a command that passes the file's columns through.

    Raises
    ------
    InputFileError
        The file is missing, empty, not a table, or has no rows.
    DataValidationError
        The header repeats a name over columns that differ, or a line has more or fewer fields
        than the header (never read with a row left out).
    """
    p = _check_path(path)
    notes: list[str] = []
    raw_opts = {"header": header, "blank_lines": blank_lines}
    careful = not header or blank_lines == "rows" or as_text
    df = _tidy(_read_table(p, file_format, notes, raw_opts, careful, as_text), p, as_text)
    df.attrs["notes"] = notes + _currency_notes(df)
    return df


def _read_table(
    p: Path,
    file_format: str | None,
    notes: list[str],
    raw_opts: dict[str, Any] | None = None,
    careful: bool = False,
    as_text: bool = False,
) -> pd.DataFrame:
    fmt = file_format or detect_file_format(p)
    opts = raw_opts or {}
    if not opts.get("header", True) and fmt not in ("csv", "tsv"):
        raise InputFileError(
            f"{p}: a {fmt} file names its fields; reading without a header line applies to "
            "CSV and TSV files only"
        )
    if fmt == "parquet":
        try:
            return pd.read_parquet(p)
        except Exception:
            pass  # bad strings and the like: the careful reader below says which rows
    stray = 0
    if fmt in ("csv", "tsv", "jsonl", "json"):
        data = p.read_bytes()
        text, enc = decode_text(data, p)
        if enc == "utf-8" and _has_bad_bytes(text):  # read them, say so, lose no row
            stray = sum(1 for line in text.splitlines() if _has_bad_bytes(line))
            text, _ = decode_text(data, p, STRAY_AS_CP1252)
    if stray:
        notes.append(
            f"{p}: {stray:,} line(s) hold bytes that are not UTF-8; they were read as "
            "Windows-1252 (’ é £ ...) - check those rows' text, or save the file as UTF-8"
        )
    if fmt in ("csv", "tsv"):
        plain = (
            not careful
            and not text.lstrip().startswith("#")
            and not _has_bad_bytes(text)
            and _declared_sep(text) is None
            and not _header_again(text)
        )
        if plain:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    sep = _delimiter(text, p.suffix.lower())
                    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
                    if sep == WHITESPACE:
                        header = next(_space_split(first), [])
                        sep = r"\s+"  # runs of blanks, leading ones ignored
                    else:
                        header = next(csv.reader([first], delimiter=sep), [])
                    df = pd.read_csv(io.StringIO(text), sep=sep, low_memory=False)
                    if not df.index.equals(pd.RangeIndex(len(df))):
                        # rows with more fields than the header: pandas would silently make
                        # the first column the index; the careful reader says which lines
                        raise ValueError("more fields than the header")
                    if _leading_zero(sep).search(text):
                        df = _codes_as_text(df, text, sep)
                if df.shape[1] > 1 or "," not in text.split("\n", 1)[0]:
                    df = _drop_rule_rows(df)
                    if len(header) == df.shape[1]:
                        df.attrs["header"] = [str(h) for h in header]
                    return df
            except Exception:
                pass  # fall back to the careful reader
    raw = read_raw(p, fmt, encoding=STRAY_AS_CP1252 if stray else None, **opts)
    if raw.broken:  # a record that cannot be read is refused, never left out
        line, fld, why = raw.broken[0]
        where = f"line {line}" + (f", field {fld!r}" if fld else "")
        what = (
            "a separator inside a value (an unquoted 1,250 or a comma in a name) splits it - "
            "quote that value or remove the separator"
            if why.startswith("wrong number of fields")
            else "export the file again (the copy may have been cut or damaged)"
            if why.startswith("contains bytes") and raw.encoding.startswith(("utf-16", "utf-32"))
            else "mend or remove that line"
        )
        raise DataValidationError(
            f"{p}: {where}: {why} ({len(raw.broken)} such line(s)); {what}, then run the "
            "command again"
        )
    if opts.get("header", True):  # a headerless log repeats lines by nature (two events
        notes += raw.notes  # in one second), as the fast reader, which has no such note
    df = raw.frame.apply(_maybe_numeric) if len(raw.frame.columns) and not as_text else raw.frame
    if df.shape[1] == 0:
        raise InputFileError(f"{p}: no columns found; the first line must name the columns")
    if raw.repeated:
        names = list(df.columns)
        for name, cols in raw.repeated.items():
            for c in cols:
                if c - 1 < len(names):
                    names[c - 1] = name
        df.attrs["header"] = names
    return df


def _header_again(text: str) -> bool:
    """Whether the first line of ``text`` comes again later (two exports in one file)."""
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        return False
    return re.search(rf"\n{re.escape(first)}\r?(?:\n|$)", text[len(first) :]) is not None


def _tidy(df: pd.DataFrame, p: Path, as_text: bool = False) -> pd.DataFrame:
    """The header and cell rules of :func:`read_table` (see there)."""
    header = df.attrs.get("header") or [str(c) for c in df.columns]
    clean = [str(h).strip() or str(c) for h, c in zip(header, df.columns)]
    keep: list[int] = []
    first_of: dict[str, int] = {}
    for i, name in enumerate(clean):
        if name not in first_of:
            first_of[name] = i
            keep.append(i)
            continue
        j = first_of[name]
        a, b = df.iloc[:, j], df.iloc[:, i]
        if not a.astype("string").fillna("").equals(b.astype("string").fillna("")):
            if looks_like_a_value(name):  # "0" twice: the first line is a row of data
                raise DataValidationError(
                    f"{p}: the first line holds values, not column names (it names column "
                    f"{name!r} twice, columns {j + 1} and {i + 1}); add a header line that "
                    "names the columns"
                )
            raise DataValidationError(
                f"{p}: the header names column {name!r} twice (columns {j + 1} and {i + 1}) "
                "and they hold different values; rename or remove one so it is clear which to "
                "read"
            )
    out = df.iloc[:, keep].copy()
    out.columns = [clean[i] for i in keep]
    out.attrs = {}
    for col in list(out.columns):
        if out[col].dtype == object:
            out = _unnest(out, col)
    currencies: dict[str, str] = {}
    for col in out.columns:
        if as_text:
            break
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = _export_numbers(out[col], str(p), currencies)
    if currencies:
        out.attrs["currencies"] = currencies
    return out


def _unnest(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """JSON objects in ``col``: one column per field path after it; objects and lists become
    JSON text (hashable, and what the file says)."""
    cells = df[col]
    nested = cells.map(lambda v: isinstance(v, (dict, list)))
    if not nested.any():
        return df
    paths: dict[str, None] = {}

    def walk(v: Any, prefix: str, depth: int) -> None:
        for k, x in v.items():
            name = f"{prefix}.{k}"
            if isinstance(x, dict) and depth < 4:
                walk(x, name, depth + 1)
            else:
                paths.setdefault(name, None)

    for v in cells[nested]:
        if isinstance(v, dict):
            walk(v, col, 1)

    def at(v: Any, path: list[str]) -> Any:
        v = value_at(v, path)
        return json.dumps(v) if isinstance(v, (dict, list)) else v

    pos = list(df.columns).index(col)
    out = df.copy()
    out[col] = cells.map(lambda v: json.dumps(v) if isinstance(v, (dict, list)) else v)
    for k, name in enumerate(n for n in paths if n not in df.columns):
        part = name[len(col) + 1 :].split(".")
        out.insert(pos + 1 + k, name, _maybe_numeric(cells.map(lambda v, q=part: at(v, q))))
    return out


#: a number as exports write it: currency, thousands separators, decimal comma, K/M/B
_EXPORT_NUMBER = re.compile(r"^\s*[-+(]?\s*[$€£¥]?\s*[\d.,]*\d[\d.,]*\s*[KkMmBb]?\)?\s*$")


#: the currency each sign an export writes before an amount names (``$`` alone is US
#: dollars and ``¥`` alone yen, as everywhere in micromix)
_MONEY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}


def _export_numbers(
    col: pd.Series, where: str = "input", currencies: dict[str, str] | None = None
) -> pd.Series:
    """``col`` as numbers when every value is one as exports write them and at least one is
    not plain (``$1,234.50``, ``48.5K``); otherwise unchanged.

    A sign other than the dollar's is not dropped silently: the column's currency (``EUR`` for
    ``€1,200``) goes into ``currencies`` by column name, for the reader's note, so ``€1,200``
    and ``£300`` are not taken for dollars. A column whose cells carry different signs
    (``€300`` above ``$250``) is refused, naming the file, the row and the field: its amounts
    cannot be added up.
    """
    text = col.dropna()
    head = text.iloc[:200]
    if not len(text) or not all(isinstance(v, str) and _EXPORT_NUMBER.match(v) for v in head):
        return col  # decided on the first values: a column of words costs nothing more
    if text.astype(str).str.match(_CODE).any():
        return col  # codes with a leading zero (00004, a ZIP code) stay text
    text = text.astype(str)
    signs = text.str.extract(r"([$€£¥])", expand=False).dropna()
    if signs.nunique() > 1:
        first, other = signs.index[0], signs.index[(signs != signs.iloc[0]).to_numpy()][0]
        rows = list(col.index)
        raise DataValidationError(
            f"{where}: row {rows.index(other) + 1}, field {col.name!r}: {text[other]!r} is in "
            f"{_MONEY_SIGNS[signs[other]]} but row {rows.index(first) + 1} ({text[first]!r}) "
            f"is in {_MONEY_SIGNS[signs[first]]}; a column holds amounts in one currency "
            "(micromix never converts): split the rows by currency, or convert them, and read "
            "the file again"
        )
    text = text[text.str.strip() != ""]
    if not len(text) or not text.str.match(_EXPORT_NUMBER).all():
        return col
    got = read_numbers(col, abbreviated=True)
    if got.problems.notna().any() or got.values[text.index].isna().any():
        return col
    if len(signs) and signs.iloc[0] != "$" and currencies is not None:
        currencies[str(col.name)] = _MONEY_SIGNS[signs.iloc[0]]
    return got.values.astype("Float64").astype(float)


def _currency_notes(df: pd.DataFrame) -> list[str]:
    """The reader's note on columns read as amounts in a currency other than US dollars."""
    cur: dict[str, str] = df.attrs.get("currencies") or {}
    if not cur:
        return []
    return [
        f"column {c!r} holds amounts in {code} (the sign of its cells), read as numbers "
        f"without the sign: the figures from it are in {code}, not US dollars; micromix never "
        "converts, so keep the money of one run in one currency"
        for c, code in cur.items()
    ]


def _drop_rule_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Drop "====" rule rows under a header (as ``read_raw`` does) and re-infer numbers that the
    rule row forced to text (the Kim 2020 influencer list has one)."""
    if not len(df) or df.shape[1] < 2:
        return df
    first = df.iloc[:, 0].astype("string").str.strip()
    rule = first.str.fullmatch(r"[=\-]{3,}").fillna(False).astype(bool) & df.iloc[:, 1:].isna().all(
        axis=1
    )
    if not rule.any():
        return df
    df = df[~rule.to_numpy()].reset_index(drop=True)
    return df.apply(lambda c: _maybe_numeric(c) if c.dtype == object else c)
