"""Input preparation shared by the uplift learners, the evaluation and the CLI.

Turns raw columns into what the estimators need: a treatment split into a control label and
one or more arms, a numeric outcome (binary or continuous), a list of usable features and a
numeric feature matrix.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.audience._prep import split_treatment
>>> labels, control, arms = split_treatment(pd.Series(["Yes", "No"] * 10))
>>> control, arms
('No', ['Yes'])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from micromix.checks import CheckResult, Status
from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError, NotFittedError

__all__ = [
    "CONTROL_LABELS",
    "NEVER_AUTO_FEATURES",
    "POST_TREATMENT_NAMES",
    "FeatureEncoder",
    "as_frame",
    "coerce_outcome",
    "experiment_arm_columns",
    "normalize_label",
    "outcome_sign_note",
    "select_features",
    "split_treatment",
    "treatment_indicator",
]

#: labels recognised as "control" when no control value is given (compared case-insensitively)
CONTROL_LABELS: frozenset[str] = frozenset(
    {
        "0",
        "no",
        "false",
        "f",
        "n",
        "control",
        "ctrl",
        "c",
        "none",
        "holdout",
        "hold-out",
        "untreated",
        "placebo",
        "no e-mail",
        "no email",
        "no_email",
        "no-email",
        "no promotion",
    }
)

#: column names that look like outcomes or post-treatment variables: never auto-selected as
#: features (they leak the outcome)
POST_TREATMENT_NAMES: frozenset[str] = frozenset(
    {
        "visit",
        "visits",
        "conversion",
        "conversions",
        "converted",
        "spend",
        "purchase",
        "purchases",
        "revenue",
        "exposure",
        "exposed",
        "outcome",
        "y",
        "response",
        "responded",
        "click",
        "clicks",
        "uplift",
        "selected",
        "treatment",
        "treated",
        "arm",
        "group",
        "w",
        "propensity",
        "label",
        "target",
    }
)

#: never auto-selected: consent and age flags (guardrail inputs) and protected attributes held
#: for the fairness audit only
NEVER_AUTO_FEATURES: frozenset[str] = frozenset(
    {
        "consent_ads_personalisation",
        "consent_analytics",
        "opt_out_sale",
        "gpc",
        "consent_withdrawn",
        "consent_status",
        "consent_date",
        "is_minor",
        "gender",
        "sex",
    }
)

_TRUE = {"1", "yes", "true", "t", "y"}
_FALSE = {"0", "no", "false", "f", "n"}
_ID_RE = re.compile(r"(^id$|_id$|^id_|uuid|^index$|^unnamed: ?\d+$)", re.IGNORECASE)
_MAX_LEVELS = 30


def normalize_label(value: Any) -> str:
    """Label of a treatment value as text (``1.0`` -> ``"1"``, ``True`` -> ``"True"``)."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def split_treatment(
    values: pd.Series | Sequence[Any] | np.ndarray,
    control_value: Any = None,
    *,
    column: str = "treatment",
    min_rows: int = 10,
) -> tuple[np.ndarray, str, list[str]]:
    """Split a treatment column into text labels, the control label and the treated arms.

    Parameters
    ----------
    values : array-like
        The treatment column (e.g. ``0/1``, ``Yes/No``, or arm names).
    control_value : optional
        The value of the control group. When omitted, a value such as ``0``, ``No``,
        ``False`` or ``control`` is recognised (see :data:`CONTROL_LABELS`).
    column : str
        Column name used in error messages.
    min_rows : int
        Fewest rows each group must have.

    Returns
    -------
    labels : ndarray of str
    control : str
    arms : list of str
        Treated arms in sorted order (one for a binary experiment).
    """
    s = pd.Series(values)
    if s.isna().any():
        bad = int(s.isna().sum())
        raise DataValidationError(
            f"treatment column '{column}' has {bad} empty value(s); fill or drop those rows"
        )
    labels = np.array([normalize_label(v) for v in s.tolist()], dtype=object)
    levels = sorted(set(labels.tolist()))
    if control_value is not None:
        control = normalize_label(control_value)
        if control not in levels:
            raise ConfigError(
                f"--control-value {control_value!r} does not occur in treatment column "
                f"'{column}'; its values are {', '.join(levels[:10])}"
            )
    else:
        found = [v for v in levels if v.lower() in CONTROL_LABELS]
        if len(found) == 1 and _letter_arms(found[0], levels):
            raise ConfigError(
                f"cannot tell which value of treatment column '{column}' is the control group: "
                f"its arms are letters ({', '.join(levels[:10])}), so {found[0]!r} may be just "
                "another arm; pass --control-value"
            )
        if len(found) != 1:
            raise ConfigError(
                f"cannot tell which value of treatment column '{column}' is the control group "
                f"(values: {', '.join(levels[:10])}); pass --control-value"
            )
        control = found[0]
    arms = [v for v in levels if v != control]
    if not arms:
        raise DataValidationError(
            f"treatment column '{column}' only holds the control value {control!r}; an uplift "
            "model needs treated and control rows"
        )
    for lab in [control, *arms]:
        n = int((labels == lab).sum())
        if n < min_rows:
            raise DataValidationError(
                f"treatment column '{column}' has only {n} row(s) with value {lab!r}; "
                f"each group needs at least {min_rows} rows"
            )
    return labels, control, arms


