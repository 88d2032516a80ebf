"""Train the shipped intent model and report in-domain and cross-domain accuracy.

Run ``python -m micromix.moments.train [--data ../shared/data] [--out PATH] [--eval-only]``.
Training data:

* the hand-written template corpus of :mod:`micromix.moments.corpus` (all five moments);
* real labelled query sets from ``<data>/intent/`` when present (only the learned weights are
  shipped, never the text): Mozilla smart_intent manual labels (Apache-2.0;
  ``information_intent`` -> know, ``yelp_intent`` -> go: a local business or service,
  ``navigation_intent`` -> other, ``weather_intent`` -> know), its generated Yelp (-> go) and
  weather (-> know) queries, and Wayfair WANDS product queries (MIT; -> buy).

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
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from micromix.moments.corpus import template_corpus
from micromix.moments.intent import DEFAULT_MODEL_PATH, SHOP_SEARCH_PRIOR, IntentClassifier

__all__ = [
    "DEFAULT_DATA_DIR",
    "HANDLABELLED",
    "SOURCE_WEIGHTS",
    "evaluate",
    "load_sources",
    "main",
    "train_default",
    "train_embedding_head",
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


def load_sources(
    data_dir: Path | None = DEFAULT_DATA_DIR, *, n_templates: int = 2500, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """Labelled training sources by name, each with columns ``text`` and ``moment``."""
    out: dict[str, pd.DataFrame] = {"templates": template_corpus(n_templates, seed=seed)}
    if data_dir is None or not Path(data_dir).exists():
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
SOURCE_WEIGHTS = {"wayfair_wands": 0.3}


def _fit(frames: list[pd.DataFrame], **params: object) -> IntentClassifier:
    df = pd.concat(frames, ignore_index=True).drop_duplicates("text")
    w = df["source"].map(SOURCE_WEIGHTS).fillna(1.0).to_numpy() if "source" in df else None
    return IntentClassifier(**params).fit(  # type: ignore[arg-type]
        df["text"], df["moment"], sample_weight=w
    )


def evaluate(clf: IntentClassifier, df: pd.DataFrame) -> dict[str, Any]:
    """Accuracy, macro-F1 (over the labels present) and F1 per label of ``clf`` on ``df``."""
    pred = clf.predict(df["text"])
    y = df["moment"].to_numpy()
    labels = sorted(set(y))
    per = f1_score(y, pred, average=None, labels=labels)
    return {
        "n": len(df),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(np.mean(per)), 4),
        "f1": {lab: round(float(v), 4) for lab, v in zip(labels, per)},
    }


def train_default(
    data_dir: Path | None = DEFAULT_DATA_DIR,
    *,
    out: Path = DEFAULT_MODEL_PATH,
    eval_only: bool = False,
    seed: int = 0,
) -> dict[str, object]:
    """Cross-domain report, then fit on every source and save the model to ``out``."""
    srcs = load_sources(data_dir, seed=seed)
    hand = pd.read_csv(HANDLABELLED, sep="\t") if HANDLABELLED.exists() else None
    report: dict[str, object] = {"sources": {k: len(v) for k, v in srcs.items()}}
    cross: dict[str, object] = {}
    for name in srcs:
        if name == "templates":
            continue
        clf = _fit([v for k, v in srcs.items() if k != name])
        cross[name] = evaluate(clf, srcs[name])
        if name == "wayfair_wands":  # a shop's own search box: its traffic is mostly buy
            clf.set_params(class_prior=SHOP_SEARCH_PRIOR)
            cross[f"{name} (shop search prior)"] = evaluate(clf, srcs[name])
    tmpl_only = _fit([srcs["templates"]])
    if hand is not None:
        cross["handlabelled_web (templates only)"] = evaluate(tmpl_only, hand)
    report["cross_domain_leave_one_source_out"] = cross
    t0 = time.perf_counter()
    final = _fit(list(srcs.values()))
    report["fit_seconds"] = round(time.perf_counter() - t0, 2)
    if hand is not None:
        report["handlabelled_web (all sources, never trained on)"] = evaluate(final, hand)
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
    data_dir: Path | None = DEFAULT_DATA_DIR, *, eval_only: bool = False, seed: int = 0
) -> dict[str, object]:
    """Leave-one-source-out figures of light model x embedding head; fit and save the head.

    Needs the ``embeddings`` extra. Each left-out source is scored by a light model and a head
    both trained without it.
    """
    from micromix.moments.embed import EMBEDDING_HEAD_PATH, EmbeddingIntentClassifier, embed

    srcs = load_sources(data_dir, seed=seed)
    hand = pd.read_csv(HANDLABELLED, sep="\t") if HANDLABELLED.exists() else None
    frames = {
        **srcs,
        **(
            {"handlabelled_web": hand.assign(source="handlabelled_web")} if hand is not None else {}
        ),
    }
    allt = pd.concat(list(frames.values()), ignore_index=True)
    t0 = time.perf_counter()
    E = embed(allt["text"])
    report: dict[str, object] = {"embed_seconds": round(time.perf_counter() - t0, 1)}
    cross: dict[str, object] = {}
    for name in frames:
        if name == "templates":
            continue
        tr = allt[(allt["source"] != name) & (allt["source"] != "handlabelled_web")]
        tr = tr[~tr["text"].duplicated()]
        te = allt[allt["source"] == name]
        w = tr["source"].map(SOURCE_WEIGHTS).fillna(1.0).to_numpy()
        light = _fit([v for k, v in srcs.items() if k != name])
        head = EmbeddingIntentClassifier(light=light).fit(
            tr["text"], tr["moment"], sample_weight=w, embeddings=E[tr.index]
        )
        pred = head.predict(te["text"], embeddings=E[te.index])
        y = te["moment"].to_numpy()
        labels = sorted(set(y))
        per = f1_score(y, pred, average=None, labels=labels)
        cross[name] = {
            "n": len(te),
            "accuracy": round(float(accuracy_score(y, pred)), 4),
            "macro_f1": round(float(np.mean(per)), 4),
            "f1": {lab: round(float(v), 4) for lab, v in zip(labels, per)},
        }
    report["cross_domain_leave_one_source_out (light x embeddings)"] = cross
    if not eval_only:
        tr = allt[allt["source"] != "handlabelled_web"]
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


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m micromix.moments.train``)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    ap.add_argument("--eval-only", action="store_true")
    ap.add_argument(
        "--embeddings",
        action="store_true",
        help="train the optional MiniLM head (needs micromix[embeddings]) after the light model",
    )
    args = ap.parse_args(argv)
    print(json.dumps(train_default(args.data, out=args.out, eval_only=args.eval_only), indent=2))
    if args.embeddings:
        print(json.dumps(train_embedding_head(args.data, eval_only=args.eval_only), indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
