"""Measurement routes: experiments (lift tests), the marketing-mix model and the optimizer.

The mix model over strategies is :func:`micromix.measurement.fit_strategy_mix`: daily revenue,
spend per paid strategy and organic impressions of user content from the store's events,
calibrated with the holdout experiments. Analysts fit it (``POST /api/v1/mmm/fit``); anyone
with a key reads its contributions and evaluates budget scenarios against it.

Quickstart
----------
>>> from micromix.api.routers.measurement import router
>>> "/api/v1/mmm/scenario" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from micromix.api._respond import json_response
from micromix.api.errors import ApiError
from micromix.api.security import Principal, requires

__all__ = ["OptimizeRequest", "ScenarioRequest", "router"]

router = APIRouter(prefix="/api/v1", tags=["measurement"])


class ScenarioRequest(BaseModel):
    """Spend per channel over the planning horizon."""

    spend: dict[str, float] = Field(max_length=50)


class OptimizeRequest(BaseModel):
    """Total budget over the planning horizon."""

    budget: float = Field(gt=0, le=1e12)


def _fit(svc: Any) -> Any:
    from micromix.measurement import fit_strategy_mix

    return svc.read(lambda st: fit_strategy_mix(st))


def _model(svc: Any) -> Any:
    model = svc.peek(("mmm",))
    if model is None:
        raise ApiError(
            409,
            "not_fitted",
            "the mix model is not fitted for the current data; an "
            "analyst fits it with POST /api/v1/mmm/fit",
        )
    return model


@router.get("/experiments", summary="Randomised holdouts in the store", tags=["experiments"])
def experiments(request: Request, who: Principal = requires("viewer")) -> Response:
    svc = request.app.state.service

    def q(st: Any) -> pd.DataFrame:
        t = st.table("experiments")
        return st.execute(
            t.group_by(["experiment_id", "strategy", "arm"]).aggregate(
                units=t.count(), revenue=t.revenue.sum(), conversions=t.conversions.sum()
            )
        )

    return json_response({"rows": svc.cached(("experiments",), lambda: svc.read(q))})


@router.get("/experiments/{experiment_id}", summary="Analyse one experiment", tags=["experiments"])
def experiment(
    request: Request,
    experiment_id: str,
    outcome: Annotated[str, Query(pattern="^(revenue|conversions)$")] = "revenue",
    who: Principal = requires("viewer"),
) -> Response:
    """Difference in means with intervals, CUPED on the pre-period and an always-valid reading
    (:func:`micromix.measurement.analyze_experiment`)."""
    from micromix.measurement import analyze_experiment

    svc = request.app.state.service

    def q(st: Any) -> pd.DataFrame:
        t = st.table("experiments")
        return st.execute(t.filter(t.experiment_id == experiment_id))

    df = svc.read(q)
    if df.empty:
        raise ApiError(
            404,
            "not_found",
            f"no experiment {experiment_id[:80]!r}; list them with GET /api/v1/experiments",
        )
    cov = "pre_period" if df["pre_period"].notna().any() else None
    res = analyze_experiment(df, arm_col="arm", outcome=outcome, covariate=cov, control="control")
    return json_response(res.to_dict())


@router.post("/mmm/fit", summary="Fit the marketing-mix model on the store", tags=["mmm"])
async def mmm_fit(request: Request, who: Principal = requires("analyst")) -> Response:
    svc = request.app.state.service
    model = await run_in_threadpool(svc.cached, ("mmm",), lambda: _fit(svc))
    return json_response(_summary(model))


def _summary(mix: Any) -> dict[str, Any]:
    model = mix.model
    return {
        "fitted": True,
        "channels": list(model.channels),
        "horizon": model.horizon_,
        "current_spend": dict(zip(model.channels, np.asarray(model.current_spend).tolist())),
        "summary": mix.summary,
        "reallocation": mix.reallocation,
        "calibrated_with": list(mix.calibrated_with),
        "contributions": model.contributions_,
        "diagnostics": [c.to_dict() for c in model.diagnostics_],
    }


@router.get("/mmm", summary="Contributions of the fitted mix model", tags=["mmm"])
def mmm(request: Request, who: Principal = requires("viewer")) -> Response:
    """The fitted model's summary, or ``{"fitted": false}`` before an analyst fits it."""
    model = request.app.state.service.peek(("mmm",))
    if model is None:
        return json_response({"fitted": False})
    return json_response(_summary(model))


@router.post("/mmm/scenario", summary="Expected outcome of a budget scenario", tags=["mmm"])
def scenario(
    request: Request, body: ScenarioRequest, who: Principal = requires("viewer")
) -> Response:
    """The current mix against ``spend`` (per channel, over the horizon), with intervals
    (:func:`micromix.optimize.compare_scenarios`)."""
    from micromix.optimize import compare_scenarios

    model = _model(request.app.state.service).model
    unknown = [c for c in body.spend if c not in model.channels]
    if unknown:
        raise ApiError(
            422,
            "invalid_parameter",
            f"unknown channel(s) {unknown}; the model's channels are {list(model.channels)}",
        )
    if any(v < 0 or not np.isfinite(v) for v in body.spend.values()):
        raise ApiError(422, "invalid_parameter", "spend must be finite and >= 0 for every channel")
    current: dict[str, float] = dict(
        zip(model.channels, np.asarray(model.current_spend, float).tolist())
    )
    planned = {c: float(body.spend[c]) if c in body.spend else current[c] for c in model.channels}
    table = compare_scenarios(model, {"current": current, "scenario": planned})
    return json_response({"rows": table})


@router.post("/optimize", summary="Recommend a budget allocation", tags=["mmm"])
def optimize(
    request: Request, body: OptimizeRequest, who: Principal = requires("analyst")
) -> Response:
    """The allocation of ``budget`` that maximises the fitted model's expected outcome
    (:class:`micromix.optimize.BudgetOptimizer`), beside the current mix scaled to it."""
    from micromix.optimize import BudgetOptimizer, compare_scenarios

    model = _model(request.app.state.service).model
    opt = BudgetOptimizer(model)
    rec = opt.allocate(body.budget)
    current = np.asarray(model.current_spend, float)
    scaled = current * body.budget / current.sum() if current.sum() > 0 else current
    table = compare_scenarios(model, {"current_mix": scaled, "recommended": rec})
    return json_response({"recommended": rec.to_dict(), "scenarios": table})
