"""Core commands: ``demo``, ``kpis``, ``compare``, ``report`` (thin: parse, call, print)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from micromix.cli._common import (
    console,
    emit_frame,
    emit_json,
    err_console,
    progress_bar,
    run_command,
)
from micromix.config import get_settings
from micromix.errors import ConfigError

__all__ = ["register"]

DEMO_OUT = "micromix-demo"
DEMO_USERS = 100_000
DEMO_DAYS = 56

_DB_HELP = "DuckDB file (default: $MICROMIX_DB or ./micromix.duckdb)."
_BACKEND_HELP = "Engine: duckdb (default, $MICROMIX_BACKEND) or another installed backend."


def _open(db: str | None, read_only: bool = True, backend: str | None = None):
    from micromix.store import Store

    settings = get_settings(db=db, backend=backend)
    return Store.open(settings.db, backend=settings.backend, read_only=read_only)


def demo(
    out: Path = typer.Option(
        Path(DEMO_OUT), "--out", help="Folder for report.html, ground_truth.csv, micromix.duckdb."
    ),
    users: int = typer.Option(DEMO_USERS, "--users", min=100, help="Simulated consumers."),
    days: int = typer.Option(DEMO_DAYS, "--days", min=7, max=3660, help="Simulated days."),
    seed: int = typer.Option(7, "--seed", help="Random seed."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary instead of tables."),
) -> None:
    """Simulate a pet-brand market, analyse it and write an offline HTML report."""

    def body() -> None:
        from micromix.ingest.market import load_market
        from micromix.metrics import compute_kpis
        from micromix.metrics.compare import COMPARISONS, compare_strategies
        from micromix.reports import write_report
        from micromix.simulate import SimConfig, simulate
        from micromix.store import Store

        t0 = time.perf_counter()
        out.mkdir(parents=True, exist_ok=True)
        db = out / "micromix.duckdb"
        for stale in (db, Path(str(db) + ".wal")):
            if stale.exists():
                stale.unlink()
        results = {}
        with progress_bar() as update:
            market = simulate(
                SimConfig(users=users, days=days, seed=seed),
                progress=lambda s, f: update(f"simulate: {s}", 0.35 * f),
            )
            market.ground_truth.to_csv(out / "ground_truth.csv", index=False)
            with Store.open(db) as store:
                load_market(
                    store, market, progress=lambda s, f: update(f"store: {s}", 0.35 + 0.15 * f)
                )
                update("KPIs by strategy", 0.52)
                kpis = compute_kpis(store, by=["strategy"])
                for i, name in enumerate(COMPARISONS):
                    update(f"compare: {name}", 0.55 + 0.1 * i)
                    results[name] = compare_strategies(store, name, n_boot=300, seed=seed)
                write_report(
                    store,
                    out / "report.html",
                    results=results,
                    n_boot=300,
                    seed=seed,
                    progress=lambda s, f: update(f"report: {s}", 0.85 + 0.15 * f),
                )
            update("done", 1.0)
        elapsed = time.perf_counter() - t0
        if as_json:
            emit_json(
                {
                    "report": str(out / "report.html"),
                    "database": str(db),
                    "ground_truth": str(out / "ground_truth.csv"),
                    "events": market.events.num_rows,
                    "seconds": round(elapsed, 1),
                    "comparisons": {k: r.to_records() for k, r in results.items()},
                }
            )
            return
        emit_frame(
            kpis[
                [
                    "strategy",
                    "spend",
                    "impressions",
                    "reach",
                    "ctr",
                    "cpa",
                    "roas",
                    "engagement_rate",
                ]
            ],
            title="KPIs by strategy (attributed)",
        )
        for r in results.values():
            emit_frame(_compact(r.table), title=r.comparison.question)
            console.print(r.conclusion + "\n", highlight=False)
        console.print(
            f"[bold green]report:[/] {out / 'report.html'}  (open it in a browser; works offline)"
        )
        console.print(
            f"database: {db}   ground truth: {out / 'ground_truth.csv'}   "
            f"{market.events.num_rows:,} events in {elapsed:.0f} s"
        )

    run_command(body)


def _compact(table):
    """The comparison columns a person reads first, with intervals as '[low, high]'."""
    import pandas as pd

    def iv(row) -> str:
        lo, hi = row.get("incremental_roas_low"), row.get("incremental_roas_high")
        return "-" if pd.isna(lo) else f"[{lo:.2f}, {hi:.2f}]"

    out = pd.DataFrame(
        {
            "strategy": table["strategy"],
            "spend": table["spend"],
            "attr. ROAS": table["roas"],
            "incr. ROAS": table["incremental_roas"],
            "95% CI": table.apply(iv, axis=1),
        }
    )
    if "true_incremental_roas" in table.columns:
        out["true incr."] = table["true_incremental_roas"]
    return out


def kpis(
    by: str = typer.Option(
        "", "--by", help="Dimensions, comma-separated (e.g. platform,campaign_id)."
    ),
    grain: str | None = typer.Option(None, "--grain", help="day, week or month."),
    source: str = typer.Option("auto", "--source", help="auto, events, ads or posts."),
    kpi_names: str | None = typer.Option(
        None,
        "--kpis",
        help="Only these KPIs, comma-separated (e.g. ctr,cpa,roas); what they need is computed.",
    ),
    currency: str | None = typer.Option(
        None, "--currency", help="ISO code of money in a table that records none (the events)."
    ),
    fx: Path | None = typer.Option(
        None, "--fx", help="Exchange rates CSV (currency,rate_to,rate or date,currency,rate)."
    ),
    to: str | None = typer.Option(
        None, "--to", help="Target currency (default: the rate_to of the --fx file)."
    ),
    spread: bool = typer.Option(
        False, "--spread", help="Spread ad rows covering a range evenly over its days."
    ),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    backend: str | None = typer.Option(None, "--backend", help=_BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON array of row objects."),
    as_csv: bool = typer.Option(False, "--csv", help="CSV on stdout."),
) -> None:
    """KPIs (CTR, CPM, CPC, CVR, CPA, ROAS, ROI, engagement rate, EMV ...) by any dimensions.

    Money is never summed across currencies: rows are split by currency unless --fx converts
    them with your rates. Undefined values (no revenue reported, zero denominators) are null.
    """

    def body() -> None:
        from micromix.metrics import compute_kpis
        from micromix.metrics.fx import FxRates

        if as_json and as_csv:
            raise ConfigError("choose one of --json and --csv")
        dims = [d.strip() for d in by.split(",") if d.strip()]
        rates = FxRates.read_csv(fx, to=to) if fx is not None else None
        with _open(db, backend=backend) as store:
            df = compute_kpis(
                store,
                by=dims,
                grain=grain,
                source=source,
                kpis=kpi_names,
                currency=currency,
                fx=rates,
                to=to,
                spread=spread,
            )
        emit_frame(
            df,
            as_json=as_json,
            as_csv=as_csv,
            title=f"KPIs by {', '.join(dims) or 'all'} (source: {df.attrs.get('source')})",
        )
        for note in df.attrs.get("notes", []):
            err_console.print(f"note: {note}", highlight=False, soft_wrap=True)

    run_command(body)


def compare(
    comparison: str = typer.Argument(..., help="ugc-vs-paid, micro-vs-mass or creator-tiers."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    level: float = typer.Option(0.95, "--level", help="Interval coverage."),
    n_boot: int = typer.Option(400, "--n-boot", help="Bootstrap replicates."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    backend: str | None = typer.Option(None, "--backend", help=_BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON array of row objects."),
) -> None:
    """Compare strategies on the same KPIs and on incremental outcomes, with intervals."""

    def body() -> None:
        from micromix.metrics.compare import compare_strategies

        with _open(db, backend=backend) as store:
            res = compare_strategies(store, comparison, level=level, n_boot=n_boot, seed=seed)
        if as_json:
            emit_json(res.to_records())
            return
        emit_frame(res.table, title=res.comparison.question)
        console.print(res.conclusion, highlight=False)

    run_command(body)


def report(
    out: Path = typer.Option(..., "--out", help="HTML file to write."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Write the self-contained HTML report of the store."""

    def body() -> None:
        from micromix.reports import write_report

        with _open(db) as store, progress_bar() as update:
            path = write_report(store, out, progress=update)
        err_console.print(f"report written: {path}")

    run_command(body)


def register(app: typer.Typer) -> None:
    """Attach the core commands to ``app``."""
    app.command("demo")(demo)
    app.command("kpis")(kpis)
    app.command("compare")(compare)
    app.command("report")(report)
