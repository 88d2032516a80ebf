"""What one unit of uplift is: a conversion, or an amount of money.

An uplift model's figures are in its outcome's unit. A 0/1 flag (visit, conversion) or a
whole-number count (orders) gives incremental *conversions*, which ``--value-per-conversion``
turns into money. An amount (spend, revenue) gives incremental *money* already: multiplying it
by a value per conversion counts dollars as conversions.

``audience uplift`` decides the unit from the outcome (fractional values are an amount; 0/1 and
whole numbers are conversions; ``--outcome-unit value`` says a whole-number amount is money)
and writes it into every scored row: :data:`OUTCOME_COLUMN` (the outcome's name) and
:data:`UNIT_COLUMN` (``conversions`` or ``value``). ``audience target`` and ``audience
compare`` read it back with :func:`resolve_unit`.

>>> import numpy as np
>>> outcome_unit(np.array([0.0, 1.0, 0.0]), "visit")
'conversions'
>>> outcome_unit(np.array([0.0, 29.99, 0.0]), "spend")
'value'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from micromix.audience._prep import coerce_outcome
from micromix.errors import ConfigError, DataValidationError
from micromix.schema.values import blank_cells, refuse_first

__all__ = [
    "OUTCOME_COLUMN",
    "UNITS",
    "UNIT_COLUMN",
    "money_refusal",
    "outcome_unit",
    "parse_unit",
    "resolve_unit",
    "unit_label",
    "value_per_unit",
]

#: scores column with the name of the outcome the uplift was trained on
OUTCOME_COLUMN = "scored_outcome"
#: scores column with the unit of that outcome: ``conversions`` or ``value`` (money)
UNIT_COLUMN = "scored_outcome_unit"
#: the units, as written in :data:`UNIT_COLUMN` and taken by ``--outcome-unit``
UNITS: tuple[str, ...] = ("conversions", "value")
_SAY_MONEY = "pass --outcome-unit value if it is an amount of money"


def parse_unit(text: str | None, flag: str = "--outcome-unit") -> str | None:
    """``conversions`` or ``value`` from an option (``None`` or ``auto``: not stated)."""
    if text is None or str(text).strip().lower() in ("", "auto"):
        return None
    key = str(text).strip().lower()
    if key not in UNITS:
        raise ConfigError(
            f"{flag} {text!r} is not known; choose conversions (a 0/1 flag or a count), value "
            "(an amount of money) or auto"
        )
    return key


def outcome_unit(y: np.ndarray, column: str, stated: str | None = None) -> str:
    """The unit of outcome values ``y``: ``stated`` when given, else ``value`` when some value
    has a fractional part and ``conversions`` otherwise (0/1 flags and whole-number counts).

    Stating ``conversions`` for an outcome with fractional values is refused: a fraction of a
    conversion is not a count, and such an outcome is almost always an amount.
    """
    frac = np.flatnonzero(np.asarray(y, dtype=float) % 1 != 0)
    if stated == "value":
        return "value"
    if stated == "conversions" and len(frac):
        raise DataValidationError(
            f"outcome column '{column}', row {int(frac[0]) + 1}: {y[frac[0]]:g} is not a whole "
            f"number ({len(frac)} such row(s)), so '{column}' is not a count of conversions; "
            "pass --outcome-unit value (an amount of money) or leave --outcome-unit out"
        )
    return "value" if len(frac) else "conversions"


def _recorded(scores: pd.DataFrame, source: str) -> tuple[str | None, str | None]:
    """The outcome name and unit ``audience uplift`` wrote into the scores (None when absent)."""
    if UNIT_COLUMN not in scores.columns:
        return None, None
    raw = scores[UNIT_COLUMN].reset_index(drop=True)
    blank = blank_cells(raw)
    if blank.all():
        return None, None
    text = raw.astype("string").str.strip().str.lower()
    bad = blank | ~text.isin(UNITS).fillna(False).to_numpy(dtype=bool)
    refuse_first(
        bad,
        lambda row: f"{source} row {row}, field {UNIT_COLUMN!r}",
        pd.Series(
            [
                None if b else f"{v!r} is not conversions or value"
                for b, v in zip(blank, raw.tolist(), strict=True)
            ]
        ),
        "write conversions or value in every row (as 'audience uplift' does), or drop the "
        "column and pass --outcome-unit",
    )
    units = sorted(set(text.tolist()))
    if len(units) > 1:
        raise DataValidationError(
            f"{source}, field {UNIT_COLUMN!r}: rows disagree ({', '.join(units)}); one scores "
            "file holds one model's uplift, in one unit - score each outcome into its own file"
        )
    name = None
    if OUTCOME_COLUMN in scores.columns:
        names = scores[OUTCOME_COLUMN].dropna().astype(str).str.strip().unique()
        name = str(names[0]) if len(names) == 1 and names[0] else None
    return name, units[0]


def _says(name: str | None, unit: str) -> str:
    what = f"'{name}'" if name else "the outcome"
    return f"{what}, " + ("an amount of money" if unit == "value" else "conversions")


def resolve_unit(
    scores: pd.DataFrame,
    *,
    stated: str | None = None,
    outcome: str | None = None,
    source: str = "the scores",
) -> tuple[str | None, str]:
    """The outcome name and unit of the scores' uplift.

    ``stated`` (``--outcome-unit``) comes first, then what ``audience uplift`` recorded
    (:data:`UNIT_COLUMN`), then the held-out ``outcome`` column's values; with none of them the
    uplift is read as conversions (scores written before the unit was recorded). A stated unit
    that contradicts the recorded one, or a held-out outcome in another unit than the uplift
    (ranked in dollars, measured in visits), is refused.
    """
    name, recorded = _recorded(scores, source)
    if stated is not None and recorded is not None and stated != recorded:
        raise ConfigError(
            f"--outcome-unit {stated} contradicts {source}: its uplift is in {_says(name, recorded)}"
            f" (column {UNIT_COLUMN!r}, written by 'audience uplift'); leave --outcome-unit out, "
            f"or rescore with 'audience uplift --outcome-unit {stated}'"
        )
    unit = stated or recorded
    if outcome is not None and outcome in scores.columns:
        y, _ = coerce_outcome(scores[outcome], column=str(outcome))
        detected = outcome_unit(y, str(outcome))
        values = set(np.unique(y).tolist())
        flag = values <= {0.0, 1.0} and len(values) == 2
        if unit is not None and (
            (unit == "conversions" and detected == "value")
            or (unit == "value" and flag and outcome != name)
        ):
            origin = "--outcome-unit" if stated is not None else f"column {UNIT_COLUMN!r}"
            raise ConfigError(
                f"--outcome '{outcome}' holds "
                + ("amounts (fractional values)" if detected == "value" else "a 0/1 flag")
                + f" but the uplift of {source} is in {_says(name, unit)} ({origin}): ranked in "
                "one unit and measured in another, the ROI would be wrong; measure with the "
                "outcome the model was trained on"
                + (f" (--outcome {name})" if name else "")
                + ", or score this outcome with 'audience uplift'"
            )
        unit = unit or detected
        name = name or str(outcome)
    return name, unit or "conversions"


def unit_label(name: str | None, unit: str) -> str:
    """What one unit of uplift counts, for sentences: ``conversions`` or e.g. ``spend``."""
    if unit != "value":
        return "conversions"
    return name or "value"


def value_per_unit(given: float | None, unit: str, name: str | None) -> float:
    """``--value-per-conversion`` for the unit: required for conversions; for money it is
    left out (1: a dollar of incremental spend is worth a dollar). Another value for money is
    refused by :class:`~micromix.audience.policy.TargetingSpec`."""
    if given is not None:
        return float(given)
    if unit == "value":
        return 1.0
    raise ConfigError(
        f"pass --value-per-conversion: the uplift is in {_says(name, unit)}, and the value of "
        "one incremental conversion turns it into money (ROI, who pays for themselves); when "
        f"the outcome is an amount of money, score it with 'audience uplift --outcome-unit value'"
    )


def money_refusal(value: str, name: str | None) -> str:
    """Why ``--value-per-conversion value`` is refused when the uplift is already money."""
    return (
        f"--value-per-conversion {value} would multiply money: the uplift is in "
        f"{_says(name, 'value')}, so one incremental unit is already worth 1; leave "
        "--value-per-conversion out (ROI is then (incremental value - cost) / cost)"
    )
