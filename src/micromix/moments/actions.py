"""Actions for detected moments: the payload, webhook delivery with retry, dead letters.

When the detector sees a moment start it builds a :class:`MomentAction` — what to do: the
intent, the topic and region, and, when an enricher such as :class:`StoreEnricher` reads a
store, the best user content or creator to amplify and the audience to reach — stores it
(table ``moments``, upsert on ``moment_id``, so re-detection after a redelivery is a no-op) and
POSTs it to each webhook. A failed delivery is retried with exponential back-off; after the
last try the payload goes to the dead-letter table ``moment_dead_letters``.

Webhook payload (JSON, ``Content-Type: application/json``, header ``Idempotency-Key`` =
``moment_id``)::

    {"moment_id": "a1b2...", "kind": "burst", "key": "buy | dog food | north",
     "intent": "buy", "topic": "dog food", "region": "north",
     "bucket_start": "2024-05-01T10:00:00+00:00", "detected_at": "...",
     "observed": 140.0, "expected": 20.0, "threshold": 40.0,
     "recommendation": "Answer the I-want-to-buy surge on 'dog food' in north: ...",
     "best_content": null, "best_creator": null, "audience": null,
     "notes": ["no store: no content, creator or audience suggestion; run with --db ..."]}

Quickstart
----------
>>> import pandas as pd
>>> from micromix.moments.actions import build_action
>>> a = build_action(key="buy | dog food | north", kind="burst",
...                  bucket_start=pd.Timestamp("2024-05-01T10:00Z"), observed=140, expected=20)
>>> a.intent, a.topic, a.region
('buy', 'dog food', 'north')
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from micromix.errors import DeliveryError
from micromix.moments.rules import MOMENTS

if TYPE_CHECKING:
    from micromix.moments.bursts import Episode
    from micromix.store import Store

__all__ = [
    "DEAD_LETTER_TABLE",
    "MOMENTS_TABLE",
    "ActionDispatcher",
    "MomentAction",
    "MomentSink",
    "StoreEnricher",
    "WebhookSink",
    "build_action",
    "episode_action",
    "moment_id",
]

#: table of detected moments (one row per moment, upserted on ``moment_id``)
MOMENTS_TABLE = "moments"
#: table of webhook deliveries that failed after every retry
DEAD_LETTER_TABLE = "moment_dead_letters"

_ADVICE = {
    "know": "publish or boost a helpful answer (guide, FAQ, creator explainer)",
    "go": "push store-locator and local availability ads to nearby users",
    "do": "surface how-to videos and tutorials, ideally real customer content",
    "buy": "raise bids on shopping and search ads, show price and stock, amplify reviews",
    "other": "monitor; no clear intent to answer",
}


def moment_id(key: str, kind: str, bucket_start: pd.Timestamp | str) -> str:
    """Deterministic id of a moment: the same surge always gets the same id."""
    raw = f"{kind}\x1f{key}\x1f{pd.Timestamp(bucket_start).isoformat()}"
    return hashlib.sha1(raw.encode()).hexdigest()[:20]


@dataclass
class MomentAction:
    """What to do about one detected moment (see the module docstring for the JSON)."""

    moment_id: str
    kind: str
    key: str
    intent: str | None
    topic: str | None
    region: str | None
    bucket_start: str
    detected_at: str
    observed: float
    expected: float
    threshold: float | None
    recommendation: str
    best_content: Any = None
    best_creator: Any = None
    audience: Any = None
    notes: list[str] = field(default_factory=list)
    #: the episode as it stands: ``open`` while it goes on, ``closed`` once it ended
    status: str = "open"
    #: 1 when first acted on, + 1 for every update (the webhook's Idempotency-Key carries it)
    revision: int = 1
    #: end of the episode (exclusive) so far, ISO 8601
    end: str | None = None
    #: the bucket with the largest count and that count (``None`` for gaps)
    peak_at: str | None = None
    peak: float | None = None
    score: float | None = None
    #: the kind and the bucket in which the episode was first acted on
    first_kind: str | None = None
    alerted_bucket: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the webhook payload)."""
        return asdict(self)


def _split_key(key: str) -> tuple[str | None, str | None, str | None]:
    parts = [p.strip() for p in key.replace("|", " | ").split("|")]
    parts = [p for p in parts if p]
    intent = parts[0] if parts and parts[0] in MOMENTS else None
    rest = parts[1:] if intent else parts
    topic = rest[0] if rest else None
    region = rest[1] if len(rest) > 1 else None
    return intent, topic, region