#: single letters that pair with a one-letter control as a yes/no flag (Y/N, T/F, T/C)
_FLAG_LETTERS = frozenset({"y", "t", "1"})


def _letter_arms(control: str, levels: list[str]) -> bool:
    """Whether the one-letter ``control`` (``c``, ``n``, ``f``) is more likely an arm's name:
    another value is also a single letter that is not its yes/treated partner (arms A/B/C).

    >>> _letter_arms("C", ["A", "B", "C"]), _letter_arms("N", ["N", "Y"]), _letter_arms("C", ["C", "T"])
    (True, False, False)
    """
    if len(control) != 1:
        return False
    others = [v for v in levels if v != control]
    return any(len(v) == 1 and v.lower() not in _FLAG_LETTERS for v in others)


def outcome_sign_note(
    y: np.ndarray, column: str, unit: str, source: str | None = None
) -> CheckResult | None:
    """Refuse a negative count of conversions (a data error), naming its row; for an amount of
    money, a note that the negative values (refunds, returns) were kept. None when all >= 0.

    ``unit`` is ``conversions`` or ``value`` (:func:`micromix.audience.units.outcome_unit_of`).
    """
    neg = np.asarray(y, dtype=float) < 0
    if not neg.any():
        return None
    i = int(np.flatnonzero(neg)[0])
    if unit != "value":
        raise DataValidationError(
            f"{source + ': ' if source else ''}row {i + 1}, field '{column}' is {float(y[i]):g}, "
            "a negative count of "
            f"conversions ({int(neg.sum())} such row(s)); a conversion count is 0 or more: fix "
            "those rows, or pass --outcome-unit value if the outcome is money"
        )
    return CheckResult(
        "negative_outcome",
        Status.PASS,
        f"{int(neg.sum())} row(s) have a negative '{column}' (first: row {i + 1}, "
        f"{float(y[i]):g}); kept as they are, as refunds or returns net against the outcome",
        details={"negative_rows": int(neg.sum())},
    )


def treatment_indicator(values: Any, control_value: Any = None) -> np.ndarray:
    """0/1 indicator of a binary treatment column (1 = any non-control value)."""
    labels, control, _ = split_treatment(values, control_value)
    return (labels != control).astype(np.int8)


