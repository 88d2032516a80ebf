"""KPI roll-up benchmark: micromix vs hand-written DuckDB SQL vs Polars lazy, in one run.

Usage::

    python benchmarks/bench_kpis.py                     # ~20M events, every contender
    python benchmarks/bench_kpis.py --quick             # ~1M events, a smoke run
    python benchmarks/bench_kpis.py --data /tmp/mmk     # keep (and reuse) the generated data

The events are simulated in bounded memory (``micromix.simulate.stream.write_events``) and stored
twice: a DuckDB file (the contract ``events`` table) and one Parquet file. Every contender
computes *the same KPIs* — the same measures, the same null rules, the same EMV definition —
by ``campaign_id, platform``, each in its own subprocess (so its peak RSS is its own):

* ``micromix``        ``compute_kpis(store, by=BY, source="events")`` on the DuckDB file;
* ``duckdb-sql``      one hand-written SQL statement on the same file, written the fast way
  (one scan for the measures and the EMV's paid CPM, a filtered distinct scan for reach) —
  no ``WITH e AS (SELECT * FROM events)`` that materialises the table;
* ``micromix-pq`` / ``duckdb-sql-pq``  the same two over the Parquet file (a micromix lake);
* ``polars`` / ``polars-stream``  Polars' lazy query (``scan_parquet ... group_by ... agg``) on
  the Parquet, collected by its in-memory and by its streaming engine;

then the same again for a subset of KPIs (``ctr,cpa,roas``) to show that a subset costs less.
Each contender runs in ``--rounds`` fresh processes, interleaved with the others so that a change
in the (shared) machine's load hits them alike; each process runs the query once to warm up
(micromix's first call also plans and compiles it: reported as ``first``) and then ``--repeat``
times. The median of all timed runs is reported with the load averages seen and the largest
peak RSS. Results are compared column by column across contenders.

Goals (issue 17): micromix <= 1.1x DuckDB SQL and <= 1.0x Polars on the full KPI set; a subset
cheaper than the full set. A small-store section measures what one API-sized KPI request spends
compiling vs executing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from micromix.metrics import KPI_COLUMNS

BY = ["campaign_id", "platform"]
SUBSET = ["ctr", "cpa", "roas"]
ENGAGEMENT = "('like', 'comment', 'share', 'save', 'follow')"
#: every KPI column of the full set, in micromix's order (the baselines are checked against it)
FULL = list(KPI_COLUMNS)
#: the additive measures among them
MEASURES = FULL[: FULL.index("organic_impressions") + 1]

#: Ratios of spend (CPM, CPC, CPA, ROAS, ROI, cost per engagement) count the results of the
#: strategies with spend only, and CVR the conversions of strategies with clicks (micromix's
#: ``Ratio.within``: organic and direct sales never divide paid spend). A strategy "has spend"
#: when it spent anything in the data asked about. The careful way in SQL: one scan grouped by
#: the dimensions and the strategy, the strategies' flags from that, then the roll-up.
FULL_SQL = f"""
WITH f AS (
  SELECT campaign_id, platform, strategy,
    count(*) FILTER (WHERE event_type = 'impression') AS impressions,
    count(*) FILTER (WHERE event_type = 'click') AS clicks,
    coalesce(sum(cost), 0) AS spend,
    count(*) FILTER (WHERE event_type = 'purchase') AS conversions,
    sum(revenue) FILTER (WHERE event_type = 'purchase') AS revenue_sum,
    count(*) FILTER (WHERE event_type = 'purchase' AND revenue IS NULL) AS revenue_missing,
    count(*) FILTER (WHERE event_type IN {ENGAGEMENT}) AS engagements,
    count(*) FILTER (WHERE event_type = 'impression' AND (cost IS NULL OR cost = 0))
      AS organic_impressions,
    count(*) FILTER (WHERE event_type = 'impression' AND cost > 0) AS paid_impressions,
    sum(cost) FILTER (WHERE event_type = 'impression' AND cost > 0) AS paid_cost
  FROM {{events}} GROUP BY campaign_id, platform, strategy),
s AS (
  SELECT strategy, sum(spend) > 0 AS paid, sum(clicks) > 0 AS clicked FROM f GROUP BY strategy),
