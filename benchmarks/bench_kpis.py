"""KPI roll-up benchmark: micromix vs raw DuckDB SQL vs pandas, plus simulator speed.

Usage::

    python benchmarks/bench_kpis.py            # ~20M events (600k users x 90 days) + 1M-user simulator timing
    python benchmarks/bench_kpis.py --quick    # ~1M events, for a smoke run

The market is simulated once into a DuckDB file (and a Parquet copy of the events). Each contender
then runs in its own subprocess over the same data, so that its peak memory (max RSS) is its own:

* ``micromix``  — ``compute_kpis(store, by=["campaign_id", "platform"], source="events")``
  (every KPI, reach as distinct users, EMV at the platform's paid CPM);
* ``duckdb-sql`` — the same KPIs written by hand in one SQL statement on the same DuckDB file
  (reach counted on the filtered impressions, the fast way, as micromix does);
* ``pandas``    — the same KPIs with pandas group-bys on the events loaded from Parquet (the load is
  timed separately; the ratio uses the compute time only, which flatters pandas).

Each query runs once to warm up and then ``--repeat`` times; the median is reported.
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
import tempfile
import time
from pathlib import Path

BY = ["campaign_id", "platform"]

RAW_SQL = """
WITH e AS (SELECT * FROM events),
cpm AS (
  SELECT platform, sum(cost) * 1000.0 / count(*) AS paid_cpm
  FROM e WHERE event_type = 'impression' AND cost > 0 GROUP BY platform),
emv AS (
  SELECT o.campaign_id, o.platform, sum(o.n * c.paid_cpm / 1000.0) AS emv
  FROM (SELECT campaign_id, platform, count(*) AS n FROM e
        WHERE event_type = 'impression' AND (cost IS NULL OR cost = 0)
        GROUP BY campaign_id, platform) o
  LEFT JOIN cpm c ON o.platform IS NOT DISTINCT FROM c.platform
  GROUP BY o.campaign_id, o.platform),
r AS (
  SELECT campaign_id, platform, count(DISTINCT user_id) AS reach
  FROM e WHERE event_type = 'impression' GROUP BY campaign_id, platform),
m AS (
  SELECT campaign_id, platform,
    count(*) FILTER (WHERE event_type = 'impression') AS impressions,
    count(*) FILTER (WHERE event_type = 'click') AS clicks,
    coalesce(sum(cost), 0) AS spend,
    count(*) FILTER (WHERE event_type = 'purchase') AS conversions,
    coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0) AS revenue,
    count(*) FILTER (WHERE event_type IN ('like','comment','share','save','follow')) AS engagements,
    count(*) FILTER (WHERE event_type = 'impression' AND (cost IS NULL OR cost = 0)) AS organic_impressions
  FROM e GROUP BY campaign_id, platform)
SELECT m.*, coalesce(r.reach, 0) AS reach,
  impressions / nullif(r.reach, 0) AS frequency,
  clicks / nullif(impressions, 0) AS ctr,
  spend * 1000.0 / nullif(impressions, 0) AS cpm,
  spend / nullif(clicks, 0) AS cpc,
  conversions / nullif(clicks, 0) AS cvr,
  spend / nullif(conversions, 0) AS cpa,
  revenue / nullif(spend, 0) AS roas,
  (revenue - spend) / nullif(spend, 0) AS roi,
  engagements / nullif(impressions, 0) AS engagement_rate,
  spend / nullif(engagements, 0) AS cost_per_engagement,
  emv.emv
FROM m LEFT JOIN emv ON m.campaign_id IS NOT DISTINCT FROM emv.campaign_id
                   AND m.platform IS NOT DISTINCT FROM emv.platform
       LEFT JOIN r ON m.campaign_id IS NOT DISTINCT FROM r.campaign_id
                  AND m.platform IS NOT DISTINCT FROM r.platform
ORDER BY 1, 2
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


