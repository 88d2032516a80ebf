"""Test helper shared by the ingest tests that check a refused ad report."""

from __future__ import annotations

from pathlib import Path

import pytest

from micromix.errors import DataValidationError
from micromix.ingest import ingest_file
from micromix.store import Store


def refused(path: Path, **kw: object) -> str:
    """Ingest ``path`` as an ad report into a fresh store, expect it refused; return the message.

    Also asserts the refusal is one line naming the file, with no traceback, and that nothing
    was half-written.
    """
    store = Store.open(":memory:")
    with pytest.raises(DataValidationError) as e:
        ingest_file(store, "ads", path, **kw)
    assert store.count("ad_performance") == 0  # nothing half-written
    msg = str(e.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg and "Traceback" not in msg
    return msg
