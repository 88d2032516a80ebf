"""Interpretable intent rules: question words, "near me", "how to", price vocabulary, ...

Each :class:`IntentRule` is a named regular expression that votes for one micro-moment with a
weight. The rules are used twice: as features of the trained
:class:`~micromix.moments.intent.IntentClassifier` (so the model learns how far to trust each
one) and on their own by :func:`explain` to show *why* a text got its label.

Labels follow Google's micro-moments: ``know`` (I-want-to-know: facts, definitions,
questions), ``go`` (I-want-to-go: places, "near me", opening hours, directions), ``do``
(I-want-to-do: how-to, recipes, downloads, sign-ups, watching or playing online), ``buy``
(I-want-to-buy: prices, deals, reviews, product searches) and ``other`` (navigational queries
such as a brand log-in or a bare site name, and texts with no clear intent).

Quickstart
----------
>>> from micromix.moments.rules import explain, rule_votes
>>> explain("dog grooming near me")
[('near_me', 'go', 3.0)]
>>> rule_votes("how to train a puppy")["do"] > 0
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = [
    "MOMENTS",
    "RULES",
    "IntentRule",
    "explain",
    "normalize_text",
    "rule_matrix",
    "rule_votes",
]

#: the micro-moment labels, in the column order used by every model
MOMENTS: tuple[str, ...] = ("know", "go", "do", "buy", "other")

_WS = re.compile(r"\s+")


def normalize_text(text: object) -> str:
    """Lower-case, strip and collapse whitespace; ``None``/NaN become ``""``."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return _WS.sub(" ", str(text).lower()).strip()


@dataclass(frozen=True)
class IntentRule:
    """One interpretable rule.

    Parameters
    ----------
    name : str
        Stable identifier (also the feature name in the model).
    pattern : str
        Regular expression searched in the normalised text.
    moment : str
        The micro-moment the rule votes for (one of :data:`MOMENTS`).
    weight : float
        Strength of the vote when the rule is used on its own.
    """

    name: str
    pattern: str
    moment: str
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.moment not in MOMENTS:
            raise ValueError(
                f"IntentRule {self.name!r}: moment={self.moment!r} is not one of {MOMENTS}"
            )

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern)


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    rx = _CACHE.get(pattern)
    if rx is None:
        rx = _CACHE[pattern] = re.compile(pattern)
    return rx


_SITES = (
    "facebook|fb|youtube|gmail|hotmail|outlook|yahoo mail|yahoo|google|instagram|twitter|tiktok|"
    "linkedin|pinterest|reddit|netflix|hulu|spotify|amazon|ebay|walmart|target|costco|paypal|"
    "craigslist|wikipedia|imdb|espn|cnn|bbc|fox news|weather\\.com|zillow|indeed|chase|"
    "wells fargo|bank of america|citibank|capital one|usps|ups|fedex|dropbox|icloud|office 365|"
    "microsoft teams|zoom|whatsapp|snapchat|twitch|roblox|steam|aol|bing|msn|etsy|chewy|petco|"
    "petsmart|home depot|lowes|best buy|ikea|wayfair|airbnb|expedia|booking\\.com|uber|lyft|"
    "doordash|grubhub|canvas|blackboard|turbotax|irs|dmv|ssa|medicare|kaiser|verizon|at&t|"
    "t-mobile|comcast|xfinity|spectrum"
)

