"""Shared plumbing for CLI commands: error handling, JSON/CSV output, progress bars.

Every command body runs inside :func:`run_command`, which turns any
:class:`~micromix.errors.MicromixError` (and common OS errors) into one red sentence on stderr
and a non-zero exit code — never a traceback. Set ``MICROMIX_DEBUG=1`` to see tracebacks.

CSV output (``--csv`` and every ``--output *.csv``) goes through :func:`write_csv`, which escapes
cells a spreadsheet would run as a formula (OWASP's CSV-injection rule: a text cell starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, except numbers
and plain ``@handles``); the stored data keeps the raw value. JSON output uses the project's one encoder (:mod:`micromix.jsonutil`).

Rich is imported when something is first printed, not when a command module is imported, so
``micromix --help`` starts quickly.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import typer

from micromix.errors import ConfigError, MicromixError
from micromix.jsonutil import dumps, to_jsonable

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from micromix.checks import CheckResult
    from micromix.store import Store

#: help of every ``--db`` option
DB_HELP = (
    "DuckDB file or Parquet folder (default: $MICROMIX_DB or ./micromix.duckdb); with a "
    "warehouse --backend, ignored."
)
#: help of every ``--backend`` option (each command with --db has one)
BACKEND_HELP = (
    "Engine: duckdb (default, $MICROMIX_BACKEND), pyspark, spark://host:7077, "
    "bigquery://project/dataset ..."
)

__all__ = [
    "BACKEND_HELP",
    "DB_HELP",
    "FORMULA_PREFIXES",
    "console",
    "emit_frame",
    "emit_json",
    "err_console",
    "escape_formulas",
    "note_empty_texts",
    "open_store",
    "out_path",
    "print_checks",
    "progress_bar",
    "read_input",
    "run_command",
    "to_jsonable",
    "write_csv",
]


#: first characters that make a spreadsheet read a text cell as a formula (OWASP)
def brand_option() -> Any:
    """``--brand``: the brand whose customers' posts to amplify (plan and report)."""
    return typer.Option(
        None,
        "--brand",
        help="The brand's account handle, for the user content to amplify (never guessed "
        "from mentions on real data).",
    )


def niche_option() -> Any:
    """``--niche``: the creator brief's niche (plan and report)."""
    return typer.Option(
        None, "--niche", help="Niche of the creator brief (default: the creators' most common)."
    )


def creator_budget_option() -> Any:
    """``--creator-budget``: the creator brief's budget in US$ (plan and report)."""
    return typer.Option(
        None,
        "--creator-budget",
        help="Budget of the creator brief, US$ (default: the influencer spend, else 5,000).",
    )


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
#: a social handle (``@pup_pal``): no operator or parenthesis, so nothing a spreadsheet can run
_HANDLE = re.compile(r"^@[A-Za-z0-9_.]+$")

T = TypeVar("T")
_CONSOLES: dict[tuple[str, str | None], Console] = {}


def _console(name: str) -> Console:
    # Rich fixes a console's width from COLUMNS when it is made: one per COLUMNS value, so a
    # caller that sets COLUMNS later (a test runner, an embedding program) is obeyed
    key = (name, os.environ.get("COLUMNS"))
    if key not in _CONSOLES:
        from rich.console import Console

        # no markup: printed text carries the user's own words (a campaign "[Brand] Search", a
        # value "[/promo]"), which Rich would read as style tags, drop or fail on; styled
        # output is built with :func:`styled`
        _CONSOLES[key] = Console(stderr=name == "err_console", markup=False)
    return _CONSOLES[key]


def styled(*parts: str | tuple[str, str]) -> Any:
    """Rich text from plain strings and ``(text, style)`` pairs, never read as markup.

    >>> styled(("error:", "bold red"), " [/promo] not read").plain
    'error: [/promo] not read'
    """
    from rich.text import Text

    return Text.assemble(*parts)


