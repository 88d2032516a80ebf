"""Fuzz campaign for the ingest readers: N generated malformed files, ingested into in-memory
stores (a fresh one every ``--per-store`` files), each store queried by day after every file.

Counts, per file: internal errors (anything that is not a MicromixError), warnings printed,
``rows_in_file`` different from what Python's csv / json modules count, ``accepted +
quarantined != rows``, stores that cannot be queried by day afterwards; and clear refusals (one
sentence, a MicromixError) by kind. Prints the machine, the load average, wall time and peak
memory.

    python benchmarks/fuzz_ingest.py --files 10000 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import random
import resource
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path

from micromix.errors import MicromixError
from micromix.ingest import ingest_file, prepare_file
from micromix.store import Store

# the hostile-file generator is a test helper (tests/_hostile.py), not part of the package
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _hostile import expected_rows, hostile_file

_TIME_COLUMN = {"events": "ts", "ads": "date", "posts": "ts"}
_TABLE = {"events": "events", "ads": "ad_performance", "posts": "posts"}


def _query_by_day(store: Store, kind: str) -> None:
    t = store.table(_TABLE[kind])
    col = t[_TIME_COLUMN[kind]]
    store.execute(t.group_by(day=col.truncate("D")).aggregate(n=t.count()))


class _Done(Exception):
    """--no-store: the file was read and validated; nothing more to do."""


def _user_visible_warnings() -> None:
    """The filters a command-line user runs with (Python's defaults), showing every repeat."""
    warnings.resetwarnings()
    warnings.simplefilter("always")
    for cat in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.filterwarnings("ignore", category=cat)


def run(
    n_files: int,
    seed: int,
    folder: Path,
    per_store: int = 25,
    start: int = 0,
    step: int = 1,
    no_store: bool = False,
) -> dict[str, object]:
    problems: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    examples: dict[str, str] = {}
    rows_total = 0
    store = Store.open(":memory:")
    done = 0
    for i in range(start, n_files, step):
        done += 1
        if done % 500 == 0:
            print(
                f"  worker {start}: {done} files, problems so far {dict(problems)}"
                + (f", e.g. {examples}" if problems else ""),
                flush=True,
            )
        if done % per_store == 0:  # a fresh store every few files
            store.close()
            store = Store.open(":memory:")
        rng = random.Random(seed * 1_000_003 + i)
        f = hostile_file(rng)
        path = folder / f"f{i}{f.suffix}"
        path.write_bytes(f.data)
        expect = expected_rows(f)
        err = io.StringIO()
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(err):
            _user_visible_warnings()
            try:
                if no_store:  # readers and validation only (no store write, no query)
                    prep = prepare_file(f.kind, path, currency="USD")
                    n = len(prep.result.accepted) + len(prep.result.quarantine)
                    rows_total += n
                    if expect >= 0 and n != expect:
                        problems["rows_in_file != csv/json count"] += 1
                        examples.setdefault("rows", f"{path.name}: {n} vs {expect}")
                    raise _Done
                rep = ingest_file(store, f.kind, path, currency="USD", on_overlap="keep")
                rows_total += rep.rows_in_file
                if rep.accepted + rep.quarantined != rep.rows_in_file:
                    problems["accepted+quarantined != rows"] += 1
                if expect >= 0 and rep.rows_in_file != expect:
                    problems["rows_in_file != csv/json count"] += 1
                    examples.setdefault("rows", f"{path.name}: {rep.rows_in_file} vs {expect}")
                try:
                    _query_by_day(store, f.kind)
                except Exception as exc:
                    problems["store not queryable by day"] += 1
                    examples.setdefault("query", f"{path.name}: {exc!r}"[:300])
            except _Done:
                pass
            except MicromixError as exc:
                msg = str(exc)
                refusals[type(exc).__name__] += 1
                if "\n" in msg or "This is a bug" in msg:
                    problems["refusal not one sentence"] += 1
            except Exception as exc:
                problems["internal error"] += 1
                examples.setdefault(
                    f"internal {type(exc).__name__}",
                    f"{path.name}: {''.join(traceback.format_exception_only(exc)).strip()}"[:400],
                )
        if caught or err.getvalue().strip():
            problems["warnings printed"] += 1
            examples.setdefault(
                "warning", f"{path.name}: {[str(w.message)[:120] for w in caught][:2]}"
            )
        path.unlink()
    store.close()
    return {
        "files": done,
        "problems": dict(problems),
        "refusals": dict(refusals),
        "examples": examples,
        "rows": rows_total,
    }


def _merge(parts: list[dict[str, object]]) -> dict[str, object]:
    problems: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for p in parts:
        problems.update(p["problems"])  # type: ignore[arg-type]
        refusals.update(p["refusals"])  # type: ignore[arg-type]
        for k, v in p["examples"].items():  # type: ignore[union-attr]
            examples.setdefault(k, v)
    return {
        "files": sum(int(p["files"]) for p in parts),  # type: ignore[call-overload]
        "problems": dict(problems),
        "refusals": dict(refusals),
        "examples": examples,
        "rows": sum(int(p["rows"]) for p in parts),  # type: ignore[call-overload]
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-store", type=int, default=25, help="files ingested into one store")
    ap.add_argument("--workers", type=int, default=1, help="processes sharing the files")
    ap.add_argument(
        "--no-store", action="store_true", help="read and validate only (no store, no query)"
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        if args.workers == 1:
            out = run(args.files, args.seed, Path(d), args.per_store, no_store=args.no_store)
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(args.workers) as pool:
                parts = list(
                    pool.map(
                        run,
                        [args.files] * args.workers,
                        [args.seed] * args.workers,
                        [Path(d)] * args.workers,
                        [args.per_store] * args.workers,
                        range(args.workers),
                        [args.workers] * args.workers,
                        [args.no_store] * args.workers,
                    )
                )
            out = _merge(parts)
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"files: {out['files']} (seed {args.seed}), data rows: {out['rows']:,}")
    print(f"wall: {wall:.1f} s ({args.files / wall:.0f} files/s), peak RSS: {peak_mb:.0f} MB")
    problems = out["problems"]
    for key in (
        "internal error",
        "warnings printed",
        "rows_in_file != csv/json count",
        "accepted+quarantined != rows",
        "store not queryable by day",
        "refusal not one sentence",
    ):
        print(f"{key}: {problems.get(key, 0)}")  # type: ignore[union-attr]
    print(f"clear refusals (one sentence): {out['refusals']}")
    for k, v in out["examples"].items():  # type: ignore[union-attr]
        print(f"example {k}: {v}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
