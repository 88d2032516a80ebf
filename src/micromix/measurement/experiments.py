"""Holdout and lift tests: difference in means, CUPED, an always-valid reading, and power.

:func:`analyze_experiment` compares every arm with the control arm: the difference in means
with a Welch confidence interval, the relative lift, a CUPED estimate that removes variance
explained by a pre-period covariate, and an always-valid (mixture SPRT) confidence sequence
and p-value, which stay valid however often the test is peeked at. :func:`sample_size`,
:func:`power` and :func:`minimum_detectable_effect` plan tests; a result becomes a
:class:`~micromix.measurement.LiftTest` that calibrates the marketing-mix model.

Quickstart
----------
>>> import numpy as np, pandas as pd
>>> from micromix.measurement import analyze_experiment, sample_size
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame({"arm": ["control", "treatment"] * 500})
>>> df["pre"] = rng.normal(10, 2, len(df))
>>> df["y"] = df["pre"] + (df["arm"] == "treatment") * 0.5 + rng.normal(0, 1, len(df))
>>> res = analyze_experiment(df, arm_col="arm", outcome="y", covariate="pre")
>>> bool(res.effects.loc[0, "cuped_se"] < res.effects.loc[0, "se"])
True
>>> sample_size(0.10, 0.01)["n_per_arm"]
14749
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from micromix.checks import CheckResult, Status
from micromix.errors import ConfigError, DataValidationError, NotFoundError
from micromix.measurement.mmm import LiftTest
from micromix.schema.base import require_columns
from micromix.schema.display import listed
from micromix.schema.values import blank_cells
from micromix.store import Store

__all__ = [
    "CONTROL_NAMES",
    "ExperimentAnalysis",
    "analyze_experiment",
    "analyze_stored_experiment",
    "experiment_arms",
    "minimum_detectable_effect",
    "power",
    "sample_size",
]

#: arm labels recognised as the control / holdout arm (case-insensitive)
CONTROL_NAMES = ("control", "holdout", "baseline", "no", "none", "0", "false", "no e-mail", "off")
#: fewest units per arm before a result is flagged for review
MIN_UNITS_PER_ARM = 30
#: columns read as the experiment id when none is named (experiments are never pooled)
EXPERIMENT_COLUMNS = ("experiment_id", "experiment", "test_id")
#: columns read as the unit id when none is named (each unit must be one row)
UNIT_COLUMNS = ("unit_id", "user_id", "customer_id", "id")
#: sample-ratio test p-value below which the arms' sizes are a mismatch
SRM_P = 0.001
_TRUE_WORDS = {"yes": 1.0, "true": 1.0, "y": 1.0, "no": 0.0, "false": 0.0, "n": 0.0}


@dataclass
class ExperimentAnalysis:
    """Result of :func:`analyze_experiment`.

    Attributes
    ----------
    control : str
        The control arm.
    arms : DataFrame
        Per arm: ``n, mean, sd`` (and covariate mean).
    effects : DataFrame
        Per treatment arm vs control: ``diff, se, ci_lo, ci_hi, p_value, relative_lift,
        cuped_diff, cuped_se, cuped_ci_lo, cuped_ci_hi, cuped_p_value, variance_reduction,
        seq_ci_lo, seq_ci_hi, seq_p_value``.
    checks : list of CheckResult
        Sample size, units seen once, sample-ratio and covariate balance checks (over several
        experiments, each check's worst status and the experiments behind it).
    experiments : list of str
        The experiments read, each on its own, when the data held several; ``arms`` and
        ``effects`` then start with an ``experiment`` column.
    """

    control: str
    outcome: str
    alpha: float
    arms: pd.DataFrame
    effects: pd.DataFrame
    checks: list[CheckResult] = field(default_factory=list)
    experiments: list[str] = field(default_factory=list)
    experiment_col: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiments": self.experiments,
            "experiment_col": self.experiment_col,
            "control": self.control,
            "outcome": self.outcome,
            "alpha": self.alpha,
            "arms": self.arms.to_dict(orient="records"),
            "effects": self.effects.to_dict(orient="records"),
            "checks": [c.to_dict() for c in self.checks],
        }

    def to_lift_test(
        self,
        channel: str,
        *,
        arm: str | None = None,
        experiment: str | None = None,
        spend: float,
        delta_spend: float,
        units_per_period: float = 1.0,
        use_cuped: bool = True,
    ) -> LiftTest:
        """Turn an arm's effect into a :class:`LiftTest` for mix-model calibration.

        ``units_per_period`` converts the per-unit effect into an effect per period (e.g.
        the number of users or geos the treatment reaches per week).
        """
        eff = self.effects
        if self.experiments:
            if experiment not in self.experiments:
                raise ConfigError(
                    f"this result holds {len(self.experiments)} experiments; name one with "
                    f"experiment= ({', '.join(self.experiments[:5])} ...)"
                )
            eff = eff[eff["experiment"] == experiment]
        row = eff.iloc[0] if arm is None else eff[eff["arm"] == arm].iloc[0]
        use = use_cuped and np.isfinite(row.get("cuped_diff", np.nan))
        d = row["cuped_diff"] if use else row["diff"]
        se = row["cuped_se"] if use else row["se"]
        return LiftTest(
            channel=channel,
            spend=float(spend),
            delta_spend=float(delta_spend),
            delta_outcome=float(d * units_per_period),
            sigma=float(max(se * units_per_period, 1e-12)),
        )

    def __repr__(self) -> str:
        lines = [f"ExperimentAnalysis(outcome={self.outcome!r}, control={self.control!r})"]
        for _, r in self.effects.iterrows():
            where = f"{r['experiment']} " if "experiment" in r else ""
            lines.append(
                f"  {where}{r['arm']}: diff {r['diff']:.4g} [{r['ci_lo']:.4g}, {r['ci_hi']:.4g}], "
                f"lift {r['relative_lift']:+.1%}, p={r['p_value']:.3g}, "
                f"always-valid p={r['seq_p_value']:.3g}"
            )
        return "\n".join(lines)


def _numeric(series: pd.Series, col: str, source: str = "the experiment data") -> np.ndarray:
    if series.dtype == bool:
        return series.to_numpy(dtype=float)
    values = pd.to_numeric(series, errors="coerce")
    if values.isna().any() and series.notna().any():
        words = series.astype(str).str.strip().str.lower().map(_TRUE_WORDS)
        if words.notna().all():
            return words.to_numpy(dtype=float)
        bad = values.isna() & series.notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataValidationError(
                f"{source}: row {series.index[i] + 1}, field {col!r} has a non-numeric value "
                f"{series.iloc[i]!r}; the outcome and covariate must be numbers (or yes/no)"
            )
    return values.to_numpy(dtype=float)


def _pick_control(arms: list[str], control: str | None) -> str:
    if control is not None:
        if control not in arms:
            raise ConfigError(f"control arm {control!r} not found; arms are {arms}")
        return control
    for a in arms:
        if a.strip().lower() in CONTROL_NAMES or a.strip().lower().startswith("no "):
            return a
    raise ConfigError(
        f"cannot tell which arm is the control among {arms}; name it with --control <arm>"
    )


def _welch(
    m1: float, v1: float, n1: int, m0: float, v0: float, n0: int
) -> tuple[float, float, float]:
    se = math.sqrt(v1 / n1 + v0 / n0)
    num = (v1 / n1 + v0 / n0) ** 2
    den = (v1 / n1) ** 2 / max(n1 - 1, 1) + (v0 / n0) ** 2 / max(n0 - 1, 1)
    dof = num / den if den > 0 else float(n1 + n0 - 2)
    return m1 - m0, se, dof


def _always_valid(diff: float, se: float, tau: float, alpha: float) -> tuple[float, float, float]:
    """Normal-mixture SPRT: confidence sequence half-width and always-valid p-value."""
    V = se**2
    if V <= 0 or tau <= 0:
        return math.nan, math.nan, math.nan
    t2 = tau**2
    half = math.sqrt(V * (V + t2) / t2 * (math.log((V + t2) / V) + 2 * math.log(1 / alpha)))
    log_lr = 0.5 * math.log(V / (V + t2)) + diff**2 * t2 / (2 * V * (V + t2))
    p = min(1.0, math.exp(-log_lr)) if log_lr < 700 else 0.0
    return diff - half, diff + half, p


def _arm_row(a: str, y: np.ndarray, x: np.ndarray | None, g: np.ndarray) -> dict[str, Any]:
    """Units, mean and standard deviation of one arm (and its covariate mean)."""
    row: dict[str, Any] = {
        "arm": a,
        "n": int(g.sum()),
        "mean": float(y[g].mean()),
        "sd": float(y[g].std(ddof=1)) if g.sum() > 1 else math.nan,
    }
    if x is not None:
        row["covariate_mean"] = float(x[g].mean())
    return row


def _effect_row(
    a: str, ctrl: str, y: np.ndarray, g1: np.ndarray, g0: np.ndarray, alpha: float
) -> dict[str, Any]:
    """Welch difference in means of arm ``a`` vs control, with its relative lift."""
    n1, n0 = int(g1.sum()), int(g0.sum())
    if n1 < 2 or n0 < 2:
        raise DataValidationError(
            f"arm {a!r} has {n1} and control {ctrl!r} has {n0} units; each needs at least 2"
        )
    m1, m0 = float(y[g1].mean()), float(y[g0].mean())
    v1, v0 = float(y[g1].var(ddof=1)), float(y[g0].var(ddof=1))
    diff, se, dof = _welch(m1, v1, n1, m0, v0, n0)
    tq = stats.t.ppf(1 - alpha / 2, dof)
    z = stats.norm.ppf(1 - alpha / 2)
    p = float(2 * stats.t.sf(abs(diff / se), dof)) if se > 0 else math.nan
    rel = diff / m0 if m0 != 0 else math.nan
    # delta-method interval for the relative lift
    rel_se = math.sqrt(v1 / n1 / m0**2 + m1**2 * v0 / n0 / m0**4) if m0 != 0 else math.nan
    return {
        "arm": a,
        "control": ctrl,
        "n": n1,
        "n_control": n0,
        "mean": m1,
        "mean_control": m0,
        "diff": diff,
        "se": se,
        "ci_lo": diff - tq * se,
        "ci_hi": diff + tq * se,
        "p_value": p,
        "relative_lift": rel,
        "relative_lift_lo": rel - z * rel_se,
        "relative_lift_hi": rel + z * rel_se,
    }


def _cuped_row(
    y_adj: np.ndarray, g1: np.ndarray, g0: np.ndarray, alpha: float, se: float, theta: float
) -> dict[str, Any]:
    """The same comparison on the CUPED-adjusted outcome, with the variance it removed."""
    n1, n0 = int(g1.sum()), int(g0.sum())
    c1, c0 = float(y_adj[g1].mean()), float(y_adj[g0].mean())
    cd, cse, cdof = _welch(
        c1, float(y_adj[g1].var(ddof=1)), n1, c0, float(y_adj[g0].var(ddof=1)), n0
    )
    ct = stats.t.ppf(1 - alpha / 2, cdof)
    return {
        "cuped_diff": cd,
        "cuped_se": cse,
        "cuped_ci_lo": cd - ct * cse,
        "cuped_ci_hi": cd + ct * cse,
        "cuped_p_value": float(2 * stats.t.sf(abs(cd / cse), cdof)) if cse > 0 else math.nan,
        "variance_reduction": 1 - (cse / se) ** 2 if se > 0 else math.nan,
        "cuped_theta": theta,
    }


def _find_column(
    df: pd.DataFrame,
    given: str | None,
    names: tuple[str, ...],
    used: list[str],
    source: str = "the experiment data",
) -> str | None:
    """The column ``given``, else the first column called one of ``names`` not in ``used``."""
    if given is not None:
        require_columns(df, [given], source)
        return given
    by_name = {str(c).strip().lower(): c for c in df.columns if c not in used}
    return next((by_name[n] for n in names if n in by_name), None)


def _refuse_blank(
    values: pd.Series, col: str, fill: str, source: str = "the experiment data"
) -> None:
    empty = blank_cells(values)
    if empty.any():  # nothing is dropped unseen: an empty cell is the user's to settle
        i = int(values.index[np.flatnonzero(empty)[0]])
        raise DataValidationError(
            f"{source}: row {i + 1}, field {col!r} is empty ({int(empty.sum())} "
            f"such row(s)); fill in {fill} or remove those rows"
        )


def analyze_experiment(
    df: pd.DataFrame,
    *,
    arm_col: str,
    outcome: str,
    covariate: str | None = None,
    control: str | None = None,
    alpha: float = 0.05,
    tau: float | None = None,
    expected_shares: dict[str, float] | None = None,
    ratio: float | None = None,
    experiment_col: str | None = None,
    experiment: str | None = None,
    unit_col: str | None = None,
    source: str = "the experiment data",
) -> ExperimentAnalysis:
    """Compare each arm with the control arm, experiment by experiment.

    Parameters
    ----------
    df : DataFrame
        One row per unit (user, geo, ...) of one experiment, or of several told apart by an
        experiment id column.
    arm_col, outcome : str
        Arm label column and outcome column (numeric or yes/no).
    covariate : str, optional
        Pre-period covariate for CUPED (e.g. the outcome before the test).
    control : str, optional
        Control arm label; detected from common names when omitted.
    alpha : float
        1 - confidence level.
    tau : float, optional
        Scale of plausible effects for the always-valid reading (mixture prior sd);
        default a tenth of the outcome's standard deviation.
    expected_shares : dict, optional
        Planned share of units per arm, for the sample-ratio test.
    ratio : float, optional
        Planned treatment units per control unit (every treatment arm), for the same test;
        without either the arms are tested against an equal split and only flagged for review.
    experiment_col : str, optional
        Experiment id column; by default one called ``experiment_id``, ``experiment`` or
        ``test_id`` when present. Experiments are never pooled: each is analysed on its own
        and the result has one row per experiment and arm.
    experiment : str, optional
        Analyse only this experiment id.
    unit_col : str, optional
        Unit id column, checked for units seen more than once within an experiment; by
        default one called ``unit_id``, ``user_id``, ``customer_id`` or ``id`` when present.
    source : str
        What an error calls the data (the CLI passes the file's name).

    A negative outcome (a refund) is kept as it is; the ``negative_outcome`` check says how
    many there are.
    """
    if not (0 < alpha < 0.5):
        raise ConfigError(f"alpha={alpha!r} must be between 0 and 0.5")
    if ratio is not None and expected_shares:
        raise ConfigError("give the planned split once: ratio or expected_shares, not both")
    if ratio is not None and not (ratio > 0 and math.isfinite(ratio)):
        raise ConfigError(f"ratio (--ratio) {ratio!r} must be a number > 0")
    cols = [arm_col, outcome] + ([covariate] if covariate else [])
    require_columns(df, cols, source)
    exp_col = _find_column(df, experiment_col, EXPERIMENT_COLUMNS, cols, source)
    unit = _find_column(
        df, unit_col, UNIT_COLUMNS, [*cols, *([exp_col] if exp_col else [])], source
    )
    data = df.reset_index(drop=True)
    if exp_col is not None:
        _refuse_blank(data[exp_col], exp_col, "the experiment id", source)
        ids = data[exp_col].astype(str).str.strip()
        if experiment is not None:
            if not (ids == experiment).any():
                known = sorted(set(ids))
                raise NotFoundError(
                    f"no experiment {experiment[:80]!r} in column {exp_col!r}; it holds "
                    f"{len(known)}: {', '.join(known[:10])}{' ...' if len(known) > 10 else ''}"
                )
            data, ids = data[ids == experiment], ids[ids == experiment]
    elif experiment is not None:
        raise ConfigError(
            f"experiment {experiment[:80]!r} was asked for but the data has no experiment id "
            f"column ({', '.join(EXPERIMENT_COLUMNS)}); name it (experiment_col, --experiment-col)"
        )
    for c in cols:
        _refuse_blank(
            data[c], c, "the arm" if c == arm_col else "a number (0 for no conversion)", source
        )
    arm = data[arm_col].astype(str).to_numpy()
    y = _numeric(data[outcome], outcome, source)
    x = _numeric(data[covariate], covariate, source) if covariate else None
    keep = np.isfinite(y) & (np.isfinite(x) if x is not None else True)
    if not keep.all():
        i = int(data.index[np.flatnonzero(~keep)[0]])
        raise DataValidationError(
            f"{source}: row {i + 1}: the outcome or covariate is not a finite "
            "number; fix or remove the row"
        )
    units = data[unit].astype(str).to_numpy() if unit is not None else None
    design = dict(expected_shares) if expected_shares else None

    def read(g: np.ndarray) -> _One:
        """One experiment: the rows ``g``."""
        return _analyze_one(
            arm[g],
            y[g],
            x[g] if x is not None else None,
            units[g] if units is not None else None,
            unit,
            arm_col,
            control=control,
            alpha=alpha,
            tau=tau,
            design=design,
            ratio=ratio,
        )

    names = sorted(set(ids)) if exp_col is not None else []
    note = _negative_note(y, outcome, data.index)
    if exp_col is None or len(names) <= 1:
        res = read(np.ones(len(y), dtype=bool))
        checks = [*res.checks, *([note] if note else [])]
        return ExperimentAnalysis(res.control, outcome, alpha, res.arms, res.effects, checks)
    per: dict[str, _One] = {}
    for e in names:
        try:
            per[e] = read((ids == e).to_numpy())
        except (ConfigError, DataValidationError) as err:
            raise type(err)(f"experiment {e[:80]!r}: {err}") from None
    out = _combine(per, exp_col, outcome, alpha)
    if note:
        out.checks.append(note)
    return out


def _negative_note(y: np.ndarray, outcome: str, index: pd.Index) -> CheckResult | None:
    """One line saying negative outcomes (refunds, returns) were kept as they are."""
    neg = y < 0
    if not neg.any():
        return None
    i = int(index[np.flatnonzero(neg)[0]])
    return CheckResult(
        "negative_outcome",
        Status.PASS,
        f"{int(neg.sum())} row(s) have a negative {outcome!r} (first: row {i + 1}, {y[neg][0]:g}); "
        "kept as they are, as refunds or returns net against the outcome",
        "if the outcome counts conversions, a negative count is an error: fix those rows",
        {"negative_rows": int(neg.sum())},
    )


@dataclass
class _One:
    """One experiment's reading, before it is named."""

    control: str
    arms: pd.DataFrame
    effects: pd.DataFrame
    checks: list[CheckResult]


def _analyze_one(
    arm: np.ndarray,
    y: np.ndarray,
    x: np.ndarray | None,
    units: np.ndarray | None,
    unit_col: str | None,
    arm_col: str,
    *,
    control: str | None,
    alpha: float,
    tau: float | None,
    design: dict[str, float] | None,
    ratio: float | None,
) -> _One:
    labels = sorted(set(arm.tolist()))
    if len(labels) < 2:
        raise DataValidationError(
            f"column {arm_col!r} has {len(labels)} arm(s) {labels}; an experiment needs a control "
            "and at least one treatment arm"
        )
    ctrl = _pick_control(labels, control)
    theta = 0.0
    y_adj = y
    if x is not None:
        vx = float(np.var(x))
        theta = float(np.cov(x, y)[0, 1] / vx) if vx > 0 else 0.0
        y_adj = y - theta * (x - x.mean())
    sd_all = float(np.std(y, ddof=1)) if len(y) > 1 else 0.0
    tau_ = tau if tau is not None else max(0.1 * sd_all, 1e-12)
    groups = {a: arm == a for a in labels}
    arm_rows = [_arm_row(a, y, x, groups[a]) for a in labels]
    eff_rows = []
    g0 = groups[ctrl]
    for a in labels:
        if a == ctrl:
            continue
        row = _effect_row(a, ctrl, y, groups[a], g0, alpha)
        seq_d, seq_se = row["diff"], row["se"]
        if x is not None:
            row.update(_cuped_row(y_adj, groups[a], g0, alpha, row["se"], theta))
            seq_d, seq_se = row["cuped_diff"], row["cuped_se"]
        lo, hi, sp = _always_valid(seq_d, seq_se, tau_, alpha)
        row.update({"seq_ci_lo": lo, "seq_ci_hi": hi, "seq_p_value": sp, "tau": tau_})
        eff_rows.append(row)
    arms_df = pd.DataFrame(arm_rows)
    if ratio is not None:
        design = {a: (1.0 if a == ctrl else ratio) for a in labels}
    checks = _experiment_checks(arms_df, design, arm, x, ctrl)
    if units is not None and unit_col is not None:
        checks.insert(1, _unit_check(units, arm, unit_col))
    return _One(ctrl, arms_df, pd.DataFrame(eff_rows), checks)


def _combine(per: dict[str, _One], exp_col: str, outcome: str, alpha: float) -> ExperimentAnalysis:
    """Experiments read one by one, side by side: one row per experiment and arm."""

    def stack(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(
            [f.assign(experiment=e)[["experiment", *f.columns]] for e, f in frames.items()],
            ignore_index=True,
        )

    arms = stack({e: r.arms for e, r in per.items()})
    effects = stack({e: r.effects for e, r in per.items()})
    controls = sorted({r.control for r in per.values()})
    checks = [
        _merged_check(name, per)
        for name in dict.fromkeys(c.name for r in per.values() for c in r.checks)
    ]
    return ExperimentAnalysis(
        ", ".join(controls), outcome, alpha, arms, effects, checks, list(per), exp_col
    )


def _merged_check(name: str, per: dict[str, _One]) -> CheckResult:
    """One check over several experiments: the worst status, naming the experiments behind it."""
    found = [(e, c) for e, r in per.items() for c in r.checks if c.name == name]
    bad = [(e, c) for e, c in found if c.status is not Status.PASS]
    if not bad:
        message = f"all {len(found)} experiments pass"
    else:
        shown = listed((f"{e}: {c.message}" for e, c in bad), sep="; ")
        message = f"{len(bad)} of {len(found)} experiments - {shown}"
    worst = max((c.status for _, c in found), key=lambda s: s.rank)
    return CheckResult(
        name,
        worst,
        message,
        bad[0][1].recommendation if bad else "",
        {"experiments": {e: c.status.value for e, c in found}},
    )


def _unit_check(units: np.ndarray, arm: np.ndarray, unit_col: str) -> CheckResult:
    """Each unit must be one row in one arm: a repeated unit makes the rows dependent."""
    seen = pd.DataFrame({"unit": units, "arm": arm})
    repeated = seen[seen["unit"].duplicated(keep=False)]
    if repeated.empty:
        return CheckResult("unit_once", Status.PASS, f"each unit ({unit_col!r}) is on one row")
    n_rep = int(repeated["unit"].nunique())
    crossed = int((repeated.groupby("unit")["arm"].nunique() > 1).sum())
    return CheckResult(
        "unit_once",
        Status.FAIL,
        f"{n_rep:,} units ({unit_col!r}) are on more than one row, {crossed:,} of them in more "
        "than one arm, so the rows are not independent units and the intervals are too narrow",
        "make the data one row per unit, each unit in a single arm, before reading the test",
        {"repeated_units": n_rep, "units_in_several_arms": crossed},
    )


def _ratio_check(arms_df: pd.DataFrame, design: dict[str, float] | None) -> CheckResult:
    """Sample-ratio mismatch: chi-square of the arm sizes against the planned split."""
    obs = arms_df.set_index("arm")["n"].astype(float)
    split = "(" + ", ".join(f"{a} {int(n):,}" for a, n in obs.items()) + ")"
    if design is not None:
        if set(design) != set(obs.index):
            raise ConfigError(
                f"the planned split names arms {sorted(design)} but the data has "
                f"{sorted(obs.index)}; give a share for every arm"
            )
        shares = pd.Series(design, dtype=float)[obs.index]
        if not (shares > 0).all():
            raise ConfigError("every arm's planned share must be > 0")
    else:
        shares = pd.Series(1.0, index=obs.index)
    exp = shares / shares.sum() * obs.sum()
    p = float(stats.chisquare(obs.to_numpy(), exp.to_numpy()).pvalue)
    planned = "the planned split" if design is not None else "an equal split"
    details = {"p_value": p, "planned": design is not None}
    if p >= SRM_P:
        msg = f"arm sizes {split} match {planned} (sample-ratio test p={p:.3g})"
        return CheckResult("sample_ratio", Status.PASS, msg, "", details)
    if design is not None:
        return CheckResult(
            "sample_ratio",
            Status.FAIL,
            f"arm sizes {split} do not match the planned split (sample-ratio test p={p:.3g})",
            "assignment or logging is broken; do not trust this test until that is found",
            details,
        )
    return CheckResult(
        "sample_ratio",
        Status.REVIEW,
        f"arm sizes {split} are far from an equal split (sample-ratio test p={p:.3g})",
        "if the test was planned unequal, give its planned ratio (--ratio) to test against it; "
        "otherwise assignment or logging is broken",
        details,
    )


def _experiment_checks(
    arms_df: pd.DataFrame,
    design: dict[str, float] | None,
    arm: np.ndarray,
    x: np.ndarray | None,
    ctrl: str,
) -> list[CheckResult]:
    checks = []
    small = arms_df[arms_df["n"] < MIN_UNITS_PER_ARM]["arm"].tolist()
    checks.append(
        CheckResult(
            "sample_size",
            Status.REVIEW if small else Status.PASS,
            f"arms with fewer than {MIN_UNITS_PER_ARM} units: {small}"
            if small
            else "every arm has enough units for normal-theory intervals",
            "collect more units before reading the test" if small else "",
        )
    )
    checks.append(_ratio_check(arms_df, design))
    if x is not None:
        g0 = arm == ctrl
        worst = 0.0
        for a in set(arm.tolist()) - {ctrl}:
            g1 = arm == a
            pooled = math.sqrt((x[g1].var() + x[g0].var()) / 2) or 1.0
            worst = max(worst, abs(x[g1].mean() - x[g0].mean()) / pooled)
        checks.append(
            CheckResult(
                "covariate_balance",
                Status.REVIEW if worst > 0.1 else Status.PASS,
                f"largest standardised covariate difference between arms is {worst:.3f}",
                "pre-period imbalance: check randomisation" if worst > 0.1 else "",
                {"smd": worst},
            )
        )
    return checks


def _variances(
    baseline: float, mde: float, sd: float | None, relative: bool
) -> tuple[float, float, float]:
    delta = baseline * mde if relative else mde
    if delta == 0:
        raise ConfigError("mde (--mde) must be non-zero: the smallest effect worth detecting")
    if sd is None:
        if not (0 < baseline < 1) or not (0 < baseline + delta < 1):
            raise ConfigError(
                f"baseline {baseline} (+ effect {delta:.4g}) is not a rate in (0, 1); for a "
                "continuous outcome give its standard deviation (sd, --sd)"
            )
        return delta, baseline * (1 - baseline), (baseline + delta) * (1 - baseline - delta)
    if sd <= 0:
        raise ConfigError(f"sd (--sd) {sd!r} must be > 0")
    return delta, sd**2, sd**2


def _check_design(ratio: float, variance_reduction: float) -> None:
    """Refuse a split or a CUPED reduction a test cannot have, naming argument and flag."""
    if not ratio > 0:
        raise ConfigError(
            f"ratio (--ratio) {ratio} must be > 0: the treatment units per control unit"
        )
    if not 0 <= variance_reduction < 1:
        raise ConfigError(
            f"variance_reduction (--variance-reduction) {variance_reduction} must be in [0, 1): "
            "the share of the outcome's variance the covariate removes"
        )


def sample_size(
    baseline: float,
    mde: float,
    *,
    sd: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    relative: bool = False,
    variance_reduction: float = 0.0,
) -> dict[str, Any]:
    """Units per arm needed to detect ``mde`` with the given power (two-sided test).

    Parameters
    ----------
    baseline : float
        Control mean (a rate in (0, 1) when ``sd`` is omitted).
    mde : float
        Minimum detectable effect, absolute (or relative to baseline with ``relative=True``).
    sd : float, optional
        Outcome standard deviation for continuous outcomes.
    ratio : float
        Treatment units per control unit.
    variance_reduction : float
        Expected CUPED variance reduction (``rho**2`` of outcome and covariate), in [0, 1).
    """
    if not (0 < alpha < 0.5) or not (0.5 <= power < 1):
        raise ConfigError(
            f"alpha (--alpha) {alpha} must be in (0, 0.5) and power (--power) {power} in [0.5, 1)"
        )
    _check_design(ratio, variance_reduction)
    delta, v0, v1 = _variances(baseline, mde, sd, relative)
    k = 1 - variance_reduction
    za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    n0 = (za + zb) ** 2 * k * (v0 + v1 / ratio) / delta**2
    n0 = math.ceil(n0)
    n1 = math.ceil(n0 * ratio)
    return {
        "n_per_arm": n0 if ratio == 1 else None,
        "n_control": n0,
        "n_treatment": n1,
        "n_total": n0 + n1,
        "effect": delta,
        "alpha": alpha,
        "power": power,
    }


def power(
    n_control: int,
    baseline: float,
    mde: float,
    *,
    sd: float | None = None,
    alpha: float = 0.05,
    ratio: float = 1.0,
    relative: bool = False,
    variance_reduction: float = 0.0,
) -> float:
    """Power of a two-sided test with ``n_control`` control units (and ``ratio`` x treated)."""
    if n_control < 2:
        raise ConfigError(f"n_control={n_control} must be at least 2")
    _check_design(ratio, variance_reduction)
    delta, v0, v1 = _variances(baseline, mde, sd, relative)
    se = math.sqrt((1 - variance_reduction) * (v0 / n_control + v1 / (n_control * ratio)))
    za = stats.norm.ppf(1 - alpha / 2)
    return float(stats.norm.cdf(abs(delta) / se - za) + stats.norm.cdf(-abs(delta) / se - za))


def minimum_detectable_effect(
    n_control: int,
    baseline: float,
    *,
    sd: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    variance_reduction: float = 0.0,
) -> float:
    """Smallest absolute effect detectable with ``n_control`` units (normal approximation)."""
    if n_control < 2:
        raise ConfigError(f"n_control={n_control} must be at least 2")
    _check_design(ratio, variance_reduction)
    v = baseline * (1 - baseline) if sd is None else sd**2
    if sd is None and not (0 < baseline < 1):
        raise ConfigError(
            f"baseline {baseline} is not a rate in (0, 1); for a continuous outcome give its "
            "standard deviation (sd, --sd)"
        )
    za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    return float(
        (za + zb)
        * math.sqrt((1 - variance_reduction) * v * (1 / n_control + 1 / (n_control * ratio)))
    )


def experiment_arms(store: Store) -> pd.DataFrame:
    """Units, revenue and conversions per experiment, strategy and arm in the store."""
    t = store.table("experiments")
    return store.execute(
        t.group_by(["experiment_id", "strategy", "arm"]).aggregate(
            units=t.count(), revenue=t.revenue.sum(), conversions=t.conversions.sum()
        )
    )


def analyze_stored_experiment(
    store: Store,
    experiment_id: str,
    *,
    outcome: str = "revenue",
    alpha: float = 0.05,
    ratio: float | None = None,
) -> ExperimentAnalysis:
    """:func:`analyze_experiment` on one experiment of the store's ``experiments`` table.

    The arm called ``control`` is the control; CUPED uses ``pre_period`` when the experiment
    recorded it. ``ratio`` is the planned treatment units per control unit the sample-ratio
    test checks against (default: an equal split).

    Raises
    ------
    NotFoundError
        No experiment has that id.
    """
    if outcome not in ("revenue", "conversions"):
        raise ConfigError(f"outcome={outcome!r} must be revenue or conversions")
    t = store.table("experiments")
    df = store.execute(t.filter(t.experiment_id == experiment_id))
    if df.empty:
        raise NotFoundError(
            f"no experiment {experiment_id[:80]!r} in the store; list them with "
            "GET /api/v1/experiments"
        )
    cov = "pre_period" if df["pre_period"].notna().any() else None
    return analyze_experiment(
        df,
        arm_col="arm",
        outcome=outcome,
        covariate=cov,
        control="control",
        alpha=alpha,
        ratio=ratio,
    )
