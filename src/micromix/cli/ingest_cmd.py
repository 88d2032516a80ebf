"""``micromix ingest KIND FILE`` and ``micromix inspect KIND FILE``.

Quickstart
----------
::

    micromix ingest ads "Campaign report.csv"                 # Google Ads UI download
    micromix ingest ads meta_export.csv --dry-run              # what would happen, nothing written
    micromix inspect ads pinterest.csv --currency AUD          # layout, mapping, sample, quarantine
    micromix ingest traffic Events_Event_name.csv              # GA4 report -> traffic table
    micromix ingest ads may.csv --replace                      # supersede an overlapping export
    micromix ingest ads may.csv --db demo.duckdb --mix-with-demo  # into the demo store, on purpose

Exit code 0 when at least one row was accepted; non-zero, with one sentence saying why, when
the file is unreadable, fits no layout, overlaps an export already ingested, gives money without
a currency, or every row was quarantined, or when the store holds the simulated demo market and
no real data yet (``--mix-with-demo`` mixes them on purpose). An existing database is opened before the file is
read, so when another process holds it (another ingest, ``micromix serve``) the command says so
at once instead of after validating the whole file.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from micromix.cli._common import (
    BACKEND_HELP,
    console,
    date_order,
    emit_json,
    err_console,
    open_store,
    progress_bar,
    run_command,
    styled,
)
from micromix.config import get_settings
from micromix.errors import ConfigError, DataValidationError

if TYPE_CHECKING:  # the pipeline loads pandas and every adapter: imported when a command runs
    from micromix.ingest.pipeline import IngestReport

__all__ = [
    "PROGRESS_MIN_BYTES",
    "ingest_command",
    "inspect_command",
    "register",
    "render_report",
]

#: files at least this big show a progress bar
PROGRESS_MIN_BYTES = 5 * 1024 * 1024

#: the ingest kinds, spelled out so ``--help`` need not import :mod:`micromix.schema` (pandas);
#: ``tests/cli/test_cli_startup.py`` checks they are ``micromix.schema.KINDS``
KIND_NAMES: tuple[str, ...] = (
    "events",
    "ads",
    "posts",
    "creators",
    "audience",
    "experiments",
    "traffic",
)
_KIND_HELP = f"What the file holds: {', '.join(KIND_NAMES)}."
_FILE_HELP = "CSV, TSV, JSON Lines, JSON, Parquet or Excel .xlsx file."
_FORMAT_HELP = (
    "Input layout (default: detected from the header); see docs/ingest.md or "
    "'micromix inspect' for the list."
)


_STRATEGY_HELP = (
    "File every row under this strategy (search, paid_social, other ...) instead of the "
    "layout's mapping (ads and events files)."
)
_DECIMAL_COMMA_HELP = "Numbers like 1.234,56 and 12,5 (decimal comma), when the file cannot tell."
_DECIMAL_POINT_HELP = "Numbers like 1,234.56 and 12.5 (decimal point), when the file cannot tell."


def _decimal_comma(comma: bool, point: bool) -> bool | None:
    """``--decimal-comma`` / ``--decimal-point`` as the readers' ``decimal_comma`` (None: told
    by the file)."""
    if comma and point:
        raise ConfigError(
            "--decimal-comma and --decimal-point exclude each other; pass one of them"
        )
    return True if comma else False if point else None


def _options(
    encoding: str | None,
    sheet: str | None,
    currency: str | None,
    dayfirst: bool,
    monthfirst: bool,
    window: str | None,
    decimal: tuple[bool, bool] = (False, False),
    strategy: str | None = None,
) -> dict[str, Any]:
    from micromix.schema import TimeWindow

    opts: dict[str, Any] = {"encoding": encoding, "sheet": sheet, "currency": currency}
    opts["strategy"] = strategy
    opts["dayfirst"] = date_order(dayfirst, monthfirst)
    opts["decimal_comma"] = _decimal_comma(*decimal)
    if window:
        start, sep, end = window.partition("..")
        if not sep:
            raise ConfigError(f"--window {window!r} must look like 1970-01-01..2100-01-01")
        opts["window"] = TimeWindow.of(start, end)
    return opts


def ingest_command(
    kind: str = typer.Argument(..., help=_KIND_HELP),
    file: Path = typer.Argument(..., help=_FILE_HELP, show_default=False),
    format: str | None = typer.Option(None, "--format", "-f", help=_FORMAT_HELP),
    currency: str | None = typer.Option(
        None, "--currency", help="ISO 4217 code of the money columns when the file states none."
    ),
    dayfirst: bool = typer.Option(False, "--dayfirst", help="Dates like 03/04/2024 are day-first."),
    monthfirst: bool = typer.Option(
        False, "--monthfirst", help="Dates like 03/04/2024 are month-first."
    ),
    decimal_comma: bool = typer.Option(False, "--decimal-comma", help=_DECIMAL_COMMA_HELP),
    decimal_point: bool = typer.Option(False, "--decimal-point", help=_DECIMAL_POINT_HELP),
    strategy: str | None = typer.Option(None, "--strategy", help=_STRATEGY_HELP),
    encoding: str | None = typer.Option(
        None, "--encoding", help="Text encoding (default: detected; utf-8, utf-16, cp1252 ...)."
    ),
    sheet: str | None = typer.Option(None, "--sheet", help="Worksheet of an .xlsx file."),
    window: str | None = typer.Option(
        None, "--window", help="Accepted timestamps START..END (default 1970-01-01..2100-01-01)."
    ),
    replace: bool = typer.Option(
        False, "--replace", help="Replace an overlapping export already ingested with this file."
    ),
    keep_both: bool = typer.Option(
        False, "--keep-both", help="Keep an overlapping export alongside this one."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Read, map and validate; print what would happen; write nothing."
    ),
    mix_with_demo: bool = typer.Option(
        False,
        "--mix-with-demo",
        help="Ingest real data into a store holding the simulated demo market on purpose "
        "(refused otherwise; its report then says 'simulated + real (mixed)').",
    ),
    db: str | None = typer.Option(
        None, "--db", help="Database file (default: $MICROMIX_DB or ./micromix.duckdb)."
    ),
    backend: str | None = typer.Option(None, "--backend", help=BACKEND_HELP),
    json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a summary."),
) -> None:
    """Ingest FILE as KIND rows: good rows into the store, bad rows quarantined with their reason."""

    def body() -> None:
        from micromix.ingest.market import demo_mix_refusal
        from micromix.ingest.pipeline import dry_run_report, prepare_file, write_prepared
        from micromix.schema import schema_for
        from micromix.store import parse_backend

        schema_for(kind)  # unknown kind: one sentence listing the kinds
        if replace and keep_both:
            raise ConfigError("--replace and --keep-both exclude each other; pass one of them")
        decimal = (decimal_comma, decimal_point)
        opts = _options(encoding, sheet, currency, dayfirst, monthfirst, window, decimal, strategy)
        path = Path(file)
        settings = get_settings(db=db, backend=backend)
        big = path.is_file() and path.stat().st_size >= PROGRESS_MIN_BYTES
        with contextlib.ExitStack() as stack:
            store = None
            # an existing store is opened (and held) before any validation work, so a database
            # another process holds is reported at once; a new one is created only after the
            # file proved ingestible (a file that cannot be ingested creates no database)
            exists = (
                parse_backend(settings.backend).kind != "duckdb"
                or Path(settings.db).expanduser().exists()
            )
            if not dry_run and exists:
                store = stack.enter_context(open_store(settings.db, settings.backend))
                if not mix_with_demo:
                    _refuse_demo_mix(demo_mix_refusal(store, str(path)))
            with progress_bar(enabled=big) as update:
                prepared = prepare_file(kind, path, layout=format, progress=update, **opts)
                if dry_run:
                    report = dry_run_report(kind, prepared)
                else:
                    update("writing to the store", 0.8)
                    on_overlap = "replace" if replace else "keep" if keep_both else "refuse"
                    if store is None:
                        store = stack.enter_context(open_store(settings.db, settings.backend))
                    report = write_prepared(store, kind, prepared, on_overlap=on_overlap)
        if json:
            emit_json(report.to_dict())
        else:
            render_report(report)
        if not report.ok and not dry_run:
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
                f"quarantined{why}; the file is not recorded as ingested (it replaces and "
                "overlaps nothing): fix the file (or pass --format) and ingest it again"
            )

    run_command(body)


def _refuse_demo_mix(why: str | None) -> None:
    """The first real file into a store holding the simulated demo market is refused unless
    ``--mix-with-demo`` says to mix them (``why``: :func:`micromix.ingest.market.
    demo_mix_refusal`; the REST API's ``mix_with_demo=true`` is the same rule)."""
    if why is not None:
        raise ConfigError(
            f"{why}; ingest it into a database of its own (--db NEW.duckdb, created by the "
            "ingest), or pass --mix-with-demo to mix them on purpose (the report's banner then "
            "says 'simulated + real (mixed)')"
        )


def inspect_command(
    kind: str = typer.Argument(..., help=_KIND_HELP),
    file: Path = typer.Argument(..., help=_FILE_HELP, show_default=False),
    format: str | None = typer.Option(None, "--format", "-f", help=_FORMAT_HELP),
    currency: str | None = typer.Option(None, "--currency", help="ISO code if the file has none."),
    dayfirst: bool = typer.Option(False, "--dayfirst", help="Dates like 03/04/2024 are day-first."),
    monthfirst: bool = typer.Option(
        False, "--monthfirst", help="Dates like 03/04/2024 are month-first."
    ),
    decimal_comma: bool = typer.Option(False, "--decimal-comma", help=_DECIMAL_COMMA_HELP),
    decimal_point: bool = typer.Option(False, "--decimal-point", help=_DECIMAL_POINT_HELP),
    strategy: str | None = typer.Option(None, "--strategy", help=_STRATEGY_HELP),
    encoding: str | None = typer.Option(None, "--encoding", help="Text encoding."),
    sheet: str | None = typer.Option(None, "--sheet", help="Worksheet of an .xlsx file."),
    json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Show how FILE would be ingested as KIND (layout, mapping, sample rows); writes nothing."""

    def body() -> None:
        from micromix.ingest.inspect import inspect_file
        from micromix.schema import schema_for

        schema_for(kind)
        decimal = (decimal_comma, decimal_point)
        opts = _options(encoding, sheet, currency, dayfirst, monthfirst, None, decimal, strategy)
        ins = inspect_file(kind, file, layout=format, **opts)
        if json:
            emit_json(ins.to_dict())
            return
        console.print(
            styled(
                (str(file), "bold"),
                ": layout ",
                (ins.layout, "bold"),
                f" ({ins.title}), {ins.file_format}, encoding {ins.encoding}"
                + (f", sheet {ins.sheet!r}" if ins.sheet else ""),
            ),
            highlight=False,
            soft_wrap=True,
        )
        if ins.preamble:
            console.print("preamble: " + " | ".join(ins.preamble[:8]), highlight=False)
        if ins.mapping:
            m = Table(title="column mapping", title_justify="left")
            m.add_column("field")
            m.add_column("from column")
            for k, v in ins.mapping.items():
                m.add_row(k, v)
            console.print(m)
        if len(ins.sample):
            from micromix.cli._common import emit_frame

            emit_frame(ins.sample, title="sample of mapped rows")
        render_report(ins.report)

    run_command(body)


def render_report(report: IngestReport) -> None:
    """Print a Rich summary of an ingest (or a dry run)."""
    head = ("dry run, nothing written: ", "bold yellow") if report.dry_run else ""
    console.print(
        styled(
            head,
            (report.kind, "bold"),
            f" <- {report.source} (layout {report.layout}, {report.file_format}, "
            f"{report.encoding})",
        ),
        highlight=False,
        soft_wrap=True,
    )
    counts = Table(show_header=False)
    counts.add_column("what")
    counts.add_column("rows", justify="right")
    rows: list[tuple[str, int]] = [
        ("rows in file", report.rows_in_file),
        ("accepted", report.accepted),
        ("quarantined", report.quarantined),
    ]
    if report.erased:  # rows of people erased before: left out, so the counts add up
        rows.append(("left out (erased people)", report.erased))
    if report.summary_rows:
        rows.append(("total rows set aside", report.summary_rows))
    if not report.dry_run:
        rows += [
            ("inserted", report.inserted),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
        ]
        if report.removed:
            rows.append(("removed (no longer in the export)", report.removed))
    for label, value in rows:
        style = "red" if label == "quarantined" and value else ""
        counts.add_row(label, styled((f"{value:,}", style)))
    console.print(counts)
    facts = []
    if report.currency:
        facts.append(f"currency {report.currency}")
    if report.period:
        facts.append(f"period {report.period[0]}..{report.period[1]}")
    if facts:
        console.print(", ".join(facts), highlight=False)
    for c in report.checks:
        colour = "green" if c["status"] == "pass" else "yellow"
        console.print(
            styled((f"check {c['status']}:", colour), f" {c['message']}"), highlight=False
        )
    for note in report.notes:
        err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
    if report.replaced:
        paths = ", ".join(str(p) for p in report.replaced)
        console.print(
            styled(
                (
                    f"replaced the export(s) {paths}: their {report.replaced_rows:,} row(s) "
                    f"removed, this file's {report.accepted:,} in their place",
                    "yellow",
                ),
                " (what the earlier export had and this file lacks, e.g. other campaigns, is "
                "no longer in the store)",
            ),
            highlight=False,
        )
    for p in report.overlaps:
        console.print(
            styled((f"kept alongside the overlapping export {p}", "yellow")), highlight=False
        )
    if report.top_reasons:
        reasons = Table(title="top quarantine reasons", title_justify="left")
        for col in ("count", "field", "example reason", "lines"):
            reasons.add_column(col, overflow="fold")
        for r in report.top_reasons:
            more = "" if r["count"] <= len(r["rows"]) else ", ..."
            reasons.add_row(
                f"{r['count']:,}",
                _field_label(r),
                r["reason"],
                ", ".join(map(str, r["rows"])) + more,
            )
        console.print(reasons)
        rest = report.quarantined - sum(r["count"] for r in report.top_reasons)
        if rest:
            console.print(f"... and {rest:,} more quarantined rows with other reasons.")
        if not report.dry_run:
            console.print(
                f"Quarantined rows are kept in the 'quarantine' table (source {report.source}).",
                highlight=False,
                soft_wrap=True,
            )


def register(app: typer.Typer) -> None:
    """Attach ``ingest`` and ``inspect`` to ``app``."""
    app.command("ingest")(ingest_command)
    app.command("inspect")(inspect_command)


def _field_label(reason: dict) -> str:
    """The contract field, with the file's own header where it is named otherwise."""
    field, column = reason.get("field") or "", reason.get("column")
    if column and column != field:
        return f"{field} (column {column!r})" if field else f"column {column!r}"
    return field or "-"
