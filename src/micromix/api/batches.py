"""Event batches of ``POST /api/v1/events``: parsed and validated off the server's interpreter.

A batch of 2,000 events is about 0.5 MB of JSON; parsing it, building its frame and running the
contract validator over it is pure Python and pandas work (tens of milliseconds) that holds
the interpreter lock, so in the server process it competes with the event loop that answers
every read, and it leaves the machine's second core idle. :class:`BatchValidator` runs it in a
worker **process** (a pool of one, started on first use or by :meth:`BatchValidator.start`):
the server sends the body's bytes and gets back the :class:`~micromix.schema.ValidationResult`
(typed accepted rows, quarantine records with their reasons), then only writes it under its
write lock. Small bodies (under ``min_bytes``) are validated in the calling thread, where the
round trip to the worker would cost more than it saves; so is every batch when the worker
cannot run (``workers=0``, or a worker that died: the pool is replaced for the next batch).
Either way the same two functions run, :func:`batch_frame` and
:func:`micromix.ingest.validate_frame`, so a batch gets the same answer wherever it is validated.

Quickstart
----------
>>> from micromix.api.batches import BatchValidator, batch_frame
>>> batch_frame(b'[{"event_id": "e1", "cost": 2}]', max_rows=10)["event_id"].tolist()
['e1']
>>> v = BatchValidator(workers=0)
>>> got = v.validate(b'[{"event_id": "e1", "ts": "2026-04-01T10:00:00Z", "user_id": "u1", '
...                  b'"event_type": "search"}]', max_rows=10, source="doc")
>>> len(got.result.accepted), len(got.result.quarantine), got.accepted is None
(1, 0, True)
"""

from __future__ import annotations

import json
import multiprocessing
import pickle
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NamedTuple

import pandas as pd
import pyarrow as pa

from micromix.api._respond import check_rows
from micromix.api.errors import ApiError
from micromix.errors import MicromixError
from micromix.schema import ValidationResult

__all__ = [
    "MAX_BATCH_DEPTH",
    "BatchValidator",
    "ValidatedBatch",
    "batch_frame",
    "validate_batch",
]

#: deepest JSON nesting accepted in an event batch (the file readers' limit, MAX_JSON_DEPTH)
MAX_BATCH_DEPTH = 64


def batch_frame(body: bytes, max_rows: int) -> pd.DataFrame:
    """The events of a ``POST /api/v1/events`` body as a frame of JSON values (cells as sent).

    Raises :class:`ApiError` (422) for a body that is not a JSON array of objects (or
    ``{"events": [...]}``), nests deeper than :data:`MAX_BATCH_DEPTH`, or is empty, and 413
    for more than ``max_rows`` events. Wrong JSON types in cells (an object as ``event_id``,
    ``true`` as a cost) are left to the contract validator, which quarantines their rows.
    """
    try:
        payload = json.loads(body)
    except RecursionError:
        raise ApiError(
            422,
            "invalid_json",
            f"the body is nested deeper than {MAX_BATCH_DEPTH} levels; send a flat JSON array of "
            "event objects",
        ) from None
    except ValueError as exc:  # also invalid UTF-8 and integers over Python's digit limit
        raise ApiError(
            422, "invalid_json", f"the body is not valid JSON ({str(exc)[:200]})"
        ) from None
    records = payload.get("events") if isinstance(payload, dict) else payload
    if not isinstance(records, list) or not all(type(r) is dict for r in records):
        raise ApiError(
            422, "invalid_request", 'send a JSON array of event objects, or {"events": [...]}'
        )
    check_rows(len(records), max_rows, "the batch")
    if not records:
        raise ApiError(422, "invalid_request", "the batch has no events")
    columns = _columns(records)
    # a list or object inside an event needs a bracket of its own outside any string: with no
    # more brackets in the body than the events' own and the array's (and a wrapper's), no
    # event nests anything and the walk over every value can be skipped
    if body.count(b"{") + body.count(b"[") > len(records) + 2:
        _refuse_deep(records, columns)
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def _columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    keys: dict[str, None] = {}
    for r in records:
        keys.update(dict.fromkeys(r))
    return {k: [r.get(k) for r in records] for k in keys}


