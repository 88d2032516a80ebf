"""Creator routes: scored creators and discovery for a brief (micro vs macro).

Quickstart
----------
>>> from micromix.api.routers.creators import router
>>> "/api/v1/creators/discover" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from micromix.api._respond import json_response
from micromix.api.security import Principal, requires
from micromix.api.service import Service
from micromix.errors import StoreError

__all__ = ["BriefRequest", "router"]

router = APIRouter(prefix="/api/v1/creators", tags=["creators"])


class BriefRequest(BaseModel):
    """A creator brief (see :class:`micromix.influencers.Brief`)."""

    niche: str = Field("pet", max_length=40)
    budget: float = Field(5_000.0, gt=0, le=1e9)
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


@router.get("", summary="Scored creators (tier, engagement, authenticity, cost)")
def creators(
    request: Request,
    top: Annotated[int, Query(ge=1, le=5000)] = 200,
    who: Principal = requires("viewer"),
) -> Response:
    df = _scored(request.app.state.service)
    return json_response({"rows": df.head(top), "total": len(df)})


@router.post("/discover", summary="Creators to hire for a brief")
def discover(request: Request, body: BriefRequest, who: Principal = requires("viewer")) -> Response:
    """Greedy pick by value per dollar within the budget, and the same budget spent on micro vs
    macro creators (:func:`micromix.influencers.discover`, :func:`compare_cohorts`); ``notes``
    says why no creator fits the brief or why a cohort hires no one (empty when both do)."""
    from micromix.influencers import Brief, compare_cohorts
    from micromix.influencers import discover as pick

    brief = Brief(**body.model_dump())
    scored = _scored(request.app.state.service)
    picked = pick(scored, brief)
    cohorts = compare_cohorts(scored, brief)
    # what the CLI prints beside its tables: why no creator fits, why a cohort hires no one
    notes = [str(n) for n in (picked.attrs.get("note"), cohorts.attrs.get("note")) if n]
    return json_response(
        {"brief": body.model_dump(), "picked": picked, "cohorts": cohorts, "notes": notes}
    )
