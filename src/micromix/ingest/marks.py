"""How a file writes its numbers and days: its decimal mark (comma or point) decided per file,
and the refusal of a file whose days contradict the stated day order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from micromix.errors import DataValidationError
from micromix.ingest.files import RawTable
from micromix.ingest.formats import (
    FormatAdapter,
)
from micromix.ingest.quarantine import _mapping_of
from micromix.schema import (
    EntitySchema,
)
from micromix.schema.values import (
    day_order_conflict,
    day_order_problem,
    decimal_marks,
    with_decimal_points,
)

#: how messages name each way of writing a number's decimals
_MARKS = {"comma": "a decimal comma", "point": "a decimal point"}


def _read_decimal_marks(
    schema: EntitySchema,
    adapter: FormatAdapter,
    raw: RawTable,
    canon: pd.DataFrame,
    flag: bool | None,
    source: str,
) -> tuple[str, ...]:
    """Read the file's numbers in one way of writing decimals (in place: numbers written with a
    decimal comma are rewritten with a decimal point, for the contract to read, as
    :class:`~micromix.schema.values.Rewritten` texts that a problem quotes as written); return the
    note saying the file was read with decimal commas (none when it was not).

    The way is the user's (``flag``: True for --decimal-comma, False for --decimal-point), else
    the one the file's number cells show ("12,5" or "1.234,56": commas; "1,234.5": points). A
    file whose cells show both has each such cell read the one way it reads ("1.234,50" beside
    "99.10"), but is refused when it also has a cell that reads both ways ("1.234": which way
    the file means cannot be told); a cell against the stated way is refused too, and so is a
    file in another interface language whose cells only read both ways. An English (or
    unknown-language) file is read with decimal commas on consistent evidence only (see
    :func:`_commas_consistent`): one stray "1,5" beside thousands like "1,234" refuses it.
    Each refusal names the file, line and column (never a guessed number). An English export
    that shows no decimal comma reads as before.
    """
    fields = [
        f.name for f in schema.fields if f.dtype in ("int", "float") and f.name in canon.columns
    ]
    if not fields:
        return ()
    named = _mapping_of(adapter, raw)
    marks = pd.DataFrame({name: decimal_marks(canon[name]) for name in fields})

    def where(name: str, i: int) -> str:
        return f"line {raw.rows[i]}, field {named.get(name, name)!r}"

    def first(mark: str) -> tuple[int, str] | None:
        """The first cell (row, field) in file order showing ``mark``."""
        hit = (marks == mark).to_numpy()
        if not hit.any():
            return None
        i = int(np.flatnonzero(hit.any(axis=1))[0])
        return i, fields[int(np.flatnonzero(hit[i])[0])]

    def cell(at: tuple[int, str]) -> str:
        i, name = at
        return f"{where(name, i)}: {canon[name].iat[i]!r}"

    order = flag
    comma = first("comma")
    if order is None:
        point, either = first("point"), first("either")
        if comma is not None and point is not None:
            if either is None:
                # "1.234,50" beside "99.10": each number reads one way only, and is read so
                for name in fields:
                    own = (marks[name] == "comma").to_numpy()
                    canon[name] = with_decimal_points(canon[name], own)
                return (
                    f"read with decimal commas where a number is written so ({cell(comma)}) "
                    f"and with decimal points elsewhere ({cell(point)})",
                )
            (i, a), (j, b) = sorted([comma, point])
            k, c = either
            raise DataValidationError(
                f"{source}: {where(c, k)}: {canon[c].iat[k]!r} may be a number with a thousands "
                "separator or with a decimal mark, and the file writes numbers both ways "
                f"({where(a, i)}: {canon[a].iat[i]!r} with {_MARKS[marks[a].iat[i]]}, "
                f"{where(b, j)}: {canon[b].iat[j]!r} with {_MARKS[marks[b].iat[j]]}), so it "
                "cannot be read for sure; export the report again with one number format"
            )
        if comma is None and point is None:
            if either is not None and adapter.language is not None:
                i, name = either
                raise DataValidationError(
                    f"{source}: {where(name, i)}: {canon[name].iat[i]!r} may be a number with a "
                    "thousands separator or with a decimal mark, and no other number of this "
                    f"{adapter.title} (in its {adapter.language!r} interface) tells which; ingest "
                    "it with --decimal-comma (1.234,56) or --decimal-point (1,234.56)"
                )
            return ()
        if (
            comma is not None
            and either is not None
            and adapter.language in (None, "en")
            and not _commas_consistent(marks)
        ):
            raise DataValidationError(
                f"{source}: {cell(comma)} is written with a decimal comma, but {cell(either)} may "
                "be a number with a thousands separator or with a decimal mark, and too few other "
                "numbers of the file are written with a decimal comma to tell which; ingest it "
                "with --decimal-comma (1.234,56) or --decimal-point (1,234.56)"
            )
        order = comma is not None
    against = first("point" if order else "comma")
    if against is not None:  # only with a stated way: a file's own cells never contradict it
        i, name = against
        flag_name = "--decimal-comma" if order else "--decimal-point"
        raise DataValidationError(
            f"{source}: {where(name, i)}: {canon[name].iat[i]!r} is written with "
            f"{_MARKS[marks[name].iat[i]]}, against {flag_name}; check the number format the "
            "report was exported in and pass the other option"
        )
    if not order:
        return ()
    for name in fields:
        canon[name] = with_decimal_points(canon[name])
    if flag or comma is None:
        return ("read with decimal commas, as --decimal-comma states",)
    return (
        f"read with decimal commas, as {cell(comma)} shows; pass --decimal-point to read the "
        "numbers otherwise",
    )


def _commas_consistent(marks: pd.DataFrame) -> bool:
    """Whether the decimal commas of a file's number cells (``marks``: :func:`decimal_marks` of
    each number column) are evidence enough to read its cells that read both ways ("1,234")
    with a decimal comma in an English file: decimal commas in more than one column, or in more
    cells than those that read both ways."""
    comma = (marks == "comma").to_numpy()
    either = int((marks == "either").to_numpy().sum())
    return int(comma.any(axis=0).sum()) > 1 or int(comma.sum()) > either


def _refuse_day_order(
    schema: EntitySchema,
    adapter: FormatAdapter,
    raw: RawTable,
    data: pd.DataFrame,
    lines: np.ndarray,
    order: bool,
    flag: bool | None,
    source: str,
) -> None:
    """Refuse the file when a day reads only against the stated order (``flag``, the user's
    --dayfirst/--monthfirst, else the layout's documented one): the file's other days were read
    in that order too and are as doubtful, so no row of it is taken (never a guessed day)."""
    fields = [f.name for f in schema.fields if f.dtype in ("date", "timestamp")]
    named = _mapping_of(adapter, raw)
    for name in (n for n in fields if n in data.columns):
        i = day_order_conflict(data[name], order)
        if i is None:
            continue
        by = None if flag is not None else f"the {adapter.title} layout"
        raise DataValidationError(
            f"{source}: line {lines[i]}, field {named.get(name, name)!r}: "
            f"{day_order_problem(data[name].iat[i], order, stated_by=by)}"
        )
