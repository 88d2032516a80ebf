"""RFM recency counts whole days on the file's clock (a time of day changes nothing), and RFM
reads order exports that repeat the order's total on every line row as clv fit does."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.audience.segments import rfm_table
from micromix.cli.main import app
from micromix.errors import DataValidationError

runner = CliRunner()


def _purchases(seed: int = 3) -> pd.DataFrame:
    """40 customers, 1-6 purchases each in spring 2024, at any time of day."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(40):
        for _ in range(int(rng.integers(1, 7))):
            day = pd.Timestamp("2024-03-01") + pd.Timedelta(days=int(rng.integers(0, 90)))
            at = day + pd.Timedelta(minutes=int(rng.integers(0, 24 * 60)))
            rows.append({"user_id": f"u{c}", "ts": at, "revenue": f"{rng.uniform(5, 90):.2f}"})
    return pd.DataFrame(rows)


def test_with_or_without_a_time_of_day_the_table_is_the_same():
    timed = _purchases()
    timed["ts"] = timed["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")
    dated = timed.assign(ts=timed["ts"].str[:10])
    offset = timed.assign(ts=timed["ts"] + " -0500")  # the shop's clock: same days
    want = rfm_table(dated)
    assert want["recency_days"].dtype.kind == "i"
    pd.testing.assert_frame_equal(rfm_table(timed), want)
    pd.testing.assert_frame_equal(rfm_table(offset), want)
    # a reference time of day is not read either
    pd.testing.assert_frame_equal(
        rfm_table(timed, now="2024-06-30 23:59"), rfm_table(dated, now="2024-06-30")
    )


def test_two_purchases_on_one_day_are_equally_recent():
    tx = pd.DataFrame(
        {
            "user_id": ["a", "b", "c"],
            "ts": ["2024-03-10 23:50", "2024-03-10 00:05", "2024-03-01 12:00"],
            "revenue": [10, 10, 10],
        }
    )
    out = rfm_table(tx).set_index("user_id")
    assert out["recency_days"].to_dict() == {"a": 0, "b": 0, "c": 9}
    assert out.loc["a", "r_score"] == out.loc["b", "r_score"]


def _orders_with_repeated_totals() -> tuple[pd.DataFrame, pd.DataFrame]:
    """60 orders, one row each, and the same orders as line rows repeating the Total."""
    orders = pd.DataFrame(
        {
            "Name": [f"#{1000 + i}" for i in range(60)],
            "Email": [f"c{i % 17}@example.com" for i in range(60)],
            "Created at": [f"2024-0{1 + i % 6}-{10 + i % 9} 18:30:00 -0500" for i in range(60)],
            "Total": [f"{20 + (i * 7) % 90}.50" for i in range(60)],
        }
    )
    lines = orders.loc[orders.index.repeat([1 + i % 3 for i in range(60)])].reset_index(drop=True)
    return orders, lines


ARGS = ["--method", "rfm", "--customer", "Email", "--date", "Created at", "--amount", "Total"]


def test_rfm_refuses_repeated_totals_and_reads_them_as_asked(tmp_path):
    orders, lines = _orders_with_repeated_totals()
    per_order, line_file = tmp_path / "orders.csv", tmp_path / "lines.csv"
    orders.to_csv(per_order, index=False)
    lines.to_csv(line_file, index=False)
    base = ["audience", "segment", "--data", str(line_file), *ARGS, "--order-col", "Name"]
    res = runner.invoke(app, base)
    assert res.exit_code != 0 and "Traceback" not in res.output + res.stderr
    text = " ".join(res.stderr.split())
    assert "rows 2 and 3, field 'Total': order '#1001'" in text and "--order-value total" in text
    got = runner.invoke(app, [*base, "--order-value", "total", "--json"])
    ref = runner.invoke(app, ["audience", "segment", "--data", str(per_order), *ARGS, "--json"])
    assert got.exit_code == 0 and ref.exit_code == 0, got.output + ref.output
    assert json.loads(got.stdout) == json.loads(ref.stdout)
    # the API: the same table, and an explicit sum adds the cells
    want = rfm_table(orders, customer="Email", date="Created at", amount="Total")
    cols = {"customer": "Email", "date": "Created at", "amount": "Total", "order_col": "Name"}
    pd.testing.assert_frame_equal(rfm_table(lines, order_value="total", **cols), want)
    with pytest.raises(DataValidationError, match="--order-value total"):
        rfm_table(lines, **cols)
    summed = rfm_table(lines, order_value="sum", **cols)
    assert summed["monetary"].sum() > want["monetary"].sum()


def test_clustering_refuses_the_option(tmp_path):
    path = tmp_path / "people.csv"
    pd.DataFrame({"visits": range(30), "spend": [i % 7 for i in range(30)]}).to_csv(path)
    res = runner.invoke(
        app, ["audience", "segment", "--data", str(path), "--k", "2", "--order-value", "total"]
    )
    assert res.exit_code != 0 and "Traceback" not in res.output + res.stderr
    assert "--order-value read a purchase log for --method rfm" in " ".join(res.stderr.split())
