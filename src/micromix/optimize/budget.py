"""Budget allocation over any :class:`~micromix.optimize.ResponseModel`.

:class:`BudgetOptimizer` maximises the expected incremental outcome for a fixed budget,
respecting per-channel bounds, locked channels and minimum spends; it can also search for the
largest budget that still meets a target ROAS (revenue models) or CPA (conversion models).
:func:`compare_scenarios` puts current, recommended and custom allocations side by side with
outcome intervals when the model has ``response_draws``.

How it solves: when the model exposes ``channel_response`` (separable models: a fitted MMM,
known curves, uplift curves) each channel's curve is tabulated, made concave, and allocated
greedily by marginal return (exact for the concave hull); that start and a few others are then
polished with SLSQP on the true response using vectorised finite-difference gradients.

Quickstart
----------
>>> from micromix.optimize import BudgetOptimizer, CurveResponse
>>> m = CurveResponse.hill(["a", "b"], vmax=[100.0, 50.0], half=[10.0, 5.0])
>>> alloc = BudgetOptimizer(m).allocate(30.0)
>>> round(float(alloc.spend.sum()), 6)
30.0
>>> alloc.outcome > float(m.response([15.0, 15.0]))
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from micromix.errors import ConfigError, ModelError
from micromix.optimize.protocol import ResponseModel, as_spend_array, concave_hull

__all__ = [
    "Allocation",
    "BudgetOptimizer",
    "channel_evidence",
    "compare_scenarios",
    "current_spend",
    "parse_bounds",
]

#: points per channel when tabulating curves for the greedy start
GRID_POINTS = 512
#: default interval mass for scenario intervals
DEFAULT_INTERVAL = 0.9


def _outcome_kind(model: Any) -> str:
    kind = getattr(model, "outcome", "revenue")
    return kind if kind in ("revenue", "conversions") else "revenue"


def _ratio(outcome: float, spend: float, kind: str) -> float:
    if kind == "conversions":
        return spend / outcome if outcome > 0 else math.inf
    return outcome / spend if spend > 0 else math.nan


@dataclass
class Allocation:
    """An allocation of a budget across channels and its expected outcome.

    ``ratio`` is ROAS (outcome / spend) for revenue models and CPA (spend / outcome) for
    conversion models; ``outcome_lo`` / ``outcome_hi`` are NaN when the model has no draws.
    ``evidence`` is the model's ``channel_evidence`` (``evidenced``, ``not evidenced``,
    ``no effect`` per channel) when it says, shown beside each channel's marginal return.
    """

    channels: list[str]
    spend: np.ndarray
    outcome: float
    channel_outcome: np.ndarray
    marginal: np.ndarray
    outcome_kind: str = "revenue"
    outcome_lo: float = math.nan
    outcome_hi: float = math.nan
    converged: bool = True
    info: dict[str, Any] = field(default_factory=dict)
    evidence: list[str] | None = None

    @property
    def budget(self) -> float:
        return float(self.spend.sum())

    @property
    def ratio(self) -> float:
        return _ratio(self.outcome, self.budget, self.outcome_kind)

    @property
    def ratio_name(self) -> str:
        return "cpa" if self.outcome_kind == "conversions" else "roas"

    def to_frame(self) -> pd.DataFrame:
        """One row per channel: spend, share, outcome, marginal return."""
        total = self.budget
        frame = pd.DataFrame(
            {
                "channel": self.channels,
                "spend": self.spend,
                "share": self.spend / total if total > 0 else np.nan,
                "outcome": self.channel_outcome,
                "marginal_return": self.marginal,
            }
        )
        if self.evidence is not None:
            frame["evidence"] = self.evidence
        return frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "outcome": self.outcome,
            "outcome_lo": self.outcome_lo,
            "outcome_hi": self.outcome_hi,
            "outcome_kind": self.outcome_kind,
            self.ratio_name: self.ratio,
            "converged": self.converged,
            "allocation": {c: float(s) for c, s in zip(self.channels, self.spend)},
            "channels": self.to_frame().to_dict(orient="records"),
        }

    def __repr__(self) -> str:
        parts = ", ".join(f"{c}={s:,.0f}" for c, s in zip(self.channels, self.spend))
        return (
            f"Allocation(budget={self.budget:,.2f}, outcome={self.outcome:,.2f}, "
            f"{self.ratio_name}={self.ratio:.3g}, {parts})"
        )


def _items(text: str | None, channels: list[str], what: str, form: str) -> list[tuple[str, str]]:
    """Split ``"ch=value,ch2=value"`` into (channel, value) pairs, checking the names."""
    out = []
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise ConfigError(f"{what} {item!r} is malformed; write {form}")
        if name not in channels:
            raise ConfigError(f"{what} names unknown channel {name!r}; channels are {channels}")
        out.append((name, value.strip()))
    return out


def parse_bounds(text: str | None, channels: list[str]) -> dict[str, tuple[float, float]]:
    """Parse ``"ch=lo:hi,ch2=lo:"`` (either side may be empty) into a bounds mapping."""
    out: dict[str, tuple[float, float]] = {}
    form = "channel=lo:hi, e.g. tiktok=1000:5000"
    for name, rng in _items(text, channels, "bound", form):
        lo_s, sep, hi_s = rng.partition(":")
        if not sep:
            raise ConfigError(f"bound {name}={rng!r} is malformed; write {form}")
        try:
            lo = float(lo_s) if lo_s.strip() else 0.0
            hi = float(hi_s) if hi_s.strip() else math.inf
        except ValueError as exc:
            raise ConfigError(f"bound {name}={rng!r} has a non-numeric value; use numbers") from exc
        out[name] = (lo, hi)
    return out


def parse_amounts(text: str | None, channels: list[str], what: str = "amount") -> dict[str, float]:
    """Parse ``"ch=500,ch2=1000"`` (locked or minimum spends) into a mapping."""
    out: dict[str, float] = {}
    for name, value in _items(text, channels, what, "channel=amount, e.g. tv=500"):
        try:
            out[name] = float(value)
        except ValueError as exc:
            raise ConfigError(
                f"{what} {name}={value!r} is not a number; use e.g. {name}=500"
            ) from exc
    return out


class BudgetOptimizer:
    """Allocate a budget across the channels of a response model.

    Parameters
    ----------
    model : ResponseModel
        Any object with ``channels`` and ``response(spend)``.
    bounds : mapping, optional
        ``{channel: (lo, hi)}`` spend bounds over the horizon.
    locked : mapping, optional
        ``{channel: spend}``: channels whose spend is fixed.
    min_spend : mapping, optional
        ``{channel: spend}``: minimum spends (combined with ``bounds``).
    interval : float
        Interval mass for outcome intervals.

    Examples
    --------
    >>> from micromix.optimize import CurveResponse
    >>> m = CurveResponse.hill(["a", "b", "c"], vmax=[100, 80, 60], half=[10, 10, 10])
    >>> opt = BudgetOptimizer(m, locked={"c": 5.0}, min_spend={"b": 12.0})
    >>> a = opt.allocate(40.0)
    >>> float(a.spend[2]), bool(a.spend[1] >= 12.0)
    (5.0, True)
    """

    def __init__(
        self,
        model: ResponseModel,
        *,
        bounds: Mapping[str, tuple[float, float]] | None = None,
        locked: Mapping[str, float] | None = None,
        min_spend: Mapping[str, float] | None = None,
        interval: float = DEFAULT_INTERVAL,
    ) -> None:
        self.model = model
        self.bounds = dict(bounds or {})
        self.locked = dict(locked or {})
        self.min_spend = dict(min_spend or {})
        self.interval = interval

    # ------------------------------------------------------------------ setup
    def _limits(self, budget: float) -> tuple[np.ndarray, np.ndarray]:
        if not isinstance(self.model, ResponseModel):
            raise ConfigError(
                f"{type(self.model).__name__} is not a ResponseModel; it needs 'channels' and "
                "'response(spend)'"
            )
        channels = list(self.model.channels)
        for name, mapping in (
            ("bounds", self.bounds),
            ("locked", self.locked),
            ("min_spend", self.min_spend),
        ):
            unknown = sorted(set(mapping) - set(channels))
            if unknown:
                raise ConfigError(
                    f"{name} names unknown channel(s) {unknown}; channels are {channels}"
                )
        n = len(channels)
        lo = np.zeros(n)
        hi = np.full(n, float(budget))
        for i, c in enumerate(channels):
            if c in self.bounds:
                a, b = self.bounds[c]
                if a < 0 or b < a:
                    raise ConfigError(f"bounds for {c!r} are ({a}, {b}); need 0 <= lo <= hi")
                lo[i], hi[i] = a, min(b, budget)
            if c in self.min_spend:
                if self.min_spend[c] < 0:
                    raise ConfigError(f"min_spend for {c!r} is {self.min_spend[c]}; must be >= 0")
                lo[i] = max(lo[i], self.min_spend[c])
            if c in self.locked:
                v = float(self.locked[c])
                if v < 0:
                    raise ConfigError(f"locked spend for {c!r} is {v}; must be >= 0")
                lo[i] = hi[i] = v
            if lo[i] > hi[i]:
                raise ConfigError(
                    f"channel {c!r}: minimum {lo[i]:g} exceeds its maximum {hi[i]:g}; loosen its bounds"
                )
        if lo.sum() > budget * (1 + 1e-9):
            raise ConfigError(
                f"budget {budget:g} is below the sum of minimum / locked spends {lo.sum():g}; "
                "raise the budget or lower the minimums"
            )
        if hi.sum() < budget * (1 - 1e-9):
            raise ConfigError(
                f"budget {budget:g} exceeds the sum of channel maximums {hi.sum():g}; "
                "lower the budget or raise the bounds"
            )
        return lo, hi

    # ------------------------------------------------------------------ solve
    def allocate(self, budget: float) -> Allocation:
        """Best allocation of exactly ``budget`` (total over the model's horizon)."""
        from micromix.measurement.mmm import single_threaded_blas

        with single_threaded_blas():
            return self._allocate(budget)

    def _allocate(self, budget: float) -> Allocation:
        if not isinstance(budget, (int, float)) or not math.isfinite(budget) or budget <= 0:
            raise ConfigError(f"budget={budget!r} must be a positive number")
        budget = float(budget)
        lo, hi = self._limits(budget)
        model = self.model
        n = len(lo)
        free = hi - lo > 1e-12 * max(budget, 1.0)
        candidates: list[np.ndarray] = []
        self._sep = _separable(model)
        separable = self._sep is not None
        if separable:
            candidates.append(self._greedy(budget, lo, hi))
        cur = current_spend(model)
        if cur is not None and cur.shape == (n,) and np.sum(cur) > 0:
            candidates.append(_project(cur * budget / np.sum(cur), lo, hi, budget))
        candidates.append(_project(lo + (hi - lo) * 0.5, lo, hi, budget))
        best_x, best_v, converged = None, -math.inf, True
        for j, x0 in enumerate(candidates):
            if separable and j == 0:
                x, ok = self._refine_separable(x0, lo, hi, budget), True
            elif separable:
                continue
            else:
                x, ok = self._polish(x0, lo, hi, budget, free)
            for cand in (x, x0):
                v = _value(model, cand)
                if v > best_v:
                    best_x, best_v, converged = cand, v, ok
        assert best_x is not None
        return self._result(best_x, converged, {"budget": budget})

    def _per_channel(self, spend: np.ndarray) -> np.ndarray:
        """Per-channel outcome (separable models only) as a float array."""
        return np.asarray(self._sep(spend), dtype=np.float64)

    def _greedy(self, budget: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Exact optimum of the concave hull of tabulated per-channel curves."""
        n = len(lo)
        g = np.linspace(0.0, 1.0, GRID_POINTS)
        grid = lo[None, :] + g[:, None] * (hi - lo)[None, :]  # (G, n)
        knots = getattr(self.model, "breakpoints", None)
        if callable(knots):
            # piecewise-linear curves: put their kinks on the grid so the greedy step is exact
            cols = []
            for i, k in enumerate(knots()):
                k = np.asarray(k, float)
                cols.append(np.unique(np.r_[grid[:, i], k[(k > lo[i]) & (k < hi[i])]]))
            size = max(len(c) for c in cols)
            grid = np.column_stack([np.r_[c, np.full(size - len(c), c[-1])] for c in cols])
        vals = self._per_channel(grid)
        seg_slope, seg_len, seg_ch = [], [], []
        for i in range(n):
            if hi[i] - lo[i] <= 0:
                continue
            c, v = concave_hull(grid[:, i], vals[:, i])
            dc = np.diff(c)
            ok = dc > 0
            seg_slope.append(np.diff(v)[ok] / dc[ok])
            seg_len.append(dc[ok])
            seg_ch.append(np.full(ok.sum(), i))
        x = lo.copy()
        remaining = budget - lo.sum()
        if seg_slope:
            slope = np.concatenate(seg_slope)
            length = np.concatenate(seg_len)
            ch = np.concatenate(seg_ch)
            # within a channel the hull slopes decrease, so a stable sort keeps their order
            order = np.argsort(-slope, kind="stable")
            for j in order:
                if remaining <= 0:
                    break
                take = min(length[j], remaining)
                x[ch[j]] += take
                remaining -= take
        if remaining > 1e-9 * budget:
            x = _project(x + remaining / n, lo, hi, budget)
        return x

    def _refine_separable(
        self, xg: np.ndarray, lo: np.ndarray, hi: np.ndarray, budget: float
    ) -> np.ndarray:
        """Equalise marginal returns near the greedy solution (water-filling on derivatives).

        Three zoom levels: tabulate each channel's derivative on a fine local grid around the
        current point (one vectorised call), then bisect the common marginal return ``lam`` so
        that the spends sum to the budget.
        """
        k = 129
        t = np.linspace(0.0, 1.0, k)[:, None]
        step = (hi - lo) / (GRID_POINTS - 1)
        x = xg.copy()
        for _ in range(3):
            a = np.maximum(lo, x - 2 * step)
            b = np.minimum(hi, x + 2 * step)
            pts = a + t * (b - a)  # (k, n)
            h = np.maximum(1e-7 * np.maximum(np.abs(pts), 1.0), 1e-9 * max(budget, 1.0))
            up, down = pts + h, np.maximum(pts - h, 0.0)
            v = self._per_channel(np.concatenate([up, down]))
            d = (v[:k] - v[k:]) / (up - down)
            d = np.minimum.accumulate(d, axis=0)  # enforce decreasing marginal returns
            cols = np.arange(pts.shape[1])

            def x_of(lam: float, pts=pts, d=d, a=a, b=b, cols=cols) -> np.ndarray:
                c = (d >= lam).sum(axis=0)  # points whose marginal return beats lam
                i0 = np.clip(c - 1, 0, k - 1)
                i1 = np.clip(c, 0, k - 1)
                d0, d1 = d[i0, cols], d[i1, cols]
                frac = np.where(d0 > d1, (d0 - lam) / np.where(d0 > d1, d0 - d1, 1.0), 0.0)
                xi = pts[i0, cols] + np.clip(frac, 0, 1) * (pts[i1, cols] - pts[i0, cols])
                return np.where(c == 0, a, np.where(c >= k, b, xi))

            lam_lo, lam_hi = float(d.min()) - 1e-12, float(d.max()) + 1e-12
            for _ in range(100):
                lam = (lam_lo + lam_hi) / 2
                if x_of(lam).sum() > budget:
                    lam_lo = lam
                else:
                    lam_hi = lam
            x = _project(x_of((lam_lo + lam_hi) / 2), lo, hi, budget)
            step = 4 * step / (k - 1)
        return x

    def _polish(
        self, x0: np.ndarray, lo: np.ndarray, hi: np.ndarray, budget: float, free: np.ndarray
    ) -> tuple[np.ndarray, bool]:
        """SLSQP on the free channels in budget-scaled units."""
        if free.sum() <= 1:
            return x0, True
        model = self.model
        scale = budget
        idx = np.flatnonzero(free)
        base = x0.copy()
        f0 = max(abs(_value(model, x0)), 1e-12)

        def full(z: np.ndarray) -> np.ndarray:
            x = np.repeat(base[None, :], z.shape[0], axis=0) if z.ndim == 2 else base.copy()
            if z.ndim == 2:
                x[:, idx] = z * scale
            else:
                x[idx] = z * scale
            return x

        h = 1e-7

        def fg(z: np.ndarray) -> tuple[float, np.ndarray]:
            pts = np.repeat(z[None, :], len(z) + 1, axis=0)
            pts[1:] += h * np.eye(len(z))
            vals = np.asarray(model.response(full(pts)), float) / f0
            return -float(vals[0]), -(vals[1:] - vals[0]) / h

        z0 = x0[idx] / scale
        target = (budget - base[~free].sum()) / scale
        res = optimize.minimize(
            fg,
            z0,
            jac=True,
            method="SLSQP",
            bounds=list(zip(lo[idx] / scale, hi[idx] / scale)),
            constraints=[
                {
                    "type": "eq",
                    "fun": lambda z: z.sum() - target,
                    "jac": lambda z: np.ones_like(z),
                }
            ],
            options={"maxiter": 500, "ftol": 1e-12},
        )
        x = base.copy()
        x[idx] = res.x * scale
        x = _project(x, lo, hi, budget)
        return x, bool(res.success)

    def _result(self, x: np.ndarray, converged: bool, info: dict[str, Any]) -> Allocation:
        model = self.model
        kind = _outcome_kind(model)
        # a solver's residue (1e-7 on a channel it gives nothing) is nothing; it moves to the
        # largest channel, so the total stays the budget, and only where no bound needs it
        lo, _ = self._limits(float(x.sum()))
        dust = (x < 1e-9 * max(float(x.sum()), 1.0)) & (lo == 0) & (x > 0)
        if dust.any():
            x = x.copy()
            x[int(np.argmax(x))] += float(x[dust].sum())
            x[dust] = 0.0
        outcome = _value(model, x)
        if getattr(self, "_sep", None) is not None:
            per = self._per_channel(x)
        else:
            per = np.full(len(x), np.nan)
        h = 1e-4 * max(float(x.sum()), 1.0) / len(x)
        pts = np.repeat(x[None, :], len(x) + 1, axis=0)
        pts[1:] += h * np.eye(len(x))
        vals = np.asarray(model.response(pts), float)
        marginal = (vals[1:] - vals[0]) / h
        lo_v, hi_v = _draw_interval(model, x, self.interval)
        return Allocation(
            channels=list(model.channels),
            spend=x,
            outcome=outcome,
            channel_outcome=per,
            marginal=marginal,
            outcome_kind=kind,
            outcome_lo=lo_v,
            outcome_hi=hi_v,
            converged=converged,
            info=info,
            evidence=channel_evidence(model),
        )

    # ------------------------------------------------------------------ targets
    def budget_for_target(
        self,
        *,
        target_roas: float | None = None,
        target_cpa: float | None = None,
        max_budget: float | None = None,
        tol: float = 1e-3,
    ) -> Allocation:
        """Largest budget whose optimal allocation still meets a target ROAS or CPA.

        ROAS (revenue / spend) falls and CPA (spend / conversions) rises as the budget grows
        on concave curves, so the search is a bisection on the budget.
        """
        if (target_roas is None) == (target_cpa is None):
            raise ConfigError("give exactly one of target_roas or target_cpa")
        target = target_roas if target_roas is not None else target_cpa
        if target is None or not math.isfinite(target) or target <= 0:
            raise ConfigError(f"target={target!r} must be a positive number")
        kind = _outcome_kind(self.model)
        want = "revenue" if target_roas is not None else "conversions"
        if kind != want:
            raise ConfigError(
                f"target_{'roas' if want == 'revenue' else 'cpa'} needs a model of {want}, but this "
                f"model predicts {kind}; use target_{'cpa' if kind == 'conversions' else 'roas'}"
            )

        def meets(a: Allocation) -> bool:
            if target_roas is not None:
                return a.ratio >= target_roas
            return a.ratio <= float(target_cpa)  # type: ignore[arg-type]

        if max_budget is None:
            cur = current_spend(self.model)
            base = float(np.sum(cur)) if cur is not None and np.sum(cur) > 0 else 1.0
            max_budget = 20 * base
        floor, _ = self._limits(float(max_budget))
        lo_b = max(float(floor.sum()), 1e-6 * max_budget)
        a_lo = self.allocate(lo_b)
        if not meets(a_lo):
            raise ModelError(
                f"even the smallest budget ({lo_b:g}) misses the target ({a_lo.ratio_name} "
                f"{a_lo.ratio:.3g} vs {target:g}); lower the target"
            )
        a_hi = self.allocate(max_budget)
        if meets(a_hi):
            a_hi.info["note"] = "target met at max_budget; raise max_budget to search further"
            return a_hi
        lo, hi, best = lo_b, float(max_budget), a_lo
        while (hi - lo) > tol * hi:
            mid = math.sqrt(lo * hi) if lo > 0 else (lo + hi) / 2
            a = self.allocate(mid)
            if meets(a):
                lo, best = mid, a
            else:
                hi = mid
        best.info["target"] = {"roas" if target_roas is not None else "cpa": target}
        return best


def _value(model: Any, spend: np.ndarray) -> float:
    """``model.response`` of one allocation as a float (accepts shape () or (1,) results)."""
    return float(np.asarray(model.response(spend), dtype=np.float64).reshape(-1)[0])


def _separable(model: Any) -> Any:
    """A vectorised ``spend (..., n) -> (..., n)`` per-channel function, or ``None``.

    Accepts ``channel_response(spend)`` as in the protocol, and also the per-channel form
    ``channel_response(channel, spend)``.
    """
    fn = getattr(model, "channel_response", None)
    if fn is None:
        return None
    channels = list(model.channels)
    probe = np.ones((2, len(channels)))
    try:
        out = np.asarray(fn(probe), dtype=np.float64)
        if out.shape == probe.shape:
            return fn
    except (TypeError, ValueError, IndexError):
        pass
    try:
        one = np.asarray(fn(channels[0], probe[:, 0]), dtype=np.float64)
    except (TypeError, ValueError, IndexError):
        return None
    if one.shape != (2,):
        return None

    def per_channel(spend: np.ndarray) -> np.ndarray:
        s = np.asarray(spend, dtype=np.float64)
        return np.stack([np.asarray(fn(c, s[..., i])) for i, c in enumerate(channels)], axis=-1)

    return per_channel


def channel_evidence(model: Any) -> list[str] | None:
    """The model's ``channel_evidence`` (one label per channel, attribute or method), or
    ``None`` when it has none (known curves, uplift curves)."""
    ev = getattr(model, "channel_evidence", None)
    if callable(ev):
        ev = ev()
    if ev is None:
        return None
    labels = [str(v) for v in ev]
    if len(labels) != len(list(model.channels)):
        raise ModelError(
            f"{type(model).__name__}.channel_evidence has {len(labels)} labels for "
            f"{len(list(model.channels))} channels; give one per channel"
        )
    return labels


def current_spend(model: Any) -> np.ndarray | None:
    """The model's current allocation as an array (attribute, method or dict), or ``None``."""
    cur = getattr(model, "current_spend", None)
    if callable(cur):
        cur = cur()
    if cur is None:
        return None
    if isinstance(cur, dict):
        return as_spend_array(model, cur)
    return np.asarray(cur, dtype=np.float64)


def _draw_interval(model: Any, x: np.ndarray, interval: float) -> tuple[float, float]:
    if not hasattr(model, "response_draws"):
        return math.nan, math.nan
    draws = np.asarray(model.response_draws(x), float).ravel()
    if draws.size < 2:
        return math.nan, math.nan
    a = (1 - interval) / 2
    return float(np.quantile(draws, a)), float(np.quantile(draws, 1 - a))


def _project(v: np.ndarray, lo: np.ndarray, hi: np.ndarray, budget: float) -> np.ndarray:
    """Euclidean projection onto ``{lo <= x <= hi, sum(x) = budget}`` (bisection on a shift)."""
    a, b = float((v - hi).min()) - 1.0, float((v - lo).max()) + 1.0
    for _ in range(200):
        tau = (a + b) / 2
        s = np.clip(v - tau, lo, hi).sum()
        if s > budget:
            a = tau
        else:
            b = tau
        if b - a < 1e-13 * max(1.0, abs(budget)):
            break
    x = np.clip(v - (a + b) / 2, lo, hi)
    # absorb the rounding residue in the channel with the most room, so the sum is exact
    gap = budget - float(x.sum())
    room = (hi - x) if gap > 0 else (x - lo)
    j = int(np.argmax(room))
    x[j] += np.sign(gap) * min(abs(gap), float(room[j]))
    return x


def compare_scenarios(
    model: ResponseModel,
    scenarios: Mapping[str, Any],
    *,
    interval: float = DEFAULT_INTERVAL,
) -> pd.DataFrame:
    """Expected outcome (with interval when the model has draws) of named allocations.

    Parameters
    ----------
    model : ResponseModel
    scenarios : mapping
        ``{name: allocation}`` where an allocation is a dict ``{channel: spend}``, an array in
        ``model.channels`` order, or an :class:`Allocation`.

    Returns
    -------
    DataFrame
        One row per scenario: ``scenario, spend, outcome, outcome_lo, outcome_hi,
        roas|cpa, delta_vs_first`` and one ``spend_<channel>`` column per channel.
    """
    kind = _outcome_kind(model)
    ratio_name = "cpa" if kind == "conversions" else "roas"
    rows = []
    first = None
    for name, alloc in scenarios.items():
        x = alloc.spend if isinstance(alloc, Allocation) else as_spend_array(model, alloc)
        x = np.asarray(x, float)
        out = _value(model, x)
        lo, hi = _draw_interval(model, x, interval)
        first = out if first is None else first
        row = {
            "scenario": name,
            "spend": float(x.sum()),
            "outcome": out,
            "outcome_lo": lo,
            "outcome_hi": hi,
            ratio_name: _ratio(out, float(x.sum()), kind),
            "delta_vs_first": out - first,
        }
        row.update({f"spend_{c}": float(s) for c, s in zip(model.channels, x)})
        rows.append(row)
    return pd.DataFrame(rows)
