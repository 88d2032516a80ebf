"""A rate cell with three capital letters that are no ISO 4217 code ("500 XYZ") is refused as not
a currency micromix reads, naming the row and the field - not as "in XYZ" (no such currency),
and not read as 500 (the number reader takes any three capitals beside an amount for a code)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import DataValidationError
from micromix.influencers.columns import canonical_profiles

runner = CliRunner()


def _rates(*cells: str) -> pd.Series:
    df = pd.DataFrame(
        {"username": [f"c{i}" for i in range(len(cells))], "followers": 20_000, "rate": cells}
    )
    return canonical_profiles(df, source="cr.csv")["rate_per_post"]


@pytest.mark.parametrize(
    ("cell", "code"),
    [("500 XYZ", "XYZ"), ("XYZ 500", "XYZ"), ("$500 FEE", "FEE"), ("400 QQQ per post", "QQQ")],
)
def test_three_capitals_that_are_no_iso_code_are_no_currency(cell, code):
    with pytest.raises(DataValidationError) as err:
        _rates("$100", cell)  # the second row: the row is named, not the first
    said = str(err.value)
    assert f"cr.csv: row 2, field 'rate': {cell!r} is not in a currency micromix reads" in said
    assert f"{code!r} is no ISO 4217 code" in said
    assert " is in " not in said


def test_iso_codes_still_name_their_currency_and_usd_is_read():
    with pytest.raises(DataValidationError, match=r"'500 EUR' is in EUR;"):
        _rates("500 EUR")
    assert _rates("500 USD", "USD 90 per post").tolist() == [500.0, 90.0]


def test_a_currency_column_with_an_unknown_code_is_still_refused_as_no_currency():
    df = pd.DataFrame(
        {"username": ["a"], "followers": [1_000], "rate": ["500"], "currency": ["XYZ"]}
    )
    with pytest.raises(DataValidationError, match="'XYZ' is not a currency micromix reads"):
        canonical_profiles(df, source="cr.csv")


def test_the_cli_refuses_an_unknown_code_naming_row_and_field(tmp_path):
    (tmp_path / "cr.csv").write_text("handle,followers,following,price\na,20000,300,500 XYZ\n")
    res = runner.invoke(app, ["creators", "score", "-i", str(tmp_path / "cr.csv")])
    assert res.exit_code != 0
    said = " ".join(res.output.split())
    assert "row 1, field 'price': '500 XYZ' is not in a currency micromix reads" in said
