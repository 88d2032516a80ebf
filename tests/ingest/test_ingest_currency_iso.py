"""Ingest books money only in ISO 4217 currencies, and says when a re-ingest moves stored rows
to another currency (the same file again with another --currency)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from micromix.errors import ConfigError
from micromix.ingest import ingest_file
from micromix.store import Store


def _ads(path: Path, **extra: list[object]) -> Path:
    pd.DataFrame(
        {
            "date": ["2026-03-01", "2026-03-02", "2026-03-03"],
            "platform": ["facebook"] * 3,
            "campaign_id": ["c1", "c1", "c2"],
            "impressions": [100, 120, 90],
            "clicks": [5, 6, 4],
            "spend": [10.5, 11.0, 9.0],
            **extra,
        }
    ).to_csv(path, index=False)
    return path


def test_a_currency_option_that_is_no_iso_code_is_refused_and_nothing_written(tmp_path):
    f = _ads(tmp_path / "ads.csv")
    with Store.open(tmp_path / "s.duckdb") as st:
        with pytest.raises(ConfigError, match=r"--currency 'GPB' .*; did you mean GBP\?"):
            ingest_file(st, "ads", f, currency="GPB")
        assert not st.has_table("ad_performance") or st.count("ad_performance") == 0


def test_currency_cells_that_are_no_iso_code_quarantine_their_row(tmp_path):
    f = _ads(tmp_path / "ads.csv", currency=["GBP", "GPB", None])
    spend = pd.read_csv(f)
    spend["spend"] = spend["spend"].astype(object)
    spend.loc[2, "spend"] = "9 GPB"  # a money cell naming a typo of a currency
    spend.to_csv(f, index=False)
    with Store.open(tmp_path / "s.duckdb") as st:
        rep = ingest_file(st, "ads", f)
        assert (rep.accepted, rep.quarantined, rep.currency) == (1, 2, "GBP")
        reasons = {r["row"]: (r["field"], r["reason"]) for r in rep.quarantine_sample}
        assert reasons[3] == ("currency", "'GPB' is not an ISO 4217 code; did you mean GBP?")
        assert reasons[4] == (
            "spend",
            "'9 GPB' names a currency: 'GPB' is not an ISO 4217 code; did you mean GBP?",
        )


def test_reingest_with_another_currency_says_how_many_stored_rows_changed(tmp_path):
    f = _ads(tmp_path / "ads.csv")
    with Store.open(tmp_path / "s.duckdb") as st:
        first = ingest_file(st, "ads", f, currency="AUD")
        assert first.inserted == 3 and not any("changed currency" in n for n in first.notes)
        same = ingest_file(st, "ads", f, currency="AUD")
        assert same.unchanged == 3 and not any("changed currency" in n for n in same.notes)
        moved = ingest_file(st, "ads", f, currency="GBP")
        assert moved.updated == 3
        note = next(n for n in moved.notes if "changed currency" in n)
        assert note.startswith(
            "3 stored row(s) of this export changed currency (3 from AUD to GBP)"
        )
        assert "never converts" in note
        stored = st.execute(st.table("ad_performance"))
        assert set(stored["currency"]) == {"GBP"} and stored["spend"].sum() == pytest.approx(30.5)


def test_a_redownload_with_a_new_first_row_changes_no_currency(tmp_path):
    """Rows are matched by their content, not their line: one more row at the top of a
    re-downloaded export moves every line, and no currency changed (final review r28z #4)."""
    f = _ads(tmp_path / "ads.csv", currency=["AUD", "AUD", "GBP"])
    with Store.open(tmp_path / "s.duckdb") as st:
        ingest_file(st, "ads", f)
        df = pd.read_csv(f)
        top = df.iloc[[0]].assign(date="2026-02-28", impressions=77)
        pd.concat([top, df]).to_csv(f, index=False)
        again = ingest_file(st, "ads", f)
        assert not any("changed currency" in n for n in again.notes), again.notes
