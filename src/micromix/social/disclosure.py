"""Sponsorship disclosure detection: #ad, #sponsored, paid-partnership tags, affiliate codes and
gifted products, in English and the common European languages.

A post is *sponsored* when it says it is paid, tagged, gifted, or carries an affiliate or
discount code (the author earns from it: FTC, ASA and the EU's guidance treat all of these as
commercial). Three kinds of evidence are looked for:

* disclosure hashtags and phrases (``#ad``, ``#werbung``, ``#publicité``, ``paid partnership``,
  ``sponsored by`` ...), tags of any suffix where the stem is unambiguous (``#werbungunbezahlt``);
* gifting (``#gifted``, ``#gotitforfree``, ``PR package``, ``kindly sent``, ``were gifted``,
  ``offert par``, ``zur Verfügung gestellt``, ``regalo de``);
* a code construction: a code word (``code``, ``codice``, ``código``, ``kod``, ``coupon``,
  ``voucher``, ``promo code`` ...) with a code after it (quoted, after ``:``/arrow, or written
  in capitals/digits) and an offer near it (a percentage, ``off``, ``Rabatt``, ``sconto``,
  ``réduction``, ``descuento``, ``korting``, ``desconto``, an amount, ``free``); or a code word
  in a giving phrase (``use code X``, ``my code``, ``mit meinem Code``, ``avec le code``,
  ``con il codice``, ``con el código``, ``met de code``, ``com o código``) with a code after it;
  Polish shops' ``hasło`` (``z hasłem ANIA20 -20%``) and ``kod rabatowy`` / ``zniżkowy`` (a
  discount code: any word after it that is a code); a code that says what it gives (``code SAM
  gets you 25% off``);
* a code without a code word: a letters-and-digits token after ``with``, ``avec``, ``mit``,
  ``con``, ``met``, ``com``, ``z`` after an amount off in the same clause (``-15% avec lola10``,
  ``save 20% with BELLA20``), or with a code word near it; a number, a price or ``free`` alone
  is not a discount, nor ``save`` / ``saving`` without an amount (``saving so much time, shot
  with iPhone12``), and a discount word without an amount needs a code word near the code
  (``Discount on flights with BA2490`` is a flight number). An all-capitals token
  with no digit is mostly a brand (``20% off with NIKE``): it is a code only with a code word
  (``code``, ``kod``, ``hasło``, ``coupon``, ``promo`` ...) or ``checkout`` near it.

Someone asking for a code (``does anyone have a coupon code?``, ``czy ktoś ma kod rabatowy na
...``), a code of conduct, a dress code or a slogan (``hasło dnia``) is not a code.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.social.disclosure import is_sponsored_text
>>> is_sponsored_text(pd.Series(["Love this! #ad", "my dog loves it", "#Werbung neu",
...     "Get 15% off with the code 'ILSEZWART'", "-15% avec le code MARIE15",
...     "learning to code is fun", "a gifted pianist"])).tolist()
[True, False, True, True, True, False, False]
"""

from __future__ import annotations

import re

import pandas as pd

from micromix.social.columns import to_bool

__all__ = [
    "CODE_PATTERN",
    "DISCLOSURE_PATTERN",
    "GIFT_PATTERN",
    "is_sponsored_text",
    "sponsored_flags",
]

#: disclosure hashtags and phrases (FTC/ASA wording and common non-English equivalents); a tag
#: stem that means advertising in every use (``#werbung...``, ``#anzeige...``) takes any suffix
DISCLOSURE_PATTERN = re.compile(
    r"#(?:ad|ads|advert|advertisement|sponsored|sponsor|spon|paidpartnership|"
    r"paidpartner|partner|brandpartner|prsample|pr|publicidad|publi|publipost|sponsorisé|"
    r"sponsorise|sponsorizzato|sponsorizzata|samarbete|samarbeid|samarbejde|reklama|reklame|"
    r"adv|affiliate|affiliatelink|collab|kooperation|samenwerking|advertentie|reclame|"
    r"parceria|publicidade|patrocinado|patrocinio|pubblicità|pubblicita|partenariat|"
    r"partenariatrémunéré|publicité|publicite)(?![\w])"
    r"|#(?:unbezahlte)?werbung\w*|#anzeige\w*|#sponsored\w*|#paidpartnership\w*|#ad_\w+"
    r"|paid partnership|sponsored by|in partnership with|in samenwerking met|"
    r"in (?:kooperation|zusammenarbeit) mit|en (?:partenariat|collaboration) avec|"
    r"in collaborazione con|en colaboración con|em parceria com|"
    r"thanks to @\w+ for (?:sponsoring|partnering)|discount code|promo ?code|code ?promo|"
    r"rabatt ?code|gutschein ?code|codice (?:sconto|promo)|c[oó]digo (?:de )?(?:descuento|"
    r"desconto|promocional)|kortingscode|affiliate link",
    re.IGNORECASE,
)

