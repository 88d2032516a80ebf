"""The one JSON encoder."""

from __future__ import annotations

import doctest
import enum
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

import micromix.jsonutil
from micromix.jsonutil import dumps, to_jsonable


class Colour(enum.Enum):
    RED = "red"


@dataclass
class Result:
    x: float

    def to_dict(self):
        return {"x": self.x}


def test_doctests():
    assert doctest.testmod(micromix.jsonutil).failed == 0


def test_every_kind_of_value():
    value = {
        "nan": float("nan"),
        "inf": np.float64("inf"),
        "int": np.int32(3),
        "bool": np.bool_(True),
        "ts": pd.Timestamp("2024-05-01 10:00", tz="UTC"),
        "nat": pd.NaT,
        "na": pd.NA,
        "date": pd.Timestamp("2024-05-01").date(),
        "arr": np.array([1.0, np.nan]),
        "series": pd.Series({"a": 1}),
        "frame": pd.DataFrame({"a": [1, None]}),
        "enum": Colour.RED,
        "result": Result(0.5),
        "set": {1},
        "other": object,
    }
    out = to_jsonable(value)
    assert out["nan"] is None and out["inf"] is None and out["int"] == 3 and out["bool"] is True
    assert out["ts"] == "2024-05-01T10:00:00+00:00" and out["nat"] is None and out["na"] is None
    assert out["date"] == "2024-05-01" and out["arr"] == [1.0, None]
    assert out["series"] == {"a": 1} and out["frame"] == [{"a": 1.0}, {"a": None}]
    assert out["enum"] == "red" and out["result"] == {"x": 0.5} and out["set"] == [1]
    assert out["other"] == str(object)
    json.loads(dumps(value))  # valid JSON, no NaN tokens


def test_cli_and_api_share_the_encoder():
    from micromix.api._respond import jsonable
    from micromix.cli._common import to_jsonable as cli_jsonable

    assert jsonable is to_jsonable and cli_jsonable is to_jsonable
