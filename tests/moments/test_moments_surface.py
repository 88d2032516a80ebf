"""The moments package surface: exports and the runnable examples in its docstrings."""

from __future__ import annotations

import doctest
import importlib

import pytest

import micromix.moments as moments

MODULES = [
    "actions",
    "bursts",
    "classify",
    "corpus",
    "detectors",
    "embed",
    "evaluate",
    "intent",
    "realtime",
    "rules",
    "sessions",
    "topics",
    "train",
]


def test_package_exports_resolve():
    assert list(moments.__all__) == sorted(
        moments.__all__, key=lambda n: (0 if n.isupper() else 1 if n[:1].isupper() else 2, n)
    )
    for name in moments.__all__:
        assert getattr(moments, name) is not None


@pytest.mark.parametrize("name", ["micromix.moments", *(f"micromix.moments.{m}" for m in MODULES)])
def test_docstring_examples_run(name):
    mod = importlib.import_module(name)
    assert mod.__doc__ and "Quickstart" in mod.__doc__
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{name}: {res.failed} doctest failure(s)"
