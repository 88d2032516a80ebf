"""The dependency rule of DESIGN.md, enforced by import-linter (config in pyproject.toml).

The contracts: the layers (imports inside functions count), no circles between packages or the
modules of a package, simulate depends only on schema, only store imports a database engine,
only api the web framework, only cli the terminal toolkit, only reports and dashboard chart
code. One test runs them on the package; another proves they catch an upward import hidden in
a function, on a copy of the package.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "micromix"

pytest.importorskip("importlinter", reason="import-linter is not installed (test extra)")


def _lint(src_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports with the project's contracts on the package found in ``src_parent``."""
    env = {**os.environ, "PYTHONPATH": str(src_parent)}
    code = (
        "import sys; from importlinter.cli import lint_imports_command; "
        "sys.exit(lint_imports_command())"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )


def test_the_import_contracts_hold():
    res = _lint(ROOT / "src")
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "0 broken" in res.stdout


def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path):
    copy = tmp_path / "micromix"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "_data"))
    target = copy / "store" / "base.py"
    target.write_text(
        target.read_text()
        + "\n\ndef _sneaky() -> object:\n"
        + "    from micromix.reports import builder  # an upward import, hidden in a function\n"
        + "\n    return builder\n"
    )
    res = _lint(tmp_path)
    assert res.returncode != 0
    assert "micromix.store is not allowed to import micromix.reports" in res.stdout
    assert "micromix.store.base -> micromix.reports" in res.stdout


def _annotation(node: ast.arg) -> str:
    return ast.unparse(node.annotation) if node.annotation is not None else ""


#: packages that take the store by its contract (clv: its engineer types clv/data.py, then add it)
TYPED_PACKAGES = (
    "api",
    "audience",
    "cli",
    "clv",
    "dashboard",
    "influencers",
    "ingest",
    "measurement",
    "metrics",
    "moments",
    "optimize",
    "plan",
    "reports",
    "simulate",
    "social",
    "store",
)


def test_no_store_parameter_is_typed_any():
    bad = []
    files: list[Path] = []
    for pkg in TYPED_PACKAGES:
        files += sorted((SRC / pkg).rglob("*.py"))
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for a in [*node.args.args, *node.args.kwonlyargs]:
                    if a.arg in ("store", "st", "svc", "service") and _annotation(a) in (
                        "Any",
                        "",
                    ):
                        if a.arg in ("st", "svc") and not a.annotation:
                            continue  # lambdas and tiny local helpers without annotations
                        bad.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}({a.arg})")
    assert not bad, bad


def test_no_engine_connection_outside_store():
    """Domain packages build portable Ibis expressions; only store connects to an engine."""
    bad = []
    for path in SRC.rglob("*.py"):
        if path.is_relative_to(SRC / "store"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "ibis"
                and node.attr in ("connect", "duckdb", "pyspark", "bigquery", "snowflake")
            ):
                bad.append(f"{path.relative_to(SRC)}:{node.lineno} ibis.{node.attr}")
    assert not bad, bad
