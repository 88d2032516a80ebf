"""Seeded synthetic experiments with known uplift, and readers for public RCT files.

The generators are the test seams of :mod:`micromix.audience`: every row carries its true
uplift (``true_uplift``) so learners, metrics and policies can be checked against the truth.
The public experiments (Hillstrom, Starbucks) are *read* from a path you pass; micromix does
not ship them.

Quickstart
----------
>>> from micromix.audience.datasets import make_uplift_data
>>> df = make_uplift_data(n=1000, seed=0)
>>> list(df.columns[-4:])
['region', 'treatment', 'y', 'true_uplift']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from micromix.errors import ConfigError
from micromix.ingest.files import read_table, require_columns

__all__ = [
    "HILLSTROM_COLUMNS",
    "STARBUCKS_COLUMNS",
    "load_hillstrom",
    "load_starbucks",
    "make_audience",
    "make_scale_data",
    "make_uplift_data",
]

#: columns of the MineThatData (Hillstrom 2008) e-mail experiment
HILLSTROM_COLUMNS = (
    "recency",
    "history_segment",
    "history",
    "mens",
    "womens",
    "zip_code",
    "newbie",
    "channel",
    "segment",
    "visit",
    "conversion",
    "spend",
)
#: columns of the Udacity / Starbucks promotion experiment
STARBUCKS_COLUMNS = ("ID", "Promotion", "purchase", "V1", "V2", "V3", "V4", "V5", "V6", "V7")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def make_uplift_data(
    n: int = 5000,
    *,
    seed: int = 0,
    n_features: int = 6,
    arms: tuple[str, ...] = ("1",),
    control: str = "0",
    outcome: str = "binary",
    base_rate: float = 0.10,
    effect: float = 0.08,
) -> pd.DataFrame:
    """A randomised experiment whose uplift depends on ``x0`` and ``x1``.

    Parameters
    ----------
    n : int
        Rows.
    seed : int
        Random seed.
    n_features : int
        Numeric features ``x0..x{k-1}`` (>= 2); a categorical ``region`` is added too.
    arms : tuple of str
        Treated arms; each gets its own uplift pattern. The treatment is assigned uniformly
        over control and arms.
    control : str
        Label of the control group.
    outcome : {"binary", "continuous"}
        A 0/1 ``y`` or a spend-like non-negative ``y``.
    base_rate, effect : float
        Baseline conversion rate and the size of the heterogeneous effect.

    Returns
    -------
    DataFrame
        ``x0..``, ``region``, ``treatment``, ``y``, ``true_uplift`` (the uplift of the arm the
        row received, 0 for control) and ``true_uplift_<arm>`` when there are several arms.
    """
    if n_features < 2:
        raise ConfigError(f"n_features must be >= 2, got {n_features}")
    if outcome not in ("binary", "continuous"):
        raise ConfigError(f"outcome must be 'binary' or 'continuous', got {outcome!r}")
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    region = rng.choice(["north", "south", "east", "west"], size=n)
    groups = [control, *arms]
    assign = rng.integers(0, len(groups), size=n)
    treatment = np.array(groups, dtype=object)[assign]
    base_logit = (
        np.log(base_rate / (1 - base_rate)) + 0.6 * X[:, 2 % n_features] - 0.3 * (region == "south")
    )
    p0 = _sigmoid(base_logit)
    df = pd.DataFrame({f"x{i}": X[:, i] for i in range(n_features)})
    df["region"] = region
    true = np.zeros(n)
    per_arm: dict[str, np.ndarray] = {}
    for i, arm in enumerate(arms):
        sign = 1.0 if i % 2 == 0 else -1.0
        tau = effect * (_sigmoid(2.5 * sign * X[:, 0] + X[:, 1]) - 0.25)
        per_arm[arm] = tau
        true = np.where(treatment == arm, tau, true)
    if outcome == "binary":
        p = np.clip(p0 + true, 0.0, 1.0)
        y = (rng.random(n) < p).astype(int)
        per = per_arm
    else:
        scale = 50.0
        spend0 = scale * p0 * rng.gamma(2.0, 1.0, size=n)
        y = np.maximum(spend0 + scale * true + rng.normal(0, 5, size=n), 0.0)
        per = {a: scale * v for a, v in per_arm.items()}
        true = scale * true
    df["treatment"] = treatment
    df["y"] = y
    df["true_uplift"] = true
    if len(arms) > 1:
        for arm, v in per.items():
            df[f"true_uplift_{arm}"] = v
    return df


def make_audience(
    n: int = 2000, *, seed: int = 0, refusal_rate: float = 0.1, minor_rate: float = 0.03
) -> pd.DataFrame:
    """An ``audience`` table with consent flags, as in the micromix events contract.

    Columns: ``user_id, age_band, gender, region, interests, consent_ads_personalisation,
    consent_analytics, opt_out_sale, gpc, consent_date, is_minor``.
    """
    rng = np.random.default_rng(seed)
    is_minor = rng.random(n) < minor_rate
    bands = np.array(["18-24", "25-34", "35-44", "45-54", "55+"])
    age_band = np.where(is_minor, "13-17", bands[rng.integers(0, len(bands), n)])
    return pd.DataFrame(
        {
            "user_id": [f"u{i:06d}" for i in range(n)],
            "age_band": age_band,
            "gender": rng.choice(["female", "male", "other"], size=n, p=[0.5, 0.46, 0.04]),
            "region": rng.choice(["north", "south", "east", "west"], size=n),
            "interests": rng.choice(["dogs", "cats", "fish", "outdoors"], size=n),
            "consent_ads_personalisation": rng.random(n) >= refusal_rate,
            "consent_analytics": rng.random(n) >= refusal_rate / 2,
            "opt_out_sale": rng.random(n) < refusal_rate / 2,
            "gpc": rng.random(n) < refusal_rate / 4,
            "consent_date": pd.Timestamp("2026-01-01"),
            "is_minor": is_minor,
        }
    )


def make_scale_data(
    n: int, *, n_features: int = 12, seed: int = 0, treated_share: float = 0.85
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Criteo-uplift-shaped arrays: ``X`` (float32, n x k), ``treatment`` (0/1) and ``visit``.

    Built in chunks so that peak memory stays close to the size of ``X``.
    """
    rng = np.random.default_rng(seed)
    X = np.empty((n, n_features), dtype=np.float32)
    t = np.empty(n, dtype=np.int8)
    y = np.empty(n, dtype=np.int8)
    chunk = 1_000_000
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        m = stop - start
        xc = rng.normal(size=(m, n_features)).astype(np.float32)
        X[start:stop] = xc
        tc = rng.random(m) < treated_share
        t[start:stop] = tc
        logit = -3.0 + 0.5 * xc[:, 0] - 0.3 * xc[:, 1] + 0.2 * xc[:, 2]
        tau = 0.4 * _sigmoid(2 * xc[:, 3]) * tc
        y[start:stop] = rng.random(m) < _sigmoid(logit + tau)
    return X, t, y


def load_hillstrom(path: str | Path) -> pd.DataFrame:
    """Read the Hillstrom (MineThatData 2008) e-mail experiment from ``path``."""
    df = read_table(path)
    require_columns(df, list(HILLSTROM_COLUMNS), path)
    return df


def load_starbucks(path: str | Path) -> pd.DataFrame:
    """Read the Udacity/Starbucks promotion experiment (training or test file) from ``path``."""
    df = read_table(path)
    require_columns(df, [c for c in STARBUCKS_COLUMNS if c != "ID"], path)
    return df
