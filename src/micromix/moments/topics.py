"""Topics learned from the texts themselves: the subject a query or post is about.

A burst key such as ``moment | topic | region`` needs a topic for every text. Instead of a fixed
list (which only fits one market), :class:`TopicVocabulary` learns the frequent subjects of a
collection: word unigrams and bigrams that are neither stop words nor intent cues ("near me",
"how to", "buy", "price" ...), keeping a bigram ("dog food") in place of the words it is made of
when they mostly occur together. :meth:`~TopicVocabulary.transform` then tags each text with its
longest, most frequent known topic, or ``"other"``.

Quickstart
----------
>>> from micromix.moments.topics import TopicVocabulary
>>> texts = ["buy dog food", "dog food near me", "cheap dog food", "how to groom a puppy",
...          "puppy training tips", "puppy near me", "weather today"]
>>> tv = TopicVocabulary(min_count=2).fit(texts)
>>> tv.vocabulary_
['dog food', 'puppy']
>>> tv.transform(["dog food price", "is my puppy sick", "hello"])
['dog food', 'puppy', 'other']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from micromix.errors import ConfigError, NotFittedError
from micromix.moments.rules import normalize_text

__all__ = ["NO_TOPIC", "STOP_WORDS", "TopicVocabulary", "topic_tokens"]

#: the topic of a text that holds none of the known topics
NO_TOPIC = "other"

#: function words and intent cues that are never a topic on their own
_STOP_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself s t don didn doesn isn aren wasn weren won wouldn shouldn
    near nearby nearest closest open now today tonight tomorrow hours hour directions address
    how what best top cheap cheapest price prices cost costs buy order shop sale deal deals coupon
    code discount free online shipping delivery same day review reviews vs versus new used
    login sign account app official site website www com net org
    tips tip ideas guide tutorial steps step easy quick simple diy make get find
    good bad better worse much many often long one two three first last next every
    2kg 1kg kg lb lbs oz 2023 2024 2025 2026
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"[a-z0-9][a-z0-9'&-]*")


def topic_tokens(text: object) -> list[str]:
    """Lower-case word tokens of ``text`` (apostrophes and hyphens kept inside words)."""
    return _WORD.findall(normalize_text(text))


def _candidates(tokens: list[str]) -> set[str]:
    out: set[str] = set()
    content = [t not in STOP_WORDS and not t.isdigit() and len(t) > 1 for t in tokens]
    for i, tok in enumerate(tokens):
        if content[i]:
            out.add(tok)
            if i + 1 < len(tokens) and content[i + 1]:
                out.add(f"{tok} {tokens[i + 1]}")
    return out


class TopicVocabulary:
    """Learn the frequent topics of a text collection; tag texts with them.

    Parameters
    ----------
    max_topics : int
        Keep at most this many topics (the most frequent).
    min_count : int
        A topic must occur in at least this many texts ...
    min_share : float
        ... and in at least this share of them (whichever is larger).
    bigram_share : float
        A word is dropped in favour of the bigrams it belongs to when at least this share of
        its occurrences lie inside kept bigrams ("dog" inside "dog food", "dog toys").

    Attributes
    ----------
    vocabulary_ : list of str
        The topics, most frequent first.
    counts_ : dict
        Texts per topic.
    """

    def __init__(
        self,
        *,
        max_topics: int = 200,
        min_count: int = 5,
        min_share: float = 0.001,
        bigram_share: float = 0.5,
    ) -> None:
        self.max_topics = max_topics
        self.min_count = min_count
        self.min_share = min_share
        self.bigram_share = bigram_share

    def _validate(self) -> None:
        if not (isinstance(self.max_topics, int) and self.max_topics >= 1):
            raise ConfigError(f"TopicVocabulary: max_topics={self.max_topics!r} must be >= 1")
        if not (isinstance(self.min_count, int) and self.min_count >= 1):
            raise ConfigError(f"TopicVocabulary: min_count={self.min_count!r} must be >= 1")
        if not (0 <= self.min_share < 1):
            raise ConfigError(f"TopicVocabulary: min_share={self.min_share!r} must be in [0, 1)")
        if not (0 < self.bigram_share <= 1):
            raise ConfigError(
                f"TopicVocabulary: bigram_share={self.bigram_share!r} must be in (0, 1]"
            )

    def fit(self, texts: Iterable[object]) -> TopicVocabulary:
        """Count candidate topics over the distinct texts' occurrences and keep the frequent."""
        self._validate()
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update(_candidates(topic_tokens(text)))
        floor = max(self.min_count, self.min_share * n)
        bigrams = {t: c for t, c in df.items() if " " in t and c >= floor}
        covered: Counter[str] = Counter()
        for bg, c in bigrams.items():
            a, b = bg.split(" ")
            covered[a] += c
            covered[b] += c
        keep: dict[str, int] = dict(bigrams)
        for t, c in df.items():
            if " " not in t and c >= floor and covered[t] < self.bigram_share * c:
                keep[t] = c
        # drop bigrams that are mostly one part of a longer kept phrase's noise: none needed;
        # most frequent first, ties broken alphabetically for a stable order
        ranked = sorted(keep.items(), key=lambda kv: (-kv[1], kv[0]))[: self.max_topics]
        self.vocabulary_ = [t for t, _ in ranked]
        self.counts_ = dict(ranked)
        self._rank = {t: i for i, t in enumerate(self.vocabulary_)}
        return self

    def transform(self, texts: Iterable[object]) -> list[str]:
        """The topic of each text: its known bigram, else known word, most frequent first."""
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError("TopicVocabulary is not fitted; call fit(texts) first")
        rank = self._rank
        out: list[str] = []
        cache: dict[str, str] = {}
        for text in texts:
            key = normalize_text(text)
            hit = cache.get(key)
            if hit is None:
                toks = topic_tokens(key)
                best: tuple[int, int, str] | None = None
                for i, tok in enumerate(toks):
                    if i + 1 < len(toks):
                        bg = f"{tok} {toks[i + 1]}"
                        r = rank.get(bg)
                        if r is not None and (best is None or (0, r) < best[:2]):
                            best = (0, r, bg)
                    r = rank.get(tok)
                    if r is not None and (best is None or (1, r) < best[:2]):
                        best = (1, r, tok)
                hit = cache[key] = best[2] if best else NO_TOPIC
            out.append(hit)
        return out

    def fit_transform(self, texts: Iterable[object]) -> list[str]:
        """:meth:`fit` then :meth:`transform` on the same texts."""
        items = list(texts)
        return self.fit(items).transform(items)

    def __repr__(self) -> str:
        return (
            f"TopicVocabulary(max_topics={self.max_topics!r}, min_count={self.min_count!r}, "
            f"min_share={self.min_share!r}, bigram_share={self.bigram_share!r})"
        )
