"""Analysis commands on awkward but real-looking files: objects in cells, empty keys, numbers
as exports write them, unreadable times. Each either reads the file right or refuses it in one
sentence naming the file, the row and the field; none prints an internal error."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app

runner = CliRunner()


def _refused(res, *parts: str) -> str:
    assert res.exit_code not in (0,), res.output
    text = res.output.strip().splitlines()[-1]
    assert "bug in micromix" not in res.output and "Traceback" not in res.output
    for p in parts:
        assert p in text, text
    return text


def _events(n: int = 12) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "session_id": [f"s{i // 3}" for i in range(n)],
            "user_id": [f"u{i // 3}" for i in range(n)],
            "ts": [f"2024-03-01T08:{i:02d}:00Z" for i in range(n)],
            "event_type": ["search", "click", "purchase"] * (n // 3),
            "query": ["best dog food", None, None] * (n // 3),
            "revenue": [None, None, "$1,234.50"] * (n // 3),
        }
    )


def test_sessions_read_money_as_exports_write_it(tmp_path):
    path = tmp_path / "events.csv"
    _events().to_csv(path, index=False)
    res = runner.invoke(app, ["moments", "sessions", "-i", str(path), "--json"])
    assert res.exit_code == 0, res.output
    total = next(r for r in json.loads(res.stdout)["rows"] if r["moment"] == "all")
    assert total["revenue"] == pytest.approx(4 * 1234.5)  # was 0: "$1,234.50" read as nothing


def test_sessions_refuse_unreadable_times_and_empty_ids(tmp_path):
    path = tmp_path / "events.csv"
    ev = _events()
    ev.loc[4, "ts"] = "yesterday"
    ev.to_csv(path, index=False)
    res = runner.invoke(app, ["moments", "sessions", "-i", str(path), "--json"])
    _refused(res, "events.csv: row 5, field 'ts'")
    ev = _events()
    ev.loc[2, "session_id"] = None
    ev.to_csv(path, index=False)
    res = runner.invoke(app, ["moments", "sessions", "-i", str(path), "--json"])
    _refused(res, "events.csv: row 3, field 'session_id' is empty")


def test_sessions_with_objects_in_the_id_column_do_not_crash(tmp_path):
    path = tmp_path / "events.jsonl"
    ev = _events()
    recs = ev.to_dict(orient="records")
    for r in recs:
        r["session_id"] = {"id": r["session_id"], "source": "web"}
    path.write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    res = runner.invoke(app, ["moments", "sessions", "-i", str(path), "--json"])
    assert res.exit_code == 0, res.output
    assert next(r for r in json.loads(res.stdout)["rows"] if r["moment"] == "all")["sessions"] == 4


def test_bursts_refuse_an_empty_key(tmp_path):
    path = tmp_path / "counts.csv"
    pd.DataFrame(
        {
            "ts": [f"2024-03-01T{h:02d}:00:00Z" for h in range(10)],
            "topic": ["dog food"] * 4 + [None] + ["dog food"] * 5,
            "n": [3, 4, 2, 5, 3, 4, 30, 2, 3, 4],
        }
    ).to_csv(path, index=False)
    res = runner.invoke(
        app,
        ["moments", "bursts", "-i", str(path), "--time-col", "ts", "--key-col", "topic",
         "--count-col", "n"],
    )  # fmt: skip
    _refused(res, "row 5, field 'topic' is empty", "unknown")


def test_rfm_segments_read_amounts_and_refuse_what_they_cannot(tmp_path):
    path = tmp_path / "purchases.csv"
    tx = pd.DataFrame(
        {
            "user_id": [f"u{i % 8}" for i in range(40)],
            "ts": [f"2024-0{1 + i % 6}-1{i % 9}" for i in range(40)],
            "revenue": [f"${10 + i},00{i % 10}.50" for i in range(40)],
        }
    )
    tx.to_csv(path, index=False)
    args = ["audience", "segment", "--data", str(path), "--method", "rfm", "--customer",
            "user_id", "--date", "ts", "--amount", "revenue", "--json"]  # fmt: skip
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    tx.loc[6, "revenue"] = "12,50"
    tx.to_csv(path, index=False)
    _refused(runner.invoke(app, args), "purchases.csv: row 7, field 'revenue'", "decimal comma")
    tx["user_id"] = None
    tx.to_csv(path, index=False)
    _refused(runner.invoke(app, args), "field 'user_id' is empty in every row")


def test_consent_matches_ids_read_as_numbers_and_as_text():
    from micromix.audience.scoring import attach_consent

    scores = pd.DataFrame({"user_id": [101, 102, 103], "uplift": [0.1, 0.2, 0.3]})
    people = pd.DataFrame(
        {"user_id": ["101", "102.0", " 103 "], "consent_ads_personalisation": [True, False, True]}
    )
    out = attach_consent(scores, people)
    assert out["consent_ads_personalisation"].tolist() == [True, False, True]
    assert out["user_id"].tolist() == [101, 102, 103]  # the caller's ids are kept as given


def test_an_experiment_with_empty_cells_is_refused_not_shrunk():
    from micromix.errors import DataValidationError
    from micromix.measurement.experiments import analyze_experiment

    df = pd.DataFrame({"arm": ["control", "treatment"] * 25, "converted": [0, 1] * 25})
    assert analyze_experiment(df, arm_col="arm", outcome="converted") is not None
    df.loc[7, "converted"] = None  # was dropped unseen: n fell from 50 to 49
    with pytest.raises(DataValidationError, match=r"row 8, field 'converted' is empty"):
        analyze_experiment(df, arm_col="arm", outcome="converted")
    df.loc[7, "converted"] = 1
    df.loc[3, "arm"] = " "
    with pytest.raises(DataValidationError, match=r"row 4, field 'arm' is empty"):
        analyze_experiment(df, arm_col="arm", outcome="converted")


def test_an_unreadable_uplift_is_refused_and_an_empty_one_is_not_scored():
    from micromix.audience.policy import resolve_uplift
    from micromix.errors import DataValidationError

    u, _ = resolve_uplift(pd.DataFrame({"uplift": ["0.01", None, "0.03"]}))
    assert u[0] == 0.01 and pd.isna(u[1])
    with pytest.raises(DataValidationError, match=r"scores row 2, field 'uplift': '1,5'"):
        resolve_uplift(pd.DataFrame({"uplift": ["0.01", "1,5", "0.03"]}))


def test_a_selection_flag_that_is_no_flag_is_refused():
    from micromix.audience.fairness import _selected
    from micromix.errors import DataValidationError

    df = pd.DataFrame({"selected": ["yes", "no", "1", "0", True]})
    assert _selected(df, "selected").tolist() == [True, False, True, False, True]
    for bad in ("n/a", None, "$12"):
        df.loc[2, "selected"] = bad
        with pytest.raises(DataValidationError, match=r"row 3, field 'selected'"):
            _selected(df, "selected")  # was counted as 'not selected'


def test_bursts_refuse_slash_dates_that_read_both_ways(tmp_path):
    path = tmp_path / "counts.csv"
    pd.DataFrame(
        {"ts": [f"03/0{d}/2024 10:00" for d in range(1, 10)], "n": [3, 4, 2, 5, 3, 4, 30, 2, 3]}
    ).to_csv(path, index=False)
    res = runner.invoke(app, ["moments", "bursts", "-i", str(path), "--time-col", "ts"])
    _refused(res, "column 'ts', row 1", "ambiguous")  # was read month-first without a word


def test_a_contact_list_is_never_written_with_empty_ids(tmp_path):
    path = tmp_path / "scores.csv"
    pd.DataFrame(
        {"user_id": [f"u{i}" if i != 4 else None for i in range(30)], "uplift": [0.05] * 30}
    ).to_csv(path, index=False)
    out = tmp_path / "contacts.csv"
    res = runner.invoke(
        app,
        ["audience", "target", "--scores", str(path), "--budget", "20", "--cost-per-contact",
         "1", "--value-per-conversion", "20", "--min-audience", "5", "-o", str(out)],
    )  # fmt: skip
    _refused(res, "row 5, field 'user_id' is empty")  # 20 contacts with blank ids were written
    assert not out.exists()


def test_a_line_split_by_an_unquoted_separator_is_refused_not_dropped(tmp_path):
    # "1,250" unquoted splits a row into one field too many; reading the file without that row
    # would count two posts of three and fit a purchase history with a purchase missing
    posts = tmp_path / "posts.csv"
    posts.write_text(
        "post_id,text,likes,date\n1,love PawCo,1250,2024-05-01\n"
        "2,PawCo rocks,1,250,2024-05-02\n3,PawCo ok,30,2024-05-03\n"
    )
    res = runner.invoke(app, ["social", "listen", "-i", str(posts), "--brand", "PawCo"])
    _refused(res, "line 3: wrong number of fields: 5 fields where the header has 4", "quote")
    tx = tmp_path / "tx.csv"
    tx.write_text("customer,date,value\na,2024-01-01,10\nb,2024-01-02,1,250\na,2024-02-01,5\n")
    res = runner.invoke(
        app,
        ["clv", "fit", "--data", str(tx), "--customer-col", "customer", "--date-col", "date",
         "--value-col", "value"],
    )  # fmt: skip
    _refused(res, "line 3", "(1 such line(s))")


def test_stray_windows_1252_bytes_in_a_utf8_file_are_read_and_said(tmp_path):
    # a UTF-8 export with a few characters pasted from a Windows program (the SXSW tweets
    # file has 480 such lines): every row is read, the characters as Windows-1252, with a note
    f = tmp_path / "tweets.csv"
    f.write_bytes(
        "tweet_text,label\ncaf\u00e9 love \u2013 PawCo,Positive emotion\n".encode()
        + b"PawCo\x92s new bag is great,Positive emotion\n"
        + b"PawCo broke \x96 again,Negative emotion\n"
    )
    res = runner.invoke(
        app,
        [
            "social",
            "sentiment",
            "-i",
            str(f),
            "--text-col",
            "tweet_text",
            "-o",
            str(tmp_path / "o.csv"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "2 line(s) hold bytes that are not UTF-8; they were read as Windows-1252" in res.stderr
    out = pd.read_csv(tmp_path / "o.csv")
    assert out["tweet_text"].tolist()[1:] == [
        "PawCo\u2019s new bag is great",
        "PawCo broke \u2013 again",
    ]
    assert out["tweet_text"].iloc[0] == "caf\u00e9 love \u2013 PawCo"  # valid UTF-8 untouched
    # a JSON Lines line that cannot be read is refused with what to do, not a separator hint
    j = tmp_path / "posts.jsonl"
    j.write_text(
        '{"text": "ok", "ts": "2024-01-01"}\n{"text": "broken", \n{"text": "x", "ts": "2024-01-02"}\n'
    )
    res = runner.invoke(app, ["social", "listen", "-i", str(j), "--brand", "PawCo"])
    text = _refused(res, "line 2", "mend or remove that line")
    assert "separator" not in text


def test_a_headerless_file_whose_first_row_repeats_a_value_is_called_headerless(tmp_path):
    f = tmp_path / "posts.csv"
    f.write_text(
        'p0,user0,2024-03-01 08:00:00,"I love Pawly treats",10,0,0,200\n'
        'p1,user1,2024-03-01 13:00:00,"Pawly made my cat sick",17,1,2,231\n'
    )
    res = runner.invoke(app, ["social", "listen", "-i", str(f), "--brand", "Pawly"])
    _refused(res, "the first line holds values, not column names", "add a header line")
