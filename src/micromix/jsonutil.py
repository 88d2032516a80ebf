"""One JSON encoder for every output: numpy and pandas values, NaN as null, ISO timestamps.

The CLI's ``--json``, the REST API, saved summaries and exports all go through
:func:`to_jsonable` (plain Python values) and :func:`dumps` (a JSON string), so the same
result prints the same way everywhere: NaN and infinities become ``null`` (JSON has no NaN),
timestamps ISO 8601 strings, DataFrames lists of row objects, results with ``to_dict()`` their
dict, enums their value.

Quickstart
----------
>>> import numpy as np, pandas as pd
>>> from micromix.jsonutil import dumps, to_jsonable
>>> to_jsonable({"ctr": np.float64("nan"), "n": np.int64(3), "at": pd.Timestamp("2024-05-01")})
{'ctr': None, 'n': 3, 'at': '2024-05-01T00:00:00'}
>>> dumps(pd.DataFrame({"roas": [1.5, float("inf")]}))
'[{"roas": 1.5}, {"roas": null}]'
"""

from __future__ import annotations

import enum
import json
import math
from datetime import date, datetime
from typing import Any

__all__ = ["dumps", "to_jsonable", "value_at"]


def to_jsonable(v: Any) -> Any:
    """Plain JSON values (dict, list, str, int, float, bool, None) from any micromix result."""
    if v is None or isinstance(v, str | bool | int):
        return v
    if isinstance(v, float):
        return None if (math.isnan(v) or math.isinf(v)) else v
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set | frozenset):
        return [to_jsonable(x) for x in v]
    if isinstance(v, datetime | date):  # pandas.Timestamp is a datetime
        return None if _is_missing(v) else v.isoformat()
    if isinstance(v, enum.Enum):
        return to_jsonable(v.value)
    import numpy as np
    import pandas as pd

    if isinstance(v, pd.DataFrame):
        return [to_jsonable(r) for r in v.to_dict(orient="records")]
    if isinstance(v, pd.Series):
        return to_jsonable(v.to_dict())
    if isinstance(v, np.ndarray):
        return to_jsonable(v.tolist())
    if isinstance(v, np.generic):
        return to_jsonable(v.item())
    if _is_missing(v):
        return None
    to_dict = getattr(v, "to_dict", None)
    if callable(to_dict):
        return to_jsonable(to_dict())
    return str(v)


def _is_missing(v: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # array-likes
        return False


def dumps(obj: Any, *, indent: int | None = None) -> str:
    """``obj`` as a JSON string (via :func:`to_jsonable`; never emits NaN)."""
    return json.dumps(to_jsonable(obj), indent=indent, allow_nan=False)


def value_at(obj: Any, path: list[str] | tuple[str, ...]) -> Any:
    """The value at a field path of a parsed JSON object (``["customer", "email"]``); None where
    the object has no such field or a step is not an object.

    >>> value_at({"customer": {"email": "a@b.c"}}, ["customer", "email"])
    'a@b.c'
    >>> value_at({"customer": None}, ["customer", "email"]) is None
    True
    """
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj
