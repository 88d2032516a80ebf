from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from micromix.audience.fairness import fairness_audit
from micromix.audience.segments import ClusterSegmenter, rfm_table, segment_profiles
from micromix.checks import Status
from micromix.errors import ColumnNotFoundError, ConfigError


def test_disparate_impact_is_flagged_below_the_80_percent_rule():
    df = pd.DataFrame(
        {
            "gender": ["f"] * 100 + ["m"] * 100,
            "selected": [1] * 30 + [0] * 70 + [1] * 60 + [0] * 40,
            "uplift": [0.01] * 100 + [0.02] * 100,
        }
    )
    rep = fairness_audit(df, "gender")
    assert rep.disparate_impact == pytest.approx(0.5)
    assert rep.parity_difference == pytest.approx(0.3)
    assert rep.flagged
    g = rep.groups.set_index("group")
    assert g.loc["f", "selection_rate"] == pytest.approx(0.3)
    assert g.loc["m", "mean_uplift"] == pytest.approx(0.02)
    fair = df.assign(selected=[1] * 50 + [0] * 50 + [1] * 55 + [0] * 45)
    rep2 = fairness_audit(fair, "gender")
    assert not rep2.flagged and rep2.disparate_impact == pytest.approx(50 / 55)


def test_protected_attribute_used_as_feature_fails():
    df = pd.DataFrame({"gender": ["f", "m"] * 50, "selected": [1, 1] * 50})
    rep = fairness_audit(df, "gender", features=["gender", "recency"])
    assert any(c.status is Status.FAIL for c in rep.checks)
    with pytest.raises(ColumnNotFoundError, match="not found"):
        fairness_audit(df, "race")


def test_rfm_scores_and_segments():
    rng = np.random.default_rng(0)
    rows = []
    for i in range(200):
        n = 1 + (i % 10)
        last = 1 if i < 50 else 300
        for j in range(n):
            rows.append(
                {
                    "user_id": f"c{i}",
                    "ts": pd.Timestamp("2026-06-30") - pd.Timedelta(days=last + 5 * j),
                    "revenue": float(rng.gamma(2, 20)),
                }
            )
    tx = pd.DataFrame(rows)
    rfm = rfm_table(tx, now="2026-07-01")
    assert len(rfm) == 200 and set(rfm["r_score"]) <= {1, 2, 3, 4, 5}
    recent = rfm[rfm["user_id"].isin([f"c{i}" for i in range(50)])]
    assert recent["r_score"].min() >= 4
    assert "champions" in set(rfm["segment"])
    with pytest.raises(ConfigError, match="bins"):
        rfm_table(tx, bins=1)


@pytest.mark.parametrize("method, k", [("kmeans", 2), ("gmm", "auto")])
def test_clusters_find_planted_segments(method, k):
    rng = np.random.default_rng(1)
    a = pd.DataFrame(
        {"spend": rng.normal(100, 5, 300), "visits": rng.normal(2, 0.5, 300), "region": "north"}
    )
    b = pd.DataFrame(
        {"spend": rng.normal(20, 5, 300), "visits": rng.normal(10, 0.5, 300), "region": "south"}
    )
    df = pd.concat([a, b], ignore_index=True)
    seg = ClusterSegmenter(method=method, n_segments=k).fit(df, ["spend", "visits", "region"])
    assert seg.n_segments_ == 2
    assert len(set(seg.labels_[:300])) == 1 and len(set(seg.labels_[300:])) == 1
    prof = segment_profiles(df, seg.labels_, features=["spend", "visits"], kpis=["spend"])
    assert prof["size"].tolist() == [300, 300]
    assert "sd" in prof["distinguishing"].iloc[0]
    assert np.array_equal(seg.predict(df), seg.labels_)
    assert ClusterSegmenter.from_dict(seg.to_dict()).get_params() == seg.get_params()
