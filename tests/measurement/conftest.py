"""Seeded weekly data with a known mix-model truth, shared by the measurement tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

TRUE_BETA = {"tiktok": 400.0, "instagram": 250.0, "ugc_posts": 150.0}
TRUE_ALPHA = {"tiktok": 0.5, "instagram": 0.2, "ugc_posts": 0.3}
TRUE_LAM = {"tiktok": 2.0, "instagram": 3.0, "ugc_posts": 1.5}


def _geo(x: np.ndarray, alpha: float, l_max: int = 8) -> np.ndarray:
    w = alpha ** np.arange(l_max)
    w = w / w.sum()
    out = np.zeros_like(x)
    for lag in range(l_max):
        out[lag:] += w[lag] * x[: len(x) - lag]
    return out


def make_weekly(n: int = 156, seed: int = 7, noise: float = 20.0) -> tuple[pd.DataFrame, dict]:
    """Weekly frame with two paid channels, one organic channel and a promo control."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"week": pd.date_range("2021-01-04", periods=n, freq="W-MON")})
    df["tiktok"] = rng.gamma(2.0, 500.0, n) * (rng.uniform(size=n) > 0.2)
    df["instagram"] = rng.gamma(3.0, 300.0, n)
    df["ugc_posts"] = rng.poisson(rng.gamma(2.0, 20.0, n)).astype(float)
    df["promo"] = (rng.uniform(size=n) > 0.9).astype(float)
    truth = {}
    y = 1000 + 0.5 * np.arange(n) + 60 * np.sin(2 * np.pi * df["week"].dt.day_of_year / 365.25)
    y = y + 80 * df["promo"]
    for c in TRUE_BETA:
        x = df[c].to_numpy() / df[c].max()
        s = _geo(x, TRUE_ALPHA[c])
        sat = (1 - np.exp(-TRUE_LAM[c] * s)) / (1 + np.exp(-TRUE_LAM[c] * s))
        contrib = TRUE_BETA[c] * sat
        truth[c] = float(contrib.sum())
        y = y + contrib
    df["sales"] = y + rng.normal(0, noise, n)
    return df, truth


@pytest.fixture(scope="session")
def weekly() -> tuple[pd.DataFrame, dict]:
    return make_weekly()


#: the specification every weekly-data test starts from
WEEKLY_SPEC = {
    "date_col": "week",
    "target": "sales",
    "channels": ("tiktok", "instagram"),
    "organic": ("ugc_posts",),
    "controls": ("promo",),
}


@pytest.fixture(scope="session")
def spec_kw() -> dict:
    return dict(WEEKLY_SPEC)


@pytest.fixture(scope="session")
def fitted(weekly):
    from micromix.measurement import MarketingMixModel, MMMSpec

    df, _ = weekly
    spec = MMMSpec(**WEEKLY_SPEC, n_draws=100)
    return MarketingMixModel(spec=spec).fit(df)
