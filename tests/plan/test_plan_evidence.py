"""The evidence: computed once from a store, with a sentence for every part it cannot compute."""

from __future__ import annotations

import pandas as pd
import pytest

from micromix.errors import ConfigError
from micromix.plan import PARTS, Evidence, gather_evidence, run_demo
from micromix.store import Store


@pytest.fixture(scope="module")
def evidence(small_market) -> Evidence:
    from micromix.ingest.market import load_market

    st = Store.open(":memory:")
    load_market(st, small_market)
    ev = gather_evidence(st, n_boot=30, seed=1)
    st.close()
    return ev


def test_every_part_is_computed_or_explained(evidence):
    assert evidence.parts == PARTS
    assert evidence.kpi_source == "events" and evidence.source_rows > 0
    assert set(evidence.comparisons) == {"ugc-vs-paid", "micro-vs-mass", "creator-tiers"}
    assert set(evidence.trends) == {"strategy", "platform"}
    assert evidence.kpis_by_strategy is not None and evidence.kpis_by_platform is not None
    assert evidence.quality is not None and evidence.moments is not None
    assert evidence.content is not None and evidence.content.brand == "pawsome"
    assert evidence.creators is not None and evidence.creators.brief.niche
    # 21 days cannot identify the mix model: said, not crashed
    assert evidence.mix is None and "too few" in evidence.notes["mix"]
    assert "Evidence(" in repr(evidence)


def test_creators_brief_budget_comes_from_the_influencer_spend(evidence):
    k = evidence.kpis_by_strategy.set_index("strategy")
    assert evidence.creators.brief.budget == pytest.approx(float(k.loc["influencer", "spend"]))


def test_parts_can_be_chosen_and_unknown_ones_are_refused(market_store):
    ev = gather_evidence(market_store, n_boot=20, parts=("quality",))
    assert ev.kpis is None and ev.comparisons == {} and ev.quality is not None
    with pytest.raises(ConfigError, match="unknown evidence part"):
        gather_evidence(market_store, parts=("nope",))
    with pytest.raises(ConfigError, match="unknown comparison"):
        gather_evidence(market_store, comparisons=("nope",))


def test_an_empty_store_gives_notes_not_errors():
    ev = gather_evidence(Store.open(":memory:"), n_boot=20)
    assert ev.kpis is None and "No KPIs" in ev.notes["overview"]
    assert "No events in the store" in ev.notes["comparisons"]
    assert ev.mix is None and ev.content is None and ev.moments is None
    assert ev.quality is not None


def test_precomputed_comparisons_are_used_as_given(market_store):
    from micromix.metrics.compare import compare_strategies

    res = compare_strategies(market_store, "micro-vs-mass", n_boot=20)
    ev = gather_evidence(
        market_store,
        comparisons=("micro-vs-mass",),
        parts=("comparisons",),
        results={"micro-vs-mass": res},
    )
    assert ev.comparisons["micro-vs-mass"] is res


def test_the_mix_and_its_reallocation_on_a_longer_history():
    from micromix.ingest.market import load_market
    from micromix.simulate import SimConfig, simulate

    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=5_000, days=56, seed=9)))
    ev = gather_evidence(st, n_boot=30, parts=("comparisons", "mix"))
    assert ev.mix is not None and ev.mix.truth is not None
    table = ev.mix.reallocation_table()
    assert set(table["strategy"]) <= {"paid_social", "influencer", "ugc_amplified"}
    assert table["recommended_spend"].sum() == pytest.approx(table["current_spend"].sum())
    assert isinstance(ev.mix.truth, pd.Series)


def test_run_demo_writes_the_database_and_the_truth(tmp_path):
    steps = []
    run = run_demo(
        tmp_path,
        users=600,
        days=14,
        n_boot=20,
        parts=("overview",),
        progress=lambda s, f: steps.append(f),
    )
    assert run.database.exists() and run.ground_truth.exists() and run.events > 0
    assert run.evidence.kpis is not None and steps == sorted(steps) and max(steps) <= 0.85
    with Store.open(run.database, read_only=True) as st:
        assert st.count("events") == run.events
