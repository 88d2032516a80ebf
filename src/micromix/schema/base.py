"""Declarative data contracts and vectorised validation with quarantine.

A contract (:class:`EntitySchema`) is a tuple of :class:`Field` objects plus the key that makes a
row unique. :meth:`EntitySchema.validate` takes text cells (as read from a file), coerces each
field, and splits the rows into *accepted* (typed) and *quarantined* rows. Every quarantined row
keeps its file, line number, the first field at fault, every reason, and the raw record as JSON,
so nothing is lost.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.schema import EVENTS
>>> raw = pd.DataFrame({"event_id": ["e1", "e2"], "ts": ["2024-05-01T10:00:00Z", "not a date"],
...                     "user_id": ["u1", "u2"], "event_type": ["click", "click"]})
>>> res = EVENTS.validate(raw, rows=[2, 3], source="clicks.csv")
>>> len(res.accepted), res.quarantine.loc[0, "field"]
(1, 'ts')
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError
from micromix.schema.values import (
    TimeWindow,
    read_bools,
    read_numbers,
    read_text,
    read_timestamps,
)

__all__ = [
    "DTYPES",
    "NUMBER_TEXT",
    "QUARANTINE_COLUMNS",
    "EntitySchema",
    "Field",
    "ValidationResult",
    "looks_like_a_value",
    "require_columns",
]

DType = Literal["string", "int", "float", "bool", "timestamp", "date"]
#: the logical types a field may have; the store maps them to engine types
DTYPES: tuple[str, ...] = ("string", "int", "float", "bool", "timestamp", "date")

#: columns of the quarantine table
QUARANTINE_COLUMNS = (
    "kind",
    "source",
    "row",
    "field",
    "reason",
    "reasons",
    "record",
    "ingested_at",
)

#: cell values read as "no value"


@dataclass(frozen=True)
class Field:
    """One column of a data contract.

    Parameters
    ----------
    name : str
        Canonical column name.
    dtype : {"string", "int", "float", "bool", "timestamp", "date"}
    required : bool
        A null / empty value quarantines the row.
    minimum : float, optional
        Smallest allowed value for numeric fields.
    allowed : tuple of str, optional
        Allowed values (compared lower-case) for categorical string fields.
    description : str
        What the column means (shown in docs and error messages).
    percent : bool
        A rate: ``"1.39%"`` reads as 0.0139 (elsewhere a ``%`` sign is refused).
    abbreviated : bool
        Counts may be written ``"48.5M"`` / ``"383.1K"`` (creator lists).
    money : bool
        An amount of money: rows carry it in the row's ``currency``.
    """

    name: str
    dtype: DType = "string"
    required: bool = False
    minimum: float | None = None
    allowed: tuple[str, ...] | None = None
    description: str = ""
    percent: bool = False
    abbreviated: bool = False
    money: bool = False

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ConfigError(
                f"Field {self.name!r}: dtype {self.dtype!r} is not one of {', '.join(DTYPES)}"
            )


@dataclass
class ValidationResult:
    """Rows split into typed ``accepted`` rows and ``quarantine`` records."""

    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    rows_accepted: list[int] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"ValidationResult(accepted={len(self.accepted)}, quarantined={len(self.quarantine)})"
        )


@dataclass(frozen=True)
class EntitySchema:
    """A data contract: the table name, its fields and its key.

    Parameters
    ----------
    name : str
        Table name in the store (``events``, ``ad_performance`` ...).
    fields : tuple of Field
    key : tuple of str
        Columns that identify a row; re-ingesting a row with the same key replaces it.
    description : str
    """

    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    description: str = ""

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        missing = [k for k in self.key if k not in names]
        if missing:
            raise ConfigError(f"schema {self.name!r}: key columns {missing} are not fields")

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    # ------------------------------------------------------------------ validation
    def validate(
        self,
        raw: pd.DataFrame,
        rows: list[int] | None = None,
        source: str = "input",
        ingested_at: pd.Timestamp | None = None,
        *,
        dayfirst: bool | None = None,
        window: TimeWindow | None = None,
    ) -> ValidationResult:
        """Coerce and check ``raw``; quarantine every row that breaks the contract.

        The one contract validator: cells may be text (from a file), Python objects (from JSON)
        or already typed columns (from the simulator or the API); each is read with
        :mod:`micromix.schema.values`, so a value means the same on every path.

        Parameters
        ----------
        raw : DataFrame
            Columns named as the contract's fields (others are ignored).
        rows : list of int, optional
            Line number of each row in its file (default: 2, 3, ... as under a header).
        source : str
            File or batch name recorded with each quarantined row.
        dayfirst : bool, optional
            Order of ``d/m/y`` dates (None: detected per column, ambiguous dates refused).
        window : TimeWindow, optional
            Accepted timestamps (default 1970-01-01..2100-01-01).

        Raises
        ------
        DataValidationError
            When a required column is absent from the input altogether (nothing can be ingested).
        """
        n = len(raw)
        rows = list(rows) if rows is not None else list(range(2, n + 2))
        raw = raw.reset_index(drop=True)
        absent = [f.name for f in self.fields if f.required and f.name not in raw.columns]
        if absent:
            raise DataValidationError(
                f"{source}: required column(s) {', '.join(map(repr, absent))} for {self.name} not found "
                f"(columns present: {', '.join(map(str, raw.columns[:25]))}); rename the columns or "
                f"pass --format to pick the right export layout"
            )
        reasons: dict[int, list[tuple[str, str]]] = {}
        out: dict[str, pd.Series] = {}
        for f in self.fields:
            if f.name not in raw.columns:  # absent optional column: all nulls, nothing to check
                out[f.name] = _null_column(f.dtype, n)
                continue
            typed, why = self._coerce(f, raw[f.name], dayfirst=dayfirst, window=window)
            out[f.name] = typed
            for i in np.flatnonzero(why.notna().to_numpy()):
                reasons.setdefault(int(i), []).append((f.name, str(why.iat[i])))
        typed_df = pd.DataFrame(out)
        bad_rows = np.zeros(n, dtype=bool)
        if reasons:
            bad_rows[list(reasons)] = True
        # duplicate keys inside the same input: keep the first, quarantine the rest
        key_frame = typed_df.loc[~bad_rows, list(self.key)]
        dup = key_frame.duplicated(keep="first").to_numpy() if len(key_frame) else np.array([])
        if dup.any():
            involved = key_frame[key_frame.duplicated(keep=False).to_numpy()]
            as_text = involved.astype("string").fillna("")
            first_line: dict[tuple, int] = {}
            for idx, k in zip(as_text.index, map(tuple, as_text.to_numpy())):
                first_line.setdefault(k, rows[idx])
            for idx in key_frame.index[dup]:
                k = tuple(as_text.loc[idx].to_numpy())
                shown = {c: v for c, v in zip(self.key, k) if v != ""}
                reasons.setdefault(int(idx), []).append(
                    (self.key[0], f"duplicate key {shown} (same as line {first_line[k]})")
                )
                bad_rows[idx] = True
        ok = ~bad_rows
        accepted = typed_df.loc[ok].reset_index(drop=True)
        now = ingested_at if ingested_at is not None else pd.Timestamp.now(tz="UTC")
        q_records = []
        cols = list(raw.columns)
        for i in np.flatnonzero(bad_rows):
            rec = {str(c): raw.iat[int(i), j] for j, c in enumerate(cols)}
            first_field, first_reason = reasons[int(i)][0]
            q_records.append(
                {
                    "kind": self.name,
                    "source": source,
                    "row": int(rows[i]),
                    "field": first_field,
                    "reason": first_reason,
                    "reasons": "; ".join(f"{fl}: {r}" for fl, r in reasons[int(i)]),
                    "record": json.dumps(_json_safe(rec), ensure_ascii=False),
                    "ingested_at": now,
                }
            )
        quarantine = pd.DataFrame(q_records, columns=list(QUARANTINE_COLUMNS))
        return ValidationResult(accepted, quarantine, [rows[i] for i in np.flatnonzero(ok)])

    def _coerce(
        self,
        f: Field,
        col: pd.Series,
        *,
        dayfirst: bool | None = None,
        window: TimeWindow | None = None,
    ) -> tuple[pd.Series, pd.Series]:
        """Typed column and a Series of problems per row (None where the value is fine)."""
        if f.dtype == "string":
            typed, why = read_text(col, strict=f.name in self.key)
            if f.allowed is not None:
                low = typed.str.lower()
                bad = (low.notna() & ~low.isin(f.allowed)).to_numpy(dtype=bool)
                for i in np.flatnonzero(bad & why.isna().to_numpy()):
                    why.iat[i] = f"{typed.iat[i]!r} is not one of {', '.join(f.allowed)}"
                typed = low
        elif f.dtype in ("int", "float"):
            typed, why = read_numbers(
                col,
                integer=f.dtype == "int",
                percent=f.percent,
                abbreviated=f.abbreviated,
                minimum=f.minimum,
            )
        elif f.dtype == "bool":
            typed, why = read_bools(col)
        else:  # timestamp / date
            typed, why = read_timestamps(col, dayfirst=dayfirst, window=window)
            if f.dtype == "date":
                typed = typed.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
        if f.required:
            missing = (typed.isna() & why.isna()).to_numpy(dtype=bool)
            why[missing] = "required value is missing"
        bad = why.notna().to_numpy(dtype=bool)
        if bad.any():
            typed = typed.where(~bad)
        return typed.reset_index(drop=True), why.reset_index(drop=True)

    def coerce_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """Cast an already-typed frame (e.g. from the simulator) to the contract, adding absent
        optional columns as nulls. Raises :class:`DataValidationError` on violations."""
        missing = [f.name for f in self.fields if f.required and f.name not in df.columns]
        if missing:
            raise DataValidationError(f"{self.name}: required column(s) {missing} missing")
        out = {}
        for f in self.fields:
            if f.name in df.columns:
                out[f.name] = df[f.name]
            else:
                out[f.name] = pd.Series(
                    [None] * len(df), index=df.index, dtype=_pandas_dtype(f.dtype)
                )
        return pd.DataFrame(out)

    def describe(self) -> pd.DataFrame:
        """The contract as a table: name, type, required, constraint, description."""
        rows = []
        for f in self.fields:
            cons = []
            if f.minimum is not None:
                cons.append(f">= {f.minimum:g}")
            if f.allowed:
                cons.append("one of " + ", ".join(f.allowed))
            rows.append(
                {
                    "column": f.name,
                    "type": f.dtype,
                    "required": f.required,
                    "key": f.name in self.key,
                    "constraint": "; ".join(cons),
                    "description": f.description,
                }
            )
        return pd.DataFrame(rows)


def _pandas_dtype(dtype: str) -> str:
    return {
        "string": "string",
        "int": "Int64",
        "float": "Float64",
        "bool": "boolean",
        "timestamp": "datetime64[us, UTC]",
        "date": "datetime64[us]",
    }[dtype]


def _null_column(dtype: str, n: int) -> pd.Series:
    if dtype == "timestamp":
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
    return pd.Series([None] * n, dtype=_pandas_dtype(dtype))


def _safe_str(v: object) -> str:
    return str(v).encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")


def _json_safe(rec: dict, depth: int = 0) -> dict:
    """A record as JSON-ready values: text with bad bytes replaced, NaN -> None."""
    out: dict[str, object] = {}
    for k, v in rec.items():
        out[_safe_str(k)] = _json_value(v, depth)
    return out


def _json_value(v: object, depth: int = 0) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v) if abs(int(v)) < 2**63 else _safe_str(v)[:100]
    if isinstance(v, (float, np.floating)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, dict) and depth < 20:
        return _json_safe(v, depth + 1)
    if isinstance(v, (list, tuple)) and depth < 20:
        return [_json_value(x, depth + 1) for x in v][:1000]
    text = _safe_str(v)
    return text if len(text) <= 4000 else text[:4000] + "..."


#: a plain decimal number as text (``00004``, ``-1.5``, ``2e3``)
NUMBER_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def require_columns(df: pd.DataFrame, columns: list[str], source: str | Path = "input") -> None:
    """Raise :class:`ColumnNotFoundError` naming the missing columns and the ones available."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        avail = ", ".join(map(str, df.columns[:30]))
        hint = ""
        if len(df.columns) and all(looks_like_a_value(str(c)) for c in df.columns):
            hint = (
                "; the first line holds values, not column names: add a header line that names "
                "the columns"
            )
        raise ColumnNotFoundError(
            f"{source}: column(s) {', '.join(repr(m) for m in missing)} not found; "
            f"available columns: {avail}{hint}"
        )


_DATE_LIKE = re.compile(r"\d{1,4}([-/.]\d{1,2}){2}([ T]\d{1,2}:\d{2}(:\d{2})?)?")


def looks_like_a_value(name: str) -> bool:
    """A header cell that is a number or a date (``00004``, ``29.33``, ``1997-01-01``): the
    file's first line is a data row. pandas suffixes repeated names (``2.1``), which still
    match."""
    return bool(NUMBER_TEXT.fullmatch(name) or _DATE_LIKE.fullmatch(name))
