"""Targeting policies under a budget: mass, microtargeted and hybrid, and their comparison.

* **mass** — contact people who may be contacted, in no particular order, at the (cheaper)
  mass cost per contact, until the budget ends. Buys reach.
* **micro** — rank people by ``uplift * value - cost`` and contact them from the top while
  the marginal return is positive and the budget lasts. ``value`` is the spec's constant
  value of a conversion, or each person's own value when the scores carry a
  :data:`VALUE_COLUMN` (e.g. their segment's predicted customer lifetime value).
* **hybrid** — spend ``hybrid_share`` of the budget on the micro ranking, the rest on mass
  reach among the others.

Every policy first removes people who may not be targeted (consent, minors, erased; see
:mod:`micromix.audience.privacy`) and ends at the export guardrails.

When mass wins
--------------
Mass targeting is the right call when the goal is awareness (reach per dollar), or when uplift
heterogeneity is small: if the top-decile average uplift is less than
``micro_cost / mass_cost`` times the overall average, the microtargeting premium buys fewer
incremental conversions than reaching more people. :func:`compare_policies` applies this rule
and also checks whether the micro advantage is larger than its interval.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.audience.policy import TargetingSpec, microtarget
>>> scores = pd.DataFrame({"uplift": [0.2, 0.15, 0.01]})
>>> spec = TargetingSpec(budget=10, cost_per_contact=1, value_per_conversion=10)
>>> microtarget(scores, spec).summary["contacts"]
2
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from micromix.audience._prep import coerce_outcome, split_treatment
from micromix.audience.privacy import (
    PrivacyPolicy,
    audit_audience,
    enforce,
    erased_mask,
    ineligible_reasons,
)
from micromix.audience.scoring import (
    CONTROL_COLUMN,
    IN_SAMPLE_COLUMN,
    OUT_OF_FOLD_COLUMN,
    TREATMENT_COLUMN,
)
from micromix.audience.units import OUTCOME_COLUMN, UNITS, money_refusal, resolve_unit, unit_label
from micromix.checks import CheckResult, Status
from micromix.errors import ConfigError, DataValidationError
from micromix.schema.purchases import read_ids
from micromix.schema.values import blank_cells

__all__ = [
    "CONTACT_COLUMNS",
    "POLICIES",
    "VALUE_COLUMN",
    "ComparisonResult",
    "TargetingResult",
    "TargetingSpec",
    "compare_policies",
    "hybrid_target",
    "mass_target",
    "microtarget",
    "promotion_metrics",
    "resolve_uplift",
    "target",
]

#: a scores column with each person's value of one conversion (replaces the spec's constant)
VALUE_COLUMN = "conversion_value"
#: the targeting policies, in the order of comparison tables
POLICIES: tuple[str, ...] = ("mass", "micro", "hybrid")
_GOALS = ("conversions", "awareness")


@dataclass(frozen=True)
class TargetingSpec:
    """Budget and unit economics of a campaign.

    Parameters
    ----------
    budget : float
        Money available for contacts (> 0).
    cost_per_contact : float
        Cost of one microtargeted contact (>= 0).
    value_per_conversion : float
        Value of one incremental conversion (> 0); must be 1 when the uplift is money
        (``outcome_unit="value"``).
    mass_cost_per_contact : float, optional
        Cost of one mass contact (default: ``cost_per_contact``); usually lower.
    hybrid_share : float
        Share of the budget the hybrid policy spends on microtargeting, in [0, 1].
    goal : {"conversions", "awareness"}
        What the campaign is for; awareness favours mass reach.
    outcome_unit : {"conversions", "value"}
        The unit of the uplift (:mod:`micromix.audience.units`): conversions, valued at
        ``value_per_conversion``, or an amount of money (spend), counted as it is. Scores that
        record their unit (``scored_outcome_unit``) must agree.
    outcome : str, optional
        The outcome's name, for labels (``incremental spend``).
    currency : str, optional
        The currency of the budget, costs and money outcomes (e.g. ``USD``), for labels; when
        not given they are in the data's own unit.
    """

    budget: float
    cost_per_contact: float
    value_per_conversion: float
    mass_cost_per_contact: float | None = None
    hybrid_share: float = 0.5
    goal: str = "conversions"
    outcome_unit: str = "conversions"
    outcome: str | None = None
    currency: str | None = None

    def __post_init__(self) -> None:
        if not np.isfinite(self.budget) or self.budget <= 0:
            raise ConfigError(f"--budget must be a positive amount, got {self.budget}")
        if not np.isfinite(self.cost_per_contact) or self.cost_per_contact < 0:
            raise ConfigError(f"--cost-per-contact must be >= 0, got {self.cost_per_contact}")
        if not np.isfinite(self.value_per_conversion) or self.value_per_conversion <= 0:
            raise ConfigError(
                f"--value-per-conversion must be > 0, got {self.value_per_conversion}"
            )
        if self.mass_cost_per_contact is not None and self.mass_cost_per_contact < 0:
            raise ConfigError(
                f"--mass-cost-per-contact must be >= 0, got {self.mass_cost_per_contact}"
            )
        if not 0 <= self.hybrid_share <= 1:
            raise ConfigError(f"hybrid_share must be in [0, 1], got {self.hybrid_share}")
        if self.goal not in _GOALS:
            raise ConfigError(f"goal must be one of {', '.join(_GOALS)}, got {self.goal!r}")
        if self.outcome_unit not in UNITS:
            raise ConfigError(
                f"outcome_unit must be one of {', '.join(UNITS)}, got {self.outcome_unit!r}"
            )
        if self.money and self.value_per_conversion != 1:
            raise ConfigError(money_refusal(f"{self.value_per_conversion:g}", self.outcome))

    @property
    def money(self) -> bool:
        """Whether the uplift is an amount of money (not conversions)."""
        return self.outcome_unit == "value"

    @property
    def incremental(self) -> str:
        """What the incremental figure counts, for sentences."""
        return f"incremental {unit_label(self.outcome, self.outcome_unit)}"

    @property
    def mass_cost(self) -> float:
        """Cost of one mass contact."""
        return float(
            self.cost_per_contact
            if self.mass_cost_per_contact is None
            else self.mass_cost_per_contact
        )

    @property
    def amounts(self) -> str:
        """What the money figures are in, said once: the currency, else the data's unit."""
        if self.currency:
            return self.currency
        if self.money:
            return f"the unit of '{self.outcome or 'the outcome'}' (the data's unit; --currency names it)"
        return "the unit of --budget (--currency names it)"

    def to_dict(self) -> dict[str, Any]:
        """The spec as JSON; for a money outcome the goal is its incremental value and there is
        no value per conversion (:meth:`from_dict` reads it back)."""
        d = asdict(self)
        if self.money:
            d["value_per_conversion"] = None
            if self.goal == "conversions":
                d["goal"] = _MONEY_GOAL
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TargetingSpec:
        d = dict(d)
        if d.get("goal") == _MONEY_GOAL:
            d["goal"] = "conversions"
        if d.get("value_per_conversion") is None and d.get("outcome_unit") == "value":
            d["value_per_conversion"] = 1.0
        return cls(**d)


