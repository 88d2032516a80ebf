"""Core commands: ``demo``, ``kpis``, ``compare``, ``report``, ``export`` (thin: parse, call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from micromix.cli._common import (
    BACKEND_HELP,
    DB_HELP,
    brand_option,
    console,
    creator_budget_option,
    emit_frame,
    emit_json,
    err_console,
    niche_option,
    open_store,
    progress_bar,
    run_command,
    styled,
    write_csv,
)
from micromix.config import ANALYSIS_N_BOOT, ANALYSIS_SEED
from micromix.errors import ConfigError

if TYPE_CHECKING:
    from micromix.plan import Evidence
    from micromix.store import Store

__all__ = ["register"]

DEMO_OUT = "micromix-demo"
#: the demo market's default size (see :mod:`micromix.plan.demo`)
DEMO_USERS = 100_000
DEMO_DAYS = 56

_DB_HELP = DB_HELP
_BACKEND_HELP = BACKEND_HELP


def _open(db: str | None, read_only: bool = True, backend: str | None = None) -> Store:
    return open_store(db, backend, read_only=read_only)


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
        from micromix.plan import run_demo
        from micromix.reports import write_report

        with progress_bar() as update:
            run = run_demo(out, users=users, days=days, seed=seed, progress=update)
            report = write_report(
                run.evidence,
                out / "report.html",
                progress=lambda s, f: update(f"report: {s}", 0.85 + 0.15 * f),
            )
            update("done", 1.0)
        results = run.evidence.comparisons
        plan = run.evidence.plan
        if as_json:
            emit_json(
                {
                    "report": str(report),
                    "database": str(run.database),
                    "ground_truth": str(run.ground_truth),
                    "events": run.events,
                    "seconds": round(run.seconds, 1),
                    "plan": None if plan is None else plan.to_dict(),
                    "comparisons": {k: r.to_records() for k, r in results.items()},
                }
            )
            return
        for line in demo_summary(run.evidence, users=users, days=days, seed=seed):
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        console.print(
            styled(("report:", "bold green"), f" {report}  (open it in a browser; works offline)")
        )
        console.print(
            f"database: {run.database}   ground truth: {run.ground_truth}   "
            f"{run.events:,} events in {run.seconds:.0f} s",
            soft_wrap=True,
        )

    run_command(body)


def _money(v: float | None, sym: str) -> str:
    from micromix.plan.actions import money

    return money(v, sym)


def _iv(v: float | None, lo: float | None, hi: float | None) -> str:
    from micromix.schema.display import format_interval

    return format_interval(v, lo, hi)


def demo_summary(evidence: Evidence, *, users: int, days: int, seed: int) -> list[str]:
    """The lines ``micromix demo`` prints: the plan, then the incremental evidence (plain text,
    the same at any terminal width, so the README can quote a real run)."""

    from micromix.schema.display import format_interval

    out = [
        f"Simulated data: a pet-products brand, {users:,} consumers, {days} days, seed {seed}.",
        "",
    ]
    plan = evidence.plan
    if plan is None:
        out.append(evidence.notes.get("plan", "No plan could be built."))
    else:
        from micromix.schema.display import format_signed_money

        sym = plan.symbol
        out.append(f"Plan: {plan.headline()}")
        out.append(
            f"  {'strategy':<15}{'today':>10}{'plan':>10}{'change':>10}   expected incremental revenue"
        )
        for r in plan.allocation.itertuples(index=False):
            change = format_signed_money(r.change, sym)
            out.append(
                f"  {r.strategy:<15}{_money(r.current_spend, sym):>10}"
                f"{_money(r.recommended_spend, sym):>10}{change:>10}   "
                f"{_money(r.expected_incremental_revenue, sym)} ({_money(r.low, sym)} to "
                f"{_money(r.high, sym)})"
            )
        for i, a in enumerate(plan.actions, 1):
            out.append(f"  {i}. {a.kind} [{a.confidence}] {a.what}.")
        if plan.truth is not None:
            t = plan.truth
            out.append(
                f"  Simulator truth: current mix {_money(t.current_incremental_revenue, sym)}, "
                f"this plan {_money(t.recommended_incremental_revenue, sym)}, best possible "
                f"{_money(t.optimal_incremental_revenue, sym)} of incremental revenue."
            )
    out += [
        "",
        f"Incremental revenue per $ from randomised holdouts ({evidence.level:.0%} interval), the "
        "simulator's true value, and the ROAS the platforms would report:",
        f"  {'strategy':<15}{'spend':>10}   {'incremental ROAS':<24}{'true':>6}{'attributed':>12}",
    ]
    for res in evidence.comparisons.values():
        t = res.table
        t = t[(t["spend"] > 0) & t["incremental_roas"].notna()]
        if t.empty:
            continue
        out.append(f"  {res.comparison.question}")
        for r in t.to_dict(orient="records"):
            true_s = format_interval(r.get("true_incremental_roas"), None, None)
            attr_s = format_interval(r.get("roas"), None, None)
            iv = _iv(r["incremental_roas"], r["incremental_roas_low"], r["incremental_roas_high"])
            out.append(
                f"    {r['strategy']:<13}{r['spend']:>10,.0f}   {iv:<24}{true_s:>6}{attr_s:>12}"
            )
    out.append("")
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
    as_json: bool = typer.Option(
        False,
        "--json",
        help="JSON object: source, by, grain, notes and rows (one object per row), as the API.",
    ),
    as_csv: bool = typer.Option(False, "--csv", help="CSV on stdout."),
) -> None:
    """KPIs (CTR, CPM, CPC, CVR, CPA, ROAS, ROI, engagement rate, EMV ...) by any dimensions.

    Money is never summed across currencies: rows are split by currency unless --fx converts
    them with your rates. Undefined values (no revenue reported, zero denominators) are null.
    """

    def body() -> None:
        from micromix.metrics import compute_kpis, kpi_currency
        from micromix.metrics.fx import FxRates

        if as_json and as_csv:
            raise ConfigError("choose one of --json and --csv")
        dims = [d.strip() for d in by.split(",") if d.strip()]
        rates = FxRates.read_csv(fx, to=to) if fx is not None else None
        with _open(db, backend=backend) as store:
            # money the events record no currency for is in the store's, when it has one
            stated, said = (currency, []) if currency else kpi_currency(store, dims, source)
            df = compute_kpis(
                store,
                by=dims,
                grain=grain,
                source=source,
                kpis=kpi_names,
                currency=stated,
                fx=rates,
                to=to,
                spread=spread,
            )
        notes = [str(n) for n in [*said, *df.attrs.get("notes", [])]]
        if as_json:
            # the shape of GET /api/v1/kpis: the notes travel with the rows they qualify
            src = df.attrs.get("source")
            emit_json({"source": src, "by": dims, "grain": grain, "notes": notes, "rows": df})
        elif as_csv:
            emit_frame(df, as_csv=True)
        else:
            # a group with no value in a dimension (events with no strategy) is named, not "-"
            shown = df.copy()
            for d in dims:
                if d in shown.columns and shown[d].isna().any():
                    shown[d] = shown[d].astype(object).where(shown[d].notna(), f"(no {d})")
            title = f"KPIs by {', '.join(dims) or 'all'} (source: {df.attrs.get('source')})"
            if df.attrs.get("source") != "posts":
                shown = shown[_marketer_order(list(shown.columns), dims)]
            emit_frame(shown, title=title)
        for note in notes:
            err_console.print(f"note: {note}", highlight=False, soft_wrap=True)

    run_command(body)


#: the KPI columns a marketer reads first, in the order a text table shows them (the group
#: keys come before them; a narrow terminal shows as many as fit; --json/--csv keep all)
KPI_DISPLAY_ORDER = (
    "currency",
    "spend",
    "revenue",
    "conversions",
    "roas",
    "cpa",
    "ctr",
    "clicks",
    "impressions",
    "cpc",
    "cpm",
    "cvr",
    "roi",
    "reach",
    "reach_is_upper_bound",
    "frequency",
    "engagements",
    "engagement_rate",
    "cost_per_engagement",
)


def _marketer_order(columns: list[str], dims: list[str]) -> list[str]:
    """Group keys (dimensions, period, level), then :data:`KPI_DISPLAY_ORDER`, then the rest."""
    keys = [c for c in columns if c in dims or c in ("period", "level")]
    first = [c for c in KPI_DISPLAY_ORDER if c in columns and c not in keys]
    return [*keys, *first, *(c for c in columns if c not in keys and c not in first)]


def compare(
    comparison: str = typer.Argument(..., help="ugc-vs-paid, micro-vs-mass or creator-tiers."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    level: float = typer.Option(0.95, "--level", help="Interval coverage."),
    n_boot: int = typer.Option(ANALYSIS_N_BOOT, "--n-boot", help="Bootstrap replicates."),
    seed: int = typer.Option(ANALYSIS_SEED, "--seed", help="Bootstrap seed."),
    backend: str | None = typer.Option(None, "--backend", help=_BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON array of row objects."),
    as_csv: bool = typer.Option(False, "--csv", help="CSV on stdout."),
    lifetime: bool = typer.Option(
        False, "--lifetime", help="Add lifetime ROAS (customer lifetime value) beside ROAS."
    ),
    horizon: float = typer.Option(52.0, "--horizon", help="CLV horizon in weeks (--lifetime)."),
) -> None:
    """Compare strategies on the same KPIs and on incremental outcomes, with intervals."""

    def body() -> None:
        from micromix.metrics.compare import COMPARISONS, compare_strategies, with_lifetime

        if as_json and as_csv:
            raise ConfigError("choose one of --json and --csv")
        with _open(db, backend=backend) as store:
            res = compare_strategies(store, comparison, level=level, n_boot=n_boot, seed=seed)
            if lifetime:
                from micromix.clv import lifetime_returns
                from micromix.metrics.compare import DEFAULT_TIERS

                by = COMPARISONS[comparison].dimension
                lt = lifetime_returns(
                    store, by=by, horizon=horizon, level=level, tiers=DEFAULT_TIERS
                )
                res = with_lifetime(res, lt)
        if as_json:
            emit_json(res.to_records())
            return
        emit_frame(res.table, as_csv=as_csv, title=res.comparison.question)
        if not as_csv:
            console.print(res.conclusion, highlight=False)

    run_command(body)


def report(
    out: Path = typer.Option(..., "--out", help="HTML file to write."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    backend: str | None = typer.Option(None, "--backend", help=_BACKEND_HELP),
    n_boot: int = typer.Option(ANALYSIS_N_BOOT, "--n-boot", min=20, help="Bootstrap replicates."),
    seed: int = typer.Option(ANALYSIS_SEED, "--seed", help="Bootstrap seed."),
    brand: str | None = brand_option(),
    niche: str | None = niche_option(),
    creator_budget: float | None = creator_budget_option(),
) -> None:
    """Write the self-contained HTML report of the store."""

    def body() -> None:
        from micromix.plan import gather_evidence
        from micromix.reports import write_report

        with _open(db, backend=backend) as store, progress_bar() as update:
            evidence = gather_evidence(
                store,
                brand=brand,
                niche=niche,
                creator_budget=creator_budget,
                n_boot=n_boot,
                seed=seed,
                progress=lambda s, f: update(s, 0.9 * f),
            )
            path = write_report(
                evidence, out, progress=lambda s, f: update(f"report: {s}", 0.9 + 0.1 * f)
            )
        err_console.print(f"report written: {path}")

    run_command(body)


#: what each secret table (:data:`~micromix.store.base.SECRET_TABLES`) holds and what to export
#: instead; a secret table not named here is refused all the same
_SECRET_EXPORTS: dict[str, tuple[str, str]] = {
    "api_keys": (
        "the service's credentials (salted key hashes)",
        "list the keys with 'micromix keys list'",
    ),
    "erasure_key": (
        "the secret key of the erasure audit's hashes",
        "export 'audit_log' for the erasure records",
    ),
}


def export(
    table: str = typer.Argument(..., help="Table to export: events, posts, creators, audience ..."),
    output: Path = typer.Option(None, "--output", "-o", help="CSV file (default: stdout)."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    backend: str | None = typer.Option(None, "--backend", help=_BACKEND_HELP),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many rows."),
) -> None:
    """Write a table of the store as CSV (formula-looking cells escaped for spreadsheets)."""

    def body() -> None:
        from micromix.store.base import SECRET_TABLES, user_tables

        if table in SECRET_TABLES:  # credentials and secret keys stay in the store
            what, instead = _SECRET_EXPORTS.get(table, ("a secret", "export a data table"))
            raise ConfigError(f"'{table}' holds {what} and is not exported; {instead}")
        with _open(db, backend=backend) as store:
            if not store.has_table(table):
                names = ", ".join(user_tables(store.tables(), without="secret"))
                raise ConfigError(f"no table {table!r} in the store; export one of {names}")
            t = store.table(table)
            df = store.execute(t.limit(limit) if limit else t)
        write_csv(df, output)

    run_command(body)


def register(app: typer.Typer) -> None:
    """Attach the core commands to ``app``."""
    app.command("demo")(demo)
    app.command("kpis")(kpis)
    app.command("compare")(compare)
    app.command("report")(report)
    app.command("export")(export)
