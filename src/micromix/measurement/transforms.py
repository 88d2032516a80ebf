"""Adstock (carry-over) and saturation (diminishing returns) curves, registered by name.

Each curve is a small frozen class with a ``lookup_name``, named parameters with bounds, a
vectorised ``apply`` and a ``to_dict`` / ``from_dict`` round-trip. The marketing-mix model
finds them through :func:`get_adstock` and :func:`get_saturation`, so a new curve is one
class plus one registry entry.

Quickstart
----------
>>> import numpy as np
>>> from micromix.measurement.transforms import get_adstock, get_saturation
>>> ad = get_adstock("geometric", l_max=4)
>>> ad.apply(np.array([1.0, 0.0, 0.0, 0.0]), alpha=0.5).round(3).tolist()
[0.533, 0.267, 0.133, 0.067]
>>> sat = get_saturation("logistic")
>>> float(sat.apply(np.array([0.0]), lam=3.0)[0])
0.0
>>> get_adstock("geometric", l_max=4).to_dict()
{'lookup_name': 'geometric', 'l_max': 4}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from micromix.errors import ConfigError
from micromix.registry import Registry

__all__ = [
    "ADSTOCKS",
    "SATURATIONS",
    "Adstock",
    "DelayedAdstock",
    "GeometricAdstock",
    "HillSaturation",
    "LogisticSaturation",
    "Saturation",
    "WeibullAdstock",
    "adstock_from_dict",
    "get_adstock",
    "get_saturation",
    "saturation_from_dict",
]

#: default maximum carry-over length in periods
DEFAULT_L_MAX = 8


def _convolve(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Causal convolution along the first axis: ``out[t] = sum_l w[l] * x[t - l]``."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    n = x.shape[0]
    for lag in range(min(len(w), n)):
        out[lag:] += w[lag] * x[: n - lag]
    return out


@dataclass(frozen=True)
class Adstock:
    """Base class of carry-over curves: weights over ``l_max`` lags, normalised to sum 1.

    Normalised weights keep the adstocked series on the scale of spend, so a constant weekly
    spend ``s`` has a steady-state adstock of ``s``.
    """

    l_max: int = DEFAULT_L_MAX
    lookup_name: ClassVar[str] = ""
    #: parameter name -> (lower, upper, default start)
    param_bounds: ClassVar[dict[str, tuple[float, float, float]]] = {}

    def __post_init__(self) -> None:
        if not isinstance(self.l_max, int) or self.l_max < 1 or self.l_max > 104:
            raise ConfigError(
                f"adstock l_max={self.l_max!r} is invalid; use an integer between 1 and 104"
            )

    def weights(self, **params: float) -> np.ndarray:
        """Lag weights (length ``l_max``, summing to 1)."""
        raise NotImplementedError

    def apply(self, x: np.ndarray, **params: float) -> np.ndarray:
        """Carry-over of ``x`` (time on the first axis)."""
        return _convolve(x, self.weights(**params))

    def to_dict(self) -> dict[str, Any]:
        return {"lookup_name": self.lookup_name, "l_max": self.l_max}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Adstock:
        return adstock_from_dict(d)


@dataclass(frozen=True)
class GeometricAdstock(Adstock):
    """Geometric decay: weight ``alpha ** l`` at lag ``l`` (``alpha`` in [0, 0.95])."""

    lookup_name: ClassVar[str] = "geometric"
    param_bounds: ClassVar[dict[str, tuple[float, float, float]]] = {"alpha": (0.0, 0.95, 0.4)}

    def weights(self, *, alpha: float) -> np.ndarray:  # type: ignore[override]
        w = float(alpha) ** np.arange(self.l_max, dtype=float)
        return w / w.sum()


@dataclass(frozen=True)
class DelayedAdstock(Adstock):
    """Delayed decay: weight ``alpha ** ((l - theta) ** 2)``; the peak is at lag ``theta``."""

    lookup_name: ClassVar[str] = "delayed"
    param_bounds: ClassVar[dict[str, tuple[float, float, float]]] = {
        "alpha": (0.01, 0.95, 0.4),
        "theta": (0.0, 6.0, 1.0),
    }

    def weights(self, *, alpha: float, theta: float) -> np.ndarray:  # type: ignore[override]
        lags = np.arange(self.l_max, dtype=float)
        w = float(alpha) ** ((lags - float(theta)) ** 2)
        return w / w.sum()


@dataclass(frozen=True)
class WeibullAdstock(Adstock):
    """Weibull-PDF weights with ``shape`` and ``scale`` (in lags): flexible delayed peaks."""

    lookup_name: ClassVar[str] = "weibull"
    param_bounds: ClassVar[dict[str, tuple[float, float, float]]] = {
        "shape": (0.3, 6.0, 1.5),
        "scale": (0.1, 8.0, 1.5),
    }

    def weights(self, *, shape: float, scale: float) -> np.ndarray:  # type: ignore[override]
        lags = np.arange(self.l_max, dtype=float) + 0.5
        z = lags / float(scale)
        w = (shape / scale) * z ** (shape - 1.0) * np.exp(-(z**shape))
        total = w.sum()
        if not np.isfinite(total) or total <= 0:
            w = np.zeros(self.l_max)
            w[0] = 1.0
            return w
        return w / total


@dataclass(frozen=True)
class Saturation:
    """Base class of diminishing-returns curves on a unit-scaled input (0 maps to 0)."""

    lookup_name: ClassVar[str] = ""
    param_bounds: ClassVar[dict[str, tuple[float, float, float]]] = {}

    def apply(self, x: np.ndarray, **params: float) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, x: np.ndarray, **params: float) -> np.ndarray:
        """Numerical derivative with respect to ``x`` (central difference)."""
        x = np.asarray(x, dtype=float)
        h = 1e-6 * np.maximum(1.0, np.abs(x))
        lo = np.maximum(x - h, 0.0)
        return (self.apply(x + h, **params) - self.apply(lo, **params)) / (x + h - lo)

    def to_dict(self) -> dict[str, Any]:
        return {"lookup_name": self.lookup_name}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Saturation:
        return saturation_from_dict(d)


@dataclass(frozen=True)
class LogisticSaturation(Saturation):
    """``(1 - exp(-lam x)) / (1 + exp(-lam x))``: concave, tends to 1."""

    lookup_name: ClassVar[str] = "logistic"
    param_bounds: ClassVar[dict[str, tuple[float, float, float]]] = {"lam": (0.05, 20.0, 2.0)}

    def apply(self, x: np.ndarray, *, lam: float) -> np.ndarray:  # type: ignore[override]
        e = np.exp(-float(lam) * np.asarray(x, dtype=float))
        return (1.0 - e) / (1.0 + e)


@dataclass(frozen=True)
class HillSaturation(Saturation):
    """Hill curve ``x^slope / (x^slope + half^slope)``; S-shaped when ``slope > 1``."""

    lookup_name: ClassVar[str] = "hill"
    param_bounds: ClassVar[dict[str, tuple[float, float, float]]] = {
        "half": (0.02, 3.0, 0.5),
        "slope": (0.5, 4.0, 1.0),
    }

    def apply(self, x: np.ndarray, *, half: float, slope: float) -> np.ndarray:  # type: ignore[override]
        x = np.maximum(np.asarray(x, dtype=float), 0.0)
        xs = x**slope
        return xs / (xs + float(half) ** slope)


#: registered adstock curves by lookup name
ADSTOCKS: Registry[Adstock] = Registry("adstock curve", base=Adstock)
#: registered saturation curves by lookup name
SATURATIONS: Registry[Saturation] = Registry("saturation curve", base=Saturation)
for _cls in (GeometricAdstock, DelayedAdstock, WeibullAdstock):
    ADSTOCKS.register(_cls)
for _sat in (HillSaturation, LogisticSaturation):
    SATURATIONS.register(_sat)


def get_adstock(name: str | Adstock, **kwargs: Any) -> Adstock:
    """Look up an adstock curve by name (``geometric``, ``delayed``, ``weibull``)."""
    return ADSTOCKS.create(name, **kwargs)


def get_saturation(name: str | Saturation, **kwargs: Any) -> Saturation:
    """Look up a saturation curve by name (``logistic``, ``hill``)."""
    return SATURATIONS.create(name, **kwargs)


def adstock_from_dict(d: dict[str, Any]) -> Adstock:
    """Rebuild an adstock curve from :meth:`Adstock.to_dict` output."""
    return ADSTOCKS.create(d)


def saturation_from_dict(d: dict[str, Any]) -> Saturation:
    """Rebuild a saturation curve from :meth:`Saturation.to_dict` output."""
    return SATURATIONS.create(d)
