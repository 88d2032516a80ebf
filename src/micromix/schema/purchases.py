"""Purchases as files and APIs give them: one way to read a customer, a day and a value.

:func:`read_purchases` validates a purchase table (one row per purchase) and returns one typed
row per purchase; the CLV models (:mod:`micromix.clv`) and RFM segments
(:func:`micromix.audience.segments.rfm_table`) read their transactions through it, so a file
means the same to both and bad input gets the same one-sentence refusal naming the source, the
first row (1-based, header not counted) and the field.

Rules:

* customer ids are text without surrounding blanks; an integer written as a float is the
  integer (``13012.0`` beside ``13012`` is one customer); an e-mail address is one customer
  whatever its letter case (``Ann@x.com`` and ``ann@x.com``: spelt as its first row spells it); a cell holding a JSON object is
  refused (``customer.email`` reaches a field of a column of objects);
* timestamps go through :func:`~micromix.schema.values.read_timestamps` on the clock the file
  writes them in: a trailing UTC offset (``-0500``, ``+05:30``, ``Z``) is dropped, not
  converted, because a purchase belongs to the shop's day it was made on; epoch numbers are
  UTC;
* values go through :func:`~micromix.schema.values.read_numbers` (``2,408.52``, ``$194.41``);
  a column written with decimal commas (``€45,00``, ``1.234,50``, none with a decimal point)
  is read so; empty, unreadable and negative values are refused;
* rows with no cell filled at all (``,,,,`` under an Excel export) are not purchases;
* with ``order_col`` (an order export with one row per line item, Shopify's ``Name``), the rows
  of an order are one purchase: its value the sum of its filled value cells (``order_value=
  "sum"``, line prices) or the order's total taken once (``"total"``, a total repeated on
  every line row), its customer and date the ones filled on its rows (which must agree). A
  file that looks like repeated totals (every order with two or more filled value cells has
  them all equal, in at least :data:`REPEATED_TOTAL_ORDERS` orders) is refused unless
  ``order_value`` is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError, DataValidationError
from micromix.jsonutil import value_at
from micromix.schema.base import require_columns
from micromix.schema.values import (
    DEFAULT_WINDOW,
    blank_cells,
    decimal_marks,
    read_numbers,
    read_timestamps,
    refuse_first,
    with_decimal_points,
)

__all__ = [
    "ORDER_VALUES",
    "REPEATED_TOTAL_ORDERS",
    "left_out_text",
    "parse_purchase_dates",
    "read_ids",
    "read_purchases",
]

#: how an order's value is made from its rows' value cells (``order_value=``, ``--order-value``)
ORDER_VALUES: tuple[str, ...] = ("sum", "total")
#: orders with two or more filled value cells, all equal, that make a file look like one that
#: repeats the order's total on every line row (fewer are no evidence: two lines at one price)
REPEATED_TOTAL_ORDERS = 3


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


_WINDOW = f"{DEFAULT_WINDOW.start:%Y-%m-%d}..{DEFAULT_WINDOW.end:%Y-%m-%d}"


def _date_hint(why: str) -> str:
    """What to do about a date the reader refused: a date outside the accepted window is
    already readable, so the advice is about the date, not its format."""
    if "outside the accepted time window" in why:
        return f"the date is outside the accepted window ({_WINDOW}); correct it or remove the row"
    return "use ISO dates such as 1997-01-31"


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


def _values(
    raw: pd.Series,
    blank: np.ndarray,
    col: str,
    source: str,
    line_rows: Callable[[], np.ndarray] | None = None,
) -> tuple[np.ndarray, str | None]:
    """Purchase values (or quantities) through the project's number reader (``2,408.52``,
    ``$194.41``, ``1.234,50``); empty, unreadable and infinite ones are refused with the first
    row (negative ones are left to the caller: they are returns). An empty cell in one of
    ``line_rows()`` (rows that look like an order's line items) points to ``--order-col``.
    A column written with decimal commas is read so (:func:`_decimal_commas`)."""
    raw, commas = _decimal_commas(raw, blank, col, source)
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
        if line_rows is not None and (empty & line_rows()).any():
            what = (
                "pass the order number column as --order-col (the rows of an order are then "
                "one purchase, its value the sum of their filled cells)"
            )
        else:
            what = "keep just those rows"
        raise DataValidationError(
            f"{source}: row {i}, field {col!r} is empty ({int(empty.sum())} such row(s)); every "
            "purchase needs a value - fill it in, or, if the file has one row per line item "
            f"with the order's value on its first row only, {what}"
        )
    infinite = ~np.isfinite(np.nan_to_num(vals, nan=0.0)) & ~blank
    if infinite.any():
        i = _first_row(infinite)
        raise DataValidationError(
            f"{source}: row {i}, field {col!r}: {_cell(raw.iloc[i - 1])} is not a finite number "
            f"({int(infinite.sum())} such row(s))"
        )
    return vals, commas


#: an e-mail address: a customer id compared without regard to letter case
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _one_spelling_per_email(ids: pd.Series) -> tuple[pd.Series, dict[str, Any] | None]:
    """``ids`` with every e-mail address spelt as its first row spells it, whatever the letter
    case (``Ann@x.com`` and ``ann@x.com`` are one customer: shops, payment providers and CRMs
    compare addresses so), and what that merged: ``{"ids": 1, "example": ["Ann@x.com",
    "ann@x.com"]}`` (None when nothing was). Other ids keep their case (``AB12`` and ``ab12``
    may be two codes)."""
    text = ids.astype("string")
    email = text.str.fullmatch(_EMAIL).fillna(False).to_numpy(dtype=bool)
    if not email.any():
        return ids, None
    folded = text[email].str.lower()
    first = text[email].groupby(folded.to_numpy(), sort=False).first()
    spelt = first.reindex(folded.to_numpy()).to_numpy(dtype=object)
    changed = spelt != text[email].to_numpy(dtype=object)
    if not changed.any():
        return ids, None
    out = ids.astype(object).copy()
    out.iloc[np.flatnonzero(email)] = spelt
    merged = pd.Series(spelt[changed]).unique()
    k = int(np.argmax(changed))
    example = [str(spelt[k]), str(text[email].iloc[k])]
    return out, {"ids": len(merged), "example": example}


def _decimal_commas(
    raw: pd.Series, blank: np.ndarray, col: str, source: str
) -> tuple[pd.Series, str | None]:
    """``raw`` with its numbers rewritten with decimal points when the column writes them with
    decimal commas (a European shop's export: "€45,00", "1.234,50"), and the cell that shows it
    (``row 1: '€45,00'``; None when the column is read as it is).

    A column is read with decimal commas when no cell is written with a decimal point
    ("12.50", "1,234.5") and more cells show a decimal comma than read both ways ("1.234": a
    thousands point or a decimal one); with fewer, it is refused naming both cells. A column
    that writes numbers both ways is left to the number reader, which reads "1.234,50" and
    refuses "12,50" beside "99.10" (one of them is a typing slip).
    """
    marks = np.array(decimal_marks(raw).to_numpy(dtype=object), dtype=object, copy=True)
    marks[blank] = None
    comma, either = marks == "comma", marks == "either"
    if not comma.any() or (marks == "point").any():
        return raw, None
    shown = f"row {_first_row(comma)}: {_cell(raw.iloc[_first_row(comma) - 1])}"
    if int(comma.sum()) <= int(either.sum()):
        i = _first_row(either)
        raise DataValidationError(
            f"{source}: row {i}, field {col!r}: {_cell(raw.iloc[i - 1])} may be a number with "
            f"a thousands separator or with a decimal mark, and too few other values of the "
            f"column are written with a decimal comma ({shown}) to tell which; write the "
            "values with a decimal point (1234.50)"
        )
    return with_decimal_points(raw.reset_index(drop=True)), shown


def _same_as_previous(cells: pd.Series) -> np.ndarray:
    """Rows whose cell is filled and equals the previous row's (as trimmed text)."""
    text = cells.reset_index(drop=True).astype("string").str.strip()
    return ((text == text.shift()) & (text != "")).fillna(False).to_numpy(dtype=bool)


def _line_hint(line_rows: np.ndarray, bad: np.ndarray, field: str) -> str:
    """What to say when ``bad`` cells sit on rows that look like an order's line items."""
    if not (bad & line_rows).any():
        return ""
    return (
        f"; if the file has one row per line item with the order's {field} on its first row "
        "only, pass the order number column as --order-col"
    )


class _Orders:
    """The order each row belongs to (``--order-col``): rows sharing an order id are one
    purchase."""

    def __init__(self, raw: pd.Series, col: str, source: str, blank: np.ndarray) -> None:
        ids = read_ids(raw, col, source, blank=blank, option="--order-col", who="line of an order")
        codes, uniques = pd.factorize(ids.where(~blank), use_na_sentinel=True)
        self.col, self.source = col, source
        self.codes = np.where(blank, -1, codes)
        self.ids = np.asarray(uniques, dtype=object)
        self.n = len(self.ids)

    def rows_of(self, orders: np.ndarray) -> np.ndarray:
        """Rows (mask) of the orders in the ``orders`` mask (one flag per order)."""
        return (self.codes >= 0) & orders[np.maximum(self.codes, 0)]

    def having(self, rows: np.ndarray) -> np.ndarray:
        """Orders (mask) with at least one of ``rows``."""
        out = np.zeros(self.n, dtype=bool)
        out[self.codes[rows & (self.codes >= 0)]] = True
        return out

    def refuse_without(self, rows: np.ndarray, live: np.ndarray, field: str, need: str) -> None:
        """Refuse the orders among ``live`` rows that have none of ``rows``, naming the first
        row of the first one."""
        bare = self.rows_of(~self.having(rows)) & live
        if bare.any():
            i = _first_row(bare)
            k = np.unique(self.codes[bare]).size
            raise DataValidationError(
                f"{self.source}: row {i}, field {field!r} is empty in every row of order "
                f"{self.ids[self.codes[i - 1]]!r} ({k} such order(s)); every purchase needs "
                f"{need} - fill it in on one of the order's rows"
            )

    def representative(
        self,
        values: pd.Series,
        filled: np.ndarray,
        field: str,
        cells: pd.Series,
        what: str,
        fix: str | None = None,
    ) -> np.ndarray:
        """For each row, the position of its order's first row with ``values`` filled (-1 for
        an order with none); an order whose filled cells disagree is refused, naming two of its
        rows (``fix``: what to do, by default check the file and the order column)."""
        pos = np.flatnonzero(filled & (self.codes >= 0))
        order = self.codes[pos]
        first = np.full(self.n, -1, dtype=np.int64)
        first[order[::-1]] = pos[::-1]  # the last write wins: each order's first filled row
        value_codes = pd.factorize(values.reset_index(drop=True))[0]
        differs = value_codes[pos] != value_codes[first[order]]
        if differs.any():
            j = int(pos[np.argmax(differs)])
            i = int(first[self.codes[j]])
            k = np.unique(order[differs]).size
            raise DataValidationError(
                f"{self.source}: rows {i + 1} and {j + 1}, field {field!r}: order "
                f"{self.ids[self.codes[j]]!r} has two {what}s ({_cell(cells.iloc[i])} and "
                f"{_cell(cells.iloc[j])}) ({k} such order(s)); "
                + (
                    fix
                    or f"the rows of an order (--order-col {self.col!r}) are one purchase by one "
                    "customer at one time - correct the file, or check that the order column is "
                    "the order number"
                )
            )
        return np.where(self.codes >= 0, first[np.maximum(self.codes, 0)], -1)

    def repeated_totals(self, values: np.ndarray, filled: np.ndarray) -> tuple[np.ndarray, int]:
        """Whether ``values`` look like each order's total repeated on its rows: every order
        with two or more ``filled`` cells has them all equal, and there are at least
        :data:`REPEATED_TOTAL_ORDERS` such orders. Returns the rows (positions) of the first
        such order and the number of such orders, or an empty array and 0."""
        rows = filled & (self.codes >= 0)
        by_order = pd.Series(values[rows]).groupby(self.codes[rows], sort=False)
        count, distinct = by_order.size(), by_order.nunique(dropna=False)
        multi = (count >= 2).to_numpy()
        if multi.sum() < REPEATED_TOTAL_ORDERS or (distinct.to_numpy()[multi] > 1).any():
            return np.zeros(0, dtype=np.int64), 0
        # groupby(sort=False) lists the orders in the order of their first filled row
        example = count.index.to_numpy()[np.argmax(multi)]
        return np.flatnonzero(rows & (self.codes == example)), int(multi.sum())


def _rows_text(rows: np.ndarray) -> str:
    """1-based ``rows`` (positions) in words: "rows 2, 3 and 4", "rows 2, 3, 4, ... (9 rows)"."""
    nums = [str(int(r) + 1) for r in rows]
    if len(nums) > 4:
        return f"rows {', '.join(nums[:3])}, ... ({len(nums)} rows)"
    return f"rows {', '.join(nums[:-1])} and {nums[-1]}" if len(nums) > 1 else f"row {nums[0]}"


def _check_order_value(
    order_value: str | None, order_col: str | None, quantity_col: str | None
) -> None:
    if order_value is None:
        return
    if order_value not in ORDER_VALUES:
        raise ConfigError(
            f"order value {order_value!r} is not known; choose one of {', '.join(ORDER_VALUES)} "
            "(--order-value)"
        )
    if not order_col:
        raise ConfigError(
            f"--order-value {order_value} says how the rows of an order make its value; it "
            "needs the order number column (--order-col NAME)"
        )
    if order_value == "total" and quantity_col:
        raise ConfigError(
            "--order-value total takes the order's total once, and a total times a quantity is "
            "no value; with --quantity-col pass the line's unit price as the value column and "
            "--order-value sum, or drop --quantity-col"
        )


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
    order_col: str | None = None,
    order_value: str | None = None,
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
    order_col : str, optional
        One row per line item (Shopify's orders export, ``Name``): rows sharing an order id are
        one purchase. Its value is the sum of the order's filled value cells (value x quantity
        with ``quantity_col``), so the order's total may sit on its first row only; customer
        and date cells left empty on some of its rows are the order's filled ones. An order
        whose filled cells disagree (two customers, two times), with no value or no date in any
        row, or a row without an order id is refused. A guest order (no customer in any of its
        rows) is left out, rows and order counted, with ``skip_missing_ids``; a return line
        (negative) with ``skip_returns``, and with it an order that has nothing else of value.
        ``attrs["orders"]``: ``line_rows`` read into ``orders``.
    order_value : {"sum", "total"}, optional
        With ``order_col``, how an order's value is made from its rows' value cells: ``"sum"``
        adds them (line prices, or price x quantity); ``"total"`` takes the order's total once
        (every filled cell of an order must be equal, else the order is refused naming two of
        its rows; not with ``quantity_col``). Default (None): ``"sum"``, but a file that looks
        like the order's total repeated on every line row (every order with two or more
        filled value cells has them all equal, and at least :data:`REPEATED_TOTAL_ORDERS`
        orders do) is refused, naming one such order and its rows: summed, each total would
        count once per row. Given explicitly, either value is read as asked.

    Returns
    -------
    DataFrame
        ``customer_id`` (text), ``ts`` (naive, on the file's clock), ``value`` (0.0 without a
        value column), indexed by the row's position in ``transactions`` (0-based; an order's
        first row); ``attrs["left_out"]``: rows left out by the two options
        (``no_customer_id``, ``returns``, ``returns_value``, with orders also
        ``no_customer_id_orders``; only those asked for); ``attrs["decimal_comma"]``: the
        number columns read with decimal commas and the cell that shows it (``{"Total": "row
        1: '€45,00'"}``), when any were; ``attrs["email_case"]``: e-mail addresses merged whatever
        their letter case (``{"ids": 3, "example": ["Ann@x.com", "ann@x.com"]}``), when any were.

    Raises
    ------
    ColumnNotFoundError
        A named column is missing.
    DataValidationError
        No rows; a customer id empty everywhere, empty in a row or an object; a date empty, not
        a date or ambiguous; a value or quantity empty or not a number; a negative value; with
        ``order_col``, an empty order id or an order whose rows disagree or lack a value, a
        file that looks like repeated order totals (without ``order_value``), an order with
        two totals (``order_value="total"``).
    ConfigError
        ``order_value`` unknown, without ``order_col``, or ``"total"`` with ``quantity_col``.
    """
    _check_order_value(order_value, order_col, quantity_col)
    if quantity_col and not value_col:
        raise ConfigError(
            "a quantity column needs the unit price column as the value column "
            "(--value-col PRICE --quantity-col QUANTITY)"
        )
    cols = [customer_col, date_col] + [c for c in (value_col, quantity_col, order_col) if c]
    table = _with_nested_fields(transactions.reset_index(drop=True), cols)
    require_columns(table, cols, source)
    # rows with no cell filled at all (",,,," lines under an Excel export) are not purchases
    blank = _blank_rows(table)
    n = int((~blank).sum())
    if n == 0:
        raise DataValidationError(f"{source}: no transactions; the table has no rows")
    left_out: dict[str, float] = {}
    decimal_comma: dict[str, str] = {}
    orders = _Orders(table[order_col], order_col, source, blank) if order_col else None
    no_cust = (
        (blank_cells(table[customer_col]) | table[customer_col].isna().to_numpy()) & ~blank
        if skip_missing_ids or orders is not None
        else np.zeros_like(blank)
    )
    if orders is None:
        if skip_missing_ids:
            left_out["no_customer_id"] = int(no_cust.sum())
            blank = blank | no_cust
        empty_id = blank_cells(table[customer_col]) & ~blank
        cust = read_ids(
            table[customer_col],
            customer_col,
            source,
            blank=blank,
            skip_hint=" (or pass --skip-missing-ids to leave them out, counted)"
            + (
                _line_hint(_same_as_previous(table[date_col]), empty_id, "customer")
                if empty_id.any()
                else ""
            ),
        )
        cust, email_case = _one_spelling_per_email(cust)
    else:
        ids, email_case = _one_spelling_per_email(
            read_ids(table[customer_col], customer_col, source, blank=blank | no_cust)
        )
        rep = orders.representative(
            ids, ~blank & ~no_cust, customer_col, table[customer_col], "customer"
        )
        cust = pd.Series(np.where(rep >= 0, ids.to_numpy()[np.maximum(rep, 0)], None))
        guests = orders.rows_of(~orders.having(~blank & ~no_cust)) & ~blank
        if skip_missing_ids:
            left_out["no_customer_id"] = int(guests.sum())
            left_out["no_customer_id_orders"] = int(np.unique(orders.codes[guests]).size)
            blank = blank | guests
        elif guests.any():
            i = _first_row(guests)
            raise DataValidationError(
                f"{source}: row {i}, field {customer_col!r} is empty in every row of order "
                f"{orders.ids[orders.codes[i - 1]]!r} ({np.unique(orders.codes[guests]).size} "
                "such order(s)); every purchase needs a customer id - fill it in or remove the "
                "order (or pass --skip-missing-ids to leave them out, counted)"
            )
    dates, why = _parse_dates(table[date_col], dayfirst)
    refuse_first(
        why.notna().to_numpy() & ~blank,
        lambda row: f"{source}: row {row}, field {date_col!r}",
        why,
        _date_hint,
    )
    missing = dates.isna().to_numpy() & ~blank
    if orders is not None:
        orders.refuse_without(~blank & ~missing, ~blank, date_col, "a date")
        rep = orders.representative(dates, ~blank & ~missing, date_col, table[date_col], "date")
        dates = pd.Series(dates.to_numpy()[np.maximum(rep, 0)]).where(rep >= 0)
    elif missing.any():
        i = _first_row(missing)
        same_customer = _same_as_previous(table[customer_col])
        raise DataValidationError(
            f"{source}: row {i}, field {date_col!r} is empty ({int(missing.sum())} such row(s)); "
            "every purchase needs a date - fill it in or remove the row"
            + _line_hint(same_customer, missing, "date")
        )
    frame = pd.DataFrame({"customer_id": cust, "ts": dates})
    if value_col:
        # an order's value may sit on one of its rows: the others' empty cells are no value
        no_value = (
            blank_cells(table[value_col]) & ~blank if orders is not None else np.zeros_like(blank)
        )
        if orders is not None:
            orders.refuse_without(~blank & ~no_value, ~blank, value_col, "a value")

        def line_rows() -> np.ndarray:  # the customer's and the date's cells of the row above
            return _same_as_previous(table[customer_col]) & _same_as_previous(table[date_col])

        vals, commas = _values(table[value_col], blank | no_value, value_col, source, line_rows)
        if commas:
            decimal_comma[value_col] = commas
        if orders is not None:
            no_value = _order_values(
                orders, vals, ~blank & ~no_value, table[value_col], order_value, quantity_col
            )
            vals = np.where(no_value, np.nan, vals)
        negative = (vals < 0) & ~blank
        field, cells = value_col, table[value_col]
        if quantity_col:
            qty, commas = _values(table[quantity_col], blank | no_value, quantity_col, source)
            if commas:
                decimal_comma[quantity_col] = commas
            vals = vals * qty
            if ((qty < 0) & ~blank).any():  # a return is written as a negative quantity
                negative, field, cells = (qty < 0) & ~blank, quantity_col, table[quantity_col]
            negative = negative | ((vals < 0) & ~blank)
        if skip_returns:
            left_out["returns"] = int(negative.sum())
            left_out["returns_value"] = float(-vals[negative].sum())
            blank = blank | negative
            if orders is not None:  # an order with nothing but returns goes with them
                blank = blank | orders.rows_of(~orders.having(~blank & ~no_value))
        elif negative.any():
            i = _first_row(negative)
            raise DataValidationError(
                f"{source}: row {i}, field {field!r}: {_cell(cells.iloc[i - 1])} is negative; "
                "remove refunds and returns (or net them against their purchase) before "
                f"fitting, or pass --skip-returns to leave them out, counted "
                f"({int(negative.sum())} such row(s))"
            )
        frame["value"] = np.where(no_value, 0.0, vals)
    else:
        frame["value"] = 0.0
    out = frame[~blank].copy()
    if not len(out):
        raise DataValidationError(
            f"{source}: no transactions left: every row was left out ({left_out_text(left_out)})"
        )
    if orders is not None:
        line_rows_read = len(out)
        code = orders.codes[~blank]
        out = out.groupby(code, sort=False).agg(
            customer_id=("customer_id", "first"), ts=("ts", "first"), value=("value", "sum")
        )
        first = pd.Series(np.flatnonzero(~blank)).groupby(code, sort=False).first()
        out.index = pd.Index(first.reindex(out.index).to_numpy())
        out = out.sort_index()
        out.attrs["orders"] = {"line_rows": line_rows_read, "orders": len(out)}
    out.attrs["left_out"] = left_out
    if decimal_comma:
        out.attrs["decimal_comma"] = decimal_comma
    if email_case:
        out.attrs["email_case"] = email_case
    return out


def _order_values(
    orders: _Orders,
    vals: np.ndarray,
    filled: np.ndarray,
    cells: pd.Series,
    order_value: str | None,
    quantity_col: str | None,
) -> np.ndarray:
    """The rows whose value cell is not part of their order's value (``~filled``, and with
    ``order_value="total"`` all but the first filled row of each order); refuses a file that
    looks like repeated order totals when ``order_value`` is not given."""
    field, source = str(cells.name), orders.source
    if order_value == "total":
        rep = orders.representative(
            pd.Series(vals),
            filled,
            field,
            cells,
            "total",
            fix="with --order-value total every filled value cell of an order must be the "
            "order's total - correct the file, or pass --order-value sum if the rows hold line "
            "values",
        )
        return ~filled | (np.arange(len(vals)) != rep)
    if order_value is None:  # "sum" unless the file looks like repeated totals
        rows, k = orders.repeated_totals(vals, filled)
        if k:
            what = (
                "; with --quantity-col the value column must be the line's unit price - pass "
                "that column (or --order-value sum if each line's unit price really is that)"
                if quantity_col
                else "; pass --order-value total to take each order's total once (or "
                "--order-value sum if each line really costs that)"
            )
            raise DataValidationError(
                f"{source}: {_rows_text(rows)}, field {field!r}: order "
                f"{orders.ids[orders.codes[rows[0]]]!r} has {_cell(cells.iloc[rows[0]])} on each "
                f"of its {len(rows)} rows, as every order with more than one value has one value "
                f"on all its rows ({k:,} orders), which looks like the order's total repeated on "
                f"every line row (summed, it would count {len(rows)} times){what}"
            )
    return ~filled


def left_out_text(left_out: dict[str, float]) -> str:
    """``left_out`` in words: "12 rows with no customer id, 3 returns"."""
    parts = []
    if left_out.get("no_customer_id"):
        orders = left_out.get("no_customer_id_orders")
        of = f" ({int(orders):,} order(s))" if orders is not None else ""
        parts.append(f"{int(left_out['no_customer_id']):,} row(s){of} with no customer id")
    if left_out.get("returns"):
        parts.append(
            f"{int(left_out['returns']):,} return(s) worth {left_out['returns_value']:,.2f}"
        )
    return ", ".join(parts) or "nothing"


def parse_purchase_dates(values: pd.Series, dayfirst: bool | None = None) -> pd.Series:
    """Timestamps by the rules above (NaT where empty or unreadable)."""
    return _parse_dates(values, dayfirst)[0]