def _timed(fn, repeat: int) -> tuple[float, object]:
    out = fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def child(kind: str, db: str, parquet: str, repeat: int) -> None:
    """Run one contender and print a JSON line."""
    result: dict[str, object] = {"kind": kind}
    if kind == "micromix":
        from micromix.metrics import compute_kpis
        from micromix.store import Store

        st = Store.open(db, read_only=True)
        secs, df = _timed(lambda: compute_kpis(st, by=BY, source="events"), repeat)
        result["rows"] = len(df)
        result["check"] = float(df["spend"].sum()) + float(df["impressions"].sum())
    elif kind == "duckdb-sql":
        import duckdb

        con = duckdb.connect(db, read_only=True)
        secs, df = _timed(lambda: con.execute(RAW_SQL).df(), repeat)
        result["rows"] = len(df)
        result["check"] = float(df["spend"].sum()) + float(df["impressions"].sum())
    elif kind == "pandas":
        import numpy as np
        import pandas as pd

        t = time.perf_counter()
        ev = pd.read_parquet(parquet)
        result["load_seconds"] = time.perf_counter() - t

        def run() -> pd.DataFrame:
            et = ev["event_type"]
            imp = et == "impression"
            organic = imp & (ev["cost"].isna() | (ev["cost"] == 0))
            f = pd.DataFrame(
                {
                    "campaign_id": ev["campaign_id"],
                    "platform": ev["platform"],
                    "impressions": imp,
                    "clicks": et == "click",
                    "spend": ev["cost"].fillna(0.0),
                    "conversions": et == "purchase",
                    "revenue": ev["revenue"].where(et == "purchase", 0.0).fillna(0.0),
                    "engagements": et.isin(["like", "comment", "share", "save", "follow"]),
                    "organic_impressions": organic,
                }
            )
            g = f.groupby(BY, dropna=False).sum()
            g["reach"] = ev[imp].groupby(BY, dropna=False)["user_id"].nunique()
            g["reach"] = g["reach"].fillna(0)
            paid = ev[imp & (ev["cost"] > 0)].groupby("platform")["cost"].agg(["sum", "count"])
            cpm = paid["sum"] * 1000.0 / paid["count"]
            org = ev[organic].groupby(BY, dropna=False).size().rename("n").reset_index()
            org["emv"] = org["n"] * org["platform"].map(cpm) / 1000.0
            g = g.join(org.set_index(BY)["emv"])
            with np.errstate(divide="ignore", invalid="ignore"):
                den = lambda c: g[c].replace(0, np.nan)  # noqa: E731
                g["frequency"] = g["impressions"] / den("reach")
                g["ctr"] = g["clicks"] / den("impressions")
                g["cpm"] = g["spend"] * 1000 / den("impressions")
                g["cpc"] = g["spend"] / den("clicks")
                g["cvr"] = g["conversions"] / den("clicks")
                g["cpa"] = g["spend"] / den("conversions")
                g["roas"] = g["revenue"] / den("spend")
                g["roi"] = (g["revenue"] - g["spend"]) / den("spend")
                g["engagement_rate"] = g["engagements"] / den("impressions")
                g["cost_per_engagement"] = g["spend"] / den("engagements")
            return g.reset_index()

        secs, df = _timed(run, repeat)
        result["rows"] = len(df)
        result["check"] = float(df["spend"].sum()) + float(df["impressions"].sum())
    else:  # pragma: no cover
        raise SystemExit(f"unknown contender {kind}")
    result["seconds"] = secs
    result["peak_rss_mb"] = _peak_mb()
    print(json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="~1M events instead of ~20M")
    ap.add_argument("--users", type=int, default=None)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--sim-users",
        type=int,
        default=1_000_000,
        help="users for the simulator timing (0 to skip)",
    )
    ap.add_argument("--child", nargs=3, metavar=("KIND", "DB", "PARQUET"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2], args.repeat)
        return

    import pyarrow.parquet as pq

    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate
    from micromix.store import Store

    users = args.users or (40_000 if args.quick else 620_000)
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} cores={os.cpu_count()} "
        f"python={platform.python_version()}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="mm-bench-"))
    t = time.perf_counter()
    market = simulate(SimConfig(users=users, days=args.days, seed=1))
    sim_s = time.perf_counter() - t
    n_events = market.events.num_rows
    print(f"simulated {users:,} users x {args.days} days -> {n_events:,} events in {sim_s:.1f} s")
    db = tmp / "bench.duckdb"
    parquet = tmp / "events.parquet"
    with Store.open(db) as st:
        load_market(st, market)
    pq.write_table(market.events, parquet)
    del market

    results = {}
    for kind in ("micromix", "duckdb-sql", "pandas"):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--repeat",
                str(args.repeat),
                "--child",
                kind,
                str(db),
                str(parquet),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(f"{kind} failed:\n{out.stderr[-2000:]}")
            continue
        results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\nKPI roll-up by {', '.join(BY)} over {n_events:,} events (median of {args.repeat}):")
    print(f"{'contender':<12} {'seconds':>9} {'Mevents/s':>10} {'peak RSS MB':>12} {'rows':>6}")
    for kind, r in results.items():
        extra = f"  (+ {r['load_seconds']:.2f} s to load Parquet)" if "load_seconds" in r else ""
        print(
            f"{kind:<12} {r['seconds']:>9.3f} {n_events / r['seconds'] / 1e6:>10.1f} "
            f"{r['peak_rss_mb']:>12.0f} {r['rows']:>6}{extra}"
        )
    checks = {round(r["check"], 2) for r in results.values()}
    print(f"results agree (spend + impressions): {len(checks) == 1}")
    if {"micromix", "duckdb-sql"} <= set(results):
        ratio = results["micromix"]["seconds"] / results["duckdb-sql"]["seconds"]
        print(f"micromix / raw DuckDB SQL = {ratio:.2f}x   (goal <= 1.3x)")
    if {"micromix", "pandas"} <= set(results):
        speed = results["pandas"]["seconds"] / results["micromix"]["seconds"]
        print(
            f"pandas / micromix = {speed:.1f}x faster  (goal >= 5x; pandas compute only, load excluded)"
        )

    if args.sim_users and not args.quick:
        t = time.perf_counter()
        m = simulate(SimConfig(users=args.sim_users, days=90, seed=2))
        print(
            f"\nsimulator: {args.sim_users:,} users x 90 days -> {m.events.num_rows:,} events in "
            f"{time.perf_counter() - t:.1f} s (goal < 60 s); peak RSS {_peak_mb():,.0f} MB"
        )


if __name__ == "__main__":
    main()
