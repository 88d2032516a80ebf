"""The ``micromix`` command line.

Commands live in modules under :mod:`micromix.cli`; each exposes ``register(app)`` which
attaches its commands or groups to the root app. :data:`COMMANDS` names every top-level command
with its module and one-line help, so ``micromix --help`` and ``micromix --version`` import no
command module at all (and no pandas, Ibis or DuckDB): a module is imported when one of its
commands runs. A module listed in :data:`COMMAND_MODULES` without entries in :data:`COMMANDS`
still works; it is imported at start-up (slower), until its commands are added to
:data:`COMMANDS` (``tests/cli/test_cli_surface.py`` says which). A command module imports pandas,
scikit-learn and the engines inside its commands, not at its top, so ``micromix COMMAND --help``
stays quick too (``tests/cli/test_cli_startup.py``).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from micromix import __version__

#: top-level command -> (module that registers it, one-line help), in help order
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "micromix.cli.core",
        "Simulate a pet-brand market, analyse it and write an offline HTML report.",
    ),
    "ingest": (
        "micromix.cli.ingest_cmd",
        "Ingest FILE as KIND rows: good rows into the store, bad rows quarantined with their "
        "reason.",
    ),
    "inspect": (
        "micromix.cli.ingest_cmd",
        "Show how FILE would be read: layout, column mapping, encoding, sample rows, "
        "quarantine - without writing.",
    ),
    "kpis": (
        "micromix.cli.core",
        "KPIs (CTR, CPM, CPC, CVR, CPA, ROAS, ROI, engagement rate, EMV ...) by any dimensions.",
    ),
    "compare": (
        "micromix.cli.core",
        "Compare strategies on the same KPIs and on incremental outcomes, with intervals.",
    ),
    "plan": (
        "micromix.cli.plan",
        "One plan: the budget across strategies, then what to target, amplify, hire and answer.",
    ),
    "report": ("micromix.cli.core", "Write the self-contained HTML report of the store."),
    "export": (
        "micromix.cli.core",
        "Write a table of the store as CSV (formula-looking cells escaped for spreadsheets).",
    ),
    "moments": (
        "micromix.cli.moments",
        "Micro-moments: intent classification, bursts and gaps, sessions, live detection.",
    ),
    "social": (
        "micromix.cli.social",
        "Social listening: brand mentions, share of voice, sentiment, user content to amplify.",
    ),
    "creators": (
        "micromix.cli.social",
        "Creators: tiers, engagement, authenticity, niche, cost; discovery for a brief.",
    ),
    "audience": (
        "micromix.cli.audience",
        "Segments, uplift models, budgeted targeting (mass vs micro), fairness audit.",
    ),
    "privacy": ("micromix.cli.audience", "Privacy guardrails and the right to erasure."),
    "mmm": (
        "micromix.cli.measurement",
        "Marketing-mix model: incremental contribution, ROAS, response curves.",
    ),
    "optimize": (
        "micromix.cli.measurement",
        "Recommend a budget allocation from a fitted mix model, compared with the current one.",
    ),
    "experiment": (
        "micromix.cli.measurement",
        "Holdout / lift tests: analysis and sample-size planning.",
    ),
    "clv": (
        "micromix.cli.clv",
        "Customer lifetime value: buy-till-you-die purchase models, spend, CLV by strategy.",
    ),
    "serve": (
        "micromix.cli.service",
        "Run the REST API and the dashboard; the server owns the store while it runs.",
    ),
    "keys": (
        "micromix.cli.service",
        "API keys for micromix serve: create (shown once), list, revoke.",
    ),
}

#: modules that attach commands to the root app (those without COMMANDS entries load eagerly)
COMMAND_MODULES: tuple[str, ...] = (
    "micromix.cli.core",
    "micromix.cli.plan",
    "micromix.cli.ingest_cmd",
    "micromix.cli.moments",
    "micromix.cli.social",
    "micromix.cli.audience",
    "micromix.cli.measurement",
    "micromix.cli.clv",
    "micromix.cli.service",
)


def _module_commands(module: str) -> dict[str, Any]:
    """Import ``module`` and return the (click) commands its ``register`` attaches."""
    holder = typer.Typer(add_completion=False)
    holder.callback()(lambda: None)  # a callback keeps a one-command app a group
    importlib.import_module(module).register(holder)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return dict(group.commands)


class LazyGroup(TyperGroup):
    """The root group: lists :data:`COMMANDS` from their help text, imports one when it runs."""

    def list_commands(self, ctx: Any) -> list[str]:
        eager = [n for n in super().list_commands(ctx) if n not in COMMANDS]
        return [*(n for n in COMMANDS if _available(COMMANDS[n][0])), *eager]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in COMMANDS:
            return found
        # listing for --help: a placeholder that carries the help text, nothing imported
        return TyperCommand(name=cmd_name, help=COMMANDS[cmd_name][1], callback=None)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else None
        if name in COMMANDS and name not in self.commands:
            module = COMMANDS[name][0]
            if _available(module):
                for cmd_name, cmd in _module_commands(module).items():
                    self.commands.setdefault(cmd_name, cmd)
        return super().resolve_command(ctx, args)


def _available(module: str) -> bool:
    """Whether a command module ships in this build (a missing one is skipped)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


app = typer.Typer(
    name="micromix",
    cls=LazyGroup,
    help=(
        "micromix: user content vs paid social, microtargeting vs mass, micro vs big "
        "creators - measured on incremental outcomes; micro-moments detected live."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"micromix {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """micromix command line."""


def _register_eager() -> None:
    lazy = {module for module, _ in COMMANDS.values()}
    for module in COMMAND_MODULES:
        # a module not shipped in this build is skipped; an import error inside one is a bug
        if module in lazy or not _available(module):
            continue
        importlib.import_module(module).register(app)


_register_eager()


def load_all() -> dict[str, Any]:
    """Every top-level command, imported (for tests and documentation tools)."""
    out: dict[str, Any] = {}
    for module in dict.fromkeys([*(m for m, _ in COMMANDS.values()), *COMMAND_MODULES]):
        if _available(module):
            out.update(_module_commands(module))
    return out


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
