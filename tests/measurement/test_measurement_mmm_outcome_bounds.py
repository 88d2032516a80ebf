"""Mix-model figures a marketer would act on wrongly.

The regressions, from ``micromix mmm fit`` on Meridian's national sample: an always-on channel
stood in for the baseline (intercept -380M a week) and was credited with 118B conversions, 1.8
times the outcome, with no failing check, and ``micromix optimize`` gave it 48% of the budget;
a Robyn impressions column (``facebook_I``) was read as spend; a median of zero with an interval
reaching 34.6M was labelled "no effect"; money figures carried no currency.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.checks import Status
from micromix.cli.main import app
from micromix.errors import ConfigError, ModelError
from micromix.measurement import LiftTest, MarketingMixModel, MMMSpec, effect_evidence, load_mmm
from micromix.measurement.data import spend_column_unit
from micromix.optimize import recommend_budget

runner = CliRunner()
#: ../shared/data beside the checkout (as tests/conftest.py's SHARED_DATA)
SHARED_MMM = Path(__file__).resolve().parents[2].parent / "shared/data/mmm"
MERIDIAN = SHARED_MMM / "meridian/national_all_channels.csv"


def always_on(n: int = 104, seed: int = 3) -> pd.DataFrame:
    """Weekly sales that an unbounded fit explains as ``20 x always_on - 1000``: the always-on
    channel (spend 100 +- 5, every week) would be credited with twice the outcome beside a
    negative baseline; ``tv`` varies and truly works."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"week": pd.date_range("2022-01-03", periods=n, freq="W-MON")})
    df["always_on"] = 100 + 5 * rng.standard_normal(n)
    df["tv"] = rng.gamma(2.0, 50.0, n) * (rng.uniform(size=n) > 0.3)
    tv = df["tv"].to_numpy() / df["tv"].max()
    df["sales"] = (
        20 * df["always_on"] - 1000 + 150 * (1 - np.exp(-2 * tv)) / (1 + np.exp(-2 * tv))
    ) + rng.normal(0, 10, n)
    return df


SPEC = {"date_col": "week", "target": "sales", "channels": ("always_on", "tv"), "n_draws": 60}


def _check(model: MarketingMixModel, name: str):
    return next(c for c in model.diagnostics_ if c.name == name)


@pytest.fixture(scope="module")
def bounded() -> MarketingMixModel:
    return MarketingMixModel(spec=MMMSpec(**SPEC), n_starts=6).fit(always_on())


def test_an_always_on_channel_is_not_credited_with_twice_the_outcome(bounded, tmp_path):
    d = bounded._d
    X, y = bounded._augmented(d, bounded._theta)
    free = np.linalg.lstsq(X, y, rcond=None)[0]
    assert free[0] < 0  # the data set provokes the unbounded fit into a negative baseline
    outcome = float(always_on()["sales"].sum())
    s = bounded.summary().set_index("channel")
    # the unbounded fit credits always_on with about 2x the outcome
    assert s["contribution"].sum() <= 1.01 * outcome
    assert (s["contribution_hi"] <= 1.05 * outcome).all()
    assert bounded.coef_["intercept"] >= 0
    # every posterior draw keeps the baseline's mean (the intercept) non-negative
    assert (bounded._posterior[:, bounded._n_theta] >= 0).all()
    # the channels still absorb the whole outcome: not a model to act on
    check = _check(bounded, "contributions_within_outcome")
    assert check.status is Status.FAIL
    assert "more than the outcome" in check.message and "refit" in check.recommendation
    with pytest.raises(ModelError, match="contributions_within_outcome"):
        recommend_budget(bounded)
    bounded.save(tmp_path)
    res = runner.invoke(app, ["optimize", "--model", str(tmp_path)])
    assert res.exit_code != 0
    assert "contributions_within_outcome" in res.output and "refit" in res.output
    assert "Traceback" not in res.output and "Recommended allocation" not in res.output


@pytest.mark.shared_data
@pytest.mark.skipif(not MERIDIAN.exists(), reason=f"{MERIDIAN} is absent (../shared/data)")
def test_meridian_always_on_channels_no_longer_take_the_baseline():
    """The reviewer's repro: Channel4_spend was credited with 118,411,719,162 conversions
    (share 1.796) and ``micromix optimize`` forecast 40.7B for the current mix."""
    df = pd.read_csv(MERIDIAN)
    spec = MMMSpec(
        date_col="time",
        target="conversions",
        channels=tuple(f"Channel{i}_spend" for i in range(5)),
        organic=("Organic_channel0_impression",),
        controls=("competitor_sales_control", "sentiment_score_control", "Promo"),
    )
    model = MarketingMixModel(spec=spec).fit(df)
    s = model.summary().set_index("channel")
    outcome = float(df["conversions"].sum())
    assert s["contribution"].sum() < outcome and (s["share_of_outcome"] < 0.5).all()
    assert s.loc["Channel4_spend", "contribution"] < 0.2 * outcome
    assert _check(model, "contributions_within_outcome").status is not Status.PASS
    rec = recommend_budget(model)
    current = rec.scenarios.set_index("scenario").loc["current_mix", "outcome"]
    assert current < 52 / len(df) * outcome  # was 40.7B, more than a year's whole outcome


