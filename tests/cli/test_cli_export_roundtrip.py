"""``micromix export`` writes files that read back into the same cells, for every table.

A text cell holding ``\\r`` alone (tweets pasted from old editors) used to be written unquoted,
so a reader split the row there and the columns after it shifted.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.ingest.files import read_table
from micromix.schema import SCHEMAS
from micromix.store import Store

runner = CliRunner()

#: text cells a CSV writer must quote or escape (with what the file must read back as)
AWKWARD = {
    "line\nbreak": "line\nbreak",
    "carriage\rreturn alone": "carriage\rreturn alone",
    "windows\r\nline end": "windows\r\nline end",
    'a "quoted" word': 'a "quoted" word',
    "comma, semicolon; tab\there": "comma, semicolon; tab\there",
    '=HYPERLINK("http://x")': '\'=HYPERLINK("http://x")',  # formulas stay escaped
    "\rstarts with a return": "'\rstarts with a return",
    "ends with a return\r": "ends with a return\r",
}


def _frame(name: str) -> pd.DataFrame:
    """Rows of table ``name`` whose free-text cells are the awkward ones."""
    texts = list(AWKWARD)
    n = len(texts)
    cols: dict[str, list[object]] = {}
    for f in SCHEMAS[name].fields:
        if f.dtype == "string":
            cols[f.name] = (
                [f.allowed[0]] * n if f.allowed else [f"{t} {i}" for i, t in enumerate(texts)]
            )
        elif f.dtype == "int":
            cols[f.name] = list(range(1, n + 1))
        elif f.dtype == "float":
            cols[f.name] = [i + 0.5 for i in range(n)]
        elif f.dtype == "bool":
            cols[f.name] = [i % 2 == 0 for i in range(n)]
        elif f.dtype == "timestamp":
            cols[f.name] = [
                pd.Timestamp("2024-05-01", tz="UTC") + pd.Timedelta(hours=i) for i in range(n)
            ]
        else:
            cols[f.name] = [date(2024, 5, 1 + i) for i in range(n)]
    return pd.DataFrame(cols)


def _written(name: str, frame: pd.DataFrame) -> dict[str, list[str]]:
    """The free-text cells of ``frame`` as the exported file must give them back."""
    texts = list(AWKWARD)
    out = {}
    for f in SCHEMAS[name].fields:
        if f.dtype == "string" and not f.allowed:
            out[f.name] = [f"{AWKWARD[t]} {i}" for i, t in enumerate(texts)]
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "m.duckdb"
    st = Store.open(str(path))
    for name in SCHEMAS:
        st.append(name, _frame(name))
    st.close()
    return str(path)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_table_reads_back_cell_for_cell(db, tmp_path, name):
    out = tmp_path / f"{name}.csv"
    res = runner.invoke(app, ["export", name, "--db", db, "--output", str(out)])
    assert res.exit_code == 0, res.output
    want = _written(name, _frame(name))
    assert want, f"{name} has no free-text field to test"
    got = read_table(out)
    assert len(got) == len(AWKWARD)
    raw = pd.read_csv(out, dtype=str, keep_default_na=False)
    for col, cells in want.items():
        assert got[col].tolist() == cells, col
        assert raw[col].tolist() == cells, col
    # stdout carries the same bytes as the file
    res = runner.invoke(app, ["export", name, "--db", db])
    assert res.exit_code == 0
    assert res.stdout_bytes.decode() == out.read_bytes().decode("utf-8")


def test_a_lone_carriage_return_is_quoted_and_nothing_else_changes(db, tmp_path):
    out = tmp_path / "posts.csv"
    assert runner.invoke(app, ["export", "posts", "--db", db, "--output", str(out)]).exit_code == 0
    text = out.read_bytes().decode("utf-8")
    assert '"carriage\rreturn alone 1"' in text and '"ends with a return\r 7"' in text
    # only inside the cells that hold one (one per free-text field): rows end in \n
    assert text.count("\r\n") == len(_written("posts", _frame("posts")))
    assert text.endswith("\n") and "\ue000" not in text


def test_exported_posts_with_returns_feed_social_listen(db, tmp_path):
    out = tmp_path / "posts.csv"
    assert runner.invoke(app, ["export", "posts", "--db", db, "--output", str(out)]).exit_code == 0
    res = runner.invoke(app, ["social", "listen", "--input", str(out), "--brand", "x", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["meta"]["posts"] == len(AWKWARD)
