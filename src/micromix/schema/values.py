"""One way to read a value: timestamps, numbers, true/false words and text cells.

Every path that turns outside data into typed values (file ingest, the REST API, the real-time
detector, social listening, creator scoring) reads cells through these functions, so that a
value means the same thing everywhere and a value micromix cannot read exactly is refused with a
reason instead of being guessed.

* :func:`read_timestamps` — ISO 8601 with or without an offset, ``YYYYMMDD``, ``2026/05/27``,
  ``3 May 2026``, ``May 3, 2026``, day-first or month-first slash dates (detected from the
  column, or told), epoch seconds / milliseconds / microseconds / nanoseconds told apart by
  magnitude. Relative words (``today``, ``now``) are refused, and so is anything outside one
  validated window (:data:`DEFAULT_WINDOW`, 1970-01-01 to 2100-01-01, configurable).
* :func:`read_numbers` — plain numbers, thousands separators (``"9,380"``), currency symbols
  (``"$1,200.50"``, ``"€9.71"``), placeholders (``" --"``, ``"-"``), bracketed values
  (``"[0.93]"``), percentages (``"1.39%"`` -> 0.0139 where a rate is expected) and abbreviated
  counts (``"48.5M"``, ``"383.1K"``, exact: decimal arithmetic, never binary floats). Whole
  numbers beyond 2**53 and amounts beyond 1e15 are refused: they cannot be summed exactly.
* :func:`read_bools` and :func:`truthy` — the one true/false vocabulary (:data:`TRUE_WORDS`,
  :data:`FALSE_WORDS`).
* :func:`read_text` — text cells; JSON objects and arrays are refused where text is expected.

Each ``read_*`` function returns the typed values and a :class:`pandas.Series` of problems
(``None`` where the value is fine), one per input cell.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.schema.values import read_numbers, read_timestamps
>>> ts, why = read_timestamps(pd.Series(["2024-05-01T10:00:00+02:00", "1714550400000", "today"]))
>>> [str(t) for t in ts[:2]], why[2]
(['2024-05-01 08:00:00+00:00', '2024-05-01 08:00:00+00:00'], "'today' is a relative date; give the calendar date instead")
>>> nums, why = read_numbers(pd.Series(["9,380", " --", "[0.93]", "48.5M"]), abbreviated=True)
>>> [None if pd.isna(x) else float(x) for x in nums], bool(why.isna().all())
([9380.0, None, 0.93, 48500000.0], True)
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import warnings
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from micromix.errors import ConfigError, DataValidationError

__all__ = [
    "CURRENCY_HINT",
    "CURRENCY_SIGNS",
    "DEFAULT_WINDOW",
    "FALSE_WORDS",
    "ISO_4217_CODES",
    "MAX_AMOUNT",
    "MAX_COUNT",
    "NULL_TOKENS",
    "RELATIVE_WORDS",
    "TRUE_WORDS",
    "Parsed",
    "Rewritten",
    "TimeWindow",
    "blank_cells",
    "currencies_of_symbol",
    "currency_code",
    "currency_codes",
    "currency_of_symbol",
    "currency_problem",
    "currency_sign",
    "day_order_conflict",
    "day_order_problem",
    "decimal_mark",
    "decimal_marks",
    "detect_dayfirst",
    "epoch_seconds",
    "parse_timestamps",
    "read_bools",
    "read_numbers",
    "read_text",
    "read_timestamps",
    "refuse_first",
    "truthy",
    "with_decimal_point",
    "with_decimal_points",
]


class TimeWindow(NamedTuple):
    """The accepted span of timestamps: ``start <= ts < end`` (both UTC)."""

    start: pd.Timestamp
    end: pd.Timestamp

    @classmethod
    def of(cls, start: object, end: object) -> TimeWindow:
        """Build a window from anything :class:`pandas.Timestamp` reads; naive means UTC."""
        try:
            a, b = pd.Timestamp(start), pd.Timestamp(end)  # type: ignore[arg-type]
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"time window {start!r}..{end!r} is not two dates ({exc})") from exc
        a = a.tz_localize("UTC") if a.tzinfo is None else a.tz_convert("UTC")
        b = b.tz_localize("UTC") if b.tzinfo is None else b.tz_convert("UTC")
        if not a < b:
            raise ConfigError(f"time window {start!r}..{end!r} is empty; the start must be first")
        return cls(a, b)


#: timestamps outside this window are refused (configurable per call)
DEFAULT_WINDOW = TimeWindow.of("1970-01-01", "2100-01-01")
#: words that would make a value depend on the wall clock: always refused
RELATIVE_WORDS = frozenset(
    {"today", "now", "yesterday", "tomorrow", "tonight", "current", "ago", "last", "next"}
)
#: the one true/false vocabulary (compared lower-case, stripped)
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "1.0", "on"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "0.0", "off"})
#: cell texts that mean "no value"
NULL_TOKENS = frozenset({"", "nan", "NaN", "NAN", "null", "NULL", "Null", "None", "none", "<NA>"})
#: placeholders exports use for "no value" in number columns
_NUMBER_PLACEHOLDERS = frozenset({"-", "--", "—", "–", "n/a", "N/A", "NA", "na", "N/a", "#N/A"})
#: largest whole number accepted (exact in a float64 sum)
MAX_COUNT = 2**53
#: largest absolute amount accepted for a decimal measure
MAX_AMOUNT = 1e15


class Parsed(NamedTuple):
    """Typed values and one problem (``None`` when fine) per input cell."""

    values: pd.Series
    problems: pd.Series


def _problems(index: pd.Index) -> pd.Series:
    return pd.Series([None] * len(index), index=index, dtype=object)


def _describe(v: object) -> str:
    if isinstance(v, np.generic):
        v = v.item()  # 1e+308, not np.float64(1e+308)
    s = repr(v)
    return s if len(s) <= 60 else s[:57] + "...'"


def _json_kind(v: object) -> str | None:
    if isinstance(v, dict):
        return "a JSON object"
    if isinstance(v, (list, tuple)):
        return "a JSON array"
    return None


# ====================================================================== text
def read_text(values: pd.Series, *, strict: bool = False) -> Parsed:
    """Text cells: stripped, empty -> null; JSON objects/arrays refused.

    Parameters
    ----------
    strict : bool
        Also refuse ``true``/``false`` (JSON booleans), for identifiers.
    """
    problems = _problems(values.index)
    if isinstance(values.dtype, pd.StringDtype) or values.dtype != object:
        text = values.astype("string").str.strip()
        text = text.mask(text.isin(NULL_TOKENS))
        # (pandas' str dtype cannot hold lone surrogates, so only NUL needs a look here)
        bad = text.str.contains("\x00", regex=False).fillna(False).to_numpy(bool)
        for pos in np.flatnonzero(bad):
            problems.iat[int(pos)] = "contains a NUL character"
        return Parsed(text.where(~bad), problems)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        fast = _text_fast(values, problems)
        if fast is not None:
            return Parsed(fast, problems)
    out: list[object] = []
    for i, v in enumerate(values.tolist()):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            out.append(None)
            continue
        kind = _json_kind(v)
        if kind is None and strict and isinstance(v, bool):
            kind = f"the boolean {str(v).lower()}"
        if kind is not None:
            problems.iat[i] = f"{kind} is not a valid value here; expected text"
            out.append(None)
            continue
        if isinstance(v, float) and v.is_integer() and abs(v) < MAX_COUNT:
            v = int(v)
        s = str(v).strip()
        if "\x00" in s:
            problems.iat[i] = "contains a NUL character"
            out.append(None)
            continue
        if any("\ud800" <= ch <= "\udfff" for ch in s):
            problems.iat[i] = (
                "contains bytes that are not valid UTF-8"
                if any("\udc80" <= ch <= "\udcff" for ch in s)
                else "contains an unpaired surrogate (not valid Unicode)"
            )
            out.append(None)
            continue
        out.append(None if s in NULL_TOKENS else s)
    return Parsed(pd.Series(out, index=values.index, dtype="string"), problems)


def _text_fast(values: pd.Series, problems: pd.Series) -> pd.Series | None:
    """Vectorised read of an object column holding only text (None if it needs the slow path:
    lone surrogates, which pandas' string dtype cannot hold)."""
    try:
        text = values.astype("string")
    except UnicodeEncodeError:
        return None
    text = text.str.strip()
    text = text.mask(text.isin(NULL_TOKENS))
    nul = text.str.contains("\x00", regex=False).fillna(False).to_numpy(bool)
    for pos in np.flatnonzero(nul):
        problems.iat[int(pos)] = "contains a NUL character"
    return text.where(~nul)


# ====================================================================== true / false
def read_bools(values: pd.Series) -> Parsed:
    """True/false cells in the one vocabulary (:data:`TRUE_WORDS`, :data:`FALSE_WORDS`)."""
    problems = _problems(values.index)
    if pd.api.types.is_bool_dtype(values.dtype):
        return Parsed(values.astype("boolean"), problems)
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    for i, v in enumerate(values.tolist()):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            out.iat[i] = bool(v)
            continue
        kind = _json_kind(v)
        if kind is not None:
            problems.iat[i] = f"{kind} is not true/false"
            continue
        s = str(v).strip().lower()
        if s in TRUE_WORDS:
            out.iat[i] = True
        elif s in FALSE_WORDS:
            out.iat[i] = False
        elif s in {x.lower() for x in NULL_TOKENS}:
            continue
        else:
            problems.iat[i] = f"{_describe(v)} is not true/false"
    return Parsed(out, problems)


def truthy(values: Iterable[object] | pd.Series) -> np.ndarray:
    """Boolean mask: True where a value is a true word, ``True`` or a non-zero number.

    Anything else (false words, blanks, other text) is False.

    >>> truthy(["yes", "0", None, 1, "TRUE", "maybe"]).tolist()
    [True, False, False, True, True, False]
    """
    out = []
    for v in values.tolist() if isinstance(values, pd.Series) else list(values):
        if isinstance(v, (bool, np.bool_)):
            out.append(bool(v))
        elif isinstance(v, (int, float, np.integer, np.floating)):
            out.append(bool(v == v and v != 0))
        elif v is None or v is pd.NA:
            out.append(False)
        else:
            out.append(str(v).strip().lower() in TRUE_WORDS)
    return np.asarray(out, dtype=bool)


# ====================================================================== numbers
_CURRENCY_SYMBOLS = {
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₫": "VND",
    "₦": "NGN",
    "₱": "PHP",
    "US$": "USD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "NZ$": "NZD",
    "R$": "BRL",
    "HK$": "HKD",
    "S$": "SGD",
    "Rp": "IDR",
}
#: symbols that do not tell the currency apart, with the currencies written with them
_DOLLARS = (
    "USD AUD CAD NZD SGD HKD TWD MXN ARS CLP COP UYU BRL FJD JMD TTD BBD BSD BZD BMD KYD XCD LRD "
    "NAD SBD SRD GYD BND KID TVD"
)
_SYMBOL_FAMILIES: dict[str, frozenset[str]] = {
    "$": frozenset(_DOLLARS.split(" ")),
    "¥": frozenset({"JPY", "CNY"}),
    "kr": frozenset({"SEK", "NOK", "DKK", "ISK"}),
}
_AMBIGUOUS_SYMBOLS = tuple(_SYMBOL_FAMILIES)
_SYMBOL_RE = "|".join(
    re.escape(s) for s in sorted([*_CURRENCY_SYMBOLS, *_AMBIGUOUS_SYMBOLS], key=len, reverse=True)
)
_MONEY = re.compile(
    rf"^(?P<pre>(?:[A-Z]{{3}}(?=[\s\d.$]))|{_SYMBOL_RE})?\s*(?P<num>[^A-Za-z€£₹₩₽₺₫₦₱$¥]+?)"
    rf"\s*(?P<post>{_SYMBOL_RE}|[A-Z]{{3}})?$"
)
_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")
_THOUSANDS_SPACE = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:[.,]\d+)?$")
_ABBREV = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))\s*([kKmMbB])$")
_ABBREV_FACTOR = {"k": Decimal(1000), "m": Decimal(10**6), "b": Decimal(10**9)}


