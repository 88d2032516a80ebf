"""Measurement and budget commands: ``mmm fit``, ``optimize``, ``experiment analyze|plan``.

Thin layer: parse arguments, call :mod:`micromix.measurement` / :mod:`micromix.optimize`,
print or write results.

Quickstart
----------
::

    micromix mmm fit --data weekly.csv --date-col date_week --target y --channels x1,x2 \\
        --controls event_1,event_2 --output out/mmm
    micromix optimize --model out/mmm --budget 50 --bounds x2=5:30
    micromix experiment analyze --data test.csv --arm-col arm --outcome spend --covariate pre
"""

from __future__ import annotations

from pathlib import Path

import typer

from micromix.cli._common import (
    console,
    date_order,
    emit_frame,
    emit_json,
    out_path,
    print_checks,
    progress_bar,
    read_input,
    run_command,
    write_csv,
)

__all__ = ["experiment_app", "mmm_app", "register"]

mmm_app = typer.Typer(
    help="Marketing-mix model: incremental contribution, ROAS, response curves.",
    no_args_is_help=True,
)
experiment_app = typer.Typer(
    help="Holdout / lift tests: analysis and sample-size planning.", no_args_is_help=True
)


def _names(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or []:
        out += [s.strip() for s in v.split(",") if s.strip()]
    return tuple(out)


@mmm_app.command("fit")
def mmm_fit(
    data: Path = typer.Option(..., "--data", help="CSV/Parquet/JSONL file, one row per period."),
    date_col: str = typer.Option(..., "--date-col", help="Date column."),
    target: str = typer.Option(..., "--target", help="Outcome column (revenue or conversions)."),
    channels: list[str] = typer.Option(
        ..., "--channels", help="Paid channels (spend), comma-separated."
    ),
    organic: list[str] = typer.Option(None, "--organic", help="Organic channels (no spend)."),
    controls: list[str] = typer.Option(None, "--controls", help="Control / event columns."),
    outcome: str = typer.Option(
        "auto",
        "--outcome",
        help="What --target counts: revenue (reported as ROAS), conversions (as CPA) or auto "
        "(conversions when the column's name says so).",
    ),
    output: Path = typer.Option(Path("mmm_output"), "--output", help="Folder for the results."),
    adstock: str = typer.Option("geometric", help="Adstock curve: geometric, delayed, weibull."),
    saturation: str = typer.Option("logistic", help="Saturation curve: logistic, hill."),
    l_max: int = typer.Option(8, "--l-max", help="Maximum carry-over in periods."),
    trend: str = typer.Option("linear", help="Trend: linear, quadratic, none."),
    seasonality: int = typer.Option(2, help="Yearly Fourier order (0 = none)."),
    lift_tests: Path = typer.Option(
        None, "--lift-tests", help="CSV with channel,spend,delta_spend,delta_outcome,sigma."
    ),
    horizon: int = typer.Option(None, help="Planning horizon in periods (default min(52, rows))."),
    draws: int = typer.Option(300, help="Parameter draws for intervals."),
    currency: str = typer.Option(
        None, "--currency", help="ISO code of the spend (and revenue), e.g. EUR; shown on money."
    ),
    holdout: bool = typer.Option(True, help="Also score a time-split holdout."),
    dayfirst: bool = typer.Option(False, "--dayfirst", help="Dates like 03/04/2024 are day-first."),
    monthfirst: bool = typer.Option(
        False, "--monthfirst", help="Dates like 03/04/2024 are month-first."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Fit the mix model; write contributions.csv, summary.json and model.json to --output."""

    def body() -> None:
        from micromix.measurement import MarketingMixModel, MMMSpec, lift_tests_from_frame

        order = date_order(dayfirst, monthfirst)
        df = read_input(data)
        tests = (
            lift_tests_from_frame(read_input(lift_tests), str(lift_tests), dayfirst=order)
            if lift_tests is not None
            else ()
        )
        spec = MMMSpec(
            date_col=date_col,
            target=target,
            outcome=outcome.strip().lower(),
            channels=_names(channels),
            organic=_names(organic),
            controls=_names(controls),
            adstock=adstock,
            saturation=saturation,
            l_max=l_max,
            trend=trend,
            yearly_seasonality=seasonality,
            lift_tests=tests,
            n_draws=draws,
            currency=currency,
        )
        with progress_bar(not as_json) as update:
            update("fitting", 0.1)
            model = MarketingMixModel(spec=spec, horizon=horizon).fit(
                df, source=str(data), dayfirst=order
            )
            update("checking", 0.6)
            checks = model.review(holdout=holdout)
            update("writing", 0.9)
            doc = model.write_results(output, checks)
            update("done", 1.0)
        if as_json:
            emit_json(doc)
            return
        r = model.ratio_name
        summary = model.summary()
        units = model.spend_units_
        # a channel whose column is not money shows what its 'spend' counts
        summary["spend_unit"] = [
            units[c]["unit"] if c in units else spec.currency or "money" if k == "paid" else "-"
            for c, k in zip(summary["channel"], summary["kind"])
        ]
        emit_frame(
            summary[
                [
                    "channel",
                    "kind",
                    "spend",
                    *(["spend_unit"] if units else []),
                    "contribution",
                    "contribution_lo",
                    "contribution_hi",
                    "effect",
                    r,
                    f"marginal_{r}",
                ]
            ],
            title=f"Incremental contribution to {target} ({model.outcome}; "
            f"{spec.interval:.0%} intervals; money in {spec.money_unit})",
        )
        for c in checks:
            console.print(str(c), highlight=False)
        console.print(
            f"wrote {output}/contributions.csv, summary.json, model.json "
            f"(fit in {model.fit_seconds_:.2f} s)"
        )

    run_command(body)


def optimize_cmd(
    model: Path = typer.Option(..., "--model", help="Folder written by 'micromix mmm fit'."),
    budget: float = typer.Option(
        None, "--budget", help="Total budget over the planning horizon (default: the current one)."
    ),
    bounds: str = typer.Option(None, "--bounds", help="Per-channel bounds: ch=lo:hi,ch2=lo:"),
    locked: str = typer.Option(None, "--locked", help="Fixed spends: ch=amount,..."),
    min_spend: str = typer.Option(None, "--min-spend", help="Minimum spends: ch=amount,..."),
    target_roas: float = typer.Option(
        None, "--target-roas", help="Find the largest budget meeting this ROAS instead."
    ),
    target_cpa: float = typer.Option(
        None, "--target-cpa", help="Find the largest budget meeting this CPA (conversion models)."
    ),
    extrapolate: bool = typer.Option(
        False,
        "--extrapolate",
        help="Let channels go beyond 2x the most they were ever given (default: capped there).",
    ),
    currency: str = typer.Option(
        None, "--currency", help="ISO code of the budget (default: the one the model was fit in)."
    ),
    output: Path = typer.Option(None, "--output", help="Write the plan (.json or .csv)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Recommend a budget allocation from a fitted mix model, compared with the current one."""

    def body() -> None:
        from micromix.jsonutil import dumps
        from micromix.measurement import MMMSpec, load_mmm
        from micromix.optimize import parse_amounts, parse_bounds, recommend_budget

        m = load_mmm(model)
        code = m.spec.currency
        if currency is not None:  # validated as the fit validates it
            code = MMMSpec.from_dict({**m.spec.to_dict(), "currency": currency}).currency
        unit = code or m.spec.money_unit
        if m.spend_units_:  # channels whose 'spend' is a count (the spend_units check says so)
            unit += "; " + ", ".join(f"{c} in {u['unit']}" for c, u in m.spend_units_.items())
        rec = recommend_budget(
            m,
            budget,
            target_roas=target_roas,
            target_cpa=target_cpa,
            bounds=parse_bounds(bounds, m.channels),
            locked=parse_amounts(locked, m.channels, "--locked"),
            min_spend=parse_amounts(min_spend, m.channels, "--min-spend"),
            extrapolate=extrapolate,
        )
        doc = {
            "model": str(model),
            "horizon_periods": m.horizon_,
            "currency": code,
            "money_unit": unit,
            **rec.to_dict(),
        }
        if output is not None:
            p = out_path(output)
            assert p is not None
            if p.suffix.lower() == ".csv":
                write_csv(rec.recommended.to_frame(), p, announce=False)
            else:
                p.write_text(dumps(doc, indent=2))
        if as_json:
            emit_json(doc)
            return
        emit_frame(
            rec.recommended.to_frame(),
            title=f"Recommended allocation of {rec.budget:,.2f} over {m.horizon_} periods "
            f"(money in {unit})",
        )
        ratio = rec.recommended.ratio_name
        emit_frame(
            rec.scenarios[["scenario", "spend", "outcome", "outcome_lo", "outcome_hi", ratio]],
            title=f"Current mix (same budget) vs recommended (money in {unit})",
        )
        print_checks(rec.checks, quiet_pass=True)

    run_command(body)


@experiment_app.command("analyze")
def experiment_analyze(
    data: Path = typer.Option(..., "--data", help="One row per unit."),
    arm_col: str = typer.Option(..., "--arm-col", help="Arm label column."),
    outcome: str = typer.Option(..., "--outcome", help="Outcome column (numeric or yes/no)."),
    covariate: str = typer.Option(None, "--covariate", help="Pre-period covariate for CUPED."),
    control: str = typer.Option(None, "--control", help="Control arm label (auto-detected)."),
    experiment: str = typer.Option(None, "--experiment", help="Analyse only this experiment id."),
    experiment_col: str = typer.Option(
        None, "--experiment-col", help="Experiment id column (default: experiment_id if present)."
    ),
    unit_col: str = typer.Option(
        None, "--unit-col", help="Unit id column (default: unit_id, user_id ... if present)."
    ),
    ratio: float = typer.Option(
        None, "--ratio", help="Planned treatment units per control unit (sample-ratio test)."
    ),
    alpha: float = typer.Option(0.05, help="1 - confidence level."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Difference in means with intervals, CUPED and an always-valid reading per arm.

    Several experiments in one file (an experiment_id column) are read each on its own, one
    row per experiment and arm; --experiment picks one.
    """

    def body() -> None:
        from micromix.measurement import analyze_experiment

        df = read_input(data)
        res = analyze_experiment(
            df,
            arm_col=arm_col,
            outcome=outcome,
            covariate=covariate,
            control=control,
            alpha=alpha,
            ratio=ratio,
            experiment_col=experiment_col,
            experiment=experiment,
            unit_col=unit_col,
            source=str(data),
        )
        if as_json:
            emit_json(res.to_dict())
            return
        cols = ["arm", "diff", "ci_lo", "ci_hi", "p_value", "relative_lift"]
        title = f"Effect vs control {res.control!r}"
        if res.experiments:
            console.print(
                f"{len(res.experiments)} experiments in column {res.experiment_col!r}, each read "
                "on its own (--experiment ID for one)",
                highlight=False,
            )
            cols = ["experiment", "arm", "n", "n_control", *cols[1:]]
            title = f"Effect vs control per experiment ({outcome})"
        else:
            emit_frame(res.arms, title=f"Arms ({outcome})")
        if covariate:
            cols += ["cuped_diff", "cuped_ci_lo", "cuped_ci_hi", "variance_reduction"]
        cols += ["seq_ci_lo", "seq_ci_hi", "seq_p_value"]
        emit_frame(res.effects[cols], title=title)
        for c in res.checks:
            console.print(str(c), highlight=False)

    run_command(body)


@experiment_app.command("plan")
def experiment_plan(
    baseline: float = typer.Option(..., help="Control mean (a rate in (0,1) without --sd)."),
    mde: float = typer.Option(..., help="Smallest effect worth detecting (absolute)."),
    sd: float = typer.Option(None, help="Outcome standard deviation (continuous outcomes)."),
    alpha: float = typer.Option(0.05),
    power: float = typer.Option(0.8),
    ratio: float = typer.Option(1.0, help="Treatment units per control unit."),
    relative: bool = typer.Option(False, help="Read --mde as relative to --baseline."),
    variance_reduction: float = typer.Option(0.0, help="Expected CUPED variance reduction."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Sample size per arm for a lift test."""

    def body() -> None:
        from micromix.measurement import sample_size

        res = sample_size(
            baseline,
            mde,
            sd=sd,
            alpha=alpha,
            power=power,
            ratio=ratio,
            relative=relative,
            variance_reduction=variance_reduction,
        )
        if as_json:
            emit_json(res)
            return
        console.print(
            f"control: {res['n_control']:,} units, treatment: {res['n_treatment']:,} units "
            f"(total {res['n_total']:,}) to detect {res['effect']:.4g} at alpha={alpha}, "
            f"power={power}"
        )

    run_command(body)


def register(app: typer.Typer) -> None:
    """Attach ``mmm``, ``optimize`` and ``experiment`` to the root app."""
    app.add_typer(mmm_app, name="mmm")
    app.command("optimize")(optimize_cmd)
    app.add_typer(experiment_app, name="experiment")
