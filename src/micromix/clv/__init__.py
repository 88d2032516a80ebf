"""micromix.clv: customer lifetime value - which customers (and which strategies) are worth keeping.

Buy-till-you-die purchase models (BG/NBD, MBG/NBD, Pareto/NBD) and the Gamma-Gamma spend model,
fitted by maximum likelihood on RFM summaries of a transactions table (any file, or the store's
purchase events), with calibration/holdout splitting, discounted CLV over a horizon and
intervals from the Laplace approximation or a parametric bootstrap. Layers: :mod:`.data`
(transactions -> RFM), :mod:`.models` and :mod:`.spend` (estimators), :mod:`.value` (CLV),
:mod:`.diagnostics` (holdout, tracking plot, checks), :mod:`.pipeline` (one call),
:mod:`.returns` (CLV and lifetime ROAS by acquisition strategy from a store). Method notes
and the CDNOW validation: ``docs/clv.md``.

Quickstart
----------
>>> from micromix.clv import BetaGeoModel, GammaGammaModel, fit_clv, simulate_transactions
>>> truth = BetaGeoModel.from_params({"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5})
>>> spend = GammaGammaModel.from_params({"p": 6.0, "q": 4.0, "gamma": 15.0})
>>> tx = simulate_transactions(truth, spend, customers=2000, random_state=3)
>>> res = fit_clv(tx, calibration_end="1997-09-30", holdout_end="1998-06-30", n_draws=50)
>>> res.model in ("bgnbd", "pareto")
True
>>> list(res.to_dict()["spend_params"])
['p', 'q', 'gamma']
"""

from __future__ import annotations

from micromix.clv.data import (
    ACQUISITION_BASES,
    ACQUISITION_DIMENSIONS,
    TIME_UNITS,
    acquisition_groups,
    acquisition_spend,
    daily_purchases,
    rfm_summary,
    summary_from_daily,
    transactions_from_store,
)
from micromix.clv.diagnostics import (
    fit_checks,
    holdout_by_frequency,
    holdout_metrics,
    tracking_chart_spec,
    tracking_frame,
)
from micromix.clv.models import (
    INTERVAL_METHODS,
    MODELS,
    BetaGeoModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    PurchaseModel,
    get_model,
    model_from_dict,
)
from micromix.clv.pipeline import (
    AUTO_CANDIDATES,
    GROUP_INTERVAL,
    GROUP_MODEL,
    MIN_GROUP_REPEAT_BUYERS,
    MODEL_CHOICES,
    CLVResult,
    clv_by_group,
    fit_clv,
    fit_purchase_model,
)
from micromix.clv.returns import (
    conversion_values,
    incremental_lifetime,
    lifetime_returns,
    new_customer_values,
)
from micromix.clv.spend import GammaGammaModel
from micromix.clv.synthetic import simulate_transactions
from micromix.clv.value import (
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_HORIZON,
    customer_value,
    discounted_purchases,
    latent_total_draws,
)

__all__ = [
    "ACQUISITION_BASES",
    "ACQUISITION_DIMENSIONS",
    "AUTO_CANDIDATES",
    "DEFAULT_DISCOUNT_RATE",
    "DEFAULT_HORIZON",
    "GROUP_INTERVAL",
    "GROUP_MODEL",
    "INTERVAL_METHODS",
    "MIN_GROUP_REPEAT_BUYERS",
    "MODELS",
    "MODEL_CHOICES",
    "TIME_UNITS",
    "BetaGeoModel",
    "CLVResult",
    "GammaGammaModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "PurchaseModel",
    "acquisition_groups",
    "acquisition_spend",
    "clv_by_group",
    "conversion_values",
    "customer_value",
    "daily_purchases",
    "discounted_purchases",
    "fit_checks",
    "fit_clv",
    "fit_purchase_model",
    "get_model",
    "holdout_by_frequency",
    "holdout_metrics",
    "incremental_lifetime",
    "latent_total_draws",
    "lifetime_returns",
    "model_from_dict",
    "new_customer_values",
    "rfm_summary",
    "simulate_transactions",
    "summary_from_daily",
    "tracking_chart_spec",
    "tracking_frame",
    "transactions_from_store",
]
