"""Fixtures for the CLV tests: known parameters and transactions simulated from them."""

from __future__ import annotations

import pytest

from micromix.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel, simulate_transactions

#: BG/NBD, Pareto/NBD and Gamma-Gamma estimates published for the CDNOW sample (used as truths)
BG_TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PARETO_TRUTH = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}
GG_TRUTH = {"p": 6.25, "q": 3.74, "gamma": 15.44}


MBG_TRUTH = {"r": 0.52, "alpha": 6.18, "a": 0.89, "b": 1.61}


@pytest.fixture(scope="session")
def truths() -> dict[str, dict[str, float]]:
    """Known parameters per model (the CDNOW estimates), used to simulate data."""
    return {"bgnbd": BG_TRUTH, "pareto": PARETO_TRUTH, "mbgnbd": MBG_TRUTH, "gg": GG_TRUTH}


@pytest.fixture(scope="session")
def bg_truth() -> BetaGeoModel:
    return BetaGeoModel.from_params(BG_TRUTH)


@pytest.fixture(scope="session")
def pareto_truth() -> ParetoNBDModel:
    return ParetoNBDModel.from_params(PARETO_TRUTH)


@pytest.fixture(scope="session")
def gg_truth() -> GammaGammaModel:
    return GammaGammaModel.from_params(GG_TRUTH)


@pytest.fixture(scope="session")
def cohort(bg_truth, gg_truth):
    """A CDNOW-like cohort: 4,000 customers acquired over 12 weeks, observed 78 weeks."""
    return simulate_transactions(bg_truth, gg_truth, customers=4000, random_state=7)