#: the default rule set (weights are priors; the trained model re-weights them)
RULES: tuple[IntentRule, ...] = (
    # --- I-want-to-know
    IntentRule(
        "question_word",
        r"^(what|who|whom|whose|why|when|which|is|are|was|were|does|did|"
        r"can|could|should|will|would|do)\b",
        "know",
        1.5,
    ),
    IntentRule("how_much_many", r"\bhow (much|many|long|old|far|tall|big|often)\b", "know", 1.5),
    IntentRule(
        "definition",
        r"\b(definition|define|meaning|means|synonyms?|antonyms?|"
        r"etymology|pronunciation|pronounce|translate|abbreviation|stands? for)\b",
        "know",
        2.0,
    ),
    IntentRule(
        "facts",
        r"\b(facts?|history|symptoms?|causes?|side effects|examples?|"
        r"population|capital of|temperature|weather|salary|age of|height|born|died|"
        r"biography|wiki|wikipedia|types of|list of|vs\.? difference|difference between|"
        r"benefits of|effects of|theory|formula|calories|nutrition|lyrics|cast of|quotes?)\b",
        "know",
        1.0,
    ),
    IntentRule("question_mark", r"\?\s*$", "know", 0.5),
    # --- I-want-to-go
    IntentRule("near_me", r"\bnear (me|by|you)\b|\bnearby\b|\bnearest\b|\bclosest\b", "go", 3.0),
    IntentRule("near_place", r"\b(near|in|around) [a-z]+( [a-z]+)?,? ?[a-z]{2}$", "go", 0.5),
    IntentRule(
        "hours_location",
        r"\b(opening hours|open now|hours today|store hours|hours|directions to|"
        r"store locations|locations|store locator|locator|open on sunday|open today)\b",
        "go",
        1.5,
    ),
    IntentRule(
        "place_nouns",
        r"\b(restaurants?|cafes?|coffee shops?|bars?|vets?|"
        r"veterinarians?|clinics?|hospitals?|pharmacy|dentists?|groomers?|salons?|"
        r"gas stations?|hotels?|motels?|gyms?|stores? in|shops? in|parks? in|"
        r"dog parks?|kennels?|airports?|train stations?)\b",
        "go",
        0.7,
    ),
    # --- I-want-to-do
    IntentRule("how_to", r"\bhow (to|do i|do you|can i|should i)\b", "do", 2.5),
    IntentRule(
        "tutorial",
        r"\b(tutorial|step by step|steps to|guide to|diy|instructions|"
        r"ways to|tips for|tips on|tips|ideas for|ideas|hacks?|walkthrough|template|"
        r"recipes?|workout|exercises?|pattern)\b",
        "do",
        2.0,
    ),
    IntentRule(
        "download_use",
        r"\b(download|install|setup|set up|update|upgrade|reset|"
        r"activate|register|sign up|signup|apply|application form|renew|cancel|"
        r"unsubscribe|subscribe|book|booking|reserve|schedule|convert|converter|"
        r"calculator|calculate|generator|translator|online free|free online|"
        r"watch|stream|play|listen|solve|fix|repair|clean|train|make|build|cook|bake|"
        r"learn|draw|write)\b",
        "do",
        1.2,
    ),
    IntentRule(
        "verb_first",
        r"^(replace|remove|grow|make|fix|change|unclog|install|clean|cook|bake|build|draw|"
        r"write|train|teach|learn|paint|repair|reset|convert|create|plant|start|set up|tie|"
        r"get rid of|get|lower|improve|prevent|stop|treat|wash|sew|knit|crochet|fold|cut|"
        r"brush|bathe|groom|feed|register|renew|apply|file|open|close|delete|send|track|"
        r"calculate|measure|prepare|organize|decorate|lose|gain|boil|grill|roast|fry)\b",
        "do",
        1.5,
    ),
    IntentRule(
        "file_media",
        r"\b(pdf|mp3|mp4|apk|torrent|full movie|episode|season \d+|"
        r"live stream|free games?|app)\b",
        "do",
        1.0,
    ),
    # --- I-want-to-buy
    IntentRule(
        "buy_verb",
        r"\b(buy|purchase|order|shop|shopping|for sale|on sale|sale|"
        r"checkout|add to cart|in stock|pre ?order|subscription box)\b",
        "buy",
        2.5,
    ),
    IntentRule(
        "price",
        r"\b(price|prices|pricing|cost|costs|cheap|cheapest|affordable|"
        r"under \$?\d+|\$\d+|budget|expensive|how much is|how much are|msrp|quote)\b",
        "buy",
        1.5,
    ),
    IntentRule(
        "deal",
        r"\b(deals?|coupons?|promo( code)?|discount|voucher|offer|offers|"
        r"clearance|black friday|cyber monday|free shipping|bundle)\b",
        "buy",
        2.5,
    ),
    IntentRule(
        "compare",
        r"\b(best|top \d+|top rated|reviews?|rating|ratings|vs|versus|"
        r"compare|comparison|alternatives?|recommendations?|worth it)\b",
        "buy",
        1.2,
    ),
    IntentRule(
        "product_spec",
        r"\b(\d+ ?(inch|in|ft|oz|lb|lbs|gb|tb|mm|cm|ml|pack|count|"
        r"pc|piece|set)|size|sizes|xl|xxl|queen|king|twin|wireless|waterproof|"
        r"stainless|leather|wood|wooden|velvet|organic|grain free)\b",
        "buy",
        0.8,
    ),
    # --- other: navigational / no clear intent
    IntentRule(
        "site_name",
        rf"^(www\.)?({_SITES})(\.com)?( (login|log in|sign in|account|"
        r"app|home ?page|website|official site|customer service|mail|inbox|"
        r"online banking|online))?$",
        "other",
        3.0,
    ),
    IntentRule(
        "login",
        r"\b(login|log in|logon|log on|sign in|signin|my account|webmail|"
        r"portal|homepage|home page|official site|official website)\b",
        "other",
        2.5,
    ),
    IntentRule("url", r"(https?://|www\.|\.(com|org|net|edu|gov|io|co\.uk|de)\b)", "other", 2.5),
    IntentRule(
        "social_chatter",
        r"(^|\s)(lol|lmao|omg|haha+|love (this|it|you)|good morning|"
        r"good night|happy (birthday|friday|monday)|thank you|thanks|tbt|ootd|"
        r"selfie|vibes|mood|bestie|cute|blessed)(\s|$|[!.])",
        "other",
        1.5,
    ),
    IntentRule("hashtag_mention", r"(^|\s)[#@]\w+", "other", 0.7),
)

_RULE_INDEX = {m: i for i, m in enumerate(MOMENTS)}


def rule_votes(text: str) -> dict[str, float]:
    """Sum of rule weights per micro-moment for one text."""
    t = normalize_text(text)
    out = dict.fromkeys(MOMENTS, 0.0)
    for r in RULES:
        if r.regex.search(t):
            out[r.moment] += r.weight
    return out


def explain(text: str) -> list[tuple[str, str, float]]:
    """The rules that fire on ``text``: ``(rule name, moment, weight)``."""
    t = normalize_text(text)
    return [(r.name, r.moment, r.weight) for r in RULES if r.regex.search(t)]


def rule_matrix(texts: list[str]) -> sp.csr_matrix:
    """Binary matrix ``(len(texts), len(RULES))``: which rule fires on which normalised text."""
    rows: list[int] = []
    cols: list[int] = []
    regexes = [r.regex for r in RULES]
    for i, t in enumerate(texts):
        for j, rx in enumerate(regexes):
            if rx.search(t):
                rows.append(i)
                cols.append(j)
    data = np.ones(len(rows), dtype=np.float64)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(texts), len(RULES)))