#: the goal of a money outcome's spec as JSON (maximise the incremental amount)
_MONEY_GOAL = "incremental_value"


@dataclass
class TargetingResult:
    """Who to contact and what it is expected to buy.

    Attributes
    ----------
    policy : str
    audience : DataFrame
        The contacted rows (input columns plus :data:`CONTACT_COLUMNS`: ``contact_rank``,
        ``contact_channel`` (``micro`` or ``mass``), ``expected_uplift`` and, for several arms,
        ``arm``), best first. The input's own columns are never overwritten.
    summary : dict
        ``policy, eligible, excluded, contacts, cost, expected_incremental_conversions,
        expected_incremental_value, expected_incremental_cpa, expected_roi`` (the model's
        prediction; ``incremental_cpa`` and ``roi`` repeat the last two under their older
        names). When the uplift is money (``spec.outcome_unit == "value"``) there are no
        conversions: ``policy, eligible, excluded, contacts, cost, expected_incremental_value,
        expected_roi, roi, outcome, outcome_unit``. With the experiment the scores come from,
        the observed figures lead (``observed_incremental_conversions`` / ``_value`` with
        ``_low`` / ``_high``, ``observed_roi``, ``observed_incremental_cpa`` with its interval).
    checks : list of CheckResult
    """

    policy: str
    audience: pd.DataFrame
    summary: dict[str, Any]
    checks: list[CheckResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "checks": [c.to_dict() for c in self.checks]}

    def __repr__(self) -> str:
        s = self.summary
        incr = s.get("expected_incremental_conversions", s["expected_incremental_value"])
        return (
            f"TargetingResult(policy={self.policy!r}, contacts={s['contacts']}, "
            f"cost={s['cost']:.2f}, incremental={incr:.2f}, roi={s['roi']:.3f})"
        )


