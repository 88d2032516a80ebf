"""A person erased in advance (`micromix privacy erase ID --record-unknown`) stays out: when
their rows arrive later, every ingest path leaves them out with a note - not stored, not
quarantined with the id, not exported (review r30a). A store nobody was erased from ingests
exactly as before."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.audience.privacy import erase_user
from micromix.cli.main import app
from micromix.ingest import ingest_frame
from micromix.store import Store

runner = CliRunner()
LATE = "late_person_1"
HEADER = "event_id,ts,user_id,event_type,platform,device,cost\n"


def _events_csv(path, users=(LATE, LATE, LATE, "someone_else")):
    lines = [
        f"e{i},2026-03-02 00:0{i}:00,{u},impression,tiktok,mobile,0.005\n"
        for i, u in enumerate(users)
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return str(path)


def _erasures(st) -> int:
    if not st.has_table("audit_log"):
        return 0
    return int((st.read("audit_log")["action"] == "erase").sum())


def test_reviewer_reproduction_rows_of_a_person_erased_in_advance_are_left_out(tmp_path):
    db = str(tmp_path / "x.duckdb")
    src = _events_csv(tmp_path / "late.csv", users=(LATE, LATE, LATE))
    res = runner.invoke(app, ["privacy", "erase", LATE, "--db", db, "--record-unknown"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["ingest", "events", src, "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert (rep["rows_in_file"], rep["accepted"], rep["erased"], rep["inserted"]) == (3, 0, 3, 0)
    assert any("3 row(s) of people erased before (privacy erase) were left out" in n
               for n in rep["notes"])  # fmt: skip
    out = runner.invoke(app, ["export", "events", "--db", db])
    assert out.exit_code == 0, out.output
    assert LATE not in out.output
    with Store.open(db, read_only=True) as st:
        assert st.count("events") == 0 and st.count("quarantine") == 0


def test_the_cli_summary_says_so_and_others_rows_are_kept(tmp_path):
    db = str(tmp_path / "x.duckdb")
    src = _events_csv(tmp_path / "late.csv")
    assert (
        runner.invoke(app, ["privacy", "erase", LATE, "--db", db, "--record-unknown"]).exit_code
        == 0
    )
    res = runner.invoke(app, ["ingest", "events", src, "--db", db])
    assert res.exit_code == 0, res.output
    assert "3 row(s) of people erased before (privacy erase) were left out" in " ".join(
        res.output.split()
    )
    # the counts table adds up: rows in file = accepted + quarantined + left out
    assert re.search(r"left out \(erased people\)\s*│\s*3\b", res.output), res.output
    out = runner.invoke(app, ["export", "events", "--db", db]).output
    assert LATE not in out and "someone_else" in out


def test_a_quarantined_row_of_an_erased_person_is_not_kept_with_the_id():
    st = Store.open(":memory:")
    erase_user(st, LATE, record_unknown=True)
    df = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "ts": ["2026-03-02 00:00:00", "not a time", "not a time"],
            "user_id": [LATE, LATE, "other"],
            "event_type": ["impression"] * 3,
        }
    )
    rep = ingest_frame(st, "events", df, "batch")
    assert (rep.accepted, rep.quarantined, rep.erased, rep.rows_in_file) == (0, 1, 2, 3)
    assert rep.notes and "2 row(s) of people erased before" in rep.notes[0]
    q = st.read("quarantine")
    assert len(q) == 1 and not q["record"].str.contains(LATE).any()
    st.close()


@pytest.mark.parametrize("column,kind", [("unit_id", "experiments"), ("author_id", "posts")])
def test_other_id_columns_of_the_erasure_are_matched_too(column, kind):
    from micromix.schema import schema_for

    st = Store.open(":memory:")
    erase_user(st, LATE, record_unknown=True)
    schema = schema_for(kind)
    assert column in schema.columns
    row = {f.name: None for f in schema.fields}
    sample = {
        "experiments": {"experiment_id": "x1", "unit_id": LATE, "variant": "treatment",
                        "converted": True, "assigned_at": "2026-03-01"},
        "posts": {"post_id": "p1", "author_id": LATE, "platform": "tiktok",
                  "ts": "2026-03-01", "text": "hello"},
    }[kind]  # fmt: skip
    row.update(sample)
    rep = ingest_frame(st, kind, pd.DataFrame([row]), "batch")
    assert rep.erased == 1 and rep.accepted == 0, rep
    st.close()


def test_a_store_with_no_erasures_ingests_exactly_as_before(tmp_path, monkeypatch):
    import micromix.store.erasures as er

    calls = []
    real = er.erased_subjects
    monkeypatch.setattr(er, "erased_subjects", lambda st: calls.append(1) or real(st))
    import micromix.ingest.write as w

    monkeypatch.setattr(w, "erased_subjects", er.erased_subjects)
    st = Store.open(":memory:")
    # the audit log holds other records (the service's), but no erasure
    st.append(
        "audit_log",
        pd.DataFrame({"ts": [pd.Timestamp("2026-01-01")], "action": ["key.create"],
                      "subject_hash": [""], "details": ["{}"], "rows_deleted": [0],
                      "requested_by": ["x"]}),
    )  # fmt: skip
    df = pd.DataFrame(
        {"event_id": ["a", "b"], "ts": ["2026-03-02 00:00:00"] * 2, "user_id": [LATE, "o"],
         "event_type": ["impression"] * 2}
    )  # fmt: skip
    rep = ingest_frame(st, "events", df, "batch")
    assert (rep.accepted, rep.erased, rep.notes) == (2, 0, ())
    assert "erased" in rep.to_dict() and rep.rows_in_file == 2
    assert calls == []  # the erased hashes were never read: no cost
    st.close()


def test_erasing_in_advance_again_writes_no_second_record(tmp_path):
    db = str(tmp_path / "x.duckdb")
    args = ["privacy", "erase", LATE, "--db", db, "--record-unknown"]
    assert runner.invoke(app, args).exit_code == 0
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert body["already_erased"] is True and body["audited"] is False
    with Store.open(db, read_only=True) as st:
        assert _erasures(st) == 1


def test_a_batch_validated_elsewhere_in_arrow_form_is_filtered_too():
    """The API's large event batches arrive validated and converted to Arrow by a worker."""
    from micromix.ingest import validate_frame, write_validated
    from micromix.schema import schema_for
    from micromix.store.base import to_arrow

    st = Store.open(":memory:")
    erase_user(st, LATE, record_unknown=True)
    df = pd.DataFrame(
        {"event_id": ["a", "b", "c"], "ts": ["2026-03-02 00:00:00"] * 3,
         "user_id": ["o1", LATE, "o2"], "event_type": ["impression"] * 3}
    )  # fmt: skip
    res = validate_frame(schema_for("events"), df, source="batch")
    rep = write_validated(st, "events", res, "batch", accepted=to_arrow(res.accepted))
    assert (rep.accepted, rep.erased, rep.inserted) == (2, 1, 2)
    assert sorted(st.read("events")["user_id"]) == ["o1", "o2"]
    st.close()
