"""Hostile input to ``micromix mmm fit`` and ``micromix optimize``: one clear error naming the
file, row and field, with what to do; never a warning, a LinAlgError or "a bug in micromix".

Rows are counted as the other readers count them (the CLV and post readers): from 1, the header
not counted, in the file's order (not the order by date).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import DataValidationError
from micromix.measurement import MMMSpec, lift_tests_from_frame, prepare_mmm_data

# a warning anywhere in these tests is an error: hostile input must never print one
pytestmark = pytest.mark.filterwarnings("error")

runner = CliRunner()
ROW = 10  # the cell each case spoils: row 11 of the file (the header is not counted)
SPEC = MMMSpec(date_col="week", target="revenue", channels=("tv", "search"))


def weekly(n: int = 80) -> pd.DataFrame:
    """The review's file: columns week, tv, search, revenue; 80 weeks, all cells as text."""
    rng = np.random.default_rng(3)
    tv, search = rng.uniform(0, 100, n), rng.uniform(0, 50, n)
    return pd.DataFrame(
        {
            "week": pd.date_range("2023-01-01", periods=n, freq="W").strftime("%Y-%m-%d"),
            "tv": tv.round(2),
            "search": search.round(2),
            "revenue": (1000 + 3 * tv + 2 * search + rng.normal(0, 20, n)).round(2),
        }
    ).astype(object)


def with_cell(col: str, value: object, row: int = ROW) -> pd.DataFrame:
    df = weekly()
    df.loc[row, col] = value
    return df


def fit(tmp_path, df: pd.DataFrame, *extra: str):
    data = tmp_path / "m.csv"
    df.to_csv(data, index=False)
    return runner.invoke(
        app,
        [
            "mmm", "fit", "--data", str(data), "--date-col", "week", "--target", "revenue",
            "--channels", "tv,search", "--output", str(tmp_path / "out"), "--draws", "20",
            "--no-holdout", *extra,
        ],
    )  # fmt: skip


def refused(res, *parts: str) -> str:
    """The one error line, after checking it is a clean refusal that says ``parts``."""
    out = res.output
    assert res.exit_code == 1, out
    assert "bug in micromix" not in out and "Traceback" not in out, out
    assert "Warning" not in out and "DLASCL" not in out and "LinAlgError" not in out, out
    line = " ".join(out.split())
    for p in parts:
        assert p in line, line
    return line


CELLS = [
    ("inf_spend", "tv", "inf", ["row 11, field 'tv'", "value is not finite"]),
    ("minus_inf_revenue", "revenue", "-inf", ["row 11, field 'revenue'", "not finite"]),
    ("huge_spend", "tv", "1e308", ["row 11, field 'tv'", "1e+308 is too large (over 1e+15)"]),
    ("huge_revenue", "revenue", "1e308", ["row 11, field 'revenue'", "too large"]),
    ("just_over_limit", "search", "2e15", ["row 11, field 'search'", "too large"]),
    ("date_1900", "week", "1900-01-01", ["row 11, field 'week'", "outside the accepted time"]),
    ("date_2200", "week", "2200-01-01", ["row 11, field 'week'", "1970-01-01..2100-01-01"]),
    ("relative_date", "week", "today", ["row 11, field 'week'", "relative date"]),
    ("ambiguous_date", "week", "03/12/2023", ["row 11, field 'week'", "--dayfirst"]),
    ("blank_spend", "tv", "", ["row 11, field 'tv' is empty", "0 for no spend"]),
    ("blank_revenue", "revenue", "", ["row 11, field 'revenue' is empty", "period's outcome"]),
    ("na_spend", "tv", "n/a", ["row 11, field 'tv' is empty"]),
    ("word_spend", "tv", "lots", ["row 11, field 'tv' has a non-numeric value 'lots'"]),
    ("decimal_comma", "search", "12,5", ["row 11, field 'search'", "decimal comma"]),
    ("negative_spend", "tv", "-5", ["row 11, field 'tv'", "negative value -5", ">= 0"]),
    ("negative_revenue", "revenue", "-5", ["row 11, field 'revenue'", "negative (-5"]),
    ("stray_date_1971", "week", "1971-06-06", ["(row 11)", "field 'week'", "likely mistyped"]),
    ("off_grid_date", "week", "2023-03-15", ["field 'week'", "off the series' grid"]),
]


