"""Order exports with one row per line item (Shopify's orders export and the like), read with
``--order-col`` / ``order_col=``: the rows of an order are one purchase. Small files of our own
in that layout: the order's Total on its first row only, ``-0500`` offsets, line rows that
repeat or leave out the Email and the date."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.clv import daily_purchases
from micromix.errors import DataValidationError

runner = CliRunner()

SHOPIFY = {"customer_col": "Email", "date_col": "Created at", "value_col": "Total"}
COLUMNS = ["Name", "Email", "Financial Status", "Created at", "Total", "Lineitem quantity"]
CDNOW = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "clv"
    / "cdnow_sample_transactions.csv"
)  # fmt: skip


def _one_sentence(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and "bug in micromix" not in text
    return text


def _orders(rows: list[list]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _shopify(purchases: pd.DataFrame, *, lines_repeat: bool = True, seed: int = 1):
    """Shopify's layout made from a purchase table (customer_id, date, value): each purchase an
    order of 1-3 line rows, the order fields (status, Total) on its first row only, Email and
    'Created at' (an evening on a -0500 clock) repeated on the line rows or, with
    ``lines_repeat=False``, left empty there on every other order."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, r in enumerate(purchases.itertuples(index=False)):
        email = f"c{r.customer_id}@example.com"
        created = f"{str(r.date)[:10]} 20:{k % 60:02d}:00 -0500"
        for line in range(int(rng.integers(1, 4))):
            first = line == 0
            keep = first or lines_repeat or k % 2 == 0
            rows.append(
                {"Name": f"#{1000 + k}", "Email": email if keep else "",
                 "Financial Status": "paid" if first else "",
                 "Created at": created if keep else "",
                 "Total": f"{r.value:.2f}" if first else "",
                 "Lineitem quantity": int(rng.integers(1, 4))}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def _per_order(purchases: pd.DataFrame) -> pd.DataFrame:
    """The same purchases, one row per order, as the line file writes them."""
    return pd.DataFrame(
        {
            "Email": [f"c{c}@example.com" for c in purchases["customer_id"]],
            "Created at": [
                f"{str(d)[:10]} 20:{k % 60:02d}:00 -0500" for k, d in enumerate(purchases["date"])
            ],
            "Total": [f"{v:.2f}" for v in purchases["value"]],
        }
    )


@pytest.fixture(scope="module")
def purchases(bg_truth, gg_truth) -> pd.DataFrame:
    from micromix.clv import simulate_transactions

    tx = simulate_transactions(bg_truth, gg_truth, customers=300, random_state=5)
    return tx[tx["value"] > 0].reset_index(drop=True)


def test_a_shopify_export_is_one_purchase_per_order():
    lines = _orders(
        [
            ["#1001", "a@x.com", "paid", "2024-03-01 20:15:32 -0500", "30.00", 1],
            ["#1001", "a@x.com", "", "2024-03-01 20:15:32 -0500", "", 2],
            ["#1001", "a@x.com", "", "2024-03-01 20:15:32 -0500", "", 1],
            ["#1002", "b@x.com", "paid", "2024-03-02 10:00:00 -0500", "$1,005.50", 1],
            ["#1003", "a@x.com", "paid", "2024-03-01 09:00:00 -0500", "7.25", 3],
            ["#1003", "a@x.com", "", "2024-03-01 09:00:00 -0500", "", 1],
            ["#1004", "a@x.com", "paid", "2024-04-11 23:59:00 -0500", "12.00", 1],
        ]
    )
    daily = daily_purchases(lines, order_col="Name", **SHOPIFY)
    got = daily.assign(date=daily["date"].dt.strftime("%Y-%m-%d"))
    assert got[["customer_id", "date", "value", "transactions"]].values.tolist() == [
        # two orders on one day of the shop's clock merge; transactions are orders, not rows
        ["a@x.com", "2024-03-01", 37.25, 2],
        ["a@x.com", "2024-04-11", 12.0, 1],  # 23:59 -0500 stays on the shop's day
        ["b@x.com", "2024-03-02", 1005.5, 1],
    ]
    assert daily.attrs["orders"] == {"line_rows": 7, "orders": 4}
    assert daily.attrs["rows"] == 4 and daily.attrs["left_out"] == {}


def test_line_rows_may_leave_the_customer_and_the_date_to_the_order():
    lines = _orders(
        [
            ["#1", "a@x.com", "paid", "2024-03-01 20:15:32 -0500", "30.00", 1],
            ["#1", "", "", "", "", 2],
            ["#2", "", "", "", "", 1],  # the order's filled row need not come first
            ["#2", "b@x.com", "paid", "2024-03-02 10:00:00 -0500", "5", 1],
        ]
    )
    daily = daily_purchases(lines, order_col="Name", **SHOPIFY)
    assert daily[["customer_id", "value", "transactions"]].values.tolist() == [
        ["a@x.com", 30.0, 1],
        ["b@x.com", 5.0, 1],
    ]


def test_an_order_with_two_customers_or_two_dates_is_refused():
    lines = _orders(
        [
            ["#1", "a@x.com", "paid", "2024-03-01 10:00", "30", 1],
            ["#2", "b@x.com", "paid", "2024-03-02 10:00", "5", 1],
            ["#2", "c@x.com", "", "2024-03-02 10:00", "", 1],
        ]
    )
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, order_col="Name", source="orders.csv", **SHOPIFY)
    text = _one_sentence(exc)
    assert text.startswith("orders.csv: rows 2 and 3, field 'Email': order '#2' has two customers")
    assert "'b@x.com' and 'c@x.com'" in text
    lines.loc[2, "Email"] = "b@x.com"
    lines.loc[2, "Created at"] = "2024-03-03 10:00"
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, order_col="Name", source="orders.csv", **SHOPIFY)
    assert "rows 2 and 3, field 'Created at': order '#2' has two dates" in _one_sentence(exc)


