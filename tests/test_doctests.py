"""The examples in micromix's docstrings run and print what they say (``>>>`` blocks).

Slow (about 30 s of CPU: several simulate small markets); ``.ci/run`` runs it with the slow tests.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import micromix

pytestmark = pytest.mark.slow

#: modules whose import needs an optional extra that the test extras do not install
_OPTIONAL = ("micromix.store.spark", "micromix.moments.embed")


def _modules() -> list[str]:
    names = [micromix.__name__]
    for info in pkgutil.walk_packages(micromix.__path__, prefix="micromix."):
        names.append(info.name)
    return sorted(n for n in names if not n.startswith(_OPTIONAL))


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    mod = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(mod, name):
        if test.filename and "site-packages" in test.filename:
            continue
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed (above)"
