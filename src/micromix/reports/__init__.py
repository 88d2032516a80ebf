"""micromix.reports: figures, tables and the self-contained offline HTML report.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> from micromix.reports import write_report
>>> st = Store.open(":memory:")
>>> for name, table in simulate(SimConfig(users=800, days=14, seed=3)).tables().items():
...     _ = st.append(name, table)
>>> import tempfile, pathlib
>>> out = write_report(st, pathlib.Path(tempfile.mkdtemp()) / "report.html", n_boot=30)
>>> out.stat().st_size > 100_000
True
"""

from __future__ import annotations

from micromix.reports.assets import VEGA_LITE_VERSION, vega_bundle
from micromix.reports.builder import (
    DEFAULT_COMPARISONS,
    DEFAULT_SECTIONS,
    SECTIONS,
    ReportContext,
    Section,
    build_report,
    get_section,
    register_section,
    write_report,
)
from micromix.reports.quality import QualityReport, quality_checks, quality_report

__all__ = [
    "DEFAULT_COMPARISONS",
    "DEFAULT_SECTIONS",
    "SECTIONS",
    "VEGA_LITE_VERSION",
    "QualityReport",
    "ReportContext",
    "Section",
    "build_report",
    "get_section",
    "quality_checks",
    "quality_report",
    "register_section",
    "vega_bundle",
    "write_report",
]
