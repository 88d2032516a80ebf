from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micromix.errors import ConfigError, DataValidationError
from micromix.schema import AD_PERFORMANCE, EVENTS, SCHEMAS, Field, parse_timestamps, schema_for


def test_every_contract_key_is_a_field():
    for s in SCHEMAS.values():
        assert set(s.key) <= set(s.columns)
        assert s.describe()["column"].tolist() == s.columns


def test_schema_for_kinds_and_errors():
    assert schema_for("ads") is AD_PERFORMANCE
    with pytest.raises(ConfigError, match="unknown data kind"):
        schema_for("tweets")
    with pytest.raises(ConfigError, match="dtype"):
        Field("x", "money")  # type: ignore[arg-type]


def test_validate_quarantines_each_bad_row_with_reason():
    raw = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e1", "e5", None],
            "ts": [
                "2024-05-01T10:00:00Z",
                "31/31/2024",
                "1714557600",
                "2024-05-01",
                "2024-05-01",
                "2024-05-01",
            ],
            "user_id": ["u", "u", "u", "u", "u", "u"],
            "event_type": ["click", "click", "click", "click", "zap", "click"],
            "cost": ["1.5", "1", "-2", "1", "2", "1"],
        }
    )
    res = EVENTS.validate(raw, rows=[2, 3, 4, 5, 6, 7], source="f.csv")
    assert res.accepted["event_id"].tolist() == ["e1"]
    q = res.quarantine.set_index("row")
    assert q.loc[3, "field"] == "ts" and "not a valid date" in q.loc[3, "reason"]
    assert q.loc[4, "field"] == "cost" and ">= 0" in q.loc[4, "reason"]
    assert "duplicate key" in q.loc[5, "reason"] and "line 2" in q.loc[5, "reason"]
    assert q.loc[6, "field"] == "event_type"
    assert q.loc[7, "field"] == "event_id" and "missing" in q.loc[7, "reason"]
    assert (q["source"] == "f.csv").all()
    assert '"event_id": "e2"' in q.loc[3, "record"]  # the raw record is kept


def test_missing_required_column_is_a_file_level_error():
    with pytest.raises(DataValidationError, match="required column"):
        EVENTS.validate(pd.DataFrame({"event_id": ["a"]}), source="x.csv")


def test_parse_timestamps_epoch_units_and_iso():
    s = parse_timestamps(
        pd.Series(
            [
                "1714557600",
                "1714557600000",
                "1714557600000000",
                "2024-05-01T10:00:00+00:00",
                "garbage",
            ]
        )
    )
    assert s.iloc[0] == s.iloc[1] == s.iloc[2] == s.iloc[3]
    assert pd.isna(s.iloc[4])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "-1", "x", "", "2.5", "1e3"]),
            st.sampled_from(["2024-01-01", "nope", "", "1700000000"]),
            st.sampled_from(["a", "b", "", "c"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_accepted_plus_quarantined_equals_rows(rows):
    raw = pd.DataFrame(
        {
            "date": [r[1] for r in rows],
            "platform": ["facebook"] * len(rows),
            "campaign_id": [r[2] for r in rows],
            "ad_id": [str(i) for i in range(len(rows))],
            "impressions": [r[0] for r in rows],
            "spend": [r[0] for r in rows],
        }
    )
    res = AD_PERFORMANCE.validate(raw, source="h.csv")
    assert len(res.accepted) + len(res.quarantine) == len(rows)
    assert (res.accepted["spend"] >= 0).all()
