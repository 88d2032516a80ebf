"""Transactions in, RFM summaries out: the data layer of the CLV package.

A transactions table has one row per purchase: a customer id, a date and (optionally) a value.
It comes from any file (:func:`micromix.ingest.files.read_table`) or from the store's
``events`` (rows with ``event_type == "purchase"``; :func:`transactions_from_store` runs the
filtering and the per-day roll-up in the store's engine).

Conventions (those of Fader, Hardie & Lee 2005 and the BTYD literature):

* purchases by one customer on one **calendar day** are one transaction whose value is the
  day's total (CDNOW has 6,919 rows but 6,696 customer-days);
* **frequency** *x* is the number of *repeat* transaction days in the calibration period (the
  first purchase is not counted), **recency** *t_x* the time from the first to the last
  purchase, **T** the time from the first purchase to the end of calibration, all computed in
  days and divided by the length of the time unit (7 for weeks);
* **monetary_value** is the average value of the repeat transactions in calibration (the first
  purchase left out), 0 for customers without one;
* the calibration period includes its end date; the holdout period runs from the day after it
  to the holdout end, inclusive; customers whose first purchase is after the calibration end
  are not in the summary (``summary.attrs["customers_after_calibration"]`` counts them).

Quickstart
----------
>>> import pandas as pd
>>> from micromix.clv.data import rfm_summary
>>> tx = pd.DataFrame({"cust": ["a", "a", "a", "b"],
...                    "day": ["1997-01-01", "1997-01-15", "1997-01-15", "1997-01-08"],
...                    "amount": [10.0, 5.0, 7.0, 20.0]})
>>> s = rfm_summary(tx, customer_col="cust", date_col="day", value_col="amount",
...                 calibration_end="1997-01-29")
>>> s[["frequency", "recency", "T", "monetary_value"]].round(2).to_dict("index")["a"]
{'frequency': 1.0, 'recency': 2.0, 'T': 4.0, 'monetary_value': 12.0}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis
import numpy as np
import pandas as pd

from micromix.errors import ConfigError, DataValidationError, StoreError
from micromix.schema.purchases import parse_purchase_dates, read_purchases
from micromix.schema.values import blank_cells
from micromix.store.base import user_tables

if TYPE_CHECKING:
    from micromix.store.base import Store

__all__ = [
    "ACQUISITION_BASES",
    "ACQUISITION_DIMENSIONS",
    "DUPLICATE_ROWS_SHOWN",
    "TIME_UNITS",
    "acquisition_groups",
    "acquisition_spend",
    "daily_purchases",
    "duplicate_rows",
    "rfm_summary",
    "summary_from_daily",
    "transactions_from_store",
]

#: time units: name -> length in days (recency and age are computed in days, then divided)
TIME_UNITS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}
#: what a customer's acquisition can be grouped by (event columns, and the creator's tier)
ACQUISITION_DIMENSIONS: tuple[str, ...] = (
    "strategy",
    "targeting",
    "platform",
    "campaign_id",
    "creator_tier",
)
#: how a customer's acquisition is read from the events (see :func:`acquisition_groups`)
ACQUISITION_BASES: tuple[str, ...] = ("first-purchase", "first-touch")

_UNIT_NAMES = {"D": "days", "W": "weeks", "M": "months"}


def _day(value: Any, what: str) -> pd.Timestamp | None:
    if value is None:
        return None
    parsed = parse_purchase_dates(pd.Series([value]))
    if pd.isna(parsed.iloc[0]):
        raise ConfigError(f"{what} {value!r} is not a date; use an ISO date such as 1997-09-30")
    return pd.Timestamp(parsed.iloc[0]).normalize()


def _unit_days(time_unit: str) -> float:
    if time_unit not in TIME_UNITS:
        raise ConfigError(
            f"time_unit={time_unit!r} is not supported; choose one of {', '.join(TIME_UNITS)}"
        )
    return TIME_UNITS[time_unit]


def daily_purchases(
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    value_col: str | None = None,
    source: str = "transactions",
    dayfirst: bool | None = None,
    quantity_col: str | None = None,
    skip_missing_ids: bool = False,
    skip_returns: bool = False,
    order_col: str | None = None,
    order_value: str | None = None,
) -> pd.DataFrame:
    """Validate a transactions table and collapse it to one row per customer and day.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_col, date_col, value_col : str
        Column names; ``value_col`` may be ``None`` (no spend model then).
    source : str
        File name (or other label) used in error messages.
    dayfirst : bool, optional
        Order of slash dates (``03/04/2024``); None detects it from the column and refuses a
        column where every date could be read either way.
    quantity_col, skip_missing_ids, skip_returns
        Line items (value = ``value_col`` x ``quantity_col``), and rows to leave out (counted in
        ``attrs["left_out"]``) instead of refusing the table; see
        :func:`micromix.schema.purchases.read_purchases`.
    order_col : str, optional
        One row per line item (Shopify's orders export: ``Name``): rows sharing an order id are
        one purchase whose value is the sum of the order's filled value cells (the total may
        sit on the order's first row only); customer and date cells left empty on some of its
        rows are the order's; see :func:`~micromix.schema.purchases.read_purchases`. Orders,
        not line rows, are then the ``transactions`` of a day; ``attrs["orders"]`` says how
        many line rows became how many orders.
    order_value : {"sum", "total"}, optional
        With ``order_col``: add an order's value cells (line prices) or take its total once (a
        total repeated on every line row); by default they are added, and a file that looks
        like repeated totals is refused (see :func:`~micromix.schema.purchases.read_purchases`).

    Customer ids are compared as text without surrounding blanks, an integer written as a float
    (``17850.0``) being the integer; values are read like every other number in micromix
    (``2,408.52``, ``$194.41``); a timestamp's UTC offset is dropped, so a purchase counts on
    the day of the clock it was written in; rows with no cell filled are skipped. Rows that
    repeat an earlier row in every column are counted in ``attrs["duplicate_rows"]``
    (``rows``, ``dropped``, ``first_dropped`` and ``first_kept`` 1-based, ``order_col``) and
    left out when they are blocks copied from earlier rows (a report downloaded twice and
    pasted together, order ids included; see :func:`duplicate_rows`); scattered equal rows are
    kept, as separate purchases (or, with ``order_col``, separate lines of the order).

    Returns
    -------
    DataFrame
        ``customer_id`` (text), ``date`` (midnight), ``value`` (the day's total, 0.0 when there is no
        value column) and ``transactions`` (rows, or with ``order_col`` orders, merged into the
        day).

    Raises
    ------
    ColumnNotFoundError
        A named column is missing.
    DataValidationError
        The customer id column is empty everywhere or in a row, a date is empty or not a
        date, or a value is empty, not a number or negative. The message names the source,
        the first offending row (1-based, header not counted) and the field.
    """
    dup, copied = duplicate_rows(transactions)
    # scattered equal rows stay, with an order id too: a line-item file whose columns are the
    # order's alone (Name, Email, Total on every line) repeats rows that are separate lines
    drop = copied
    if drop.any():
        # a repeated row is left out where it stands, as a row with no cell filled (which
        # read_purchases skips), so every message still names the file's own row numbers
        table = transactions.reset_index(drop=True).astype(object)
        transactions = table.mask(np.broadcast_to(drop[:, None], table.shape))
    frame = read_purchases(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        value_col=value_col,
        source=source,
        dayfirst=dayfirst,
        quantity_col=quantity_col,
        skip_missing_ids=skip_missing_ids,
        skip_returns=skip_returns,
        order_col=order_col,
        order_value=order_value,
    )
    n, left_out = len(frame), dict(frame.attrs.get("left_out", {}))
    orders = frame.attrs.get("orders")
    frame["date"] = frame.pop("ts").dt.normalize()
    frame["transactions"] = 1
    daily = frame.groupby(["customer_id", "date"], as_index=False, sort=True).agg(
        value=("value", "sum"), transactions=("transactions", "sum")
    )
    daily.attrs["source"] = source
    daily.attrs["has_value"] = bool(value_col)
    daily.attrs["rows"] = n
    daily.attrs["left_out"] = left_out
    for how in ("decimal_comma", "email_case"):  # what reading the file took as written
        if how in frame.attrs:
            daily.attrs[how] = dict(frame.attrs[how])
    if orders is not None:
        daily.attrs["orders"] = dict(orders)
    if dup.any():

        def first(mask: np.ndarray) -> list[int]:
            return [int(i) + 1 for i in np.flatnonzero(mask)[:DUPLICATE_ROWS_SHOWN]]

        daily.attrs["duplicate_rows"] = {
            "rows": int(dup.sum()),
            "dropped": int(drop.sum()),
            "first_dropped": first(drop),
            "first_kept": first(dup & ~drop),
            "order_col": order_col,
        }
    return daily


#: how many row numbers of repeated rows a message names
DUPLICATE_ROWS_SHOWN = 5


def duplicate_rows(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rows that repeat an earlier row in every column, as a mask (rows with no cell filled
    are not counted: they are no purchase at all), and those of them that are copied blocks:
    runs of two rows or more that repeat an earlier run of as many other rows in order.

    A report downloaded twice and pasted together repeats a block of rows; a purchase log
    without order ids can hold two equal rows that are two purchases (CDNOW's same-day
    purchases of the same value), scattered single rows.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"c": ["a", "b", "a", None], "v": [1.0, 2.0, 1.0, None]})
    >>> dup, copied = duplicate_rows(pd.concat([t, t.iloc[:2]]))
    >>> dup.tolist()
    [False, False, True, False, True, True]
    >>> copied.tolist()
    [False, False, False, False, True, True]

    A file ending with a real repeat, pasted twice: the repeat stays, the copy is found.

    >>> u = pd.DataFrame({"c": ["a", "b", "c", "c"], "v": [1.0, 2.0, 3.0, 3.0]})
    >>> duplicate_rows(pd.concat([u, u]))[1].tolist()
    [False, False, False, False, True, True, True, True]
    """
    none = np.zeros(len(table), dtype=bool)
    if table.empty:
        return none, none
    t = table.reset_index(drop=True)
    try:
        keys = pd.util.hash_pandas_object(t, index=False).to_numpy()
    except TypeError:  # nested JSON cells (objects, lists) compare by their text
        keys = pd.util.hash_pandas_object(t.astype(str), index=False).to_numpy()
    blank = np.logical_and.reduce([blank_cells(t[c]) for c in t.columns])
    dup = pd.Series(keys).duplicated(keep="first").to_numpy(dtype=bool) & ~blank
    copied = none.copy()
    if not dup.any():
        return dup, copied
    first = pd.Series(np.arange(len(t))).groupby(keys).transform("min").to_numpy()
    pos = np.flatnonzero(dup)
    for run in np.split(pos, np.flatnonzero(np.diff(pos) != 1) + 1):
        if len(run) < 2:
            continue
        # a pasted block repeats the rows a fixed distance back; a real repeat at the join (the
        # last row of the original equal to the one before it) must not hide it, so every
        # distance the run's rows point back by is tried, the most common first
        for d in pd.Series(run - first[run]).value_counts().index[:_MAX_OFFSETS]:
            d = int(d)
            rows = run[run - d >= 0]
            same = keys[rows] == keys[rows - d]
            for seg in np.split(rows, np.flatnonzero(~same | (np.diff(rows, prepend=-2) != 1))):
                seg = seg[same[np.searchsorted(rows, seg)]]
                if 2 <= len(seg) <= d:  # a block of 2+ rows, after the rows it copies
                    copied[seg] = True
    return dup, copied


