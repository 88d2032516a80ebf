"""The one place the CLV package turns a column of dates into timestamps.

Kept private and small so that the project-wide timestamp parser (in :mod:`micromix.schema`)
can replace it in one edit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["parse_dates"]


def parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse ``values`` into naive UTC timestamps.

    Accepts ISO dates and date-times (with or without a UTC offset, which is converted to UTC),
    compact ``YYYYMMDD`` integers or strings, and datetime columns.

    Returns
    -------
    (Series, ndarray)
        ``datetime64[ns]`` values (NaT for empty cells) and a boolean mask of cells that are
        present but could not be parsed.
    """
    s = pd.Series(values).reset_index(drop=True)
    present = s.notna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.tz_convert("UTC").dt.tz_localize(None) if s.dt.tz is not None else s
        return out.astype("datetime64[ns]"), np.zeros(len(s), dtype=bool)
    text = s.astype("string").str.strip()
    # a YYYYMMDD number read as an integer (CDNOW's raw files) or a float with ".0"
    text = text.str.replace(r"^(\d{8})(\.0+)?$", r"\1", regex=True)
    compact = text.str.fullmatch(r"\d{8}").fillna(False).to_numpy(dtype=bool)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if compact.any():
        out[compact] = pd.to_datetime(text[compact], format="%Y%m%d", errors="coerce")
    rest = present & ~compact
    if rest.any():
        parsed = pd.to_datetime(text[rest], format="ISO8601", errors="coerce", utc=True)
        retry = parsed.isna().to_numpy()
        if retry.any():
            idx = parsed.index[retry]
            try:
                again = pd.to_datetime(text[idx], format="mixed", errors="coerce", utc=True)
            except (ValueError, OverflowError):
                again = pd.Series(pd.NaT, index=idx, dtype="datetime64[ns, UTC]")
            parsed[idx] = again
        out[rest] = parsed.dt.tz_localize(None).astype("datetime64[ns]")
    bad = present & out.isna().to_numpy()
    return out, bad
