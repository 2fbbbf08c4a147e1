"""Ingest the Rotten Tomatoes data and compare per-film % positive with the published Tomatometer.

    python bench/ingest_rt.py --data ../shared/datasets [--db sqlite:///build/rt.db]

Ingests ``rt_critics/*`` and ``rt_kaggle_sample`` (about 18k reviews) into a
fresh store, prints time and reviews/s, then for every film with a published
Tomatometer the mean absolute difference between critica's % positive (counted
and estimated) and it.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
from pathlib import Path

from critica.service import pages
from critica.service.ingest import ingest
from critica.store import open_store


def published(root: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    for lst in ("pixar", "dreamworks"):
        with open(root / "rt_critics" / lst / "movies.csv", encoding="utf-8") as fh:
            for m in csv.DictReader(fh):
                if m["critic_score"].strip():
                    out[f"{m['movieTitle']}|{m['movieYear']}"] = float(
                        m["critic_score"].rstrip("%")
                    )
    with open(root / "rt_kaggle_sample" / "movies.csv", encoding="utf-8") as fh:
        for m in csv.DictReader(fh):
            if m["tomatometer_rating"].strip():
                out[f"{m['movie_title']}|{m['original_release_date'][:4]}"] = float(
                    m["tomatometer_rating"]
                )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    db = args.db or f"sqlite:///{tempfile.mkdtemp()}/rt.db"
    store = open_store(db)
    paths = [
        args.data / "rt_critics" / "pixar",
        args.data / "rt_critics" / "dreamworks",
        args.data / "rt_kaggle_sample",
    ]
    summary = ingest(store, paths, batch_size=128)
    print(
        f"ingested {summary.added} reviews ({summary.duplicates} duplicates, "
        f"{len(summary.rejected)} rejected) in {summary.seconds:.0f} s: "
        f"{summary.seen / summary.seconds:.1f} reviews/s  [{db}]"
    )
    target = published(args.data)
    diffs: dict[str, list[float]] = {"percent_positive": [], "percent_positive_estimated": []}
    for t in store.list_titles(limit=10_000):
        key = f"{t.name}|{t.year or ''}"
        if key in target:
            page = pages.title_page(store, t.id)
            for figure, found in diffs.items():
                if page[figure] is not None:
                    found.append(abs(page[figure] - target[key]))
    for figure, found in diffs.items():
        print(
            f"films compared: {len(found)}; mean |{figure} - Tomatometer| = "
            f"{statistics.mean(found):.2f} points (median {statistics.median(found):.2f}, "
            f"max {max(found):.1f})"
        )


if __name__ == "__main__":
    main()
