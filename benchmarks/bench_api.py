"""Load benchmark of ``micromix serve`` on loopback: KPI requests/s, latency, event ingest/s.

The server runs in its own process (``micromix serve`` under uvicorn); this process is the
client (httpx, asyncio, keep-alive connections). All traffic goes to 127.0.0.1 and every phase
is bounded in requests and in seconds.

Phases
------
1. Store: a simulated market of about 10M events (``--users 250000 --days 100``), built once
   and reused (simulation ~2 min + loading ~3.5 min and ~7 GB peak memory on 2 cores).
2. Baselines in-process (no HTTP): the KPI query on DuckDB through :func:`compute_kpis`, and
   :func:`micromix.ingest.ingest_frame` on event batches.
3. Server: ``/health`` (framework floor, no key), then the KPI endpoint with a key
   (authentication, rate limiter, result cache keyed by store version), then event ingest
   batches through ``POST /api/v1/events``.

Mixed load (``--mixed``, issue 16)
----------------------------------
The server in its own process; a **writer process** posting event batches at a target rate
(``--rate``, default 20,000 events/s, paced open loop: batch *k* is due at ``k * batch / rate``
seconds; ``--writer-connections`` batches in flight at once, default 1, each batch's latency
counted from its scheduled time) on an analyst key and **reader processes** hitting
``GET /api/v1/kpis`` as fast as they can on a viewer key (wrk, a C client, when Debian's
``wrk`` is installed; else ``--readers`` Python processes), or paced at ``--read-rate``;
``--profile`` samples the server with py-spy meanwhile. Phases of ``--seconds`` each: reads
alone (the baseline, same run), writes alone, reads and writes together. Then the server is
stopped and the store is checked: every acknowledged event is stored exactly once
(``count(*)`` and ``count(DISTINCT event_id)`` of the run's ids against the acknowledged
count). The writes-alone phase also reports the CPU time per batch of the server process and
of its child processes (the batch worker, :mod:`micromix.api.batches`). The default store for
this mode is the size ``micromix serve`` seeds
(``--users 20000 --days 56``).

Usage::

    python benchmarks/bench_api.py            # 10M events (builds the store on first run)
    python benchmarks/bench_api.py --quick    # ~0.25M events, fewer requests (~1 min)
    python benchmarks/bench_api.py --mixed    # reads during 20,000 events/s of writes
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

DEFAULT_DIR = Path(os.environ.get("MICROMIX_BENCH_DIR", "/tmp/micromix-bench"))
KPI_PATH = "/api/v1/kpis?by=platform,strategy"
COLD_QUERIES = ("", "by=platform,strategy", "by=strategy&grain=day", "by=device,moment")


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (``VmHWM``) of process ``pid`` in MB (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_pids(pid: int) -> list[int]:
    """Child processes of ``pid`` (Linux ``/proc``), e.g. the server's batch worker."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def server_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds used so far by the server process and by its child processes."""
    kids = 0.0
    for c in child_pids(pid):
        with contextlib.suppress(OSError):  # ended meanwhile
            kids += proc_cpu_seconds(c)
    return proc_cpu_seconds(pid), kids


def self_cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_store(db: Path, users: int, days: int, seed: int) -> int:
    """Simulate and load the market into ``db`` unless it already holds one; returns events."""
    from micromix.store import Store

    if db.exists():
        with Store.open(db) as st:
            n = st.count("events")
        if n > 0:
            print(f"store: reusing {db} ({n:,} events)")
            return n
    from micromix.api.service import seed_demo

    db.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with Store.open(db) as st:
        n = seed_demo(st, users=users, days=days, seed=seed)
    print(f"store: simulated and loaded {n:,} events in {time.perf_counter() - t0:.0f} s -> {db}")
    return n


