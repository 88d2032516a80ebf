"""Who was erased (``micromix privacy erase``), matched without ever storing their ids.

The erasure itself (deleting rows, writing the audit record) is
:func:`micromix.audience.privacy.erase_user`; the matching primitives live here, beside the
store, so that the ingest (which sits below the audience layer) can keep an erased person's
later rows out of the store too (:func:`leave_out_erased`):

* :func:`subject_hash` - the keyed (HMAC-SHA-256, ``k1:...``) hash the audit log keeps;
* :func:`erasure_key` - the store's secret key of those hashes (:data:`ERASURE_KEY_TABLE`);
* :func:`erased_subjects` - the hashes of every erasure in the audit log, with the key;
* :func:`erased_mask` - which ids of a column are among them.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.store import Store
>>> st = Store.open(":memory:")
>>> len(erased_subjects(st)), has_erasures(st)
(0, False)
>>> erased_mask(pd.Series(["a", "b"]), {subject_hash("b")}).tolist()
[False, True]
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError
from micromix.store.base import Store

__all__ = [
    "AUDIT_TABLE",
    "ERASURE_COLUMNS",
    "ERASURE_KEY_TABLE",
    "ErasedSubjects",
    "erased_mask",
    "erased_note",
    "erased_records",
    "erased_rows",
    "erased_subjects",
    "erasure_key",
    "has_erasures",
    "record_values",
    "subject_hash",
]

#: columns that identify a person in store tables (erasure deletes rows matching any of them)
ERASURE_COLUMNS: tuple[str, ...] = ("user_id", "unit_id", "author_id")
#: table holding one audit record per privacy action
AUDIT_TABLE = "audit_log"
#: the store's secret key of the erasure hashes (never exported, never served over the API)
ERASURE_KEY_TABLE = "erasure_key"

_HASH_PREFIX = "micromix-erasure-v1:"
#: what starts a keyed (HMAC-SHA-256) subject hash; older records hold plain SHA-256 hashes
_KEYED = "k1:"


def subject_hash(user_id: Any, key: bytes | None = None) -> str:
    """One-way hash of a person's id, kept in the audit log instead of the id itself.

    With the store's ``key`` (:func:`erasure_key`) it is an HMAC-SHA-256 (``k1:...``): ids are
    often guessable (``u0000001`` ...), and a plain hash of one is found by trying them all
    (200,000 tries took about a second), so whoever reads the audit log without the key cannot
    tell who was erased. Without a key: the plain SHA-256 of micromix before the key (records
    written then are still matched).
    """
    uid = str(user_id).strip().encode("utf-8")
    if key is None:
        return hashlib.sha256(_HASH_PREFIX.encode("utf-8") + uid).hexdigest()
    return _KEYED + hmac.new(key, uid, hashlib.sha256).hexdigest()


def erasure_key(store: Store, *, create: bool = False) -> bytes | None:
    """The store's secret key of the erasure hashes (:data:`ERASURE_KEY_TABLE`); made on the
    first erasure when ``create``, else None while the store has none."""
    if "key" in store.columns(ERASURE_KEY_TABLE):
        got = store.sql(f"SELECT key FROM {ERASURE_KEY_TABLE} LIMIT 1")
        if len(got):
            return bytes.fromhex(str(got["key"].iloc[0]))
    if not create:
        return None
    key = secrets.token_bytes(32)
    store.append(ERASURE_KEY_TABLE, pd.DataFrame({"key": [key.hex()]}))
    return key


class ErasedSubjects(set[str]):
    """The hashes of the audit log's erasures (:func:`erased_subjects`), with the store's key,
    so ids can be matched against them (:meth:`holds`). A copy (``set(e)``) has no key: keyed
    hashes cannot be matched without it, so :func:`erased_mask` refuses such a copy."""

    key: bytes | None = None

    def holds(self, ids: pd.Series) -> np.ndarray:
        """Which of ``ids`` were erased (keyed hashes, and plain ones of older records)."""
        return erased_mask(ids, self)


def erased_mask(ids: pd.Series, erased: Iterable[str]) -> np.ndarray:
    """Which of ``ids`` are among the ``erased`` hashes (:func:`erased_subjects`; a plain set
    of hashes matches the unkeyed ones)."""
    hashes = erased if isinstance(erased, frozenset | set) else set(erased)
    hit = np.zeros(len(ids), dtype=bool)
    if not hashes:
        return hit
    # each distinct id is hashed once (an ingest batch repeats a person's id on every event)
    codes, uniques = pd.factorize(ids.astype("string").fillna(""))
    ids_once = pd.Series(uniques, dtype=object)
    found = np.zeros(len(ids_once), dtype=bool)
    key = getattr(erased, "key", None)
    if any(h.startswith(_KEYED) for h in hashes):
        if key is None:  # a copy of erased_subjects(store): matching would pass everyone
            raise ConfigError(
                "the erased people's hashes are keyed with the store's secret and this set has "
                "no key; pass erased_subjects(store) itself, not a copy of it"
            )
        found |= ids_once.map(lambda u: subject_hash(u, key)).isin(hashes).to_numpy(dtype=bool)
    if any(not h.startswith(_KEYED) for h in hashes):
        found |= ids_once.map(subject_hash).isin(hashes).to_numpy(dtype=bool)
    if found.any():
        hit = np.where(codes >= 0, found[np.maximum(codes, 0)], False)
    return hit


def _has_log(store: Store) -> bool:
    # the columns of a table that does not exist are [] (a catalog lookup, cheaper than
    # has_table): it runs on every ingest
    return {"action", "subject_hash"} <= set(store.columns(AUDIT_TABLE))


#: the audit log's erasure records, filtered in the engine (the log also holds the service's
#: records, many more of them); plain SQL every engine reads (an Ibis expression of it costs
#: about 10 ms to build and compile, on every ingest batch)
_ERASE_QUERY = f"SELECT {{what}} FROM {AUDIT_TABLE} WHERE action = 'erase'"


def _erase_hashes(store: Store) -> set[str]:
    """The ``subject_hash`` of the audit log's ``erase`` records."""
    if not _has_log(store):
        return set()
    got = store.sql(_ERASE_QUERY.format(what="subject_hash"))
    return {str(h) for h in got["subject_hash"].dropna()}


