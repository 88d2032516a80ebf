"""A spreadsheet's total row ("Total" with the sum of the followers) is not a mega creator."""

from __future__ import annotations

import pandas as pd

from micromix.influencers import Brief, discover, score_creators


def _profiles(last: str, followers: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "handle": ["a", "b", "c", last],
            "followers": [20_000, 30_000, 1_200_000, followers],
            "following": [300, 300, 300, 900],
            "engagement_rate": [0.04, 0.03, 0.01, 0.012],
        }
    )


def test_a_total_row_is_left_out_with_a_note():
    scored = score_creators(_profiles("Grand Total", 1_250_000), source="list.csv")
    assert scored["handle"].tolist() == ["a", "b", "c"]
    assert "mega" in scored["tier"].tolist() and len(scored) == 3
    said = [n for n in scored.attrs["notes"] if "total" in n]
    assert said == [
        "list.csv: row 4 'Grand Total' is the list's total (1,250,000 followers, the sum of "
        "the other rows), not a creator, so it is left out of the scores"
    ]
    picked = discover(scored, Brief(niche=None, budget=1e6))
    assert "Grand Total" not in picked["handle"].tolist()


def test_a_creator_called_total_is_kept():
    scored = score_creators(_profiles("@total", 45_000), source="list.csv")
    assert scored["handle"].tolist() == ["a", "b", "c", "@total"]
    assert not any("list's total" in n for n in scored.attrs.get("notes", []))
