"""`--currency` is never silently dropped: kinds whose rows record no currency refuse it."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.errors import ConfigError
from micromix.ingest import ingest_file
from micromix.store import Store


def test_events_refuse_a_currency_they_cannot_record(tmp_path):
    f = tmp_path / "events.csv"
    pd.DataFrame(
        {
            "event_id": ["e1"],
            "user_id": ["u1"],
            "timestamp": ["2026-01-05 10:00:00"],
            "event_type": ["purchase"],
            "revenue": [12.5],
        }
    ).to_csv(f, index=False)
    with Store.open(tmp_path / "s.duckdb") as st:
        with pytest.raises(ConfigError, match=r"events rows record no currency.*kpis --currency"):
            ingest_file(st, "events", f, currency="EUR")
        assert st.count("events") == 0  # nothing written
        assert ingest_file(st, "events", f).inserted == 1  # without it, the file is read