def currency_of_symbol(text: object) -> str | None:
    """ISO code of the currency a money cell names (``"€9.71"`` -> ``EUR``), if unambiguous.

    >>> currency_of_symbol("€9.71"), currency_of_symbol("$5"), currency_of_symbol("12 GBP")
    ('EUR', None, 'GBP')
    """
    names = currencies_of_symbol(text)
    return next(iter(names)) if len(names) == 1 else None


def currencies_of_symbol(text: object) -> frozenset[str]:
    """The currencies a money cell may be in, by its symbol or code; empty when it names none.

    An unambiguous symbol or an ISO code names one currency (the first one, before or after
    the amount); ``$``, ``¥`` or ``kr`` alone name their family.

    >>> sorted(currencies_of_symbol("€9.71")), "CAD" in currencies_of_symbol("$5")
    (['EUR'], True)
    >>> currencies_of_symbol("12")
    frozenset()
    """
    if not isinstance(text, str) or len(text) > 100:
        return frozenset()
    m = _MONEY.match(text.strip())
    if not m:
        return frozenset()
    family: frozenset[str] = frozenset()
    for part in (m.group("pre"), m.group("post")):
        if not part:
            continue
        part = part.strip()
        if part in _CURRENCY_SYMBOLS:
            return frozenset({_CURRENCY_SYMBOLS[part]})
        if re.fullmatch(r"[A-Z]{3}", part):
            return frozenset({part})
        family = family or _SYMBOL_FAMILIES.get(part, frozenset())
    return family


