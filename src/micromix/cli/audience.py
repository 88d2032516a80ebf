"""``micromix audience ...`` and ``micromix privacy ...``: thin wrappers over
:mod:`micromix.audience` (parse arguments, call the library, print)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from micromix.cli._common import (
    BACKEND_HELP,
    DB_HELP,
    ORDER_COL_OPTION,
    ORDER_VALUE_OPTION,
    QUANTITY_COL_OPTION,
    SKIP_MISSING_IDS_OPTION,
    SKIP_RETURNS_OPTION,
    console,
    emit_frame,
    emit_json,
    err_console,
    open_store,
    print_checks,
    print_purchase_notes,
    progress_bar,
    read_input,
    run_command,
    styled,
    write_csv,
)
from micromix.errors import ConfigError

if TYPE_CHECKING:  # pandas is imported by the commands that run, not by ``--help``
    import pandas as pd

__all__ = ["audience_app", "privacy_app", "register"]

audience_app = typer.Typer(
    help="Segments, uplift models, budgeted targeting (mass vs micro), fairness audit.",
    no_args_is_help=True,
)
privacy_app = typer.Typer(help="Privacy guardrails and the right to erasure.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Attach the ``audience`` and ``privacy`` groups to ``app``."""
    app.add_typer(audience_app, name="audience")
    app.add_typer(privacy_app, name="privacy")


def _split(value: str | None) -> list[str]:
    return [f.strip() for f in value.split(",") if f.strip()] if value else []


def _read(path: Path, what: str) -> pd.DataFrame:

    df = read_input(path)
    if len(df) == 0:
        raise ConfigError(f"{path}: the {what} file has a header but no rows")
    return df


def _consent_sources(
    df: pd.DataFrame,
    audience: Path | None,
    db: str | None,
    backend: str | None = None,
    id_column: str = "user_id",
) -> tuple[pd.DataFrame, set[str]]:
    """Consent from --audience (else the store's table) and the erased people of --db, matched
    on ``id_column`` (--id)."""
    from micromix.audience.workflows import with_consent

    people = _read(audience, "audience") if audience is not None else None
    if db is None:
        return with_consent(df, audience=people, id_column=id_column)
    with open_store(db, backend, read_only=True) as store:
        return with_consent(df, audience=people, store=store, id_column=id_column)


_UNIT_HELP = (
    "What the uplift counts: conversions or value (money). Default: what 'audience uplift' "
    "wrote in the scores (scored_outcome_unit), else the --outcome's values, else conversions."
)


#: options 'audience target' and 'audience compare' share
_SCORES_OPTION: Any = typer.Option(..., "--scores", help="Scored rows (from 'audience uplift').")
_BUDGET_OPTION: Any = typer.Option(..., "--budget", help="Money available for contacts.")
_MASS_COST_OPTION: Any = typer.Option(
    None,
    "--mass-cost-per-contact",
    help="Cost of one mass contact (default: --cost-per-contact).",
)
_AUDIENCE_OPTION: Any = typer.Option(
    None, "--audience", help="Audience table with consent flags, matched on user_id (or --id)."
)
_UPLIFT_COL_OPTION: Any = typer.Option(
    None, "--uplift-col", help="Uplift column (default: uplift or uplift_<arm>)."
)
_CURRENCY_OPTION: Any = typer.Option(
    None,
    "--currency",
    help="Currency of the budget, costs and money outcomes, for labels (e.g. USD).",
)


def _amounts_sentence(spec: Any) -> str:
    """What the money figures are in, said once under the tables."""
    return f"amounts (budget, cost, incremental value) are in {spec.amounts}"


def _figures_sentence(table: pd.DataFrame) -> str:
    """Whether the compare table's figures (CPA above all) are observed or predicted."""
    if "observed_incremental_cpa" in table.columns:
        return (
            "observed vs predicted CPA: observed_incremental_cpa is the cost per incremental "
            "conversion the experiment shows, predicted_incremental_cpa the model's (--json "
            "names the observed figures without the prefix; its 'source' column says which)"
        )
    if any(c.startswith("observed_") for c in table.columns):
        return (
            "observed_* figures are measured on the experiment; predicted_* are the model's "
            "(--json names the figures without the prefix; its 'source' column says which)"
        )
    return (
        "every figure is the model's prediction (predicted_*: the sum of predicted uplift), "
        "not a measurement; pass --treatment and --outcome of a held-out experiment to observe"
    )


