"""Data contracts, one module per entity, with validation into accepted and quarantined rows.

Quickstart
----------
>>> from micromix.schema import SCHEMAS, schema_for
>>> schema_for("ads").name
'ad_performance'
>>> sorted(SCHEMAS)[:2]
['ad_performance', 'audience']
"""

from __future__ import annotations

from micromix.errors import ConfigError
from micromix.schema.ad_performance import AD_PERFORMANCE
from micromix.schema.audience import AUDIENCE
from micromix.schema.base import (
    QUARANTINE_COLUMNS,
    EntitySchema,
    Field,
    ValidationResult,
)
from micromix.schema.creators import CREATORS
from micromix.schema.events import EVENTS
from micromix.schema.experiments import EXPERIMENTS
from micromix.schema.posts import POSTS
from micromix.schema.traffic import TRAFFIC
from micromix.schema.values import (
    DEFAULT_WINDOW,
    TimeWindow,
    detect_dayfirst,
    epoch_seconds,
    parse_timestamps,
    read_bools,
    read_numbers,
    read_text,
    read_timestamps,
    truthy,
)
from micromix.schema.vocab import (
    DEVICES,
    ENGAGEMENT_EVENTS,
    EVENT_TYPES,
    LEVELS,
    MOMENTS,
    PLATFORMS,
    STRATEGIES,
    TARGETING,
)

__all__ = [
    "AD_PERFORMANCE",
    "AUDIENCE",
    "CREATORS",
    "DEFAULT_WINDOW",
    "DEVICES",
    "ENGAGEMENT_EVENTS",
    "EVENTS",
    "EVENT_TYPES",
    "EXPERIMENTS",
    "KINDS",
    "LEVELS",
    "MOMENTS",
    "PLATFORMS",
    "POSTS",
    "QUARANTINE_COLUMNS",
    "SCHEMAS",
    "STRATEGIES",
    "TARGETING",
    "TRAFFIC",
    "EntitySchema",
    "Field",
    "TimeWindow",
    "ValidationResult",
    "detect_dayfirst",
    "epoch_seconds",
    "parse_timestamps",
    "read_bools",
    "read_numbers",
    "read_text",
    "read_timestamps",
    "schema_for",
    "truthy",
]

#: every contract by table name
SCHEMAS: dict[str, EntitySchema] = {
    s.name: s for s in (EVENTS, AD_PERFORMANCE, POSTS, CREATORS, AUDIENCE, EXPERIMENTS, TRAFFIC)
}
#: ingest kinds (CLI names) -> table names
KINDS: dict[str, str] = {
    "events": "events",
    "ads": "ad_performance",
    "posts": "posts",
    "creators": "creators",
    "audience": "audience",
    "experiments": "experiments",
    "traffic": "traffic",
}


def schema_for(kind: str) -> EntitySchema:
    """The contract for an ingest kind (``ads``) or table name (``ad_performance``)."""
    name = KINDS.get(kind, kind)
    if name not in SCHEMAS:
        raise ConfigError(f"unknown data kind {kind!r}; use one of {', '.join(KINDS)}")
    return SCHEMAS[name]