def test_predictions_keep_the_centred_baseline(bounded):
    df = always_on()
    np.testing.assert_allclose(bounded.predict(df), bounded.predict(), rtol=1e-9)


def _over_outcome(df: pd.DataFrame) -> MarketingMixModel:
    """A model calibrated by a go-dark test claiming tiktok adds 5x the weekly outcome."""
    spend = float(df["tiktok"].mean())
    test = LiftTest("tiktok", spend=spend, delta_spend=-spend,
                    delta_outcome=-5 * float(df["sales"].mean()), sigma=1.0)  # fmt: skip
    spec = MMMSpec(date_col="week", target="sales", channels=("tiktok", "instagram"),
                   lift_tests=(test,), n_draws=20)  # fmt: skip
    return MarketingMixModel(spec=spec, n_starts=4).fit(df)


def test_a_lift_test_claiming_more_than_the_outcome_fails_the_model(tmp_path, weekly):
    """A go-dark test claiming tiktok adds 5x the weekly outcome drives it past the outcome."""
    df, _ = weekly
    model = _over_outcome(df)
    check = _check(model, "contributions_within_outcome")
    assert check.status is Status.FAIL and "tiktok" in check.details["over_outcome"]
    assert model.failed_checks[0]["name"] == check.name
    model.save(tmp_path)
    with pytest.raises(ModelError, match="no budget split"):
        recommend_budget(load_mmm(tmp_path))


def test_a_sound_model_passes_the_outcome_check(fitted):
    check = _check(fitted, "contributions_within_outcome")
    assert check.status is Status.PASS and not fitted.failed_checks
    assert 0 < check.details["channels_total"] < check.details["outcome_total"]


@pytest.mark.parametrize(
    ("column", "columns", "expected"),
    [
        ("facebook_I", ["facebook_I", "facebook_S"], ("impressions", "facebook_S")),
        ("search_clicks_P", ["search_clicks_P", "search_S"], ("clicks", "search_S")),
        ("Channel0_impression", ["Channel0_impression", "Channel0_spend"],
         ("impressions", "Channel0_spend")),
        ("tiktok_impressions", ["tiktok_impressions"], ("impressions", None)),
        ("tv_grp", ["tv_grp"], ("GRPs", None)),
        ("tv_S", ["tv_S"], None),
        ("facebook_spend", ["facebook_spend"], None),
        ("interview", ["interview"], None),
    ],
)  # fmt: skip
def test_exposure_columns_are_named(column, columns, expected):
    assert spend_column_unit(column, columns) == expected


def test_an_impressions_column_given_as_spend_is_flagged_everywhere(tmp_path, weekly):
    df, _ = weekly
    df = df.assign(instagram_I=df["instagram"] * 350.0, instagram_S=df["instagram"])
    spec = MMMSpec(date_col="week", target="sales", channels=("tiktok", "instagram_I"),
                   n_draws=30)  # fmt: skip
    model = MarketingMixModel(spec=spec, n_starts=4).fit(df)
    check = _check(model, "spend_columns")
    assert check.status is Status.REVIEW
    assert "instagram_I counts impressions" in check.message and "instagram_S" in check.message
    assert "not money" in check.message
    doc = model.write_results(tmp_path)
    assert doc["channels"]["instagram_I"]["spend_unit"] == "impressions"
    assert doc["channels"]["tiktok"]["spend_unit"] == doc["money_unit"]
    rec = recommend_budget(load_mmm(tmp_path))
    units = next(c for c in rec.checks if c.name == "spend_units")
    assert units.status is Status.REVIEW and "instagram_I (impressions)" in units.message
    res = runner.invoke(app, ["optimize", "--model", str(tmp_path), "--currency", "EUR"])
    assert res.exit_code == 0, res.output
    assert "money in EUR; instagram_I in impressions" in " ".join(res.output.split())


def test_money_columns_pass_the_spend_check(fitted):
    assert _check(fitted, "spend_columns").status is Status.PASS


def test_no_effect_needs_a_tight_interval():
    assert effect_evidence(0.0, 0.0, 0.0, 10.0) == "no effect"
    assert effect_evidence(0.0, 0.0, 9.0, 10.0) == "no effect"
    assert effect_evidence(0.0, 0.0, 34.6e6, 3.8e6) == "not measurable"
    assert effect_evidence(5.0, 0.0, 34.6e6, 3.8e6) == "not evidenced"
    assert effect_evidence(5.0, 1.0, 9.0, 3.8e6) == "evidenced"


