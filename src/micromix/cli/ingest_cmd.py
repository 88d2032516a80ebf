"""``micromix ingest KIND FILE``: load a file into the store, quarantining bad rows.

Quickstart
----------
::

    micromix ingest ads ../shared/data/ads/KAG_conversion_data.csv
    micromix ingest events ga4_export.jsonl --format ga4_bigquery --json
    micromix ingest creators influencers.txt --db brand.duckdb

Exit code 0 when at least one row was accepted; non-zero, with one sentence saying why, when
the file is unreadable, fits no layout, or every row was quarantined.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from micromix.cli._common import console, emit_json, progress_bar, run_command
from micromix.config import get_settings
from micromix.errors import DataValidationError
from micromix.ingest.pipeline import IngestReport, prepare_file, write_prepared
from micromix.schema import KINDS

__all__ = ["PROGRESS_MIN_BYTES", "ingest_command", "register", "render_report"]

#: files at least this big show a progress bar
PROGRESS_MIN_BYTES = 5 * 1024 * 1024


def ingest_command(
    kind: str = typer.Argument(..., help=f"What the file holds: {', '.join(KINDS)}."),
    file: Path = typer.Argument(
        ..., help="CSV, TSV, JSONL, JSON or Parquet file.", show_default=False
    ),
    format: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="Input layout: canonical, meta_ads, kaggle_fb_ads, ga4_bigquery, instagram_posts, "
        "creator_list (default: detected from the header).",
    ),
    db: str | None = typer.Option(
        None, "--db", help="Database file (default: $MICROMIX_DB or ./micromix.duckdb)."
    ),
    json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a summary."),
) -> None:
    """Ingest FILE as KIND rows: good rows into the store, bad rows quarantined with their reason."""

    def body() -> None:
        from micromix.schema import schema_for
        from micromix.store import Store

        schema_for(kind)  # unknown kind: one sentence listing the kinds
        path = Path(file)
        # read, map and validate first: a file that cannot be ingested creates no database
        big = path.is_file() and path.stat().st_size >= PROGRESS_MIN_BYTES
        with progress_bar(enabled=big) as update:
            prepared = prepare_file(kind, path, layout=format, progress=update)
            update("writing to the store", 0.8)
            with Store.open(get_settings(db=db).db) as store:
                report = write_prepared(store, kind, prepared)
        if json:
            emit_json(report.to_dict())
        else:
            render_report(report)
        if not report.ok:
            first = report.quarantine_sample[0] if report.quarantine_sample else None
            why = (
                f"; first problem: line {first['row']}"
                + (f", field {first['field']!r}" if first["field"] else "")
                + f": {first['reason']}"
                if first
                else ""
            )
            raise DataValidationError(
                f"{path}: none of the {report.rows_in_file} rows could be ingested, all are "
                f"quarantined{why}; fix the file (or pass --format) and ingest it again"
            )

    run_command(body)


def render_report(report: IngestReport) -> None:
    """Print a Rich summary of an ingest."""
    console.print(
        f"[bold]{report.kind}[/] <- {report.source} (layout {report.layout}, {report.file_format})",
        highlight=False,
        soft_wrap=True,
    )
    counts = Table(show_header=False)
    counts.add_column("what")
    counts.add_column("rows", justify="right")
    for label, value in (
        ("rows in file", report.rows_in_file),
        ("accepted", report.accepted),
        ("quarantined", report.quarantined),
        ("inserted", report.inserted),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
    ):
        style = "red" if label == "quarantined" and value else ""
        counts.add_row(label, f"[{style}]{value:,}[/]" if style else f"{value:,}")
    console.print(counts)
    if report.top_reasons:
        reasons = Table(title="top quarantine reasons", title_justify="left")
        for col in ("count", "field", "example reason", "lines"):
            reasons.add_column(col, overflow="fold")
        for r in report.top_reasons:
            more = "" if r["count"] <= len(r["rows"]) else ", ..."
            reasons.add_row(
                f"{r['count']:,}",
                r["field"] or "-",
                r["reason"],
                ", ".join(map(str, r["rows"])) + more,
            )
        console.print(reasons)
        rest = report.quarantined - sum(r["count"] for r in report.top_reasons)
        if rest:
            console.print(f"... and {rest:,} more quarantined rows with other reasons.")
        console.print(
            f"Quarantined rows are kept in the 'quarantine' table (source {report.source}).",
            highlight=False,
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    """Attach ``ingest`` to ``app``."""
    app.command("ingest")(ingest_command)
