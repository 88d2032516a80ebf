"""``micromix moments ...``: classify intents, find bursts, tag sessions, watch live streams.

Thin layer: parse arguments, call :mod:`micromix.moments`, print or write the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from micromix.cli._common import (
    BACKEND_HELP,
    emit_frame,
    emit_json,
    err_console,
    note_empty_texts,
    open_store,
    read_input,
    run_command,
    write_csv,
)
from micromix.errors import ConfigError, DataValidationError

if TYPE_CHECKING:
    from micromix.moments.realtime import MomentDetector

__all__ = ["moments_app", "register"]

moments_app = typer.Typer(
    name="moments",
    help="Micro-moments: intent classification, bursts and gaps, sessions, live detection.",
    no_args_is_help=True,
)


#: the option that buckets timestamps coarser than --freq anyway
FORCE_FREQ_OPTION: Any = typer.Option(
    False,
    "--force-freq",
    help="Bucket by --freq even when the timestamps are spaced more widely (dates by the "
    "hour), which makes every filled bucket a burst; refused otherwise.",
)


#: how to read d/m/y dates (the shared timestamp reader refuses 03/04/2024 otherwise)
DAYFIRST_OPTION: Any = typer.Option(
    False, "--dayfirst", help="Dates are day first (03/04/2024 is 3 April)."
)
MONTHFIRST_OPTION: Any = typer.Option(
    False, "--monthfirst", help="Dates are month first (03/04/2024 is 4 March)."
)
#: the zone of times that state none
TZ_OPTION: Any = typer.Option(
    None,
    "--tz",
    help="IANA time zone (Europe/Berlin) of timestamps that state none; they are converted "
    "to UTC. Default: such times are read as UTC (counted in a note).",
)


def _dayfirst(dayfirst: bool, monthfirst: bool) -> bool | None:
    if dayfirst and monthfirst:
        raise ConfigError("--dayfirst and --monthfirst contradict each other; pass one")
    return True if dayfirst else False if monthfirst else None


def _notes(lines: list[str]) -> None:
    """What the domain had to say about the data, on stderr."""
    for line in lines:
        err_console.print(f"note: {line}", highlight=False, soft_wrap=True)


def _spec(freq: str, detector: str, min_count: int, min_ratio: float, alpha: float | None):
    from micromix.moments.bursts import BurstSpec, freq_seconds

    try:
        freq_seconds(freq)
    except ConfigError as exc:
        if not str(exc).startswith("freq "):
            raise
        raise ConfigError(f"--{exc}") from None  # "--freq 10 has no unit; ..."
    params: dict[str, Any] = {}
    if alpha is not None:
        if detector != "poisson":
            raise ConfigError("--alpha applies to --detector poisson only; drop it or switch")
        params["alpha"] = alpha
    return BurstSpec(
        freq=freq,
        detector=detector,
        detector_params=params,
        min_count=min_count,
        min_ratio=min_ratio,
    )


@moments_app.command("classify")
def classify_cmd(
    input: Path = typer.Option(..., "--input", "-i", help="CSV, TSV or JSONL file."),
    text_col: str = typer.Option(..., "--text-col", help="Column holding the query / text."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="CSV to write (default stdout)."
    ),
    model: Path | None = typer.Option(None, "--model", help="Model file (default: shipped)."),
    topics: str = typer.Option(
        "auto",
        "--topics",
        help="`auto`: learn the topics from the texts; a comma-separated list; or `none`.",
    ),
    prior: str = typer.Option(
        "web", "--prior", help="Traffic the texts come from: `web` search or a `shop` search box."
    ),
    embeddings: bool = typer.Option(
        False,
        "--embeddings",
        help="Add the MiniLM sentence-embedding stage (needs micromix[embeddings]; offline).",
    ),
) -> None:
    """Add `moment` (know|go|do|buy|other), `confidence` (0..1) and `topic` to every row.

    The file's own columns are written as the file has them (10,708 stays 10,708). An
    export's summary rows ("Total: Account") are left out, counted on stderr. A row whose
    text is empty (in a one-column file, an empty line too) keeps its place with the added
    cells left empty (counted on stderr; rows are counted as data rows, the header is not one).
    """

    def body() -> None:
        from micromix.ingest.files import require_columns
        from micromix.moments.classify import classify_texts

        df = _without_summary_rows(
            read_input(input, blank_lines="rows", as_text=True), input, text_col
        )
        require_columns(df, [text_col], input)
        res = classify_texts(
            df[text_col], model=model, topics=topics, prior=prior, embeddings=embeddings
        )
        out = df.drop(columns=[c for c in res.columns if c in df.columns])
        for c in res.columns:
            out[c] = res[c].to_numpy()
        added = ", ".join(res.columns[:-1]) + " and " + res.columns[-1]
        note_empty_texts(res["moment"].isna().to_numpy(), text_col, "intent", added)
        for line in res.attrs.get("notes", []):  # texts the model has no evidence on
            err_console.print(f"note: {line}", highlight=False, soft_wrap=True)
        write_csv(out, output)

    run_command(body)


def _without_summary_rows(df: Any, input: Path, text_col: str) -> Any:
    """``df`` without an export's summary rows ("Total: Account":
    :func:`micromix.ingest.ads_exports.drop_summary_rows`), counted on stderr."""
    from micromix.ingest.ads_exports import drop_summary_rows

    df, labels = drop_summary_rows(df, text_columns=[text_col])
    if labels:
        shown = ", ".join(repr(x) for x in labels[:3]) + (" ..." if len(labels) > 3 else "")
        _notes(
            [
                f"{input}: {len(labels):,} summary row(s) left out ({shown}): the export's own "
                "totals, not data rows"
            ]
        )
    return df


@moments_app.command("bursts")
def bursts_cmd(
    input: Path = typer.Option(..., "--input", "-i", help="CSV, TSV or JSONL file."),
    time_col: str = typer.Option(..., "--time-col", help="Timestamp column."),
    key_col: str | None = typer.Option(
        None, "--key-col", help="Key column; several as a comma-separated list."
    ),
    count_col: str | None = typer.Option(
        None, "--count-col", help="Pre-aggregated count column (else one row = one event)."
    ),
    freq: str = typer.Option("1h", "--freq", help="Bucket width, e.g. 5min, 1h, 1D."),
    detector: str = typer.Option("poisson", "--detector", help="poisson, ewma or cusum."),
    min_count: int = typer.Option(5, "--min-count", help="Fewest events in a burst bucket."),
    min_ratio: float = typer.Option(1.5, "--min-ratio", help="Burst must be >= ratio x expected."),
    alpha: float | None = typer.Option(None, "--alpha", help="Poisson tail probability."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="CSV to write (default stdout)."
    ),
    no_header: bool = typer.Option(
        False,
        "--no-header",
        help="The CSV has no header row: every line is data and the columns are named c0, "
        "c1, ... (e.g. --time-col c0).",
    ),
    force_freq: bool = FORCE_FREQ_OPTION,
    dayfirst: bool = DAYFIRST_OPTION,
    monthfirst: bool = MONTHFIRST_OPTION,
    tz: str | None = TZ_OPTION,
) -> None:
    """Find bursts and collection gaps.

    Rows: key, start, end (UTC), hours, observed, expected, score, kind, ratio.

    kind: burst, level_shift or gap. ratio: observed / expected, on every row.

    score is in the detector's own unit (compare it within one detector and kind only):

    poisson: -log10 of the tail probability (3 = 1 in 1,000; at most 300). ewma: z-score.

    cusum: the CUSUM statistic. level_shift and gap rows: observed / expected.

    Times that state no zone are read as UTC (a note counts them), or in --tz.
    """

    def body() -> None:
        from micromix.ingest.files import require_columns
        from micromix.moments.bursts import detect_bursts

        order = _dayfirst(dayfirst, monthfirst)
        df = read_input(input, header=not no_header)
        keys = [k.strip() for k in key_col.split(",")] if key_col else []
        if (
            time_col not in df.columns
            and not no_header
            and any(str(c).replace(".", "").isdigit() for c in df.columns)
        ):
            raise ConfigError(
                f"{input}: column {time_col!r} not found and the first line looks like data, "
                "not a header; pass --no-header and name columns c0, c1, ... (--time-col c0)"
            )
        require_columns(df, [time_col, *keys, *([count_col] if count_col else [])], input)
        spec = _spec(freq, detector, min_count, min_ratio, alpha)
        with _about_file(input):
            out = detect_bursts(
                df,
                time_col=time_col,
                key_col=keys or None,
                count_col=count_col,
                spec=spec,
                allow_coarse=force_freq,
                dayfirst=order,
                tz=tz,
            )
        _notes(out.attrs.get("notes", []))
        out = out.assign(start=out["start"].map(_iso), end=out["end"].map(_iso))
        write_csv(out, output)

    run_command(body)


@contextmanager
def _about_file(input: Path | None) -> Iterator[None]:
    """Name the file in a refusal of its rows, and word a refusal of timestamps coarser than
    the buckets with the command's options."""
    from micromix.moments.bursts import CoarseTimesError

    try:
        yield
    except CoarseTimesError as exc:
        raise ConfigError(f"{input}: {exc.describe('--freq', '--force-freq')}") from None
    except DataValidationError as exc:
        if input is None or str(exc).startswith(f"{input}:"):
            raise
        raise DataValidationError(f"{input}: {exc}") from None