class _LazyConsole:
    """A Rich console made on first use (importing Rich costs start-up time)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(_console(self._name), attr)


#: Rich console on stdout, and on stderr (both created on first use)
console = cast("Console", _LazyConsole("console"))
err_console = cast("Console", _LazyConsole("err_console"))


def _fail(message: str, code: int) -> None:
    _console("err_console").print(
        styled(("error:", "bold red"), f" {message}"), highlight=False, soft_wrap=True
    )
    raise typer.Exit(code)


def run_command(fn: Callable[[], T]) -> T:
    """Run ``fn`` and convert expected failures into a one-line error and exit code."""
    if os.environ.get("MICROMIX_DEBUG"):
        return fn()
    try:
        return fn()
    except typer.Exit:
        raise
    except MicromixError as exc:
        _fail(str(exc), getattr(exc, "exit_code", 1))
    except FileNotFoundError as exc:
        _fail(f"{exc.filename}: file not found; check the path and try again", 2)
    except PermissionError as exc:
        _fail(f"{exc.filename}: permission denied; choose a path you can read/write", 2)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except MemoryError:
        _fail("ran out of memory; try a smaller input or --users/--days", 1)
    except Exception as exc:  # last resort: still one sentence, with the way to get details
        _fail(
            f"unexpected {type(exc).__name__}: {exc}. This is a bug in micromix; rerun with "
            "MICROMIX_DEBUG=1 for details and report it",
            1,
        )
    raise AssertionError("unreachable")  # pragma: no cover


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (NaN -> null)."""
    sys.stdout.write(dumps(obj, indent=2) + "\n")


