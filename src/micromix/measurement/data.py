"""The modelling frame: one validated, ordered row per period, or one clear error.

:func:`prepare_mmm_data` checks the columns, reads the dates and numbers with the project's
readers (:mod:`micromix.schema.values`: the same time window, the same limit on amounts, no
infinite values; numbers are dates only in YYYYMMDD form: an id is not a date), refuses
duplicated, sub-daily or unevenly spaced periods and more than :data:`MAX_PERIODS`, and checks
that media are non-negative and vary. A refused cell is named by its row in the file and its
field.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.measurement.data import prepare_mmm_data
>>> from micromix.measurement.spec import MMMSpec
>>> df = pd.DataFrame({"week": pd.date_range("2024-01-01", periods=3, freq="W"), "y": 1.0,
...                    "tv": [1.0, 0.0, 2.0]})
>>> len(prepare_mmm_data(df, MMMSpec(date_col="week", target="y", channels=("tv",)),
...                      check_rows=False))
3
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from micromix.errors import DataValidationError
from micromix.measurement.spec import MMMSpec
from micromix.measurement.transforms import ADSTOCKS, SATURATIONS
from micromix.schema.base import require_columns
from micromix.schema.values import blank_cells, read_numbers, read_timestamps, refuse_first

__all__ = [
    "MAX_PERIODS",
    "MIN_ROWS_PER_PARAM",
    "n_params",
    "prepare_mmm_data",
    "spend_column_unit",
]

#: minimum rows per estimated parameter before fitting is refused
MIN_ROWS_PER_PARAM = 2.0
#: reader problems of a cell that holds a number micromix refuses (not a word)
_NUMBER_LIMITS = "not finite|too large"
#: most periods a mix model takes: 20 years of days (more means the date column is not a date)
MAX_PERIODS = 7_305


def prepare_mmm_data(
    df: pd.DataFrame,
    spec: MMMSpec,
    source: str = "data",
    *,
    check_rows: bool = True,
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Validate and order the modelling frame; raise one clear error on bad input.

    Checks: columns present; dates read by :func:`~micromix.schema.values.read_timestamps`
    (inside its window, not missing, not duplicated, evenly spaced); numbers read by
    :func:`~micromix.schema.values.read_numbers` (finite, at most
    :data:`~micromix.schema.values.MAX_AMOUNT`); media and the target non-negative; no gaps;
    enough rows. A refused cell is named by its row in the file (1-based, the header not
    counted, as the other readers count) and its field. ``dayfirst`` gives the order of
    ``d/m/y`` dates (None: detected from the column).
    """
    needed = [spec.date_col, spec.target, *spec.media, *spec.controls]
    require_columns(df, needed, source)
    out = df[needed].reset_index(drop=True)
    dates = _period_dates(out[spec.date_col], spec.date_col, source, dayfirst)
    out = out.assign(**{spec.date_col: dates})
    dup = dates.duplicated(keep=False).to_numpy()
    if dup.any():
        first = int(np.flatnonzero(dup)[0])
        again = int(np.flatnonzero(dup & (dates == dates.iloc[first]).to_numpy())[1])
        geo = _geo_column(df, spec)
        how = (
            f"this looks like a geo-level file (column {geo!r}): aggregate across geos to one "
            "row per period (a national model, e.g. sum spend and outcome per week)"
            if geo
            else "aggregate to one row per period (e.g. sum spend per week)"
        )
        raise DataValidationError(
            f"{source}: rows {first + 1} and {again + 1}, field {spec.date_col!r}: date "
            f"{dates.iloc[first].date()} appears more than once; {how}"
        )
    _check_periods(dates, spec.date_col, source, len(out))
    for col in [spec.target, *spec.media, *spec.controls]:
        out[col] = _period_numbers(out[col], col, source, spec, dates)
    order = np.argsort(dates.to_numpy(), kind="stable")
    out = out.iloc[order].reset_index(drop=True)
    _check_spacing(out[spec.date_col], order + 1, spec.date_col, source)
    if not check_rows:
        return out
    count = n_params(spec)
    if len(out) < MIN_ROWS_PER_PARAM * count or len(out) < 20:
        raise DataValidationError(
            f"{source}: {len(out)} rows are too few for {count} parameters; provide at least "
            f"{max(20, math.ceil(MIN_ROWS_PER_PARAM * count))} periods or model fewer channels"
        )
    for c in spec.media:
        if float(out[c].max()) <= 0:
            raise DataValidationError(
                f"{source}: channel {c!r} is zero in every period, so its effect cannot be "
                "estimated; drop it from --channels"
            )
    return out