def test_a_zero_median_with_a_wide_interval_is_not_measurable(weekly, tmp_path):
    df, _ = weekly
    model = MarketingMixModel(spec=MMMSpec(date_col="week", target="sales",
                                           channels=("tiktok", "instagram"), n_draws=40),
                              n_starts=4).fit(df)  # fmt: skip
    # the regression's shape: most draws at zero, the upper tail far above (0 to 34.6M)
    totals = model._totals.copy()
    totals[:, 1] = 0.0
    totals[-10:, 1] = 0.2 * float(df["sales"].sum())
    model._totals = totals
    row = model.summary().set_index("channel").loc["instagram"]
    assert row["contribution"] == 0 and row["contribution_hi"] > 0
    assert row["effect"] == "not measurable"
    check = model._effect_check()
    assert check.details["not_measurable"] == ["instagram"] and "not measurable" in check.message
    model.diagnostics_ = [check]
    doc = model.write_results(tmp_path)
    assert doc["channels"]["instagram"]["effect"] == "not measurable"
    assert json.loads((tmp_path / "model.json").read_text())["effect"]["instagram"] == (
        "not measurable"
    )
    assert load_mmm(tmp_path).channel_evidence == ["evidenced", "not measurable"]


def test_currency_is_shown_on_the_money_figures(tmp_path, weekly):
    df, _ = weekly
    path = tmp_path / "weekly.csv"
    df.to_csv(path, index=False)
    base = ["mmm", "fit", "--data", str(path), "--date-col", "week", "--target", "sales",
            "--channels", "tiktok,instagram", "--draws", "20", "--no-holdout"]  # fmt: skip
    res = runner.invoke(app, [*base, "--output", str(tmp_path / "eur"), "--currency", "eur"])
    assert res.exit_code == 0, res.output
    assert "money in EUR" in " ".join(res.output.split())
    doc = json.loads((tmp_path / "eur" / "summary.json").read_text())
    assert doc["currency"] == "EUR" and doc["channels"]["tiktok"]["spend_unit"] == "EUR"
    res = runner.invoke(app, ["optimize", "--model", str(tmp_path / "eur")])
    assert res.exit_code == 0, res.output
    assert "money in EUR" in " ".join(res.output.split())
    res = runner.invoke(app, ["optimize", "--model", str(tmp_path / "eur"), "--json"])
    assert json.loads(res.stdout)["currency"] == "EUR"
    # unknown: the figures say they are in the data's unit
    res = runner.invoke(app, [*base, "--output", str(tmp_path / "raw")])
    assert res.exit_code == 0, res.output
    assert "money in data's unit (pass --currency)" in " ".join(res.output.split())
    doc = json.loads((tmp_path / "raw" / "summary.json").read_text())
    assert doc["currency"] is None and "pass --currency" in doc["money_unit"]
    res = runner.invoke(app, ["optimize", "--model", str(tmp_path / "raw"), "--currency", "usd"])
    assert res.exit_code == 0 and "money in USD" in " ".join(res.output.split())
    res = runner.invoke(app, [*base, "--output", str(tmp_path / "bad"), "--currency", "euros"])
    assert res.exit_code != 0 and "ISO 4217" in res.output and "Traceback" not in res.output


def test_a_bad_currency_code_is_refused():
    with pytest.raises(ConfigError, match="three-letter"):
        MMMSpec(date_col="w", target="y", channels=("a",), currency="€")
    assert MMMSpec(date_col="w", target="y", channels=("a",), currency=" gbp").currency == "GBP"


def test_a_failed_model_is_shown_with_its_refusal_not_lost(weekly):
    """The API summary and the report keep a failed model's contributions and checks, with no
    reallocation and the reason; the plan does not read it as evidence."""
    from micromix.api.routers.measurement import _summary
    from micromix.measurement.strategies import StrategyMix
    from micromix.plan.evidence import MixEvidence
    from micromix.reports.builder import MixModelSection, ReportContext

    df, _ = weekly
    model = _over_outcome(df)
    assert model.failed_checks
    summary = model.summary().assign(strategy=lambda d: d.iloc[:, 0])
    mix = StrategyMix(model, df, summary, [])
    out = _summary(mix, {"version": 1})
    assert out["reallocation"] is None and "no budget split" in out["reallocation_refused"]
    assert any(d["name"] == "contributions_within_outcome" for d in out["diagnostics"])
    ev = MixEvidence(mix, None, None, out["reallocation_refused"])
    assert not ev.usable and ev.reallocation_table().empty
    from micromix.plan.evidence import Evidence

    evidence = Evidence(store_path="s", n_boot=20, level=0.95, seed=0)
    evidence.mix = ev
    html = MixModelSection().render(ReportContext(evidence))
    assert "No reallocation: the model failed its" in html
