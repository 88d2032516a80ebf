"""The ``experiments`` contract: unit-level results of holdout / lift tests.

Quickstart
----------
>>> from micromix.schema.experiments import EXPERIMENTS
>>> EXPERIMENTS.key
('experiment_id', 'unit_id')
"""

from __future__ import annotations

from micromix.schema.base import EntitySchema, Field
from micromix.schema.vocab import STRATEGIES

__all__ = ["EXPERIMENTS"]

EXPERIMENTS = EntitySchema(
    name="experiments",
    key=("experiment_id", "unit_id"),
    description="One row per experimental unit (user, geo) with its arm and outcomes.",
    fields=(
        Field("experiment_id", required=True),
        Field("unit_id", required=True, description="User, geo or store id."),
        Field("arm", required=True, description="treatment / control or an arm name."),
        Field("strategy", allowed=STRATEGIES),
        Field("campaign_id"),
        Field("conversions", "float", minimum=0, description="Outcome: conversions of the unit."),
        Field("revenue", "float", minimum=0, description="Outcome: revenue of the unit."),
        Field("pre_period", "float", description="Pre-period metric (CUPED covariate)."),
    ),
)
