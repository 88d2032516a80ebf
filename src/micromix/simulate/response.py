"""The simulator's true response curves, usable by the budget optimizer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from micromix.simulate.config import ChannelSpec
from micromix.simulate.draws import hill

__all__ = ["TrueResponse"]


@dataclass
class TrueResponse:
    """The simulator's true response: expected incremental revenue of a spend plan.

    Satisfies :class:`micromix.optimize.ResponseModel` structurally. A constant daily spend keeps
    the (normalised) adstock equal to the spend, so over a horizon of ``days`` the expected
    incremental revenue of channel ``c`` given total spend ``s`` is
    ``days * users/1000 * beta * hill(s / days / (users/1000)) * order_value``.

    These are the purchases the ads cause directly; the repeat purchases of the customers they
    win are not included (``ground_truth`` adds them within the campaign period, and
    ``Market.clv_truth`` has their lifetime value).

    Parameters
    ----------
    channels : list of str
    specs : list of ChannelSpec
    users : int
    days : int
        Planning horizon in days.
    order_value : float
    """

    channels: list[str]
    specs: list[ChannelSpec]
    users: int
    days: int
    order_value: float
    #: what :meth:`response` returns
    outcome: str = "revenue"

    def curve(self, channel: str, spend: np.ndarray | float) -> np.ndarray:
        """Expected incremental revenue of one ``channel`` for total horizon ``spend``."""
        spec = self.specs[self.channels.index(channel)]
        scale = self.users / 1000.0
        daily = np.asarray(spend, dtype="float64") / self.days / scale
        return self.days * scale * spec.beta * hill(daily, spec.k, spec.slope) * self.order_value

    def channel_response(self, spend: np.ndarray) -> np.ndarray:
        """Per-channel incremental revenue; ``spend`` has shape ``(..., n_channels)``."""
        arr = np.asarray(spend, dtype="float64")
        if arr.shape[-1] != len(self.channels):
            raise ValueError(
                f"spend must end in {len(self.channels)} channels, got shape {arr.shape}"
            )
        return np.stack([self.curve(c, arr[..., i]) for i, c in enumerate(self.channels)], axis=-1)

    def response(self, spend: np.ndarray | dict[str, float]) -> np.ndarray:
        """Total expected incremental revenue; ``spend`` is ``(..., n_channels)`` or a dict."""
        if isinstance(spend, dict):
            spend = np.array([spend.get(c, 0.0) for c in self.channels], dtype="float64")
        return self.channel_response(np.asarray(spend, dtype="float64")).sum(axis=-1)

    @property
    def current_spend(self) -> np.ndarray:
        """Spend per channel over the horizon at the configured daily budgets."""
        scale = self.users / 1000.0
        return np.array([s.daily_budget * scale * self.days for s in self.specs])
