"""Rows that repeat an earlier row in every column: never silent. Copied blocks (a report
downloaded twice and pasted together) and, with an order id, repeated order lines are left
out; scattered equal rows of a log without order ids are kept as separate purchases. Both are
counted in the ``clv_duplicate_rows`` REVIEW with their first row numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.clv import BetaGeoModel, GammaGammaModel, fit_clv, simulate_transactions
from micromix.clv.data import daily_purchases, duplicate_rows

runner = CliRunner()


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    bg = BetaGeoModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    gg = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "gamma": 15.44})
    tx = simulate_transactions(bg, gg, customers=300, random_state=3)
    tx["date"] = pd.to_datetime(tx["date"]).dt.strftime("%Y-%m-%d")
    tx["value"] = tx["value"].round(2)
    return tx.drop_duplicates(ignore_index=True)


def _check(res):
    return next(c for c in res.checks if c.name == "clv_duplicate_rows")


def test_a_report_pasted_twice_fits_as_the_report_once(log):
    once = fit_clv(log, value_col="value", source="log.csv")
    twice = fit_clv(pd.concat([log, log]), value_col="value", source="log.csv")
    assert twice.totals["total_clv"] == pytest.approx(once.totals["total_clv"])
    assert not any(c.name == "clv_duplicate_rows" for c in once.checks)
    c = _check(twice)
    assert c.status.value == "review"
    assert f"{len(log):,} of them (rows {len(log) + 1}, {len(log) + 2}" in c.message
    assert "the fit left them out" in c.message and "scattered" not in c.message
    assert c.details["rows"] == c.details["dropped"] == len(log)
    assert twice.settings["duplicate_rows"]["dropped"] == len(log)


def test_scattered_equal_rows_without_order_ids_are_kept_and_said(log):
    tx = pd.concat([log.iloc[:10], log.iloc[[3]], log.iloc[10:]], ignore_index=True)
    res = fit_clv(tx, value_col="value", source="log.csv")
    c = _check(res)
    assert "1 scattered one(s) (rows 11) were kept as separate purchases" in c.message
    assert "--order-col" in c.recommendation and c.details["dropped"] == 0
    assert "kept as separate purchases" in c.message
    daily = daily_purchases(tx, value_col="value")
    assert daily["value"].sum() == pytest.approx(tx["value"].sum())  # kept: counted


def test_with_an_order_id_a_copied_block_is_left_out_and_a_single_line_kept(log):
    tx = log.assign(order=[f"#{i}" for i in range(len(log))])
    twice = pd.concat([tx, tx.iloc[:5], tx.iloc[[2]].assign(order="#new")], ignore_index=True)
    daily = daily_purchases(twice, value_col="value", order_col="order")
    want = log["value"].sum() + log["value"].iloc[2]  # the block once; '#new' is no repeat
    assert daily["value"].sum() == pytest.approx(want)
    n = len(log)
    assert daily.attrs["duplicate_rows"] == {
        "rows": 5,
        "dropped": 5,
        "first_dropped": [n + 1, n + 2, n + 3, n + 4, n + 5],
        "first_kept": [],
        "order_col": "order",
    }
    # the same line twice, alone, stays a line of its order (line files may hold only the
    # order's columns), and is said
    one = pd.concat([tx.iloc[:5], tx.iloc[[2]]], ignore_index=True)
    res = daily_purchases(one, value_col="value", order_col="order")
    assert res.attrs["duplicate_rows"]["dropped"] == 0
    assert res.attrs["duplicate_rows"]["first_kept"] == [6]


def test_an_error_after_a_dropped_block_names_the_files_own_row(log):
    head = log.iloc[:4]
    bad = pd.concat([head, head, log.iloc[4:6].assign(value="abc")], ignore_index=True)
    with pytest.raises(ValueError, match="row 9"):
        daily_purchases(bad, value_col="value", source="log.csv")


def test_blank_rows_and_nested_cells_are_no_repeats():
    t = pd.DataFrame({"c": ["a", None, None, "a"], "v": [{"x": 1}, None, None, {"x": 2}]})
    dup, copied = duplicate_rows(t)
    assert not dup.any() and not copied.any()
    assert duplicate_rows(pd.DataFrame())[0].dtype == np.bool_


def test_clv_fit_cli_prints_and_records_the_review(log, tmp_path):
    f = tmp_path / "log.csv"
    pd.concat([log, log.iloc[:30]]).to_csv(f, index=False)
    args = ["clv", "fit", "--data", str(f), "--customer-col", "customer_id"]
    args += ["--date-col", "date", "--value-col", "value"]
    res = runner.invoke(app, args, terminal_width=400)
    assert res.exit_code == 0, res.output
    assert "clv_duplicate_rows" in res.output and "30 of them" in res.output
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert any(c["name"] == "clv_duplicate_rows" for c in doc["checks"])
