"""Every guardrail refuses what it must refuse."""

from __future__ import annotations

import pandas as pd
import pytest
from _audience_data import FEATURES

from micromix.audience.datasets import make_audience, make_uplift_data
from micromix.audience.learners import get_learner
from micromix.audience.policy import TargetingSpec, target
from micromix.audience.privacy import (
    AUDIT_TABLE,
    PrivacyPolicy,
    audit_audience,
    check_consent,
    check_erased,
    check_features,
    check_k_anonymity,
    check_min_audience,
    check_minors,
    check_model,
    check_special_ad_category,
    enforce,
    erase_user,
    erased_subjects,
    ineligible_reasons,
    subject_hash,
    suppress_small_cells,
)
from micromix.audience.scoring import attach_consent, score_uplift
from micromix.checks import Status
from micromix.errors import ConfigError, GuardrailError


def _people(**cols):
    n = len(next(iter(cols.values())))
    return pd.DataFrame({"user_id": [f"u{i}" for i in range(n)], **cols})


@pytest.mark.parametrize(
    "column, values",
    [
        ("consent_ads_personalisation", [True, False, True]),
        ("consent_ads_personalisation", ["yes", "no", "yes"]),
        ("opt_out_sale", [False, True, False]),
        ("gpc", [0, 1, 0]),
        ("consent_withdrawn", [False, True, False]),
        ("consent_status", ["granted", "withdrawn", "granted"]),
    ],
)
def test_consent_refuses_anyone_who_said_no(column, values):
    res = check_consent(_people(**{column: values}))
    assert res.status is Status.FAIL and res.details["refused"] == 1
    ok = _people(**{column: [values[0]] * 3})
    assert check_consent(ok).status is Status.PASS


def test_consent_unknown_is_review_and_missing_consent_counts_as_no():
    assert check_consent(_people(x=[1, 2])).status is Status.REVIEW
    assert check_consent(_people(consent_ads_personalisation=[True, None])).failed


@pytest.mark.parametrize(
    "column, values",
    [
        ("is_minor", [False, True]),
        ("age", [34, 16]),
        ("age_band", ["25-34", "13-17"]),
        ("age_band", ["18-24", "under 18"]),
    ],
)
def test_minors_are_refused(column, values):
    res = check_minors(_people(**{column: values}))
    assert res.failed and res.details["minors"] == 1
    assert "DSA Art. 28" in res.message


def test_adults_pass_minor_check():
    assert check_minors(_people(age_band=["18-24", "55+", "25-34"])).status is Status.PASS
    assert check_minors(_people(x=[1])).status is Status.REVIEW


@pytest.mark.parametrize(
    "col",
    [
        "health_condition",
        "ethnicity",
        "religion",
        "political_view",
        "sexual_orientation",
        "trade_union_member",
        "Race",
    ],
)
def test_special_category_features_are_refused(col):
    res = check_features(["recency", col])
    assert res.failed and col in res.details["columns"]
    assert check_features(["recency", "spend", "region", "trace_id"]).status is Status.PASS


def test_special_category_values_are_flagged_for_review():
    data = pd.DataFrame({"interests": ["dogs", "religion", "cats"]})
    assert check_features(["interests"], data=data).status is Status.REVIEW


def test_model_trained_on_special_category_is_refused():
    df = make_uplift_data(n=600, seed=3).rename(columns={"x3": "health_score"})
    model = get_learner("t", n_estimators=5).fit(
        df[["x0", "health_score"]], df["treatment"], df["y"]
    )
    assert check_model(model).failed
    with pytest.raises(GuardrailError, match="special-category") as exc:
        score_uplift(df, treatment="treatment", outcome="y", features=["x0", "health_score"])
    assert exc.value.checks and exc.value.checks[0].name == "special_category"
    run = score_uplift(df, treatment="treatment", outcome="y", features="auto")
    assert "health_score" not in run.features
    assert any(c.name == "special_category" and c.status is Status.REVIEW for c in run.checks)


@pytest.mark.parametrize("cat", ["housing", "employment", "credit", "financial_services"])
def test_special_ad_categories_disable_microtargeting(cat):
    assert check_special_ad_category(cat, "micro").failed
    assert check_special_ad_category(cat, "hybrid").failed
    assert check_special_ad_category(cat, "mass").status is Status.PASS
    scores = pd.DataFrame({"uplift": [0.1] * 500})
    spec = TargetingSpec(budget=1000, cost_per_contact=0.1, value_per_conversion=10)
    with pytest.raises(GuardrailError, match="microtargeting is disabled"):
        target(scores, spec, policy="micro", special_ad_category=cat)
    assert target(scores, spec, policy="mass", special_ad_category=cat).summary["contacts"] == 500
    with pytest.raises(ConfigError, match="not known"):
        check_special_ad_category("pets", "micro")


@pytest.mark.parametrize(
    "platform, minimum", [("meta", 100), ("google", 100), ("linkedin", 300), ("tiktok", 1000)]
)
def test_minimum_audience_per_platform(platform, minimum):
    assert check_min_audience(minimum - 1, platform).failed
    assert check_min_audience(minimum, platform).status is Status.PASS
    scores = pd.DataFrame({"uplift": [0.5] * (minimum - 1)})
    spec = TargetingSpec(budget=1e6, cost_per_contact=1, value_per_conversion=10)
    with pytest.raises(GuardrailError, match=f"needs at least {minimum}"):
        target(scores, spec, platform=platform)


