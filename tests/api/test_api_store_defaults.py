"""What the API takes from the store when a request does not say it: the currency of money
(the store's by :func:`micromix.metrics.store_currency`: the simulated market's USD, EUR
for EUR ad reports, never a guessed one on real data), the brand the posts are about
(the store's own, never the simulator's on real data), the advice of a refused daily split in
the API's parameters, the reason a creator cohort is empty, and the planned split of a stored
experiment's sample-ratio check."""

from __future__ import annotations

import pandas as pd
import pytest

from _frames import real_events


@pytest.fixture()
def tables_app(fresh_app):
    """Factory: a client over a fresh store holding ``tables`` and a viewer's headers."""

    def make(tables: dict[str, pd.DataFrame]):
        client, svc = fresh_app()
        for name, frame in tables.items():
            svc.store.append(name, frame)
        key = svc.keys.create("viewer", name="defaults")[0]
        return client, {"Authorization": f"Bearer {key}"}

    return make


def _posts(mentions: list[str]) -> pd.DataFrame:
    n = len(mentions)
    return pd.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(n)],
            "author_id": [f"a{i}" for i in range(n)],
            "platform": "instagram",
            "ts": pd.date_range("2026-03-01", periods=n, freq="D", tz="UTC"),
            "text": [f"love my new lead from {m.lstrip('@') or 'the park'}" for m in mentions],
            "likes": 30,
            "comments": 4,
            "shares": 1,
            "followers": 900,
            "mentions": mentions,
            "hashtags": "dogs",
            "source": "genuine",
        }
    )


# ------------------------------------------------------------------ 1. currency
def test_simulated_store_states_its_currency_in_status_and_kpis(client, auth):
    h = auth("viewer")
    assert client.get("/api/v1/status", headers=h).json()["currency"] == "USD"
    body = client.get("/api/v1/kpis?by=strategy", headers=h).json()
    assert body["source"] == "events"
    assert {r["currency"] for r in body["rows"]} == {"USD"}
    assert any("simulated market" in n for n in body["notes"])
    assert not any("currency null" in n for n in body["notes"])
    # ad reports carry their own currency: no note about a stated one the API did not state
    ads = client.get("/api/v1/kpis?source=ads", headers=h).json()
    assert {r["currency"] for r in ads["rows"]} == {"USD"}
    assert not any("was not used" in n for n in ads["notes"])


def test_real_events_keep_an_unknown_currency_unknown(tables_app):
    client, h = tables_app({"events": real_events()})
    assert client.get("/api/v1/status", headers=h).json()["currency"] is None
    body = client.get("/api/v1/kpis", headers=h).json()
    assert body["rows"][0]["currency"] is None and body["rows"][0]["spend"] == 4.0
    assert any("currency null" in n for n in body["notes"])
    stated = client.get("/api/v1/kpis?currency=eur", headers=h).json()
    assert stated["rows"][0]["currency"] == "EUR"


def _ads(currency: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-03-01", "2026-03-02"]),
            "platform": ["instagram", "tiktok"],
            "strategy": "paid_social",
            "impressions": [1000, 2000],
            "clicks": [10, 30],
            "spend": [5.0, 7.5],
            "currency": currency,
        }
    )


def test_ad_reports_in_eur_make_status_and_kpis_say_eur(tables_app):
    client, h = tables_app({"ad_performance": _ads("eur")})
    assert client.get("/api/v1/status", headers=h).json()["currency"] == "EUR"
    body = client.get("/api/v1/kpis?by=platform", headers=h).json()
    assert body["source"] == "ads"
    assert {r["currency"] for r in body["rows"]} == {"EUR"}


