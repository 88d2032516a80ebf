"""Micro-moment summary of a store (session KPIs and surges scored against simulator truth)."""

from __future__ import annotations

from micromix.ingest.market import load_market
from micromix.moments import moment_summary
from micromix.simulate import TOPICS, SimConfig, simulate
from micromix.store import Store


def test_summary_finds_injected_surges():
    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=20_000, days=35, seed=4)))
    # the simulator's truth is keyed by its own topic list: pass it (moments knows no market)
    s = moment_summary(st, topics=TOPICS)
    assert {"know", "go", "do", "buy", "all"} <= set(s.kpis.index)
    assert s.kpis.loc["all", "sessions"] == s.sessions_tagged
    assert s.scores["recall"] >= 0.75
    assert s.scores["precision"] >= 0.5
    # without a list the topics are learned from the queries: still finds the surges
    learned = moment_summary(st)
    assert learned.scores["recall"] >= 0.75
    assert not learned.bursts.empty