m AS (
  SELECT campaign_id, platform,
    sum(impressions) AS impressions, sum(clicks) AS clicks, sum(spend) AS spend,
    sum(conversions) AS conversions, sum(revenue_sum) AS revenue_sum,
    sum(revenue_missing) AS revenue_missing, sum(engagements) AS engagements,
    sum(organic_impressions) AS organic_impressions, sum(paid_impressions) AS paid_impressions,
    sum(paid_cost) AS paid_cost,
    coalesce(sum(impressions) FILTER (WHERE paid), 0) AS p_impressions,
    coalesce(sum(clicks) FILTER (WHERE paid), 0) AS p_clicks,
    coalesce(sum(conversions) FILTER (WHERE paid), 0) AS p_conversions,
    coalesce(sum(revenue_sum) FILTER (WHERE paid), 0) AS p_revenue_sum,
    coalesce(sum(revenue_missing) FILTER (WHERE paid), 0) AS p_revenue_missing,
    coalesce(sum(engagements) FILTER (WHERE paid), 0) AS p_engagements,
    coalesce(sum(conversions) FILTER (WHERE clicked), 0) AS c_conversions
  FROM f JOIN s ON f.strategy IS NOT DISTINCT FROM s.strategy
  GROUP BY campaign_id, platform),
r AS (
  SELECT campaign_id, platform, count(DISTINCT user_id) AS reach
  FROM {{events}} WHERE event_type = 'impression' GROUP BY campaign_id, platform),
j AS (
  SELECT m.*, coalesce(r.reach, 0) AS reach,
    CASE WHEN revenue_missing = 0 THEN coalesce(revenue_sum, 0) END AS revenue,
    CASE WHEN p_revenue_missing = 0 THEN p_revenue_sum END AS p_revenue,
    sum(coalesce(paid_cost, 0)) OVER (PARTITION BY m.platform) * 1000.0
      / nullif(sum(paid_impressions) OVER (PARTITION BY m.platform), 0) AS paid_cpm
  FROM m LEFT JOIN r ON m.campaign_id IS NOT DISTINCT FROM r.campaign_id
                    AND m.platform IS NOT DISTINCT FROM r.platform)
SELECT campaign_id, platform, impressions, reach, clicks, spend, conversions, revenue,
  engagements, organic_impressions,
  impressions / nullif(reach, 0) AS frequency,
  clicks / nullif(impressions, 0) AS ctr,
  spend * 1000.0 / nullif(p_impressions, 0) AS cpm,
  spend / nullif(p_clicks, 0) AS cpc,
  c_conversions / nullif(clicks, 0) AS cvr,
  spend / nullif(p_conversions, 0) AS cpa,
  p_revenue / nullif(spend, 0) AS roas,
  (p_revenue - spend) / nullif(spend, 0) AS roi,
  engagements / nullif(impressions, 0) AS engagement_rate,
  spend / nullif(p_engagements, 0) AS cost_per_engagement,
  CASE WHEN organic_impressions > 0 THEN organic_impressions * paid_cpm / 1000.0 ELSE 0 END AS emv
FROM j ORDER BY campaign_id, platform
"""

SUBSET_SQL = """
WITH f AS (
  SELECT campaign_id, platform, strategy,
    count(*) FILTER (WHERE event_type = 'impression') AS impressions,
    count(*) FILTER (WHERE event_type = 'click') AS clicks,
    coalesce(sum(cost), 0) AS spend,
    count(*) FILTER (WHERE event_type = 'purchase') AS conversions,
    sum(revenue) FILTER (WHERE event_type = 'purchase') AS revenue_sum,
    count(*) FILTER (WHERE event_type = 'purchase' AND revenue IS NULL) AS revenue_missing
  FROM {events} GROUP BY campaign_id, platform, strategy),
s AS (SELECT strategy, sum(spend) > 0 AS paid FROM f GROUP BY strategy),
m AS (
  SELECT campaign_id, platform,
    sum(impressions) AS impressions, sum(clicks) AS clicks, sum(spend) AS spend,
    coalesce(sum(conversions) FILTER (WHERE paid), 0) AS p_conversions,
    coalesce(sum(revenue_sum) FILTER (WHERE paid), 0) AS p_revenue_sum,
    coalesce(sum(revenue_missing) FILTER (WHERE paid), 0) AS p_revenue_missing
  FROM f JOIN s ON f.strategy IS NOT DISTINCT FROM s.strategy
  GROUP BY campaign_id, platform)