def event_batch(run: str, start: int, n: int, rng: np.random.Generator) -> list[dict]:
    """``n`` valid search events with unique ids (the ingest payload)."""
    moments = np.array(["know", "go", "do", "buy"])
    platforms = np.array(["instagram", "tiktok", "facebook", "web"])
    base = pd.Timestamp("2026-06-01T00:00:00Z")
    secs = rng.integers(0, 86_400, n)
    return [
        {
            "event_id": f"bench-{run}-{start + i}",
            "ts": (base + pd.Timedelta(seconds=int(s))).isoformat(),
            "user_id": f"bu{int(u):07d}",
            "session_id": f"bs{start + i}",
            "event_type": "search",
            "platform": str(p),
            "device": "mobile",
            "region": "us-ca",
            "query": "dog food near me",
            "moment": str(m),
        }
        for i, (s, u, p, m) in enumerate(
            zip(
                secs,
                rng.integers(0, 10**6, n),
                platforms[rng.integers(0, 4, n)],
                moments[rng.integers(0, 4, n)],
            )
        )
    ]


def baselines(db: Path, batch: int, batches: int) -> dict[str, float]:
    """In-process figures without HTTP: cold KPI query and ingest_frame events/s."""
    from micromix.ingest import ingest_frame
    from micromix.metrics import compute_kpis
    from micromix.store import Store

    out: dict[str, float] = {}
    rng = np.random.default_rng(1)
    with Store.open(db) as st:
        t0 = time.perf_counter()
        compute_kpis(st, by=["platform", "strategy"])
        out["kpi_query_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        compute_kpis(st, by=["platform", "strategy"])
        out["kpi_query_again_s"] = time.perf_counter() - t0
        run = f"base{int(time.time())}"
        ids: list[str] = []
        t0 = time.perf_counter()
        for b in range(batches):
            rows = event_batch(run, b * batch, batch, rng)
            ids += [r["event_id"] for r in rows]
            frame = pd.DataFrame.from_records(rows)
            frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
            ingest_frame(st, "events", frame, f"bench:{run}")
        out["ingest_events_per_s"] = len(ids) / (time.perf_counter() - t0)
        st.delete_where("events", "event_id", ids)
    return out


async def hammer(
    base: str,
    path: str,
    headers: dict[str, str],
    *,
    total: int,
    concurrency: int,
    max_seconds: float,
) -> dict[str, float]:
    """``total`` GETs of ``path`` from ``concurrency`` workers; latency percentiles in ms."""
    import httpx

    lat: list[float] = []
    codes: dict[int, int] = {}
    errors = 0
    issued = 0
    deadline = time.monotonic() + max_seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=10.0
    ) as client:

        async def worker() -> None:
            nonlocal issued, errors
            while issued < total and time.monotonic() < deadline:
                issued += 1
                t = time.perf_counter()
                try:
                    r = await client.get(path)
                    codes[r.status_code] = codes.get(r.status_code, 0) + 1
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                lat.append((time.perf_counter() - t) * 1000)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    arr = np.asarray(lat)
    return {
        "requests": len(lat),
        "seconds": wall,
        "rps": len(lat) / wall,
        "errors": errors,
        "p50_ms": float(np.percentile(arr, 50)),
        "p90_ms": float(np.percentile(arr, 90)),
        "p99_ms": float(np.percentile(arr, 99)),
        "max_ms": float(arr.max()),
        "codes": json.dumps(codes),
    }


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    if m is None:
        return float("nan")
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]


def run_wrk(
    base: str, path: str, headers: dict[str, str], *, seconds: float, connections: int, pid: int
) -> dict[str, Any] | None:
    """Load ``path`` with Debian's ``wrk`` (a C client, cheap on CPU) for ``seconds``."""
    exe = shutil.which("wrk")
    if exe is None:
        return None
    cmd = [
        exe,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, int(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    s0 = proc_cpu_seconds(pid)
    out = subprocess.run([*cmd, base + path], capture_output=True, text=True, check=True).stdout
    cpu = proc_cpu_seconds(pid) - s0
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, flags=re.M))
    return {
        "requests": total,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "errors": errors,
        "p50_ms": _ms(pct.get("50", "")),
        "p99_ms": _ms(pct.get("99", "")),
        "max_ms": _ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "server_cpu_ms": 1000 * cpu / max(total, 1),
        "client_cpu_ms": float("nan"),
        "codes": "-",
    }