# ====================================================================== currency codes
#: the currency a symbol several currencies share is shown for (``$`` alone is USD's)
_SHOWN_WITH_SHARED = {"$": "USD", "¥": "JPY"}
#: the symbol each currency is shown with, derived from the symbols read above: the
#: one-character symbols that name one currency, and ``$``/``¥`` for USD/JPY; a currency not
#: here is shown as its code
CURRENCY_SIGNS: dict[str, str] = {
    **{code: s for s, code in _CURRENCY_SYMBOLS.items() if len(s) == 1},
    **{code: s for s, code in _SHOWN_WITH_SHARED.items()},
}
#: the ISO 4217 codes of money (list one, as published by SIX, the standard's maintenance
#: agency, in 2025): the active codes, plus the codes withdrawn since 2020 that exports
#: of those years still carry (HRK, SLL, CUC, ZWL, and ANG / BGN as they are replaced by XCG /
#: EUR). Left out: XTS (testing) and XXX (no currency), which no spend is in.
_ISO_4217_LIST = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR
    ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD
    MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
    PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF
    XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
"""
ISO_4217_CODES: frozenset[str] = frozenset(_ISO_4217_LIST.split())
#: the codes a typo is matched to: the currencies, not the funds, metals and units (BOV, XAU)
_NOT_MONEY = "BOV CHE CHW CLF COU MXV USN UYI UYW XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XUA"
_SUGGESTED = ISO_4217_CODES - frozenset(_NOT_MONEY.split(" "))
#: the currencies ads are most often bought in, most common first (breaks ties between typos)
_AD_CURRENCIES = (
    "USD EUR GBP INR AUD CAD JPY BRL MXN IDR CNY CHF SEK NOK DKK NZD SGD HKD ZAR PLN TRY KRW AED "
    "SAR THB MYR PHP VND"
)
_COMMON = {c: i for i, c in enumerate(_AD_CURRENCIES.split(" "))}
_THREE_LETTERS = re.compile(r"[A-Z]{3}")
#: what a wrong currency code should be written as
CURRENCY_HINT = "use the three-letter code, like USD, EUR or GBP"


def currency_problem(code: str) -> str | None:
    """Why ``code`` (trimmed, upper case) is not a currency micromix books money in, or
    ``None`` when it is one of :data:`ISO_4217_CODES`; a near miss is named.

    >>> currency_problem("GBP") is None, currency_problem("GPB")
    (True, "'GPB' is not an ISO 4217 code; did you mean GBP?")
    >>> currency_problem("DOLLARS")
    "'DOLLARS' is not a three-letter ISO 4217 code (USD, EUR ...)"
    """
    if code in ISO_4217_CODES:
        return None
    if not _THREE_LETTERS.fullmatch(code):
        return f"{code!r} is not a three-letter ISO 4217 code (USD, EUR ...)"
    return f"{code!r} is not an ISO 4217 code; {_currency_fix(code)}"


def _currency_fix(code: str) -> str:
    """What to write instead of the unknown code ``code``: the code it is most likely a typo
    of, else the hint. Two letters swapped (``GPB``), then the same letters in another order,
    then one letter wrong (``AUS``); among several, the currency ads are most often bought in.
    (``difflib``'s ratio ranks ``PAB`` above ``GBP`` for ``GPB``: it does not know swaps.)"""
    if not _THREE_LETTERS.fullmatch(code):
        return CURRENCY_HINT
    swapped = {code[:i] + code[i + 1] + code[i] + code[i + 2 :] for i in range(2)}
    same_letters = {c for c in _SUGGESTED if sorted(c) == sorted(code)}
    one_off = {c for c in _SUGGESTED if sum(a != b for a, b in zip(c, code)) == 1}
    for tier in (swapped, same_letters, one_off):
        hits = [c for c in tier if c in _SUGGESTED]
        if hits:
            best = min(hits, key=lambda c: (_COMMON.get(c, len(_COMMON)), c))
            return f"did you mean {best}?"
    return CURRENCY_HINT


def currency_code(text: object, *, what: str = "currency") -> str:
    """The ISO 4217 code ``text`` states (trimmed, upper case), or a
    :class:`~micromix.errors.ConfigError` naming ``what`` (``--currency``, ``currency=``): the
    one check of a currency a user states, for ingest, KPIs, the rates file and the MMM spec.
    The code must be one of :data:`ISO_4217_CODES`, not just three letters.

    >>> currency_code(" eur ")
    'EUR'
    >>> currency_code("dollars", what="--currency")
    Traceback (most recent call last):
    ...
    micromix.errors.ConfigError: --currency 'dollars' is not an ISO 4217 code; use the three-letter code, like USD, EUR or GBP
    >>> currency_code("GPB", what="--currency")
    Traceback (most recent call last):
    ...
    micromix.errors.ConfigError: --currency 'GPB' is not an ISO 4217 code; did you mean GBP?
    """
    code = str(text).strip().upper() if text is not None else ""
    if code not in ISO_4217_CODES:
        raise ConfigError(f"{what} {text!r} is not an ISO 4217 code; {_currency_fix(code)}")
    return code


def currency_codes(values: pd.Series) -> Parsed:
    """:func:`currency_code` of each cell (vectorised): the upper-case codes (``None`` for a
    blank cell, which is no problem) and a problem for each cell that is not a code.

    >>> codes, why = currency_codes(pd.Series(["gbp", "", "GPB"]))
    >>> codes.tolist(), why.tolist()
    (['GBP', None, None], [None, None, "'GPB' is not an ISO 4217 code; did you mean GBP?"])
    """
    # a column holds few distinct currencies: each is checked once
    which, distinct = pd.factorize(values, use_na_sentinel=True)
    codes: list[str | None] = []
    whys: list[str | None] = []
    for v in distinct:
        text = str(v).strip()
        up = text.upper()
        blank = text in NULL_TOKENS or (isinstance(v, float) and math.isnan(v))
        problem = None if blank else currency_problem(up)
        codes.append(up if problem is None and not blank else None)
        whys.append(problem)
    at = np.where(which < 0, len(codes), which)
    out = np.asarray([*codes, None], dtype=object)[at]
    why = np.asarray([*whys, None], dtype=object)[at] if any(whys) else np.full(len(at), None)
    return Parsed(
        pd.Series(out, index=values.index, dtype=object),
        pd.Series(why, index=values.index, dtype=object),
    )


def currency_sign(code: str | None) -> str:
    """The symbol money in ``code`` is shown with (:data:`CURRENCY_SIGNS`), else the code;
    ``""`` when no currency is known (never a guessed ``$``).

    >>> currency_sign("GBP"), currency_sign("AUD"), currency_sign(None)
    ('£', 'AUD', '')
    """
    if not code:
        return ""
    return CURRENCY_SIGNS.get(code, code)


def _number_text(s: str, *, percent: bool, abbreviated: bool) -> tuple[Decimal | None, str | None]:
    """Parse one non-empty cell; (value, None), (None, None) for a placeholder, or a problem."""
    t = s.strip()
    if t in _NUMBER_PLACEHOLDERS or t in NULL_TOKENS:
        return None, None
    if len(t) > 100:  # before any pattern: no number is this long (and no regex backtracks)
        digits = t.lstrip("+-").replace(",", "").replace(".", "", 1)
        if digits.isdigit():
            return None, "number has too many digits"
        return None, f"{_describe(s)} is not a number (too long)"
    if t.startswith("[") and t.endswith("]"):  # Pinterest: "[0.93]"
        t = t[1:-1].strip()
        if t in _NUMBER_PLACEHOLDERS or not t:
            return None, None
    negative = False
    if t.startswith("(") and t.endswith(")"):  # accounting negative
        t, negative = t[1:-1].strip(), True
    if t[:1] in "<>≤≥~" or t[:2] in ("<=", ">="):
        return None, f"{_describe(s)} is a bound, not a number"
    is_percent = t.endswith("%")
    if is_percent and t[:-1].strip() in NULL_TOKENS | _NUMBER_PLACEHOLDERS:
        return None, None
    if is_percent:
        if not percent:
            return None, f"{_describe(s)} is a percentage where a number is expected"
        t = t[:-1].strip()
    m = _MONEY.match(t)
    if m and (m.group("pre") or m.group("post")):
        t = m.group("num").strip()
    scale = Decimal(1)
    am = _ABBREV.match(t)
    if am:
        if not abbreviated:
            return None, f"{_describe(s)} is an abbreviated count where a number is expected"
        t, scale = am.group(1), _ABBREV_FACTOR[am.group(2).lower()]
    if _THOUSANDS_COMMA.match(t):
        t = t.replace(",", "")
    elif _THOUSANDS_DOT.match(t):
        t = t.replace(".", "").replace(",", ".")
    elif _THOUSANDS_SPACE.match(t):
        t = re.sub(r"[ \u00a0\u202f']", "", t).replace(",", ".")
    if not _PLAIN.match(t):
        if "," in t:
            return None, f"{_describe(s)} is not a number (a decimal comma or a stray separator)"
        return None, f"{_describe(s)} is not a number"
    try:
        d = Decimal(t) * scale
    except InvalidOperation:
        return None, f"{_describe(s)} is not a number"
    if is_percent:
        d = d / 100
    return (-d if negative else d), None


#: the digits and separators of the number in a cell ("€1.234,56" -> "1.234,56")
#: separators that group thousands in both ways of writing numbers ("1 234,56", "1'234.56"):
#: spaces (also no-break and narrow no-break) and apostrophes
_GROUPERS = "[ \t\u00a0\u202f']"
_GROUPING = re.compile(_GROUPERS)
_NUMBER_CORE = re.compile(f"[0-9](?:[0-9.,]|{_GROUPERS})*[0-9]|[0-9]")


def decimal_mark(value: object) -> str | None:
    """The decimal mark a number cell shows: ``"comma"`` ("12,5", "1.234,56", "0,00 €",
    "1 234,56", "1.234.567"), ``"point"`` ("12.5", "1,234.5", "1,234,567"), ``"either"`` when
    it reads both ways ("1,234", "1.234": a thousands separator or a decimal mark), None when
    it has no separator (or is not text).

    >>> [decimal_mark(v) for v in ("12,5", "1.234,56", "0,00 €", "1,234.5", "1,234", "42")]
    ['comma', 'comma', 'comma', 'point', 'either', None]
    """
    return decimal_marks(pd.Series([value], dtype=object)).iat[0]  # type: ignore[no-any-return]


def decimal_marks(values: pd.Series) -> pd.Series:
    """:func:`decimal_mark` of each cell of ``values`` (vectorised; positions as ``values``).

    The separator that comes last is the decimal mark when a number has both ("1.234,56"); a
    separator that repeats groups thousands ("1.234.567"); a single one is a decimal mark
    unless it could group thousands ("1,234": one to three digits, not starting with 0, then
    exactly three, and no spaces grouping the thousands already), when the cell reads both
    ways.
    """
    objs = values.reset_index(drop=True).astype(object)
    out = np.full(len(objs), None, dtype=object)
    is_str = _str_mask(objs)
    if not is_str.any():
        return pd.Series(out, dtype=object)
    pos = np.flatnonzero(is_str)
    text = objs.iloc[pos]
    try:  # pyarrow strings: the patterns below run in C++
        text = text.astype("string[pyarrow]")
    except Exception:
        text = text.astype(str)

    def mask(s: pd.Series) -> np.ndarray:
        return s.fillna(False).to_numpy(dtype=bool)

    keep = mask(text.str.contains(r"[.,]") & (text.str.len() <= 100))
    pos, text = pos[keep], text[keep]
    # (patterns pyarrow runs itself: no "\s" or "\u" escapes, which send pandas to Python's re)
    grouped = mask(text.str.contains(f"[0-9]{_GROUPERS}+[0-9]"))
    # the number itself: most cells are one already ("1,234.56"); the others ("€1.234,56",
    # "1 234,56", "12,5 %") have their grouping dropped and their symbols cut off
    pure = mask(text.str.fullmatch(r"[0-9][0-9.,]*[0-9]"))
    core = text
    if not pure.all():
        cut = (
            text[~pure]
            .str.replace(_GROUPERS, "", regex=True)
            .str.extract(r"([0-9][0-9.,]*[0-9]|[0-9])", expand=False)
            .astype(text.dtype)
        )
        core = pd.concat([text[pure], cut]).reindex(text.index)
    comma = mask(core.str.contains(",", regex=False))
    point = mask(core.str.contains(".", regex=False))
    last_comma = mask(core.str.contains(r",[0-9]*$"))
    many = mask(core.str.contains(r",.*,")), mask(core.str.contains(r"\..*\."))
    either_c = mask(core.str.fullmatch(r"[1-9][0-9]{0,2},[0-9]{3}")) & ~grouped
    either_p = mask(core.str.fullmatch(r"[1-9][0-9]{0,2}\.[0-9]{3}")) & ~grouped
    both = comma & point
    kinds = np.array(
        [None, "comma", "point", "point", "either", "comma", "comma", "either", "point"]
    )
    out[pos] = kinds[
        np.select(
            [
                both & last_comma,
                both,
                comma & many[0],
                comma & either_c,
                comma,
                point & many[1],
                point & either_p,
                point,
            ],
            list(range(1, 9)),
            default=0,
        )
    ]
    return pd.Series(out, dtype=object)


class Rewritten(str):
    """A cell's text rewritten for reading (``str``: the new text), that shows as the cell the
    file holds (``repr``: the original's), so a problem quotes what the user can find.

    >>> r = Rewritten("5.678", "5,678")
    >>> str(r), repr(r), r.original
    ('5.678', "'5,678'", '5,678')
    """

    original: str

    def __new__(cls, text: str, original: str) -> Rewritten:
        self = str.__new__(cls, text)
        self.__dict__["original"] = original
        return self

    def __repr__(self) -> str:
        return repr(self.original)

    def __reduce__(self) -> tuple[type[Rewritten], tuple[str, str]]:
        return (Rewritten, (str(self), self.original))


def with_decimal_point(value: object) -> object:
    """A cell written with a decimal comma, written with a decimal point (thousands points and
    spaces dropped): "1.234,56 €" -> "1234.56 €"; other values unchanged. The new text is a
    :class:`Rewritten`, so a problem with it quotes the cell as written ("'5,678' is not a whole
    number").

    >>> [str(with_decimal_point(v)) for v in ("1.234,56 €", "12,5")], with_decimal_point(3)
    (['1234.56 €', '12.5'], 3)
    """
    if not isinstance(value, str):
        return value
    m = _NUMBER_CORE.search(value)
    if m is None:
        return value
    core = _GROUPING.sub("", m.group(0)).replace(".", "").replace(",", ".")
    text = value[: m.start()] + core + value[m.end() :]
    if text == value:
        return value
    return Rewritten(text, value.original if type(value) is Rewritten else value)


def with_decimal_points(values: pd.Series, only: np.ndarray | None = None) -> pd.Series:
    """:func:`with_decimal_point` of each cell of ``values`` (``only``: of those cells; the
    others as they are), in an ``object`` Series (positions and index as ``values``): pandas'
    str dtype would drop what each rewritten cell held. Plain numbers ("1.234,56") are rewritten
    vectorised, the others ("1 234,56 €") cell by cell.
    """
    cells = values.to_numpy(dtype=object)
    out = cells.copy()
    pick = _str_mask(pd.Series(cells, dtype=object))
    if only is not None:
        pick = pick & np.asarray(only, dtype=bool)
    pos = np.flatnonzero(pick)
    if not len(pos):
        return pd.Series(out, index=values.index, dtype=object)
    text = pd.Series(cells[pos], dtype=object)
    try:  # pyarrow strings: the patterns below run in C++
        text = text.astype("string[pyarrow]")
    except Exception:
        text = text.astype(str)
    pure = text.str.fullmatch(r"[0-9][0-9.,]*[0-9]").fillna(False).to_numpy(dtype=bool)
    fixed = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    plain = fixed.to_numpy(dtype=object, na_value=None)
    for k, i in enumerate(pos):
        v = cells[i]
        if not pure[k]:
            out[i] = with_decimal_point(v)
        elif plain[k] != v:
            out[i] = Rewritten(plain[k], v.original if type(v) is Rewritten else v)
    return pd.Series(out, index=values.index, dtype=object)


def read_numbers(
    values: pd.Series,
    *,
    integer: bool = False,
    percent: bool = False,
    abbreviated: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Parsed:
    """Numbers from cells of any type, with a problem for each cell that is not one.

    Parameters
    ----------
    integer : bool
        Whole numbers only (``Int64`` out); beyond :data:`MAX_COUNT` is refused.
    percent : bool
        The column is a rate: ``"1.39%"`` reads as 0.0139 (otherwise ``%`` is refused).
    abbreviated : bool
        Accept ``"48.5M"`` / ``"383.1K"`` / ``"29.0b"`` (exact decimal scaling).
    minimum, maximum : float, optional
        Allowed range; ``maximum`` defaults to :data:`MAX_COUNT` (integers) or
        :data:`MAX_AMOUNT`.
    """
    idx = values.index
    problems = _problems(idx)
    limit = maximum if maximum is not None else (MAX_COUNT if integer else MAX_AMOUNT)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if pd.api.types.is_bool_dtype(values.dtype):
            problems[values.notna().to_numpy(dtype=bool)] = "true/false is not a number"
            num = pd.Series(np.nan, index=idx, dtype="float64")
        elif pd.api.types.is_numeric_dtype(values.dtype):
            num = values.astype("float64")
        else:
            num = _numbers_from_objects(values, problems, percent=percent, abbreviated=abbreviated)
        arr = num.to_numpy(dtype="float64", na_value=np.nan)
        present = ~np.isnan(arr)
        inf = present & ~np.isfinite(arr)
        for i in np.flatnonzero(inf):
            problems.iat[i] = "value is not finite"
        fin = present & ~inf
        big = fin & (np.abs(np.where(fin, arr, 0.0)) > limit)
        for i in np.flatnonzero(big & problems.isna().to_numpy()):
            problems.iat[i] = (
                f"{_describe(values.iat[i])} is too large (over {limit:.3g}); check the column"
            )
        if integer:
            frac = fin & ~big & (np.mod(np.where(fin, arr, 0.0), 1.0) != 0)
            for i in np.flatnonzero(frac & problems.isna().to_numpy()):
                problems.iat[i] = f"{_describe(values.iat[i])} is not a whole number"
        if minimum is not None:
            low = fin & (np.where(fin, arr, 0.0) < minimum)
            for i in np.flatnonzero(low & problems.isna().to_numpy()):
                problems.iat[i] = f"must be >= {minimum:g}, got {_describe(values.iat[i])}"
        bad = problems.notna().to_numpy()
        arr = np.where(bad, np.nan, arr)
        out = pd.Series(arr, index=idx, dtype="float64")
        if integer:
            out = out.round().astype("Int64")
        else:
            out = out.astype("Float64")
    return Parsed(out, problems)


def _numbers_from_objects(
    values: pd.Series, problems: pd.Series, *, percent: bool, abbreviated: bool
) -> pd.Series:
    idx = values.index
    objs = values.astype(object)
    is_str = _str_mask(objs)
    out = np.full(len(values), np.nan)
    # fast path: plain numeric text
    if is_str.any():
        txt = _stripped(objs[is_str])
        fast = pd.to_numeric(txt.where(txt.str.len() <= 40), errors="coerce")
        pos = np.flatnonzero(is_str)
        fv = fast.to_numpy(dtype="float64", na_value=np.nan)
        out[pos] = fv
        slow = pos[np.isnan(fv) & ~txt.isin(NULL_TOKENS).to_numpy()]
    else:
        slow = np.array([], dtype=int)
    for i in slow:
        s = objs.iat[i]
        d, why = _number_text(s, percent=percent, abbreviated=abbreviated)
        if why is not None:
            problems.iat[i] = why
        elif d is not None:
            out[i] = float(d) if abs(d) < Decimal("1e300") else math.inf
    for i in np.flatnonzero(~is_str):
        v = objs.iat[i]
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            problems.iat[i] = f"the boolean {str(bool(v)).lower()} is not a number"
        elif isinstance(v, (int, np.integer)):
            out[i] = float(v) if abs(int(v)) < 10**300 else math.inf
        elif isinstance(v, (float, np.floating, Decimal)):
            out[i] = float(v)
        else:
            kind = _json_kind(v)
            problems.iat[i] = f"{kind or _describe(v)} is not a number"
    return pd.Series(out, index=idx, dtype="float64")


# ====================================================================== timestamps
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_TIME = (
    r"(?:[T\s,]+(?P<H>\d{1,2}):(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?(?:\s*\((?:UTC|GMT)\))?"
)
_ISO = re.compile(rf"^(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_TIME}$")
_SLASH = re.compile(
    rf"^(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}}){_TIME}$"
)
_DMY_WORD = re.compile(
    rf"^(?:[A-Za-z]{{3,9}},?\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s-]+(?P<mon>[A-Za-z]{{3,9}})\.?,?"
    rf"[\s-]+(?P<y>\d{{4}}){_TIME}$"
)
_MDY_WORD = re.compile(
    rf"^(?:[A-Za-z]{{3,9}},?\s+)?(?P<mon>[A-Za-z]{{3,9}})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?"
    rf"\s+(?P<y>\d{{4}}){_TIME}$"
)
_DIGITS = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_FAST_ISO = (
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
    r"(?:Z|\+(?:0\d|1[0-4]):[0-5]\d|-(?:0\d|1[0-2]):[0-5]\d)?$"
)


def _slash_parts(s: str) -> tuple[int, int] | None:
    m = _SLASH.match(s)
    return (int(m.group("a")), int(m.group("b"))) if m else None


def detect_dayfirst(values: Iterable[object]) -> bool | None:
    """Whether ``d/m/y`` dates in ``values`` are day-first, from the values themselves.

    True when a first part exceeds 12, False when a second part does, None when nothing in the
    column decides (or both happen: the column mixes orders).

    >>> detect_dayfirst(["03/04/2024", "25/04/2024"]), detect_dayfirst(["03/04/2024"])
    (True, None)
    """
    first = second = False
    for v in values:
        if not isinstance(v, str):
            continue
        p = _slash_parts(v.strip())
        if p is None:
            continue
        first |= p[0] > 12
        second |= p[1] > 12
        if first and second:
            return None
    if first:
        return True
    if second:
        return False
    return None


def _against(a: int, b: int, dayfirst: bool | None) -> bool:
    """Whether the parts ``a/b`` of a slash date can only be read against ``dayfirst``."""
    if dayfirst is None:
        return False
    return (b > 12 >= a) if dayfirst else (a > 12 >= b)


#: the two leading parts of a ``d/m/y`` text (a fast first look; :data:`_SLASH` decides)
_LEADING_PARTS = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]"


def day_order_conflict(values: Iterable[object], dayfirst: bool | None) -> int | None:
    """Position of the first ``d/m/y`` text in ``values`` that reads only against the stated
    order (``25/10/2026`` when month-first is stated, ``10/25/2026`` when day-first is), or
    None (also when no order is stated).

    >>> day_order_conflict(["03/04/2026", "25/10/2026"], False)
    1
    >>> day_order_conflict(["03/04/2026", "25/10/2026"], True) is None
    True
    """
    if dayfirst is None:
        return None
    col = _as_series(values).reset_index(drop=True)
    if col.dtype != object:
        if not pd.api.types.is_string_dtype(col.dtype):
            return None  # typed dates and numbers have no day order
        col = col.astype(object)
    text = _str_mask(col)
    if not text.any():
        return None
    parts = col.where(text, None).str.extract(_LEADING_PARTS)  # not a d/m/y text: NaN
    a = pd.to_numeric(parts[0]).to_numpy(dtype="float64", na_value=np.nan)
    b = pd.to_numeric(parts[1]).to_numpy(dtype="float64", na_value=np.nan)
    maybe = (b > 12) & (a <= 12) if dayfirst else (a > 12) & (b <= 12)
    for i in np.flatnonzero(maybe):
        p = _slash_parts(str(col.iat[i]).strip())
        if p is not None and _against(p[0], p[1], dayfirst):
            return int(i)
    return None


def day_order_problem(value: object, dayfirst: bool, *, stated_by: str | None = None) -> str:
    """Why ``value`` (a :func:`day_order_conflict`) does not fit the stated order, and what to
    do; ``stated_by`` names who stated it (default: the flag, ``--dayfirst`` / ``--monthfirst``).

    >>> day_order_problem("25/10/2026", False)
    "'25/10/2026' can only be day/month (there is no month 25), not month/day as --monthfirst states; pass --dayfirst if the file's dates are in that order, or neither to have the order detected"
    """
    p = _slash_parts(str(value).strip())
    month = (p[1] if dayfirst else p[0]) if p else 0
    read, stated = ("month/day", "day/month") if dayfirst else ("day/month", "month/day")
    other = "--monthfirst" if dayfirst else "--dayfirst"
    advice = f"pass {other} if the file's dates are in that order"
    if stated_by is None:
        stated_by = "--dayfirst" if dayfirst else "--monthfirst"
        advice += ", or neither to have the order detected"
    return (
        f"{_describe(value)} can only be {read} (there is no month {month}), not {stated} as "
        f"{stated_by} states; {advice}"
    )


#: the largest UTC offset a clock uses (+14:00, Kiribati)
_MAX_OFFSET_MINUTES = 14 * 60


def _tz_minutes(tz: str | None) -> int | None:
    """Minutes east of UTC of an offset (``+05:30``), or None for one no clock uses."""
    if not tz or tz in ("Z", "UTC", "GMT"):
        return 0
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hh, mm = int(digits[:2]), int(digits[2:4] or 0)
    if mm >= 60 or hh * 60 + mm > (_MAX_OFFSET_MINUTES if sign > 0 else 12 * 60):
        return None
    return sign * (hh * 60 + mm)


def _one_timestamp(s: str, dayfirst: bool | None) -> tuple[pd.Timestamp | None, str | None]:
    """Parse one stripped text cell (slow path)."""
    low = s.lower()
    words = re.findall(r"[a-z]+", low)
    if any(w in RELATIVE_WORDS for w in words):
        return None, f"{_describe(s)} is a relative date; give the calendar date instead"
    if _DIGITS.match(s):
        return _epoch(s)
    m = _ISO.match(s)
    y: int
    if m:
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    else:
        m = _SLASH.match(s)
        if m:
            a, b = int(m.group("a")), int(m.group("b"))
            yy = m.group("y")
            y = int(yy) if len(yy) == 4 else (2000 + int(yy) if int(yy) < 69 else 1900 + int(yy))
            if a != b and a <= 12 and b <= 12 and dayfirst is None:
                return None, (
                    f"{_describe(s)} is ambiguous (day-first or month-first); pass --dayfirst "
                    "or --monthfirst"
                )
            if _against(a, b, dayfirst):  # a stated order the value contradicts: not guessed
                return None, day_order_problem(s, bool(dayfirst))
            d, mo = (a, b) if (dayfirst or a > 12) and b <= 12 else (b, a)
            if dayfirst is False and a <= 12:
                d, mo = b, a
        else:
            m = _DMY_WORD.match(s) or _MDY_WORD.match(s)
            if not m:
                return None, f"{_describe(s)} is not a valid date/time"
            mon = _MONTHS.get(m.group("mon").lower())
            if mon is None:
                return None, f"{_describe(s)} is not a valid date/time (unknown month)"
            y, mo, d = int(m.group("y")), mon, int(m.group("d"))
    hh = int(m.group("H") or 0)
    mm = int(m.group("M") or 0)
    ss = int(m.group("S") or 0)
    frac = (m.group("f") or "0")[:6].ljust(6, "0")
    ampm = (m.group("ampm") or "").replace(".", "").lower()
    if ampm:
        if not 1 <= hh <= 12:
            return None, f"{_describe(s)} has an hour that does not fit AM/PM"
        hh = hh % 12 + (12 if ampm == "pm" else 0)
    if not 1 <= y <= 9999:
        return None, f"{_describe(s)} is outside the accepted time window"
    try:
        t = _dt.datetime(y, mo, d, hh, mm, ss, int(frac))
    except ValueError:
        return None, f"{_describe(s)} is not a valid date/time (no such day or time)"
    offset = _tz_minutes(m.group("tz"))
    if offset is None:
        return None, (
            f"{_describe(s)} has a UTC offset no clock uses (they run from -12:00 to +14:00)"
        )
    ts = pd.Timestamp(t, tz="UTC") - pd.Timedelta(minutes=offset)
    return ts, None


#: a bare number below this is not read as seconds since 1970 (it would be before March 1973;
#: spreadsheets store dates as serial day numbers such as 45413 for 2024-05-01)
_SMALLEST_EPOCH = 1e8


def _epoch(s: str) -> tuple[pd.Timestamp | None, str | None]:
    t = s.lstrip("+")
    if len(t.split(".")[0].lstrip("-")) > 20:
        return None, f"{_describe(s)} is too large for a timestamp"
    if len(t) == 8 and t.isdigit():  # YYYYMMDD (GA4 "Start date: 20251015")
        try:
            return pd.Timestamp(_dt.datetime(int(t[:4]), int(t[4:6]), int(t[6:])), tz="UTC"), None
        except ValueError:
            pass
    n = float(t)
    a = abs(n)
    if a < _SMALLEST_EPOCH:
        return None, (
            f"{_describe(s)} is a bare number, not a time (seconds since 1970 would put it "
            "before March 1973; an Excel serial day number?); store the column as dates"
        )
    div = 1.0 if a < 1e11 else 1e3 if a < 1e14 else 1e6 if a < 1e17 else 1e9
    secs = n / div
    if not -1e10 < secs < 1e10:
        return None, f"{_describe(s)} is out of range for a timestamp"
    micros = round(Decimal(t) * Decimal(10**6) / Decimal(div))
    return pd.Timestamp(int(micros), unit="us", tz="UTC"), None


def read_timestamps(
    values: pd.Series,
    *,
    dayfirst: bool | None = None,
    window: TimeWindow | None = None,
) -> Parsed:
    """Timestamps (UTC, ``datetime64[us, UTC]``) from cells of any type.

    Parameters
    ----------
    dayfirst : bool, optional
        Order of ``d/m/y`` dates; None detects it from the column (:func:`detect_dayfirst`) and
        refuses dates it cannot decide (``03/04/2024`` with nothing else to go by).
    window : TimeWindow, optional
        Accepted span; default :data:`DEFAULT_WINDOW`.
    """
    win = window or DEFAULT_WINDOW
    idx = values.index
    problems = _problems(idx)
    out = pd.Series(pd.NaT, index=idx, dtype="datetime64[us, UTC]")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        out = values.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        out = values.dt.tz_localize("UTC").astype("datetime64[us, UTC]")
    elif pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    ):
        _fill_slow(values.astype(object), out, problems, dayfirst)
    else:
        objs = values.astype(object)
        is_str = _str_mask(objs)
        todo = np.ones(len(objs), dtype=bool)
        if is_str.any():
            txt = _stripped(objs[is_str])
            blank = txt.isin(NULL_TOKENS).to_numpy()
            pos = np.flatnonzero(is_str)
            todo[pos[blank]] = False
            year = pd.to_numeric(txt.str[:4], errors="coerce").to_numpy(dtype="float64", na_value=0)
            iso = (
                txt.str.match(_FAST_ISO).to_numpy(dtype=bool)
                & ~blank
                & (year >= 1700)
                & (year <= 2200)
            )
            if iso.any():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    parsed = pd.to_datetime(
                        txt[iso], format="ISO8601", utc=True, errors="coerce"
                    ).astype("datetime64[us, UTC]")
                ok = parsed.notna().to_numpy()
                hit = pos[iso][ok]
                out.iloc[hit] = parsed[ok].to_numpy()
                todo[hit] = False
        if dayfirst is None:
            strs = [v.strip() for v in objs[todo & is_str].tolist()]
            dayfirst = detect_dayfirst(strs)
        _fill_slow(objs, out, problems, dayfirst, mask=todo)
    # the one validated window
    present = out.notna().to_numpy()
    if present.any():
        lo = np.datetime64(win.start.tz_convert(None), "us")
        hi = np.datetime64(win.end.tz_convert(None), "us")
        naive = out.dt.tz_convert(None).to_numpy(dtype="datetime64[us]")
        outside = present & ((naive < lo) | (naive >= hi))
        typed = pd.api.types.is_datetime64_any_dtype(values.dtype)
        for i in np.flatnonzero(outside):
            # a typed timestamp is described from its UTC value: pandas cannot box a
            # zone-aware one beyond the year 9999 (Parquet can hold it)
            cell = f"{np.datetime_as_string(naive[i])}Z" if typed else values.iat[i]
            problems.iat[i] = (
                f"{_describe(cell)} is outside the accepted time window "
                f"{win.start.date()}..{win.end.date()}"
            )
        if outside.any():
            out = out.where(~outside)
    return Parsed(out, problems)


