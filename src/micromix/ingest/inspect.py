"""Look at a file before ingesting it: layout, column mapping, encoding, sample rows, quarantine.

:func:`inspect_file` reads, maps and validates a file exactly as an ingest would, and writes
nothing (``micromix inspect FILE`` and ``micromix ingest --dry-run`` print it).

Quickstart
----------
>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
>>> _ = p.write_text("username,followers\\nmia,12k\\nbo,-5\\n")
>>> ins = inspect_file("creators", p)
>>> ins.layout, ins.report.accepted, ins.report.quarantined
('canonical', 1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from micromix.ingest.pipeline import IngestReport, PreparedFile, dry_run_report, prepare_file

__all__ = ["SAMPLE_ROWS", "FileInspection", "inspect_file"]

#: mapped rows shown by inspect
SAMPLE_ROWS = 5


@dataclass(frozen=True)
class FileInspection:
    """What an ingest of a file would do (nothing written).

    Attributes
    ----------
    layout, title : str
        Detected (or given) layout and its human name.
    file_format, encoding : str
    sheet : str or None
        Worksheet read (``.xlsx``).
    preamble : list of str
        Lines above the header (report name, period, account).
    mapping : dict
        Contract field -> header it comes from (layouts that declare their headers).
    sample : DataFrame
        The first accepted rows as they would be stored.
    report : IngestReport
        Counts, quarantine reasons, cross-checks, currency and period (``dry_run=True``).
    """

    layout: str
    title: str
    file_format: str
    encoding: str
    sheet: str | None
    preamble: list[str]
    mapping: dict[str, str]
    sample: pd.DataFrame
    report: IngestReport
    columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``micromix inspect --json``)."""
        sample = self.sample.astype(object).where(self.sample.notna(), None)
        return {
            "layout": self.layout,
            "title": self.title,
            "file_format": self.file_format,
            "encoding": self.encoding,
            "sheet": self.sheet,
            "preamble": list(self.preamble),
            "columns": list(self.columns),
            "mapping": dict(self.mapping),
            "sample": [
                {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                for r in sample.to_dict(orient="records")
            ],
            "report": self.report.to_dict(),
        }


def inspect_file(kind: str, path: str | Path, **options: Any) -> FileInspection:
    """Read, map and validate ``path`` as ``kind`` without writing (see :func:`prepare_file`).

    A file whose money states no currency is shown anyway, with a note that an ingest of it
    needs ``--currency`` (its sample rows have no currency)."""
    prepared: PreparedFile = prepare_file(kind, path, need_currency=False, **options)
    res, raw, adapter = prepared.result, prepared.raw, prepared.adapter
    shown = [c for c in res.accepted.columns if res.accepted[c].notna().any()]
    return FileInspection(
        layout=adapter.lookup_name,
        title=adapter.title,
        file_format=raw.format,
        encoding=raw.encoding,
        sheet=raw.sheet,
        preamble=list(raw.preamble),
        mapping=dict(prepared.mapping or {}),
        sample=res.accepted[shown].head(SAMPLE_ROWS).reset_index(drop=True),
        report=dry_run_report(kind, prepared),
        columns=[str(c) for c in raw.frame.columns],
    )
