"""CLV by acquisition strategy from a store: lifetime returns, incremental where holdouts allow.

:func:`lifetime_returns` is the domain function the CLI (``micromix clv by-strategy``), the
strategy comparison, the report and the plan call. Per acquisition group (strategy, targeting,
platform, campaign or creator tier) it gives:

* the customers the group acquired (:func:`~micromix.clv.data.acquisition_groups`; by default
  the campaign their first purchase was credited to), their predicted discounted CLV over the
  horizon from the group's own BG/NBD or MBG/NBD (the more likely; or Pareto/NBD) and
  Gamma-Gamma models, with a predictive interval for the group's realised value: parameter
  draws and, per draw, each customer's latent state drawn given their history
  (:func:`~micromix.clv.pipeline.clv_by_group`);
* ``first_purchase_roas`` = revenue of those customers' first purchase day / the group's media
  spend, and ``lifetime_roas`` = (their revenue to date + predicted future CLV) / spend, with
  ``lifetime_roas_low`` / ``_high`` from the CLV interval (spend and revenue to date are
  exact). Both are *attributed*: spend is divided over the customers the group is credited with;
* ``incremental_lifetime_roas`` (with an interval) where the store has randomised holdouts
  (``experiments``, one per campaign): per campaign, the difference in mean *lifetime value*
  between treated and held-out people (revenue to date plus predicted future CLV, 0 for people
  who never bought) times the treated count, summed over the group's campaigns and divided by
  their spend. The interval is a normal one from the per-campaign difference-in-means variances
  (people in several tests are treated as independent across tests; the CLV's parameter
  uncertainty is not added - at test sizes the sampling noise is far larger).

:func:`new_customer_values` gives the value of one *new* conversion per segment (mean first
purchase plus the discounted CLV of a newly acquired customer), which targeting uses as the
value of a conversion (``micromix audience target --value-per-conversion clv``).

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.ingest.market import load_market
>>> from micromix.store import Store
>>> st = Store.open(":memory:")
>>> _ = load_market(st, simulate(SimConfig(users=20_000, days=28, seed=3, observe_days=140)))
>>> table = lifetime_returns(st, by="targeting", n_draws=50)
>>> {"lifetime_roas", "lifetime_roas_low", "first_purchase_roas"} <= set(table.columns)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from micromix.clv.data import (
    _labelled,
    acquisition_groups,
    acquisition_spend,
    summary_from_daily,
    transactions_from_store,
)
from micromix.clv.pipeline import (
    GROUP_INTERVAL,
    GROUP_MODEL,
    MIN_GROUP_REPEAT_BUYERS,
    ProgressFn,
    _default_horizon,
    _noop,
    clv_by_group,
    fit_purchase_model,
    history_refusal,
)
from micromix.clv.spend import GammaGammaModel
from micromix.clv.value import DEFAULT_DISCOUNT_RATE, customer_value
from micromix.errors import ColumnNotFoundError, DataValidationError, MicromixError

if TYPE_CHECKING:
    from micromix.store.base import Store

__all__ = [
    "conversion_values",
    "incremental_lifetime",
    "lifetime_returns",
    "new_customer_values",
]


def lifetime_returns(
    store: Store,
    *,
    by: str = "strategy",
    basis: str = "first-purchase",
    model: str = GROUP_MODEL,
    interval: str = GROUP_INTERVAL,
    time_unit: str = "W",
    horizon: float | None = None,
    calibration_end: Any = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    margin: float = 1.0,
    n_draws: int = 200,
    level: float = 0.9,
    random_state: int = 0,
    tiers: Any = None,
    progress: ProgressFn | None = None,
) -> pd.DataFrame:
    """CLV and lifetime ROAS per acquisition group of the store's customers.

    Parameters
    ----------
    store : micromix.store.Store
        With purchase ``events`` (and ``experiments`` for the incremental figures).
    by : {"strategy", "targeting", "platform", "campaign_id", "creator_tier"}
    basis : {"first-purchase", "first-touch"}
        How a customer's acquisition is read (:func:`~micromix.clv.data.acquisition_groups`).
    model : {"auto-bg", "bgnbd", "mbgnbd", "pareto", "auto", "average"}
        Purchase model fitted to each group (default :data:`GROUP_MODEL`: BG/NBD or MBG/NBD,
        the more likely; ``average``: MBG/NBD and Pareto/NBD averaged with likelihood weights,
        see :func:`~micromix.clv.pipeline.clv_by_group`).
    interval : {"laplace", "mcmc", "bootstrap"}
        Parameter uncertainty behind the intervals (default :data:`GROUP_INTERVAL`;
        ``mcmc``: posterior sampling of each group's purchase model).
    time_unit, horizon, discount_rate, margin, n_draws, level, random_state
        As for :func:`~micromix.clv.pipeline.fit_clv` (horizon default: one year).
    calibration_end : date-like, optional
        Last day of data used (default: the last purchase day).
    tiers : sequence of (name, lower follower bound), optional
        Creator tiers, needed for ``by="creator_tier"``.
    progress : callable, optional

    Returns
    -------
    DataFrame
        One row per group (column ``group``): the :func:`~micromix.clv.pipeline.clv_by_group`
        columns, ``spend``, ``first_purchase_revenue``, ``first_purchase_roas``,
        ``lifetime_revenue``, ``lifetime_roas`` with ``_low`` / ``_high``, and
        ``incremental_lifetime_revenue``, ``incremental_lifetime_roas`` with ``_low`` /
        ``_high`` and ``experiments`` (NaN / 0 without holdouts). ``attrs`` holds the settings.
    """
    update = progress or _noop
    update("reading purchases", 0.0)
    daily = transactions_from_store(store)
    summary = summary_from_daily(daily, calibration_end=calibration_end, time_unit=time_unit)
    groups = acquisition_groups(store, by=by, basis=basis, tiers=tiers)
    spend = acquisition_spend(store, by=by, until=summary.attrs["calibration_end"], tiers=tiers)
    H = float(horizon) if horizon is not None else _default_horizon(time_unit)
    per_customer: dict[str, pd.DataFrame] = {}
    table = clv_by_group(
        summary,
        groups,
        model=model,
        interval=interval,
        time_unit=time_unit,
        horizon=H,
        discount_rate=discount_rate,
        margin=margin,
        n_draws=n_draws,
        level=level,
        random_state=random_state,
        spend=spend,
        progress=lambda s, f: update(s, 0.05 + 0.8 * f),
        customers=per_customer,
    )
    labels = groups.reindex(summary.index).fillna("none").astype(str)
    first = summary["revenue"] - summary["frequency"] * summary["monetary_value"]
    first_rev = first.groupby(labels.to_numpy()).sum()
    table["first_purchase_revenue"] = table["group"].map(first_rev).astype(float)
    sp = table["spend"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["first_purchase_roas"] = np.where(
            sp > 0, table["first_purchase_revenue"].to_numpy(dtype=float) / sp, np.nan
        )
        table["lifetime_revenue"] = table["revenue_to_date"] + table["clv_total"]
    update("incremental lifetime value from holdouts", 0.9)
    clv = _customer_clv(
        summary, per_customer, model=model, horizon=H, discount_rate=discount_rate,
        margin=margin, time_unit=time_unit, random_state=random_state,
    )  # fmt: skip
    inc = incremental_lifetime(store, summary, clv, by=by, tiers=tiers, level=level)
    table = table.merge(inc, on="group", how="left")
    table["experiments"] = table["experiments"].fillna(0).astype(int)
    table.attrs.update(
        {
            "by": by,
            "basis": basis,
            "horizon": H,
            "time_unit": time_unit,
            "time_unit_name": summary.attrs["time_unit_name"],
            "discount_rate": discount_rate,
            "level": level,
            "calibration_end": summary.attrs["calibration_end"],
            "customers": len(summary),
        }
    )
    update("done", 1.0)
    return table


def _customer_clv(
    summary: pd.DataFrame,
    per_customer: dict[str, pd.DataFrame],
    *,
    model: str,
    horizon: float,
    discount_rate: float,
    margin: float,
    time_unit: str,
    random_state: int,
) -> pd.Series:
    """Every customer's predicted CLV: from their group's models, else from models fitted to all
    customers (groups too small to fit alone)."""
    if history_refusal(summary, horizon, time_unit):  # refused for every group: for all
        return pd.Series(np.nan, index=summary.index, dtype=float)
    parts = [v["clv"] for v in per_customer.values()]
    done = pd.concat(parts) if parts else pd.Series(dtype=float)
    rest = summary.loc[~summary.index.isin(done.index)]
    if len(rest):
        try:
            pm, _ = fit_purchase_model(summary, model=model, interval="none")
            sm = GammaGammaModel(interval="none", random_state=random_state + 1).fit(summary)
        except MicromixError:  # no CLV for them: their holdouts are refused, not guessed
            return done.reindex(summary.index).astype(float)
        vals = customer_value(
            pm, sm, rest, horizon=horizon, discount_rate=discount_rate,
            time_unit=time_unit, margin=margin,
        )  # fmt: skip
        done = pd.concat([done, vals["clv"]])
    return done.reindex(summary.index).astype(float)


def incremental_lifetime(
    store: Store,
    summary: pd.DataFrame,
    clv: pd.Series,
    *,
    by: str = "strategy",
    tiers: Any = None,
    level: float = 0.9,
) -> pd.DataFrame:
    """Incremental lifetime revenue and ROAS per group from the store's holdout experiments.

    Parameters
    ----------
    store : micromix.store.Store
    summary : DataFrame
        RFM summary of the store's customers (``revenue`` to date).
    clv : Series
        Predicted future CLV per customer id; an experiment with a customer whose CLV is
        missing is left out (refused, not counted as 0).
    by, tiers
        The grouping of campaigns (a campaign belongs to the group of its events' ``by``).
    level : float
        Interval mass.

    Returns
    -------
    DataFrame
        Per group with at least one experiment: ``group``, ``experiments``,
        ``incremental_lifetime_revenue``, ``incremental_lifetime_roas`` with ``_low`` /
        ``_high``. Empty when the store has no experiments.
    """
    cols = [
        "group", "experiments", "incremental_lifetime_revenue", "incremental_lifetime_roas",
        "incremental_lifetime_roas_low", "incremental_lifetime_roas_high",
    ]  # fmt: skip
    if not store.has_table("experiments") or store.count("experiments") == 0:
        return pd.DataFrame(columns=cols)
    ex = store.table("experiments")
    exp = store.execute(ex.select("experiment_id", "unit_id", "arm", "campaign_id"))
    exp = exp[exp["campaign_id"].notna() & exp["arm"].isin(["treatment", "control"])]
    if exp.empty:
        return pd.DataFrame(columns=cols)
    t = _labelled(store, by, tiers)
    t = t.filter(t.campaign_id.notnull() & t.grp.notnull())
    end = pd.Timestamp(summary.attrs["calibration_end"]) + pd.Timedelta(days=1)
    t = t.filter(t.ts < end.to_pydatetime())
    camp = store.execute(
        t.group_by([t.campaign_id, t.grp]).aggregate(spend=t.cost.sum().fill_null(0.0), n=t.count())
    )
    # a campaign's group: the label most of its events carry; its spend: all of its cost
    camp = camp.sort_values(["campaign_id", "n"], ascending=[True, False])
    spend = camp.groupby("campaign_id")["spend"].sum()
    grp = camp.drop_duplicates("campaign_id").set_index("campaign_id")["grp"]
    value = (summary["revenue"] + clv.reindex(summary.index)).astype(float)
    z = stats.norm.ppf(0.5 + level / 2)
    acc: dict[str, list[float]] = {}
    for (_eid, cid), d in exp.groupby(["experiment_id", "campaign_id"], sort=True):
        if cid not in grp.index or not spend.get(cid, 0.0) > 0:
            continue
        d = d.drop_duplicates("unit_id")
        v = value.reindex(d["unit_id"]).to_numpy()
        buyers = d["unit_id"].isin(value.index).to_numpy()
        if np.isnan(v[buyers]).any():  # a customer without a predicted CLV: refused
            continue
        v = np.where(buyers, v, 0.0)
        treated = (d["arm"] == "treatment").to_numpy()
        n_t, n_c = int(treated.sum()), int((~treated).sum())
        if n_t < 2 or n_c < 2:
            continue
        diff = v[treated].mean() - v[~treated].mean()
        var = v[treated].var(ddof=1) / n_t + v[~treated].var(ddof=1) / n_c
        a = acc.setdefault(str(grp[cid]), [0, 0.0, 0.0, 0.0])
        a[0] += 1
        a[1] += diff * n_t
        a[2] += var * n_t**2
        a[3] += float(spend[cid])
    rows = []
    for g, (n, inc, var, sp) in sorted(acc.items()):
        half = z * np.sqrt(var)
        rows.append(
            {
                "group": g,
                "experiments": int(n),
                "incremental_lifetime_revenue": inc,
                "incremental_lifetime_roas": inc / sp,
                "incremental_lifetime_roas_low": (inc - half) / sp,
                "incremental_lifetime_roas_high": (inc + half) / sp,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def new_customer_values(
    summary: pd.DataFrame,
    segments: pd.Series | None = None,
    *,
    model: str = GROUP_MODEL,
    horizon: float | None = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    margin: float = 1.0,
    n_draws: int = 200,
    level: float = 0.9,
    random_state: int = 0,
) -> pd.DataFrame:
    """The value of one new conversion per segment: mean first purchase + the discounted CLV of
    a newly acquired customer, from models fitted to the segment's customers.

    A segment with fewer than :data:`~micromix.clv.pipeline.MIN_GROUP_REPEAT_BUYERS` repeat
    buyers gets the value of all customers together (``basis`` says which).

    Parameters
    ----------
    summary : DataFrame
        RFM summary of the customers (index: customer id).
    segments : Series, optional
        Segment per customer id (customers without one: ``"none"``); default one segment,
        ``"all"``.
    model, horizon, discount_rate, margin, n_draws, level, random_state
        As for :func:`~micromix.clv.pipeline.fit_clv`.

    Returns
    -------
    DataFrame
        Indexed by segment: ``customers``, ``repeat_buyers``, ``first_purchase_value``,
        ``future_value`` (the new customer's CLV), ``value`` with ``value_low`` /
        ``value_high`` (interval of the CLV part), ``basis`` (``segment`` or ``all``);
        ``attrs["pooled_value"]`` is the value of a new customer of all customers together.
    """
    unit = str(summary.attrs.get("time_unit", "W"))
    H = float(horizon) if horizon is not None else _default_horizon(unit)
    if segments is None:
        labels = pd.Series("all", index=summary.index)
    else:
        labels = segments.reindex(summary.index).fillna("none").astype(str)
    hyper: dict[str, Any] = dict(
        model=model, horizon=H, discount_rate=discount_rate, margin=margin, n_draws=n_draws,
        level=level, random_state=random_state, unit=unit,
    )  # fmt: skip
    pooled = _new_value(summary, **hyper)
    if pooled is None:
        raise DataValidationError(
            f"{summary.attrs.get('source', 'the purchases')}: fewer than "
            f"{MIN_GROUP_REPEAT_BUYERS} repeat buyers; a conversion cannot be valued at its CLV "
            "- pass a number to --value-per-conversion"
        )
    rows: dict[str, dict[str, Any]] = {}
    for g in sorted(labels.unique()):
        sub = summary[labels.to_numpy() == g]
        own = _new_value(sub, **hyper) if g != "all" else pooled
        row: dict[str, Any] = dict(own if own is not None else pooled)
        row["basis"] = "segment" if own is not None else "all"
        row["customers"] = len(sub)
        row["repeat_buyers"] = int((sub["frequency"] > 0).sum())
        rows[g] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "segment"
    cols = [
        "customers", "repeat_buyers", "first_purchase_value", "future_value", "value",
        "value_low", "value_high", "basis",
    ]  # fmt: skip
    out = out[cols]
    out.attrs.update(
        {"horizon": H, "time_unit": unit, "level": level, "pooled_value": pooled["value"]}
    )
    return out


def _new_value(
    sub: pd.DataFrame,
    *,
    model: str,
    horizon: float,
    discount_rate: float,
    margin: float,
    n_draws: int,
    level: float,
    random_state: int,
    unit: str,
) -> dict[str, float] | None:
    """Value of a new customer of ``sub``'s population, or None when it cannot be fitted."""
    if int((sub["frequency"] > 0).sum()) < MIN_GROUP_REPEAT_BUYERS:
        return None
    try:
        pm, _ = fit_purchase_model(
            sub, model=model, n_draws=n_draws, level=level, random_state=random_state
        )
        sm = GammaGammaModel(n_draws=n_draws, level=level, random_state=random_state + 1).fit(sub)
    except MicromixError:
        return None
    new = pd.DataFrame(
        {"frequency": [0.0], "recency": [0.0], "T": [0.0], "monetary_value": [0.0]},
        index=pd.Index(["new"], name="customer_id"),
    )
    vals = customer_value(
        pm, sm, new, horizon=horizon, discount_rate=discount_rate, time_unit=unit,
        margin=margin, level=level,
    ).iloc[0]  # fmt: skip
    first = float((sub["revenue"] - sub["frequency"] * sub["monetary_value"]).mean())
    return {
        "first_purchase_value": margin * first,
        "future_value": float(vals["clv"]),
        "value": margin * first + float(vals["clv"]),
        "value_low": margin * first + float(vals["clv_low"]),
        "value_high": margin * first + float(vals["clv_high"]),
    }


def conversion_values(
    store: Store,
    people: pd.DataFrame,
    *,
    segment_col: str | None = None,
    user_col: str = "user_id",
    model: str = GROUP_MODEL,
    horizon: float | None = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    margin: float = 1.0,
    n_draws: int = 200,
    level: float = 0.9,
    random_state: int = 0,
) -> tuple[pd.Series, pd.DataFrame]:
    """Each person's value of one conversion: their segment's new-customer lifetime value.

    The store's customers are split by ``people[segment_col]`` (matched on ``user_col``) and
    :func:`new_customer_values` values a new customer of each segment from the segment's own
    purchase and spend models (all customers together for a segment too small to fit).

    Parameters
    ----------
    store : micromix.store.Store
        With purchase ``events``.
    people : DataFrame
        The people to value (e.g. uplift scores), with ``user_col`` and ``segment_col``.
    segment_col : str, optional
        Segment column of ``people`` (default: one value for everyone).
    user_col : str
    model, horizon, discount_rate, margin, n_draws, level, random_state
        As for :func:`new_customer_values`.

    Returns
    -------
    (Series, DataFrame)
        The value per row of ``people`` (same index), and the per-segment table.
    """
    for col in (user_col, segment_col) if segment_col is not None else ():
        if col not in people.columns:
            raise ColumnNotFoundError(
                f"the people to value have no column {col!r}; columns: "
                f"{', '.join(map(str, list(people.columns)[:20]))}"
            )
    summary = summary_from_daily(transactions_from_store(store), time_unit="W")
    segments = None
    if segment_col is not None:
        seg = people[[user_col, segment_col]].dropna().drop_duplicates(user_col)
        segments = seg.set_index(user_col)[segment_col].astype(str)
    table = new_customer_values(
        summary, segments, model=model, horizon=horizon, discount_rate=discount_rate,
        margin=margin, n_draws=n_draws, level=level, random_state=random_state,
    )  # fmt: skip
    if segment_col is None:
        keys = pd.Series("all", index=people.index)
    else:
        keys = people[segment_col].astype("string").fillna("none").astype(str)
    values = keys.map(table["value"]).astype(float).fillna(table.attrs["pooled_value"])
    values.name = "conversion_value"
    return values, table