def _observed_sentence(summary: dict[str, Any], spec: Any) -> str | None:
    """The audience's observed lift, leading the targeting summary (None when not measured)."""
    key = "incremental_value" if spec.money else "incremental_conversions"
    got = summary.get(f"observed_{key}")
    if got is None:
        return None
    pred = summary[f"expected_{key}"]
    cpa = summary.get("observed_incremental_cpa")
    observed_cpa = (
        f", observed incremental CPA {cpa:,.2f} (95% "
        f"{summary['observed_incremental_cpa_low']:,.2f} to "
        f"{summary['observed_incremental_cpa_high']:,.2f})"
        if cpa is not None
        else ""
    )
    predicted_cpa = (
        f" (predicted incremental CPA {summary['expected_incremental_cpa']:,.2f})"
        if cpa is not None and "expected_incremental_cpa" in summary
        else ""
    )
    return (
        f"observed {spec.incremental} of this audience in {summary['observed_on']} "
        f"(ranked by scores that did not see their outcomes): {got:,.2f} "
        f"(95% {summary[f'observed_{key}_low']:,.2f} to {summary[f'observed_{key}_high']:,.2f})"
        f"{observed_cpa}; the model predicts {pred:,.2f}{predicted_cpa}"
    )


def _labelled(summary: dict[str, Any]) -> pd.DataFrame:
    """The targeting summary as one row for the text table: the model's figures called
    ``predicted_...`` beside the ``observed_...`` ones (the older duplicate keys ``roi`` and
    ``incremental_cpa`` left out; ``--json`` keeps every key)."""
    row = {
        (f"predicted_{k[len('expected_') :]}" if k.startswith("expected_") else k): v
        for k, v in summary.items()
        if k not in ("roi", "incremental_cpa") or f"expected_{k}" not in summary
    }
    import pandas as pd

    return pd.DataFrame([row])


def _unit_sentence(outcome: str, unit: str) -> str:
    """What ``audience uplift`` recorded about its outcome's unit."""
    if unit == "value":
        return (
            f"outcome '{outcome}' is an amount of money: the uplift is incremental {outcome} "
            "per person, and target/compare count it as money (no --value-per-conversion)"
        )
    return (
        f"outcome '{outcome}' counts conversions: target/compare value each one at "
        "--value-per-conversion (if it is an amount of money, rerun with --outcome-unit value)"
    )


def _money_sentence(outcome: str | None, column: str, roi: str = "roi") -> str:
    """How a money outcome's figures read (printed under the tables), naming the columns as
    the table above them does."""
    what = outcome or "outcome"
    return (
        f"the uplift is money: {column} is the incremental {what} (revenue), not "
        f"conversions; {roi} = (incremental {what} - cost) / cost"
    )


def _conversion_value(
    text: str | None,
    df: pd.DataFrame,
    db: str | None,
    backend: str | None,
    segment: str | None,
    horizon: float,
    unit: str,
    outcome: str | None,
) -> tuple[float, pd.DataFrame | None]:
    """--value-per-conversion: an amount, or ``clv`` (adds each row's value to ``df``); for
    money uplift, left out (1)."""
    from micromix.audience.policy import VALUE_COLUMN
    from micromix.audience.units import money_refusal, value_per_unit

    if text is None:
        return value_per_unit(None, unit, outcome), None
    if unit == "value" and text.strip().lower() == "clv":
        raise ConfigError(money_refusal("clv", outcome))
    if text.strip().lower() != "clv":
        try:
            return float(text), None
        except ValueError:
            raise ConfigError(
                f"--value-per-conversion {text!r} is neither an amount nor 'clv'; pass e.g. 40 "
                "or clv"
            ) from None
    if db is None:
        raise ConfigError(
            "--value-per-conversion clv needs --db: the store whose purchases the customer "
            "lifetime value is fitted on"
        )
    from micromix.clv import conversion_values

    with open_store(db, backend, read_only=True) as store, progress_bar() as update:
        update("fitting customer lifetime value", 0.1)
        values, table = conversion_values(store, df, segment_col=segment, horizon=horizon)
    df[VALUE_COLUMN] = values.to_numpy()
    return float(values.mean()), table


