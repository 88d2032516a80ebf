"""KPIs as backend-portable Ibis expressions, by any dimension, and the strategy comparison.

Quickstart
----------
>>> from micromix.metrics import RATIOS
>>> RATIOS["cpm"].scale
1000.0
"""

from __future__ import annotations

from micromix.metrics.kpis import (
    GRAINS,
    KPI_COLUMNS,
    MEASURES,
    RATIOS,
    SOURCES,
    Ratio,
    compute_kpis,
    get_ratio,
    kpi_expr,
    measure_exprs,
    register_ratio,
    resolve_source,
)

__all__ = [
    "GRAINS",
    "KPI_COLUMNS",
    "MEASURES",
    "RATIOS",
    "SOURCES",
    "Ratio",
    "compute_kpis",
    "get_ratio",
    "kpi_expr",
    "measure_exprs",
    "register_ratio",
    "resolve_source",
]