def _iso(ts: Any) -> str:
    return ts.isoformat().replace("+00:00", "Z")


@moments_app.command("sessions")
def sessions_cmd(
    input: Path = typer.Option(..., "--input", "-i", help="Events file (events contract or GA4)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Per-session CSV to write."),
    as_json: bool = typer.Option(
        False, "--json", help='KPIs as JSON: {"notes": [...], "rows": [one per moment]}.'
    ),
) -> None:
    """Tag sessions with their micro-moment and outcome; print KPIs per moment type.

    What the KPIs cannot say (brand presence on a site's own analytics) is noted on stderr,
    and under "notes" with --json.
    """

    def body() -> None:
        from micromix.moments.sessions import moment_kpis, tag_sessions

        df = read_input(input)
        sessions = tag_sessions(df, source=str(input))
        if output is not None:
            write_csv(sessions, output)
        kpis = moment_kpis(sessions)
        notes = [str(n) for n in kpis.attrs.get("notes", [])]
        _notes(notes)
        if as_json:
            emit_json({"notes": notes, "rows": kpis.reset_index()})
        else:
            emit_frame(kpis.reset_index(), title="KPIs by micro-moment")

    run_command(body)


@moments_app.command("watch")
def watch_cmd(
    source: str = typer.Option(..., "--source", help="http, file or redis."),
    input: Path | None = typer.Option(
        None, "--input", "-i", help="File to replay (--source file)."
    ),
    time_col: str = typer.Option("ts", "--time-col", help="Timestamp field of the events."),
    speed: float | None = typer.Option(None, "--speed", help="Replay speed-up (default: max)."),
    host: str = typer.Option("127.0.0.1", "--host", help="HTTP bind address (loopback)."),
    port: int = typer.Option(8765, "--port", help="HTTP port."),
    redis_url: str = typer.Option("redis://127.0.0.1:6379/0", "--redis-url"),
    stream: str = typer.Option("micromix:events", "--stream", help="Redis stream name."),
    group: str = typer.Option("micromix-moments", "--group", help="Redis consumer group."),
    consumer: str = typer.Option("detector-1", "--consumer", help="Redis consumer name."),
    max_events: int | None = typer.Option(None, "--max-events", help="Stop after N (redis)."),
    idle_stop: float | None = typer.Option(None, "--idle-stop", help="Stop after S idle seconds."),
    freq: str = typer.Option("5min", "--freq", help="Bucket width."),
    detector: str = typer.Option("poisson", "--detector", help="poisson, ewma or cusum."),
    topics: str = typer.Option("", "--topics", help="Comma-separated topics to key on."),
    webhook: list[str] = typer.Option([], "--webhook", help="POST each moment here (repeat)."),
    db: str | None = typer.Option(None, "--db", help="Store file (default MICROMIX_DB)."),
    backend: str | None = typer.Option(None, "--backend", help=BACKEND_HELP),
    no_store: bool = typer.Option(False, "--no-store", help="Do not write moments to the store."),
    as_json: bool = typer.Option(False, "--json", help="The moments acted on as JSON."),
    as_csv: bool = typer.Option(False, "--csv", help="The moments acted on as CSV."),
    force_freq: bool = FORCE_FREQ_OPTION,
    dayfirst: bool = DAYFIRST_OPTION,
    monthfirst: bool = MONTHFIRST_OPTION,
    tz: str | None = TZ_OPTION,
) -> None:
    """Detect micro-moments live and act on them (store + webhooks); print what was acted on.

    One action per moment, fired at its rising edge and updated (same moment_id) as it grows,
    peaks, ends or turns out to be a level shift; the final table lists exactly those actions.
    The summary counts the entries rejected (Redis: kept in the stream <stream>:dead, each
    with a note printed as it happens); see docs/moments.md for what watch guarantees.
    """

    def body() -> None:
        from micromix.moments.actions import ActionDispatcher, StoreEnricher, WebhookSink
        from micromix.moments.realtime import MomentDetector, consume_redis, serve_http

        if source not in ("http", "file", "redis"):
            raise ConfigError(f"--source {source!r} is not one of http, file, redis")
        order = _dayfirst(dayfirst, monthfirst)
        if source != "file" and (order is not None or tz is not None):
            raise ConfigError(
                "--dayfirst, --monthfirst and --tz read the times of a file: they apply to "
                "--source file only (live events should carry ISO 8601 times with a zone)"
            )
        store = None if no_store else open_store(db, backend)
        hooks = [WebhookSink(u) for u in webhook]
        det = MomentDetector(
            spec=_spec(freq, detector, 5, 1.5, None),
            dispatcher=ActionDispatcher(store, hooks),
            topics=[t.strip() for t in topics.split(",") if t.strip()],
            enricher=StoreEnricher(store) if store is not None else None,
            on_action=_live_line,
        )
        try:
            if source == "file":
                _replay(
                    det,
                    input,
                    time_col,
                    speed,
                    as_json=as_json,
                    as_csv=as_csv,
                    force_freq=force_freq,
                    dayfirst=order,
                    tz=tz,
                )
            elif source == "http":
                serve_http(
                    det,
                    host=host,
                    port=port,
                    ready=lambda s: err_console.print(
                        f"listening on http://{host}:{s.server_address[1]}/events (Ctrl-C to stop)"
                    ),
                )
            else:
                n = consume_redis(
                    det,
                    url=redis_url,
                    stream=stream,
                    group=group,
                    consumer=consumer,
                    max_events=max_events,
                    idle_stop_s=idle_stop,
                    on_note=lambda line: _notes([line]),  # as they happen, not at the end
                )
                _report(det, f"read {n:,} events", as_json=as_json, as_csv=as_csv)
        finally:
            if store is not None:
                store.close()

    run_command(body)


