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

import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pandas as pd

from micromix.errors import ConfigError, DataValidationError
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
        """Process events in order (texts without a moment are classified in one batch)."""
        evs = self._fresh(events)
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
            ts = ev.get("ts")
            if ts is None:
                raise DataValidationError(
                    f"event {ev.get('event_id', '?')!r} has no 'ts'; every event needs a time"
                )
            t = ts if type(ts) is float and ts < 1e11 else parse_ts(ts)
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
    df = df.sort_values("ts", kind="stable")
    recs = df.astype(object).where(df.notna(), None).to_dict("records")
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
def _handler(detector: MomentDetector, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
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
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n).decode("utf-8", errors="replace")
            try:
                if raw.lstrip().startswith("["):
                    events = json.loads(raw)
                else:
                    events = [json.loads(line) for line in raw.splitlines() if line.strip()]
                if not all(isinstance(e, dict) for e in events):
                    raise ValueError("every event must be a JSON object")
                with lock:
                    acts = detector.process_many(events)
            except (ValueError, DataValidationError) as exc:
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
) -> ThreadingHTTPServer:
    """Serve ``POST /events`` (JSON object, array or JSON Lines), ``GET /moments``, ``/health``.

    Blocks until interrupted (or ``server.shutdown()`` from another thread); ``ready`` is called
    with the server once it listens (``port=0`` picks a free port).
    """
    server = ThreadingHTTPServer((host, port), _handler(detector, threading.Lock()))
    if ready is not None:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return server


# ---------------------------------------------------------------------- Redis Streams
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
) -> int:
    """Consume events from a Redis stream with a consumer group (at-least-once).

    Each stream entry holds one event as JSON in field ``e``, a JSON array of events in field
    ``b`` (producers that micro-batch), or one event as flat fields. Entries are
    acknowledged after processing; on start the consumer first re-reads its pending entries.
    Stops after ``max_events`` entries or ``idle_stop_s`` seconds without data (else runs until
    interrupted). Returns the number of events read.
    """
    if client is None:
        from micromix.errors import require

        redis = require("redis", "redis")
        client = redis.Redis.from_url(url)  # type: ignore[attr-defined]
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except Exception as exc:  # BUSYGROUP: the group exists already
        if "BUSYGROUP" not in str(exc):
            raise
    read = 0
    last_data = time.monotonic()
    pending_first = True
    while max_events is None or read < max_events:
        start_id = "0" if pending_first else ">"
        resp = client.xreadgroup(
            group,
            consumer,
            {stream: start_id},
            count=count,
            block=None if pending_first else block_ms,
        )
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
        for _id, fields in entries:
            batch = fields.get(b"b", fields.get("b"))
            if batch is not None:
                events.extend(json.loads(batch))
                continue
            one = fields.get(b"e", fields.get("e"))
            if one is not None:
                events.append(json.loads(one))
                continue
            events.append(
                {
                    (k.decode() if isinstance(k, bytes) else k): (
                        v.decode() if isinstance(v, bytes) else v
                    )
                    for k, v in fields.items()
                }
            )
        detector.process_many(events)
        client.xack(stream, group, *[i for i, _ in entries])
        read += len(events)
    return read
