"""``micromix serve`` and ``micromix keys ...`` (thin: parse, call the library, print)."""

from __future__ import annotations

import typer

from micromix.cli._common import console, emit_json, err_console, progress_bar, run_command
from micromix.config import get_settings

__all__ = ["keys_app", "register"]

keys_app = typer.Typer(
    help="API keys for micromix serve: create (shown once), list, revoke.", no_args_is_help=True
)

_DB_HELP = "DuckDB file (default: $MICROMIX_DB or ./micromix.duckdb)."


def serve(
    host: str = typer.Option(None, "--host", help="Interface to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port", min=1, max=65535, help="Port (default 8000)."),
    db: str = typer.Option(None, "--db", help=_DB_HELP),
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
        import uvicorn

        from micromix.api import ServiceConfig, create_app
        from micromix.api.audit import record_audit
        from micromix.api.keys import list_keys
        from micromix.api.service import Service

        settings = get_settings(db=db, host=host, port=port)
        overrides: dict[str, object] = {"demo": demo}
        if rate is not None:
            overrides["rate"] = rate
        config = ServiceConfig(**overrides)  # type: ignore[arg-type]
        with progress_bar() as update:
            update("opening the store", 0.0)
            svc = Service.open(
                settings.db, config=config, progress=lambda s, f: update(f"demo data: {s}", 0.9 * f)
            )
            update("ready", 1.0)
        label = svc.data_label()
        if not svc.read(list_keys):
            secret, rec = svc.keys.create("admin", name="first admin (micromix serve)")
            svc.write(
                lambda st: record_audit(
                    st,
                    action="key.create",
                    requested_by="admin:serve",
                    target=rec.key_id,
                    details={"role": "admin"},
                )
            )
            console.print(
                "[bold]No API keys yet: created an admin key. It is shown once; keep "
                f"it safe:[/]\n  {secret}",
                highlight=False,
                soft_wrap=True,
            )
        url = f"http://{settings.host}:{settings.port}"
        console.print(
            f"data: {label}\ndashboard: {url}/  API reference: {url}/docs  (stop with Ctrl+C)",
            highlight=False,
        )
        app = create_app(svc, close_on_shutdown=True)
        if warm:
            import threading

            from micromix.api.routers.core import warm_cache

            threading.Thread(
                target=warm_cache, args=(svc,), name="micromix-warm", daemon=True
            ).start()
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level)

    run_command(body)


def _open_rw(db: str | None):
    from micromix.store import Store

    return Store.open(get_settings(db=db).db)


@keys_app.command("create")
def keys_create(
    role: str = typer.Option(..., "--role", help="viewer, analyst or admin."),
    name: str = typer.Option("", "--name", help="Who or what the key is for."),
    db: str = typer.Option(None, "--db", help=_DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create an API key; the key is printed once and only its hash is stored."""

    def body() -> None:
        from micromix.api.audit import record_audit
        from micromix.api.keys import create_key

        with _open_rw(db) as store:
            secret, rec = create_key(store, role, name=name)
            record_audit(
                store,
                action="key.create",
                requested_by="admin:cli",
                target=rec.key_id,
                details={"role": role},
            )
        if as_json:
            emit_json({"key": secret, **rec.to_dict()})
            return
        err_console.print(f"created {role} key {rec.key_id}; it is shown once:")
        console.print(secret, highlight=False, soft_wrap=True)

    run_command(body)


@keys_app.command("list")
def keys_list(
    db: str = typer.Option(None, "--db", help=_DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the keys (ids, roles, names; never the secrets)."""

    def body() -> None:
        import pandas as pd

        from micromix.api.keys import list_keys
        from micromix.cli._common import emit_frame

        with _open_rw(db) as store:
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
) -> None:
    """Revoke a key at once."""

    def body() -> None:
        from micromix.api.audit import record_audit
        from micromix.api.keys import revoke_key

        with _open_rw(db) as store:
            revoke_key(store, key_id)
            record_audit(store, action="key.revoke", requested_by="admin:cli", target=key_id)
        err_console.print(f"revoked key {key_id}")

    run_command(body)


def register(app: typer.Typer) -> None:
    """Attach ``serve`` and the ``keys`` group to ``app``."""
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
