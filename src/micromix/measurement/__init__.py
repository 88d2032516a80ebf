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
    minimum_detectable_effect,
    power,
    sample_size,
)
from micromix.measurement.mmm import (
    LiftTest,
    MarketingMixModel,
    MMMSpec,
    load_mmm,
    prepare_mmm_data,
)
from micromix.measurement.strategies import (
    ORGANIC_STRATEGIES,
    StrategyMix,
    fit_strategy_mix,
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
    "ORGANIC_STRATEGIES",
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
    "fit_strategy_mix",
    "get_adstock",
    "get_saturation",
    "load_mmm",
    "minimum_detectable_effect",
    "power",
    "prepare_mmm_data",
    "sample_size",
    "strategy_panel",
]