def resolve_uplift(
    scores: pd.DataFrame, uplift_col: str | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Uplift per row and, for several arms, the best arm per row.

    Uses ``uplift_col`` when given, else ``uplift``, else the ``uplift_<arm>`` columns (each
    person gets the arm with the highest uplift).
    """
    if uplift_col is not None:
        if uplift_col not in scores.columns:
            raise DataValidationError(
                f"scores have no column '{uplift_col}'; columns: "
                f"{', '.join(map(str, scores.columns[:20]))}"
            )
        cols = [uplift_col]
    elif "uplift" in scores.columns:
        cols = ["uplift"]
    else:
        cols = [c for c in scores.columns if str(c).startswith("uplift_")]
    if not cols:
        raise DataValidationError(
            "the scores file has no 'uplift' or 'uplift_<arm>' column; create it with "
            "'micromix audience uplift ... --output scores.csv'"
        )
    vals = scores[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    for j, c in enumerate(cols):  # empty = not scored (not eligible); unreadable = refused
        raw = scores[c].reset_index(drop=True)
        bad = ~blank_cells(raw) & np.isnan(vals[:, j])
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataValidationError(
                f"scores row {i + 1}, field {c!r}: {raw.iloc[i]!r} is not a number "
                f"({int(bad.sum())} such row(s)); write uplifts as plain numbers such as 0.012"
            )
    if len(cols) == 1:
        return vals[:, 0], None
    filled = np.where(np.isnan(vals), -np.inf, vals)
    best = filled.argmax(axis=1)
    u = filled[np.arange(len(filled)), best]
    u = np.where(np.isinf(u), np.nan, u)
    arms = np.array([c[len("uplift_") :] for c in cols], dtype=object)[best]
    return u, arms


def _eligibility(scores: pd.DataFrame, erased: Iterable[str]) -> pd.Series:
    reasons = ineligible_reasons(scores)
    if "user_id" in scores.columns:
        gone = erased_mask(scores["user_id"], erased)
        reasons = reasons.where(~gone, (reasons + ",erased").str.lstrip(","))
    return reasons


def _summary(
    policy: str,
    eligible: int,
    excluded: int,
    contacts: int,
    cost: float,
    incr: float,
    value: float,
    spec: TargetingSpec,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "policy": policy,
        "eligible": int(eligible),
        "excluded": int(excluded),
        "contacts": int(contacts),
        "cost": float(cost),
    }
    roi = float((value - cost) / cost) if cost > 0 else float("nan")
    if spec.money:  # the uplift is money: there are no conversions to count or price
        return {
            **out,
            "expected_incremental_value": float(value),
            "expected_roi": roi,
            "roi": roi,  # the older name of expected_roi, still read
            "outcome": spec.outcome,
            "outcome_unit": spec.outcome_unit,
        }
    cpa = float(cost / incr) if incr > 0 else float("nan")
    return {
        **out,
        "expected_incremental_conversions": float(incr),
        "expected_incremental_value": float(value),
        "expected_incremental_cpa": cpa,
        "expected_roi": roi,
        # the older names of the two predictions above, still read (plan actions, the API)
        "incremental_cpa": cpa,
        "roi": roi,
    }


def _prepare(
    scores: pd.DataFrame, uplift_col: str | None, erased: Iterable[str], spec: TargetingSpec
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """The scores with ``_uplift`` and ``_value``, the positions of the rows that may be
    contacted, and how many may not (every policy starts here)."""
    if len(scores) == 0:
        raise DataValidationError("the scores file has no rows")
    if "user_id" in scores.columns:  # a contact list needs whom to contact: no empty ids
        read_ids(scores["user_id"], "user_id", "the scores", option="name it 'user_id'",
                 who="person")  # fmt: skip
    resolve_unit(scores, stated=spec.outcome_unit)  # the scores' own unit must agree
    u, arms = resolve_uplift(scores, uplift_col)
    adds = [*CONTACT_COLUMNS, *(["arm"] if arms is not None else [])]
    taken = [c for c in adds if c in scores.columns]
    if taken:  # the contact list would overwrite the user's own column
        raise DataValidationError(
            f"the scores file already has a column {taken[0]!r}, which the contact list adds "
            f"(it adds {', '.join(adds)}); rename that column and run the command again"
        )
    df = scores.copy()
    df["_uplift"] = u
    df["_value"] = _conversion_values(scores, spec)
    if arms is not None:
        df["arm"] = arms
    reasons = _eligibility(df, erased)
    ok = (reasons == "").to_numpy() & ~np.isnan(u)
    return df, np.nonzero(ok)[0], int((~ok).sum())


def _conversion_values(scores: pd.DataFrame, spec: TargetingSpec) -> np.ndarray:
    """Each row's value of a conversion: its :data:`VALUE_COLUMN`, else the spec's constant."""
    if VALUE_COLUMN not in scores.columns:
        return np.full(len(scores), float(spec.value_per_conversion))
    if spec.money:
        raise DataValidationError(
            f"the scores have a column {VALUE_COLUMN!r} (the value of one conversion) but their "
            f"uplift is already money ({spec.incremental}); drop that column"
        )
    raw = scores[VALUE_COLUMN].reset_index(drop=True)
    v = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(v) | (v <= 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataValidationError(
            f"scores row {i + 1}, field {VALUE_COLUMN!r}: {raw.iloc[i]!r} is not a positive "
            f"number ({int(bad.sum())} such row(s)); every person needs the value of a "
            "conversion - fill it in or drop the column to use --value-per-conversion"
        )
    return v


def _micro_pick(u: np.ndarray, v: np.ndarray, spec: TargetingSpec, budget: float) -> np.ndarray:
    """Indices (into ``u``) chosen by the micro rule, best first; ``v``: values of a
    conversion."""
    net = u * v - spec.cost_per_contact
    order = np.argsort(-net, kind="mergesort")
    positive = order[net[order] > 0]
    return positive[: _affordable(len(positive), spec.cost_per_contact, budget)]


#: columns a contact list adds to the scores file's own (which it never overwrites)
CONTACT_COLUMNS = ("contact_rank", "contact_channel", "expected_uplift")


def _affordable(n: int, cost: float, budget: float) -> int:
    """How many of ``n`` contacts at ``cost`` each the budget buys (all when the cost is so
    small that the budget buys more than there are, e.g. a cost of 5e-324)."""
    if cost <= 0:
        return n
    can = np.floor(budget / cost + 1e-9)
    return n if not np.isfinite(can) or can >= n else int(can)


def _finish(
    policy: str,
    df: pd.DataFrame,
    picked: np.ndarray,
    channel: np.ndarray,
    eligible: int,
    excluded: int,
    spec: TargetingSpec,
) -> TargetingResult:
    aud = df.iloc[picked].copy()
    aud["contact_rank"] = np.arange(1, len(aud) + 1)
    aud["contact_channel"] = channel
    u = aud["_uplift"].to_numpy(dtype=float)
    value = float(np.sum(u * aud.pop("_value").to_numpy(dtype=float)))
    n_micro = int(np.sum(channel == "micro"))  # a count times a price: no float drift
    cost = float(n_micro * spec.cost_per_contact + (len(channel) - n_micro) * spec.mass_cost)
    summary = _summary(policy, eligible, excluded, len(aud), cost, float(np.sum(u)), value, spec)
    aud = aud.rename(columns={"_uplift": "expected_uplift"})
    return TargetingResult(policy, aud, summary)


def microtarget(
    scores: pd.DataFrame,
    spec: TargetingSpec,
    *,
    uplift_col: str | None = None,
    erased: Iterable[str] = (),
) -> TargetingResult:
    """Contact the best ``uplift * value - cost`` people while it pays and the budget lasts."""
    df, idx, excluded = _prepare(scores, uplift_col, erased, spec)
    pick = idx[
        _micro_pick(df["_uplift"].to_numpy()[idx], df["_value"].to_numpy()[idx], spec, spec.budget)
    ]
    return _finish("micro", df, pick, np.full(len(pick), "micro"), len(idx), excluded, spec)


def _mass_pick(idx: np.ndarray, cost: float, budget: float, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(idx)[: _affordable(len(idx), cost, budget)]


def mass_target(
    scores: pd.DataFrame,
    spec: TargetingSpec,
    *,
    uplift_col: str | None = None,
    erased: Iterable[str] = (),
    seed: int = 0,
) -> TargetingResult:
    """Contact eligible people in random order at the mass cost until the budget ends."""
    df, idx, excluded = _prepare(scores, uplift_col, erased, spec)
    pick = _mass_pick(idx, spec.mass_cost, spec.budget, np.random.default_rng(seed))
    return _finish("mass", df, pick, np.full(len(pick), "mass"), len(idx), excluded, spec)


def hybrid_target(
    scores: pd.DataFrame,
    spec: TargetingSpec,
    *,
    uplift_col: str | None = None,
    erased: Iterable[str] = (),
    seed: int = 0,
) -> TargetingResult:
    """Microtarget with ``hybrid_share`` of the budget, mass-reach the rest with the remainder."""
    df, idx, excluded = _prepare(scores, uplift_col, erased, spec)
    u, v = df["_uplift"].to_numpy()[idx], df["_value"].to_numpy()[idx]
    micro = idx[_micro_pick(u, v, spec, spec.budget * spec.hybrid_share)]
    spent = len(micro) * spec.cost_per_contact
    rest = np.setdiff1d(idx, micro, assume_unique=True)
    mass = _mass_pick(rest, spec.mass_cost, spec.budget - spent, np.random.default_rng(seed))
    pick = np.r_[micro, mass].astype(int)
    channel = np.r_[np.full(len(micro), "micro"), np.full(len(mass), "mass")]
    return _finish("hybrid", df, pick, channel, len(idx), excluded, spec)


_RUNNERS = {"mass": mass_target, "micro": microtarget, "hybrid": hybrid_target}


def target(
    scores: pd.DataFrame,
    spec: TargetingSpec,
    *,
    policy: str = "micro",
    platform: str | None = None,
    special_ad_category: str | None = None,
    features: Sequence[str] = (),
    erased: Iterable[str] = (),
    privacy: PrivacyPolicy | None = None,
    uplift_col: str | None = None,
    seed: int = 0,
    n_bootstrap: int = 200,
) -> TargetingResult:
    """Select an audience with ``policy`` and pass it through every export guardrail.

    When the scores hold the experiment they were trained on (:func:`recorded_experiment`:
    out-of-fold or held-out scores with the treatment and outcome columns), the summary leads
    with the audience's *observed* lift there (``observed_incremental_value`` or
    ``observed_incremental_conversions``, with a ``n_bootstrap`` interval, and
    ``observed_roi``) beside the prediction (``expected_...``), and a ``calibration`` check
    says whether the prediction is within the observed interval.

    Raises
    ------
    GuardrailError
        When a guardrail fails (special ad category microtargeted, audience below the
        platform minimum, special-category features...).
    """
    if policy not in _RUNNERS:
        raise ConfigError(f"--policy {policy!r} is not known; choose one of {', '.join(POLICIES)}")
    erased = erased if isinstance(erased, set | frozenset) else set(erased)  # keeps its key
    pre = audit_audience(
        scores.iloc[:0],
        platform=platform,
        targeting=policy,
        features=features,
        special_ad_category=special_ad_category,
        policy=privacy,
    )
    enforce(
        [c for c in pre if c.name in ("special_ad_category", "special_category")],
        action=f"run {policy} targeting",
    )
    if policy == "mass":
        res = mass_target(scores, spec, uplift_col=uplift_col, erased=erased, seed=seed)
    elif policy == "micro":
        res = microtarget(scores, spec, uplift_col=uplift_col, erased=erased)
    else:
        res = hybrid_target(scores, spec, uplift_col=uplift_col, erased=erased, seed=seed)
    checks = audit_audience(
        res.audience,
        platform=platform,
        targeting=policy,
        features=features,
        special_ad_category=special_ad_category,
        erased=erased,
        policy=privacy,
    )
    if scored_in_sample(scores):
        checks.append(
            CheckResult(
                "scores_in_sample",
                Status.REVIEW,
                f"the expected {spec.incremental} {'comes' if spec.money else 'come'} from the "
                "model's scores of the rows it "
                "was trained on (in-sample), which flatter its own ranking",
                "score a held-out file ('audience uplift --score HELD_OUT.csv') and target on "
                "those scores",
            )
        )
    res.checks = checks
    enforce(checks)
    recorded = recorded_experiment(scores)
    if recorded is not None:
        res.summary, extra = _observe_target(
            scores, res, spec, recorded, uplift_col, n_bootstrap=n_bootstrap, seed=seed
        )
        res.checks.extend(extra)
    return res


def recorded_experiment(scores: pd.DataFrame) -> tuple[str, str, str] | None:
    """The treatment column, outcome column and control value of the experiment the scores
    were trained on (as ``audience uplift`` records them), when the scores file holds both
    columns, filled in on the rows that were in it (:func:`experiment_rows`), and its scores
    are honest (out-of-fold or held-out, not in-sample)."""
    if scored_in_sample(scores):
        return None
    found = []
    for col in (TREATMENT_COLUMN, OUTCOME_COLUMN, CONTROL_COLUMN):
        if col not in scores.columns:
            return None
        names = scores[col].dropna().astype(str).str.strip().unique()
        if len(names) != 1 or not names[0]:
            return None
        found.append(str(names[0]))
    treatment, outcome, control = found
    rows = experiment_rows(scores)
    for col in (treatment, outcome):
        if col not in scores.columns or blank_cells(scores[col].reset_index(drop=True))[rows].any():
            return None
    return treatment, outcome, control


def _out_of_fold_flags(scores: pd.DataFrame) -> np.ndarray | None:
    if OUT_OF_FOLD_COLUMN not in scores.columns:
        return None
    flags = pd.Series(scores[OUT_OF_FOLD_COLUMN]).astype(str).str.strip().str.lower()
    return flags.isin(["true", "1"]).to_numpy()


def experiment_rows(scores: pd.DataFrame) -> np.ndarray:
    """Which rows were in the experiment the scores were fitted on (and are measured on).

    Every row, except in scores out of fold on some rows only: a stored audience
    (:func:`~micromix.audience.workflows.score_stored_audience`) scores the experiment's
    people out of fold and everyone else with the model fitted on all of them; there the
    experiment's people are the out-of-fold rows, and the others have no arm or outcome.
    """
    flags = _out_of_fold_flags(scores)
    if flags is None or flags.all() or not flags.any():
        return np.ones(len(scores), dtype=bool)
    return flags


def scored_out_of_fold(scores: pd.DataFrame) -> bool:
    """Whether the scores are cross-fitted (:data:`~micromix.audience.scoring.OUT_OF_FOLD_COLUMN`):
    each row of the experiment (:func:`experiment_rows`) scored by a model that did not see
    it."""
    flags = _out_of_fold_flags(scores)
    return flags is not None and bool(flags[experiment_rows(scores)].all())


def _amount(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def _calibration(
    who: str, predicted: float, observed: float, lo: float, hi: float, spec: TargetingSpec
) -> CheckResult:
    """Whether the model's predicted incremental figure lies in the observed interval."""
    what = spec.incremental
    said = (
        f"{who}: predicted {what} {_amount(predicted)}, observed {_amount(observed)} "
        f"(95% {_amount(lo)} to {_amount(hi)})"
    )
    details = {"predicted": predicted, "observed": observed, "low": lo, "high": hi}
    if lo <= predicted <= hi:
        return CheckResult(
            "calibration", Status.PASS, f"{said}: the prediction is within", "", details
        )
    return CheckResult(
        "calibration",
        Status.REVIEW,
        f"{said}: the prediction is outside the interval the experiment shows, so the "
        "observed figure leads",
        "the scores may rank people, but their size is not what the experiment measures; "
        "budget on the observed figure",
        details,
    )


