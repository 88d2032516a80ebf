"""Shared plumbing for CLI commands: error handling, JSON/CSV output, progress bars.

Every command body runs inside :func:`run_command`, which turns any
:class:`~micromix.errors.MicromixError` (and common OS errors) into one red sentence on stderr
and a non-zero exit code — never a traceback. Set ``MICROMIX_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from micromix.errors import MicromixError

__all__ = [
    "console",
    "emit_frame",
    "emit_json",
    "err_console",
    "progress_bar",
    "run_command",
    "to_jsonable",
    "write_csv",
]

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")


def _fail(message: str, code: int) -> None:
    # escape: messages carry brackets ("pip install 'micromix[serve]'") that Rich reads as markup
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
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


def to_jsonable(v: Any) -> Any:
    """Convert numpy / pandas scalars, NaN and timestamps into plain JSON values."""
    try:
        import numpy as np
        import pandas as pd
    except ImportError:  # pragma: no cover
        np = pd = None  # type: ignore[assignment]
    if v is None:
        return None
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_jsonable(x) for x in v]
    if np is not None and isinstance(v, np.generic):
        v = v.item()
    if pd is not None and v is pd.NaT:
        return None
    if isinstance(v, float):
        return None if (math.isnan(v) or math.isinf(v)) else v
    if pd is not None and isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if pd is not None:
        try:
            if pd.isna(v):
                return None
        except (TypeError, ValueError):
            pass
    if isinstance(v, (str, int, bool)):
        return v
    return str(v)


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (NaN -> null)."""
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2) + "\n")


def emit_frame(
    df, *, as_json: bool = False, as_csv: bool = False, title: str | None = None, max_rows: int = 60
) -> None:
    """Print a DataFrame as a JSON array of row objects, CSV, or a Rich table."""
    if as_json:
        emit_json(df.to_dict(orient="records"))
        return
    if as_csv:
        df.to_csv(sys.stdout, index=False)
        return
    shown = df.head(max_rows)
    cells = {c: [_fmt(v) for v in shown[c].tolist()] for c in df.columns}
    width = max(console.width, 60)
    keep: list = []
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
    console.print(table)
    notes = []
    if len(keep) < len(df.columns):
        notes.append(
            f"{len(df.columns) - len(keep)} more columns ({', '.join(map(str, df.columns[len(keep) :][:8]))}"
            f"{' ...' if len(df.columns) - len(keep) > 8 else ''})"
        )
    if len(df) > max_rows:
        notes.append(f"{len(df) - max_rows} more rows")
    if notes:
        console.print("; ".join(notes) + " - use --json or --csv for everything", highlight=False)


def _fmt(v: Any) -> str:
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


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, float], None]]:
    """A Rich progress bar on stderr; yields ``update(step_name, fraction_done)``."""
    if not enabled or (not err_console.is_terminal and os.environ.get("MICROMIX_PROGRESS") == "0"):
        yield lambda step, frac: None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as prog:
        task = prog.add_task("starting", total=1.0)

        def update(step: str, frac: float) -> None:
            prog.update(task, description=step, completed=max(0.0, min(1.0, frac)))

        yield update
        prog.update(task, completed=1.0)


def write_csv(df: Any, output: Path | None, *, announce: bool = True) -> None:
    """Write ``df`` as CSV to ``output`` (or stdout), saying where when ``announce``."""
    if output is None:
        try:
            df.to_csv(sys.stdout, index=False)
        except BrokenPipeError:  # e.g. piped into `head`
            sys.stderr.close()
        return
    p = out_path(output)
    assert p is not None
    df.to_csv(p, index=False)
    if announce:
        err_console.print(f"wrote {len(df):,} rows to {p}")


def out_path(path: str | Path | None) -> Path | None:
    """Validate an output path: its folder must exist or be creatable."""
    if path is None:
        return None
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p
