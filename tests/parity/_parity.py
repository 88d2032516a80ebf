"""Comparison helpers of the parity suite (imported by the test modules)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

#: relative and absolute tolerance for floating-point columns (sums run in a different order
#: on each engine); counts, strings, booleans and timestamps must be exactly equal
FLOAT_RTOL = 1e-9
FLOAT_ATOL = 1e-9


def assert_same(a: pd.DataFrame, b: pd.DataFrame, *, sort_by: list[str] | None = None) -> None:
    """Equal frames: same columns and dtypes, exact non-float values, floats within tolerance."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b), (len(a), len(b))
    if sort_by:
        a = a.sort_values(sort_by, kind="stable").reset_index(drop=True)
        b = b.sort_values(sort_by, kind="stable").reset_index(drop=True)
    else:
        a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    for c in a.columns:
        x, y = a[c], b[c]
        assert x.dtype == y.dtype, (c, x.dtype, y.dtype)
        if pd.api.types.is_float_dtype(x.dtype):
            xv, yv = x.to_numpy(dtype="float64"), y.to_numpy(dtype="float64")
            assert np.array_equal(np.isnan(xv), np.isnan(yv)), c
            ok = ~np.isnan(xv)
            np.testing.assert_allclose(xv[ok], yv[ok], rtol=FLOAT_RTOL, atol=FLOAT_ATOL, err_msg=c)
        else:
            pd.testing.assert_series_equal(x, y, check_names=True, obj=c)


#: marks of every parity test: needs Spark (deselected by default; run with ``-m spark``) and
#: tolerates pyspark's unclosed loopback sockets (pyspark leaves its result-stream socket to the
#: garbage collector; the warning is pyspark's, not ours)
SPARK_MARKS = [
    pytest.mark.spark,
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in.*socket:pytest.PytestUnraisableExceptionWarning"
    ),
    pytest.mark.filterwarnings("ignore:unclosed <socket:ResourceWarning"),
]