def test_events_beside_eur_ads_are_stated_in_eur_with_a_note(tables_app):
    client, h = tables_app({"ad_performance": _ads("EUR"), "events": real_events()})
    assert client.get("/api/v1/status", headers=h).json()["currency"] == "EUR"
    body = client.get("/api/v1/kpis?source=events", headers=h).json()
    assert {r["currency"] for r in body["rows"]} == {"EUR"}
    assert any("taken to be in EUR" in n and "currency=" in n for n in body["notes"])
    assert not any("--currency" in n for n in body["notes"])  # the API's own terms
    stated = client.get("/api/v1/kpis?source=events&currency=gbp", headers=h).json()
    assert {r["currency"] for r in stated["rows"]} == {"GBP"}
    assert not any("taken to be" in n for n in stated["notes"])


def test_ad_reports_in_two_currencies_have_no_store_currency(tables_app):
    ads = pd.concat([_ads("AUD"), _ads("GBP")], ignore_index=True)
    ads["platform"] = ["instagram", "tiktok", "facebook", "linkedin"]
    client, h = tables_app({"ad_performance": ads})
    assert client.get("/api/v1/status", headers=h).json()["currency"] is None
    body = client.get("/api/v1/kpis", headers=h).json()
    assert {r["currency"] for r in body["rows"]} == {"AUD", "GBP"}  # kept per currency


# ------------------------------------------------------------------ 2. daily split refused
def test_daily_kpis_refusal_names_the_api_parameters(tables_app):
    from micromix.simulate import SimConfig, simulate

    ads = simulate(SimConfig(users=300, days=10, seed=9)).tables()["ad_performance"]
    ads["date_end"] = ads["date"]
    ads.loc[ads.index[-1], "date_end"] = ads["date"].iloc[-1] + pd.Timedelta(days=9)
    client, h = tables_app({"ad_performance": ads})
    r = client.get("/api/v1/kpis?by=strategy&grain=day", headers=h)
    body = r.json()
    assert r.status_code == 422, body
    msg = body["message"]
    assert "grain=week or grain=month" in msg and "spread=true" in msg, msg
    assert "--" not in msg and "micromix kpis" not in msg, msg
    assert body["crossing_rows"] == 1 and body["grain"] == "day"
    assert body["example"].startswith("campaign ")
    weekly = client.get("/api/v1/kpis?by=strategy&grain=week", headers=h).json()["message"]
    assert "grain=month or no grain" in weekly
    spread = client.get("/api/v1/kpis?by=strategy&grain=day&spread=true", headers=h)
    assert spread.status_code == 200 and any("spread" in n for n in spread.json()["notes"])


# ------------------------------------------------------------------ 4. brand
def test_amplify_defaults_to_the_simulated_markets_brand(client, auth):
    h = auth("viewer")
    assert client.get("/api/v1/status", headers=h).json()["brand"] == "Pawsome"
    assert client.get("/api/v1/social/amplify?top=3", headers=h).json()["brand"] == "Pawsome"


def test_amplify_on_real_posts_asks_for_the_brand_never_guesses_it(tables_app):
    # posts that mostly mention one account: still real data, so the brand is asked for
    client, h = tables_app({"posts": _posts(["@pawco", "pawco,@vet", "", "@pawco"])})
    assert client.get("/api/v1/status", headers=h).json()["brand"] is None
    r = client.get("/api/v1/social/amplify", headers=h)
    assert r.status_code == 422 and r.json()["error"] == "brand_required"
    named = client.get("/api/v1/social/amplify?brand=pawco", headers=h).json()
    assert named["brand"] == "pawco" and named["rows"]
    named = client.get("/api/v1/social/amplify?brand=BarkBox", headers=h).json()
    assert named["brand"] == "BarkBox"
    assert client.get("/api/v1/social/listening?brand=pawco", headers=h).status_code == 200

    client, h = tables_app({"posts": _posts(["", "", ""])})
    assert client.get("/api/v1/status", headers=h).json()["brand"] is None
    for route in ("/api/v1/social/amplify", "/api/v1/social/listening"):
        r = client.get(route, headers=h)
        body = r.json()
        assert r.status_code == 422 and body["error"] == "brand_required", body
        assert "?brand=" in body["message"] and "Pawsome" not in body["message"]
    assert client.get("/api/v1/social/amplify?brand=PawCo", headers=h).json()["brand"] == "PawCo"


