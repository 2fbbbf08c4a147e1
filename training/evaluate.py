"""Measure the shipped analyzer end to end on dev data it was not trained on.

    python -m training.evaluate --data ../shared/datasets

Runs ``critica.analyze_many`` (the real pipeline, shipped model files) over:
SST-2 dev and the held-out subjectivity fold (one sentence = one review),
the held-out IMDb slice (C of train_verdict's split), and the Rotten Tomatoes
lists (pull quote -> fresh/rotten, and per-film % fresh against the published
Tomatometer, both as counted and as estimated by the title figures). The scale
figure (leave-one-critic-out) comes from training, where the held-out critic's
reviews are kept out of the fit; it is printed from the verdict manifest.
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
from critica import config
from critica.evaluation.datasets import imdb_splits
from critica.figures.aggregate import core_figures
from critica.models import VERDICT_MODEL
from critica.models.manifest import load_manifest
from critica.store.records import ReviewFacts
from training.data import load_sentence_data

BULK = ("entities", "credits", "title", "quote")


def run(texts: list[Any]) -> tuple[list[critica.Analysis], float]:
    start = time.perf_counter()
    out = list(critica.analyze_many(texts, disable=BULK))
    return out, len(texts) / (time.perf_counter() - start)


def accuracy(pred: list[bool | None], gold: list[bool]) -> float:
    return sum(p == g for p, g in zip(pred, gold, strict=True)) / len(gold)


def film_differences(
    rows: list[dict[str, str]], analyses: list[critica.Analysis], published: dict[str, float]
) -> dict[str, list[float]]:
    """Per film: |% fresh as critica's title figures give it - the published Tomatometer|.

    Through the aggregator itself (``critica.figures.aggregate.core_figures``, as a title
    page computes them): ``counted`` is % positive (the reviews' fresh calls;
    unscored reviews left out), ``estimated`` the estimated share of fresh reviews.
    """
    per_film: dict[str, list[ReviewFacts]] = defaultdict(list)
    for i, (r, a) in enumerate(zip(rows, analyses, strict=True)):
        per_film[r["movieId"]].append(
            ReviewFacts(
                review_id=i,
                title_id=0,
                score=a.score,
                fresh=a.fresh,
                top_critic=False,
                weight=1.0,
                publication=None,
                critic=None,
                date=None,
                season=None,
                quote=None,
                aspects=[],
                rating_score=a.rating.normalized if a.rating else None,
                fresh_evidence=a.fresh_evidence,
            )
        )
    threshold = float(config.get("fresh_threshold"))
    out: dict[str, list[float]] = {"counted": [], "estimated": []}
    for film, facts in per_film.items():
        if film in published:
            figures = core_figures(facts, 1, threshold)
            out["counted"].append(abs(figures["percent_positive"] - published[film]))
            out["estimated"].append(abs(figures["percent_positive_estimated"] - published[film]))
    return out


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
        films = film_differences(rows, out, published)
        for way, diffs in films.items():
            every[way] += diffs
            figures[f"rt_{lst}_tomatometer_mae_{way}"] = sum(diffs) / len(diffs)
        figures[f"rt_{lst}_films"] = len(films["counted"])
        figures[f"rt_{lst}_reviews_per_s"] = rate
        # As `critica ingest` reads the list: the printed rating where there is one
        # critica can read (it decides fresh at the fresh threshold), else the quote.
        items = [{"text": r["quote"], "rating": printed_rating(r["originalScore"])} for r in rows]
        with_ratings, _ = run(items)
        figures[f"rt_{lst}_rated_share"] = sum(1 for i in items if i["rating"]) / len(items)
        films = film_differences(rows, with_ratings, published)
        for way, diffs in films.items():
            every[f"{way}_with_printed_ratings"] += diffs
            figures[f"rt_{lst}_tomatometer_mae_{way}_with_printed_ratings"] = sum(diffs) / len(
                diffs
            )
    for way, diffs in every.items():
        figures[f"rt_tomatometer_mae_all_films_{way}"] = sum(diffs) / len(diffs)
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument(
        "--rt-only", action="store_true", help="only the Rotten Tomatoes lists (about a minute)"
    )
    args = ap.parse_args()
    root, figures = args.data, {}
    if args.rt_only:
        for key, value in rt_lists(root).items():
            print(f"{key:58s} {value:.4f}" if isinstance(value, float) else f"{key:58s} {value}")
        return
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
        print(f"{key:58s} {value:.4f}" if isinstance(value, float) else f"{key:58s} {value}")
    Path("build").mkdir(exist_ok=True)
    Path("build/evaluate.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
