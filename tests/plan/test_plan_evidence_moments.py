"""The evidence's micro-moments on a simulated market are keyed by the simulator's topics."""

from __future__ import annotations

from micromix.ingest.market import load_market
from micromix.moments import moment_summary
from micromix.moments.topics import NO_TOPIC
from micromix.plan import gather_evidence
from micromix.simulate import TOPICS, SimConfig, simulate
from micromix.store import Store


def test_simulated_surges_are_scored_with_the_simulators_topics_real_data_learns_its_own():
    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=4_000, days=21, seed=5)))
    ev = gather_evidence(st, parts=("moments",), seed=5)
    assert ev.moments is not None, ev.notes
    bursts = ev.moments.bursts[ev.moments.bursts["kind"] == "burst"]
    topics = set(bursts["key"].str.split("|").str[1])
    assert topics and topics <= {*TOPICS, NO_TOPIC}, topics
    assert ev.moments.scores == moment_summary(st, seed=5, topics=TOPICS).scores
    assert ev.moments.scores["surges"] == st.count("surges")
    # without the simulator's truth the store looks like real data: topics are learned
    st.truncate("surges")
    real = gather_evidence(st, parts=("moments",), seed=5)
    assert real.moments is not None and real.moments.scores == {}
    assert real.moments.bursts.equals(moment_summary(st, seed=5).bursts)