#: distances back a run of repeated rows is compared at (the most common ones)
_MAX_OFFSETS = 50


def summary_from_daily(
    daily: pd.DataFrame,
    *,
    calibration_end: Any = None,
    holdout_end: Any = None,
    time_unit: str = "W",
) -> pd.DataFrame:
    """RFM summary (one row per customer) from :func:`daily_purchases` output.

    Parameters
    ----------
    daily : DataFrame
        ``customer_id``, ``date``, ``value`` (one row per customer-day).
    calibration_end : date-like, optional
        Last day of the calibration period (inclusive); default the last purchase day.
    holdout_end : date-like, optional
        Last day of the holdout period (inclusive); needs ``calibration_end``.
    time_unit : {"D", "W", "M"}
        Unit of recency, T and the holdout duration (days / 7 for weeks).

    Returns
    -------
    DataFrame
        Indexed by customer id: ``frequency``, ``recency``, ``T``, ``monetary_value``,
        ``revenue`` (all calibration purchases, the first included), ``first_purchase``; with a holdout also ``frequency_holdout``,
        ``monetary_value_holdout`` and ``duration_holdout``. ``attrs`` records the settings.
    """
    unit = _unit_days(time_unit)
    source = str(daily.attrs.get("source", "transactions"))
    if len(daily) == 0:
        raise DataValidationError(f"{source}: no purchases to summarise")
    first_day = pd.Timestamp(daily["date"].min())
    last_day = pd.Timestamp(daily["date"].max())
    cal = _day(calibration_end, "calibration end")
    hold = _day(holdout_end, "holdout end")
    if hold is not None and cal is None:
        raise ConfigError(
            "a holdout end needs a calibration end: pass --calibration-end too (the holdout "
            "runs from the day after it)"
        )
    if cal is None:
        cal = last_day
    if hold is not None and hold <= cal:
        raise ConfigError(
            f"the dates are out of order: holdout end {hold.date()} must be after calibration "
            f"end {cal.date()}"
        )
    if cal < first_day:
        raise ConfigError(
            f"calibration end {cal.date()} is before the first purchase in {source} "
            f"({first_day.date()}); choose a later calibration end"
        )
    # vectorised over customer codes (hash-factorised once): fast for millions of rows
    codes, ids = pd.factorize(daily["customer_id"], sort=True)
    day = daily["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    val = daily["value"].to_numpy(dtype=float)
    cal_d = np.datetime64(cal.date(), "D").astype(np.int64)
    n_ids = len(ids)
    in_cal = day <= cal_d
    c_cal = codes[in_cal]
    n_days = np.bincount(c_cal, minlength=n_ids)
    present = n_days > 0
    first = np.full(n_ids, np.iinfo(np.int64).max)
    np.minimum.at(first, c_cal, day[in_cal])
    last = np.full(n_ids, np.iinfo(np.int64).min)
    np.maximum.at(last, c_cal, day[in_cal])
    total = np.bincount(c_cal, weights=val[in_cal], minlength=n_ids)
    is_first = in_cal & (day == first[codes])  # one row per customer-day, so one first row
    first_value = np.bincount(codes[is_first], weights=val[is_first], minlength=n_ids)
    x = (n_days - 1.0)[present]
    repeat_value = (total - first_value)[present]
    f, lst = first[present], last[present]
    summary = pd.DataFrame(
        {
            "frequency": x,
            "recency": (lst - f) / unit,
            "T": (cal_d - f) / unit,
            "monetary_value": np.where(x > 0, repeat_value / np.where(x > 0, x, 1.0), 0.0),
            "revenue": total[present],
            "first_purchase": f.astype("datetime64[D]").astype("datetime64[ns]"),
        },
        index=pd.Index(ids[present], name="customer_id"),
    )
    after = ~in_cal
    if hold is not None:
        hold_d = np.datetime64(hold.date(), "D").astype(np.int64)
        h = after & (day <= hold_d) & present[codes]
        hn = np.bincount(codes[h], minlength=n_ids)[present].astype(float)
        hv = np.bincount(codes[h], weights=val[h], minlength=n_ids)[present]
        summary["frequency_holdout"] = hn
        summary["monetary_value_holdout"] = np.where(hn > 0, hv / np.where(hn > 0, hn, 1.0), 0.0)
        summary["duration_holdout"] = (hold - cal).days / unit
    later = np.unique(codes[after & ~present[codes]]).size
    summary.attrs.update(
        {
            "source": source,
            "calibration_end": cal.date().isoformat(),
            "holdout_end": hold.date().isoformat() if hold is not None else None,
            "time_unit": time_unit,
            "time_unit_name": _UNIT_NAMES[time_unit],
            "first_purchase_day": first_day.date().isoformat(),
            "last_purchase_day": last_day.date().isoformat(),
            "customers_after_calibration": int(later),
            "purchase_days_after_holdout": int((daily["date"] > hold).sum())
            if hold is not None
            else 0,
            "purchase_days_after_calibration": int(after.sum()),
            "has_value": bool(daily.attrs.get("has_value", True)),
        }
    )
    return summary


def rfm_summary(
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    value_col: str | None = None,
    calibration_end: Any = None,
    holdout_end: Any = None,
    time_unit: str = "W",
    source: str = "transactions",
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """RFM summary of a transactions table: :func:`daily_purchases` then
    :func:`summary_from_daily` (see both, and the module docstring for the conventions)."""
    return daily_and_summary(**locals())[1]


def daily_and_summary(
    transactions: pd.DataFrame,
    *,
    calibration_end: Any = None,
    holdout_end: Any = None,
    time_unit: str = "W",
    **columns: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`daily_purchases` (``columns``: its keyword arguments) and the
    :func:`summary_from_daily` of it; see :func:`rfm_summary`."""
    daily = daily_purchases(transactions, **columns)
    summary = summary_from_daily(
        daily, calibration_end=calibration_end, holdout_end=holdout_end, time_unit=time_unit
    )
    return daily, summary


def transactions_from_store(store: Store) -> pd.DataFrame:
    """Purchases in the store's ``events`` as :func:`daily_purchases` output.

    The filter (``event_type == "purchase"``) and the roll-up to one row per user and day run
    in the store's engine (DuckDB, Spark or a warehouse); only the daily rows come back.

    Raises
    ------
    StoreError
        The store has no purchase events.
    """
    t = store.table("events")
    p = t.filter(t.event_type == "purchase")
    expr = p.group_by([p.user_id.name("customer_id"), p.ts.date().name("date")]).aggregate(
        value=p.revenue.sum().fill_null(0.0), transactions=p.count()
    )
    daily = store.execute(expr)
    if len(daily) == 0:
        raise StoreError(_no_purchases(store))
    daily["date"] = pd.to_datetime(daily["date"]).astype("datetime64[ns]")
    daily["value"] = daily["value"].astype(float)
    daily = daily.sort_values(["customer_id", "date"]).reset_index(drop=True)
    daily.attrs.update(
        {
            "source": f"{store.path} (events)",
            "has_value": True,
            "rows": int(daily["transactions"].sum()),
        }
    )
    return daily


def _no_purchases(store: Store) -> str:
    """Why a store gives no customers to follow, and what to bring: the store's tables as they
    are (a store of ad exports alone has spend and clicks, but no customer who bought)."""
    # the user's data: no service bookkeeping (keys, audit, the erasure key), no ingestion records
    data = [
        n for n in user_tables(store.tables(), without="bookkeeping") if not n.startswith("ingest_")
    ]
    held = [f"{store.count(n):,} {n} row(s)" for n in data if store.count(n)]
    holds = f"it holds {', '.join(held)}" if held else "it holds no rows"
    return (
        f"no purchase events in {store.path} ({holds}), so there are no customers to follow: "
        "lifetime value needs each customer's purchases - ingest an events file with purchase "
        "rows (user id, time, revenue: micromix ingest events FILE, docs/ingest.md), or fit a "
        "transactions file with micromix clv fit --data FILE"
    )


def _check_dimension(by: str, tiers: Any) -> None:
    if by not in ACQUISITION_DIMENSIONS:
        raise ConfigError(
            f"by={by!r} is not supported; choose one of {', '.join(ACQUISITION_DIMENSIONS)}"
        )
    if by == "creator_tier" and not tiers:
        raise ConfigError(
            "by='creator_tier' needs the creator tiers (name, lower follower bound), e.g. "
            "micromix.metrics.compare.DEFAULT_TIERS"
        )


def _labelled(store: Store, by: str, tiers: Any) -> Any:
    """The store's events with a ``grp`` column: the value of ``by`` (for ``creator_tier``,
    the tier of the event's creator by followers, from the ``creators`` table)."""
    t = store.table("events")
    if by != "creator_tier":
        return t.mutate(grp=t[by])
    if not store.has_table("creators") or store.count("creators") == 0:
        raise StoreError(
            "grouping by creator tier needs creator profiles; ingest them with "
            "'micromix ingest creators FILE' (or run micromix demo)"
        )
    cr = store.table("creators")
    bounds = sorted(tiers, key=lambda nb: nb[1])
    tier: Any = ibis.cases(
        *[(cr.followers >= lo, name) for name, lo in reversed(bounds)], else_=None
    )
    cr = cr.select(cid=cr.creator_id, grp=tier)
    return t.left_join(cr, t.creator_id == cr.cid).drop("cid")


def acquisition_groups(
    store: Store, *, by: str = "strategy", basis: str = "first-purchase", tiers: Any = None
) -> pd.Series:
    """Each purchasing customer's acquisition group.

    ``basis="first-purchase"`` (the default): the value of ``by`` on the customer's first
    purchase event, i.e. the campaign the purchase was credited to (``direct`` for an
    uncredited one). ``basis="first-touch"``: the value of ``by`` on the customer's earliest
    event, at or before their first purchase, that carries one. Customers without a value are
    in group ``"none"``. Runs in the store's engine.

    Parameters
    ----------
    store : micromix.store.Store
    by : {"strategy", "targeting", "platform", "campaign_id", "creator_tier"}
    basis : {"first-purchase", "first-touch"}
    tiers : sequence of (name, lower follower bound), optional
        Needed for ``by="creator_tier"``.

    Returns
    -------
    Series
        Indexed by customer id, named ``by``.
    """
    _check_dimension(by, tiers)
    if basis not in ACQUISITION_BASES:
        raise ConfigError(
            f"basis={basis!r} is not supported; choose one of {', '.join(ACQUISITION_BASES)}"
        )
    t = _labelled(store, by, tiers)
    p = t.filter(t.event_type == "purchase")
    first = p.group_by(p.user_id.name("uid")).aggregate(first_ts=p.ts.min())
    if basis == "first-purchase":
        touches = p.filter(p.grp.notnull())
    else:
        touches = t.filter(t.grp.notnull())
    touches = touches.join(first, touches.user_id == first.uid)
    touches = touches.filter(touches.ts <= touches.first_ts)
    if basis == "first-purchase":
        touches = touches.filter(touches.ts == touches.first_ts)
    expr = touches.group_by(touches.user_id.name("customer_id")).aggregate(
        group=touches.grp.argmin(touches.ts)
    )
    got = store.execute(expr).set_index("customer_id")["group"]
    buyers = store.execute(first.select(customer_id=first.uid))["customer_id"]
    out = got.reindex(pd.Index(buyers, name="customer_id")).fillna("none").astype(str)
    out.name = by
    return out.sort_index()


def acquisition_spend(
    store: Store, *, by: str = "strategy", until: Any = None, tiers: Any = None
) -> pd.Series:
    """Media cost in the store's ``events`` per value of ``by`` (up to the day ``until``).

    This is all the spend of a strategy, attributed to the customers it acquired; it is not
    an incremental figure. Runs in the store's engine.
    """
    _check_dimension(by, tiers)
    t = _labelled(store, by, tiers)
    t = t.filter(t.grp.notnull())
    end = _day(until, "spend end")
    if end is not None:
        t = t.filter(t.ts < (end + pd.Timedelta(days=1)).to_pydatetime())
    got = store.execute(
        t.group_by(t.grp.name("group")).aggregate(spend=t.cost.sum().fill_null(0.0))
    )
    out = got.set_index("group")["spend"].astype(float).sort_index()
    out.name = "spend"
    return out
