"""The ``micromix`` command line.

Commands live in modules under :mod:`micromix.cli`, listed in :data:`COMMAND_MODULES`; each
exposes ``register(app)`` which attaches its commands or groups to the root app. Core commands
(``demo``, ``ingest``, ``kpis``, ``compare``, ``report``) are in :mod:`micromix.cli.core`.
"""

from __future__ import annotations

import importlib
import importlib.util

import typer

from micromix import __version__

#: modules that attach commands to the root app, in help order
COMMAND_MODULES: tuple[str, ...] = (
    "micromix.cli.core",
    "micromix.cli.ingest_cmd",
    "micromix.cli.moments",
    "micromix.cli.social",
    "micromix.cli.audience",
    "micromix.cli.measurement",
    "micromix.cli.clv",
    "micromix.cli.service",
)

app = typer.Typer(
    name="micromix",
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


def _register() -> None:
    for module in COMMAND_MODULES:
        # a module not shipped in this build is skipped; an import error inside one is a bug
        if importlib.util.find_spec(module) is None:
            continue
        importlib.import_module(module).register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
