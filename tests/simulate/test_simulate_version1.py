"""Simulator version 2 keeps version 1's market: ``repeat=None`` reproduces it exactly, and the
repeat purchases change nothing but purchases.

The fingerprints below were computed from micromix's simulator before the per-entity rewrite
(main at 455f474) with :func:`fingerprint`; the rewrite must reproduce them bit for bit.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from micromix.simulate import SIMULATOR_VERSION, SimConfig, simulate

#: ground_truth columns of version 1 (version 2 adds the incremental_repeat_* columns)
V1_TRUTH = [
    "week",
    "channel",
    "strategy",
    "platform",
    "targeting",
    "creator_tier",
    "spend",
    "impressions",
    "attributed_conversions",
    "attributed_revenue",
    "incremental_conversions",
    "incremental_revenue",
]
V1 = {
    (1_500, 14, 5): {
        "events": "93db71e0bed10bdd",
        "ad_performance": "50b26ae1059f5dcc",
        "posts": "2ffdacdef8eea46e",
        "creators": "4762bfabc9f8194d",
        "audience": "bc025e75d9f0661c",
        "experiments": "3a14903ab8bbf257",
        "ground_truth": "d7f56dbbb6504792",
        "surges": "3da213224d82256a",
    },
    (4_000, 21, 11): {
        "events": "eafa24c223c85f11",
        "ad_performance": "e4bef3eadea38291",
        "posts": "71ca1db88e1782be",
        "creators": "2e321b95f10652d2",
        "audience": "91e110c2882f12ac",
        "experiments": "9bfb69c32bc5f917",
        "ground_truth": "1c9f00ae2a0624db",
        "surges": "71c0dcac33c34548",
    },
    (2_500, 35, 21): {
        "events": "cd0e27022cb67084",
        "ad_performance": "4ca329c31da3fe81",
        "posts": "1301d22cf48f97e0",
        "creators": "898250e655a2db37",
        "audience": "e68e2f802717ebed",
        "experiments": "e099c763536fc158",
        "ground_truth": "4f17eddcc1fd520a",
        "surges": "61e10f5256dee7ec",
    },
}


def fingerprint(data: pa.Table | pd.DataFrame) -> str:
    """A hash of a table's values (dictionary and categorical columns by their labels)."""
    if isinstance(data, pa.Table):
        cols = {}
        for name in data.column_names:
            col = data.column(name)
            if pa.types.is_dictionary(col.type):
                col = col.cast(col.type.value_type)
            cols[name] = col.to_pandas()
        df = pd.DataFrame(cols)
    else:
        df = data
    h = hashlib.sha256()
    for name in df.columns:
        s = df[name]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        h.update(str(name).encode())
        h.update(pd.util.hash_pandas_object(s, index=False).to_numpy().tobytes())
    h.update(str(len(df)).encode())
    return h.hexdigest()[:16]


@pytest.mark.parametrize("size", sorted(V1))
def test_repeat_none_reproduces_version_1(size):
    users, days, seed = size
    m = simulate(SimConfig(users=users, days=days, seed=seed, repeat=None))
    got = {}
    for name, table in m.tables().items():
        if name in ("clv_truth", "clv_profiles"):
            assert len(table) == 0
            continue
        got[name] = fingerprint(table[V1_TRUTH] if name == "ground_truth" else table)
    assert got == V1[size]
    assert (m.ground_truth["incremental_repeat_conversions"] == 0).all()
    assert SIMULATOR_VERSION == 2 and m.version == 2


def _without_purchases(events: pa.Table) -> pd.DataFrame:
    df = events.drop_columns(["event_id"]).to_pandas()
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = df[c].astype(object)
    keep = ~df["event_type"].isin(["purchase", "add_to_cart"])
    return df[keep].reset_index(drop=True)


def test_repeat_purchases_change_only_purchases():
    cfg = SimConfig(users=3_000, days=21, seed=4)
    with_repeat = simulate(cfg)
    without = simulate(cfg.with_(repeat=None))
    pd.testing.assert_frame_equal(
        _without_purchases(with_repeat.events), _without_purchases(without.events)
    )
    for name in ("creators", "audience", "posts", "surges"):
        pd.testing.assert_frame_equal(getattr(with_repeat, name), getattr(without, name))
    same = ["date", "campaign_id", "impressions", "reach", "clicks", "engagements", "spend"]
    pd.testing.assert_frame_equal(with_repeat.ad_performance[same], without.ad_performance[same])
    # the direct effect of the ads is the same; repeat purchases only add to it
    a, b = with_repeat.ground_truth, without.ground_truth
    direct = a["incremental_conversions"] - a["incremental_repeat_conversions"]
    np.testing.assert_allclose(direct, b["incremental_conversions"], rtol=1e-12)
    assert with_repeat.ground_truth["incremental_repeat_conversions"].sum() > 0
    # customers' later baseline purchases are replaced by their repeat purchases
    ev = with_repeat.events.to_pandas()
    p = ev[ev["event_type"] == "purchase"]
    first = p.groupby("user_id", observed=True)["ts"].min()
    truth = with_repeat.clv_truth.set_index("user_id")
    assert set(first.index.astype(str)) == set(truth.index)
    assert (first.reindex(truth.index) == truth["acquired_at"]).all()
