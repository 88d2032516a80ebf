"""Segment profiles say a KPI's unit from what the column is (a money column by its name, a
0/1 flag, a count column by its name), never from whether its values have cents."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.audience.workflows import profile_units

NOT_STATED = "per person (mean, unit not stated)"


@pytest.mark.parametrize(
    "column",
    ["spend", "revenue", "conversion_value", "order_value", "cost_per_click", "ad_spend", "price"],
)
def test_money_columns_are_amounts_even_in_whole_numbers(column):
    data = pd.DataFrame({column: [0, 20, 35, 40]})  # whole dollars: no cents to go by
    units = profile_units(data, [column], currency="USD")
    assert units[column] == f"{column} per person (mean amount, in USD)"
    assert profile_units(data, [column])[column].endswith("in the data's currency)")


@pytest.mark.parametrize(
    "column", ["orders", "n_visits", "purchase_count", "conversions", "clicks"]
)
def test_count_columns_are_counts_even_with_fractions(column):
    data = pd.DataFrame({column: [0.0, 1.5, 2.25, 3.0]})  # e.g. attributed conversions
    assert profile_units(data, [column])[column] == f"{column} per person (mean count)"


@pytest.mark.parametrize(
    "values", [[0.5, 12.25, 3.75], [2, 5, 9]], ids=["with cents", "whole numbers"]
)
def test_a_column_neither_named_money_nor_count_says_its_unit_is_not_stated(values):
    data = pd.DataFrame({"history": values, "score": values})
    units = profile_units(data, ["history", "score"], currency="EUR")
    assert units["history"] == f"history {NOT_STATED}"
    assert units["score"] == f"score {NOT_STATED}"
    assert "EUR" not in units["history"] and "count" not in units["score"]


def test_a_01_flag_is_a_share_unless_it_is_money():
    data = pd.DataFrame({"visit": [0, 1, 1, 0], "flag": [True, False, True, True]})
    units = profile_units(data, ["visit", "flag"])
    assert units["visit"] == "share of people with visit = 1 (0 to 1)"
    assert units["flag"] == "share of people with flag = 1 (0 to 1)"
    money = profile_units(pd.DataFrame({"spend": [0, 1, 0]}), ["spend"], currency="GBP")
    assert money["spend"] == "spend per person (mean amount, in GBP)"


def test_a_true_false_column_named_like_money_is_a_share_not_an_amount():
    """UCI online shoppers' ``Revenue`` is the purchase flag (True/False): its profile mean of
    0.15 was printed as 'Revenue per person (mean amount)' (review r30a #2)."""
    df = pd.DataFrame({"Revenue": [True, False, False, True]})
    assert profile_units(df, ["Revenue"])["Revenue"] == "share of people with Revenue = 1 (0 to 1)"


@pytest.mark.parametrize(
    "column",
    ["conversion_rate", "purchase_probability", "days_since_last_order"],
)
def test_rates_probabilities_and_durations_are_neither_counts_nor_amounts(column):
    df = pd.DataFrame({column: [0.5, 2.25, 3.0]})
    assert profile_units(df, [column])[column] == f"{column} per person (mean, unit not stated)"
