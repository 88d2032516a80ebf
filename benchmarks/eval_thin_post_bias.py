"""Evaluation: do creators with one or two posts get an edge from the skew of their posts?

Creators of one tier (20K followers) have true median rates ``theta ~ Beta(4, 96)`` (about
4%) and 1, 2, 3, 6 or 12 posts (a fifth each), each post's rate ``theta * exp(sigma Z)``:
log-normal around the creator's median with coefficient of variation ``--cv`` (0.6, as Kim et
al. 2020 measured).  ``score_creators`` shrinks each creator's median rate; since every group
has the same true medians, a group whose shrunk rates average above its true medians is
favoured in the ranking.  Prints, per number of posts, the mean relative bias
``mean(x) / mean(theta) - 1`` over ``--draws`` seeded cohorts of the median shown, of the
median put on the true median's scale (``engagement_rate / skew_bias(n, post_cv^2)``, what the
shrinkage starts from) and of the shrunk rate, and the edge of one- and two-post creators over
twelve-post ones.

Run ``python benchmarks/eval_thin_post_bias.py`` (with ``PYTHONPATH=src`` in a worktree); on a
checkout without ``skew_bias`` (the figures before it) the middle column is left out.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from micromix.influencers import shrinkage
from micromix.influencers.scoring import score_creators

POSTS = (1, 2, 3, 6, 12)


def cohort(seed: int, creators: int, cv: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Profiles, posts and the true median rate per creator."""
    rng = np.random.default_rng(seed)
    sigma = np.sqrt(np.log1p(cv**2))
    names = [f"c{i:05d}" for i in range(creators)]
    theta = pd.Series(rng.beta(4, 96, creators), index=names)
    n = np.resize(POSTS, creators)
    followers = 20_000.0
    rows = [
        {"username": c, "likes": round(t * np.exp(sigma * z) * followers), "comments": 0}
        for c, t, k in zip(names, theta, n)
        for z in rng.standard_normal(k)
    ]
    profiles = pd.DataFrame(
        {"username": names, "followers": followers, "following": 500, "posts": 300}
    )
    return profiles, pd.DataFrame(rows), theta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=40)
    ap.add_argument("--creators", type=int, default=500)
    ap.add_argument("--cv", type=float, default=0.6)
    args = ap.parse_args()
    skew_bias = getattr(shrinkage, "skew_bias", None)
    cols = ("engagement_rate", "scaled", "engagement_rate_shrunk")
    got: dict[str, dict[int, list[float]]] = {c: {k: [] for k in POSTS} for c in cols}
    truth: dict[int, list[float]] = {k: [] for k in POSTS}
    for seed in range(args.draws):
        profiles, posts, theta = cohort(seed, args.creators, args.cv)
        out = score_creators(profiles, posts).set_index("username")
        k2 = out.attrs["engagement_prior"][0]["post_cv"] ** 2
        n = out["n_posts_used"].to_numpy()
        scale = skew_bias(n, k2) if skew_bias is not None else np.nan
        out["scaled"] = out["engagement_rate"] / scale
        for k in POSTS:
            at = out.index[n == k]
            for c in cols:
                got[c][k].append(out.loc[at, c].mean())
            truth[k].append(theta[at].mean())
    print(f"{args.draws} cohorts of {args.creators} creators, posts varying by cv {args.cv}")
    print("posts  median shown  on median scale  shrunk (sd over cohorts)")
    bias = {c: {k: np.array(got[c][k]) / np.array(truth[k]) - 1 for k in POSTS} for c in cols}
    for k in POSTS:
        shown, scaled, shrunk = (bias[c][k] for c in cols)
        print(
            f"{k:5d}  {shown.mean():+12.1%}  {scaled.mean():+15.1%}  "
            f"{shrunk.mean():+6.1%} ({shrunk.std(ddof=1):.1%})"
        )
    for k in (1, 2):
        edge = bias["engagement_rate_shrunk"][k] - bias["engagement_rate_shrunk"][12]
        se = edge.std(ddof=1) / np.sqrt(len(edge))
        print(f"edge of {k}-post over 12-post creators: {edge.mean():+.1%} (se {se:.1%})")


if __name__ == "__main__":
    main()
