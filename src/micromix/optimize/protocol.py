"""The ``ResponseModel`` protocol: what the budget optimizer needs from any model.

Anything with these members is a response model (structural typing, no base class):

``channels``
    ``list[str]`` (attribute or property): the names of the spend channels, in order.
``response(spend) -> ndarray``
    ``spend`` is an array of shape ``(..., n_channels)``: the **total spend per channel over
    the planning horizon** (the same horizon and currency as the budget). Returns an array of
    shape ``(...)``: the **expected incremental outcome** over that horizon (revenue or
    conversions, whatever the model predicts) relative to spending nothing on those channels.
    Must be vectorised over the leading axes; the optimizer evaluates many allocations at once.

Optional members, used when present:

``channel_response(spend) -> ndarray``
    Same input, returns shape ``(..., n_channels)``: each channel's own contribution (for
    response curves and for separable models, which the optimizer then solves exactly).
``response_draws(spend) -> ndarray``
    Returns shape ``(n_draws, ...)``: draws of the outcome from the model's uncertainty, used
    for scenario intervals.
``current_spend``
    ``ndarray`` of shape ``(n_channels,)``: the allocation in use today (scenario baseline).
``outcome``
    ``"revenue"`` (ratios are reported as ROAS) or ``"conversions"`` (as CPA).
``channel_evidence``
    One label per channel (list, or a method returning one): ``"evidenced"``, ``"not
    evidenced"`` (the model's interval of the channel's effect reaches zero) or ``"no effect"``
    (its median effect is zero). Shown beside the marginal returns; a recommendation that
    funds a channel without evidence gets a review check.

The fitted :class:`micromix.measurement.MarketingMixModel`, :class:`CurveResponse` (known
curves, e.g. the simulator's truth) and :class:`UpliftCurveResponse` (micro vs mass targeting
curves from uplift models) all satisfy it.

Quickstart
----------
>>> import numpy as np
>>> from micromix.optimize import CurveResponse, ResponseModel
>>> m = CurveResponse.hill(["a", "b"], vmax=[100.0, 50.0], half=[10.0, 5.0])
>>> isinstance(m, ResponseModel)
True
>>> float(m.response(np.array([10.0, 5.0])))
75.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from micromix.errors import ConfigError

__all__ = [
    "CurveResponse",
    "ResponseModel",
    "UpliftCurveResponse",
    "as_spend_array",
    "concave_hull",
]


@runtime_checkable
class ResponseModel(Protocol):
    """Maps spend per channel over a horizon to expected incremental outcome (see module doc)."""

    @property
    def channels(self) -> list[str]: ...

    def response(self, spend: np.ndarray) -> np.ndarray: ...


def as_spend_array(model: ResponseModel, spend: Any) -> np.ndarray:
    """Coerce a dict ``{channel: spend}`` or a sequence into an array in ``model.channels`` order."""
    channels = list(model.channels)
    if isinstance(spend, dict):
        unknown = sorted(set(spend) - set(channels))
        if unknown:
            raise ConfigError(
                f"allocation names unknown channel(s) {unknown}; the model's channels are {channels}"
            )
        return np.array([float(spend.get(c, 0.0)) for c in channels])
    arr = np.asarray(spend, dtype=float)
    if arr.shape[-1] != len(channels):
        raise ConfigError(
            f"allocation has {arr.shape[-1]} values but the model has {len(channels)} channels "
            f"{channels}; pass one spend per channel"
        )
    return arr


class CurveResponse:
    """A separable response model from one curve per channel.

    Parameters
    ----------
    channels : sequence of str
        Channel names.
    curves : sequence of callables
        ``curves[i](spend_i) -> outcome_i``, vectorised over numpy arrays, with ``f(0) = 0``.
    outcome : str
        ``"revenue"`` or ``"conversions"``.
    current_spend : array-like, optional
        Today's allocation (the scenario baseline).

    Examples
    --------
    >>> m = CurveResponse(["tv"], [lambda s: 2 * np.sqrt(s)])
    >>> m.channel_response(np.array([[4.0]])).tolist()
    [[4.0]]
    """

    def __init__(
        self,
        channels: Sequence[str],
        curves: Sequence[Callable[[np.ndarray], np.ndarray]],
        *,
        outcome: str = "revenue",
        current_spend: Sequence[float] | None = None,
    ) -> None:
        if len(channels) != len(curves):
            raise ConfigError(
                f"got {len(channels)} channels but {len(curves)} curves; pass one curve per channel"
            )
        if outcome not in ("revenue", "conversions"):
            raise ConfigError(f"outcome={outcome!r} is invalid; use 'revenue' or 'conversions'")
        self._channels = list(channels)
        self.curves = list(curves)
        self.outcome = outcome
        self.current_spend = None if current_spend is None else np.asarray(current_spend, float)

    @property
    def channels(self) -> list[str]:
        return list(self._channels)

    def channel_response(self, spend: np.ndarray) -> np.ndarray:
        s = np.maximum(np.asarray(spend, dtype=float), 0.0)
        return np.stack([f(s[..., i]) for i, f in enumerate(self.curves)], axis=-1)

    def response(self, spend: np.ndarray) -> np.ndarray:
        return self.channel_response(spend).sum(axis=-1)

    @classmethod
    def hill(
        cls,
        channels: Sequence[str],
        *,
        vmax: Sequence[float],
        half: Sequence[float],
        slope: Sequence[float] | float = 1.0,
        outcome: str = "revenue",
    ) -> CurveResponse:
        """Hill curves ``vmax * s^k / (s^k + half^k)`` (concave for ``k <= 1``)."""
        k = np.broadcast_to(np.asarray(slope, dtype=float), (len(channels),))

        def make(v: float, h: float, kk: float) -> Callable[[np.ndarray], np.ndarray]:
            return lambda s: v * s**kk / (s**kk + h**kk)

        return cls(
            channels,
            [make(v, h, kk) for v, h, kk in zip(vmax, half, k)],
            outcome=outcome,
        )

    def __repr__(self) -> str:
        return f"CurveResponse(channels={self._channels}, outcome={self.outcome!r})"


class UpliftCurveResponse:
    """Targeting curves from uplift models: cost -> incremental conversions, one per strategy.

    Each curve is given as points (cost, incremental outcome), e.g. from ranking users by
    predicted uplift and accumulating cost and uplift down the ranking (micro-targeting) or a
    straight line for mass reach. The curve is made concave (its upper hull) and interpolated
    linearly; spending beyond the last point adds nothing.

    Parameters
    ----------
    curves : dict
        ``{strategy: (costs, incremental)}`` with increasing costs.
    outcome : str
        ``"conversions"`` (default) or ``"revenue"``.

    Examples
    --------
    >>> m = UpliftCurveResponse({"micro": ([0, 10, 20], [0, 8, 10]), "mass": ([0, 40], [0, 12])})
    >>> m.channels
    ['micro', 'mass']
    >>> float(m.response(np.array([10.0, 20.0])))
    14.0
    """

    def __init__(
        self,
        curves: dict[str, tuple[Sequence[float], Sequence[float]]],
        *,
        outcome: str = "conversions",
        current_spend: Sequence[float] | None = None,
    ) -> None:
        self._channels = list(curves)
        self.outcome = outcome
        self.current_spend = None if current_spend is None else np.asarray(current_spend, float)
        self._points: list[tuple[np.ndarray, np.ndarray]] = []
        for name, (cost, inc) in curves.items():
            c = np.asarray(cost, dtype=float)
            v = np.asarray(inc, dtype=float)
            if c.ndim != 1 or c.shape != v.shape or len(c) < 2:
                raise ConfigError(
                    f"uplift curve {name!r} needs two equal-length lists with >= 2 points"
                )
            if np.any(np.diff(c) < 0) or np.any(c < 0):
                raise ConfigError(f"uplift curve {name!r}: costs must be >= 0 and increasing")
            if c[0] > 0:
                c = np.r_[0.0, c]
                v = np.r_[0.0, v]
            # a curve made non-decreasing and concave: spending more never loses outcome
            self._points.append(concave_hull(c, np.maximum.accumulate(v - v[0])))

    @property
    def channels(self) -> list[str]:
        return list(self._channels)

    def channel_response(self, spend: np.ndarray) -> np.ndarray:
        s = np.maximum(np.asarray(spend, dtype=float), 0.0)
        return np.stack(
            [np.interp(s[..., i], c, v) for i, (c, v) in enumerate(self._points)], axis=-1
        )

    def response(self, spend: np.ndarray) -> np.ndarray:
        return self.channel_response(spend).sum(axis=-1)

    def breakpoints(self) -> list[np.ndarray]:
        """Cost of each kink of each (concave, piecewise-linear) curve."""
        return [c.copy() for c, _ in self._points]

    def __repr__(self) -> str:
        return f"UpliftCurveResponse(channels={self._channels}, outcome={self.outcome!r})"


def concave_hull(c: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper concave hull (monotone chain) of points sorted by ``c``: the vertices kept."""
    keep: list[int] = []
    for i in range(len(c)):
        while len(keep) >= 2:
            a, b = keep[-2], keep[-1]
            # drop b when it lies on or below the segment a -> i
            if (v[b] - v[a]) * (c[i] - c[a]) <= (v[i] - v[a]) * (c[b] - c[a]):
                keep.pop()
            else:
                break
        keep.append(i)
    return c[keep], v[keep]
