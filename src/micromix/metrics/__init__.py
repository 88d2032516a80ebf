"""KPIs as backend-portable Ibis expressions, by any dimension, and the strategy comparison.

Quickstart
----------
>>> from micromix.metrics import RATIOS, resolve_kpis
>>> RATIOS["cpm"].scale
1000.0
>>> resolve_kpis("posts", "emv, engagement_rate_per_view")
('emv', 'engagement_rate_per_view')
"""

from __future__ import annotations

from micromix.metrics.currency import (
    CURRENCY_SYMBOLS,
    StoreCurrency,
    currency_symbol,
    kpi_currency,
    store_currency,
)
from micromix.metrics.fx import FxRates
from micromix.metrics.kpis import (
    GRAINS,
    KPI_COLUMNS,
    MEASURES,
    POST_KPI_COLUMNS,
    RATIOS,
    SOURCES,
    KpiPlan,
    Ratio,
    clear_query_cache,
    compute_kpis,
    get_ratio,
    kpi_expr,
    kpi_plan,
    measure_exprs,
    query_cache_info,
    register_ratio,
    resolve_kpis,
    resolve_source,
)

__all__ = [
    "CURRENCY_SYMBOLS",
    "GRAINS",
    "KPI_COLUMNS",
    "MEASURES",
    "POST_KPI_COLUMNS",
    "RATIOS",
    "SOURCES",
    "FxRates",
    "KpiPlan",
    "Ratio",
    "StoreCurrency",
    "clear_query_cache",
    "compute_kpis",
    "currency_symbol",
    "get_ratio",
    "kpi_currency",
    "kpi_expr",
    "kpi_plan",
    "measure_exprs",
    "query_cache_info",
    "register_ratio",
    "resolve_kpis",
    "resolve_source",
    "store_currency",
]
