"""Load and prepare the labelled datasets in ``../shared/datasets`` for training.

Everything here is deterministic: the same folder gives the same examples in
the same order, so a training run can be resumed and reproduced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from critica.evaluation.datasets import (  # noqa: F401  (re-exported for training scripts)
    detokenize,
    file_sha256,
    fold_of,
    iter_imdb,
    norm_key,
    read_jsonl,
)


@dataclass
class Example:
    text: str
    pol: int = -1  # 0 negative / 1 positive / -1 unknown
    fine: int = -1  # SST-5 class 0..4 / -1 unknown
    subj: int = -1  # 1 opinion / 0 plot-or-fact / -1 unknown
    # Labelled phrases inside the text: (start, end, SST-5 class) in characters.
    spans: tuple[tuple[int, int, int], ...] = ()
    # The teacher's raw logits (training.teacher_labels): pol, fine, subj in a row of 9,
    # and per span after the root pol, fine in rows of 7 (NaN where no token fell inside).
    soft: np.ndarray | None = None
    soft_spans: np.ndarray | None = None


@dataclass
class SentenceData:
    train: list[Example]
    sst2_dev: list[Example]
    sst5_dev: list[Example]
    subj_heldout: list[Example]
    sources: dict[str, str]  # dataset file -> sha256


def _overlaps(key: str, dev_keys: list[str]) -> bool:
    return any(k in key or key in k for k in dev_keys)


def load_sentence_data(
    root: Path, subj_fold: int = 0, folds: int = 5, phrases: bool = False
) -> SentenceData:
    """Multi-task sentence examples; dev text never leaks into training.

    MR lines contain SST sentences, so MR lines overlapping any SST dev
    sentence are dropped from training. Subjectivity keeps fold ``subj_fold``
    of ``folds`` out for evaluation (``subj_fold=-1`` trains on all of it).
    With ``phrases``, SST's phrase-level labels join in: GLUE's 67k training
    phrases as texts of their own, and every labelled node of the training
    trees as a span of its sentence (phrases equal to a dev sentence dropped).
    """
    files = {
        "sst2/train.jsonl",
        "sst2/dev.jsonl",
        "sst5/train.jsonl",
        "sst5/dev.jsonl",
        "mr/all.jsonl",
        "subj/train.jsonl",
    }
    rows = {name: read_jsonl(root / name) for name in files}
    sources = {name: file_sha256(root / name) for name in sorted(files)}
    sst2_dev = [Example(detokenize(r["text"]), pol=r["label"]) for r in rows["sst2/dev.jsonl"]]
    sst5_dev = [Example(detokenize(r["text"]), fine=r["label"]) for r in rows["sst5/dev.jsonl"]]
    dev_keys = sorted({norm_key(e.text) for e in sst2_dev + sst5_dev}, key=len)

    merged: dict[str, Example] = {}

    def add(text: str, **labels: int) -> None:
        text = detokenize(text)
        ex = merged.setdefault(norm_key(text), Example(text))
        for name, value in labels.items():
            setattr(ex, name, value)

    for r in rows["sst5/train.jsonl"]:
        lab = r["label"]
        add(r["text"], fine=lab, **({"pol": int(lab >= 3)} if lab != 2 else {}))
    for r in rows["sst2/train.jsonl"]:
        add(r["text"], pol=r["label"])
    if phrases:
        _add_phrases(root, add, merged, sources, set(dev_keys))
    for r in rows["mr/all.jsonl"]:
        key = norm_key(r["text"])
        if key not in merged and not _overlaps(key, dev_keys):
            add(r["text"], pol=r["label"])
    heldout = []
    for r in rows["subj/train.jsonl"]:
        ex = Example(detokenize(r["text"]), subj=r["label"])
        if subj_fold >= 0 and fold_of(ex.text, folds) == subj_fold:
            heldout.append(ex)
        else:
            add(r["text"], subj=r["label"])
    train = [merged[k] for k in sorted(merged)]
    return SentenceData(train, sst2_dev, sst5_dev, heldout, sources)


def _add_phrases(
    root: Path,
    add: Callable[..., None],
    merged: dict[str, Example],
    sources: dict[str, str],
    dev_keys: set[str],
) -> None:
    """GLUE's phrases as examples, tree nodes as spans of the training sentences."""
    from training.trees import read_trees

    glue, trees = root / "sst2/train_phrases.jsonl.gz", root / "sst5/train_trees.txt.gz"
    sources |= {"sst2/train_phrases.jsonl.gz": file_sha256(glue)}
    sources |= {"sst5/train_trees.txt.gz": file_sha256(trees)}
    fine_of: dict[str, int] = {}
    for tree in read_trees(trees):
        key = norm_key(tree.text)
        if key in dev_keys:
            continue
        add(
            tree.text, fine=tree.label, **({"pol": int(tree.label >= 3)} if tree.label != 2 else {})
        )
        merged[key].spans = tuple(tree.spans)
        for a, b, label in tree.spans:
            fine_of.setdefault(norm_key(tree.text[a:b]), label)
    for r in read_jsonl(glue):
        key = norm_key(detokenize(r["text"]))
        if not key or key in dev_keys:
            continue
        fine = fine_of.get(key)
        add(r["text"], pol=r["label"], **({"fine": fine} if fine is not None else {}))


def dev_accuracies(
    data: SentenceData, predict: Callable[[list[str], str], list[int]]
) -> dict[str, float]:
    """Accuracy of each head on its dev set; ``predict(texts, head)`` gives class indices."""

    def acc(examples: list[Example], head: str) -> float:
        preds = predict([e.text for e in examples], head)
        gold = [getattr(e, head) for e in examples]
        return sum(p == g for p, g in zip(preds, gold, strict=True)) / len(gold)

    return {
        "sst2_dev_acc": acc(data.sst2_dev, "pol"),
        "sst5_dev_acc": acc(data.sst5_dev, "fine"),
        "subj_heldout_acc": acc(data.subj_heldout, "subj"),
    }
