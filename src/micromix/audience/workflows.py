"""Audience workflows over a store and files: what the CLI and the API used to assemble themselves.

* :func:`score_stored_audience` trains an uplift model on the store's largest randomised holdout
  (treated vs held-out people, converted or not) with the people's attributes from the
  ``audience`` table, scores everyone in that table (the experiment's own people out of fold,
  by models that did not see them) and attaches their consent;
* :func:`target_stored_audience` picks an audience from those scores under a budget and passes it
  through every export guardrail (consent, minors, erased people, special ad categories,
  special-category features, platform minimums);
* :func:`with_consent` joins consent flags (from an audience file or the store) and reads the
  erasure log, for files scored elsewhere;
* :func:`privacy_policy` builds the policy a platform minimum override asks for;
* :func:`mark_selected` marks who was targeted, from a targets file, for the fairness audit;
* :func:`segment_people` segments people (RFM or clustering) and returns k-anonymous profiles.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.audience.workflows import mark_selected, privacy_policy
>>> privacy_policy(500, "meta").min_audience["meta"]
500
>>> mark_selected(pd.DataFrame({"user_id": ["a", "b"]}), pd.DataFrame({"user_id": ["b"]}))[
...     "selected"].tolist()
[False, True]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from micromix.audience._prep import experiment_arm_columns, select_features
from micromix.audience.policy import TargetingResult, TargetingSpec, target
from micromix.audience.privacy import (
    CONSENT_COLUMNS,
    PLATFORM_MIN_AUDIENCE,
    PrivacyPolicy,
    check_features,
    enforce,
    erased_subjects,
    ineligible_reasons,
    special_category_columns,
    suppress_small_cells,
)
from micromix.audience.scoring import (
    CONTROL_COLUMN,
    DEFAULT_FOLDS,
    IN_SAMPLE_COLUMN,
    OUT_OF_FOLD_COLUMN,
    TREATMENT_COLUMN,
    attach_consent,
    score_uplift,
)
from micromix.audience.segments import ClusterSegmenter, rfm_table, segment_profiles
from micromix.audience.units import OUTCOME_COLUMN, UNIT_COLUMN
from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError
from micromix.schema import SCHEMAS
from micromix.schema.purchases import read_ids
from micromix.store import Store

__all__ = [
    "DEFAULT_MIN_AUDIENCE",
    "PROFILE_FEATURES",
    "RFM_FEATURES",
    "SegmentRun",
    "mark_selected",
    "platform_name",
    "privacy_policy",
    "profile_units",
    "score_stored_audience",
    "segment_people",
    "target_stored_audience",
    "with_consent",
]

#: attributes of the ``audience`` table a model trained on the store may use
PROFILE_FEATURES: tuple[str, ...] = ("age_band", "gender", "region", "interests")
#: minimum audience size for a platform without a known minimum
DEFAULT_MIN_AUDIENCE = 100
#: what an RFM segmentation profiles
RFM_FEATURES: tuple[str, ...] = ("recency_days", "frequency", "monetary")
#: columns of stored-audience scores holding the experiment's arm and outcome (empty for the
#: people who were not in it)
_ARM = "experiment_arm"
_CONVERTED = "converted"
#: the people's columns that decide who may be profiled (consent, age): read in training
_GUARD_COLUMNS = frozenset({*CONSENT_COLUMNS, "consent_status", "is_minor", "age", "age_band"})


def platform_name(name: str | None) -> str | None:
    """``name`` as a known platform key (``meta``, ``google`` ...), or a clear error."""
    if name is None:
        return None
    key = name.strip().lower()
    if key not in PLATFORM_MIN_AUDIENCE:
        raise ConfigError(
            f"platform {name!r} is not known; choose one of {', '.join(PLATFORM_MIN_AUDIENCE)}"
        )
    return key


def privacy_policy(
    min_audience: int | None = None, platform: str | None = None, k_anonymity: int | None = None
) -> PrivacyPolicy:
    """The privacy policy with a minimum audience override (for ``platform``, or for all)."""
    mins = dict(PLATFORM_MIN_AUDIENCE)
    default = DEFAULT_MIN_AUDIENCE
    if min_audience is not None:
        if platform:
            mins[platform] = min_audience
        default = min_audience
    if k_anonymity is None:
        return PrivacyPolicy(min_audience=mins, default_min_audience=default)
    return PrivacyPolicy(min_audience=mins, default_min_audience=default, k_anonymity=k_anonymity)


def with_consent(
    df: pd.DataFrame,
    *,
    audience: pd.DataFrame | None = None,
    store: Store | None = None,
    id_column: str = "user_id",
) -> tuple[pd.DataFrame, set[str]]:
    """``df`` with consent joined from ``audience`` (else the store's table) and who is erased.

    Consent comes from the ``audience`` frame when given, otherwise from the store's
    ``audience`` table when it has rows and ``df`` has ``user_id``; the erased people are read
    from the store's audit log (empty without a store).
    """
    erased: set[str] = set()
    if audience is not None:
        df = attach_consent(df, audience, id_column=id_column)
    if store is not None:
        erased = erased_subjects(store)
        if (
            audience is None
            and store.has_table("audience")
            and store.count("audience")
            and "user_id" in df.columns
        ):
            df = attach_consent(df, store.read("audience"))
    return df, erased


def mark_selected(
    data: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    id_column: str = "user_id",
    data_source: str = "the data",
    targets_source: str = "the targets",
) -> pd.DataFrame:
    """``data`` with ``selected`` = listed in ``targets`` (matched on ``id_column``).

    Ids are compared as text (``17`` and ``17.0`` are one person). Refused, in one sentence
    naming the file (``data_source`` / ``targets_source``) and the column: a file without the
    id column, an empty id, an id on two rows of one file (the audit counts each person once),
    and targeted ids that are not in the data (the audit would miss those people).
    """
    ids = {}
    for frame, name in ((data, data_source), (targets, targets_source)):
        if id_column not in frame.columns:
            cols = ", ".join(map(str, frame.columns[:12]))
            raise ColumnNotFoundError(
                f"{name} have no '{id_column}' column to match people (columns: {cols}); pass "
                "--id with the column that identifies a person in both files (the contact list "
                "of 'audience target' keeps the scores' own columns, so the scores need one)"
            )
        got = read_ids(frame[id_column], id_column, name, option="--id", who="person")
        dup = got.duplicated(keep=False).to_numpy()
        if dup.any():
            first = got[dup].iloc[0]
            rows = [int(i) + 1 for i in np.flatnonzero((got == first).to_numpy())[:2]]
            raise DataValidationError(
                f"{name}: id {first!r} in column '{id_column}' is on rows {rows[0]} and "
                f"{rows[1]} ({int(got[dup].nunique())} id(s) repeat); the audit counts each "
                "person once - keep one row per person, or pass --id with a column that is "
                "unique per person"
            )
        ids[name] = got
    listed = ids[targets_source]
    missing = ~listed.isin(set(ids[data_source])).to_numpy()
    if missing.any():
        where = f"in column '{id_column}' of {targets_source}"
        many = (
            f"none of the {len(listed):,} ids {where} occurs"
            if missing.all()
            else f"{int(missing.sum()):,} of the {len(listed):,} ids {where} do not occur"
        )
        raise DataValidationError(
            f"{many} in that column of {data_source} (first: {listed[missing].iloc[0]!r}), so "
            "the audit would miss those people; audit the scores file the targets were chosen "
            "from, with the same --id"
        )
    return data.assign(selected=ids[data_source].isin(set(listed)).to_numpy())


def score_stored_audience(
    store: Store,
    features: Sequence[str] = ("region", "interests"),
    *,
    seed: int = 0,
    folds: int = DEFAULT_FOLDS,
) -> pd.DataFrame:
    """Uplift scores, with consent, for everyone in the store's ``audience`` table.

    A T-learner with linear base models is trained on the largest randomised holdout in the
    ``experiments`` table (one clean treatment / control split; the outcome is "converted"),
    using the people's ``features`` among :data:`PROFILE_FEATURES` (``region`` when none is).

    No score has seen its own person's outcome. The experiment's people are scored out of
    fold (``folds``-fold cross-fitting stratified by arm, as ``audience uplift``): each by the
    model fitted on the other folds. Everyone else is scored by the model fitted on all the
    experiment's people: none of its folds saw them either, it has the most data, and it is
    the model ``audience uplift --score`` scores new people with, so a person gets the same
    score either way.

    Each row says how it was scored (``scored_out_of_fold``: true for the experiment's
    people) and, for the experiment's people, their ``experiment_arm`` and ``converted``
    (empty for the others), so :func:`~micromix.audience.policy.target` values a list by the
    observed lift of its people who were in the experiment. ``attrs["scores"]`` sums it up.

    Raises
    ------
    DataValidationError
        The store has no experiments or no audience rows.
    ConfigError
        ``folds`` is not a whole number of at least 2, or an arm is too small for it.
    """
    exp = store.read("experiments") if store.count("experiments") else pd.DataFrame()
    people = store.read("audience") if store.count("audience") else pd.DataFrame()
    if exp.empty or people.empty:
        raise DataValidationError(
            "the store has no experiments or audience rows; ingest them (or run the demo) "
            "before building audiences"
        )
    feats = [f for f in features if f in PROFILE_FEATURES] or ["region"]
    largest = exp["experiment_id"].value_counts().idxmax()
    units = exp[exp["experiment_id"] == largest].drop_duplicates("unit_id")
    # consent and age go into training too, so that, as in `audience uplift`, minors and
    # people without ad-personalisation consent are not learnt from (and get no score)
    guard = [c for c in people.columns if c in _GUARD_COLUMNS and c not in feats]
    profiles = people[["user_id", *feats, *guard]].drop_duplicates("user_id", keep="last")
    train = units.rename(columns={"arm": _ARM}).merge(
        profiles, left_on="unit_id", right_on="user_id", how="inner"
    )
    train[_CONVERTED] = (train["conversions"].fillna(0) > 0).astype(int)
    run = score_uplift(
        train[["user_id", *feats, *guard, _ARM, _CONVERTED]],
        treatment=_ARM,
        outcome=_CONVERTED,
        control="control",
        features=feats,
        learner="t",
        base="linear",
        seed=seed,
        folds=folds,
    )
    # the experiment's people: out of fold; the others: the model fitted on all of them
    seen = run.scored.set_index("user_id")
    in_exp = people["user_id"].isin(seen.index).to_numpy()
    scored = people[["user_id", *feats]].copy()
    # as score_uplift scores new people: those who may not be profiled stay unscored
    # (read on the people's own consent and age columns: the scored frame has only features)
    new = ~in_exp & (ineligible_reasons(people) == "").to_numpy()
    pred = run.model.predict_frame(scored.loc[new, feats]) if new.any() else None
    for col in seen.columns.drop([*feats, *guard], errors="ignore"):
        values = seen[col].reindex(people["user_id"]).to_numpy(copy=True)
        if pred is not None and col in pred.columns:
            values[new] = pred[col].to_numpy()
        scored[col] = values
    for col in (IN_SAMPLE_COLUMN, OUT_OF_FOLD_COLUMN):
        scored[col] = in_exp & (col == OUT_OF_FOLD_COLUMN)
    for col in (OUTCOME_COLUMN, UNIT_COLUMN, TREATMENT_COLUMN, CONTROL_COLUMN):
        scored[col] = seen[col].iloc[0]
    scored[_CONVERTED] = scored[_CONVERTED].astype("Int64")
    out = attach_consent(scored, people)
    out.attrs["scores"] = {
        "experiment": str(largest),
        "folds": run.folds,
        "out_of_fold": int(in_exp.sum()),
        "not_in_experiment": int((~in_exp).sum()),
        "not_in_experiment_model": "fitted on every person of the experiment",
    }
    return out


def target_stored_audience(
    store: Store,
    spec: TargetingSpec,
    *,
    scores: pd.DataFrame | None = None,
    policy: str = "micro",
    platform: str | None = None,
    special_ad_category: str | None = None,
    features: Sequence[str] = ("region", "interests"),
) -> TargetingResult:
    """Target people of the store's audience under ``spec`` with every guardrail checked.

    ``scores`` defaults to :func:`score_stored_audience` on the profile ``features``; erased
    people are excluded; a refused audience raises :class:`~micromix.errors.GuardrailError`.
    """
    if scores is None:
        scores = score_stored_audience(store, features)
    return target(
        scores,
        spec,
        policy=policy,
        platform=platform,
        special_ad_category=special_ad_category or None,
        features=list(features),
        erased=erased_subjects(store),
        uplift_col="uplift",
    )


@dataclass
class SegmentRun:
    """Rows with their ``segment`` and the k-anonymous segment profiles."""

    rows: pd.DataFrame
    profiles: pd.DataFrame
    features: list[str]
    method: str
    k_anonymity: int
    #: the column of ``rows`` holding each person's segment: ``segment``, or
    #: ``audience_segment`` where the data has a ``segment`` of its own (never overwritten)
    label_column: str = "segment"
    #: what the run decided on the user's behalf (columns left out of automatic features)
    notes: list[str] = field(default_factory=list)
    #: the unit of each profile column (people, share of people, mean per person, currency)
    units: dict[str, str] = field(default_factory=dict)

    @property
    def suppressed(self) -> int:
        """Profile rows left out for having fewer than ``k_anonymity`` people."""
        return int(self.profiles.attrs.get("suppressed_rows", 0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "profiles": self.profiles.to_dict(orient="records"),
            "suppressed_segments": self.suppressed,
            "units": dict(self.units),
            "notes": list(self.notes),
        }


#: words naming a money column (``spend``, ``revenue``, ``order_value``, ``cost_per_click`` ...),
#: beside the contracts' money fields (:attr:`micromix.schema.Field.money`)
_MONEY_WORDS = frozenset(
    {"spend", "spent", "revenue", "revenues", "value", "amount", "price", "cost", "costs", "fee"}
    | {"fees", "budget", "monetary", "ltv", "clv", "aov", "gmv", "emv", "income", "profit"}
)
#: words naming a count column (``orders``, ``n_visits``, ``purchase_count`` ...), beside the
#: contracts' whole-number fields and their counted float fields
_COUNT_WORDS = frozenset(
    {"count", "counts", "n", "num", "number", "frequency", "visits", "orders", "purchases"}
    | {"transactions", "conversions", "clicks", "sessions", "views", "impressions", "likes"}
    | {"comments", "shares", "saves", "followers", "opens", "events", "results", "items", "units"}
    | {"order", "visit", "purchase", "transaction", "conversion", "click", "session", "view"}
)
#: words naming a ratio, a probability or a duration: such a column is neither an amount nor a
#: count (``conversion_rate``, ``purchase_probability``, ``days_since_last_order``)
_NEITHER_WORDS = frozenset(
    {"rate", "rates", "ratio", "probability", "prob", "pct", "percent", "percentage", "share"}
    | {"days", "day", "hours", "minutes", "seconds", "duration", "since", "age"}
)
_CONTRACT_MONEY = frozenset(f.name for s in SCHEMAS.values() for f in s.fields if f.money)
_CONTRACT_COUNTS = frozenset(
    f.name
    for s in SCHEMAS.values()
    for f in s.fields
    if f.dtype == "int" and f.name != "source_row"
) | {"conversions", "approved_conversions", "results", "key_events"}


def _column_kind(name: str) -> str | None:
    """``"money"`` or ``"count"`` when the column's name says so, else None (never from its
    values: whole-number dollars are money, fractional attributed conversions are counts)."""
    words = set(re.split(r"[^a-z0-9]+", name.lower())) - {""}
    if words & _NEITHER_WORDS and name.lower() not in _CONTRACT_MONEY | _CONTRACT_COUNTS:
        return None
    if name.lower() in _CONTRACT_MONEY or words & _MONEY_WORDS:
        return "money"
    if name.lower() in _CONTRACT_COUNTS or words & _COUNT_WORDS:
        return "count"
    return None


def profile_units(
    data: pd.DataFrame, kpis: Sequence[str], *, rfm: bool = False, currency: str | None = None
) -> dict[str, str]:
    """The unit of each column of a segment profile: ``size`` in people, ``share`` a fraction
    of the people profiled, each KPI a mean per person: of a money column (named like
    ``spend``, ``revenue``, ``*_value``, ``price``, ``cost`` ...) an amount per person in
    ``currency`` (else the data's currency), of a 0/1 flag the share of people with it, of a
    count column (``orders``, ``visits``, ``*_count`` ...) a count per person, of a True/False
    column the share with True whatever its name; a rate, probability or duration
    (``conversion_rate``, ``days_since_last_order``) and any other column
    says its unit is not stated (its values do not tell whole dollars from counts). RFM's
    ``monetary`` is money spent per customer.

    >>> df = pd.DataFrame({"spend": [0, 30], "visit": [0, 1], "orders": [1, 2], "score": [.5, 2]})
    >>> u = profile_units(df, ["spend", "visit", "orders", "score"], currency="EUR")
    >>> u["spend"], u["orders"]
    ('spend per person (mean amount, in EUR)', 'orders per person (mean count)')
    >>> u["visit"], u["score"]
    ('share of people with visit = 1 (0 to 1)', 'score per person (mean, unit not stated)')
    """
    money = f"in {currency}" if currency else "in the data's currency"
    units = {
        "size": "people",
        "share": "fraction of the people profiled (0 to 1)",
    }
    if rfm:
        units.update(
            {
                "recency_days": "days since the last purchase, mean per customer",
                "frequency": "purchases per customer (mean)",
                "monetary": f"money spent per customer (mean), {money}",
            }
        )
        return units
    for k in kpis:
        kind = _column_kind(k)
        y = pd.to_numeric(data[k], errors="coerce").dropna().to_numpy(dtype=float)
        if pd.api.types.is_bool_dtype(data[k]):  # True/False (UCI's "Revenue" flag): a share
            units[k] = f"share of people with {k} = 1 (0 to 1)"
        elif kind == "money":
            units[k] = f"{k} per person (mean amount, {money})"
        elif len(y) and np.isin(y, (0.0, 1.0)).all():  # the mean of a 0/1 column is a share
            units[k] = f"share of people with {k} = 1 (0 to 1)"
        elif kind == "count":
            units[k] = f"{k} per person (mean count)"
        else:
            units[k] = f"{k} per person (mean, unit not stated)"
    return units


def segment_people(
    df: pd.DataFrame,
    *,
    method: str = "kmeans",
    features: Sequence[str] | str = "auto",
    n_segments: int | str = 4,
    kpis: Sequence[str] = (),
    customer: str = "user_id",
    date: str = "ts",
    amount: str = "revenue",
    k_anonymity: int | None = None,
    source: str = "RFM",
    purchases: dict[str, Any] | None = None,
    currency: str | None = None,
) -> SegmentRun:
    """RFM (``method="rfm"``, one row per transaction) or clustering segments with profiles.

    Clustering features are picked automatically (``"auto"``, special-category data left out)
    or checked (a special-category feature is refused); profiles of segments smaller than the
    policy's k-anonymity are suppressed. ``purchases``: RFM's reading options
    (``quantity_col``, ``order_col``, ``skip_missing_ids``, ``skip_returns``; see
    :func:`~micromix.audience.segments.rfm_table`).
    """
    pol = PrivacyPolicy() if k_anonymity is None else PrivacyPolicy(k_anonymity=k_anonymity)
    m = method.strip().lower()
    if m == "rfm":
        table = rfm_table(
            df, customer=customer, date=date, amount=amount, source=source, **(purchases or {})
        )
        feats = list(RFM_FEATURES)
        rows = table
        prof = segment_profiles(table, table["segment"].to_numpy(), features=feats, kpis=feats)
    else:
        notes: list[str] = []
        given = [k for k, v in (purchases or {}).items() if v]
        if given:
            raise ConfigError(
                f"{', '.join('--' + k.replace('_', '-') for k in given)} read a purchase log "
                "for --method rfm; clustering reads one row per person as it is"
            )
        if isinstance(features, str) and features.strip() == "auto":
            feats = select_features(df, treatment="__none__", outcome=list(kpis))
            feats = [f for f in feats if f not in special_category_columns(feats, pol)]
            # an experiment's randomised arm describes no one: never clustered on by default
            arms = experiment_arm_columns(df, feats)
            feats = [f for f in feats if f not in arms]
            notes += [
                f"left out of the automatic features: {c!r} ({why}; assigned at random, it "
                "says nothing about the person); name it in --features to cluster on it anyway"
                for c, why in arms.items()
            ]
            if not feats:
                raise DataValidationError(
                    f"{source}: no usable feature column is left once the experiment's "
                    "assignment is left out; pass --features with the columns to cluster on"
                )
        else:
            feats = [features] if isinstance(features, str) else list(features)
            enforce([check_features(feats, pol)], action="segment on these features")
        seg = ClusterSegmenter(method=m, n_segments=n_segments).fit(df, feats)
        # the data's own `segment` (Hillstrom's treatment arm) is never overwritten
        label = "audience_segment" if "segment" in df.columns else "segment"
        if label in df.columns:
            raise DataValidationError(
                f"{source}: the data already has columns 'segment' and 'audience_segment'; "
                "rename one so the segment labels have a column of their own"
            )
        rows = df.assign(**{label: seg.labels_})
        prof = segment_profiles(df, seg.labels_, features=feats, kpis=list(kpis))
        safe = suppress_small_cells(prof, "size", policy=pol)
        units = profile_units(df, list(kpis), currency=currency)
        return SegmentRun(
            rows, safe, feats, m, pol.k_anonymity, label_column=label, notes=notes, units=units
        )
    safe = suppress_small_cells(prof, "size", policy=pol)
    units = profile_units(table, feats, rfm=True, currency=currency)
    return SegmentRun(rows, safe, feats, m, pol.k_anonymity, units=units)
