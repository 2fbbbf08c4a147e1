"""Fit the aspect model on the hand-labelled corpus and measure it on the held-out third.

    python -m training.train_aspects --data ../shared/datasets
    python -m training.train_aspects --data ../shared/datasets --cv   # choose the settings

Labels: ``training/aspects/labels.jsonl`` (ours; the sentences stay in the
datasets). Features: word TF-IDF (vocabulary from the training labels), cue-word
indicators and the shipped encoder's sentence embedding reduced to a few
principal components (``--components``). ``--cv`` prints the 5-fold
cross-validated micro-F1 of a small grid of settings on the training labels
only (the test third is never looked at); the defaults are the best of that
grid. Writes
``critica/models/files/<ASPECTS_MODEL>.json`` and prints per-aspect
precision/recall/F1 and the polarity accuracy on the test third.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

from critica.document import ReviewDoc, Sentence
from critica.errors import ModelError
from critica.models import ASPECTS_MODEL as NAME
from critica.models import FILES
from critica.models.aspect_head import AspectHead
from critica.models.aspects import ASPECTS, AspectModel, cue_features
from critica.models.encoder import shared_encoder
from critica.pipeline.aspects import Aspects, aspect_polarity
from critica.pipeline.sentiment import sentence_polarity
from training.data import file_sha256, read_jsonl
from training.evaluate_judgement import attach_texts

LABELS = Path(__file__).parent / "aspects" / "labels.jsonl"
MIN_OPINION = 0.3


def load(root: Path) -> list[dict]:
    return attach_texts(root, read_jsonl(LABELS))


def targets(rows: list[dict]) -> np.ndarray:
    y = np.zeros((len(rows), len(ASPECTS)), dtype=int)
    for i, r in enumerate(rows):
        for a in r["aspects"]:
            y[i, ASPECTS.index(a["name"])] = 1
    return y


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    cands = np.linspace(0.2, 0.8, 25)
    f1 = [2 * ((p >= t) & (y == 1)).sum() / max(1, (p >= t).sum() + y.sum()) for t in cands]
    return float(cands[int(np.argmax(f1))])


def prf(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    tp, fp, fn = int((pred & gold).sum()), int((pred & ~gold).sum()), int((~pred & gold).sum())
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / max(1e-9, p + r),
        "support": int(gold.sum()),
    }


class Fitted:
    """The per-aspect models fitted on some rows, and their scores for other rows."""

    def __init__(self, texts: list[str], emb: np.ndarray, y: np.ndarray, args: argparse.Namespace):
        self.args = args
        self.pca = PCA(args.components, random_state=0).fit(emb)
        dense = np.hstack([self.pca.transform(emb), cue_features(texts)])
        self.scaler = StandardScaler().fit(dense)
        self.vec = TfidfVectorizer(ngram_range=(1, args.ngram), sublinear_tf=True).fit(texts)
        x = self.features(texts, emb)
        self.models = [
            LogisticRegression(C=args.C, class_weight="balanced", max_iter=3000).fit(x, y[:, k])
            for k in range(len(ASPECTS))
        ]

    def features(self, texts: list[str], emb: np.ndarray) -> sp.csr_matrix:
        dense = self.scaler.transform(np.hstack([self.pca.transform(emb), cue_features(texts)]))
        words = self.args.tfidf_weight * self.vec.transform(texts)
        return sp.hstack([sp.csr_matrix(dense), words]).tocsr()

    def predict(self, texts: list[str], emb: np.ndarray) -> np.ndarray:
        x = self.features(texts, emb)
        return np.column_stack([m.predict_proba(x)[:, 1] for m in self.models])

    def manifest(self, n_embedding: int) -> dict[str, object]:
        """Fold PCA and scaler into weights over the raw ``[embedding, cues]`` vector."""
        n_pc = self.args.components
        coef, intercept = [], []
        for m in self.models:
            w = m.coef_[0][: self.scaler.n_features_in_] / self.scaler.scale_
            w_pc, w_cue = w[:n_pc], w[n_pc:]
            w_emb = self.pca.components_.T @ w_pc
            b = m.intercept_[0] - (w * self.scaler.mean_).sum() - w_emb @ self.pca.mean_
            coef.append(np.concatenate([w_emb, w_cue]).round(6).tolist())
            intercept.append(float(b))
        words = np.column_stack([m.coef_[0][self.scaler.n_features_in_ :] for m in self.models])
        words = words * self.args.tfidf_weight
        terms = [
            [t, round(float(self.vec.idf_[i]), 5), words[i].round(5).tolist()]
            for t, i in sorted(self.vec.vocabulary_.items())
        ]
        assert len(coef[0]) == n_embedding + 2 * len(ASPECTS)
        return {
            "coef": coef,
            "intercept": intercept,
            "tfidf": {"n_max": self.args.ngram, "terms": terms},
        }


def cross_validated(
    texts: list[str], emb: np.ndarray, y: np.ndarray, args: argparse.Namespace
) -> np.ndarray:
    """Out-of-fold probabilities over the given (training) rows, 5 folds."""
    p = np.zeros(y.shape)
    for a, b in KFold(5, shuffle=True, random_state=0).split(texts):
        fit = Fitted([texts[i] for i in a], emb[a], y[a], args)
        p[b] = fit.predict([texts[i] for i in b], emb[b])
    return p


def micro_thresholds(p: np.ndarray, y: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Per-aspect thresholds that maximise micro-F1 over all aspects together
    (coordinate ascent from each aspect's own best threshold), since the target
    is micro-F1, not each aspect's own F1."""
    th = np.array([best_threshold(p[:, k], y[:, k]) for k in range(y.shape[1])])
    grid, gold = np.linspace(0.05, 0.95, 91), y.astype(bool)
    for _ in range(rounds):
        for k in range(y.shape[1]):
            scores = []
            for t in grid:
                trial = th.copy()
                trial[k] = t
                scores.append(prf(p >= trial, gold)["f1"])
            th[k] = grid[int(np.argmax(scores))]
    return th


