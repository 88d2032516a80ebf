"""From a file of experiment rows to scored rows: the workflow behind ``audience uplift``.

:func:`score_uplift` validates the columns, keeps special-category data out of the features
(refusing an explicit request to use it), leaves minors and people without ad consent
unprofiled, fits the chosen learner (or picks one by cross-validated Qini) and scores a file.

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

from micromix.audience._prep import coerce_outcome, select_features, split_treatment
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

__all__ = ["IN_SAMPLE_COLUMN", "LEARNER_CHOICES", "UpliftRun", "attach_consent", "score_uplift"]

#: column of scored rows that says the model was trained on them
IN_SAMPLE_COLUMN = "scored_in_sample"

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
        not be profiled (minors, no consent) have empty uplift. ``scored_in_sample`` is true
        when these are the training rows (their scores are in-sample). ``scored_outcome``
        and ``scored_outcome_unit`` say what the uplift counts (:mod:`micromix.audience.units`).
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
                f"{name} have no '{id_column}' column; consent can only be matched by person"
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
    **params: Any,
) -> UpliftRun:
    """Train an uplift learner on ``data`` and score ``score`` (default: ``data``).

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
    key = str(learner).strip().lower()
    if key not in LEARNER_CHOICES:
        raise ConfigError(
            f"--learner {learner!r} is not known; choose one of {', '.join(LEARNER_CHOICES)}"
        )
    feats, checks = _safe_features(data, treatment, outcome, features, privacy or PrivacyPolicy())
    labels, ctrl, arms = split_treatment(data[treatment], control, column=treatment)
    y, kind = coerce_outcome(data[outcome], column=outcome)
    unit = outcome_unit_of(y, outcome, parse_unit(outcome_unit))
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
    step(f"fitting the {key}-learner", 0.5)
    model = get_learner(key, control=ctrl, **params).fit(X, lab, yy)
    step("scoring", 0.85)
    target = data if score is None else score
    missing = [f for f in feats if f not in target.columns]
    if missing:
        raise ColumnNotFoundError(
            f"the file to score lacks feature column(s) {', '.join(map(repr, missing))}; "
            "score a file with the training columns"
        )
    ok_s = (ineligible_reasons(target) == "").to_numpy()
    pred = model.predict_frame(target.loc[ok_s, feats])
    scored = target.copy()
    # scores of the rows the model learned from flatter it: say so in the output itself
    scored[IN_SAMPLE_COLUMN] = score is None
    # what the uplift counts (conversions or money), for 'audience target' and 'compare'
    scored[OUTCOME_COLUMN] = outcome
    scored[UNIT_COLUMN] = unit
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
    )
