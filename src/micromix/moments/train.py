"""Train the shipped intent model and report in-domain and cross-domain accuracy.

Run ``python -m micromix.moments.train [--data ../shared/data] [--unlabelled FILE ...]
[--web-eval POOL.tsv] [--out PATH] [--eval-only]``. Training data:

* the hand-written template corpus of :mod:`micromix.moments.corpus` (all five moments);
* real labelled query sets from ``<data>/intent/`` when present (only the learned weights are
  shipped, never the text): Mozilla smart_intent manual labels (Apache-2.0;
  ``information_intent`` -> know, ``yelp_intent`` -> go: a local business or service,
  ``navigation_intent`` -> other, ``weather_intent`` -> know), its generated Yelp (-> go) and
  weather (-> know) queries, and Wayfair WANDS product queries (MIT; -> buy);
* real web-search queries without labels (``--unlabelled``: text files, one query per line),
  given weak labels by :func:`weak_label` (source ``real_weak``; only weights are shipped).

The probabilities are calibrated (:func:`calibrate`): a temperature fitted on 5-fold
cross-validated logits of the training sources, one for texts with evidence and one for texts
without (:meth:`~micromix.moments.intent.IntentClassifier.evidence`). ``--reliability`` adds,
for each left-out source, accuracy per confidence bin and the expected calibration error
before and after, the temperatures fitted without that source.

Cross-domain figures are measured leave-one-source-out: the model is trained without a source
(the templates are always in) and tested on it; accuracy and macro-F1 per source. The
hand-labelled web queries in ``tests/moments/data`` are never trained on.

Quickstart
----------
>>> from micromix.moments.train import load_sources
>>> srcs = load_sources(data_dir=None, n_templates=30)
>>> sorted(srcs)
['templates']
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from micromix.moments.corpus import template_corpus
from micromix.moments.intent import (
    DEFAULT_MODEL_PATH,
    EVIDENCE,
    NO_WORDS,
    SHOP_SEARCH_PRIOR,
    IntentClassifier,
)
from micromix.moments.rules import MOMENTS, explain, normalize_text

__all__ = [
    "DEFAULT_DATA_DIR",
    "HANDLABELLED",
    "SOURCE_WEIGHTS",
    "WEAK_RULES",
    "calibrate",
    "distil_weak_labels",
    "evaluate",
    "fit_temperature",
    "load_sources",
    "load_unlabelled",
    "load_web_eval",
    "main",
    "no_words_other",
    "reliability",
    "train_default",
    "train_embedding_head",
    "weak_label",
]

#: the shared data folder when micromix runs from its repository checkout
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[4] / "shared" / "data"
#: hand-labelled web queries used only for evaluation
HANDLABELLED = (
    Path(__file__).resolve().parents[3]
    / "tests"
    / "moments"
    / "data"
    / "handlabelled_web_queries.tsv"
)


#: the weak-labelling rules for unlabelled real queries, in the order they are tried: the first
#: whose rules or cues (``rules.explain`` names) fire gives the label; a query where none fires
#: is informational (``know``), the default of web-search intent annotation (ORCAS-I's
#: convention: factual unless a navigational, transactional or instrumental cue says otherwise)
WEAK_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("other", frozenset({"url", "login", "site_only"})),
    ("do", frozenset({"how_to", "tutorial", "verb_first", "fix_setup", "gerund_task"})),
    ("go", frozenset({"near_me", "hours_location", "near_place"})),
    (
        "buy",
        frozenset(
            {"buy_verb", "deal", "download_get", "book_subscribe", "online_tool", "get_document"}
        ),
    ),
    ("know", frozenset({"question_word", "how_much_many", "definition", "facts", "price_fact"})),
    ("other", frozenset({"brand_nav", "org_name", "business_name", "compound_name"})),
)


def weak_label(text: object) -> str:
    """Weak micro-moment label of one unlabelled query by :data:`WEAK_RULES` (default know).

    Examples
    --------
    >>> [weak_label(q) for q in ["gmail login", "how to tie a tie", "arizonalottery", "dinosaurs"]]
    ['other', 'do', 'other', 'know']
    """
    return _weak(text)[0]


def _weak(text: object) -> tuple[str, bool]:
    """(label, whether a rule gave it) — False means the informational default."""
    fired = {name for name, _, _ in explain(normalize_text(text))}
    for moment, names in WEAK_RULES:
        if fired & names:
            return moment, True
    return "know", False


def distil_weak_labels(
    srcs: dict[str, pd.DataFrame], *, min_proba: float = 0.8, C: float = 4.0
) -> pd.DataFrame:
    """Relabel the default-``know`` rows of ``srcs["real_weak"]`` with MiniLM + LR.

    The teacher is a logistic regression on MiniLM sentence embeddings of every labelled
    source and of the real rows a rule labelled; a default row takes the teacher's label when
    its probability is at least ``min_proba``. Needs the ``embeddings`` extra (training only:
    the light model trained on the result is what ships).
    """
    from sklearn.linear_model import LogisticRegression

    from micromix.moments.embed import embed

    real = srcs["real_weak"].copy()
    by_rule = np.array([_weak(t)[1] for t in real["text"]])
    teach = pd.concat(
        [v for k, v in srcs.items() if k != "real_weak"] + [real[by_rule]], ignore_index=True
    ).drop_duplicates("text")
    w = teach["source"].map(SOURCE_WEIGHTS).fillna(1.0).to_numpy()
    lr = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    lr.fit(embed(teach["text"]), teach["moment"].astype(str), sample_weight=w)
    idx = np.flatnonzero(~by_rule)
    proba = lr.predict_proba(embed(real["text"].iloc[idx]))
    best = proba.argmax(axis=1)
    sure = proba[np.arange(len(idx)), best] >= min_proba
    labels = real["moment"].to_numpy(dtype=object)
    labels[idx[sure]] = lr.classes_[best[sure]]
    real["moment"] = labels
    return real


def load_unlabelled(
    paths: list[Path] | tuple[Path, ...], *, exclude: set[str] | None = None
) -> pd.DataFrame:
    """Unlabelled real queries (text files, one a line) with :func:`weak_label` labels.

    Duplicates and any text in ``exclude`` (normalised; e.g. an evaluation pool) are dropped.
    Returns columns ``text``, ``moment`` and ``source`` (``real_weak``).
    """
    seen = set(exclude or ())
    texts: list[str] = []
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            t = normalize_text(line)
            if t and t not in seen:
                seen.add(t)
                texts.append(t)
    return pd.DataFrame(
        {"text": texts, "moment": [weak_label(t) for t in texts], "source": "real_weak"}
    )


def load_web_eval(path: Path, split: str | None = "dev") -> pd.DataFrame:
    """A hand-labelled web-query pool (``query``, ``moment``, ``split``; see docs/moments.md).

    Rows labelled ``abstain`` (intent not told by the text) are dropped; ``split`` None keeps
    both ``dev`` and ``test``.
    """
    df = pd.read_csv(path, sep="\t", keep_default_na=False, dtype=str, quoting=3)
    df = df[df["moment"].isin(MOMENTS)]
    if split is not None:
        df = df[df["split"] == split]
    return pd.DataFrame({"text": df["query"].to_numpy(), "moment": df["moment"].to_numpy()})


def load_sources(
    data_dir: Path | None = DEFAULT_DATA_DIR,
    *,
    n_templates: int = 2500,
    seed: int = 0,
    unlabelled: list[Path] | tuple[Path, ...] = (),
    exclude: set[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Labelled training sources by name, each with columns ``text`` and ``moment``.

    ``unlabelled`` adds the weak-labelled real queries of :func:`load_unlabelled` as source
    ``real_weak`` (without the texts in ``exclude``).
    """
    out: dict[str, pd.DataFrame] = {"templates": template_corpus(n_templates, seed=seed)}
    if unlabelled:
        out["real_weak"] = load_unlabelled(unlabelled, exclude=exclude)
    if data_dir is None or not Path(data_dir).exists():
        for name, df in out.items():
            df["source"] = name
        return out
    d = Path(data_dir) / "intent"
    f = d / "mozilla_smart_intent_manual_labels.csv"
    if f.exists():
        m = pd.read_csv(f)
        mapping = {
            "information_intent": "know",
            "yelp_intent": "go",
            "navigation_intent": "other",
            "weather_intent": "know",
        }
        m = m[m["target"].isin(list(mapping))]
        out["mozilla_manual"] = pd.DataFrame(
            {"text": m["sequence"].astype(str), "moment": m["target"].map(mapping)}
        )
    f = d / "mozilla_smart_intent_yelp_val_generated_data.csv"
    if f.exists():
        m = pd.read_csv(f)
        out["mozilla_yelp_generated"] = pd.DataFrame(
            {"text": m["queries"].astype(str), "moment": "go"}
        )
    f = d / "mozilla_smart_intent_weather_val_generated_data.csv"
    if f.exists():
        m = pd.read_csv(f)
        out["mozilla_weather_generated"] = pd.DataFrame(
            {"text": m["queries"].astype(str), "moment": "know"}
        )
    f = d / "wayfair_wands_query.csv"
    if f.exists():
        m = pd.read_csv(f, sep="\t")
        out["wayfair_wands"] = pd.DataFrame({"text": m["query"].astype(str), "moment": "buy"})
    for name, df in out.items():
        df["source"] = name
    return out


