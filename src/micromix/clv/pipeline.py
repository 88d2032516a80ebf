"""One call from transactions to customer lifetime values: :func:`fit_clv`, and per group:
:func:`clv_by_group`.

:func:`fit_clv` validates the transactions, builds the RFM summary (calibration / holdout
split), fits the purchase model (BG/NBD, MBG/NBD, Pareto/NBD or ``auto``) and the Gamma-Gamma
spend model, predicts every customer's purchases, probability of being alive, spend and
discounted CLV with an interval, scores the holdout forecast and computes the tracking plot
and the diagnostics. The result is a :class:`CLVResult`.

``model="auto"`` fits BG/NBD and Pareto/NBD and keeps the one with the higher log-likelihood
(both have four parameters, so this is also the lower AIC); ties go to BG/NBD. On CDNOW both
fit about equally well, so the choice rarely changes the forecast much; the candidates' figures
are in ``CLVResult.candidates``.

Quickstart
----------
>>> from micromix.clv import BetaGeoModel, GammaGammaModel, simulate_transactions
>>> from micromix.clv.pipeline import fit_clv
>>> bg = BetaGeoModel.from_params({"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5})
>>> gg = GammaGammaModel.from_params({"p": 6.0, "q": 4.0, "gamma": 15.0})
>>> tx = simulate_transactions(bg, gg, customers=1500, random_state=0)
>>> res = fit_clv(tx, calibration_end="1997-09-30", holdout_end="1998-06-30", model="bgnbd",
...               n_draws=50)
>>> sorted(res.to_dict()["params"])
['a', 'alpha', 'b', 'r']
>>> {"clv", "clv_low", "clv_high"} <= set(res.customers.columns)
True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from micromix.checks import CheckResult, Status, results_frame
from micromix.clv._base import check_interval
from micromix.clv.data import _UNIT_NAMES, daily_and_summary
from micromix.clv.diagnostics import (
    fit_checks,
    holdout_by_frequency,
    holdout_metrics,
    tracking_chart_spec,
    tracking_frame,
)
from micromix.clv.models import MODELS, PurchaseModel, get_model
from micromix.clv.spend import GammaGammaModel
from micromix.clv.value import (
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_HORIZON,
    customer_value,
    latent_total_draws,
)
from micromix.errors import ConfigError, DataValidationError, MicromixError, ModelError

__all__ = [
    "AUTO_CANDIDATES",
    "GROUP_INTERVAL",
    "GROUP_MODEL",
    "MAX_HORIZON_RATIO",
    "MAX_INTERVAL_RATIO",
    "MIN_AVERAGE_WEIGHT",
    "MIN_GROUP_REPEAT_BUYERS",
    "MODEL_CHOICES",
    "CLVResult",
    "clv_by_group",
    "fit_clv",
    "fit_purchase_model",
]

#: values of ``model=`` in :func:`fit_clv`
MODEL_CHOICES: tuple[str, ...] = ("auto", "auto-bg", "average", *MODELS)
#: models ``auto`` chooses between (``auto-bg``: BG/NBD and MBG/NBD)
AUTO_CANDIDATES: tuple[str, ...] = ("bgnbd", "pareto")
#: candidates per choosing ``model=`` value (auto-bg's are both fast: closed-form likelihoods)
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "auto": AUTO_CANDIDATES,
    "auto-bg": ("bgnbd", "mbgnbd"),
    "average": ("mbgnbd", "pareto"),
}
#: a family whose likelihood weight in ``model="average"`` is below this is left out
MIN_AVERAGE_WEIGHT = 0.01
#: default purchase model of :func:`clv_by_group` (and ``clv by-strategy``): BG/NBD or MBG/NBD,
#: the more likely. BG/NBD cannot let a one-time buyer drop out; on simulated markets, whose
#: customers drop out whether they buy or not, it over-predicted the group means 1.17x (median)
#: and MBG/NBD, more likely in every group, 1.06x at the same speed (docs/clv.md)
GROUP_MODEL = "auto-bg"
#: default parameter uncertainty of :func:`clv_by_group` (and ``clv by-strategy``): the Laplace
#: approximation; ``"mcmc"`` samples each group's posterior instead (docs/clv.md)
GROUP_INTERVAL = "laplace"
#: repeat buyers a group needs before :func:`clv_by_group` fits it
MIN_GROUP_REPEAT_BUYERS = 20
#: an interval whose upper end is over this many times the estimate is refused, not shown
#: (a nearly flat likelihood: the data cannot bound the value, and no decision can use it)
MAX_INTERVAL_RATIO = 20.0
#: longest horizon a group's CLV is forecast over, in multiples of the purchase history (the
#: oldest customer's age): beyond it the forecast rests on how long customers stay, which the
#: history cannot show (docs/clv.md, "How much history a forecast needs")
MAX_HORIZON_RATIO = 3.0

ProgressFn = Callable[[str, float], None]


def _noop(step: str, frac: float) -> None:
    return None


@dataclass
class CLVResult:
    """Everything :func:`fit_clv` produced. ``to_dict()`` is the ``clv fit --json`` document."""

    model: str
    purchase_model: PurchaseModel
    spend_model: GammaGammaModel | None
    summary: pd.DataFrame
    customers: pd.DataFrame
    holdout: dict[str, float] | None
    holdout_by_frequency: pd.DataFrame | None
    tracking: pd.DataFrame
    checks: list[CheckResult]
    candidates: pd.DataFrame
    settings: dict[str, Any]
    totals: dict[str, Any] = field(default_factory=dict)

    def tracking_chart(self) -> dict[str, Any]:
        """The tracking plot as a Vega-Lite spec (see :func:`tracking_chart_spec`)."""
        unit = {"D": "day", "W": "week", "M": "month"}[self.settings["time_unit"]]
        return tracking_chart_spec(
            self.tracking,
            title=f"Cumulative repeat purchases: actual vs {self.purchase_model.label}",
            unit=unit,
        )

    def to_dict(self) -> dict[str, Any]:
        pm, sm = self.purchase_model, self.spend_model
        return {
            "model": self.model,
            "model_label": pm.label,
            "params": dict(pm.params_),
            "param_intervals": {k: list(v) for k, v in pm.param_intervals_.items()},
            "log_likelihood": pm.log_likelihood_,
            "spend_params": dict(sm.params_) if sm is not None else None,
            "spend_param_intervals": (
                {k: list(v) for k, v in sm.param_intervals_.items()} if sm is not None else None
            ),
            "holdout": dict(self.holdout) if self.holdout is not None else None,
            "customers": len(self.summary),
            "repeat_buyers": int((self.summary["frequency"] > 0).sum()),
            **self.settings,
            **self.totals,
            "candidates": self.candidates.to_dict(orient="records"),
            "checks": [c.to_dict() for c in self.checks],
        }

    def __repr__(self) -> str:
        p = ", ".join(f"{k}={v:.4g}" for k, v in self.purchase_model.params_.items())
        lines = [f"CLVResult({self.purchase_model.label}: {p}; {len(self.summary):,} customers)"]
        if self.spend_model is not None:
            s = ", ".join(f"{k}={v:.4g}" for k, v in self.spend_model.params_.items())
            lines.append(f"  spend (Gamma-Gamma): {s}")
        if self.holdout is not None:
            h = self.holdout
            lines.append(
                f"  holdout: predicted {h['predicted_repeat_purchases']:,.1f} vs actual "
                f"{h['actual_repeat_purchases']:,.0f} repeat purchases, MAE "
                f"{h['mae_per_customer']:.3f} per customer"
            )
        if "total_clv" in self.totals:
            lo, hi = self.totals["total_clv_interval"]
            lines.append(f"  total CLV {self.totals['total_clv']:,.0f} ({lo:,.0f} - {hi:,.0f})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        return f"<pre>{escape(repr(self))}</pre>" + results_frame(self.checks)[
            ["name", "status", "message"]
        ].to_html(index=False)


def fit_purchase_model(
    summary: pd.DataFrame,
    *,
    model: str = "auto",
    interval: str = "laplace",
    n_draws: int = 200,
    level: float = 0.9,
    random_state: int = 0,
    progress: ProgressFn | None = None,
) -> tuple[PurchaseModel, pd.DataFrame]:
    """Fit one purchase model, or choose one (``model="auto"``, ``"auto-bg"`` or ``"average"``).

    ``average`` (MBG/NBD and Pareto/NBD) is averaged by :func:`clv_by_group`; here, as
    everywhere else, it chooses the more likely of the two.

    Returns
    -------
    (PurchaseModel, DataFrame)
        The fitted model, and one row per candidate tried: ``model``, ``log_likelihood``,
        ``aic``, ``chosen`` (and ``error`` when a candidate could not be fitted).
    """
    fitted, rows = _fit_candidates(
        summary, model=model, interval=interval, n_draws=n_draws, level=level,
        random_state=random_state, progress=progress,
    )  # fmt: skip
    # highest likelihood; the first candidate (BG/NBD for auto and auto-bg) wins ties within
    # 0.5 log-likelihood units (no real evidence)
    best = fitted[0]
    for m in fitted[1:]:
        if m.log_likelihood_ > best.log_likelihood_ + 0.5:
            best = m
    cands = pd.DataFrame(rows)
    cands["chosen"] = cands["model"] == best.lookup_name
    return best, cands


def _fit_candidates(
    summary: pd.DataFrame,
    *,
    model: str,
    interval: str,
    n_draws: int,
    level: float,
    random_state: int,
    progress: ProgressFn | None = None,
) -> tuple[list[PurchaseModel], list[dict[str, Any]]]:
    """Every candidate of ``model`` fitted (those that could be), and a row per candidate."""
    _check_model(model)
    update = progress or _noop
    names = _CANDIDATES.get(model, (model,))
    hyper = dict(interval=interval, n_draws=n_draws, level=level, random_state=random_state)
    fitted: list[PurchaseModel] = []
    rows: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        update(f"fitting {MODELS[name].label}", i / len(names))
        m = get_model(name, **hyper)
        try:
            m.fit(summary, progress=progress)
        except MicromixError as exc:
            if model not in _CANDIDATES or isinstance(exc, DataValidationError):
                raise
            rows.append({"model": name, "log_likelihood": np.nan, "aic": np.nan, "error": str(exc)})
            continue
        fitted.append(m)
        k = len(m.param_names)
        rows.append(
            {
                "model": name,
                "log_likelihood": m.log_likelihood_,
                "aic": 2 * k - 2 * m.log_likelihood_,
                "error": None,
            }
        )
    if not fitted:  # every candidate failed: report the first failure
        raise ConfigError(f"no purchase model could be fitted: {rows[0]['error']}")
    return fitted, rows


def _check_model(model: str) -> None:
    if model not in MODEL_CHOICES:
        raise ConfigError(f"model={model!r} is not known; choose one of {', '.join(MODEL_CHOICES)}")


def _spend_interval(interval: str) -> str:
    """The spend model's interval method: Gamma-Gamma's likelihood is close to Gaussian in
    log-parameters, so posterior sampling of the purchase model pairs with its Laplace draws."""
    return "laplace" if interval == "mcmc" else interval


def history_refusal(summary: pd.DataFrame, horizon: float, time_unit: str) -> str | None:
    """Why a ``horizon`` is too long for the summary's purchase history, or ``None``.

    The history is the oldest customer's age ``T`` (the calibration period's length); a
    forecast of more than :data:`MAX_HORIZON_RATIO` times it is refused.

    >>> import pandas as pd
    >>> s = pd.DataFrame({"frequency": [1.0], "recency": [2.0], "T": [8.0]})
    >>> history_refusal(s, 24, "W") is None
    True
    >>> print(history_refusal(s, 52, "W"))  # doctest: +NORMALIZE_WHITESPACE
    refused: the purchases cover 8.0 weeks, too short a history for a 52-week forecast: a
    forecast reaches at most 3 times the history (24.0 weeks) because beyond it the models
    cannot tell how long customers keep buying; use a horizon of at most 24.0 weeks or a
    longer history
    """
    span = float(summary["T"].max()) if len(summary) else 0.0
    limit = MAX_HORIZON_RATIO * span
    if float(horizon) <= limit:
        return None
    name = _UNIT_NAMES.get(time_unit, time_unit)
    return (
        f"refused: the purchases cover {span:.1f} {name}, too short a history for a "
        f"{float(horizon):g}-{name.rstrip('s')} forecast: a forecast reaches at most "
        f"{MAX_HORIZON_RATIO:g} times the history ({limit:.1f} {name}) because beyond it the "
        f"models cannot tell how long customers keep buying; use a horizon of at most "
        f"{limit:.1f} {name} or a longer history"
    )


def _duplicate_rows_check(repeated: dict[str, Any], source: str) -> CheckResult:
    """The ``clv_duplicate_rows`` REVIEW: how many rows repeat an earlier row in every column
    and whether the fit left them out or kept them (``repeated``: :func:`~micromix.clv.data.daily_purchases`'
    ``attrs["duplicate_rows"]``)."""
    order_col = repeated.get("order_col")
    same = f"every column, the order id {order_col!r} included" if order_col else "every column"

    def rows(first: list[int], n: int) -> str:
        return ", ".join(map(str, first)) + (" ..." if n > len(first) else "")

    n, dropped = int(repeated["rows"]), int(repeated["dropped"])
    parts = []
    if dropped:
        parts.append(
            f"{dropped:,} of them (rows {rows(repeated['first_dropped'], dropped)}) are copies "
            "of earlier blocks of rows, as when a report is downloaded twice and pasted "
            "together: the fit left them out, each purchase counted once"
        )
    if n > dropped:
        parts.append(
            f"{n - dropped:,} scattered one(s) (rows {rows(repeated['first_kept'], n - dropped)}) "
            f"were kept as separate {'lines of their order' if order_col else 'purchases'} "
            "of the same customer, day and value"
        )
    message = (
        f"{source}: {n:,} row(s) repeat an earlier row in {same}; {'; '.join(parts)} (rows "
        "count from 1 after the header)"
    )
    how = (
        "remove the repeated rows from the export to silence this"
        if n == dropped
        else "if the kept rows repeat one purchase, remove them"
        if order_col
        else "if the kept rows repeat one purchase, remove them, or export the order id too "
        "and pass it as --order-col"
    )
    return CheckResult(
        "clv_duplicate_rows",
        Status.REVIEW,
        message,
        how,
        dict(repeated),
    )


def _default_horizon(time_unit: str) -> float:
    """One year in the unit: 365 days, 52 weeks or 12 months."""
    return float(DEFAULT_HORIZON[time_unit]) if time_unit in DEFAULT_HORIZON else 1.0


def fit_clv(
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    value_col: str | None = "value",
    calibration_end: Any = None,
    holdout_end: Any = None,
    model: str = "auto",
    time_unit: str = "W",
    horizon: float | None = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    margin: float = 1.0,
    interval: str = "laplace",
    n_draws: int = 200,
    level: float = 0.9,
    random_state: int = 0,
    source: str = "transactions",
    progress: ProgressFn | None = None,
    dayfirst: bool | None = None,
    quantity_col: str | None = None,
    skip_missing_ids: bool = False,
    skip_returns: bool = False,
    order_col: str | None = None,
    order_value: str | None = None,
) -> CLVResult:
    """Fit CLV models to a transactions table; see the module docstring.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase (or :func:`~micromix.clv.data.daily_purchases` /
        :func:`~micromix.clv.data.transactions_from_store` output with the default columns).
    customer_col, date_col, value_col : str
        Column names; ``value_col=None`` fits purchases only (no spend, no CLV).
    calibration_end, holdout_end : date-like, optional
        Calibration period end (default: the last purchase) and holdout end (default: none).
    model : {"auto", "auto-bg", "bgnbd", "mbgnbd", "pareto"}
        Purchase model.
    time_unit : {"D", "W", "M"}
        Unit of recency, age, horizon and the tracking plot.
    horizon : float, optional
        CLV horizon in ``time_unit`` periods (default one year). Over more than
        :data:`MAX_HORIZON_RATIO` times the calibration period the forecast is refused: the
        customers' ``expected_purchases`` and ``clv`` columns are empty, there are no totals,
        and the ``clv_horizon`` check says why (the fit, P(alive) and the holdout stay).
    discount_rate : float
        Annual discount rate of the CLV.
    margin : float
        Profit share of revenue (1.0: revenue CLV).
    interval : {"laplace", "bootstrap", "mcmc", "none"}
        Parameter uncertainty method (see :class:`~micromix.clv.models.PurchaseModel`;
        ``mcmc`` samples the purchase model's posterior, the spend model keeps Laplace).
    n_draws : int
        Parameter draws (or bootstrap replicates) behind the intervals.
    level : float
        Interval mass.
    random_state : int
    source : str
        Name of the data in messages (the file path).
    progress : callable, optional
        ``progress(step, fraction)``.
    dayfirst : bool, optional
        Order of slash dates such as ``03/04/2024`` (None: detected from the column; a column
        where every date reads both ways is refused).
    quantity_col : str, optional
        Line items: ``value_col`` is the unit price and a row's value is price x quantity.
    skip_missing_ids, skip_returns : bool
        Leave out rows with no customer id, or of negative value (returns), instead of refusing
        the table; what was left out is in ``settings["left_out"]`` (counts, and the returns'
        value).
    order_col : str, optional
        One row per line item (Shopify's orders export: ``Name``): rows sharing an order id are
        one purchase (see :func:`~micromix.clv.data.daily_purchases`); how many line rows
        became how many orders is in ``settings["orders"]``.
    order_value : {"sum", "total"}, optional
        With ``order_col``: add an order's value cells or take its total once (see
        :func:`~micromix.clv.data.daily_purchases`); in ``settings["order_value"]``.
    """
    started = time.perf_counter()
    update = progress or _noop
    update("reading transactions", 0.02)
    daily, summary = daily_and_summary(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        value_col=value_col,
        calibration_end=calibration_end,
        holdout_end=holdout_end,
        time_unit=time_unit,
        source=source,
        dayfirst=dayfirst,
        quantity_col=quantity_col,
        skip_missing_ids=skip_missing_ids,
        skip_returns=skip_returns,
        order_col=order_col,
        order_value=order_value,
    )
    if not (summary["frequency"] > 0).any():
        raise DataValidationError(
            f"{source}: no customer bought on two different days up to the calibration end "
            f"{summary.attrs['calibration_end']} (field {date_col!r}, {len(summary):,} "
            "customers with one purchase day each); CLV models need repeat purchases - use a "
            "later calibration end or more data"
        )
    H = float(horizon) if horizon is not None else _default_horizon(time_unit)
    if not H > 0:
        raise ConfigError(f"horizon={horizon!r} must be > 0 periods")

    def sub(lo: float, hi: float) -> ProgressFn:
        return lambda step, frac: update(step, lo + (hi - lo) * frac)

    pm, cands = fit_purchase_model(
        summary,
        model=model,
        interval=interval,
        n_draws=n_draws,
        level=level,
        random_state=random_state,
        progress=sub(0.05, 0.55),
    )
    sm: GammaGammaModel | None = None
    if value_col is not None:
        update("fitting Gamma-Gamma spend", 0.6)
        try:
            sm = GammaGammaModel(
                interval=_spend_interval(interval),
                n_draws=n_draws,
                level=level,
                random_state=random_state + 1,
            ).fit(summary, progress=sub(0.6, 0.75))
        except (DataValidationError, ModelError) as exc:  # name the file and the field
            raise type(exc)(f"{source}: field {value_col!r}: {exc}") from None
    update("predicting customer values", 0.8)
    customers, draws = customer_value(
        pm,
        sm,
        summary,
        horizon=H,
        discount_rate=discount_rate,
        time_unit=time_unit,
        margin=margin,
        level=level,
        return_draws=True,
    )
    base_cols = [c for c in ("frequency", "recency", "T", "monetary_value") if c in summary]
    customers = pd.concat([summary[base_cols], customers], axis=1)
    hold = hold_freq = None
    if "frequency_holdout" in summary:
        update("scoring the holdout", 0.9)
        hold = holdout_metrics(pm, summary)
        hold_freq = holdout_by_frequency(pm, summary)
        customers["holdout_actual"] = summary["frequency_holdout"]
        customers["holdout_predicted"] = pm.expected_purchases(summary, hold["duration"])
    tracking = tracking_frame(pm, daily, summary)
    checks = fit_checks(pm, sm, summary, hold)
    repeated = daily.attrs.get("duplicate_rows")
    if repeated:
        checks.append(_duplicate_rows_check(repeated, source))
    too_long = history_refusal(summary, H, time_unit)
    if too_long:  # the forecast over the horizon is refused; P(alive) and spend stay
        cols = [c for c in ("expected_purchases", "clv", "clv_low", "clv_high") if c in customers]
        customers[cols] = np.nan
        checks.append(
            CheckResult(
                "clv_horizon",
                Status.FAIL,
                too_long,
                "",  # the sentence says what to do
                {"horizon": H, "history": float(summary["T"].max())},
            )
        )
    totals: dict[str, Any] = {}
    if sm is not None and not too_long:
        total = float(customers["clv"].sum())
        q = (1 - level) / 2
        lo, hi = (
            np.quantile(draws.sum(axis=1), [q, 1 - q]) if draws is not None else (np.nan, np.nan)
        )
        totals = {
            "total_clv": total,
            "total_clv_interval": [float(lo), float(hi)],
            "mean_clv": total / len(customers),
            "mean_spend_per_purchase": sm.mean_spend(),
        }
    settings = {
        "source": source,
        "calibration_end": summary.attrs["calibration_end"],
        "holdout_end": summary.attrs["holdout_end"],
        "time_unit": time_unit,
        "horizon": H,
        "discount_rate": float(discount_rate),
        "margin": float(margin),
        "interval": {"method": interval, "level": float(level), "draws": int(n_draws)},
        "customers_after_calibration": summary.attrs["customers_after_calibration"],
        "quantity_col": quantity_col,
        "left_out": dict(daily.attrs.get("left_out", {})),
        "order_col": order_col,
        "order_value": order_value,
        "orders": daily.attrs.get("orders"),
        "decimal_comma": daily.attrs.get("decimal_comma"),
        "email_case": daily.attrs.get("email_case"),
        "duplicate_rows": dict(repeated) if repeated else None,
        "fit_seconds": time.perf_counter() - started,
    }
    update("done", 1.0)
    return CLVResult(
        model=pm.lookup_name,
        purchase_model=pm,
        spend_model=sm,
        summary=summary,
        customers=customers,
        holdout=hold,
        holdout_by_frequency=hold_freq,
        tracking=tracking,
        checks=checks,
        candidates=cands,
        settings=settings,
        totals=totals,
    )


def clv_by_group(
    summary: pd.DataFrame,
    groups: pd.Series,
    *,
    model: str = GROUP_MODEL,
    time_unit: str | None = None,
    horizon: float | None = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    margin: float = 1.0,
    interval: str = GROUP_INTERVAL,
    n_draws: int = 200,
    level: float = 0.9,
    random_state: int = 0,
    spend: pd.Series | None = None,
    progress: ProgressFn | None = None,
    customers: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Predicted CLV per group of customers (e.g. acquisition strategy), with intervals.

    Each group gets its own purchase and spend models, so groups may differ in purchase rate,
    dropout and spend. A group with fewer than :data:`MIN_GROUP_REPEAT_BUYERS` repeat buyers, or
    whose models cannot be fitted, is reported with empty figures and the reason in ``note``:
    its CLV is refused, not guessed. So is every group when ``horizon`` is more than
    :data:`MAX_HORIZON_RATIO` times the purchase history (:func:`history_refusal`).

    Parameters
    ----------
    summary : DataFrame
        RFM summary with ``monetary_value`` (index: customer id).
    groups : Series
        Group label per customer id (customers missing from it are in group ``"none"``).
    model : str
        Purchase model for every group (default :data:`GROUP_MODEL`: BG/NBD or MBG/NBD, the
        more likely; ``auto`` allowed). ``average``: MBG/NBD and Pareto/NBD both fitted and
        averaged with likelihood weights (families under :data:`MIN_AVERAGE_WEIGHT` left out);
        the interval is the mixture of their predictive draws and ``model`` names the weights.
    spend : Series, optional
        Acquisition spend per group (e.g. :func:`~micromix.clv.data.acquisition_spend`); adds
        ``spend`` and ``lifetime_roas`` = (revenue to date + predicted future CLV) / spend, with
        the interval of the CLV. It is attributed to the first touch, not incremental.
    time_unit, horizon, discount_rate, margin, interval, n_draws, level, random_state
        As for :func:`fit_clv` (``time_unit`` defaults to the summary's). The group intervals
        are predictive: quantiles of :func:`~micromix.clv.value.latent_total_draws`, the
        customers' total CLV given their *true* rates, so they carry the parameter and the
        customer-level uncertainty and are meant to contain the group's realised value.
    customers : dict, optional
        When given, filled with each fitted group's per-customer predictions
        (:func:`~micromix.clv.value.customer_value` output), keyed by group.

    Returns
    -------
    DataFrame
        One row per group: ``group``, ``customers``, ``repeat_buyers``, ``model``,
        ``expected_purchases_mean``, ``probability_alive_mean``, ``clv_mean`` with
        ``clv_mean_low``/``clv_mean_high``, ``clv_total`` with ``clv_total_low``/``_high``,
        ``revenue_to_date``, ``note``; with ``spend`` also ``spend`` and ``lifetime_roas`` with
        ``lifetime_roas_low``/``_high``.
    """
    _check_model(model)
    check_interval(interval)
    unit = time_unit or summary.attrs.get("time_unit", "W")
    H = float(horizon) if horizon is not None else _default_horizon(unit)
    update = progress or _noop
    labels = groups.reindex(summary.index).fillna("none").astype(str)
    hyper: dict[str, Any] = dict(
        model=model, unit=unit, horizon=H, discount_rate=discount_rate, margin=margin,
        interval=interval, n_draws=n_draws, level=level, random_state=random_state,
    )  # fmt: skip
    hyper["refusal"] = history_refusal(summary, H, unit)
    rows: list[dict[str, Any]] = []
    names = sorted(labels.unique())
    for i, g in enumerate(names):
        update(f"group {g}", i / len(names))
        row, vals = _group_row(g, summary[labels.to_numpy() == g], **hyper)
        if customers is not None and vals is not None:
            customers[g] = vals
        rows.append(row)
    update("done", 1.0)
    cols = [
        "group", "customers", "repeat_buyers", "model", "expected_purchases_mean",
        "probability_alive_mean", "clv_mean", "clv_mean_low", "clv_mean_high", "clv_total",
        "clv_total_low", "clv_total_high", "revenue_to_date", "note",
    ]  # fmt: skip
    out = pd.DataFrame(rows).reindex(columns=cols)
    if spend is not None:
        sp = spend.reindex(out["group"]).to_numpy(dtype=float)
        out["spend"] = sp
        past = out["revenue_to_date"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            for src, dst in (
                ("clv_total", "lifetime_roas"),
                ("clv_total_low", "lifetime_roas_low"),
                ("clv_total_high", "lifetime_roas_high"),
            ):
                future = out[src].to_numpy(dtype=float)
                out[dst] = np.where(sp > 0, (past + future) / sp, np.nan)
    out.attrs.update(
        {"horizon": H, "time_unit": unit, "discount_rate": discount_rate, "level": level}
    )
    return out


def _refused(row: dict[str, Any], note: str) -> dict[str, Any]:
    """``row`` with the reason its CLV (or its interval) is refused in ``note``."""
    row["note"] = note
    return row


def _group_row(
    g: str,
    sub: pd.DataFrame,
    *,
    model: str,
    unit: str,
    horizon: float,
    discount_rate: float,
    margin: float,
    interval: str,
    n_draws: int,
    level: float,
    random_state: int,
    refusal: str | None,
) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """One row of :func:`clv_by_group`, and the group's per-customer predictions (None when the
    group is refused; ``refusal``: a reason that refuses every group)."""
    row: dict[str, Any] = {
        "group": g,
        "customers": len(sub),
        "repeat_buyers": int((sub["frequency"] > 0).sum()),
    }
    if refusal:
        return _refused(row, refusal), None
    if row["repeat_buyers"] < MIN_GROUP_REPEAT_BUYERS:
        return _refused(
            row,
            f"refused: {row['repeat_buyers']} repeat buyer(s), fewer than "
            f"{MIN_GROUP_REPEAT_BUYERS} needed to fit the group's own model",
        ), None
    try:
        if model == "average":
            fitted, _ = _fit_candidates(
                sub, model=model, interval=interval, n_draws=n_draws, level=level,
                random_state=random_state,
            )  # fmt: skip
        else:
            fitted = [
                fit_purchase_model(
                    sub, model=model, interval=interval, n_draws=n_draws, level=level,
                    random_state=random_state,
                )[0]
            ]  # fmt: skip
        sm = GammaGammaModel(
            interval=_spend_interval(interval), n_draws=n_draws, level=level,
            random_state=random_state + 1,
        ).fit(sub)  # fmt: skip
    except MicromixError as exc:
        return _refused(row, f"refused: {exc}"), None
    # likelihood weights (the families have four parameters each: also AIC / BIC weights)
    ll = np.array([m.log_likelihood_ for m in fitted])
    weights = np.exp(ll - ll.max())
    weights /= weights.sum()
    keep = weights >= MIN_AVERAGE_WEIGHT
    fitted = [m for m, k in zip(fitted, keep) if k]
    weights = weights[keep] / weights[keep].sum()
    rng = np.random.default_rng(random_state + 3)
    parts = [
        customer_value(
            pm, sm, sub, horizon=horizon, discount_rate=discount_rate, time_unit=unit,
            margin=margin, level=level, return_draws=True,
        )
        for pm in fitted
    ]  # fmt: skip
    cols = ["expected_purchases", "probability_alive", "expected_spend", "clv"]
    vals = parts[0][0].copy()
    vals[cols] = sum(w * v[cols] for w, (v, _) in zip(weights, parts))
    draws = _mixed([d for _, d in parts], weights, rng)
    if draws is not None and len(fitted) > 1:
        q = (1 - level) / 2
        vals["clv_low"], vals["clv_high"] = np.quantile(draws, [q, 1 - q], axis=0)
    total = float(vals["clv"].sum())
    row.update(
        {
            "revenue_to_date": float(sub["revenue"].sum()) if "revenue" in sub else np.nan,
            "model": (
                fitted[0].lookup_name
                if len(fitted) == 1 and model != "average"
                else "average: "
                + ", ".join(f"{m.lookup_name} {w:.2f}" for m, w in zip(fitted, weights))
            ),
            "expected_purchases_mean": float(vals["expected_purchases"].mean()),
            "probability_alive_mean": float(vals["probability_alive"].mean()),
            "clv_mean": total / len(sub),
            "clv_total": total,
            "note": "",
        }
    )
    if draws is None:
        problems = [m.interval_problem_ for m in fitted if m.interval_problem_]
        if problems:
            _refused(row, f"interval refused: {problems[0]}")
        elif interval != "none":
            _refused(
                row,
                "interval refused: the group's likelihood is flat at its optimum (too few "
                "repeat purchases to pin the parameters down)",
            )
        return row, vals
    q = (1 - level) / 2
    lo, hi = np.quantile(draws.sum(axis=1), [q, 1 - q])
    if not np.isfinite(hi) or hi > MAX_INTERVAL_RATIO * max(total, 0.0):
        return _refused(
            row,
            "interval refused: the data cannot bound the group's value (its upper end is over "
            f"{MAX_INTERVAL_RATIO:g} times the estimate; too few repeat purchases to pin the "
            "parameters down)",
        ), vals
    # the interval is for the group's realised value: parameter and customer-level
    # uncertainty together (see latent_total_draws), mixed over the families by weight
    latent = _mixed(
        [
            latent_total_draws(
                pm, sm, sub, horizon=horizon, discount_rate=discount_rate, time_unit=unit,
                margin=margin, random_state=random_state + 2,
            )
            for pm in fitted
        ],
        weights,
        rng,
    )  # fmt: skip
    if latent is not None:
        lo, hi = np.quantile(latent, [q, 1 - q])
    row.update(
        clv_total_low=float(lo),
        clv_total_high=float(hi),
        clv_mean_low=float(lo) / len(sub),
        clv_mean_high=float(hi) / len(sub),
    )
    return row, vals


def _mixed(
    draws: list[np.ndarray | None], weights: np.ndarray, rng: np.random.Generator
) -> np.ndarray | None:
    """Draws of a mixture: from each family's draws (rows), as many as its weight's share of
    the smallest set; ``None`` when any family has none (its interval was refused)."""
    if any(d is None for d in draws):
        return None
    sets = [d for d in draws if d is not None]
    if len(sets) == 1:
        return sets[0]
    n = min(len(d) for d in sets)
    counts = rng.multinomial(n, weights)
    return np.concatenate([d[rng.permutation(len(d))[:k]] for d, k in zip(sets, counts)])
