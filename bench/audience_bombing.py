"""Review bombing against the audience guards, on real titles' IMDb user reviews.

    .venv/bin/python bench/audience_bombing.py ../shared/datasets --titles 12

For each of the titles with the most positive reviews (at least 25 reviews), a fresh
SQLite store gets the title's real reviews as audience reviews (rating out of 10), then
a synthetic bombing run of 1/10 and 2/10 ratings with short, varied texts. Prints, per
scenario, how far the run moves the audience's % positive and mean score with the guards
on (the default) and off. Scenarios:

- ``burst``: 240 ratings over 3 days; the real reviews undated (stored today);
- ``burst-dated``: the same run; the real reviews dated evenly over the two years before;
- ``slow``: 10 a day for 24 days; the real reviews dated over two years;
- ``trickle``: 5 a day for 48 days; the real reviews dated over two years (under
  ``BURST_MIN`` a day: caught by the week);
- ``copies``: 60 copies of 4 long texts, undated, the same day as the real reviews.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from critica import config
from critica.inputs.readers import ReadOptions
from critica.service.ingest import ingest
from critica.service.pages import title_page
from critica.store import SQLStore

SHORT = [
    "Worst movie ever made. Total garbage.",
    "Woke propaganda, avoid at all costs!!!",
    "Boring. Terrible. One star is too many.",
    "Don't waste your money on this trash.",
    "Zero stars if I could. Awful.",
    "Absolute rubbish from start to finish.",
]
LONG = [
    "This is without any doubt the most overrated film of the decade and everyone who gave it "
    "ten stars must have been paid by the studio, do not believe the hype at all.",
    "I walked out after forty minutes because nothing happens, the actors look bored and the "
    "story is a lecture, save your money and watch something else instead tonight.",
    "A pretentious, empty and insulting film that treats its audience like idiots, the "
    "critics who praise it should be ashamed of themselves for lying to everyone.",
    "Two hours of my life I will never get back, the script is a mess, the jokes fall flat "
    "and the ending is the worst I have seen in any movie in many years.",
]


def runs(today: date) -> dict[str, tuple[bool, list[tuple[date | None, str]]]]:
    """Scenario: (date the real reviews?, [(day, text)] of the run)."""
    short = [SHORT[i % len(SHORT)] + f" #{i}" for i in range(240)]
    start = today - timedelta(days=60)
    return {
        "burst": (False, [(start + timedelta(days=i // 80), t) for i, t in enumerate(short)]),
        "burst-dated": (True, [(start + timedelta(days=i // 80), t) for i, t in enumerate(short)]),
        "slow": (True, [(start + timedelta(days=i // 10), t) for i, t in enumerate(short)]),
        "trickle": (True, [(start + timedelta(days=i // 5), t) for i, t in enumerate(short)]),
        "copies": (False, [(None, LONG[i % len(LONG)]) for i in range(60)]),
    }


def audience(store: SQLStore, title_id: int, guarded: bool) -> dict:
    os.environ["CRITICA_AUDIENCE_GUARDS"] = "true" if guarded else "false"
    config.settings.cache_clear()
    return title_page(store, title_id)["audience"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("datasets", type=Path)
    ap.add_argument("--titles", type=int, default=12)
    args = ap.parse_args()
    with gzip.open(args.datasets / "imdb" / "train.jsonl.gz", "rt") as lines:
        rows = [json.loads(line) for line in lines]
    counts = Counter(r["title_id"] for r in rows)
    positive = Counter(r["title_id"] for r in rows if r["label"] == 1)
    chosen = sorted((t for t, n in counts.items() if n >= 25), key=lambda t: (-positive[t], t))
    chosen = chosen[: args.titles]
    options = ReadOptions(defaults={"reviewer": "audience"}, rating_scale=10)
    today = date.today()
    moves: dict[str, dict[bool, list[tuple[float, float]]]] = {}
    false_flags = real_seen = 0  # real reviews flagged before any run
    start = time.perf_counter()
    for tt in chosen:
        real = [r for r in rows if r["title_id"] == tt]
        for name, (dated, run) in runs(today).items():
            with tempfile.TemporaryDirectory() as folder:
                store = SQLStore(f"sqlite:///{folder}/b.db")
                path = Path(folder) / "real.jsonl"
                span = 730 / len(real)
                path.write_text(
                    "".join(
                        json.dumps(
                            {**r, "date": (today - timedelta(days=90 + int(i * span))).isoformat()}
                            if dated
                            else r
                        )
                        + "\n"
                        for i, r in enumerate(real)
                    )
                )
                ingest(store, [path], options)
                title = store.get_title_by_external_id(tt)
                assert title is not None
                before = audience(store, title.id, True)
                false_flags += before["flagged"]["reviews"]
                real_seen += len(real)
                bombs = [
                    {"title_id": tt, "critic": f"user{i}", "rating": "1" if i % 4 else "2",
                     "text": text, **({"date": day.isoformat()} if day else {})}
                    for i, (day, text) in enumerate(run)
                ]  # fmt: skip
                path.write_text("".join(json.dumps(b) + "\n" for b in bombs))
                ingest(store, [path], options)
                for guarded in (True, False):
                    after = audience(store, title.id, guarded)
                    move = (
                        after["percent_positive"] - before["percent_positive"],
                        after["score_mean"] - before["score_mean"],
                    )
                    moves.setdefault(name, {}).setdefault(guarded, []).append(move)
                store.close()
        print(f"  {tt}: {len(real)} real reviews done", flush=True)
    print(f"{len(chosen)} titles, {time.perf_counter() - start:.0f} s")
    print(f"real reviews flagged before a run: {false_flags} of {real_seen}")
    print("scenario      guards  % positive moved (mean / worst)   mean score moved (mean / worst)")
    for name, by in moves.items():
        for guarded in (True, False):
            pct = [abs(m[0]) for m in by[guarded]]
            mean = [abs(m[1]) for m in by[guarded]]
            print(
                f"{name:13s} {'on ' if guarded else 'off'}     "
                f"{statistics.mean(pct):5.1f} / {max(pct):5.1f} points"
                f"                {statistics.mean(mean):5.1f} / {max(mean):5.1f} points"
            )


if __name__ == "__main__":
    main()
