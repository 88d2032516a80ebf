"""The real-time micro-moment detector and its transports (file replay, HTTP, Redis Streams).

:class:`MomentDetector` is a plain Python state machine: each event (a dict) is de-duplicated
on ``event_id``, given an intent (its ``moment`` field, else the classifier on its ``query`` /
``text``), a topic (its ``topic`` field, else the first known topic found in the text) and a
region, counted under the key ``"intent | topic | region"`` by a
:class:`~micromix.moments.bursts.BurstStream`. Every episode the stream opens (a burst at its
rising edge, a level shift or gap when confirmed) becomes one
:class:`~micromix.moments.actions.MomentAction` handed to an
:class:`~micromix.moments.actions.ActionDispatcher` (store + webhooks); as the episode grows,
peaks, ends or turns out to be a level shift, the same action (same ``moment_id``) is updated
in the store and re-fired when its kind changes or it ends. :meth:`MomentDetector.acted` is
the table of those actions.

Transports feed it: :func:`replay_file` (JSONL / CSV, optionally paced with a speed-up),
:func:`serve_http` (``POST /events`` on loopback by default) and :func:`consume_redis` (a Redis
Streams consumer group: events are acknowledged only after they were processed, pending
entries are re-read after a restart, and redelivered events are recognised by ``event_id``).

Delivery is at-least-once, not exactly-once: the ``event_id`` memory lives in the process,
so an entry processed but not acknowledged when the process died (``kill -9``, power loss) is
counted again by the next run (a moment already in the store is still not acted on twice).
SIGTERM and a first Ctrl-C stop the Redis consumer after the batch in hand is acknowledged.
An event no transport can count (:func:`event_problem`) is refused with its field named:
the HTTP batch gets 400, a file its row, a Redis entry goes to ``<stream>:dead``.

Quickstart
----------
>>> from micromix.moments.bursts import BurstSpec
>>> from micromix.moments.realtime import MomentDetector
>>> det = MomentDetector(spec=BurstSpec(freq="1min", min_history=1), topics=["dog food"])
>>> acts = []
>>> for t in range(0, 600, 20):
...     acts += det.process({"event_id": f"a{t}", "ts": t, "query": "buy dog food", "region": "n"})
>>> for t in range(600, 660):
...     acts += det.process({"event_id": f"b{t}", "ts": t, "query": "buy dog food", "region": "n"})
>>> [(a.kind, a.key) for a in acts]
[('burst', 'buy | dog food | n')]
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pandas as pd

from micromix.errors import ConfigError, DataValidationError, DeliveryError
from micromix.ingest.files import read_table
from micromix.moments.actions import ActionDispatcher, MomentAction, episode_action
from micromix.moments.bursts import (
    BurstSpec,
    BurstStream,
    Episode,
    _refuse_empty,
    _to_epoch_seconds,
    check_time_resolution,
)
from micromix.moments.intent import IntentClassifier
from micromix.schema.base import require_columns
from micromix.schema.values import epoch_seconds

__all__ = [
    "DEFAULT_KEY_FIELDS",
    "MomentDetector",
    "consume_redis",
    "event_problem",
    "parse_ts",
    "replay_file",
    "serve_http",
]

#: fields that form the key of a moment
DEFAULT_KEY_FIELDS = ("moment", "topic", "region")


def parse_ts(value: Any) -> float:
    """Epoch seconds from epoch s/ms/µs/ns or an ISO 8601 string (:func:`epoch_seconds`)."""
    try:
        return epoch_seconds(value)
    except ValueError as exc:
        raise DataValidationError(
            f"event timestamp {value!r}: {exc}; send epoch seconds or ISO 8601"
        ) from None


_TEXT_FIELDS = ("event_id", "key", "moment", "topic", "region", "query", "text")


def event_problem(ev: Any) -> str | None:
    """Why ``ev`` cannot be processed (one sentence naming the field), or None when it can.

    An event is a JSON object with a ``ts`` (:func:`parse_ts`); ``count``, when given, is a
    finite number >= 0; ``event_id``, ``key``, ``moment``, ``topic``, ``region``, ``query``
    and ``text`` are strings or numbers, never objects or arrays (their text would be a
    Python repr).
    """
    return _checked(ev)[0]


def _checked(ev: Any) -> tuple[str | None, float]:
    """:func:`event_problem`, and the event's time in epoch seconds when it has none."""
    if not isinstance(ev, dict):
        return f"it is a JSON {_json_type(ev)}, not an object; send one JSON object per event", 0.0
    ts = ev.get("ts")
    if ts is None or ts == "":
        return "'ts' is missing; every event needs a time (ISO 8601 or epoch seconds)", 0.0
    if isinstance(ts, bool) or not isinstance(ts, (str, int, float)):
        return f"'ts' is a JSON {_json_type(ts)}; send ISO 8601 or epoch seconds", 0.0
    try:
        t = ts if type(ts) is float and 0 < ts < 1e11 else epoch_seconds(ts)
    except ValueError as exc:
        return f"'ts' {ts!r} is not a time ({exc}); send ISO 8601 or epoch seconds", 0.0
    for f in _TEXT_FIELDS:
        v = ev.get(f)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (str, int, float))):
            return f"'{f}' is a JSON {_json_type(v)}; send a string", t
    c = ev.get("count")
    if c is not None and c != "":
        try:
            if isinstance(c, bool):
                raise ValueError
            n = float(c)
        except (TypeError, ValueError):
            return f"'count' {c!r} is not a number; send how many the event stands for (>= 0)", t
        if not 0 <= n < float("inf"):
            return f"'count' {c!r} must be a finite number >= 0", t
    return None, t


