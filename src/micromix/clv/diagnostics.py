"""How good is a CLV fit: holdout accuracy, the tracking plot and Check objects.

* :func:`holdout_metrics` — predicted against actual repeat purchases in the holdout period,
  in aggregate and per customer (MAE, RMSE);
* :func:`holdout_by_frequency` — the same, averaged by calibration frequency (Fader, Hardie &
  Lee's "conditional expectations" figure);
* :func:`tracking_frame` / :func:`tracking_chart_spec` — cumulative repeat purchases per period,
  actual against the model, over calibration and holdout (the "tracking plot"), as data and as a
  Vega-Lite spec that the report and the CLI render;
* :func:`fit_checks` — :class:`~micromix.checks.CheckResult` objects for the CLI, API and report.

Quickstart
----------
>>> import numpy as np
>>> from micromix.clv.models import BetaGeoModel
>>> from micromix.clv.diagnostics import holdout_metrics
>>> truth = BetaGeoModel.from_params({"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5})
>>> data = truth.sample(np.full(2000, 39.0), 39.0, random_state=2)
>>> data["duration_holdout"] = 39.0
>>> m = holdout_metrics(truth, data)
>>> sorted(m)[:3]
['actual_repeat_purchases', 'customers', 'duration']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from micromix.checks import CheckResult, Status
from micromix.clv.data import TIME_UNITS
from micromix.clv.models import PurchaseModel
from micromix.clv.spend import GammaGammaModel
from micromix.errors import ConfigError

__all__ = [
    "VEGA_LITE_SCHEMA",
    "fit_checks",
    "holdout_by_frequency",
    "holdout_metrics",
    "tracking_chart_spec",
    "tracking_frame",
]


def _need_holdout(summary: pd.DataFrame) -> None:
    if "frequency_holdout" not in summary or "duration_holdout" not in summary:
        raise ConfigError(
            "the summary has no holdout period; build it with a holdout end (--holdout-end)"
        )


def holdout_metrics(model: PurchaseModel, summary: pd.DataFrame) -> dict[str, float]:
    """Holdout forecast accuracy of ``model`` on ``summary`` (which needs a holdout).

    Returns
    -------
    dict
        ``actual_repeat_purchases``, ``predicted_repeat_purchases`` (sums over customers),
        ``error_pct`` (predicted / actual - 1, in %), ``mae_per_customer``,
        ``rmse_per_customer``, ``customers`` and ``duration`` (periods).
    """
    _need_holdout(summary)
    duration = float(np.asarray(summary["duration_holdout"])[0])
    pred = model.expected_purchases(summary, duration)
    actual = np.asarray(summary["frequency_holdout"], dtype=float)
    err = pred - actual
    total_actual = float(actual.sum())
    total_pred = float(pred.sum())
    return {
        "actual_repeat_purchases": total_actual,
        "predicted_repeat_purchases": total_pred,
        "error_pct": 100 * (total_pred / total_actual - 1) if total_actual > 0 else float("nan"),
        "mae_per_customer": float(np.mean(np.abs(err))),
        "rmse_per_customer": float(np.sqrt(np.mean(err**2))),
        "customers": len(actual),
        "duration": duration,
    }


def holdout_by_frequency(
    model: PurchaseModel, summary: pd.DataFrame, *, max_frequency: int = 7
) -> pd.DataFrame:
    """Mean actual and predicted holdout purchases by calibration frequency (``max_frequency``
    and above pooled in one row labelled ``"7+"``)."""
    _need_holdout(summary)
    duration = float(np.asarray(summary["duration_holdout"])[0])
    pred = model.expected_purchases(summary, duration)
    x = np.asarray(summary["frequency"], dtype=float)
    label = np.where(x >= max_frequency, f"{max_frequency}+", x.astype(int).astype(str))
    df = pd.DataFrame(
        {"frequency": label, "actual": summary["frequency_holdout"].to_numpy(), "predicted": pred}
    )
    out = df.groupby("frequency", sort=False).agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    order = [str(i) for i in range(max_frequency)] + [f"{max_frequency}+"]
    return out.reindex([o for o in order if o in out.index]).reset_index()


def tracking_frame(
    model: PurchaseModel, daily: pd.DataFrame, summary: pd.DataFrame
) -> pd.DataFrame:
    """Cumulative repeat purchases per period, actual and predicted by the model.

    Parameters
    ----------
    model : PurchaseModel
        Fitted purchase model.
    daily : DataFrame
        :func:`micromix.clv.data.daily_purchases` output the summary was built from.
    summary : DataFrame
        The RFM summary (its ``attrs`` give the calibration and holdout ends and the unit).

    Returns
    -------
    DataFrame
        ``period`` (1, 2, ...), ``period_end`` (date), ``phase`` (``calibration`` /
        ``holdout``), ``actual``, ``predicted`` (repeat purchases in the period) and
        ``actual_cumulative``, ``predicted_cumulative``. The prediction for each customer is the
        model's unconditional expectation since their first purchase (Fader, Hardie & Lee's
        Figure 3), so the calibration part shows fit and the holdout part forecast.
    """
    unit = TIME_UNITS[summary.attrs.get("time_unit", "W")]
    cal = pd.Timestamp(summary.attrs["calibration_end"])
    end = pd.Timestamp(summary.attrs.get("holdout_end") or summary.attrs["calibration_end"])
    first = pd.to_datetime(summary["first_purchase"])
    start = first.min()
    span_days = (end - start).days + 1  # the end day is included
    n_periods = int(np.ceil(span_days / unit))
    ends_days = np.minimum(np.arange(1, n_periods + 1) * unit, span_days)
    period_end = start + pd.to_timedelta(np.ceil(ends_days) - 1, unit="D")
    # actual: repeat purchase days (after each customer's first) of summarised customers
    pos = summary.index.get_indexer(daily["customer_id"])
    day = daily["date"].to_numpy(dtype="datetime64[D]")
    first_day = first.to_numpy(dtype="datetime64[D]")
    known = pos >= 0
    rep_days = day[known][
        (day[known] > first_day[pos[known]]) & (day[known] <= np.datetime64(end.date()))
    ]
    idx = ((rep_days - np.datetime64(start.date())).astype(np.int64) / unit).astype(int)
    actual = np.bincount(np.minimum(idx, n_periods - 1), minlength=n_periods).astype(float)
    # predicted: sum over customers of E[X(time since first purchase)], grouped by birth day
    births = ((first - start).dt.days).value_counts()
    b_days = births.index.to_numpy(dtype=float)
    counts = births.to_numpy(dtype=float)
    t = np.maximum(ends_days[:, None] - b_days[None, :], 0.0) / unit
    flat = model.expected_purchases_new(t.ravel()).reshape(t.shape)
    pred_cum = flat @ counts
    cal_days = (cal - start).days + 1
    return pd.DataFrame(
        {
            "period": np.arange(1, n_periods + 1),
            "period_end": period_end.date if hasattr(period_end, "date") else period_end,
            "phase": np.where(ends_days <= cal_days + 1e-9, "calibration", "holdout"),
            "actual": actual,
            "predicted": np.diff(np.concatenate([[0.0], pred_cum])),
            "actual_cumulative": np.cumsum(actual),
            "predicted_cumulative": pred_cum,
        }
    )


#: Vega-Lite schema of the specs this module writes (plain dicts: charting libraries are the
#: report's business, not the domain's)
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def tracking_chart_spec(
    tracking: pd.DataFrame, *, title: str = "Cumulative repeat purchases", unit: str = "week"
) -> dict[str, Any]:
    """The tracking plot as a JSON-safe Vega-Lite spec (data inlined).

    Two lines (actual, model) of cumulative repeat purchases by period, and a dashed rule at the
    end of calibration.
    """
    y = "cumulative repeat purchases"
    values = [
        {"period": int(p), "series": name, y: round(float(v), 3)}
        for name, col in (("actual", "actual_cumulative"), ("model", "predicted_cumulative"))
        for p, v in zip(tracking["period"], tracking[col])
    ]
    series = {"domain": ["actual", "model"]}
    lines: dict[str, Any] = {
        "data": {"values": values},
        "mark": {"type": "line"},
        "encoding": {
            "x": {"field": "period", "type": "quantitative", "title": unit},
            "y": {"field": y, "type": "quantitative"},
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "legend": {"orient": "top-left"},
                "scale": {**series, "range": ["#222222", "#1f5fa8"]},
            },
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "scale": {**series, "range": [[1, 0], [6, 3]]},
            },
            "tooltip": [
                {"field": "period", "type": "quantitative"},
                {"field": "series", "type": "nominal"},
                {"field": y, "type": "quantitative", "format": ",.0f"},
            ],
        },
    }
    layers: list[dict[str, Any]] = [lines]
    cal = tracking.loc[tracking["phase"] == "calibration", "period"]
    if len(cal) and (tracking["phase"] == "holdout").any():
        layers.append(
            {
                "data": {"values": [{"period": float(cal.max()), "label": "end of calibration"}]},
                "mark": {"type": "rule", "strokeDash": [2, 2], "color": "#888888"},
                "encoding": {
                    "x": {"field": "period", "type": "quantitative"},
                    "tooltip": [{"field": "label", "type": "nominal"}],
                },
            }
        )
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": 560,
        "height": 320,
        "layer": layers,
    }
    return _clean(spec)


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def fit_checks(
    purchase_model: PurchaseModel,
    spend_model: GammaGammaModel | None,
    summary: pd.DataFrame,
    holdout: dict[str, float] | None = None,
) -> list[CheckResult]:
    """Diagnostics of a CLV fit as Check objects (pass / review / fail, with what to do)."""
    out: list[CheckResult] = []
    n_rep = int((summary["frequency"] > 0).sum())
    out.append(
        CheckResult(
            "clv_repeat_buyers",
            Status.PASS if n_rep >= 100 else Status.REVIEW,
            f"{n_rep:,} of {len(summary):,} customers made a repeat purchase in calibration",
            "" if n_rep >= 100 else "estimates rest on few repeat buyers: use a longer calibration",
            {"repeat_buyers": n_rep, "customers": len(summary)},
        )
    )
    extreme = [k for k, v in purchase_model.params_.items() if abs(np.log(v)) > 12]
    if getattr(purchase_model, "covariance_", None) is None and purchase_model.interval != "none":
        out.append(
            CheckResult(
                "clv_identification",
                Status.FAIL,
                f"the {purchase_model.label} log-likelihood is flat in some direction at the "
                "optimum, so parameter intervals cannot be computed and are not reported",
                "use a longer calibration period, more customers or another model",
            )
        )
    elif extreme:
        out.append(
            CheckResult(
                "clv_identification",
                Status.REVIEW,
                f"{purchase_model.label} parameter(s) {', '.join(extreme)} ran to an extreme "
                "value: the data barely inform that part of the model (often: too little "
                "dropout seen in calibration)",
                "compare with another model (--model) and check the holdout forecast",
                {k: purchase_model.params_[k] for k in extreme},
            )
        )
    else:
        out.append(
            CheckResult(
                "clv_identification",
                Status.PASS,
                f"the {purchase_model.label} parameters are identified (positive definite "
                "Hessian, no parameter at an extreme)",
            )
        )
    if spend_model is not None:
        rep = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
        corr = (
            float(np.corrcoef(rep["frequency"], rep["monetary_value"])[0, 1])
            if len(rep) > 2 and rep["frequency"].nunique() > 1
            else float("nan")
        )
        ok = not np.isfinite(corr) or abs(corr) <= 0.3
        out.append(
            CheckResult(
                "clv_spend_independence",
                Status.PASS if ok else Status.REVIEW,
                f"correlation of purchase frequency and average spend among repeat buyers is "
                f"{corr:.2f}",
                ""
                if ok
                else "the Gamma-Gamma model assumes they are independent; treat spend "
                "predictions for frequent buyers with care",
                {"correlation": corr},
            )
        )
    if holdout is not None:
        err = abs(holdout["error_pct"])
        status = Status.PASS if err <= 10 else Status.REVIEW
        out.append(
            CheckResult(
                "clv_holdout",
                status,
                f"holdout forecast {holdout['predicted_repeat_purchases']:,.0f} repeat purchases "
                f"against {holdout['actual_repeat_purchases']:,.0f} actual "
                f"({holdout['error_pct']:+.1f}%), MAE {holdout['mae_per_customer']:.3f} per customer",
                ""
                if status is Status.PASS
                else "the forecast misses the holdout by more than 10%: "
                "compare models (--model) or check for a change in the business",
                dict(holdout),
            )
        )
        hold_end = summary.attrs.get("holdout_end")
        last = summary.attrs.get("last_purchase_day")
        if hold_end and last and pd.Timestamp(hold_end) > pd.Timestamp(last):
            gap = (pd.Timestamp(hold_end) - pd.Timestamp(last)).days
            out.append(
                CheckResult(
                    "clv_holdout_window",
                    Status.REVIEW,
                    f"the holdout ends {gap} day(s) after the last purchase in the data "
                    f"({last}); if the data stop earlier than the holdout, the actual count is "
                    "too low",
                    "set --holdout-end to the last day the data cover",
                )
            )
    out += _calibration_window_checks(summary, holdout is not None)
    return out


def _calibration_window_checks(summary: pd.DataFrame, has_holdout: bool) -> list[CheckResult]:
    """Whether the calibration period matches the data: an end after the last purchase makes
    every customer look older and quieter than the data show; purchases after it, with no
    holdout to test on, are left unused."""
    cal, last = summary.attrs.get("calibration_end"), summary.attrs.get("last_purchase_day")
    if not cal or not last:
        return []
    out = []
    gap = (pd.Timestamp(cal) - pd.Timestamp(last)).days
    if gap > 0 and not has_holdout:
        out.append(
            CheckResult(
                "clv_calibration_window",
                Status.REVIEW,
                f"the calibration ends {gap} day(s) after the last purchase in the data "
                f"({last}); if the data stop earlier, every customer looks {gap} day(s) older "
                "and quieter than they are, which lowers their predicted CLV",
                "set --calibration-end to the last day the data cover (or leave it out)",
                {"days_after_last_purchase": gap},
            )
        )
    unused = int(summary.attrs.get("purchase_days_after_calibration", 0))
    if unused and not has_holdout:
        out.append(
            CheckResult(
                "clv_unused_purchases",
                Status.REVIEW,
                f"{unused:,} purchase day(s) after the calibration end ({cal}) are not used: "
                "the model neither learns from them nor is tested on them",
                f"pass --holdout-end {last} to test the forecast on them, or leave "
                "--calibration-end out to learn from them",
                {"purchase_days_after_calibration": unused},
            )
        )
    return out