def test_amplify_without_posts_says_there_are_none(tables_app):
    client, h = tables_app({"events": real_events()})
    r = client.get("/api/v1/social/amplify", headers=h)
    assert r.status_code == 409 and "no posts in the store" in r.json()["message"]


# ------------------------------------------------------------------ 5. cohort notes
def test_discover_returns_why_a_cohort_hires_no_one(client, auth):
    h = auth("viewer")
    body = client.post("/api/v1/creators/discover", json={"budget": 50}, headers=h).json()
    assert any("over the budget of US$50" in n for n in body["notes"]), body["notes"]
    roomy = client.post("/api/v1/creators/discover", json={"budget": 1e7}, headers=h).json()
    # both cohorts hire: no note of its own, only what scoring the creators assumed (as GET)
    scoring = client.get("/api/v1/creators", headers=h).json()["notes"]
    assert roomy["notes"] == scoring
    none = client.post(
        "/api/v1/creators/discover", json={"niche": "pet", "min_authenticity": 1}, headers=h
    ).json()
    assert none["picked"] == [] and none["notes"], none


def _creators(niches: list[str], followers: float = 50_000.0, rate: float = 400.0) -> pd.DataFrame:
    """Creator profiles of the given niches (one creator each), all alike otherwise."""
    n = len(niches)
    return pd.DataFrame(
        {
            "creator_id": [f"c{i}" for i in range(n)],
            "platform": "instagram",
            "handle": [f"@c{i}" for i in range(n)],
            "followers": followers,
            "niche": niches,
            "engagement_rate": 0.04,
            "rate_per_post": rate,
        }
    )


def test_discover_without_a_niche_takes_the_creators_most_common_one(tables_app):
    # the brief the report and the plan use (brief_from_data), never a fixed "pet"
    client, h = tables_app({"creators": _creators(["music", "music", "music", "pet"])})
    body = client.post("/api/v1/creators/discover", json={"budget": 1e6}, headers=h).json()
    assert body["brief"]["niche"] == "music" and body["brief"]["niche_from"] == "data", body
    assert {p["creator_id"] for p in body["picked"]} >= {"c0", "c1", "c2"}
    given = client.post("/api/v1/creators/discover", json={"niche": "pet"}, headers=h).json()
    assert given["brief"]["niche"] == "pet" and given["brief"]["niche_from"] == "given"
    every = client.post(
        "/api/v1/creators/discover", json={"niche": "any", "budget": 1e6}, headers=h
    )
    assert every.json()["brief"]["niche_from"] == "any" and len(every.json()["picked"]) == 4
    bad = client.post("/api/v1/creators/discover", json={"niche": "knitting"}, headers=h)
    assert bad.status_code == 422 and "knitting" in bad.json()["message"]


def test_discover_notes_speak_the_briefs_fields_in_good_grammar(tables_app):
    # one creator fits but costs more than the budget: "1 creator fits ... raise the budget",
    # not the CLI's "1 creators fit ... raise --budget"
    client, h = tables_app({"creators": _creators(["music"], followers=2e6, rate=120_000.0)})
    body = client.post("/api/v1/creators/discover", json={"budget": 5000}, headers=h).json()
    notes = " ".join(body["notes"])
    assert body["picked"] == [] and notes.startswith("1 creator fits the brief"), notes
    assert "raise the budget" in notes and "--" not in notes, notes


