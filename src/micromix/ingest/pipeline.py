"""Ingest with quarantine: every row of a file is either accepted into the store or quarantined
with its line, field and reason — nothing is dropped silently, nothing is invented.

Guarantees
----------
* ``accepted + quarantined == rows_in_file``: data rows as RFC 4180 CSV / JSON Lines count
  them; the header, preamble lines, empty lines and the export's own summary ("Total:", "Grand
  total") rows are not data rows (summary rows are reported in ``summary_rows`` and used as a
  cross-check of the sum, in ``checks``; for export tables their measures are kept with the
  export's record in ``ingest_files``, see :func:`micromix.ingest.lineage.registry_totals`).
* Row identity by lineage for export tables (``ad_performance``, ``traffic``): see
  :mod:`micromix.ingest.lineage`. Re-ingesting the same file changes nothing; an updated
  export of the same report replaces its rows; an overlapping different export is refused
  unless the caller says ``on_overlap="replace"`` or ``"keep"``.
* Money is never without its currency: from the file, else ``currency=`` (``--currency``), else
  the ingest is refused with one sentence.
* A layout that maps a required field to nothing usable for most rows is refused with one
  sentence naming the file and the fields (never "accepted" with ids holding JSON objects).
* Atomic: accepted rows, quarantine records, the registry and the ``ingest_log`` line are
  written in one transaction; a failure half-way leaves the store exactly as it was.

Quickstart
----------
>>> import pathlib, tempfile
>>> from micromix.store import Store
>>> from micromix.ingest import ingest_file
>>> p = pathlib.Path(tempfile.mkdtemp()) / "clicks.csv"
>>> _ = p.write_text("event_id,timestamp,user,event\\ne1,2024-05-01T10:00:00Z,u1,click\\n"
...                  "e2,yesterday,u2,click\\n")
>>> rep = ingest_file(Store.open(":memory:"), "events", p)
>>> rep.accepted, rep.quarantined, rep.quarantine_sample[0]["reason"]
(1, 1, "'yesterday' is a relative date; give the calendar date instead")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from micromix.ingest.currency import _check_currency_option  # noqa: F401  (imported from here)
from micromix.ingest.formats import FormatAdapter
from micromix.ingest.prepare import PreparedFile, dry_run_report, prepare_file
from micromix.ingest.quarantine import QUARANTINE_SAMPLE
from micromix.ingest.report import IngestReport, OverlapError, Progress
from micromix.ingest.totals import JUNK_SHARE
from micromix.ingest.write import (  # KEEP_UNREPORTED, SCRAPE_FIELDS: imported from here too
    KEEP_UNREPORTED,
    ON_OVERLAP,
    SCRAPE_FIELDS,
    ingest_frame,
    validate_frame,
    write_prepared,
    write_validated,
)
from micromix.schema import TimeWindow

if TYPE_CHECKING:
    from micromix.store import Store

__all__ = [
    "JUNK_SHARE",
    "KEEP_UNREPORTED",
    "ON_OVERLAP",
    "QUARANTINE_SAMPLE",
    "SCRAPE_FIELDS",
    "IngestReport",
    "OverlapError",
    "PreparedFile",
    "dry_run_report",
    "ingest_file",
    "ingest_frame",
    "prepare_file",
    "validate_frame",
    "write_prepared",
    "write_validated",
]


def ingest_file(
    store: Store,
    kind: str,
    path: str | Path,
    file_format: str | None = None,
    layout: str | FormatAdapter | None = None,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    currency: str | None = None,
    dayfirst: bool | None = None,
    window: TimeWindow | None = None,
    on_overlap: str = "refuse",
    progress: Progress | None = None,
    source: str | None = None,
    max_rows: int | None = None,
    decimal_comma: bool | None = None,
    strategy: str | None = None,
) -> IngestReport:
    """Ingest one file into ``store``: accepted rows written, bad rows quarantined, atomically.

    Parameters
    ----------
    store : micromix.store.Store
    kind : str
        ``events``, ``ads``, ``posts``, ``creators``, ``audience``, ``experiments`` or
        ``traffic``.
    path : str or Path
    file_format : str, optional
        Container format (``csv``, ``tsv``, ``jsonl``, ``json``, ``parquet``, ``xlsx``).
    layout : str or FormatAdapter, optional
        Input layout (``meta_ads``, ``google_ads`` ...); detected from the header when None.
    encoding, sheet : str, optional
        Text encoding (detected when None) and ``.xlsx`` worksheet.
    currency : str, optional
        ISO 4217 code of the money columns when the file does not state it.
    dayfirst : bool, optional
        Order of ``d/m/y`` dates (detected from the file when None).
    decimal_comma : bool, optional
        Numbers are written with a decimal comma ("1.234,56"; False: a decimal point); None:
        told by the file's cells (a file whose cells show both is refused).
    window : TimeWindow, optional
        Accepted timestamps (default 1970-01-01..2100-01-01).
    on_overlap : {"refuse", "replace", "keep"}
        What to do when the file overlaps a different export already ingested.
    progress : callable, optional
        ``progress(step, fraction)`` callback (the CLI passes a progress bar).
    source : str, optional
        The name the quarantine and the ingest log record the file under (default: its
        resolved path; the service passes one derived from the uploaded bytes).
    max_rows : int, optional
        Most rows the file may hold (:class:`~micromix.ingest.files.RowLimitError` above).
    strategy : str, optional
        File every row under this strategy (``search``, ``paid_social``, ``other`` ...)
        instead of the layout's mapping (ads and events only; see
        :mod:`micromix.ingest.strategy`).

    Returns
    -------
    IngestReport

    Raises
    ------
    InputFileError, ColumnNotFoundError, DataValidationError, OverlapError
        One sentence naming the file and what to do.
    """
    step = progress or (lambda _s, _f: None)
    prepared = prepare_file(
        kind,
        path,
        file_format,
        layout,
        encoding=encoding,
        sheet=sheet,
        currency=currency,
        dayfirst=dayfirst,
        window=window,
        progress=step,
        source=source,
        max_rows=max_rows,
        decimal_comma=decimal_comma,
        strategy=strategy,
    )
    step("writing to the store", 0.8)
    report = write_prepared(store, kind, prepared, on_overlap=on_overlap)
    step("done", 1.0)
    return report
