"""Choose the verdict's n-gram settings by cross-validation on IMDb slice B (never C).

    python -m training.verdict_cv --data ../shared/datasets

For each candidate n-gram model (fitted on slice A plus the MR and SST-2
sentences, as in ``train_verdict``), the verdict features of slice B are built
and the fresh/rotten model is scored by 5-fold cross-validation on B, at the
0.5 cut. The held-out slice C is not touched here: ``train_verdict`` measures
it once, for the settings chosen. Needs the cached sentence outputs of B
(``train_verdict`` builds them; so does this script on first run).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from critica.evaluation.datasets import detokenize, imdb_splits, read_jsonl
from critica.models.verdict import review_features, tail_text
from training.sentence_cache import DocOutputs, run_cached
from training.train_verdict import fit_tfidf

Logits = Callable[[list[str]], np.ndarray]


def fit_logits(texts: list[str], labels: list[int], ngram: int, c: float, nb: bool) -> Logits:
    vec, lr = fit_tfidf(texts, labels, ngram, c, nb)
    return lambda docs: lr.decision_function(vec.transform(docs))  # type: ignore[no-any-return]


def verdict_features(outputs: list[DocOutputs], logits: Logits) -> np.ndarray:
    full = logits([o.text for o in outputs])
    tail = logits([tail_text(o.scored_sentences) for o in outputs])
    return np.array(
        [
            review_features(o.scored_sentences, o.paragraph_of, float(f), float(t))
            for o, f, t in zip(outputs, full, tail, strict=True)
        ]
    )


def cv_accuracy(x: np.ndarray, y: np.ndarray, model: Callable[[], object]) -> float:
    right = 0
    for a, b in StratifiedKFold(5, shuffle=True, random_state=0).split(x, y):
        m = model().fit(x[a], y[a])  # type: ignore[attr-defined]
        right += int((m.predict(x[b]) == y[b]).sum())
    return right / len(y)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("build/verdict"))
    ap.add_argument("--only", help="run only the candidates whose name contains this")
    args = ap.parse_args()
    root = args.data
    imdb = imdb_splits(root, 5000, 2500)
    files = ("mr/all.jsonl", "sst2/train.jsonl")
    sents = [detokenize(r["text"]) for f in files for r in read_jsonl(root / f)]
    sent_labels = [r["label"] for f in files for r in read_jsonl(root / f)]
    a_texts, a_labels = [r["text"] for r in imdb["A"]], [r["label"] for r in imdb["A"]]
    out_b = run_cached("imdb-B", [r["text"] for r in imdb["B"]], args.cache)
    yb = np.array([r["label"] for r in imdb["B"]])

    def lr() -> object:
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))

    candidates = {
        "1-2 grams, C=8, A + sentences (v1)": (
            a_texts + sents,
            a_labels + sent_labels,
            2,
            8.0,
            False,
        ),
        "1-2 grams, C=8, A only": (a_texts, a_labels, 2, 8.0, False),
        "1-3 grams, C=8, A + sentences": (a_texts + sents, a_labels + sent_labels, 3, 8.0, False),
        "1-2 grams NB-scaled, C=8, A + sentences": (
            a_texts + sents,
            a_labels + sent_labels,
            2,
            8.0,
            True,
        ),
        "1-3 grams NB-scaled, C=8, A + sentences": (
            a_texts + sents,
            a_labels + sent_labels,
            3,
            8.0,
            True,
        ),
        "1-3 grams, C=8, A only": (a_texts, a_labels, 3, 8.0, False),
        "1-2 grams NB-scaled, C=8, A only": (a_texts, a_labels, 2, 8.0, True),
        "1-3 grams NB-scaled, C=8, A only": (a_texts, a_labels, 3, 8.0, True),
        "1-2 grams, C=4, A only": (a_texts, a_labels, 2, 4.0, False),
        "1-2 grams, C=16, A only": (a_texts, a_labels, 2, 16.0, False),
    }
    print(f"{'n-gram model':44s} {'alone':>7s} {'verdict':>8s}  (5-fold CV on B, n={len(yb)})")
    for name, (texts, labels, n, c, nb) in candidates.items():
        if args.only and args.only not in name:
            continue
        start = time.perf_counter()
        logits = fit_logits(texts, labels, n, c, nb)
        x = verdict_features(out_b, logits)
        alone = float(((x[:, 7] > 0) == yb).mean())  # the n-gram's own call on B
        acc = cv_accuracy(x, yb, lr)
        print(
            f"{name:44s} {alone:7.4f} {acc:8.4f}  ({time.perf_counter() - start:.0f} s)", flush=True
        )


if __name__ == "__main__":
    main()
