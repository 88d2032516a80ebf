"""Sentiment of short social text: positive / negative / neutral with a score in [-1, 1].

Two registered scorers:

* ``vader`` — the VADER baseline (Hutto & Gilbert 2014) with its usual +-0.05 thresholds;
* ``service`` (the default) — VADER extended for brand mentions and customer-service
  complaints.  VADER scores "late flight", "on hold for 2 hours" or "still no bag" as neutral,
  although customers writing to a brand mean them as complaints.  The ``service`` scorer adds
  (1) a lexicon of service-failure words (delayed, cancelled, stranded, refund, rude...),
  (2) complaint patterns (waiting durations, "still no ...", "no one answers", "can't get
  through", "why is my ...", "never again", sarcastic thanks), which push the score down, and
  (3) a neutral band that keeps plain questions and itinerary statements neutral.  Its lexicon
  ships in ``_data/service_lexicon.json``; nothing is downloaded.

Quickstart
----------
>>> from micromix.social.sentiment import score_sentiment
>>> score_sentiment(["@united late flight again, on hold for 2 hours",
...                  "thanks for the great flight!",
...                  "what terminal do you use at LaGuardia?"])["sentiment"].tolist()
['negative', 'positive', 'neutral']
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from micromix.errors import ConfigError
from micromix.registry import Registry
from micromix.schema.values import blank_cells

__all__ = [
    "SCORERS",
    "SENTIMENT_LABELS",
    "SentimentScorer",
    "ServiceSentiment",
    "VaderSentiment",
    "evaluate_sentiment",
    "get_sentiment_scorer",
    "normalize_labels",
    "register_sentiment_scorer",
    "score_sentiment",
    "sentiment_scorers",
]

SENTIMENT_LABELS = ("negative", "neutral", "positive")

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _service_lexicon() -> dict[str, Any]:
    text = resources.files("micromix.social").joinpath("_data", "service_lexicon.json").read_text()
    return json.loads(text)


class SentimentScorer:
    """Base class: ``score(texts)`` returns ``sentiment`` and ``sentiment_score`` columns."""

    lookup_name: ClassVar[str] = ""

    def score(self, texts: Iterable[object]) -> pd.DataFrame:
        """Score each text, one row per text in order.

        An empty text (``None``, NaN, ``""``, blanks only) says nothing, so it gets no
        sentiment (``None``) and no score (NaN) rather than ``neutral``/0, which would read as
        a text that was read and found neutral.
        """
        cells = pd.Series(list(texts), dtype=object)
        blank = blank_cells(cells)
        vals = ["" if b else str(t) for t, b in zip(cells.tolist(), blank)]
        scores = np.fromiter(
            (np.nan if b else self._score_one(t) for t, b in zip(vals, blank)),
            dtype=float,
            count=len(vals),
        )
        labels = [None if b else lab for lab, b in zip(self._labels(scores, vals), blank)]
        return pd.DataFrame(
            {"sentiment": pd.Series(labels, dtype=object), "sentiment_score": scores}
        )

    def _score_one(self, text: str) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _labels(self, scores: np.ndarray, texts: Sequence[str]) -> list[str]:
        return [
            "positive" if s >= 0.05 else "negative" if s <= -0.05 else "neutral" for s in scores
        ]

    def to_dict(self) -> dict[str, Any]:
        """Dict with ``lookup_name`` and parameters; :func:`get_sentiment_scorer` inverts it."""
        return {
            "lookup_name": self.lookup_name,
            **{k: v for k, v in vars(self).items() if not k.startswith("_")},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SentimentScorer:
        """Rebuild from :meth:`to_dict` output."""
        return cls(**{k: v for k, v in d.items() if k != "lookup_name"})

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "lookup_name")
        return f"{type(self).__name__}({params})"


#: the sentiment scorers by lookup name (``service``, ``vader``)
SCORERS: Registry[SentimentScorer] = Registry("sentiment scorer", base=SentimentScorer)


def register_sentiment_scorer(cls: type[SentimentScorer]) -> type[SentimentScorer]:
    """Class decorator adding a scorer to :data:`SCORERS` under its ``lookup_name``."""
    return SCORERS.register(cls)


def sentiment_scorers() -> list[str]:
    """Names of the registered scorers."""
    return SCORERS.names()


def get_sentiment_scorer(
    spec: str | dict[str, Any] | SentimentScorer | None = None,
) -> SentimentScorer:
    """A scorer by name (``service``, ``vader``), from a dict, or passed through."""
    return SCORERS.create("service" if spec is None else spec)


@register_sentiment_scorer
class VaderSentiment(SentimentScorer):
    """The VADER baseline: compound score, positive >= 0.05, negative <= -0.05."""

    lookup_name = "vader"

    def __init__(self) -> None:
        pass

    def _score_one(self, text: str) -> float:
        return float(_vader().polarity_scores(text)["compound"])


def _clean(text: str) -> str:
    t = _URL.sub(" ", text)
    t = _HANDLE.sub(" ", t)
    # hashtags: keep the words ("#LateFlight" -> "Late Flight")
    t = re.sub(r"#(\w+)", lambda m: _CAMEL.sub(" ", m.group(1)), t)
    return re.sub(r"\s+", " ", t).strip()


@register_sentiment_scorer
class ServiceSentiment(SentimentScorer):
    """VADER extended with service-failure vocabulary and complaint patterns.

    Parameters
    ----------
    complaint_weight : float
        How far each complaint pattern moves the score towards -1 (0-1).
    positive_threshold : float
        Minimum score for ``positive`` (the neutral band is ``(negative_threshold,
        positive_threshold)``).
    negative_threshold : float
        Maximum score for ``negative``.
    """

    lookup_name = "service"

    def __init__(
        self,
        *,
        complaint_weight: float = 0.35,
        positive_threshold: float = 0.3,
        negative_threshold: float = -0.05,
    ) -> None:
        self.complaint_weight = complaint_weight
        self.positive_threshold = positive_threshold
        self.negative_threshold = negative_threshold

    @staticmethod
    @lru_cache(maxsize=1)
    def _analyzer() -> Any:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        a = SentimentIntensityAnalyzer()
        lex = _service_lexicon()
        a.lexicon.update({k.lower(): float(v) for k, v in lex["lexicon"].items()})
        return a

    @staticmethod
    @lru_cache(maxsize=1)
    def _patterns() -> dict[str, re.Pattern[str]]:
        lex = _service_lexicon()
        return {
            k: re.compile("|".join(f"(?:{p})" for p in lex[f"{k}_patterns"]), re.IGNORECASE)
            for k in ("complaint", "sarcasm", "ironic", "praise")
        }

    def evidence(self, text: str) -> dict[str, float]:
        """The parts behind a score: VADER compound (extended lexicon), complaint and praise hits."""
        t = _clean(text)
        pats = self._patterns()
        comp = float(self._analyzer().polarity_scores(t)["compound"]) if t else 0.0
        n_c = float(len(pats["complaint"].findall(t)))
        # "great." / "awesome." read as irony only next to a complaint
        n_i = float(len(pats["ironic"].findall(t))) if n_c or comp < -0.3 else 0.0
        return {
            "compound": comp,
            "complaints": n_c,
            "sarcasm": float(len(pats["sarcasm"].findall(t))) + n_i,
            "praise": float(len(pats["praise"].findall(t))),
        }

    def _score_one(self, text: str) -> float:
        e = self.evidence(text)
        comp, n_c, n_s, n_p = e["compound"], e["complaints"], e["sarcasm"], e["praise"]
        if n_s:
            # "thanks for nothing", "great." after a delay: the positive words are sarcastic
            comp = -abs(comp) if comp > 0 else comp
            n_c += n_s
        push = 1.0 - (1.0 - self.complaint_weight) ** n_c  # 1 hit -> w, 2 -> 1-(1-w)^2 ...
        score = comp - push * (1.0 + max(comp, 0.0)) + 0.15 * min(n_p, 2)
        return float(np.clip(score, -1.0, 1.0))

    def _labels(self, scores: np.ndarray, texts: Sequence[str]) -> list[str]:
        return [
            "positive"
            if s >= self.positive_threshold
            else "negative"
            if s <= self.negative_threshold
            else "neutral"
            for s in scores
        ]


def score_sentiment(
    texts: Iterable[object] | pd.Series, *, scorer: str | SentimentScorer | None = None
) -> pd.DataFrame:
    """Score texts with ``scorer`` (default ``service``); see :class:`ServiceSentiment`."""
    s = get_sentiment_scorer(scorer)
    out = s.score(list(texts))
    if isinstance(texts, pd.Series):
        out.index = texts.index
    return out


def normalize_labels(labels: pd.Series) -> pd.Series:
    """Map label spellings onto :data:`SENTIMENT_LABELS` (``<NA>`` for unusable ones).

    Accepts ``positive/negative/neutral``, ``pos/neg/neu``, ``1/-1/0`` and CrowdFlower-style
    ``"Positive emotion"`` / ``"No emotion toward brand or product"``; ``"I can't tell"`` and
    anything else becomes ``<NA>``.
    """
    low = labels.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=labels.index, dtype="string")
    out[low.str.contains(r"^(?:pos|1$|\+1$)|positive", regex=True).fillna(False).astype(bool)] = (
        "positive"
    )
    out[low.str.contains(r"^(?:neg|-1$)|negative", regex=True).fillna(False).astype(bool)] = (
        "negative"
    )
    out[
        low.str.contains(r"^(?:neu|0$|none$)|neutral|no emotion", regex=True)
        .fillna(False)
        .astype(bool)
    ] = "neutral"
    return out


def evaluate_sentiment(
    texts: pd.Series, labels: pd.Series, *, scorers: Sequence[str] = ("vader", "service")
) -> pd.DataFrame:
    """Accuracy and macro-F1 of each scorer on labelled texts, beside the majority-class
    baseline (always answering the most common label: the accuracy a scorer must beat).

    Rows with an unusable label (``"I can't tell"``) or an empty text (which has no sentiment
    to get right) are left out and counted: ``left_out_label`` and ``left_out_empty_text``.

    Returns one row per scorer, then a last row ``majority ('<label>')``, with ``n, accuracy,
    macro_f1``, per-class recall and precision (how often a label the scorer gives is right;
    empty where it never gives it) and the two left-out counts.
    """
    from sklearn.metrics import f1_score, precision_score, recall_score

    y = normalize_labels(labels)
    no_label = y.isna().to_numpy()
    empty = blank_cells(texts) & ~no_label
    keep = ~no_label & ~empty
    if keep.sum() == 0:
        raise ConfigError(
            "no usable labels: expected positive/negative/neutral (or pos/neg/neu, 1/-1/0)"
            if not empty.any()
            else "no labelled row has a text to score; fill in the text column"
        )
    t, yv = texts[keep], y[keep].to_numpy(dtype=object)
    labs = list(SENTIMENT_LABELS)
    majority = str(pd.Series(yv).value_counts().index[0])
    preds = [
        (name, score_sentiment(t, scorer=name)["sentiment"].to_numpy(dtype=object))
        for name in scorers
    ]
    preds.append((f"majority ('{majority}')", np.full(len(yv), majority, dtype=object)))
    rows = []
    for name, pred in preds:
        rec = recall_score(yv, pred, labels=labs, average=None, zero_division=0)
        prec = precision_score(yv, pred, labels=labs, average=None, zero_division=np.nan)
        rows.append(
            {
                "scorer": name,
                "n": int(keep.sum()),
                "accuracy": float((pred == yv).mean()),
                "macro_f1": float(
                    f1_score(yv, pred, labels=labs, average="macro", zero_division=0)
                ),
                **{f"recall_{lab}": float(r) for lab, r in zip(labs, rec)},
                **{f"precision_{lab}": float(r) for lab, r in zip(labs, prec)},
                "left_out_label": int(no_label.sum()),
                "left_out_empty_text": int(empty.sum()),
            }
        )
    return pd.DataFrame(rows)
