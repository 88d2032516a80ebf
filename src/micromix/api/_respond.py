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
import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from fastapi.responses import Response

from micromix.api.errors import ApiError

__all__ = ["check_rows", "frame_json", "json_response", "jsonable"]


def jsonable(v: Any) -> Any:
    """Plain JSON values from numpy / pandas scalars, frames, dataclasses with ``to_dict``."""
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return None if (math.isnan(v) or math.isinf(v)) else v
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [jsonable(x) for x in v]
    if isinstance(v, pd.DataFrame):
        return json.loads(v.to_json(orient="records", date_format="iso", default_handler=str))
    if isinstance(v, pd.Series):
        return jsonable(v.to_dict())
    if isinstance(v, np.ndarray):
        return jsonable(v.tolist())
    if isinstance(v, np.generic):
        return jsonable(v.item())
    if v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (pd.Timestamp, datetime, date)):
        return v.isoformat()
    if hasattr(v, "to_dict"):
        return jsonable(v.to_dict())
    if hasattr(v, "value") and isinstance(v.value, str):  # enums
        return v.value
    return str(v)


def frame_json(df: pd.DataFrame, **meta: Any) -> bytes:
    """``{"<meta>": ..., "rows": [...]}`` as UTF-8 JSON bytes."""
    rows = df.to_json(orient="records", date_format="iso", default_handler=str)
    head = json.dumps(jsonable(meta))[:-1]
    sep = ", " if meta else ""
    return f'{head}{sep}"rows": {rows}}}'.encode()


def json_response(payload: Any, status: int = 200) -> Response:
    """A JSON response from any result (pre-serialised bytes are sent as they are)."""
    body = payload if isinstance(payload, bytes) else json.dumps(jsonable(payload)).encode()
    return Response(content=body, status_code=status, media_type="application/json")


def check_rows(n: int, limit: int, what: str) -> None:
    """413 when ``n`` rows exceed ``limit``."""
    if n > limit:
        raise ApiError(
            413,
            "too_many_rows",
            f"{what} has {n:,} rows, over the limit of {limit:,}; split it into batches",
        )