#: the one note of a burst acted on without a store to suggest from
_NO_STORE_NOTE = (
    "no store: no content, creator or audience suggestion; run with --db (a store holding "
    "posts, creators and audience) to get them"
)


def _recommendation(key: str, kind: str, first_kind: str | None = None) -> str:
    """What to do about a ``kind`` moment on ``key`` (``first_kind``: what it was alerted as)."""
    intent, topic, region = _split_key(key)
    if kind == "gap":
        return "data collection gap: check the tracking pipeline before reading the figures"
    if kind == "level_shift":
        rec = (
            f"volume on {key!r} stepped up and stays up (new coverage, a campaign or a lasting "
            "change): it is the new normal, not a moment to answer; check whether collection changed"
        )
        if first_kind == "burst":
            rec += "; it was first alerted as a surge: wind down the surge response"
        return rec
    what = f"I-want-to-{intent}" if intent in ("know", "go", "do", "buy") else "a"
    where = f" in {region}" if region else ""
    return (
        f"Answer the {what} surge on {topic or key!r}{where}: "
        f"{_ADVICE.get(intent or 'other', _ADVICE['other'])}"
    )


def episode_action(
    ep: Episode,
    width: int,
    *,
    prev: MomentAction | None = None,
    detected_at: pd.Timestamp | None = None,
    enrich: bool = True,
    enricher: Callable[[str | None, str | None, str | None], tuple[Any, Any, Any, list[str]]]
    | None = None,
) -> MomentAction:
    """The action of a live episode as it stands: new (``prev`` None) or ``prev`` updated.

    An update keeps the id, the first detection time and the enrichment of ``prev``; it
    carries the episode's current kind, times, counts and peak, and the next ``revision``.
    """

    def iso(bucket: int | None) -> str | None:
        return (
            None if bucket is None else pd.Timestamp(bucket * width, unit="s", tz="UTC").isoformat()
        )

    if prev is None:
        base = build_action(
            key=ep.key,
            kind=ep.first_kind,
            bucket_start=pd.Timestamp(ep.first_start * width, unit="s", tz="UTC"),
            observed=ep.observed,
            expected=ep.expected,
            threshold=ep.threshold,
            detected_at=detected_at,
            enrich=enrich,
            enricher=enricher,
        )
        revision, notes = 1, base.notes
    else:
        base, revision, notes = prev, prev.revision + 1, prev.notes
    thr = None if ep.threshold != ep.threshold else float(ep.threshold)
    return replace(
        base,
        kind=ep.kind,
        bucket_start=iso(ep.start) or base.bucket_start,
        observed=float(ep.observed),
        expected=float(ep.expected),
        threshold=thr,
        recommendation=_recommendation(ep.key, ep.kind, ep.first_kind),
        notes=[*notes, *(n for n in ep.notes if n not in notes)],
        status="open" if ep.open else "closed",
        revision=revision,
        end=iso(ep.last + 1),
        peak_at=iso(ep.peak),
        peak=None if ep.peak_observed is None else float(ep.peak_observed),
        score=None if ep.score != ep.score else round(float(ep.score), 3),
        first_kind=ep.first_kind,
        alerted_bucket=iso(ep.opened),
    )


def build_action(
    *,
    key: str,
    kind: str,
    bucket_start: pd.Timestamp,
    observed: float,
    expected: float,
    threshold: float | None = None,
    detected_at: pd.Timestamp | None = None,
    enrich: bool = True,
    enricher: Callable[[str | None, str | None, str | None], tuple[Any, Any, Any, list[str]]]
    | None = None,
) -> MomentAction:
    """Build the action for a burst, level shift or gap on ``key`` (``"intent | topic | region"``)."""
    intent, topic, region = _split_key(key)
    detected = detected_at if detected_at is not None else pd.Timestamp.now(tz="UTC")
    rec = _recommendation(key, kind)
    content = creator = audience = None
    notes: list[str] = []
    if enrich and kind == "burst":
        if enricher is not None:
            content, creator, audience, notes = enricher(intent, topic, region)
        else:
            notes = [_NO_STORE_NOTE]
    thr = None if threshold is None or threshold != threshold else float(threshold)
    return MomentAction(
        moment_id=moment_id(key, kind, bucket_start),
        kind=kind,
        key=key,
        intent=intent,
        topic=topic,
        region=region,
        bucket_start=pd.Timestamp(bucket_start).isoformat(),
        detected_at=pd.Timestamp(detected).isoformat(),
        observed=float(observed),
        expected=float(expected),
        threshold=thr,
        recommendation=rec,
        best_content=content,
        best_creator=creator,
        audience=audience,
        notes=notes,
    )


class StoreEnricher:
    """Suggest what to amplify from the store's ``posts``, ``creators`` and ``audience`` tables.

    * best content: the unsponsored post whose text mentions the topic with the highest
      engagement per view (likes + comments + shares + saves);
    * best creator: the micro creator (1k-100k followers) whose niche matches the topic with
      the most followers;
    * audience: the region and the number of reachable users there — consented to ads
      personalisation, not minors, no sale opt-out or GPC signal.

    Tables are read once, on the first burst. Missing or empty tables give ``None`` and a
    note.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, pd.DataFrame | None] = {}

    def _table(self, name: str) -> pd.DataFrame | None:
        if name not in self._cache:
            df = self.store.read(name) if self.store.has_table(name) else None
            self._cache[name] = df if df is not None and len(df) else None
        return self._cache[name]

    def __call__(
        self, intent: str | None, topic: str | None, region: str | None
    ) -> tuple[Any, Any, Any, list[str]]:
        notes: list[str] = []
        words = [w for w in (topic or "").lower().split() if len(w) > 2]
        content = creator = audience = None
        posts = self._table("posts")
        if posts is None or not words or "text" not in posts.columns:
            notes.append("no posts table or topic: no content suggestion")
        else:
            text = posts["text"].fillna("").str.lower()
            hit = posts[
                text.str.contains(words[0], regex=False)
                & ~posts.get("is_sponsored", pd.Series(False, index=posts.index))
                .fillna(False)
                .astype(bool)
            ]
            if len(hit):
                eng = hit[["likes", "comments", "shares", "saves"]].fillna(0).sum(axis=1)
                rate = eng / hit["views"].fillna(0).clip(lower=1)
                best = hit.loc[rate.idxmax()]
                content = {
                    "post_id": best["post_id"],
                    "author_id": best.get("author_id"),
                    "platform": best.get("platform"),
                    "engagement_rate": round(float(rate.max()), 4),
                    "text": str(best["text"])[:200],
                }
            else:
                notes.append(f"no unsponsored post mentions {topic!r}")
        creators = self._table("creators")
        if creators is None or "followers" not in creators.columns:
            notes.append("no creators table: no creator suggestion")
        else:
            c = creators[creators["followers"].between(1_000, 100_000)]
            niche = c["niche"].fillna("").str.lower() if "niche" in c.columns else None
            if niche is not None and words:
                fit = niche.map(
                    lambda n: any(w.startswith(n) or n.startswith(w) for w in words if n)
                )
                c = c[fit] if fit.any() else c
            if len(c):
                best = c.loc[c["followers"].idxmax()]
                creator = {
                    "creator_id": best["creator_id"],
                    "handle": best.get("handle"),
                    "platform": best.get("platform"),
                    "niche": best.get("niche"),
                    "followers": int(best["followers"]),
                }
        aud = self._table("audience")
        if aud is None or "region" not in aud.columns:
            notes.append("no audience table: no audience suggestion")
        else:
            a = aud if region is None else aud[aud["region"] == region]
            ok = pd.Series(True, index=a.index)
            for col, want in (
                ("consent_ads_personalisation", True),
                ("is_minor", False),
                ("opt_out_sale", False),
                ("gpc", False),
            ):
                if col in a.columns:
                    ok &= a[col].fillna(not want).astype(bool) == want
            audience = {
                "region": region,
                "reachable_users": int(ok.sum()),
                "rule": "consented to ads personalisation, adult, no opt-out, no GPC",
            }
        return content, creator, audience, notes


class MomentSink(Protocol):
    """What the dispatcher needs from a store (``micromix.store.Store`` satisfies it)."""

    def upsert(self, name: str, df: pd.DataFrame, key: Sequence[str]) -> Any: ...

    def append(self, name: str, df: pd.DataFrame) -> Any: ...


def _idempotency_key(payload: dict[str, Any]) -> str:
    """``moment_id`` for a moment's first delivery, ``moment_id-r<revision>`` for its updates."""
    mid = str(payload.get("moment_id", ""))
    rev = payload.get("revision") or 1
    return mid if rev == 1 else f"{mid}-r{rev}"