def micro_f1(p: np.ndarray, y: np.ndarray) -> float:
    return prf(p >= micro_thresholds(p, y), y.astype(bool))["f1"]


def disagree(row: dict) -> bool:
    """Whether a labelled sentence praises one aspect and faults another."""
    polarities = {a["polarity"] for a in row["aspects"]}
    return {"pos", "neg"} <= polarities


def docs_for(rows: list[dict], out: dict[str, np.ndarray], tokens: list[Any]) -> list[ReviewDoc]:
    """One single-sentence document per labelled quote, with the encoder's outputs set."""
    docs = []
    opinion = out["subj"][:, 1]
    polarity = sentence_polarity(out["pol"], out["fine"])
    for i, r in enumerate(rows):
        d = ReviewDoc(raw=r["text"], text=r["text"])
        d.sentences = [
            Sentence(
                r["text"], 0, len(r["text"]), polarity=float(polarity[i]), opinion=float(opinion[i])
            )
        ]
        d.embeddings = out["embedding"][i][None, :]
        d.token_scores = [tokens[i]] if tokens else None
        docs.append(d)
    return docs


def shipped_head() -> AspectHead | None:
    """The shipped aspect head; None before ``training.aspect_head`` has written one."""
    try:
        return AspectHead()
    except ModelError:
        return None


def polarity_on_gold(rows: list[dict], docs: list[ReviewDoc]) -> float:
    """Per-aspect polarity accuracy on every labelled pos/neg aspect (detection aside)."""
    right = total = 0
    head = shipped_head()
    for r, d in zip(rows, docs, strict=True):
        s = d.sentences[0]
        scores = d.token_scores[0] if d.token_scores else None
        for a in r["aspects"]:
            if a["polarity"] in ("pos", "neg"):
                value = aspect_polarity(a["name"], s.text, scores, s.polarity, head)
                total += 1
                right += (value > 0) == (a["polarity"] == "pos")
    return right / max(1, total)


