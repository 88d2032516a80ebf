"""micromix.plan: the evidence of a store, gathered once, and the plan reconciled from it.

:func:`gather_evidence` computes what the report, the dashboard and the plan show (KPIs,
trends, the strategy comparisons, the mix model, user content, creators, micro-moments, data
quality); :func:`build_plan` reconciles it into one :class:`Plan` - the budget across
strategies led by the randomised holdouts, and what to target, amplify, hire and answer, each
with its expected incremental effect, evidence and confidence - and, on simulated data, the
simulator's truth. :func:`make_plan` does both (``micromix plan``). Renderers take an
:class:`Evidence` or a :class:`Plan` and compute nothing.

Quickstart
----------
>>> from micromix.plan import PARTS
>>> PARTS[0], PARTS[-2], PARTS[-1]
('overview', 'plan', 'quality')
"""

from __future__ import annotations

from micromix.plan.actions import ACTION_KINDS, Action
from micromix.plan.allocate import Reallocation, reallocate
from micromix.plan.build import PLAN_PARTS, Plan, build_plan
from micromix.plan.demo import DemoRun, run_demo
from micromix.plan.evidence import (
    DEFAULT_COMPARISONS,
    PARTS,
    TREND_DIMENSIONS,
    ContentEvidence,
    CreatorEvidence,
    Evidence,
    MixEvidence,
    gather_evidence,
    influencer_spend,
    make_plan,
)
from micromix.plan.returns import StrategyReturns, strategy_returns
from micromix.plan.truth import PlanTruth, simulated_truth

__all__ = [
    "ACTION_KINDS",
    "DEFAULT_COMPARISONS",
    "PARTS",
    "PLAN_PARTS",
    "TREND_DIMENSIONS",
    "Action",
    "ContentEvidence",
    "CreatorEvidence",
    "DemoRun",
    "Evidence",
    "MixEvidence",
    "Plan",
    "PlanTruth",
    "Reallocation",
    "StrategyReturns",
    "build_plan",
    "gather_evidence",
    "influencer_spend",
    "make_plan",
    "reallocate",
    "run_demo",
    "simulated_truth",
    "strategy_returns",
]
