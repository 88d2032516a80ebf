"""`drop_summary_rows`: the "Total: ..." rule of ingest, for tables read outside ingest."""

from __future__ import annotations

import pandas as pd

from micromix.ingest.ads_exports import drop_summary_rows


def test_named_totals_in_any_column_are_dropped_and_labelled():
    df = pd.DataFrame(
        {
            "query": ["dog bed", "Total", "cat tree", None],
            "campaign": ["c1", "c1", " Total: Campaigns ", "Gesamt: Konto"],
            "clicks": ["1", "2", "3", "6"],
        }
    )
    kept, labels = drop_summary_rows(df)
    assert kept["query"].tolist() == ["dog bed", "Total"]  # a bare "Total" may be a name
    assert labels == ["Total: Campaigns", "Gesamt: Konto"]
    assert list(kept.index) == [0, 1]


def test_a_table_without_totals_is_returned_as_is():
    df = pd.DataFrame({"text": ["total recall", "grand total of 3"]})
    kept, labels = drop_summary_rows(df)
    assert kept is df and labels == []
    empty = pd.DataFrame()
    assert drop_summary_rows(empty) == (empty, [])
