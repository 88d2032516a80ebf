"""Creator routes: scored creators and discovery for a brief (micro vs macro).

Quickstart
----------
>>> from micromix.api.routers.creators import router
>>> "/api/v1/creators/discover" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

import re
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
    creators' most common niche, as the report and the plan choose it
    (:func:`micromix.influencers.discovery.brief_from_data`); ``"any"`` ranks every creator."""

    niche: str | None = Field(None, max_length=40)
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
    from micromix.influencers.discovery import brief_from_data

    scored = _scored(request.app.state.service)
    asked = body.model_dump()
    if body.niche is None:  # the brief the report and the plan use: the most common niche
        asked["niche"], niche_from = brief_from_data(scored).niche, "data"
    elif body.niche.strip().lower() == ANY_NICHE:
        asked["niche"], niche_from = None, "any"
    else:
        niche_from = "given"
    try:
        brief = Brief(**asked)
        picked = pick(scored, brief)
        cohorts = compare_cohorts(scored, brief)
    except ConfigError as exc:  # an unknown niche, creators with none to fit: the brief's words
        raise ApiError(422, "invalid_parameter", _api_words(str(exc))) from None
    # what the CLI prints beside its tables: why no creator fits, why a cohort hires no one
    notes = [_api_words(str(n)) for n in (picked.attrs.get("note"), cohorts.attrs.get("note")) if n]
    shown: dict[str, Any] = {
        **asked,
        "niche": asked["niche"] or ANY_NICHE,
        "niche_from": niche_from,
    }
    return json_response({"brief": shown, "picked": picked, "cohorts": cohorts, "notes": notes})


#: the discovery notes' CLI options as the brief's fields (longest first)
_BRIEF_WORDS: tuple[tuple[str, str], ...] = (
    ("run without --niche to rank them all", f'send niche "{ANY_NICHE}" to rank them all'),
    ("pass their posts with --posts", "ingest their posts"),
    ("raise --budget", "raise the budget"),
    ("change --niche", "change the niche"),
    ("lower --min-authenticity", "lower the minimum authenticity"),
)
_FLAG = re.compile(r"--([a-z][a-z-]*)")
#: "1 creators fit the brief" (the library's count is not made singular)
_ONE_FITS = re.compile(r"^1 creators fit\b")


def _api_words(note: str) -> str:
    """A discovery note in the API's terms: the brief's fields, not the CLI's options."""
    for flag, words in _BRIEF_WORDS:
        note = note.replace(flag, words)
    note = _FLAG.sub(lambda m: m.group(1).replace("-", "_"), note)
    return _ONE_FITS.sub("1 creator fits", note)
