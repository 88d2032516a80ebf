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