@pytest.mark.parametrize("col, value, parts", [c[1:] for c in CELLS], ids=[c[0] for c in CELLS])
def test_a_hostile_cell_is_one_clear_error(tmp_path, col, value, parts):
    line = refused(fit(tmp_path, with_cell(col, value)), "m.csv", *parts)
    assert not (tmp_path / "out").exists(), line  # nothing half-written


@pytest.mark.parametrize(
    "mutate, parts",
    [
        (lambda d: d.drop(index=ROW), ["row 11, field 'week'", "1 period(s) are missing"]),
        (
            lambda d: d.assign(week=d["week"].where(d.index != 20, d["week"].iat[ROW])),
            ["rows 11 and 21, field 'week'", "appears more than once"],
        ),
        (lambda d: d.assign(search=0), ["channel 'search' is zero in every period"]),
        (lambda d: d.head(12), ["12 rows are too few"]),
    ],
    ids=["gap", "duplicate_date", "channel_all_zero", "too_few_rows"],
)
def test_a_hostile_series_is_one_clear_error(tmp_path, mutate, parts):
    refused(fit(tmp_path, mutate(weekly())), "m.csv", *parts)


def test_an_empty_outcome_is_not_advised_to_be_zero(tmp_path):
    """A missing revenue week filled with 0 would invent a week without sales (review 28 b)."""
    line = refused(fit(tmp_path, with_cell("revenue", "")), "m.csv", "row 11")
    assert "0 for no spend" not in line
    assert "drop the range of periods" in line


def test_a_geo_level_file_is_told_to_aggregate_across_geos(tmp_path):
    """Meridian's geo files repeat each date once per geo: the refusal names the geo column."""
    a, b = weekly(), weekly()
    geo = pd.concat([a.assign(geo="north"), b.assign(geo="south")], ignore_index=True)
    line = refused(fit(tmp_path, geo), "m.csv", "appears more than once", "column 'geo'")
    assert "aggregate across geos" in line


def test_rows_are_the_files_rows_not_the_order_by_date(tmp_path):
    df = weekly().iloc[::-1].reset_index(drop=True)  # newest first, as some exports are
    df.loc[3, "tv"] = "inf"
    refused(fit(tmp_path, df), "row 4, field 'tv'")


def test_the_date_order_is_detected_or_told():
    df = weekly()
    df["week"] = pd.to_datetime(df["week"]).dt.strftime("%d/%m/%Y")
    for order in (None, True):  # 15/01/2023 and the like tell the order; --dayfirst states it
        data = prepare_mmm_data(df, SPEC, dayfirst=order)
        assert data["week"].iloc[0] == pd.Timestamp("2023-01-01")
        assert data["week"].diff().dropna().eq(pd.Timedelta(days=7)).all()
    with pytest.raises(
        DataValidationError, match=r"m.csv: row 3, field 'week': '15/01/2023' can only be"
    ):
        prepare_mmm_data(df, SPEC, "m.csv", dayfirst=False)


def test_readable_numbers_and_dates_are_read_as_the_other_readers_read_them():
    df = weekly()
    df.loc[ROW, "tv"] = "$1,234.50"
    df.loc[ROW + 1, "week"] = "19 Mar 2023"  # one written another way, still a date
    data = prepare_mmm_data(df, SPEC)
    assert data["tv"].iat[ROW] == 1234.5
    assert data["week"].iat[ROW + 1] == pd.Timestamp("2023-03-19")


def test_an_all_zero_target_fits_without_a_warning(tmp_path):
    res = fit(tmp_path, weekly().assign(revenue=0.0), "--json")  # with posterior draws
    assert res.exit_code == 0, res.output
    assert "Warning" not in res.output
    doc = json.loads(res.stdout)
    assert all(c["total_contribution"] == 0 for c in doc["channels"].values())


