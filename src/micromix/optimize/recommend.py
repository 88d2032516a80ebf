"""Budget recommendations: the optimizer's allocation beside the current mix at the same budget.

:func:`recommend_budget` is what ``micromix optimize``, ``POST /api/v1/optimize`` and the strategy
mix model all ask for: the best allocation of a budget (or the largest budget meeting a target
ROAS / CPA), the current mix scaled to that budget (:func:`scale_to_budget`) for comparison, the
expected outcome of both with intervals, and a check that says when the recommendation lies
beyond the spend the model has seen (:func:`extrapolation_check`): a response curve fitted on
weekly spends of 50 says little about weekly spends of 30,000.

Quickstart
----------
>>> from micromix.optimize import CurveResponse, recommend_budget
>>> m = CurveResponse.hill(["a", "b"], vmax=[100.0, 50.0], half=[10.0, 5.0])
>>> m.current_spend = [10.0, 10.0]
>>> rec = recommend_budget(m, 24.0)
>>> rec.scenarios["scenario"].tolist()
['current_mix', 'recommended']
>>> [float(x) for x in rec.current_mix]
[12.0, 12.0]
>>> rec.checks[0].status.value
'pass'
>>> recommend_budget(m, 40.0).checks[0].status.value  # 2.7x the most spend a has had
'review'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from micromix.checks import CheckResult, Status
from micromix.errors import ConfigError, ModelError
from micromix.optimize.budget import (
    DEFAULT_INTERVAL,
    Allocation,
    BudgetOptimizer,
    channel_evidence,
    compare_scenarios,
    current_spend,
)
from micromix.optimize.protocol import ResponseModel, as_spend_array

__all__ = [
    "EXTRAPOLATION_FACTOR",
    "BudgetRecommendation",
    "compare_with_current",
    "evidence_check",
    "extrapolation_check",
    "fit_reviews_check",
    "held_check",
    "recommend_budget",
    "refuse_failed_model",
    "scale_to_budget",
    "spend_units_check",
]

#: a channel's recommended spend above this multiple of the most the model has seen is flagged
EXTRAPOLATION_FACTOR = 2.0


def scale_to_budget(current: Any, budget: float) -> np.ndarray | None:
    """The current mix with its shares kept and its total set to ``budget``.

    Returns ``None`` when there is no current spend to scale (all zero or missing): there is then
    no "current mix" at that budget to compare with, and none is invented.

    >>> scale_to_budget([10.0, 30.0], 80.0).tolist()
    [20.0, 60.0]
    >>> scale_to_budget([0.0, 0.0], 80.0) is None
    True
    """
    if current is None:
        return None
    cur = np.asarray(current, dtype=float)
    total = float(cur.sum())
    if not math.isfinite(total) or total <= 0 or (cur < 0).any():
        return None
    if not math.isfinite(budget) or budget < 0:
        raise ConfigError(f"budget {budget!r} must be a finite amount >= 0")
    return cur * (budget / total)


def _stated_max(model: Any) -> np.ndarray | None:
    """Largest spend per channel over one horizon of the model's data, where the model says."""
    seen = getattr(model, "observed_spend_max", None)
    if callable(seen):
        seen = seen()
    return None if seen is None else np.asarray(seen, dtype=float)


def _observed_max(model: Any) -> np.ndarray | None:
    """:func:`_stated_max`, or else the current spend."""
    seen = _stated_max(model)
    return seen if seen is not None else current_spend(model)