def _replay(
    det: MomentDetector,
    input: Path | None,
    time_col: str,
    speed: float | None,
    *,
    as_json: bool,
    as_csv: bool,
    force_freq: bool = False,
    dayfirst: bool | None = None,
    tz: str | None = None,
) -> None:
    """``watch --source file``: replay ``input`` through ``det`` and print the moments."""
    from micromix.moments.realtime import replay_file

    if input is None:
        raise ConfigError("--source file needs --input FILE (JSONL or CSV)")
    notes: list[str] = []
    with _about_file(input):
        replay_file(
            input,
            det,
            time_col=time_col,
            speed=speed,
            allow_coarse=force_freq,
            dayfirst=dayfirst,
            tz=tz,
            notes=notes,
        )
    _notes(notes)
    _report(det, f"replayed {det.processed:,} events", as_json=as_json, as_csv=as_csv)


def _live_line(action: Any, change: str) -> None:
    """One stderr line per moment acted on, and when a burst turns out to be a level shift."""
    when = action.bucket_start.replace("+00:00", "Z")
    if change == "reclassified":
        err_console.print(
            f"moment {action.moment_id} is a level_shift: {action.key} from {when} "
            f"(first alerted as a {action.first_kind})",
            highlight=False,
            soft_wrap=True,
        )
    else:
        err_console.print(
            f"moment {action.moment_id} {action.kind}: {action.key} from {when}, "
            f"{action.observed:,.0f} observed vs {action.expected:,.1f} expected",
            highlight=False,
            soft_wrap=True,
        )


