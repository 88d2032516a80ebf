"""Fairness audit of a targeted audience.

For each group of a protected attribute — held for auditing only, never a model feature —
the audit reports the size, the selection rate and the average predicted uplift, then the
**disparate-impact ratio** (lowest selection rate over highest; the US "80% rule" flags values
below 0.8) and the **demographic-parity difference** (highest minus lowest selection rate).

Quickstart
----------
>>> import pandas as pd
>>> from micromix.audience.fairness import fairness_audit
>>> df = pd.DataFrame({"gender": ["f"] * 10 + ["m"] * 10,
...                    "selected": [1] * 2 + [0] * 8 + [1] * 6 + [0] * 4})
>>> round(fairness_audit(df, "gender").disparate_impact, 3)
0.333
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from micromix.checks import CheckResult, Status
from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError
from micromix.schema.values import read_bools, refuse_first

__all__ = ["DISPARATE_IMPACT_THRESHOLD", "FairnessReport", "fairness_audit"]

#: the "four-fifths" rule: a selection-rate ratio below this is flagged
DISPARATE_IMPACT_THRESHOLD = 0.8
_MIN_GROUP = 30


@dataclass
class FairnessReport:
    """Result of :func:`fairness_audit`.

    Attributes
    ----------
    attribute : str
    groups : DataFrame
        ``group, size, selected, selection_rate, mean_uplift, impact_ratio`` (rate over the
        highest rate). ``mean_uplift`` is left out when the data has no uplift column
        (``uplift_note`` says so); with ``uplift_<arm>`` columns it is the uplift of the arm
        each person would be sent (the highest, as ``audience target`` sends it).
    disparate_impact : float
        Lowest over highest selection rate (1 = parity).
    parity_difference : float
        Highest minus lowest selection rate.
    checks : list of CheckResult
    """

    attribute: str
    groups: pd.DataFrame
    disparate_impact: float
    parity_difference: float
    checks: list[CheckResult] = field(default_factory=list)
    #: what ``mean_uplift`` is when that is not plain (several arms), or why it is left out
    uplift_note: str = ""

    @property
    def flagged(self) -> bool:
        return any(c.status is not Status.PASS for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "groups": self.groups.to_dict(orient="records"),
            "disparate_impact": self.disparate_impact,
            "parity_difference": self.parity_difference,
            "flagged": self.flagged,
            "uplift_note": self.uplift_note,
            "checks": [c.to_dict() for c in self.checks],
        }

    def __repr__(self) -> str:
        flag = "FLAGGED" if self.flagged else "ok"
        return (
            f"FairnessReport({self.attribute!r}: disparate impact "
            f"{self.disparate_impact:.3f}, parity difference {self.parity_difference:.3f},"
            f" {flag})\n{self.groups.to_string(index=False)}"
        )


def _selected(df: pd.DataFrame, selected: str) -> np.ndarray:
    """The selection flags through the one true/false vocabulary; an empty or unreadable flag
    is refused with its row (counting it as 'not selected' would move the audit's figures)."""
    col = df[selected].reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        col = col.astype(object).where(col.isna(), col.map(lambda v: "1" if v else "0"))
    got = read_bools(col)
    refuse_first(
        got.problems.notna().to_numpy() | got.values.isna().to_numpy(),
        lambda row: f"row {row}, field {selected!r}",
        got.problems,
        "mark every person selected or not (1/0, yes/no, true/false)",
    )
    return got.values.to_numpy(dtype=bool)


def _audit_uplift(df: pd.DataFrame, uplift: str | None) -> tuple[np.ndarray | None, str]:
    """Each row's predicted uplift for the audit, and a sentence when it is not plain.

    ``"auto"``: ``uplift``, else the uplift of the arm each person would be sent (the highest
    ``uplift_<arm>``, as :func:`~micromix.audience.policy.target` sends it), else none (said
    so). A named column must exist. ``None``: no uplift.
    """
    from micromix.audience.policy import resolve_uplift

    if uplift is None:
        return None, ""
    if uplift != "auto":
        if uplift not in df.columns:
            raise ColumnNotFoundError(
                f"the uplift column '{uplift}' (--uplift-col) is not in the data; its columns: "
                f"{', '.join(map(str, df.columns[:20]))}"
            )
        return resolve_uplift(df, uplift)[0], ""
    arms = [str(c) for c in df.columns if str(c).startswith("uplift_")]
    if "uplift" not in df.columns and not arms:
        return None, (
            "mean_uplift is left out: the data has no 'uplift' or 'uplift_<arm>' column; pass "
            "--uplift-col with the predicted uplift column to add it"
        )
    values, best = resolve_uplift(df)
    if best is None:
        return values, ""
    names = ", ".join(f"'{c}'" for c in arms)
    return values, (
        f"mean_uplift is the uplift of the arm each person would be sent: the highest of "
        f"{names}, as 'audience target' sends it; pass --uplift-col uplift_<arm> for one "
        "arm's uplift"
    )


def _group_rates(
    df: pd.DataFrame, attribute: str, sel: np.ndarray, uplift: np.ndarray | None
) -> pd.DataFrame:
    """Per group of ``attribute``: size, selected, selection rate, mean predicted uplift."""
    grp = df[attribute].astype("string").fillna("(missing)")
    frame = pd.DataFrame({"group": grp.to_numpy(), "selected": sel})
    agg = {
        "size": ("selected", "size"),
        "selected": ("selected", "sum"),
        "selection_rate": ("selected", "mean"),
    }
    if uplift is not None:
        frame["uplift"] = uplift
        agg["mean_uplift"] = ("uplift", "mean")
    groups = frame.groupby("group", sort=True).agg(**agg).reset_index()
    groups["selected"] = groups["selected"].astype(int)
    return groups


def _fairness_checks(
    groups: pd.DataFrame,
    attribute: str,
    features: Sequence[str],
    threshold: float,
    di: float,
    dp: float,
) -> list[CheckResult]:
    """The attribute kept out of the model, the 80% rule, and groups too small to read."""
    checks: list[CheckResult] = []
    if attribute in set(features):
        checks.append(
            CheckResult(
                "protected_attribute_as_feature",
                Status.FAIL,
                f"the protected attribute '{attribute}' is a model feature",
                "hold protected attributes for auditing only; retrain without it",
            )
        )
    if len(groups) < 2:
        checks.append(
            CheckResult(
                "disparate_impact",
                Status.REVIEW,
                f"'{attribute}' has a single group; nothing to compare",
                "",
            )
        )
    elif np.isfinite(di) and di < threshold:
        worst = groups.loc[groups["selection_rate"].idxmin(), "group"]
        checks.append(
            CheckResult(
                "disparate_impact",
                Status.REVIEW,
                f"selection rate of '{worst}' is {di:.0%} of the highest group's "
                f"(below the {threshold:.0%} rule)",
                "review the targeting: cap per-group reach, or check whether uplift really "
                "differs between groups (mean_uplift column)",
                {"disparate_impact": di, "parity_difference": dp},
            )
        )
    else:
        checks.append(
            CheckResult(
                "disparate_impact",
                Status.PASS,
                f"lowest selection rate is {di:.0%} of the highest (>= {threshold:.0%})",
                "",
                {"disparate_impact": di, "parity_difference": dp},
            )
        )
    small = groups.loc[groups["size"] < _MIN_GROUP, "group"].tolist()
    if small:
        checks.append(
            CheckResult(
                "group_size",
                Status.REVIEW,
                f"group(s) {', '.join(map(str, small[:5]))} have fewer than {_MIN_GROUP} people; "
                "their rates are noisy",
                "read their figures with care",
            )
        )
    return checks


def fairness_audit(
    df: pd.DataFrame,
    attribute: str,
    *,
    selected: str = "selected",
    uplift: str | None = "auto",
    threshold: float = DISPARATE_IMPACT_THRESHOLD,
    features: Sequence[str] = (),
) -> FairnessReport:
    """Audit selection rates and predicted uplift across the groups of ``attribute``.

    Parameters
    ----------
    df : DataFrame
        One row per person: the protected attribute, a 0/1 ``selected`` column and
        optionally the predicted ``uplift``.
    attribute : str
        The protected attribute (e.g. ``gender``, ``age_band``), kept for auditing only.
    selected : str
        The 0/1 column saying who was targeted.
    uplift : str or None
        The predicted uplift column. ``"auto"`` (default): ``uplift``, else with several arms
        (``uplift_<arm>``) the uplift of the arm each person would be sent, else none (the
        report's ``uplift_note`` says so). ``None``: leave the uplift out.
    threshold : float
        Disparate-impact ratio below which the audit is flagged.
    features : sequence of str
        The model's features; the audit FAILs if the protected attribute is among them.
    """
    for col in (attribute, selected):
        if col not in df.columns:
            raise ColumnNotFoundError(
                f"column '{col}' not found for the fairness audit; available: "
                f"{', '.join(map(str, df.columns[:20]))}"
            )
    if not 0 < threshold <= 1:
        raise ConfigError(f"threshold must be in (0, 1], got {threshold}")
    if len(df) == 0:
        raise DataValidationError("the fairness audit needs at least one row")
    values, note = _audit_uplift(df, uplift)
    groups = _group_rates(df, attribute, _selected(df, selected), values)
    top = float(groups["selection_rate"].max())
    low = float(groups["selection_rate"].min())
    groups["impact_ratio"] = groups["selection_rate"] / top if top > 0 else np.nan
    di = low / top if top > 0 else float("nan")
    dp = top - low
    checks = _fairness_checks(groups, attribute, features, threshold, di, dp)
    return FairnessReport(attribute, groups, float(di), float(dp), checks, note)
