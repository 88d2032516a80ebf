"""Privacy guardrails on every audience that leaves micromix, and the right to erasure.

Each guardrail is a function returning a :class:`~micromix.checks.CheckResult`; the export
boundary (:func:`enforce`) raises :class:`~micromix.errors.GuardrailError` carrying the failed
checks. The guardrails:

========================  =====================================================================
``consent``               nobody who refused ad personalisation, opted out of sale/sharing
                          (CCPA/CPRA), sent Global Privacy Control or withdrew consent (GDPR)
``minors``                minors are never profiled for ads (EU DSA Art. 28)
``special_category``      no health, ethnicity, religion, politics, sexual orientation... as a
                          feature or criterion (GDPR Art. 9, DSA Art. 26(3)); models trained on
                          them are refused
``special_ad_category``   housing, employment, credit and financial-services ads may not be
                          microtargeted (mass targeting only)
``min_audience``          a platform minimum audience size (Meta 100, Google 100, LinkedIn 300,
                          TikTok 1,000 by default; configurable)
``k_anonymity``           every row of an exported segment summary describes >= k people
``erasure``               people erased with ``micromix privacy erase`` never come back
========================  =====================================================================

Quickstart
----------
>>> import pandas as pd
>>> from micromix.audience.privacy import check_consent
>>> aud = pd.DataFrame({"user_id": ["a", "b"], "consent_ads_personalisation": [True, False]})
>>> check_consent(aud).status.value
'fail'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from micromix.checks import CheckResult, Status
from micromix.errors import ConfigError, DataValidationError, GuardrailError
from micromix.store import BOOKKEEPING_TABLES, Store
from micromix.store.erasures import (
    AUDIT_TABLE,
    ERASURE_COLUMNS,
    ERASURE_KEY_TABLE,
    ErasedSubjects,
    erased_mask,
    erased_subjects,
    erasure_key,
    record_values,
    subject_hash,
)

__all__ = [
    "AUDIT_TABLE",
    "CONSENT_COLUMNS",
    "ERASURE_COLUMNS",
    "ERASURE_KEY_TABLE",
    "PLATFORM_MIN_AUDIENCE",
    "SPECIAL_AD_CATEGORIES",
    "SPECIAL_CATEGORY_TERMS",
    "ErasedSubjects",
    "ErasureResult",
    "PrivacyPolicy",
    "audit_audience",
    "check_consent",
    "check_erased",
    "check_features",
    "check_k_anonymity",
    "check_min_audience",
    "check_minors",
    "check_model",
    "check_special_ad_category",
    "enforce",
    "erase_user",
    "erased_mask",
    "erased_subjects",
    "erasure_key",
    "ineligible_reasons",
    "special_category_columns",
    "subject_hash",
    "suppress_small_cells",
]

#: default minimum audience size per platform (override with PrivacyPolicy(min_audience=...))
PLATFORM_MIN_AUDIENCE: Mapping[str, int] = MappingProxyType(
    {"meta": 100, "google": 100, "linkedin": 300, "tiktok": 1000}
)
#: ad categories in which platforms and law forbid detailed targeting
SPECIAL_AD_CATEGORIES: tuple[str, ...] = ("housing", "employment", "credit", "financial_services")
#: name tokens that mark a special category of personal data (GDPR Art. 9)
SPECIAL_CATEGORY_TERMS: tuple[str, ...] = (
    "health",
    "medical",
    "diagnosis",
    "disease",
    "illness",
    "disability",
    "disabled",
    "pregnancy",
    "pregnant",
    "mental",
    "hiv",
    "ethnicity",
    "ethnic",
    "race",
    "racial",
    "religion",
    "religious",
    "faith",
    "politics",
    "political",
    "sexual",
    "orientation",
    "sexuality",
    "lgbt",
    "lgbtq",
    "genetic",
    "biometric",
    "trade_union",
    "union",
)
#: columns read by the consent guardrail, and the value that means "may not target"
CONSENT_COLUMNS: Mapping[str, bool] = MappingProxyType(
    {
        "consent_ads_personalisation": False,
        "opt_out_sale": True,
        "gpc": True,
        "consent_withdrawn": True,
    }
)

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}
_WITHDRAWN = {"withdrawn", "refused", "denied", "revoked", "rejected", "opted_out", "opt_out"}


@dataclass(frozen=True)
class PrivacyPolicy:
    """Settings of the guardrails (defaults follow the platforms' published minimums).

    Parameters
    ----------
    min_audience : mapping
        Minimum audience size per platform; platforms not listed use ``default_min_audience``.
    default_min_audience : int
        Minimum for an unnamed platform.
    k_anonymity : int
        Smallest number of people any row of an exported summary may describe.
    special_category_terms : tuple of str
        Name tokens that mark special-category data.
    """

    min_audience: Mapping[str, int] = field(default_factory=lambda: dict(PLATFORM_MIN_AUDIENCE))
    default_min_audience: int = 100
    k_anonymity: int = 10
    special_category_terms: tuple[str, ...] = SPECIAL_CATEGORY_TERMS

    def __post_init__(self) -> None:
        for name, n in {**dict(self.min_audience), "default": self.default_min_audience}.items():
            if int(n) < 1:
                raise ConfigError(f"min_audience for {name!r} must be >= 1, got {n}")
        if int(self.k_anonymity) < 2:
            raise ConfigError(f"k_anonymity must be >= 2, got {self.k_anonymity}")

    def minimum_for(self, platform: str | None) -> int:
        """Minimum audience size for ``platform`` (``None``: the default)."""
        if platform is None:
            return int(self.default_min_audience)
        key = platform.strip().lower()
        return int(self.min_audience.get(key, self.default_min_audience))

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_audience": dict(self.min_audience),
            "default_min_audience": self.default_min_audience,
            "k_anonymity": self.k_anonymity,
            "special_category_terms": list(self.special_category_terms),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PrivacyPolicy:
        d = dict(d)
        if "special_category_terms" in d:
            d["special_category_terms"] = tuple(d["special_category_terms"])
        return cls(**d)


def _truthy(col: pd.Series) -> np.ndarray:
    """Boolean view of a flag column (``True/False``, ``1/0``, ``yes/no``); empty is False."""
    if pd.api.types.is_bool_dtype(col):
        return col.fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(col):
        return col.fillna(0).to_numpy(dtype=float) != 0
    low = col.astype("string").str.strip().str.lower().fillna("")
    return low.isin(_TRUE).to_numpy(dtype=bool)


def _falsy(col: pd.Series) -> np.ndarray:
    """True where a consent flag explicitly says no (empty counts as *no consent* too)."""
    if pd.api.types.is_bool_dtype(col):
        return ~col.fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(col):
        return ~(col.fillna(0).to_numpy(dtype=float) != 0)
    low = col.astype("string").str.strip().str.lower().fillna("")
    return ~low.isin(_TRUE).to_numpy(dtype=bool)


def _minor_mask(df: pd.DataFrame) -> np.ndarray:
    mask = np.zeros(len(df), dtype=bool)
    if "is_minor" in df.columns:
        mask |= _truthy(df["is_minor"])
    if "age" in df.columns:
        age = pd.to_numeric(df["age"], errors="coerce").to_numpy(dtype=float)
        mask |= np.nan_to_num(age, nan=99.0) < 18
    if "age_band" in df.columns:
        band = df["age_band"].astype("string").str.strip().str.lower().fillna("")
        upper = band.str.extract(r"(?:-|–|to|<|under)\s*(\d+)")[0]
        up = pd.to_numeric(upper, errors="coerce").to_numpy(dtype=float)
        lt = band.str.contains(r"^(?:<|under)", regex=True).to_numpy(dtype=bool)
        mask |= (np.nan_to_num(up, nan=99.0) < 18) | (lt & (np.nan_to_num(up, nan=99.0) <= 18))
    return mask


def ineligible_reasons(df: pd.DataFrame) -> pd.Series:
    """Why each person may not be in a targeted audience ('' when they may).

    Reasons: ``refused_personalisation``, ``opt_out_sale``, ``gpc``, ``consent_withdrawn``,
    ``minor``.
    """
    reasons: list[list[str]] = [[] for _ in range(len(df))]
    flags: list[tuple[str, np.ndarray]] = []
    for col, bad_value in CONSENT_COLUMNS.items():
        if col in df.columns:
            bad = _falsy(df[col]) if bad_value is False else _truthy(df[col])
            name = "refused_personalisation" if col == "consent_ads_personalisation" else col
            flags.append((name, bad))
    if "consent_status" in df.columns:
        st = df["consent_status"].astype("string").str.strip().str.lower().fillna("")
        flags.append(("consent_withdrawn", st.isin(_WITHDRAWN).to_numpy(dtype=bool)))
    flags.append(("minor", _minor_mask(df)))
    for name, bad in flags:
        for i in np.nonzero(bad)[0]:
            reasons[i].append(name)
    return pd.Series([",".join(r) for r in reasons], index=df.index, dtype=object)


def _consent_known(df: pd.DataFrame) -> bool:
    return any(c in df.columns for c in (*CONSENT_COLUMNS, "consent_status"))


def check_consent(audience: pd.DataFrame) -> CheckResult:
    """FAIL when anyone in ``audience`` refused, opted out, sent GPC or withdrew consent.

    With no consent column at all the result is REVIEW: micromix cannot see consent, so the
    sender must have applied it upstream.
    """
    if not _consent_known(audience):
        return CheckResult(
            "consent",
            Status.REVIEW,
            "the audience carries no consent columns, so consent could not be verified",
            "join the audience table (consent_ads_personalisation, opt_out_sale, gpc) with "
            "--audience or --db before exporting",
        )
    reasons = ineligible_reasons(audience)
    bad = reasons.str.contains("refused|opt_out|gpc|withdrawn", regex=True)
    n = int(bad.sum())
    if n:
        return CheckResult(
            "consent",
            Status.FAIL,
            f"{n} person(s) in the audience refused ad personalisation, opted out of "
            "sale/sharing, sent Global Privacy Control or withdrew consent",
            "remove them (micromix targets only people who may be contacted)",
            {"refused": n},
        )
    return CheckResult(
        "consent", Status.PASS, "everyone in the audience consented", "", {"refused": 0}
    )


def check_minors(audience: pd.DataFrame) -> CheckResult:
    """FAIL when the audience contains a minor (``is_minor``, ``age`` < 18 or an under-18
    ``age_band``)."""
    if not any(c in audience.columns for c in ("is_minor", "age", "age_band")):
        return CheckResult(
            "minors",
            Status.REVIEW,
            "the audience has no age information (is_minor, age, "
            "age_band), so minors could not be excluded",
            "join the audience table with is_minor or age_band before exporting",
        )
    n = int(_minor_mask(audience).sum())
    if n:
        return CheckResult(
            "minors",
            Status.FAIL,
            f"{n} minor(s) in the audience; minors may not be profiled for ads (EU DSA Art. 28)",
            "remove minors from the audience",
            {"minors": n},
        )
    return CheckResult("minors", Status.PASS, "no minors in the audience", "", {"minors": 0})


def _tokens(name: str) -> set[str]:
    low = str(name).lower()
    parts = set(re.split(r"[^a-z0-9]+", low)) - {""}
    parts |= {p.rstrip("s") for p in parts}
    return parts | {low}


def special_category_columns(
    columns: Iterable[str], policy: PrivacyPolicy | None = None
) -> list[str]:
    """Columns whose name marks a special category of personal data."""
    terms = set((policy or PrivacyPolicy()).special_category_terms)
    out = []
    for c in columns:
        toks = _tokens(str(c).split("=")[0])
        if toks & terms or any(t in str(c).lower() for t in terms if "_" in t):
            out.append(str(c))
    return out


def check_features(
    features: Sequence[str], policy: PrivacyPolicy | None = None, data: pd.DataFrame | None = None
) -> CheckResult:
    """FAIL when a feature or targeting criterion is special-category data.

    With ``data``, text features whose *values* name a special category (e.g. an interest
    ``"religion"``) are flagged for REVIEW.
    """
    bad = special_category_columns(features, policy)
    if bad:
        return CheckResult(
            "special_category",
            Status.FAIL,
            f"feature(s) {', '.join(bad)} are special-category data (health, ethnicity, "
            "religion, politics, sexual orientation...) and may not be used for ad targeting "
            "(GDPR Art. 9, DSA Art. 26(3))",
            "drop them from --features; keep protected attributes for the fairness audit only",
            {"columns": bad},
        )
    if data is not None:
        terms = set((policy or PrivacyPolicy()).special_category_terms)
        flagged = []
        for c in features:
            if c in data.columns and not pd.api.types.is_numeric_dtype(data[c]):
                for v in data[c].dropna().astype(str).unique()[:200]:
                    if _tokens(v) & terms:
                        flagged.append(f"{c}={v}")
        if flagged:
            return CheckResult(
                "special_category",
                Status.REVIEW,
                f"feature value(s) {', '.join(flagged[:5])} look like special-category interests",
                "check that these values do not reveal health, religion, "
                "politics or sexual orientation; drop them if they do",
                {"values": flagged},
            )
    return CheckResult(
        "special_category", Status.PASS, "no special-category data among the features", ""
    )


def check_model(model: Any, policy: PrivacyPolicy | None = None) -> CheckResult:
    """FAIL for a fitted model whose ``feature_names_in_`` include special-category data."""
    names = list(getattr(model, "feature_names_in_", []) or [])
    return check_features(names, policy)


def check_special_ad_category(category: str | None, targeting: str) -> CheckResult:
    """FAIL when a special ad category (housing, employment, credit, financial services) is
    microtargeted (``targeting`` ``micro`` or ``hybrid``)."""
    if category is None or str(category).strip().lower() in ("", "none"):
        return CheckResult("special_ad_category", Status.PASS, "not a special ad category", "")
    cat = str(category).strip().lower().replace(" ", "_").replace("-", "_")
    if cat == "financial":
        cat = "financial_services"
    if cat not in SPECIAL_AD_CATEGORIES:
        raise ConfigError(
            f"--special-ad-category {category!r} is not known; choose one of "
            f"{', '.join(SPECIAL_AD_CATEGORIES)} or none"
        )
    if targeting != "mass":
        return CheckResult(
            "special_ad_category",
            Status.FAIL,
            f"{cat} is a special ad category: microtargeting is disabled (platform policy "
            "and anti-discrimination law)",
            "use --policy mass (one broad audience, no detailed targeting)",
            {"category": cat},
        )
    return CheckResult(
        "special_ad_category",
        Status.PASS,
        f"{cat} is a special ad category; mass targeting is allowed",
        "",
        {"category": cat},
    )


def check_min_audience(
    size: int, platform: str | None, policy: PrivacyPolicy | None = None
) -> CheckResult:
    """FAIL when the audience is smaller than the platform minimum."""
    pol = policy or PrivacyPolicy()
    need = pol.minimum_for(platform)
    where = platform or "any platform"
    if size < need:
        return CheckResult(
            "min_audience",
            Status.FAIL,
            f"the audience has {size} people; {where} needs at least {need}",
            "raise the budget, widen the audience or use mass targeting",
            {"size": size, "minimum": need},
        )
    return CheckResult(
        "min_audience",
        Status.PASS,
        f"{size:,} people, at least the minimum of {need:,} for {where}",
        "",
        {"size": size, "minimum": need},
    )


def check_k_anonymity(
    summary: pd.DataFrame,
    count_column: str = "size",
    k: int | None = None,
    policy: PrivacyPolicy | None = None,
) -> CheckResult:
    """FAIL when a row of an exported summary describes fewer than ``k`` people."""
    kk = int(k if k is not None else (policy or PrivacyPolicy()).k_anonymity)
    if count_column not in summary.columns:
        raise DataValidationError(
            f"segment summary has no '{count_column}' column; k-anonymity needs the number of "
            "people per row"
        )
    counts = pd.to_numeric(summary[count_column], errors="coerce").fillna(0)
    small = int((counts < kk).sum())
    if small:
        return CheckResult(
            "k_anonymity",
            Status.FAIL,
            f"{small} row(s) of the summary describe fewer than k={kk} people",
            "suppress or merge small segments (suppress_small_cells) before exporting",
            {"rows_below_k": small, "k": kk},
        )
    return CheckResult(
        "k_anonymity", Status.PASS, f"every row describes >= {kk} people", "", {"k": kk}
    )


def suppress_small_cells(
    summary: pd.DataFrame,
    count_column: str = "size",
    k: int | None = None,
    policy: PrivacyPolicy | None = None,
) -> pd.DataFrame:
    """Drop rows describing fewer than ``k`` people (their count is reported in ``attrs``)."""
    kk = int(k if k is not None else (policy or PrivacyPolicy()).k_anonymity)
    counts = pd.to_numeric(summary[count_column], errors="coerce").fillna(0)
    out = summary[counts >= kk].copy()
    out.attrs["suppressed_rows"] = int((counts < kk).sum())
    return out


def check_erased(
    audience: pd.DataFrame, erased: Iterable[str], id_column: str = "user_id"
) -> CheckResult:
    """FAIL when someone erased earlier (by hash) is in the audience."""
    if id_column not in audience.columns:
        return CheckResult("erasure", Status.PASS, "no erased person in the audience", "")
    n = int(erased_mask(audience[id_column], erased).sum())
    if n:
        return CheckResult(
            "erasure",
            Status.FAIL,
            f"{n} person(s) in the audience asked to be erased",
            "remove them; erased people may never be exported again",
            {"erased": n},
        )
    return CheckResult("erasure", Status.PASS, "no erased person in the audience", "")


def audit_audience(
    audience: pd.DataFrame,
    *,
    platform: str | None = None,
    targeting: str = "micro",
    features: Sequence[str] = (),
    special_ad_category: str | None = None,
    erased: Iterable[str] = (),
    policy: PrivacyPolicy | None = None,
) -> list[CheckResult]:
    """Run every audience guardrail and return their results (nothing is raised)."""
    pol = policy or PrivacyPolicy()
    return [
        check_consent(audience),
        check_minors(audience),
        check_features(list(features), pol),
        check_special_ad_category(special_ad_category, targeting),
        check_min_audience(len(audience), platform, pol),
        check_erased(audience, erased),
    ]


def enforce(checks: Sequence[CheckResult], action: str = "export the audience") -> None:
    """Raise :class:`GuardrailError` (with the failed checks) when any check failed."""
    failed = [c for c in checks if c.failed]
    if failed:
        first = failed[0]
        more = f" (and {len(failed) - 1} more guardrail(s))" if len(failed) > 1 else ""
        raise GuardrailError(
            f"refused to {action}: {first.message}; {first.recommendation}{more}", failed
        )


@dataclass(frozen=True)
class ErasureResult:
    """What :func:`erase_user` deleted."""

    subject_hash: str
    deleted: Mapping[str, int]
    audited: bool
    #: the person had been erased before and no row held them: nothing done, no new record
    already_erased: bool = False

    @property
    def total(self) -> int:
        return int(sum(self.deleted.values()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject_hash": self.subject_hash,
            "deleted": dict(self.deleted),
            "total": self.total,
            "audited": self.audited,
            "already_erased": self.already_erased,
        }

    def __repr__(self) -> str:
        return f"ErasureResult(total={self.total}, deleted={dict(self.deleted)})"


def erase_user(
    store: Store,
    user_id: str,
    *,
    columns: Sequence[str] = ERASURE_COLUMNS,
    requested_by: str = "cli",
    record_unknown: bool = False,
) -> ErasureResult:
    """Delete every row about ``user_id`` from every store table, and write an audit record.

    Rows whose ``user_id``, ``unit_id`` or ``author_id`` equals the id are deleted, and so are
    quarantined rows whose raw record holds the id as any of its values (they keep the file's
    own column names), in one transaction with the audit record. The audit log keeps a keyed
    one-way hash of the id (never the id itself), which also keeps the person out of future
    exports (:func:`erased_subjects`) and their later rows out of the store (the ingest leaves
    them out: :func:`micromix.store.erasures.erased_rows`).

    Erasing again is a no-op: when no row holds the id and it was erased before, nothing is
    written (``already_erased``), with or without ``record_unknown``. An id no row holds and nobody erased (a typo, another case)
    is refused (:class:`~micromix.errors.ConfigError`) with nothing written, since a record of
    an erasure that deleted nothing would tell the requester the person is gone;
    ``record_unknown=True`` records it anyway (a person whose data has not arrived yet, kept
    out of every future export).
    """
    uid = str(user_id).strip()
    if not uid:
        raise ConfigError("USER_ID is empty; pass the pseudonymous id of the person to erase")
    deleted: dict[str, int] = {}
    with store.transaction():
        h = subject_hash(uid, erasure_key(store, create=True))
        for name in store.tables():
            if name in BOOKKEEPING_TABLES:  # the audit log, the key, API keys: no one's data
                continue
            if name == QUARANTINE_TABLE:  # rows kept as the file had them: their raw record
                deleted[name] = _erase_quarantined(store, uid)
                continue
            cols = list(store.table(name).columns)
            n = 0
            for col in columns:
                if col in cols:
                    n += int(store.delete_where(name, col, [uid]))
            if any(col in cols for col in columns):
                deleted[name] = n
        found = sum(deleted.values())
        # erased before (recorded in advance or not): a no-op, no second audit record
        if not found and erased_subjects(store).holds(pd.Series([uid]))[0]:
            return ErasureResult(h, deleted, False, already_erased=True)
        if not found and not record_unknown:
            raise ConfigError(
                f"no row in the store holds the id {uid!r} (as {', '.join(columns)} or in a "
                "quarantined record); ids are matched exactly, case included, so check it "
                "against the audience table; nothing was erased or recorded (to record the "
                "erasure of a person whose data has not arrived yet, pass --record-unknown)"
            )
        record = pd.DataFrame(
            {
                "ts": [pd.Timestamp.now(tz="UTC").tz_localize(None)],
                "action": ["erase"],
                "subject_hash": [h],
                "details": [json.dumps(deleted, sort_keys=True)],
                "rows_deleted": [int(sum(deleted.values()))],
                "requested_by": [requested_by],
            }
        )
        store.append(AUDIT_TABLE, record)
    return ErasureResult(h, deleted, True)


#: the table of rows refused at ingest, each with its raw ``record`` (JSON of the file's cells)
QUARANTINE_TABLE = "quarantine"


def _erase_quarantined(store: Store, uid: str) -> int:
    """Delete the quarantined rows whose raw record holds ``uid`` as a value; how many."""
    if not store.count(QUARANTINE_TABLE):
        return 0
    q = store.read(QUARANTINE_TABLE)
    if "record" not in q.columns:
        return 0

    def holds(record: Any) -> bool:
        return isinstance(record, str) and uid in record and uid in record_values(record)

    hit = q["record"].map(holds).to_numpy(dtype=bool)
    if hit.any():
        store.replace(QUARANTINE_TABLE, q.loc[~hit].reset_index(drop=True))
    return int(hit.sum())
