"""Audience routes: build a targeted audience, show its guardrail checks, export it (audited).

Uplift scores come from a T-learner trained on the store's largest randomised holdout
(``experiments``: treated vs held-out people, converted or not) with the people's attributes
from the ``audience`` table; consent, minors, erased people,
special ad categories, special-category features and platform minimums are checked by
:func:`micromix.audience.target`, which refuses a forbidden audience.

Quickstart
----------
>>> from micromix.api.routers.audience import router
>>> "/api/v1/audience/export" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from micromix.api._respond import json_response, jsonable
from micromix.api.audit import record_audit
from micromix.api.security import Principal, requires
from micromix.errors import ConfigError, GuardrailError

__all__ = ["AudienceRequest", "router"]

router = APIRouter(prefix="/api/v1/audience", tags=["audience"])

#: attributes of the ``audience`` table a model may use
PROFILE_FEATURES: tuple[str, ...] = ("age_band", "gender", "region", "interests")


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


def _scores(svc: Any, features: tuple[str, ...]) -> pd.DataFrame:
    from micromix.audience import attach_consent, score_uplift

    def compute() -> pd.DataFrame:
        exp, people = svc.read(lambda st: (st.read("experiments"), st.read("audience")))
        if exp.empty or people.empty:
            raise ConfigError(
                "the store has no experiments or audience rows; ingest them (or run "
                "the demo) before building audiences"
            )
        model_feats = [f for f in features if f in PROFILE_FEATURES] or ["region"]
        # the largest randomised holdout: one clean treatment / control split
        largest = exp["experiment_id"].value_counts().idxmax()
        units = exp[exp["experiment_id"] == largest].drop_duplicates("unit_id")
        train = units.merge(
            people[["user_id", *model_feats]], left_on="unit_id", right_on="user_id", how="inner"
        )
        train["converted"] = (train["conversions"].fillna(0) > 0).astype(int)
        run = score_uplift(
            train[[*model_feats, "arm", "converted"]],
            treatment="arm",
            outcome="converted",
            control="control",
            features=model_feats,
            learner="t",
            base="linear",
            score=people[["user_id", *model_feats]],
        )
        scored = attach_consent(run.scored, people)
        return scored

    return svc.cached(("uplift-scores", features), compute)


def _run(svc: Any, body: AudienceRequest) -> Any:
    from micromix.audience import TargetingSpec, erased_subjects, target

    unknown = [f for f in body.features if f not in PROFILE_FEATURES]
    spec = TargetingSpec(
        budget=body.budget,
        cost_per_contact=body.cost_per_contact,
        value_per_conversion=body.value_per_conversion,
    )
    scores = _scores(svc, tuple(sorted(set(body.features) & set(PROFILE_FEATURES))))
    erased = svc.read(erased_subjects)
    return target(
        scores,
        spec,
        policy=body.policy,
        platform=body.platform,
        special_ad_category=body.special_ad_category or None,
        features=body.features,
        erased=erased,
        uplift_col="uplift",
    ), unknown


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
        res, _ = _run(svc, body)
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
        res, _ = _run(svc, body)
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
        from micromix.api.errors import ApiError

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
            "summary": jsonable(res.summary),
            "checks": [c.to_dict() for c in res.checks],
            "user_ids": ids.tolist(),
        }
    )
