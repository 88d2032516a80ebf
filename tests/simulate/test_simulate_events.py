"""The compact event log and the bounded-memory paths (store, Parquet) give the same events as
the in-memory table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from micromix.errors import ConfigError
from micromix.ingest.market import load_market
from micromix.simulate import SimConfig, simulate, summarize_clv_truth
from micromix.simulate.events import US_PER_DAY, EventEncoder, EventLog
from micromix.simulate.stream import shard_seed, write_events
from micromix.store import Store


def _labels(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if c not in ("ts", "cost", "revenue"):
            out[c] = out[c].astype(object)
    return out.where(out.notna(), None)


def test_log_orders_by_time_and_keeps_ties_in_the_order_added():
    log = EventLog()
    # day-0 chunk, then a chunk spread over two days with a tie at us=5
    log.add(3, bucket=0, user=np.array([0, 1, 2]), day=0, us=np.array([9, 5, 1]), etype=0)
    log.add(
        3,
        user=np.array([3, 4, 5]),
        day=np.array([0, 1, 0]),
        us=np.array([5, US_PER_DAY + 2, 7]),
        etype=12,
        revenue=np.array([1.0, 2.0, 3.0]),
    )
    enc = EventEncoder.minimal(users=6)
    days = [b.to_pandas() for b in log.batches(enc)]
    assert [len(d) for d in days] == [5, 1]
    users = ["u0000002", "u0000001", "u0000003", "u0000005", "u0000000"]
    assert days[0]["user_id"].astype(str).tolist() == users
    assert days[1]["event_id"].tolist() == ["5"] and days[1]["revenue"].tolist() == [2.0]
    assert days[0]["session_id"].tolist()[:3] == ["200000", "100000", "300000"]
    assert log.n_events == 6 and log.n_days == 2
    with pytest.raises(ValueError, match="has 2 values for 3 events"):
        log.add(3, bucket=0, user=np.array([0, 1]), day=0, us=np.array([1, 2, 3]), etype=0)
    with pytest.raises(KeyError, match="needs column 'etype'"):
        log.add(1, bucket=0, user=0, day=0, us=1)


@pytest.fixture(scope="module")
def market():
    return simulate(SimConfig(users=3_000, days=14, seed=2, observe_days=21))


def test_batches_are_days_in_time_order(market):
    batches = list(market.event_batches())
    cfg = market.config
    assert cfg.days <= len(batches) <= cfg.total_days  # observed days may have no purchase
    table = pa.Table.from_batches(batches)
    assert table.equals(market.events)
    ts = table.column("ts").to_numpy()
    assert (np.diff(ts.astype("int64")) >= 0).all()
    assert table.column("event_id").to_pylist() == [str(i) for i in range(table.num_rows)]
    days = [pd.Timestamp(b.column("ts")[0].as_py()).normalize() for b in batches]
    assert days == sorted(set(days))
    assert market.n_events == table.num_rows


def test_schema_does_not_depend_on_the_market_size(market):
    big = simulate(SimConfig(users=40_000, days=7, seed=2))
    assert big.events_schema.equals(market.events_schema)
    assert big.events.schema.field("user_id").type.index_type == pa.int32()


@pytest.mark.parametrize("rows_per_write", [1_000_000, 1_000])
def test_store_gets_the_same_events_as_the_table(market, monkeypatch, rows_per_write):
    monkeypatch.setattr("micromix.ingest.market.ROWS_PER_WRITE", rows_per_write)
    with Store.open(":memory:") as st:
        counts = load_market(st, market)
        got = st.read("events").sort_values("event_id", key=lambda s: s.astype(int))
        assert counts["events"] == market.n_events == len(got)
        assert st.count("clv_truth") == len(market.clv_truth) > 0
        stored = summarize_clv_truth(st.read("clv_truth"))
        assert st.count("clv_profiles") == len(market.clv_profiles) > 0
    want = market.events.to_pandas()
    pd.testing.assert_frame_equal(
        _labels(got.reset_index(drop=True)), _labels(want), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        _labels(stored), _labels(summarize_clv_truth(market.clv_truth)), check_dtype=False
    )


def test_consumed_events_cannot_be_read_again():
    m = simulate(SimConfig(users=1_000, days=7, seed=1))
    n = m.n_events
    with Store.open(":memory:") as st:
        load_market(st, m, consume=True)
        assert st.count("events") == n
    with pytest.raises(ConfigError, match="consume=True"):
        _ = m.events
    with pytest.raises(ConfigError, match="consume=True"):
        next(iter(m.event_batches()))


def test_streamed_shards_equal_the_simulator(tmp_path):
    res = write_events(tmp_path, users=4_000, days=7, shard_users=2_000, seed=5)
    assert res.shards == 2
    lake = ds.dataset(tmp_path / "events", partitioning="hive").to_table().to_pandas()
    shard1 = lake[lake["user_id"].str.startswith("s0001-")].copy()
    for c in ("event_id", "user_id", "session_id"):
        shard1[c] = shard1[c].str.slice(6)
    shard1 = shard1.sort_values("event_id", key=lambda s: s.astype(int)).reset_index(drop=True)
    want = simulate(SimConfig(users=2_000, days=7, seed=shard_seed(5, 1))).events.to_pandas()
    assert (shard1["event_date"].astype(str) == shard1["ts"].dt.date.astype(str)).all()
    pd.testing.assert_frame_equal(
        _labels(shard1.drop(columns=["event_date"])), _labels(want), check_dtype=False
    )


def test_ad_reports_match_the_events(market):
    ev = market.events.to_pandas()
    ev = ev[ev["campaign_id"].notna()].copy()
    ev["date"] = ev["ts"].dt.normalize()
    ev["engagement"] = ev["event_type"].isin(["like", "comment", "share", "save"])
    g = ev.groupby(["campaign_id", "date"], observed=True)
    got = pd.DataFrame(
        {
            "clicks": g["event_type"].apply(lambda s: int((s == "click").sum())),
            "engagements": g["engagement"].sum(),
            "conversions": g["event_type"].apply(lambda s: float((s == "purchase").sum())),
        }
    )
    ap = market.ad_performance.set_index(["campaign_id", "date"])
    joined = ap.join(got, suffixes=("", "_ev"), how="inner")
    assert len(joined) == len(ap)
    for c in ("clicks", "engagements", "conversions"):
        assert (joined[c] == joined[f"{c}_ev"]).all(), c
