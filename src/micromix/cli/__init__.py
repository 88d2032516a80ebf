"""Command-line delivery layer (Typer + Rich); owns no analytics logic."""
