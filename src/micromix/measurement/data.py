"""The modelling frame: one validated, ordered row per period, or one clear error.

:func:`prepare_mmm_data` checks the columns, parses the dates (numbers are dates only in
YYYYMMDD form: an id is not a date), refuses duplicated or sub-daily periods and more than
:data:`MAX_PERIODS`, and checks that media are numeric, non-negative and vary.

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
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from micromix.errors import DataValidationError
from micromix.measurement.spec import MMMSpec
from micromix.measurement.transforms import ADSTOCKS, SATURATIONS
from micromix.schema.base import require_columns

__all__ = [
    "MAX_PERIODS",
    "MIN_ROWS_PER_PARAM",
    "n_params",
    "prepare_mmm_data",
    "spend_column_unit",
]

#: minimum rows per estimated parameter before fitting is refused
MIN_ROWS_PER_PARAM = 2.0
#: most periods a mix model takes: 20 years of days (more means the date column is not a date)
MAX_PERIODS = 7_305


def prepare_mmm_data(
    df: pd.DataFrame, spec: MMMSpec, source: str = "data", *, check_rows: bool = True
) -> pd.DataFrame:
    """Validate and order the modelling frame; raise one clear error on bad input.

    Checks: columns present, dates parseable and not missing or duplicated, numeric
    non-negative media, numeric target and controls without gaps, enough rows.
    """
    needed = [spec.date_col, spec.target, *spec.media, *spec.controls]
    require_columns(df, needed, source)
    out = df[needed].copy()
    raw_dates = out[spec.date_col]
    dates = _period_dates(raw_dates, spec.date_col, source)
    bad = dates.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(
            f"{source}: date column {spec.date_col!r} is missing or unparseable in {int(bad.sum())} "
            f"row(s), first at row {i + 1} (value {raw_dates.iloc[i]!r}); fill in every period's date"
        )
    out[spec.date_col] = dates
    if dates.duplicated().any():
        d = dates[dates.duplicated()].iloc[0]
        raise DataValidationError(
            f"{source}: date {d.date()} appears more than once in {spec.date_col!r}; aggregate to "
            "one row per period (e.g. sum spend per week)"
        )
    out = out.sort_values(spec.date_col).reset_index(drop=True)
    _check_periods(out[spec.date_col], spec.date_col, source)
    for col in [spec.target, *spec.media, *spec.controls]:
        values = pd.to_numeric(out[col], errors="coerce")
        bad = values.isna() & out[col].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataValidationError(
                f"{source}: column {col!r} has a non-numeric value {out[col].iloc[i]!r} at row "
                f"{i + 1} (sorted by date); {_number_advice(col, out[col], bad, spec)}"
            )
        if values.isna().any():
            i = int(np.flatnonzero(values.isna().to_numpy())[0])
            raise DataValidationError(
                f"{source}: column {col!r} is empty at row {i + 1} (date "
                f"{out[spec.date_col].iloc[i].date()}); fill the gap (0 for no spend)"
            )
        if col in spec.media and (values < 0).any():
            i = int(np.flatnonzero((values < 0).to_numpy())[0])
            raise DataValidationError(
                f"{source}: channel {col!r} has a negative value {values.iloc[i]} at row {i + 1}; "
                "spend and volumes must be >= 0"
            )
        out[col] = values.astype(float)
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


def _period_dates(raw: pd.Series, col: str, source: str) -> pd.Series:
    """Dates of the periods; numbers are dates only in YYYYMMDD form (an id is not a date)."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_datetime64_any_dtype(raw):
        nums = pd.to_numeric(raw, errors="coerce")
        known = nums.dropna()
        if (
            len(known)
            and (known == known.round()).all()
            and known.between(19000101, 21001231).all()
        ):
            text = nums.astype("Int64").astype("string")
            return pd.to_datetime(text, format="%Y%m%d", errors="coerce")
        if not len(known):
            raise DataValidationError(
                f"{source}: date column {col!r} is empty in every row; pass the column with "
                "each period's date as --date-col"
            )
        raise DataValidationError(
            f"{source}: date column {col!r} holds numbers (first {known.iloc[0].item()!r}), not "
            "dates; pass the column with each period's date as --date-col (numbers count as "
            "dates only in YYYYMMDD form)"
        )
    with warnings.catch_warnings():  # unreadable cells are refused by the caller, row by row
        warnings.simplefilter("ignore", UserWarning)
        return pd.to_datetime(raw, errors="coerce")


def _check_periods(dates: pd.Series, col: str, source: str) -> None:
    """One row per period: at most :data:`MAX_PERIODS`, at least a day apart."""
    if len(dates) > MAX_PERIODS:
        raise DataValidationError(
            f"{source}: {len(dates):,} periods in {col!r} is more than a mix model takes "
            f"({MAX_PERIODS:,}, 20 years of days); aggregate to one row per day or week, or "
            "check that --date-col names the period's date"
        )
    if len(dates) > 2:
        gap = dates.diff().dropna().median()
        if gap < pd.Timedelta(days=1):
            raise DataValidationError(
                f"{source}: periods in {col!r} are {gap} apart (median); a mix model works on "
                "days or weeks: aggregate to one row per day or week first"
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
