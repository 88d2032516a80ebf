"""The one answer to "what currency is this store's money in?", read from what the data states.

The rule, used by the plan, the report, the KPI route, the API status and the dashboard:

* **ad reports** state their currency on every row with money (ingest refuses money without
  one: the file's currency column, the code in a money header, else ``--currency``);
* **events** state one only when their table has a ``currency`` column (the events contract
  has none); the simulated market's events are in its ads' currency, as the simulator writes
  them;
* every currency stated agrees -> that currency; events that state none are taken to be in it
  (the answer says so in :attr:`StoreCurrency.notes`, so a reader can state another);
* nothing states a currency -> ``None``: money is shown without a symbol, never a guessed
  ``$``;
* several currencies (between ad reports, or ads and events) -> ``None`` with
  :attr:`StoreCurrency.mixed`: figures stay per currency, and what needs one budget (the plan)
  refuses with :meth:`StoreCurrency.single`.

Quickstart
----------
>>> from micromix.store import Store
>>> import pandas as pd
>>> st = Store.open(":memory:")
>>> store_currency(st).code is None  # nothing states a currency: none is assumed
True
>>> _ = st.append("ad_performance", pd.DataFrame({
...     "date": pd.to_datetime(["2026-01-01"]), "platform": ["meta"], "spend": [5.0],
...     "currency": ["eur"]}))
>>> store_currency(st).code, currency_symbol("EUR"), currency_symbol(None)
('EUR', '€', '')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from micromix.errors import ConfigError
from micromix.ingest.market import simulated_market
from micromix.schema.values import CURRENCY_SIGNS, currency_sign

if TYPE_CHECKING:
    from micromix.store import Store

__all__ = [
    "CURRENCY_SYMBOLS",
    "StoreCurrency",
    "currency_symbol",
    "kpi_currency",
    "store_currency",
]

#: currency codes shown as a symbol (others are shown as the code): the one table,
#: :data:`micromix.schema.values.CURRENCY_SIGNS`, derived from the symbols ingest reads
CURRENCY_SYMBOLS: dict[str, str] = CURRENCY_SIGNS

#: how a store's money gets a currency it does not state yet (said where one is missing)
HOW_TO_STATE = (
    "ad reports state theirs at ingest (micromix ingest ads FILE, with --currency CODE when the "
    "export names none), and KPIs take one for the events with --currency CODE"
)


def currency_symbol(code: str | None) -> str:
    """``$`` for USD, the symbol or the code of another currency, ``""`` when none is known.

    >>> currency_symbol("GBP"), currency_symbol("AUD"), currency_symbol(None)
    ('£', 'AUD', '')
    """
    return currency_sign(code)


@dataclass(frozen=True)
class StoreCurrency:
    """What a store's data states about the currency of its money (:func:`store_currency`)."""

    #: the one currency of the store's money; None when nothing states one, or several do
    code: str | None
    #: the currencies the ad reports state (sorted; empty without ad reports with money)
    ads: tuple[str, ...] = ()
    #: the currencies the events state in a ``currency`` column (sorted)
    events: tuple[str, ...] = ()
    #: the store holds events whose money states no currency
    events_unstated: bool = False
    #: a simulated market (its events are in its ads' currency, by construction)
    simulated: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        """Every currency the data states, sorted."""
        return tuple(sorted({*self.ads, *self.events}))

    @property
    def mixed(self) -> bool:
        """The data states more than one currency: no single one for the whole store."""
        return len(self.codes) > 1

    @property
    def symbol(self) -> str:
        """The symbol money is shown with (``""`` without one currency: never a guessed ``$``)."""
        return currency_symbol(self.code)

    @property
    def events_code(self) -> str | None:
        """The currency of the events' money when they record none (what KPIs on events
        state): the store's one currency, else None."""
        return self.code if self.events_unstated else None

    def for_kpis(
        self, source: str, option: str = "--currency CODE"
    ) -> tuple[str | None, list[str]]:
        """The currency to state for KPIs from ``source`` (``events``, ``ads``, ``posts``: the
        source :func:`~micromix.metrics.resolve_source` picked) and the note saying where it
        comes from; ``(None, [])`` when the source records its own currency or none is known.
        ``option`` is how the caller states another (``--currency CODE``, ``currency=``)."""
        code = self.events_code
        if code is None or source != "events":
            return None, []
        if self.simulated:
            why = f"their money is in {code}, the currency of the simulated market"
        else:
            why = (
                f"their money is taken to be in {code}, the one currency the ad reports state "
                f"(state another with {option})"
            )
        return code, [f"the events record no currency; {why}"]

    def describe_mix(self) -> str:
        """Which currencies the data states and where, one clause ("the ad reports state AUD,
        GBP")."""
        if self.events and self.ads and set(self.events) != set(self.ads):
            return (
                f"the ad reports state {', '.join(self.ads)} and the events "
                f"{', '.join(self.events)}"
            )
        return f"the ad reports mix currencies ({', '.join(self.codes)})"

    def single(self) -> str | None:
        """The one currency, or None when nothing states one.

        Raises
        ------
        ConfigError
            The data states several currencies: one budget cannot be planned across them and
            micromix converts money only at rates the user gives.
        """
        if self.mixed:
            raise ConfigError(
                f"{self.describe_mix()}; a plan moves one budget, so it needs one currency and "
                "micromix does not convert money at rates it would have to guess: ingest each "
                "currency's exports into a store of its own (micromix ingest ... --db FILE) and "
                "plan each ('micromix kpis --fx RATES.csv' compares them at your own rates)"
            )
        return self.code

    @property
    def notes(self) -> list[str]:
        """What a reader should know about the currency, one sentence each (empty when the
        data states one currency for all its money)."""
        if self.mixed:
            return [
                f"Money has no single currency: {self.describe_mix()}; figures are per currency, "
                "never added across them."
            ]
        if self.code is None and self.events_unstated:
            return [
                "The store states no currency for its money (the events record none), so "
                f"amounts are shown without a currency symbol; {HOW_TO_STATE}."
            ]
        _, said = self.for_kpis("events")
        return [f"{s[0].upper()}{s[1:]}." for s in said if not self.simulated]