#: a product given for free (a benefit the author must disclose as an ad would be)
GIFT_PATTERN = re.compile(
    r"#\w*gifted(?:me|by\w*)?(?![\w])|#(?:giftedby\w*|gifted\w*|gotitforfree|gotitfree|prgift|prpackage|prbox|"
    r"geschenkt|regalo|cadeau|offert|presente)(?![\w])"
    r"|\b(?:was|were|been|is|are|kindly|generously|lovingly)\s+gifted\b"
    r"|\bgifted\s+(?:by|from|to me|to us|me)\b|[\[(]\s*gifted\s*[\])]|\*\s*gifted\s*\*"
    r"|\bpr[ -]?(?:package|box|parcel|sample|gift)s?\b|\bkindly sent\b|\bsent (?:to )?me by\b"
    r"|\bzur verfügung gestellt\b|\bgeschenkt bekommen\b|\boffert(?:e|s)? par\b"
    r"|\b(?:regalo|regalato|regalata|regalados?|regaladas?) (?:de|da|by)\b"
    r"|\bgekregen van\b|\bpresente d[aeo]\b",
    re.IGNORECASE,
)

#: a code word (of any language in the module docstring)
_CODE_WORD = (
    r"(?:code|codes|codice|codici|c[oó]digo|c[oó]digos|codul|codului|k[oó]d\w{0,4}|koodi\w{0,5}|"
    r"cupom|cup[oó]n|coupon|voucher|gutschein|rabattcode|kortingscode|codepromo|promocode|"
    r"discountcode|rabatkode\w{0,2}|rabattkod\w{0,2}|alennuskoodi\w{0,3}|"
    # Polish "hasło" (a password or a slogan, and the word Polish shops use for a code)
    r"has[łl](?:o|em|a|u))"
)
#: code words of languages written without spaces (Japanese, Korean, Chinese)
_CJK_CODE_WORD = (
    r"(?:クーポンコード|クーポン|コード|할인\s?코드|쿠폰\s?코드|코드|优惠码|折扣码|優惠碼)"
)
#: a code word then a code: quoted, after ``:``/an arrow, or a capitals/digits token
CODE_PATTERN = re.compile(
    rf"(?:(?<![\w#]){_CODE_WORD}\b|{_CJK_CODE_WORD})(?:\s+(?P<qual>promo|promocional|sconto|de descuento|de desconto|"
    r"de r[ée]duction|gutschein|rabatt|rabatow\w*|zni[żz]kow\w*|promocyjn\w*))?"
    r"(?P<sep>\s*(?:[:=.：]|➡️?|->|→|👉\S*|➖)?\s*)"
    r"(?P<q>[\"'“”‘’„«»‚`(\[✨【「]*)\s*"
    r"(?P<code>[A-Za-z0-9][A-Za-z0-9_\-]{1,29})",
    re.IGNORECASE,
)
#: a code word after one of these is another kind of code ("zip code 90210")
_OTHER_CODES = re.compile(
    r"\b(?:zip|postal|post|area|dress|source|qr|bar|country|error|morse|product|colou?r|"
    r"access|secret|cheat|style|genetic|tax)\s*$",
    re.IGNORECASE,
)
#: a phrase that gives a code to the reader ("use code X", "my code", "mit meinem Code" ...)
_GIVING = re.compile(
    r"(?:\buse|\busing|\bwith|\benter|\bapply|\bmy|\bour|\bthe|\bthis|\bspecial|\bexclusive|"
    r"\bmeinen?|\bmeinem|\bdem|\bden|\bmit|\bunserem|\bavec(?: le| mon)?|\bmon|\ble|\bcon(?: il| el| mi| il mio)?|"
    r"\bil mio|\bil|\bmi|\bel|\bmet(?: de| mijn)?|\bmijn|\bde|\bcom(?: o| meu)?|\bmeu|\bo|"
    r"\bwpisz|\bwpiszcie|\bu[żz]yj|\bu[żz]yjcie|\bz|\bna|\bmoim|\bm[oó]j)"
    r"\s+(?:discount |promo |rabatt|special |exclusive |personal |persönlichen? )?$",
    re.IGNORECASE,
)
#: an offer near a code: a percentage, "off", an amount, "free", and the words of each language
_OFFER = re.compile(
    r"\d\s*[%％]|[%％]\s*\d|\boff\b|\bdiscount|\bsave\b|\bsaving|\bfree\b|\bgratis\b|\brabat|"
    r"\bsparen|\bspart\b|\bsconto|\bscontata|\bréduction|\breduction|\bremise|\bdescuento|"
    r"\bkorting|\bdesconto|\bpromo|\boffert|\bomaggio|\bregalo|\breducere|\bzni[żz]k|"
    r"\bnuolaid|\bz[ľl]av|\bslev|\balennus|\bindirim|\bскидк|割引|オフ|할인|折|"
    r"[$€£¥]\s*\d|\d\s*[$€£¥]|\bdeal\b",
    re.IGNORECASE,
)
#: a quoted code in capitals (with a digit or of 5+ characters) right beside an offer:
#: ``"CAROLINE-CF" will give you 15% off``
_QUOTED_CODE = re.compile(
    r"[\"“”„«'‘’]\s*(?=[A-Z0-9_\-]*[A-Z])(?=[A-Z0-9_\-]*[0-9]|[A-Z0-9_\-]{5})"
    r"[A-Z0-9][A-Z0-9_\-]{3,29}\s*[\"“”»'’]"
    r"(?=.{0,60}?(?:\d\s*[%％]|\b\d+\s*(?:€|\$|£)?\s*off\b))",
)
#: words after a code word that are ordinary prose, not a code
_NOT_A_CODE = frozenset(
    [
        "and",
        "the",
        "for",
        "your",
        "you",
        "our",
        "this",
        "that",
        "with",
        "from",
        "which",
        "will",
        "get",
        "off",
        "to",
        "of",
        "in",
        "on",
        "at",
        "is",
        "are",
        "be",
        "by",
        "it",
        "an",
        "or",
        "as",
        "can",
        "all",
        "des",
        "und",
        "der",
        "die",
        "das",
        "für",
        "pour",
        "per",
        "para",
        "por",
        "que",
        "qui",
        "avec",
        "con",
        "del",
        "della",
        "les",
        "est",
        "une",
        "sur",
        "mit",
        "auf",
        "zum",
        "zur",
        "bij",
        "van",
        "het",
        "een",
        "voor",
        "na",
        "do",
        "dla",
        "od",
        "po",
        "jest",
        "czy",
        "ze",
    ]
)
#: a code given after a short clause: an arrow or a colon, then the code
_LATER_CODE = re.compile(
    r"(?:(?P<arrow>➡️?|->|→|👉)|:)\s*[\"'“”‘’„«»]*(?P<code>[A-Za-z0-9][A-Za-z0-9_\-]{2,29})\b"
)
#: a quoted code just before a code word ("'gamzekoc' indirim kodunu")
_CODE_BEFORE = re.compile(
    rf"[\"“„«'‘]\s*[A-Za-z0-9][A-Za-z0-9_\-]{{2,29}}\s*[\"”»'’]\s*(?:\w+\s+)?{_CODE_WORD}\b",
    re.IGNORECASE,
)
#: how far (characters) an offer may be from the code word
_OFFER_WINDOW = 120
#: the code itself says what it gives, right after it ("code SAM gets you 25% off")
_GIVES_AFTER = re.compile(
    r"\s*(?:gets?|gives?|saves?|will (?:get|give|save))\s+(?:you|u|ya)\b", re.IGNORECASE
)
#: a code with no code word, after a giving preposition: "-15% avec lola10", "save 20% with
#: BELLA20"; a letters-and-digits or all-capitals token ...
_BARE_CODE = re.compile(
    r"(?<![\w#@])(?:with|using|avec|mit|con|met|com|z|ze)\s+[\"'“„«‘]?"
    r"(?P<code>(?=[A-Za-z0-9_\-]*[A-Za-z])(?=[A-Za-z0-9_\-]*\d)[A-Za-z][A-Za-z0-9_\-]{2,29}"
    r"|[A-Z][A-Z0-9_\-]{3,29})(?![\w@])",
    re.IGNORECASE,
)
#: ... an all-capitals token without a digit is often a brand ("20% off with NIKE"): it is a
#: code only with a code word near it ("20% off with NIKE, code valid till Sunday") or a word
#: saying where it is entered ("using WINSWPNK at checkout for 30% off", Kim 2020 sample)
_NEAR_CODE_WORD = re.compile(
    rf"(?<![\w#@]){_CODE_WORD}\b|(?<![\w#@])(?:promo|promocode|promos|check-?out)\b|"
    rf"{_CJK_CODE_WORD}",
    re.IGNORECASE,
)
#: how far (characters) a code word may be from a bare capitals token
_BARE_WINDOW = 60
#: ... with a discount (not only a number, a price or "free") beside it: an amount off ("-15%",
#: "20% off", "save 20%", "15% sparen") ...
_DISCOUNT_AMOUNT = re.compile(
    r"-\s*\d+\s*[%％€$£]|\d\s*[%％]\s*(?:off|rabatt|korting|taniej|zni[żz]k|di sconto|de "
    r"(?:réduction|reduction|descuento|desconto|remise))|"
    r"\d\s*[%％€$£]\s*(?:\w+\s+)?(?:discount|sconto|rabatt|korting|zni[żz]k|reducere|alennus|"
    r"indirim)|\b(?:discount|sconto|réduction|reduction|remise|descuento|desconto|korting|"
    r"rabatt?|zni[żz]k\w*|reducere|alennus|slev|indirim)\s+(?:\w+\s+)?(?:[$€£]\s*)?\d+\s*"
    r"(?:[%％€$£]|euro)|"
    r"\b(?:sav(?:e|es|ing)|spare)\s+(?:up\s+to\s+|an?\s+(?:extra\s+)?|(?:an\s+)?extra\s+)?"
    r"(?:[$€£]\s*)?\d|\d\s*(?:[%％€$£]|euro?)?\s*(?:zu\s+)?spar(?:en|t)\b|"
    r"\bspar(?:en|t)\s+(?:\w+\s+)?\d+\s*(?:[%％€]|euro)",
    re.IGNORECASE,
)
#: ... or a discount word: without an amount ("Discount on flights with BA2490 today") it counts
#: only beside a code word; "save" and "saving" alone ("saving so much time with iPhone12",
#: "save battery life with iOS14") are not a discount at all
_DISCOUNT = re.compile(
    rf"{_DISCOUNT_AMOUNT.pattern}|"
    r"\bdiscount|\bsconto|\bréduction|\bremise|\bdescuento|\bdesconto|\bkorting|\brabat|"
    r"\bzni[żz]k|\breducere|\balennus|\bslev|\bindirim",
    re.IGNORECASE,
)
#: what ends a clause: an offer before it does not reach a code after it
_CLAUSE_END = re.compile(r"[.!?;\n]|\s[-–—|]\s")