def _json_type(v: Any) -> str:
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        return "array"
    if isinstance(v, bool):
        return "boolean"
    if v is None:
        return "null"
    if isinstance(v, str):
        return "string"
    return "number" if isinstance(v, (int, float)) else type(v).__name__


class MomentDetector:
    """Events in, moments out (see the module docstring).

    Parameters
    ----------
    spec : BurstSpec, optional
        Burst detection settings (default: 1-minute buckets are NOT assumed; ``BurstSpec()``).
    dispatcher : ActionDispatcher, optional
        Where actions go; default keeps them in memory only.
    classifier : IntentClassifier, optional
        Used for events without a ``moment``; default: the shipped model, loaded lazily.
    topics : sequence of str, optional
        Known topics searched in the text when an event has no ``topic``.
    key_fields : sequence of str
        Event fields that form the key.
    enrich : bool
        Ask for the best content, creator and audience of each burst.
    enricher : callable, optional
        ``enricher(intent, topic, region) -> (content, creator, audience, notes)``, e.g.
        :class:`~micromix.moments.actions.StoreEnricher`; default: none, so a burst carries
        no suggestion and one note saying a store (``--db``) would give them.
    dedup_size : int
        About how many recent ``event_id`` values are remembered for idempotent redelivery
        (between half of it and all of it, in two rotating generations).
    on_action : callable, optional
        ``on_action(action, change)`` after a moment was acted on (``change`` is ``"new"``)
        or turned out to be something else (``"reclassified"``: a burst became a level
        shift), e.g. to print a live line.
    """

    def __init__(
        self,
        *,
        spec: BurstSpec | None = None,
        dispatcher: ActionDispatcher | None = None,
        classifier: IntentClassifier | None = None,
        topics: Sequence[str] = (),
        key_fields: Sequence[str] = DEFAULT_KEY_FIELDS,
        dedup_size: int = 1_000_000,
        enrich: bool = True,
        enricher: Any = None,
        on_action: Callable[[MomentAction, str], None] | None = None,
    ) -> None:
        self.spec = spec or BurstSpec()
        self.on_action = on_action
        self.stream = BurstStream(self.spec, record_changes=True)
        self.dispatcher = dispatcher or ActionDispatcher(enrich=enrich)
        self._classifier = classifier
        self.topics = sorted({t.lower() for t in topics}, key=len, reverse=True)
        self.key_fields = tuple(key_fields)
        self.dedup_size = dedup_size
        self._seen_cur: set[str] = set()
        self._seen_old: set[str] = set()
        self.enrich = enrich
        self.enricher = enricher
        #: the moments this detector acted on, each as it stands now (updated in place)
        self.actions: list[MomentAction] = []
        self._action_of: dict[int, MomentAction] = {}  # id(episode) -> its latest action
        self._position: dict[str, int] = {}  # moment_id -> index in ``actions``
        #: episodes found in the store already (acted on by an earlier run): updated, not new
        self.resumed = 0
        self.latencies: list[float] = []
        self.duplicates = 0
        self.processed = 0
        #: events (or stream entries) refused by a transport, each with a note
        self.rejected = 0

    @property
    def classifier(self) -> IntentClassifier:
        if self._classifier is None:
            self._classifier = IntentClassifier.load_default()
        return self._classifier

    def _topic(self, text: str) -> str:
        t = text.lower()
        for topic in self.topics:
            if topic in t:
                return topic
        return "other"

    def _key(self, ev: dict[str, Any], moment: str | None) -> str:
        if ev.get("key"):
            return str(ev["key"])
        parts = []
        for f in self.key_fields:
            if f == "moment":
                parts.append(moment or "other")
            elif f == "topic":
                topic = ev.get("topic")
                parts.append(
                    str(topic)
                    if topic
                    else self._topic(str(ev.get("query") or ev.get("text") or ""))
                )
            else:
                v = ev.get(f)
                parts.append("unknown" if v is None or v == "" else str(v))
        return " | ".join(parts)

    def _fresh(self, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Drop events whose ``event_id`` was seen recently (two rotating generations)."""
        cur, old = self._seen_cur, self._seen_old
        half = max(1, self.dedup_size // 2)
        out = []
        for e in events:
            eid = e.get("event_id")
            if eid is not None:
                eid = str(eid)
                if eid in cur or eid in old:
                    self.duplicates += 1
                    continue
                cur.add(eid)
                if len(cur) >= half:
                    self._seen_old, self._seen_cur = cur, set()
                    cur, old = self._seen_cur, self._seen_old
            out.append(e)
        return out

    def process(self, event: dict[str, Any]) -> list[MomentAction]:
        """Process one event; returns the actions it triggered."""
        return self.process_many([event])

    def process_many(self, events: Iterable[dict[str, Any]]) -> list[MomentAction]:
        """Process events in order (texts without a moment are classified in one batch).

        All or nothing: every event is checked (:func:`event_problem`) before any is
        counted, so a bad one raises :class:`DataValidationError` naming its position,
        ``event_id`` and field, and the batch leaves the detector as it was.
        """
        evs = list(events)
        times: dict[int, float] = {}  # id(event) -> its time, parsed once
        for i, e in enumerate(evs):
            problem, times[id(e)] = _checked(e)
            if problem is not None:
                eid = e.get("event_id") if isinstance(e, dict) else None
                name = f"event {i + 1} of {len(evs)}" + (f" ({eid!r})" if eid is not None else "")
                raise DataValidationError(
                    f"{name}: {problem}; nothing of this batch was processed - fix or drop "
                    "that event and send the batch again"
                )
        evs = self._fresh(evs)
        if not evs:
            return []
        moments: list[str | None] = [None] * len(evs)
        if "moment" in self.key_fields:
            need = []
            for i, e in enumerate(evs):
                if e.get("key"):
                    continue
                m = e.get("moment")
                if m:
                    moments[i] = m
                elif e.get("query") or e.get("text"):
                    need.append(i)
            if len(need) == 1:  # the live path: one event, no batching overhead
                e = evs[need[0]]
                moments[need[0]] = self.classifier.predict_one(e.get("query") or e.get("text"))
            elif need:
                pred = self.classifier.predict(
                    [evs[i].get("query") or evs[i].get("text") for i in need]
                )
                for i, p in zip(need, pred):
                    moments[i] = str(p)
        out: list[MomentAction] = []
        add = self.stream.add
        ledger = self.stream.ledger
        for ev, m in zip(evs, moments):
            t = times[id(ev)]
            key = ev.get("key") or self._key(ev, m)
            c = ev.get("count")
            add(t, str(key), 1.0 if c is None or c == "" else float(c))
            if ledger.changes:
                out.extend(self._act(self.stream.take_changes(), ev))
        self.processed += len(evs)
        return out

    def _act(self, changes: list[tuple[Episode, str]], ev: dict[str, Any]) -> list[MomentAction]:
        """Act on episode changes: a new episode is dispatched (stored, webhooks fired); a
        known one is updated in the store, and re-fired when its kind changed or it closed.
        Returns the new actions."""
        whats: dict[int, tuple[Episode, set[str]]] = {}
        for ep, change in changes:
            whats.setdefault(id(ep), (ep, set()))[1].add(change)
        acts = []
        now = pd.Timestamp.now(tz="UTC")
        width = self.stream.width
        for key, (ep, change_set) in whats.items():
            prev = self._action_of.get(key)
            if prev is None:
                act = episode_action(
                    ep, width, detected_at=now, enrich=self.enrich, enricher=self.enricher
                )
                self._action_of[key] = act
                if not self.dispatcher.dispatch(act):
                    self.resumed += 1
                    continue
                self._position[act.moment_id] = len(self.actions)
                self.actions.append(act)
                acts.append(act)
                if self.on_action is not None:
                    self.on_action(act, "new")
                sent = ev.get("sent_at")
                if sent is not None:
                    self.latencies.append(time.time() - float(sent))
                continue
            act = episode_action(ep, width, prev=prev)
            self._action_of[key] = act
            self.dispatcher.update(act, fire=bool(change_set & {"reclassify", "close"}))
            pos = self._position.get(act.moment_id)
            if pos is not None:
                self.actions[pos] = act
            if "reclassify" in change_set and self.on_action is not None:
                self.on_action(act, "reclassified")
        return acts

    def acted(self) -> pd.DataFrame:
        """Every moment acted on, as it stands: one row per action, with its ``moment_id``
        (:meth:`BurstStream.acted` columns); the table ``watch`` prints."""
        ids = [self._action_of[id(ep)].moment_id for ep in self.stream.ledger.episodes]
        return self.stream.acted(ids)

    def flush(self) -> pd.DataFrame:
        """Close open buckets and the episodes still open (their actions are updated);
        returns the batch table of the same events (:meth:`acted` is what was acted on)."""
        table = self.stream.flush()
        self._act(self.stream.take_changes(), {})
        return table


# ---------------------------------------------------------------------- file replay
def replay_file(
    path: str | Path,
    detector: MomentDetector,
    *,
    time_col: str = "ts",
    speed: float | None = None,
    batch: int = 1000,
    sleep: Callable[[float], None] = time.sleep,
    allow_coarse: bool = False,
    dayfirst: bool | None = None,
    tz: str | None = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Replay a JSONL / CSV file of events through ``detector`` in time order.

    ``speed`` paces the replay: ``60`` plays one minute of event time per second; ``None``
    replays as fast as possible. Returns the burst and gap episodes. Timestamps spaced more
    widely than the detector's bucket width (dates replayed in 5-minute buckets) are refused
    with :class:`~micromix.moments.bursts.CoarseTimesError` unless ``allow_coarse``.
    ``dayfirst`` orders ``d/m/y`` dates (None: detected, ambiguous ones refused); times that
    state no zone are in ``tz`` (default UTC), counted in ``notes`` when given.
    """
    df = read_table(path)
    require_columns(df, [time_col], path)
    if speed is not None and speed <= 0:
        raise ConfigError(f"speed={speed!r} must be > 0 (or omitted for as fast as possible)")
    try:  # the batch reader's rules: ISO 8601, epoch s/ms/us/ns, compact 20140824130000
        _refuse_empty(df, [time_col], "every event needs a time")
        secs = _to_epoch_seconds(df[time_col], time_col, dayfirst=dayfirst, tz=tz, notes=notes)
    except DataValidationError as exc:
        raise DataValidationError(f"{path}: {exc}") from None
    if not allow_coarse:
        check_time_resolution(secs, detector.spec.width, time_col)
    df = df.rename(columns={time_col: "ts"}) if time_col != "ts" else df
    df["ts"] = secs
    recs = df.astype(object).where(df.notna(), None).to_dict("records")
    for row, rec in enumerate(recs, 1):  # refused before anything is counted, by file row
        problem = _checked(rec)[0]
        if problem is not None:
            eid = rec.get("event_id")
            raise DataValidationError(
                f"{path}: row {row}"
                + (f" (event_id {eid!r})" if eid is not None else "")
                + f": {problem}; nothing was replayed - fix or drop that row"
            )
    order = pd.Series([r["ts"] for r in recs]).sort_values(kind="stable").index
    recs = [recs[i] for i in order]
    if speed is None:
        for i in range(0, len(recs), batch):
            detector.process_many(recs[i : i + batch])
    else:
        t0_event = recs[0]["ts"] if recs else 0.0
        t0_wall = time.monotonic()
        for r in recs:
            due = (r["ts"] - t0_event) / speed - (time.monotonic() - t0_wall)
            if due > 0:
                sleep(due)
            detector.process(r)
    return detector.flush()


# ---------------------------------------------------------------------- HTTP ingest
def _parse_body(body: bytes) -> list[Any]:
    """Events of a ``POST /events`` body: a JSON object, an array, or JSON Lines."""
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"the body is not UTF-8 text ({exc.reason} at byte {exc.start}); send UTF-8 JSON"
        ) from None
    stripped = raw.lstrip()
    if stripped.startswith("{"):  # one object (perhaps over several lines), else JSON Lines
        try:
            return [json.loads(raw)]
        except (json.JSONDecodeError, RecursionError):
            pass
    try:
        if stripped.startswith("["):
            events = json.loads(raw)
            return events if isinstance(events, list) else [events]
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; "
            "nothing was processed"
        ) from None
    except RecursionError:
        raise ValueError("the body's JSON is nested too deeply; nothing was processed") from None
    events = []
    for no, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"line {no} of the body is not JSON: {exc.msg} at column {exc.colno}; "
                "nothing was processed"
            ) from None
        except RecursionError:
            raise ValueError(f"line {no} of the body is nested too deeply") from None
    return events