def _codes(store: Store, table: str) -> tuple[str, ...] | None:
    """The distinct currency codes of ``table`` (upper case, sorted); None when the table holds
    no rows or has no ``currency`` column (it states none)."""
    if not store.has_table(table) or not store.count(table):
        return None
    if "currency" not in store.columns(table):
        return None
    t = store.table(table)
    found = store.execute(t.select("currency").distinct())["currency"]
    return tuple(sorted({str(c).strip().upper() for c in found.dropna() if str(c).strip()}))


def store_currency(store: Store) -> StoreCurrency:
    """The currency of ``store``'s money by the rule of this module (see the module).

    Examples
    --------
    A store of EUR ad reports is in EUR; a real store of events alone states none; a simulated
    market is in the currency its ad reports state (USD).
    """
    ads = _codes(store, "ad_performance") or ()
    has_events = store.has_table("events") and store.count("events") > 0
    events = _codes(store, "events") if has_events else None
    simulated = simulated_market(store) is not None
    stated = tuple(sorted({*ads, *(events or ())}))
    return StoreCurrency(
        code=stated[0] if len(stated) == 1 else None,
        ads=ads,
        events=events or (),
        events_unstated=has_events and not events,
        simulated=simulated,
    )


def kpi_currency(
    store: Store,
    by: Sequence[str] = (),
    source: str = "auto",
    *,
    option: str = "--currency CODE",
    known: StoreCurrency | None = None,
) -> tuple[str | None, list[str]]:
    """The currency to state for :func:`~micromix.metrics.compute_kpis` ``by`` ``source`` when
    the caller states none, and the note saying where it comes from
    (:meth:`StoreCurrency.for_kpis`); ``known`` is the store's answer when the caller holds it
    (the API caches it)."""
    from micromix.metrics.kpis import resolve_source

    money = known if known is not None else store_currency(store)
    if money.events_code is None:  # nothing to state: the source need not be resolved
        return None, []
    return money.for_kpis(resolve_source(store, list(by), source), option)