def _codelike(token: str) -> bool:
    """Written as a code: a digit in it, or capitals (all of 4+ letters, or 2+ in a mixed
    token of 5+: ``DWxMIHAELA``).

    >>> _codelike("ANNA15"), _codelike("DWxMIHAELA"), _codelike("and"), _codelike("Libby")
    (True, True, False, False)
    """
    upper = sum(ch.isupper() for ch in token)
    return (
        any(ch.isdigit() for ch in token)
        or (token.isupper() and len(token) >= 4)
        or (upper >= 2 and len(token) >= 5)
    )


def _bare_code_word(text: str, bare: re.Match[str]) -> bool:
    """A code word near the bare capitals token ``bare`` (not a zip code, a dress code ...).

    >>> def near(text):
    ...     return _bare_code_word(text, _BARE_CODE.search(text))
    >>> near("20% off with NIKE, code at checkout"), near("20% off with NIKE at the outlet")
    (True, False)
    """
    lo = max(0, bare.start() - _BARE_WINDOW)
    for word in _NEAR_CODE_WORD.finditer(text, lo, bare.end() + _BARE_WINDOW):
        if not _OTHER_CODES.search(text[max(0, word.start() - 40) : word.start()]):
            return True
    return False


def _offer_before(text: str, start: int) -> bool:
    """An amount off in the clause before a bare code starting at ``start`` (no code word near
    it: the code must follow the offer, as in "save 20% with BELLA20").

    >>> _offer_before("save 20% with BELLA20", 14), _offer_before("Shot with iPhone12", 10)
    (True, False)
    >>> _offer_before("20% off everything! Shot with iPhone12", 30)
    False
    """
    lo = max(0, start - _BARE_WINDOW)
    for offer in _DISCOUNT_AMOUNT.finditer(text, lo, start):
        if not _CLAUSE_END.search(text, offer.end(), start):
            return True
    return False


