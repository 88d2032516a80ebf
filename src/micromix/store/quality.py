"""Data-quality checks of a store, as :class:`~micromix.checks.CheckResult` objects.

Each check reads the store through its API (counts, Ibis expressions, the ``quarantine`` and
``ingest_log`` tables) and says what it found and what to do.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.store import Store
>>> from micromix.store.quality import quality_checks
>>> st = Store.open(":memory:")
>>> [c.name for c in quality_checks(st)][:2]
['data_present', 'quarantine']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from micromix.checks import CheckResult, Status
from micromix.schema.display import listed
from micromix.store.base import Store, user_tables

__all__ = [
    "DATA_TABLES",
    "DATE_COLUMNS",
    "KEY_FIELDS",
    "NULL_FAIL",
    "NULL_REVIEW",
    "QUARANTINE_FAIL",
    "QUARANTINE_REVIEW",
    "QualityReport",
    "date_gaps",
    "empty_columns",
    "quality_checks",
    "quality_report",
]

#: fields the analyses rely on, per table (null shares are checked on these)
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "events": ("ts", "user_id", "event_type", "platform"),
    "ad_performance": (
        "date",
        "platform",
        "campaign_id",
        "impressions",
        "clicks",
        "spend",
        "conversions",
    ),
    "experiments": ("experiment_id", "unit_id", "arm", "campaign_id", "conversions", "revenue"),
    "creators": ("creator_id", "followers"),
    "traffic": ("date", "dimension", "dimension_value"),
}
#: the time column of each dated table (date coverage is checked on these); a table with a
#: ``date_end`` column has range rows, each covering every day from ``date`` to ``date_end``.
#: Not ``traffic``: web-analytics reports cover periods their user chose, not a daily feed.
DATE_COLUMNS: dict[str, str] = {"events": "ts", "ad_performance": "date"}
#: tables whose rows are the data the analyses read (``data_present``), with how to name them
DATA_TABLES: dict[str, str] = {
    "events": "events",
    "ad_performance": "ad-report rows",
    "traffic": "web-analytics rows",
    "posts": "posts",
}
#: null share above which a key field is flagged for review / failed (fail only for fields the
#: data contract requires)
NULL_REVIEW, NULL_FAIL = 0.01, 0.20
#: quarantined share of ingested rows above which ingestion is flagged for review / failed
QUARANTINE_REVIEW, QUARANTINE_FAIL = 0.0, 0.10
#: tables listed in the row-count overview (in order), when present
_TABLES = (
    "events",
    "ad_performance",
    "posts",
    "creators",
    "audience",
    "experiments",
    "ground_truth",
    "traffic",
    "quarantine",
    "ingest_log",
)


@dataclass
class QualityReport:
    """Checks plus the tables behind them (for rendering)."""

    checks: list[CheckResult]
    row_counts: pd.DataFrame
    top_reasons: pd.DataFrame
    ingest_log: pd.DataFrame
    null_shares: pd.DataFrame
    coverage: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "checks": [c.to_dict() for c in self.checks],
            "row_counts": self.row_counts.to_dict("records"),
            "top_reasons": self.top_reasons.to_dict("records"),
            "null_shares": self.null_shares.to_dict("records"),
            "coverage": self.coverage.to_dict("records"),
        }


def _counts(store: Store) -> pd.DataFrame:
    """Rows per table, the known ones first; the service's bookkeeping (keys, audit log, the
    erasure key) is not data and is left out (:data:`~micromix.store.base.BOOKKEEPING_TABLES`)."""
    names = [t for t in _TABLES if store.has_table(t)]
    names += [t for t in user_tables(store.tables(), without="bookkeeping") if t not in names]
    return pd.DataFrame({"table": names, "rows": [store.count(t) for t in names]})


def _quarantine(store: Store, top: int) -> tuple[CheckResult, pd.DataFrame]:
    cols = ["kind", "reason", "rows"]
    n_q = store.count("quarantine")
    if n_q == 0:
        return (
            CheckResult("quarantine", Status.PASS, "no rows were quarantined at ingestion"),
            pd.DataFrame(columns=cols),
        )
    q = store.table("quarantine")
    q = q.mutate(reason=q.reason.fill_null("(no reason)"), kind=q.kind.fill_null("(unknown)"))
    expr = q.group_by(["kind", "reason"]).aggregate(rows=q.count())
    reasons = store.execute(expr.order_by([expr.rows.desc(), expr.kind, expr.reason]).limit(top))
    reasons = reasons.sort_values(["rows", "kind", "reason"], ascending=[False, True, True])
    ingested = 0
    if store.count("ingest_log"):
        log = store.table("ingest_log")
        agg = store.execute(log.aggregate(a=log.accepted.sum(), q=log.quarantined.sum()))
        ingested = int((agg["a"].fillna(0) + agg["q"].fillna(0)).iloc[0])
    share = n_q / ingested if ingested else None
    top_reason = f"{reasons['reason'].iloc[0]!r} ({int(reasons['rows'].iloc[0]):,} rows)"
    if share is None:
        status, share_txt = Status.REVIEW, ""
    else:
        status = Status.FAIL if share > QUARANTINE_FAIL else Status.REVIEW
        share_txt = f" ({share:.1%} of ingested rows)"
    return (
        CheckResult(
            "quarantine",
            status,
            f"{n_q:,} rows were quarantined{share_txt}; most common reason: {top_reason}",
            "inspect them with 'micromix export quarantine' (file, row, field, reason), fix the source "
            "file and re-ingest it; quarantined rows are left out of every KPI",
            {"quarantined": n_q, "share": share},
        ),
        reasons,
    )


def _ingest_log(store: Store, last: int) -> tuple[CheckResult, pd.DataFrame]:
    if store.count("ingest_log") == 0:
        return (
            CheckResult(
                "ingest_log",
                Status.PASS,
                "no files were ingested through 'micromix ingest' (data was loaded another way, "
                "e.g. by the simulator)",
                "",
                {"runs": 0},
            ),
            pd.DataFrame(),
        )
    log = store.table("ingest_log")
    df = store.execute(log.order_by(log.ingested_at.desc()).limit(last))
    bad = df[(df["accepted"].fillna(0) == 0) & (df["rows_in_file"].fillna(0) > 0)]
    n_runs = store.count("ingest_log")
    if len(bad):
        return (
            CheckResult(
                "ingest_log",
                Status.FAIL,
                f"{len(bad)} of the last {len(df)} ingest runs accepted no rows "
                f"(first: {bad['source'].iloc[0]})",
                "check the file's format and columns, then ingest it again",
                {"runs": n_runs},
            ),
            df,
        )
    return (
        CheckResult(
            "ingest_log",
            Status.PASS,
            f"{n_runs:,} ingest runs logged; every recent run accepted rows",
            "",
            {"runs": n_runs},
        ),
        df,
    )


def _null_shares(store: Store) -> tuple[list[CheckResult], pd.DataFrame]:
    rows = []
    for table, fields in KEY_FIELDS.items():
        n = store.count(table)
        if n == 0:
            continue
        t = store.table(table)
        present = [f for f in fields if f in t.columns]
        if not present:
            continue
        agg = store.execute(t.aggregate(**{f: t[f].isnull().cast("int64").sum() for f in present}))
        for f in present:
            nulls = int(agg[f].iloc[0])
            rows.append(
                {"table": table, "field": f, "rows": n, "nulls": nulls, "null_share": nulls / n}
            )
    df = pd.DataFrame(rows, columns=["table", "field", "rows", "nulls", "null_share"])
    checks = []
    for table, g in df.groupby("table", sort=False):
        worst = g.sort_values("null_share", ascending=False).iloc[0]
        share = float(worst["null_share"])
        required = _required(str(table), str(worst["field"]))
        status = (
            Status.FAIL
            if share > NULL_FAIL and required
            else Status.REVIEW
            if share > NULL_REVIEW
            else Status.PASS
        )
        if status is Status.PASS:
            msg = f"no key field ({', '.join(g['field'])}) is more than {share:.1%} null"
            rec = ""
        else:
            msg = f"{worst['field']} is null in {share:.1%} of {int(worst['rows']):,} rows"
            rec = (
                f"fill {worst['field']} in the source export (or map the right column at "
                "ingestion); rows without it drop out of breakdowns by it"
            )
        checks.append(
            CheckResult(
                f"nulls:{table}", status, msg, rec, {"field": worst["field"], "null_share": share}
            )
        )
    return checks, df


def _required(table: str, field_name: str) -> bool:
    """Whether the data contract marks ``field_name`` of ``table`` as required."""
    from micromix.schema import SCHEMAS

    for schema in SCHEMAS.values():
        if schema.name == table:
            return any(f.name == field_name and f.required for f in schema.fields)
    return False


def date_gaps(days: Sequence[Any]) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Missing date ranges (first, last missing day) between the first and last of ``days``.

    Examples
    --------
    >>> [(a.day, b.day) for a, b in date_gaps(["2026-03-01", "2026-03-02", "2026-03-05"])]
    [(3, 4)]
    """
    d = (
        pd.DatetimeIndex(pd.to_datetime(pd.Series(list(days)), errors="coerce").dropna())
        .normalize()
        .unique()
        .sort_values()
    )
    if len(d) < 2:
        return []
    missing = pd.date_range(d[0], d[-1], freq="D").difference(d)
    gaps: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for day in missing:
        if gaps and (day - gaps[-1][1]).days == 1:
            gaps[-1] = (gaps[-1][0], day)
        else:
            gaps.append((day, day))
    return gaps


