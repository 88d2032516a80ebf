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

Usage::

    python benchmarks/bench_api.py            # 10M events (builds the store on first run)
    python benchmarks/bench_api.py --quick    # ~0.25M events, fewer requests (~1 min)
"""

from __future__ import annotations

import argparse
import asyncio
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


def start_server(db: Path, port: int) -> tuple[subprocess.Popen, str]:
    """Create an analyst key (before the server holds the file), then start the server."""
    key = subprocess.run(
        [
            sys.executable,
            "-m",
            "micromix.cli.main",
            "keys",
            "create",
            "--role",
            "analyst",
            "--name",
            "bench",
            "--db",
            str(db),
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    secret = json.loads(key.stdout)["key"]
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
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, secret


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("server did not become ready")


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
    a = ap.parse_args(argv)
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
        wait_ready(base, proc)
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
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
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
