"""Discovery's pick: the total expected engagements come with an interval from draws of each
pick's rate (not the sum of the picks' low ends), and creators whose authenticity is unknown
neither pass nor fail --min-authenticity silently: they are counted and said left out or kept."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.influencers.discovery import Brief, _beta_of, discover, pick_total, why_none

runner = CliRunner()


def _picks(n: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    fol = rng.integers(5_000, 80_000, n).astype(float)
    rows = []
    for f in fol:
        a, b = rng.uniform(20, 60), rng.uniform(400, 1500)
        lo, hi = stats.beta.ppf([0.05, 0.95], a, b)
        rows.append((f, a / (a + b), lo, hi))
    df = pd.DataFrame(
        rows,
        columns=["followers", "engagement_rate_shrunk", "engagement_rate_lo", "engagement_rate_hi"],
    )
    df["engagement_rate"] = df["engagement_rate_shrunk"]
    df["expected_engagements"] = df["followers"] * df["engagement_rate_shrunk"]
    return df


def test_the_beta_behind_a_shrunk_rate_and_its_interval_is_recovered():
    a, b = 12.0, 300.0
    lo, hi = stats.beta.ppf([0.05, 0.95], a, b)
    got = _beta_of(a / (a + b), lo, hi, 0.9)
    assert got is not None
    assert got[0] == pytest.approx(a, rel=1e-6) and got[1] == pytest.approx(b, rel=1e-6)
    assert _beta_of(0.05, float("nan"), 0.1, 0.9) is None


def test_the_total_interval_comes_from_draws_not_from_adding_lows():
    picks = _picks()
    total = pick_total(picks)
    sum_lo = float((picks["followers"] * picks["engagement_rate_lo"]).sum())
    sum_hi = float((picks["followers"] * picks["engagement_rate_hi"]).sum())
    assert total["expected_engagements"] == pytest.approx(picks["expected_engagements"].sum())
    # independent creators: the total's interval is narrower than the sum of the ends
    assert sum_lo < total["lo"] < total["expected_engagements"] < total["hi"] < sum_hi
    assert total["stated"] == 0 and total["creators"] == len(picks) and total["level"] == 0.9
    # the exact spread of the sum of independent betas (followers times each)
    sd = np.sqrt(
        sum(
            f**2 * stats.beta(*_beta_of(m, lo, hi, 0.9)).var()  # type: ignore[misc]
            for f, m, lo, hi in picks[
                ["followers", "engagement_rate_shrunk", "engagement_rate_lo", "engagement_rate_hi"]
            ].itertuples(index=False)
        )
    )
    width = total["hi"] - total["lo"]
    assert width == pytest.approx(2 * 1.645 * sd, rel=0.06)
    assert pick_total(picks) == total  # seeded: the same every run


def test_a_stated_rate_counts_as_exact_and_is_counted():
    picks = _picks(3)
    picks.loc[0, ["engagement_rate_shrunk", "engagement_rate_lo", "engagement_rate_hi"]] = np.nan
    total = pick_total(picks)
    assert total["stated"] == 1 and total["lo"] < total["expected_engagements"] < total["hi"]
    empty = pick_total(picks.iloc[:0])
    assert empty["expected_engagements"] == 0.0 and empty["creators"] == 0


def _scored(auth: list[float]) -> pd.DataFrame:
    n = len(auth)
    return pd.DataFrame(
        {
            "creator_id": [f"c{i}" for i in range(n)],
            "tier": ["micro"] * n,
            "niche": ["pet"] * n,
            "followers": [20_000.0 + 1_000 * i for i in range(n)],
            "engagement_rate": [0.05 - 0.002 * i for i in range(n)],
            "authenticity": auth,
            "est_cost_per_post": [200.0] * n,
        }
    )


def test_unknown_authenticity_is_left_out_and_counted_when_others_are_scored():
    scored = _scored([0.9, np.nan, 0.8, np.nan, 0.3])
    picks = discover(scored, Brief(niche="pet", budget=10_000))
    assert picks["creator_id"].tolist() == ["c0", "c2"]
    note = picks.attrs["unknown_authenticity"]
    assert note.startswith("2 creators fitting the brief have no authenticity score")
    assert "left out" in note and "keep creators of unknown authenticity" in note
    kept = discover(scored, Brief(niche="pet", budget=10_000, keep_unknown_authenticity=True))
    assert sorted(kept["creator_id"]) == ["c0", "c1", "c2", "c3"]
    assert "kept as asked" in kept.attrs["unknown_authenticity"]
    c1 = kept.set_index("creator_id").loc["c1", "reasons"]
    assert "authenticity unknown;" in c1


def test_with_no_creator_scored_the_minimum_is_not_applied_and_that_is_said():
    scored = _scored([np.nan, np.nan])
    picks = discover(scored, Brief(niche="pet", budget=10_000))
    assert len(picks) == 2
    assert "was not applied" in picks.attrs["unknown_authenticity"]
    dropped = Brief(niche="pet", budget=10_000, keep_unknown_authenticity=False)
    assert discover(scored, dropped).empty
    assert "2 have no authenticity score" in why_none(scored, dropped)


def test_no_unknown_no_note():
    picks = discover(_scored([0.9, 0.8]), Brief(niche="pet", budget=10_000))
    assert "unknown_authenticity" not in picks.attrs
    assert picks.attrs["total"]["creators"] == 2


def test_cli_discover_says_the_total_with_its_interval_and_the_unknowns(tmp_path):
    prof = tmp_path / "cr.csv"
    prof.write_text(
        "username,followers,following,category\na,20000,300,pets\nb,30000,,pets\nc,25000,400,pets\n"
    )
    posts = tmp_path / "posts.csv"
    rows = ["username,likes,comments,caption"]
    for user, likes in (("a", [900, 1100, 1000, 950]), ("b", [1500, 1400]), ("c", [700, 800])):
        rows += [f"{user},{k},20,my dog and cat at the vet" for k in likes]
    posts.write_text("\n".join(rows) + "\n")
    args = ["creators", "discover", "-i", str(prof), "--posts", str(posts), "--budget", "5000"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "1 creator fitting the brief has no authenticity score" in out
    assert "pass --keep-unknown-authenticity" in out
    assert "total expected engagements of the 2 picks:" in out and "90% interval" in out
    res = runner.invoke(app, [*args, "--keep-unknown-authenticity", "--json"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert [r["username"] for r in obj["selected"]].count("b") == 1
    total = obj["total_expected_engagements"]
    assert total["creators"] == 3 and total["lo"] < total["expected_engagements"] < total["hi"]
    assert "kept as asked" in obj["unknown_authenticity"]
