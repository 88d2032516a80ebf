"""``micromix plan``: one recommendation from all the evidence of a store (thin: parse, call, print)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import typer

from micromix.cli._common import (
    BACKEND_HELP,
    DB_HELP,
    brand_option,
    console,
    creator_budget_option,
    emit_json,
    niche_option,
    open_store,
    progress_bar,
    run_command,
    styled,
)
from micromix.config import ANALYSIS_N_BOOT, ANALYSIS_SEED

if TYPE_CHECKING:
    from micromix.plan import Plan

__all__ = ["register"]


def plan(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    budget: float | None = typer.Option(
        None,
        "--budget",
        help="Paid budget over the plan's horizon (the data's length); default: today's spend.",
    ),
    backend: str | None = typer.Option(None, "--backend", help=BACKEND_HELP),
    n_boot: int = typer.Option(ANALYSIS_N_BOOT, "--n-boot", min=20, help="Bootstrap replicates."),
    seed: int = typer.Option(
        ANALYSIS_SEED, "--seed", help="Seed of the bootstraps and simulations."
    ),
    brand: str | None = brand_option(),
    niche: str | None = niche_option(),
    creator_budget: float | None = creator_budget_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as one JSON object."),
) -> None:
    """One plan: the budget across strategies, then what to target, amplify, hire and answer."""

    def body() -> None:
        from micromix.plan import make_plan

        with open_store(db, backend, read_only=True) as store, progress_bar(not as_json) as up:
            result = make_plan(
                store,
                budget=budget,
                n_boot=n_boot,
                seed=seed,
                brand=brand,
                niche=niche,
                creator_budget=creator_budget,
                progress=up,
            )
        if as_json:
            emit_json(result.to_dict())
            return
        _print(result)

    run_command(body)


def _print(p: Plan) -> None:
    from rich.table import Table

    from micromix.plan.actions import money
    from micromix.schema.display import format_signed_money

    sym = p.symbol
    r = p.reallocation
    if p.truth is not None:
        console.print(
            styled(("Simulated data", "bold yellow"), ": figures come from the market simulator.")
        )
    console.print(styled(("Plan", "bold"), f" - {p.headline()}"), highlight=False)
    table = Table(
        title=f"Budget over {r.horizon_days} days ({p.currency or 'currency not stated'})"
    )
    for col in ("strategy", "today", "plan", "change", "expected incremental revenue"):
        table.add_column(col, justify="left" if col == "strategy" else "right")
    for row in p.allocation.itertuples(index=False):
        table.add_row(
            str(row.strategy),
            money(row.current_spend, sym),
            money(row.recommended_spend, sym),
            format_signed_money(row.change, sym),
            (
                f"{money(row.expected_incremental_revenue, sym)} "
                f"({money(row.low, sym)} to {money(row.high, sym)})"
                if math.isfinite(row.expected_incremental_revenue)
                else "not measured"
            ),
        )
    console.print(table)
    for i, a in enumerate(p.actions, 1):
        effect = ""
        if a.effect is not None and a.effect_low is not None and a.effect_high is not None:
            effect = (
                f" Expected {('+' if a.effect >= 0 else '') + money(a.effect, sym)} "
                f"({money(a.effect_low, sym)} to {money(a.effect_high, sym)})."
            )
        console.print(
            styled((f"{i}. {a.kind}", "bold"), f" [{a.confidence} confidence] {a.what}.{effect}"),
            highlight=False,
        )
        console.print(f"   why: {a.why}", highlight=False, style="dim")
        console.print(f"   evidence: {a.evidence}", highlight=False, style="dim")
    for note in p.notes:
        console.print(f"note: {note}", highlight=False)
    if p.truth is not None:
        t = p.truth
        console.print(
            f"simulator truth over {r.horizon_days} days: current mix "
            f"{money(t.current_incremental_revenue, sym)}, this plan "
            f"{money(t.recommended_incremental_revenue, sym)}, best possible split "
            f"{money(t.optimal_incremental_revenue, sym)} of incremental revenue",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Attach ``plan`` to ``app``."""
    app.command("plan")(plan)
