"""The cost of `critica aggregate --calibrated` against the plain aggregate, same folder.

    .venv/bin/python bench/calibrated_aggregate.py --rows 500000 --parts 10

Writes a synthetic batch folder (the columns `critica aggregate` reads: 2,000
titles, 500 critics at 100 publications, a quarter of the reviews rated, the
rest with a text score and evidence) and a calibration fitted on a synthetic
rated history of those critics, then times the local aggregate without and
with the calibration, alternately, three times each, in this process.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from critica.batch import aggregate
from critica.batch.partition import SCHEMA
from critica.figures import calibration
from critica.store.records import RatedReview


def write_folder(folder: Path, rows: int, parts: int, rng: random.Random) -> None:
    per = rows // parts
    for k in range(parts):
        data = []
        for i in range(per):
            critic = rng.randrange(500)
            rated = rng.random() < 0.25
            text = rng.uniform(10, 95)
            rating = min(100.0, max(0.0, text + rng.gauss(0, 12))) if rated else None
            score = rating if rated else text
            data.append(
                {
                    "id": f"{k}-{i}",
                    "title": f"Title {rng.randrange(2000)}",
                    "kind": "film",
                    "critic": f"Critic {critic}",
                    "publication": f"Outlet {critic % 100}",
                    "top_critic": critic % 7 == 0,
                    "score": score,
                    "fresh": score >= 60,
                    "rating_score": rating,
                    "text_score": text,
                    "fresh_evidence": round((text - 55) / 12, 3),
                    "aspects": [],
                }
            )
        table = pa.Table.from_pylist(data, schema=SCHEMA)
        pq.write_table(table, folder / f"part-{k:05d}.parquet")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--parts", type=int, default=10)
    args = ap.parse_args()
    rng = random.Random(0)
    history = [
        RatedReview(
            t, f"Critic {c}", f"Outlet {c % 100}", min(100.0, 50 + (c % 9) + t % 30), 45.0 + t % 30
        )
        for c in range(500)
        for t in range(12)
    ]
    fitted = calibration.fit(history)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_folder(folder, args.rows, args.parts, rng)
        plain, calibrated = [], []
        for _ in range(3):
            start = time.perf_counter()
            aggregate(folder)
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            table = aggregate(folder, calibration=fitted)
            calibrated.append(time.perf_counter() - start)
    p, c = statistics.median(plain), statistics.median(calibrated)
    print(
        f"{args.rows:,} reviews in {args.parts} parts, {table.num_rows} titles: "
        f"plain aggregate {p:.2f} s ({args.rows / p:,.0f} reviews/s), calibrated {c:.2f} s "
        f"({args.rows / c:,.0f} reviews/s): {c / p:.2f}x the plain time (medians of 3)"
    )


if __name__ == "__main__":
    main()
