"""The compiled-query cache of the KPI engine: on DuckDB the SQL of a KPI request is kept per
(table schema, plan), so a repeated request only executes.

Quickstart
----------
>>> from micromix.metrics.querycache import clear_query_cache, query_cache_info
>>> clear_query_cache()
>>> query_cache_info()
{'hits': 0, 'misses': 0, 'size': 0}
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["QUERY_CACHE_SIZE", "clear_query_cache", "query_cache_info"]

#: compiled queries kept per process
QUERY_CACHE_SIZE = 256

_QUERIES: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_QUERIES_LOCK = threading.Lock()
_STATS = {"hits": 0, "misses": 0}


def query_cache_info() -> dict[str, int]:
    """Hits, misses and size of the compiled-query cache."""
    with _QUERIES_LOCK:
        return {**_STATS, "size": len(_QUERIES)}


def clear_query_cache() -> None:
    """Forget every compiled query (they are rebuilt on the next request)."""
    with _QUERIES_LOCK:
        _QUERIES.clear()
        _STATS.update(hits=0, misses=0)


def _cached(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    with _QUERIES_LOCK:
        if key in _QUERIES:
            _QUERIES.move_to_end(key)
            _STATS["hits"] += 1
            return _QUERIES[key]
        _STATS["misses"] += 1
    value = build()
    with _QUERIES_LOCK:
        _QUERIES[key] = value
        while len(_QUERIES) > QUERY_CACHE_SIZE:
            _QUERIES.popitem(last=False)
    return value
