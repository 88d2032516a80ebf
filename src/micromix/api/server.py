"""Running the service: the first admin key and the web server (uvicorn).

``micromix serve`` parses its options and calls :func:`ensure_admin_key` and
:func:`run_server`; the web server stays inside the ``api`` package (the only one that imports
the web framework).

Quickstart
----------
>>> from micromix.api.service import Service, ServiceConfig
>>> from micromix.api.server import ensure_admin_key
>>> svc = Service.open(":memory:", config=ServiceConfig(demo=False))
>>> ensure_admin_key(svc).startswith("mmx_"), ensure_admin_key(svc)
(True, None)
"""

from __future__ import annotations

import sys
import threading

from micromix.api.keys import list_keys
from micromix.api.service import Service

__all__ = ["ensure_admin_key", "run_server"]


def ensure_admin_key(svc: Service) -> str | None:
    """Create an admin key (audited) when the store has none; returns its secret, else None."""
    if svc.read(list_keys):
        return None
    secret, _ = svc.keys.create(
        "admin", name="first admin (micromix serve)", requested_by="admin:serve"
    )
    return secret


def run_server(
    svc: Service, *, host: str, port: int, log_level: str = "info", warm: bool = True
) -> None:
    """Serve ``svc`` until stopped (Ctrl+C); ``warm`` computes the dashboard's KPIs at start."""
    import uvicorn

    from micromix.api.app import create_app
    from micromix.api.routers.core import warm_cache

    app = create_app(svc, close_on_shutdown=True)
    # reads are answered on the event loop; while an ingest thread holds the interpreter lock
    # the loop waits up to one switch interval for it (Python's default is 5 ms)
    sys.setswitchinterval(svc.config.switch_interval_ms / 1000)
    svc.batches.start()  # the batch worker's imports, before the first batch waits for them
    if warm:
        threading.Thread(target=warm_cache, args=(svc,), name="micromix-warm", daemon=True).start()
    uvicorn.run(app, host=host, port=port, log_level=log_level)