def coerce_outcome(
    values: pd.Series | np.ndarray | Sequence[Any], *, column: str = "outcome"
) -> tuple[np.ndarray, str]:
    """Numeric outcome and its kind (``"binary"`` or ``"continuous"``).

    ``Yes/No`` and ``True/False`` become 1/0. Raises :class:`DataValidationError` naming the
    column when values are missing or not numeric.
    """
    s = pd.Series(values).reset_index(drop=True)
    if s.isna().any():
        raise DataValidationError(
            f"outcome column '{column}' has {int(s.isna().sum())} empty value(s) (first: row "
            f"{int(s.isna().to_numpy().argmax()) + 1}); fill or drop those rows"
        )
    if s.dtype == bool:
        return s.to_numpy(dtype=float), "binary"
    if not pd.api.types.is_numeric_dtype(s):
        low = s.astype(str).str.strip().str.lower()
        if set(low.unique()) <= (_TRUE | _FALSE):
            return low.isin(_TRUE).to_numpy(dtype=float), "binary"
        num = pd.to_numeric(s, errors="coerce")
        if num.isna().any():
            where = num.isna().to_numpy()
            row = int(where.argmax())
            raise DataValidationError(
                f"outcome column '{column}', row {row + 1}: {s.iloc[row]!r} is not a number "
                f"({int(where.sum())} such row(s)); use 0/1 for a conversion or a number for "
                "spend"
            )
        s = num
    arr = s.to_numpy(dtype=float)
    if not np.isfinite(arr).all():
        raise DataValidationError(f"outcome column '{column}' holds infinite values; fix them")
    kind = "binary" if set(np.unique(arr).tolist()) <= {0.0, 1.0} else "continuous"
    return arr, kind


def select_features(
    df: pd.DataFrame,
    *,
    treatment: str,
    outcome: str | Sequence[str] | None = None,
    features: str | Sequence[str] | None = "auto",
    exclude: Sequence[str] = (),
) -> list[str]:
    """Feature columns to train on.

    With ``features="auto"`` every column is used except the treatment, the outcome(s),
    identifiers (``id``, ``*_id``, unique text), outcome-like and post-treatment names
    (:data:`POST_TREATMENT_NAMES`), consent flags and protected attributes
    (:data:`NEVER_AUTO_FEATURES`), ``exclude``, constant columns and text columns with more
    than 30 distinct values. An explicit list is checked against the columns.
    """
    outcomes = [outcome] if isinstance(outcome, str) else list(outcome or [])
    if features is not None and not (isinstance(features, str) and features == "auto"):
        cols = (
            [c.strip() for c in features.split(",")]
            if isinstance(features, str)
            else list(features)
        )
        cols = [c for c in cols if c]
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ColumnNotFoundError(
                f"feature column(s) {', '.join(map(repr, missing))} not found; available "
                f"columns: {', '.join(map(str, df.columns[:30]))}"
            )
        clash = [c for c in cols if c == treatment or c in outcomes]
        if clash:
            raise ConfigError(
                f"--features must not contain the treatment or outcome column ({clash[0]!r}); "
                "remove it from the list"
            )
        if not cols:
            raise ConfigError("--features is empty; name at least one column or use 'auto'")
        return cols
    skip = {treatment, *outcomes, *exclude}
    chosen: list[str] = []
    for c in df.columns:
        name = str(c)
        low = name.lower()
        if c in skip or low in POST_TREATMENT_NAMES or low in NEVER_AUTO_FEATURES:
            continue
        if low.startswith("uplift"):
            continue
        if _ID_RE.search(name):
            continue
        col = df[c]
        nun = col.nunique(dropna=True)
        if nun <= 1:
            continue
        if not pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            if nun > _MAX_LEVELS:
                continue
        elif pd.api.types.is_integer_dtype(col) and nun == len(col) and len(col) > 50:
            continue  # a running number is an identifier, not a feature
        chosen.append(name)
    if not chosen:
        raise DataValidationError(
            "no usable feature column found; pass --features with the columns to model on"
        )
    return chosen


