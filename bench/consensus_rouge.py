"""Critics' consensus vs the published Rotten Tomatoes lines: ROUGE-1/2/L, against a baseline.

    python bench/consensus_rouge.py --data ../shared/datasets

For every film in ``rt_kaggle_sample/movies.csv`` with a published consensus,
analyses that film's critic reviews with critica, builds the title figures
and the generated consensus, and scores it with ``rouge-score`` (F-measure,
stemmed) beside the extractive centroid baseline over the same reviews.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections import defaultdict
from pathlib import Path

from rouge_score import rouge_scorer

import critica
from critica.aggregate import title_figures
from critica.consensus import centroid_baseline, consensus
from critica.store.records import ReviewFacts

BULK = ("entities", "credits", "title", "quote")


def facts_for(reviews: list[dict[str, str]]) -> tuple[list[ReviewFacts], list[tuple[int, str]]]:
    analyses = critica.analyze_many([r["review_content"] for r in reviews], disable=BULK)
    facts, sentences = [], []
    for i, (row, a) in enumerate(zip(reviews, analyses, strict=True)):
        aspects = [(m.name, m.polarity, s.text) for s in a.sentences for m in s.aspects]
        facts.append(
            ReviewFacts(
                review_id=i,
                title_id=0,
                score=a.score,
                fresh=a.fresh,
                top_critic=row["top_critic"] == "True",
                weight=1.0,
                publication=row["publisher_name"],
                critic=row["critic_name"],
                date=None,
                season=None,
                quote=a.quote.text if a.quote else None,
                aspects=aspects,
            )
        )
        sentences += [(i, s.text) for s in a.sentences if s.opinion >= 0.5]
    return facts, sentences


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    args = ap.parse_args()
    base = args.data / "rt_kaggle_sample"
    with open(base / "movies.csv", encoding="utf-8") as fh:
        films = {
            m["rotten_tomatoes_link"]: m
            for m in csv.DictReader(fh)
            if m["critics_consensus"].strip()
        }
    by_film: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open(base / "critic_reviews.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["rotten_tomatoes_link"] in films and r["review_content"].strip():
                by_film[r["rotten_tomatoes_link"]].append(r)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    scores: dict[str, dict[str, list[float]]] = {
        "critica": defaultdict(list),
        "centroid": defaultdict(list),
    }
    start = time.perf_counter()
    for link, reviews in by_film.items():
        film = films[link]
        facts, sentences = facts_for(reviews)
        figures = title_figures(facts, kind="film", title=film["movie_title"])
        ours = consensus(facts, figures, film["movie_title"])["text"]
        theirs = centroid_baseline(sentences)["text"] if sentences else ""
        for name, text in (("critica", ours), ("centroid", theirs)):
            result = scorer.score(film["critics_consensus"], text)
            for metric, value in result.items():
                scores[name][metric].append(value.fmeasure)
    print(
        f"films with a published consensus: {len(by_film)}, reviews: "
        f"{sum(map(len, by_film.values()))}, {time.perf_counter() - start:.0f} s"
    )
    print(f"{'method':10s} {'ROUGE-1':>8s} {'ROUGE-2':>8s} {'ROUGE-L':>8s}")
    for name, metrics in scores.items():
        print(
            f"{name:10s} "
            + " ".join(
                f"{statistics.mean(metrics[m]):8.3f}" for m in ("rouge1", "rouge2", "rougeL")
            )
        )


if __name__ == "__main__":
    main()
