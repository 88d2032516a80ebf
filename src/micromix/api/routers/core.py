"""Core routes: health, status, KPIs, comparisons, ingest (files and event batches), report.

Quickstart
----------
>>> from micromix.api.routers.core import router
>>> "/api/v1/kpis" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import re
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from micromix.api._respond import check_rows, frame_json, json_response
from micromix.api.errors import ApiError, api_error, log, renamed
from micromix.api.security import Principal, requires
from micromix.api.service import Service
from micromix.config import ANALYSIS_N_BOOT
from micromix.errors import ConfigError, MicromixError
from micromix.store import Store, user_tables

__all__ = [
    "DASHBOARD_KPIS",
    "REPORT_SOURCE",
    "batch_source",
    "kpi_payload",
    "parse_dimensions",
    "router",
    "upload_source",
    "warm_cache",
]

router = APIRouter()

#: what ``GET /api/v1/report`` says it was made from (the CLI's report names the store's path)
REPORT_SOURCE = "the micromix server's store"

_DIM = re.compile(r"^[a-z_][a-z0-9_]{0,63}$")
_KINDS = ("events", "ads", "posts", "creators", "audience", "experiments", "traffic")
#: largest number of dimensions in one KPI query
MAX_DIMENSIONS = 4


def _svc(request: Request) -> Service:
    return request.app.state.service


def _known_columns(kind_table: str) -> set[str]:
    from micromix.schema import SCHEMAS

    return {f.name for f in SCHEMAS[kind_table].fields}


def parse_dimensions(by: str, source: str) -> list[str]:
    """Validate ``by`` (comma-separated) against the contract columns; never builds SQL."""
    from micromix.metrics import SOURCES

    if source not in ("auto", *SOURCES):
        raise ApiError(
            422, "invalid_parameter", f"source {source!r} is not one of auto, {', '.join(SOURCES)}"
        )
    dims = [d.strip() for d in by.split(",") if d.strip()]
    if len(dims) > MAX_DIMENSIONS:
        raise ApiError(
            422, "invalid_parameter", f"by has {len(dims)} dimensions; use at most {MAX_DIMENSIONS}"
        )
    known = _known_columns("events") | _known_columns("ad_performance")
    if source == "events":
        known = _known_columns("events")
    elif source == "ads":
        known = _known_columns("ad_performance")
    elif source == "posts":
        known = _known_columns("posts")
    bad = [d for d in dims if not _DIM.match(d) or d not in known]
    if bad:
        raise ApiError(
            422,
            "invalid_parameter",
            f"unknown dimension(s) {', '.join(map(repr, bad))}; choose from "
            f"{', '.join(sorted(known))}",
        )
    return dims


@router.get("/health", tags=["system"], summary="Liveness (no key needed)")
def health() -> dict[str, str]:
    """``{"status": "ok"}`` while the server runs."""
    return {"status": "ok"}


@router.get("/api/v1/status", tags=["system"], summary="Who am I, what data is loaded")
def status(request: Request, who: Principal = requires("viewer")) -> Response:
    """The caller's role, the data label (simulated, real, or ``simulated + real (mixed)``:
    ``simulated`` and ``mixed`` both true), row counts per table and the store's currency
    (:meth:`~micromix.api.service.Service.currency`; null when unknown)."""
    svc = _svc(request)

    def build() -> dict[str, Any]:
        def counts(store: Store) -> dict[str, int]:
            # the user's data: no keys, audit log, demo mark or erasure key (BOOKKEEPING_TABLES)
            return {t: store.count(t) for t in user_tables(store.tables(), without="bookkeeping")}

        from micromix.ingest.market import MIXED

        label = svc.data_label()
        return {
            "data": label,
            "tables": svc.read(counts),
            "simulated": label.startswith("simulated"),
            # a simulated market that real data was ingested into on purpose (mix_with_demo)
            "mixed": label.startswith(MIXED),
            # the currency of money that records none (null: unknown, shown without a symbol)
            "currency": svc.currency(),
            # the brand the posts are about (null: none known, so routes that need it ask)
            "brand": svc.brand(),
        }

    info = svc.cached(("status",), build)
    return json_response({"key_id": who.key_id, "role": who.role, **info})


@router.get("/api/v1/kpis", tags=["kpis"], summary="KPIs by any dimensions")
async def kpis(
    request: Request,
    by: Annotated[
        str,
        Query(description="Dimensions, comma-separated (e.g. platform,strategy).", max_length=200),
    ] = "",
    grain: Annotated[str | None, Query(pattern="^(day|week|month)$")] = None,
    source: Annotated[str, Query(description="auto, events, ads or posts.")] = "auto",
    kpis: Annotated[
        str,
        Query(
            description="Only these KPIs, comma-separated (e.g. ctr,cpa); default all.",
            max_length=400,
        ),
    ] = "",
    currency: Annotated[
        str | None,
        Query(
            description="ISO code of money in a table that records none (the events).",
            pattern="^[A-Za-z]{3}$",
        ),
    ] = None,
    spread: Annotated[
        bool, Query(description="Spread ad rows covering a range evenly over its days.")
    ] = False,
    who: Principal = requires("viewer"),
) -> Response:
    """CTR, CPM, CPC, CVR, CPA, ROAS, ROI, engagement rate, EMV ... from
    :func:`micromix.metrics.compute_kpis`: money split by currency, undefined values null.
    Results are cached until the next write."""
    from micromix.metrics import resolve_kpis

    svc = _svc(request)
    dims = parse_dimensions(by, source)
    names = resolve_kpis("events" if source == "auto" else source, kpis) if kpis else None
    args = (dims, grain, source, names, currency.upper() if currency else None, spread)
    seen = svc.written_version(who.key_id)
    hit = svc.peek(_kpi_key(*args), stale_ok=True, at_least=seen)
    if hit is None:
        hit = await run_in_threadpool(kpi_payload, svc, *args, at_least=seen)
    return Response(content=hit, media_type="application/json")


def _kpi_key(
    dims: list[str],
    grain: str | None,
    source: str,
    kpis: tuple[str, ...] | None = None,
    currency: str | None = None,
    spread: bool = False,
) -> tuple[Any, ...]:
    return ("kpis", tuple(dims), grain, source, kpis, currency, spread)


def kpi_payload(
    svc: Service,
    dims: list[str],
    grain: str | None = None,
    source: str = "auto",
    kpis: tuple[str, ...] | None = None,
    currency: str | None = None,
    spread: bool = False,
    *,
    at_least: int = 0,
) -> bytes:
    """The JSON body of ``GET /api/v1/kpis`` (computed once per store version, then cached).

    While a newer result is computed, a recent one from data version ``at_least`` or later may
    answer instead (:meth:`~micromix.api.service.Service.cached`, ``stale_ok``).
    """

    def compute() -> bytes:
        from micromix.metrics import compute_kpis

        def run(st: Store) -> tuple[pd.DataFrame, list[str]]:
            notes: list[str] = []
            stated = currency
            if stated is None:
                stated, notes = _store_currency(svc, st, dims, source)
            try:
                df = compute_kpis(
                    st,
                    by=dims,
                    grain=grain,
                    source=source,
                    kpis=kpis,
                    currency=stated,
                    spread=spread,
                )
            except ConfigError as exc:
                if getattr(exc, "crossing_rows", None) is None:
                    raise
                raise _range_refusal(exc, grain) from None
            return df, [*notes, *df.attrs.get("notes", [])]

        df, notes = svc.read(run)
        check_rows(len(df), svc.config.max_rows, "the KPI result")
        return frame_json(df, source=df.attrs.get("source"), by=dims, grain=grain, notes=notes)

    key = _kpi_key(dims, grain, source, kpis, currency, spread)
    return svc.cached(key, compute, stale_ok=True, at_least=at_least)


def _store_currency(
    svc: Service, st: Store, dims: list[str], source: str
) -> tuple[str | None, list[str]]:
    """The currency of the events' money when the KPIs come from events that record none, and
    the note saying where it comes from (:func:`micromix.metrics.kpi_currency`, with the
    service's cached answer)."""
    from micromix.metrics import kpi_currency

    return kpi_currency(st, dims, source, option="currency=", known=svc.money_currency())


#: the grains coarser than each one (what a row covering several days can still be split by)
_COARSER = {"day": ("week", "month"), "week": ("month",), "month": ()}


def _range_refusal(exc: ConfigError, grain: str | None) -> ApiError:
    """The refusal of ad rows spanning more than one period, in the API's parameters (the
    library's names the CLI's options); ``crossing_rows`` and ``example`` ride along so a
    client (the dashboard) can word its own advice."""
    g = grain or "day"
    n = int(getattr(exc, "crossing_rows", 0))
    example = str(getattr(exc, "example", ""))
    options = [f"grain={c}" for c in _COARSER.get(g, ())]
    return ApiError(
        422,
        "invalid_parameter",
        f"{n:,} ad row(s) cover a date range longer than one {g}{example}, so their figures "
        f"cannot be split by {g}; ask with {' or '.join([*options, 'no grain'])}, or with "
        "spread=true to spread them evenly over their days",
        extra={
            "crossing_rows": n,
            "example": example.strip(" ()").removeprefix("e.g. "),
            "grain": g,
        },
    )


#: the KPI queries the dashboard's overview makes (``dims, grain``)
DASHBOARD_KPIS: tuple[tuple[tuple[str, ...], str | None], ...] = (
    ((), None),
    (("strategy",), "day"),
    (("platform",), None),
    (("strategy",), None),
)


def warm_cache(svc: Service) -> None:
    """Compute the dashboard's KPI queries ahead of the first visit (run in a thread).

    A query the store cannot answer (an empty store, ad rows covering a month asked per day)
    is skipped with one log line and the others are still warmed: the dashboard's own request
    for it gets the reason in its answer, never a traceback in the server's console.
    """
    for dims, grain in DASHBOARD_KPIS:
        try:
            kpi_payload(svc, list(dims), grain)
        except (MicromixError, ApiError) as exc:  # the answer a request would get: skip it
            _warm_skipped(dims, grain, exc, logging.INFO)
        except Exception as exc:  # a warm-up never prints a traceback: the request will say it
            _warm_skipped(dims, grain, exc, logging.WARNING)


def _warm_skipped(dims: tuple[str, ...], grain: str | None, exc: Exception, level: int) -> None:
    """One log line: which dashboard query was not computed ahead, and why."""
    what = "KPIs" + (f" by {', '.join(dims)}" if dims else "") + (f" per {grain}" if grain else "")
    reason = (getattr(exc, "message", None) or str(exc) or type(exc).__name__).splitlines()[0]
    log.log(level, "not computed ahead for the dashboard: %s (%s)", what, reason)


@router.get("/api/v1/comparisons", tags=["kpis"], summary="The strategy comparisons")
def comparisons(who: Principal = requires("viewer")) -> list[dict[str, Any]]:
    from micromix.metrics.compare import COMPARISONS

    return [c.to_dict() for c in COMPARISONS.values()]


@router.get("/api/v1/comparisons/{name}", tags=["kpis"], summary="Run one strategy comparison")
def comparison(
    request: Request,
    name: str,
    n_boot: Annotated[int, Query(ge=20, le=2000)] = ANALYSIS_N_BOOT,
    level: Annotated[float, Query(gt=0.5, lt=1.0)] = 0.95,
    who: Principal = requires("viewer"),
) -> Response:
    """Observed KPIs, incremental ROAS with intervals and a one-sentence conclusion
    (:func:`micromix.metrics.compare.compare_strategies`)."""
    from micromix.metrics.compare import COMPARISONS, compare_strategies

    if name not in COMPARISONS:
        raise ApiError(
            404, "not_found", f"no comparison {name[:80]!r}; use one of {', '.join(COMPARISONS)}"
        )
    svc = _svc(request)

    def compute() -> bytes:
        res = svc.read(lambda st: compare_strategies(st, name, n_boot=n_boot, level=level))
        return frame_json(res.table, comparison=res.comparison.to_dict(), conclusion=res.conclusion)

    return Response(
        content=svc.cached(("compare", name, n_boot, level), compute), media_type="application/json"
    )


@router.get("/api/v1/traffic", tags=["kpis"], summary="Web-analytics reports (GA4 / UA downloads)")
def traffic(
    request: Request,
    top: Annotated[int, Query(ge=1, le=500)] = 10,
    who: Principal = requires("viewer"),
) -> Response:
    """Each ingested web-analytics report: property, period, totals of what adds up (never
    users) and its ``top`` leading rows with their share
    (:func:`micromix.metrics.traffic.traffic_reports`); ``reports`` is empty when none."""
    from micromix.metrics.traffic import traffic_reports

    svc = _svc(request)

    def compute() -> dict[str, Any]:
        return {"reports": [r.to_dict() for r in svc.read(lambda st: traffic_reports(st, top=top))]}

    return json_response(svc.cached(("traffic", top), compute))


#: characters kept in an uploaded file's name when it is written to a temporary folder
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
#: most characters of an uploaded file's name kept in messages and reports
_NAME_CHARS = 120
#: the ingest library's advice names CLI flags; over the API it names the upload's query
#: parameters (errors, the answer's notes and checks alike; see :func:`_api_terms`).
#: Whole CLI phrases said otherwise over the API (replaced first):
_PHRASES = {
    "micromix kpis --currency CODE": "the currency parameter of GET /api/v1/kpis",
    "another --format": "another layout",
}
#: a CLI option taking a value -> the upload's parameter (``--strategy NAME`` ->
#: ``strategy=NAME``; alone, ``--format`` -> ``the layout parameter``)
_VALUE_FLAGS = {
    "--currency": "currency",
    "--format": "layout",
    "--strategy": "strategy",
    "--encoding": "encoding",
    "--sheet": "sheet",
    "--window": "window",
}
#: a CLI switch -> the upload's parameter setting
_SWITCHES = {
    "--dayfirst": "dayfirst=true",
    "--monthfirst": "dayfirst=false",
    "--decimal-comma": "decimal_comma=true",
    "--decimal-point": "decimal_comma=false",
    "--replace": "on_overlap=replace",
    "--keep-both": "on_overlap=keep",
    "--dry-run": "dry_run=true",
    "--mix-with-demo": "mix_with_demo=true",
}
_FLAG = r"(?<![\w-])({})(?![\w-])"
_SWITCH_RE = re.compile(_FLAG.format("|".join(map(re.escape, _SWITCHES))))
#: the value after an option: quoted, a placeholder or code (NAME, EUR), a snake_case name
#: (paid_social, ga_report), or a strategy or layout name of one word (search, canonical)
_VALUE = r"'[^']*'|[A-Z][A-Z0-9_]*(?![\w-])|[a-z0-9]+(?:_[a-z0-9]+)+(?![\w-])|(?:{})(?![\w-])"
#: the CLI's ingest command named in advice ('micromix ingest ads ...') -> the upload route
_INGEST_CMD = re.compile(r"'micromix ingest (\w+)(?: \.\.\.)?'")


@functools.cache
def _value_flags() -> re.Pattern[str]:
    """The options taking a value, each with the value after it if there is one (compiled on
    first use: the layouts' registry is imported with the ingest code, not with the API)."""
    from micromix.ingest.formats import FORMATS
    from micromix.schema import STRATEGIES

    words = "|".join(sorted({*STRATEGIES, *FORMATS.names()}, key=len, reverse=True))
    flags = _FLAG.format("|".join(map(re.escape, _VALUE_FLAGS)))
    return re.compile(flags + r"(?:\s+(" + _VALUE.format(words) + "))?")


def _api_terms(text: str, names: dict[str, str] | None = None) -> str:
    """``text`` (an ingest error, note or check) in the upload's words: server paths renamed
    (``names``, see :func:`~micromix.api.errors.renamed`), then every CLI ingest flag as the
    query parameter - ``--strategy NAME`` -> ``strategy=NAME``, ``--format ga_report`` ->
    ``layout=ga_report``, a bare ``--currency`` -> ``the currency parameter``, ``--dayfirst``
    -> ``dayfirst=true`` - and ``'micromix ingest ads ...'`` as ``POST /api/v1/ingest/ads``.

    >>> _api_terms("--strategy search filed all 3 rows; ingest it without --strategy")
    'strategy=search filed all 3 rows; ingest it without the strategy parameter'
    >>> _api_terms("--format ga_report holds traffic rows; run 'micromix ingest traffic ...'")
    "layout=ga_report holds traffic rows; run 'POST /api/v1/ingest/traffic'"
    >>> _api_terms("pass --dayfirst or --monthfirst; --currency with a code (--currency EUR)")
    'pass dayfirst=true or dayfirst=false; the currency parameter with a code (currency=EUR)'
    """
    text = renamed(renamed(text, names), _PHRASES)
    text = _SWITCH_RE.sub(lambda m: _SWITCHES[m.group(1)], text)

    def option(m: re.Match[str]) -> str:
        param = _VALUE_FLAGS[m.group(1)]
        return f"{param}={m.group(2)}" if m.group(2) else f"the {param} parameter"

    text = _value_flags().sub(option, text)
    return _INGEST_CMD.sub(lambda m: f"'POST /api/v1/ingest/{m.group(1)}'", text)


#: how an upload refused into the simulated demo store is done on purpose, or done right
_MIX_ADVICE = (
    "; keep real data in a store of its own (start the server on a new file: micromix serve "
    "--db NEW.duckdb --no-demo), or pass mix_with_demo=true to mix them on purpose (the data "
    "label and the banners then say 'simulated + real (mixed)')"
)


def _upload_name(filename: str | None) -> tuple[str, str]:
    """``(name shown to the client, safe file name on disk)`` for an uploaded file."""
    shown = Path((filename or "").replace("\\", "/")).name.strip()[:_NAME_CHARS] or "upload"
    shown = "".join(ch if ch.isprintable() else "?" for ch in shown)
    suffix = Path(shown).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ".csv"
    stem = _SAFE_NAME.sub("_", Path(shown).stem)[:60].strip("._") or "upload"
    return shown, stem + suffix


def upload_source(data: bytes) -> str:
    """The quarantine and ingest-log source of an uploaded file: stable per file content.

    Uploading the same bytes again replaces its quarantine records instead of adding them again.
    The file's name is kept beside it (:func:`_remember_upload`), so later messages name it.
    """
    return f"upload:{hashlib.sha256(data).hexdigest()[:16]}"


def batch_source(key_id: str) -> str:
    """The quarantine and ingest-log source of an event batch: unique per request."""
    return f"api:{key_id}:{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}:{uuid.uuid4().hex[:12]}"


#: an upload's source (:func:`upload_source`) at the start of a registered export's path
_UPLOAD_SOURCE = re.compile(r"upload:[0-9a-f]{16}")
#: the key under which the service's meta table keeps an upload's file name
_NAME_KEY = "upload name "


def _remember_upload(store: Store, source: str, shown: str) -> None:
    """Keep the name ``source`` was uploaded as (the last one, for the same bytes)."""
    from micromix.api.service import DEMO_TABLE

    key = _NAME_KEY + source
    if store.has_table(DEMO_TABLE):
        store.delete_where(DEMO_TABLE, "key", [key])
    store.append(DEMO_TABLE, pd.DataFrame([{"key": key, "value": shown}]))


def _earlier_names(store: Store, paths: Iterable[str]) -> dict[str, str]:
    """What the client knows earlier exports as: an upload by the file name it was uploaded
    as, an export the CLI ingested (a path on the server) by its file name only."""
    from micromix.api.service import DEMO_TABLE

    paths = [p for p in paths if p]
    names: dict[str, str] = {}
    uploads = {m.group(0) for p in paths if (m := _UPLOAD_SOURCE.match(p))}
    if uploads and store.has_table(DEMO_TABLE):
        meta = store.read(DEMO_TABLE)
        for r in meta.itertuples(index=False):
            if str(r.key).startswith(_NAME_KEY) and str(r.key)[len(_NAME_KEY) :] in uploads:
                names[str(r.key)[len(_NAME_KEY) :]] = str(r.value)
    for p in paths:
        m = _UPLOAD_SOURCE.match(p)
        if m and m.group(0) not in names:
            names[m.group(0)] = f"an earlier upload ({m.group(0)})"
        elif not m:
            names.setdefault(p, Path(p).name)
    return names


def _window(text: str | None) -> Any:
    """``window=START..END`` as the readers' time window (None: the default)."""
    from micromix.schema import TimeWindow

    if not text:
        return None
    start, sep, end = text.partition("..")
    if not sep:
        raise ApiError(
            422,
            "invalid_parameter",
            f"window {text[:80]!r} must look like 1970-01-01..2100-01-01",
        )
    return TimeWindow.of(start, end)


def _query_names(request: Request) -> set[str]:
    """The query parameters the matched route declares (its own and its dependencies')."""
    route = request.scope.get("route")
    stack = [getattr(route, "dependant", None)]
    known: set[str] = set()
    while stack:
        dep = stack.pop()
        if dep is None:
            continue
        known.update(f.alias for f in dep.query_params)
        stack.extend(dep.dependencies)
    return known


def _refuse_unknown_query(request: Request) -> None:
    """422 naming the query parameters the route does not take: a misspelt option
    (``?sheet_name=``) is never silently ignored."""
    known = _query_names(request)
    unknown = sorted({k for k in request.query_params if k not in known})
    if unknown:
        shown = ", ".join(repr(k[:40]) for k in unknown[:5])
        raise ApiError(
            422,
            "invalid_parameter",
            f"unknown query parameter(s) {shown}; this route takes {', '.join(sorted(known))} "
            "(see /docs)",
        )


def _removed_note(removed: int, quarantined: int) -> str:
    """What a new version of an export took away from the rows stored from the earlier one."""
    why = (
        f"; {quarantined:,} of this file's rows are quarantined (see quarantine_sample): if "
        "they are among them, fix those rows and upload the file again to restore them"
        if quarantined
        else ", as a re-downloaded export replaces its rows"
    )
    return (
        f"{removed:,} row(s) stored from an earlier version of this export are not in this "
        f"file as valid rows and were removed from the store{why}"
    )


@router.post("/api/v1/ingest/{kind}", tags=["ingest"], summary="Ingest a file")
async def ingest_upload(
    request: Request,
    kind: str,
    file: Annotated[UploadFile, File(description="CSV, TSV, JSONL, JSON, Parquet or .xlsx.")],
    layout: Annotated[
        str | None,
        Query(
            max_length=64, pattern="^[a-z0-9_]+$", description="Input layout; detected if absent."
        ),
    ] = None,
    currency: Annotated[
        str | None,
        Query(
            description="ISO 4217 code of the money columns when the file states none.",
            pattern="^[A-Za-z]{3}$",
        ),
    ] = None,
    dayfirst: Annotated[
        bool | None,
        Query(description="Dates like 03/04/2024 are day-first (true) or month-first (false)."),
    ] = None,
    decimal_comma: Annotated[
        bool | None,
        Query(description="Numbers like 1.234,56 (true) or 1,234.56 (false); told by the file."),
    ] = None,
    strategy: Annotated[
        str | None,
        Query(
            max_length=64,
            description="File every row under this strategy (search, paid_social, other ...) "
            "instead of the layout's mapping (ads and events files).",
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        Query(max_length=200, description="Worksheet of an .xlsx file (default: the first table)."),
    ] = None,
    encoding: Annotated[
        str | None,
        Query(
            max_length=40,
            pattern="^[A-Za-z0-9_.:-]+$",
            description="Text encoding (default: detected; utf-8, utf-16, cp1252 ...).",
        ),
    ] = None,
    window: Annotated[
        str | None,
        Query(
            max_length=80,
            description="Accepted timestamps START..END (default 1970-01-01..2100-01-01).",
        ),
    ] = None,
    on_overlap: Annotated[
        Literal["refuse", "replace", "keep"],
        Query(description="When the file overlaps an export already ingested."),
    ] = "refuse",
    dry_run: Annotated[
        bool, Query(description="Read, map and validate; answer what would happen; write nothing.")
    ] = False,
    mix_with_demo: Annotated[
        bool,
        Query(
            description="Ingest real data into a store holding the simulated demo market on "
            "purpose (refused otherwise; the data label then says 'simulated + real (mixed)')."
        ),
    ] = False,
    who: Principal = requires("analyst"),
) -> Response:
    """Ingest one file (any supported export layout) with :func:`micromix.ingest.prepare_file`
    and :func:`~micromix.ingest.write_prepared`, taking the reading options of ``micromix
    ingest``: accepted rows are upserted, bad rows quarantined with reasons under a source
    named after the file's content (``upload:<sha256 prefix>``), so uploading the same file
    again adds nothing. A body over the size limit is refused with 413, and so is a file of
    more parsed rows than the row limit. The first real file into a store holding the
    simulated demo market is refused with 409 unless ``mix_with_demo=true``."""
    _refuse_unknown_query(request)
    if kind not in _KINDS:
        raise ApiError(422, "invalid_parameter", f"kind {kind!r} is not one of {', '.join(_KINDS)}")
    svc = _svc(request)
    shown, safe = _upload_name(file.filename)
    data = await file.read()
    source = upload_source(data)
    span = _window(window)

    def demo_mix(st: Store) -> str | None:
        from micromix.ingest.market import demo_mix_refusal

        why = None if mix_with_demo else demo_mix_refusal(st, shown)
        return None if why is None else why + _MIX_ADVICE

    def refuse_demo_mix(st: Store) -> None:
        why = demo_mix(st)
        if why is not None:
            raise ApiError(409, "simulated_store", why)

    def run() -> dict[str, Any]:
        from micromix.ingest import prepare_file, write_prepared
        from micromix.ingest.pipeline import dry_run_report

        # at once, before reading the file (a dry run is told in a note)
        mixing = svc.read(demo_mix)
        if mixing is not None and not dry_run:
            raise ApiError(409, "simulated_store", mixing)
        with tempfile.TemporaryDirectory(prefix="micromix-upload-") as tmp:
            path = Path(tmp) / safe
            names = {str(path): shown, str(path.resolve()): shown}
            names.update({str(Path(tmp)) + "/": "", str(Path(tmp).resolve()) + "/": ""})
            names[source] = shown
            path.write_bytes(data)
            try:
                # read, map and validate outside the write lock: other writes go on meanwhile
                prepared = prepare_file(
                    kind,
                    path,
                    layout=layout,
                    currency=currency.upper() if currency else None,
                    dayfirst=dayfirst,
                    decimal_comma=decimal_comma,
                    strategy=strategy,
                    sheet=sheet,
                    encoding=encoding,
                    window=span,
                    source=source,
                    max_rows=svc.config.max_rows,
                )
                if dry_run:
                    rep = dry_run_report(kind, prepared)
                else:

                    def write(st: Store) -> Any:
                        refuse_demo_mix(st)  # again under the write lock: no race past it
                        got = write_prepared(st, kind, prepared, on_overlap=on_overlap)
                        _remember_upload(st, source, shown)
                        return got, _earlier_names(st, (*got.replaced, *got.overlaps))

                    rep, earlier = svc.write(write, by=who.key_id)
                    names.update(earlier)
            except MicromixError as exc:
                # an export ingested earlier is named as the client knows it: an earlier upload
                # by the name it was uploaded as, one the CLI ingested by its file name only
                paths = tuple(getattr(exc, "paths", ()))
                names.update(svc.read(lambda st: _earlier_names(st, paths)))
                names[source] = shown
                err = api_error(exc, names)
                raise ApiError(err.status, err.kind, _api_terms(err.message)) from None
        out = rep.to_dict()
        out["source"] = shown
        out["quarantine_source"] = source
        out["sheet"] = prepared.raw.sheet
        if len(prepared.raw.sheets) > 1:
            out["sheets"] = list(prepared.raw.sheets)
        out["replaced"] = [renamed(p, names) for p in rep.replaced]
        out["overlaps"] = [renamed(p, names) for p in rep.overlaps]
        notes = [_api_terms(n, names) for n in rep.notes]
        if rep.removed and not rep.dry_run:
            notes.append(_removed_note(rep.removed, rep.quarantined))
        if prepared.raw.sheet is not None and len(prepared.raw.sheets) > 1:
            others = [n for n in prepared.raw.sheets if n != prepared.raw.sheet]
            notes.append(
                f"read sheet {prepared.raw.sheet!r} of the workbook; its other sheets "
                f"({', '.join(map(repr, others))}) are read with sheet=NAME"
            )
        if mixing is not None:
            notes.append(f"an upload without dry_run=true would be refused: {mixing}")
        out["notes"] = notes
        out["checks"] = [{**c, "message": _api_terms(str(c["message"]), names)} for c in rep.checks]
        return out

    return json_response(await run_in_threadpool(run))


@router.post(
    "/api/v1/events",
    tags=["ingest"],
    summary="Ingest a batch of events (JSON)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"type": "array", "items": {"type": "object"}},
                            {
                                "type": "object",
                                "properties": {
                                    "events": {"type": "array", "items": {"type": "object"}}
                                },
                            },
                        ]
                    }
                }
            },
        }
    },
)
async def ingest_events(request: Request, who: Principal = requires("analyst")) -> Response:
    """A JSON array of event objects (or ``{"events": [...]}``) following the ``events``
    contract; validated, upserted by ``event_id``, bad rows quarantined (the same checks as
    :func:`micromix.ingest.ingest_frame`)."""
    svc = _svc(request)
    body = await request.body()
    source = batch_source(who.key_id)
    limit = svc.config.max_rows
    # parsing and validating a large body is tens of milliseconds of Python: in the batch
    # worker process (the second core), or for a small body in the thread pool, never on the
    # event loop that every other request (KPI reads) is answered from
    fut = svc.batches.submit(body, limit, source)
    if fut is not None:
        # wait without a thread; its outcome (or error) is taken from ``fut`` in write()
        with contextlib.suppress(Exception):
            await asyncio.wrap_future(fut)

    def write() -> dict[str, Any]:
        from micromix.ingest import write_validated

        if fut is None:
            got = svc.batches.validate(body, limit, source)
        else:
            got = svc.batches.result(fut, body, limit, source)
        report = svc.write(
            lambda st: write_validated(st, "events", got.result, source, accepted=got.accepted),
            by=who.key_id,
        )
        return report.to_dict()

    return json_response(await run_in_threadpool(write))


@router.get(
    "/api/v1/report",
    tags=["reports"],
    response_class=HTMLResponse,
    summary="The self-contained HTML report",
)
def report(
    request: Request,
    n_boot: Annotated[int, Query(ge=20, le=1000)] = ANALYSIS_N_BOOT,
    who: Principal = requires("viewer"),
) -> HTMLResponse:
    """The same offline HTML report as ``micromix report``: the evidence of
    :func:`micromix.plan.gather_evidence` rendered by :func:`micromix.reports.build_report`."""
    svc = _svc(request)

    def build() -> str:
        from micromix.plan import gather_evidence
        from micromix.reports import build_report

        evidence = svc.read(lambda st: gather_evidence(st, n_boot=n_boot))
        log = evidence.quality.ingest_log if evidence.quality is not None else None
        sources = [] if log is None or "source" not in log else log["source"].dropna()
        sources = [str(s) for s in sources]
        names = svc.read(lambda st: _earlier_names(st, sources))
        # the header and the ingest log name the store and the files as the client knows them,
        # never by a path on the server
        return build_report(evidence, source_name=REPORT_SOURCE, source_names=names)

    return HTMLResponse(svc.cached(("report", n_boot), build))