LIFTS = [
    ("sigma", "inf", "row 1, column 'sigma': value is not finite"),
    ("spend", "1e308", "row 1, column 'spend': 1e+308 is too large"),
    ("delta_outcome", "n/a", "row 1, column 'delta_outcome'"),
    ("delta_spend", "lots", "row 1, column 'delta_spend' is 'lots', not a number"),
    ("sigma", None, "row 1, column 'sigma' is empty"),
    ("channel", None, "row 1, column 'channel' is empty"),
    ("start", "1900-01-01", "row 1, column 'start': '1900-01-01' is outside the accepted time"),
    ("end", "2200-01-01", "row 1, column 'end': '2200-01-01' is outside"),
]


@pytest.mark.parametrize("col, value, part", LIFTS, ids=[f"{c}={v}" for c, v, _ in LIFTS])
def test_a_hostile_lift_test_file_is_one_clear_error(tmp_path, col, value, part):
    row = {
        "channel": "tv",
        "spend": 50.0,
        "delta_spend": -50.0,
        "delta_outcome": -40.0,
        "sigma": 10.0,
        "start": "2023-02-05",
        "end": "2023-03-26",
    }
    lifts = tmp_path / "lifts.csv"
    pd.DataFrame([{**row, col: value}]).to_csv(lifts, index=False)
    refused(fit(tmp_path, weekly(), "--lift-tests", str(lifts)), "lifts.csv", part)
    with pytest.raises(DataValidationError, match="row 1, column"):
        lift_tests_from_frame(pd.DataFrame([{**row, col: value}], dtype=object), "lifts.csv")


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    res = fit(folder, weekly(), "--json")
    assert res.exit_code == 0, res.output
    return folder / "out"


EDITS = [
    ("y_scale_nan", lambda d: d.update(y_scale=float("nan")), "field 'y_scale' is nan"),
    ("y_scale_text", lambda d: d.update(y_scale="abc"), "field 'y_scale' is 'abc'"),
    ("draws_nan", lambda d: d["draws"][2].__setitem__(1, float("nan")), "'draws', row 3, item 2"),
    ("draws_short", lambda d: d.update(draws=[r[:3] for r in d["draws"]]), "field 'draws'"),
    ("draws_out_of_range", lambda d: d["draws"][0].__setitem__(0, -3.0), "outside its curve"),
    ("no_draws", lambda d: d.pop("draws"), "field(s) 'draws' are missing"),
    ("no_spec", lambda d: d.pop("spec"), "field(s) 'spec' are missing"),
    ("scales_short", lambda d: d.update(scales=d["scales"][:1]), "field 'scales' must hold 2"),
    ("scales_zero", lambda d: d["scales"].__setitem__(0, 0), "field 'scales', item 1 is 0"),
    ("horizon_zero", lambda d: d.update(horizon=0), "field 'horizon' is 0"),
    ("spend_nan", lambda d: d["current_spend"].__setitem__(1, None), "'current_spend', item 2"),
    ("n_theta", lambda d: d.update(n_theta=3), "field 'n_theta' is 3"),
    ("effect", lambda d: d.update(effect={}), "field 'effect'"),
    ("failed_checks", lambda d: d.update(failed_checks="none"), "field 'failed_checks'"),
]


@pytest.mark.parametrize("edit, part", [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_optimize_refuses_a_hand_edited_model(model_folder, tmp_path, edit, part):
    doc = json.loads((model_folder / "model.json").read_text())
    edit(doc)
    (tmp_path / "model.json").write_text(json.dumps(doc))
    res = runner.invoke(app, ["optimize", "--model", str(tmp_path)])
    refused(res, "model.json: the saved model is unusable", part, "refit it")


def test_optimize_refuses_a_model_file_cut_short(model_folder, tmp_path):
    text = (model_folder / "model.json").read_text()
    (tmp_path / "model.json").write_text(text[: len(text) // 2])
    res = runner.invoke(app, ["optimize", "--model", str(tmp_path)])
    refused(res, "model.json: the saved model is not readable JSON", "refit it")
    assert runner.invoke(app, ["optimize", "--model", str(model_folder)]).exit_code == 0
