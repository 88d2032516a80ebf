"""The CLV package's public surface: docstring examples run, the layering holds."""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import micromix.clv

MODULES = [
    *sorted(f"micromix.clv.{m.name}" for m in pkgutil.iter_modules(micromix.clv.__path__)),
    "micromix.clv",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{name}: {res.failed} doctest failure(s)"


def test_clv_imports_nothing_above_its_layer():
    """clv may use shared modules, schema and store, never a sibling domain or a layer above."""
    allowed = {"errors", "config", "checks", "estimator", "schema", "store", "clv"}
    folder = Path(micromix.clv.__file__).parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for n in names:
                if n.startswith("micromix."):
                    assert n.split(".")[1] in allowed, f"{path.name} imports {n}"
                assert not n.startswith(("duckdb", "pyspark")), f"{path.name} imports {n}"
