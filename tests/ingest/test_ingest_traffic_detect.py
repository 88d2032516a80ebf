"""``ingest traffic`` reads GA4 / UA report downloads and nothing else: an ad platform's export
whose "Views" column GA also names is refused with one sentence that names the right command."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from micromix.cli.ingest_cmd import register
from micromix.errors import ColumnNotFoundError
from micromix.ingest import ingest_file, prepare_file
from micromix.ingest.formats import detect_format
from micromix.store import Store

#: the layout of a Meta Ads Manager campaign x day export (as Mynkism/cocoon-dashboard's)
META_DAILY = (
    "\ufeffDay,Campaign name,Reach,Frequency,Impressions,Views,Currency,Amount spent (AUD),"
    "Clicks (all),Link clicks,Purchases,Cost per purchase,Purchases conversion value,"
    "Reporting starts,Reporting ends\n"
    "2026-06-25,RB_Sales,2240,1.99,4457,4424,AUD,79.62,123,97,,,,2026-06-25,2026-06-25\n"
    '2026-06-25,"RB | Traffic | Website",2112,1.15,2431,2374,AUD,10.52,42,33,,,,'
    "2026-06-25,2026-06-25\n"
)
#: headers of real GA4 / UA downloads: each is still a GA report
GA_HEADERS = [
    ["Event name", "Event count", "Total users", "Event count per active user", "Total revenue"],
    [
        "Page path and screen class",
        "Views",
        "Active users",
        "Views per active user",
        "Average engagement time per active user",
        "Event count",
        "Key events",
        "Total revenue",
    ],
    [
        "First user primary channel group (Default Channel Group)",
        "Total users",
        "New users",
        "Returning users",
        "Average engagement time per active user",
        "Engaged sessions per active user",
        "Event count",
        "Key events",
        "User key event rate",
    ],
    ["Page", "Pageviews", "Unique Pageviews", "Avg. Time on Page", "Entrances", "Bounce Rate"],
    ["Day Index", "Users"],  # UA's daily dataset: a shared measure, a dimension GA names
    ["Page path", "Views"],
    ["Session source / medium", "Sessions", "Engaged sessions", "Total users", "Key events"],
]


@pytest.mark.parametrize("header", GA_HEADERS, ids=lambda h: h[0])
def test_analytics_headers_are_still_ga_reports(header):
    assert detect_format(header, "traffic").lookup_name == "ga_report"


def test_a_meta_ads_export_is_refused_as_traffic_and_nothing_is_written(tmp_path):
    p = tmp_path / "meta_ads.csv"
    p.write_text(META_DAILY, encoding="utf-8")
    st = Store.open(":memory:")
    with pytest.raises(ColumnNotFoundError) as exc:
        ingest_file(st, "traffic", p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}: not a web-analytics report")
    assert "Meta Ads Manager export" in msg and "'Views'" in msg
    assert msg.endswith("ingest it with 'micromix ingest ads'")
    assert not st.has_table("traffic") or st.count("traffic") == 0
    # naming the layout does not make an ad report a GA report
    with pytest.raises(ColumnNotFoundError, match="does not match --format ga_report: not a web"):
        prepare_file("traffic", p, layout="ga_report")
    # and the file is what 'micromix ingest ads' reads
    assert prepare_file("ads", p).adapter.lookup_name == "meta_ads"


def test_an_ad_export_without_views_names_its_layout_too():
    cols = ["Campaign", "Impr.", "Clicks", "Cost", "Currency code", "Avg. CPC"]
    with pytest.raises(ColumnNotFoundError, match=r"x.csv: not a web-analytics report: .*Google"):
        detect_format(cols, "traffic", "x.csv")


def test_a_shared_measure_alone_is_refused_unless_the_user_names_the_layout(tmp_path):
    p = tmp_path / "views.csv"
    p.write_text("Name,Views\nspring,120\nsummer,80\n", encoding="utf-8")
    with pytest.raises(ColumnNotFoundError) as exc:
        prepare_file("traffic", p)
    assert "not recognisably a web-analytics report" in str(exc.value)
    assert "'Views'" in str(exc.value) and "pass --format ga_report" in str(exc.value)
    rep = prepare_file("traffic", p, layout="ga_report")
    assert rep.adapter.lookup_name == "ga_report" and len(rep.result.accepted) == 2


def test_a_header_with_no_analytics_sign_keeps_the_generic_refusal():
    with pytest.raises(ColumnNotFoundError, match="no known traffic layout matches the header"):
        detect_format(["Tweet id", "impressions", "engagements"], "traffic", "x.csv")


def test_cli_refuses_the_meta_export_in_one_sentence(tmp_path):
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)

    @app.command("noop")
    def _noop() -> None:
        """Nothing."""

    p = tmp_path / "meta_campaign_daily_aud.csv"
    p.write_text(META_DAILY, encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", "traffic", str(p), "--db", str(tmp_path / "x.duckdb")])
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert err.startswith("error:") and "micromix ingest ads" in err.replace("\n", " ")
    assert "Traceback" not in res.output and len(err.splitlines()) <= 4
