"""The public surface of measurement/ and optimize/ is explicit, sorted and importable."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "micromix.measurement",
    "micromix.measurement.experiments",
    "micromix.measurement.mmm",
    "micromix.measurement.spec",
    "micromix.measurement.data",
    "micromix.measurement.transforms",
    "micromix.optimize",
    "micromix.optimize.budget",
    "micromix.optimize.protocol",
    "micromix.optimize.recommend",
    "micromix.measurement.strategies",
    "micromix.cli.measurement",
]


def _isort_key(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_resolves(name):
    mod = importlib.import_module(name)
    exported = mod.__all__
    assert exported == sorted(exported, key=_isort_key)
    for item in exported:
        assert hasattr(mod, item), f"{name}.{item}"
    assert mod.__doc__ and "Quickstart" in mod.__doc__


def test_package_surfaces_do_not_drift():
    import micromix.measurement as m
    import micromix.optimize as o

    assert set(o.__all__) == {
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
    }
    assert {
        "MarketingMixModel",
        "MMMSpec",
        "LiftTest",
        "analyze_experiment",
        "sample_size",
        "get_adstock",
        "get_saturation",
        "posterior_effect",
        "effect_evidence",
    } <= set(m.__all__)
