"""The KPI engine: every KPI defined once, computed only when asked, never across currencies.

Additive *measures* (impressions, clicks, spend, conversions, revenue, engagements ...) are summed
per group in the engine (one scan, one compiled query); *ratios* (CTR, CPM, CPC, CVR, CPA, ROAS,
ROI, engagement rate, cost per engagement, frequency) are computed from those sums — never as
averages of ratios — and an undefined value is null: a zero denominator, or a sum some rows do
not report (revenue where the ad reports carry no conversion value is null, not 0).

Ask for a subset with ``kpis=["ctr", "cpa"]``: the measures they depend on are computed and
nothing else (no reach scan for CTR, no EMV scan for CPA). On DuckDB the compiled query
is cached per (table schema, source, dimensions, grain, KPI set), so a repeated request only
executes.

The engine is split along its seams, each module readable on its own (every name stays
importable from here):

- :mod:`~micromix.metrics.catalogue` — the measures, the ratio KPIs (:class:`Ratio`,
  :func:`register_ratio`) and the plan of a request (:class:`KpiPlan`, :func:`kpi_plan`);
- :mod:`~micromix.metrics.measures` — the measures as Ibis expressions (:func:`kpi_expr`);
- :mod:`~micromix.metrics.finish` — the pandas finishing: currencies, ratios, EMV, dtypes;
- :mod:`~micromix.metrics.notes` — the sentences saying what the figures are;
- :mod:`~micromix.metrics.querycache` — the compiled-query cache;
- this module — :func:`compute_kpis`: picks the source, runs the query, spreads date ranges.

Money is never summed across currencies: rows are grouped by ``currency`` (a null currency is
its own group) unless ``fx`` converts them with rates the user supplies
(:class:`~micromix.metrics.fx.FxRates`).

Sources
-------
``events``
    One row per interaction (impressions are rows with ``event_type = 'impression'``); reach is
    the number of distinct users with an impression. The events contract has no currency column
    today: pass ``currency="USD"`` to state the currency of ``cost``/``revenue`` (a ``currency``
    column, when the table has one, is used instead).
``ads``
    The ``ad_performance`` table (platform reports). Reach is the sum of reported reach: exact
    for one row, an *upper bound* for a group of several rows (``reach_is_upper_bound``). A row
    covering a date range (``date_end``) longer than the requested grain is refused unless
    ``spread=True`` spreads it evenly over its days.
``posts``
    Organic posts: posts, likes, comments, shares, saves, views, engagements (likes + comments +
    shares + saves, as ``social listen`` counts them), the engagements the platform reports where
    its export has them (``reported_engagements``: X's count, clicks included), engagement rate
    per view and per follower (of ``engagements``; followers from ``creators`` by ``author_id``
    and platform). Views are each platform's own: plays, and on X its impressions
    (:data:`IMPRESSION_VIEWS`); ``views_measure`` beside them says which a row counts,
    and earned media value as defined in :mod:`micromix.social.emv` (US$).

Quickstart
----------
>>> import pandas as pd
>>> from micromix.store import Store
>>> from micromix.metrics import compute_kpis
>>> st = Store.open(":memory:")
>>> _ = st.append("ad_performance", pd.DataFrame({
...     "platform": ["facebook", "facebook"], "campaign_id": ["a", "b"], "age": ["30-34", "30-34"],
...     "impressions": [1000, 0], "clicks": [10, 0], "spend": [5.0, 0.0], "conversions": [1.0, 0.0],
...     "currency": ["USD", "USD"]}))
>>> compute_kpis(st, by=["age"], source="ads", kpis=["ctr", "cpa"]).to_dict("records")
[{'age': '30-34', 'currency': 'USD', 'ctr': 0.01, 'cpa': 5.0}]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError, DataValidationError
from micromix.metrics.catalogue import (  # noqa: F401  (the catalogue stays importable from here)
    _POST_COUNTS,
    EMV_CURRENCY,
    GRAINS,
    IMPRESSION_VIEWS,
    KPI_COLUMNS,
    MEASURES,
    POST_KPI_COLUMNS,
    POST_MEASURES,
    POST_RATIOS,
    RATIOS,
    RATIOS_WITHIN,
    SOURCES,
    UNIT_KEY,
    VIEWS_MEASURES,
    KpiPlan,
    Ratio,
    get_ratio,
    kpi_plan,
    register_ratio,
    resolve_kpis,
    restricted,
)
from micromix.metrics.finish import _finish, price_organic_impressions
from micromix.metrics.fx import FxRates, normalise_currency
from micromix.metrics.measures import _ADS_COLUMN, _TRUNC, _crosses_period, kpi_expr, measure_exprs
from micromix.metrics.querycache import (  # noqa: F401
    QUERY_CACHE_SIZE,
    _cached,
    clear_query_cache,
    query_cache_info,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from micromix.store import Store

__all__ = [
    "GRAINS",
    "KPI_COLUMNS",
    "MEASURES",
    "POST_KPI_COLUMNS",
    "RATIOS",
    "SOURCES",
    "KpiPlan",
    "Ratio",
    "clear_query_cache",
    "compute_kpis",
    "get_ratio",
    "kpi_expr",
    "kpi_plan",
    "measure_exprs",
    "price_organic_impressions",
    "query_cache_info",
    "register_ratio",
    "resolve_kpis",
    "resolve_source",
]

_SOURCE_TABLE = {"events": "events", "ads": "ad_performance", "posts": "posts"}


def resolve_source(store: Store, by: Sequence[str], source: str = "auto") -> str:
    """Pick the source for ``by``: events if it has rows and all dimensions, else ads.

    ``posts`` is never picked automatically (its KPIs differ); ask for it with
    ``source="posts"``.
    """
    return _resolve(store, by, source)[0]


def _resolve(store: Store, by: Sequence[str], source: str) -> tuple[str, ir.Table]:
    """The source and its table (counts only to choose ``auto``)."""
    if source != "auto":
        if source not in SOURCES:
            raise ConfigError(f"unknown source {source!r}; use auto or one of {', '.join(SOURCES)}")
        if not store.has_table(_SOURCE_TABLE[source]):
            raise ConfigError(
                f"the store has no {_SOURCE_TABLE[source]} table; ingest {source} first "
                f"(micromix ingest {source} FILE)"
            )
        return source, store.table(_SOURCE_TABLE[source])
    cols: dict[str, list[str]] = {}
    for s in ("events", "ads"):
        if store.count(_SOURCE_TABLE[s]) == 0:  # 0 also when the table does not exist
            continue
        t = store.table(_SOURCE_TABLE[s])
        if all(d in t.columns for d in by):
            return s, t
        cols[s] = list(t.columns)
    posts = 0 if cols else store.count(_SOURCE_TABLE["posts"])
    if posts:
        raise ConfigError(
            f"the store has no events or ad data, only {posts:,} posts, whose KPIs are of their "
            "own kind (engagement, earned media value); ask for them with --source posts "
            "(source='posts')"
        )
    traffic = 0 if cols else store.count("traffic")
    if traffic:
        raise ConfigError(
            f"the store has no events or ad data, only {traffic:,} "
            f"row{'' if traffic == 1 else 's'} of web analytics reports "
            "(GA4 / UA downloads): each is an aggregate over its own period and dimension, not "
            "campaign data, so they have no CTR, CPA or ROAS here; 'micromix report' shows them "
            "(Web and app analytics) and 'micromix export traffic' writes them, and ingesting "
            "ad exports or events gives KPIs"
        )
    if not cols:
        raise ConfigError(
            "the store has no events or ad data yet; run micromix ingest or micromix demo first"
        )
    raise ConfigError(
        f"no data source has all of {', '.join(by)}; "
        + "; ".join(f"{s} columns: {', '.join(c)}" for s, c in cols.items())
    )


def compute_kpis(
    store: Store,
    *,
    by: Sequence[str] = (),
    grain: str | None = None,
    source: str = "auto",
    where: Callable[[ir.Table], Any] | None = None,
    kpis: Iterable[str] | str | None = None,
    currency: str | None = None,
    fx: FxRates | None = None,
    to: str | None = None,
    spread: bool = False,
) -> pd.DataFrame:
    """Compute KPIs by ``by`` (and ``grain``) on the store.

    Parameters
    ----------
    store : micromix.store.Store
    by : sequence of str
        Dimensions (columns of the source table), e.g. ``["platform", "campaign_id"]``.
    grain : {"day", "week", "month"}, optional
    source : {"auto", "events", "ads", "posts"}
        ``auto`` uses events when they exist and have every dimension, else ad reports.
    where : callable, optional
        ``where(table) -> boolean expression`` filter (such requests are not cached).
    kpis : sequence of str or comma-separated str, optional
        The KPIs to output (default: all of the source's); the measures they depend on are
        computed and nothing else.
    currency : str, optional
        ISO code of the money in a table that records no currency (the events today). Never
        used to convert.
    fx : FxRates, optional
        Convert money to ``fx.to`` with these user-supplied rates before summing; a missing
        rate is refused.
    to : str, optional
        Target currency without rates: refused unless all money is already in it.
    spread : bool
        With a ``grain``, spread ad rows covering a longer range evenly over their days
        (otherwise such rows are refused).

    Returns
    -------
    DataFrame
        One row per group: the dimensions, ``period`` (with a grain), ``currency`` (when money
        KPIs are asked and not converted), then the KPI columns; ``reach_is_upper_bound`` follows
        ``reach`` for ad reports. ``attrs`` holds ``source`` and ``notes`` (what the figures
        are: summed reach is an upper bound, rows were spread, money was converted ...).
    """
    by = [b.strip() for b in by if b and b.strip()]
    src, t = _resolve(store, by, source)
    if fx is None and to is not None:
        fx = FxRates.identity(to)
    followers_from = None
    if src == "posts" and store.has_table("creators"):
        followers_from = "creators"
    plan = kpi_plan(
        t.columns,
        source=src,
        by=by,
        grain=grain,
        kpis=kpis,
        fx_daily=bool(fx is not None and fx.dated),
        convert=fx is not None,
        followers_from=followers_from,
    )
    stated = normalise_currency(currency, what="--currency") if currency else None
    fol = store.table("creators") if followers_from else None
    if where is None and getattr(store, "engine", None) == "duckdb" and hasattr(store, "sql"):
        # DuckDB: the compiled SQL names tables only, so it serves any store whose table has
        # the same schema; a repeated request only executes
        schema = tuple((k, str(v)) for k, v in t.schema().items())
        fschema = tuple(fol.columns) if fol is not None else ()
        key = ("duckdb", plan, schema, fschema)
        sql = _cached(key, lambda: str(kpi_expr(t, source=src, plan=plan, followers=fol).compile()))
        df = store.sql(sql)
    else:
        # other engines (and filtered requests): the expression is bound to this store's
        # connection, and building it is small next to running it on Spark or a warehouse
        filters = [where(t)] if where is not None else []
        df = store.execute(kpi_expr(t, source=src, plan=plan, filters=filters, followers=fol))
    notes: list[str] = []
    spread_rows = 0
    if plan.has_date_end and plan.grain and "_crossing" in df.columns:
        spread_rows = int(pd.to_numeric(df["_crossing"]).fillna(0).sum())
        if spread_rows:
            if not spread:
                raise _range_refusal(store, t, plan, spread_rows)
            df = _add_spread_rows(store, t, plan, df, where)
            notes.append(
                f"{spread_rows:,} ad row(s) covering more than one {plan.grain} were spread "
                "evenly over their days; their values are shares, not reported figures"
            )
    out = _finish(df, plan, stated, fx, notes, spread=spread_rows > 0)
    out.attrs["source"] = src
    out.attrs["notes"] = notes
    return out


# ------------------------------------------------------------------------- date ranges
def _range_refusal(store: Store, t: ir.Table, plan: KpiPlan, n: int) -> ConfigError:
    """The refusal of rows that span more than one period; ``crossing_rows`` and ``example``
    on the error let a caller without these options (the report) word its own advice."""
    grain = plan.grain or "day"
    cross = t.filter(_crosses_period(t, grain))
    names = [c for c in ("campaign_name", "campaign_id", "ad_id") if c in t.columns]
    ex = store.execute(cross.select(*names, "date", "date_end").limit(1))
    example = ""
    if len(ex):
        r = ex.iloc[0]
        example = (
            f" (e.g. {_row_name(r)}: "
            f"{pd.Timestamp(r['date']).date()}..{pd.Timestamp(r['date_end']).date()})"
        )
    grains = list(_TRUNC)
    coarser = grains[grains.index(grain) + 1 :]
    options = [f"--grain {' or '.join(coarser)}"] if coarser else []
    err = ConfigError(
        f"{n:,} ad row(s) cover a date range longer than one {grain}{example}, so their "
        f"figures cannot be split by {grain}; use {', '.join([*options, 'no --grain'])}, or "
        "--spread to spread them evenly over their days"
    )
    err.crossing_rows = n  # type: ignore[attr-defined]
    err.example = example  # type: ignore[attr-defined]
    return err


def _row_name(r: pd.Series) -> str:
    """An ad row named as its export names it: ``campaign NAME`` (else its id), else
    ``ad ID (no campaign name)``, else ``(no campaign name)``; never ``nan``."""

    def text(c: str) -> str | None:
        v = r.get(c)
        return None if v is None or (not isinstance(v, str) and bool(pd.isna(v))) else str(v)

    campaign = text("campaign_name") or text("campaign_id")
    if campaign:
        return f"campaign {campaign}"
    ad = text("ad_id")
    return f"ad {ad} (no campaign name)" if ad else "(no campaign name)"


def _add_spread_rows(
    store: Store,
    t: ir.Table,
    plan: KpiPlan,
    df: pd.DataFrame,
    where: Callable[[ir.Table], Any] | None,
) -> pd.DataFrame:
    """Add the range rows, spread evenly over their days, to the engine's aggregate."""
    grain = plan.grain or "day"
    base = t.filter(where(t)) if where is not None else t
    cross = base.filter(_crosses_period(base, grain))
    cols = [
        c
        for c in (
            *plan.by,
            "level",
            "platform",
            "campaign_id",
            "campaign_name",
            "ad_id",
            "currency",
            "date",
            "date_end",
        )
        if c in t.columns
    ]
    cols += [_ADS_COLUMN[m] for m in MEASURES if m in _ADS_COLUMN and _ADS_COLUMN[m] in t.columns]
    raw = store.execute(cross.select(*dict.fromkeys(cols)))
    start = pd.to_datetime(raw["date"]).dt.normalize()
    end = pd.to_datetime(raw["date_end"]).dt.normalize()
    ndays = ((end - start).dt.days + 1).astype(int)
    if (ndays < 1).any():
        i = int((ndays < 1).idxmax())
        raise DataValidationError(
            f"ad_performance: a row of {_row_name(raw.loc[i])} ends "
            f"({end[i].date()}) before it starts ({start[i].date()}); fix the export and re-ingest"
        )
    rep = raw.loc[raw.index.repeat(ndays)].copy()
    offset = rep.groupby(level=0).cumcount().to_numpy()
    day = start.loc[rep.index].to_numpy() + pd.to_timedelta(offset, unit="D").to_numpy()
    share = 1.0 / ndays.loc[rep.index].to_numpy()
    parts = pd.DataFrame(
        {k: rep[k].to_numpy() for k in (*plan.by, "level", "platform") if k in plan.fine_keys}
    )
    if plan.grain:
        parts["period"] = _truncate_days(pd.Series(day), plan.grain).to_numpy()
    if "currency" in plan.fine_keys:
        parts["currency"] = rep["currency"].astype(object).str.upper().to_numpy()
    if "_day" in plan.fine_keys:
        parts["_day"] = day
    parts["_rows"] = 1.0
    for m in MEASURES:
        col = _ADS_COLUMN.get(m)
        if m not in df.columns or col is None:
            continue
        v = pd.to_numeric(rep[col]).astype(float).to_numpy()
        if m == "reach":
            # spreading reach over days would not bound the daily reach: unknown
            parts[m] = np.nan
            parts[f"_n_{m}"] = 0.0
        else:
            parts[m] = v * share
            parts[f"_n_{m}"] = (~np.isnan(v)).astype(float)
    keys = list(plan.fine_keys)
    spread_agg = parts.groupby(keys, dropna=False, sort=False).sum(min_count=1).reset_index()
    base_df = df.drop(columns="_crossing")
    for c in ("period", "_day"):
        if c in base_df.columns:
            base_df[c] = pd.to_datetime(base_df[c]).astype("datetime64[ns]")
            spread_agg[c] = pd.to_datetime(spread_agg[c]).astype("datetime64[ns]")
    spread_agg = spread_agg[[c for c in base_df.columns if c in spread_agg.columns]]
    both = pd.concat([base_df, spread_agg], ignore_index=True)
    values = [c for c in both.columns if c not in keys]
    both[values] = both[values].apply(pd.to_numeric, errors="coerce")
    return both.groupby(keys, dropna=False, sort=False)[values].sum(min_count=1).reset_index()


def _truncate_days(day: pd.Series, grain: str) -> pd.Series:
    d = pd.to_datetime(day)
    if grain == "day":
        return d.dt.normalize()
    if grain == "week":  # ISO weeks start on Monday, as DATE_TRUNC('week') does
        return d.dt.normalize() - pd.to_timedelta(d.dt.weekday, unit="D")
    return d.dt.to_period("M").dt.start_time