class WebhookSink:
    """POST JSON payloads to ``url`` with retries and exponential back-off.

    Parameters
    ----------
    url : str
        The endpoint (http or https).
    retries : int
        Extra attempts after the first one.
    backoff : float
        Seconds before the first retry; doubles each time.
    timeout : float
        Seconds per attempt.
    sleep : callable
        Injected for tests (default :func:`time.sleep`).
    """

    def __init__(
        self,
        url: str,
        *,
        retries: int = 3,
        backoff: float = 0.2,
        timeout: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise DeliveryError(f"webhook url {url!r} must start with http:// or https://")
        self.url = url
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.sleep = sleep

    def deliver(self, payload: dict[str, Any]) -> int:
        """Send ``payload``; return the number of attempts, or raise :class:`DeliveryError`."""
        body = json.dumps(payload, default=str).encode()
        last = ""
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(
                self.url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "Idempotency-Key": _idempotency_key(payload),
                },
            )
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    if 200 <= resp.status < 300:
                        return attempt + 1
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if 400 <= exc.code < 500 and exc.code not in (408, 429):
                    break  # a client error will not heal by retrying
            except (urllib.error.URLError, OSError) as exc:
                last = str(getattr(exc, "reason", exc))
            if attempt < self.retries:
                self.sleep(self.backoff * (2**attempt))
        raise DeliveryError(
            f"webhook {self.url}: delivery failed after {attempt + 1} attempt(s) ({last}); "
            f"the payload is kept in table {DEAD_LETTER_TABLE!r}"
        )


class ActionDispatcher:
    """Store each moment once and fire its webhooks; failures go to the dead-letter table."""

    def __init__(
        self,
        store: MomentSink | None = None,
        webhooks: Sequence[WebhookSink] = (),
        *,
        enrich: bool = True,
    ) -> None:
        self.store = store
        self.webhooks = list(webhooks)
        self.enrich = enrich
        self.seen: set[str] = set()
        self._acted_at: dict[str, pd.Timestamp] = {}
        self.dead_letters = 0
        self.delivered = 0

    def _stored(self, mid: str) -> bool:
        """True when a previous run already stored (and so acted on) this moment."""
        sql = getattr(self.store, "sql", None)
        has = getattr(self.store, "has_table", None)
        if sql is None or has is None or not has(MOMENTS_TABLE):
            return False
        found = sql(f"SELECT acted_at FROM {MOMENTS_TABLE} WHERE moment_id = ? LIMIT 1", [mid])
        if len(found) and found.iloc[0, 0] is not None and found.iloc[0, 0] == found.iloc[0, 0]:
            self._acted_at[mid] = pd.Timestamp(found.iloc[0, 0])  # its updates keep it
        return len(found) > 0

    def dispatch(self, action: MomentAction) -> bool:
        """Act on a new moment; returns False when it was already handled (idempotent)."""
        if action.moment_id in self.seen or self._stored(action.moment_id):
            return False
        self.seen.add(action.moment_id)
        self._acted_at[action.moment_id] = pd.Timestamp.now(tz="UTC")
        self._store(action)
        self._fire(action)
        return True

    def update(self, action: MomentAction, *, fire: bool) -> None:
        """Store a moment's new revision (same ``moment_id``: the row is replaced, not added);
        ``fire`` also POSTs it to the webhooks (its kind changed or it closed)."""
        self._store(action)
        if fire:
            self._fire(action)

    def _store(self, action: MomentAction) -> None:
        if self.store is None:
            return
        row = action.to_dict()
        row["payload"] = json.dumps(row, default=str)
        for k in ("best_content", "best_creator", "audience", "notes"):
            row[k] = json.dumps(row[k], default=str)
        acted = self._acted_at.get(action.moment_id)
        row["acted_at"] = acted if acted is not None else pd.Timestamp.now(tz="UTC")
        row["updated_at"] = pd.Timestamp.now(tz="UTC")
        for k in ("threshold", "peak", "score"):
            row[k] = float("nan") if row[k] is None else float(row[k])
        for k in ("bucket_start", "detected_at", "end", "peak_at", "alerted_bucket"):
            row[k] = pd.Timestamp(row[k]) if row[k] is not None else pd.NaT
        self.store.upsert(MOMENTS_TABLE, pd.DataFrame([row]), key=["moment_id"])

    def _fire(self, action: MomentAction) -> None:
        for hook in self.webhooks:
            try:
                hook.deliver(action.to_dict())
                self.delivered += 1
            except DeliveryError as exc:
                self.dead_letters += 1
                if self.store is not None:
                    self.store.append(
                        DEAD_LETTER_TABLE,
                        pd.DataFrame(
                            [
                                {
                                    "moment_id": action.moment_id,
                                    "url": hook.url,
                                    "error": str(exc),
                                    "failed_at": pd.Timestamp.now(tz="UTC"),
                                    "payload": json.dumps(action.to_dict(), default=str),
                                }
                            ]
                        ),
                    )
