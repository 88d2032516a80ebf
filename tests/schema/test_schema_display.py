"""One way to write money, intervals, a missing figure and "and N more", for every surface."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from micromix.errors import ConfigError
from micromix.schema.display import MISSING, format_interval, format_money, listed
from micromix.schema.values import CURRENCY_SIGNS, currency_code, currency_of_symbol


def test_every_money_formatter_puts_the_sign_before_the_currency():
    from micromix.metrics.compare import _fmt_money
    from micromix.plan.actions import money
    from micromix.reports.html import fmt_value

    # the comparison's EMV text printed "$-885.58" (review 28, finding 5)
    assert _fmt_money(-885.58) == "-$885.58" == fmt_value(-885.58, "money")
    assert money(-885.58, "$", 2) == "-$885.58" == format_money(-885.58, "$", 2)
    assert _fmt_money(8.53, "AUD") == "AUD 8.53" and _fmt_money(8.53, "") == "8.53"
    for none in (None, math.nan, math.inf, pd.NA):
        assert format_money(none, "$") == MISSING == fmt_value(none, "money")
    assert money(None) == MISSING == _fmt_money(math.nan)


def test_a_code_is_shown_with_the_symbol_ingest_reads_for_it():
    assert format_money(-1234.5, "EUR", 2) == "-€1,234.50"
    assert format_money(1234.5, "GBP") == "£1,234" and format_money(3, "USD") == "$3"
    assert format_money(3, "CHF") == "CHF 3"  # no symbol of its own: the code, spaced
    # one table: every symbol shown is read back as its currency
    for code, sign in CURRENCY_SIGNS.items():
        if sign not in ("$", "¥"):  # shared by several currencies when read
            assert currency_of_symbol(f"{sign}5") == code


def test_intervals_and_missing_figures_read_one_way():
    assert format_interval(12.964, 7.571, 19.234) == "12.96 (7.57 to 19.23)"
    assert format_interval(2.5, math.nan, 3.0) == "2.50"
    assert format_interval(None, 1.0, 2.0) == MISSING == "n/a"
    assert format_interval(1234.5, None, None, 0) == "1,234"


def test_listed_shows_the_first_few_then_how_many_more():
    assert listed([]) == "" and listed(["a"]) == "a"
    assert listed(["a", "b", "c"]) == "a, b, c"
    assert listed(["a", "b", "c", "d"]) == "a, b, c and 1 more"
    assert listed("abcdef", top=2, what="campaigns") == "a, b and 4 more campaigns"
    assert listed(["g1: x", "g2: y"], sep="; ", what="groups", total=5) == (
        "g1: x; g2: y; and 2 more groups"
    )
    assert listed([1, 2], top=1, total=1001) == "1 and 1,000 more"


@pytest.mark.parametrize("what", ["--currency", "currency", "--to currency"])
def test_one_currency_check_with_one_wording(what):
    assert currency_code(" gbp ", what=what) == "GBP"
    for bad in ("dollars", "US", "", None, "12€"):
        with pytest.raises(ConfigError) as exc:
            currency_code(bad, what=what)
        assert str(exc.value) == (
            f"{what} {bad!r} is not an ISO 4217 code; use the three-letter code, like USD, EUR "
            "or GBP"
        )


def test_the_four_currency_checks_say_the_same():
    from micromix.ingest.pipeline import _check_currency_option
    from micromix.measurement.spec import MMMSpec
    from micromix.metrics.fx import normalise_currency

    said = []
    for check in (
        lambda: _check_currency_option("dollars"),
        lambda: normalise_currency("dollars", what="--currency"),
        lambda: MMMSpec(date_col="date", target="revenue", channels=("a",), currency="dollars"),
    ):
        with pytest.raises(ConfigError) as exc:
            check()
        said.append(str(exc.value).split(" 'dollars' ", 1)[1])
    assert len(set(said)) == 1, said
