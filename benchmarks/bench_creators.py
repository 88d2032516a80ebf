"""Benchmark: score 1M creators with 10M posts (tiers, engagement over the last 12 posts,
sponsored split, fake-follower model, niche from category, cost) against a bare pandas baseline.

Run ``python benchmarks/bench_creators.py`` (full: 1M creators, 10M posts) or ``--quick``
(100K creators, 1M posts).  The baseline is the minimum any tool must do: one pandas groupby
computing the median (likes + comments) / followers per creator.  Prints seconds, rows/s, the
ratio to the baseline, peak memory and the machine.  No assertions on time.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time

import numpy as np
import pandas as pd

from micromix.influencers.scoring import score_creators


def make_data(n_creators: int, n_posts: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded synthetic profiles and posts with realistic size-engagement structure."""
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(2.5, 7.0, n_creators))
    ids = pd.Series([f"creator_{i}" for i in range(n_creators)], dtype="str")
    fake = rng.random(n_creators) < 0.1
    profiles = pd.DataFrame(
        {
            "username": ids,
            "followers": followers,
            "following": np.where(
                fake, rng.integers(1000, 7000, n_creators), rng.integers(50, 2000, n_creators)
            ),
            "posts": np.where(
                fake, rng.integers(0, 5, n_creators), rng.integers(20, 3000, n_creators)
            ),
            "profile_pic": (rng.random(n_creators) < np.where(fake, 0.3, 0.95)).astype(int),
            "bio_length": np.where(fake, 0, rng.integers(0, 150, n_creators)),
            "external_url": (rng.random(n_creators) < 0.2).astype(int),
            "category": rng.choice(
                ["pet", "beauty", "fitness", "food", "travel", "fashion"], n_creators
            ),
            "platform": rng.choice(
                ["instagram", "tiktok", "youtube"], n_creators, p=[0.6, 0.3, 0.1]
            ),
            "country": rng.choice(["US", "UK", "DE", "FR"], n_creators),
        }
    )
    author = rng.integers(0, n_creators, n_posts)
    er = 0.08 * (followers[author] / 1000) ** -0.25 * rng.lognormal(0, 0.5, n_posts)
    inter = np.round(followers[author] * er)
    posts = pd.DataFrame(
        {
            "username": ids.to_numpy()[author],
            "likes": np.round(inter * 0.95),
            "comments": np.round(inter * 0.05),
            "taken_at_timestamp": rng.integers(1_600_000_000, 1_700_000_000, n_posts),
            "is_sponsored": rng.random(n_posts) < 0.05,
        }
    )
    return profiles, posts


def baseline(profiles: pd.DataFrame, posts: pd.DataFrame) -> pd.Series:
    fol = pd.Series(profiles["followers"].to_numpy(), index=profiles["username"])
    er = (posts["likes"] + posts["comments"]) / posts["username"].map(fol)
    return er.groupby(posts["username"]).median()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="100K creators, 1M posts")
    ap.add_argument("--creators", type=int, default=None)
    ap.add_argument("--posts", type=int, default=None)
    args = ap.parse_args()
    n_c = args.creators or (100_000 if args.quick else 1_000_000)
    n_p = args.posts or (1_000_000 if args.quick else 10_000_000)
    print(
        f"machine: {platform.processor() or platform.machine()}, cpus={os.cpu_count()}, "
        f"python {sys.version.split()[0]}, pandas {pd.__version__}"
    )
    t0 = time.perf_counter()
    profiles, posts = make_data(n_c, n_p)
    print(f"generated {n_c:,} creators and {n_p:,} posts in {time.perf_counter() - t0:.1f} s")

    t0, c0 = time.perf_counter(), time.process_time()
    base = baseline(profiles, posts)
    t_base, cpu_base = time.perf_counter() - t0, time.process_time() - c0
    print(f"baseline (pandas groupby median ER only): {t_base:.1f} s wall, {cpu_base:.1f} s CPU")

    t0, c0 = time.perf_counter(), time.process_time()
    out = score_creators(profiles, posts)
    t_full, cpu_full = time.perf_counter() - t0, time.process_time() - c0
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"micromix score_creators (all fields):    {t_full:.1f} s wall, {cpu_full:.1f} s CPU "
        f"({n_p / t_full:,.0f} posts/s, {n_c / t_full:,.0f} creators/s)"
    )
    print(
        f"ratio micromix / baseline: {t_full / t_base:.1f}x wall, {cpu_full / cpu_base:.1f}x CPU "
        f"(baseline computes 1 of "
        f"{out.shape[1] - 1} output fields)"
    )
    print(f"peak memory (max RSS): {peak_gib:.2f} GiB")
    print(
        f"load average during the run (1/5/15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(
        f"target: {n_c:,} creators + {n_p:,} posts under 120 s -> "
        f"{'met' if t_full < 120 else 'NOT met'} ({t_full:.1f} s)"
    )
    agree = np.isclose(
        out.set_index("username")["engagement_rate"].reindex(base.index).to_numpy(),
        base.to_numpy(),
        equal_nan=True,
    ).mean()
    print(
        f"engagement_rate equal to the all-posts baseline: {agree:.1%} of creators "
        "(the others have more than 12 posts; micromix uses the last 12)"
    )
    print(
        out.groupby("tier", observed=True)["engagement_rate"]
        .median()
        .rename("median ER by tier")
        .to_string()
    )


if __name__ == "__main__":
    main()