def _coverage(store: Store) -> tuple[list[CheckResult], pd.DataFrame]:
    rows, checks = [], []
    for table, col in DATE_COLUMNS.items():
        if store.count(table) == 0:
            continue
        t = store.table(table)
        if col not in t.columns:
            continue
        spans = _day_spans(store, t, col)
        if spans.empty:
            continue
        covered = _expand(spans)
        streams = _streams(store, covered)
        days = covered["day"].drop_duplicates().sort_values()
        first, last = days.min(), days.max()
        span = (last - first).days + 1
        if streams is None:  # one stream of data (events, a canonical file): its own gaps
            gaps = date_gaps(days)
            missing = sum((b - a).days + 1 for a, b in gaps)
            check = _gap_check(table, missing, span, gaps, first, last)
        else:
            gaps, missing, check = _stream_coverage(table, streams, days)
        rows.append(
            {
                "table": table,
                "first_day": first.date().isoformat(),
                "last_day": last.date().isoformat(),
                "days_spanned": span,
                "days_with_data": len(days),
                "missing_days": missing,
                "gaps": ", ".join(_fmt_gap(a, b) for a, b in gaps[:5])
                + (f" (+{len(gaps) - 5} more)" if len(gaps) > 5 else ""),
            }
        )
        checks.append(check)
    cols = [
        "table",
        "first_day",
        "last_day",
        "days_spanned",
        "days_with_data",
        "missing_days",
        "gaps",
    ]
    return checks, pd.DataFrame(rows, columns=cols)


