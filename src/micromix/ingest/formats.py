"""Input layouts ("format adapters"): real export files mapped onto the data contracts.

A file reaches the store in three steps: :func:`~micromix.ingest.files.read_raw` reads it as
text cells with line numbers; a *format adapter* renames and reshapes those cells into the
contract's canonical columns (still text, same row order, so line numbers still match); the
contract (:mod:`micromix.schema`) then types and validates them.

Adapters are small registered classes with a ``lookup_name``, the ``kinds`` of data they
produce, :meth:`FormatAdapter.detect` (a score from the header) and
:meth:`FormatAdapter.to_canonical`. Built in:

============== ========= ==============================================================
lookup_name    kind      layout
============== ========= ==============================================================
canonical      any       contract column names (case-insensitive) and common aliases
kaggle_fb_ads  ads       Kaggle "Sales conversion optimization" Facebook ads file
ga4_bigquery   events    GA4 BigQuery export rows as JSON Lines
instagram_posts posts    Instagram post dumps (shortcode, username, taken_at_timestamp ...)
creator_list   creators  creator lists (Username, Category, #Followers, #Followees, #Posts)
============== ========= ==============================================================

More layouts (Meta, Google, TikTok, LinkedIn, Pinterest, Snapchat, X and Spotify ads; GA4 and
UA reports; TikTok, X and Instagram post exports; influencer rankings) live in
:mod:`micromix.ingest.ads_exports`, :mod:`micromix.ingest.traffic_exports` and
:mod:`micromix.ingest.social_exports`, registered the same way.

Quickstart
----------
>>> from micromix.ingest.formats import detect_format, get_format
>>> cols = ["ad_id", "xyz_campaign_id", "fb_campaign_id", "age", "gender", "interest",
...         "Impressions", "Clicks", "Spent", "Total_Conversion", "Approved_Conversion"]
>>> detect_format(cols, "ads").lookup_name
'kaggle_fb_ads'
>>> get_format("canonical", kind="events").to_dict()
{'lookup_name': 'canonical', 'kind': 'events'}
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import pandas as pd

from micromix.errors import ColumnNotFoundError, ConfigError
from micromix.ingest.files import RawTable
from micromix.registry import Registry
from micromix.schema import KINDS, schema_for
from micromix.schema.display import listed

__all__ = [
    "ALIASES",
    "CANONICAL_MAX",
    "ERROR_FIELD",
    "ERROR_REASON",
    "FORMATS",
    "FULL_MATCH",
    "GA4_EVENT_TYPES",
    "SUMMARY",
    "CanonicalFormat",
    "ColumnLookup",
    "CreatorListFormat",
    "FormatAdapter",
    "Ga4BigQueryFormat",
    "InstagramPostsFormat",
    "KaggleFbAdsFormat",
    "detect_format",
    "get_format",
    "hashtags_of",
    "list_formats",
    "normalize_name",
    "register_format",
    "registered_formats",
]

#: extra column an adapter may add: the field at fault for rows it cannot map
ERROR_FIELD = "_mm_error_field"
#: extra column an adapter may add: why the row cannot be mapped (None where it is fine)
ERROR_REASON = "_mm_error_reason"
#: extra column an adapter may add: the label of a summary (total) row, None for data rows
SUMMARY = "_mm_summary"

#: score a layout-specific adapter gets when every signature column is present
FULL_MATCH = 1.0
#: the best score the generic canonical layout can get (a specific layout wins a tie)
CANONICAL_MAX = 0.99


def normalize_name(name: object) -> str:
    """Header name in comparable form: lower case, accents dropped (a header is the same
    whether its "í" is one character or "i" and a combining accent), runs of non-alphanumerics
    -> ``_``.

    >>> normalize_name("Amount spent (USD)"), normalize_name("#Followers")
    ('amount_spent_usd', 'followers')
    >>> normalize_name("Día") == normalize_name("Di\u0301a") == "dia"
    True
    """
    text = str(name).strip().lower()
    if not text.isascii():
        text = "".join(
            ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
        )
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def register_format(cls: type[FormatAdapter]) -> type[FormatAdapter]:
    """Class decorator adding an adapter to :data:`FORMATS` under its ``lookup_name``."""
    return FORMATS.register(cls)


def _kind_table(kind: str) -> str:
    return schema_for(kind).name


def get_format(name: str, kind: str | None = None) -> FormatAdapter:
    """The adapter registered as ``name``, set up to produce ``kind`` rows.

    Raises
    ------
    ConfigError
        ``name`` is not registered, or the layout cannot produce ``kind``.
    """
    key = normalize_name(name)
    if key not in FORMATS:
        raise ConfigError(
            f"unknown layout {name!r} for --format; use one of {', '.join(FORMATS.names())} "
            "or leave it out to detect the layout from the header"
        )
    cls = FORMATS.get(key)
    table = _kind_table(kind) if kind is not None else None
    if table is not None and cls.kinds and table not in cls.kinds:
        produces = ", ".join(_cli_kind(t) for t in cls.kinds)
        raise ConfigError(
            f"--format {key} holds {produces} rows, not {kind}; run 'micromix ingest {produces} ...' "
            "or choose another --format"
        )
    return cls(kind=table or (cls.kinds[0] if cls.kinds else "events"))


def list_formats(kind: str | None = None) -> list[str]:
    """Registered layout names (those able to produce ``kind`` when given), sorted."""
    table = _kind_table(kind) if kind is not None else None
    return sorted(
        n for n, c in FORMATS.as_dict().items() if table is None or not c.kinds or table in c.kinds
    )


def detect_format(
    columns: Iterable[object],
    kind: str,
    source: str = "input",
    lines: Sequence[str] = (),
) -> FormatAdapter:
    """Pick the layout whose header matches ``columns`` best for ``kind``.

    A layout is chosen only with evidence of its platform (:attr:`FormatAdapter.evidence`: a
    column only that platform exports, or a preamble/footer line in ``lines`` only it writes);
    a header whose columns many platforms share is refused, never labelled with a guess.

    Raises
    ------
    ColumnNotFoundError
        No layout matches completely (the message names the columns the closest one lacks), or
        only layouts without evidence of their platform do (the message lists them and says to
        pass ``--format``).
    """
    cols = [str(c) for c in columns]
    best: FormatAdapter | None = None
    best_score = -1.0
    generic: list[FormatAdapter] = []
    for name in list_formats(kind):
        adapter = get_format(name, kind)
        score = adapter.detect(cols)
        if score >= FULL_MATCH and not adapter.evident(cols, lines):
            generic.append(adapter)  # fits the header, but so would other platforms' exports
            continue
        if score > best_score:
            best, best_score = adapter, score
    assert best is not None  # canonical serves every kind
    if best.missing(cols) and generic:
        generic.sort(key=lambda a: -len(a.reads(cols)))
        closest = ", ".join(f"{a.lookup_name} ({a.title})" for a in generic[:4])
        raise ColumnNotFoundError(
            f"{source}: no platform could be recognised from the header (its columns "
            f"{_preview(cols, 10)} are ones several platforms export); the closest layouts are "
            f"{closest}: pass --format with the layout of the platform the file came from "
            f"(e.g. --format {generic[0].lookup_name}), or add a 'platform' column and pass "
            "--format canonical"
        )
    if best.missing(cols):
        for name in list_formats(kind):
            why = get_format(name, kind).mismatch(cols)
            if why:
                raise ColumnNotFoundError(f"{source}: {why}")
        raise ColumnNotFoundError(
            f"{source}: no known {kind} layout matches the header; the closest, {best.lookup_name} "
            f"({best.title}), lacks column(s) {', '.join(map(repr, best.missing(cols)))} "
            f"(columns present: {_preview(cols)}); rename the columns or pass --format "
            f"({', '.join(list_formats(kind))})"
        )
    return best


def _preview(cols: Sequence[str], n: int = 20) -> str:
    return listed(cols, top=n) if cols else "none"


def _cli_kind(table: str) -> str:
    return next((k for k, t in KINDS.items() if t == table), table)


class FormatAdapter:
    """Base class of input layouts.

    Parameters
    ----------
    kind : str
        Table the adapter produces (``ad_performance``, ``events`` ...); must be one of
        ``kinds`` for layout-specific adapters.

    Attributes
    ----------
    lookup_name : str
        Registry name, used by ``--format``.
    kinds : tuple of str
        Contract tables the layout produces (empty: any).
    title : str
        Human name of the layout, used in messages.
    signature : tuple of tuple of str
        Header columns that identify the layout; each entry lists alternatives (matched after
        :func:`normalize_name`; ``*`` matches any text from there on).
    """

    lookup_name: ClassVar[str] = ""
    kinds: ClassVar[tuple[str, ...]] = ()
    title: ClassVar[str] = ""
    signature: ClassVar[tuple[tuple[str, ...], ...]] = ()
    #: order of d/m/y dates the layout documents (None: detect from the file)
    dayfirst: ClassVar[bool | None] = None
    #: currency the layout documents for its money columns (None: from the file or --currency)
    currency: ClassVar[str | None] = None
    #: columns only this platform's exports have (each alternative: every column of it); when
    #: set, detection chooses the layout only with one of them (or a line of ``marks``) present
    #: besides the signature, which may then hold columns other platforms share
    evidence: ClassVar[tuple[tuple[str, ...], ...]] = ()
    #: patterns (case-insensitive) of preamble or footer lines only this platform writes
    marks: ClassVar[tuple[str, ...]] = ()
    #: the platform's header names in other interface languages: language -> {English name:
    #: its names in that language} (empty: English names only); the signature, evidence and
    #: fields are written in English and matched in every language
    vocabulary: ClassVar[dict[str, dict[str, tuple[str, ...]]]] = {}
    #: why the layout files rows under the strategy ``other`` (None: it never does); the
    #: ingest says so in a note, with ``--strategy`` to file them otherwise
    other_strategy_why: ClassVar[str | None] = None
    #: whether the platform's exports end with a line break: True - always (a file that ends
    #: inside its last row was cut, and that row is quarantined); False - often not (nothing
    #: said); None - not known (a note says the last row may be incomplete)
    final_newline: ClassVar[bool | None] = None

    def __init__(self, *, kind: str) -> None:
        self.kind = kind
        #: header columns the last :meth:`to_canonical` read (None: the layout does not say)
        self.read_columns: set[str] | None = None
        #: interface language of the last header :meth:`to_canonical` read ("es", "de" ...;
        #: None: English, or a layout that reads English names only)
        self.language: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kind={self.kind!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.to_dict() == self.to_dict()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.kind))

    # ------------------------------------------------------------------ registry round trip
    def to_dict(self) -> dict[str, Any]:
        """``{"lookup_name": ..., "kind": ...}``; :meth:`from_dict` rebuilds the adapter."""
        return {"lookup_name": self.lookup_name, "kind": self.kind}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormatAdapter:
        """Rebuild an adapter from :meth:`to_dict` output."""
        if "lookup_name" not in data:
            raise ConfigError(f"format spec {data!r} has no 'lookup_name'")
        return get_format(str(data["lookup_name"]), data.get("kind"))

    # ------------------------------------------------------------------ detection
    def missing(self, columns: Iterable[object]) -> list[str]:
        """Signature columns (display names) absent from ``columns``."""
        norm = {normalize_name(c) for c in columns}
        return [
            " or ".join(alt.replace("*", "...") for alt in group)
            for group in self.signature
            if not _group_present(self.names(*group), norm)
        ]

    def detect(self, columns: Iterable[object]) -> float:
        """Score in [0, 1]: the share of signature columns present (1.0: a full match)."""
        cols = list(columns)
        if not self.signature:
            return 0.0
        return FULL_MATCH * (1.0 - len(self.missing(cols)) / len(self.signature))

    def evident(self, columns: Iterable[object], lines: Sequence[str] = ()) -> bool:
        """Whether the header (or a preamble/footer line) shows the layout's platform: always
        for a layout without :attr:`evidence` or :attr:`marks` (its signature tells)."""
        if not self.evidence and not self.marks:
            return True
        norm = {normalize_name(c) for c in columns}
        groups = localized_groups(self.evidence, self.vocabulary)
        if any(all(_find_in(alt, norm) is not None for alt in group) for group in groups):
            return True
        return any(re.search(m, str(line), re.IGNORECASE) for m in self.marks for line in lines)

    def reads(self, columns: Iterable[object]) -> list[str]:
        """The header columns the layout reads (here: its signature columns present)."""
        cols = [str(c) for c in columns]
        norm = {normalize_name(c): c for c in cols}
        hits = {_find_in(alt, norm) for group in self.signature for alt in self.names(*group)}
        return [norm[h] for h in hits if h is not None]

    def names(self, *english: str) -> tuple[str, ...]:
        """``english`` header names followed by their names in the layout's other languages."""
        return localized(english, self.vocabulary) if self.vocabulary else english

    def mismatch(self, columns: Iterable[object]) -> str | None:
        """Why a header that looks like this layout is not one, as a sentence for the user
        (a layout whose telling column names other exports share), or None."""
        return None

    def check(self, columns: Iterable[object], source: str = "input") -> None:
        """Raise :class:`ColumnNotFoundError` when ``columns`` do not fit this layout."""
        cols = [str(c) for c in columns]
        miss = self.missing(cols)
        why = self.mismatch(cols) if miss else None
        if why:
            raise ColumnNotFoundError(
                f"{source}: does not match --format {self.lookup_name}: {why}"
            )
        if miss:
            raise ColumnNotFoundError(
                f"{source}: does not match --format {self.lookup_name} ({self.title}): column(s) "
                f"{', '.join(map(repr, miss))} not found (columns present: {_preview(cols)}); "
                "leave out --format to detect the layout, or pick another"
            )

    # ------------------------------------------------------------------ checks
    def consistency(
        self, raw: RawTable, positions: Sequence[int], *, plain_only: bool = False
    ) -> tuple[dict[str, Any], ...]:
        """Checks of the figures of the accepted rows (at ``positions`` of ``raw.frame``)
        against each other, as the ingest report's ``checks`` (``{"check", "status",
        "message"}``); none by default. ``plain_only``: the file was read with decimal commas,
        so only cells of plain digits are read."""
        return ()

    # ------------------------------------------------------------------ mapping
    def canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        """:meth:`to_canonical`, with the last row quarantined when the file ends inside it
        and the layout's exports always end with a line break (:attr:`final_newline`)."""
        canon = self.to_canonical(raw, dayfirst=dayfirst)
        if raw.cut is None or self.final_newline is False or raw.cut not in raw.rows:
            return canon
        if self.final_newline is None:
            note = (
                f"{raw.path}: the file does not end with a line break, so its last row (line "
                f"{raw.cut}) may be incomplete if the download was cut; check that row's values"
            )
            if note not in raw.notes:
                raw.notes.append(note)
            return canon
        canon = canon.copy()
        at = canon.index[raw.rows.index(raw.cut)]
        for col in (ERROR_FIELD, ERROR_REASON, SUMMARY):
            if col not in canon.columns:
                canon[col] = None
        last = str(raw.frame.columns[-1]) if len(raw.frame.columns) else ""
        canon.loc[at, SUMMARY] = None
        canon.loc[at, ERROR_FIELD] = last
        canon.loc[at, ERROR_REASON] = (
            f"the file ends mid-row, and a {self.title or self.lookup_name} always ends with a "
            "line break: was the download cut? Export the file again (if this row is complete "
            "and the file was re-saved by another tool, add a line break at its end)"
        )
        return canon

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        """Text cells in canonical column names, one row per row of ``raw.frame``, same order.

        Rows the adapter cannot map carry a field name in :data:`ERROR_FIELD` and a reason in
        :data:`ERROR_REASON` (both ``None`` elsewhere); the pipeline quarantines them.

        ``dayfirst`` is the order of ``d/m/y`` days for this call (the user's ``--dayfirst`` /
        ``--monthfirst``, else the layout's :attr:`dayfirst`; None: detect it from the file).
        A layout that reads days itself (a week's end, a report period in a preamble) reads
        them in that order, and refuses a day that contradicts a stated order; one that passes
        its days on as text leaves them to the contract, which is given the same order.
        """
        raise NotImplementedError


