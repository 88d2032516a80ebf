"""Uplift learners: S-, T-, X-, DR-learner and class transformation.

Every learner is a scikit-learn style estimator with ``fit(X, treatment, y)``: hyperparameters
are keyword-only, ``fit`` returns ``self`` and learned state ends in ``_``. The base models are
LightGBM gradient boosting (``base="lightgbm"``, the default) or linear models
(``base="linear"``: logistic regression for binary outcomes, ridge for continuous ones).
Outcomes may be binary (visit, conversion) or continuous (spend). A treatment column with
several arms gives one uplift per arm, each against the shared control group.

Quickstart
----------
>>> from micromix.audience.datasets import make_uplift_data
>>> from micromix.audience.learners import get_learner
>>> df = make_uplift_data(n=2000, seed=1)
>>> X = df[[c for c in df.columns if c.startswith("x")]]
>>> model = get_learner("t", n_estimators=30).fit(X, df["treatment"], df["y"])
>>> model.predict(X).shape
(2000,)
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from micromix.audience._prep import (
    FeatureEncoder,
    coerce_outcome,
    normalize_label,
    split_treatment,
)
from micromix.errors import ConfigError, DataValidationError, ModelError, NotFittedError
from micromix.estimator import Estimator
from micromix.registry import Registry

__all__ = [
    "BASE_MODELS",
    "LEARNERS",
    "ClassTransformationLearner",
    "DRLearner",
    "SLearner",
    "TLearner",
    "UpliftLearner",
    "XLearner",
    "get_learner",
    "learner_from_dict",
    "learner_names",
    "register_learner",
]

#: allowed values of the ``base`` hyperparameter
BASE_MODELS: tuple[str, ...] = ("lightgbm", "linear")
_OUTCOMES = ("auto", "binary", "continuous")
_THREADS_FROM_ROWS = 100_000
#: the uplift learners by lookup name (``s``, ``t``, ``x``, ``dr``, ``ct``)
LEARNERS: Registry[UpliftLearner] = Registry("uplift learner")


def register_learner(cls: type[UpliftLearner]) -> type[UpliftLearner]:
    """Class decorator adding an uplift learner to :data:`LEARNERS` under its ``lookup_name``."""
    return LEARNERS.register(cls)


def learner_names() -> list[str]:
    """Lookup names of the registered learners (``s``, ``t``, ``x``, ``dr``, ``ct``)."""
    return LEARNERS.names()


def get_learner(name: str, **params: Any) -> UpliftLearner:
    """A new learner by lookup name, e.g. ``get_learner("x", base="linear")``."""
    return LEARNERS.create(name, **params)


def learner_from_dict(d: dict[str, Any]) -> UpliftLearner:
    """Rebuild an (unfitted) learner from :meth:`UpliftLearner.to_dict` output."""
    if "learner" not in d:
        raise ConfigError("learner dict needs a 'learner' key naming the learner")
    return get_learner(d["learner"], **dict(d.get("params", {})))


class _Encoded:
    """Numeric matrix fast path: float arrays skip the DataFrame encoder."""

    def __init__(self) -> None:
        self.encoder: FeatureEncoder | None = None
        self.n_features = 0
        self.names: list[str] = []

    def fit_transform(self, X: Any) -> np.ndarray:
        if isinstance(X, np.ndarray) and X.dtype.kind in "fiub":
            if X.ndim != 2:
                raise DataValidationError(f"X must be 2-dimensional, got shape {X.shape}")
            self.n_features = X.shape[1]
            self.names = [f"x{i}" for i in range(X.shape[1])]
            return np.asarray(X, dtype=np.float32)
        self.encoder = FeatureEncoder().fit(X)
        self.names = list(self.encoder.numeric_) + list(self.encoder.categorical_)
        out = self.encoder.transform(X)
        self.n_features = len(self.names)
        return out

    def transform(self, X: Any) -> np.ndarray:
        if self.encoder is None:
            arr = np.asarray(X, dtype=np.float32)
            if arr.ndim != 2 or arr.shape[1] != self.n_features:
                raise DataValidationError(
                    f"X has shape {arr.shape}; the model was fitted on {self.n_features} feature(s)"
                )
            return arr
        return self.encoder.transform(X)


class UpliftLearner(Estimator):
    """Base class of the uplift learners (see the module docstring).

    Parameters
    ----------
    base : {"lightgbm", "linear"}
        Family of the underlying outcome / effect models.
    outcome : {"auto", "binary", "continuous"}
        Outcome type; ``auto`` calls 0/1 outcomes binary and anything else continuous.
    control : optional
        Control value of the treatment column; ``None`` recognises ``0``, ``No``, ``False``,
        ``control``...
    n_estimators, learning_rate, num_leaves, min_child_samples : LightGBM settings.
    alpha : float
        Regularisation of the linear base (inverse C for logistic, alpha for ridge).
    random_state : int
        Seed of every model.
    n_jobs : int or None
        Threads for LightGBM (``None``: one thread below 100,000 rows, LightGBM's default
        above).
    """

    lookup_name: ClassVar[str] = ""

    def __init__(
        self,
        *,
        base: str = "lightgbm",
        outcome: str = "auto",
        control: Any = None,
        n_estimators: int = 100,
        learning_rate: float = 0.05,
        num_leaves: int = 15,
        min_child_samples: int = 100,
        alpha: float = 1.0,
        random_state: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.base = base
        self.outcome = outcome
        self.control = control
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.alpha = alpha
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- parameters (get_params / set_params / clone: micromix.estimator.Estimator) ----
    def set_params(self, **params: Any) -> UpliftLearner:
        """Set hyperparameters; an unknown name is one :class:`ConfigError` sentence."""
        allowed = self.get_params(deep=False)
        for k in params:
            if k not in allowed:
                raise ConfigError(
                    f"unknown parameter {k!r} for {type(self).__name__}; allowed: "
                    f"{', '.join(allowed)}"
                )
        super().set_params(**params)
        return self

    def to_dict(self) -> dict[str, Any]:
        """``{"learner": lookup_name, "params": {...}}``; inverse of :func:`learner_from_dict`."""
        params = self.get_params()
        if params["control"] is not None:
            params["control"] = normalize_label(params["control"])
        return {"learner": self.lookup_name, "params": params}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UpliftLearner:
        return learner_from_dict(d)

    def __repr__(self) -> str:
        defaults = type(self)().get_params()
        changed = {k: v for k, v in self.get_params().items() if defaults.get(k) != v}
        inner = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"{type(self).__name__}({inner})"

    def _validate(self) -> None:
        if self.base not in BASE_MODELS:
            raise ConfigError(
                f"base={self.base!r} is not supported; choose one of {', '.join(BASE_MODELS)}"
            )
        if self.outcome not in _OUTCOMES:
            raise ConfigError(
                f"outcome={self.outcome!r} is not supported; choose one of {', '.join(_OUTCOMES)}"
            )
        if int(self.n_estimators) < 1:
            raise ConfigError(f"n_estimators must be >= 1, got {self.n_estimators}")
        if not 0 < float(self.learning_rate) <= 1:
            raise ConfigError(f"learning_rate must be in (0, 1], got {self.learning_rate}")

    # -- model factory ------------------------------------------------------------------
    def _model(self, role: str) -> Any:
        """A fresh classifier (``role="classifier"``) or regressor of the chosen base."""
        if self.base == "lightgbm":
            from lightgbm import LGBMClassifier, LGBMRegressor

            kw: dict[str, Any] = dict(
                n_estimators=int(self.n_estimators),
                learning_rate=float(self.learning_rate),
                num_leaves=int(self.num_leaves),
                min_child_samples=int(self.min_child_samples),
                subsample=0.8,
                subsample_freq=1,
                colsample_bytree=0.9,
                random_state=int(self.random_state),
                verbose=-1,
            )
            if self.n_jobs is not None:
                kw["n_jobs"] = int(self.n_jobs)
            elif getattr(self, "_n_rows", 0) < _THREADS_FROM_ROWS:
                kw["n_jobs"] = 1  # threads only slow small fits down (OpenMP start-up, contention)
            return LGBMClassifier(**kw) if role == "classifier" else LGBMRegressor(**kw)
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if role == "classifier":
            return make_pipeline(
                StandardScaler(), LogisticRegression(C=1.0 / float(self.alpha), max_iter=2000)
            )
        return make_pipeline(StandardScaler(), Ridge(alpha=float(self.alpha)))

    def _fit_model(
        self, role: str, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> Any:
        model = self._model(role)
        if role == "classifier" and len(np.unique(y)) < 2:
            return _Constant(float(np.mean(y)))
        try:
            if sample_weight is None:
                model.fit(X, y)
            elif self.base == "lightgbm":
                model.fit(X, y, sample_weight=sample_weight)
            else:
                last = model.steps[-1][0]
                model.fit(X, y, **{f"{last}__sample_weight": sample_weight})
        except ValueError as exc:
            raise ModelError(f"{type(self).__name__}: a base model failed to fit ({exc})") from exc
        return model

    @staticmethod
    def _predict_model(model: Any, role: str, X: np.ndarray) -> np.ndarray:
        if isinstance(model, _Constant):
            return np.full(X.shape[0], model.value)
        if role == "classifier":
            return np.asarray(model.predict_proba(X)[:, 1], dtype=float)
        return np.asarray(model.predict(X), dtype=float)

    def _fit_outcomes(self, X: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        """Outcome models fitted on the treated rows and on the control rows."""
        _check_groups(t)
        role = self._outcome_role()
        treated = t == 1
        return (
            self._fit_model(role, X[treated], y[treated]),
            self._fit_model(role, X[~treated], y[~treated]),
        )

    def _outcome_role(self) -> str:
        return "classifier" if self.outcome_kind_ == "binary" else "regressor"

    # -- fit / predict ------------------------------------------------------------------
    def fit(self, X: Any, treatment: Any, y: Any) -> UpliftLearner:
        """Fit one uplift model per treated arm.

        Parameters
        ----------
        X : DataFrame or 2-D array
            Pre-treatment features (text columns are one-hot encoded).
        treatment : array-like
            Treatment labels: ``0/1``, ``Yes/No`` or arm names with one control value.
        y : array-like
            Outcome: 0/1 (visit, conversion) or a number (spend).

        Returns
        -------
        self
        """
        self._validate()
        n = len(X)
        self._n_rows = n
        if len(treatment) != n or len(y) != n:
            raise DataValidationError(
                f"X, treatment and y must have the same length, got {n}, {len(treatment)}, {len(y)}"
            )
        if (
            isinstance(treatment, np.ndarray)
            and treatment.dtype.kind in "iub"
            and (self.control is None or normalize_label(self.control) == "0")
            and set(np.unique(treatment).tolist()) <= {0, 1}
        ):
            labels = treatment.astype(np.int8)
            self.control_ = "0"
            self.arms_ = ["1"]
            groups = {"1": None}
        else:
            labs, self.control_, self.arms_ = split_treatment(treatment, self.control)
            labels = labs
            groups = {a: (labs == self.control_) | (labs == a) for a in self.arms_}
        yv, kind = coerce_outcome(y)
        if self.outcome != "auto":
            if self.outcome == "binary" and kind != "binary":
                raise DataValidationError(
                    "outcome='binary' but the outcome holds values other than 0 and 1"
                )
            kind = self.outcome
        self.outcome_kind_ = kind
        self._enc = _Encoded()
        Xm = self._enc.fit_transform(X)
        self.feature_names_in_ = list(self._enc.names)
        self.n_features_in_ = self._enc.n_features
        self.models_: dict[str, Any] = {}
        for arm, mask in groups.items():
            if mask is None:
                t = np.asarray(labels, dtype=np.int8)
                self.models_[arm] = self._fit_arm(Xm, t, yv)
            else:
                t = (labels[mask] == arm).astype(np.int8)
                self.models_[arm] = self._fit_arm(Xm[mask], t, yv[mask])
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "models_"):
            raise NotFittedError(
                f"{type(self).__name__} is not fitted yet; call fit(X, treatment, y) first"
            )

    def predict(self, X: Any) -> np.ndarray:
        """Predicted uplift: shape ``(n,)`` for one arm, ``(n, n_arms)`` for several."""
        self._check_fitted()
        Xm = self._enc.transform(X)
        cols = [self._predict_arm(self.models_[a], Xm) for a in self.arms_]
        if len(cols) == 1:
            return cols[0]
        return np.column_stack(cols)

    def predict_frame(self, X: Any) -> pd.DataFrame:
        """Predicted uplift as a frame: ``uplift`` for one arm, ``uplift_<arm>`` per arm."""
        pred = self.predict(X)
        index = X.index if isinstance(X, pd.DataFrame) else None
        if pred.ndim == 1:
            return pd.DataFrame({"uplift": pred}, index=index)
        return pd.DataFrame(
            {f"uplift_{a}": pred[:, i] for i, a in enumerate(self.arms_)}, index=index
        )

    # -- per-arm hooks ------------------------------------------------------------------
    def _fit_arm(self, X: np.ndarray, t: np.ndarray, y: np.ndarray) -> Any:
        raise NotImplementedError

    def _predict_arm(self, state: Any, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class _Constant:
    """A model that predicts a constant (a base model's training set had one class)."""

    def __init__(self, value: float) -> None:
        self.value = value


def _check_groups(t: np.ndarray) -> None:
    n1 = int(t.sum())
    if n1 == 0 or n1 == len(t):
        raise DataValidationError(
            "the data holds only treated or only control rows; an uplift model needs both"
        )


@register_learner
class SLearner(UpliftLearner):
    """S-learner: one outcome model on features plus the treatment flag.

    Uplift is ``mu(x, t=1) - mu(x, t=0)``. With the linear base the treatment also enters as
    interactions with every feature, otherwise a linear S-learner could only shift everyone
    by the same amount.
    """

    lookup_name = "s"

    def _design(self, X: np.ndarray, t: np.ndarray | float) -> np.ndarray:
        tt = np.broadcast_to(np.asarray(t, dtype=np.float32), (X.shape[0],)).reshape(-1, 1)
        if self.base == "linear":
            return np.hstack([X, tt, X * tt])
        return np.hstack([X, tt])

    def _fit_arm(self, X: np.ndarray, t: np.ndarray, y: np.ndarray) -> Any:
        _check_groups(t)
        return self._fit_model(self._outcome_role(), self._design(X, t), y)

    def _predict_arm(self, state: Any, X: np.ndarray) -> np.ndarray:
        role = self._outcome_role()
        return self._predict_model(state, role, self._design(X, 1.0)) - self._predict_model(
            state, role, self._design(X, 0.0)
        )


@register_learner
class TLearner(UpliftLearner):
    """T-learner: separate outcome models for treated and control; uplift is their difference."""

    lookup_name = "t"

    def _fit_arm(self, X: np.ndarray, t: np.ndarray, y: np.ndarray) -> Any:
        return self._fit_outcomes(X, t, y)

    def _predict_arm(self, state: Any, X: np.ndarray) -> np.ndarray:
        role = self._outcome_role()
        m1, m0 = state
        return self._predict_model(m1, role, X) - self._predict_model(m0, role, X)


@register_learner
class XLearner(UpliftLearner):
    """X-learner (Künzel et al. 2019).

    Stage 1 fits T-learner outcome models; stage 2 regresses the imputed effects
    ``y1 - mu0(x)`` (treated) and ``mu1(x) - y0`` (control) on the features; the two effect
    models are blended with the treated share ``e``: ``e * tau0 + (1 - e) * tau1``. The
    experiment is assumed randomised, so the propensity is the constant treated share.
    """

    lookup_name = "x"

    def _fit_arm(self, X: np.ndarray, t: np.ndarray, y: np.ndarray) -> Any:
        role = self._outcome_role()
        treated = t == 1
        m1, m0 = self._fit_outcomes(X, t, y)
        d1 = y[treated] - self._predict_model(m0, role, X[treated])
        d0 = self._predict_model(m1, role, X[~treated]) - y[~treated]
        tau1 = self._fit_model("regressor", X[treated], d1)
        tau0 = self._fit_model("regressor", X[~treated], d0)
        return tau1, tau0, float(treated.mean())

    def _predict_arm(self, state: Any, X: np.ndarray) -> np.ndarray:
        tau1, tau0, e = state
        return e * self._predict_model(tau0, "regressor", X) + (1 - e) * self._predict_model(
            tau1, "regressor", X
        )


@register_learner
class DRLearner(UpliftLearner):
    """Doubly robust learner (Kennedy 2020) with two-fold cross-fitting.

    On each fold, outcome models fitted on the other fold give ``mu1``, ``mu0`` and the
    pseudo-outcome ``mu1 - mu0 + t (y - mu1) / e - (1 - t)(y - mu0) / (1 - e)``, with ``e`` the
    treated share (randomised experiment). A final regressor maps features to it.
    """

    lookup_name = "dr"

    def _fit_arm(self, X: np.ndarray, t: np.ndarray, y: np.ndarray) -> Any:
        _check_groups(t)
        role = self._outcome_role()
        rng = np.random.default_rng(self.random_state)
        fold = rng.integers(0, 2, size=len(t))
        pseudo = np.empty(len(t), dtype=float)
        for k in (0, 1):
            train, held = fold != k, fold == k
            tr1, tr0 = train & (t == 1), train & (t == 0)
            if tr1.sum() == 0 or tr0.sum() == 0:
                raise DataValidationError(
                    "too few treated or control rows for cross-fitting; use more data"
                )
            m1 = self._fit_model(role, X[tr1], y[tr1])
            m0 = self._fit_model(role, X[tr0], y[tr0])
            e = float(t[train].mean())
            mu1 = self._predict_model(m1, role, X[held])
            mu0 = self._predict_model(m0, role, X[held])
            th, yh = t[held], y[held]
            pseudo[held] = mu1 - mu0 + th * (yh - mu1) / e - (1 - th) * (yh - mu0) / (1 - e)
        return self._fit_model("regressor", X, pseudo)

    def _predict_arm(self, state: Any, X: np.ndarray) -> np.ndarray:
        return self._predict_model(state, "regressor", X)


@register_learner
class ClassTransformationLearner(UpliftLearner):
    """Class transformation (Jaskowski & Jaroszewicz 2012), generalised to any split.

    Binary outcome: ``z = y t + (1 - y)(1 - t)`` is learned with weights that balance
    treated and control, and uplift is ``2 P(z = 1 | x) - 1``. Continuous outcome: the
    transformed outcome ``y (t - e) / (e (1 - e))`` is regressed on the features.
    """

    lookup_name = "ct"

    def _fit_arm(self, X: np.ndarray, t: np.ndarray, y: np.ndarray) -> Any:
        _check_groups(t)
        e = float(t.mean())
        if self.outcome_kind_ == "binary":
            z = (y * t + (1 - y) * (1 - t)).astype(np.int8)
            w = np.where(t == 1, 0.5 / e, 0.5 / (1 - e))
            return "binary", self._fit_model("classifier", X, z, sample_weight=w)
        ystar = y * (t - e) / (e * (1 - e))
        return "continuous", self._fit_model("regressor", X, ystar)

    def _predict_arm(self, state: Any, X: np.ndarray) -> np.ndarray:
        kind, model = state
        if kind == "binary":
            return 2 * self._predict_model(model, "classifier", X) - 1
        return self._predict_model(model, "regressor", X)
