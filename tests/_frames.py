"""Small frames tests share: a few real events (``from _frames import real_events``)."""

from __future__ import annotations

import pandas as pd


def real_events(n: int = 6, **extra: object) -> pd.DataFrame:
    """A few real events: no currency column (the events contract has none), no simulator
    tables beside them; ``extra`` adds columns (``currency="EUR"`` for a store that keeps it)."""
    ts = pd.date_range("2026-03-01", periods=n, freq="6h", tz="UTC")
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "ts": ts,
            "user_id": [f"u{i % 3}" for i in range(n)],
            "event_type": ["impression", "click", "purchase"] * (n // 3),
            "platform": "instagram",
            "strategy": "paid_social",
            "cost": [1.5, 0.5, 0.0] * (n // 3),
            "revenue": [0.0, 0.0, 40.0] * (n // 3),
            **extra,
        }
    )
