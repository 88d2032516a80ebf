"""Creator routes: scored creators and discovery for a brief (micro vs macro).

Quickstart
----------
>>> from micromix.api.routers.creators import router
>>> "/api/v1/creators/discover" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from micromix.api._respond import json_response
from micromix.api.errors import ApiError
from micromix.api.security import Principal, requires
from micromix.api.service import Service
from micromix.errors import ConfigError, StoreError

__all__ = ["BriefRequest", "router"]

router = APIRouter(prefix="/api/v1/creators", tags=["creators"])


#: ``niche`` that ranks every creator whatever its niche (a brief without a niche)
ANY_NICHE = "any"


class BriefRequest(BaseModel):
    """A creator brief (see :class:`micromix.influencers.Brief`). Without ``niche``, the
    creators' most common niche, and without ``budget``, the influencer spend in the store's
    events (US$ 5,000 without any), as the report and the plan choose them
    (:func:`micromix.influencers.discovery.brief_from_data`,
    :func:`micromix.plan.influencer_spend`); ``"any"`` ranks every creator."""

    niche: str | None = Field(None, max_length=40)
    budget: float | None = Field(None, gt=0, le=1e9)
    platform: str | None = Field(None, max_length=40)
    country: str | None = Field(None, max_length=40)
    min_authenticity: float = Field(0.5, ge=0, le=1)
    min_fit: float = Field(0.3, ge=0, le=1)
    top: int = Field(20, ge=1, le=500)


def _scored(svc: Service) -> pd.DataFrame:
    from micromix.influencers import score_creators

    def compute() -> pd.DataFrame:
        profiles, posts = svc.read(lambda st: (st.read("creators"), st.read("posts")))
        if not len(profiles):  # nothing ingested yet: a state of the store (409)
            raise StoreError(
                "no creator profiles in the store; ingest them (micromix ingest creators FILE) "
                "or run micromix demo first"
            )
        return score_creators(profiles, posts if len(posts) else None)

    return svc.cached(("creators-scored",), compute)


def _scoring_notes(scored: pd.DataFrame) -> list[str]:
    """What scoring the creators assumed (a default post spread, authenticity left empty
    without a following count ...), as ``micromix creators score`` prints it."""
    return [str(n) for n in scored.attrs.get("notes", [])]


def _events_budget(svc: Service) -> float | None:
    """The influencer spend in the store's events (the plan's creator budget), or None."""
    from micromix.plan import influencer_spend

    return svc.cached(("creators-budget",), lambda: svc.read(influencer_spend))


@router.get("", summary="Scored creators (tier, engagement, authenticity, cost)")
def creators(
    request: Request,
    top: Annotated[int, Query(ge=1, le=5000)] = 200,
    who: Principal = requires("viewer"),
) -> Response:
    """The scored creators; ``notes`` says what the scoring assumed."""
    df = _scored(request.app.state.service)
    return json_response({"rows": df.head(top), "total": len(df), "notes": _scoring_notes(df)})


@router.post("/discover", summary="Creators to hire for a brief")
def discover(request: Request, body: BriefRequest, who: Principal = requires("viewer")) -> Response:
    """Greedy pick by value per dollar within the budget, and the same budget spent on micro vs
    macro creators (:func:`micromix.influencers.discover`, :func:`compare_cohorts`).

    ``brief`` says where its niche and budget came from (``niche_from``: given, data or any;
    ``budget_from``: given, events - the influencer spend in the store's events - or
    default). ``notes`` says why no creator fits the brief or why a cohort hires no one, then
    what scoring the creators assumed (empty when there is nothing to say)."""
    from micromix.influencers import Brief, compare_cohorts
    from micromix.influencers import discover as pick
    from micromix.influencers.discovery import brief_from_data, spend_budget

    svc = request.app.state.service
    scored = _scored(svc)
    asked = body.model_dump()
    spend = _events_budget(svc) if body.budget is None else None
    found = brief_from_data(scored, spend)
    if body.niche is None:  # the brief the report and the plan use: the most common niche
        asked["niche"], niche_from = found.niche, "data"
    elif body.niche.strip().lower() == ANY_NICHE:
        asked["niche"], niche_from = None, "any"
    else:
        niche_from = "given"
    if body.budget is None:  # the plan's creator budget: the influencer spend in the events
        asked["budget"] = found.budget
        budget_from = "default" if spend_budget(spend) is None else "events"
    else:
        budget_from = "given"
    try:
        brief = Brief(**asked)
        picked = pick(scored, brief)
        cohorts = compare_cohorts(scored, brief)
    except ConfigError as exc:  # an unknown niche, creators with none to fit: the brief's words
        raise ApiError(422, "invalid_parameter", str(exc)) from None
    # what the CLI prints beside its tables: why no creator fits, why a cohort hires no one
    notes = [str(n) for n in (picked.attrs.get("note"), cohorts.attrs.get("note")) if n]
    shown: dict[str, Any] = {
        **asked,
        "niche": asked["niche"] or ANY_NICHE,
        "niche_from": niche_from,
        "budget_from": budget_from,
    }
    return json_response(
        {
            "brief": shown,
            "picked": picked,
            "cohorts": cohorts,
            "notes": notes + _scoring_notes(scored),
        }
    )
