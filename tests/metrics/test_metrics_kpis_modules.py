"""The KPI engine is split into modules along its seams (catalogue, measures, finishing,
notes, query cache); every name stays importable from micromix.metrics.kpis and
micromix.metrics, and the query cache is one."""

from __future__ import annotations

import pandas as pd

from micromix import metrics
from micromix.metrics import catalogue, finish, kpis, measures, notes, querycache
from micromix.store import Store

_ONCE_IN_KPIS = (
    "EMV_CURRENCY",
    "GRAINS",
    "IMPRESSION_VIEWS",
    "KPI_COLUMNS",
    "MEASURES",
    "POST_KPI_COLUMNS",
    "POST_MEASURES",
    "POST_RATIOS",
    "QUERY_CACHE_SIZE",
    "RATIOS",
    "RATIOS_WITHIN",
    "SOURCES",
    "UNIT_KEY",
    "VIEWS_MEASURES",
    "KpiPlan",
    "Ratio",
    "clear_query_cache",
    "compute_kpis",
    "get_ratio",
    "kpi_expr",
    "kpi_plan",
    "measure_exprs",
    "price_organic_impressions",
    "query_cache_info",
    "register_ratio",
    "resolve_kpis",
    "resolve_source",
    "restricted",
)


def test_every_name_of_the_engine_is_still_importable_from_kpis() -> None:
    home = {
        "catalogue": catalogue,
        "measures": measures,
        "finish": finish,
        "querycache": querycache,
    }
    for name in _ONCE_IN_KPIS:
        assert hasattr(kpis, name), name
        owners = [m for m, mod in home.items() if name in vars(mod)]
        # one definition, re-exported: the very same object
        assert all(getattr(home[m], name) is getattr(kpis, name) for m in owners), name
    for name in kpis.__all__:
        assert getattr(metrics, name, getattr(kpis, name)) is getattr(kpis, name)
    assert kpis.RATIOS is catalogue.RATIOS and finish.RATIOS is catalogue.RATIOS
    assert notes.MEASURES is catalogue.MEASURES


def _store() -> Store:
    st = Store.open(":memory:")
    st.append(
        "ad_performance",
        pd.DataFrame(
            {"platform": ["facebook"], "campaign_id": ["a"], "impressions": [1000],
             "clicks": [10], "spend": [5.0], "currency": ["USD"]}
        ),
    )  # fmt: skip
    return st


def test_a_repeated_request_hits_the_one_query_cache_and_a_new_ratio_clears_it() -> None:
    st = _store()
    metrics.clear_query_cache()
    kpis.compute_kpis(st, by=["platform"], kpis=["ctr"])
    kpis.compute_kpis(st, by=["platform"], kpis=["ctr"])
    assert querycache.query_cache_info() == {"hits": 1, "misses": 1, "size": 1}
    assert kpis.query_cache_info() == metrics.query_cache_info()
    try:
        kpis.register_ratio(kpis.Ratio("clicks_per_dollar", "clicks", "spend"))
        assert querycache.query_cache_info()["size"] == 0
        out = kpis.compute_kpis(st, by=["platform"], kpis=["clicks_per_dollar"])
        assert out["clicks_per_dollar"].tolist() == [2.0]
    finally:
        catalogue.RATIOS.pop("clicks_per_dollar", None)
        metrics.clear_query_cache()
