"""Currency conversion for KPIs, with exchange rates the user supplies (never fetched, never guessed).

A rates file is a small table in one of two shapes (header names are case-insensitive), read as
``micromix ingest`` reads any file: a CSV with commas or semicolons, in UTF-8 or UTF-16, a TSV,
an Excel sheet; rates written with decimal commas (``1,08``) are read so:

``currency,rate_to,rate``
    One constant rate per currency: ``GBP,USD,1.27`` means 1 GBP is worth 1.27 USD.
``date,currency,rate`` (optionally with ``rate_to``)
    Dated rates: a rate applies from its ``date`` (a day: ``YYYY-MM-DD`` is safest; a slash
    date that could be day-first or month-first is refused) until the next listed
    date of the same currency, so monthly or daily rates both work. Money dated before the first
    rate of its currency is refused.

Every rate converts *to one target currency*: the ``rate_to`` column (one value for the whole
file) or the ``to`` argument. Money already in the target currency needs no row. A conversion
that needs a rate the file does not have is refused with one sentence naming the pair (and the
date), never filled in.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.metrics.fx import FxRates
>>> fx = FxRates(pd.DataFrame({"currency": ["GBP"], "rate": [1.25]}), to="USD")
>>> fx.factors(pd.Series(["GBP", "USD"])).tolist()
[1.25, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from micromix.errors import ConfigError, DataValidationError, InputFileError
from micromix.schema.values import (
    CURRENCY_HINT,
    blank_cells,
    currency_code,
    currency_codes,
    decimal_marks,
    read_numbers,
    read_timestamps,
    with_decimal_points,
)

__all__ = ["FxRates", "normalise_currency"]

_COLUMNS = ("date", "currency", "rate_to", "rate")


def normalise_currency(code: str, *, what: str = "currency") -> str:
    """An ISO 4217 code in upper case, or :class:`ConfigError` naming ``what``
    (:func:`micromix.schema.values.currency_code`)."""
    return currency_code(code, what=what)


class FxRates:
    """Exchange rates to one target currency.

    Parameters
    ----------
    rates : DataFrame
        Columns ``currency``, ``rate`` and, for dated rates, ``date``: 1 ``currency`` is worth
        ``rate`` units of ``to`` (from ``date`` on).
    to : str
        Target currency (ISO 4217).
    source : str
        Where the rates come from, for messages (the file name).
    """

    def __init__(self, rates: pd.DataFrame, *, to: str, source: str = "the rates") -> None:
        self.to = normalise_currency(to, what="target currency")
        self.source = source
        r = rates.copy()
        r["currency"] = r["currency"].astype(str).str.strip().str.upper()
        r["rate"] = r["rate"].astype(float)
        self.dated = "date" in r.columns
        if self.dated:
            r["date"] = pd.to_datetime(r["date"]).astype("datetime64[s]")
            r = r.sort_values(["currency", "date"], kind="stable")
        self.rates = r.reset_index(drop=True)

    def __repr__(self) -> str:
        kind = "dated" if self.dated else "constant"
        return f"FxRates({len(self.rates)} {kind} rates to {self.to} from {self.source})"

    # ------------------------------------------------------------------ reading
    @classmethod
    def read_csv(cls, path: str | Path, *, to: str | None = None) -> FxRates:
        """Read and validate a rates file (see the module docstring for its two shapes).

        The file is read as ``micromix ingest`` reads any file
        (:func:`micromix.ingest.files.read_raw`: its encoding, UTF-16 included, and its
        delimiter, ``;`` included, are detected), then checked by :meth:`from_frame`.

        Raises
        ------
        InputFileError
            The file is missing or unreadable.
        DataValidationError
            A row has a bad value (the message names the file, row and field).
        """
        from micromix.ingest.files import read_raw

        p = Path(path)
        name = p.name
        if not p.is_file():
            raise InputFileError(f"{p}: rates file not found; check the --fx path")
        try:
            empty = not p.read_bytes().strip()
        except OSError as exc:
            raise InputFileError(
                f"{p}: cannot read the rates file ({exc.__class__.__name__}); check the --fx path"
            ) from None
        if empty:
            raise DataValidationError(f"{name}: the rates file is empty; {_SHAPES}")
        raw = read_raw(p)
        if raw.broken:
            line, _, why = raw.broken[0]
            why = why.removeprefix("wrong number of fields: ")
            raise DataValidationError(f"{name}, row {line}: {why}; fix the row")
        if raw.repeated:
            twice = sorted(raw.repeated)[0]
            raise DataValidationError(
                f"{name}: the header names {twice!r} more than once; keep one column of each "
                "name so it is clear which to read"
            )
        return cls.from_frame(raw.frame, to=to, source=name, rows=raw.rows)

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        to: str | None = None,
        source: str = "the rates",
        rows: Sequence[int] | None = None,
    ) -> FxRates:
        """Validate rates given as a table (the columns of a rates file, cells as read) and
        build :class:`FxRates`.

        Codes are read with :func:`~micromix.schema.values.currency_codes`, rates with
        :func:`~micromix.schema.values.read_numbers` (a column written with decimal commas,
        ``1,08``, is read so; ``1,234`` with nothing else to tell which is refused), dates with
        :func:`~micromix.schema.values.read_timestamps` (a day, ``2024-03-01``).

        Parameters
        ----------
        frame : DataFrame
            Columns ``currency``, ``rate`` and ``rate_to`` and/or ``date`` (names compared
            case-insensitively, blanks trimmed).
        to : str, optional
            Target currency; default the one ``rate_to`` names.
        source : str
            The file's name, for messages.
        rows : sequence of int, optional
            The line in the file of each row of ``frame`` (default: the header is line 1).

        Raises
        ------
        DataValidationError
            A bad header or a bad cell (the message names the source, row and field).
        ConfigError
            No single target currency.

        Examples
        --------
        >>> df = pd.DataFrame({"currency": ["eur"], "rate_to": ["USD"], "rate": ["1,08"]})
        >>> FxRates.from_frame(df, source="fx.csv").rates.to_dict("records")
        [{'currency': 'EUR', 'rate': 1.08}]
        """
        name = source
        lines = list(rows) if rows is not None else list(range(2, len(frame) + 2))
        header = [str(h).strip().lower() for h in frame.columns]
        unknown = [h for h in header if h not in _COLUMNS]
        if unknown or "currency" not in header or "rate" not in header:
            raise DataValidationError(
                f"{name}: header {', '.join(map(str, frame.columns))} is not a rates file; {_SHAPES}"
            )
        if "rate_to" not in header and "date" not in header:
            raise DataValidationError(f"{name}: the header has neither rate_to nor date; {_SHAPES}")
        twice = sorted({h for h in header if header.count(h) > 1})
        if twice:
            raise DataValidationError(
                f"{name}: the header names {twice[0]!r} more than once; keep one column of each "
                "name so it is clear which to read"
            )
        df = frame.set_axis(header, axis=1).reset_index(drop=True)
        df.index = pd.Index(lines[: len(df)], name="row")
        df = df[~pd.DataFrame({c: blank_cells(df[c]) for c in header}).all(axis=1).to_numpy()]
        if df.empty:
            raise DataValidationError(f"{name}: the rates file has a header but no rates")

        def refuse(i: int, col: str, text: str) -> None:
            raise DataValidationError(f"{name}, row {df.index[i]}, field '{col}': {text}")

        out = pd.DataFrame(index=df.index)
        for col in ("currency", "rate_to"):
            if col not in df:
                continue
            codes, why = currency_codes(df[col])
            bad = why.notna().to_numpy() | codes.isna().to_numpy()
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                refuse(i, col, f"{why.iat[i] or 'is empty'}; {CURRENCY_HINT}")
            out[col] = codes
        out["rate"] = _rates(df["rate"], refuse)
        if "date" in df:
            out["date"] = _days(df["date"], refuse)
        targets = set(out["rate_to"]) if "rate_to" in out else set()
        target = currency_code(to, what="--to currency") if to else None
        if target is None:
            if len(targets) != 1:
                raise ConfigError(
                    f"{name}: the rates go to {', '.join(sorted(targets)) or 'no currency'}; "
                    "give every rate to one currency (rate_to) or name the target with --to"
                )
            target = targets.pop()
        if "rate_to" in out:
            off = (out["rate_to"] != target).to_numpy()
            if off.any():
                i = int(np.flatnonzero(off)[0])
                refuse(
                    i,
                    "rate_to",
                    f"{out['rate_to'].iat[i]} is not the target currency {target}; "
                    f"give every rate to {target}",
                )
        itself = ((out["currency"] == target) & (out["rate"] != 1.0)).to_numpy()
        if itself.any():
            refuse(int(np.flatnonzero(itself)[0]), "rate", f"{target} to itself must be 1")
        keys = ["currency", "date"] if "date" in out else ["currency"]
        dup = out.duplicated(keys, keep=False).to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            on = f" on {out['date'].iat[i].date()}" if "date" in keys else ""
            raise DataValidationError(
                f"{name}, row {out.index[i]}: {out['currency'].iat[i]} has more than one "
                f"rate{on}; keep one"
            )
        return cls(out[[*keys, "rate"]].reset_index(drop=True), to=target, source=name)

    # ------------------------------------------------------------------ converting
    def factors(self, currency: pd.Series, day: pd.Series | None = None) -> pd.Series:
        """Multiplier into :attr:`to` per element (NaN where no rate applies)."""
        cur = currency.astype(object).where(currency.notna(), None)
        out = pd.Series(np.nan, index=currency.index, dtype=float)
        out[cur == self.to] = 1.0
        todo = (cur != self.to) & cur.notna()
        if not todo.any() or self.rates.empty:
            return out
        if not self.dated:
            m = dict(zip(self.rates["currency"], self.rates["rate"]))
            out[todo] = cur[todo].map(m).astype(float)
            return out
        if day is None:
            raise ConfigError(f"{self.source} has dated rates but the money carries no date")
        d = pd.to_datetime(day).astype("datetime64[s]")
        for c, grp in self.rates.groupby("currency", sort=False):
            sel = todo & (cur == c) & d.notna()
            if not sel.any():
                continue
            dates = grp["date"].to_numpy()
            pos = np.searchsorted(dates, d[sel].to_numpy(), side="right") - 1
            vals = np.where(pos >= 0, grp["rate"].to_numpy()[np.maximum(pos, 0)], np.nan)
            out[sel] = vals
        return out

    def convert(
        self,
        frame: pd.DataFrame,
        money: Sequence[str],
        *,
        currency_col: str = "currency",
        day_col: str | None = None,
    ) -> pd.DataFrame:
        """``frame`` with its ``money`` columns in :attr:`to` and ``currency_col`` set to it.

        Raises
        ------
        ConfigError
            Money in a currency (or on a date) the rates do not cover; the message names the
            pair and, for dated rates, the date.
        """
        day = frame[day_col] if (day_col and self.dated) else None
        f = self.factors(frame[currency_col], day)
        has_money = pd.Series(False, index=frame.index)
        for c in money:
            v = pd.to_numeric(frame[c], errors="coerce")
            has_money |= v.notna() & (v != 0)
        bad = f.isna() & has_money
        if bad.any():
            i = bad.idxmax()
            cur = frame.at[i, currency_col]
            if cur is None or (isinstance(cur, float) and math.isnan(cur)) or pd.isna(cur):
                raise ConfigError(
                    f"some money has no currency recorded, so it cannot be converted to "
                    f"{self.to}; record the currency at ingest (or state it with --currency)"
                )
            when = ""
            if day is not None and pd.notna(day.at[i]):
                when = f" on or before {pd.Timestamp(day.at[i]).date()}"
            where = f"in {self.source}" if len(self.rates) else "(no --fx rates file was given)"
            raise ConfigError(
                f"no {cur}->{self.to} rate{when} {where}; add one to convert {cur} money to "
                f"{self.to}, or drop the conversion to see each currency on its own rows"
            )
        out = frame.copy()
        for c in money:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(float) * f.fillna(1.0)
        out[currency_col] = self.to
        return out

    @classmethod
    def identity(cls, to: str) -> FxRates:
        """No rates: only money already in ``to`` passes (anything else is refused)."""
        return cls(pd.DataFrame({"currency": [], "rate": []}), to=to, source="--to")


_SHAPES = (
    "use 'currency,rate_to,rate' (e.g. GBP,USD,1.27) or 'date,currency,rate' with --to "
    "(see docs/kpis.md)"
)


def _rates(cells: pd.Series, refuse: Callable[[int, str, str], None]) -> pd.Series:
    """The ``rate`` column as positive numbers: a column that writes a decimal comma (``1,08``)
    is read with decimal commas; one writing both marks, or only ``1,234`` (a thousands
    separator or a decimal comma?), is refused at its first doubtful cell."""
    marks = decimal_marks(cells).to_numpy()
    if (marks == "comma").any():
        point = np.flatnonzero(marks == "point")
        if len(point):
            i = int(point[0])
            refuse(
                i,
                "rate",
                f"{cells.iat[i]!r} is written with a decimal point where other rates are "
                "written with a decimal comma; write every rate one way",
            )
        cells = with_decimal_points(cells)
    else:
        either = np.flatnonzero(marks == "either")
        comma = [i for i in either if "," in str(cells.iat[i])]
        if comma:
            i = int(comma[0])
            refuse(
                i,
                "rate",
                f"{cells.iat[i]!r} may be a number with a thousands separator or with a decimal "
                "comma; write it without the separator (1234) or with a decimal point (1.234)",
            )
    num, why = read_numbers(cells)
    bad = why.notna().to_numpy() | num.isna().to_numpy() | ~(num.fillna(0) > 0).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        refuse(i, "rate", f"{_shown(cells.iat[i])} is not a positive number; write it like 1.27")
    return num.astype(float)


def _days(cells: pd.Series, refuse: Callable[[int, str, str], None]) -> pd.Series:
    """The ``date`` column as days (``datetime64[s]``), refusing a cell that is not one day."""
    ts, why = read_timestamps(cells)
    bad = why.notna().to_numpy() | ts.isna().to_numpy()
    naive = ts.dt.tz_convert(None)
    timed = ~bad & (naive != naive.dt.normalize()).to_numpy()
    if bad.any() or timed.any():
        i = int(np.flatnonzero(bad | timed)[0])
        cell = cells.iat[i]
        if timed[i]:
            reason = "a time of day; a rate applies from a day"
        else:
            reason = (why.iat[i] or "is empty").removeprefix(f"{cell!r} ").split(";")[0]
            reason = reason.removeprefix("is ")
        refuse(i, "date", f"{_shown(cell)} is not a date ({reason}); write it as YYYY-MM-DD")
    return naive.astype("datetime64[s]")


def _shown(cell: object) -> str:
    """A cell as a message quotes it: text in quotes, a number or a time as it reads."""
    if isinstance(cell, str) or cell is None:
        return repr(cell)
    return str(cell.item() if isinstance(cell, np.generic) else cell)
