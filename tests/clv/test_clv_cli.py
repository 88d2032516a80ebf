"""``micromix clv``: the JSON contract, output files, plots, one-sentence errors and the
README's commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.clv import simulate_transactions

runner = CliRunner()
COLS = ["--customer-col", "customer_id", "--date-col", "date", "--value-col", "value"]
SPLIT = ["--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30"]


@pytest.fixture(scope="module")
def tx_csv(tmp_path_factory, bg_truth, gg_truth) -> Path:
    path = tmp_path_factory.mktemp("clv") / "transactions.csv"
    simulate_transactions(bg_truth, gg_truth, customers=1200, random_state=4).to_csv(
        path, index=False
    )
    return path


def _fit(*args: str):
    return runner.invoke(app, ["clv", "fit", *args])


def test_fit_json_contract(tx_csv):
    res = _fit("--data", str(tx_csv), *COLS, *SPLIT, "--json", "--draws", "40")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["model"] in ("bgnbd", "pareto")
    names = {"bgnbd": {"r", "alpha", "a", "b"}, "pareto": {"r", "alpha", "s", "beta"}}
    assert set(doc["params"]) == names[doc["model"]]
    assert list(doc["spend_params"]) == ["p", "q", "gamma"]
    assert {"actual_repeat_purchases", "predicted_repeat_purchases", "mae_per_customer"} <= set(
        doc["holdout"]
    )
    assert doc["calibration_end"] == "1997-09-30" and doc["holdout_end"] == "1998-06-30"


def test_fit_without_holdout_has_no_holdout(tx_csv):
    res = _fit("--data", str(tx_csv), *COLS, "--model", "bgnbd", "--json", "--interval", "none")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["holdout"] is None and doc["model"] == "bgnbd"


def test_fit_output_folder_and_plots(tx_csv, tmp_path):
    out = tmp_path / "out"
    res = _fit("--data", str(tx_csv), *COLS, *SPLIT, "--model", "pareto", "--output", str(out),
               "--plot", str(tmp_path / "t.html"), "--draws", "40")  # fmt: skip
    assert res.exit_code == 0, res.output
    customers = pd.read_csv(out / "customers.csv")
    n = pd.read_csv(tx_csv)["customer_id"].nunique()
    assert len(customers) == n  # every customer is acquired before the calibration end here
    for col in ("customer_id", "expected_purchases", "probability_alive", "expected_spend", "clv",
                "clv_low", "clv_high"):  # fmt: skip
        assert col in customers.columns
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "pareto"
    spec = json.loads((out / "tracking.vl.json").read_text())
    assert "layer" in spec
    html = (tmp_path / "t.html").read_text()
    assert "<script" in html and "tracking" in html and "cdn" not in html.lower()
    assert "Parameters" in res.stdout and "holdout" in res.stdout


def test_plot_as_vega_lite_json(tx_csv, tmp_path):
    plot = tmp_path / "tracking.json"
    res = _fit("--data", str(tx_csv), *COLS, *SPLIT, "--model", "bgnbd", "--interval", "none",
               "--plot", str(plot), "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    spec = json.loads(plot.read_text())
    assert spec["$schema"].endswith("v5.json") and len(spec["layer"]) == 2


def _bad_file(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "orders.csv"
    p.write_text(text)
    return p


GOOD = "customer_id,date,value\na,1997-01-01,10\na,1997-02-01,12\nb,1997-01-05,8\nb,1997-03-01,9\n"


@pytest.mark.parametrize(
    ("text", "extra", "pattern"),
    [
        (GOOD.replace("a,1997-02-01,12", "a,1997-02-01,-12"), [],
         r"orders\.csv: row 2, field 'value': .*negative"),
        (GOOD.replace("1997-03-01", "1997-03-41"), [], r"orders\.csv: row 4, field 'date': .*not a valid date"),
        ("customer_id,date,value\n,1997-01-01,10\n,1997-02-01,12\n", [],
         r"orders\.csv: field 'customer_id' is empty in every row"),
        ("customer_id,date,value\na,1997-01-01,10\nb,1997-02-01,12\n", [],
         r"orders\.csv: no customer bought on two different days"),
        (GOOD, ["--calibration-end", "1997-03-01", "--holdout-end", "1997-02-01"],
         r"dates are out of order"),
        (GOOD, ["--model", "nbd"], r"model='nbd' is not known"),
        ("customer_id,date,value\n" + "".join(
            f"c{i % 12},1997-0{1 + i % 9}-1{i // 12 % 9},5\n" for i in range(60)), [],
         r"orders\.csv: field 'value': every repeat buyer's average purchase value is the same"),
        (GOOD, ["--plot", "x.png"], r"--plot x\.png: unknown file type \.png"),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence(tmp_path, text, extra, pattern):
    path = _bad_file(tmp_path, text)
    res = _fit("--data", str(path), *COLS, *extra)
    assert res.exit_code != 0
    err = res.stderr if hasattr(res, "stderr") else res.output
    assert "Traceback" not in res.output and "bug in micromix" not in err
    last = err.strip().splitlines()[-1]  # after the progress line, one sentence
    assert last.startswith("error:")
    if pattern:
        assert re.search(pattern, " ".join(err.split()[err.split().index("error:") :])), err


def test_missing_file_and_column(tmp_path):
    res = _fit("--data", str(tmp_path / "nope.csv"), *COLS)
    assert res.exit_code == 2 and "file not found" in res.stderr
    path = _bad_file(tmp_path, GOOD)
    res = _fit("--data", str(path), "--customer-col", "cust", "--date-col", "date",
               "--value-col", "value")  # fmt: skip
    assert res.exit_code == 2 and "'cust' not found" in res.stderr


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    path = tmp_path_factory.mktemp("clvdb") / "micromix.duckdb"
    with Store.open(path) as st:
        load_market(st, simulate(SimConfig(users=6000, days=42, seed=3)))
    return path


def test_by_strategy_json(demo_db):
    res = runner.invoke(app, ["clv", "by-strategy", "--db", str(demo_db), "--json",
                              "--draws", "30"])  # fmt: skip
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows and {"strategy", "customers", "repeat_buyers", "clv_mean", "note"} <= set(rows[0])
    assert sum(r["customers"] for r in rows) > 0
    # groups too small for their own model are refused with the reason, never guessed
    for r in rows:
        assert r["clv_mean"] is not None or r["note"].startswith("refused")
    life = {"first_purchase_roas", "lifetime_roas", "lifetime_roas_low", "lifetime_roas_high",
            "incremental_lifetime_roas", "experiments"}  # fmt: skip
    assert life <= set(rows[0])


def test_by_strategy_table_and_bad_options(demo_db):
    res = runner.invoke(app, ["clv", "by-strategy", "--db", str(demo_db), "--by", "targeting",
                              "--horizon", "26", "--draws", "30"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "CLV by first-purchase targeting over 26 weeks" in res.output
    for args, text in (
        (["--by", "device"], "by='device' is not supported"),
        (["--basis", "last-touch"], "basis='last-touch' is not supported"),
    ):
        bad = runner.invoke(app, ["clv", "by-strategy", "--db", str(demo_db), *args])
        assert bad.exit_code == 2 and text in bad.stderr and "Traceback" not in bad.output


def test_by_strategy_defaults_are_the_librarys():
    """The CLI spells the defaults as literals (importing micromix.clv at start-up is slow):
    they must be the library's."""
    import inspect

    from micromix.cli.clv import clv_by_strategy
    from micromix.clv import GROUP_INTERVAL, GROUP_MODEL

    params = inspect.signature(clv_by_strategy).parameters
    assert params["model"].default.default == GROUP_MODEL
    assert params["interval"].default.default == GROUP_INTERVAL


def test_by_strategy_interval_option(demo_db):
    res = runner.invoke(app, ["clv", "by-strategy", "--db", str(demo_db), "--json", "--horizon",
                              "12", "--draws", "30", "--interval", "laplace",
                              "--model", "auto-bg"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert {r["model"] for r in json.loads(res.stdout) if r["model"]} <= {"bgnbd", "mbgnbd"}
    bad = runner.invoke(app, ["clv", "by-strategy", "--db", str(demo_db), "--interval", "guess"])
    assert bad.exit_code == 2 and "interval='guess' is not supported" in bad.stderr


def test_by_strategy_says_each_row_note_once_below_the_table(demo_db):
    """A note of the rows (a refused horizon, a refused interval) is printed, not cut off as
    the table's last column; a note shared by every group is said once."""
    args = ["clv", "by-strategy", "--db", str(demo_db), "--horizon", "1000"]
    res = runner.invoke(app, args, terminal_width=100)
    assert res.exit_code == 0, res.output
    notes = [ln for ln in res.stderr.splitlines() if ln.startswith("note: ")]
    assert len(notes) == 1 and notes[0].startswith("note: every strategy: refused:")
    assert "note" not in res.stdout.split("\n", 3)[2]  # no note column in the header
