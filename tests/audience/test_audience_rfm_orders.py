"""RFM segments read order exports as clv fit does: line items, guests and returns."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()


def _orders() -> pd.DataFrame:
    """One row per order: customer, time, total."""
    rows = []
    for i in range(60):
        rows.append(
            {
                "Name": f"#{1000 + i}",
                "Email": f"c{i % 17}@example.com",
                "Created at": f"2024-0{1 + i % 6}-{10 + i % 9} 18:30:00 -0500",
                "Total": f"{20 + (i * 7) % 90}.50",
            }
        )
    return pd.DataFrame(rows)


def _line_items(orders: pd.DataFrame) -> pd.DataFrame:
    """Shopify's layout: a second line row per even order, its Total left blank."""
    rows = []
    for i, r in enumerate(orders.to_dict(orient="records")):
        rows.append({**r, "Lineitem name": "kibble"})
        if i % 2 == 0:
            rows.append({**r, "Total": "", "Lineitem name": "treats"})
    return pd.DataFrame(rows)


ARGS = ["--method", "rfm", "--customer", "Email", "--date", "Created at", "--amount", "Total"]


def _segments(path, *extra):
    res = runner.invoke(app, ["audience", "segment", "--data", str(path), *ARGS, *extra, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_line_items_with_order_col_segment_like_one_row_per_order(tmp_path):
    orders = _orders()
    per_order, lines = tmp_path / "orders.csv", tmp_path / "lines.csv"
    orders.to_csv(per_order, index=False)
    _line_items(orders).to_csv(lines, index=False)
    res = runner.invoke(app, ["audience", "segment", "--data", str(lines), *ARGS])
    assert res.exit_code != 0 and "--order-col" in res.output  # the blank line Totals
    assert _segments(lines, "--order-col", "Name") == _segments(per_order)
    res = runner.invoke(
        app, ["audience", "segment", "--data", str(lines), *ARGS, "--order-col", "Name"]
    )
    assert "read 90 line row(s) as 60 order(s)" in res.output


def test_guests_and_returns_are_left_out_counted(tmp_path):
    orders = _orders()
    orders.loc[3, "Email"] = ""
    orders.loc[5, "Total"] = "-12.00"
    path = tmp_path / "o.csv"
    orders.to_csv(path, index=False)
    res = runner.invoke(app, ["audience", "segment", "--data", str(path), *ARGS])
    assert res.exit_code != 0 and "--skip-missing-ids" in res.output
    res = runner.invoke(
        app,
        ["audience", "segment", "--data", str(path), *ARGS, "--skip-missing-ids", "--skip-returns"],
    )
    assert res.exit_code == 0, res.output
    assert "left out 1 row(s) with no customer id" in res.output.replace("\n", " ")


def test_purchase_options_are_refused_for_clustering(tmp_path):
    path = tmp_path / "o.csv"
    _orders().to_csv(path, index=False)
    res = runner.invoke(
        app,
        ["audience", "segment", "--data", str(path), "--method", "kmeans", "--order-col", "Name"],
    )
    assert res.exit_code != 0 and "--method rfm" in res.output
    assert "bug in micromix" not in res.output
