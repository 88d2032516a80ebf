"""The ``micromix`` command line.

Sub-command groups live in their own modules under :mod:`micromix.cli` and are registered in
:data:`SUBCOMMANDS`; each module exposes a ``typer.Typer`` called ``app``. Core commands
(``demo``, ``ingest``, ``kpis``, ``compare``, ``report``) are defined in
:mod:`micromix.cli.core`.
"""

from __future__ import annotations

import importlib

import typer

from micromix import __version__

#: group name -> module holding its ``app`` (a typer.Typer)
SUBCOMMANDS: dict[str, str] = {}

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
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """micromix command line."""


def _register() -> None:
    from micromix.cli import core

    core.register(app)
    for name, module in SUBCOMMANDS.items():
        mod = importlib.import_module(module)
        app.add_typer(mod.app, name=name)


_register()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
