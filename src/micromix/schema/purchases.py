"""Purchases as files and APIs give them: one way to read a customer, a day and a value.

:func:`read_purchases` validates a purchase table (one row per purchase) and returns one typed
row per purchase; the CLV models (:mod:`micromix.clv`) and RFM segments
(:func:`micromix.audience.segments.rfm_table`) read their transactions through it, so a file
means the same to both and bad input gets the same one-sentence refusal naming the source, the
first row (1-based, header not counted) and the field.

Rules:

* customer ids are text without surrounding blanks; an integer written as a float is the
  integer (``13012.0`` beside ``13012`` is one customer); a cell holding a JSON object is
  refused (``customer.email`` reaches a field of a column of objects);
* timestamps go through :func:`~micromix.schema.values.read_timestamps` on the clock the file
  writes them in: a trailing UTC offset (``-0500``, ``+05:30``, ``Z``) is dropped, not
  converted, because a purchase belongs to the shop's day it was made on; epoch numbers are
  UTC;
* values go through :func:`~micromix.schema.values.read_numbers` (``2,408.52``, ``$194.41``);
  empty, unreadable and negative values are refused;
* rows with no cell filled at all (``,,,,`` under an Excel export) are not purchases.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError, DataValidationError
from micromix.jsonutil import value_at
from micromix.schema.base import require_columns
from micromix.schema.values import blank_cells, read_numbers, read_timestamps, refuse_first

__all__ = ["left_out_text", "parse_purchase_dates", "read_ids", "read_purchases"]


#: a time of day followed by a UTC offset or zone word: "2024-03-05 20:30:00 -0500"
_OFFSET = re.compile(
    r"^(.*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$",
    re.IGNORECASE,
)


def _wall_clock(value: Any) -> Any:
    """``value`` with a trailing UTC offset removed, so that a purchase stays on the day of the
    clock it was written in (a shop's export in its own time zone); other values unchanged."""
    if isinstance(value, str):
        m = _OFFSET.match(value.strip())
        if m:
            return m.group(1)
    return value


def _parse_dates(values: pd.Series, dayfirst: bool | None = None) -> tuple[pd.Series, pd.Series]:
    """Dates through the project's one timestamp parser
    (:func:`micromix.schema.values.read_timestamps`) as naive ``datetime64[ns]`` on the clock
    the file writes them in: a trailing offset (``-0500``, ``+05:30``, ``Z``) is dropped, not
    converted, because a purchase belongs to the shop's day it was made on. Epoch numbers are
    UTC.

    Returns
    -------
    (Series, Series)
        The timestamps (NaT for empty or refused cells) and, for each cell that is present but
        refused (not a date, ambiguous day/month order, outside the accepted window), the
        reason (``None`` where the cell is fine or empty).
    """
    s = pd.Series(values).reset_index(drop=True)
    # each distinct value once: transactions repeat few dates (CDNOW: 69,659 rows, 546 days)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        local = pd.Series(uniques, dtype=s.dtype).dt.tz_localize(None)  # the zone's own clock
    elif pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        local = pd.Series(uniques, dtype=s.dtype)
    else:
        local = pd.Series([_wall_clock(v) for v in uniques], dtype=object)
    got = read_timestamps(local, dayfirst=dayfirst)
    stamps = got.values.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
    known = codes >= 0
    out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[known] = stamps[codes[known]]
    reasons = pd.Series([None] * len(s), index=s.index, dtype=object)
    reasons[known] = got.problems.to_numpy(dtype=object)[codes[known]]
    return pd.Series(out, index=s.index), reasons


def _first_row(mask: np.ndarray) -> int:
    return int(np.argmax(mask)) + 1


def _cell(value: Any) -> str:
    """A cell as the user typed it: ``'1997-13-01'``, ``-12``, not ``np.int64(-12)``."""
    return repr(value.item() if isinstance(value, np.generic) else value)


_DATE_HINT = "use ISO dates such as 1997-01-31"


def _with_nested_fields(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``table`` with a column for every ``a.b`` name it lacks whose ``a`` column holds JSON
    objects (an API export's ``customer: {"email": ...}``): the value at that path, empty where
    a row has none."""
    out = table
    for name in names:
        if name in table.columns or "." not in name:
            continue
        head, _, rest = name.partition(".")
        if head not in table.columns:
            continue
        if table[head].map(lambda v: isinstance(v, dict)).any():
            path = rest.split(".")
            out = out.assign(**{name: table[head].map(lambda v, q=path: value_at(v, q))})
    return out


def _blank_rows(table: pd.DataFrame) -> np.ndarray:
    """Rows where every cell is empty or blank text."""
    if not len(table.columns):
        return np.ones(len(table), dtype=bool)
    empty = table.isna()
    for c in table.columns:
        if table[c].dtype == object or pd.api.types.is_string_dtype(table[c]):
            empty[c] = blank_cells(table[c])
    return empty.all(axis=1).to_numpy(dtype=bool)


#: an id written as a float: "13012.0" (a spreadsheet or pandas turned 13012 into a float)
_FLOAT_ID = re.compile(r"^([+-]?\d+)\.0+$")


def read_ids(
    raw: pd.Series,
    col: str,
    source: str,
    *,
    blank: np.ndarray | None = None,
    option: str = "--customer-col",
    who: str = "purchase",
    skip_hint: str = "",
) -> pd.Series:
    """Customer ids as text, the same customer always the same text: surrounding blanks are
    dropped and an integer written as a float (``17850.0``, Online Retail's ``Customer ID``) is
    the integer, so ``13012`` and ``13012.0`` in one column are one customer. An empty id (in
    a row not listed in ``blank``) is refused; ``option``, ``who`` and ``skip_hint`` (how to
    leave such rows out instead) word the message."""
    if blank is None:
        blank = np.zeros(len(raw), dtype=bool)
    raw = raw.reset_index(drop=True)
    nested = raw.map(lambda v: isinstance(v, (dict, list))).to_numpy(dtype=bool)
    if nested.any():
        i = _first_row(nested)
        keys = raw.iloc[i - 1]
        inner = f" such as {col}.{next(iter(keys))}" if isinstance(keys, dict) and keys else ""
        raise DataValidationError(
            f"{source}: row {i}, field {col!r} holds a nested object, not an id; pass the "
            f"field inside it that identifies the customer{inner}"
        )
    if pd.api.types.is_float_dtype(raw):
        whole = raw.notna() & (raw == np.floor(raw))
        text = raw.astype(object).where(~whole, raw.where(whole).astype("Int64").astype(object))
        ids = text.astype("string")
    else:
        ids = raw.astype("string").str.strip().str.replace(_FLOAT_ID, r"\1", regex=True)
    empty = (ids.isna() | (ids == "")).to_numpy(dtype=bool) & ~blank
    if empty.all() or (empty | blank).all():
        raise DataValidationError(
            f"{source}: field {col!r} is empty in every row; pass the column that "
            f"identifies them ({option})"
        )
    if empty.any():
        raise DataValidationError(
            f"{source}: row {_first_row(empty)}, field {col!r} is empty "
            f"({int(empty.sum())} row(s) in all); every {who} needs an id - fill it in or "
            f"remove those rows{skip_hint}"
        )
    return ids.astype(object)


def _values(raw: pd.Series, blank: np.ndarray, col: str, source: str) -> np.ndarray:
    """Purchase values (or quantities) through the project's number reader (``2,408.52``,
    ``$194.41``, ``1.234,50``); empty, unreadable and infinite ones are refused with the first
    row (negative ones are left to the caller: they are returns)."""
    got = read_numbers(raw)
    vals = got.values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    unreadable = got.problems.notna().to_numpy() & ~blank
    comma = unreadable.any() and "decimal comma" in str(
        got.problems.iloc[_first_row(unreadable) - 1]
    )
    refuse_first(
        unreadable,
        lambda row: f"{source}: row {row}, field {col!r}",
        got.problems,
        "write decimals with a point (12.50)" if comma else "write plain numbers such as 12.50",
    )
    empty = blank_cells(raw) & ~blank
    if empty.any():
        i = _first_row(empty)
        raise DataValidationError(
            f"{source}: row {i}, field {col!r} is empty ({int(empty.sum())} such row(s)); every "
            "purchase needs a value - fill it in, or, if the file has one row per line item "
            "with the order's value on its first row only, keep just those rows"
        )
    infinite = ~np.isfinite(np.nan_to_num(vals, nan=0.0)) & ~blank
    if infinite.any():
        i = _first_row(infinite)
        raise DataValidationError(
            f"{source}: row {i}, field {col!r}: {_cell(raw.iloc[i - 1])} is not a finite number "
            f"({int(infinite.sum())} such row(s))"
        )
    return vals


def read_purchases(
    transactions: pd.DataFrame,
    *,
    customer_col: str,
    date_col: str,
    value_col: str | None = None,
    source: str = "transactions",
    dayfirst: bool | None = None,
    quantity_col: str | None = None,
    skip_missing_ids: bool = False,
    skip_returns: bool = False,
) -> pd.DataFrame:
    """Validate a purchase table; one row per purchase (rows with no cell filled left out).

    Parameters
    ----------
    quantity_col : str, optional
        A line-item file (Online Retail's ``Quantity`` and ``Price``): ``value_col`` is then the
        unit price and a row's value is price times quantity.
    skip_missing_ids : bool
        Leave out rows with no customer id (guest checkouts, which no model can follow) instead
        of refusing the table; they are counted in ``attrs["left_out"]``.
    skip_returns : bool
        Leave out rows of negative value (returns, cancellations) instead of refusing the
        table; counted, with their value, in ``attrs["left_out"]``. The purchases they return
        stay as they are.

    Returns
    -------
    DataFrame
        ``customer_id`` (text), ``ts`` (naive, on the file's clock), ``value`` (0.0 without a
        value column), indexed by the row's position in ``transactions`` (0-based);
        ``attrs["left_out"]``: rows left out by the two options (``no_customer_id``,
        ``returns``, ``returns_value``; only those asked for).

    Raises
    ------
    ColumnNotFoundError
        A named column is missing.
    DataValidationError
        No rows; a customer id empty everywhere, empty in a row or an object; a date empty, not
        a date or ambiguous; a value or quantity empty or not a number; a negative value.
    """
    if quantity_col and not value_col:
        raise ConfigError(
            "a quantity column needs the unit price column as the value column "
            "(--value-col PRICE --quantity-col QUANTITY)"
        )
    cols = [customer_col, date_col] + [c for c in (value_col, quantity_col) if c]
    table = _with_nested_fields(transactions.reset_index(drop=True), cols)
    require_columns(table, cols, source)
    # rows with no cell filled at all (",,,," lines under an Excel export) are not purchases
    blank = _blank_rows(table)
    n = int((~blank).sum())
    if n == 0:
        raise DataValidationError(f"{source}: no transactions; the table has no rows")
    left_out: dict[str, float] = {}
    if skip_missing_ids:
        no_id = (blank_cells(table[customer_col]) | table[customer_col].isna().to_numpy()) & ~blank
        left_out["no_customer_id"] = int(no_id.sum())
        blank = blank | no_id
    cust = read_ids(
        table[customer_col],
        customer_col,
        source,
        blank=blank,
        skip_hint=" (or pass --skip-missing-ids to leave them out, counted)",
    )
    dates, why = _parse_dates(table[date_col], dayfirst)
    refuse_first(
        why.notna().to_numpy() & ~blank,
        lambda row: f"{source}: row {row}, field {date_col!r}",
        why,
        _DATE_HINT,
    )
    missing = dates.isna().to_numpy() & ~blank
    if missing.any():
        i = _first_row(missing)
        raise DataValidationError(
            f"{source}: row {i}, field {date_col!r} is empty ({int(missing.sum())} such row(s)); "
            "every purchase needs a date - fill it in or remove the row"
        )
    frame = pd.DataFrame({"customer_id": cust, "ts": dates})
    if value_col:
        vals = _values(table[value_col], blank, value_col, source)
        negative = (vals < 0) & ~blank
        field, cells = value_col, table[value_col]
        if quantity_col:
            qty = _values(table[quantity_col], blank, quantity_col, source)
            vals = vals * qty
            if ((qty < 0) & ~blank).any():  # a return is written as a negative quantity
                negative, field, cells = (qty < 0) & ~blank, quantity_col, table[quantity_col]
            negative = negative | ((vals < 0) & ~blank)
        if skip_returns:
            left_out["returns"] = int(negative.sum())
            left_out["returns_value"] = float(-vals[negative].sum())
            blank = blank | negative
        elif negative.any():
            i = _first_row(negative)
            raise DataValidationError(
                f"{source}: row {i}, field {field!r}: {_cell(cells.iloc[i - 1])} is negative; "
                "remove refunds and returns (or net them against their purchase) before "
                f"fitting, or pass --skip-returns to leave them out, counted "
                f"({int(negative.sum())} such row(s))"
            )
        frame["value"] = vals
    else:
        frame["value"] = 0.0
    out = frame[~blank].copy()
    if not len(out):
        raise DataValidationError(
            f"{source}: no transactions left: every row was left out ({left_out_text(left_out)})"
        )
    out.attrs["left_out"] = left_out
    return out


def left_out_text(left_out: dict[str, float]) -> str:
    """``left_out`` in words: "12 rows with no customer id, 3 returns"."""
    parts = []
    if left_out.get("no_customer_id"):
        parts.append(f"{int(left_out['no_customer_id']):,} row(s) with no customer id")
    if left_out.get("returns"):
        parts.append(
            f"{int(left_out['returns']):,} return(s) worth {left_out['returns_value']:,.2f}"
        )
    return ", ".join(parts) or "nothing"


def parse_purchase_dates(values: pd.Series, dayfirst: bool | None = None) -> pd.Series:
    """Timestamps by the rules above (NaT where empty or unreadable)."""
    return _parse_dates(values, dayfirst)[0]