#: the input layouts by ``lookup_name`` (join with :func:`register_format`)
FORMATS: Registry[FormatAdapter] = Registry("export layout", base=FormatAdapter)


def localized(
    names: Iterable[str], vocabulary: dict[str, dict[str, tuple[str, ...]]]
) -> tuple[str, ...]:
    """``names`` followed by their names in every language of ``vocabulary`` (each once, the
    English names first, so that an English header is found exactly as before).

    >>> localized(["Cost"], {"de": {"Cost": ("Kosten",)}, "es": {"Cost": ("Coste", "Costo")}})
    ('Cost', 'Kosten', 'Coste', 'Costo')
    """
    english = tuple(names)
    out = list(english)
    for vocab in vocabulary.values():
        for name in english:
            out += [t for t in vocab.get(name, ()) if t not in out]
    return tuple(out)


def localized_groups(
    groups: Sequence[Sequence[str]], vocabulary: dict[str, dict[str, tuple[str, ...]]]
) -> list[tuple[str, ...]]:
    """``groups`` of columns that must all be present (a layout's evidence) and, per language,
    each group whose every column that language names, in that language (a group is evidence
    only with all its columns, in one language)."""
    out = [tuple(g) for g in groups]
    for vocab in vocabulary.values():
        for group in groups:
            if all(name in vocab for name in group):
                combos: list[tuple[str, ...]] = [()]
                for name in group:
                    combos = [(*c, alt) for c in combos for alt in vocab[name]]
                out += [c for c in combos if c not in out]
    return out


