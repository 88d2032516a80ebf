"""Check objects: one shape for every guardrail and diagnostic.

A check returns a :class:`CheckResult` with a status (``pass``, ``review`` or ``fail``), a
message saying what was found and a recommendation saying what to do. The CLI, the API, the
HTML report and the dashboard all render the same objects.

Quickstart
----------
>>> from micromix.checks import CheckResult, Status, summarize
>>> r = CheckResult("min_rows", Status.FAIL, "only 3 rows", "load at least 30 rows")
>>> r.failed
True
>>> summarize([r]).value
'fail'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["CheckResult", "Status", "results_frame", "summarize"]


class Status(StrEnum):
    """Outcome of a check, ordered from good to bad."""

    PASS = "pass"
    REVIEW = "review"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        return {"pass": 0, "review": 1, "fail": 2}[self.value]


@dataclass(frozen=True)
class CheckResult:
    """The result of one check.

    Parameters
    ----------
    name : str
        Stable identifier of the check, e.g. ``"consent"``.
    status : Status
        ``pass``, ``review`` or ``fail``.
    message : str
        What was found, in one sentence.
    recommendation : str
        What to do about it (empty when nothing needs doing).
    details : dict
        Machine-readable figures behind the message.
    """

    name: str
    status: Status
    message: str
    recommendation: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status is Status.FAIL

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.value
        return d

    def __str__(self) -> str:
        tail = f" -> {self.recommendation}" if self.recommendation else ""
        return f"[{self.status.value.upper()}] {self.name}: {self.message}{tail}"


def summarize(results: Iterable[CheckResult]) -> Status:
    """Worst status among ``results`` (``pass`` when empty)."""
    worst = Status.PASS
    for r in results:
        if r.status.rank > worst.rank:
            worst = r.status
    return worst


def results_frame(results: Iterable[CheckResult]):
    """Check results as a pandas DataFrame (one row per check)."""
    import pandas as pd

    rows = [r.to_dict() for r in results]
    return pd.DataFrame(rows, columns=["name", "status", "message", "recommendation", "details"])
