"""The audit log: who did what privacy-relevant thing, and when.

Audience exports (and refusals), erasure requests and key changes are appended to the
``audit_log`` table, the same table :func:`micromix.audience.erase_user` writes its erasure
records to, with the same columns: ``ts, action, subject_hash, details, rows_deleted,
requested_by``. ``requested_by`` is ``"<role>:<key id>"``; ``subject_hash`` holds what the action
was done to (a key id, an audience fingerprint, the one-way hash of an erased person); ``details``
is JSON (sizes, client address). The log is append-only through this module.

Quickstart
----------
>>> from micromix.store import Store
>>> from micromix.api.audit import read_audit, record_audit
>>> st = Store.open(":memory:")
>>> record_audit(st, action="key.create", requested_by="admin:cli", target="abc")
>>> read_audit(st)["action"].tolist()
['key.create']
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from micromix.store import Store

__all__ = ["AUDIT_ACTIONS", "AUDIT_COLUMNS", "AUDIT_TABLE", "read_audit", "record_audit"]

#: table of the audit log (shared with :mod:`micromix.audience`'s erasure records)
AUDIT_TABLE = "audit_log"
#: its columns
AUDIT_COLUMNS: tuple[str, ...] = (
    "ts",
    "action",
    "subject_hash",
    "details",
    "rows_deleted",
    "requested_by",
)
#: actions this module records (``erase`` is written by :func:`micromix.audience.erase_user`)
AUDIT_ACTIONS: tuple[str, ...] = (
    "audience.export",
    "audience.refused",
    "erase",
    "key.create",
    "key.revoke",
)


def record_audit(
    store: Store,
    *,
    action: str,
    requested_by: str,
    target: str = "",
    details: dict[str, Any] | None = None,
    rows: int | None = None,
) -> None:
    """Append one entry to the audit log.

    Parameters
    ----------
    store : micromix.store.Store
    action : str
        One of :data:`AUDIT_ACTIONS`.
    requested_by : str
        Who did it: ``"<role>:<key id>"`` (``"admin:cli"`` from the command line).
    target : str
        What it was done to (key id, audience fingerprint, subject hash).
    details : dict, optional
        JSON-serialisable figures (audience size, client address ...).
    rows : int, optional
        Rows affected (deleted or exported).
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; use one of {', '.join(AUDIT_ACTIONS)}")
    row = pd.DataFrame(
        {
            "ts": [pd.Timestamp.now(tz="UTC").tz_localize(None)],
            "action": [action],
            "subject_hash": [str(target)[:500]],
            "details": [json.dumps(details or {}, default=str, sort_keys=True)],
            "rows_deleted": pd.array([rows], dtype="Int64"),
            "requested_by": [requested_by],
        }
    )
    store.append(AUDIT_TABLE, row)


def read_audit(store: Store, *, limit: int = 200) -> pd.DataFrame:
    """The latest ``limit`` audit entries, newest first."""
    if not store.has_table(AUDIT_TABLE):
        return pd.DataFrame(columns=list(AUDIT_COLUMNS))
    t = store.table(AUDIT_TABLE)
    return store.execute(t.order_by(t.ts.desc()).limit(int(limit)))
