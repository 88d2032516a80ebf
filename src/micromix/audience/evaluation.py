"""Evaluating uplift models: Qini curve and coefficient, AUUC, uplift@k, bootstrap intervals.

One definition, used everywhere in micromix
-------------------------------------------
Sort people by predicted uplift, highest first; people with tied scores enter together. After
the first ``n`` people, with ``N_T(n), N_C(n)`` treated and control people and ``Y_T(n),
Y_C(n)`` their summed outcomes:

* **Qini curve** ``Q(n) = Y_T(n) - Y_C(n) * N_T(n) / N_C(n)`` — incremental outcomes among
  the first ``n`` (Radcliffe 2007), ``Q(0) = 0``; the *random* line joins ``(0, 0)`` to
  ``(N, Q(N))``.
* **Qini coefficient** (:func:`qini_coefficient`): the area between the Qini curve and the
  random line (trapezoid rule), divided by the same area for the *perfect* ranking (treated
  responders first, control responders last, score ``y * t - y * (1 - t)``). 1 is perfect,
  0 is random, negative is worse than random. This equals ``sklift.metrics.qini_auc_score``
  with ``negative_effect=True``.
* **Qini area** (:func:`qini_area`): the same area, unnormalised, with ``n`` measured as a
  fraction of people: "average extra incremental outcomes per person over random targeting".
  causalml's ``qini_score(normalize=False)`` computes this average over rows (a Riemann sum,
  no tie grouping); with ``normalize=True`` it divides by ``|Q(N)|``. For untied scores the
  two agree to O(1/N).
* **Uplift curve** ``U(n) = (Y_T(n)/N_T(n) - Y_C(n)/N_C(n)) * n`` and **AUUC**
  (:func:`auuc`): area between ``U`` and its random line over that of the perfect ranking,
  equal to ``sklift.metrics.uplift_auc_score``. (causalml's ``auuc_score`` is instead the
  unnormalised mean of its cumulative-gain curve divided by the last gain, so the numbers are
  not comparable across the two libraries.)
* **uplift@k** (:func:`uplift_at_k`): among the top ``int(k * N)`` people, the treated mean
  minus the control mean (sklift's ``strategy="overall"``).

Quickstart
----------
>>> import numpy as np
>>> from micromix.audience.evaluation import qini_coefficient
>>> y = np.array([1, 0, 1, 0, 0, 1]); t = np.array([1, 1, 0, 0, 1, 0])
>>> round(qini_coefficient(y, np.array([.9, .1, .2, .3, .5, .1]), t), 3)
0.769
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from micromix.audience._prep import coerce_outcome, split_treatment
from micromix.audience.learners import UpliftLearner, get_learner
from micromix.errors import ConfigError, DataValidationError

__all__ = [
    "CrossValidationResult",
    "auuc",
    "bootstrap_scores",
    "cross_validate_uplift",
    "evaluate_scores",
    "evaluate_uplift",
    "qini_area",
    "qini_coefficient",
    "qini_curve",
    "select_learner",
    "uplift_at_k",
    "uplift_curve",
    "uplift_splits",
]

METRICS: tuple[str, ...] = ("qini", "qini_area", "auuc", "uplift_at_k")


def _arrays(y: Any, uplift: Any, treatment: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    yv = np.asarray(y, dtype=float)
    u = np.asarray(uplift, dtype=float)
    t = np.asarray(treatment)
    if t.dtype.kind not in "biuf":
        t = (np.asarray([str(v).strip().lower() for v in t]) != "0").astype(float)
    t = t.astype(float)
    if not (len(yv) == len(u) == len(t)):
        raise DataValidationError(
            f"y, uplift and treatment must have the same length, got {len(yv)}, {len(u)}, {len(t)}"
        )
    if len(yv) == 0:
        raise DataValidationError("cannot evaluate uplift on zero rows")
    if not set(np.unique(t).tolist()) <= {0.0, 1.0}:
        raise DataValidationError("treatment must be 0/1 for evaluation (1 = treated)")
    if np.isnan(u).any():
        raise DataValidationError("predicted uplift holds NaN values; score every row first")
    return yv, u, t


class _Sorted:
    """Rows sorted by a score (descending) with tie-group ends, reusable across bootstraps."""

    def __init__(self, score: np.ndarray, y: np.ndarray, t: np.ndarray) -> None:
        order = np.argsort(score, kind="mergesort")[::-1]
        self.order = order
        s = score[order]
        self.y = y[order]
        self.t = t[order]
        self.ends = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]

    def sums(self, w: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """Cumulative (n, n_t, y_t, y_c) at each tie-group end, prefixed by zeros."""
        wt = self.t if w is None else self.t * w
        wc = (1 - self.t) if w is None else (1 - self.t) * w
        n_t = np.cumsum(wt)[self.ends]
        n_c = np.cumsum(wc)[self.ends]
        y_t = np.cumsum(wt * self.y)[self.ends]
        y_c = np.cumsum(wc * self.y)[self.ends]
        z = np.zeros(1)
        return (np.r_[z, n_t + n_c], np.r_[z, n_t], np.r_[z, n_c], np.r_[z, y_t], np.r_[z, y_c])


def _qini_values(
    n: np.ndarray, n_t: np.ndarray, n_c: np.ndarray, y_t: np.ndarray, y_c: np.ndarray
) -> np.ndarray:
    ratio = np.divide(n_t, n_c, out=np.zeros_like(n_t), where=n_c != 0)
    return y_t - y_c * ratio


def _uplift_values(
    n: np.ndarray, n_t: np.ndarray, n_c: np.ndarray, y_t: np.ndarray, y_c: np.ndarray
) -> np.ndarray:
    mt = np.divide(y_t, n_t, out=np.zeros_like(y_t), where=n_t != 0)
    mc = np.divide(y_c, n_c, out=np.zeros_like(y_c), where=n_c != 0)
    return (mt - mc) * n


def _area_above_random(n: np.ndarray, q: np.ndarray) -> float:
    """Trapezoid area between a curve and the chord from (0, 0) to its last point."""
    return float(np.trapezoid(q, n) - 0.5 * n[-1] * q[-1])


def _perfect_score(y: np.ndarray, t: np.ndarray, kind: str) -> np.ndarray:
    if kind == "qini":
        return y * t - y * (1 - t)
    cr = np.sum((y == 1) & (t == 0))
    tn = np.sum((y == 0) & (t == 1))
    summand = y if cr > tn else t
    return 2 * (y == t) + summand


def qini_curve(y: Any, uplift: Any, treatment: Any) -> pd.DataFrame:
    """The Qini curve at every distinct score threshold.

    Returns
    -------
    DataFrame
        ``n`` (people targeted), ``fraction``, ``qini`` (incremental outcomes among them)
        and ``random`` (the random-targeting line).
    """
    yv, u, t = _arrays(y, uplift, treatment)
    n, n_t, n_c, y_t, y_c = _Sorted(u, yv, t).sums()
    q = _qini_values(n, n_t, n_c, y_t, y_c)
    return pd.DataFrame({"n": n, "fraction": n / n[-1], "qini": q, "random": q[-1] * n / n[-1]})


def uplift_curve(y: Any, uplift: Any, treatment: Any) -> pd.DataFrame:
    """The uplift curve ``(mean_T - mean_C) * n`` at every distinct score threshold."""
    yv, u, t = _arrays(y, uplift, treatment)
    n, n_t, n_c, y_t, y_c = _Sorted(u, yv, t).sums()
    v = _uplift_values(n, n_t, n_c, y_t, y_c)
    return pd.DataFrame({"n": n, "fraction": n / n[-1], "uplift": v, "random": v[-1] * n / n[-1]})


def _normalised(
    model: _Sorted,
    perfect: _Sorted,
    fn: Any,
    wm: np.ndarray | None = None,
    wp: np.ndarray | None = None,
) -> float:
    """Area above random of ``model`` over that of ``perfect`` (optionally weighted)."""
    n, *rest = model.sums(wm)
    a = _area_above_random(n, fn(n, *rest))
    n_p, *rest_p = perfect.sums(wp)
    ap = _area_above_random(n_p, fn(n_p, *rest_p))
    return a / ap if ap != 0 else float("nan")


def qini_coefficient(y: Any, uplift: Any, treatment: Any) -> float:
    """Normalised Qini coefficient (see the module docstring; equals sklift's
    ``qini_auc_score``)."""
    yv, u, t = _arrays(y, uplift, treatment)
    return _normalised(
        _Sorted(u, yv, t), _Sorted(_perfect_score(yv, t, "qini"), yv, t), _qini_values
    )


def qini_area(y: Any, uplift: Any, treatment: Any) -> float:
    """Area between the Qini curve and the random line, with x as a fraction of people."""
    yv, u, t = _arrays(y, uplift, treatment)
    n, *rest = _Sorted(u, yv, t).sums()
    return _area_above_random(n / n[-1], _qini_values(n, *rest))


def auuc(y: Any, uplift: Any, treatment: Any) -> float:
    """Normalised area under the uplift curve (equals sklift's ``uplift_auc_score``)."""
    yv, u, t = _arrays(y, uplift, treatment)
    return _normalised(
        _Sorted(u, yv, t), _Sorted(_perfect_score(yv, t, "auuc"), yv, t), _uplift_values
    )


def uplift_at_k(y: Any, uplift: Any, treatment: Any, k: float = 0.3) -> float:
    """Treated minus control mean outcome among the top ``int(k * N)`` people."""
    yv, u, t = _arrays(y, uplift, treatment)
    if not 0 < k < 1:
        raise ConfigError(f"k must be a fraction in (0, 1), got {k}")
    top = np.argsort(u, kind="mergesort")[::-1][: max(1, int(len(u) * k))]
    yt, tt = yv[top], t[top]
    if tt.sum() == 0 or tt.sum() == len(tt):
        return float("nan")
    return float(yt[tt == 1].mean() - yt[tt == 0].mean())


def evaluate_uplift(y: Any, uplift: Any, treatment: Any, *, k: float = 0.3) -> dict[str, float]:
    """All metrics of the module docstring in one dict."""
    return {
        "qini": qini_coefficient(y, uplift, treatment),
        "qini_area": qini_area(y, uplift, treatment),
        "auuc": auuc(y, uplift, treatment),
        "uplift_at_k": uplift_at_k(y, uplift, treatment, k),
    }


def _boot_one(
    model: _Sorted,
    perf_q: _Sorted,
    perf_u: _Sorted,
    n_top: int,
    w_model: np.ndarray,
    w_perf_q: np.ndarray,
    w_perf_u: np.ndarray,
) -> dict[str, float]:
    """Every metric for one resample given as weights in each ranking's order."""
    q = _normalised(model, perf_q, _qini_values, w_model, w_perf_q)
    n, *rest = model.sums(w_model)
    area = _area_above_random(n / n[-1], _qini_values(n, *rest))
    a = _normalised(model, perf_u, _uplift_values, w_model, w_perf_u)
    wk, tk, yk = w_model[:n_top], model.t[:n_top], model.y[:n_top]
    nt, nc = np.sum(wk * tk), np.sum(wk * (1 - tk))
    uk = float("nan")
    if nt > 0 and nc > 0:
        uk = np.sum(wk * tk * yk) / nt - np.sum(wk * (1 - tk) * yk) / nc
    return {"qini": q, "qini_area": area, "auuc": a, "uplift_at_k": float(uk)}


def _boot_draws(
    y: np.ndarray,
    u: np.ndarray,
    t: np.ndarray,
    *,
    n_bootstrap: int,
    k: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Metrics on ``n_bootstrap`` row resamples (multinomial weights, one sort per ranking)."""
    model = _Sorted(u, y, t)
    perf_q = _Sorted(_perfect_score(y, t, "qini"), y, t)
    perf_u = _Sorted(_perfect_score(y, t, "auuc"), y, t)
    n_top = max(1, int(len(u) * k))
    rows = []
    n = len(y)
    for _ in range(n_bootstrap):
        w = rng.multinomial(n, np.full(n, 1.0 / n)).astype(float)
        rows.append(
            _boot_one(
                model, perf_q, perf_u, n_top, w[model.order], w[perf_q.order], w[perf_u.order]
            )
        )
    return pd.DataFrame(rows, columns=list(METRICS))


def bootstrap_scores(
    y: Any,
    uplift: Any,
    treatment: Any,
    *,
    n_bootstrap: int = 200,
    k: float = 0.3,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Point estimates and percentile bootstrap intervals of every metric.

    Returns
    -------
    DataFrame
        ``metric, estimate, low, high`` (a ``1 - alpha`` interval over row resamples).
    """
    yv, u, t = _arrays(y, uplift, treatment)
    if n_bootstrap < 10:
        raise ConfigError(f"n_bootstrap must be >= 10, got {n_bootstrap}")
    point = evaluate_uplift(yv, u, t, k=k)
    draws = _boot_draws(yv, u, t, n_bootstrap=n_bootstrap, k=k, rng=np.random.default_rng(seed))
    lo, hi = draws.quantile(alpha / 2), draws.quantile(1 - alpha / 2)
    return pd.DataFrame(
        {
            "metric": list(METRICS),
            "estimate": [point[m] for m in METRICS],
            "low": [lo[m] for m in METRICS],
            "high": [hi[m] for m in METRICS],
        }
    )


def uplift_splits(
    treatment: Any, y: Any, *, n_splits: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified (treatment x outcome) K-fold splits, shared by learners and benchmarks."""
    from sklearn.model_selection import StratifiedKFold

    if n_splits < 2:
        raise ConfigError(f"n_splits must be >= 2, got {n_splits}")
    yv = np.asarray(y, dtype=float)
    strat_y = yv if len(np.unique(yv)) <= 2 else (yv > 0).astype(float)
    strata = pd.Series(np.asarray(treatment)).astype(str).to_numpy() + "|" + strat_y.astype(str)
    skf = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [(tr, te) for tr, te in skf.split(np.zeros(len(strata)), strata)]


@dataclass
class CrossValidationResult:
    """Out-of-fold metrics of one learner.

    Attributes
    ----------
    folds : DataFrame
        One row per (fold, arm) with every metric.
    summary : DataFrame
        Per arm and metric: the mean over folds and a bootstrap interval of that mean.
    oof : DataFrame
        Out-of-fold predicted uplift (``uplift`` or ``uplift_<arm>``) for every row.
    """

    learner: str
    folds: pd.DataFrame
    summary: pd.DataFrame
    oof: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        return {
            "learner": self.learner,
            "summary": self.summary.to_dict(orient="records"),
            "folds": self.folds.to_dict(orient="records"),
        }

    def __repr__(self) -> str:
        return f"CrossValidationResult(learner={self.learner!r})\n{self.summary.to_string()}"


def cross_validate_uplift(
    learner: str | UpliftLearner,
    X: Any,
    treatment: Any,
    y: Any,
    *,
    n_splits: int = 5,
    seed: int = 0,
    k: float = 0.3,
    n_bootstrap: int = 100,
    alpha: float = 0.05,
    control: Any = None,
    splits: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    **params: Any,
) -> CrossValidationResult:
    """K-fold out-of-fold evaluation with bootstrap intervals over the splits.

    The interval of each metric comes from resampling rows inside every held-out fold and
    averaging the metric over folds, ``n_bootstrap`` times.
    """
    Xf = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    Xf = Xf.reset_index(drop=True)
    labels, ctrl, arms = split_treatment(treatment, control)
    yv, _ = coerce_outcome(y)
    if splits is None:
        splits = uplift_splits(labels, yv, n_splits=n_splits, seed=seed)
    proto = get_learner(learner, **params) if isinstance(learner, str) else learner
    name = proto.lookup_name
    cols = ["uplift"] if len(arms) == 1 else [f"uplift_{a}" for a in arms]
    oof = pd.DataFrame(np.nan, index=Xf.index, columns=cols)
    fold_rows, boot_frames = [], []
    rng = np.random.default_rng(seed)
    for i, (tr, te) in enumerate(splits):
        model = type(proto)(**{**proto.get_params(), "control": ctrl})
        model.fit(Xf.iloc[tr], labels[tr], yv[tr])
        pred = model.predict_frame(Xf.iloc[te])
        oof.iloc[te] = pred[cols].to_numpy()
        for arm, col in zip(arms, cols):
            mask = (labels[te] == ctrl) | (labels[te] == arm)
            ya, ua = yv[te][mask], pred[col].to_numpy()[mask]
            ta = (labels[te][mask] == arm).astype(float)
            fold_rows.append({"fold": i, "arm": arm, **evaluate_uplift(ya, ua, ta, k=k)})
            draws = _boot_draws(ya, ua, ta, n_bootstrap=n_bootstrap, k=k, rng=rng)
            draws["arm"] = arm
            draws["draw"] = np.arange(len(draws))
            boot_frames.append(draws)
    folds = pd.DataFrame(fold_rows)
    boot = pd.concat(boot_frames).groupby(["arm", "draw"])[list(METRICS)].mean()
    rows = []
    for arm in arms:
        b = boot.loc[arm]
        f = folds[folds["arm"] == arm]
        for m in METRICS:
            rows.append(
                {
                    "arm": arm,
                    "metric": m,
                    "mean": float(f[m].mean()),
                    "std": float(f[m].std(ddof=1)) if len(f) > 1 else float("nan"),
                    "low": float(b[m].quantile(alpha / 2)),
                    "high": float(b[m].quantile(1 - alpha / 2)),
                }
            )
    return CrossValidationResult(name, folds, pd.DataFrame(rows), oof)


def select_learner(
    X: Any,
    treatment: Any,
    y: Any,
    *,
    candidates: Sequence[str] = ("t", "x", "dr", "ct", "s"),
    n_splits: int = 3,
    seed: int = 0,
    control: Any = None,
    **params: Any,
) -> tuple[str, pd.DataFrame]:
    """Pick the learner with the best mean out-of-fold Qini coefficient.

    Returns
    -------
    best : str
        Lookup name of the winner.
    table : DataFrame
        ``learner, qini, qini_low, qini_high`` sorted best first.
    """
    labels, ctrl, _ = split_treatment(treatment, control)
    yv, _ = coerce_outcome(y)
    splits = uplift_splits(labels, yv, n_splits=n_splits, seed=seed)
    rows = []
    for name in candidates:
        res = cross_validate_uplift(
            name, X, labels, yv, splits=splits, seed=seed, n_bootstrap=20, control=ctrl, **params
        )
        s = res.summary[res.summary["metric"] == "qini"]
        rows.append(
            {
                "learner": name,
                "qini": float(s["mean"].mean()),
                "qini_low": float(s["low"].mean()),
                "qini_high": float(s["high"].mean()),
            }
        )
    table = pd.DataFrame(rows).sort_values("qini", ascending=False, ignore_index=True)
    return str(table["learner"].iloc[0]), table


def evaluate_scores(
    scores: pd.DataFrame,
    *,
    treatment: str,
    outcome: str,
    control: Any = None,
    uplift_col: str | None = None,
    k: float = 0.3,
    n_bootstrap: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Metrics with bootstrap intervals for the uplift column(s) of a scored held-out file.

    Each ``uplift_<arm>`` column is evaluated on the rows of that arm and the control group;
    rows with an empty uplift (people who may not be profiled) are left out.
    """
    for col in (treatment, outcome):
        if col not in scores.columns:
            raise DataValidationError(
                f"scores have no column '{col}'; columns: {', '.join(map(str, scores.columns[:20]))}"
            )
    labels, ctrl, arms = split_treatment(scores[treatment], control, column=treatment)
    y, _ = coerce_outcome(scores[outcome], column=outcome)
    if uplift_col is not None:
        cols = [uplift_col]
    elif "uplift" in scores.columns:
        cols = ["uplift"]
    else:
        cols = [f"uplift_{a}" for a in arms]
    frames = []
    for col in cols:
        if col not in scores.columns:
            raise DataValidationError(
                f"scores have no uplift column '{col}'; pass the uplift column to evaluate"
            )
        u = pd.to_numeric(scores[col], errors="coerce").to_numpy(dtype=float)
        arm = col[len("uplift_") :] if col.startswith("uplift_") else None
        rows = (labels == ctrl) | (labels == arm) if arm in arms else np.ones(len(u), bool)
        rows = rows & ~np.isnan(u)
        t = (labels[rows] != ctrl).astype(float)
        res = bootstrap_scores(y[rows], u[rows], t, n_bootstrap=n_bootstrap, k=k, seed=seed)
        res.insert(0, "uplift_column", col)
        frames.append(res)
    return pd.concat(frames, ignore_index=True)
