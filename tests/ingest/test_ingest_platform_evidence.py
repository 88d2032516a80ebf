"""A layout is chosen only on evidence of its platform; a header of columns many platforms
share is refused in one sentence that lists the closest layouts and says to pass --format."""

from __future__ import annotations

import pytest

from micromix.errors import ColumnNotFoundError
from micromix.ingest import prepare_file
from micromix.ingest.formats import detect_format

GENERIC = "Time period,Campaign name,Impressions,Clicks,Spend,Conversions,Revenue,Currency code\n"
ROW = '2026-10-01,Brand - Search,1200,85,"$64.20",4,310.50,USD\n'


def test_generic_header_is_refused_naming_the_file_and_the_closest_layouts(tmp_path):
    p = tmp_path / "msads.csv"
    p.write_text(GENERIC + ROW)
    with pytest.raises(ColumnNotFoundError) as exc:
        prepare_file("ads", p)
    msg = str(exc.value)
    assert str(p) in msg and "no platform could be recognised" in msg
    assert "x_ads" in msg and "--format" in msg and "--format canonical" in msg
    assert "\n" not in msg and not msg.rstrip().endswith(".")  # one sentence


@pytest.mark.parametrize(
    "extra, layout",
    [
        ("Billed charge", "x_ads"),
        ("Funding source name", "x_ads"),
        ("Promoted tweet ID", "x_ads"),
        ("Clicks (destination)", "tiktok_ads"),
        ("Complete payment", "tiktok_ads"),
    ],
)
def test_one_platform_column_is_evidence_enough(extra, layout):
    cols = ["Campaign name", "Impressions", "Spend", extra]
    assert detect_format(cols, "ads").lookup_name == layout


def test_generic_header_with_a_platform_column_is_canonical():
    cols = ["date", "platform", "campaign_id", "impressions", "spend", "currency"]
    assert detect_format(cols, "ads").lookup_name == "canonical"


def test_format_given_reads_a_generic_header(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("Time period,Campaign name,Impressions,Spend,Currency\n2026-10-01,A,10,1.50,USD\n")
    prep = prepare_file("ads", p, layout="x_ads")
    assert prep.adapter.lookup_name == "x_ads" and len(prep.result.accepted) == 1


def test_measures_the_layout_does_not_read_are_named_in_a_note(tmp_path):
    p = tmp_path / "msads.csv"
    p.write_text(
        GENERIC.replace("Currency code", "Currency code,CTR,Avg. CPC")
        + ROW.replace(",USD", ",USD,7.08%,0.76")
    )
    prep = prepare_file("ads", p, layout="x_ads")
    assert prep.unread == ("Conversions", "Revenue")
    (note,) = prep.notes
    assert "'Conversions', 'Revenue'" in note and "x_ads" in note and "CTR, Avg. CPC" in note


def test_unread_note_in_the_cli_and_the_json(tmp_path):
    import json

    from typer.testing import CliRunner

    from micromix.cli.main import app

    p = tmp_path / "msads.csv"
    p.write_text(GENERIC + ROW)
    db = str(tmp_path / "a.duckdb")
    args = ["ingest", "ads", str(p), "--db", db, "--format", "x_ads", "--dry-run"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0 and "note: 2 column(s)" in res.output
    res = CliRunner().invoke(app, [*args, "--json"])
    out = json.loads(res.stdout)
    assert out["unread_columns"] == ["Conversions", "Revenue"] and len(out["notes"]) == 1


def test_a_layout_that_reads_every_measure_has_no_note(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text(
        "Time period,Campaign name,Campaign ID,Currency,Spend,Impressions,Link clicks,"
        "Engagements,Results,Result type,CTR\n"
        '"Apr 1, 2026 - Apr 30, 2026",Pet day,abc1,USD,12.50,300,22,51,22,Link clicks,7%\n'
    )
    prep = prepare_file("ads", p)
    assert prep.adapter.lookup_name == "x_ads" and prep.notes == () and prep.unread == ()