def _gap_check(
    table: str,
    missing: int,
    span: int,
    gaps: list[tuple[Any, Any]],
    first: pd.Timestamp,
    last: pd.Timestamp,
) -> CheckResult:
    """PASS when no day is missing, else REVIEW (FAIL above 20% of the span)."""
    if not missing:
        return CheckResult(
            f"coverage:{table}",
            Status.PASS,
            f"every day from {first:%Y-%m-%d} to {last:%Y-%m-%d} has data",
            "",
            {"missing_days": 0},
        )
    return CheckResult(
        f"coverage:{table}",
        Status.FAIL if missing / span > 0.2 else Status.REVIEW,
        f"{missing} of {span} days between {first:%Y-%m-%d} and {last:%Y-%m-%d} have no "
        f"rows (first gap: {_fmt_gap(*gaps[0])})",
        "load the missing days (export them again from the platform; days the campaigns did "
        "not run are fine); until then, weekly trends and day-block intervals around the gaps "
        "understate activity",
        {"missing_days": missing, "gaps": len(gaps)},
    )


def _stream_coverage(
    table: str, streams: pd.DataFrame, days: pd.Series
) -> tuple[list[tuple[Any, Any]], int, CheckResult]:
    """Coverage of platform exports, judged per *export series* (:func:`_streams`: the
    exports of one report - platform, account, currency and breakdown - of the same
    campaigns): a day missing between the first and last day of one series is missing data,
    whichever of its files it would have been in; days between different series' periods (two
    reports, or two accounts, of different months) are missing from no series: said as
    between exports, never failed."""
    gaps: list[tuple[Any, Any]] = []
    span_days = 0
    named: list[str] = []
    spans: list[pd.DatetimeIndex] = []
    for name, d in streams.groupby("stream", sort=True):
        own = date_gaps(d["day"])
        lo, hi = d["day"].min(), d["day"].max()
        span_days += (hi - lo).days + 1
        spans.append(pd.date_range(lo, hi, freq="D"))
        gaps += own
        if own:
            named.append(str(name))
    missing = sum((b - a).days + 1 for a, b in gaps)
    first, last = days.min(), days.max()
    n = streams["stream"].nunique()
    # the days no series' own period reaches: between exports, not missing from one
    between = date_gaps(spans[0].append(spans[1:]) if spans else [])
    k = sum((b - a).days + 1 for a, b in between)
    beside = (
        f"; the {k} day(s) between exports (first: {_fmt_gap(*between[0])}) are in no "
        "export's period, so missing from no series"
        if between
        else ""
    )
    if missing:
        gaps.sort()
        whose = listed(named, top=1)
        return (
            gaps,
            missing,
            CheckResult(
                f"coverage:{table}",
                Status.FAIL if missing / span_days > 0.2 else Status.REVIEW,
                f"{missing} of the {span_days} days inside each export series' own period "
                f"have no rows ({whose}; first gap: {_fmt_gap(*gaps[0])}){beside}",
                "load the missing days of that series (export them again from the platform; "
                "days the campaigns did not run are fine); until then, weekly trends and "
                "day-block intervals around the gaps understate activity",
                {"missing_days": missing, "gaps": len(gaps), "streams": n,
                 "days_without_any_report": k},
            ),
        )  # fmt: skip
    if not between:
        return [], 0, _gap_check(table, 0, 1, [], first, last)
    return (
        [],
        0,
        CheckResult(
            f"coverage:{table}",
            Status.REVIEW,
            f"the {n} export series cover different periods: none covers {k} "
            f"day(s) between exports (first: {_fmt_gap(*between[0])}); each series has every "
            "day of its own period",
            "nothing is missing from any series; load a report for those days if the "
            "campaigns ran then (weekly trends show no activity there)",
            {"missing_days": 0, "days_without_any_report": k, "streams": n},
        ),
    )


