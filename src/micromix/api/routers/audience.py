"""Audience routes: build a targeted audience, show its guardrail checks, export it (audited).

The scores and the targeting are :func:`micromix.audience.workflows.score_stored_audience` (a
T-learner trained on the store's largest randomised holdout; its people scored out of fold, so
the summary leads with their observed lift) and
:func:`~micromix.audience.workflows.target_stored_audience`, which checks consent, minors, erased
people, special ad categories, special-category features and platform minimums and refuses a
forbidden audience. A store without experiment or audience rows answers 409 (a state of the
store, as the other routes' "nothing ingested yet"), naming what to ingest. The value of one
conversion, the budget and the cost per contact are the request's, else what the store's own
data implies (:func:`micromix.audience.units.targeting_inputs`, ``GET /inputs``), each answer
saying which (``value_from``, ``budget_from``, ``cost_from``); one the store cannot say is
refused (422) with what to pass, never a constant. Mass reach has its own price
(``mass_cost_per_contact``, as the CLI's ``--mass-cost-per-contact``): given, else the store's
mass spend per person reached, else the cost per contact (``mass_cost_from``). Exports and
refusals go to the audit log, which is not data: the fitted models and cached results stay
valid after an export.

Quickstart
----------
>>> from micromix.api.routers.audience import router
>>> "/api/v1/audience/export" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Literal

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from micromix.api._respond import json_response
from micromix.api.audit import record_audit
from micromix.api.errors import ApiError
from micromix.api.security import Principal, requires
from micromix.api.service import Service
from micromix.errors import GuardrailError, StoreError

if TYPE_CHECKING:
    from micromix.audience import TargetingResult
    from micromix.audience.units import TargetingInputs

__all__ = ["AudienceRequest", "router"]

router = APIRouter(prefix="/api/v1/audience", tags=["audience"])


class AudienceRequest(BaseModel):
    """What to target, how, and under which rules.

    ``value_per_conversion``, ``budget`` and ``cost_per_contact`` left out are taken from the
    store's own data, and the answer says so (``value_from``, ``budget_from``, ``cost_from``:
    ``given`` or ``store``, with ``input_notes``); where the store cannot say one, the request
    is refused (422) naming the field to pass. No amount is a constant.
    """

    policy: Literal["micro", "mass", "hybrid"] = "micro"
    platform: str | None = Field("meta", max_length=40)
    special_ad_category: str | None = Field(None, max_length=40)
    features: list[str] = Field(default_factory=lambda: ["region", "interests"], max_length=20)
    budget: float | None = Field(
        None, gt=0, le=1e9, description="Money for contacts; left out: the store's micro spend."
    )
    cost_per_contact: float | None = Field(
        None, ge=0, le=1e6, description="Cost of one contact; left out: the store's micro cost."
    )
    mass_cost_per_contact: float | None = Field(
        None,
        ge=0,
        le=1e6,
        description="Cost of one mass contact (mass and hybrid policies: broad reach is "
        "bought at another price than a microtargeted contact); left out: the store's mass "
        "spend per person reached, else cost_per_contact (as 'audience target' without "
        "--mass-cost-per-contact). The answer says which (mass_cost_from).",
    )
    value_per_conversion: float | None = Field(
        None,
        gt=0,
        le=1e9,
        description="Value of one incremental conversion; left out: the revenue per converting "
        "person in the holdout the uplift model learns from (422 when the store has none).",
    )
    name: str = Field("audience", max_length=80)


def _scores(svc: Service, features: list[str]) -> pd.DataFrame:
    """The store's uplift scores for the profile ``features`` (cached); 409 without data."""
    from micromix.audience.workflows import PROFILE_FEATURES, score_stored_audience

    missing = svc.read(lambda st: [t for t in ("experiments", "audience") if not st.count(t)])
    if missing:  # nothing ingested yet: a state of the store (409), not a bad request
        raise StoreError(
            f"no {' or '.join(missing)} rows in the store; ingest them ("
            + ", ".join(f"micromix ingest {t} FILE" for t in missing)
            + ") or run micromix demo before building audiences"
        )
    profile = tuple(sorted(set(features) & set(PROFILE_FEATURES)))
    return svc.cached(
        ("uplift-scores", profile), lambda: svc.read(lambda st: score_stored_audience(st, profile))
    )


