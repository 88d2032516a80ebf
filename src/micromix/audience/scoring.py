"""From a file of experiment rows to scored rows: the workflow behind ``audience uplift``.

:func:`score_uplift` validates the columns, keeps special-category data out of the features
(refusing an explicit request to use it), leaves minors and people without ad consent
unprofiled, fits the chosen learner (or picks one by cross-validated Qini) and scores a file.

Scoring the training rows themselves (no ``score`` file) is *cross-fitted*: the rows are split
into K folds (stratified by arm, seeded) and each row is scored by a model trained on the other
folds, so no row's score has seen its own outcome (:data:`OUT_OF_FOLD_COLUMN`); the model for
new people (``score``, :attr:`UpliftRun.model`) is fitted on all rows.

Quickstart
----------
>>> from micromix.audience.datasets import make_uplift_data
>>> from micromix.audience.scoring import score_uplift
>>> df = make_uplift_data(n=1500, seed=0)
>>> run = score_uplift(df, treatment="treatment", outcome="y", learner="t",
...                    features=["x0", "x1", "region"])
>>> "uplift" in run.scored.columns
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from micromix.audience._prep import (
    coerce_outcome,
    outcome_sign_note,
    select_features,
    split_treatment,
)
from micromix.audience.evaluation import select_learner
from micromix.audience.learners import get_learner, learner_names
from micromix.audience.privacy import (
    PrivacyPolicy,
    check_features,
    enforce,
    ineligible_reasons,
    special_category_columns,
)
from micromix.audience.units import OUTCOME_COLUMN, UNIT_COLUMN, parse_unit
from micromix.audience.units import outcome_unit as outcome_unit_of
from micromix.checks import CheckResult, Status
from micromix.errors import ColumnNotFoundError, ConfigError
from micromix.schema.purchases import read_ids

__all__ = [
    "CONTROL_COLUMN",
    "DEFAULT_FOLDS",
    "IN_SAMPLE_COLUMN",
    "LEARNER_CHOICES",
    "OUT_OF_FOLD_COLUMN",
    "TREATMENT_COLUMN",
    "UpliftRun",
    "attach_consent",
    "score_uplift",
]

#: column of scored rows that says the model was trained on them
IN_SAMPLE_COLUMN = "scored_in_sample"
#: column of scored rows that says each training row was scored by a model that did not see it
OUT_OF_FOLD_COLUMN = "scored_out_of_fold"
#: columns naming the experiment's treatment column and its control value (for observed lift)
TREATMENT_COLUMN = "scored_treatment"
CONTROL_COLUMN = "scored_control"
#: folds of the cross-fitting of the training rows' own scores
DEFAULT_FOLDS = 5

#: values of ``--learner``
LEARNER_CHOICES: tuple[str, ...] = ("s", "t", "x", "dr", "ct", "auto")
_CONSENT_FIELDS = (
    "consent_ads_personalisation",
    "opt_out_sale",
    "gpc",
    "consent_withdrawn",
    "consent_status",
    "is_minor",
    "age_band",
    "age",
)


@dataclass
class UpliftRun:
    """Scored rows and what was done to produce them.

    Attributes
    ----------
    scored : DataFrame
        The rows to score with ``uplift`` (one arm) or ``uplift_<arm>`` columns; rows that may
        not be profiled (minors, no consent) have empty uplift. ``scored_out_of_fold`` is true
        when these are the training rows scored by cross-fitting (honest), ``scored_in_sample``
        when they are the training rows scored by the model fitted on them (``folds=None``).
        ``scored_outcome`` and ``scored_outcome_unit`` say what the uplift counts
        (:mod:`micromix.audience.units`); ``scored_treatment`` and ``scored_control`` name the
        experiment's treatment column and control value.
    learner : str
    features : list of str
    arms, control : the treatment split
    ate : dict
        Observed average treatment effect (treated mean - control mean) per arm on the
        training data.
    checks : list of CheckResult
    selection : DataFrame or None
        Cross-validated Qini per learner when ``learner="auto"``.
    outcome_unit : {"conversions", "value"}
        The uplift's unit: conversions (0/1 or whole numbers) or an amount of money.
    folds : int or None
        Folds of the cross-fitting of the training rows' scores (None: not cross-fitted).
    model : UpliftLearner or None
        The learner fitted on all training rows: the one that scores new people.
    """

    scored: pd.DataFrame
    learner: str
    features: list[str]
    arms: list[str]
    control: str
    outcome_kind: str
    ate: dict[str, float]
    n_train: int
    n_excluded_train: int
    n_unscored: int
    checks: list[CheckResult] = field(default_factory=list)
    selection: pd.DataFrame | None = None
    outcome: str = ""
    outcome_unit: str = "conversions"
    folds: int | None = None
    model: Any = None

    @property
    def scores(self) -> str:
        """How the scored rows were scored: ``out_of_fold``, ``in_sample`` or ``new_rows``."""
        if self.folds:
            return "out_of_fold"
        return "in_sample" if bool(self.scored[IN_SAMPLE_COLUMN].any()) else "new_rows"

    def to_dict(self) -> dict[str, Any]:
        return {
            "learner": self.learner,
            "features": self.features,
            "arms": self.arms,
            "control": self.control,
            "outcome": self.outcome,
            "outcome_kind": self.outcome_kind,
            "outcome_unit": self.outcome_unit,
            "ate": self.ate,
            "n_train": self.n_train,
            "n_excluded_train": self.n_excluded_train,
            "n_scored": len(self.scored),
            "n_unscored": self.n_unscored,
            "scores": self.scores,
            "folds": self.folds,
            "checks": [c.to_dict() for c in self.checks],
            "selection": None
            if self.selection is None
            else self.selection.to_dict(orient="records"),
        }

    def __repr__(self) -> str:
        return (
            f"UpliftRun(learner={self.learner!r}, arms={self.arms}, "
            f"n_train={self.n_train}, features={self.features})"
        )


def attach_consent(
    df: pd.DataFrame, audience: pd.DataFrame, *, id_column: str = "user_id"
) -> pd.DataFrame:
    """Add consent and age columns from an ``audience`` table, matched on ``user_id``.

    People missing from the audience table get empty consent and are therefore treated as
    not having consented.
    """
    for frame, name in ((df, "scores"), (audience, "audience")):
        if id_column not in frame.columns:
            raise ColumnNotFoundError(
                f"{name} have no '{id_column}' column; consent can only be matched by person: "
                "name the id column (--id) or rename it"
            )
    cols = [c for c in _CONSENT_FIELDS if c in audience.columns]
    if not cols:
        raise ColumnNotFoundError(
            "the audience table has no consent columns (consent_ads_personalisation, "
            "opt_out_sale, gpc, is_minor)"
        )
    # matched as text: ids read as numbers in one file and as text in the other are one person
    how = f"name it {id_column!r}"
    theirs = read_ids(audience[id_column], id_column, "the audience", option=how, who="person")
    right = (
        audience[[id_column, *cols]]
        .assign(**{id_column: theirs.to_numpy()})
        .drop_duplicates(id_column, keep="last")
    )
    left = df.drop(columns=[c for c in cols if c in df.columns])
    key = read_ids(df[id_column], id_column, "the scores", option=how, who="person")
    merged = (
        left.assign(_key=key.to_numpy())
        .merge(right.rename(columns={id_column: "_key"}), on="_key", how="left")
        .drop(columns="_key")
    )
    merged.index = df.index
    if "consent_ads_personalisation" in merged.columns:
        merged["consent_ads_personalisation"] = (
            merged["consent_ads_personalisation"].astype("boolean").fillna(False)
        )
    return merged


def _safe_features(
    data: pd.DataFrame,
    treatment: str,
    outcome: str,
    features: str | Sequence[str] | None,
    pol: PrivacyPolicy,
) -> tuple[list[str], list[CheckResult]]:
    """The model's features without special-category data, and the checks saying so.

    Picked automatically, special-category columns are left out (a review check says which);
    asked for explicitly, they are refused (:class:`GuardrailError`).
    """
    checks: list[CheckResult] = []
    auto = features is None or (isinstance(features, str) and features.strip() == "auto")
    feats = select_features(
        data, treatment=treatment, outcome=outcome, features="auto" if auto else features
    )
    sensitive = special_category_columns(feats, pol)
    if sensitive and not auto:
        enforce([check_features(feats, pol)], action="train an uplift model")
    if sensitive:
        feats = [f for f in feats if f not in sensitive]
        checks.append(
            CheckResult(
                "special_category",
                Status.REVIEW,
                f"left special-category column(s) {', '.join(sensitive)} out of the features",
                "keep them for the fairness audit only",
            )
        )
        if not feats:
            raise ConfigError(
                "no usable feature column is left once special-category data "
                "is removed; pass --features"
            )
    checks.append(check_features(feats, pol, data))
    enforce(checks, action="train an uplift model")
    return feats, checks


def score_uplift(
    data: pd.DataFrame,
    *,
    treatment: str,
    outcome: str,
    control: Any = None,
    features: str | Sequence[str] | None = "auto",
    learner: str = "t",
    base: str = "lightgbm",
    score: pd.DataFrame | None = None,
    seed: int = 0,
    privacy: PrivacyPolicy | None = None,
    progress: Callable[[str, float], None] | None = None,
    outcome_unit: str | None = None,
    folds: int | None = DEFAULT_FOLDS,
    **params: Any,
) -> UpliftRun:
    """Train an uplift learner on ``data`` and score ``score`` (default: ``data``).

    Without ``score`` the training rows are scored out of fold: ``folds``-fold cross-fitting
    (stratified by arm, seeded by ``seed``), each row by a model that did not see it; the
    model kept for new people (:attr:`UpliftRun.model`) is fitted on all rows. ``folds=None``
    scores the training rows with that model instead (in-sample, flagged as such).

    ``outcome_unit`` (``conversions``, ``value`` or None/``auto``) says what the outcome
    counts; by default an outcome with fractional values is money and any other conversions.
    The unit is written into the scored rows for ``target`` and ``compare``.

    Raises
    ------
    GuardrailError
        When the features explicitly requested include special-category data.
    ColumnNotFoundError, ConfigError, DataValidationError
        On missing columns, unknown learners or unusable values (one sentence each).
    """
    step = progress or (lambda s, f: None)
    for col, flag in ((treatment, "--treatment"), (outcome, "--outcome")):
        if col not in data.columns:
            raise ColumnNotFoundError(
                f"{flag} column '{col}' not found; available columns: "
                f"{', '.join(map(str, data.columns[:30]))}"
            )
    if folds is not None and (isinstance(folds, bool) or int(folds) != folds or folds < 2):
        raise ConfigError(
            f"--folds must be a whole number of at least 2 (each row is scored by a model "
            f"trained on the other folds), got {folds!r}"
        )
    key = str(learner).strip().lower()
    if key not in LEARNER_CHOICES:
        raise ConfigError(
            f"--learner {learner!r} is not known; choose one of {', '.join(LEARNER_CHOICES)}"
        )
    feats, checks = _safe_features(data, treatment, outcome, features, privacy or PrivacyPolicy())
    labels, ctrl, arms = split_treatment(data[treatment], control, column=treatment)
    y, kind = coerce_outcome(data[outcome], column=outcome)
    unit = outcome_unit_of(y, outcome, parse_unit(outcome_unit))
    checks += [n for n in [outcome_sign_note(y, outcome, unit)] if n]  # refunds kept, counts >= 0
    reasons = ineligible_reasons(data)
    ok = (reasons == "").to_numpy()
    if ok.sum() < 20:
        raise ConfigError(
            f"only {int(ok.sum())} row(s) may be profiled (the others are minors or lack ad "
            "consent); an uplift model needs more"
        )
    X = data.loc[ok, feats]
    lab, yy = labels[ok], y[ok]
    ate = {}
    for arm in arms:
        ate[arm] = float(yy[lab == arm].mean() - yy[lab == ctrl].mean())
    selection = None
    params = {"random_state": seed, "base": base, **params}
    if key == "auto":
        step("choosing a learner (cross-validated Qini)", 0.1)
        key, selection = select_learner(
            X,
            lab,
            yy,
            control=ctrl,
            seed=seed,
            candidates=[n for n in ("t", "x", "dr", "ct", "s") if n in learner_names()],
            **params,
        )
    k = int(folds) if score is None and folds is not None else 0  # 0: not cross-fitted
    cross = k > 0
    oof = _cross_fit(key, X, lab, yy, ctrl, arms, k, seed, params, step) if cross else None
    step(f"fitting the {key}-learner on all rows", 0.8)
    model = get_learner(key, control=ctrl, **params).fit(X, lab, yy)
    step("scoring", 0.9)
    target = data if score is None else score
    missing = [f for f in feats if f not in target.columns]
    if missing:
        raise ColumnNotFoundError(
            f"the file to score lacks feature column(s) {', '.join(map(repr, missing))}; "
            "score a file with the training columns"
        )
    ok_s = (ineligible_reasons(target) == "").to_numpy()
    pred = oof if oof is not None else model.predict_frame(target.loc[ok_s, feats])
    scored = target.copy()
    # scores of the rows the model learned from flatter it: say so in the output itself
    scored[IN_SAMPLE_COLUMN] = score is None and not cross
    scored[OUT_OF_FOLD_COLUMN] = cross
    # what the uplift counts (conversions or money), for 'audience target' and 'compare'
    scored[OUTCOME_COLUMN] = outcome
    scored[UNIT_COLUMN] = unit
    # the experiment the scores come from: 'target'/'compare' measure the lift on it
    scored[TREATMENT_COLUMN] = treatment
    scored[CONTROL_COLUMN] = ctrl
    for name in pred.columns:
        values = np.full(len(target), np.nan)
        values[ok_s] = pred[name].to_numpy()
        scored[name] = values
    step("done", 1.0)
    return UpliftRun(
        scored,
        key,
        feats,
        arms,
        ctrl,
        kind,
        ate,
        int(ok.sum()),
        int((~ok).sum()),
        int((~ok_s).sum()),
        checks,
        selection,
        outcome,
        unit,
        k or None,
        model,
    )


def _cross_fit(
    key: str,
    X: pd.DataFrame,
    labels: np.ndarray,
    y: np.ndarray,
    control: str,
    arms: list[str],
    folds: int,
    seed: int,
    params: dict[str, Any],
    step: Callable[[str, float], None],
) -> pd.DataFrame:
    """Out-of-fold uplift of every row of ``X``: ``folds`` folds stratified by arm, each row
    scored by the learner fitted on the other folds."""
    from sklearn.model_selection import StratifiedKFold

    groups = [control, *arms]
    counts = {g: int((labels == g).sum()) for g in groups}
    small = min(counts, key=lambda g: counts[g])
    if counts[small] < 2 * folds:
        raise ConfigError(
            f"--folds {folds}: the treatment value {small!r} has only {counts[small]} row(s) "
            "that may be profiled, too few to put some in every fold and train on the rest; "
            "pass a smaller --folds (at least 2) or more rows"
        )
    cols = ["uplift"] if len(arms) == 1 else [f"uplift_{a}" for a in arms]
    out = pd.DataFrame(np.nan, index=X.index, columns=cols)
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for i, (tr, te) in enumerate(skf.split(np.zeros(len(labels)), labels)):
        step(f"cross-fitting: fold {i + 1} of {folds}", 0.1 + 0.7 * i / folds)
        model = get_learner(key, control=control, **params).fit(X.iloc[tr], labels[tr], y[tr])
        out.iloc[te] = model.predict_frame(X.iloc[te])[cols].to_numpy()
    return out
