"""Catalog import at scale: synthetic IMDb dataset files in the real format, imported into a
fresh store, with the time, the rows per second and the peak memory.

    .venv/bin/python bench/catalog_import.py --titles 1000000 [--db URL]

Writes title.basics (``--titles`` rows: films, series and their episodes), title.ratings
(half the titles), title.episode, title.principals (5 a film or series) and name.basics
(one person per 2 principals) under a temporary folder, then runs `critica catalog import`'s
function over all five in a child process and reports its peak RSS. Run it at two sizes:
a flat peak shows the memory is bounded by the batch, not the files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N = "\\N"
GENRES = ["Drama", "Comedy", "Crime", "Thriller", "Romance", "Horror", "Documentary"]


def write_files(folder: Path, titles: int, seed: int = 7) -> list[Path]:
    rnd = random.Random(seed)
    paths = {
        k: folder / f"{k}.tsv.gz" for k in ("basics", "ratings", "episode", "principals", "names")
    }
    people = max(1, titles)
    with (
        gzip.open(paths["basics"], "wt", encoding="utf-8", compresslevel=1) as basics,
        gzip.open(paths["ratings"], "wt", encoding="utf-8", compresslevel=1) as ratings,
        gzip.open(paths["episode"], "wt", encoding="utf-8", compresslevel=1) as episodes,
        gzip.open(paths["principals"], "wt", encoding="utf-8", compresslevel=1) as principals,
    ):
        basics.write("tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\t"
                     "endYear\truntimeMinutes\tgenres\n")  # fmt: skip
        ratings.write("tconst\taverageRating\tnumVotes\n")
        episodes.write("tconst\tparentTconst\tseasonNumber\tepisodeNumber\n")
        principals.write("tconst\tordering\tnconst\tcategory\tjob\tcharacters\n")
        series = None
        for i in range(1, titles + 1):
            tt = f"tt{i:08d}"
            kind = rnd.choices(["movie", "tvSeries", "tvEpisode"], [6, 1, 3])[0]
            if kind == "tvEpisode" and series is None:
                kind = "tvSeries"
            year = rnd.randint(1920, 2025)
            genres = ",".join(rnd.sample(GENRES, rnd.randint(1, 3)))
            basics.write(f"{tt}\t{kind}\tTitle number {i}\tTitle number {i}\t0\t{year}\t{N}\t"
                         f"{rnd.randint(20, 200)}\t{genres}\n")  # fmt: skip
            if i % 2:
                ratings.write(f"{tt}\t{rnd.randint(10, 99) / 10}\t{rnd.randint(5, 100000)}\n")
            if kind == "tvSeries":
                series = tt
            elif kind == "tvEpisode":
                episodes.write(f"{tt}\t{series}\t{rnd.randint(1, 8)}\t{rnd.randint(1, 12)}\n")
            else:
                for order in range(1, 6):
                    category = "director" if order == 5 else "actor"
                    chars = N if order == 5 else json.dumps([f"Role {order}"])
                    person = f"nm{rnd.randint(1, people):08d}"
                    principals.write(f"{tt}\t{order}\t{person}\t{category}\t{N}\t{chars}\n")
    with gzip.open(paths["names"], "wt", encoding="utf-8", compresslevel=1) as names:
        names.write("nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\t"
                    "knownForTitles\n")  # fmt: skip
        for i in range(1, people + 1):
            names.write(f"nm{i:08d}\tPerson {i}\t{rnd.randint(1900, 2000)}\t{N}\tactor\t{N}\n")
    return list(paths.values())


CHILD = """
import resource, sys, time
from pathlib import Path
from critica.catalog.imdb import import_files
from critica.store import open_store
store = open_store(sys.argv[1])
done = import_files(store, [Path(p) for p in sys.argv[2:]])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(done.seconds, sum(done.rows.values()), done.titles_added, done.credits, done.people, peak)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--titles", type=int, default=200_000)
    ap.add_argument("--db", help="store URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        paths = write_files(folder, args.titles)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"wrote {args.titles:,} titles' files ({size:.0f} MB gzip) in "
              f"{time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
        db = args.db or f"sqlite:///{folder / 'catalog.db'}"
        out = subprocess.run(
            [sys.executable, "-c", CHILD, db, *map(str, paths)],
            check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        seconds, rows, added, credits, people, peak = map(float, out)
        print(f"imported {rows:,.0f} rows in {seconds:.0f} s ({rows / seconds:,.0f} rows/s): "
              f"{added:,.0f} titles, {credits:,.0f} credits, {people:,.0f} people; "
              f"peak RSS of the importing process {peak:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
