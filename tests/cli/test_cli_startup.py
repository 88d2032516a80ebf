"""A quick start: ``micromix --help``, ``micromix --version`` and ``micromix <command> --help``
import no pandas, scikit-learn or engine, only the command module (the heavy libraries load when
the command runs)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from micromix.cli.main import COMMANDS

#: libraries a command's ``--help`` must not import
HEAVY = ("pandas", "numpy", "pyarrow", "sklearn", "scipy", "ibis", "duckdb", "fastapi")
#: commands whose module still imports a heavy library at its top, with why; the test of each
#: is expected to fail (strictly) - remove the entry when its module moves the import
HELP_PENDING: dict[str, str] = {}


def _help_imports(*args: str) -> list[str]:
    """The heavy modules loaded by ``micromix ARGS`` in a fresh interpreter."""
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['micromix', *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('micromix.cli.main', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_no_heavy_module(args):
    assert _help_imports(*args) == []


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=HELP_PENDING[name]))
        if name in HELP_PENDING
        else name
        for name in COMMANDS
    ],
)
def test_command_help_imports_no_heavy_module(command):
    assert _help_imports(command, "--help") == []


def test_pending_entries_name_real_commands():
    assert set(HELP_PENDING) <= set(COMMANDS)


@pytest.mark.parametrize("args", [["audience", "target"], ["privacy", "check"]])
def test_a_subcommand_help_imports_no_heavy_module(args):
    # the pandas-typed helpers of cli/audience.py are annotated only, so the help stays light
    assert _help_imports(*args, "--help") == []


def test_ingest_help_names_every_kind_of_the_schema():
    from micromix.cli.ingest_cmd import KIND_NAMES
    from micromix.schema import KINDS

    assert tuple(KINDS) == KIND_NAMES


def test_moments_subcommand_help_imports_no_heavy_module():
    """`micromix moments bursts --help` loads neither the heavy libraries nor the ingest package
    (cli/moments.py imports them inside the command bodies)."""
    assert _help_imports("moments", "bursts", "--help") == []
