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
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from micromix.errors import ConfigError, DataValidationError

__all__ = [
    "DTYPES",
    "QUARANTINE_COLUMNS",
    "EntitySchema",
    "Field",
    "ValidationResult",
    "parse_timestamps",
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
_NULL_TOKENS = ("", "nan", "NaN", "null", "NULL", "None", "<NA>")
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


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
    """

    name: str
    dtype: DType = "string"
    required: bool = False
    minimum: float | None = None
    allowed: tuple[str, ...] | None = None
    description: str = ""

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


def parse_timestamps(values: pd.Series) -> pd.Series:
    """Parse ISO-8601 strings or epoch numbers (s, ms or µs, by magnitude) to UTC timestamps.

    Unparseable values become ``NaT``.
    """
    s = values.astype("string").str.strip()
    num = pd.to_numeric(s, errors="coerce")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us, UTC]")
    is_num = num.notna()
    if is_num.any():
        n = num[is_num].astype("float64")
        unit_div = np.where(
            n.abs() > 1e17, 1e9, np.where(n.abs() > 1e14, 1e6, np.where(n.abs() > 1e11, 1e3, 1.0))
        )
        secs = n / unit_div
        ok = (secs > -1e10) & (secs < 1e10)
        conv = pd.to_datetime((secs[ok] * 1e6).round().astype("int64"), unit="us", utc=True)
        out.loc[conv.index] = conv
    txt = s[~is_num & s.notna() & (s != "")]
    if len(txt):
        parsed = pd.to_datetime(txt, errors="coerce", utc=True, format="ISO8601")
        still = parsed.isna()
        if still.any():  # other common layouts: "2024/05/01 10:00", "05/01/2024"
            parsed.loc[still] = pd.to_datetime(
                txt[still], errors="coerce", utc=True, format="mixed", dayfirst=False
            )
        out.loc[parsed.index] = parsed.astype("datetime64[us, UTC]")
    return out


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
    ) -> ValidationResult:
        """Coerce and check ``raw`` (text cells); quarantine every row that breaks the contract.

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
        reasons: list[list[tuple[str, str]]] = [[] for _ in range(n)]
        out: dict[str, pd.Series] = {}
        for f in self.fields:
            if f.name not in raw.columns:  # absent optional column: all nulls, nothing to check
                out[f.name] = (
                    pd.Series([None] * n, dtype=_pandas_dtype(f.dtype))
                    if f.dtype != "timestamp"
                    else pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
                )
                continue
            typed, why = self._coerce(f, raw[f.name])
            out[f.name] = typed
            for i in np.flatnonzero((why != "").to_numpy()):
                reasons[i].append((f.name, why.iat[i]))
        typed_df = pd.DataFrame(out)
        # duplicate keys inside the same input: keep the first, quarantine the rest
        bad_rows = np.array([bool(r) for r in reasons], dtype=bool)
        key_frame = typed_df.loc[~bad_rows, list(self.key)].astype("string").fillna("")
        dup = key_frame.duplicated(keep="first")
        if dup.any():
            first_line: dict[tuple, int] = {}
            for idx, k in zip(key_frame.index, map(tuple, key_frame.to_numpy())):
                first_line.setdefault(k, rows[idx])
            for idx in key_frame.index[dup.to_numpy()]:
                k = tuple(key_frame.loc[idx].to_numpy())
                reasons[idx].append(
                    (
                        self.key[0],
                        f"duplicate key {dict(zip(self.key, k))} (same as line {first_line[k]})",
                    )
                )
        ok = np.array([not r for r in reasons], dtype=bool)
        accepted = typed_df.loc[ok].reset_index(drop=True)
        now = ingested_at if ingested_at is not None else pd.Timestamp.now(tz="UTC")
        q_records = []
        for i in np.flatnonzero(~ok):
            rec = {c: raw.iat[i, j] for j, c in enumerate(raw.columns)}
            first_field, first_reason = reasons[i][0]
            q_records.append(
                {
                    "kind": self.name,
                    "source": source,
                    "row": int(rows[i]),
                    "field": first_field,
                    "reason": first_reason,
                    "reasons": "; ".join(f"{fl}: {r}" for fl, r in reasons[i]),
                    "record": json.dumps(_json_safe(rec), ensure_ascii=False),
                    "ingested_at": now,
                }
            )
        quarantine = pd.DataFrame(q_records, columns=list(QUARANTINE_COLUMNS))
        return ValidationResult(accepted, quarantine, [rows[i] for i in np.flatnonzero(ok)])

    def _coerce(self, f: Field, col: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Typed column and a Series of reasons per row (``""`` where the value is fine)."""
        text = col.astype("string").str.strip()
        text = text.mask(text.isin(_NULL_TOKENS))
        present = text.notna()
        reason = pd.Series("", index=col.index, dtype=object)
        if f.dtype == "string":
            typed = text.astype("string")
            if f.allowed is not None:
                low = typed.str.lower()
                bad = present & ~low.isin(f.allowed)
                reason[bad] = [f"{v!r} is not one of {', '.join(f.allowed)}" for v in typed[bad]]
                typed = low
        elif f.dtype in ("int", "float"):
            cleaned = (
                text.str.replace(",", "", regex=False)
                .str.replace("$", "", regex=False)
                .str.replace("%", "", regex=False)
            )
            num = pd.Series(
                pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype="float64", na_value=np.nan),
                index=col.index,
            )
            not_num = present & num.isna()
            reason[not_num] = [f"{v!r} is not a number" for v in text[not_num]]
            inf = num.notna() & ~np.isfinite(num.astype("float64"))
            reason[inf] = "value is not finite"
            if f.dtype == "int":
                frac = (
                    num.notna()
                    & np.isfinite(num.astype("float64"))
                    & (num.astype("float64") % 1 != 0)
                )
                reason[frac & (reason == "")] = [
                    f"{v!r} is not a whole number" for v in text[frac & (reason == "")]
                ]
                typed = num.where(reason == "").round().astype("Int64")
            else:
                typed = num.where(reason == "").astype("Float64")
            if f.minimum is not None:
                below = typed.notna() & (typed < f.minimum)
                reason[below] = [f"must be >= {f.minimum:g}, got {v}" for v in text[below]]
        elif f.dtype == "bool":
            low = text.str.lower()
            typed = pd.Series(pd.NA, index=col.index, dtype="boolean")
            typed[low.isin(_TRUE).fillna(False).astype(bool)] = True
            typed[low.isin(_FALSE).fillna(False).astype(bool)] = False
            bad = present & typed.isna()
            reason[bad] = [f"{v!r} is not true/false" for v in text[bad]]
        else:  # timestamp / date
            ts = parse_timestamps(text)
            bad = present & ts.isna()
            reason[bad] = [
                f"{v!r} is not a valid {'date' if f.dtype == 'date' else 'date/time'}"
                for v in text[bad]
            ]
            typed = (
                ts.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
                if f.dtype == "date"
                else ts
            )
        if f.required:
            missing = ~present
            reason[missing & (reason == "")] = "required value is missing"
        typed = typed.where(reason == "")
        return typed, reason

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


def _json_safe(rec: dict) -> dict:
    out: dict[str, object] = {}
    for k, v in rec.items():
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out[str(k)] = None
        else:
            out[str(k)] = (
                v
                if isinstance(v, (int, float, bool))
                else str(v)
                .encode("utf-8", errors="surrogateescape")
                .decode("utf-8", errors="replace")
            )
    return out
