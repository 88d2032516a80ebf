"""Transactions simulated from known CLV model parameters: test data with a known truth.

:func:`simulate_transactions` draws customers acquired over a window, their purchases from a
purchase model (BG/NBD, MBG/NBD or Pareto/NBD) and the values from a Gamma-Gamma spend model,
and returns a transactions table like a real export (``customer_id``, ``date``, ``value``).
Fitting :func:`micromix.clv.fit_clv` to it should recover the parameters; the tests and the
coverage checks use it.

Quickstart
----------
>>> from micromix.clv.models import BetaGeoModel
>>> from micromix.clv.spend import GammaGammaModel
>>> from micromix.clv.synthetic import simulate_transactions
>>> bg = BetaGeoModel.from_params({"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5})
>>> gg = GammaGammaModel.from_params({"p": 6.0, "q": 4.0, "gamma": 15.0})
>>> tx = simulate_transactions(bg, gg, customers=500, random_state=1)
>>> list(tx.columns)
['customer_id', 'date', 'value']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from micromix.clv.data import TIME_UNITS
from micromix.clv.models import PurchaseModel
from micromix.clv.spend import GammaGammaModel
from micromix.errors import ConfigError

__all__ = ["simulate_transactions"]


def simulate_transactions(
    purchase_model: PurchaseModel,
    spend_model: GammaGammaModel | None = None,
    *,
    customers: int = 1000,
    start: Any = "1997-01-01",
    acquisition_days: int = 84,
    observed_days: int = 546,
    time_unit: str = "W",
    random_state: int | None = None,
) -> pd.DataFrame:
    """Simulate a cohort's transactions.

    Parameters
    ----------
    purchase_model : PurchaseModel
        Model with parameters (fitted, or :meth:`~PurchaseModel.from_params`); its rates are
        per ``time_unit``.
    spend_model : GammaGammaModel, optional
        Spend per transaction; without it every value is 1.0.
    customers : int
        Cohort size.
    start : date-like
        First day of the acquisition window.
    acquisition_days : int
        First purchases fall uniformly on the days of ``[start, start + acquisition_days)``.
    observed_days : int
        Days observed from ``start`` (purchases after are not returned).
    time_unit : str
        Unit of the model's rates (``D``, ``W``, ``M``).
    random_state : int, optional

    Returns
    -------
    DataFrame
        ``customer_id`` (``c000001`` ...), ``date`` (day) and ``value``, sorted by date. Two
        purchases of one customer on one day stay two rows (readers collapse them).
    """
    if customers < 1 or acquisition_days < 1 or observed_days < acquisition_days:
        raise ConfigError(
            "simulate_transactions needs customers >= 1 and observed_days >= acquisition_days >= 1"
        )
    if time_unit not in TIME_UNITS:
        raise ConfigError(f"time_unit={time_unit!r} must be one of {', '.join(TIME_UNITS)}")
    unit = TIME_UNITS[time_unit]
    rng = np.random.default_rng(random_state)
    birth = rng.integers(0, acquisition_days, customers)
    horizon = (observed_days - birth) / unit  # in model time units, from the first purchase
    who, when = purchase_model._events(purchase_model._p, horizon, rng)
    day = birth[who] + np.floor(when * unit).astype(int)
    keep = day < observed_days
    cust = np.concatenate([np.arange(customers), who[keep]])
    days = np.concatenate([birth, day[keep]])
    if spend_model is not None:
        pp, q, g = spend_model._p
        nu = rng.gamma(q, 1.0 / g, customers)
        value = np.round(rng.gamma(pp, 1.0 / nu[cust]), 2)
    else:
        value = np.ones(len(cust))
    out = pd.DataFrame(
        {
            "customer_id": np.char.add("c", np.char.zfill(cust.astype(str), 6)),
            "date": pd.Timestamp(start).normalize() + pd.to_timedelta(days, unit="D"),
            "value": value,
        }
    )
    return out.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
