"""The README's "What `micromix demo` shows" block is what ``micromix demo`` prints today."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from micromix.cli.main import app

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[2] / "README.md"


def _sample_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## What `micromix demo` shows", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", section, flags=re.S)
    assert blocks, "README's demo section has no plain sample block"
    return blocks[0].rstrip("\n").splitlines()


def test_the_readme_sample_is_what_the_default_demo_prints(tmp_path):
    res = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert res.exit_code == 0, res.output[-2000:]
    assert "Warning" not in res.output and "warning" not in res.stderr
    printed = res.stdout.splitlines()
    ends = [i for i, line in enumerate(printed) if line.startswith("report: ")]
    assert ends and "database: " in "\n".join(printed[ends[-1] :]), res.stdout[-2000:]
    body = printed[: ends[-1]]
    while body and not body[-1].strip():
        body.pop()
    assert body == _sample_block()