SELECT campaign_id, platform,
  clicks / nullif(impressions, 0) AS ctr,
  spend / nullif(p_conversions, 0) AS cpa,
  CASE WHEN p_revenue_missing = 0 THEN p_revenue_sum END / nullif(spend, 0) AS roas
FROM m ORDER BY campaign_id, platform
"""


def _peak_mb() -> float:
    """Peak resident memory of this process in MB (VmHWM resets on exec, unlike ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:  # pragma: no cover - not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _timed(fn, repeat: int) -> tuple[float, list[float], object]:
    t = time.perf_counter()
    out = fn()  # warm-up (micromix: plans and compiles the query)
    first = time.perf_counter() - t
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return first, times, out


def _polars_query(parquet: str, subset: bool):
    """The same KPIs in Polars' lazy API (the strategies' spend flags as in the SQL)."""
    import polars as pl

    et, cost = pl.col("event_type"), pl.col("cost")
    imp = et == "impression"
    purchase = et == "purchase"
    aggs = [
        imp.sum().alias("impressions"),
        (et == "click").sum().alias("clicks"),
        cost.sum().alias("spend"),
        purchase.sum().alias("conversions"),
        pl.col("revenue").filter(purchase).sum().alias("revenue_sum"),
        (purchase & pl.col("revenue").is_null()).sum().alias("revenue_missing"),
    ]
    if not subset:
        aggs += [
            et.is_in(["like", "comment", "share", "save", "follow"]).sum().alias("engagements"),
            (imp & (cost.is_null() | (cost == 0))).sum().alias("organic_impressions"),
            (imp & (cost > 0)).sum().alias("paid_impressions"),
            cost.filter(imp & (cost > 0)).sum().alias("paid_cost"),
        ]
    scan = pl.scan_parquet(parquet)
    fine = scan.group_by([*BY, "strategy"]).agg(aggs)
    paid = pl.col("spend").sum().over("strategy") > 0
    clicked = pl.col("clicks").sum().over("strategy") > 0
    fine = fine.with_columns(paid.alias("paid"), clicked.alias("clicked"))
    sums = [pl.col(c).sum() for c in ("impressions", "clicks", "spend", "conversions")]
    sums += [pl.col("revenue_sum").sum(), pl.col("revenue_missing").sum()]

    def of(col: str, flag: str, name: str):
        return pl.col(col).filter(pl.col(flag)).sum().alias(name)

    sums += [
        of("conversions", "paid", "p_conversions"),
        of("revenue_sum", "paid", "p_revenue_sum"),
        of("revenue_missing", "paid", "p_revenue_missing"),
    ]
    if not subset:
        sums += [
            pl.col(c).sum()
            for c in ("engagements", "organic_impressions", "paid_impressions", "paid_cost")
        ]
        sums += [
            of("impressions", "paid", "p_impressions"),
            of("clicks", "paid", "p_clicks"),
            of("engagements", "paid", "p_engagements"),
            of("conversions", "clicked", "c_conversions"),
        ]
    g = fine.group_by(BY).agg(sums)

    def ratio(num, den, scale=1.0):
        d = pl.col(den).cast(pl.Float64)
        return (num.cast(pl.Float64) * scale / pl.when(d != 0).then(d)).alias

    revenue = pl.when(pl.col("revenue_missing") == 0).then(pl.col("revenue_sum").fill_null(0.0))
    p_revenue = pl.when(pl.col("p_revenue_missing") == 0).then(
        pl.col("p_revenue_sum").fill_null(0.0)
    )
    g = g.with_columns(revenue.alias("revenue"), p_revenue.alias("p_revenue"))
    if subset:
        g = g.select(
            *BY,
            ratio(pl.col("clicks"), "impressions")("ctr"),
            ratio(pl.col("spend"), "p_conversions")("cpa"),
            ratio(pl.col("p_revenue"), "spend")("roas"),
        )
        return g.sort(BY, nulls_last=True)
    reach = scan.filter(imp).group_by(BY).agg(pl.col("user_id").n_unique().alias("reach"))
    g = g.join(reach, on=BY, how="left", nulls_equal=True).with_columns(
        pl.col("reach").fill_null(0)
    )
    cpm = (
        pl.col("paid_cost").fill_null(0.0).sum().over("platform")
        * 1000.0
        / pl.when(pl.col("paid_impressions").sum().over("platform") > 0).then(
            pl.col("paid_impressions").sum().over("platform")
        )
    )
    g = g.with_columns(cpm.alias("paid_cpm"))
    g = g.select(
        *BY,
        *MEASURES,
        ratio(pl.col("impressions"), "reach")("frequency"),
        ratio(pl.col("clicks"), "impressions")("ctr"),
        ratio(pl.col("spend"), "p_impressions", 1000.0)("cpm"),
        ratio(pl.col("spend"), "p_clicks")("cpc"),
        ratio(pl.col("c_conversions"), "clicks")("cvr"),
        ratio(pl.col("spend"), "p_conversions")("cpa"),
        ratio(pl.col("p_revenue"), "spend")("roas"),
        ratio(pl.col("p_revenue") - pl.col("spend"), "spend")("roi"),
        ratio(pl.col("engagements"), "impressions")("engagement_rate"),
        ratio(pl.col("spend"), "p_engagements")("cost_per_engagement"),
        pl.when(pl.col("organic_impressions") > 0)
        .then(pl.col("organic_impressions") * pl.col("paid_cpm") / 1000.0)
        .otherwise(0.0)
        .alias("emv"),
    )
    return g.sort(BY, nulls_last=True)


def child(kind: str, db: str, parquet: str, repeat: int, subset: bool, out: str) -> None:
    """Run one contender and print a JSON line (its result frame goes to ``out``)."""
    kpis = SUBSET if subset else None
    load0 = os.getloadavg()[0]
    if kind in ("micromix", "micromix-pq"):
        from micromix.metrics import compute_kpis
        from micromix.store import Store

        st = Store.open(db if kind == "micromix" else str(Path(parquet).parents[1]), read_only=True)
        first, secs, df = _timed(
            lambda: compute_kpis(st, by=BY, source="events", kpis=kpis), repeat
        )
    elif kind in ("duckdb-sql", "duckdb-sql-pq"):
        import duckdb

        if kind == "duckdb-sql":
            con = duckdb.connect(db, read_only=True)
            events = "events"
        else:
            con = duckdb.connect(":memory:")
            events = "read_parquet('" + parquet.replace("'", "''") + "')"
        sql = (SUBSET_SQL if subset else FULL_SQL).format(events=events)
        first, secs, df = _timed(lambda: con.execute(sql).df(), repeat)
    elif kind in ("polars", "polars-stream"):
        q = _polars_query(parquet, subset)
        engine = "streaming" if kind == "polars-stream" else "in-memory"
        first, secs, res = _timed(lambda: q.collect(engine=engine), repeat)
        df = res.to_pandas()  # type: ignore[attr-defined]
    else:  # pragma: no cover
        raise SystemExit(f"unknown contender {kind}")
    cols = [*BY, *(SUBSET if subset else FULL)]
    df[cols].to_parquet(out)
    print(
        json.dumps(
            {
                "kind": kind,
                "first": first,
                "times": secs,
                "peak_rss_mb": _peak_mb(),
                "rows": len(df),
                "load": [load0, os.getloadavg()[0]],
            }
        )
    )


def prepare(data: Path, events: int) -> tuple[Path, Path, int]:
    """Simulate ``events`` events (bounded memory) into a DuckDB file and one Parquet file."""
    import duckdb

    from micromix.simulate.stream import write_events
    from micromix.store import Store

    db = data / "bench.duckdb"
    parquet = data / "lake" / "events" / "events.parquet"
    meta = data / "bench.json"
    if db.exists() and parquet.exists() and meta.exists():
        info = json.loads(meta.read_text())
        if info.get("target") == events:
            return db, parquet, int(info["events"])
    data.mkdir(parents=True, exist_ok=True)
    for stale in (db, Path(str(db) + ".wal"), parquet, meta):
        stale.unlink(missing_ok=True)
    t = time.perf_counter()
    stream = data / "stream"
    res = write_events(stream, events=events, days=90, shard_users=50_000, seed=1, overwrite=True)
    print(
        f"simulated {res.events:,} events in {time.perf_counter() - t:.0f} s ({res.shards} shards)"
    )
    with Store.open(db) as st:  # the contract tables, then the events
        cols = ", ".join(f'"{c}"' for c in st.table("events").columns)
    con = duckdb.connect(str(db))
    glob = str(stream / "events" / "**" / "*.parquet")
    con.execute(
        f"SET memory_limit = '4GB'; INSERT INTO events SELECT {cols} FROM read_parquet('{glob}')"
    )
    parquet.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY events TO '{parquet}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)")
    n = con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.close()
    import shutil

    shutil.rmtree(stream)
    meta.write_text(json.dumps({"target": events, "events": n}))
    return db, parquet, n


def small_store_split(repeat: int) -> dict[str, dict[str, float]]:
    """One API-sized request on a small store: plan + compile vs execution (in-process).

    Both wall time and CPU time (all threads of the process) are recorded: on a loaded shared
    machine the CPU time is the steadier measure of where a request's work goes.
    """
    from micromix.ingest.market import load_market
    from micromix.metrics import clear_query_cache, compute_kpis, kpi_expr, kpi_plan
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    st = Store.open(":memory:")
    m = simulate(SimConfig(users=20_000, days=28, seed=3))
    load_market(st, m)
    by = ["platform", "strategy"]
    clocks = {"wall": time.perf_counter, "cpu": time.process_time}
    out: dict[str, dict[str, float]] = {}
    for name, clock in clocks.items():
        cold, warm, build, compile_, run = [], [], [], [], []
        for _ in range(repeat):
            clear_query_cache()
            t = clock()
            compute_kpis(st, by=by)
            cold.append(clock() - t)
            t = clock()
            compute_kpis(st, by=by)
            warm.append(clock() - t)
            t = clock()
            tbl = st.table("events")
            plan = kpi_plan(tbl.columns, source="events", by=by)
            expr = kpi_expr(tbl, source="events", plan=plan)
            t1 = clock()
            sql = str(expr.compile())
            t2 = clock()
            st.sql(sql)
            t3 = clock()
            build.append(t1 - t)
            compile_.append(t2 - t1)
            run.append(t3 - t2)
        med = statistics.median
        out[name] = {
            "cold_ms": 1e3 * med(cold),
            "warm_ms": 1e3 * med(warm),
            "build_ms": 1e3 * med(build),
            "compile_ms": 1e3 * med(compile_),
            "execute_ms": 1e3 * med(run),
        }
    out["events"] = {"n": float(m.events.num_rows)}
    return out


def _compare(results: dict[str, dict], files: dict[str, str]) -> str:
    import numpy as np
    import pandas as pd

    frames = {k: pd.read_parquet(f) for k, f in files.items() if k in results}
    if len(frames) < 2:
        return "n/a"
    ref_name, ref = next(iter(frames.items()))
    ref = ref.sort_values(BY, na_position="last").reset_index(drop=True)
    bad = []
    for k, df in frames.items():
        df = df.sort_values(BY, na_position="last").reset_index(drop=True)
        if len(df) != len(ref):
            bad.append(f"{k}: {len(df)} rows vs {len(ref)}")
            continue
        for c in ref.columns:
            if c in BY:
                same = (ref[c].astype(object).fillna("~") == df[c].astype(object).fillna("~")).all()
            else:
                a = pd.to_numeric(ref[c]).astype(float).to_numpy()
                b = pd.to_numeric(df[c]).astype(float).to_numpy()
                same = bool(np.allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True))
            if not same:
                bad.append(f"{k}.{c}")
    return "yes (every column, rtol 1e-9)" if not bad else f"NO vs {ref_name}: {', '.join(bad)}"