def extrapolation_check(
    model: ResponseModel, spend: Any, *, factor: float = EXTRAPOLATION_FACTOR
) -> CheckResult:
    """Review when an allocation gives a channel more than ``factor`` times what it ever got.

    The reference is the model's ``observed_spend_max`` (the highest spend per channel over one
    horizon in the data it was fitted on) or else its ``current_spend``; a model with neither
    cannot be checked and says so.
    """
    x = as_spend_array(model, spend)
    seen = _observed_max(model)
    if seen is None:
        return CheckResult(
            "extrapolation",
            Status.REVIEW,
            "the model does not say what spend it was fitted on, so how far this allocation "
            "extrapolates is unknown",
            "compare the allocation with the spend in your data before acting on it",
        )
    channels = list(model.channels)
    over = []
    for c, v, s in zip(channels, x, seen):
        if v <= 0:
            continue
        ratio = math.inf if s <= 0 else float(v / s)
        if ratio > factor:
            over.append((c, float(v), float(s), ratio))
    if not over:
        return CheckResult(
            "extrapolation",
            Status.PASS,
            f"every channel stays within {factor:g}x the most spend the model has seen",
            details={"factor": factor},
        )
    parts = [
        f"{c} gets {v:,.2f}, "
        + (f"{r:,.0f}x the most it ever got ({s:,.2f})" if math.isfinite(r) else "never funded")
        for c, v, s, r in over
    ]
    return CheckResult(
        "extrapolation",
        Status.REVIEW,
        "the recommendation lies beyond the data: "
        + "; ".join(parts)
        + ", so the response curves there are an extrapolation, not evidence",
        "test the higher spend on part of the market first, or cap it with bounds near the "
        "spend you have data for",
        {
            "factor": factor,
            "channels": {
                c: {"spend": v, "max_seen": s, "ratio": r if math.isfinite(r) else None}
                for c, v, s, r in over
            },
        },
    )


#: a mix model's label of a channel whose effect the data cannot tell
#: (``micromix.measurement.mmm.NOT_MEASURABLE``; not imported: the optimizer reads any model)
NOT_MEASURABLE = "not measurable"
#: labels of a channel whose effect the model can neither show nor rule out: cutting it is
#: no more supported by the data than funding it
UNKNOWN_EFFECT = ("not evidenced", NOT_MEASURABLE)
#: a channel's spend this far (relative) below its current share counts as cut
CUT_TOLERANCE = 0.01


def evidence_check(
    model: ResponseModel,
    spend: Any,
    reference: Any = None,
    held: Mapping[str, Any] | None = None,
) -> CheckResult | None:
    """Review when an allocation funds a channel whose effect the model does not show, or
    cuts one (below ``reference``, the current mix at the same budget) whose effect the model
    can neither show nor rule out (``not evidenced``, ``not measurable``).

    Reads the model's ``channel_evidence`` (a mix model's: ``no effect`` when the posterior
    median of the channel's effect is zero and its interval tight, ``not evidenced`` when its
    interval reaches zero, ``not measurable`` when the data cannot tell); ``None`` for a model
    without one. The marginal returns the optimizer reports for such a channel are the model's
    median curve, not evidence. Channels in ``held`` (kept at their current share by
    :func:`recommend_budget`) are left to the ``not_measurable`` check.
    """
    labels = channel_evidence(model)
    if labels is None:
        return None
    x = as_spend_array(model, spend)
    keep = set(held or {})
    # the optimizer's projection leaves rounding residues (1e-8 of a unit) on unfunded channels
    floor = 1e-9 * max(float(np.sum(x)), 1.0)
    rows = [(c, float(v), e) for c, v, e in zip(model.channels, x, labels) if c not in keep]
    weak = [(c, v, e) for c, v, e in rows if v > floor and e != "evidenced"]
    cut: list[tuple[str, float, float, str]] = []
    if reference is not None:
        ref = dict(zip(model.channels, np.asarray(reference, dtype=float).tolist()))
        cut = [
            (c, ref[c], v, e)
            for c, v, e in rows
            if e in UNKNOWN_EFFECT and v < ref[c] * (1 - CUT_TOLERANCE) - floor
        ]
    details = {
        "channels": dict(zip(model.channels, labels)),
        "funded_without_evidence": [w[0] for w in weak],
        "cut_without_evidence": [w[0] for w in cut],
    }
    if not weak and not cut:
        return CheckResult(
            "evidence",
            Status.PASS,
            "every channel the allocation funds has an effect the model's intervals show, and "
            "it cuts no channel whose effect they leave open",
            details=details,
        )
    parts = []
    if weak:
        parts.append(
            "the allocation funds channels whose effect the model does not show: "
            + "; ".join(f"{c} gets {v:,.2f} ({e})" for c, v, e in weak)
            + ", so their returns here are not evidence"
        )
    if cut:
        parts.append(
            "it cuts channels whose effect the model can neither show nor rule out: "
            + "; ".join(
                f"{c} from {r:,.2f} (its current share) to {v:,.2f} ({e})" for c, r, v, e in cut
            )
            + ", so what they earn today is unknown, not zero"
        )
    return CheckResult(
        "evidence",
        Status.REVIEW,
        "; ".join(parts),
        "hold these channels at a level you have tested (--locked / --bounds), or run a "
        "holdout experiment on them and refit with it as a lift test before moving money",
        details,
    )