def has_erasures(store: Store) -> bool:
    """Whether anyone was ever erased from ``store`` (an audit ``erase`` record exists)."""
    if not _has_log(store):
        return False
    got = store.sql(_ERASE_QUERY.format(what="count(*) AS n"))
    return bool(int(got["n"].iloc[0]))


def erased_subjects(store: Store) -> ErasedSubjects:
    """Hashes of everyone erased so far (read from the audit log), with the store's key to
    match ids against them (:meth:`ErasedSubjects.holds`)."""
    out = ErasedSubjects(_erase_hashes(store))
    out.key = erasure_key(store) if out else None
    return out


def record_values(record: Any) -> list[str]:
    """The cells of a quarantined raw ``record`` (JSON of the file's cells, or a raw line)."""
    if not isinstance(record, str):
        return []
    try:
        cells = json.loads(record)
    except ValueError:  # not JSON: the cells of the line
        return [part.strip().strip('"') for part in re.split(r"[,;\t|]", record)]
    if isinstance(cells, dict):
        values: Iterable[Any] = cells.values()
    elif isinstance(cells, list):
        values = cells
    else:
        values = [cells]
    return [str(v).strip() for v in values if v is not None]


def erased_records(records: pd.Series, erased: ErasedSubjects) -> np.ndarray:
    """Which quarantined raw ``records`` hold an erased person's id as one of their cells."""
    hit = np.zeros(len(records), dtype=bool)
    if not erased or not len(records):
        return hit
    for i, record in enumerate(records.tolist()):
        cells = record_values(record)
        if cells and erased_mask(pd.Series(cells, dtype="string"), erased).any():
            hit[i] = True
    return hit


def erased_note(n: int) -> str:
    """The ingest's note on ``n`` rows of erased people left out."""
    return (
        f"{n:,} row(s) of people erased before (privacy erase) were left out: they are not "
        "stored, quarantined or exported"
    )


def erased_rows(df: pd.DataFrame, erased: ErasedSubjects, columns: Sequence[str]) -> np.ndarray:
    """Which rows of ``df`` hold an erased person's id in one of ``columns``."""
    hit = np.zeros(len(df), dtype=bool)
    if not erased:
        return hit
    for col in columns:
        if col in df.columns:
            hit |= erased_mask(df[col], erased)
    return hit
