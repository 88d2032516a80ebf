"""micromix.plan: the evidence the decisions rest on, gathered from a store in one pass.

:func:`gather_evidence` computes what the report, the dashboard and a plan show (KPIs, trends,
the strategy comparisons, the mix model and its reallocation, user content, creators,
micro-moments, data quality); renderers take the :class:`Evidence` and compute nothing. The
recommendation that reconciles it (``micromix plan``) is built on this object.

Quickstart
----------
>>> from micromix.plan import PARTS
>>> PARTS[0], PARTS[-1]
('overview', 'quality')
"""

from __future__ import annotations

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
)

__all__ = [
    "DEFAULT_COMPARISONS",
    "PARTS",
    "TREND_DIMENSIONS",
    "ContentEvidence",
    "CreatorEvidence",
    "DemoRun",
    "Evidence",
    "MixEvidence",
    "gather_evidence",
    "run_demo",
]
