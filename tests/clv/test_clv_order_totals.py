"""Order exports that repeat the ORDER TOTAL on every line row (some Shopify apps, WooCommerce and
BigCommerce exports), read with ``--order-value total`` / ``order_value="total"``; summed, each
total counts once per line row, so such a file is refused until the user says which it is.
Small files of our own, made from a known purchase table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_clv_orders import CDNOW, _one_sentence  # the sibling module on the test path
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.clv import daily_purchases
from micromix.errors import ConfigError, DataValidationError
from micromix.schema.purchases import REPEATED_TOTAL_ORDERS

runner = CliRunner()

SHOP = {"customer_col": "Email", "date_col": "Created at", "value_col": "Total"}


def _repeated(purchases: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    """Each purchase an order of 1-3 line rows, its Total (and customer, time) on every row."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, r in enumerate(purchases.itertuples(index=False)):
        for line in range(int(rng.integers(1, 4))):
            rows.append(
                {"Name": f"#{1000 + k}", "Email": f"c{r.customer_id}@example.com",
                 "Created at": f"{str(r.date)[:10]} 20:{k % 60:02d}:00 -0500",
                 "Total": f"{r.value:.2f}", "Lineitem name": f"item {line}",
                 "Lineitem quantity": line + 1}
            )  # fmt: skip
    return pd.DataFrame(rows)


def _per_order(lines: pd.DataFrame) -> pd.DataFrame:
    return lines.drop_duplicates("Name")[["Email", "Created at", "Total"]].reset_index(drop=True)


def _lines(rows: list[list]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["Name", "Email", "Created at", "Total", "Lineitem quantity"])


@pytest.fixture(scope="module")
def purchases(bg_truth, gg_truth) -> pd.DataFrame:
    from micromix.clv import simulate_transactions

    tx = simulate_transactions(bg_truth, gg_truth, customers=300, random_state=5)
    return tx[tx["value"] > 0].reset_index(drop=True)


def test_repeated_totals_are_refused_by_default(purchases):
    lines = _repeated(purchases)
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, order_col="Name", source="woo.csv", **SHOP)
    text = _one_sentence(exc)
    first = lines[lines["Name"] == lines["Name"][lines["Name"].duplicated()].iloc[0]]
    rows = [str(i + 1) for i in first.index]
    where = f"rows {', '.join(rows[:-1])} and {rows[-1]}, field 'Total': order {first['Name'].iloc[0]!r}"
    assert text.startswith(f"woo.csv: {where} has {first['Total'].iloc[0]!r} on each of its")
    assert "--order-value total" in text and "--order-value sum" in text


def test_order_value_total_equals_one_row_per_order(purchases, tmp_path):
    lines = _repeated(purchases)
    assert len(lines) > 1.5 * len(purchases)
    got = daily_purchases(lines, order_col="Name", order_value="total", **SHOP)
    want = daily_purchases(_per_order(lines), **SHOP)
    pd.testing.assert_frame_equal(got, want, check_like=True, check_exact=True)
    # the CLI: refused without the option, identical parameters with it
    (tmp_path / "lines.csv").write_text(lines.to_csv(index=False))
    (tmp_path / "orders.csv").write_text(_per_order(lines).to_csv(index=False))
    base = ["clv", "fit", "--interval", "none", "--json", "--customer-col", "Email",
            "--date-col", "Created at", "--value-col", "Total"]  # fmt: skip
    line_args = [*base, "--data", str(tmp_path / "lines.csv"), "--order-col", "Name"]
    refused = runner.invoke(app, line_args)
    assert refused.exit_code != 0 and "Traceback" not in refused.output + refused.stderr
    assert "--order-value total" in " ".join(refused.stderr.split())
    res = runner.invoke(app, [*line_args, "--order-value", "total"])
    ref = runner.invoke(app, [*base, "--data", str(tmp_path / "orders.csv")])
    assert res.exit_code == 0 and ref.exit_code == 0, res.output + ref.output
    doc, want_doc = json.loads(res.stdout), json.loads(ref.stdout)
    assert doc["params"] == want_doc["params"]
    assert doc["spend_params"] == want_doc["spend_params"]
    assert doc["mean_spend_per_purchase"] == want_doc["mean_spend_per_purchase"]
    assert doc["order_value"] == "total" and doc["orders"]["orders"] == len(purchases)


def test_explicit_sum_adds_the_repeated_cells(purchases):
    lines = _repeated(purchases)
    got = daily_purchases(lines, order_col="Name", order_value="sum", **SHOP)
    summed = lines.assign(v=lines["Total"].astype(float)).groupby("Email")["v"].sum()
    assert got.groupby("customer_id")["value"].sum().to_dict() == pytest.approx(summed.to_dict())


def test_total_refuses_an_order_with_two_totals():
    lines = _lines(
        [
            ["#1", "a@x.com", "2024-03-01 10:00", "30.00", 1],
            ["#1", "a@x.com", "2024-03-01 10:00", "$30", 1],  # the same total, written otherwise
            ["#2", "b@x.com", "2024-03-02 10:00", "12.00", 1],
            ["#2", "b@x.com", "2024-03-02 10:00", "", 1],
            ["#2", "b@x.com", "2024-03-02 10:00", "7.50", 1],
        ]
    )
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, order_col="Name", order_value="total", source="o.csv", **SHOP)
    text = _one_sentence(exc)
    assert text.startswith("o.csv: rows 3 and 5, field 'Total': order '#2' has two totals")
    assert "'12.00' and '7.50'" in text and "--order-value sum" in text
    lines.loc[4, "Total"] = "12"
    daily = daily_purchases(lines, order_col="Name", order_value="total", **SHOP)
    assert daily["value"].tolist() == [30.0, 12.0]


