"""What ``micromix moments classify`` adds to a table of texts: moment, confidence, topic.

Quickstart
----------
>>> from micromix.moments.classify import classify_texts
>>> out = classify_texts(["buy dog food", "vet near me"], topics="dog food")
>>> out[["moment", "topic"]].values.tolist()
[['buy', 'dog food'], ['go', 'other']]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from micromix.errors import ConfigError
from micromix.moments.intent import (
    EVIDENCE,
    NO_WORDS,
    PRIORS,
    IntentClassifier,
    moment_frame,
)
from micromix.moments.rules import normalize_text
from micromix.moments.topics import NO_TOPIC, TopicVocabulary

if TYPE_CHECKING:  # the optional embeddings stage is imported only when asked for
    from micromix.moments.embed import EmbeddingIntentClassifier

__all__ = ["classify_texts"]


def classify_texts(
    texts: Iterable[object],
    *,
    model: str | Path | None = None,
    topics: str | Iterable[str] | None = "auto",
    prior: str = "web",
    embeddings: bool = False,
    classifier: IntentClassifier | None = None,
) -> pd.DataFrame:
    """Moment, confidence and topic of each text: what ``micromix moments classify`` adds.

    Parameters
    ----------
    texts : iterable
        Queries, posts or captions (``None``/NaN are empty texts).
    model : path, optional
        A model written by :meth:`IntentClassifier.save`; default: the shipped one.
    topics : ``"auto"``, ``"none"``, a comma-separated string or a list
        ``"auto"`` learns the topics from the texts
        (:class:`~micromix.moments.topics.TopicVocabulary`); a list is matched longest first;
        ``"none"`` (or ``None``) adds no ``topic`` column.
    prior : str
        A key of :data:`PRIORS`: ``"web"`` search traffic or a ``"shop"``'s own search box.
    embeddings : bool
        Multiply in the MiniLM sentence-embedding head
        (:class:`~micromix.moments.embed.EmbeddingIntentClassifier`; needs the ``embeddings``
        extra).
    classifier : IntentClassifier, optional
        An already loaded model to use instead of ``model`` (a service keeps one in memory);
        its ``class_prior`` is set to ``prior`` only when it differs, so its prediction cache
        survives repeated calls.

    Returns
    -------
    DataFrame
        Columns ``moment``, ``confidence`` and (unless ``topics="none"``) ``topic``, one row
        per text in order. An empty text (``None``, NaN, ``""``, blanks only) has no intent
        and no topic: its row has ``None``, NaN and ``None``. ``attrs["notes"]`` counts the
        texts the model has no evidence on (:meth:`IntentClassifier.evidence`),
        ``attrs["no_evidence"]`` their number.

    Examples
    --------
    >>> out = classify_texts(["buy dog food", "vet near me", "why do cats purr"], topics="dog food")
    >>> out[["moment", "topic"]].values.tolist()
    [['buy', 'dog food'], ['go', 'other'], ['know', 'other']]
    """
    if prior not in PRIORS:
        raise ConfigError(f"prior={prior!r} is not one of {', '.join(PRIORS)}")
    items = list(texts)
    if classifier is not None:
        clf = classifier
    else:
        clf = IntentClassifier.load(model) if model else IntentClassifier.load_default()
    if clf.class_prior != PRIORS[prior]:
        clf.set_params(class_prior=PRIORS[prior])
    scorer: IntentClassifier | EmbeddingIntentClassifier = clf
    if embeddings:
        from micromix.moments.embed import EmbeddingIntentClassifier

        head = EmbeddingIntentClassifier.load_default()
        head.light = clf
        scorer = head
    out = moment_frame(scorer.classes_, scorer.predict_proba(items), texts=items)
    out.attrs["notes"], out.attrs["no_evidence"] = _evidence_notes(clf, items)
    if topics is None or topics == "none":
        return out
    if topics == "auto":
        out["topic"] = TopicVocabulary().fit_transform(items)
    else:
        vocab = [
            t.strip().lower() for t in (topics.split(",") if isinstance(topics, str) else topics)
        ]
        vocab = sorted({t for t in vocab if t}, key=len, reverse=True)
        if not vocab:
            raise ConfigError("topics: the list is empty; give topics, 'auto' or 'none'")
        norm = [normalize_text(t) for t in items]
        out["topic"] = [next((v for v in vocab if v in t), NO_TOPIC) for t in norm]
    out.loc[out["moment"].isna(), "topic"] = None  # an empty text has no topic either
    return out


def _evidence_notes(clf: IntentClassifier, items: list[object]) -> tuple[list[str], int]:
    """What to tell of the texts without evidence (one note or none), and their number."""
    if getattr(clf, "known_words_", None) is None:  # a model saved before words were kept
        return [], 0
    texts = pd.Series([normalize_text(t) for t in items], dtype=object)
    distinct = pd.unique(texts)
    status = texts.map(dict(zip(distinct, clf.evidence(distinct)))).to_numpy()
    none = status != EVIDENCE
    n = int(none.sum())
    if not n:
        return [], 0
    words = int((status == NO_WORDS).sum())
    other = getattr(clf, "no_words_other_", None)
    tail = (
        f"; {words:,} of them have no English word either (an unknown name or no intent) and "
        f"are 'other' with confidence {other:g}"
        if words and other is not None
        else ""
    )
    return [
        f"{n:,} of {len(items):,} texts have too few words the intent model learnt and no "
        f"rule fired (first: row {int(none.argmax()) + 1}): the model has little to go on "
        f"there, and their confidence is calibrated on such texts apart{tail}"
    ], n
