"""Measurement routes: experiments (lift tests), the marketing-mix model and the optimizer.

The mix model over strategies is :func:`micromix.measurement.fit_strategy_mix`: daily revenue,
spend per paid strategy and organic impressions of user content from the store's events,
calibrated with the holdout experiments. Analysts fit it (``POST /api/v1/mmm/fit``); it lives
in the service's model registry, versioned with the data it was fitted on, so creating a key or
exporting an audience does not unfit it; anyone with a key reads its contributions and
evaluates budget scenarios against it.

Quickstart
----------
>>> from micromix.api.routers.measurement import router
>>> "/api/v1/mmm/scenario" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from micromix.api._respond import json_response
from micromix.api.errors import api_error
from micromix.api.security import Principal, requires
from micromix.api.service import Service
from micromix.errors import MicromixError

if TYPE_CHECKING:
    from micromix.measurement import StrategyMix

__all__ = ["MMM", "OptimizeRequest", "ScenarioRequest", "router"]

router = APIRouter(prefix="/api/v1", tags=["measurement"])


class ScenarioRequest(BaseModel):
    """Spend per channel over the planning horizon."""

    spend: dict[str, float] = Field(max_length=50)


class OptimizeRequest(BaseModel):
    """Total budget over the planning horizon; ``extrapolate`` lifts the default cap of twice
    the most each channel was ever given."""

    model_config = ConfigDict(extra="forbid")  # a field the optimizer does not read is refused

    budget: float = Field(gt=0, le=1e12)
    extrapolate: bool = False


#: the optimizer's CLI flags as the API's body fields
_OPTIMIZE_FLAGS = {
    "give channels --bounds, or pass --extrapolate": 'or send "extrapolate": true',
    "--extrapolate": '"extrapolate": true',
}


#: the registry name of the strategy mix model
MMM = "mmm"
_HOW = "an analyst fits it with POST /api/v1/mmm/fit"


def _model(svc: Service) -> StrategyMix:
    mix: StrategyMix = svc.models.require(MMM, _HOW).model
    return mix


@router.get("/experiments", summary="Randomised holdouts in the store", tags=["experiments"])
def experiments(request: Request, who: Principal = requires("viewer")) -> Response:
    from micromix.measurement import experiment_arms

    svc = request.app.state.service
    return json_response({"rows": svc.cached(("experiments",), lambda: svc.read(experiment_arms))})


@router.get("/experiments/{experiment_id}", summary="Analyse one experiment", tags=["experiments"])
def experiment(
    request: Request,
    experiment_id: str,
    outcome: Annotated[str, Query(pattern="^(revenue|conversions)$")] = "revenue",
    ratio: Annotated[
        float | None,
        Query(
            gt=0,
            le=1000,
            allow_inf_nan=False,
            description=(
                "Planned treatment units per control unit, for the sample-ratio test (the CLI's "
                "--ratio); default: an equal split."
            ),
        ),
    ] = None,
    who: Principal = requires("viewer"),
) -> Response:
    """Difference in means with intervals, CUPED on the pre-period and an always-valid reading
    (:func:`micromix.measurement.analyze_stored_experiment`); the sample-ratio check tests the
    arms' sizes against ``ratio`` treatment units per control unit (default 1)."""
    from micromix.measurement import analyze_stored_experiment

    svc = request.app.state.service
    res = svc.read(
        lambda st: analyze_stored_experiment(st, experiment_id, outcome=outcome, ratio=ratio)
    )
    out = res.to_dict()
    # the library's advice names the CLI option; over the API it is this query parameter
    return json_response(_api_terms(out))


def _api_terms(obj: Any) -> Any:
    """``obj`` with the CLI's ``--ratio`` named as the ``ratio`` query parameter in its text."""
    if isinstance(obj, str):
        return obj.replace("(--ratio)", "(the ratio parameter, e.g. ratio=2)")
    if isinstance(obj, dict):
        return {k: _api_terms(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_api_terms(v) for v in obj]
    return obj


@router.post("/mmm/fit", summary="Fit the marketing-mix model on the store", tags=["mmm"])
async def mmm_fit(request: Request, who: Principal = requires("analyst")) -> Response:
    """Fits the mix model over strategies (:func:`micromix.measurement.fit_strategy_mix`) unless
    one is already fitted on the current data; the model is kept in the service's registry,
    versioned with the data, until the data changes."""
    from micromix.measurement import fit_strategy_mix

    svc = request.app.state.service
    entry = await run_in_threadpool(
        svc.models.fit, MMM, lambda: svc.read(lambda st: fit_strategy_mix(st))
    )
    return json_response(_summary(entry.model, entry.describe()))


def _summary(mix: StrategyMix, version: dict[str, Any]) -> dict[str, Any]:
    from micromix.errors import ModelError
    from micromix.optimize import recommend_budget

    model = mix.model
    try:
        reallocation: dict[str, Any] | None = recommend_budget(model).to_dict()
        refused = None
    except ModelError as exc:  # failed its own checks: the summary and checks say why
        reallocation, refused = None, str(exc)
    return {
        "fitted": True,
        "model": version,
        "outcome": model.outcome,
        "channels": list(model.channels),
        "horizon": model.horizon_,
        "current_spend": mix.current_spend,
        "summary": mix.summary,
        "reallocation": reallocation,
        "reallocation_refused": refused,
        "calibrated_with": list(mix.calibrated_with),
        "contributions": model.contributions_,
        "diagnostics": [c.to_dict() for c in model.diagnostics_],
    }


@router.get("/mmm", summary="Contributions of the fitted mix model", tags=["mmm"])
def mmm(request: Request, who: Principal = requires("viewer")) -> Response:
    """The fitted model's summary, or ``{"fitted": false}`` before an analyst fits it (or after
    the data changed)."""
    entry = request.app.state.service.models.current(MMM)
    if entry is None:
        return json_response({"fitted": False})
    return json_response(_summary(entry.model, entry.describe()))


@router.post("/mmm/scenario", summary="Expected outcome of a budget scenario", tags=["mmm"])
def scenario(
    request: Request, body: ScenarioRequest, who: Principal = requires("viewer")
) -> Response:
    """The current mix against ``spend`` (per channel, over the horizon; channels left out keep
    their current spend), with intervals (:func:`micromix.optimize.compare_with_current`)."""
    from micromix.optimize import compare_with_current

    model = _model(request.app.state.service).model
    return json_response({"rows": compare_with_current(model, body.spend)})


@router.post("/optimize", summary="Recommend a budget allocation", tags=["mmm"])
def optimize(
    request: Request, body: OptimizeRequest, who: Principal = requires("analyst")
) -> Response:
    """The allocation of ``budget`` that maximises the fitted model's expected outcome, beside
    the current mix scaled to it, with an extrapolation check
    (:func:`micromix.optimize.recommend_budget`)."""
    from micromix.optimize import recommend_budget

    try:
        rec = recommend_budget(
            _model(request.app.state.service).model, body.budget, extrapolate=body.extrapolate
        )
    except MicromixError as exc:
        # the optimizer's advice names CLI flags; over the API it names the body's fields
        raise api_error(exc, _OPTIMIZE_FLAGS) from None
    return json_response(rec.to_dict())