def test_minimum_audience_is_configurable():
    pol = PrivacyPolicy(min_audience={"meta": 5})
    assert check_min_audience(6, "meta", pol).status is Status.PASS
    assert check_min_audience(4, "meta", pol).failed
    with pytest.raises(ConfigError, match="must be >= 1"):
        PrivacyPolicy(min_audience={"meta": 0})
    assert PrivacyPolicy.from_dict(pol.to_dict()) == pol


def test_k_anonymity_of_segment_summaries():
    summary = pd.DataFrame({"segment": ["a", "b", "c"], "size": [500, 7, 40]})
    res = check_k_anonymity(summary, "size", k=10)
    assert res.failed and res.details["rows_below_k"] == 1
    safe = suppress_small_cells(summary, "size", k=10)
    assert list(safe["segment"]) == ["a", "c"] and safe.attrs["suppressed_rows"] == 1
    assert check_k_anonymity(safe, "size", k=10).status is Status.PASS


def test_targeting_never_exports_people_who_may_not_be_targeted():
    aud = make_audience(n=3000, seed=4)
    scores = aud[["user_id"]].assign(uplift=0.2)
    scored = attach_consent(scores, aud)
    spec = TargetingSpec(budget=1e6, cost_per_contact=0.1, value_per_conversion=10)
    res = target(scored, spec, platform="meta")
    bad = ineligible_reasons(aud) != ""
    assert bad.sum() > 100
    assert not set(aud.loc[bad, "user_id"]) & set(res.audience["user_id"])
    assert res.summary["excluded"] == bad.sum()
    assert {c.name: c.status for c in res.checks}["consent"] is Status.PASS
    # an audience assembled elsewhere that includes them is refused at the boundary
    with pytest.raises(GuardrailError, match="refused ad personalisation"):
        enforce(audit_audience(aud, platform="meta"))


def test_erasure_removes_the_person_everywhere_and_from_future_exports():
    from micromix.store import Store

    st = Store.open(":memory:")
    aud = make_audience(n=200, seed=1, refusal_rate=0.0, minor_rate=0.0)
    st.append("audience", aud)
    st.append(
        "experiments",
        pd.DataFrame(
            {"experiment_id": ["e1", "e1"], "unit_id": ["u000007", "u000008"], "arm": ["a", "b"]}
        ),
    )
    st.append("notes_custom", pd.DataFrame({"user_id": ["u000007"], "note": ["x"]}))
    res = erase_user(st, "u000007")
    assert res.deleted["audience"] == 1 and res.deleted["experiments"] == 1
    assert res.deleted["notes_custom"] == 1
    assert "u000007" not in set(st.read("audience")["user_id"])
    assert st.count("experiments") == 1
    log = st.read(AUDIT_TABLE)
    assert len(log) == 1 and log["action"].iloc[0] == "erase"
    assert "u000007" not in log.to_csv()  # only a hash is kept
    erased = erased_subjects(st)
    assert erased.holds(pd.Series(["u000007", "u000008"])).tolist() == [True, False]
    # the person comes back in a new scores file: never exported again
    scores = aud[["user_id"]].assign(uplift=0.3, consent_ads_personalisation=True, is_minor=False)
    out = target(
        scores,
        TargetingSpec(budget=1e5, cost_per_contact=1, value_per_conversion=10),
        erased=erased,
    )
    assert "u000007" not in set(out.audience["user_id"])
    assert check_erased(scores, erased).failed
    with pytest.raises(ConfigError, match="USER_ID is empty"):
        erase_user(st, "  ")
    st.close()


def test_erasure_reaches_the_raw_records_of_quarantined_rows(tmp_path):
    """A row refused at ingest keeps the file's cells as its raw record: the person's
    id among them is erased with it; another person's quarantined row stays."""
    from micromix.ingest import ingest_file
    from micromix.store import Store

    f = tmp_path / "ev.csv"
    f.write_text(
        "event_id,ts,user_id,event_type\n"
        "e1,2026-04-01T10:00:00Z,u_bad,search\n"
        "e2,not-a-date,u_bad,search\n"
        "e3,not-a-date,u_bad2,search\n",
        encoding="utf-8",
    )
    st = Store.open(tmp_path / "q.duckdb")
    ingest_file(st, "events", f)
    assert st.count("quarantine") == 2
    res = erase_user(st, "u_bad")
    assert res.deleted["quarantine"] == 1  # not u_bad2's row: whole values only
    left = st.read("quarantine")["record"].tolist()
    assert len(left) == 1 and "u_bad2" in left[0]
    assert 'u_bad"' not in st.read("quarantine").to_csv()
    st.close()


