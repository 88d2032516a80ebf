"""A creator's rate per post as rate cards write it: "$500 per post" is 500 US dollars (the word
"per" is no currency: only ISO 4217 codes and currency signs are), a rate in another currency
("EUR 300", "C$500", "300 eur") is refused naming the row and the field."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import DataValidationError
from micromix.influencers.columns import canonical_profiles

runner = CliRunner()


def _rate(cell: str) -> float:
    df = pd.DataFrame({"username": ["a"], "followers": [20_000], "rate": [cell]})
    return float(canonical_profiles(df, source="cr.csv")["rate_per_post"].iloc[0])


@pytest.mark.parametrize(
    ("cell", "usd"),
    [
        ("$500 per post", 500.0),
        ("$500", 500.0),
        ("500/post", 500.0),
        ("$1,200 / post", 1200.0),
        ("400 a video", 400.0),
        ("US$750 per reel", 750.0),
        ("500 USD per post", 500.0),
        ("usd 90", 90.0),
    ],
)
def test_a_dollar_rate_with_its_unit_is_read(cell, usd):
    assert _rate(cell) == usd


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("EUR 300", "EUR"),
        ("300 eur", "EUR"),
        ("400 EUR / video", "EUR"),
        ("C$500", "CAD"),
        ("R$ 200 per post", "BRL"),
        ("¥3000", "CNY or JPY"),
        ("£1,200 per post", "GBP"),
    ],
)
def test_a_rate_in_another_currency_is_refused_with_its_currency(cell, code):
    with pytest.raises(DataValidationError) as err:
        _rate(cell)
    said = str(err.value)
    assert f"cr.csv: row 1, field 'rate': {cell!r} is in {code};" in said
    assert "convert the rates to USD" in said


@pytest.mark.parametrize("cell", ["$500 all in", "$500 per month", "$500 try"])
def test_other_words_are_not_a_currency_and_not_a_number(cell):
    # "all" and "try" are ISO codes (ALL, TRY) in lower case beside a dollar price: words
    with pytest.raises(DataValidationError) as err:
        _rate(cell)
    assert "is not a number" in str(err.value) and " is in " not in str(err.value)


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ("$500 per post", ",500.0,"),
        ("$90/post", ",90.0,"),
        ("EUR 300 per post", "row 1, field 'price': 'EUR 300 per post' is in EUR"),
    ],
)
def test_the_cli_reads_a_dollar_rate_per_post_and_refuses_euros(tmp_path, cell, said):
    (tmp_path / "cr.csv").write_text(f"handle,followers,following,price\na,20000,300,{cell}\n")
    res = runner.invoke(app, ["creators", "score", "-i", str(tmp_path / "cr.csv")])
    assert (res.exit_code == 0) == ("EUR" not in cell), res.output
    assert said in " ".join(res.output.split())
