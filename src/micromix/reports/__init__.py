"""micromix.reports: figures, tables and the self-contained offline HTML report.

The report renders :class:`micromix.plan.Evidence` and computes nothing itself.

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> from micromix.ingest.market import load_market
>>> from micromix.plan import gather_evidence
>>> from micromix.reports import write_report
>>> st = Store.open(":memory:")
>>> _ = load_market(st, simulate(SimConfig(users=800, days=14, seed=3)))
>>> import tempfile, pathlib
>>> out = write_report(gather_evidence(st, n_boot=30), pathlib.Path(tempfile.mkdtemp()) / "r.html")
>>> out.stat().st_size > 100_000
True
"""

from __future__ import annotations

from micromix.reports.assets import VEGA_LITE_VERSION, vega_bundle
from micromix.reports.builder import (
    DEFAULT_SECTIONS,
    SECTIONS,
    ReportContext,
    Section,
    build_report,
    get_section,
    register_section,
    write_report,
)
from micromix.reports.lifetime import LifetimeSection, lifetime_section_html

__all__ = [
    "DEFAULT_SECTIONS",
    "SECTIONS",
    "VEGA_LITE_VERSION",
    "LifetimeSection",
    "ReportContext",
    "Section",
    "build_report",
    "get_section",
    "lifetime_section_html",
    "register_section",
    "vega_bundle",
    "write_report",
]