def _fill_slow(
    objs: pd.Series,
    out: pd.Series,
    problems: pd.Series,
    dayfirst: bool | None,
    *,
    mask: np.ndarray | None = None,
) -> None:
    positions = np.flatnonzero(mask) if mask is not None else range(len(objs))
    for i in positions:
        v = objs.iat[i]
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            continue
        ts: pd.Timestamp | None
        why: str | None
        if isinstance(v, (bool, np.bool_)):
            ts, why = None, f"the boolean {str(bool(v)).lower()} is not a date/time"
        elif isinstance(v, (int, np.integer, float, np.floating)):
            fv = float(v)
            if not math.isfinite(fv):
                ts, why = None, "value is not finite"
            else:
                txt = str(int(v)) if float(v).is_integer() and abs(fv) < 1e20 else repr(fv)
                ts, why = (
                    _epoch(txt)
                    if _DIGITS.match(txt)
                    else (None, f"{_describe(v)} is out of range for a timestamp")
                )
        elif isinstance(v, pd.Timestamp):
            ts, why = (v.tz_localize("UTC") if v.tzinfo is None else v.tz_convert("UTC")), None
        elif isinstance(v, _dt.datetime):
            t = pd.Timestamp(v)
            ts, why = (t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")), None
        elif isinstance(v, _dt.date):
            ts, why = pd.Timestamp(v.isoformat(), tz="UTC"), None
        elif isinstance(v, str):
            s = v.strip()
            if s in NULL_TOKENS:
                continue
            if len(s) > 64:
                ts, why = None, "text is too long for a date/time"
            else:
                ts, why = _one_timestamp(s, dayfirst)
        else:
            kind = _json_kind(v)
            ts, why = None, f"{kind or _describe(v)} is not a date/time"
        if why is not None:
            problems.iat[i] = why
        elif ts is not None:
            try:
                out.iat[i] = ts
            except (OverflowError, ValueError):
                problems.iat[i] = f"{_describe(v)} is out of range for a timestamp"


def parse_timestamps(
    values: pd.Series, *, dayfirst: bool | None = None, window: TimeWindow | None = None
) -> pd.Series:
    """Like :func:`read_timestamps` but only the values (``NaT`` where a cell is refused)."""
    return read_timestamps(values, dayfirst=dayfirst, window=window).values


def epoch_seconds(value: object, *, window: TimeWindow | None = None) -> float:
    """One timestamp value as epoch seconds, for per-event hot paths (the real-time detector).

    Numbers are epoch seconds / milliseconds / microseconds / nanoseconds told apart by
    magnitude, without pandas; anything else goes through :func:`read_timestamps`. The same
    window applies.

    Raises
    ------
    ValueError
        With the reason, when the value is not a timestamp micromix accepts.

    >>> epoch_seconds(1714550400123456), epoch_seconds("2024-05-01T08:00:00Z")
    (1714550400.123456, 1714550400.0)
    """
    win = window or DEFAULT_WINDOW
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    ):
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"{_describe(value)} is not finite")
        a = abs(v)
        secs = v / (1.0 if a < 1e11 else 1e3 if a < 1e14 else 1e6 if a < 1e17 else 1e9)
        if not win.start.timestamp() <= secs < win.end.timestamp():
            raise ValueError(
                f"{_describe(value)} is outside the accepted time window "
                f"{win.start.date()}..{win.end.date()}"
            )
        return secs
    ts, why = read_timestamps(pd.Series([value], dtype=object), window=win)
    if why.iat[0] is not None or pd.isna(ts.iat[0]):
        raise ValueError(why.iat[0] or f"{_describe(value)} is not a date/time")
    return float(ts.iat[0].timestamp())


