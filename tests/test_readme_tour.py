"""The README is executed: every command in its bash blocks runs here and does what it says.

Commands are read from README.md itself (so a command added there without a check here fails
:func:`test_every_readme_command_is_covered`). Each section runs in a folder of its own, the way a
user would, with ``demo/`` holding a small demo database built once per session (3,000 users
instead of the README's 50,000 in the default suite; the README's exact sizes run in the slow
tests). Input files come from the demo (``micromix export``) or from ``../shared/data`` (the
Kaggle ads export, the Starbucks experiment, pymc-marketing's weekly data), skipping with a
reason when that folder is absent.

A command that does not yet work as the README says, in a part owned by another engineer, is
listed in :data:`KNOWN_BROKEN` with the reason; the test then checks that it still fails that
way, and fails (asking to remove the entry) once it works.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from _serve import free_port
from micromix.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHARED = ROOT.parent / "shared" / "data"

runner = CliRunner()

#: README commands that do not work yet, each with the part of its error that says why
KNOWN_BROKEN: dict[str, str] = {}
#: development and installation commands, not part of the product tour
NOT_TOUR = ("pip ", "pytest", "ruff ", "bash ", "lint-imports", "mypy", "python benchmarks/")


# ------------------------------------------------------------------------------ the README
def readme_commands() -> list[tuple[str, str]]:
    """``(section heading, command)`` for every command line of the README's bash blocks."""
    out: list[tuple[str, str]] = []
    section, in_bash, pending = "", False, ""
    for raw in README.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#") and not in_bash:
            section = raw.lstrip("#").strip()
            continue
        if raw.startswith("```"):
            in_bash = raw.strip() == "```bash"
            continue
        if not in_bash:
            continue
        line = re.sub(r"\s+#.*$", "", raw).rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        for part in (p.strip() for p in line.split("&&")):
            if part and not part.startswith(NOT_TOUR):
                out.append((section, " ".join(part.split())))
    return out


def _section(name: str) -> list[str]:
    found = [c for s, c in readme_commands() if s == name]
    assert found, f"README has no bash commands under {name!r}"
    return found


def _split(command: str) -> tuple[dict[str, str], list[str]]:
    """``ENV=value micromix a b`` -> ({ENV: value}, ["a", "b"])."""
    words = shlex.split(command)
    env = {}
    while words and re.match(r"^[A-Z_]+=", words[0]):
        k, _, v = words.pop(0).partition("=")
        env[k] = v
    assert words[0] == "micromix", command
    return env, words[1:]


def run(command: str, monkeypatch: pytest.MonkeyPatch, **replace: str):
    """Run a README command in-process (``replace`` swaps exact argument values)."""
    env, args = _split(command)
    args = [replace.get(a, a) for a in args]
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    res = runner.invoke(app, args)
    for k in env:
        monkeypatch.delenv(k)
    assert "Traceback" not in res.output and "bug in micromix" not in res.output, (
        command,
        res.output[-2000:],
    )
    known = KNOWN_BROKEN.get(command)
    if known is not None:
        assert res.exit_code != 0 and known in res.output, (
            f"{command!r} now works: remove it from KNOWN_BROKEN in tests/test_readme_tour.py"
        )
        return None
    assert res.exit_code == 0, (command, res.output[-3000:])
    return res


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """``demo/`` as the README's first command makes it (3,000 users for speed)."""
    (cmd,) = [c for c in _section("A tour of the CLI") if c.startswith("micromix demo")]
    base = tmp_path_factory.mktemp("tour")
    _, args = _split(cmd)
    args[args.index("--users") + 1] = "3000"
    cwd = os.getcwd()
    os.chdir(base)
    try:
        res = runner.invoke(app, args)
    finally:
        os.chdir(cwd)
    assert res.exit_code == 0, res.output[-2000:]
    demo = base / "demo"
    for name in ("report.html", "ground_truth.csv", "micromix.duckdb"):
        assert (demo / name).exists()
    return demo


