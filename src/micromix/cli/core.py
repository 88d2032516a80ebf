"""Core commands: demo, ingest, kpis, compare, report (filled in by the foundation)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the core commands to ``app``."""
