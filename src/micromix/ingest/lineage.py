"""Row identity by lineage: which export a row came from, and what "the same file" means.

Exports without ids (most Meta and Google UI downloads) name things that repeat: two ads with
the same truncated name, several rows a day. Their rows are kept as the file has them and get
their identity from lineage: the export they came from (``source_id``) and their position in it
(``source_row``). An export's identity is what it *reports*, not where it was saved:

* the **content** (SHA-256 of the bytes): the same file, wherever it lies, is the same file —
  re-ingesting it adds nothing;
* the **report**: table, layout, platform(s), account, currency, the dimension columns (level and
  breakdowns), the period and what it covers (its campaigns, ad sets, ads, keywords). A re-download of the same report for the same period (late
  conversions, a restated day) has new content but the same report identity: it **replaces**
  that export's rows.
* Two different reports whose periods overlap for the same platform, account, currency and
  campaigns (a daily export of 1-15 May and another of 10-31 May; an age breakdown and a
  placement breakdown of the same month) would count the same deliveries twice: the ingest is
  refused as an **overlap** unless the user says to replace the older export or keep both.

The registry of ingested exports is the ``ingest_files`` table. Its record of an export also
keeps the export's own total rows (``totals``: their label and measures, JSON), which are not
data rows: a report download of the top 10 pages states the views of all pages there, and
:func:`registry_totals` gives them back (:mod:`micromix.metrics.traffic` takes a page's share
of them). They live with the record, so they are replaced and removed with the export's rows.

Quickstart
----------
>>> info = ExportInfo(table="ad_performance", layout="meta_ads", platforms=("facebook",),
...                   account=None, currency="EUR", dims=("ad_id", "date"),
...                   period=("2024-05-01", "2024-05-31"), campaigns=("Spring",), digest="ab")
>>> other = info._replace(period=("2024-05-20", "2024-06-10"), digest="cd")
>>> info.export_id != other.export_id, overlaps(info, other)
(True, True)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from micromix.schema.display import listed

if TYPE_CHECKING:
    from micromix.store import Store

__all__ = [
    "REGISTRY_TABLE",
    "ExportInfo",
    "overlap_advice",
    "overlaps",
    "read_registry",
    "registry_frame",
    "registry_row",
    "registry_totals",
]

#: table recording every ingested export
REGISTRY_TABLE = "ingest_files"
#: tables whose rows are identified by lineage (and checked for overlapping exports)
LINEAGE_TABLES = ("ad_performance", "traffic")


class ExportInfo(NamedTuple):
    """What an export reports: the parts of its identity and its overlap scope."""

    table: str
    layout: str
    platforms: tuple[str, ...]
    account: str | None
    currency: str | None
    dims: tuple[str, ...]
    period: tuple[str, str] | None
    campaigns: tuple[str, ...]
    digest: str
    members: str = ""
    scope: str = ""

    @property
    def export_id(self) -> str:
        """Stable id of the report (not of its content): see the module docstring."""
        key = json.dumps(
            [
                self.table,
                self.layout,
                sorted(self.platforms),
                self.account,
                self.currency,
                sorted(self.dims),
                list(self.period) if self.period else None,
                sorted(self.campaigns),
                self.members,
            ]
            + ([] if self.period else [self.digest]),
            ensure_ascii=True,
        )
        return "exp-" + hashlib.sha256(key.encode()).hexdigest()[:20]

    def describe(self) -> str:
        """Human summary: platform(s), period, campaigns."""
        plat = "/".join(self.platforms) or "rows"
        per = f"{self.period[0]}..{self.period[1]}" if self.period else "an undated period"
        camp = ""
        if self.campaigns:
            camp = f" (campaigns {listed(self.campaigns)})"
        return f"{plat} {per}{camp}"


def _periods_overlap(a: tuple[str, str] | None, b: tuple[str, str] | None) -> bool:
    if a is None or b is None:
        return True  # an undated export may cover any day
    return a[0] <= b[1] and b[0] <= a[1]


def overlaps(a: ExportInfo, b: ExportInfo) -> bool:
    """Whether two exports may describe the same deliveries (so summing both double counts)."""
    if a.table != b.table:
        return False
    if a.scope and b.scope and a.scope != b.scope:
        return False  # e.g. GA4 reports by different dimensions: never summed together
    if a.platforms and b.platforms and not set(a.platforms) & set(b.platforms):
        return False
    if a.account and b.account and a.account != b.account:
        return False
    if a.currency and b.currency and a.currency != b.currency:
        return False
    if not _periods_overlap(a.period, b.period):
        return False
    return not (a.campaigns and b.campaigns and not set(a.campaigns) & set(b.campaigns))


def overlap_advice(new: ExportInfo, old: ExportInfo, new_path: str, old_path: str) -> str:
    """The end of an overlap refusal: which of ``--replace`` and ``--keep-both`` fits.

    ``--replace`` comes first only where the data shows the same deliveries: the same report
    (layout and breakdowns) re-exported, or the same account or campaigns in both files. Where
    nothing ties the two files together (one names campaigns the other does not, neither names
    an account), replacing would delete what may be another account's rows: the advice says
    so and offers ``--keep-both`` first.

    >>> a = ExportInfo("ad_performance", "meta_ads", ("facebook",), None, "IDR", ("ad_id",),
    ...                ("2026-03-26", "2026-04-25"), (), "ab")
    >>> b = a._replace(dims=("campaign_id", "region"), campaigns=("TK1",), digest="cd")
    >>> overlap_advice(a, b, "/d/ads.csv", "/d/region.csv").split("(")[0]
    '; but nothing in the data shows the same account or campaigns '
    """
    shared = set(new.campaigns) & set(old.campaigns)
    if new.layout == old.layout and sorted(new.dims) == sorted(old.dims):
        why = "the same report"
    elif new.account and new.account == old.account:
        why = f"both are account {new.account}"
    elif shared:
        why = f"{len(shared)} campaign(s) in both"
    else:
        return (
            "; but nothing in the data shows the same account or campaigns "
            f"({_names(new, new_path)}; {_names(old, old_path)}): pass --keep-both if they "
            "come from different accounts or campaigns, or --replace only if this file "
            f"re-exports the same deliveries (it removes the rows of {PurePath(old_path).name})"
        )
    return (
        f"; pass --replace to replace the earlier export with this file ({why}), or --keep-both "
        "if they do not describe the same deliveries"
    )


def _names(info: ExportInfo, path: str) -> str:
    """What an export names of its account and campaigns, for :func:`overlap_advice`."""
    acct = f"account {info.account}" if info.account else "no account"
    if info.campaigns:
        camp = f"campaign(s) {listed(info.campaigns, top=2)}"
    else:
        camp = "no campaign"
    return f"{PurePath(path).name} names {acct} and {camp}"


def registry_frame(
    info: ExportInfo,
    path: str,
    rows: int,
    now: pd.Timestamp,
    *,
    totals: Sequence[dict[str, Any]] = (),
) -> pd.DataFrame:
    """One ``ingest_files`` record as a typed frame (text columns stay text when empty)."""
    rec = registry_row(info, path, rows, now, totals=totals)
    df = pd.DataFrame([rec])
    for c in df.columns:
        if c not in ("rows", "ingested_at"):
            df[c] = df[c].astype("string")
    return df


def registry_row(
    info: ExportInfo,
    path: str,
    rows: int,
    now: pd.Timestamp,
    *,
    totals: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """One ``ingest_files`` record; ``totals`` are the export's own total rows
    (``{"label": ..., "values": {measure: number}}``), None when it has none."""
    return {
        "source_id": info.export_id,
        "kind": info.table,
        "layout": info.layout,
        "path": path,
        "digest": info.digest,
        "platforms": json.dumps(list(info.platforms)),
        "account": info.account,
        "currency": info.currency,
        "dims": json.dumps(list(info.dims)),
        "period_start": info.period[0] if info.period else None,
        "period_end": info.period[1] if info.period else None,
        "campaigns": json.dumps(list(info.campaigns), ensure_ascii=False),
        "members": info.members,
        "scope": info.scope,
        "rows": int(rows),
        "ingested_at": now.tz_convert("UTC").tz_localize(None) if now.tzinfo else now,
        "totals": json.dumps(list(totals), ensure_ascii=False) if totals else None,
    }


def registry_totals(store: Store, table: str) -> dict[str, list[dict[str, Any]]]:
    """The total rows each registered export of ``table`` stated, by ``source_id`` (exports
    without any, and stores older than the ``totals`` column, are left out).

    >>> from micromix.store import Store
    >>> st = Store.open(":memory:")
    >>> info = ExportInfo(table="traffic", layout="ga_report", platforms=(), account=None,
    ...                   currency=None, dims=("dimension",), period=None, campaigns=(),
    ...                   digest="ab")
    >>> _ = st.append(REGISTRY_TABLE, registry_frame(info, "ua.xlsx", 10, pd.Timestamp(0),
    ...               totals=[{"label": "Total", "values": {"views": 93480.0}}]))
    >>> registry_totals(st, "traffic")[info.export_id]
    [{'label': 'Total', 'values': {'views': 93480.0}}]
    """
    if not store.has_table(REGISTRY_TABLE):
        return {}
    t = store.table(REGISTRY_TABLE)
    if "totals" not in t.columns:
        return {}
    df = store.execute(
        t.filter((t.kind == table) & t.totals.notnull()).select("source_id", "totals")
    )
    return {str(r.source_id): json.loads(r.totals) for r in df.itertuples(index=False)}


def read_registry(store: Store, table: str) -> list[tuple[ExportInfo, str, str, pd.Timestamp]]:
    """Registered exports of ``table``: ``(info, export_id, path, ingested_at)``."""
    if not store.has_table(REGISTRY_TABLE):
        return []
    t = store.table(REGISTRY_TABLE)
    df = store.execute(t.filter(t.kind == table))
    out = []
    for r in df.to_dict(orient="records"):
        period = (
            (str(r["period_start"]), str(r["period_end"]))
            if r.get("period_start") is not None
            and r.get("period_end") is not None
            and r["period_start"] == r["period_start"]
            else None
        )
        info = ExportInfo(
            table=str(r["kind"]),
            layout=str(r["layout"]),
            platforms=tuple(json.loads(r["platforms"] or "[]")),
            account=r.get("account") if isinstance(r.get("account"), str) else None,
            currency=r.get("currency") if isinstance(r.get("currency"), str) else None,
            dims=tuple(json.loads(r["dims"] or "[]")),
            period=period,
            campaigns=tuple(json.loads(r["campaigns"] or "[]")),
            digest=str(r["digest"]),
            members=str(r.get("members") or ""),
            scope=str(r.get("scope") or ""),
        )
        out.append((info, str(r["source_id"]), str(r["path"]), pd.Timestamp(r["ingested_at"])))
    return out
