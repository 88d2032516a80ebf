"""``clv fit`` says what reading the file took as written: a column of decimal commas, e-mail
addresses written in two letter cases (stderr notes, and the --json document)."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.clv.models import BetaGeoModel
from micromix.clv.spend import GammaGammaModel
from micromix.clv.synthetic import simulate_transactions

runner = CliRunner()


def _european_shop(path):
    bg = BetaGeoModel.from_params({"r": 0.6, "alpha": 4.0, "a": 0.8, "b": 2.5})
    gg = GammaGammaModel.from_params({"p": 6.0, "q": 4.0, "gamma": 15.0})
    tx = simulate_transactions(bg, gg, customers=300, random_state=3)
    tx["customer_id"] = tx["customer_id"] + "@Shop.com"
    lower = np.arange(len(tx)) % 2 == 1
    tx.loc[lower, "customer_id"] = tx.loc[lower, "customer_id"].str.lower()
    tx["value"] = [f"€{v:,.2f}".replace(",", " ").replace(".", ",") for v in tx["value"]]
    tx.to_csv(path, index=False)
    return tx


def test_clv_fit_reads_decimal_commas_and_one_customer_per_address_and_says_so(tmp_path):
    path = tmp_path / "orders.csv"
    tx = _european_shop(path)
    args = ["clv", "fit", "--data", str(path), "--customer-col", "customer_id", "--date-col",
            "date", "--value-col", "value", "--model", "bgnbd", "--interval", "none"]  # fmt: skip
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    first = tx["value"].iloc[0]
    assert f"read field 'value' with decimal commas, as row 1: {first!r} shows" in res.output
    assert "e-mail address(es) written in more than one letter case" in res.output
    res = runner.invoke(app, [*args, "--json"])
    doc = json.loads(res.stdout)
    assert doc["customers"] == 300
    assert doc["email_case"]["ids"] > 0 and doc["decimal_comma"] == {"value": f"row 1: {first!r}"}
