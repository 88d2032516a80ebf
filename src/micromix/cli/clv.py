"""Customer lifetime value commands: ``clv fit`` and ``clv by-strategy``.

Thin layer: parse arguments, call :mod:`micromix.clv`, print or write the results.

Quickstart
----------
::

    micromix clv fit --data transactions.csv --customer-col customer_id --date-col date \\
        --value-col value --calibration-end 1997-09-30 --holdout-end 1998-06-30 --output out/clv
    micromix clv fit --data transactions.csv --customer-col customer_id --date-col date \\
        --value-col value --json
    micromix clv by-strategy --db demo/micromix.duckdb --by targeting --horizon 52 --json
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer

from micromix.cli._common import (
    BACKEND_HELP,
    DB_HELP,
    ORDER_COL_OPTION,
    ORDER_VALUE_OPTION,
    QUANTITY_COL_OPTION,
    SKIP_MISSING_IDS_OPTION,
    SKIP_RETURNS_OPTION,
    console,
    date_order,
    emit_frame,
    emit_json,
    err_console,
    open_store,
    print_purchase_notes,
    progress_bar,
    read_input,
    run_command,
    to_jsonable,
)
from micromix.errors import ConfigError

__all__ = ["clv_app", "register"]

clv_app = typer.Typer(
    help="Customer lifetime value: buy-till-you-die purchase models, spend, CLV by strategy.",
    no_args_is_help=True,
)

_MODEL_HELP = (
    "Purchase model: auto (BG/NBD or Pareto/NBD, higher likelihood), bgnbd, pareto, mbgnbd."
)
_GROUP_MODEL_HELP = (
    "Purchase model per group: auto-bg (BG/NBD or MBG/NBD, higher likelihood), auto, bgnbd, "
    "mbgnbd, pareto, average."
)
_GROUP_INTERVAL_HELP = (
    "Parameter uncertainty: laplace (default), mcmc (posterior sampling, posterior means as "
    "the point; slower, wider intervals - with --model pareto they held the truth more often "
    "on simulated markets, docs/clv.md) or bootstrap."
)
_PLOT_SUFFIXES = (".html", ".json")


def register(app: typer.Typer) -> None:
    """Attach the ``clv`` group to ``app``."""
    app.add_typer(clv_app, name="clv")


def _check_plot_path(path: Path | None) -> None:
    if path is not None and path.suffix.lower() not in _PLOT_SUFFIXES:
        raise ConfigError(
            f"--plot {path}: unknown file type {path.suffix or '(none)'}; use one of "
            f"{', '.join(_PLOT_SUFFIXES)}"
        )


def _write_plot(spec: dict[str, Any], path: Path, title: str) -> None:
    """Write a Vega-Lite spec as a self-contained HTML page (the report's offline renderer) or
    as JSON."""
    _check_plot_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(spec, indent=1))
        return
    from micromix.reports import vega_bundle
    from micromix.reports.html import chart_div, page

    path.write_text(page(title, chart_div("tracking", spec, wide=True), bundle=vega_bundle()))


def _print_fit(res: Any) -> None:
    import pandas as pd

    rows = [
        {
            "model": m.label,
            "parameter": k,
            "estimate": v,
            "low": m.param_intervals_.get(k, (None, None))[0],
            "high": m.param_intervals_.get(k, (None, None))[1],
        }
        for m in (res.purchase_model, res.spend_model)
        if m is not None
        for k, v in m.params_.items()
    ]
    level = res.settings["interval"]["level"]
    emit_frame(pd.DataFrame(rows), title=f"Parameters ({level:.0%} intervals)")
    if res.holdout is not None:
        h = res.holdout
        console.print(
            f"holdout ({h['duration']:g} {res.summary.attrs['time_unit_name']}): predicted "
            f"{h['predicted_repeat_purchases']:,.1f} repeat purchases, actual "
            f"{h['actual_repeat_purchases']:,.0f} ({h['error_pct']:+.1f}%); MAE per customer "
            f"{h['mae_per_customer']:.3f}",
            highlight=False,
        )
    if "total_clv" in res.totals:
        lo, hi = res.totals["total_clv_interval"]
        span = f" ({lo:,.0f} - {hi:,.0f})" if math.isfinite(lo + hi) else ""
        console.print(
            f"{len(res.customers):,} customers, total CLV over {res.settings['horizon']:g} "
            f"{res.summary.attrs['time_unit_name']} {res.totals['total_clv']:,.0f}"
            f"{span}, mean {res.totals['mean_clv']:,.2f}",
            highlight=False,
        )
    for c in res.checks:
        if c.status.value != "pass":
            console.print(str(c), highlight=False)


def _print_reading_notes(data: Path, customer_col: str, settings: dict[str, Any]) -> None:
    """What reading the file took as written (stderr): columns with decimal commas, e-mail
    addresses written in two letter cases."""
    notes = [
        f"read field {col!r} with decimal commas, as {shown} shows"
        for col, shown in (settings.get("decimal_comma") or {}).items()
    ]
    if settings.get("email_case"):
        merged = settings["email_case"]
        a, b = merged["example"]
        notes.append(
            f"field {customer_col!r}: {merged['ids']:,} e-mail address(es) written in more than "
            f"one letter case were read as one customer each ({a!r} and {b!r})"
        )
    for text in notes:
        err_console.print(f"note: {data}: {text}", highlight=False, soft_wrap=True)


@clv_app.command("fit")
def clv_fit(
    data: Path = typer.Option(
        ...,
        "--data",
        help="Transactions: CSV, TSV, space-aligned text, JSONL, JSON, Parquet or Excel .xlsx.",
    ),
    customer_col: str = typer.Option(..., "--customer-col", help="Customer id column."),
    date_col: str = typer.Option(..., "--date-col", help="Purchase date column."),
    value_col: str = typer.Option(
        ..., "--value-col", help="Purchase value column (the unit price with --quantity-col)."
    ),
    quantity_col: str | None = QUANTITY_COL_OPTION,
    order_col: str | None = ORDER_COL_OPTION,
    order_value: str | None = ORDER_VALUE_OPTION,
    skip_missing_ids: bool = SKIP_MISSING_IDS_OPTION,
    skip_returns: bool = SKIP_RETURNS_OPTION,
    calibration_end: str | None = typer.Option(
        None, "--calibration-end", help="Last day of calibration (default: last purchase)."
    ),
    holdout_end: str | None = typer.Option(
        None, "--holdout-end", help="Last day of the holdout; scores the forecast against it."
    ),
    model: str = typer.Option("auto", "--model", help=_MODEL_HELP),
    output: Path | None = typer.Option(
        None, "--output", help="Folder for customers.csv (one row per customer) and summary.json."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    time_unit: str = typer.Option("W", "--time-unit", help="D, W (default) or M."),
    horizon: float | None = typer.Option(
        None, "--horizon", help="CLV horizon in time units (default one year)."
    ),
    discount_rate: float = typer.Option(0.10, "--discount-rate", help="Annual discount rate."),
    margin: float = typer.Option(1.0, "--margin", help="Profit share of revenue (1 = revenue)."),
    interval: str = typer.Option(
        "laplace",
        "--interval",
        help="laplace, bootstrap, mcmc (posterior sampling, slower) or none.",
    ),
    draws: int = typer.Option(200, "--draws", help="Parameter draws (bootstrap replicates)."),
    level: float = typer.Option(0.9, "--level", help="Interval mass."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write the tracking plot: .html (self-contained) or .json (Vega-Lite)."
    ),
    dayfirst: bool = typer.Option(False, "--dayfirst", help="Dates like 03/04/2024 are day-first."),
    monthfirst: bool = typer.Option(
        False, "--monthfirst", help="Dates like 03/04/2024 are month-first."
    ),
) -> None:
    """Fit BG/NBD or Pareto/NBD and Gamma-Gamma; predict every customer's purchases and CLV."""

    def body() -> None:
        from micromix.clv import fit_clv

        _check_plot_path(plot)
        order = date_order(dayfirst, monthfirst)
        df = read_input(data)
        with progress_bar(not as_json) as update:
            res = fit_clv(
                df,
                customer_col=customer_col,
                date_col=date_col,
                value_col=value_col,
                calibration_end=calibration_end,
                holdout_end=holdout_end,
                model=model,
                time_unit=time_unit,
                horizon=horizon,
                discount_rate=discount_rate,
                margin=margin,
                interval=interval,
                n_draws=draws,
                level=level,
                source=str(data),
                progress=update,
                dayfirst=order,
                quantity_col=quantity_col,
                skip_missing_ids=skip_missing_ids,
                skip_returns=skip_returns,
                order_col=order_col,
                order_value=order_value,
            )
        print_purchase_notes(data, res.settings["left_out"], res.settings.get("orders"), order_col)
        _print_reading_notes(data, customer_col, res.settings)
        doc = res.to_dict()
        title = (
            f"{Path(data).name}: cumulative repeat purchases, actual vs {res.purchase_model.label}"
        )
        if output is not None:
            output.mkdir(parents=True, exist_ok=True)
            res.customers.reset_index().to_csv(output / "customers.csv", index=False)
            res.tracking.to_csv(output / "tracking.csv", index=False)
            (output / "summary.json").write_text(json.dumps(to_jsonable(doc), indent=2))
            (output / "tracking.vl.json").write_text(json.dumps(res.tracking_chart(), indent=1))
            if res.holdout_by_frequency is not None:
                res.holdout_by_frequency.to_csv(output / "holdout_by_frequency.csv", index=False)
            err_console.print(
                f"wrote {len(res.customers):,} customers to {output / 'customers.csv'} "
                f"(and summary.json, tracking.csv, tracking.vl.json)"
            )
        if plot is not None:
            _write_plot(res.tracking_chart(), plot, title)
            err_console.print(f"wrote the tracking plot to {plot}")
        if as_json:
            emit_json(doc)
        else:
            _print_fit(res)

    run_command(body)


_BY_HELP = (
    "Acquisition dimension: strategy, targeting, platform, campaign_id or creator_tier "
    "(tiers by followers as in 'micromix compare creator-tiers')."
)
_BASIS_HELP = (
    "How acquisition is read: first-purchase (the campaign the first purchase was credited "
    "to) or first-touch (the earliest marketing event before it)."
)


def _with_interval(table: Any, col: str, digits: int) -> list[str]:
    """``est (low to high)`` per row; ``n/a`` where there is no estimate
    (:func:`~micromix.schema.display.format_interval`)."""
    from micromix.schema.display import format_interval

    cols = (table[col], table[f"{col}_low"], table[f"{col}_high"])
    return [format_interval(est, lo, hi, digits) for est, lo, hi in zip(*cols)]


def _strategy_view(table: Any, by: str) -> Any:
    """The by-strategy table for a terminal: estimates with their intervals in one cell."""
    import pandas as pd

    from micromix.schema.display import format_interval

    view = pd.DataFrame({by: table[by], "customers": table["customers"]})
    view["CLV per customer"] = _with_interval(table, "clv_mean", 2)
    view["first-purchase ROAS"] = [
        format_interval(v, None, None) for v in table["first_purchase_roas"]
    ]
    view["lifetime ROAS"] = _with_interval(table, "lifetime_roas", 2)
    view["incremental lifetime ROAS"] = _with_interval(table, "incremental_lifetime_roas", 2)
    return view


def _print_group_notes(table: Any, by: str) -> None:
    """Each distinct row note once below the table (stderr), with the groups it is about: a
    note shared by every group (a refused horizon) would fill the table's widest column."""
    notes = table["note"].where(table["note"].astype("string").str.strip() != "")
    for text, rows in table[notes.notna()].groupby(notes.dropna(), sort=False):
        who = "every " + by if len(rows) == len(table) else ", ".join(map(str, rows[by]))
        err_console.print(f"note: {who}: {text}", highlight=False, soft_wrap=True)


@clv_app.command("by-strategy")
def clv_by_strategy(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    backend: str | None = typer.Option(None, "--backend", help=BACKEND_HELP),
    by: str = typer.Option("strategy", "--by", help=_BY_HELP),
    basis: str = typer.Option("first-purchase", "--basis", help=_BASIS_HELP),
    calibration_end: str | None = typer.Option(
        None, "--calibration-end", help="Last day of data used (default: last purchase)."
    ),
    # literals: importing micromix.clv here would slow every command's start (a test checks
    # they equal micromix.clv.GROUP_MODEL and GROUP_INTERVAL)
    model: str = typer.Option("auto-bg", "--model", help=_GROUP_MODEL_HELP),
    interval: str = typer.Option("laplace", "--interval", help=_GROUP_INTERVAL_HELP),
    time_unit: str = typer.Option("W", "--time-unit", help="D, W (default) or M."),
    horizon: float | None = typer.Option(
        None, "--horizon", help="CLV horizon in time units (weeks by default; default one year)."
    ),
    discount_rate: float = typer.Option(0.10, "--discount-rate", help="Annual discount rate."),
    margin: float = typer.Option(1.0, "--margin", help="Profit share of revenue (1 = revenue)."),
    draws: int = typer.Option(200, "--draws", help="Parameter draws for intervals."),
    level: float = typer.Option(0.9, "--level", help="Interval mass."),
    as_json: bool = typer.Option(False, "--json", help="JSON array of row objects."),
) -> None:
    """Predicted CLV and lifetime ROAS of the customers each strategy acquired, with intervals."""

    def body() -> None:
        from micromix.clv import lifetime_returns
        from micromix.metrics.compare import DEFAULT_TIERS

        with open_store(db, backend, read_only=True) as store, progress_bar(not as_json) as update:
            table = lifetime_returns(
                store,
                by=by,
                basis=basis,
                model=model,
                interval=interval,
                time_unit=time_unit,
                horizon=horizon,
                calibration_end=calibration_end,
                discount_rate=discount_rate,
                margin=margin,
                n_draws=draws,
                level=level,
                tiers=DEFAULT_TIERS,
                progress=update,
            )
        table = table.rename(columns={"group": by})
        if as_json:
            emit_frame(table, as_json=True)
            return
        a = table.attrs
        emit_frame(
            _strategy_view(table, by),
            title=(
                f"CLV by {basis} {by} over {a['horizon']:g} {a['time_unit_name']} after "
                f"{a['calibration_end']} ({level:.0%} intervals; --json for every column)"
            ),
        )
        _print_group_notes(table, by)

    run_command(body)