def test_an_order_with_no_value_or_no_order_id_is_refused():
    lines = _orders(
        [
            ["#1", "a@x.com", "paid", "2024-03-01", "30", 1],
            ["#2", "a@x.com", "paid", "2024-03-05", "", 1],
            ["#2", "a@x.com", "", "2024-03-05", "", 1],
        ]
    )
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, order_col="Name", source="orders.csv", **SHOPIFY)
    text = _one_sentence(exc)
    assert text.startswith("orders.csv: row 2, field 'Total' is empty in every row of order '#2'")
    assert "every purchase needs a value" in text
    lines.loc[1, "Total"] = "4"
    lines.loc[2, "Name"] = " "
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, order_col="Name", source="orders.csv", **SHOPIFY)
    assert _one_sentence(exc).startswith("orders.csv: row 3, field 'Name' is empty")
    lines.loc[2, "Name"] = "#2"
    lines["Created at"] = ["2024-03-01", "", ""]
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, order_col="Name", source="orders.csv", **SHOPIFY)
    assert "row 2, field 'Created at' is empty in every row of order '#2'" in _one_sentence(exc)


def test_guest_orders_and_returns_with_the_options():
    lines = _orders(
        [
            ["#1", "a@x.com", "paid", "2024-03-01", "30", 1],
            ["#2", "", "paid", "2024-03-02", "3", 1],  # a guest: no Email on any of its rows
            ["#2", "", "", "2024-03-02", "", 1],
            ["#3", "b@x.com", "paid", "2024-03-02", "8", 1],
            ["#4", "a@x.com", "refunded", "2024-03-09", "-12", 1],  # a return, and its line
            ["#4", "a@x.com", "", "2024-03-09", "", 1],
        ]
    )
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, order_col="Name", **SHOPIFY)
    text = _one_sentence(exc)
    assert "row 2, field 'Email' is empty in every row of order '#2'" in text
    assert "--skip-missing-ids" in text
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, order_col="Name", skip_missing_ids=True, **SHOPIFY)
    assert "row 5, field 'Total': '-12' is negative" in _one_sentence(exc)
    daily = daily_purchases(
        lines, order_col="Name", skip_missing_ids=True, skip_returns=True, **SHOPIFY
    )
    assert daily[["customer_id", "value"]].values.tolist() == [["a@x.com", 30.0], ["b@x.com", 8.0]]
    assert daily.attrs["left_out"] == {
        "no_customer_id": 2, "no_customer_id_orders": 1, "returns": 1, "returns_value": 12.0
    }  # fmt: skip
    assert daily.attrs["orders"] == {"line_rows": 2, "orders": 2}


def test_quantity_times_price_summed_over_the_order():
    lines = _orders(
        [
            ["#1", "a@x.com", "paid", "2024-03-01", "2.50", 4],
            ["#1", "a@x.com", "", "2024-03-01", "1.00", 3],
            ["#1", "a@x.com", "", "2024-03-01", "", ""],  # a line with neither (a note)
        ]
    )
    daily = daily_purchases(lines, order_col="Name", quantity_col="Lineitem quantity", **SHOPIFY)
    assert daily["value"].tolist() == [13.0] and daily["transactions"].tolist() == [1]