def _day_spans(store: Store, t: Any, col: str) -> pd.DataFrame:
    """Distinct ``source_id`` (when the table has one), ``day`` and ``end`` (a row's last
    day: its ``date_end`` when it covers a range, else its day) of a dated table, in one
    query."""
    known = t.filter(t[col].notnull())
    keys = {"day": known[col].cast("date")}
    if "source_id" in t.columns:
        keys["source_id"] = known.source_id
    if "date_end" in t.columns:
        keys["end"] = known.date_end.cast("date")
    out = store.execute(known.select(**keys).distinct())
    out["day"] = pd.to_datetime(out["day"])
    end = pd.to_datetime(out["end"]) if "end" in out else out["day"]
    out["end"] = end.where(end.notna() & (end >= out["day"]), out["day"])
    return out


def _expand(spans: pd.DataFrame) -> pd.DataFrame:
    """One row per day each span covers (a Google Ads campaign report covers its whole
    period, not its first day)."""
    n = (spans["end"] - spans["day"]).dt.days.to_numpy() + 1
    rep = spans.loc[spans.index.repeat(n)].copy()
    # each span's days: 0, 1, ... its length - 1, for all spans at once
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    rep["day"] = rep["day"].to_numpy() + offset.astype("timedelta64[D]")
    return rep.drop(columns="end").reset_index(drop=True)


def _text(v: Any) -> str | None:
    """A registry cell as text; ``None`` for an empty or missing one (never ``"nan"``)."""
    if v is None or (not isinstance(v, str) and bool(pd.isna(v))):
        return None
    t = str(v).strip()
    return t or None


def _names(v: Any) -> frozenset[str]:
    """A registry list cell (JSON text such as ``["a", "b"]``) as a set of names."""
    t = _text(v)
    if t is None:
        return frozenset()
    try:
        got = json.loads(t)
    except ValueError:
        return frozenset({t})
    return frozenset(map(str, got)) if isinstance(got, list) else frozenset({str(got)})


