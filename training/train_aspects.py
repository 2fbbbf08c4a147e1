"""Fit the aspect model on the hand-labelled corpus and measure it on the held-out third.

    python -m training.train_aspects --data ../shared/datasets

Labels: ``training/aspects/labels.jsonl`` (ours; the sentences stay in the
datasets). Features: the shipped encoder's sentence embedding plus cue-word
indicators. Writes ``critica/models/files/aspects-v1.json`` and prints
per-aspect precision/recall/F1 and the polarity accuracy on the test third.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.preprocessing import StandardScaler

from critica.document import ReviewDoc, Sentence
from critica.models import FILES
from critica.models.aspects import ASPECTS, AspectModel, cue_features
from critica.models.encoder import shared_encoder
from critica.pipeline.aspects import Aspects
from critica.pipeline.sentiment import sentence_polarity
from training.data import detokenize, file_sha256, read_jsonl

LABELS = Path(__file__).parent / "aspects" / "labels.jsonl"
MIN_OPINION = 0.3


def load(root: Path) -> list[dict]:
    texts: dict[str, list[str]] = {}
    rows = read_jsonl(LABELS)
    for r in rows:
        f = r["file"]
        if f not in texts:
            if f.endswith(".csv"):
                with open(root / f, encoding="utf-8") as fh:
                    texts[f] = [x["review_content"] for x in csv.DictReader(fh)]
            else:
                texts[f] = [detokenize(x["text"]) for x in read_jsonl(root / f)]
        r["text"] = texts[f][r["row"]]
    return rows


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--C", type=float, default=0.02)
    args = ap.parse_args()
    rows = load(args.data)
    enc = shared_encoder()
    out = enc.run([r["text"] for r in rows])
    x = np.hstack([out["embedding"], cue_features([r["text"] for r in rows])])
    y = targets(rows)
    opinion = out["subj"][:, 1]
    train = np.array([r["split"] == "train" for r in rows])
    scaler = StandardScaler().fit(x[train])
    xs = scaler.transform(x)
    coef, intercept, thresholds = [], [], []
    for k in range(len(ASPECTS)):
        lr = LogisticRegression(C=args.C, class_weight="balanced", max_iter=2000)
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        p = cross_val_predict(lr, xs[train], y[train, k], cv=folds, method="predict_proba")[:, 1]
        thresholds.append(best_threshold(p, y[train, k]))
        lr.fit(xs[train], y[train, k])
        # Fold the scaler into the weights so run time needs no scaler.
        w = lr.coef_[0] / scaler.scale_
        coef.append(w.tolist())
        intercept.append(float(lr.intercept_[0] - (w * scaler.mean_).sum()))
    AspectModel.write(
        FILES,
        "aspects-v1",
        {
            "coef": coef,
            "intercept": intercept,
            "threshold": thresholds,
            "min_opinion": MIN_OPINION,
            "files": {},
            "training_labels_sha256": file_sha256(LABELS),
        },
    )

    # Measure the shipped component itself on the test third.
    test = [r for r, t in zip(rows, train, strict=True) if not t]
    comp = Aspects(AspectModel(), enc)
    docs = []
    for r, e, o, pol in zip(
        rows, out["embedding"], opinion, sentence_polarity(out["pol"], out["fine"]), strict=True
    ):
        if r["split"] == "test":
            d = ReviewDoc(raw=r["text"], text=r["text"])
            d.sentences = [
                Sentence(r["text"], 0, len(r["text"]), polarity=float(pol), opinion=float(o))
            ]
            d.embeddings = e[None, :]
            docs.append(d)
    comp.pipe(docs)
    pred = np.zeros((len(test), len(ASPECTS)), dtype=bool)
    right = total = 0
    for i, (r, d) in enumerate(zip(test, docs, strict=True)):
        found = {m.name: m.polarity for m in d.sentences[0].aspects}
        for name in found:
            pred[i, ASPECTS.index(name)] = True
        for a in r["aspects"]:
            if a["name"] in found and a["polarity"] in ("pos", "neg"):
                total += 1
                right += (found[a["name"]] > 0) == (a["polarity"] == "pos")
    gold = targets(test).astype(bool)
    report = {name: prf(pred[:, k], gold[:, k]) for k, name in enumerate(ASPECTS)}
    report["micro"] = prf(pred, gold)
    report["polarity_accuracy_on_detected"] = {"accuracy": right / max(1, total), "n": total}
    report["test_sentences"] = len(test)
    for k, v in report.items():
        print(f"{k:14s} {json.dumps(v)}")
    m = json.loads((FILES / "aspects-v1.json").read_text())
    m["dev_metrics"] = report
    (FILES / "aspects-v1.json").write_text(json.dumps(m) + "\n")


if __name__ == "__main__":
    main()
