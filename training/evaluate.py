"""Measure the shipped analyzer end to end on dev data it was not trained on.

    python -m training.evaluate --data ../shared/datasets

Runs ``critica.analyze_many`` (the real pipeline, shipped model files) over:
SST-2 dev and the held-out subjectivity fold (one sentence = one review),
the held-out IMDb slice (C of train_verdict's split), and the Rotten Tomatoes
lists (pull quote -> fresh/rotten, and per-film % fresh against the published
Tomatometer). The scale figure (leave-one-critic-out) comes from training,
where the held-out critic's reviews are kept out of the fit; it is printed from
the verdict manifest.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import critica
import critica.errors
from critica.datasets import imdb_splits
from critica.models import VERDICT_MODEL
from critica.models.manifest import load_manifest
from training.data import load_sentence_data

BULK = ("entities", "credits", "title", "quote")


def run(texts: list[Any]) -> tuple[list[critica.Analysis], float]:
    start = time.perf_counter()
    out = list(critica.analyze_many(texts, disable=BULK))
    return out, len(texts) / (time.perf_counter() - start)


def accuracy(pred: list[bool | None], gold: list[bool]) -> float:
    return sum(p == g for p, g in zip(pred, gold, strict=True)) / len(gold)


def film_differences(
    rows: list[dict[str, str]], calls: list[bool | None], published: dict[str, float]
) -> list[float]:
    """Per film: |% fresh as critica counts it - the published Tomatometer|.

    Counted as the aggregator counts a title's % positive: unscored reviews
    (not English, too short) are left out, not counted as rotten.
    """
    per_film: dict[str, list[bool]] = defaultdict(list)
    for r, fresh in zip(rows, calls, strict=True):
        if fresh is not None:
            per_film[r["movieId"]].append(fresh)
    return [
        abs(100 * sum(v) / len(v) - published[m]) for m, v in per_film.items() if m in published
    ]


def printed_rating(raw: str) -> str | None:
    """The review's printed rating ("3/4", "B+") when critica can read it."""
    try:
        critica.parse_rating(raw)
    except critica.errors.RatingError:
        return None
    return raw


def rt_lists(root: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    every: dict[str, list[float]] = defaultdict(list)
    for lst in ("pixar", "dreamworks"):
        base = root / "rt_critics" / lst
        with open(base / "critic_reviews.csv", encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r["quote"].strip()]
        with open(base / "movies.csv", encoding="utf-8") as fh:
            published = {
                m["movieId"]: float(m["critic_score"].rstrip("%"))
                for m in csv.DictReader(fh)
                if m["critic_score"].strip()
            }
        out, rate = run([r["quote"] for r in rows])
        gold = [r["reviewState"] == "fresh" for r in rows]
        figures[f"rt_{lst}_quote_accuracy"] = accuracy([a.fresh for a in out], gold)
        diffs = film_differences(rows, [a.fresh for a in out], published)
        every["quotes"] += diffs
        figures[f"rt_{lst}_tomatometer_mae"] = sum(diffs) / len(diffs)
        figures[f"rt_{lst}_films"] = len(diffs)
        figures[f"rt_{lst}_reviews_per_s"] = rate
        # As `critica ingest` reads the list: the printed rating where there is one
        # critica can read (it decides fresh at the fresh threshold), else the quote.
        items = [{"text": r["quote"], "rating": printed_rating(r["originalScore"])} for r in rows]
        with_ratings, _ = run(items)
        figures[f"rt_{lst}_rated_share"] = sum(1 for i in items if i["rating"]) / len(items)
        diffs = film_differences(rows, [a.fresh for a in with_ratings], published)
        every["ratings"] += diffs
        figures[f"rt_{lst}_tomatometer_mae_with_printed_ratings"] = sum(diffs) / len(diffs)
    figures["rt_tomatometer_mae_all_films"] = sum(every["quotes"]) / len(every["quotes"])
    figures["rt_tomatometer_mae_all_films_with_printed_ratings"] = sum(every["ratings"]) / len(
        every["ratings"]
    )
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    args = ap.parse_args()
    root, figures = args.data, {}
    data = load_sentence_data(root)
    out, _ = run([e.text for e in data.sst2_dev])
    figures["sst2_dev_accuracy"] = accuracy(
        [a.fresh for a in out], [e.pol == 1 for e in data.sst2_dev]
    )
    out, _ = run([e.text for e in data.subj_heldout])
    figures["subj_heldout_accuracy"] = accuracy(
        [a.sentences[0].opinion >= 0.5 if a.sentences else None for a in out],
        [e.subj == 1 for e in data.subj_heldout],
    )
    held = imdb_splits(root, 5000, 2500)["C"]
    out, rate = run([r["text"] for r in held])
    figures["imdb_heldout_accuracy"] = accuracy(
        [a.fresh for a in out], [r["label"] == 1 for r in held]
    )
    figures["imdb_reviews_per_s"] = rate
    figures |= rt_lists(root)
    scale = load_manifest(VERDICT_MODEL)["dev_metrics"]["scale_leave_one_critic_out"]
    figures["scale_loco_mae"] = scale["mean_mae"]
    for key, value in figures.items():
        print(f"{key:34s} {value:.4f}" if isinstance(value, float) else f"{key:34s} {value}")
    Path("build").mkdir(exist_ok=True)
    Path("build/evaluate.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