def _period_numbers(
    raw: pd.Series, col: str, source: str, spec: MMMSpec, dates: pd.Series
) -> pd.Series:
    """One column's numbers through the project's number reader, in file order; the first
    refused cell (not a number, not finite, beyond :data:`MAX_AMOUNT`, empty, negative where
    it cannot be) is named by its row and field."""
    # (Python objects: the reader quotes a refused cell as the file shows it, 1e+308)
    got = read_numbers(raw.astype(object) if pd.api.types.is_numeric_dtype(raw) else raw)
    values = got.values.to_numpy(dtype=float, na_value=np.nan)
    why = got.problems
    where = f"{source}: row {{}}, field {col!r}"
    text = raw.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool) & ~blank_cells(raw)
    # text that holds no number: a word, or a placeholder ('n/a', '-') the reader reads as none
    wordy = text & np.isnan(values) & ~why.str.contains(_NUMBER_LIMITS, na=False).to_numpy()
    if wordy.any():
        i = int(np.flatnonzero(wordy)[0])
        cell, reason = raw.iloc[i], why.iloc[i]
        detail = "" if reason is None or reason == f"{cell!r} is not a number" else f": {reason}"
        raise DataValidationError(
            f"{where.format(i + 1)} has a non-numeric value {cell!r}{detail} "
            f"({int(wordy.sum())} such row(s)); {_number_advice(col, raw, pd.Series(wordy), spec)}"
        )
    refuse_first(
        why.notna().to_numpy(),
        where.format,
        why,
        "correct it: each period's amount as a plain number, in one unit in every row",
    )
    empty = np.isnan(values)
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        fill = (
            "fill in the period's outcome (it is 0 only if nothing was sold or converted that "
            "period) or drop the range of periods without it"
            if col == spec.target
            else f"fill in the control's value for the period (or drop {col!r} from --controls)"
            if col in spec.controls
            else "fill the gap (0 for no spend)"
        )
        raise DataValidationError(
            f"{where.format(i + 1)} is empty (date {dates.iloc[i].date()}; "
            f"{int(empty.sum())} such row(s)); {fill}"
        )
    negative = values < 0
    if negative.any() and col != spec.target and col not in spec.controls:
        i = int(np.flatnonzero(negative)[0])
        raise DataValidationError(
            f"{where.format(i + 1)}: channel {col!r} has a negative value {values[i]:g} "
            f"({int(negative.sum())} such row(s)); spend and volumes must be >= 0"
        )
    if negative.any() and col == spec.target:
        i = int(np.flatnonzero(negative)[0])
        raise DataValidationError(
            f"{where.format(i + 1)}: the outcome {col!r} is negative ({values[i]:g}; "
            f"{int(negative.sum())} such row(s)); a mix model explains revenue or conversions, "
            "which are >= 0: model the gross outcome (before returns)"
        )
    return pd.Series(values, index=raw.index, dtype=float)


#: column names that mark a geo-level file (one row per geo and period)
_GEO_NAMES = ("geo", "geo_id", "region", "dma", "state", "country", "market")


def _geo_column(frame: pd.DataFrame, spec: MMMSpec) -> str | None:
    """The column that splits a period into geos (``geo``, ``region``, ``dma`` ...), if any."""
    used = {spec.date_col, spec.target, *spec.media, *spec.controls}
    for c in frame.columns:
        if c not in used and str(c).strip().lower() in _GEO_NAMES:
            return str(c)
    return None


