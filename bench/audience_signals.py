"""The audience guards' text signals on real IMDb user reviews: how close fingerprints of
different reviews come, how close a copy with one word changed stays, and how many
analysed reviews the off-topic check flags.

    .venv/bin/python bench/audience_signals.py ../shared/datasets --pairs 4000 --analysed 3000

Prints the distance histogram (0-12 bits) over every pair of the first ``--pairs``
reviews, the share of one-word edits (a word mid-text replaced, 500 reviews) within
``NEAR_BITS``, and the off-topic reasons over ``--analysed`` random reviews run through
the whole pipeline (a sample is shown).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections import Counter
from pathlib import Path

import numpy as np

from critica.figures.audience import NEAR_BITS
from critica.signals import distance, fingerprint, off_topic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("datasets", type=Path)
    ap.add_argument("--pairs", type=int, default=4000)
    ap.add_argument("--analysed", type=int, default=3000)
    args = ap.parse_args()
    with gzip.open(args.datasets / "imdb" / "train.jsonl.gz", "rt") as lines:
        rows = [json.loads(line) for line in lines]
    texts = [r["text"] for r in rows[: args.pairs]]
    prints = np.array([fingerprint(t) or 0 for t in texts], dtype=np.int64).view(np.uint64)
    counts = np.zeros(65, dtype=np.int64)
    for i in range(len(prints)):
        counts += np.bincount(np.bitwise_count(prints[i] ^ prints[i + 1 :]), minlength=65)
    pairs = int(counts.sum())
    print(f"{pairs:,} pairs of the first {len(texts):,} reviews; pairs per distance 0-12 bits:")
    print("  " + ", ".join(f"{d}: {int(counts[d])}" for d in range(13)))
    edits = Counter()
    for t in texts[:500]:
        words = t.split()
        words[len(words) // 2] = "xyzzy"
        edits[distance(fingerprint(t) or 0, fingerprint(" ".join(words)) or 0)] += 1
    near = sum(n for d, n in edits.items() if d <= NEAR_BITS)
    print(f"one word changed mid-text: {near} of 500 within {NEAR_BITS} bits")
    if args.analysed:
        import critica

        sample = random.Random(7).sample(rows, args.analysed)
        reasons: Counter[str | None] = Counter()
        shown = []
        for a in critica.analyze_many([r["text"] for r in sample]):
            mentions = sum(len(s.aspects) for s in a.sentences)
            why = off_topic(a.text, mentions, len(a.credits))
            reasons[why] += 1
            if why and len(shown) < 5:
                shown.append(f"  {why}: {a.text[:120]!r}")
        print(f"off topic over {args.analysed:,} analysed reviews: {dict(reasons)}")
        print("\n".join(shown))


if __name__ == "__main__":
    main()