def _observe_target(
    scores: pd.DataFrame,
    res: TargetingResult,
    spec: TargetingSpec,
    recorded: tuple[str, str, str],
    uplift_col: str | None,
    *,
    n_bootstrap: int,
    seed: int,
    alpha: float = 0.05,
) -> tuple[dict[str, Any], list[CheckResult]]:
    """The summary with the audience's observed lift in the experiment the scores come from
    (first, beside the prediction), and the calibration check."""
    treatment, outcome, control = recorded
    _, best = resolve_uplift(scores, uplift_col)
    exp = _experiment(scores, treatment, outcome, control, uplift_col, best)
    sel = np.zeros(len(scores), dtype=bool)
    sel[scores.index.get_indexer(res.audience.index)] = True
    n = len(scores)
    point = exp.total(sel, np.ones(n))
    rng = np.random.default_rng(seed)
    draws = [
        exp.total(sel, rng.multinomial(n, np.full(n, 1.0 / n)).astype(float))
        for _ in range(n_bootstrap)
    ]
    lo, hi = _interval(draws, alpha) if np.isfinite(point) else (np.nan, np.nan)
    s = res.summary
    key = "incremental_value" if spec.money else "incremental_conversions"
    predicted = float(s[f"expected_{key}"])
    observed: dict[str, Any] = {
        f"observed_{key}": point,
        f"observed_{key}_low": lo,
        f"observed_{key}_high": hi,
    }
    if VALUE_COLUMN not in scores.columns:
        observed["observed_roi"] = _roi(point, s["cost"], spec.value_per_conversion)
    if not spec.money:  # what an observed incremental conversion cost (high end: lift's low)
        observed.update(_observed_cpa(float(s["cost"]), point, lo, hi))
    head = ("policy", "eligible", "excluded", "contacts", "cost")
    summary = {
        **{k: s[k] for k in head},
        **observed,
        **{k: v for k, v in s.items() if k not in head},
    }
    summary["observed_on"] = f"{treatment} / {outcome}"
    who = f"{res.policy} audience of {len(res.audience):,}"
    rows = experiment_rows(scores)
    if not rows.all():  # a stored audience: only some of the chosen were in the experiment
        n_in = int((sel & rows).sum())
        summary["observed_people"] = n_in
        who += f" ({n_in:,} of them in the experiment, whose lift is observed)"
    if not np.isfinite(point):
        return summary, [
            CheckResult(
                "observed_lift",
                Status.REVIEW,
                f"{who}: the {spec.incremental} cannot be observed (no one in it received the "
                "treatment, or no one was in the control group); only the prediction is left",
                "read the prediction as unmeasured",
            )
        ]
    return summary, [_calibration(who, predicted, point, lo, hi, spec)]