def held_check(model: ResponseModel, held: Mapping[str, float]) -> CheckResult | None:
    """Review naming the channels :func:`recommend_budget` held at their current share because
    the model cannot measure their effect (None when it held none)."""
    if not held:
        return None
    why = dict(getattr(model, "unmeasurable_", None) or {})
    named = "; ".join(
        f"{c} at {v:,.2f}" + (f" ({why[c]})" if c in why else " (its interval cannot tell)")
        for c, v in held.items()
    )
    lock = ",".join(f"{c}=lo:hi" for c in held)
    return CheckResult(
        NOT_MEASURABLE.replace(" ", "_"),
        Status.REVIEW,
        f"held at their current share, because the model cannot measure their effect: {named}; "
        "no money moves into or out of them on this model's word",
        f"test these channels with a holdout experiment and refit with it as a lift test, or "
        f"set their spend yourself with --bounds {lock} (or --locked)",
        {"held": dict(held), "reasons": {c: why.get(c, "") for c in held}},
    )


def fit_reviews_check(model: ResponseModel) -> CheckResult | None:
    """The fit's own reviews that qualify every figure of the plan (a mix model's
    ``fit_reviews``: confounding with the baseline, curve parameters at their bounds,
    identifiability), repeated as one review; None when the fit raised none."""
    reviews = [r for r in (getattr(model, "fit_reviews", None) or []) if isinstance(r, dict)]
    if not reviews:
        return None
    return CheckResult(
        "fit_reviews",
        Status.REVIEW,
        "the model's fit raised reviews that qualify this plan: "
        + "; ".join(f"{r.get('name')}: {r.get('message')}" for r in reviews),
        "; ".join(
            dict.fromkeys(str(r.get("recommendation")) for r in reviews if r.get("recommendation"))
        )
        or "resolve the fit's reviews before moving money on this plan",
        {"reviews": reviews},
    )


def _held_channels(
    model: ResponseModel,
    amounts: np.ndarray | None,
    given: set[str],
) -> dict[str, float]:
    """Channels the model labels ``not measurable`` (that the caller set no limit for), each at
    its amount in ``amounts`` (the current mix at the budget, or the current spend)."""
    labels = channel_evidence(model)
    if labels is None or amounts is None:
        return {}
    return {
        c: float(a)
        for c, a, e in zip(model.channels, amounts, labels)
        if e == NOT_MEASURABLE and c not in given
    }