def _refuse_deep(records: list[dict[str, Any]], columns: dict[str, list[Any]]) -> None:
    """422 naming the first event (and its first field) nested deeper than the limit.

    Columns are scanned for lists and objects first (a batch of plain values, the usual case,
    costs one pass per column), then only the events holding one are looked at in order.
    """
    first: int | None = None
    for values in columns.values():
        for i, v in enumerate(values):
            if first is not None and i >= first:
                break
            if (type(v) is dict or type(v) is list) and _deeper_than(v, MAX_BATCH_DEPTH - 2):
                first = i
                break
    if first is None:
        return
    for k, v in records[first].items():
        if isinstance(v, dict | list) and _deeper_than(v, MAX_BATCH_DEPTH - 2):
            raise ApiError(
                422,
                "invalid_request",
                f"event {first + 1}, field {str(k)[:80]!r}: nested deeper than {MAX_BATCH_DEPTH} "
                "levels; send plain values",
            )


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether a JSON value nests lists/objects more than ``limit`` levels (no recursion)."""
    stack = [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict | list):
            if d >= limit:
                return True
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return False


def validate_batch(body: bytes, max_rows: int, source: str) -> ValidationResult:
    """Parse a batch (:func:`batch_frame`) and validate it against the ``events`` contract
    (:func:`micromix.ingest.validate_frame`); what the worker process runs."""
    from micromix.ingest import validate_frame
    from micromix.schema import schema_for

    return validate_frame(schema_for("events"), batch_frame(body, max_rows), source=source)


class ValidatedBatch(NamedTuple):
    """A validated batch: the validation result, and its accepted rows in the store's Arrow
    form when they were converted already (by the worker; then ``result.accepted`` is empty,
    the rows are not sent twice)."""

    result: ValidationResult
    accepted: pa.Table | None = None


def _in_worker(body: bytes, max_rows: int, source: str) -> tuple[bool, Any]:
    """:func:`validate_batch` in the worker: ``(True, ValidatedBatch)`` or ``(False, error)``,
    with an error that survives the trip back to the server (anything else becomes a
    MicromixError of the same sentence, never a broken pool)."""
    from micromix.store.base import to_arrow

    try:
        res = validate_batch(body, max_rows, source)
        rows = to_arrow(res.accepted)
        res.accepted = res.accepted.iloc[:0]
        return True, ValidatedBatch(res, rows)
    except Exception as exc:  # sent back and raised in the server
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            return False, MicromixError(str(exc))
        return False, exc


def _ready() -> bool:
    """Imports what a batch needs (the first batch does not pay for them)."""
    import micromix.ingest
    import micromix.schema  # noqa: F401

    return True


class BatchValidator:
    """Validates event batches in a worker process (see the module docstring).

    Parameters
    ----------
    workers : int
        Worker processes (0: every batch is validated in the calling thread).
    min_bytes : int
        Bodies smaller than this are validated in the calling thread.
    """

    def __init__(self, *, workers: int = 1, min_bytes: int = 64 * 1024) -> None:
        self.workers = workers
        self.min_bytes = min_bytes
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False
        #: batches validated in the worker so far
        self.in_worker = 0

    def _get_pool(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._closed or self.workers <= 0:
                return None
            if self._pool is None:
                # spawn, not fork: the server holds threads and a database connection
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool

    def start(self) -> None:
        """Start the worker now (``micromix serve`` does at start; otherwise the first large
        batch does)."""
        pool = self._get_pool()
        if pool is not None:
            pool.submit(_ready)

    def submit(self, body: bytes, max_rows: int, source: str) -> Future[tuple[bool, Any]] | None:
        """The worker's future for a large body, or None: validate it in this thread instead
        (:meth:`validate`)."""
        if len(body) < self.min_bytes:
            return None
        pool = self._get_pool()
        if pool is None:
            return None
        try:
            return pool.submit(_in_worker, body, max_rows, source)
        except (BrokenProcessPool, RuntimeError):  # died or shut down: next batch gets a new one
            self._discard(pool)
            return None

    def result(
        self, fut: Future[tuple[bool, Any]], body: bytes, max_rows: int, source: str
    ) -> ValidatedBatch:
        """The outcome of a :meth:`submit` future (raised as the same error as in-thread); a
        worker that died is replaced and the batch validated in this thread."""
        try:
            ok, value = fut.result()
        except BrokenProcessPool:
            with self._lock:
                pool = self._pool
            if pool is not None:
                try:  # the pool this batch went to, or a newer one already replacing it
                    pool.submit(_ready)
                except (BrokenProcessPool, RuntimeError):
                    self._discard(pool)
            return ValidatedBatch(validate_batch(body, max_rows, source))
        with self._lock:
            self.in_worker += 1
        if not ok:
            raise value
        assert isinstance(value, ValidatedBatch)
        return value

    def validate(self, body: bytes, max_rows: int, source: str) -> ValidatedBatch:
        """Validate one batch, in the worker when it is large, and wait for the result."""
        fut = self.submit(body, max_rows, source)
        if fut is None:
            return ValidatedBatch(validate_batch(body, max_rows, source))
        return self.result(fut, body, max_rows, source)

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken ``pool`` (the next large batch starts a new worker)."""
        with self._lock:
            if self._pool is not pool:
                return
            self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the worker (waits for the batch it is on)."""
        with self._lock:
            self._closed = True
            old, self._pool = self._pool, None
        if old is not None:
            old.shutdown(wait=True, cancel_futures=True)
