"""micromix.optimize: budget allocation and scenarios over any ResponseModel.

Quickstart
----------
>>> from micromix.optimize import BudgetOptimizer, CurveResponse
>>> m = CurveResponse.hill(["ugc", "paid"], vmax=[100.0, 300.0], half=[20.0, 80.0])
>>> BudgetOptimizer(m).allocate(100.0).budget
100.0
"""

from __future__ import annotations

from micromix.optimize.budget import (
    Allocation,
    BudgetOptimizer,
    compare_scenarios,
    parse_amounts,
    parse_bounds,
)
from micromix.optimize.protocol import (
    CurveResponse,
    ResponseModel,
    UpliftCurveResponse,
    as_spend_array,
)
from micromix.optimize.recommend import (
    EXTRAPOLATION_FACTOR,
    BudgetRecommendation,
    compare_with_current,
    evidence_check,
    extrapolation_check,
    recommend_budget,
    scale_to_budget,
)

__all__ = [
    "EXTRAPOLATION_FACTOR",
    "Allocation",
    "BudgetOptimizer",
    "BudgetRecommendation",
    "CurveResponse",
    "ResponseModel",
    "UpliftCurveResponse",
    "as_spend_array",
    "compare_scenarios",
    "compare_with_current",
    "evidence_check",
    "extrapolation_check",
    "parse_amounts",
    "parse_bounds",
    "recommend_budget",
    "scale_to_budget",
]
