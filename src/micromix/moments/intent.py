"""Intent classifier: know / go / do / buy / other, with a confidence.

:class:`IntentClassifier` is a scikit-learn style estimator that combines the interpretable
rules of :mod:`micromix.moments.rules` with a linear model over hashed word and character
n-grams. The model ships inside the package (``moments/_data/intent_model.npz``, trained by
``python -m micromix.moments.train``), so classification runs offline. Repeated texts are served
from an LRU cache, which is what makes real (Zipf-distributed) query traffic fast.

Quickstart
----------
>>> from micromix.moments import IntentClassifier
>>> clf = IntentClassifier.load_default()
>>> clf.predict(["vet near me", "how to clip dog nails", "buy grain free dog food"]).tolist()
['go', 'do', 'buy']
>>> out = clf.classify(["facebook login"])
>>> out.loc[0, "moment"], bool(0 <= out.loc[0, "confidence"] <= 1)
('other', True)
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn import config_context
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

from micromix.errors import ConfigError, ModelError, NotFittedError
from micromix.moments.rules import MOMENTS, RULES, normalize_text, rule_matrix

__all__ = ["DEFAULT_MODEL_PATH", "WEB_SEARCH_PRIOR", "IntentClassifier"]

#: where the trained default model lives inside the package
DEFAULT_MODEL_PATH = Path(__file__).with_name("_data") / "intent_model.npz"

_FORMAT_VERSION = 1

#: default label shares assumed for web search traffic (informational queries dominate,
#: local I-want-to-go queries are a minority); see ``docs/moments.md``
WEB_SEARCH_PRIOR: dict[str, float] = {
    "know": 0.35,
    "go": 0.05,
    "do": 0.2,
    "buy": 0.2,
    "other": 0.2,
}


class IntentClassifier:
    """Micro-moment intent classifier (rules + hashed n-gram logistic regression).

    Parameters
    ----------
    C : float
        Inverse L2 regularisation strength of the logistic regression.
    n_features : int
        Hashing space per n-gram family (a power of two keeps the model small).
    rule_scale : float
        Value of a fired rule feature; larger lets the rules speak louder against n-grams.
    char_ngrams : bool
        Add character 3-5-grams (within words) to the word uni- and bi-grams; helps with
        spelling variants and words never seen in training.
    cache_size : int
        Number of distinct normalised texts whose result is kept (0 disables the cache).
    class_weight : str or None
        ``"balanced"`` to re-weight classes by inverse frequency in ``fit``.
    class_prior : dict or None
        Expected share of each label in the traffic to classify. The model is trained with
        balanced classes; this shifts its logits by ``log(prior x n_classes)`` (Bayes' rule),
        e.g. web search traffic holds far more I-want-to-know than I-want-to-go queries.
        ``None`` keeps the balanced prior. Default: :data:`WEB_SEARCH_PRIOR`.

    Attributes
    ----------
    classes_ : ndarray of str
        The labels, in the column order of :meth:`predict_proba`.
    coef_ : ndarray of shape (n_classes, n_total_features)
    intercept_ : ndarray of shape (n_classes,)
    n_features_in_ : int
        Width of the feature matrix.
    metadata_ : dict
        What :meth:`load` read beside the weights (training sources, parameters).
    """

    metadata_: dict[str, Any]

    def __init__(
        self,
        *,
        C: float = 4.0,
        n_features: int = 2**18,
        rule_scale: float = 1.0,
        char_ngrams: bool = True,
        cache_size: int = 100_000,
        class_weight: str | None = "balanced",
        class_prior: dict[str, float] | None = WEB_SEARCH_PRIOR,
    ) -> None:
        self.C = C
        self.n_features = n_features
        self.rule_scale = rule_scale
        self.char_ngrams = char_ngrams
        self.cache_size = cache_size
        self.class_weight = class_weight
        self.class_prior = class_prior

    # ------------------------------------------------------------------ params
    def get_params(self, deep: bool = True) -> dict[str, object]:
        """Hyper-parameters as a dict (scikit-learn protocol)."""
        return {
            "C": self.C,
            "n_features": self.n_features,
            "rule_scale": self.rule_scale,
            "char_ngrams": self.char_ngrams,
            "cache_size": self.cache_size,
            "class_weight": self.class_weight,
            "class_prior": self.class_prior,
        }

    def set_params(self, **params: object) -> IntentClassifier:
        """Set hyper-parameters (scikit-learn protocol)."""
        for k, v in params.items():
            if k not in self.get_params():
                raise ConfigError(
                    f"IntentClassifier has no parameter {k!r}; use one of {sorted(self.get_params())}"
                )
            setattr(self, k, v)
        if hasattr(self, "coef_"):
            self._reset_cache()
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"IntentClassifier({args})"

    # ------------------------------------------------------------------ features
    def _validate_params(self) -> None:
        if not (isinstance(self.C, (int, float)) and self.C > 0):
            raise ConfigError(f"IntentClassifier: C={self.C!r} must be a positive number")
        n = self.n_features
        if not (isinstance(n, int) and n >= 2**10 and (n & (n - 1)) == 0):
            raise ConfigError(f"IntentClassifier: n_features={n!r} must be a power of two >= 1024")
        if self.class_weight not in (None, "balanced"):
            raise ConfigError(
                f"IntentClassifier: class_weight={self.class_weight!r}; use None or 'balanced'"
            )

    def _vectorizers(self) -> list[HashingVectorizer]:
        vecs = [
            HashingVectorizer(
                n_features=self.n_features,
                ngram_range=(1, 2),
                alternate_sign=False,
                norm="l2",
                lowercase=False,
                token_pattern=r"(?u)\b\w+\b",
            )
        ]
        if self.char_ngrams:
            vecs.append(
                HashingVectorizer(
                    n_features=self.n_features,
                    analyzer="char_wb",
                    ngram_range=(3, 5),
                    alternate_sign=False,
                    norm="l2",
                    lowercase=False,
                )
            )
        return vecs

    def _features(self, norm_texts: list[str]) -> sp.csr_matrix:
        vecs = getattr(self, "_vecs", None)
        if vecs is None:
            vecs = self._vecs = self._vectorizers()
        # the inputs are plain strings we built: skip sklearn's per-call validation overhead
        with config_context(skip_parameter_validation=True, assume_finite=True):
            blocks = [v.transform(norm_texts) for v in vecs]
        blocks.append(rule_matrix(norm_texts) * self.rule_scale)
        blocks.append(sp.csr_matrix(_length_features(norm_texts)))
        return sp.hstack(blocks, format="csr")

    # ------------------------------------------------------------------ fit / predict
    def fit(
        self, X: Iterable[object], y: Iterable[str], sample_weight: np.ndarray | None = None
    ) -> IntentClassifier:
        """Learn the n-gram and rule weights from texts ``X`` and labels ``y``.

        Labels must be among :data:`~micromix.moments.rules.MOMENTS`.
        """
        self._validate_params()
        texts = [normalize_text(t) for t in X]
        labels = np.asarray(list(y), dtype=object)
        if len(texts) != len(labels):
            raise ConfigError(
                f"IntentClassifier.fit: X has {len(texts)} rows but y has {len(labels)}"
            )
        bad = sorted(set(labels) - set(MOMENTS))
        if bad:
            raise ConfigError(
                f"IntentClassifier.fit: labels {bad} are not micro-moments; use {MOMENTS}"
            )
        if len(set(labels)) < 2:
            raise ModelError("IntentClassifier.fit: need at least two distinct labels to learn")
        self._vecs = self._vectorizers()
        Xm = self._features(texts)
        lr = LogisticRegression(C=self.C, max_iter=2000, class_weight=self.class_weight)
        lr.fit(Xm, labels.astype(str), sample_weight=sample_weight)
        self.classes_ = np.asarray(lr.classes_, dtype=object)
        self.coef_ = np.asarray(lr.coef_, dtype=np.float64)
        self.intercept_ = np.asarray(lr.intercept_, dtype=np.float64)
        self.n_features_in_ = Xm.shape[1]
        self._reset_cache()
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                "IntentClassifier is not fitted; call fit(texts, labels) or "
                "IntentClassifier.load_default()"
            )

    def _reset_cache(self) -> None:
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._coef_t = sp.csr_matrix(self.coef_.T) if hasattr(self, "coef_") else None

    def _log_prior_shift(self) -> np.ndarray | float:
        """Bayes shift of the logits from the (balanced) training prior to ``class_prior``."""
        if self.class_prior is None:
            return 0.0
        prior = np.array([float(self.class_prior.get(str(c), 0.0)) for c in self.classes_])
        if (prior <= 0).any():
            missing = [str(c) for c, p in zip(self.classes_, prior) if p <= 0]
            raise ConfigError(
                f"IntentClassifier: class_prior needs a positive share for {missing}; "
                f"give every label in {list(self.classes_)}"
            )
        return np.log(prior / prior.sum() * len(prior))

    def _proba_uncached(self, norm_texts: list[str]) -> np.ndarray:
        Xm = self._features(norm_texts)
        if getattr(self, "_coef_t", None) is None:
            self._reset_cache()
        z = np.asarray((Xm @ self._coef_t).todense()) + self.intercept_
        if z.ndim == 1:  # binary model: one column of logits
            z = np.column_stack([-z, z])
        z = z + self._log_prior_shift()
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict_proba(self, X: Iterable[object]) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        self._check_fitted()
        texts = [normalize_text(t) for t in X]
        if not texts:
            return np.zeros((0, len(self.classes_)))
        if not self.cache_size:
            return self._proba_uncached(texts)
        if not hasattr(self, "_cache"):
            self._reset_cache()
        cache = self._cache
        out = np.empty((len(texts), len(self.classes_)))
        missing: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            hit = cache.get(t)
            if hit is None:
                missing.setdefault(t, []).append(i)
            else:
                out[i] = hit
        if missing:
            keys = list(missing)
            probs = self._proba_uncached(keys)
            for k, p in zip(keys, probs):
                out[missing[k]] = p
                cache[k] = p
            while len(cache) > self.cache_size:
                cache.popitem(last=False)
        return out

    def predict(self, X: Iterable[object]) -> np.ndarray:
        """The most likely micro-moment for each text."""
        proba = self.predict_proba(X)
        return np.asarray(self.classes_[proba.argmax(axis=1)], dtype=object)

    def classify(self, X: Iterable[object]) -> pd.DataFrame:
        """``DataFrame`` with columns ``moment`` and ``confidence`` (probability, 0..1)."""
        proba = self.predict_proba(X)
        idx = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
        return pd.DataFrame(
            {
                "moment": pd.Series(self.classes_[idx], dtype=object),
                "confidence": proba[np.arange(len(proba)), idx].round(4),
            }
        )

    def score(self, X: Iterable[object], y: Iterable[str]) -> float:
        """Accuracy on ``X``, ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(list(y), dtype=object)))

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path, *, metadata: dict | None = None) -> Path:
        """Save the learned weights (sparse, compressed) and hyper-parameters to ``path``."""
        self._check_fitted()
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        coef = sp.csr_matrix(self.coef_.astype(np.float32))
        meta = {
            "format_version": _FORMAT_VERSION,
            "params": self.get_params(),
            "classes": [str(c) for c in self.classes_],
            "rules": [r.name for r in RULES],
            "n_features_in": int(self.n_features_in_),
            **(metadata or {}),
        }
        np.savez_compressed(
            p,
            data=coef.data,
            indices=coef.indices,
            indptr=coef.indptr,
            shape=np.asarray(coef.shape),
            intercept=self.intercept_,
            meta=np.asarray(json.dumps(meta)),
        )
        return p

    @classmethod
    def load(cls, path: str | Path) -> IntentClassifier:
        """Load a model written by :meth:`save`."""
        p = Path(path)
        try:
            z = np.load(p, allow_pickle=False)
            meta = json.loads(str(z["meta"]))
            coef = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            intercept = np.asarray(z["intercept"], dtype=np.float64)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(
                f"{p}: cannot load the intent model ({exc}); retrain it with "
                "`python -m micromix.moments.train`"
            ) from exc
        if meta.get("rules") != [r.name for r in RULES]:
            raise ModelError(
                f"{p}: the model was trained with a different rule set; retrain it with "
                "`python -m micromix.moments.train`"
            )
        clf = cls(**meta["params"])
        clf.classes_ = np.asarray(meta["classes"], dtype=object)
        clf.coef_ = coef.toarray().astype(np.float64)
        clf.intercept_ = intercept
        clf.n_features_in_ = int(meta["n_features_in"])
        clf.metadata_ = meta
        clf._reset_cache()
        return clf

    @classmethod
    def load_default(cls) -> IntentClassifier:
        """The model shipped with micromix (see ``docs/moments.md`` for its training data)."""
        if not DEFAULT_MODEL_PATH.exists():
            raise ModelError(
                f"{DEFAULT_MODEL_PATH}: the shipped intent model is missing; reinstall micromix "
                "or run `python -m micromix.moments.train`"
            )
        return cls.load(DEFAULT_MODEL_PATH)


def _length_features(texts: list[str]) -> np.ndarray:
    n_words = np.array([len(t.split()) for t in texts], dtype=np.float64)
    return np.column_stack([n_words == 1, n_words == 2, n_words >= 6, n_words == 0]).astype(
        np.float64
    )
