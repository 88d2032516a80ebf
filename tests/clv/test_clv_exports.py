"""Transactions laid out as shops and payment processors export them (our own small files that
reproduce each layout's quirks): ids, amounts, time zones, blank rows, nested JSON."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.clv import daily_purchases, rfm_summary
from micromix.errors import DataValidationError

runner = CliRunner()


def _one_sentence(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and "bug in micromix" not in text
    return text


def test_an_integer_id_written_as_a_float_is_the_same_customer():
    # Online Retail's "Customer ID" reaches a text column as 13012.0 beside 13012 and a guest id
    tx = pd.DataFrame(
        {
            "Customer ID": ["13012", "13012.0", " 13012 ", "GUEST-1", "GUEST-1"],
            "InvoiceDate": ["2010-12-01", "2010-12-05", "2011-01-03", "2010-12-02", "2011-02-01"],
            "value": [10.0, 12.0, 8.0, 5.0, 6.0],
        }
    )
    daily = daily_purchases(
        tx, customer_col="Customer ID", date_col="InvoiceDate", value_col="value"
    )
    assert sorted(daily["customer_id"].unique()) == ["13012", "GUEST-1"]
    assert daily.groupby("customer_id").size().to_dict() == {"13012": 3, "GUEST-1": 2}
    # a float column (pandas read 17850 with blanks elsewhere) gives the integer's text
    tx = pd.DataFrame(
        {"cid": [17850.0, 17850.0, 13047.0], "d": ["2010-12-01", "2010-12-09", "2010-12-01"]}
    )
    daily = daily_purchases(tx, customer_col="cid", date_col="d")
    assert sorted(daily["customer_id"].unique()) == ["13047", "17850"]


def test_amounts_with_thousands_separators_and_currency_symbols_are_read():
    tx = pd.DataFrame(
        {
            "Customer Email": ["a@x.com", "a@x.com", "b@x.com"],
            "Created (UTC)": ["2024-01-05 10:11", "2024-02-05 09:00", "2024-01-07 12:00"],
            "Amount": ["2,408.52", "$194.41", "1.234,50"],
        }
    )
    daily = daily_purchases(
        tx, customer_col="Customer Email", date_col="Created (UTC)", value_col="Amount"
    )
    assert daily["value"].tolist() == [2408.52, 194.41, 1234.5]


def test_a_decimal_comma_beside_decimal_points_is_refused_with_what_to_do():
    # one value with a comma in a column of points is a slip, not a way of writing numbers
    tx = pd.DataFrame(
        {
            "email": ["a@x.com", "a@x.com"],
            "day": ["2024-01-05", "2024-02-05"],
            "total": ["12,50", "95.29"],
        }
    )
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(
            tx, customer_col="email", date_col="day", value_col="total", source="woo.csv"
        )
    text = _one_sentence(exc)
    assert "woo.csv: row 1, field 'total'" in text and "decimal comma" in text
    assert "write decimals with a point" in text


def test_a_purchase_counts_on_the_day_of_the_clock_it_was_written_in():
    # a shop on UTC-5: 20:30 on the 5th and 09:00 on the 6th are two days there (one day in UTC)
    tx = pd.DataFrame(
        {
            "Email": ["tz@x.com", "tz@x.com", "o@x.com", "o@x.com"],
            "Created at": [
                "2024-03-05 20:30:00 -0500",
                "2024-03-06 09:00:00 -0500",
                "2024-03-01 10:00:00 -0500",
                "2024-04-01 10:00:00 -0400",
            ],
            "Total": [20.0, 30.0, 5.0, 6.0],
        }
    )
    s = rfm_summary(tx, customer_col="Email", date_col="Created at", value_col="Total")
    assert s.loc["tz@x.com", "frequency"] == 1
    daily = daily_purchases(tx, customer_col="Email", date_col="Created at")
    assert daily["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-01",
        "2024-04-01",
        "2024-03-05",
        "2024-03-06",
    ]


def test_rows_with_no_cell_filled_are_not_purchases():
    tx = pd.DataFrame(
        {
            "cust": ["a", "a", None, "b", None],
            "day": ["2024-01-01", "2024-01-09", None, "2024-01-02", ""],
            "amount": [1.0, 2.0, None, 3.0, None],
        }
    )
    daily = daily_purchases(tx, customer_col="cust", date_col="day", value_col="amount")
    assert len(daily) == 3 and daily.attrs["rows"] == 3
    # a row with something in it is still checked: the customer id is missing there
    tx.loc[2, "amount"] = 4.0
    with pytest.raises(DataValidationError, match="row 3, field 'cust' is empty"):
        daily_purchases(tx, customer_col="cust", date_col="day", value_col="amount")


def test_line_item_rows_without_the_order_value_get_the_hint():
    tx = pd.DataFrame(
        {
            "Name": ["#1001", "#1001", "#1002"],
            "Email": ["a@x.com", "a@x.com", "a@x.com"],
            "Created at": ["2024-01-05", "2024-01-05", "2024-02-01"],
            "Total": [25.0, None, 12.0],
            "Lineitem name": ["Mug", "Tea", "Mug"],
        }
    )
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(tx, customer_col="Email", date_col="Created at", value_col="Total")
    text = _one_sentence(exc)
    assert "row 2, field 'Total' is empty" in text and "one row per line item" in text


def test_ambiguous_slash_dates_say_how_to_settle_them():
    tx = pd.DataFrame(
        {"c": ["a", "a", "b"], "d": ["12/1/2010 8:26", "1/2/2011 9:00", "3/4/2011 10:00"]}
    )
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(tx, customer_col="c", date_col="d")
    assert "ambiguous" in _one_sentence(exc) and "--dayfirst" in str(exc.value)
    days = daily_purchases(tx, customer_col="c", date_col="d", dayfirst=False)["date"]
    assert days.dt.strftime("%Y-%m-%d").tolist() == ["2010-12-01", "2011-01-02", "2011-03-04"]
    # a day that reads only the other way refuses the flag instead of being read that way
    tx.loc[2, "d"] = "13/4/2011 10:00"
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(tx, customer_col="c", date_col="d", dayfirst=False)
    assert "'13/4/2011 10:00' can only be day/month" in _one_sentence(exc)


def test_nested_json_ids_are_reached_by_their_path_or_refused_clearly(tmp_path):
    rows = [
        {"id": 1, "created_at": "2024-01-05T10:00:00-05:00", "total_price": "25.00",
         "customer": {"id": 7, "email": "a@x.com"}},
        {"id": 2, "created_at": "2024-02-05T10:00:00-05:00", "total_price": "12.00",
         "customer": {"id": 7, "email": "a@x.com"}},
        {"id": 3, "created_at": "2024-01-06T10:00:00-05:00", "total_price": "9.00",
         "customer": {"id": 8, "email": "b@x.com"}},
    ]  # fmt: skip
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    args = ["clv", "fit", "--data", str(path), "--date-col", "created_at", "--value-col",
            "total_price", "--interval", "none", "--json"]  # fmt: skip
    res = runner.invoke(app, [*args, "--customer-col", "customer.email"])
    # read by its path: a@x.com's two days make the one repeat buyer, too few for a fit
    assert res.exit_code == 1 and "only 1 customer(s) made a repeat purchase" in res.output
    # the object itself, as JSON text, identifies the customer just as well
    res = runner.invoke(app, [*args, "--customer-col", "customer"])
    assert res.exit_code == 1 and "only 1 customer(s) made a repeat purchase" in res.output
    # a DataFrame handed to the API with objects in the id column is refused in one sentence
    frame = pd.read_json(path, lines=True)
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(frame, customer_col="customer", date_col="created_at", source="o.jsonl")
    text = _one_sentence(exc)
    assert "row 1, field 'customer' holds a nested object" in text and "customer.id" in text
    daily = daily_purchases(
        pd.read_json(path, lines=True),
        customer_col="customer.email",
        date_col="created_at",
        value_col="total_price",
    )
    assert daily.groupby("customer_id").size().to_dict() == {"a@x.com": 2, "b@x.com": 1}


def test_fit_without_intervals_prints_no_empty_interval(tmp_path, bg_truth, gg_truth):
    from micromix.clv import simulate_transactions

    path = tmp_path / "tx.csv"
    simulate_transactions(bg_truth, gg_truth, customers=400, random_state=3).to_csv(
        path, index=False
    )
    res = runner.invoke(
        app,
        ["clv", "fit", "--data", str(path), "--customer-col", "customer_id", "--date-col",
         "date", "--value-col", "value", "--interval", "none"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "total CLV" in res.output and "nan" not in res.output


def _line_items(bg_truth, gg_truth):
    """A shop's line-item log (Online Retail's layout) made from a known purchase table: each
    purchase split over 1-3 lines of Quantity x Price, guest-checkout lines with no customer id,
    and cancellations (negative quantity) of some lines."""
    import numpy as np

    from micromix.clv import simulate_transactions

    tx = simulate_transactions(bg_truth, gg_truth, customers=300, random_state=5)
    tx = tx[tx["value"] > 0].reset_index(drop=True)
    tx["customer_id"] = tx["customer_id"].str[1:].astype(int) + 12000  # numeric, like 13012
    rng = np.random.default_rng(1)
    rows = []
    for k, r in enumerate(tx.itertuples(index=False)):
        parts = rng.integers(1, 4)
        for _ in range(parts):
            qty = int(rng.integers(1, 13))
            price = round(float(r.value) / parts / qty, 6)
            rows.append(
                {"Invoice": f"{k}", "Quantity": qty, "InvoiceDate": str(r.date)[:10],
                 "Price": price, "Customer ID": f"{r.customer_id}.0"}  # 13012.0 as exported
            )  # fmt: skip
    lines = pd.DataFrame(rows)
    guests = lines.sample(40, random_state=2).assign(**{"Customer ID": ""})
    cancels = lines.sample(25, random_state=3).assign(
        Invoice=lambda d: "C" + d["Invoice"], Quantity=lambda d: -d["Quantity"]
    )
    out = pd.concat([lines, guests, cancels]).sample(frac=1.0, random_state=4)
    return tx, out.reset_index(drop=True), float((cancels["Quantity"] * cancels["Price"]).sum())


def test_line_items_with_guests_and_cancellations(bg_truth, gg_truth, tmp_path):
    tx, lines, cancelled = _line_items(bg_truth, gg_truth)
    cols = {"customer_col": "Customer ID", "date_col": "InvoiceDate", "value_col": "Price"}
    # as exported, the file is refused with the row, the field and the option that settles it
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, quantity_col="Quantity", **cols)
    assert "field 'Customer ID' is empty (40 row(s) in all)" in _one_sentence(exc)
    assert "--skip-missing-ids" in str(exc.value)
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(lines, quantity_col="Quantity", skip_missing_ids=True, **cols)
    assert "field 'Quantity'" in _one_sentence(exc) and "is negative" in str(exc.value)
    assert "--skip-returns" in str(exc.value) and "(25 such row(s))" in str(exc.value)
    # asked to, it leaves them out, counts them and values each line at price x quantity
    daily = daily_purchases(
        lines, quantity_col="Quantity", skip_missing_ids=True, skip_returns=True, **cols
    )
    assert daily.attrs["left_out"] == {
        "no_customer_id": 40, "returns": 25, "returns_value": pytest.approx(-cancelled)
    }  # fmt: skip
    want = daily_purchases(tx, customer_col="customer_id", date_col="date", value_col="value")
    pd.testing.assert_frame_equal(
        daily[["customer_id", "date", "value"]].reset_index(drop=True),
        want[["customer_id", "date", "value"]].reset_index(drop=True),
        check_exact=False,
        atol=1e-4,  # unit prices were rounded to 6 decimals when the purchases were split
    )
    # the CLI fits the same model as on the clean purchase table, and says what it left out
    path, clean = tmp_path / "lines.csv", tmp_path / "clean.csv"
    lines.to_csv(path, index=False)
    tx.to_csv(clean, index=False)
    base = ["clv", "fit", "--interval", "none", "--json"]
    got = runner.invoke(
        app,
        [*base, "--data", str(path), "--customer-col", "Customer ID", "--date-col",
         "InvoiceDate", "--value-col", "Price", "--quantity-col", "Quantity",
         "--skip-missing-ids", "--skip-returns"],
    )  # fmt: skip
    assert got.exit_code == 0, got.output
    assert "note: " in got.stderr and "left out 40 row(s) with no customer id, 25 return(s)" in (
        got.stderr
    )
    doc = json.loads(got.stdout)
    assert doc["left_out"]["no_customer_id"] == 40 and doc["quantity_col"] == "Quantity"
    ref = runner.invoke(
        app,
        [*base, "--data", str(clean), "--customer-col", "customer_id", "--date-col", "date",
         "--value-col", "value"],
    )  # fmt: skip
    assert ref.exit_code == 0, ref.output
    want_doc = json.loads(ref.stdout)
    assert doc["params"] == pytest.approx(want_doc["params"], rel=1e-6)
    assert doc["spend_params"] == pytest.approx(want_doc["spend_params"], rel=1e-4)
    assert want_doc["left_out"] == {}


def test_a_quantity_column_needs_the_unit_price():
    from micromix.errors import ConfigError

    tx = pd.DataFrame({"c": ["a"], "d": ["2024-01-01"], "q": [2]})
    with pytest.raises(ConfigError, match="--value-col PRICE --quantity-col QUANTITY"):
        daily_purchases(tx, customer_col="c", date_col="d", quantity_col="q")


def test_ids_with_leading_zeros_keep_them(tmp_path):
    # CDNOW writes customer 4 as 00004; a CRM joins on that text, and 007 is not 7
    path = tmp_path / "tx.csv"
    path.write_text(
        "customer_id,date,value\n00004,1997-01-01,29.33\n00004,1997-02-18,10.00\n"
        "007,1997-01-03,5.00\n7,1997-01-04,6.00\n7,1997-03-04,6.50\n007,1997-04-01,8.00\n"
    )
    from micromix.ingest.files import read_table

    df = read_table(path)
    daily = daily_purchases(df, customer_col="customer_id", date_col="date", value_col="value")
    assert sorted(daily["customer_id"].unique()) == ["00004", "007", "7"]
    zips = tmp_path / "zips.csv"
    zips.write_text('zip,amount\n02134,"$1,234.50"\n10001,$0.50\n')
    got = read_table(zips)
    assert got["zip"].tolist() == ["02134", "10001"] and got["amount"].tolist() == [1234.5, 0.5]
    # a row with a field more than the header is refused, not read with its first field as an
    # index (pandas' own rule, which shifted every value one column to the left)
    zips.write_text("zip,amount\n02134,$1,234.50\n10001,$0.50\n")
    with pytest.raises(DataValidationError, match="line 2: wrong number of fields"):
        read_table(zips)


def test_a_column_written_with_decimal_commas_is_read_so():
    # a European Shopify export: "€45,00" was refused ("write decimals with a point") while
    # "€1.234,50" in the same column was read, so the whole file had to be rewritten by hand
    tx = pd.DataFrame(
        {
            "Email": ["a@x.com", "a@x.com", "b@x.com", "b@x.com"],
            "Created at": ["2024-03-05", "2024-03-20", "2024-04-01", "2024-05-01"],
            "Total": ["€1.234,50", "€45,00", "€0,00", "€12,5"],
        }
    )
    daily = daily_purchases(tx, customer_col="Email", date_col="Created at", value_col="Total")
    assert daily["value"].tolist() == [1234.5, 45.0, 0.0, 12.5]
    assert daily.attrs["decimal_comma"] == {"Total": "row 1: '€1.234,50'"}


def test_a_decimal_comma_column_with_too_few_commas_to_read_1_234_is_refused():
    tx = pd.DataFrame(
        {"email": ["a@x.com", "b@x.com"], "day": ["2024-01-05", "2024-02-05"]}
        | {"total": ["12,50", "1.234"]}
    )
    with pytest.raises(DataValidationError) as exc:
        daily_purchases(tx, customer_col="email", date_col="day", value_col="total", source="w.csv")
    text = _one_sentence(exc)
    assert "w.csv: row 2, field 'total': '1.234' may be a number with a thousands separator" in text
    assert "(row 1: '12,50')" in text and "write the values with a decimal point" in text
    # with more decimal commas than cells that read both ways, "1.234" is 1234
    tx = pd.concat([tx, tx.assign(total=["7,5", "8,25"])], ignore_index=True)
    assert daily_purchases(tx, customer_col="email", date_col="day", value_col="total")[
        "value"
    ].tolist() == [12.5 + 7.5, 1234.0 + 8.25]


def test_an_email_written_in_two_letter_cases_is_one_customer():
    # a shop's checkout keeps what the customer typed: Ann@x.com one day, ann@x.com the next
    tx = pd.DataFrame(
        {
            "Email": ["Ann@X.com", " ann@x.com ", "ANN@X.COM", "bob@x.com", "AB12", "ab12"],
            "Date": [
                "2024-01-05",
                "2024-02-05",
                "2024-03-05",
                "2024-01-07",
                "2024-01-08",
                "2024-01-09",
            ],
            "Total": [10.0, 12.0, 8.0, 5.0, 6.0, 7.0],
        }
    )
    daily = daily_purchases(tx, customer_col="Email", date_col="Date", value_col="Total")
    # spelt as its first row spells it; ids that are not addresses keep their case
    assert daily.groupby("customer_id").size().to_dict() == {
        "AB12": 1, "Ann@X.com": 3, "ab12": 1, "bob@x.com": 1,
    }  # fmt: skip
    assert daily.attrs["email_case"] == {"ids": 1, "example": ["Ann@X.com", "ann@x.com"]}


def test_an_order_whose_rows_spell_the_email_two_ways_is_one_customers(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_text(
        "Name,Email,Created at,Total\n"
        '#1,Ann@x.com,2024-03-05 14:22:10 +0100,"€1.234,50"\n'
        "#1,ann@x.com,2024-03-05 14:22:10 +0100,\n"
        '#2,ann@x.com,2024-03-20 09:00:00 +0100,"€45,00"\n'
    )
    args = ["clv", "fit", "--data", str(path), "--customer-col", "Email", "--date-col",
            "Created at", "--value-col", "Total", "--order-col", "Name"]  # fmt: skip
    res = runner.invoke(app, args)
    # two purchases of one customer are too few to fit, but the file was read: the refusal is
    # about the data's size, not a value or a second customer in order #1
    assert "not a number" not in res.output and "two customers" not in res.output
    from micromix.clv.data import daily_purchases as read

    daily = read(pd.read_csv(path), customer_col="Email", date_col="Created at",
                 value_col="Total", order_col="Name")  # fmt: skip
    assert daily[["customer_id", "value"]].values.tolist() == [
        ["Ann@x.com", 1234.5], ["Ann@x.com", 45.0],
    ]  # fmt: skip