#: per-source sample weight: bare product queries (Wayfair) would otherwise teach the model
#: that any short noun phrase is a purchase, while in web search most are informational
SOURCE_WEIGHTS = {"wayfair_wands": 0.3, "real_weak": 1.0}


def _fit(frames: list[pd.DataFrame], **params: object) -> IntentClassifier:
    df = pd.concat(frames, ignore_index=True).drop_duplicates("text")
    w = df["source"].map(SOURCE_WEIGHTS).fillna(1.0).to_numpy() if "source" in df else None
    return IntentClassifier(**params).fit(  # type: ignore[arg-type]
        df["text"], df["moment"], sample_weight=w
    )


def fit_temperature(z: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> float:
    """The temperature ``T`` that minimises the (weighted) log loss of ``softmax(z / T)``.

    ``z``: logits (rows x classes), ``y``: the true class's column of each row.

    Examples
    --------
    >>> z = np.array([[4.0, 0.0], [4.0, 0.0], [0.0, 4.0], [4.0, 0.0]])
    >>> fit_temperature(z, np.array([0, 1, 1, 0])) > 1  # right 3 of 4 at 98 %: too sure
    True
    """
    from scipy.optimize import minimize_scalar

    w = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=float)
    rows = np.arange(len(y))

    def loss(log_t: float) -> float:
        a = z / np.exp(log_t)
        a = a - a.max(axis=1, keepdims=True)
        logp = a[rows, y] - np.log(np.exp(a).sum(axis=1))
        return float(-(w * logp).sum() / w.sum())

    return float(np.exp(minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded").x))


def _training_frame(frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, np.ndarray]:
    df = pd.concat(frames, ignore_index=True).drop_duplicates("text").reset_index(drop=True)
    w = df["source"].map(SOURCE_WEIGHTS).fillna(1.0).to_numpy() if "source" in df else None
    return df, np.ones(len(df)) if w is None else w


def calibrate(
    clf: IntentClassifier, frames: list[pd.DataFrame], *, folds: int | None = None, seed: int = 0
) -> dict[str, Any]:
    """Set ``clf``'s temperatures from cross-validated logits of ``frames``.

    ``folds`` None: one fold per training source (each source scored by a model trained on the
    others: what a new kind of traffic looks like to the model); an int: that many random
    folds of the rows. ``clf`` must be (or be fitted like) :func:`_fit` on ``frames``: each
    fold's model is fitted the same way on the other folds and scores its fold (raw logits,
    balanced prior), with its own learnt words deciding which texts have evidence. The temperature of the texts with
    evidence and that of those without are fitted apart, each row weighted by its source
    weight and so that every label weighs the same (the model is trained balanced; at
    prediction the temperature divides the logits shifted by the traffic prior, so it never
    changes an answer). Returns what was fitted.
    """
    df, w = _training_frame(frames)
    classes = list(clf.classes_)
    y = df["moment"].map({c: i for i, c in enumerate(classes)}).to_numpy()
    if folds is None and "source" in df and df["source"].nunique() >= 2:
        fold = pd.factorize(df["source"])[0]
    else:
        fold = np.random.default_rng(seed).permutation(len(df)) % (folds or 5)
    n_folds = int(fold.max()) + 1
    z = np.zeros((len(df), len(classes)))
    status = np.zeros(len(df), dtype=np.int64)
    for k in range(n_folds):
        m = _fit([df[fold != k]])
        test = np.flatnonzero(fold == k)
        zk, sk = m._raw([normalize_text(t) for t in df["text"].iloc[test]])
        z[test], status[test] = zk, sk
    per_class = np.bincount(y, weights=w, minlength=len(classes))
    w = w / per_class[y]
    has = status == EVIDENCE
    t = fit_temperature(z[has], y[has], w[has])
    t_none = fit_temperature(z[~has], y[~has], w[~has]) if (~has).sum() >= 50 else t
    clf.temperature_, clf.no_evidence_temperature_ = t, t_none
    clf._reset_cache()
    return {
        "folds": "by source" if folds is None else folds,
        "rows": len(df),
        "rows_without_evidence": int((~has).sum()),
        "temperature": round(t, 4),
        "no_evidence_temperature": round(t_none, 4),
    }


def reliability(confidence: np.ndarray, correct: np.ndarray, *, bins: int = 10) -> dict[str, Any]:
    """Accuracy per confidence bin (``bins`` equal bins of 0..1) and the expected calibration
    error (the bins' mean of |accuracy - mean confidence|, weighted by their rows).

    Examples
    --------
    >>> r = reliability(np.array([0.95, 0.95, 0.55, 0.55]), np.array([1, 1, 1, 0]))
    >>> r["ece"], [b["accuracy"] for b in r["bins"]]
    (0.05, [0.5, 1.0])
    """
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    idx = np.minimum((conf * bins).astype(int), bins - 1)
    out, ece = [], 0.0
    for b in range(bins):
        sel = idx == b
        if not sel.any():
            continue
        acc, mean = float(ok[sel].mean()), float(conf[sel].mean())
        ece += float(sel.sum()) / len(conf) * abs(acc - mean)
        out.append(
            {
                "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                "n": int(sel.sum()),
                "confidence": round(mean, 3),
                "accuracy": round(acc, 3),
            }
        )
    return {"n": len(conf), "ece": round(float(ece), 4), "bins": out}


def _reliability_pair(clf: IntentClassifier, df: pd.DataFrame) -> dict[str, Any]:
    """Reliability of ``clf`` on ``df`` as calibrated and as it was before (temperature 1, no
    evidence check), with the accuracy of each and the rows without evidence."""
    raw = copy.copy(clf)
    raw.temperature_, raw.no_evidence_temperature_, raw.no_words_other_ = 1.0, 1.0, None
    raw.min_evidence = 0.0
    raw._reset_cache()
    y = df["moment"].to_numpy()
    out: dict[str, Any] = {}
    for name, m in (("before", raw), ("after", clf)):
        p = m.predict_proba(df["text"])
        pred = np.asarray(m.classes_)[p.argmax(axis=1)]
        rel = reliability(p.max(axis=1), pred == y)
        out[name] = {"accuracy": round(float((pred == y).mean()), 4), **rel}
    st = clf.evidence(df["text"])
    out["without_evidence"] = int((st != EVIDENCE).sum())
    out["without_words"] = int((st == NO_WORDS).sum())
    return out


def no_words_other(clf: IntentClassifier, pool: pd.DataFrame) -> float | None:
    """Share of ``other`` among the texts of a labelled pool (its dev split) that have no
    evidence and no English word; None when there are fewer than 20 such texts, or when the
    share would not make ``other`` the most probable label under the web prior."""
    st = clf.evidence(pool["text"])
    sel = st == NO_WORDS
    if sel.sum() < 20:
        return None
    share = float((pool["moment"].to_numpy()[sel] == "other").mean())
    probe = copy.copy(clf)
    probe._reset_cache()
    proba = probe._no_words_proba(share)
    return round(share, 3) if probe.classes_[int(proba.argmax())] == "other" else None


def _scores(y: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    labels = sorted(set(y))
    per = f1_score(y, pred, average=None, labels=labels)
    return {
        "n": len(y),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(np.mean(per)), 4),
        "f1": {lab: round(float(v), 4) for lab, v in zip(labels, per)},
    }


def evaluate(clf: Any, df: pd.DataFrame, **kw: Any) -> dict[str, Any]:
    """Accuracy, macro-F1 (over the labels present) and F1 per label of ``clf`` on ``df``.

    For a pool with ``go`` rows, ``four_class`` repeats the figures without them: the
    informational / how-to / transactional / navigational scheme of web-intent gold sets.
    """
    pred = np.asarray(clf.predict(df["text"], **kw), dtype=object)
    y = df["moment"].to_numpy()
    out = _scores(y, pred)
    if "go" in set(y) and len(set(y)) > 2:
        keep = y != "go"
        out["four_class"] = _scores(y[keep], pred[keep])
    return out


def _web_texts(path: Path | None) -> set[str]:
    if path is None or not Path(path).exists():
        return set()
    df = pd.read_csv(path, sep="\t", keep_default_na=False, dtype=str, quoting=3)
    return {normalize_text(t) for t in df["query"]}


def train_default(
    data_dir: Path | None = DEFAULT_DATA_DIR,
    *,
    out: Path = DEFAULT_MODEL_PATH,
    eval_only: bool = False,
    seed: int = 0,
    unlabelled: list[Path] | tuple[Path, ...] = (),
    web_eval: Path | None = None,
    test: bool = False,
    distil: bool = False,
    reliability_report: bool = False,
    folds: int | None = None,
) -> dict[str, object]:
    """Cross-domain report, then fit on every source, calibrate and save the model to ``out``.

    ``web_eval``: a hand-labelled web-query pool (never trained on; its texts are also removed
    from the unlabelled queries), scored on its ``dev`` split, and on ``test`` when ``test``;
    its dev split also gives the confidence of ``other`` for texts without evidence or English
    words (:func:`no_words_other`). ``distil``: relabel the unlabelled queries with
    :func:`distil_weak_labels` first. ``reliability_report``: reliability before and after
    calibration on each left-out source (each model calibrated without it: slow).
    """
    srcs = load_sources(data_dir, seed=seed, unlabelled=unlabelled, exclude=_web_texts(web_eval))
    if distil and "real_weak" in srcs:
        before = srcs["real_weak"]["moment"].to_numpy()
        srcs["real_weak"] = distil_weak_labels(srcs)
        changed = before != srcs["real_weak"]["moment"].to_numpy()
        report_distil = {"relabelled": int(changed.sum()), "of": len(before)}
    else:
        report_distil = None
    hand = pd.read_csv(HANDLABELLED, sep="\t") if HANDLABELLED.exists() else None
    report: dict[str, object] = {"sources": {k: len(v) for k, v in srcs.items()}}
    if report_distil is not None:
        report["distilled"] = report_distil
    t0 = time.perf_counter()
    final = _fit(list(srcs.values()))
    report["fit_seconds"] = round(time.perf_counter() - t0, 2)
    cal = calibrate(final, list(srcs.values()), folds=folds, seed=seed)
    nwo: float | None = None
    if web_eval is not None:
        nwo = no_words_other(final, load_web_eval(web_eval, "dev"))
        cal["no_words_other (web pool dev)"] = nwo
    final.no_words_other_ = nwo
    report["calibration"] = cal
    cross: dict[str, object] = {}
    rel: dict[str, object] = {}
    for name in srcs:
        if name in ("templates", "real_weak"):  # weak labels are not a test of anything
            continue
        others = [v for k, v in srcs.items() if k != name]
        clf = _fit(others)
        if reliability_report:
            calibrate(clf, others, folds=folds, seed=seed)
            clf.no_words_other_ = nwo
            rel[name] = _reliability_pair(clf, srcs[name])
        cross[name] = evaluate(clf, srcs[name])
        if name == "wayfair_wands":  # a shop's own search box: its traffic is mostly buy
            clf.set_params(class_prior=SHOP_SEARCH_PRIOR)
            cross[f"{name} (shop search prior)"] = evaluate(clf, srcs[name])
            if reliability_report:
                rel[f"{name} (shop search prior)"] = _reliability_pair(clf, srcs[name])
    tmpl_only = _fit([srcs["templates"]])
    if hand is not None:
        cross["handlabelled_web (templates only)"] = evaluate(tmpl_only, hand)
    report["cross_domain_leave_one_source_out"] = cross
    if reliability_report:
        report["reliability_leave_one_source_out"] = rel
    if hand is not None:
        report["handlabelled_web (all sources, never trained on)"] = evaluate(final, hand)
        if reliability_report:
            report["reliability_handlabelled_web"] = _reliability_pair(final, hand)
    if web_eval is not None:
        for split in ("dev", "test") if test else ("dev",):
            pool = load_web_eval(web_eval, split)
            report[f"web_pool_{split}"] = {
                "all sources": evaluate(final, pool),
                "without real_weak": evaluate(
                    _fit([v for k, v in srcs.items() if k != "real_weak"]), pool
                ),
                "reliability": _reliability_pair(final, pool),
            }
    # in-domain: a random 80/20 split of everything
    alld = pd.concat(list(srcs.values()), ignore_index=True).drop_duplicates("text")
    rng = np.random.default_rng(seed)
    mask = rng.random(len(alld)) < 0.8
    report["in_domain_80_20"] = evaluate(_fit([alld[mask]]), alld[~mask])
    if not eval_only:
        final.save(out, metadata={"trained_on": report["sources"]})
        report["model_path"] = str(out)
        report["model_bytes"] = Path(out).stat().st_size
    return report


def train_embedding_head(
    data_dir: Path | None = DEFAULT_DATA_DIR,
    *,
    eval_only: bool = False,
    seed: int = 0,
    unlabelled: list[Path] | tuple[Path, ...] = (),
    web_eval: Path | None = None,
    test: bool = False,
) -> dict[str, object]:
    """Leave-one-source-out figures of MiniLM + logistic regression, alone and times the light
    model; fit and save the head.

    Needs the ``embeddings`` extra. Each left-out source is scored by a light model and a head
    both trained without it; the web pool (``web_eval``) by models trained on every source.
    """
    from micromix.moments.embed import EMBEDDING_HEAD_PATH, EmbeddingIntentClassifier, embed

    srcs = load_sources(data_dir, seed=seed, unlabelled=unlabelled, exclude=_web_texts(web_eval))
    hand = pd.read_csv(HANDLABELLED, sep="\t") if HANDLABELLED.exists() else None
    frames = dict(srcs)
    if hand is not None:
        frames["handlabelled_web"] = hand.assign(source="handlabelled_web")
    if web_eval is not None:
        for split in ("dev", "test") if test else ("dev",):
            frames[f"web_pool_{split}"] = load_web_eval(web_eval, split).assign(
                source=f"web_pool_{split}"
            )
    held = {"handlabelled_web", "web_pool_dev", "web_pool_test"}
    allt = pd.concat(list(frames.values()), ignore_index=True)
    t0 = time.perf_counter()
    E = embed(allt["text"])
    report: dict[str, object] = {"embed_seconds": round(time.perf_counter() - t0, 1)}
    cross: dict[str, object] = {}
    for name in frames:
        if name in ("templates", "real_weak"):
            continue
        left_out = name if name not in held else None
        tr = allt[(allt["source"] != left_out) & ~allt["source"].isin(held)]
        tr = tr[~tr["text"].duplicated()]
        te = allt[allt["source"] == name]
        w = tr["source"].map(SOURCE_WEIGHTS).fillna(1.0).to_numpy()
        light = _fit([v for k, v in srcs.items() if k != left_out])
        head = EmbeddingIntentClassifier(light=light).fit(
            tr["text"], tr["moment"], sample_weight=w, embeddings=E[tr.index]
        )
        alone = _HeadAlone(head)
        cross[name] = {
            "light x embeddings": evaluate(head, te, embeddings=E[te.index]),
            "MiniLM + LR alone": evaluate(alone, te, embeddings=E[te.index]),
        }
    report["cross_domain_leave_one_source_out (embeddings)"] = cross
    if not eval_only:
        tr = allt[~allt["source"].isin(held)]
        tr = tr[~tr["text"].duplicated()]
        w = tr["source"].map(SOURCE_WEIGHTS).fillna(1.0).to_numpy()
        head = EmbeddingIntentClassifier().fit(
            tr["text"], tr["moment"], sample_weight=w, embeddings=E[tr.index]
        )
        head.save(
            EMBEDDING_HEAD_PATH, metadata={"trained_on": {k: len(v) for k, v in srcs.items()}}
        )
        report["head_path"] = str(EMBEDDING_HEAD_PATH)
    return report


class _HeadAlone:
    """The embedding head's own prediction (the MiniLM + logistic regression anchor)."""

    def __init__(self, head: Any) -> None:
        self.head = head

    def predict(self, X: Any, *, embeddings: np.ndarray) -> np.ndarray:
        h = self.head
        z = np.asarray(embeddings) @ h.coef_.T + h.intercept_
        return np.asarray(h.classes_[z.argmax(axis=1)], dtype=object)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m micromix.moments.train``)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    ap.add_argument("--eval-only", action="store_true")
    ap.add_argument(
        "--unlabelled",
        type=Path,
        nargs="*",
        default=[],
        help="text files of real queries without labels (one a line), weak-labelled for training",
    )
    ap.add_argument(
        "--web-eval",
        type=Path,
        default=None,
        help="hand-labelled web-query pool (TSV: query, moment, split) scored on its dev split",
    )
    ap.add_argument(
        "--test", action="store_true", help="also score the web pool's test split (look once)"
    )
    ap.add_argument(
        "--distil",
        action="store_true",
        help="relabel the unlabelled queries with MiniLM + LR first (needs micromix[embeddings])",
    )
    ap.add_argument(
        "--reliability",
        action="store_true",
        help="reliability before/after calibration on each left-out source (slow)",
    )
    ap.add_argument(
        "--embeddings",
        action="store_true",
        help="train the optional MiniLM head (needs micromix[embeddings]) after the light model",
    )
    args = ap.parse_args(argv)
    kw: dict[str, Any] = {
        "unlabelled": args.unlabelled,
        "web_eval": args.web_eval,
        "test": args.test,
        "eval_only": args.eval_only,
    }
    rep = train_default(
        args.data, out=args.out, distil=args.distil, reliability_report=args.reliability, **kw
    )
    print(json.dumps(rep, indent=2))
    if args.embeddings:
        print(json.dumps(train_embedding_head(args.data, **kw), indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
