"""A stated engagement rate's unit and a stated currency, read without guessing.

An engagement-rate column of bare numbers is fractions when all are at most 1 and per cent when
all are above 1; 0.031 beside 1.4 could be fractions with a TikTok rate of 140% or per cent, so
it is refused naming both cells unless a cell written with ``%`` says the column is per cent
(then a note names that cell).  One 1.4 used to turn 0.031 into 0.031% silently.  A currency
column saying ``$``, ``US$``, ``USD`` or "US dollars" is US dollars (``$`` was refused as "in
$"); euros, ``C$`` and unreadable codes are still refused.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import DataValidationError
from micromix.influencers import score_creators
from micromix.influencers.columns import canonical_profiles

runner = CliRunner()
DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _profiles(rates: list[object], **extra: list[object]) -> pd.DataFrame:
    n = len(rates)
    return pd.DataFrame(
        {
            "handle": [f"c{i}" for i in range(n)],
            "followers": [12_000] * n,
            "following": [300] * n,
            "engagement_rate": rates,
            **extra,
        }
    )


def _rates(df: pd.DataFrame) -> list[float]:
    return canonical_profiles(df, source="er.csv")["engagement_rate_input"].tolist()


def test_fractions_with_one_above_one_are_refused_naming_both_cells():
    # /tmp/review30b/er.csv: alice 0.031 was read as 0.031% because cara wrote 1.4
    df = _profiles([0.031, 0.022, 1.4, 0.045])
    with pytest.raises(DataValidationError) as exc:
        canonical_profiles(df, source="er.csv")
    msg = str(exc.value)
    assert msg.startswith("er.csv: row 1, field 'engagement_rate': "), msg
    assert "'0.031'" in msg and "row 3 has '1.4'" in msg and "% signs" in msg


def test_the_cli_refuses_it_too_without_a_traceback(tmp_path):
    path = tmp_path / "er.csv"
    path.write_text("handle,followers,following,engagement_rate\na,12000,300,0.031\nb,8000,5,1.4\n")
    res = runner.invoke(app, ["creators", "score", "-i", str(path)])
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert "er.csv: row 1, field 'engagement_rate'" in " ".join(res.output.split())


def test_one_unit_columns_are_read_as_they_say():
    assert _rates(_profiles([0.031, 0.022, 1.0])) == pytest.approx([0.031, 0.022, 1.0])
    assert _rates(_profiles([3.1, 2.2, 140])) == pytest.approx([0.031, 0.022, 1.4])
    # a bare 0 is 0 in either unit and makes no column ambiguous
    assert _rates(_profiles([0, 3.1, 2.2])) == pytest.approx([0.0, 0.031, 0.022])
    assert _rates(_profiles([0, 0.031])) == pytest.approx([0.0, 0.031])


def test_a_per_cent_sign_decides_a_mixed_column_and_the_note_names_it():
    df = _profiles(["0.5", "3.1%", "1.4", None])
    out = canonical_profiles(df, source="er.csv")
    assert out["engagement_rate_input"].tolist()[:3] == pytest.approx([0.005, 0.031, 0.014])
    (note,) = out.attrs["notes"]
    assert note.startswith("er.csv: row 2, field 'engagement_rate': '3.1%'"), note
    assert "'0.5' as 0.5%, not 50%" in note
    scored = score_creators(df, source="er.csv")
    assert note in scored.attrs["notes"]


def test_per_cent_signs_with_bare_fractions_keep_the_fractions_and_say_nothing():
    out = canonical_profiles(_profiles(["0.032", "0.8%"]), source="er.csv")
    assert out["engagement_rate_input"].tolist() == pytest.approx([0.032, 0.008])
    assert "notes" not in out.attrs


@pytest.mark.parametrize("cell", ["$", "US$", "USD", "usd", "US dollars", "us dollar", " $ "])
def test_a_currency_column_saying_us_dollars_is_read(cell):
    df = _profiles([0.03], price=[250], currency=[cell])
    assert canonical_profiles(df, source="cur.csv")["rate_per_post"].tolist() == [250.0]


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ("EUR", "the rates are in EUR ('EUR')"),
        ("€", "the rates are in EUR ('€')"),
        ("C$", "the rates are in CAD ('C$')"),
        ("gbp", "the rates are in GBP ('gbp')"),
        ("xyz", "'xyz' is not a currency micromix reads"),
    ],
)
def test_a_currency_column_in_another_currency_is_refused(cell, said):
    df = _profiles([0.03, 0.04], price=[250, 300], currency=["$", cell])
    with pytest.raises(DataValidationError) as exc:
        canonical_profiles(df, source="cur.csv")
    msg = str(exc.value)
    assert msg.startswith(f"cur.csv: row 2, field 'currency': {said}"), msg
    assert "convert the rates to USD" in msg


def test_the_cli_reads_a_dollar_sign_currency_column(tmp_path):
    path = tmp_path / "cur.csv"
    path.write_text(
        "handle,followers,following,engagement_rate,rate_per_post,currency\n"
        "alice,12000,300,0.031,250,$\nbob,54000,400,0.022,900,US$\n"
    )
    res = runner.invoke(app, ["creators", "score", "-i", str(path)])
    assert res.exit_code == 0, res.output
    assert ",250.0," in res.output and ",900.0," in res.output


@pytest.mark.parametrize(
    "name",
    [
        "exports/creators/instagram_top_influencers.csv",
        "influencers/top_insta_influencers_data.csv",
    ],
)
def test_real_ranking_exports_with_per_cent_signs_still_read(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} absent (real data under /work/shared/data)")
    res = runner.invoke(app, ["creators", "score", "-i", str(path)])
    assert res.exit_code == 0, res.output
    assert "cristiano,mega,0.0139," in res.output