def _group_present(group: Sequence[str], norm: set[str]) -> bool:
    return any(_find_in(alt, norm) is not None for alt in group)


def _find_in(display: str, norm: Iterable[str]) -> str | None:
    """The normalised column matching ``display`` (``*``: any text from there on), or None."""
    if "*" in display:
        key = normalize_name(display.split("*", 1)[0])
        return next((c for c in sorted(norm) if c.startswith(key)), None)
    key = normalize_name(display)
    return key if key in set(norm) else None


class ColumnLookup:
    """Case/punctuation-insensitive access to the columns of a raw frame, and to nested JSON
    values by dotted path (``authorMeta.name``, ``stats.diggCount``)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.by_norm: dict[str, str] = {}
        for c in frame.columns:
            self.by_norm.setdefault(normalize_name(c), c)

    def name(self, *alternatives: str) -> str | None:
        """Original name of the first alternative present (``*``: any text from there on)."""
        for alt in alternatives:
            hit = _find_in(alt, self.by_norm)
            if hit is not None:
                return self.by_norm[hit]
        return None

    def _path(self, alt: str) -> pd.Series | None:
        """Values at a dotted path inside a column holding JSON objects, or None."""
        if "." not in alt or "*" in alt:
            return None
        head, rest = alt.split(".", 1)
        col = self.by_norm.get(normalize_name(head))
        if col is None:
            return None
        keys = rest.split(".")
        vals = self.frame[col].tolist()
        if not any(isinstance(v, dict) for v in vals):
            return None
        out = []
        for v in vals:
            for k in keys:
                v = v.get(k) if isinstance(v, dict) else None
            out.append(v)
        return pd.Series(out, index=self.frame.index, dtype=object)

    def has(self, *alternatives: str) -> bool:
        """Whether any alternative is a column or a nested path present in some row."""
        for alt in alternatives:
            if self.name(alt) is not None:
                return True
            got = self._path(alt)
            if got is not None and got.notna().any():
                return True
        return False

    def get(self, *alternatives: str) -> pd.Series:
        """The first present column (or nested path) among ``alternatives``, or all-None."""
        for alt in alternatives:
            name = self.name(alt)
            if name is not None:
                return self.frame[name].astype(object)
            got = self._path(alt)
            if got is not None and got.notna().any():
                return got
        return pd.Series([None] * len(self.frame), index=self.frame.index, dtype=object)

    def present(self, fields: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
        """``{canonical name: values}`` of each ``(name, spellings)`` the frame has (e.g. an
        author's profile, which only some dumps carry): a field the frame lacks is left out,
        not filled with nulls."""
        return {name: self.get(*alts).to_numpy() for name, alts in fields if self.has(*alts)}


def _const(frame: pd.DataFrame, value: str | None) -> pd.Series:
    return pd.Series([value] * len(frame), index=frame.index, dtype=object)


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v) or str(v).strip() == ""


# ====================================================================== canonical
#: header aliases per contract table (normalised alias -> canonical column)
ALIASES: dict[str, dict[str, str]] = {
    "events": {
        "id": "event_id",
        "eventid": "event_id",
        "timestamp": "ts",
        "time": "ts",
        "event_time": "ts",
        "datetime": "ts",
        "date_time": "ts",
        "created_at": "ts",
        "occurred_at": "ts",
        "user": "user_id",
        "user_pseudo_id": "user_id",
        "userid": "user_id",
        "customer_id": "user_id",
        "visitor_id": "user_id",
        "session": "session_id",
        "sessionid": "session_id",
        "event": "event_type",
        "event_name": "event_type",
        "type": "event_type",
        "action": "event_type",
        "campaign": "campaign_id",
        "ad": "ad_id",
        "post": "post_id",
        "creator": "creator_id",
        "segment": "segment_id",
        "country": "region",
        "search_term": "query",
        "keyword": "query",
        "value": "revenue",
        "spend": "cost",
        "moment_type": "moment",
        "intent": "moment",
    },
    "ad_performance": {
        "day": "date",
        "reporting_date": "date",
        "report_date": "date",
        "campaign": "campaign_id",
        "campaignid": "campaign_id",
        "adset": "ad_set",
        "ad_set_id": "ad_set",
        "adset_id": "ad_set",
        "ad_group": "ad_set",
        "ad_group_id": "ad_set",
        "adgroup_id": "ad_set",
        "ad": "ad_id",
        "segment": "segment_id",
        "age_band": "age",
        "impr": "impressions",
        "imps": "impressions",
        "link_clicks": "clicks",
        "cost": "spend",
        "amount_spent": "spend",
        "spent": "spend",
        "results": "conversions",
        "purchases": "conversions",
        "total_conversion": "conversions",
        "approved_conversion": "approved_conversions",
        "revenue": "conversion_value",
        "purchase_value": "conversion_value",
        "conversions_value": "conversion_value",
        "currency_code": "currency",
    },
    "posts": {
        "id": "post_id",
        "shortcode": "post_id",
        "media_id": "post_id",
        "author": "author_id",
        "username": "author_id",
        "user": "author_id",
        "user_id": "author_id",
        "timestamp": "ts",
        "created_at": "ts",
        "posted_at": "ts",
        "taken_at_timestamp": "ts",
        "time": "ts",
        "caption": "text",
        "body": "text",
        "content": "text",
        "like_count": "likes",
        "comment_count": "comments",
        "share_count": "shares",
        "save_count": "saves",
        "video_view_count": "views",
        "view_count": "views",
        "plays": "views",
        "sponsored": "is_sponsored",
        "paid_partnership": "is_sponsored",
        "is_ad": "is_sponsored",
        "brand_owned": "is_brand_owned",
        "tagged_users": "mentions",
    },
    "creators": {
        "id": "creator_id",
        "username": "creator_id",
        "user": "creator_id",
        "follower_count": "followers",
        "followers_count": "followers",
        "followees": "following",
        "following_count": "following",
        "follows": "following",
        "post_count": "posts",
        "media_count": "posts",
        "category": "niche",
        "rate": "rate_per_post",
        "fee": "rate_per_post",
        "price_per_post": "rate_per_post",
    },
    "audience": {
        "user": "user_id",
        "customer_id": "user_id",
        "age": "age_band",
        "country": "region",
        "minor": "is_minor",
    },
    "experiments": {
        "experiment": "experiment_id",
        "test_id": "experiment_id",
        "unit": "unit_id",
        "user_id": "unit_id",
        "geo": "unit_id",
        "group": "arm",
        "variant": "arm",
        "treatment": "arm",
        "campaign": "campaign_id",
        "revenue_value": "revenue",
        "pre": "pre_period",
    },
}


#: name columns that identify their thing when the file has no id column for it
_NAMES_AS_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "ad_performance": (("ad_set_name", "ad_set"), ("ad_name", "ad_id")),
}


@register_format
class CanonicalFormat(FormatAdapter):
    """The contract's own column names (any case), plus common aliases.

    ``timestamp``/``time``/``event_time`` -> ``ts``, ``user``/``user_pseudo_id`` -> ``user_id``
    and so on (see :data:`ALIASES`); an exact contract name wins over an alias. Columns that are
    neither are ignored.
    """

    lookup_name = "canonical"
    kinds = ()
    title = "contract column names"

    def _mapping(self, columns: Iterable[object]) -> dict[str, str]:
        """Original column -> canonical name."""
        schema = schema_for(self.kind)
        names = set(schema.columns)
        aliases = ALIASES.get(schema.name, {})
        exact: dict[str, str] = {}
        aliased: dict[str, str] = {}
        for c in columns:
            n = normalize_name(c)
            if n in names:
                exact.setdefault(n, str(c))
            elif n in aliases:
                aliased.setdefault(aliases[n], str(c))
        out = {orig: canon for canon, orig in aliased.items() if canon not in exact}
        out.update({orig: canon for canon, orig in exact.items()})
        return out

    def missing(self, columns: Iterable[object]) -> list[str]:
        schema = schema_for(self.kind)
        have = set(self._mapping(columns).values())
        return [f.name for f in schema.fields if f.required and f.name not in have]

    def detect(self, columns: Iterable[object]) -> float:
        cols = list(columns)
        schema = schema_for(self.kind)
        required = [f.name for f in schema.fields if f.required]
        got = 1.0 - len(self.missing(cols)) / max(len(required), 1)
        known = len(self._mapping(cols)) / max(len(cols), 1)
        return CANONICAL_MAX * (0.9 * got + 0.1 * known)

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        mapping = self._mapping(raw.frame.columns)
        self.read_columns = set(mapping)
        out = raw.frame[list(mapping)].rename(columns=mapping).reset_index(drop=True)
        # a name without an id identifies its ad set or ad, as in the platforms' layouts
        for name, key in _NAMES_AS_KEYS.get(schema_for(self.kind).name, ()):
            if name in out.columns and key not in out.columns:
                out[key] = out[name]
        return out


# ====================================================================== Kaggle Facebook ads
@register_format
class KaggleFbAdsFormat(FormatAdapter):
    """The Kaggle "Sales conversion optimization" Facebook ads file (``KAG_conversion_data.csv``).

    One row per ad with its age, gender and interest targeting and no date:
    ``xyz_campaign_id`` -> ``campaign_id``, ``fb_campaign_id`` -> ``ad_set``,
    ``Spent`` -> ``spend``, ``Total_Conversion`` -> ``conversions``, ``Approved_Conversion`` ->
    ``approved_conversions``; platform ``facebook``, strategy ``paid_social``.
    """

    lookup_name = "kaggle_fb_ads"
    kinds = ("ad_performance",)
    title = "Kaggle Facebook ads conversion file"
    signature = (
        ("xyz_campaign_id",),
        ("fb_campaign_id",),
        ("ad_id",),
        ("Impressions",),
        ("Spent",),
        ("Total_Conversion",),
        ("Approved_Conversion",),
    )

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        f = raw.frame.reset_index(drop=True)
        c = ColumnLookup(f)
        read = ["xyz_campaign_id", "fb_campaign_id", "ad_id", "age", "gender", "interest"]
        read += ["Impressions", "Clicks", "Spent", "Total_Conversion", "Approved_Conversion"]
        self.read_columns = {n for n in (c.name(r) for r in read) if n is not None}
        return pd.DataFrame(
            {
                "platform": _const(f, "facebook"),
                "campaign_id": c.get("xyz_campaign_id"),
                "ad_set": c.get("fb_campaign_id"),
                "ad_id": c.get("ad_id"),
                "strategy": _const(f, "paid_social"),
                "age": c.get("age"),
                "gender": c.get("gender"),
                "interest": c.get("interest"),
                "impressions": c.get("Impressions"),
                "clicks": c.get("Clicks"),
                "spend": c.get("Spent"),
                "conversions": c.get("Total_Conversion"),
                "approved_conversions": c.get("Approved_Conversion"),
                "level": _const(f, "ad"),  # one row per ad (ad_id is the row's key)
            }
        )


# ====================================================================== GA4 BigQuery export
#: GA4 event names -> the events vocabulary (anything else -> "other")
GA4_EVENT_TYPES: dict[str, str] = {
    "page_view": "page_view",
    "screen_view": "page_view",
    "view_item": "view",
    "view_item_list": "view",
    "view_promotion": "view",
    "view_search_results": "search",
    "search": "search",
    "add_to_cart": "add_to_cart",
    "begin_checkout": "begin_checkout",
    "purchase": "purchase",
    "session_start": "session_start",
    "select_item": "click",
    "select_promotion": "click",
    "click": "click",
    "share": "share",
    "video_start": "video_view",
}
_GA4_DEVICES = {"mobile": "mobile", "desktop": "desktop", "tablet": "tablet"}


def _ga4_placeholder(v: str | None) -> bool:
    """GA4 fills unknown values with placeholders such as ``(not set)``, ``(direct)``, ``<Other>``."""
    s = (v or "").strip()
    return not s or (s[0], s[-1]) in (("(", ")"), ("<", ">"))


def _ga4_strategy(source: str | None, medium: str | None) -> str | None:
    """Map a GA4 source/medium pair onto micromix strategies (None when unknown)."""
    s = (source or "").strip().lower()
    m = (medium or "").strip().lower()
    if not s and not m:
        return None
    if m in ("(none)", "") and s in ("(direct)", ""):
        return "direct"
    if m == "organic":
        return "search"
    if m in ("cpc", "ppc", "paidsearch", "paid_search", "sem"):
        return "search"
    if m in ("email", "e-mail", "newsletter"):
        return "email"
    if m in ("influencer", "creator", "affiliate_influencer"):
        return "influencer"
    if m in ("paid_social", "paidsocial", "social_paid", "cpm", "paid"):
        return "paid_social"
    if m in ("ugc", "social", "social-network", "social_network", "sm", "organic_social"):
        return "ugc_organic"
    return "other"


def _ga4_value(v: object) -> str | None:
    if not isinstance(v, dict):
        return None if _blank(v) else str(v)
    for k in ("string_value", "int_value", "double_value", "float_value"):
        if v.get(k) is not None:
            return str(v[k])
    return None


def _loads(v: object) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, (dict, list)):
        return v
    s = str(v).strip()
    if not s:
        return None
    if s[0] in "[{":
        return json.loads(s)
    return s


@register_format
class Ga4BigQueryFormat(FormatAdapter):
    """GA4 BigQuery export rows as JSON Lines (one exported event per line).

    ``event_timestamp`` is in microseconds; ``event_params`` is a list of
    ``{"key": ..., "value": {"string_value" | "int_value" | "double_value" | "float_value"}}``
    records. Mapping: ``user_pseudo_id`` -> ``user_id``; ``user_pseudo_id.ga_session_id`` ->
    ``session_id`` (GA4 session ids are unique per user only); ``search_term`` -> ``query``;
    ``campaign`` param (else ``traffic_source.name``) -> ``campaign_id``; event param or
    ``traffic_source`` source/medium -> ``strategy``; ``device.category`` -> ``device``;
    ``geo.country``/``geo.region`` -> ``region``; ``ecommerce.purchase_revenue`` (else the
    ``value`` param of a purchase) -> ``revenue``; ``platform`` WEB -> web, IOS/ANDROID -> app.
    ``event_id`` is a stable hash of the user, timestamp, event name and the line's content, so
    re-ingesting the export adds nothing.
    """

    lookup_name = "ga4_bigquery"
    kinds = ("events",)
    title = "GA4 BigQuery export"
    signature = (
        ("event_name",),
        ("event_timestamp", "event_datetime", "event_time"),
        ("user_pseudo_id", "client_id"),
    )

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        f = raw.frame.reset_index(drop=True)
        cols = list(f.columns)
        records = f.to_dict(orient="records")
        rows = [self._row(rec, cols) for rec in records]
        out = pd.DataFrame(rows, columns=[*_GA4_COLUMNS, ERROR_FIELD, ERROR_REASON], dtype=object)
        return out

    def _row(self, rec: dict[str, Any], cols: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = dict.fromkeys((*_GA4_COLUMNS, ERROR_FIELD, ERROR_REASON))
        user = _first(rec, "user_pseudo_id", "client_id")
        name = rec.get("event_name")
        ts_raw = _first(rec, "event_timestamp", "event_datetime", "event_time")
        content = json.dumps({k: rec.get(k) for k in cols}, sort_keys=True, ensure_ascii=False)
        digest = hashlib.blake2b(
            "\x1f".join(map(str, (user, ts_raw, name, content))).encode("utf-8", "surrogatepass"),
            digest_size=12,
        ).hexdigest()
        out["event_id"] = f"ga4-{digest}"
        out["user_id"] = user
        out["ts"] = _micros_to_iso(ts_raw)
        out["event_type"] = (
            None if _blank(name) else GA4_EVENT_TYPES.get(str(name).strip().lower(), "other")
        )
        try:
            params_raw = _loads(rec.get("event_params"))
            nested = {
                k: _loads(rec.get(k))
                for k in (
                    "device",
                    "geo",
                    "traffic_source",
                    "collected_traffic_source",
                    "ecommerce",
                )
            }
        except json.JSONDecodeError as exc:
            out[ERROR_FIELD] = "event_params"
            out[ERROR_REASON] = f"nested GA4 record is not valid JSON ({exc.msg})"
            return out
        params: dict[str, str | None] = {}
        if isinstance(params_raw, list):
            for p in params_raw:
                if isinstance(p, dict) and "key" in p:
                    params[str(p["key"])] = _ga4_value(p.get("value"))
        elif params_raw is not None:
            out[ERROR_FIELD] = "event_params"
            out[ERROR_REASON] = "event_params must be a list of {key, value} records"
            return out

        def sub(obj: str, key: str) -> str | None:
            flat = rec.get(f"{obj}.{key}")
            if not _blank(flat):
                return str(flat)
            node = nested.get(obj)
            val = node.get(key) if isinstance(node, dict) else None
            return None if _blank(val) else str(val)

        sid = params.get("ga_session_id") or _first(rec, "ga_session_id", "session_id")
        out["session_id"] = None if _blank(sid) or _blank(user) else f"{user}.{sid}"
        out["query"] = params.get("search_term")
        # event-scoped attribution first (params, collected_traffic_source, flattened session_*
        # columns of common queries), the user's first source (traffic_source) last
        pair = str(rec.get("session_source_medium") or "").split(" / ", 1)
        campaign = (
            params.get("campaign")
            or sub("collected_traffic_source", "manual_campaign_name")
            or _first(rec, "session_campaign", "campaign")
            or sub("traffic_source", "name")
        )
        out["campaign_id"] = None if _ga4_placeholder(campaign) else campaign
        source = (
            params.get("source")
            or sub("collected_traffic_source", "manual_source")
            or _first(rec, "session_source", "source")
            or (pair[0] if pair[0] else None)
            or sub("traffic_source", "source")
        )
        medium = (
            params.get("medium")
            or sub("collected_traffic_source", "manual_medium")
            or _first(rec, "session_medium", "medium")
            or (pair[1] if len(pair) > 1 else None)
            or sub("traffic_source", "medium")
        )
        out["strategy"] = _ga4_strategy(source, medium)
        dev = (sub("device", "category") or "").strip().lower()
        out["device"] = _GA4_DEVICES.get(dev, "other") if dev else None
        country, region = sub("geo", "country"), sub("geo", "region")
        parts = [p for p in (country, region) if p is not None and not _ga4_placeholder(p)]
        out["region"] = "/".join(parts) if parts else None
        plat = str(rec.get("platform") or "").strip().upper()
        out["platform"] = {"WEB": "web", "IOS": "app", "ANDROID": "app"}.get(plat)
        revenue = sub("ecommerce", "purchase_revenue")
        if revenue is None and out["event_type"] == "purchase":
            revenue = params.get("value")
        out["revenue"] = revenue
        return out


def _first(rec: dict[str, Any], *keys: str) -> Any:
    """The first non-blank plain value among ``keys`` of a record (None if none)."""
    for k in keys:
        v = rec.get(k)
        if not _blank(v) and not isinstance(v, (dict, list)):
            return str(v) if not isinstance(v, str) else v
    return None


_GA4_COLUMNS = (
    "event_id",
    "ts",
    "user_id",
    "session_id",
    "event_type",
    "strategy",
    "platform",
    "campaign_id",
    "device",
    "region",
    "query",
    "revenue",
)


def _micros_to_iso(v: object) -> object:
    """GA4 microsecond epoch -> ISO-8601 text; anything else is passed on for validation."""
    if _blank(v):
        return None
    try:
        micros = int(str(v).strip())
    except ValueError:
        return v
    try:
        return pd.Timestamp(micros, unit="us", tz="UTC").isoformat()
    except (OverflowError, ValueError):
        return v


# ====================================================================== Instagram posts
_HASHTAG = re.compile(r"#(\w+)")
_MENTION = re.compile(r"(?<![\w.])@([A-Za-z0-9._]{1,30})")


def _unique_join(items: Iterable[str]) -> str | None:
    seen: dict[str, None] = {}
    for it in items:
        it = it.strip().rstrip(".")
        if it:
            seen.setdefault(it, None)
    return ",".join(seen) if seen else None


def hashtags_of(text: object) -> str | None:
    """Hashtags in ``text``, lower case, comma-separated, first occurrence order.

    >>> hashtags_of("New toy! #Dogs #puppylove #dogs")
    'dogs,puppylove'
    """
    if _blank(text):
        return None
    return _unique_join(t.casefold() for t in _HASHTAG.findall(str(text)))


def _split_users(v: object) -> list[str]:
    if _blank(v):
        return []
    return [u for u in re.split(r"[|,;\s]+", str(v)) if u]


@register_format
class InstagramPostsFormat(FormatAdapter):
    """Instagram post dumps: GraphQL / instaloader nodes (as in Kim et al. 2020's dataset) and
    common scraper outputs.

    ``shortcode`` (``shortCode``) -> ``post_id``; ``username`` / ``owner.username`` /
    ``ownerUsername`` -> ``author_id``; ``taken_at_timestamp`` (epoch seconds) or ``timestamp``
    -> ``ts``; the caption (``caption``, ``edge_media_to_caption.edges[0].node.text``) ->
    ``text``; likes (``likes``, ``edge_liked_by.count``, ``edge_media_preview_like.count``,
    ``likesCount``), comments (``edge_media_to_comment.count``, ``commentsCount``), views
    (``video_view_count``, ``videoViewCount``); ``is_sponsored`` is true when ``is_ad`` /
    ``is_paid_partnership`` is true or ``sponsor_users`` is not empty; ``mentions`` = tagged users
    plus ``@handles`` in the caption; ``hashtags`` from the caption. Platform ``instagram``.

    Where the dump has them (Apify's Instagram scraper, profile-enriched dumps, GraphQL nodes'
    ``owner{}``), the author's display name (``ownerFullName``, ``owner.full_name``) ->
    ``author_name``, bio (``biography``) -> ``author_bio``, verified flag (``verified``,
    ``isVerified``, ``owner.is_verified``) -> ``author_verified``: kept in the posts store and
    read by the organisation check of the user content to amplify
    (:mod:`micromix.social.organisations`), as a TikTok dump's. (A business category or
    business-account flag is not read: the posts contract has no field for it, and a file's
    ranking would leave out accounts the store's keeps.)
    """

    #: the author's profile fields a dump may carry (canonical name, its spellings)
    AUTHOR_PROFILE: tuple[tuple[str, tuple[str, ...]], ...] = (
        (
            "author_name",
            (
                "ownerFullName",
                "owner.full_name",
                "owner.fullName",
                "fullName",
                "full_name",
                "author_name",
            ),
        ),
        ("author_bio", ("biography", "owner.biography", "ownerBiography", "author_bio")),
        (
            "author_verified",
            ("verified", "isVerified", "is_verified", "owner.is_verified", "author_verified"),
        ),
    )

    lookup_name = "instagram_posts"
    kinds = ("posts",)
    title = "Instagram posts dump"
    signature = (
        ("shortcode", "shortCode"),
        ("username", "owner_username", "owner.username", "ownerUsername"),
        ("taken_at_timestamp", "timestamp", "taken_at"),
    )

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        f = raw.frame.reset_index(drop=True)
        c = ColumnLookup(f)
        caption = c.get("caption", "text", "edge_media_to_caption").map(_caption_text)
        is_ad = c.get("is_ad", "is_paid_partnership", "isSponsored")
        sponsors = c.get("sponsor_users")
        sponsored = [_sponsored(a, s) for a, s in zip(is_ad.tolist(), sponsors.tolist())]
        mentions = [
            _unique_join([*_split_users(t), *_MENTION.findall("" if _blank(cap) else str(cap))])
            for t, cap in zip(c.get("tagged_users", "taggedUsers").tolist(), caption.tolist())
        ]
        return pd.DataFrame(
            {
                "post_id": c.get("shortcode", "shortCode"),
                "platform": _const(f, "instagram"),
                "author_id": c.get("username", "owner_username", "owner.username", "ownerUsername"),
                "ts": c.get("taken_at_timestamp", "timestamp", "taken_at"),
                "text": caption,
                "likes": c.get(
                    "likes",
                    "edge_liked_by.count",
                    "edge_media_preview_like.count",
                    "likesCount",
                    "like_count",
                ).map(_count_of),
                "comments": c.get(
                    "comments", "edge_media_to_comment.count", "commentsCount", "comment_count"
                ).map(_count_of),
                "views": c.get("video_view_count", "videoViewCount"),
                "author_followers": c.get("owner.edge_followed_by.count", "followers"),
                "is_sponsored": pd.Series(sponsored, index=f.index, dtype=object),
                "mentions": pd.Series(mentions, index=f.index, dtype=object),
                "hashtags": caption.map(hashtags_of),
                **c.present(self.AUTHOR_PROFILE),
            }
        )


def _caption_text(v: object) -> object:
    """Caption text from a plain value or GraphQL ``{"edges": [{"node": {"text": ...}}]}``."""
    if isinstance(v, dict):
        edges = v.get("edges")
        if isinstance(edges, list) and edges and isinstance(edges[0], dict):
            node = edges[0].get("node")
            return node.get("text") if isinstance(node, dict) else None
        return None
    return v


def _count_of(v: object) -> object:
    """A count from a plain value or a GraphQL ``{"count": n}`` edge (the old flat dumps)."""
    if isinstance(v, dict) and "count" in v:
        return v["count"]
    return v


def _sponsored(is_ad: object, sponsors: object) -> object:
    if _split_users(sponsors):
        return "true"
    if _blank(is_ad):
        return None
    return is_ad  # "True"/"False" -> typed by the contract; anything else is quarantined there


# ====================================================================== creator lists
@register_format
class CreatorListFormat(FormatAdapter):
    """Creator lists such as Kim et al. 2020's ``influencers.txt``.

    Tab-separated with a ``====`` rule under the header: ``Username`` -> ``creator_id`` and
    ``handle``, ``Category`` -> ``niche``, ``#Followers`` -> ``followers``, ``#Followees`` ->
    ``following``, ``#Posts`` -> ``posts``; platform ``instagram``.
    """

    lookup_name = "creator_list"
    kinds = ("creators",)
    title = "creator list (Username, Category, #Followers ...)"
    signature = (("Username",), ("Category",), ("#Followers",), ("#Followees",), ("#Posts",))

    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        f = raw.frame.reset_index(drop=True)
        c = ColumnLookup(f)
        user = c.get("Username")
        return pd.DataFrame(
            {
                "creator_id": user,
                "platform": _const(f, "instagram"),
                "handle": user,
                "followers": c.get("#Followers"),
                "following": c.get("#Followees"),
                "posts": c.get("#Posts"),
                "niche": c.get("Category"),
            }
        )


def registered_formats() -> dict[str, type[FormatAdapter]]:
    """A copy of the registry: ``lookup_name -> adapter class``."""
    return FORMATS.as_dict()
