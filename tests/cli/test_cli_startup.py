"""`micromix <group> --help` starts without the heavy libraries (review 28 d #4)."""

from __future__ import annotations


def test_moments_help_imports_no_pandas():
    """`micromix moments --help` and its commands' --help load no pandas, numpy or the ingest
    package (cli/moments.py imports them inside the command bodies)."""
    import subprocess
    import sys

    heavy = ("pandas", "numpy", "scipy", "sklearn", "pyarrow", "micromix.ingest")
    for args in (["moments", "--help"], ["moments", "bursts", "--help"]):
        code = (
            "import sys, runpy\n"
            f"sys.argv = ['micromix', *{args!r}]\n"
            "try:\n"
            "    runpy.run_module('micromix.cli.main', run_name='__main__')\n"
            "except SystemExit:\n"
            "    pass\n"
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
        )
        assert out.stdout.strip().splitlines()[-1] == "[]", (args, out.stdout[-300:])
