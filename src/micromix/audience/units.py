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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from micromix.audience._prep import coerce_outcome
from micromix.errors import ConfigError, DataValidationError
from micromix.schema.values import blank_cells, refuse_first

if TYPE_CHECKING:
    from micromix.store import Store

__all__ = [
    "INPUT_SOURCES",
    "OUTCOME_COLUMN",
    "UNITS",
    "UNIT_COLUMN",
    "TargetingInput",
    "TargetingInputs",
    "money_refusal",
    "outcome_unit",
    "parse_unit",
    "resolve_unit",
    "targeting_inputs",
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


def value_per_unit(
    given: float | None,
    unit: str,
    name: str | None,
    *,
    flag: str = "--value-per-conversion",
    why: str = "when the outcome is an amount of money, score it with 'audience uplift "
    "--outcome-unit value'",
) -> float:
    """``--value-per-conversion`` for the unit: required for conversions; for money it is
    left out (1: a dollar of incremental spend is worth a dollar). Another value for money is
    refused by :class:`~micromix.audience.policy.TargetingSpec`. ``flag`` and ``why`` word the
    refusal for the caller (the API says ``value_per_conversion`` and why its store cannot)."""
    if given is not None:
        return float(given)
    if unit == "value":
        return 1.0
    raise ConfigError(
        f"pass {flag}: the uplift is in {_says(name, unit)}, and the value of one incremental "
        f"conversion turns it into money (ROI, who pays for themselves); {why}"
    )


def money_refusal(value: str, name: str | None) -> str:
    """Why ``--value-per-conversion value`` is refused when the uplift is already money."""
    return (
        f"--value-per-conversion {value} would multiply money: the uplift is in "
        f"{_says(name, 'value')}, so one incremental unit is already worth 1; leave "
        "--value-per-conversion out (ROI is then (incremental value - cost) / cost)"
    )


# ------------------------------------------------------------------ inputs a store implies
#: where a targeting input came from: the request (``given``) or the store's own data; the
#: mass cost per contact may also be the ``cost_per_contact`` (no mass spend in the store)
INPUT_SOURCES: tuple[str, ...] = ("given", "store", "cost_per_contact")


@dataclass(frozen=True)
class TargetingInput:
    """One amount of a targeting request: its value and where it came from, or why the store
    cannot say it (``value`` and ``source`` are then None and ``note`` is the refusal)."""

    field: str
    value: float | None
    source: str | None
    note: str


@dataclass(frozen=True)
class TargetingInputs:
    """The value of one conversion, the budget and the cost per contact of an audience, and
    the cost of one mass contact (``mass_cost_per_contact``: mass reach is bought at another
    price than a microtargeted contact)."""

    value_per_conversion: TargetingInput
    budget: TargetingInput
    cost_per_contact: TargetingInput
    mass_cost_per_contact: TargetingInput | None = None

    @property
    def mass_cost(self) -> float | None:
        """The cost of one mass contact, or None (then the cost per contact applies)."""
        m = self.mass_cost_per_contact
        return None if m is None or m.value is None else float(m.value)

    def _all(self) -> tuple[TargetingInput, ...]:
        return (self.value_per_conversion, self.budget, self.cost_per_contact)

    def require(self) -> tuple[float, float, float]:
        """``(value_per_conversion, budget, cost_per_contact)``; refuses (ConfigError) with
        every sentence of an input neither given nor implied by the store."""
        missing = [i.note for i in self._all() if i.value is None]
        if missing:
            raise ConfigError("; and ".join(missing))
        return tuple(float(i.value) for i in self._all())  # type: ignore[return-value,arg-type]

    def to_dict(self) -> dict[str, Any]:
        """``value_per_conversion``/``value_from``, ``budget``/``budget_from``,
        ``cost_per_contact``/``cost_from``, ``mass_cost_per_contact``/``mass_cost_from`` and
        ``input_notes`` (field to sentence)."""
        out: dict[str, Any] = {}
        pairs = list(zip(self._all(), ("value_from", "budget_from", "cost_from"), strict=True))
        if self.mass_cost_per_contact is not None:
            pairs.append((self.mass_cost_per_contact, "mass_cost_from"))
        for i, key in pairs:
            out[i.field] = i.value
            out[key] = i.source
        out["input_notes"] = {i.field: i.note for i, _ in pairs}
        return out


def _given(field: str, value: float) -> TargetingInput:
    return TargetingInput(field, float(value), "given", f"{field} {value:g}: given")


def _store_value(store: Store, experiment: str) -> tuple[float | None, str]:
    """Revenue per converting person in ``experiment``, or None and why not."""
    where = f"holdout {experiment!r}"
    if "revenue" not in store.columns("experiments"):
        return None, f"the store's experiments have no revenue column, so {where} cannot value one"
    t = store.table("experiments")
    t = t.filter(t.experiment_id == experiment)
    got = store.execute(
        t.aggregate(
            people=(t.conversions.fill_null(0) > 0).sum(),
            revenue=t.revenue.sum(where=t.conversions.fill_null(0) > 0),
        )
    ).iloc[0]
    people = int(got["people"] or 0)
    revenue = float(got["revenue"]) if pd.notna(got["revenue"]) else 0.0
    if people == 0 or revenue <= 0:
        return None, (
            f"{where} (the experiment the uplift model learns from) records "
            + ("no converting person" if people == 0 else "no revenue for its converting people")
        )
    value = round(revenue / people, 2)
    return value, (
        f"value_per_conversion {value:g}: revenue per converting person in {where}, the "
        f"experiment the uplift model learns from ({revenue:,.2f} over {people:,} people)"
    )


def _store_spend(store: Store, targeting: str = "micro") -> tuple[float, int, str] | str:
    """Spend of ``targeting`` (micro or mass), the people it reached and its dates, or why
    the store has none."""
    need = {"targeting", "cost", "event_type", "user_id", "ts"}
    lacking = sorted(need - set(store.columns("events"))) if store.has_table("events") else []
    if not store.has_table("events") or not store.count("events") or lacking:
        return "the store has no events" + (f" with {', '.join(lacking)}" if lacking else "")
    t = store.table("events")
    t = t.filter(t.targeting == targeting)
    got = store.execute(
        t.aggregate(
            spend=t.cost.sum(),
            reach=t.user_id.nunique(where=t.event_type == "impression"),
            first=t.ts.min(),
            last=t.ts.max(),
        )
    ).iloc[0]
    spend = float(got["spend"]) if pd.notna(got["spend"]) else 0.0
    reach = int(got["reach"] or 0)
    if spend <= 0 or reach == 0:
        kind = "microtargeted" if targeting == "micro" else f"{targeting}-targeted"
        return f"the store's events hold no {kind} (targeting {targeting!r}) " + (
            "spend" if spend <= 0 else "impressions"
        )
    dates = f"{pd.Timestamp(got['first']):%Y-%m-%d} to {pd.Timestamp(got['last']):%Y-%m-%d}"
    return spend, reach, dates


def targeting_inputs(
    store: Store,
    experiment: str,
    *,
    value_per_conversion: float | None = None,
    budget: float | None = None,
    cost_per_contact: float | None = None,
    unit: str = "conversions",
    outcome: str | None = None,
    mass_cost_per_contact: float | None = None,
) -> TargetingInputs:
    """The amounts of an audience built on the store: each as given, else what the store's
    own data implies, else a refusal that says what to pass (never a constant).

    * ``value_per_conversion``: for a conversions uplift, the revenue per converting person
      in ``experiment`` (the holdout the uplift model learns from); for money, 1
      (:func:`value_per_unit`);
    * ``budget``: the microtargeted spend in the store's events (what microtargeting cost
      over their dates);
    * ``cost_per_contact``: that spend over the people it reached (distinct people with a
      microtargeted impression);
    * ``mass_cost_per_contact``: the mass-targeted spend over the people it reached (targeting
      ``mass``), else the cost per contact (as ``audience target`` without
      ``--mass-cost-per-contact``), said in its note.

    The API's audience routes and the dashboard's form take their defaults from here; a
    request still missing one answers 422 with :meth:`TargetingInputs.require`'s sentence.
    """
    if value_per_conversion is not None or unit == "value":
        v = value_per_unit(value_per_conversion, unit, outcome)
        value = (
            _given("value_per_conversion", v)
            if value_per_conversion is not None
            else TargetingInput(
                "value_per_conversion",
                v,
                "store",
                f"value_per_conversion 1: the uplift is in "
                f"{_says(outcome, unit)}, so one incremental unit is worth 1",
            )
        )
    else:
        implied, note = _store_value(store, experiment)
        if implied is None:
            try:
                value_per_unit(None, unit, outcome, flag="value_per_conversion", why=note)
            except ConfigError as exc:
                note = str(exc)
        value = TargetingInput(
            "value_per_conversion", implied, "store" if implied is not None else None, note
        )
    spent = _store_spend(store) if budget is None or cost_per_contact is None else None
    if budget is not None:
        budget_in = _given("budget", budget)
    elif isinstance(spent, tuple):
        amount = round(spent[0], 2)
        budget_in = TargetingInput(
            "budget",
            amount,
            "store",
            f"budget {amount:g}: the microtargeted spend in the store's events ({spent[2]})",
        )
    else:
        budget_in = TargetingInput(
            "budget", None, None, f"pass budget: the money available for contacts; {spent}"
        )
    if cost_per_contact is not None:
        cost_in = _given("cost_per_contact", cost_per_contact)
    elif isinstance(spent, tuple):
        cost = round(spent[0] / spent[1], 4)
        cost_in = TargetingInput(
            "cost_per_contact",
            cost,
            "store",
            f"cost_per_contact {cost:g}: the microtargeted "
            f"spend in the store's events over the {spent[1]:,} people it reached ({spent[2]})",
        )
    else:
        cost_in = TargetingInput(
            "cost_per_contact",
            None,
            None,
            f"pass cost_per_contact: what reaching one person costs; {spent}",
        )
    return TargetingInputs(
        value, budget_in, cost_in, _mass_cost(store, mass_cost_per_contact, cost_in)
    )


def _mass_cost(store: Store, given: float | None, cost_in: TargetingInput) -> TargetingInput:
    """The cost of one mass contact: given, else the store's mass spend per person reached,
    else the cost per contact (what ``audience target`` assumes without the flag)."""
    field = "mass_cost_per_contact"
    if given is not None:
        return _given(field, given)
    spent = _store_spend(store, "mass")
    if isinstance(spent, tuple):
        cost = round(spent[0] / spent[1], 4)
        return TargetingInput(
            field,
            cost,
            "store",
            f"{field} {cost:g}: the mass-targeted spend in the store's events over the "
            f"{spent[1]:,} people it reached ({spent[2]})",
        )
    if cost_in.value is None:
        return TargetingInput(
            field, None, None, f"{field} is the cost_per_contact when not given; {spent}"
        )
    return TargetingInput(
        field,
        cost_in.value,
        "cost_per_contact",
        f"{field} {cost_in.value:g}: the cost per contact, as {spent}; pass "
        f"{field} to price mass reach on its own",
    )
