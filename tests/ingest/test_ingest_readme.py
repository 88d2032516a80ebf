"""Every command of the README's "Bring your real data" section (and the tour's ingest line) runs
and does what the README says, on fixture files named as in the README."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from micromix.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
KAG = ROOT.parent / "shared" / "data" / "ads" / "KAG_conversion_data.csv"
#: README file name -> our fixture of that layout
FILES = {
    "Campaign report.csv": "google_ads_keywords_utf16.tsv",
    "meta_export.csv": "meta_ads_export.csv",
    "pinterest_ads.csv": "pinterest_ads.csv",
    "Events_Event_name.csv": "ga4_events_report.csv",
    "trending.json": "tiktok_api_items.json",
}


def _section_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Bring your real data", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    cmds = []
    for line in block.strip().splitlines():
        cmd = line.split("  #", 1)[0].strip()
        cmds.append(shlex.split(cmd))
    return cmds


def test_readme_section_commands_run(tmp_path, monkeypatch):
    for readme_name, fixture in FILES.items():
        shutil.copy(FIXTURES / fixture, tmp_path / readme_name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MICROMIX_DB", str(tmp_path / "readme.duckdb"))
    runner = CliRunner()
    cmds = _section_commands()
    assert len(cmds) == 6 and all(c[0] == "micromix" for c in cmds)
    for cmd in cmds:
        res = runner.invoke(app, [*cmd[1:], "--json"])
        assert res.exit_code == 0, (cmd, res.output)
        out = json.loads(res.stdout)
        report = out.get("report", out)
        assert report["accepted"] > 0 and report["quarantined"] == 0, cmd
        if "--dry-run" in cmd or cmd[1] == "inspect":
            assert report["dry_run"] is True
    assert not re.search(r"--currency", " ".join(cmds[1])), "Google states its currency"


@pytest.mark.shared_data
@pytest.mark.skipif(not KAG.exists(), reason=f"{KAG} not present (../shared/data)")
def test_readme_tour_ingest_line(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("micromix ingest ads KAG"))
    cmd = shlex.split(line.split("  #", 1)[0])
    shutil.copy(KAG, tmp_path / "KAG_conversion_data.csv")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, [*cmd[1:], "--db", str(tmp_path / "k.duckdb"), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert (out["layout"], out["accepted"], out["currency"]) == ("kaggle_fb_ads", 1143, "USD")
