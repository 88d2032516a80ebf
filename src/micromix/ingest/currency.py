"""The currency of a file's money: from a currency column, a header, the cells or
``--currency``; a cell that cannot be in its row's currency quarantines the row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from micromix.errors import DataValidationError
from micromix.ingest.formats import (
    ERROR_FIELD,
    ERROR_REASON,
    FormatAdapter,
)
from micromix.schema import (
    EntitySchema,
    read_numbers,
)
from micromix.schema.values import (
    currencies_of_symbol,
    currency_code,
    currency_codes,
    currency_problem,
)


def _check_currency_option(currency: str | None) -> str | None:
    return None if currency is None else currency_code(currency, what="--currency")


def _apply_currency(
    schema: EntitySchema,
    data: pd.DataFrame,
    code: str | None,
    source: str,
    adapter: FormatAdapter,
    *,
    need: bool = True,
) -> str | None:
    """Fill and check the currency of money rows (in place); refuse money without one (with
    ``need=False``: return the refusal as a note and leave those rows without a currency)."""
    if "currency" not in schema.columns:
        return None
    money = [f.name for f in schema.fields if f.money and f.name in data.columns]
    cur = (
        data["currency"].map(
            lambda v: None if v is None or str(v).strip() == "" else str(v).strip().upper()
        )
        if "currency" in data.columns
        else pd.Series([None] * len(data), index=data.index, dtype=object)
    )
    if code is not None:
        stated = {c for c in cur.dropna().unique() if c != code}
        if stated:
            raise DataValidationError(
                f"{source}: the file states its currency as {', '.join(sorted(stated))} but "
                f"--currency says {code}; leave out --currency (micromix never converts)"
            )
    problems = currency_codes(cur).problems
    odd = problems.notna()
    if bool(odd.any()):
        _mark_row_error(
            data,
            odd,
            pd.Series("currency", index=data.index),
            pd.Series([_odd_currency(v, why) for v, why in zip(cur, problems)], index=data.index),
        )
    cur = _cells_currency(data, money, cur, code)
    if code is not None:
        cur = cur.where(cur.notna(), code)
    # rows already quarantined (a cell naming no currency, "12 GPB") ask for no --currency
    unset = cur.isna() & (data[ERROR_REASON].isna() if ERROR_REASON in data.columns else True)
    if money and unset.any():
        amounts = pd.concat([read_numbers(data[m].where(unset)).values for m in money], axis=1)
        nonzero = (amounts.fillna(0) != 0).any(axis=1)
        if bool(nonzero.any()):
            said = (
                f"the file gives no currency for its money columns ({', '.join(money)}) and "
                f"the {adapter.lookup_name} layout does not state one"
            )
            if not need:
                data["currency"] = cur
                return (
                    f"{said}: an ingest needs --currency with the account's ISO code (e.g. "
                    "--currency EUR)"
                )
            raise DataValidationError(
                f"{source}: {said}; pass --currency with the account's ISO code (e.g. "
                "--currency EUR)"
            )
    data["currency"] = cur
    return None


def _odd_currency(v: object, problem: str | None) -> str | None:
    """Why a currency cell is not one currency (``problem``: what
    :func:`~micromix.schema.values.currency_codes` says of it)."""
    if problem is not None and "/" in str(v):  # the copies of a repeated currency column
        return f"the header's currency columns disagree ({str(v).replace('/', ', ')})"
    return problem


def _mark_row_error(
    data: pd.DataFrame, rows: pd.Series, field: pd.Series, reason: pd.Series
) -> None:
    """Quarantine ``rows`` (a boolean mask) with their field and reason, unless already bad."""
    if ERROR_REASON not in data.columns:
        data[ERROR_FIELD] = None
        data[ERROR_REASON] = None
    todo = rows & data[ERROR_REASON].isna()
    data.loc[todo, ERROR_FIELD] = field[todo]
    data.loc[todo, ERROR_REASON] = reason[todo]


def _cells_currency(
    data: pd.DataFrame, money: list[str], cur: pd.Series, code: str | None
) -> pd.Series:
    """Currencies the money cells name themselves (``"€12"``, ``"12 GBP"``, ``"$3"``).

    A row without a stated currency takes the one its cells name (when the symbol names one
    currency, not ``$`` or ``¥``); a cell that cannot be in the row's currency (its currency
    column, else ``--currency``) puts the row in quarantine: micromix never converts, and never
    books euros as dollars. The currencies cells name are checked against each other too.
    """
    allowed: list[frozenset[str] | None] = [None] * len(data)
    first: list[tuple[str, str] | None] = [None] * len(data)
    clash = np.zeros(len(data), dtype=bool)
    unknown: dict[int, tuple[str, str]] = {}  # row -> (column, why) of a cell naming no currency
    for m in money:
        col = data[m]
        if col.dtype != object:  # numbers already: no cell names a currency
            continue
        is_text = col.map(lambda v: isinstance(v, str)).to_numpy(bool)
        if not is_text.any():
            continue
        text = col[is_text]
        marked = text.str.contains(r"[^\d\s.,+\-()%'\u00a0\u202f]", regex=True)
        cells = text[marked.to_numpy(bool)]
        lookup = {v: currencies_of_symbol(v) for v in cells.unique()}
        for i, v in zip(np.flatnonzero(is_text)[marked.to_numpy(bool)], cells):
            names = lookup[v]
            if not names:
                continue
            if len(names) == 1 and (problem := currency_problem(next(iter(names)))):
                unknown.setdefault(i, (m, f"{v!r} names a currency: {problem}"))
                continue
            prev = allowed[i]
            now = names if prev is None else prev & names
            allowed[i] = now
            if first[i] is None:
                first[i] = (m, v)
            if not now:
                clash[i] = True
    if unknown:
        at = pd.Series(False, index=data.index)
        at.iloc[list(unknown)] = True
        field = pd.Series([None] * len(data), index=data.index, dtype=object)
        reason = field.copy()
        for i, (col, why) in unknown.items():
            field.iat[i], reason.iat[i] = col, why
        _mark_row_error(data, at, field, reason)
    if all(a is None for a in allowed):
        return cur
    row_cur = cur if code is None else cur.where(cur.notna(), code)
    bad = np.zeros(len(data), dtype=bool)
    field = pd.Series([None] * len(data), index=data.index, dtype=object)
    reason = field.copy()
    named = cur.copy()
    origin = "its currency column" if code is None else f"--currency {code}"
    for i, (ok, c) in enumerate(zip(allowed, row_cur)):
        if ok is None:
            continue
        c = None if pd.isna(c) else c  # Series.map gives NaN for the None of an empty cell
        col, value = first[i] or ("currency", "")
        if clash[i]:
            bad[i] = True
            field.iat[i] = col
            reason.iat[i] = (
                f"{value!r} and another money cell of the row are in different currencies; "
                "split the row by currency"
            )
        elif c is not None and c not in ok:
            bad[i] = True
            field.iat[i] = col
            what = (
                f"is in {next(iter(ok))} but the row's currency is {c}"
                if len(ok) == 1
                else f"is not an amount in {c}"
            )
            reason.iat[i] = (
                f"{value!r} {what} ({origin}); micromix never converts: fix the cell or "
                "ingest those rows with their own currency"
            )
        elif c is None and len(ok) == 1:
            named.iat[i] = next(iter(ok))
    if bad.any():
        _mark_row_error(data, pd.Series(bad, index=data.index), field, reason)
    return named
