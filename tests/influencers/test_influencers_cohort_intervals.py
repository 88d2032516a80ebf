"""Micro vs macro cohorts: each cohort's total expected engagements and cost per engagement come
with the 90% interval discovery gives its picks (pick_total: draws of each pick's rate), in the
table (``compare_cohorts``) and said by ``creators discover --compare``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.influencers.discovery import Brief, compare_cohorts, pick_total, rank_creators

runner = CliRunner()


def _scored(with_posts: bool = True) -> pd.DataFrame:
    """Scored creators on both sides of 100K followers; with posts each rate has its
    posterior interval, without them it is a stated rate."""
    rng = np.random.default_rng(7)
    fol = np.r_[rng.integers(10_000, 90_000, 12), rng.integers(150_000, 900_000, 6)].astype(float)
    rows = []
    for i, f in enumerate(fol):
        a, b = rng.uniform(15, 50), rng.uniform(500, 1500)
        lo, hi = stats.beta.ppf([0.05, 0.95], a, b)
        rows.append((f"c{i}", f, a / (a + b), lo, hi, 0.9, f * 0.01))
    df = pd.DataFrame(
        rows,
        columns=[
            "creator_id",
            "followers",
            "engagement_rate_shrunk",
            "engagement_rate_lo",
            "engagement_rate_hi",
            "authenticity",
            "est_cost_per_post",
        ],
    )
    df["engagement_rate"] = df["engagement_rate_shrunk"]
    if not with_posts:
        df = df.drop(columns=["engagement_rate_shrunk", "engagement_rate_lo", "engagement_rate_hi"])
    return df


BRIEF = Brief(niche=None, budget=6_000)


def test_each_cohort_total_has_the_interval_of_its_picks():
    cmp_ = compare_cohorts(_scored(), BRIEF)
    ranked = rank_creators(_scored(), BRIEF)
    for row, mask in zip(
        cmp_.to_dict(orient="records"),
        (ranked["followers"] < 100_000, ranked["followers"] >= 100_000),
        strict=True,
    ):
        assert row["creators"] > 0 and row["stated_rates"] == 0
        lo, eng, hi = (row[f"expected_engagements{s}"] for s in ("_lo", "", "_hi"))
        assert lo < eng < hi
        # the same greedy picks through pick_total: the interval is pick_total's, not a copy
        picks = ranked[mask.to_numpy()].sort_values("value_per_dollar", ascending=False)
        spent, take = 0.0, []
        for i, c in zip(picks.index, picks["est_cost_per_post"], strict=True):
            if spent + c <= BRIEF.budget:
                spent += c
                take.append(i)
        total = pick_total(picks.loc[take])
        assert (lo, hi) == pytest.approx((total["lo"], total["hi"]))
        cpe = row["cost_per_engagement"]
        assert row["cost_per_engagement_lo"] == pytest.approx(row["spend"] / hi)
        assert row["cost_per_engagement_hi"] == pytest.approx(row["spend"] / lo)
        assert row["cost_per_engagement_lo"] < cpe < row["cost_per_engagement_hi"]


def test_stated_rates_are_exact_and_counted():
    cmp_ = compare_cohorts(_scored(with_posts=False), BRIEF)
    for row in cmp_.to_dict(orient="records"):
        assert row["stated_rates"] == row["creators"] > 0
        assert row["expected_engagements_lo"] == row["expected_engagements_hi"]
        assert row["expected_engagements_lo"] == pytest.approx(row["expected_engagements"])


def test_a_cohort_that_hires_no_one_has_no_cost_interval():
    cmp_ = compare_cohorts(_scored(), Brief(niche=None, budget=500))  # macro+ all cost >1,500
    macro = cmp_.iloc[1]
    assert macro["creators"] == 0 and macro["expected_engagements_hi"] == 0
    assert np.isnan(macro["cost_per_engagement_lo"]) and np.isnan(macro["cost_per_engagement_hi"])


def _cli(tmp_path, *extra: str):
    df = _scored(with_posts=False).rename(columns={"creator_id": "handle"})
    df["rate"] = df["est_cost_per_post"]
    path = tmp_path / "cr.csv"
    df[["handle", "followers", "engagement_rate", "rate"]].to_csv(path, index=False)
    posts = tmp_path / "posts.csv"
    rng = np.random.default_rng(1)
    pd.DataFrame(
        [
            {"handle": h, "likes": int(f * 0.03 * rng.uniform(0.5, 1.5)), "comments": 5}
            for h, f in zip(df["handle"], df["followers"], strict=True)
            for _ in range(3)
        ]
    ).to_csv(posts, index=False)
    args = ["creators", "discover", "-i", str(path), "--posts", str(posts), "--budget", "6000"]
    res = runner.invoke(app, [*args, "--compare", *extra])
    assert res.exit_code == 0, res.output
    return res


def test_the_cli_says_each_cohort_total_with_its_interval(tmp_path):
    out = " ".join(_cli(tmp_path).output.split())
    for cohort in ("micro (<100K)", "macro+ (>=100K)"):
        assert f"{cohort}: total expected engagements of the " in out
        line = out.split(f"{cohort}: total expected engagements")[1]
        assert "(90% interval " in line.split("cost per engagement")[0]
        assert "cost per engagement US$" in line


def test_the_cli_json_has_the_cohort_intervals(tmp_path):
    obj = json.loads(_cli(tmp_path, "--json").stdout)
    for row in obj["cohorts"]:
        assert row["expected_engagements_lo"] <= row["expected_engagements"]
        assert row["expected_engagements"] <= row["expected_engagements_hi"]
        assert {"cost_per_engagement_lo", "cost_per_engagement_hi", "stated_rates"} <= set(row)
