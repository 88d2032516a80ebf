"""Tiers, engagement formulas, niche, cost and discovery on small generated data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import micromix.influencers as inf
from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError
from micromix.influencers import (
    Brief,
    CostAssumptions,
    EngagementSpec,
    TierScheme,
    assign_tiers,
    compare_cohorts,
    creator_engagement,
    discover,
    estimate_rate,
    get_tier_scheme,
    niche_profile,
    score_creators,
)
from micromix.influencers.columns import canonical_profiles


def test_public_surface_sorted_and_importable():
    assert list(inf.__all__) == sorted(
        inf.__all__, key=lambda s: (not s.isupper(), not s[0].isupper(), s)
    )
    for name in inf.__all__:
        assert hasattr(inf, name)


def test_default_tiers_and_boundaries():
    t = assign_tiers([999, 1_000, 9_999, 10_000, 99_999, 100_000, 999_999, 1_000_000, np.nan])
    assert t.tolist()[:8] == [
        "below_nano",
        "nano",
        "nano",
        "micro",
        "micro",
        "macro",
        "macro",
        "mega",
    ]
    assert pd.isna(t.iloc[8])


def test_marketing_preset_and_custom_scheme_roundtrip():
    assert assign_tiers([2_000, 50_000, 200_000], "marketing").tolist() == [
        "micro",
        "micro",
        "macro",
    ]
    s = TierScheme(names=("small", "big"), lower_bounds=(0, 500), lookup_name="mine")
    assert TierScheme.from_dict(s.to_dict()) == s
    assert assign_tiers([10, 600], s).tolist() == ["small", "big"]


def test_bad_tier_schemes_name_the_problem():
    with pytest.raises(ConfigError, match="strictly increasing"):
        TierScheme(names=("a", "b"), lower_bounds=(10, 5))
    with pytest.raises(ConfigError, match="unknown"):
        get_tier_scheme("giant")


@pytest.mark.parametrize(
    "col",
    [
        "followers",
        "userFollowerCount",
        "#Followers",
        "followers_count",
        "Follower_Count",
        "FOLLOWERS",
    ],
)
def test_follower_aliases(col):
    df = pd.DataFrame({"Handle": ["x"], col: ["12.5K"]})
    out = canonical_profiles(df)
    assert out["followers"].iloc[0] == 12_500.0
    assert out["creator_id"].iloc[0] == "x"


def test_negative_followers_rejected():
    with pytest.raises(DataValidationError, match="negative"):
        canonical_profiles(pd.DataFrame({"username": ["a"], "followers": [-5]}))


def _posts() -> pd.DataFrame:
    # creator a: 14 posts, the two oldest are huge outliers outside last_n=12
    ts = pd.date_range("2024-01-01", periods=14, freq="D")
    likes = [5000, 5000] + [100] * 11 + [300]
    a = pd.DataFrame(
        {
            "username": "a",
            "likes": likes,
            "comments": [0] * 14,
            "ts": ts,
            "caption": ["walk"] * 13 + ["new treats #ad"],
        }
    )
    b = pd.DataFrame(
        {
            "username": ["b", "b"],
            "likes": [10, 30],
            "comments": [0, 0],
            "ts": ts[:2],
            "caption": ["x", "y"],
        }
    )
    return pd.concat([a, b], ignore_index=True)


def test_engagement_formulas_last_n_mean_median_and_sponsored_split():
    er = creator_engagement(_posts(), {"a": 1000, "b": 100}, spec=EngagementSpec(last_n=12))
    a = er.loc["a"]
    assert a["n_posts"] == 12
    assert a["engagement_rate_median"] == pytest.approx(0.1)
    assert a["engagement_rate_mean"] == pytest.approx((11 * 100 + 300) / 12 / 1000)
    assert a["n_sponsored"] == 1
    assert a["er_sponsored_median"] == pytest.approx(0.3)
    assert a["er_organic_median"] == pytest.approx(0.1)
    assert a["sponsored_vs_organic"] == pytest.approx(3.0)
    assert er.loc["b", "engagement_rate_median"] == pytest.approx(0.2)


def test_view_based_engagement():
    posts = pd.DataFrame(
        {
            "author": ["t", "t"],
            "likes": [50, 70],
            "comments": [10, 10],
            "shares": [40, 20],
            "play_count": [1000, 2000],
        }
    )
    er = creator_engagement(posts, {"t": 10_000})
    assert er.loc["t", "view_engagement_rate_median"] == pytest.approx((0.1 + 0.05) / 2)
    assert er.loc["t", "view_rate_median"] == pytest.approx(0.15)


def test_engagement_requires_an_author_column():
    with pytest.raises(ColumnNotFoundError, match="author"):
        creator_engagement(pd.DataFrame({"likes": [1]}))


def test_niche_from_captions_and_concentration():
    posts = pd.DataFrame(
        {
            "author_id": ["a", "a", "a", "b"],
            "text": ["#dogsofinstagram at the park", "puppy treats", "ootd", "#foodie brunch"],
        }
    )
    prof = niche_profile(posts)
    assert prof.loc["a", "niche"] == "pet"
    assert prof.loc["a", "niche_concentration"] == pytest.approx(2 / 3)
    assert prof.loc["b", "niche"] == "food"


def test_cost_formula_and_overrides():
    base = estimate_rate([20_000], [0.025], ["instagram"])[0]
    assert base == pytest.approx(200.0)
    # four times the tier's benchmark engagement doubles the price
    assert estimate_rate([20_000], [0.1], ["instagram"])[0] == pytest.approx(400.0)
    a = CostAssumptions.from_dict({"rate_per_1k": {"instagram": 20.0}})
    assert estimate_rate([20_000], [0.025], ["instagram"], assumptions=a)[0] == pytest.approx(400.0)
    assert estimate_rate([100], None, None)[0] == pytest.approx(25.0)  # minimum fee
    with pytest.raises(ConfigError, match="unknown cost assumption"):
        CostAssumptions.from_dict({"price": 3})


def _profiles(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(3, 6.5, n))
    return pd.DataFrame(
        {
            "username": [f"c{i}" for i in range(n)],
            "followers": followers,
            "following": rng.integers(100, 1500, n),
            "posts": rng.integers(100, 3000, n),
            "engagement_rate": np.clip(
                0.08 * (followers / 1000) ** -0.25 * rng.lognormal(0, 0.2, n), 0.003, 0.2
            ),
            "category": rng.choice(["pet", "beauty", "fitness"], n),
            "profile_pic": 1,
            "country": rng.choice(["US", "UK"], n),
        }
    )


def test_score_contract_columns_and_identifier_kept():
    out = score_creators(_profiles())
    assert out.columns[0] == "username"
    for c in inf.CONTRACT_COLUMNS:
        assert c in out.columns
    assert out["authenticity"].between(0, 1).all()
    np.testing.assert_allclose(out["authenticity"] + out["fake_probability"], 1.0)
    exp = out["est_cost_per_post"] / (out["followers"] * out["engagement_rate"])
    np.testing.assert_allclose(out["cost_per_engagement"], exp)


def test_score_leaves_cells_empty_where_inputs_are_missing():
    out = score_creators(pd.DataFrame({"id": [1, 2], "Followers": [5_000, None]}))
    assert out["tier"].iloc[0] == "nano" and pd.isna(out["tier"].iloc[1])
    assert pd.isna(out["engagement_rate"]).all()
    assert pd.isna(out["fake_probability"].iloc[1])
    assert pd.isna(out["cost_per_engagement"]).all()


def test_discover_respects_budget_filters_and_gives_reasons():
    scored = score_creators(_profiles(200))
    brief = Brief(niche="pets", budget=5_000, country="US", min_authenticity=0.5, top=50)
    pick = discover(scored, brief)
    assert len(pick) > 0
    assert pick["est_cost_per_post"].sum() <= 5_000
    assert (pick["niche"] == "pet").all()
    assert pick["reasons"].str.contains("fits 'pet'").all()
    assert pick["value_per_dollar"].is_monotonic_decreasing
    ids = set(pick["username"])
    assert set(scored.loc[scored["country"] != "US", "username"]).isdisjoint(ids)


def test_micro_beats_macro_on_cost_per_engagement_with_inverse_curve():
    cmp_ = compare_cohorts(
        score_creators(_profiles(300, seed=1)), Brief(niche="pet", budget=50_000)
    )
    micro, macro = cmp_.iloc[0], cmp_.iloc[1]
    assert micro["cost_per_engagement"] < macro["cost_per_engagement"]
    assert macro["reach"] > 0 and micro["expected_conversions"] > 0


def test_a_cohort_that_hires_no_one_says_why():
    """Mega accounts only, each over the budget: no micro creator at all, and the cheapest
    macro+ one over the budget - said, not shown as a row of zeros."""
    prof = _profiles(40, seed=3).assign(followers=lambda d: d["followers"] + 2_000_000)
    brief = Brief(niche="pet", budget=500)
    cmp_ = compare_cohorts(score_creators(prof), brief)
    assert cmp_["creators"].tolist() == [0, 0]
    note = cmp_.attrs["note"]
    assert note.startswith("No micro creator fits the brief; the cheapest macro+ creator costs")
    assert note.endswith("over the budget of US$500 (creator prices are estimated in US dollars).")
    fine = compare_cohorts(
        score_creators(_profiles(300, seed=1)), Brief(niche="pet", budget=50_000)
    )
    assert "note" not in fine.attrs


def test_brief_validation():
    with pytest.raises(ConfigError, match="budget"):
        Brief(niche="pet", budget=0)
    with pytest.raises(ConfigError, match="niche"):
        Brief(niche="underwater basket weaving", budget=10)


def test_report_tables_for_the_html_report():
    scored = score_creators(_profiles(120, seed=2))
    tabs = inf.creator_report_tables(scored, Brief(niche="pet", budget=3_000))
    assert set(tabs) == {"top_creators", "micro_vs_macro", "tiers"}
    tiers = tabs["tiers"].set_index("tier")
    assert tiers["creators"].sum() == 120
    assert list(tiers.index) == [t for t in ["nano", "micro", "macro", "mega"] if t in tiers.index]
    assert tiers.loc["nano", "engagement_rate"] > tiers.loc["mega", "engagement_rate"]


def test_simulated_market_tables_score_without_renaming():
    sim = pytest.importorskip("micromix.simulate")
    m = sim.simulate(sim.SimConfig(users=500, days=7, seed=3))
    out = score_creators(m.creators, m.posts)
    assert out.columns[0] == "creator_id"
    assert len(out) == len(m.creators)
    assert out["tier"].notna().all() and out["authenticity"].between(0, 1).all()


def test_kaggle_top_influencer_style_strings_and_identifier():
    df = pd.DataFrame(
        {
            "rank": [1, 2],
            "channel_info": ["cristiano", "kyliejenner"],
            "followers": ["475.8m", "366.2m"],
            "posts": ["3.3k", "6.9k"],
            "avg_likes": ["8.7m", "8.3m"],
            "60d_eng_rate": ["1.39%", None],
        }
    )
    out = score_creators(df)
    assert out.columns[0] == "channel_info"
    assert out["tier"].tolist() == ["mega", "mega"]
    # a stated rate wins; otherwise average likes / followers
    assert out["engagement_rate"].tolist() == pytest.approx([0.0139, 8.3e6 / 366.2e6])


def test_unrecognised_profile_table_is_a_clear_error():
    with pytest.raises(DataValidationError, match="no creator fields"):
        score_creators(pd.DataFrame({"colour": ["red"], "size": [3]}))
