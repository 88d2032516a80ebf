"""Response helpers: DataFrames and results to JSON bytes (NaN -> null, ISO timestamps).

Quickstart
----------
>>> import pandas as pd
>>> from micromix.api._respond import frame_json, jsonable
>>> frame_json(pd.DataFrame({"ctr": [0.5, float("nan")]}), source="events")
b'{"source": "events", "rows": [{"ctr":0.5},{"ctr":null}]}'
>>> jsonable({"x": float("inf")})
{'x': None}
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from fastapi.responses import Response

from micromix.api.errors import ApiError
from micromix.jsonutil import to_jsonable

__all__ = ["check_rows", "frame_json", "json_response", "jsonable"]


#: plain JSON values from any result: the project's one encoder (:mod:`micromix.jsonutil`)
jsonable = to_jsonable


def frame_json(df: pd.DataFrame, **meta: Any) -> bytes:
    """``{"<meta>": ..., "rows": [...]}`` as UTF-8 JSON bytes.

    The rows go through pandas' C encoder (the fast path for large tables: NaN -> null,
    ISO dates, other objects as text, as :func:`micromix.jsonutil.to_jsonable` does).
    """
    rows = df.to_json(orient="records", date_format="iso", default_handler=str)
    head = json.dumps(to_jsonable(meta))[:-1]
    sep = ", " if meta else ""
    return f'{head}{sep}"rows": {rows}}}'.encode()


def json_response(payload: Any, status: int = 200) -> Response:
    """A JSON response from any result (pre-serialised bytes are sent as they are)."""
    body = payload if isinstance(payload, bytes) else json.dumps(to_jsonable(payload)).encode()
    return Response(content=body, status_code=status, media_type="application/json")


def check_rows(n: int, limit: int, what: str) -> None:
    """413 when ``n`` rows exceed ``limit``."""
    if n > limit:
        raise ApiError(
            413,
            "too_many_rows",
            f"{what} has {n:,} rows, over the limit of {limit:,}; split it into batches",
        )
