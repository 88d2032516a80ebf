"""Micro-moments: intent classification, session moments, burst detection, real-time actions.

Quickstart
----------
>>> from micromix.moments import IntentClassifier
>>> IntentClassifier.load_default().predict(["dog groomer near me"]).tolist()
['go']

See ``docs/moments.md`` for the taxonomy and the CLI tour
(``micromix moments classify | bursts | sessions | watch``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from micromix.moments.actions import (
    DEAD_LETTER_TABLE,
    MOMENTS_TABLE,
    ActionDispatcher,
    MomentAction,
    WebhookSink,
    build_action,
)
from micromix.moments.bursts import (
    BURST_COLUMNS,
    Alert,
    BurstEngine,
    BurstSpec,
    BurstStream,
    detect_bursts,
)
from micromix.moments.classify import classify_texts
from micromix.moments.detectors import (
    DETECTORS,
    BurstDetector,
    CusumDetector,
    EwmaDetector,
    PoissonDetector,
    available_detectors,
    get_detector,
    register_detector,
)
from micromix.moments.intent import IntentClassifier
from micromix.moments.realtime import MomentDetector, consume_redis, replay_file, serve_http
from micromix.moments.rules import MOMENTS, explain
from micromix.moments.sessions import moment_kpis, tag_sessions, time_to_action
from micromix.moments.summary import MAX_SESSIONS, MomentSummary, moment_summary
from micromix.moments.topics import TopicVocabulary

if TYPE_CHECKING:
    from micromix.moments.embed import EmbeddingIntentClassifier

__all__ = [
    "BURST_COLUMNS",
    "DEAD_LETTER_TABLE",
    "DETECTORS",
    "MAX_SESSIONS",
    "MOMENTS",
    "MOMENTS_TABLE",
    "ActionDispatcher",
    "Alert",
    "BurstDetector",
    "BurstEngine",
    "BurstSpec",
    "BurstStream",
    "CusumDetector",
    "EmbeddingIntentClassifier",
    "EwmaDetector",
    "IntentClassifier",
    "MomentAction",
    "MomentDetector",
    "MomentSummary",
    "PoissonDetector",
    "TopicVocabulary",
    "WebhookSink",
    "available_detectors",
    "build_action",
    "classify_texts",
    "consume_redis",
    "detect_bursts",
    "explain",
    "get_detector",
    "moment_kpis",
    "moment_summary",
    "register_detector",
    "replay_file",
    "serve_http",
    "tag_sessions",
    "time_to_action",
]


def __getattr__(name: str) -> Any:
    """The optional embeddings stage is imported when first asked for, not with the package."""
    if name == "EmbeddingIntentClassifier":
        from micromix.moments.embed import EmbeddingIntentClassifier

        return EmbeddingIntentClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
