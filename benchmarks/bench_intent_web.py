"""Build the blind web-query pool for intent from TREC's query file; score the models on it.

The hand labels are in ``benchmarks/data/intent_web_eval_labels.tsv`` (by TREC topic number);
the query texts are not in the repository. Given NIST's ``09.mq.topics.20001-60000`` (also
``src/main/resources/topics-and-qrels/topics.mq.20001-60000.txt`` in castorini/anserini; lines
``qid:class:query``)::

    python benchmarks/bench_intent_web.py --topics topics.mq.20001-60000.txt \\
        --out /work/intent_eval

writes ``mq09_pool.tsv`` (qid, query, moment, split; md5 of every query checked against the
labels) and the two unlabelled slices used for training (``unlab_mq09_b.txt``: topics
25897-26527, ``unlab_mq09_c.txt``: 31777-32406). Then::

    python -m micromix.moments.train --eval-only --web-eval /work/intent_eval/mq09_pool.tsv \\
        --unlabelled /work/intent_eval/unlab_mq09_b.txt /work/intent_eval/unlab_mq09_c.txt \\
        [--embeddings] [--test]

prints accuracy and F1 on the dev split (``--test``: also the test split; look once).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pandas as pd

LABELS = Path(__file__).with_name("data") / "intent_web_eval_labels.tsv"
UNLABELLED = {"unlab_mq09_b.txt": (25897, 26527), "unlab_mq09_c.txt": (31777, 32406)}


def read_topics(path: Path) -> dict[int, str]:
    """``qid -> query`` of a TREC Million Query topics file (``qid:class:query`` lines)."""
    out: dict[int, str] = {}
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[0].isdigit():
            out[int(parts[0])] = parts[2]
    return out


def build(topics: Path, out: Path) -> None:
    q = read_topics(topics)
    labels = pd.read_csv(LABELS, sep="\t", dtype=str, keep_default_na=False, quoting=3)
    rows, bad = [], 0
    for r in labels.itertuples(index=False):
        text = q.get(int(r.qid), "")
        bad += hashlib.md5(text.encode()).hexdigest() != r.query_md5
        rows.append((r.qid, text, r.moment, r.split))
    out.mkdir(parents=True, exist_ok=True)
    lines = ["qid\tquery\tmoment\tsplit", *("\t".join(r) for r in rows)]
    (out / "mq09_pool.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out / 'mq09_pool.tsv'}: {len(rows)} queries, {bad} differ from the labelled text")
    for name, (a, b) in UNLABELLED.items():
        texts = [q[i] for i in range(a, b + 1) if i in q]
        (out / name).write_text("\n".join(texts) + "\n", encoding="utf-8")
        print(f"{out / name}: {len(texts)} unlabelled queries")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--topics", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("/work/intent_eval"))
    args = ap.parse_args(argv)
    build(args.topics, args.out)


if __name__ == "__main__":
    main()