@dataclass
class BudgetRecommendation:
    """The optimizer's allocation, the current mix at the same budget, and their outcomes.

    Attributes
    ----------
    recommended : Allocation
    current_mix : ndarray or None
        The current mix scaled to the recommended budget (``None`` without current spend).
    scenarios : DataFrame
        :func:`compare_scenarios` of ``current_mix`` (when there is one) and ``recommended``.
    checks : list of CheckResult
        The extrapolation check, for a model that labels its channels' evidence (a mix model)
        the evidence check (:func:`evidence_check`), the ``bounds`` check when default caps
        apply, and, with a current mix, the ``current_mix`` check: a review whenever the
        recommendation earns less than the current mix, naming the limits that hold it there.
    """

    recommended: Allocation
    current_mix: np.ndarray | None
    scenarios: pd.DataFrame
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def budget(self) -> float:
        return self.recommended.budget

    @property
    def gain(self) -> float:
        """Expected outcome of the recommendation minus that of the current mix (NaN if none)."""
        if self.current_mix is None:
            return math.nan
        return float(self.scenarios["outcome"].iloc[-1] - self.scenarios["outcome"].iloc[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "recommended": self.recommended.to_dict(),
            "current_mix": None if self.current_mix is None else self.current_mix.tolist(),
            "scenarios": self.scenarios.to_dict(orient="records"),
            "checks": [c.to_dict() for c in self.checks],
        }


def recommend_budget(
    model: ResponseModel,
    budget: float | None = None,
    *,
    target_roas: float | None = None,
    target_cpa: float | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    locked: Mapping[str, float] | None = None,
    min_spend: Mapping[str, float] | None = None,
    interval: float = DEFAULT_INTERVAL,
    extrapolate: bool = False,
) -> BudgetRecommendation:
    """Allocate ``budget`` (or find the budget meeting a target) and compare with the current mix.

    By default no channel gets more than :data:`EXTRAPOLATION_FACTOR` times the most it was ever
    given over one horizon in the model's data (where the model says: ``observed_spend_max``):
    beyond that its response curve is a guess, and an optimizer follows a guess to its end. A
    channel held at that cap is named in the ``bounds`` check; ``bounds`` / ``locked`` /
    ``min_spend`` for a channel replace its cap, and ``extrapolate=True`` lifts them all.

    Parameters
    ----------
    model : ResponseModel
    budget : float, optional
        Total over the model's horizon. At most one of ``budget``, ``target_roas`` and
        ``target_cpa`` is given; with none, the current total spend is reallocated.
    target_roas, target_cpa : float, optional
        Search for the largest budget whose allocation meets this ROAS (revenue models) or CPA
        (conversion models) instead.
    bounds, locked, min_spend : mapping, optional
        As for :class:`BudgetOptimizer`.
    interval : float
        Interval mass of the outcome intervals.
    """
    refuse_failed_model(model)
    if sum(v is not None for v in (budget, target_roas, target_cpa)) > 1:
        raise ConfigError("give a budget or one target (target_roas / target_cpa), not several")
    if budget is None and target_roas is None and target_cpa is None:
        cur = current_spend(model)
        if cur is None or not float(np.sum(cur)) > 0:
            raise ConfigError(
                "the model has no current spend to reallocate; give a budget (or a target "
                "ROAS / CPA to search for one)"
            )
        budget = float(np.sum(cur))
    caps = {} if extrapolate else _default_caps(model, bounds, locked, min_spend)
    given = set(bounds or {}) | set(locked or {}) | set(min_spend or {})
    # a channel the model cannot measure keeps its current share: no money moves on its curve
    held = _held_channels(
        model,
        scale_to_budget(current_spend(model), budget)
        if budget is not None
        else current_spend(model),
        given,
    )
    if held and len(held) == len(model.channels) and budget is None:
        raise ConfigError(
            "the model cannot measure the effect of any channel, so no budget meets a target on "
            "its word; test the channels and refit with lift tests"
        )
    opt = BudgetOptimizer(
        model, bounds={**caps, **dict(bounds or {})}, locked={**held, **dict(locked or {})},
        min_spend=min_spend, interval=interval,
    )  # fmt: skip
    if budget is not None:
        if not math.isfinite(budget) or budget <= 0:
            raise ConfigError(f"budget {budget!r} must be a finite amount > 0")
        if caps:
            _check_room(opt, float(budget))
        rec = opt.allocate(float(budget))
    else:
        room = _room(opt) if caps else None
        cur = current_spend(model)
        usual = 20 * float(np.sum(cur)) if cur is not None and np.sum(cur) > 0 else None
        rec = opt.budget_for_target(
            target_roas=target_roas,
            target_cpa=target_cpa,
            max_budget=room if room is not None and (usual is None or room < usual) else None,
        )
    scaled = scale_to_budget(current_spend(model), rec.budget)
    named: dict[str, Any] = {"current_mix": scaled} if scaled is not None else {}
    named["recommended"] = rec
    scen = compare_scenarios(model, named, interval=interval)
    if held and budget is None:  # a target search: the held channels kept their spend
        held = {c: float(v) for c, v in zip(model.channels, rec.spend) if c in held}
    checks = [
        extrapolation_check(model, rec.spend),
        evidence_check(model, rec.spend, scaled, held),
        held_check(model, held),
        fit_reviews_check(model),
        _caps_check(model, rec.spend, caps),
        _current_mix_check(opt, rec.budget, scaled, scen, caps),
        spend_units_check(model),
    ]
    return BudgetRecommendation(rec, scaled, scen, [c for c in checks if c is not None])


def refuse_failed_model(model: ResponseModel) -> None:
    """Refuse a model whose own diagnostics failed (its ``failed_checks``, as a mix model
    keeps them: channels credited with more than the outcome, a negative baseline): no budget
    split is read from such a model."""
    failed = list(getattr(model, "failed_checks", None) or [])
    if not failed:
        return
    first = failed[0]
    names = ", ".join(repr(str(c.get("name"))) for c in failed)
    raise ModelError(
        f"the model failed its {names} check ({first.get('message')}), so it gives no budget "
        f"split; {first.get('recommendation') or 'fix the model and refit'}"
    )


def spend_units_check(model: ResponseModel) -> CheckResult | None:
    """Review a plan whose channels include columns that are not money (a mix model's
    ``spend_units_``: impressions, clicks ...): their 'spend' and budget are in those units."""
    units = dict(getattr(model, "spend_units_", None) or {})
    if not units:
        return None
    named = ", ".join(f"{c} ({u.get('unit')})" for c, u in units.items())
    return CheckResult(
        "spend_units",
        Status.REVIEW,
        f"the model's 'spend' for {named} is not money, so the budget, its split and the "
        "returns mix units and are not an amount of money to spend",
        "refit with each channel's spend column in --channels",
        {"not_money": units},
    )


def _default_caps(
    model: ResponseModel,
    bounds: Mapping[str, tuple[float, float]] | None,
    locked: Mapping[str, float] | None,
    min_spend: Mapping[str, float] | None,
) -> dict[str, tuple[float, float]]:
    """``{channel: (0, factor x most ever spent)}`` for channels the caller did not bound."""
    seen = _stated_max(model)
    if seen is None:
        return {}
    given = set(bounds or {}) | set(locked or {})
    floor = dict(min_spend or {})
    caps = {}
    for c, s in zip(model.channels, seen):
        if c in given or not (math.isfinite(s) and s > 0):
            continue
        caps[c] = (0.0, max(EXTRAPOLATION_FACTOR * float(s), float(floor.get(c, 0.0))))
    return caps


def _room(opt: BudgetOptimizer) -> float | None:
    """The most the channels can take within their bounds (None when one is unbounded)."""
    total = 0.0
    for c in opt.model.channels:
        if c in opt.locked:
            total += float(opt.locked[c])
        elif c in opt.bounds:
            total += float(opt.bounds[c][1])
        else:
            return None
    return total


def _check_room(opt: BudgetOptimizer, budget: float) -> None:
    """Refuse a budget the default caps cannot hold, saying how to lift them."""
    room = _room(opt)
    if room is not None and budget > room * (1 + 1e-9):
        raise ConfigError(
            f"a budget of {budget:,.2f} is more than the channels can take within "
            f"{EXTRAPOLATION_FACTOR:g}x the most each was ever given ({room:,.2f} in all): the "
            "response curves are unknown that far; lower the budget, give channels --bounds, "
            "or pass --extrapolate to let the curves run"
        )


def _caps_check(model: ResponseModel, spend: Any, caps: Mapping[str, Any]) -> CheckResult | None:
    """Review naming the channels the default caps hold back (None without caps)."""
    if not caps:
        return None
    x = as_spend_array(model, spend)
    held = [
        f"{c} at {v:,.2f}"
        for c, v in zip(model.channels, x)
        if c in caps and v >= caps[c][1] * (1 - 1e-6)
    ]
    if not held:
        return CheckResult(
            "bounds",
            Status.PASS,
            f"no channel reaches its cap of {EXTRAPOLATION_FACTOR:g}x the most it was ever given",
        )
    return CheckResult(
        "bounds",
        Status.REVIEW,
        f"held at {EXTRAPOLATION_FACTOR:g}x the most each was ever given: {', '.join(held)}; "
        "the model would give them more, on curves it has not seen that far",
        "test a higher spend on these channels before going beyond, or pass --extrapolate to "
        "see the model's unbounded split",
        details={"held": held},
    )


#: a recommendation this far (relative) below the current mix's outcome is reported as below it
SHORTFALL_TOLERANCE = 1e-6


def _held_by(
    opt: BudgetOptimizer, budget: float, mix: np.ndarray, caps: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The limits the optimizer works within that ``mix`` breaks, one entry per channel."""
    lo, hi = opt._limits(budget)
    seen = _observed_max(opt.model)
    out = []
    for i, c in enumerate(opt.model.channels):
        v = float(mix[i])
        if v > hi[i] * (1 + 1e-9) + 1e-12:
            side, limit = "above", float(hi[i])
        elif v < lo[i] * (1 - 1e-9) - 1e-12:
            side, limit = "below", float(lo[i])
        else:
            continue
        if c in opt.locked:
            kind, lift = "locked", ("--locked", f"{c}={v:.2f}")
        elif side == "below":
            kind, lift = (
                "min_spend",
                ("--min-spend", f"{c}={math.floor(round(v * 100, 6)) / 100:.2f}"),
            )
        elif c in caps:
            kind, lift = "cap", ("--bounds", f"{c}=0:{math.ceil(round(v * 100, 6)) / 100:.2f}")
        else:
            kind, lift = (
                "bounds",
                ("--bounds", f"{c}={lo[i]:g}:{math.ceil(round(v * 100, 6)) / 100:.2f}"),
            )
        entry = {"channel": c, "spend": v, "limit": limit, "side": side, "kind": kind}
        entry["lift"] = f"{lift[0]} {lift[1]}"
        if kind == "cap" and seen is not None:
            entry["max_seen"] = float(seen[i])
        out.append(entry)
    return out


def _lift_options(opt: BudgetOptimizer, held: list[dict[str, Any]], caps: Mapping[str, Any]) -> str:
    """The options that lift ``held``, one per flag, keeping the bounds the caller gave."""
    by_flag: dict[str, dict[str, str]] = {}
    for h in held:
        flag, item = h["lift"].split(" ", 1)
        by_flag.setdefault(flag, {})[h["channel"]] = item
    if "--bounds" in by_flag:
        given = {
            c: f"{c}={a:g}:{b:g}"
            for c, (a, b) in opt.bounds.items()
            if c not in caps and c not in by_flag["--bounds"]
        }
        by_flag["--bounds"] = {**given, **by_flag["--bounds"]}
    return " ".join(f"{flag} {','.join(items.values())}" for flag, items in by_flag.items())


def _describe_held(h: Mapping[str, Any]) -> str:
    c, v, limit = h["channel"], h["spend"], h["limit"]
    if h["kind"] == "cap":
        return (
            f"{c} gets {v:,.2f} there, above its cap of {limit:,.2f} ({EXTRAPOLATION_FACTOR:g}x "
            f"the most it was ever given, {h.get('max_seen', math.nan):,.2f})"
        )
    if h["kind"] == "locked":
        return f"{c} gets {v:,.2f} there, not the {limit:,.2f} it is locked at"
    what = "minimum" if h["side"] == "below" else "upper bound"
    return f"{c} gets {v:,.2f} there, {h['side']} its {what} of {limit:,.2f}"


def _current_mix_check(
    opt: BudgetOptimizer,
    budget: float,
    mix: np.ndarray | None,
    scen: pd.DataFrame,
    caps: Mapping[str, Any],
) -> CheckResult | None:
    """Whether the recommendation earns at least the current mix at the same budget.

    The current mix is scaled to the budget without the limits the optimizer works within (the
    default caps, ``bounds``, ``locked``, ``min_spend``), so it can earn more than the
    recommendation; then this is a review naming the limits that hold the recommendation below
    it and what lifts them, and it says when the current mix's figure is itself beyond the caps
    (an extrapolation of the curves). ``None`` without a current mix.
    """
    if mix is None:
        return None
    cur_out = float(scen["outcome"].iloc[0])
    rec_out = float(scen["outcome"].iloc[-1])
    held = _held_by(opt, budget, mix, caps)
    beyond = [h for h in held if h["kind"] == "cap"]
    details: dict[str, Any] = {
        "current_mix_outcome": cur_out,
        "recommended_outcome": rec_out,
        "shortfall": max(cur_out - rec_out, 0.0),
        "current_mix_outside_limits": held,
        "current_mix_beyond_caps": [h["channel"] for h in beyond],
    }
    note = (
        "; the current mix at this budget is itself beyond the caps ("
        + "; ".join(map(_describe_held, beyond))
        + "), so its figure is an extrapolation of the curves"
        if beyond
        else ""
    )
    if not cur_out - rec_out > SHORTFALL_TOLERANCE * max(abs(cur_out), 1.0):
        return CheckResult(
            "current_mix",
            Status.PASS,
            "the recommendation earns at least what the current mix earns at the same budget"
            + note,
            details=details,
        )

    def amount(v: float) -> str:
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.4g}"

    gap = (
        f"{amount(rec_out)} against the current mix's {amount(cur_out)} at the same budget, "
        f"{amount(cur_out - rec_out)} less"
    )
    if not held:
        return CheckResult(
            "current_mix",
            Status.REVIEW,
            f"the recommendation earns less than the current mix ({gap}) although the current "
            "mix keeps within every limit: the optimizer fell short of the best split here",
            "keep the current mix; the recommendation is not better than it",
            details,
        )
    return CheckResult(
        "current_mix",
        Status.REVIEW,
        f"the recommendation earns less than the current mix ({gap}), because the current mix "
        "breaks limits the recommendation is held to: "
        + "; ".join(map(_describe_held, held))
        + (", so the current mix's figure is an extrapolation of the curves" if beyond else ""),
        "the recommendation is the best split within these limits, not better than today's mix; "
        + "to compare like with like, lower the budget or lift the limits with "
        + _lift_options(opt, held, caps)
        + (" (or --extrapolate)" if beyond else ""),
        details,
    )


def compare_with_current(
    model: ResponseModel, planned: Mapping[str, float], *, interval: float = DEFAULT_INTERVAL
) -> pd.DataFrame:
    """The current mix against a plan that sets some channels' spend (others stay as they are).

    Raises
    ------
    ConfigError
        A channel the model does not have, or a negative or non-finite spend.
    """
    channels = list(model.channels)
    unknown = sorted(set(planned) - set(channels))
    if unknown:
        raise ConfigError(f"unknown channel(s) {unknown}; the model's channels are {channels}")
    bad = [c for c, v in planned.items() if not (math.isfinite(v) and v >= 0)]
    if bad:
        raise ConfigError(f"spend must be finite and >= 0 for every channel; check {bad}")
    cur = current_spend(model)
    if cur is None:
        raise ConfigError("the model has no current spend to compare a scenario with")
    current = dict(zip(channels, np.asarray(cur, float).tolist()))
    plan = {c: float(planned.get(c, current[c])) for c in channels}
    return compare_scenarios(model, {"current": current, "scenario": plan}, interval=interval)
