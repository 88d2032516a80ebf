"""Names with brackets are printed as they are.

Campaign names like "[Brand] Search - Exact" are a common naming convention in ad accounts.
The terminal library reads "[...]" as style tags: "[Brand]" was dropped from tables and a
"[/promo]" stopped every command that printed it with "This is a bug in micromix".
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()
NAMES = ("[Brand] Search - Exact", "[/promo] Spring [bold]Sale")


def _export(tmp_path):
    path = tmp_path / "google [uk].csv"
    path.write_text(
        "Day,Campaign,Currency code,Impr.,Clicks,Cost,Conversions,Conv. value\n"
        f"2026-03-01,{NAMES[0]},EUR,1200,80,64.20,4,310.50\n"
        f"2026-03-01,{NAMES[1]},EUR,900,40,30.00,2,120.00\n"
        f"2026-03-02,{NAMES[0]},EUR,1100,70,60.00,3,250.00\n",
        encoding="utf-8",
    )
    return path


def _ok(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "bug in micromix" not in res.output
    return res.output


def test_bracketed_campaign_names_print_verbatim(tmp_path):
    f, db = _export(tmp_path), str(tmp_path / "b.duckdb")
    out = _ok(["ingest", "ads", str(f), "--db", db])
    assert str(f.name) in out  # the file name's "[uk]" too
    out = _ok(["inspect", "ads", str(f)])
    assert NAMES[0] in out
    out = _ok(["kpis", "--db", db, "--by", "campaign_id"])
    for name in NAMES:
        assert name in out
    _ok(["plan", "--db", db, "--n-boot", "20"])
    d = json.loads(_ok(["kpis", "--db", db, "--by", "campaign_id", "--json"]))["rows"]
    assert {r["campaign_id"] for r in d} == set(NAMES)


def test_an_error_naming_a_bracketed_value_prints_it(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        "Day,Campaign,Currency code,Impr.,Clicks,Cost,Conversions,Conv. value\n"
        "2026-03-01,[Brand] x,EUR,1200,80,[/cost],4,310.50\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["ingest", "ads", str(f), "--db", str(tmp_path / "e.duckdb")])
    assert "bug in micromix" not in res.output
    assert "[/cost]" in res.output
