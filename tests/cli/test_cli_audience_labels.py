"""What `audience compare` and `audience segment` print says what each figure is.

Before: `compare` printed `incremental_conversions`, `incremental_cpa` and `roi` whether they
were measured on an experiment or were the model's prediction (the mix-model report says
"observed vs predicted CPA"); `segment` printed `size`, `share` and bare KPI means with no
unit (people? a fraction of whom? spend per person, in which currency?).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from micromix.audience.datasets import make_uplift_data
from micromix.cli.main import app

runner = CliRunner()
WIDE = {"COLUMNS": "400"}


def _run(*args: str):
    res = runner.invoke(app, list(args), env=WIDE)
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    return res.output


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    d = tmp_path_factory.mktemp("labels")
    df = make_uplift_data(n=3000, seed=31, effect=0.25).rename(columns={"true_uplift": "uplift"})
    df.to_csv(d / "scores.csv", index=False)
    return d / "scores.csv"


COMPARE = ("--budget", "100", "--cost-per-contact", "0.1", "--value-per-conversion", "3")


def _headers(out: str) -> list[str]:
    line = next(ln for ln in out.splitlines() if "policy" in ln and "reach" in ln)
    return [h.strip() for h in line.strip("┃│ ").split("┃")]


def test_compare_without_an_experiment_names_every_figure_predicted(scores):
    out = _run("audience", "compare", "--scores", str(scores), *COMPARE)
    heads = _headers(out)
    assert "predicted_incremental_cpa" in heads and "predicted_roi" in heads, heads
    assert "incremental_cpa" not in heads and "incremental_conversions" not in heads, heads
    assert "every figure is the model's prediction" in out


def test_compare_on_an_experiment_shows_observed_vs_predicted_cpa(scores):
    out = _run(
        "audience", "compare", "--scores", str(scores), *COMPARE,
        "--treatment", "treatment", "--outcome", "y", "--bootstrap", "20",
    )  # fmt: skip
    heads = _headers(out)
    assert {"observed_incremental_cpa", "predicted_incremental_cpa"} <= set(heads), heads
    assert "incremental_cpa" not in heads, heads
    assert "observed vs predicted CPA" in out


def test_compare_table_cpa_columns_are_cost_over_each_figure(scores):
    import pandas as pd

    from micromix.audience import TargetingSpec, compare_policies

    df = pd.read_csv(scores)
    spec = TargetingSpec(budget=100, cost_per_contact=0.1, value_per_conversion=3)
    res = compare_policies(df, spec, treatment="treatment", outcome="y", n_bootstrap=20)
    t = res.labelled_table().set_index("policy")
    for p in ("mass", "hybrid"):  # micro picks no control person here: refused, NaN
        cost = t.loc[p, "cost"]
        assert t.loc[p, "observed_incremental_cpa"] == pytest.approx(
            cost / t.loc[p, "observed_incremental_conversions"]
        )
        assert t.loc[p, "predicted_incremental_cpa"] == pytest.approx(
            cost / t.loc[p, "predicted_incremental_conversions"]
        )


def test_segment_profiles_say_their_units(tmp_path):
    import json

    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    n = 600
    pd.DataFrame(
        {
            "recency": rng.integers(1, 12, n),
            "history": rng.gamma(2.0, 100.0, n).round(2),
            "visit": rng.integers(0, 2, n),
            "orders": rng.integers(0, 5, n),
            "spend": rng.gamma(1.0, 20.0, n).round(2),
        }
    ).to_csv(tmp_path / "people.csv", index=False)
    args = ["audience", "segment", "--data", str(tmp_path / "people.csv")]
    args += ["--features", "recency,history", "--k", "3", "--kpis", "visit,orders,spend"]
    out = _run(*args, "--currency", "EUR")
    assert "size = people" in out and "share = fraction of the people profiled" in out, out
    assert "visit = share of people with visit = 1" in out
    assert "orders = orders per person (mean count)" in out
    assert "spend = spend per person (mean amount, in EUR)" in out
    units = json.loads(_run(*args, "--json"))["units"]
    assert units["spend"] == "spend per person (mean amount, in the data's currency)", units


def test_rfm_profiles_say_monetary_is_money_per_customer(tmp_path):
    import json

    import pandas as pd

    rows = [
        {"user_id": f"c{i % 60}", "ts": f"2026-0{1 + i % 6}-1{i % 9}", "revenue": 10 + i % 7}
        for i in range(400)
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "buys.csv", index=False)
    out = _run(
        "audience", "segment", "--data", str(tmp_path / "buys.csv"), "--method", "rfm",
        "--k-anonymity", "2", "--currency", "USD", "--json",
    )  # fmt: skip
    units = json.loads(out)["units"]
    assert units["monetary"] == "money spent per customer (mean), in USD", units
    assert units["recency_days"].startswith("days since the last purchase")


def test_a_narrow_first_run_does_not_fix_the_width_of_later_runs(scores):
    """Rich fixes a console's width from COLUMNS when it is made: an earlier command run with
    COLUMNS=60 (another test, an embedding program) cut this table to four columns in CI."""
    res = runner.invoke(app, ["audience", "compare", "--scores", str(scores), *COMPARE],
                        env={"COLUMNS": "60"})  # fmt: skip
    assert res.exit_code == 0, res.output
    heads = _headers(_run("audience", "compare", "--scores", str(scores), *COMPARE))
    assert "predicted_incremental_cpa" in heads and "predicted_roi" in heads, heads


def test_the_money_sentence_names_the_columns_the_table_shows(tmp_path):
    """The sentence under a money comparison said 'incremental_value ... roi' while the table
    showed predicted_incremental_value and predicted_roi (review r30a #4)."""
    df = make_uplift_data(n=2000, seed=5, effect=0.25).rename(columns={"true_uplift": "uplift"})
    df["uplift"] = df["uplift"] * 12.5  # money per person
    df.to_csv(tmp_path / "money.csv", index=False)
    out = _run(
        "audience", "compare", "--scores", str(tmp_path / "money.csv"), "--budget", "100",
        "--cost-per-contact", "0.1", "--outcome-unit", "value",
    )  # fmt: skip
    heads = _headers(out)
    assert "predicted_incremental_value" in heads, heads
    text = " ".join(out.split())
    assert "the uplift is money: predicted_incremental_value is" in text
    assert "predicted_roi = (incremental" in text