def _number_advice(col: str, raw: pd.Series, bad: pd.Series, spec: MMMSpec) -> str:
    """What to do with a column that is not numbers: a control holding a few labels (an events
    calendar: 'na', 'event1', 'event2') becomes one 0/1 column per label; anything else is
    cleaned to numbers."""
    labels = pd.Series(raw[bad].astype(str).unique())
    if col in spec.controls and len(labels) <= 12 and bad.mean() > 0.5:
        shown = ", ".join(repr(v) for v in sorted(labels)[:4])
        return (
            f"it holds labels ({shown}{' ...' if len(labels) > 4 else ''}), not numbers: make "
            f"one 0/1 column per label (1 in the periods it applies to; leave out the 'no "
            "event' label) and pass those to --controls instead"
        )
    return "clean it to a number"


def _period_dates(raw: pd.Series, col: str, source: str, dayfirst: bool | None) -> pd.Series:
    """Dates of the periods (naive, UTC) through the project's timestamp reader, in file order;
    numbers are dates only in YYYYMMDD form (an id is not a date). A refused or empty cell is
    named by its row and field."""
    cells = raw
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_datetime64_any_dtype(raw):
        nums = pd.to_numeric(raw, errors="coerce")
        known = nums.dropna()
        if not len(known):
            raise DataValidationError(
                f"{source}: date column {col!r} is empty in every row; pass the column with "
                "each period's date as --date-col"
            )
        if not ((known == known.round()).all() and known.between(19000101, 21001231).all()):
            raise DataValidationError(
                f"{source}: date column {col!r} holds numbers (first {known.iloc[0].item()!r}), "
                "not dates; pass the column with each period's date as --date-col (numbers "
                "count as dates only in YYYYMMDD form)"
            )
        cells = nums.astype("Int64").astype("string").astype(object)
    got = read_timestamps(cells, dayfirst=dayfirst)
    refuse_first(
        got.problems.notna().to_numpy(),
        lambda row: f"{source}: row {row}, field {col!r}",
        got.problems,
        "correct it: each period's date, written as YYYY-MM-DD",
    )
    dates = got.values.dt.tz_convert(None).astype("datetime64[ns]")
    missing = dates.isna().to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataValidationError(
            f"{source}: row {i + 1}, field {col!r}: date column {col!r} is missing or "
            f"unparseable in {int(missing.sum())} row(s) (value {raw.iloc[i]!r}); fill in every "
            "period's date"
        )
    return dates


def _check_periods(dates: pd.Series, col: str, source: str, n: int) -> None:
    """One row per period: at most :data:`MAX_PERIODS`, at least a day apart."""
    if n > MAX_PERIODS:
        raise DataValidationError(
            f"{source}: {n:,} periods in {col!r} is more than a mix model takes "
            f"({MAX_PERIODS:,}, 20 years of days); aggregate to one row per day or week, or "
            "check that --date-col names the period's date"
        )
    if n > 2:
        gap = dates.sort_values().diff().dropna().median()
        if gap < pd.Timedelta(days=1):
            raise DataValidationError(
                f"{source}: periods in {col!r} are {gap} apart (median); a mix model works on "
                "days or weeks: aggregate to one row per day or week first"
            )


#: how far a gap between two periods may differ from the usual one (a share of it): months
#: run 28 to 31 days, a clock change moves a day by an hour
_SPACING_TOLERANCE = 0.1


