"""The public surface is explicit: every module's __all__ is sorted (ruff RUF022 style) and
resolvable, so the surface cannot drift silently."""

from __future__ import annotations

import importlib
import pkgutil

import micromix


def _isort_key(name: str) -> tuple[int, str]:
    """ruff RUF022 order: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def _modules():
    for info in pkgutil.walk_packages(micromix.__path__, "micromix."):
        name = info.name
        if ".cli" in name or name.rsplit(".", 1)[-1].startswith("_"):
            continue
        yield name


def test_all_is_sorted_and_resolvable():
    for name in _modules():
        try:
            mod = importlib.import_module(name)
        except ImportError as exc:  # optional extras (redis, fastapi, torch ...)
            assert "micromix[" in str(exc) or "No module named" in str(exc), (name, exc)
            continue
        exported = getattr(mod, "__all__", None)
        if exported is None:
            continue
        assert list(exported) == sorted(exported, key=_isort_key), f"{name}.__all__ is not sorted"
        for sym in exported:
            assert hasattr(mod, sym), f"{name}.__all__ names missing {sym!r}"


def test_core_surface():
    from micromix import metrics, schema, simulate, store

    assert "compute_kpis" in metrics.__all__
    assert "Store" in store.__all__
    assert {"SimConfig", "simulate"} <= set(simulate.__all__)
    assert "EVENTS" in schema.__all__