def _inputs(svc: Service, scores: pd.DataFrame, body: AudienceRequest) -> TargetingInputs:
    from micromix.audience.units import OUTCOME_COLUMN, UNIT_COLUMN, targeting_inputs

    return svc.read(
        lambda st: targeting_inputs(
            st,
            str(scores.attrs["scores"]["experiment"]),
            value_per_conversion=body.value_per_conversion,
            budget=body.budget,
            cost_per_contact=body.cost_per_contact,
            unit=str(scores[UNIT_COLUMN].iloc[0]),
            outcome=str(scores[OUTCOME_COLUMN].iloc[0]),
            mass_cost_per_contact=body.mass_cost_per_contact,
        )
    )


def _run(svc: Service, body: AudienceRequest) -> tuple[TargetingResult, TargetingInputs]:
    from micromix.audience import TargetingSpec
    from micromix.audience.workflows import target_stored_audience

    scores = _scores(svc, body.features)
    used = _inputs(svc, scores, body)
    value, budget, cost = used.require()
    spec = TargetingSpec(
        budget=budget,
        cost_per_contact=cost,
        value_per_conversion=value,
        mass_cost_per_contact=used.mass_cost,
    )
    res = svc.read(
        lambda st: target_stored_audience(
            st,
            spec,
            scores=scores,
            policy=body.policy,
            platform=body.platform,
            special_ad_category=body.special_ad_category,
            features=body.features,
        )
    )
    return res, used


@router.get("/inputs", summary="The value of a conversion, budget and cost the store implies")
def inputs(request: Request, who: Principal = requires("analyst")) -> Response:
    """What an audience request left without ``value_per_conversion``, ``budget`` or
    ``cost_per_contact`` would use, with where each comes from (``input_notes``); a value the
    store cannot say is null, its note the sentence a request without it is refused with."""
    svc = request.app.state.service
    empty = AudienceRequest.model_validate({})
    scores = _scores(svc, empty.features)
    return json_response(_inputs(svc, scores, empty).to_dict())


def _fingerprint(ids: pd.Series) -> str:
    h = hashlib.sha256("\n".join(sorted(map(str, ids))).encode()).hexdigest()
    return f"audience:{h[:16]}"


@router.post("/check", summary="Build an audience and show its guardrail checks (no export)")
def check(
    request: Request, body: AudienceRequest, who: Principal = requires("analyst")
) -> Response:
    """``exportable`` is false, with the failed checks, when a guardrail refuses the audience."""
    svc = request.app.state.service
    try:
        res, used = _run(svc, body)
    except GuardrailError as exc:
        return json_response(
            {
                "exportable": False,
                "message": str(exc),
                "checks": [c.to_dict() for c in exc.checks or []],
            }
        )
    return json_response(
        {
            "exportable": True,
            "summary": res.summary,
            **used.to_dict(),
            "checks": [c.to_dict() for c in res.checks],
        }
    )


@router.post("/export", summary="Export an audience (audited; refused when a guardrail fails)")
def export(
    request: Request, body: AudienceRequest, who: Principal = requires("analyst")
) -> Response:
    """The user ids to upload to the platform, after every guardrail passed. Exports and
    refusals are written to the audit log."""
    svc = request.app.state.service
    by = f"{who.role}:{who.key_id}"
    try:
        res, used = _run(svc, body)
    except GuardrailError as exc:
        failed = [c.name for c in exc.checks or []]
        svc.write(
            lambda st: record_audit(
                st,
                action="audience.refused",
                requested_by=by,
                target=body.name,
                details={
                    "policy": body.policy,
                    "platform": body.platform,
                    "failed": failed,
                    "special_ad_category": body.special_ad_category,
                    "client": who.client,
                },
            )
        )
        raise
    ids = res.audience["user_id"].astype(str)
    if len(ids) > svc.config.max_rows:
        raise ApiError(
            413,
            "too_many_rows",
            f"the audience has {len(ids):,} people, over the "
            f"export limit of {svc.config.max_rows:,}; lower the budget",
        )
    fp = _fingerprint(ids)
    svc.write(
        lambda st: record_audit(
            st,
            action="audience.export",
            requested_by=by,
            target=fp,
            rows=len(ids),
            details={
                "name": body.name,
                "policy": body.policy,
                "platform": body.platform,
                "size": len(ids),
                "client": who.client,
                **{k: v for k, v in used.to_dict().items() if k != "input_notes"},
            },
        )
    )
    return json_response(
        {
            "fingerprint": fp,
            "summary": res.summary,
            **used.to_dict(),
            "checks": [c.to_dict() for c in res.checks],
            "user_ids": ids.tolist(),
        }
    )
