"""Readers for the labelled review datasets' layouts (``../shared/datasets``).

Shared by training and ``critica eval``: the same folds, splits and text
clean-up everywhere, so a held-out slice in training is the held-out slice
measured by ``critica eval``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Row = dict[str, Any]

# SST and MR are distributed lower-cased and Penn-tokenised; real reviews are
# not. Undo the tokenisation so the encoder sees text shaped like its input.
_DETOK = [
    (re.compile(r" n't\b"), "n't"),
    (re.compile(r" '(s|re|ve|ll|d|m)\b"), r"'\1"),
    (re.compile(r"-lrb-\s*"), "("),
    (re.compile(r"\s*-rrb-"), ")"),
    (re.compile(r"``\s*|\s*''"), '"'),
    (re.compile(r" ([.,;:!?%)])"), r"\1"),
    (re.compile(r"([($]) "), r"\1"),
    (re.compile(r"\s+"), " "),
]


def detokenize(text: str) -> str:
    """Turn Penn-tokenised text ("it 's ca n't") back into ordinary prose."""
    for pattern, repl in _DETOK:
        text = pattern.sub(repl, text)
    return text.strip()


def norm_key(text: str) -> str:
    """A key for overlap tests: letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def read_jsonl(path: Path) -> list[Row]:
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fold_of(text: str, folds: int) -> int:
    """Stable fold assignment from the text itself (independent of row order)."""
    return int(hashlib.md5(norm_key(text).encode()).hexdigest(), 16) % folds


def iter_imdb(root: Path) -> Iterator[Row]:
    """IMDb training reviews with ``<br />`` turned into paragraph breaks."""
    for row in read_jsonl(root / "imdb/train.jsonl.gz"):
        row["text"] = row["text"].replace("<br /><br />", "\n\n").replace("<br />", "\n")
        yield row


def imdb_splits(root: Path, n_b: int = 5000, n_c: int = 2500) -> dict[str, list[Row]]:
    """IMDb train, de-duplicated, split by a stable hash of the review id.

    ``A``: the n-gram model's training reviews; ``B``: the verdict models';
    ``C``: held out (never trained on), the IMDb figure.
    """
    seen, unique = set(), []
    for r in iter_imdb(root):  # IMDb train holds ~100 exact duplicates
        if r["text"] not in seen:
            seen.add(r["text"])
            unique.append(r)
    unique.sort(key=lambda r: fold_of(r["id"], 1 << 30))
    return {"C": unique[:n_c], "B": unique[n_c : n_c + n_b], "A": unique[n_c + n_b :]}


SCALE_CRITICS = ("james_berardinelli", "scott_renshaw", "steve_rhodes")


def scale_prose(text: str) -> str:
    """The scale data's lower-cased tokens as prose, sentence-initial capitals restored."""
    text = detokenize(text)
    return re.sub(r"(^|[.!?] )([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def scale_texts(root: Path) -> dict[str, list[Row]]:
    """Scale data per critic, text turned into prose so the sentence splitter sees sentences."""
    out = {}
    for critic in SCALE_CRITICS:
        rows = read_jsonl(root / "scaledata" / f"{critic}.jsonl")
        for r in rows:
            r["text"] = scale_prose(r["text"])
        out[critic] = rows
    return out


def read_rt_quotes(path: Path) -> list[Row]:
    """Rows of a Rotten Tomatoes ``critic_reviews.csv`` that have a pull quote."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if (r.get("quote") or "").strip()]


def rt_quotes(root: Path) -> dict[str, list[Row]]:
    """The pull quotes of both Rotten Tomatoes lists."""
    return {
        lst: read_rt_quotes(root / "rt_critics" / lst / "critic_reviews.csv")
        for lst in ("pixar", "dreamworks")
    }
