"""Listening (mentions, share of voice, trend, EMV), disclosure detection and UGC ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.errors import ColumnNotFoundError, ConfigError
from micromix.social import (
    DEFAULT_BASELINE_NOTE,
    AdBaseline,
    AmplificationWeights,
    BrandSpec,
    ad_baseline,
    detect_mentions,
    earned_media_value,
    is_sponsored_text,
    listen,
    rank_for_amplification,
)


def _posts() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    texts = (
        ["love my @pawco bowl"] * 6
        + ["Paw Co food made him sick, late delivery again"] * 4
        + ["#barkbox is fun"] * 3
        + ["pawcoo treats are great"]
        + ["nothing to see"] * 5
        + ["@chewy delivered on time"] * 2
    )
    n = len(texts)
    return pd.DataFrame(
        {
            "Tweet_Text": texts,
            "created_at": pd.date_range("2024-03-01", periods=n, freq="12h").astype(str),
            "Like_Count": rng.integers(0, 50, n),
            "reply_count": rng.integers(0, 5, n),
        }
    )


def test_mentions_aliases_handles_hashtags_and_fuzzy():
    brand = BrandSpec("PawCo", aliases=("Paw Co",))
    m = detect_mentions(_posts()["Tweet_Text"], [brand])
    assert int(m["PawCo"].sum()) == 11
    assert int(m["PawCo_fuzzy"].sum()) == 1  # "pawcoo"
    strict = detect_mentions(
        _posts()["Tweet_Text"], [BrandSpec("PawCo", aliases=("Paw Co",), fuzzy=1.0)]
    )
    assert int(strict["PawCo"].sum()) == 10


def test_short_names_do_not_match_inside_words():
    m = detect_mentions(
        pd.Series(["I love apples", "Apple event", "#apple", "@apple hi"]), [BrandSpec("Apple")]
    )
    assert m["Apple"].tolist() == [False, True, True, True]


def test_short_names_match_only_a_doubled_letter_not_words_one_edit_away():
    # Instagram captions in Portuguese, Spanish and Italian: "mano" (bro / hand), "mago",
    # "mangio" and "manga" are one edit from "Mango" and had counted as fuzzy mentions
    texts = pd.Series(
        [
            "Show pesado com meu mano",
            "el mago de la moda",
            "oggi mangio fuori",
            "leo manga",
            "new mangoo dress",  # a letter typed twice: still a (fuzzy) mention
            "Mango sale",
        ]
    )
    m = detect_mentions(texts, [BrandSpec("Mango"), BrandSpec("Chewy")])
    assert m["Mango"].tolist() == [False, False, False, False, True, True]
    assert m["Mango_fuzzy"].tolist() == [False, False, False, False, True, False]
    chewy = detect_mentions(pd.Series(["dogs chew everything", "chewyy box"]), [BrandSpec("Chewy")])
    assert chewy["Chewy"].tolist() == [False, True]


def test_longer_names_keep_dropped_added_and_changed_letters():
    texts = pd.Series(["primak haul", "primarkk bags", "Primark again", "primarks everywhere"])
    m = detect_mentions(texts, [BrandSpec("Primark")])
    assert m["Primark"].tolist() == [True, True, True, False]  # "primarks": an inflection
    assert m["Primark_fuzzy"].tolist() == [True, True, False, False]
    long = detect_mentions(pd.Series(["barkbax came", "barkbx came"]), [BrandSpec("BarkBox")])
    assert long["BarkBox_fuzzy"].tolist() == [False, True]  # 0.857 < 0.86; 0.923


def test_amplify_does_not_rank_a_word_one_letter_from_a_short_brand():
    posts = pd.DataFrame(
        {
            "author_id": ["a", "b"],
            "text": ["Show pesado com meu mano", "my new Mango jacket"],
            "likes": [50, 10],
        }
    )
    ranked = rank_for_amplification(posts, BrandSpec("Mango"))
    assert ranked["author_id"].tolist() == ["b"]
    assert "explicit brand mention" in ranked["reasons"].iloc[0]


def test_listen_share_of_voice_trend_and_emv():
    res = listen(
        _posts(),
        BrandSpec("PawCo", aliases=("Paw Co",)),
        [BrandSpec("BarkBox"), BrandSpec("Chewy")],
        freq="D",
    )
    sov = res.share_of_voice.set_index("brand")
    assert sov["mentions"].to_dict() == {"PawCo": 11, "BarkBox": 3, "Chewy": 2}
    assert sov["share"].sum() == pytest.approx(1.0)
    assert (sov["emv"] > 0).all()
    trend = res.sentiment_trend
    assert trend["mentions"].sum() == 11
    assert trend["share_negative"].between(0, 1).all()
    # the "sick, late delivery" posts drag the brand's mean sentiment below BarkBox's
    assert sov.loc["PawCo", "mean_sentiment"] < sov.loc["BarkBox", "mean_sentiment"]
    d = res.to_dict()
    assert d["brand"] == "PawCo" and len(d["share_of_voice"]) == 3


@pytest.mark.parametrize("freq", ["W", "MS", "M"])
def test_listen_weekly_and_monthly_trends(freq):
    res = listen(_posts(), BrandSpec("PawCo", aliases=("Paw Co",)), freq=freq)
    assert res.sentiment_trend["mentions"].sum() == 11
    assert res.volume["PawCo"].sum() == 11


def test_listen_errors():
    with pytest.raises(ConfigError, match="freq"):
        listen(_posts(), BrandSpec("PawCo"), freq="fortnight")
    with pytest.raises(ColumnNotFoundError, match="text"):
        listen(pd.DataFrame({"likes": [1]}), BrandSpec("X"))
    with pytest.raises(ConfigError, match="distinct"):
        listen(_posts(), BrandSpec("PawCo"), [BrandSpec("PawCo")])
    with pytest.raises(ConfigError, match="fuzzy"):
        BrandSpec("X", fuzzy=0.1)


def test_disclosures():
    flags = is_sponsored_text(
        pd.Series(
            [
                "so good #ad",
                "#sponsored by @pawco",
                "Paid partnership with pawco",
                "use code PUP10",
                "I had an ad-free day",
                "#adventure time",
                "my dog's breakfast",
            ]
        )
    )
    assert flags.tolist() == [True, True, True, True, False, False, False]


def test_emv_formula():
    v = earned_media_value(
        pd.DataFrame(
            {
                "followers": [10_000, 0],
                "likes": [500, 0],
                "comments": [20, 0],
                "views": [np.nan, 2000],
            }
        )
    )
    assert v.tolist() == pytest.approx([2000 / 1000 * 7 + 500 * 0.02 + 20 * 0.4, 2000 / 1000 * 7])


def _ugc() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "username": ["ann", "ann", "ann", "bob", "bob", "pawco", "cat", "dan"],
            "caption": [
                "my pup LOVES @pawco treats, best ever",
                "sunday walk",
                "rainy day",
                "#ad try @pawco",
                "hello",
                "new @pawco bowl out now",
                "@pawco bowl broke after a week, no refund",
                "pawco bowl is cute",
            ],
            "likes": [300, 100, 90, 50, 40, 900, 30, 20],
            "comments": [20, 5, 5, 2, 2, 30, 8, 1],
            "taken_at_timestamp": [1_700_000_000 + i * 3600 for i in range(8)],
            "rights_granted": ["yes", "", "", "", "", "", "", "no"],
        }
    )


def test_ugc_sources_and_ranking_with_reasons():
    ranked = rank_for_amplification(_ugc(), BrandSpec("PawCo", handles=("pawco",)))
    assert set(ranked["source"]) == {"genuine"}
    assert ranked["author_id"].tolist()[0] == "ann"  # above her baseline, positive, rights recorded
    assert "bob" not in set(ranked["author_id"])  # #ad post is sponsored
    assert "pawco" not in set(ranked["author_id"])  # brand-owned
    assert ranked["amplification_score"].is_monotonic_decreasing
    cat = ranked.set_index("author_id").loc["cat"]
    assert cat["sentiment"] == "negative"
    assert "ask the author" in cat["reasons"]
    assert "rights recorded" in ranked["reasons"].iloc[0]
    np.testing.assert_allclose(
        ranked["predicted_cpc"], ranked["predicted_cpm"] / (1000 * ranked["predicted_ctr"])
    )


def test_ad_baseline_from_brand_ads_drives_predictions():
    ads = pd.DataFrame(
        {
            "Impressions": [100_000, 50_000],
            "Clicks": [1500, 500],
            "Spent": [900.0, 300.0],
            "Total_Conversion": [40, 10],
        }
    )
    base = ad_baseline(ads)
    assert base.ctr == pytest.approx(2000 / 150_000)
    assert base.cpm == pytest.approx(8.0)
    assert base.cvr == pytest.approx(50 / 2000)
    r1 = rank_for_amplification(_ugc(), BrandSpec("PawCo", handles=("pawco",)), baseline=base)
    r2 = rank_for_amplification(
        _ugc(), BrandSpec("PawCo", handles=("pawco",)), baseline=AdBaseline()
    )
    assert not np.allclose(r1["predicted_ctr"], r2["predicted_ctr"])
    with pytest.raises(ColumnNotFoundError):
        ad_baseline(pd.DataFrame({"x": [1]}))


def test_amplification_weights_validate():
    with pytest.raises(ConfigError, match="sum to 1"):
        AmplificationWeights(engagement=0.9)


def test_default_baseline_is_worded_as_a_benchmark_not_the_brands_ads():
    brand = BrandSpec("PawCo", handles=("pawco",))
    ranked = rank_for_amplification(_ugc(), brand)
    assert ranked.attrs["baseline"]["default"] is True
    assert ranked.attrs["notes"] == [DEFAULT_BASELINE_NOTE]
    assert (
        "not the brand's own ads" in DEFAULT_BASELINE_NOTE and "US dollars" in DEFAULT_BASELINE_NOTE
    )
    for reason in ranked["reasons"]:
        assert "vs 0.90% typical paid social (default benchmark), CPA US$" in reason
        assert "brand ads" not in reason
    ads = pd.DataFrame({"impressions": [100_000], "clicks": [1500], "spend": [900.0]})
    own = rank_for_amplification(_ugc(), brand, baseline=ad_baseline(ads))
    assert own.attrs["baseline"]["default"] is False and "notes" not in own.attrs
    assert all("% brand ads, CPA " in r and "(currency not stated)" in r for r in own["reasons"])
    # no conversions in the export: the CVR behind the CPA is the default, and the source says so
    assert "CVR is the default 2%" in own.attrs["baseline"]["source"]
    assert not ad_baseline(ads.assign(conversions=[30])).source.count("default")


def test_report_content_section_names_the_baseline_it_used():
    from micromix.plan.evidence import ContentEvidence, Evidence
    from micromix.reports.builder import ContentCreatorsSection, ReportContext

    brand = BrandSpec("PawCo", handles=("pawco",))
    ads = pd.DataFrame({"impressions": [100_000], "clicks": [1500], "spend": [900.0]})

    def section(ranked: pd.DataFrame) -> str:
        ev = Evidence(store_path="s", n_boot=1, level=0.9, seed=0, currency="EUR")
        ev.content = ContentEvidence("pawco", ranked)
        return ContentCreatorsSection().render(ReportContext(ev))

    default = section(rank_for_amplification(_ugc(), brand))
    assert "starts from the brand&#x27;s own ads" not in default
    assert "typical paid-social figures (default benchmark: CTR 0.9%, CPM $8, CVR 2%" in default
    assert "US$ " in default and "€" not in default  # the benchmark's CPA is in US dollars
    own = section(rank_for_amplification(_ugc(), brand, baseline=ad_baseline(ads)))
    assert "starts from the brand&#x27;s own ads" in own and "default benchmark" not in own
    assert "€" in own
