"""What one ingest did (:class:`IngestReport`) and the refusal of an overlapping export
(:class:`OverlapError`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from micromix.errors import DataValidationError

__all__ = [
    "IngestReport",
    "OverlapError",
    "Progress",
]

Progress = Callable[[str, float], None]


class OverlapError(DataValidationError):
    """The file overlaps an export already in the store (its rows would be counted twice).

    ``paths`` are the sources (paths) of the exports already ingested that the message names, so
    a delivery layer can show them by their file names only (the REST API names no server path).
    """

    def __init__(self, message: str, paths: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.paths = tuple(paths)


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did.

    Attributes
    ----------
    kind, table : str
        CLI kind (``ads``) and contract table (``ad_performance``).
    source : str
        Absolute path of the file (or the name given to :func:`ingest_frame`).
    layout, file_format : str
        Format adapter used and container format (``csv``, ``jsonl`` ...).
    rows_in_file, accepted, quarantined, erased : int
        ``accepted + quarantined + erased == rows_in_file`` (data rows; summary rows
        excluded); ``erased``: rows of people erased before (``micromix privacy erase``), left
        out of the store (neither stored nor quarantined).
    inserted, updated, unchanged : int
        What the accepted rows did to the store (new keys, changed rows, identical rows).
    quarantine_sample : tuple of dict
        The first quarantine records by line: ``row``, ``field``, ``reason``.
    top_reasons : tuple of dict
        Quarantine reasons grouped by field and kind of problem.
    summary_rows : int
        The export's own total rows, set aside (not data).
    checks : tuple of dict
        Cross-checks (``check``, ``status`` pass/review, ``message``): the sum of the rows
        against the export's total rows.
    encoding, currency, period, source_id : str or None
        How the file was read and what it reports.
    replaced, overlaps : tuple of str
        Exports whose rows this file replaced; overlapping exports kept alongside it.
    removed : int
        Rows of a previous version of the same export that the new version no longer has.
    replaced_rows : int
        Rows of the replaced exports (``replaced``) that were removed with them.
    dry_run : bool
        Nothing was written.
    notes : tuple of str
        What the user should know about the file (its numbers read with decimal commas, measure
        columns the layout does not read).
    unread_columns : tuple of str
        Header columns that look like stored measures and that the layout does not read.
    """

    kind: str
    table: str
    source: str
    layout: str
    file_format: str
    rows_in_file: int
    accepted: int
    quarantined: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantine_sample: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    top_reasons: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    summary_rows: int = 0
    checks: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    encoding: str | None = None
    currency: str | None = None
    period: tuple[str, str] | None = None
    source_id: str | None = None
    replaced: tuple[str, ...] = ()
    overlaps: tuple[str, ...] = ()
    removed: int = 0
    replaced_rows: int = 0
    dry_run: bool = False
    notes: tuple[str, ...] = ()
    unread_columns: tuple[str, ...] = ()
    erased: int = 0

    def __post_init__(self) -> None:
        if self.accepted + self.quarantined + self.erased != self.rows_in_file:  # pragma: no cover
            raise AssertionError(
                f"ingest of {self.source}: {self.accepted} accepted + {self.quarantined} "
                f"quarantined + {self.erased} erased != {self.rows_in_file} rows"
            )

    @property
    def ok(self) -> bool:
        """At least one row was accepted, or left out only as an erased person's (a file of
        people erased in advance is ingested as asked: with nothing kept)."""
        return self.accepted > 0 or self.erased > 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (what ``micromix ingest --json`` prints)."""
        return {
            "kind": self.kind,
            "table": self.table,
            "source": self.source,
            "layout": self.layout,
            "file_format": self.file_format,
            "encoding": self.encoding,
            "rows_in_file": self.rows_in_file,
            "accepted": self.accepted,
            "quarantined": self.quarantined,
            "erased": self.erased,
            "summary_rows": self.summary_rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "currency": self.currency,
            "period": list(self.period) if self.period else None,
            "source_id": self.source_id,
            "replaced": list(self.replaced),
            "replaced_rows": self.replaced_rows,
            "overlaps": list(self.overlaps),
            "checks": [dict(c) for c in self.checks],
            "dry_run": self.dry_run,
            "notes": list(self.notes),
            "unread_columns": list(self.unread_columns),
            "top_reasons": [dict(r) for r in self.top_reasons],
            "quarantine_sample": [dict(r) for r in self.quarantine_sample],
        }

    def __repr__(self) -> str:
        return (
            f"IngestReport({self.kind} from {Path(self.source).name!r} as {self.layout}: "
            f"{self.rows_in_file} rows, {self.accepted} accepted, {self.quarantined} quarantined; "
            f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged)"
        )
