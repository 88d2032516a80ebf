"""``micromix serve`` and ``micromix keys ...`` (thin: parse, call the library, print)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from micromix.cli._common import BACKEND_HELP as _BACKEND_HELP
from micromix.cli._common import DB_HELP as _DB_HELP
from micromix.cli._common import (
    console,
    emit_frame,
    emit_json,
    err_console,
    open_store,
    progress_bar,
    run_command,
    styled,
)
from micromix.config import get_settings

if TYPE_CHECKING:
    from micromix.store import Store

__all__ = ["keys_app", "register"]

keys_app = typer.Typer(
    help="API keys for micromix serve: create (shown once), list, revoke.", no_args_is_help=True
)


def serve(
    host: str = typer.Option(None, "--host", help="Interface to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port", min=1, max=65535, help="Port (default 8000)."),
    db: str = typer.Option(None, "--db", help=_DB_HELP),
    backend: str = typer.Option(None, "--backend", help=_BACKEND_HELP),
    demo: bool = typer.Option(
        True, "--demo/--no-demo", help="Seed an empty store with a small simulated market."
    ),
    rate: float = typer.Option(
        None, "--rate", min=0, help="Requests per second allowed per key (0: no limit)."
    ),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    warm: bool = typer.Option(
        True, "--warm/--no-warm", help="Compute the dashboard's KPIs in the background at start."
    ),
) -> None:
    """Run the REST API and the dashboard; the server owns the store while it runs."""

    def body() -> None:
        from micromix.errors import require

        require("fastapi", "serve")
        require("uvicorn", "serve")
        from micromix.api import ServiceConfig
        from micromix.api.server import ensure_admin_key, run_server
        from micromix.api.service import Service

        settings = get_settings(db=db, host=host, port=port, backend=backend)
        overrides: dict[str, object] = {"demo": demo}
        if rate is not None:
            overrides["rate"] = rate
        config = ServiceConfig(**overrides)  # type: ignore[arg-type]
        with progress_bar() as update:
            update("opening the store", 0.0)
            svc = Service.open(
                settings.db,
                backend=settings.backend,
                config=config,
                progress=lambda s, f: update(f"demo data: {s}", 0.9 * f),
            )
            update("ready", 1.0)
        secret = ensure_admin_key(svc)
        if secret is not None:
            console.print(
                styled(
                    (
                        "No API keys yet: created an admin key. It is shown once; keep it safe:",
                        "bold",
                    ),
                    f"\n  {secret}",
                ),
                highlight=False,
                soft_wrap=True,
            )
        url = f"http://{settings.host}:{settings.port}"
        console.print(
            f"data: {svc.data_label()}\ndashboard: {url}/  API reference: {url}/docs  "
            "(stop with Ctrl+C)",
            highlight=False,
        )
        run_server(svc, host=settings.host, port=settings.port, log_level=log_level, warm=warm)

    run_command(body)


def _open_rw(db: str | None, backend: str | None) -> Store:
    return open_store(db, backend)


@keys_app.command("create")
def keys_create(
    role: str = typer.Option(..., "--role", help="viewer, analyst or admin."),
    name: str = typer.Option("", "--name", help="Who or what the key is for."),
    db: str = typer.Option(None, "--db", help=_DB_HELP),
    backend: str = typer.Option(None, "--backend", help=_BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create an API key; the key is printed once and only its hash is stored."""

    def body() -> None:
        from micromix.api.keys import create_key

        with _open_rw(db, backend) as store:
            secret, rec = create_key(store, role, name=name, requested_by="admin:cli")
        if as_json:
            emit_json({"key": secret, **rec.to_dict()})
            return
        err_console.print(f"created {role} key {rec.key_id}; it is shown once:")
        console.print(secret, highlight=False, soft_wrap=True)

    run_command(body)


@keys_app.command("list")
def keys_list(
    db: str = typer.Option(None, "--db", help=_DB_HELP),
    backend: str = typer.Option(None, "--backend", help=_BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the keys (ids, roles, names; never the secrets)."""

    def body() -> None:
        import pandas as pd

        from micromix.api.keys import list_keys

        with _open_rw(db, backend) as store:
            rows = [k.to_dict() for k in list_keys(store)]
        emit_frame(
            pd.DataFrame(rows, columns=["key_id", "role", "name", "created_at", "revoked"]),
            as_json=as_json,
            title="API keys",
        )

    run_command(body)


@keys_app.command("revoke")
def keys_revoke(
    key_id: str = typer.Argument(..., help="Key id (the part after mmx_, before the next _)."),
    db: str = typer.Option(None, "--db", help=_DB_HELP),
    backend: str = typer.Option(None, "--backend", help=_BACKEND_HELP),
) -> None:
    """Revoke a key at once."""

    def body() -> None:
        from micromix.api.keys import revoke_key

        with _open_rw(db, backend) as store:
            revoke_key(store, key_id, requested_by="admin:cli")
        err_console.print(f"revoked key {key_id}")

    run_command(body)


def register(app: typer.Typer) -> None:
    """Attach ``serve`` and the ``keys`` group to ``app``."""
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
