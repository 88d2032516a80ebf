"""API keys: created once, shown once, stored hashed (scrypt with a per-key salt).

A key looks like ``mmx_<key_id>_<secret>``. The store keeps the ``key_id``, the role, a name, the
salt and ``scrypt(secret, salt)`` in the ``api_keys`` table, never the secret. Verification
recomputes the hash and compares it in constant time; :class:`KeyRing` remembers keys it has
verified (by a SHA-256 of the presented key, in memory only) so a busy client does not pay for
scrypt on every request, and forgets them when a key is created or revoked.

Quickstart
----------
>>> from micromix.store import Store
>>> from micromix.api.keys import create_key, verify_key
>>> st = Store.open(":memory:")
>>> secret, rec = create_key(st, "viewer", name="laptop")
>>> verify_key(st, secret).role
'viewer'
>>> verify_key(st, secret + "x") is None
True
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from micromix.api.audit import record_audit
from micromix.errors import ConfigError
from micromix.store import Store

__all__ = [
    "KEY_TABLE",
    "ROLES",
    "KeyRecord",
    "KeyRing",
    "create_key",
    "list_keys",
    "revoke_key",
    "role_allows",
    "verify_key",
]

#: table holding the hashed keys
KEY_TABLE = "api_keys"
#: roles, from least to most privileged (each includes the ones before it)
ROLES: tuple[str, ...] = ("viewer", "analyst", "admin")
#: scrypt cost parameters (16 MiB, ~50 ms per verification)
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_KEY_RE = re.compile(r"^mmx_([0-9a-f]{12})_([A-Za-z0-9_-]{20,64})$")
_COLUMNS = ("key_id", "role", "name", "salt", "hash", "created_at", "revoked_at")


@dataclass(frozen=True)
class KeyRecord:
    """A stored key, without its secret."""

    key_id: str
    role: str
    name: str
    created_at: str
    revoked: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def role_allows(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may (admin > analyst > viewer)."""
    return ROLES.index(role) >= ROLES.index(needed)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)


def _rows(store: Store, key_id: str | None = None) -> pd.DataFrame:
    if not store.has_table(KEY_TABLE):
        return pd.DataFrame(columns=list(_COLUMNS))
    t = store.table(KEY_TABLE)
    if key_id is not None:
        t = t.filter(t.key_id == key_id)  # a bound literal, never SQL text
    return store.execute(t)


def _record(row: Any) -> KeyRecord:
    return KeyRecord(
        key_id=str(row["key_id"]),
        role=str(row["role"]),
        name=str(row["name"] or ""),
        created_at=str(row["created_at"]),
        revoked=bool(pd.notna(row["revoked_at"]) and row["revoked_at"] is not None),
    )


def create_key(
    store: Store,
    role: str,
    *,
    name: str = "",
    requested_by: str | None = None,
    details: dict[str, Any] | None = None,
) -> tuple[str, KeyRecord]:
    """Create a key with ``role``; returns ``(secret, record)``. The secret is not stored.

    With ``requested_by`` (``"<role>:<key id>"``) the creation is written to the audit log in
    the same transaction, with ``details`` (e.g. the client address).

    Raises
    ------
    ConfigError
        ``role`` is not one of :data:`ROLES`.
    """
    _check_role(role)
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    row = pd.DataFrame(
        [
            {
                "key_id": key_id,
                "role": role,
                "name": name[:200],
                "salt": salt.hex(),
                "hash": _hash(secret, salt).hex(),
                "created_at": now,
            }
        ]
    )
    row["revoked_at"] = pd.Series([pd.NaT], dtype="datetime64[us]")
    with store.transaction():
        store.append(KEY_TABLE, row)
        if requested_by is not None:
            record_audit(
                store,
                action="key.create",
                requested_by=requested_by,
                target=key_id,
                details={"role": role, **(details or {})},
            )
    return f"mmx_{key_id}_{secret}", KeyRecord(key_id, role, name[:200], str(now))


