"""Crash safety: kill -9 `critica ingest` and `critica batch` at random moments, re-run, and
check that every review is stored (or written) exactly once and the store is intact.

    .venv/bin/python bench/crash.py --rounds 10 --reviews 1500 --batch-reviews 6000
    .venv/bin/python bench/crash.py --rounds 10 --db 'postgresql://postgres@127.0.0.1/test?options=-csearch_path%3Dcrash'

(the PostgreSQL schema must exist and be empty: the check counts every stored review).

The tests (tests/store/test_crash.py, tests/batch/test_crash.py) run the same functions in a
short form: a few rounds over a few hundred reviews.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OPENINGS = ["A tender", "A tedious", "A sharp", "A muddled", "A gorgeous", "A lazy", "A bold"]
SUBJECTS = ["drama", "comedy", "thriller", "series", "documentary", "western", "musical"]
CLOSINGS = [
    "with a superb cast.",
    "that drags on forever.",
    "whose ending lands beautifully.",
    "with a script full of holes.",
    "that I would happily watch again.",
    "and the jokes fall flat.",
]


def make_reviews(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` distinct short reviews over a handful of titles, critics and publications."""
    rng = random.Random(seed)
    return [
        {
            "id": f"r{i}",
            "title": f"Crash Test {i % 7}",
            "critic": f"Critic {i % 13}",
            "publication": f"Paper {i % 5}",
            "text": f"{rng.choice(OPENINGS)} {rng.choice(SUBJECTS)} (number {i}) "
            f"{rng.choice(CLOSINGS)} {rng.choice(CLOSINGS).capitalize()}",
        }
        for i in range(n)
    ]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def checksum(texts: list[str]) -> str:
    """Order-free digest of a multiset of texts."""
    return hashlib.sha256("\n".join(sorted(texts)).encode()).hexdigest()[:16]


@dataclass
class Rounds:
    killed: int = 0  # rounds the kill landed while the command was still running
    finished_early: int = 0  # rounds where the command ended before the kill
    delays: list[float] = field(default_factory=list)


def kill_at_random(cmd: list[str], rounds: int, rng: random.Random, span: tuple[float, float]):  # type: ignore[no-untyped-def]
    """Start ``cmd`` ``rounds`` times, each time SIGKILLing its whole process group at a random
    moment within ``span`` seconds (workers included, as a power cut or the OOM killer would)."""
    result = Rounds()
    for _ in range(rounds):
        delay = rng.uniform(*span)
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            proc.wait(timeout=delay)
            result.finished_early += 1
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            result.killed += 1
        result.delays.append(round(delay, 2))
    return result


def critica(*args: str) -> list[str]:
    return [sys.executable, "-m", "critica", *args]


def crash_ingest(
    work: Path, db: str, n: int, rounds: int, seed: int = 7, span: tuple[float, float] = (1, 8)
) -> dict[str, Any]:
    """Kill `critica ingest` ``rounds`` times, finish it, then check count, checksum, integrity."""
    from critica.store import open_store

    rows = make_reviews(n, seed)
    path = write_jsonl(work / "reviews.jsonl", rows)
    cmd = critica("ingest", str(path), "--db", db)
    rng = random.Random(seed)
    done = kill_at_random(cmd, rounds, rng, span)
    subprocess.run(cmd, check=True, capture_output=True)
    store = open_store(db)
    try:
        texts = [r.text for t in store.find_titles("Crash Test") for r in _reviews(store, t.id)]
        return {
            "rounds": rounds,
            "killed": done.killed,
            "finished_early": done.finished_early,
            "stored": store.count_reviews(),
            "expected": n,
            "checksum_ok": checksum(texts) == checksum([r["text"] for r in rows]),
            "integrity": store.integrity_check(),
        }
    finally:
        store.close()


def _reviews(store: Any, title_id: int) -> list[Any]:
    out: list[Any] = []
    while True:
        page, total = store.reviews_for_title(title_id, limit=500, offset=len(out))
        out += page
        if not page or len(out) >= total:
            return out


def crash_batch(
    work: Path, n: int, rounds: int, seed: int = 7, span: tuple[float, float] = (1, 8)
) -> dict[str, Any]:
    """Kill `critica batch --resume` ``rounds`` times, finish it, then check every id once."""
    import pyarrow.parquet as pq

    rows = make_reviews(n, seed)
    path = write_jsonl(work / "batch.jsonl", rows)
    out = work / "analyses"
    cmd = critica("batch", str(path), "--out", str(out), "--resume", "--partition-size", "25")
    done = kill_at_random(cmd, rounds, random.Random(seed), span)
    subprocess.run(cmd, check=True, capture_output=True)
    ids = [
        i for p in sorted(out.glob("part-*.parquet")) for i in pq.read_table(p)["id"].to_pylist()
    ]
    manifest = json.loads((out / "_critica_batch.json").read_text())
    return {
        "rounds": rounds,
        "killed": done.killed,
        "finished_early": done.finished_early,
        "written": len(ids),
        "distinct": len(set(ids)),
        "expected": n,
        "ids_ok": sorted(ids) == sorted(r["id"] for r in rows),
        "leftover_tmp": len(list(out.glob("*.tmp"))),
        "complete": manifest.get("complete"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--reviews", type=int, default=1500, help="reviews for the ingest rounds")
    ap.add_argument(
        "--batch-reviews", type=int, default=6000, help="reviews for the batch rounds (faster)"
    )
    ap.add_argument("--db", default=None, help="store URL (default: a fresh SQLite file)")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        db = args.db or f"sqlite:///{work / 'crash.db'}"
        print("seed", args.seed)
        print("ingest:", json.dumps(crash_ingest(work, db, args.reviews, args.rounds, args.seed)))
        batch = crash_batch(work, args.batch_reviews, args.rounds, args.seed)
        print("batch: ", json.dumps(batch))


if __name__ == "__main__":
    main()