@pytest.fixture()
def tour(tmp_path, demo_dir, monkeypatch) -> Path:
    """A fresh folder holding a copy of ``demo/``, as the working directory."""
    shutil.copytree(demo_dir, tmp_path / "demo")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MICROMIX_DB", raising=False)
    monkeypatch.delenv("MICROMIX_BACKEND", raising=False)
    monkeypatch.setenv("MICROMIX_PROGRESS", "0")
    return tmp_path


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (real public data beside the checkout)")
    return path


def _export(table: str, out: str, monkeypatch) -> pd.DataFrame:
    run(f"micromix export {table} --db demo/micromix.duckdb --output {out}", monkeypatch)
    return pd.read_csv(out)


# ------------------------------------------------------------------------------ coverage
COVERED: list[str] = []  # command prefixes each check below covers


def covers(*prefixes: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def deco(fn: Callable[..., None]) -> Callable[..., None]:
        COVERED.extend(prefixes)
        return fn

    return deco


def test_every_readme_command_is_covered():
    commands = [c for _, c in readme_commands()]
    stale = [c for c in KNOWN_BROKEN if c not in commands]
    assert not stale, f"KNOWN_BROKEN names commands the README no longer has: {stale}"
    missing = [c for c in commands if not any(c.startswith(p) for p in COVERED)]
    assert not missing, f"README commands without a check in tests/test_readme_tour.py: {missing}"
    assert len(readme_commands()) >= 30  # the parser still finds the tour


# ------------------------------------------------------------------------------ sections
@covers("micromix demo --out demo", "micromix compare", "micromix report", "micromix export posts")
def test_tour_on_the_demo(tour, monkeypatch):
    cmds = [c for c in _section("A tour of the CLI") if "--db demo/" in c]
    assert len(cmds) == 4
    ugc = run(cmds[0], monkeypatch)
    assert "incremental" in ugc.output.lower() and "paid_social" in ugc.output
    rows = json.loads(run(cmds[1], monkeypatch).stdout)
    assert {r["strategy"] for r in rows} == {"micro", "mass"}
    run(cmds[2], monkeypatch)
    html = (tour / "report.html").read_text(encoding="utf-8")
    assert '<h2 id="comparisons">' in html and '<h2 id="quality">' in html
    run(cmds[3], monkeypatch)
    posts = pd.read_csv("posts.csv")
    assert len(posts) and "text" in posts.columns


@covers("micromix ingest ads KAG", "micromix kpis --by age,gender", "micromix kpis --by strategy")
def test_tour_ingest_and_kpis(tour, monkeypatch):
    shutil.copy(_need(SHARED / "ads" / "KAG_conversion_data.csv"), tour)
    ingest, by_age, by_week = [
        c
        for c in _section("A tour of the CLI")
        if c.startswith(
            ("micromix ingest", "micromix kpis --by age", "micromix kpis --by strategy")
        )
    ]
    report = json.loads(run(ingest + " --json", monkeypatch).stdout)
    assert (report["layout"], report["accepted"], report["currency"]) == (
        "kaggle_fb_ads",
        1143,
        "USD",
    )
    rows = json.loads(run(by_age, monkeypatch).stdout)["rows"]
    assert {"age", "gender", "ctr", "cpa"} <= set(rows[0])
    csv = run(by_week, monkeypatch).stdout
    assert csv.startswith("strategy,platform,period")


@covers("micromix kpis --by platform --kpis", "micromix kpis --source")
def test_tour_kpis_subsets_currencies_posts(tour, monkeypatch):
    shutil.copy("demo/micromix.duckdb", "micromix.duckdb")  # the default --db
    Path("rates.csv").write_text("currency,rate_to,rate\nUSD,EUR,0.92\n", encoding="utf-8")
    subset, fx, posts = [
        c
        for c in _section("A tour of the CLI")
        if c.startswith(("micromix kpis --by platform --kpis", "micromix kpis --source"))
    ]
    out = run(subset + " --json", monkeypatch).stdout
    rows = json.loads(out)["rows"]
    assert set(rows[0]) == {"platform", "currency", "ctr", "cpa", "roas"}
    assert {r["currency"] for r in rows} == {"USD"}
    converted = json.loads(run(fx + " --json", monkeypatch).stdout)
    assert any("money converted to EUR" in n for n in converted["notes"])
    converted = converted["rows"]
    assert converted and {r["currency"] for r in converted} == {"EUR"}
    per_platform = json.loads(run(posts, monkeypatch).stdout)["rows"]
    assert per_platform and {"likes", "engagement_rate_per_view", "emv"} <= set(per_platform[0])


#: README file name -> our own fixture of that layout (tests/ingest/fixtures)
REAL_DATA_FILES = {
    "Campaign report.csv": "google_ads_keywords_utf16.tsv",
    "meta_export.csv": "meta_ads_export.csv",
    "pinterest_ads.csv": "pinterest_ads.csv",
    "Events_Event_name.csv": "ga4_events_report.csv",
    "trending.json": "tiktok_api_items.json",
}


@covers("micromix inspect ads", 'micromix ingest ads "Campaign', "micromix ingest ads meta_export")
@covers("micromix ingest ads pinterest", "micromix ingest traffic", "micromix ingest posts")
def test_tour_bring_your_real_data(tour, monkeypatch):
    fixtures = ROOT / "tests" / "ingest" / "fixtures"
    for readme_name, fixture in REAL_DATA_FILES.items():
        shutil.copy(fixtures / fixture, readme_name)
    inspect, google, meta, pinterest, traffic, posts = _section("Bring your real data")
    expect = [
        (inspect, "google_ads", "ad_performance", True),
        (google, "google_ads", "ad_performance", False),
        (meta, "meta_ads", "ad_performance", True),
        (pinterest, "pinterest_ads", "ad_performance", False),
        (traffic, "ga_report", "traffic", False),
        (posts, "tiktok_posts", "posts", False),
    ]
    for cmd, layout, table, dry in expect:
        out = json.loads(run(cmd + " --json", monkeypatch).stdout)
        report = out.get("report", out)
        assert out["layout"] == layout, cmd
        assert report["accepted"] > 0 and report["quarantined"] == 0, cmd
        assert report["dry_run"] is dry, cmd
        if not dry:
            assert report["table"] == table, cmd
    assert "--currency" not in google  # Google's export states its currency
    stored = json.loads(
        run("micromix kpis --source ads --by currency --kpis spend --json", monkeypatch).stdout
    )["rows"]
    assert {r["currency"] for r in stored} == {"EUR", "AUD"}  # never summed together


@covers("micromix moments")
def test_tour_micro_moments(tour, monkeypatch):
    events = _export("events", "events.csv", monkeypatch)
    events[events["event_type"] == "search"].drop(columns=["moment"]).to_csv(
        "searches.csv", index=False
    )
    classify, bursts, sessions, watch = _section("Micro-moments (`docs/moments.md`)")
    run(classify, monkeypatch)
    tagged = pd.read_csv("tagged.csv")
    assert {"moment", "confidence", "topic"} <= set(tagged.columns)
    assert set(tagged["moment"]) <= {"know", "go", "do", "buy", "other"}
    found = run(bursts, monkeypatch).stdout
    assert found.splitlines()[0].startswith("key,")  # key, start, end, ... kind
    run(sessions, monkeypatch)
    assert "moment" in pd.read_csv("sessions.csv").columns
    _check_watch(watch)


def _check_watch(command: str) -> None:
    """``moments watch --source http``: it listens, takes POST /events, stops on Ctrl-C."""
    port = free_port()
    args = shlex.split(command)[1:]
    args[args.index("--port") + 1] = str(port)
    proc = subprocess.Popen(
        [sys.executable, "-m", "micromix.cli.main", *args, "--no-store"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = json.dumps(
            {"event_id": "e1", "ts": "2026-03-01T10:00:00Z", "user_id": "u1",
             "event_type": "search", "query": "dog food near me"}
        ).encode()  # fmt: skip
        status = None
        for _ in range(150):
            try:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/events",
                    data=body,
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(req, timeout=5) as resp:
                    status = resp.status
                break
            except OSError:
                time.sleep(0.2)
        assert status is not None and 200 <= status < 300, proc.stderr.read() if proc.poll() else ""
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - report rather than hang
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@covers("micromix export creators", "micromix social", "micromix creators")
def test_tour_social_and_creators(tour, monkeypatch):
    _export("posts", "posts.csv", monkeypatch)
    export, sentiment, listen, amplify, score, discover = _section(
        "Social listening, user content and creators (`docs/social.md`)"
    )
    run(export, monkeypatch)
    out = run(sentiment, monkeypatch).stdout
    assert out.splitlines()[0].endswith("sentiment,sentiment_score")
    res = run(listen, monkeypatch)
    doc = json.loads(res.stdout)
    sov = {r["brand"]: r["mentions"] for r in doc["share_of_voice"]}
    assert sov["Pawsome"] > 0 and sov["BarkBox"] == 0
    assert "no post mentions BarkBox" in res.output  # said, not silent zeros
    amp = run(amplify, monkeypatch)
    assert "amplification_score" in amp.output and "User content to amplify" in amp.output
    run(score, monkeypatch)
    scored = pd.read_csv("creators_scored.csv")
    assert {"tier", "engagement_rate", "authenticity", "est_cost_per_post"} <= set(scored.columns)
    picked = run(discover, monkeypatch)
    assert "Creators for 'pet'" in picked.output and "c0" in picked.output
    # without --posts the reason is the missing engagement, not the budget
    bare = run(discover.replace(" --posts posts.csv", ""), monkeypatch)
    assert "pass their posts with --posts" in bare.output and "raise --budget" not in bare.output


def _experiment_csv() -> None:
    """``experiment.csv``: the Starbucks layout (real when present) with a gender to audit."""
    star = SHARED / "uplift" / "starbucks_training.csv"
    if star.exists():
        df = pd.read_csv(star)
    else:  # the same layout, generated
        from micromix.audience.datasets import make_uplift_data

        g = make_uplift_data(n=6000, seed=3, effect=0.2)
        df = pd.DataFrame(
            {
                "ID": np.arange(1, len(g) + 1),
                "Promotion": np.where(g["treatment"] == "1", "Yes", "No"),
                "purchase": g["y"],
                **{f"V{i + 1}": g[f"x{i}"] for i in range(6)},
            }
        )
    rng = np.random.default_rng(0)
    df["gender"] = rng.choice(["F", "M"], size=len(df))
    df.to_csv("experiment.csv", index=False)


@covers("micromix audience", "micromix privacy erase")
def test_tour_audiences_and_privacy(tour, monkeypatch):
    _experiment_csv()
    uplift, target, compare, audit, erase = _section(
        "Microtargeting vs mass targeting, privacy (`docs/audience.md`)"
    )
    run(uplift, monkeypatch)
    assert "uplift" in pd.read_csv("scored.csv", nrows=5).columns
    res = run(target, monkeypatch)
    assert Path("contacts.csv").exists() and "min_audience" in res.output
    res = run(compare, monkeypatch)
    # measured on the experiment itself, each person ranked by a model that did not see them
    assert "winner:" in res.output and "out-of-fold" in res.output
    res = run(audit, monkeypatch)
    assert "disparate impact" in res.output and "fairness audit by gender" in res.output
    res = run(erase, monkeypatch)
    assert "audit record written" in res.output


@covers(
    "micromix mmm fit", "micromix optimize", "micromix export experiments", "micromix experiment"
)
def test_tour_mix_model_experiments_and_budget(tour, monkeypatch):
    shutil.copy(_need(SHARED / "mmm" / "pymc_marketing_mmm_example.csv"), "weekly.csv")
    fit, optimize, export, analyze, one, plan = _section(
        "Mix model, experiments and budget (`docs/measurement.md`)"
    )
    res = run(fit, monkeypatch)
    summary = json.loads(Path("out/mmm/summary.json").read_text())
    assert summary["outcome"] == "revenue" and set(summary["channels"]) == {"x1", "x2"}
    assert "R²" in res.output and "nan" not in res.output.lower()
    res = run(optimize, monkeypatch)
    assert "Current mix (same budget) vs recommended" in res.output
    assert "extrapolation" not in res.output  # the README's budget stays within the data
    refused = runner.invoke(app, _split(optimize.replace("--budget 30 ", "--budget 30000 "))[1])
    assert refused.exit_code != 0 and "more than the channels can take" in refused.output
    far = run(optimize.replace("--budget 30 ", "--budget 30000 --extrapolate "), monkeypatch)
    ratio = re.search(r"x1 gets [\d,.]+, ([\d,]+)x the most it ever got", far.output)
    assert "REVIEW extrapolation" in far.output and ratio, far.output[-800:]
    assert int(ratio.group(1).replace(",", "")) > 1500  # "over 1,500 times", as the README says
    run(export, monkeypatch)
    res = run(analyze, monkeypatch)
    assert "12 experiments in column 'experiment_id', each read on its own" in res.output
    assert "Effect vs control per experiment" in res.output
    assert "[PASS] unit_once" in res.output and "sample_ratio" in res.output
    res = run(one, monkeypatch)
    assert "Effect vs control 'control'" in res.output and "[PASS] sample_ratio" in res.output
    res = run(plan, monkeypatch)
    assert "to detect 0.01" in res.output


@covers("micromix plan")
def test_tour_one_plan(tour, monkeypatch):
    text, as_json = _section("One plan: `micromix plan` (`docs/plan.md`)")
    res = run(text, monkeypatch)
    assert "Plan - " in res.output and "simulator truth" in res.output
    assert "1. reallocate" in res.output and "why:" in res.output
    d = json.loads(run(as_json, monkeypatch).stdout)
    assert d["budget"] == pytest.approx(6000.0)
    assert {"allocation", "expected_gain", "expected_gain_low", "expected_gain_high"} <= set(d)
    assert {"actions", "truth"} <= set(d)
    assert sum(r["recommended_spend"] for r in d["allocation"]) == pytest.approx(6000.0)
    assert {a["kind"] for a in d["actions"]} <= {
        "reallocate",
        "target",
        "amplify",
        "hire",
        "respond",
    }


@covers(
    "micromix clv fit",
    "micromix clv by-strategy",
    "micromix compare micro-vs-mass --db demo/micromix.duckdb --lifetime",
    "micromix audience target --scores people.csv",
)
def test_tour_customer_lifetime_value(tour, monkeypatch):
    from micromix.clv import BetaGeoModel, GammaGammaModel, simulate_transactions

    bg = BetaGeoModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    gg = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "gamma": 15.44})
    simulate_transactions(bg, gg, customers=1500, random_state=4).to_csv(
        "transactions.csv", index=False
    )
    fit, fit_json, by_strategy, by_targeting, compare, target = _section(
        "Customer lifetime value (`docs/clv.md`)"
    )
    run(fit, monkeypatch)
    customers = pd.read_csv("clv-out/customers.csv")
    assert {"expected_purchases", "probability_alive", "expected_spend", "clv", "clv_low",
            "clv_high"} <= set(customers.columns)  # fmt: skip
    assert json.loads(Path("clv-out/summary.json").read_text())["holdout"]["mae_per_customer"] > 0
    assert "<script" in Path("clv-out/tracking.html").read_text()
    doc = json.loads(run(fit_json, monkeypatch).stdout)
    assert doc["model"] in ("bgnbd", "pareto") and list(doc["spend_params"]) == ["p", "q", "gamma"]
    rows = json.loads(run(by_strategy, monkeypatch).stdout)
    assert rows and all(r["clv_mean"] is not None or r["note"] for r in rows)
    assert {"first_purchase_roas", "lifetime_roas", "incremental_lifetime_roas"} <= set(rows[0])
    assert "CLV by first-purchase targeting over 20 weeks" in run(by_targeting, monkeypatch).output
    life = run(compare, monkeypatch).output  # 3,000 demo users: too few repeat buyers, said so
    assert "Over the customers' lifetime" in life or "No group has a lifetime ROAS yet" in life
    from micromix.store import Store

    store = Store.open("demo/micromix.duckdb", read_only=True)
    people = store.read("audience")[["user_id", "region"]]
    store.close()
    people.assign(uplift=0.04).to_csv("people.csv", index=False)
    res = run(target, monkeypatch)
    assert "value of a conversion: new-customer CLV" in res.output and "PASS" in res.output
    # the Python API example of the CLV section
    text = README.read_text(encoding="utf-8")
    code = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "fit_clv" in b)
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert len(scope["clv"].customers) == 1500  # type: ignore[attr-defined]


