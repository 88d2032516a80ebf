"""Creator rankings (HypeAuditor-style top lists): a category of several values
("Fashion|Modeling|Beauty") gets a niche, and a country of "All" (the list's scope) is no
country."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.influencers import Brief, discover, score_creators
from micromix.influencers.columns import canonical_profiles
from micromix.influencers.niche import SECONDARY_FIT, brief_fit, category_niches

runner = CliRunner()


def _ranking() -> pd.DataFrame:
    """A few rows shaped like a 'top 1000, all countries' Instagram ranking export."""
    return pd.DataFrame(
        {
            "Country": ["All"] * 6,
            "Rank": [1, 2, 3, 4, 5, 6],
            "insta_id": ["kylie", "glam", "clothes", "actor", "singer", "gymrat"],
            "Category": [
                "Fashion|Modeling|Beauty",
                "Beauty|Lifestyle",
                "Clothing|Outfits",
                "Cinema|Actors/actresses",
                "Music|Beauty",
                "Fitness|Gym",
            ],
            "Followers": [300_000, 120_000, 80_000, 90_000, 200_000, 60_000],
            "Audience Country": ["United States", "Brazil", "India", "Mexico", "Brazil", "US"],
            "Engagement avg": [9_000, 4_000, 2_500, 1_000, 6_000, 1_800],
        }
    )


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("Fashion|Modeling|Beauty", ("fashion", "beauty")),
        ("Beauty|Lifestyle", ("beauty", "lifestyle")),
        ("Clothing|Outfits", ("fashion",)),
        ("Modeling|Fashion", ("fashion",)),  # the first part that maps, not the first part
        ("Travel/Food", ("travel", "food")),
        ("pets, family", ("pet", "family")),
        ("Makeup; Skincare", ("beauty",)),  # one niche is listed once
        ("Beauty & Fashion", ("beauty", "fashion")),
        ("Sport & Fitness", ("fitness",)),  # a whole value that names a niche stays whole
        ("Food & Drink", ("food",)),
        ("Sports with a ball|Family", ("sports", "family")),
        ("Cinema|Actors/actresses", ()),
        ("Fashion", ("fashion",)),
        ("", ()),
        (None, ()),
        (float("nan"), ()),
    ],
)
def test_category_niches_split_and_map_each_part(value, want):
    assert category_niches(value) == want


def test_multi_value_categories_get_a_niche_and_declared_niches():
    scored = score_creators(_ranking()).set_index("insta_id")
    assert scored["niche"].dropna().to_dict() == {
        "kylie": "fashion",  # the first part that maps
        "glam": "beauty",
        "clothes": "fashion",
        "singer": "music",
        "gymrat": "fitness",
    }
    assert pd.isna(scored.loc["actor", "niche"])  # no part maps: no niche, not a guess
    assert scored.loc["kylie", "declared_niches"] == "fashion|beauty"
    assert scored.loc["singer", "declared_niches"] == "music|beauty"
    assert pd.isna(scored.loc["actor", "declared_niches"])


def test_a_declared_second_niche_fits_a_brief_below_a_main_one():
    scored = score_creators(_ranking())
    fit = brief_fit(scored, "beauty").set_axis(scored["insta_id"]).to_dict()
    assert fit["glam"] == 1.0
    assert fit["kylie"] == fit["singer"] == SECONDARY_FIT
    assert fit["clothes"] == fit["gymrat"] == 0.0 and pd.isna(fit["actor"])
    picked = discover(scored, Brief(niche="beauty", budget=5_000_000))
    assert set(picked["insta_id"]) == {"glam", "kylie", "singer"}
    fashion = discover(scored, Brief(niche="fashion", budget=5_000_000))
    assert set(fashion["insta_id"]) == {"kylie", "clothes"}


@pytest.mark.parametrize("scope", ["All", "Global", "worldwide", " INTERNATIONAL "])
def test_a_ranking_scope_is_no_country(scope):
    df = _ranking().assign(Country=[scope, "US", scope, "Brazil", None, scope])
    prof = canonical_profiles(df, source="top.csv")
    assert prof["country"].isna().tolist() == [True, False, True, False, True, True]
    assert prof["country"].dropna().tolist() == ["US", "Brazil"]
    assert prof.attrs["country_scope"] == {"rows": 3, "values": [scope.strip()]}
    scored = score_creators(df, source="top.csv")
    assert scored["country"].isna().sum() == 4
    note = [n for n in scored.attrs["notes"] if "scope" in n]
    assert note and note[0].startswith("top.csv: the country of 3 of 6 creators is")
    # the audience's country is not the creator's: it stays out of `country`
    assert "United States" not in set(scored["country"].dropna())


def test_a_real_country_gives_no_scope_note():
    scored = score_creators(_ranking().assign(Country="US"))
    assert set(scored["country"]) == {"US"}
    assert not any("scope" in n for n in scored.attrs.get("notes", []))


def test_cli_score_and_discover_on_a_ranking_export(tmp_path):
    f = tmp_path / "top.csv"
    _ranking().to_csv(f, index=False)
    out = tmp_path / "scored.csv"
    res = runner.invoke(app, ["creators", "score", "--input", str(f), "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "'All', a list's scope rather than a country" in res.output
    scored = pd.read_csv(out)
    assert scored["niche"].notna().sum() == 5 and scored["country"].isna().all()
    disc = runner.invoke(
        app, ["creators", "discover", "--input", str(f), "--niche", "beauty", "--budget", "5e6"]
    )
    assert disc.exit_code == 0, disc.output
    assert "glam" in disc.output and "kylie" in disc.output and "clothes" not in disc.output