def _str_mask(objs: pd.Series) -> np.ndarray:
    """Which cells of an object column are text (vectorised when the column is all text)."""
    if pd.api.types.infer_dtype(objs, skipna=True) in ("string", "empty"):
        return objs.notna().to_numpy(dtype=bool)
    return objs.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)


def _stripped(values: pd.Series) -> pd.Series:
    """Stripped text cells as an ``object`` Series (pandas' str dtype cannot hold the lone
    surrogates that stand for undecodable bytes)."""
    return pd.Series([v.strip() for v in values.tolist()], index=values.index, dtype=object)


def _as_series(values: Any) -> pd.Series:
    return values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)


def blank_cells(values: pd.Series) -> np.ndarray:
    """Cells that are missing or blank text (``None``, NaN, ``""``, ``"  "``), as a mask."""
    text = values.astype("string").str.strip() == ""
    return values.isna().to_numpy(dtype=bool) | text.fillna(False).to_numpy(dtype=bool)


def refuse_first(
    bad: np.ndarray, where: Any, reasons: pd.Series, hint: str | Callable[[str], str]
) -> None:
    """Raise one :class:`~micromix.errors.DataValidationError` for the first ``bad`` cell:
    ``where(row)`` (1-based row) names the place, ``reasons`` (one per cell; ``None`` reads
    "is empty") says what is wrong, ``hint`` (or ``hint(reason)``) what to do."""
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    why = reasons.iloc[i] or "is empty"
    todo = hint(why) if callable(hint) else hint
    raise DataValidationError(f"{where(i + 1)}: {why} ({int(bad.sum())} such row(s)); {todo}")