def test_without_the_option_the_refusal_points_to_it():
    lines = _orders(
        [
            ["#1", "a@x.com", "paid", "2024-03-01 10:15:32 -0500", "30.00", 1],
            ["#1", "a@x.com", "", "2024-03-01 10:15:32 -0500", "", 2],
        ]
    )
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, source="shopify.csv", **SHOPIFY)
    text = _one_sentence(exc)
    assert text.startswith("shopify.csv: row 2, field 'Total' is empty (1 such row(s))")
    assert "--order-col" in text
    # a file whose line rows leave the date empty, too
    lines.loc[1, "Created at"] = ""
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, source="shopify.csv", **SHOPIFY)
    text = _one_sentence(exc)
    assert "row 2, field 'Created at' is empty" in text and "--order-col" in text
    # a purchase table with a value missing is not a line-item file: no such advice
    other = _orders(
        [
            ["#1", "a@x.com", "paid", "2024-03-01", "30.00", 1],
            ["#2", "b@x.com", "paid", "2024-03-02", "", 1],
        ]
    )
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(other, **SHOPIFY)
    assert "--order-col" not in _one_sentence(exc)


@pytest.mark.parametrize("lines_repeat", [True, False])
def test_the_line_file_fits_like_one_row_per_order(purchases, tmp_path, lines_repeat):
    lines = _shopify(purchases, lines_repeat=lines_repeat)
    assert len(lines) > 1.5 * len(purchases)
    one = _per_order(purchases)
    got = daily_purchases(lines, order_col="Name", **SHOPIFY)
    want = daily_purchases(one, **SHOPIFY)
    pd.testing.assert_frame_equal(got, want, check_like=True, check_exact=True)
    # the CLI: identical parameters, and it says how many line rows became how many orders
    (tmp_path / "lines.csv").write_text(lines.to_csv(index=False))
    (tmp_path / "orders.csv").write_text(one.to_csv(index=False))
    base = ["clv", "fit", "--interval", "none", "--json", "--customer-col", "Email",
            "--date-col", "Created at", "--value-col", "Total"]  # fmt: skip
    res = runner.invoke(app, [*base, "--data", str(tmp_path / "lines.csv"), "--order-col", "Name"])
    ref = runner.invoke(app, [*base, "--data", str(tmp_path / "orders.csv")])
    assert res.exit_code == 0 and ref.exit_code == 0, res.output + ref.output
    doc, want_doc = json.loads(res.stdout), json.loads(ref.stdout)
    assert doc["params"] == want_doc["params"]
    assert doc["spend_params"] == want_doc["spend_params"]
    assert doc["orders"] == {"line_rows": len(lines), "orders": len(purchases)}
    assert doc["order_col"] == "Name" and want_doc["orders"] is None
    note = f"read {len(lines):,} line row(s) as {len(purchases):,} order(s) (--order-col Name)"
    assert note in " ".join(res.stderr.split())


def test_the_cli_without_the_option_names_it(tmp_path):
    path = tmp_path / "shopify.csv"
    _orders(
        [
            ["#1", "a@x.com", "paid", "2024-03-01 10:15:32 -0500", "30.00", 1],
            ["#1", "a@x.com", "", "2024-03-01 10:15:32 -0500", "", 2],
        ]
    ).to_csv(path, index=False)
    res = runner.invoke(
        app,
        ["clv", "fit", "--data", str(path), "--customer-col", "Email", "--date-col", "Created at",
         "--value-col", "Total"],
    )  # fmt: skip
    assert res.exit_code != 0
    text = " ".join(res.stderr.split())
    assert "row 2, field 'Total' is empty" in text and "--order-col" in text
    assert "Traceback" not in res.output + res.stderr


@pytest.mark.shared_data
@pytest.mark.skipif(not CDNOW.exists(), reason=f"{CDNOW} not found (needs ../shared/data)")
def test_cdnow_as_a_shopify_export_gives_the_cdnow_figures(tmp_path):
    tx = pd.read_csv(CDNOW, dtype={"customer_id": str})
    path = tmp_path / "shopify.csv"
    _shopify(tx, lines_repeat=True).to_csv(path, index=False)
    res = runner.invoke(
        app,
        ["clv", "fit", "--data", str(path), "--customer-col", "Email", "--date-col",
         "Created at", "--value-col", "Total", "--order-col", "Name", "--model", "bgnbd",
         "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30", "--interval",
         "none", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    want = {"r": 0.2426, "alpha": 4.414, "a": 0.7929, "b": 2.426}
    assert doc["params"] == pytest.approx(want, rel=5e-4)
    assert doc["holdout"]["predicted_repeat_purchases"] == pytest.approx(1653.4, abs=0.05)
    assert doc["holdout"]["actual_repeat_purchases"] == 1882
    assert doc["orders"]["orders"] == len(tx) and doc["customers"] == 2357