def _handler(
    detector: MomentDetector, lock: threading.Lock, max_body_bytes: int
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, code: int, obj: Any) -> None:
            body = json.dumps(obj, default=str).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path.rstrip("/") in ("", "/health"):
                self._send(200, {"status": "ok", "processed": detector.processed})
            elif self.path.rstrip("/") == "/moments":
                self._send(200, [a.to_dict() for a in detector.actions[-100:]])
            else:
                self._send(404, {"error": f"unknown path {self.path}; use /events or /moments"})

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/events":
                self._send(404, {"error": f"unknown path {self.path}; POST events to /events"})
                return
            length = self.headers.get("Content-Length")
            if length is None or not length.strip().isdigit():
                self.close_connection = True
                self._send(
                    411,
                    {"error": "send the body with a Content-Length header (no chunked bodies)"},
                )
                return
            n = int(length)
            if n > max_body_bytes:
                self.close_connection = True  # the body is not read: the connection is spent
                self._send(
                    413,
                    {
                        "error": f"the body is {n:,} bytes, over the {max_body_bytes:,}-byte "
                        "limit; send the events in smaller batches"
                    },
                )
                return
            try:
                events = _parse_body(self.rfile.read(n))
                with lock:
                    acts = detector.process_many(events)
            except (ValueError, DataValidationError) as exc:
                detector.rejected += 1
                self._send(400, {"error": str(exc)})
                return
            self._send(202, {"accepted": len(events), "moments": [a.to_dict() for a in acts]})

        def log_message(self, format: str, *args: Any) -> None:  # quiet by default
            return

    return Handler


