"""Judgement on hand-labelled critic quotes, through the public pipeline.

    python -m training.evaluate_judgement --data ../shared/datasets [--json]

Two measurements, both on labels in this repository (no text is stored here;
rows point into the shared datasets):

- **negation, contrast and hedges** (``training/negation/labels.jsonl``): the
  fresh/rotten call of ``critica.analyze`` on each quote whose stance turns
  on negation, contrast, concession or faint praise (label pos/neg), overall
  and per phenomenon;
- **per-aspect polarity** (``training/aspects/labels.jsonl``, test third):
  for every labelled pos/neg aspect that the pipeline also finds, whether
  its polarity has the right sign; on all such aspects and on quotes whose
  labelled aspects disagree (one praised, another faulted);
- **short texts**: SST-5 dev sentences of fewer than 12 words, the score's mean
  absolute error against the 5-way label read as 0/25/50/75/100, the fresh call
  on the non-neutral ones, and the mean confidence the calls claim.

Only the public API is used, so the same script measures an older checkout
(``PYTHONPATH=<old tree> python training/evaluate_judgement.py ...``).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import critica

HERE = Path(__file__).resolve().parent
NEGATION = HERE / "negation" / "labels.jsonl"
ASPECT_LABELS = HERE / "aspects" / "labels.jsonl"


def read_rows(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def attach_texts(root: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Set ``text`` on each labelled row from the dataset file and row it cites: the Rotten
    Tomatoes CSVs by record (``quote`` in the lists, ``review_content`` in the kaggle
    sample), JSONL files by line, detokenised. Uses only the dataset readers, which older
    checkouts have too (as ``critica.datasets`` before the regroup), so this script can
    measure them."""
    import csv

    try:
        from critica.evaluation.datasets import detokenize, read_jsonl
    except ImportError:  # a checkout from before the regroup into folders
        from critica.datasets import detokenize, read_jsonl  # type: ignore[no-redef]

    cache: dict[str, list[str]] = {}
    for r in rows:
        f = r["file"]
        if f not in cache:
            if f.endswith(".csv"):
                column = "review_content" if f.startswith("rt_kaggle") else "quote"
                with open(root / f, encoding="utf-8", newline="") as fh:
                    cache[f] = [x[column] or "" for x in csv.DictReader(fh)]
            else:
                cache[f] = [detokenize(x["text"]) for x in read_jsonl(root / f)]
        r["text"] = cache[f][r["row"]]
    return rows


def negation(root: Path) -> dict[str, Any]:
    """Fresh/rotten calls on the negation, contrast and hedge quotes."""
    rows = [
        r
        for r in attach_texts(root, read_rows(NEGATION))
        if r["label"] in ("pos", "neg") and r["turns_on"]
    ]
    analyses = critica.analyze_many([r["text"] for r in rows])
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r, a in zip(rows, analyses, strict=True):
        ok = a.fresh is not None and a.fresh == (r["label"] == "pos")
        for key in ["all", *r["turns_on"]]:
            per[key][0] += ok
            per[key][1] += 1
    return {k: {"accuracy": round(right / n, 4), "n": n} for k, (right, n) in per.items()}


def aspect_polarity(root: Path, split: str = "test") -> dict[str, Any]:
    """Sign accuracy of each found aspect's polarity against the labels."""
    rows = [r for r in attach_texts(root, read_rows(ASPECT_LABELS)) if r["split"] == split]
    analyses = critica.analyze_many([r["text"] for r in rows])
    tally = {"detected": [0, 0], "detected_disagreeing": [0, 0]}
    quotes_disagreeing = 0
    for r, a in zip(rows, analyses, strict=True):
        found: dict[str, list[float]] = defaultdict(list)
        for s in a.sentences:
            for m in s.aspects:
                found[m.name].append(m.polarity)
        polarities = {x["polarity"] for x in r["aspects"]}
        split_views = {"pos", "neg"} <= polarities
        quotes_disagreeing += split_views
        for gold in r["aspects"]:
            if gold["polarity"] not in ("pos", "neg") or gold["name"] not in found:
                continue
            value = sum(found[gold["name"]]) / len(found[gold["name"]])
            ok = (value > 0) == (gold["polarity"] == "pos")
            for key in ("detected", "detected_disagreeing") if split_views else ("detected",):
                tally[key][0] += ok
                tally[key][1] += 1
    report: dict[str, Any] = {
        k: {"accuracy": round(right / max(1, n), 4), "n": n} for k, (right, n) in tally.items()
    }
    report["quotes"] = len(rows)
    report["quotes_disagreeing"] = quotes_disagreeing
    return report


def short_texts(root: Path, below: int = 12) -> dict[str, Any]:
    """The score and the call on SST-5 dev sentences of fewer than ``below`` words."""
    rows = [
        r
        for r in attach_texts(root, [{"file": "sst5/dev.jsonl", "row": i, "label": label}
                                     for i, label in enumerate(sst5_labels(root))])
        if len(r["text"].split()) < below
    ]  # fmt: skip
    analyses = critica.analyze_many([r["text"] for r in rows])
    scored = [(r, a) for r, a in zip(rows, analyses, strict=True) if a.score is not None]
    errors = [abs(a.score - 25 * r["label"]) / 100 for r, a in scored]
    polar = [(r, a) for r, a in scored if r["label"] != 2]
    right = sum(a.fresh == (r["label"] > 2) for r, a in polar)
    return {
        "n": len(rows),
        "scored": len(scored),
        "score_mae": round(sum(errors) / max(1, len(errors)), 4),
        "fresh_accuracy": round(right / max(1, len(polar)), 4),
        "fresh_n": len(polar),
        "mean_confidence": round(
            sum(a.confidence or 0 for _, a in scored) / max(1, len(scored)), 4
        ),
        "score_100_or_0": sum(a.score in (0, 100) for _, a in scored),
    }


def sst5_labels(root: Path) -> list[int]:
    with open(root / "sst5" / "dev.jsonl", encoding="utf-8") as fh:
        return [int(json.loads(line)["label"]) for line in fh if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--split", default="test", help="aspect labels' split to measure")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    report = {
        "version": critica.analyze("A fine film.").model_version,
        "negation": negation(args.data),
        "aspect_polarity": aspect_polarity(args.data, args.split),
        "short_texts": short_texts(args.data),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"models: {report['version']}")
    for k, v in report["negation"].items():
        print(f"negation set {k:14s} {v['accuracy']:.1%} (n={v['n']})")
    for k, v in report["aspect_polarity"].items():
        if isinstance(v, dict):
            print(f"aspect polarity {k:22s} {v['accuracy']:.1%} (n={v['n']})")
    short = report["short_texts"]
    print(
        f"short texts (SST-5 dev, < 12 words, n={short['n']}): score MAE "
        f"{short['score_mae']:.3f}, fresh {short['fresh_accuracy']:.1%} (n={short['fresh_n']}), "
        f"mean confidence {short['mean_confidence']:.2f}, scores of 0 or 100: "
        f"{short['score_100_or_0']}"
    )


if __name__ == "__main__":
    main()
