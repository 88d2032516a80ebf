"""The plan route: one recommendation from all the evidence of the store.

``GET /api/v1/plan`` returns what ``micromix plan --json`` prints (:func:`micromix.plan.make_plan`):
the budget across strategies led by the randomised holdouts, the actions (reallocate, target,
amplify, hire, respond) with their expected effects, evidence and confidence, and on simulated
data the simulator's truth. It is computed once per data version and budget and cached.

Quickstart
----------
>>> from micromix.api.routers.plan import router
>>> "/api/v1/plan" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from micromix.api._respond import json_response
from micromix.api.security import Principal, requires
from micromix.config import ANALYSIS_N_BOOT

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["plan"])


@router.get("/plan", summary="One plan reconciled from all the evidence")
def plan(
    request: Request,
    budget: Annotated[float | None, Query(gt=0, le=1e12)] = None,
    n_boot: Annotated[int, Query(ge=20, le=1000)] = ANALYSIS_N_BOOT,
    brand: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    who: Principal = requires("viewer"),
) -> Response:
    """The plan of :func:`micromix.plan.make_plan` for ``budget`` over the data's length
    (default: today's spend); ``brand``: whose customers' posts to amplify (default: the
    simulated market's own; never guessed on real data); cached per data version."""
    from micromix.plan import make_plan

    svc = request.app.state.service

    def compute() -> dict[str, Any]:
        return svc.read(
            lambda st: make_plan(st, budget=budget, n_boot=n_boot, brand=brand)
        ).to_dict()

    return json_response(svc.cached(("plan", budget, n_boot, brand), compute))