def test_targeting_refuses_special_category_criteria():
    scores = pd.DataFrame({"uplift": [0.2] * 200})
    spec = TargetingSpec(budget=1e4, cost_per_contact=1, value_per_conversion=10)
    with pytest.raises(GuardrailError, match="special-category"):
        target(scores, spec, features=["religion"])
    assert FEATURES  # the shared feature list is free of special categories
    assert check_features(FEATURES).status is Status.PASS


def test_auto_features_leave_out_consent_flags_and_protected_attributes():
    from micromix.audience._prep import select_features

    aud = make_audience(n=300, seed=8)
    df = make_uplift_data(n=300, seed=8).assign(**{c: aud[c] for c in aud.columns})
    feats = select_features(df, treatment="treatment", outcome="y")
    for col in ("user_id", "gender", "consent_ads_personalisation", "gpc", "is_minor", "y"):
        assert col not in feats
    assert {"x0", "region", "age_band", "interests"} <= set(feats)


def test_erasing_an_unknown_id_is_refused_and_erasing_again_is_a_no_op():
    """Before: an id no row held (a typo, another case) printed 'erased 0 row(s); audit
    record written' and a second erasure wrote a second record; the requester was told the
    person was gone while their rows stayed."""
    from micromix.store import Store

    st = Store.open(":memory:")
    st.append("audience", make_audience(n=50, seed=3, refusal_rate=0.0, minor_rate=0.0))
    with pytest.raises(ConfigError, match="no row in the store holds the id 'U000007'"):
        erase_user(st, "U000007")
    assert not st.has_table(AUDIT_TABLE) or st.count(AUDIT_TABLE) == 0
    assert "u000007" in set(st.read("audience")["user_id"])
    first = erase_user(st, "u000007")
    assert first.total == 1 and first.audited and not first.already_erased
    again = erase_user(st, "u000007")
    assert again.already_erased and not again.audited and again.total == 0
    assert st.count(AUDIT_TABLE) == 1
    # rows that came back (a re-ingested file) are erased and recorded again
    st.append("audience", make_audience(n=50, seed=3).iloc[[7]])
    back = erase_user(st, "u000007")
    assert back.total == 1 and back.audited and st.count(AUDIT_TABLE) == 2
    # a person whose data has not arrived yet: recorded only when asked, kept out of exports
    rec = erase_user(st, "u_future", record_unknown=True)
    assert rec.audited and erased_subjects(st).holds(pd.Series(["u_future"]))[0]
    st.close()


def test_the_audit_hash_is_keyed_so_trying_every_id_does_not_reveal_who_was_erased():
    from micromix.audience.privacy import ERASURE_KEY_TABLE, erasure_key
    from micromix.store import Store

    st = Store.open(":memory:")
    st.append("audience", make_audience(n=50, seed=2, refusal_rate=0.0, minor_rate=0.0))
    uid = str(st.read("audience")["user_id"].iloc[3])
    erase_user(st, uid)
    logged = str(st.read(AUDIT_TABLE)["subject_hash"].iloc[0])
    key = erasure_key(st)
    assert key is not None and len(key) == 32
    assert logged == subject_hash(uid, key) and logged.startswith("k1:")
    # an attacker with the audit log but not the key: the plain hash of every id misses
    guesses = {subject_hash(f"u{i:06d}") for i in range(100)} | {subject_hash(uid)}
    assert logged not in guesses
    # a second store has its own key: the same person hashes differently there
    other = Store.open(":memory:")
    other.append("audience", pd.DataFrame({"user_id": [uid]}))
    erase_user(other, uid)
    assert str(other.read(AUDIT_TABLE)["subject_hash"].iloc[0]) != logged
    assert erasure_key(other) != key
    # records written before the key (plain SHA-256) are still honoured
    st.append(
        AUDIT_TABLE,
        pd.DataFrame(
            {
                "ts": [pd.Timestamp("2026-01-01")],
                "action": ["erase"],
                "subject_hash": [subject_hash("legacy-1")],
                "details": ["{}"],
                "rows_deleted": [0],
                "requested_by": ["cli"],
            }
        ),
    )
    erased = erased_subjects(st)
    assert erased.holds(pd.Series([uid, "legacy-1", "someone"])).tolist() == [True, True, False]
    assert check_erased(pd.DataFrame({"user_id": ["legacy-1"]}), erased).failed
    # erasing again is a no-op whichever kind of record holds the person
    assert erase_user(st, uid).already_erased and erase_user(st, "legacy-1").already_erased
    assert ERASURE_KEY_TABLE not in set(erased_subjects(st))
    st.close()
    other.close()


def test_a_copy_of_the_erased_set_without_its_key_is_refused_not_matched_as_nobody():
    """A plain ``set(erased_subjects(st))`` has lost the store's key: matching it would pass
    every erased person (review r29z #1)."""
    from micromix.store import Store

    st = Store.open(":memory:")
    st.append("audience", pd.DataFrame({"user_id": ["u1", "u2"]}))
    erase_user(st, "u1")
    erased = erased_subjects(st)
    assert check_erased(pd.DataFrame({"user_id": ["u1"]}), erased).failed
    erased.add("extra")  # still a set, as before the key
    with pytest.raises(ConfigError, match="no key"):
        check_erased(pd.DataFrame({"user_id": ["u1"]}), set(erased))
    st.close()
