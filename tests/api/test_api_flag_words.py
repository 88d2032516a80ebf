"""The upload route's errors and notes name the API's query parameters, never the CLI's flags:
the ingest library's advice says ``--strategy NAME`` / ``--format ga_report`` / ``micromix ingest
traffic ...``; over the API that is ``strategy=NAME`` / ``layout=ga_report`` / the upload route."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="fastapi is not installed (micromix[serve])")

import micromix.ingest

ADS = (
    "date,campaign_id,platform,impressions,clicks,spend,currency,strategy\n"
    "2024-01-01,c1,facebook,100,5,10.50,EUR,paid_social\n"
    "2024-01-02,c2,google,120,6,11.00,EUR,search\n"
)
CLI_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


@pytest.fixture()
def upload(fresh_app):
    client, svc = fresh_app()
    key = svc.keys.create("analyst")[0]

    def post(data: str, kind: str = "ads", **params):
        return client.post(
            f"/api/v1/ingest/{kind}",
            params=params,
            headers={"X-API-Key": key},
            files={"file": ("ads.csv", io.BytesIO(data.encode()), "text/csv")},
        )

    return post


def test_the_strategy_override_note_names_the_strategy_parameter(upload):
    r = upload(ADS, strategy="search", dry_run="true")
    assert r.status_code == 200, r.text
    (note,) = [n for n in r.json()["notes"] if "filed all" in n]
    assert note.startswith("strategy=search filed all 2 rows under 'search'"), note
    assert "ingest it without the strategy parameter" in note
    assert not CLI_FLAG.search(note), note


def test_an_unknown_strategy_is_refused_in_the_apis_words(upload):
    r = upload(ADS, strategy="bogus")
    assert r.status_code == 422
    message = r.json()["message"]
    assert message.startswith("strategy='bogus' is not a strategy"), message
    assert not CLI_FLAG.search(message)


def test_a_layout_of_another_kind_points_to_the_upload_route_of_that_kind(upload):
    r = upload(ADS, layout="ga_report")
    assert r.status_code == 422
    message = r.json()["message"]
    assert message.startswith("layout=ga_report holds traffic rows, not ads"), message
    assert "'POST /api/v1/ingest/traffic'" in message and "choose another layout" in message
    assert not CLI_FLAG.search(message) and "micromix ingest" not in message


def _message_flags() -> set[str]:
    """The CLI flags the ingest code's messages name (string literals, not docstrings)."""
    found: set[str] = set()
    for path in Path(micromix.ingest.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {
            id(n.value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
        }
        for n in ast.walk(tree):
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs:
                found.update(CLI_FLAG.findall(n.value))
    return found


def test_every_flag_an_ingest_message_names_has_its_api_words():
    from micromix.api.routers.core import _SWITCHES, _VALUE_FLAGS, _api_terms

    flags = _message_flags()
    assert {"--strategy", "--format", "--currency", "--dayfirst", "--keep-both"} <= flags
    assert flags <= set(_VALUE_FLAGS) | set(_SWITCHES), flags - set(_VALUE_FLAGS) - set(_SWITCHES)
    for flag in flags:
        for text in (f"pass {flag}", f"pass {flag} NAME", f"{flag} 'x' is wrong"):
            assert not CLI_FLAG.search(_api_terms(text)), (text, _api_terms(text))