def _check_spacing(dates: pd.Series, rows: np.ndarray, col: str, source: str) -> None:
    """Periods evenly spaced (sorted ``dates``; ``rows`` their rows in the file): carry-over
    runs period by period, so a missing period (a gap) or one off the grid (a stray date such
    as 1990-01-01 in a weekly series of 2024) would be counted wrong."""
    if len(dates) < 3:
        return
    gaps = dates.diff().to_numpy()[1:]
    usual = np.median(gaps)
    off = np.abs(gaps - usual) > _SPACING_TOLERANCE * usual
    if not off.any():
        return
    k = int(np.flatnonzero(off)[0])
    prev, this = dates.iloc[k], dates.iloc[k + 1]
    days = (this - prev) / pd.Timedelta(days=1)
    step = pd.Timedelta(usual) / pd.Timedelta(days=1)
    steps = days / step
    missing = steps > 1.5 and abs(steps - round(steps)) <= _SPACING_TOLERANCE
    if missing and round(steps) > len(dates):
        what = (
            "a date that far from the others is likely mistyped: correct it (or, if the "
            f"{round(steps) - 1} periods between are really missing, add them)"
        )
    elif missing:
        what = f"{round(steps) - 1} period(s) are missing: add them (0 for no spend) with their outcome"
    else:
        what = "a date is off the series' grid: correct it, or aggregate to one row per period"
    raise DataValidationError(
        f"{source}: row {int(rows[k + 1])}, field {col!r}: {this.date()} comes {days:g} day(s) "
        f"after {prev.date()} (row {int(rows[k])}), but the periods are {step:g} day(s) apart "
        f"({int(off.sum())} such gap(s)); {what}, so carry-over is counted period by period"
    )


def n_params(spec: MMMSpec) -> int:
    """Parameters the model estimates: curve parameters, betas and the baseline terms."""
    ad = len(ADSTOCKS.get(spec.adstock).param_bounds)
    sat = len(SATURATIONS.get(spec.saturation).param_bounds)
    base = (
        1
        + {"linear": 1, "quadratic": 2}.get(spec.trend, 0)
        + 2 * spec.yearly_seasonality
        + len(spec.controls)
    )
    return base + len(spec.media) * (1 + ad + sat)


#: column-name endings that say a column counts exposure, not money (Robyn: ``_I``
#: impressions, ``_P`` paid-media exposure such as clicks; ``_S`` is spend)
_EXPOSURE = re.compile(
    r"(?i)(?:^|[_\s.-])(impressions?|imps?|clicks?|grps?|trps?|views?|reach|i|p)$"
)
_UNIT = {
    "i": "impressions",
    "imp": "impressions",
    "imps": "impressions",
    "p": "exposure",
    "grp": "GRPs",
    "grps": "GRPs",
    "trp": "TRPs",
    "trps": "TRPs",
}
#: how a spend column of the same channel is named
_SPEND_FORMS = ("{}_S", "{}_spend", "{}_cost", "{}_Spend", "{}_SPEND", "spend_{}", "cost_{}")


def spend_column_unit(column: str, columns: Sequence[str]) -> tuple[str, str | None] | None:
    """What a paid channel column counts when its name says it is not money: the unit
    (``impressions``, ``clicks`` ...) and the spend column of the same channel in ``columns``
    if there is one; ``None`` for a column read as money.

    >>> spend_column_unit("facebook_I", ["facebook_I", "facebook_S"])
    ('impressions', 'facebook_S')
    >>> spend_column_unit("tv_S", ["tv_S"]) is None
    True
    """
    m = _EXPOSURE.search(column)
    if m is None:
        return None
    word = m.group(1).lower()
    stem = column[: m.start(1)].rstrip("_ .-")
    inner = _EXPOSURE.search(stem) if word in _UNIT else None
    if inner is not None and inner.group(1).lower() not in ("i", "p"):  # search_clicks_P
        word, stem = inner.group(1).lower(), stem[: inner.start(1)].rstrip("_ .-")
    if not stem and word in ("i", "p"):
        return None
    unit = _UNIT.get(word, word if word.endswith("s") or word == "reach" else word + "s")
    known = set(columns)
    # a bare stem ("facebook") or a word column cut to nothing is no channel name
    spend = next((f.format(stem) for f in _SPEND_FORMS if stem and f.format(stem) in known), None)
    return unit, spend
