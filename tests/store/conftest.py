"""Fixtures shared by the store tests."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="pyspark not installed (pip install 'micromix[spark]')")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("no Java runtime (install Java 17)")
    from micromix.store.backends import parse_backend, spark_session

    return spark_session(
        parse_backend("pyspark://local[2]"), conf={"spark.sql.shuffle.partitions": "2"}
    )