def ingest_over_http(
    base: str, headers: dict[str, str], *, batch: int, batches: int, max_seconds: float
) -> dict[str, float]:
    import httpx

    rng = np.random.default_rng(2)
    run = f"http{int(time.time())}"
    bodies = [json.dumps(event_batch(run, b * batch, batch, rng)).encode() for b in range(batches)]
    accepted = errors = 0
    times: list[float] = []
    deadline = time.monotonic() + max_seconds
    with httpx.Client(
        base_url=base, headers={**headers, "Content-Type": "application/json"}, timeout=120.0
    ) as client:
        t0 = time.perf_counter()
        for body in bodies:
            if time.monotonic() > deadline:
                break
            t = time.perf_counter()
            r = client.post("/api/v1/events", content=body)
            times.append(time.perf_counter() - t)
            if r.status_code == 200:
                accepted += int(r.json()["accepted"])
            else:
                errors += 1
        wall = time.perf_counter() - t0
    return {
        "run": run,
        "events": accepted,
        "seconds": wall,
        "events_per_s": accepted / wall,
        "errors": errors,
        "batch": batch,
        "batch_p50_ms": 1000 * statistics.median(times),
        "payload_mb": len(bodies[0]) / 1e6,
    }


def create_key(db: Path, role: str) -> str:
    """A new API key of ``role`` in ``db`` (while no server holds the file)."""
    key = subprocess.run(
        [
            sys.executable,
            "-m",
            "micromix.cli.main",
            "keys",
            "create",
            "--role",
            role,
            "--name",
            f"bench {role}",
            "--db",
            str(db),
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return str(json.loads(key.stdout)["key"])


def start_server(db: Path, port: int) -> tuple[subprocess.Popen, str]:
    """Create an analyst key (before the server holds the file), then start the server."""
    secret = create_key(db, "analyst")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "micromix.cli.main",
            "serve",
            "--db",
            str(db),
            "--no-demo",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--rate",
            "1000000",
            "--no-warm",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        # a file, not a pipe nobody reads while the server runs (a full pipe would block it)
        stderr=server_log(db).open("w"),
        text=True,
    )
    return proc, secret


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the benchmark's server (SIGTERM, then SIGKILL after 60 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def server_log(db: Path) -> Path:
    """The file the benchmark's server writes its log to (beside the store)."""
    return db.with_suffix(".server.log")


def wait_ready(base: str, proc: subprocess.Popen, db: Path, timeout: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {server_log(db).read_text()[-3000:]}")
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("server did not become ready")


# ====================================================================== mixed load
def writer_process(
    base: str,
    secret: str,
    run: str,
    rate: float,
    batch: int,
    seconds: float,
    out: Any,
    connections: int = 1,
) -> None:
    """Post batches of ``batch`` events at ``rate`` events/s for ``seconds`` (own process).

    Batch *k* is due at ``k * batch / rate`` seconds (open loop). ``connections`` keep-alive
    connections (one thread each) take the batches in order, so up to that many are in flight
    at once; with 1, a batch is sent only when the previous one is answered. A batch's latency
    counts from its *scheduled* time, so falling behind the schedule shows in it.
    """
    import threading

    import httpx

    rng = np.random.default_rng(abs(hash(run)) % 2**32)
    n_batches = max(1, int(rate * seconds / batch))
    bodies = [
        json.dumps(event_batch(run, b * batch, batch, rng)).encode() for b in range(n_batches)
    ]
    acked: list[int] = []  # batch numbers acknowledged (all their events accepted)
    counts = {"accepted": 0, "errors": 0}
    times: list[float] = []
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    lock = threading.Lock()
    todo = iter(range(n_batches))
    clients = [
        httpx.Client(base_url=base, headers=headers, timeout=120.0) for _ in range(connections)
    ]
    for c in clients:  # connect before the clock starts
        c.get("/health")
    out.put(("ready", 0))
    t0 = time.perf_counter()

    def post(client: httpx.Client) -> None:
        while True:
            with lock:
                k = next(todo, None)
            if k is None:
                return
            due = t0 + k * batch / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                r = client.post("/api/v1/events", content=bodies[k])
            except httpx.HTTPError:
                with lock:
                    counts["errors"] += 1
                continue
            with lock:
                times.append(time.perf_counter() - due)
                if r.status_code == 200:
                    got = int(r.json()["accepted"])
                    counts["accepted"] += got
                    if got == batch:
                        acked.append(k)
                else:
                    counts["errors"] += 1

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    for c in clients:
        c.close()
    out.put(
        (
            "done",
            {
                "accepted": counts["accepted"],
                "acked_batches": sorted(acked),
                "seconds": wall,
                "events_per_s": counts["accepted"] / wall,
                "errors": counts["errors"],
                "batch_p50_ms": 1000 * statistics.median(times) if times else float("nan"),
                "batch_p99_ms": 1000 * float(np.percentile(times, 99)) if times else float("nan"),
            },
        )
    )


def reader_process(
    base: str, secret: str, path: str, seconds: float, out: Any, rate: float = 0.0
) -> None:
    """Python reader: GET ``path`` for ``seconds`` (own process).

    ``rate`` 0: back to back. ``rate`` > 0: requests on a fixed schedule of ``rate`` per second
    (open loop), each latency measured from its *scheduled* time, so a server that falls behind
    shows its queueing in the percentiles instead of hiding it (no coordinated omission).
    """
    import httpx

    lat: list[float] = []
    errors = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {secret}"}) as client:
        client.get(path)
        start = time.perf_counter()
        deadline = start + seconds
        i = 0
        while time.perf_counter() < deadline:
            due = start + i / rate if rate > 0 else time.perf_counter()
            i += 1
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                ok = client.get(path).status_code == 200
            except httpx.HTTPError:
                ok = False
            lat.append(time.perf_counter() - due)
            errors += not ok
    out.put((lat, errors))


def read_load(
    base: str,
    secret: str,
    path: str,
    seconds: float,
    connections: int,
    readers: int,
    pid: int,
    read_rate: float = 0.0,
) -> dict[str, Any]:
    """KPI reads for ``seconds``: flat out (wrk when installed, else ``readers`` Python
    processes), or paced at ``read_rate`` requests/s in total over ``readers`` processes."""
    import multiprocessing as mp

    headers = {"Authorization": f"Bearer {secret}"}
    got = (
        run_wrk(base, path, headers, seconds=seconds, connections=connections, pid=pid)
        if read_rate <= 0
        else None
    )
    if got is not None:
        got["client"] = f"wrk, {connections} connections"
        return got
    q: Any = mp.get_context("spawn").Queue()
    procs = [
        mp.get_context("spawn").Process(
            target=reader_process, args=(base, secret, path, seconds, q, read_rate / readers)
        )
        for _ in range(readers)
    ]
    for p in procs:
        p.start()
    parts = [q.get() for _ in procs]
    for p in procs:
        p.join()
    lat = np.concatenate([np.asarray(p[0]) for p in parts]) * 1000
    return {
        "requests": len(lat),
        "rps": len(lat) / seconds,
        "errors": sum(p[1] for p in parts),
        "p50_ms": float(np.percentile(lat, 50)),
        "p99_ms": float(np.percentile(lat, 99)),
        "max_ms": float(lat.max()),
        "client": f"{readers} Python reader processes"
        + (f", paced at {read_rate:g} requests/s in total" if read_rate > 0 else ""),
    }


def profile_server(pid: int, seconds: float, db: Path, rep: int) -> subprocess.Popen | None:
    """Sample the thread holding the server's GIL with py-spy (when installed) for ``seconds``:
    what keeps the event loop, which answers every read, from running. Collapsed stacks per
    thread go to ``<db>.profile-<rep>.txt``."""
    exe = shutil.which("py-spy")
    if exe is None:
        print("--profile: py-spy is not installed (pip install py-spy); not profiling")
        return None
    out = db.with_suffix(f".profile-{rep}.txt")
    print(f"profiling the server while reads and writes run -> {out}")
    cmd = [exe, "record", "-p", str(pid), "-d", str(max(1, int(seconds) - 2)), "-r", "200"]
    return subprocess.Popen(
        [*cmd, "--threads", "--gil", "-f", "raw", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stored_check(db: Path, run: str) -> tuple[int, int]:
    """``(rows, distinct ids)`` of the run's events in the store (server stopped)."""
    from micromix.store import Store

    with Store.open(db, read_only=True) as st:
        row = st.sql(
            "SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events "
            "WHERE starts_with(event_id, ?)",
            [f"bench-{run}-"],
        ).iloc[0]
    return int(row["n"]), int(row["d"])


def mixed(a: argparse.Namespace) -> None:
    """The mixed-load benchmark (see the module docstring)."""
    import multiprocessing as mp

    users = a.users or 20_000
    days = a.days or 56
    db = a.db or DEFAULT_DIR / f"bench-{users}x{days}.duckdb"
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}; load average at start "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} (other jobs share these cores)"
    )
    n_events = build_store(db, users, days, seed=3)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # the readers are a dashboard's key, the writer an ingest pipeline's (a key always reads
    # its own writes, so readers on the writer's key would wait for every recomputation)
    viewer = create_key(db, "viewer")
    proc, secret = start_server(db, port)
    batch = a.batch or 2_000
    runs: list[str] = []
    results: dict[str, Any] = {}
    ctx = mp.get_context("spawn")
    try:
        wait_ready(base, proc, db)
        import httpx

        t = time.perf_counter()
        httpx.get(base + KPI_PATH, headers={"Authorization": f"Bearer {secret}"}, timeout=300)
        # the readers' key is verified once (a scrypt hash), before any timing
        httpx.get(base + KPI_PATH, headers={"Authorization": f"Bearer {viewer}"}, timeout=300)
        print(
            f"store {n_events:,} events; server pid {proc.pid}; first KPI request "
            f"{(time.perf_counter() - t) * 1000:.0f} ms"
        )

        def writer(run: str) -> tuple[Any, Any]:
            q: Any = ctx.Queue()
            w = ctx.Process(
                target=writer_process,
                args=(base, secret, run, a.rate, batch, a.seconds, q, a.writer_connections),
            )
            w.start()
            assert q.get(timeout=300)[0] == "ready"
            return w, q

        def reads() -> dict[str, Any]:
            return read_load(
                base, viewer, KPI_PATH, a.seconds, a.concurrency, a.readers, proc.pid, a.read_rate
            )

        for rep in range(a.repeats):
            load = os.getloadavg()[0]
            results.setdefault("reads alone", []).append({**reads(), "load": load})
            run = f"mixw{rep}{int(time.time())}"
            runs.append(run)
            w, q = writer(run)
            cpu0 = server_cpu(proc.pid)
            got = q.get(timeout=a.seconds + 600)[1]
            w.join()
            cpu1 = server_cpu(proc.pid)
            n_b = max(1, got["accepted"] // batch)
            got["cpu_ms"] = tuple(1000 * (y - x) / n_b for x, y in zip(cpu0, cpu1))
            results.setdefault("writes alone", []).append(
                {**got, "run": run, "load": os.getloadavg()[0]}
            )
            run = f"mixrw{rep}{int(time.time())}"
            runs.append(run)
            w, q = writer(run)
            load = os.getloadavg()[0]
            spy = profile_server(proc.pid, a.seconds, db, rep) if a.profile else None
            r = reads()
            if spy is not None:
                spy.wait()
            got = q.get(timeout=a.seconds + 600)[1]
            w.join()
            results.setdefault("reads during writes", []).append({**r, "load": load})
            results.setdefault("writes during reads", []).append({**got, "run": run})
        server_peak_mb = peak_rss_mb(proc.pid)
        worker_peak_mb = sum(peak_rss_mb(p) for p in child_pids(proc.pid))
    finally:
        stop_server(proc)
    print(
        f"\nmixed load on {n_events:,} events, {a.seconds:.0f} s per phase, {a.repeats} "
        f"repeat(s); KPI path {KPI_PATH}; writer target {a.rate:,.0f} events/s in batches of "
        f"{batch:,} on {a.writer_connections} connection(s) (batch latency from its scheduled "
        "time)"
    )
    print(
        f"{'phase':22} {'load':>5} {'reads/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'errors':>6} {'events/s':>9} {'batch p99 ms':>12} {'acked':>8} {'stored':>8} {'once':>5}"
    )
    ok_once = True
    for name in ("reads alone", "writes alone", "reads during writes"):
        for i, r in enumerate(results.get(name, [])):
            w = r if name == "writes alone" else results["writes during reads"][i]
            if name == "reads alone":
                wcols = f"{'-':>9} {'-':>12} {'-':>8} {'-':>8} {'-':>5}"
            else:
                acked = len(w["acked_batches"]) * batch
                n, d = stored_check(db, w["run"])
                once = n == d == w["accepted"] and acked == w["accepted"]
                ok_once &= once
                wcols = (
                    f"{w['events_per_s']:9,.0f} {w['batch_p99_ms']:12.0f} {w['accepted']:8,} "
                    f"{n:8,} {'yes' if once else 'NO':>5}"
                )
            rcols = (
                f"{r['rps']:8,.0f} {r['p50_ms']:7.1f} {r['p99_ms']:7.1f} {r['max_ms']:7.1f} "
                f"{r['errors']:6.0f}"
                if name != "writes alone"
                else f"{'-':>8} {'-':>7} {'-':>7} {'-':>7} {w['errors']:6.0f}"
            )
            print(f"{name:22} {r.get('load', float('nan')):5.2f} {rcols} {wcols}")
    for i, r in enumerate(results.get("writes alone", [])):
        print(
            f"writes alone, repeat {i + 1}: CPU per batch of {batch:,}: server process "
            f"{r['cpu_ms'][0]:.1f} ms, its child processes (the batch worker) {r['cpu_ms'][1]:.1f} ms"
        )
    med = {
        k: statistics.median(x["p99_ms"] for x in results[k])
        for k in ("reads alone", "reads during writes")
    }
    rate = statistics.median(x["events_per_s"] for x in results["writes during reads"])
    client = results["reads alone"][0]["client"]
    print(
        f"medians: KPI p99 {med['reads alone']:.1f} ms alone, {med['reads during writes']:.1f} ms "
        f"during writes ({med['reads during writes'] / med['reads alone']:.1f}x); writes "
        f"{rate:,.0f} events/s during reads; readers: {client}"
    )
    print(
        "goals: KPI p99 < 100 ms during writes: "
        f"{'met' if med['reads during writes'] < 100 else 'MISSED'}; >= 20,000 events/s: "
        f"{'met' if rate >= 20_000 else 'MISSED'}; every acknowledged event stored once: "
        f"{'met' if ok_once else 'MISSED'}"
    )
    print(
        "earlier figures (issue 16): reads alone 4,668 req/s, p99 7.9 ms; p99 974 ms while "
        "events were ingested"
    )
    for run in runs:
        remove_run(db, run)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"server peak RSS {server_peak_mb:,.0f} MB (its child processes, the batch worker "
        f"and its resource tracker, {worker_peak_mb:,.0f} MB); client peak memory {peak:,.0f} MB; load "
        f"average at end {os.getloadavg()[0]:.2f}"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small store, fewer requests")
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--users", type=int, default=None)
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("--requests", type=int, default=None, help="KPI requests")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument(
        "--batch",
        type=int,
        default=None,
        help="events per ingest request (default 50,000; --quick 10,000)",
    )
    ap.add_argument("--batches", type=int, default=None)
    ap.add_argument("--max-seconds", type=float, default=60.0, help="cap per phase")
    ap.add_argument("--mixed", action="store_true", help="only the mixed read/write load")
    ap.add_argument("--rate", type=float, default=20_000, help="--mixed: target events/s")
    ap.add_argument("--seconds", type=float, default=20, help="--mixed: seconds per phase")
    ap.add_argument(
        "--read-rate",
        type=float,
        default=0.0,
        help="--mixed: KPI reads per second in total, on a fixed schedule (default 0: flat out)",
    )
    ap.add_argument("--repeats", type=int, default=3, help="--mixed: repeats (medians)")
    ap.add_argument(
        "--writer-connections",
        type=int,
        default=1,
        help="--mixed: the writer's connections, i.e. batches in flight at once (default 1)",
    )
    ap.add_argument(
        "--profile", action="store_true", help="--mixed: py-spy the server during reads+writes"
    )
    ap.add_argument(
        "--readers", type=int, default=2, help="--mixed: Python reader processes without wrk"
    )
    a = ap.parse_args(argv)
    if a.mixed:
        mixed(a)
        return
    users = a.users or (20_000 if a.quick else 250_000)
    days = a.days or (28 if a.quick else 100)
    db = a.db or DEFAULT_DIR / f"bench-{users}x{days}.duckdb"
    n_req = a.requests or (3_000 if a.quick else 20_000)
    batches = a.batches or (5 if a.quick else 8)
    batch = a.batch or (10_000 if a.quick else 50_000)

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}, load average {os.getloadavg()[0]:.2f} "
        "(other jobs share these cores)"
    )
    n_events = build_store(db, users, days, seed=3)
    base_fig = baselines(db, batch, 2)
    print(
        f"baseline in-process: KPI query by platform,strategy {base_fig['kpi_query_s'] * 1000:.0f} ms "
        f"(again {base_fig['kpi_query_again_s'] * 1000:.0f} ms) on {n_events:,} events; "
        f"ingest_frame {base_fig['ingest_events_per_s']:,.0f} events/s (batches of {batch:,})"
    )

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc, secret = start_server(db, port)
    ing: dict[str, float] = {}
    try:
        wait_ready(base, proc, db)
        print(
            f"server: ready in {time.perf_counter() - t0:.1f} s (separate process, pid {proc.pid})"
        )
        headers = {"Authorization": f"Bearer {secret}"}
        import httpx

        cold = {}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
            for q in COLD_QUERIES:
                t = time.perf_counter()
                r = c.get("/api/v1/kpis" + (f"?{q}" if q else ""))
                r.raise_for_status()
                cold[q or "(totals)"] = (time.perf_counter() - t) * 1000
        print(
            "cold KPI requests (DuckDB query + JSON, then cached): "
            + ", ".join(f"{k} {v:.0f} ms" for k, v in cold.items())
        )

        def measured(path: str, hdrs: dict[str, str], total: int) -> dict[str, float]:
            s0, c0 = proc_cpu_seconds(proc.pid), self_cpu_seconds()
            res = asyncio.run(
                hammer(
                    base,
                    path,
                    hdrs,
                    total=total,
                    concurrency=a.concurrency,
                    max_seconds=a.max_seconds,
                )
            )
            res["server_cpu_ms"] = 1000 * (proc_cpu_seconds(proc.pid) - s0) / res["requests"]
            res["client_cpu_ms"] = 1000 * (self_cpu_seconds() - c0) / res["requests"]
            return res

        results = []
        wrk_s = min(a.max_seconds, 10 if a.quick else 20)
        for name, path, hdrs in (
            ("GET /health (no key)", "/health", {}),
            (f"GET {KPI_PATH}", KPI_PATH, headers),
        ):
            got = run_wrk(base, path, hdrs, seconds=wrk_s, connections=a.concurrency, pid=proc.pid)
            if got is not None:
                results.append((f"wrk    {name}", got))
        health = measured("/health", {}, n_req // 2)
        kpi = measured(KPI_PATH, headers, n_req)
        results += [("httpx  GET /health (no key)", health), (f"httpx  GET {KPI_PATH}", kpi)]
        wrk_kpi = next((r for n, r in results if n.startswith("wrk") and "kpis" in n), None)
        print(
            f"\n{'client endpoint':44} {'requests':>8} {'req/s':>6} {'errors':>6} {'p50 ms':>7} "
            f"{'p99 ms':>7} {'max ms':>7} {'server CPU ms/req':>17} {'client CPU ms/req':>17}"
        )
        for name, r in results:
            print(
                f"{name:44} {r['requests']:8.0f} {r['rps']:6.0f} {r['errors']:6.0f} "
                f"{r['p50_ms']:7.1f} {r['p99_ms']:7.1f} {r['max_ms']:7.1f} "
                f"{r['server_cpu_ms']:17.2f} {r['client_cpu_ms']:17.2f}"
            )
        print(
            f"status codes: KPI {kpi['codes']}; KPI req/s is {kpi['rps'] / health['rps']:.2f}x "
            f"the /health floor; server CPU {(wrk_kpi or kpi)['server_cpu_ms']:.2f} ms per KPI request -> "
            f"one dedicated core serves about {1000 / (wrk_kpi or kpi)['server_cpu_ms']:,.0f} req/s (estimate "
            f"from CPU time; the measured req/s is what this machine gave under its load)"
        )
        s0 = proc_cpu_seconds(proc.pid)
        ing = ingest_over_http(
            base, headers, batch=batch, batches=batches, max_seconds=a.max_seconds
        )
        ing_cpu = proc_cpu_seconds(proc.pid) - s0
        print(
            f"\nPOST /api/v1/events: {ing['events']:,.0f} events in {ing['seconds']:.1f} s = "
            f"{ing['events_per_s']:,.0f} events/s ({ing['errors']:.0f} errors; batches of "
            f"{batch:,}, {ing['payload_mb']:.1f} MB, median {ing['batch_p50_ms']:.0f} ms per "
            f"batch; server CPU {ing_cpu:.1f} s = {ing['events'] / max(ing_cpu, 1e-9):,.0f} "
            f"events per CPU-second); in-process ingest_frame "
            f"{base_fig['ingest_events_per_s']:,.0f} events/s -> HTTP is "
            f"{ing['events_per_s'] / base_fig['ingest_events_per_s']:.2f}x"
        )
        best = wrk_kpi or kpi
        goals = [
            ("KPI >= 500 req/s", best["rps"] >= 500),
            ("KPI zero errors", best["errors"] == 0 and kpi["errors"] == 0),
            ("KPI p99 < 100 ms", best["p99_ms"] < 100),
            ("ingest >= 20,000 events/s", ing["events_per_s"] >= 20_000),
        ]
        print(
            f"goals ({'wrk' if wrk_kpi else 'httpx'} client): "
            + "; ".join(f"{g}: {'met' if ok else 'MISSED'}" for g, ok in goals)
        )
    finally:
        stop_server(proc)
        if ing.get("run"):
            remove_run(db, str(ing["run"]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"client peak memory {peak:,.0f} MB")


def remove_run(db: Path, run: str) -> None:
    """Delete the events this run ingested, so the store stays the same size between runs."""
    from micromix.store import Store

    with Store.open(db) as st:
        t = st.table("events")
        ids = st.execute(t.filter(t.event_id.startswith(f"bench-{run}-")).select("event_id"))
        st.delete_where("events", "event_id", ids["event_id"].tolist())


if __name__ == "__main__":
    main()