def _summarise(runs: list[dict]) -> dict:
    """One contender over its rounds: median time, median first call, largest peak RSS."""
    return {
        "seconds": statistics.median([t for r in runs for t in r["times"]]),
        "first": statistics.median([r["first"] for r in runs]),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "rows": runs[-1]["rows"],
        "load": [x for r in runs for x in r["load"]],
    }


def _ratio(results: dict[str, dict], a: str, b: str, goal: str) -> None:
    if {a, b} <= set(results):
        x = results[a]["seconds"] / results[b]["seconds"]
        print(f"{a} / {b} = {x:.2f}x  {goal}")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="~1M events instead of ~20M")
    ap.add_argument("--events", type=int, default=None, help="target number of events")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per process")
    ap.add_argument("--rounds", type=int, default=3, help="fresh processes per contender")
    ap.add_argument("--data", type=Path, default=None, help="folder to keep/reuse the data in")
    ap.add_argument(
        "--only", default=None, help="comma-separated contenders (default: all of them)"
    )
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, db, parquet, subset, out = args.child
        child(kind, db, parquet, args.repeat, subset == "1", out)
        return

    import tempfile

    events = args.events or (1_000_000 if args.quick else 20_000_000)
    data = args.data or Path(tempfile.mkdtemp(prefix="mm-bench-kpis-"))
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} cores={os.cpu_count()} "
        f"python={platform.python_version()} load={os.getloadavg()[0]:.2f}"
    )
    db, parquet, n = prepare(data, events)
    kinds = ["micromix", "duckdb-sql", "micromix-pq", "duckdb-sql-pq", "polars", "polars-stream"]
    if args.only:
        kinds = [k for k in kinds if k in args.only.split(",")]
    all_results = {}
    for subset in (False, True):
        runs: dict[str, list[dict]] = {k: [] for k in kinds}
        files = {k: str(data / f"result-{k}-{int(subset)}.parquet") for k in kinds}
        # rounds interleave the contenders, so a change in the machine's load hits them alike
        for _ in range(args.rounds):
            for kind in kinds:
                cmd = [sys.executable, __file__, "--repeat", str(args.repeat), "--child", kind]
                proc = subprocess.run(
                    [*cmd, str(db), str(parquet), "1" if subset else "0", files[kind]],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if proc.returncode != 0:
                    print(f"{kind} failed:\n{proc.stderr[-2000:]}")
                    continue
                runs[kind].append(json.loads(proc.stdout.strip().splitlines()[-1]))
        results = {k: _summarise(v) for k, v in runs.items() if v}
        what = f"KPIs {','.join(SUBSET)}" if subset else f"all {len(FULL)} KPIs"
        print(
            f"\n{what} by {', '.join(BY)} over {n:,} events (median of {args.rounds} rounds x "
            f"{args.repeat} runs, each round a fresh process per contender):"
        )
        print(
            f"{'contender':<14} {'seconds':>8} {'first':>7} {'Mev/s':>6} {'peak RSS MB':>11} "
            f"{'rows':>5}  load min-max"
        )
        for kind, r in results.items():
            print(
                f"{kind:<14} {r['seconds']:>8.3f} {r['first']:>7.3f} {n / r['seconds'] / 1e6:>6.1f} "
                f"{r['peak_rss_mb']:>11.0f} {r['rows']:>5}  {min(r['load']):.2f}-{max(r['load']):.2f}"
            )
        print(f"results agree: {_compare(results, files)}")

        goal = "" if subset else "(goal <= 1.1x)"
        _ratio(results, "micromix", "duckdb-sql", goal)
        _ratio(results, "micromix-pq", "duckdb-sql-pq", goal)
        _ratio(results, "micromix-pq", "polars", "" if subset else "(goal <= 1.0x)")
        _ratio(results, "micromix-pq", "polars-stream", "" if subset else "(goal <= 1.0x)")
        all_results["subset" if subset else "full"] = results
    full, sub = all_results.get("full", {}), all_results.get("subset", {})
    for kind in kinds:
        if kind in full and kind in sub:
            print(
                f"subset / full, {kind}: {sub[kind]['seconds'] / full[kind]['seconds']:.2f}x "
                "(goal < 1)"
            )
    split = small_store_split(max(5, args.repeat))
    print(
        f"\nsmall store ({split['events']['n']:,.0f} events), all KPIs by platform, strategy, "
        f"median of {max(5, args.repeat)}, load {os.getloadavg()[0]:.2f}:"
    )
    for clock in ("wall", "cpu"):
        s = split[clock]
        print(
            f"  {clock:>4}: first request {s['cold_ms']:.1f} ms (plan {s['build_ms']:.1f} + compile "
            f"{s['compile_ms']:.1f} + execute {s['execute_ms']:.1f} + finish); repeated request "
            f"{s['warm_ms']:.1f} ms, of which execution {100 * s['execute_ms'] / s['warm_ms']:.0f}%"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.2f}; data kept in {data}")


if __name__ == "__main__":
    main()
