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
