"""A DuckDB file held by another process: named at once, with advice that fits the holder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from micromix.errors import StoreError
from micromix.store import Store

_HOLD = (
    "import sys\n"
    "from micromix.store import Store\n"
    "st = Store.open(sys.argv[1])\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "st.close()\n"
)


@pytest.fixture()
def holder(tmp_path):
    """Start a process holding a DuckDB file; ``extra`` words go on its command line."""
    procs: list[subprocess.Popen] = []

    def start(db: Path, *extra: str) -> subprocess.Popen:
        p = subprocess.Popen(
            [sys.executable, "-c", _HOLD, str(db), *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(p)
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        return p

    yield start
    for p in procs:
        if p.poll() is None:
            assert p.stdin is not None
            p.stdin.close()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if p.stdout is not None:
            p.stdout.close()


def test_a_held_database_names_the_process_and_does_not_blame_the_server(tmp_path, holder):
    db = tmp_path / "m.duckdb"
    Store.open(db).close()
    p = holder(db)
    with pytest.raises(StoreError) as err:
        Store.open(db)
    msg = str(err.value)
    assert f"process {p.pid}" in msg and "micromix serve" not in msg
    assert "wait for it to finish" in msg


def test_a_database_held_by_the_server_says_to_use_its_api(tmp_path, holder):
    db = tmp_path / "m.duckdb"
    Store.open(db).close()
    p = holder(db, "micromix", "serve")
    with pytest.raises(StoreError) as err:
        Store.open(db, read_only=True)
    msg = str(err.value)
    assert f"held by 'micromix serve' (PID {p.pid})" in msg and "API" in msg


def test_the_losing_ingest_fails_on_the_held_database_before_reading_the_file(tmp_path, holder):
    """The issue: the loser of two concurrent ingests validated its whole file first."""
    from typer.testing import CliRunner

    from micromix.cli.main import app

    db = tmp_path / "m.duckdb"
    Store.open(db).close()
    p = holder(db)
    bad = tmp_path / "not-even-csv.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)  # would be refused if it were read
    res = CliRunner().invoke(app, ["ingest", "events", str(bad), "--db", str(db)])
    assert res.exit_code != 0
    out = " ".join(res.output.split())
    assert f"process {p.pid}" in out and "PNG" not in out, out


def test_a_new_thread_reusing_a_finished_threads_id_gets_a_reader_of_its_own(tmp_path):
    """Thread ids are reused once a thread ends (the API's worker threads end when idle): the
    new thread must not be handed the finished thread's cursor, which the next reader's
    clean-up closes under it ("Connection already closed!", "bad_weak_ptr" on the server)."""
    import threading

    import pandas as pd

    st = Store.open(str(tmp_path / "t.duckdb"))
    st.append("creators", pd.DataFrame({"creator_id": ["a", "b"], "platform": ["instagram"] * 2}))
    seen: list[tuple[int, object]] = []

    def read() -> None:
        seen.append((threading.get_ident(), st._reader()))
        assert len(st.read("creators")) == 2

    for _ in range(40):  # until an id is reused (usually at once)
        t = threading.Thread(target=read)
        t.start()
        t.join()
        ids = [i for i, _ in seen]
        if len(ids) != len(set(ids)):
            break
    else:
        pytest.skip("no thread id was reused on this platform")
    (tid,) = {i for i in ids if ids.count(i) > 1}
    readers = [r for i, r in seen if i == tid]
    assert readers[-1] is not readers[0]
    # the finished threads' cursors were closed, not left open beside the new one (their
    # Thread objects outlive them here, held by ``seen``'s readers)
    assert len(st._readers) <= 1

    errors: list[BaseException] = []

    def many() -> None:
        try:
            for _ in range(20):
                assert len(st.read("creators")) == 2
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=many) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    st.close()
    assert errors == []
