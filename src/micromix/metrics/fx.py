"""Currency conversion for KPIs, with exchange rates the user supplies (never fetched, never guessed).

A rates file is a small CSV in one of two shapes (header names are case-insensitive):

``currency,rate_to,rate``
    One constant rate per currency: ``GBP,USD,1.27`` means 1 GBP is worth 1.27 USD.
``date,currency,rate`` (optionally with ``rate_to``)
    Dated rates: a rate applies from its ``date`` (ISO ``YYYY-MM-DD``) until the next listed
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

import csv
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from micromix.errors import ConfigError, DataValidationError, InputFileError

__all__ = ["FxRates", "normalise_currency"]

_ISO = re.compile(r"^[A-Z]{3}$")
_COLUMNS = ("date", "currency", "rate_to", "rate")


def normalise_currency(code: str, *, what: str = "currency") -> str:
    """An ISO 4217 code in upper case, or :class:`ConfigError` naming ``what``."""
    c = str(code).strip().upper()
    if not _ISO.match(c):
        raise ConfigError(f"{what} {code!r} is not an ISO 4217 code; use three letters like USD")
    return c


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

        Raises
        ------
        InputFileError
            The file is missing or unreadable.
        DataValidationError
            A row has a bad value (the message names the file, row and field).
        """
        p = Path(path)
        name = p.name
        try:
            text = p.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputFileError(f"{p}: rates file not found; check the --fx path") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(
                f"{p}: cannot read the rates file ({exc.__class__.__name__}); save it as a UTF-8 CSV"
            ) from None
        rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
        if not rows:
            raise DataValidationError(f"{name}: the rates file is empty; {_SHAPES}")
        header = [h.strip().lower() for h in rows[0]]
        unknown = [h for h in header if h not in _COLUMNS]
        if unknown or "currency" not in header or "rate" not in header:
            raise DataValidationError(
                f"{name}: header {', '.join(rows[0])!s} is not a rates file; {_SHAPES}"
            )
        if "rate_to" not in header and "date" not in header:
            raise DataValidationError(f"{name}: the header has neither rate_to nor date; {_SHAPES}")
        twice = sorted({h for h in header if header.count(h) > 1})
        if twice:
            raise DataValidationError(
                f"{name}: the header names {twice[0]!r} more than once; keep one column of each "
                "name so it is clear which to read"
            )
        recs = []
        for i, raw in enumerate(rows[1:], start=2):
            if len(raw) != len(header):
                raise DataValidationError(
                    f"{name}, row {i}: {len(raw)} fields where the header has {len(header)}; "
                    "fix the row"
                )
            recs.append(_parse_row(name, i, dict(zip(header, (c.strip() for c in raw)))))
        if not recs:
            raise DataValidationError(f"{name}: the rates file has a header but no rates")
        targets = {str(r["rate_to"]) for r in recs if r.get("rate_to")}
        target = normalise_currency(to, what="--to currency") if to else None
        if target is None:
            if len(targets) != 1:
                raise ConfigError(
                    f"{name}: the rates go to {', '.join(sorted(targets)) or 'no currency'}; "
                    "give every rate to one currency (rate_to) or name the target with --to"
                )
            target = targets.pop()
        for r in recs:
            if r.get("rate_to") and r["rate_to"] != target:
                raise DataValidationError(
                    f"{name}, row {r['row']}, field 'rate_to': {r['rate_to']} is not the target "
                    f"currency {target}; give every rate to {target}"
                )
            if r["currency"] == target and r["rate"] != 1.0:
                raise DataValidationError(
                    f"{name}, row {r['row']}, field 'rate': {target} to itself must be 1"
                )
        frame = pd.DataFrame(recs)
        keys = ["currency", "date"] if "date" in header else ["currency"]
        dup = frame[frame.duplicated(keys, keep=False)]
        if len(dup):
            first = dup.iloc[0]
            raise DataValidationError(
                f"{name}, row {first['row']}: {first['currency']} has more than one rate"
                f"{' on ' + str(first['date'].date()) if 'date' in keys else ''}; keep one"
            )
        return cls(frame[[*keys, "rate"]], to=target, source=name)

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


def _parse_row(name: str, i: int, rec: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = {"row": i}
    for col, example in (("currency", "GBP"), ("rate_to", "USD")):
        if col in rec:
            code = rec[col].upper()
            if not _ISO.match(code):
                raise DataValidationError(
                    f"{name}, row {i}, field '{col}': {rec[col]!r} is not an ISO 4217 code; "
                    f"use three letters like {example}"
                )
            out[col] = code
    try:
        rate = float(rec["rate"])
    except ValueError:
        rate = math.nan
    if not math.isfinite(rate) or rate <= 0:
        raise DataValidationError(
            f"{name}, row {i}, field 'rate': {rec['rate']!r} is not a positive number; "
            "write it like 1.27"
        )
    out["rate"] = rate
    if "date" in rec:
        try:
            out["date"] = pd.Timestamp(_iso_date(rec["date"]))
        except ValueError:
            raise DataValidationError(
                f"{name}, row {i}, field 'date': {rec['date']!r} is not a date; "
                "write it as YYYY-MM-DD"
            ) from None
    return out


def _iso_date(s: str) -> str:
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", s):
        raise ValueError(s)
    pd.Timestamp(s)  # raises ValueError on 2024-02-30
    return s