def _has_code(text: str) -> bool:
    """A code construction (see the module docstring) anywhere in ``text``.

    >>> _has_code("nutzt meinen CODE um zusätzlich 15% zu sparen ➡️ FRANZITOEROEK")
    True
    >>> _has_code("Product Code: #DZZ48457"), _has_code("kids learn to code in 10 days")
    (False, False)
    """
    if _QUOTED_CODE.search(text):
        return True
    for bare in _BARE_CODE.finditer(text):
        code = bare.group("code")
        if not (any(ch.isdigit() for ch in code) or code.isupper()):
            continue
        near = text[max(0, bare.start() - _BARE_WINDOW) : bare.end() + _BARE_WINDOW]
        if _bare_code_word(text, bare):
            if _DISCOUNT.search(near):
                return True
        elif any(ch.isdigit() for ch in code) and _offer_before(text, bare.start()):
            return True
    for quoted in _CODE_BEFORE.finditer(text):
        lo, hi = max(0, quoted.start() - _OFFER_WINDOW), quoted.end() + _OFFER_WINDOW
        if _OFFER.search(text[lo:hi]):
            return True
    pos, chained = 0, None
    while (m := CODE_PATTERN.search(text, pos)) is not None:
        pos, start, chained = m.end(), chained if chained is not None else m.start(), None
        if re.fullmatch(_CODE_WORD, m.group("code"), re.IGNORECASE) and CODE_PATTERN.match(
            text, m.start("code")
        ):
            # "coupon code DOGGO": the second code word is part of the first, not a code
            pos, chained = m.start("code"), start
            continue
        code, sep = m.group("code"), m.group("sep").strip()
        cjk = bool(re.match(_CJK_CODE_WORD, m.group(0)))
        if not m.group("q") and not sep and not cjk and not _codelike(code):
            # "nutzt meinen CODE um ... ➡️ X", "kod rabatowy: x": the code after a short clause
            later = _LATER_CODE.search(text, m.start("code"), m.start("code") + 80)
            if later and (later.group("arrow") or later.start() - m.start("code") <= 25):
                code, sep = later.group("code"), later.group("arrow") or ":"
        before = text[max(0, start - 40) : start]
        if _OTHER_CODES.search(before):
            continue
        # a discount code ("kod rabatowy kasia") or one that says what it gives is given
        giving = (
            bool(_GIVING.search(before))
            or (bool(m.group("qual")) and code.lower() not in _NOT_A_CODE)
            or bool(_GIVES_AFTER.match(text, m.end("code")))
        )
        codelike = bool(m.group("q").strip()) or bool(sep) or cjk or _codelike(code)
        if code.lower() in _NOT_A_CODE and not m.group("q"):
            codelike = False
        near = text[max(0, m.start() - _OFFER_WINDOW) : m.end() + _OFFER_WINDOW]
        offer = bool(_OFFER.search(near))
        if (codelike and offer) or (giving and (codelike or offer)):
            return True
    return False