def _series(reg: pd.DataFrame) -> dict[str, str]:
    """Export series of the ingest registry: source id -> its series' label.

    Exports of one platform, account and currency with the same breakdown (the registry's
    ``dims``) whose campaigns overlap (or are not listed) are one series; its label is the
    platform / account / currency and the export files (``facebook / IDR:
    meta_campaign_daily_idr.csv``), the account left out where the export names none.
    """
    rows = reg.to_dict(orient="records")
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def stream(r: dict[str, Any]) -> tuple[Any, ...]:
        plat = ",".join(sorted(_names(r.get("platforms"))))
        return (plat, _text(r.get("account")), _text(r.get("currency")), _names(r.get("dims")))

    keys = [stream(r) for r in rows]
    camps = [_names(r.get("campaigns")) for r in rows]
    for i in range(len(rows)):
        for j in range(i):
            if keys[i] == keys[j] and (not camps[i] or not camps[j] or camps[i] & camps[j]):
                parent[root(i)] = root(j)
    members: dict[int, list[int]] = {}
    for i in range(len(rows)):
        members.setdefault(root(i), []).append(i)
    label: dict[str, str] = {}
    for group in members.values():
        plat, account, currency, _ = keys[group[0]]
        head = " / ".join(p for p in (plat, account, currency) if p)
        files = sorted({Path(str(rows[i].get("path") or rows[i]["source_id"])).name for i in group})
        shown = listed(files, top=1)
        for i in group:
            label[str(rows[i]["source_id"])] = f"{head}: {shown}" if head else shown
    return label


def _streams(store: Store, covered: pd.DataFrame) -> pd.DataFrame | None:
    """``stream`` and ``day`` for a table of platform exports (``covered``: :func:`_expand`'s
    days): the exports of one series (:func:`_series`, from the ingest registry) are one
    stream; ``None`` for a table without export ids (the simulator's, a canonical file's)."""
    if "source_id" not in covered.columns or covered["source_id"].isna().any():
        return None
    label: dict[str, str] = {}
    if store.has_table("ingest_files"):  # the ingest registry (micromix.ingest.lineage)
        cols = [c for c in ("source_id", "platforms", "account", "currency", "dims",
                            "campaigns", "path")
                if c in store.columns("ingest_files")]  # fmt: skip
        label = _series(store.read("ingest_files", columns=cols))
    ids = covered["source_id"].astype(str)
    # an export the registry does not know is a stream of its own
    stream = ids.map({i: label.get(i, i) for i in ids.unique()})
    return pd.DataFrame({"stream": stream, "day": covered["day"]}).drop_duplicates()


def _fmt_gap(a: pd.Timestamp, b: pd.Timestamp) -> str:
    return f"{a:%Y-%m-%d}" if a == b else f"{a:%Y-%m-%d} to {b:%Y-%m-%d}"


def quality_report(store: Store, *, top_reasons: int = 5, last_ingests: int = 10) -> QualityReport:
    """Run every data-quality check on ``store``.

    Parameters
    ----------
    store : micromix.store.Store
    top_reasons : int
        How many quarantine reasons to list.
    last_ingests : int
        How many ingest-log entries to list.
    """
    counts = _counts(store)
    n = {t: store.count(t) if store.has_table(t) else 0 for t in DATA_TABLES}
    if any(n.values()):
        held = [
            f"{n[t]:,} {what}"
            for t, what in DATA_TABLES.items()
            if n[t] or t in ("events", "ad_performance")
        ]
        present = CheckResult(
            "data_present",
            Status.PASS,
            f"{', '.join(held[:-1])} and {held[-1]} to analyse",
            "",
            n,
        )
    else:
        present = CheckResult(
            "data_present",
            Status.FAIL,
            "the store holds no events, no ad reports, no web-analytics reports and no posts",
            "ingest data with 'micromix ingest' or run 'micromix demo'",
            n,
        )
    checks = [present]
    q_check, reasons = _quarantine(store, top_reasons)
    log_check, log = _ingest_log(store, last_ingests)
    null_checks, nulls = _null_shares(store)
    cov_checks, cov = _coverage(store)
    checks += [q_check, log_check, *null_checks, *cov_checks]
    return QualityReport(checks, counts, reasons, log, nulls, cov)


def quality_checks(store: Store) -> list[CheckResult]:
    """The data-quality checks alone (see :func:`quality_report`)."""
    return quality_report(store).checks


def empty_columns(store: Store, table: str, columns: Sequence[str]) -> list[str]:
    """Which of ``columns`` hold no value at all in ``table`` (absent columns count as empty).

    A KPI whose source column is empty is not reported as 0 but as unknown.
    """
    if not store.has_table(table):
        return list(columns)
    t = store.table(table)
    present = [c for c in columns if c in t.columns]
    empty = [c for c in columns if c not in t.columns]
    if present:
        n = store.execute(t.aggregate(**{c: t[c].notnull().cast("int64").sum() for c in present}))
        empty += [c for c in present if int(n[c].fillna(0).iloc[0]) == 0]
    return [c for c in columns if c in set(empty)]