#: control labels only an experiment's arm column holds (not "0", "no", "none" ...)
_ARM_CONTROL_LABELS = frozenset(v for v in CONTROL_LABELS if len(v) > 4 and v != "false")
#: column names of an experiment's assignment
_ARM_NAMES = frozenset(
    {"treatment", "treated", "variant", "arm", "promotion", "test_group", "experiment_group"}
)


def experiment_arm_columns(df: pd.DataFrame, columns: Sequence[str]) -> dict[str, str]:
    """The columns among ``columns`` that look like a randomised experiment's assignment, with
    why: a treatment-like name, or few labels one of which is a control label ('Control',
    'No E-Mail', 'Holdout' ...). Assigned at random, such a column says nothing about a person,
    so describing people by it (clustering) would only find the experiment's arms."""
    out: dict[str, str] = {}
    for c in columns:
        name = str(c)
        if name.lower() in _ARM_NAMES:
            out[name] = "its name marks an experiment's assignment"
            continue
        col = df[c]
        if pd.api.types.is_numeric_dtype(col) or col.nunique(dropna=True) > 10:
            continue
        labels = {normalize_label(v).lower() for v in col.dropna().unique()}
        hit = sorted(labels & _ARM_CONTROL_LABELS)
        if hit:
            out[name] = f"it holds the control label {hit[0]!r} of an experiment's arms"
    return out


def as_frame(X: Any) -> pd.DataFrame:
    """``X`` as a DataFrame (arrays get columns ``x0, x1, ...``)."""
    if isinstance(X, pd.DataFrame):
        return X
    arr = np.asarray(X)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise DataValidationError(f"X must be 2-dimensional, got shape {arr.shape}")
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


@dataclass
class FeatureEncoder:
    """Encode a frame into a float32 matrix: numbers as they are, categories one-hot.

    Missing numbers become the training median; unseen categories get all-zero indicators.
    """

    numeric_: list[str] = field(default_factory=list)
    categorical_: dict[str, list[str]] = field(default_factory=dict)
    medians_: dict[str, float] = field(default_factory=dict)
    fitted_: bool = False

    def fit(self, X: Any) -> FeatureEncoder:
        df = as_frame(X)
        self.numeric_, self.categorical_, self.medians_ = [], {}, {}
        for c in df.columns:
            col = df[c]
            if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
                self.numeric_.append(str(c))
                med = pd.to_numeric(col, errors="coerce").median()
                self.medians_[str(c)] = 0.0 if pd.isna(med) else float(med)
            else:
                top = col.astype(str).value_counts().index[:_MAX_LEVELS].tolist()
                self.categorical_[str(c)] = [str(v) for v in top]
        self.fitted_ = True
        return self

    @property
    def names_(self) -> list[str]:
        """Names of the encoded columns."""
        out = list(self.numeric_)
        for c, levels in self.categorical_.items():
            out.extend(f"{c}={v}" for v in levels)
        return out

    def transform(self, X: Any) -> np.ndarray:
        if not self.fitted_:
            raise NotFittedError("FeatureEncoder is not fitted; call fit first")
        df = as_frame(X)
        need = self.numeric_ + list(self.categorical_)
        missing = [c for c in need if c not in df.columns]
        if missing:
            raise ColumnNotFoundError(
                f"feature column(s) {', '.join(map(repr, missing))} missing from the data to "
                "score; score a file with the same columns as the training data"
            )
        n = len(df)
        width = len(self.numeric_) + sum(len(v) for v in self.categorical_.values())
        out = np.empty((n, width), dtype=np.float32)
        j = 0
        for c in self.numeric_:
            col = df[c]
            if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
                vals = col.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                vals = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
            out[:, j] = np.where(np.isnan(vals), self.medians_[c], vals)
            j += 1
        for c, levels in self.categorical_.items():
            col = df[c].astype(str).to_numpy()
            for v in levels:
                out[:, j] = col == v
                j += 1
        return out

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)
