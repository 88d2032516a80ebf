"""`creators score` / `discover` read profile cells as the file writes them: a rate per post in
euros or pounds is refused (costs and budgets are US dollars; the file reader used to turn
"€250" into 250 and add it to "£1,200"), and a handle such as ``nan`` stays a handle."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import DataValidationError
from micromix.influencers.columns import canonical_profiles

runner = CliRunner()


@pytest.mark.parametrize(
    ("header", "cell", "said"),
    [
        ("price", "€250", "'€250' is in EUR"),
        ("rate_per_post", '"£1,200"', "'£1,200' is in GBP"),
        ("fee", "400 EUR", "'400 EUR' is in EUR"),
    ],
)
def test_a_rate_in_another_currency_is_refused_naming_row_and_field(tmp_path, header, cell, said):
    path = tmp_path / "cr.csv"
    path.write_text(f"handle,followers,following,{header}\na,20000,300,$90\nb,30000,300,{cell}\n")
    for args in (["score"], ["discover", "--budget", "1000"]):
        res = runner.invoke(app, ["creators", *args, "-i", str(path)])
        assert res.exit_code != 0, res.output
        assert "Traceback" not in res.output and "bug in micromix" not in res.output
        last = " ".join(res.output.split())
        assert f"cr.csv: row 2, field '{header}': {said}" in last, last
        assert "convert the rates to USD" in last


def test_dollar_rates_and_a_usd_currency_column_are_read(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_text(
        "handle,followers,following,price,currency\na,20000,300,$250,USD\nb,30000,300,1200 USD,usd\n"
    )
    res = runner.invoke(app, ["creators", "score", "-i", str(path)])
    assert res.exit_code == 0, res.output
    assert "a,micro,,0.018" in res.output and ",250.0," in res.output and ",1200.0," in res.output


def test_a_currency_column_other_than_usd_is_refused():
    df = pd.DataFrame(
        {
            "handle": ["a", "b"],
            "followers": [1e4, 2e4],
            "price": [100, 200],
            "Currency": ["USD", "eur"],
        }
    )
    with pytest.raises(
        DataValidationError, match=r"p\.csv: row 2, field 'Currency': the rates are in EUR"
    ):
        canonical_profiles(df, source="p.csv")


def test_a_handle_spelled_nan_or_null_is_kept(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_text("handle,followers,following\nnan,20000,300\nNULL,30000,300\n")
    res = runner.invoke(app, ["creators", "score", "-i", str(path)])
    assert res.exit_code == 0, res.output
    rows = [line.split(",")[0] for line in res.output.splitlines() if ",micro," in line]
    assert rows == ["nan", "NULL"], res.output