@covers("micromix serve", "micromix keys create")
def test_tour_service_and_keys(tour, monkeypatch):
    serve, keys = _section("The dashboard and the REST API")
    shutil.copy("demo/micromix.duckdb", "micromix.duckdb")  # a store with data: no seeding
    port = free_port()
    args = [*shlex.split(serve)[1:], "--port", str(port), "--no-warm"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "micromix.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MICROMIX_DB": str(tour / "micromix.duckdb")},
    )
    try:
        health = None
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                    health = json.loads(r.read())
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.2)
        assert health == {"status": "ok"}, proc.stderr.read() if proc.poll() is not None else ""
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            out, _ = proc.communicate()
    assert "created an admin key" in out and "mmx_" in out
    res = run(keys, monkeypatch)
    assert "mmx_" in res.output and "created viewer key" in res.output


def _installed(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@covers("micromix kpis --backend pyspark", "MICROMIX_BACKEND=")
def test_tour_scale_out(tour, monkeypatch):
    """Without the engines installed each line says how to install them, in one sentence."""
    local, cluster, warehouse = _section("Scale out")
    if _installed("pyspark"):
        pytest.skip("pyspark is installed: the Spark lines run in tests/parity (marker spark)")
    for cmd in (local, cluster):
        env, args = _split(cmd)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        res = runner.invoke(app, args)
        for k in env:
            monkeypatch.delenv(k)
        assert res.exit_code != 0 and "pip install 'micromix[spark]'" in res.output, res.output
        assert "Traceback" not in res.output
    if _installed("google.cloud.bigquery"):
        pytest.skip("the BigQuery driver is installed: the line needs a real project")
    env, args = _split(warehouse)
    monkeypatch.setenv("MICROMIX_BACKEND", env["MICROMIX_BACKEND"])
    res = runner.invoke(app, args)
    assert res.exit_code != 0 and "ibis-framework[bigquery]" in res.output
    assert "Traceback" not in res.output


@pytest.mark.spark
def test_tour_scale_out_on_spark(tour):
    """The README's local Spark line, in a process of its own (the JVM stays out of pytest)."""
    pytest.importorskip("pyspark")
    local = _section("Scale out")[0]
    out = subprocess.run(
        [sys.executable, "-m", "micromix.cli.main", *shlex.split(local)[1:], "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "MICROMIX_PROGRESS": "0"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rows = json.loads(out.stdout)["rows"]
    assert {r["platform"] for r in rows} >= {"instagram", "tiktok"}


def test_python_api_block(tour, monkeypatch):
    """The README's Python example (5,000 users instead of 50,000; as written in the slow test)."""
    code = _python_block().replace("users=50_000", "users=5_000")
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert isinstance(scope["res"].conclusion, str) and len(scope["kpis"])  # type: ignore[attr-defined]


def _python_block() -> str:
    text = README.read_text(encoding="utf-8")
    m = re.search(r"## Python API\s+```python\n(.*?)```", text, re.S)
    assert m
    return m.group(1)


def test_schema_describe_one_liner():
    m = re.search(r'`(python -c "from micromix.schema import EVENTS; [^`]*)`', README.read_text())
    assert m, "README lost its schema one-liner"
    argv = shlex.split(m.group(1))
    argv[0] = sys.executable  # the README's `python`, in the environment running the tests
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "event_id" in out.stdout


# ------------------------------------------------------------------------------ as written
@pytest.mark.slow
@covers("micromix demo")
def test_readme_sizes_as_written(tmp_path, monkeypatch):
    """The demo (README's 50,000 users, then the default 100,000) and the Python example as is."""
    monkeypatch.chdir(tmp_path)
    (cmd,) = [c for c in _section("A tour of the CLI") if c.startswith("micromix demo")]
    run(cmd, monkeypatch)
    assert (tmp_path / "demo" / "report.html").exists()
    run("micromix demo", monkeypatch)
    assert (tmp_path / "micromix-demo" / "report.html").exists()
    scope: dict[str, object] = {}
    exec(compile(_python_block(), "README.md", "exec"), scope)
    assert isinstance(scope["res"].conclusion, str)  # type: ignore[attr-defined]
