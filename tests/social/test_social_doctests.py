"""The quickstarts in every social / influencers module docstring run as written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import micromix.influencers
import micromix.social

SUBMODULES = sorted(
    f"{pkg.__name__}.{m.name}"
    for pkg in (micromix.social, micromix.influencers)
    for m in pkgutil.iter_modules(pkg.__path__)
)
MODULES = [*SUBMODULES, "micromix.social", "micromix.influencers"]


@pytest.mark.parametrize("name", MODULES)
def test_module_quickstart_runs(name):
    mod = importlib.import_module(name)
    assert mod.__doc__ and "Quickstart" in mod.__doc__, f"{name} has no quickstart"
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