def verify_key(store: Store, presented: str, *, lock: Any = None) -> KeyRecord | None:
    """The record of ``presented`` if it is a valid, unrevoked key, else None.

    ``lock`` (optional) is held while the store is read, not while the hash is computed.
    """
    m = _KEY_RE.match(presented or "")
    if m is None:
        return None
    key_id, secret = m.groups()
    if lock is not None:
        with lock:
            rows = _rows(store, key_id)
    else:
        rows = _rows(store, key_id)
    if rows.empty:
        _hash(secret, b"0" * 16)  # same work whether or not the id exists
        return None
    row = rows.iloc[0]
    good = hmac.compare_digest(
        _hash(secret, bytes.fromhex(row["salt"])), bytes.fromhex(row["hash"])
    )
    rec = _record(row)
    if not good or rec.revoked:
        return None
    return rec


def list_keys(store: Store) -> list[KeyRecord]:
    """Every key (revoked ones included), oldest first, without secrets."""
    rows = _rows(store)
    if rows.empty:
        return []
    return [_record(r) for _, r in rows.sort_values("created_at").iterrows()]


def revoke_key(
    store: Store,
    key_id: str,
    *,
    requested_by: str | None = None,
    details: dict[str, Any] | None = None,
) -> KeyRecord:
    """Revoke ``key_id``; it stops working at once (audited when ``requested_by`` is given).

    Raises
    ------
    ConfigError
        No key has that id.
    """
    rows = _rows(store, key_id)
    if rows.empty:
        raise ConfigError(f"no API key with id {key_id!r}; list them with 'micromix keys list'")
    row = rows.iloc[[0]].copy()
    row["revoked_at"] = pd.Series(
        [pd.Timestamp.now(tz="UTC").tz_localize(None)], dtype="datetime64[us]", index=row.index
    )
    with store.transaction():
        store.upsert(KEY_TABLE, row, key=["key_id"])
        if requested_by is not None:
            record_audit(
                store,
                action="key.revoke",
                requested_by=requested_by,
                target=key_id,
                details=details,
            )
    return _record(row.iloc[0])


class KeyRing:
    """Key verification with an in-memory cache of verified keys (for the server).

    Parameters
    ----------
    store : micromix.store.Store
    lock : lock, optional
        Held while a key is created or revoked (the server's write lock); verification reads
        without it.
    """

    def __init__(self, store: Store, lock: Any = None) -> None:
        self.store = store
        self.lock = lock
        self._known: dict[str, KeyRecord] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _digest(presented: str) -> str:
        return hashlib.sha256(presented.encode()).hexdigest()

    def remembered(self, presented: str) -> KeyRecord | None:
        """The record of an already verified key, or None (never touches the store)."""
        with self._lock:
            return self._known.get(self._digest(presented))

    def verify(self, presented: str) -> KeyRecord | None:
        """Like :func:`verify_key`, remembering successes."""
        d = self._digest(presented)
        with self._lock:
            hit = self._known.get(d)
        if hit is not None:
            return hit
        rec = verify_key(self.store, presented)  # a read: it does not wait for writers
        if rec is not None:
            with self._lock:
                self._known[d] = rec
        return rec

    def forget(self) -> None:
        """Drop remembered keys (after a key is created or revoked)."""
        with self._lock:
            self._known.clear()

    def create(self, role: str, *, name: str = "", **audit: Any) -> tuple[str, KeyRecord]:
        """Create a key (see :func:`create_key`; ``requested_by`` / ``details`` audit it)."""
        self.forget()
        with self.lock or contextlib.nullcontext():
            return create_key(self.store, role, name=name, **audit)

    def revoke(self, key_id: str, **audit: Any) -> KeyRecord:
        """Revoke a key (see :func:`revoke_key`); cached verifications are dropped."""
        with self.lock or contextlib.nullcontext():
            rec = revoke_key(self.store, key_id, **audit)
        self.forget()
        return rec