def _escape_cell(v: Any) -> Any:
    if (
        isinstance(v, str)
        and v.startswith(FORMULA_PREFIXES)
        and not _NUMBER.match(v)
        and not _HANDLE.match(v)
    ):
        return "'" + v
    return v


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot run as spreadsheet formulas (OWASP rule).

    Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a
    leading ``'``; numbers (and text that is just a number, like ``-1.5``) and plain social
    handles (``@pup_pal``: letters, digits, ``_`` and ``.``) are left alone, since no
    spreadsheet can run them. Column names are escaped the same way.

    >>> import pandas as pd
    >>> cells = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "-1.5", "@pup_pal", "ok"]
    >>> escape_formulas(pd.DataFrame({"a": cells}))["a"].tolist()
    ["'=cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0", '-1.5', '@pup_pal', 'ok']
    """
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object or str(col.dtype) in ("string", "str", "category"):
            out[c] = col.astype(object).map(_escape_cell)
    out.columns = [_escape_cell(str(c)) for c in out.columns]
    return out


def emit_frame(
    df: pd.DataFrame,
    *,
    as_json: bool = False,
    as_csv: bool = False,
    title: str | None = None,
    max_rows: int = 60,
) -> None:
    """Print a DataFrame as a JSON array of row objects, CSV, or a Rich table."""
    if as_json:
        emit_json(df)
        return
    if as_csv:
        write_csv(df, None)
        return
    from rich.table import Table

    out = _console("console")
    shown = df.head(max_rows)
    cells = {c: [_fmt(v) for v in shown[c].tolist()] for c in df.columns}
    width = max(out.width, 60)
    keep: list[Any] = []
    used = 1  # rich: one border per column plus two spaces of padding
    for c in df.columns:
        w = max([len(str(c)), *(len(x) for x in cells[c])]) + 3
        if keep and used + w > width:
            break
        keep.append(c)
        used += w
    table = Table(title=title, show_lines=False)
    for c in keep:
        table.add_column(str(c), no_wrap=True)
    for i in range(len(shown)):
        table.add_row(*(cells[c][i] for c in keep))
    out.print(table)
    notes = []
    if len(keep) < len(df.columns):
        rest = [str(c) for c in df.columns[len(keep) :]]
        notes.append(
            f"{len(rest)} more columns ({', '.join(rest[:8])}{' ...' if len(rest) > 8 else ''})"
        )
    if len(df) > max_rows:
        notes.append(f"{len(df) - max_rows} more rows")
    if notes:
        have = _command_options()
        flags = [f for f in ("--json", "--csv", "--output") if f in have]
        how = f" - use {' or '.join(flags)} for everything" if flags else ""
        if len(keep) < len(df.columns):
            how += f"{',' if how else ' -'} or a wider terminal (COLUMNS=200) for more columns"
        out.print("; ".join(notes) + how, highlight=False)


def _command_options() -> set[str]:
    """The options of the command running now (a hint names only options it has)."""
    import importlib

    # newer typer runs commands on its own copy of click (typer._click), older on click
    for name in ("typer._click.globals", "click.globals"):
        try:
            ctx = importlib.import_module(name).get_current_context(silent=True)
        except (ImportError, AttributeError):
            continue
        if ctx is not None:
            return {o for p in ctx.command.params for o in getattr(p, "opts", ())}
    return {"--json", "--csv"}  # called outside a command


def _fmt(v: Any) -> str:
    # NaT is a datetime equal to nothing, itself included
    if isinstance(v, datetime) and v == v and v.tzinfo is None and v.time() == time(0):
        return v.date().isoformat()  # a day (a period of a grain) prints as a date
    v = to_jsonable(v)
    if v is None:
        return "-"
    if isinstance(v, float):
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.4g}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def print_checks(checks: Iterable[CheckResult], *, quiet_pass: bool = False) -> None:
    """One coloured line per check on stderr (``quiet_pass`` leaves out passed checks)."""

    colours = {"pass": "green", "review": "yellow", "fail": "red"}
    for c in checks:
        status = c.status.value
        if quiet_pass and status == "pass":
            continue
        tail = f" -> {c.recommendation}" if c.recommendation and status != "pass" else ""
        _console("err_console").print(
            styled((f"{status.upper():6}", colours[status]), f" {c.name}: {c.message}{tail}"),
            highlight=False,
            soft_wrap=True,
        )


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, float], None]]:
    """A Rich progress bar on stderr; yields ``update(step_name, fraction_done)``."""
    err = _console("err_console")
    if not enabled or (not err.is_terminal and os.environ.get("MICROMIX_PROGRESS") == "0"):
        yield lambda step, frac: None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as prog:
        task = prog.add_task("starting", total=1.0)

        def update(step: str, frac: float) -> None:
            prog.update(task, description=step, completed=max(0.0, min(1.0, frac)))

        try:
            yield update
        except BaseException:
            # a failed command's error stands alone: the bar is taken down, not left above it
            prog.live.transient = True
            raise
        prog.update(task, completed=1.0)


def write_csv(df: pd.DataFrame, output: Path | None, *, announce: bool = True) -> None:
    """Write ``df`` as CSV to ``output`` (or stdout), formula cells escaped (see the module).

    Every cell holding a line break (``\\n``, ``\\r`` or both), the delimiter or a quote is
    quoted, so the file reads back into the same cells: Python's CSV writer quotes a lone
    ``\\r`` only when the line terminator holds one, and the rows end in ``\\n``, so such cells
    are written through a marker that the writer must quote (see :class:`_CarriageReturns`).
    Says where it wrote on stderr when ``announce``.
    """
    safe = escape_formulas(df)
    marks = _CarriageReturns(safe)
    safe = marks.frame
    if output is None:
        try:
            safe.to_csv(marks.sink(sys.stdout), index=False)
        except BrokenPipeError:  # e.g. piped into `head`
            sys.stderr.close()
        return
    p = out_path(output)
    assert p is not None
    with open(p, "w", encoding="utf-8", newline="") as fh:
        safe.to_csv(marks.sink(fh), index=False, lineterminator="\n")
    if announce:
        _console("err_console").print(f"wrote {len(df):,} rows to {p}")


class _CarriageReturns:
    """Write text cells holding a lone ``\\r`` quoted, as every other line break.

    Each ``\\r`` of a text cell (or column name) becomes a marker made of ``\\n`` and a
    character the table does not hold, which the CSV writer quotes like any cell with a line
    break; :meth:`sink` turns the marker back into ``\\r`` as each row is written (the writer
    writes a whole row at a time, so a marker is never split).
    """

    def __init__(self, df: pd.DataFrame) -> None:
        self.marker = ""
        texts = [c for c in df.columns if str(df[c].dtype) in ("object", "string", "str")]
        cells = [str(c) for c in df.columns]
        has_cr = [c for c in texts if df[c].map(lambda v: isinstance(v, str) and "\r" in v).any()]
        if not has_cr and not any("\r" in c for c in cells):
            self.frame = df
            return
        held = set().union(*(set(v) for c in has_cr for v in df[c] if isinstance(v, str)))
        held |= set("".join(cells))
        spare = next(chr(u) for u in range(0xE000, 0xF900) if chr(u) not in held)
        self.marker = "\n" + spare
        out = df.copy()
        for c in has_cr:
            out[c] = out[c].map(lambda v: v.replace("\r", self.marker) if isinstance(v, str) else v)
        out.columns = [c.replace("\r", self.marker) for c in cells]
        self.frame = out

    def sink(self, fh: Any) -> Any:
        """``fh``, or a writer to it that turns the marker back into ``\\r``."""
        if not self.marker:
            return fh
        return _Unmarking(fh, self.marker)


class _Unmarking(io.TextIOBase):
    """A text stream writing to ``fh`` with each ``marker`` turned back into ``\\r``."""

    def __init__(self, fh: Any, marker: str) -> None:
        self.fh, self.marker = fh, marker

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.fh.write(text.replace(self.marker, "\r"))
        return len(text)


def open_store(db: str | None, backend: str | None = None, *, read_only: bool = False) -> Store:
    """The store ``--db`` / ``--backend`` name (settings and environment fill the gaps)."""
    from micromix.config import get_settings
    from micromix.store import Store

    settings = get_settings(db=db, backend=backend)
    return Store.open(settings.db, backend=settings.backend, read_only=read_only)


def out_path(path: str | Path | None) -> Path | None:
    """Validate an output path: its folder must exist or be creatable."""
    if path is None:
        return None
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def date_order(dayfirst: bool, monthfirst: bool) -> bool | None:
    """``--dayfirst`` / ``--monthfirst`` as the readers' ``dayfirst`` (None: detect)."""
    if dayfirst and monthfirst:
        raise ConfigError("--dayfirst and --monthfirst exclude each other; pass one of them")
    return True if dayfirst else False if monthfirst else None