def test_a_first_row_total_reads_the_same_either_way():
    """Shopify's own layout (the total on the first row only) has nothing to repeat."""
    lines = _lines(
        [
            ["#1", "a@x.com", "2024-03-01", "30", 1],
            ["#1", "a@x.com", "2024-03-01", "", 2],
            ["#2", "b@x.com", "2024-03-02", "5", 1],
            ["#2", "b@x.com", "2024-03-02", "", 1],
            ["#3", "b@x.com", "2024-03-09", "8", 1],
            ["#3", "b@x.com", "2024-03-09", "", 1],
        ]
    )
    default = daily_purchases(lines, order_col="Name", **SHOP)
    total = daily_purchases(lines, order_col="Name", order_value="total", **SHOP)
    pd.testing.assert_frame_equal(default, total)
    assert default["value"].tolist() == [30.0, 5.0, 8.0]


def test_the_refusal_needs_every_multi_line_order_equal_and_a_few_of_them():
    equal = [[f"#{k}", f"c{k}@x.com", "2024-03-01", "10", 1] for k in range(REPEATED_TOTAL_ORDERS)]
    lines = _lines([row for row in equal for _ in range(2)])
    with pytest.raises(DataValidationError):
        daily_purchases(lines, order_col="Name", **SHOP)
    # one order fewer: two lines at one price are no evidence
    fewer = lines.iloc[:-1]
    assert daily_purchases(fewer, order_col="Name", **SHOP)["value"].sum() == pytest.approx(
        10 * (2 * REPEATED_TOTAL_ORDERS - 1)
    )
    # one order whose lines differ: line prices, summed
    lines.loc[len(lines)] = ["#9", "d@x.com", "2024-03-02", "4", 1]
    lines.loc[len(lines)] = ["#9", "d@x.com", "2024-03-02", "6", 1]
    daily = daily_purchases(lines, order_col="Name", **SHOP)
    assert daily["value"].sum() == pytest.approx(20 * REPEATED_TOTAL_ORDERS + 10)


def test_total_and_quantity_and_the_option_without_orders_are_refused(purchases):
    lines = _repeated(purchases)
    with pytest.raises(ConfigError, match="a total times a quantity"):
        daily_purchases(
            lines, order_col="Name", order_value="total", quantity_col="Lineitem quantity", **SHOP
        )
    with pytest.raises(ConfigError, match=r"needs the order number column \(--order-col"):
        daily_purchases(lines, order_value="total", **SHOP)
    with pytest.raises(ConfigError, match="choose one of sum, total"):
        daily_purchases(lines, order_col="Name", order_value="first", **SHOP)
    # a repeated value with --quantity-col is not a unit price: refused, pointing to the column
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, order_col="Name", quantity_col="Lineitem quantity", **SHOP)
    assert "must be the line's unit price" in _one_sentence(exc)
    got = daily_purchases(
        lines, order_col="Name", quantity_col="Lineitem quantity", order_value="sum", **SHOP
    )
    assert got.attrs["orders"]["orders"] == len(purchases)


def test_the_cli_refuses_total_with_quantity(tmp_path):
    path = tmp_path / "o.csv"
    _lines([["#1", "a@x.com", "2024-03-01", "30", 1]]).to_csv(path, index=False)
    res = runner.invoke(
        app,
        ["clv", "fit", "--data", str(path), "--customer-col", "Email", "--date-col",
         "Created at", "--value-col", "Total", "--order-col", "Name", "--order-value", "total",
         "--quantity-col", "Lineitem quantity"],
    )  # fmt: skip
    assert res.exit_code != 0 and "Traceback" not in res.output + res.stderr
    assert "a total times a quantity" in " ".join(res.stderr.split())


@pytest.mark.shared_data
@pytest.mark.skipif(not CDNOW.exists(), reason=f"{CDNOW} not found (needs ../shared/data)")
def test_cdnow_with_repeated_totals_gives_the_cdnow_figures(tmp_path):
    tx = pd.read_csv(CDNOW, dtype={"customer_id": str})
    path = tmp_path / "woo.csv"
    _repeated(tx).to_csv(path, index=False)
    args = ["clv", "fit", "--data", str(path), "--customer-col", "Email", "--date-col",
            "Created at", "--value-col", "Total", "--order-col", "Name", "--model", "bgnbd",
            "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30", "--interval",
            "none", "--json"]  # fmt: skip
    refused = runner.invoke(app, args)
    assert refused.exit_code != 0 and "--order-value total" in " ".join(refused.stderr.split())
    res = runner.invoke(app, [*args, "--order-value", "total"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    want = {"r": 0.2426, "alpha": 4.414, "a": 0.7929, "b": 2.426}
    assert doc["params"] == pytest.approx(want, rel=5e-4)
    assert doc["mean_spend_per_purchase"] == pytest.approx(35.17, abs=0.01)
    assert doc["orders"]["orders"] == len(tx)