def test_discover_without_a_budget_takes_the_influencer_spend_as_the_plan_does(
    client, auth, api_store
):
    # the dashboard's creators page and the report agree: the budget the plan bases the
    # brief on (the influencer spend in the events), said in budget_from like niche_from
    from micromix.plan import influencer_spend

    h = auth("viewer")
    spend = influencer_spend(api_store)
    assert spend is not None and spend > 0
    body = client.post("/api/v1/creators/discover", json={}, headers=h).json()
    assert body["brief"]["budget"] == pytest.approx(spend), body["brief"]
    assert body["brief"]["budget_from"] == "events" and body["brief"]["niche_from"] == "data"
    given = client.post("/api/v1/creators/discover", json={"budget": 777}, headers=h).json()
    assert given["brief"]["budget"] == 777 and given["brief"]["budget_from"] == "given"


def test_discover_without_events_budgets_the_default_and_says_so(tables_app):
    client, h = tables_app({"creators": _creators(["music", "pet"])})
    body = client.post("/api/v1/creators/discover", json={}, headers=h).json()
    assert body["brief"]["budget"] == 5_000 and body["brief"]["budget_from"] == "default", body


def test_creators_carry_the_scoring_notes(tables_app):
    # profiles without a following count: authenticity left empty, said as the CLI says it
    client, h = tables_app({"creators": _creators(["music", "pet"])})
    got = client.get("/api/v1/creators", headers=h).json()
    assert any("following" in n for n in got["notes"]), got["notes"]
    body = client.post("/api/v1/creators/discover", json={"budget": 1e6}, headers=h).json()
    assert [n for n in got["notes"] if n in body["notes"]] == got["notes"], body["notes"]


# ------------------------------------------------------------------ 6. experiment ratio
def _unequal_experiment(client, h) -> tuple[str, float]:
    arms = pd.DataFrame(client.get("/api/v1/experiments", headers=h).json()["rows"])
    for exp_id, g in arms.groupby("experiment_id"):
        units = g.set_index("arm")["units"]
        if {"treatment", "control"} <= set(units.index):
            ratio = units["treatment"] / units["control"]
            if ratio > 1.5:
                return str(exp_id), float(ratio)
    pytest.skip("the simulated market has no unequal holdout")


def test_experiment_route_tests_the_planned_ratio(client, auth):
    h = auth("viewer")
    exp_id, ratio = _unequal_experiment(client, h)

    def srm(query: str) -> dict:
        r = client.get(f"/api/v1/experiments/{exp_id}{query}", headers=h)
        assert r.status_code == 200, r.json()
        return next(c for c in r.json()["checks"] if c["name"] == "sample_ratio")

    equal = srm("")
    assert equal["status"] == "review" and "equal split" in equal["message"]
    assert "ratio=" in equal["recommendation"] and "--ratio" not in equal["recommendation"]
    planned = srm(f"?ratio={ratio:.4f}")
    assert planned["status"] == "pass" and "planned split" in planned["message"]
    # a stated plan the arms miss is a broken assignment (fail), not a question (review)
    assert srm("?ratio=1")["status"] == "fail"
    assert srm(f"?ratio={ratio * 3:.4f}")["status"] == "fail"


@pytest.mark.parametrize("bad", ["0", "-2", "abc", "nan", "inf", "1001"])
def test_experiment_route_refuses_a_bad_ratio(client, auth, bad):
    h = auth("viewer")
    exp_id, _ = _unequal_experiment(client, h)
    r = client.get(f"/api/v1/experiments/{exp_id}?ratio={bad}", headers=h)
    body = r.json()
    assert r.status_code == 422 and "ratio" in body["message"], body
    assert "Traceback" not in body["message"]


def test_an_influencer_spend_equal_to_the_default_is_still_the_events(tables_app, monkeypatch):
    """Where the budget came from is decided by whether the events gave one, never by comparing
    the amount with the default's: an influencer spend of exactly 5,000 is "events"."""
    from micromix.api.routers import creators as route

    monkeypatch.setattr(route, "_events_budget", lambda svc: 5_000.0)
    client, h = tables_app({"creators": _creators(["music", "pet"])})
    body = client.post("/api/v1/creators/discover", json={}, headers=h).json()
    assert body["brief"]["budget"] == 5_000 and body["brief"]["budget_from"] == "events", body