def note_empty_texts(empty: Any, field: str, has_no: str, left_empty: str) -> None:
    """Say on stderr how many rows have an empty text in ``field`` (a mask, one per row) and
    that they are kept without ``has_no`` (``left_empty`` names the output cells)."""
    n = int(empty.sum())
    if n:
        err_console.print(
            f"note: {n:,} of {len(empty):,} rows have an empty {field!r} (first: row "
            f"{int(empty.argmax()) + 1}); an empty text has no {has_no}, so those rows are kept "
            f"with {left_empty} left empty",
            highlight=False,
            soft_wrap=True,
        )


def read_input(path: Any, **options: Any) -> Any:
    """A user's data file as a DataFrame (:func:`micromix.ingest.files.read_table`, with its
    ``options``), with what the reader had to say about it (stray bytes read as
    Windows-1252 ...) on stderr."""
    from micromix.ingest.files import read_table

    df = read_table(path, **options)
    for line in df.attrs.get("notes", []):
        err_console.print(f"note: {line}", highlight=False, soft_wrap=True)
    return df


# ------------------------------------------------------------------ purchase files (clv, RFM)
#: options of the commands that read a purchase log (``clv fit``, ``audience segment`` RFM)
QUANTITY_COL_OPTION: Any = typer.Option(
    None,
    "--quantity-col",
    help="Line items: quantity column; a row's value is the value column x quantity.",
)
ORDER_COL_OPTION: Any = typer.Option(
    None,
    "--order-col",
    help="Line items (Shopify's Name): rows sharing this order id are one purchase, its "
    "value the sum of the order's filled value cells.",
)
ORDER_VALUE_OPTION: Any = typer.Option(
    None,
    "--order-value",
    help="With --order-col: 'sum' adds the order's value cells (line prices), 'total' takes "
    "the order's total once (a total repeated on every line row). Default sum; a file that "
    "looks like repeated totals is refused until you choose.",
)
SKIP_MISSING_IDS_OPTION: Any = typer.Option(
    False,
    "--skip-missing-ids",
    help="Leave out rows with no customer id (guest checkouts; with --order-col orders with "
    "none in any row), counted, instead of refusing.",
)
SKIP_RETURNS_OPTION: Any = typer.Option(
    False,
    "--skip-returns",
    help="Leave out rows of negative value or quantity (returns), counted, instead of "
    "refusing; the purchases they return stay.",
)


def print_purchase_notes(
    source: object, left_out: dict[str, Any], orders: dict[str, int] | None, order_col: str | None
) -> None:
    """What reading a purchase log did: line rows read as orders, rows left out (stderr)."""
    from micromix.schema.purchases import left_out_text

    if orders:
        err_console.print(
            f"note: {source}: read {orders['line_rows']:,} line row(s) as "
            f"{orders['orders']:,} order(s) (--order-col {order_col})",
            highlight=False,
            soft_wrap=True,
        )
    if left_out.get("no_customer_id") or left_out.get("returns"):
        err_console.print(
            f"note: {source}: left out {left_out_text(left_out)}", highlight=False, soft_wrap=True
        )
