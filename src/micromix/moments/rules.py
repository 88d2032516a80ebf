"""Interpretable intent rules and cues: question words, "near me", "how to", transactions, sites.

The micro-moment taxonomy (the contract; ``docs/moments.md`` gives examples and the borders):

* ``know`` — wants information: facts, definitions, questions, prices and costs *as facts*
  ("cost of solar panels", "iphone 15 price"), reviews and comparisons ("best running shoes",
  "macbook vs dell");
* ``go`` — wants a physical place or local business: "near me", opening hours, directions, an
  address, a city with a business type ("vets in austin");
* ``do`` — wants to learn how to do something: how to, steps, recipes, fixes, set-ups,
  tutorials, an imperative task ("unclog a drain");
* ``buy`` — wants to complete a transaction: purchase, order, book, subscribe, sign up, download
  or install, watch / play / listen online, use an online service or tool (calculators,
  converters, translators);
* ``other`` — navigational (a specific site, app, log-in or account page, a brand's home page,
  a URL) or no intent at all (chatter).

Each :class:`IntentRule` is a named regular expression that votes for one micro-moment with a
weight; :data:`SITE_CUES` are look-ups in a list of well-known sites and brands
(``_data/sites.txt``). Both are used twice: as features of the trained
:class:`~micromix.moments.intent.IntentClassifier` (which learns how far to trust each) and on
their own by :func:`explain` to show *why* a text got its label.

Quickstart
----------
>>> from micromix.moments.rules import explain, rule_votes
>>> explain("dog grooming near me")
[('near_me', 'go', 3.0)]
>>> rule_votes("how to train a puppy")["do"] > 0
True
>>> [name for name, _, _ in explain("chase online banking")]
['online_use', 'login', 'site_only', 'site_first', 'site_any']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = [
    "LEXICAL_CUES",
    "MOMENTS",
    "RULES",
    "SITE_CUES",
    "IntentRule",
    "english_words",
    "explain",
    "known_sites",
    "lexical_cues",
    "normalize_text",
    "rule_columns",
    "rule_matrix",
    "rule_names",
    "rule_votes",
    "site_cues",
]

#: the micro-moment labels, in the column order used by every model
MOMENTS: tuple[str, ...] = ("know", "go", "do", "buy", "other")

_WS = re.compile(r"\s+")
_SITES_FILE = Path(__file__).with_name("_data") / "sites.txt"


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


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_Q = r"^(what|who|whom|whose|why|when|where|which|is|are|was|were|does|did|can|could|should|will|would|do|has|have|how)\b"
_TLD = r"com|org|net|edu|gov|io|co|us|uk|ca|de|fr|au|in|info|biz|tv|me|ly|app|ai"

#: the default rule set (weights are priors for :func:`rule_votes`; the model re-weights them)
RULES: tuple[IntentRule, ...] = (
    # --- know: information
    IntentRule("question_word", _Q, "know", 1.5),
    IntentRule(
        "how_much_many", r"\bhow (much|many|long|old|far|tall|big|often|deep|fast)\b", "know", 1.5
    ),
    IntentRule(
        "definition",
        r"\b(definition|define|meaning|means|synonyms?|antonyms?|etymology|pronunciation|"
        r"pronounce|abbreviation|acronym|stands? for|in spanish|in english)\b",
        "know",
        2.0,
    ),
    IntentRule(
        "facts",
        r"\b(facts?|history|symptoms?|causes?|side effects|examples?|population|capital of|"
        r"temperature|weather|wether|wather|weahter|forecast|forcast|radar|doppler|tornado|"
        r"hurricane|blizzard|monsoon|storm|rain|snow|humidity|clima|tiempo|salary|salaries|net worth|age of|height|born|died|death|"
        r"biography|types of|list of|difference between|benefits of|effects of|theory|formula|"
        r"calories|nutrition|lyrics|cast of|cast|quotes?|statistics|average|meaning of|"
        r"phone number|zip code|area code|time zone|stock price|share price|score|scores|"
        r"schedule|release date|summary|characters|dosage|normal range|vs|versus|compared? to|"
        r"reviews?|ratings?|best|top \d+|worth it|pros and cons)\b",
        "know",
        1.0,
    ),
    IntentRule(
        "price_fact",
        r"\b(cost of|price of|how much (is|are|does|do)|costs?|prices?|pricing|average cost|"
        r"msrp|value of|worth)\b",
        "know",
        0.8,
    ),
    IntentRule("question_mark", r"\?\s*$", "know", 0.5),
    # --- go: a place or local business
    IntentRule(
        "near_me",
        r"\bnear (me|by|you|here)\b|\bnearby\b|\bnearest\b|\bclosest\b|\bclose to me\b",
        "go",
        3.0,
    ),
    IntentRule(
        "near_place",
        r"\b(near|in|around) [a-z]+( [a-z]+)?,? ?(a[klrz]|c[aot]|d[ce]|fl|ga|hi|i[adln]|k[sy]|la|"
        r"m[adeinost]|n[cdehjmvy]|o[hkr]|pa|ri|s[cd]|t[nx]|ut|v[at]|w[aivy])$",
        "go",
        1.0,
    ),
    IntentRule(
        "hours_location",
        r"\b(opening hours|open now|open today|hours today|store hours|hours of operation|hours|"
        r"directions to|directions|store locations?|locations|store locator|locator|"
        r"open on (sunday|saturday)|address of|address|closing time|drive thru)\b",
        "go",
        1.5,
    ),
    IntentRule(
        "near_local",
        r"\bnear (downtown |the )?(?!(me|by|you|here)\b)[a-z]+|"
        r"\b(local|in my area|around me|in town)\b",
        "go",
        1.0,
    ),
    IntentRule(
        "place_nouns",
        r"\b(restaurants?|cafes?|coffee shops?|bars?|vets?|veterinarians?|clinics?|hospitals?|"
        r"pharmacy|pharmacies|dentists?|groomers?|salons?|barbers?|gas stations?|hotels?|motels?|"
        r"gyms?|stores? in|shops? in|parks? in|dog parks?|kennels?|airports?|train stations?|"
        r"urgent care|post office|dmv office|car wash|daycare|contractors?|plumbers?|"
        r"electricians?|roofers?|movers?|lawyers?|attorneys?|realtors?|mechanics?)\b",
        "go",
        0.7,
    ),
    # --- do: learn how to do something
    IntentRule("how_to", r"\bhow (to|do i|do you|can i|should i|do we)\b", "do", 2.5),
    IntentRule(
        "tutorial",
        r"\b(tutorial|step by step|steps to|steps for|guide to|guide for|diy|instructions|"
        r"ways to|tips for|tips on|tips|ideas for|ideas|hacks?|walkthrough|recipes?|workout|"
        r"exercises?|pattern|for beginners|beginners guide|troubleshoot(ing)?|not working)\b",
        "do",
        2.0,
    ),
    IntentRule(
        "verb_first",
        r"^(replace|remove|grow|make|fix|change|unclog|clean|cook|bake|build|draw|write|train|"
        r"teach|paint|repair|reset|create|plant|start|set up|setup|tie|get rid of|lower|"
        r"improve|prevent|stop|treat|wash|sew|knit|crochet|fold|cut|brush|bathe|groom|feed|"
        r"file|close|delete|send|calculate|measure|prepare|organize|decorate|lose|gain|boil|"
        r"grill|roast|fry|solve|connect|transfer|update|uninstall|turn off|turn on|check|"
        r"find out|cancel|become|clear|format|recover|restore|unlock|block|hide|screenshot|"
        r"sharpen|season|store|freeze|thaw|cure|relieve|reduce|increase|speed up|earn|obtain|"
        r"report|register|renew|apply for|file for|get a|get an|get my|get your)\b",
        "do",
        1.5,
    ),
    IntentRule(
        "gerund_task",
        r"^(getting|making|building|growing|raising|training|cleaning|cooking|baking|writing|"
        r"starting|finding|choosing|using|learning|teaching|installing|removing|fixing|"
        r"repairing|replacing|planting|painting|sewing|knitting|drawing|programming|sharpening|"
        r"obtaining|applying|filing|measuring|preparing|planning|organizing|organising|"
        r"decorating|caring for|dealing with|treating|preventing|reducing|lowering|improving|"
        r"losing|gaining|becoming|changing|converting|creating|designing|setting up|"
        r"transplanting|pruning|smoking|grilling|roasting|frying|canning|potty training)\b|"
        r"\b\w+ (measuring|cleaning|repair|removal|installation|maintenance|care)$",
        "do",
        1.0,
    ),
    IntentRule(
        "fix_setup",
        r"\b(fix|fixing|repair|setup|set up|reset|troubleshoot|unclog|replace|replacing|"
        r"remove|removing|clean|cleaning|get rid of)\b",
        "do",
        1.0,
    ),
    # --- buy: complete a transaction, get or use something online
    IntentRule(
        "buy_verb",
        r"\b(buy|buying|purchase|order|ordering|shop|shopping|for sale|on sale|sale|checkout|"
        r"add to cart|in stock|pre ?order|delivery|same day delivery|free shipping|rent|rental|"
        r"lease|hire)\b",
        "buy",
        2.5,
    ),
    IntentRule(
        "deal",
        r"\b(deals?|coupons?|promo( codes?)?|discount( codes?)?|vouchers?|offers?|clearance|"
        r"black friday|cyber monday|cheap|cheapest|affordable|under \$?\d+|\$\d+|"
        r"quotes?|best price|lowest price|bundle)\b",
        "buy",
        2.5,
    ),
    IntentRule(
        "download_get",
        r"\b(download|downloads|downloading|install|installer|free trial|trial|apk|exe|dmg|"
        r"torrent|mp3|mp4|pdf download|full version|crack|iso|drivers?|app for|plug-?ins?|"
        r"software|player \d+|reader \d+|for (pc|mac|"
        r"windows|android|iphone|ios)|for win ?\d+|windows \d+)\b",
        "buy",
        2.5,
    ),
    IntentRule(
        "book_subscribe",
        r"\b(book|booking|reserve|reservations?|tickets?|subscribe|subscription|sign up|signup|"
        r"register|registration|enroll|enrol|apply|application|renew|membership|join|"
        r"pay|payment|pay bill|bill pay|donate|order online|checkout)\b",
        "buy",
        2.0,
    ),
    IntentRule(
        "product_spec",
        r"\b(\d+ ?(inch|inches|in|ft|oz|lb|lbs|gb|tb|mm|cm|ml|pack|count|pc|piece|pieces|set|"
        r"drawers?|seater|light|quart|gallon)|size \d+|queen|king size|twin size|full size|xl|"
        r"xxl|wireless|waterproof|stainless|leather|wooden|velvet|upholstered|grain free)\b",
        "buy",
        0.8,
    ),
    IntentRule(
        "online_tool",
        r"\b(calculator|converter|convert|conversion|translator|translate|generator|checker|"
        r"maker|editor|compressor|resizer|counter|timer|test online|quiz|to pdf|to jpg|to png|"
        r"planner|finder|lookup|look up|search engine|directory|tracker|tracking|"
        r"to mp3|to mp4|to word|to excel)\b",
        "buy",
        2.0,
    ),
    IntentRule(
        "online_use",
        r"\b(online|free online|online free|watch|stream|streaming|play|listen|live stream|"
        r"full movie|full episodes?|episodes?|season \d+|free games?|games online|audiobook|"
        r"ebook|video|videos|images|wallpaper|chat)\b",
        "buy",
        1.0,
    ),
    IntentRule(
        "get_document",
        r"\b(forms?|worksheets?|printables?|printable|templates?|coloring pages|wallpapers?|"
        r"clip ?art|fonts?|ringtones?|screensavers?|manuals?|printouts?|free)\b",
        "buy",
        1.0,
    ),
    # --- other: navigational or no intent
    IntentRule(
        "org_name",
        r"\b(college|university|univ|hospital|medical center|health system|county|department|"
        r"dept|bank|credit union|airlines?|airways|inc|corp|corporation|company|llc|ltd|"
        r"association|foundation|institute|academy|school district|isd|high school|"
        r"middle school|elementary school|library|museum|zoo|aquarium|court|courthouse|sheriff|"
        r"police department|fire department|authority|commission|agency|bureau|administration|"
        r"magazine|newspaper|times|tribune|herald|gazette|journal|radio|channel \d+|network|"
        r"lottery|dmv|rmv|bmv|city of|state of|town of|county of|resort|casino|stadium|arena)\b",
        "other",
        1.5,
    ),
    IntentRule(
        "business_name",
        r"\b(center|centre|services|service|news|publishing|publishers|press|foods|brothers|"
        r"bros|group|associates|partners|systems|solutions|technologies|enterprises|industries|"
        r"international|motors|marina|report|weekly|daily|online|\.?com|co|inc|store|stores|"
        r"outlet|hotel|inn|suites|lodge|club|studios?|records|entertainment|media|"
        r"pharmaceuticals|labs?|clinic|church|ministries)$",
        "other",
        1.0,
    ),
    IntentRule(
        "login",
        r"\b(login|log in|logon|log on|sign in|signin|sign on|my account|account|accounts|"
        r"webmail|portal|homepage|home page|official site|official website|website|web site|"
        r"site|online banking|customer service|customer portal|email|mail|inbox|app|"
        r"web player|dashboard|member|members)\b",
        "other",
        2.5,
    ),
    IntentRule(
        "url",
        rf"(https?://|\bwww\b|\.({_TLD})\b|\b[a-z0-9-]+(dot)(com|org|net)\b)",
        "other",
        2.5,
    ),
    IntentRule(
        "social_chatter",
        r"(^|\s)(lol|lmao|omg|haha+|love (this|it|you)|good morning|good night|"
        r"happy (birthday|friday|monday|sunday|weekend)|thank you|thanks|tbt|ootd|selfie|"
        r"vibes|mood|bestie|cute|blessed|yay|ugh|wow|can't wait|so excited)(\s|$|[!.])",
        "other",
        1.5,
    ),
    IntentRule("hashtag_mention", r"(^|\s)[#@]\w+", "other", 0.7),
)

#: words that keep a query navigational when they follow a site name ("chase online banking")
_NAV_TEXT = """login log in sign on signin account my accounts online banking bank app website site web
official home page homepage mail email inbox portal customer service com www net org us uk ca
the of student employee member members dashboard player tv credit card myaccount"""
_NAV_WORDS = frozenset(_NAV_TEXT.split())

#: the site look-up cues, in feature order: (name, moment, weight)
SITE_CUES: tuple[tuple[str, str, float], ...] = (
    ("site_only", "other", 3.0),
    ("site_first", "other", 1.0),
    ("site_any", "other", 0.3),
    ("brand_nav", "other", 2.0),
)

#: lexical cues from an English word list, in feature order: (name, moment, weight). A query of
#: names rather than words is mostly navigational (a site, brand or institution) or about a
#: named thing; the model learns how far to trust each.
LEXICAL_CUES: tuple[tuple[str, str, float], ...] = (
    ("unknown_word", "other", 0.5),
    ("all_unknown", "other", 1.0),
    ("compound_name", "other", 1.5),
    ("names_only", "other", 0.5),
    ("one_word", "other", 0.3),
)


@lru_cache(maxsize=1)
def known_sites() -> frozenset[str]:
    """The well-known sites and brands of ``_data/sites.txt`` (lower case)."""
    names: set[str] = set()
    for line in _SITES_FILE.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            names.add(s)
    return frozenset(names)


_WORDS_FILE = Path(__file__).with_name("_data") / "english_words.txt.gz"


@lru_cache(maxsize=1)
def english_words() -> tuple[frozenset[str], frozenset[str]]:
    """(common words, proper nouns) of ``_data/english_words.txt.gz`` (SCOWL, lower case)."""
    import gzip

    common: set[str] = set()
    proper: set[str] = set()
    target = common
    with gzip.open(_WORDS_FILE, "rt", encoding="utf-8") as fh:
        for line in fh:
            w = line.strip()
            if w == "#proper":
                target = proper
            elif w and not w.startswith("#"):
                target.add(w)
    return frozenset(common), frozenset(proper)


_ALPHA = re.compile(r"[a-z]+")


def _is_word(tok: str, common: frozenset[str]) -> bool:
    """A common English word, allowing a plural or possessive ``s``."""
    return tok in common or (tok.endswith("s") and tok[:-1] in common)


def _splits_in_two(tok: str, common: frozenset[str], proper: frozenset[str]) -> bool:
    """``tok`` is two known words written together ("arizonalottery", "smalltopsites")."""
    for i in range(3, len(tok) - 2):
        a, b = tok[:i], tok[i:]
        if (a in common or a in proper) and (_is_word(b, common) or b in proper):
            return True
    return False


def lexical_cues(text: str) -> tuple[bool, bool, bool, bool, bool]:
    """Word-list cues of a normalised text, in :data:`LEXICAL_CUES` order.

    ``unknown_word``: a token of three or more letters that is neither an English word, a
    proper noun nor a known site; ``all_unknown``: every such token is unknown;
    ``compound_name``: a token that is two known words written together, like a domain
    ("baltimorecity"); ``names_only``: no common English word at all (proper nouns, unknown
    names); ``one_word``: a single token.
    """
    toks = _ALPHA.findall(text)
    if not toks:
        return (False, False, False, False, False)
    common, proper = english_words()
    sites = known_sites()
    long_toks = [t for t in toks if len(t) >= 3]
    unknown = [
        t for t in long_toks if not _is_word(t, common) and t not in proper and t not in sites
    ]
    compound = any(
        len(t) >= 7 and not _is_word(t, common) and _splits_in_two(t, common, proper)
        for t in unknown
    )
    names_only = all(not _is_word(t, common) for t in toks if len(t) >= 2)
    return (
        bool(unknown),
        bool(long_toks) and len(unknown) == len(long_toks),
        compound,
        names_only,
        len(text.split()) == 1,
    )


_TOKEN = re.compile(r"[a-z0-9&'+*.-]+")


def _strip_tld(tok: str) -> str:
    tok = tok.removeprefix("www.")
    for tld in (".com", ".org", ".net", ".gov", ".edu", ".co.uk", ".io", ".co"):
        if tok.endswith(tld) and len(tok) > len(tld):
            return tok[: -len(tld)]
    return tok


def site_cues(text: str) -> tuple[bool, bool, bool, bool]:
    """Site look-up cues of a normalised text: (only, first, any, brand + nav words).

    ``only``: the whole text is a known site or brand, possibly with a domain ending or
    navigational words ("netflix", "chase online banking", "target.com"); ``first``: it starts
    with one ("gmail uc davis"); ``any``: it contains one; ``brand_nav``: an unknown word
    followed only by navigational words ("acme bank login").
    """
    toks = [_strip_tld(t.strip(".'")) for t in _TOKEN.findall(text)]
    toks = [t for t in toks if t]
    if not toks:
        return (False, False, False, False)
    sites = known_sites()
    n = len(toks)
    spans: list[tuple[int, int]] = []
    for i in range(n):
        for L in (4, 3, 2, 1):
            if i + L <= n and " ".join(toks[i : i + L]) in sites:
                spans.append((i, i + L))
                break
    if not spans:
        joined = "".join(toks)
        if joined in sites or joined.replace(" ", "") in sites:
            return (True, True, True, False)
        rest = toks[1:]
        brand_nav = n >= 2 and all(t in _NAV_WORDS for t in rest) and toks[0] not in _NAV_WORDS
        return (False, False, False, brand_nav)
    covered: set[int] = set()
    for a, b in spans:
        covered.update(range(a, b))
    only = all(i in covered or toks[i] in _NAV_WORDS for i in range(n))
    first = spans[0][0] == 0
    return (only, first, True, False)


def rule_names() -> list[str]:
    """Feature names of :func:`rule_matrix` columns: the rules, then the site cues."""
    return [r.name for r in RULES] + [c[0] for c in SITE_CUES] + [c[0] for c in LEXICAL_CUES]


def rule_columns(t: str) -> list[int]:
    """Columns of :func:`rule_matrix` (rules, then site cues) that fire on a normalised text."""
    out = [j for j, r in enumerate(RULES) if r.regex.search(t)]
    base = len(RULES)
    out.extend(base + k for k, hit in enumerate(site_cues(t)) if hit)
    base += len(SITE_CUES)
    out.extend(base + k for k, hit in enumerate(lexical_cues(t)) if hit)
    return out


def _weights() -> list[tuple[str, str, float]]:
    return [(r.name, r.moment, r.weight) for r in RULES] + list(SITE_CUES) + list(LEXICAL_CUES)


def rule_votes(text: str) -> dict[str, float]:
    """Sum of rule weights per micro-moment for one text."""
    out = dict.fromkeys(MOMENTS, 0.0)
    for _, moment, weight in explain(text):
        out[moment] += weight
    return out


def explain(text: str) -> list[tuple[str, str, float]]:
    """The rules and site cues that fire on ``text``: ``(name, moment, weight)``."""
    w = _weights()
    return [w[j] for j in rule_columns(normalize_text(text))]


def rule_matrix(texts: list[str]) -> sp.csr_matrix:
    """Binary matrix ``(len(texts), len(rule_names()))`` of the rules and cues that fire.

    ``texts`` must already be normalised (:func:`normalize_text`).
    """
    rows: list[int] = []
    cols: list[int] = []
    for i, t in enumerate(texts):
        for j in rule_columns(t):
            rows.append(i)
            cols.append(j)
    data = np.ones(len(rows), dtype=np.float64)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(texts), len(rule_names())))
