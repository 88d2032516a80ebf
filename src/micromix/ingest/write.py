"""Writing a prepared file (or a typed frame) to the store in one transaction: the export
registry, replaced and overlapping exports, the diff against the stored rows, the currency-change
note and the creators kept as first seen."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from micromix.errors import ConfigError
from micromix.ingest.lineage import (
    REGISTRY_TABLE,
    overlap_advice,
    overlaps,
    read_registry,
    registry_frame,
)
from micromix.ingest.prepare import PreparedFile, _report
from micromix.ingest.quarantine import _sample, _top_reasons
from micromix.ingest.report import IngestReport, OverlapError
from micromix.schema import (
    EntitySchema,
    ValidationResult,
    schema_for,
)
from micromix.schema.display import listed
from micromix.store.erasures import (
    ERASURE_COLUMNS,
    erased_note,
    erased_records,
    erased_rows,
    erased_subjects,
    has_erasures,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from micromix.store import Store

__all__ = [
    "KEEP_UNREPORTED",
    "ON_OVERLAP",
    "SCRAPE_FIELDS",
    "ingest_frame",
    "validate_frame",
    "write_prepared",
    "write_validated",
]

#: what to do when an export overlaps one already ingested
ON_OVERLAP = ("refuse", "replace", "keep")


def write_prepared(
    store: Store, kind: str, prepared: PreparedFile, *, on_overlap: str = "refuse"
) -> IngestReport:
    """Write a :func:`prepare_file` result to ``store`` in one transaction."""
    if on_overlap not in ON_OVERLAP:
        raise ConfigError(f"on_overlap {on_overlap!r} is not one of {', '.join(ON_OVERLAP)}")
    res, raw, adapter, source, info = prepared[:5]
    schema = schema_for(kind)
    res, _, erased = _leave_out_erased(store, schema, res)
    if erased:
        prepared = prepared._replace(result=res, notes=(*prepared.notes, erased_note(erased)))
    notes = prepared.notes
    # a store made by an older micromix gains the newer (empty) columns first, outside the
    # write (DuckDB refuses to commit a transaction that deletes rows of a table and then alters
    # it, as a re-ingest replacing rows would), for keyed tables (posts, events, creators) too
    _ensure_columns(store, schema)
    if info is None or not len(res.accepted):
        # a file none of whose rows could be accepted is no export: it is not registered, so it
        # neither replaces an earlier version of itself nor overlaps anything; its quarantine
        # records and log line say what was wrong (the CLI refuses such a file and writes nothing)
        replaced = 0
        if schema.name in KEEP_UNREPORTED:
            kept, replaced = _keep_unreported(store, schema, res.accepted)
            res = dataclasses.replace(res, accepted=kept)
        with store.transaction():
            report = _write(
                store, kind, schema, res, source, adapter.lookup_name, raw.format, check=False
            )
            if len(res.accepted):
                _drop_stale_quarantine(store, schema.name, source, res.quarantine)
        if replaced:
            notes = (*notes, _replaced_note(replaced))
        return _report(
            kind,
            schema,
            prepared._replace(notes=notes),
            report.accepted,
            res.quarantine,
            inserted=report.inserted,
            updated=report.updated,
            unchanged=report.unchanged,
            erased=erased,
        )
    now = pd.Timestamp.now(tz="UTC")
    _ensure_registry_columns(store)
    with store.transaction():
        registry = read_registry(store, schema.name)
        export_id = info.export_id
        # earlier versions of this export: the same report, or whatever was ingested from this
        # very path before (a file fixed or re-downloaded in place)
        prev_ids = [export_id] + [r[1] for r in registry if r[2] == source and r[1] != export_id]
        others = [r for r in registry if r[1] not in prev_ids and overlaps(info, r[0])]
        if on_overlap == "refuse":
            # an export kept beside an earlier version of this one (--keep-both) already lives
            # beside it by the user's choice: re-ingesting this export asks nothing again
            prev = [r[0] for r in registry if r[1] in prev_ids]
            others = [r for r in others if not any(overlaps(p, r[0]) for p in prev)]
        if others and on_overlap == "refuse":
            o_info, _oid, o_path, o_at = others[0]
            raise OverlapError(
                f"{source}: overlaps {o_path} (ingested {o_at:%Y-%m-%d %H:%M}): both hold "
                f"{info.describe()} vs {o_info.describe()}, whose rows would be counted twice"
                + overlap_advice(info, o_info, source, o_path),
                paths=[o_path],
            )
        old_rows = _rows_of(store, schema.name, prev_ids)
        drop_ids = prev_ids + ([r[1] for r in others] if on_overlap == "replace" else [])
        gone = (
            _count_of(store, schema.name, [r[1] for r in others])
            if on_overlap == "replace" and others
            else 0
        )
        old_paths = [r[2] for r in registry if r[1] in drop_ids]
        if store.has_table(schema.name):
            store.delete_where(schema.name, "source_id", drop_ids)
        stale_paths = sorted(set(old_paths) - {source})
        if stale_paths and store.has_table("quarantine"):
            store.delete_where("quarantine", "source", stale_paths)
        if store.has_table(REGISTRY_TABLE):
            store.delete_where(REGISTRY_TABLE, "source_id", drop_ids)
        _write(store, kind, schema, res, source, adapter.lookup_name, raw.format, check=False)
        _drop_stale_quarantine(store, schema.name, source, res.quarantine)
        store.append(
            REGISTRY_TABLE,
            registry_frame(info, source, len(res.accepted), now, totals=prepared.totals),
        )
    ins, upd, unch, removed = _diff(old_rows, res.accepted, schema)
    moved = _currency_change_note(old_rows, res.accepted)
    return _report(
        kind,
        schema,
        prepared._replace(notes=(*notes, moved)) if moved else prepared,
        len(res.accepted),
        res.quarantine,
        replaced=tuple(r[2] for r in others) if on_overlap == "replace" else (),
        overlapping=tuple(r[2] for r in others) if on_overlap == "keep" else (),
        removed=removed,
        replaced_rows=gone,
        inserted=ins,
        updated=upd,
        unchanged=unch,
        erased=erased,
    )


_ENGINE_TYPES = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
}

#: tables whose rows a later file updates: a descriptive cell the file leaves empty (a ranking
#: without niches, a creator whose country this list does not know) keeps what the store holds
#: for that key; a filled cell replaces it
KEEP_UNREPORTED = ("creators",)

#: a creator's measured figures: one scrape's, taken on one day. A newer list reporting any of
#: them replaces them as a whole (never followers from one scrape beside engagement of another)
SCRAPE_FIELDS = (
    "followers",
    "following",
    "posts",
    "avg_likes",
    "avg_engagement",
    "engagement_rate",
    "total_likes",
)


def _keep_unreported(
    store: Store, schema: EntitySchema, rows: pd.DataFrame
) -> tuple[pd.DataFrame, int]:
    """``rows`` with their empty cells filled from the store's row of the same key (a second
    creator list must not blank what the first one said about a creator), and how many rows
    dropped stored figures.

    Descriptive fields (name, niche, country ...) are filled cell by cell. The measured figures
    (:data:`SCRAPE_FIELDS`) go together: a row reporting any of them brings all of its own
    (its blanks included) and keeps none of the stored ones; a row reporting none keeps the
    stored figures. The count returned is the rows whose stored figures this file's replaced
    and left without a figure the earlier list gave (a note says so).
    """
    key = list(schema.key)
    if not len(rows) or not store.has_table(schema.name) or not store.count(schema.name):
        return rows, 0
    have = set(store.columns(schema.name))
    fields = [c for c in schema.columns if c not in key and c in have]
    if not fields or not all(k in rows for k in key):
        return rows, 0
    stored = store.read(schema.name, columns=[*key, *fields]).drop_duplicates(key, keep="last")
    if not len(stored):
        return rows, 0
    merged = rows[key].merge(stored, on=key, how="left")
    out = rows.copy()
    counts = [c for c in SCRAPE_FIELDS if c in fields]
    own = [c for c in counts if c in out]
    reports = (
        out[own].notna().any(axis=1).to_numpy(dtype=bool) if own else np.zeros(len(out), dtype=bool)
    )
    dropped = np.zeros(len(out), dtype=bool)
    for c in fields:
        kept = merged[c].to_numpy()
        if c in counts:
            had = merged[c].notna().to_numpy(dtype=bool)
            new = out[c].notna().to_numpy(dtype=bool) if c in out else np.zeros(len(out), bool)
            dropped |= reports & had & ~new
            keep = ~reports
        else:
            keep = np.ones(len(out), dtype=bool)
        if c not in out:
            out[c] = pd.Series(kept, index=out.index).where(keep)
        else:
            out[c] = out[c].where(out[c].notna() | ~keep, kept)
    return out, int(dropped.sum())


def _replaced_note(n: int) -> str:
    """The note on creators whose stored figures a newer list replaced as a whole."""
    return (
        f"{n} creator(s) already stored take this file's figures as a whole (followers, "
        "posts, likes, engagement are one scrape's, never blended with another list's): the "
        "figures the earlier list gave and this one leaves empty are no longer stored for them"
    )


def _drop_stale_quarantine(store: Store, table: str, source: str, quarantine: pd.DataFrame) -> None:
    """Remove the quarantine records of ``source`` that this ingest of it did not make: a file
    re-ingested (fixed in place) has its quarantine replaced, not added to."""
    if not store.has_table("quarantine"):
        return
    t = store.table("quarantine")
    old = store.execute(t.filter((t.kind == table) & (t.source == source)).select("row"))
    keep = {int(r) for r in quarantine["row"]} if len(quarantine) else set()
    stale = sorted({int(r) for r in old["row"]} - keep)
    if stale:
        store._delete_quarantined(table, source, stale)


def _ensure_columns(store: Store, schema: EntitySchema) -> None:
    """Add contract columns a store created by an older micromix lacks (DuckDB stores)."""
    if not store.has_table(schema.name) or store.engine != "duckdb":
        return
    have = set(store.table(schema.name).columns)
    for f in schema.fields:
        if f.name not in have:
            store.sql(f'ALTER TABLE "{schema.name}" ADD COLUMN "{f.name}" {_ENGINE_TYPES[f.dtype]}')


def _ensure_registry_columns(store: Store) -> None:
    """Add the registry columns a store created by an older micromix lacks (DuckDB stores)."""
    if not store.has_table(REGISTRY_TABLE) or store.engine != "duckdb":
        return
    if "totals" not in store.table(REGISTRY_TABLE).columns:
        store.sql(f'ALTER TABLE "{REGISTRY_TABLE}" ADD COLUMN "totals" VARCHAR')


def _count_of(store: Store, table: str, ids: list[str]) -> int:
    """Rows of the exports ``ids`` in ``table``, counted in the engine (not read)."""
    if not store.has_table(table) or "source_id" not in store.columns(table):
        return 0
    t = store.table(table)
    return int(store.execute(t.filter(t.source_id.isin(ids)).count()))


def _rows_of(store: Store, table: str, ids: list[str]) -> pd.DataFrame:
    if not store.has_table(table):
        return pd.DataFrame()
    t = store.table(table)
    if "source_id" not in t.columns:
        return pd.DataFrame()
    return store.execute(t.filter(t.source_id.isin(ids)))


def _diff(old: pd.DataFrame, new: pd.DataFrame, schema: EntitySchema) -> tuple[int, int, int, int]:
    """inserted, updated, unchanged, removed between a previous version of an export and this."""
    if not len(old):
        return len(new), 0, 0, 0
    key = ["source_row"]
    cols = [c for c in schema.columns if c in old.columns and c in new.columns and c != "source_id"]
    o = old[cols].astype("string").fillna("\x00")
    n = new[cols].astype("string").fillna("\x00")
    o_keys = set(o["source_row"])
    n_keys = set(n["source_row"])
    both = o_keys & n_keys
    merged = n[n["source_row"].isin(both)].merge(
        o[o["source_row"].isin(both)], on=key, suffixes=("", "_old")
    )
    same = np.ones(len(merged), dtype=bool)
    for c in cols:
        if c not in key:
            same &= (merged[c] == merged[c + "_old"]).to_numpy(dtype=bool)
    unchanged = int(same.sum())
    return len(n_keys - o_keys), len(merged) - unchanged, unchanged, len(o_keys - n_keys)


def _currency_change_note(old: pd.DataFrame, new: pd.DataFrame) -> str | None:
    """A note when this version of an export books stored rows in another currency than the
    previous one did (the same file ingested again with another ``--currency``): how many
    stored rows changed currency, from what to what. micromix never converts: the amounts
    stay, only the currency they are read in changes."""
    if not len(old) or "currency" not in old.columns or "currency" not in new.columns:
        return None
    # the same row is the same content (every field but its currency), wherever its line: a
    # re-download with one more row at the top moves every line number by one
    skip = {"currency", "source_row", "source_id", "ingested_at"}
    key = [c for c in new.columns if c in old.columns and c not in skip]
    if not key:
        return None
    n = new[[*key, "currency"]].astype("string").fillna("\x00")
    o = old[[*key, "currency"]].astype("string").fillna("\x00")
    n = n.drop_duplicates(key, keep=False)  # a row repeated in a file matches nothing surely
    o = o.drop_duplicates(key, keep=False)
    both = n.merge(o, on=key, suffixes=("", "_old")).replace("\x00", pd.NA)
    was = both["currency_old"].astype("string").fillna("no currency")
    now = both["currency"].astype("string").fillna("no currency")
    changed = both[(was != now).to_numpy(dtype=bool)]
    if not len(changed):
        return None
    pairs = Counter(zip(was[changed.index], now[changed.index]))
    said = listed(
        [f"{n:,} from {a} to {b}" for (a, b), n in pairs.most_common()], what="currency changes"
    )
    return (
        f"{len(changed):,} stored row(s) of this export changed currency ({said}): their amounts "
        "are unchanged, only read in the new currency (micromix never converts); if the earlier "
        "currency was right, ingest the file again with it"
    )


def ingest_frame(
    store: Store,
    kind: str,
    df: pd.DataFrame,
    source: str,
    *,
    ingested_at: pd.Timestamp | None = None,
) -> IngestReport:
    """Ingest a DataFrame (e.g. an API batch or the simulator's) with the same guarantees.

    Rows are numbered from 1 in the frame's order; bad rows are quarantined under ``source``.
    The one contract validator reads typed columns without converting them to text.
    """
    schema = schema_for(kind)
    res = validate_frame(schema, df, source=source, ingested_at=ingested_at)
    return write_validated(store, kind, res, source)


def write_validated(
    store: Store,
    kind: str,
    res: ValidationResult,
    source: str,
    *,
    accepted: pa.Table | None = None,
) -> IngestReport:
    """Write a :func:`validate_frame` result of ``kind`` to ``store`` in one transaction.

    :func:`ingest_frame` is ``validate_frame`` then this; the two halves apart let a caller
    validate elsewhere (the API validates large event batches in a worker process) and write
    here, under its write lock.

    Parameters
    ----------
    accepted : pyarrow.Table, optional
        ``res.accepted`` already in the store's Arrow form
        (:func:`micromix.store.base.to_arrow`), written instead of ``res.accepted``: a worker
        process that validated the rows converts them too.
    """
    return _write(
        store, kind, schema_for(kind), res, source, "frame", "dataframe", accepted=accepted
    )


def validate_frame(
    schema: EntitySchema,
    df: pd.DataFrame,
    source: str = "frame",
    ingested_at: pd.Timestamp | None = None,
) -> ValidationResult:
    """Validate a frame against ``schema`` (rows numbered from 1): :meth:`EntitySchema.validate`.

    Raises
    ------
    DataValidationError
        A required column is absent altogether.
    """
    data = df.reset_index(drop=True)
    return schema.validate(
        data, rows=list(range(1, len(data) + 1)), source=source, ingested_at=ingested_at
    )


def _write(
    store: Store,
    kind: str,
    schema: EntitySchema,
    res: ValidationResult,
    source: str,
    layout: str,
    file_format: str,
    *,
    accepted: pa.Table | None = None,
    check: bool = True,
) -> IngestReport:
    erased = 0
    if check:  # write_prepared left them out before, with its own report
        res, accepted, erased = _leave_out_erased(store, schema, res, accepted)
    rows: pd.DataFrame | pa.Table = res.accepted if accepted is None else accepted
    quarantine = _keep_first_seen(store, schema, source, res.quarantine)
    log = {
        "source": source,
        "kind": schema.name,
        "format": f"{file_format}/{layout}",
        "rows_in_file": len(rows) + len(quarantine),
        "accepted": len(rows),
        "quarantined": len(quarantine),
        "_rows": list(res.rows_accepted),
    }
    written = store.write_ingest(schema, rows, quarantine, log)
    return IngestReport(
        kind=kind,
        table=schema.name,
        source=source,
        layout=layout,
        file_format=file_format,
        rows_in_file=len(rows) + len(quarantine) + erased,
        accepted=len(rows),
        quarantined=len(quarantine),
        erased=erased,
        inserted=written.inserted,
        updated=written.updated,
        unchanged=written.unchanged,
        quarantine_sample=_sample(quarantine),
        top_reasons=_top_reasons(quarantine),
        notes=(erased_note(erased),) if erased else (),
    )


def _leave_out_erased(
    store: Store,
    schema: EntitySchema,
    res: ValidationResult,
    accepted: pa.Table | None = None,
) -> tuple[ValidationResult, pa.Table | None, int]:
    """``res`` (and its Arrow form ``accepted``) without the rows of people erased before
    (``micromix privacy erase``, ``--record-unknown`` for data yet to come), and how many
    rows were left out: accepted rows whose user_id / unit_id / author_id is erased, and
    quarantine records holding such an id as a cell (quarantining them would keep their data).

    Nothing is read unless the kind identifies people and the audit log holds an erasure.
    """
    if not any(c in schema.columns for c in ERASURE_COLUMNS) or not has_erasures(store):
        return res, accepted, 0
    erased = erased_subjects(store)
    hit = erased_rows(res.accepted, erased, ERASURE_COLUMNS)
    q = res.quarantine
    q_hit = (
        erased_records(q["record"], erased)
        if "record" in q.columns
        else np.zeros(len(q), dtype=bool)
    )
    n = int(hit.sum()) + int(q_hit.sum())
    if not n:
        return res, accepted, 0
    keep = ~hit
    kept = res.accepted.loc[keep].reset_index(drop=True)
    rows = [r for r, k in zip(res.rows_accepted, keep, strict=False) if k]
    if accepted is not None:
        import pyarrow as pa

        accepted = accepted.filter(pa.array(keep))
    out = dataclasses.replace(
        res,
        accepted=kept,
        quarantine=q.loc[~q_hit].reset_index(drop=True),
        rows_accepted=rows,
    )
    return out, accepted, n


def _keep_first_seen(
    store: Store, schema: EntitySchema, source: str, quarantine: pd.DataFrame
) -> pd.DataFrame:
    """Give records identical to stored ones their stored ``ingested_at`` (re-ingest = no-op)."""
    if not len(quarantine) or not store.has_table("quarantine"):
        return quarantine
    t = store.table("quarantine")
    old = store.execute(
        t.filter((t.kind == schema.name) & (t.source == source)).select(
            "row", "field", "reasons", "record", "ingested_at"
        )
    )
    if not len(old):
        return quarantine
    old = old.drop_duplicates("row")
    merged = quarantine[["row", "field", "reasons", "record"]].merge(
        old, on="row", how="left", suffixes=("", "_old")
    )
    same = (
        (
            (merged["field"] == merged["field_old"])
            & (merged["reasons"] == merged["reasons_old"])
            & (merged["record"] == merged["record_old"])
        )
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    if not same.any():
        return quarantine
    out = quarantine.copy()
    stamps = pd.to_datetime(out["ingested_at"], utc=True)
    prev = pd.to_datetime(merged["ingested_at"], utc=True)
    stamps = stamps.where(~same, prev.to_numpy())
    out["ingested_at"] = stamps
    return out
