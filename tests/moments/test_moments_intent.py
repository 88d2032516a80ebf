"""Intent rules and the shipped classifier."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from micromix.errors import ConfigError, ModelError, NotFittedError
from micromix.moments import MOMENTS, IntentClassifier, explain
from micromix.moments.corpus import template_corpus
from micromix.moments.rules import IntentRule, rule_matrix, rule_votes

HAND = Path(__file__).with_name("data") / "handlabelled_web_queries.tsv"


@pytest.fixture(scope="module")
def default_clf() -> IntentClassifier:
    return IntentClassifier.load_default()


@pytest.fixture(scope="module")
def small_clf() -> IntentClassifier:
    df = template_corpus(120, seed=3)
    return IntentClassifier(n_features=2**12, char_ngrams=False).fit(df["text"], df["moment"])


def test_rules_vote_for_expected_moments():
    assert rule_votes("dog groomer near me")["go"] >= 3
    assert rule_votes("how to train a puppy")["do"] > 0
    assert rule_votes("dog food coupon")["buy"] > 0
    assert rule_votes("facebook login")["other"] > 0
    assert rule_votes("what is parvo")["know"] > 0
    assert [n for n, _, _ in explain("vet near me")] == ["near_me", "place_nouns"]
    m = rule_matrix(["vet near me", ""])
    assert m.shape[0] == 2 and m[1].nnz == 0


def test_rule_validates_moment():
    with pytest.raises(ValueError, match="moment='want'"):
        IntentRule("x", "y", "want")


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("emergency vet near me", "go"),
        ("how to clip dog nails", "do"),
        ("buy grain free dog food", "buy"),
        ("best dog bed for large dogs", "buy"),
        ("why do cats purr", "know"),
        ("gmail login", "other"),
        ("www.chewy.com", "other"),
    ],
)
def test_default_model_on_clear_queries(default_clf, text, moment):
    assert default_clf.predict([text])[0] == moment


def test_classify_returns_moment_and_confidence(default_clf):
    out = default_clf.classify(["vet near me", None, "", "asdf qwerty"])
    assert list(out.columns) == ["moment", "confidence"]
    assert out["moment"].isin(MOMENTS).all()
    assert out["confidence"].between(0, 1).all()
    proba = default_clf.predict_proba(["vet near me"])
    assert proba.shape == (1, len(default_clf.classes_))
    assert np.isclose(proba.sum(), 1.0)


def test_cache_gives_same_answers_as_uncached(default_clf):
    texts = ["how to bathe a cat", "cat litter price", "how to bathe a cat", "petco hours"]
    cached = default_clf.predict_proba(texts)
    plain = IntentClassifier.load_default().set_params(cache_size=0).predict_proba(texts)
    np.testing.assert_allclose(cached, plain)
    np.testing.assert_allclose(cached[0], cached[2])


def test_handlabelled_web_queries_accuracy(default_clf):
    df = pd.read_csv(HAND, sep="\t")
    acc = default_clf.score(df["text"], df["moment"])
    assert acc >= 0.8, acc


def test_fit_predict_save_load_roundtrip(small_clf, tmp_path):
    assert set(small_clf.classes_) == set(MOMENTS)
    texts = ["how to make pancakes", "cheap dog bed", "petco near me"]
    p = small_clf.save(tmp_path / "m.npz")
    again = IntentClassifier.load(p)
    np.testing.assert_allclose(
        again.predict_proba(texts), small_clf.predict_proba(texts), rtol=1e-5, atol=1e-6
    )
    assert again.get_params()["n_features"] == 2**12


def test_errors_are_clear(tmp_path):
    with pytest.raises(NotFittedError, match="not fitted"):
        IntentClassifier().predict(["x"])
    with pytest.raises(ConfigError, match="n_features=1000"):
        IntentClassifier(n_features=1000).fit(["a", "b"], ["know", "buy"])
    with pytest.raises(ConfigError, match="not micro-moments"):
        IntentClassifier(n_features=2**10).fit(["a", "b"], ["know", "shop"])
    with pytest.raises(ConfigError, match="no parameter 'foo'"):
        IntentClassifier().set_params(foo=1)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load"):
        IntentClassifier.load(bad)


def test_template_corpus_is_seeded():
    a = template_corpus(30, seed=1)
    b = template_corpus(30, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert set(a["moment"]) == set(MOMENTS)
