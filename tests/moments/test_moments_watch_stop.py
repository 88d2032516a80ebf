"""A stop (SIGTERM, Ctrl-C, or the ``stop`` event) during a Redis outage (brief moments30 #2).

Before: ``consume_redis`` retried a lost Redis with ``time.sleep`` back-off (0.5 s up to 5 s)
for ``reconnect_s`` (300 s) without looking at the stop flag, so a SIGTERM during an outage
was answered only after up to 300 s (and a service manager kills the process before that).
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from micromix.errors import DeliveryError
from micromix.moments import ActionDispatcher, BurstSpec, MomentDetector
from micromix.moments.realtime import consume_redis

SPEC = BurstSpec(freq="1min", min_history=5, n_days=0, n_weeks=0)


def detector() -> MomentDetector:
    return MomentDetector(
        spec=SPEC, topics=["dog food"], dispatcher=ActionDispatcher(enrich=False), enrich=False
    )


class _Down:
    """A Redis client whose server never answers (every call: ConnectionError)."""

    def __init__(self, group_ok: bool = False) -> None:
        self.group_ok = group_ok
        self.calls = 0

    def xgroup_create(self, *args, **kwargs):
        self.calls += 1
        if self.group_ok:
            return True
        raise ConnectionError("Connection refused")

    def xreadgroup(self, *args, **kwargs):
        self.calls += 1
        raise ConnectionError("Connection refused")

    def xack(self, *args, **kwargs):  # pragma: no cover - never reached
        raise ConnectionError("Connection refused")


@pytest.mark.parametrize("group_ok", [False, True], ids=["at-start", "in-the-read-loop"])
def test_a_stop_event_ends_the_retry_wait_at_once(group_ok):
    stop = threading.Event()
    notes: list[str] = []
    timer = threading.Timer(0.2, stop.set)
    timer.start()
    t0 = time.monotonic()
    try:
        n = consume_redis(detector(), client=_Down(group_ok), stop=stop, on_note=notes.append)
    finally:
        timer.cancel()
    took = time.monotonic() - t0
    assert n == 0
    assert took < 1.0, took  # was: up to reconnect_s (300 s)
    assert "unreachable" in notes[0]
    assert "stopped while redis" in notes[-1] and "re-read" in notes[-1]


def test_sigterm_during_an_outage_returns_promptly():
    assert threading.current_thread() is threading.main_thread()
    before = signal.getsignal(signal.SIGTERM)
    notes: list[str] = []
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    t0 = time.monotonic()
    try:
        n = consume_redis(detector(), client=_Down(True), on_note=notes.append)
    finally:
        timer.cancel()
    assert n == 0 and time.monotonic() - t0 < 1.0
    assert any("SIGTERM: stopping" in x for x in notes)
    assert "stopped while redis" in notes[-1]
    assert signal.getsignal(signal.SIGTERM) is before


def test_an_injected_sleep_still_sees_the_stop():
    stop = threading.Event()
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        if len(waits) == 2:
            stop.set()

    n = consume_redis(detector(), client=_Down(True), stop=stop, sleep=sleep, on_note=[].append)
    assert n == 0 and waits == [0.5, 1.0]


def test_without_a_stop_the_outage_still_ends_in_a_delivery_error():
    waits: list[float] = []
    with pytest.raises(DeliveryError, match="unreachable for"):
        consume_redis(
            detector(), client=_Down(True), reconnect_s=3, sleep=waits.append, on_note=[].append
        )
    assert waits == [0.5, 1.0, 2.0]