# --------------------------------------------------------------------------- audience uplift
@audience_app.command("uplift")
def uplift_cmd(
    data: Path = typer.Option(
        ..., "--data", help="Experiment rows to train on (CSV/Parquet/JSONL)."
    ),
    treatment: str = typer.Option(
        ..., "--treatment", help="Treatment column (0/1, Yes/No or arm names)."
    ),
    outcome: str = typer.Option(
        ..., "--outcome", help="Outcome column: 0/1 (visit, conversion) or a number (spend)."
    ),
    outcome_unit: str = typer.Option(
        "auto",
        "--outcome-unit",
        help=(
            "What the outcome counts: conversions (0/1 or a count), value (an amount of money) "
            "or auto (fractional values are money). Written into the scores for target/compare."
        ),
    ),
    control_value: str = typer.Option(
        None,
        "--control-value",
        help="Value of the control group (default: recognises 0/No/False/control).",
    ),
    features: str = typer.Option(
        "auto", "--features", help="Comma-separated feature columns, or 'auto'."
    ),
    learner: str = typer.Option(
        "t", "--learner", help="s, t, x, dr, ct, or auto (best cross-validated Qini)."
    ),
    base: str = typer.Option("lightgbm", "--base", help="Base models: lightgbm or linear."),
    score: Path = typer.Option(None, "--score", help="File to score (default: --data)."),
    output: Path = typer.Option(
        None, "--output", "-o", help="Write the scored rows here as CSV (default: stdout)."
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed (folds and models)."),
    folds: int = typer.Option(
        5,
        "--folds",
        help=(
            "Cross-fitting folds when scoring the training rows (no --score): each row is "
            "scored by a model trained on the other folds (out-of-fold); at least 2."
        ),
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the run summary as JSON (needs --output)."
    ),
) -> None:
    """Train an uplift model and write scored rows with `uplift` (or `uplift_<arm>`)."""

    def body() -> None:
        from micromix.audience.scoring import score_uplift
        from micromix.errors import DataValidationError

        if as_json and output is None:
            raise ConfigError("--json prints the run summary; pass --output for the scored rows")
        train = _read(data, "training")
        to_score = _read(score, "scoring") if score is not None else None
        with progress_bar() as update:
            update("reading", 0.05)
            try:
                run = score_uplift(
                    train,
                    treatment=treatment,
                    outcome=outcome,
                    control=control_value,
                    features=features,
                    learner=learner,
                    base=base,
                    score=to_score,
                    seed=seed,
                    progress=update,
                    outcome_unit=outcome_unit,
                    folds=folds,
                )
            except DataValidationError as err:  # a cell of the training file: name the file
                raise DataValidationError(f"{data}: {err}") from None
        write_csv(run.scored, output, announce=False)
        if as_json:
            emit_json(run.to_dict())
            return
        target = console if output is not None else err_console
        ate = ", ".join(f"{a}: {v:+.4f}" for a, v in run.ate.items())
        target.print(
            f"{run.learner}-learner on {run.n_train:,} rows, {len(run.features)} feature(s) "
            f"({', '.join(run.features[:8])}{'...' if len(run.features) > 8 else ''}); "
            f"observed effect vs '{run.control}': {ate}",
            highlight=False,
            soft_wrap=True,
        )
        target.print(_unit_sentence(run.outcome, run.outcome_unit), highlight=False, soft_wrap=True)
        if run.folds:
            target.print(
                f"scores are out-of-fold ({run.folds}-fold cross-fitting): each row was scored "
                "by a model that did not see it; the model for --score files is fitted on all "
                "rows",
                highlight=False,
                soft_wrap=True,
            )
        if run.n_excluded_train or run.n_unscored:
            target.print(
                f"not profiled (minors / no ad consent): {run.n_excluded_train:,} "
                f"training rows, {run.n_unscored:,} scored rows left empty",
                highlight=False,
            )
        # the failed checks, and the note that negative amounts (refunds) were kept
        print_checks(
            [c for c in run.checks if c.status.value != "pass" or c.name == "negative_outcome"]
        )
        if output is not None:
            console.print(f"wrote {len(run.scored):,} scored rows to {output}", highlight=False)

    run_command(body)


# --------------------------------------------------------------------------- audience target
@audience_app.command("target")
def target_cmd(
    scores: Path = _SCORES_OPTION,
    budget: float = _BUDGET_OPTION,
    cost_per_contact: float = typer.Option(
        ..., "--cost-per-contact", help="Cost of one (micro)targeted contact."
    ),
    value_per_conversion: str = typer.Option(
        None,
        "--value-per-conversion",
        help=(
            "Value of one incremental conversion: an amount, or 'clv' for the person's segment's "
            "predicted customer lifetime value (first purchase + discounted repeat purchases; "
            "needs --db with purchase events). Required when the uplift is conversions; left "
            "out when it is money (spend)."
        ),
    ),
    outcome_unit: str = typer.Option("auto", "--outcome-unit", help=_UNIT_HELP),
    clv_segment: str = typer.Option(
        None, "--clv-segment", help="Scores column whose segments get their own CLV (with clv)."
    ),
    clv_horizon: float = typer.Option(
        52.0, "--clv-horizon", help="CLV horizon in weeks (with --value-per-conversion clv)."
    ),
    platform: str = typer.Option(
        None, "--platform", help="meta, google, linkedin or tiktok (minimum audience size)."
    ),
    policy: str = typer.Option("micro", "--policy", help="micro (rank by uplift), mass or hybrid."),
    mass_cost_per_contact: float = _MASS_COST_OPTION,
    special_ad_category: str = typer.Option(
        None,
        "--special-ad-category",
        help="housing, employment, credit or financial_services (disables microtargeting).",
    ),
    features: str = typer.Option(
        None, "--features", help="Targeting criteria / model features to check (comma-separated)."
    ),
    audience: Path = _AUDIENCE_OPTION,
    id_column: str = typer.Option(
        "user_id",
        "--id",
        help="Column that identifies a person in --scores and --audience (consent is matched on it).",
    ),
    db: str = typer.Option(None, "--db", help="Store with the audience table and the erasure log."),
    backend: str = typer.Option(None, "--backend", help=BACKEND_HELP),
    min_audience: int = typer.Option(
        None, "--min-audience", help="Override the platform's minimum audience size."
    ),
    uplift_col: str = _UPLIFT_COL_OPTION,
    currency: str = _CURRENCY_OPTION,
    output: Path = typer.Option(None, "--output", "-o", help="Write who to contact here as CSV."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Choose who to contact under a budget; refuses when a privacy guardrail fails."""

    def body() -> None:
        from micromix.audience.policy import TargetingSpec, target
        from micromix.audience.units import parse_unit, resolve_unit
        from micromix.audience.workflows import platform_name, privacy_policy

        plat = platform_name(platform)
        df = _read(scores, "scores")
        name, unit = resolve_unit(df, stated=parse_unit(outcome_unit), source=f"{scores}")
        value, segments = _conversion_value(
            value_per_conversion, df, db, backend, clv_segment, clv_horizon, unit, name
        )
        spec = TargetingSpec(
            budget=budget,
            cost_per_contact=cost_per_contact,
            value_per_conversion=value,
            mass_cost_per_contact=mass_cost_per_contact,
            outcome_unit=unit,
            outcome=name,
            currency=currency,
        )
        df, erased = _consent_sources(df, audience, db, backend, id_column)
        res = target(
            df,
            spec,
            policy=policy.strip().lower(),
            platform=plat,
            special_ad_category=special_ad_category,
            features=_split(features),
            erased=erased,
            privacy=privacy_policy(min_audience, plat),
            uplift_col=uplift_col,
        )
        if output is not None:
            write_csv(res.audience, output, announce=False)
        if as_json:
            emit_json(
                {
                    **res.summary,
                    "value_per_conversion": value_per_conversion.strip().lower()
                    if segments is not None
                    else None
                    if spec.money
                    else value,
                    "clv_segments": segments.reset_index().to_dict(orient="records")
                    if segments is not None
                    else None,
                    "currency": currency,
                    "output": str(output) if output else None,
                    "checks": [c.to_dict() for c in res.checks],
                }
            )
            return
        if segments is not None:
            emit_frame(
                segments.reset_index(),
                title=f"value of a conversion: new-customer CLV over {clv_horizon:g} weeks",
            )
        lead = _observed_sentence(res.summary, spec)
        if lead is not None:
            console.print(lead, highlight=False, soft_wrap=True)
        emit_frame(_labelled(res.summary), title=f"{res.policy} targeting")
        if spec.money:
            console.print(
                _money_sentence(spec.outcome, "expected_incremental_value"),
                highlight=False,
                soft_wrap=True,
            )
        console.print(_amounts_sentence(spec), highlight=False, soft_wrap=True)
        print_checks(res.checks)
        if output is not None:
            console.print(f"wrote {len(res.audience):,} contacts to {output}", highlight=False)

    run_command(body)


# --------------------------------------------------------------------------- audience compare
@audience_app.command("compare")
def compare_cmd(
    scores: Path = _SCORES_OPTION,
    budget: float = _BUDGET_OPTION,
    cost_per_contact: float = typer.Option(
        ..., "--cost-per-contact", help="Cost of one microtargeted contact."
    ),
    value_per_conversion: float = typer.Option(
        None,
        "--value-per-conversion",
        help=(
            "Value of one incremental conversion. Required when the uplift is conversions; left "
            "out when it is money (spend)."
        ),
    ),
    outcome_unit: str = typer.Option("auto", "--outcome-unit", help=_UNIT_HELP),
    mass_cost_per_contact: float = _MASS_COST_OPTION,
    hybrid_share: float = typer.Option(
        0.5, "--hybrid-share", help="Budget share the hybrid policy microtargets."
    ),
    goal: str = typer.Option("conversions", "--goal", help="conversions or awareness."),
    treatment: str = typer.Option(
        None,
        "--treatment",
        help=(
            "Treatment column of a held-out experiment (observed lift). With several arms each "
            "contacted person is sent the arm with the highest uplift and each arm is measured "
            "on the people sent it: received that arm vs control."
        ),
    ),
    outcome: str = typer.Option(None, "--outcome", help="Outcome column of a held-out experiment."),
    control_value: str = typer.Option(
        None, "--control-value", help="Control value of --treatment."
    ),
    bootstrap: int = typer.Option(
        200, "--bootstrap", help="Bootstrap resamples for the intervals."
    ),
    audience: Path = _AUDIENCE_OPTION,
    db: str = typer.Option(
        None,
        "--db",
        help="Store with the audience table and the erasure log (as 'audience target --db').",
    ),
    backend: str = typer.Option(None, "--backend", help=BACKEND_HELP),
    uplift_col: str = _UPLIFT_COL_OPTION,
    currency: str = _CURRENCY_OPTION,
    seed: int = typer.Option(0, "--seed", help="Random seed for the bootstrap intervals."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Mass vs micro vs hybrid targeting: reach, cost, incremental conversions, CPA, ROI."""

    def body() -> None:
        from micromix.audience.policy import TargetingSpec, compare_policies
        from micromix.audience.units import parse_unit, resolve_unit, value_per_unit

        if (treatment is None) != (outcome is None):
            raise ConfigError("pass both --treatment and --outcome (observed lift) or neither")
        df = _read(scores, "scores")
        name, unit = resolve_unit(
            df, stated=parse_unit(outcome_unit), outcome=outcome, source=f"{scores}"
        )
        spec = TargetingSpec(
            budget=budget,
            cost_per_contact=cost_per_contact,
            value_per_conversion=value_per_unit(value_per_conversion, unit, name),
            mass_cost_per_contact=mass_cost_per_contact,
            hybrid_share=hybrid_share,
            goal=goal.strip().lower(),
            outcome_unit=unit,
            outcome=name,
            currency=currency,
        )
        df, erased = _consent_sources(df, audience, db, backend)
        res = compare_policies(
            df,
            spec,
            treatment=treatment,
            outcome=outcome,
            control=control_value,
            uplift_col=uplift_col,
            erased=erased,
            n_bootstrap=bootstrap,
            seed=seed,
        )
        if as_json:
            emit_json(res.to_dict())
            return
        table = res.labelled_table()
        emit_frame(table, title="targeting policies under one budget")
        console.print(res.basis, highlight=False, soft_wrap=True)
        console.print(_figures_sentence(table), highlight=False, soft_wrap=True)
        if spec.money:  # the column as the table above names it
            value = next((c for c in table.columns if c.endswith("incremental_value")), "")
            roi = next((c for c in table.columns if c.endswith("roi")), "roi")
            console.print(
                _money_sentence(spec.outcome, value or "incremental_value", roi),
                highlight=False,
                soft_wrap=True,
            )
        console.print(_amounts_sentence(spec), highlight=False, soft_wrap=True)
        if res.arms["arm"].nunique() > 1:
            emit_frame(res.arms, title="observed lift per arm sent")
        console.print(
            styled("winner: ", (str(res.winner), "bold"), f" - {res.reason}"), soft_wrap=True
        )
        print_checks(res.checks, quiet_pass=True)

    run_command(body)


# --------------------------------------------------------------------------- audience audit
@audience_app.command("audit")
def audit_cmd(
    data: Path = typer.Option(..., "--data", help="Scored rows with the protected attribute."),
    attribute: str = typer.Option(
        ..., "--attribute", help="Protected attribute held for auditing (e.g. gender)."
    ),
    targets: Path = typer.Option(
        None, "--targets", help="Output of 'audience target' (selected = listed there)."
    ),
    selected: str = typer.Option(
        None, "--selected", help="Or: a 0/1 column of --data saying who was targeted."
    ),
    id_column: str = typer.Option(
        "user_id",
        "--id",
        help=(
            "Column that identifies a person in both --data and --targets (one row per person "
            "in each; every targeted id must be in --data)."
        ),
    ),
    uplift_col: str = typer.Option(
        None,
        "--uplift-col",
        help=(
            "Predicted uplift column (default: 'uplift'; with uplift_<arm> columns, the uplift "
            "of the arm each person would be sent, the highest)."
        ),
    ),
    threshold: float = typer.Option(
        0.8, "--threshold", help="Disparate-impact ratio that is flagged."
    ),
    features: str = typer.Option(
        None, "--features", help="The model's features (the attribute must not be one)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the audit as JSON."),
) -> None:
    """Fairness audit of who was targeted: selection rate and uplift per group, 80% rule."""

    def body() -> None:
        from micromix.audience.fairness import fairness_audit
        from micromix.audience.workflows import mark_selected

        if (targets is None) == (selected is None):
            raise ConfigError(
                "say who was targeted: --targets FILE (the output of 'audience target') or "
                "--selected COLUMN (a 0/1 column of --data), one of them"
            )
        df = _read(data, "data")
        sel = selected
        if targets is not None:
            df = mark_selected(
                df,
                _read(targets, "targets"),
                id_column=id_column,
                data_source=f"the data ({data})",
                targets_source=f"the targets ({targets})",
            )
            sel = "selected"
        rep = fairness_audit(
            df,
            attribute,
            selected=sel,
            uplift=uplift_col if uplift_col is not None else "auto",
            threshold=threshold,
            features=_split(features),
        )
        if as_json:
            emit_json(rep.to_dict())
            return
        emit_frame(rep.groups, title=f"fairness audit by {attribute}")
        if rep.uplift_note:
            console.print(rep.uplift_note, highlight=False, soft_wrap=True)
        console.print(
            f"disparate impact {rep.disparate_impact:.3f} (flag below {threshold}), "
            f"demographic-parity difference {rep.parity_difference:.3f}",
            highlight=False,
        )
        print_checks(rep.checks)

    run_command(body)


# --------------------------------------------------------------------------- audience evaluate
@audience_app.command("evaluate")
def evaluate_cmd(
    scores: Path = typer.Option(
        ..., "--scores", help="Scored held-out rows with treatment and outcome."
    ),
    treatment: str = typer.Option(..., "--treatment", help="Treatment column."),
    outcome: str = typer.Option(..., "--outcome", help="Outcome column."),
    control_value: str = typer.Option(
        None, "--control-value", help="Control value of --treatment."
    ),
    uplift_col: str = typer.Option(
        None, "--uplift-col", help="Uplift column (default: every uplift column)."
    ),
    k: float = typer.Option(0.3, "--k", help="Fraction for uplift@k."),
    bootstrap: int = typer.Option(
        200, "--bootstrap", help="Bootstrap resamples for the intervals."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Qini coefficient, Qini area, AUUC and uplift@k with bootstrap intervals."""

    def body() -> None:
        from micromix.audience.evaluation import evaluate_scores

        out = evaluate_scores(
            _read(scores, "scores"),
            treatment=treatment,
            outcome=outcome,
            control=control_value,
            uplift_col=uplift_col,
            k=k,
            n_bootstrap=bootstrap,
        )
        if as_json:
            emit_json(out.to_dict(orient="records"))
            return
        # uplift@k named with its k: the treated minus the control mean outcome in the top k
        out["metric"] = out["metric"].replace("uplift_at_k", f"uplift_at_{k:g}")
        emit_frame(
            out,
            title=f"uplift evaluation (95% bootstrap intervals; uplift_at_{k:g}: treated minus "
            f"control mean {outcome} among the top {k:.0%} by uplift)",
        )

    run_command(body)


# --------------------------------------------------------------------------- audience segment
@audience_app.command("segment")
def segment_cmd(
    data: Path = typer.Option(
        ..., "--data", help="One row per person (or per transaction for RFM)."
    ),
    method: str = typer.Option("kmeans", "--method", help="kmeans, gmm or rfm."),
    features: str = typer.Option(
        "auto", "--features", help="Comma-separated features or 'auto' (clustering)."
    ),
    k: str = typer.Option("4", "--k", help="Number of segments, or 'auto'."),
    kpis: str = typer.Option(None, "--kpis", help="Comma-separated KPI columns to profile."),
    customer: str = typer.Option("user_id", "--customer", help="RFM: customer column."),
    date: str = typer.Option("ts", "--date", help="RFM: date column."),
    amount: str = typer.Option("revenue", "--amount", help="RFM: amount column."),
    quantity_col: str | None = QUANTITY_COL_OPTION,
    order_col: str | None = ORDER_COL_OPTION,
    order_value: str | None = ORDER_VALUE_OPTION,
    skip_missing_ids: bool = SKIP_MISSING_IDS_OPTION,
    skip_returns: bool = SKIP_RETURNS_OPTION,
    k_anonymity: int = typer.Option(
        None, "--k-anonymity", help="Suppress profile rows with fewer people (default 10)."
    ),
    output: Path = typer.Option(
        None, "--output", "-o", help="Write each row with its segment as CSV."
    ),
    currency: str = typer.Option(
        None, "--currency", help="Currency of money KPIs and RFM's monetary, for labels (USD)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the profiles as JSON."),
) -> None:
    """RFM or clustering segments with readable, k-anonymous profiles."""

    def body() -> None:
        from micromix.audience.workflows import segment_people

        n_seg: int | str = "auto" if k.strip() == "auto" else _int(k, "--k")
        run = segment_people(
            _read(data, "data"),
            method=method,
            features=features if features.strip() == "auto" else _split(features),
            n_segments=n_seg,
            kpis=_split(kpis),
            customer=customer,
            date=date,
            amount=amount,
            k_anonymity=k_anonymity,
            source=str(data),
            purchases={
                "quantity_col": quantity_col,
                "order_col": order_col,
                "order_value": order_value,
                "skip_missing_ids": skip_missing_ids,
                "skip_returns": skip_returns,
            },
            currency=currency,
        )
        print_purchase_notes(
            data, run.rows.attrs.get("left_out", {}), run.rows.attrs.get("orders"), order_col
        )
        for note in run.notes:
            err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
        if run.label_column != "segment":
            err_console.print(
                f"note: the data has a 'segment' column of its own; each row's segment is in "
                f"'{run.label_column}'",
                highlight=False,
                soft_wrap=True,
            )
        if output is not None:
            write_csv(run.rows, output, announce=False)
        if as_json:
            emit_json(run.to_dict())
            return
        emit_frame(run.profiles, title=f"{run.method} segments")
        console.print(
            "units: " + "; ".join(f"{c} = {u}" for c, u in run.units.items()),
            highlight=False,
            soft_wrap=True,
        )
        if run.suppressed:
            console.print(
                f"{run.suppressed} segment(s) with fewer than {run.k_anonymity} people "
                "suppressed (k-anonymity)"
            )

    run_command(body)


def _int(text: str, flag: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{flag} must be a whole number or 'auto', got {text!r}") from None


# --------------------------------------------------------------------------- privacy
@privacy_app.command("erase")
def erase_cmd(
    user_id: str = typer.Argument(..., help="Pseudonymous id of the person to erase."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    backend: str = typer.Option(None, "--backend", help=BACKEND_HELP),
    record_unknown: bool = typer.Option(
        False,
        "--record-unknown",
        help="Record the erasure of an id no row holds yet (kept out of future exports).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Delete a person from every store table and write an audit record."""

    def body() -> None:
        from micromix.audience.privacy import erase_user
        from micromix.errors import StoreError

        try:
            store = open_store(db, backend)
        except StoreError as exc:
            if "in use" not in str(exc):
                raise
            raise StoreError(
                f"{exc}; if it is 'micromix serve', erase through the server instead: "
                "POST /api/v1/privacy/erase with an admin key and "
                + (
                    '{"user_id": "...", "record_unknown": true}'
                    if record_unknown
                    else '{"user_id": "..."}'
                )
            ) from None
        with store:
            res = erase_user(store, user_id, record_unknown=record_unknown)
        if as_json:
            emit_json(res.to_dict())
            return
        if res.already_erased:
            console.print(
                f"already erased (subject {res.subject_hash[:12]}...): no row holds the id; "
                "nothing done, no new audit record",
                highlight=False,
            )
            return
        per = ", ".join(f"{t}: {n}" for t, n in res.deleted.items() if n) or "no rows found"
        console.print(
            f"erased {res.total} row(s) ({per}); audit record written "
            f"(subject {res.subject_hash[:12]}...)",
            highlight=False,
        )

    run_command(body)


@privacy_app.command("check")
def check_cmd(
    audience_file: Path = typer.Option(
        ..., "--audience", help="The audience to export (one row per person)."
    ),
    platform: str = typer.Option(None, "--platform", help="meta, google, linkedin or tiktok."),
    policy: str = typer.Option("micro", "--policy", help="micro, hybrid or mass."),
    features: str = typer.Option(
        None, "--features", help="Targeting criteria / model features (comma-separated)."
    ),
    special_ad_category: str = typer.Option(
        None, "--special-ad-category", help="housing, employment, credit or financial_services."
    ),
    min_audience: int = typer.Option(
        None, "--min-audience", help="Override the minimum audience size."
    ),
    db: str = typer.Option(None, "--db", help="Store with the erasure log."),
    backend: str = typer.Option(None, "--backend", help=BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
) -> None:
    """Run every export guardrail on an audience file; exit 3 when one fails."""

    def body() -> None:
        from micromix.audience.privacy import audit_audience, enforce
        from micromix.audience.workflows import platform_name, privacy_policy

        plat = platform_name(platform)
        df, erased = _consent_sources(_read(audience_file, "audience"), None, db, backend)
        checks = audit_audience(
            df,
            platform=plat,
            targeting=policy.strip().lower(),
            features=_split(features),
            special_ad_category=special_ad_category,
            erased=erased,
            policy=privacy_policy(min_audience, plat),
        )
        if as_json:
            emit_json([c.to_dict() for c in checks])
        else:
            print_checks(checks)
        enforce(checks)

    run_command(body)