def measure(rows: list[dict], out: dict[str, np.ndarray], tokens: list[Any]) -> dict[str, Any]:
    """The shipped aspect component itself, measured on the test third."""
    keep = [i for i, r in enumerate(rows) if r["split"] == "test"]
    test = [rows[i] for i in keep]
    docs = docs_for(test, {k: v[keep] for k, v in out.items()}, [tokens[i] for i in keep])
    Aspects(AspectModel(), shipped_head()).pipe(docs)
    pred = np.zeros((len(test), len(ASPECTS)), dtype=bool)
    tally = {"all": [0, 0], "disagree": [0, 0]}
    for i, (r, d) in enumerate(zip(test, docs, strict=True)):
        found = {m.name: m.polarity for m in d.sentences[0].aspects}
        for name in found:
            pred[i, ASPECTS.index(name)] = True
        for a in r["aspects"]:
            if a["name"] in found and a["polarity"] in ("pos", "neg"):
                ok = (found[a["name"]] > 0) == (a["polarity"] == "pos")
                for key in ("all", "disagree") if disagree(r) else ("all",):
                    tally[key][0] += ok
                    tally[key][1] += 1
    gold = targets(test).astype(bool)
    report: dict[str, Any] = {name: prf(pred[:, k], gold[:, k]) for k, name in enumerate(ASPECTS)}
    report["micro"] = prf(pred, gold)
    for key, label in (("all", "detected"), ("disagree", "detected_disagreeing")):
        right, total = tally[key]
        report[f"polarity_accuracy_on_{label}"] = {"accuracy": right / max(1, total), "n": total}
    report["polarity_accuracy_on_gold_aspects"] = polarity_on_gold(test, docs)
    report["test_sentences"] = len(test)
    report["test_sentences_disagreeing"] = sum(disagree(r) for r in test)
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--C", type=float, default=0.05)
    ap.add_argument("--tfidf-weight", type=float, default=20.0)
    ap.add_argument("--components", type=int, default=32)
    ap.add_argument("--ngram", type=int, default=1, help="longest word n-gram in the TF-IDF")
    ap.add_argument("--cv", action="store_true", help="print the CV grid on the training labels")
    ap.add_argument(
        "--measure-shipped",
        action="store_true",
        help="fit nothing: measure the shipped model on the current test third",
    )
    args = ap.parse_args()
    rows = load(args.data)
    enc = shared_encoder()
    texts = [r["text"] for r in rows]
    out, tokens = enc.run_with_tokens(texts)
    y = targets(rows)
    train = np.array([r["split"] == "train" for r in rows])
    tr_texts, tr_emb, tr_y = (
        [t for t, k in zip(texts, train, strict=True) if k],
        out["embedding"][train],
        y[train],
    )
    if args.cv:
        for c in (0.02, 0.05, 0.2):
            for w in (3.0, 10.0, 20.0):
                for n in (0, 16, 32) if (c, w) == (args.C, args.tfidf_weight) else (16,):
                    grid = argparse.Namespace(C=c, tfidf_weight=w, components=n or 1, ngram=1)
                    f1 = micro_f1(cross_validated(tr_texts, tr_emb, tr_y, grid), tr_y)
                    print(f"C={c} tfidf_weight={w} components={n or 1}: CV micro-F1 {f1:.3f}")
        return
    if args.measure_shipped:
        report = measure(rows, out, tokens)
        for k, v in report.items():
            print(f"{k:14s} {json.dumps(v)}")
        return
    oof = cross_validated(tr_texts, tr_emb, tr_y, args)
    thresholds = [float(t) for t in micro_thresholds(oof, tr_y)]
    fitted = Fitted(tr_texts, tr_emb, tr_y, args)
    AspectModel.write(
        FILES,
        NAME,
        {
            **fitted.manifest(out["embedding"].shape[1]),
            "threshold": thresholds,
            "min_opinion": MIN_OPINION,
            "settings": {
                "ngram": args.ngram,
                "C": args.C,
                "tfidf_weight": args.tfidf_weight,
                "components": args.components,
            },
            "files": {},
            "training_labels_sha256": file_sha256(LABELS),
        },
    )

    # The shipped runtime must reproduce the fitted models exactly.
    test_texts = [t for t, k in zip(texts, train, strict=True) if not k]
    runtime = AspectModel().probabilities(out["embedding"][~train], test_texts)
    assert np.allclose(runtime, fitted.predict(test_texts, out["embedding"][~train]), atol=1e-4)
    report = measure(rows, out, tokens)
    for k, v in report.items():
        print(f"{k:14s} {json.dumps(v)}")
    m = json.loads((FILES / f"{NAME}.json").read_text())
    m["dev_metrics"] = report
    (FILES / f"{NAME}.json").write_text(json.dumps(m) + "\n")


if __name__ == "__main__":
    main()