def promotion_metrics(
    targeted: Any,
    treatment: Any,
    outcome: Any,
    *,
    value: float = 10.0,
    cost: float = 0.15,
    control: Any = None,
) -> dict[str, float]:
    """Net incremental revenue (NIR) and incremental response rate (IRR) of a targeting rule,
    as in the Udacity/Starbucks promotion exercise, over the people the rule targets.

    ``NIR = value * purch_treat - cost * n_treat - value * purch_ctrl`` and
    ``IRR = purch_treat / n_treat - purch_ctrl / n_ctrl``.
    """
    mask = np.asarray(targeted, dtype=bool)
    labels, ctrl, _ = split_treatment(treatment, control, min_rows=1)
    t = (labels != ctrl)[mask]
    y, _ = coerce_outcome(outcome)
    y = y[mask]
    n_t, n_c = int(t.sum()), int((~t).sum())
    p_t, p_c = float(y[t].sum()), float(y[~t].sum())
    irr = (p_t / n_t if n_t else 0.0) - (p_c / n_c if n_c else 0.0)
    return {
        "nir": value * p_t - cost * n_t - value * p_c,
        "irr": irr,
        "n_targeted": int(mask.sum()),
        "n_treat": n_t,
        "n_ctrl": n_c,
        "purch_treat": p_t,
        "purch_ctrl": p_c,
    }


@dataclass
class ComparisonResult:
    """Mass vs micro vs hybrid under one budget.

    Attributes
    ----------
    table : DataFrame
        One row per policy: ``reach, cost, incremental_conversions`` (+ ``_low/_high``),
        ``incremental_cpa``, ``roi`` (+ intervals), ``source`` (``observed`` when treatment
        and outcome columns were given, else ``predicted``). When the uplift is money
        (``spec.money``): ``incremental_value`` (+ ``_low/_high``) and no ``incremental_cpa``.
        Measured on an experiment, ``predicted_incremental_conversions`` and
        ``predicted_incremental_cpa`` are the model's figures beside the observed ones;
        :meth:`labelled_table` names every figure observed or predicted.
    winner : str
    reason : str
        Why the winner wins (the rule in the module docstring).
    heterogeneity : float
        Top-decile average uplift over the overall average.
    """

    table: pd.DataFrame
    winner: str
    reason: str
    heterogeneity: float
    spec: TargetingSpec
    #: how far the winner can be trusted (review when it rests on predicted, in-sample uplift)
    checks: list[CheckResult] = field(default_factory=list)
    #: observed figures per policy and arm sent (empty without a held-out experiment)
    arms: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: one sentence on how the incremental conversions were measured
    basis: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table.to_dict(orient="records"),
            "winner": self.winner,
            "reason": self.reason,
            "heterogeneity": self.heterogeneity,
            "spec": self.spec.to_dict(),
            "basis": self.basis,
            "arms": self.arms.to_dict(orient="records"),
            "checks": [c.to_dict() for c in self.checks],
        }

    def labelled_table(self) -> pd.DataFrame:
        """The table with every figure named observed or predicted, for reading.

        Measured on an experiment, ``incremental_conversions``, ``incremental_cpa`` and ``roi``
        become ``observed_...``, next to the model's ``predicted_incremental_cpa`` (observed vs
        predicted CPA, as the mix-model report puts it); without one they are the model's
        prediction and become ``predicted_...`` (their empty intervals are left out).
        """
        t = self.table
        if t.empty or "source" not in t.columns:
            return t.copy()
        if str(t["source"].iloc[0]).startswith("observed"):
            out = t.rename(columns=_OBSERVED_COLUMNS)
            lead = [
                c for c in ("observed_incremental_cpa", "predicted_incremental_cpa") if c in out
            ]
            if lead:  # observed vs predicted CPA side by side, right after the figure's interval
                rest = [c for c in out.columns if c not in lead]
                at = max(i for i, c in enumerate(rest) if c.startswith("observed_incremental_")) + 1
                out = out[[*rest[:at], *lead, *rest[at:]]]
            return out
        empty = [c for c in t.columns if c.endswith(("_low", "_high")) and t[c].isna().all()]
        return t.drop(columns=empty).rename(columns=_PREDICTED_COLUMNS)

    def __repr__(self) -> str:
        return (
            f"ComparisonResult(winner={self.winner!r}: {self.reason})\n"
            f"{self.table.to_string(index=False)}"
        )


