"""Micro-moment routes: intent classification, bursts, and the live feed (server-sent events).

Quickstart
----------
>>> from micromix.api.routers.moments import router
>>> "/api/v1/moments/feed" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from micromix.api._respond import frame_json, json_response, jsonable
from micromix.api.security import Principal, requires
from micromix.api.service import Service
from micromix.errors import MicromixError
from micromix.store import Store

__all__ = ["ClassifyRequest", "router"]

router = APIRouter(prefix="/api/v1/moments", tags=["moments"])

#: most texts in one classification request
MAX_TEXTS = 2_000


class ClassifyRequest(BaseModel):
    """Texts (search queries, posts) to classify into micro-moments."""

    texts: list[str] = Field(min_length=1, max_length=MAX_TEXTS)


def _classifier(svc: Service) -> Any:
    from micromix.moments import IntentClassifier

    return svc.cached(("intent-model",), IntentClassifier.load_default)


def _searches(
    store: Store, *, after: pd.Timestamp | None = None, limit: int = 5_000
) -> pd.DataFrame:
    t = store.table("events")
    t = t.filter(t.event_type == "search")
    if after is not None:
        t = t.filter(t.ts > after.to_pydatetime())
    t = t.order_by(t.ts.desc()).limit(limit)
    cols = [
        c
        for c in ("event_id", "ts", "user_id", "platform", "device", "region", "query", "moment")
        if c in t.columns
    ]
    return store.execute(t.select(*cols)).sort_values("ts").reset_index(drop=True)


@router.post("/classify", summary="Classify texts into micro-moments")
def classify(
    request: Request, body: ClassifyRequest, who: Principal = requires("viewer")
) -> Response:
    """I-want-to-know / -go / -do / -buy (or other) with a confidence, from the shipped
    :class:`micromix.moments.IntentClassifier`, through the function behind
    ``micromix moments classify`` (:func:`micromix.moments.classify.classify_texts`):
    ``notes`` says, as the CLI does, how many texts the model has no evidence on (their
    confidence is calibrated apart; a text without an English word is ``other``)."""
    from micromix.moments.classify import classify_texts

    clf = _classifier(request.app.state.service)
    out = classify_texts(body.texts, classifier=clf, topics="none")
    notes = list(out.attrs.get("notes", []))
    out.insert(0, "text", body.texts)
    return Response(frame_json(out, notes=notes), media_type="application/json")


@router.get("/bursts", summary="Bursts and gaps in micro-moment searches")
def bursts(
    request: Request,
    freq: Annotated[str, Query(pattern="^(15min|30min|1h|3h|6h|1D)$")] = "1h",
    by: Annotated[str, Query(pattern="^(moment|platform|region|device|all)$")] = "moment",
    who: Principal = requires("viewer"),
) -> Response:
    """Batch burst detection (:func:`micromix.moments.detect_bursts`) over the store's search
    events counted per bucket and ``by`` in the engine
    (:func:`micromix.store.portable.bucket_counts_expr`), plus those counts for charts."""
    from micromix.moments import BurstSpec, detect_bursts
    from micromix.moments.summary import search_bucket_counts

    svc = request.app.state.service
    spec = BurstSpec(freq=freq)

    def counts(st: Store) -> pd.DataFrame:
        return search_bucket_counts(st, width=spec.width, by=None if by == "all" else by)

    def compute() -> bytes:
        series = svc.read(counts)
        notes = list(series.attrs.get("notes", []))
        # bucket starts are spaced by whole buckets by construction (a quiet store's empty
        # buckets widen the spacing): the raw timestamps' resolution is not judged from them
        found = detect_bursts(
            series,
            time_col="bucket_start",
            key_col="key",
            count_col="n",
            spec=spec,
            allow_coarse=True,
        )
        series["bucket"] = pd.to_datetime(series["bucket_start"], unit="s")
        series = series.rename(columns={"n": "count"})[["bucket", "key", "count"]]
        return json.dumps(
            {
                "freq": freq,
                "by": by,
                "bursts": jsonable(found),
                "series": jsonable(series.tail(5_000)),
                "notes": notes,
            }
        ).encode()

    return Response(svc.cached(("bursts", freq, by), compute), media_type="application/json")


@router.get("/feed", summary="Live micro-moment feed (server-sent events)")
async def feed(
    request: Request,
    backlog: Annotated[int, Query(ge=0, le=500)] = 30,
    interval: Annotated[float, Query(ge=0.05, le=10)] = 1.0,
    max_seconds: Annotated[float, Query(ge=1, le=600)] = 120,
    who: Principal = requires("viewer"),
) -> StreamingResponse:
    """``text/event-stream``: the latest ``backlog`` searches, then every new search event as it
    is ingested (polled every ``interval`` s), each with its micro-moment (classified when the
    event has none). The stream ends after ``max_seconds``; clients reconnect."""
    svc = request.app.state.service

    def rows(after: pd.Timestamp | None, limit: int) -> pd.DataFrame:
        from micromix.moments.summary import fill_moments

        df = svc.read(lambda st: _searches(st, after=after, limit=limit))
        if len(df) and "query" in df.columns:
            if "moment" not in df.columns:
                df["moment"] = None
            if df["moment"].isna().any():
                try:
                    clf = _classifier(svc)
                except MicromixError:  # no usable model: stream the events unclassified
                    return df
                df["moment"], _, _ = fill_moments(df["moment"], df["query"], classifier=clf)
        return df

    async def stream() -> AsyncIterator[bytes]:
        t0 = time.monotonic()
        first = await run_in_threadpool(rows, None, max(backlog, 1))
        last = first["ts"].max() if len(first) else None
        if backlog == 0:
            first = first.iloc[:0]
        yield b"retry: 3000\n\n"
        for rec in jsonable(first):
            yield f"event: moment\ndata: {json.dumps(rec)}\n\n".encode()
        while time.monotonic() - t0 < max_seconds:
            if await request.is_disconnected():
                return
            await asyncio.sleep(interval)
            new = await run_in_threadpool(rows, last, 500)
            if len(new):
                last = new["ts"].max()
                for rec in jsonable(new):
                    yield f"event: moment\ndata: {json.dumps(rec)}\n\n".encode()
            else:
                yield b": keep-alive\n\n"
        yield b"event: end\ndata: {}\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/summary", summary="Searches per micro-moment and platform")
def summary(request: Request, who: Principal = requires("viewer")) -> Response:
    """Counts of search events by ``moment`` and ``device``; a search without a stored moment
    is labelled from its query as the live feed labels it
    (:func:`micromix.moments.summary.search_counts`), and ``notes`` says how many were."""
    from micromix.moments.summary import search_counts

    svc = request.app.state.service

    def compute() -> dict[str, Any]:
        df = svc.read(search_counts)
        return {"rows": jsonable(df), "notes": list(df.attrs.get("notes", []))}

    return json_response(svc.cached(("moment-summary",), compute))
