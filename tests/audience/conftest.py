"""Shared fixtures for the audience tests: small seeded experiments."""

from __future__ import annotations

import pytest
from _audience_data import FEATURES  # noqa: F401 - the fixtures use it

from micromix.audience.datasets import make_uplift_data


@pytest.fixture(scope="session")
def binary_df():
    return make_uplift_data(n=6000, seed=11, effect=0.25)


@pytest.fixture(scope="session")
def spend_df():
    return make_uplift_data(n=6000, seed=12, outcome="continuous", effect=0.25)


@pytest.fixture(scope="session")
def multiarm_df():
    return make_uplift_data(n=9000, seed=13, arms=("email", "sms"), control="none", effect=0.25)