#: how observed incremental conversions are measured (printed with every observed comparison)
OBSERVED_BASIS = (
    "observed lift: within the people a policy contacts, those who received the treatment in "
    "the experiment against the control people, times the number contacted"
)
OBSERVED_BASIS_ARMS = (
    "observed lift with several arms: each contacted person is sent the arm with the highest "
    "predicted uplift (the 'arm' column of 'audience target'); for each arm, the contacted "
    "people sent it who received that arm in the experiment against the contacted people sent "
    "it who were in the control group, times the number sent it; the policy's figure is the "
    "sum over arms (people who received another arm do not count in that arm's comparison)"
)


def _sent_arms(
    scores: pd.DataFrame,
    uplift_col: str | None,
    best: np.ndarray | None,
    treatment: str,
    ctrl: str,
    exp_arms: list[str],
) -> np.ndarray:
    """The experiment arm each row would be sent: its best ``uplift_<arm>`` with several
    uplift columns, the arm the one uplift column names, or the experiment's only arm."""
    if best is not None:
        arms = sorted({str(a) for a in best})
        unknown = [a for a in arms if a not in exp_arms]
        if unknown:
            raise DataValidationError(
                f"the scores have a column 'uplift_{unknown[0]}' but treatment column "
                f"'{treatment}' has no arm {unknown[0]!r} (its arms: {', '.join(exp_arms)}; "
                f"control {ctrl!r}); score this experiment with 'audience uplift', or pass "
                "--uplift-col with the one arm to measure"
            )
        return np.asarray(best, dtype=object)
    col = uplift_col if uplift_col is not None else "uplift"
    named = col[len("uplift_") :] if col.startswith("uplift_") else None
    if named in exp_arms:
        return np.full(len(scores), named, dtype=object)
    if len(exp_arms) == 1:
        return np.full(len(scores), exp_arms[0], dtype=object)
    raise ConfigError(
        f"treatment column '{treatment}' has {len(exp_arms)} treated arms "
        f"({', '.join(exp_arms)}) but the uplift column '{col}' does not say which arm a "
        "contacted person is sent, so the observed lift cannot be measured without pooling "
        f"the arms; pass --uplift-col uplift_<arm> (e.g. 'uplift_{exp_arms[0]}') or scores "
        "with one uplift_<arm> column per arm"
    )


@dataclass
class _Experiment:
    """A held-out experiment's columns, row-aligned with the scores."""

    y: np.ndarray
    sent: dict[str, np.ndarray]  # per arm: rows that would be sent it
    received: dict[str, np.ndarray]  # per arm: rows that received it in the experiment
    control: np.ndarray  # rows in the control group
    arms: list[str]  # the arms some row would be sent, sorted

    def by_arm(
        self, sel: np.ndarray, w: np.ndarray
    ) -> dict[str, tuple[float, float, float, float]]:
        """Per arm: (people sent it, received it, control, incremental) within ``sel``,
        weighted by ``w``; incremental is NaN when either comparison group is empty."""
        out = {}
        for a in self.arms:
            ws = w * (sel & self.sent[a])
            reach = float(ws.sum())
            wt, wc = ws * self.received[a], ws * self.control
            nt, nc = float(wt.sum()), float(wc.sum())
            incr = (
                reach * (float(wt @ self.y) / nt - float(wc @ self.y) / nc)
                if nt > 0 and nc > 0
                else float("nan")
            )
            out[a] = (reach, nt, nc, incr)
        return out

    def total(self, sel: np.ndarray, w: np.ndarray) -> float:
        """The policy's observed incremental outcome: the sum over the arms it sends
        (NaN when one of them cannot be measured)."""
        parts = [v for reach, _, _, v in self.by_arm(sel, w).values() if reach > 0]
        return float(np.sum(parts)) if parts else float("nan")


def _experiment(
    scores: pd.DataFrame,
    treatment: str,
    outcome: str,
    control: Any,
    uplift_col: str | None,
    best: np.ndarray | None,
) -> _Experiment:
    for col in (treatment, outcome):
        if col not in scores.columns:
            raise DataValidationError(
                f"scores have no column '{col}'; pass the treatment and outcome columns of "
                "the held-out experiment, or leave them out"
            )
    rows = experiment_rows(scores)
    part = scores[rows] if not rows.all() else scores
    got, ctrl, exp_arms = split_treatment(part[treatment], control, column=str(treatment))
    y_got, _ = coerce_outcome(part[outcome], column=str(outcome))
    # rows outside the experiment (a stored audience's other people): neither arm nor control
    labels = np.full(len(scores), None, dtype=object)
    labels[rows] = np.asarray(got, dtype=object)
    y = np.zeros(len(scores))
    y[rows] = np.asarray(y_got, dtype=float)
    sent = _sent_arms(scores, uplift_col, best, str(treatment), ctrl, exp_arms)
    arms = sorted({str(a) for a in sent})
    return _Experiment(
        y=y,
        sent={a: sent == a for a in arms},
        received={a: labels == a for a in arms},
        control=labels == ctrl,
        arms=arms,
    )


def _refusal(policy: str, arm: str, reach: float, nt: float, nc: float, several: bool) -> str:
    """Why ``policy``'s observed lift cannot be measured for ``arm``."""
    who = f"of the {reach:,.0f} people {policy} contacts" + (
        f" and would send '{arm}'" if several else ""
    )
    if nt <= 0:
        return (
            f"{policy}: observed lift refused: {who}, none received '{arm}' in the experiment, "
            "so there is no one to compare with the control group"
        )
    return (
        f"{policy}: observed lift refused: {who}, none was in the control group, so there is "
        f"no one to compare with those who received '{arm}'"
    )


