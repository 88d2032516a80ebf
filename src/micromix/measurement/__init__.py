"""micromix.measurement: experiments and lift tests, and the marketing-mix model.

Quickstart
----------
>>> from micromix.measurement import MMMSpec, get_adstock, sample_size
>>> get_adstock("geometric").lookup_name
'geometric'
>>> MMMSpec(date_col="week", target="sales", channels=("tiktok",)).adstock
'geometric'
"""

from __future__ import annotations

from micromix.measurement.experiments import (
    ExperimentAnalysis,
    analyze_experiment,
    analyze_stored_experiment,
    experiment_arms,
    minimum_detectable_effect,
    power,
    sample_size,
)
from micromix.measurement.mmm import (
    LIFT_TEST_COLUMNS,
    OUTCOMES,
    LiftTest,
    MarketingMixModel,
    MMMSpec,
    effect_evidence,
    lift_tests_from_frame,
    load_mmm,
    posterior_effect,
    prepare_mmm_data,
)
from micromix.measurement.strategies import (
    ORGANIC_STRATEGIES,
    StrategyMix,
    fit_strategy_mix,
    strategy_of,
    strategy_panel,
)
from micromix.measurement.transforms import (
    ADSTOCKS,
    SATURATIONS,
    DelayedAdstock,
    GeometricAdstock,
    HillSaturation,
    LogisticSaturation,
    WeibullAdstock,
    get_adstock,
    get_saturation,
)

__all__ = [
    "ADSTOCKS",
    "LIFT_TEST_COLUMNS",
    "ORGANIC_STRATEGIES",
    "OUTCOMES",
    "SATURATIONS",
    "DelayedAdstock",
    "ExperimentAnalysis",
    "GeometricAdstock",
    "HillSaturation",
    "LiftTest",
    "LogisticSaturation",
    "MMMSpec",
    "MarketingMixModel",
    "StrategyMix",
    "WeibullAdstock",
    "analyze_experiment",
    "analyze_stored_experiment",
    "effect_evidence",
    "experiment_arms",
    "fit_strategy_mix",
    "get_adstock",
    "get_saturation",
    "lift_tests_from_frame",
    "load_mmm",
    "minimum_detectable_effect",
    "posterior_effect",
    "power",
    "prepare_mmm_data",
    "sample_size",
    "strategy_of",
    "strategy_panel",
]
