"""Which strategy an export's rows are filed under, the note that says so, and ``--strategy``.

Spotify ads are audio ads, not paid social; Google's Performance Max (and Smart, Display, Video,
Demand Gen) campaigns serve beyond search and are ``other``, never credited to ``search``. The
ingest names the rows it filed under ``other`` and why, and the user can file an export's rows
under another strategy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from micromix.cli.ingest_cmd import register
from micromix.errors import ConfigError
from micromix.ingest import ingest_file, inspect_file
from micromix.store import Store

FIXTURES = Path(__file__).parent / "fixtures"

#: a Google Ads campaign report with the campaign type of each campaign
GOOGLE = (
    "Campaign report\n27 January 2026 - 23 February 2026\n"
    "Campaign,Campaign type,Currency code,Clicks,Impr.,Cost,Conversions\n"
    "Brand search,Search,GBP,50,900,40.00,3.00\n"
    "All products,Performance Max,GBP,600,31193,798.88,49.00\n"
    "Feed,Shopping,GBP,20,800,12.00,1.00\n"
    "Banners,Display,GBP,5,4000,3.00,0.00\n"
)


def _ingest(path: Path, **kw: object):
    st = Store.open(":memory:")
    rep = ingest_file(st, "ads", path, **kw)
    return st.read("ad_performance").sort_values("source_row"), rep


def _google(tmp_path: Path) -> Path:
    path = tmp_path / "Campaign report.csv"
    path.write_text(GOOGLE, encoding="utf-8")
    return path


def test_spotify_audio_ads_are_not_paid_social():
    ads, rep = _ingest(FIXTURES / "spotify_ads.csv", currency="AUD")
    assert set(ads["strategy"]) == {"other"}
    (note,) = [n for n in rep.notes if "strategy" in n]
    assert note == (
        "2 of 2 rows are filed under strategy 'other': Spotify ads are audio and video ads in a "
        "music app, not paid social; pass --strategy NAME to file the export's rows under "
        "another strategy (ugc_organic, ugc_amplified, paid_social, influencer, search, direct, "
        "email, other)"
    )


def test_performance_max_is_other_and_named(tmp_path):
    ads, rep = _ingest(_google(tmp_path))
    assert list(ads["strategy"]) == ["search", "other", "search", "other"]
    (note,) = [n for n in rep.notes if "strategy" in n]
    assert note.startswith(
        "2 of 4 rows are filed under strategy 'other' (campaign type Display, Performance Max): "
        "only search and shopping campaigns (and keyword or search-term reports) are 'search': "
        "Performance Max and Smart campaigns spend one budget across Search, YouTube"
    )
    assert note.endswith(
        "pass --strategy NAME to file the export's rows under another "
        "strategy (ugc_organic, ugc_amplified, paid_social, influencer, search, "
        "direct, email, other)"
    )


def test_a_report_without_campaign_types_says_so(tmp_path):
    path = tmp_path / "untyped.csv"
    path.write_text(
        GOOGLE.replace("Campaign type,", "")
        .replace("Search,GBP", "GBP")
        .replace("Performance Max,", "")
        .replace("Shopping,", "")
        .replace("Display,", ""),
        encoding="utf-8",
    )
    ads, rep = _ingest(path)
    assert set(ads["strategy"]) == {"other"}
    assert any(
        n.startswith(
            "4 of 4 rows are filed under strategy 'other' (the report gives no campaign type)"
        )
        for n in rep.notes
    )


def test_search_rows_alone_have_no_note(tmp_path):
    path = tmp_path / "search.csv"
    lines = GOOGLE.splitlines()
    path.write_text("\n".join([*lines[:4], lines[5]]) + "\n", encoding="utf-8")
    ads, rep = _ingest(path)
    assert set(ads["strategy"]) == {"search"} and not any("strategy" in n for n in rep.notes)


def test_the_user_files_the_export_under_another_strategy(tmp_path):
    ads, rep = _ingest(FIXTURES / "spotify_ads.csv", currency="AUD", strategy="Paid social")
    assert set(ads["strategy"]) == {"paid_social"}
    assert not any("strategy" in n for n in rep.notes)  # the user said so: nothing to note
    ads, rep = _ingest(_google(tmp_path), strategy="search")
    assert set(ads["strategy"]) == {"search"} and rep.accepted == 4
    assert (
        inspect_file("ads", _google(tmp_path), strategy="search")
        .sample["strategy"]
        .eq("search")
        .all()
    )


def test_a_strategy_micromix_does_not_compare_is_refused(tmp_path):
    with pytest.raises(ConfigError) as e:
        _ingest(FIXTURES / "spotify_ads.csv", currency="AUD", strategy="audio")
    assert str(e.value) == (
        "--strategy 'audio' is not a strategy micromix compares; use one of ugc_organic, "
        "ugc_amplified, paid_social, influencer, search, direct, email, other"
    )
    st = Store.open(":memory:")
    with pytest.raises(ConfigError, match=r"^--strategy applies to files of ads and events"):
        ingest_file(st, "posts", FIXTURES / "x_tweet_activity_cp1252.csv", strategy="other")
    assert st.count("posts") == 0


def test_cli_strategy_option(tmp_path):
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)

    @app.command("noop")
    def _noop() -> None:
        """Nothing."""

    runner = CliRunner()
    db = str(tmp_path / "mm.duckdb")
    spotify = str(FIXTURES / "spotify_ads.csv")
    res = runner.invoke(app, ["ingest", "ads", spotify, "--currency", "AUD", "--db", db])
    assert res.exit_code == 0 and "filed under strategy 'other'" in res.stderr
    res = runner.invoke(
        app,
        ["ingest", "ads", spotify, "--currency", "AUD", "--strategy", "influencer", "--db", db],
    )
    assert res.exit_code == 0, res.output
    with Store.open(db, read_only=True) as st:
        assert set(st.read("ad_performance")["strategy"]) == {"influencer"}
    bad = runner.invoke(app, ["ingest", "ads", spotify, "--strategy", "audio", "--db", db])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    assert "--strategy 'audio' is not a strategy micromix compares" in bad.output
    shown = runner.invoke(
        app, ["inspect", "ads", spotify, "--currency", "AUD", "--strategy", "search", "--json"]
    )
    assert shown.exit_code == 0, shown.output
    assert {r["strategy"] for r in json.loads(shown.stdout)["sample"]} == {"search"}


def test_strategy_option_over_rows_the_file_tells_apart_is_said(tmp_path):
    # the file files its campaigns by campaign type: --strategy search over them is a conflict,
    # said in a note (never a silent override); the rows are filed as the user asked
    ads, rep = _ingest(_google(tmp_path), strategy="search")
    assert set(ads["strategy"]) == {"search"}
    assert (
        "--strategy search filed all 4 rows under 'search', though the file itself puts 2 of "
        "them elsewhere (2 under 'other'); the option applies to the whole file: to keep its "
        "strategies apart, ingest it without --strategy, or export one report per strategy"
    ) in rep.notes
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,timestamp,user,event,strategy\n"
        "e1,2024-05-01T10:00:00Z,u1,click,email\ne2,2024-05-01T10:00:00Z,u2,click,search\n",
        encoding="utf-8",
    )
    rep = ingest_file(Store.open(":memory:"), "events", events, strategy="search")
    assert any(
        "puts 1 of them elsewhere (1 under 'email', by its column 'strategy')" in n
        for n in rep.notes
    )
    # rows the file does not tell apart (one platform-wide strategy) are what the option is for
    ads, rep = _ingest(FIXTURES / "spotify_ads.csv", currency="AUD", strategy="search")
    assert not any("--strategy" in n for n in rep.notes)


def test_cli_says_the_strategy_conflict(tmp_path):
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)

    @app.command("noop")
    def _noop() -> None:
        """Nothing."""

    db = str(tmp_path / "mm.duckdb")
    res = CliRunner().invoke(
        app, ["ingest", "ads", str(_google(tmp_path)), "--strategy", "search", "--db", db]
    )
    assert res.exit_code == 0, res.output
    assert "though the file itself puts 2 of them elsewhere" in " ".join(res.stderr.split())
