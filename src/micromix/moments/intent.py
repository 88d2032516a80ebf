"""Intent classifier: know / go / do / buy / other, with a confidence.

:class:`IntentClassifier` is a scikit-learn style estimator: a multinomial logistic regression
over word uni- and bi-grams, character 3-5-grams within words, the interpretable rules and site
cues of :mod:`micromix.moments.rules`, and a few length features. Features are looked up in a
vocabulary learned in ``fit`` (no hashing, no collisions) by a small pure-Python featuriser, so
one new query costs tens of microseconds — what the live detector needs — and a batch is one
sparse product. The model ships inside the package (``moments/_data/intent_model.npz``, trained
by ``python -m micromix.moments.train``), so classification runs offline. Repeated texts are
served from an LRU cache, which is what makes real (Zipf-distributed) traffic fast.

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
import math
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from micromix.errors import ConfigError, ModelError, NotFittedError
from micromix.estimator import Estimator
from micromix.moments import places
from micromix.moments.places import local_service
from micromix.moments.rules import (
    MOMENTS,
    RULES,
    SITE_CUES,
    normalize_text,
    rule_columns,
    rule_names,
)
from micromix.schema.values import blank_cells

__all__ = [
    "DEFAULT_MODEL_PATH",
    "EVIDENCE",
    "NO_EVIDENCE",
    "NO_WORDS",
    "PRIORS",
    "SHOP_SEARCH_PRIOR",
    "WEB_SEARCH_PRIOR",
    "IntentClassifier",
    "empty_texts",
    "moment_frame",
]

#: where the trained default model lives inside the package
DEFAULT_MODEL_PATH = Path(__file__).with_name("_data") / "intent_model.npz"

_FORMAT_VERSION = 3  # 3: learnt words, temperatures; a version 2 file loads without them

#: what a text gives the model to go on (:meth:`IntentClassifier.evidence`): words it learnt or
#: a rule / site cue that fired; too few of its words were learnt and no rule fired; and, of
#: those, a text with no English word either (gibberish, an unknown name)
EVIDENCE, NO_EVIDENCE, NO_WORDS = 0, 1, 2
#: rule columns that are evidence of an intent: the rules and the site cues (the lexical cues
#: describe unknown words, they are no evidence of what is wanted)
_N_INTENT_CUES = len(RULES) + len(SITE_CUES)

#: default label shares assumed for web search traffic: informational queries dominate,
#: navigational ones come next, local I-want-to-go queries are a minority (published shares of
#: web search intents: Broder 2002, Jansen et al. 2008); see ``docs/moments.md``
WEB_SEARCH_PRIOR: dict[str, float] = {
    "know": 0.45,
    "go": 0.05,
    "do": 0.15,
    "buy": 0.15,
    "other": 0.20,
}

#: label shares for a shop's own search box: people type products they mean to buy
SHOP_SEARCH_PRIOR: dict[str, float] = {
    "know": 0.2,
    "go": 0.03,
    "do": 0.02,
    "buy": 0.6,
    "other": 0.15,
}

#: the named traffic priors (``micromix moments classify --prior``)
PRIORS: dict[str, dict[str, float]] = {"web": WEB_SEARCH_PRIOR, "shop": SHOP_SEARCH_PRIOR}

_WORD = re.compile(r"\w+")
_N_LEN = 4  # length features: one word, two words, six or more, empty


def _text_features(t: str, char_ngrams: bool) -> tuple[Counter[str], Counter[str]]:
    """Word (uni+bi-gram) and character (3-5-gram within words) counts of a normalised text."""
    toks = _WORD.findall(t)
    words: Counter[str] = Counter(toks)
    words.update(f"{a} {b}" for a, b in pairwise(toks))
    chars: Counter[str] = Counter()
    if char_ngrams:
        for tok in toks:
            w = f" {tok} "
            L = len(w)
            if L <= 3:
                chars[w] += 1
                continue
            for n in (3, 4, 5):
                if n > L:
                    break
                chars.update(w[i : i + n] for i in range(L - n + 1))
    return words, chars


def _length_features(t: str) -> list[int]:
    n = len(t.split())
    return [i for i, hit in enumerate((n == 1, n == 2, n >= 6, n == 0)) if hit]


class IntentClassifier(Estimator):
    """Micro-moment intent classifier (rules + site cues + n-gram logistic regression).

    A scikit-learn estimator: hyperparameters are keyword-only and stored as given,
    ``get_params`` / ``set_params`` / :func:`sklearn.base.clone` come from
    :class:`~micromix.estimator.Estimator` (scikit-learn's conventions; scikit-learn itself
    is imported only by :meth:`fit`), and what ``fit`` (or :meth:`load`) learns is in the
    attributes ending in ``_``. Models are saved as weights and JSON (:meth:`save`), not pickled.

    Parameters
    ----------
    C : float
        Inverse L2 regularisation strength of the logistic regression.
    min_df : int
        A word or character n-gram enters the vocabulary when it occurs in at least this many
        training texts.
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
    min_evidence : float
        A text whose share of words the model learnt (in its vocabulary as words) is below
        this, and on which no rule or site cue fires, has no evidence (:meth:`evidence`): its
        probabilities are tempered with ``no_evidence_temperature_`` and, when it has no
        English word either, its moment is ``other`` with confidence ``no_words_other_``.
        0 turns this off.

    Attributes
    ----------
    classes_ : ndarray of str
        The labels, in the column order of :meth:`predict_proba`.
    vocabulary_ : dict
        Word / character n-gram -> column.
    coef_ : ndarray of shape (n_classes, n_features_in_)
    intercept_ : ndarray of shape (n_classes,)
    n_features_in_ : int
        Width of the feature matrix (vocabulary, rules and cues, length features).
    metadata_ : dict
        What :meth:`load` read beside the weights (training sources, parameters).
    known_words_ : frozenset of str or None
        The words the model learnt (word unigrams of its vocabulary); None for a model saved
        before they were kept (no evidence check then).
    temperature_ : float
        Divides the logits after the prior shift, so it changes the confidence, never the
        answer (1 until :func:`micromix.moments.train.calibrate` sets it).
    no_evidence_temperature_ : float
        The same for texts without evidence.
    no_words_other_ : float or None
        Probability of ``other`` given to a text without evidence and without an English word
        (None: such texts keep the model's answer, tempered).
    """

    _estimator_kind = "classifier"
    metadata_: dict[str, Any]
    known_words_: frozenset[str] | None
    temperature_: float
    no_evidence_temperature_: float
    no_words_other_: float | None

    def __init__(
        self,
        *,
        C: float = 4.0,
        min_df: int = 2,
        rule_scale: float = 1.0,
        char_ngrams: bool = True,
        cache_size: int = 100_000,
        class_weight: str | None = "balanced",
        class_prior: dict[str, float] | None = WEB_SEARCH_PRIOR,
        min_evidence: float = 0.5,
    ) -> None:
        self.C = C
        self.min_df = min_df
        self.rule_scale = rule_scale
        self.char_ngrams = char_ngrams
        self.cache_size = cache_size
        self.class_weight = class_weight
        self.class_prior = class_prior
        self.min_evidence = min_evidence

    # ------------------------------------------------------------------ params
    def set_params(self, **params: Any) -> IntentClassifier:
        """Set hyper-parameters (scikit-learn protocol); an unknown name is a ConfigError.

        On a fitted model the prediction cache and the prior shift are rebuilt, so a new
        ``class_prior`` or ``cache_size`` applies to the next prediction.
        """
        allowed = self.get_params(deep=False)
        for k in params:
            if k not in allowed:
                raise ConfigError(
                    f"IntentClassifier has no parameter {k!r}; use one of {sorted(allowed)}"
                )
        super().set_params(**params)
        if hasattr(self, "coef_"):
            self._reset_cache()
        return self

    # ------------------------------------------------------------------ features
    def _check_params(self) -> None:
        if not (isinstance(self.C, (int, float)) and self.C > 0):
            raise ConfigError(f"IntentClassifier: C={self.C!r} must be a positive number")
        if not (isinstance(self.min_df, int) and self.min_df >= 1):
            raise ConfigError(
                f"IntentClassifier: min_df={self.min_df!r} must be a whole number >= 1"
            )
        if self.class_weight not in (None, "balanced"):
            raise ConfigError(
                f"IntentClassifier: class_weight={self.class_weight!r}; use None or 'balanced'"
            )

    def _row(self, t: str) -> tuple[list[int], list[float], int]:
        """Columns, values and evidence status of one normalised text (the live path: no
        numpy, no sklearn)."""
        vocab = self.vocabulary_
        words, chars = _text_features(t, self.char_ngrams)
        cols: list[int] = []
        vals: list[float] = []
        for block in (words, chars):
            idx = [(vocab.get(f), c) for f, c in block.items()]
            hit = [(j, c) for j, c in idx if j is not None]
            if hit:
                norm = 1.0 / math.sqrt(sum(c * c for c in block.values()))
                for j, c in hit:
                    cols.append(j)
                    vals.append(c * norm)
        base = len(vocab)
        fired = rule_columns(t)
        cols.extend(base + j for j in fired)
        vals.extend([self.rule_scale] * len(fired))
        base += self._n_rules
        for j in _length_features(t):
            cols.append(base + j)
            vals.append(1.0)
        return cols, vals, self._status(words, fired)

    def _status(self, words: Counter[str], fired: list[int]) -> int:
        """:data:`EVIDENCE`, :data:`NO_EVIDENCE` or :data:`NO_WORDS` (see :meth:`evidence`)."""
        known = getattr(self, "known_words_", None)
        if known is None or not self.min_evidence:
            return EVIDENCE
        n = k = 0
        for w, c in words.items():
            if " " not in w:  # a word, not a word bigram
                n += c
                k += c if w in known else 0
        if n == 0 or k >= self.min_evidence * n or any(j < _N_INTENT_CUES for j in fired):
            return EVIDENCE
        return NO_WORDS if self._all_unknown in fired else NO_EVIDENCE

    def _matrix(self, norm_texts: list[str], status: list[int] | None = None) -> sp.csr_matrix:
        indptr = [0]
        cols: list[int] = []
        vals: list[float] = []
        for t in norm_texts:
            c, v, s = self._row(t)
            cols.extend(c)
            vals.extend(v)
            indptr.append(len(cols))
            if status is not None:
                status.append(s)
        return sp.csr_matrix(
            (np.asarray(vals), np.asarray(cols, dtype=np.int64), np.asarray(indptr)),
            shape=(len(norm_texts), self.n_features_in_),
        )

    # ------------------------------------------------------------------ fit / predict
    def fit(
        self, X: Iterable[object], y: Iterable[str], sample_weight: np.ndarray | None = None
    ) -> IntentClassifier:
        """Learn the vocabulary, the n-gram and the rule weights from texts ``X``, labels ``y``.

        Labels must be among :data:`~micromix.moments.rules.MOMENTS`.
        """
        self._check_params()
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
        df: Counter[str] = Counter()
        word_df: Counter[str] = Counter()
        for t in texts:
            words, chars = _text_features(t, self.char_ngrams)
            df.update(words.keys())
            df.update(chars.keys())
            word_df.update(w for w in words if " " not in w)
        kept = sorted(f for f, c in df.items() if c >= self.min_df)
        self.vocabulary_ = {f: i for i, f in enumerate(kept)}
        self.known_words_ = frozenset(w for w, c in word_df.items() if c >= self.min_df)
        self.temperature_ = 1.0
        self.no_evidence_temperature_ = 1.0
        self.no_words_other_ = None
        self._n_rules = len(rule_names())
        self._all_unknown = rule_names().index("all_unknown")
        self.n_features_in_ = len(kept) + self._n_rules + _N_LEN
        Xm = self._matrix(texts)
        from sklearn.linear_model import LogisticRegression  # only fitting needs scikit-learn

        lr = LogisticRegression(C=self.C, max_iter=3000, class_weight=self.class_weight)
        lr.fit(Xm, labels.astype(str), sample_weight=sample_weight)
        self.classes_ = np.asarray(lr.classes_, dtype=object)
        coef = np.asarray(lr.coef_, dtype=np.float64)
        intercept = np.asarray(lr.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:  # binary model: one row of logits
            coef = np.vstack([-coef / 2, coef / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        self.coef_ = coef
        self.intercept_ = intercept
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
        if hasattr(self, "coef_"):
            self._n_rules = len(rule_names())
            self._all_unknown = rule_names().index("all_unknown")
            self._coef_t = np.ascontiguousarray(self.coef_.T)
            self._log_prior = np.zeros(len(self.classes_)) + self._log_prior_shift()
            self._shift = self.intercept_ + self._log_prior
            labels = [str(c) for c in self.classes_]
            self._go = labels.index("go") if "go" in labels else -1

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

    @staticmethod
    def _softmax(z: np.ndarray) -> np.ndarray:
        z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    def _raw_one(self, t: str) -> tuple[np.ndarray, int]:
        """Logits before temperature and prior, and the evidence status, of one text."""
        cols, vals, status = self._row(t)
        z = self.intercept_ + np.asarray(vals) @ self._coef_t[cols] if cols else self.intercept_
        if self._go >= 0 and local_service(t):  # a business type with a town or postcode
            z = self._to_go(z[None, :])[0]
            status = EVIDENCE
        return z, status

    def _to_go(self, z: np.ndarray) -> np.ndarray:
        """Logits of local-service texts (:func:`~micromix.moments.places.local_service`):
        ``go`` raised by :data:`~micromix.moments.places.LOCAL_SERVICE_LOGIT`, and at least
        to :data:`~micromix.moments.places.LOCAL_SERVICE_MARGIN` above the best other label
        under the traffic prior - the rule decides the answer (it fired on 860 training texts,
        all ``go``), the model's disagreement shows in the confidence."""
        z = z.copy()
        zz = z + self._log_prior
        others = np.delete(zz, self._go, axis=1).max(axis=1)
        need = others - zz[:, self._go] + places.LOCAL_SERVICE_MARGIN
        z[:, self._go] += np.maximum(places.LOCAL_SERVICE_LOGIT, need)
        return z

    def _raw(self, norm_texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Logits before temperature and prior, and evidence statuses, of normalised texts."""
        if len(norm_texts) == 1:
            z, s = self._raw_one(norm_texts[0])
            return z[None, :], np.array([s])
        status: list[int] = []
        z = np.asarray(self._matrix(norm_texts, status) @ self._coef_t) + self.intercept_
        st = np.asarray(status, dtype=np.int64)
        if self._go >= 0:
            local = np.fromiter((local_service(t) for t in norm_texts), bool, len(norm_texts))
            if local.any():
                z[local] = self._to_go(z[local])
            st[local] = EVIDENCE
        return z, st

    def _proba_from_raw(self, z: np.ndarray, status: np.ndarray) -> np.ndarray:
        """Calibrated probabilities under ``class_prior`` of raw logits (see :meth:`_raw`)."""
        t = np.where(
            status == EVIDENCE,
            getattr(self, "temperature_", 1.0),
            getattr(self, "no_evidence_temperature_", 1.0),
        )
        p = self._softmax((z + self._log_prior) / t[:, None])  # the answer stays the argmax
        other = getattr(self, "no_words_other_", None)
        if other is not None and (status == NO_WORDS).any() and "other" in set(self.classes_):
            p[status == NO_WORDS] = self._no_words_proba(other)
        return p

    def _no_words_proba(self, other: float) -> np.ndarray:
        """``other`` at ``other``, the rest shared in proportion to the traffic prior but never
        above ``other``: the answer is ``other`` under any prior (a shop prior's share of
        ``buy`` would otherwise outweigh it and label gibberish ``buy``); what the cap takes
        from a class is shared among the others below it."""
        is_other = np.asarray(self.classes_) == "other"
        rest = np.exp(self._log_prior) * ~is_other
        share = (1.0 - other) * rest / rest.sum()
        cap = other * (1.0 - 1e-6)
        for _ in range(len(share)):  # water-filling: at most one pass per class
            over = share > cap
            if not over.any():
                break
            spare = float((share[over] - cap).sum())
            share[over] = cap
            free = ~over & ~is_other & (share < cap)
            if not free.any():
                break
            share[free] += spare * share[free] / share[free].sum()
        return np.where(is_other, other, share)

    def _proba_one(self, t: str) -> np.ndarray:
        z, s = self._raw_one(t)
        return self._proba_from_raw(z[None, :], np.array([s]))[0]

    def _proba_uncached(self, norm_texts: list[str]) -> np.ndarray:
        return self._proba_from_raw(*self._raw(norm_texts))

    def evidence(self, X: Iterable[object]) -> np.ndarray:
        """What each text gives the model to go on: :data:`EVIDENCE` (0), :data:`NO_EVIDENCE`
        (1) or :data:`NO_WORDS` (2).

        A text has no evidence when fewer than ``min_evidence`` of its words are words the model
        learnt (seen in at least ``min_df`` training texts) and no rule or site cue of
        :mod:`~micromix.moments.rules` fires on it, nor the local-service rule
        (:func:`~micromix.moments.places.local_service`: "electrician kelowna"); of those, ``NO_WORDS`` have no English word
        either (the ``all_unknown`` lexical cue: gibberish, an unknown name). An empty text
        has evidence of nothing and is :data:`EVIDENCE` (it has no intent; see
        :func:`moment_frame`).

        Examples
        --------
        >>> clf = IntentClassifier.load_default()
        >>> clf.evidence(["vet near me", "ruptured appendix", "asdfgh"]).tolist()
        [0, 1, 2]
        """
        self._check_fitted()
        if not hasattr(self, "_cache"):
            self._reset_cache()
        texts = [normalize_text(t) for t in X]
        return np.asarray(
            [EVIDENCE if self._go >= 0 and local_service(t) else self._row(t)[2] for t in texts],
            dtype=np.int64,
        )

    def predict_proba(self, X: Iterable[object]) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        self._check_fitted()
        texts = [normalize_text(t) for t in X]
        if not texts:
            return np.zeros((0, len(self.classes_)))
        if not hasattr(self, "_cache"):
            self._reset_cache()
        if not self.cache_size:
            return self._proba_uncached(texts)
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

    def predict_one(self, text: object) -> str:
        """The micro-moment of one text (the live detector's path: cached, no batching)."""
        self._check_fitted()
        t = normalize_text(text)
        if not hasattr(self, "_cache"):
            self._reset_cache()
        p = self._cache.get(t) if self.cache_size else None
        if p is None:
            p = self._proba_one(t)
            if self.cache_size:
                self._cache[t] = p
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return str(self.classes_[int(p.argmax())])

    def predict(self, X: Iterable[object]) -> np.ndarray:
        """The most likely micro-moment for each text."""
        proba = self.predict_proba(X)
        return np.asarray(self.classes_[proba.argmax(axis=1)], dtype=object)

    def classify(self, X: Iterable[object]) -> pd.DataFrame:
        """``DataFrame`` with columns ``moment`` and ``confidence`` (probability, 0..1), one row
        per text in order; an empty text gets neither (``None``, NaN)."""
        items = list(X)
        return moment_frame(self.classes_, self.predict_proba(items), texts=items)

    def score(self, X: Iterable[object], y: Iterable[str]) -> float:
        """Accuracy on ``X``, ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(list(y), dtype=object)))

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path, *, metadata: dict | None = None) -> Path:
        """Save the vocabulary, the weights (float32, compressed) and hyper-parameters."""
        self._check_fitted()
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        vocab = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        meta = {
            "format_version": _FORMAT_VERSION,
            "params": self.get_params(),
            "classes": [str(c) for c in self.classes_],
            "rules": rule_names(),
            "n_features_in": int(self.n_features_in_),
            "temperature": float(getattr(self, "temperature_", 1.0)),
            "no_evidence_temperature": float(getattr(self, "no_evidence_temperature_", 1.0)),
            "no_words_other": getattr(self, "no_words_other_", None),
            **(metadata or {}),
        }
        known = getattr(self, "known_words_", None)
        extra: dict[str, Any] = {}
        if known is not None:  # which vocabulary entries are learnt words, one bit each
            extra["known_words"] = np.packbits([f in known for f in vocab])
        np.savez_compressed(
            p,
            **extra,
            vocab=np.asarray(vocab, dtype=str),
            coef=self.coef_.astype(np.float32),
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
            vocab = z["vocab"].tolist()
            coef = np.asarray(z["coef"], dtype=np.float64)
            intercept = np.asarray(z["intercept"], dtype=np.float64)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(
                f"{p}: cannot load the intent model ({exc}); retrain it with "
                "`python -m micromix.moments.train`"
            ) from exc
        if meta.get("rules") != rule_names():
            raise ModelError(
                f"{p}: the model was trained with a different rule set; retrain it with "
                "`python -m micromix.moments.train`"
            )
        clf = cls(**meta["params"])
        clf.classes_ = np.asarray(meta["classes"], dtype=object)
        clf.vocabulary_ = {f: i for i, f in enumerate(vocab)}
        clf.coef_ = coef
        clf.intercept_ = intercept
        clf.n_features_in_ = int(meta["n_features_in"])
        clf.temperature_ = float(meta.get("temperature", 1.0))
        clf.no_evidence_temperature_ = float(meta.get("no_evidence_temperature", 1.0))
        other = meta.get("no_words_other")
        clf.no_words_other_ = None if other is None else float(other)
        clf.known_words_ = None
        if "known_words" in z.files:
            bits = np.unpackbits(z["known_words"])[: len(vocab)].astype(bool)
            clf.known_words_ = frozenset(f for f, b in zip(vocab, bits) if b)
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


def moment_frame(
    classes: np.ndarray, proba: np.ndarray, *, texts: Sequence[object] | None = None
) -> pd.DataFrame:
    """The most likely moment of each row of ``proba`` and its probability (``confidence``).

    With ``texts`` (the texts behind ``proba``), an empty one (``None``, NaN, ``""``, blanks
    only) has no intent: its row keeps its place with moment ``None`` and confidence NaN
    instead of the class the model falls back on for no words.
    """
    idx = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
    out = pd.DataFrame(
        {
            "moment": pd.Series(np.asarray(classes)[idx], dtype=object),
            "confidence": proba[np.arange(len(proba)), idx].round(4),
        }
    )
    if texts is not None:
        blank = empty_texts(texts)
        out.loc[blank, "moment"] = None
        out.loc[blank, "confidence"] = np.nan
    return out


def empty_texts(texts: Sequence[object]) -> np.ndarray:
    """Mask of the texts with nothing to classify (``None``, NaN, ``""``, blanks only)."""
    return blank_cells(pd.Series(list(texts), dtype=object))