def serve_http(
    detector: MomentDetector,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    ready: Callable[[ThreadingHTTPServer], None] | None = None,
    max_body_bytes: int = 16 << 20,
) -> ThreadingHTTPServer:
    """Serve ``POST /events`` (JSON object, array or JSON Lines), ``GET /moments``, ``/health``.

    A batch is processed all or nothing: a body that is not UTF-8 JSON, or holds an event
    :func:`event_problem` refuses, gets 400 naming the line or event and nothing of it is
    counted; a body without ``Content-Length`` gets 411, one over ``max_body_bytes`` 413.

    Blocks until interrupted (or ``server.shutdown()`` from another thread); ``ready`` is called
    with the server once it listens (``port=0`` picks a free port).
    """
    server = ThreadingHTTPServer((host, port), _handler(detector, threading.Lock(), max_body_bytes))
    if ready is not None:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return server


# ---------------------------------------------------------------------- Redis Streams
#: largest stream entry read as events (bytes of its fields); a larger one is dead-lettered
MAX_ENTRY_BYTES = 1 << 20


def _text(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def _entry_events(fields: dict[Any, Any], max_bytes: int) -> tuple[list[Any], str | None]:
    """The events of one stream entry, or why it holds none that can be read."""
    if not fields:
        return [], "the entry has no fields (deleted from the stream before it was read)"
    size = sum(len(k) + len(v) for k, v in fields.items() if isinstance(v, (bytes, str)))
    if size > max_bytes:
        return [], f"the entry is {size:,} bytes, over the {max_bytes:,}-byte limit"
    try:
        batch = fields.get(b"b", fields.get("b"))
        one = fields.get(b"e", fields.get("e"))
        if batch is not None:
            events = json.loads(_text(batch))
            if not isinstance(events, list):
                return [], f"field 'b' is a JSON {_json_type(events)}, not an array of events"
            return events, None
        if one is not None:
            return [json.loads(_text(one))], None
        return [{_text(k): _text(v) for k, v in fields.items()}], None
    except UnicodeDecodeError as exc:
        return [], f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except json.JSONDecodeError as exc:
        return [], f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        return [], "JSON nested too deeply"


def consume_redis(
    detector: MomentDetector,
    *,
    url: str = "redis://127.0.0.1:6379/0",
    stream: str = "micromix:events",
    group: str = "micromix-moments",
    consumer: str = "detector-1",
    count: int = 500,
    block_ms: int = 1000,
    max_events: int | None = None,
    idle_stop_s: float | None = None,
    client: Any = None,
    dead_letter_stream: str | None = None,
    max_entry_bytes: int = MAX_ENTRY_BYTES,
    reconnect_s: float = 300.0,
    on_note: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Consume events from a Redis stream with a consumer group (at-least-once).

    Each stream entry holds one event as JSON in field ``e``, a JSON array of events in field
    ``b`` (producers that micro-batch), or one event as flat fields. Entries are
    acknowledged after processing; on start (and after a reconnect) the consumer first re-reads
    its pending entries. Stops after ``max_events`` events or ``idle_stop_s`` seconds without
    data (else runs until interrupted). Returns the number of events read (processed).

    An entry or event that cannot be processed (not UTF-8, not JSON, not an object, no or a bad
    ``ts``, a field of the wrong type, over ``max_entry_bytes``, deleted before it was read) is
    never dropped silently and never stops the consumer: it is copied with its reason to the
    stream ``dead_letter_stream`` (default ``<stream>:dead``; fields: the entry's own, plus
    ``dead_reason``, ``dead_entry_id`` and ``dead_index`` for an event of a batch), counted in
    ``detector.rejected``, described by one ``on_note`` line (default: the
    ``micromix.moments`` logger at warning level), and acknowledged. If Redis goes away, the
    consumer retries with back-off for ``reconnect_s`` seconds, then re-reads its pending
    entries; after that long it raises :class:`~micromix.errors.DeliveryError`.

    SIGTERM or a first Ctrl-C (in the main thread), or setting ``stop`` (any thread), asks for
    a clean stop: the batch in hand is processed and acknowledged, then the consumer returns.
    A stop during a Redis outage ends the retry wait at once (the wait is ``stop.wait``, or
    ``sleep`` then a check of the stop when a ``sleep`` is given, as tests do): the consumer
    returns what it read, and entries not acknowledged are re-read on the next start.
    """
    import logging

    if client is None:
        from micromix.errors import require

        redis = require("redis", "redis")
        client = redis.Redis.from_url(url)  # type: ignore[attr-defined]
    dead = dead_letter_stream or f"{stream}:dead"
    note = on_note or logging.getLogger("micromix.moments").warning
    state = {"reconnected": False}  # set when a call had to wait for Redis to come back
    stopping = stop if stop is not None else threading.Event()

    def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        waited, delay = 0.0, 0.5
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if not _is_connection_error(exc):
                    raise
                if stopping.is_set():
                    raise _Stopped(f"{exc}") from None
                if waited >= reconnect_s:
                    raise DeliveryError(
                        f"redis at {_safe_url(client, url)} has been unreachable for "
                        f"{waited:.0f} s ({exc}); events acknowledged so far were processed, "
                        "the others are re-read when the consumer starts again"
                    ) from None
                if waited == 0:
                    note(
                        f"redis at {_safe_url(client, url)} unreachable ({exc}); retrying for "
                        f"up to {reconnect_s:.0f} s"
                    )
                if sleep is None:
                    stopping.wait(delay)  # returns as soon as a stop is asked for
                else:
                    sleep(delay)
                waited += delay
                delay = min(delay * 2, 5.0)
                state["reconnected"] = True
                if stopping.is_set():
                    raise _Stopped(f"{exc}") from None

    def make_group() -> None:
        try:
            call(client.xgroup_create, stream, group, id="0", mkstream=True)
        except DeliveryError:
            raise
        except Exception as exc:  # BUSYGROUP: the group exists already
            if "BUSYGROUP" not in str(exc):
                raise

    with _stop_on_signals(note, stopping):
        read = [0]  # events processed so far, kept by _consume for a stop during an outage
        try:
            make_group()
            return _consume(
                detector,
                client,
                call,
                make_group,
                note,
                stopping,
                stream,
                group,
                consumer,
                count,
                block_ms,
                max_events,
                idle_stop_s,
                dead,
                max_entry_bytes,
                state,
                _safe_url(client, url),
                read,
            )
        except _Stopped as why:
            note(
                f"stopped while redis at {_safe_url(client, url)} was unreachable ({why}); "
                "entries not acknowledged are re-read when the consumer starts again"
            )
            return read[0]


class _Stopped(Exception):
    """A stop was asked for while a Redis call was waiting for the server to come back."""


@contextlib.contextmanager
def _stop_on_signals(
    note: Callable[[str], None], stopping: threading.Event
) -> Iterator[threading.Event]:
    """SIGTERM and a first Ctrl-C (SIGINT) ask for a clean stop (set ``stopping``): the batch
    in hand is processed and acknowledged, then the consumer returns. A second one interrupts
    at once. Signals can only be caught in the main thread; elsewhere only the caller sets
    the event."""
    if threading.current_thread() is not threading.main_thread():
        yield stopping
        return

    def ask(signum: int, _frame: Any) -> None:
        if stopping.is_set():
            raise KeyboardInterrupt
        stopping.set()
        note(
            f"{signal.Signals(signum).name}: stopping after the batch in hand is processed and "
            "acknowledged (send it again to stop at once)"
        )

    old = {sig: signal.signal(sig, ask) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopping
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _consume(
    detector: MomentDetector,
    client: Any,
    call: Callable[..., Any],
    make_group: Callable[[], None],
    note: Callable[[str], None],
    stopping: threading.Event,
    stream: str,
    group: str,
    consumer: str,
    count: int,
    block_ms: int,
    max_events: int | None,
    idle_stop_s: float | None,
    dead: str,
    max_entry_bytes: int,
    state: dict[str, bool],
    address: str,
    done: list[int],
) -> int:
    """The read loop of :func:`consume_redis` (``address``: Redis', for notes; ``done[0]``:
    the events processed so far, for a stop that ends a call)."""
    read = 0
    last_data = time.monotonic()
    pending_first = True
    while (max_events is None or read < max_events) and not stopping.is_set():
        start_id = "0" if pending_first else ">"
        try:
            resp = call(
                client.xreadgroup,
                group,
                consumer,
                {stream: start_id},
                count=count,
                block=None if pending_first else block_ms,
            )
        except Exception as exc:  # NOGROUP: Redis restarted without its data, or a DEL
            if "NOGROUP" not in str(exc):
                raise
            note(
                f"consumer group {group} of stream {stream} is gone (Redis restarted without "
                "persistence, or the stream was deleted); created it again from the stream's "
                "first entry"
            )
            make_group()
            pending_first = True
            continue
        if state["reconnected"]:  # entries read before the outage may be pending
            state["reconnected"] = False
            note(f"redis at {address} is back; re-reading pending entries")
            pending_first = True
            continue
        entries = resp[0][1] if resp else []
        if pending_first and not entries:
            pending_first = False
            continue
        if not entries:
            if idle_stop_s is not None and time.monotonic() - last_data > idle_stop_s:
                break
            continue
        last_data = time.monotonic()
        events: list[dict[str, Any]] = []
        rejects: list[tuple[Any, dict[Any, Any], int | None, str]] = []
        for entry_id, fields in entries:
            fields = fields or {}
            evs, why = _entry_events(fields, max_entry_bytes)
            if why is not None:
                rejects.append((entry_id, fields, None, why))
                continue
            for i, ev in enumerate(evs):
                problem = event_problem(ev)
                if problem is None:
                    events.append(ev)
                else:
                    where = i if fields.get(b"b", fields.get("b")) is not None else None
                    rejects.append((entry_id, fields, where, problem))
        if rejects:
            pipe = client.pipeline(transaction=False)
            for entry_id, fields, where, why in rejects:
                copy = dict(fields)
                copy.update({"dead_reason": why, "dead_entry_id": entry_id})
                if where is not None:
                    copy["dead_index"] = str(where)
                pipe.xadd(dead, copy)
            call(pipe.execute)
            for entry_id, _f, where, why in rejects:
                at = f" event {where + 1}" if where is not None else ""
                note(
                    f"stream {stream} entry {_text(entry_id)}{at} not processed: {why}; "
                    f"kept in stream {dead}"
                )
            detector.rejected += len(rejects)
        if events:
            detector.process_many(events)
        call(client.xack, stream, group, *[i for i, _ in entries])
        read += len(events)
        done[0] = read
    return read


def _is_connection_error(exc: BaseException) -> bool:
    """A lost or refused connection to Redis (redis-py's errors, or the OS's)."""
    names = {t.__name__ for t in type(exc).__mro__}
    return bool(names & {"ConnectionError", "TimeoutError", "BusyLoadingError"})


def _safe_url(client: Any, url: str) -> str:
    """The server's address without a password."""
    try:
        kw = client.connection_pool.connection_kwargs
        return f"{kw.get('host', '?')}:{kw.get('port', '?')}"
    except AttributeError:
        return url.rsplit("@", 1)[-1]
