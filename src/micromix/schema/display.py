"""How figures are written for people: money, intervals, a missing figure, a short list.

One way for every Python surface (the CLI, the plan, the HTML report, KPI and comparison
texts), so the same figure reads the same wherever it is shown. It lives in ``schema`` (the
lowest layer that knows currencies), so that every package above it may use it.

* :func:`format_money` — ``-$885.58``: the sign before the currency symbol (or code),
  thousands separated.
* :func:`format_interval` — ``5.70 (2.10 to 9.30)``.
* :data:`MISSING` — ``n/a``: the text of a figure there is none of, in terminal text, plan
  sentences and the HTML report alike (the dashboard's JavaScript shows its own ``–``).
* :func:`listed` — ``a, b, c and 2 more``.

Quickstart
----------
>>> from micromix.schema.display import format_interval, format_money, listed
>>> format_money(-885.58, "$", 2), format_money(1234.6, "EUR"), format_money(None, "$")
('-$885.58', '€1,235', 'n/a')
>>> format_interval(5.7, 2.1, 9.3), format_interval(float("nan"), 1, 2)
('5.70 (2.10 to 9.30)', 'n/a')
>>> listed(["a", "b", "c", "d", "e"])
'a, b, c and 2 more'
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from micromix.schema.values import CURRENCY_SIGNS

__all__ = [
    "MISSING",
    "format_interval",
    "format_money",
    "format_signed_money",
    "is_missing",
    "listed",
]

#: the text of a figure there is none of (None, NaN, infinite), in every Python surface
MISSING = "n/a"


def is_missing(value: Any) -> bool:
    """True for None, NaN, ``pd.NA``/``NaT`` and infinite numbers (what :data:`MISSING` shows).

    >>> import pandas as pd
    >>> [is_missing(v) for v in (None, float("nan"), float("inf"), pd.NA, pd.NaT, 0, "x")]
    [True, True, True, True, True, False, False]
    """
    if value is None:
        return True
    try:
        v = float(value)
    except (TypeError, ValueError):
        try:  # NaT is unequal to itself; pd.NA's comparison is not even a bool
            return bool(value != value)
        except TypeError:
            return True
    return not math.isfinite(v)


def format_money(value: float | None, currency_or_symbol: str = "$", digits: int = 0) -> str:
    """``-$885.58`` style: the sign before the currency, thousands separated; :data:`MISSING`
    when there is no figure.

    Parameters
    ----------
    value : float or None
    currency_or_symbol : str
        A symbol (``$``, ``€``), an ISO code (``EUR`` is shown ``€``, ``AUD`` as ``AUD 12``:
        a currency without its own symbol keeps its code, spaced), or ``""`` when the currency
        is not known (the bare number: never a guessed ``$``).
    digits : int
        Decimals (0: whole units).

    >>> format_money(-0.001, "$", 2), format_money(12, "AUD"), format_money(12.5, "", 2)
    ('$0.00', 'AUD 12', '12.50')
    """
    if is_missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    sym = CURRENCY_SIGNS.get(currency_or_symbol, currency_or_symbol)
    sign = "-" if v < 0 and round(abs(v), digits) > 0 else ""
    body = f"{abs(v):,.{digits}f}"
    return f"{sign}{sym}{body}" if len(sym) <= 1 else f"{sign}{sym} {body}"


def format_signed_money(value: float | None, currency_or_symbol: str = "$", digits: int = 0) -> str:
    """A change of money: ``+$887``, ``-$195``, and no sign on what rounds to zero (``$0``, not
    ``+$0``).

    >>> format_signed_money(887, "$"), format_signed_money(-195, "$"), format_signed_money(0.3, "AUD")
    ('+$887', '-$195', 'AUD 0')
    """
    text = format_money(value, currency_or_symbol, digits)
    if is_missing(value) or round(float(value), digits) <= 0:  # type: ignore[arg-type]
        return text
    return "+" + text


def format_interval(value: Any, low: Any, high: Any, digits: int = 2) -> str:
    """``est (low to high)``; the estimate alone without both bounds; :data:`MISSING` without an
    estimate.

    >>> format_interval(1234.5, 1000, 1500.25), format_interval(1.5, None, 2)
    ('1,234.50 (1,000.00 to 1,500.25)', '1.50')
    """
    if is_missing(value):
        return MISSING
    est = f"{float(value):,.{digits}f}"
    if is_missing(low) or is_missing(high):
        return est
    return f"{est} ({float(low):,.{digits}f} to {float(high):,.{digits}f})"


def listed(
    items: Iterable[object],
    *,
    top: int = 3,
    sep: str = ", ",
    what: str = "",
    total: int | None = None,
) -> str:
    """The first ``top`` items joined by ``sep``, then how many more there are.

    Parameters
    ----------
    items : iterable
        What to list (each shown with ``str``); a caller may pass the first few only and give
        ``total``.
    top : int
        How many to show.
    sep : str
        Between items; before "and N more" too, less a comma (``a, b and 2 more``,
        ``a; b; and 2 more``).
    what : str
        The noun after the count (``and 2 more campaigns``).
    total : int, optional
        How many there are in all (default: the items given).

    Examples
    --------
    >>> listed(["a", "b", "c", "d", "e"], top=2)
    'a, b and 3 more'
    >>> listed(["x: 5", "y: 7"], top=1, sep="; ", what="experiments", total=1200)
    'x: 5; and 1,199 more experiments'
    >>> listed(["a", "b"]), listed([])
    ('a, b', '')
    """
    texts = [str(i) for i in items]
    more = (len(texts) if total is None else total) - top
    shown = sep.join(texts[:top])
    if more <= 0:
        return shown
    noun = f" {what}" if what else ""
    return f"{shown}{sep.replace(',', '')}and {more:,} more{noun}"
