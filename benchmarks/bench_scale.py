"""Benchmark: micromix on DuckDB and on PySpark (local) vs raw DuckDB SQL and raw PySpark code.

Run::

    python benchmarks/bench_scale.py                       # 20M and 100M events
    python benchmarks/bench_scale.py --events 20000000     # one point
    python benchmarks/bench_scale.py --quick               # 1M events (a minute or two)
    python benchmarks/bench_scale.py --engines duckdb      # without Spark

Data: the streamed simulator (:func:`micromix.simulate.stream.write_events`) writes the events as
date-partitioned Parquet under ``--data`` (default ``./bench-data``); an existing folder with at
least the asked number of events is reused. Every engine reads the same files.

Workloads (same data, same run):

* **KPI roll-up** — every KPI (counts, distinct reach, spend, revenue, ten ratios, earned media
  value) by platform x strategy x day: ``compute_kpis`` vs a hand-written SQL query / DataFrame
  program producing the same table (checked: same rows, same impressions and reach).
* **Sessionisation** — 30-minute gap sessions per user with window functions, then sessions,
  events, largest session and multi-event sessions: ``sessionize_expr`` vs hand-written SQL /
  DataFrame code (checked: identical figures).

Each (engine, implementation) runs in a fresh child process; its peak memory is the peak sum
of the resident memory of the child and all its descendants (the Spark JVM included), sampled
every 0.2 s with psutil. Times exclude interpreter and JVM start-up (reported separately).
No asserts on time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ENGINES = ("duckdb", "pyspark")
IMPLS = ("micromix", "raw")
GAP_SECONDS = 1800
SPARK_CONF = {"spark.driver.memory": "6g", "spark.sql.shuffle.partitions": "16"}

# ----------------------------------------------------------------------------- raw baselines
_RATIOS = [  # name, numerator, denominator, scale, subtract
    ("frequency", "impressions", "reach", 1.0, None),
    ("ctr", "clicks", "impressions", 1.0, None),
    ("cpm", "spend", "impressions", 1000.0, None),
    ("cpc", "spend", "clicks", 1.0, None),
    ("cvr", "conversions", "clicks", 1.0, None),
    ("cpa", "spend", "conversions", 1.0, None),
    ("roas", "revenue", "spend", 1.0, None),
    ("roi", "revenue", "spend", 1.0, "spend"),
    ("engagement_rate", "engagements", "impressions", 1.0, None),
    ("cost_per_engagement", "spend", "engagements", 1.0, None),
]
_ENGAGE = ("like", "comment", "share", "save", "follow")


def _raw_duckdb_kpis(con: Any, glob: str) -> Any:
    eng = ", ".join(f"'{e}'" for e in _ENGAGE)
    ratios = ",\n".join(
        f"(CAST({num}{f' - {sub}' if sub else ''} AS DOUBLE) * {scale}) / "
        f"NULLIF(CAST({den} AS DOUBLE), 0) AS {name}"
        for name, num, den, scale, sub in _RATIOS
    )
    q = f"""
    WITH ev AS (SELECT platform, strategy, user_id, event_type, cost, revenue,
                       CAST(date_trunc('day', ts) AS DATE) AS period
                FROM read_parquet('{glob}', hive_partitioning = true)),
    agg AS (
      SELECT platform, strategy, period,
        count(*) FILTER (WHERE event_type = 'impression') AS impressions,
        count(DISTINCT user_id) FILTER (WHERE event_type = 'impression') AS reach,
        count(*) FILTER (WHERE event_type = 'click') AS clicks,
        coalesce(sum(cost), 0) AS spend,
        count(*) FILTER (WHERE event_type = 'purchase') AS conversions,
        coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0) AS revenue,
        count(*) FILTER (WHERE event_type IN ({eng})) AS engagements,
        count(*) FILTER (WHERE event_type = 'impression' AND coalesce(cost, 0) = 0)
          AS organic_impressions
      FROM ev GROUP BY platform, strategy, period),
    cpm AS (SELECT platform, sum(cost) * 1000.0 / count(*) AS paid_cpm FROM ev
            WHERE event_type = 'impression' AND cost > 0 GROUP BY platform),
    emv AS (SELECT e.platform, e.strategy, e.period, sum(c.paid_cpm) / 1000.0 AS emv
            FROM ev e LEFT JOIN cpm c ON e.platform IS NOT DISTINCT FROM c.platform
            WHERE e.event_type = 'impression' AND coalesce(e.cost, 0) = 0
            GROUP BY e.platform, e.strategy, e.period)
    SELECT a.*, {ratios}, m.emv
    FROM agg a LEFT JOIN emv m ON a.platform IS NOT DISTINCT FROM m.platform
      AND a.strategy IS NOT DISTINCT FROM m.strategy AND a.period = m.period
    ORDER BY platform, strategy, period"""
    return con.execute(q).df()


def _raw_duckdb_sessions(con: Any, glob: str) -> Any:
    q = f"""
    WITH ev AS (SELECT user_id, ts, event_id FROM read_parquet('{glob}', hive_partitioning = true)),
    f AS (SELECT user_id, ts, event_id,
            CASE WHEN lag(ts) OVER w IS NULL OR ts > lag(ts) OVER w + INTERVAL {GAP_SECONDS} SECOND
                 THEN 1 ELSE 0 END AS new
          FROM ev WINDOW w AS (PARTITION BY user_id ORDER BY ts, event_id)),
    s AS (SELECT user_id, sum(new) OVER (PARTITION BY user_id ORDER BY ts, event_id
                                          ROWS UNBOUNDED PRECEDING) AS seq FROM f),
    per AS (SELECT user_id, seq, count(*) AS n FROM s GROUP BY user_id, seq)
    SELECT count(*) AS sessions, sum(n) AS events, max(n) AS max_events,
           count(*) FILTER (WHERE n > 1) AS multi_event_sessions FROM per"""
    return con.execute(q).df()


def _raw_spark_kpis(spark: Any, path: str) -> Any:
    from pyspark.sql import functions as F

    ev = spark.read.parquet(path).select(
        "platform",
        "strategy",
        "user_id",
        "event_type",
        "cost",
        "revenue",
        F.to_date(F.date_trunc("day", "ts")).alias("period"),
    )
    et = F.col("event_type")
    imp = et == "impression"
    organic = imp & (F.coalesce(F.col("cost"), F.lit(0.0)) == 0)

    def cnt(c: Any) -> Any:
        return F.sum(F.when(c, 1).otherwise(0))

    keys = ["platform", "strategy", "period"]
    agg = ev.groupBy(*keys).agg(
        cnt(imp).alias("impressions"),
        F.countDistinct(F.when(imp, F.col("user_id"))).alias("reach"),
        cnt(et == "click").alias("clicks"),
        F.coalesce(F.sum("cost"), F.lit(0.0)).alias("spend"),
        cnt(et == "purchase").alias("conversions"),
        F.coalesce(F.sum(F.when(et == "purchase", F.col("revenue"))), F.lit(0.0)).alias("revenue"),
        cnt(et.isin(*_ENGAGE)).alias("engagements"),
        cnt(organic).alias("organic_impressions"),
    )
    for name, num, den, scale, sub in _RATIOS:
        n = F.col(num) - F.col(sub) if sub else F.col(num)
        d = F.col(den).cast("double")
        agg = agg.withColumn(name, F.when(d != 0, n.cast("double") * scale / d))
    cpm = (
        ev.filter(imp & (F.col("cost") > 0))
        .groupBy("platform")
        .agg((F.sum("cost") * 1000.0 / F.count(F.lit(1))).alias("paid_cpm"))
    )
    emv = (
        ev.filter(organic)
        .join(cpm, "platform", "left")
        .groupBy(*keys)
        .agg((F.sum("paid_cpm") / 1000.0).alias("emv"))
        .select(*[F.col(k).alias(f"e_{k}") for k in keys], "emv")  # no ambiguous self-join
    )
    on = [F.col(k).eqNullSafe(F.col(f"e_{k}")) for k in keys]
    out = agg.join(emv, on, "left").drop(*[f"e_{k}" for k in keys])
    return out.orderBy(*keys).toPandas()


def _raw_spark_sessions(spark: Any, path: str) -> Any:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    ev = spark.read.parquet(path).select("user_id", "ts", "event_id")
    w = Window.partitionBy("user_id").orderBy("ts", "event_id")
    prev = F.lag("ts").over(w)
    f = ev.withColumn(
        "new",
        F.when(
            prev.isNull() | (F.col("ts") > prev + F.expr(f"INTERVAL {GAP_SECONDS} SECONDS")), 1
        ).otherwise(0),
    )
    s = f.withColumn("seq", F.sum("new").over(w.rowsBetween(Window.unboundedPreceding, 0)))
    per = s.groupBy("user_id", "seq").agg(F.count(F.lit(1)).alias("n"))
    return per.agg(
        F.count(F.lit(1)).alias("sessions"),
        F.sum("n").alias("events"),
        F.max("n").alias("max_events"),
        F.sum(F.when(F.col("n") > 1, 1).otherwise(0)).alias("multi_event_sessions"),
    ).toPandas()


# ----------------------------------------------------------------------------- micromix
def _mm_kpis(store: Any) -> Any:
    from micromix.metrics import compute_kpis

    return compute_kpis(store, by=["platform", "strategy"], grain="day", source="events")


def _mm_sessions(store: Any) -> Any:
    from micromix.store.portable import sessionize_expr

    s = sessionize_expr(
        store.table("events").select("user_id", "ts", "event_id"), gap_minutes=GAP_SECONDS / 60
    )
    per = s.group_by(["user_id", "session_seq"]).aggregate(n=s.count())
    return store.execute(
        per.aggregate(
            sessions=per.count(),
            events=per.n.sum(),
            max_events=per.n.max(),
            multi_event_sessions=(per.n > 1).cast("int64").sum(),
        )
    )


# ----------------------------------------------------------------------------- worker
def _summary(kind: str, df: Any) -> dict[str, Any]:
    if kind == "kpis":
        return {
            "rows": len(df),
            "impressions": int(df["impressions"].sum()),
            "reach": int(df["reach"].sum()),
            "spend": round(float(df["spend"].sum()), 2),
            "emv": round(float(df["emv"].fillna(0).sum()), 2),
        }
    r = df.iloc[0]
    return {k: int(r[k]) for k in ("sessions", "events", "max_events", "multi_event_sessions")}


def worker(engine: str, impl: str, data: Path, repeat: int = 1) -> dict[str, Any]:
    """Run both workloads ``repeat`` times in this process; returns timings and result summaries."""
    t0 = time.perf_counter()
    out: dict[str, Any] = {"engine": engine, "impl": impl}
    events_dir = data / "events"
    if engine == "duckdb":
        if impl == "micromix":
            from micromix.store import Store

            ctx: Any = Store.open(data)
        else:
            import duckdb

            ctx = duckdb.connect()
            ctx.execute("SET TimeZone = 'UTC'")
    else:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        from micromix.store.backends import parse_backend, spark_session

        spark = spark_session(parse_backend("pyspark"), conf=SPARK_CONF)
        if impl == "micromix":
            from micromix.store import Store

            ctx = Store.open(data, backend="pyspark", read_only=True)
        else:
            ctx = spark
    out["startup_s"] = round(time.perf_counter() - t0, 2)
    glob = str(events_dir / "**" / "*.parquet")
    for kind in ("kpis", "sessions"):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            if impl == "micromix":
                df = _mm_kpis(ctx) if kind == "kpis" else _mm_sessions(ctx)
            elif engine == "duckdb":
                df = (
                    _raw_duckdb_kpis(ctx, glob)
                    if kind == "kpis"
                    else _raw_duckdb_sessions(ctx, glob)
                )
            else:
                df = (
                    _raw_spark_kpis(ctx, str(events_dir))
                    if kind == "kpis"
                    else _raw_spark_sessions(ctx, str(events_dir))
                )
            times.append(time.perf_counter() - t)
        out[f"{kind}_s"] = round(min(times), 2)  # best of ``repeat`` (the machine is shared)
        out[f"{kind}_runs"] = [round(x, 2) for x in times]
        out[f"{kind}_result"] = _summary(kind, df)
    return out


def _run_child(engine: str, impl: str, data: Path, repeat: int = 1) -> dict[str, Any]:
    import psutil

    cmd = [
        sys.executable,
        __file__,
        "--worker",
        f"{engine}:{impl}",
        "--data",
        str(data),
        "--repeat",
        str(repeat),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [ps, *ps.children(recursive=True)]
            rss = 0
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    rss += p.memory_info().rss
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.2)
    stdout = proc.stdout.read() if proc.stdout else ""
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {
            "engine": engine,
            "impl": impl,
            "error": f"exit {proc.returncode}",
            "peak_mb": round(peak / 2**20),
        }
    res = json.loads(lines[-1])
    res["peak_mb"] = round(peak / 2**20)
    return res


def _ensure_data(root: Path, events: int) -> tuple[Path, int, float]:
    from micromix.simulate.stream import write_events

    folder = root / f"events_{events}"
    manifest = folder / "_micromix_stream.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text())
        if meta.get("events", 0) >= events:
            return folder, int(meta["events"]), float(meta.get("seconds", 0.0))
    res = write_events(
        folder,
        events=events,
        days=28,
        shard_users=200_000,
        seed=7,
        overwrite=True,
        progress=lambda step, frac: print(f"  generating: {step}", flush=True),
    )
    return folder, res.events, res.seconds


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, action="append", help="events per point (repeatable)")
    ap.add_argument("--quick", action="store_true", help="one point of 1M events")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines")
    ap.add_argument("--data", type=Path, default=Path("bench-data"), help="folder for the Parquet")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--repeat", type=int, default=1, help="runs per workload (best is kept)")
    ap.add_argument("--previous", type=Path, help="JSON of an earlier run to include in the growth")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        engine, impl = args.worker.split(":")
        print(json.dumps(worker(engine, impl, args.data, args.repeat)), flush=True)
        return
    points = [1_000_000] if args.quick else (args.events or [20_000_000, 100_000_000])
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}; engines: {', '.join(engines)}"
    )
    results: list[dict[str, Any]] = json.loads(args.previous.read_text()) if args.previous else []
    for n in points:
        folder, actual, gen_s = _ensure_data(args.data, n)
        size = sum(f.stat().st_size for f in (folder / "events").rglob("*.parquet"))
        print(
            f"\n== {actual:,} events ({size / 1e9:.2f} GB Parquet, {folder}; generated in "
            f"{gen_s:.0f} s)"
        )
        for engine in engines:
            for impl in IMPLS:
                r = _run_child(engine, impl, folder, args.repeat)
                r["events"] = actual
                results.append(r)
                if "error" in r:
                    print(f"  {engine:8s} {impl:9s} FAILED ({r['error']}), peak {r['peak_mb']} MB")
                    continue
                print(
                    f"  {engine:8s} {impl:9s} kpis {r['kpis_s']:8.2f} s   sessions "
                    f"{r['sessions_s']:8.2f} s   startup {r['startup_s']:6.2f} s   peak "
                    f"{r['peak_mb']:6d} MB (process tree)"
                )
        _report_point(results, actual, engines)
    _report_growth(results, engines)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def _find(results: list[dict[str, Any]], n: int, engine: str, impl: str) -> dict[str, Any] | None:
    for r in reversed(results):  # the latest run of this point
        if r["events"] == n and r["engine"] == engine and r["impl"] == impl and "error" not in r:
            return r
    return None


def _report_point(results: list[dict[str, Any]], n: int, engines: list[str]) -> None:
    for engine in engines:
        mm, raw = _find(results, n, engine, "micromix"), _find(results, n, engine, "raw")
        if not (mm and raw):
            continue
        for kind in ("kpis", "sessions"):
            same = mm[f"{kind}_result"] == raw[f"{kind}_result"]
            print(
                f"  ratio micromix/raw {engine:8s} {kind:8s}: "
                f"{mm[f'{kind}_s'] / max(raw[f'{kind}_s'], 1e-9):5.2f}x (goal <= 1.3x)   "
                f"same result: {same}"
            )
    rs = [r for r in results if r["events"] == n and "error" not in r]
    for kind in ("kpis", "sessions"):
        distinct = {json.dumps(r[f"{kind}_result"], sort_keys=True) for r in rs}
        print(
            f"  {kind}: all engines and implementations agree: {len(distinct) == 1}"
            + ("" if len(distinct) == 1 else f" ({distinct})")
        )


def _report_growth(results: list[dict[str, Any]], engines: list[str]) -> None:
    ns = sorted({r["events"] for r in results})
    if len(ns) < 2:
        return
    lo, hi = ns[0], ns[-1]
    print(f"\n== growth {lo:,} -> {hi:,} events (x{hi / lo:.1f} data; linear = same ratio)")
    for engine in engines:
        for impl in IMPLS:
            a, b = _find(results, lo, engine, impl), _find(results, hi, engine, impl)
            if a and b:
                print(
                    f"  {engine:8s} {impl:9s} kpis x{b['kpis_s'] / a['kpis_s']:.2f}   "
                    f"sessions x{b['sessions_s'] / a['sessions_s']:.2f}   "
                    f"peak memory x{b['peak_mb'] / max(a['peak_mb'], 1):.2f}"
                )


if __name__ == "__main__":
    main()
