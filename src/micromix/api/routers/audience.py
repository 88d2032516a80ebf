"""Audience routes: build a targeted audience, show its guardrail checks, export it (audited).

The scores and the targeting are :func:`micromix.audience.workflows.score_stored_audience` (a
T-learner trained on the store's largest randomised holdout; its people scored out of fold, so
the summary leads with their observed lift) and
:func:`~micromix.audience.workflows.target_stored_audience`, which checks consent, minors, erased
people, special ad categories, special-category features and platform minimums and refuses a
forbidden audience. A store without experiment or audience rows answers 409 (a state of the
store, as the other routes' "nothing ingested yet"), naming what to ingest. Exports and
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

__all__ = ["AudienceRequest", "router"]

router = APIRouter(prefix="/api/v1/audience", tags=["audience"])


class AudienceRequest(BaseModel):
    """What to target, how, and under which rules."""

    policy: Literal["micro", "mass", "hybrid"] = "micro"
    platform: str | None = Field("meta", max_length=40)
    special_ad_category: str | None = Field(None, max_length=40)
    features: list[str] = Field(default_factory=lambda: ["region", "interests"], max_length=20)
    budget: float = Field(2_000.0, gt=0, le=1e9)
    cost_per_contact: float = Field(0.5, ge=0, le=1e6)
    value_per_conversion: float = Field(45.0, gt=0, le=1e9)
    name: str = Field("audience", max_length=80)


def _run(svc: Service, body: AudienceRequest) -> TargetingResult:
    from micromix.audience import TargetingSpec
    from micromix.audience.workflows import (
        PROFILE_FEATURES,
        score_stored_audience,
        target_stored_audience,
    )

    spec = TargetingSpec(
        budget=body.budget,
        cost_per_contact=body.cost_per_contact,
        value_per_conversion=body.value_per_conversion,
    )
    missing = svc.read(lambda st: [t for t in ("experiments", "audience") if not st.count(t)])
    if missing:  # nothing ingested yet: a state of the store (409), not a bad request
        raise StoreError(
            f"no {' or '.join(missing)} rows in the store; ingest them ("
            + ", ".join(f"micromix ingest {t} FILE" for t in missing)
            + ") or run micromix demo before building audiences"
        )
    profile = tuple(sorted(set(body.features) & set(PROFILE_FEATURES)))
    scores = svc.cached(
        ("uplift-scores", profile), lambda: svc.read(lambda st: score_stored_audience(st, profile))
    )
    return svc.read(
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
        res = _run(svc, body)
    except GuardrailError as exc:
        return json_response(
            {
                "exportable": False,
                "message": str(exc),
                "checks": [c.to_dict() for c in exc.checks or []],
            }
        )
    return json_response(
        {"exportable": True, "summary": res.summary, "checks": [c.to_dict() for c in res.checks]}
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
        res = _run(svc, body)
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
            },
        )
    )
    return json_response(
        {
            "fingerprint": fp,
            "summary": res.summary,
            "checks": [c.to_dict() for c in res.checks],
            "user_ids": ids.tolist(),
        }
    )