def is_sponsored_text(text: pd.Series) -> pd.Series:
    """True where a caption carries a disclosure (``#ad``, ``paid partnership``, a gifted
    product, an affiliate or discount code; see the module docstring).

    Bare words are only counted as hashtags or clear phrases, so "ad" inside ordinary prose
    ("I had an ad-free day"), "a gifted pianist" or "learning to code" are not flagged.
    """
    s = text.astype("string").fillna("")
    tagged = s.str.contains(DISCLOSURE_PATTERN, regex=True).fillna(False).astype(bool)
    gifted = s.str.contains(GIFT_PATTERN, regex=True).fillna(False).astype(bool)
    said = (tagged | gifted).to_numpy(dtype=bool)
    coded = [bool(done) or _has_code(str(t)) for done, t in zip(said, s)]
    return pd.Series(coded, index=s.index, dtype=bool)


def sponsored_flags(posts: pd.DataFrame) -> pd.Series:
    """Combine an explicit flag, sponsor tags and caption disclosures into one boolean series.

    Uses, when present: ``is_sponsored`` (any truthy value), ``sponsor_users`` (non-empty:
    the Instagram paid-partnership tag) and ``text`` (disclosure hashtags and phrases, gifted
    products, affiliate and discount codes).
    """
    flag = pd.Series(False, index=posts.index)
    if "is_sponsored" in posts.columns:
        flag |= to_bool(posts["is_sponsored"]).fillna(0.0).astype(bool)
    if "sponsor_users" in posts.columns:
        su = posts["sponsor_users"].astype("string").str.strip()
        flag |= (su.notna() & (su != "") & (su != "[]")).fillna(False).astype(bool)
    if "text" in posts.columns:
        flag |= is_sponsored_text(posts["text"])
    return flag