def _report(det: MomentDetector, what: str, *, as_json: bool, as_csv: bool) -> None:
    """The summary line and the table of the moments acted on (the same rows and counts)."""
    acted = det.acted()
    kinds = acted["kind"].value_counts()
    was_burst = int(((acted["kind"] == "level_shift") & (acted["first_kind"] == "burst")).sum())
    resumed = f", {det.resumed} acted on by an earlier run" if det.resumed else ""
    err_console.print(
        f"{what} ({det.duplicates} duplicates, {det.rejected} rejected): "
        f"{len(acted)} moments acted on{resumed} - "
        f"{int(kinds.get('burst', 0))} bursts, {int(kinds.get('level_shift', 0))} level shifts "
        f"({was_burst} first alerted as bursts), {int(kinds.get('gap', 0))} gaps; "
        f"{det.dispatcher.delivered} webhook deliveries, {det.dispatcher.dead_letters} dead letters",
        highlight=False,
        soft_wrap=True,
    )
    shown = acted.assign(
        **{
            c: acted[c].map(lambda t: None if t is None or t != t else _iso(t))
            for c in ("start", "end", "peak_at", "alerted_at")
        }
    )
    first = ["kind", "key", "start", "end", "hours", "observed", "peak", "peak_at", "moment_id"]
    shown = shown[[*first, *(c for c in shown.columns if c not in first)]]
    emit_frame(shown, as_json=as_json, as_csv=as_csv, title="moments acted on")


def register(app: typer.Typer) -> None:
    """Attach the ``moments`` group to the root app."""
    app.add_typer(moments_app, name="moments")