def compare_policies(
    scores: pd.DataFrame,
    spec: TargetingSpec,
    *,
    treatment: str | None = None,
    outcome: str | None = None,
    control: Any = None,
    uplift_col: str | None = None,
    erased: Iterable[str] = (),
    n_bootstrap: int = 200,
    alpha: float = 0.05,
    seed: int = 0,
) -> ComparisonResult:
    """Compare the three policies on reach, cost, incremental conversions, CPA and ROI.

    With ``treatment`` and ``outcome`` columns (a held-out randomised experiment), incremental
    conversions are *observed*: within each policy's contacted people, treated minus control
    mean outcome times the number contacted, with bootstrap intervals over people. With
    several arms each contacted person is sent the arm with the highest predicted uplift, and
    the comparison is made per arm (:data:`OBSERVED_BASIS_ARMS`; ``ComparisonResult.arms``
    has each arm's own figures); an arm that cannot be measured (no contacted person sent it
    received it, or none was in the control group) refuses the policy's figure with a
    ``observed_lift`` check, never pools the arms. Without those columns the figures are the
    sum of predicted uplift and carry no interval.

    When the uplift is money (``spec.outcome_unit == "value"``, e.g. spend) the figures are
    money too: the table and ``arms`` have ``incremental_value`` (+ ``_low/_high``) instead of
    ``incremental_conversions`` and no ``incremental_cpa``, and ROI is ``(incremental value -
    cost) / cost``. A held-out ``outcome`` in another unit than the spec's is refused.
    """
    recorded = None
    if treatment is None and outcome is None:
        recorded = recorded_experiment(scores)
        if recorded is not None:  # measured on the experiment the scores were fitted on
            treatment, outcome, control = recorded
    name, _ = resolve_unit(scores, stated=spec.outcome_unit, outcome=outcome)
    if spec.outcome is None and name is not None:
        spec = replace(spec, outcome=name)
    results = {p: _RUNNERS[p](scores, spec, uplift_col=uplift_col, erased=erased) for p in POLICIES}
    u_all, best = resolve_uplift(scores, uplift_col)
    ok = ~np.isnan(u_all) & (_eligibility(scores, erased) == "").to_numpy()
    u_ok = np.sort(u_all[ok])[::-1]
    mean_u = float(np.mean(u_ok)) if len(u_ok) else float("nan")
    top = float(np.mean(u_ok[: max(1, len(u_ok) // 10)])) if len(u_ok) else float("nan")
    hetero = top / mean_u if mean_u > 0 else float("inf")
    observed = treatment is not None and outcome is not None
    rows, arm_rows, refusals = [], [], []
    several = best is not None
    exp = (
        _experiment(scores, str(treatment), str(outcome), control, uplift_col, best)
        if observed
        else None
    )
    if exp is not None:
        pos = {p: np.zeros(len(scores), dtype=bool) for p in POLICIES}
        for p, r in results.items():
            pos[p][scores.index.get_indexer(r.audience.index)] = True
        rng = np.random.default_rng(seed)
        n = len(scores)
        draws: dict[str, list[dict[str, tuple[float, float, float, float]]]] = {
            p: [] for p in POLICIES
        }
        for _ in range(n_bootstrap):
            w = rng.multinomial(n, np.full(n, 1.0 / n)).astype(float)
            for p in POLICIES:
                draws[p].append(exp.by_arm(pos[p], w))
        several = several or len(exp.arms) > 1
    # the figures' provenance, in the table itself: lift observed on rows the model was trained
    # on is not a measurement of the policy (see _evidence_check)
    oof = scored_out_of_fold(scores)
    source = ("observed" if observed else "predicted") + (
        " in-sample" if scored_in_sample(scores) else " out-of-fold" if oof and observed else ""
    )
    calibration: list[CheckResult] = []
    for p in POLICIES:
        s = results[p].summary
        cost = s["cost"]
        if exp is not None:
            parts = exp.by_arm(pos[p], np.ones(len(scores)))
            incr, sent_any = 0.0, False
            for a, (reach, nt, nc, v) in parts.items():
                if reach <= 0:
                    continue
                sent_any = True
                a_lo, a_hi = _interval([d[a][3] for d in draws[p]], alpha)
                if not np.isfinite(v):
                    refusals.append(_refusal(p, a, reach, nt, nc, several))
                    a_lo = a_hi = float("nan")
                incr += v
                arm_rows.append(
                    {
                        "policy": p,
                        "arm": a,
                        "sent": int(reach),
                        "received_arm": int(nt),
                        "received_control": int(nc),
                        "incremental_conversions": v,
                        "incremental_conversions_low": a_lo,
                        "incremental_conversions_high": a_hi,
                    }
                )
            if not sent_any:
                incr = float("nan")
            totals = [
                sum(v for reach, _, _, v in d.values() if reach > 0) if sent_any else np.nan
                for d in draws[p]
            ]
            lo, hi = _interval(totals, alpha) if np.isfinite(incr) else (np.nan, np.nan)
            predicted = s.get("expected_incremental_conversions", s["expected_incremental_value"])
            if np.isfinite(lo):
                calibration.append(_calibration(p, predicted, incr, lo, hi, spec))
        else:
            incr = s.get("expected_incremental_conversions", s["expected_incremental_value"])
            lo = hi = float("nan")
        v = spec.value_per_conversion
        rows.append(
            {
                "policy": p,
                "reach": s["contacts"],
                "cost": cost,
                "incremental_conversions": incr,
                "incremental_conversions_low": lo,
                "incremental_conversions_high": hi,
                "incremental_cpa": cost / incr if incr and incr > 0 else float("nan"),
                "roi": _roi(incr, cost, v),
                "roi_low": _roi(lo, cost, v),
                "roi_high": _roi(hi, cost, v),
                **(
                    {
                        "predicted_incremental_conversions": predicted,
                        "predicted_incremental_cpa": (
                            cost / predicted if predicted and predicted > 0 else float("nan")
                        ),
                    }
                    if exp is not None
                    else {}
                ),
                "source": source,
            }
        )
    table = pd.DataFrame(rows)
    winner, reason = _decide(table, spec, hetero)
    checks = [_evidence_check(scores, observed, spec)]
    off = [c for c in calibration if c.status is not Status.PASS]
    if off:  # a prediction outside what the experiment shows: the observed figure leads
        checks.append(
            CheckResult(
                "calibration",
                Status.REVIEW,
                "; ".join(c.message.rsplit(":", 1)[0] for c in off)
                + ": outside the observed interval, so the observed figures lead",
                off[0].recommendation,
                {c.message.split(":", 1)[0]: c.details for c in calibration},
            )
        )
    checks += [
        CheckResult(
            "observed_lift",
            Status.REVIEW,
            why,
            "read that policy's figure as unmeasured; a larger held-out experiment (or a "
            "larger budget) gives every arm treated and control people to compare",
        )
        for why in refusals
    ]
    basis = (
        (OBSERVED_BASIS_ARMS if several else OBSERVED_BASIS)
        if exp is not None
        else "predicted lift: the sum of the contacted people's predicted uplift"
    )
    if exp is not None and oof:
        basis += (
            f" ({'the experiment the scores were fitted on, ' if recorded else ''}ranked by "
            "out-of-fold scores: each person by a model that did not see them; "
            "predicted_incremental_* is the model's own figure)"
        )
    arms_table = pd.DataFrame(arm_rows, columns=_ARM_COLUMNS)
    if spec.money:  # the figures are money, not conversions: say so in the column names
        # no cost per conversion when the uplift is money: cost / money is no CPA
        cpa = [c for c in ("incremental_cpa", "predicted_incremental_cpa") if c in table]
        table = table.drop(columns=cpa).rename(columns=_MONEY_COLUMNS)
        arms_table = arms_table.rename(columns=_MONEY_COLUMNS)
    return ComparisonResult(
        table,
        winner,
        reason,
        hetero,
        spec,
        checks,
        arms=arms_table,
        basis=basis,
    )


#: the incremental figure's columns when the uplift is money
_MONEY_COLUMNS = {
    **{f"incremental_conversions{end}": f"incremental_value{end}" for end in ("", "_low", "_high")},
    "predicted_incremental_conversions": "predicted_incremental_value",
}
#: the table's figures without a held-out experiment: every one is the model's prediction
_PREDICTED_COLUMNS = {
    "incremental_conversions": "predicted_incremental_conversions",
    "incremental_value": "predicted_incremental_value",
    "incremental_cpa": "predicted_incremental_cpa",
    "roi": "predicted_roi",
}
#: the table's figures measured on an experiment
_OBSERVED_COLUMNS = {
    **{
        f"incremental_{what}{end}": f"observed_incremental_{what}{end}"
        for what in ("conversions", "value")
        for end in ("", "_low", "_high")
    },
    "incremental_cpa": "observed_incremental_cpa",
    **{f"roi{end}": f"observed_roi{end}" for end in ("", "_low", "_high")},
}


_ARM_COLUMNS = [
    "policy",
    "arm",
    "sent",
    "incremental_conversions",
    "incremental_conversions_low",
    "incremental_conversions_high",
    "received_arm",
    "received_control",
]


def _interval(draws: Sequence[float], alpha: float) -> tuple[float, float]:
    """Percentile interval of the finite bootstrap draws (NaN when there are none)."""
    d = np.asarray(draws, dtype=float)
    d = d[np.isfinite(d)]
    if not len(d):
        return float("nan"), float("nan")
    lo, hi = np.quantile(d, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def _evidence_check(scores: pd.DataFrame, observed: bool, spec: TargetingSpec) -> CheckResult:
    """Whether the comparison measured the lift or only predicted it, and whether on rows the
    model was trained on (in-sample: its ranking has already seen their outcomes)."""
    in_sample = scored_in_sample(scores)
    if observed and not in_sample:
        return CheckResult(
            "winner_evidence",
            Status.PASS,
            f"{spec.incremental} {'is' if spec.money else 'are'} observed in a randomised "
            "experiment, with intervals"
            + (" (people ranked by out-of-fold scores)" if scored_out_of_fold(scores) else ""),
        )
    if observed:
        why = (
            f"the {spec.incremental} {'is' if spec.money else 'are'} observed on the rows the "
            "model was trained on (in-sample): the policies picked people whose outcomes the "
            "model has already seen, so the observed lift and its interval flatter every "
            "policy that uses the scores"
        )
    elif in_sample:
        why = (
            "the winner rests on predicted uplift without intervals: these are the model's "
            "scores of the rows it was trained on (in-sample), which flatter its own ranking"
        )
    else:
        why = (
            "the winner rests on predicted uplift without intervals: these are the model's "
            "predictions, not a measurement"
        )
    return CheckResult(
        "winner_evidence",
        Status.REVIEW,
        why,
        "score a held-out experiment ('audience uplift --score HELD_OUT.csv') and pass its "
        "treatment and outcome columns to measure the lift",
        {"in_sample": in_sample},
    )


def scored_in_sample(scores: pd.DataFrame) -> bool:
    """Whether any row's scores come from the model that was trained on it
    (:data:`~micromix.audience.scoring.IN_SAMPLE_COLUMN`)."""
    return IN_SAMPLE_COLUMN in scores.columns and bool(
        pd.Series(scores[IN_SAMPLE_COLUMN]).astype(str).str.lower().isin(["true", "1"]).any()
    )


def _observed_cpa(cost: float, point: float, lo: float, hi: float) -> dict[str, float]:
    """Cost per observed incremental conversion with its interval: the interval's low end
    comes from the lift's high end; a lift interval reaching 0 leaves the CPA unbounded."""

    def per(x: float) -> float:
        return cost / x if x > 0 else math.inf

    return {
        "observed_incremental_cpa": per(point) if point > 0 else math.nan,
        "observed_incremental_cpa_low": per(hi) if np.isfinite(hi) else math.nan,
        "observed_incremental_cpa_high": per(lo) if np.isfinite(lo) else math.nan,
    }


def _roi(incremental: float, cost: float, value: float) -> float:
    return (incremental * value - cost) / cost if cost > 0 else float("nan")


def _decide(table: pd.DataFrame, spec: TargetingSpec, hetero: float) -> tuple[str, str]:
    """The rule for when mass wins (module docstring)."""
    by = table.set_index("policy")
    if spec.goal == "awareness":
        return "mass", "the goal is awareness: mass buys the most reach per dollar"
    premium = spec.cost_per_contact / spec.mass_cost if spec.mass_cost > 0 else float("inf")
    if np.isfinite(hetero) and hetero < premium:
        return "mass", (
            f"uplift heterogeneity is small: the top decile's uplift is {hetero:.2f}x "
            f"the average, below the {premium:.2f}x cost premium of microtargeting"
        )
    gains = (by["incremental_conversions"] * spec.value_per_conversion - by["cost"]).dropna()
    if gains.empty:
        return "none", (
            f"no policy's {spec.incremental} could be measured (see the observed_lift "
            "checks); no winner is named"
        )
    unmeasured = [p for p in by.index if p not in gains.index]
    among = f" (of the measured policies; {', '.join(unmeasured)} refused)" if unmeasured else ""
    best = str(gains.idxmax())
    mass_hi = by.loc["mass", "incremental_conversions_high"]
    if (
        best != "mass"
        and np.isfinite(mass_hi)
        and by.loc[best, "incremental_conversions_low"] <= by.loc["mass", "incremental_conversions"]
    ):
        return best, (
            f"{best} has the highest net value{among}, but its interval overlaps mass: "
            "the advantage is not clearly larger than the noise"
        )
    return best, f"{best} has the highest incremental value net of cost{among}"
